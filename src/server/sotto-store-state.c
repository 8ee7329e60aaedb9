/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-store-private.h"

/*
 * The server store's room state chains: per room, the events members
 * appended, by index from 0. The bodies are signed by their senders and
 * checked by the clients; the store keeps them as opaque blobs. Writes go
 * into the same batched transaction as every other write of the store,
 * and retention leaves this table alone.
 */

void
sotto_store_state_event_free (SottoStoreStateEvent *event)
{
  if (event == NULL)
    return;

  g_clear_pointer (&event->body, g_bytes_unref);
  g_free (event->sender);
  g_free (event);
}

/**
 * sotto_store_append_state:
 * @index: the event's place in the chain; the caller knows it is next
 * @sender: the username that appended it
 * @ts: when the server accepted it, in ms since the epoch
 * @body: the event as the member sent it, not empty
 *
 * A taken index fails with %SOTTO_STORE_ERROR_CONSTRAINT.
 */
gboolean
sotto_store_append_state (SottoStore  *self,
                          gint64       room_id,
                          gint64       index,
                          const char  *sender,
                          gint64       ts,
                          GBytes      *body,
                          GError     **error)
{
  SottoDb *db;
  g_auto(SottoDbStatement) stmt = NULL;
  gconstpointer data;
  gsize size;

  g_return_val_if_fail (SOTTO_IS_STORE (self), FALSE);
  g_return_val_if_fail (index >= 0, FALSE);
  g_return_val_if_fail (sender != NULL, FALSE);
  g_return_val_if_fail (body != NULL && g_bytes_get_size (body) > 0, FALSE);

  db = _sotto_store_get_db (self);
  stmt = _sotto_store_write_statement (self, STMT_APPEND_STATE, error);
  if (stmt == NULL)
    return FALSE;

  data = g_bytes_get_data (body, &size);
  sqlite3_bind_int64 (stmt, 1, room_id);
  sqlite3_bind_int64 (stmt, 2, index);
  sqlite3_bind_blob64 (stmt, 3, data, size, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, sender, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 5, ts);

  return sotto_db_step_done (db, stmt, _("Could not store the room state event"), error);
}

/**
 * sotto_store_read_state:
 * @from: the first index wanted
 * @up_to: stop before this index, e.g. the committed length
 * @limit: the most events to return, 0 for all
 *
 * Events written but not yet committed are visible here, and may still be
 * rolled back: bound the read with @up_to to serve only what is durable.
 *
 * Returns: (transfer full) (element-type SottoStoreStateEvent): the room's
 *   events with @from <= index < @up_to in index order, or %NULL
 */
GPtrArray *
sotto_store_read_state (SottoStore  *self,
                        gint64       room_id,
                        gint64       from,
                        gint64       up_to,
                        guint        limit,
                        GError     **error)
{
  SottoDb *db;
  g_autoptr(GPtrArray) events = NULL;
  g_auto(SottoDbStatement) stmt = NULL;
  int rc;

  g_return_val_if_fail (SOTTO_IS_STORE (self), NULL);

  db = _sotto_store_get_db (self);
  stmt = _sotto_store_statement (self, STMT_READ_STATE, error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, room_id);
  sqlite3_bind_int64 (stmt, 2, from);
  sqlite3_bind_int64 (stmt, 3, up_to);
  sqlite3_bind_int64 (stmt, 4, sotto_db_limit_or_none (limit));

  events = g_ptr_array_new_with_free_func ((GDestroyNotify) sotto_store_state_event_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      SottoStoreStateEvent *event = g_new0 (SottoStoreStateEvent, 1);

      event->index = sqlite3_column_int64 (stmt, 0);
      event->body = g_bytes_new (sqlite3_column_blob (stmt, 1), sqlite3_column_bytes (stmt, 1));
      event->sender = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      event->ts = sqlite3_column_int64 (stmt, 3);
      g_ptr_array_add (events, event);
    }

  if (rc != SQLITE_DONE)
    {
      sotto_db_set_error (db, error, rc, _("Could not read the room state"));
      return NULL;
    }

  return g_steal_pointer (&events);
}

/**
 * sotto_store_get_state_length:
 *
 * Reads how many events the room's chain holds, at start and to
 * resynchronize after a batch was rolled back.
 *
 * Returns: the length, or -1
 */
gint64
sotto_store_get_state_length (SottoStore  *self,
                              gint64       room_id,
                              GError     **error)
{
  SottoDb *db;
  g_auto(SottoDbStatement) stmt = NULL;
  gint64 length;

  g_return_val_if_fail (SOTTO_IS_STORE (self), -1);

  db = _sotto_store_get_db (self);
  stmt = _sotto_store_statement (self, STMT_STATE_LENGTH, error);
  if (stmt == NULL)
    return -1;

  sqlite3_bind_int64 (stmt, 1, room_id);

  if (!sotto_db_step_int64 (db, stmt, &length, _("Could not read the room state"), error))
    return -1;

  return length;
}
