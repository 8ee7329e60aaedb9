/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sodium.h>
#include <string.h>

#include "sotto-client.h"
#include "sotto-client-store.h"
#include "sotto-e2e.h"
#include "sotto-test-server.h"
#include "sotto-test-users.h"
#include "sotto-test-util.h"

/*
 * File messages with the client core and the real server over loopback:
 * what a message says of a file reaches the room's members whole, shows
 * as the file's name, stays so in the store across a restart, goes out
 * from the outbox like text, and the server holds none of it readable.
 */

#define PASSWORD "correct horse battery"
#define NAME "Sommerfest am See.jpg"

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

static void
sample (SottoFileMessage *file)
{
  static const guint8 thumbnail[] = { 0xff, 0xd8, 0xff, 0xe0, 'j', 'f', 'i', 'f', 0, 1, 2, 3 };

  memset (file, 0, sizeof *file);
  randombytes_buf (file->id, sizeof file->id);
  randombytes_buf (file->key, sizeof file->key);
  randombytes_buf (file->hash, sizeof file->hash);
  file->size = 2345678;
  file->name = g_strdup (NAME);
  file->type = g_strdup ("image/jpeg");
  file->width = 1600;
  file->height = 1200;
  file->thumbnail = g_bytes_new_static (thumbnail, sizeof thumbnail);
}

static void
assert_same_file (const SottoFileMessage *got,
                  const SottoFileMessage *want)
{
  g_assert_nonnull (got);
  g_assert_cmpmem (got->id, sizeof got->id, want->id, sizeof want->id);
  g_assert_cmpmem (got->key, sizeof got->key, want->key, sizeof want->key);
  g_assert_cmpmem (got->hash, sizeof got->hash, want->hash, sizeof want->hash);
  g_assert_cmpuint (got->size, ==, want->size);
  g_assert_cmpstr (got->name, ==, want->name);
  g_assert_cmpstr (got->type, ==, want->type);
  g_assert_cmpuint (got->width, ==, want->width);
  g_assert_cmpuint (got->height, ==, want->height);
  g_assert_true (g_bytes_equal (got->thumbnail, want->thumbnail));
}

/* The file message in @room from @sender, once it is there. */
static SottoMessage *
wait_file (SottoRoom  *room,
           const char *sender)
{
  SottoMessage *message = sotto_test_user_wait_for_text (room, sender, NAME);

  g_assert_nonnull (message);
  return message;
}

static void
test_send_receive (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(SottoClient) alice = sotto_test_user_new (fixture->dir, fixture->address, "alice",
                                                      PASSWORD);
  g_autoptr(SottoClient) bob = sotto_test_user_new (fixture->dir, fixture->address, "bob",
                                                    PASSWORD);
  g_auto(SottoFileMessage) file = { { 0 } };
  g_autoptr(GError) error = NULL;
  SottoRoom *alice_room = sotto_test_user_join (alice, "team");
  SottoRoom *bob_room = sotto_test_user_join (bob, "team");
  SottoMessage *sent;
  SottoMessage *got;

  sotto_test_user_wait_members (alice_room, 2);
  sotto_test_user_wait_members (bob_room, 2);
  sample (&file);

  sent = sotto_client_send_file_message (alice, alice_room, &file, &error);
  g_assert_no_error (error);
  g_assert_nonnull (sent);
  g_assert_cmpstr (sotto_message_get_text (sent), ==, NAME);
  assert_same_file (sotto_message_get_file (sent), &file);
  sotto_test_user_wait_sent (sent);

  got = wait_file (bob_room, "alice");
  g_assert_cmpint (sotto_message_get_state (got), ==, SOTTO_MESSAGE_RECEIVED);
  assert_same_file (sotto_message_get_file (got), &file);

  /* Text goes on as text around it. */
  sotto_test_user_say (bob, bob_room, "nice picture");
  g_assert_null (sotto_message_get_file (sotto_test_user_wait_for_text (alice_room, "bob",
                                                                        "nice picture")));

  /* After a restart, from the store. */
  sotto_client_close (bob);
  g_clear_object (&bob);
  bob = sotto_test_user_open (fixture->dir, fixture->address, "bob");
  sotto_test_user_account (bob, FALSE, "bob", PASSWORD, &error);
  g_assert_no_error (error);
  bob_room = sotto_client_lookup_room (bob, "team");
  g_assert_nonnull (bob_room);
  got = wait_file (bob_room, "alice");
  assert_same_file (sotto_message_get_file (got), &file);

  /* The server sees neither the name nor the key. */
  g_assert_false (sotto_test_tree_contains (sotto_test_server_get_data_dir (fixture->server),
                                            (const guint8 *) "Sommerfest", 10));
  g_assert_false (sotto_test_tree_contains (sotto_test_server_get_data_dir (fixture->server),
                                            file.key, sizeof file.key));
  sotto_client_close (alice);
  sotto_client_close (bob);
}

/* Sent while the connection is down, it waits in the outbox, survives a
 * restart there, and goes out as a file message once back. */
static void
test_outbox (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(SottoClient) alice = sotto_test_user_new (fixture->dir, fixture->address, "alice",
                                                      PASSWORD);
  g_autoptr(SottoClient) bob = sotto_test_user_new (fixture->dir, fixture->address, "bob",
                                                    PASSWORD);
  g_auto(SottoFileMessage) file = { { 0 } };
  g_autoptr(GError) error = NULL;
  SottoRoom *alice_room = sotto_test_user_join (alice, "team");
  SottoRoom *bob_room = sotto_test_user_join (bob, "team");
  SottoMessage *sent;

  sotto_test_user_wait_members (alice_room, 2);
  sotto_test_user_wait_members (bob_room, 2);
  sample (&file);

  sotto_test_server_stop (fixture->server);
  sotto_test_user_wait_state (alice, SOTTO_CLIENT_RECONNECTING);
  sent = sotto_client_send_file_message (alice, alice_room, &file, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sotto_message_get_state (sent), ==, SOTTO_MESSAGE_SENDING);
  sotto_client_close (alice);
  g_clear_object (&alice);
  sotto_client_close (bob);
  g_clear_object (&bob);

  sotto_test_server_restart (fixture->server);
  bob = sotto_test_user_open (fixture->dir, fixture->address, "bob");
  sotto_test_user_account (bob, FALSE, "bob", PASSWORD, &error);
  g_assert_no_error (error);
  alice = sotto_test_user_open (fixture->dir, fixture->address, "alice");
  sotto_test_user_account (alice, FALSE, "alice", PASSWORD, &error);
  g_assert_no_error (error);

  bob_room = sotto_client_lookup_room (bob, "team");
  g_assert_nonnull (bob_room);
  assert_same_file (sotto_message_get_file (wait_file (bob_room, "alice")), &file);
  sotto_test_iterate (200);
  g_assert_cmpuint (sotto_test_room_count_text (bob_room, "alice", NAME), ==, 1);
  sotto_client_close (alice);
  sotto_client_close (bob);
}

/* A message that names a file badly (a name with a control character,
 * sealed by a member) reads as a message that does not open, never as
 * text. */
static void
test_refused (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(SottoClient) alice = sotto_test_user_new (fixture->dir, fixture->address, "alice",
                                                      PASSWORD);
  g_auto(SottoFileMessage) file = { { 0 } };
  g_autoptr(GError) error = NULL;
  SottoRoom *room = sotto_test_user_join (alice, "team");

  sample (&file);
  g_free (file.name);
  file.name = g_strdup ("bad\nname");
  g_assert_null (sotto_client_send_file_message (alice, room, &file, &error));
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT);
  g_assert_cmpuint (sotto_test_room_count_text (room, "alice", "bad\nname"), ==, 0);
  sotto_client_close (alice);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (sodium_init (), >=, 0);

#define ADD(path, func) \
  g_test_add ("/sotto/client/files/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("send-receive", test_send_receive);
  ADD ("outbox", test_outbox);
  ADD ("refused", test_refused);
#undef ADD

  return g_test_run ();
}
