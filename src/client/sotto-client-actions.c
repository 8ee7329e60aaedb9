/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "sotto-client-private.h"

/*
 * Replies, edits, deletions and reactions: each is a message of the room,
 * sealed and sent as any other (so its sender's counter, the outbox and
 * catching up hold for it), naming the message it is about by what that
 * message's sender signed. Sending checks what the user may do; every
 * reader checks it again on what comes (sotto-room-actions.c), so that a
 * member who sends a forged one gains nothing.
 */

static gboolean
fail (GError     **error,
      const char  *sentence)
{
  g_set_error_literal (error, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_FAILED, sentence);
  return FALSE;
}

static SottoMessage *
refuse (GError     **error,
        const char  *sentence)
{
  fail (error, sentence);
  return NULL;
}

/* Whether @message can be named by a message about it, in @room. */
static gboolean
nameable (SottoRoom        *room,
          SottoMessage     *message,
          SottoMessageRef  *ref,
          GError          **error)
{
  if (g_strcmp0 (sotto_message_get_room (message), sotto_room_get_name (room)) != 0 ||
      !sotto_message_is_actionable (message))
    return fail (error, _("That is not a message of this room"));
  if (sotto_message_get_state (message) == SOTTO_MESSAGE_WAITING_FOR_KEY ||
      sotto_message_get_state (message) == SOTTO_MESSAGE_UNVERIFIABLE)
    return fail (error, _("The message cannot be read, so it cannot be answered"));
  if (sotto_message_get_deletion (message) != SOTTO_MESSAGE_NOT_DELETED)
    return fail (error, _("The message was deleted"));
  if (!sotto_message_get_ref (message, ref))
    return fail (error, _("The message is not sent yet: try again once it is"));
  return TRUE;
}

/* Sends @action in @room as it is, without asking whether the user may. */
SottoMessage *
_sotto_client_send_action (SottoClient               *self,
                           SottoRoom                 *room,
                           const SottoMessageAction  *action,
                           GError                   **error)
{
  g_autoptr(GBytes) content = sotto_message_action_encode (action, error);

  if (content == NULL)
    return NULL;
  return _sotto_client_send_content (self, room, action->type, content, error);
}

/**
 * sotto_client_reply:
 * @original: the message answered, of @room
 * @text: the answer
 *
 * Sends @text as an answer to @original: readers see a quote of its
 * start above it, and can go to it.
 *
 * Returns: (transfer none) (nullable): the reply, as
 *   sotto_client_send_message() returns a message, or %NULL with @error
 */
SottoMessage *
sotto_client_reply (SottoClient   *self,
                    SottoRoom     *room,
                    SottoMessage  *original,
                    const char    *text,
                    GError       **error)
{
  g_auto(SottoMessageAction) action = { SOTTO_MESSAGE_BODY_REPLY };

  g_return_val_if_fail (SOTTO_IS_CLIENT (self), NULL);
  g_return_val_if_fail (SOTTO_IS_ROOM (room), NULL);
  g_return_val_if_fail (SOTTO_IS_MESSAGE (original), NULL);
  g_return_val_if_fail (text != NULL, NULL);

  if (!nameable (room, original, &action.target, error))
    return NULL;
  if (*text == '\0')
    return refuse (error, _("Write an answer first"));
  action.text = g_strdup (text);
  action.excerpt = sotto_message_excerpt (sotto_message_get_text (original) != NULL
                                            ? sotto_message_get_text (original)
                                            : "");
  return _sotto_client_send_action (self, room, &action, error);
}

/**
 * sotto_client_can_edit:
 *
 * Returns: whether the user may change @message's text: one of theirs,
 *   text (or a reply), sent and not deleted
 */
gboolean
sotto_client_can_edit (SottoClient  *self,
                       SottoMessage *message)
{
  SottoMessageBodyType kind;

  g_return_val_if_fail (SOTTO_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (SOTTO_IS_MESSAGE (message), FALSE);

  kind = sotto_message_get_kind (message);
  return self->user != NULL && g_strcmp0 (sotto_message_get_sender (message), self->user) == 0 &&
         (kind == SOTTO_MESSAGE_BODY_TEXT || kind == SOTTO_MESSAGE_BODY_REPLY) &&
         sotto_message_get_state (message) != SOTTO_MESSAGE_SYSTEM &&
         sotto_message_get_deletion (message) == SOTTO_MESSAGE_NOT_DELETED &&
         sotto_message_get_counter (message) > 0;
}

/**
 * sotto_client_can_delete:
 *
 * Returns: whether the user may delete @message for everyone: one of
 *   theirs, or anyone's where the user moderates @room
 */
gboolean
sotto_client_can_delete (SottoClient  *self,
                         SottoRoom    *room,
                         SottoMessage *message)
{
  g_return_val_if_fail (SOTTO_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (SOTTO_IS_ROOM (room), FALSE);
  g_return_val_if_fail (SOTTO_IS_MESSAGE (message), FALSE);

  if (self->user == NULL || !sotto_message_is_actionable (message) ||
      sotto_message_get_deletion (message) != SOTTO_MESSAGE_NOT_DELETED ||
      sotto_message_get_counter (message) == 0)
    return FALSE;
  return g_strcmp0 (sotto_message_get_sender (message), self->user) == 0 ||
         sotto_room_get_own_role (room) >= SOTTO_MEMBER_ROLE_MODERATOR;
}

/**
 * sotto_client_edit_message:
 * @message: one of the user's messages in @room
 * @text: what it says from now on
 *
 * Changes the text of @message for everyone; readers see it marked as
 * edited, and keep what it said before.
 *
 * Returns: (transfer none) (nullable): the edit (not a row of the room),
 *   or %NULL with @error
 */
SottoMessage *
sotto_client_edit_message (SottoClient   *self,
                           SottoRoom     *room,
                           SottoMessage  *message,
                           const char    *text,
                           GError       **error)
{
  g_auto(SottoMessageAction) action = { SOTTO_MESSAGE_BODY_EDIT };

  g_return_val_if_fail (SOTTO_IS_CLIENT (self), NULL);
  g_return_val_if_fail (SOTTO_IS_ROOM (room), NULL);
  g_return_val_if_fail (SOTTO_IS_MESSAGE (message), NULL);
  g_return_val_if_fail (text != NULL, NULL);

  if (!nameable (room, message, &action.target, error))
    return NULL;
  if (!sotto_client_can_edit (self, message))
    return refuse (error, _("Only your own text messages can be edited"));
  if (*text == '\0')
    return refuse (error, _("An edit cannot be empty: delete the message instead"));
  if (g_strcmp0 (text, sotto_message_get_text (message)) == 0)
    return refuse (error, _("The text is the same as before"));
  action.text = g_strdup (text);
  return _sotto_client_send_action (self, room, &action, error);
}

/**
 * sotto_client_delete_message:
 * @message: a message of @room: the user's, or anyone's where the user
 *   moderates the room
 *
 * Deletes @message for everyone: readers no longer see what it said
 * (only that it was deleted, and by whom where it was not its sender).
 *
 * Returns: (transfer none) (nullable): the deletion (not a row of the
 *   room), or %NULL with @error
 */
SottoMessage *
sotto_client_delete_message (SottoClient   *self,
                             SottoRoom     *room,
                             SottoMessage  *message,
                             GError       **error)
{
  g_auto(SottoMessageAction) action = { SOTTO_MESSAGE_BODY_DELETE };

  g_return_val_if_fail (SOTTO_IS_CLIENT (self), NULL);
  g_return_val_if_fail (SOTTO_IS_ROOM (room), NULL);
  g_return_val_if_fail (SOTTO_IS_MESSAGE (message), NULL);

  if (!nameable (room, message, &action.target, error))
    return NULL;
  if (!sotto_client_can_delete (self, room, message))
    return refuse (error, _("Only your own messages can be deleted, or anyone's by a moderator "
                          "of the room"));
  return _sotto_client_send_action (self, room, &action, error);
}

/**
 * sotto_client_react:
 * @message: a message of @room
 * @reaction: an emoji (or a short word without spaces)
 * @add: %TRUE to give it, %FALSE to take it back
 *
 * Gives @message a reaction from the user, or takes it back.
 *
 * Returns: (transfer none) (nullable): the reaction (not a row of the
 *   room), or %NULL with @error
 */
SottoMessage *
sotto_client_react (SottoClient   *self,
                    SottoRoom     *room,
                    SottoMessage  *message,
                    const char    *reaction,
                    gboolean       add,
                    GError       **error)
{
  g_auto(SottoMessageAction) action = { SOTTO_MESSAGE_BODY_REACTION };

  g_return_val_if_fail (SOTTO_IS_CLIENT (self), NULL);
  g_return_val_if_fail (SOTTO_IS_ROOM (room), NULL);
  g_return_val_if_fail (SOTTO_IS_MESSAGE (message), NULL);
  g_return_val_if_fail (reaction != NULL, NULL);

  if (!nameable (room, message, &action.target, error))
    return NULL;
  if (!sotto_message_reaction_is_valid (reaction))
    return refuse (error, _("A reaction is an emoji, or a short word without spaces"));
  action.reaction = g_strdup (reaction);
  action.removed = !add;
  return _sotto_client_send_action (self, room, &action, error);
}
