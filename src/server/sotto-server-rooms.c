/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-server-events.h"
#include "sotto-server-rooms.h"

/*
 * Rooms and memberships. Every change of membership is an event in the
 * room's log with its own sequence number (sotto-server-events.c), so
 * members who were away learn of it on catch-up.
 */

static void
wire_member_for (SottoUser       *user,
                 SottoWireMember *out)
{
  out->user = user->name;
  out->identity = user->identity;
  out->online = user->sessions->len > 0;
}

static GArray *
room_wire_members (SottoRoom *room)
{
  GArray *members = g_array_sized_new (FALSE, FALSE, sizeof (SottoWireMember),
                                       room->members->len);

  for (guint i = 0; i < room->members->len; i++)
    {
      SottoWireMember member;

      wire_member_for (g_ptr_array_index (room->members, i), &member);
      g_array_append_val (members, member);
    }

  return members;
}


static GBytes *
build_member_joined (SottoRoom *room,
                     gint64     seq,
                     gint64     ts,
                     gpointer   data)
{
  SottoUser *user = data;

  return sotto_msg_build_member_joined (room->name, seq, ts, user->name, &user->identity);
}

typedef struct
{
  SottoUser           *user;
  SottoMsgLeaveReason  reason;
} Departure;

static GBytes *
build_member_left (SottoRoom *room,
                   gint64     seq,
                   gint64     ts,
                   gpointer   data)
{
  Departure *departure = data;

  return sotto_msg_build_member_left (room->name, seq, ts, departure->user->name,
                                      departure->reason);
}

static GBytes *
build_key_changed (SottoRoom *room,
                   gint64     seq,
                   gint64     ts,
                   gpointer   data)
{
  SottoUser *user = data;

  return sotto_msg_build_key_changed (room->name, seq, ts, user->name, &user->identity);
}

/* Adds @user to @room in memory and in the store, with its event. */
gboolean
_sotto_server_join_room (SottoServerState  *self,
                         SottoUser         *user,
                         SottoRoom         *room,
                         GError           **error)
{
  if (_sotto_room_has_member (room, user))
    return TRUE;

  if (!sotto_store_add_member (self->store, room->id, user->id, error))
    return FALSE;

  _sotto_room_add_member (room, user);
  if (!_sotto_server_append_event (self, room, user->name, NULL, build_member_joined, user,
                                   NULL, NULL, error))
    return FALSE;

  g_message ("%s joined %s", user->name, room->name);
  return TRUE;
}

/* Removes @user from @room; the event goes to the remaining members and
 * to @user's own connections, which are no longer members by then. */
gboolean
_sotto_server_remove_from_room (SottoServerState     *self,
                                SottoUser            *user,
                                SottoRoom            *room,
                                SottoMsgLeaveReason   reason,
                                GError              **error)
{
  Departure departure = { user, reason };

  if (!sotto_store_remove_member (self->store, room->id, user->id, error))
    return FALSE;

  _sotto_room_remove_member (room, user);
  if (!_sotto_server_append_event (self, room, user->name, NULL, build_member_left,
                                   &departure, user, NULL, error))
    return FALSE;

  g_message ("%s %s %s", user->name, reason == SOTTO_MSG_LEAVE_REASON_KICKED ?
             "was removed from" : "left", room->name);
  return TRUE;
}

void
_sotto_server_announce_key_change (SottoServerState *self,
                                   SottoUser        *user)
{
  for (guint i = 0; i < user->rooms->len; i++)
    {
      SottoRoom *room = g_ptr_array_index (user->rooms, i);
      g_autoptr(GError) error = NULL;

      if (!_sotto_server_append_event (self, room, user->name, NULL, build_key_changed, user,
                                       NULL, NULL, &error))
        g_warning ("Could not record the key change of %s in %s: %s",
                   user->name, room->name, error->message);
    }

  g_message ("%s logged in with new identity keys", user->name);
}

/**
 * _sotto_server_summarize_rooms:
 * @all_public: also list the public rooms @user is not in
 *
 * Fills @summaries (of SottoWireRoomSummary, borrowing names) with the
 * rooms @user is in, and with @all_public the other public rooms.
 */
void
_sotto_server_summarize_rooms (SottoServerState *self,
                               SottoUser        *user,
                               gboolean          all_public,
                               GArray           *summaries)
{
  GHashTableIter iter;
  SottoRoom *room;

  g_hash_table_iter_init (&iter, self->rooms);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &room))
    {
      gboolean member = _sotto_room_has_member (room, user);
      SottoWireRoomSummary summary;

      if (!member && (room->direct || !all_public))
        continue;

      summary.room = room->name;
      summary.members = room->members->len;
      summary.direct = room->direct;
      summary.last_seq = room->committed_seq;
      g_array_append_val (summaries, summary);
    }
}

/* Answers a join once it is durable, with the members as they are then. */
static void
join_committed_cb (SottoStore   *store,
                   const GError *error,
                   gpointer      user_data)
{
  SottoPendingReply *reply = user_data;
  SottoRoom *room = _sotto_server_lookup_room (reply->server, reply->name);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GArray) members = NULL;

  if (!sotto_session_is_open (reply->session))
    return;

  if (error != NULL || room == NULL)
    {
      SottoUser *user = sotto_session_get_user (reply->session);

      if (room != NULL && user != NULL)
        _sotto_room_remove_member (room, user);
      if (error != NULL)
        _sotto_server_reply_store_error (reply->server, reply->session, reply->msg, error);
      return;
    }

  members = room_wire_members (room);
  bytes = sotto_msg_build_joined (sotto_msg_get_id (reply->msg), room->name, room->owner,
                                  room->direct, room->committed_seq, room->state_committed,
                                  (SottoWireMember *) members->data, members->len);
  sotto_session_send (reply->session, bytes);
}

static void
reply_joined_after_commit (SottoServerState *self,
                           SottoSession     *session,
                           SottoMsg         *msg,
                           SottoRoom        *room)
{
  _sotto_server_answer_after_commit (self, session, msg, room->name, NULL, join_committed_cb);
}

static SottoRoom *
create_room (SottoServerState  *self,
             const char        *name,
             gboolean           direct,
             const char        *owner,
             GError           **error)
{
  gint64 id = sotto_store_add_room (self->store, name, direct, owner, error);
  SottoRoom *room;

  if (id < 0)
    return NULL;

  room = _sotto_room_new (id, name, direct, owner, 0);
  g_hash_table_insert (self->rooms, room->name, room);
  g_message ("Room %s created%s%s", name, owner != NULL ? " by " : "", owner != NULL ? owner : "");

  return room;
}

void
_sotto_server_handle_join (SottoServerState *self,
                           SottoSession     *session,
                           SottoMsg         *msg)
{
  SottoUser *user = sotto_session_get_user (session);
  const char *name = sotto_msg_get_string (msg, "room");
  SottoRoom *room = _sotto_server_lookup_room (self, name);
  g_autoptr(GError) error = NULL;

  if (sotto_protocol_room_is_direct (name))
    {
      _sotto_server_reply_error (self, session, msg, SOTTO_MSG_ERROR_CODE_FORBIDDEN,
                                 _("Direct chats are opened with a user, not joined"));
      return;
    }

  /* A kick is a ban: whoever was removed stays out until the owner lets
   * them back (unban). */
  if (room != NULL && _sotto_room_is_banned (room, user))
    {
      _sotto_server_reply_error (self, session, msg, SOTTO_MSG_ERROR_CODE_BANNED,
                                 _("You were removed from this room and cannot join it again "
                                   "unless its owner lets you back"));
      return;
    }

  if (room == NULL)
    room = create_room (self, name, FALSE, user->name, &error);

  if (room == NULL || !_sotto_server_join_room (self, user, room, &error))
    {
      _sotto_server_reply_store_error (self, session, msg, error);
      return;
    }

  reply_joined_after_commit (self, session, msg, room);
}

void
_sotto_server_handle_leave (SottoServerState *self,
                            SottoSession     *session,
                            SottoMsg         *msg)
{
  SottoUser *user = sotto_session_get_user (session);
  SottoRoom *room = _sotto_server_lookup_member_room (self, session, msg);
  g_autoptr(GError) error = NULL;

  if (room == NULL)
    return;

  if (!_sotto_server_remove_from_room (self, user, room, SOTTO_MSG_LEAVE_REASON_LEFT, &error))
    {
      _sotto_server_reply_store_error (self, session, msg, error);
      return;
    }

  _sotto_server_reply_after_commit (self, session, msg, NULL);
}

void
_sotto_server_handle_list_rooms (SottoServerState *self,
                                 SottoSession     *session,
                                 SottoMsg         *msg)
{
  SottoUser *user = sotto_session_get_user (session);
  g_autoptr(GArray) summaries = g_array_new (FALSE, FALSE, sizeof (SottoWireRoomSummary));
  g_autoptr(GBytes) reply = NULL;

  _sotto_server_summarize_rooms (self, user, TRUE, summaries);
  reply = sotto_msg_build_room_list (sotto_msg_get_id (msg),
                                     (SottoWireRoomSummary *) summaries->data, summaries->len);
  sotto_session_send (session, reply);
}

void
_sotto_server_handle_list_members (SottoServerState *self,
                                   SottoSession     *session,
                                   SottoMsg         *msg)
{
  SottoRoom *room = _sotto_server_lookup_member_room (self, session, msg);
  g_autoptr(GArray) members = NULL;
  g_autoptr(GBytes) reply = NULL;

  if (room == NULL)
    return;

  members = room_wire_members (room);
  reply = sotto_msg_build_members (sotto_msg_get_id (msg), room->name, room->owner,
                                   room->state_committed,
                                   (SottoWireMember *) members->data, members->len);
  sotto_session_send (session, reply);
}

void
_sotto_server_handle_open_direct (SottoServerState *self,
                                  SottoSession     *session,
                                  SottoMsg         *msg)
{
  SottoUser *user = sotto_session_get_user (session);
  SottoUser *other = _sotto_server_lookup_user (self, sotto_msg_get_string (msg, "user"));
  g_autofree char *name = NULL;
  g_autoptr(GError) error = NULL;
  SottoRoom *room;

  if (other == NULL)
    {
      _sotto_server_reply_error (self, session, msg, SOTTO_MSG_ERROR_CODE_NO_SUCH_USER,
                                 _("There is no user with that name"));
      return;
    }

  if (other == user)
    {
      _sotto_server_reply_error (self, session, msg, SOTTO_MSG_ERROR_CODE_BAD_REQUEST,
                                 _("A direct chat needs another user"));
      return;
    }

  name = sotto_protocol_direct_room_name (user->name, other->name);
  room = _sotto_server_lookup_room (self, name);
  if (room == NULL)
    room = create_room (self, name, TRUE, NULL, &error);

  if (room == NULL ||
      !_sotto_server_join_room (self, user, room, &error) ||
      !_sotto_server_join_room (self, other, room, &error))
    {
      _sotto_server_reply_store_error (self, session, msg, error);
      return;
    }

  reply_joined_after_commit (self, session, msg, room);
}
