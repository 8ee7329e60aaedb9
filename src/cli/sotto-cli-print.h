/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "sotto-room.h"

G_BEGIN_DECLS

void sotto_cli_say            (gboolean     to_stdout,
                               const char  *format,
                               ...) G_GNUC_PRINTF (2, 3);
void sotto_cli_print_json     (JsonBuilder *builder);
void sotto_cli_print_members  (SottoRoom   *room,
                               const char  *me,
                               gboolean     json);
void sotto_cli_print_rooms    (GListModel  *rooms,
                               gboolean     json);
void sotto_cli_print_bans     (GPtrArray   *bans,
                               gboolean     json);

void sotto_cli_print_search   (GPtrArray   *results,
                               gboolean     with_room,
                               gboolean     json);

G_END_DECLS
