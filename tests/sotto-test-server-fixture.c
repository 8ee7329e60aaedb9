/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sotto-test-server-fixture.h"

void
sotto_server_fixture_setup (SottoServerFixture *fixture,
                            gconstpointer       data)
{
  fixture->server = sotto_test_server_start (NULL, NULL);
}

void
sotto_server_fixture_teardown (SottoServerFixture *fixture,
                               gconstpointer       data)
{
  if (sotto_test_server_is_running (fixture->server))
    sotto_test_server_stop (fixture->server);
  g_clear_pointer (&fixture->server, sotto_test_server_free);
  g_clear_pointer (&fixture->identities, g_hash_table_unref);
}

SottoTestClient *
sotto_server_fixture_new_user (SottoServerFixture *fixture,
                               const char         *name)
{
  SottoTestClient *client = sotto_test_client_connect (fixture->server);
  g_autoptr(SottoMsg) reply = sotto_test_client_register (client, name, SOTTO_TEST_PASSWORD);
  SottoWireIdentity *identity = g_new (SottoWireIdentity, 1);

  g_assert_cmpint (sotto_msg_get_msg_type (reply), ==, SOTTO_MSG_TYPE_SESSION);
  sotto_test_client_identity (client, identity);
  if (fixture->identities == NULL)
    fixture->identities = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_replace (fixture->identities, g_strdup (name), identity);
  return client;
}

SottoTestClient *
sotto_server_fixture_log_in (SottoServerFixture *fixture,
                             const char         *name)
{
  return sotto_server_fixture_log_in_as (fixture, name, NULL);
}

/* @name logging in with @identity, or if %NULL from the device @name
 * registered from (a new one of the test client's own if the fixture did
 * not register @name). */
SottoTestClient *
sotto_server_fixture_log_in_as (SottoServerFixture      *fixture,
                                const char              *name,
                                const SottoWireIdentity *identity)
{
  SottoTestClient *client = sotto_test_client_connect (fixture->server);
  g_autoptr(SottoMsg) reply = NULL;

  if (identity == NULL && fixture->identities != NULL)
    identity = g_hash_table_lookup (fixture->identities, name);

  if (identity != NULL)
    sotto_test_client_set_identity (client, identity);
  reply = sotto_test_client_login (client, name, SOTTO_TEST_PASSWORD);
  g_assert_cmpint (sotto_msg_get_msg_type (reply), ==, SOTTO_MSG_TYPE_SESSION);
  return client;
}

void
sotto_test_client_expect_ok (SottoTestClient *client,
                             const char      *id)
{
  g_autoptr(SottoMsg) reply = sotto_test_client_expect_reply (client, id);

  if (sotto_msg_get_msg_type (reply) == SOTTO_MSG_TYPE_ERROR)
    g_error ("Request %s failed: %s", id, sotto_msg_get_string (reply, "message"));
}

SottoMsg *
sotto_test_client_join (SottoTestClient *client,
                        const char      *room)
{
  g_autoptr(SottoMsg) reply = sotto_test_client_request (client, sotto_msg_build_join, room);

  g_assert_cmpint (sotto_msg_get_msg_type (reply), ==, SOTTO_MSG_TYPE_JOINED);
  return g_steal_pointer (&reply);
}

GBytes *
sotto_test_envelope_of (const char *text)
{
  return g_bytes_new (text, strlen (text));
}

/* Sends a room message and returns the server's "sent". */
SottoMsg *
sotto_test_client_say (SottoTestClient *client,
                       const char      *room,
                       const char      *msg_id,
                       const char      *text)
{
  g_autofree char *id = sotto_test_client_next_id (client);
  g_autoptr(GBytes) envelope = sotto_test_envelope_of (text);
  g_autoptr(SottoMsg) reply = NULL;

  sotto_test_client_send_take (client, sotto_msg_build_send (id, room, msg_id, envelope));
  reply = sotto_test_client_expect_reply (client, id);
  g_assert_cmpint (sotto_msg_get_msg_type (reply), ==, SOTTO_MSG_TYPE_SENT);

  return g_steal_pointer (&reply);
}

void
sotto_test_assert_message (SottoMsg   *msg,
                           const char *room,
                           const char *sender,
                           const char *text)
{
  g_autoptr(GBytes) envelope = sotto_msg_dup_bytes (msg, "envelope");

  g_assert_cmpint (sotto_msg_get_msg_type (msg), ==, SOTTO_MSG_TYPE_MESSAGE);
  g_assert_cmpstr (sotto_msg_get_string (msg, "room"), ==, room);
  g_assert_cmpstr (sotto_msg_get_string (msg, "sender"), ==, sender);
  g_assert_cmpmem (g_bytes_get_data (envelope, NULL), g_bytes_get_size (envelope),
                   text, strlen (text));
}

/* Reads catch-up pages of @limit until the server says there is no more. */
void
sotto_test_client_catch_up (SottoTestClient  *client,
                            const char       *room,
                            gint64            after,
                            gint64            limit,
                            SottoTestCatchUp *result)
{
  gboolean more = TRUE;

  result->last = after;
  while (more)
    {
      g_autofree char *id = sotto_test_client_next_id (client);
      g_autoptr(SottoMsg) done = NULL;

      sotto_test_client_send_take (client, sotto_msg_build_catchup (id, room, result->last, limit));
      done = sotto_test_client_expect_reply (client, id);
      g_assert_cmpint (sotto_msg_get_msg_type (done), ==, SOTTO_MSG_TYPE_CATCHUP_DONE);

      for (;;)
        {
          g_autoptr(SottoMsg) msg = NULL;
          gint64 seq;

          if (sotto_test_client_count (client, SOTTO_MSG_TYPE_MESSAGE) == 0)
            break;
          msg = sotto_test_client_expect (client, SOTTO_MSG_TYPE_MESSAGE);
          seq = sotto_msg_get_int (msg, "seq");
          g_assert_cmpint (seq, >, result->last);
          g_assert_true (g_hash_table_add (result->seen, g_strdup (sotto_msg_get_string (msg, "msg_id"))));
          result->last = seq;
        }

      g_assert_cmpint (sotto_msg_get_int (done, "last_seq"), >=, result->last);
      result->last = sotto_msg_get_int (done, "last_seq");
      more = sotto_msg_get_bool (done, "more");
    }
}

/* The room state chain: opaque events at consecutive indexes. */

SottoMsg *
sotto_test_client_append_state (SottoTestClient *client,
                                const char      *room,
                                gint64           index,
                                const char      *text)
{
  g_autofree char *id = sotto_test_client_next_id (client);
  g_autoptr(GBytes) event = sotto_test_envelope_of (text);

  sotto_test_client_send_take (client, sotto_msg_build_state (id, room, index, event));
  return sotto_test_client_expect_reply (client, id);
}

void
sotto_test_client_append_state_ok (SottoTestClient *client,
                                   const char      *room,
                                   gint64           index,
                                   const char      *text)
{
  g_autoptr(SottoMsg) reply = sotto_test_client_append_state (client, room, index, text);

  if (sotto_msg_get_msg_type (reply) == SOTTO_MSG_TYPE_ERROR)
    g_error ("Appending %s at %" G_GINT64_FORMAT " failed: %s", text, index,
             sotto_msg_get_string (reply, "message"));
  g_assert_cmpint (sotto_msg_get_msg_type (reply), ==, SOTTO_MSG_TYPE_OK);
}

void
sotto_test_assert_state_event (SottoMsg   *msg,
                               const char *room,
                               gint64      index,
                               const char *sender,
                               const char *text)
{
  g_autoptr(GBytes) event = sotto_msg_dup_bytes (msg, "event");

  g_assert_cmpint (sotto_msg_get_msg_type (msg), ==, SOTTO_MSG_TYPE_STATE_EVENT);
  g_assert_cmpstr (sotto_msg_get_string (msg, "room"), ==, room);
  g_assert_cmpint (sotto_msg_get_int (msg, "index"), ==, index);
  g_assert_cmpstr (sotto_msg_get_string (msg, "sender"), ==, sender);
  g_assert_cmpint (sotto_msg_get_int (msg, "ts"), >, 0);
  g_assert_cmpmem (g_bytes_get_data (event, NULL), g_bytes_get_size (event),
                   text, strlen (text));
}

/* Asks for one page of the chain; returns "state_done" and the events in
 * @events (of SottoMsg), which it empties first. */
SottoMsg *
sotto_test_client_state_catchup (SottoTestClient *client,
                                 const char      *room,
                                 gint64           from,
                                 gint64           limit,
                                 GPtrArray       *events)
{
  g_autofree char *id = sotto_test_client_next_id (client);
  g_autoptr(SottoMsg) done = NULL;

  g_ptr_array_set_size (events, 0);
  sotto_test_client_send_take (client, sotto_msg_build_state_catchup (id, room, from, limit));
  done = sotto_test_client_expect_reply (client, id);
  if (sotto_msg_get_msg_type (done) == SOTTO_MSG_TYPE_ERROR)
    return g_steal_pointer (&done);

  g_assert_cmpint (sotto_msg_get_msg_type (done), ==, SOTTO_MSG_TYPE_STATE_DONE);
  g_assert_cmpstr (sotto_msg_get_string (done, "room"), ==, room);
  while (sotto_test_client_count (client, SOTTO_MSG_TYPE_STATE_EVENT) > 0)
    g_ptr_array_add (events, sotto_test_client_expect (client, SOTTO_MSG_TYPE_STATE_EVENT));

  return g_steal_pointer (&done);
}
