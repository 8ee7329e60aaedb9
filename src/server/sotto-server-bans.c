/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-server-bans.h"
#include "sotto-server-events.h"
#include "sotto-server-rooms.h"

/*
 * Kicks and bans. A kick is a ban: the server refuses a later join of
 * the one removed (sotto-server-rooms.c) until the room's owner or the
 * operator lifts it. This is the honest server's rule; a server that
 * cheats can still let anyone back in.
 */

/* Keeps @user out of @room until an unban. Direct chats have no bans:
 * they are opened, never joined. */
static gboolean
ban_from_room (SottoServerState  *self,
               SottoUser         *user,
               SottoRoom         *room,
               const char        *banned_by,
               GError           **error)
{
  gint64 now = _sotto_server_now_ms ();

  if (room->direct || _sotto_room_is_banned (room, user))
    return TRUE;

  if (!sotto_store_add_ban (self->store, room->id, user->id, banned_by, now, error))
    return FALSE;

  _sotto_room_add_ban (room, user->name, banned_by, now);
  g_message ("%s was banned from %s", user->name, room->name);
  return TRUE;
}

/**
 * _sotto_server_kick:
 * @banned_by: (nullable): the owner who kicks, %NULL for the operator
 *
 * Removes @user from @room if a member, and bans them from it: a later
 * join is refused until _sotto_server_unban(). Banning someone who already
 * left is not an error.
 */
gboolean
_sotto_server_kick (SottoServerState  *self,
                    SottoUser         *user,
                    SottoRoom         *room,
                    const char        *banned_by,
                    GError           **error)
{
  if (!ban_from_room (self, user, room, banned_by, error))
    return FALSE;

  if (_sotto_room_has_member (room, user) &&
      !_sotto_server_remove_from_room (self, user, room, SOTTO_MSG_LEAVE_REASON_KICKED, error))
    return FALSE;

  return TRUE;
}

/**
 * _sotto_server_unban:
 *
 * Lets @user join @room again. Lifting a ban that is not there is not an
 * error.
 */
gboolean
_sotto_server_unban (SottoServerState  *self,
                     SottoUser         *user,
                     SottoRoom         *room,
                     GError           **error)
{
  if (!_sotto_room_is_banned (room, user))
    return TRUE;

  if (!sotto_store_remove_ban (self->store, room->id, user->id, error))
    return FALSE;

  g_hash_table_remove (room->banned, user->name);
  g_message ("%s may join %s again", user->name, room->name);
  return TRUE;
}

/* Only the one who created a room may remove others from it, let them
 * back or see who was removed; nobody but the operator does any of it in
 * a shared room like "general". Answers @msg and returns %FALSE when the
 * session's user may not. */
static gboolean
check_owner (SottoServerState *self,
             SottoSession     *session,
             SottoMsg         *msg,
             SottoRoom        *room,
             const char       *refusal)
{
  SottoUser *user = sotto_session_get_user (session);

  if (room->direct || g_strcmp0 (room->owner, user->name) != 0)
    {
      _sotto_server_reply_error (self, session, msg, SOTTO_MSG_ERROR_CODE_FORBIDDEN, refusal);
      return FALSE;
    }

  return TRUE;
}

/* The user a kick or an unban names, once the owner is checked. */
static SottoUser *
lookup_owner_target (SottoServerState *self,
                     SottoSession     *session,
                     SottoMsg         *msg,
                     SottoRoom        *room,
                     const char       *refusal)
{
  SottoUser *target;

  if (!check_owner (self, session, msg, room, refusal))
    return NULL;

  target = _sotto_server_lookup_user (self, sotto_msg_get_string (msg, "user"));
  if (target == NULL)
    {
      _sotto_server_reply_error (self, session, msg, SOTTO_MSG_ERROR_CODE_NO_SUCH_USER,
                                 _("There is no user with that name"));
      return NULL;
    }

  return target;
}

void
_sotto_server_handle_kick (SottoServerState *self,
                           SottoSession     *session,
                           SottoMsg         *msg)
{
  SottoUser *user = sotto_session_get_user (session);
  SottoRoom *room = _sotto_server_lookup_member_room (self, session, msg);
  SottoUser *target;
  g_autoptr(GError) error = NULL;

  if (room == NULL)
    return;

  target = lookup_owner_target (self, session, msg, room,
                                _("Only the creator of this room can remove members"));
  if (target == NULL)
    return;

  /* The owner would lock themselves out of their own room. */
  if (target == user)
    {
      _sotto_server_reply_error (self, session, msg, SOTTO_MSG_ERROR_CODE_FORBIDDEN,
                                 _("You cannot remove yourself; leave the room instead"));
      return;
    }

  if (!_sotto_server_kick (self, target, room, user->name, &error))
    {
      _sotto_server_reply_store_error (self, session, msg, error);
      return;
    }

  _sotto_server_reply_after_commit (self, session, msg, NULL);
}

void
_sotto_server_handle_unban (SottoServerState *self,
                            SottoSession     *session,
                            SottoMsg         *msg)
{
  SottoRoom *room = _sotto_server_lookup_member_room (self, session, msg);
  SottoUser *target;
  g_autoptr(GError) error = NULL;

  if (room == NULL)
    return;

  target = lookup_owner_target (self, session, msg, room,
                                _("Only the creator of this room can let removed members back"));
  if (target == NULL)
    return;

  if (!_sotto_server_unban (self, target, room, &error))
    {
      _sotto_server_reply_store_error (self, session, msg, error);
      return;
    }

  _sotto_server_reply_after_commit (self, session, msg, NULL);
}

static int
compare_bans (gconstpointer a,
              gconstpointer b)
{
  return g_strcmp0 (((const SottoWireBan *) a)->user, ((const SottoWireBan *) b)->user);
}

/* Who is kept out of the room, for its owner to let back in. */
void
_sotto_server_handle_list_bans (SottoServerState *self,
                                SottoSession     *session,
                                SottoMsg         *msg)
{
  SottoRoom *room = _sotto_server_lookup_member_room (self, session, msg);
  g_autoptr(GArray) bans = NULL;
  g_autoptr(GBytes) reply = NULL;
  GHashTableIter iter;
  const char *name;
  SottoRoomBan *ban;

  if (room == NULL)
    return;

  if (!check_owner (self, session, msg, room,
                    _("Only the creator of this room can see who was removed from it")))
    return;

  bans = g_array_sized_new (FALSE, FALSE, sizeof (SottoWireBan),
                            g_hash_table_size (room->banned));
  g_hash_table_iter_init (&iter, room->banned);
  while (g_hash_table_iter_next (&iter, (gpointer *) &name, (gpointer *) &ban))
    {
      SottoWireBan wire = { name, ban->banned_by, ban->since };

      g_array_append_val (bans, wire);
    }

  /* Sorted by name, and no more than a message may list. */
  g_array_sort (bans, compare_bans);
  if (bans->len > SOTTO_PROTOCOL_MAX_LIST_ITEMS)
    g_array_set_size (bans, SOTTO_PROTOCOL_MAX_LIST_ITEMS);

  reply = sotto_msg_build_bans (sotto_msg_get_id (msg), room->name,
                                (SottoWireBan *) bans->data, bans->len);
  sotto_session_send (session, reply);
}
