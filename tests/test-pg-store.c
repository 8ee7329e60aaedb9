/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <libpq-fe.h>
#include <string.h>

#include "sotto-pg-store.h"
#include "sotto-test-postgres.h"
#include "sotto-test-util.h"

/*
 * The room log in PostgreSQL, against a real PostgreSQL the test starts,
 * with one store or two (two servers sharing the database): the schema
 * made once and taken as it is the second time; seqs from the room's row,
 * gapless; a resend answered with the seq it had, consuming none; two
 * servers appending to one room in the same turns get one gapless run of
 * seqs, each in its own order; a turn that fails gives its seqs back,
 * as when another server commits the same resend first;
 * the log read back in order, byte for byte, each event with its seq
 * written in by the statement that chose it.
 */

static SottoTestPostgres *postgres;

static gboolean
store_ready (gpointer data)
{
  return sotto_pg_store_is_ready (data);
}

static SottoPgStore *
start_store (const char *conninfo)
{
  g_autoptr(GError) error = NULL;
  SottoPgStore *store = sotto_pg_store_new (conninfo, &error);

  g_assert_no_error (error);
  sotto_pg_store_start (store);
  g_assert_true (sotto_test_wait_until (store_ready, store, 30));
  return store;
}

typedef struct
{
  GArray *seqs;        /* gint64, 0 for an error, in the order answered */
  GArray *duplicates;  /* gboolean */
  GArray *rooms;       /* gint64: the room of each */
  guint   done;
  gint64  room_id;
} Outcome;

typedef struct
{
  Outcome *outcome;
  gint64   room_id;
} Pending;

static void
outcome_clear (Outcome *outcome)
{
  g_clear_pointer (&outcome->seqs, g_array_unref);
  g_clear_pointer (&outcome->duplicates, g_array_unref);
  g_clear_pointer (&outcome->rooms, g_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Outcome, outcome_clear)

static void
outcome_init (Outcome *outcome)
{
  outcome->seqs = g_array_new (FALSE, FALSE, sizeof (gint64));
  outcome->duplicates = g_array_new (FALSE, FALSE, sizeof (gboolean));
  outcome->rooms = g_array_new (FALSE, FALSE, sizeof (gint64));
}

static void
appended_cb (SottoPgStore *store,
             gint64        seq,
             gboolean      duplicate,
             const GError *error,
             gpointer      user_data)
{
  g_autofree Pending *pending = user_data;
  Outcome *outcome = pending->outcome;

  if (error != NULL)
    g_test_message ("append: %s", error->message);
  g_array_append_val (outcome->rooms, pending->room_id);
  g_array_append_val (outcome->seqs, seq);
  g_array_append_val (outcome->duplicates, duplicate);
  outcome->done++;
}

static void
room_cb (SottoPgStore *store,
         gint64        room_id,
         const GError *error,
         gpointer      user_data)
{
  g_assert_no_error (error);
  ((Outcome *) user_data)->room_id = room_id;
}

static gboolean
have_room (gpointer data)
{
  return ((Outcome *) data)->room_id != 0;
}

static gint64
ensure_room (SottoPgStore *store,
             const char   *name)
{
  g_auto(Outcome) outcome = { 0 };

  sotto_pg_store_ensure_room (store, name, 1000, room_cb, &outcome);
  g_assert_true (sotto_test_wait_until (have_room, &outcome, 30));
  return outcome.room_id;
}

static void
wait_outcome (Outcome *outcome,
              guint    count)
{
  for (guint i = 0; i < 3000 && outcome->done < count; i++)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (outcome->done, ==, count);
}

static void
append (SottoPgStore *store,
        gint64        room_id,
        const char   *sender,
        const char   *msg_id,
        const char   *text,
        Outcome      *outcome)
{
  /* An event as the server builds it, its seq's digits left out. */
  g_autofree char *event = g_strdup_printf ("{\"seq\":,\"text\":\"%s\"}", text);
  g_autoptr(GBytes) body = g_bytes_new (event, strlen (event));
  Pending *pending = g_new0 (Pending, 1);

  pending->outcome = outcome;
  pending->room_id = room_id;
  sotto_pg_store_append (store, room_id, 2000, 0, sender, msg_id, body, strlen ("{\"seq\":"),
                         appended_cb, pending);
}

static gint64
seq_at (Outcome *outcome,
        guint    index)
{
  return g_array_index (outcome->seqs, gint64, index);
}


typedef struct
{
  GPtrArray *rows;
  gboolean   done;
} Rows;

static void
rows_cb (SottoPgStore *store,
         GPtrArray    *rows,
         const GError *error,
         gpointer      user_data)
{
  Rows *read = user_data;

  g_assert_no_error (error);
  read->rows = g_ptr_array_ref (rows);
  read->done = TRUE;
}

static gboolean
rows_done (gpointer data)
{
  return ((Rows *) data)->done;
}

/* Seqs from the room's row; a resend is answered with its seq and
 * consumes none; the log comes back as written. */
static void
test_append (void)
{
  g_autofree char *conninfo = NULL;
  g_autoptr(SottoPgStore) store = NULL;
  g_autoptr(SottoPgStore) again = NULL;
  g_auto(Outcome) outcome = { 0 };
  Rows read = { 0 };
  gint64 room;

  if (postgres == NULL)
    {
      g_test_skip ("PostgreSQL cannot run here");
      return;
    }
  conninfo = sotto_test_postgres_new_database (postgres);
  store = start_store (conninfo);
  g_assert_cmpint (sotto_test_postgres_value (conninfo, "SELECT version FROM sotto_schema"), ==, 1);
  /* A second server takes the schema as it is. */
  again = start_store (conninfo);
  g_assert_cmpint (sotto_test_postgres_value (conninfo, "SELECT count (*) FROM sotto_schema"), ==, 1);

  room = ensure_room (store, "team");
  g_assert_cmpint (ensure_room (again, "team"), ==, room);
  outcome_init (&outcome);
  append (store, room, "alice", "a1", "one", &outcome);
  append (store, room, "bob", "b1", "two", &outcome);
  append (store, room, "alice", "a2", "three", &outcome);
  wait_outcome (&outcome, 3);
  g_assert_cmpint (seq_at (&outcome, 0), ==, 1);
  g_assert_cmpint (seq_at (&outcome, 1), ==, 2);
  g_assert_cmpint (seq_at (&outcome, 2), ==, 3);

  append (again, room, "bob", "b1", "two, resent", &outcome);
  append (again, room, "bob", "b2", "four", &outcome);
  wait_outcome (&outcome, 5);
  g_assert_cmpint (seq_at (&outcome, 3), ==, 2);
  g_assert_true (g_array_index (outcome.duplicates, gboolean, 3));
  g_assert_cmpint (seq_at (&outcome, 4), ==, 4);
  g_assert_false (g_array_index (outcome.duplicates, gboolean, 4));
  g_assert_cmpint (sotto_test_postgres_value (conninfo, "SELECT last_seq FROM rooms WHERE name = 'team'"), ==, 4);

  sotto_pg_store_read_log (again, room, 1, 10, rows_cb, &read);
  g_assert_true (sotto_test_wait_until (rows_done, &read, 30));
  g_assert_cmpuint (read.rows->len, ==, 3);
  {
    SottoPgLogRow *row = g_ptr_array_index (read.rows, 0);

    g_assert_cmpint (row->seq, ==, 2);
    g_assert_cmpstr (row->sender, ==, "bob");
    g_assert_cmpstr (row->msg_id, ==, "b1");
    /* Stored with its seq written in. */
    g_assert_cmpmem (g_bytes_get_data (row->body, NULL), g_bytes_get_size (row->body),
                     "{\"seq\":2,\"text\":\"two\"}", strlen ("{\"seq\":2,\"text\":\"two\"}"));
  }
  g_ptr_array_unref (read.rows);
}

/* Two servers append to two rooms in the same turns: one gapless run per
 * room, each server's in the order it sent them. */
static void
test_two_servers (void)
{
  g_autofree char *conninfo = NULL;
  g_autoptr(SottoPgStore) one = NULL;
  g_autoptr(SottoPgStore) two = NULL;
  g_auto(Outcome) from_one = { 0 };
  g_auto(Outcome) from_two = { 0 };
  gint64 room, lobby;
  const guint rounds = 50, per_round = 10;

  if (postgres == NULL)
    {
      g_test_skip ("PostgreSQL cannot run here");
      return;
    }
  conninfo = sotto_test_postgres_new_database (postgres);
  one = start_store (conninfo);
  two = start_store (conninfo);
  room = ensure_room (one, "team");
  lobby = ensure_room (two, "lobby");
  outcome_init (&from_one);
  outcome_init (&from_two);

  for (guint round = 0; round < rounds; round++)
    {
      for (guint i = 0; i < per_round; i++)
        {
          g_autofree char *id_one = g_strdup_printf ("one-%u-%u", round, i);
          g_autofree char *id_two = g_strdup_printf ("two-%u-%u", round, i);

          /* Each turn touches both rooms, in opposite orders: the
           * appends go out sorted, so the two never deadlock. */
          append (one, i % 2 ? room : lobby, "alice", id_one, "from one", &from_one);
          append (two, i % 2 ? lobby : room, "bob", id_two, "from two", &from_two);
        }
      g_main_context_iteration (NULL, FALSE);
    }
  wait_outcome (&from_one, rounds * per_round);
  wait_outcome (&from_two, rounds * per_round);

  for (guint i = 0; i < rounds * per_round; i++)
    {
      g_assert_cmpint (seq_at (&from_one, i), >, 0);
      g_assert_cmpint (seq_at (&from_two, i), >, 0);
    }
  /* Each server's appends to a room got rising seqs. */
  {
    Outcome *outcomes[] = { &from_one, &from_two };

    for (guint k = 0; k < G_N_ELEMENTS (outcomes); k++)
      {
        gint64 last[2] = { 0, 0 };

        for (guint i = 0; i < outcomes[k]->seqs->len; i++)
          {
            guint which = g_array_index (outcomes[k]->rooms, gint64, i) == room;

            g_assert_cmpint (seq_at (outcomes[k], i), >, last[which]);
            last[which] = seq_at (outcomes[k], i);
          }
      }
  }
  /* And each room's seqs are 1 to its count, none twice, none missing. */
  g_assert_cmpint (sotto_test_postgres_value (conninfo, "SELECT count (*) FROM room_log"), ==,
                   2 * rounds * per_round);
  g_assert_cmpint (sotto_test_postgres_value (conninfo, "SELECT count (*) FROM ("
                                       " SELECT room_id FROM room_log GROUP BY room_id"
                                       " HAVING min (seq) = 1 AND max (seq) = count (*)) AS whole"),
                   ==, 2);
  g_assert_cmpint (sotto_test_postgres_value (conninfo, "SELECT sum (last_seq) FROM rooms"), ==,
                   2 * rounds * per_round);
  /* Every event holds its own seq. */
  g_assert_cmpint (sotto_test_postgres_value (conninfo, "SELECT count (*) FROM room_log WHERE convert_from (body, "
                                       "'UTF8') NOT LIKE '{\"seq\":' || seq || ',%'"), ==, 0);
}

static void
pg_exec_ok (PGconn     *conn,
            const char *sql)
{
  PGresult *result = PQexec (conn, sql);

  g_assert_cmpint (PQresultStatus (result), ==, PGRES_COMMAND_OK);
  PQclear (result);
}

/* A turn that fails takes all its appends back, seqs and all: another
 * server (here, the test's own connection) holds the room and commits the
 * same resend first, so the turn's first append breaks the uniqueness of
 * (room, sender, msg_id), and the second, fine by itself, goes with it.
 * An append to a room that is not there fails alone. */
static void
test_failed_turn (void)
{
  g_autofree char *conninfo = NULL;
  g_autofree char *sql = NULL;
  g_autoptr(SottoPgStore) store = NULL;
  g_auto(Outcome) outcome = { 0 };
  PGconn *other;
  gint64 room;

  if (postgres == NULL)
    {
      g_test_skip ("PostgreSQL cannot run here");
      return;
    }
  conninfo = sotto_test_postgres_new_database (postgres);
  store = start_store (conninfo);
  room = ensure_room (store, "team");
  outcome_init (&outcome);
  append (store, room, "alice", "a1", "one", &outcome);
  wait_outcome (&outcome, 1);
  g_assert_cmpint (seq_at (&outcome, 0), ==, 1);

  other = PQconnectdb (conninfo);
  g_assert_cmpint (PQstatus (other), ==, CONNECTION_OK);
  pg_exec_ok (other, "BEGIN");
  sql = g_strdup_printf ("UPDATE rooms SET last_seq = last_seq + 1 WHERE id = %" G_GINT64_FORMAT,
                         room);
  pg_exec_ok (other, sql);
  g_free (sql);
  sql = g_strdup_printf ("INSERT INTO room_log (room_id, seq, ts, kind, sender, msg_id, body) "
                         "VALUES (%" G_GINT64_FORMAT ", 2, 0, 0, 'alice', 'dup', '\\x00')",
                         room);
  pg_exec_ok (other, sql);

  append (store, room, "alice", "dup", "the same, resent", &outcome);
  append (store, room, "bob", "b1", "fine by itself", &outcome);
  sotto_test_iterate (300);
  g_assert_cmpuint (outcome.done, ==, 1);
  pg_exec_ok (other, "COMMIT");
  PQfinish (other);
  wait_outcome (&outcome, 3);
  g_assert_cmpint (seq_at (&outcome, 1), ==, 0);
  g_assert_cmpint (seq_at (&outcome, 2), ==, 0);

  /* Sent again: no gap, and the resend is seen as one. */
  append (store, room, "bob", "b1", "fine by itself", &outcome);
  append (store, room, "alice", "dup", "the same, resent", &outcome);
  wait_outcome (&outcome, 5);
  g_assert_cmpint (seq_at (&outcome, 3), ==, 3);
  g_assert_cmpint (seq_at (&outcome, 4), ==, 2);
  g_assert_true (g_array_index (outcome.duplicates, gboolean, 4));

  /* A room that is not there: that append alone fails. */
  append (store, room + 100, "alice", "a3", "nowhere", &outcome);
  append (store, room, "alice", "a4", "somewhere", &outcome);
  wait_outcome (&outcome, 7);
  g_assert_cmpint (seq_at (&outcome, 5 + (g_array_index (outcome.rooms, gint64, 5) == room)),
                   ==, 0);
  g_assert_cmpint (sotto_test_postgres_value (conninfo, "SELECT max (seq) FROM room_log"), ==, 4);
}

/* Rooms are locked in one order by every server: server two waits for
 * the room "team" (held by a third party) with both its rooms to go, and
 * server one, meanwhile, sends its appends in the other order. Were they
 * sent as they came, server one would hold "lobby" while waiting for
 * "team", and server two, once it has "team", would wait for "lobby": a
 * deadlock, which PostgreSQL ends by failing one of the turns. */
static void
test_lock_order (void)
{
  g_autofree char *conninfo = NULL;
  g_autofree char *sql = NULL;
  g_autoptr(SottoPgStore) one = NULL;
  g_autoptr(SottoPgStore) two = NULL;
  g_auto(Outcome) from_one = { 0 };
  g_auto(Outcome) from_two = { 0 };
  PGconn *other;
  gint64 team, lobby;

  if (postgres == NULL)
    {
      g_test_skip ("PostgreSQL cannot run here");
      return;
    }
  conninfo = sotto_test_postgres_new_database (postgres);
  one = start_store (conninfo);
  two = start_store (conninfo);
  team = ensure_room (one, "team");
  lobby = ensure_room (one, "lobby");
  g_assert_cmpint (team, <, lobby);
  outcome_init (&from_one);
  outcome_init (&from_two);

  other = PQconnectdb (conninfo);
  pg_exec_ok (other, "BEGIN");
  sql = g_strdup_printf ("UPDATE rooms SET last_seq = last_seq WHERE id = %" G_GINT64_FORMAT,
                         team);
  pg_exec_ok (other, sql);

  append (two, team, "bob", "b1", "team first", &from_two);
  append (two, lobby, "bob", "b2", "lobby second", &from_two);
  sotto_test_iterate (300);
  append (one, lobby, "alice", "a1", "lobby first", &from_one);
  append (one, team, "alice", "a2", "team second", &from_one);
  sotto_test_iterate (300);
  pg_exec_ok (other, "COMMIT");
  PQfinish (other);

  wait_outcome (&from_one, 2);
  wait_outcome (&from_two, 2);
  for (guint i = 0; i < 2; i++)
    {
      g_assert_cmpint (seq_at (&from_one, i), >, 0);
      g_assert_cmpint (seq_at (&from_two, i), >, 0);
    }
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

  g_test_add_func ("/sotto/pg-store/append", test_append);
  g_test_add_func ("/sotto/pg-store/two-servers", test_two_servers);
  g_test_add_func ("/sotto/pg-store/failed-turn", test_failed_turn);
  g_test_add_func ("/sotto/pg-store/lock-order", test_lock_order);
  status = g_test_run ();
  sotto_test_postgres_free (postgres);
  return status;
}
