/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-client-store-private.h"

/* Each room's chain of signed state events, as the server relayed them.
 * The events check themselves (signatures, hashes, rules) when the client
 * takes them again: the store only keeps them in order. */

/**
 * sotto_client_store_add_state_event:
 * @self: a #SottoClientStore
 * @room: the room
 * @index: the event's place in the room's chain
 * @event: the event as relayed
 * @error: return location for a #GError
 *
 * Appends @event to the stored chain of @room. An index already held is
 * refused: a chain is never rewritten.
 *
 * Returns: %TRUE on success
 */
gboolean
sotto_client_store_add_state_event (SottoClientStore  *self,
                                    const char        *room,
                                    guint64            index,
                                    GBytes            *event,
                                    GError           **error)
{
  g_auto(SottoDbStatement) stmt = NULL;
  gsize size;
  const void *data;

  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), FALSE);
  g_return_val_if_fail (room != NULL, FALSE);
  g_return_val_if_fail (index <= G_MAXINT64, FALSE);
  g_return_val_if_fail (event != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_sotto_client_store_require_unlocked (self, error) ||
      (stmt = sotto_db_statement (self->db, STMT_ADD_STATE_EVENT, error)) == NULL)
    return FALSE;

  data = g_bytes_get_data (event, &size);
  sqlite3_bind_text (stmt, 1, room, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, (gint64) index);
  sqlite3_bind_blob (stmt, 3, size > 0 ? data : "", (int) size, SQLITE_STATIC);

  return sotto_db_step_done (self->db, stmt, _("Could not save a room event"), error);
}

/**
 * sotto_client_store_list_state_events:
 * @self: a #SottoClientStore
 * @room: the room
 * @error: return location for a #GError
 *
 * Returns: (transfer container) (element-type GBytes): the stored chain of
 *   @room, from index 0 on, or %NULL on error; a chain with a hole in its
 *   indexes is an error
 */
GPtrArray *
sotto_client_store_list_state_events (SottoClientStore  *self,
                                      const char        *room,
                                      GError           **error)
{
  g_auto(SottoDbStatement) stmt = NULL;
  g_autoptr(GPtrArray) events = NULL;
  int rc;

  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), NULL);
  g_return_val_if_fail (room != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!_sotto_client_store_require_unlocked (self, error) ||
      (stmt = sotto_db_statement (self->db, STMT_LIST_STATE_EVENTS, error)) == NULL)
    return NULL;

  sqlite3_bind_text (stmt, 1, room, -1, SQLITE_STATIC);
  events = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      if (sqlite3_column_int64 (stmt, 0) != (gint64) events->len)
        {
          g_set_error (error, SOTTO_CLIENT_STORE_ERROR, SOTTO_CLIENT_STORE_ERROR_CORRUPT,
                       _("The stored events of the room %s have a hole; the database was "
                         "altered or damaged"), room);
          return NULL;
        }
      g_ptr_array_add (events, g_bytes_new (sqlite3_column_blob (stmt, 1),
                                            (gsize) sqlite3_column_bytes (stmt, 1)));
    }

  if (rc != SQLITE_DONE)
    {
      sotto_db_set_error (self->db, error, rc, _("Could not read a room’s events"));
      return NULL;
    }

  return g_steal_pointer (&events);
}

/**
 * sotto_client_store_get_state_event:
 * @self: a #SottoClientStore
 * @room: the room
 * @index: the event's place in the chain
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the stored event at @index, or
 *   %NULL, with @error set only on failure
 */
GBytes *
sotto_client_store_get_state_event (SottoClientStore  *self,
                                    const char        *room,
                                    guint64            index,
                                    GError           **error)
{
  g_auto(SottoDbStatement) stmt = NULL;
  gboolean found;

  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), NULL);
  g_return_val_if_fail (room != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!_sotto_client_store_require_unlocked (self, error) ||
      (stmt = sotto_db_statement (self->db, STMT_GET_STATE_EVENT, error)) == NULL)
    return NULL;

  sqlite3_bind_text (stmt, 1, room, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, (gint64) MIN (index, (guint64) G_MAXINT64));
  if (!sotto_db_step_row (self->db, stmt, &found, _("Could not read a room’s events"), error) ||
      !found)
    return NULL;

  return g_bytes_new (sqlite3_column_blob (stmt, 0), (gsize) sqlite3_column_bytes (stmt, 0));
}
