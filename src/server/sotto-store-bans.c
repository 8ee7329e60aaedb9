/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-store-private.h"

/*
 * The server store's bans: who may not join a room again. Writes go into
 * the same batched transaction as every other write of the store.
 */

/**
 * sotto_store_add_ban:
 * @banned_by: (nullable): the username of the one who banned, %NULL for
 *   the operator
 * @banned: when, in ms since the epoch
 *
 * Banning someone twice is not an error; the first ban stays as it was.
 * A room or account that does not exist fails with
 * %SOTTO_STORE_ERROR_CONSTRAINT.
 */
gboolean
sotto_store_add_ban (SottoStore  *self,
                     gint64       room_id,
                     gint64       account_id,
                     const char  *banned_by,
                     gint64       banned,
                     GError     **error)
{
  SottoDb *db;
  g_auto(SottoDbStatement) stmt = NULL;

  g_return_val_if_fail (SOTTO_IS_STORE (self), FALSE);

  db = _sotto_store_get_db (self);
  stmt = _sotto_store_write_statement (self, STMT_ADD_BAN, error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, room_id);
  sqlite3_bind_int64 (stmt, 2, account_id);
  if (banned_by != NULL)
    sqlite3_bind_text (stmt, 3, banned_by, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, 3);
  sqlite3_bind_int64 (stmt, 4, banned);

  return sotto_db_step_done (db, stmt, _("Could not record the ban"), error);
}

/**
 * sotto_store_remove_ban:
 *
 * Lifting a ban that does not exist is not an error.
 */
gboolean
sotto_store_remove_ban (SottoStore  *self,
                        gint64       room_id,
                        gint64       account_id,
                        GError     **error)
{
  SottoDb *db;
  g_auto(SottoDbStatement) stmt = NULL;

  g_return_val_if_fail (SOTTO_IS_STORE (self), FALSE);

  db = _sotto_store_get_db (self);
  stmt = _sotto_store_write_statement (self, STMT_REMOVE_BAN, error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, room_id);
  sqlite3_bind_int64 (stmt, 2, account_id);

  return sotto_db_step_done (db, stmt, _("Could not lift the ban"), error);
}

/**
 * sotto_store_is_banned:
 * @banned: (out): whether the account is banned from the room
 *
 * Returns: %FALSE if the store could not tell
 */
gboolean
sotto_store_is_banned (SottoStore  *self,
                       gint64       room_id,
                       gint64       account_id,
                       gboolean    *banned,
                       GError     **error)
{
  SottoDb *db;
  g_auto(SottoDbStatement) stmt = NULL;
  gint64 count;

  g_return_val_if_fail (SOTTO_IS_STORE (self), FALSE);
  g_return_val_if_fail (banned != NULL, FALSE);

  db = _sotto_store_get_db (self);
  stmt = _sotto_store_statement (self, STMT_IS_BANNED, error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, room_id);
  sqlite3_bind_int64 (stmt, 2, account_id);

  if (!sotto_db_step_int64 (db, stmt, &count, _("Could not look up the ban"), error))
    return FALSE;

  *banned = count > 0;
  return TRUE;
}

/**
 * sotto_store_load_bans:
 *
 * Returns: (transfer full) (element-type SottoStoreBan): who is banned from
 *   the room, by whom and since when, sorted by username, or %NULL
 */
GPtrArray *
sotto_store_load_bans (SottoStore  *self,
                       gint64       room_id,
                       GError     **error)
{
  SottoDb *db;
  g_auto(SottoDbStatement) stmt = NULL;
  g_autoptr(GPtrArray) bans = NULL;
  int rc;

  g_return_val_if_fail (SOTTO_IS_STORE (self), NULL);

  db = _sotto_store_get_db (self);
  stmt = _sotto_store_statement (self, STMT_LOAD_BANS, error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, room_id);

  bans = g_ptr_array_new_with_free_func ((GDestroyNotify) sotto_store_ban_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      SottoStoreBan *ban = g_new0 (SottoStoreBan, 1);

      ban->user = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      ban->banned_by = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      ban->banned = sqlite3_column_int64 (stmt, 2);
      g_ptr_array_add (bans, ban);
    }

  if (rc != SQLITE_DONE)
    {
      sotto_db_set_error (db, error, rc, _("Could not load the bans"));
      return NULL;
    }

  return g_steal_pointer (&bans);
}
