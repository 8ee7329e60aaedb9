/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <sodium.h>
#include <string.h>

#include "sotto-client.h"
#include "sotto-client-store.h"
#include "sotto-e2e.h"
#include "sotto-test-server.h"
#include "sotto-test-users.h"
#include "sotto-test-util.h"

/*
 * Linking a second computer to an account with the client core, through
 * the real server over loopback: the new computer (a SottoClient with a
 * data directory of its own) shows a code, the computer signed in opens
 * the offer with it and approves it, and the new computer ends up logged
 * in as one of the account's devices, with the same account key. What
 * goes wrong (a wrong code, a second approval, a code someone else
 * offers under, a link that expires or stops waiting) leaves the
 * account's device list as it was, and nothing on the new computer.
 */

#define PASSWORD "correct horse battery"
static const char *const link_timeout_2[] = { "--link-timeout", "2", NULL };

typedef struct
{
  SottoTestServer *server;
  char            *dir;
  char            *address;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  fixture->server = sotto_test_server_start (NULL, (const char *const *) data);
  fixture->dir = sotto_test_make_data_dir ();
  fixture->address = g_strdup_printf ("127.0.0.1:%u", sotto_test_server_get_port (fixture->server));
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  if (sotto_test_server_is_running (fixture->server))
    sotto_test_server_stop (fixture->server);
  g_clear_pointer (&fixture->server, sotto_test_server_free);
  sotto_test_remove_dir (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->address);
}

/* The new computer */

/* @computer (a data directory), connected, linking to @user: returns
 * once it shows its code. */
static SottoTestNewComputer *
start_link (Fixture      *fixture,
            const char   *computer_name,
            const char   *user,
            GCancellable *cancellable)
{
  SottoTestNewComputer *computer;

  computer = sotto_test_new_computer_link (fixture->dir, fixture->address, computer_name, user,
                                           PASSWORD, cancellable);
  g_assert_null (sotto_client_get_link_code (computer->client));
  sotto_test_new_computer_wait_code (computer);
  g_assert_no_error (computer->error);
  g_assert_false (computer->done);
  g_assert_cmpuint (computer->codes, ==, 1);
  g_assert_cmpstr (sotto_client_get_link_code (computer->client), ==, computer->code);
  g_assert_cmpint (strlen (computer->code), ==, SOTTO_LINK_CODE_LENGTH);
  g_assert_cmpint (sotto_client_get_state (computer->client), ==, SOTTO_CLIENT_AUTHENTICATING);
  g_assert_null (sotto_client_get_user (computer->client));

  return computer;
}

/* What the server holds */

/* Someone else, on the raw protocol, who reads the account's lists; with
 * real keys, since the others see them. */
static SottoTestClient *
reader (Fixture *fixture)
{
  SottoTestClient *client = sotto_test_client_connect (fixture->server);
  g_autoptr(SottoIdentity) keys = sotto_identity_new ();
  const SottoPublicIdentity *public = sotto_identity_get_public (keys);
  g_autoptr(SottoMsg) session = NULL;
  SottoWireIdentity wire;

  memcpy (wire.box, public->box_pk, sizeof wire.box);
  memcpy (wire.sign, public->sign_pk, sizeof wire.sign);
  memcpy (wire.binding, public->binding, sizeof wire.binding);
  sotto_test_client_set_identity (client, &wire);
  session = sotto_test_client_register (client, "reader", PASSWORD);

  g_assert_cmpint (sotto_msg_get_msg_type (session), ==, SOTTO_MSG_TYPE_SESSION);
  return client;
}

/* The device list the server hands out for @user: opened under @key, and
 * published under it. */
static SottoDeviceList *
server_list (SottoTestClient *client,
             const char      *user,
             SottoAccountKey *key)
{
  g_autoptr(SottoMsg) reply = sotto_test_client_request (client, sotto_msg_build_get_devices,
                                                         user);
  g_autoptr(GBytes) list = NULL;
  g_autoptr(GBytes) account_key = NULL;
  g_autoptr(GError) error = NULL;
  SottoDeviceList *opened;

  g_assert_cmpint (sotto_msg_get_msg_type (reply), ==, SOTTO_MSG_TYPE_DEVICES);
  account_key = sotto_msg_dup_bytes (reply, "account_key");
  g_assert_cmpmem (g_bytes_get_data (account_key, NULL), g_bytes_get_size (account_key),
                   sotto_account_key_get_public (key), SOTTO_ACCOUNT_KEY_PUBLIC_BYTES);
  list = sotto_msg_dup_bytes (reply, "list");
  opened = sotto_device_list_open (list, user, sotto_account_key_get_public (key), &error);
  g_assert_no_error (error);
  g_assert_cmpint (sotto_msg_get_int (reply, "counter"), ==,
                   (gint64) sotto_device_list_get_counter (opened));

  return opened;
}

/* The store of @user on @computer, closed by its client first. */
static SottoClientStore *
open_store (Fixture    *fixture,
            const char *computer,
            const char *user)
{
  g_autofree char *path = sotto_test_user_store_path (fixture->dir, fixture->address, computer,
                                                      user);

  return sotto_test_user_open_store (path, PASSWORD);
}

static gboolean
store_exists (Fixture    *fixture,
              const char *computer,
              const char *user)
{
  g_autofree char *path = sotto_test_user_store_path (fixture->dir, fixture->address, computer,
                                                      user);

  return g_file_test (path, G_FILE_TEST_EXISTS);
}

/* The name a computer gives itself in its offer: its host name. */
static char *
this_computer_name (void)
{
  const char *host = g_get_host_name ();

  if (strlen (host) <= SOTTO_DEVICE_NAME_MAX_BYTES && g_utf8_validate (host, -1, NULL))
    return g_strdup (host);
  return NULL;
}

/* Tests */

/* Alice's laptop shows a code; her first computer opens the offer with
 * it, sees the laptop's name, and approves it. The laptop is then logged
 * in as alice, with the account key of the first computer, and the
 * server hands out a list signed by that key with both computers. The
 * link is approved once. */
static void
test_approve (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(SottoClient) alice = sotto_test_user_new (fixture->dir, fixture->address, "alice",
                                                      PASSWORD);
  g_autoptr(SottoTestClient) other = reader (fixture);
  g_autoptr(SottoTestNewComputer) laptop = start_link (fixture, "laptop", "alice", NULL);
  g_autoptr(SottoLinkPending) pending = NULL;
  g_autoptr(SottoLinkPending) again = NULL;
  g_autoptr(SottoAccountKey) alice_key = NULL;
  g_autoptr(SottoAccountKey) laptop_key = NULL;
  g_autoptr(SottoIdentity) alice_identity = NULL;
  g_autoptr(SottoIdentity) laptop_identity = NULL;
  g_autoptr(GBytes) alice_list = NULL;
  g_autoptr(GBytes) laptop_list = NULL;
  g_autoptr(SottoDeviceList) listed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = this_computer_name ();
  g_autofree char *spaced = NULL;
  gboolean published = FALSE;

  /* The code as someone might type it: lower case, spaces for dashes. */
  spaced = g_ascii_strdown (laptop->code, -1);
  g_strdelimit (spaced, "-", ' ');
  pending = sotto_test_user_open_link (alice, spaced, &error);
  g_assert_no_error (error);
  if (name != NULL)
    g_assert_cmpstr (sotto_link_pending_get_name (pending), ==, name);
  g_assert_false (laptop->done);

  g_assert_true (sotto_test_user_approve_link (alice, pending, &error));
  g_assert_no_error (error);
  sotto_test_new_computer_wait_done (laptop);
  g_assert_no_error (laptop->error);
  g_assert_true (laptop->ok);
  g_assert_cmpint (sotto_client_get_state (laptop->client), ==, SOTTO_CLIENT_ONLINE);
  g_assert_cmpstr (sotto_client_get_user (laptop->client), ==, "alice");
  g_assert_null (sotto_client_get_link_code (laptop->client));
  g_assert_cmpuint (laptop->codes, ==, 1);

  /* Once: the same link again, and the code again. */
  g_assert_false (sotto_test_user_approve_link (alice, pending, &error));
  g_assert_error (error, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "approved already"));
  g_clear_error (&error);
  again = sotto_test_user_open_link (alice, laptop->code, &error);
  g_assert_null (again);
  g_assert_true (sotto_client_error_is_server (error, SOTTO_MSG_ERROR_CODE_NO_SUCH_LINK));
  g_clear_error (&error);

  sotto_client_close (alice);
  g_clear_object (&alice);
  sotto_client_close (laptop->client);
  g_clear_object (&laptop->client);

  {
    g_autoptr(SottoClientStore) store = open_store (fixture, "alice", "alice");

    alice_key = sotto_client_store_get_account_key (store, &error);
    g_assert_no_error (error);
    alice_identity = sotto_client_store_load_identity (store, &error);
    g_assert_no_error (error);
    alice_list = sotto_client_store_get_device_list (store, &published, &error);
    g_assert_no_error (error);
    g_assert_true (published);
  }
  {
    g_autoptr(SottoClientStore) store = open_store (fixture, "laptop", "alice");

    laptop_key = sotto_client_store_get_account_key (store, &error);
    g_assert_no_error (error);
    laptop_identity = sotto_client_store_load_identity (store, &error);
    g_assert_no_error (error);
    published = FALSE;
    laptop_list = sotto_client_store_get_device_list (store, &published, &error);
    g_assert_no_error (error);
    g_assert_true (published);
  }

  /* One account key, and one list, on both computers. */
  g_assert_nonnull (alice_key);
  g_assert_nonnull (laptop_key);
  g_assert_cmpmem (sotto_account_key_get_public (alice_key), SOTTO_ACCOUNT_KEY_PUBLIC_BYTES,
                   sotto_account_key_get_public (laptop_key), SOTTO_ACCOUNT_KEY_PUBLIC_BYTES);
  g_assert_true (g_bytes_equal (alice_list, laptop_list));
  g_assert_false (sotto_public_identity_equal (sotto_identity_get_public (alice_identity),
                                               sotto_identity_get_public (laptop_identity)));

  /* What anyone fetches opens under that key and holds both computers. */
  listed = server_list (other, "alice", alice_key);
  g_assert_cmpuint (sotto_device_list_get_counter (listed), ==, 2);
  g_assert_cmpuint (sotto_device_list_get_n_devices (listed), ==, 2);
  g_assert_nonnull (sotto_device_list_lookup (listed, sotto_identity_get_public (alice_identity)));
  g_assert_nonnull (sotto_device_list_lookup (listed,
                                              sotto_identity_get_public (laptop_identity)));
  if (name != NULL)
    g_assert_cmpstr (sotto_device_list_lookup (listed,
                                               sotto_identity_get_public (laptop_identity))->name,
                     ==, name);

  /* The laptop logs in again as itself, with nothing more to publish. */
  {
    g_autoptr(SottoClient) back = sotto_test_user_open (fixture->dir, fixture->address, "laptop");
    g_autoptr(SottoDeviceList) still = NULL;

    sotto_test_user_account (back, FALSE, "alice", PASSWORD, &error);
    g_assert_no_error (error);
    g_assert_cmpint (sotto_client_get_state (back), ==, SOTTO_CLIENT_ONLINE);
    sotto_test_iterate (200);
    still = server_list (other, "alice", alice_key);
    g_assert_cmpuint (sotto_device_list_get_counter (still), ==, 2);
    sotto_client_close (back);
  }
}

static void
identity_changed_cb (SottoClient *client,
                     const char  *user,
                     gboolean     was_verified,
                     gpointer     user_data)
{
  (*(guint *) user_data)++;
}

/* Once linked, the laptop logs in as one of alice's devices, not as a
 * new key for her: bob, who shares a room with her, is told of no key
 * change, and the laptop is in her rooms. */
static void
test_no_key_change (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(SottoClient) alice = sotto_test_user_new (fixture->dir, fixture->address, "alice",
                                                      PASSWORD);
  g_autoptr(SottoClient) bob = sotto_test_user_new (fixture->dir, fixture->address, "bob",
                                                    PASSWORD);
  g_autoptr(SottoTestNewComputer) laptop = NULL;
  g_autoptr(SottoLinkPending) pending = NULL;
  g_autoptr(GError) error = NULL;
  SottoRoom *bob_room;
  guint changes = 0;

  sotto_test_user_join (alice, "lobby");
  bob_room = sotto_test_user_join (bob, "lobby");
  sotto_test_user_wait_members (bob_room, 2);
  g_signal_connect (bob, "identity-changed", G_CALLBACK (identity_changed_cb), &changes);

  laptop = start_link (fixture, "laptop", "alice", NULL);
  pending = sotto_test_user_open_link (alice, laptop->code, &error);
  g_assert_no_error (error);
  g_assert_true (sotto_test_user_approve_link (alice, pending, &error));
  sotto_test_new_computer_wait_done (laptop);
  g_assert_no_error (laptop->error);
  g_assert_nonnull (sotto_client_lookup_room (laptop->client, "lobby"));

  sotto_test_iterate (500);
  g_assert_cmpuint (changes, ==, 0);
  g_assert_cmpuint (sotto_test_room_count_text (bob_room, "alice",
                                                "alice’s safety number changed"), ==, 0);
  g_signal_handlers_disconnect_by_data (bob, &changes);
}

/* Fake bytes under @link, from a connection that never logs in: an offer
 * of the right size that no code opens. */
static SottoTestClient *
offer_rubbish (Fixture    *fixture,
               const char *link)
{
  SottoTestClient *client = sotto_test_client_connect (fixture->server);
  g_autofree char *id = sotto_test_client_next_id (client);
  guint8 rubbish[220];
  g_autoptr(GBytes) offer = NULL;
  g_autoptr(SottoMsg) reply = NULL;

  randombytes_buf (rubbish, sizeof rubbish);
  rubbish[0] = 1;
  offer = g_bytes_new (rubbish, sizeof rubbish);
  sotto_test_client_send_take (client, sotto_msg_build_link_offer (id, link, offer));
  reply = sotto_test_client_expect_reply (client, id);
  g_assert_cmpint (sotto_msg_get_msg_type (reply), ==, SOTTO_MSG_TYPE_OK);

  return client;
}

/* A code that is no code, another code than the one shown, and an offer
 * the code does not open are refused on the approving computer, which
 * then publishes nothing: the server keeps the list of one device. The
 * new computer, which waits on, can be given up on: it then keeps
 * nothing. */
static void
test_wrong_code (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(SottoClient) alice = sotto_test_user_new (fixture->dir, fixture->address, "alice",
                                                      PASSWORD);
  g_autoptr(SottoTestClient) other = reader (fixture);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(SottoTestNewComputer) laptop = start_link (fixture, "laptop", "alice", cancellable);
  g_autoptr(SottoLinkCode) another = sotto_link_code_new ();
  g_autoptr(SottoTestClient) forger = NULL;
  g_autofree char *another_text = sotto_link_code_to_string (another);
  g_autoptr(SottoLinkPending) pending = NULL;
  g_autoptr(SottoDeviceList) listed = NULL;
  g_autoptr(SottoAccountKey) key = NULL;
  g_autoptr(GError) error = NULL;

  pending = sotto_test_user_open_link (alice, "not a code", &error);
  g_assert_error (error, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "not a link code"));
  g_clear_error (&error);

  pending = sotto_test_user_open_link (alice, another_text, &error);
  g_assert_null (pending);
  g_assert_true (sotto_client_error_is_server (error, SOTTO_MSG_ERROR_CODE_NO_SUCH_LINK));
  g_assert_nonnull (strstr (error->message, "No new computer is waiting"));
  g_clear_error (&error);

  /* Under the id of a code, an offer that code does not open. */
  forger = offer_rubbish (fixture, sotto_link_code_get_id (another));
  pending = sotto_test_user_open_link (alice, another_text, &error);
  g_assert_null (pending);
  g_assert_error (error, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "does not match"));
  g_clear_error (&error);

  sotto_test_iterate (200);
  g_assert_false (laptop->done);
  {
    g_autoptr(SottoClientStore) store = NULL;

    sotto_client_close (alice);
    store = open_store (fixture, "alice", "alice");
    key = sotto_client_store_get_account_key (store, &error);
    g_assert_no_error (error);
  }
  listed = server_list (other, "alice", key);
  g_assert_cmpuint (sotto_device_list_get_counter (listed), ==, 1);
  g_assert_cmpuint (sotto_device_list_get_n_devices (listed), ==, 1);

  /* Given up on, the new computer keeps nothing, and may go on. */
  g_assert_true (store_exists (fixture, "laptop", "alice"));
  g_cancellable_cancel (cancellable);
  sotto_test_new_computer_wait_done (laptop);
  g_assert_error (laptop->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (store_exists (fixture, "laptop", "alice"));
  g_assert_null (sotto_client_get_link_code (laptop->client));
  g_assert_true (sotto_client_get_connected (laptop->client));
  g_assert_cmpint (sotto_client_get_state (laptop->client), ==, SOTTO_CLIENT_AUTHENTICATING);
}

/* Someone who saw the code offers under it too: the server refuses them,
 * since the laptop holds the code, and what alice approves is the
 * laptop's offer. */
static void
test_taken (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(SottoClient) alice = sotto_test_user_new (fixture->dir, fixture->address, "alice",
                                                      PASSWORD);
  g_autoptr(SottoTestNewComputer) laptop = start_link (fixture, "laptop", "alice", NULL);
  g_autoptr(SottoTestClient) intruder = sotto_test_client_connect (fixture->server);
  g_autoptr(SottoIdentity) intruder_keys = sotto_identity_new ();
  g_autoptr(SottoLinkCode) seen = NULL;
  g_autoptr(SottoLinkRequest) request = NULL;
  g_autoptr(GBytes) offer = NULL;
  g_autoptr(SottoMsg) refused = NULL;
  g_autoptr(SottoLinkPending) pending = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;

  seen = sotto_link_code_new_from_string (laptop->code, &error);
  g_assert_no_error (error);
  request = sotto_link_request_new (seen, sotto_identity_get_public (intruder_keys), "Intruder",
                                    &error);
  g_assert_no_error (error);
  offer = sotto_link_offer_seal (request, &error);
  g_assert_no_error (error);
  id = sotto_test_client_next_id (intruder);
  sotto_test_client_send_take (intruder, sotto_msg_build_link_offer (id,
                                                                     sotto_link_code_get_id (seen),
                                                                     offer));
  refused = sotto_test_client_expect_error (intruder, id, SOTTO_MSG_ERROR_CODE_LINK_TAKEN);
  g_assert_nonnull (refused);

  pending = sotto_test_user_open_link (alice, laptop->code, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sotto_link_pending_get_name (pending), !=, "Intruder");
  g_assert_true (sotto_test_user_approve_link (alice, pending, &error));
  g_assert_no_error (error);
  sotto_test_new_computer_wait_done (laptop);
  g_assert_no_error (laptop->error);
  g_assert_cmpint (sotto_client_get_state (laptop->client), ==, SOTTO_CLIENT_ONLINE);
  sotto_test_client_assert_none (intruder, SOTTO_MSG_TYPE_LINK_APPROVED, 200);
}

/* Nobody approves in time: the new computer is told that the code
 * expired, keeps nothing, and the code is gone on the server too. */
static void
test_expired (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(SottoClient) alice = sotto_test_user_new (fixture->dir, fixture->address, "alice",
                                                      PASSWORD);
  g_autoptr(SottoTestNewComputer) laptop = start_link (fixture, "laptop", "alice", NULL);
  g_autoptr(SottoLinkPending) pending = NULL;
  g_autoptr(GError) error = NULL;

  sotto_test_new_computer_wait_done (laptop);
  g_assert_error (laptop->error, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_TIMED_OUT);
  g_assert_nonnull (strstr (laptop->error->message, "expired"));
  g_assert_nonnull (strstr (laptop->error->message, "start again"));
  g_assert_false (store_exists (fixture, "laptop", "alice"));
  g_assert_null (sotto_client_get_link_code (laptop->client));
  g_assert_true (sotto_client_get_connected (laptop->client));

  pending = sotto_test_user_open_link (alice, laptop->code, &error);
  g_assert_null (pending);
  g_assert_true (sotto_client_error_is_server (error, SOTTO_MSG_ERROR_CODE_NO_SUCH_LINK));
}

/* The new computer goes away after alice opened its offer: her approval
 * reaches nobody, she is told so, and the computer she had listed for a
 * moment is taken off the list again. */
static void
test_stopped_waiting (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(SottoClient) alice = sotto_test_user_new (fixture->dir, fixture->address, "alice",
                                                      PASSWORD);
  g_autoptr(SottoTestClient) other = reader (fixture);
  g_autoptr(SottoTestNewComputer) laptop = start_link (fixture, "laptop", "alice", NULL);
  g_autoptr(SottoLinkPending) pending = NULL;
  g_autoptr(SottoDeviceList) listed = NULL;
  g_autoptr(SottoAccountKey) key = NULL;
  g_autoptr(GBytes) kept = NULL;
  g_autoptr(GError) error = NULL;
  gboolean published = FALSE;

  pending = sotto_test_user_open_link (alice, laptop->code, &error);
  g_assert_no_error (error);

  sotto_client_close (laptop->client);
  sotto_test_new_computer_wait_done (laptop);
  g_assert_error (laptop->error, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_DISCONNECTED);
  g_assert_false (store_exists (fixture, "laptop", "alice"));
  /* The server notices the connection gone. */
  sotto_test_iterate (200);

  g_assert_false (sotto_test_user_approve_link (alice, pending, &error));
  g_assert_true (sotto_client_error_is_server (error, SOTTO_MSG_ERROR_CODE_NO_SUCH_LINK));
  g_assert_nonnull (strstr (error->message, "stopped waiting"));
  g_clear_error (&error);

  sotto_client_close (alice);
  {
    g_autoptr(SottoClientStore) store = open_store (fixture, "alice", "alice");

    key = sotto_client_store_get_account_key (store, &error);
    g_assert_no_error (error);
    kept = sotto_client_store_get_device_list (store, &published, &error);
    g_assert_no_error (error);
    g_assert_true (published);
  }
  listed = server_list (other, "alice", key);
  g_assert_cmpuint (sotto_device_list_get_counter (listed), ==, 3);
  g_assert_cmpuint (sotto_device_list_get_n_devices (listed), ==, 1);
  {
    g_autoptr(SottoDeviceList) own = sotto_device_list_open (kept, "alice",
                                                             sotto_account_key_get_public (key),
                                                             &error);

    g_assert_no_error (error);
    g_assert_cmpuint (sotto_device_list_get_counter (own), ==, 3);
  }
}

/* A computer that holds the account already logs in instead: linking it
 * is refused before anything is offered, and its store stays. */
static void
test_already_here (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(SottoClient) alice = sotto_test_user_new (fixture->dir, fixture->address, "alice",
                                                      PASSWORD);
  g_autoptr(SottoTestNewComputer) again = NULL;

  sotto_client_close (alice);
  again = sotto_test_new_computer_link (fixture->dir, fixture->address, "alice", "alice",
                                        PASSWORD, NULL);
  sotto_test_new_computer_wait_done (again);
  g_assert_error (again->error, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_FAILED);
  g_assert_nonnull (strstr (again->error->message, "log in instead"));
  g_assert_cmpuint (again->codes, ==, 0);
  g_assert_true (store_exists (fixture, "alice", "alice"));

  g_clear_error (&again->error);
  sotto_test_user_account (again->client, FALSE, "alice", PASSWORD, &again->error);
  g_assert_no_error (again->error);
  g_assert_cmpint (sotto_client_get_state (again->client), ==, SOTTO_CLIENT_ONLINE);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (sodium_init (), >=, 0);

#define ADD(path, func) \
  g_test_add ("/sotto/client/link/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("approve", test_approve);
  ADD ("no-key-change", test_no_key_change);
  ADD ("wrong-code", test_wrong_code);
  ADD ("taken", test_taken);
  ADD ("stopped-waiting", test_stopped_waiting);
  ADD ("already-here", test_already_here);
#undef ADD
  g_test_add ("/sotto/client/link/expired", Fixture, link_timeout_2, fixture_setup, test_expired,
              fixture_teardown);

  return g_test_run ();
}
