/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sotto-memory-pin-store.h"
#include "sotto-server-key.h"

/*
 * A pin store that forgets everything with the object: each one is a
 * fresh device, trusting on first use and then checking like a client
 * would. For the tests and the load generator, which must not touch a
 * user's files.
 */

struct _SottoMemoryPinStore
{
  GObject     parent_instance;

  /* "host:port" → GBytes of the server's Ed25519 public key. */
  GHashTable *pins;
};

static void pin_store_iface_init (SottoPinStoreInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SottoMemoryPinStore, sotto_memory_pin_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (SOTTO_TYPE_PIN_STORE, pin_store_iface_init))

static gboolean
memory_pin_store_lookup (SottoPinStore *store,
                         const char    *server,
                         guint8        *public_key)
{
  GBytes *key = g_hash_table_lookup (SOTTO_MEMORY_PIN_STORE (store)->pins, server);

  if (key == NULL)
    return FALSE;

  memcpy (public_key, g_bytes_get_data (key, NULL), SOTTO_SERVER_KEY_PUBLIC_SIZE);
  return TRUE;
}

static gboolean
memory_pin_store_pin (SottoPinStore  *store,
                      const char     *server,
                      const guint8   *public_key,
                      GError        **error)
{
  g_hash_table_insert (SOTTO_MEMORY_PIN_STORE (store)->pins, g_strdup (server),
                       g_bytes_new (public_key, SOTTO_SERVER_KEY_PUBLIC_SIZE));
  return TRUE;
}

static void
pin_store_iface_init (SottoPinStoreInterface *iface)
{
  iface->lookup = memory_pin_store_lookup;
  iface->pin = memory_pin_store_pin;
}

static void
sotto_memory_pin_store_finalize (GObject *object)
{
  SottoMemoryPinStore *self = SOTTO_MEMORY_PIN_STORE (object);

  g_hash_table_unref (self->pins);

  G_OBJECT_CLASS (sotto_memory_pin_store_parent_class)->finalize (object);
}

static void
sotto_memory_pin_store_class_init (SottoMemoryPinStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sotto_memory_pin_store_finalize;
}

static void
sotto_memory_pin_store_init (SottoMemoryPinStore *self)
{
  self->pins = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                      (GDestroyNotify) g_bytes_unref);
}

/**
 * sotto_memory_pin_store_new:
 *
 * Returns: (transfer full): an empty pin store that lives in memory only
 */
SottoMemoryPinStore *
sotto_memory_pin_store_new (void)
{
  return g_object_new (SOTTO_TYPE_MEMORY_PIN_STORE, NULL);
}
