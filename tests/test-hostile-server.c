/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sodium.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "sotto-client.h"
#include "sotto-test-hostile.h"
#include "sotto-test-util.h"

/*
 * The harness for a hostile server: the real sotto-server on 127.0.0.1,
 * and in front of it a proxy that holds the server's key, so that the
 * clients take it for the server. These tests show that the proxy is
 * invisible when it passes everything on, and that what it drops, rewrites,
 * injects or cuts is what the clients then live with.
 */

typedef SottoHostileFixture Fixture;

#define WAIT_UNTIL SOTTO_HOSTILE_WAIT_UNTIL
#define new_user sotto_hostile_new_user
#define join_lobby sotto_hostile_join_lobby
#define round_trip sotto_hostile_round_trip

/* What @user's computer pinned: the server's own key, under the proxy's
 * address, and nothing under the real server's. */
static void
assert_pinned_server_key (Fixture    *fixture,
                          const char *user)
{
  g_autofree char *path = g_build_filename (fixture->dir, user, "servers.ini", NULL);
  g_autoptr(SottoFilePinStore) pins = sotto_file_pin_store_new (path);
  g_autofree char *real_address = g_strdup_printf ("127.0.0.1:%u",
                                                   sotto_test_server_get_port (fixture->server));
  g_autofree char *fingerprint = NULL;
  guint8 key[SOTTO_SERVER_KEY_PUBLIC_SIZE];

  g_assert_true (sotto_pin_store_lookup (SOTTO_PIN_STORE (pins),
                                         sotto_test_proxy_get_address (fixture->proxy), key));
  fingerprint = sotto_fingerprint_for_public_key (key);
  g_assert_cmpstr (fingerprint, ==, sotto_test_server_get_fingerprint (fixture->server));
  g_assert_false (sotto_pin_store_lookup (SOTTO_PIN_STORE (pins), real_address, key));
}

/* Passing everything on, the proxy is the server as far as clients can
 * tell, and it sees every message with the user it belongs to. */
static void
test_transparent (Fixture       *fixture,
                  gconstpointer  data)
{
  SottoTestProxy *proxy = fixture->proxy;
  g_autoptr(SottoClient) alice = new_user (fixture, "alice");
  g_autoptr(SottoClient) bob = new_user (fixture, "bob");
  SottoRoom *alice_room, *bob_room;
  SottoTestProxyLink *link;

  g_assert_cmpuint (sotto_test_proxy_get_port (proxy), !=,
                    sotto_test_server_get_port (fixture->server));
  g_assert_cmpstr (sotto_client_get_server (alice), ==, sotto_test_proxy_get_address (proxy));
  g_assert_cmpstr (sotto_client_get_server_fingerprint (alice), ==,
                   sotto_test_server_get_fingerprint (fixture->server));
  g_assert_cmpstr (sotto_client_get_server_fingerprint (bob), ==,
                   sotto_test_server_get_fingerprint (fixture->server));
  g_assert_null (sotto_client_get_pinned_fingerprint (alice));
  assert_pinned_server_key (fixture, "alice");
  assert_pinned_server_key (fixture, "bob");

  g_assert_cmpuint (sotto_test_proxy_count_links (proxy, NULL), ==, 2);
  link = sotto_test_proxy_find_link (proxy, "alice");
  g_assert_nonnull (link);
  g_assert_cmpstr (sotto_test_proxy_link_get_user (link), ==, "alice");

  join_lobby (fixture, alice, bob, &alice_room, &bob_room);
  sotto_test_user_wait_sent (sotto_test_user_say (alice, alice_room, "hello bob"));
  sotto_test_user_wait_for_text (bob_room, "alice", "hello bob");
  sotto_test_user_wait_sent (sotto_test_user_say (bob, bob_room, "hi alice"));
  sotto_test_user_wait_for_text (alice_room, "bob", "hi alice");
  g_assert_cmpuint (sotto_test_room_count_text (bob_room, "alice", "hello bob"), ==, 1);
  g_assert_cmpuint (sotto_test_room_count_text (alice_room, "bob", "hi alice"), ==, 1);

  /* Every message went by, counted for its own user and direction. */
  g_assert_cmpuint (sotto_test_proxy_count (proxy, NULL, SOTTO_TEST_PROXY_TO_CLIENT, "welcome"),
                    ==, 2);
  g_assert_cmpuint (sotto_test_proxy_count (proxy, NULL, SOTTO_TEST_PROXY_TO_SERVER, "register"),
                    ==, 2);
  g_assert_cmpuint (sotto_test_proxy_count (proxy, "alice", SOTTO_TEST_PROXY_TO_CLIENT, "session"),
                    ==, 1);
  g_assert_cmpuint (sotto_test_proxy_count (proxy, "alice", SOTTO_TEST_PROXY_TO_SERVER, "send"),
                    ==, 1);
  g_assert_cmpuint (sotto_test_proxy_count (proxy, "alice", SOTTO_TEST_PROXY_TO_CLIENT, "sent"),
                    ==, 1);
  g_assert_cmpuint (sotto_test_proxy_count (proxy, "bob", SOTTO_TEST_PROXY_TO_CLIENT, "message"),
                    ==, 1);
  g_assert_cmpuint (sotto_test_proxy_count (proxy, "bob", SOTTO_TEST_PROXY_TO_SERVER, "send"),
                    ==, 1);
  g_assert_cmpuint (sotto_test_proxy_count (proxy, "bob", SOTTO_TEST_PROXY_TO_CLIENT, "sent"),
                    ==, 1);
  g_assert_cmpuint (sotto_test_proxy_count (proxy, "alice", SOTTO_TEST_PROXY_TO_CLIENT, "message"),
                    ==, 1);
  g_assert_cmpuint (sotto_test_proxy_count (proxy, "alice", SOTTO_TEST_PROXY_TO_CLIENT, "send"),
                    ==, 0);
  g_assert_cmpuint (sotto_test_proxy_count (proxy, NULL, SOTTO_TEST_PROXY_TO_SERVER, "message"),
                    ==, 0);
}

typedef struct
{
  /* The next `message` event for bob is dropped and kept here. */
  gboolean  armed;
  GBytes   *held;
  /* The answer to a ping the proxy sent in bob's name, kept from him. */
  char     *ping_id;
  GBytes   *pong;
} Interception;

static GBytes *
intercept_cb (SottoTestProxy          *proxy,
              SottoTestProxyLink      *link,
              SottoTestProxyDirection  direction,
              GBytes                  *message,
              gpointer                 user_data)
{
  Interception *interception = user_data;
  g_autofree char *type = sotto_test_json_type (message);

  if (direction != SOTTO_TEST_PROXY_TO_CLIENT ||
      g_strcmp0 (sotto_test_proxy_link_get_user (link), "bob") != 0)
    return g_bytes_ref (message);

  if (interception->armed && g_strcmp0 (type, "message") == 0)
    {
      interception->armed = FALSE;
      interception->held = g_bytes_ref (message);
      return NULL;
    }

  if (interception->ping_id != NULL && g_strcmp0 (type, "pong") == 0)
    {
      g_autofree char *id = sotto_test_json_get_string (message, "id");

      if (g_strcmp0 (id, interception->ping_id) == 0)
        {
          interception->pong = g_bytes_ref (message);
          return NULL;
        }
    }

  return g_bytes_ref (message);
}

/* A message the proxy drops never reaches bob, even though the next one
 * does; the same message injected later, with its time rewritten, is
 * taken as it comes. The other way, the proxy speaks to the server in
 * bob's name and keeps the answer from him. */
static void
test_drop_and_inject (Fixture       *fixture,
                      gconstpointer  data)
{
  SottoTestProxy *proxy = fixture->proxy;
  g_autoptr(SottoClient) alice = new_user (fixture, "alice");
  g_autoptr(SottoClient) bob = new_user (fixture, "bob");
  Interception interception = { FALSE };
  const gint64 forged_ts = 1700000000123;
  g_autoptr(GBytes) rewritten = NULL;
  g_autoptr(GBytes) ping = NULL;
  g_autoptr(SottoMsg) parsed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sender = NULL;
  SottoRoom *alice_room, *bob_room;
  SottoMessage *received;
  guint delivered;

  join_lobby (fixture, alice, bob, &alice_room, &bob_room);
  sotto_test_proxy_set_hook (proxy, intercept_cb, &interception);
  delivered = sotto_test_proxy_count (proxy, "bob", SOTTO_TEST_PROXY_TO_CLIENT, "message");

  interception.armed = TRUE;
  sotto_test_user_wait_sent (sotto_test_user_say (alice, alice_room, "lost on the way"));
  WAIT_UNTIL (interception.held != NULL, "the proxy to catch the message");
  sender = sotto_test_json_get_string (interception.held, "sender");
  g_assert_cmpstr (sender, ==, "alice");

  /* The order of a direction is kept: had the first come, it would be
   * there before the second. */
  sotto_test_user_wait_sent (sotto_test_user_say (alice, alice_room, "right after"));
  sotto_test_user_wait_for_text (bob_room, "alice", "right after");
  g_assert_cmpuint (sotto_test_room_count_text (bob_room, "alice", "lost on the way"), ==, 0);
  g_assert_cmpuint (sotto_test_proxy_count (proxy, "bob", SOTTO_TEST_PROXY_TO_CLIENT, "message"),
                    ==, delivered + 1);

  /* The rewritten copy is still a valid server message, integers kept. */
  rewritten = sotto_test_json_set_int (interception.held, "ts", forged_ts);
  g_assert_false (g_bytes_equal (rewritten, interception.held));
  parsed = sotto_msg_parse_bytes (rewritten, SOTTO_MSG_FROM_SERVER, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sotto_msg_get_msg_type (parsed), ==, SOTTO_MSG_TYPE_MESSAGE);
  g_assert_cmpint (sotto_msg_get_int (parsed, "ts"), ==, forged_ts);
  g_assert_cmpint (sotto_msg_get_int (parsed, "seq"), ==,
                   sotto_test_json_get_int (interception.held, "seq"));

  sotto_test_proxy_inject_to_user (proxy, "bob", rewritten);
  received = sotto_test_user_wait_for_text (bob_room, "alice", "lost on the way");
  g_assert_cmpint (sotto_message_get_state (received), ==, SOTTO_MESSAGE_RECEIVED);
  g_assert_cmpint (sotto_message_get_ts (received), ==, forged_ts);
  g_assert_cmpint (sotto_message_get_seq (received), ==, sotto_msg_get_int (parsed, "seq"));
  g_assert_cmpuint (sotto_test_room_count_text (bob_room, "alice", "lost on the way"), ==, 1);
  g_assert_cmpuint (sotto_test_proxy_count (proxy, "bob", SOTTO_TEST_PROXY_TO_CLIENT, "message"),
                    ==, delivered + 2);

  /* Towards the server: a request bob's client never made. */
  interception.ping_id = g_strdup ("proxy-ping");
  ping = g_bytes_new_static ("{\"type\":\"ping\",\"id\":\"proxy-ping\"}",
                             strlen ("{\"type\":\"ping\",\"id\":\"proxy-ping\"}"));
  sotto_test_proxy_link_inject (sotto_test_proxy_find_link (proxy, "bob"),
                                SOTTO_TEST_PROXY_TO_SERVER, ping);
  WAIT_UNTIL (interception.pong != NULL, "the server’s pong");
  g_assert_cmpuint (sotto_test_proxy_count (proxy, "bob", SOTTO_TEST_PROXY_TO_SERVER, "ping"),
                    ==, 1);
  g_assert_cmpuint (sotto_test_proxy_count (proxy, "bob", SOTTO_TEST_PROXY_TO_CLIENT, "pong"),
                    ==, 0);

  /* And bob's connection goes on as if nothing happened. */
  sotto_test_user_wait_sent (sotto_test_user_say (bob, bob_room, "all good here"));
  sotto_test_user_wait_for_text (alice_room, "bob", "all good here");

  sotto_test_proxy_set_hook (proxy, NULL, NULL);
  g_bytes_unref (interception.held);
  g_bytes_unref (interception.pong);
  g_free (interception.ping_id);
}

/* What SottoClient::disconnected gave: NULL for a goodbye. */
static void
free_reason (gpointer error)
{
  if (error != NULL)
    g_error_free (error);
}

static void
record_disconnected_cb (SottoClient  *client,
                        const GError *error,
                        gpointer      user_data)
{
  GPtrArray *errors = user_data;

  g_ptr_array_add (errors, error != NULL ? g_error_copy (error) : NULL);
}

/* A cut on the proxy is a cut for the client, which comes back through
 * the proxy by itself, logs in again and sends what waited. */
static void
test_cut (Fixture       *fixture,
          gconstpointer  data)
{
  SottoTestProxy *proxy = fixture->proxy;
  g_autoptr(SottoClient) alice = new_user (fixture, "alice");
  g_autoptr(SottoClient) bob = new_user (fixture, "bob");
  g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func (free_reason);
  SottoRoom *alice_room, *bob_room;
  SottoMessage *waiting;
  const GError *cut;
  guint presences;

  join_lobby (fixture, alice, bob, &alice_room, &bob_room);
  sotto_test_user_wait_sent (sotto_test_user_say (alice, alice_room, "before the cut"));
  sotto_test_user_wait_for_text (bob_room, "alice", "before the cut");
  presences = sotto_test_proxy_count (proxy, "bob", SOTTO_TEST_PROXY_TO_CLIENT, "presence");

  g_signal_connect (alice, "disconnected", G_CALLBACK (record_disconnected_cb), errors);
  sotto_test_proxy_cut_user (proxy, "alice");
  g_assert_cmpuint (sotto_test_proxy_count_links (proxy, "alice"), ==, 0);
  g_assert_cmpuint (sotto_test_proxy_count_links (proxy, "bob"), ==, 1);

  WAIT_UNTIL (sotto_client_get_state (alice) == SOTTO_CLIENT_RECONNECTING, "alice to notice");
  g_assert_cmpuint (errors->len, ==, 1);
  cut = g_ptr_array_index (errors, 0);
  g_assert_error (cut, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_CLOSED);
  waiting = sotto_test_user_say (alice, alice_room, "typed while cut off");
  g_assert_cmpint (sotto_message_get_state (waiting), ==, SOTTO_MESSAGE_SENDING);

  sotto_test_user_wait_state (alice, SOTTO_CLIENT_ONLINE);
  sotto_test_user_wait_sent (waiting);
  sotto_test_user_wait_for_text (bob_room, "alice", "typed while cut off");
  sotto_test_user_wait_sent (sotto_test_user_say (bob, bob_room, "welcome back"));
  sotto_test_user_wait_for_text (alice_room, "bob", "welcome back");
  g_assert_cmpuint (sotto_test_room_count_text (bob_room, "alice", "typed while cut off"), ==, 1);

  /* Alice came back through the proxy and logged in again; bob's link was
   * never touched, and the server saw alice go and come back. */
  g_assert_cmpuint (errors->len, ==, 1);
  g_assert_cmpuint (sotto_test_proxy_count_links (proxy, "alice"), ==, 1);
  g_assert_cmpuint (sotto_test_proxy_count_links (proxy, NULL), ==, 2);
  g_assert_cmpuint (sotto_test_proxy_count (proxy, NULL, SOTTO_TEST_PROXY_TO_SERVER, "login"),
                    ==, 1);
  g_assert_cmpuint (sotto_test_proxy_count (proxy, "alice", SOTTO_TEST_PROXY_TO_CLIENT, "session"),
                    ==, 2);
  g_assert_cmpuint (sotto_test_proxy_count (proxy, "bob", SOTTO_TEST_PROXY_TO_CLIENT, "session"),
                    ==, 1);
  g_assert_cmpuint (sotto_test_proxy_count (proxy, "bob", SOTTO_TEST_PROXY_TO_CLIENT, "presence"),
                    ==, presences + 2);

  g_signal_handlers_disconnect_by_data (alice, errors);
}

/* The other way: the server's goodbye reaches the client as a goodbye,
 * and the server's end as a cut; either way the client comes back through
 * the proxy by itself, and while the server is down the proxy lets go of
 * each connection it cannot pass on. */
static void
test_server_ends (Fixture       *fixture,
                  gconstpointer  data)
{
  SottoTestProxy *proxy = fixture->proxy;
  g_autoptr(SottoClient) alice = new_user (fixture, "alice");
  g_autoptr(SottoClient) bob = new_user (fixture, "bob");
  g_autoptr(GPtrArray) bob_errors = g_ptr_array_new_with_free_func (free_reason);
  g_autoptr(GPtrArray) alice_errors = g_ptr_array_new_with_free_func (free_reason);
  g_autofree char *answer = NULL;
  SottoRoom *alice_room, *bob_room;
  const GError *cut;

  join_lobby (fixture, alice, bob, &alice_room, &bob_room);
  g_signal_connect (bob, "disconnected", G_CALLBACK (record_disconnected_cb), bob_errors);
  g_signal_connect (alice, "disconnected", G_CALLBACK (record_disconnected_cb), alice_errors);

  /* The operator's kick is a goodbye from the server. */
  answer = sotto_test_server_command (fixture->server, "/kick bob");
  g_assert_cmpstr (answer, ==, "bob was disconnected.");
  WAIT_UNTIL (bob_errors->len == 1, "bob to be told");
  g_assert_null (g_ptr_array_index (bob_errors, 0));
  sotto_test_user_wait_state (bob, SOTTO_CLIENT_ONLINE);
  g_assert_cmpuint (sotto_test_proxy_count (proxy, "bob", SOTTO_TEST_PROXY_TO_CLIENT, "session"),
                    ==, 2);
  g_assert_cmpuint (alice_errors->len, ==, 0);

  /* A server that dies cuts every connection. */
  sotto_test_server_kill (fixture->server);
  WAIT_UNTIL (alice_errors->len == 1 && bob_errors->len == 2, "both to be cut off");
  cut = g_ptr_array_index (alice_errors, 0);
  g_assert_error (cut, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_CLOSED);
  cut = g_ptr_array_index (bob_errors, 1);
  g_assert_error (cut, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_CLOSED);
  WAIT_UNTIL (sotto_test_proxy_count_links (proxy, NULL) == 0, "the proxy to let go");

  sotto_test_server_restart (fixture->server);
  sotto_test_user_wait_state (alice, SOTTO_CLIENT_ONLINE);
  sotto_test_user_wait_state (bob, SOTTO_CLIENT_ONLINE);
  g_assert_cmpuint (sotto_test_proxy_count_links (proxy, NULL), ==, 2);
  sotto_test_user_wait_sent (sotto_test_user_say (alice, alice_room, "still talking"));
  sotto_test_user_wait_for_text (bob_room, "alice", "still talking");

  g_signal_handlers_disconnect_by_data (bob, bob_errors);
  g_signal_handlers_disconnect_by_data (alice, alice_errors);
}

/* Everything the server is sent and sends, decrypted from the channel. */
static GBytes *
record_cb (SottoTestProxy          *proxy,
           SottoTestProxyLink      *link,
           SottoTestProxyDirection  direction,
           GBytes                  *message,
           gpointer                 user_data)
{
  g_ptr_array_add (user_data, g_bytes_ref (message));
  return g_bytes_ref (message);
}

static gboolean
bytes_contain (const guint8 *data,
               gsize         size,
               const char   *needle)
{
  gsize len = strlen (needle);

  for (gsize i = 0; i + len <= size; i++)
    if (memcmp (data + i, needle, len) == 0)
      return TRUE;
  return FALSE;
}

/* Whether @needle is in @node, in the clear or in any base64 string. */
static gboolean
json_contains (JsonNode   *node,
               const char *needle)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      g_autoptr(GList) members = json_object_get_members (object);

      for (GList *l = members; l != NULL; l = l->next)
        if (json_contains (json_object_get_member (object, l->data), needle))
          return TRUE;
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        if (json_contains (json_array_get_element (array, i), needle))
          return TRUE;
    }
  else if (json_node_get_value_type (node) == G_TYPE_STRING)
    {
      const char *text = json_node_get_string (node);
      g_autofree guint8 *decoded = NULL;
      gsize size = 0;

      if (strstr (text, needle) != NULL)
        return TRUE;
      decoded = g_base64_decode (text, &size);
      if (decoded != NULL && bytes_contain (decoded, size, needle))
        return TRUE;
    }

  return FALSE;
}

/* What the server sees, once the channel is decrypted: of a whole
 * conversation it gets no word that was said and no password, neither in
 * the clear nor in any base64 field; and the envelopes of short messages
 * of different lengths are all the same size. (The network capture of
 * tests/test-no-plaintext.c shows the channel's encryption; this shows
 * the end-to-end one, from the server's side of it.) */
static void
test_sees_no_plaintext (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  const char *said[] = { "Meet at the old mill", "see you", "bring the blue folder, not the red one" };
  g_autoptr(SottoClient) alice = NULL;
  g_autoptr(SottoClient) bob = NULL;
  SottoRoom *alice_room, *bob_room;
  gsize envelope_size = 0;
  guint envelopes = 0;

  sotto_test_proxy_set_hook (fixture->proxy, record_cb, seen);
  alice = new_user (fixture, "alice");
  bob = new_user (fixture, "bob");
  join_lobby (fixture, alice, bob, &alice_room, &bob_room);
  for (guint i = 0; i < G_N_ELEMENTS (said); i++)
    {
      SottoClient *from = i % 2 == 0 ? alice : bob;
      SottoRoom *from_room = i % 2 == 0 ? alice_room : bob_room;

      sotto_test_user_wait_sent (sotto_test_user_say (from, from_room, said[i]));
      sotto_test_user_wait_for_text (i % 2 == 0 ? bob_room : alice_room,
                                     i % 2 == 0 ? "alice" : "bob", said[i]);
    }
  sotto_test_proxy_set_hook (fixture->proxy, NULL, NULL);

  g_assert_cmpuint (seen->len, >, 20);
  for (guint i = 0; i < seen->len; i++)
    {
      GBytes *message = g_ptr_array_index (seen, i);
      g_autofree char *json = g_strndup (g_bytes_get_data (message, NULL),
                                         g_bytes_get_size (message));
      g_autoptr(JsonNode) node = json_from_string (json, NULL);
      g_autofree char *type = sotto_test_json_type (message);

      g_assert_nonnull (node);
      for (guint j = 0; j < G_N_ELEMENTS (said); j++)
        g_assert_false (json_contains (node, said[j]));
      g_assert_false (json_contains (node, SOTTO_HOSTILE_PASSWORD));

      if (g_strcmp0 (type, "send") == 0)
        {
          g_autofree char *text = sotto_test_json_get_string (message, "envelope");
          g_autofree guint8 *envelope = NULL;
          gsize size = 0;

          envelope = g_base64_decode (text, &size);
          if (envelope_size == 0)
            envelope_size = size;
          g_assert_cmpuint (size, ==, envelope_size);
          envelopes++;
        }
    }
  g_assert_cmpuint (envelopes, ==, G_N_ELEMENTS (said));
}

/* A "blob" cut short, as a broken or hostile server might send it: the
 * client says so and drops the connection, then comes back; nothing
 * crashes and nothing hangs. */
static void
test_bad_piece (Fixture       *fixture,
                gconstpointer  data)
{
  SottoTestProxy *proxy = fixture->proxy;
  g_autoptr(SottoClient) alice = new_user (fixture, "alice");
  g_autoptr(SottoClient) bob = new_user (fixture, "bob");
  g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func (free_reason);
  static const guint8 blob_id[SOTTO_PROTOCOL_BLOB_ID_BYTES] = { 1, 2, 3 };
  g_autoptr(GBytes) piece = g_bytes_new_static ("\n\n\n", 3);
  g_autoptr(GBytes) whole = sotto_msg_build_blob ("r1", blob_id, 0, piece, 41);
  g_autoptr(GBytes) cut = g_bytes_new_from_bytes (whole, 0, g_bytes_get_size (whole) - 1);
  SottoRoom *alice_room, *bob_room;
  const GError *reason;

  join_lobby (fixture, alice, bob, &alice_room, &bob_room);
  g_signal_connect (bob, "disconnected", G_CALLBACK (record_disconnected_cb), errors);

  g_test_expect_message ("sotto-client", G_LOG_LEVEL_WARNING,
                         "The server sent an invalid message: binary message “blob”: "
                         "it ends inside field “data”");
  sotto_test_proxy_inject_to_user (proxy, "bob", cut);
  WAIT_UNTIL (errors->len == 1, "bob to drop the connection");
  g_test_assert_expected_messages ();
  reason = g_ptr_array_index (errors, 0);
  g_assert_error (reason, SOTTO_PROTOCOL_ERROR, SOTTO_PROTOCOL_ERROR_MALFORMED);

  sotto_test_user_wait_state (bob, SOTTO_CLIENT_ONLINE);
  sotto_test_user_wait_sent (sotto_test_user_say (alice, alice_room, "still here"));
  sotto_test_user_wait_for_text (bob_room, "alice", "still here");
  g_signal_handlers_disconnect_by_data (bob, errors);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (sodium_init (), >=, 0);

#define ADD(path, func) \
  g_test_add ("/sotto/hostile-server/" path, Fixture, NULL, sotto_hostile_fixture_setup, func, \
              sotto_hostile_fixture_teardown)
  ADD ("transparent", test_transparent);
  ADD ("drop-and-inject", test_drop_and_inject);
  ADD ("cut", test_cut);
  ADD ("server-ends", test_server_ends);
  ADD ("sees-no-plaintext", test_sees_no_plaintext);
  ADD ("bad-piece", test_bad_piece);
#undef ADD

  return g_test_run ();
}
