/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sotto-cli-options.h"
#include "sotto-cli-rooms.h"
#include "sotto-client.h"

G_BEGIN_DECLS

#define SOTTO_TYPE_CLI_ACTIONS (sotto_cli_actions_get_type ())

G_DECLARE_FINAL_TYPE (SottoCliActions, sotto_cli_actions, SOTTO, CLI_ACTIONS, GObject)

/**
 * SottoCliActionsDone:
 * @status: a #SottoCliExit: %SOTTO_CLI_EXIT_OK, or what failed
 *
 * Told once the reply, edit, deletion or reaction was stored by the
 * server, or could not be sent, once what there was to say is printed.
 */
typedef void (*SottoCliActionsDone) (SottoCliActions *actions,
                                     int              status,
                                     gpointer         user_data);

SottoCliActions *sotto_cli_actions_new (SottoClient         *client,
                                        SottoCliRooms       *rooms,
                                        SottoCliOptions     *options,
                                        GCancellable        *cancellable);
void             sotto_cli_actions_run (SottoCliActions     *self,
                                        SottoCliActionsDone  done,
                                        gpointer             user_data);

G_END_DECLS
