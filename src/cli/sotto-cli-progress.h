/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "sotto-transfer.h"

G_BEGIN_DECLS

#define SOTTO_TYPE_CLI_PROGRESS (sotto_cli_progress_get_type ())

G_DECLARE_FINAL_TYPE (SottoCliProgress, sotto_cli_progress, SOTTO, CLI_PROGRESS, GObject)

SottoCliProgress *sotto_cli_progress_new   (SottoTransfer    *transfer,
                                            gboolean          shown);
void              sotto_cli_progress_clear (SottoCliProgress *self);

G_END_DECLS
