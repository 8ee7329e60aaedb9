/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sodium.h>
#include <string.h>

#include "sotto-test-server-fixture.h"

/*
 * History between two devices of one account on the real server over
 * loopback: a chunk reaches the device it names, live or at its next
 * login, exactly as sent and naming the device that sent it, until that
 * device acknowledges it; it goes to no other device, and only to a
 * device of the sender's own account.
 */

static GBytes *
bytes_of (gsize  len,
          guint8 seed)
{
  guint8 *data = g_malloc (len);

  for (gsize i = 0; i < len; i++)
    data[i] = (guint8) (seed + i * 7);

  return g_bytes_new_take (data, len);
}

/* Alice's desktop publishes a list of it and a laptop, which logs in. */
static SottoTestClient *
second_device (SottoServerFixture *fixture,
               SottoTestClient    *desktop,
               SottoWireIdentity  *laptop_identity)
{
  g_autoptr(GBytes) key = bytes_of (32, 1);
  g_autoptr(GBytes) list = bytes_of (400, 2);
  g_autofree char *id = sotto_test_client_next_id (desktop);
  g_autoptr(SottoMsg) reply = NULL;
  SottoWireIdentity devices[2];

  sotto_test_client_identity (desktop, &devices[0]);
  randombytes_buf (&devices[1], sizeof devices[1]);
  *laptop_identity = devices[1];
  sotto_test_client_send_take (desktop,
                               sotto_msg_build_publish_devices (id, key, 1, list, devices, 2,
                                                                NULL));
  reply = sotto_test_client_expect_reply (desktop, id);
  g_assert_cmpint (sotto_msg_get_msg_type (reply), ==, SOTTO_MSG_TYPE_DEVICES_PUBLISHED);
  return sotto_server_fixture_log_in_as (fixture, "alice", laptop_identity);
}

static SottoMsg *
send_history (SottoTestClient *client,
              const guint8    *device,
              GBytes          *chunk)
{
  g_autofree char *id = sotto_test_client_next_id (client);
  g_autoptr(GBytes) named = g_bytes_new (device, 32);

  sotto_test_client_send_take (client, sotto_msg_build_send_history (id, named, chunk));
  return sotto_test_client_expect_reply (client, id);
}

static void
assert_history (SottoMsg     *history,
                const guint8 *from,
                GBytes       *chunk)
{
  g_autoptr(GBytes) device = sotto_msg_dup_bytes (history, "device");
  g_autoptr(GBytes) got = sotto_msg_dup_bytes (history, "chunk");

  g_assert_cmpmem (g_bytes_get_data (device, NULL), g_bytes_get_size (device), from, 32);
  g_assert_true (g_bytes_equal (got, chunk));
}

/* Live and at the next login, the largest chunk too; kept until
 * acknowledged by the device itself, gone after. */
static void
test_history_relay (SottoServerFixture *fixture,
                    gconstpointer       data)
{
  g_autoptr(SottoTestClient) desktop = sotto_server_fixture_new_user (fixture, "alice");
  g_autoptr(SottoTestClient) laptop = NULL;
  g_autoptr(SottoMsg) reply = NULL;
  g_autoptr(SottoMsg) history = NULL;
  g_autoptr(GBytes) first = bytes_of (SOTTO_PROTOCOL_HISTORY_CHUNK_MAX_BYTES, 3);
  g_autoptr(GBytes) second = bytes_of (100, 4);
  SottoWireIdentity desktop_identity, laptop_identity;
  gint64 hids[2];

  sotto_test_client_identity (desktop, &desktop_identity);
  laptop = second_device (fixture, desktop, &laptop_identity);

  reply = send_history (desktop, laptop_identity.sign, first);
  g_assert_cmpint (sotto_msg_get_msg_type (reply), ==, SOTTO_MSG_TYPE_OK);
  history = sotto_test_client_expect (laptop, SOTTO_MSG_TYPE_HISTORY);
  assert_history (history, desktop_identity.sign, first);
  hids[0] = sotto_msg_get_int (history, "hid");
  sotto_test_client_assert_none (desktop, SOTTO_MSG_TYPE_HISTORY, 100);

  /* Away, the laptop gets both at its next login, in order. */
  g_clear_pointer (&laptop, sotto_test_client_free);
  g_clear_pointer (&reply, sotto_msg_unref);
  reply = send_history (desktop, laptop_identity.sign, second);
  g_assert_cmpint (sotto_msg_get_msg_type (reply), ==, SOTTO_MSG_TYPE_OK);
  laptop = sotto_server_fixture_log_in_as (fixture, "alice", &laptop_identity);
  g_clear_pointer (&history, sotto_msg_unref);
  history = sotto_test_client_expect (laptop, SOTTO_MSG_TYPE_HISTORY);
  g_assert_cmpint (sotto_msg_get_int (history, "hid"), ==, hids[0]);
  g_clear_pointer (&history, sotto_msg_unref);
  history = sotto_test_client_expect (laptop, SOTTO_MSG_TYPE_HISTORY);
  assert_history (history, desktop_identity.sign, second);
  hids[1] = sotto_msg_get_int (history, "hid");
  g_assert_cmpint (hids[1], >, hids[0]);

  /* The desktop cannot acknowledge them away; the laptop can. */
  sotto_test_client_send_take (desktop, sotto_msg_build_ack_history ("d", hids, 2));
  sotto_test_client_expect_ok (desktop, "d");
  g_clear_pointer (&laptop, sotto_test_client_free);
  laptop = sotto_server_fixture_log_in_as (fixture, "alice", &laptop_identity);
  g_clear_pointer (&history, sotto_msg_unref);
  history = sotto_test_client_expect (laptop, SOTTO_MSG_TYPE_HISTORY);
  g_assert_cmpint (sotto_msg_get_int (history, "hid"), ==, hids[0]);
  sotto_test_client_send_take (laptop, sotto_msg_build_ack_history ("l", hids, 2));
  sotto_test_client_expect_ok (laptop, "l");

  g_clear_pointer (&laptop, sotto_test_client_free);
  laptop = sotto_server_fixture_log_in_as (fixture, "alice", &laptop_identity);
  sotto_test_client_assert_none (laptop, SOTTO_MSG_TYPE_HISTORY, 300);
}

/* Only to another device of one's own account: not to the sending device,
 * not to another account's, not to one nobody has; nothing is queued. */
static void
test_history_refused (SottoServerFixture *fixture,
                      gconstpointer       data)
{
  g_autoptr(SottoTestClient) desktop = sotto_server_fixture_new_user (fixture, "alice");
  g_autoptr(SottoTestClient) bob = sotto_server_fixture_new_user (fixture, "bob");
  g_autoptr(SottoTestClient) laptop = NULL;
  g_autoptr(GBytes) chunk = bytes_of (64, 5);
  SottoWireIdentity desktop_identity, laptop_identity, bob_identity, nobody;
  const guint8 *targets[3];

  sotto_test_client_identity (desktop, &desktop_identity);
  sotto_test_client_identity (bob, &bob_identity);
  randombytes_buf (&nobody, sizeof nobody);
  laptop = second_device (fixture, desktop, &laptop_identity);
  targets[0] = desktop_identity.sign;
  targets[1] = bob_identity.sign;
  targets[2] = nobody.sign;

  for (guint i = 0; i < G_N_ELEMENTS (targets); i++)
    {
      g_autoptr(SottoMsg) reply = send_history (desktop, targets[i], chunk);

      g_assert_cmpint (sotto_msg_get_error_code (reply), ==, SOTTO_MSG_ERROR_CODE_NO_SUCH_DEVICE);
    }
  sotto_test_client_assert_none (bob, SOTTO_MSG_TYPE_HISTORY, 100);
  sotto_test_client_assert_none (laptop, SOTTO_MSG_TYPE_HISTORY, 0);

  /* Bob cannot reach alice's laptop either. */
  {
    g_autoptr(SottoMsg) reply = send_history (bob, laptop_identity.sign, chunk);

    g_assert_cmpint (sotto_msg_get_error_code (reply), ==, SOTTO_MSG_ERROR_CODE_NO_SUCH_DEVICE);
  }
  sotto_test_client_assert_none (laptop, SOTTO_MSG_TYPE_HISTORY, 200);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (sodium_init (), >=, 0);

  SOTTO_SERVER_FIXTURE_ADD ("history/relay", test_history_relay);
  SOTTO_SERVER_FIXTURE_ADD ("history/refused", test_history_refused);

  return g_test_run ();
}
