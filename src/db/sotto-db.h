/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <gio/gio.h>
#include <sqlite3.h>

G_BEGIN_DECLS

#define SOTTO_DB_ERROR (sotto_db_error_quark ())

/**
 * SottoDbError:
 * @SOTTO_DB_ERROR_FAILED: any other failure (out of memory, misuse, a
 *   closed database)
 * @SOTTO_DB_ERROR_OPEN: the database file could not be opened or created,
 *   or is a database of another program
 * @SOTTO_DB_ERROR_CORRUPT: the file is not a database, or is damaged
 * @SOTTO_DB_ERROR_TOO_NEW: the file was written by a newer Sotto
 * @SOTTO_DB_ERROR_IO: reading or writing the file failed
 * @SOTTO_DB_ERROR_FULL: the disk is full
 * @SOTTO_DB_ERROR_READ_ONLY: the file or its directory cannot be written
 * @SOTTO_DB_ERROR_BUSY: another process holds the database lock
 * @SOTTO_DB_ERROR_CONSTRAINT: a uniqueness or reference rule refused the
 *   change
 * @SOTTO_DB_ERROR_NOT_FOUND: the row a call names does not exist
 * @SOTTO_DB_ERROR_NOT_UNLOCKED: the call needs a key that the owner of the
 *   database keeps locked (encrypted values)
 *
 * Errors of #SottoDb and of the stores built on it; the values are those
 * of the stores' own error enums. Messages include SQLite's own.
 */
typedef enum
{
  SOTTO_DB_ERROR_FAILED,
  SOTTO_DB_ERROR_OPEN,
  SOTTO_DB_ERROR_CORRUPT,
  SOTTO_DB_ERROR_TOO_NEW,
  SOTTO_DB_ERROR_IO,
  SOTTO_DB_ERROR_FULL,
  SOTTO_DB_ERROR_READ_ONLY,
  SOTTO_DB_ERROR_BUSY,
  SOTTO_DB_ERROR_CONSTRAINT,
  SOTTO_DB_ERROR_NOT_FOUND,
  SOTTO_DB_ERROR_NOT_UNLOCKED,
} SottoDbError;

GQuark sotto_db_error_quark (void);

/**
 * SottoDbOpenFlags:
 * @SOTTO_DB_OPEN_NONE: open an existing file
 * @SOTTO_DB_OPEN_CREATE: SQLite creates a missing file (its folder must exist)
 * @SOTTO_DB_OPEN_PRIVATE: a missing file is created with mode 0600 and
 *   its missing folders with 0700, before SQLite opens it
 * @SOTTO_DB_OPEN_EXCLUSIVE: hold SQLite's lock in exclusive mode from the
 *   first read to the close, so no other process can open the file
 *
 * How sotto_db_open() opens a file.
 */
typedef enum
{
  SOTTO_DB_OPEN_NONE      = 0,
  SOTTO_DB_OPEN_CREATE    = 1 << 0,
  SOTTO_DB_OPEN_PRIVATE   = 1 << 1,
  SOTTO_DB_OPEN_EXCLUSIVE = 1 << 2,
} SottoDbOpenFlags;

/**
 * SottoDbTooNewFunc:
 * @version: the schema version of the file
 * @known: the newest version the program knows
 * @error: where to set the #SOTTO_DB_ERROR_TOO_NEW error
 *
 * Words the refusal of a file written by a newer program, in the terms of
 * the program that owns the database.
 */
typedef void (*SottoDbTooNewFunc) (int      version,
                                   int      known,
                                   GError **error);

/**
 * SottoDbSchema:
 * @label: names the database in log lines, e.g. "store"
 * @application_id: the PRAGMA application_id the file has once migrated;
 *   0 when the owner sets none, and then none is checked
 * @pragmas: (nullable): run after the file is checked, before migrating
 * @migrations: (array length=version): each entry moves the schema from
 *   version i to i + 1, in one transaction
 * @version: the schema version the owner writes, the number of @migrations
 * @too_new: words the refusal of a newer file
 * @statements: (array length=n_statements): the SQL of the cached
 *   statements, by the owner's statement id
 * @n_statements: how many there are
 *
 * What a store knows of its own file. Static data, never copied: it must
 * outlive every #SottoDb opened with it.
 */
typedef struct
{
  const char          *label;
  guint32              application_id;
  const char          *pragmas;
  const char * const  *migrations;
  guint                version;
  SottoDbTooNewFunc    too_new;
  const char * const  *statements;
  guint                n_statements;
} SottoDbSchema;

typedef struct _SottoDb SottoDb;

/**
 * SottoDbErrorFunc:
 * @self: the database
 * @code: the error a failed SQLite call was mapped to
 * @detail: SQLite's message, valid UTF-8
 * @user_data: as given to sotto_db_set_error_func()
 *
 * Hears of every failed SQLite call that sotto_db_set_error() reports,
 * before anything else touches the connection; sotto_db_in_transaction()
 * then tells whether SQLite rolled back the open transaction by itself.
 */
typedef void (*SottoDbErrorFunc) (SottoDb      *self,
                                  SottoDbError  code,
                                  const char   *detail,
                                  gpointer      user_data);

SottoDb      *sotto_db_open                (const char           *path,
                                            SottoDbOpenFlags      flags,
                                            const SottoDbSchema  *schema,
                                            GError              **error);
void          sotto_db_close               (SottoDb              *self);

void          sotto_db_set_error_func      (SottoDb              *self,
                                            SottoDbErrorFunc      func,
                                            gpointer              user_data);
void          sotto_db_set_busy_timeout    (SottoDb              *self,
                                            guint                 milliseconds);
sqlite3      *sotto_db_get_handle          (SottoDb              *self);

void          sotto_db_set_error           (SottoDb              *self,
                                            GError              **error,
                                            int                   rc,
                                            const char           *what);

gboolean      sotto_db_exec                (SottoDb              *self,
                                            const char           *sql,
                                            const char           *what,
                                            GError              **error);
gboolean      sotto_db_query_int64         (SottoDb              *self,
                                            const char           *sql,
                                            gint64               *value,
                                            const char           *what,
                                            GError              **error);

gboolean      sotto_db_begin               (SottoDb              *self,
                                            GError              **error);
gboolean      sotto_db_commit              (SottoDb              *self,
                                            GError              **error);
void          sotto_db_rollback            (SottoDb              *self);
gboolean      sotto_db_in_transaction      (SottoDb              *self);

sqlite3_stmt *sotto_db_statement           (SottoDb              *self,
                                            guint                 id,
                                            GError              **error);

gboolean      sotto_db_step_done           (SottoDb              *self,
                                            sqlite3_stmt         *stmt,
                                            const char           *what,
                                            GError              **error);
gboolean      sotto_db_step_row            (SottoDb              *self,
                                            sqlite3_stmt         *stmt,
                                            gboolean             *found,
                                            const char           *what,
                                            GError              **error);
gboolean      sotto_db_step_int64          (SottoDb              *self,
                                            sqlite3_stmt         *stmt,
                                            gint64               *value,
                                            const char           *what,
                                            GError              **error);
GPtrArray    *sotto_db_collect_strings     (SottoDb              *self,
                                            sqlite3_stmt         *stmt,
                                            const char           *what,
                                            GError              **error);

gint64        sotto_db_changes             (SottoDb              *self);
gint64        sotto_db_last_insert_rowid   (SottoDb              *self);

const guint8 *sotto_db_column_blob         (sqlite3_stmt         *stmt,
                                            int                   column,
                                            gsize                *size);
GBytes       *sotto_db_column_bytes        (sqlite3_stmt         *stmt,
                                            int                   column);
gboolean      sotto_db_column_copy_blob    (sqlite3_stmt         *stmt,
                                            int                   column,
                                            guint8               *out,
                                            gsize                 size);

/* SQLite reads a negative LIMIT as none. */
static inline gint64
sotto_db_limit_or_none (guint limit)
{
  return limit > 0 ? (gint64) limit : -1;
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SottoDb, sotto_db_close)

/**
 * SottoDbStatement:
 *
 * A cached statement borrowed for one call: declared
 * g_auto(SottoDbStatement), it is reset and its bindings dropped whichever
 * way the call returns, so SQLITE_STATIC bindings never outlive the
 * caller's data.
 *
 * sqlite3_bind_*() can only fail on a wrong index, which fixed SQL rules
 * out, or on sizes far beyond anything stored; callers need not check
 * their results.
 */
typedef sqlite3_stmt *SottoDbStatement;

static inline void
sotto_db_statement_release (sqlite3_stmt *stmt)
{
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

G_DEFINE_AUTO_CLEANUP_FREE_FUNC (SottoDbStatement, sotto_db_statement_release, NULL)

/* For the few statements that are prepared, used once and finalized. */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

G_END_DECLS
