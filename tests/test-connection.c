/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sotto-connection.h"
#include "sotto-test-server.h"
#include "sotto-test-util.h"

/*
 * The client core's connection against the real server over loopback:
 * first contact and trust, pins, every failure a user may meet, requests
 * and events.
 */

typedef struct
{
  SottoTestServer   *server;
  char              *dir;
  SottoFilePinStore *pins;
  char              *address;
} Fixture;

typedef struct
{
  gboolean  done;
  gboolean  ok;
  SottoMsg *reply;
  GError   *error;
} Outcome;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autofree char *pin_path = NULL;

  fixture->server = sotto_test_server_start (NULL, NULL);
  fixture->dir = sotto_test_make_data_dir ();
  pin_path = g_build_filename (fixture->dir, "pins.ini", NULL);
  fixture->pins = sotto_file_pin_store_new (pin_path);
  fixture->address = g_strdup_printf ("127.0.0.1:%u", sotto_test_server_get_port (fixture->server));
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  if (sotto_test_server_is_running (fixture->server))
    sotto_test_server_stop (fixture->server);
  g_clear_pointer (&fixture->server, sotto_test_server_free);
  g_assert_finalize_object (fixture->pins);
  sotto_test_remove_dir (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->address);
}

static void
outcome_clear (Outcome *outcome)
{
  g_clear_pointer (&outcome->reply, sotto_msg_unref);
  g_clear_error (&outcome->error);
  outcome->done = FALSE;
}

static void
connected_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Outcome *outcome = user_data;

  outcome->ok = sotto_connection_connect_finish (SOTTO_CONNECTION (object), result,
                                                 &outcome->error);
  outcome->done = TRUE;
}

static void
trusted_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Outcome *outcome = user_data;

  outcome->ok = sotto_connection_trust_server_finish (SOTTO_CONNECTION (object), result,
                                                      &outcome->error);
  outcome->done = TRUE;
}

static void
answered_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Outcome *outcome = user_data;

  outcome->reply = sotto_connection_request_finish (SOTTO_CONNECTION (object), result,
                                                    &outcome->error);
  outcome->done = TRUE;
}

static void
connect_and_wait (SottoConnection *connection,
                  Outcome         *outcome)
{
  outcome_clear (outcome);
  sotto_connection_connect_async (connection, NULL, connected_cb, outcome);
  sotto_test_wait_for (&outcome->done);
}

/* Connects, trusting the server on first contact as a user would. */
static SottoConnection *
connect_trusting (Fixture *fixture)
{
  SottoConnection *connection = sotto_connection_new (fixture->address,
                                                      SOTTO_PIN_STORE (fixture->pins));
  Outcome outcome = { FALSE };

  connect_and_wait (connection, &outcome);
  if (g_error_matches (outcome.error, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_SERVER_KEY_UNKNOWN))
    {
      outcome_clear (&outcome);
      sotto_connection_trust_server_async (connection, NULL, trusted_cb, &outcome);
      sotto_test_wait_for (&outcome.done);
    }
  g_assert_no_error (outcome.error);
  g_assert_cmpint (sotto_connection_get_state (connection), ==, SOTTO_CONNECTION_CONNECTED);

  return connection;
}

static SottoMsg *
request (SottoConnection  *connection,
         GBytes         *(*build) (const char *id, const char *arg),
         const char       *arg,
         GError          **error)
{
  g_autofree char *id = sotto_connection_next_id (connection);
  g_autoptr(GBytes) message = build (id, arg);
  Outcome outcome = { FALSE };

  sotto_connection_request_async (connection, id, message, NULL, answered_cb, &outcome);
  sotto_test_wait_for (&outcome.done);
  if (outcome.error != NULL)
    g_propagate_error (error, g_steal_pointer (&outcome.error));

  return outcome.reply;
}

static GBytes *
build_register (const char *id,
                const char *name)
{
  SottoWireIdentity identity;

  randombytes_buf (&identity, sizeof identity);
  return sotto_msg_build_register (id, name, "correct horse battery", &identity, NULL);
}

static void
test_first_contact (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(SottoConnection) connection = sotto_connection_new (fixture->address,
                                                                SOTTO_PIN_STORE (fixture->pins));
  g_autoptr(SottoConnection) again = NULL;
  Outcome outcome = { FALSE };
  guint8 pinned[32];

  connect_and_wait (connection, &outcome);
  g_assert_error (outcome.error, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_SERVER_KEY_UNKNOWN);
  g_assert_cmpint (sotto_connection_get_state (connection), ==, SOTTO_CONNECTION_AWAITING_TRUST);
  g_assert_cmpstr (sotto_connection_get_server_fingerprint (connection), ==,
                   sotto_test_server_get_fingerprint (fixture->server));
  g_assert_false (sotto_pin_store_lookup (SOTTO_PIN_STORE (fixture->pins), fixture->address,
                                          pinned));

  outcome_clear (&outcome);
  sotto_connection_trust_server_async (connection, NULL, trusted_cb, &outcome);
  sotto_test_wait_for (&outcome.done);
  g_assert_no_error (outcome.error);
  g_assert_cmpint (sotto_connection_get_state (connection), ==, SOTTO_CONNECTION_CONNECTED);
  g_assert_cmpstr (sotto_connection_get_server_version (connection), ==, PACKAGE_VERSION);
  g_assert_cmpuint (sotto_connection_get_min_password (connection), ==, 8);
  g_assert_true (sotto_pin_store_lookup (SOTTO_PIN_STORE (fixture->pins), fixture->address,
                                         pinned));

  /* The second time there is nothing to ask. */
  again = sotto_connection_new (fixture->address, SOTTO_PIN_STORE (fixture->pins));
  outcome_clear (&outcome);
  connect_and_wait (again, &outcome);
  g_assert_no_error (outcome.error);
  g_assert_true (outcome.ok);
  outcome_clear (&outcome);
}

static void
test_refuse_first_contact (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(SottoConnection) connection = sotto_connection_new (fixture->address,
                                                                SOTTO_PIN_STORE (fixture->pins));
  Outcome outcome = { FALSE };
  guint8 pinned[32];

  connect_and_wait (connection, &outcome);
  g_assert_error (outcome.error, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_SERVER_KEY_UNKNOWN);
  sotto_connection_close (connection);
  g_assert_cmpint (sotto_connection_get_state (connection), ==, SOTTO_CONNECTION_DISCONNECTED);
  g_assert_false (sotto_pin_store_lookup (SOTTO_PIN_STORE (fixture->pins), fixture->address,
                                          pinned));
  outcome_clear (&outcome);
}

static void
test_key_changed (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(SottoConnection) connection = sotto_connection_new (fixture->address,
                                                                SOTTO_PIN_STORE (fixture->pins));
  g_autoptr(GError) error = NULL;
  Outcome outcome = { FALSE };
  guint8 other[32];

  randombytes_buf (other, sizeof other);
  sotto_pin_store_pin (SOTTO_PIN_STORE (fixture->pins), fixture->address, other, &error);
  g_assert_no_error (error);

  connect_and_wait (connection, &outcome);
  g_assert_error (outcome.error, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_SERVER_KEY_CHANGED);
  g_assert_cmpint (sotto_connection_get_state (connection), ==, SOTTO_CONNECTION_DISCONNECTED);
  g_assert_cmpstr (sotto_connection_get_server_fingerprint (connection), ==,
                   sotto_test_server_get_fingerprint (fixture->server));
  g_assert_nonnull (sotto_connection_get_pinned_fingerprint (connection));
  outcome_clear (&outcome);
}

static void
test_failures (Fixture       *fixture,
               gconstpointer  data)
{
  static const struct {
    const char *address;
    int         code;
  } cases[] = {
    { "127.0.0.1:1", SOTTO_CLIENT_ERROR_REFUSED },
    { "no-such-host.invalid:7777", SOTTO_CLIENT_ERROR_RESOLVE },
    { "[::1:7777", SOTTO_CLIENT_ERROR_BAD_ADDRESS },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(SottoConnection) connection = sotto_connection_new (cases[i].address,
                                                                    SOTTO_PIN_STORE (fixture->pins));
      Outcome outcome = { FALSE };

      connect_and_wait (connection, &outcome);
      g_assert_error (outcome.error, SOTTO_CLIENT_ERROR, cases[i].code);
      g_assert_nonnull (strstr (outcome.error->message, cases[i].address));
      g_assert_cmpint (sotto_connection_get_state (connection), ==, SOTTO_CONNECTION_DISCONNECTED);
      outcome_clear (&outcome);
    }
}

/* A listener that accepts and then says nothing. */
static void
test_timeout (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SottoConnection) connection = NULL;
  g_autofree char *address = NULL;
  Outcome outcome = { FALSE };
  gint64 start;

  g_socket_listener_add_address (listener, any, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                 NULL, &bound, &error);
  g_assert_no_error (error);
  address = g_strdup_printf ("127.0.0.1:%u",
                             g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));

  connection = sotto_connection_new (address, SOTTO_PIN_STORE (fixture->pins));
  sotto_connection_set_timeout (connection, 1);
  start = g_get_monotonic_time ();
  connect_and_wait (connection, &outcome);
  g_assert_error (outcome.error, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_TIMED_OUT);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_USEC_PER_SEC);
  outcome_clear (&outcome);
}

static void
collect_event_cb (SottoConnection *connection,
                  SottoMsg        *msg,
                  gpointer         user_data)
{
  g_ptr_array_add (user_data, sotto_msg_ref (msg));
}

static void
test_requests_and_events (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(SottoConnection) alice = connect_trusting (fixture);
  g_autoptr(SottoConnection) bob = connect_trusting (fixture);
  g_autoptr(SottoMsg) session = NULL;
  g_autoptr(SottoMsg) taken = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) sotto_msg_unref);

  session = request (alice, build_register, "alice", &error);
  g_assert_no_error (error);
  g_assert_cmpint (sotto_msg_get_msg_type (session), ==, SOTTO_MSG_TYPE_SESSION);

  /* An error answer is a sentence for the user, with its code. */
  taken = request (bob, build_register, "alice", &error);
  g_assert_null (taken);
  g_assert_true (sotto_client_error_is_server (error, SOTTO_MSG_ERROR_CODE_NAME_TAKEN));
  g_assert_cmpint (sotto_client_error_to_server (error), ==, SOTTO_MSG_ERROR_CODE_NAME_TAKEN);
  g_assert_cmpstr (error->message, ==, "That name is taken");
  g_clear_error (&error);

  /* What the server sends on its own comes out as events. */
  g_signal_connect (alice, "event", G_CALLBACK (collect_event_cb), events);
  g_clear_pointer (&session, sotto_msg_unref);
  session = request (bob, build_register, "bob", &error);
  g_assert_no_error (error);
  /* Bob joined general and came online: alice hears both. */
  while (events->len < 2)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (sotto_msg_get_msg_type (g_ptr_array_index (events, 0)), ==,
                   SOTTO_MSG_TYPE_MEMBER_JOINED);
  g_assert_cmpint (sotto_msg_get_msg_type (g_ptr_array_index (events, 1)), ==,
                   SOTTO_MSG_TYPE_PRESENCE);
  g_signal_handlers_disconnect_by_data (alice, events);
}

static void
closed_cb (SottoConnection *connection,
           const GError    *error,
           gpointer         user_data)
{
  *(gboolean *) user_data = TRUE;
}

static void
test_server_goes_away (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(SottoConnection) connection = connect_trusting (fixture);
  g_autoptr(GError) error = NULL;
  g_autoptr(SottoMsg) reply = NULL;
  gboolean closed = FALSE;

  g_signal_connect (connection, "closed", G_CALLBACK (closed_cb), &closed);
  sotto_test_server_stop (fixture->server);
  sotto_test_wait_for (&closed);
  g_assert_cmpint (sotto_connection_get_state (connection), ==, SOTTO_CONNECTION_DISCONNECTED);

  reply = request (connection, build_register, "late", &error);
  g_assert_null (reply);
  g_assert_error (error, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_DISCONNECTED);
  g_signal_handlers_disconnect_by_data (connection, &closed);
}

typedef struct
{
  SottoConnection *connection;
  Outcome          again;
  gboolean         first_done;
} AskAgain;

/* The first request failed as its connection ended: ask again at once,
 * as a handover queue does for the next member. */
static void
ask_again_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  AskAgain *ask = user_data;
  g_autoptr(SottoMsg) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = sotto_connection_next_id (ask->connection);
  g_autoptr(GBytes) message = build_register (id, "again");

  reply = sotto_connection_request_finish (ask->connection, result, &error);
  g_assert_null (reply);
  g_assert_error (error, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_DISCONNECTED);
  ask->first_done = TRUE;
  sotto_connection_request_async (ask->connection, id, message, NULL, answered_cb, &ask->again);
}

/* A request made from the callback of one that failed as the connection
 * ended fails too, cleanly, though the channel is already gone. */
static void
test_ask_again_as_it_ends (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(SottoConnection) connection = connect_trusting (fixture);
  g_autofree char *id = sotto_connection_next_id (connection);
  g_autoptr(GBytes) message = NULL;
  AskAgain ask = { connection, { FALSE }, FALSE };
  gboolean closed = FALSE;

  g_signal_connect (connection, "closed", G_CALLBACK (closed_cb), &closed);
  message = build_register (id, "first");
  sotto_connection_request_async (connection, id, message, NULL, ask_again_cb, &ask);
  sotto_test_server_kill (fixture->server);
  sotto_test_wait_for (&closed);
  sotto_test_wait_for (&ask.again.done);
  g_assert_true (ask.first_done);
  g_assert_null (ask.again.reply);
  g_assert_error (ask.again.error, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_DISCONNECTED);
  g_clear_error (&ask.again.error);
  g_signal_handlers_disconnect_by_data (connection, &closed);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (sodium_init (), >=, 0);

#define ADD(path, func) \
  g_test_add ("/sotto/client/connection/" path, Fixture, NULL, fixture_setup, func, \
              fixture_teardown)
  ADD ("first-contact", test_first_contact);
  ADD ("refuse-first-contact", test_refuse_first_contact);
  ADD ("key-changed", test_key_changed);
  ADD ("failures", test_failures);
  ADD ("timeout", test_timeout);
  ADD ("requests-and-events", test_requests_and_events);
  ADD ("server-goes-away", test_server_goes_away);
  ADD ("ask-again-as-it-ends", test_ask_again_as_it_ends);
#undef ADD

  return g_test_run ();
}
