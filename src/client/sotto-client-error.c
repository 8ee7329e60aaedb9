/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sotto-client-error.h"

G_DEFINE_QUARK (sotto-client-error-quark, sotto_client_error)

/**
 * sotto_client_error_from_server:
 *
 * Returns: the #SOTTO_CLIENT_ERROR code of an `error` answer with @code
 */
int
sotto_client_error_from_server (SottoMsgErrorCode code)
{
  return SOTTO_CLIENT_ERROR_SERVER_FIRST + (int) code;
}

/**
 * sotto_client_error_to_server:
 *
 * Returns: the protocol error code of an error the server answered with,
 *   or -1 for any other error
 */
SottoMsgErrorCode
sotto_client_error_to_server (const GError *error)
{
  if (error == NULL || error->domain != SOTTO_CLIENT_ERROR ||
      error->code < SOTTO_CLIENT_ERROR_SERVER_FIRST)
    return -1;

  return error->code - SOTTO_CLIENT_ERROR_SERVER_FIRST;
}

gboolean
sotto_client_error_is_server (const GError      *error,
                              SottoMsgErrorCode  code)
{
  return g_error_matches (error, SOTTO_CLIENT_ERROR, sotto_client_error_from_server (code));
}
