/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SOTTO_TYPE_CLI_TERMINAL (sotto_cli_terminal_get_type ())

G_DECLARE_FINAL_TYPE (SottoCliTerminal, sotto_cli_terminal, SOTTO, CLI_TERMINAL, GObject)

/**
 * SottoCliTerminalAnswer:
 * @line: (nullable): the answer, %NULL when the input ended
 *
 * Receives the answer to sotto_cli_terminal_ask().
 */
typedef void (*SottoCliTerminalAnswer) (SottoCliTerminal *terminal,
                                        const char       *line,
                                        gpointer          user_data);

SottoCliTerminal *sotto_cli_terminal_new        (gboolean                is_tty,
                                                 gboolean                chat,
                                                 GCancellable           *cancellable);
gboolean          sotto_cli_terminal_is_tty     (SottoCliTerminal       *self);
void              sotto_cli_terminal_ask        (SottoCliTerminal       *self,
                                                 const char             *prompt,
                                                 gboolean                secret,
                                                 SottoCliTerminalAnswer  answer,
                                                 gpointer                user_data);
void              sotto_cli_terminal_read_lines (SottoCliTerminal       *self);
void              sotto_cli_terminal_restore    (SottoCliTerminal       *self);

G_END_DECLS
