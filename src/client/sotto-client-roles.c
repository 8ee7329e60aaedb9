/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-client-private.h"

/*
 * Moderating a room by its signed state alone, where the server keeps no
 * records: moderators invite people into an invite-only room and open or
 * close it, owners give roles. Each is an event signed into the room's
 * state (sotto-client-state-sign.c) once the rules are seen to allow it,
 * or a sentence saying who may.
 */

static void
moderated_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!_sotto_client_sign_state_finish (SOTTO_CLIENT (object), result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/* Signs a moderator's event, or says why the user may not. */
static void
moderate (SottoClient         *self,
          const char          *room,
          SottoRoomEventType   type,
          const char          *subject,
          gint64               value,
          gpointer             source_tag,
          GCancellable        *cancellable,
          GAsyncReadyCallback  callback,
          gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  if (self->store == NULL || sotto_client_lookup_room (self, room) == NULL)
    {
      g_task_return_new_error (task, SOTTO_CLIENT_ERROR,
                               sotto_client_error_from_server (SOTTO_MSG_ERROR_CODE_NOT_MEMBER),
                               _("You are not a member of this room"));
      return;
    }
  if (_sotto_client_own_role (self, room) < SOTTO_ROOM_ROLE_MODERATOR)
    {
      g_task_return_new_error (task, SOTTO_CLIENT_ERROR,
                               sotto_client_error_from_server (SOTTO_MSG_ERROR_CODE_FORBIDDEN),
                               _("Only the room’s creator and its moderators may do that"));
      return;
    }
  if (subject != NULL && !sotto_protocol_username_is_valid (subject))
    {
      g_task_return_new_error (task, SOTTO_CLIENT_ERROR,
                               sotto_client_error_from_server (SOTTO_MSG_ERROR_CODE_NO_SUCH_USER),
                               _("There is no user named “%s”"), subject);
      return;
    }

  _sotto_client_sign_state_async (self, room, type, subject, value, moderated_cb,
                                  g_steal_pointer (&task));
}

/**
 * sotto_client_invite_async:
 * @room: a room the user moderates
 * @user: someone to let into it while it is invite-only
 *
 * Signs an invitation of @user into @room's state: once @room is
 * invite-only, its members take in only whom a moderator invited,
 * whatever the server says.
 */
void
sotto_client_invite_async (SottoClient         *self,
                           const char          *room,
                           const char          *user,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (SOTTO_IS_CLIENT (self));
  g_return_if_fail (room != NULL);
  g_return_if_fail (user != NULL);

  moderate (self, room, SOTTO_ROOM_EVENT_INVITE, user, 0, sotto_client_invite_async,
            cancellable, callback, user_data);
}

gboolean
sotto_client_invite_finish (SottoClient   *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * sotto_client_set_invite_only_async:
 * @room: a room the user moderates
 * @invite_only: whether only invited people may join from now on
 *
 * Opens or closes @room by its signed state. Members already in stay.
 */
void
sotto_client_set_invite_only_async (SottoClient         *self,
                                    const char          *room,
                                    gboolean             invite_only,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_return_if_fail (SOTTO_IS_CLIENT (self));
  g_return_if_fail (room != NULL);

  moderate (self, room, SOTTO_ROOM_EVENT_SET_INVITE_ONLY, NULL, invite_only ? 1 : 0,
            sotto_client_set_invite_only_async, cancellable, callback, user_data);
}

gboolean
sotto_client_set_invite_only_finish (SottoClient   *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * sotto_client_may_give_roles:
 * @room: a room of the user's
 * @user: one of its members
 *
 * Returns: whether the user owns @room by its signed state and so may
 *   make @user a moderator or a plain member again: not themselves, and
 *   not another owner
 */
gboolean
sotto_client_may_give_roles (SottoClient *self,
                             const char  *room,
                             const char  *user)
{
  SottoRoom *found;
  SottoMember *member;

  g_return_val_if_fail (SOTTO_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (room != NULL, FALSE);
  g_return_val_if_fail (user != NULL, FALSE);

  found = self->store != NULL ? sotto_client_lookup_room (self, room) : NULL;
  member = found != NULL ? sotto_room_lookup_member (found, user) : NULL;
  return member != NULL && g_strcmp0 (user, self->user) != 0 &&
         _sotto_client_own_role (self, room) >= SOTTO_ROOM_ROLE_OWNER &&
         sotto_member_get_standing (member) == SOTTO_MEMBER_STANDING_CONFIRMED &&
         sotto_member_get_role (member) < SOTTO_MEMBER_ROLE_OWNER;
}

/**
 * sotto_client_set_role_async:
 * @room: a room the user owns
 * @user: one of its members
 * @role: what @user may do from now on
 *
 * Signs @user's new role into @room's state. Only an owner gives roles,
 * and not to another owner; making someone an owner cannot be undone by
 * anyone else.
 */
void
sotto_client_set_role_async (SottoClient         *self,
                             const char          *room,
                             const char          *user,
                             SottoMemberRole      role,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  SottoRoom *found;
  SottoMember *member;
  GTask *task;

  g_return_if_fail (SOTTO_IS_CLIENT (self));
  g_return_if_fail (room != NULL);
  g_return_if_fail (user != NULL);

  g_return_if_fail (role == SOTTO_MEMBER_ROLE_MEMBER || role == SOTTO_MEMBER_ROLE_MODERATOR ||
                    role == SOTTO_MEMBER_ROLE_OWNER);

  found = self->store != NULL ? sotto_client_lookup_room (self, room) : NULL;
  member = found != NULL ? sotto_room_lookup_member (found, user) : NULL;
  if (found != NULL)
    {
      g_autofree char *refusal = NULL;
      SottoMsgErrorCode code = SOTTO_MSG_ERROR_CODE_FORBIDDEN;

      if (_sotto_client_own_role (self, room) < SOTTO_ROOM_ROLE_OWNER)
        /* Translators: %s is a room */
        refusal = g_strdup_printf (_("Only an owner of %s gives roles"),
                                   sotto_room_get_display_name (found));
      else if (member == NULL ||
               sotto_member_get_standing (member) != SOTTO_MEMBER_STANDING_CONFIRMED)
        {
          code = SOTTO_MSG_ERROR_CODE_NO_SUCH_USER;
          /* Translators: the first %s is a person, the second a room */
          refusal = g_strdup_printf (_("%s is not a member of %s"), user,
                                     sotto_room_get_display_name (found));
        }
      else if (g_strcmp0 (user, self->user) != 0 &&
               sotto_member_get_role (member) >= SOTTO_MEMBER_ROLE_OWNER)
        /* Translators: the first %s is a person, the second a room */
        refusal = g_strdup_printf (_("%s owns %s too: nobody changes another owner’s role"),
                                   user, sotto_room_get_display_name (found));

      if (refusal != NULL)
        {
          task = g_task_new (self, cancellable, callback, user_data);
          g_task_set_source_tag (task, sotto_client_set_role_async);
          g_task_return_new_error (task, SOTTO_CLIENT_ERROR,
                                   sotto_client_error_from_server (code), "%s", refusal);
          g_object_unref (task);
          return;
        }
    }

  moderate (self, room, SOTTO_ROOM_EVENT_SET_ROLE, user, role, sotto_client_set_role_async,
            cancellable, callback, user_data);
}

gboolean
sotto_client_set_role_finish (SottoClient   *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
