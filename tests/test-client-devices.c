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

typedef struct
{
  gboolean    done;
  GListModel *devices;
  GError     *error;
} Listing;

static void
listed_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Listing *listing = user_data;

  listing->devices = sotto_client_list_devices_finish (SOTTO_CLIENT (object), result,
                                                       &listing->error);
  listing->done = TRUE;
}

/* @client's devices as it lists them. */
static GListModel *
list_devices (SottoClient *client)
{
  Listing listing = { FALSE };

  sotto_client_list_devices_async (client, NULL, listed_cb, &listing);
  sotto_test_wait_for (&listing.done);
  g_assert_no_error (listing.error);
  g_assert_nonnull (listing.devices);
  return listing.devices;
}

/* The one of @devices whose signing key is @identity's. */
static SottoDeviceInfo *
find_info (GListModel                *devices,
           const SottoPublicIdentity *identity)
{
  for (guint i = 0; i < g_list_model_get_n_items (devices); i++)
    {
      g_autoptr(SottoDeviceInfo) info = g_list_model_get_item (devices, i);

      if (memcmp (sotto_device_info_get_sign_key (info), identity->sign_pk, 32) == 0)
        return info;
    }
  return NULL;
}

typedef struct
{
  gboolean  done;
  gboolean  ok;
  GError   *error;
} Outcome;

static void
renamed_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Outcome *outcome = user_data;

  outcome->ok = sotto_client_rename_device_finish (SOTTO_CLIENT (object), result,
                                                   &outcome->error);
  outcome->done = TRUE;
}

static gboolean
rename_device (SottoClient               *client,
               const SottoPublicIdentity *device,
               const char                *name,
               GError                   **error)
{
  Outcome outcome = { FALSE };

  sotto_client_rename_device_async (client, device->sign_pk, name, NULL, renamed_cb, &outcome);
  sotto_test_wait_for (&outcome.done);
  if (outcome.error != NULL)
    g_propagate_error (error, outcome.error);
  return outcome.ok;
}

static void
outcome_removed_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Outcome *outcome = user_data;

  outcome->ok = sotto_client_remove_device_finish (SOTTO_CLIENT (object), result,
                                                   &outcome->error);
  outcome->done = TRUE;
}

static void
count_cb (SottoClient *client,
          gpointer     user_data)
{
  (*(guint *) user_data)++;
}

/* Whether the device list @client holds names the device with @identity
 * @name. */
static gboolean
holds_name (SottoClient               *client,
            const SottoPublicIdentity *identity,
            const char                *name)
{
  g_autoptr(SottoDeviceList) list = sotto_client_dup_device_list (client);
  const SottoDevice *device = sotto_device_list_lookup (list, identity);

  return device != NULL && g_strcmp0 (device->name, name) == 0;
}

/* The device with @identity is listed by @client as @name. */
static void
assert_listed_name (SottoClient               *client,
                    const SottoPublicIdentity *identity,
                    const char                *name)
{
  g_autoptr(GListModel) devices = list_devices (client);
  SottoDeviceInfo *info = find_info (devices, identity);

  g_assert_nonnull (info);
  g_assert_cmpstr (sotto_device_info_get_name (info), ==, name);
}

/* Alice lists her devices on each of her computers: this one first and
 * marked, the other after it, with their names and when they were added,
 * both online; the laptop away, it is last seen when it went. */
static void
test_devices_list (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(SottoClient) desktop = sotto_test_user_new (fixture->dir, fixture->address, "alice",
                                                        PASSWORD);
  g_autoptr(SottoClient) laptop = NULL;
  g_autoptr(GListModel) devices = NULL;
  g_autoptr(SottoDeviceList) list = NULL;
  SottoPublicIdentity desktop_identity = *sotto_client_get_device_identity (desktop);
  SottoPublicIdentity laptop_identity;
  SottoDeviceInfo *info;
  gint64 before = g_get_real_time () / 1000;
  gint64 went;

  devices = list_devices (desktop);
  g_assert_cmpuint (g_list_model_get_n_items (devices), ==, 1);
  g_clear_object (&devices);

  laptop = link_device (fixture, desktop, "alice-laptop", "alice");
  laptop_identity = *sotto_client_get_device_identity (laptop);

  devices = list_devices (desktop);
  g_assert_cmpuint (g_list_model_get_n_items (devices), ==, 2);
  g_assert_true (g_list_model_get_item_type (devices) == SOTTO_TYPE_DEVICE_INFO);
  info = g_list_model_get_item (devices, 0);
  g_object_unref (info);
  g_assert_true (info == find_info (devices, &desktop_identity));
  g_assert_true (sotto_device_info_get_this_device (info));
  g_assert_true (sotto_device_info_get_online (info));
  g_assert_cmpint (sotto_device_info_get_added (info), <=, before);
  g_assert_cmpint (sotto_device_info_get_last_seen (info), >, 0);
  g_assert_cmpuint (strlen (sotto_device_info_get_id (info)), ==, 64);
  {
    g_autofree char *short_id = sotto_device_info_dup_short_id (info);
    g_autofree char *hex = g_strdup_printf ("%02x%02x%02x%02x", desktop_identity.sign_pk[0],
                                            desktop_identity.sign_pk[1],
                                            desktop_identity.sign_pk[2],
                                            desktop_identity.sign_pk[3]);

    g_assert_cmpstr (short_id, ==, hex);
    g_assert_true (g_str_has_prefix (sotto_device_info_get_id (info), hex));
  }

  info = find_info (devices, &laptop_identity);
  g_assert_nonnull (info);
  g_assert_false (sotto_device_info_get_this_device (info));
  g_assert_true (sotto_device_info_get_online (info));
  g_assert_cmpint (sotto_device_info_get_added (info), >=, before);
  g_assert_cmpint (sotto_device_info_get_last_seen (info), >=, before);

  /* The names are the signed list's. */
  list = sotto_client_dup_device_list (desktop);
  g_assert_cmpstr (sotto_device_info_get_name (info), ==,
                   sotto_device_list_lookup (list, &laptop_identity)->name);
  g_clear_object (&devices);

  /* The laptop sees the same two, itself first. */
  devices = list_devices (laptop);
  g_assert_cmpuint (g_list_model_get_n_items (devices), ==, 2);
  info = g_list_model_get_item (devices, 0);
  g_object_unref (info);
  g_assert_true (info == find_info (devices, &laptop_identity));
  g_assert_true (sotto_device_info_get_this_device (info));
  g_assert_false (sotto_device_info_get_this_device (find_info (devices, &desktop_identity)));
  g_clear_object (&devices);

  /* The laptop goes away. */
  sotto_client_close (laptop);
  g_clear_object (&laptop);
  for (;;)
    {
      devices = list_devices (desktop);
      info = find_info (devices, &laptop_identity);
      if (!sotto_device_info_get_online (info))
        break;
      g_clear_object (&devices);
      sotto_test_iterate (20);
    }
  went = sotto_device_info_get_last_seen (info);
  g_assert_cmpint (went, >=, before);
  g_assert_cmpint (went, <=, g_get_real_time () / 1000);
  g_assert_cmpint (g_list_model_get_n_items (devices), ==, 2);
}

/* Either computer renames either one, itself too: the other hears of it
 * and lists the new name. The same name again publishes nothing; a bad
 * name, or a device the account lacks, changes nothing. */
static void
test_devices_rename (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(SottoClient) desktop = sotto_test_user_new (fixture->dir, fixture->address, "alice",
                                                        PASSWORD);
  g_autoptr(SottoClient) laptop = NULL;
  g_autoptr(SottoDeviceList) before = NULL;
  g_autoptr(SottoDeviceList) after = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *too_long = g_strnfill (SOTTO_DEVICE_NAME_MAX_BYTES + 1, 'x');
  SottoPublicIdentity desktop_identity = *sotto_client_get_device_identity (desktop);
  SottoPublicIdentity laptop_identity;
  SottoPublicIdentity nobody;
  guint desktop_changes = 0;
  guint laptop_changes = 0;
  gint64 added;

  laptop = link_device (fixture, desktop, "alice-laptop", "alice");
  laptop_identity = *sotto_client_get_device_identity (laptop);
  g_signal_connect (desktop, "devices-changed", G_CALLBACK (count_cb), &desktop_changes);
  g_signal_connect (laptop, "devices-changed", G_CALLBACK (count_cb), &laptop_changes);
  before = sotto_client_dup_device_list (desktop);
  added = sotto_device_list_lookup (before, &laptop_identity)->added;

  g_assert_true (rename_device (desktop, &laptop_identity, "  Laptop ", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (desktop_changes, ==, 1);
  after = sotto_client_dup_device_list (desktop);
  g_assert_cmpuint (sotto_device_list_get_counter (after), ==,
                    sotto_device_list_get_counter (before) + 1);
  g_assert_cmpstr (sotto_device_list_lookup (after, &laptop_identity)->name, ==, "Laptop");
  g_assert_cmpint (sotto_device_list_lookup (after, &laptop_identity)->added, ==, added);
  assert_listed_name (desktop, &laptop_identity, "Laptop");

  /* The laptop is told, and takes the signed list. */
  while (laptop_changes == 0)
    g_main_context_iteration (NULL, TRUE);
  assert_listed_name (laptop, &laptop_identity, "Laptop");

  /* The laptop names the desktop, and itself. */
  g_assert_true (rename_device (laptop, &desktop_identity, "Desktop", &error));
  g_assert_true (rename_device (laptop, &laptop_identity, "Café laptop", &error));
  g_assert_no_error (error);
  while (!holds_name (desktop, &laptop_identity, "Café laptop"))
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (desktop_changes, >=, 2);
  assert_listed_name (desktop, &desktop_identity, "Desktop");
  assert_listed_name (desktop, &laptop_identity, "Café laptop");

  /* The same name: nothing to publish. */
  g_clear_pointer (&before, sotto_device_list_free);
  before = sotto_client_dup_device_list (desktop);
  g_assert_true (rename_device (desktop, &desktop_identity, "Desktop", &error));
  g_assert_no_error (error);
  g_clear_pointer (&after, sotto_device_list_free);
  after = sotto_client_dup_device_list (desktop);
  g_assert_cmpuint (sotto_device_list_get_counter (after), ==,
                    sotto_device_list_get_counter (before));

  /* Refused: no name, one too long, a device that is not the account's. */
  g_assert_false (rename_device (desktop, &laptop_identity, "   ", &error));
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT);
  g_clear_error (&error);
  g_assert_false (rename_device (desktop, &laptop_identity, too_long, &error));
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT);
  g_clear_error (&error);
  nobody = laptop_identity;
  nobody.sign_pk[0] ^= 1;
  g_assert_false (rename_device (desktop, &nobody, "Phone", &error));
  g_assert_true (sotto_client_error_is_server (error, SOTTO_MSG_ERROR_CODE_NO_SUCH_DEVICE));
  g_clear_error (&error);
  g_clear_pointer (&after, sotto_device_list_free);
  after = sotto_client_dup_device_list (desktop);
  g_assert_cmpuint (sotto_device_list_get_counter (after), ==,
                    sotto_device_list_get_counter (before));
  assert_listed_name (desktop, &laptop_identity, "Café laptop");
}

static void
connection_lost_cb (SottoClient  *client,
                    const GError *error,
                    gpointer      user_data)
{
  GError **lost = user_data;

  g_clear_error (lost);
  *lost = g_error_copy (error);
}

/* The desktop removes the laptop, which is online: it is no longer
 * listed, and the laptop is signed out for good: its login is refused as
 * that of a computer not linked. This computer cannot remove itself. */
static void
test_devices_remove_online (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(SottoClient) desktop = sotto_test_user_new (fixture->dir, fixture->address, "alice",
                                                        PASSWORD);
  g_autoptr(SottoClient) laptop = NULL;
  g_autoptr(GListModel) devices = NULL;
  g_autoptr(GError) lost = NULL;
  SottoPublicIdentity desktop_identity = *sotto_client_get_device_identity (desktop);
  SottoPublicIdentity laptop_identity;
  Outcome outcome = { FALSE };
  guint changes = 0;

  laptop = link_device (fixture, desktop, "alice-laptop", "alice");
  laptop_identity = *sotto_client_get_device_identity (laptop);
  g_signal_connect (laptop, "connection-lost", G_CALLBACK (connection_lost_cb), &lost);
  g_signal_connect (desktop, "devices-changed", G_CALLBACK (count_cb), &changes);

  sotto_client_remove_device_async (desktop, desktop_identity.sign_pk, NULL, outcome_removed_cb,
                                    &outcome);
  sotto_test_wait_for (&outcome.done);
  g_assert_false (outcome.ok);
  g_assert_nonnull (strstr (outcome.error->message, "cannot remove itself"));
  g_clear_error (&outcome.error);
  g_assert_cmpuint (changes, ==, 0);

  outcome.done = FALSE;
  sotto_client_remove_device_async (desktop, laptop_identity.sign_pk, NULL, outcome_removed_cb,
                                    &outcome);
  sotto_test_wait_for (&outcome.done);
  g_assert_no_error (outcome.error);
  g_assert_true (outcome.ok);
  g_assert_cmpuint (changes, ==, 1);

  devices = list_devices (desktop);
  g_assert_cmpuint (g_list_model_get_n_items (devices), ==, 1);
  g_assert_null (find_info (devices, &laptop_identity));

  while (lost == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (sotto_client_error_is_server (lost, SOTTO_MSG_ERROR_CODE_NOT_LINKED));
  g_assert_cmpint (sotto_client_get_state (laptop), ==, SOTTO_CLIENT_DISCONNECTED);
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
  ADD ("list", test_devices_list);
  ADD ("rename", test_devices_rename);
  ADD ("remove-online", test_devices_remove_online);
#undef ADD

  return g_test_run ();
}
