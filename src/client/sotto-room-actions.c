/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sotto-message-private.h"
#include "sotto-room-private.h"

/*
 * Messages about messages in a room: an edit, a deletion or a reaction is
 * applied to the message it names, by its sender, device and counter (all
 * signed: the server cannot point one at another message), once that
 * message is in the room; until then it waits, and it applies when the
 * message loads. Each is applied only if its sender may: an edit by the
 * message's own sender, a deletion by that sender or by a moderator or
 * the owner of the room, a reaction by any member. Others are refused:
 * kept (they count among their sender's messages) and never applied.
 */

static char *
ref_key (const char *sender,
         guint64     counter)
{
  return g_strdup_printf ("%s\n%" G_GUINT64_FORMAT, sender != NULL ? sender : "", counter);
}

void
_sotto_room_init_actions (SottoRoom *self)
{
  self->by_ref = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) g_ptr_array_unref);
  self->pending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) g_ptr_array_unref);
  self->actions = g_ptr_array_new_with_free_func (g_object_unref);
  self->refused = g_ptr_array_new ();
}

void
_sotto_room_clear_actions (SottoRoom *self)
{
  g_clear_pointer (&self->by_ref, g_hash_table_unref);
  g_clear_pointer (&self->pending, g_hash_table_unref);
  g_clear_pointer (&self->refused, g_ptr_array_unref);
  g_clear_pointer (&self->actions, g_ptr_array_unref);
}

/* The member named @user, if the room lists them. (The other files of the
 * room call this one, not the other way round.) */
static SottoMember *
find_member (SottoRoom  *self,
             const char *user)
{
  GListModel *members = G_LIST_MODEL (self->members);

  for (guint i = 0; i < g_list_model_get_n_items (members); i++)
    {
      g_autoptr(SottoMember) member = g_list_model_get_item (members, i);

      if (g_strcmp0 (sotto_member_get_user (member), user) == 0)
        return member;
    }
  return NULL;
}

/* Whether @action's sender may do to @target what it says, and for a
 * deletion, as whom. */
static gboolean
allowed (SottoRoom            *self,
         SottoMessage         *target,
         SottoMessage         *action,
         SottoMessageDeletion *deletion)
{
  const char *actor = sotto_message_get_sender (action);
  SottoMessageBodyType kind = sotto_message_get_kind (target);
  gboolean own = g_strcmp0 (actor, sotto_message_get_sender (target)) == 0;
  SottoMember *member;

  if (!sotto_message_is_actionable (target))
    return FALSE;

  switch (sotto_message_get_action (action)->type)
    {
    case SOTTO_MESSAGE_BODY_EDIT:
      return own && kind != SOTTO_MESSAGE_BODY_FILE;
    case SOTTO_MESSAGE_BODY_DELETE:
      if (own)
        {
          *deletion = SOTTO_MESSAGE_DELETED_BY_SENDER;
          return TRUE;
        }
      member = find_member (self, actor);
      if (member != NULL && sotto_member_get_role (member) >= SOTTO_MEMBER_ROLE_MODERATOR)
        {
          *deletion = SOTTO_MESSAGE_DELETED_BY_MODERATOR;
          return TRUE;
        }
      return FALSE;
    case SOTTO_MESSAGE_BODY_REACTION:
      return TRUE;
    default:
      return FALSE;
    }
}

static void
apply (SottoRoom    *self,
       SottoMessage *target,
       SottoMessage *action)
{
  SottoMessageDeletion deletion = SOTTO_MESSAGE_NOT_DELETED;

  action->target_seq = sotto_message_get_seq (target);
  if (!allowed (self, target, action, &deletion))
    {
      g_debug ("Refused what %s asked of a message of %s in %s", sotto_message_get_sender (action),
               sotto_message_get_sender (target), self->name);
      /* A moderator's, perhaps, whose role is not known yet. */
      if (sotto_message_get_action (action)->type == SOTTO_MESSAGE_BODY_DELETE &&
          !g_ptr_array_find (self->refused, action, NULL))
        g_ptr_array_add (self->refused, action);
      return;
    }
  if (_sotto_message_apply (target, action, deletion) &&
      sotto_message_get_action (action)->type == SOTTO_MESSAGE_BODY_DELETE)
    g_signal_emit_by_name (self, "message-deleted", target);
}

/* A member's role changed: deletions refused for want of one may stand
 * now. */
void
_sotto_room_retry_actions (SottoRoom *self)
{
  g_autoptr(GPtrArray) refused = NULL;

  if (self->refused == NULL || self->refused->len == 0)
    return;
  refused = g_steal_pointer (&self->refused);
  self->refused = g_ptr_array_new ();
  for (guint i = 0; i < refused->len; i++)
    {
      SottoMessage *action = refused->pdata[i];
      SottoMessage *target = sotto_room_lookup_ref (self, &sotto_message_get_action (action)->target);

      if (target != NULL)
        apply (self, target, action);
    }
}

/**
 * sotto_room_lookup_ref:
 * @ref: how a message is named
 *
 * Returns: (transfer none) (nullable): the message @ref names, if the
 *   room holds it
 */
SottoMessage *
sotto_room_lookup_ref (SottoRoom             *self,
                       const SottoMessageRef *ref)
{
  g_autofree char *key = NULL;
  GPtrArray *named;

  g_return_val_if_fail (self != NULL && ref != NULL, NULL);

  key = ref_key (ref->sender, ref->counter);
  named = g_hash_table_lookup (self->by_ref, key);
  for (guint i = 0; named != NULL && i < named->len; i++)
    if (sotto_message_matches (named->pdata[i], ref))
      return named->pdata[i];
  return NULL;
}

/* An edit, a deletion or a reaction came (or loaded): applied to its
 * message, or kept until that one is here. */
void
_sotto_room_take_action (SottoRoom    *self,
                         SottoMessage *action)
{
  const SottoMessageAction *what = sotto_message_get_action (action);
  SottoMessage *target;
  g_autofree char *key = NULL;
  GPtrArray *waiting;

  if (sotto_message_get_msg_id (action) != NULL)
    {
      g_autofree char *id_key = g_strconcat (sotto_message_get_sender (action), "\n",
                                             sotto_message_get_msg_id (action), NULL);

      if (g_hash_table_contains (self->by_id, id_key))
        return;
      g_hash_table_insert (self->by_id, g_steal_pointer (&id_key), action);
    }
  g_ptr_array_add (self->actions, g_object_ref (action));

  target = sotto_room_lookup_ref (self, &what->target);
  if (target != NULL)
    apply (self, target, action);
  else
    {
      key = ref_key (what->target.sender, what->target.counter);
      waiting = g_hash_table_lookup (self->pending, key);
      if (waiting == NULL)
        {
          waiting = g_ptr_array_new ();
          g_hash_table_insert (self->pending, g_steal_pointer (&key), waiting);
        }
      g_ptr_array_add (waiting, action);
    }
  g_signal_emit_by_name (self, "action", action);
}

/* A reply finds the message it answers, if the room holds it. */
void
_sotto_room_find_replied (SottoRoom    *self,
                          SottoMessage *reply)
{
  SottoMessage *target;

  if (sotto_message_get_kind (reply) != SOTTO_MESSAGE_BODY_REPLY)
    return;
  target = sotto_room_lookup_ref (self, &sotto_message_get_action (reply)->target);
  if (target != NULL)
    reply->target_seq = sotto_message_get_seq (target);
}

/* @message is in the room with its counter: others may name it now, and
 * what waited for it applies. Called again once a message got its
 * counter (one of ours, when it is sent). */
void
_sotto_room_index_message (SottoRoom    *self,
                           SottoMessage *message)
{
  g_autofree char *key = NULL;
  GPtrArray *named;
  GPtrArray *waiting;

  if (sotto_message_get_counter (message) == 0 || sotto_message_get_sender (message) == NULL)
    return;

  key = ref_key (sotto_message_get_sender (message), sotto_message_get_counter (message));
  named = g_hash_table_lookup (self->by_ref, key);
  if (named == NULL)
    {
      named = g_ptr_array_new ();
      g_hash_table_insert (self->by_ref, g_strdup (key), named);
    }
  if (!g_ptr_array_find (named, message, NULL))
    g_ptr_array_add (named, message);

  waiting = g_hash_table_lookup (self->pending, key);
  if (waiting == NULL)
    return;
  for (guint i = 0; i < waiting->len;)
    {
      SottoMessage *action = waiting->pdata[i];

      if (sotto_message_matches (message, &sotto_message_get_action (action)->target))
        {
          g_ptr_array_remove_index (waiting, i);
          apply (self, message, action);
        }
      else
        i++;
    }
  if (waiting->len == 0)
    g_hash_table_remove (self->pending, key);
}

/* @message leaves the room: nobody names it any more. */
void
_sotto_room_unindex_message (SottoRoom    *self,
                             SottoMessage *message)
{
  g_autofree char *key = NULL;
  GPtrArray *named;

  if (sotto_message_get_counter (message) == 0)
    return;
  key = ref_key (sotto_message_get_sender (message), sotto_message_get_counter (message));
  named = g_hash_table_lookup (self->by_ref, key);
  if (named != NULL)
    g_ptr_array_remove (named, message);
}

/**
 * sotto_room_note_counter:
 * @message: a message of this room that just got its counter
 *
 * Lets others name @message from now on (a message of ours once it is
 * sent, one that opened late).
 */
void
sotto_room_note_counter (SottoRoom    *self,
                         SottoMessage *message)
{
  g_return_if_fail (self != NULL && message != NULL);

  /* A reply that opened late finds what it answers now. */
  _sotto_room_find_replied (self, message);
  _sotto_room_index_message (self, message);
}
