/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sodium.h>

#include "sotto-test-server-fixture.h"
#include "sotto-test-util.h"

/*
 * Who may remove whom, on the real server over loopback: a room's owner,
 * kicks that are bans and the list of them, and the operator's console.
 */

static void
test_kick_rights (SottoServerFixture *fixture,
                  gconstpointer       data)
{
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "alice");
  g_autoptr(SottoTestClient) bob = sotto_server_fixture_new_user (fixture, "bob");
  sotto_msg_unref (sotto_test_client_join (alice, "garden"));
  sotto_msg_unref (sotto_test_client_join (bob, "garden"));
  g_autoptr(SottoMsg) refused = NULL;
  g_autoptr(SottoMsg) general = NULL;
  g_autoptr(SottoMsg) left = NULL;

  /* Bob did not create the room: he cannot remove its creator. */
  sotto_test_client_send_take (bob, sotto_msg_build_kick ("k", "garden", "alice"));
  refused = sotto_test_client_expect_error (bob, "k", SOTTO_MSG_ERROR_CODE_FORBIDDEN);
  sotto_test_client_send_take (alice, sotto_msg_build_kick ("g", "general", "bob"));
  general = sotto_test_client_expect_error (alice, "g", SOTTO_MSG_ERROR_CODE_FORBIDDEN);

  sotto_test_client_send_take (alice, sotto_msg_build_kick ("k2", "garden", "bob"));
  sotto_test_client_expect_ok (alice, "k2");
  left = sotto_test_client_expect (bob, SOTTO_MSG_TYPE_MEMBER_LEFT);
  g_assert_cmpstr (sotto_msg_get_string (left, "user"), ==, "bob");
  g_assert_cmpint (sotto_msg_get_leave_reason (left), ==, SOTTO_MSG_LEAVE_REASON_KICKED);
}

static void
expect_banned (SottoTestClient *client,
               const char      *room)
{
  g_autoptr(SottoMsg) reply = sotto_test_client_request (client, sotto_msg_build_join, room);

  g_assert_cmpint (sotto_msg_get_msg_type (reply), ==, SOTTO_MSG_TYPE_ERROR);
  g_assert_cmpint (sotto_msg_get_error_code (reply), ==, SOTTO_MSG_ERROR_CODE_BANNED);
}

/* A kick is a ban: the one removed cannot join again, and hears nothing
 * more, until the room's creator lets them back. */
static void
test_kick_bans (SottoServerFixture *fixture,
                gconstpointer       data)
{
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "alice");
  g_autoptr(SottoTestClient) bob = sotto_server_fixture_new_user (fixture, "bob");
  g_autoptr(SottoTestClient) carol = sotto_server_fixture_new_user (fixture, "carol");
  sotto_msg_unref (sotto_test_client_join (alice, "garden"));
  sotto_msg_unref (sotto_test_client_join (bob, "garden"));
  sotto_msg_unref (sotto_test_client_join (carol, "garden"));
  g_autoptr(SottoMsg) left = NULL;
  g_autoptr(SottoMsg) msg = NULL;
  g_autoptr(SottoMsg) refused = NULL;
  g_autoptr(SottoMsg) direct = NULL;

  sotto_test_client_send_take (alice, sotto_msg_build_kick ("k", "garden", "bob"));
  sotto_test_client_expect_ok (alice, "k");
  left = sotto_test_client_expect (bob, SOTTO_MSG_TYPE_MEMBER_LEFT);
  g_assert_cmpint (sotto_msg_get_leave_reason (left), ==, SOTTO_MSG_LEAVE_REASON_KICKED);
  sotto_test_client_clear (bob);

  expect_banned (bob, "garden");
  sotto_msg_unref (sotto_test_client_say (alice, "garden", "after-kick", "not for bob"));
  msg = sotto_test_client_expect (carol, SOTTO_MSG_TYPE_MESSAGE);
  sotto_test_client_assert_none (bob, SOTTO_MSG_TYPE_MESSAGE, 200);
  sotto_test_client_assert_none (bob, SOTTO_MSG_TYPE_MEMBER_JOINED, 0);

  /* Kicking again, now that he is out, is a ban already in place. */
  sotto_test_client_send_take (alice, sotto_msg_build_kick ("k2", "garden", "bob"));
  sotto_test_client_expect_ok (alice, "k2");
  expect_banned (bob, "garden");

  /* A direct chat has no owner and no kick: opening one is not refused. */
  direct = sotto_test_client_request (bob, sotto_msg_build_open_direct, "alice");
  g_assert_cmpint (sotto_msg_get_msg_type (direct), ==, SOTTO_MSG_TYPE_JOINED);

  /* Only the creator lets anyone back, and nobody kicks themselves out. */
  sotto_test_client_send_take (carol, sotto_msg_build_unban ("u-carol", "garden", "bob"));
  refused = sotto_test_client_expect_error (carol, "u-carol", SOTTO_MSG_ERROR_CODE_FORBIDDEN);
  g_clear_pointer (&refused, sotto_msg_unref);
  sotto_test_client_send_take (bob, sotto_msg_build_unban ("u-bob", "garden", "bob"));
  refused = sotto_test_client_expect_error (bob, "u-bob", SOTTO_MSG_ERROR_CODE_NOT_MEMBER);
  g_clear_pointer (&refused, sotto_msg_unref);
  sotto_test_client_send_take (alice, sotto_msg_build_unban ("u-none", "garden", "nobody"));
  refused = sotto_test_client_expect_error (alice, "u-none", SOTTO_MSG_ERROR_CODE_NO_SUCH_USER);
  g_clear_pointer (&refused, sotto_msg_unref);
  sotto_test_client_send_take (alice, sotto_msg_build_unban ("u-room", "nowhere", "bob"));
  refused = sotto_test_client_expect_error (alice, "u-room", SOTTO_MSG_ERROR_CODE_NO_SUCH_ROOM);
  g_clear_pointer (&refused, sotto_msg_unref);
  sotto_test_client_send_take (alice, sotto_msg_build_kick ("k-self", "garden", "alice"));
  refused = sotto_test_client_expect_error (alice, "k-self", SOTTO_MSG_ERROR_CODE_FORBIDDEN);
  expect_banned (bob, "garden");

  /* Lifting a ban that is not there is fine. */
  sotto_test_client_send_take (alice, sotto_msg_build_unban ("u-carol-2", "garden", "carol"));
  sotto_test_client_expect_ok (alice, "u-carol-2");

  sotto_test_client_send_take (alice, sotto_msg_build_unban ("u", "garden", "bob"));
  sotto_test_client_expect_ok (alice, "u");
  sotto_msg_unref (sotto_test_client_join (bob, "garden"));
  g_clear_pointer (&msg, sotto_msg_unref);
  sotto_msg_unref (sotto_test_client_say (alice, "garden", "after-unban", "welcome back"));
  msg = sotto_test_client_expect (bob, SOTTO_MSG_TYPE_MESSAGE);
  sotto_test_assert_message (msg, "garden", "alice", "welcome back");
}

/* Clients learn who may remove people: the creator of a room is its
 * "owner" in "joined" and "members"; direct chats and "general" have none. */
static void
test_room_owner (SottoServerFixture *fixture,
                 gconstpointer       data)
{
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "alice");
  g_autoptr(SottoTestClient) bob = sotto_server_fixture_new_user (fixture, "bob");
  g_autoptr(SottoMsg) created = sotto_test_client_join (alice, "garden");
  g_autoptr(SottoMsg) joined = sotto_test_client_join (bob, "garden");
  g_autoptr(SottoMsg) members = NULL;
  g_autoptr(SottoMsg) general = NULL;
  g_autoptr(SottoMsg) general_members = NULL;
  g_autoptr(SottoMsg) direct = NULL;
  g_autoptr(SottoMsg) direct_members = NULL;

  g_assert_cmpstr (sotto_msg_get_string (created, "owner"), ==, "alice");
  g_assert_cmpstr (sotto_msg_get_string (joined, "owner"), ==, "alice");
  members = sotto_test_client_request (bob, sotto_msg_build_list_members, "garden");
  g_assert_cmpint (sotto_msg_get_msg_type (members), ==, SOTTO_MSG_TYPE_MEMBERS);
  g_assert_cmpstr (sotto_msg_get_string (members, "owner"), ==, "alice");

  general = sotto_test_client_join (alice, "general");
  g_assert_false (sotto_msg_has_field (general, "owner"));
  general_members = sotto_test_client_request (alice, sotto_msg_build_list_members, "general");
  g_assert_false (sotto_msg_has_field (general_members, "owner"));

  direct = sotto_test_client_request (alice, sotto_msg_build_open_direct, "bob");
  g_assert_cmpint (sotto_msg_get_msg_type (direct), ==, SOTTO_MSG_TYPE_JOINED);
  g_assert_false (sotto_msg_has_field (direct, "owner"));
  direct_members = sotto_test_client_request (bob, sotto_msg_build_list_members, "@alice+bob");
  g_assert_false (sotto_msg_has_field (direct_members, "owner"));
}

static SottoMsg *
list_bans (SottoTestClient *client,
           const char      *room)
{
  return sotto_test_client_request (client, sotto_msg_build_list_bans, room);
}

static void
assert_ban (SottoMsg   *bans,
            guint       index,
            const char *user,
            const char *banned_by,
            gint64      not_before)
{
  SottoWireBan ban;

  g_assert_true (sotto_msg_get_ban (bans, index, &ban));
  g_assert_cmpstr (ban.user, ==, user);
  g_assert_cmpstr (ban.banned_by, ==, banned_by);
  g_assert_cmpint (ban.ts, >=, not_before);
  g_assert_cmpint (ban.ts, <=, g_get_real_time () / 1000);
}

/* The creator sees who is kept out, by whom and since when, sorted by
 * name; nobody else does, and the list outlives a restart. */
static void
test_list_bans (SottoServerFixture *fixture,
                gconstpointer       data)
{
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "alice");
  g_autoptr(SottoTestClient) bob = sotto_server_fixture_new_user (fixture, "bob");
  g_autoptr(SottoTestClient) carol = sotto_server_fixture_new_user (fixture, "carol");
  g_autoptr(SottoTestClient) dave = sotto_server_fixture_new_user (fixture, "dave");
  gint64 before = g_get_real_time () / 1000;
  g_autoptr(SottoMsg) empty = NULL;
  g_autoptr(SottoMsg) bans = NULL;
  g_autoptr(SottoMsg) refused = NULL;
  g_autofree char *answer = NULL;
  SottoWireBan first;
  gint64 bob_since;

  sotto_msg_unref (sotto_test_client_join (alice, "garden"));
  sotto_msg_unref (sotto_test_client_join (bob, "garden"));
  sotto_msg_unref (sotto_test_client_join (carol, "garden"));
  sotto_msg_unref (sotto_test_client_join (dave, "garden"));

  empty = list_bans (alice, "garden");
  g_assert_cmpint (sotto_msg_get_msg_type (empty), ==, SOTTO_MSG_TYPE_BANS);
  g_assert_cmpstr (sotto_msg_get_string (empty, "room"), ==, "garden");
  g_assert_cmpuint (json_array_get_length (sotto_msg_get_array (empty, "bans")), ==, 0);

  /* Carol by the operator, bob by the creator. */
  answer = sotto_test_server_command (fixture->server, "/kick carol garden");
  g_assert_cmpstr (answer, ==, "carol was removed from garden.");
  sotto_test_client_send_take (alice, sotto_msg_build_kick ("k", "garden", "bob"));
  sotto_test_client_expect_ok (alice, "k");

  bans = list_bans (alice, "garden");
  g_assert_cmpint (sotto_msg_get_msg_type (bans), ==, SOTTO_MSG_TYPE_BANS);
  g_assert_cmpuint (json_array_get_length (sotto_msg_get_array (bans, "bans")), ==, 2);
  assert_ban (bans, 0, "bob", "alice", before);
  assert_ban (bans, 1, "carol", NULL, before);
  g_assert_true (sotto_msg_get_ban (bans, 0, &first));
  bob_since = first.ts;

  /* A member who did not create the room, and rooms nobody created. */
  sotto_test_client_send_take (dave, sotto_msg_build_list_bans ("d", "garden"));
  refused = sotto_test_client_expect_error (dave, "d", SOTTO_MSG_ERROR_CODE_FORBIDDEN);
  g_clear_pointer (&refused, sotto_msg_unref);
  sotto_msg_unref (sotto_test_client_join (alice, "general"));
  sotto_test_client_send_take (alice, sotto_msg_build_list_bans ("g", "general"));
  refused = sotto_test_client_expect_error (alice, "g", SOTTO_MSG_ERROR_CODE_FORBIDDEN);
  g_clear_pointer (&refused, sotto_msg_unref);
  sotto_msg_unref (sotto_test_client_request (alice, sotto_msg_build_open_direct, "dave"));
  sotto_test_client_send_take (alice, sotto_msg_build_list_bans ("dm", "@alice+dave"));
  refused = sotto_test_client_expect_error (alice, "dm", SOTTO_MSG_ERROR_CODE_FORBIDDEN);
  g_clear_pointer (&refused, sotto_msg_unref);
  sotto_test_client_send_take (bob, sotto_msg_build_list_bans ("b", "garden"));
  refused = sotto_test_client_expect_error (bob, "b", SOTTO_MSG_ERROR_CODE_NOT_MEMBER);
  g_clear_pointer (&refused, sotto_msg_unref);
  sotto_test_client_send_take (alice, sotto_msg_build_list_bans ("n", "nowhere"));
  refused = sotto_test_client_expect_error (alice, "n", SOTTO_MSG_ERROR_CODE_NO_SUCH_ROOM);

  /* Lifted bans leave the list; the others are kept as they were. */
  sotto_test_client_send_take (alice, sotto_msg_build_unban ("u", "garden", "carol"));
  sotto_test_client_expect_ok (alice, "u");
  g_clear_pointer (&alice, sotto_test_client_free);
  g_clear_pointer (&bob, sotto_test_client_free);
  g_clear_pointer (&carol, sotto_test_client_free);
  g_clear_pointer (&dave, sotto_test_client_free);
  sotto_test_server_stop (fixture->server);
  sotto_test_server_restart (fixture->server);

  alice = sotto_server_fixture_log_in (fixture, "alice");
  g_clear_pointer (&bans, sotto_msg_unref);
  bans = list_bans (alice, "garden");
  g_assert_cmpuint (json_array_get_length (sotto_msg_get_array (bans, "bans")), ==, 1);
  assert_ban (bans, 0, "bob", "alice", bob_since);
  g_assert_true (sotto_msg_get_ban (bans, 0, &first));
  g_assert_cmpint (first.ts, ==, bob_since);
}

/* The operator's kick bans too, and bans survive a restart. */
static void
test_operator_kick_bans (SottoServerFixture *fixture,
                         gconstpointer       data)
{
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "alice");
  g_autoptr(SottoTestClient) bob = sotto_server_fixture_new_user (fixture, "bob");
  sotto_msg_unref (sotto_test_client_join (alice, "garden"));
  sotto_msg_unref (sotto_test_client_join (bob, "garden"));
  g_autoptr(SottoMsg) left = NULL;
  g_autoptr(SottoMsg) msg = NULL;
  g_autofree char *answer = NULL;

  answer = sotto_test_server_command (fixture->server, "/kick bob garden");
  g_assert_cmpstr (answer, ==, "bob was removed from garden.");
  left = sotto_test_client_expect (bob, SOTTO_MSG_TYPE_MEMBER_LEFT);
  expect_banned (bob, "garden");

  g_clear_pointer (&alice, sotto_test_client_free);
  g_clear_pointer (&bob, sotto_test_client_free);
  sotto_test_server_stop (fixture->server);
  sotto_test_server_restart (fixture->server);

  alice = sotto_server_fixture_log_in (fixture, "alice");
  bob = sotto_server_fixture_log_in (fixture, "bob");
  expect_banned (bob, "garden");
  sotto_msg_unref (sotto_test_client_say (alice, "garden", "after-restart", "still not for bob"));
  sotto_test_client_assert_none (bob, SOTTO_MSG_TYPE_MESSAGE, 200);

  g_free (answer);
  answer = sotto_test_server_command (fixture->server, "/unban bob");
  g_assert_cmpstr (answer, ==, "Usage: /unban USER ROOM");
  g_free (answer);
  answer = sotto_test_server_command (fixture->server, "/unban nobody garden");
  g_assert_cmpstr (answer, ==, "There is no user nobody");
  g_free (answer);
  answer = sotto_test_server_command (fixture->server, "/unban bob garden");
  g_assert_cmpstr (answer, ==, "bob may join garden again.");

  sotto_msg_unref (sotto_test_client_join (bob, "garden"));
  sotto_msg_unref (sotto_test_client_say (alice, "garden", "after-unban", "hello again"));
  msg = sotto_test_client_expect (bob, SOTTO_MSG_TYPE_MESSAGE);
  sotto_test_assert_message (msg, "garden", "alice", "hello again");
}

static void
test_console (SottoServerFixture *fixture,
              gconstpointer       data)
{
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "alice");
  g_autoptr(SottoTestClient) bob = sotto_server_fixture_new_user (fixture, "bob");
  sotto_msg_unref (sotto_test_client_join (alice, "garden"));
  sotto_msg_unref (sotto_test_client_join (bob, "garden"));
  g_autoptr(SottoMsg) notice = NULL;
  g_autoptr(SottoMsg) left = NULL;
  g_autofree char *answer = NULL;

  g_free (answer);
  answer = sotto_test_server_command (fixture->server, "/broadcast Maintenance at noon");
  g_assert_cmpstr (answer, ==, "Sent to everyone online.");
  notice = sotto_test_client_expect (alice, SOTTO_MSG_TYPE_NOTICE);
  g_assert_cmpstr (sotto_msg_get_string (notice, "text"), ==, "Maintenance at noon");
  g_clear_pointer (&notice, sotto_msg_unref);
  notice = sotto_test_client_expect (bob, SOTTO_MSG_TYPE_NOTICE);

  g_free (answer);
  answer = sotto_test_server_command (fixture->server, "/users");
  g_assert_cmpstr (answer, ==, "Online (2): alice bob");
  g_free (answer);
  answer = sotto_test_server_read_line (fixture->server);
  g_assert_cmpstr (answer, ==, "Offline (0):");

  g_free (answer);
  answer = sotto_test_server_command (fixture->server, "/kick bob garden");
  g_assert_cmpstr (answer, ==, "bob was removed from garden.");
  left = sotto_test_client_expect (alice, SOTTO_MSG_TYPE_MEMBER_LEFT);
  g_assert_cmpint (sotto_msg_get_leave_reason (left), ==, SOTTO_MSG_LEAVE_REASON_KICKED);

  g_free (answer);
  answer = sotto_test_server_command (fixture->server, "/kick nobody");
  g_assert_cmpstr (answer, ==, "There is no user nobody");

  g_free (answer);
  answer = sotto_test_server_command (fixture->server, "/kick bob");
  g_assert_cmpstr (answer, ==, "bob was disconnected.");
  sotto_test_client_wait_closed (bob);

  g_free (answer);
  answer = sotto_test_server_command (fixture->server, "/frobnicate");
  g_assert_true (g_str_has_prefix (answer, "Unknown command /frobnicate"));

  g_free (answer);
  answer = sotto_test_server_command (fixture->server, "/quit");
  g_assert_cmpstr (answer, ==, "Stopping the server.");
  sotto_test_client_wait_closed (alice);
}

/* The end of the console's input ends the console, not the server. */
static void
test_console_closed (SottoServerFixture *fixture,
                     gconstpointer       data)
{
  g_autoptr(SottoTestClient) alice = NULL;

  sotto_test_server_close_stdin (fixture->server);
  sotto_test_iterate (200);
  g_assert_true (sotto_test_server_is_running (fixture->server));
  alice = sotto_server_fixture_new_user (fixture, "alice");
  sotto_msg_unref (sotto_test_client_say (alice, "general", "still-here", "still here"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (sodium_init (), >=, 0);

  SOTTO_SERVER_FIXTURE_ADD ("kick-rights", test_kick_rights);
  SOTTO_SERVER_FIXTURE_ADD ("kick-bans", test_kick_bans);
  SOTTO_SERVER_FIXTURE_ADD ("operator-kick-bans", test_operator_kick_bans);
  SOTTO_SERVER_FIXTURE_ADD ("room-owner", test_room_owner);
  SOTTO_SERVER_FIXTURE_ADD ("list-bans", test_list_bans);
  SOTTO_SERVER_FIXTURE_ADD ("console", test_console);
  SOTTO_SERVER_FIXTURE_ADD ("console-closed", test_console_closed);

  return g_test_run ();
}
