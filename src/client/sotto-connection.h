/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sotto-client-enums.h"
#include "sotto-client-error.h"
#include "sotto-protocol.h"
#include "sotto-wire.h"

G_BEGIN_DECLS

typedef enum
{
  SOTTO_CONNECTION_DISCONNECTED,
  SOTTO_CONNECTION_CONNECTING,
  SOTTO_CONNECTION_HANDSHAKING,
  SOTTO_CONNECTION_AWAITING_TRUST,
  SOTTO_CONNECTION_CONNECTED,
} SottoConnectionState;

#define SOTTO_TYPE_CONNECTION (sotto_connection_get_type ())

G_DECLARE_FINAL_TYPE (SottoConnection, sotto_connection, SOTTO, CONNECTION, GObject)

SottoConnection      *sotto_connection_new                (const char           *server,
                                                           SottoPinStore        *pins);
SottoConnectionState  sotto_connection_get_state          (SottoConnection      *self);
const char           *sotto_connection_get_server_fingerprint (SottoConnection  *self);
const char           *sotto_connection_get_pinned_fingerprint (SottoConnection  *self);
const char           *sotto_connection_get_server_version (SottoConnection      *self);
guint                 sotto_connection_get_min_password   (SottoConnection      *self);
guint64               sotto_connection_get_max_file       (SottoConnection      *self);
gsize                 sotto_connection_get_max_piece      (SottoConnection      *self);
void                  sotto_connection_set_timeout        (SottoConnection      *self,
                                                           guint                 seconds);

void                  sotto_connection_connect_async      (SottoConnection      *self,
                                                           GCancellable         *cancellable,
                                                           GAsyncReadyCallback   callback,
                                                           gpointer              user_data);
gboolean              sotto_connection_connect_finish     (SottoConnection      *self,
                                                           GAsyncResult         *result,
                                                           GError              **error);
void                  sotto_connection_trust_server_async (SottoConnection      *self,
                                                           GCancellable         *cancellable,
                                                           GAsyncReadyCallback   callback,
                                                           gpointer              user_data);
gboolean              sotto_connection_trust_server_finish (SottoConnection     *self,
                                                            GAsyncResult        *result,
                                                            GError             **error);
void                  sotto_connection_close              (SottoConnection      *self);

char                 *sotto_connection_next_id            (SottoConnection      *self);
gboolean              sotto_connection_send               (SottoConnection      *self,
                                                           GBytes               *message);
void                  sotto_connection_request_async      (SottoConnection      *self,
                                                           const char           *id,
                                                           GBytes               *message,
                                                           GCancellable         *cancellable,
                                                           GAsyncReadyCallback   callback,
                                                           gpointer              user_data);
void                  sotto_connection_request_bulk_async (SottoConnection    *self,
                                                           const char           *id,
                                                           GBytes               *message,
                                                           GCancellable         *cancellable,
                                                           GAsyncReadyCallback   callback,
                                                           gpointer              user_data);
SottoMsg             *sotto_connection_request_finish     (SottoConnection      *self,
                                                           GAsyncResult         *result,
                                                           GError              **error);

G_END_DECLS
