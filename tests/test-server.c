/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sotto-e2e.h"
#include "sotto-test-server-fixture.h"
#include "sotto-test-util.h"

/*
 * The server as a client sees it: the real binary on 127.0.0.1, real
 * sockets, a real database in a temporary directory. Here accounts,
 * logins and sessions, what survives a restart and what reaches the disk
 * and the log; rooms, moderation and the state chain have suites of their
 * own (test-server-rooms.c, test-server-moderation.c, test-server-state.c).
 */

static void
test_register_and_login (SottoServerFixture *fixture,
                         gconstpointer       data)
{
  g_autoptr(SottoTestClient) alice = sotto_test_client_connect (fixture->server);
  g_autoptr(SottoTestClient) again = NULL;
  g_autoptr(SottoMsg) session = sotto_test_client_register (alice, "Alice", SOTTO_TEST_PASSWORD);
  g_autoptr(SottoMsg) login = NULL;
  SottoWireRoomSummary summary;

  /* Names are folded to lower case; every new account is in "general". */
  g_assert_cmpint (sotto_msg_get_msg_type (session), ==, SOTTO_MSG_TYPE_SESSION);
  g_assert_cmpstr (sotto_msg_get_string (session, "user"), ==, "alice");
  g_assert_cmpuint (json_array_get_length (sotto_msg_get_array (session, "rooms")), ==, 1);
  g_assert_true (sotto_msg_get_room_summary (session, 0, &summary));
  g_assert_cmpstr (summary.room, ==, "general");

  again = sotto_test_client_connect (fixture->server);
  login = sotto_test_client_login (again, "ALICE", SOTTO_TEST_PASSWORD);
  g_assert_cmpint (sotto_msg_get_msg_type (login), ==, SOTTO_MSG_TYPE_SESSION);
  g_assert_cmpstr (sotto_msg_get_string (login, "user"), ==, "alice");
}

static void
test_account_errors (SottoServerFixture *fixture,
                     gconstpointer       data)
{
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "alice");
  g_autoptr(SottoTestClient) client = sotto_test_client_connect (fixture->server);
  g_autoptr(SottoMsg) taken = sotto_test_client_register (client, "ALICE", SOTTO_TEST_PASSWORD);
  g_autoptr(SottoMsg) weak = sotto_test_client_register (client, "bob", "short");
  g_autoptr(SottoMsg) unknown = sotto_test_client_login (client, "nobody", SOTTO_TEST_PASSWORD);
  g_autoptr(SottoMsg) wrong = sotto_test_client_login (client, "alice", "not the password");
  g_autoptr(SottoMsg) early = sotto_test_client_request (client, sotto_msg_build_join, "lobby");
  g_autoptr(SottoMsg) twice = NULL;

  g_assert_cmpint (sotto_msg_get_error_code (taken), ==, SOTTO_MSG_ERROR_CODE_NAME_TAKEN);
  g_assert_cmpint (sotto_msg_get_error_code (weak), ==, SOTTO_MSG_ERROR_CODE_WEAK_PASSWORD);
  g_assert_cmpint (sotto_msg_get_error_code (unknown), ==, SOTTO_MSG_ERROR_CODE_BAD_CREDENTIALS);
  g_assert_cmpint (sotto_msg_get_error_code (wrong), ==, SOTTO_MSG_ERROR_CODE_BAD_CREDENTIALS);
  g_assert_cmpint (sotto_msg_get_error_code (early), ==, SOTTO_MSG_ERROR_CODE_NOT_LOGGED_IN);

  /* An unknown name and a wrong password read the same. */
  g_assert_cmpstr (sotto_msg_get_string (unknown, "message"), ==,
                   sotto_msg_get_string (wrong, "message"));

  twice = sotto_test_client_login (alice, "alice", SOTTO_TEST_PASSWORD);
  g_assert_cmpint (sotto_msg_get_error_code (twice), ==, SOTTO_MSG_ERROR_CODE_ALREADY_LOGGED_IN);
}

static void
test_bad_username (SottoServerFixture *fixture,
                   gconstpointer       data)
{
  g_autoptr(SottoTestClient) client = sotto_test_client_connect (fixture->server);
  static const char *const names[] = { "", "has space", "émile", "a/b", "thirty-three-characters-long-name" };

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(SottoMsg) reply = sotto_test_client_register (client, names[i], SOTTO_TEST_PASSWORD);
      SottoMsgErrorCode code = sotto_msg_get_error_code (reply);

      g_assert_cmpint (sotto_msg_get_msg_type (reply), ==, SOTTO_MSG_TYPE_ERROR);
      /* Either the parser or the server refuses it, with a sentence. */
      g_assert_true (code == SOTTO_MSG_ERROR_CODE_BAD_USERNAME ||
                     code == SOTTO_MSG_ERROR_CODE_BAD_REQUEST);
      g_assert_cmpstr (sotto_msg_get_string (reply, "message"), !=, "");
    }
}

static void
test_rate_limit (SottoServerFixture *fixture,
                 gconstpointer       data)
{
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "alice");
  g_autoptr(SottoMsg) limited = NULL;
  g_autoptr(SottoMsg) still = NULL;

  /* The owner's session stays up throughout. */
  g_assert_false (sotto_test_client_is_closed (alice));

  /* Five wrong guesses, each over a new connection. */
  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(SottoTestClient) guesser = sotto_test_client_connect (fixture->server);
      g_autoptr(SottoMsg) reply = sotto_test_client_login (guesser, "alice", "guess guess");

      g_assert_cmpint (sotto_msg_get_error_code (reply), ==, SOTTO_MSG_ERROR_CODE_BAD_CREDENTIALS);
    }

  /* Then even the right password waits: the limit holds across
   * reconnects, and says how long. */
  {
    g_autoptr(SottoTestClient) guesser = sotto_test_client_connect (fixture->server);

    limited = sotto_test_client_login (guesser, "alice", SOTTO_TEST_PASSWORD);
    g_assert_cmpint (sotto_msg_get_error_code (limited), ==, SOTTO_MSG_ERROR_CODE_RATE_LIMITED);
    g_assert_nonnull (strstr (sotto_msg_get_string (limited, "message"), "second"));
  }

  /* After the wait the right password works again. */
  sotto_test_iterate (1100);
  {
    g_autoptr(SottoTestClient) owner = sotto_test_client_connect (fixture->server);

    still = sotto_test_client_login (owner, "alice", SOTTO_TEST_PASSWORD);
    g_assert_cmpint (sotto_msg_get_msg_type (still), ==, SOTTO_MSG_TYPE_SESSION);
  }
}

static void
test_presence (SottoServerFixture *fixture,
               gconstpointer       data)
{
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "alice");
  g_autoptr(SottoTestClient) bob = sotto_server_fixture_new_user (fixture, "bob");
  g_autoptr(SottoMsg) online = NULL;
  g_autoptr(SottoMsg) offline = NULL;

  online = sotto_test_client_expect (alice, SOTTO_MSG_TYPE_PRESENCE);
  g_assert_cmpstr (sotto_msg_get_string (online, "user"), ==, "bob");
  g_assert_true (sotto_msg_get_bool (online, "online"));

  g_clear_pointer (&bob, sotto_test_client_free);
  offline = sotto_test_client_expect (alice, SOTTO_MSG_TYPE_PRESENCE);
  g_assert_cmpstr (sotto_msg_get_string (offline, "user"), ==, "bob");
  g_assert_false (sotto_msg_get_bool (offline, "online"));
}

/* Accounts, rooms, memberships and the log survive a restart. */
static void
test_restart (SottoServerFixture *fixture,
              gconstpointer       data)
{
  g_autofree char *dir = sotto_test_make_data_dir ();
  g_autoptr(SottoTestServer) first = sotto_test_server_start (dir, NULL);
  g_autoptr(SottoTestServer) second = NULL;
  g_autoptr(SottoTestClient) alice = NULL;
  g_autoptr(SottoTestClient) bob = NULL;
  g_autofree char *fingerprint = NULL;
  SottoTestCatchUp result = { g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL), 0 };

  alice = sotto_test_client_connect (first);
  bob = sotto_test_client_connect (first);
  {
    g_autoptr(SottoMsg) a = sotto_test_client_register (alice, "alice", SOTTO_TEST_PASSWORD);
    g_autoptr(SottoMsg) b = sotto_test_client_register (bob, "bob", SOTTO_TEST_PASSWORD);

    g_assert_cmpint (sotto_msg_get_msg_type (a), ==, SOTTO_MSG_TYPE_SESSION);
    g_assert_cmpint (sotto_msg_get_msg_type (b), ==, SOTTO_MSG_TYPE_SESSION);
  }
  sotto_msg_unref (sotto_test_client_join (alice, "lobby"));
  sotto_msg_unref (sotto_test_client_join (bob, "lobby"));
  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *msg_id = g_strdup_printf ("kept-%u", i);

      sotto_msg_unref (sotto_test_client_say (alice, "lobby", msg_id, "kept"));
    }
  fingerprint = g_strdup (sotto_test_server_get_fingerprint (first));
  g_clear_pointer (&alice, sotto_test_client_free);
  g_clear_pointer (&bob, sotto_test_client_free);
  sotto_test_server_stop (first);

  second = sotto_test_server_start (dir, NULL);
  g_assert_cmpstr (sotto_test_server_get_fingerprint (second), ==, fingerprint);
  bob = sotto_test_client_connect (second);
  {
    g_autoptr(SottoMsg) session = sotto_test_client_login (bob, "bob", SOTTO_TEST_PASSWORD);

    g_assert_cmpint (sotto_msg_get_msg_type (session), ==, SOTTO_MSG_TYPE_SESSION);
    g_assert_cmpuint (json_array_get_length (sotto_msg_get_array (session, "rooms")), ==, 2);
  }
  sotto_test_client_catch_up (bob, "lobby", 0, 100, &result);
  g_assert_cmpuint (g_hash_table_size (result.seen), ==, 5);
  g_hash_table_unref (result.seen);

  /* Numbering goes on where it stopped. */
  {
    g_autoptr(SottoMsg) sent = sotto_test_client_say (bob, "lobby", "after", "restart");

    g_assert_cmpint (sotto_msg_get_int (sent, "seq"), ==, result.last + 1);
  }

  sotto_test_server_stop (second);
  sotto_test_remove_dir (dir);
}

/* A real end-to-end envelope goes through the server; the marker in its
 * plaintext is in no file the server wrote, while the ciphertext is. */
static void
test_no_plaintext_on_disk (SottoServerFixture *fixture,
                           gconstpointer       data)
{
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "alice");
  g_autoptr(SottoTestClient) bob = sotto_server_fixture_new_user (fixture, "bob");
  g_autoptr(SottoIdentity) identity = sotto_identity_new ();
  g_autoptr(SottoSenderKey) key = sotto_sender_key_new ();
  g_autofree char *marker = NULL;
  g_autoptr(GBytes) plaintext = NULL;
  g_autoptr(GBytes) envelope = NULL;
  g_autoptr(SottoMsg) delivered = NULL;
  g_autoptr(GError) error = NULL;
  const char *dir = sotto_test_server_get_data_dir (fixture->server);
  g_autoptr(GDir) listing = NULL;
  const char *name;
  guint files = 0;
  gboolean ciphertext_stored = FALSE;
  guint8 random[16];

  randombytes_buf (random, sizeof random);
  marker = g_strdup_printf ("MARKER-%08x%08x", *(guint32 *) random, *(guint32 *) (random + 4));
  plaintext = g_bytes_new (marker, strlen (marker));
  envelope = sotto_envelope_seal (key, identity, "general", "alice", plaintext, &error);
  g_assert_no_error (error);

  sotto_test_client_send_take (alice, sotto_msg_build_send ("s", "general", "secret", envelope));
  sotto_test_client_expect_ok (alice, "s");
  delivered = sotto_test_client_expect (bob, SOTTO_MSG_TYPE_MESSAGE);

  /* Stop the server so everything it holds is on disk. */
  g_clear_pointer (&alice, sotto_test_client_free);
  g_clear_pointer (&bob, sotto_test_client_free);
  sotto_test_server_stop (fixture->server);

  listing = g_dir_open (dir, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      files++;
      g_assert_false (sotto_test_file_contains (path, (const guint8 *) marker, strlen (marker)));
      if (sotto_test_file_contains (path, (const guint8 *) g_bytes_get_data (envelope, NULL) + 48, 16))
        ciphertext_stored = TRUE;
    }

  g_assert_cmpuint (files, >=, 2);
  /* The envelope is stored as base64 inside the event: look for that. */
  if (!ciphertext_stored)
    {
      g_autofree char *encoded = g_base64_encode (g_bytes_get_data (envelope, NULL), 48);
      g_autoptr(GDir) again = g_dir_open (dir, 0, NULL);

      while ((name = g_dir_read_name (again)) != NULL)
        {
          g_autofree char *path = g_build_filename (dir, name, NULL);

          if (sotto_test_file_contains (path, (const guint8 *) encoded, 40))
            ciphertext_stored = TRUE;
        }
    }
  g_assert_true (ciphertext_stored);
}

static void
test_key_change (SottoServerFixture *fixture,
                 gconstpointer       data)
{
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "alice");
  g_autoptr(SottoTestClient) bob = sotto_server_fixture_new_user (fixture, "bob");
  g_autoptr(SottoTestClient) new_device = sotto_test_client_connect (fixture->server);
  g_autoptr(SottoMsg) session = NULL;
  g_autoptr(SottoMsg) changed = NULL;
  SottoWireIdentity identity, announced;

  g_assert_nonnull (bob);
  /* Bob logs in from a new device with new identity keys. */
  randombytes_buf (&identity, sizeof identity);
  sotto_test_client_set_identity (new_device, &identity);
  session = sotto_test_client_login (new_device, "bob", SOTTO_TEST_PASSWORD);
  g_assert_cmpint (sotto_msg_get_msg_type (session), ==, SOTTO_MSG_TYPE_SESSION);

  changed = sotto_test_client_expect (alice, SOTTO_MSG_TYPE_KEY_CHANGED);
  g_assert_cmpstr (sotto_msg_get_string (changed, "user"), ==, "bob");
  g_assert_cmpstr (sotto_msg_get_string (changed, "room"), ==, "general");
  g_assert_true (sotto_msg_get_identity (changed, &announced));
  g_assert_cmpmem (&announced, sizeof announced, &identity, sizeof identity);
}

static void
test_shutdown_tells_clients (SottoServerFixture *fixture,
                             gconstpointer       data)
{
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "alice");
  g_autoptr(SottoMsg) notice = NULL;

  sotto_test_server_stop (fixture->server);
  notice = sotto_test_client_expect (alice, SOTTO_MSG_TYPE_NOTICE);
  sotto_test_client_wait_closed (alice);
  /* A goodbye, not a cut. */
  g_assert_null (sotto_test_client_get_close_error (alice));
}

/* The log says who did what, never what was said nor any password. */
static void
test_logs_without_content (SottoServerFixture *fixture,
                           gconstpointer       data)
{
  static const char *const args[] = { "--verbose", NULL };
  g_autofree char *dir = sotto_test_make_data_dir ();
  g_autofree char *log_path = g_build_filename (dir, "server.log", NULL);
  g_autofree char *data_dir = g_build_filename (dir, "data", NULL);
  g_autoptr(SottoTestServer) server = sotto_test_server_start_full (data_dir, args, log_path);
  g_autoptr(SottoTestClient) alice = sotto_test_client_connect (server);
  g_autoptr(SottoTestClient) bob = sotto_test_client_connect (server);
  g_autoptr(SottoMsg) a = sotto_test_client_register (alice, "alice", "password-marker-5123");
  g_autoptr(SottoMsg) b = sotto_test_client_register (bob, "bob", SOTTO_TEST_PASSWORD);
  g_autoptr(SottoTestClient) guesser = sotto_test_client_connect (server);
  g_autoptr(SottoMsg) wrong = sotto_test_client_login (guesser, "bob", "wrong-marker-7781");
  g_autoptr(GBytes) envelope = sotto_test_envelope_of ("envelope-marker-9090");
  g_autofree char *encoded = g_base64_encode (g_bytes_get_data (envelope, NULL),
                                              g_bytes_get_size (envelope));
  g_autofree char *log = NULL;

  sotto_test_client_send_take (alice, sotto_msg_build_send ("s", "general", "m", envelope));
  sotto_test_client_expect_ok (alice, "s");
  sotto_msg_unref (sotto_test_client_expect (bob, SOTTO_MSG_TYPE_MESSAGE));
  g_clear_pointer (&alice, sotto_test_client_free);
  g_clear_pointer (&bob, sotto_test_client_free);
  g_clear_pointer (&guesser, sotto_test_client_free);
  g_assert_cmpint (sotto_msg_get_error_code (wrong), ==, SOTTO_MSG_ERROR_CODE_BAD_CREDENTIALS);
  g_assert_cmpint (sotto_msg_get_msg_type (a), ==, SOTTO_MSG_TYPE_SESSION);
  g_assert_cmpint (sotto_msg_get_msg_type (b), ==, SOTTO_MSG_TYPE_SESSION);
  sotto_test_server_stop (server);

  g_assert_true (g_file_get_contents (log_path, &log, NULL, NULL));
  g_assert_nonnull (strstr (log, "Account alice registered"));
  g_assert_nonnull (strstr (log, "Failed login for bob"));
  g_assert_null (strstr (log, "password-marker"));
  g_assert_null (strstr (log, "wrong-marker"));
  g_assert_null (strstr (log, "envelope-marker"));
  g_assert_null (strstr (log, encoded));

  g_clear_pointer (&server, sotto_test_server_free);
  sotto_test_remove_dir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (sodium_init (), >=, 0);

  SOTTO_SERVER_FIXTURE_ADD ("register-and-login", test_register_and_login);
  SOTTO_SERVER_FIXTURE_ADD ("account-errors", test_account_errors);
  SOTTO_SERVER_FIXTURE_ADD ("bad-username", test_bad_username);
  SOTTO_SERVER_FIXTURE_ADD ("rate-limit", test_rate_limit);
  SOTTO_SERVER_FIXTURE_ADD ("presence", test_presence);
  SOTTO_SERVER_FIXTURE_ADD ("restart", test_restart);
  SOTTO_SERVER_FIXTURE_ADD ("no-plaintext-on-disk", test_no_plaintext_on_disk);
  SOTTO_SERVER_FIXTURE_ADD ("key-change", test_key_change);
  SOTTO_SERVER_FIXTURE_ADD ("shutdown-tells-clients", test_shutdown_tells_clients);
  SOTTO_SERVER_FIXTURE_ADD ("logs-without-content", test_logs_without_content);

  return g_test_run ();
}
