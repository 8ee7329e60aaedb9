/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-store-private.h"

/*
 * The server store's rooms and their members.
 */

/**
 * sotto_store_load_rooms:
 *
 * Returns: (transfer full) (element-type SottoStoreRoom): every room, direct
 *   ones included, in creation order, or %NULL
 */
GPtrArray *
sotto_store_load_rooms (SottoStore  *self,
                        GError     **error)
{
  SottoDb *db;
  g_autoptr(GPtrArray) rooms = NULL;
  g_auto(SottoDbStatement) stmt = NULL;
  int rc;

  g_return_val_if_fail (SOTTO_IS_STORE (self), NULL);

  db = _sotto_store_get_db (self);
  stmt = _sotto_store_statement (self, STMT_LOAD_ROOMS, error);
  if (stmt == NULL)
    return NULL;

  rooms = g_ptr_array_new_with_free_func ((GDestroyNotify) sotto_store_room_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      SottoStoreRoom *room = g_new0 (SottoStoreRoom, 1);

      room->id = sqlite3_column_int64 (stmt, 0);
      room->name = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      room->direct = sqlite3_column_int (stmt, 2) != 0;
      room->owner = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
      room->created = sqlite3_column_int64 (stmt, 4);
      room->last_seq = sqlite3_column_int64 (stmt, 5);
      g_ptr_array_add (rooms, room);
    }

  if (rc != SQLITE_DONE)
    {
      sotto_db_set_error (db, error, rc, _("Could not load the rooms"));
      return NULL;
    }

  return g_steal_pointer (&rooms);
}

/**
 * sotto_store_add_room:
 * @owner: (nullable): the username that made it
 *
 * Returns: the new room's id, or -1; a taken name fails with
 *   %SOTTO_STORE_ERROR_CONSTRAINT
 */
gint64
sotto_store_add_room (SottoStore  *self,
                      const char  *name,
                      gboolean     direct,
                      const char  *owner,
                      GError     **error)
{
  SottoDb *db;
  g_auto(SottoDbStatement) stmt = NULL;

  g_return_val_if_fail (SOTTO_IS_STORE (self), -1);
  g_return_val_if_fail (name != NULL, -1);

  db = _sotto_store_get_db (self);
  stmt = _sotto_store_write_statement (self, STMT_ADD_ROOM, error);
  if (stmt == NULL)
    return -1;

  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 2, direct ? 1 : 0);
  if (owner != NULL)
    sqlite3_bind_text (stmt, 3, owner, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, 3);
  sqlite3_bind_int64 (stmt, 4, _sotto_store_now_ms ());

  if (!sotto_db_step_done (db, stmt, _("Could not add the room"), error))
    return -1;

  return sotto_db_last_insert_rowid (db);
}

/**
 * sotto_store_add_member:
 *
 * Adding a member twice is not an error. A room or account that does not
 * exist fails with %SOTTO_STORE_ERROR_CONSTRAINT.
 */
gboolean
sotto_store_add_member (SottoStore  *self,
                        gint64       room_id,
                        gint64       account_id,
                        GError     **error)
{
  SottoDb *db;
  g_auto(SottoDbStatement) stmt = NULL;

  g_return_val_if_fail (SOTTO_IS_STORE (self), FALSE);

  db = _sotto_store_get_db (self);
  stmt = _sotto_store_write_statement (self, STMT_ADD_MEMBER, error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, room_id);
  sqlite3_bind_int64 (stmt, 2, account_id);
  sqlite3_bind_int64 (stmt, 3, _sotto_store_now_ms ());

  return sotto_db_step_done (db, stmt, _("Could not add the member"), error);
}

/**
 * sotto_store_remove_member:
 *
 * Removing someone who is not a member is not an error.
 */
gboolean
sotto_store_remove_member (SottoStore  *self,
                           gint64       room_id,
                           gint64       account_id,
                           GError     **error)
{
  SottoDb *db;
  g_auto(SottoDbStatement) stmt = NULL;

  g_return_val_if_fail (SOTTO_IS_STORE (self), FALSE);

  db = _sotto_store_get_db (self);
  stmt = _sotto_store_write_statement (self, STMT_REMOVE_MEMBER, error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, room_id);
  sqlite3_bind_int64 (stmt, 2, account_id);

  return sotto_db_step_done (db, stmt, _("Could not remove the member"), error);
}

/**
 * sotto_store_load_member_names:
 *
 * Returns: (transfer full) (element-type utf8): the usernames of the room's
 *   members in the order they joined, or %NULL
 */
GPtrArray *
sotto_store_load_member_names (SottoStore  *self,
                               gint64       room_id,
                               GError     **error)
{
  SottoDb *db;
  g_auto(SottoDbStatement) stmt = NULL;

  g_return_val_if_fail (SOTTO_IS_STORE (self), NULL);

  db = _sotto_store_get_db (self);
  stmt = _sotto_store_statement (self, STMT_MEMBER_NAMES, error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, room_id);

  return sotto_db_collect_strings (db, stmt, _("Could not load the members"), error);
}

/**
 * sotto_store_load_rooms_of:
 *
 * Returns: (transfer full) (element-type utf8): the names of the rooms the
 *   account is a member of, sorted, or %NULL
 */
GPtrArray *
sotto_store_load_rooms_of (SottoStore  *self,
                           gint64       account_id,
                           GError     **error)
{
  SottoDb *db;
  g_auto(SottoDbStatement) stmt = NULL;

  g_return_val_if_fail (SOTTO_IS_STORE (self), NULL);

  db = _sotto_store_get_db (self);
  stmt = _sotto_store_statement (self, STMT_ROOMS_OF, error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, account_id);

  return sotto_db_collect_strings (db, stmt, _("Could not load the rooms of the account"), error);
}

/**
 * sotto_store_count_members:
 *
 * Returns: how many members the room has, or -1
 */
gint64
sotto_store_count_members (SottoStore  *self,
                           gint64       room_id,
                           GError     **error)
{
  SottoDb *db;
  g_auto(SottoDbStatement) stmt = NULL;
  gint64 count;

  g_return_val_if_fail (SOTTO_IS_STORE (self), -1);

  db = _sotto_store_get_db (self);
  stmt = _sotto_store_statement (self, STMT_COUNT_MEMBERS, error);
  if (stmt == NULL)
    return -1;

  sqlite3_bind_int64 (stmt, 1, room_id);

  if (!sotto_db_step_int64 (db, stmt, &count, _("Could not count the members"), error))
    return -1;

  return count;
}
