/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sotto-protocol.h"
#include "sotto-wire.h"

G_BEGIN_DECLS

#define SOTTO_CLIENT_ERROR (sotto_client_error_quark ())

/**
 * SottoClientError:
 * @SOTTO_CLIENT_ERROR_FAILED: anything else
 * @SOTTO_CLIENT_ERROR_RESOLVE: the server's name could not be found
 * @SOTTO_CLIENT_ERROR_REFUSED: nothing listens at the address
 * @SOTTO_CLIENT_ERROR_TIMED_OUT: the server did not answer in time
 * @SOTTO_CLIENT_ERROR_DISCONNECTED: the connection ended before the answer
 * @SOTTO_CLIENT_ERROR_BAD_ADDRESS: the server address is not HOST:PORT
 *
 * Errors of the connection itself. What the server answers with an
 * `error` message is in the same domain, with the codes after
 * %SOTTO_CLIENT_ERROR_SERVER_FIRST, one per protocol error code. Server
 * key problems are %SOTTO_WIRE_ERROR errors, as the handshake reports them.
 */
typedef enum
{
  SOTTO_CLIENT_ERROR_FAILED,
  SOTTO_CLIENT_ERROR_RESOLVE,
  SOTTO_CLIENT_ERROR_REFUSED,
  SOTTO_CLIENT_ERROR_TIMED_OUT,
  SOTTO_CLIENT_ERROR_DISCONNECTED,
  SOTTO_CLIENT_ERROR_BAD_ADDRESS,
  SOTTO_CLIENT_ERROR_SERVER_FIRST = 100,
} SottoClientError;

GQuark            sotto_client_error_quark       (void);
int               sotto_client_error_from_server (SottoMsgErrorCode  code);
SottoMsgErrorCode sotto_client_error_to_server   (const GError      *error);
gboolean          sotto_client_error_is_server   (const GError      *error,
                                                  SottoMsgErrorCode  code);

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
const char           *sotto_connection_get_server         (SottoConnection      *self);
SottoConnectionState  sotto_connection_get_state          (SottoConnection      *self);
const char           *sotto_connection_get_server_fingerprint (SottoConnection  *self);
const char           *sotto_connection_get_pinned_fingerprint (SottoConnection  *self);
const char           *sotto_connection_get_server_version (SottoConnection      *self);
guint                 sotto_connection_get_min_password   (SottoConnection      *self);
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
SottoMsg             *sotto_connection_request_finish     (SottoConnection      *self,
                                                           GAsyncResult         *result,
                                                           GError              **error);

G_END_DECLS
