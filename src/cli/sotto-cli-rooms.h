/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sotto-client.h"

G_BEGIN_DECLS

#define SOTTO_TYPE_CLI_ROOMS (sotto_cli_rooms_get_type ())

G_DECLARE_FINAL_TYPE (SottoCliRooms, sotto_cli_rooms, SOTTO, CLI_ROOMS, GObject)

/**
 * SottoCliRoomReady:
 * @room: (nullable): the room, ready to send to
 * @error: (nullable): why it could not be opened
 *
 * Receives the room sotto_cli_rooms_open() opened: exactly one of @room
 * and @error is set.
 */
typedef void (*SottoCliRoomReady) (SottoCliRooms *rooms,
                                   SottoRoom     *room,
                                   const GError  *error,
                                   gpointer       user_data);

SottoCliRooms *sotto_cli_rooms_new              (SottoClient       *client,
                                                 GCancellable      *cancellable);
char          *sotto_cli_rooms_direct_peer      (SottoCliRooms     *self,
                                                 const char        *room);
char          *sotto_cli_rooms_canonical        (SottoCliRooms     *self,
                                                 const char        *room);
SottoRoom     *sotto_cli_rooms_lookup           (SottoCliRooms     *self,
                                                 const char        *room);
char          *sotto_cli_rooms_label            (SottoCliRooms     *self,
                                                 const char        *room);
void           sotto_cli_rooms_open             (SottoCliRooms     *self,
                                                 const char        *name,
                                                 SottoCliRoomReady  ready,
                                                 gpointer           user_data,
                                                 GDestroyNotify     destroy);
void           sotto_cli_rooms_open_all         (SottoCliRooms     *self,
                                                 SottoCliRoomReady  ready,
                                                 gpointer           user_data);
void           sotto_cli_rooms_cancel_openings  (SottoCliRooms     *self);

G_END_DECLS
