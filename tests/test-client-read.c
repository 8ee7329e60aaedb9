/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sotto-client.h"
#include "sotto-test-server.h"
#include "sotto-test-users.h"
#include "sotto-test-util.h"

/*
 * How far the user read a room, and how many messages came since, kept
 * in the client's store through a restart, each room its own, against a
 * real server; a position never goes back.
 */

#define PASSWORD "correct horse battery"

static void
test_restart (void)
{
  g_autoptr(SottoTestServer) server = sotto_test_server_start (NULL, NULL);
  g_autofree char *dir = sotto_test_make_data_dir ();
  g_autofree char *address = g_strdup_printf ("127.0.0.1:%u", sotto_test_server_get_port (server));
  g_autoptr(SottoClient) alice = sotto_test_user_new (dir, address, "alice", PASSWORD);
  g_autoptr(GError) error = NULL;
  SottoRoom *team = sotto_test_user_join (alice, "team");
  SottoRoom *lobby = sotto_test_user_join (alice, "lobby");
  SottoMessage *said = sotto_test_user_say (alice, team, "Agenda for Monday");
  gint64 seq;

  sotto_test_user_wait_sent (said);
  seq = sotto_message_get_seq (said);
  g_assert_cmpint (sotto_room_get_read_seq (team), ==, 0);
  g_assert_cmpint (sotto_room_get_last_seq (team), ==, seq);

  sotto_room_set_read_seq (team, seq);
  sotto_room_set_read_seq (team, 1);
  g_assert_cmpint (sotto_room_get_read_seq (team), ==, seq);
  sotto_room_set_unread (team, 4);
  sotto_room_set_unread (lobby, 9);

  for (guint round = 0; round < 2; round++)
    {
      sotto_client_close (alice);
      g_clear_object (&alice);
      alice = sotto_test_user_open (dir, address, "alice");
      sotto_test_user_account (alice, FALSE, "alice", PASSWORD, &error);
      g_assert_no_error (error);
      team = sotto_client_lookup_room (alice, "team");
      lobby = sotto_client_lookup_room (alice, "lobby");
      g_assert_nonnull (team);
      g_assert_nonnull (lobby);
      g_assert_cmpint (sotto_room_get_read_seq (team), ==, seq);
      g_assert_cmpuint (sotto_room_get_unread (team), ==, 4);
      g_assert_cmpint (sotto_room_get_read_seq (lobby), ==, 0);
      g_assert_cmpuint (sotto_room_get_unread (lobby), ==, 9);
    }

  /* Read: nothing left. */
  sotto_room_set_unread (team, 0);
  sotto_client_close (alice);
  g_clear_object (&alice);
  alice = sotto_test_user_open (dir, address, "alice");
  sotto_test_user_account (alice, FALSE, "alice", PASSWORD, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sotto_room_get_unread (sotto_client_lookup_room (alice, "team")), ==, 0);

  sotto_client_close (alice);
  sotto_test_server_stop (server);
  sotto_test_remove_dir (dir);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sotto/client/read-position/restart", test_restart);

  return g_test_run ();
}
