/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SOTTO_TYPE_PIN_STORE (sotto_pin_store_get_type ())

G_DECLARE_INTERFACE (SottoPinStore, sotto_pin_store, SOTTO, PIN_STORE, GObject)

/**
 * SottoPinStoreInterface:
 * @lookup: copies the pinned Ed25519 key of @server into @public_key and
 *   returns %TRUE, or returns %FALSE when @server was never pinned
 * @pin: remembers @public_key as the key of @server
 *
 * Where a client keeps the server keys it trusts, keyed by "host:port".
 */
struct _SottoPinStoreInterface
{
  GTypeInterface parent_iface;

  gboolean (*lookup) (SottoPinStore  *self,
                      const char     *server,
                      guint8         *public_key);
  gboolean (*pin)    (SottoPinStore  *self,
                      const char     *server,
                      const guint8   *public_key,
                      GError        **error);
};

gboolean sotto_pin_store_lookup (SottoPinStore  *self,
                                 const char     *server,
                                 guint8         *public_key);
gboolean sotto_pin_store_pin    (SottoPinStore  *self,
                                 const char     *server,
                                 const guint8   *public_key,
                                 GError        **error);

#define SOTTO_TYPE_FILE_PIN_STORE (sotto_file_pin_store_get_type ())

G_DECLARE_FINAL_TYPE (SottoFilePinStore, sotto_file_pin_store, SOTTO, FILE_PIN_STORE, GObject)

SottoFilePinStore *sotto_file_pin_store_new (const char *path);

G_END_DECLS
