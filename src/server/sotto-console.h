/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sotto-server.h"

G_BEGIN_DECLS

#define SOTTO_TYPE_CONSOLE (sotto_console_get_type ())

G_DECLARE_FINAL_TYPE (SottoConsole, sotto_console, SOTTO, CONSOLE, GObject)

SottoConsole *sotto_console_new     (SottoServer  *server,
                                     GInputStream *input,
                                     GOutputStream *output);
void          sotto_console_start   (SottoConsole *self);
char         *sotto_console_execute (SottoConsole *self,
                                     const char   *line,
                                     gboolean     *quit);

G_END_DECLS
