/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sotto-test-postgres.h"
#include "sotto-test-server.h"

/* The user that owns the cluster when the test runs as root: initdb and
 * postgres refuse to run as root. */
#define POSTGRES_USER "postgres"
/* Only in the socket's name: the server listens on no TCP port. */
#define PORT "5432"

struct _SottoTestPostgres
{
  char  *bindir;
  char  *dir;
  char  *data;
  char  *conninfo;
  GPid   pid;
  uid_t  uid;
  gid_t  gid;
  guint  databases;
};

/* The newest PostgreSQL installed, where Debian puts it, or where
 * SOTTO_PG_BINDIR says. */
static char *
find_bindir (void)
{
  const char *env = g_getenv ("SOTTO_PG_BINDIR");
  g_autoptr(GDir) dir = NULL;
  const char *name;
  int best = 0;

  if (env != NULL)
    return g_strdup (env);
  dir = g_dir_open ("/usr/lib/postgresql", 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *postgres = g_build_filename ("/usr/lib/postgresql", name, "bin",
                                                    "postgres", NULL);
      int version = atoi (name);

      if (version > best && g_file_test (postgres, G_FILE_TEST_IS_EXECUTABLE))
        best = version;
    }
  if (best == 0)
    return NULL;
  return g_strdup_printf ("/usr/lib/postgresql/%d/bin", best);
}

/* In the child: become the cluster's owner. */
static void
become_owner (gpointer user_data)
{
  SottoTestPostgres *pg = user_data;

  if (pg->uid != 0 && getuid () == 0)
    {
      if (setgid (pg->gid) != 0 || setuid (pg->uid) != 0)
        _exit (126);
    }
}

static gboolean
run_as_owner (SottoTestPostgres  *pg,
              const char * const *argv,
              GError            **error)
{
  g_autofree char *output = NULL;
  int status = 0;

  if (!g_spawn_sync (pg->dir, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, become_owner,
                     pg, &output, NULL, &status, error))
    return FALSE;
  return g_spawn_check_wait_status (status, error);
}

static void
spawn_server (SottoTestPostgres *pg)
{
  g_autofree char *postgres = g_build_filename (pg->bindir, "postgres", NULL);
  g_autofree char *log = g_build_filename (pg->dir, "postgres.log", NULL);
  g_autoptr(GError) error = NULL;
  const char *argv[] = {
    postgres, "-D", pg->data, "-k", pg->dir, "-p", PORT,
    "-c", "listen_addresses=", "-c", "fsync=off", "-c", "synchronous_commit=off",
    "-c", "full_page_writes=off", "-c", "max_connections=40",
    "-c", "logging_collector=off", "-c", "log_min_messages=warning", NULL
  };
  int log_fd;

  log_fd = open (log, O_WRONLY | O_CREAT | O_APPEND, 0644);
  g_assert_cmpint (log_fd, >=, 0);
  if (pg->uid != 0)
    g_assert_cmpint (fchown (log_fd, pg->uid, pg->gid), ==, 0);
  g_assert_true (g_spawn_async_with_fds (pg->dir, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                                         become_owner, pg, &pg->pid, -1, log_fd, log_fd,
                                         &error));
  g_assert_no_error (error);
  close (log_fd);

  /* Ready when it answers. */
  for (guint i = 0; i < 600; i++)
    {
      if (PQping (pg->conninfo) == PQPING_OK)
        return;
      g_usleep (50 * 1000);
    }
  g_error ("PostgreSQL did not start; see %s", log);
}

/**
 * sotto_test_postgres_start:
 * @why_not: (out): set when PostgreSQL cannot run here, with the reason
 *
 * Returns: (transfer full) (nullable): a running PostgreSQL, or %NULL
 */
SottoTestPostgres *
sotto_test_postgres_start (char **why_not)
{
  g_autoptr(SottoTestPostgres) pg = g_new0 (SottoTestPostgres, 1);
  g_autofree char *initdb = NULL;
  g_autoptr(GError) error = NULL;

  pg->bindir = find_bindir ();
  if (pg->bindir == NULL)
    {
      *why_not = g_strdup ("PostgreSQL is not installed (apt-get install postgresql-15)");
      return NULL;
    }
  if (getuid () == 0)
    {
      struct passwd *owner = getpwnam (POSTGRES_USER);

      if (owner == NULL)
        {
          *why_not = g_strdup ("running as root, and there is no user " POSTGRES_USER
                               " to run PostgreSQL as");
          return NULL;
        }
      pg->uid = owner->pw_uid;
      pg->gid = owner->pw_gid;
    }

  pg->dir = g_dir_make_tmp ("sotto-pg-XXXXXX", &error);
  g_assert_no_error (error);
  pg->data = g_build_filename (pg->dir, "data", NULL);
  if (pg->uid != 0)
    g_assert_cmpint (chown (pg->dir, pg->uid, pg->gid), ==, 0);
  pg->conninfo = g_strdup_printf ("host=%s port=" PORT " user=sotto dbname=postgres", pg->dir);

  initdb = g_build_filename (pg->bindir, "initdb", NULL);
  {
    const char *argv[] = { initdb, "-D", pg->data, "-U", "sotto", "--auth=trust", "-E", "UTF8",
                           "--no-locale", "--no-sync", NULL };

    if (!run_as_owner (pg, argv, &error))
      {
        *why_not = g_strdup_printf ("initdb failed: %s", error->message);
        return NULL;
      }
  }
  spawn_server (pg);
  return g_steal_pointer (&pg);
}

const char *
sotto_test_postgres_get_conninfo (SottoTestPostgres *pg)
{
  return pg->conninfo;
}

/**
 * sotto_test_postgres_new_database:
 *
 * Returns: (transfer full): the connection string of a new, empty
 *   database of its own, for one test
 */
char *
sotto_test_postgres_new_database (SottoTestPostgres *pg)
{
  g_autofree char *name = g_strdup_printf ("test%u", ++pg->databases);
  g_autofree char *sql = g_strdup_printf ("CREATE DATABASE %s", name);
  PGconn *conn = PQconnectdb (pg->conninfo);
  PGresult *result;

  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  result = PQexec (conn, sql);
  if (PQresultStatus (result) != PGRES_COMMAND_OK)
    g_error ("%s: %s", sql, PQresultErrorMessage (result));
  PQclear (result);
  PQfinish (conn);
  return g_strdup_printf ("host=%s port=" PORT " user=sotto dbname=%s", pg->dir, name);
}

/* Runs @sql in the database @conninfo names, the test waiting for it. */
void
sotto_test_postgres_exec (const char *conninfo,
                          const char *sql)
{
  PGconn *conn = PQconnectdb (conninfo);
  PGresult *result;

  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  result = PQexec (conn, sql);
  if (PQresultStatus (result) != PGRES_COMMAND_OK && PQresultStatus (result) != PGRES_TUPLES_OK)
    g_error ("%s: %s", sql, PQresultErrorMessage (result));
  PQclear (result);
  PQfinish (conn);
}

/* The number the first row of @sql starts with, in the database
 * @conninfo names. */
gint64
sotto_test_postgres_value (const char *conninfo,
                           const char *sql)
{
  PGconn *conn = PQconnectdb (conninfo);
  PGresult *result;
  gint64 value;

  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  result = PQexec (conn, sql);
  if (PQresultStatus (result) != PGRES_TUPLES_OK)
    g_error ("%s: %s", sql, PQresultErrorMessage (result));
  value = g_ascii_strtoll (PQgetvalue (result, 0, 0), NULL, 10);
  PQclear (result);
  PQfinish (conn);
  return value;
}

static void
wait_exit (SottoTestPostgres *pg)
{
  int status;

  while (waitpid (pg->pid, &status, 0) < 0 && errno == EINTR)
    ;
  g_spawn_close_pid (pg->pid);
  pg->pid = 0;
}

/* A fast shutdown, as an operator's restart does: sessions are ended. */
void
sotto_test_postgres_stop (SottoTestPostgres *pg)
{
  if (pg->pid == 0)
    return;
  kill (pg->pid, SIGINT);
  wait_exit (pg);
}

void
sotto_test_postgres_restart (SottoTestPostgres *pg)
{
  sotto_test_postgres_stop (pg);
  spawn_server (pg);
}

gboolean
sotto_test_postgres_is_running (SottoTestPostgres *pg)
{
  return pg->pid != 0;
}

void
sotto_test_postgres_free (SottoTestPostgres *pg)
{
  if (pg == NULL)
    return;
  sotto_test_postgres_stop (pg);
  if (pg->dir != NULL)
    sotto_test_remove_dir (pg->dir);
  g_free (pg->bindir);
  g_free (pg->dir);
  g_free (pg->data);
  g_free (pg->conninfo);
  g_free (pg);
}
