/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <string.h>

#include "sotto-client.h"
#include "sotto-test-postgres.h"
#include "sotto-test-server.h"
#include "sotto-test-users.h"
#include "sotto-test-util.h"

/*
 * sotto-server --migrate-to: a store that real clients filled over a
 * real server (accounts, devices, rooms, messages, the state chains,
 * prekeys, a direct chat) goes into a real PostgreSQL the test starts;
 * every table is there with the same rows, the ids go on past the
 * largest, a database that holds a store already is refused and left
 * alone, and so is a host name.
 */

#define PASSWORD "correct horse battery"

static SottoTestPostgres *postgres;

static int
run_migrate (const char  *data_dir,
             const char  *conninfo,
             char       **out,
             char       **err)
{
  const char *server = g_getenv ("SOTTO_SERVER");
  const char *argv[] = { server, "--data-dir", data_dir, "--migrate-to", conninfo, NULL };
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, out, err,
                               &status, &error));
  g_assert_no_error (error);
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}


static gint64
sqlite_count (sqlite3    *db,
              const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

static void
test_migrate (void)
{
  g_autofree char *data_dir = NULL;
  g_autofree char *users_dir = NULL;
  g_autofree char *conninfo = NULL;
  g_autofree char *address = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  SottoTestServer *server;
  SottoClient *alice;
  SottoClient *bob;
  SottoRoom *team;
  SottoMessage *last = NULL;
  sqlite3 *db = NULL;
  const char *const tables[] = { "accounts", "rooms", "members", "room_log", "room_state",
                                 "devices", "device_lists", "key_queue",
                                 "device_prekey_bundles", "device_one_time_prekeys", NULL };

  if (postgres == NULL)
    {
      g_test_skip ("PostgreSQL cannot run here");
      return;
    }

  /* Real clients fill a real server's store. */
  data_dir = sotto_test_make_data_dir ();
  users_dir = sotto_test_make_data_dir ();
  server = sotto_test_server_start (data_dir, NULL);
  address = g_strdup_printf ("127.0.0.1:%u", sotto_test_server_get_port (server));
  alice = sotto_test_user_new (users_dir, address, "alice", PASSWORD);
  bob = sotto_test_user_new (users_dir, address, "bob", PASSWORD);
  team = sotto_test_user_join (alice, "team");
  sotto_test_user_wait_members (sotto_test_user_join (bob, "team"), 2);
  for (guint i = 0; i < 50; i++)
    {
      g_autofree char *text = g_strdup_printf ("message %u, with a tab\tand a backslash \\", i);

      last = sotto_test_user_say (i % 2 ? alice : bob, i % 2 ? team
                                  : sotto_client_lookup_room (bob, "team"), text);
    }
  sotto_test_user_wait_sent (last);
  sotto_test_user_wait_for_text (team, "bob", "message 48, with a tab\tand a backslash \\");
  sotto_client_close (alice);
  sotto_client_close (bob);
  g_object_unref (alice);
  g_object_unref (bob);
  sotto_test_server_stop (server);
  sotto_test_server_free (server);

  /* Moved, and every table checked. */
  conninfo = sotto_test_postgres_new_database (postgres);
  g_assert_cmpint (run_migrate (data_dir, conninfo, &out, &err), ==, 0);
  g_test_message ("%s", out);
  g_assert_nonnull (strstr (out, "room_log"));
  g_assert_nonnull (strstr (out, "Copied, and checked table by table."));

  db_path = g_build_filename (data_dir, "sotto.db", NULL);
  g_assert_cmpint (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  for (guint i = 0; tables[i] != NULL; i++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT count (*) FROM %s", tables[i]);
      gint64 count = sqlite_count (db, sql);

      g_test_message ("%s: %" G_GINT64_FORMAT " rows", tables[i], count);
      g_assert_cmpint (sotto_test_postgres_value (conninfo, sql), ==, count);
    }
  g_assert_cmpint (sotto_test_postgres_value (conninfo, "SELECT count (*) FROM room_log"), >=, 50);
  g_assert_cmpint (sotto_test_postgres_value (conninfo, "SELECT max (last_seq) FROM rooms"), ==,
                   sqlite_count (db, "SELECT max (last_seq) FROM rooms"));
  /* The bodies byte for byte. */
  g_assert_cmpint (sotto_test_postgres_value (conninfo, "SELECT sum (length (body)) FROM room_log"), ==,
                   sqlite_count (db, "SELECT sum (length (body)) FROM room_log"));
  /* New ids go on past the copied ones. */
  g_assert_cmpint (sotto_test_postgres_value (conninfo, "INSERT INTO accounts (username, password_hash, created) "
                                   "VALUES ('carol', 'x', 0) RETURNING id"), ==,
                   sqlite_count (db, "SELECT max (id) FROM accounts") + 1);
  g_assert_cmpint (sotto_test_postgres_value (conninfo, "SELECT nextval (pg_get_serial_sequence ('key_queue', "
                                   "'kid'))"), >,
                   sqlite_count (db, "SELECT coalesce (max (seq), 0) FROM sqlite_sequence "
                                     "WHERE name = 'key_queue'"));

  /* Twice: refused, and what is there stays. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_migrate (data_dir, conninfo, &out, &err), ==, 1);
  g_assert_nonnull (strstr (err, "already holds a Sotto store"));
  g_assert_nonnull (strstr (err, "Nothing was written to PostgreSQL."));
  g_assert_cmpint (sotto_test_postgres_value (conninfo, "SELECT count (*) FROM accounts WHERE username = 'carol'"),
                   ==, 1);

  /* A host name would block a server's main loop: refused before anything. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_migrate (data_dir, "host=db.example dbname=sotto", &out, &err), ==, 1);
  g_assert_nonnull (strstr (err, "is a name"));

  sqlite3_close (db);
  sotto_test_remove_dir (data_dir);
  sotto_test_remove_dir (users_dir);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *why_not = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  postgres = sotto_test_postgres_start (&why_not);
  if (postgres == NULL)
    g_test_message ("PostgreSQL tests skipped: %s", why_not);

  g_test_add_func ("/sotto/server/migrate/postgresql", test_migrate);
  status = g_test_run ();
  sotto_test_postgres_free (postgres);
  return status;
}
