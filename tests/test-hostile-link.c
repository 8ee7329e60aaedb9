/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sodium.h>
#include <string.h>

#include "sotto-e2e.h"
#include "sotto-test-hostile.h"
#include "sotto-test-util.h"

/*
 * A server that meddles with a link, in front of real clients: it swaps
 * the new computer's offer for one with its own device in it, alters the
 * offer, alters the approval, or names another account as the approver.
 * The computers see it: nothing is approved, nothing is published, and
 * the new computer keeps nothing.
 */

typedef SottoHostileFixture Fixture;

typedef enum
{
  MEDDLE_NONE,
  /* link_offered: the server's own offer, of its own device, sealed
   * under a code it made, handed out under the real link id */
  MEDDLE_OWN_OFFER,
  /* link_offered: one bit of the new computer's identity flipped inside
   * the ciphertext, as a stream cipher would let it */
  MEDDLE_FLIP_OFFER,
  /* link_approved: a bit of the approval flipped */
  MEDDLE_FLIP_APPROVAL,
  /* link_approved: another account named as the approver */
  MEDDLE_OTHER_USER,
} Meddle;

typedef struct
{
  Meddle  meddle;
  guint   meddled;
} Meddler;

static GBytes *
flip_field (GBytes     *message,
            const char *field,
            gsize       at)
{
  g_autofree char *text = sotto_test_json_get_string (message, field);
  g_autofree guint8 *data = NULL;
  g_autofree char *flipped = NULL;
  gsize size = 0;

  g_assert_nonnull (text);
  data = g_base64_decode (text, &size);
  g_assert_cmpuint (at, <, size);
  data[at] ^= 0x01;
  flipped = g_base64_encode (data, size);

  return sotto_test_json_set_string (message, field, flipped);
}

/* An offer of the server's own device, under a code of its own. */
static GBytes *
own_offer (GBytes *message)
{
  g_autoptr(SottoLinkCode) code = sotto_link_code_new ();
  g_autoptr(SottoIdentity) device = sotto_identity_new ();
  g_autoptr(SottoLinkRequest) request = NULL;
  g_autoptr(GBytes) offer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  request = sotto_link_request_new (code, sotto_identity_get_public (device), "Laptop", &error);
  g_assert_no_error (error);
  offer = sotto_link_offer_seal (request, &error);
  g_assert_no_error (error);
  text = g_base64_encode (g_bytes_get_data (offer, NULL), g_bytes_get_size (offer));

  return sotto_test_json_set_string (message, "offer", text);
}

static GBytes *
meddle_cb (SottoTestProxy          *proxy,
           SottoTestProxyLink      *link,
           SottoTestProxyDirection  direction,
           GBytes                  *message,
           gpointer                 user_data)
{
  Meddler *meddler = user_data;
  g_autofree char *type = NULL;

  if (direction != SOTTO_TEST_PROXY_TO_CLIENT)
    return g_bytes_ref (message);

  type = sotto_test_json_type (message);
  if (g_strcmp0 (type, "link_offered") == 0)
    {
      switch (meddler->meddle)
        {
        case MEDDLE_OWN_OFFER:
          meddler->meddled++;
          return own_offer (message);
        case MEDDLE_FLIP_OFFER:
          /* Past the version and the nonce: the identity's box key. */
          meddler->meddled++;
          return flip_field (message, "offer", 1 + 24 + 3);
        case MEDDLE_NONE:
        case MEDDLE_FLIP_APPROVAL:
        case MEDDLE_OTHER_USER:
        default:
          break;
        }
    }

  if (g_strcmp0 (type, "link_approved") == 0)
    {
      switch (meddler->meddle)
        {
        case MEDDLE_FLIP_APPROVAL:
          /* Past the version, the ephemeral key and the nonce. */
          meddler->meddled++;
          return flip_field (message, "approval", 1 + 32 + 24 + 5);
        case MEDDLE_OTHER_USER:
          meddler->meddled++;
          return sotto_test_json_set_string (message, "user", "mallory");
        case MEDDLE_NONE:
        case MEDDLE_OWN_OFFER:
        case MEDDLE_FLIP_OFFER:
        default:
          break;
        }
    }

  return g_bytes_ref (message);
}

/* The account's device list, as the real server holds it: its counter
 * and how many devices it holds. */
static void
server_list (Fixture    *fixture,
             const char *user,
             gint64     *counter,
             guint      *n_devices)
{
  g_autoptr(SottoTestClient) reader = sotto_test_client_connect (fixture->server);
  g_autoptr(SottoIdentity) keys = sotto_identity_new ();
  const SottoPublicIdentity *public = sotto_identity_get_public (keys);
  g_autoptr(SottoMsg) session = NULL;
  g_autoptr(SottoMsg) reply = NULL;
  g_autoptr(GBytes) list = NULL;
  g_autoptr(GBytes) key = NULL;
  g_autoptr(SottoDeviceList) opened = NULL;
  g_autoptr(GError) error = NULL;
  SottoWireIdentity wire;

  memcpy (wire.box, public->box_pk, sizeof wire.box);
  memcpy (wire.sign, public->sign_pk, sizeof wire.sign);
  memcpy (wire.binding, public->binding, sizeof wire.binding);
  sotto_test_client_set_identity (reader, &wire);
  session = sotto_test_client_register (reader, "reader", SOTTO_HOSTILE_PASSWORD);
  g_assert_cmpint (sotto_msg_get_msg_type (session), ==, SOTTO_MSG_TYPE_SESSION);

  reply = sotto_test_client_request (reader, sotto_msg_build_get_devices, user);
  g_assert_cmpint (sotto_msg_get_msg_type (reply), ==, SOTTO_MSG_TYPE_DEVICES);
  list = sotto_msg_dup_bytes (reply, "list");
  key = sotto_msg_dup_bytes (reply, "account_key");
  opened = sotto_device_list_open (list, user, g_bytes_get_data (key, NULL), &error);
  g_assert_no_error (error);
  *counter = sotto_msg_get_int (reply, "counter");
  *n_devices = sotto_device_list_get_n_devices (opened);
}

static gboolean
store_exists (Fixture    *fixture,
              const char *computer,
              const char *user)
{
  g_autofree char *path = sotto_test_user_store_path (fixture->dir,
                                                      sotto_test_proxy_get_address (fixture->proxy),
                                                      computer, user);

  return g_file_test (path, G_FILE_TEST_EXISTS);
}

static SottoTestNewComputer *
start_link (Fixture *fixture)
{
  SottoTestNewComputer *laptop;

  laptop = sotto_test_new_computer_link (fixture->dir,
                                         sotto_test_proxy_get_address (fixture->proxy),
                                         "laptop", "alice", SOTTO_HOSTILE_PASSWORD, NULL);
  sotto_test_new_computer_wait_code (laptop);
  g_assert_no_error (laptop->error);
  g_assert_nonnull (laptop->code);

  return laptop;
}

/* The offer alice's computer fetches is not the new computer's: the
 * server's own device in an offer under its own code, or the real offer
 * with a bit of the new computer's key changed. It does not open with
 * the code alice typed, so she approves nothing and publishes nothing;
 * the new computer waits on. */
static void
test_swapped_offer (Fixture       *fixture,
                    gconstpointer  data)
{
  const Meddle meddles[] = { MEDDLE_OWN_OFFER, MEDDLE_FLIP_OFFER };
  g_autoptr(SottoClient) alice = sotto_hostile_new_user (fixture, "alice");
  g_autoptr(SottoTestNewComputer) laptop = start_link (fixture);
  Meddler meddler = { MEDDLE_NONE, 0 };
  gint64 counter = 0;
  guint n_devices = 0;

  sotto_test_proxy_set_hook (fixture->proxy, meddle_cb, &meddler);
  for (guint i = 0; i < G_N_ELEMENTS (meddles); i++)
    {
      g_autoptr(SottoLinkPending) pending = NULL;
      g_autoptr(GError) error = NULL;

      meddler.meddle = meddles[i];
      meddler.meddled = 0;
      pending = sotto_test_user_open_link (alice, laptop->code, &error);
      g_assert_cmpuint (meddler.meddled, ==, 1);
      g_assert_null (pending);
      g_assert_error (error, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_FAILED);
      g_assert_nonnull (strstr (error->message, "does not match"));
    }

  sotto_test_iterate (200);
  g_assert_false (laptop->done);
  server_list (fixture, "alice", &counter, &n_devices);
  g_assert_cmpint (counter, ==, 1);
  g_assert_cmpuint (n_devices, ==, 1);
  sotto_test_proxy_set_hook (fixture->proxy, NULL, NULL);
}

/* The approval that reaches the new computer is altered, or says another
 * account approved: the new computer refuses it, and keeps nothing. */
static void
test_swapped_approval (Fixture       *fixture,
                       gconstpointer  data)
{
  const Meddle meddles[] = { MEDDLE_FLIP_APPROVAL, MEDDLE_OTHER_USER };
  g_autoptr(SottoClient) alice = sotto_hostile_new_user (fixture, "alice");
  Meddler meddler = { MEDDLE_NONE, 0 };

  sotto_test_proxy_set_hook (fixture->proxy, meddle_cb, &meddler);
  for (guint i = 0; i < G_N_ELEMENTS (meddles); i++)
    {
      g_autoptr(SottoTestNewComputer) laptop = start_link (fixture);
      g_autoptr(SottoLinkPending) pending = NULL;
      g_autoptr(GError) error = NULL;

      meddler.meddle = meddles[i];
      meddler.meddled = 0;
      pending = sotto_test_user_open_link (alice, laptop->code, &error);
      g_assert_no_error (error);
      g_assert_true (sotto_test_user_approve_link (alice, pending, &error));
      g_assert_no_error (error);

      sotto_test_new_computer_wait_done (laptop);
      g_assert_cmpuint (meddler.meddled, ==, 1);
      g_assert_false (laptop->ok);
      g_assert_error (laptop->error, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_FAILED);
      if (meddles[i] == MEDDLE_OTHER_USER)
        g_assert_nonnull (strstr (laptop->error->message, "mallory"));
      else
        g_assert_nonnull (strstr (laptop->error->message, "not made for this computer"));
      g_assert_null (sotto_client_get_user (laptop->client));
      g_assert_cmpint (sotto_client_get_state (laptop->client), !=, SOTTO_CLIENT_ONLINE);
      g_assert_false (store_exists (fixture, "laptop", "alice"));
    }
  sotto_test_proxy_set_hook (fixture->proxy, NULL, NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (sodium_init (), >=, 0);

#define ADD(path, func) \
  g_test_add ("/sotto/hostile-server/link/" path, Fixture, NULL, sotto_hostile_fixture_setup, \
              func, sotto_hostile_fixture_teardown)
  ADD ("swapped-offer", test_swapped_offer);
  ADD ("swapped-approval", test_swapped_approval);
#undef ADD

  return g_test_run ();
}
