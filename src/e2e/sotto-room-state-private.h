/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include "sotto-room-state.h"

G_BEGIN_DECLS

/*
 * SottoRoomState in two files: the object, taking events in order, in
 * sotto-room-state.c; the rules an event must meet, and what it does, in
 * sotto-room-state-rules.c.
 */

/* Why someone is banned; both may hold. */
#define BANNED_BY_MEMBER 1
#define BANNED_BY_SERVER 2

typedef struct
{
  SottoPublicIdentity identity;
  int                 role;
} Member;

/* A ban: why (BANNED_BY_*), and the last moderator to ban, and when. */
typedef struct
{
  int     why;
  char   *by;
  gint64  time;
} Ban;

void     _sotto_room_state_ban_free    (Ban                   *ban);

struct _SottoRoomState
{
  GObject      parent_instance;

  char        *room;
  guint8       server_key[32];
  gboolean     has_server_key;
  /* The only users who may ever be members (a direct chat), or NULL. */
  GStrv        only;
  guint64      length;
  /* Events taken without effect: damaged, unsigned or against the rules. */
  guint64      n_void;
  guint8       head[SOTTO_ROOM_EVENT_HASH_BYTES];
  GHashTable  *members;
  GHashTable  *banned;
  GHashTable  *invited;
  gboolean     invite_only;
};

gboolean _sotto_room_state_check_actor (SottoRoomState        *self,
                                       const SottoRoomEvent  *event,
                                       GError               **error);
gboolean _sotto_room_state_check_rules (SottoRoomState        *self,
                                        const SottoRoomEvent  *event,
                                        GError               **error);
void     _sotto_room_state_perform     (SottoRoomState        *self,
                                        const SottoRoomEvent  *event);

G_END_DECLS
