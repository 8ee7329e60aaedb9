/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sotto-cli-options.h"
#include "sotto-cli-rooms.h"
#include "sotto-client.h"

G_BEGIN_DECLS

int sotto_cli_search (SottoClient     *client,
                      SottoCliRooms   *rooms,
                      SottoCliOptions *options);

G_END_DECLS
