/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <sodium.h>
#include <string.h>

#include "sotto-pin-store.h"
#include "sotto-wire-error.h"

G_DEFINE_INTERFACE (SottoPinStore, sotto_pin_store, G_TYPE_OBJECT)

static void
sotto_pin_store_default_init (SottoPinStoreInterface *iface)
{
}

gboolean
sotto_pin_store_lookup (SottoPinStore *self,
                        const char    *server,
                        guint8        *public_key)
{
  g_return_val_if_fail (SOTTO_IS_PIN_STORE (self), FALSE);
  g_return_val_if_fail (server != NULL, FALSE);
  g_return_val_if_fail (public_key != NULL, FALSE);

  return SOTTO_PIN_STORE_GET_IFACE (self)->lookup (self, server, public_key);
}

gboolean
sotto_pin_store_pin (SottoPinStore  *self,
                     const char     *server,
                     const guint8   *public_key,
                     GError        **error)
{
  g_return_val_if_fail (SOTTO_IS_PIN_STORE (self), FALSE);
  g_return_val_if_fail (server != NULL, FALSE);
  g_return_val_if_fail (public_key != NULL, FALSE);

  return SOTTO_PIN_STORE_GET_IFACE (self)->pin (self, server, public_key, error);
}

/* A pin store in a key file: one group per server, its key in base64. */
struct _SottoFilePinStore
{
  GObject  parent_instance;

  char    *path;
};

static void pin_store_iface_init (SottoPinStoreInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SottoFilePinStore, sotto_file_pin_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (SOTTO_TYPE_PIN_STORE, pin_store_iface_init))

#define PIN_KEY "ed25519"

/* Group names cannot hold '[' or ']', which IPv6 addresses do. */
static char *
pin_group_for_server (const char *server)
{
  return g_uri_escape_string (server, NULL, FALSE);
}

static GKeyFile *
file_pin_store_load (SottoFilePinStore *self)
{
  GKeyFile *key_file = g_key_file_new ();

  /* A missing or unreadable file holds no pins: the user is asked again,
   * which is the safe direction. */
  g_key_file_load_from_file (key_file, self->path, G_KEY_FILE_NONE, NULL);

  return key_file;
}

static gboolean
file_pin_store_lookup (SottoPinStore *store,
                       const char    *server,
                       guint8        *public_key)
{
  SottoFilePinStore *self = SOTTO_FILE_PIN_STORE (store);
  g_autoptr(GKeyFile) key_file = file_pin_store_load (self);
  g_autofree char *group = pin_group_for_server (server);
  g_autofree char *encoded = g_key_file_get_string (key_file, group, PIN_KEY, NULL);
  guint8 decoded[crypto_sign_PUBLICKEYBYTES];
  size_t decoded_len = 0;

  if (encoded == NULL)
    return FALSE;

  if (sodium_base642bin (decoded, sizeof decoded, encoded, strlen (encoded), NULL,
                         &decoded_len, NULL, sodium_base64_VARIANT_ORIGINAL) != 0 ||
      decoded_len != sizeof decoded)
    {
      /* A damaged entry must not read as "never pinned", or a changed key
       * would pass as a first contact. An all-zero key matches no server. */
      memset (public_key, 0, crypto_sign_PUBLICKEYBYTES);
      return TRUE;
    }

  memcpy (public_key, decoded, sizeof decoded);
  return TRUE;
}

static gboolean
file_pin_store_pin (SottoPinStore  *store,
                    const char     *server,
                    const guint8   *public_key,
                    GError        **error)
{
  SottoFilePinStore *self = SOTTO_FILE_PIN_STORE (store);
  g_autoptr(GKeyFile) key_file = file_pin_store_load (self);
  char encoded[sodium_base64_ENCODED_LEN (crypto_sign_PUBLICKEYBYTES,
                                          sodium_base64_VARIANT_ORIGINAL)];
  g_autofree char *dir = g_path_get_dirname (self->path);
  g_autofree char *group = pin_group_for_server (server);

  sodium_bin2base64 (encoded, sizeof encoded, public_key, crypto_sign_PUBLICKEYBYTES,
                     sodium_base64_VARIANT_ORIGINAL);
  g_key_file_set_string (key_file, group, PIN_KEY, encoded);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      g_set_error (error, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_KEY_FILE,
                   _("Could not create %s"), dir);
      return FALSE;
    }

  return g_key_file_save_to_file (key_file, self->path, error);
}

static void
pin_store_iface_init (SottoPinStoreInterface *iface)
{
  iface->lookup = file_pin_store_lookup;
  iface->pin = file_pin_store_pin;
}

static void
sotto_file_pin_store_finalize (GObject *object)
{
  SottoFilePinStore *self = SOTTO_FILE_PIN_STORE (object);

  g_free (self->path);

  G_OBJECT_CLASS (sotto_file_pin_store_parent_class)->finalize (object);
}

static void
sotto_file_pin_store_class_init (SottoFilePinStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sotto_file_pin_store_finalize;
}

static void
sotto_file_pin_store_init (SottoFilePinStore *self)
{
}

SottoFilePinStore *
sotto_file_pin_store_new (const char *path)
{
  SottoFilePinStore *self;

  g_return_val_if_fail (path != NULL, NULL);

  self = g_object_new (SOTTO_TYPE_FILE_PIN_STORE, NULL);
  self->path = g_strdup (path);

  return self;
}
