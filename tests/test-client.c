/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sqlite3.h>
#include <string.h>

#include "sotto-client.h"
#include "sotto-client-store.h"
#include "sotto-e2e.h"
#include "sotto-test-server.h"
#include "sotto-test-users.h"
#include "sotto-test-util.h"

/*
 * The client core end to end: several SottoClient objects, each with its
 * own data directory, talk through the real server over loopback, and
 * each sees the others' text, which the server never could.
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

typedef struct
{
  gboolean  done;
  gboolean  ok;
  gpointer  object;
  GError   *error;
} Outcome;

static void
connected_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Outcome *outcome = user_data;

  outcome->ok = sotto_client_connect_finish (SOTTO_CLIENT (object), result, &outcome->error);
  outcome->done = TRUE;
}

static void
trusted_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Outcome *outcome = user_data;

  outcome->ok = sotto_client_trust_server_finish (SOTTO_CLIENT (object), result,
                                                  &outcome->error);
  outcome->done = TRUE;
}

static void
account_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Outcome *outcome = user_data;

  outcome->ok = sotto_client_account_finish (SOTTO_CLIENT (object), result, &outcome->error);
  outcome->done = TRUE;
}

static void
listed_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Outcome *outcome = user_data;

  outcome->object = sotto_client_list_rooms_finish (SOTTO_CLIENT (object), result,
                                                    &outcome->error);
  outcome->done = TRUE;
}

static void
record_state_cb (SottoClient *client,
                 GParamSpec  *pspec,
                 gpointer     user_data)
{
  GString *states = user_data;

  g_string_append_printf (states, "%d ", sotto_client_get_state (client));
}

static void
joined_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Outcome *outcome = user_data;

  outcome->object = sotto_client_join_finish (SOTTO_CLIENT (object), result, &outcome->error);
  outcome->done = TRUE;
}

/* A user on their own computer (data directory), connected and trusting
 * the server as a person would after checking the fingerprint. */
static SottoClient *
open_client (Fixture    *fixture,
             const char *computer)
{
  g_autofree char *dir = g_build_filename (fixture->dir, computer, NULL);
  SottoClient *client = sotto_client_new (dir, fixture->address);
  g_autoptr(GString) states = g_string_new (NULL);
  g_autofree char *handshaking = g_strdup_printf ("%d ", SOTTO_CLIENT_HANDSHAKING);
  Outcome outcome = { FALSE };

  sotto_client_set_pwhash_limits (client, crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN);
  g_signal_connect (client, "notify::state", G_CALLBACK (record_state_cb), states);
  sotto_client_connect_async (client, NULL, connected_cb, &outcome);
  sotto_test_wait_for (&outcome.done);
  g_signal_handlers_disconnect_by_data (client, states);
  g_assert_nonnull (strstr (states->str, handshaking));
  if (g_error_matches (outcome.error, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_SERVER_KEY_UNKNOWN))
    {
      g_assert_cmpint (sotto_client_get_state (client), ==, SOTTO_CLIENT_AWAITING_TRUST);
      g_clear_error (&outcome.error);
      outcome.done = FALSE;
      g_assert_null (sotto_client_get_pinned_fingerprint (client));
      sotto_client_trust_server_async (client, NULL, trusted_cb, &outcome);
      sotto_test_wait_for (&outcome.done);
    }
  g_assert_no_error (outcome.error);
  g_assert_true (sotto_client_get_connected (client));
  g_assert_cmpstr (sotto_client_get_server (client), ==, fixture->address);
  g_assert_nonnull (sotto_client_get_server_fingerprint (client));

  return client;
}

static void
account (SottoClient *client,
         gboolean     create,
         const char  *user,
         const char  *password,
         GError     **error)
{
  Outcome outcome = { FALSE };

  if (create)
    sotto_client_register_async (client, user, password, NULL, account_cb, &outcome);
  else
    sotto_client_login_async (client, user, password, NULL, account_cb, &outcome);
  sotto_test_wait_for (&outcome.done);
  if (outcome.error != NULL)
    g_propagate_error (error, outcome.error);
}

/* Makes @client's computer the only device of @user's account. */
static void
reset_account (SottoClient *client,
               const char  *user,
               const char  *password,
               GError     **error)
{
  Outcome outcome = { FALSE };

  sotto_client_reset_async (client, user, password, NULL, account_cb, &outcome);
  sotto_test_wait_for (&outcome.done);
  if (outcome.error != NULL)
    g_propagate_error (error, outcome.error);
}

static SottoClient *
new_user (Fixture    *fixture,
          const char *user)
{
  SottoClient *client = open_client (fixture, user);
  g_autoptr(GError) error = NULL;

  account (client, TRUE, user, PASSWORD, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sotto_client_get_state (client), ==, SOTTO_CLIENT_ONLINE);
  g_assert_cmpstr (sotto_client_get_user (client), ==, user);

  return client;
}

/* Waits until @room holds a message from @sender reading @text, read and
 * verified. */
static SottoMessage *
wait_for_text (SottoRoom  *room,
               const char *sender,
               const char *text)
{
  SottoMessage *message = sotto_test_user_wait_for_text (room, sender, text);

  g_assert_cmpint (sotto_message_get_state (message), ==, SOTTO_MESSAGE_RECEIVED);
  return message;
}

static void
test_two_talk (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(SottoClient) alice = new_user (fixture, "alice");
  g_autoptr(SottoClient) bob = new_user (fixture, "bob");
  SottoRoom *alice_room = sotto_test_user_join (alice, "lobby");
  SottoRoom *bob_room = sotto_test_user_join (bob, "lobby");
  SottoMessage *sent;

  /* Alice learns of Bob before she speaks, so her key reaches him. */
  while (sotto_room_lookup_member (alice_room, "bob") == NULL)
    g_main_context_iteration (NULL, TRUE);

  sent = sotto_test_user_say (alice, alice_room, "hello bob");
  sotto_test_user_wait_sent (sent);
  wait_for_text (bob_room, "alice", "hello bob");

  sent = sotto_test_user_say (bob, bob_room, "hi alice");
  sotto_test_user_wait_sent (sent);
  wait_for_text (alice_room, "bob", "hi alice");

  /* The server's list of rooms, for choosing one to join. */
  {
    Outcome outcome = { FALSE };
    g_autoptr(GPtrArray) rooms = NULL;
    gboolean found = FALSE;

    sotto_client_list_rooms_async (bob, NULL, listed_cb, &outcome);
    sotto_test_wait_for (&outcome.done);
    g_assert_no_error (outcome.error);
    rooms = outcome.object;
    for (guint i = 0; i < rooms->len; i++)
      {
        SottoRoomInfo *info = g_ptr_array_index (rooms, i);

        if (g_str_equal (info->name, "lobby"))
          {
            found = TRUE;
            g_assert_cmpint (info->members, ==, 2);
            g_assert_true (info->joined);
            g_assert_false (info->direct);
          }
      }
    g_assert_true (found);
  }
}

static void
test_five_in_a_room (Fixture       *fixture,
                     gconstpointer  data)
{
  static const char *const names[] = { "ann", "ben", "cal", "dee", "eve" };
  SottoClient *clients[G_N_ELEMENTS (names)];
  SottoRoom *rooms[G_N_ELEMENTS (names)];

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      clients[i] = new_user (fixture, names[i]);
      rooms[i] = sotto_test_user_join (clients[i], "circle");
    }
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    while (g_list_model_get_n_items (sotto_room_get_members (rooms[i])) < G_N_ELEMENTS (names))
      g_main_context_iteration (NULL, TRUE);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *text = g_strdup_printf ("%s says hello", names[i]);

      sotto_test_user_wait_sent (sotto_test_user_say (clients[i], rooms[i], text));
    }

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    for (guint j = 0; j < G_N_ELEMENTS (names); j++)
      if (i != j)
        {
          g_autofree char *text = g_strdup_printf ("%s says hello", names[j]);

          wait_for_text (rooms[i], names[j], text);
        }

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    g_object_unref (clients[i]);
}

/* Bob is away while Alice talks; at his next login, on the same computer,
 * the keys and the messages come, in order, readable. */
static void
test_offline_member (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(SottoClient) alice = new_user (fixture, "alice");
  g_autoptr(SottoClient) bob = new_user (fixture, "bob");
  g_autoptr(GError) error = NULL;
  SottoRoom *alice_room = sotto_test_user_join (alice, "lobby");
  SottoRoom *bob_room = sotto_test_user_join (bob, "lobby");
  GListModel *messages;
  gint64 last_seq = 0;

  while (sotto_room_lookup_member (alice_room, "bob") == NULL)
    g_main_context_iteration (NULL, TRUE);
  (void) bob_room;
  sotto_client_close (bob);
  g_clear_object (&bob);

  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *text = g_strdup_printf ("while you were away %u", i);

      sotto_test_user_wait_sent (sotto_test_user_say (alice, alice_room, text));
    }

  bob = open_client (fixture, "bob");
  account (bob, FALSE, "bob", PASSWORD, &error);
  g_assert_no_error (error);
  bob_room = sotto_client_lookup_room (bob, "lobby");
  g_assert_nonnull (bob_room);

  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *text = g_strdup_printf ("while you were away %u", i);

      wait_for_text (bob_room, "alice", text);
    }

  /* In order, each once. */
  messages = sotto_room_get_messages (bob_room);
  for (guint i = 0; i < g_list_model_get_n_items (messages); i++)
    {
      g_autoptr(SottoMessage) message = g_list_model_get_item (messages, i);

      g_assert_cmpint (sotto_message_get_seq (message), >, last_seq);
      last_seq = sotto_message_get_seq (message);
    }
  g_assert_cmpuint (g_list_model_get_n_items (messages), ==, 5);
}

static void
test_wrong_password (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(SottoClient) alice = new_user (fixture, "alice");
  g_autoptr(SottoClient) again = NULL;
  g_autoptr(SottoClient) twice = NULL;
  g_autoptr(GError) error = NULL;

  sotto_client_close (alice);

  /* On the same computer: the local state refuses it, and stays intact. */
  again = open_client (fixture, "alice");
  account (again, FALSE, "alice", "not the password", &error);
  g_assert_true (sotto_client_error_is_server (error, SOTTO_MSG_ERROR_CODE_BAD_CREDENTIALS));
  g_clear_error (&error);
  account (again, FALSE, "alice", PASSWORD, &error);
  g_assert_no_error (error);

  /* On a computer that never held the account, a refused login leaves
   * nothing behind that would stand in the way of the right password,
   * which is refused too: the computer is not one of alice's devices, and
   * the sentence says what to do. */
  {
    g_autoptr(SottoClient) laptop = open_client (fixture, "alice-laptop");

    account (laptop, FALSE, "alice", "not the password", &error);
    g_assert_true (sotto_client_error_is_server (error, SOTTO_MSG_ERROR_CODE_BAD_CREDENTIALS));
    g_clear_error (&error);
    for (guint i = 0; i < 2; i++)
      {
        account (laptop, FALSE, "alice", PASSWORD, &error);
        g_assert_true (sotto_client_error_is_server (error, SOTTO_MSG_ERROR_CODE_NOT_LINKED));
        g_assert_nonnull (strstr (error->message, "not linked to alice’s account"));
        g_assert_nonnull (strstr (error->message, "“Link to an Existing Device”"));
        g_assert_nonnull (strstr (error->message, "“Link a New Device”"));
        g_assert_nonnull (strstr (error->message, "sotto-cli --user alice link"));
        g_assert_nonnull (strstr (error->message, "reset the account"));
        g_clear_error (&error);
      }
    g_assert_cmpint (sotto_client_get_state (again), ==, SOTTO_CLIENT_ONLINE);
    sotto_client_close (laptop);
  }

  /* A second window on the same account is refused with a sentence. */
  twice = open_client (fixture, "alice");
  account (twice, FALSE, "alice", PASSWORD, &error);
  g_assert_error (error, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "already open"));
  g_clear_error (&error);

  /* Creating it again on that computer is refused with a sentence. */
  sotto_client_close (again);
  account (twice, TRUE, "alice", PASSWORD, &error);
  g_assert_true (sotto_client_error_is_server (error, SOTTO_MSG_ERROR_CODE_NAME_TAKEN));
}

static void
unlocked_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Outcome *outcome = user_data;

  outcome->ok = sotto_client_store_unlock_finish (SOTTO_CLIENT_STORE (object), result,
                                                  &outcome->error);
  outcome->done = TRUE;
}

/* The local store of @user on @computer, unlocked, as a thief with the
 * password would have it. */
static SottoClientStore *
open_store (Fixture    *fixture,
            const char *computer,
            const char *user)
{
  g_autofree char *server_dir = g_uri_escape_string (fixture->address, NULL, FALSE);
  g_autofree char *path = g_build_filename (fixture->dir, computer, server_dir, user,
                                            "client.db", NULL);
  g_autoptr(GError) error = NULL;
  SottoClientStore *store = sotto_client_store_open (path, &error);
  Outcome outcome = { FALSE };

  g_assert_no_error (error);
  sotto_client_store_unlock_async (store, PASSWORD, crypto_pwhash_OPSLIMIT_MIN,
                                   crypto_pwhash_MEMLIMIT_MIN, NULL, unlocked_cb, &outcome);
  sotto_test_wait_for (&outcome.done);
  g_assert_no_error (outcome.error);

  return store;
}

static gboolean
room_has_text (SottoRoom  *room,
               const char *text)
{
  GListModel *messages = sotto_room_get_messages (room);

  for (guint i = 0; i < g_list_model_get_n_items (messages); i++)
    {
      g_autoptr(SottoMessage) message = g_list_model_get_item (messages, i);

      if (g_strcmp0 (sotto_message_get_text (message), text) == 0)
        return TRUE;
    }

  return FALSE;
}

/* The envelope of @room's latest message in the running server's log. */
static GBytes *
latest_envelope (Fixture    *fixture,
                 const char *room)
{
  g_autofree char *path = g_build_filename (sotto_test_server_get_data_dir (fixture->server),
                                            "sotto.db", NULL);
  g_autoptr(SottoMsg) msg = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

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

  return sotto_msg_dup_bytes (msg, "envelope");
}

/* Whether Alice's key as Bob held it (@held, saved) opens @envelope. */
static gboolean
held_key_opens (GBytes                    *held,
                const SottoPublicIdentity *alice,
                GBytes                    *envelope,
                GError                   **error)
{
  g_autoptr(SottoSenderKey) key = sotto_sender_key_deserialize (held, NULL);
  g_autoptr(GBytes) plain = NULL;

  g_assert_nonnull (key);
  plain = sotto_envelope_open (envelope, "lobby", "alice", alice, key, error);

  return plain != NULL;
}

/* The key of @owner that sealed @envelope, as @store holds it. */
static SottoSenderKey *
key_of_envelope (SottoClientStore  *store,
                 const char        *room,
                 const char        *owner,
                 GBytes            *envelope,
                 GError           **error)
{
  guint32 key_id = 0;

  g_assert_true (sotto_envelope_peek (envelope, &key_id, NULL, NULL));
  return sotto_client_store_load_sender_key (store, room, owner, key_id, error);
}

/* Carol joins after "before" was said: she reads what comes after;
 * "before" never reaches her as text, and the key of Alice's she was
 * handed, which opens what Alice says next, does not open "before". */
static void
test_newcomer (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(SottoClient) alice = new_user (fixture, "alice");
  g_autoptr(SottoClient) bob = new_user (fixture, "bob");
  g_autoptr(SottoClient) carol = NULL;
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GBytes) after = NULL;
  g_autoptr(GBytes) next = NULL;
  g_autoptr(GBytes) handed = NULL;
  g_autoptr(GError) error = NULL;
  SottoRoom *alice_room = sotto_test_user_join (alice, "lobby");
  SottoRoom *bob_room = sotto_test_user_join (bob, "lobby");
  SottoRoom *carol_room;
  SottoPublicIdentity alice_identity;

  while (sotto_room_lookup_member (alice_room, "bob") == NULL)
    g_main_context_iteration (NULL, TRUE);
  sotto_test_user_wait_sent (sotto_test_user_say (alice, alice_room, "before"));
  wait_for_text (bob_room, "alice", "before");
  before = latest_envelope (fixture, "lobby");
  alice_identity = *sotto_member_get_identity (sotto_room_lookup_member (bob_room, "alice"));

  carol = new_user (fixture, "carol");
  carol_room = sotto_test_user_join (carol, "lobby");
  while (sotto_room_lookup_member (alice_room, "carol") == NULL)
    g_main_context_iteration (NULL, TRUE);

  sotto_test_user_wait_sent (sotto_test_user_say (alice, alice_room, "after"));
  wait_for_text (carol_room, "alice", "after");
  wait_for_text (bob_room, "alice", "after");
  g_assert_false (room_has_text (carol_room, "before"));
  after = latest_envelope (fixture, "lobby");

  /* The key as Carol holds it now, read from her store. */
  sotto_client_close (carol);
  {
    g_autoptr(SottoClientStore) carol_store = open_store (fixture, "carol", "carol");
    g_autoptr(SottoSenderKey) key = NULL;

    key = key_of_envelope (carol_store, "lobby", "alice", after, &error);
    g_assert_no_error (error);
    g_assert_nonnull (key);
    handed = sotto_sender_key_serialize (key);
  }

  sotto_test_user_wait_sent (sotto_test_user_say (alice, alice_room, "next"));
  wait_for_text (bob_room, "alice", "next");
  next = latest_envelope (fixture, "lobby");
  g_assert_true (held_key_opens (handed, &alice_identity, next, &error));
  g_assert_no_error (error);
  g_assert_false (held_key_opens (handed, &alice_identity, before, &error));
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_REPLAYED);
}

static void
identity_changed_cb (SottoClient *client,
                     const char  *user,
                     gboolean     was_verified,
                     gpointer     user_data)
{
  char **changed = user_data;

  g_free (*changed);
  *changed = g_strdup_printf ("%s %s", user, was_verified ? "verified" : "unverified");
}

/* Bob compares safety numbers with Alice; then "Alice" resets her account
 * from a new computer: Bob is warned and she is no longer verified. */
static void
test_identity_change (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(SottoClient) alice = new_user (fixture, "alice");
  g_autoptr(SottoClient) bob = new_user (fixture, "bob");
  g_autoptr(SottoClient) elsewhere = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *alice_sees = NULL;
  g_autofree char *bob_sees = NULL;
  g_autofree char *changed = NULL;
  SottoRoom *alice_room = sotto_test_user_join (alice, "lobby");
  SottoRoom *bob_room = sotto_test_user_join (bob, "lobby");

  while (sotto_room_lookup_member (alice_room, "bob") == NULL)
    g_main_context_iteration (NULL, TRUE);

  alice_sees = sotto_client_safety_number (alice, "bob");
  bob_sees = sotto_client_safety_number (bob, "alice");
  g_assert_nonnull (alice_sees);
  g_assert_cmpstr (alice_sees, ==, bob_sees);
  g_assert_cmpuint (strlen (alice_sees), ==, 71);

  g_assert_true (sotto_client_set_verified (bob, "alice", TRUE, &error));
  g_assert_no_error (error);
  g_assert_true (sotto_client_is_verified (bob, "alice"));
  g_assert_true (sotto_member_get_verified (sotto_room_lookup_member (bob_room, "alice")));

  g_signal_connect (bob, "identity-changed", G_CALLBACK (identity_changed_cb), &changed);
  sotto_client_close (alice);
  elsewhere = open_client (fixture, "alice-laptop");
  reset_account (elsewhere, "alice", PASSWORD, &error);
  g_assert_no_error (error);

  while (changed == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (changed, ==, "alice verified");
  g_assert_false (sotto_client_is_verified (bob, "alice"));
  g_assert_false (sotto_member_get_verified (sotto_room_lookup_member (bob_room, "alice")));
  g_signal_handlers_disconnect_by_data (bob, &changed);

  /* She was verified: Bob sends nothing into their room until he looks. */
  g_assert_cmpint (sotto_client_get_review (bob, "alice"), ==, SOTTO_IDENTITY_REVIEW_BLOCKING);
  g_assert_cmpint (sotto_member_get_review (sotto_room_lookup_member (bob_room, "alice")), ==,
                   SOTTO_IDENTITY_REVIEW_BLOCKING);
  g_assert_cmpstr (sotto_room_get_blocked_by (bob_room), ==, "alice");
  g_assert_null (sotto_client_send_message (bob, bob_room, "are you still you?", &error));
  g_assert_error (error, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_IDENTITY_CHANGED);
  g_clear_error (&error);
  g_assert_cmpuint (sotto_test_room_count_text (bob_room, "bob", "are you still you?"), ==, 0);

  /* He accepts her new keys: she stays unverified, and they talk again. */
  g_assert_true (sotto_client_accept_identity (bob, "alice", &error));
  g_assert_no_error (error);
  g_assert_null (sotto_room_get_blocked_by (bob_room));
  g_assert_cmpint (sotto_client_get_review (bob, "alice"), ==, SOTTO_IDENTITY_REVIEW_NONE);
  g_assert_false (sotto_client_is_verified (bob, "alice"));
  sotto_test_user_wait_sent (sotto_test_user_say (bob, bob_room, "welcome back"));
  wait_for_text (sotto_client_lookup_room (elsewhere, "lobby"), "bob", "welcome back");
}

/* While Bob is away, Carol joins and then resets her account from another
 * computer (new keys). Bob's catch-up brings back her join with her first keys and
 * the change to the second: his member list already holds the second, so
 * he is told of no change and has nothing to review. */
static void
test_catch_up_keeps_current_keys (Fixture       *fixture,
                                  gconstpointer  data)
{
  g_autoptr(SottoClient) alice = new_user (fixture, "alice");
  g_autoptr(SottoClient) bob = new_user (fixture, "bob");
  g_autoptr(SottoClient) carol = NULL;
  g_autoptr(SottoClient) carol_laptop = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *changed = NULL;
  SottoRoom *alice_room = sotto_test_user_join (alice, "lobby");
  SottoRoom *bob_room = sotto_test_user_join (bob, "lobby");
  const SottoPublicIdentity *listed;
  SottoRoom *carol_room;

  while (sotto_room_lookup_member (alice_room, "bob") == NULL)
    g_main_context_iteration (NULL, TRUE);
  sotto_client_close (bob);
  g_clear_object (&bob);

  carol = new_user (fixture, "carol");
  sotto_test_user_join (carol, "lobby");
  while (sotto_room_lookup_member (alice_room, "carol") == NULL)
    g_main_context_iteration (NULL, TRUE);
  sotto_client_close (carol);
  carol_laptop = open_client (fixture, "carol-laptop");
  reset_account (carol_laptop, "carol", PASSWORD, &error);
  g_assert_no_error (error);
  carol_room = sotto_client_lookup_room (carol_laptop, "lobby");
  g_assert_nonnull (carol_room);
  sotto_test_user_wait_sent (sotto_test_user_say (carol_laptop, carol_room, "from my laptop"));

  bob = open_client (fixture, "bob");
  g_signal_connect (bob, "identity-changed", G_CALLBACK (identity_changed_cb), &changed);
  account (bob, FALSE, "bob", PASSWORD, &error);
  g_assert_no_error (error);
  bob_room = sotto_client_lookup_room (bob, "lobby");
  wait_for_text (bob_room, "carol", "from my laptop");
  g_assert_true (room_has_text (bob_room, "carol joined"));

  g_assert_null (changed);
  g_assert_cmpint (sotto_client_get_review (bob, "carol"), ==, SOTTO_IDENTITY_REVIEW_NONE);
  listed = sotto_member_get_identity (sotto_room_lookup_member (bob_room, "carol"));
  g_assert_true (sotto_public_identity_equal (
                   listed, sotto_member_get_identity (sotto_room_lookup_member (alice_room,
                                                                                "carol"))));
  g_signal_handlers_disconnect_by_data (bob, &changed);
}

/* Carol never compared safety numbers with Alice: when Alice's keys
 * change, Carol can go on writing, the change is to be reviewed (not
 * blocking), and what she writes next is under a new sender key, so
 * whoever holds Alice's new keys gets nothing that opens what was said
 * before the change. */
static void
test_identity_change_unverified (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autoptr(SottoClient) alice = new_user (fixture, "alice");
  g_autoptr(SottoClient) carol = new_user (fixture, "carol");
  g_autoptr(SottoClient) elsewhere = NULL;
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GBytes) after = NULL;
  g_autoptr(GError) error = NULL;
  SottoRoom *alice_room = sotto_test_user_join (alice, "lobby");
  SottoRoom *carol_room = sotto_test_user_join (carol, "lobby");
  guint32 before_key = 0, after_key = 0;

  while (sotto_room_lookup_member (alice_room, "carol") == NULL)
    g_main_context_iteration (NULL, TRUE);
  sotto_test_user_wait_sent (sotto_test_user_say (carol, carol_room, "before the change"));
  wait_for_text (alice_room, "carol", "before the change");
  before = latest_envelope (fixture, "lobby");

  sotto_client_close (alice);
  elsewhere = open_client (fixture, "alice-laptop");
  reset_account (elsewhere, "alice", PASSWORD, &error);
  g_assert_no_error (error);
  while (sotto_client_get_review (carol, "alice") == SOTTO_IDENTITY_REVIEW_NONE)
    g_main_context_iteration (NULL, TRUE);

  g_assert_cmpint (sotto_client_get_review (carol, "alice"), ==, SOTTO_IDENTITY_REVIEW_NOTICE);
  g_assert_cmpint (sotto_member_get_review (sotto_room_lookup_member (carol_room, "alice")), ==,
                   SOTTO_IDENTITY_REVIEW_NOTICE);
  g_assert_null (sotto_room_get_blocked_by (carol_room));

  sotto_test_user_wait_sent (sotto_test_user_say (carol, carol_room, "after the change"));
  wait_for_text (sotto_client_lookup_room (elsewhere, "lobby"), "carol", "after the change");
  after = latest_envelope (fixture, "lobby");
  g_assert_true (sotto_envelope_peek (before, &before_key, NULL, NULL));
  g_assert_true (sotto_envelope_peek (after, &after_key, NULL, NULL));
  g_assert_cmpuint (before_key, !=, after_key);

  /* Looking at it settles it. */
  g_assert_true (sotto_client_accept_identity (carol, "alice", &error));
  g_assert_no_error (error);
  g_assert_cmpint (sotto_member_get_review (sotto_room_lookup_member (carol_room, "alice")), ==,
                   SOTTO_IDENTITY_REVIEW_NONE);
}

static void
test_direct_chat (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(SottoClient) alice = new_user (fixture, "alice");
  g_autoptr(SottoClient) bob = new_user (fixture, "bob");
  Outcome outcome = { FALSE };
  SottoRoom *alice_dm;
  SottoRoom *bob_dm;

  sotto_client_open_direct_async (alice, "bob", NULL, joined_cb, &outcome);
  sotto_test_wait_for (&outcome.done);
  g_assert_no_error (outcome.error);
  alice_dm = outcome.object;
  g_assert_true (sotto_room_get_direct (alice_dm));
  g_assert_cmpstr (sotto_room_get_name (alice_dm), ==, "@alice+bob");
  g_assert_cmpstr (sotto_room_get_display_name (alice_dm), ==, "bob");

  outcome = (Outcome) { FALSE };
  sotto_client_open_direct_async (bob, "alice", NULL, joined_cb, &outcome);
  sotto_test_wait_for (&outcome.done);
  g_assert_no_error (outcome.error);
  bob_dm = outcome.object;
  g_assert_cmpstr (sotto_room_get_display_name (bob_dm), ==, "alice");

  sotto_test_user_wait_sent (sotto_test_user_say (alice, alice_dm, "just us"));
  wait_for_text (bob_dm, "alice", "just us");
  g_object_unref (alice_dm);
  g_object_unref (bob_dm);
}

static void
direct_chat_started_cb (SottoClient *client,
                        const char  *room,
                        const char  *peer,
                        gpointer     user_data)
{
  g_autofree char *seen = g_strdup_printf ("%s %s", room, peer);

  g_assert_cmpstr (seen, ==, "@bob+carol carol");
  (*(guint *) user_data)++;
}

/* Carol opens a direct chat with Bob and writes at once: Bob's client
 * hears who opened it, learns of the room by itself and reads her. */
static void
test_direct_chat_opened_by_other (Fixture       *fixture,
                                  gconstpointer  data)
{
  g_autoptr(SottoClient) bob = new_user (fixture, "bob");
  g_autoptr(SottoClient) carol = new_user (fixture, "carol");
  Outcome outcome = { FALSE };
  SottoRoom *carol_dm;
  SottoRoom *bob_dm;
  guint started = 0;

  g_signal_connect (bob, "direct-chat-started", G_CALLBACK (direct_chat_started_cb), &started);
  sotto_client_open_direct_async (carol, "bob", NULL, joined_cb, &outcome);
  sotto_test_wait_for (&outcome.done);
  g_assert_no_error (outcome.error);
  carol_dm = outcome.object;
  sotto_test_user_wait_sent (sotto_test_user_say (carol, carol_dm, "are you there?"));

  while ((bob_dm = sotto_client_lookup_room (bob, "@bob+carol")) == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (sotto_room_get_direct (bob_dm));
  wait_for_text (bob_dm, "carol", "are you there?");
  g_assert_cmpuint (started, ==, 1);
  g_signal_handlers_disconnect_by_data (bob, &started);
  g_object_unref (carol_dm);
}

static void
left_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Outcome *outcome = user_data;

  outcome->ok = sotto_client_leave_finish (SOTTO_CLIENT (object), result, &outcome->error);
  outcome->done = TRUE;
}

/* After Bob leaves, Alice's next message is sealed with a new key that
 * only the remaining members get: Carol reads it, Bob's client hears
 * nothing, and Alice's key as Bob held it when he went, which opens
 * what she said just before, does not open it. (Bob's own store forgets
 * the room's keys when he leaves, so the test keeps a copy.) */
static void
test_leaver (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(SottoClient) alice = new_user (fixture, "alice");
  g_autoptr(SottoClient) bob = new_user (fixture, "bob");
  g_autoptr(SottoClient) carol = new_user (fixture, "carol");
  g_autoptr(GBytes) held = NULL;
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GBytes) after = NULL;
  g_autoptr(GBytes) said = NULL;
  g_autoptr(GError) error = NULL;
  SottoRoom *alice_room = sotto_test_user_join (alice, "lobby");
  SottoRoom *bob_room = sotto_test_user_join (bob, "lobby");
  SottoRoom *carol_room = sotto_test_user_join (carol, "lobby");
  SottoPublicIdentity alice_identity;
  Outcome outcome = { FALSE };

  while (g_list_model_get_n_items (sotto_room_get_members (alice_room)) < 3)
    g_main_context_iteration (NULL, TRUE);
  sotto_test_user_wait_sent (sotto_test_user_say (alice, alice_room, "all three"));
  wait_for_text (bob_room, "alice", "all three");
  wait_for_text (carol_room, "alice", "all three");
  alice_identity = *sotto_member_get_identity (sotto_room_lookup_member (carol_room, "alice"));
  said = latest_envelope (fixture, "lobby");

  /* What Bob holds of Alice's key, read from his store while he is away. */
  sotto_client_close (bob);
  g_clear_object (&bob);
  {
    g_autoptr(SottoClientStore) bob_store = open_store (fixture, "bob", "bob");
    g_autoptr(SottoSenderKey) key = NULL;

    key = key_of_envelope (bob_store, "lobby", "alice", said, &error);
    g_assert_no_error (error);
    g_assert_nonnull (key);
    held = sotto_sender_key_serialize (key);
  }

  /* It is Alice's key of now: it opens what she says next. */
  sotto_test_user_wait_sent (sotto_test_user_say (alice, alice_room, "while bob is out"));
  wait_for_text (carol_room, "alice", "while bob is out");
  before = latest_envelope (fixture, "lobby");
  g_assert_true (held_key_opens (held, &alice_identity, before, &error));
  g_assert_no_error (error);

  bob = open_client (fixture, "bob");
  account (bob, FALSE, "bob", PASSWORD, &error);
  g_assert_no_error (error);
  bob_room = sotto_client_lookup_room (bob, "lobby");
  g_assert_nonnull (bob_room);
  sotto_client_leave_async (bob, "lobby", NULL, left_cb, &outcome);
  sotto_test_wait_for (&outcome.done);
  g_assert_no_error (outcome.error);
  g_assert_null (sotto_client_lookup_room (bob, "lobby"));
  while (sotto_room_lookup_member (alice_room, "bob") != NULL)
    g_main_context_iteration (NULL, TRUE);

  sotto_test_user_wait_sent (sotto_test_user_say (alice, alice_room, "just carol and me"));
  wait_for_text (carol_room, "alice", "just carol and me");

  /* The room tells of the departure, in its place among the messages. */
  g_assert_true (room_has_text (carol_room, "bob left"));
  g_assert_true (room_has_text (carol_room, "carol joined") ||
                 room_has_text (alice_room, "carol joined"));

  /* Sealed after the departure: a new key, which Bob's does not open. */
  after = latest_envelope (fixture, "lobby");
  g_assert_false (held_key_opens (held, &alice_identity, after, &error));
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_UNKNOWN_KEY);
}

static void
kicked_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Outcome *outcome = user_data;

  outcome->ok = sotto_client_kick_finish (SOTTO_CLIENT (object), result, &outcome->error);
  outcome->done = TRUE;
}

static void
unbanned_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Outcome *outcome = user_data;

  outcome->ok = sotto_client_unban_finish (SOTTO_CLIENT (object), result, &outcome->error);
  outcome->done = TRUE;
}

static void
bans_listed_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Outcome *outcome = user_data;

  outcome->object = sotto_client_list_bans_finish (SOTTO_CLIENT (object), result,
                                                   &outcome->error);
  outcome->done = TRUE;
}

/* Runs one of the calls above to its end; the outcome is the caller's. */
static void
kick (SottoClient *client,
      const char  *room,
      const char  *user,
      Outcome     *outcome)
{
  *outcome = (Outcome) { FALSE };
  sotto_client_kick_async (client, room, user, NULL, kicked_cb, outcome);
  sotto_test_wait_for (&outcome->done);
}

static void
unban (SottoClient *client,
       const char  *room,
       const char  *user,
       Outcome     *outcome)
{
  *outcome = (Outcome) { FALSE };
  sotto_client_unban_async (client, room, user, NULL, unbanned_cb, outcome);
  sotto_test_wait_for (&outcome->done);
}

static GPtrArray *
list_bans (SottoClient *client,
           const char  *room,
           GError     **error)
{
  Outcome outcome = { FALSE };

  sotto_client_list_bans_async (client, room, NULL, bans_listed_cb, &outcome);
  sotto_test_wait_for (&outcome.done);
  if (outcome.error != NULL)
    g_propagate_error (error, outcome.error);
  return outcome.object;
}

static void
record_removed_cb (SottoClient *client,
                   SottoRoom   *room,
                   gpointer     user_data)
{
  g_string_append_printf (user_data, "%s ", sotto_room_get_name (room));
}

/* The creator of a room removes Bob: his room goes away and tells why,
 * his join is refused, nothing said after reaches him; the list of bans
 * shows him, and letting him back lets him join. Others may do none of
 * it, and are told who may. */
static void
test_kick_and_unban (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(SottoClient) alice = new_user (fixture, "alice");
  g_autoptr(SottoClient) bob = new_user (fixture, "bob");
  g_autoptr(SottoClient) carol = new_user (fixture, "carol");
  g_autoptr(GString) removed = g_string_new (NULL);
  g_autoptr(GPtrArray) bans = NULL;
  g_autoptr(GError) error = NULL;
  gint64 before = g_get_real_time () / 1000;
  SottoRoom *alice_room = sotto_test_user_join (alice, "team");
  SottoRoom *bob_room = sotto_test_user_join (bob, "team");
  SottoRoom *carol_room = sotto_test_user_join (carol, "team");
  SottoRoom *general;
  SottoBan *ban;
  Outcome outcome;

  /* Everyone knows who created the room; only she may remove anyone. */
  sotto_test_user_wait_members (alice_room, 3);
  g_assert_cmpstr (sotto_room_get_owner (alice_room), ==, "alice");
  g_assert_cmpstr (sotto_room_get_owner (bob_room), ==, "alice");
  g_assert_true (sotto_client_is_room_owner (alice, alice_room));
  g_assert_false (sotto_client_is_room_owner (bob, bob_room));
  general = sotto_client_lookup_room (alice, "general");
  sotto_test_user_wait_members (general, 3);
  g_assert_null (sotto_room_get_owner (general));
  g_assert_false (sotto_client_is_room_owner (alice, general));

  kick (carol, "team", "bob", &outcome);
  g_assert_false (outcome.ok);
  g_assert_true (sotto_client_error_is_server (outcome.error, SOTTO_MSG_ERROR_CODE_FORBIDDEN));
  g_assert_cmpstr (outcome.error->message, ==,
                   "Only the owner and the moderators of #team can remove people from it");
  g_clear_error (&outcome.error);
  kick (alice, "team", "alice", &outcome);
  g_assert_cmpstr (outcome.error->message, ==,
                   "You cannot remove yourself; leave the room instead");
  g_clear_error (&outcome.error);
  kick (alice, "general", "bob", &outcome);
  g_assert_cmpstr (outcome.error->message, ==,
                   "Only the server’s operator can remove people from #general");
  g_clear_error (&outcome.error);
  g_assert_null (list_bans (carol, "team", &error));
  g_assert_cmpstr (error->message, ==,
                   "Only the owner and the moderators of #team can see who was removed from "
                   "it");
  g_clear_error (&error);

  sotto_test_user_wait_sent (sotto_test_user_say (alice, alice_room, "before the kick"));
  wait_for_text (bob_room, "alice", "before the kick");

  /* Alice removes Bob. */
  g_signal_connect (bob, "removed-from-room", G_CALLBACK (record_removed_cb), removed);
  kick (alice, "team", "bob", &outcome);
  g_assert_no_error (outcome.error);
  g_assert_true (outcome.ok);
  while (sotto_client_lookup_room (bob, "team") != NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (removed->str, ==, "team ");
  g_assert_null (sotto_room_lookup_member (alice_room, "bob"));
  while (sotto_room_lookup_member (carol_room, "bob") != NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (room_has_text (carol_room, "bob was removed"));

  outcome = (Outcome) { FALSE };
  sotto_client_join_async (bob, "team", NULL, joined_cb, &outcome);
  sotto_test_wait_for (&outcome.done);
  g_assert_true (sotto_client_error_is_server (outcome.error, SOTTO_MSG_ERROR_CODE_BANNED));
  g_assert_cmpstr (outcome.error->message, ==,
                   "You were removed from this room and cannot join it again unless its "
                   "owner lets you back");
  g_clear_error (&outcome.error);
  g_assert_null (sotto_client_lookup_room (bob, "team"));

  sotto_test_user_wait_sent (sotto_test_user_say (alice, alice_room, "without bob"));
  wait_for_text (carol_room, "alice", "without bob");

  bans = list_bans (alice, "team", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (bans->len, ==, 1);
  ban = g_ptr_array_index (bans, 0);
  g_assert_cmpstr (sotto_ban_get_user (ban), ==, "bob");
  g_assert_cmpstr (sotto_ban_get_banned_by (ban), ==, "alice");
  g_assert_cmpint (sotto_ban_get_banned_at (ban), >=, before);
  g_assert_cmpint (sotto_ban_get_banned_at (ban), <=, g_get_real_time () / 1000);
  g_clear_pointer (&bans, g_ptr_array_unref);

  /* Only she lets him back. */
  unban (carol, "team", "bob", &outcome);
  g_assert_cmpstr (outcome.error->message, ==,
                   "Only the owner and the moderators of #team can let people back in");
  g_clear_error (&outcome.error);
  unban (alice, "team", "bob", &outcome);
  g_assert_no_error (outcome.error);
  g_assert_true (outcome.ok);
  bans = list_bans (alice, "team", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (bans->len, ==, 0);

  bob_room = sotto_test_user_join (bob, "team");
  g_assert_cmpstr (sotto_room_get_owner (bob_room), ==, "alice");
  while (sotto_room_lookup_member (alice_room, "bob") == NULL)
    g_main_context_iteration (NULL, TRUE);
  sotto_test_user_wait_sent (sotto_test_user_say (alice, alice_room, "welcome back"));
  wait_for_text (bob_room, "alice", "welcome back");
  g_assert_false (room_has_text (bob_room, "without bob"));
  g_assert_cmpstr (removed->str, ==, "team ");
  /* What was said while he was out was not for him: nothing is missing. */
  g_assert_cmpuint (sotto_test_room_count_warnings (bob_room), ==, 0);
  g_assert_false (room_has_text (bob_room, "before the kick"));
}

static void
role_set_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Outcome *outcome = user_data;

  outcome->ok = sotto_client_set_role_finish (SOTTO_CLIENT (object), result, &outcome->error);
  outcome->done = TRUE;
}

static void
set_role (SottoClient     *client,
          const char      *room,
          const char      *user,
          SottoMemberRole  role,
          Outcome         *outcome)
{
  *outcome = (Outcome) { FALSE };
  sotto_client_set_role_async (client, room, user, role, NULL, role_set_cb, outcome);
  sotto_test_wait_for (&outcome->done);
}

static gboolean
has_role (SottoRoom       *room,
          const char      *user,
          SottoMemberRole  role)
{
  SottoMember *member = sotto_room_lookup_member (room, user);

  return member != NULL && sotto_member_get_role (member) == role;
}

/* Whether the server's own records keep @user out of @room, as @owner,
 * the room's creator, is shown them. */
static gboolean
server_bans (SottoClient *owner,
             const char  *room,
             const char  *user)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) bans = list_bans (owner, room, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < bans->len; i++)
    if (g_strcmp0 (sotto_ban_get_user (g_ptr_array_index (bans, i)), user) == 0)
      return TRUE;
  return FALSE;
}

/* Alice, who created #team, makes Bob a moderator by its signed state:
 * everyone sees his role, and he removes Carol, whom the members keep
 * out; Alice's client has the server keep her out too. Carol's joins are
 * refused until Bob lets her back. Only an owner gives roles; Bob, made a
 * member again, removes nobody. */
static void
test_roles (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(SottoClient) alice = new_user (fixture, "alice");
  g_autoptr(SottoClient) bob = new_user (fixture, "bob");
  g_autoptr(SottoClient) carol = new_user (fixture, "carol");
  g_autoptr(GString) removed = g_string_new (NULL);
  g_autoptr(GPtrArray) bans = NULL;
  g_autoptr(GError) error = NULL;
  gint64 before = g_get_real_time () / 1000;
  SottoRoom *alice_room = sotto_test_user_join (alice, "team");
  SottoRoom *bob_room = sotto_test_user_join (bob, "team");
  SottoRoom *carol_room = sotto_test_user_join (carol, "team");
  SottoBan *ban;
  Outcome outcome;

  sotto_test_user_wait_members (alice_room, 3);
  sotto_test_user_wait_members (carol_room, 3);
  while (!has_role (carol_room, "alice", SOTTO_MEMBER_ROLE_OWNER) ||
         sotto_member_get_standing (sotto_room_lookup_member (alice_room, "carol")) !=
         SOTTO_MEMBER_STANDING_CONFIRMED)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (has_role (carol_room, "bob", SOTTO_MEMBER_ROLE_MEMBER));
  g_assert_cmpint (sotto_room_get_own_role (alice_room), ==, SOTTO_MEMBER_ROLE_OWNER);
  g_assert_true (sotto_client_may_give_roles (alice, "team", "bob"));
  g_assert_false (sotto_client_may_give_roles (bob, "team", "carol"));
  g_assert_false (sotto_client_may_remove (bob, "team", "carol"));
  g_assert_true (sotto_client_may_remove (alice, "team", "bob"));

  /* Only an owner gives roles. */
  set_role (bob, "team", "bob", SOTTO_MEMBER_ROLE_MODERATOR, &outcome);
  g_assert_true (sotto_client_error_is_server (outcome.error, SOTTO_MSG_ERROR_CODE_FORBIDDEN));
  g_assert_cmpstr (outcome.error->message, ==, "Only an owner of #team gives roles");
  g_clear_error (&outcome.error);
  set_role (alice, "team", "dave", SOTTO_MEMBER_ROLE_MODERATOR, &outcome);
  g_assert_cmpstr (outcome.error->message, ==, "dave is not a member of #team");
  g_clear_error (&outcome.error);

  set_role (alice, "team", "bob", SOTTO_MEMBER_ROLE_MODERATOR, &outcome);
  g_assert_no_error (outcome.error);
  g_assert_true (has_role (alice_room, "bob", SOTTO_MEMBER_ROLE_MODERATOR));
  while (!has_role (carol_room, "bob", SOTTO_MEMBER_ROLE_MODERATOR) ||
         sotto_room_get_own_role (bob_room) != SOTTO_MEMBER_ROLE_MODERATOR)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (sotto_client_may_moderate (bob, "team"));
  g_assert_true (sotto_client_may_remove (bob, "team", "carol"));
  /* Not the owner, who is above him. */
  g_assert_false (sotto_client_may_remove (bob, "team", "alice"));
  g_assert_false (sotto_client_may_give_roles (bob, "team", "carol"));

  /* Bob removes Carol: her client leaves and tells her. */
  g_signal_connect (carol, "removed-from-room", G_CALLBACK (record_removed_cb), removed);
  kick (bob, "team", "carol", &outcome);
  g_assert_no_error (outcome.error);
  g_assert_true (outcome.ok);
  while (sotto_client_lookup_room (carol, "team") != NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (removed->str, ==, "team ");
  while (sotto_room_lookup_member (alice_room, "carol") != NULL)
    g_main_context_iteration (NULL, TRUE);

  /* Alice, who created the room, is online: her client has the server
   * keep Carol out too, at Bob's word. */
  while (!server_bans (alice, "team", "carol"))
    sotto_test_iterate (50);
  outcome = (Outcome) { FALSE };
  sotto_client_join_async (carol, "team", NULL, joined_cb, &outcome);
  sotto_test_wait_for (&outcome.done);
  g_assert_true (sotto_client_error_is_server (outcome.error, SOTTO_MSG_ERROR_CODE_BANNED));
  g_clear_error (&outcome.error);
  g_assert_null (sotto_client_lookup_room (carol, "team"));
  while (sotto_room_lookup_member (alice_room, "carol") != NULL)
    g_main_context_iteration (NULL, TRUE);

  /* Bob sees whom he removed, from the room's signed state. */
  bans = list_bans (bob, "team", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (bans->len, ==, 1);
  ban = g_ptr_array_index (bans, 0);
  g_assert_cmpstr (sotto_ban_get_user (ban), ==, "carol");
  g_assert_cmpstr (sotto_ban_get_banned_by (ban), ==, "bob");
  g_assert_cmpint (sotto_ban_get_banned_at (ban), >=, before);
  g_clear_pointer (&bans, g_ptr_array_unref);

  unban (bob, "team", "carol", &outcome);
  g_assert_no_error (outcome.error);
  bans = list_bans (bob, "team", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (bans->len, ==, 0);
  g_clear_pointer (&bans, g_ptr_array_unref);
  /* And the server lets her back at Bob's word, through Alice's client. */
  while (server_bans (alice, "team", "carol"))
    sotto_test_iterate (50);
  carol_room = sotto_test_user_join (carol, "team");
  while (sotto_room_lookup_member (alice_room, "carol") == NULL ||
         sotto_member_get_standing (sotto_room_lookup_member (alice_room, "carol")) !=
         SOTTO_MEMBER_STANDING_CONFIRMED)
    g_main_context_iteration (NULL, TRUE);
  sotto_test_user_wait_sent (sotto_test_user_say (bob, bob_room, "welcome back"));
  wait_for_text (carol_room, "bob", "welcome back");

  /* A member again, Bob removes nobody. */
  set_role (alice, "team", "bob", SOTTO_MEMBER_ROLE_MEMBER, &outcome);
  g_assert_no_error (outcome.error);
  while (sotto_room_get_own_role (bob_room) != SOTTO_MEMBER_ROLE_MEMBER)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (sotto_client_may_remove (bob, "team", "carol"));
  kick (bob, "team", "carol", &outcome);
  g_assert_true (sotto_client_error_is_server (outcome.error, SOTTO_MSG_ERROR_CODE_FORBIDDEN));
  g_clear_error (&outcome.error);
  g_assert_nonnull (sotto_client_lookup_room (carol, "team"));
}

/* Bob, a moderator, removes Carol while Alice, who created the room, is
 * away, so the server keeps no ban of its own: the room's signed state
 * does. Carol's client leaves, tells her, and refuses to join again with
 * who removed her. Once Alice is back, her client has the server keep
 * Carol out too. */
static void
test_moderator_ban_creator_away (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autoptr(SottoClient) alice = new_user (fixture, "alice");
  g_autoptr(SottoClient) bob = new_user (fixture, "bob");
  g_autoptr(SottoClient) carol = new_user (fixture, "carol");
  g_autoptr(GString) removed = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  SottoRoom *alice_room = sotto_test_user_join (alice, "team");
  SottoRoom *bob_room = sotto_test_user_join (bob, "team");
  SottoRoom *carol_room = sotto_test_user_join (carol, "team");
  Outcome outcome;

  sotto_test_user_wait_members (alice_room, 3);
  while (sotto_member_get_standing (sotto_room_lookup_member (alice_room, "carol")) !=
         SOTTO_MEMBER_STANDING_CONFIRMED)
    g_main_context_iteration (NULL, TRUE);
  set_role (alice, "team", "bob", SOTTO_MEMBER_ROLE_MODERATOR, &outcome);
  g_assert_no_error (outcome.error);
  while (sotto_room_get_own_role (bob_room) != SOTTO_MEMBER_ROLE_MODERATOR)
    g_main_context_iteration (NULL, TRUE);
  sotto_client_close (alice);

  g_signal_connect (carol, "removed-from-room", G_CALLBACK (record_removed_cb), removed);
  kick (bob, "team", "carol", &outcome);
  g_assert_no_error (outcome.error);
  while (sotto_client_lookup_room (carol, "team") != NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (removed->str, ==, "team ");
  while (sotto_room_lookup_member (bob_room, "carol") != NULL)
    g_main_context_iteration (NULL, TRUE);

  outcome = (Outcome) { FALSE };
  sotto_client_join_async (carol, "team", NULL, joined_cb, &outcome);
  sotto_test_wait_for (&outcome.done);
  g_assert_true (sotto_client_error_is_server (outcome.error, SOTTO_MSG_ERROR_CODE_BANNED));
  g_assert_cmpstr (outcome.error->message, ==,
                   "bob removed you from #team; you cannot join it again unless one of its "
                   "moderators lets you back");
  g_clear_error (&outcome.error);
  g_assert_null (sotto_client_lookup_room (carol, "team"));
  g_assert_nonnull (carol_room);

  /* Back, Alice's client has the server keep Carol out too. */
  g_clear_object (&alice);
  alice = open_client (fixture, "alice");
  account (alice, FALSE, "alice", PASSWORD, &error);
  g_assert_no_error (error);
  while (!server_bans (alice, "team", "carol"))
    sotto_test_iterate (50);
}

/* What the server hands out of @user's device list, fetched by @client;
 * %NULL while there is none. */
static SottoMsg *
fetch_devices (SottoTestClient *client,
               const char      *user)
{
  g_autoptr(SottoMsg) reply = sotto_test_client_request (client, sotto_msg_build_get_devices,
                                                         user);

  if (sotto_msg_get_msg_type (reply) == SOTTO_MSG_TYPE_ERROR)
    {
      g_assert_cmpint (sotto_msg_get_error_code (reply), ==, SOTTO_MSG_ERROR_CODE_NO_DEVICES);
      return NULL;
    }
  g_assert_cmpint (sotto_msg_get_msg_type (reply), ==, SOTTO_MSG_TYPE_DEVICES);
  return g_steal_pointer (&reply);
}

/* At registration the client makes an account key, keeps it sealed in
 * its store, and publishes the account's device list, signed by it:
 * this computer alone, with its identity. A later login publishes
 * nothing new. */
static void
test_device_list (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(SottoClient) alice = new_user (fixture, "alice");
  g_autoptr(SottoTestClient) bob = sotto_test_client_connect (fixture->server);
  g_autoptr(SottoIdentity) bob_keys = sotto_identity_new ();
  g_autoptr(SottoMsg) session = NULL;
  g_autoptr(SottoMsg) reply = NULL;
  g_autoptr(SottoMsg) again = NULL;
  g_autoptr(GBytes) list = NULL;
  g_autoptr(GBytes) account_key = NULL;
  g_autoptr(GBytes) kept = NULL;
  g_autoptr(SottoDeviceList) opened = NULL;
  g_autoptr(SottoAccountKey) key = NULL;
  g_autoptr(SottoIdentity) identity = NULL;
  g_autoptr(GError) error = NULL;
  const SottoDevice *device;
  gboolean published = FALSE;
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  const SottoPublicIdentity *bob_public = sotto_identity_get_public (bob_keys);
  SottoWireIdentity wire;

  memcpy (wire.box, bob_public->box_pk, 32);
  memcpy (wire.sign, bob_public->sign_pk, 32);
  memcpy (wire.binding, bob_public->binding, 64);
  sotto_test_client_set_identity (bob, &wire);
  session = sotto_test_client_register (bob, "bob", PASSWORD);
  g_assert_cmpint (sotto_msg_get_msg_type (session), ==, SOTTO_MSG_TYPE_SESSION);
  while ((reply = fetch_devices (bob, "alice")) == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      sotto_test_iterate (50);
    }
  g_assert_cmpint (sotto_msg_get_int (reply, "counter"), ==, 1);
  list = sotto_msg_dup_bytes (reply, "list");
  account_key = sotto_msg_dup_bytes (reply, "account_key");
  sotto_client_close (alice);
  g_clear_object (&alice);

  {
    g_autoptr(SottoClientStore) store = open_store (fixture, "alice", "alice");

    key = sotto_client_store_get_account_key (store, &error);
    g_assert_no_error (error);
    g_assert_nonnull (key);
    identity = sotto_client_store_load_identity (store, &error);
    g_assert_no_error (error);
    kept = sotto_client_store_get_device_list (store, &published, &error);
    g_assert_no_error (error);
    g_assert_true (published);
    g_assert_true (g_bytes_equal (kept, list));
  }

  /* The list the server hands out is the one the account key signed, and
   * names this computer with the identity it logs in with. */
  g_assert_cmpmem (g_bytes_get_data (account_key, NULL), g_bytes_get_size (account_key),
                   sotto_account_key_get_public (key), SOTTO_ACCOUNT_KEY_PUBLIC_BYTES);
  opened = sotto_device_list_open (list, "alice", sotto_account_key_get_public (key), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sotto_device_list_get_counter (opened), ==, 1);
  g_assert_cmpuint (sotto_device_list_get_n_devices (opened), ==, 1);
  device = sotto_device_list_get_device (opened, 0);
  g_assert_true (sotto_public_identity_equal (&device->identity,
                                              sotto_identity_get_public (identity)));
  g_assert_cmpstr (device->name, !=, "");

  /* Logging in again keeps the same key and list. */
  alice = open_client (fixture, "alice");
  account (alice, FALSE, "alice", PASSWORD, &error);
  g_assert_no_error (error);
  sotto_test_iterate (200);
  again = fetch_devices (bob, "alice");
  g_assert_nonnull (again);
  g_assert_cmpint (sotto_msg_get_int (again, "counter"), ==, 1);
  g_clear_pointer (&list, g_bytes_unref);
  list = sotto_msg_dup_bytes (again, "list");
  g_assert_true (g_bytes_equal (kept, list));

  /* The server keeps the first key whatever: the store must too. */
  sotto_client_close (alice);
  {
    g_autoptr(SottoClientStore) store = open_store (fixture, "alice", "alice");
    g_autoptr(SottoAccountKey) still = sotto_client_store_get_account_key (store, &error);
    g_autoptr(GBytes) list_now = sotto_client_store_get_device_list (store, &published, &error);

    g_assert_no_error (error);
    g_assert_cmpmem (sotto_account_key_get_public (still), SOTTO_ACCOUNT_KEY_PUBLIC_BYTES,
                     sotto_account_key_get_public (key), SOTTO_ACCOUNT_KEY_PUBLIC_BYTES);
    g_assert_true (g_bytes_equal (list_now, kept));
    g_assert_true (published);
  }
}

/* Bob is removed while his computer is off: at his next login the room
 * is gone from his list and from his computer, and he is told. */
static void
test_removed_while_away (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(SottoClient) alice = new_user (fixture, "alice");
  g_autoptr(SottoClient) bob = new_user (fixture, "bob");
  g_autoptr(GString) removed = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) known = NULL;
  SottoRoom *alice_room = sotto_test_user_join (alice, "team");
  Outcome outcome;

  sotto_test_user_join (bob, "team");
  sotto_test_user_wait_members (alice_room, 2);
  sotto_client_close (bob);
  g_clear_object (&bob);

  kick (alice, "team", "bob", &outcome);
  g_assert_no_error (outcome.error);

  bob = open_client (fixture, "bob");
  g_signal_connect (bob, "removed-from-room", G_CALLBACK (record_removed_cb), removed);
  account (bob, FALSE, "bob", PASSWORD, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (removed->str, ==, "team ");
  g_assert_null (sotto_client_lookup_room (bob, "team"));
  g_assert_nonnull (sotto_client_lookup_room (bob, "general"));
  sotto_client_close (bob);

  {
    g_autoptr(SottoClientStore) store = open_store (fixture, "bob", "bob");

    known = sotto_client_store_list_rooms (store, &error);
    g_assert_no_error (error);
    for (guint i = 0; i < known->len; i++)
      g_assert_cmpstr (((SottoStoredRoom *) g_ptr_array_index (known, i))->name, !=, "team");
  }
}

static void
count_disconnected_cb (SottoClient  *client,
                       const GError *error,
                       gpointer      user_data)
{
  (*(guint *) user_data)++;
}

static void
record_connected_cb (SottoClient *client,
                     GParamSpec  *pspec,
                     gpointer     user_data)
{
  g_string_append (user_data, sotto_client_get_connected (client) ? "up " : "down ");
}

static void
set_flag_when_down_cb (SottoClient *client,
                       GParamSpec  *pspec,
                       gpointer     user_data)
{
  if (!sotto_client_get_connected (client))
    *(gboolean *) user_data = TRUE;
}

/* The connection drops (the operator disconnects Alice): the client comes
 * back by itself, logs in again, and what Alice typed meanwhile goes out
 * from the outbox, once. */
static void
test_reconnect_and_outbox (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(SottoClient) alice = new_user (fixture, "alice");
  g_autoptr(SottoClient) bob = new_user (fixture, "bob");
  SottoRoom *alice_room = sotto_test_user_join (alice, "lobby");
  SottoRoom *bob_room = sotto_test_user_join (bob, "lobby");
  g_autofree char *answer = NULL;
  SottoMessage *waiting;
  GListModel *messages;
  guint copies = 0;
  guint disconnected = 0;
  gboolean closed = FALSE;
  g_autoptr(GString) connected = g_string_new (NULL);

  while (sotto_room_lookup_member (alice_room, "bob") == NULL)
    g_main_context_iteration (NULL, TRUE);
  sotto_test_user_wait_sent (sotto_test_user_say (alice, alice_room, "before the cut"));
  wait_for_text (bob_room, "alice", "before the cut");

  g_signal_connect (alice, "disconnected", G_CALLBACK (count_disconnected_cb), &disconnected);
  g_signal_connect (alice, "notify::connected", G_CALLBACK (record_connected_cb), connected);
  answer = sotto_test_server_command (fixture->server, "/kick alice");
  g_assert_cmpstr (answer, ==, "alice was disconnected.");
  while (sotto_client_get_state (alice) != SOTTO_CLIENT_RECONNECTING)
    g_main_context_iteration (NULL, TRUE);

  waiting = sotto_test_user_say (alice, alice_room, "typed while away");
  g_assert_cmpint (sotto_message_get_state (waiting), ==, SOTTO_MESSAGE_SENDING);

  while (sotto_client_get_state (alice) != SOTTO_CLIENT_ONLINE)
    g_main_context_iteration (NULL, TRUE);
  sotto_test_user_wait_sent (waiting);
  wait_for_text (bob_room, "alice", "typed while away");

  /* And the conversation goes on both ways. */
  sotto_test_user_wait_sent (sotto_test_user_say (bob, bob_room, "welcome back"));
  wait_for_text (alice_room, "bob", "welcome back");

  messages = sotto_room_get_messages (bob_room);
  for (guint i = 0; i < g_list_model_get_n_items (messages); i++)
    {
      g_autoptr(SottoMessage) message = g_list_model_get_item (messages, i);

      if (g_strcmp0 (sotto_message_get_text (message), "typed while away") == 0)
        copies++;
    }
  g_assert_cmpuint (copies, ==, 1);

  /* The cut was heard once, and the channel went down and up again. */
  g_assert_cmpuint (disconnected, ==, 1);
  g_assert_cmpstr (connected->str, ==, "down up ");
  g_assert_true (sotto_client_get_connected (alice));
  g_signal_handlers_disconnect_by_data (alice, &disconnected);
  g_signal_handlers_disconnect_by_data (alice, connected);

  /* Logging out: the channel is down once the goodbye is out. */
  g_signal_connect (alice, "notify::connected", G_CALLBACK (set_flag_when_down_cb), &closed);
  sotto_client_close (alice);
  sotto_test_wait_for (&closed);
  g_assert_false (sotto_client_get_connected (alice));
  g_signal_handlers_disconnect_by_data (alice, &closed);
}

/* The server stops in the middle of a conversation and comes back on the
 * same address: both clients return by themselves, what Alice typed while
 * it was down arrives once, and what Bob missed is caught up. */
static void
test_server_restart (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(SottoClient) alice = new_user (fixture, "alice");
  g_autoptr(SottoClient) bob = new_user (fixture, "bob");
  SottoRoom *alice_room = sotto_test_user_join (alice, "lobby");
  SottoRoom *bob_room = sotto_test_user_join (bob, "lobby");
  SottoMessage *waiting;

  while (sotto_room_lookup_member (alice_room, "bob") == NULL)
    g_main_context_iteration (NULL, TRUE);
  sotto_test_user_wait_sent (sotto_test_user_say (alice, alice_room, "one"));
  wait_for_text (bob_room, "alice", "one");

  sotto_test_server_stop (fixture->server);
  while (sotto_client_get_state (alice) != SOTTO_CLIENT_RECONNECTING ||
         sotto_client_get_state (bob) != SOTTO_CLIENT_RECONNECTING)
    g_main_context_iteration (NULL, TRUE);

  waiting = sotto_test_user_say (alice, alice_room, "two, while the server was down");
  sotto_test_server_restart (fixture->server);

  while (sotto_client_get_state (alice) != SOTTO_CLIENT_ONLINE ||
         sotto_client_get_state (bob) != SOTTO_CLIENT_ONLINE)
    g_main_context_iteration (NULL, TRUE);
  sotto_test_user_wait_sent (waiting);
  wait_for_text (bob_room, "alice", "two, while the server was down");
  sotto_test_user_wait_sent (sotto_test_user_say (alice, alice_room, "three"));
  wait_for_text (bob_room, "alice", "three");

  /* Each message once; beside them only the room's own notices (the
   * server said it was shutting down). */
  {
    GListModel *messages = sotto_room_get_messages (bob_room);
    guint said = 0;

    for (guint i = 0; i < g_list_model_get_n_items (messages); i++)
      {
        g_autoptr(SottoMessage) message = g_list_model_get_item (messages, i);

        if (sotto_message_get_state (message) != SOTTO_MESSAGE_SYSTEM)
          said++;
      }
    g_assert_cmpuint (said, ==, 3);
  }
}

static gboolean
typing_is (SottoRoom  *room,
           const char *expected)
{
  g_auto(GStrv) typing = sotto_room_dup_typing (room);
  g_autofree char *joined = g_strjoinv (",", typing);

  return g_strcmp0 (joined, expected) == 0;
}

/* Alice types: Bob sees it, until her message comes. */
static void
test_typing (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(SottoClient) alice = new_user (fixture, "alice");
  g_autoptr(SottoClient) bob = new_user (fixture, "bob");
  SottoRoom *alice_room = sotto_test_user_join (alice, "lobby");
  SottoRoom *bob_room = sotto_test_user_join (bob, "lobby");

  while (sotto_room_lookup_member (alice_room, "bob") == NULL)
    g_main_context_iteration (NULL, TRUE);

  sotto_client_send_typing (alice, alice_room);
  while (!typing_is (bob_room, "alice"))
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (typing_is (alice_room, ""));

  sotto_test_user_wait_sent (sotto_test_user_say (alice, alice_room, "done typing"));
  wait_for_text (bob_room, "alice", "done typing");
  g_assert_true (typing_is (bob_room, ""));
}

/* A message that comes before its sender key is kept as "waiting", a key
 * request goes to the sender, and it opens in place when the key comes.
 * Alice here is a raw protocol client, so the order is certain. */
/* A raw client does what the client core does on joining: fetches the
 * room's signed state and signs its own join on top. */
static void
raw_sign_join (SottoTestClient *client,
               const char      *room,
               const char      *user,
               SottoIdentity   *identity)
{
  g_autoptr(SottoRoomState) state = sotto_room_state_new (room, NULL, NULL);
  g_autoptr(SottoMsg) done = NULL;
  g_autoptr(SottoMsg) stored = NULL;
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(SottoRoomEvent) event = { 0 };
  gint64 length;

  sotto_test_client_send_take (client, sotto_msg_build_state_catchup ("sc", room, 0, 500));
  done = sotto_test_client_expect_reply (client, "sc");
  length = sotto_msg_get_int (done, "length");
  while (sotto_room_state_get_length (state) < (guint64) length)
    {
      g_autoptr(SottoMsg) relayed = sotto_test_client_expect (client, SOTTO_MSG_TYPE_STATE_EVENT);
      g_autoptr(GBytes) bytes = sotto_msg_dup_bytes (relayed, "event");
      gboolean taken = FALSE;

      if (g_strcmp0 (sotto_msg_get_string (relayed, "room"), room) == 0 &&
          sotto_msg_get_int (relayed, "index") == (gint64) sotto_room_state_get_length (state))
        sotto_room_state_take (state, bytes, &taken, NULL);
    }

  sotto_room_state_prepare (state, &event, SOTTO_ROOM_EVENT_JOIN, user, NULL, 0);
  event.has_identity = TRUE;
  event.identity = *sotto_identity_get_public (identity);
  sealed = sotto_room_event_seal (&event, identity, &error);
  g_assert_no_error (error);
  sotto_test_client_send_take (client, sotto_msg_build_state ("sj", room, (gint64) event.index,
                                                              sealed));
  stored = sotto_test_client_expect_reply (client, "sj");
  g_assert_cmpint (sotto_msg_get_msg_type (stored), ==, SOTTO_MSG_TYPE_OK);
}

static void
test_key_after_message (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(SottoClient) bob = new_user (fixture, "bob");
  g_autoptr(SottoTestClient) alice = sotto_test_client_connect (fixture->server);
  g_autoptr(SottoIdentity) identity = sotto_identity_new ();
  g_autoptr(SottoSenderKey) key = sotto_sender_key_new ();
  g_autoptr(SottoMsg) session = NULL;
  g_autoptr(SottoMsg) request = NULL;
  g_autoptr(GBytes) content = g_bytes_new_static ("sent before its key", 19);
  SottoMessageBody body = { SOTTO_MESSAGE_BODY_TEXT, 1, g_get_real_time () / 1000, content };
  g_autoptr(GBytes) plain = sotto_message_body_encode (&body, NULL);
  g_autoptr(GBytes) envelope = NULL;
  g_autoptr(GBytes) exported = NULL;
  g_autoptr(SottoSenderKey) initial_key = NULL;
  g_autoptr(GBytes) box = NULL;
  g_autoptr(GError) error = NULL;
  const SottoPublicIdentity *public = sotto_identity_get_public (identity);
  SottoPublicIdentity bob_public;
  SottoWireIdentity wire;
  SottoRoom *bob_room;
  SottoMessage *message;

  memcpy (wire.box, public->box_pk, 32);
  memcpy (wire.sign, public->sign_pk, 32);
  memcpy (wire.binding, public->binding, 64);
  sotto_test_client_set_identity (alice, &wire);
  session = sotto_test_client_register (alice, "alice", PASSWORD);
  g_assert_cmpint (sotto_msg_get_msg_type (session), ==, SOTTO_MSG_TYPE_SESSION);

  bob_room = sotto_client_lookup_room (bob, "general");
  g_assert_nonnull (bob_room);
  while (sotto_room_lookup_member (bob_room, "alice") == NULL)
    g_main_context_iteration (NULL, TRUE);
  raw_sign_join (alice, "general", "alice", identity);
  while (sotto_member_get_standing (sotto_room_lookup_member (bob_room, "alice")) !=
         SOTTO_MEMBER_STANDING_CONFIRMED)
    g_main_context_iteration (NULL, TRUE);

  exported = sotto_sender_key_export (key);
  envelope = sotto_envelope_seal (key, identity, "general", "alice", plain, &error);
  g_assert_no_error (error);
  sotto_test_client_send_take (alice, sotto_msg_build_send ("s", "general", "early", envelope));
  sotto_msg_unref (sotto_test_client_expect_reply (alice, "s"));

  /* Bob holds it, unreadable, and asks Alice for her key. */
  while ((message = sotto_room_lookup_message (bob_room, "alice", "early")) == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (sotto_message_get_state (message), ==, SOTTO_MESSAGE_WAITING_FOR_KEY);
  g_assert_null (sotto_message_get_text (message));
  request = sotto_test_client_expect (alice, SOTTO_MSG_TYPE_KEY_REQUESTED);
  g_assert_cmpstr (sotto_msg_get_string (request, "from"), ==, "bob");
  g_assert_cmpint (sotto_msg_get_int (request, "key_id"), ==, sotto_sender_key_get_key_id (key));

  /* Alice answers with her key, from where it was when she sealed, to
   * Bob's computer (his member entry shows his account's identity). */
  bob_public = *sotto_client_get_device_identity (bob);
  /* The key moved on when it sealed: hand over the copy from before. */
  initial_key = sotto_sender_key_import (exported, &error);
  g_assert_no_error (error);
  box = sotto_sender_key_seal_for (initial_key, "general", 1, identity, "alice", &bob_public, &error);
  g_assert_no_error (error);
  sotto_test_client_send_take (alice, sotto_msg_build_send_key ("k", "bob", NULL, "general", box));
  sotto_msg_unref (sotto_test_client_expect_reply (alice, "k"));

  while (sotto_message_get_state (message) == SOTTO_MESSAGE_WAITING_FOR_KEY)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (sotto_message_get_state (message), ==, SOTTO_MESSAGE_RECEIVED);
  g_assert_cmpstr (sotto_message_get_text (message), ==, "sent before its key");
}

/* After a conversation, neither client's files nor the server's hold the
 * words that were said. */
static void
test_no_plaintext_at_rest (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(SottoClient) alice = new_user (fixture, "alice");
  g_autoptr(SottoClient) bob = new_user (fixture, "bob");
  SottoRoom *alice_room = sotto_test_user_join (alice, "lobby");
  SottoRoom *bob_room = sotto_test_user_join (bob, "lobby");
  g_autofree char *marker = g_strdup_printf ("marker-%08x-%08x", g_random_int (), g_random_int ());
  g_autofree char *reply = g_strconcat ("re: ", marker, NULL);

  while (sotto_room_lookup_member (alice_room, "bob") == NULL)
    g_main_context_iteration (NULL, TRUE);
  sotto_test_user_wait_sent (sotto_test_user_say (alice, alice_room, marker));
  wait_for_text (bob_room, "alice", marker);
  sotto_test_user_wait_sent (sotto_test_user_say (bob, bob_room, reply));
  wait_for_text (alice_room, "bob", reply);

  sotto_client_close (alice);
  sotto_client_close (bob);
  sotto_test_server_stop (fixture->server);

  g_assert_false (sotto_test_tree_contains (fixture->dir, (const guint8 *) marker,
                                            strlen (marker)));
  g_assert_false (sotto_test_tree_contains (sotto_test_server_get_data_dir (fixture->server),
                                            (const guint8 *) marker, strlen (marker)));
}

/* Logging in again shows the latest page of a long history; older pages
 * come on request, in order, until the first message. */
static void
test_older_history (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(SottoClient) alice = new_user (fixture, "alice");
  g_autoptr(SottoClient) again = NULL;
  g_autoptr(GError) error = NULL;
  SottoRoom *room = sotto_test_user_join (alice, "lobby");
  SottoMessage *last = NULL;
  GListModel *messages;
  guint shown;

  for (guint i = 1; i <= 70; i++)
    {
      g_autofree char *text = g_strdup_printf ("line %u", i);

      last = sotto_test_user_say (alice, room, text);
    }
  sotto_test_user_wait_sent (last);
  sotto_client_close (alice);
  g_clear_object (&alice);

  again = open_client (fixture, "alice");
  account (again, FALSE, "alice", PASSWORD, &error);
  g_assert_no_error (error);
  room = sotto_client_lookup_room (again, "lobby");
  g_assert_nonnull (room);
  messages = sotto_room_get_messages (room);
  shown = g_list_model_get_n_items (messages);
  g_assert_cmpuint (shown, <, 70);
  g_assert_false (sotto_room_get_history_complete (room));

  g_assert_cmpuint (sotto_client_load_older (again, room, 15, &error), ==, 15);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (messages), ==, shown + 15);
  while (sotto_client_load_older (again, room, 15, &error) > 0)
    g_assert_no_error (error);
  g_assert_no_error (error);
  g_assert_true (sotto_room_get_history_complete (room));

  /* All seventy once, in order; the room's join row may come first. */
  for (guint i = 0, seen = 0; i < g_list_model_get_n_items (messages); i++)
    {
      g_autoptr(SottoMessage) message = g_list_model_get_item (messages, i);
      g_autofree char *text = NULL;

      if (sotto_message_get_state (message) == SOTTO_MESSAGE_SYSTEM)
        continue;
      text = g_strdup_printf ("line %u", ++seen);
      g_assert_cmpstr (sotto_message_get_text (message), ==, text);
      if (i + 1 == g_list_model_get_n_items (messages))
        g_assert_cmpuint (seen, ==, 70);
    }
  g_assert_cmpuint (sotto_client_load_older (again, room, 15, &error), ==, 0);
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (sodium_init (), >=, 0);

#define ADD(path, func) \
  g_test_add ("/sotto/client/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("two-talk", test_two_talk);
  ADD ("five-in-a-room", test_five_in_a_room);
  ADD ("offline-member", test_offline_member);
  ADD ("wrong-password", test_wrong_password);
  ADD ("newcomer", test_newcomer);
  ADD ("identity-change", test_identity_change);
  ADD ("direct-chat", test_direct_chat);
  ADD ("direct-chat-opened-by-other", test_direct_chat_opened_by_other);
  ADD ("leaver", test_leaver);
  ADD ("kick-and-unban", test_kick_and_unban);
  ADD ("removed-while-away", test_removed_while_away);
  ADD ("roles", test_roles);
  ADD ("moderator-ban-creator-away", test_moderator_ban_creator_away);
  ADD ("device-list", test_device_list);
  ADD ("identity-change-unverified", test_identity_change_unverified);
  ADD ("catch-up-keeps-current-keys", test_catch_up_keeps_current_keys);
  ADD ("reconnect-and-outbox", test_reconnect_and_outbox);
  ADD ("server-restart", test_server_restart);
  ADD ("typing", test_typing);
  ADD ("older-history", test_older_history);
  ADD ("key-after-message", test_key_after_message);
  ADD ("no-plaintext-at-rest", test_no_plaintext_at_rest);
#undef ADD

  return g_test_run ();
}
