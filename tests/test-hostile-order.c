/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sodium.h>
#include <string.h>

#include "sotto-test-hostile.h"
#include "sotto-test-util.h"

/*
 * A server that withholds, reorders, backdates or replays messages, in
 * front of real clients: each attack ends in a refusal or in a warning
 * the reader sees, never in silent acceptance. The server holds its real
 * key (the proxy of sotto-test-proxy.c), so the clients cannot tell it
 * from the honest one.
 */

typedef SottoHostileFixture Fixture;

#define WAIT_UNTIL SOTTO_HOSTILE_WAIT_UNTIL

/* What the server does to the `message` events it sends @victim. */
typedef struct
{
  const char *victim;
  /* This message is not delivered: kept in @held. */
  char       *withhold;
  GBytes     *held;
  /* This message's time is moved back by @backdate_ms. */
  char       *backdate;
  gint64      backdate_ms;
  /* Every `message` and `key` event sent to @victim, as sent. */
  GPtrArray  *messages;
  GPtrArray  *keys;
} Attack;

static void
attack_init (Attack     *attack,
             const char *victim)
{
  memset (attack, 0, sizeof *attack);
  attack->victim = victim;
  attack->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  attack->keys = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
}

static void
attack_clear (Attack *attack)
{
  g_free (attack->withhold);
  g_free (attack->backdate);
  g_clear_pointer (&attack->held, g_bytes_unref);
  g_ptr_array_unref (attack->messages);
  g_ptr_array_unref (attack->keys);
}

static GBytes *
attack_cb (SottoTestProxy          *proxy,
           SottoTestProxyLink      *link,
           SottoTestProxyDirection  direction,
           GBytes                  *message,
           gpointer                 user_data)
{
  Attack *attack = user_data;
  g_autofree char *type = NULL;
  g_autofree char *msg_id = NULL;

  if (direction != SOTTO_TEST_PROXY_TO_CLIENT ||
      g_strcmp0 (sotto_test_proxy_link_get_user (link), attack->victim) != 0)
    return g_bytes_ref (message);

  type = sotto_test_json_type (message);
  if (g_strcmp0 (type, "key") == 0)
    g_ptr_array_add (attack->keys, g_bytes_ref (message));
  if (g_strcmp0 (type, "message") != 0)
    return g_bytes_ref (message);

  g_ptr_array_add (attack->messages, g_bytes_ref (message));
  msg_id = sotto_test_json_get_string (message, "msg_id");
  if (g_strcmp0 (msg_id, attack->withhold) == 0)
    {
      g_clear_pointer (&attack->held, g_bytes_unref);
      attack->held = g_bytes_ref (message);
      return NULL;
    }
  if (g_strcmp0 (msg_id, attack->backdate) == 0)
    return sotto_test_json_set_int (message, "ts",
                                    sotto_test_json_get_int (message, "ts") -
                                    attack->backdate_ms);

  return g_bytes_ref (message);
}

/* The `message` event for @msg_id that @attack saw go to its victim. */
static GBytes *
recorded (Attack     *attack,
          const char *msg_id)
{
  for (guint i = 0; i < attack->messages->len; i++)
    {
      GBytes *message = g_ptr_array_index (attack->messages, i);
      g_autofree char *id = sotto_test_json_get_string (message, "msg_id");

      if (g_strcmp0 (id, msg_id) == 0)
        return message;
    }

  g_error ("No message %s went by", msg_id);
  return NULL;
}

static gint64
last_seq (Attack *attack)
{
  GBytes *last = g_ptr_array_index (attack->messages, attack->messages->len - 1);

  return sotto_test_json_get_int (last, "seq");
}

static gboolean
room_tells (SottoRoom  *room,
            const char *fragment)
{
  GListModel *messages = sotto_room_get_messages (room);

  for (guint i = 0; i < g_list_model_get_n_items (messages); i++)
    {
      g_autoptr(SottoMessage) message = g_list_model_get_item (messages, i);

      if (sotto_message_get_state (message) == SOTTO_MESSAGE_SYSTEM &&
          strstr (sotto_message_get_text (message), fragment) != NULL)
        return TRUE;
    }

  return FALSE;
}

static SottoMessage *
say (SottoClient *client,
     SottoRoom   *room,
     const char  *text)
{
  SottoMessage *message = sotto_test_user_say (client, room, text);

  sotto_test_user_wait_sent (message);
  return message;
}

/* The server keeps one of Alice's messages from Bob: live, the next one
 * says that one did not arrive; and while Bob is away, once his catch-up
 * is done, the same. */
static void
test_withhold (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(SottoClient) alice = sotto_hostile_new_user (fixture, "alice");
  g_autoptr(SottoClient) bob = sotto_hostile_new_user (fixture, "bob");
  SottoRoom *alice_room, *bob_room;
  SottoMessage *seen;
  SottoMessage *kept;
  Attack attack;

  attack_init (&attack, "bob");
  sotto_test_proxy_set_hook (fixture->proxy, attack_cb, &attack);
  sotto_hostile_join_lobby (fixture, alice, bob, &alice_room, &bob_room);

  say (alice, alice_room, "one");
  sotto_test_user_wait_for_text (bob_room, "alice", "one");
  kept = sotto_test_user_say (alice, alice_room, "two");
  attack.withhold = g_strdup (sotto_message_get_msg_id (kept));
  sotto_test_user_wait_sent (kept);
  say (alice, alice_room, "three");
  seen = sotto_test_user_wait_for_text (bob_room, "alice", "three");
  WAIT_UNTIL (sotto_message_get_missing_before (seen) == 1, "the gap to be told");
  g_assert_nonnull (attack.held);
  g_assert_cmpuint (sotto_test_room_count_text (bob_room, "alice", "two"), ==, 0);
  g_assert_cmpuint (sotto_test_room_count_warnings (bob_room), ==, 1);

  /* While Bob is away: kept from his catch-up. */
  sotto_client_close (bob);
  g_clear_object (&bob);
  say (alice, alice_room, "four");
  kept = sotto_test_user_say (alice, alice_room, "five");
  g_free (attack.withhold);
  attack.withhold = g_strdup (sotto_message_get_msg_id (kept));
  sotto_test_user_wait_sent (kept);
  say (alice, alice_room, "six");

  bob = sotto_hostile_log_in (fixture, "bob");
  bob_room = sotto_client_lookup_room (bob, "lobby");
  seen = sotto_test_user_wait_for_text (bob_room, "alice", "six");
  WAIT_UNTIL (sotto_message_get_missing_before (seen) == 1, "the gap to be told after catch-up");
  g_assert_cmpuint (sotto_message_get_missing_before (
                      sotto_test_user_wait_for_text (bob_room, "alice", "four")), ==, 0);
  g_assert_cmpuint (sotto_test_room_count_text (bob_room, "alice", "five"), ==, 0);

  sotto_test_proxy_set_hook (fixture->proxy, NULL, NULL);
  attack_clear (&attack);
}

/* The server swaps two of Alice's messages: the later one comes first
 * and says one before it is missing; the earlier one then comes marked
 * late. */
static void
test_reorder (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(SottoClient) alice = sotto_hostile_new_user (fixture, "alice");
  g_autoptr(SottoClient) bob = sotto_hostile_new_user (fixture, "bob");
  g_autoptr(GBytes) swapped = NULL;
  SottoRoom *alice_room, *bob_room;
  SottoMessage *first, *second;
  SottoMessage *held;
  Attack attack;

  attack_init (&attack, "bob");
  sotto_test_proxy_set_hook (fixture->proxy, attack_cb, &attack);
  sotto_hostile_join_lobby (fixture, alice, bob, &alice_room, &bob_room);

  say (alice, alice_room, "to start with");
  sotto_test_user_wait_for_text (bob_room, "alice", "to start with");
  held = sotto_test_user_say (alice, alice_room, "first");
  attack.withhold = g_strdup (sotto_message_get_msg_id (held));
  sotto_test_user_wait_sent (held);
  say (alice, alice_room, "second");
  second = sotto_test_user_wait_for_text (bob_room, "alice", "second");

  /* Delivered after the second, under a number after it. */
  swapped = sotto_test_json_set_int (attack.held, "seq", last_seq (&attack) + 1);
  sotto_test_proxy_inject_to_user (fixture->proxy, "bob", swapped);
  first = sotto_test_user_wait_for_text (bob_room, "alice", "first");

  g_assert_cmpuint (sotto_message_get_missing_before (second), ==, 1);
  g_assert_cmpuint (sotto_message_get_marks (first) & SOTTO_MESSAGE_MARK_LATE, !=, 0);
  g_assert_cmpuint (sotto_message_get_marks (second), ==, SOTTO_MESSAGE_MARK_NONE);
  g_assert_cmpuint (sotto_test_room_count_text (bob_room, "alice", "first"), ==, 1);

  sotto_test_proxy_set_hook (fixture->proxy, NULL, NULL);
  attack_clear (&attack);
}

/* The server dates one of Alice's messages a day earlier: Bob's client
 * sees that Alice's signed time is after it, and marks it. */
static void
test_backdate (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(SottoClient) alice = sotto_hostile_new_user (fixture, "alice");
  g_autoptr(SottoClient) bob = sotto_hostile_new_user (fixture, "bob");
  SottoRoom *alice_room, *bob_room;
  SottoMessage *sent, *seen, *honest;
  Attack attack;

  attack_init (&attack, "bob");
  sotto_test_proxy_set_hook (fixture->proxy, attack_cb, &attack);
  sotto_hostile_join_lobby (fixture, alice, bob, &alice_room, &bob_room);

  sent = sotto_test_user_say (alice, alice_room, "said today");
  attack.backdate = g_strdup (sotto_message_get_msg_id (sent));
  attack.backdate_ms = 24 * 3600 * 1000;
  sotto_test_user_wait_sent (sent);
  seen = sotto_test_user_wait_for_text (bob_room, "alice", "said today");
  say (alice, alice_room, "said today, too");
  honest = sotto_test_user_wait_for_text (bob_room, "alice", "said today, too");

  g_assert_cmpuint (sotto_message_get_marks (seen) & SOTTO_MESSAGE_MARK_TIME_MISMATCH, !=, 0);
  g_assert_cmpint (sotto_message_get_sent_at (seen) - sotto_message_get_ts (seen), >=,
                   attack.backdate_ms - 60 * 1000);
  g_assert_cmpuint (sotto_message_get_marks (honest), ==, SOTTO_MESSAGE_MARK_NONE);

  sotto_test_proxy_set_hook (fixture->proxy, NULL, NULL);
  attack_clear (&attack);
}

/* The server sends Bob one of Alice's messages again, as a new one (a new
 * number, a new message id): it is not shown twice, and the room says
 * what happened. */
static void
test_replay_envelope (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(SottoClient) alice = sotto_hostile_new_user (fixture, "alice");
  g_autoptr(SottoClient) bob = sotto_hostile_new_user (fixture, "bob");
  g_autoptr(GBytes) renumbered = NULL;
  g_autoptr(GBytes) replay = NULL;
  SottoRoom *alice_room, *bob_room;
  SottoMessage *once;
  Attack attack;

  attack_init (&attack, "bob");
  sotto_test_proxy_set_hook (fixture->proxy, attack_cb, &attack);
  sotto_hostile_join_lobby (fixture, alice, bob, &alice_room, &bob_room);

  once = say (alice, alice_room, "pay bob 10 euros");
  sotto_test_user_wait_for_text (bob_room, "alice", "pay bob 10 euros");
  say (alice, alice_room, "thanks");
  sotto_test_user_wait_for_text (bob_room, "alice", "thanks");

  renumbered = sotto_test_json_set_int (recorded (&attack, sotto_message_get_msg_id (once)),
                                        "seq", last_seq (&attack) + 1);
  replay = sotto_test_json_set_string (renumbered, "msg_id", "0123456789abcdef01234567");
  sotto_test_proxy_inject_to_user (fixture->proxy, "bob", replay);

  WAIT_UNTIL (room_tells (bob_room, "again"), "the replay to be told");
  g_assert_cmpuint (sotto_test_room_count_text (bob_room, "alice", "pay bob 10 euros"), ==, 1);

  sotto_test_proxy_set_hook (fixture->proxy, NULL, NULL);
  attack_clear (&attack);
}

/* Bob leaves the room and comes back. The server hands him Alice's key
 * box of before and one of her messages of before, renumbered: he shows
 * nothing of it as new (the box no longer opens, or the message is told
 * as sent again); and what Alice says after his return reads as usual,
 * with no warning. */
static void
test_replay_after_rejoin (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(SottoClient) alice = sotto_hostile_new_user (fixture, "alice");
  g_autoptr(SottoClient) bob = sotto_hostile_new_user (fixture, "bob");
  g_autoptr(GBytes) old_key = NULL;
  g_autoptr(GBytes) old_message = NULL;
  g_autoptr(GBytes) renumbered = NULL;
  g_autoptr(GBytes) replay = NULL;
  g_autoptr(GError) error = NULL;
  SottoRoom *alice_room, *bob_room;
  SottoMessage *before, *after;
  Attack attack;

  attack_init (&attack, "bob");
  sotto_test_proxy_set_hook (fixture->proxy, attack_cb, &attack);
  sotto_hostile_join_lobby (fixture, alice, bob, &alice_room, &bob_room);

  before = say (alice, alice_room, "before you left");
  sotto_test_user_wait_for_text (bob_room, "alice", "before you left");
  g_assert_cmpuint (attack.keys->len, >=, 1);
  old_key = g_bytes_ref (g_ptr_array_index (attack.keys, attack.keys->len - 1));
  old_message = g_bytes_ref (recorded (&attack, sotto_message_get_msg_id (before)));

  g_assert_true (sotto_test_user_leave (bob, "lobby", &error));
  g_assert_no_error (error);
  WAIT_UNTIL (sotto_room_lookup_member (alice_room, "bob") == NULL, "alice to see bob go");
  bob_room = sotto_test_user_join (bob, "lobby");
  WAIT_UNTIL (sotto_room_lookup_member (bob_room, "alice") != NULL, "bob to see alice again");
  sotto_hostile_round_trip (bob);

  sotto_test_proxy_inject_to_user (fixture->proxy, "bob", old_key);
  renumbered = sotto_test_json_set_int (old_message, "seq", last_seq (&attack) + 100);
  replay = sotto_test_json_set_string (renumbered, "msg_id", "0123456789abcdef01234567");
  sotto_test_proxy_inject_to_user (fixture->proxy, "bob", replay);
  sotto_hostile_round_trip (bob);
  /* The old box was sealed to Bob's prekeys: with its one-time prekey
   * erased once used, it opens no more, and the old message stays
   * unreadable; had it been sealed to the signed prekey alone (none left
   * to hand out), it opens, and the message is told as sent again. */
  WAIT_UNTIL (room_tells (bob_room, "again") ||
              sotto_room_lookup_message (bob_room, "alice", "0123456789abcdef01234567") != NULL,
              "the replay to be taken");
  g_assert_cmpuint (sotto_test_room_count_text (bob_room, "alice", "before you left"), ==, 0);
  {
    SottoMessage *replayed = sotto_room_lookup_message (bob_room, "alice",
                                                        "0123456789abcdef01234567");

    g_assert_true (replayed == NULL ||
                   sotto_message_get_state (replayed) != SOTTO_MESSAGE_RECEIVED);
  }

  /* Alice knows Bob is back before she writes: what is sealed before a
   * sender learns of a newcomer is not theirs to read. */
  WAIT_UNTIL (sotto_room_lookup_member (alice_room, "bob") != NULL &&
              sotto_member_get_standing (sotto_room_lookup_member (alice_room, "bob")) ==
              SOTTO_MEMBER_STANDING_CONFIRMED, "alice to take bob in again");
  say (alice, alice_room, "welcome back");
  after = sotto_test_user_wait_for_text (bob_room, "alice", "welcome back");
  g_assert_cmpuint (sotto_message_get_missing_before (after), ==, 0);
  g_assert_cmpuint (sotto_message_get_marks (after), ==, SOTTO_MESSAGE_MARK_NONE);

  sotto_test_proxy_set_hook (fixture->proxy, NULL, NULL);
  attack_clear (&attack);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (sodium_init (), >=, 0);

#define ADD(path, func) \
  g_test_add ("/sotto/hostile-server/" path, Fixture, NULL, sotto_hostile_fixture_setup, func, \
              sotto_hostile_fixture_teardown)
  ADD ("withhold", test_withhold);
  ADD ("reorder", test_reorder);
  ADD ("backdate", test_backdate);
  ADD ("replay-envelope", test_replay_envelope);
  ADD ("replay-after-rejoin", test_replay_after_rejoin);
#undef ADD

  return g_test_run ();
}
