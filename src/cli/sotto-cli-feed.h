/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sotto-room.h"

G_BEGIN_DECLS

#define SOTTO_TYPE_CLI_FEED (sotto_cli_feed_get_type ())

G_DECLARE_FINAL_TYPE (SottoCliFeed, sotto_cli_feed, SOTTO, CLI_FEED, GObject)

SottoCliFeed *sotto_cli_feed_new (GListModel *rooms);

G_END_DECLS
