/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sodium.h>
#include <string.h>

#include "sotto-client.h"
#include "sotto-e2e.h"
#include "sotto-test-server.h"
#include "sotto-test-users.h"
#include "sotto-test-util.h"

/*
 * Recovering an account from its recovery key with the client core,
 * through the real server over loopback: alice's only computer is lost,
 * and a new one signs in with her password and the recovery key. Bob
 * sees no change: the same safety number, no warning, and what he says
 * next reaches the new computer. A recovery key with a mistake, another
 * account's, or one used on a computer that has the account, changes
 * nothing, here or on the server.
 */

#define PASSWORD "correct horse battery"

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
  fixture->server = sotto_test_server_start (NULL, NULL);
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

/* @client's room @name, once the room is there. */
static SottoRoom *
room_of (SottoClient *client,
         const char  *name)
{
  SottoRoom *room;

  while ((room = sotto_client_lookup_room (client, name)) == NULL)
    g_main_context_iteration (NULL, TRUE);
  return room;
}

static void
say (SottoClient *client,
     const char  *room,
     const char  *text)
{
  sotto_test_user_wait_sent (sotto_test_user_say (client, room_of (client, room), text));
}

static void
reads (SottoClient *client,
       const char  *room,
       const char  *sender,
       const char  *text)
{
  sotto_test_user_wait_for_text (room_of (client, room), sender, text);
}

static void
identity_changed_cb (SottoClient *client,
                     const char  *user,
                     gboolean     was_verified,
                     gpointer     user_data)
{
  guint *changes = user_data;

  (*changes)++;
}

/* Someone on the raw protocol, who reads the account's lists as the
 * server hands them out; with real keys, since the others see them. */
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

/* @user's device list as the server hands it out, opened under the
 * account key of @recovery_text. */
static SottoDeviceList *
server_list (SottoTestClient *client,
             const char      *user,
             const char      *recovery_text)
{
  g_autoptr(SottoAccountKey) key = sotto_account_key_new_from_recovery (recovery_text, NULL);
  g_autoptr(SottoMsg) reply = sotto_test_client_request (client, sotto_msg_build_get_devices,
                                                         user);
  g_autoptr(GBytes) list = NULL;
  g_autoptr(GError) error = NULL;
  SottoDeviceList *opened;

  g_assert_nonnull (key);
  g_assert_cmpint (sotto_msg_get_msg_type (reply), ==, SOTTO_MSG_TYPE_DEVICES);
  list = sotto_msg_dup_bytes (reply, "list");
  opened = sotto_device_list_open (list, user, sotto_account_key_get_public (key), &error);
  g_assert_no_error (error);
  return opened;
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

/* The recovery key as a person might type it from paper: lower case,
 * spaces for the dashes, O for 0 and l for 1. */
static char *
as_typed (const char *recovery)
{
  char *typed = g_ascii_strdown (recovery, -1);

  g_strdelimit (typed, "-", ' ');
  for (char *c = typed; *c != '\0'; c++)
    if (*c == '0')
      *c = 'o';
    else if (*c == '1')
      *c = 'l';
  return typed;
}

/* @recovery with one character changed so that it no longer reads: the
 * check catches all but one change in 65,536, so the first one caught. */
static char *
with_a_mistake (const char *recovery)
{
  for (gsize i = 0; recovery[i] != '\0'; i++)
    {
      g_autofree char *changed = g_strdup (recovery);
      g_autoptr(SottoAccountKey) key = NULL;

      if (changed[i] == '-')
        continue;
      changed[i] = changed[i] == 'A' ? 'B' : 'A';
      key = sotto_account_key_new_from_recovery (changed, NULL);
      if (key == NULL)
        return g_steal_pointer (&changed);
    }
  g_assert_not_reached ();
}

/* Alice's only computer is lost. A new one signs in with her password
 * and recovery key: it holds the same account key, it is one of her
 * devices on the list the server hands out, and Bob sees no change: the
 * same safety number, still verified, no warning. What Bob says next
 * reaches the new computer (he hands his key to it once told of the new
 * list), and what it says reaches him. */
static void
test_recover_restore (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(SottoClient) lost = sotto_test_user_new (fixture->dir, fixture->address, "alice",
                                                     PASSWORD);
  g_autoptr(SottoClient) bob = sotto_test_user_new (fixture->dir, fixture->address, "bob",
                                                    PASSWORD);
  g_autoptr(SottoClient) found = NULL;
  g_autoptr(SottoTestClient) other = reader (fixture);
  g_autoptr(SottoDeviceList) before = NULL;
  g_autoptr(SottoDeviceList) after = NULL;
  g_autofree char *recovery = NULL;
  g_autofree char *typed = NULL;
  g_autofree char *recovery_again = NULL;
  g_autofree char *number = NULL;
  g_autofree char *number_after = NULL;
  g_autofree char *number_found = NULL;
  g_autofree char *lost_dir = g_build_filename (fixture->dir, "alice", NULL);
  g_autoptr(GError) error = NULL;
  guint changes = 0;

  sotto_test_user_join (lost, "lobby");
  sotto_test_user_join (bob, "lobby");
  while (sotto_room_lookup_member (room_of (bob, "lobby"), "alice") == NULL)
    g_main_context_iteration (NULL, TRUE);
  say (bob, "lobby", "hello alice");
  reads (lost, "lobby", "bob", "hello alice");
  say (lost, "lobby", "hello bob");
  reads (bob, "lobby", "alice", "hello bob");
  number = sotto_client_safety_number (bob, "alice");
  g_assert_true (sotto_client_set_verified (bob, "alice", TRUE, &error));
  g_assert_no_error (error);
  g_signal_connect (bob, "identity-changed", G_CALLBACK (identity_changed_cb), &changes);

  recovery = sotto_client_get_recovery_key (lost);
  g_assert_nonnull (recovery);
  g_assert_cmpint (strlen (recovery), ==, SOTTO_RECOVERY_KEY_LENGTH);
  before = server_list (other, "alice", recovery);
  g_assert_cmpuint (sotto_device_list_get_n_devices (before), ==, 1);

  /* The computer and everything on it are gone. */
  sotto_client_close (lost);
  g_clear_object (&lost);
  sotto_test_remove_dir (lost_dir);

  found = sotto_test_user_open (fixture->dir, fixture->address, "alice-new");
  g_assert_null (sotto_client_get_recovery_key (found));
  typed = as_typed (recovery);
  sotto_test_user_recover (found, "Alice", PASSWORD, typed, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sotto_client_get_state (found), ==, SOTTO_CLIENT_ONLINE);
  g_assert_cmpstr (sotto_client_get_user (found), ==, "alice");
  recovery_again = sotto_client_get_recovery_key (found);
  g_assert_cmpstr (recovery_again, ==, recovery);

  /* The next list under the same key holds the new computer too. */
  after = server_list (other, "alice", recovery);
  g_assert_true (sotto_device_list_follows (after, before, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (sotto_device_list_get_n_devices (after), ==, 2);
  g_assert_nonnull (sotto_device_list_lookup (after, sotto_client_get_device_identity (found)));

  /* Bob is told of the new list and hands his key over: his next line
   * reaches the new computer; its line reaches him. */
  say (bob, "lobby", "are you there, alice?");
  reads (found, "lobby", "bob", "are you there, alice?");
  say (found, "lobby", "back, on a new computer");
  reads (bob, "lobby", "alice", "back, on a new computer");

  /* Nothing changed for Bob, and the new computer compares the same
   * number. */
  number_after = sotto_client_safety_number (bob, "alice");
  g_assert_cmpstr (number_after, ==, number);
  number_found = sotto_client_safety_number (found, "bob");
  g_assert_cmpstr (number_found, ==, number);
  g_assert_cmpuint (changes, ==, 0);
  g_assert_true (sotto_client_is_verified (bob, "alice"));
  g_assert_cmpint (sotto_client_get_review (bob, "alice"), ==, SOTTO_IDENTITY_REVIEW_NONE);
  g_assert_cmpuint (sotto_test_room_count_warnings (room_of (bob, "lobby")), ==, 0);

  /* It signs in as one of her devices from now on, with the password. */
  sotto_client_close (found);
  g_clear_object (&found);
  found = sotto_test_user_open (fixture->dir, fixture->address, "alice-new");
  sotto_test_user_account (found, FALSE, "alice", PASSWORD, &error);
  g_assert_no_error (error);
  g_clear_pointer (&after, sotto_device_list_free);
  after = server_list (other, "alice", recovery);
  g_assert_cmpuint (sotto_device_list_get_n_devices (after), ==, 2);
}

/* A recovery key with one character changed, or another account's,
 * leaves nothing on the new computer and changes nothing on the server;
 * neither does one used where the account is already: a login is what
 * that computer needs. The right key then works. */
static void
test_recover_wrong_key (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(SottoClient) alice = sotto_test_user_new (fixture->dir, fixture->address, "alice",
                                                      PASSWORD);
  g_autoptr(SottoClient) bob = sotto_test_user_new (fixture->dir, fixture->address, "bob",
                                                    PASSWORD);
  g_autoptr(SottoClient) found = NULL;
  g_autoptr(SottoClient) again = NULL;
  g_autoptr(SottoTestClient) other = reader (fixture);
  g_autoptr(SottoDeviceList) before = NULL;
  g_autoptr(SottoDeviceList) after = NULL;
  g_autofree char *recovery = sotto_client_get_recovery_key (alice);
  g_autofree char *bob_recovery = sotto_client_get_recovery_key (bob);
  g_autofree char *mistaken = with_a_mistake (recovery);
  g_autoptr(GError) error = NULL;
  guint changes = 0;

  g_assert_cmpstr (recovery, !=, bob_recovery);
  g_signal_connect (bob, "identity-changed", G_CALLBACK (identity_changed_cb), &changes);
  before = server_list (other, "alice", recovery);
  found = sotto_test_user_open (fixture->dir, fixture->address, "alice-new");

  /* A mistake: refused before anything is opened. */
  sotto_test_user_recover (found, "alice", PASSWORD, mistaken, &error);
  g_assert_error (error, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "mistake"));
  g_clear_error (&error);
  g_assert_false (store_exists (fixture, "alice-new", "alice"));
  g_assert_null (sotto_client_get_user (found));

  /* Not a recovery key at all. */
  sotto_test_user_recover (found, "alice", PASSWORD, "correct horse battery", &error);
  g_assert_error (error, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_false (store_exists (fixture, "alice-new", "alice"));

  /* Bob's: well made, but the server's list of alice is not under it. */
  sotto_test_user_recover (found, "alice", PASSWORD, bob_recovery, &error);
  g_assert_true (sotto_client_error_is_server (error, SOTTO_MSG_ERROR_CODE_NOT_LINKED));
  g_assert_nonnull (strstr (error->message, "not this account’s"));
  g_clear_error (&error);
  g_assert_false (store_exists (fixture, "alice-new", "alice"));
  g_assert_null (sotto_client_get_user (found));
  g_assert_cmpint (sotto_client_get_state (found), ==, SOTTO_CLIENT_AUTHENTICATING);

  /* The right key with the wrong password. */
  sotto_test_user_recover (found, "alice", "not the password", recovery, &error);
  g_assert_true (sotto_client_error_is_server (error, SOTTO_MSG_ERROR_CODE_BAD_CREDENTIALS));
  g_clear_error (&error);
  g_assert_false (store_exists (fixture, "alice-new", "alice"));

  /* Nothing changed on the server: the same list; no warning. */
  after = server_list (other, "alice", recovery);
  g_assert_cmpuint (sotto_device_list_get_counter (after), ==,
                    sotto_device_list_get_counter (before));
  g_assert_cmpuint (sotto_device_list_get_n_devices (after), ==, 1);
  g_assert_cmpuint (changes, ==, 0);
  g_assert_cmpint (sotto_client_get_state (alice), ==, SOTTO_CLIENT_ONLINE);

  /* Where the account is already, a login is what is needed. */
  sotto_client_close (alice);
  g_clear_object (&alice);
  again = sotto_test_user_open (fixture->dir, fixture->address, "alice");
  sotto_test_user_recover (again, "alice", PASSWORD, recovery, &error);
  g_assert_error (error, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "log in instead"));
  g_clear_error (&error);
  g_assert_true (store_exists (fixture, "alice", "alice"));
  sotto_test_user_account (again, FALSE, "alice", PASSWORD, &error);
  g_assert_no_error (error);

  /* Nothing stands in the way of the right key on the new computer. */
  sotto_test_user_recover (found, "alice", PASSWORD, recovery, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sotto_client_get_state (found), ==, SOTTO_CLIENT_ONLINE);
  g_clear_pointer (&after, sotto_device_list_free);
  after = server_list (other, "alice", recovery);
  g_assert_cmpuint (sotto_device_list_get_n_devices (after), ==, 2);
  g_assert_cmpuint (changes, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (sodium_init (), >=, 0);

#define ADD(path, func) \
  g_test_add ("/sotto/client/recover/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("restore", test_recover_restore);
  ADD ("wrong-key", test_recover_wrong_key);
#undef ADD

  return g_test_run ();
}
