/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sched.h>
#include <signal.h>
#include <sodium.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "sotto-e2e.h"
#include "sotto-test-server.h"
#include "sotto-test-users.h"
#include "sotto-test-util.h"

/*
 * What happens when things break: the server killed in the middle of a
 * busy room, a client's connection cut in the middle of a frame, the
 * server's disk full or read-only, a client's files damaged. Nothing the
 * server acknowledged may be lost or doubled, nothing it did not may be
 * shown as sent, and every failure must be told in words, not a crash.
 *
 * The disk tests mount a small tmpfs in a mount namespace of their own,
 * which needs root; elsewhere they are skipped.
 */

#define PASSWORD "correct horse battery"

static gboolean can_mount;

typedef struct
{
  SottoTestServer *server;
  char            *dir;
  char            *address;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  fixture->dir = sotto_test_make_data_dir ();
}

static void
fixture_start (Fixture    *fixture,
               const char *data_dir,
               const char *stderr_path)
{
  fixture->server = sotto_test_server_start_full (data_dir, NULL, stderr_path);
  fixture->address = g_strdup_printf ("127.0.0.1:%u",
                                      sotto_test_server_get_port (fixture->server));
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  if (fixture->server != NULL && sotto_test_server_is_running (fixture->server))
    sotto_test_server_stop (fixture->server);
  g_clear_pointer (&fixture->server, sotto_test_server_free);
  sotto_test_remove_dir (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->address);
}

/* Counts the room messages (not events) in the server's log of @room,
 * and how many distinct (sender, msg_id) they carry. Read with the server
 * stopped. */
static void
count_server_log (const char *data_dir,
                  const char *room,
                  guint      *n_rows,
                  guint      *n_distinct)
{
  g_autofree char *path = g_build_filename (data_dir, "sotto.db", NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "SELECT count (*), count (DISTINCT sender || ' ' || msg_id)"
                                       " FROM room_log JOIN rooms ON rooms.id = room_log.room_id"
                                       " WHERE rooms.name = ?1 AND msg_id IS NOT NULL",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, room, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  *n_rows = sqlite3_column_int (stmt, 0);
  *n_distinct = sqlite3_column_int (stmt, 1);
  sqlite3_finalize (stmt);
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);
}

static void
assert_database_intact (const char *path)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL), ==,
                   SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "ok");
  sqlite3_finalize (stmt);
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);
}

/* Killed mid-conversation */

#define N_TALKERS 3
#define TALK_INTERVAL_MS 25

typedef struct
{
  SottoClient  *clients[N_TALKERS];
  SottoRoom    *rooms[N_TALKERS];
  /* Every message said, in order, and who said it. */
  GPtrArray    *said;
  GArray       *speakers;
  guint         next;
} Talk;

static const char *const talker_names[N_TALKERS] = { "ann", "ben", "cal" };

static gboolean
talk_cb (gpointer user_data)
{
  Talk *talk = user_data;
  guint who = talk->next % N_TALKERS;
  g_autofree char *text = g_strdup_printf ("%s says %u", talker_names[who], talk->next);

  g_ptr_array_add (talk->said, g_object_ref (sotto_test_user_say (talk->clients[who],
                                                                   talk->rooms[who], text)));
  g_array_append_val (talk->speakers, who);
  talk->next++;

  return G_SOURCE_CONTINUE;
}

#define BURST (10 * N_TALKERS)
#define DELIVERY_WAIT_S 20

static SottoMessage *
find_said (SottoRoom  *room,
           const char *sender,
           const char *text)
{
  GListModel *messages = sotto_room_get_messages (room);

  for (guint i = 0; i < g_list_model_get_n_items (messages); i++)
    {
      g_autoptr(SottoMessage) message = g_list_model_get_item (messages, i);

      if (g_strcmp0 (sotto_message_get_sender (message), sender) == 0 &&
          g_strcmp0 (sotto_message_get_text (message), text) == 0)
        return message;
    }

  return NULL;
}

/* How many (member, message) pairs are still missing. */
static guint
count_missing (Talk *talk)
{
  guint missing = 0;

  for (guint i = 0; i < talk->said->len; i++)
    {
      SottoMessage *message = g_ptr_array_index (talk->said, i);
      guint who = g_array_index (talk->speakers, guint, i);

      for (guint j = 0; j < N_TALKERS; j++)
        if (find_said (talk->rooms[j], talker_names[who], sotto_message_get_text (message)) == NULL)
          missing++;
    }

  return missing;
}

/* How many of the messages in @said from @first on are acknowledged. */
static guint
count_sent (GPtrArray *said,
            guint      first)
{
  guint n = 0;

  for (guint i = first; i < said->len; i++)
    if (sotto_message_get_state (g_ptr_array_index (said, i)) == SOTTO_MESSAGE_SENT)
      n++;

  return n;
}

/* Several people talk without pause; the server is killed (SIGKILL, no
 * chance to tidy up) and started again. Every message it had acknowledged
 * keeps its number and reaches every member exactly once; what it had not
 * is never shown as sent before it is; the clients come back by
 * themselves and the outboxes empty, each message once. */
static void
test_server_killed (Fixture       *fixture,
                    gconstpointer  data)
{
  Talk talk = { { NULL } };
  g_autoptr(GHashTable) acked = g_hash_table_new (NULL, NULL);
  guint n_rows = 0;
  guint n_distinct = 0;
  guint source;
  guint burst;
  guint missing;
  gint64 deadline;

  fixture_start (fixture, NULL, NULL);
  talk.said = g_ptr_array_new_with_free_func (g_object_unref);
  talk.speakers = g_array_new (FALSE, FALSE, sizeof (guint));
  for (guint i = 0; i < N_TALKERS; i++)
    {
      talk.clients[i] = sotto_test_user_new (fixture->dir, fixture->address, talker_names[i],
                                             PASSWORD);
      talk.rooms[i] = sotto_test_user_join (talk.clients[i], "busy");
    }
  for (guint i = 0; i < N_TALKERS; i++)
    sotto_test_user_wait_members (talk.rooms[i], N_TALKERS);

  source = g_timeout_add (TALK_INTERVAL_MS, talk_cb, &talk);
  sotto_test_iterate (1500);

  /* The server hangs (stopped), a burst goes out to it, and then it is
   * killed: at least the burst is not acknowledged, whatever the timing
   * of the rest was. */
  g_assert_cmpint (kill (sotto_test_server_get_pid (fixture->server), SIGSTOP), ==, 0);
  burst = talk.said->len;
  for (guint i = 0; i < BURST; i++)
    talk_cb (&talk);
  sotto_test_iterate (50);
  g_assert_cmpuint (count_sent (talk.said, burst), ==, 0);

  /* What the server acknowledged up to the kill, with its number. */
  sotto_test_server_kill (fixture->server);
  for (guint i = 0; i < talk.said->len; i++)
    {
      SottoMessage *message = g_ptr_array_index (talk.said, i);

      if (sotto_message_get_state (message) == SOTTO_MESSAGE_SENT)
        g_hash_table_insert (acked, message, GINT_TO_POINTER (sotto_message_get_seq (message)));
    }
  g_assert_cmpuint (g_hash_table_size (acked), >, 0);
  g_assert_cmpuint (g_hash_table_size (acked), <=, talk.said->len - BURST);
  g_test_message ("%u said, %u acknowledged at the kill", talk.said->len,
                  g_hash_table_size (acked));

  /* They keep typing while it is down; nothing of that is "sent". */
  sotto_test_iterate (500);
  for (guint i = 0; i < talk.said->len; i++)
    {
      SottoMessage *message = g_ptr_array_index (talk.said, i);

      if (!g_hash_table_contains (acked, message))
        g_assert_cmpint (sotto_message_get_state (message), ==, SOTTO_MESSAGE_SENDING);
    }

  sotto_test_server_restart (fixture->server);
  for (guint i = 0; i < N_TALKERS; i++)
    sotto_test_user_wait_state (talk.clients[i], SOTTO_CLIENT_ONLINE);
  sotto_test_iterate (500);
  g_source_remove (source);

  for (guint i = 0; i < talk.said->len; i++)
    {
      SottoMessage *message = g_ptr_array_index (talk.said, i);
      gpointer seq;

      sotto_test_user_wait_sent (message);
      if (g_hash_table_lookup_extended (acked, message, NULL, &seq))
        g_assert_cmpint (sotto_message_get_seq (message), ==, GPOINTER_TO_INT (seq));
    }

  /* Every member holds every message, once, under the same number. */
  deadline = g_get_monotonic_time () + DELIVERY_WAIT_S * G_USEC_PER_SEC;
  while ((missing = count_missing (&talk)) > 0 && g_get_monotonic_time () < deadline)
    sotto_test_iterate (100);
  for (guint i = 0; i < talk.said->len; i++)
    {
      SottoMessage *message = g_ptr_array_index (talk.said, i);
      guint who = g_array_index (talk.speakers, guint, i);
      const char *text = sotto_message_get_text (message);

      for (guint j = 0; j < N_TALKERS; j++)
        {
          SottoMessage *seen = find_said (talk.rooms[j], talker_names[who], text);

          g_assert_cmpuint (sotto_test_room_count_text (talk.rooms[j], talker_names[who], text),
                            <=, 1);
          if (seen != NULL)
            g_assert_cmpint (sotto_message_get_seq (seen), ==, sotto_message_get_seq (message));
        }
    }
  g_test_message ("%u messages missing at some member after %d s", missing, DELIVERY_WAIT_S);
  g_assert_cmpuint (missing, ==, 0);

  /* Resends after the crash are the same messages: nobody is told that
   * anything came late or never came. */
  for (guint j = 0; j < N_TALKERS; j++)
    g_assert_cmpuint (sotto_test_room_count_warnings (talk.rooms[j]), ==, 0);

  for (guint i = 0; i < N_TALKERS; i++)
    {
      sotto_client_close (talk.clients[i]);
      g_object_unref (talk.clients[i]);
    }

  /* The log holds each message once. */
  sotto_test_server_stop (fixture->server);
  count_server_log (sotto_test_server_get_data_dir (fixture->server), "busy", &n_rows,
                    &n_distinct);
  g_assert_cmpuint (n_rows, ==, talk.said->len);
  g_assert_cmpuint (n_distinct, ==, talk.said->len);

  g_ptr_array_unref (talk.said);
  g_array_unref (talk.speakers);
}

/* A proxy between a client and the server, to cut the connection at a
 * chosen point of the client's next write. */

typedef enum
{
  CUT_NONE,
  /* Half of what the client writes reaches the server, then both ends close. */
  CUT_MID_FRAME,
  /* Nothing of it reaches the server. */
  CUT_UNSENT,
  /* All of it reaches the server; its answer is lost with the connection. */
  CUT_BEFORE_ANSWER,
} CutPoint;

typedef struct _Proxy Proxy;

typedef struct
{
  gatomicrefcount    ref_count;
  Proxy             *proxy;
  GSocketConnection *client;
  GSocketConnection *server;
  GCancellable      *cancellable;
  gboolean           closed;
  gboolean           drop_answer;
  guint8             up[65536];
  guint8             down[65536];
} Link;

struct _Proxy
{
  GSocketService *service;
  guint16         port;
  guint16         target;
  CutPoint        cut;
  guint           cuts;
  /* Connections are dropped as they come: the client stays offline. */
  gboolean        refuse;
  GPtrArray      *links;
};

static Link *
link_ref (Link *link)
{
  g_atomic_ref_count_inc (&link->ref_count);
  return link;
}

static void
link_close (Link *link)
{
  if (link->closed)
    return;

  link->closed = TRUE;
  g_cancellable_cancel (link->cancellable);
  g_io_stream_close (G_IO_STREAM (link->client), NULL, NULL);
  g_io_stream_close (G_IO_STREAM (link->server), NULL, NULL);
}

static void
link_unref (Link *link)
{
  if (!g_atomic_ref_count_dec (&link->ref_count))
    return;

  link_close (link);
  g_object_unref (link->client);
  g_object_unref (link->server);
  g_object_unref (link->cancellable);
  g_free (link);
}

static gboolean
forward (GSocketConnection *to,
         const guint8      *data,
         gsize              size)
{
  return g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (to)), data, size,
                                    NULL, NULL, NULL);
}

static void read_up (Link *link);
static void read_down (Link *link);

static void
up_cb (GObject      *object,
       GAsyncResult *result,
       gpointer      user_data)
{
  Link *link = user_data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (object), result, NULL);
  Proxy *proxy = link->proxy;

  if (n <= 0 || link->closed)
    {
      link_close (link);
      link_unref (link);
      return;
    }

  switch (proxy->cut)
    {
    case CUT_NONE:
      if (!forward (link->server, link->up, n))
        link_close (link);
      break;

    case CUT_MID_FRAME:
      forward (link->server, link->up, MAX (n / 2, 1));
      proxy->cut = CUT_NONE;
      proxy->cuts++;
      link_close (link);
      break;

    case CUT_UNSENT:
      proxy->cut = CUT_NONE;
      proxy->cuts++;
      link_close (link);
      break;

    case CUT_BEFORE_ANSWER:
      forward (link->server, link->up, n);
      proxy->cut = CUT_NONE;
      link->drop_answer = TRUE;
      break;

    default:
      g_assert_not_reached ();
    }

  if (!link->closed)
    read_up (link);
  link_unref (link);
}

static void
down_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Link *link = user_data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (object), result, NULL);

  if (n <= 0 || link->closed)
    {
      link_close (link);
      link_unref (link);
      return;
    }

  if (link->drop_answer)
    {
      link->proxy->cuts++;
      link_close (link);
    }
  else if (!forward (link->client, link->down, n))
    {
      link_close (link);
    }

  if (!link->closed)
    read_down (link);
  link_unref (link);
}

static void
read_up (Link *link)
{
  g_input_stream_read_async (g_io_stream_get_input_stream (G_IO_STREAM (link->client)),
                             link->up, sizeof link->up, G_PRIORITY_DEFAULT, link->cancellable,
                             up_cb, link_ref (link));
}

static void
read_down (Link *link)
{
  g_input_stream_read_async (g_io_stream_get_input_stream (G_IO_STREAM (link->server)),
                             link->down, sizeof link->down, G_PRIORITY_DEFAULT,
                             link->cancellable, down_cb, link_ref (link));
}

static gboolean
proxy_incoming_cb (GSocketService    *service,
                   GSocketConnection *connection,
                   GObject           *source_object,
                   gpointer           user_data)
{
  Proxy *proxy = user_data;
  g_autoptr(GSocketClient) socket_client = g_socket_client_new ();
  g_autoptr(GError) error = NULL;
  GSocketConnection *server;
  Link *link;

  if (proxy->refuse)
    {
      g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
      return TRUE;
    }

  /* Loopback: the connection is made at once. */
  server = g_socket_client_connect_to_host (socket_client, "127.0.0.1", proxy->target, NULL,
                                            &error);
  if (server == NULL)
    return TRUE;

  link = g_new0 (Link, 1);
  g_atomic_ref_count_init (&link->ref_count);
  link->proxy = proxy;
  link->client = g_object_ref (connection);
  link->server = server;
  link->cancellable = g_cancellable_new ();
  g_ptr_array_add (proxy->links, link);
  read_up (link);
  read_down (link);

  return TRUE;
}

static Proxy *
proxy_new (guint16 target)
{
  Proxy *proxy = g_new0 (Proxy, 1);
  g_autoptr(GError) error = NULL;

  proxy->target = target;
  proxy->links = g_ptr_array_new_with_free_func ((GDestroyNotify) link_unref);
  proxy->service = g_socket_service_new ();
  proxy->port = g_socket_listener_add_any_inet_port (G_SOCKET_LISTENER (proxy->service), NULL,
                                                     &error);
  g_assert_no_error (error);
  g_signal_connect (proxy->service, "incoming", G_CALLBACK (proxy_incoming_cb), proxy);
  g_socket_service_start (proxy->service);

  return proxy;
}

static void
proxy_free (Proxy *proxy)
{
  g_socket_service_stop (proxy->service);
  g_socket_listener_close (G_SOCKET_LISTENER (proxy->service));
  g_signal_handlers_disconnect_by_data (proxy->service, proxy);
  g_clear_object (&proxy->service);
  for (guint i = 0; i < proxy->links->len; i++)
    link_close (g_ptr_array_index (proxy->links, i));
  /* Lets the cancelled reads finish and drop their references. */
  sotto_test_iterate (50);
  g_ptr_array_unref (proxy->links);
  g_free (proxy);
}

/* Alice talks through the proxy, which cuts her connection in the middle
 * of sending a message, at the point the test names. Her client comes
 * back by itself and sends the message again from its outbox: Bob sees it
 * once, and so does the server's log. */
static void
test_connection_cut (Fixture       *fixture,
                     gconstpointer  data)
{
  CutPoint cut = GPOINTER_TO_INT (data);
  g_autoptr(SottoClient) alice = NULL;
  g_autoptr(SottoClient) bob = NULL;
  g_autofree char *proxied = NULL;
  SottoRoom *alice_room;
  SottoRoom *bob_room;
  SottoMessage *cut_short;
  guint n_rows = 0;
  guint n_distinct = 0;
  Proxy *proxy;

  fixture_start (fixture, NULL, NULL);
  proxy = proxy_new (sotto_test_server_get_port (fixture->server));
  proxied = g_strdup_printf ("127.0.0.1:%u", proxy->port);

  alice = sotto_test_user_new (fixture->dir, proxied, "alice", PASSWORD);
  bob = sotto_test_user_new (fixture->dir, fixture->address, "bob", PASSWORD);
  alice_room = sotto_test_user_join (alice, "lobby");
  bob_room = sotto_test_user_join (bob, "lobby");
  sotto_test_user_wait_members (alice_room, 2);
  sotto_test_user_wait_sent (sotto_test_user_say (alice, alice_room, "before the cut"));
  sotto_test_user_wait_for_text (bob_room, "alice", "before the cut");

  proxy->cut = cut;
  cut_short = sotto_test_user_say (alice, alice_room, "cut short");
  sotto_test_user_wait_state (alice, SOTTO_CLIENT_RECONNECTING);
  g_assert_cmpuint (proxy->cuts, ==, 1);
  g_assert_cmpint (sotto_message_get_state (cut_short), ==, SOTTO_MESSAGE_SENDING);

  sotto_test_user_wait_state (alice, SOTTO_CLIENT_ONLINE);
  sotto_test_user_wait_sent (cut_short);
  sotto_test_user_wait_for_text (bob_room, "alice", "cut short");

  /* The conversation goes on, both ways. */
  sotto_test_user_wait_sent (sotto_test_user_say (bob, bob_room, "still here"));
  sotto_test_user_wait_for_text (alice_room, "bob", "still here");
  sotto_test_user_wait_sent (sotto_test_user_say (alice, alice_room, "after the cut"));
  sotto_test_user_wait_for_text (bob_room, "alice", "after the cut");

  g_assert_cmpuint (sotto_test_room_count_text (bob_room, "alice", "cut short"), ==, 1);
  g_assert_cmpuint (sotto_test_room_count_text (alice_room, "alice", "cut short"), ==, 1);
  g_assert_cmpuint (sotto_test_room_count_warnings (bob_room), ==, 0);

  sotto_client_close (alice);
  sotto_client_close (bob);
  g_clear_pointer (&proxy, proxy_free);
  sotto_test_server_stop (fixture->server);
  count_server_log (sotto_test_server_get_data_dir (fixture->server), "lobby", &n_rows,
                    &n_distinct);
  g_assert_cmpuint (n_rows, ==, 4);
  g_assert_cmpuint (n_distinct, ==, 4);
}

/* The key id that sealed @sender's message @msg_id in the server's log of
 * @room. Read with the server stopped. */
static guint32
logged_key_id (const char *data_dir,
               const char *room,
               const char *sender,
               const char *msg_id)
{
  g_autofree char *path = g_build_filename (data_dir, "sotto.db", NULL);
  g_autoptr(SottoMsg) event = NULL;
  g_autoptr(GBytes) envelope = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  guint32 key_id = 0;
  guint32 index = 0;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "SELECT body FROM room_log"
                                       " JOIN rooms ON rooms.id = room_log.room_id"
                                       " WHERE rooms.name = ?1 AND sender = ?2 AND msg_id = ?3",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, room, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, sender, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, msg_id, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  event = sotto_msg_parse (sqlite3_column_blob (stmt, 0), sqlite3_column_bytes (stmt, 0),
                           SOTTO_MSG_FROM_SERVER, &error);
  g_assert_no_error (error);
  envelope = sotto_msg_dup_bytes (event, "envelope");
  g_assert_nonnull (envelope);
  g_assert_true (sotto_envelope_peek (envelope, &key_id, &index, &error));
  g_assert_no_error (error);
  sqlite3_finalize (stmt);
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);

  return key_id;
}

/* How many key boxes from @sender the server holds for @recipient that
 * were handed to it at @since (ms) or later. Read with the server stopped. */
static guint
count_queued_boxes (const char *data_dir,
                    const char *sender,
                    const char *recipient,
                    gint64      since)
{
  g_autofree char *path = g_build_filename (data_dir, "sotto.db", NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  guint n;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "SELECT count (*) FROM key_queue"
                                       " JOIN accounts ON accounts.id = key_queue.recipient_id"
                                       " WHERE accounts.username = ?1 AND sender = ?2"
                                       " AND kind = 0 AND ts >= ?3",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, recipient, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, sender, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, since);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);

  return n;
}

/* Alice is offline (her connection cut, new ones refused) and writes a
 * message; meanwhile Carol is removed from the room. When Alice is back,
 * the message waits until her client has the room's members and what it
 * missed, learns that Carol is gone, and goes out under a new key that
 * Carol never held and the server never had for her. */
static void
test_outbox_after_departure (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(SottoClient) alice = NULL;
  g_autoptr(SottoClient) bob = NULL;
  g_autoptr(SottoClient) carol = NULL;
  g_autoptr(SottoClientStore) carol_store = NULL;
  g_autoptr(SottoSenderKey) held = NULL;
  g_autoptr(SottoSenderKey) not_held = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *proxied = NULL;
  g_autofree char *answer = NULL;
  g_autofree char *carol_path = NULL;
  g_autofree char *before_id = NULL;
  g_autofree char *waiting_id = NULL;
  SottoRoom *alice_room;
  SottoRoom *bob_room;
  SottoRoom *carol_room;
  SottoMessage *before;
  SottoMessage *waiting;
  guint32 carol_key_id;
  guint32 waiting_key_id;
  gint64 removed_at;
  Proxy *proxy;

  fixture_start (fixture, NULL, NULL);
  proxy = proxy_new (sotto_test_server_get_port (fixture->server));
  proxied = g_strdup_printf ("127.0.0.1:%u", proxy->port);

  alice = sotto_test_user_new (fixture->dir, proxied, "alice", PASSWORD);
  bob = sotto_test_user_new (fixture->dir, fixture->address, "bob", PASSWORD);
  carol = sotto_test_user_new (fixture->dir, fixture->address, "carol", PASSWORD);
  alice_room = sotto_test_user_join (alice, "lobby");
  bob_room = sotto_test_user_join (bob, "lobby");
  carol_room = sotto_test_user_join (carol, "lobby");
  sotto_test_user_wait_members (alice_room, 3);
  before = sotto_test_user_say (alice, alice_room, "all three");
  before_id = g_strdup (sotto_message_get_msg_id (before));
  sotto_test_user_wait_sent (before);
  sotto_test_user_wait_for_text (bob_room, "alice", "all three");
  sotto_test_user_wait_for_text (carol_room, "alice", "all three");

  /* Carol's computer goes off with the key she was given; what the
   * server would hand her later waits in its queue. */
  sotto_client_close (carol);

  proxy->refuse = TRUE;
  for (guint i = 0; i < proxy->links->len; i++)
    link_close (g_ptr_array_index (proxy->links, i));
  sotto_test_user_wait_state (alice, SOTTO_CLIENT_RECONNECTING);

  waiting = sotto_test_user_say (alice, alice_room, "written while carol went");
  waiting_id = g_strdup (sotto_message_get_msg_id (waiting));
  g_assert_cmpint (sotto_message_get_state (waiting), ==, SOTTO_MESSAGE_SENDING);

  removed_at = g_get_real_time () / 1000;
  answer = sotto_test_server_command (fixture->server, "/kick carol lobby");
  g_assert_cmpstr (answer, ==, "carol was removed from lobby.");
  while (sotto_room_lookup_member (bob_room, "carol") != NULL)
    g_main_context_iteration (NULL, TRUE);

  proxy->refuse = FALSE;
  sotto_test_user_wait_state (alice, SOTTO_CLIENT_ONLINE);
  sotto_test_user_wait_sent (waiting);
  sotto_test_user_wait_for_text (bob_room, "alice", "written while carol went");
  g_assert_null (sotto_room_lookup_member (alice_room, "carol"));

  sotto_client_close (alice);
  sotto_client_close (bob);
  g_clear_pointer (&proxy, proxy_free);
  sotto_test_server_stop (fixture->server);

  /* The message went out under another key than the one Carol held... */
  carol_key_id = logged_key_id (sotto_test_server_get_data_dir (fixture->server), "lobby",
                                "alice", before_id);
  waiting_key_id = logged_key_id (sotto_test_server_get_data_dir (fixture->server), "lobby",
                                  "alice", waiting_id);
  g_assert_cmpuint (waiting_key_id, !=, carol_key_id);

  /* ...which her store shows: the old key is there, the new one never came... */
  carol_path = sotto_test_user_store_path (fixture->dir, fixture->address, "carol", "carol");
  carol_store = sotto_test_user_open_store (carol_path, PASSWORD);
  held = sotto_client_store_load_sender_key (carol_store, "lobby", "alice", carol_key_id,
                                             &error);
  g_assert_no_error (error);
  g_assert_nonnull (held);
  not_held = sotto_client_store_load_sender_key (carol_store, "lobby", "alice", waiting_key_id,
                                                 &error);
  g_assert_no_error (error);
  g_assert_null (not_held);

  /* ...and nothing Alice sent after the removal waits for her to come back. */
  g_assert_cmpuint (count_queued_boxes (sotto_test_server_get_data_dir (fixture->server),
                                        "alice", "carol", removed_at), ==, 0);
}

/* The disk */

/* A tmpfs of @kib KiB at @path, in this process's own mount namespace. */
static void
mount_small_disk (const char *path,
                  guint       kib)
{
  g_autofree char *options = g_strdup_printf ("size=%uk,mode=0700", kib);

  g_assert_cmpint (g_mkdir_with_parents (path, 0700), ==, 0);
  if (mount ("sotto-test", path, "tmpfs", 0, options) != 0)
    g_error ("Could not mount a tmpfs on %s: %s", path, g_strerror (errno));
}

static void
unmount_small_disk (const char *path)
{
  if (umount2 (path, MNT_DETACH) != 0)
    g_error ("Could not unmount %s: %s", path, g_strerror (errno));
}

/* Fills the file system of @dir with a file, until it is full. */
static char *
fill_disk (const char *dir)
{
  char *path = g_build_filename (dir, "filler", NULL);
  guint8 block[4096];
  int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

  g_assert_cmpint (fd, >=, 0);
  memset (block, 0xaa, sizeof block);
  while (write (fd, block, sizeof block) > 0)
    ;
  g_assert_cmpint (errno, ==, ENOSPC);
  /* The last partial block too. */
  while (write (fd, block, 1) > 0)
    ;
  close (fd);

  return path;
}

static gboolean
log_contains (const char *path,
              const char *text)
{
  return sotto_test_file_contains (path, (const guint8 *) text, strlen (text));
}

/* The clients may warn that the server cannot take what they send (a key
 * acknowledgement, say) while the disk is full: counted, not fatal. */
static void
client_warning_cb (const char     *log_domain,
                   GLogLevelFlags  log_level,
                   const char     *message,
                   gpointer        user_data)
{
  guint *warnings = user_data;

  g_test_message ("the client warned: %s", message);
  (*warnings)++;
}

/* The server's disk fills up while people talk. Sending then fails with a
 * clear answer ("overloaded", in words), the message stays in the outbox
 * and is not shown as sent, the server says why in its log and keeps
 * serving; once there is room again it stores again, the outbox empties,
 * nothing is doubled, and the database is intact. */
static void
test_disk_full (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *disk = g_build_filename (fixture->dir, "disk", NULL);
  g_autofree char *data_dir = g_build_filename (disk, "data", NULL);
  g_autofree char *log = g_build_filename (fixture->dir, "server.log", NULL);
  g_autofree char *db_path = g_build_filename (data_dir, "sotto.db", NULL);
  g_autofree char *filler = NULL;
  g_autofree char *answer = NULL;
  g_autoptr(SottoClient) alice = NULL;
  g_autoptr(SottoClient) bob = NULL;
  g_autoptr(SottoTestClient) carol = NULL;
  g_autoptr(GPtrArray) stuck = g_ptr_array_new ();
  g_autofree char *big = NULL;
  SottoMessage *refused;
  SottoRoom *alice_room;
  SottoRoom *bob_room;
  guint n_rows = 0;
  guint n_distinct = 0;
  guint client_warnings = 0;
  GLogLevelFlags fatal;
  guint handler;

  if (!can_mount)
    {
      g_test_skip ("Mounting a tmpfs needs root and a mount namespace");
      return;
    }

  mount_small_disk (disk, 2048);
  g_assert_cmpint (g_mkdir (data_dir, 0700), ==, 0);
  /* A storage failure is a warning in the server's log, as it should be;
   * the server must go on after it, so it must not be fatal there. */
  fixture->server = sotto_test_server_start_lenient (data_dir, NULL, log);
  fixture->address = g_strdup_printf ("127.0.0.1:%u",
                                      sotto_test_server_get_port (fixture->server));

  alice = sotto_test_user_new (fixture->dir, fixture->address, "alice", PASSWORD);
  bob = sotto_test_user_new (fixture->dir, fixture->address, "bob", PASSWORD);
  alice_room = sotto_test_user_join (alice, "lobby");
  bob_room = sotto_test_user_join (bob, "lobby");
  sotto_test_user_wait_members (alice_room, 2);
  sotto_test_user_wait_sent (sotto_test_user_say (alice, alice_room, "plenty of room"));
  sotto_test_user_wait_for_text (bob_room, "alice", "plenty of room");

  /* Carol speaks the protocol by hand, to see the server's answer. */
  carol = sotto_test_client_connect (fixture->server);
  {
    g_autoptr(SottoIdentity) identity = sotto_identity_new ();
    const SottoPublicIdentity *public = sotto_identity_get_public (identity);
    g_autoptr(SottoMsg) session = NULL;
    SottoWireIdentity wire;

    /* A real identity: the others' clients check it. */
    memcpy (wire.box, public->box_pk, sizeof wire.box);
    memcpy (wire.sign, public->sign_pk, sizeof wire.sign);
    memcpy (wire.binding, public->binding, sizeof wire.binding);
    sotto_test_client_set_identity (carol, &wire);
    session = sotto_test_client_register (carol, "carol", PASSWORD);

    g_assert_cmpint (sotto_msg_get_msg_type (session), ==, SOTTO_MSG_TYPE_SESSION);
  }

  filler = fill_disk (disk);
  fatal = g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  handler = g_log_set_handler ("sotto-client", G_LOG_LEVEL_WARNING, client_warning_cb,
                               &client_warnings);

  /* Large messages, so that the log needs new space: SQLite reuses the
   * space its files already have. */
  big = g_strnfill (30000, 'x');
  for (guint i = 0; i < 20 && stuck->len == 0; i++)
    {
      g_autofree char *text = g_strdup_printf ("%u %s", i, big);
      SottoMessage *message = sotto_test_user_say (alice, alice_room, text);

      while (sotto_message_get_state (message) == SOTTO_MESSAGE_SENDING &&
             !log_contains (log, "Storage failure"))
        g_main_context_iteration (NULL, TRUE);
      sotto_test_iterate (100);
      if (sotto_message_get_state (message) == SOTTO_MESSAGE_SENDING)
        g_ptr_array_add (stuck, message);
    }
  g_assert_cmpuint (stuck->len, ==, 1);
  g_assert_true (log_contains (log, "Storage failure"));
  {
    g_autoptr(GBytes) envelope = g_bytes_new (big, strlen (big));
    g_autoptr(SottoMsg) answer = NULL;

    sotto_test_client_send_take (carol, sotto_msg_build_send ("full", "general", "c-1",
                                                              envelope));
    answer = sotto_test_client_expect_error (carol, "full", SOTTO_MSG_ERROR_CODE_OVERLOADED);
    g_test_message ("the server answered: %s", sotto_msg_get_string (answer, "message"));
    g_assert_nonnull (strstr (sotto_msg_get_string (answer, "message"), "cannot store"));
  }
  g_test_message ("%u warnings of the clients while the disk was full", client_warnings);
  g_assert_true (sotto_test_server_is_running (fixture->server));
  g_assert_cmpint (sotto_client_get_state (alice), ==, SOTTO_CLIENT_ONLINE);

  /* Room again: the server stores again without being restarted. */
  g_assert_cmpint (g_unlink (filler), ==, 0);
  sotto_test_user_wait_sent (sotto_test_user_say (bob, bob_room, "room again"));
  sotto_test_user_wait_for_text (alice_room, "bob", "room again");

  /* The message refused while the disk was full goes out from the outbox
   * at the next connection, once. */
  answer = sotto_test_server_command (fixture->server, "/kick alice");
  g_assert_cmpstr (answer, ==, "alice was disconnected.");
  refused = g_ptr_array_index (stuck, 0);
  sotto_test_user_wait_sent (refused);
  sotto_test_user_wait_for_text (bob_room, "alice", sotto_message_get_text (refused));
  g_assert_cmpuint (sotto_test_room_count_text (bob_room, "alice",
                                                sotto_message_get_text (refused)), ==, 1);

  sotto_client_close (alice);
  sotto_client_close (bob);
  g_clear_pointer (&carol, sotto_test_client_free);
  g_log_remove_handler ("sotto-client", handler);
  g_log_set_always_fatal (fatal);
  sotto_test_server_stop (fixture->server);
  assert_database_intact (db_path);
  count_server_log (data_dir, "lobby", &n_rows, &n_distinct);
  g_assert_cmpuint (n_rows, ==, n_distinct);

  g_clear_pointer (&fixture->server, sotto_test_server_free);
  unmount_small_disk (disk);
}

/* One request by hand, and its answer. */
static SottoMsg *
upload_piece (SottoTestClient *client,
              const guint8    *id,
              GBytes          *blob,
              gsize            offset,
              gsize            length)
{
  g_autofree char *request = sotto_test_client_next_id (client);
  g_autoptr(GBytes) piece = g_bytes_new_from_bytes (blob, offset, length);

  sotto_test_client_send_take (client, sotto_msg_build_upload_chunk (request, id, offset, piece));
  return sotto_test_client_expect_reply (client, request);
}

static gint64
upload_offset (SottoTestClient *client,
               const guint8    *id,
               gsize            size)
{
  g_autofree char *request = sotto_test_client_next_id (client);
  g_autoptr(SottoMsg) reply = NULL;

  sotto_test_client_send_take (client, sotto_msg_build_upload (request, id, "general", size));
  reply = sotto_test_client_expect_reply (client, request);
  g_assert_cmpint (sotto_msg_get_msg_type (reply), ==, SOTTO_MSG_TYPE_UPLOAD_AT);
  return sotto_msg_get_int (reply, "offset");
}

/* The disk fills up in the middle of an upload: the piece that does not
 * fit is refused with "overloaded", the server keeps the file as it was
 * before that piece and goes on serving; once there is room, the upload
 * goes on from there and the blob is whole. */
static void
test_disk_full_upload (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree char *disk = g_build_filename (fixture->dir, "disk", NULL);
  g_autofree char *data_dir = g_build_filename (disk, "data", NULL);
  g_autofree char *log = g_build_filename (fixture->dir, "server.log", NULL);
  g_autofree char *db_path = g_build_filename (data_dir, "sotto.db", NULL);
  g_autofree char *filler = NULL;
  g_autoptr(SottoTestClient) alice = NULL;
  g_autoptr(SottoMsg) reply = NULL;
  g_autoptr(GBytes) blob = NULL;
  GByteArray *got = g_byte_array_new ();
  g_autoptr(GBytes) downloaded = NULL;
  const gsize piece = SOTTO_PROTOCOL_BLOB_DATA_MAX_BYTES;
  gsize size = 8 * piece;
  gsize offset = 0;
  guint8 id[SOTTO_PROTOCOL_BLOB_ID_BYTES];

  if (!can_mount)
    {
      g_test_skip ("Mounting a tmpfs needs root and a mount namespace");
      return;
    }

  mount_small_disk (disk, 8192);
  g_assert_cmpint (g_mkdir (data_dir, 0700), ==, 0);
  fixture->server = sotto_test_server_start_lenient (data_dir, NULL, log);
  alice = sotto_test_client_connect (fixture->server);
  reply = sotto_test_client_register (alice, "alice", PASSWORD);
  g_assert_cmpint (sotto_msg_get_msg_type (reply), ==, SOTTO_MSG_TYPE_SESSION);
  g_clear_pointer (&reply, sotto_msg_unref);

  {
    guint8 *bytes = g_malloc (size);

    randombytes_buf (bytes, size);
    blob = g_bytes_new_take (bytes, size);
  }
  randombytes_buf (id, sizeof id);
  g_assert_cmpint (upload_offset (alice, id, size), ==, 0);
  for (; offset < 2 * piece; offset += piece)
    {
      reply = upload_piece (alice, id, blob, offset, piece);
      g_assert_cmpint (sotto_msg_get_msg_type (reply), ==, SOTTO_MSG_TYPE_UPLOAD_AT);
      g_clear_pointer (&reply, sotto_msg_unref);
    }

  filler = fill_disk (disk);
  reply = upload_piece (alice, id, blob, offset, piece);
  g_assert_cmpint (sotto_msg_get_error_code (reply), ==, SOTTO_MSG_ERROR_CODE_OVERLOADED);
  g_test_message ("the server answered: %s", sotto_msg_get_string (reply, "message"));
  g_clear_pointer (&reply, sotto_msg_unref);
  g_assert_true (log_contains (log, "Could not write an upload of alice"));
  g_assert_true (sotto_test_server_is_running (fixture->server));
  g_assert_cmpint (upload_offset (alice, id, size), ==, offset);

  /* Room again: on from where it was. */
  g_assert_cmpint (g_unlink (filler), ==, 0);
  for (; offset < size; offset += piece)
    {
      reply = upload_piece (alice, id, blob, offset, piece);
      g_assert_cmpint (sotto_msg_get_msg_type (reply), ==, SOTTO_MSG_TYPE_UPLOAD_AT);
      g_assert_cmpint (sotto_msg_get_int (reply, "offset"), ==, offset + piece);
      g_clear_pointer (&reply, sotto_msg_unref);
    }

  while (got->len < size)
    {
      g_autofree char *request = sotto_test_client_next_id (alice);
      g_autoptr(GBytes) part = NULL;

      sotto_test_client_send_take (alice, sotto_msg_build_download (request, id, got->len,
                                                                    piece));
      reply = sotto_test_client_expect_reply (alice, request);
      g_assert_cmpint (sotto_msg_get_msg_type (reply), ==, SOTTO_MSG_TYPE_BLOB);
      part = sotto_msg_dup_bytes (reply, "data");
      g_byte_array_append (got, g_bytes_get_data (part, NULL), g_bytes_get_size (part));
      g_clear_pointer (&reply, sotto_msg_unref);
    }
  downloaded = g_byte_array_free_to_bytes (got);
  g_assert_true (g_bytes_equal (downloaded, blob));

  g_clear_pointer (&alice, sotto_test_client_free);
  sotto_test_server_stop (fixture->server);
  assert_database_intact (db_path);
  g_clear_pointer (&fixture->server, sotto_test_server_free);
  unmount_small_disk (disk);
}

static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static void
exited_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL);
  *(gboolean *) user_data = TRUE;
}

static GBytes *
read_file_bytes (const char *path)
{
  char *contents = NULL;
  gsize size = 0;

  g_assert_true (g_file_get_contents (path, &contents, &size, NULL));
  return g_bytes_new_take (contents, size);
}

/* The server's data directory is read-only when it starts: it refuses to
 * start, saying why, and changes nothing; writable again, it serves what
 * it had, all of it. */
static void
test_read_only_data_dir (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autofree char *disk = g_build_filename (fixture->dir, "disk", NULL);
  g_autofree char *data_dir = g_build_filename (disk, "data", NULL);
  g_autofree char *db_path = g_build_filename (data_dir, "sotto.db", NULL);
  g_autofree char *log = g_build_filename (fixture->dir, "refused.log", NULL);
  g_autofree char *listen = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) refused = NULL;
  gboolean exited = FALSE;
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GBytes) after = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err_text = NULL;
  g_autoptr(SottoClient) alice = NULL;
  g_autoptr(SottoClient) bob = NULL;
  SottoRoom *alice_room;
  SottoRoom *bob_room;

  if (!can_mount)
    {
      g_test_skip ("Mounting a tmpfs needs root and a mount namespace");
      return;
    }

  mount_small_disk (disk, 4096);
  g_assert_cmpint (g_mkdir (data_dir, 0700), ==, 0);
  fixture_start (fixture, data_dir, NULL);
  alice = sotto_test_user_new (fixture->dir, fixture->address, "alice", PASSWORD);
  bob = sotto_test_user_new (fixture->dir, fixture->address, "bob", PASSWORD);
  alice_room = sotto_test_user_join (alice, "lobby");
  bob_room = sotto_test_user_join (bob, "lobby");
  sotto_test_user_wait_members (alice_room, 2);
  sotto_test_user_wait_sent (sotto_test_user_say (alice, alice_room, "written down"));
  sotto_test_user_wait_for_text (bob_room, "alice", "written down");
  sotto_client_close (bob);
  g_clear_object (&bob);
  sotto_test_user_wait_sent (sotto_test_user_say (alice, alice_room, "while bob is away"));
  sotto_client_close (alice);
  g_clear_object (&alice);
  sotto_test_server_stop (fixture->server);

  before = read_file_bytes (db_path);
  g_assert_cmpint (mount (NULL, disk, NULL, MS_REMOUNT | MS_RDONLY, NULL), ==, 0);

  listen = g_strdup_printf ("127.0.0.1:%u", sotto_test_server_get_port (fixture->server));
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  g_subprocess_launcher_set_stderr_file_path (launcher, log);
  refused = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("SOTTO_SERVER"),
                                         "--listen", listen, "--data-dir", data_dir, NULL);
  g_assert_no_error (error);
  g_subprocess_wait_async (refused, NULL, exited_cb, &exited);
  sotto_test_wait_for (&exited);
  g_assert_true (g_subprocess_get_if_exited (refused));
  g_assert_cmpint (g_subprocess_get_exit_status (refused), !=, 0);
  g_assert_true (g_file_get_contents (log, &err_text, NULL, NULL));
  g_test_message ("the server said: %s", err_text);
  g_assert_nonnull (strstr (err_text, db_path));
  g_assert_nonnull (strstr (err_text, "cannot be written"));

  after = read_file_bytes (db_path);
  g_assert_true (g_bytes_equal (before, after));

  g_assert_cmpint (mount (NULL, disk, NULL, MS_REMOUNT, NULL), ==, 0);
  sotto_test_server_restart (fixture->server);

  bob = sotto_test_user_open (fixture->dir, fixture->address, "bob");
  sotto_test_user_account (bob, FALSE, "bob", PASSWORD, &error);
  g_assert_no_error (error);
  bob_room = sotto_client_lookup_room (bob, "lobby");
  g_assert_nonnull (bob_room);
  sotto_test_user_wait_for_text (bob_room, "alice", "while bob is away");
  g_assert_cmpuint (sotto_test_room_count_text (bob_room, "alice", "written down"), ==, 1);
  sotto_client_close (bob);

  sotto_test_server_stop (fixture->server);
  assert_database_intact (db_path);
  g_clear_pointer (&fixture->server, sotto_test_server_free);
  unmount_small_disk (disk);
}

/* The client's own files */

/* Alice on her computer: two accounts there, "alice" and "alina", each
 * with some history. */
static void
make_two_accounts (Fixture *fixture)
{
  g_autoptr(SottoClient) alice = NULL;
  g_autoptr(SottoClient) alina = NULL;
  g_autoptr(GError) error = NULL;
  SottoRoom *alice_room;
  SottoRoom *alina_room;

  alice = sotto_test_user_new (fixture->dir, fixture->address, "alice", PASSWORD);
  alice_room = sotto_test_user_join (alice, "lobby");
  alina = sotto_test_user_open (fixture->dir, fixture->address, "alice");
  sotto_test_user_account (alina, TRUE, "alina", PASSWORD, &error);
  g_assert_no_error (error);
  alina_room = sotto_test_user_join (alina, "lobby");
  sotto_test_user_wait_members (alice_room, 2);
  sotto_test_user_wait_sent (sotto_test_user_say (alice, alice_room, "from alice"));
  sotto_test_user_wait_for_text (alina_room, "alice", "from alice");
  sotto_test_user_wait_sent (sotto_test_user_say (alina, alina_room, "from alina"));
  sotto_test_user_wait_for_text (alice_room, "alina", "from alina");
  sotto_client_close (alice);
  sotto_client_close (alina);
}

/* Logs in @user on Alice's computer: the error, or %NULL. */
static GError *
try_login (Fixture     *fixture,
           const char  *user,
           SottoClient **out_client)
{
  g_autoptr(SottoClient) client = sotto_test_user_open (fixture->dir, fixture->address, "alice");
  GError *error = NULL;

  sotto_test_user_account (client, FALSE, user, PASSWORD, &error);
  if (out_client != NULL && error == NULL)
    *out_client = g_steal_pointer (&client);
  else
    sotto_client_close (client);

  return error;
}

/* The other account on the computer lost nothing. */
static void
assert_alina_intact (Fixture *fixture)
{
  g_autoptr(SottoClient) alina = NULL;
  g_autoptr(GError) error = try_login (fixture, "alina", &alina);
  SottoRoom *room;

  g_assert_no_error (error);
  room = sotto_client_lookup_room (alina, "lobby");
  g_assert_nonnull (room);
  sotto_test_user_wait_for_text (room, "alice", "from alice");
  sotto_test_user_wait_for_text (room, "alina", "from alina");
  sotto_client_close (alina);
}

/* Alice's database file is damaged (a disk error wrote over part of it):
 * logging in fails with a sentence that says so, the file is left as it
 * is for whoever wants to rescue it, nothing crashes, and the other
 * account on the same computer loses nothing. */
static void
test_damaged_client_database (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autofree char *path = NULL;
  g_autoptr(GBytes) damaged = NULL;
  g_autoptr(GBytes) after = NULL;
  g_autoptr(GError) error = NULL;
  guint8 *contents;
  gsize size;

  fixture_start (fixture, NULL, NULL);
  make_two_accounts (fixture);

  path = sotto_test_user_store_path (fixture->dir, fixture->address, "alice", "alice");
  damaged = read_file_bytes (path);
  size = g_bytes_get_size (damaged);
  contents = g_memdup2 (g_bytes_get_data (damaged, NULL), size);
  g_assert_cmpuint (size, >, 4096);
  /* Page 1 after its header: the schema. */
  memset (contents + 100, 0xee, 4096 - 100);
  g_clear_pointer (&damaged, g_bytes_unref);
  damaged = g_bytes_new_take (contents, size);
  g_assert_true (g_file_set_contents (path, g_bytes_get_data (damaged, NULL), size, NULL));

  error = try_login (fixture, "alice", NULL);
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_true (g_error_matches (error, SOTTO_CLIENT_STORE_ERROR,
                                  SOTTO_CLIENT_STORE_ERROR_CORRUPT) ||
                 g_error_matches (error, SOTTO_CLIENT_STORE_ERROR,
                                  SOTTO_CLIENT_STORE_ERROR_OPEN));
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_assert_nonnull (strstr (error->message, path));

  after = read_file_bytes (path);
  g_assert_true (g_bytes_equal (damaged, after));

  assert_alina_intact (fixture);
}

/* Alice's sealed identity is damaged in her database: logging in fails
 * with a sentence that says so, the identity is not replaced by a new
 * one (the contacts would see a key change), and nothing else in the
 * file is lost: with the identity repaired, the history is all there. */
static void
test_damaged_identity (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree char *path = NULL;
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SottoClient) alice = NULL;
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  guint8 *flipped;
  gsize size;

  fixture_start (fixture, NULL, NULL);
  make_two_accounts (fixture);

  path = sotto_test_user_store_path (fixture->dir, fixture->address, "alice", "alice");
  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT sealed FROM identity", -1, &stmt, NULL), ==,
                   SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  sealed = g_bytes_new (sqlite3_column_blob (stmt, 0), sqlite3_column_bytes (stmt, 0));
  sqlite3_finalize (stmt);

  size = g_bytes_get_size (sealed);
  flipped = g_memdup2 (g_bytes_get_data (sealed, NULL), size);
  flipped[size - 10] ^= 0x01;
  g_assert_cmpint (sqlite3_prepare_v2 (db, "UPDATE identity SET sealed = ?1", -1, &stmt, NULL),
                   ==, SQLITE_OK);
  sqlite3_bind_blob (stmt, 1, flipped, size, g_free);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);

  error = try_login (fixture, "alice", NULL);
  g_assert_error (error, SOTTO_CLIENT_STORE_ERROR, SOTTO_CLIENT_STORE_ERROR_CORRUPT);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "identity"));
  g_clear_error (&error);

  /* The damaged identity is still there, not replaced. */
  {
    g_autoptr(SottoClientStore) store = sotto_test_user_open_store (path, PASSWORD);
    g_autoptr(SottoIdentity) identity = sotto_client_store_load_identity (store, &error);
    g_autoptr(GPtrArray) history = NULL;

    g_assert_null (identity);
    g_assert_error (error, SOTTO_CLIENT_STORE_ERROR, SOTTO_CLIENT_STORE_ERROR_CORRUPT);
    g_clear_error (&error);
    history = sotto_client_store_load_history (store, "lobby", 0, 100, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (history->len, >=, 2);
  }

  /* Repaired, Alice is back with everything. */
  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "UPDATE identity SET sealed = ?1", -1, &stmt, NULL),
                   ==, SQLITE_OK);
  sqlite3_bind_blob (stmt, 1, g_bytes_get_data (sealed, NULL), size, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);

  error = try_login (fixture, "alice", &alice);
  g_assert_no_error (error);
  sotto_test_user_wait_for_text (sotto_client_lookup_room (alice, "lobby"), "alina",
                                 "from alina");
  sotto_client_close (alice);

  assert_alina_intact (fixture);
}

/* A private mount namespace, where the disk tests' mounts are seen by
 * this process and its servers only, and vanish with them. Must run
 * before any thread starts. */
static gboolean
enter_mount_namespace (void)
{
  if (geteuid () != 0)
    return FALSE;
  if (unshare (CLONE_NEWNS) != 0)
    return FALSE;
  return mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0;
}

int
main (int   argc,
      char *argv[])
{
  can_mount = enter_mount_namespace ();

  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (sodium_init (), >=, 0);

#define ADD(path, data, func) \
  g_test_add ("/sotto/faults/" path, Fixture, data, fixture_setup, func, fixture_teardown)
  ADD ("server-killed", NULL, test_server_killed);
  ADD ("cut/mid-frame", GINT_TO_POINTER (CUT_MID_FRAME), test_connection_cut);
  ADD ("cut/unsent", GINT_TO_POINTER (CUT_UNSENT), test_connection_cut);
  ADD ("cut/before-answer", GINT_TO_POINTER (CUT_BEFORE_ANSWER), test_connection_cut);
  ADD ("outbox/after-departure", NULL, test_outbox_after_departure);
  ADD ("disk-full", NULL, test_disk_full);
  ADD ("disk-full-upload", NULL, test_disk_full_upload);
  ADD ("read-only-data-dir", NULL, test_read_only_data_dir);
  ADD ("damaged-client-database", NULL, test_damaged_client_database);
  ADD ("damaged-identity", NULL, test_damaged_identity);
#undef ADD

  return g_test_run ();
}
