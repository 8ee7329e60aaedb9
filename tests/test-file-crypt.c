/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sodium.h>
#include <string.h>

#include "sotto-e2e.h"
#include "sotto-protocol-types.h"

/* The server limits and checks blobs without linking this library: its
 * numbers must be these. */
G_STATIC_ASSERT (SOTTO_PROTOCOL_FILE_HEADER_BYTES == SOTTO_FILE_HEADER_BYTES);
G_STATIC_ASSERT (SOTTO_PROTOCOL_FILE_CHUNK_BYTES == SOTTO_FILE_CHUNK_BYTES);
G_STATIC_ASSERT (SOTTO_PROTOCOL_FILE_CHUNK_OVERHEAD == SOTTO_FILE_CHUNK_OVERHEAD);
G_STATIC_ASSERT (SOTTO_PROTOCOL_BLOB_ID_BYTES == SOTTO_FILE_ID_BYTES);

/*
 * Files as the server keeps them: encrypted with a key of their own, in
 * chunks. The sizes that matter (empty, one byte, one chunk exactly, one
 * chunk and a byte, several) go through and back; a blob changed, cut,
 * reordered, extended, or opened with another key, size or hash fails.
 */

typedef struct
{
  GBytes *blob;
  guint8  key[SOTTO_FILE_KEY_BYTES];
  guint8  hash[SOTTO_FILE_HASH_BYTES];
} Sealed;

static void
sealed_clear (Sealed *sealed)
{
  g_clear_pointer (&sealed->blob, g_bytes_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Sealed, sealed_clear)

static void
seal (const guint8 *data,
      guint64       size,
      Sealed       *out)
{
  g_autoptr(SottoFileSealer) sealer = sotto_file_sealer_new (size);
  g_autoptr(GError) error = NULL;
  guint64 count = sotto_file_chunk_count (size);
  gsize blob_size = (gsize) sotto_file_blob_size (size);
  guint8 *blob = g_malloc (blob_size);
  gsize at = SOTTO_FILE_HEADER_BYTES;
  guint64 done = 0;

  sotto_file_sealer_header (sealer, blob);
  for (guint64 i = 0; i < count; i++)
    {
      gsize length = sotto_file_chunk_size (size, i);

      g_assert_true (sotto_file_sealer_push (sealer, data + done, length, blob + at, &error));
      g_assert_no_error (error);
      done += length;
      at += length + SOTTO_FILE_CHUNK_OVERHEAD;
    }
  g_assert_cmpuint (at, ==, blob_size);
  g_assert_cmpuint (done, ==, size);
  g_assert_true (sotto_file_sealer_finish (sealer, out->hash, &error));
  g_assert_no_error (error);
  memcpy (out->key, sotto_file_sealer_get_key (sealer), SOTTO_FILE_KEY_BYTES);
  out->blob = g_bytes_new_take (blob, blob_size);
}

/* Opens @blob as a file of @size; returns the file, or %NULL with @error. */
static GBytes *
open_blob (GBytes       *blob,
           const guint8 *key,
           guint64       size,
           const guint8 *hash,
           GError      **error)
{
  g_autoptr(SottoFileOpener) opener = sotto_file_opener_new (key, size, hash);
  const guint8 *data = g_bytes_get_data (blob, NULL);
  gsize blob_size = g_bytes_get_size (blob);
  g_autofree guint8 *plain = g_malloc (size + 1);
  gsize at = SOTTO_FILE_HEADER_BYTES;
  guint64 done = 0;
  guint64 i = 0;

  if (blob_size < SOTTO_FILE_HEADER_BYTES || !sotto_file_opener_header (opener, data, error))
    {
      if (blob_size < SOTTO_FILE_HEADER_BYTES)
        g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_DECRYPT_FAILED, "short");
      return NULL;
    }

  /* The chunks as the blob holds them, whatever the file's size says. */
  while (at < blob_size)
    {
      gsize length = i < sotto_file_chunk_count (size)
                       ? sotto_file_chunk_size (size, i) + SOTTO_FILE_CHUNK_OVERHEAD
                       : SOTTO_FILE_CHUNK_OVERHEAD;
      g_autofree guint8 *chunk_plain = NULL;

      length = MIN (length, blob_size - at);
      chunk_plain = g_malloc (length + 1);
      if (!sotto_file_opener_pull (opener, data + at, length, chunk_plain, error))
        return NULL;
      memcpy (plain + done, chunk_plain, length - SOTTO_FILE_CHUNK_OVERHEAD);
      done += length - SOTTO_FILE_CHUNK_OVERHEAD;
      at += length;
      i++;
    }
  if (!sotto_file_opener_finish (opener, error))
    return NULL;

  g_assert_cmpuint (done, ==, size);
  return g_bytes_new (plain, size);
}

static guint8 *
random_data (gsize size)
{
  guint8 *data = g_malloc (size + 1);

  randombytes_buf (data, size);
  return data;
}

static void
test_sizes (void)
{
  const guint64 sizes[] = { 0, 1, SOTTO_FILE_CHUNK_BYTES - 1, SOTTO_FILE_CHUNK_BYTES,
                            SOTTO_FILE_CHUNK_BYTES + 1, 3 * SOTTO_FILE_CHUNK_BYTES + 5 };

  for (guint n = 0; n < G_N_ELEMENTS (sizes); n++)
    {
      guint64 size = sizes[n];
      g_autofree guint8 *data = random_data (size);
      g_auto(Sealed) sealed = { 0 };
      g_autoptr(GBytes) opened = NULL;
      g_autoptr(GError) error = NULL;
      guint8 hash[SOTTO_FILE_HASH_BYTES];

      seal (data, size, &sealed);
      g_assert_cmpuint (g_bytes_get_size (sealed.blob), ==, sotto_file_blob_size (size));
      g_assert_cmpuint (sotto_file_blob_size (size), ==,
                        24 + size + 17 * (size == 0 ? 1 : (size + 65535) / 65536));
      g_assert_cmpint (sotto_protocol_blob_size (size), ==, sotto_file_blob_size (size));

      /* The hash is BLAKE2b-256 of the blob, as anyone computes it. */
      crypto_generichash (hash, sizeof hash, g_bytes_get_data (sealed.blob, NULL),
                          g_bytes_get_size (sealed.blob), NULL, 0);
      g_assert_cmpmem (hash, sizeof hash, sealed.hash, sizeof sealed.hash);

      opened = open_blob (sealed.blob, sealed.key, size, sealed.hash, &error);
      g_assert_no_error (error);
      g_assert_cmpmem (g_bytes_get_data (opened, NULL), g_bytes_get_size (opened), data, size);

      /* Nothing of the file shows in the blob. */
      if (size >= 16)
        g_assert_null (memmem (g_bytes_get_data (sealed.blob, NULL),
                               g_bytes_get_size (sealed.blob), data, 16));
    }
}

/* What the protocol says a blob of a file takes, and its bounds, are what
 * sealing gives, up to the largest file. */
static void
test_protocol_sizes (void)
{
  g_assert_cmpint (SOTTO_PROTOCOL_BLOB_MIN_SIZE, ==, sotto_file_blob_size (0));
  g_assert_cmpint (SOTTO_PROTOCOL_BLOB_MAX_SIZE, ==, sotto_file_blob_size (SOTTO_FILE_MAX_BYTES));
  g_assert_cmpint (sotto_protocol_blob_size (SOTTO_FILE_MAX_BYTES), ==,
                   sotto_file_blob_size (SOTTO_FILE_MAX_BYTES));
  for (guint64 size = 0; size < 4 * SOTTO_FILE_CHUNK_BYTES; size += 4093)
    g_assert_cmpint (sotto_protocol_blob_size (size), ==, sotto_file_blob_size (size));
}

static void
assert_refused (GBytes       *blob,
                const guint8 *key,
                guint64       size,
                const guint8 *hash)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) opened = open_blob (blob, key, size, hash, &error);

  g_assert_null (opened);
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_DECRYPT_FAILED);
}

static GBytes *
spliced (GBytes *blob,
         gsize   cut_from,
         gsize   cut_length,
         GBytes *insert)
{
  GByteArray *out = g_byte_array_new ();
  const guint8 *data = g_bytes_get_data (blob, NULL);
  gsize size = g_bytes_get_size (blob);

  g_byte_array_append (out, data, cut_from);
  if (insert != NULL)
    g_byte_array_append (out, g_bytes_get_data (insert, NULL), g_bytes_get_size (insert));
  g_byte_array_append (out, data + cut_from + cut_length, size - cut_from - cut_length);
  return g_byte_array_free_to_bytes (out);
}

/* Three chunks and a bit: each change of the server's fails. */
static void
test_tampered (void)
{
  const guint64 size = 3 * SOTTO_FILE_CHUNK_BYTES + 100;
  const gsize chunk = SOTTO_FILE_CHUNK_BYTES + SOTTO_FILE_CHUNK_OVERHEAD;
  g_autofree guint8 *data = random_data (size);
  g_auto(Sealed) sealed = { 0 };
  g_auto(Sealed) other = { 0 };
  gsize blob_size;

  seal (data, size, &sealed);
  seal (data, size, &other);
  blob_size = g_bytes_get_size (sealed.blob);

  /* A byte changed anywhere: the header, each chunk, the last byte. */
  {
    const gsize at[] = { 0, 23, 24, 24 + 5000, 24 + chunk, 24 + 2 * chunk + 17,
                         blob_size - 17, blob_size - 1 };

    for (guint i = 0; i < G_N_ELEMENTS (at); i++)
      {
        g_autofree guint8 *copy = g_memdup2 (g_bytes_get_data (sealed.blob, NULL), blob_size);
        g_autoptr(GBytes) changed = NULL;

        copy[at[i]] ^= 0x01;
        changed = g_bytes_new (copy, blob_size);
        assert_refused (changed, sealed.key, size, sealed.hash);
      }
  }

  /* The last chunk gone; the last bytes cut; a chunk dropped. */
  {
    g_autoptr(GBytes) no_last = g_bytes_new_from_bytes (sealed.blob, 0, 24 + 3 * chunk);
    g_autoptr(GBytes) cut = g_bytes_new_from_bytes (sealed.blob, 0, blob_size - 1);
    g_autoptr(GBytes) dropped = spliced (sealed.blob, 24 + chunk, chunk, NULL);

    assert_refused (no_last, sealed.key, size, sealed.hash);
    assert_refused (cut, sealed.key, size, sealed.hash);
    assert_refused (dropped, sealed.key, size, sealed.hash);
  }

  /* Two chunks swapped; a chunk repeated; more after the last. */
  {
    g_autoptr(GBytes) first = g_bytes_new_from_bytes (sealed.blob, 24, chunk);
    g_autoptr(GBytes) second = g_bytes_new_from_bytes (sealed.blob, 24 + chunk, chunk);
    g_autoptr(GBytes) without_first = spliced (sealed.blob, 24, chunk, second);
    g_autoptr(GBytes) swapped = spliced (without_first, 24 + chunk, chunk, first);
    g_autoptr(GBytes) repeated = spliced (sealed.blob, 24 + chunk, 0, first);
    g_autoptr(GBytes) extra = spliced (sealed.blob, blob_size, 0, first);

    assert_refused (swapped, sealed.key, size, sealed.hash);
    assert_refused (repeated, sealed.key, size, sealed.hash);
    assert_refused (extra, sealed.key, size, sealed.hash);
  }

  /* Another blob of the same file, under its own key: not with this key,
   * and not under this hash even with its own key. */
  assert_refused (other.blob, sealed.key, size, sealed.hash);
  assert_refused (other.blob, other.key, size, sealed.hash);
  /* A chunk of the other blob in this one. */
  {
    g_autoptr(GBytes) foreign = g_bytes_new_from_bytes (other.blob, 24 + chunk, chunk);
    g_autoptr(GBytes) mixed = spliced (sealed.blob, 24 + chunk, chunk, foreign);

    assert_refused (mixed, sealed.key, size, sealed.hash);
  }

  /* The message lying about the size, either way. */
  assert_refused (sealed.blob, sealed.key, size - 1, sealed.hash);
  assert_refused (sealed.blob, sealed.key, size + 1, sealed.hash);
  assert_refused (sealed.blob, sealed.key, 2 * SOTTO_FILE_CHUNK_BYTES, sealed.hash);

  /* The honest blob, for the control. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) opened = open_blob (sealed.blob, sealed.key, size, sealed.hash, &error);

    g_assert_no_error (error);
    g_assert_nonnull (opened);
  }
}

/* The sealer takes the file's chunks at their sizes and no more; each
 * file gets a key of its own. */
static void
test_sealer_misuse (void)
{
  g_autoptr(SottoFileSealer) sealer = sotto_file_sealer_new (10);
  g_autoptr(SottoFileSealer) another = sotto_file_sealer_new (10);
  g_autoptr(GError) error = NULL;
  guint8 header[SOTTO_FILE_HEADER_BYTES];
  guint8 out[64];
  guint8 hash[SOTTO_FILE_HASH_BYTES];

  g_assert_false (memcmp (sotto_file_sealer_get_key (sealer),
                          sotto_file_sealer_get_key (another), SOTTO_FILE_KEY_BYTES) == 0);

  sotto_file_sealer_header (sealer, header);
  g_assert_false (sotto_file_sealer_finish (sealer, hash, &error));
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT);
  g_clear_error (&error);
  g_assert_false (sotto_file_sealer_push (sealer, (const guint8 *) "0123456789", 9, out, &error));
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT);
  g_clear_error (&error);
  g_assert_true (sotto_file_sealer_push (sealer, (const guint8 *) "0123456789", 10, out, &error));
  g_assert_no_error (error);
  g_assert_false (sotto_file_sealer_push (sealer, (const guint8 *) "0", 1, out, &error));
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT);
  g_clear_error (&error);
  g_assert_true (sotto_file_sealer_finish (sealer, hash, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (sotto_file_chunk_count (0), ==, 1);
  g_assert_cmpuint (sotto_file_chunk_size (0, 0), ==, 0);
  g_assert_cmpuint (sotto_file_chunk_count (SOTTO_FILE_CHUNK_BYTES), ==, 1);
  g_assert_cmpuint (sotto_file_chunk_count (SOTTO_FILE_CHUNK_BYTES + 1), ==, 2);
  g_assert_cmpuint (sotto_file_chunk_size (SOTTO_FILE_CHUNK_BYTES + 1, 1), ==, 1);
  g_assert_null (sotto_file_opener_new (header, SOTTO_FILE_MAX_BYTES + 1, hash));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (sodium_init (), >=, 0);

  g_test_add_func ("/sotto/e2e/file/sizes", test_sizes);
  g_test_add_func ("/sotto/e2e/file/protocol-sizes", test_protocol_sizes);
  g_test_add_func ("/sotto/e2e/file/tampered", test_tampered);
  g_test_add_func ("/sotto/e2e/file/sealer-misuse", test_sealer_misuse);

  return g_test_run ();
}
