/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sodium.h>
#include <string.h>

#include "sotto-e2e.h"
#include "sotto-msg-builder.h"
#include "sotto-test-hostile.h"
#include "sotto-test-util.h"

/*
 * Who is in a room, against a server that holds its real key: it lists
 * people the room's signed state does not hold, lets a banned member
 * back, or makes up a join into an invite-only room. The clients (the
 * real client core) take none of it: the person gets no key, and the
 * room says so.
 */

typedef SottoHostileFixture Fixture;

#define WAIT_UNTIL SOTTO_HOSTILE_WAIT_UNTIL

/* Whom each user's client boxes a sender key to, as "sender>recipient". */
static GBytes *
key_recipients_cb (SottoTestProxy          *proxy,
                   SottoTestProxyLink      *link,
                   SottoTestProxyDirection  direction,
                   GBytes                  *message,
                   gpointer                 user_data)
{
  g_autofree char *type = sotto_test_json_type (message);

  if (direction == SOTTO_TEST_PROXY_TO_SERVER && g_strcmp0 (type, "send_key") == 0)
    {
      g_autofree char *to = sotto_test_json_get_string (message, "to");

      g_ptr_array_add (user_data, g_strdup_printf ("%s>%s", sotto_test_proxy_link_get_user (link),
                                                   to));
    }

  return g_bytes_ref (message);
}

static gboolean
handed_to (GPtrArray  *recipients,
           const char *user)
{
  g_autofree char *suffix = g_strdup_printf (">%s", user);

  for (guint i = 0; i < recipients->len; i++)
    if (g_str_has_suffix (g_ptr_array_index (recipients, i), suffix))
      return TRUE;
  return FALSE;
}

static void
wire_from (SottoIdentity     *keys,
           SottoWireIdentity *wire)
{
  const SottoPublicIdentity *public = sotto_identity_get_public (keys);

  memcpy (wire->box, public->box_pk, sizeof wire->box);
  memcpy (wire->sign, public->sign_pk, sizeof wire->sign);
  memcpy (wire->binding, public->binding, sizeof wire->binding);
}

/* The server tells @to that @user joined @room with @wire's keys. */
static void
list_member (Fixture                 *fixture,
             const char              *to,
             const char              *room,
             const char              *user,
             const SottoWireIdentity *wire)
{
  g_autoptr(GBytes) joined = sotto_msg_build_member_joined (room, 100000,
                                                            g_get_real_time () / 1000, user,
                                                            wire);

  sotto_test_proxy_inject_to_user (fixture->proxy, to, joined);
}

/* The server lists a member who never joined by a signed event: Alice's
 * client shows them unconfirmed and boxes them nothing, while Bob, a
 * confirmed member, reads on. */
static void
test_inject_member (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(SottoClient) alice = sotto_hostile_new_user (fixture, "alice");
  g_autoptr(SottoClient) bob = sotto_hostile_new_user (fixture, "bob");
  g_autoptr(GPtrArray) recipients = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(SottoIdentity) ghost_keys = sotto_identity_new ();
  SottoRoom *alice_room, *bob_room;
  SottoWireIdentity ghost;
  SottoMember *member;

  sotto_test_proxy_set_hook (fixture->proxy, key_recipients_cb, recipients);
  sotto_hostile_join_lobby (fixture, alice, bob, &alice_room, &bob_room);

  wire_from (ghost_keys, &ghost);
  list_member (fixture, "alice", "lobby", "ghost", &ghost);
  WAIT_UNTIL (sotto_room_lookup_member (alice_room, "ghost") != NULL,
              "alice to see the server's ghost");
  member = sotto_room_lookup_member (alice_room, "ghost");
  g_assert_cmpint (sotto_member_get_standing (member), ==, SOTTO_MEMBER_STANDING_UNCONFIRMED);

  sotto_test_user_wait_sent (sotto_test_user_say (alice, alice_room, "members only"));
  sotto_test_user_wait_for_text (bob_room, "alice", "members only");
  sotto_hostile_round_trip (alice);
  g_assert_true (handed_to (recipients, "bob"));
  g_assert_false (handed_to (recipients, "ghost"));

  sotto_test_proxy_set_hook (fixture->proxy, NULL, NULL);
}

typedef struct
{
  gboolean  done;
  GError   *error;
} Done;

static void
done_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Done *done = user_data;

  g_task_propagate_boolean (G_TASK (result), &done->error);
  done->done = TRUE;
}

/* Runs the main loop until an async call with done_cb finishes, and
 * returns what it said. */
static GError *
wait_done (Done *done)
{
  WAIT_UNTIL (done->done, "the request to finish");
  done->done = FALSE;
  return g_steal_pointer (&done->error);
}

/* Alice, the room's creator, removes Bob; the ban goes into the room's
 * signed state. The server then lists Bob again, keys and all: Alice's
 * client refuses him, says so, and hands him nothing. */
static void
test_readmit_banned (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(SottoClient) alice = sotto_hostile_new_user (fixture, "alice");
  g_autoptr(SottoClient) bob = sotto_hostile_new_user (fixture, "bob");
  g_autoptr(GPtrArray) recipients = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  Done done = { 0 };
  SottoRoom *alice_room, *bob_room;
  SottoWireIdentity bob_wire;
  const SottoPublicIdentity *bob_public;

  sotto_hostile_join_lobby (fixture, alice, bob, &alice_room, &bob_room);
  bob_public = sotto_member_get_identity (sotto_room_lookup_member (alice_room, "bob"));
  memcpy (bob_wire.box, bob_public->box_pk, sizeof bob_wire.box);
  memcpy (bob_wire.sign, bob_public->sign_pk, sizeof bob_wire.sign);
  memcpy (bob_wire.binding, bob_public->binding, sizeof bob_wire.binding);

  sotto_client_kick_async (alice, "lobby", "bob", NULL, done_cb, &done);
  error = wait_done (&done);
  g_assert_no_error (error);
  WAIT_UNTIL (sotto_room_lookup_member (alice_room, "bob") == NULL, "bob to be gone");
  /* An honest removal is no alarm. */
  g_assert_false (sotto_room_has_system_text (
                    alice_room, "bob is in this room by the server’s records, but the room’s "
                                "own signed history keeps them out: they were banned. Sotto "
                                "does not take them in: nothing written here reaches bob."));

  sotto_test_proxy_set_hook (fixture->proxy, key_recipients_cb, recipients);
  list_member (fixture, "alice", "lobby", "bob", &bob_wire);
  WAIT_UNTIL (sotto_room_lookup_member (alice_room, "bob") != NULL,
              "alice to see the server let bob back");
  g_assert_cmpint (sotto_member_get_standing (sotto_room_lookup_member (alice_room, "bob")), ==,
                   SOTTO_MEMBER_STANDING_REFUSED);
  g_assert_true (sotto_room_has_system_text (
                   alice_room, "bob is in this room by the server’s records, but the room’s own "
                               "signed history keeps them out: they were banned. Sotto does "
                               "not take them in: nothing written here reaches bob."));

  sotto_test_user_wait_sent (sotto_test_user_say (alice, alice_room, "not for bob"));
  sotto_hostile_round_trip (alice);
  g_assert_false (handed_to (recipients, "bob"));

  sotto_test_proxy_set_hook (fixture->proxy, NULL, NULL);
}

static void
set_invite_only (SottoClient *client,
                 const char  *room)
{
  g_autoptr(GError) error = NULL;
  Done done = { 0 };

  sotto_client_set_invite_only_async (client, room, TRUE, NULL, done_cb, &done);
  error = wait_done (&done);
  g_assert_no_error (error);
}

/* An invite-only room: the server lists Mallory and makes up her join,
 * signed with her own keys (anyone can sign their own join). Nobody
 * invited her, so Alice's client refuses her and hands her nothing.
 * Bob, invited first, is taken in. */
static void
test_join_invite_only (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(SottoClient) alice = sotto_hostile_new_user (fixture, "alice");
  g_autoptr(SottoClient) bob = sotto_hostile_new_user (fixture, "bob");
  g_autoptr(GPtrArray) recipients = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(SottoIdentity) mallory_keys = sotto_identity_new ();
  g_autoptr(GError) error = NULL;
  Done done = { 0 };
  SottoRoom *alice_room, *bob_room;
  SottoWireIdentity mallory;

  alice_room = sotto_test_user_join (alice, "club");
  set_invite_only (alice, "club");
  g_assert_true (sotto_client_get_invite_only (alice, "club"));
  g_assert_true (sotto_client_may_moderate (alice, "club"));

  sotto_client_invite_async (alice, "club", "bob", NULL, done_cb, &done);
  error = wait_done (&done);
  g_assert_no_error (error);
  bob_room = sotto_test_user_join (bob, "club");
  WAIT_UNTIL (sotto_room_lookup_member (alice_room, "bob") != NULL &&
              sotto_member_get_standing (sotto_room_lookup_member (alice_room, "bob")) ==
              SOTTO_MEMBER_STANDING_CONFIRMED, "alice to take bob in");
  g_assert_false (sotto_client_may_moderate (bob, "club"));

  sotto_test_proxy_set_hook (fixture->proxy, key_recipients_cb, recipients);
  wire_from (mallory_keys, &mallory);
  list_member (fixture, "alice", "club", "mallory", &mallory);
  sotto_hostile_forge_join (fixture, "club", "mallory", mallory_keys, "alice");
  WAIT_UNTIL (sotto_room_lookup_member (alice_room, "mallory") != NULL,
              "alice to see the server's mallory");
  sotto_hostile_round_trip (alice);
  g_assert_cmpint (sotto_member_get_standing (sotto_room_lookup_member (alice_room, "mallory")),
                   ==, SOTTO_MEMBER_STANDING_REFUSED);
  g_assert_true (sotto_room_has_system_text (
                   alice_room, "mallory joined, but this room is invite-only and nobody invited "
                               "them. Sotto does not take them in: nothing written here reaches "
                               "mallory."));

  sotto_test_user_wait_sent (sotto_test_user_say (alice, alice_room, "invited only"));
  sotto_test_user_wait_for_text (bob_room, "alice", "invited only");
  g_assert_true (handed_to (recipients, "bob"));
  g_assert_false (handed_to (recipients, "mallory"));

  sotto_test_proxy_set_hook (fixture->proxy, NULL, NULL);
}

/* Signs an event as @actor with @keys, which may not be theirs, at the
 * end of @state, takes it there, and relays it to Alice and Bob. */
static void
forge_event (Fixture            *fixture,
             SottoRoomState     *state,
             SottoRoomEventType  type,
             const char         *actor,
             SottoIdentity      *keys,
             const char         *subject,
             gint64              value)
{
  g_auto(SottoRoomEvent) event = { 0 };
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(GBytes) relayed = NULL;
  g_autoptr(GError) error = NULL;
  gboolean taken = FALSE;

  sotto_room_state_prepare (state, &event, type, actor, subject, value);
  if (type == SOTTO_ROOM_EVENT_JOIN)
    {
      event.has_identity = TRUE;
      event.identity = *sotto_identity_get_public (keys);
    }
  sealed = sotto_room_event_seal (&event, keys, &error);
  g_assert_no_error (error);
  sotto_room_state_take (state, sealed, &taken, NULL);
  g_assert_true (taken);

  relayed = sotto_msg_build_state_event (sotto_room_state_get_room (state),
                                         (gint64) event.index, actor,
                                         g_get_real_time () / 1000, sealed);
  sotto_test_proxy_inject_to_user (fixture->proxy, "alice", relayed);
  sotto_test_proxy_inject_to_user (fixture->proxy, "bob", relayed);
}

/* The server makes up Mallory, whose own join an open room takes, then
 * role changes: Mallory making herself a moderator, and Alice making her
 * one, signed with Mallory's keys; then Mallory's ban of Bob. None
 * counts: Mallory stays a plain member, Bob stays in, confirmed, and
 * reads on. */
static void
test_forge_role (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(SottoClient) alice = sotto_hostile_new_user (fixture, "alice");
  g_autoptr(SottoClient) bob = sotto_hostile_new_user (fixture, "bob");
  g_autoptr(SottoIdentity) mallory_keys = sotto_identity_new ();
  g_autoptr(SottoRoomState) state = NULL;
  SottoRoom *alice_room, *bob_room;
  SottoWireIdentity mallory;
  guint64 length;

  sotto_hostile_join_lobby (fixture, alice, bob, &alice_room, &bob_room);
  state = sotto_hostile_server_state (fixture, "lobby");
  length = sotto_room_state_get_length (state);

  wire_from (mallory_keys, &mallory);
  list_member (fixture, "alice", "lobby", "mallory", &mallory);
  list_member (fixture, "bob", "lobby", "mallory", &mallory);
  forge_event (fixture, state, SOTTO_ROOM_EVENT_JOIN, "mallory", mallory_keys, NULL, 0);
  forge_event (fixture, state, SOTTO_ROOM_EVENT_SET_ROLE, "mallory", mallory_keys, "mallory",
               SOTTO_ROOM_ROLE_MODERATOR);
  forge_event (fixture, state, SOTTO_ROOM_EVENT_SET_ROLE, "alice", mallory_keys, "mallory",
               SOTTO_ROOM_ROLE_OWNER);
  forge_event (fixture, state, SOTTO_ROOM_EVENT_BAN, "mallory", mallory_keys, "bob", 0);

  /* Bob's client takes every forged event and stays in. */
  WAIT_UNTIL (sotto_room_lookup_member (bob_room, "mallory") != NULL &&
              sotto_member_get_standing (sotto_room_lookup_member (bob_room, "mallory")) ==
              SOTTO_MEMBER_STANDING_CONFIRMED, "bob to take mallory's own join");
  WAIT_UNTIL (sotto_room_lookup_member (alice_room, "mallory") != NULL &&
              sotto_member_get_standing (sotto_room_lookup_member (alice_room, "mallory")) ==
              SOTTO_MEMBER_STANDING_CONFIRMED, "alice to take mallory's own join");
  sotto_hostile_round_trip (alice);
  sotto_hostile_round_trip (bob);
  g_assert_cmpint (sotto_member_get_role (sotto_room_lookup_member (alice_room, "mallory")), ==,
                   SOTTO_MEMBER_ROLE_MEMBER);
  g_assert_cmpint (sotto_member_get_role (sotto_room_lookup_member (bob_room, "mallory")), ==,
                   SOTTO_MEMBER_ROLE_MEMBER);
  g_assert_cmpint (sotto_member_get_standing (sotto_room_lookup_member (alice_room, "bob")), ==,
                   SOTTO_MEMBER_STANDING_CONFIRMED);
  g_assert_cmpint (sotto_room_get_own_role (bob_room), ==, SOTTO_MEMBER_ROLE_MEMBER);
  g_assert_nonnull (sotto_client_lookup_room (bob, "lobby"));
  g_assert_cmpuint (length + 4, ==, sotto_room_state_get_length (state));

  sotto_test_user_wait_sent (sotto_test_user_say (alice, alice_room, "still here, bob?"));
  sotto_test_user_wait_for_text (bob_room, "alice", "still here, bob?");
  g_assert_nonnull (sotto_client_lookup_room (bob, "lobby"));
  g_assert_cmpuint (sotto_room_state_get_n_void (state), ==, 3);
}

/* Someone nobody invited joins an invite-only room through an honest
 * server: their client does not sign a join it knows to be against the
 * rules; it leaves again and says why. Once invited, they join and are
 * taken in. */
static void
test_uninvited_joiner (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(SottoClient) alice = sotto_hostile_new_user (fixture, "alice");
  g_autoptr(SottoClient) carol = sotto_hostile_new_user (fixture, "carol");
  g_autoptr(GError) error = NULL;
  Done done = { 0 };
  g_autoptr(SottoRoomState) state = NULL;
  SottoRoom *alice_room, *carol_room;
  guint64 length;

  alice_room = sotto_test_user_join (alice, "club");
  set_invite_only (alice, "club");
  state = sotto_hostile_server_state (fixture, "club");
  length = sotto_room_state_get_length (state);
  g_clear_object (&state);

  carol_room = sotto_test_user_try_join (carol, "club", &error);
  g_assert_null (carol_room);
  g_assert_error (error, SOTTO_CLIENT_ERROR,
                  sotto_client_error_from_server (SOTTO_MSG_ERROR_CODE_FORBIDDEN));
  g_assert_cmpstr (error->message, ==,
                   "#club is invite-only: ask one of its moderators to invite you");
  g_clear_error (&error);
  g_assert_null (sotto_client_lookup_room (carol, "club"));
  /* She signed nothing, and the server no longer lists her. */
  WAIT_UNTIL (sotto_room_lookup_member (alice_room, "carol") == NULL, "carol to be gone");
  state = sotto_hostile_server_state (fixture, "club");
  g_assert_cmpuint (sotto_room_state_get_length (state), ==, length);
  g_clear_object (&state);

  /* Invited, she joins and is taken in. */
  sotto_client_invite_async (alice, "club", "carol", NULL, done_cb, &done);
  error = wait_done (&done);
  g_assert_no_error (error);
  carol_room = sotto_test_user_join (carol, "club");
  WAIT_UNTIL (sotto_room_lookup_member (alice_room, "carol") != NULL &&
              sotto_member_get_standing (sotto_room_lookup_member (alice_room, "carol")) ==
              SOTTO_MEMBER_STANDING_CONFIRMED, "alice to take carol in");

  /* A plain member invites nobody. */
  memset (&done, 0, sizeof done);
  sotto_client_invite_async (carol, "club", "dave", NULL, done_cb, &done);
  error = wait_done (&done);
  g_assert_error (error, SOTTO_CLIENT_ERROR,
                  sotto_client_error_from_server (SOTTO_MSG_ERROR_CODE_FORBIDDEN));
  g_assert_nonnull (carol_room);
}

typedef struct
{
  GPtrArray *recipients;
  gboolean   hide_departures;
} Hiding;

/* Records key handovers, and keeps from Alice that anyone left. */
static GBytes *
hide_departures_cb (SottoTestProxy          *proxy,
                    SottoTestProxyLink      *link,
                    SottoTestProxyDirection  direction,
                    GBytes                  *message,
                    gpointer                 user_data)
{
  Hiding *hiding = user_data;
  g_autofree char *type = sotto_test_json_type (message);

  if (hiding->hide_departures && direction == SOTTO_TEST_PROXY_TO_CLIENT &&
      g_strcmp0 (sotto_test_proxy_link_get_user (link), "alice") == 0 &&
      g_strcmp0 (type, "member_left") == 0)
    return NULL;

  return key_recipients_cb (proxy, link, direction, message, hiding->recipients);
}

/* Bob leaves, and the server keeps listing him to Alice: his signed
 * departure still reaches her, so he is no longer confirmed, her key ends,
 * and the next one is not handed to him. */
static void
test_hide_departure (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(SottoClient) alice = sotto_hostile_new_user (fixture, "alice");
  g_autoptr(SottoClient) bob = sotto_hostile_new_user (fixture, "bob");
  g_autoptr(SottoClient) carol = sotto_hostile_new_user (fixture, "carol");
  Hiding hiding = { g_ptr_array_new_with_free_func (g_free), TRUE };
  SottoRoom *alice_room, *bob_room, *carol_room;
  SottoMember *member;

  sotto_hostile_join_lobby (fixture, alice, bob, &alice_room, &bob_room);
  carol_room = sotto_test_user_join (carol, "lobby");
  WAIT_UNTIL (sotto_room_lookup_member (alice_room, "carol") != NULL &&
              sotto_member_get_standing (sotto_room_lookup_member (alice_room, "carol")) ==
              SOTTO_MEMBER_STANDING_CONFIRMED, "alice to take carol in");
  sotto_test_user_wait_sent (sotto_test_user_say (alice, alice_room, "all three"));
  sotto_test_user_wait_for_text (bob_room, "alice", "all three");
  sotto_test_user_wait_for_text (carol_room, "alice", "all three");

  sotto_test_proxy_set_hook (fixture->proxy, hide_departures_cb, &hiding);
  g_assert_true (sotto_test_user_leave (bob, "lobby", NULL));
  WAIT_UNTIL (sotto_member_get_standing (sotto_room_lookup_member (alice_room, "bob")) !=
              SOTTO_MEMBER_STANDING_CONFIRMED, "alice to see bob's signed departure");
  member = sotto_room_lookup_member (alice_room, "bob");
  g_assert_nonnull (member);
  /* What was handed to Bob before his departure reached Alice was his. */
  g_ptr_array_set_size (hiding.recipients, 0);

  sotto_test_user_wait_sent (sotto_test_user_say (alice, alice_room, "after bob"));
  sotto_test_user_wait_for_text (carol_room, "alice", "after bob");
  sotto_hostile_round_trip (alice);
  g_assert_true (handed_to (hiding.recipients, "carol"));
  g_assert_false (handed_to (hiding.recipients, "bob"));

  sotto_test_proxy_set_hook (fixture->proxy, NULL, NULL);
  g_ptr_array_unref (hiding.recipients);
}

/* The server shows Alice, at login, a shorter history of the room than
 * it relayed before: the room says the history is broken. */
static GBytes *
shorten_cb (SottoTestProxy          *proxy,
            SottoTestProxyLink      *link,
            SottoTestProxyDirection  direction,
            GBytes                  *message,
            gpointer                 user_data)
{
  g_autofree char *type = sotto_test_json_type (message);

  if (direction == SOTTO_TEST_PROXY_TO_CLIENT &&
      g_strcmp0 (sotto_test_proxy_link_get_user (link), "alice") == 0 &&
      (g_strcmp0 (type, "members") == 0 || g_strcmp0 (type, "joined") == 0))
    return sotto_test_json_set_int (message, "state_length", 1);
  if (direction == SOTTO_TEST_PROXY_TO_CLIENT &&
      g_strcmp0 (sotto_test_proxy_link_get_user (link), "alice") == 0 &&
      g_strcmp0 (type, "state_done") == 0)
    return sotto_test_json_set_int (message, "length", 1);
  if (direction == SOTTO_TEST_PROXY_TO_CLIENT &&
      g_strcmp0 (sotto_test_proxy_link_get_user (link), "alice") == 0 &&
      g_strcmp0 (type, "state_event") == 0)
    return NULL;

  return g_bytes_ref (message);
}

static void
test_shorten_history (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(SottoClient) alice = sotto_hostile_new_user (fixture, "alice");
  g_autoptr(SottoClient) bob = sotto_hostile_new_user (fixture, "bob");
  SottoRoom *alice_room, *bob_room;

  sotto_hostile_join_lobby (fixture, alice, bob, &alice_room, &bob_room);
  sotto_test_proxy_set_hook (fixture->proxy, shorten_cb, NULL);
  sotto_test_proxy_cut_user (fixture->proxy, "alice");
  WAIT_UNTIL (sotto_room_has_system_text (
                alice_room, "The server shows this room’s membership differently from what it "
                            "showed before: it may be showing its members different rooms. "
                            "Nobody new gets your keys here until this is settled; compare "
                            "safety numbers with the others."),
              "alice to be told the history is broken");

  sotto_test_proxy_set_hook (fixture->proxy, NULL, NULL);
}

typedef struct
{
  gint64 index;
} Withhold;

/* Keeps from Bob the lobby's state event at one index. */
static GBytes *
withhold_state_cb (SottoTestProxy          *proxy,
                   SottoTestProxyLink      *link,
                   SottoTestProxyDirection  direction,
                   GBytes                  *message,
                   gpointer                 user_data)
{
  Withhold *withhold = user_data;
  g_autofree char *type = sotto_test_json_type (message);

  if (direction == SOTTO_TEST_PROXY_TO_CLIENT &&
      g_strcmp0 (sotto_test_proxy_link_get_user (link), "bob") == 0 &&
      g_strcmp0 (type, "state_event") == 0 &&
      sotto_test_json_get_int (message, "index") == withhold->index)
    return NULL;

  return g_bytes_ref (message);
}

/* The server shows Alice and Bob two histories of the room: Alice sees
 * Carol's join, Bob in its place a join the server made up. Each message
 * names the history its sender saw, so each of them is told. */
static void
test_split_views (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(SottoClient) alice = sotto_hostile_new_user (fixture, "alice");
  g_autoptr(SottoClient) bob = sotto_hostile_new_user (fixture, "bob");
  g_autoptr(SottoClient) carol = sotto_hostile_new_user (fixture, "carol");
  g_autoptr(SottoIdentity) ghost_keys = sotto_identity_new ();
  g_autoptr(SottoRoomState) before = NULL;
  SottoRoom *alice_room, *bob_room;
  Withhold withhold;

  sotto_hostile_join_lobby (fixture, alice, bob, &alice_room, &bob_room);
  sotto_test_user_wait_sent (sotto_test_user_say (alice, alice_room, "one history"));
  sotto_test_user_wait_for_text (bob_room, "alice", "one history");
  g_assert_false (sotto_room_has_system_text (
                    bob_room, "alice sees this room’s membership differently from you: the "
                              "server may be showing the two of you different rooms. Compare "
                              "safety numbers with alice and check who is in the room."));

  before = sotto_hostile_server_state (fixture, "lobby");
  withhold.index = (gint64) sotto_room_state_get_length (before);
  sotto_test_proxy_set_hook (fixture->proxy, withhold_state_cb, &withhold);
  sotto_test_user_join (carol, "lobby");
  WAIT_UNTIL (sotto_room_lookup_member (alice_room, "carol") != NULL &&
              sotto_member_get_standing (sotto_room_lookup_member (alice_room, "carol")) ==
              SOTTO_MEMBER_STANDING_CONFIRMED, "alice to take carol in");
  sotto_hostile_forge_join_at (fixture, "lobby", (guint64) withhold.index, "ghost", ghost_keys,
                               "bob");
  sotto_hostile_round_trip (bob);

  sotto_test_user_wait_sent (sotto_test_user_say (alice, alice_room, "with carol"));
  sotto_test_user_wait_for_text (bob_room, "alice", "with carol");
  WAIT_UNTIL (sotto_room_has_system_text (
                bob_room, "alice sees this room’s membership differently from you: the server "
                          "may be showing the two of you different rooms. Compare safety "
                          "numbers with alice and check who is in the room."),
              "bob to be told alice sees another room");

  sotto_test_user_wait_sent (sotto_test_user_say (bob, bob_room, "with whom?"));
  sotto_test_user_wait_for_text (alice_room, "bob", "with whom?");
  WAIT_UNTIL (sotto_room_has_system_text (
                alice_room, "bob sees this room’s membership differently from you: the server "
                            "may be showing the two of you different rooms. Compare safety "
                            "numbers with bob and check who is in the room."),
              "alice to be told bob sees another room");

  sotto_test_proxy_set_hook (fixture->proxy, NULL, NULL);
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
  ADD ("inject-member", test_inject_member);
  ADD ("readmit-banned", test_readmit_banned);
  ADD ("join-invite-only", test_join_invite_only);
  ADD ("uninvited-joiner", test_uninvited_joiner);
  ADD ("forge-role", test_forge_role);
  ADD ("hide-departure", test_hide_departure);
  ADD ("shorten-history", test_shorten_history);
  ADD ("split-views", test_split_views);
#undef ADD

  return g_test_run ();
}
