/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-client-private.h"

/*
 * Removing people from a room, letting them back in, and the list of who
 * is kept out. A removal is a ban. Its moderators sign it into the room's
 * state, and its end too, so that the members keep the banned person out
 * whatever the server says, and the banned person's client leaves
 * (sotto-client-standing.c). The server keeps records of its own for the
 * room's creator only: it refuses the removed user's join until the
 * creator lets them back, and shows the creator its list. Refusals are
 * told in words that say who may. Invitations, the invite-only flag and
 * roles are in sotto-client-roles.c.
 */

typedef enum
{
  ACTION_KICK,
  ACTION_UNBAN,
  ACTION_LIST,
} Action;

typedef struct
{
  Action  action;
  char   *room;
  char   *user;
} Request;

static void
request_free (Request *request)
{
  g_free (request->room);
  g_free (request->user);
  g_free (request);
}

static GBytes *
build_request (const char *id,
               gpointer    data)
{
  Request *request = data;

  switch (request->action)
    {
    case ACTION_KICK:
      return sotto_msg_build_kick (id, request->room, request->user);
    case ACTION_UNBAN:
      return sotto_msg_build_unban (id, request->room, request->user);
    case ACTION_LIST:
    default:
      return sotto_msg_build_list_bans (id, request->room);
    }
}

/* The server's "forbidden", said with who may do what was refused. */
static GError *
explain_refusal (SottoClient   *self,
                 const Request *request,
                 GError        *error)
{
  SottoRoom *room = sotto_client_lookup_room (self, request->room);
  g_autofree char *label = NULL;
  const char *owner;
  char *text;

  if (!sotto_client_error_is_server (error, SOTTO_MSG_ERROR_CODE_FORBIDDEN))
    return error;

  owner = room != NULL ? sotto_room_get_owner (room) : NULL;
  label = room != NULL ? g_strdup (sotto_room_get_display_name (room))
                       : g_strconcat ("#", request->room, NULL);

  if (sotto_protocol_room_is_direct (request->room))
    text = g_strdup (_("Nobody is removed from a direct chat"));
  else if (request->action == ACTION_KICK && g_strcmp0 (request->user, self->user) == 0)
    text = g_strdup (_("You cannot remove yourself; leave the room instead"));
  else if (g_strcmp0 (owner, self->user) == 0)
    return error;
  else if (owner != NULL)
    /* Translators: %s is a room */
    text = g_strdup_printf (request->action == ACTION_KICK
                            ? _("Only the owner and the moderators of %s can remove people "
                                "from it")
                            : request->action == ACTION_UNBAN
                            ? _("Only the owner and the moderators of %s can let people back "
                                "in")
                            : _("Only the owner and the moderators of %s can see who was "
                                "removed from it"),
                            label);
  else
    text = g_strdup_printf (request->action == ACTION_KICK
                            ? _("Only the server’s operator can remove people from %s")
                            : request->action == ACTION_UNBAN
                            ? _("Only the server’s operator can let people back into %s")
                            : _("Only the server’s operator can see who was removed from %s"),
                            label);

  g_free (error->message);
  error->message = text;
  return error;
}

static void
answered_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SottoClient *self = g_task_get_source_object (task);
  Request *request = g_task_get_task_data (task);
  g_autoptr(SottoMsg) reply = NULL;
  g_autoptr(GPtrArray) bans = NULL;
  GError *error = NULL;
  guint n;

  reply = sotto_connection_request_finish (SOTTO_CONNECTION (object), result, &error);
  if (reply == NULL)
    {
      g_task_return_error (task, explain_refusal (self, request, error));
      return;
    }

  if (request->action != ACTION_LIST)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  n = json_array_get_length (sotto_msg_get_array (reply, "bans"));
  bans = g_ptr_array_new_full (n, g_object_unref);
  for (guint i = 0; i < n; i++)
    {
      SottoWireBan ban;

      if (sotto_msg_get_ban (reply, i, &ban))
        g_ptr_array_add (bans, sotto_ban_new (ban.user, ban.banned_by, ban.ts));
    }

  g_task_return_pointer (task, g_steal_pointer (&bans), (GDestroyNotify) g_ptr_array_unref);
}

static void
signed_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  GTask *task = user_data;
  SottoClient *self = SOTTO_CLIENT (object);
  Request *request = g_task_get_task_data (task);
  SottoRoom *room = sotto_client_lookup_room (self, request->room);
  GError *error = NULL;

  if (!_sotto_client_sign_state_finish (self, result, &error))
    {
      /* The room's creator still has the server's records to go by. */
      if (room == NULL || !sotto_client_is_room_owner (self, room))
        {
          g_task_return_error (task, error);
          g_object_unref (task);
          return;
        }
      g_info ("The change to %s is not signed into its state: %s", request->room,
              error->message);
      g_clear_error (&error);
    }

  /* The server keeps its own records of bans for the room's creator
   * only. A moderator's ban is the signed event alone: the members keep
   * the banned person out, and the banned person's client leaves. */
  if (room != NULL && !sotto_client_is_room_owner (self, room))
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }

  _sotto_client_request_as_user (self, task, build_request, request, answered_cb);
}

/* A moderator who did not create the room sees the bans of its signed
 * state: the server shows its records to the creator only. */
static GPtrArray *
list_signed_bans (SottoClient *self,
                  const char  *room)
{
  g_auto(GStrv) names = _sotto_client_dup_state_bans (self, room);
  GPtrArray *bans = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    {
      const char *by = NULL;
      gint64 since = 0;

      _sotto_client_state_ban_of (self, room, names[i], &by, &since);
      g_ptr_array_add (bans, sotto_ban_new (names[i], by, since));
    }
  return bans;
}

static void
send_request (SottoClient         *self,
              Action               action,
              const char          *room,
              const char          *user,
              gpointer             source_tag,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  SottoRoom *found;
  Request *request;

  g_task_set_source_tag (task, source_tag);
  if (user != NULL && !sotto_protocol_username_is_valid (user))
    {
      g_task_return_new_error (task, SOTTO_CLIENT_ERROR,
                               sotto_client_error_from_server (SOTTO_MSG_ERROR_CODE_NO_SUCH_USER),
                               _("There is no user named “%s”"), user);
      g_object_unref (task);
      return;
    }

  found = self->store != NULL ? sotto_client_lookup_room (self, room) : NULL;
  request = g_new0 (Request, 1);
  request->action = action;
  request->room = g_strdup (room);
  request->user = g_strdup (user);
  g_task_set_task_data (task, request, (GDestroyNotify) request_free);

  /* A ban, or its end, goes into the room's signed state first, where
   * the rules let us: the members then keep the removed person out even
   * if the server later lets them back. */
  if (self->store != NULL && action == ACTION_LIST && found != NULL &&
      !sotto_client_is_room_owner (self, found) &&
      _sotto_client_own_role (self, room) >= SOTTO_ROOM_ROLE_MODERATOR)
    {
      g_task_return_pointer (task, list_signed_bans (self, room),
                             (GDestroyNotify) g_ptr_array_unref);
      g_object_unref (task);
    }
  else if (self->store != NULL && action == ACTION_KICK &&
           _sotto_client_may_ban (self, room, user))
    _sotto_client_sign_state_async (self, room, SOTTO_ROOM_EVENT_BAN, user, 0, signed_cb, task);
  else if (self->store != NULL && action == ACTION_UNBAN &&
           _sotto_client_state_bans (self, room, user) &&
           _sotto_client_may_ban (self, room, user))
    _sotto_client_sign_state_async (self, room, SOTTO_ROOM_EVENT_UNBAN, user, 0, signed_cb,
                                    task);
  else
    _sotto_client_request_as_user (self, task, build_request, request, answered_cb);
}

/**
 * sotto_client_kick_async:
 * @room: a normal room the user created
 * @user: a member to remove, or someone who left, to keep out
 *
 * Removes @user from @room and keeps them out until the user lets them
 * back (sotto_client_unban_async()). A moderator by the room's signed
 * state signs the ban into it, so its members keep @user out whatever the
 * server says, and @user's own client leaves; the room's creator also
 * has the server remove @user and refuse their joins. Others are refused
 * with %SOTTO_MSG_ERROR_CODE_FORBIDDEN, as a %SOTTO_CLIENT_ERROR
 * (sotto_client_may_remove()).
 */
void
sotto_client_kick_async (SottoClient         *self,
                         const char          *room,
                         const char          *user,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_return_if_fail (SOTTO_IS_CLIENT (self));
  g_return_if_fail (room != NULL);
  g_return_if_fail (user != NULL);

  send_request (self, ACTION_KICK, room, user, sotto_client_kick_async, cancellable,
                callback, user_data);
}

gboolean
sotto_client_kick_finish (SottoClient   *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == sotto_client_kick_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * sotto_client_unban_async:
 * @room: a normal room the user created
 * @user: someone removed from it
 *
 * Lets @user join @room again; lifting a ban that is not there is not an
 * error. Only the room's moderators may: the creator lifts the server's
 * ban too.
 */
void
sotto_client_unban_async (SottoClient         *self,
                          const char          *room,
                          const char          *user,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_return_if_fail (SOTTO_IS_CLIENT (self));
  g_return_if_fail (room != NULL);
  g_return_if_fail (user != NULL);

  send_request (self, ACTION_UNBAN, room, user, sotto_client_unban_async, cancellable,
                callback, user_data);
}

gboolean
sotto_client_unban_finish (SottoClient   *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == sotto_client_unban_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * sotto_client_list_bans_async:
 * @room: a normal room the user created
 *
 * Who is kept out of @room: for its creator, the server's records (the
 * operator's bans included); for another moderator, the bans of the
 * room's signed state. Others are refused.
 */
void
sotto_client_list_bans_async (SottoClient         *self,
                              const char          *room,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (SOTTO_IS_CLIENT (self));
  g_return_if_fail (room != NULL);

  send_request (self, ACTION_LIST, room, NULL, sotto_client_list_bans_async, cancellable,
                callback, user_data);
}

/**
 * sotto_client_list_bans_finish:
 *
 * Returns: (transfer full) (element-type SottoBan): who is kept out of the
 *   room, sorted by name, or %NULL on error
 */
GPtrArray *
sotto_client_list_bans_finish (SottoClient   *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == sotto_client_list_bans_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * sotto_client_is_room_owner:
 *
 * Whether the user created @room, as the server last said, and so may
 * remove others from it, let them back in and see who is kept out.
 */
gboolean
sotto_client_is_room_owner (SottoClient *self,
                            SottoRoom   *room)
{
  g_return_val_if_fail (SOTTO_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (SOTTO_IS_ROOM (room), FALSE);

  return self->user != NULL && !sotto_room_get_direct (room) &&
         g_strcmp0 (sotto_room_get_owner (room), self->user) == 0;
}

/**
 * sotto_client_may_remove:
 * @room: a room of the user's
 * @user: one of its members, or someone who left
 *
 * Returns: whether the user may remove @user from @room and keep them
 *   out: by its signed state, a moderator removes those below them; the
 *   room's creator also by the server's records in rooms without one
 */
gboolean
sotto_client_may_remove (SottoClient *self,
                         const char  *room,
                         const char  *user)
{
  SottoRoom *found;

  g_return_val_if_fail (SOTTO_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (room != NULL, FALSE);
  g_return_val_if_fail (user != NULL, FALSE);

  found = self->store != NULL ? sotto_client_lookup_room (self, room) : NULL;
  if (found == NULL || sotto_room_get_direct (found) || g_strcmp0 (user, self->user) == 0)
    return FALSE;
  if (_sotto_client_own_role (self, room) >= 0)
    return _sotto_client_may_ban (self, room, user);
  return sotto_client_is_room_owner (self, found);
}

/* The server keeps its own records of bans at the word of the room's
 * creator only. When another moderator bans someone, or lifts a ban, the
 * creator's client, if it is online, has the server do the same, so that
 * the server removes the banned person at once and lets back whom the
 * room lets back. */
void
_sotto_client_mirror_ban (SottoClient *self,
                          SottoRoom   *room,
                          GBytes      *event)
{
  g_auto(SottoRoomEvent) read = { 0 };
  Request request = { 0 };

  if (!sotto_client_is_room_owner (self, room) || self->state != SOTTO_CLIENT_ONLINE ||
      !sotto_room_event_open (event, &read, NULL) ||
      (read.type != SOTTO_ROOM_EVENT_BAN && read.type != SOTTO_ROOM_EVENT_UNBAN) ||
      g_strcmp0 (read.actor, self->user) == 0 || read.subject == NULL)
    return;

  request.action = read.type == SOTTO_ROOM_EVENT_BAN ? ACTION_KICK : ACTION_UNBAN;
  request.room = (char *) sotto_room_get_name (room);
  request.user = read.subject;
  g_info ("%s %s in %s on the server, as %s did in the room", read.type == SOTTO_ROOM_EVENT_BAN
          ? "Banning" : "Unbanning", read.subject, request.room, read.actor);
  _sotto_client_send_logged (self, build_request, &request,
                             read.type == SOTTO_ROOM_EVENT_BAN ? "mirror a moderator's ban"
                                                               : "mirror a moderator's unban");
}

static void
reconcile_listed_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  SottoClient *self = SOTTO_CLIENT (object);
  g_autofree char *room = user_data;
  g_autoptr(GPtrArray) kept_out = NULL;
  g_autoptr(GHashTable) on_record = g_hash_table_new (g_str_hash, g_str_equal);
  g_auto(GStrv) banned = NULL;
  g_autoptr(GError) error = NULL;

  kept_out = sotto_client_list_bans_finish (self, result, &error);
  if (kept_out == NULL)
    {
      g_info ("Could not compare the bans of %s: %s", room, error->message);
      return;
    }

  for (guint i = 0; i < kept_out->len; i++)
    g_hash_table_add (on_record, (gpointer) sotto_ban_get_user (g_ptr_array_index (kept_out, i)));

  banned = _sotto_client_dup_state_bans (self, room);
  for (guint i = 0; banned != NULL && banned[i] != NULL; i++)
    {
      const char *by = NULL;
      Request request = { ACTION_KICK, room, banned[i] };

      if (g_hash_table_contains (on_record, banned[i]) ||
          !_sotto_client_state_ban_of (self, room, banned[i], &by, NULL) || by == NULL)
        continue;
      g_info ("Banning %s in %s on the server, as %s did in the room while we were away",
              banned[i], room, by);
      _sotto_client_send_logged (self, build_request, &request, "mirror a moderator's ban");
    }
}

/* At login, for a room the user created: the moderators' bans made while
 * we were away reach the server's records too. Lifted bans are left to
 * the server's records, which may hold bans older than the room's signed
 * state. */
void
_sotto_client_reconcile_bans (SottoClient *self,
                              SottoRoom   *room)
{
  if (!sotto_client_is_room_owner (self, room) || self->state != SOTTO_CLIENT_ONLINE)
    return;

  sotto_client_list_bans_async (self, sotto_room_get_name (room), self->cancellable,
                                reconcile_listed_cb, g_strdup (sotto_room_get_name (room)));
}

