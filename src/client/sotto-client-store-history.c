/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-client-store-private.h"

/* Reading the history: a row of the messages table, decrypted, and the
 * pages and lists made of them. */

void
sotto_stored_message_free (SottoStoredMessage *message)
{
  if (message == NULL)
    return;

  g_free (message->room);
  g_free (message->msg_id);
  g_free (message->sender);
  g_clear_pointer (&message->body, g_bytes_unref);
  g_free (message);
}

/* The body is bound to every other column of its row. */
GByteArray *
_sotto_client_store_message_ad (const char              *room,
                                const char              *sender,
                                const char              *msg_id,
                                gint64                   seq,
                                gint64                   ts,
                                SottoStoredMessageState  state)
{
  GByteArray *ad = _sotto_client_store_ad_new ("messages", "body");

  _sotto_client_store_ad_add_string (ad, room);
  _sotto_client_store_ad_add_string (ad, sender);
  _sotto_client_store_ad_add_string (ad, msg_id);
  _sotto_client_store_ad_add_int (ad, seq);
  _sotto_client_store_ad_add_int (ad, ts);
  _sotto_client_store_ad_add_int (ad, state);

  return ad;
}

/* Reads and decrypts the row @stmt stands on (MESSAGE_COLUMNS). */
static SottoStoredMessage *
store_read_message (SottoClientStore  *self,
                    sqlite3_stmt      *stmt,
                    GError           **error)
{
  g_autoptr(SottoStoredMessage) message = g_new0 (SottoStoredMessage, 1);
  g_autoptr(GByteArray) ad = NULL;
  g_autofree guint8 *body = NULL;
  const guint8 *blob;
  gsize blob_len;
  gssize size;

  message->id = sqlite3_column_int64 (stmt, 0);
  message->room = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  message->seq = sqlite3_column_int64 (stmt, 2);
  message->msg_id = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
  message->sender = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
  message->ts = sqlite3_column_int64 (stmt, 5);
  message->state = sqlite3_column_int (stmt, 6);
  blob = sotto_db_column_blob (stmt, 7, &blob_len);
  message->counter = (guint64) MAX (sqlite3_column_int64 (stmt, 8), 0);
  message->sent_at = sqlite3_column_int64 (stmt, 9);
  message->marks = (guint) sqlite3_column_int (stmt, 10);
  message->missing_before = (guint64) MAX (sqlite3_column_int64 (stmt, 11), 0);
  blob = sotto_db_column_blob (stmt, 12, &blob_len);
  message->has_signer = blob != NULL && blob_len == sizeof message->signer;
  if (message->has_signer)
    memcpy (message->signer, blob, sizeof message->signer);
  blob = sotto_db_column_blob (stmt, 7, &blob_len);
  size = _sotto_client_store_value_plaintext_size (blob_len);

  if (message->room == NULL || message->sender == NULL || size < 0)
    {
      _sotto_client_store_set_corrupt_error (error, "messages");
      return NULL;
    }

  ad = _sotto_client_store_message_ad (message->room, message->sender, message->msg_id,
                                       message->seq, message->ts, message->state);
  body = g_malloc (MAX (size, 1));
  if (!_sotto_client_store_open_value (self, ad, blob, blob_len, body, "messages", error))
    return NULL;

  /* Checked after decryption: only an altered row can hold a bad state. */
  if (!_sotto_client_store_message_state_is_valid (message->state))
    {
      _sotto_client_store_set_corrupt_error (error, "messages");
      return NULL;
    }

  message->body = g_bytes_new_take (g_steal_pointer (&body), (gsize) size);

  return g_steal_pointer (&message);
}

/* Appends the rows of @stmt to @messages. */
gboolean
_sotto_client_store_collect_messages (SottoClientStore  *self,
                        sqlite3_stmt      *stmt,
                        GPtrArray         *messages,
                        GError           **error)
{
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      SottoStoredMessage *message = store_read_message (self, stmt, error);

      if (message == NULL)
        return FALSE;

      g_ptr_array_add (messages, message);
    }

  if (rc != SQLITE_DONE)
    {
      sotto_db_set_error (self->db, error, rc, _("Could not read the history"));
      return FALSE;
    }

  return TRUE;
}

/* Finds a message by (room, sender, msg_id) when @msg_id is set, else by
 * (room, seq). %TRUE and *out = NULL when there is none. */
gboolean
_sotto_client_store_find_message (SottoClientStore    *self,
                                  const char          *room,
                                  const char          *sender,
                                  const char          *msg_id,
                                  gint64               seq,
                                  SottoStoredMessage **out,
                                  GError             **error)
{
  g_auto(SottoDbStatement) stmt = NULL;
  gboolean found;

  *out = NULL;

  stmt = sotto_db_statement (self->db, msg_id != NULL ? STMT_FIND_MESSAGE_BY_MSG_ID
                                                      : STMT_FIND_MESSAGE_BY_SEQ, error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, room, -1, SQLITE_STATIC);
  if (msg_id != NULL)
    {
      sqlite3_bind_text (stmt, 2, sender, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 3, msg_id, -1, SQLITE_STATIC);
    }
  else
    {
      sqlite3_bind_int64 (stmt, 2, seq);
    }

  if (!sotto_db_step_row (self->db, stmt, &found, _("Could not read the history"), error))
    return FALSE;

  if (!found)
    return TRUE;

  *out = store_read_message (self, stmt, error);
  return *out != NULL;
}

/**
 * sotto_client_store_load_history:
 * @self: a #SottoClientStore
 * @room: the room
 * @before_seq: load messages before this sequence number, or 0 for the
 *   latest page
 * @limit: how many acknowledged messages at most, 0 for all
 * @error: return location for a #GError
 *
 * Loads a page of history, oldest first, in sequence order. The latest page
 * ends with every message not acknowledged yet (no sequence number), in the
 * order they were added; they do not count in @limit. The next page back
 * starts before the first sequence number of this one.
 *
 * Returns: (transfer container) (element-type SottoStoredMessage): the
 *   messages, or %NULL on error; a message that fails to decrypt fails the
 *   whole page with %SOTTO_CLIENT_STORE_ERROR_CORRUPT
 */
GPtrArray *
sotto_client_store_load_history (SottoClientStore  *self,
                                 const char        *room,
                                 gint64             before_seq,
                                 guint              limit,
                                 GError           **error)
{
  g_autoptr(GPtrArray) messages = NULL;

  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), NULL);
  g_return_val_if_fail (room != NULL, NULL);
  g_return_val_if_fail (before_seq >= 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!_sotto_client_store_require_unlocked (self, error))
    return NULL;

  messages = g_ptr_array_new_with_free_func ((GDestroyNotify) sotto_stored_message_free);

  {
    g_auto(SottoDbStatement) stmt = sotto_db_statement (self->db, STMT_MESSAGES_BEFORE, error);

    if (stmt == NULL)
      return NULL;

    sqlite3_bind_text (stmt, 1, room, -1, SQLITE_STATIC);
    sqlite3_bind_int64 (stmt, 2, before_seq > 0 ? before_seq : G_MAXINT64);
    sqlite3_bind_int64 (stmt, 3, sotto_db_limit_or_none (limit));

    if (!_sotto_client_store_collect_messages (self, stmt, messages, error))
      return NULL;

    /* Read newest first to honour the limit; given oldest first. */
    for (guint i = 0, j = messages->len; i + 1 < j; i++, j--)
      {
        gpointer swap = messages->pdata[i];

        messages->pdata[i] = messages->pdata[j - 1];
        messages->pdata[j - 1] = swap;
      }
  }

  if (before_seq == 0)
    {
      g_auto(SottoDbStatement) stmt = sotto_db_statement (self->db, STMT_PENDING_MESSAGES, error);

      if (stmt == NULL)
        return NULL;

      sqlite3_bind_text (stmt, 1, room, -1, SQLITE_STATIC);

      if (!_sotto_client_store_collect_messages (self, stmt, messages, error))
        return NULL;
    }

  return g_steal_pointer (&messages);
}

/**
 * sotto_client_store_list_messages:
 * @self: a #SottoClientStore
 * @room: (nullable): the room, or %NULL for all rooms
 * @state: the state to list
 * @error: return location for a #GError
 *
 * Lists the messages in @state in the order they were added, e.g. those
 * waiting for a sender key.
 *
 * Returns: (transfer container) (element-type SottoStoredMessage): the
 *   messages, or %NULL on error
 */
GPtrArray *
sotto_client_store_list_messages (SottoClientStore         *self,
                                  const char               *room,
                                  SottoStoredMessageState   state,
                                  GError                  **error)
{
  g_autoptr(GPtrArray) messages = NULL;
  g_auto(SottoDbStatement) stmt = NULL;

  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), NULL);
  g_return_val_if_fail (_sotto_client_store_message_state_is_valid (state), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!_sotto_client_store_require_unlocked (self, error))
    return NULL;

  stmt = sotto_db_statement (self->db, room != NULL ? STMT_ROOM_MESSAGES_IN_STATE
                                                    : STMT_MESSAGES_IN_STATE, error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int (stmt, 1, state);
  if (room != NULL)
    sqlite3_bind_text (stmt, 2, room, -1, SQLITE_STATIC);

  messages = g_ptr_array_new_with_free_func ((GDestroyNotify) sotto_stored_message_free);
  if (!_sotto_client_store_collect_messages (self, stmt, messages, error))
    return NULL;

  return g_steal_pointer (&messages);
}

/**
 * sotto_client_store_list_outbox:
 * @self: a #SottoClientStore
 * @error: return location for a #GError
 *
 * Lists our messages not acknowledged by the server yet, of every room, in
 * the order they were written: what to send again after a reconnection.
 *
 * Returns: (transfer container) (element-type SottoStoredMessage): the
 *   messages, or %NULL on error
 */
GPtrArray *
sotto_client_store_list_outbox (SottoClientStore  *self,
                                GError           **error)
{
  return sotto_client_store_list_messages (self, NULL, SOTTO_STORED_MESSAGE_SENDING, error);
}

/**
 * sotto_client_store_search:
 * @room: (nullable): the room, or %NULL for every room
 * @cursor: (inout): where to go on from: 0 to begin at the newest row;
 *   set to where the next call goes on, or to -1 once every row was read
 * @max_rows: the most rows to read in this call
 * @match: says which rows to keep
 * @limit: the most rows to keep
 *
 * Reads the history, newest first, each row decrypted in memory only, and
 * keeps what @match keeps: nothing of it is written anywhere. A search
 * that must not hold the caller up reads a page per call.
 *
 * Returns: (transfer container) (element-type SottoStoredMessage): the
 *   rows kept, newest first, or %NULL on error
 */
GPtrArray *
sotto_client_store_search (SottoClientStore  *self,
                           const char        *room,
                           gint64            *cursor,
                           guint              max_rows,
                           SottoStoreMatch    match,
                           gpointer           user_data,
                           guint              limit,
                           GError           **error)
{
  g_autoptr(GPtrArray) found = NULL;
  g_auto(SottoDbStatement) stmt = NULL;
  int rc = SQLITE_DONE;
  guint read = 0;

  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), NULL);
  g_return_val_if_fail (cursor != NULL && *cursor >= 0, NULL);
  g_return_val_if_fail (match != NULL, NULL);

  if (!_sotto_client_store_require_unlocked (self, error) ||
      (stmt = sotto_db_statement (self->db, room != NULL ? STMT_SEARCH_ROOM : STMT_SEARCH_ALL,
                                  error)) == NULL)
    return NULL;
  if (room != NULL)
    sqlite3_bind_text (stmt, 1, room, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, *cursor > 0 ? *cursor : G_MAXINT64);
  /* A negative limit is none in SQLite. */
  sqlite3_bind_int64 (stmt, 3, max_rows == G_MAXUINT ? -1 : (gint64) max_rows);

  found = g_ptr_array_new_with_free_func ((GDestroyNotify) sotto_stored_message_free);
  while (found->len < limit && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr(SottoStoredMessage) row = store_read_message (self, stmt, error);

      if (row == NULL)
        return NULL;
      read++;
      *cursor = row->id;
      if (match (row, user_data))
        g_ptr_array_add (found, g_steal_pointer (&row));
    }
  if (found->len < limit && rc != SQLITE_DONE)
    {
      sotto_db_set_error (self->db, error, rc, _("Could not read the history"));
      return NULL;
    }
  /* Fewer rows than asked for: none is left. */
  if (rc == SQLITE_DONE && read < max_rows)
    *cursor = -1;
  return g_steal_pointer (&found);
}
