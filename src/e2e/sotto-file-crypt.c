/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <sodium.h>
#include <string.h>

#include "sotto-e2e-private.h"
#include "sotto-file-crypt.h"

/*
 * A file, encrypted for the server to keep as an opaque blob: a fresh key
 * for each file, and crypto_secretstream_xchacha20poly1305 over chunks of
 * SOTTO_FILE_CHUNK_BYTES, the last tagged final:
 *
 *   header (24) ‖ chunk 1 (64 KiB + 17) ‖ … ‖ last chunk (rest + 17)
 *
 * An empty file is one final chunk of nothing. The size of the file, and
 * so where each chunk ends, comes with the key in the message that names
 * the blob; with it, a chunk moved, dropped, repeated, cut or changed
 * fails, and so does a blob that stops early or goes on. The BLAKE2b-256
 * hash of the whole blob, in the message too, names it exactly: a
 * downloader checks what it fetched before it trusts any of it.
 */

G_STATIC_ASSERT (SOTTO_FILE_KEY_BYTES == crypto_secretstream_xchacha20poly1305_KEYBYTES);
G_STATIC_ASSERT (SOTTO_FILE_HEADER_BYTES == crypto_secretstream_xchacha20poly1305_HEADERBYTES);
G_STATIC_ASSERT (SOTTO_FILE_CHUNK_OVERHEAD == crypto_secretstream_xchacha20poly1305_ABYTES);
G_STATIC_ASSERT (SOTTO_FILE_HASH_BYTES == crypto_generichash_BYTES);

/**
 * sotto_file_chunk_count:
 * @size: the file's size in bytes
 *
 * Returns: how many chunks the blob of a file of @size holds (at least 1)
 */
guint64
sotto_file_chunk_count (guint64 size)
{
  return size == 0 ? 1 : (size + SOTTO_FILE_CHUNK_BYTES - 1) / SOTTO_FILE_CHUNK_BYTES;
}

/**
 * sotto_file_blob_size:
 *
 * Returns: how many bytes the blob of a file of @size takes
 */
guint64
sotto_file_blob_size (guint64 size)
{
  return SOTTO_FILE_HEADER_BYTES + size + sotto_file_chunk_count (size) * SOTTO_FILE_CHUNK_OVERHEAD;
}

/**
 * sotto_file_chunk_size:
 * @index: a chunk's place, from 0
 *
 * Returns: how many bytes of the file chunk @index holds
 */
gsize
sotto_file_chunk_size (guint64 size,
                       guint64 index)
{
  guint64 count = sotto_file_chunk_count (size);

  g_return_val_if_fail (index < count, 0);

  if (index + 1 < count)
    return SOTTO_FILE_CHUNK_BYTES;
  return (gsize) (size - index * SOTTO_FILE_CHUNK_BYTES);
}

/* Sealing */

struct _SottoFileSealer
{
  guint64                                    size;
  guint64                                    next;
  gboolean                                   header_done;
  /* In sodium_malloc() memory: the key, the stream's state, the hash */
  guint8                                    *key;
  crypto_secretstream_xchacha20poly1305_state *state;
  crypto_generichash_state                  *hash;
};

/**
 * sotto_file_sealer_new:
 * @size: the size of the file, at most %SOTTO_FILE_MAX_BYTES
 *
 * Returns: (transfer full): a sealer with a key of its own
 */
SottoFileSealer *
sotto_file_sealer_new (guint64 size)
{
  SottoFileSealer *self;

  g_return_val_if_fail (size <= SOTTO_FILE_MAX_BYTES, NULL);

  self = g_new0 (SottoFileSealer, 1);
  self->size = size;
  self->key = _sotto_e2e_secure_alloc (SOTTO_FILE_KEY_BYTES);
  self->state = _sotto_e2e_secure_alloc (sizeof *self->state);
  self->hash = _sotto_e2e_secure_alloc (sizeof *self->hash);
  crypto_secretstream_xchacha20poly1305_keygen (self->key);
  crypto_generichash_init (self->hash, NULL, 0, SOTTO_FILE_HASH_BYTES);
  return self;
}

/**
 * sotto_file_sealer_get_key:
 *
 * Returns: (array fixed-size=32): the file's key, for the message that
 *   names the blob
 */
const guint8 *
sotto_file_sealer_get_key (SottoFileSealer *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->key;
}

/**
 * sotto_file_sealer_header:
 * @header: (out caller-allocates) (array fixed-size=24): the blob's first
 *   bytes
 *
 * Starts the stream; called once, first.
 */
void
sotto_file_sealer_header (SottoFileSealer *self,
                          guint8          *header)
{
  g_return_if_fail (self != NULL && !self->header_done);

  crypto_secretstream_xchacha20poly1305_init_push (self->state, header, self->key);
  crypto_generichash_update (self->hash, header, SOTTO_FILE_HEADER_BYTES);
  self->header_done = TRUE;
}

/**
 * sotto_file_sealer_push:
 * @plain: the next chunk of the file, sotto_file_chunk_size() bytes
 * @sealed: (out caller-allocates): @length + %SOTTO_FILE_CHUNK_OVERHEAD
 *   bytes
 *
 * Returns: %TRUE, or %FALSE with %SOTTO_E2E_ERROR_BAD_FORMAT for a chunk
 *   of the wrong size, or one past the last
 */
gboolean
sotto_file_sealer_push (SottoFileSealer  *self,
                        const guint8     *plain,
                        gsize             length,
                        guint8           *sealed,
                        GError          **error)
{
  guint64 count;
  guint8 tag;

  g_return_val_if_fail (self != NULL && self->header_done, FALSE);
  g_return_val_if_fail (plain != NULL || length == 0, FALSE);

  count = sotto_file_chunk_count (self->size);
  if (self->next >= count || length != sotto_file_chunk_size (self->size, self->next))
    {
      g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT,
                           _("The file changed while it was being encrypted"));
      return FALSE;
    }

  tag = self->next + 1 == count ? crypto_secretstream_xchacha20poly1305_TAG_FINAL
                                : crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
  crypto_secretstream_xchacha20poly1305_push (self->state, sealed, NULL,
                                              plain != NULL ? plain : (const guint8 *) "",
                                              length, NULL, 0, tag);
  crypto_generichash_update (self->hash, sealed, length + SOTTO_FILE_CHUNK_OVERHEAD);
  self->next++;
  return TRUE;
}

/**
 * sotto_file_sealer_finish:
 * @hash: (out caller-allocates) (array fixed-size=32): the blob's hash
 *
 * Returns: %TRUE once every chunk was pushed, else %FALSE with
 *   %SOTTO_E2E_ERROR_BAD_FORMAT
 */
gboolean
sotto_file_sealer_finish (SottoFileSealer  *self,
                          guint8           *hash,
                          GError          **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (!self->header_done || self->next != sotto_file_chunk_count (self->size))
    {
      g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT,
                           _("The file ended before it was all encrypted"));
      return FALSE;
    }
  crypto_generichash_final (self->hash, hash, SOTTO_FILE_HASH_BYTES);
  return TRUE;
}

void
sotto_file_sealer_free (SottoFileSealer *self)
{
  if (self == NULL)
    return;

  sodium_free (self->key);
  sodium_free (self->state);
  sodium_free (self->hash);
  g_free (self);
}

/* Opening */

struct _SottoFileOpener
{
  guint64                                      size;
  guint64                                      next;
  gboolean                                     header_done;
  gboolean                                     failed;
  guint8                                       hash[SOTTO_FILE_HASH_BYTES];
  guint8                                      *key;
  crypto_secretstream_xchacha20poly1305_state *state;
  crypto_generichash_state                    *hashing;
};

/**
 * sotto_file_opener_new:
 * @key: (array fixed-size=32): the file's key, from its message
 * @size: the file's size, from its message
 * @hash: (array fixed-size=32): the blob's hash, from its message
 *
 * Returns: (transfer full) (nullable): an opener, or %NULL for a size past
 *   %SOTTO_FILE_MAX_BYTES
 */
SottoFileOpener *
sotto_file_opener_new (const guint8 *key,
                       guint64       size,
                       const guint8 *hash)
{
  SottoFileOpener *self;

  g_return_val_if_fail (key != NULL && hash != NULL, NULL);

  if (size > SOTTO_FILE_MAX_BYTES)
    return NULL;

  self = g_new0 (SottoFileOpener, 1);
  self->size = size;
  memcpy (self->hash, hash, SOTTO_FILE_HASH_BYTES);
  self->key = _sotto_e2e_secure_alloc (SOTTO_FILE_KEY_BYTES);
  self->state = _sotto_e2e_secure_alloc (sizeof *self->state);
  self->hashing = _sotto_e2e_secure_alloc (sizeof *self->hashing);
  memcpy (self->key, key, SOTTO_FILE_KEY_BYTES);
  crypto_generichash_init (self->hashing, NULL, 0, SOTTO_FILE_HASH_BYTES);
  return self;
}

static gboolean
fail (SottoFileOpener  *self,
      GError          **error)
{
  self->failed = TRUE;
  g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_DECRYPT_FAILED,
                       _("The file was changed, cut or swapped on its way"));
  return FALSE;
}

/**
 * sotto_file_opener_header:
 * @header: (array fixed-size=24): the blob's first bytes
 */
gboolean
sotto_file_opener_header (SottoFileOpener  *self,
                          const guint8     *header,
                          GError          **error)
{
  g_return_val_if_fail (self != NULL && !self->header_done, FALSE);

  if (self->failed ||
      crypto_secretstream_xchacha20poly1305_init_pull (self->state, header, self->key) != 0)
    return fail (self, error);

  crypto_generichash_update (self->hashing, header, SOTTO_FILE_HEADER_BYTES);
  self->header_done = TRUE;
  return TRUE;
}

/**
 * sotto_file_opener_pull:
 * @sealed: the next chunk of the blob
 * @length: its length: sotto_file_chunk_size() + %SOTTO_FILE_CHUNK_OVERHEAD
 * @plain: (out caller-allocates): @length - %SOTTO_FILE_CHUNK_OVERHEAD
 *   bytes of the file
 *
 * Returns: %TRUE, or %FALSE with %SOTTO_E2E_ERROR_DECRYPT_FAILED for a
 *   chunk that is not the next of this file as sealed; the opener then
 *   refuses everything after
 */
gboolean
sotto_file_opener_pull (SottoFileOpener  *self,
                        const guint8     *sealed,
                        gsize             length,
                        guint8           *plain,
                        GError          **error)
{
  guint64 count;
  gboolean last;
  guint8 tag = 0;

  g_return_val_if_fail (self != NULL && sealed != NULL && plain != NULL, FALSE);

  count = sotto_file_chunk_count (self->size);
  if (self->failed || !self->header_done || self->next >= count ||
      length != sotto_file_chunk_size (self->size, self->next) + SOTTO_FILE_CHUNK_OVERHEAD)
    return fail (self, error);

  last = self->next + 1 == count;
  if (crypto_secretstream_xchacha20poly1305_pull (self->state, plain, NULL, &tag, sealed, length,
                                                  NULL, 0) != 0 ||
      tag != (last ? crypto_secretstream_xchacha20poly1305_TAG_FINAL
                   : crypto_secretstream_xchacha20poly1305_TAG_MESSAGE))
    {
      sodium_memzero (plain, length - SOTTO_FILE_CHUNK_OVERHEAD);
      return fail (self, error);
    }

  crypto_generichash_update (self->hashing, sealed, length);
  self->next++;
  return TRUE;
}

/**
 * sotto_file_opener_finish:
 *
 * Returns: %TRUE once every chunk opened and the blob is the one its
 *   message names, else %FALSE with %SOTTO_E2E_ERROR_DECRYPT_FAILED
 */
gboolean
sotto_file_opener_finish (SottoFileOpener  *self,
                          GError          **error)
{
  guint8 hash[SOTTO_FILE_HASH_BYTES];

  g_return_val_if_fail (self != NULL, FALSE);

  if (self->failed || !self->header_done || self->next != sotto_file_chunk_count (self->size))
    return fail (self, error);

  crypto_generichash_final (self->hashing, hash, sizeof hash);
  if (sodium_memcmp (hash, self->hash, sizeof hash) != 0)
    return fail (self, error);
  return TRUE;
}

void
sotto_file_opener_free (SottoFileOpener *self)
{
  if (self == NULL)
    return;

  sodium_free (self->key);
  sodium_free (self->state);
  sodium_free (self->hashing);
  g_free (self);
}
