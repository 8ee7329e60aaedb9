/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sotto-channel.h"
#include "sotto-pin-store.h"
#include "sotto-server-key.h"

G_BEGIN_DECLS

/* The version both sides state in the handshake; a mismatch is refused. */
#define SOTTO_WIRE_PROTOCOL_VERSION 1

#define SOTTO_TYPE_SERVER_HANDSHAKE (sotto_server_handshake_get_type ())

G_DECLARE_FINAL_TYPE (SottoServerHandshake, sotto_server_handshake, SOTTO, SERVER_HANDSHAKE, GObject)

SottoServerHandshake *sotto_server_handshake_new        (GIOStream             *stream,
                                                         SottoServerKey        *key);
void                  sotto_server_handshake_run_async  (SottoServerHandshake  *self,
                                                         GCancellable          *cancellable,
                                                         GAsyncReadyCallback    callback,
                                                         gpointer               user_data);
SottoChannel         *sotto_server_handshake_run_finish (SottoServerHandshake  *self,
                                                         GAsyncResult          *result,
                                                         GError               **error);

#define SOTTO_TYPE_CLIENT_HANDSHAKE (sotto_client_handshake_get_type ())

G_DECLARE_FINAL_TYPE (SottoClientHandshake, sotto_client_handshake, SOTTO, CLIENT_HANDSHAKE, GObject)

SottoClientHandshake *sotto_client_handshake_new        (GIOStream             *stream,
                                                         const char            *server,
                                                         SottoPinStore         *pins);
void                  sotto_client_handshake_run_async  (SottoClientHandshake  *self,
                                                         GCancellable          *cancellable,
                                                         GAsyncReadyCallback    callback,
                                                         gpointer               user_data);
SottoChannel         *sotto_client_handshake_run_finish (SottoClientHandshake  *self,
                                                         GAsyncResult          *result,
                                                         GError               **error);
SottoChannel         *sotto_client_handshake_trust_server (SottoClientHandshake *self,
                                                           GError              **error);
const char           *sotto_client_handshake_get_server_fingerprint (SottoClientHandshake *self);
const char           *sotto_client_handshake_get_pinned_fingerprint (SottoClientHandshake *self);
const guint8         *sotto_client_handshake_get_server_key (SottoClientHandshake *self);

G_END_DECLS
