/* SPDX-License-Identifier: GPL-3.0-or-later */

/*
 * A second computer, from `link` to reading: alice talks with M others
 * in a room; a new computer of hers starts linking, and her first
 * computer approves its code as soon as it shows; then each of the others
 * says one line. The time is taken from the start of the link until the
 * new computer reads every line, which needs each of them to learn of the
 * new device (devices_changed), fetch alice's list again and hand it
 * their key. Also printed: from the start to the new computer signed in.
 * The real sotto-server on 127.0.0.1 (from $SOTTO_SERVER) and every
 * person on the client core in this one process, with the test users'
 * quickest password hashing (the app adds two Argon2id runs on the new
 * computer, about a second each with the default limits); a fresh server
 * and data each round. Prints each round and the median.
 *
 *   sotto-link-bench [OTHERS (4)] [ROUNDS (5)]
 *
 * bench/link-quick builds it against one or two build trees and runs them
 * in turn.
 */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include "sotto-client.h"
#include "sotto-test-server.h"
#include "sotto-test-users.h"
#include "sotto-test-util.h"

#define PASSWORD "correct horse battery"
#define MAX_OTHERS 16

static int
cmp (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

int
main (int argc, char *argv[])
{
  int others = argc > 1 ? atoi (argv[1]) : 4;
  int rounds = argc > 2 ? atoi (argv[2]) : 5;
  double times[16], signed_in[16];

  if (others < 1 || others > MAX_OTHERS || rounds < 1 || rounds > 16)
    {
      g_printerr ("usage: %s [OTHERS (1-%d)] [ROUNDS (1-16)]\n", argv[0], MAX_OTHERS);
      return 2;
    }

  for (int r = 0; r < rounds; r++)
    {
      g_autofree char *dir = sotto_test_make_data_dir ();
      SottoTestServer *server = sotto_test_server_start (NULL, NULL);
      g_autofree char *address = g_strdup_printf ("127.0.0.1:%u",
                                                  sotto_test_server_get_port (server));
      SottoClient *clients[MAX_OTHERS];
      SottoRoom *rooms[MAX_OTHERS];
      SottoClient *alice;
      SottoRoom *alice_room;
      SottoTestNewComputer *laptop;
      g_autoptr(SottoLinkPending) pending = NULL;
      g_autoptr(GError) error = NULL;
      SottoRoom *room;
      gint64 start;

      alice = sotto_test_user_new (dir, address, "alice", PASSWORD);
      alice_room = sotto_test_user_join (alice, "lobby");
      for (int i = 0; i < others; i++)
        {
          g_autofree char *name = g_strdup_printf ("member%d", i);

          clients[i] = sotto_test_user_new (dir, address, name, PASSWORD);
          rooms[i] = sotto_test_user_join (clients[i], "lobby");
        }
      for (int i = 0; i < others; i++)
        sotto_test_user_wait_members (rooms[i], others + 1);
      sotto_test_user_wait_members (alice_room, others + 1);
      for (int i = 0; i < others; i++)
        sotto_test_user_wait_sent (sotto_test_user_say (clients[i], rooms[i], "before"));

      start = g_get_monotonic_time ();
      laptop = sotto_test_new_computer_link (dir, address, "alice-laptop", "alice", PASSWORD,
                                             NULL);
      sotto_test_new_computer_wait_code (laptop);
      pending = sotto_test_user_open_link (alice, laptop->code, &error);
      if (pending == NULL || !sotto_test_user_approve_link (alice, pending, &error))
        g_error ("The link failed: %s", error->message);
      sotto_test_new_computer_wait_done (laptop);
      if (laptop->error != NULL)
        g_error ("The new computer did not sign in: %s", laptop->error->message);
      signed_in[r] = (g_get_monotonic_time () - start) / 1000.0;

      for (int i = 0; i < others; i++)
        sotto_test_user_say (clients[i], rooms[i], "hello laptop");
      while ((room = sotto_client_lookup_room (laptop->client, "lobby")) == NULL)
        g_main_context_iteration (NULL, TRUE);
      for (int i = 0; i < others; i++)
        {
          g_autofree char *name = g_strdup_printf ("member%d", i);

          sotto_test_user_wait_for_text (room, name, "hello laptop");
        }
      times[r] = (g_get_monotonic_time () - start) / 1000.0;
      printf ("round %d: %.1f ms to reading %d others (signed in after %.1f ms)\n", r + 1,
              times[r], others, signed_in[r]);
      fflush (stdout);

      sotto_test_new_computer_free (laptop);
      for (int i = 0; i < others; i++)
        {
          sotto_client_close (clients[i]);
          g_object_unref (clients[i]);
        }
      sotto_client_close (alice);
      g_object_unref (alice);
      sotto_test_server_free (server);
      sotto_test_remove_dir (dir);
    }

  qsort (times, rounds, sizeof times[0], cmp);
  qsort (signed_in, rounds, sizeof signed_in[0], cmp);
  printf ("median: %.1f ms from link to reading (%d others), signed in after %.1f ms\n",
          times[rounds / 2], others, signed_in[rounds / 2]);
  return 0;
}
