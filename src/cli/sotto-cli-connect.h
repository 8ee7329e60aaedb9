/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sotto-cli-options.h"
#include "sotto-cli-terminal.h"
#include "sotto-client.h"

G_BEGIN_DECLS

#define SOTTO_TYPE_CLI_CONNECT (sotto_cli_connect_get_type ())

G_DECLARE_FINAL_TYPE (SottoCliConnect, sotto_cli_connect, SOTTO, CLI_CONNECT, GObject)

SottoCliConnect *sotto_cli_connect_new   (SottoClient      *client,
                                          SottoCliTerminal *terminal,
                                          SottoCliOptions  *options,
                                          GCancellable     *cancellable);
void             sotto_cli_connect_start (SottoCliConnect  *self);

G_END_DECLS
