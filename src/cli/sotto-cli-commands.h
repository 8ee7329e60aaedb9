/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sotto-cli-login.h"
#include "sotto-cli-options.h"
#include "sotto-cli-rooms.h"
#include "sotto-client.h"

G_BEGIN_DECLS

#define SOTTO_TYPE_CLI_COMMANDS (sotto_cli_commands_get_type ())

G_DECLARE_FINAL_TYPE (SottoCliCommands, sotto_cli_commands, SOTTO, CLI_COMMANDS, GObject)

SottoCliCommands *sotto_cli_commands_new       (SottoClient      *client,
                                                SottoCliRooms    *rooms,
                                                SottoCliLogin    *login,
                                                SottoCliOptions  *options,
                                                GCancellable     *cancellable);
void              sotto_cli_commands_start     (SottoCliCommands *self);
void              sotto_cli_commands_timed_out (SottoCliCommands *self);
gint64            sotto_cli_commands_get_moved_at (SottoCliCommands *self);

G_END_DECLS
