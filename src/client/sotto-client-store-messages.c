/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-client-store-private.h"

/* Writing the history: a message added once, and changed in place. */

static void
bind_nullable_seq (sqlite3_stmt *stmt,
                   int           column,
                   gint64        seq)
{
  if (seq > 0)
    sqlite3_bind_int64 (stmt, column, seq);
  else
    sqlite3_bind_null (stmt, column);
}

/**
 * sotto_client_store_add_message:
 * @self: a #SottoClientStore
 * @room: the room
 * @sender: the sender's username ("" for an event without one)
 * @msg_id: (nullable): the sender's message id; %NULL only for events,
 *   which then need a @seq
 * @seq: the room's sequence number, or 0 while not acknowledged
 * @ts: the time of the message, in ms since the epoch
 * @state: the state
 * @body: the plaintext, or the raw envelope while waiting for its key
 * @out_added: (out) (optional): %FALSE if the message was already stored
 * @error: return location for a #GError
 *
 * Adds a message to the history, once: a message already stored under the
 * same room, sender and @msg_id (or room and @seq, without a @msg_id) is
 * left as it is. A @seq taken by another message fails with
 * %SOTTO_CLIENT_STORE_ERROR_CONSTRAINT.
 *
 * Returns: %TRUE on success, whether or not the message was new
 */
gboolean
sotto_client_store_add_message (SottoClientStore         *self,
                                const char               *room,
                                const char               *sender,
                                const char               *msg_id,
                                gint64                    seq,
                                gint64                    ts,
                                SottoStoredMessageState   state,
                                GBytes                   *body,
                                gboolean                 *out_added,
                                GError                  **error)
{
  g_autoptr(SottoStoredMessage) existing = NULL;
  g_autoptr(GByteArray) ad = NULL;
  g_autoptr(GBytes) sealed = NULL;
  g_auto(SottoDbStatement) stmt = NULL;
  const guint8 *data;
  gsize size;

  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), FALSE);
  g_return_val_if_fail (room != NULL, FALSE);
  g_return_val_if_fail (sender != NULL, FALSE);
  g_return_val_if_fail (msg_id != NULL || seq > 0, FALSE);
  g_return_val_if_fail (seq >= 0, FALSE);
  g_return_val_if_fail (_sotto_client_store_message_state_is_valid (state), FALSE);
  g_return_val_if_fail (body != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_sotto_client_store_require_unlocked (self, error) || !sotto_db_begin (self->db, error))
    return FALSE;

  if (!_sotto_client_store_find_message (self, room, sender, msg_id, seq, &existing, error))
    goto fail;

  if (existing != NULL)
    {
      if (out_added != NULL)
        *out_added = FALSE;
      return sotto_db_commit (self->db, error);
    }

  stmt = sotto_db_statement (self->db, STMT_ADD_MESSAGE, error);
  if (stmt == NULL)
    goto fail;

  data = _sotto_client_store_bytes_get_data (body, &size);
  ad = _sotto_client_store_message_ad (room, sender, msg_id, seq, ts, state);
  sealed = _sotto_client_store_seal_value (self, ad, data, size);
  data = _sotto_client_store_bytes_get_data (sealed, &size);

  sqlite3_bind_text (stmt, 1, room, -1, SQLITE_STATIC);
  bind_nullable_seq (stmt, 2, seq);
  sqlite3_bind_text (stmt, 3, msg_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, sender, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 5, ts);
  sqlite3_bind_int (stmt, 6, state);
  sqlite3_bind_blob64 (stmt, 7, data, size, SQLITE_STATIC);

  if (!sotto_db_step_done (self->db, stmt, _("Could not save a message"), error))
    goto fail;

  if (!sotto_db_commit (self->db, error))
    return FALSE;

  if (out_added != NULL)
    *out_added = TRUE;

  return TRUE;

fail:
  sotto_db_rollback (self->db);
  return FALSE;
}

/* Changes the message found by @msg_id (with @sender) or @seq. */
static gboolean
store_update_message (SottoClientStore         *self,
                      const char               *room,
                      const char               *sender,
                      const char               *msg_id,
                      gint64                    find_seq,
                      SottoStoredMessageState   state,
                      gint64                    new_seq,
                      GBytes                   *body,
                      GError                  **error)
{
  g_autoptr(SottoStoredMessage) message = NULL;
  g_autoptr(GByteArray) ad = NULL;
  g_autoptr(GBytes) sealed = NULL;
  g_auto(SottoDbStatement) stmt = NULL;
  const guint8 *data;
  gsize size;

  if (!_sotto_client_store_require_unlocked (self, error) || !sotto_db_begin (self->db, error))
    return FALSE;

  if (!_sotto_client_store_find_message (self, room, sender, msg_id, find_seq, &message, error))
    goto fail;

  if (message == NULL)
    {
      g_set_error_literal (error, SOTTO_CLIENT_STORE_ERROR, SOTTO_CLIENT_STORE_ERROR_NOT_FOUND,
                           _("No such message in the history"));
      goto fail;
    }

  if (new_seq > 0)
    message->seq = new_seq;
  message->state = state;
  if (body != NULL)
    {
      g_bytes_unref (message->body);
      message->body = g_bytes_ref (body);
    }

  stmt = sotto_db_statement (self->db, STMT_UPDATE_MESSAGE, error);
  if (stmt == NULL)
    goto fail;

  data = _sotto_client_store_bytes_get_data (message->body, &size);
  ad = _sotto_client_store_message_ad (message->room, message->sender, message->msg_id,
                                       message->seq, message->ts, message->state);
  sealed = _sotto_client_store_seal_value (self, ad, data, size);
  data = _sotto_client_store_bytes_get_data (sealed, &size);

  sqlite3_bind_int64 (stmt, 1, message->id);
  bind_nullable_seq (stmt, 2, message->seq);
  sqlite3_bind_int (stmt, 3, message->state);
  sqlite3_bind_blob64 (stmt, 4, data, size, SQLITE_STATIC);

  if (!sotto_db_step_done (self->db, stmt, _("Could not save a message"), error))
    goto fail;

  return sotto_db_commit (self->db, error);

fail:
  sotto_db_rollback (self->db);
  return FALSE;
}

/**
 * sotto_client_store_update_message:
 * @self: a #SottoClientStore
 * @room: the room
 * @sender: the sender
 * @msg_id: the sender's message id
 * @state: the new state
 * @seq: the sequence number to set, or 0 to keep the one stored
 * @body: (nullable): the new body, or %NULL to keep the one stored
 * @error: return location for a #GError
 *
 * Changes a stored message, e.g. ours once the server acknowledged it.
 *
 * Returns: %TRUE on success; an unknown message is
 *   %SOTTO_CLIENT_STORE_ERROR_NOT_FOUND
 */
gboolean
sotto_client_store_update_message (SottoClientStore         *self,
                                   const char               *room,
                                   const char               *sender,
                                   const char               *msg_id,
                                   SottoStoredMessageState   state,
                                   gint64                    seq,
                                   GBytes                   *body,
                                   GError                  **error)
{
  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), FALSE);
  g_return_val_if_fail (room != NULL, FALSE);
  g_return_val_if_fail (sender != NULL, FALSE);
  g_return_val_if_fail (msg_id != NULL, FALSE);
  g_return_val_if_fail (_sotto_client_store_message_state_is_valid (state), FALSE);
  g_return_val_if_fail (seq >= 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return store_update_message (self, room, sender, msg_id, 0, state, seq, body, error);
}

/**
 * sotto_client_store_update_message_by_seq:
 * @self: a #SottoClientStore
 * @room: the room
 * @seq: the sequence number of the message
 * @state: the new state
 * @body: (nullable): the new body, or %NULL to keep the one stored
 * @error: return location for a #GError
 *
 * Changes a stored message, e.g. one that waited for its sender key and
 * is now decrypted.
 *
 * Returns: %TRUE on success; an unknown message is
 *   %SOTTO_CLIENT_STORE_ERROR_NOT_FOUND
 */
gboolean
sotto_client_store_update_message_by_seq (SottoClientStore         *self,
                                          const char               *room,
                                          gint64                    seq,
                                          SottoStoredMessageState   state,
                                          GBytes                   *body,
                                          GError                  **error)
{
  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), FALSE);
  g_return_val_if_fail (room != NULL, FALSE);
  g_return_val_if_fail (seq > 0, FALSE);
  g_return_val_if_fail (_sotto_client_store_message_state_is_valid (state), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return store_update_message (self, room, NULL, NULL, seq, state, 0, body, error);
}
