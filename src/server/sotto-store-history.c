/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-store-private.h"

/*
 * The server store's queue of history between devices: chunks one device
 * of an account sealed for another, opaque to the server, kept until the
 * recipient device acknowledges them.
 */

void
sotto_store_history_free (SottoStoreHistory *history)
{
  if (history == NULL)
    return;

  g_clear_pointer (&history->sender_device, g_bytes_unref);
  g_clear_pointer (&history->chunk, g_bytes_unref);
  g_free (history);
}

/**
 * sotto_store_queue_history:
 * @device_id: the device it is for
 * @sender_device: the signing key of the device that sent it, 32 bytes
 * @chunk: the chunk, 1 to %SOTTO_PROTOCOL_HISTORY_CHUNK_MAX_BYTES bytes
 * @queued: when, in ms since the epoch
 *
 * Returns: the row's hid, or -1
 */
gint64
sotto_store_queue_history (SottoStore  *self,
                           gint64       device_id,
                           GBytes      *sender_device,
                           GBytes      *chunk,
                           gint64       queued,
                           GError     **error)
{
  SottoDb *db;
  g_auto(SottoDbStatement) stmt = NULL;
  gsize size;
  gconstpointer data;

  g_return_val_if_fail (SOTTO_IS_STORE (self), -1);
  g_return_val_if_fail (sender_device != NULL && chunk != NULL, -1);

  db = _sotto_store_get_db (self);
  stmt = _sotto_store_write_statement (self, STMT_QUEUE_HISTORY, error);
  if (stmt == NULL)
    return -1;

  sqlite3_bind_int64 (stmt, 1, device_id);
  data = g_bytes_get_data (sender_device, &size);
  sqlite3_bind_blob64 (stmt, 2, data, size, SQLITE_STATIC);
  data = g_bytes_get_data (chunk, &size);
  sqlite3_bind_blob64 (stmt, 3, data != NULL ? data : "", size, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, queued);

  if (!sotto_db_step_done (db, stmt, _("Could not queue the history"), error))
    return -1;

  return sotto_db_last_insert_rowid (db);
}

/**
 * sotto_store_pending_history:
 * @limit: the most rows to return, 0 for all
 *
 * Returns: (transfer full) (element-type SottoStoreHistory): the device's
 *   unacknowledged chunks, oldest first, or %NULL
 */
GPtrArray *
sotto_store_pending_history (SottoStore  *self,
                             gint64       device_id,
                             guint        limit,
                             GError     **error)
{
  SottoDb *db;
  g_autoptr(GPtrArray) pending = NULL;
  g_auto(SottoDbStatement) stmt = NULL;
  int rc;

  g_return_val_if_fail (SOTTO_IS_STORE (self), NULL);

  db = _sotto_store_get_db (self);
  stmt = _sotto_store_statement (self, STMT_PENDING_HISTORY, error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, device_id);
  sqlite3_bind_int64 (stmt, 2, sotto_db_limit_or_none (limit));

  pending = g_ptr_array_new_with_free_func ((GDestroyNotify) sotto_store_history_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      SottoStoreHistory *history = g_new0 (SottoStoreHistory, 1);

      history->hid = sqlite3_column_int64 (stmt, 0);
      history->sender_device = sotto_db_column_bytes (stmt, 1);
      history->chunk = sotto_db_column_bytes (stmt, 2);
      g_ptr_array_add (pending, history);
    }

  if (rc != SQLITE_DONE)
    {
      sotto_db_set_error (db, error, rc, _("Could not load the history waiting"));
      return NULL;
    }

  return g_steal_pointer (&pending);
}

/**
 * sotto_store_ack_history:
 * @hids: (array length=n_hids): the chunks the device has taken
 *
 * Deletes the device's chunks among @hids; others' and unknown ones are
 * ignored.
 *
 * Returns: how many rows were deleted; 0 with @error set on failure
 */
guint
sotto_store_ack_history (SottoStore    *self,
                         gint64         device_id,
                         const gint64  *hids,
                         guint          n_hids,
                         GError       **error)
{
  SottoDb *db;
  g_auto(SottoDbStatement) stmt = NULL;
  guint deleted = 0;

  g_return_val_if_fail (SOTTO_IS_STORE (self), 0);
  g_return_val_if_fail (hids != NULL || n_hids == 0, 0);

  if (n_hids == 0)
    return 0;

  db = _sotto_store_get_db (self);
  stmt = _sotto_store_write_statement (self, STMT_ACK_HISTORY, error);
  if (stmt == NULL)
    return 0;

  for (guint i = 0; i < n_hids; i++)
    {
      sqlite3_bind_int64 (stmt, 1, hids[i]);
      sqlite3_bind_int64 (stmt, 2, device_id);
      if (!sotto_db_step_done (db, stmt, _("Could not acknowledge the history"), error))
        return 0;
      deleted += sotto_db_changes (db);
      sqlite3_reset (stmt);
    }

  return deleted;
}

/**
 * sotto_store_history_bytes:
 *
 * Returns: how many bytes of history wait for the device, or -1
 */
gint64
sotto_store_history_bytes (SottoStore  *self,
                           gint64       device_id,
                           GError     **error)
{
  g_auto(SottoDbStatement) stmt = NULL;
  gint64 bytes = -1;

  g_return_val_if_fail (SOTTO_IS_STORE (self), -1);

  stmt = _sotto_store_statement (self, STMT_HISTORY_BYTES, error);
  if (stmt == NULL)
    return -1;

  sqlite3_bind_int64 (stmt, 1, device_id);
  if (!sotto_db_step_int64 (_sotto_store_get_db (self), stmt, &bytes,
                            _("Could not count the history waiting"), error))
    return -1;
  return bytes;
}
