/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sodium.h>
#include <string.h>

#include "sotto-test-server-fixture.h"

/*
 * Device lists and devices on the real server over loopback: a list
 * handed out as it was published, with the account key and counter
 * beside it; a list under another account key or without a higher
 * counter refused, and nothing changed; all of it kept across a restart.
 * The devices a list names log in, with prekeys and keys of their own;
 * others are refused, unless they reset the account.
 */

#define KEY_BYTES  SOTTO_PROTOCOL_ACCOUNT_KEY_SIZE
#define LIST_MAX   SOTTO_PROTOCOL_DEVICE_LIST_MAX_BYTES

/* Bytes the server cannot tell from an account key or a device list: it
 * never looks inside either. */
static GBytes *
bytes_of (gsize  len,
          guint8 seed)
{
  guint8 *data = g_malloc (len);

  for (gsize i = 0; i < len; i++)
    data[i] = (guint8) (seed + i * 13);

  return g_bytes_new_take (data, len);
}

static GBytes *
key_of (guint8 seed)
{
  return bytes_of (KEY_BYTES, seed);
}

/* About the size of a list of two devices. */
static GBytes *
list_of (guint8 seed)
{
  return bytes_of (470, seed);
}

/* A list said to hold @client's own device. */
static GBytes *
build_publish (SottoTestClient *client,
               const char      *id,
               GBytes          *account_key,
               gint64           counter,
               GBytes          *list)
{
  SottoWireIdentity identity;

  sotto_test_client_identity (client, &identity);
  return sotto_msg_build_publish_devices (id, account_key, counter, list, &identity, 1, NULL);
}

static SottoMsg *
publish (SottoTestClient *client,
         GBytes          *account_key,
         gint64           counter,
         GBytes          *list)
{
  g_autofree char *id = sotto_test_client_next_id (client);

  sotto_test_client_send_take (client,
                               build_publish (client, id, account_key, counter, list));
  return sotto_test_client_expect_reply (client, id);
}

static void
publish_ok (SottoTestClient *client,
            GBytes          *account_key,
            gint64           counter,
            GBytes          *list)
{
  g_autoptr(SottoMsg) reply = publish (client, account_key, counter, list);

  if (sotto_msg_get_msg_type (reply) == SOTTO_MSG_TYPE_ERROR)
    g_error ("Publishing a device list failed: %s", sotto_msg_get_string (reply, "message"));
  g_assert_cmpint (sotto_msg_get_msg_type (reply), ==, SOTTO_MSG_TYPE_DEVICES_PUBLISHED);
  g_assert_cmpint (sotto_msg_get_int (reply, "counter"), ==, counter);
}

static void
publish_refused (SottoTestClient   *client,
                 GBytes            *account_key,
                 gint64             counter,
                 GBytes            *list,
                 SottoMsgErrorCode  code)
{
  g_autoptr(SottoMsg) reply = publish (client, account_key, counter, list);

  g_assert_cmpint (sotto_msg_get_msg_type (reply), ==, SOTTO_MSG_TYPE_ERROR);
  g_assert_cmpint (sotto_msg_get_error_code (reply), ==, code);
}

static SottoMsg *
fetch (SottoTestClient *client,
       const char      *user)
{
  return sotto_test_client_request (client, sotto_msg_build_get_devices, user);
}

/* Fetches @user's device list and checks every field of the answer. */
static void
assert_fetch (SottoTestClient *client,
              const char      *user,
              GBytes          *account_key,
              gint64           counter,
              GBytes          *list)
{
  g_autoptr(SottoMsg) reply = fetch (client, user);
  g_autoptr(GBytes) got_key = NULL;
  g_autoptr(GBytes) got_list = NULL;
  g_autofree char *folded = g_ascii_strdown (user, -1);

  if (sotto_msg_get_msg_type (reply) == SOTTO_MSG_TYPE_ERROR)
    g_error ("Fetching %s's devices failed: %s", user, sotto_msg_get_string (reply, "message"));
  g_assert_cmpint (sotto_msg_get_msg_type (reply), ==, SOTTO_MSG_TYPE_DEVICES);
  /* The server spells names as it stores them, in lower case. */
  g_assert_cmpstr (sotto_msg_get_string (reply, "user"), ==, folded);

  got_key = sotto_msg_dup_bytes (reply, "account_key");
  g_assert_true (g_bytes_equal (got_key, account_key));
  g_assert_cmpint (sotto_msg_get_int (reply, "counter"), ==, counter);
  got_list = sotto_msg_dup_bytes (reply, "list");
  g_assert_true (g_bytes_equal (got_list, list));
}

static void
assert_fetch_error (SottoTestClient   *client,
                    const char        *user,
                    SottoMsgErrorCode  code)
{
  g_autoptr(SottoMsg) reply = fetch (client, user);

  g_assert_cmpint (sotto_msg_get_msg_type (reply), ==, SOTTO_MSG_TYPE_ERROR);
  g_assert_cmpint (sotto_msg_get_error_code (reply), ==, code);
}

/* What alice publishes comes back to bob, and to her, byte for byte. */
static void
test_devices_publish_fetch (SottoServerFixture *fixture,
                            gconstpointer       data)
{
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "alice");
  g_autoptr(SottoTestClient) bob = sotto_server_fixture_new_user (fixture, "bob");
  g_autoptr(GBytes) key = key_of (1);
  g_autoptr(GBytes) list = list_of (2);

  publish_ok (alice, key, 1, list);
  assert_fetch (bob, "alice", key, 1, list);
  assert_fetch (bob, "ALICE", key, 1, list);
  /* Anyone logged in may ask, the owner included, as often as they like. */
  assert_fetch (alice, "alice", key, 1, list);
  assert_fetch (bob, "alice", key, 1, list);
}

/* A higher counter replaces the list, whatever the gap. */
static void
test_devices_replace (SottoServerFixture *fixture,
                      gconstpointer       data)
{
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "alice");
  g_autoptr(SottoTestClient) bob = sotto_server_fixture_new_user (fixture, "bob");
  g_autoptr(GBytes) key = key_of (3);
  g_autoptr(GBytes) first = list_of (4);
  g_autoptr(GBytes) second = bytes_of (LIST_MAX, 5);
  g_autoptr(GBytes) third = bytes_of (1, 6);

  publish_ok (alice, key, 1, first);
  publish_ok (alice, key, 2, second);
  assert_fetch (bob, "alice", key, 2, second);
  publish_ok (alice, key, G_MAXINT64, third);
  assert_fetch (bob, "alice", key, G_MAXINT64, third);
}

/* The same counter again, the same list again and a lower counter are
 * all refused, and the stored list stays. */
static void
test_devices_stale (SottoServerFixture *fixture,
                    gconstpointer       data)
{
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "alice");
  g_autoptr(SottoTestClient) bob = sotto_server_fixture_new_user (fixture, "bob");
  g_autoptr(GBytes) key = key_of (7);
  g_autoptr(GBytes) list = list_of (8);
  g_autoptr(GBytes) other = list_of (9);

  publish_ok (alice, key, 5, list);
  publish_refused (alice, key, 5, list, SOTTO_MSG_ERROR_CODE_STALE);
  publish_refused (alice, key, 5, other, SOTTO_MSG_ERROR_CODE_STALE);
  publish_refused (alice, key, 4, other, SOTTO_MSG_ERROR_CODE_STALE);
  publish_refused (alice, key, 1, other, SOTTO_MSG_ERROR_CODE_STALE);
  assert_fetch (bob, "alice", key, 5, list);

  /* Refusals leave the next one free. */
  publish_ok (alice, key, 6, other);
  assert_fetch (bob, "alice", key, 6, other);
}

/* Two publishes sent together, which the server reads in one turn and
 * writes in one batch: the second is checked against the first before
 * that is committed. */
static void
test_devices_together (SottoServerFixture *fixture,
                       gconstpointer       data)
{
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "alice");
  g_autoptr(SottoTestClient) bob = sotto_server_fixture_new_user (fixture, "bob");
  g_autoptr(SottoMsg) first = NULL;
  g_autoptr(SottoMsg) second = NULL;
  g_autoptr(SottoMsg) third = NULL;
  g_autoptr(GBytes) key = key_of (10);
  g_autoptr(GBytes) other_key = key_of (11);
  g_autoptr(GBytes) list = list_of (12);
  g_autoptr(GBytes) again = list_of (13);
  g_autofree char *first_id = sotto_test_client_next_id (alice);
  g_autofree char *second_id = sotto_test_client_next_id (alice);
  g_autofree char *third_id = sotto_test_client_next_id (alice);

  sotto_test_client_send_take (alice, build_publish (alice, first_id, key, 2, list));
  sotto_test_client_send_take (alice, build_publish (alice, second_id, key, 2, again));
  sotto_test_client_send_take (alice, build_publish (alice, third_id, other_key, 3, again));
  first = sotto_test_client_expect_reply (alice, first_id);
  second = sotto_test_client_expect_reply (alice, second_id);
  third = sotto_test_client_expect_reply (alice, third_id);

  g_assert_cmpint (sotto_msg_get_msg_type (first), ==, SOTTO_MSG_TYPE_DEVICES_PUBLISHED);
  g_assert_cmpint (sotto_msg_get_msg_type (second), ==, SOTTO_MSG_TYPE_ERROR);
  g_assert_cmpint (sotto_msg_get_error_code (second), ==, SOTTO_MSG_ERROR_CODE_STALE);
  g_assert_cmpint (sotto_msg_get_msg_type (third), ==, SOTTO_MSG_TYPE_ERROR);
  g_assert_cmpint (sotto_msg_get_error_code (third), ==, SOTTO_MSG_ERROR_CODE_ACCOUNT_KEY_CHANGED);
  assert_fetch (bob, "alice", key, 2, list);
}

/* A list under another account key is refused whatever its counter, and
 * the stored one stays. */
static void
test_devices_account_key_changed (SottoServerFixture *fixture,
                                  gconstpointer       data)
{
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "alice");
  g_autoptr(SottoTestClient) bob = sotto_server_fixture_new_user (fixture, "bob");
  g_autoptr(GBytes) key = key_of (13);
  g_autoptr(GBytes) other_key = key_of (14);
  g_autoptr(GBytes) list = list_of (15);
  g_autoptr(GBytes) forged = list_of (16);

  publish_ok (alice, key, 3, list);
  publish_refused (alice, other_key, 4, forged, SOTTO_MSG_ERROR_CODE_ACCOUNT_KEY_CHANGED);
  publish_refused (alice, other_key, 3, forged, SOTTO_MSG_ERROR_CODE_ACCOUNT_KEY_CHANGED);
  publish_refused (alice, other_key, 1, forged, SOTTO_MSG_ERROR_CODE_ACCOUNT_KEY_CHANGED);
  assert_fetch (bob, "alice", key, 3, list);

  /* Bob's account has a key of its own: the same one as alice's, even. */
  publish_ok (bob, other_key, 1, forged);
  publish_ok (bob, other_key, 2, forged);
  assert_fetch (alice, "bob", other_key, 2, forged);
  publish_ok (alice, key, 4, forged);
  assert_fetch (bob, "alice", key, 4, forged);
}

/* Nobody by that name; somebody who has published no list. */
static void
test_devices_missing (SottoServerFixture *fixture,
                      gconstpointer       data)
{
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "alice");
  g_autoptr(SottoTestClient) bob = sotto_server_fixture_new_user (fixture, "bob");
  g_autoptr(GBytes) key = key_of (17);
  g_autoptr(GBytes) list = list_of (18);

  assert_fetch_error (alice, "nobody", SOTTO_MSG_ERROR_CODE_NO_SUCH_USER);
  assert_fetch_error (alice, "bob", SOTTO_MSG_ERROR_CODE_NO_DEVICES);
  assert_fetch_error (alice, "alice", SOTTO_MSG_ERROR_CODE_NO_DEVICES);

  publish_ok (alice, key, 1, list);
  assert_fetch_error (alice, "bob", SOTTO_MSG_ERROR_CODE_NO_DEVICES);
  assert_fetch (bob, "alice", key, 1, list);
}

/* Sizes and counters other than the protocol's break the field rules:
 * nothing of such a publish is stored. */
static void
test_devices_wrong_fields (SottoServerFixture *fixture,
                           gconstpointer       data)
{
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "alice");
  g_autoptr(SottoTestClient) bob = sotto_server_fixture_new_user (fixture, "bob");
  g_autoptr(GBytes) key = key_of (19);
  g_autoptr(GBytes) short_key = bytes_of (KEY_BYTES - 1, 20);
  g_autoptr(GBytes) long_key = bytes_of (KEY_BYTES + 1, 21);
  g_autoptr(GBytes) list = list_of (22);
  g_autoptr(GBytes) empty = g_bytes_new (NULL, 0);
  g_autoptr(GBytes) long_list = bytes_of (LIST_MAX + 1, 23);
  g_autoptr(GBytes) longest = bytes_of (LIST_MAX, 24);

  publish_refused (alice, short_key, 1, list, SOTTO_MSG_ERROR_CODE_BAD_REQUEST);
  publish_refused (alice, long_key, 1, list, SOTTO_MSG_ERROR_CODE_BAD_REQUEST);
  publish_refused (alice, key, 1, empty, SOTTO_MSG_ERROR_CODE_BAD_REQUEST);
  publish_refused (alice, key, 1, long_list, SOTTO_MSG_ERROR_CODE_BAD_REQUEST);
  publish_refused (alice, key, 0, list, SOTTO_MSG_ERROR_CODE_BAD_REQUEST);
  publish_refused (alice, key, -1, list, SOTTO_MSG_ERROR_CODE_BAD_REQUEST);
  assert_fetch_error (bob, "alice", SOTTO_MSG_ERROR_CODE_NO_DEVICES);

  /* None of them fixed the account key: another one is still welcome. */
  publish_ok (alice, key, 1, longest);
  assert_fetch (bob, "alice", key, 1, longest);
}

/* Lists outlive a stop and a kill, and so do the rules: the stored key
 * and counter still decide. */
static void
test_devices_restart (SottoServerFixture *fixture,
                      gconstpointer       data)
{
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "alice");
  g_autoptr(SottoTestClient) bob = sotto_server_fixture_new_user (fixture, "bob");
  g_autoptr(GBytes) key = key_of (25);
  g_autoptr(GBytes) other_key = key_of (26);
  g_autoptr(GBytes) first = list_of (27);
  g_autoptr(GBytes) second = list_of (28);
  SottoWireIdentity alice_identity;

  publish_ok (alice, key, 1, first);

  sotto_test_client_identity (alice, &alice_identity);
  g_clear_pointer (&alice, sotto_test_client_free);
  g_clear_pointer (&bob, sotto_test_client_free);
  sotto_test_server_stop (fixture->server);
  sotto_test_server_restart (fixture->server);

  alice = sotto_server_fixture_log_in_as (fixture, "alice", &alice_identity);
  bob = sotto_server_fixture_log_in (fixture, "bob");
  assert_fetch (bob, "alice", key, 1, first);
  publish_refused (alice, key, 1, second, SOTTO_MSG_ERROR_CODE_STALE);
  publish_refused (alice, other_key, 2, second, SOTTO_MSG_ERROR_CODE_ACCOUNT_KEY_CHANGED);
  publish_ok (alice, key, 2, second);

  /* Killed, not stopped: what was answered was already on disk. */
  g_clear_pointer (&alice, sotto_test_client_free);
  g_clear_pointer (&bob, sotto_test_client_free);
  sotto_test_server_kill (fixture->server);
  sotto_test_server_restart (fixture->server);

  bob = sotto_server_fixture_log_in (fixture, "bob");
  assert_fetch (bob, "alice", key, 2, second);
}

/* Publishes @list as holding @devices, in the clear beside it. */
static SottoMsg *
publish_devices (SottoTestClient         *client,
                 GBytes                  *account_key,
                 gint64                   counter,
                 GBytes                  *list,
                 const SottoWireIdentity *devices,
                 guint                    n_devices)
{
  g_autofree char *id = sotto_test_client_next_id (client);

  sotto_test_client_send_take (client,
                               sotto_msg_build_publish_devices (id, account_key, counter, list,
                                                                devices, n_devices, NULL));
  return sotto_test_client_expect_reply (client, id);
}

static void
random_identity (SottoWireIdentity *identity)
{
  randombytes_buf (identity, sizeof *identity);
}

static SottoMsg *
login_from (SottoTestServer         *server,
            const char              *name,
            const SottoWireIdentity *identity,
            gboolean                 reset,
            SottoTestClient        **out_client)
{
  SottoTestClient *client = sotto_test_client_connect (server);
  g_autofree char *id = sotto_test_client_next_id (client);

  sotto_test_client_send_take (client,
                               reset ? sotto_msg_build_reset_login (id, name, SOTTO_TEST_PASSWORD,
                                                                    identity, identity)
                                     : sotto_msg_build_login (id, name, SOTTO_TEST_PASSWORD,
                                                              identity));
  *out_client = client;
  return sotto_test_client_expect_reply (client, id);
}

static void
publish_prekeys (SottoTestClient *client,
                 guint8           seed)
{
  g_autoptr(GBytes) bundle = bytes_of (SOTTO_PROTOCOL_PREKEY_BUNDLE_BYTES, seed);
  g_autofree char *id = sotto_test_client_next_id (client);
  g_autoptr(SottoMsg) reply = NULL;

  sotto_test_client_send_take (client, sotto_msg_build_publish_prekeys (id, bundle, NULL, 0));
  reply = sotto_test_client_expect_reply (client, id);
  g_assert_cmpint (sotto_msg_get_msg_type (reply), ==, SOTTO_MSG_TYPE_PREKEYS_PUBLISHED);
}

/* @user's bundle as @client fetches it, of the device with @sign (or the
 * one the member entries show), or %NULL with the error code it got. */
static GBytes *
fetch_bundle (SottoTestClient   *client,
              const char        *user,
              const guint8      *sign,
              SottoMsgErrorCode *code)
{
  g_autofree char *id = sotto_test_client_next_id (client);
  g_autoptr(GBytes) device = sign != NULL ? g_bytes_new (sign, 32) : NULL;
  g_autoptr(SottoMsg) reply = NULL;

  sotto_test_client_send_take (client, sotto_msg_build_get_prekeys (id, user, device));
  reply = sotto_test_client_expect_reply (client, id);
  if (sotto_msg_get_msg_type (reply) == SOTTO_MSG_TYPE_ERROR)
    {
      *code = sotto_msg_get_error_code (reply);
      return NULL;
    }
  return sotto_msg_dup_bytes (reply, "bundle");
}

/* Bob sends a key to one of @user's devices (or the one shown). */
static SottoMsg *
send_key_to (SottoTestClient *client,
             const char      *user,
             const guint8    *sign,
             GBytes          *box)
{
  g_autofree char *id = sotto_test_client_next_id (client);
  g_autoptr(GBytes) device = sign != NULL ? g_bytes_new (sign, 32) : NULL;

  sotto_test_client_send_take (client,
                               sotto_msg_build_send_key (id, user, device, "general", box));
  return sotto_test_client_expect_reply (client, id);
}

/* Once alice has a device list, a computer that is not on it cannot log
 * in with her password, and nothing of hers changes: no key change, her
 * prekeys and list stay, her connection stays up. */
static void
test_devices_not_linked (SottoServerFixture *fixture,
                         gconstpointer       data)
{
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "alice");
  g_autoptr(SottoTestClient) bob = sotto_server_fixture_new_user (fixture, "bob");
  g_autoptr(SottoTestClient) elsewhere = NULL;
  g_autoptr(SottoMsg) reply = NULL;
  g_autoptr(GBytes) key = key_of (29);
  g_autoptr(GBytes) list = list_of (30);
  g_autoptr(GBytes) bundle = NULL;
  g_autoptr(GBytes) expected = bytes_of (SOTTO_PROTOCOL_PREKEY_BUNDLE_BYTES, 32);
  SottoMsgErrorCode code = 0;
  SottoWireIdentity other;

  publish_ok (alice, key, 1, list);
  publish_prekeys (alice, 32);

  random_identity (&other);
  reply = login_from (fixture->server, "alice", &other, FALSE, &elsewhere);
  g_assert_cmpint (sotto_msg_get_msg_type (reply), ==, SOTTO_MSG_TYPE_ERROR);
  g_assert_cmpint (sotto_msg_get_error_code (reply), ==, SOTTO_MSG_ERROR_CODE_NOT_LINKED);
  g_assert_false (sotto_test_client_is_closed (elsewhere));

  sotto_test_client_assert_none (bob, SOTTO_MSG_TYPE_KEY_CHANGED, 200);
  bundle = fetch_bundle (bob, "alice", NULL, &code);
  g_assert_nonnull (bundle);
  g_assert_true (g_bytes_equal (bundle, expected));
  assert_fetch (bob, "alice", key, 1, list);
  g_assert_false (sotto_test_client_is_closed (alice));

  /* The right device still logs in. */
  g_clear_pointer (&alice, sotto_test_client_free);
  alice = sotto_server_fixture_log_in (fixture, "alice");
}

/* A device the list adds logs in without a key change, with prekeys and
 * a key queue of its own: a key for one device reaches that device alone,
 * waits for it while it is away, and only it can acknowledge it away. */
static void
test_devices_linked (SottoServerFixture *fixture,
                     gconstpointer       data)
{
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "alice");
  g_autoptr(SottoTestClient) bob = sotto_server_fixture_new_user (fixture, "bob");
  g_autoptr(SottoTestClient) laptop = NULL;
  g_autoptr(SottoMsg) reply = NULL;
  g_autoptr(SottoMsg) key_msg = NULL;
  g_autoptr(GBytes) key = key_of (40);
  g_autoptr(GBytes) list = list_of (41);
  g_autoptr(GBytes) bundle = NULL;
  g_autoptr(GBytes) laptop_bundle = bytes_of (SOTTO_PROTOCOL_PREKEY_BUNDLE_BYTES, 43);
  g_autoptr(GBytes) first_bundle = bytes_of (SOTTO_PROTOCOL_PREKEY_BUNDLE_BYTES, 42);
  g_autoptr(GBytes) for_laptop = g_bytes_new_static ("for the laptop", 14);
  g_autoptr(GBytes) for_first = g_bytes_new_static ("for the first", 13);
  g_autoptr(GBytes) delivered = NULL;
  SottoWireIdentity devices[2];
  SottoWireIdentity nobody;
  SottoMsgErrorCode code = 0;
  gint64 kid;

  sotto_test_client_identity (alice, &devices[0]);
  random_identity (&devices[1]);
  g_clear_pointer (&reply, sotto_msg_unref);
  reply = publish_devices (alice, key, 1, list, devices, 2);
  g_assert_cmpint (sotto_msg_get_msg_type (reply), ==, SOTTO_MSG_TYPE_DEVICES_PUBLISHED);
  /* Bob, who shares #general with her, is told; she is not. */
  {
    g_autoptr(SottoMsg) changed = sotto_test_client_expect (bob, SOTTO_MSG_TYPE_DEVICES_CHANGED);

    g_assert_cmpstr (sotto_msg_get_string (changed, "user"), ==, "alice");
    sotto_test_client_assert_none (alice, SOTTO_MSG_TYPE_DEVICES_CHANGED, 100);
  }
  publish_prekeys (alice, 42);

  g_clear_pointer (&reply, sotto_msg_unref);
  reply = login_from (fixture->server, "alice", &devices[1], FALSE, &laptop);
  g_assert_cmpint (sotto_msg_get_msg_type (reply), ==, SOTTO_MSG_TYPE_SESSION);
  sotto_test_client_assert_none (bob, SOTTO_MSG_TYPE_KEY_CHANGED, 200);
  publish_prekeys (laptop, 43);

  /* Each device's own bundle; the first one's without a device named. */
  bundle = fetch_bundle (bob, "alice", devices[1].sign, &code);
  g_assert_true (g_bytes_equal (bundle, laptop_bundle));
  g_clear_pointer (&bundle, g_bytes_unref);
  bundle = fetch_bundle (bob, "alice", devices[0].sign, &code);
  g_assert_true (g_bytes_equal (bundle, first_bundle));
  g_clear_pointer (&bundle, g_bytes_unref);
  bundle = fetch_bundle (bob, "alice", NULL, &code);
  g_assert_true (g_bytes_equal (bundle, first_bundle));
  random_identity (&nobody);
  g_assert_null (fetch_bundle (bob, "alice", nobody.sign, &code));
  g_assert_cmpint (code, ==, SOTTO_MSG_ERROR_CODE_NO_SUCH_DEVICE);

  /* A key for the laptop reaches the laptop only. */
  g_clear_pointer (&reply, sotto_msg_unref);
  reply = send_key_to (bob, "alice", devices[1].sign, for_laptop);
  g_assert_cmpint (sotto_msg_get_msg_type (reply), ==, SOTTO_MSG_TYPE_OK);
  key_msg = sotto_test_client_expect (laptop, SOTTO_MSG_TYPE_KEY);
  delivered = sotto_msg_dup_bytes (key_msg, "box");
  g_assert_true (g_bytes_equal (delivered, for_laptop));
  sotto_test_client_assert_none (alice, SOTTO_MSG_TYPE_KEY, 200);

  /* One for the device shown reaches the first only, and waits for it
   * while it is away; the laptop cannot acknowledge it away. */
  g_clear_pointer (&alice, sotto_test_client_free);
  g_clear_pointer (&reply, sotto_msg_unref);
  reply = send_key_to (bob, "alice", NULL, for_first);
  g_assert_cmpint (sotto_msg_get_msg_type (reply), ==, SOTTO_MSG_TYPE_OK);
  sotto_test_client_assert_none (laptop, SOTTO_MSG_TYPE_KEY, 200);
  alice = sotto_server_fixture_log_in (fixture, "alice");
  g_clear_pointer (&key_msg, sotto_msg_unref);
  key_msg = sotto_test_client_expect (alice, SOTTO_MSG_TYPE_KEY);
  g_clear_pointer (&delivered, g_bytes_unref);
  delivered = sotto_msg_dup_bytes (key_msg, "box");
  g_assert_true (g_bytes_equal (delivered, for_first));
  kid = sotto_msg_get_int (key_msg, "kid");
  sotto_test_client_send_take (laptop, sotto_msg_build_ack_keys ("ack", &kid, 1));
  sotto_test_client_expect_ok (laptop, "ack");
  g_clear_pointer (&alice, sotto_test_client_free);
  alice = sotto_server_fixture_log_in (fixture, "alice");
  g_clear_pointer (&key_msg, sotto_msg_unref);
  key_msg = sotto_test_client_expect (alice, SOTTO_MSG_TYPE_KEY);
  g_assert_cmpint (sotto_msg_get_int (key_msg, "kid"), ==, kid);

  /* A device alice does not have. */
  g_clear_pointer (&reply, sotto_msg_unref);
  reply = send_key_to (bob, "alice", nobody.sign, for_first);
  g_assert_cmpint (sotto_msg_get_error_code (reply), ==, SOTTO_MSG_ERROR_CODE_NO_SUCH_DEVICE);

  /* Both devices are kept across a restart. */
  g_clear_pointer (&alice, sotto_test_client_free);
  g_clear_pointer (&laptop, sotto_test_client_free);
  sotto_test_server_stop (fixture->server);
  sotto_test_server_restart (fixture->server);
  g_clear_pointer (&reply, sotto_msg_unref);
  reply = login_from (fixture->server, "alice", &devices[1], FALSE, &laptop);
  g_assert_cmpint (sotto_msg_get_msg_type (reply), ==, SOTTO_MSG_TYPE_SESSION);
}

/* A list without a device removes it: its connection ends, it can no
 * longer log in, and the first of the list takes the place of a device
 * shown that goes. A list without the device publishing it, or with two
 * devices sharing a key, changes nothing. */
static void
test_devices_remove (SottoServerFixture *fixture,
                     gconstpointer       data)
{
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "alice");
  g_autoptr(SottoTestClient) bob = sotto_server_fixture_new_user (fixture, "bob");
  g_autoptr(SottoTestClient) laptop = NULL;
  g_autoptr(SottoTestClient) again = NULL;
  g_autoptr(SottoMsg) reply = NULL;
  g_autoptr(SottoMsg) changed = NULL;
  g_autoptr(GBytes) key = key_of (50);
  g_autoptr(GBytes) list = list_of (51);
  SottoWireIdentity devices[3];
  SottoWireIdentity announced;

  sotto_test_client_identity (alice, &devices[0]);
  random_identity (&devices[1]);
  reply = publish_devices (alice, key, 1, list, devices, 2);
  g_assert_cmpint (sotto_msg_get_msg_type (reply), ==, SOTTO_MSG_TYPE_DEVICES_PUBLISHED);
  g_clear_pointer (&reply, sotto_msg_unref);
  reply = login_from (fixture->server, "alice", &devices[1], FALSE, &laptop);
  g_assert_cmpint (sotto_msg_get_msg_type (reply), ==, SOTTO_MSG_TYPE_SESSION);

  /* Refused: without the publisher, or a key twice. */
  g_clear_pointer (&reply, sotto_msg_unref);
  reply = publish_devices (alice, key, 2, list, &devices[1], 1);
  g_assert_cmpint (sotto_msg_get_error_code (reply), ==, SOTTO_MSG_ERROR_CODE_FORBIDDEN);
  devices[2] = devices[1];
  randombytes_buf (devices[2].sign, sizeof devices[2].sign);
  g_clear_pointer (&reply, sotto_msg_unref);
  reply = publish_devices (alice, key, 2, list, devices, 3);
  g_assert_cmpint (sotto_msg_get_error_code (reply), ==, SOTTO_MSG_ERROR_CODE_BAD_REQUEST);
  assert_fetch (bob, "alice", key, 1, list);
  g_assert_false (sotto_test_client_is_closed (laptop));

  /* The laptop removes the first device, which was the one shown. The
   * first, still connected until then, is told, as Bob is. */
  g_clear_pointer (&reply, sotto_msg_unref);
  reply = publish_devices (laptop, key, 2, list, &devices[1], 1);
  g_assert_cmpint (sotto_msg_get_msg_type (reply), ==, SOTTO_MSG_TYPE_DEVICES_PUBLISHED);
  sotto_msg_unref (sotto_test_client_expect (bob, SOTTO_MSG_TYPE_DEVICES_CHANGED));
  sotto_test_client_wait_closed (alice);
  changed = sotto_test_client_expect (bob, SOTTO_MSG_TYPE_KEY_CHANGED);
  g_assert_cmpstr (sotto_msg_get_string (changed, "user"), ==, "alice");
  g_assert_true (sotto_msg_get_identity (changed, &announced));
  g_assert_cmpmem (&announced, sizeof announced, &devices[1], sizeof devices[1]);
  g_assert_false (sotto_test_client_is_closed (laptop));

  g_clear_pointer (&reply, sotto_msg_unref);
  reply = login_from (fixture->server, "alice", &devices[0], FALSE, &again);
  g_assert_cmpint (sotto_msg_get_error_code (reply), ==, SOTTO_MSG_ERROR_CODE_NOT_LINKED);
}

/* The "seen" of @reply for the device with @sign: %FALSE if none. */
static gboolean
find_seen (SottoMsg            *reply,
           const guint8        *sign,
           SottoWireDeviceSeen *out_seen)
{
  JsonArray *seen = sotto_msg_get_array (reply, "seen");

  for (guint i = 0; seen != NULL && i < json_array_get_length (seen); i++)
    {
      g_assert_true (sotto_msg_get_device_seen (reply, i, out_seen));
      if (memcmp (out_seen->device, sign, sizeof out_seen->device) == 0)
        return TRUE;
    }
  return FALSE;
}

/* @client's own devices as the server tells them, one per device. */
static SottoMsg *
fetch_own (SottoTestClient *client,
           const char      *user,
           guint            n_devices)
{
  SottoMsg *reply = fetch (client, user);

  g_assert_cmpint (sotto_msg_get_msg_type (reply), ==, SOTTO_MSG_TYPE_DEVICES);
  g_assert_true (sotto_msg_has_field (reply, "seen"));
  g_assert_cmpuint (json_array_get_length (sotto_msg_get_array (reply, "seen")), ==, n_devices);
  return reply;
}

/* Whoever fetches their own list is told when each of their devices was
 * last connected, and which are now; nobody else is told. A device that
 * goes away keeps the time it went, across a restart too. */
static void
test_devices_seen (SottoServerFixture *fixture,
                   gconstpointer       data)
{
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "alice");
  g_autoptr(SottoTestClient) bob = sotto_server_fixture_new_user (fixture, "bob");
  g_autoptr(SottoTestClient) laptop = NULL;
  g_autoptr(SottoMsg) reply = NULL;
  g_autoptr(GBytes) key = key_of (60);
  g_autoptr(GBytes) list = list_of (61);
  g_autoptr(GBytes) bob_key = key_of (62);
  SottoWireIdentity devices[2];
  SottoWireDeviceSeen seen;
  gint64 before, logged_in, went;

  sotto_test_client_identity (alice, &devices[0]);
  random_identity (&devices[1]);
  reply = publish_devices (alice, key, 1, list, devices, 2);
  g_assert_cmpint (sotto_msg_get_msg_type (reply), ==, SOTTO_MSG_TYPE_DEVICES_PUBLISHED);
  publish_ok (bob, bob_key, 1, list);

  /* Alice is connected since she registered; the laptop never was. */
  before = g_get_real_time () / 1000;
  g_clear_pointer (&reply, sotto_msg_unref);
  reply = fetch_own (alice, "alice", 2);
  g_assert_true (find_seen (reply, devices[0].sign, &seen));
  g_assert_true (seen.online);
  g_assert_cmpint (seen.last_seen, >, 0);
  g_assert_cmpint (seen.last_seen, <=, before);
  g_assert_true (find_seen (reply, devices[1].sign, &seen));
  g_assert_false (seen.online);
  g_assert_cmpint (seen.last_seen, ==, 0);

  /* Neither Bob, about Alice, nor Alice, about Bob, is told. */
  g_clear_pointer (&reply, sotto_msg_unref);
  reply = fetch (bob, "alice");
  g_assert_cmpint (sotto_msg_get_msg_type (reply), ==, SOTTO_MSG_TYPE_DEVICES);
  g_assert_false (sotto_msg_has_field (reply, "seen"));
  g_clear_pointer (&reply, sotto_msg_unref);
  reply = fetch (alice, "bob");
  g_assert_cmpint (sotto_msg_get_msg_type (reply), ==, SOTTO_MSG_TYPE_DEVICES);
  g_assert_false (sotto_msg_has_field (reply, "seen"));

  /* The laptop logs in: both are online, and it asks as Alice too. */
  g_clear_pointer (&reply, sotto_msg_unref);
  reply = login_from (fixture->server, "alice", &devices[1], FALSE, &laptop);
  g_assert_cmpint (sotto_msg_get_msg_type (reply), ==, SOTTO_MSG_TYPE_SESSION);
  g_clear_pointer (&reply, sotto_msg_unref);
  reply = fetch_own (laptop, "ALICE", 2);
  g_assert_true (find_seen (reply, devices[1].sign, &seen));
  g_assert_true (seen.online);
  g_assert_cmpint (seen.last_seen, >=, before);
  logged_in = seen.last_seen;
  g_assert_true (find_seen (reply, devices[0].sign, &seen));
  g_assert_true (seen.online);

  /* It goes away: no longer online, last seen when it went. */
  g_clear_pointer (&laptop, sotto_test_client_free);
  for (guint i = 0; i < 500; i++)
    {
      g_clear_pointer (&reply, sotto_msg_unref);
      reply = fetch_own (alice, "alice", 2);
      g_assert_true (find_seen (reply, devices[1].sign, &seen));
      if (!seen.online)
        break;
      g_usleep (10 * 1000);
    }
  g_assert_false (seen.online);
  g_assert_cmpint (seen.last_seen, >=, logged_in);
  went = seen.last_seen;

  /* The server keeps it. */
  g_clear_pointer (&alice, sotto_test_client_free);
  g_clear_pointer (&bob, sotto_test_client_free);
  sotto_test_server_stop (fixture->server);
  sotto_test_server_restart (fixture->server);
  alice = sotto_server_fixture_log_in_as (fixture, "alice", &devices[0]);
  g_clear_pointer (&reply, sotto_msg_unref);
  reply = fetch_own (alice, "alice", 2);
  g_assert_true (find_seen (reply, devices[1].sign, &seen));
  g_assert_false (seen.online);
  g_assert_cmpint (seen.last_seen, ==, went);
  g_assert_true (find_seen (reply, devices[0].sign, &seen));
  g_assert_true (seen.online);
  g_assert_cmpint (seen.last_seen, >=, went);
}

/* A reset from a computer that is not linked: its keys become the
 * account's only device, the others' connections end, the device list
 * and its account key are forgotten (a list under another key is taken),
 * and the rooms are told of the new keys once. */
static void
test_devices_reset (SottoServerFixture *fixture,
                    gconstpointer       data)
{
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "alice");
  g_autoptr(SottoTestClient) bob = sotto_server_fixture_new_user (fixture, "bob");
  g_autoptr(SottoTestClient) fresh = NULL;
  g_autoptr(SottoTestClient) old = NULL;
  g_autoptr(SottoMsg) reply = NULL;
  g_autoptr(SottoMsg) changed = NULL;
  g_autoptr(GBytes) key = key_of (60);
  g_autoptr(GBytes) other_key = key_of (61);
  g_autoptr(GBytes) list = list_of (62);
  SottoWireIdentity first, identity, announced;
  SottoMsgErrorCode code = 0;

  sotto_test_client_identity (alice, &first);
  publish_ok (alice, key, 5, list);
  publish_prekeys (alice, 63);

  random_identity (&identity);
  reply = login_from (fixture->server, "alice", &identity, TRUE, &fresh);
  g_assert_cmpint (sotto_msg_get_msg_type (reply), ==, SOTTO_MSG_TYPE_SESSION);
  sotto_test_client_wait_closed (alice);
  changed = sotto_test_client_expect (bob, SOTTO_MSG_TYPE_KEY_CHANGED);
  g_assert_true (sotto_msg_get_identity (changed, &announced));
  g_assert_cmpmem (&announced, sizeof announced, &identity, sizeof identity);
  sotto_test_client_assert_none (bob, SOTTO_MSG_TYPE_KEY_CHANGED, 200);

  assert_fetch_error (bob, "alice", SOTTO_MSG_ERROR_CODE_NO_DEVICES);
  g_assert_null (fetch_bundle (bob, "alice", NULL, &code));
  g_assert_cmpint (code, ==, SOTTO_MSG_ERROR_CODE_NO_PREKEYS);
  g_assert_null (fetch_bundle (bob, "alice", first.sign, &code));
  g_assert_cmpint (code, ==, SOTTO_MSG_ERROR_CODE_NO_SUCH_DEVICE);

  /* The new account key's list is taken, from counter 1; the old
   * computer is then no device of hers. */
  {
    g_autoptr(SottoMsg) published = publish_devices (fresh, other_key, 1, list, &identity, 1);

    g_assert_cmpint (sotto_msg_get_msg_type (published), ==, SOTTO_MSG_TYPE_DEVICES_PUBLISHED);
  }
  g_clear_pointer (&reply, sotto_msg_unref);
  reply = login_from (fixture->server, "alice", &first, FALSE, &old);
  g_assert_cmpint (sotto_msg_get_error_code (reply), ==, SOTTO_MSG_ERROR_CODE_NOT_LINKED);

  /* A reset needs the password like any login. */
  {
    SottoTestClient *guess = sotto_test_client_connect (fixture->server);
    g_autoptr(SottoMsg) refused = NULL;

    sotto_test_client_send_take (guess,
                                 sotto_msg_build_reset_login ("g", "alice", "not the password",
                                                              &first, &first));
    refused = sotto_test_client_expect_reply (guess, "g");
    g_assert_cmpint (sotto_msg_get_error_code (refused), ==,
                     SOTTO_MSG_ERROR_CODE_BAD_CREDENTIALS);
    sotto_test_client_free (guess);
  }
  g_assert_false (sotto_test_client_is_closed (fresh));
}

/* The identity member entries show for @user in #general, as @client
 * lists them. */
static void
shown_identity (SottoTestClient   *client,
                const char        *user,
                SottoWireIdentity *identity)
{
  g_autoptr(SottoMsg) members = sotto_test_client_request (client, sotto_msg_build_list_members,
                                                           "general");
  SottoWireMember member;

  for (guint i = 0; i < json_array_get_length (sotto_msg_get_array (members, "members")); i++)
    {
      g_assert_true (sotto_msg_get_member (members, i, &member));
      if (g_strcmp0 (member.user, user) == 0)
        {
          *identity = member.identity;
          return;
        }
    }
  g_error ("%s is not listed in general", user);
}

/* The account's identity, told at registration, is what its member
 * entries show, not the device's; key messages say which of the sender's
 * devices they came from; a list may name the account's identity (only
 * one that signs with the list's account key), which its member entries
 * then show, told once; a reset names the new one. */
static void
test_devices_account_identity (SottoServerFixture *fixture,
                               gconstpointer       data)
{
  g_autoptr(SottoTestClient) bob = sotto_server_fixture_new_user (fixture, "bob");
  g_autoptr(SottoTestClient) alice = sotto_test_client_connect (fixture->server);
  g_autoptr(SottoTestClient) fresh = NULL;
  g_autoptr(SottoMsg) reply = NULL;
  g_autoptr(SottoMsg) key_msg = NULL;
  g_autoptr(SottoMsg) changed = NULL;
  g_autoptr(GBytes) box = g_bytes_new_static ("box", 3);
  g_autoptr(GBytes) from = NULL;
  g_autoptr(GBytes) list = list_of (70);
  g_autoptr(GBytes) key = NULL;
  g_autofree char *id = sotto_test_client_next_id (alice);
  SottoWireIdentity device, account, other_account, shown, bob_device, announced, fresh_device;

  sotto_test_client_identity (alice, &device);
  random_identity (&account);
  sotto_test_client_send_take (alice, sotto_msg_build_register (id, "alice", SOTTO_TEST_PASSWORD,
                                                                &device, &account));
  reply = sotto_test_client_expect_reply (alice, id);
  g_assert_cmpint (sotto_msg_get_msg_type (reply), ==, SOTTO_MSG_TYPE_SESSION);
  shown_identity (bob, "alice", &shown);
  g_assert_cmpmem (&shown, sizeof shown, &account, sizeof account);

  /* A key from bob names his device; one to alice's only device
   * reaches it. */
  g_clear_pointer (&reply, sotto_msg_unref);
  reply = send_key_to (bob, "alice", NULL, box);
  g_assert_cmpint (sotto_msg_get_msg_type (reply), ==, SOTTO_MSG_TYPE_OK);
  key_msg = sotto_test_client_expect (alice, SOTTO_MSG_TYPE_KEY);
  from = sotto_msg_dup_bytes (key_msg, "device");
  sotto_test_client_identity (bob, &bob_device);
  g_assert_nonnull (from);
  g_assert_cmpmem (g_bytes_get_data (from, NULL), g_bytes_get_size (from), bob_device.sign, 32);

  /* A list naming an identity that does not sign with its key. */
  key = g_bytes_new (account.sign, sizeof account.sign);
  random_identity (&other_account);
  g_clear_pointer (&reply, sotto_msg_unref);
  {
    g_autofree char *pid = sotto_test_client_next_id (alice);

    sotto_test_client_send_take (alice,
                                 sotto_msg_build_publish_devices (pid, key, 1, list, &device, 1,
                                                                  &other_account));
    reply = sotto_test_client_expect_reply (alice, pid);
  }
  g_assert_cmpint (sotto_msg_get_error_code (reply), ==, SOTTO_MSG_ERROR_CODE_BAD_REQUEST);
  assert_fetch_error (bob, "alice", SOTTO_MSG_ERROR_CODE_NO_DEVICES);

  /* The same identity again changes nothing, and tells nothing. */
  g_clear_pointer (&reply, sotto_msg_unref);
  {
    g_autofree char *pid = sotto_test_client_next_id (alice);

    sotto_test_client_send_take (alice,
                                 sotto_msg_build_publish_devices (pid, key, 1, list, &device, 1,
                                                                  &account));
    reply = sotto_test_client_expect_reply (alice, pid);
  }
  g_assert_cmpint (sotto_msg_get_msg_type (reply), ==, SOTTO_MSG_TYPE_DEVICES_PUBLISHED);
  sotto_test_client_assert_none (bob, SOTTO_MSG_TYPE_KEY_CHANGED, 200);

  /* A reset from another computer, with a new identity: told once. */
  random_identity (&fresh_device);
  g_clear_pointer (&reply, sotto_msg_unref);
  fresh = sotto_test_client_connect (fixture->server);
  {
    g_autofree char *rid = sotto_test_client_next_id (fresh);

    sotto_test_client_send_take (fresh,
                                 sotto_msg_build_reset_login (rid, "alice", SOTTO_TEST_PASSWORD,
                                                              &fresh_device, &other_account));
    reply = sotto_test_client_expect_reply (fresh, rid);
  }
  g_assert_cmpint (sotto_msg_get_msg_type (reply), ==, SOTTO_MSG_TYPE_SESSION);
  changed = sotto_test_client_expect (bob, SOTTO_MSG_TYPE_KEY_CHANGED);
  g_assert_true (sotto_msg_get_identity (changed, &announced));
  g_assert_cmpmem (&announced, sizeof announced, &other_account, sizeof other_account);
  sotto_test_client_assert_none (bob, SOTTO_MSG_TYPE_KEY_CHANGED, 200);
  shown_identity (bob, "alice", &shown);
  g_assert_cmpmem (&shown, sizeof shown, &other_account, sizeof other_account);

  /* Keys with no device named go to the computer that reset. */
  g_clear_pointer (&reply, sotto_msg_unref);
  reply = send_key_to (bob, "alice", NULL, box);
  g_assert_cmpint (sotto_msg_get_msg_type (reply), ==, SOTTO_MSG_TYPE_OK);
  g_clear_pointer (&key_msg, sotto_msg_unref);
  key_msg = sotto_test_client_expect (fresh, SOTTO_MSG_TYPE_KEY);
}

/* Recovering: a computer that holds the account key logs in with its
 * proof (docs/protocol.md, `login`), made here with libsodium alone. */

typedef struct
{
  guint8 public_key[crypto_sign_PUBLICKEYBYTES];
  guint8 secret_key[crypto_sign_SECRETKEYBYTES];
} AccountKey;

static GBytes *
account_public (const AccountKey *key)
{
  return g_bytes_new (key->public_key, sizeof key->public_key);
}

/* The account key's signature over a login of @username from @identity. */
static GBytes *
prove_login (const AccountKey        *key,
             const char              *username,
             const SottoWireIdentity *identity)
{
  static const char label[] = "sotto login proof v1";
  g_autoptr(GByteArray) message = g_byte_array_new ();
  guint8 length = (guint8) strlen (username);
  guint8 *signature = g_malloc (crypto_sign_BYTES);

  g_byte_array_append (message, (const guint8 *) label, strlen (label));
  g_byte_array_append (message, &length, 1);
  g_byte_array_append (message, (const guint8 *) username, length);
  g_byte_array_append (message, identity->box, sizeof identity->box);
  g_byte_array_append (message, identity->sign, sizeof identity->sign);
  g_byte_array_append (message, identity->binding, sizeof identity->binding);
  crypto_sign_detached (signature, NULL, message->data, message->len, key->secret_key);
  return g_bytes_new_take (signature, crypto_sign_BYTES);
}

static SottoMsg *
login_with_proof (SottoTestServer         *server,
                  const char              *name,
                  const char              *password,
                  const SottoWireIdentity *identity,
                  GBytes                  *proof,
                  SottoTestClient        **out_client)
{
  SottoTestClient *client = sotto_test_client_connect (server);
  g_autofree char *id = sotto_test_client_next_id (client);

  sotto_test_client_send_take (client, sotto_msg_build_login_full (id, name, password, identity,
                                                                   NULL, proof));
  *out_client = client;
  return sotto_test_client_expect_reply (client, id);
}

/* A login from @identity with @proof is refused with @code, and leaves
 * the computer as it was: not one of alice's devices. */
static void
assert_proof_refused (SottoServerFixture      *fixture,
                      const char              *password,
                      const SottoWireIdentity *identity,
                      GBytes                  *proof,
                      SottoMsgErrorCode        code)
{
  g_autoptr(SottoTestClient) client = NULL;
  g_autoptr(SottoTestClient) again = NULL;
  g_autoptr(SottoMsg) reply = login_with_proof (fixture->server, "alice", password, identity,
                                                proof, &client);
  g_autoptr(SottoMsg) plain = NULL;

  g_assert_cmpint (sotto_msg_get_msg_type (reply), ==, SOTTO_MSG_TYPE_ERROR);
  g_assert_cmpint (sotto_msg_get_error_code (reply), ==, code);
  g_assert_false (sotto_test_client_is_closed (client));

  plain = login_from (fixture->server, "alice", identity, FALSE, &again);
  g_assert_cmpint (sotto_msg_get_error_code (plain), ==, SOTTO_MSG_ERROR_CODE_NOT_LINKED);
}

/* A computer that is not one of alice's devices logs in with the account
 * key's proof: it becomes one of them, with no key change and the list
 * as it was, and logs in later without a proof, after a restart too. */
static void
test_devices_proof (SottoServerFixture *fixture,
                    gconstpointer       data)
{
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "alice");
  g_autoptr(SottoTestClient) bob = sotto_server_fixture_new_user (fixture, "bob");
  g_autoptr(SottoTestClient) recovered = NULL;
  g_autoptr(SottoTestClient) again = NULL;
  g_autoptr(SottoMsg) reply = NULL;
  g_autoptr(GBytes) key = NULL;
  g_autoptr(GBytes) list = list_of (70);
  g_autoptr(GBytes) proof = NULL;
  g_autoptr(GBytes) bundle = NULL;
  g_autoptr(GBytes) expected = bytes_of (SOTTO_PROTOCOL_PREKEY_BUNDLE_BYTES, 71);
  SottoWireIdentity first, identity, shown_before, shown_after, session_identity;
  SottoMsgErrorCode code = 0;
  AccountKey account;

  crypto_sign_keypair (account.public_key, account.secret_key);
  key = account_public (&account);
  sotto_test_client_identity (alice, &first);
  publish_ok (alice, key, 4, list);
  sotto_msg_unref (sotto_test_client_expect (bob, SOTTO_MSG_TYPE_DEVICES_CHANGED));
  shown_identity (bob, "alice", &shown_before);

  /* The name is signed as the server spells it, whatever the login's. */
  random_identity (&identity);
  proof = prove_login (&account, "alice", &identity);
  reply = login_with_proof (fixture->server, "Alice", SOTTO_TEST_PASSWORD, &identity, proof,
                            &recovered);
  g_assert_cmpint (sotto_msg_get_msg_type (reply), ==, SOTTO_MSG_TYPE_SESSION);
  g_assert_true (sotto_msg_get_identity (reply, &session_identity));
  g_assert_cmpmem (&session_identity, sizeof session_identity, &shown_before,
                   sizeof shown_before);

  /* Nobody is told of anything; the other device stays; the list is the
   * one published. */
  sotto_test_client_assert_none (bob, SOTTO_MSG_TYPE_KEY_CHANGED, 200);
  sotto_test_client_assert_none (bob, SOTTO_MSG_TYPE_DEVICES_CHANGED, 0);
  g_assert_false (sotto_test_client_is_closed (alice));
  shown_identity (bob, "alice", &shown_after);
  g_assert_cmpmem (&shown_after, sizeof shown_after, &shown_before, sizeof shown_before);
  assert_fetch (bob, "alice", key, 4, list);

  /* It is a device of hers: prekeys of its own, and a list may keep it. */
  publish_prekeys (recovered, 71);
  bundle = fetch_bundle (bob, "alice", identity.sign, &code);
  g_assert_nonnull (bundle);
  g_assert_true (g_bytes_equal (bundle, expected));
  {
    SottoWireIdentity both[2] = { first, identity };
    g_autoptr(SottoMsg) published = publish_devices (recovered, key, 5, list, both, 2);

    g_assert_cmpint (sotto_msg_get_msg_type (published), ==, SOTTO_MSG_TYPE_DEVICES_PUBLISHED);
  }

  /* It logs in without a proof from now on, after a restart too. */
  g_clear_pointer (&recovered, sotto_test_client_free);
  g_clear_pointer (&alice, sotto_test_client_free);
  sotto_test_server_stop (fixture->server);
  sotto_test_server_restart (fixture->server);
  g_clear_pointer (&reply, sotto_msg_unref);
  reply = login_from (fixture->server, "alice", &identity, FALSE, &again);
  g_assert_cmpint (sotto_msg_get_msg_type (reply), ==, SOTTO_MSG_TYPE_SESSION);
}

/* Proofs that are not the account key's over this login are refused with
 * not_linked, and nothing of the account changes: another key's, one for
 * another identity, one for another name, one altered; and one with a
 * wrong password fails as any login does. A proof with a reset, from an
 * identity that shares a key with a device of hers, or for an account
 * with the most devices it may have, is refused too. On an account
 * without a list, a proof changes nothing: the login is as any. */
static void
test_devices_proof_refused (SottoServerFixture *fixture,
                            gconstpointer       data)
{
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "alice");
  g_autoptr(SottoTestClient) bob = sotto_server_fixture_new_user (fixture, "bob");
  g_autoptr(SottoTestClient) carol = sotto_server_fixture_new_user (fixture, "carol");
  g_autoptr(SottoTestClient) client = NULL;
  g_autoptr(SottoMsg) reply = NULL;
  g_autoptr(GBytes) key = NULL;
  g_autoptr(GBytes) list = list_of (80);
  g_autoptr(GBytes) proof = NULL;
  g_autoptr(GBytes) bundle = NULL;
  g_autoptr(GBytes) expected = bytes_of (SOTTO_PROTOCOL_PREKEY_BUNDLE_BYTES, 81);
  SottoWireIdentity first, identity, other, twin, shown_before, shown_after;
  SottoWireIdentity full[SOTTO_PROTOCOL_MAX_DEVICES];
  SottoMsgErrorCode code = 0;
  AccountKey account, stranger;

  crypto_sign_keypair (account.public_key, account.secret_key);
  crypto_sign_keypair (stranger.public_key, stranger.secret_key);
  key = account_public (&account);
  sotto_test_client_identity (alice, &first);
  publish_ok (alice, key, 1, list);
  publish_prekeys (alice, 81);
  sotto_msg_unref (sotto_test_client_expect (bob, SOTTO_MSG_TYPE_DEVICES_CHANGED));
  shown_identity (bob, "alice", &shown_before);
  random_identity (&identity);
  random_identity (&other);

  /* Another key's, for another identity, for another name, altered. */
  proof = prove_login (&stranger, "alice", &identity);
  assert_proof_refused (fixture, SOTTO_TEST_PASSWORD, &identity, proof,
                        SOTTO_MSG_ERROR_CODE_NOT_LINKED);
  g_clear_pointer (&proof, g_bytes_unref);
  proof = prove_login (&account, "alice", &other);
  assert_proof_refused (fixture, SOTTO_TEST_PASSWORD, &identity, proof,
                        SOTTO_MSG_ERROR_CODE_NOT_LINKED);
  g_clear_pointer (&proof, g_bytes_unref);
  proof = prove_login (&account, "bob", &identity);
  assert_proof_refused (fixture, SOTTO_TEST_PASSWORD, &identity, proof,
                        SOTTO_MSG_ERROR_CODE_NOT_LINKED);
  g_clear_pointer (&proof, g_bytes_unref);
  {
    g_autoptr(GBytes) good = prove_login (&account, "alice", &identity);
    guint8 *altered = g_memdup2 (g_bytes_get_data (good, NULL), crypto_sign_BYTES);

    altered[17] ^= 0x04;
    proof = g_bytes_new_take (altered, crypto_sign_BYTES);
  }
  assert_proof_refused (fixture, SOTTO_TEST_PASSWORD, &identity, proof,
                        SOTTO_MSG_ERROR_CODE_NOT_LINKED);

  /* The right proof needs the right password. */
  g_clear_pointer (&proof, g_bytes_unref);
  proof = prove_login (&account, "alice", &identity);
  assert_proof_refused (fixture, "not the password", &identity, proof,
                        SOTTO_MSG_ERROR_CODE_BAD_CREDENTIALS);

  /* Not with a reset. */
  {
    SottoTestClient *both = sotto_test_client_connect (fixture->server);
    g_autoptr(SottoMsg) refused = NULL;

    sotto_test_client_send_take (both, sotto_msg_build_login_full ("r", "alice",
                                                                   SOTTO_TEST_PASSWORD,
                                                                   &identity, &identity, proof));
    refused = sotto_test_client_expect_reply (both, "r");
    g_assert_cmpint (sotto_msg_get_error_code (refused), ==, SOTTO_MSG_ERROR_CODE_BAD_REQUEST);
    sotto_test_client_free (both);
  }

  /* A key of one of her devices under another identity. */
  twin = identity;
  memcpy (twin.sign, first.sign, sizeof twin.sign);
  g_clear_pointer (&proof, g_bytes_unref);
  proof = prove_login (&account, "alice", &twin);
  assert_proof_refused (fixture, SOTTO_TEST_PASSWORD, &twin, proof,
                        SOTTO_MSG_ERROR_CODE_FORBIDDEN);

  /* Nothing of hers changed: no key change, the same list, prekeys and
   * entries, her connection up. */
  sotto_test_client_assert_none (bob, SOTTO_MSG_TYPE_KEY_CHANGED, 200);
  sotto_test_client_assert_none (bob, SOTTO_MSG_TYPE_DEVICES_CHANGED, 0);
  assert_fetch (bob, "alice", key, 1, list);
  bundle = fetch_bundle (bob, "alice", NULL, &code);
  g_assert_true (g_bytes_equal (bundle, expected));
  g_assert_null (fetch_bundle (bob, "alice", identity.sign, &code));
  g_assert_cmpint (code, ==, SOTTO_MSG_ERROR_CODE_NO_SUCH_DEVICE);
  shown_identity (bob, "alice", &shown_after);
  g_assert_cmpmem (&shown_after, sizeof shown_after, &shown_before, sizeof shown_before);
  g_assert_false (sotto_test_client_is_closed (alice));

  /* An account with sixteen devices takes no seventeenth. */
  full[0] = first;
  for (guint i = 1; i < G_N_ELEMENTS (full); i++)
    random_identity (&full[i]);
  reply = publish_devices (alice, key, 2, list, full, G_N_ELEMENTS (full));
  g_assert_cmpint (sotto_msg_get_msg_type (reply), ==, SOTTO_MSG_TYPE_DEVICES_PUBLISHED);
  g_clear_pointer (&proof, g_bytes_unref);
  proof = prove_login (&account, "alice", &identity);
  assert_proof_refused (fixture, SOTTO_TEST_PASSWORD, &identity, proof,
                        SOTTO_MSG_ERROR_CODE_FORBIDDEN);

  /* Carol has no list: a proof, whoever signed it, is a login as any,
   * here a key change. */
  g_clear_pointer (&proof, g_bytes_unref);
  proof = prove_login (&stranger, "carol", &other);
  g_clear_pointer (&reply, sotto_msg_unref);
  reply = login_with_proof (fixture->server, "carol", SOTTO_TEST_PASSWORD, &other, proof,
                            &client);
  g_assert_cmpint (sotto_msg_get_msg_type (reply), ==, SOTTO_MSG_TYPE_SESSION);
  sotto_test_client_wait_closed (carol);
  {
    g_autoptr(SottoMsg) changed = sotto_test_client_expect (bob, SOTTO_MSG_TYPE_KEY_CHANGED);

    g_assert_cmpstr (sotto_msg_get_string (changed, "user"), ==, "carol");
  }
}

/* Both requests need a login. */
static void
test_devices_not_logged_in (SottoServerFixture *fixture,
                            gconstpointer       data)
{
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "alice");
  g_autoptr(SottoTestClient) stranger = sotto_test_client_connect (fixture->server);
  g_autoptr(GBytes) key = key_of (33);
  g_autoptr(GBytes) list = list_of (34);
  g_autoptr(GBytes) other = list_of (35);

  publish_ok (alice, key, 1, list);

  publish_refused (stranger, key, 2, other, SOTTO_MSG_ERROR_CODE_NOT_LOGGED_IN);
  assert_fetch_error (stranger, "alice", SOTTO_MSG_ERROR_CODE_NOT_LOGGED_IN);

  /* Nothing changed. */
  assert_fetch (alice, "alice", key, 1, list);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (sodium_init (), >=, 0);

  SOTTO_SERVER_FIXTURE_ADD ("devices/publish-fetch", test_devices_publish_fetch);
  SOTTO_SERVER_FIXTURE_ADD ("devices/replace", test_devices_replace);
  SOTTO_SERVER_FIXTURE_ADD ("devices/stale", test_devices_stale);
  SOTTO_SERVER_FIXTURE_ADD ("devices/together", test_devices_together);
  SOTTO_SERVER_FIXTURE_ADD ("devices/account-key-changed", test_devices_account_key_changed);
  SOTTO_SERVER_FIXTURE_ADD ("devices/missing", test_devices_missing);
  SOTTO_SERVER_FIXTURE_ADD ("devices/wrong-fields", test_devices_wrong_fields);
  SOTTO_SERVER_FIXTURE_ADD ("devices/restart", test_devices_restart);
  SOTTO_SERVER_FIXTURE_ADD ("devices/not-linked", test_devices_not_linked);
  SOTTO_SERVER_FIXTURE_ADD ("devices/linked", test_devices_linked);
  SOTTO_SERVER_FIXTURE_ADD ("devices/remove", test_devices_remove);
  SOTTO_SERVER_FIXTURE_ADD ("devices/seen", test_devices_seen);
  SOTTO_SERVER_FIXTURE_ADD ("devices/reset", test_devices_reset);
  SOTTO_SERVER_FIXTURE_ADD ("devices/account-identity", test_devices_account_identity);
  SOTTO_SERVER_FIXTURE_ADD ("devices/not-logged-in", test_devices_not_logged_in);
  SOTTO_SERVER_FIXTURE_ADD ("devices/proof", test_devices_proof);
  SOTTO_SERVER_FIXTURE_ADD ("devices/proof-refused", test_devices_proof_refused);

  return g_test_run ();
}
