/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "sotto-db-private.h"

/*
 * Opening a database: the file's creation, the PRAGMAs, the checks that
 * refuse a file the owner cannot read, and the migration runner.
 */

#define DEFAULT_BUSY_TIMEOUT_MS 1000


/* The file is made here, not by SQLite, so that it is private from the
 * start; SQLite gives the -wal file the same mode. */
static gboolean
create_private_file (const char  *path,
                     GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  int fd;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, SOTTO_DB_ERROR, SOTTO_DB_ERROR_OPEN,
                   _("Could not create the folder %s: %s"), dir, g_strerror (saved_errno));
      return FALSE;
    }

  fd = g_open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0)
    return g_close (fd, error);

  if (errno != EEXIST)
    {
      int saved_errno = errno;

      g_set_error (error, SOTTO_DB_ERROR,
                   saved_errno == EROFS ? SOTTO_DB_ERROR_READ_ONLY : SOTTO_DB_ERROR_OPEN,
                   "%s", g_strerror (saved_errno));
      return FALSE;
    }

  return TRUE;
}

static gboolean
db_read_user_version (SottoDb  *self,
                      gint64   *version,
                      GError  **error)
{
  return sotto_db_query_int64 (self, "PRAGMA user_version", version,
                               _("Could not read the schema version"), error);
}

static gboolean
db_check_version (SottoDb  *self,
                  gint64    version,
                  GError  **error)
{
  /* user_version is a 32-bit signed integer in the file header. */
  if (version > self->schema->version || version < 0)
    {
      self->schema->too_new ((int) version, (int) self->schema->version, error);
      g_assert (error == NULL || *error != NULL);
      return FALSE;
    }

  return TRUE;
}

/* Refuses a newer schema and, where the schema has an application id, any
 * SQLite database that is not the owner's. */
static gboolean
db_check_file (SottoDb  *self,
               GError  **error)
{
  gint64 version;

  if (!db_read_user_version (self, &version, error))
    return FALSE;

  if (self->schema->application_id != 0)
    {
      gint64 application_id;
      gint64 n_objects;

      if (!sotto_db_query_int64 (self, "PRAGMA application_id", &application_id,
                                 _("Could not read the database header"), error) ||
          !sotto_db_query_int64 (self, "SELECT count(*) FROM sqlite_schema", &n_objects,
                                 _("Could not read the database header"), error))
        return FALSE;

      if ((version == 0 && n_objects > 0) ||
          (version > 0 && application_id != self->schema->application_id))
        {
          g_set_error_literal (error, SOTTO_DB_ERROR, SOTTO_DB_ERROR_OPEN,
                               _("The file is a database, but not one of Sotto"));
          return FALSE;
        }
    }

  return db_check_version (self, version, error);
}

/* Applies the missing migrations one transaction each. The version is read
 * again under the write lock, in case another process migrated first. A
 * file made now is not said to be updated. */
static gboolean
db_migrate (SottoDb  *self,
            GError  **error)
{
  gboolean made_now = FALSE;

  for (;;)
    {
      g_autofree char *set_version = NULL;
      gint64 version;

      if (!sotto_db_exec (self, "BEGIN IMMEDIATE", _("Could not update the schema"), error))
        return FALSE;

      if (!db_read_user_version (self, &version, error) ||
          !db_check_version (self, version, error))
        {
          sotto_db_rollback (self);
          return FALSE;
        }

      if (version == self->schema->version)
        return sotto_db_exec (self, "COMMIT", _("Could not update the schema"), error);

      if (version == 0)
        made_now = TRUE;
      else if (!made_now)
        g_message ("Updating the %s schema from version %d to %d",
                   self->schema->label, (int) version, (int) version + 1);

      set_version = g_strdup_printf ("PRAGMA user_version = %d", (int) version + 1);
      if (!sotto_db_exec (self, self->schema->migrations[version],
                          _("Could not update the schema"), error) ||
          !sotto_db_exec (self, set_version, _("Could not update the schema"), error) ||
          !sotto_db_exec (self, "COMMIT", _("Could not update the schema"), error))
        {
          sotto_db_rollback (self);
          return FALSE;
        }
    }
}

static gboolean
db_setup (SottoDb           *self,
          const char        *path,
          SottoDbOpenFlags   flags,
          GError           **error)
{
  int open_flags = SQLITE_OPEN_READWRITE;
  int rc;

  if ((flags & SOTTO_DB_OPEN_PRIVATE) != 0 && !create_private_file (path, error))
    return FALSE;

  if ((flags & SOTTO_DB_OPEN_CREATE) != 0)
    open_flags |= SQLITE_OPEN_CREATE;

  rc = sqlite3_open_v2 (path, &self->handle, open_flags, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error_literal (error, SOTTO_DB_ERROR, SOTTO_DB_ERROR_OPEN,
                           self->handle != NULL ? sqlite3_errmsg (self->handle)
                                                : sqlite3_errstr (rc));
      return FALSE;
    }

  sqlite3_extended_result_codes (self->handle, 1);
  sqlite3_busy_timeout (self->handle, DEFAULT_BUSY_TIMEOUT_MS);

  /* SQLite silently falls back to read-only when it cannot write the file. */
  if (sqlite3_db_readonly (self->handle, "main") == 1)
    {
      g_set_error_literal (error, SOTTO_DB_ERROR, SOTTO_DB_ERROR_READ_ONLY,
                           _("The file cannot be written"));
      return FALSE;
    }

  /* Exclusive locking is set before the first read, so that WAL mode uses
   * no shared memory and the lock, once taken, stays until close. */
  if ((flags & SOTTO_DB_OPEN_EXCLUSIVE) != 0 &&
      !sotto_db_exec (self, "PRAGMA locking_mode = EXCLUSIVE",
                      _("Could not configure the database"), error))
    return FALSE;

  /* Checked before anything writes to the file: a newer program's
   * database, another program's, or a file that is not one is left
   * exactly as it was. */
  if (!db_check_file (self, error))
    return FALSE;

  if (self->schema->pragmas != NULL &&
      !sotto_db_exec (self, self->schema->pragmas, _("Could not configure the database"), error))
    return FALSE;

  return db_migrate (self, error);
}

/**
 * sotto_db_open:
 * @path: the database file
 * @flags: how to open it
 * @schema: what the owner knows of the file; kept, not copied
 * @error: return location for a #SOTTO_DB_ERROR
 *
 * Opens @path, checks that it is a database of @schema's owner that is not
 * newer than @schema, runs @schema's PRAGMAs and brings the schema up to
 * date. A file written by a newer program is refused with
 * %SOTTO_DB_ERROR_TOO_NEW and a file that is not a database with
 * %SOTTO_DB_ERROR_CORRUPT; both are left as they were.
 *
 * Returns: (transfer full): the database, or %NULL
 */
SottoDb *
sotto_db_open (const char           *path,
               SottoDbOpenFlags      flags,
               const SottoDbSchema  *schema,
               GError              **error)
{
  g_autoptr(SottoDb) self = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (schema != NULL, NULL);
  g_return_val_if_fail (schema->label != NULL, NULL);
  g_return_val_if_fail (schema->migrations != NULL || schema->version == 0, NULL);
  g_return_val_if_fail (schema->too_new != NULL, NULL);
  g_return_val_if_fail (schema->statements != NULL || schema->n_statements == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_new0 (SottoDb, 1);
  self->schema = schema;
  self->statements = g_new0 (sqlite3_stmt *, MAX (schema->n_statements, 1));

  if (!db_setup (self, path, flags, error))
    return NULL;

  return g_steal_pointer (&self);
}

/**
 * sotto_db_close:
 *
 * Finalizes the cached statements and closes the connection; the last
 * connection to close checkpoints the WAL into the file. Rolls back
 * nothing: the owner ends its transactions first.
 */
void
sotto_db_close (SottoDb *self)
{
  if (self == NULL)
    return;

  for (guint i = 0; i < self->schema->n_statements; i++)
    g_clear_pointer (&self->statements[i], sqlite3_finalize);
  g_free (self->statements);

  /* sqlite3_close() accepts NULL, and a handle that failed to open. */
  if (sqlite3_close (self->handle) != SQLITE_OK)
    g_warning ("Could not close the %s: %s", self->schema->label, sqlite3_errmsg (self->handle));

  g_free (self);
}
