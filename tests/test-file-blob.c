/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <sodium.h>
#include <string.h>

#include "sotto-client-error.h"
#include "sotto-e2e.h"
#include "sotto-file-blob.h"
#include "sotto-image.h"
#include "sotto-test-server.h"
#include "sotto-test-util.h"

/*
 * Files and their blobs on this computer, on real files in a temporary
 * folder: a file sealed and opened again comes back the same, at the
 * sizes that matter; a picture gets its size and a thumbnail; a blob
 * changed on its way never becomes a file, and a file already at the
 * destination stays as it was. A blob still coming is opened chunk by
 * chunk as it comes, and a bad chunk stops it before the rest is there.
 */

typedef struct
{
  char *dir;
} Fixture;

static void
fixture_setup (Fixture *fixture, gconstpointer data)
{
  fixture->dir = sotto_test_make_data_dir ();
}

static void
fixture_teardown (Fixture *fixture, gconstpointer data)
{
  sotto_test_remove_dir (fixture->dir);
  g_free (fixture->dir);
}

static GFile *
file_in (Fixture    *fixture,
         const char *name)
{
  g_autofree char *path = g_build_filename (fixture->dir, name, NULL);

  return g_file_new_for_path (path);
}

static void
result_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static SottoFileMessage *
seal (GFile *source, GFile *blob, guint64 max_size, GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  sotto_file_blob_seal_async (source, blob, max_size, NULL, result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return sotto_file_blob_seal_finish (result, error);
}

static gboolean
open_blob (GFile *blob, const SottoFileMessage *file, GFile *destination, GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  sotto_file_blob_open_async (blob, file, destination, NULL, result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return sotto_file_blob_open_finish (result, error);
}

static void
test_round_trip (Fixture *fixture, gconstpointer data)
{
  const gsize sizes[] = { 0, 1, SOTTO_FILE_CHUNK_BYTES, SOTTO_FILE_CHUNK_BYTES + 1,
                          3 * SOTTO_FILE_CHUNK_BYTES + 77 };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autofree guint8 *contents = g_malloc (sizes[i] + 1);
      g_autoptr(GFile) source = file_in (fixture, "notes.txt");
      g_autoptr(GFile) blob = file_in (fixture, "blob");
      g_autoptr(GFile) saved = file_in (fixture, "saved.txt");
      g_autoptr(SottoFileMessage) file = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *blob_data = NULL;
      g_autofree char *saved_data = NULL;
      gsize blob_size = 0, saved_size = 0;
      guint8 hash[SOTTO_FILE_HASH_BYTES];

      randombytes_buf (contents, sizes[i]);
      g_assert_true (g_file_set_contents (g_file_peek_path (source), (char *) contents,
                                          (gssize) sizes[i], NULL));
      file = seal (source, blob, G_MAXUINT64, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (file->name, ==, "notes.txt");
      g_assert_cmpstr (file->type, ==, "text/plain");
      g_assert_cmpuint (file->size, ==, sizes[i]);
      g_assert_cmpuint (file->width, ==, 0);
      g_assert_null (file->thumbnail);

      g_assert_true (g_file_get_contents (g_file_peek_path (blob), &blob_data, &blob_size, NULL));
      g_assert_cmpuint (blob_size, ==, sotto_file_blob_size (sizes[i]));
      crypto_generichash (hash, sizeof hash, (guint8 *) blob_data, blob_size, NULL, 0);
      g_assert_cmpmem (hash, sizeof hash, file->hash, sizeof file->hash);
      if (sizes[i] >= 16)
        g_assert_null (memmem (blob_data, blob_size, contents, 16));

      g_assert_true (open_blob (blob, file, saved, &error));
      g_assert_no_error (error);
      g_assert_true (g_file_get_contents (g_file_peek_path (saved), &saved_data, &saved_size,
                                          NULL));
      g_assert_cmpmem (saved_data, saved_size, contents, sizes[i]);
      g_assert_false (sotto_test_dir_has_suffix (fixture->dir, ".sotto-partial"));
    }
}

static void
test_picture (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GdkPixbuf) picture = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 800, 600);
  g_autoptr(GFile) source = file_in (fixture, "photo.png");
  g_autoptr(GFile) blob = file_in (fixture, "blob");
  g_autoptr(SottoFileMessage) file = NULL;
  g_autoptr(GError) error = NULL;

  gdk_pixbuf_fill (picture, 0x3060a0ff);
  g_assert_true (gdk_pixbuf_save (picture, g_file_peek_path (source), "png", &error, NULL));
  file = seal (source, blob, G_MAXUINT64, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (file->type, ==, "image/png");
  g_assert_cmpuint (file->width, ==, 800);
  g_assert_cmpuint (file->height, ==, 600);
  g_assert_nonnull (file->thumbnail);
  g_assert_cmpuint (g_bytes_get_size (file->thumbnail), <=, SOTTO_FILE_THUMBNAIL_MAX_BYTES);
}

static void
test_refused (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GFile) source = file_in (fixture, "big.bin");
  g_autoptr(GFile) folder = g_file_new_for_path (fixture->dir);
  g_autoptr(GFile) blob = file_in (fixture, "blob");
  g_autoptr(SottoFileMessage) file = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (g_file_peek_path (source), "0123456789", 10, NULL));
  file = seal (source, blob, 9, &error);
  g_assert_null (file);
  g_assert_error (error, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "too large"));
  g_clear_error (&error);

  file = seal (folder, blob, G_MAXUINT64, &error);
  g_assert_null (file);
  g_assert_nonnull (error);
}

/* A blob changed on its way, or a message that names another: the
 * destination is never written, and what was there stays. */
static void
test_tampered (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GFile) source = file_in (fixture, "report.pdf");
  g_autoptr(GFile) blob = file_in (fixture, "blob");
  g_autoptr(GFile) saved = file_in (fixture, "report.pdf.saved");
  g_autoptr(SottoFileMessage) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *contents = g_malloc (200000);
  g_autofree char *blob_data = NULL;
  g_autofree char *left = NULL;
  gsize blob_size = 0;

  randombytes_buf (contents, 200000);
  g_assert_true (g_file_set_contents (g_file_peek_path (source), (char *) contents, 200000,
                                      NULL));
  file = seal (source, blob, G_MAXUINT64, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (g_file_peek_path (blob), &blob_data, &blob_size, NULL));
  g_assert_true (g_file_set_contents (g_file_peek_path (saved), "what was here", -1, NULL));

  /* A byte in the last chunk: everything before it opened fine. */
  blob_data[blob_size - 5] ^= 1;
  g_assert_true (g_file_set_contents (g_file_peek_path (blob), blob_data, (gssize) blob_size,
                                      NULL));
  g_assert_false (open_blob (blob, file, saved, &error));
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_DECRYPT_FAILED);
  g_clear_error (&error);
  g_assert_true (g_file_get_contents (g_file_peek_path (saved), &left, NULL, NULL));
  g_assert_cmpstr (left, ==, "what was here");
  g_assert_false (sotto_test_dir_has_suffix (fixture->dir, ".sotto-partial"));

  /* The blob whole again, under another hash. */
  blob_data[blob_size - 5] ^= 1;
  g_assert_true (g_file_set_contents (g_file_peek_path (blob), blob_data, (gssize) blob_size,
                                      NULL));
  file->hash[0] ^= 1;
  g_assert_false (open_blob (blob, file, saved, &error));
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_DECRYPT_FAILED);
  g_clear_error (&error);
  g_clear_pointer (&left, g_free);
  g_assert_true (g_file_get_contents (g_file_peek_path (saved), &left, NULL, NULL));
  g_assert_cmpstr (left, ==, "what was here");

  /* Cut short. */
  file->hash[0] ^= 1;
  g_assert_true (g_file_set_contents (g_file_peek_path (blob), blob_data,
                                      (gssize) blob_size - 100, NULL));
  g_assert_false (open_blob (blob, file, saved, &error));
  g_assert_nonnull (error);
}

/* A blob that comes in parts, as a download writes it. */
typedef struct
{
  Fixture           *fixture;
  GFile             *cache;
  GFile             *saved;
  SottoBlobProgress  progress;
  char              *data;
  gsize              size;
  gsize              written;
  GAsyncResult      *result;
} Coming;

static void
coming_start (Coming            *coming,
              Fixture           *fixture,
              gsize              file_size,
              SottoFileMessage **file)
{
  g_autoptr(GFile) source = file_in (fixture, "film.webm");
  g_autoptr(GFile) blob = file_in (fixture, "blob");
  g_autofree guint8 *contents = g_malloc (file_size);
  g_autoptr(GError) error = NULL;

  memset (coming, 0, sizeof *coming);
  coming->fixture = fixture;
  randombytes_buf (contents, file_size);
  g_assert_true (g_file_set_contents (g_file_peek_path (source), (char *) contents,
                                      (gssize) file_size, NULL));
  *file = seal (source, blob, G_MAXUINT64, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (g_file_peek_path (blob), &coming->data, &coming->size,
                                      NULL));
  coming->cache = file_in (fixture, "cache");
  coming->saved = file_in (fixture, "film.webm.saved");
  g_assert_true (g_file_set_contents (g_file_peek_path (coming->cache), "", 0, NULL));
  sotto_blob_progress_init (&coming->progress);
  sotto_file_blob_open_full_async (coming->cache, *file, coming->saved, &coming->progress, NULL,
                                   result_cb, &coming->result);
}

/* Appends the blob up to @until, and says so. */
static void
coming_write (Coming *coming,
              gsize   until)
{
  g_autoptr(GFileOutputStream) out = g_file_append_to (coming->cache, G_FILE_CREATE_NONE, NULL,
                                                       NULL);

  g_assert_true (g_output_stream_write_all (G_OUTPUT_STREAM (out), coming->data + coming->written,
                                            until - coming->written, NULL, NULL, NULL));
  g_assert_true (g_output_stream_close (G_OUTPUT_STREAM (out), NULL, NULL));
  coming->written = until;
  sotto_blob_progress_set (&coming->progress, until, until == coming->size);
}

static gboolean
has_result (gpointer data)
{
  return ((Coming *) data)->result != NULL;
}

/* What was opened so far, beside the destination (under whatever name
 * the writing gives it there), holds at least a chunk. */
static gboolean
partial_has_a_chunk (gpointer data)
{
  Coming *coming = data;
  g_autoptr(GDir) dir = g_dir_open (coming->fixture->dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (coming->fixture->dir, name, NULL);
      GStatBuf buf;

      if (!g_str_equal (name, "film.webm") && !g_str_equal (name, "blob") &&
          !g_str_equal (name, "cache") && g_stat (path, &buf) == 0 &&
          (gsize) buf.st_size >= SOTTO_FILE_CHUNK_BYTES)
        return TRUE;
    }
  return FALSE;
}

static void
coming_finish (Coming *coming)
{
  g_assert_true (sotto_test_wait_until (has_result, coming, 30));
  g_clear_object (&coming->result);
  sotto_blob_progress_clear (&coming->progress);
  g_clear_object (&coming->cache);
  g_clear_object (&coming->saved);
  g_free (coming->data);
}

static void
test_following (Fixture *fixture, gconstpointer data)
{
  g_autoptr(SottoFileMessage) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *saved_data = NULL;
  g_autofree char *source_data = NULL;
  g_autofree char *source_path = g_build_filename (fixture->dir, "film.webm", NULL);
  gsize saved_size = 0, source_size = 0;
  gsize two_chunks = SOTTO_FILE_HEADER_BYTES + 2 * (SOTTO_FILE_CHUNK_BYTES + SOTTO_FILE_CHUNK_OVERHEAD);
  Coming coming;

  coming_start (&coming, fixture, 3 * SOTTO_FILE_CHUNK_BYTES + 77, &file);

  /* Nothing yet: the opening waits. Half a chunk: still waiting. */
  sotto_test_iterate (50);
  g_assert_null (coming.result);
  coming_write (&coming, SOTTO_FILE_HEADER_BYTES + SOTTO_FILE_CHUNK_BYTES / 2);
  sotto_test_iterate (50);
  g_assert_null (coming.result);

  /* Two chunks: opened before the rest comes, the file not there yet. */
  coming_write (&coming, two_chunks);
  g_assert_true (sotto_test_wait_until (partial_has_a_chunk, &coming, 10));
  g_assert_null (coming.result);
  g_assert_false (g_file_query_exists (coming.saved, NULL));

  /* The rest, in two steps: the file appears, whole. */
  coming_write (&coming, coming.size - 10);
  coming_write (&coming, coming.size);
  g_assert_true (sotto_test_wait_until (has_result, &coming, 30));
  g_assert_true (sotto_file_blob_open_finish (coming.result, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (g_file_peek_path (coming.saved), &saved_data, &saved_size,
                                      NULL));
  g_assert_true (g_file_get_contents (source_path, &source_data, &source_size, NULL));
  g_assert_cmpmem (saved_data, saved_size, source_data, source_size);
  g_assert_false (sotto_test_dir_has_suffix (fixture->dir, ".sotto-partial"));
  coming_finish (&coming);
}

static void
test_following_stopped (Fixture *fixture, gconstpointer data)
{
  g_autoptr(SottoFileMessage) file = NULL;
  g_autoptr(GError) error = NULL;
  Coming coming;

  coming_start (&coming, fixture, 3 * SOTTO_FILE_CHUNK_BYTES, &file);
  coming_write (&coming, coming.size / 2);
  sotto_test_iterate (20);
  sotto_blob_progress_stop (&coming.progress);
  g_assert_true (sotto_test_wait_until (has_result, &coming, 30));
  g_assert_false (sotto_file_blob_open_finish (coming.result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (g_file_query_exists (coming.saved, NULL));
  g_assert_false (sotto_test_dir_has_suffix (fixture->dir, ".sotto-partial"));
  coming_finish (&coming);
}

static void
test_following_tampered (Fixture *fixture, gconstpointer data)
{
  g_autoptr(SottoFileMessage) file = NULL;
  g_autoptr(GError) error = NULL;
  gsize first_chunk = SOTTO_FILE_HEADER_BYTES + SOTTO_FILE_CHUNK_BYTES + SOTTO_FILE_CHUNK_OVERHEAD;
  Coming coming;

  /* A byte of the first chunk changed, and only that chunk comes: the
   * opening fails without waiting for the rest. */
  coming_start (&coming, fixture, 8 * SOTTO_FILE_CHUNK_BYTES, &file);
  coming.data[100] ^= 1;
  coming_write (&coming, first_chunk);
  g_assert_true (sotto_test_wait_until (has_result, &coming, 30));
  g_assert_false (sotto_file_blob_open_finish (coming.result, &error));
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_DECRYPT_FAILED);
  g_assert_false (g_file_query_exists (coming.saved, NULL));
  g_assert_false (sotto_test_dir_has_suffix (fixture->dir, ".sotto-partial"));
  coming_finish (&coming);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (sodium_init (), >=, 0);

#define ADD(path, func) \
  g_test_add ("/sotto/client/file-blob/" path, Fixture, NULL, fixture_setup, func, \
              fixture_teardown)
  ADD ("round-trip", test_round_trip);
  ADD ("picture", test_picture);
  ADD ("refused", test_refused);
  ADD ("tampered", test_tampered);
  ADD ("following", test_following);
  ADD ("following/stopped", test_following_stopped);
  ADD ("following/tampered", test_following_tampered);
#undef ADD

  return g_test_run ();
}
