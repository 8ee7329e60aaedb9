/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "sotto-message.h"

G_BEGIN_DECLS

/**
 * SottoCliExit:
 * @SOTTO_CLI_EXIT_OK: the command did what was asked
 * @SOTTO_CLI_EXIT_USAGE: bad options or arguments, or no password given
 * @SOTTO_CLI_EXIT_CONNECT: the server could not be reached, or the
 *   connection was lost
 * @SOTTO_CLI_EXIT_SERVER_KEY: the server's key is not trusted (first
 *   contact refused, fingerprint mismatch) or has changed
 * @SOTTO_CLI_EXIT_ACCOUNT: wrong credentials, or the account could not be
 *   created or opened
 * @SOTTO_CLI_EXIT_REFUSED: the server refused a request, or it failed, or
 *   there was nothing to do it to (a room one is not in, a safety number
 *   that did not change)
 * @SOTTO_CLI_EXIT_TIMEOUT: the time given with --timeout ran out, or the
 *   server did not answer in time
 * @SOTTO_CLI_EXIT_IDENTITY_CHANGED: nothing was sent: the safety number of
 *   a contact the user had verified changed, and the user has not compared
 *   it again or accepted it
 * @SOTTO_CLI_EXIT_INTERRUPTED: Ctrl+C or SIGTERM before the command was done
 *
 * The exit status of sotto-cli; scripts rely on these numbers.
 */
typedef enum
{
  SOTTO_CLI_EXIT_OK = 0,
  SOTTO_CLI_EXIT_USAGE = 1,
  SOTTO_CLI_EXIT_CONNECT = 2,
  SOTTO_CLI_EXIT_SERVER_KEY = 3,
  SOTTO_CLI_EXIT_ACCOUNT = 4,
  SOTTO_CLI_EXIT_REFUSED = 5,
  SOTTO_CLI_EXIT_TIMEOUT = 6,
  SOTTO_CLI_EXIT_IDENTITY_CHANGED = 7,
  SOTTO_CLI_EXIT_INTERRUPTED = 130,
} SottoCliExit;

/**
 * SottoCliPhase:
 * @SOTTO_CLI_PHASE_CONNECT: connecting and the handshake
 * @SOTTO_CLI_PHASE_ACCOUNT: registering or logging in
 * @SOTTO_CLI_PHASE_REQUEST: anything after logging in
 *
 * What was under way when an error came: a timeout while connecting
 * means the server cannot be reached, a local failure while logging in
 * is an account problem.
 */
typedef enum
{
  SOTTO_CLI_PHASE_CONNECT,
  SOTTO_CLI_PHASE_ACCOUNT,
  SOTTO_CLI_PHASE_REQUEST,
} SottoCliPhase;

SottoCliExit  sotto_cli_exit_for_error        (const GError  *error,
                                               SottoCliPhase  phase);
gboolean      sotto_cli_fingerprint_equal     (const char    *a,
                                               const char    *b);
char         *sotto_cli_sanitize              (const char    *text,
                                               const char    *continuation);
gboolean      sotto_cli_message_is_printable  (SottoMessage  *message);
const char   *sotto_cli_message_state_name    (SottoMessageState state);
char         *sotto_cli_format_file           (const SottoFileMessage *file);
char         *sotto_cli_format_message        (SottoMessage  *message,
                                               const char    *room_label);
char         *sotto_cli_format_message_json   (SottoMessage  *message);
char         *sotto_cli_format_missing_found  (SottoMessage  *message,
                                               const char    *room_label);
char         *sotto_cli_format_missing_found_json (SottoMessage *message);

G_END_DECLS
