/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sotto-cli-terminal.h"
#include "sotto-client.h"

G_BEGIN_DECLS

#define SOTTO_TYPE_CLI_VERIFY (sotto_cli_verify_get_type ())

G_DECLARE_FINAL_TYPE (SottoCliVerify, sotto_cli_verify, SOTTO, CLI_VERIFY, GObject)

SottoCliVerify *sotto_cli_verify_new    (SottoClient      *client,
                                         SottoCliTerminal *terminal);
void            sotto_cli_verify_ask    (SottoCliVerify   *self,
                                         const char       *name);
void            sotto_cli_verify_accept (SottoCliVerify   *self,
                                         const char       *name);

G_END_DECLS
