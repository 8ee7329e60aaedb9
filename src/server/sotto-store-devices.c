/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-store-private.h"

/*
 * The server store's device lists: per account, the list it published
 * last, with the account key and the counter that came beside it. The
 * list is an opaque blob, signed by the account key; the store never
 * reads it. Which list may take the place of the stored one is the
 * caller's rule: the store keeps the last one it is given.
 */

/**
 * sotto_store_set_device_list:
 * @account_key: the account key the list was published with
 * @counter: the counter it was published with, at least 1
 * @list: the device list, as it was published, not empty
 * @published: when, in ms since the epoch
 *
 * Stores @list as the account's device list, replacing any it had.
 */
gboolean
sotto_store_set_device_list (SottoStore  *self,
                             gint64       account_id,
                             GBytes      *account_key,
                             gint64       counter,
                             GBytes      *list,
                             gint64       published,
                             GError     **error)
{
  SottoDb *db;
  g_auto(SottoDbStatement) stmt = NULL;
  gconstpointer key_data;
  gconstpointer list_data;
  gsize key_size;
  gsize list_size;

  g_return_val_if_fail (SOTTO_IS_STORE (self), FALSE);
  g_return_val_if_fail (account_key != NULL, FALSE);
  g_return_val_if_fail (counter >= 1, FALSE);
  g_return_val_if_fail (list != NULL && g_bytes_get_size (list) > 0, FALSE);

  db = _sotto_store_get_db (self);
  stmt = _sotto_store_write_statement (self, STMT_SET_DEVICE_LIST, error);
  if (stmt == NULL)
    return FALSE;

  key_data = g_bytes_get_data (account_key, &key_size);
  list_data = g_bytes_get_data (list, &list_size);
  sqlite3_bind_int64 (stmt, 1, account_id);
  sqlite3_bind_blob64 (stmt, 2, key_data, key_size, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, counter);
  sqlite3_bind_blob64 (stmt, 4, list_data, list_size, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 5, published);

  return sotto_db_step_done (db, stmt, _("Could not store the device list"), error);
}

/**
 * sotto_store_get_device_list:
 * @out_account_key: (out) (transfer full): the account key the list was
 *   published with, or %NULL when the account has published none
 * @out_counter: (out): its counter, or 0 when there is none
 * @out_list: (out) (transfer full): the list, or %NULL when there is none
 *
 * Lists written but not yet committed are visible here, and may still be
 * rolled back: answer with one only once the open batch is committed.
 *
 * Returns: %FALSE only if the store failed
 */
gboolean
sotto_store_get_device_list (SottoStore  *self,
                             gint64       account_id,
                             GBytes     **out_account_key,
                             gint64      *out_counter,
                             GBytes     **out_list,
                             GError     **error)
{
  g_auto(SottoDbStatement) stmt = NULL;
  gboolean found;

  g_return_val_if_fail (SOTTO_IS_STORE (self), FALSE);
  g_return_val_if_fail (out_account_key != NULL, FALSE);
  g_return_val_if_fail (out_counter != NULL, FALSE);
  g_return_val_if_fail (out_list != NULL, FALSE);

  *out_account_key = NULL;
  *out_counter = 0;
  *out_list = NULL;

  stmt = _sotto_store_statement (self, STMT_GET_DEVICE_LIST, error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, account_id);
  if (!sotto_db_step_row (_sotto_store_get_db (self), stmt, &found,
                          _("Could not read the device list"), error))
    return FALSE;

  if (found)
    {
      *out_account_key = sotto_db_column_bytes (stmt, 0);
      *out_counter = sqlite3_column_int64 (stmt, 1);
      *out_list = sotto_db_column_bytes (stmt, 2);
    }

  return TRUE;
}

/**
 * sotto_store_forget_device_list:
 *
 * Forgets the account's device list, and with it the account key it was
 * published under: a reset of the account.
 */
gboolean
sotto_store_forget_device_list (SottoStore  *self,
                                gint64       account_id,
                                GError     **error)
{
  g_auto(SottoDbStatement) stmt = NULL;

  g_return_val_if_fail (SOTTO_IS_STORE (self), FALSE);

  stmt = _sotto_store_write_statement (self, STMT_FORGET_DEVICE_LIST, error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, account_id);
  return sotto_db_step_done (_sotto_store_get_db (self), stmt,
                             _("Could not forget the device list"), error);
}

void
sotto_store_device_free (SottoStoreDevice *device)
{
  g_free (device);
}

/**
 * sotto_store_add_device:
 * @identity: the device's public identity keys
 * @added: when, in ms since the epoch
 *
 * Returns: the new device's id, or -1; a signing key the account's
 *   devices already have fails with %SOTTO_STORE_ERROR_CONSTRAINT
 */
gint64
sotto_store_add_device (SottoStore               *self,
                        gint64                    account_id,
                        const SottoWireIdentity  *identity,
                        gint64                    added,
                        GError                  **error)
{
  SottoDb *db;
  g_auto(SottoDbStatement) stmt = NULL;

  g_return_val_if_fail (SOTTO_IS_STORE (self), -1);
  g_return_val_if_fail (identity != NULL, -1);

  db = _sotto_store_get_db (self);
  stmt = _sotto_store_write_statement (self, STMT_ADD_DEVICE, error);
  if (stmt == NULL)
    return -1;

  sqlite3_bind_int64 (stmt, 1, account_id);
  sqlite3_bind_blob (stmt, 2, identity->box, sizeof identity->box, SQLITE_STATIC);
  sqlite3_bind_blob (stmt, 3, identity->sign, sizeof identity->sign, SQLITE_STATIC);
  sqlite3_bind_blob (stmt, 4, identity->binding, sizeof identity->binding, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 5, added);

  if (!sotto_db_step_done (db, stmt, _("Could not add the device"), error))
    return -1;

  return sotto_db_last_insert_rowid (db);
}

/**
 * sotto_store_remove_device:
 *
 * Removes a device, and with it its prekeys and the keys queued for it.
 * An unknown id is no error.
 */
gboolean
sotto_store_remove_device (SottoStore  *self,
                           gint64       device_id,
                           GError     **error)
{
  g_auto(SottoDbStatement) stmt = NULL;

  g_return_val_if_fail (SOTTO_IS_STORE (self), FALSE);

  stmt = _sotto_store_write_statement (self, STMT_REMOVE_DEVICE, error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, device_id);
  return sotto_db_step_done (_sotto_store_get_db (self), stmt,
                             _("Could not remove the device"), error);
}

/**
 * sotto_store_load_devices:
 *
 * Returns: (transfer full) (element-type SottoStoreDevice): the account's
 *   devices, in the order they were added, or %NULL on failure
 */
GPtrArray *
sotto_store_load_devices (SottoStore  *self,
                          gint64       account_id,
                          GError     **error)
{
  SottoDb *db;
  g_auto(SottoDbStatement) stmt = NULL;
  g_autoptr(GPtrArray) devices = NULL;
  int rc;

  g_return_val_if_fail (SOTTO_IS_STORE (self), NULL);

  db = _sotto_store_get_db (self);
  stmt = _sotto_store_statement (self, STMT_LOAD_DEVICES, error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, account_id);
  devices = g_ptr_array_new_with_free_func ((GDestroyNotify) sotto_store_device_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      SottoStoreDevice *device = g_new0 (SottoStoreDevice, 1);

      device->id = sqlite3_column_int64 (stmt, 0);
      if (!sotto_db_column_copy_blob (stmt, 1, device->identity.box,
                                      sizeof device->identity.box) ||
          !sotto_db_column_copy_blob (stmt, 2, device->identity.sign,
                                      sizeof device->identity.sign) ||
          !sotto_db_column_copy_blob (stmt, 3, device->identity.binding,
                                      sizeof device->identity.binding))
        {
          /* The number goes in as text: a G_GINT64_FORMAT would hide the
           * rest of the message from xgettext. */
          g_autofree char *account = g_strdup_printf ("%" G_GINT64_FORMAT, account_id);

          sotto_store_device_free (device);
          g_set_error (error, SOTTO_STORE_ERROR, SOTTO_STORE_ERROR_CORRUPT,
                       _("A device of account %s has damaged keys"), account);
          return NULL;
        }
      device->added = sqlite3_column_int64 (stmt, 4);
      device->last_seen = sqlite3_column_type (stmt, 5) == SQLITE_NULL
                          ? 0 : sqlite3_column_int64 (stmt, 5);
      g_ptr_array_add (devices, device);
    }

  if (rc != SQLITE_DONE)
    {
      sotto_db_set_error (db, error, rc, _("Could not load the devices"));
      return NULL;
    }

  return g_steal_pointer (&devices);
}

/**
 * sotto_store_set_device_seen:
 * @seen: when the device was last connected, in ms since the epoch
 */
gboolean
sotto_store_set_device_seen (SottoStore  *self,
                             gint64       device_id,
                             gint64       seen,
                             GError     **error)
{
  g_auto(SottoDbStatement) stmt = NULL;

  g_return_val_if_fail (SOTTO_IS_STORE (self), FALSE);

  stmt = _sotto_store_write_statement (self, STMT_SET_DEVICE_SEEN, error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, device_id);
  sqlite3_bind_int64 (stmt, 2, seen);
  return sotto_db_step_done (_sotto_store_get_db (self), stmt,
                             _("Could not note when the device was seen"), error);
}
