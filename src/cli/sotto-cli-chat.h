/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sotto-cli-login.h"
#include "sotto-cli-options.h"
#include "sotto-cli-rooms.h"
#include "sotto-cli-terminal.h"
#include "sotto-client.h"

G_BEGIN_DECLS

#define SOTTO_TYPE_CLI_CHAT (sotto_cli_chat_get_type ())

G_DECLARE_FINAL_TYPE (SottoCliChat, sotto_cli_chat, SOTTO, CLI_CHAT, GObject)

SottoCliChat *sotto_cli_chat_new   (SottoClient      *client,
                                    SottoCliTerminal *terminal,
                                    SottoCliRooms    *rooms,
                                    SottoCliLogin    *login,
                                    SottoCliOptions  *options,
                                    GCancellable     *cancellable);
void          sotto_cli_chat_start (SottoCliChat     *self);

G_END_DECLS
