/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-client-private.h"

/*
 * The user's rooms: joining, opening a direct chat, leaving (by choice,
 * or because the room's signed state keeps us out), and listing what the
 * server has. Learning a room's members at login is
 * sotto-client-members.c's.
 */

/* How far the user read a room, kept as it changes. */
static void
read_changed_cb (SottoRoom   *room,
                 GParamSpec  *pspec,
                 SottoClient *self)
{
  g_autoptr(GError) error = NULL;

  if (self->store != NULL &&
      !sotto_client_store_set_read (self->store, sotto_room_get_name (room),
                                    sotto_room_get_read_seq (room), sotto_room_get_unread (room),
                                    &error))
    g_warning ("Could not keep how far %s was read: %s", sotto_room_get_name (room),
               error->message);
}

/* A message deleted for everyone: what it said goes from the store too
 * (its deletion, kept, still says it was deleted). */
static void
message_deleted_cb (SottoRoom    *room,
                    SottoMessage *message,
                    SottoClient  *self)
{
  g_autoptr(GBytes) nothing = g_bytes_new_static ("", 0);
  g_autoptr(GError) error = NULL;
  SottoMessageState state = sotto_message_get_state (message);

  if (self->store == NULL || sotto_message_get_msg_id (message) == NULL ||
      (state != SOTTO_MESSAGE_SENT && state != SOTTO_MESSAGE_RECEIVED))
    return;
  if (!sotto_client_store_update_message (self->store, sotto_room_get_name (room),
                                          sotto_message_get_sender (message),
                                          sotto_message_get_msg_id (message),
                                          (SottoStoredMessageState) state, 0, nothing, &error))
    g_warning ("Could not forget a deleted message in %s: %s", sotto_room_get_name (room),
               error->message);
}

/* The room named @name, made and remembered if it is new here, with how
 * far the user read it before. */
SottoRoom *
_sotto_client_ensure_room (SottoClient *self,
                           const char  *name,
                           gboolean     direct)
{
  SottoRoom *room = sotto_client_lookup_room (self, name);
  g_autoptr(GError) error = NULL;
  gint64 read_seq = 0;
  guint unread = 0;

  if (room != NULL)
    return room;

  room = sotto_room_new (name, direct, self->user);
  g_list_store_append (self->rooms, room);
  g_object_unref (room);
  if (!sotto_client_store_save_room (self->store, name, direct, &error) ||
      !sotto_client_store_get_read (self->store, name, &read_seq, &unread, &error))
    g_warning ("Could not remember the room %s: %s", name, error->message);
  sotto_room_set_read_seq (room, read_seq);
  sotto_room_set_unread (room, unread);
  g_signal_connect_object (room, "notify::read-seq", G_CALLBACK (read_changed_cb), self, 0);
  g_signal_connect_object (room, "notify::unread", G_CALLBACK (read_changed_cb), self, 0);
  g_signal_connect_object (room, "message-deleted", G_CALLBACK (message_deleted_cb), self, 0);

  return room;
}

/* Takes @room off the user's list. */
void
_sotto_client_drop_room (SottoClient *self,
                         SottoRoom   *room)
{
  guint position;

  if (g_list_store_find (self->rooms, room, &position))
    g_list_store_remove (self->rooms, position);
}

/* Gone again from a room whose signed state keeps us out: the join
 * fails with why. */
static void
join_refused_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *kept_out = g_object_get_data (G_OBJECT (task), "kept-out");
  g_autoptr(GError) error = NULL;

  if (!sotto_client_leave_finish (SOTTO_CLIENT (object), result, &error))
    g_info ("Could not leave a room whose state keeps us out: %s", error->message);
  g_task_return_error (task, g_error_copy (kept_out));
}

static void
joined_state_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SottoClient *self = SOTTO_CLIENT (object);
  SottoRoom *room = g_task_get_task_data (task);
  g_autofree char *kept_out = NULL;
  gboolean banned = FALSE;

  _sotto_client_sync_state_finish (self, result, NULL);

  /* The server let us in, but the room's own signed state keeps us out:
   * its members would take nothing from us nor give us anything. We go
   * again, and say why. */
  kept_out = self->store != NULL ? _sotto_client_kept_out (self, room, &banned) : NULL;
  if (kept_out != NULL)
    {
      g_object_set_data_full (G_OBJECT (task), "kept-out",
                              g_error_new_literal (SOTTO_CLIENT_ERROR,
                                                   sotto_client_error_from_server (
                                                     banned ? SOTTO_MSG_ERROR_CODE_BANNED
                                                            : SOTTO_MSG_ERROR_CODE_FORBIDDEN),
                                                   kept_out),
                              (GDestroyNotify) g_error_free);
      _sotto_client_mark_leaving (self, room);
      _sotto_client_leave_kept_out (self, room, join_refused_cb, g_steal_pointer (&task));
      return;
    }

  sotto_room_set_loaded (room, TRUE);
  g_task_return_pointer (task, g_object_ref (room), g_object_unref);
}

static void
joined_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SottoClient *self = g_task_get_source_object (task);
  g_autoptr(SottoMsg) reply = NULL;
  GError *error = NULL;
  SottoWireMember member;
  SottoRoom *room;

  reply = sotto_connection_request_finish (SOTTO_CONNECTION (object), result, &error);
  if (reply == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  if (self->store == NULL)
    {
      g_task_return_new_error (task, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_DISCONNECTED,
                               _("Logged out"));
      return;
    }

  room = _sotto_client_ensure_room (self, sotto_msg_get_string (reply, "room"),
                                    sotto_msg_get_bool (reply, "direct"));
  for (guint i = 0; i < json_array_get_length (sotto_msg_get_array (reply, "members")); i++)
    if (sotto_msg_get_member (reply, i, &member))
      _sotto_client_set_member (self, room, member.user, &member.identity, member.online);
  sotto_room_set_owner (room, sotto_msg_get_string (reply, "owner"));
  _sotto_client_remember_seq (self, sotto_room_get_name (room),
                              sotto_msg_get_int (reply, "last_seq"));

  /* Joined once the room's signed state holds us too. */
  g_task_set_task_data (task, g_object_ref (room), g_object_unref);
  _sotto_client_sync_state_async (self, room, sotto_msg_get_int (reply, "state_length"),
                                  joined_state_cb, g_steal_pointer (&task));
}

static GBytes *
build_join (const char *id,
            gpointer    room)
{
  return sotto_msg_build_join (id, room);
}

/**
 * sotto_client_join_async:
 *
 * Joins (or creates) a room; nothing said there before is readable.
 */
void
sotto_client_join_async (SottoClient         *self,
                         const char          *room,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (SOTTO_IS_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sotto_client_join_async);
  _sotto_client_request_as_user (self, task, build_join, (gpointer) room, joined_cb);
}

/**
 * sotto_client_join_finish:
 *
 * Returns: (transfer full): the room
 */
SottoRoom *
sotto_client_join_finish (SottoClient   *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static GBytes *
build_open_direct (const char *id,
                   gpointer    user)
{
  return sotto_msg_build_open_direct (id, user);
}

/**
 * sotto_client_open_direct_async:
 * @user: the other person
 *
 * Opens the direct chat with @user, making it if needed; finish with
 * sotto_client_join_finish().
 */
void
sotto_client_open_direct_async (SottoClient         *self,
                                const char          *user,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (SOTTO_IS_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sotto_client_join_async);
  _sotto_client_request_as_user (self, task, build_open_direct, (gpointer) user, joined_cb);
}

void
sotto_room_info_free (SottoRoomInfo *info)
{
  g_free (info->name);
  g_free (info);
}

static void
listed_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SottoClient *self = g_task_get_source_object (task);
  g_autoptr(SottoMsg) reply = NULL;
  g_autoptr(GPtrArray) rooms = NULL;
  GError *error = NULL;
  guint n;

  reply = sotto_connection_request_finish (SOTTO_CONNECTION (object), result, &error);
  if (reply == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  n = json_array_get_length (sotto_msg_get_array (reply, "rooms"));
  rooms = g_ptr_array_new_full (n, (GDestroyNotify) sotto_room_info_free);
  for (guint i = 0; i < n; i++)
    {
      SottoWireRoomSummary summary;
      SottoRoomInfo *info;

      if (!sotto_msg_get_room_summary (reply, i, &summary))
        continue;
      info = g_new0 (SottoRoomInfo, 1);
      info->name = g_strdup (summary.room);
      info->members = summary.members;
      info->direct = summary.direct;
      info->joined = sotto_client_lookup_room (self, summary.room) != NULL;
      g_ptr_array_add (rooms, info);
    }

  g_task_return_pointer (task, g_steal_pointer (&rooms), (GDestroyNotify) g_ptr_array_unref);
}

static GBytes *
build_list_rooms (const char *id,
                  gpointer    unused)
{
  return sotto_msg_build_list_rooms (id);
}

/**
 * sotto_client_list_rooms_async:
 *
 * Asks the server for the rooms there are: the user's, and every other
 * normal room, with member counts.
 */
void
sotto_client_list_rooms_async (SottoClient         *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (SOTTO_IS_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sotto_client_list_rooms_async);
  _sotto_client_request_as_user (self, task, build_list_rooms, NULL, listed_cb);
}

/**
 * sotto_client_list_rooms_finish:
 *
 * Returns: (transfer full) (element-type SottoRoomInfo): the rooms
 */
GPtrArray *
sotto_client_list_rooms_finish (SottoClient   *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
left_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SottoClient *self = g_task_get_source_object (task);
  const char *name = g_task_get_task_data (task);
  g_autoptr(SottoMsg) reply = NULL;
  GError *error = NULL;
  SottoRoom *room;

  reply = sotto_connection_request_finish (SOTTO_CONNECTION (object), result, &error);
  if (reply == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  room = sotto_client_lookup_room (self, name);
  if (room != NULL)
    _sotto_client_drop_room (self, room);
  if (self->store != NULL)
    _sotto_client_forget_state (self, name);
  if (self->store != NULL && !sotto_client_store_forget_room (self->store, name, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_return_boolean (task, TRUE);
}

static GBytes *
build_leave (const char *id,
             gpointer    room)
{
  return sotto_msg_build_leave (id, room);
}

static void
leave_signed_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  SottoClient *self = SOTTO_CLIENT (object);
  g_autoptr(GError) error = NULL;
  const char *room = g_task_get_task_data (task);

  /* Not signed (the connection dropped, most often): the server's leave
   * still takes us out, and the others stop at its word. */
  if (!_sotto_client_sign_state_finish (self, result, &error))
    g_info ("Leaving %s without a signed departure: %s", room, error->message);

  _sotto_client_request_as_user (self, task, build_leave, (gpointer) room, left_cb);
}

/* A moderator banned us while we were in: once gone, the user hears of
 * it as of a kick. */
static void
left_banned_cb (GObject      *object,
                              GAsyncResult *result,
                              gpointer      user_data)
{
  SottoClient *self = SOTTO_CLIENT (object);
  g_autoptr(SottoRoom) removed = user_data;
  g_autoptr(GError) error = NULL;

  if (!sotto_client_leave_finish (self, result, &error))
    {
      g_info ("Could not leave a room whose state bans us: %s", error->message);
      return;
    }
  _sotto_client_emit_removed_from_room (self, removed);
}

/* @room's signed state keeps us out: we leave it on the server with
 * nothing to sign (the state no longer holds us), and forget it; then
 * @callback, as for sotto_client_leave_async(). */
void
_sotto_client_leave_kept_out (SottoClient         *self,
                              SottoRoom           *room,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GTask *task = g_task_new (self, self->cancellable, callback, user_data);

  g_task_set_source_tag (task, sotto_client_leave_async);
  g_task_set_task_data (task, g_strdup (sotto_room_get_name (room)), g_free);
  _sotto_client_request_as_user (self, task, build_leave,
                                 (gpointer) sotto_room_get_name (room), left_cb);
}

/**
 * sotto_client_leave_async:
 *
 * Leaves @room; its history and keys are removed from this computer.
 */
void
sotto_client_leave_async (SottoClient         *self,
                          const char          *room,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (SOTTO_IS_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sotto_client_leave_async);
  g_task_set_task_data (task, g_strdup (room), g_free);

  /* The room's signed state says we left before the server does: the
   * others then stop counting us even if the server kept listing us. */
  if (self->store != NULL && sotto_client_lookup_room (self, room) != NULL)
    _sotto_client_sign_state_async (self, room, SOTTO_ROOM_EVENT_LEAVE, NULL, 0,
                                    leave_signed_cb, task);
  else
    _sotto_client_request_as_user (self, task, build_leave, (gpointer) room, left_cb);
}

gboolean
sotto_client_leave_finish (SottoClient   *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Checks, once @room's chain is current, whether it bans us: then we
 * leave the room on the server too, and the user hears they were
 * removed. A ban that has just come from the room's creator is left to
 * the server, which removes us at the creator's word too. Returns whether
 * we leave. */
gboolean
_sotto_client_leave_if_banned (SottoClient *self,
                               SottoRoom   *room,
                               gboolean     live)
{
  gboolean broken = FALSE;
  SottoRoomState *state = _sotto_client_room_state (self, room, &broken);
  g_autofree char *why = NULL;
  const char *by = NULL;
  gboolean banned = FALSE;

  if (state == NULL || _sotto_client_is_leaving (self, room))
    return state != NULL;

  why = _sotto_client_kept_out (self, room, &banned);
  if (!banned)
    return FALSE;
  sotto_room_state_get_ban (state, self->user, &by, NULL);
  if (live && by != NULL && g_strcmp0 (by, sotto_room_get_owner (room)) == 0)
    return FALSE;

  g_info ("The state of %s bans us; leaving it", sotto_room_get_name (room));
  _sotto_client_mark_leaving (self, room);
  _sotto_client_leave_kept_out (self, room, left_banned_cb, g_object_ref (room));
  return TRUE;
}

/* What a room's signed state taking @event means here (see
 * SottoClientStateTaken): the members' standings follow, we leave if it
 * bans us, and a moderator's ban reaches the server's records. */
void
_sotto_client_state_taken (SottoClient *self,
                           SottoRoom   *room,
                           GBytes      *event,
                           gboolean     counts)
{
  _sotto_client_update_standings (self, room);
  if (event == NULL)
    return;
  _sotto_client_leave_if_banned (self, room, TRUE);
  if (counts)
    _sotto_client_mirror_ban (self, room, event);
}
