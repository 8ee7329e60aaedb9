/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-store-private.h"

/*
 * The server store's per-device queue of sender keys and key requests.
 */

/**
 * sotto_store_queue_key:
 * @device_id: the device it is for
 * @sender: the username it is from
 * @room: the room it is about
 * @key_id: the sender key id, or -1 for none
 * @box: (nullable): the crypto_box; required for %SOTTO_STORE_KEY_BOX
 * @sender_device: (nullable): the signing key of the sender's device
 *
 * Returns: the row's kid, or -1
 */
gint64
sotto_store_queue_key (SottoStore         *self,
                       gint64              device_id,
                       gint64              ts,
                       const char         *sender,
                       const char         *room,
                       SottoStoreKeyKind   kind,
                       gint64              key_id,
                       GBytes             *box,
                       GBytes             *sender_device,
                       GError            **error)
{
  SottoDb *db;
  g_auto(SottoDbStatement) stmt = NULL;

  g_return_val_if_fail (SOTTO_IS_STORE (self), -1);
  g_return_val_if_fail (sender != NULL, -1);
  g_return_val_if_fail (room != NULL, -1);
  g_return_val_if_fail (kind == SOTTO_STORE_KEY_BOX || kind == SOTTO_STORE_KEY_REQUEST, -1);

  db = _sotto_store_get_db (self);
  stmt = _sotto_store_write_statement (self, STMT_QUEUE_KEY, error);
  if (stmt == NULL)
    return -1;

  sqlite3_bind_int64 (stmt, 1, device_id);
  sqlite3_bind_int64 (stmt, 2, ts);
  sqlite3_bind_text (stmt, 3, sender, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, room, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 5, kind);
  if (key_id >= 0)
    sqlite3_bind_int64 (stmt, 6, key_id);
  else
    sqlite3_bind_null (stmt, 6);
  if (box != NULL)
    {
      gsize size;
      gconstpointer data = g_bytes_get_data (box, &size);

      sqlite3_bind_blob64 (stmt, 7, size > 0 ? data : "", size, SQLITE_STATIC);
    }
  else
    {
      sqlite3_bind_null (stmt, 7);
    }
  if (sender_device != NULL)
    sqlite3_bind_blob64 (stmt, 8, g_bytes_get_data (sender_device, NULL),
                         g_bytes_get_size (sender_device), SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, 8);

  if (!sotto_db_step_done (db, stmt, _("Could not queue the key"), error))
    return -1;

  return sotto_db_last_insert_rowid (db);
}

/**
 * sotto_store_pending_keys:
 * @limit: the most rows to return, 0 for all
 *
 * Returns: (transfer full) (element-type SottoStoreKey): the recipient's
 *   unacknowledged rows, oldest first, or %NULL
 */
GPtrArray *
sotto_store_pending_keys (SottoStore  *self,
                          gint64       device_id,
                          guint        limit,
                          GError     **error)
{
  SottoDb *db;
  g_autoptr(GPtrArray) keys = NULL;
  g_auto(SottoDbStatement) stmt = NULL;
  int rc;

  g_return_val_if_fail (SOTTO_IS_STORE (self), NULL);

  db = _sotto_store_get_db (self);
  stmt = _sotto_store_statement (self, STMT_PENDING_KEYS, error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, device_id);
  sqlite3_bind_int64 (stmt, 2, sotto_db_limit_or_none (limit));

  keys = g_ptr_array_new_with_free_func ((GDestroyNotify) sotto_store_key_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      SottoStoreKey *key = g_new0 (SottoStoreKey, 1);

      key->kid = sqlite3_column_int64 (stmt, 0);
      key->ts = sqlite3_column_int64 (stmt, 1);
      key->sender = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      key->room = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
      key->kind = sqlite3_column_int (stmt, 4);
      key->key_id = sqlite3_column_type (stmt, 5) == SQLITE_NULL
                    ? -1 : sqlite3_column_int64 (stmt, 5);
      key->box = sotto_db_column_bytes (stmt, 6);
      key->sender_device = sotto_db_column_bytes (stmt, 7);
      g_ptr_array_add (keys, key);
    }

  if (rc != SQLITE_DONE)
    {
      sotto_db_set_error (db, error, rc, _("Could not load the pending keys"));
      return NULL;
    }

  return g_steal_pointer (&keys);
}

/**
 * sotto_store_ack_keys:
 * @kids: (array length=n_kids): the rows the recipient has received
 *
 * Deletes the recipient's rows among @kids; kids of other recipients and
 * unknown ones are ignored.
 *
 * Returns: how many rows were deleted; 0 with @error set on failure
 */
guint
sotto_store_ack_keys (SottoStore    *self,
                      gint64         device_id,
                      const gint64  *kids,
                      guint          n_kids,
                      GError       **error)
{
  SottoDb *db;
  g_auto(SottoDbStatement) stmt = NULL;
  guint deleted = 0;

  g_return_val_if_fail (SOTTO_IS_STORE (self), 0);
  g_return_val_if_fail (kids != NULL || n_kids == 0, 0);

  db = _sotto_store_get_db (self);
  if (n_kids == 0)
    return 0;

  stmt = _sotto_store_write_statement (self, STMT_ACK_KEY, error);
  if (stmt == NULL)
    return 0;

  for (guint i = 0; i < n_kids; i++)
    {
      sqlite3_bind_int64 (stmt, 1, kids[i]);
      sqlite3_bind_int64 (stmt, 2, device_id);

      if (!sotto_db_step_done (db, stmt, _("Could not acknowledge the keys"), error))
        return 0;

      deleted += sotto_db_changes (db);
      sqlite3_reset (stmt);
    }

  return deleted;
}
