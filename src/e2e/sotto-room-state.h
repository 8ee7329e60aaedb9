/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib-object.h>

#include "sotto-room-event.h"

G_BEGIN_DECLS

/* Roles: what a member may do in a room. */
#define SOTTO_ROOM_ROLE_MEMBER 0
#define SOTTO_ROOM_ROLE_MODERATOR 50
#define SOTTO_ROOM_ROLE_OWNER 100

/* The most members a room's state holds. */
#define SOTTO_ROOM_STATE_MAX_MEMBERS 10000

#define SOTTO_TYPE_ROOM_STATE (sotto_room_state_get_type ())

G_DECLARE_FINAL_TYPE (SottoRoomState, sotto_room_state, SOTTO, ROOM_STATE, GObject)

SottoRoomState *sotto_room_state_new           (const char           *room,
                                                const guint8         *server_key,
                                                const char * const   *only);
gboolean        sotto_room_state_apply         (SottoRoomState       *self,
                                                GBytes               *event,
                                                GError              **error);
gboolean        sotto_room_state_take          (SottoRoomState       *self,
                                                GBytes               *event,
                                                gboolean             *taken,
                                                GError              **error);
guint64         sotto_room_state_get_n_void    (SottoRoomState       *self);
const char     *sotto_room_state_get_room      (SottoRoomState       *self);
guint64         sotto_room_state_get_length    (SottoRoomState       *self);
const guint8   *sotto_room_state_get_head      (SottoRoomState       *self);
gboolean        sotto_room_state_get_invite_only (SottoRoomState     *self);
GStrv           sotto_room_state_dup_members   (SottoRoomState       *self);
gboolean        sotto_room_state_get_member    (SottoRoomState       *self,
                                                const char           *user,
                                                SottoPublicIdentity  *identity,
                                                int                  *role);
gboolean        sotto_room_state_is_banned     (SottoRoomState       *self,
                                                const char           *user);
gboolean        sotto_room_state_get_ban       (SottoRoomState       *self,
                                                const char           *user,
                                                const char          **by,
                                                gint64               *time);
GStrv           sotto_room_state_dup_banned    (SottoRoomState       *self);
gboolean        sotto_room_state_is_invited    (SottoRoomState       *self,
                                                const char           *user);
void            sotto_room_state_prepare       (SottoRoomState       *self,
                                                SottoRoomEvent       *event,
                                                SottoRoomEventType    type,
                                                const char           *actor,
                                                const char           *subject,
                                                gint64                value);

G_END_DECLS
