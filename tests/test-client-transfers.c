/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <sodium.h>
#include <string.h>

#include "sotto-client.h"
#include "sotto-e2e.h"
#include "sotto-test-server.h"
#include "sotto-test-users.h"
#include "sotto-test-util.h"

/*
 * Files sent and fetched with the client core and the real server over
 * loopback: they come back as sent at the sizes that matter; a transfer
 * cut by the server going away goes on from where it stood; a blob
 * changed on the server, or fetched by someone not in the room, is never
 * saved; a cancelled upload sends nothing; and the server holds nothing
 * of the file readable.
 */

#define PASSWORD "correct horse battery"
#define WAIT_SECONDS 60

typedef struct
{
  SottoTestServer *server;
  char            *dir;
  char            *address;
  SottoClient     *alice;
  SottoClient     *bob;
  SottoRoom       *alice_room;
  SottoRoom       *bob_room;
} Fixture;

/* How a test's server is started */
typedef struct
{
  gboolean            lenient;
  const char *const  *args;
} Setup;

static const Setup lenient = { TRUE, NULL };
static const char *const max_file_size_1[] = { "--max-file-size", "1", NULL };
static const Setup small_files = { FALSE, max_file_size_1 };
static const char *const max_frame_64k[] = { "--max-frame", "65536", NULL };
static const Setup small_frames = { FALSE, max_frame_64k };

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  const Setup *setup = data;

  /* A test that damages blobs has the server warn of them, and go on. */
  if (setup != NULL && setup->lenient)
    fixture->server = sotto_test_server_start_lenient (NULL, setup->args, NULL);
  else
    fixture->server = sotto_test_server_start (NULL, setup != NULL ? setup->args : NULL);
  fixture->dir = sotto_test_make_data_dir ();
  fixture->address = g_strdup_printf ("127.0.0.1:%u", sotto_test_server_get_port (fixture->server));
  fixture->alice = sotto_test_user_new (fixture->dir, fixture->address, "alice", PASSWORD);
  fixture->bob = sotto_test_user_new (fixture->dir, fixture->address, "bob", PASSWORD);
  fixture->alice_room = sotto_test_user_join (fixture->alice, "team");
  fixture->bob_room = sotto_test_user_join (fixture->bob, "team");
  sotto_test_user_wait_members (fixture->alice_room, 2);
  sotto_test_user_wait_members (fixture->bob_room, 2);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  sotto_client_close (fixture->alice);
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

static gboolean
wake_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

typedef gboolean (*Condition) (gpointer data);

static void
wait_until (Condition   condition,
            gpointer    data,
            const char *what)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;
  guint wake = g_timeout_add (50, wake_cb, NULL);

  while (!condition (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("Waited %d s for %s", WAIT_SECONDS, what);
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (wake);
}

static gboolean
finished (gpointer data)
{
  return sotto_transfer_is_finished (data);
}

static gboolean
half_done (gpointer data)
{
  SottoTransfer *transfer = data;

  return sotto_transfer_is_finished (transfer) ||
         (sotto_transfer_get_total (transfer) > 0 &&
          sotto_transfer_get_done (transfer) * 3 >= sotto_transfer_get_total (transfer));
}

static gboolean
waiting (gpointer data)
{
  return sotto_transfer_get_state (data) == SOTTO_TRANSFER_WAITING ||
         sotto_transfer_is_finished (data);
}

static GFile *
write_file (Fixture    *fixture,
            const char *name,
            gsize       size,
            guint8    **contents)
{
  g_autofree char *path = g_build_filename (fixture->dir, name, NULL);

  *contents = g_malloc (size + 1);
  randombytes_buf (*contents, size);
  g_assert_true (g_file_set_contents (path, (char *) *contents, (gssize) size, NULL));
  return g_file_new_for_path (path);
}

static void
assert_done (SottoTransfer *transfer)
{
  if (sotto_transfer_get_state (transfer) != SOTTO_TRANSFER_DONE)
    g_error ("The transfer of %s ended in state %d: %s", sotto_transfer_get_name (transfer),
             sotto_transfer_get_state (transfer),
             sotto_transfer_get_error (transfer) != NULL ? sotto_transfer_get_error (transfer) : "");
}

/* Alice sends @file; bob sees its message and fetches it to @saved. */
static SottoMessage *
send_and_fetch (Fixture    *fixture,
                GFile      *file,
                const char *name,
                GFile      *saved)
{
  g_autoptr(SottoTransfer) upload = sotto_client_send_file (fixture->alice, fixture->alice_room,
                                                            file);
  g_autoptr(SottoTransfer) download = NULL;
  SottoMessage *message;

  g_assert_cmpint (sotto_transfer_get_kind (upload), ==, SOTTO_TRANSFER_UPLOAD);
  g_assert_cmpstr (sotto_transfer_get_name (upload), ==, name);
  wait_until (finished, upload, "the upload");
  assert_done (upload);
  g_assert_nonnull (sotto_transfer_get_message (upload));
  g_assert_cmpuint (sotto_transfer_get_done (upload), ==, sotto_transfer_get_total (upload));

  message = sotto_test_user_wait_for_text (fixture->bob_room, "alice", name);
  g_assert_nonnull (sotto_message_get_file (message));
  download = sotto_client_fetch_file (fixture->bob, message, saved);
  wait_until (finished, download, "the download");
  assert_done (download);
  g_assert_cmpfloat (sotto_transfer_get_fraction (download), ==, 1.0);
  return message;
}

static void
assert_same_contents (GFile        *file,
                      const guint8 *contents,
                      gsize         size)
{
  g_autofree char *data = NULL;
  gsize length = 0;

  g_assert_true (g_file_get_contents (g_file_peek_path (file), &data, &length, NULL));
  g_assert_cmpmem (data, length, contents, size);
}

static void
test_sizes (Fixture       *fixture,
            gconstpointer  data)
{
  const gsize sizes[] = { 0, 1, 64 * 1024, 64 * 1024 + 1, 700 * 1024 + 3 };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autofree char *name = g_strdup_printf ("file-%u.bin", i);
      g_autofree char *saved_path = g_strdup_printf ("%s/saved-%u.bin", fixture->dir, i);
      g_autoptr(GFile) saved = g_file_new_for_path (saved_path);
      g_autofree guint8 *contents = NULL;
      g_autoptr(GFile) file = write_file (fixture, name, sizes[i], &contents);

      send_and_fetch (fixture, file, name, saved);
      assert_same_contents (saved, contents, sizes[i]);

      /* Nothing of it on the server's disk as it was. */
      if (sizes[i] >= 32)
        g_assert_false (sotto_test_tree_contains (sotto_test_server_get_data_dir (fixture->server),
                                                  contents + sizes[i] / 2, 16));
    }
}

static GFile *
only_blob (Fixture *fixture)
{
  g_autofree char *dir = g_build_filename (sotto_test_server_get_data_dir (fixture->server),
                                           "blobs", NULL);
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;
  GFile *found = NULL;

  g_assert_nonnull (listing);
  while ((name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
        continue;
      g_assert_null (found);
      found = g_file_new_for_path (path);
    }
  g_assert_nonnull (found);
  return found;
}

/* The server goes away in the middle of an upload, then of a download:
 * each waits, and goes on from where it stood once the server is back. */
static void
test_resume (Fixture       *fixture,
             gconstpointer  data)
{
  const gsize size = 6 * 1024 * 1024 + 17;
  g_autofree guint8 *contents = NULL;
  g_autoptr(GFile) file = write_file (fixture, "video.bin", size, &contents);
  g_autofree char *saved_path = g_build_filename (fixture->dir, "video-saved.bin", NULL);
  g_autoptr(GFile) saved = g_file_new_for_path (saved_path);
  g_autoptr(SottoTransfer) upload = NULL;
  g_autoptr(SottoTransfer) download = NULL;
  g_autoptr(GFile) blob = NULL;
  SottoMessage *message;

  upload = sotto_client_send_file (fixture->alice, fixture->alice_room, file);
  wait_until (half_done, upload, "a third of the upload");
  g_assert_false (sotto_transfer_is_finished (upload));
  sotto_test_server_stop (fixture->server);
  wait_until (waiting, upload, "the upload to wait");
  g_assert_cmpint (sotto_transfer_get_state (upload), ==, SOTTO_TRANSFER_WAITING);
  sotto_test_server_restart (fixture->server);
  wait_until (finished, upload, "the upload");
  assert_done (upload);

  message = sotto_test_user_wait_for_text (fixture->bob_room, "alice", "video.bin");
  blob = only_blob (fixture);
  {
    g_autoptr(GFileInfo) info = g_file_query_info (blob, G_FILE_ATTRIBUTE_STANDARD_SIZE,
                                                   G_FILE_QUERY_INFO_NONE, NULL, NULL);

    g_assert_cmpuint ((guint64) g_file_info_get_size (info), ==, sotto_file_blob_size (size));
  }

  download = sotto_client_fetch_file (fixture->bob, message, saved);
  wait_until (half_done, download, "a third of the download");
  g_assert_false (sotto_transfer_is_finished (download));
  sotto_test_server_stop (fixture->server);
  wait_until (waiting, download, "the download to wait");
  g_assert_false (g_file_query_exists (saved, NULL));
  sotto_test_server_restart (fixture->server);
  wait_until (finished, download, "the download");
  assert_done (download);
  assert_same_contents (saved, contents, size);
}

static char *
blob_path (Fixture                *fixture,
           const SottoFileMessage *file)
{
  GString *name = g_string_new (NULL);
  char *path;

  for (guint i = 0; i < sizeof file->id; i++)
    g_string_append_printf (name, "%02x", file->id[i]);
  path = g_build_filename (sotto_test_server_get_data_dir (fixture->server), "blobs", name->str,
                           NULL);
  g_string_free (name, TRUE);
  return path;
}

typedef enum
{
  FLIP,
  TRUNCATE,
  SWAP,
} Tampering;

/* The server changes the blob it keeps: a byte flipped, the blob cut
 * short, or another blob's bytes (of the same size) in its place. Bob's
 * fetch fails with a sentence and saves nothing, not even a part. */
static void
test_tampered (Fixture       *fixture,
               gconstpointer  data)
{
  const char *names[] = { "flipped.pdf", "truncated.pdf", "swapped.pdf" };
  g_autofree guint8 *other_contents = NULL;
  g_autoptr(GFile) other = write_file (fixture, "other.pdf", 100000, &other_contents);
  g_autoptr(SottoTransfer) other_upload = sotto_client_send_file (fixture->alice,
                                                                  fixture->alice_room, other);
  g_autofree char *other_blob = NULL;

  wait_until (finished, other_upload, "the upload");
  assert_done (other_upload);
  other_blob = blob_path (fixture, sotto_message_get_file (sotto_transfer_get_message (
                                     other_upload)));

  for (Tampering tampering = FLIP; tampering <= SWAP; tampering++)
    {
      g_autofree guint8 *contents = NULL;
      g_autoptr(GFile) file = write_file (fixture, names[tampering], 100000, &contents);
      g_autofree char *saved_path = g_strdup_printf ("%s/saved-%s", fixture->dir,
                                                     names[tampering]);
      g_autoptr(GFile) saved = g_file_new_for_path (saved_path);
      g_autoptr(SottoTransfer) upload = NULL;
      g_autoptr(SottoTransfer) download = NULL;
      g_autofree char *path = NULL;
      g_autofree char *blob_data = NULL;
      gsize blob_size = 0;
      SottoMessage *message;

      upload = sotto_client_send_file (fixture->alice, fixture->alice_room, file);
      wait_until (finished, upload, "the upload");
      assert_done (upload);
      message = sotto_test_user_wait_for_text (fixture->bob_room, "alice", names[tampering]);

      path = blob_path (fixture, sotto_message_get_file (message));
      g_assert_true (g_file_get_contents (path, &blob_data, &blob_size, NULL));
      switch (tampering)
        {
        case FLIP:
          blob_data[blob_size / 2] ^= 0x10;
          break;
        case TRUNCATE:
          blob_size = blob_size / 2;
          break;
        case SWAP:
          g_free (blob_data);
          g_assert_true (g_file_get_contents (other_blob, &blob_data, &blob_size, NULL));
          break;
        default:
          g_assert_not_reached ();
        }
      g_assert_true (g_file_set_contents (path, blob_data, (gssize) blob_size, NULL));

      download = sotto_client_fetch_file (fixture->bob, message, saved);
      wait_until (finished, download, "the download");
      g_assert_cmpint (sotto_transfer_get_state (download), ==, SOTTO_TRANSFER_FAILED);
      g_test_message ("%s: %s", names[tampering], sotto_transfer_get_error (download));
      g_assert_nonnull (sotto_transfer_get_error (download));
      if (tampering != TRUNCATE)
        g_assert_nonnull (strstr (sotto_transfer_get_error (download), "changed"));
      g_assert_false (g_file_query_exists (saved, NULL));
      g_assert_false (sotto_test_dir_has_suffix (fixture->dir, ".sotto-partial"));
    }
}

/* A server that takes files of up to 1 MiB says so when the client
 * connects: a larger file is refused at once, with the limit, before
 * anything is sealed or sent; one of exactly 1 MiB goes. */
static void
test_too_large (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree guint8 *contents = NULL;
  g_autoptr(GFile) large = write_file (fixture, "large.bin", 1024 * 1024 + 1, &contents);
  g_autofree guint8 *fits_contents = NULL;
  g_autoptr(GFile) fits = write_file (fixture, "fits.bin", 1024 * 1024, &fits_contents);
  g_autofree char *saved_path = g_build_filename (fixture->dir, "fits-saved.bin", NULL);
  g_autoptr(GFile) saved = g_file_new_for_path (saved_path);
  g_autoptr(SottoTransfer) upload = NULL;
  g_autofree char *blobs = g_build_filename (sotto_test_server_get_data_dir (fixture->server),
                                             "blobs", "partial", NULL);

  upload = sotto_client_send_file (fixture->alice, fixture->alice_room, large);
  wait_until (finished, upload, "the upload");
  g_assert_cmpint (sotto_transfer_get_state (upload), ==, SOTTO_TRANSFER_FAILED);
  g_test_message ("%s", sotto_transfer_get_error (upload));
  g_assert_nonnull (strstr (sotto_transfer_get_error (upload), "1.0"));
  g_assert_nonnull (strstr (sotto_transfer_get_error (upload), "MiB"));
  /* Nothing of it reached the server. */
  g_assert_false (sotto_test_dir_has_suffix (blobs, ""));
  g_assert_cmpuint (sotto_transfer_get_total (upload), ==, 0);

  send_and_fetch (fixture, fits, "fits.bin", saved);
  assert_same_contents (saved, fits_contents, 1024 * 1024);
}

/* A file of 100 MiB, the server's default limit, there and back. */
static void
test_large (Fixture       *fixture,
            gconstpointer  data)
{
  const gsize size = 100 * 1024 * 1024;
  g_autofree guint8 *contents = NULL;
  g_autoptr(GFile) file = write_file (fixture, "large.bin", size, &contents);
  g_autofree char *saved_path = g_build_filename (fixture->dir, "large-saved.bin", NULL);
  g_autoptr(GFile) saved = g_file_new_for_path (saved_path);

  send_and_fetch (fixture, file, "large.bin", saved);
  assert_same_contents (saved, contents, size);
}

/* Carol, not in the room, holds a copy of the message: the server gives
 * her nothing. */
static void
test_not_member (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(SottoClient) carol = sotto_test_user_new (fixture->dir, fixture->address, "carol",
                                                      PASSWORD);
  g_autofree guint8 *contents = NULL;
  g_autoptr(GFile) file = write_file (fixture, "secret.txt", 5000, &contents);
  g_autofree char *saved_path = g_build_filename (fixture->dir, "carol.txt", NULL);
  g_autoptr(GFile) saved = g_file_new_for_path (saved_path);
  g_autoptr(SottoTransfer) upload = NULL;
  g_autoptr(SottoTransfer) download = NULL;
  g_autoptr(SottoMessage) copy = NULL;

  upload = sotto_client_send_file (fixture->alice, fixture->alice_room, file);
  wait_until (finished, upload, "the upload");
  assert_done (upload);

  copy = sotto_message_new ("team", "alice", "m-copy", 1, 1, SOTTO_MESSAGE_RECEIVED,
                            "secret.txt");
  sotto_message_set_file (copy, sotto_message_get_file (sotto_transfer_get_message (upload)));
  download = sotto_client_fetch_file (carol, copy, saved);
  wait_until (finished, download, "carol's download");
  g_assert_cmpint (sotto_transfer_get_state (download), ==, SOTTO_TRANSFER_FAILED);
  g_assert_nonnull (strstr (sotto_transfer_get_error (download), "not yours to fetch"));
  g_assert_false (g_file_query_exists (saved, NULL));
  sotto_client_close (carol);
}

/* A cancelled upload sends no message, and leaves nothing in the cache. */
static void
test_cancel (Fixture       *fixture,
             gconstpointer  data)
{
  g_autofree guint8 *contents = NULL;
  g_autoptr(GFile) file = write_file (fixture, "big.iso", 8 * 1024 * 1024, &contents);
  g_autoptr(SottoTransfer) upload = NULL;
  g_autofree char *server_dir = g_uri_escape_string (fixture->address, NULL, FALSE);
  g_autofree char *cache = g_build_filename (fixture->dir, "alice", server_dir, "alice", "blobs",
                                             NULL);

  upload = sotto_client_send_file (fixture->alice, fixture->alice_room, file);
  wait_until (half_done, upload, "a third of the upload");
  sotto_transfer_cancel (upload);
  g_assert_cmpint (sotto_transfer_get_state (upload), ==, SOTTO_TRANSFER_CANCELLED);
  sotto_test_iterate (300);
  g_assert_cmpint (sotto_transfer_get_state (upload), ==, SOTTO_TRANSFER_CANCELLED);
  g_assert_null (sotto_transfer_get_message (upload));
  g_assert_cmpuint (sotto_test_room_count_text (fixture->bob_room, "alice", "big.iso"), ==, 0);
  {
    g_autoptr(GDir) listing = g_dir_open (cache, 0, NULL);

    g_assert_nonnull (listing);
    g_assert_null (g_dir_read_name (listing));
  }
}

/* A server whose frames are smaller than a piece: the pieces each way
 * fit its frames (its welcome says how large they may be). */
static void
test_small_frames (Fixture       *fixture,
                   gconstpointer  data)
{
  const gsize size = 300 * 1024 + 5;
  g_autofree char *saved_path = g_build_filename (fixture->dir, "saved.bin", NULL);
  g_autoptr(GFile) saved = g_file_new_for_path (saved_path);
  g_autofree guint8 *contents = NULL;
  g_autoptr(GFile) file = write_file (fixture, "small-frames.bin", size, &contents);

  send_and_fetch (fixture, file, "small-frames.bin", saved);
  assert_same_contents (saved, contents, size);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (sodium_init (), >=, 0);

#define ADD(path, func) \
  g_test_add ("/sotto/client/transfers/" path, Fixture, NULL, fixture_setup, func, \
              fixture_teardown)
  ADD ("sizes", test_sizes);
  ADD ("resume", test_resume);
  g_test_add ("/sotto/client/transfers/tampered", Fixture, &lenient, fixture_setup,
              test_tampered, fixture_teardown);
  g_test_add ("/sotto/client/transfers/too-large", Fixture, &small_files, fixture_setup,
              test_too_large, fixture_teardown);
  ADD ("large", test_large);
  ADD ("not-member", test_not_member);
  ADD ("cancel", test_cancel);
  g_test_add ("/sotto/client/transfers/small-frames", Fixture, &small_frames, fixture_setup,
              test_small_frames, fixture_teardown);
#undef ADD

  return g_test_run ();
}
