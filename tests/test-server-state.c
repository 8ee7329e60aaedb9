/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sodium.h>

#include "sotto-test-server-fixture.h"

/*
 * The room state chain on the real server over loopback: opaque events
 * that members append at consecutive indexes, relayed to every member,
 * paged through on catch-up, and kept across a restart.
 */

static void
expect_state_event (SottoTestClient *client,
                    const char      *room,
                    gint64           index,
                    const char      *sender,
                    const char      *text)
{
  g_autoptr(SottoMsg) msg = sotto_test_client_expect (client, SOTTO_MSG_TYPE_STATE_EVENT);

  sotto_test_assert_state_event (msg, room, index, sender, text);
}

static gint64
members_state_length (SottoTestClient *client,
                      const char      *room)
{
  g_autoptr(SottoMsg) members = sotto_test_client_request (client, sotto_msg_build_list_members,
                                                           room);

  g_assert_cmpint (sotto_msg_get_msg_type (members), ==, SOTTO_MSG_TYPE_MEMBERS);
  return sotto_msg_get_int (members, "state_length");
}

/* Members append at the next index, in turn; every member hears of each
 * event, the sender included, and a late joiner learns the length. */
static void
test_state_append (SottoServerFixture *fixture,
                   gconstpointer       data)
{
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "alice");
  g_autoptr(SottoTestClient) bob = sotto_server_fixture_new_user (fixture, "bob");
  g_autoptr(SottoTestClient) carol = sotto_server_fixture_new_user (fixture, "carol");
  g_autoptr(SottoMsg) joined = sotto_test_client_join (alice, "garden");
  g_autoptr(SottoMsg) carol_joined = NULL;

  sotto_msg_unref (sotto_test_client_join (bob, "garden"));
  g_assert_cmpint (sotto_msg_get_int (joined, "state_length"), ==, 0);

  sotto_test_client_append_state_ok (alice, "garden", 0, "create by alice");
  expect_state_event (alice, "garden", 0, "alice", "create by alice");
  expect_state_event (bob, "garden", 0, "alice", "create by alice");

  sotto_test_client_append_state_ok (bob, "garden", 1, "join by bob");
  expect_state_event (alice, "garden", 1, "bob", "join by bob");
  expect_state_event (bob, "garden", 1, "bob", "join by bob");

  /* Nobody outside the room hears of it. */
  sotto_test_client_assert_none (carol, SOTTO_MSG_TYPE_STATE_EVENT, 100);

  g_assert_cmpint (members_state_length (alice, "garden"), ==, 2);
  carol_joined = sotto_test_client_join (carol, "garden");
  g_assert_cmpint (sotto_msg_get_int (carol_joined, "state_length"), ==, 2);
  g_assert_cmpint (sotto_msg_get_int (joined, "last_seq"), >, 0);

  /* Rooms without a chain say 0. */
  g_assert_cmpint (members_state_length (alice, "general"), ==, 0);
}

/* Only the next index is taken, only from a member, only up to 4 KiB;
 * whatever is refused changes nothing. */
static void
test_state_refused (SottoServerFixture *fixture,
                    gconstpointer       data)
{
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "alice");
  g_autoptr(SottoTestClient) bob = sotto_server_fixture_new_user (fixture, "bob");
  g_autoptr(SottoTestClient) mallory = sotto_server_fixture_new_user (fixture, "mallory");
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) sotto_msg_unref);
  g_autoptr(GBytes) big = NULL;
  g_autoptr(SottoMsg) reply = NULL;
  g_autoptr(SottoMsg) done = NULL;
  guint8 *big_data;

  sotto_msg_unref (sotto_test_client_join (alice, "garden"));
  sotto_msg_unref (sotto_test_client_join (bob, "garden"));
  sotto_test_client_append_state_ok (alice, "garden", 0, "create");
  expect_state_event (bob, "garden", 0, "alice", "create");

  /* Bob has not seen alice's second event: his is refused. */
  sotto_test_client_append_state_ok (alice, "garden", 1, "second");
  reply = sotto_test_client_append_state (bob, "garden", 1, "fork");
  g_assert_cmpint (sotto_msg_get_error_code (reply), ==, SOTTO_MSG_ERROR_CODE_CONFLICT);
  g_clear_pointer (&reply, sotto_msg_unref);
  reply = sotto_test_client_append_state (bob, "garden", 0, "fork");
  g_assert_cmpint (sotto_msg_get_error_code (reply), ==, SOTTO_MSG_ERROR_CODE_CONFLICT);
  g_clear_pointer (&reply, sotto_msg_unref);
  reply = sotto_test_client_append_state (bob, "garden", 7, "ahead");
  g_assert_cmpint (sotto_msg_get_error_code (reply), ==, SOTTO_MSG_ERROR_CODE_CONFLICT);
  g_clear_pointer (&reply, sotto_msg_unref);

  /* Outsiders may neither append nor read. */
  reply = sotto_test_client_append_state (mallory, "garden", 2, "intruder");
  g_assert_cmpint (sotto_msg_get_error_code (reply), ==, SOTTO_MSG_ERROR_CODE_NOT_MEMBER);
  g_clear_pointer (&reply, sotto_msg_unref);
  done = sotto_test_client_state_catchup (mallory, "garden", 0, 10, events);
  g_assert_cmpint (sotto_msg_get_error_code (done), ==, SOTTO_MSG_ERROR_CODE_NOT_MEMBER);
  g_assert_cmpuint (events->len, ==, 0);
  g_clear_pointer (&done, sotto_msg_unref);
  reply = sotto_test_client_append_state (alice, "nowhere", 0, "void");
  g_assert_cmpint (sotto_msg_get_error_code (reply), ==, SOTTO_MSG_ERROR_CODE_NO_SUCH_ROOM);
  g_clear_pointer (&reply, sotto_msg_unref);

  /* An event over 4096 bytes breaks the field rule. */
  big_data = g_malloc0 (SOTTO_PROTOCOL_STATE_EVENT_MAX_SIZE + 1);
  big = g_bytes_new_take (big_data, SOTTO_PROTOCOL_STATE_EVENT_MAX_SIZE + 1);
  sotto_test_client_send_take (alice, sotto_msg_build_state ("big", "garden", 2, big));
  reply = sotto_test_client_expect_error (alice, "big", SOTTO_MSG_ERROR_CODE_BAD_REQUEST);
  g_clear_pointer (&reply, sotto_msg_unref);

  /* Alice's own second event came through; nothing else did. */
  expect_state_event (bob, "garden", 1, "alice", "second");
  sotto_test_client_assert_none (bob, SOTTO_MSG_TYPE_STATE_EVENT, 100);
  sotto_test_client_assert_none (mallory, SOTTO_MSG_TYPE_STATE_EVENT, 0);
  g_assert_cmpint (members_state_length (bob, "garden"), ==, 2);
  expect_state_event (alice, "garden", 0, "alice", "create");
  expect_state_event (alice, "garden", 1, "alice", "second");
  done = sotto_test_client_state_catchup (alice, "garden", 0, 10, events);
  g_assert_cmpuint (events->len, ==, 2);
  sotto_test_assert_state_event (g_ptr_array_index (events, 1), "garden", 1, "alice", "second");

  /* Bob catches up and tries again. */
  sotto_test_client_append_state_ok (bob, "garden", 2, "join by bob");
}

/* Catch-up pages through the chain from any index, and says where it
 * ends and whether there is more. */
static void
test_state_catchup (SottoServerFixture *fixture,
                    gconstpointer       data)
{
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "alice");
  g_autoptr(SottoTestClient) bob = sotto_server_fixture_new_user (fixture, "bob");
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) sotto_msg_unref);
  g_autoptr(SottoMsg) done = NULL;

  sotto_msg_unref (sotto_test_client_join (alice, "garden"));
  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *text = g_strdup_printf ("event %u", i);

      sotto_test_client_append_state_ok (alice, "garden", i, text);
    }
  sotto_msg_unref (sotto_test_client_join (bob, "garden"));

  done = sotto_test_client_state_catchup (bob, "garden", 0, 2, events);
  g_assert_cmpint (sotto_msg_get_int (done, "length"), ==, 5);
  g_assert_true (sotto_msg_get_bool (done, "more"));
  g_assert_cmpuint (events->len, ==, 2);
  sotto_test_assert_state_event (g_ptr_array_index (events, 0), "garden", 0, "alice", "event 0");
  sotto_test_assert_state_event (g_ptr_array_index (events, 1), "garden", 1, "alice", "event 1");
  g_clear_pointer (&done, sotto_msg_unref);

  done = sotto_test_client_state_catchup (bob, "garden", 1, 10, events);
  g_assert_cmpint (sotto_msg_get_int (done, "length"), ==, 5);
  g_assert_false (sotto_msg_get_bool (done, "more"));
  g_assert_cmpuint (events->len, ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *text = g_strdup_printf ("event %u", i + 1);

      sotto_test_assert_state_event (g_ptr_array_index (events, i), "garden", i + 1, "alice", text);
    }
  g_clear_pointer (&done, sotto_msg_unref);

  /* Exactly to the end: nothing more. */
  done = sotto_test_client_state_catchup (bob, "garden", 3, 2, events);
  g_assert_cmpuint (events->len, ==, 2);
  g_assert_false (sotto_msg_get_bool (done, "more"));
  g_clear_pointer (&done, sotto_msg_unref);

  /* At or past the end: no events, the length. */
  done = sotto_test_client_state_catchup (bob, "garden", 5, 10, events);
  g_assert_cmpuint (events->len, ==, 0);
  g_assert_cmpint (sotto_msg_get_int (done, "length"), ==, 5);
  g_assert_false (sotto_msg_get_bool (done, "more"));
  g_clear_pointer (&done, sotto_msg_unref);
  done = sotto_test_client_state_catchup (bob, "garden", 99, 10, events);
  g_assert_cmpuint (events->len, ==, 0);
  g_assert_false (sotto_msg_get_bool (done, "more"));
}

/* The chain, its length and its next index outlive a restart. */
static void
test_state_restart (SottoServerFixture *fixture,
                    gconstpointer       data)
{
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "alice");
  g_autoptr(SottoTestClient) bob = sotto_server_fixture_new_user (fixture, "bob");
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) sotto_msg_unref);
  g_autoptr(SottoMsg) done = NULL;
  g_autoptr(SottoMsg) reply = NULL;
  g_autoptr(SottoMsg) joined = NULL;

  sotto_msg_unref (sotto_test_client_join (alice, "garden"));
  sotto_msg_unref (sotto_test_client_join (bob, "garden"));
  sotto_test_client_append_state_ok (alice, "garden", 0, "create");
  sotto_test_client_append_state_ok (bob, "garden", 1, "join");
  sotto_test_client_append_state_ok (alice, "garden", 2, "topic");
  g_clear_pointer (&alice, sotto_test_client_free);
  g_clear_pointer (&bob, sotto_test_client_free);
  sotto_test_server_stop (fixture->server);
  sotto_test_server_restart (fixture->server);

  alice = sotto_server_fixture_log_in (fixture, "alice");
  bob = sotto_server_fixture_log_in (fixture, "bob");
  g_assert_cmpint (members_state_length (alice, "garden"), ==, 3);
  joined = sotto_test_client_join (bob, "garden");
  g_assert_cmpint (sotto_msg_get_int (joined, "state_length"), ==, 3);

  done = sotto_test_client_state_catchup (bob, "garden", 0, 100, events);
  g_assert_cmpint (sotto_msg_get_int (done, "length"), ==, 3);
  g_assert_cmpuint (events->len, ==, 3);
  sotto_test_assert_state_event (g_ptr_array_index (events, 0), "garden", 0, "alice", "create");
  sotto_test_assert_state_event (g_ptr_array_index (events, 1), "garden", 1, "bob", "join");
  sotto_test_assert_state_event (g_ptr_array_index (events, 2), "garden", 2, "alice", "topic");

  reply = sotto_test_client_append_state (bob, "garden", 2, "late");
  g_assert_cmpint (sotto_msg_get_error_code (reply), ==, SOTTO_MSG_ERROR_CODE_CONFLICT);
  sotto_test_client_append_state_ok (bob, "garden", 3, "next");
  expect_state_event (alice, "garden", 3, "bob", "next");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (sodium_init (), >=, 0);

  SOTTO_SERVER_FIXTURE_ADD ("state/append", test_state_append);
  SOTTO_SERVER_FIXTURE_ADD ("state/refused", test_state_refused);
  SOTTO_SERVER_FIXTURE_ADD ("state/catchup", test_state_catchup);
  SOTTO_SERVER_FIXTURE_ADD ("state/restart", test_state_restart);

  return g_test_run ();
}
