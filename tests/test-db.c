/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "sotto-db.h"

/* A schema of two versions, and one that knows only the first. */

static const char * const migrations[] = {
  "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, data BLOB);",
  "CREATE TABLE tags (item_id INTEGER NOT NULL REFERENCES items (id), tag TEXT NOT NULL);",
};

/* A second step that fails halfway: its first statement must not stay. */
static const char * const failing_migrations[] = {
  "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, data BLOB);",
  "CREATE TABLE tags (tag TEXT); CREATE TABLE items (x);",
};

static const char * const application_migrations[] = {
  "PRAGMA application_id = 1415934804;"
  "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, data BLOB);",
};

typedef enum
{
  STMT_ADD_ITEM,
  STMT_FIND_ITEM,
  STMT_COUNT_ITEMS,
  STMT_ITEM_NAMES,
  STMT_ECHO,
  N_STMTS
} StatementId;

static const char * const statement_sql[N_STMTS] = {
  [STMT_ADD_ITEM] = "INSERT INTO items (name, data) VALUES (?1, ?2)",
  [STMT_FIND_ITEM] = "SELECT id, data FROM items WHERE name = ?1",
  [STMT_COUNT_ITEMS] = "SELECT count(*) FROM items WHERE name <> ?1",
  [STMT_ITEM_NAMES] = "SELECT name FROM items ORDER BY name",
  [STMT_ECHO] = "SELECT ?1",
};

static void
too_new_error (int      version,
               int      known,
               GError **error)
{
  g_set_error (error, SOTTO_DB_ERROR, SOTTO_DB_ERROR_TOO_NEW,
               "version %d, known up to %d", version, known);
}

#define SCHEMA(migrations_, version_, application_id_)  \
  {                                                     \
    .label = "test database",                           \
    .application_id = (application_id_),                \
    .pragmas = "PRAGMA journal_mode = WAL;"             \
               "PRAGMA foreign_keys = ON;",             \
    .migrations = (migrations_),                        \
    .version = (version_),                              \
    .too_new = too_new_error,                           \
    .statements = statement_sql,                        \
    .n_statements = N_STMTS,                            \
  }

static const SottoDbSchema schema_v1 = SCHEMA (migrations, 1, 0);
static const SottoDbSchema schema_v2 = SCHEMA (migrations, 2, 0);
static const SottoDbSchema schema_failing = SCHEMA (failing_migrations, 2, 0);
static const SottoDbSchema schema_application = SCHEMA (application_migrations, 1, 0x54657354);

/* Fixture: a fresh directory, and a database of schema_v2 in it. */

typedef struct
{
  char    *dir;
  char    *path;
  SottoDb *db;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("sotto-db-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "test.db", NULL);
  fixture->db = sotto_db_open (fixture->path, SOTTO_DB_OPEN_CREATE, &schema_v2, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fixture->db);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_assert_cmpint (g_unlink (child), ==, 0);
    }

  g_assert_cmpint (g_rmdir (path), ==, 0);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_clear_pointer (&fixture->db, sotto_db_close);
  remove_tree (fixture->dir);
  g_free (fixture->path);
  g_free (fixture->dir);
}

static gint64
query_int (SottoDb    *db,
           const char *sql)
{
  g_autoptr(GError) error = NULL;
  gint64 value = -1;

  g_assert_true (sotto_db_query_int64 (db, sql, &value, "test query", &error));
  g_assert_no_error (error);

  return value;
}

static gint64
raw_int (const char *path,
         const char *sql)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  sqlite3 *db = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  g_clear_pointer (&stmt, sqlite3_finalize);
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);

  return value;
}

static void
raw_exec (const char *path,
          const char *sql)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL),
                   ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);
}

static gboolean
add_item (SottoDb     *db,
          const char  *name,
          GError     **error)
{
  g_auto(SottoDbStatement) stmt = sotto_db_statement (db, STMT_ADD_ITEM, error);

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
  sqlite3_bind_null (stmt, 2);

  return sotto_db_step_done (db, stmt, "Could not add the item", error);
}

/* Opening and migrating */

static void
test_open_migrates (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (fixture->dir, "old.db", NULL);
  g_autoptr(SottoDb) db = NULL;

  db = sotto_db_open (path, SOTTO_DB_OPEN_NONE, &schema_v1, &error);
  g_assert_error (error, SOTTO_DB_ERROR, SOTTO_DB_ERROR_OPEN);
  g_assert_null (db);
  g_clear_error (&error);

  db = sotto_db_open (path, SOTTO_DB_OPEN_CREATE, &schema_v1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (query_int (db, "PRAGMA user_version"), ==, 1);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM sqlite_schema WHERE name = 'tags'"), ==, 0);
  g_assert_true (add_item (db, "kept", &error));
  g_assert_no_error (error);
  g_clear_pointer (&db, sotto_db_close);

  /* Opening with a newer schema runs only the missing step. */
  db = sotto_db_open (path, SOTTO_DB_OPEN_NONE, &schema_v2, &error);
  g_assert_no_error (error);
  g_assert_cmpint (query_int (db, "PRAGMA user_version"), ==, 2);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM sqlite_schema WHERE name = 'tags'"), ==, 1);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM items WHERE name = 'kept'"), ==, 1);
  g_assert_cmpint (query_int (db, "SELECT journal_mode = 'wal' FROM pragma_journal_mode"), ==, 1);
  g_assert_cmpint (query_int (db, "PRAGMA foreign_keys"), ==, 1);
  g_assert_cmpint (query_int (db, "PRAGMA application_id"), ==, 0);
}

static void
test_open_too_new (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (fixture->dir, "newer.db", NULL);
  g_autoptr(SottoDb) db = NULL;

  raw_exec (path, "PRAGMA user_version = 3; CREATE TABLE future (x);");

  db = sotto_db_open (path, SOTTO_DB_OPEN_CREATE, &schema_v2, &error);
  g_assert_error (error, SOTTO_DB_ERROR, SOTTO_DB_ERROR_TOO_NEW);
  g_assert_cmpstr (error->message, ==, "version 3, known up to 2");
  g_assert_null (db);

  /* Left as it was: not even switched to WAL. */
  g_assert_cmpint (raw_int (path, "PRAGMA user_version"), ==, 3);
  g_assert_cmpint (raw_int (path, "SELECT count(*) FROM sqlite_schema"), ==, 1);
  g_assert_cmpint (raw_int (path, "SELECT journal_mode = 'delete' FROM pragma_journal_mode"),
                   ==, 1);
}

static void
test_open_not_a_database (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (fixture->dir, "garbage.db", NULL);
  g_autofree char *garbage = g_strnfill (4096, '\xff');
  g_autofree char *after = NULL;
  g_autoptr(SottoDb) db = NULL;
  gsize after_len;

  memcpy (garbage, "not a database", 14);
  g_assert_true (g_file_set_contents (path, garbage, 4096, &error));

  db = sotto_db_open (path, SOTTO_DB_OPEN_CREATE, &schema_v2, &error);
  g_assert_error (error, SOTTO_DB_ERROR, SOTTO_DB_ERROR_CORRUPT);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_assert_null (db);
  g_clear_error (&error);

  g_assert_true (g_file_get_contents (path, &after, &after_len, &error));
  g_assert_cmpmem (after, after_len, garbage, 4096);
}

/* A schema with an application id refuses other programs' databases, and
 * one without checks none. */
static void
test_open_not_ours (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *other = g_build_filename (fixture->dir, "other.db", NULL);
  g_autofree char *ours = g_build_filename (fixture->dir, "ours.db", NULL);
  g_autoptr(SottoDb) db = NULL;

  raw_exec (other, "CREATE TABLE somebody_elses (x);");
  db = sotto_db_open (other, SOTTO_DB_OPEN_NONE, &schema_application, &error);
  g_assert_error (error, SOTTO_DB_ERROR, SOTTO_DB_ERROR_OPEN);
  g_assert_null (db);
  g_clear_error (&error);

  /* The fixture's file is a version 2 database without the id. */
  g_clear_pointer (&fixture->db, sotto_db_close);
  db = sotto_db_open (fixture->path, SOTTO_DB_OPEN_NONE, &schema_application, &error);
  g_assert_error (error, SOTTO_DB_ERROR, SOTTO_DB_ERROR_OPEN);
  g_assert_null (db);
  g_clear_error (&error);

  db = sotto_db_open (ours, SOTTO_DB_OPEN_CREATE, &schema_application, &error);
  g_assert_no_error (error);
  g_assert_cmpint (query_int (db, "PRAGMA application_id"), ==, 0x54657354);
  g_clear_pointer (&db, sotto_db_close);

  db = sotto_db_open (ours, SOTTO_DB_OPEN_NONE, &schema_application, &error);
  g_assert_no_error (error);
}

/* Each step is one transaction: one that fails leaves no trace. */
static void
test_open_failed_migration (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (fixture->dir, "clash.db", NULL);
  g_autoptr(SottoDb) db = NULL;

  db = sotto_db_open (path, SOTTO_DB_OPEN_CREATE, &schema_failing, &error);
  g_assert_error (error, SOTTO_DB_ERROR, SOTTO_DB_ERROR_FAILED);
  g_assert_true (g_str_has_prefix (error->message, "Could not update the schema: "));
  g_assert_null (db);

  g_assert_cmpint (raw_int (path, "PRAGMA user_version"), ==, 1);
  g_assert_cmpint (raw_int (path, "SELECT count(*) FROM sqlite_schema WHERE name = 'tags'"), ==, 0);
}

static void
test_open_private (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = g_build_filename (fixture->dir, "a", "b", NULL);
  g_autofree char *path = g_build_filename (folder, "private.db", NULL);
  g_autoptr(SottoDb) db = NULL;
  GStatBuf st;

  db = sotto_db_open (path, SOTTO_DB_OPEN_PRIVATE, &schema_v2, &error);
  g_assert_no_error (error);
  g_assert_nonnull (db);

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (g_stat (folder, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
}

/* An exclusive database keeps every other connection out until it closes. */
static void
test_open_exclusive (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (fixture->dir, "exclusive.db", NULL);
  g_autoptr(SottoDb) db = NULL;
  g_autoptr(SottoDb) second = NULL;

  db = sotto_db_open (path, SOTTO_DB_OPEN_PRIVATE | SOTTO_DB_OPEN_EXCLUSIVE, &schema_v2, &error);
  g_assert_no_error (error);

  second = sotto_db_open (path, SOTTO_DB_OPEN_PRIVATE | SOTTO_DB_OPEN_EXCLUSIVE, &schema_v2,
                          &error);
  g_assert_error (error, SOTTO_DB_ERROR, SOTTO_DB_ERROR_BUSY);
  g_assert_null (second);
  g_clear_error (&error);

  g_clear_pointer (&db, sotto_db_close);
  second = sotto_db_open (path, SOTTO_DB_OPEN_PRIVATE | SOTTO_DB_OPEN_EXCLUSIVE, &schema_v2,
                          &error);
  g_assert_no_error (error);
}

static void
test_open_read_only (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = g_strconcat ("file:", fixture->path, "?mode=ro", NULL);
  g_autoptr(SottoDb) db = NULL;

  /* As if the file were write-protected; chmod proves nothing as root. */
  db = sotto_db_open (uri, SOTTO_DB_OPEN_NONE, &schema_v2, &error);
  g_assert_error (error, SOTTO_DB_ERROR, SOTTO_DB_ERROR_READ_ONLY);
  g_assert_null (db);
}

/* Statements */

static void
test_statement_cache (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  sqlite3_stmt *add;
  sqlite3_stmt *find;

  add = sotto_db_statement (fixture->db, STMT_ADD_ITEM, &error);
  g_assert_no_error (error);
  g_assert_nonnull (add);
  find = sotto_db_statement (fixture->db, STMT_FIND_ITEM, &error);
  g_assert_no_error (error);
  g_assert_true (find != add);

  /* Prepared once: the same statement comes back every time. */
  g_assert_true (sotto_db_statement (fixture->db, STMT_ADD_ITEM, &error) == add);
  g_assert_true (sotto_db_statement (fixture->db, STMT_FIND_ITEM, &error) == find);
  g_assert_no_error (error);
  g_assert_cmpstr (sqlite3_sql (add), ==, statement_sql[STMT_ADD_ITEM]);
}

static void
test_statement_borrowed (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  sqlite3_stmt *echo;
  gboolean found;

  {
    g_auto(SottoDbStatement) stmt = sotto_db_statement (fixture->db, STMT_ECHO, &error);

    g_assert_nonnull (stmt);
    sqlite3_bind_text (stmt, 1, "bound", -1, SQLITE_STATIC);
    g_assert_true (sotto_db_step_row (fixture->db, stmt, &found, "echo", &error));
    g_assert_true (found);
    g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "bound");
    g_assert_true (sqlite3_stmt_busy (stmt));
    echo = stmt;
  }

  /* Given back reset, with its bindings dropped. */
  g_assert_false (sqlite3_stmt_busy (echo));
  g_assert_true (sotto_db_step_row (fixture->db, echo, &found, "echo", &error));
  g_assert_no_error (error);
  g_assert_true (found);
  g_assert_cmpint (sqlite3_column_type (echo, 0), ==, SQLITE_NULL);
  sotto_db_statement_release (echo);
}

static void
test_statement_steps (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) names = NULL;
  gint64 count = -1;

  g_assert_true (add_item (fixture->db, "b", &error));
  g_assert_true (add_item (fixture->db, "a", &error));
  g_assert_no_error (error);
  g_assert_cmpint (sotto_db_last_insert_rowid (fixture->db), ==, 2);

  {
    g_auto(SottoDbStatement) stmt = sotto_db_statement (fixture->db, STMT_COUNT_ITEMS, &error);

    sqlite3_bind_text (stmt, 1, "a", -1, SQLITE_STATIC);
    g_assert_true (sotto_db_step_int64 (fixture->db, stmt, &count, "count", &error));
    g_assert_no_error (error);
    g_assert_cmpint (count, ==, 1);
  }

  {
    g_auto(SottoDbStatement) stmt = sotto_db_statement (fixture->db, STMT_FIND_ITEM, &error);

    sqlite3_bind_text (stmt, 1, "missing", -1, SQLITE_STATIC);
    g_assert_false (sotto_db_step_int64 (fixture->db, stmt, &count, "Could not find", &error));
    g_assert_error (error, SOTTO_DB_ERROR, SOTTO_DB_ERROR_NOT_FOUND);
    g_assert_true (g_str_has_prefix (error->message, "Could not find: "));
    g_clear_error (&error);
  }

  {
    g_auto(SottoDbStatement) stmt = sotto_db_statement (fixture->db, STMT_FIND_ITEM, &error);
    guint8 out[4];
    gsize size;

    sqlite3_bind_text (stmt, 1, "a", -1, SQLITE_STATIC);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    /* A NULL column is no bytes at all, and never copied. */
    g_assert_null (sotto_db_column_bytes (stmt, 1));
    g_assert_nonnull (sotto_db_column_blob (stmt, 1, &size));
    g_assert_cmpuint (size, ==, 0);
    g_assert_false (sotto_db_column_copy_blob (stmt, 1, out, sizeof out));
  }

  {
    g_auto(SottoDbStatement) stmt = sotto_db_statement (fixture->db, STMT_ITEM_NAMES, &error);

    names = sotto_db_collect_strings (fixture->db, stmt, "names", &error);
    g_assert_no_error (error);
    g_assert_cmpuint (names->len, ==, 2);
    g_assert_cmpstr (g_ptr_array_index (names, 0), ==, "a");
    g_assert_cmpstr (g_ptr_array_index (names, 1), ==, "b");
  }
}

/* Errors */

typedef struct
{
  guint         calls;
  SottoDbError  code;
  char         *detail;
} ErrorSeen;

static void
error_seen_cb (SottoDb      *db,
               SottoDbError  code,
               const char   *detail,
               gpointer      user_data)
{
  ErrorSeen *seen = user_data;

  seen->calls++;
  seen->code = code;
  g_free (seen->detail);
  seen->detail = g_strdup (detail);
}

static void
test_error_constraint (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  ErrorSeen seen = { 0, };

  sotto_db_set_error_func (fixture->db, error_seen_cb, &seen);

  g_assert_true (add_item (fixture->db, "once", &error));
  g_assert_cmpint (sotto_db_changes (fixture->db), ==, 1);
  g_assert_false (add_item (fixture->db, "once", &error));
  g_assert_error (error, SOTTO_DB_ERROR, SOTTO_DB_ERROR_CONSTRAINT);
  g_assert_true (g_str_has_prefix (error->message, "Could not add the item: "));
  g_assert_nonnull (strstr (error->message, "UNIQUE"));

  g_assert_cmpuint (seen.calls, ==, 1);
  g_assert_cmpint (seen.code, ==, SOTTO_DB_ERROR_CONSTRAINT);
  g_assert_nonnull (strstr (error->message, seen.detail));
  g_free (seen.detail);

  sotto_db_set_error_func (fixture->db, NULL, NULL);
}

static void
test_error_read_only (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (sotto_db_exec (fixture->db, "PRAGMA query_only = ON", "query only", &error));
  g_assert_false (add_item (fixture->db, "refused", &error));
  g_assert_error (error, SOTTO_DB_ERROR, SOTTO_DB_ERROR_READ_ONLY);
}

/* SQLite quotes what it could not parse: the message is still valid UTF-8. */
static void
test_error_utf8 (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (sotto_db_exec (fixture->db, "SELECT \xff\xfe garbage", "Could not run", &error));
  g_assert_error (error, SOTTO_DB_ERROR, SOTTO_DB_ERROR_FAILED);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_assert_true (g_str_has_prefix (error->message, "Could not run: "));
}

/* Transactions */

static void
test_transaction_rollback (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (sotto_db_in_transaction (fixture->db));

  g_assert_true (sotto_db_begin (fixture->db, &error));
  g_assert_true (sotto_db_in_transaction (fixture->db));
  g_assert_true (add_item (fixture->db, "undone", &error));
  sotto_db_rollback (fixture->db);
  g_assert_false (sotto_db_in_transaction (fixture->db));
  g_assert_cmpint (query_int (fixture->db, "SELECT count(*) FROM items"), ==, 0);

  /* Rolling back with nothing open does nothing. */
  sotto_db_rollback (fixture->db);

  g_assert_true (sotto_db_begin (fixture->db, &error));
  g_assert_true (add_item (fixture->db, "done", &error));
  g_assert_true (sotto_db_commit (fixture->db, &error));
  g_assert_no_error (error);
  g_assert_false (sotto_db_in_transaction (fixture->db));
  g_assert_cmpint (query_int (fixture->db, "SELECT count(*) FROM items"), ==, 1);

  /* A failed commit leaves no transaction open. */
  g_assert_true (sotto_db_exec (fixture->db, "PRAGMA defer_foreign_keys = ON", "defer", &error));
  g_assert_true (sotto_db_begin (fixture->db, &error));
  g_assert_true (sotto_db_exec (fixture->db, "INSERT INTO tags (item_id, tag) VALUES (99, 'x')",
                                "tag", &error));
  g_assert_false (sotto_db_commit (fixture->db, &error));
  g_assert_error (error, SOTTO_DB_ERROR, SOTTO_DB_ERROR_CONSTRAINT);
  g_assert_false (sotto_db_in_transaction (fixture->db));
  g_assert_cmpint (query_int (fixture->db, "SELECT count(*) FROM tags"), ==, 0);
}

/* A begin inside a transaction is a savepoint: what it rolls back is its
 * own part; what it commits stays only if the whole commits. */
static void
test_transaction_nested (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (sotto_db_begin (fixture->db, &error));
  g_assert_true (add_item (fixture->db, "outer", &error));

  g_assert_true (sotto_db_begin (fixture->db, &error));
  g_assert_true (add_item (fixture->db, "inner, undone", &error));
  sotto_db_rollback (fixture->db);
  g_assert_true (sotto_db_in_transaction (fixture->db));

  g_assert_true (sotto_db_begin (fixture->db, &error));
  g_assert_true (add_item (fixture->db, "inner, kept", &error));
  g_assert_true (sotto_db_commit (fixture->db, &error));
  g_assert_true (sotto_db_in_transaction (fixture->db));
  g_assert_cmpint (query_int (fixture->db, "SELECT count(*) FROM items"), ==, 2);

  g_assert_true (sotto_db_commit (fixture->db, &error));
  g_assert_no_error (error);
  g_assert_false (sotto_db_in_transaction (fixture->db));
  g_assert_cmpint (query_int (fixture->db, "SELECT count(*) FROM items"), ==, 2);

  /* The whole rolled back takes the committed inner part with it. */
  g_assert_true (sotto_db_begin (fixture->db, &error));
  g_assert_true (sotto_db_begin (fixture->db, &error));
  g_assert_true (add_item (fixture->db, "gone with the rest", &error));
  g_assert_true (sotto_db_commit (fixture->db, &error));
  sotto_db_rollback (fixture->db);
  g_assert_false (sotto_db_in_transaction (fixture->db));
  g_assert_cmpint (query_int (fixture->db, "SELECT count(*) FROM items"), ==, 2);

  /* And afterwards a plain transaction is a plain transaction. */
  g_assert_true (sotto_db_begin (fixture->db, &error));
  g_assert_true (add_item (fixture->db, "last", &error));
  g_assert_true (sotto_db_commit (fixture->db, &error));
  g_assert_no_error (error);
  g_assert_cmpint (query_int (fixture->db, "SELECT count(*) FROM items"), ==, 3);
}

int
main (int   argc,
      char *argv[])
{
  /* For the read-only URI; must come before SQLite initializes. */
  g_assert_cmpint (sqlite3_config (SQLITE_CONFIG_URI, 1), ==, SQLITE_OK);

  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/sotto/db/open/migrate", test_open_migrates);
  ADD ("/sotto/db/open/too-new", test_open_too_new);
  ADD ("/sotto/db/open/not-a-database", test_open_not_a_database);
  ADD ("/sotto/db/open/not-ours", test_open_not_ours);
  ADD ("/sotto/db/open/failed-migration", test_open_failed_migration);
  ADD ("/sotto/db/open/private", test_open_private);
  ADD ("/sotto/db/open/exclusive", test_open_exclusive);
  ADD ("/sotto/db/open/read-only", test_open_read_only);
  ADD ("/sotto/db/statement/cache", test_statement_cache);
  ADD ("/sotto/db/statement/borrowed", test_statement_borrowed);
  ADD ("/sotto/db/statement/steps", test_statement_steps);
  ADD ("/sotto/db/error/constraint", test_error_constraint);
  ADD ("/sotto/db/error/read-only", test_error_read_only);
  ADD ("/sotto/db/error/utf8", test_error_utf8);
  ADD ("/sotto/db/transaction/rollback", test_transaction_rollback);
  ADD ("/sotto/db/transaction/nested", test_transaction_nested);

#undef ADD

  return g_test_run ();
}
