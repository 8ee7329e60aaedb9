/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sodium.h>
#include <sqlite3.h>
#include <string.h>

#include "sotto-client.h"
#include "sotto-e2e.h"
#include "sotto-test-server.h"
#include "sotto-test-users.h"
#include "sotto-test-util.h"

/*
 * One account on several computers, through the real server over
 * loopback: each device of the account reads what its contacts say, live
 * and after being away, and what its sibling devices say; contacts read
 * every device; nobody sees a key change when a device is linked, and the
 * safety number stays what it was.
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

static SottoClient *
link_device (Fixture     *fixture,
             SottoClient *approver,
             const char  *name,
             const char  *user)
{
  return sotto_test_user_link (fixture->dir, fixture->address, approver, name, user, PASSWORD);
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

/* Alice links a laptop, then a third computer: Bob is told of no key
 * change and compares the same safety number; each of her computers
 * reads what Bob says and what the others say, and Bob reads them all;
 * a computer that was away reads what was said meanwhile. */
static void
test_devices_read_everywhere (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(SottoClient) desktop = sotto_test_user_new (fixture->dir, fixture->address, "alice",
                                                        PASSWORD);
  g_autoptr(SottoClient) bob = sotto_test_user_new (fixture->dir, fixture->address, "bob",
                                                    PASSWORD);
  g_autoptr(SottoClient) laptop = NULL;
  g_autoptr(SottoClient) phone = NULL;
  g_autofree char *number = NULL;
  g_autofree char *number_after = NULL;
  g_autoptr(GError) error = NULL;
  guint changes = 0;

  sotto_test_user_join (desktop, "lobby");
  sotto_test_user_join (bob, "lobby");
  while (sotto_room_lookup_member (room_of (bob, "lobby"), "alice") == NULL)
    g_main_context_iteration (NULL, TRUE);
  say (bob, "lobby", "hello alice");
  reads (desktop, "lobby", "bob", "hello alice");
  say (desktop, "lobby", "hello bob");
  reads (bob, "lobby", "alice", "hello bob");
  number = sotto_client_safety_number (bob, "alice");
  g_assert_true (sotto_client_set_verified (bob, "alice", TRUE, &error));
  g_assert_no_error (error);
  g_signal_connect (bob, "identity-changed", G_CALLBACK (identity_changed_cb), &changes);

  laptop = link_device (fixture, desktop, "alice-laptop", "alice");

  /* What Bob says next reaches both; what each says reaches Bob and the
   * other. */
  say (bob, "lobby", "to both of you");
  reads (desktop, "lobby", "bob", "to both of you");
  reads (laptop, "lobby", "bob", "to both of you");
  say (desktop, "lobby", "from the desktop");
  reads (bob, "lobby", "alice", "from the desktop");
  reads (laptop, "lobby", "alice", "from the desktop");
  say (laptop, "lobby", "from the laptop");
  reads (bob, "lobby", "alice", "from the laptop");
  reads (desktop, "lobby", "alice", "from the laptop");

  /* Nothing changed for Bob: no warning, the same number, still
   * verified, and he goes on sending. */
  number_after = sotto_client_safety_number (bob, "alice");
  g_assert_cmpstr (number_after, ==, number);
  g_assert_cmpuint (changes, ==, 0);
  g_assert_true (sotto_client_is_verified (bob, "alice"));
  g_assert_cmpint (sotto_client_get_review (bob, "alice"), ==, SOTTO_IDENTITY_REVIEW_NONE);

  /* The laptop is away while Bob and the desktop speak. */
  sotto_client_close (laptop);
  g_clear_object (&laptop);
  say (bob, "lobby", "while the laptop sleeps");
  say (desktop, "lobby", "the desktop too");
  laptop = sotto_test_user_open (fixture->dir, fixture->address, "alice-laptop");
  sotto_test_user_account (laptop, FALSE, "alice", PASSWORD, &error);
  g_assert_no_error (error);
  reads (laptop, "lobby", "bob", "while the laptop sleeps");
  reads (laptop, "lobby", "alice", "the desktop too");

  /* A third computer, linked from the laptop. */
  phone = link_device (fixture, laptop, "alice-phone", "alice");
  say (bob, "lobby", "three of you now");
  reads (phone, "lobby", "bob", "three of you now");
  reads (laptop, "lobby", "bob", "three of you now");
  reads (desktop, "lobby", "bob", "three of you now");
  say (phone, "lobby", "from the phone");
  reads (bob, "lobby", "alice", "from the phone");
  reads (desktop, "lobby", "alice", "from the phone");
  reads (laptop, "lobby", "alice", "from the phone");
  g_assert_cmpuint (changes, ==, 0);
  g_assert_true (sotto_client_is_verified (bob, "alice"));

  /* Bob's list of the room shows one alice, on three computers. */
  {
    GListModel *members = sotto_room_get_members (room_of (bob, "lobby"));
    guint alices = 0;

    for (guint i = 0; i < g_list_model_get_n_items (members); i++)
      {
        g_autoptr(SottoMember) member = g_list_model_get_item (members, i);

        if (g_str_equal (sotto_member_get_user (member), "alice"))
          alices++;
      }
    g_assert_cmpuint (alices, ==, 1);
    g_assert_cmpuint (sotto_member_get_devices (sotto_room_lookup_member (room_of (bob, "lobby"),
                                                                          "alice")), ==, 3);
  }
}

/* The account's devices sign what they say with the account's identity,
 * which the room's member entries show; each device keeps its own keys. */
static void
test_devices_identities (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(SottoClient) desktop = sotto_test_user_new (fixture->dir, fixture->address, "alice",
                                                        PASSWORD);
  g_autoptr(SottoClient) bob = sotto_test_user_new (fixture->dir, fixture->address, "bob",
                                                    PASSWORD);
  g_autoptr(SottoClient) laptop = NULL;
  const SottoPublicIdentity *shown;

  sotto_test_user_join (desktop, "lobby");
  sotto_test_user_join (bob, "lobby");
  while (sotto_room_lookup_member (room_of (bob, "lobby"), "alice") == NULL)
    g_main_context_iteration (NULL, TRUE);
  laptop = link_device (fixture, desktop, "alice-laptop", "alice");

  while (sotto_room_lookup_member (room_of (laptop, "lobby"), "alice") == NULL)
    g_main_context_iteration (NULL, TRUE);
  shown = sotto_member_get_identity (sotto_room_lookup_member (room_of (bob, "lobby"), "alice"));
  g_assert_false (sotto_public_identity_equal (shown,
                                               sotto_client_get_device_identity (desktop)));
  g_assert_false (sotto_public_identity_equal (shown,
                                               sotto_client_get_device_identity (laptop)));
  g_assert_false (sotto_public_identity_equal (sotto_client_get_device_identity (desktop),
                                               sotto_client_get_device_identity (laptop)));
  g_assert_true (sotto_public_identity_equal (
                   shown,
                   sotto_member_get_identity (sotto_room_lookup_member (room_of (laptop, "lobby"),
                                                                        "alice"))));
}

/* The key id of the envelope the server stored last in @room. */
static guint32
latest_key_id (Fixture    *fixture,
               const char *room)
{
  g_autofree char *path = g_build_filename (sotto_test_server_get_data_dir (fixture->server),
                                            "sotto.db", NULL);
  g_autoptr(SottoMsg) msg = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GBytes) envelope = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  guint32 key_id = 0;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "SELECT body FROM room_log JOIN rooms"
                                       " ON rooms.id = room_log.room_id"
                                       " WHERE rooms.name = ?1 AND msg_id IS NOT NULL"
                                       " ORDER BY seq DESC LIMIT 1",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, room, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  body = g_bytes_new (sqlite3_column_blob (stmt, 0), sqlite3_column_bytes (stmt, 0));
  sqlite3_finalize (stmt);
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);

  msg = sotto_msg_parse_bytes (body, SOTTO_MSG_FROM_SERVER, &error);
  g_assert_no_error (error);
  envelope = sotto_msg_dup_bytes (msg, "envelope");
  g_assert_true (sotto_envelope_peek (envelope, &key_id, NULL, NULL));
  return key_id;
}

static void
removed_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (sotto_client_remove_device_finish (SOTTO_CLIENT (object), result, &error));
  g_assert_no_error (error);
  *done = TRUE;
}

/* Bob took alice's list with her laptop on it, and restarts: the list he
 * kept tells him, when she removes the laptop, that a device is gone, and
 * he makes a new key; a laptop it never named would tell him nothing. */
static void
test_devices_removal_after_restart (Fixture       *fixture,
                                    gconstpointer  data)
{
  g_autoptr(SottoClient) desktop = sotto_test_user_new (fixture->dir, fixture->address, "alice",
                                                        PASSWORD);
  g_autoptr(SottoClient) bob = sotto_test_user_new (fixture->dir, fixture->address, "bob",
                                                    PASSWORD);
  g_autoptr(SottoClient) laptop = NULL;
  g_autoptr(GError) error = NULL;
  SottoPublicIdentity laptop_identity;
  gboolean removed = FALSE;
  guint32 before, after;

  sotto_test_user_join (desktop, "lobby");
  sotto_test_user_join (bob, "lobby");
  while (sotto_room_lookup_member (room_of (bob, "lobby"), "alice") == NULL)
    g_main_context_iteration (NULL, TRUE);
  laptop = link_device (fixture, desktop, "alice-laptop", "alice");
  laptop_identity = *sotto_client_get_device_identity (laptop);
  say (bob, "lobby", "hello laptop");
  reads (laptop, "lobby", "bob", "hello laptop");
  before = latest_key_id (fixture, "lobby");

  sotto_client_close (bob);
  g_clear_object (&bob);
  bob = sotto_test_user_open (fixture->dir, fixture->address, "bob");
  sotto_test_user_account (bob, FALSE, "bob", PASSWORD, &error);
  g_assert_no_error (error);
  while (sotto_room_lookup_member (room_of (bob, "lobby"), "alice") == NULL)
    g_main_context_iteration (NULL, TRUE);

  sotto_client_remove_device_async (desktop, laptop_identity.sign_pk, NULL, removed_cb, &removed);
  sotto_test_wait_for (&removed);
  say (desktop, "lobby", "the laptop is gone");
  reads (bob, "lobby", "alice", "the laptop is gone");
  sotto_test_iterate (300);
  while (sotto_client_is_handing_over_keys (bob))
    g_main_context_iteration (NULL, TRUE);

  say (bob, "lobby", "so I hear");
  reads (desktop, "lobby", "bob", "so I hear");
  after = latest_key_id (fixture, "lobby");
  g_assert_cmpuint (after, !=, before);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (sodium_init (), >=, 0);

#define ADD(path, func) \
  g_test_add ("/sotto/client/devices/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("read-everywhere", test_devices_read_everywhere);
  ADD ("identities", test_devices_identities);
  ADD ("removal-after-restart", test_devices_removal_after_restart);
#undef ADD

  return g_test_run ();
}
