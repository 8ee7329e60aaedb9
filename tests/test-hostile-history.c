/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sodium.h>
#include <string.h>

#include "sotto-client-store.h"
#include "sotto-e2e.h"
#include "sotto-test-hostile.h"
#include "sotto-test-util.h"

/*
 * A server that makes up history for a new computer: chunks it seals
 * itself, under a device of its own or under the name of alice's first
 * computer, or a real chunk of hers with a bit changed. The laptop takes
 * none of them; a chunk alice's first computer really sealed for it, put
 * in the same way, is taken (the control), and the same again changes
 * nothing.
 */

typedef SottoHostileFixture Fixture;

#define ROOM "lobby"

static GBytes *
seal (SottoIdentity             *from,
      const SottoPublicIdentity *to,
      const char                *msg_id,
      const char                *text)
{
  SottoHistoryEntry entry = {
    .room = (char *) ROOM,
    .sender = (char *) "bob",
    .msg_id = (char *) msg_id,
    .seq = 1000,
    .ts = g_get_real_time () / 1000,
    .counter = 1,
    .sent_at = g_get_real_time () / 1000,
    .text = (char *) text,
  };
  const SottoHistoryEntry *entries[] = { &entry };
  g_autoptr(GError) error = NULL;
  GBytes *chunk = sotto_history_chunk_seal (from, to, "alice", 0, 1, entries, 1, &error);

  g_assert_no_error (error);
  return chunk;
}

/* Hands the laptop a `history` message, as the server would. */
static void
inject (Fixture      *fixture,
        SottoClient  *laptop,
        gint64        hid,
        const guint8 *device,
        GBytes       *chunk)
{
  g_autoptr(GBytes) device_bytes = g_bytes_new (device, 32);
  g_autoptr(GBytes) message = sotto_msg_build_history (hid, device_bytes, chunk);
  SottoTestProxyLink *link = sotto_test_proxy_find_link (fixture->proxy, "alice");

  g_assert_nonnull (link);
  sotto_test_proxy_link_inject (link, SOTTO_TEST_PROXY_TO_CLIENT, message);
  sotto_hostile_round_trip (laptop);
}

static guint
count_rows (SottoRoom  *room,
            const char *text)
{
  return sotto_test_room_count_text (room, "bob", text);
}

static void
test_forged (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(SottoClient) alice = sotto_hostile_new_user (fixture, "alice");
  g_autoptr(SottoClient) laptop = NULL;
  g_autoptr(SottoIdentity) server_device = sotto_identity_new ();
  g_autoptr(SottoIdentity) first = NULL;
  g_autoptr(GBytes) forged = NULL;
  g_autoptr(GBytes) in_her_name = NULL;
  g_autoptr(GBytes) real = NULL;
  g_autoptr(GBytes) flipped = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  const SottoPublicIdentity *laptop_public;
  guint8 first_device[32];
  SottoRoom *room;

  sotto_test_user_join (alice, ROOM);
  laptop = sotto_test_user_link (fixture->dir, sotto_test_proxy_get_address (fixture->proxy),
                                 alice, "laptop", "alice", SOTTO_HOSTILE_PASSWORD);
  memcpy (first_device, sotto_client_get_device_identity (alice)->sign_pk, 32);
  laptop_public = sotto_client_get_device_identity (laptop);

  /* Alice's first computer goes, so that the laptop is her only link
   * through the server; its keys, as it holds them, seal the control. */
  sotto_client_close (alice);
  g_clear_object (&alice);
  path = sotto_test_user_store_path (fixture->dir, sotto_test_proxy_get_address (fixture->proxy),
                                     "alice", "alice");
  {
    g_autoptr(SottoClientStore) store = sotto_test_user_open_store (path,
                                                                    SOTTO_HOSTILE_PASSWORD);

    first = sotto_client_store_load_identity (store, &error);
    g_assert_no_error (error);
  }
  g_assert_cmpmem (sotto_identity_get_public (first)->sign_pk, 32, first_device, 32);

  SOTTO_HOSTILE_WAIT_UNTIL ((room = sotto_client_lookup_room (laptop, ROOM)) != NULL,
                            "the laptop's room");

  /* Its own device, which is not on alice's list. */
  forged = seal (server_device, laptop_public, "f1", "made up by the server");
  inject (fixture, laptop, 901, sotto_identity_get_public (server_device)->sign_pk, forged);
  /* In the name of alice's first computer: sealed with the server's box
   * key, it does not open as hers. */
  in_her_name = seal (server_device, laptop_public, "f2", "in alice's name");
  inject (fixture, laptop, 902, first_device, in_her_name);
  /* A real chunk of hers, a bit of it changed. */
  real = seal (first, laptop_public, "r1", "really from alice's first computer");
  {
    gsize size = g_bytes_get_size (real);
    g_autofree guint8 *copy = g_memdup2 (g_bytes_get_data (real, NULL), size);

    copy[size / 2] ^= 0x04;
    flipped = g_bytes_new (copy, size);
  }
  inject (fixture, laptop, 903, first_device, flipped);

  sotto_test_iterate (100);
  g_assert_cmpuint (count_rows (room, "made up by the server"), ==, 0);
  g_assert_cmpuint (count_rows (room, "in alice's name"), ==, 0);
  g_assert_cmpuint (count_rows (room, "really from alice's first computer"), ==, 0);

  /* The control: the real chunk is taken; twice, it is there once. */
  inject (fixture, laptop, 904, first_device, real);
  inject (fixture, laptop, 905, first_device, real);
  SOTTO_HOSTILE_WAIT_UNTIL (count_rows (room, "really from alice's first computer") == 1,
                            "the real chunk");
  sotto_test_iterate (100);
  g_assert_cmpuint (count_rows (room, "really from alice's first computer"), ==, 1);

  sotto_client_close (laptop);
  g_clear_object (&laptop);
  {
    g_autofree char *laptop_path =
      sotto_test_user_store_path (fixture->dir, sotto_test_proxy_get_address (fixture->proxy),
                                  "laptop", "alice");
    g_autoptr(SottoClientStore) store = sotto_test_user_open_store (laptop_path,
                                                                    SOTTO_HOSTILE_PASSWORD);
    g_autoptr(GPtrArray) rows = sotto_client_store_load_history (store, ROOM, 0, 0, &error);
    guint real_rows = 0;

    g_assert_no_error (error);
    for (guint i = 0; i < rows->len; i++)
      {
        const SottoStoredMessage *row = g_ptr_array_index (rows, i);

        g_assert_cmpstr (row->msg_id, !=, "f1");
        g_assert_cmpstr (row->msg_id, !=, "f2");
        if (g_strcmp0 (row->msg_id, "r1") == 0)
          real_rows++;
      }
    g_assert_cmpuint (real_rows, ==, 1);
  }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (sodium_init (), >=, 0);

  g_test_add ("/sotto/hostile-server/history/forged", Fixture, NULL, sotto_hostile_fixture_setup,
              test_forged, sotto_hostile_fixture_teardown);

  return g_test_run ();
}
