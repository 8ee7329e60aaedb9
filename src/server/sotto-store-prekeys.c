/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-store-private.h"

/*
 * The server store's prekeys: per device, the signed bundle it published
 * last and the one-time prekeys it published and nobody has taken yet,
 * oldest first. Both are opaque blobs; the caller names a one-time
 * prekey's id. A one-time prekey is taken by deleting it, in the same
 * batched transaction as every other write, so one the caller hands out
 * only once that batch is committed is never handed out again.
 */

/**
 * sotto_store_set_prekey_bundle:
 * @bundle: the device's signed bundle, replacing any it had
 * @published: when, in ms since the epoch
 */
gboolean
sotto_store_set_prekey_bundle (SottoStore  *self,
                               gint64       device_id,
                               GBytes      *bundle,
                               gint64       published,
                               GError     **error)
{
  SottoDb *db;
  g_auto(SottoDbStatement) stmt = NULL;
  gconstpointer data;
  gsize size;

  g_return_val_if_fail (SOTTO_IS_STORE (self), FALSE);
  g_return_val_if_fail (bundle != NULL, FALSE);

  db = _sotto_store_get_db (self);
  stmt = _sotto_store_write_statement (self, STMT_SET_PREKEY_BUNDLE, error);
  if (stmt == NULL)
    return FALSE;

  data = g_bytes_get_data (bundle, &size);
  sqlite3_bind_int64 (stmt, 1, device_id);
  sqlite3_bind_blob64 (stmt, 2, data, size, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, published);

  return sotto_db_step_done (db, stmt, _("Could not store the prekey bundle"), error);
}

/* Steps @id, bound to @device_id, for the one blob it may give. */
static gboolean
device_blob (SottoStore             *self,
             SottoStoreStatementId   id,
             gboolean                write,
             gint64                  device_id,
             GBytes                **out_blob,
             const char             *what,
             GError                **error)
{
  g_auto(SottoDbStatement) stmt = NULL;
  gboolean found;

  *out_blob = NULL;
  stmt = write ? _sotto_store_write_statement (self, id, error)
               : _sotto_store_statement (self, id, error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, device_id);
  if (!sotto_db_step_row (_sotto_store_get_db (self), stmt, &found, what, error))
    return FALSE;

  if (found)
    *out_blob = sotto_db_column_bytes (stmt, 0);
  return TRUE;
}

/**
 * sotto_store_get_prekey_bundle:
 * @out_bundle: (out) (transfer full): the bundle, or %NULL
 *   when the device has published none
 *
 * Returns: %FALSE only if the store failed
 */
gboolean
sotto_store_get_prekey_bundle (SottoStore  *self,
                               gint64       device_id,
                               GBytes     **out_bundle,
                               GError     **error)
{
  g_return_val_if_fail (SOTTO_IS_STORE (self), FALSE);
  g_return_val_if_fail (out_bundle != NULL, FALSE);

  return device_blob (self, STMT_GET_PREKEY_BUNDLE, FALSE, device_id, out_bundle,
                      _("Could not read the prekey bundle"), error);
}

/**
 * sotto_store_add_one_time_prekey:
 * @key_id: the prekey's id, as its owner numbers them
 * @prekey: the prekey as it was published
 *
 * One with the same @key_id that the device still holds is replaced,
 * and the new one counts as the newest.
 */
gboolean
sotto_store_add_one_time_prekey (SottoStore  *self,
                                 gint64       device_id,
                                 guint32      key_id,
                                 GBytes      *prekey,
                                 GError     **error)
{
  SottoDb *db;
  g_auto(SottoDbStatement) stmt = NULL;
  gconstpointer data;
  gsize size;

  g_return_val_if_fail (SOTTO_IS_STORE (self), FALSE);
  g_return_val_if_fail (prekey != NULL, FALSE);

  db = _sotto_store_get_db (self);
  stmt = _sotto_store_write_statement (self, STMT_ADD_ONE_TIME_PREKEY, error);
  if (stmt == NULL)
    return FALSE;

  data = g_bytes_get_data (prekey, &size);
  sqlite3_bind_int64 (stmt, 1, device_id);
  sqlite3_bind_int64 (stmt, 2, key_id);
  sqlite3_bind_blob64 (stmt, 3, data, size, SQLITE_STATIC);

  return sotto_db_step_done (db, stmt, _("Could not store the one-time prekey"), error);
}

/**
 * sotto_store_has_one_time_prekey:
 * @has: (out): whether the device holds a one-time prekey with @key_id
 */
gboolean
sotto_store_has_one_time_prekey (SottoStore  *self,
                                 gint64       device_id,
                                 guint32      key_id,
                                 gboolean    *has,
                                 GError     **error)
{
  SottoDb *db;
  g_auto(SottoDbStatement) stmt = NULL;
  gint64 count;

  g_return_val_if_fail (SOTTO_IS_STORE (self), FALSE);
  g_return_val_if_fail (has != NULL, FALSE);

  db = _sotto_store_get_db (self);
  stmt = _sotto_store_statement (self, STMT_HAS_ONE_TIME_PREKEY, error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, device_id);
  sqlite3_bind_int64 (stmt, 2, key_id);

  if (!sotto_db_step_int64 (db, stmt, &count, _("Could not read the one-time prekeys"), error))
    return FALSE;

  *has = count > 0;
  return TRUE;
}

/**
 * sotto_store_count_one_time_prekeys:
 *
 * Returns: how many one-time prekeys the device holds, or -1
 */
gint64
sotto_store_count_one_time_prekeys (SottoStore  *self,
                                    gint64       device_id,
                                    GError     **error)
{
  SottoDb *db;
  g_auto(SottoDbStatement) stmt = NULL;
  gint64 count;

  g_return_val_if_fail (SOTTO_IS_STORE (self), -1);

  db = _sotto_store_get_db (self);
  stmt = _sotto_store_statement (self, STMT_COUNT_ONE_TIME_PREKEYS, error);
  if (stmt == NULL)
    return -1;

  sqlite3_bind_int64 (stmt, 1, device_id);

  if (!sotto_db_step_int64 (db, stmt, &count, _("Could not read the one-time prekeys"), error))
    return -1;

  return count;
}

/**
 * sotto_store_take_one_time_prekey:
 * @out_prekey: (out) (transfer full): the device's oldest
 *   one-time prekey, now deleted, or %NULL when it has none left
 *
 * The deletion is part of the open batch: hand the prekey out only once
 * that is committed, and not at all if it is rolled back.
 *
 * Returns: %FALSE only if the store failed
 */
gboolean
sotto_store_take_one_time_prekey (SottoStore  *self,
                                  gint64       device_id,
                                  GBytes     **out_prekey,
                                  GError     **error)
{
  g_return_val_if_fail (SOTTO_IS_STORE (self), FALSE);
  g_return_val_if_fail (out_prekey != NULL, FALSE);

  /* DELETE … RETURNING makes its change on the first step. */
  return device_blob (self, STMT_TAKE_ONE_TIME_PREKEY, TRUE, device_id, out_prekey,
                      _("Could not take a one-time prekey"), error);
}
