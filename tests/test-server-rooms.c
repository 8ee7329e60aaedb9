/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sodium.h>

#include "sotto-test-server-fixture.h"
#include "sotto-test-util.h"

/*
 * Rooms on the real server over loopback: joining and leaving, relaying
 * messages and key boxes to members only, catch-up, typing, direct chats,
 * and how much history a room keeps.
 */

static GBytes *
build_list_rooms (const char *id,
                  const char *unused)
{
  return sotto_msg_build_list_rooms (id);
}

static void
test_rooms (SottoServerFixture *fixture,
            gconstpointer       data)
{
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "alice");
  g_autoptr(SottoTestClient) bob = sotto_server_fixture_new_user (fixture, "bob");
  g_autoptr(SottoMsg) joined = sotto_test_client_join (alice, "lobby");
  g_autoptr(SottoMsg) bob_joined = NULL;
  g_autoptr(SottoMsg) seen = NULL;
  g_autoptr(SottoMsg) list = NULL;
  g_autoptr(SottoMsg) members = NULL;
  g_autoptr(SottoMsg) left = NULL;
  g_autoptr(SottoMsg) not_member = NULL;
  SottoWireMember member;
  SottoWireIdentity bob_identity;
  gboolean found_lobby = FALSE;

  g_assert_false (sotto_msg_get_bool (joined, "direct"));
  g_assert_cmpint (sotto_msg_get_int (joined, "last_seq"), ==, 1);

  bob_joined = sotto_test_client_join (bob, "lobby");
  g_assert_cmpuint (json_array_get_length (sotto_msg_get_array (bob_joined, "members")), ==, 2);

  /* Alice hears of Bob, with his identity keys. */
  seen = sotto_test_client_expect (alice, SOTTO_MSG_TYPE_MEMBER_JOINED);
  /* Members hear of every join, their own included: it has a seq. */
  while (g_strcmp0 (sotto_msg_get_string (seen, "room"), "lobby") != 0 ||
         g_strcmp0 (sotto_msg_get_string (seen, "user"), "alice") == 0)
    {
      sotto_msg_unref (seen);
      seen = sotto_test_client_expect (alice, SOTTO_MSG_TYPE_MEMBER_JOINED);
    }
  g_assert_cmpstr (sotto_msg_get_string (seen, "user"), ==, "bob");
  g_assert_cmpint (sotto_msg_get_int (seen, "seq"), ==, 2);

  list = sotto_test_client_request (bob, build_list_rooms, NULL);
  for (guint i = 0; i < json_array_get_length (sotto_msg_get_array (list, "rooms")); i++)
    {
      SottoWireRoomSummary summary;

      g_assert_true (sotto_msg_get_room_summary (list, i, &summary));
      if (g_str_equal (summary.room, "lobby"))
        {
          found_lobby = TRUE;
          g_assert_cmpint (summary.members, ==, 2);
        }
    }
  g_assert_true (found_lobby);

  members = sotto_test_client_request (alice, sotto_msg_build_list_members, "lobby");
  g_assert_cmpint (sotto_msg_get_msg_type (members), ==, SOTTO_MSG_TYPE_MEMBERS);
  g_assert_true (sotto_msg_get_member (members, 1, &member));
  g_assert_cmpstr (member.user, ==, "bob");
  g_assert_true (member.online);
  sotto_test_client_identity (bob, &bob_identity);
  g_assert_cmpmem (&member.identity, sizeof member.identity, &bob_identity, sizeof bob_identity);

  sotto_test_client_send_take (bob, sotto_msg_build_leave ("leave-1", "lobby"));
  sotto_test_client_expect_ok (bob, "leave-1");
  left = sotto_test_client_expect (alice, SOTTO_MSG_TYPE_MEMBER_LEFT);
  g_assert_cmpstr (sotto_msg_get_string (left, "user"), ==, "bob");
  g_assert_cmpint (sotto_msg_get_leave_reason (left), ==, SOTTO_MSG_LEAVE_REASON_LEFT);
  g_clear_pointer (&left, sotto_msg_unref);
  /* The one who left hears it too, from the same stored event. */
  left = sotto_test_client_expect (bob, SOTTO_MSG_TYPE_MEMBER_LEFT);
  g_assert_cmpint (sotto_msg_get_int (left, "seq"), ==, 3);
  not_member = sotto_test_client_request (bob, sotto_msg_build_list_members, "lobby");
  g_assert_cmpint (sotto_msg_get_error_code (not_member), ==, SOTTO_MSG_ERROR_CODE_NOT_MEMBER);
}

/* Each online member gets each message once, in order, with its seq. */
static void
test_relay (SottoServerFixture *fixture,
            gconstpointer       data)
{
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "alice");
  g_autoptr(SottoTestClient) bob = sotto_server_fixture_new_user (fixture, "bob");
  g_autoptr(SottoTestClient) carol = sotto_server_fixture_new_user (fixture, "carol");
  g_autoptr(SottoTestClient) outsider = sotto_server_fixture_new_user (fixture, "dave");
  SottoTestClient *members[] = { bob, carol };
  sotto_msg_unref (sotto_test_client_join (alice, "lobby"));
  sotto_msg_unref (sotto_test_client_join (bob, "lobby"));
  sotto_msg_unref (sotto_test_client_join (carol, "lobby"));
  gint64 first_seq = 0;

  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *msg_id = g_strdup_printf ("m%u", i);
      g_autofree char *text = g_strdup_printf ("ciphertext %u", i);
      g_autoptr(SottoMsg) sent = sotto_test_client_say (alice, "lobby", msg_id, text);

      g_assert_cmpstr (sotto_msg_get_string (sent, "msg_id"), ==, msg_id);
      if (i == 0)
        first_seq = sotto_msg_get_int (sent, "seq");
      g_assert_cmpint (sotto_msg_get_int (sent, "seq"), ==, first_seq + i);
      g_assert_cmpint (sotto_msg_get_int (sent, "ts"), >, 0);
    }

  for (guint m = 0; m < G_N_ELEMENTS (members); m++)
    for (guint i = 0; i < 10; i++)
      {
        g_autoptr(SottoMsg) msg = sotto_test_client_expect (members[m], SOTTO_MSG_TYPE_MESSAGE);
        g_autofree char *text = g_strdup_printf ("ciphertext %u", i);

        sotto_test_assert_message (msg, "lobby", "alice", text);
        g_assert_cmpint (sotto_msg_get_int (msg, "seq"), ==, first_seq + i);
      }

  /* The sender's own connection has the "sent"; nobody else hears it. */
  sotto_test_client_assert_none (alice, SOTTO_MSG_TYPE_MESSAGE, 100);
  sotto_test_client_assert_none (outsider, SOTTO_MSG_TYPE_MESSAGE, 0);
  for (guint m = 0; m < G_N_ELEMENTS (members); m++)
    sotto_test_client_assert_none (members[m], SOTTO_MSG_TYPE_MESSAGE, 0);

  /* Only members may speak. */
  {
    g_autoptr(GBytes) envelope = sotto_test_envelope_of ("x");
    g_autoptr(SottoMsg) refused = NULL;

    sotto_test_client_send_take (outsider, sotto_msg_build_send ("no", "lobby", "m0", envelope));
    refused = sotto_test_client_expect_error (outsider, "no", SOTTO_MSG_ERROR_CODE_NOT_MEMBER);
  }
}

/* The same message id twice is stored once and acknowledged twice with the
 * same number, whether the first was committed yet or not. */
static void
test_idempotent_resend (SottoServerFixture *fixture,
                        gconstpointer       data)
{
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "alice");
  g_autoptr(SottoTestClient) bob = sotto_server_fixture_new_user (fixture, "bob");
  g_autoptr(SottoMsg) first = NULL;
  g_autoptr(SottoMsg) again = NULL;
  g_autoptr(GBytes) envelope = sotto_test_envelope_of ("once");
  g_autoptr(SottoMsg) a = NULL;
  g_autoptr(SottoMsg) b = NULL;
  g_autoptr(SottoMsg) delivered = NULL;

  first = sotto_test_client_say (alice, "general", "same-id", "once");
  again = sotto_test_client_say (alice, "general", "same-id", "once");
  g_assert_cmpint (sotto_msg_get_int (first, "seq"), ==, sotto_msg_get_int (again, "seq"));
  g_assert_cmpint (sotto_msg_get_int (first, "ts"), ==, sotto_msg_get_int (again, "ts"));

  /* Both in one frame: the second arrives before the first is committed. */
  sotto_test_client_send_take (alice, sotto_msg_build_send ("a", "general", "twin", envelope));
  sotto_test_client_send_take (alice, sotto_msg_build_send ("b", "general", "twin", envelope));
  a = sotto_test_client_expect_reply (alice, "a");
  b = sotto_test_client_expect_reply (alice, "b");
  g_assert_cmpint (sotto_msg_get_msg_type (a), ==, SOTTO_MSG_TYPE_SENT);
  g_assert_cmpint (sotto_msg_get_msg_type (b), ==, SOTTO_MSG_TYPE_SENT);
  g_assert_cmpint (sotto_msg_get_int (a, "seq"), ==, sotto_msg_get_int (b, "seq"));

  delivered = sotto_test_client_expect (bob, SOTTO_MSG_TYPE_MESSAGE);
  g_clear_pointer (&delivered, sotto_msg_unref);
  delivered = sotto_test_client_expect (bob, SOTTO_MSG_TYPE_MESSAGE);
  sotto_test_client_assert_none (bob, SOTTO_MSG_TYPE_MESSAGE, 200);
}

/* What was said while Bob was away reaches him on catch-up: all of it, in
 * order, once. */
static void
test_catch_up (SottoServerFixture *fixture,
               gconstpointer       data)
{
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "alice");
  g_autoptr(SottoTestClient) bob = sotto_server_fixture_new_user (fixture, "bob");
  g_autoptr(SottoMsg) joined = sotto_test_client_join (bob, "lobby");
  sotto_msg_unref (sotto_test_client_join (alice, "lobby"));
  gint64 bob_has = sotto_msg_get_int (joined, "last_seq");
  SottoTestCatchUp result = { g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL), 0 };

  g_clear_pointer (&bob, sotto_test_client_free);

  for (guint i = 0; i < 25; i++)
    {
      g_autofree char *msg_id = g_strdup_printf ("away-%u", i);
      sotto_msg_unref (sotto_test_client_say (alice, "lobby", msg_id, "while you were out"));
    }

  bob = sotto_server_fixture_log_in (fixture, "bob");
  sotto_test_client_catch_up (bob, "lobby", bob_has, 10, &result);

  g_assert_cmpuint (g_hash_table_size (result.seen), ==, 25);
  for (guint i = 0; i < 25; i++)
    {
      g_autofree char *msg_id = g_strdup_printf ("away-%u", i);

      g_assert_true (g_hash_table_contains (result.seen, msg_id));
    }

  /* Caught up: asking again gives nothing more. */
  g_hash_table_remove_all (result.seen);
  sotto_test_client_catch_up (bob, "lobby", result.last, 10, &result);
  g_assert_cmpuint (g_hash_table_size (result.seen), ==, 0);
  g_hash_table_unref (result.seen);
}

/* Requests sent together are answered in the order sent, though the
 * catch-up waits on the store and the room list does not: the catch-up's
 * events and its "catchup_done" come before the list. */
static void
test_catch_up_in_order (SottoServerFixture *fixture,
                        gconstpointer       data)
{
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "alice");
  g_autoptr(SottoTestClient) bob = sotto_server_fixture_new_user (fixture, "bob");
  g_autoptr(SottoMsg) joined = sotto_test_client_join (bob, "lobby");
  gint64 bob_has = sotto_msg_get_int (joined, "last_seq");
  guint events = 0;
  gboolean done = FALSE;
  gboolean listed = FALSE;

  sotto_msg_unref (sotto_test_client_join (alice, "lobby"));
  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *msg_id = g_strdup_printf ("early-%u", i);

      sotto_msg_unref (sotto_test_client_say (alice, "lobby", msg_id, "said before"));
    }
  sotto_test_iterate (100);
  sotto_test_client_clear (bob);

  /* Three requests in one frame: two catch-ups around the room list. */
  sotto_test_client_send_take (bob, sotto_msg_build_catchup ("c1", "lobby", bob_has, 100));
  sotto_test_client_send_take (bob, sotto_msg_build_list_rooms ("c2"));
  sotto_test_client_send_take (bob, sotto_msg_build_catchup ("c3", "lobby", bob_has, 100));

  while (!listed || events < 10)
    {
      g_autoptr(SottoMsg) msg = sotto_test_client_next (bob);

      switch (sotto_msg_get_msg_type (msg))
        {
        case SOTTO_MSG_TYPE_MESSAGE:
          /* Five for the first catch-up before the list, five after. */
          g_assert_true (listed == (events >= 5));
          events++;
          break;

        case SOTTO_MSG_TYPE_CATCHUP_DONE:
          g_assert_cmpstr (sotto_msg_get_id (msg), ==, listed ? "c3" : "c1");
          g_assert_cmpint (events, ==, listed ? 10 : 5);
          done = TRUE;
          break;

        case SOTTO_MSG_TYPE_ROOM_LIST:
          g_assert_cmpstr (sotto_msg_get_id (msg), ==, "c2");
          g_assert_true (done);
          g_assert_cmpint (events, ==, 5);
          listed = TRUE;
          break;

        default:
          break;
        }
    }
  sotto_msg_unref (sotto_test_client_expect_reply (bob, "c3"));
}

/* A client that leaves while its catch-up waits on the store: the
 * server answers into nothing and goes on serving everyone else. */
static void
test_catch_up_gone (SottoServerFixture *fixture,
                    gconstpointer       data)
{
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "alice");
  g_autoptr(SottoTestClient) bob = sotto_server_fixture_new_user (fixture, "bob");

  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *msg_id = g_strdup_printf ("m-%u", i);

      sotto_msg_unref (sotto_test_client_say (alice, "general", msg_id, "a message"));
    }

  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *id = g_strdup_printf ("c-%u", i);

      sotto_test_client_send_take (bob, sotto_msg_build_catchup (id, "general", 0, 5));
    }
  sotto_test_iterate (5);
  g_clear_pointer (&bob, sotto_test_client_free);

  sotto_msg_unref (sotto_test_client_say (alice, "general", "after", "still here"));
  bob = sotto_server_fixture_log_in (fixture, "bob");
  sotto_msg_unref (sotto_test_client_say (bob, "general", "back", "back again"));
}

/* A key message waits for an offline recipient, arrives at the next login,
 * and is gone once acknowledged. Nobody else can acknowledge it away. */
static void
test_key_queue (SottoServerFixture *fixture,
                gconstpointer       data)
{
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "alice");
  g_autoptr(SottoTestClient) bob = sotto_server_fixture_new_user (fixture, "bob");
  g_autoptr(SottoTestClient) mallory = sotto_server_fixture_new_user (fixture, "mallory");
  g_autoptr(GBytes) box = g_bytes_new_static ("sealed sender key", 17);
  g_autoptr(SottoMsg) key = NULL;
  g_autoptr(SottoMsg) request = NULL;
  g_autoptr(GBytes) delivered = NULL;
  gint64 kid;

  g_clear_pointer (&bob, sotto_test_client_free);

  sotto_test_client_send_take (alice, sotto_msg_build_send_key ("k1", "bob", NULL, "general", box));
  sotto_test_client_expect_ok (alice, "k1");
  sotto_test_client_send_take (alice, sotto_msg_build_key_request ("k2", "bob", NULL, "general", 77));
  sotto_test_client_expect_ok (alice, "k2");

  bob = sotto_server_fixture_log_in (fixture, "bob");
  key = sotto_test_client_expect (bob, SOTTO_MSG_TYPE_KEY);
  g_assert_cmpstr (sotto_msg_get_string (key, "from"), ==, "alice");
  g_assert_cmpstr (sotto_msg_get_string (key, "room"), ==, "general");
  delivered = sotto_msg_dup_bytes (key, "box");
  g_assert_true (g_bytes_equal (delivered, box));
  kid = sotto_msg_get_int (key, "kid");

  request = sotto_test_client_expect (bob, SOTTO_MSG_TYPE_KEY_REQUESTED);
  g_assert_cmpint (sotto_msg_get_int (request, "key_id"), ==, 77);

  /* Mallory tries to acknowledge Bob's keys away: it does nothing. */
  {
    gint64 kids[] = { kid, sotto_msg_get_int (request, "kid") };

    sotto_test_client_send_take (mallory, sotto_msg_build_ack_keys ("m", kids, 2));
    sotto_test_client_expect_ok (mallory, "m");
  }

  g_clear_pointer (&bob, sotto_test_client_free);
  bob = sotto_server_fixture_log_in (fixture, "bob");
  g_clear_pointer (&key, sotto_msg_unref);
  key = sotto_test_client_expect (bob, SOTTO_MSG_TYPE_KEY);
  g_assert_cmpint (sotto_msg_get_int (key, "kid"), ==, kid);

  {
    gint64 kids[] = { kid, sotto_msg_get_int (request, "kid") };

    sotto_test_client_send_take (bob, sotto_msg_build_ack_keys ("ack", kids, 2));
    sotto_test_client_expect_ok (bob, "ack");
  }

  g_clear_pointer (&bob, sotto_test_client_free);
  bob = sotto_server_fixture_log_in (fixture, "bob");
  sotto_test_client_assert_none (bob, SOTTO_MSG_TYPE_KEY, 300);
  sotto_test_client_assert_none (bob, SOTTO_MSG_TYPE_KEY_REQUESTED, 0);

  /* Live delivery while online, and only to members of the room. */
  sotto_test_client_send_take (alice, sotto_msg_build_send_key ("k3", "bob", NULL, "general", box));
  sotto_test_client_expect_ok (alice, "k3");
  g_clear_pointer (&key, sotto_msg_unref);
  key = sotto_test_client_expect (bob, SOTTO_MSG_TYPE_KEY);

  {
    sotto_msg_unref (sotto_test_client_join (alice, "lobby"));
    g_autoptr(SottoMsg) refused = NULL;

    sotto_test_client_send_take (alice, sotto_msg_build_send_key ("k4", "bob", NULL, "lobby", box));
    refused = sotto_test_client_expect_error (alice, "k4", SOTTO_MSG_ERROR_CODE_NO_SUCH_USER);
  }
}

static void
test_typing (SottoServerFixture *fixture,
             gconstpointer       data)
{
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "alice");
  g_autoptr(SottoTestClient) bob = sotto_server_fixture_new_user (fixture, "bob");
  g_autoptr(SottoMsg) typing = NULL;

  sotto_test_client_send_take (alice, sotto_msg_build_typing ("general"));
  typing = sotto_test_client_expect (bob, SOTTO_MSG_TYPE_TYPING);
  g_assert_cmpstr (sotto_msg_get_string (typing, "user"), ==, "alice");
  g_assert_cmpstr (sotto_msg_get_string (typing, "room"), ==, "general");

  /* A burst is thinned out, and the typist does not hear itself. */
  for (guint i = 0; i < 20; i++)
    sotto_test_client_send_take (alice, sotto_msg_build_typing ("general"));
  sotto_test_iterate (200);
  g_assert_cmpuint (sotto_test_client_count (bob, SOTTO_MSG_TYPE_TYPING), <=, 1);
  g_assert_cmpuint (sotto_test_client_count (alice, SOTTO_MSG_TYPE_TYPING), ==, 0);
}

static void
test_direct_chat (SottoServerFixture *fixture,
                  gconstpointer       data)
{
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "alice");
  g_autoptr(SottoTestClient) bob = sotto_server_fixture_new_user (fixture, "bob");
  g_autoptr(SottoTestClient) carol = sotto_server_fixture_new_user (fixture, "carol");
  g_autoptr(SottoMsg) opened = sotto_test_client_request (alice, sotto_msg_build_open_direct, "bob");
  g_autoptr(SottoMsg) again = sotto_test_client_request (bob, sotto_msg_build_open_direct, "alice");
  g_autoptr(SottoMsg) missing = sotto_test_client_request (alice, sotto_msg_build_open_direct, "zed");
  g_autoptr(SottoMsg) intrude = sotto_test_client_request (carol, sotto_msg_build_join, "@alice+bob");
  g_autoptr(SottoMsg) sent = NULL;
  g_autoptr(SottoMsg) msg = NULL;

  g_assert_cmpint (sotto_msg_get_msg_type (opened), ==, SOTTO_MSG_TYPE_JOINED);
  g_assert_true (sotto_msg_get_bool (opened, "direct"));
  g_assert_cmpstr (sotto_msg_get_string (opened, "room"), ==, "@alice+bob");
  g_assert_cmpuint (json_array_get_length (sotto_msg_get_array (opened, "members")), ==, 2);

  /* Both find the same room. */
  g_assert_cmpstr (sotto_msg_get_string (again, "room"), ==, "@alice+bob");
  g_assert_cmpint (sotto_msg_get_error_code (missing), ==, SOTTO_MSG_ERROR_CODE_NO_SUCH_USER);
  g_assert_cmpint (sotto_msg_get_msg_type (intrude), ==, SOTTO_MSG_TYPE_ERROR);

  sent = sotto_test_client_say (alice, "@alice+bob", "dm-1", "just us");
  msg = sotto_test_client_expect (bob, SOTTO_MSG_TYPE_MESSAGE);
  sotto_test_assert_message (msg, "@alice+bob", "alice", "just us");
  sotto_test_client_assert_none (carol, SOTTO_MSG_TYPE_MESSAGE, 200);
}

/* Retention keeps the newest events of a room; numbering is not reset, and
 * the state chain is left whole. */
static void
test_retention (SottoServerFixture *fixture,
                gconstpointer       data)
{
  static const char *const args[] = { "--retention-messages", "3", NULL };
  g_autofree char *dir = sotto_test_make_data_dir ();
  g_autoptr(SottoTestServer) first = sotto_test_server_start (dir, args);
  g_autoptr(SottoTestServer) second = NULL;
  g_autoptr(SottoTestClient) alice = sotto_test_client_connect (first);
  g_autoptr(SottoMsg) session = sotto_test_client_register (alice, "alice", SOTTO_TEST_PASSWORD);
  SottoTestCatchUp result = { g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL), 0 };
  SottoWireIdentity identity;
  gint64 last = 0;

  sotto_test_client_identity (alice, &identity);
  sotto_msg_unref (sotto_test_client_join (alice, "lobby"));
  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *text = g_strdup_printf ("state %u", i);

      sotto_test_client_append_state_ok (alice, "lobby", i, text);
    }
  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *msg_id = g_strdup_printf ("r%u", i);
      g_autoptr(SottoMsg) sent = sotto_test_client_say (alice, "lobby", msg_id, "old news");

      last = sotto_msg_get_int (sent, "seq");
    }
  g_clear_pointer (&alice, sotto_test_client_free);
  sotto_test_server_stop (first);

  /* Applied at start. */
  second = sotto_test_server_start (dir, args);
  alice = sotto_test_client_connect (second);
  sotto_test_client_set_identity (alice, &identity);
  g_clear_pointer (&session, sotto_msg_unref);
  session = sotto_test_client_login (alice, "alice", SOTTO_TEST_PASSWORD);
  sotto_test_client_catch_up (alice, "lobby", 0, 100, &result);
  g_assert_cmpuint (g_hash_table_size (result.seen), ==, 3);
  g_assert_true (g_hash_table_contains (result.seen, "r9"));
  g_assert_false (g_hash_table_contains (result.seen, "r6"));
  g_assert_cmpint (result.last, ==, last);

  {
    g_autoptr(SottoMsg) sent = sotto_test_client_say (alice, "lobby", "new", "fresh");

    g_assert_cmpint (sotto_msg_get_int (sent, "seq"), ==, last + 1);
  }

  /* The state chain is never trimmed: a chain with a hole cannot be
   * checked. */
  {
    g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) sotto_msg_unref);
    g_autoptr(SottoMsg) done = sotto_test_client_state_catchup (alice, "lobby", 0, 100, events);

    g_assert_cmpint (sotto_msg_get_int (done, "length"), ==, 5);
    g_assert_cmpuint (events->len, ==, 5);
    sotto_test_assert_state_event (g_ptr_array_index (events, 0), "lobby", 0, "alice", "state 0");
  }

  g_hash_table_unref (result.seen);
  sotto_test_server_stop (second);
  sotto_test_remove_dir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (sodium_init (), >=, 0);

  SOTTO_SERVER_FIXTURE_ADD ("rooms", test_rooms);
  SOTTO_SERVER_FIXTURE_ADD ("relay", test_relay);
  SOTTO_SERVER_FIXTURE_ADD ("idempotent-resend", test_idempotent_resend);
  SOTTO_SERVER_FIXTURE_ADD ("catch-up", test_catch_up);
  SOTTO_SERVER_FIXTURE_ADD ("catch-up-in-order", test_catch_up_in_order);
  SOTTO_SERVER_FIXTURE_ADD ("catch-up-gone", test_catch_up_gone);
  SOTTO_SERVER_FIXTURE_ADD ("key-queue", test_key_queue);
  SOTTO_SERVER_FIXTURE_ADD ("typing", test_typing);
  SOTTO_SERVER_FIXTURE_ADD ("direct-chat", test_direct_chat);
  SOTTO_SERVER_FIXTURE_ADD ("retention", test_retention);

  return g_test_run ();
}
