/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sodium.h>
#include <string.h>

#include "sotto-e2e.h"

/*
 * A room's state from its signed events: the rules every member checks,
 * and that a server holding no member's key cannot get around.
 */

#define ROOM "#garden"

typedef struct
{
  SottoIdentity  *alice;
  SottoIdentity  *bob;
  SottoIdentity  *carol;
  SottoIdentity  *mallory;
  guint8          server_pk[crypto_sign_PUBLICKEYBYTES];
  guint8          server_sk[crypto_sign_SECRETKEYBYTES];
  SottoRoomState *state;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  fixture->alice = sotto_identity_new ();
  fixture->bob = sotto_identity_new ();
  fixture->carol = sotto_identity_new ();
  fixture->mallory = sotto_identity_new ();
  crypto_sign_keypair (fixture->server_pk, fixture->server_sk);
  fixture->state = sotto_room_state_new (ROOM, fixture->server_pk, NULL);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_object_unref (fixture->alice);
  g_object_unref (fixture->bob);
  g_object_unref (fixture->carol);
  g_object_unref (fixture->mallory);
  g_object_unref (fixture->state);
}

/* The next event of the room by @actor_name, signed with @signer. */
static GBytes *
make (SottoRoomState     *state,
      SottoRoomEventType  type,
      const char         *actor_name,
      SottoIdentity      *signer,
      const char         *subject,
      gint64              value)
{
  g_auto(SottoRoomEvent) event = { 0 };
  g_autoptr(GError) error = NULL;
  GBytes *bytes;

  sotto_room_state_prepare (state, &event, type, actor_name, subject, value);
  if (type == SOTTO_ROOM_EVENT_CREATE || type == SOTTO_ROOM_EVENT_JOIN)
    {
      event.has_identity = TRUE;
      event.identity = *sotto_identity_get_public (signer);
    }
  bytes = sotto_room_event_seal (&event, signer, &error);
  g_assert_no_error (error);
  return bytes;
}

/* The next event, signed with the server's key. */
static GBytes *
make_server (Fixture            *fixture,
             SottoRoomEventType  type,
             const char         *subject)
{
  g_auto(SottoRoomEvent) event = { 0 };
  g_autoptr(GBytes) input = NULL;
  g_autoptr(GError) error = NULL;
  guint8 signature[crypto_sign_BYTES];
  GBytes *bytes;

  sotto_room_state_prepare (fixture->state, &event, type, "", subject, 0);
  memcpy (event.actor_key, fixture->server_pk, sizeof event.actor_key);
  input = sotto_room_event_signing_input (&event, &error);
  g_assert_no_error (error);
  crypto_sign_detached (signature, NULL, g_bytes_get_data (input, NULL),
                        g_bytes_get_size (input), fixture->server_sk);
  bytes = sotto_room_event_attach_signature (&event, signature, &error);
  g_assert_no_error (error);
  return bytes;
}

static void
take (SottoRoomState *state,
      GBytes         *event)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (sotto_room_state_apply (state, event, &error));
  g_assert_no_error (error);
  g_bytes_unref (event);
}

static void
refuse (SottoRoomState *state,
        GBytes         *event,
        int             code)
{
  g_autoptr(GError) error = NULL;
  guint64 length = sotto_room_state_get_length (state);
  guint8 head[SOTTO_ROOM_EVENT_HASH_BYTES];

  memcpy (head, sotto_room_state_get_head (state), sizeof head);
  g_assert_false (sotto_room_state_apply (state, event, &error));
  g_assert_error (error, SOTTO_E2E_ERROR, code);
  g_assert_cmpuint (sotto_room_state_get_length (state), ==, length);
  g_assert_cmpmem (sotto_room_state_get_head (state), sizeof head, head, sizeof head);
  g_bytes_unref (event);
}

static void
assert_members (SottoRoomState *state,
                const char     *expected)
{
  g_auto(GStrv) members = sotto_room_state_dup_members (state);
  g_autofree char *joined = g_strjoinv (" ", members);

  g_assert_cmpstr (joined, ==, expected);
}

static void
create_with_bob (Fixture *fixture,
                 gboolean invite_only)
{
  take (fixture->state, make (fixture->state, SOTTO_ROOM_EVENT_CREATE, "alice", fixture->alice,
                              NULL, invite_only ? 1 : 0));
  if (invite_only)
    take (fixture->state, make (fixture->state, SOTTO_ROOM_EVENT_INVITE, "alice",
                                fixture->alice, "bob", 0));
  take (fixture->state, make (fixture->state, SOTTO_ROOM_EVENT_JOIN, "bob", fixture->bob, NULL,
                              0));
}

/* Members come and go by their own signed events; each event moves the
 * head, and the member list is computed from them. */
static void
test_members (Fixture       *fixture,
              gconstpointer  data)
{
  SottoPublicIdentity identity;
  int role = -1;

  create_with_bob (fixture, FALSE);
  assert_members (fixture->state, "alice bob");
  g_assert_cmpuint (sotto_room_state_get_length (fixture->state), ==, 2);
  g_assert_true (sotto_room_state_get_member (fixture->state, "alice", &identity, &role));
  g_assert_cmpint (role, ==, SOTTO_ROOM_ROLE_OWNER);
  g_assert_true (sotto_public_identity_equal (&identity,
                                              sotto_identity_get_public (fixture->alice)));
  g_assert_true (sotto_room_state_get_member (fixture->state, "bob", NULL, &role));
  g_assert_cmpint (role, ==, SOTTO_ROOM_ROLE_MEMBER);

  take (fixture->state, make (fixture->state, SOTTO_ROOM_EVENT_LEAVE, "bob", fixture->bob, NULL,
                              0));
  assert_members (fixture->state, "alice");
  /* Gone is gone: he cannot act, not even leave again. */
  refuse (fixture->state, make (fixture->state, SOTTO_ROOM_EVENT_LEAVE, "bob", fixture->bob, NULL,
                                0), SOTTO_E2E_ERROR_FORBIDDEN);
}

/* What a server without the members' keys can try: a join in Bob's name
 * with its own keys is a change of Bob's keys that every member sees (and
 * reviews), never a silent member; an event made by a member but signed
 * by another key, a removal in someone else's name, or anything by a
 * non-member, is refused. */
static void
test_forged (Fixture       *fixture,
             gconstpointer  data)
{
  g_auto(SottoRoomEvent) event = { 0 };
  g_autoptr(GError) error = NULL;
  GBytes *bytes;

  create_with_bob (fixture, FALSE);

  /* Carol's name and identity, signed with Mallory's key: the signature
   * does not match the identity. */
  sotto_room_state_prepare (fixture->state, &event, SOTTO_ROOM_EVENT_JOIN, "carol", NULL, 0);
  event.has_identity = TRUE;
  event.identity = *sotto_identity_get_public (fixture->carol);
  bytes = sotto_room_event_seal (&event, fixture->mallory, &error);
  g_assert_no_error (error);
  refuse (fixture->state, bytes, SOTTO_E2E_ERROR_FORBIDDEN);

  /* Alice's leave, signed by Mallory. */
  refuse (fixture->state, make (fixture->state, SOTTO_ROOM_EVENT_LEAVE, "alice", fixture->mallory,
                                NULL, 0), SOTTO_E2E_ERROR_FORBIDDEN);
  /* A ban by someone who is not a member. */
  refuse (fixture->state, make (fixture->state, SOTTO_ROOM_EVENT_BAN, "mallory", fixture->mallory,
                                "bob", 0), SOTTO_E2E_ERROR_FORBIDDEN);
  /* The server's key signs no joins. */
  refuse (fixture->state, make_server (fixture, SOTTO_ROOM_EVENT_JOIN, "mallory"),
          SOTTO_E2E_ERROR_FORBIDDEN);
  assert_members (fixture->state, "alice bob");
}

/* An invite-only room takes only whom a moderator invited; an invitation
 * by a plain member counts for nothing. */
static void
test_invite_only (Fixture       *fixture,
                  gconstpointer  data)
{
  create_with_bob (fixture, TRUE);
  g_assert_true (sotto_room_state_get_invite_only (fixture->state));

  refuse (fixture->state, make (fixture->state, SOTTO_ROOM_EVENT_JOIN, "carol", fixture->carol,
                                NULL, 0), SOTTO_E2E_ERROR_FORBIDDEN);
  refuse (fixture->state, make (fixture->state, SOTTO_ROOM_EVENT_INVITE, "bob", fixture->bob,
                                "carol", 0), SOTTO_E2E_ERROR_FORBIDDEN);
  take (fixture->state, make (fixture->state, SOTTO_ROOM_EVENT_INVITE, "alice", fixture->alice,
                              "carol", 0));
  g_assert_true (sotto_room_state_is_invited (fixture->state, "carol"));
  take (fixture->state, make (fixture->state, SOTTO_ROOM_EVENT_JOIN, "carol", fixture->carol,
                              NULL, 0));
  g_assert_false (sotto_room_state_is_invited (fixture->state, "carol"));
  assert_members (fixture->state, "alice bob carol");

  /* Opened, anyone may come. */
  refuse (fixture->state, make (fixture->state, SOTTO_ROOM_EVENT_SET_INVITE_ONLY, "bob",
                                fixture->bob, NULL, 0), SOTTO_E2E_ERROR_FORBIDDEN);
  take (fixture->state, make (fixture->state, SOTTO_ROOM_EVENT_SET_INVITE_ONLY, "alice",
                              fixture->alice, NULL, 0));
  take (fixture->state, make (fixture->state, SOTTO_ROOM_EVENT_JOIN, "mallory",
                              fixture->mallory, NULL, 0));
  assert_members (fixture->state, "alice bob carol mallory");
}

/* A kick is a ban: the banned cannot come back, under any keys, until a
 * moderator lifts it; a moderator bans only those below them. */
static void
test_ban (Fixture       *fixture,
          gconstpointer  data)
{
  g_autoptr(SottoIdentity) bob_again = sotto_identity_new ();

  create_with_bob (fixture, FALSE);
  take (fixture->state, make (fixture->state, SOTTO_ROOM_EVENT_JOIN, "carol", fixture->carol,
                              NULL, 0));

  refuse (fixture->state, make (fixture->state, SOTTO_ROOM_EVENT_BAN, "bob", fixture->bob,
                                "carol", 0), SOTTO_E2E_ERROR_FORBIDDEN);
  take (fixture->state, make (fixture->state, SOTTO_ROOM_EVENT_SET_ROLE, "alice", fixture->alice,
                              "bob", SOTTO_ROOM_ROLE_MODERATOR));
  refuse (fixture->state, make (fixture->state, SOTTO_ROOM_EVENT_BAN, "bob", fixture->bob,
                                "alice", 0), SOTTO_E2E_ERROR_FORBIDDEN);
  refuse (fixture->state, make (fixture->state, SOTTO_ROOM_EVENT_SET_ROLE, "bob", fixture->bob,
                                "carol", SOTTO_ROOM_ROLE_MODERATOR), SOTTO_E2E_ERROR_FORBIDDEN);
  take (fixture->state, make (fixture->state, SOTTO_ROOM_EVENT_BAN, "bob", fixture->bob,
                              "carol", 0));
  assert_members (fixture->state, "alice bob");
  g_assert_true (sotto_room_state_is_banned (fixture->state, "carol"));
  {
    g_auto(GStrv) banned = sotto_room_state_dup_banned (fixture->state);
    const char *by = NULL;
    gint64 when = 0;

    g_assert_cmpuint (g_strv_length (banned), ==, 1);
    g_assert_cmpstr (banned[0], ==, "carol");
    g_assert_true (sotto_room_state_get_ban (fixture->state, "carol", &by, &when));
    g_assert_cmpstr (by, ==, "bob");
    g_assert_cmpint (when, >, 0);
    g_assert_false (sotto_room_state_get_ban (fixture->state, "alice", &by, &when));
    g_assert_null (by);
  }

  refuse (fixture->state, make (fixture->state, SOTTO_ROOM_EVENT_JOIN, "carol", fixture->carol,
                                NULL, 0), SOTTO_E2E_ERROR_FORBIDDEN);
  take (fixture->state, make (fixture->state, SOTTO_ROOM_EVENT_UNBAN, "alice", fixture->alice,
                              "carol", 0));
  take (fixture->state, make (fixture->state, SOTTO_ROOM_EVENT_JOIN, "carol", fixture->carol,
                              NULL, 0));
  assert_members (fixture->state, "alice bob carol");

  /* New keys start over as a plain member. */
  take (fixture->state, make (fixture->state, SOTTO_ROOM_EVENT_JOIN, "bob", bob_again, NULL, 0));
  refuse (fixture->state, make (fixture->state, SOTTO_ROOM_EVENT_BAN, "bob", bob_again, "carol",
                                0), SOTTO_E2E_ERROR_FORBIDDEN);
  refuse (fixture->state, make (fixture->state, SOTTO_ROOM_EVENT_JOIN, "bob", bob_again, NULL, 0),
          SOTTO_E2E_ERROR_FORBIDDEN);
}

/* The operator's ban, signed with the server's key, takes someone out;
 * only the operator lifts it, and a moderator's ban is not the operator's
 * to lift. A ban signed by any other key is refused. */
static void
test_server_ban (Fixture       *fixture,
                 gconstpointer  data)
{
  g_auto(SottoRoomEvent) event = { 0 };
  g_autoptr(GError) error = NULL;
  GBytes *bytes;

  create_with_bob (fixture, FALSE);

  sotto_room_state_prepare (fixture->state, &event, SOTTO_ROOM_EVENT_SERVER_BAN, "", "bob", 0);
  bytes = sotto_room_event_seal (&event, fixture->mallory, &error);
  g_assert_no_error (error);
  refuse (fixture->state, bytes, SOTTO_E2E_ERROR_FORBIDDEN);

  take (fixture->state, make_server (fixture, SOTTO_ROOM_EVENT_SERVER_BAN, "bob"));
  assert_members (fixture->state, "alice");
  {
    const char *by = "someone";

    /* The operator's ban names no moderator. */
    g_assert_true (sotto_room_state_get_ban (fixture->state, "bob", &by, NULL));
    g_assert_null (by);
  }
  refuse (fixture->state, make (fixture->state, SOTTO_ROOM_EVENT_UNBAN, "alice", fixture->alice,
                                "bob", 0), SOTTO_E2E_ERROR_FORBIDDEN);
  refuse (fixture->state, make (fixture->state, SOTTO_ROOM_EVENT_JOIN, "bob", fixture->bob, NULL,
                                0), SOTTO_E2E_ERROR_FORBIDDEN);
  take (fixture->state, make_server (fixture, SOTTO_ROOM_EVENT_SERVER_UNBAN, "bob"));
  take (fixture->state, make (fixture->state, SOTTO_ROOM_EVENT_JOIN, "bob", fixture->bob, NULL,
                              0));

  take (fixture->state, make (fixture->state, SOTTO_ROOM_EVENT_BAN, "alice", fixture->alice,
                              "bob", 0));
  refuse (fixture->state, make_server (fixture, SOTTO_ROOM_EVENT_SERVER_UNBAN, "bob"),
          SOTTO_E2E_ERROR_FORBIDDEN);
  g_assert_true (sotto_room_state_is_banned (fixture->state, "bob"));
}

/* A room nobody owns (the server's own rooms): its first member is a
 * plain member, so nobody gives roles, bans or closes it; its creation
 * may be invite-only too, and other flags are refused. */
static void
test_unowned (Fixture       *fixture,
              gconstpointer  data)
{
  int role = -1;

  refuse (fixture->state, make (fixture->state, SOTTO_ROOM_EVENT_CREATE, "alice", fixture->alice,
                                NULL, 4), SOTTO_E2E_ERROR_FORBIDDEN);
  take (fixture->state, make (fixture->state, SOTTO_ROOM_EVENT_CREATE, "alice", fixture->alice,
                              NULL, SOTTO_ROOM_CREATE_UNOWNED));
  take (fixture->state, make (fixture->state, SOTTO_ROOM_EVENT_JOIN, "bob", fixture->bob, NULL,
                              0));
  g_assert_true (sotto_room_state_get_member (fixture->state, "alice", NULL, &role));
  g_assert_cmpint (role, ==, SOTTO_ROOM_ROLE_MEMBER);
  g_assert_false (sotto_room_state_get_invite_only (fixture->state));
  refuse (fixture->state, make (fixture->state, SOTTO_ROOM_EVENT_SET_ROLE, "alice",
                                fixture->alice, "alice", SOTTO_ROOM_ROLE_OWNER),
          SOTTO_E2E_ERROR_FORBIDDEN);
  refuse (fixture->state, make (fixture->state, SOTTO_ROOM_EVENT_BAN, "alice", fixture->alice,
                                "bob", 0), SOTTO_E2E_ERROR_FORBIDDEN);
  refuse (fixture->state, make (fixture->state, SOTTO_ROOM_EVENT_SET_INVITE_ONLY, "alice",
                                fixture->alice, NULL, 1), SOTTO_E2E_ERROR_FORBIDDEN);
  assert_members (fixture->state, "alice bob");
}

/* A direct chat holds its two people: nobody else can make it, be
 * invited or join. */
static void
test_direct (Fixture       *fixture,
             gconstpointer  data)
{
  const char *const pair[] = { "alice", "bob", NULL };
  g_autoptr(SottoRoomState) state = sotto_room_state_new ("@alice+bob", NULL, pair);

  refuse (state, make (state, SOTTO_ROOM_EVENT_CREATE, "carol", fixture->carol, NULL, 0),
          SOTTO_E2E_ERROR_FORBIDDEN);
  take (state, make (state, SOTTO_ROOM_EVENT_CREATE, "alice", fixture->alice, NULL, 0));
  refuse (state, make (state, SOTTO_ROOM_EVENT_JOIN, "carol", fixture->carol, NULL, 0),
          SOTTO_E2E_ERROR_FORBIDDEN);
  refuse (state, make (state, SOTTO_ROOM_EVENT_INVITE, "alice", fixture->alice, "carol", 0),
          SOTTO_E2E_ERROR_FORBIDDEN);
  take (state, make (state, SOTTO_ROOM_EVENT_JOIN, "bob", fixture->bob, NULL, 0));
  assert_members (state, "alice bob");
}

/* Events count only in their place: one that skips, repeats, names
 * another head or belongs to another room is refused; the first event is
 * the creation and no other. */
static void
test_history (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(SottoRoomState) elsewhere = sotto_room_state_new ("#elsewhere", NULL, NULL);
  g_autoptr(GBytes) create = NULL;
  g_autoptr(GBytes) join = NULL;
  g_auto(SottoRoomEvent) event = { 0 };
  g_autoptr(GError) error = NULL;
  GBytes *bytes;

  refuse (fixture->state, make (fixture->state, SOTTO_ROOM_EVENT_JOIN, "bob", fixture->bob, NULL,
                                0), SOTTO_E2E_ERROR_FORK);
  create = make (fixture->state, SOTTO_ROOM_EVENT_CREATE, "alice", fixture->alice, NULL, 0);
  take (fixture->state, g_bytes_ref (create));
  refuse (fixture->state, g_bytes_ref (create), SOTTO_E2E_ERROR_FORK);
  refuse (elsewhere, g_bytes_ref (create), SOTTO_E2E_ERROR_WRONG_ROOM);

  join = make (fixture->state, SOTTO_ROOM_EVENT_JOIN, "bob", fixture->bob, NULL, 0);
  sotto_room_state_prepare (fixture->state, &event, SOTTO_ROOM_EVENT_JOIN, "carol", NULL, 0);
  event.has_identity = TRUE;
  event.identity = *sotto_identity_get_public (fixture->carol);
  event.index = 5;
  bytes = sotto_room_event_seal (&event, fixture->carol, &error);
  refuse (fixture->state, bytes, SOTTO_E2E_ERROR_FORK);
  event.index = 1;
  event.prev[0] ^= 1;
  bytes = sotto_room_event_seal (&event, fixture->carol, &error);
  refuse (fixture->state, bytes, SOTTO_E2E_ERROR_FORK);

  take (fixture->state, g_bytes_ref (join));
  refuse (fixture->state, g_bytes_ref (join), SOTTO_E2E_ERROR_FORK);
  refuse (fixture->state, make (fixture->state, SOTTO_ROOM_EVENT_CREATE, "carol", fixture->carol,
                                NULL, 0), SOTTO_E2E_ERROR_FORK);
}

/* Taking events in the order the server gives them: one that cannot
 * count keeps its place without effect, and the next honest event, which
 * names its hash, counts; one that belongs to another history is not
 * taken at all. */
static void
test_take (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(GBytes) garbage = g_bytes_new_static ("not an event", 12);
  g_autoptr(GBytes) forbidden = NULL;
  g_autoptr(GBytes) stale = NULL;
  g_autoptr(GBytes) leave = NULL;
  g_autoptr(GError) error = NULL;
  guint8 head[SOTTO_ROOM_EVENT_HASH_BYTES];
  gboolean taken = FALSE;

  create_with_bob (fixture, FALSE);
  stale = make (fixture->state, SOTTO_ROOM_EVENT_LEAVE, "bob", fixture->bob, NULL, 0);

  forbidden = make (fixture->state, SOTTO_ROOM_EVENT_BAN, "bob", fixture->bob, "alice", 0);
  g_assert_false (sotto_room_state_take (fixture->state, forbidden, &taken, &error));
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_FORBIDDEN);
  g_clear_error (&error);
  g_assert_true (taken);
  g_assert_cmpuint (sotto_room_state_get_length (fixture->state), ==, 3);
  sotto_room_event_hash (forbidden, head);
  g_assert_cmpmem (sotto_room_state_get_head (fixture->state), sizeof head, head, sizeof head);
  assert_members (fixture->state, "alice bob");

  g_assert_false (sotto_room_state_take (fixture->state, garbage, &taken, &error));
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT);
  g_clear_error (&error);
  g_assert_true (taken);
  g_assert_cmpuint (sotto_room_state_get_n_void (fixture->state), ==, 2);

  /* Made before the two: it names another head. */
  g_assert_false (sotto_room_state_take (fixture->state, stale, &taken, &error));
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_FORK);
  g_clear_error (&error);
  g_assert_false (taken);
  g_assert_cmpuint (sotto_room_state_get_length (fixture->state), ==, 4);

  leave = make (fixture->state, SOTTO_ROOM_EVENT_LEAVE, "bob", fixture->bob, NULL, 0);
  g_assert_true (sotto_room_state_take (fixture->state, leave, &taken, &error));
  g_assert_no_error (error);
  g_assert_true (taken);
  assert_members (fixture->state, "alice");
}

/* Every cut and every flipped bit of an event is refused, cleanly. */
static void
test_tampered (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GBytes) event = make (fixture->state, SOTTO_ROOM_EVENT_CREATE, "alice",
                                  fixture->alice, NULL, 1);
  gsize size = g_bytes_get_size (event);
  g_autofree guint8 *copy = g_memdup2 (g_bytes_get_data (event, NULL), size);

  for (gsize cut = 0; cut < size; cut++)
    {
      g_autoptr(GBytes) shorter = g_bytes_new (copy, cut);
      g_auto(SottoRoomEvent) read = { 0 };
      g_autoptr(GError) error = NULL;

      g_assert_false (sotto_room_event_open (shorter, &read, &error));
      g_assert_nonnull (error);
    }

  for (gsize bit = 0; bit < size * 8; bit++)
    {
      g_autoptr(GBytes) flipped = NULL;
      g_auto(SottoRoomEvent) read = { 0 };
      g_autoptr(GError) error = NULL;

      copy[bit / 8] ^= 1 << (bit % 8);
      flipped = g_bytes_new (copy, size);
      copy[bit / 8] ^= 1 << (bit % 8);
      g_assert_false (sotto_room_event_open (flipped, &read, &error));
      g_assert_true (g_error_matches (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT) ||
                     g_error_matches (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_SIGNATURE) ||
                     g_error_matches (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_BINDING));
      g_assert_null (read.room);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (sodium_init (), >=, 0);

#define ADD(path, func) \
  g_test_add ("/sotto/e2e/room-state/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("members", test_members);
  ADD ("forged", test_forged);
  ADD ("invite-only", test_invite_only);
  ADD ("ban", test_ban);
  ADD ("server-ban", test_server_ban);
  ADD ("unowned", test_unowned);
  ADD ("direct", test_direct);
  ADD ("history", test_history);
  ADD ("take", test_take);
  ADD ("tampered", test_tampered);
#undef ADD

  return g_test_run ();
}
