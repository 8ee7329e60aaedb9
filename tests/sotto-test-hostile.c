/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sotto-test-hostile.h"
#include "sotto-test-util.h"

void
sotto_hostile_fixture_setup (SottoHostileFixture *fixture,
                             gconstpointer        data)
{
  fixture->server = sotto_test_server_start (NULL, NULL);
  fixture->proxy = sotto_test_proxy_start (fixture->server);
  fixture->dir = sotto_test_make_data_dir ();
}

void
sotto_hostile_fixture_teardown (SottoHostileFixture *fixture,
                                gconstpointer        data)
{
  g_clear_pointer (&fixture->proxy, sotto_test_proxy_free);
  if (sotto_test_server_is_running (fixture->server))
    sotto_test_server_stop (fixture->server);
  g_clear_pointer (&fixture->server, sotto_test_server_free);
  sotto_test_remove_dir (fixture->dir);
  g_free (fixture->dir);
}

gboolean
sotto_hostile_wake_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* A new account, on a computer of its own, talking through the proxy. */
SottoClient *
sotto_hostile_new_user (SottoHostileFixture *fixture,
                        const char          *user)
{
  return sotto_test_user_new (fixture->dir, sotto_test_proxy_get_address (fixture->proxy), user,
                              SOTTO_HOSTILE_PASSWORD);
}

/* @user logging in again on their computer, through the proxy. */
SottoClient *
sotto_hostile_log_in (SottoHostileFixture *fixture,
                      const char          *user)
{
  SottoClient *client = sotto_test_user_open (fixture->dir,
                                              sotto_test_proxy_get_address (fixture->proxy),
                                              user);
  g_autoptr(GError) error = NULL;

  sotto_test_user_account (client, FALSE, user, SOTTO_HOSTILE_PASSWORD, &error);
  g_assert_no_error (error);

  return client;
}

typedef struct
{
  gboolean   done;
  GPtrArray *rooms;
  GError    *error;
} Listing;

static void
listed_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Listing *listing = user_data;

  listing->rooms = sotto_client_list_rooms_finish (SOTTO_CLIENT (object), result,
                                                   &listing->error);
  listing->done = TRUE;
}

/* A request and its answer: what the proxy sent @client before it, the
 * client has handled by the time the answer comes. */
void
sotto_hostile_round_trip (SottoClient *client)
{
  Listing listing = { FALSE };

  sotto_client_list_rooms_async (client, NULL, listed_cb, &listing);
  SOTTO_HOSTILE_WAIT_UNTIL (listing.done, "the list of rooms");
  g_assert_no_error (listing.error);
  g_ptr_array_unref (listing.rooms);
}

/* Both in "lobby", each knowing the other, so that keys reach them, and
 * both caught up on "general" (every account's) and "lobby". Before its
 * catch-up ends, a joined room's events may come twice, live and caught
 * up: the exact counts of the tests wait for that. */
void
sotto_hostile_join_lobby (SottoHostileFixture  *fixture,
                          SottoClient          *alice,
                          SottoClient          *bob,
                          SottoRoom           **alice_room,
                          SottoRoom           **bob_room)
{
  SottoTestProxy *proxy = fixture->proxy;
  const char *alice_name = sotto_client_get_user (alice);
  const char *bob_name = sotto_client_get_user (bob);

  *alice_room = sotto_test_user_join (alice, "lobby");
  *bob_room = sotto_test_user_join (bob, "lobby");
  SOTTO_HOSTILE_WAIT_UNTIL (sotto_room_lookup_member (*alice_room, bob_name) != NULL,
                            "the first to see the second");
  SOTTO_HOSTILE_WAIT_UNTIL (sotto_room_lookup_member (*bob_room, alice_name) != NULL,
                            "the second to see the first");
  SOTTO_HOSTILE_WAIT_UNTIL (sotto_test_proxy_count (proxy, alice_name, SOTTO_TEST_PROXY_TO_CLIENT,
                                                    "catchup_done") >= 2,
                            "the first to catch up");
  SOTTO_HOSTILE_WAIT_UNTIL (sotto_test_proxy_count (proxy, bob_name, SOTTO_TEST_PROXY_TO_CLIENT,
                                                    "catchup_done") >= 2,
                            "the second to catch up");
  sotto_hostile_round_trip (alice);
  sotto_hostile_round_trip (bob);
}
