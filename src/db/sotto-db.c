/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "sotto-db-private.h"

/*
 * The SQLite layer the server's and the client's stores share: opening a
 * file with the PRAGMAs and checks each store asks for, the migration
 * runner, the statement cache and the helpers that map SQLite's results to
 * one error domain. A store owns one SottoDb and keeps only its schema,
 * its statements and its queries.
 *
 * A SottoDb is used from one thread at a time, in practice the main
 * thread: workers (password hashing) touch only their task data.
 *
 * This file holds the helpers used on an open database; opening, the
 * checks of the file and the migrations are in sotto-db-open.c.
 */

G_DEFINE_QUARK (sotto-db-error-quark, sotto_db_error)

static SottoDbError
error_code_from_sqlite (int rc)
{
  switch (rc & 0xff)
    {
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return SOTTO_DB_ERROR_OPEN;

    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_FORMAT:
      return SOTTO_DB_ERROR_CORRUPT;

    case SQLITE_IOERR:
    case SQLITE_PROTOCOL:
      return SOTTO_DB_ERROR_IO;

    case SQLITE_FULL:
      return SOTTO_DB_ERROR_FULL;

    case SQLITE_READONLY:
      return SOTTO_DB_ERROR_READ_ONLY;

    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return SOTTO_DB_ERROR_BUSY;

    case SQLITE_CONSTRAINT:
      return SOTTO_DB_ERROR_CONSTRAINT;

    default:
      return SOTTO_DB_ERROR_FAILED;
    }
}

/**
 * sotto_db_set_error:
 * @rc: what the SQLite call returned
 * @what: what failed, in the user's words
 *
 * Reports a failed SQLite call as "@what: <SQLite's message>". Must run
 * before anything else touches the connection, which would replace the
 * message.
 */
void
sotto_db_set_error (SottoDb     *self,
                    GError     **error,
                    int          rc,
                    const char  *what)
{
  SottoDbError code = error_code_from_sqlite (rc);
  /* SQLite quotes what it could not parse, bytes of a damaged file
   * included: the message must stay valid UTF-8 for whoever shows it. */
  g_autofree char *detail = g_utf8_make_valid (self->handle != NULL ? sqlite3_errmsg (self->handle)
                                                                    : sqlite3_errstr (rc), -1);

  if (self->error_func != NULL)
    self->error_func (self, code, detail, self->error_data);

  g_set_error (error, SOTTO_DB_ERROR, code, "%s: %s", what, detail);
}

/**
 * sotto_db_set_error_func:
 * @func: (nullable): called on every failure sotto_db_set_error() reports
 *
 * Lets the owner see failures as they happen, e.g. to notice that SQLite
 * rolled back a transaction the owner keeps open across calls.
 */
void
sotto_db_set_error_func (SottoDb          *self,
                         SottoDbErrorFunc  func,
                         gpointer          user_data)
{
  g_return_if_fail (self != NULL);

  self->error_func = func;
  self->error_data = user_data;
}

gboolean
sotto_db_exec (SottoDb     *self,
               const char  *sql,
               const char  *what,
               GError     **error)
{
  int rc = sqlite3_exec (self->handle, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    {
      sotto_db_set_error (self, error, rc, what);
      return FALSE;
    }

  return TRUE;
}

/**
 * sotto_db_query_int64:
 * @sql: a query whose first row starts with an integer, e.g. a PRAGMA
 *
 * Prepares, steps and finalizes @sql, for the few queries run once.
 */
gboolean
sotto_db_query_int64 (SottoDb     *self,
                      const char  *sql,
                      gint64      *value,
                      const char  *what,
                      GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (self->handle, sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);

  if (rc != SQLITE_ROW)
    {
      sotto_db_set_error (self, error, rc, what);
      return FALSE;
    }

  *value = sqlite3_column_int64 (stmt, 0);
  return TRUE;
}

/* SQLite ends a transaction by itself after some errors: what this side
 * counts as open follows. */
static void
db_sync_depth (SottoDb *self)
{
  if (self->depth > 0 && sqlite3_get_autocommit (self->handle))
    self->depth = 0;
}

/**
 * sotto_db_begin:
 *
 * Opens a transaction. IMMEDIATE takes the write lock now, so another
 * process makes this call fail, not the commit of what follows. Inside an
 * open transaction it opens a savepoint instead: a write that does its
 * own begin and commit can be part of a larger one, whole or not at all.
 */
gboolean
sotto_db_begin (SottoDb  *self,
                GError  **error)
{
  g_autofree char *savepoint = NULL;

  db_sync_depth (self);
  if (self->depth == 0)
    {
      if (!sotto_db_exec (self, "BEGIN IMMEDIATE", _("Could not start writing"), error))
        return FALSE;
    }
  else
    {
      savepoint = g_strdup_printf ("SAVEPOINT sotto_%u", self->depth);
      if (!sotto_db_exec (self, savepoint, _("Could not start writing"), error))
        return FALSE;
    }

  self->depth++;
  return TRUE;
}

/**
 * sotto_db_commit:
 *
 * Commits the open transaction, or keeps the changes of the innermost
 * savepoint in the one around it. A COMMIT that fails, for example on a
 * busy lock, leaves the transaction open: it is rolled back then, so the
 * next write starts afresh.
 */
gboolean
sotto_db_commit (SottoDb  *self,
                 GError  **error)
{
  g_autofree char *release = NULL;

  db_sync_depth (self);
  if (self->depth > 1)
    {
      release = g_strdup_printf ("RELEASE sotto_%u", self->depth - 1);
      if (!sotto_db_exec (self, release, _("Could not save the changes"), error))
        {
          sotto_db_rollback (self);
          return FALSE;
        }
      self->depth--;
      return TRUE;
    }

  self->depth = 0;
  if (!sotto_db_exec (self, "COMMIT", _("Could not save the changes"), error))
    {
      sotto_db_rollback (self);
      return FALSE;
    }

  return TRUE;
}

/**
 * sotto_db_rollback:
 *
 * Rolls back the innermost savepoint, or the whole transaction, if any.
 * SQLite may already have done it after an I/O error.
 */
void
sotto_db_rollback (SottoDb *self)
{
  g_autofree char *undo = NULL;
  int rc;

  db_sync_depth (self);
  if (sqlite3_get_autocommit (self->handle))
    return;

  if (self->depth > 1)
    {
      self->depth--;
      undo = g_strdup_printf ("ROLLBACK TO sotto_%u; RELEASE sotto_%u", self->depth,
                              self->depth);
    }
  else
    self->depth = 0;

  rc = sqlite3_exec (self->handle, undo != NULL ? undo : "ROLLBACK", NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    g_warning ("Could not roll back the %s: %s",
               self->schema->label, sqlite3_errmsg (self->handle));
}

/**
 * sotto_db_in_transaction:
 *
 * Returns: whether a transaction is open; %FALSE right after SQLite
 *   rolled one back by itself
 */
gboolean
sotto_db_in_transaction (SottoDb *self)
{
  return !sqlite3_get_autocommit (self->handle);
}

/**
 * sotto_db_statement:
 * @id: an index into the schema's statements
 *
 * Prepares the statement on first use; afterwards the same one is reused.
 * Borrow it with g_auto(SottoDbStatement).
 *
 * Returns: (transfer none): the statement, or %NULL
 */
sqlite3_stmt *
sotto_db_statement (SottoDb  *self,
                    guint     id,
                    GError  **error)
{
  g_assert (id < self->schema->n_statements);

  if (G_UNLIKELY (self->statements[id] == NULL))
    {
      int rc = sqlite3_prepare_v3 (self->handle, self->schema->statements[id], -1,
                                   SQLITE_PREPARE_PERSISTENT, &self->statements[id], NULL);

      if (rc != SQLITE_OK)
        {
          sotto_db_set_error (self, error, rc, _("Could not prepare a database query"));
          return NULL;
        }
    }

  return self->statements[id];
}

gboolean
sotto_db_step_done (SottoDb       *self,
                    sqlite3_stmt  *stmt,
                    const char    *what,
                    GError       **error)
{
  int rc = sqlite3_step (stmt);

  if (rc != SQLITE_DONE)
    {
      sotto_db_set_error (self, error, rc, what);
      return FALSE;
    }

  return TRUE;
}

/**
 * sotto_db_step_row:
 * @found: (out): whether there was a row, then readable from @stmt
 *
 * Steps a query expected to give at most one row.
 */
gboolean
sotto_db_step_row (SottoDb       *self,
                   sqlite3_stmt  *stmt,
                   gboolean      *found,
                   const char    *what,
                   GError       **error)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_ROW || rc == SQLITE_DONE)
    {
      *found = rc == SQLITE_ROW;
      return TRUE;
    }

  sotto_db_set_error (self, error, rc, what);
  return FALSE;
}

/**
 * sotto_db_step_int64:
 *
 * Steps a query that returns one integer; no row is
 * %SOTTO_DB_ERROR_NOT_FOUND.
 */
gboolean
sotto_db_step_int64 (SottoDb       *self,
                     sqlite3_stmt  *stmt,
                     gint64        *value,
                     const char    *what,
                     GError       **error)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_ROW)
    {
      *value = sqlite3_column_int64 (stmt, 0);
      return TRUE;
    }

  if (rc == SQLITE_DONE)
    g_set_error (error, SOTTO_DB_ERROR, SOTTO_DB_ERROR_NOT_FOUND,
                 "%s: %s", what, _("no such row"));
  else
    sotto_db_set_error (self, error, rc, what);

  return FALSE;
}

/**
 * sotto_db_collect_strings:
 *
 * Steps a query whose rows hold one text column.
 *
 * Returns: (transfer full) (element-type utf8): the strings, or %NULL
 */
GPtrArray *
sotto_db_collect_strings (SottoDb       *self,
                          sqlite3_stmt  *stmt,
                          const char    *what,
                          GError       **error)
{
  g_autoptr(GPtrArray) strings = g_ptr_array_new_with_free_func (g_free);
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (strings, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));

  if (rc != SQLITE_DONE)
    {
      sotto_db_set_error (self, error, rc, what);
      return NULL;
    }

  return g_steal_pointer (&strings);
}

/* The rows the last INSERT, UPDATE or DELETE changed. */
gint64
sotto_db_changes (SottoDb *self)
{
  return sqlite3_changes64 (self->handle);
}

gint64
sotto_db_last_insert_rowid (SottoDb *self)
{
  return sqlite3_last_insert_rowid (self->handle);
}

/**
 * sotto_db_column_blob:
 * @size: (out): the blob's size
 *
 * Returns: the column's bytes; never %NULL, so that libsodium and memcpy
 *   get a valid pointer even for zero bytes
 */
const guint8 *
sotto_db_column_blob (sqlite3_stmt *stmt,
                      int           column,
                      gsize        *size)
{
  const guint8 *data = sqlite3_column_blob (stmt, column);

  *size = (gsize) sqlite3_column_bytes (stmt, column);

  return data != NULL ? data : (const guint8 *) "";
}

/**
 * sotto_db_column_bytes:
 *
 * Returns: (nullable): the column's bytes; a NULL column comes back as
 *   %NULL, never as an empty #GBytes
 */
GBytes *
sotto_db_column_bytes (sqlite3_stmt *stmt,
                       int           column)
{
  const void *data;

  if (sqlite3_column_type (stmt, column) == SQLITE_NULL)
    return NULL;

  data = sqlite3_column_blob (stmt, column);
  return g_bytes_new (data, sqlite3_column_bytes (stmt, column));
}

/**
 * sotto_db_column_copy_blob:
 *
 * Returns: %TRUE if the column held exactly @size bytes, now in @out
 */
gboolean
sotto_db_column_copy_blob (sqlite3_stmt *stmt,
                           int           column,
                           guint8       *out,
                           gsize         size)
{
  const void *data = sqlite3_column_blob (stmt, column);

  if (data == NULL || (gsize) sqlite3_column_bytes (stmt, column) != size)
    return FALSE;

  memcpy (out, data, size);
  return TRUE;
}

/**
 * sotto_db_set_busy_timeout:
 * @milliseconds: how long a call waits for another process's lock
 *
 * Past it, the call fails with %SOTTO_DB_ERROR_BUSY. One second by default.
 */
void
sotto_db_set_busy_timeout (SottoDb *self,
                           guint    milliseconds)
{
  g_return_if_fail (self != NULL);

  sqlite3_busy_timeout (self->handle, (int) MIN (milliseconds, G_MAXINT));
}

/**
 * sotto_db_get_handle:
 *
 * Returns: (transfer none): the connection, for what the helpers here do
 *   not cover
 */
sqlite3 *
sotto_db_get_handle (SottoDb *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->handle;
}
