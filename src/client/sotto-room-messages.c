/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sotto-room-private.h"

/*
 * The room's history: #SottoMessage items in server order (by seq), with
 * those not yet numbered at the end, and two indexes beside the list, by
 * sender and msg_id and by seq, so that lookups stay cheap in a long
 * history. Edits, deletions and reactions are not rows: the room applies
 * them to the messages they name (sotto-room-actions.c).
 */

/**
 * sotto_room_get_messages:
 *
 * Returns: (transfer none): the history, #SottoMessage items in order
 */
GListModel *
sotto_room_get_messages (SottoRoom *self)
{
  g_return_val_if_fail (SOTTO_IS_ROOM (self), NULL);
  return G_LIST_MODEL (self->messages);
}

static char *
message_key (const char *sender,
             const char *msg_id)
{
  return g_strconcat (sender != NULL ? sender : "", "\n", msg_id, NULL);
}

static void
index_seq (SottoRoom *self,
           gint64     seq)
{
  if (seq > 0 && !g_hash_table_contains (self->seqs, &seq))
    g_hash_table_add (self->seqs, g_memdup2 (&seq, sizeof seq));
}

/**
 * sotto_room_lookup_message:
 *
 * Returns: (transfer none) (nullable): the message @sender sent with @msg_id
 */
SottoMessage *
sotto_room_lookup_message (SottoRoom  *self,
                           const char *sender,
                           const char *msg_id)
{
  g_autofree char *key = NULL;

  g_return_val_if_fail (SOTTO_IS_ROOM (self), NULL);

  if (msg_id == NULL)
    return NULL;

  key = message_key (sender, msg_id);
  return g_hash_table_lookup (self->by_id, key);
}

/**
 * sotto_room_has_seq:
 *
 * Returns: whether a message or event with @seq is in the history
 */
/**
 * sotto_room_add_system_text:
 * @seq: where in the room's order it belongs, or 0 for now, at the end
 * @ts: when, in ms since the epoch, or 0 for now
 * @text: what it says
 *
 * Adds a room event row that the client tells (not kept in the history).
 */
void
sotto_room_add_system_text (SottoRoom  *self,
                            gint64      seq,
                            gint64      ts,
                            const char *text)
{
  g_autoptr(SottoMessage) row = NULL;

  g_return_if_fail (SOTTO_IS_ROOM (self));
  g_return_if_fail (text != NULL);

  row = sotto_message_new (self->name, NULL, NULL, seq, ts > 0 ? ts : g_get_real_time () / 1000,
                           SOTTO_MESSAGE_SYSTEM, text);
  sotto_room_add_message (self, row);
}

/**
 * sotto_room_tell_once:
 * @text: what the client tells in the room
 *
 * Adds a room event row saying @text, unless the room shows one already.
 */
void
sotto_room_tell_once (SottoRoom  *self,
                      const char *text)
{
  g_return_if_fail (SOTTO_IS_ROOM (self));

  if (!sotto_room_has_system_text (self, text))
    sotto_room_add_system_text (self, 0, 0, text);
}

/**
 * sotto_room_has_system_text:
 * @text: what a room event row says
 *
 * Returns: whether the room shows a room event row saying @text
 */
gboolean
sotto_room_has_system_text (SottoRoom  *self,
                            const char *text)
{
  GListModel *messages;

  g_return_val_if_fail (SOTTO_IS_ROOM (self), FALSE);

  messages = G_LIST_MODEL (self->messages);
  for (guint i = g_list_model_get_n_items (messages); i > 0; i--)
    {
      g_autoptr(SottoMessage) message = g_list_model_get_item (messages, i - 1);

      if (sotto_message_get_state (message) == SOTTO_MESSAGE_SYSTEM &&
          g_strcmp0 (sotto_message_get_text (message), text) == 0)
        return TRUE;
    }

  return FALSE;
}

gboolean
sotto_room_has_seq (SottoRoom *self,
                    gint64     seq)
{
  g_return_val_if_fail (SOTTO_IS_ROOM (self), FALSE);

  return g_hash_table_contains (self->seqs, &seq);
}

/**
 * sotto_room_update_message:
 *
 * sotto_message_update() for a message of this room, keeping the room's
 * index of sequence numbers true.
 */
void
sotto_room_update_message (SottoRoom         *self,
                           SottoMessage      *message,
                           SottoMessageState  state,
                           gint64             seq,
                           gint64             ts,
                           const char        *text)
{
  g_return_if_fail (SOTTO_IS_ROOM (self));

  sotto_message_update (message, state, seq, ts, text);
  index_seq (self, seq);
}

/* Takes a row out of the history (one that turned out to be an edit, a
 * deletion or a reaction once it opened). */
static void
remove_row (SottoRoom    *self,
            SottoMessage *message)
{
  guint position;

  if (!g_list_store_find (self->messages, message, &position))
    return;
  if (sotto_message_get_msg_id (message) != NULL)
    {
      g_autofree char *key = message_key (sotto_message_get_sender (message),
                                          sotto_message_get_msg_id (message));

      if (g_hash_table_lookup (self->by_id, key) == message)
        g_hash_table_remove (self->by_id, key);
    }
  _sotto_room_unindex_message (self, message);
  g_list_store_remove (self->messages, position);
}

/* Inserts @message by its seq; one without a seq goes at the end. */
void
sotto_room_add_message (SottoRoom    *self,
                        SottoMessage *message)
{
  gint64 seq = sotto_message_get_seq (message);
  guint position;

  g_return_if_fail (SOTTO_IS_ROOM (self));

  /* An edit, a deletion or a reaction is not a row: it changes one. A
   * row the room showed for it while it could not be read (waiting for
   * its key) goes. */
  if (sotto_message_body_type_is_action (sotto_message_get_kind (message)) &&
      sotto_message_get_kind (message) != SOTTO_MESSAGE_BODY_REPLY)
    {
      SottoMessage *row = sotto_room_lookup_message (self, sotto_message_get_sender (message),
                                                     sotto_message_get_msg_id (message));

      if (row != NULL && row != message &&
          !sotto_message_body_type_is_action (sotto_message_get_kind (row)))
        remove_row (self, row);
      _sotto_room_take_action (self, message);
      return;
    }

  position = g_list_model_get_n_items (G_LIST_MODEL (self->messages));
  while (seq > 0 && position > 0)
    {
      g_autoptr(SottoMessage) before = g_list_model_get_item (G_LIST_MODEL (self->messages),
                                                              position - 1);
      gint64 before_seq = sotto_message_get_seq (before);

      if (before_seq != 0 && before_seq < seq)
        break;
      /* A server notice has no number but keeps its place. */
      if (before_seq == 0 && sotto_message_get_state (before) == SOTTO_MESSAGE_SYSTEM)
        break;
      position--;
    }

  _sotto_room_find_replied (self, message);
  g_list_store_insert (self->messages, position, message);

  if (sotto_message_get_msg_id (message) != NULL)
    g_hash_table_insert (self->by_id,
                         message_key (sotto_message_get_sender (message),
                                      sotto_message_get_msg_id (message)),
                         message);
  index_seq (self, seq);
  _sotto_room_index_message (self, message);
}

/**
 * sotto_room_prepend_messages:
 * @messages: (array length=n_messages): older messages, oldest first
 *
 * Puts a page of older history before what the room holds, in one change
 * of the model. Messages already held are skipped.
 */
void
sotto_room_prepend_messages (SottoRoom     *self,
                             SottoMessage **messages,
                             guint          n_messages)
{
  g_autoptr(GPtrArray) fresh = NULL;

  g_return_if_fail (SOTTO_IS_ROOM (self));

  fresh = g_ptr_array_sized_new (n_messages);
  for (guint i = 0; i < n_messages; i++)
    {
      SottoMessage *message = messages[i];
      const char *msg_id = sotto_message_get_msg_id (message);
      gint64 seq = sotto_message_get_seq (message);

      if (sotto_room_lookup_message (self, sotto_message_get_sender (message), msg_id) != NULL)
        continue;
      if (msg_id == NULL && seq > 0 && sotto_room_has_seq (self, seq))
        continue;
      if (sotto_message_body_type_is_action (sotto_message_get_kind (message)) &&
          sotto_message_get_kind (message) != SOTTO_MESSAGE_BODY_REPLY)
        {
          _sotto_room_take_action (self, message);
          continue;
        }

      _sotto_room_find_replied (self, message);
      g_ptr_array_add (fresh, message);
      if (msg_id != NULL)
        g_hash_table_insert (self->by_id,
                             message_key (sotto_message_get_sender (message), msg_id),
                             message);
      index_seq (self, seq);
    }

  g_list_store_splice (self->messages, 0, 0, fresh->pdata, fresh->len);
  for (guint i = 0; i < fresh->len; i++)
    _sotto_room_index_message (self, fresh->pdata[i]);
}
