/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-client-store-private.h"

/* The store's SQLite plumbing: errors, transactions, cached statements. */

void
_sotto_client_store_release_statement (sqlite3_stmt *stmt)
{
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

/* For the few statements that are prepared, used once and finalized. */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

/* Errors */

static SottoClientStoreError
error_code_from_sqlite (int rc)
{
  switch (rc & 0xff)
    {
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return SOTTO_CLIENT_STORE_ERROR_OPEN;

    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_FORMAT:
      return SOTTO_CLIENT_STORE_ERROR_CORRUPT;

    case SQLITE_IOERR:
    case SQLITE_PROTOCOL:
      return SOTTO_CLIENT_STORE_ERROR_IO;

    case SQLITE_FULL:
      return SOTTO_CLIENT_STORE_ERROR_FULL;

    case SQLITE_READONLY:
      return SOTTO_CLIENT_STORE_ERROR_READ_ONLY;

    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return SOTTO_CLIENT_STORE_ERROR_BUSY;

    case SQLITE_CONSTRAINT:
      return SOTTO_CLIENT_STORE_ERROR_CONSTRAINT;

    default:
      return SOTTO_CLIENT_STORE_ERROR_FAILED;
    }
}

/* Reports a failed SQLite call as "@what: <SQLite's message>". Must run
 * before anything else touches the connection, which would replace the
 * message. */
void
_sotto_client_store_set_error (SottoClientStore  *self,
                               GError           **error,
                               int                rc,
                               const char        *what)
{
  /* SQLite quotes what it could not parse, bytes of a damaged file
   * included: the message must stay valid UTF-8 for whoever shows it. */
  g_autofree char *detail = g_utf8_make_valid (self->db != NULL ? sqlite3_errmsg (self->db)
                                                                : sqlite3_errstr (rc), -1);

  g_set_error (error, SOTTO_CLIENT_STORE_ERROR, error_code_from_sqlite (rc),
               "%s: %s", what, detail);
}

/* Statements and transactions */

gboolean
_sotto_client_store_exec (SottoClientStore  *self,
                          const char        *sql,
                          const char        *what,
                          GError           **error)
{
  int rc = sqlite3_exec (self->db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    {
      _sotto_client_store_set_error (self, error, rc, what);
      return FALSE;
    }

  return TRUE;
}

/* Rolls back whatever transaction is open, if any. SQLite may already
 * have done it after an I/O error. */
void
_sotto_client_store_rollback (SottoClientStore *self)
{
  if (!sqlite3_get_autocommit (self->db))
    {
      int rc = sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);

      if (rc != SQLITE_OK)
        g_warning ("Could not roll back the client store: %s", sqlite3_errmsg (self->db));
    }
}

gboolean
_sotto_client_store_begin (SottoClientStore  *self,
                           GError           **error)
{
  return _sotto_client_store_exec (self, "BEGIN IMMEDIATE", _("Could not start writing"),
                                   error);
}

gboolean
_sotto_client_store_commit (SottoClientStore  *self,
                            GError           **error)
{
  if (!_sotto_client_store_exec (self, "COMMIT", _("Could not save the changes"), error))
    {
      _sotto_client_store_rollback (self);
      return FALSE;
    }

  return TRUE;
}

/* Prepares statement @id on first use; afterwards
 * _sotto_client_store_statement() finds it in the cache. */
sqlite3_stmt *
_sotto_client_store_prepare (SottoClientStore           *self,
                             SottoClientStoreStatement   id,
                             GError                    **error)
{
  int rc;

  g_assert (id < N_STMTS);

  if (self->db == NULL)
    {
      g_set_error_literal (error, SOTTO_CLIENT_STORE_ERROR, SOTTO_CLIENT_STORE_ERROR_FAILED,
                           _("The store is closed"));
      return NULL;
    }

  rc = sqlite3_prepare_v3 (self->db, _sotto_client_store_statement_sql[id], -1,
                           SQLITE_PREPARE_PERSISTENT, &self->statements[id], NULL);
  if (rc != SQLITE_OK)
    {
      _sotto_client_store_set_error (self, error, rc, _("Could not prepare a database query"));
      return NULL;
    }

  return self->statements[id];
}

gboolean
_sotto_client_store_step_done (SottoClientStore  *self,
                               sqlite3_stmt      *stmt,
                               const char        *what,
                               GError           **error)
{
  int rc = sqlite3_step (stmt);

  if (rc != SQLITE_DONE)
    {
      _sotto_client_store_set_error (self, error, rc, what);
      return FALSE;
    }

  return TRUE;
}

/* Steps a query expected to give at most one row: %TRUE with *found set,
 * the row then readable from @stmt. */
gboolean
_sotto_client_store_step_row (SottoClientStore  *self,
                              sqlite3_stmt      *stmt,
                              gboolean          *found,
                              const char        *what,
                              GError           **error)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_ROW || rc == SQLITE_DONE)
    {
      *found = rc == SQLITE_ROW;
      return TRUE;
    }

  _sotto_client_store_set_error (self, error, rc, what);
  return FALSE;
}

/* Reads the one value of a pragma, or of another one-row query. */
gboolean
_sotto_client_store_read_pragma (SottoClientStore  *self,
                                 const char        *sql,
                                 gint64            *value,
                                 GError           **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);

  if (rc != SQLITE_ROW)
    {
      _sotto_client_store_set_error (self, error, rc, _("Could not read the database header"));
      return FALSE;
    }

  *value = sqlite3_column_int64 (stmt, 0);
  return TRUE;
}
