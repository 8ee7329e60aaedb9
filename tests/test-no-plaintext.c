/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <signal.h>
#include <sodium.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/prctl.h>

#include <gdk-pixbuf/gdk-pixbuf.h>

#include "sotto-client.h"
#include "sotto-e2e.h"
#include "sotto-password-seal.h"
#include "sotto-test-server.h"
#include "sotto-test-users.h"
#include "sotto-test-util.h"

/*
 * What was said stays between the people in the room: not on the wire
 * (a capture of the loopback traffic of a whole conversation), not on the
 * server's disk, not in the clear on the clients' disks, and not for
 * someone removed from the room or who joined later, even holding every
 * key they were ever given and every envelope the server stored.
 */

/* In the sealed identity (sotto-identity.c): version, box secret key,
 * signing secret key (its first half the seed). */
#define SEALED_BOX_SK_OFFSET 1
#define SEALED_SIGN_SEED_OFFSET (1 + 32)
/* In an exported sender key (sotto-sender-key.c): version, key id, index,
 * chain key. */
#define EXPORT_CHAIN_OFFSET 9

typedef struct
{
  SottoTestServer *server;
  char            *dir;
  char            *address;
  char            *password;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  fixture->server = sotto_test_server_start (NULL, NULL);
  fixture->dir = sotto_test_make_data_dir ();
  fixture->address = g_strdup_printf ("127.0.0.1:%u",
                                      sotto_test_server_get_port (fixture->server));
  fixture->password = g_strdup_printf ("pw-%08x-%08x", g_random_int (), g_random_int ());
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  if (sotto_test_server_is_running (fixture->server))
    sotto_test_server_stop (fixture->server);
  g_clear_pointer (&fixture->server, sotto_test_server_free);
  sotto_test_remove_dir (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->address);
  g_free (fixture->password);
}

/* A secret and its name, to say which one was found where. */
typedef struct
{
  char   *name;
  GBytes *bytes;
} Secret;

static void
secret_free (Secret *secret)
{
  g_free (secret->name);
  g_bytes_unref (secret->bytes);
  g_free (secret);
}

static void
add_secret (GPtrArray    *secrets,
            const char   *name,
            const guint8 *data,
            gsize         size)
{
  Secret *secret = g_new0 (Secret, 1);

  secret->name = g_strdup (name);
  secret->bytes = g_bytes_new (data, size);
  g_ptr_array_add (secrets, secret);
}

static void
add_text_secret (GPtrArray  *secrets,
                 const char *text)
{
  add_secret (secrets, text, (const guint8 *) text, strlen (text));
}

/* The secret keys of @user's identity and the chain key of the sender
 * key @user holds for @room, read from the store with the password. */
static void
add_key_secrets (Fixture    *fixture,
                 GPtrArray  *secrets,
                 const char *user,
                 const char *room)
{
  g_autofree char *path = sotto_test_user_store_path (fixture->dir, fixture->address, user, user);
  g_autoptr(SottoClientStore) store = sotto_test_user_open_store (path, fixture->password);
  g_autoptr(SottoIdentity) identity = NULL;
  g_autoptr(SottoSenderKey) key = NULL;
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(GBytes) secret = NULL;
  g_autoptr(GBytes) exported = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  const guint8 *data;
  gsize size;

  identity = sotto_client_store_load_identity (store, &error);
  g_assert_no_error (error);
  g_assert_nonnull (identity);
  sealed = sotto_identity_seal (identity, "test", SOTTO_PWHASH_OPSLIMIT_MIN,
                                SOTTO_PWHASH_MEMLIMIT_MIN, &error);
  g_assert_no_error (error);
  secret = sotto_password_unseal (sealed, "test", &error);
  g_assert_no_error (error);
  data = g_bytes_get_data (secret, &size);
  g_assert_cmpuint (size, >, SEALED_SIGN_SEED_OFFSET + 32);

  name = g_strdup_printf ("%s's identity box secret key", user);
  add_secret (secrets, name, data + SEALED_BOX_SK_OFFSET, 32);
  g_free (name);
  name = g_strdup_printf ("%s's identity signing seed", user);
  add_secret (secrets, name, data + SEALED_SIGN_SEED_OFFSET, 32);
  g_free (name);

  key = sotto_client_store_load_own_sender_key (store, room, user, &error);
  g_assert_no_error (error);
  g_assert_nonnull (key);
  exported = sotto_sender_key_export (key);
  data = g_bytes_get_data (exported, &size);
  g_assert_cmpuint (size, ==, EXPORT_CHAIN_OFFSET + 32);
  name = g_strdup_printf ("%s's chain key", user);
  add_secret (secrets, name, data + EXPORT_CHAIN_OFFSET, 32);
}

static void
assert_nowhere (GPtrArray  *secrets,
                const char *path,
                const char *what)
{
  for (guint i = 0; i < secrets->len; i++)
    {
      Secret *secret = g_ptr_array_index (secrets, i);
      gsize size;
      const guint8 *data = g_bytes_get_data (secret->bytes, &size);

      if (sotto_test_tree_contains (path, data, size))
        g_error ("%s holds %s", what, secret->name);
    }
}

/* Capturing loopback traffic */

typedef struct
{
  GSubprocess      *process;
  GDataInputStream *stderr_lines;
  char             *dir;
  char             *path;
} Capture;

static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static void
line_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  char **line = user_data;

  *line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object), result,
                                                     NULL, NULL);
  if (*line == NULL)
    *line = g_strdup ("");
}

static gboolean
line_ready (char **line)
{
  return *line != NULL;
}

/* Starts tcpdump on the loopback interface for TCP @port; %NULL if it
 * cannot run here (not installed, not allowed to capture). */
static Capture *
capture_start (guint16 port)
{
  g_autofree char *tcpdump = g_find_program_in_path ("tcpdump");
  g_autofree char *filter = g_strdup_printf ("tcp port %u", port);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  Capture *capture;

  if (tcpdump == NULL && g_file_test ("/usr/sbin/tcpdump", G_FILE_TEST_IS_EXECUTABLE))
    tcpdump = g_strdup ("/usr/sbin/tcpdump");
  if (tcpdump == NULL)
    return NULL;

  capture = g_new0 (Capture, 1);
  capture->dir = sotto_test_make_data_dir ();
  capture->path = g_build_filename (capture->dir, "conversation.pcap", NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  /* --immediate-mode and -U: each packet handed over and written as it
   * comes, none left in a buffer when it stops; -Z root: keep writing
   * where root can. */
  capture->process = g_subprocess_launcher_spawn (launcher, &error, tcpdump, "-i", "lo", "-n",
                                                  "--immediate-mode", "-U", "-s", "0",
                                                  "-Z", "root", "-w", capture->path, filter,
                                                  NULL);
  g_assert_no_error (error);
  capture->stderr_lines =
    g_data_input_stream_new (g_subprocess_get_stderr_pipe (capture->process));

  /* It says "listening on lo" once it captures, or why it cannot. */
  for (;;)
    {
      g_autofree char *line = NULL;

      g_data_input_stream_read_line_async (capture->stderr_lines, G_PRIORITY_DEFAULT, NULL,
                                           line_cb, &line);
      while (!line_ready (&line))
        g_main_context_iteration (NULL, TRUE);

      g_test_message ("tcpdump: %s", line);
      if (strstr (line, "listening on") != NULL)
        return capture;
      if (*line == '\0' || strstr (line, "ermission") != NULL ||
          strstr (line, "not permitted") != NULL)
        break;
    }

  g_subprocess_force_exit (capture->process);
  g_clear_object (&capture->stderr_lines);
  g_clear_object (&capture->process);
  sotto_test_remove_dir (capture->dir);
  g_free (capture->dir);
  g_free (capture->path);
  g_free (capture);
  return NULL;
}

static void
exited_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL);
  *(gboolean *) user_data = TRUE;
}

/* Stops the capture; the file is complete after this. */
static void
capture_stop (Capture *capture)
{
  gboolean exited = FALSE;

  g_subprocess_send_signal (capture->process, SIGINT);
  g_subprocess_wait_async (capture->process, NULL, exited_cb, &exited);
  sotto_test_wait_for (&exited);
}

static void
capture_free (Capture *capture)
{
  g_clear_object (&capture->stderr_lines);
  g_clear_object (&capture->process);
  sotto_test_remove_dir (capture->dir);
  g_free (capture->dir);
  g_free (capture->path);
  g_free (capture);
}

/* Alice and Bob register, talk and leave again, while the loopback
 * traffic to the server is captured. Neither what they said, nor the
 * password, nor any secret key is in the capture, in the server's data
 * directory or in the clear in the clients' files. The capture is real:
 * it holds the server's public key, which goes in the clear in the
 * handshake. */
static void
test_conversation (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GPtrArray) secrets = g_ptr_array_new_with_free_func ((GDestroyNotify) secret_free);
  g_autofree char *key_path = NULL;
  g_autoptr(SottoServerKey) server_key = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SottoClient) alice = NULL;
  g_autoptr(SottoClient) bob = NULL;
  SottoRoom *alice_room;
  SottoRoom *bob_room;
  Capture *capture;

  capture = capture_start (sotto_test_server_get_port (fixture->server));
  if (capture == NULL)
    {
      g_test_skip ("tcpdump is missing or may not capture here");
      return;
    }

  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *text = g_strdup_printf ("words-%u-%08x%08x", i, g_random_int (),
                                               g_random_int ());

      add_text_secret (secrets, text);
    }
  add_text_secret (secrets, fixture->password);

  alice = sotto_test_user_new (fixture->dir, fixture->address, "alice", fixture->password);
  bob = sotto_test_user_new (fixture->dir, fixture->address, "bob", fixture->password);
  alice_room = sotto_test_user_join (alice, "lobby");
  bob_room = sotto_test_user_join (bob, "lobby");
  sotto_test_user_wait_members (alice_room, 2);
  for (guint i = 0; i < 4; i++)
    {
      Secret *text = g_ptr_array_index (secrets, i);
      const char *said = g_bytes_get_data (text->bytes, NULL);
      gboolean from_alice = i % 2 == 0;
      g_autofree char *copy = g_strndup (said, g_bytes_get_size (text->bytes));

      sotto_test_user_wait_sent (sotto_test_user_say (from_alice ? alice : bob,
                                                      from_alice ? alice_room : bob_room,
                                                      copy));
      sotto_test_user_wait_for_text (from_alice ? bob_room : alice_room,
                                     from_alice ? "alice" : "bob", copy);
    }

  /* A new login too: the password (or what stands for it) crosses again. */
  sotto_client_close (bob);
  g_clear_object (&bob);
  bob = sotto_test_user_open (fixture->dir, fixture->address, "bob");
  sotto_test_user_account (bob, FALSE, "bob", fixture->password, &error);
  g_assert_no_error (error);

  sotto_client_close (alice);
  sotto_client_close (bob);
  sotto_test_iterate (200);
  capture_stop (capture);

  add_key_secrets (fixture, secrets, "alice", "lobby");
  add_key_secrets (fixture, secrets, "bob", "lobby");

  key_path = g_build_filename (sotto_test_server_get_data_dir (fixture->server), "server.key",
                               NULL);
  server_key = sotto_server_key_load_or_create (key_path, &error);
  g_assert_no_error (error);
  g_assert_true (sotto_test_file_contains (capture->path,
                                           sotto_server_key_get_public (server_key),
                                           SOTTO_SERVER_KEY_PUBLIC_SIZE));

  assert_nowhere (secrets, capture->path, "the capture of the conversation");
  sotto_test_server_stop (fixture->server);
  assert_nowhere (secrets, sotto_test_server_get_data_dir (fixture->server),
                  "the server's data directory");
  assert_nowhere (secrets, fixture->dir, "the clients' data directories");

  capture_free (capture);
}

static gboolean
transfer_finished (gpointer data)
{
  return sotto_transfer_is_finished (data);
}

static void
wait_transfer (SottoTransfer *transfer)
{
  g_assert_true (sotto_test_wait_until (transfer_finished, transfer, 60));
  if (sotto_transfer_get_state (transfer) != SOTTO_TRANSFER_DONE)
    g_error ("The transfer of %s ended: %s", sotto_transfer_get_name (transfer),
             sotto_transfer_get_error (transfer));
}

/* A picture, stripes of random colours: it does not compress, so its
 * bytes are in the file as they are drawn. */
static GBytes *
random_png (void)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 300, 200);
  g_autoptr(GError) error = NULL;
  char *buffer = NULL;
  gsize size = 0;

  for (int y = 0; y < 200; y++)
    randombytes_buf (gdk_pixbuf_get_pixels (pixbuf) + y * gdk_pixbuf_get_rowstride (pixbuf),
                     300 * 3);
  g_assert_true (gdk_pixbuf_save_to_buffer (pixbuf, &buffer, &size, "png", &error, NULL));
  g_assert_no_error (error);
  return g_bytes_new_take (buffer, size);
}

/* Alice sends a picture and a document; bob fetches both. Their bytes,
 * their names, the picture's thumbnail and the files' keys are nowhere
 * in the capture, nor in the server's data directory (which holds the
 * blobs), nor in the clients' (which hold the sealed copies). */
static void
test_files (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(GPtrArray) secrets = g_ptr_array_new_with_free_func ((GDestroyNotify) secret_free);
  g_autoptr(GBytes) png = random_png ();
  g_autofree char *document = g_strdup_printf ("Minutes %08x%08x: nothing to report.\n",
                                               g_random_int (), g_random_int ());
  g_autofree char *picture_name = g_strdup_printf ("holiday-%08x.png", g_random_int ());
  g_autofree char *document_name = g_strdup_printf ("minutes-%08x.txt", g_random_int ());
  g_autofree char *outside = sotto_test_make_data_dir ();
  g_autoptr(SottoClient) alice = NULL;
  g_autoptr(SottoClient) bob = NULL;
  const char *names[2] = { picture_name, document_name };
  SottoRoom *alice_room;
  SottoRoom *bob_room;
  Capture *capture;
  gsize png_size;
  const guint8 *png_data = g_bytes_get_data (png, &png_size);

  capture = capture_start (sotto_test_server_get_port (fixture->server));
  if (capture == NULL)
    {
      g_test_skip ("tcpdump is missing or may not capture here");
      sotto_test_remove_dir (outside);
      return;
    }

  /* The picture's pixels, in three places of its file */
  add_secret (secrets, "the picture's first bytes of pixels", png_data + 100, 48);
  add_secret (secrets, "the picture's middle", png_data + png_size / 2, 48);
  add_secret (secrets, "the picture's end", png_data + png_size - 80, 48);
  add_text_secret (secrets, document);
  add_text_secret (secrets, picture_name);
  add_text_secret (secrets, document_name);

  alice = sotto_test_user_new (fixture->dir, fixture->address, "alice", fixture->password);
  bob = sotto_test_user_new (fixture->dir, fixture->address, "bob", fixture->password);
  alice_room = sotto_test_user_join (alice, "lobby");
  bob_room = sotto_test_user_join (bob, "lobby");
  sotto_test_user_wait_members (alice_room, 2);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (outside, names[i], NULL);
      g_autofree char *saved_path = g_strdup_printf ("%s.saved", path);
      g_autoptr(GFile) file = g_file_new_for_path (path);
      g_autoptr(GFile) saved = g_file_new_for_path (saved_path);
      g_autoptr(SottoTransfer) upload = NULL;
      g_autoptr(SottoTransfer) download = NULL;
      const SottoFileMessage *sent;
      SottoMessage *message;

      if (i == 0)
        g_assert_true (g_file_set_contents (path, (const char *) png_data, (gssize) png_size,
                                            NULL));
      else
        g_assert_true (g_file_set_contents (path, document, -1, NULL));

      upload = sotto_client_send_file (alice, alice_room, file);
      wait_transfer (upload);
      sent = sotto_message_get_file (sotto_transfer_get_message (upload));
      add_secret (secrets, "a file's key", sent->key, sizeof sent->key);
      if (sent->thumbnail != NULL)
        {
          gsize size;
          const guint8 *thumbnail = g_bytes_get_data (sent->thumbnail, &size);

          add_secret (secrets, "the picture's thumbnail", thumbnail + size / 2,
                      MIN (size / 2, 48));
        }

      message = sotto_test_user_wait_for_text (bob_room, "alice", names[i]);
      download = sotto_client_fetch_file (bob, message, saved);
      wait_transfer (download);
    }
  g_assert_nonnull (sotto_message_get_file (sotto_test_user_wait_for_text (bob_room, "alice",
                                                                           picture_name))
                      ->thumbnail);

  sotto_client_close (alice);
  sotto_client_close (bob);
  sotto_test_iterate (200);
  capture_stop (capture);

  /* The test's own copies are outside of every directory looked at. */
  assert_nowhere (secrets, capture->path, "the capture of the file transfers");
  sotto_test_server_stop (fixture->server);
  assert_nowhere (secrets, sotto_test_server_get_data_dir (fixture->server),
                  "the server's data directory");
  assert_nowhere (secrets, fixture->dir, "the clients' data directories");

  capture_free (capture);
  sotto_test_remove_dir (outside);
}

/* Envelopes as the server stored them */

typedef struct
{
  gint64  seq;
  char   *sender;
  GBytes *envelope;
} Stored;

static void
stored_free (Stored *stored)
{
  g_free (stored->sender);
  g_bytes_unref (stored->envelope);
  g_free (stored);
}

/* Every envelope of @room in the server's log, read with it stopped: what
 * a member who kept everything could ever be handed. */
static GPtrArray *
server_envelopes (const char *data_dir,
                  const char *room)
{
  g_autofree char *path = g_build_filename (data_dir, "sotto.db", NULL);
  GPtrArray *envelopes = g_ptr_array_new_with_free_func ((GDestroyNotify) stored_free);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "SELECT body FROM room_log JOIN rooms"
                                       " ON rooms.id = room_log.room_id"
                                       " WHERE rooms.name = ?1 AND msg_id IS NOT NULL"
                                       " ORDER BY seq",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, room, -1, SQLITE_STATIC);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_autoptr(GBytes) body = g_bytes_new (sqlite3_column_blob (stmt, 0),
                                            sqlite3_column_bytes (stmt, 0));
      g_autoptr(GError) error = NULL;
      g_autoptr(SottoMsg) msg = sotto_msg_parse_bytes (body, SOTTO_MSG_FROM_SERVER, &error);
      Stored *stored = g_new0 (Stored, 1);

      g_assert_no_error (error);
      g_assert_cmpint (sotto_msg_get_msg_type (msg), ==, SOTTO_MSG_TYPE_MESSAGE);
      stored->seq = sotto_msg_get_int (msg, "seq");
      stored->sender = g_strdup (sotto_msg_get_string (msg, "sender"));
      stored->envelope = sotto_msg_dup_bytes (msg, "envelope");
      g_assert_nonnull (stored->envelope);
      g_ptr_array_add (envelopes, stored);
    }
  sqlite3_finalize (stmt);
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);

  return envelopes;
}

typedef struct
{
  char    *owner;
  guint32  key_id;
} HeldKey;

static void
held_key_free (HeldKey *key)
{
  g_free (key->owner);
  g_free (key);
}

/* Which sender keys of @room the store at @path holds: owners and key
 * ids are in the clear. */
static GPtrArray *
held_keys (const char *path,
           const char *room)
{
  GPtrArray *keys = g_ptr_array_new_with_free_func ((GDestroyNotify) held_key_free);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT owner, key_id FROM sender_keys WHERE room = ?1",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, room, -1, SQLITE_STATIC);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      HeldKey *key = g_new0 (HeldKey, 1);

      key->owner = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      key->key_id = (guint32) sqlite3_column_int64 (stmt, 1);
      g_ptr_array_add (keys, key);
    }
  sqlite3_finalize (stmt);
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);

  return keys;
}

/* Tries every sender key in @store (listed in @keys) on @stored. Returns
 * the plaintext if one opens it. */
static GBytes *
open_with_any_key (SottoClientStore *store,
                   GPtrArray        *keys,
                   const char       *room,
                   Stored           *stored)
{
  SottoStoredContact contact = { 0 };
  g_autoptr(GError) error = NULL;

  /* The sender's identity as the holder of the keys knows it. */
  g_assert_true (sotto_client_store_get_contact (store, stored->sender, &contact, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < keys->len; i++)
    {
      HeldKey *held = g_ptr_array_index (keys, i);
      g_autoptr(SottoSenderKey) key = NULL;
      GBytes *plaintext;

      key = sotto_client_store_load_sender_key (store, room, held->owner, held->key_id, &error);
      g_assert_no_error (error);
      g_assert_nonnull (key);
      plaintext = sotto_envelope_open (stored->envelope, room, stored->sender, &contact.identity,
                                       key, &error);
      if (plaintext != NULL)
        return plaintext;
      g_assert_error (error, SOTTO_E2E_ERROR, error->code);
      g_clear_error (&error);
    }

  return NULL;
}

static gboolean
bytes_contain (GBytes     *bytes,
               const char *text)
{
  gsize size;
  const void *data = g_bytes_get_data (bytes, &size);

  return size >= strlen (text) && memmem (data, size, text, strlen (text)) != NULL;
}

/* Bob is removed from the room by the operator. He kept his client's
 * store, with every sender key he was ever given, and gets hold of every
 * envelope the server stored. He opens a message he had not read before
 * his removal (so his keys do work), and none sent after it. */
static void
test_removed_member (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(SottoClient) alice = NULL;
  g_autoptr(SottoClient) bob = NULL;
  g_autoptr(SottoClient) carol = NULL;
  g_autoptr(GPtrArray) envelopes = NULL;
  g_autoptr(GPtrArray) keys = NULL;
  g_autoptr(SottoClientStore) kept = NULL;
  g_autofree char *bob_path = NULL;
  g_autofree char *answer = NULL;
  SottoRoom *alice_room;
  SottoRoom *bob_room;
  SottoRoom *carol_room;
  SottoMessage *unread;
  gint64 unread_seq;
  gint64 removal_seq;
  guint after = 0;
  gboolean control_opened = FALSE;

  alice = sotto_test_user_new (fixture->dir, fixture->address, "alice", fixture->password);
  bob = sotto_test_user_new (fixture->dir, fixture->address, "bob", fixture->password);
  carol = sotto_test_user_new (fixture->dir, fixture->address, "carol", fixture->password);
  alice_room = sotto_test_user_join (alice, "club");
  bob_room = sotto_test_user_join (bob, "club");
  carol_room = sotto_test_user_join (carol, "club");
  sotto_test_user_wait_members (alice_room, 3);
  sotto_test_user_wait_members (carol_room, 3);
  sotto_test_user_wait_sent (sotto_test_user_say (alice, alice_room, "all three, from alice"));
  sotto_test_user_wait_sent (sotto_test_user_say (carol, carol_room, "all three, from carol"));
  sotto_test_user_wait_for_text (bob_room, "alice", "all three, from alice");
  sotto_test_user_wait_for_text (bob_room, "carol", "all three, from carol");

  /* Bob goes away; his store keeps what he had. */
  sotto_client_close (bob);
  g_clear_object (&bob);
  unread = sotto_test_user_say (alice, alice_room, "said while bob was away");
  sotto_test_user_wait_sent (unread);
  unread_seq = sotto_message_get_seq (unread);

  answer = sotto_test_server_command (fixture->server, "/kick bob club");
  g_assert_cmpstr (answer, ==, "bob was removed from club.");
  sotto_test_user_wait_members (alice_room, 2);
  sotto_test_user_wait_members (carol_room, 2);
  removal_seq = unread_seq + 1;

  sotto_test_user_wait_sent (sotto_test_user_say (alice, alice_room, "after bob, from alice"));
  sotto_test_user_wait_sent (sotto_test_user_say (carol, carol_room, "after bob, from carol"));
  sotto_test_user_wait_for_text (carol_room, "alice", "after bob, from alice");
  sotto_test_user_wait_for_text (alice_room, "carol", "after bob, from carol");

  sotto_client_close (alice);
  sotto_client_close (carol);
  sotto_test_server_stop (fixture->server);

  envelopes = server_envelopes (sotto_test_server_get_data_dir (fixture->server), "club");
  bob_path = sotto_test_user_store_path (fixture->dir, fixture->address, "bob", "bob");
  keys = held_keys (bob_path, "club");
  g_assert_cmpuint (keys->len, >=, 2);
  kept = sotto_test_user_open_store (bob_path, fixture->password);

  for (guint i = 0; i < envelopes->len; i++)
    {
      Stored *stored = g_ptr_array_index (envelopes, i);
      g_autoptr(GBytes) plaintext = NULL;

      if (stored->seq == unread_seq)
        {
          plaintext = open_with_any_key (kept, keys, "club", stored);
          g_assert_nonnull (plaintext);
          g_assert_true (bytes_contain (plaintext, "said while bob was away"));
          control_opened = TRUE;
        }
      else if (stored->seq > removal_seq)
        {
          plaintext = open_with_any_key (kept, keys, "club", stored);
          g_assert_null (plaintext);
          after++;
        }
    }
  g_assert_true (control_opened);
  g_assert_cmpuint (after, ==, 2);
}

typedef struct
{
  gboolean  done;
  GError   *error;
} Outcome;

static void
outcome_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Outcome *outcome = user_data;

  sotto_client_remove_device_finish (SOTTO_CLIENT (object), result, &outcome->error);
  outcome->done = TRUE;
}

/* Tries every sender key in @store (listed in @keys) on @stored, whose
 * sender signs with @signer. Returns the plaintext if one opens it. */
static GBytes *
open_with_held_keys (SottoClientStore          *store,
                     GPtrArray                 *keys,
                     const char                *room,
                     Stored                    *stored,
                     const SottoPublicIdentity *signer)
{
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < keys->len; i++)
    {
      HeldKey *held = g_ptr_array_index (keys, i);
      g_autoptr(SottoSenderKey) key = NULL;
      GBytes *plaintext;

      key = sotto_client_store_load_sender_key (store, room, held->owner, held->key_id, &error);
      g_assert_no_error (error);
      g_assert_nonnull (key);
      plaintext = sotto_envelope_open (stored->envelope, room, stored->sender, signer, key,
                                       &error);
      if (plaintext != NULL)
        return plaintext;
      g_clear_error (&error);
    }

  return NULL;
}

/* Alice's laptop, once removed from her account, reads nothing said
 * after: not with any key its store kept (Bob's and her desktop's), since
 * both make new keys its list no longer names. What was said before the
 * removal, while the laptop was away, the same keys open (the control). */
static void
test_removed_device (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(SottoClient) desktop = NULL;
  g_autoptr(SottoClient) laptop = NULL;
  g_autoptr(SottoClient) bob = NULL;
  g_autoptr(GPtrArray) envelopes = NULL;
  g_autoptr(GPtrArray) keys = NULL;
  g_autoptr(SottoClientStore) kept = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *laptop_path = NULL;
  SottoPublicIdentity laptop_identity, alice_identity, bob_identity;
  SottoRoom *desktop_room;
  SottoRoom *bob_room;
  SottoMessage *unread;
  gint64 unread_seq;
  guint after = 0;
  Outcome outcome = { FALSE };

  desktop = sotto_test_user_new (fixture->dir, fixture->address, "alice", fixture->password);
  bob = sotto_test_user_new (fixture->dir, fixture->address, "bob", fixture->password);
  desktop_room = sotto_test_user_join (desktop, "club");
  bob_room = sotto_test_user_join (bob, "club");
  sotto_test_user_wait_members (desktop_room, 2);
  sotto_test_user_wait_members (bob_room, 2);
  sotto_test_user_wait_sent (sotto_test_user_say (bob, bob_room, "before the laptop"));
  sotto_test_user_wait_for_text (desktop_room, "bob", "before the laptop");

  laptop = sotto_test_user_link (fixture->dir, fixture->address, desktop, "alice-laptop",
                                 "alice", fixture->password);
  laptop_identity = *sotto_client_get_device_identity (laptop);
  sotto_test_user_wait_sent (sotto_test_user_say (bob, bob_room, "hello laptop"));
  sotto_test_user_wait_sent (sotto_test_user_say (desktop, desktop_room, "hello from the desktop"));
  while (sotto_client_lookup_room (laptop, "club") == NULL)
    g_main_context_iteration (NULL, TRUE);
  sotto_test_user_wait_for_text (sotto_client_lookup_room (laptop, "club"), "bob", "hello laptop");
  sotto_test_user_wait_for_text (sotto_client_lookup_room (laptop, "club"), "alice",
                                 "hello from the desktop");
  alice_identity = *sotto_member_get_identity (sotto_room_lookup_member (bob_room, "alice"));
  bob_identity = *sotto_member_get_identity (sotto_room_lookup_member (desktop_room, "bob"));

  /* The laptop goes away (stolen, say); its store keeps what it had. */
  sotto_client_close (laptop);
  g_clear_object (&laptop);
  unread = sotto_test_user_say (bob, bob_room, "said while the laptop was away");
  sotto_test_user_wait_sent (unread);
  unread_seq = sotto_message_get_seq (unread);
  sotto_test_user_wait_for_text (desktop_room, "bob", "said while the laptop was away");

  sotto_client_remove_device_async (desktop, laptop_identity.sign_pk, NULL, outcome_cb, &outcome);
  sotto_test_wait_for (&outcome.done);
  g_assert_no_error (outcome.error);

  /* Bob hears of it; what each says next is under new keys. */
  sotto_test_user_wait_sent (sotto_test_user_say (desktop, desktop_room, "after the laptop, alice"));
  sotto_test_user_wait_for_text (bob_room, "alice", "after the laptop, alice");
  /* Bob fetches the new list, sees the laptop gone, and drops his key. */
  sotto_test_iterate (300);
  while (sotto_client_is_handing_over_keys (bob))
    g_main_context_iteration (NULL, TRUE);
  sotto_test_user_wait_sent (sotto_test_user_say (bob, bob_room, "after the laptop, bob"));
  sotto_test_user_wait_for_text (desktop_room, "bob", "after the laptop, bob");

  sotto_client_close (desktop);
  sotto_client_close (bob);
  sotto_test_server_stop (fixture->server);

  envelopes = server_envelopes (sotto_test_server_get_data_dir (fixture->server), "club");
  laptop_path = sotto_test_user_store_path (fixture->dir, fixture->address, "alice-laptop",
                                            "alice");
  keys = held_keys (laptop_path, "club");
  g_assert_cmpuint (keys->len, >=, 2);
  kept = sotto_test_user_open_store (laptop_path, fixture->password);

  for (guint i = 0; i < envelopes->len; i++)
    {
      Stored *stored = g_ptr_array_index (envelopes, i);
      g_autoptr(GBytes) plaintext = NULL;
      const SottoPublicIdentity *signer = g_str_equal (stored->sender, "bob") ? &bob_identity
                                                                                : &alice_identity;

      plaintext = open_with_held_keys (kept, keys, "club", stored, signer);
      if (stored->seq == unread_seq)
        {
          g_assert_nonnull (plaintext);
          g_assert_true (bytes_contain (plaintext, "said while the laptop was away"));
        }
      else if (stored->seq > unread_seq)
        {
          g_assert_null (plaintext);
          after++;
        }
    }
  g_assert_cmpuint (after, ==, 2);
  g_assert_no_error (error);
  g_clear_error (&outcome.error);
}

/* Dave joins after Alice and Bob have talked. He holds the keys he was
 * given on joining and gets every envelope the server stored: he reads
 * what comes after his arrival, and nothing from before. */
static void
test_newcomer (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(SottoClient) alice = NULL;
  g_autoptr(SottoClient) bob = NULL;
  g_autoptr(SottoClient) dave = NULL;
  g_autoptr(GPtrArray) envelopes = NULL;
  g_autoptr(GPtrArray) keys = NULL;
  g_autoptr(SottoClientStore) store = NULL;
  g_autofree char *dave_path = NULL;
  SottoRoom *alice_room;
  SottoRoom *bob_room;
  SottoRoom *dave_room;
  gint64 last_before = 0;
  guint before = 0;

  alice = sotto_test_user_new (fixture->dir, fixture->address, "alice", fixture->password);
  bob = sotto_test_user_new (fixture->dir, fixture->address, "bob", fixture->password);
  alice_room = sotto_test_user_join (alice, "club");
  bob_room = sotto_test_user_join (bob, "club");
  sotto_test_user_wait_members (alice_room, 2);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *from_alice = g_strdup_printf ("before dave %u, from alice", i);
      g_autofree char *from_bob = g_strdup_printf ("before dave %u, from bob", i);
      SottoMessage *message;

      sotto_test_user_wait_sent (sotto_test_user_say (alice, alice_room, from_alice));
      message = sotto_test_user_say (bob, bob_room, from_bob);
      sotto_test_user_wait_sent (message);
      last_before = sotto_message_get_seq (message);
      sotto_test_user_wait_for_text (bob_room, "alice", from_alice);
      sotto_test_user_wait_for_text (alice_room, "bob", from_bob);
    }

  dave = sotto_test_user_new (fixture->dir, fixture->address, "dave", fixture->password);
  dave_room = sotto_test_user_join (dave, "club");
  sotto_test_user_wait_members (alice_room, 3);
  sotto_test_user_wait_members (bob_room, 3);
  sotto_test_user_wait_members (dave_room, 3);
  sotto_test_user_wait_sent (sotto_test_user_say (alice, alice_room, "after dave, from alice"));
  sotto_test_user_wait_sent (sotto_test_user_say (bob, bob_room, "after dave, from bob"));
  sotto_test_user_wait_for_text (dave_room, "alice", "after dave, from alice");
  sotto_test_user_wait_for_text (dave_room, "bob", "after dave, from bob");
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *from_alice = g_strdup_printf ("before dave %u, from alice", i);

      g_assert_cmpuint (sotto_test_room_count_text (dave_room, "alice", from_alice), ==, 0);
    }

  sotto_client_close (alice);
  sotto_client_close (bob);
  sotto_client_close (dave);
  sotto_test_server_stop (fixture->server);

  envelopes = server_envelopes (sotto_test_server_get_data_dir (fixture->server), "club");
  dave_path = sotto_test_user_store_path (fixture->dir, fixture->address, "dave", "dave");
  keys = held_keys (dave_path, "club");
  g_assert_cmpuint (keys->len, >=, 2);
  store = sotto_test_user_open_store (dave_path, fixture->password);

  for (guint i = 0; i < envelopes->len; i++)
    {
      Stored *stored = g_ptr_array_index (envelopes, i);
      g_autoptr(GBytes) plaintext = NULL;

      if (stored->seq > last_before)
        continue;

      plaintext = open_with_any_key (store, keys, "club", stored);
      g_assert_null (plaintext);
      before++;
    }
  g_assert_cmpuint (before, ==, 6);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (sodium_init (), >=, 0);

#define ADD(path, func) \
  g_test_add ("/sotto/no-plaintext/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("conversation", test_conversation);
  ADD ("files", test_files);
  ADD ("removed-member", test_removed_member);
  ADD ("removed-device", test_removed_device);
  ADD ("newcomer", test_newcomer);
#undef ADD

  return g_test_run ();
}
