/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sotto-pg.h"
#include "sotto-test-postgres.h"
#include "sotto-test-util.h"

/*
 * The server's connection to PostgreSQL, against a real PostgreSQL that
 * the test starts: statements of one turn sent together, their results in
 * order; statements prepared at their first use; a failed statement and
 * the others of its turn; host names refused; PostgreSQL restarted: what
 * was waiting fails, statements fail at once while it is down, and the
 * connection comes back by itself.
 */

static SottoTestPostgres *postgres;
/* The server's log lines of warning and above, as the test saw them */
static GPtrArray *warnings;

static GLogWriterOutput
log_writer (GLogLevelFlags   level,
            const GLogField *fields,
            gsize            n_fields,
            gpointer         user_data)
{
  const char *domain = NULL;
  const char *message = NULL;

  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, "GLIB_DOMAIN"))
      domain = fields[i].value;
    else if (g_str_equal (fields[i].key, "MESSAGE"))
      message = fields[i].value;
  if (g_strcmp0 (domain, "sotto-server") == 0 && (level & G_LOG_LEVEL_WARNING) != 0)
    {
      g_ptr_array_add (warnings, g_strdup (message));
      return G_LOG_WRITER_HANDLED;
    }
  return g_log_writer_default (level, fields, n_fields, user_data);
}

static gboolean
warned (const char *start)
{
  for (guint i = 0; i < warnings->len; i++)
    if (g_str_has_prefix (g_ptr_array_index (warnings, i), start))
      return TRUE;
  return FALSE;
}

typedef struct
{
  GPtrArray *values;   /* the first column of the first row, or the error */
  guint      done;
} Replies;

static void
replies_clear (Replies *replies)
{
  g_clear_pointer (&replies->values, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Replies, replies_clear)

static void
reply_cb (SottoPg        *pg,
          const PGresult *result,
          const GError   *error,
          gpointer        user_data)
{
  Replies *replies = user_data;

  if (error != NULL)
    g_ptr_array_add (replies->values, g_strdup_printf ("error %d: %s", error->code,
                                                       error->message));
  else if (PQntuples (result) > 0)
    g_ptr_array_add (replies->values, g_strdup (PQgetvalue (result, 0, 0)));
  else
    g_ptr_array_add (replies->values, g_strdup (PQcmdStatus ((PGresult *) result)));
  replies->done++;
}

static void
wait_replies (Replies *replies,
              guint    count)
{
  for (guint i = 0; i < 3000 && replies->done < count; i++)
    g_main_context_iteration (NULL, replies->done < count);
  g_assert_cmpuint (replies->done, ==, count);
}

static gboolean
is_ready (gpointer data)
{
  return sotto_pg_is_ready (data);
}

static SottoPg *
connect_new (const char *conninfo)
{
  g_autoptr(GError) error = NULL;
  SottoPg *pg = sotto_pg_new (conninfo, "test", &error);

  g_assert_no_error (error);
  sotto_pg_add_statement (pg, "add", "INSERT INTO notes (n, text) VALUES ($1, $2) RETURNING id");
  sotto_pg_start (pg);
  g_assert_true (sotto_test_wait_until (is_ready, pg, 30));
  return pg;
}

static gboolean
skip_without_postgres (void)
{
  if (postgres != NULL)
    return FALSE;
  g_test_skip ("PostgreSQL cannot run here");
  return TRUE;
}

/* A thousand statements in one turn: one round trip, results in order. */
static void
test_pipeline (void)
{
  g_autofree char *conninfo = NULL;
  g_autoptr(SottoPg) pg = NULL;
  g_auto(Replies) replies = { g_ptr_array_new_with_free_func (g_free) };

  if (skip_without_postgres ())
    return;
  conninfo = sotto_test_postgres_new_database (postgres);
  sotto_test_postgres_exec (conninfo,
                            "CREATE TABLE notes (id bigserial PRIMARY KEY, n int, text text)");
  pg = connect_new (conninfo);
  for (guint i = 0; i < 1000; i++)
    {
      g_autofree char *n = g_strdup_printf ("%u", i);
      g_autofree char *text = g_strdup_printf ("note %u", i);
      const char *values[] = { n, text };

      sotto_pg_query (pg, "add", 2, values, NULL, NULL, reply_cb, &replies);
    }
  g_assert_cmpuint (sotto_pg_get_n_pending (pg), ==, 1000);
  sotto_pg_query (pg, "SELECT count(*) FROM notes", 0, NULL, NULL, NULL, reply_cb, &replies);
  wait_replies (&replies, 1001);
  for (guint i = 0; i < 1000; i++)
    {
      g_autofree char *id = g_strdup_printf ("%u", i + 1);

      g_assert_cmpstr (g_ptr_array_index (replies.values, i), ==, id);
    }
  g_assert_cmpstr (g_ptr_array_index (replies.values, 1000), ==, "1000");
  g_assert_cmpuint (sotto_pg_get_n_pending (pg), ==, 0);
}

/* A statement that fails: its own error; the others of its turn, before
 * and after it, are not carried out (a turn is one transaction); the
 * next turn goes on as usual. */
static void
test_errors (void)
{
  g_autofree char *conninfo = NULL;
  g_autoptr(SottoPg) pg = NULL;
  g_auto(Replies) replies = { g_ptr_array_new_with_free_func (g_free) };

  if (skip_without_postgres ())
    return;
  conninfo = sotto_test_postgres_new_database (postgres);
  sotto_test_postgres_exec (conninfo, "CREATE TABLE notes (id bigserial, n int, text text)");
  pg = connect_new (conninfo);
  sotto_pg_query (pg, "CREATE TABLE t (v int UNIQUE)", 0, NULL, NULL, NULL, reply_cb, &replies);
  wait_replies (&replies, 1);

  sotto_pg_query (pg, "INSERT INTO t VALUES (1)", 0, NULL, NULL, NULL, reply_cb, &replies);
  sotto_pg_query (pg, "INSERT INTO t VALUES (1)", 0, NULL, NULL, NULL, reply_cb, &replies);
  sotto_pg_query (pg, "INSERT INTO t VALUES (2)", 0, NULL, NULL, NULL, reply_cb, &replies);
  wait_replies (&replies, 4);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (replies.values, 1), "error 4:"));
  g_assert_true (g_str_has_prefix (g_ptr_array_index (replies.values, 2), "error 3: PostgreSQL:"));
  g_assert_nonnull (strstr (g_ptr_array_index (replies.values, 2), "duplicate key"));
  g_assert_true (g_str_has_prefix (g_ptr_array_index (replies.values, 3), "error 4:"));

  /* Nothing of that turn is left; the next one goes on. */
  sotto_pg_query (pg, "INSERT INTO t VALUES (3)", 0, NULL, NULL, NULL, reply_cb, &replies);
  sotto_pg_query (pg, "SELECT count(*) FROM t", 0, NULL, NULL, NULL, reply_cb, &replies);
  wait_replies (&replies, 6);
  g_assert_cmpstr (g_ptr_array_index (replies.values, 4), ==, "INSERT 0 1");
  g_assert_cmpstr (g_ptr_array_index (replies.values, 5), ==, "1");
}

/* A named statement is prepared at its first use on a connection: one
 * whose table is missing fails with the reason, and once the table is
 * there it is prepared again and works. */
static void
test_prepare_later (void)
{
  g_autofree char *conninfo = NULL;
  g_autoptr(SottoPg) pg = NULL;
  g_auto(Replies) replies = { g_ptr_array_new_with_free_func (g_free) };
  const char *values[] = { "7", "seven" };

  if (skip_without_postgres ())
    return;
  conninfo = sotto_test_postgres_new_database (postgres);
  pg = connect_new (conninfo);
  sotto_pg_query (pg, "add", 2, values, NULL, NULL, reply_cb, &replies);
  wait_replies (&replies, 1);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (replies.values, 0), "error 4:"));
  g_assert_nonnull (strstr (g_ptr_array_index (replies.values, 0),
                            "relation \"notes\" does not exist"));

  sotto_pg_query (pg, "CREATE TABLE notes (id bigserial, n int, text text)", 0, NULL, NULL, NULL,
                  reply_cb, &replies);
  wait_replies (&replies, 2);
  sotto_pg_query (pg, "add", 2, values, NULL, NULL, reply_cb, &replies);
  wait_replies (&replies, 3);
  g_assert_cmpstr (g_ptr_array_index (replies.values, 2), ==, "1");
}

/* Host names would block the main loop while they resolve. */
static void
test_conninfo (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (sotto_pg_check_conninfo ("host=/run/postgresql dbname=sotto", NULL));
  g_assert_true (sotto_pg_check_conninfo ("postgresql://127.0.0.1:5432/sotto", NULL));
  g_assert_true (sotto_pg_check_conninfo ("host=::1 dbname=sotto", NULL));
  g_assert_true (sotto_pg_check_conninfo ("host=db.example hostaddr=10.0.0.5 dbname=sotto",
                                          NULL));
  g_assert_null (sotto_pg_new ("host=db.example dbname=sotto", "test", &error));
  g_assert_error (error, SOTTO_PG_ERROR, SOTTO_PG_ERROR_CONFIG);
  g_clear_error (&error);
  g_assert_false (sotto_pg_check_conninfo ("postgresql://localhost/sotto", &error));
  g_assert_error (error, SOTTO_PG_ERROR, SOTTO_PG_ERROR_CONFIG);
  g_clear_error (&error);
  g_assert_false (sotto_pg_check_conninfo ("host=/tmp dbname='unclosed", &error));
  g_assert_error (error, SOTTO_PG_ERROR, SOTTO_PG_ERROR_CONFIG);
}

/* PostgreSQL restarted: statements waiting fail as lost, those sent
 * while it is down fail at once, and the connection comes back. */
static void
test_restart (void)
{
  g_autofree char *conninfo = NULL;
  g_autoptr(SottoPg) pg = NULL;
  g_auto(Replies) replies = { g_ptr_array_new_with_free_func (g_free) };

  if (skip_without_postgres ())
    return;
  conninfo = sotto_test_postgres_new_database (postgres);
  sotto_test_postgres_exec (conninfo, "CREATE TABLE notes (id bigserial, n int, text text)");
  pg = connect_new (conninfo);

  sotto_pg_query (pg, "SELECT pg_sleep(30)", 0, NULL, NULL, NULL, reply_cb, &replies);
  sotto_test_iterate (100);
  sotto_test_postgres_stop (postgres);
  wait_replies (&replies, 1);
  g_assert_true (warned ("PostgreSQL (test): connection lost: "));
  g_assert_null (strchr (g_ptr_array_index (warnings, warnings->len - 1), '\n'));
  g_assert_true (g_str_has_prefix (g_ptr_array_index (replies.values, 0), "error 2:"));
  g_assert_false (sotto_pg_is_ready (pg));

  sotto_pg_query (pg, "SELECT 1", 0, NULL, NULL, NULL, reply_cb, &replies);
  wait_replies (&replies, 2);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (replies.values, 1), "error 1:"));

  sotto_test_postgres_restart (postgres);
  g_assert_true (sotto_test_wait_until (is_ready, pg, 30));
  sotto_pg_query (pg, "SELECT 41 + 1", 0, NULL, NULL, NULL, reply_cb, &replies);
  wait_replies (&replies, 3);
  g_assert_cmpstr (g_ptr_array_index (replies.values, 2), ==, "42");
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *why_not = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  warnings = g_ptr_array_new_with_free_func (g_free);
  g_log_set_writer_func (log_writer, NULL, NULL);
  postgres = sotto_test_postgres_start (&why_not);
  if (postgres == NULL)
    g_test_message ("PostgreSQL tests skipped: %s", why_not);

  g_test_add_func ("/sotto/pg/pipeline", test_pipeline);
  g_test_add_func ("/sotto/pg/errors", test_errors);
  g_test_add_func ("/sotto/pg/prepare-later", test_prepare_later);
  g_test_add_func ("/sotto/pg/conninfo", test_conninfo);
  g_test_add_func ("/sotto/pg/restart", test_restart);
  status = g_test_run ();
  sotto_test_postgres_free (postgres);
  g_ptr_array_unref (warnings);
  return status;
}
