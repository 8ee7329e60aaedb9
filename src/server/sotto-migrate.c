/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libpq-fe.h>
#include <sodium.h>
#include <sqlite3.h>
#include <string.h>

#include "sotto-migrate.h"
#include "sotto-pg.h"
#include "sotto-pg-schema.h"
#include "sotto-store.h"

/*
 * Moving a server's SQLite store into PostgreSQL (sotto-server
 * --migrate-to), while the server is stopped. An offline command, so it
 * waits on libpq as it goes. In one PostgreSQL transaction: the schema
 * (sotto-pg-schema.c), then every table copied with COPY, parents first,
 * the id sequences set past every id ever handed out, and then every
 * table read back from both sides in the same order and compared: its
 * row count and a BLAKE2b hash over each value's type and bytes. Only
 * if all of them agree is the transaction committed; otherwise nothing
 * is left in PostgreSQL. The SQLite file is only read.
 */

#define OID_BYTEA 17
#define OID_INT8 20
#define OID_INT2 21
#define OID_INT4 23
#define OID_TEXT 25

typedef struct
{
  gint64                    rows;
  crypto_generichash_state  hash;
} Digest;

static void
digest_init (Digest *digest)
{
  digest->rows = 0;
  crypto_generichash_init (&digest->hash, NULL, 0, crypto_generichash_BYTES);
}

/* One value: its kind, its length and its bytes, so that no two rows of
 * different values hash alike. */
static void
digest_value (Digest       *digest,
              char          kind,
              const guint8 *data,
              gsize         length)
{
  guint64 length_le = GUINT64_TO_LE ((guint64) length);

  crypto_generichash_update (&digest->hash, (const guint8 *) &kind, 1);
  crypto_generichash_update (&digest->hash, (const guint8 *) &length_le, sizeof length_le);
  if (length > 0)
    crypto_generichash_update (&digest->hash, data, length);
}

static char *
digest_finish (Digest *digest)
{
  guint8 out[crypto_generichash_BYTES];
  char hex[crypto_generichash_BYTES * 2 + 1];

  crypto_generichash_final (&digest->hash, out, sizeof out);
  sodium_bin2hex (hex, sizeof hex, out, sizeof out);
  return g_strdup (hex);
}

static gboolean
pg_failed (PGconn      *conn,
           PGresult    *result,
           const char  *what,
           GError     **error)
{
  g_autofree char *message = g_strchomp (g_strdup (result != NULL
                                                   ? PQresultErrorMessage (result)
                                                   : PQerrorMessage (conn)));

  g_set_error (error, SOTTO_PG_ERROR, SOTTO_PG_ERROR_QUERY, "%s: %s", what, message);
  g_clear_pointer (&result, PQclear);
  return FALSE;
}

static gboolean
pg_exec (PGconn      *conn,
         const char  *sql,
         GError     **error)
{
  PGresult *result = PQexec (conn, sql);
  ExecStatusType status = PQresultStatus (result);

  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
    return pg_failed (conn, result, sql, error);
  PQclear (result);
  return TRUE;
}

static gboolean
sqlite_failed (sqlite3     *db,
               const char  *what,
               GError     **error)
{
  g_set_error (error, SOTTO_STORE_ERROR, SOTTO_STORE_ERROR_FAILED, "%s: %s", what,
               sqlite3_errmsg (db));
  return FALSE;
}

/* A value as COPY's text format writes it. */
static void
copy_value (GString      *line,
            sqlite3_stmt *stmt,
            int           column)
{
  switch (sqlite3_column_type (stmt, column))
    {
    case SQLITE_NULL:
      g_string_append (line, "\\N");
      break;
    case SQLITE_INTEGER:
      g_string_append_printf (line, "%" G_GINT64_FORMAT, (gint64) sqlite3_column_int64 (stmt, column));
      break;
    case SQLITE_BLOB:
      {
        const guint8 *data = sqlite3_column_blob (stmt, column);
        int length = sqlite3_column_bytes (stmt, column);

        g_string_append (line, "\\\\x");
        for (int i = 0; i < length; i++)
          g_string_append_printf (line, "%02x", data[i]);
      }
      break;
    default:
      {
        const char *text = (const char *) sqlite3_column_text (stmt, column);

        for (const char *p = text; p != NULL && *p != '\0'; p++)
          switch (*p)
            {
            case '\\': g_string_append (line, "\\\\"); break;
            case '\t': g_string_append (line, "\\t"); break;
            case '\n': g_string_append (line, "\\n"); break;
            case '\r': g_string_append (line, "\\r"); break;
            default: g_string_append_c (line, *p); break;
            }
      }
      break;
    }
}

/* A value of SQLite, into @digest. */
static void
digest_sqlite (Digest       *digest,
               sqlite3_stmt *stmt,
               int           column)
{
  switch (sqlite3_column_type (stmt, column))
    {
    case SQLITE_NULL:
      digest_value (digest, 'N', NULL, 0);
      break;
    case SQLITE_INTEGER:
      {
        g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT,
                                                 (gint64) sqlite3_column_int64 (stmt, column));

        digest_value (digest, 'I', (const guint8 *) text, strlen (text));
      }
      break;
    case SQLITE_BLOB:
      digest_value (digest, 'B', sqlite3_column_blob (stmt, column),
                    (gsize) sqlite3_column_bytes (stmt, column));
      break;
    case SQLITE_TEXT:
      digest_value (digest, 'T', sqlite3_column_text (stmt, column),
                    (gsize) sqlite3_column_bytes (stmt, column));
      break;
    default:
      /* No column of the store holds a real: one would differ. */
      digest_value (digest, 'F', NULL, 0);
      break;
    }
}

/* A value of PostgreSQL (text format), into @digest. */
static gboolean
digest_pg (Digest          *digest,
           const PGresult  *result,
           int              row,
           int              column,
           GError         **error)
{
  const char *value = PQgetvalue (result, row, column);

  if (PQgetisnull (result, row, column))
    {
      digest_value (digest, 'N', NULL, 0);
      return TRUE;
    }
  switch (PQftype (result, column))
    {
    case OID_INT2:
    case OID_INT4:
    case OID_INT8:
      digest_value (digest, 'I', (const guint8 *) value, strlen (value));
      return TRUE;
    case OID_TEXT:
      digest_value (digest, 'T', (const guint8 *) value, strlen (value));
      return TRUE;
    case OID_BYTEA:
      {
        size_t length = 0;
        guint8 *bytes = PQunescapeBytea ((const guint8 *) value, &length);

        if (bytes == NULL)
          break;
        digest_value (digest, 'B', bytes, length);
        PQfreemem (bytes);
        return TRUE;
      }
    default:
      break;
    }
  g_set_error (error, SOTTO_PG_ERROR, SOTTO_PG_ERROR_QUERY,
               _("Column %s of PostgreSQL has a type the copy does not compare"),
               PQfname (result, column));
  return FALSE;
}

/* Copies one table, and digests what SQLite holds of it. */
static gboolean
copy_table (sqlite3             *db,
            PGconn              *conn,
            const SottoPgTable  *table,
            Digest              *digest,
            GError             **error)
{
  g_autofree char *select = g_strdup_printf ("SELECT %s FROM %s ORDER BY %s",
                                             table->sqlite_columns != NULL
                                             ? table->sqlite_columns : table->columns,
                                             table->name, table->sqlite_order);
  g_autofree char *copy = g_strdup_printf ("COPY %s (%s) FROM STDIN", table->name,
                                           table->columns);
  g_autoptr(GString) line = g_string_new (NULL);
  sqlite3_stmt *stmt = NULL;
  PGresult *result;
  int rc;

  if (sqlite3_prepare_v2 (db, select, -1, &stmt, NULL) != SQLITE_OK)
    return sqlite_failed (db, select, error);
  result = PQexec (conn, copy);
  if (PQresultStatus (result) != PGRES_COPY_IN)
    {
      sqlite3_finalize (stmt);
      return pg_failed (conn, result, copy, error);
    }
  PQclear (result);

  digest_init (digest);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      int columns = sqlite3_column_count (stmt);

      g_string_truncate (line, 0);
      for (int i = 0; i < columns; i++)
        {
          if (i > 0)
            g_string_append_c (line, '\t');
          copy_value (line, stmt, i);
          digest_sqlite (digest, stmt, i);
        }
      g_string_append_c (line, '\n');
      digest->rows++;
      if (PQputCopyData (conn, line->str, (int) line->len) != 1)
        {
          sqlite3_finalize (stmt);
          PQputCopyEnd (conn, "failed");
          return pg_failed (conn, NULL, copy, error);
        }
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      PQputCopyEnd (conn, "failed");
      while ((result = PQgetResult (conn)) != NULL)
        PQclear (result);
      return sqlite_failed (db, select, error);
    }
  if (PQputCopyEnd (conn, NULL) != 1)
    return pg_failed (conn, NULL, copy, error);
  while ((result = PQgetResult (conn)) != NULL)
    {
      if (PQresultStatus (result) != PGRES_COMMAND_OK)
        {
          while (PQgetResult (conn) != NULL)
            ;
          return pg_failed (conn, result, copy, error);
        }
      PQclear (result);
    }
  return TRUE;
}

/* Reads one table back from PostgreSQL into @digest, in chunks. */
static gboolean
digest_pg_table (PGconn              *conn,
                 const SottoPgTable  *table,
                 Digest              *digest,
                 GError             **error)
{
  g_autofree char *declare = g_strdup_printf ("DECLARE copied NO SCROLL CURSOR FOR "
                                              "SELECT %s FROM %s ORDER BY %s",
                                              table->columns, table->name, table->pg_order);

  digest_init (digest);
  if (!pg_exec (conn, declare, error))
    return FALSE;
  for (;;)
    {
      PGresult *result = PQexec (conn, "FETCH 1000 FROM copied");
      int rows;

      if (PQresultStatus (result) != PGRES_TUPLES_OK)
        return pg_failed (conn, result, "FETCH", error);
      rows = PQntuples (result);
      for (int row = 0; row < rows; row++)
        {
          for (int column = 0; column < PQnfields (result); column++)
            if (!digest_pg (digest, result, row, column, error))
              {
                PQclear (result);
                return FALSE;
              }
          digest->rows++;
        }
      PQclear (result);
      if (rows == 0)
        break;
    }
  return pg_exec (conn, "CLOSE copied", error);
}

/* Each id sequence past the largest id, and past SQLite's own counter
 * where AUTOINCREMENT kept one, so that no id is handed out twice. */
static gboolean
set_sequences (sqlite3  *db,
               PGconn   *conn,
               GError  **error)
{
  guint n_serials;
  const SottoPgSerial *serials = sotto_pg_schema_serials (&n_serials);

  for (guint i = 0; i < n_serials; i++)
    {
      g_autofree char *max_sql = g_strdup_printf ("SELECT coalesce (max (%s), 0) FROM %s",
                                                  serials[i].column, serials[i].table);
      g_autofree char *set_sql = NULL;
      gint64 top = 0;
      PGresult *result = PQexec (conn, max_sql);

      if (PQresultStatus (result) != PGRES_TUPLES_OK)
        return pg_failed (conn, result, max_sql, error);
      top = g_ascii_strtoll (PQgetvalue (result, 0, 0), NULL, 10);
      PQclear (result);

      if (serials[i].sqlite_sequence != NULL)
        {
          sqlite3_stmt *stmt = NULL;

          if (sqlite3_prepare_v2 (db, "SELECT seq FROM sqlite_sequence WHERE name = ?1", -1,
                                  &stmt, NULL) != SQLITE_OK)
            return sqlite_failed (db, "sqlite_sequence", error);
          sqlite3_bind_text (stmt, 1, serials[i].sqlite_sequence, -1, SQLITE_STATIC);
          if (sqlite3_step (stmt) == SQLITE_ROW)
            top = MAX (top, sqlite3_column_int64 (stmt, 0));
          sqlite3_finalize (stmt);
        }
      if (top == 0)
        continue;
      set_sql = g_strdup_printf ("SELECT setval (pg_get_serial_sequence ('%s', '%s'), %"
                                 G_GINT64_FORMAT ")", serials[i].table, serials[i].column, top);
      if (!pg_exec (conn, set_sql, error))
        return FALSE;
    }
  return TRUE;
}

/* Whether PostgreSQL already holds any table of ours. */
static gboolean
check_empty (PGconn  *conn,
             GError **error)
{
  PGresult *result = PQexec (conn,
                             "SELECT count (*) FROM information_schema.tables "
                             "WHERE table_schema = current_schema () AND table_name IN "
                             "('sotto_schema', 'accounts', 'rooms', 'room_log')");
  gboolean empty;

  if (PQresultStatus (result) != PGRES_TUPLES_OK)
    return pg_failed (conn, result, "information_schema", error);
  empty = g_str_equal (PQgetvalue (result, 0, 0), "0");
  PQclear (result);
  if (!empty)
    g_set_error_literal (error, SOTTO_PG_ERROR, SOTTO_PG_ERROR_CONFIG,
                         _("The PostgreSQL database already holds a Sotto store; give an empty "
                           "one"));
  return empty;
}

static gboolean
migrate (sqlite3     *db,
         PGconn      *conn,
         GString     *report,
         GError     **error)
{
  guint n_migrations, n_tables;
  const char * const *migrations = sotto_pg_schema_migrations (&n_migrations);
  const SottoPgTable *tables = sotto_pg_schema_tables (&n_tables);
  g_autofree Digest *copied = g_new0 (Digest, n_tables);
  g_autofree char *version = g_strdup_printf ("INSERT INTO sotto_schema (version) VALUES (%u)",
                                              n_migrations);

  if (!check_empty (conn, error) ||
      !pg_exec (conn, "BEGIN", error) ||
      !pg_exec (conn, "CREATE TABLE sotto_schema (version integer NOT NULL)", error) ||
      !pg_exec (conn, version, error))
    return FALSE;
  for (guint i = 0; i < n_migrations; i++)
    if (!pg_exec (conn, migrations[i], error))
      return FALSE;

  for (guint i = 0; i < n_tables; i++)
    if (!copy_table (db, conn, &tables[i], &copied[i], error))
      return FALSE;
  if (!set_sequences (db, conn, error))
    return FALSE;

  for (guint i = 0; i < n_tables; i++)
    {
      Digest read_back;
      g_autofree char *sqlite_hash = digest_finish (&copied[i]);
      g_autofree char *pg_hash = NULL;
      g_autofree char *copied_rows = g_strdup_printf ("%" G_GINT64_FORMAT, copied[i].rows);
      g_autofree char *read_rows = NULL;

      if (!digest_pg_table (conn, &tables[i], &read_back, error))
        return FALSE;
      pg_hash = digest_finish (&read_back);
      read_rows = g_strdup_printf ("%" G_GINT64_FORMAT, read_back.rows);

      if (read_back.rows != copied[i].rows || !g_str_equal (sqlite_hash, pg_hash))
        {
          /* Translators: a table's name, then its rows and the start of
           * its hash in SQLite, then the same in PostgreSQL */
          g_set_error (error, SOTTO_PG_ERROR, SOTTO_PG_ERROR_QUERY,
                       _("%s differs after the copy: %s rows (BLAKE2b %.16s) in SQLite, %s "
                         "(BLAKE2b %.16s) in PostgreSQL"),
                       tables[i].name, copied_rows, sqlite_hash, read_rows, pg_hash);
          return FALSE;
        }
      /* Translators: a table's name, its rows, the start of its hash */
      g_string_append_printf (report, _("%-24s %8s rows, BLAKE2b %.16s… the same in both\n"),
                              tables[i].name, copied_rows, pg_hash);
    }
  return pg_exec (conn, "COMMIT", error);
}

/**
 * sotto_migrate_to_postgres:
 * @db_path: the server's SQLite store, not in use
 * @conninfo: an empty PostgreSQL database
 * @report: what was copied and compared, a line per table
 *
 * Copies the store into PostgreSQL and checks the copy; nothing is left
 * in PostgreSQL when anything fails.
 */
gboolean
sotto_migrate_to_postgres (const char  *db_path,
                           const char  *conninfo,
                           GString     *report,
                           GError     **error)
{
  g_autoptr(SottoStore) store = NULL;
  sqlite3 *db = NULL;
  PGconn *conn = NULL;
  gboolean ok;

  g_return_val_if_fail (db_path != NULL, FALSE);
  g_return_val_if_fail (conninfo != NULL, FALSE);

  if (!sotto_pg_check_conninfo (conninfo, error))
    return FALSE;
  if (!g_file_test (db_path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, SOTTO_STORE_ERROR, SOTTO_STORE_ERROR_OPEN,
                   _("There is no store at %s"), db_path);
      return FALSE;
    }
  /* Brought up to date first, as the server itself would. */
  store = sotto_store_open (db_path, error);
  if (store == NULL)
    return FALSE;
  g_clear_object (&store);

  if (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
    {
      sqlite_failed (db, db_path, error);
      sqlite3_close (db);
      return FALSE;
    }
  conn = PQconnectdb (conninfo);
  if (PQstatus (conn) != CONNECTION_OK)
    {
      g_autofree char *message = g_strchomp (g_strdup (PQerrorMessage (conn)));

      g_set_error (error, SOTTO_PG_ERROR, SOTTO_PG_ERROR_UNAVAILABLE,
                   _("Could not connect to PostgreSQL: %s"), message);
      ok = FALSE;
    }
  else
    {
      /* One snapshot of SQLite for the copy and its check. */
      ok = sqlite3_exec (db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK
           ? migrate (db, conn, report, error)
           : sqlite_failed (db, "BEGIN", error);
      sqlite3_exec (db, "COMMIT", NULL, NULL, NULL);
    }
  PQfinish (conn);
  sqlite3_close (db);
  return ok;
}
