/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "sotto-client-store-private.h"

/* Secrets at rest: secure memory, the keys derived from the local key, and
 * values sealed to their place in the file. */

/* crypto_kdf context and subkey ids of the keys derived from the local key. */
#define KDF_CONTEXT "SottoCSt"
#define KDF_ID_VALUE_KEY 1
#define KDF_ID_IDENTITY_PASSWORD 2

/* The format of a value is in sotto-client-store-private.h. */
#define VALUE_VERSION SOTTO_CLIENT_STORE_VALUE_VERSION
#define VALUE_NONCE_BYTES SOTTO_CLIENT_STORE_VALUE_NONCE_BYTES
#define VALUE_HEADER_BYTES SOTTO_CLIENT_STORE_VALUE_HEADER_BYTES
#define VALUE_OVERHEAD SOTTO_CLIENT_STORE_VALUE_OVERHEAD

G_STATIC_ASSERT (crypto_aead_xchacha20poly1305_ietf_KEYBYTES ==
                 SOTTO_CLIENT_STORE_LOCAL_KEY_BYTES);
G_STATIC_ASSERT (crypto_kdf_KEYBYTES == SOTTO_CLIENT_STORE_LOCAL_KEY_BYTES);
G_STATIC_ASSERT (sizeof KDF_CONTEXT - 1 == crypto_kdf_CONTEXTBYTES);

/* Secure memory */

gpointer
_sotto_client_store_secure_alloc (gsize size)
{
  /* Never zero bytes: every caller gets a pointer it may hand to libsodium. */
  gpointer mem = sodium_malloc (MAX (size, 1));

  if (mem == NULL)
    g_error ("%s: failed to allocate %" G_GSIZE_FORMAT " bytes of secure memory",
             G_STRLOC, size);

  return mem;
}

GBytes *
_sotto_client_store_secure_bytes_new (gsize    size,
                                      guint8 **data)
{
  guint8 *mem = _sotto_client_store_secure_alloc (size);

  *data = mem;

  return g_bytes_new_with_free_func (mem, size, sodium_free, mem);
}

/* Passwords are compared byte for byte: the same text typed in another
 * composition must give the same bytes. */
char *
_sotto_client_store_secure_password_new (const char *password)
{
  g_autofree char *normalized = g_utf8_normalize (password, -1, G_NORMALIZE_NFC);
  gsize len;
  char *copy;

  g_assert (normalized != NULL);

  len = strlen (normalized);
  copy = _sotto_client_store_secure_alloc (len + 1);
  memcpy (copy, normalized, len + 1);
  sodium_memzero (normalized, len);

  return copy;
}

void
_sotto_client_store_set_corrupt_error (GError     **error,
                                       const char  *table)
{
  g_set_error (error, SOTTO_CLIENT_STORE_ERROR, SOTTO_CLIENT_STORE_ERROR_CORRUPT,
               _("An encrypted value in “%s” does not belong where it is stored; "
                 "the database was altered or damaged"),
               table);
}

/* Encryption of values */

GBytes *
_sotto_client_store_seal_value (SottoClientStore *self,
                                GByteArray       *ad,
                                const guint8     *plaintext,
                                gsize             size)
{
  gsize blob_len = VALUE_OVERHEAD + size;
  guint8 *blob;

  g_assert (self->keys != NULL);
  g_assert (size <= G_MAXSIZE - VALUE_OVERHEAD);

  blob = g_malloc (blob_len);
  blob[0] = VALUE_VERSION;
  randombytes_buf (blob + 1, VALUE_NONCE_BYTES);
  crypto_aead_xchacha20poly1305_ietf_encrypt (blob + VALUE_HEADER_BYTES, NULL,
                                              plaintext, size,
                                              ad->data, ad->len,
                                              NULL, blob + 1, self->keys->value_key);

  return g_bytes_new_take (blob, blob_len);
}

/* Decrypts into @plaintext, which holds
 * _sotto_client_store_value_plaintext_size() bytes. */
gboolean
_sotto_client_store_open_value (SottoClientStore  *self,
                                GByteArray        *ad,
                                const guint8      *blob,
                                gsize              blob_len,
                                guint8            *plaintext,
                                const char        *table,
                                GError           **error)
{
  g_assert (self->keys != NULL);

  if (_sotto_client_store_value_plaintext_size (blob_len) < 0 || blob[0] != VALUE_VERSION ||
      crypto_aead_xchacha20poly1305_ietf_decrypt (plaintext, NULL, NULL,
                                                  blob + VALUE_HEADER_BYTES,
                                                  blob_len - VALUE_HEADER_BYTES,
                                                  ad->data, ad->len,
                                                  blob + 1, self->keys->value_key) != 0)
    {
      _sotto_client_store_set_corrupt_error (error, table);
      return FALSE;
    }

  return TRUE;
}

/* Derives the keys of an unlocked store from the local key. */
SottoClientStoreKeys *
_sotto_client_store_derive_keys (const guint8 *local_key)
{
  SottoClientStoreKeys *keys;
  guint8 *identity_key;

  keys = _sotto_client_store_secure_alloc (sizeof *keys);
  identity_key = _sotto_client_store_secure_alloc (SOTTO_CLIENT_STORE_LOCAL_KEY_BYTES);

  crypto_kdf_derive_from_key (keys->value_key, sizeof keys->value_key,
                              KDF_ID_VALUE_KEY, KDF_CONTEXT, local_key);
  crypto_kdf_derive_from_key (identity_key, SOTTO_CLIENT_STORE_LOCAL_KEY_BYTES,
                              KDF_ID_IDENTITY_PASSWORD, KDF_CONTEXT, local_key);
  sodium_bin2hex (keys->identity_password, sizeof keys->identity_password,
                  identity_key, SOTTO_CLIENT_STORE_LOCAL_KEY_BYTES);
  sodium_free (identity_key);
  sodium_mprotect_readonly (keys);

  return keys;
}
