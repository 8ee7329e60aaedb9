/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sodium.h>
#include <string.h>

#include "sotto-test-server-fixture.h"

/*
 * Prekeys on the real server over loopback: bundles and one-time prekeys
 * stored as they came, each one-time prekey handed out once and oldest
 * first, the server's cap on how many it holds, and all of it kept
 * across a restart.
 */

#define BUNDLE_BYTES   SOTTO_PROTOCOL_PREKEY_BUNDLE_BYTES
#define ONE_TIME_BYTES SOTTO_PROTOCOL_ONE_TIME_PREKEY_BYTES
#define MAX_HELD       SOTTO_PROTOCOL_MAX_ONE_TIME_PREKEYS
#define MAX_PUBLISH    SOTTO_PROTOCOL_MAX_PUBLISH_ONE_TIME

/* Bytes the server cannot tell from a bundle: it never looks inside. */
static GBytes *
bundle_of (guint8 seed)
{
  guint8 *data = g_malloc (BUNDLE_BYTES);

  for (gsize i = 0; i < BUNDLE_BYTES; i++)
    data[i] = (guint8) (seed + i * 13);

  return g_bytes_new_take (data, BUNDLE_BYTES);
}

static GBytes *
zeros (gsize len)
{
  return g_bytes_new_take (g_malloc0 (len), len);
}

/* A one-time prekey: @key_id big endian, then 32 bytes of @fill. */
static GBytes *
one_time_of (guint32 key_id,
             guint8  fill)
{
  guint8 data[ONE_TIME_BYTES];

  memset (data, fill, sizeof data);
  data[0] = key_id >> 24;
  data[1] = key_id >> 16;
  data[2] = key_id >> 8;
  data[3] = key_id;

  return g_bytes_new (data, sizeof data);
}

/* One-time prekeys with ids @first_id, @first_id + 1, … and fills of
 * their id's low byte. */
static GPtrArray *
one_time_range (guint32 first_id,
                guint   n)
{
  GPtrArray *prekeys = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (prekeys, one_time_of (first_id + i, (guint8) (first_id + i)));

  return prekeys;
}

static SottoMsg *
publish (SottoTestClient *client,
         GBytes          *bundle,
         GPtrArray       *one_time)
{
  g_autofree char *id = sotto_test_client_next_id (client);
  GBytes * const *items = one_time != NULL ? (GBytes * const *) one_time->pdata : NULL;
  guint n_items = one_time != NULL ? one_time->len : 0;

  sotto_test_client_send_take (client,
                               sotto_msg_build_publish_prekeys (id, bundle, items, n_items));
  return sotto_test_client_expect_reply (client, id);
}

/* Returns "one_time_left". */
static gint64
publish_ok (SottoTestClient *client,
            GBytes          *bundle,
            GPtrArray       *one_time)
{
  g_autoptr(SottoMsg) reply = publish (client, bundle, one_time);

  if (sotto_msg_get_msg_type (reply) == SOTTO_MSG_TYPE_ERROR)
    g_error ("Publishing prekeys failed: %s", sotto_msg_get_string (reply, "message"));
  g_assert_cmpint (sotto_msg_get_msg_type (reply), ==, SOTTO_MSG_TYPE_PREKEYS_PUBLISHED);
  return sotto_msg_get_int (reply, "one_time_left");
}

static void
publish_refused (SottoTestClient   *client,
                 GBytes            *bundle,
                 GPtrArray         *one_time,
                 SottoMsgErrorCode  code)
{
  g_autoptr(SottoMsg) reply = publish (client, bundle, one_time);

  g_assert_cmpint (sotto_msg_get_msg_type (reply), ==, SOTTO_MSG_TYPE_ERROR);
  g_assert_cmpint (sotto_msg_get_error_code (reply), ==, code);
}

/* How many one-time prekeys the server holds for @client's user: an
 * empty publish changes nothing and tells. */
static gint64
one_time_left (SottoTestClient *client)
{
  return publish_ok (client, NULL, NULL);
}

static GBytes *
build_get_prekeys (const char *id,
                   const char *user)
{
  return sotto_msg_build_get_prekeys (id, user, NULL);
}

static SottoMsg *
fetch (SottoTestClient *client,
       const char      *user)
{
  return sotto_test_client_request (client, build_get_prekeys, user);
}

/* Fetches @user's prekeys: @bundle, and the one-time prekey with @key_id
 * and @fill, or none at all when @fill is 0. */
static void
assert_fetch (SottoTestClient *client,
              const char      *user,
              GBytes          *bundle,
              guint32          key_id,
              guint8           fill)
{
  g_autoptr(SottoMsg) reply = fetch (client, user);
  g_autoptr(GBytes) got_bundle = NULL;
  g_autoptr(GBytes) got_one_time = NULL;
  g_autoptr(GBytes) expected = NULL;
  g_autofree char *folded = g_ascii_strdown (user, -1);

  if (sotto_msg_get_msg_type (reply) == SOTTO_MSG_TYPE_ERROR)
    g_error ("Fetching %s's prekeys failed: %s", user, sotto_msg_get_string (reply, "message"));
  g_assert_cmpint (sotto_msg_get_msg_type (reply), ==, SOTTO_MSG_TYPE_PREKEYS);
  /* The server spells names as it stores them, in lower case. */
  g_assert_cmpstr (sotto_msg_get_string (reply, "user"), ==, folded);

  got_bundle = sotto_msg_dup_bytes (reply, "bundle");
  g_assert_true (g_bytes_equal (got_bundle, bundle));

  if (fill == 0)
    {
      g_assert_false (sotto_msg_has_field (reply, "one_time"));
      return;
    }

  got_one_time = sotto_msg_dup_bytes (reply, "one_time");
  g_assert_nonnull (got_one_time);
  expected = one_time_of (key_id, fill);
  if (!g_bytes_equal (got_one_time, expected))
    {
      const guint8 *data = g_bytes_get_data (got_one_time, NULL);

      g_error ("Expected one-time prekey %u (fill %u), got %u (fill %u)", key_id, fill,
               (guint) data[0] << 24 | (guint) data[1] << 16 | (guint) data[2] << 8 | data[3],
               data[4]);
    }
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

/* What alice publishes comes back to bob byte for byte: the bundle every
 * time, each one-time prekey once, oldest first, then none. */
static void
test_prekeys_publish_fetch (SottoServerFixture *fixture,
                            gconstpointer       data)
{
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "alice");
  g_autoptr(SottoTestClient) bob = sotto_server_fixture_new_user (fixture, "bob");
  g_autoptr(GBytes) bundle = bundle_of (1);
  g_autoptr(GPtrArray) first = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GPtrArray) second = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  /* Ids are the owner's: their order says nothing of age. */
  g_ptr_array_add (first, one_time_of (30, 0xa1));
  g_ptr_array_add (first, one_time_of (10, 0xa2));
  g_ptr_array_add (second, one_time_of (20, 0xa3));

  g_assert_cmpint (publish_ok (alice, bundle, first), ==, 2);
  g_assert_cmpint (publish_ok (alice, NULL, second), ==, 3);

  assert_fetch (bob, "alice", bundle, 30, 0xa1);
  assert_fetch (bob, "ALICE", bundle, 10, 0xa2);
  g_assert_cmpint (one_time_left (alice), ==, 1);
  /* Anyone logged in may ask, the owner included. */
  assert_fetch (alice, "alice", bundle, 20, 0xa3);
  assert_fetch (bob, "alice", bundle, 0, 0);
  assert_fetch (bob, "alice", bundle, 0, 0);
  g_assert_cmpint (one_time_left (alice), ==, 0);

  /* More come in later, and go out the same way. */
  g_clear_pointer (&first, g_ptr_array_unref);
  first = one_time_range (100, 2);
  g_assert_cmpint (publish_ok (alice, NULL, first), ==, 2);
  assert_fetch (bob, "alice", bundle, 100, 100);
  assert_fetch (bob, "alice", bundle, 101, 101);
  assert_fetch (bob, "alice", bundle, 0, 0);
}

/* "one_time_left" counts what the server holds: an id published again
 * replaces the stored prekey and counts once, within one publish too. */
static void
test_prekeys_count (SottoServerFixture *fixture,
                    gconstpointer       data)
{
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "alice");
  g_autoptr(SottoTestClient) bob = sotto_server_fixture_new_user (fixture, "bob");
  g_autoptr(GBytes) bundle = bundle_of (2);
  g_autoptr(GPtrArray) range = one_time_range (1, 5);
  g_autoptr(GPtrArray) again = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  g_assert_cmpint (one_time_left (alice), ==, 0);
  g_assert_cmpint (publish_ok (alice, bundle, range), ==, 5);
  g_assert_cmpint (publish_ok (alice, NULL, range), ==, 5);

  /* Id 2 twice in one publish, and id 6 is new: the last one wins. */
  g_ptr_array_add (again, one_time_of (2, 0xe1));
  g_ptr_array_add (again, one_time_of (6, 0xe2));
  g_ptr_array_add (again, one_time_of (2, 0xe3));
  g_assert_cmpint (publish_ok (alice, NULL, again), ==, 6);

  /* A replaced prekey counts as published anew: it comes last. */
  assert_fetch (bob, "alice", bundle, 1, 1);
  assert_fetch (bob, "alice", bundle, 3, 3);
  assert_fetch (bob, "alice", bundle, 4, 4);
  assert_fetch (bob, "alice", bundle, 5, 5);
  assert_fetch (bob, "alice", bundle, 6, 0xe2);
  assert_fetch (bob, "alice", bundle, 2, 0xe3);
  g_assert_cmpint (one_time_left (alice), ==, 0);

  /* Bob's count is his own. */
  g_assert_cmpint (one_time_left (bob), ==, 0);
}

/* A new bundle replaces the old one; a publish without one keeps it. */
static void
test_prekeys_replace_bundle (SottoServerFixture *fixture,
                             gconstpointer       data)
{
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "alice");
  g_autoptr(SottoTestClient) bob = sotto_server_fixture_new_user (fixture, "bob");
  g_autoptr(GBytes) old_bundle = bundle_of (3);
  g_autoptr(GBytes) new_bundle = bundle_of (4);
  g_autoptr(GPtrArray) one_time = one_time_range (7, 1);

  g_assert_cmpint (publish_ok (alice, old_bundle, NULL), ==, 0);
  assert_fetch (bob, "alice", old_bundle, 0, 0);
  g_assert_cmpint (publish_ok (alice, new_bundle, NULL), ==, 0);
  assert_fetch (bob, "alice", new_bundle, 0, 0);
  g_assert_cmpint (publish_ok (alice, NULL, one_time), ==, 1);
  assert_fetch (bob, "alice", new_bundle, 7, 7);
}

/* Nobody by that name; somebody who has published no bundle, whose
 * one-time prekeys stay where they are. */
static void
test_prekeys_missing (SottoServerFixture *fixture,
                      gconstpointer       data)
{
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "alice");
  g_autoptr(SottoTestClient) bob = sotto_server_fixture_new_user (fixture, "bob");
  g_autoptr(GPtrArray) one_time = one_time_range (1, 2);
  g_autoptr(GBytes) bundle = bundle_of (5);

  assert_fetch_error (alice, "nobody", SOTTO_MSG_ERROR_CODE_NO_SUCH_USER);
  assert_fetch_error (alice, "bob", SOTTO_MSG_ERROR_CODE_NO_PREKEYS);

  g_assert_cmpint (publish_ok (bob, NULL, one_time), ==, 2);
  assert_fetch_error (alice, "bob", SOTTO_MSG_ERROR_CODE_NO_PREKEYS);
  g_assert_cmpint (one_time_left (bob), ==, 2);

  g_assert_cmpint (publish_ok (bob, bundle, NULL), ==, 2);
  assert_fetch (alice, "bob", bundle, 1, 1);
}

/* Sizes other than the protocol's break the field rules: nothing of
 * such a publish is stored. */
static void
test_prekeys_wrong_sizes (SottoServerFixture *fixture,
                          gconstpointer       data)
{
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "alice");
  g_autoptr(SottoTestClient) bob = sotto_server_fixture_new_user (fixture, "bob");
  g_autoptr(GBytes) bundle = bundle_of (6);
  g_autoptr(GBytes) short_bundle = zeros (BUNDLE_BYTES - 1);
  g_autoptr(GBytes) long_bundle = zeros (BUNDLE_BYTES + 1);
  g_autoptr(GPtrArray) good = one_time_range (1, 1);
  g_autoptr(GPtrArray) short_one = one_time_range (2, 1);
  g_autoptr(GPtrArray) long_one = one_time_range (3, 1);
  g_autoptr(GPtrArray) too_many = one_time_range (10, MAX_PUBLISH + 1);

  g_ptr_array_add (short_one, zeros (ONE_TIME_BYTES - 1));
  g_ptr_array_add (long_one, zeros (ONE_TIME_BYTES + 1));

  publish_refused (alice, short_bundle, NULL, SOTTO_MSG_ERROR_CODE_BAD_REQUEST);
  publish_refused (alice, long_bundle, good, SOTTO_MSG_ERROR_CODE_BAD_REQUEST);
  publish_refused (alice, bundle, short_one, SOTTO_MSG_ERROR_CODE_BAD_REQUEST);
  publish_refused (alice, bundle, long_one, SOTTO_MSG_ERROR_CODE_BAD_REQUEST);
  publish_refused (alice, bundle, too_many, SOTTO_MSG_ERROR_CODE_BAD_REQUEST);

  assert_fetch_error (bob, "alice", SOTTO_MSG_ERROR_CODE_NO_PREKEYS);
  g_assert_cmpint (one_time_left (alice), ==, 0);

  /* The same at the exact sizes is fine. */
  g_ptr_array_set_size (too_many, MAX_PUBLISH);
  g_assert_cmpint (publish_ok (alice, bundle, too_many), ==, MAX_PUBLISH);
}

/* The server holds at most MAX_HELD one-time prekeys per user; a publish
 * past that is refused whole, the bundle with it. Replacing stored ones
 * is fine at the cap. */
static void
test_prekeys_cap (SottoServerFixture *fixture,
                  gconstpointer       data)
{
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "alice");
  g_autoptr(SottoTestClient) bob = sotto_server_fixture_new_user (fixture, "bob");
  g_autoptr(GBytes) bundle = bundle_of (7);
  g_autoptr(GBytes) refused_bundle = bundle_of (8);
  g_autoptr(GPtrArray) first = one_time_range (1, MAX_PUBLISH);
  g_autoptr(GPtrArray) second = one_time_range (1 + MAX_PUBLISH, MAX_HELD - MAX_PUBLISH);
  g_autoptr(GPtrArray) one_more = one_time_range (1000, 1);
  g_autoptr(GPtrArray) another = one_time_range (1001, 1);
  g_autoptr(GPtrArray) replacing = one_time_range (MAX_HELD - 4, 5);

  G_STATIC_ASSERT (MAX_HELD >= MAX_PUBLISH);

  g_assert_cmpint (publish_ok (alice, bundle, first), ==, MAX_PUBLISH);
  g_assert_cmpint (publish_ok (alice, NULL, second), ==, MAX_HELD);

  publish_refused (alice, refused_bundle, one_more, SOTTO_MSG_ERROR_CODE_TOO_LARGE);
  g_assert_cmpint (one_time_left (alice), ==, MAX_HELD);
  g_assert_cmpint (publish_ok (alice, NULL, replacing), ==, MAX_HELD);

  /* One taken makes room for one. */
  assert_fetch (bob, "alice", bundle, 1, 1);
  g_assert_cmpint (publish_ok (alice, NULL, one_more), ==, MAX_HELD);
  publish_refused (alice, NULL, another, SOTTO_MSG_ERROR_CODE_TOO_LARGE);
}

/* Bundles and the prekeys not yet taken outlive a restart; one taken
 * before it is not handed out again. */
static void
test_prekeys_restart (SottoServerFixture *fixture,
                      gconstpointer       data)
{
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "alice");
  g_autoptr(SottoTestClient) bob = sotto_server_fixture_new_user (fixture, "bob");
  g_autoptr(GBytes) bundle = bundle_of (9);
  g_autoptr(GPtrArray) one_time = one_time_range (40, 3);

  SottoWireIdentity alice_identity;

  g_assert_cmpint (publish_ok (alice, bundle, one_time), ==, 3);
  assert_fetch (bob, "alice", bundle, 40, 40);

  sotto_test_client_identity (alice, &alice_identity);
  g_clear_pointer (&alice, sotto_test_client_free);
  g_clear_pointer (&bob, sotto_test_client_free);
  sotto_test_server_stop (fixture->server);
  sotto_test_server_restart (fixture->server);

  alice = sotto_server_fixture_log_in_as (fixture, "alice", &alice_identity);
  bob = sotto_server_fixture_log_in (fixture, "bob");
  g_assert_cmpint (one_time_left (alice), ==, 2);
  assert_fetch (bob, "alice", bundle, 41, 41);

  /* Killed, not stopped: what was answered was already on disk. */
  g_clear_pointer (&alice, sotto_test_client_free);
  g_clear_pointer (&bob, sotto_test_client_free);
  sotto_test_server_kill (fixture->server);
  sotto_test_server_restart (fixture->server);

  bob = sotto_server_fixture_log_in (fixture, "bob");
  assert_fetch (bob, "alice", bundle, 42, 42);
  assert_fetch (bob, "alice", bundle, 0, 0);
}

/* Alice logs in with other identity keys before she has a device list:
 * her prekeys, made for the old ones, go. */
static void
test_prekeys_identity_change (SottoServerFixture *fixture,
                              gconstpointer       data)
{
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "alice");
  g_autoptr(SottoTestClient) bob = sotto_server_fixture_new_user (fixture, "bob");
  g_autoptr(SottoTestClient) again = NULL;
  g_autoptr(SottoTestClient) elsewhere = NULL;
  g_autoptr(GBytes) bundle = bundle_of (11);
  g_autoptr(GPtrArray) one_time = one_time_range (1, 3);
  SottoWireIdentity alice_identity, other;

  g_assert_cmpint (publish_ok (alice, bundle, one_time), ==, 3);
  sotto_test_client_identity (alice, &alice_identity);

  /* The same keys again: nothing changes. */
  again = sotto_server_fixture_log_in_as (fixture, "alice", &alice_identity);
  g_assert_cmpint (one_time_left (again), ==, 3);

  /* Other keys (a random identity), on an account without a device list:
   * they take the first's place, and its bundle and one-time prekeys go
   * with it. */
  randombytes_buf (&other, sizeof other);
  elsewhere = sotto_server_fixture_log_in_as (fixture, "alice", &other);
  g_assert_cmpint (one_time_left (elsewhere), ==, 0);
  assert_fetch_error (bob, "alice", SOTTO_MSG_ERROR_CODE_NO_PREKEYS);
}

/* Both requests need a login. */
static void
test_prekeys_not_logged_in (SottoServerFixture *fixture,
                            gconstpointer       data)
{
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "alice");
  g_autoptr(SottoTestClient) stranger = sotto_test_client_connect (fixture->server);
  g_autoptr(GBytes) bundle = bundle_of (10);
  g_autoptr(GPtrArray) one_time = one_time_range (1, 1);

  g_assert_cmpint (publish_ok (alice, bundle, one_time), ==, 1);

  publish_refused (stranger, bundle, one_time, SOTTO_MSG_ERROR_CODE_NOT_LOGGED_IN);
  assert_fetch_error (stranger, "alice", SOTTO_MSG_ERROR_CODE_NOT_LOGGED_IN);

  /* Nothing was taken. */
  g_assert_cmpint (one_time_left (alice), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (sodium_init (), >=, 0);

  SOTTO_SERVER_FIXTURE_ADD ("prekeys/publish-fetch", test_prekeys_publish_fetch);
  SOTTO_SERVER_FIXTURE_ADD ("prekeys/count", test_prekeys_count);
  SOTTO_SERVER_FIXTURE_ADD ("prekeys/replace-bundle", test_prekeys_replace_bundle);
  SOTTO_SERVER_FIXTURE_ADD ("prekeys/missing", test_prekeys_missing);
  SOTTO_SERVER_FIXTURE_ADD ("prekeys/wrong-sizes", test_prekeys_wrong_sizes);
  SOTTO_SERVER_FIXTURE_ADD ("prekeys/cap", test_prekeys_cap);
  SOTTO_SERVER_FIXTURE_ADD ("prekeys/restart", test_prekeys_restart);
  SOTTO_SERVER_FIXTURE_ADD ("prekeys/identity-change", test_prekeys_identity_change);
  SOTTO_SERVER_FIXTURE_ADD ("prekeys/not-logged-in", test_prekeys_not_logged_in);

  return g_test_run ();
}
