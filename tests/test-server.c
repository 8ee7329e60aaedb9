/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "sotto-e2e.h"
#include "sotto-test-server.h"
#include "sotto-test-util.h"

/*
 * The server as a client sees it: the real binary on 127.0.0.1, real
 * sockets, a real database in a temporary directory.
 */

#define PASSWORD "correct horse battery"

typedef struct
{
  SottoTestServer *server;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  fixture->server = sotto_test_server_start (NULL, NULL);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  if (sotto_test_server_is_running (fixture->server))
    sotto_test_server_stop (fixture->server);
  g_clear_pointer (&fixture->server, sotto_test_server_free);
}

static SottoTestClient *
connect_user (Fixture    *fixture,
              const char *name)
{
  SottoTestClient *client = sotto_test_client_connect (fixture->server);
  g_autoptr(SottoMsg) reply = sotto_test_client_register (client, name, PASSWORD);

  g_assert_cmpint (sotto_msg_get_msg_type (reply), ==, SOTTO_MSG_TYPE_SESSION);
  return client;
}

static SottoTestClient *
login_user (Fixture    *fixture,
            const char *name)
{
  SottoTestClient *client = sotto_test_client_connect (fixture->server);
  g_autoptr(SottoMsg) reply = sotto_test_client_login (client, name, PASSWORD);

  g_assert_cmpint (sotto_msg_get_msg_type (reply), ==, SOTTO_MSG_TYPE_SESSION);
  return client;
}

static void
expect_ok (SottoTestClient *client,
           const char      *id)
{
  g_autoptr(SottoMsg) reply = sotto_test_client_expect_reply (client, id);

  if (sotto_msg_get_msg_type (reply) == SOTTO_MSG_TYPE_ERROR)
    g_error ("Request %s failed: %s", id, sotto_msg_get_string (reply, "message"));
}

static SottoMsg *
join (SottoTestClient *client,
      const char      *room)
{
  g_autoptr(SottoMsg) reply = sotto_test_client_request (client, sotto_msg_build_join, room);

  g_assert_cmpint (sotto_msg_get_msg_type (reply), ==, SOTTO_MSG_TYPE_JOINED);
  return g_steal_pointer (&reply);
}

static GBytes *
envelope_of (const char *text)
{
  return g_bytes_new (text, strlen (text));
}

/* Sends a room message and returns the server's "sent". */
static SottoMsg *
say (SottoTestClient *client,
     const char      *room,
     const char      *msg_id,
     const char      *text)
{
  g_autofree char *id = sotto_test_client_next_id (client);
  g_autoptr(GBytes) envelope = envelope_of (text);
  g_autoptr(SottoMsg) reply = NULL;

  sotto_test_client_send_take (client, sotto_msg_build_send (id, room, msg_id, envelope));
  reply = sotto_test_client_expect_reply (client, id);
  g_assert_cmpint (sotto_msg_get_msg_type (reply), ==, SOTTO_MSG_TYPE_SENT);

  return g_steal_pointer (&reply);
}

static void
assert_message (SottoMsg   *msg,
                const char *room,
                const char *sender,
                const char *text)
{
  g_autoptr(GBytes) envelope = sotto_msg_dup_bytes (msg, "envelope");

  g_assert_cmpint (sotto_msg_get_msg_type (msg), ==, SOTTO_MSG_TYPE_MESSAGE);
  g_assert_cmpstr (sotto_msg_get_string (msg, "room"), ==, room);
  g_assert_cmpstr (sotto_msg_get_string (msg, "sender"), ==, sender);
  g_assert_cmpmem (g_bytes_get_data (envelope, NULL), g_bytes_get_size (envelope),
                   text, strlen (text));
}

static void
test_register_and_login (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(SottoTestClient) alice = sotto_test_client_connect (fixture->server);
  g_autoptr(SottoTestClient) again = NULL;
  g_autoptr(SottoMsg) session = sotto_test_client_register (alice, "Alice", PASSWORD);
  g_autoptr(SottoMsg) login = NULL;
  SottoWireRoomSummary summary;

  /* Names are folded to lower case; every new account is in "general". */
  g_assert_cmpint (sotto_msg_get_msg_type (session), ==, SOTTO_MSG_TYPE_SESSION);
  g_assert_cmpstr (sotto_msg_get_string (session, "user"), ==, "alice");
  g_assert_cmpuint (json_array_get_length (sotto_msg_get_array (session, "rooms")), ==, 1);
  g_assert_true (sotto_msg_get_room_summary (session, 0, &summary));
  g_assert_cmpstr (summary.room, ==, "general");

  again = sotto_test_client_connect (fixture->server);
  login = sotto_test_client_login (again, "ALICE", PASSWORD);
  g_assert_cmpint (sotto_msg_get_msg_type (login), ==, SOTTO_MSG_TYPE_SESSION);
  g_assert_cmpstr (sotto_msg_get_string (login, "user"), ==, "alice");
}

static void
test_account_errors (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(SottoTestClient) alice = connect_user (fixture, "alice");
  g_autoptr(SottoTestClient) client = sotto_test_client_connect (fixture->server);
  g_autoptr(SottoMsg) taken = sotto_test_client_register (client, "ALICE", PASSWORD);
  g_autoptr(SottoMsg) weak = sotto_test_client_register (client, "bob", "short");
  g_autoptr(SottoMsg) unknown = sotto_test_client_login (client, "nobody", PASSWORD);
  g_autoptr(SottoMsg) wrong = sotto_test_client_login (client, "alice", "not the password");
  g_autoptr(SottoMsg) early = sotto_test_client_request (client, sotto_msg_build_join, "lobby");
  g_autoptr(SottoMsg) twice = NULL;

  g_assert_cmpint (sotto_msg_get_error_code (taken), ==, SOTTO_MSG_ERROR_CODE_NAME_TAKEN);
  g_assert_cmpint (sotto_msg_get_error_code (weak), ==, SOTTO_MSG_ERROR_CODE_WEAK_PASSWORD);
  g_assert_cmpint (sotto_msg_get_error_code (unknown), ==, SOTTO_MSG_ERROR_CODE_BAD_CREDENTIALS);
  g_assert_cmpint (sotto_msg_get_error_code (wrong), ==, SOTTO_MSG_ERROR_CODE_BAD_CREDENTIALS);
  g_assert_cmpint (sotto_msg_get_error_code (early), ==, SOTTO_MSG_ERROR_CODE_NOT_LOGGED_IN);

  /* An unknown name and a wrong password read the same. */
  g_assert_cmpstr (sotto_msg_get_string (unknown, "message"), ==,
                   sotto_msg_get_string (wrong, "message"));

  twice = sotto_test_client_login (alice, "alice", PASSWORD);
  g_assert_cmpint (sotto_msg_get_error_code (twice), ==, SOTTO_MSG_ERROR_CODE_ALREADY_LOGGED_IN);
}

static void
test_bad_username (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(SottoTestClient) client = sotto_test_client_connect (fixture->server);
  static const char *const names[] = { "", "has space", "émile", "a/b", "thirty-three-characters-long-name" };

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(SottoMsg) reply = sotto_test_client_register (client, names[i], PASSWORD);
      SottoMsgErrorCode code = sotto_msg_get_error_code (reply);

      g_assert_cmpint (sotto_msg_get_msg_type (reply), ==, SOTTO_MSG_TYPE_ERROR);
      /* Either the parser or the server refuses it, with a sentence. */
      g_assert_true (code == SOTTO_MSG_ERROR_CODE_BAD_USERNAME ||
                     code == SOTTO_MSG_ERROR_CODE_BAD_REQUEST);
      g_assert_cmpstr (sotto_msg_get_string (reply, "message"), !=, "");
    }
}

static void
test_rate_limit (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(SottoTestClient) alice = connect_user (fixture, "alice");
  g_autoptr(SottoMsg) limited = NULL;
  g_autoptr(SottoMsg) still = NULL;

  /* The owner's session stays up throughout. */
  g_assert_false (sotto_test_client_is_closed (alice));

  /* Five wrong guesses, each over a new connection. */
  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(SottoTestClient) guesser = sotto_test_client_connect (fixture->server);
      g_autoptr(SottoMsg) reply = sotto_test_client_login (guesser, "alice", "guess guess");

      g_assert_cmpint (sotto_msg_get_error_code (reply), ==, SOTTO_MSG_ERROR_CODE_BAD_CREDENTIALS);
    }

  /* Then even the right password waits: the limit holds across
   * reconnects, and says how long. */
  {
    g_autoptr(SottoTestClient) guesser = sotto_test_client_connect (fixture->server);

    limited = sotto_test_client_login (guesser, "alice", PASSWORD);
    g_assert_cmpint (sotto_msg_get_error_code (limited), ==, SOTTO_MSG_ERROR_CODE_RATE_LIMITED);
    g_assert_nonnull (strstr (sotto_msg_get_string (limited, "message"), "second"));
  }

  /* After the wait the right password works again. */
  sotto_test_iterate (1100);
  {
    g_autoptr(SottoTestClient) owner = sotto_test_client_connect (fixture->server);

    still = sotto_test_client_login (owner, "alice", PASSWORD);
    g_assert_cmpint (sotto_msg_get_msg_type (still), ==, SOTTO_MSG_TYPE_SESSION);
  }
}

static GBytes *
build_list_rooms (const char *id,
                  const char *unused)
{
  return sotto_msg_build_list_rooms (id);
}

static void
test_rooms (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(SottoTestClient) alice = connect_user (fixture, "alice");
  g_autoptr(SottoTestClient) bob = connect_user (fixture, "bob");
  g_autoptr(SottoMsg) joined = join (alice, "lobby");
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

  bob_joined = join (bob, "lobby");
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
  expect_ok (bob, "leave-1");
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
test_relay (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(SottoTestClient) alice = connect_user (fixture, "alice");
  g_autoptr(SottoTestClient) bob = connect_user (fixture, "bob");
  g_autoptr(SottoTestClient) carol = connect_user (fixture, "carol");
  g_autoptr(SottoTestClient) outsider = connect_user (fixture, "dave");
  SottoTestClient *members[] = { bob, carol };
  sotto_msg_unref (join (alice, "lobby"));
  sotto_msg_unref (join (bob, "lobby"));
  sotto_msg_unref (join (carol, "lobby"));
  gint64 first_seq = 0;

  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *msg_id = g_strdup_printf ("m%u", i);
      g_autofree char *text = g_strdup_printf ("ciphertext %u", i);
      g_autoptr(SottoMsg) sent = say (alice, "lobby", msg_id, text);

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

        assert_message (msg, "lobby", "alice", text);
        g_assert_cmpint (sotto_msg_get_int (msg, "seq"), ==, first_seq + i);
      }

  /* The sender's own connection has the "sent"; nobody else hears it. */
  sotto_test_client_assert_none (alice, SOTTO_MSG_TYPE_MESSAGE, 100);
  sotto_test_client_assert_none (outsider, SOTTO_MSG_TYPE_MESSAGE, 0);
  for (guint m = 0; m < G_N_ELEMENTS (members); m++)
    sotto_test_client_assert_none (members[m], SOTTO_MSG_TYPE_MESSAGE, 0);

  /* Only members may speak. */
  {
    g_autoptr(GBytes) envelope = envelope_of ("x");
    g_autoptr(SottoMsg) refused = NULL;

    sotto_test_client_send_take (outsider, sotto_msg_build_send ("no", "lobby", "m0", envelope));
    refused = sotto_test_client_expect_error (outsider, "no", SOTTO_MSG_ERROR_CODE_NOT_MEMBER);
  }
}

/* The same message id twice is stored once and acknowledged twice with the
 * same number, whether the first was committed yet or not. */
static void
test_idempotent_resend (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(SottoTestClient) alice = connect_user (fixture, "alice");
  g_autoptr(SottoTestClient) bob = connect_user (fixture, "bob");
  g_autoptr(SottoMsg) first = NULL;
  g_autoptr(SottoMsg) again = NULL;
  g_autoptr(GBytes) envelope = envelope_of ("once");
  g_autoptr(SottoMsg) a = NULL;
  g_autoptr(SottoMsg) b = NULL;
  g_autoptr(SottoMsg) delivered = NULL;

  first = say (alice, "general", "same-id", "once");
  again = say (alice, "general", "same-id", "once");
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

typedef struct
{
  GHashTable *seen;
  gint64      last;
} CatchUp;

/* Reads catch-up pages of @limit until the server says there is no more. */
static void
catch_up (SottoTestClient *client,
          const char      *room,
          gint64           after,
          gint64           limit,
          CatchUp         *result)
{
  gboolean more = TRUE;

  result->last = after;
  while (more)
    {
      g_autofree char *id = sotto_test_client_next_id (client);
      g_autoptr(SottoMsg) done = NULL;

      sotto_test_client_send_take (client, sotto_msg_build_catchup (id, room, result->last, limit));
      done = sotto_test_client_expect_reply (client, id);
      g_assert_cmpint (sotto_msg_get_msg_type (done), ==, SOTTO_MSG_TYPE_CATCHUP_DONE);

      for (;;)
        {
          g_autoptr(SottoMsg) msg = NULL;
          gint64 seq;

          if (sotto_test_client_count (client, SOTTO_MSG_TYPE_MESSAGE) == 0)
            break;
          msg = sotto_test_client_expect (client, SOTTO_MSG_TYPE_MESSAGE);
          seq = sotto_msg_get_int (msg, "seq");
          g_assert_cmpint (seq, >, result->last);
          g_assert_true (g_hash_table_add (result->seen, g_strdup (sotto_msg_get_string (msg, "msg_id"))));
          result->last = seq;
        }

      g_assert_cmpint (sotto_msg_get_int (done, "last_seq"), >=, result->last);
      result->last = sotto_msg_get_int (done, "last_seq");
      more = sotto_msg_get_bool (done, "more");
    }
}

/* What was said while Bob was away reaches him on catch-up: all of it, in
 * order, once. */
static void
test_catch_up (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(SottoTestClient) alice = connect_user (fixture, "alice");
  g_autoptr(SottoTestClient) bob = connect_user (fixture, "bob");
  g_autoptr(SottoMsg) joined = join (bob, "lobby");
  sotto_msg_unref (join (alice, "lobby"));
  gint64 bob_has = sotto_msg_get_int (joined, "last_seq");
  CatchUp result = { g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL), 0 };

  g_clear_pointer (&bob, sotto_test_client_free);

  for (guint i = 0; i < 25; i++)
    {
      g_autofree char *msg_id = g_strdup_printf ("away-%u", i);
      sotto_msg_unref (say (alice, "lobby", msg_id, "while you were out"));
    }

  bob = login_user (fixture, "bob");
  catch_up (bob, "lobby", bob_has, 10, &result);

  g_assert_cmpuint (g_hash_table_size (result.seen), ==, 25);
  for (guint i = 0; i < 25; i++)
    {
      g_autofree char *msg_id = g_strdup_printf ("away-%u", i);

      g_assert_true (g_hash_table_contains (result.seen, msg_id));
    }

  /* Caught up: asking again gives nothing more. */
  g_hash_table_remove_all (result.seen);
  catch_up (bob, "lobby", result.last, 10, &result);
  g_assert_cmpuint (g_hash_table_size (result.seen), ==, 0);
  g_hash_table_unref (result.seen);
}

/* A key message waits for an offline recipient, arrives at the next login,
 * and is gone once acknowledged. Nobody else can acknowledge it away. */
static void
test_key_queue (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(SottoTestClient) alice = connect_user (fixture, "alice");
  g_autoptr(SottoTestClient) bob = connect_user (fixture, "bob");
  g_autoptr(SottoTestClient) mallory = connect_user (fixture, "mallory");
  g_autoptr(GBytes) box = g_bytes_new_static ("sealed sender key", 17);
  g_autoptr(SottoMsg) key = NULL;
  g_autoptr(SottoMsg) request = NULL;
  g_autoptr(GBytes) delivered = NULL;
  gint64 kid;

  g_clear_pointer (&bob, sotto_test_client_free);

  sotto_test_client_send_take (alice, sotto_msg_build_send_key ("k1", "bob", "general", box));
  expect_ok (alice, "k1");
  sotto_test_client_send_take (alice, sotto_msg_build_key_request ("k2", "bob", "general", 77));
  expect_ok (alice, "k2");

  bob = login_user (fixture, "bob");
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
    expect_ok (mallory, "m");
  }

  g_clear_pointer (&bob, sotto_test_client_free);
  bob = login_user (fixture, "bob");
  g_clear_pointer (&key, sotto_msg_unref);
  key = sotto_test_client_expect (bob, SOTTO_MSG_TYPE_KEY);
  g_assert_cmpint (sotto_msg_get_int (key, "kid"), ==, kid);

  {
    gint64 kids[] = { kid, sotto_msg_get_int (request, "kid") };

    sotto_test_client_send_take (bob, sotto_msg_build_ack_keys ("ack", kids, 2));
    expect_ok (bob, "ack");
  }

  g_clear_pointer (&bob, sotto_test_client_free);
  bob = login_user (fixture, "bob");
  sotto_test_client_assert_none (bob, SOTTO_MSG_TYPE_KEY, 300);
  sotto_test_client_assert_none (bob, SOTTO_MSG_TYPE_KEY_REQUESTED, 0);

  /* Live delivery while online, and only to members of the room. */
  sotto_test_client_send_take (alice, sotto_msg_build_send_key ("k3", "bob", "general", box));
  expect_ok (alice, "k3");
  g_clear_pointer (&key, sotto_msg_unref);
  key = sotto_test_client_expect (bob, SOTTO_MSG_TYPE_KEY);

  {
    sotto_msg_unref (join (alice, "lobby"));
    g_autoptr(SottoMsg) refused = NULL;

    sotto_test_client_send_take (alice, sotto_msg_build_send_key ("k4", "bob", "lobby", box));
    refused = sotto_test_client_expect_error (alice, "k4", SOTTO_MSG_ERROR_CODE_NO_SUCH_USER);
  }
}

static void
test_typing (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(SottoTestClient) alice = connect_user (fixture, "alice");
  g_autoptr(SottoTestClient) bob = connect_user (fixture, "bob");
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
test_presence (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(SottoTestClient) alice = connect_user (fixture, "alice");
  g_autoptr(SottoTestClient) bob = connect_user (fixture, "bob");
  g_autoptr(SottoMsg) online = NULL;
  g_autoptr(SottoMsg) offline = NULL;

  online = sotto_test_client_expect (alice, SOTTO_MSG_TYPE_PRESENCE);
  g_assert_cmpstr (sotto_msg_get_string (online, "user"), ==, "bob");
  g_assert_true (sotto_msg_get_bool (online, "online"));

  g_clear_pointer (&bob, sotto_test_client_free);
  offline = sotto_test_client_expect (alice, SOTTO_MSG_TYPE_PRESENCE);
  g_assert_cmpstr (sotto_msg_get_string (offline, "user"), ==, "bob");
  g_assert_false (sotto_msg_get_bool (offline, "online"));
}

static void
test_direct_chat (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(SottoTestClient) alice = connect_user (fixture, "alice");
  g_autoptr(SottoTestClient) bob = connect_user (fixture, "bob");
  g_autoptr(SottoTestClient) carol = connect_user (fixture, "carol");
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

  sent = say (alice, "@alice+bob", "dm-1", "just us");
  msg = sotto_test_client_expect (bob, SOTTO_MSG_TYPE_MESSAGE);
  assert_message (msg, "@alice+bob", "alice", "just us");
  sotto_test_client_assert_none (carol, SOTTO_MSG_TYPE_MESSAGE, 200);
}

static void
test_kick_rights (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(SottoTestClient) alice = connect_user (fixture, "alice");
  g_autoptr(SottoTestClient) bob = connect_user (fixture, "bob");
  sotto_msg_unref (join (alice, "garden"));
  sotto_msg_unref (join (bob, "garden"));
  g_autoptr(SottoMsg) refused = NULL;
  g_autoptr(SottoMsg) general = NULL;
  g_autoptr(SottoMsg) left = NULL;

  /* Bob did not create the room: he cannot remove its creator. */
  sotto_test_client_send_take (bob, sotto_msg_build_kick ("k", "garden", "alice"));
  refused = sotto_test_client_expect_error (bob, "k", SOTTO_MSG_ERROR_CODE_FORBIDDEN);
  sotto_test_client_send_take (alice, sotto_msg_build_kick ("g", "general", "bob"));
  general = sotto_test_client_expect_error (alice, "g", SOTTO_MSG_ERROR_CODE_FORBIDDEN);

  sotto_test_client_send_take (alice, sotto_msg_build_kick ("k2", "garden", "bob"));
  expect_ok (alice, "k2");
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
test_kick_bans (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(SottoTestClient) alice = connect_user (fixture, "alice");
  g_autoptr(SottoTestClient) bob = connect_user (fixture, "bob");
  g_autoptr(SottoTestClient) carol = connect_user (fixture, "carol");
  sotto_msg_unref (join (alice, "garden"));
  sotto_msg_unref (join (bob, "garden"));
  sotto_msg_unref (join (carol, "garden"));
  g_autoptr(SottoMsg) left = NULL;
  g_autoptr(SottoMsg) msg = NULL;
  g_autoptr(SottoMsg) refused = NULL;
  g_autoptr(SottoMsg) direct = NULL;

  sotto_test_client_send_take (alice, sotto_msg_build_kick ("k", "garden", "bob"));
  expect_ok (alice, "k");
  left = sotto_test_client_expect (bob, SOTTO_MSG_TYPE_MEMBER_LEFT);
  g_assert_cmpint (sotto_msg_get_leave_reason (left), ==, SOTTO_MSG_LEAVE_REASON_KICKED);
  sotto_test_client_clear (bob);

  expect_banned (bob, "garden");
  sotto_msg_unref (say (alice, "garden", "after-kick", "not for bob"));
  msg = sotto_test_client_expect (carol, SOTTO_MSG_TYPE_MESSAGE);
  sotto_test_client_assert_none (bob, SOTTO_MSG_TYPE_MESSAGE, 200);
  sotto_test_client_assert_none (bob, SOTTO_MSG_TYPE_MEMBER_JOINED, 0);

  /* Kicking again, now that he is out, is a ban already in place. */
  sotto_test_client_send_take (alice, sotto_msg_build_kick ("k2", "garden", "bob"));
  expect_ok (alice, "k2");
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
  expect_ok (alice, "u-carol-2");

  sotto_test_client_send_take (alice, sotto_msg_build_unban ("u", "garden", "bob"));
  expect_ok (alice, "u");
  sotto_msg_unref (join (bob, "garden"));
  g_clear_pointer (&msg, sotto_msg_unref);
  sotto_msg_unref (say (alice, "garden", "after-unban", "welcome back"));
  msg = sotto_test_client_expect (bob, SOTTO_MSG_TYPE_MESSAGE);
  assert_message (msg, "garden", "alice", "welcome back");
}

/* Clients learn who may remove people: the creator of a room is its
 * "owner" in "joined" and "members"; direct chats and "general" have none. */
static void
test_room_owner (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(SottoTestClient) alice = connect_user (fixture, "alice");
  g_autoptr(SottoTestClient) bob = connect_user (fixture, "bob");
  g_autoptr(SottoMsg) created = join (alice, "garden");
  g_autoptr(SottoMsg) joined = join (bob, "garden");
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

  general = join (alice, "general");
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
test_list_bans (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(SottoTestClient) alice = connect_user (fixture, "alice");
  g_autoptr(SottoTestClient) bob = connect_user (fixture, "bob");
  g_autoptr(SottoTestClient) carol = connect_user (fixture, "carol");
  g_autoptr(SottoTestClient) dave = connect_user (fixture, "dave");
  gint64 before = g_get_real_time () / 1000;
  g_autoptr(SottoMsg) empty = NULL;
  g_autoptr(SottoMsg) bans = NULL;
  g_autoptr(SottoMsg) refused = NULL;
  g_autofree char *answer = NULL;
  SottoWireBan first;
  gint64 bob_since;

  sotto_msg_unref (join (alice, "garden"));
  sotto_msg_unref (join (bob, "garden"));
  sotto_msg_unref (join (carol, "garden"));
  sotto_msg_unref (join (dave, "garden"));

  empty = list_bans (alice, "garden");
  g_assert_cmpint (sotto_msg_get_msg_type (empty), ==, SOTTO_MSG_TYPE_BANS);
  g_assert_cmpstr (sotto_msg_get_string (empty, "room"), ==, "garden");
  g_assert_cmpuint (json_array_get_length (sotto_msg_get_array (empty, "bans")), ==, 0);

  /* Carol by the operator, bob by the creator. */
  answer = sotto_test_server_command (fixture->server, "/kick carol garden");
  g_assert_cmpstr (answer, ==, "carol was removed from garden.");
  sotto_test_client_send_take (alice, sotto_msg_build_kick ("k", "garden", "bob"));
  expect_ok (alice, "k");

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
  sotto_msg_unref (join (alice, "general"));
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
  expect_ok (alice, "u");
  g_clear_pointer (&alice, sotto_test_client_free);
  g_clear_pointer (&bob, sotto_test_client_free);
  g_clear_pointer (&carol, sotto_test_client_free);
  g_clear_pointer (&dave, sotto_test_client_free);
  sotto_test_server_stop (fixture->server);
  sotto_test_server_restart (fixture->server);

  alice = login_user (fixture, "alice");
  g_clear_pointer (&bans, sotto_msg_unref);
  bans = list_bans (alice, "garden");
  g_assert_cmpuint (json_array_get_length (sotto_msg_get_array (bans, "bans")), ==, 1);
  assert_ban (bans, 0, "bob", "alice", bob_since);
  g_assert_true (sotto_msg_get_ban (bans, 0, &first));
  g_assert_cmpint (first.ts, ==, bob_since);
}

/* The operator's kick bans too, and bans survive a restart. */
static void
test_operator_kick_bans (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(SottoTestClient) alice = connect_user (fixture, "alice");
  g_autoptr(SottoTestClient) bob = connect_user (fixture, "bob");
  sotto_msg_unref (join (alice, "garden"));
  sotto_msg_unref (join (bob, "garden"));
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

  alice = login_user (fixture, "alice");
  bob = login_user (fixture, "bob");
  expect_banned (bob, "garden");
  sotto_msg_unref (say (alice, "garden", "after-restart", "still not for bob"));
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

  sotto_msg_unref (join (bob, "garden"));
  sotto_msg_unref (say (alice, "garden", "after-unban", "hello again"));
  msg = sotto_test_client_expect (bob, SOTTO_MSG_TYPE_MESSAGE);
  assert_message (msg, "garden", "alice", "hello again");
}

static void
test_console (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(SottoTestClient) alice = connect_user (fixture, "alice");
  g_autoptr(SottoTestClient) bob = connect_user (fixture, "bob");
  sotto_msg_unref (join (alice, "garden"));
  sotto_msg_unref (join (bob, "garden"));
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

/* The room state chain: opaque events at consecutive indexes. */

static SottoMsg *
append_state (SottoTestClient *client,
              const char      *room,
              gint64           index,
              const char      *text)
{
  g_autofree char *id = sotto_test_client_next_id (client);
  g_autoptr(GBytes) event = envelope_of (text);

  sotto_test_client_send_take (client, sotto_msg_build_state (id, room, index, event));
  return sotto_test_client_expect_reply (client, id);
}

static void
append_state_ok (SottoTestClient *client,
                 const char      *room,
                 gint64           index,
                 const char      *text)
{
  g_autoptr(SottoMsg) reply = append_state (client, room, index, text);

  if (sotto_msg_get_msg_type (reply) == SOTTO_MSG_TYPE_ERROR)
    g_error ("Appending %s at %" G_GINT64_FORMAT " failed: %s", text, index,
             sotto_msg_get_string (reply, "message"));
  g_assert_cmpint (sotto_msg_get_msg_type (reply), ==, SOTTO_MSG_TYPE_OK);
}

static void
assert_state_event (SottoMsg   *msg,
                    const char *room,
                    gint64      index,
                    const char *sender,
                    const char *text)
{
  g_autoptr(GBytes) event = sotto_msg_dup_bytes (msg, "event");

  g_assert_cmpint (sotto_msg_get_msg_type (msg), ==, SOTTO_MSG_TYPE_STATE_EVENT);
  g_assert_cmpstr (sotto_msg_get_string (msg, "room"), ==, room);
  g_assert_cmpint (sotto_msg_get_int (msg, "index"), ==, index);
  g_assert_cmpstr (sotto_msg_get_string (msg, "sender"), ==, sender);
  g_assert_cmpint (sotto_msg_get_int (msg, "ts"), >, 0);
  g_assert_cmpmem (g_bytes_get_data (event, NULL), g_bytes_get_size (event),
                   text, strlen (text));
}

static void
expect_state_event (SottoTestClient *client,
                    const char      *room,
                    gint64           index,
                    const char      *sender,
                    const char      *text)
{
  g_autoptr(SottoMsg) msg = sotto_test_client_expect (client, SOTTO_MSG_TYPE_STATE_EVENT);

  assert_state_event (msg, room, index, sender, text);
}

/* Asks for one page of the chain; returns "state_done" and the events in
 * @events (of SottoMsg), which it empties first. */
static SottoMsg *
state_catchup (SottoTestClient *client,
               const char      *room,
               gint64           from,
               gint64           limit,
               GPtrArray       *events)
{
  g_autofree char *id = sotto_test_client_next_id (client);
  g_autoptr(SottoMsg) done = NULL;

  g_ptr_array_set_size (events, 0);
  sotto_test_client_send_take (client, sotto_msg_build_state_catchup (id, room, from, limit));
  done = sotto_test_client_expect_reply (client, id);
  if (sotto_msg_get_msg_type (done) == SOTTO_MSG_TYPE_ERROR)
    return g_steal_pointer (&done);

  g_assert_cmpint (sotto_msg_get_msg_type (done), ==, SOTTO_MSG_TYPE_STATE_DONE);
  g_assert_cmpstr (sotto_msg_get_string (done, "room"), ==, room);
  while (sotto_test_client_count (client, SOTTO_MSG_TYPE_STATE_EVENT) > 0)
    g_ptr_array_add (events, sotto_test_client_expect (client, SOTTO_MSG_TYPE_STATE_EVENT));

  return g_steal_pointer (&done);
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
test_state_append (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(SottoTestClient) alice = connect_user (fixture, "alice");
  g_autoptr(SottoTestClient) bob = connect_user (fixture, "bob");
  g_autoptr(SottoTestClient) carol = connect_user (fixture, "carol");
  g_autoptr(SottoMsg) joined = join (alice, "garden");
  g_autoptr(SottoMsg) carol_joined = NULL;

  sotto_msg_unref (join (bob, "garden"));
  g_assert_cmpint (sotto_msg_get_int (joined, "state_length"), ==, 0);

  append_state_ok (alice, "garden", 0, "create by alice");
  expect_state_event (alice, "garden", 0, "alice", "create by alice");
  expect_state_event (bob, "garden", 0, "alice", "create by alice");

  append_state_ok (bob, "garden", 1, "join by bob");
  expect_state_event (alice, "garden", 1, "bob", "join by bob");
  expect_state_event (bob, "garden", 1, "bob", "join by bob");

  /* Nobody outside the room hears of it. */
  sotto_test_client_assert_none (carol, SOTTO_MSG_TYPE_STATE_EVENT, 100);

  g_assert_cmpint (members_state_length (alice, "garden"), ==, 2);
  carol_joined = join (carol, "garden");
  g_assert_cmpint (sotto_msg_get_int (carol_joined, "state_length"), ==, 2);
  g_assert_cmpint (sotto_msg_get_int (joined, "last_seq"), >, 0);

  /* Rooms without a chain say 0. */
  g_assert_cmpint (members_state_length (alice, "general"), ==, 0);
}

/* Only the next index is taken, only from a member, only up to 4 KiB;
 * whatever is refused changes nothing. */
static void
test_state_refused (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(SottoTestClient) alice = connect_user (fixture, "alice");
  g_autoptr(SottoTestClient) bob = connect_user (fixture, "bob");
  g_autoptr(SottoTestClient) mallory = connect_user (fixture, "mallory");
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) sotto_msg_unref);
  g_autoptr(GBytes) big = NULL;
  g_autoptr(SottoMsg) reply = NULL;
  g_autoptr(SottoMsg) done = NULL;
  guint8 *big_data;

  sotto_msg_unref (join (alice, "garden"));
  sotto_msg_unref (join (bob, "garden"));
  append_state_ok (alice, "garden", 0, "create");
  expect_state_event (bob, "garden", 0, "alice", "create");

  /* Bob has not seen alice's second event: his is refused. */
  append_state_ok (alice, "garden", 1, "second");
  reply = append_state (bob, "garden", 1, "fork");
  g_assert_cmpint (sotto_msg_get_error_code (reply), ==, SOTTO_MSG_ERROR_CODE_CONFLICT);
  g_clear_pointer (&reply, sotto_msg_unref);
  reply = append_state (bob, "garden", 0, "fork");
  g_assert_cmpint (sotto_msg_get_error_code (reply), ==, SOTTO_MSG_ERROR_CODE_CONFLICT);
  g_clear_pointer (&reply, sotto_msg_unref);
  reply = append_state (bob, "garden", 7, "ahead");
  g_assert_cmpint (sotto_msg_get_error_code (reply), ==, SOTTO_MSG_ERROR_CODE_CONFLICT);
  g_clear_pointer (&reply, sotto_msg_unref);

  /* Outsiders may neither append nor read. */
  reply = append_state (mallory, "garden", 2, "intruder");
  g_assert_cmpint (sotto_msg_get_error_code (reply), ==, SOTTO_MSG_ERROR_CODE_NOT_MEMBER);
  g_clear_pointer (&reply, sotto_msg_unref);
  done = state_catchup (mallory, "garden", 0, 10, events);
  g_assert_cmpint (sotto_msg_get_error_code (done), ==, SOTTO_MSG_ERROR_CODE_NOT_MEMBER);
  g_assert_cmpuint (events->len, ==, 0);
  g_clear_pointer (&done, sotto_msg_unref);
  reply = append_state (alice, "nowhere", 0, "void");
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
  done = state_catchup (alice, "garden", 0, 10, events);
  g_assert_cmpuint (events->len, ==, 2);
  assert_state_event (g_ptr_array_index (events, 1), "garden", 1, "alice", "second");

  /* Bob catches up and tries again. */
  append_state_ok (bob, "garden", 2, "join by bob");
}

/* Catch-up pages through the chain from any index, and says where it
 * ends and whether there is more. */
static void
test_state_catchup (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(SottoTestClient) alice = connect_user (fixture, "alice");
  g_autoptr(SottoTestClient) bob = connect_user (fixture, "bob");
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) sotto_msg_unref);
  g_autoptr(SottoMsg) done = NULL;

  sotto_msg_unref (join (alice, "garden"));
  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *text = g_strdup_printf ("event %u", i);

      append_state_ok (alice, "garden", i, text);
    }
  sotto_msg_unref (join (bob, "garden"));

  done = state_catchup (bob, "garden", 0, 2, events);
  g_assert_cmpint (sotto_msg_get_int (done, "length"), ==, 5);
  g_assert_true (sotto_msg_get_bool (done, "more"));
  g_assert_cmpuint (events->len, ==, 2);
  assert_state_event (g_ptr_array_index (events, 0), "garden", 0, "alice", "event 0");
  assert_state_event (g_ptr_array_index (events, 1), "garden", 1, "alice", "event 1");
  g_clear_pointer (&done, sotto_msg_unref);

  done = state_catchup (bob, "garden", 1, 10, events);
  g_assert_cmpint (sotto_msg_get_int (done, "length"), ==, 5);
  g_assert_false (sotto_msg_get_bool (done, "more"));
  g_assert_cmpuint (events->len, ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *text = g_strdup_printf ("event %u", i + 1);

      assert_state_event (g_ptr_array_index (events, i), "garden", i + 1, "alice", text);
    }
  g_clear_pointer (&done, sotto_msg_unref);

  /* Exactly to the end: nothing more. */
  done = state_catchup (bob, "garden", 3, 2, events);
  g_assert_cmpuint (events->len, ==, 2);
  g_assert_false (sotto_msg_get_bool (done, "more"));
  g_clear_pointer (&done, sotto_msg_unref);

  /* At or past the end: no events, the length. */
  done = state_catchup (bob, "garden", 5, 10, events);
  g_assert_cmpuint (events->len, ==, 0);
  g_assert_cmpint (sotto_msg_get_int (done, "length"), ==, 5);
  g_assert_false (sotto_msg_get_bool (done, "more"));
  g_clear_pointer (&done, sotto_msg_unref);
  done = state_catchup (bob, "garden", 99, 10, events);
  g_assert_cmpuint (events->len, ==, 0);
  g_assert_false (sotto_msg_get_bool (done, "more"));
}

/* The chain, its length and its next index outlive a restart. */
static void
test_state_restart (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(SottoTestClient) alice = connect_user (fixture, "alice");
  g_autoptr(SottoTestClient) bob = connect_user (fixture, "bob");
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) sotto_msg_unref);
  g_autoptr(SottoMsg) done = NULL;
  g_autoptr(SottoMsg) reply = NULL;
  g_autoptr(SottoMsg) joined = NULL;

  sotto_msg_unref (join (alice, "garden"));
  sotto_msg_unref (join (bob, "garden"));
  append_state_ok (alice, "garden", 0, "create");
  append_state_ok (bob, "garden", 1, "join");
  append_state_ok (alice, "garden", 2, "topic");
  g_clear_pointer (&alice, sotto_test_client_free);
  g_clear_pointer (&bob, sotto_test_client_free);
  sotto_test_server_stop (fixture->server);
  sotto_test_server_restart (fixture->server);

  alice = login_user (fixture, "alice");
  bob = login_user (fixture, "bob");
  g_assert_cmpint (members_state_length (alice, "garden"), ==, 3);
  joined = join (bob, "garden");
  g_assert_cmpint (sotto_msg_get_int (joined, "state_length"), ==, 3);

  done = state_catchup (bob, "garden", 0, 100, events);
  g_assert_cmpint (sotto_msg_get_int (done, "length"), ==, 3);
  g_assert_cmpuint (events->len, ==, 3);
  assert_state_event (g_ptr_array_index (events, 0), "garden", 0, "alice", "create");
  assert_state_event (g_ptr_array_index (events, 1), "garden", 1, "bob", "join");
  assert_state_event (g_ptr_array_index (events, 2), "garden", 2, "alice", "topic");

  reply = append_state (bob, "garden", 2, "late");
  g_assert_cmpint (sotto_msg_get_error_code (reply), ==, SOTTO_MSG_ERROR_CODE_CONFLICT);
  append_state_ok (bob, "garden", 3, "next");
  expect_state_event (alice, "garden", 3, "bob", "next");
}

/* Accounts, rooms, memberships and the log survive a restart. */
static void
test_restart (Fixture       *fixture,
              gconstpointer  data)
{
  g_autofree char *dir = sotto_test_make_data_dir ();
  g_autoptr(SottoTestServer) first = sotto_test_server_start (dir, NULL);
  g_autoptr(SottoTestServer) second = NULL;
  g_autoptr(SottoTestClient) alice = NULL;
  g_autoptr(SottoTestClient) bob = NULL;
  g_autofree char *fingerprint = NULL;
  CatchUp result = { g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL), 0 };

  alice = sotto_test_client_connect (first);
  bob = sotto_test_client_connect (first);
  {
    g_autoptr(SottoMsg) a = sotto_test_client_register (alice, "alice", PASSWORD);
    g_autoptr(SottoMsg) b = sotto_test_client_register (bob, "bob", PASSWORD);

    g_assert_cmpint (sotto_msg_get_msg_type (a), ==, SOTTO_MSG_TYPE_SESSION);
    g_assert_cmpint (sotto_msg_get_msg_type (b), ==, SOTTO_MSG_TYPE_SESSION);
  }
  sotto_msg_unref (join (alice, "lobby"));
  sotto_msg_unref (join (bob, "lobby"));
  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *msg_id = g_strdup_printf ("kept-%u", i);

      sotto_msg_unref (say (alice, "lobby", msg_id, "kept"));
    }
  fingerprint = g_strdup (sotto_test_server_get_fingerprint (first));
  g_clear_pointer (&alice, sotto_test_client_free);
  g_clear_pointer (&bob, sotto_test_client_free);
  sotto_test_server_stop (first);

  second = sotto_test_server_start (dir, NULL);
  g_assert_cmpstr (sotto_test_server_get_fingerprint (second), ==, fingerprint);
  bob = sotto_test_client_connect (second);
  {
    g_autoptr(SottoMsg) session = sotto_test_client_login (bob, "bob", PASSWORD);

    g_assert_cmpint (sotto_msg_get_msg_type (session), ==, SOTTO_MSG_TYPE_SESSION);
    g_assert_cmpuint (json_array_get_length (sotto_msg_get_array (session, "rooms")), ==, 2);
  }
  catch_up (bob, "lobby", 0, 100, &result);
  g_assert_cmpuint (g_hash_table_size (result.seen), ==, 5);
  g_hash_table_unref (result.seen);

  /* Numbering goes on where it stopped. */
  {
    g_autoptr(SottoMsg) sent = say (bob, "lobby", "after", "restart");

    g_assert_cmpint (sotto_msg_get_int (sent, "seq"), ==, result.last + 1);
  }

  sotto_test_server_stop (second);
  sotto_test_remove_dir (dir);
}

/* A real end-to-end envelope goes through the server; the marker in its
 * plaintext is in no file the server wrote, while the ciphertext is. */
static void
test_no_plaintext_on_disk (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(SottoTestClient) alice = connect_user (fixture, "alice");
  g_autoptr(SottoTestClient) bob = connect_user (fixture, "bob");
  g_autoptr(SottoIdentity) identity = sotto_identity_new ();
  g_autoptr(SottoSenderKey) key = sotto_sender_key_new ();
  g_autofree char *marker = NULL;
  g_autoptr(GBytes) plaintext = NULL;
  g_autoptr(GBytes) envelope = NULL;
  g_autoptr(SottoMsg) delivered = NULL;
  g_autoptr(GError) error = NULL;
  const char *dir = sotto_test_server_get_data_dir (fixture->server);
  g_autoptr(GDir) listing = NULL;
  const char *name;
  guint files = 0;
  gboolean ciphertext_stored = FALSE;
  guint8 random[16];

  randombytes_buf (random, sizeof random);
  marker = g_strdup_printf ("MARKER-%08x%08x", *(guint32 *) random, *(guint32 *) (random + 4));
  plaintext = g_bytes_new (marker, strlen (marker));
  envelope = sotto_envelope_seal (key, identity, "general", "alice", plaintext, &error);
  g_assert_no_error (error);

  sotto_test_client_send_take (alice, sotto_msg_build_send ("s", "general", "secret", envelope));
  expect_ok (alice, "s");
  delivered = sotto_test_client_expect (bob, SOTTO_MSG_TYPE_MESSAGE);

  /* Stop the server so everything it holds is on disk. */
  g_clear_pointer (&alice, sotto_test_client_free);
  g_clear_pointer (&bob, sotto_test_client_free);
  sotto_test_server_stop (fixture->server);

  listing = g_dir_open (dir, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      files++;
      g_assert_false (sotto_test_file_contains (path, (const guint8 *) marker, strlen (marker)));
      if (sotto_test_file_contains (path, (const guint8 *) g_bytes_get_data (envelope, NULL) + 48, 16))
        ciphertext_stored = TRUE;
    }

  g_assert_cmpuint (files, >=, 2);
  /* The envelope is stored as base64 inside the event: look for that. */
  if (!ciphertext_stored)
    {
      g_autofree char *encoded = g_base64_encode (g_bytes_get_data (envelope, NULL), 48);
      g_autoptr(GDir) again = g_dir_open (dir, 0, NULL);

      while ((name = g_dir_read_name (again)) != NULL)
        {
          g_autofree char *path = g_build_filename (dir, name, NULL);

          if (sotto_test_file_contains (path, (const guint8 *) encoded, 40))
            ciphertext_stored = TRUE;
        }
    }
  g_assert_true (ciphertext_stored);
}

static void
test_key_change (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(SottoTestClient) alice = connect_user (fixture, "alice");
  g_autoptr(SottoTestClient) bob = connect_user (fixture, "bob");
  g_autoptr(SottoTestClient) new_device = sotto_test_client_connect (fixture->server);
  g_autoptr(SottoMsg) session = NULL;
  g_autoptr(SottoMsg) changed = NULL;
  SottoWireIdentity identity, announced;

  g_assert_nonnull (bob);
  /* Bob logs in from a new device with new identity keys. */
  randombytes_buf (&identity, sizeof identity);
  sotto_test_client_set_identity (new_device, &identity);
  session = sotto_test_client_login (new_device, "bob", PASSWORD);
  g_assert_cmpint (sotto_msg_get_msg_type (session), ==, SOTTO_MSG_TYPE_SESSION);

  changed = sotto_test_client_expect (alice, SOTTO_MSG_TYPE_KEY_CHANGED);
  g_assert_cmpstr (sotto_msg_get_string (changed, "user"), ==, "bob");
  g_assert_cmpstr (sotto_msg_get_string (changed, "room"), ==, "general");
  g_assert_true (sotto_msg_get_identity (changed, &announced));
  g_assert_cmpmem (&announced, sizeof announced, &identity, sizeof identity);
}

static void
test_shutdown_tells_clients (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(SottoTestClient) alice = connect_user (fixture, "alice");
  g_autoptr(SottoMsg) notice = NULL;

  sotto_test_server_stop (fixture->server);
  notice = sotto_test_client_expect (alice, SOTTO_MSG_TYPE_NOTICE);
  sotto_test_client_wait_closed (alice);
  /* A goodbye, not a cut. */
  g_assert_null (sotto_test_client_get_close_error (alice));
}

/* Retention keeps the newest events of a room; numbering is not reset, and
 * the state chain is left whole. */
static void
test_retention (Fixture       *fixture,
                gconstpointer  data)
{
  static const char *const args[] = { "--retention-messages", "3", NULL };
  g_autofree char *dir = sotto_test_make_data_dir ();
  g_autoptr(SottoTestServer) first = sotto_test_server_start (dir, args);
  g_autoptr(SottoTestServer) second = NULL;
  g_autoptr(SottoTestClient) alice = sotto_test_client_connect (first);
  g_autoptr(SottoMsg) session = sotto_test_client_register (alice, "alice", PASSWORD);
  CatchUp result = { g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL), 0 };
  SottoWireIdentity identity;
  gint64 last = 0;

  sotto_test_client_identity (alice, &identity);
  sotto_msg_unref (join (alice, "lobby"));
  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *text = g_strdup_printf ("state %u", i);

      append_state_ok (alice, "lobby", i, text);
    }
  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *msg_id = g_strdup_printf ("r%u", i);
      g_autoptr(SottoMsg) sent = say (alice, "lobby", msg_id, "old news");

      last = sotto_msg_get_int (sent, "seq");
    }
  g_clear_pointer (&alice, sotto_test_client_free);
  sotto_test_server_stop (first);

  /* Applied at start. */
  second = sotto_test_server_start (dir, args);
  alice = sotto_test_client_connect (second);
  sotto_test_client_set_identity (alice, &identity);
  g_clear_pointer (&session, sotto_msg_unref);
  session = sotto_test_client_login (alice, "alice", PASSWORD);
  catch_up (alice, "lobby", 0, 100, &result);
  g_assert_cmpuint (g_hash_table_size (result.seen), ==, 3);
  g_assert_true (g_hash_table_contains (result.seen, "r9"));
  g_assert_false (g_hash_table_contains (result.seen, "r6"));
  g_assert_cmpint (result.last, ==, last);

  {
    g_autoptr(SottoMsg) sent = say (alice, "lobby", "new", "fresh");

    g_assert_cmpint (sotto_msg_get_int (sent, "seq"), ==, last + 1);
  }

  /* The state chain is never trimmed: a chain with a hole cannot be
   * checked. */
  {
    g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) sotto_msg_unref);
    g_autoptr(SottoMsg) done = state_catchup (alice, "lobby", 0, 100, events);

    g_assert_cmpint (sotto_msg_get_int (done, "length"), ==, 5);
    g_assert_cmpuint (events->len, ==, 5);
    assert_state_event (g_ptr_array_index (events, 0), "lobby", 0, "alice", "state 0");
  }

  g_hash_table_unref (result.seen);
  sotto_test_server_stop (second);
  sotto_test_remove_dir (dir);
}

/* The end of the console's input ends the console, not the server. */
static void
test_console_closed (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(SottoTestClient) alice = NULL;

  sotto_test_server_close_stdin (fixture->server);
  sotto_test_iterate (200);
  g_assert_true (sotto_test_server_is_running (fixture->server));
  alice = connect_user (fixture, "alice");
  sotto_msg_unref (say (alice, "general", "still-here", "still here"));
}

/* The log says who did what, never what was said nor any password. */
static void
test_logs_without_content (Fixture       *fixture,
                           gconstpointer  data)
{
  static const char *const args[] = { "--verbose", NULL };
  g_autofree char *dir = sotto_test_make_data_dir ();
  g_autofree char *log_path = g_build_filename (dir, "server.log", NULL);
  g_autofree char *data_dir = g_build_filename (dir, "data", NULL);
  g_autoptr(SottoTestServer) server = sotto_test_server_start_full (data_dir, args, log_path);
  g_autoptr(SottoTestClient) alice = sotto_test_client_connect (server);
  g_autoptr(SottoTestClient) bob = sotto_test_client_connect (server);
  g_autoptr(SottoMsg) a = sotto_test_client_register (alice, "alice", "password-marker-5123");
  g_autoptr(SottoMsg) b = sotto_test_client_register (bob, "bob", PASSWORD);
  g_autoptr(SottoTestClient) guesser = sotto_test_client_connect (server);
  g_autoptr(SottoMsg) wrong = sotto_test_client_login (guesser, "bob", "wrong-marker-7781");
  g_autoptr(GBytes) envelope = envelope_of ("envelope-marker-9090");
  g_autofree char *encoded = g_base64_encode (g_bytes_get_data (envelope, NULL),
                                              g_bytes_get_size (envelope));
  g_autofree char *log = NULL;

  sotto_test_client_send_take (alice, sotto_msg_build_send ("s", "general", "m", envelope));
  expect_ok (alice, "s");
  sotto_msg_unref (sotto_test_client_expect (bob, SOTTO_MSG_TYPE_MESSAGE));
  g_clear_pointer (&alice, sotto_test_client_free);
  g_clear_pointer (&bob, sotto_test_client_free);
  g_clear_pointer (&guesser, sotto_test_client_free);
  g_assert_cmpint (sotto_msg_get_error_code (wrong), ==, SOTTO_MSG_ERROR_CODE_BAD_CREDENTIALS);
  g_assert_cmpint (sotto_msg_get_msg_type (a), ==, SOTTO_MSG_TYPE_SESSION);
  g_assert_cmpint (sotto_msg_get_msg_type (b), ==, SOTTO_MSG_TYPE_SESSION);
  sotto_test_server_stop (server);

  g_assert_true (g_file_get_contents (log_path, &log, NULL, NULL));
  g_assert_nonnull (strstr (log, "Account alice registered"));
  g_assert_nonnull (strstr (log, "Failed login for bob"));
  g_assert_null (strstr (log, "password-marker"));
  g_assert_null (strstr (log, "wrong-marker"));
  g_assert_null (strstr (log, "envelope-marker"));
  g_assert_null (strstr (log, encoded));

  g_clear_pointer (&server, sotto_test_server_free);
  sotto_test_remove_dir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (sodium_init (), >=, 0);

#define ADD(path, func) \
  g_test_add ("/sotto/server/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("register-and-login", test_register_and_login);
  ADD ("account-errors", test_account_errors);
  ADD ("bad-username", test_bad_username);
  ADD ("rate-limit", test_rate_limit);
  ADD ("rooms", test_rooms);
  ADD ("relay", test_relay);
  ADD ("idempotent-resend", test_idempotent_resend);
  ADD ("catch-up", test_catch_up);
  ADD ("key-queue", test_key_queue);
  ADD ("typing", test_typing);
  ADD ("presence", test_presence);
  ADD ("direct-chat", test_direct_chat);
  ADD ("kick-rights", test_kick_rights);
  ADD ("kick-bans", test_kick_bans);
  ADD ("operator-kick-bans", test_operator_kick_bans);
  ADD ("room-owner", test_room_owner);
  ADD ("list-bans", test_list_bans);
  ADD ("console", test_console);
  ADD ("state/append", test_state_append);
  ADD ("state/refused", test_state_refused);
  ADD ("state/catchup", test_state_catchup);
  ADD ("state/restart", test_state_restart);
  ADD ("restart", test_restart);
  ADD ("no-plaintext-on-disk", test_no_plaintext_on_disk);
  ADD ("key-change", test_key_change);
  ADD ("shutdown-tells-clients", test_shutdown_tells_clients);
  ADD ("retention", test_retention);
  ADD ("console-closed", test_console_closed);
  ADD ("logs-without-content", test_logs_without_content);
#undef ADD

  return g_test_run ();
}
