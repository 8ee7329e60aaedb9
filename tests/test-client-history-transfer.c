/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <sodium.h>
#include <string.h>

#include "sotto-client.h"
#include "sotto-client-store.h"
#include "sotto-e2e.h"
#include "sotto-test-server.h"
#include "sotto-test-users.h"
#include "sotto-test-util.h"

/*
 * History on a new computer, with the client core and the real server
 * over loopback: alice's first computer approves her laptop and sends it
 * what it has read; the laptop, online or at its next login, reads what
 * was said before it was linked, in order, as alice's first computer
 * read it, and the server holds none of it readable.
 */

#define PASSWORD "correct horse battery"
#define N_EACH 12
/* What alice's first computer read: #team and #notes. */
#define TOTAL (2 * N_EACH + 1)

typedef struct
{
  SottoTestServer *server;
  char            *dir;
  char            *address;
  SottoClient     *alice;
  SottoClient     *bob;
} Fixture;

/* alice and bob in #team, each having said N_EACH things, and alice
 * alone with one thing said in #notes. A computer linked now gets the
 * sender keys as they are now, which open nothing said before: that, it
 * reads only from the history it is sent. */
static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  SottoRoom *alice_team;
  SottoRoom *bob_team;
  SottoRoom *notes;

  fixture->server = sotto_test_server_start (NULL, NULL);
  fixture->dir = sotto_test_make_data_dir ();
  fixture->address = g_strdup_printf ("127.0.0.1:%u", sotto_test_server_get_port (fixture->server));
  fixture->alice = sotto_test_user_new (fixture->dir, fixture->address, "alice", PASSWORD);
  fixture->bob = sotto_test_user_new (fixture->dir, fixture->address, "bob", PASSWORD);

  alice_team = sotto_test_user_join (fixture->alice, "team");
  bob_team = sotto_test_user_join (fixture->bob, "team");
  sotto_test_user_wait_members (alice_team, 2);
  for (guint i = 0; i < N_EACH; i++)
    {
      g_autofree char *from_alice = g_strdup_printf ("alice-before-%u", i);
      g_autofree char *from_bob = g_strdup_printf ("bob-before-%u", i);

      sotto_test_user_wait_sent (sotto_test_user_say (fixture->alice, alice_team, from_alice));
      sotto_test_user_wait_sent (sotto_test_user_say (fixture->bob, bob_team, from_bob));
    }
  sotto_test_user_wait_for_text (alice_team, "bob", "bob-before-11");

  notes = sotto_test_user_join (fixture->alice, "notes");
  sotto_test_user_wait_sent (sotto_test_user_say (fixture->alice, notes, "note-to-self"));
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  if (fixture->alice != NULL)
    sotto_client_close (fixture->alice);
  if (fixture->bob != NULL)
    sotto_client_close (fixture->bob);
  g_clear_object (&fixture->alice);
  g_clear_object (&fixture->bob);
  if (sotto_test_server_is_running (fixture->server))
    sotto_test_server_stop (fixture->server);
  g_clear_pointer (&fixture->server, sotto_test_server_free);
  sotto_test_remove_dir (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->address);
}

typedef struct
{
  gboolean  sending;
  guint     calls;
  guint     done;
  guint     total;
  char     *device;
} Progress;

static void
progress_cb (SottoClient *client,
             const char  *device,
             gboolean     sending,
             guint        done,
             guint        total,
             gpointer     user_data)
{
  Progress *progress = user_data;

  g_assert_cmpint (sending, ==, progress->sending);
  g_assert_cmpuint (done, <=, total);
  g_assert_cmpuint (done, >=, progress->done);
  progress->calls++;
  progress->done = done;
  progress->total = total;
  g_free (progress->device);
  progress->device = g_strdup (device);
}

static void
sent_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  gint64 *sent = user_data;
  g_autoptr(GError) error = NULL;

  *sent = sotto_client_send_history_finish (SOTTO_CLIENT (object), result, &error);
  g_assert_no_error (error);
}

/* Sends @to the history of @from; returns how many messages went. */
static gint64
send_history (SottoClient  *from,
              const guint8 *to,
              Progress     *progress)
{
  gint64 sent = -1;
  gulong id = g_signal_connect (from, "history-progress", G_CALLBACK (progress_cb), progress);
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  sotto_client_send_history_async (from, to, NULL, sent_cb, &sent);
  while (sent < 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  g_signal_handler_disconnect (from, id);
  return sent;
}

static gboolean
wake_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

static void
wait_received (Progress *progress,
               guint     total)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  guint wake = g_timeout_add (100, wake_cb, NULL);

  while (progress->done < total)
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("Waited 30 s for the history: %u of %u", progress->done, total);
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (wake);
}

/* What the laptop's store holds of @room once its client is closed:
 * every message must be readable, in the server's order. */
static GPtrArray *
laptop_history (Fixture    *fixture,
                const char *room)
{
  g_autofree char *path = sotto_test_user_store_path (fixture->dir, fixture->address, "laptop",
                                                      "alice");
  g_autoptr(SottoClientStore) store = sotto_test_user_open_store (path, PASSWORD);
  g_autoptr(GError) error = NULL;
  GPtrArray *rows = sotto_client_store_load_history (store, room, 0, 0, &error);

  g_assert_no_error (error);
  return rows;
}

static void
assert_team_history (GPtrArray *rows)
{
  guint alice_seen = 0, bob_seen = 0;
  gint64 last_seq = 0;

  for (guint i = 0; i < rows->len; i++)
    {
      const SottoStoredMessage *row = g_ptr_array_index (rows, i);
      g_autofree char *text = NULL;
      g_autofree char *want = NULL;

      if (row->state == SOTTO_STORED_MESSAGE_SYSTEM)
        continue;
      g_assert_cmpint (row->seq, >, last_seq);
      last_seq = row->seq;
      text = g_strndup (g_bytes_get_data (row->body, NULL), g_bytes_get_size (row->body));
      if (g_str_equal (row->sender, "alice"))
        {
          g_assert_cmpint (row->state, ==, SOTTO_STORED_MESSAGE_SENT);
          want = g_strdup_printf ("alice-before-%u", alice_seen++);
        }
      else
        {
          g_assert_cmpstr (row->sender, ==, "bob");
          g_assert_cmpint (row->state, ==, SOTTO_STORED_MESSAGE_RECEIVED);
          want = g_strdup_printf ("bob-before-%u", bob_seen++);
        }
      g_assert_cmpstr (text, ==, want);
      g_assert_cmpuint (row->counter, >, 0);
      g_assert_cmpint (row->sent_at, >, 0);
    }
  g_assert_cmpuint (alice_seen, ==, N_EACH);
  g_assert_cmpuint (bob_seen, ==, N_EACH);
}

/* No file of the server holds what was said. */
static void
assert_server_reads_nothing (Fixture *fixture)
{
  const char *dir = sotto_test_server_get_data_dir (fixture->server);

  g_assert_false (sotto_test_tree_contains (dir, (const guint8 *) "-before-", 8));
  g_assert_false (sotto_test_tree_contains (dir, (const guint8 *) "note-to-self", 12));
}

/* The laptop, online as it is linked, gets the history at once: its rooms
 * show what was said before, readable, as the first computer read it. */
static void
test_online (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(SottoClient) laptop = NULL;
  Progress sending = { .sending = TRUE };
  Progress receiving = { .sending = FALSE };
  g_autoptr(GPtrArray) team = NULL;
  g_autoptr(GPtrArray) notes = NULL;
  SottoRoom *room;
  gint64 sent;

  laptop = sotto_test_user_link (fixture->dir, fixture->address, fixture->alice, "laptop",
                                 "alice", PASSWORD);
  g_signal_connect (laptop, "history-progress", G_CALLBACK (progress_cb), &receiving);

  /* Before: nothing said before it was linked reads. */
  room = sotto_client_lookup_room (laptop, "team");
  g_assert_nonnull (room);
  sotto_test_iterate (300);
  g_assert_cmpuint (sotto_test_room_count_text (room, "bob", "bob-before-0"), ==, 0);
  g_assert_cmpuint (sotto_test_room_count_text (room, "alice", "alice-before-0"), ==, 0);

  sent = send_history (fixture->alice, sotto_client_get_device_identity (laptop)->sign_pk,
                       &sending);
  g_assert_cmpint (sent, ==, TOTAL);
  g_assert_cmpuint (sending.done, ==, TOTAL);
  g_assert_cmpuint (sending.total, ==, TOTAL);
  g_assert_nonnull (sending.device);

  wait_received (&receiving, TOTAL);
  g_assert_cmpuint (receiving.total, ==, TOTAL);
  g_assert_nonnull (receiving.device);

  /* Shown in the rooms the laptop has open. */
  g_assert_nonnull (sotto_test_user_wait_for_text (room, "bob", "bob-before-0"));
  g_assert_nonnull (sotto_test_user_wait_for_text (room, "alice", "alice-before-11"));
  g_assert_cmpuint (sotto_test_room_count_text (room, "bob", "bob-before-3"), ==, 1);

  sotto_test_iterate (100);
  sotto_client_close (laptop);
  g_clear_object (&laptop);

  team = laptop_history (fixture, "team");
  assert_team_history (team);
  notes = laptop_history (fixture, "notes");
  g_assert_cmpuint (notes->len, >=, 1);
  assert_server_reads_nothing (fixture);
  g_free (sending.device);
  g_free (receiving.device);
}

/* The laptop, closed when the history is sent, gets it at its next login
 * from the server's queue, once: a login after that brings nothing more
 * and changes nothing. */
static void
test_later (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(SottoClient) laptop = NULL;
  Progress sending = { .sending = TRUE };
  Progress receiving = { .sending = FALSE };
  Progress again = { .sending = FALSE };
  g_autoptr(GPtrArray) team = NULL;
  g_autoptr(GError) error = NULL;
  guint8 device[32];
  gint64 sent;

  laptop = sotto_test_user_link (fixture->dir, fixture->address, fixture->alice, "laptop",
                                 "alice", PASSWORD);
  memcpy (device, sotto_client_get_device_identity (laptop)->sign_pk, sizeof device);
  sotto_client_close (laptop);
  g_clear_object (&laptop);

  sent = send_history (fixture->alice, device, &sending);
  g_assert_cmpint (sent, ==, TOTAL);

  laptop = sotto_test_user_open (fixture->dir, fixture->address, "laptop");
  g_signal_connect (laptop, "history-progress", G_CALLBACK (progress_cb), &receiving);
  sotto_test_user_account (laptop, FALSE, "alice", PASSWORD, &error);
  g_assert_no_error (error);
  wait_received (&receiving, TOTAL);
  sotto_test_iterate (200);
  sotto_client_close (laptop);
  g_clear_object (&laptop);

  laptop = sotto_test_user_open (fixture->dir, fixture->address, "laptop");
  g_signal_connect (laptop, "history-progress", G_CALLBACK (progress_cb), &again);
  sotto_test_user_account (laptop, FALSE, "alice", PASSWORD, &error);
  g_assert_no_error (error);
  sotto_test_iterate (300);
  g_assert_cmpuint (again.calls, ==, 0);
  sotto_client_close (laptop);
  g_clear_object (&laptop);

  team = laptop_history (fixture, "team");
  assert_team_history (team);
  g_free (sending.device);
  g_free (receiving.device);
}

static void
result_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* Only to another device on the account's list: not to one it does not
 * list, nor to this one. */
static gboolean
transfer_finished (gpointer data)
{
  return sotto_transfer_is_finished (data);
}

static SottoMessage *
find_file_message (SottoRoom  *room,
                   const char *name)
{
  GListModel *messages = sotto_room_get_messages (room);

  for (guint i = 0; i < g_list_model_get_n_items (messages); i++)
    {
      g_autoptr(SottoMessage) message = g_list_model_get_item (messages, i);

      if (sotto_message_get_file (message) != NULL &&
          g_strcmp0 (sotto_message_get_file (message)->name, name) == 0)
        return message;
    }
  return NULL;
}

static gboolean
file_message_shown (gpointer data)
{
  return find_file_message (data, "plan.txt") != NULL;
}

/* A file bob sent before the laptop was linked comes with the history as
 * a file message, with what opens the file: the laptop fetches it, and it
 * is bob's file. */
static void
test_files (Fixture       *fixture,
            gconstpointer  data)
{
  static const char plan[] = "Step one: pack. Step two: go.\n";
  g_autofree char *path = g_build_filename (fixture->dir, "plan.txt", NULL);
  g_autofree char *saved_path = g_build_filename (fixture->dir, "plan-on-laptop.txt", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFile) saved = g_file_new_for_path (saved_path);
  g_autoptr(SottoTransfer) upload = NULL;
  g_autoptr(SottoTransfer) download = NULL;
  g_autoptr(SottoClient) laptop = NULL;
  g_autofree char *saved_data = NULL;
  Progress sending = { .sending = TRUE };
  Progress receiving = { .sending = FALSE };
  SottoRoom *bob_team = sotto_client_lookup_room (fixture->bob, "team");
  SottoRoom *alice_team = sotto_client_lookup_room (fixture->alice, "team");
  SottoRoom *room;
  SottoMessage *message;
  gint64 sent;

  g_assert_true (g_file_set_contents (path, plan, -1, NULL));
  upload = sotto_client_send_file (fixture->bob, bob_team, file);
  g_assert_true (sotto_test_wait_until (transfer_finished, upload, 30));
  g_assert_cmpint (sotto_transfer_get_state (upload), ==, SOTTO_TRANSFER_DONE);
  g_assert_true (sotto_test_wait_until (file_message_shown, alice_team, 30));

  laptop = sotto_test_user_link (fixture->dir, fixture->address, fixture->alice, "laptop",
                                 "alice", PASSWORD);
  g_signal_connect (laptop, "history-progress", G_CALLBACK (progress_cb), &receiving);
  room = sotto_client_lookup_room (laptop, "team");
  sotto_test_iterate (300);
  g_assert_null (find_file_message (room, "plan.txt"));

  sent = send_history (fixture->alice, sotto_client_get_device_identity (laptop)->sign_pk,
                       &sending);
  g_assert_cmpint (sent, ==, TOTAL + 1);
  wait_received (&receiving, TOTAL + 1);

  g_assert_true (sotto_test_wait_until (file_message_shown, room, 30));
  message = find_file_message (room, "plan.txt");
  g_assert_cmpuint (sotto_message_get_file (message)->size, ==, strlen (plan));
  download = sotto_client_fetch_file (laptop, message, saved);
  g_assert_true (sotto_test_wait_until (transfer_finished, download, 30));
  g_assert_cmpint (sotto_transfer_get_state (download), ==, SOTTO_TRANSFER_DONE);
  g_assert_true (g_file_get_contents (saved_path, &saved_data, NULL, NULL));
  g_assert_cmpstr (saved_data, ==, plan);

  sotto_client_close (laptop);
  g_free (sending.device);
  g_free (receiving.device);
}

static gboolean
laptop_sees_actions (gpointer data)
{
  SottoRoom *room = data;
  SottoMessage *edited = sotto_test_room_find_text (room, "alice", "Meet at the station, 9:15");
  g_auto(GStrv) reactions = NULL;

  if (edited == NULL || !sotto_message_is_edited (edited))
    return FALSE;
  reactions = sotto_message_dup_reactions (edited);
  return g_strv_length (reactions) == 1 && g_str_equal (reactions[0], "👍") &&
         sotto_test_room_count_text (room, "alice", "Bring the tickets") == 0;
}

/* What was edited, deleted or reacted to before the link shows so on
 * the new computer: the edits, deletions and reactions come with the
 * history. */
static void
test_actions (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(SottoClient) laptop = NULL;
  g_autoptr(GError) error = NULL;
  Progress sending = { .sending = TRUE };
  Progress receiving = { .sending = FALSE };
  SottoRoom *alice_team = sotto_client_lookup_room (fixture->alice, "team");
  SottoRoom *bob_team = sotto_client_lookup_room (fixture->bob, "team");
  SottoMessage *meet = sotto_test_user_say (fixture->alice, alice_team, "Meet at the station");
  SottoMessage *tickets = sotto_test_user_say (fixture->alice, alice_team, "Bring the tickets");
  SottoMessage *seen;
  SottoRoom *room;
  gint64 sent;

  sotto_test_user_wait_sent (tickets);
  g_assert_nonnull (sotto_client_edit_message (fixture->alice, alice_team, meet,
                                               "Meet at the station, 9:15", &error));
  g_assert_nonnull (sotto_client_delete_message (fixture->alice, alice_team, tickets, &error));
  g_assert_no_error (error);
  seen = sotto_test_user_wait_for_text (bob_team, "alice", "Meet at the station, 9:15");
  g_assert_nonnull (sotto_client_react (fixture->bob, bob_team, seen, "👍", TRUE, &error));
  g_assert_no_error (error);
  g_assert_true (sotto_test_wait_until (laptop_sees_actions, alice_team, 30));

  laptop = sotto_test_user_link (fixture->dir, fixture->address, fixture->alice, "laptop",
                                 "alice", PASSWORD);
  g_signal_connect (laptop, "history-progress", G_CALLBACK (progress_cb), &receiving);
  room = sotto_client_lookup_room (laptop, "team");
  sotto_test_iterate (300);
  g_assert_false (laptop_sees_actions (room));

  sent = send_history (fixture->alice, sotto_client_get_device_identity (laptop)->sign_pk,
                       &sending);
  g_assert_cmpint (sent, >, TOTAL);
  wait_received (&receiving, (guint32) sent);
  g_assert_true (sotto_test_wait_until (laptop_sees_actions, room, 30));

  sotto_client_close (laptop);
  g_free (sending.device);
  g_free (receiving.device);
}

static void
test_refused (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(SottoIdentity) stranger = sotto_identity_new ();

  for (guint i = 0; i < 2; i++)
    {
      const guint8 *device = i == 0 ? sotto_identity_get_public (stranger)->sign_pk
                                    : sotto_client_get_device_identity (fixture->alice)->sign_pk;
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) error = NULL;

      sotto_client_send_history_async (fixture->alice, device, NULL, result_cb, &result);
      while (result == NULL)
        g_main_context_iteration (NULL, TRUE);
      g_assert_cmpint (sotto_client_send_history_finish (fixture->alice, result, &error), ==, -1);
      g_assert_true (sotto_client_error_is_server (error, SOTTO_MSG_ERROR_CODE_NO_SUCH_DEVICE));
    }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (sodium_init (), >=, 0);

#define ADD(path, func) \
  g_test_add ("/sotto/client/history-transfer/" path, Fixture, NULL, fixture_setup, func, \
              fixture_teardown)
  ADD ("online", test_online);
  ADD ("later", test_later);
  ADD ("refused", test_refused);
  ADD ("files", test_files);
  ADD ("actions", test_actions);
#undef ADD

  return g_test_run ();
}
