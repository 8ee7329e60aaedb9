/* SPDX-License-Identifier: GPL-3.0-or-later */

/*
 * The client core handing sender keys to a newcomer: M members are in a
 * room and have talked; a newcomer joins, and each member says one line.
 * The time is taken from the join until the newcomer reads every line,
 * which needs every member's key: with prekeys, each handover first asks
 * the server for the newcomer's prekeys. The real sotto-server on
 * 127.0.0.1 (from $SOTTO_SERVER) and every person on the client core in
 * this one process, as in the tests; a fresh server and data each round.
 * Prints each round and the median.
 *
 *   sotto-handover-bench [MEMBERS (8)] [ROUNDS (3)]
 *
 * bench/handover-quick builds it against one or two build trees and runs
 * them in turn.
 */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include "sotto-client.h"
#include "sotto-test-server.h"
#include "sotto-test-users.h"
#include "sotto-test-util.h"

#define PASSWORD "correct horse battery"
#define MAX_MEMBERS 32

static int
cmp (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

int
main (int argc, char *argv[])
{
  int members = argc > 1 ? atoi (argv[1]) : 8;
  int rounds = argc > 2 ? atoi (argv[2]) : 3;
  double times[16];

  if (members < 1 || members > MAX_MEMBERS || rounds < 1 || rounds > 16)
    {
      g_printerr ("usage: %s [MEMBERS (1-%d)] [ROUNDS (1-16)]\n", argv[0], MAX_MEMBERS);
      return 2;
    }

  for (int r = 0; r < rounds; r++)
    {
      g_autofree char *dir = sotto_test_make_data_dir ();
      SottoTestServer *server = sotto_test_server_start (NULL, NULL);
      g_autofree char *address = g_strdup_printf ("127.0.0.1:%u",
                                                  sotto_test_server_get_port (server));
      SottoClient *clients[MAX_MEMBERS];
      SottoRoom *rooms[MAX_MEMBERS];
      SottoClient *newcomer;
      SottoRoom *room;
      gint64 start;

      for (int i = 0; i < members; i++)
        {
          g_autofree char *name = g_strdup_printf ("member%d", i);

          clients[i] = sotto_test_user_new (dir, address, name, PASSWORD);
          rooms[i] = sotto_test_user_join (clients[i], "lobby");
        }
      for (int i = 0; i < members; i++)
        sotto_test_user_wait_members (rooms[i], members);
      for (int i = 0; i < members; i++)
        sotto_test_user_wait_sent (sotto_test_user_say (clients[i], rooms[i], "before"));
      newcomer = sotto_test_user_new (dir, address, "newcomer", PASSWORD);

      start = g_get_monotonic_time ();
      room = sotto_test_user_join (newcomer, "lobby");
      for (int i = 0; i < members; i++)
        {
          while (sotto_room_lookup_member (rooms[i], "newcomer") == NULL)
            g_main_context_iteration (NULL, TRUE);
          sotto_test_user_say (clients[i], rooms[i], "welcome");
        }
      for (int i = 0; i < members; i++)
        {
          g_autofree char *name = g_strdup_printf ("member%d", i);

          sotto_test_user_wait_for_text (room, name, "welcome");
        }
      times[r] = (g_get_monotonic_time () - start) / 1000.0;
      printf ("round %d: a newcomer read %d members in %.1f ms\n", r + 1, members, times[r]);

      sotto_client_close (newcomer);
      g_object_unref (newcomer);
      for (int i = 0; i < members; i++)
        {
          sotto_client_close (clients[i]);
          g_object_unref (clients[i]);
        }
      sotto_test_server_stop (server);
      sotto_test_server_free (server);
      sotto_test_remove_dir (dir);
    }
  qsort (times, rounds, sizeof times[0], cmp);
  printf ("median: %.1f ms for %d members (%.1f ms each)\n", times[rounds / 2], members,
          times[rounds / 2] / members);
  return 0;
}
