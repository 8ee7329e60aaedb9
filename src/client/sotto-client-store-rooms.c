/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-client-store-private.h"

/* The known rooms, how far the history of each goes, and how far the user
 * read it. */

void
sotto_stored_room_free (SottoStoredRoom *room)
{
  if (room == NULL)
    return;

  g_free (room->name);
  g_free (room);
}

/**
 * sotto_client_store_save_room:
 * @self: a #SottoClientStore
 * @room: the room
 * @direct: whether it is a direct chat
 * @error: return location for a #GError
 *
 * Adds @room to the known rooms, or updates its direct flag.
 *
 * Returns: %TRUE on success
 */
gboolean
sotto_client_store_save_room (SottoClientStore  *self,
                              const char        *room,
                              gboolean           direct,
                              GError           **error)
{
  g_auto(SottoDbStatement) stmt = NULL;

  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), FALSE);
  g_return_val_if_fail (room != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_sotto_client_store_require_unlocked (self, error) ||
      (stmt = sotto_db_statement (self->db, STMT_SAVE_ROOM, error)) == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, room, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 2, direct ? 1 : 0);

  return sotto_db_step_done (self->db, stmt, _("Could not save a room"), error);
}

/**
 * sotto_client_store_set_last_seq:
 * @self: a #SottoClientStore
 * @room: the room, added to the known rooms if missing
 * @seq: the highest sequence number now held
 * @error: return location for a #GError
 *
 * Records how far the history of @room goes, for the next catch-up. The
 * value never goes down: a smaller @seq (a late or repeated message)
 * leaves it as it is.
 *
 * Returns: %TRUE on success
 */
gboolean
sotto_client_store_set_last_seq (SottoClientStore  *self,
                                 const char        *room,
                                 gint64             seq,
                                 GError           **error)
{
  g_auto(SottoDbStatement) stmt = NULL;

  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), FALSE);
  g_return_val_if_fail (room != NULL, FALSE);
  g_return_val_if_fail (seq >= 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_sotto_client_store_require_unlocked (self, error) ||
      (stmt = sotto_db_statement (self->db, STMT_SET_LAST_SEQ, error)) == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, room, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, seq);

  return sotto_db_step_done (self->db, stmt, _("Could not save a room"), error);
}

/**
 * sotto_client_store_get_last_seq:
 * @self: a #SottoClientStore
 * @room: the room
 * @error: return location for a #GError
 *
 * Returns: the last sequence number recorded for @room, 0 if none, or -1
 *   with @error set
 */
gint64
sotto_client_store_get_last_seq (SottoClientStore  *self,
                                 const char        *room,
                                 GError           **error)
{
  g_auto(SottoDbStatement) stmt = NULL;
  gboolean found;

  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), -1);
  g_return_val_if_fail (room != NULL, -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  if (!_sotto_client_store_require_unlocked (self, error) ||
      (stmt = sotto_db_statement (self->db, STMT_GET_LAST_SEQ, error)) == NULL)
    return -1;

  sqlite3_bind_text (stmt, 1, room, -1, SQLITE_STATIC);
  if (!sotto_db_step_row (self->db, stmt, &found, _("Could not read a room"), error))
    return -1;

  return found ? sqlite3_column_int64 (stmt, 0) : 0;
}

/**
 * sotto_client_store_get_read:
 * @read_seq: (out): the number of the last message the user saw, 0 if
 *   none
 * @unread: (out): how many messages came since
 *
 * Reads how far the user read @room; a room not known reads as unread
 * from its start, with nothing counted.
 *
 * Returns: %TRUE on success
 */
gboolean
sotto_client_store_get_read (SottoClientStore  *self,
                             const char        *room,
                             gint64            *read_seq,
                             guint             *unread,
                             GError           **error)
{
  g_auto(SottoDbStatement) stmt = NULL;
  gboolean found = FALSE;

  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), FALSE);
  g_return_val_if_fail (room != NULL && read_seq != NULL && unread != NULL, FALSE);

  *read_seq = 0;
  *unread = 0;
  if (!_sotto_client_store_require_unlocked (self, error) ||
      (stmt = sotto_db_statement (self->db, STMT_GET_READ, error)) == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, room, -1, SQLITE_STATIC);
  if (!sotto_db_step_row (self->db, stmt, &found, _("Could not read the rooms"), error))
    return FALSE;
  if (found)
    {
      *read_seq = MAX (0, sqlite3_column_int64 (stmt, 0));
      *unread = (guint) CLAMP (sqlite3_column_int64 (stmt, 1), 0, G_MAXUINT);
    }
  return TRUE;
}

/**
 * sotto_client_store_set_read:
 * @room: a known room
 * @read_seq: the number of the last message the user saw
 * @unread: how many messages came since
 *
 * Keeps how far the user read @room.
 *
 * Returns: %TRUE on success
 */
gboolean
sotto_client_store_set_read (SottoClientStore  *self,
                             const char        *room,
                             gint64             read_seq,
                             guint              unread,
                             GError           **error)
{
  g_auto(SottoDbStatement) stmt = NULL;

  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), FALSE);
  g_return_val_if_fail (room != NULL && read_seq >= 0, FALSE);

  if (!_sotto_client_store_require_unlocked (self, error) ||
      (stmt = sotto_db_statement (self->db, STMT_SET_READ, error)) == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, room, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, read_seq);
  sqlite3_bind_int64 (stmt, 3, unread);
  return sotto_db_step_done (self->db, stmt, _("Could not save a room"), error);
}

/**
 * sotto_client_store_list_rooms:
 * @self: a #SottoClientStore
 * @error: return location for a #GError
 *
 * Returns: (transfer container) (element-type SottoStoredRoom): the known
 *   rooms, by name, or %NULL on error
 */
GPtrArray *
sotto_client_store_list_rooms (SottoClientStore  *self,
                               GError           **error)
{
  g_auto(SottoDbStatement) stmt = NULL;
  g_autoptr(GPtrArray) rooms = NULL;
  int rc;

  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!_sotto_client_store_require_unlocked (self, error) ||
      (stmt = sotto_db_statement (self->db, STMT_LIST_ROOMS, error)) == NULL)
    return NULL;

  rooms = g_ptr_array_new_with_free_func ((GDestroyNotify) sotto_stored_room_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *name = (const char *) sqlite3_column_text (stmt, 0);
      SottoStoredRoom *room;

      /* SQLite lets a TEXT primary key be NULL: only an edited file has one. */
      if (name == NULL)
        {
          g_set_error_literal (error, SOTTO_CLIENT_STORE_ERROR, SOTTO_CLIENT_STORE_ERROR_CORRUPT,
                               _("A room without a name is stored; the database was altered "
                                 "or damaged"));
          return NULL;
        }

      room = g_new0 (SottoStoredRoom, 1);
      room->name = g_strdup (name);
      room->direct = sqlite3_column_int (stmt, 1) != 0;
      room->last_seq = MAX (0, sqlite3_column_int64 (stmt, 2));
      g_ptr_array_add (rooms, room);
    }

  if (rc != SQLITE_DONE)
    {
      sotto_db_set_error (self->db, error, rc, _("Could not read the rooms"));
      return NULL;
    }

  return g_steal_pointer (&rooms);
}

static gboolean
store_run_for_room (SottoClientStore  *self,
                    SottoClientStoreStatement        id,
                    const char        *room,
                    GError           **error)
{
  g_auto(SottoDbStatement) stmt = sotto_db_statement (self->db, id, error);

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, room, -1, SQLITE_STATIC);

  return sotto_db_step_done (self->db, stmt, _("Could not delete a room"), error);
}

/**
 * sotto_client_store_forget_room:
 * @self: a #SottoClientStore
 * @room: the room
 * @error: return location for a #GError
 *
 * Deletes @room, its history, its sender keys and its state chain, all
 * at once. What is known of the counters of its members stays: whoever
 * comes back cannot be shown old messages again as new ones, and our own
 * counter goes on.
 *
 * Returns: %TRUE on success
 */
gboolean
sotto_client_store_forget_room (SottoClientStore  *self,
                                const char        *room,
                                GError           **error)
{
  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), FALSE);
  g_return_val_if_fail (room != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_sotto_client_store_require_unlocked (self, error) || !sotto_db_begin (self->db, error))
    return FALSE;

  if (!store_run_for_room (self, STMT_FORGET_ROOM_MESSAGES, room, error) ||
      !store_run_for_room (self, STMT_FORGET_ROOM_KEYS, room, error) ||
      !store_run_for_room (self, STMT_FORGET_ROOM_STATE, room, error) ||
      !store_run_for_room (self, STMT_FORGET_ROOM, room, error) ||
      !store_run_for_room (self, STMT_REBASE_COUNTERS, room, error))
    {
      sotto_db_rollback (self->db);
      return FALSE;
    }

  return sotto_db_commit (self->db, error);
}
