/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "sotto-message-private.h"

/*
 * A message and other messages: what a reply, an edit, a deletion or a
 * reaction says (its action), and what such messages did to this one.
 * Whether an action's sender may do it is the room's to say
 * (sotto-room-actions.c); here it is applied. Actions apply in the room's
 * order (by seq; one of ours the server has not numbered yet counts as
 * the latest), whatever order they are applied in: the latest edit is the
 * text, the latest word of a member on a reaction stands, and a deletion
 * is for good.
 */

typedef struct
{
  gint64  order;
  char   *text;
} SottoMessageEdit;

typedef struct
{
  gint64   order;
  gboolean removed;
  guint    given;
} SottoMessageReaction;

static void
edit_free (SottoMessageEdit *edit)
{
  g_free (edit->text);
  g_free (edit);
}

void
_sotto_message_clear_actions (SottoMessage *self)
{
  if (self->action != NULL)
    {
      sotto_message_action_clear (self->action);
      g_clear_pointer (&self->action, g_free);
    }
  g_clear_pointer (&self->edits, g_ptr_array_unref);
  g_clear_pointer (&self->original_text, g_free);
  g_clear_pointer (&self->deleted_by, g_free);
  g_clear_pointer (&self->reactions, g_hash_table_unref);
}

static gint64
order_of (SottoMessage *action)
{
  return action->seq > 0 ? action->seq : G_MAXINT64;
}

/**
 * sotto_message_get_kind:
 *
 * Returns: what the message is: text, a file, or one about another
 *   message (a reply, an edit, a deletion, a reaction)
 */
SottoMessageBodyType
sotto_message_get_kind (SottoMessage *self)
{
  g_return_val_if_fail (self != NULL, SOTTO_MESSAGE_BODY_TEXT);

  if (self->action != NULL)
    return self->action->type;
  return self->file != NULL ? SOTTO_MESSAGE_BODY_FILE : SOTTO_MESSAGE_BODY_TEXT;
}

/**
 * sotto_message_is_actionable:
 *
 * Returns: whether replies, edits, deletions and reactions may name this
 *   message: a row that shows something someone said (text, a file, a
 *   reply), not a room event nor itself an edit, deletion or reaction
 */
gboolean
sotto_message_is_actionable (SottoMessage *self)
{
  SottoMessageBodyType kind;

  g_return_val_if_fail (self != NULL, FALSE);

  kind = sotto_message_get_kind (self);
  return self->state != SOTTO_MESSAGE_SYSTEM &&
         (kind == SOTTO_MESSAGE_BODY_TEXT || kind == SOTTO_MESSAGE_BODY_FILE ||
          kind == SOTTO_MESSAGE_BODY_REPLY);
}

/**
 * sotto_message_get_action:
 *
 * Returns: (transfer none) (nullable): what a reply, an edit, a deletion
 *   or a reaction says; %NULL for other messages
 */
const SottoMessageAction *
sotto_message_get_action (SottoMessage *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->action;
}

static void
copy_action (SottoMessageAction       *to,
             const SottoMessageAction *from)
{
  *to = *from;
  to->target.sender = g_strdup (from->target.sender);
  to->text = g_strdup (from->text);
  to->excerpt = g_strdup (from->excerpt);
  to->reaction = g_strdup (from->reaction);
}

/**
 * sotto_message_set_action:
 * @action: (nullable): what the message says of another, copied
 *
 * Makes this a reply, an edit, a deletion or a reaction. A reply's text
 * is its own; the others are not shown as messages.
 */
void
sotto_message_set_action (SottoMessage             *self,
                          const SottoMessageAction *action)
{
  g_return_if_fail (self != NULL);

  if (self->action != NULL)
    {
      sotto_message_action_clear (self->action);
      g_clear_pointer (&self->action, g_free);
    }
  if (action != NULL)
    {
      self->action = g_new0 (SottoMessageAction, 1);
      copy_action (self->action, action);
    }
}

/**
 * sotto_message_get_target_seq:
 *
 * Returns: for a reply, an edit, a deletion or a reaction, the number in
 *   the room of the message it names, once the room found that message;
 *   0 otherwise
 */
gint64
sotto_message_get_target_seq (SottoMessage *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->target_seq;
}

/**
 * sotto_message_get_device:
 *
 * Returns: (nullable) (array fixed-size=32): the signing key of the device
 *   that wrote it, or %NULL while unknown
 */
const guint8 *
sotto_message_get_device (SottoMessage *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->has_device ? self->device : NULL;
}

/**
 * sotto_message_set_device:
 * @device: (nullable) (array fixed-size=32): the signing key of the device
 *   that wrote it
 */
void
sotto_message_set_device (SottoMessage *self,
                          const guint8 *device)
{
  g_return_if_fail (self != NULL);

  self->has_device = device != NULL;
  if (device != NULL)
    memcpy (self->device, device, sizeof self->device);
}

/**
 * sotto_message_matches:
 *
 * Returns: whether @ref names this message: its sender, its counter, and
 *   its device where it is known
 */
gboolean
sotto_message_matches (SottoMessage          *self,
                       const SottoMessageRef *ref)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (ref != NULL, FALSE);

  return self->counter > 0 && self->counter == ref->counter &&
         g_strcmp0 (self->sender, ref->sender) == 0 &&
         (!self->has_device || memcmp (self->device, ref->device, sizeof self->device) == 0);
}

/**
 * sotto_message_get_ref:
 * @ref: (out caller-allocates): how others name it; its sender to free
 *
 * Returns: %TRUE, or %FALSE while the message cannot be named (not sent
 *   yet, or written by a device not known)
 */
gboolean
sotto_message_get_ref (SottoMessage    *self,
                       SottoMessageRef *ref)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (ref != NULL, FALSE);

  memset (ref, 0, sizeof *ref);
  if (self->counter == 0 || !self->has_device || self->sender == NULL)
    return FALSE;
  ref->sender = g_strdup (self->sender);
  memcpy (ref->device, self->device, sizeof ref->device);
  ref->counter = self->counter;
  return TRUE;
}

/**
 * sotto_message_is_edited:
 *
 * Returns: whether its sender changed its text
 */
gboolean
sotto_message_is_edited (SottoMessage *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->edits != NULL && self->edits->len > 0;
}

/**
 * sotto_message_dup_edits:
 *
 * Returns: (transfer full): the texts it had before the one it shows, the
 *   first first; empty when it was never edited
 */
GStrv
sotto_message_dup_edits (SottoMessage *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (self != NULL, NULL);

  if (sotto_message_is_edited (self))
    {
      if (self->original_text != NULL)
        g_strv_builder_add (builder, self->original_text);
      for (guint i = 0; i + 1 < self->edits->len; i++)
        g_strv_builder_add (builder, ((SottoMessageEdit *) self->edits->pdata[i])->text);
    }
  return g_strv_builder_end (builder);
}

/**
 * sotto_message_get_deletion:
 *
 * Returns: whether, and by whom, it was deleted for everyone
 */
SottoMessageDeletion
sotto_message_get_deletion (SottoMessage *self)
{
  g_return_val_if_fail (self != NULL, SOTTO_MESSAGE_NOT_DELETED);
  return self->deletion;
}

/**
 * sotto_message_get_deleted_by:
 *
 * Returns: (nullable): who deleted it
 */
const char *
sotto_message_get_deleted_by (SottoMessage *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->deleted_by;
}

static int
compare_given (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  GHashTable *first = user_data;
  guint given_a = GPOINTER_TO_UINT (g_hash_table_lookup (first, *(const char **) a));
  guint given_b = GPOINTER_TO_UINT (g_hash_table_lookup (first, *(const char **) b));

  return given_a < given_b ? -1 : given_a > given_b;
}

/**
 * sotto_message_dup_reactions:
 *
 * Returns: (transfer full): the reactions someone gives it now, the first
 *   given first
 */
GStrv
sotto_message_dup_reactions (SottoMessage *self)
{
  g_autoptr(GHashTable) first = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) reactions = g_ptr_array_new ();
  GHashTableIter iter;
  const char *key;
  SottoMessageReaction *reaction;

  g_return_val_if_fail (self != NULL, NULL);

  if (self->reactions != NULL)
    {
      g_hash_table_iter_init (&iter, self->reactions);
      while (g_hash_table_iter_next (&iter, (gpointer *) &key, (gpointer *) &reaction))
        {
          const char *emoji = strchr (key, '\n') + 1;
          gpointer given;

          if (reaction->removed)
            continue;
          if (!g_hash_table_lookup_extended (first, emoji, NULL, &given) ||
              reaction->given + 1 < GPOINTER_TO_UINT (given))
            g_hash_table_insert (first, g_strdup (emoji), GUINT_TO_POINTER (reaction->given + 1));
        }
    }
  g_hash_table_iter_init (&iter, first);
  while (g_hash_table_iter_next (&iter, (gpointer *) &key, NULL))
    g_ptr_array_add (reactions, g_strdup (key));
  g_ptr_array_sort_with_data (reactions, compare_given, first);
  g_ptr_array_add (reactions, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&reactions), FALSE);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char **) a, *(const char **) b);
}

/**
 * sotto_message_dup_reactors:
 *
 * Returns: (transfer full): who gives it @reaction now, sorted by name
 */
GStrv
sotto_message_dup_reactors (SottoMessage *self,
                            const char   *reaction)
{
  g_autoptr(GPtrArray) users = g_ptr_array_new ();
  GHashTableIter iter;
  const char *key;
  SottoMessageReaction *given;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (reaction != NULL, NULL);

  if (self->reactions != NULL)
    {
      g_hash_table_iter_init (&iter, self->reactions);
      while (g_hash_table_iter_next (&iter, (gpointer *) &key, (gpointer *) &given))
        {
          const char *newline = strchr (key, '\n');

          if (!given->removed && g_str_equal (newline + 1, reaction))
            g_ptr_array_add (users, g_strndup (key, (gsize) (newline - key)));
        }
    }
  g_ptr_array_sort (users, compare_names);
  g_ptr_array_add (users, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&users), FALSE);
}

/**
 * sotto_message_has_reaction_from:
 *
 * Returns: whether @user gives it @reaction now
 */
gboolean
sotto_message_has_reaction_from (SottoMessage *self,
                                 const char   *user,
                                 const char   *reaction)
{
  g_autofree char *key = NULL;
  SottoMessageReaction *given;

  g_return_val_if_fail (self != NULL, FALSE);

  if (self->reactions == NULL || user == NULL || reaction == NULL)
    return FALSE;
  key = g_strconcat (user, "\n", reaction, NULL);
  given = g_hash_table_lookup (self->reactions, key);
  return given != NULL && !given->removed;
}

/* An edited or deleted message was opened late (its key came after the
 * edit): what it opened with is its first text, not the one it shows. */
gboolean
_sotto_message_keep_original (SottoMessage *self,
                              const char   *text)
{
  if (!sotto_message_is_edited (self) && self->deletion == SOTTO_MESSAGE_NOT_DELETED)
    return FALSE;
  if (self->deletion == SOTTO_MESSAGE_NOT_DELETED)
    {
      g_free (self->original_text);
      self->original_text = g_strdup (text);
    }
  return TRUE;
}

static gboolean
apply_edit (SottoMessage *self,
            SottoMessage *action)
{
  SottoMessageEdit *edit;
  gint64 order = order_of (action);
  guint position;

  if (self->edits == NULL)
    self->edits = g_ptr_array_new_with_free_func ((GDestroyNotify) edit_free);
  if (self->edits->len == 0)
    {
      g_free (self->original_text);
      self->original_text = g_strdup (self->text);
    }
  for (position = self->edits->len; position > 0; position--)
    if (((SottoMessageEdit *) self->edits->pdata[position - 1])->order <= order)
      break;
  edit = g_new0 (SottoMessageEdit, 1);
  edit->order = order;
  edit->text = g_strdup (action->action->text);
  g_ptr_array_insert (self->edits, (gint) position, edit);

  /* The latest is what it says. */
  edit = g_ptr_array_index (self->edits, self->edits->len - 1);
  if (g_strcmp0 (self->text, edit->text) != 0)
    {
      g_free (self->text);
      self->text = g_strdup (edit->text);
      g_object_notify (G_OBJECT (self), "text");
    }
  if (self->edits->len == 1)
    g_object_notify (G_OBJECT (self), "edited");
  return TRUE;
}

static gboolean
apply_deletion (SottoMessage         *self,
                SottoMessage         *action,
                SottoMessageDeletion  deletion)
{
  gboolean was_edited = sotto_message_is_edited (self);

  if (self->deletion != SOTTO_MESSAGE_NOT_DELETED)
    return FALSE;

  /* Nothing of what it said is kept: not its text, earlier texts, file,
   * quote or reactions. */
  self->deletion = deletion;
  self->deleted_by = g_strdup (action->sender);
  g_clear_pointer (&self->edits, g_ptr_array_unref);
  g_clear_pointer (&self->original_text, g_free);
  g_free (self->text);
  self->text = g_strdup ("");
  if (self->action != NULL)
    {
      g_clear_pointer (&self->action->text, g_free);
      g_clear_pointer (&self->action->excerpt, g_free);
      self->action->text = g_strdup ("");
      self->action->excerpt = g_strdup ("");
    }
  g_object_notify (G_OBJECT (self), "text");
  if (self->reactions != NULL)
    {
      g_clear_pointer (&self->reactions, g_hash_table_unref);
      g_object_notify (G_OBJECT (self), "reactions");
    }
  if (self->file != NULL)
    {
      g_clear_pointer (&self->file, sotto_file_message_free);
      g_object_notify (G_OBJECT (self), "file");
    }
  if (was_edited)
    g_object_notify (G_OBJECT (self), "edited");
  g_object_notify (G_OBJECT (self), "deletion");
  return TRUE;
}

static gboolean
apply_reaction (SottoMessage *self,
                SottoMessage *action)
{
  g_autofree char *key = g_strconcat (action->sender, "\n", action->action->reaction, NULL);
  SottoMessageReaction *given;
  gint64 order = order_of (action);

  if (self->reactions == NULL)
    self->reactions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  given = g_hash_table_lookup (self->reactions, key);
  if (given != NULL && given->order > order)
    return FALSE;
  if (given == NULL)
    {
      /* Not given until this says so. */
      given = g_new0 (SottoMessageReaction, 1);
      given->given = self->reactions_given++;
      given->removed = TRUE;
      g_hash_table_insert (self->reactions, g_steal_pointer (&key), given);
    }
  given->order = order;
  if (given->removed != action->action->removed)
    {
      given->removed = action->action->removed;
      g_object_notify (G_OBJECT (self), "reactions");
    }
  return TRUE;
}

/*
 * Applies @action (an edit, a deletion or a reaction the room allowed) to
 * this message; @deletion says who deleted it for a deletion. Returns
 * whether anything changed.
 */
gboolean
_sotto_message_apply (SottoMessage         *self,
                      SottoMessage         *action,
                      SottoMessageDeletion  deletion)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (action != NULL && action->action != NULL, FALSE);

  if (self->deletion != SOTTO_MESSAGE_NOT_DELETED)
    return FALSE;
  switch (action->action->type)
    {
    case SOTTO_MESSAGE_BODY_EDIT:
      return apply_edit (self, action);
    case SOTTO_MESSAGE_BODY_DELETE:
      return apply_deletion (self, action, deletion);
    case SOTTO_MESSAGE_BODY_REACTION:
      return apply_reaction (self, action);
    default:
      return FALSE;
    }
}
