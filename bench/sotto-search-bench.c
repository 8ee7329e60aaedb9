/* SPDX-License-Identifier: GPL-3.0-or-later */

/*
 * Searching what a computer holds: alice's computer holds N messages of a
 * room (written straight into its store, as years of a busy room would
 * leave them), and she searches them, logged in, through the client core:
 * a word a few messages hold, a word none holds (every row read), and two
 * words. The peer figure, in the same round: reading and decrypting the
 * same rows with a search that keeps nothing, the least any search of the
 * store without an index must do. The real sotto-server on 127.0.0.1
 * (from $SOTTO_SERVER); a fresh server and data each round. Prints each
 * round and the medians.
 *
 *   sotto-search-bench [MESSAGES (100000)] [ROUNDS (5)]
 *
 * bench/search-quick builds it against one or two build trees.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sotto-client.h"
#include "sotto-client-store.h"
#include "sotto-test-server.h"
#include "sotto-test-users.h"
#include "sotto-test-util.h"

#define PASSWORD "correct horse battery"
#define ROOM "big"
#define MAX_ROUNDS 16

static int
cmp (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static double
median (double *values, guint n)
{
  qsort (values, n, sizeof *values, cmp);
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

static gboolean
keep_nothing (const SottoStoredMessage *row,
              gpointer                  user_data)
{
  return FALSE;
}

static double
time_search (SottoClient *client,
             const char  *query,
             guint        expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) results = NULL;
  gint64 started = g_get_monotonic_time ();

  results = sotto_client_search (client, NULL, query, 50, &error);
  if (results == NULL)
    g_error ("search: %s", error->message);
  if (results->len != expected)
    g_error ("search for “%s” found %u, not %u", query, results->len, expected);
  return (g_get_monotonic_time () - started) / 1000.0;
}

int
main (int argc, char *argv[])
{
  guint count = argc > 1 ? (guint) atoi (argv[1]) : 100000;
  guint rounds = argc > 2 ? (guint) atoi (argv[2]) : 5;
  double few[MAX_ROUNDS], none[MAX_ROUNDS], two[MAX_ROUNDS], peer[MAX_ROUNDS];

  rounds = CLAMP (rounds, 1, MAX_ROUNDS);
  for (guint round = 0; round < rounds; round++)
    {
      g_autoptr(SottoTestServer) server = sotto_test_server_start (NULL, NULL);
      g_autofree char *dir = sotto_test_make_data_dir ();
      g_autofree char *address = g_strdup_printf ("127.0.0.1:%u",
                                                  sotto_test_server_get_port (server));
      g_autofree char *path = sotto_test_user_store_path (dir, address, "alice", "alice");
      g_autoptr(SottoClient) alice = sotto_test_user_new (dir, address, "alice", PASSWORD);
      g_autoptr(GError) error = NULL;
      gint64 started;

      sotto_test_user_join (alice, ROOM);
      sotto_client_close (alice);
      g_clear_object (&alice);

      /* The history, and the peer: every row read and decrypted. */
      {
        g_autoptr(SottoClientStore) store = sotto_test_user_open_store (path, PASSWORD);
        g_autoptr(GPtrArray) kept = NULL;

        for (guint i = 0; i < count; i++)
          {
            /* One message in a thousand mentions the harbour. */
            g_autofree char *text = g_strdup_printf (i % 1000 == 7
                                                     ? "Message %u: see you at the harbour at six"
                                                     : "Message %u of the big room: a line of "
                                                       "ordinary length, as people write them.",
                                                     i + 1);
            g_autoptr(GBytes) body = g_bytes_new (text, strlen (text));
            g_autofree char *msg_id = g_strdup_printf ("b%08u", i);

            if (!sotto_client_store_add_message (store, ROOM, i % 2 ? "bob" : "carol", msg_id,
                                                 1000 + i, 1700000000000 + (gint64) i * 60000,
                                                 SOTTO_STORED_MESSAGE_RECEIVED, body, NULL, &error))
              g_error ("add message %u: %s", i, error->message);
          }
        started = g_get_monotonic_time ();
        kept = sotto_client_store_search (store, NULL, &(gint64) { 0 }, G_MAXUINT, keep_nothing,
                                          NULL, G_MAXUINT, &error);
        if (kept == NULL)
          g_error ("peer: %s", error->message);
        peer[round] = (g_get_monotonic_time () - started) / 1000.0;
      }

      alice = sotto_test_user_open (dir, address, "alice");
      sotto_test_user_account (alice, FALSE, "alice", PASSWORD, &error);
      g_assert_no_error (error);

      few[round] = time_search (alice, "harbour", MIN (count / 1000, 50));
      none[round] = time_search (alice, "lighthouse", 0);
      two[round] = time_search (alice, "HARBOUR six", MIN (count / 1000, 50));
      printf ("round %u: %u messages; a word in 1 of 1000 %.1f ms, a word in none %.1f ms, "
              "two words %.1f ms; peer (read and decrypt every row) %.1f ms\n",
              round + 1, count, few[round], none[round], two[round], peer[round]);
      fflush (stdout);

      sotto_client_close (alice);
      sotto_test_server_stop (server);
      sotto_test_remove_dir (dir);
    }

  printf ("medians of %u rounds, %u messages: a word in 1 of 1000 %.1f ms (the newest 50), "
          "a word in none %.1f ms, two words %.1f ms; peer %.1f ms (none / peer %.2fx)\n",
          rounds, count, median (few, rounds), median (none, rounds), median (two, rounds),
          median (peer, rounds), median (none, rounds) / median (peer, rounds));
  return 0;
}
