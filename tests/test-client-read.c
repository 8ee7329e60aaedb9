/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sotto-client.h"
#include "sotto-test-server.h"
#include "sotto-test-users.h"
#include "sotto-test-util.h"

/*
 * What a room shows across a restart, against a real server: how far the
 * user read it and how many messages came since (each room its own, a
 * position never going back), and its events ("bob joined"); a direct
 * chat shows no joins.
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

typedef struct
{
  gboolean   done;
  SottoRoom *room;
} Opened;

static void
opened_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Opened *opened = user_data;
  g_autoptr(GError) error = NULL;

  opened->room = sotto_client_join_finish (SOTTO_CLIENT (object), result, &error);
  g_assert_no_error (error);
  opened->done = TRUE;
}

/* The direct chat of @client with @peer, opened from @client's side. */
static SottoRoom *
open_direct (SottoClient *client,
             const char  *peer)
{
  Opened opened = { FALSE, NULL };

  sotto_client_open_direct_async (client, peer, NULL, opened_cb, &opened);
  sotto_test_wait_for (&opened.done);
  /* The client holds its rooms. */
  g_object_unref (opened.room);
  return opened.room;
}

static gboolean
bob_joined (gpointer data)
{
  return sotto_room_has_system_text (data, "bob joined");
}

static void
test_events (void)
{
  g_autoptr(SottoTestServer) server = sotto_test_server_start (NULL, NULL);
  g_autofree char *dir = sotto_test_make_data_dir ();
  g_autofree char *address = g_strdup_printf ("127.0.0.1:%u", sotto_test_server_get_port (server));
  g_autoptr(SottoClient) alice = sotto_test_user_new (dir, address, "alice", PASSWORD);
  g_autoptr(SottoClient) bob = sotto_test_user_new (dir, address, "bob", PASSWORD);
  g_autoptr(GError) error = NULL;
  SottoRoom *team = sotto_test_user_join (alice, "team");
  SottoRoom *direct;

  sotto_test_user_join (bob, "team");
  g_assert_true (sotto_test_wait_until (bob_joined, team, 30));
  /* A direct chat alice starts, which bob then opens too. */
  direct = open_direct (alice, "bob");
  open_direct (bob, "alice");
  sotto_test_user_wait_members (direct, 2);
  sotto_test_user_wait_sent (sotto_test_user_say (alice, direct, "hi"));
  g_assert_false (sotto_room_has_system_text (direct, "bob joined"));

  sotto_client_close (alice);
  g_clear_object (&alice);
  alice = sotto_test_user_open (dir, address, "alice");
  sotto_test_user_account (alice, FALSE, "alice", PASSWORD, &error);
  g_assert_no_error (error);
  team = sotto_client_lookup_room (alice, "team");
  g_assert_nonnull (team);
  g_assert_true (sotto_room_has_system_text (team, "bob joined"));
  g_assert_false (sotto_room_has_system_text (sotto_client_lookup_room (alice, "@alice+bob"),
                                              "bob joined"));

  sotto_client_close (alice);
  sotto_client_close (bob);
  sotto_test_server_stop (server);
  sotto_test_remove_dir (dir);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sotto/client/read-position/restart", test_restart);
  g_test_add_func ("/sotto/client/events/restart", test_events);

  return g_test_run ();
}
