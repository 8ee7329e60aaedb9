/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "sotto-store-private.h"

/*
 * The server store's record of blobs: for each, the id its uploader drew,
 * who uploaded it, to which room, its whole size, whether it is all there
 * and when its upload began. Nothing of what a blob holds: its bytes are
 * files in the data directory (sotto-server-blob-files.c), and how many
 * of them an unfinished upload has is the length of its file.
 */

void
sotto_store_blob_clear (SottoStoreBlob *blob)
{
  g_clear_pointer (&blob->uploader, g_free);
  g_clear_pointer (&blob->room, g_free);
  memset (blob, 0, sizeof *blob);
}

/**
 * sotto_store_add_blob:
 * @id: the blob's id, %SOTTO_PROTOCOL_BLOB_ID_BYTES bytes
 * @account_id: who uploads it
 * @room_id: the room it goes to
 * @size: its whole size in bytes
 * @created: when its upload began, in ms since the epoch
 *
 * Records an unfinished upload. An id that is taken fails with
 * %SOTTO_STORE_ERROR_CONSTRAINT.
 */
gboolean
sotto_store_add_blob (SottoStore    *self,
                      const guint8  *id,
                      gint64         account_id,
                      gint64         room_id,
                      gint64         size,
                      gint64         created,
                      GError       **error)
{
  g_auto(SottoDbStatement) stmt = NULL;

  g_return_val_if_fail (SOTTO_IS_STORE (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  stmt = _sotto_store_write_statement (self, STMT_ADD_BLOB, error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_blob (stmt, 1, id, SOTTO_PROTOCOL_BLOB_ID_BYTES, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, account_id);
  sqlite3_bind_int64 (stmt, 3, room_id);
  sqlite3_bind_int64 (stmt, 4, size);
  sqlite3_bind_int64 (stmt, 5, created);

  return sotto_db_step_done (_sotto_store_get_db (self), stmt, _("Could not record the upload"),
                             error);
}

/**
 * sotto_store_find_blob:
 * @out_blob: (out caller-allocates): filled in when found; clear it with
 *   sotto_store_blob_clear()
 *
 * Returns: %TRUE if the blob is recorded; %FALSE with @error unset if it
 *   is not, or with @error set on failure
 */
gboolean
sotto_store_find_blob (SottoStore      *self,
                       const guint8    *id,
                       SottoStoreBlob  *out_blob,
                       GError         **error)
{
  g_auto(SottoDbStatement) stmt = NULL;
  gboolean found = FALSE;

  g_return_val_if_fail (SOTTO_IS_STORE (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);
  g_return_val_if_fail (out_blob != NULL, FALSE);

  stmt = _sotto_store_statement (self, STMT_FIND_BLOB, error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_blob (stmt, 1, id, SOTTO_PROTOCOL_BLOB_ID_BYTES, SQLITE_STATIC);
  if (!sotto_db_step_row (_sotto_store_get_db (self), stmt, &found,
                          _("Could not look up the blob"), error) || !found)
    return FALSE;

  memset (out_blob, 0, sizeof *out_blob);
  memcpy (out_blob->id, id, SOTTO_PROTOCOL_BLOB_ID_BYTES);
  out_blob->account_id = sqlite3_column_int64 (stmt, 0);
  out_blob->uploader = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  out_blob->room_id = sqlite3_column_int64 (stmt, 2);
  out_blob->room = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
  out_blob->size = sqlite3_column_int64 (stmt, 4);
  out_blob->complete = sqlite3_column_int (stmt, 5) != 0;
  out_blob->created = sqlite3_column_int64 (stmt, 6);

  return TRUE;
}

static gboolean
blob_write (SottoStore             *self,
            SottoStoreStatementId   id_stmt,
            const guint8           *id,
            const char             *what,
            GError                **error)
{
  g_auto(SottoDbStatement) stmt = NULL;

  g_return_val_if_fail (SOTTO_IS_STORE (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  stmt = _sotto_store_write_statement (self, id_stmt, error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_blob (stmt, 1, id, SOTTO_PROTOCOL_BLOB_ID_BYTES, SQLITE_STATIC);

  return sotto_db_step_done (_sotto_store_get_db (self), stmt, what, error);
}

/**
 * sotto_store_set_blob_complete:
 *
 * Records that the whole blob is there. Nothing happens for a blob that
 * is not recorded.
 */
gboolean
sotto_store_set_blob_complete (SottoStore    *self,
                               const guint8  *id,
                               GError       **error)
{
  return blob_write (self, STMT_SET_BLOB_COMPLETE, id, _("Could not record the upload"), error);
}

/**
 * sotto_store_delete_blob:
 *
 * Forgets a blob; its files are the caller's to delete.
 */
gboolean
sotto_store_delete_blob (SottoStore    *self,
                         const guint8  *id,
                         GError       **error)
{
  return blob_write (self, STMT_DELETE_BLOB, id, _("Could not delete the blob"), error);
}

/**
 * sotto_store_blob_bytes:
 *
 * Returns: the sum of the sizes of the account's blobs, complete and
 *   unfinished, or -1
 */
gint64
sotto_store_blob_bytes (SottoStore  *self,
                        gint64       account_id,
                        GError     **error)
{
  g_auto(SottoDbStatement) stmt = NULL;
  gint64 bytes = -1;

  g_return_val_if_fail (SOTTO_IS_STORE (self), -1);

  stmt = _sotto_store_statement (self, STMT_BLOB_BYTES, error);
  if (stmt == NULL)
    return -1;

  sqlite3_bind_int64 (stmt, 1, account_id);
  if (!sotto_db_step_int64 (_sotto_store_get_db (self), stmt, &bytes,
                            _("Could not count the account’s blobs"), error))
    return -1;
  return bytes;
}

/**
 * sotto_store_old_blobs:
 * @before: a time in ms since the epoch
 * @unfinished_only: only blobs whose upload is not finished
 *
 * Returns: (transfer full) (element-type GBytes): the ids of the blobs
 *   whose upload began before @before, or %NULL
 */
GPtrArray *
sotto_store_old_blobs (SottoStore  *self,
                       gint64       before,
                       gboolean     unfinished_only,
                       GError     **error)
{
  g_auto(SottoDbStatement) stmt = NULL;
  g_autoptr(GPtrArray) ids = NULL;
  int rc;

  g_return_val_if_fail (SOTTO_IS_STORE (self), NULL);

  stmt = _sotto_store_statement (self, STMT_OLD_BLOBS, error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, before);
  sqlite3_bind_int (stmt, 2, unfinished_only ? 1 : 0);

  ids = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (ids, sotto_db_column_bytes (stmt, 0));

  if (rc != SQLITE_DONE)
    {
      sotto_db_set_error (_sotto_store_get_db (self), error, rc, _("Could not list old blobs"));
      return NULL;
    }

  return g_steal_pointer (&ids);
}
