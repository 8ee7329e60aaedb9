/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "sotto-client-store-private.h"

/* Opening a store: a private file, checked to be ours, brought up to the
 * current schema. */

#define DEFAULT_BUSY_TIMEOUT_MS 1000

/* Refuses a newer schema, and any SQLite database that is not ours. */
static gboolean
store_check_file (SottoClientStore  *self,
                  GError           **error)
{
  gint64 version;
  gint64 application_id;
  gint64 n_objects;

  if (!_sotto_client_store_read_pragma (self, "PRAGMA user_version", &version, error) ||
      !_sotto_client_store_read_pragma (self, "PRAGMA application_id", &application_id, error) ||
      !_sotto_client_store_read_pragma (self, "SELECT count(*) FROM sqlite_schema", &n_objects,
                                        error))
    return FALSE;

  if ((version == 0 && n_objects > 0) ||
      (version > 0 && application_id != SOTTO_CLIENT_STORE_APPLICATION_ID))
    {
      g_set_error_literal (error, SOTTO_CLIENT_STORE_ERROR, SOTTO_CLIENT_STORE_ERROR_OPEN,
                           _("The file is a database, but not one of Sotto"));
      return FALSE;
    }

  /* user_version is a 32-bit signed integer in the file header. */
  if (version > SOTTO_CLIENT_STORE_SCHEMA_VERSION || version < 0)
    {
      g_set_error (error, SOTTO_CLIENT_STORE_ERROR, SOTTO_CLIENT_STORE_ERROR_TOO_NEW,
                   _("The database has schema version %d, but this Sotto knows versions "
                     "up to %d; use a newer Sotto"),
                   (int) version, SOTTO_CLIENT_STORE_SCHEMA_VERSION);
      return FALSE;
    }

  return TRUE;
}

/* Applies the missing _sotto_client_store_migrations, one transaction each. */
static gboolean
store_migrate (SottoClientStore  *self,
               GError           **error)
{
  for (;;)
    {
      g_autofree char *set_version = NULL;
      gint64 version;

      if (!_sotto_client_store_begin (self, error))
        return FALSE;

      if (!_sotto_client_store_read_pragma (self, "PRAGMA user_version", &version, error))
        {
          _sotto_client_store_rollback (self);
          return FALSE;
        }

      if (version >= SOTTO_CLIENT_STORE_SCHEMA_VERSION)
        return _sotto_client_store_commit (self, error);

      if (version > 0)
        g_message ("Updating the client store schema from version %d to %d",
                   (int) version, (int) version + 1);

      set_version = g_strdup_printf ("PRAGMA user_version = %d", (int) version + 1);
      if (!_sotto_client_store_exec (self, _sotto_client_store_migrations[version],
                                     _("Could not update the schema"), error) ||
          !_sotto_client_store_exec (self, set_version, _("Could not update the schema"),
                                     error) ||
          !_sotto_client_store_commit (self, error))
        {
          _sotto_client_store_rollback (self);
          return FALSE;
        }
    }
}

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

      g_set_error (error, SOTTO_CLIENT_STORE_ERROR, SOTTO_CLIENT_STORE_ERROR_OPEN,
                   _("Could not create the folder %s: %s"), dir, g_strerror (saved_errno));
      return FALSE;
    }

  fd = g_open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0)
    return g_close (fd, error);

  if (errno != EEXIST)
    {
      int saved_errno = errno;

      g_set_error (error, SOTTO_CLIENT_STORE_ERROR,
                   saved_errno == EROFS ? SOTTO_CLIENT_STORE_ERROR_READ_ONLY
                                        : SOTTO_CLIENT_STORE_ERROR_OPEN,
                   "%s", g_strerror (saved_errno));
      return FALSE;
    }

  return TRUE;
}

static gboolean
store_setup (SottoClientStore  *self,
             const char        *path,
             GError           **error)
{
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(GError) local_error = NULL;
  int rc;

  if (!create_private_file (path, error))
    return FALSE;

  rc = sqlite3_open_v2 (path, &self->db, SQLITE_OPEN_READWRITE, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error_literal (error, SOTTO_CLIENT_STORE_ERROR, SOTTO_CLIENT_STORE_ERROR_OPEN,
                           self->db != NULL ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc));
      return FALSE;
    }

  sqlite3_extended_result_codes (self->db, 1);
  sqlite3_busy_timeout (self->db, DEFAULT_BUSY_TIMEOUT_MS);

  /* SQLite silently falls back to read-only when it cannot write the file. */
  if (sqlite3_db_readonly (self->db, "main") == 1)
    {
      g_set_error_literal (error, SOTTO_CLIENT_STORE_ERROR, SOTTO_CLIENT_STORE_ERROR_READ_ONLY,
                           _("The file cannot be written"));
      return FALSE;
    }

  /* Exclusive locking is set before the first read, so that WAL mode uses
   * no shared memory and the lock, once taken, stays until close. */
  if (!_sotto_client_store_exec (self, "PRAGMA locking_mode = EXCLUSIVE",
                                 _("Could not configure the database"), error))
    return FALSE;

  /* Checked before anything writes to the file: a newer Sotto's database,
   * another program's, or a file that is not one is left as it was. */
  if (!store_check_file (self, error))
    return FALSE;

  /* synchronous=NORMAL in WAL mode: a commit survives the process being
   * killed but not a power cut. What the server acknowledged is fetched
   * again then, from the last_seq that was lost along with it.
   *
   * secure_delete: forgotten sender keys and history are overwritten, not
   * left in free pages (they are ciphertext, but of keys meant to be gone). */
  if (!_sotto_client_store_exec (self,
                                 "PRAGMA journal_mode = WAL;"
                                 "PRAGMA synchronous = NORMAL;"
                                 "PRAGMA secure_delete = ON;"
                                 "PRAGMA temp_store = MEMORY;",
                                 _("Could not configure the database"), error))
    return FALSE;

  if (!store_migrate (self, error))
    return FALSE;

  sealed = _sotto_client_store_get_local_key (self, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  self->has_local_key = sealed != NULL;

  return TRUE;
}

/**
 * sotto_client_store_open:
 * @path: the database file, created (mode 0600, its folders 0700) if missing
 * @error: return location for a #SOTTO_CLIENT_STORE_ERROR
 *
 * Opens the store, locked, and brings its schema up to date. A file written
 * by a newer Sotto is refused with %SOTTO_CLIENT_STORE_ERROR_TOO_NEW, and a
 * file that is not a database with %SOTTO_CLIENT_STORE_ERROR_CORRUPT; both
 * are left as they were. A store open in another process gives
 * %SOTTO_CLIENT_STORE_ERROR_BUSY.
 *
 * Returns: (transfer full): the store, or %NULL
 */
SottoClientStore *
sotto_client_store_open (const char  *path,
                         GError     **error)
{
  g_autoptr(SottoClientStore) self = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (SOTTO_TYPE_CLIENT_STORE, NULL);

  if (!store_setup (self, path, error))
    {
      g_prefix_error (error, _("Could not open the database %s: "), path);
      return NULL;
    }

  return g_steal_pointer (&self);
}
