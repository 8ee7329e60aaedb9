/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define SOTTO_TYPE_CLI (sotto_cli_get_type ())

G_DECLARE_FINAL_TYPE (SottoCli, sotto_cli, SOTTO, CLI, GObject)

SottoCli *sotto_cli_new (void);
int       sotto_cli_run (SottoCli  *self,
                         int        argc,
                         char     **argv);

G_END_DECLS
