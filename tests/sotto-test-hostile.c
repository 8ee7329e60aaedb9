/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sqlite3.h>

#include "sotto-msg-builder.h"
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
  SOTTO_HOSTILE_WAIT_UNTIL (sotto_member_get_standing (sotto_room_lookup_member (*alice_room,
                                                                                 bob_name)) ==
                            SOTTO_MEMBER_STANDING_CONFIRMED, "the first to confirm the second");
  SOTTO_HOSTILE_WAIT_UNTIL (sotto_member_get_standing (sotto_room_lookup_member (*bob_room,
                                                                                 alice_name)) ==
                            SOTTO_MEMBER_STANDING_CONFIRMED, "the second to confirm the first");
  sotto_hostile_round_trip (alice);
  sotto_hostile_round_trip (bob);
}

/* The signed state of @room as the server holds it, read from its
 * database: what a hostile server knows of the chain it relays. */
SottoRoomState *
sotto_hostile_server_state (SottoHostileFixture *fixture,
                            const char          *room)
{
  return sotto_hostile_server_state_upto (fixture, room, G_MAXUINT64);
}

/* As sotto_hostile_server_state(), its first @length events only. */
SottoRoomState *
sotto_hostile_server_state_upto (SottoHostileFixture *fixture,
                                 const char          *room,
                                 guint64              length)
{
  g_autofree char *path = g_build_filename (sotto_test_server_get_data_dir (fixture->server),
                                            "sotto.db", NULL);
  g_autoptr(SottoRoomState) state = NULL;
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT body FROM room_state WHERE room_id ="
                                       " (SELECT id FROM rooms WHERE name = ?1) ORDER BY idx",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, room, -1, SQLITE_STATIC);

  state = sotto_room_state_new (room, NULL, NULL);
  while (sotto_room_state_get_length (state) < length && sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_autoptr(GBytes) event = g_bytes_new (sqlite3_column_blob (stmt, 0),
                                             (gsize) sqlite3_column_bytes (stmt, 0));
      gboolean taken = FALSE;

      sotto_room_state_take (state, event, &taken, NULL);
      g_assert_true (taken);
    }

  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return g_steal_pointer (&state);
}

/* The server makes up a join to @room in the name of @name, signed with
 * @keys (its own), at the end of the chain it holds, and shows it to
 * @to alone, as the room's next state event. */
void
sotto_hostile_forge_join (SottoHostileFixture *fixture,
                          const char          *room,
                          const char          *name,
                          SottoIdentity       *keys,
                          const char          *to)
{
  sotto_hostile_forge_join_at (fixture, room, G_MAXUINT64, name, keys, to);
}

/* As sotto_hostile_forge_join(), at @index of the chain: in place of the
 * event the server holds there, if any. */
void
sotto_hostile_forge_join_at (SottoHostileFixture *fixture,
                             const char          *room,
                             guint64              index,
                             const char          *name,
                             SottoIdentity       *keys,
                             const char          *to)
{
  g_autoptr(SottoRoomState) state = sotto_hostile_server_state_upto (fixture, room, index);
  g_auto(SottoRoomEvent) event = { 0 };
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(GBytes) relayed = NULL;
  g_autoptr(GError) error = NULL;

  sotto_room_state_prepare (state, &event, SOTTO_ROOM_EVENT_JOIN, name, NULL, 0);
  event.has_identity = TRUE;
  event.identity = *sotto_identity_get_public (keys);
  sealed = sotto_room_event_seal (&event, keys, &error);
  g_assert_no_error (error);

  relayed = sotto_msg_build_state_event (room, (gint64) event.index, name,
                                         g_get_real_time () / 1000, sealed);
  sotto_test_proxy_inject_to_user (fixture->proxy, to, relayed);
}
