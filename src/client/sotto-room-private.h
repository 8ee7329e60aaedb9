/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sotto-room.h"

G_BEGIN_DECLS

/*
 * SottoRoom in three files; the two parts call only into sotto-room.c:
 *
 *   sotto-room-members.c   who is in the room, and who is typing
 *   sotto-room-messages.c  the history in server order, and its indexes
 *   sotto-room.c           the object and its properties
 */

struct _SottoRoom
{
  GObject     parent_instance;

  char       *name;
  gboolean    direct;
  char       *display_name;
  /* Who created the room, as the server says; %NULL if nobody did. */
  char       *owner;
  /* What the user typed and has not sent yet. */
  char       *draft;
  GListStore *members;
  GListStore *messages;
  /* "sender\nmsg_id" → SottoMessage (borrowed from @messages), and the set
   * of sequence numbers held: lookups stay cheap in a long history. */
  GHashTable *by_id;
  GHashTable *seqs;
  /* Messages about others (sotto-room-actions.c): "sender\ncounter" →
   * the messages of that name (borrowed), the actions held (edits,
   * deletions, reactions: not in @messages), and "sender\ncounter" →
   * those (borrowed) whose message is not here yet. */
  GHashTable *by_ref;
  GPtrArray  *actions;
  GHashTable *pending;
  /* Deletions of others' messages refused for want of a role (borrowed
   * from @actions), tried again when a member's role changes: the roles
   * are known only once the room's state is. */
  GPtrArray  *refused;
  /* user → the timeout that ends their typing notice */
  GHashTable *typing;
  gint64      last_typing_sent;
  gboolean    loaded;
  gboolean    history_complete;
  guint       unread;
  gint64      read_seq;
  /* The first member whose changed keys the user must review first. */
  char       *blocked_by;
  /* What the room's signed state says: invite-only, and our role. */
  gboolean    invite_only;
  int         own_role;
};

/* sotto-room-actions.c */
void _sotto_room_init_actions      (SottoRoom    *self);
void _sotto_room_clear_actions     (SottoRoom    *self);
void _sotto_room_take_action       (SottoRoom    *self,
                                    SottoMessage *action);
void _sotto_room_index_message     (SottoRoom    *self,
                                    SottoMessage *message);
void _sotto_room_unindex_message   (SottoRoom    *self,
                                    SottoMessage *message);
void _sotto_room_find_replied      (SottoRoom    *self,
                                    SottoMessage *reply);
void _sotto_room_retry_actions     (SottoRoom    *self);

/* sotto-room.c */

void _sotto_room_notify_typing     (SottoRoom *self);
void _sotto_room_notify_blocked_by (SottoRoom *self);

G_END_DECLS
