/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-e2e-private.h"
#include "sotto-password-seal.h"

/* A sealed blob:
 *
 *   offset  size  field
 *        0     4  magic "SOTS"
 *        4     1  format version (1)
 *        5     1  algorithm (crypto_pwhash_ALG_ARGON2ID13)
 *        6     8  opslimit, big endian
 *       14     8  memlimit in bytes, big endian
 *       22    16  salt
 *       38    24  nonce
 *       62     *  crypto_secretbox_easy (MAC, then ciphertext)
 *
 * The secretbox key is BLAKE2b keyed with the Argon2id output over the whole
 * 62-byte header, so every header byte is authenticated: a changed limit that
 * happens to derive the same Argon2id output (memlimit is rounded to KiB)
 * still fails.
 */

#define SEAL_MAGIC "SOTS"
#define SEAL_MAGIC_LEN 4
#define SEAL_VERSION 1
#define SEAL_OFFSET_VERSION 4
#define SEAL_OFFSET_ALG 5
#define SEAL_OFFSET_OPSLIMIT 6
#define SEAL_OFFSET_MEMLIMIT 14
#define SEAL_OFFSET_SALT 22
#define SEAL_OFFSET_NONCE (SEAL_OFFSET_SALT + crypto_pwhash_SALTBYTES)
#define SEAL_HEADER_LEN (SEAL_OFFSET_NONCE + crypto_secretbox_NONCEBYTES)

G_STATIC_ASSERT (crypto_pwhash_SALTBYTES == 16);
G_STATIC_ASSERT (crypto_secretbox_NONCEBYTES == 24);
G_STATIC_ASSERT (SEAL_HEADER_LEN == 62);
G_STATIC_ASSERT (SOTTO_PASSWORD_SEAL_OVERHEAD == SEAL_HEADER_LEN + crypto_secretbox_MACBYTES);
G_STATIC_ASSERT (crypto_secretbox_KEYBYTES == crypto_generichash_BYTES);

static gboolean
derive_key (const guint8  *header,
            const char    *password,
            guint64        opslimit,
            gsize          memlimit,
            guint8        *key,
            GError       **error)
{
  guint8 *stretched = _sotto_e2e_secure_alloc (crypto_secretbox_KEYBYTES);
  gboolean ret = FALSE;

  if (crypto_pwhash (stretched, crypto_secretbox_KEYBYTES,
                     password, strlen (password),
                     header + SEAL_OFFSET_SALT,
                     opslimit, memlimit,
                     crypto_pwhash_ALG_ARGON2ID13) != 0)
    {
      g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_FAILED,
                           _("Not enough memory to derive a key from the password"));
      goto out;
    }

  crypto_generichash (key, crypto_secretbox_KEYBYTES,
                      header, SEAL_HEADER_LEN,
                      stretched, crypto_secretbox_KEYBYTES);
  ret = TRUE;

out:
  sodium_free (stretched);

  return ret;
}

/**
 * sotto_password_seal:
 * @plaintext: the data to protect
 * @password: the password, as UTF-8
 * @opslimit: Argon2id passes, between %SOTTO_PWHASH_OPSLIMIT_MIN and
 *   %SOTTO_PWHASH_OPSLIMIT_MAX
 * @memlimit: Argon2id memory in bytes, between %SOTTO_PWHASH_MEMLIMIT_MIN and
 *   %SOTTO_PWHASH_MEMLIMIT_MAX
 * @error: return location for a #GError
 *
 * Encrypts @plaintext under a key derived from @password with Argon2id and a
 * random salt. The cost parameters are stored in the blob, so
 * sotto_password_unseal() needs only the password.
 *
 * The password is used byte for byte; a caller that wants "the same"
 * password typed on different keyboards to match normalizes it first
 * (g_utf8_normalize()), the same way every time.
 *
 * This is slow by design (the default costs take a fraction of a second and
 * 64 MiB): never call it on the main loop, run it in a thread
 * (g_task_run_in_thread()).
 *
 * Returns: (transfer full): the sealed blob, or %NULL on error
 */
GBytes *
sotto_password_seal (GBytes      *plaintext,
                     const char  *password,
                     guint64      opslimit,
                     gsize        memlimit,
                     GError     **error)
{
  g_autofree guint8 *sealed = NULL;
  const guint8 *message;
  guint8 *key;
  gsize message_len;
  gsize sealed_len;

  g_return_val_if_fail (plaintext != NULL, NULL);
  g_return_val_if_fail (password != NULL, NULL);
  g_return_val_if_fail (opslimit >= SOTTO_PWHASH_OPSLIMIT_MIN, NULL);
  g_return_val_if_fail (opslimit <= SOTTO_PWHASH_OPSLIMIT_MAX, NULL);
  g_return_val_if_fail (memlimit >= SOTTO_PWHASH_MEMLIMIT_MIN, NULL);
  g_return_val_if_fail (memlimit <= SOTTO_PWHASH_MEMLIMIT_MAX, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  message = _sotto_e2e_bytes_get_data (plaintext, &message_len);
  g_return_val_if_fail (message_len <= G_MAXSIZE - SOTTO_PASSWORD_SEAL_OVERHEAD, NULL);

  sealed_len = SOTTO_PASSWORD_SEAL_OVERHEAD + message_len;
  sealed = g_malloc (sealed_len);

  memcpy (sealed, SEAL_MAGIC, SEAL_MAGIC_LEN);
  sealed[SEAL_OFFSET_VERSION] = SEAL_VERSION;
  sealed[SEAL_OFFSET_ALG] = crypto_pwhash_ALG_ARGON2ID13;
  _sotto_e2e_put_u64 (sealed + SEAL_OFFSET_OPSLIMIT, opslimit);
  _sotto_e2e_put_u64 (sealed + SEAL_OFFSET_MEMLIMIT, memlimit);
  randombytes_buf (sealed + SEAL_OFFSET_SALT, crypto_pwhash_SALTBYTES);
  randombytes_buf (sealed + SEAL_OFFSET_NONCE, crypto_secretbox_NONCEBYTES);

  key = _sotto_e2e_secure_alloc (crypto_secretbox_KEYBYTES);
  if (!derive_key (sealed, password, opslimit, memlimit, key, error))
    {
      sodium_free (key);
      return NULL;
    }

  crypto_secretbox_easy (sealed + SEAL_HEADER_LEN, message, message_len,
                         sealed + SEAL_OFFSET_NONCE, key);
  sodium_free (key);

  return g_bytes_new_take (g_steal_pointer (&sealed), sealed_len);
}

/**
 * sotto_password_unseal:
 * @sealed: a blob from sotto_password_seal()
 * @password: the password
 * @error: return location for a #GError
 *
 * Decrypts a blob made by sotto_password_seal(). Cost parameters outside the
 * accepted range fail with %SOTTO_E2E_ERROR_BAD_FORMAT before any work is
 * done. A wrong password and altered data both give
 * %SOTTO_E2E_ERROR_BAD_PASSWORD: they cannot be told apart.
 *
 * Slow by design, like sotto_password_seal(): run it in a thread.
 *
 * Returns: (transfer full): the plaintext, in memory that is wiped when the
 *   last reference is dropped, or %NULL on error
 */
GBytes *
sotto_password_unseal (GBytes      *sealed,
                       const char  *password,
                       GError     **error)
{
  g_autoptr(GBytes) plaintext = NULL;
  const guint8 *data;
  guint8 *message;
  guint8 *key;
  guint64 opslimit;
  guint64 memlimit;
  gsize len;
  int rc;

  g_return_val_if_fail (sealed != NULL, NULL);
  g_return_val_if_fail (password != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  data = _sotto_e2e_bytes_get_data (sealed, &len);

  if (len < SOTTO_PASSWORD_SEAL_OVERHEAD ||
      memcmp (data, SEAL_MAGIC, SEAL_MAGIC_LEN) != 0 ||
      data[SEAL_OFFSET_VERSION] != SEAL_VERSION ||
      data[SEAL_OFFSET_ALG] != crypto_pwhash_ALG_ARGON2ID13)
    {
      g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT,
                           _("The sealed data is damaged or in an unknown format"));
      return NULL;
    }

  opslimit = _sotto_e2e_get_u64 (data + SEAL_OFFSET_OPSLIMIT);
  memlimit = _sotto_e2e_get_u64 (data + SEAL_OFFSET_MEMLIMIT);

  if (opslimit < SOTTO_PWHASH_OPSLIMIT_MIN || opslimit > SOTTO_PWHASH_OPSLIMIT_MAX ||
      memlimit < SOTTO_PWHASH_MEMLIMIT_MIN || memlimit > SOTTO_PWHASH_MEMLIMIT_MAX)
    {
      g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT,
                           _("The sealed data asks for unreasonable password hashing costs"));
      return NULL;
    }

  key = _sotto_e2e_secure_alloc (crypto_secretbox_KEYBYTES);
  if (!derive_key (data, password, opslimit, (gsize) memlimit, key, error))
    {
      sodium_free (key);
      return NULL;
    }

  plaintext = _sotto_e2e_secure_bytes_new (len - SOTTO_PASSWORD_SEAL_OVERHEAD, &message);
  rc = crypto_secretbox_open_easy (message, data + SEAL_HEADER_LEN, len - SEAL_HEADER_LEN,
                                   data + SEAL_OFFSET_NONCE, key);
  sodium_free (key);

  if (rc != 0)
    {
      g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_PASSWORD,
                           _("Wrong password, or the sealed data was altered"));
      return NULL;
    }

  return g_steal_pointer (&plaintext);
}
