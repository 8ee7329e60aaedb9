/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "sotto-server-key.h"
#include "sotto-wire-error.h"

/* The key file is a fixed magic and the Ed25519 seed; the key pair is
 * derived from the seed at load, so a file cannot hold a mismatched pair. */
#define KEY_FILE_MAGIC "sotto-server-key-v1\n"
#define KEY_FILE_MAGIC_LEN (sizeof KEY_FILE_MAGIC - 1)
#define KEY_FILE_SIZE (KEY_FILE_MAGIC_LEN + crypto_sign_SEEDBYTES)
#define FINGERPRINT_BYTES 16

struct _SottoServerKey
{
  GObject  parent_instance;

  guint8   public_key[crypto_sign_PUBLICKEYBYTES];
  guint8  *secret_key; /* sodium_malloc'ed */
  guint8  *seed;       /* sodium_malloc'ed */
  char    *fingerprint;
};

G_DEFINE_FINAL_TYPE (SottoServerKey, sotto_server_key, G_TYPE_OBJECT)

static void
sotto_server_key_finalize (GObject *object)
{
  SottoServerKey *self = SOTTO_SERVER_KEY (object);

  sodium_free (self->secret_key);
  sodium_free (self->seed);
  g_free (self->fingerprint);

  G_OBJECT_CLASS (sotto_server_key_parent_class)->finalize (object);
}

static void
sotto_server_key_class_init (SottoServerKeyClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sotto_server_key_finalize;
}

static void
sotto_server_key_init (SottoServerKey *self)
{
  self->secret_key = sodium_malloc (crypto_sign_SECRETKEYBYTES);
  self->seed = sodium_malloc (crypto_sign_SEEDBYTES);
  if (self->secret_key == NULL || self->seed == NULL)
    g_error ("Out of secure memory");
}

static SottoServerKey *
server_key_new_from_seed (const guint8 *seed)
{
  SottoServerKey *self = g_object_new (SOTTO_TYPE_SERVER_KEY, NULL);

  memcpy (self->seed, seed, crypto_sign_SEEDBYTES);
  crypto_sign_seed_keypair (self->public_key, self->secret_key, self->seed);
  self->fingerprint = sotto_fingerprint_for_public_key (self->public_key);

  return self;
}

SottoServerKey *
sotto_server_key_new_random (void)
{
  guint8 seed[crypto_sign_SEEDBYTES];
  SottoServerKey *self;

  randombytes_buf (seed, sizeof seed);
  self = server_key_new_from_seed (seed);
  sodium_memzero (seed, sizeof seed);

  return self;
}

/**
 * sotto_fingerprint_for_public_key:
 * @public_key: an Ed25519 public key
 *
 * Returns: a fingerprint a person can read out over the phone: 128 bits of
 *   BLAKE2b of the key as 8 groups of 4 upper-case hex digits.
 */
char *
sotto_fingerprint_for_public_key (const guint8 *public_key)
{
  static const char label[] = "sotto-server-fingerprint-v1";
  guint8 digest[FINGERPRINT_BYTES];
  crypto_generichash_state state;
  GString *out = g_string_sized_new (40);

  crypto_generichash_init (&state, NULL, 0, sizeof digest);
  crypto_generichash_update (&state, (const guint8 *) label, sizeof label);
  crypto_generichash_update (&state, public_key, crypto_sign_PUBLICKEYBYTES);
  crypto_generichash_final (&state, digest, sizeof digest);

  for (gsize i = 0; i < sizeof digest; i += 2)
    {
      if (i > 0)
        g_string_append_c (out, ' ');
      g_string_append_printf (out, "%02X%02X", digest[i], digest[i + 1]);
    }

  return g_string_free (out, FALSE);
}

gboolean
sotto_server_key_save (SottoServerKey  *self,
                       const char      *path,
                       GError         **error)
{
  g_autofree char *tmp_path = NULL;
  guint8 contents[KEY_FILE_SIZE];
  gsize written = 0;
  int fd;
  int saved_errno = 0;

  g_return_val_if_fail (SOTTO_IS_SERVER_KEY (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  memcpy (contents, KEY_FILE_MAGIC, KEY_FILE_MAGIC_LEN);
  memcpy (contents + KEY_FILE_MAGIC_LEN, self->seed, crypto_sign_SEEDBYTES);

  /* Created 0600 from the start, then renamed into place, so the secret is
   * never readable by others and a crash never leaves a half-written key. */
  tmp_path = g_strconcat (path, ".tmp", NULL);
  fd = g_open (tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    saved_errno = errno;

  while (fd >= 0 && written < sizeof contents)
    {
      gssize n = write (fd, contents + written, sizeof contents - written);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          saved_errno = errno != 0 ? errno : EIO;
          break;
        }
      written += n;
    }

  sodium_memzero (contents, sizeof contents);

  if (fd >= 0 && saved_errno == 0 && fsync (fd) != 0)
    saved_errno = errno;
  if (fd >= 0 && close (fd) != 0 && saved_errno == 0)
    saved_errno = errno;
  if (saved_errno == 0 && g_rename (tmp_path, path) != 0)
    saved_errno = errno;

  if (saved_errno != 0)
    {
      g_unlink (tmp_path);
      g_set_error (error, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_KEY_FILE,
                   _("Could not write the server key to %s: %s"),
                   path, g_strerror (saved_errno));
      return FALSE;
    }

  return TRUE;
}

static SottoServerKey *
server_key_load (const char  *path,
                 GError     **error)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) local_error = NULL;
  SottoServerKey *self;
  gsize length = 0;
  GStatBuf st;

  if (!g_file_get_contents (path, &contents, &length, &local_error))
    {
      g_set_error (error, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_KEY_FILE,
                   _("Could not read the server key: %s"), local_error->message);
      return NULL;
    }

  if (length != KEY_FILE_SIZE || memcmp (contents, KEY_FILE_MAGIC, KEY_FILE_MAGIC_LEN) != 0)
    {
      sodium_memzero (contents, length);
      g_set_error (error, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_KEY_FILE,
                   _("%s is not a Sotto server key file"), path);
      return NULL;
    }

  self = server_key_new_from_seed ((const guint8 *) contents + KEY_FILE_MAGIC_LEN);
  sodium_memzero (contents, length);

  if (g_stat (path, &st) == 0 && (st.st_mode & 0077) != 0)
    g_warning ("The server key %s is readable by other users; run chmod 600 on it", path);

  return self;
}

/**
 * sotto_server_key_load_or_create:
 * @path: the key file in the server's data directory
 *
 * Loads the long-term key, or creates and saves one (mode 0600) when the
 * file does not exist. A file that exists but is not a key is an error:
 * it is never overwritten, since clients have pinned the key it holds.
 */
SottoServerKey *
sotto_server_key_load_or_create (const char  *path,
                                 GError     **error)
{
  g_autoptr(SottoServerKey) key = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  if (g_file_test (path, G_FILE_TEST_EXISTS))
    return server_key_load (path, error);

  key = sotto_server_key_new_random ();
  if (!sotto_server_key_save (key, path, error))
    return NULL;

  return g_steal_pointer (&key);
}

const guint8 *
sotto_server_key_get_public (SottoServerKey *self)
{
  g_return_val_if_fail (SOTTO_IS_SERVER_KEY (self), NULL);

  return self->public_key;
}

const char *
sotto_server_key_get_fingerprint (SottoServerKey *self)
{
  g_return_val_if_fail (SOTTO_IS_SERVER_KEY (self), NULL);

  return self->fingerprint;
}

void
sotto_server_key_sign (SottoServerKey *self,
                       const guint8   *message,
                       gsize           length,
                       guint8         *signature)
{
  g_return_if_fail (SOTTO_IS_SERVER_KEY (self));

  crypto_sign_detached (signature, NULL, message, length, self->secret_key);
}
