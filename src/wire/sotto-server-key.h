/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <sodium.h>

G_BEGIN_DECLS

#define SOTTO_SERVER_KEY_PUBLIC_SIZE crypto_sign_PUBLICKEYBYTES
#define SOTTO_SERVER_KEY_SIGNATURE_SIZE crypto_sign_BYTES

#define SOTTO_TYPE_SERVER_KEY (sotto_server_key_get_type ())

G_DECLARE_FINAL_TYPE (SottoServerKey, sotto_server_key, SOTTO, SERVER_KEY, GObject)

SottoServerKey *sotto_server_key_new_random     (void);
SottoServerKey *sotto_server_key_load_or_create (const char      *path,
                                                 GError         **error);
gboolean        sotto_server_key_save           (SottoServerKey  *self,
                                                 const char      *path,
                                                 GError         **error);
const guint8   *sotto_server_key_get_public     (SottoServerKey  *self);
const char     *sotto_server_key_get_fingerprint (SottoServerKey *self);
void            sotto_server_key_sign           (SottoServerKey  *self,
                                                 const guint8    *message,
                                                 gsize            length,
                                                 guint8          *signature);

char           *sotto_fingerprint_for_public_key (const guint8   *public_key);

G_END_DECLS
