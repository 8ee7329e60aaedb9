/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "sotto-room.h"

G_BEGIN_DECLS

#define SOTTO_TYPE_ROOM_ROW (sotto_room_row_get_type ())

G_DECLARE_FINAL_TYPE (SottoRoomRow, sotto_room_row, SOTTO, ROOM_ROW, AdwBin)

SottoRoomRow *sotto_room_row_new         (void);
SottoRoom    *sotto_room_row_get_room    (SottoRoomRow *self);
void          sotto_room_row_set_room    (SottoRoomRow *self,
                                          SottoRoom    *room,
                                          const char   *own_user);
const char   *sotto_room_row_get_preview (SottoRoomRow *self);

G_END_DECLS
