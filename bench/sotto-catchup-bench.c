/* SPDX-License-Identifier: GPL-3.0-or-later */

/*
 * The client core catching up: Alice says N things while Bob is away,
 * then Bob logs in, and the time until the last one shows in his room is
 * taken, from the login on. The real sotto-server on 127.0.0.1 (from
 * $SOTTO_SERVER) and two people on the client core, as in the tests; a
 * fresh server and data each round. Prints each round and the median.
 *
 *   sotto-catchup-bench [N (2000)] [ROUNDS (3)]
 *
 * bench/catchup-quick builds it against one or two build trees and runs
 * them in turn.
 */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include "sotto-client.h"
#include "sotto-test-server.h"
#include "sotto-test-users.h"
#include "sotto-test-util.h"

static int
cmp (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

int
main (int argc, char *argv[])
{
  int n = argc > 1 ? atoi (argv[1]) : 2000;
  int rounds = argc > 2 ? atoi (argv[2]) : 3;
  double times[16];

  if (n < 1 || rounds < 1 || rounds > 16)
    {
      g_printerr ("usage: %s [MESSAGES] [ROUNDS (1-16)]\n", argv[0]);
      return 2;
    }

  for (int r = 0; r < rounds; r++)
    {
      g_autofree char *dir = sotto_test_make_data_dir ();
      SottoTestServer *server = sotto_test_server_start (NULL, NULL);
      g_autofree char *address = g_strdup_printf ("127.0.0.1:%u", sotto_test_server_get_port (server));
      SottoClient *alice = sotto_test_user_new (dir, address, "alice", "correct horse battery");
      SottoClient *bob = sotto_test_user_new (dir, address, "bob", "correct horse battery");
      SottoRoom *alice_room = sotto_test_user_join (alice, "lobby");
      SottoRoom *bob_room = sotto_test_user_join (bob, "lobby");
      g_autofree char *last = g_strdup_printf ("message %d", n - 1);
      GError *error = NULL;
      gint64 start;

      sotto_test_user_wait_members (alice_room, 2);
      sotto_test_user_wait_members (bob_room, 2);
      sotto_test_user_wait_sent (sotto_test_user_say (alice, alice_room, "hello"));
      sotto_test_user_wait_for_text (bob_room, "alice", "hello");
      sotto_client_close (bob);
      g_object_unref (bob);
      for (int i = 0; i < n; i++)
        {
          g_autofree char *text = g_strdup_printf ("message %d", i);
          SottoMessage *m = sotto_test_user_say (alice, alice_room, text);
          if (i % 200 == 199 || i == n - 1)
            sotto_test_user_wait_sent (m);
        }

      bob = sotto_test_user_open (dir, address, "bob");
      start = g_get_monotonic_time ();
      sotto_test_user_account (bob, FALSE, "bob", "correct horse battery", &error);
      g_assert_no_error (error);
      sotto_test_user_wait_for_text (sotto_client_lookup_room (bob, "lobby"), "alice", last);
      times[r] = (g_get_monotonic_time () - start) / 1000.0;
      printf ("round %d: %d messages caught up in %.1f ms\n", r + 1, n, times[r]);
      sotto_client_close (alice);
      sotto_client_close (bob);
      g_object_unref (alice);
      g_object_unref (bob);
      sotto_test_server_stop (server);
      sotto_test_server_free (server);
      sotto_test_remove_dir (dir);
    }
  qsort (times, rounds, sizeof times[0], cmp);
  printf ("median: %.1f ms for %d messages (%.1f us each)\n", times[rounds / 2], n,
          times[rounds / 2] * 1000.0 / n);
  return 0;
}
