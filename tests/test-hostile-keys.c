/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sodium.h>
#include <string.h>

#include "sotto-client-store.h"
#include "sotto-e2e.h"
#include "sotto-test-hostile.h"
#include "sotto-test-util.h"

/*
 * A server that swaps a contact's identity keys, or asks for sender keys
 * in someone's name, in front of real clients: a verified contact's swap
 * stops sending and hands out nothing; an unverified one's is told and
 * gets only a new key, which opens nothing said before; a request from
 * someone who is not a member gets nothing.
 */

typedef SottoHostileFixture Fixture;

#define WAIT_UNTIL SOTTO_HOSTILE_WAIT_UNTIL

typedef struct
{
  /* Bob's view of the room's members shows these keys for alice. */
  SottoIdentity *fake;
  /* The signed prekey of the fake keys. */
  SottoPrekey   *fake_prekey;
  /* What bob sends: his envelopes and his key boxes for alice. */
  GPtrArray     *envelopes;
  GPtrArray     *boxes_for_alice;
  /* Whom bob's client handed a key to. */
  GPtrArray     *recipients;
} Swap;

static void
swap_init (Swap *swap)
{
  memset (swap, 0, sizeof *swap);
  swap->envelopes = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  swap->boxes_for_alice = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  swap->recipients = g_ptr_array_new_with_free_func (g_free);
}

static void
swap_clear (Swap *swap)
{
  g_clear_object (&swap->fake);
  g_clear_object (&swap->fake_prekey);
  g_ptr_array_unref (swap->envelopes);
  g_ptr_array_unref (swap->boxes_for_alice);
  g_ptr_array_unref (swap->recipients);
}

static void
wire_from_public (const SottoPublicIdentity *identity,
                  SottoWireIdentity         *wire)
{
  memcpy (wire->box, identity->box_pk, sizeof wire->box);
  memcpy (wire->sign, identity->sign_pk, sizeof wire->sign);
  memcpy (wire->binding, identity->binding, sizeof wire->binding);
}

static GBytes *
decode_field (GBytes     *message,
              const char *field)
{
  g_autofree char *text = sotto_test_json_get_string (message, field);
  gsize size = 0;
  guint8 *data;

  g_assert_nonnull (text);
  data = g_base64_decode (text, &size);
  return g_bytes_new_take (data, size);
}

/* The `members` answer for "lobby" with @swap's keys for alice. */
static GBytes *
rewrite_members (Swap   *swap,
                 GBytes *message)
{
  g_autoptr(SottoMsg) msg = sotto_msg_parse_bytes (message, SOTTO_MSG_FROM_SERVER, NULL);
  g_autoptr(GArray) members = g_array_new (FALSE, FALSE, sizeof (SottoWireMember));
  SottoWireMember member;

  g_assert_nonnull (msg);
  for (guint i = 0; i < json_array_get_length (sotto_msg_get_array (msg, "members")); i++)
    {
      g_assert_true (sotto_msg_get_member (msg, i, &member));
      if (g_str_equal (member.user, "alice"))
        wire_from_public (sotto_identity_get_public (swap->fake), &member.identity);
      g_array_append_val (members, member);
    }

  return sotto_msg_build_members (sotto_msg_get_id (msg), "lobby",
                                  sotto_msg_get_string (msg, "owner"),
                                  sotto_msg_get_int (msg, "state_length"),
                                  (SottoWireMember *) members->data, members->len);
}

static gboolean
has_user (GBytes     *message,
          const char *user)
{
  g_autofree char *value = sotto_test_json_get_string (message, "user");

  return g_strcmp0 (value, user) == 0;
}

static GBytes *
swap_cb (SottoTestProxy          *proxy,
         SottoTestProxyLink      *link,
         SottoTestProxyDirection  direction,
         GBytes                  *message,
         gpointer                 user_data)
{
  Swap *swap = user_data;
  g_autofree char *type = NULL;
  g_autofree char *room = NULL;
  g_autofree char *to = NULL;

  if (g_strcmp0 (sotto_test_proxy_link_get_user (link), "bob") != 0)
    return g_bytes_ref (message);

  type = sotto_test_json_type (message);
  room = sotto_test_json_get_string (message, "room");
  if (direction == SOTTO_TEST_PROXY_TO_SERVER)
    {
      to = sotto_test_json_get_string (message, "to");
      if (g_strcmp0 (type, "send") == 0)
        g_ptr_array_add (swap->envelopes, decode_field (message, "envelope"));
      if (g_strcmp0 (type, "send_key") == 0)
        g_ptr_array_add (swap->recipients, g_strdup (to));
      if (g_strcmp0 (type, "send_key") == 0 && g_strcmp0 (to, "alice") == 0)
        g_ptr_array_add (swap->boxes_for_alice, decode_field (message, "box"));
      /* Whatever Bob asks of or sends to the device the server made up,
       * it routes to Alice's real one, as if they were the same. */
      if (swap->fake != NULL &&
          (g_strcmp0 (to, "alice") == 0 ||
           (g_strcmp0 (type, "get_prekeys") == 0 && has_user (message, "alice"))))
        return sotto_test_json_remove (message, "device");
      return g_bytes_ref (message);
    }

  if (swap->fake != NULL && g_strcmp0 (type, "members") == 0 &&
      g_strcmp0 (room, "lobby") == 0)
    return rewrite_members (swap, message);

  /* Alice's prekeys, as the server gives them: those of its own keys. */
  if (swap->fake != NULL && swap->fake_prekey != NULL && g_strcmp0 (type, "prekeys") == 0)
    {
      g_autofree char *user = sotto_test_json_get_string (message, "user");
      g_autoptr(GBytes) bundle = NULL;
      g_autoptr(GBytes) without = NULL;

      if (g_strcmp0 (user, "alice") != 0)
        return g_bytes_ref (message);
      bundle = sotto_prekey_bundle_make (swap->fake, swap->fake_prekey, NULL);
      without = sotto_test_json_remove (message, "one_time");
      {
        g_autofree char *text = g_base64_encode (g_bytes_get_data (bundle, NULL),
                                                 g_bytes_get_size (bundle));

        return sotto_test_json_set_string (without, "bundle", text);
      }
    }

  return g_bytes_ref (message);
}


static SottoPrekey *
fake_prekey_cb (guint32  id,
                gboolean one_time,
                gpointer user_data)
{
  Swap *swap = user_data;

  return !one_time && id == sotto_prekey_get_id (swap->fake_prekey)
         ? g_object_ref (swap->fake_prekey) : NULL;
}

/* Asks bob for his key of "lobby" in @from's name, as the server can. */
static void
forge_key_request (Fixture    *fixture,
                   const char *from,
                   gint64      kid)
{
  g_autoptr(GBytes) request = sotto_msg_build_key_requested (kid, from, NULL, "lobby", 12345);

  sotto_test_proxy_inject_to_user (fixture->proxy, "bob", request);
}

/* Bob compared safety numbers with Alice. The server then says Alice has
 * new keys, its own: Bob's client stops sending into their room, and gives
 * those keys nothing, even when asked in Alice's name. */
static void
test_swap_key_verified (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(SottoClient) alice = sotto_hostile_new_user (fixture, "alice");
  g_autoptr(SottoClient) bob = sotto_hostile_new_user (fixture, "bob");
  g_autoptr(SottoIdentity) fake = sotto_identity_new ();
  g_autoptr(GBytes) changed = NULL;
  g_autoptr(GError) error = NULL;
  SottoRoom *alice_room, *bob_room;
  SottoWireIdentity wire;
  Swap swap;

  swap_init (&swap);
  sotto_test_proxy_set_hook (fixture->proxy, swap_cb, &swap);
  sotto_hostile_join_lobby (fixture, alice, bob, &alice_room, &bob_room);
  sotto_test_user_wait_sent (sotto_test_user_say (bob, bob_room, "hello, verified alice"));
  sotto_test_user_wait_for_text (alice_room, "bob", "hello, verified alice");
  g_assert_true (sotto_client_set_verified (bob, "alice", TRUE, &error));
  g_assert_no_error (error);

  wire_from_public (sotto_identity_get_public (fake), &wire);
  changed = sotto_msg_build_key_changed ("lobby", 1000, g_get_real_time () / 1000, "alice",
                                         &wire);
  /* From now on the server also gives bob prekeys of its own for alice. */
  swap.fake = g_object_ref (fake);
  swap.fake_prekey = sotto_prekey_new (5, g_get_real_time () / 1000);
  sotto_test_proxy_inject_to_user (fixture->proxy, "bob", changed);
  WAIT_UNTIL (sotto_room_get_blocked_by (bob_room) != NULL, "bob's room to be held");

  g_assert_cmpstr (sotto_room_get_blocked_by (bob_room), ==, "alice");
  g_assert_cmpint (sotto_client_get_review (bob, "alice"), ==, SOTTO_IDENTITY_REVIEW_BLOCKING);
  g_assert_false (sotto_client_is_verified (bob, "alice"));
  g_assert_null (sotto_client_send_message (bob, bob_room, "secret plans", &error));
  g_assert_error (error, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_IDENTITY_CHANGED);
  g_clear_error (&error);

  forge_key_request (fixture, "alice", 777001);
  sotto_hostile_round_trip (bob);
  sotto_test_iterate (500);
  /* Nothing bob handed over opens with the new keys. */
  for (guint i = 0; i < swap.boxes_for_alice->len; i++)
    {
      g_autoptr(SottoSenderKey) opened = NULL;
      g_autoptr(GError) open_error = NULL;
      const SottoPublicIdentity *bob_public = sotto_client_get_device_identity (bob);

      opened = sotto_sender_key_open_prekeyed (g_ptr_array_index (swap.boxes_for_alice, i),
                                               "lobby", fake, "bob", bob_public, fake_prekey_cb,
                                               &swap, NULL, &open_error);
      g_assert_null (opened);
    }

  sotto_test_proxy_set_hook (fixture->proxy, NULL, NULL);
  swap_clear (&swap);
}


/* Bob never compared safety numbers with Alice. The server swaps her
 * keys for its own in the member list only (no key_changed event): Bob's
 * client tells him (a review, not a block), ends its sender key, and
 * hands the false Alice nothing, since the room's signed state holds
 * Alice with her own keys. Once the server also makes up a join signed
 * with its keys (anyone may join an open room in their own name), the
 * key Bob hands over is a new one, which opens nothing he said before. */
static void
test_swap_key_unverified (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(SottoClient) alice = sotto_hostile_new_user (fixture, "alice");
  g_autoptr(SottoClient) bob = sotto_hostile_new_user (fixture, "bob");
  g_autoptr(SottoSenderKey) handed = NULL;
  g_autoptr(GBytes) plain = NULL;
  g_autoptr(GError) error = NULL;
  SottoRoom *alice_room, *bob_room;
  SottoPublicIdentity bob_public;
  GBytes *before;
  guint32 before_key = 0;
  guint n_boxes;
  Swap swap;

  swap_init (&swap);
  sotto_test_proxy_set_hook (fixture->proxy, swap_cb, &swap);
  sotto_hostile_join_lobby (fixture, alice, bob, &alice_room, &bob_room);
  sotto_test_user_wait_sent (sotto_test_user_say (bob, bob_room, "before the swap"));
  sotto_test_user_wait_for_text (alice_room, "bob", "before the swap");
  g_assert_cmpuint (swap.envelopes->len, ==, 1);
  before = g_ptr_array_index (swap.envelopes, 0);
  g_assert_true (sotto_envelope_peek (before, &before_key, NULL, NULL));
  bob_public = *sotto_member_get_identity (sotto_room_lookup_member (alice_room, "bob"));

  /* Bob's next member list, after a reconnection, shows the false keys. */
  swap.fake = sotto_identity_new ();
  swap.fake_prekey = sotto_prekey_new (5, g_get_real_time () / 1000);
  sotto_test_proxy_cut_user (fixture->proxy, "bob");
  WAIT_UNTIL (sotto_client_get_review (bob, "alice") != SOTTO_IDENTITY_REVIEW_NONE,
              "bob to see alice's keys change");
  g_assert_cmpint (sotto_client_get_review (bob, "alice"), ==, SOTTO_IDENTITY_REVIEW_NOTICE);
  g_assert_null (sotto_room_get_blocked_by (bob_room));
  sotto_test_user_wait_state (bob, SOTTO_CLIENT_ONLINE);

  n_boxes = swap.boxes_for_alice->len;
  sotto_test_user_wait_sent (sotto_test_user_say (bob, bob_room, "after the swap"));
  sotto_hostile_round_trip (bob);
  g_assert_cmpint (sotto_member_get_standing (sotto_room_lookup_member (bob_room, "alice")), ==,
                   SOTTO_MEMBER_STANDING_UNCONFIRMED);
  g_assert_cmpuint (swap.boxes_for_alice->len, ==, n_boxes);

  sotto_hostile_forge_join (fixture, "lobby", "alice", swap.fake, "bob");
  WAIT_UNTIL (swap.boxes_for_alice->len > n_boxes, "bob to hand the false alice a key");
  g_assert_cmpint (sotto_member_get_standing (sotto_room_lookup_member (bob_room, "alice")), ==,
                   SOTTO_MEMBER_STANDING_CONFIRMED);

  g_assert_true (sotto_sender_key_box_is_prekeyed (g_ptr_array_index (swap.boxes_for_alice,
                                                                      n_boxes)));
  handed = sotto_sender_key_open_prekeyed (g_ptr_array_index (swap.boxes_for_alice, n_boxes),
                                           "lobby", swap.fake, "bob",
                                           sotto_client_get_device_identity (bob),
                                           fake_prekey_cb, &swap, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (handed);
  g_assert_cmpuint (sotto_sender_key_get_key_id (handed), !=, before_key);
  plain = sotto_envelope_open (before, "lobby", "bob", &bob_public, handed, &error);
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_UNKNOWN_KEY);
  g_assert_null (plain);

  sotto_test_proxy_set_hook (fixture->proxy, NULL, NULL);
  swap_clear (&swap);
}

/* The server asks Bob for his key in the name of someone who is not in
 * the room: Bob's client hands nothing over. */
static void
test_forged_key_request (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(SottoClient) alice = sotto_hostile_new_user (fixture, "alice");
  g_autoptr(SottoClient) bob = sotto_hostile_new_user (fixture, "bob");
  g_autoptr(SottoClient) mallory = sotto_hostile_new_user (fixture, "mallory");
  SottoRoom *alice_room, *bob_room;
  Swap swap;

  swap_init (&swap);
  sotto_test_proxy_set_hook (fixture->proxy, swap_cb, &swap);
  sotto_hostile_join_lobby (fixture, alice, bob, &alice_room, &bob_room);
  sotto_test_user_wait_sent (sotto_test_user_say (bob, bob_room, "members only"));
  sotto_test_user_wait_for_text (alice_room, "bob", "members only");

  /* Mallory has an account, and is not in the room. */
  g_assert_null (sotto_client_lookup_room (mallory, "lobby"));
  forge_key_request (fixture, "mallory", 777002);
  sotto_hostile_round_trip (bob);
  sotto_hostile_round_trip (bob);
  sotto_test_iterate (500);
  for (guint i = 0; i < swap.recipients->len; i++)
    g_assert_cmpstr (g_ptr_array_index (swap.recipients, i), !=, "mallory");

  sotto_test_proxy_set_hook (fixture->proxy, NULL, NULL);
  swap_clear (&swap);
}

typedef struct
{
  gboolean      done;
  SottoRoom    *room;
  GError       *error;
} Opened;

static void
opened_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Opened *opened = user_data;

  opened->room = sotto_client_join_finish (SOTTO_CLIENT (object), result, &opened->error);
  opened->done = TRUE;
}

static SottoRoom *
open_direct (SottoClient *client,
             const char  *peer)
{
  Opened opened = { FALSE };

  sotto_client_open_direct_async (client, peer, NULL, opened_cb, &opened);
  WAIT_UNTIL (opened.done, "the direct chat");
  g_assert_no_error (opened.error);
  return opened.room;
}

/* Who bob hands his keys to. */
static GBytes *
key_recipients_cb (SottoTestProxy          *proxy,
                   SottoTestProxyLink      *link,
                   SottoTestProxyDirection  direction,
                   GBytes                  *message,
                   gpointer                 user_data)
{
  g_autofree char *type = sotto_test_json_type (message);

  if (direction == SOTTO_TEST_PROXY_TO_SERVER &&
      g_strcmp0 (sotto_test_proxy_link_get_user (link), "bob") == 0 &&
      g_strcmp0 (type, "send_key") == 0)
    g_ptr_array_add (user_data, sotto_test_json_get_string (message, "to"));

  return g_bytes_ref (message);
}

/* The server says Mallory joined Alice and Bob's direct chat: Bob's client
 * does not take it, says so in the chat, and boxes his key to Alice
 * only. */
static void
test_third_person_in_direct_chat (Fixture       *fixture,
                                  gconstpointer  data)
{
  g_autoptr(SottoClient) alice = sotto_hostile_new_user (fixture, "alice");
  g_autoptr(SottoClient) bob = sotto_hostile_new_user (fixture, "bob");
  g_autoptr(SottoClient) mallory = sotto_hostile_new_user (fixture, "mallory");
  g_autoptr(GPtrArray) recipients = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(SottoRoom) alice_dm = NULL;
  g_autoptr(SottoRoom) bob_dm = NULL;
  g_autoptr(GBytes) joined = NULL;
  SottoWireIdentity wire;

  sotto_test_proxy_set_hook (fixture->proxy, key_recipients_cb, recipients);
  alice_dm = open_direct (alice, "bob");
  bob_dm = open_direct (bob, "alice");
  WAIT_UNTIL (sotto_room_lookup_member (bob_dm, "alice") != NULL, "bob to see alice");

  {
    g_autoptr(SottoIdentity) keys = sotto_identity_new ();
    const SottoPublicIdentity *mallory_keys = sotto_identity_get_public (keys);

    memcpy (wire.box, mallory_keys->box_pk, sizeof wire.box);
    memcpy (wire.sign, mallory_keys->sign_pk, sizeof wire.sign);
    memcpy (wire.binding, mallory_keys->binding, sizeof wire.binding);
  }
  joined = sotto_msg_build_member_joined (sotto_room_get_name (bob_dm), 1000,
                                          g_get_real_time () / 1000, "mallory", &wire);
  sotto_test_proxy_inject_to_user (fixture->proxy, "bob", joined);
  sotto_hostile_round_trip (bob);

  g_assert_null (sotto_room_lookup_member (bob_dm, "mallory"));
  g_assert_cmpuint (g_list_model_get_n_items (sotto_room_get_members (bob_dm)), ==, 2);
  g_assert_true (sotto_room_has_system_text (
                   bob_dm, "The server says mallory is in this direct chat. Sotto does not take "
                           "it: nothing you write here reaches mallory."));

  sotto_test_user_wait_sent (sotto_test_user_say (bob, bob_dm, "just between us"));
  sotto_test_user_wait_for_text (alice_dm, "bob", "just between us");
  g_assert_cmpuint (recipients->len, >=, 1);
  for (guint i = 0; i < recipients->len; i++)
    g_assert_cmpstr (g_ptr_array_index (recipients, i), ==, "alice");
  g_assert_null (sotto_client_lookup_room (mallory, sotto_room_get_name (bob_dm)));
  /* Nothing of Bob's reached Mallory. */
  g_assert_cmpuint (sotto_test_proxy_count (fixture->proxy, "mallory", SOTTO_TEST_PROXY_TO_CLIENT,
                                            "key"), ==, 0);

  sotto_test_proxy_set_hook (fixture->proxy, NULL, NULL);
}

typedef struct
{
  GPtrArray *boxes;
} Recorded;

/* Records what Alice's client sends Bob in key boxes. */
static GBytes *
record_boxes_cb (SottoTestProxy          *proxy,
                 SottoTestProxyLink      *link,
                 SottoTestProxyDirection  direction,
                 GBytes                  *message,
                 gpointer                 user_data)
{
  Recorded *recorded = user_data;
  g_autofree char *type = sotto_test_json_type (message);
  g_autofree char *to = sotto_test_json_get_string (message, "to");

  if (direction == SOTTO_TEST_PROXY_TO_SERVER &&
      g_strcmp0 (sotto_test_proxy_link_get_user (link), "alice") == 0 &&
      g_strcmp0 (type, "send_key") == 0 && g_strcmp0 (to, "bob") == 0)
    g_ptr_array_add (recorded->boxes, decode_field (message, "box"));

  return g_bytes_ref (message);
}

static SottoPrekey *
store_prekey_cb (guint32  id,
                 gboolean one_time,
                 gpointer user_data)
{
  return sotto_client_store_get_prekey (user_data, id, one_time, NULL);
}

/* The server (or anyone) keeps the key boxes Alice sent Bob, and later
 * steals Bob's identity secret key, his whole store even. The boxes were
 * sealed to Bob's prekeys: the one-time prekey went when Bob used it, and
 * once his signed prekey is erased (rotation and its grace time), nothing
 * opens them. Nor do they open as boxes between identity keys. */
static void
test_stolen_identity (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(SottoClient) alice = sotto_hostile_new_user (fixture, "alice");
  g_autoptr(SottoClient) bob = sotto_hostile_new_user (fixture, "bob");
  g_autoptr(SottoClientStore) store = NULL;
  g_autoptr(SottoIdentity) stolen = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  Recorded recorded = { g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref) };
  SottoPublicIdentity alice_public;
  SottoRoom *alice_room, *bob_room;

  sotto_test_proxy_set_hook (fixture->proxy, record_boxes_cb, &recorded);
  sotto_hostile_join_lobby (fixture, alice, bob, &alice_room, &bob_room);
  sotto_test_user_wait_sent (sotto_test_user_say (alice, alice_room, "for bob's eyes"));
  sotto_test_user_wait_for_text (bob_room, "alice", "for bob's eyes");
  sotto_test_proxy_set_hook (fixture->proxy, NULL, NULL);
  g_assert_cmpuint (recorded.boxes->len, >=, 1);
  alice_public = *sotto_member_get_identity (sotto_room_lookup_member (bob_room, "alice"));
  sotto_client_close (bob);

  path = sotto_test_user_store_path (fixture->dir, sotto_test_proxy_get_address (fixture->proxy),
                                     "bob", "bob");
  store = sotto_test_user_open_store (path, SOTTO_HOSTILE_PASSWORD);
  stolen = sotto_client_store_load_identity (store, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < recorded.boxes->len; i++)
    {
      GBytes *box = g_ptr_array_index (recorded.boxes, i);
      g_autoptr(SottoSenderKey) opened = NULL;
      g_autoptr(GError) open_error = NULL;
      guint32 signed_id = 0, one_time_id = 0;

      g_assert_true (sotto_sender_key_box_is_prekeyed (box));
      g_assert_true (sotto_prekey_box_peek (box, &signed_id, &one_time_id, NULL));

      /* Not a box between identity keys. */
      opened = sotto_sender_key_open_from (box, "lobby", stolen, "alice", &alice_public, NULL,
                                           &open_error);
      g_assert_error (open_error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT);
      g_clear_error (&open_error);

      /* Its one-time prekey, if it had one, is gone with its use. */
      if (one_time_id != 0)
        {
          opened = sotto_sender_key_open_prekeyed (box, "lobby", stolen, "alice", &alice_public,
                                                   store_prekey_cb, store, NULL, &open_error);
          g_assert_error (open_error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_UNKNOWN_KEY);
          g_assert_null (opened);
          g_clear_error (&open_error);
        }

      /* The signed prekey erased, as its time comes: shut for good. */
      g_assert_true (sotto_client_store_forget_prekey (store, signed_id, FALSE, &error));
      g_assert_no_error (error);
      opened = sotto_sender_key_open_prekeyed (box, "lobby", stolen, "alice", &alice_public,
                                               store_prekey_cb, store, NULL, &open_error);
      g_assert_error (open_error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_UNKNOWN_KEY);
      g_assert_null (opened);
    }

  g_ptr_array_unref (recorded.boxes);
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
  ADD ("swap-key-verified", test_swap_key_verified);
  ADD ("swap-key-unverified", test_swap_key_unverified);
  ADD ("forged-key-request", test_forged_key_request);
  ADD ("third-person-in-direct-chat", test_third_person_in_direct_chat);
  ADD ("stolen-identity", test_stolen_identity);
#undef ADD

  return g_test_run ();
}
