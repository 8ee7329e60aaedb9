/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-client-store-private.h"

/* History handed between two devices of one account: what this one has
 * read, room by room in the server's order, and rows filled from what
 * another one read. */

/**
 * sotto_client_store_list_readable:
 * @self: a #SottoClientStore
 * @room: the room
 * @after_seq: list messages after this sequence number
 * @up_to_seq: and up to this one
 * @limit: how many at most
 * @error: return location for a #GError
 *
 * Lists the messages of @room this device has read (sent or received),
 * in sequence order: what it hands a new device of the account.
 *
 * Returns: (transfer container) (element-type SottoStoredMessage): the
 *   messages, or %NULL on error
 */
GPtrArray *
sotto_client_store_list_readable (SottoClientStore  *self,
                                  const char        *room,
                                  gint64             after_seq,
                                  gint64             up_to_seq,
                                  guint              limit,
                                  GError           **error)
{
  g_autoptr(GPtrArray) messages = NULL;
  g_auto(SottoDbStatement) stmt = NULL;

  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), NULL);
  g_return_val_if_fail (room != NULL, NULL);
  g_return_val_if_fail (limit > 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!_sotto_client_store_require_unlocked (self, error) ||
      (stmt = sotto_db_statement (self->db, STMT_LIST_READABLE, error)) == NULL)
    return NULL;

  sqlite3_bind_text (stmt, 1, room, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, after_seq);
  sqlite3_bind_int64 (stmt, 3, up_to_seq);
  sqlite3_bind_int64 (stmt, 4, limit);

  messages = g_ptr_array_new_with_free_func ((GDestroyNotify) sotto_stored_message_free);
  if (!_sotto_client_store_collect_messages (self, stmt, messages, error))
    return NULL;

  return g_steal_pointer (&messages);
}

/**
 * sotto_client_store_count_readable:
 * @self: a #SottoClientStore
 * @room: the room
 * @up_to_seq: count messages up to this sequence number
 * @error: return location for a #GError
 *
 * Returns: how many messages sotto_client_store_list_readable() lists
 *   from the start of @room up to @up_to_seq, or -1 on error
 */
gint64
sotto_client_store_count_readable (SottoClientStore  *self,
                                   const char        *room,
                                   gint64             up_to_seq,
                                   GError           **error)
{
  g_auto(SottoDbStatement) stmt = NULL;
  gboolean found = FALSE;

  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), -1);
  g_return_val_if_fail (room != NULL, -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  if (!_sotto_client_store_require_unlocked (self, error) ||
      (stmt = sotto_db_statement (self->db, STMT_COUNT_READABLE, error)) == NULL)
    return -1;

  sqlite3_bind_text (stmt, 1, room, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, up_to_seq);
  if (!sotto_db_step_row (self->db, stmt, &found, _("Could not read the history"), error))
    return -1;

  return found ? sqlite3_column_int64 (stmt, 0) : 0;
}

static gboolean
is_unreadable (SottoStoredMessageState state)
{
  return state == SOTTO_STORED_MESSAGE_WAITING_FOR_KEY ||
         state == SOTTO_STORED_MESSAGE_UNVERIFIABLE;
}

/**
 * sotto_client_store_fill_message:
 * @self: a #SottoClientStore
 * @room: the room
 * @sender: who wrote it
 * @msg_id: the sender's id for it
 * @seq: the server's number for it
 * @ts: the server's time for it
 * @state: %SOTTO_STORED_MESSAGE_SENT for our own, else
 *   %SOTTO_STORED_MESSAGE_RECEIVED
 * @text: what it says
 * @counter: its sender's counter
 * @sent_at: its sender's time
 * @out_fill: (out) (optional): what became of it
 * @error: return location for a #GError
 *
 * Takes a message another device of the account read: added when this
 * device holds nothing in its place, filled in when it holds the message
 * but could not read it, and kept as this device holds it otherwise
 * (what this device read itself is never replaced, nor a message another
 * holds the number of).
 *
 * Returns: %TRUE on success
 */
gboolean
sotto_client_store_fill_message (SottoClientStore         *self,
                                 const char               *room,
                                 const char               *sender,
                                 const char               *msg_id,
                                 gint64                    seq,
                                 gint64                    ts,
                                 SottoStoredMessageState   state,
                                 GBytes                   *text,
                                 guint64                   counter,
                                 gint64                    sent_at,
                                 SottoStoredFill          *out_fill,
                                 GError                  **error)
{
  g_autoptr(SottoStoredMessage) by_id = NULL;
  g_autoptr(SottoStoredMessage) by_seq = NULL;
  SottoStoredFill fill = SOTTO_STORED_FILL_KEPT;

  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), FALSE);
  g_return_val_if_fail (room != NULL && sender != NULL && msg_id != NULL, FALSE);
  g_return_val_if_fail (seq > 0, FALSE);
  g_return_val_if_fail (state == SOTTO_STORED_MESSAGE_SENT ||
                        state == SOTTO_STORED_MESSAGE_RECEIVED, FALSE);
  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_sotto_client_store_require_unlocked (self, error) || !sotto_db_begin (self->db, error))
    return FALSE;

  if (!_sotto_client_store_find_message (self, room, sender, msg_id, 0, &by_id, error) ||
      (by_id == NULL &&
       !_sotto_client_store_find_message (self, room, NULL, NULL, seq, &by_seq, error)))
    goto fail;

  if (by_id != NULL && is_unreadable (by_id->state) && (by_id->seq == seq || by_id->seq == 0))
    {
      if (!sotto_client_store_update_message (self, room, sender, msg_id, state, seq, text,
                                              error))
        goto fail;
      fill = SOTTO_STORED_FILL_FILLED;
    }
  else if (by_id == NULL && by_seq == NULL)
    {
      if (!sotto_client_store_add_message (self, room, sender, msg_id, seq, ts, state, text,
                                           NULL, error))
        goto fail;
      fill = SOTTO_STORED_FILL_ADDED;
    }

  if (fill != SOTTO_STORED_FILL_KEPT &&
      !sotto_client_store_set_message_order (self, room, sender, msg_id, counter, sent_at, 0,
                                             NULL, error))
    goto fail;

  if (!sotto_db_commit (self->db, error))
    return FALSE;

  if (out_fill != NULL)
    *out_fill = fill;
  return TRUE;

fail:
  sotto_db_rollback (self->db);
  return FALSE;
}
