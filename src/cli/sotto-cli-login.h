/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sotto-cli-terminal.h"
#include "sotto-client.h"

G_BEGIN_DECLS

/**
 * SottoCliAccount:
 * @SOTTO_CLI_ACCOUNT_LOG_IN: log in to an account this computer holds,
 *   or makes
 * @SOTTO_CLI_ACCOUNT_REGISTER: make the account
 * @SOTTO_CLI_ACCOUNT_LINK: link this computer to the account, then log in
 * @SOTTO_CLI_ACCOUNT_RECOVER: sign in with the account's recovery key on a
 *   computer that does not have the account
 *
 * How to get into the account.
 */
typedef enum
{
  SOTTO_CLI_ACCOUNT_LOG_IN,
  SOTTO_CLI_ACCOUNT_REGISTER,
  SOTTO_CLI_ACCOUNT_LINK,
  SOTTO_CLI_ACCOUNT_RECOVER,
} SottoCliAccount;

#define SOTTO_TYPE_CLI_LOGIN (sotto_cli_login_get_type ())

G_DECLARE_FINAL_TYPE (SottoCliLogin, sotto_cli_login, SOTTO, CLI_LOGIN, GObject)

SottoCliLogin *sotto_cli_login_new      (SottoClient      *client,
                                         SottoCliTerminal *terminal,
                                         gboolean          chat,
                                         char             *password,
                                         GCancellable     *cancellable);
gboolean       sotto_cli_login_get_busy (SottoCliLogin    *self);
void           sotto_cli_login_log_in   (SottoCliLogin    *self,
                                         gboolean          create,
                                         const char       *user);
void           sotto_cli_login_link     (SottoCliLogin    *self,
                                         const char       *user);
void           sotto_cli_login_recover  (SottoCliLogin    *self,
                                         const char       *user);

G_END_DECLS
