/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "sotto-client-enums.h"
#include "sotto-protocol.h"

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
 * @SOTTO_CLIENT_ERROR_IDENTITY_CHANGED: the keys of a verified contact in
 *   the room changed; nothing is sent there until the user compares
 *   safety numbers again or accepts the new keys
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
  SOTTO_CLIENT_ERROR_IDENTITY_CHANGED,
  SOTTO_CLIENT_ERROR_SERVER_FIRST = 100,
} SottoClientError;

GQuark            sotto_client_error_quark       (void);
int               sotto_client_error_from_server (SottoMsgErrorCode  code);
SottoMsgErrorCode sotto_client_error_to_server   (const GError      *error);
gboolean          sotto_client_error_is_server   (const GError      *error,
                                                  SottoMsgErrorCode  code);

G_END_DECLS
