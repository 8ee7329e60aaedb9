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
 * destination stays as it was.
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
#undef ADD

  return g_test_run ();
}
