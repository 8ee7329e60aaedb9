/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sotto-client-private.h"

/*
 * The client and its connection: making both, connecting and trusting
 * the server on first contact, and coming back by itself after the
 * connection drops, logging in again with the login secret.
 */

#define RECONNECT_FIRST_MS 500
#define RECONNECT_MAX_MS (60 * 1000)

static void connection_closed_cb (SottoConnection *connection,
                                  const GError    *error,
                                  gpointer         user_data);

/* The connection's progress shows through while connecting. */
static void
connection_state_cb (SottoConnection *connection,
                     GParamSpec      *pspec,
                     gpointer         user_data)
{
  SottoClient *self = user_data;
  SottoConnectionState state = sotto_connection_get_state (connection);
  gboolean connected = state == SOTTO_CONNECTION_CONNECTED;

  if (state == SOTTO_CONNECTION_HANDSHAKING && self->state == SOTTO_CLIENT_CONNECTING)
    _sotto_client_set_state (self, SOTTO_CLIENT_HANDSHAKING);

  _sotto_client_set_connected (self, connected);
}

/**
 * sotto_client_new:
 * @data_dir: where this client keeps its state, one folder per server
 *   and account below it
 * @server: "HOST[:PORT]"
 */
SottoClient *
sotto_client_new (const char *data_dir,
                  const char *server)
{
  SottoClient *self;
  g_autofree char *pin_path = NULL;

  g_return_val_if_fail (data_dir != NULL, NULL);
  g_return_val_if_fail (server != NULL, NULL);

  self = g_object_new (SOTTO_TYPE_CLIENT, NULL);
  self->data_dir = g_strdup (data_dir);
  self->server = g_strdup (server);
  pin_path = g_build_filename (data_dir, "servers.ini", NULL);
  self->pins = sotto_file_pin_store_new (pin_path);
  self->connection = sotto_connection_new (server, SOTTO_PIN_STORE (self->pins));
  g_signal_connect (self->connection, "event", G_CALLBACK (_sotto_client_handle_event), self);
  g_signal_connect (self->connection, "closed", G_CALLBACK (connection_closed_cb), self);
  g_signal_connect (self->connection, "notify::state", G_CALLBACK (connection_state_cb), self);

  return self;
}

/* Connecting */

static void
connect_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SottoClient *self = g_task_get_source_object (task);
  GError *error = NULL;
  gboolean ok;

  if (g_task_get_source_tag (task) == sotto_client_trust_server_async)
    ok = sotto_connection_trust_server_finish (SOTTO_CONNECTION (object), result, &error);
  else
    ok = sotto_connection_connect_finish (SOTTO_CONNECTION (object), result, &error);

  if (!ok)
    {
      _sotto_client_set_state (self, g_error_matches (error, SOTTO_WIRE_ERROR,
                                                      SOTTO_WIRE_ERROR_SERVER_KEY_UNKNOWN)
                                     ? SOTTO_CLIENT_AWAITING_TRUST : SOTTO_CLIENT_DISCONNECTED);
      g_task_return_error (task, error);
      return;
    }

  _sotto_client_set_state (self, SOTTO_CLIENT_AUTHENTICATING);
  g_task_return_boolean (task, TRUE);
}

/**
 * sotto_client_connect_async:
 *
 * Connects to the server. On first contact it fails with
 * %SOTTO_WIRE_ERROR_SERVER_KEY_UNKNOWN: show
 * sotto_client_get_server_fingerprint() and call sotto_client_trust_server_async()
 * if the user trusts it.
 */
void
sotto_client_connect_async (SottoClient         *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (SOTTO_IS_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sotto_client_connect_async);
  _sotto_client_set_state (self, SOTTO_CLIENT_CONNECTING);
  sotto_connection_connect_async (self->connection, cancellable, connect_done_cb, task);
}

gboolean
sotto_client_connect_finish (SottoClient   *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
sotto_client_trust_server_async (SottoClient         *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (SOTTO_IS_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sotto_client_trust_server_async);
  _sotto_client_set_state (self, SOTTO_CLIENT_CONNECTING);
  sotto_connection_trust_server_async (self->connection, cancellable, connect_done_cb, task);
}

gboolean
sotto_client_trust_server_finish (SottoClient   *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Reconnecting */

static void schedule_reconnect (SottoClient *self);

static void
relogin_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(SottoClient) self = user_data;
  g_autoptr(SottoMsg) session = NULL;
  g_autoptr(GError) error = NULL;

  session = sotto_connection_request_finish (SOTTO_CONNECTION (object), result, &error);
  if (self->store == NULL)
    return;

  if (session == NULL)
    {
      /* The password changed elsewhere, or the account is gone: that needs
       * the user, not another try. A dropped connection is tried again. */
      if (sotto_client_error_to_server (error) != (SottoMsgErrorCode) -1)
        {
          g_info ("Could not log in again: %s", error->message);
          _sotto_client_set_state (self, SOTTO_CLIENT_DISCONNECTED);
          _sotto_client_emit_connection_lost (self, error);
        }
      else
        schedule_reconnect (self);
      return;
    }

  _sotto_client_start_session (self, session);
}

static void
reconnected_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(SottoClient) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autoptr(GBytes) request = NULL;
  SottoWireIdentity wire;

  if (!sotto_connection_connect_finish (SOTTO_CONNECTION (object), result, &error))
    {
      if (self->store == NULL)
        return;
      /* A server whose key is not the pinned one is never talked to. */
      if (error->domain == SOTTO_WIRE_ERROR)
        {
          g_info ("Not reconnecting: %s", error->message);
          sotto_connection_close (self->connection);
          _sotto_client_set_state (self, SOTTO_CLIENT_DISCONNECTED);
          _sotto_client_emit_connection_lost (self, error);
          return;
        }
      schedule_reconnect (self);
      return;
    }

  if (self->store == NULL)
    return;

  _sotto_client_get_wire_identity (self, &wire);
  id = sotto_connection_next_id (self->connection);
  request = sotto_msg_build_login (id, self->user, self->login_secret, &wire);
  sotto_connection_request_async (self->connection, id, request, self->cancellable,
                                  relogin_done_cb, g_object_ref (self));
}

static gboolean
reconnect_cb (gpointer user_data)
{
  SottoClient *self = user_data;

  self->reconnect_id = 0;
  sotto_connection_connect_async (self->connection, self->cancellable, reconnected_cb,
                                  g_object_ref (self));

  return G_SOURCE_REMOVE;
}

/* Waits longer after each failure (0.5 s, 1 s, 2 s ... 60 s), with a
 * random part so that clients cut off together do not all come back in
 * the same instant. */
static void
schedule_reconnect (SottoClient *self)
{
  guint delay;

  if (self->reconnect_id != 0 || self->store == NULL)
    return;

  delay = MIN ((guint64) RECONNECT_FIRST_MS << MIN (self->reconnect_attempt, 16),
               (guint64) RECONNECT_MAX_MS);
  delay = delay * 3 / 4 + g_random_int_range (0, delay / 2 + 1);
  self->reconnect_attempt++;
  self->reconnect_at = g_get_monotonic_time () + (gint64) delay * 1000;
  self->reconnect_id = g_timeout_add (delay, reconnect_cb, self);
  _sotto_client_set_state (self, SOTTO_CLIENT_RECONNECTING);
}

static void
connection_closed_cb (SottoConnection *connection,
                      const GError    *error,
                      gpointer         user_data)
{
  g_autoptr(SottoClient) self = g_object_ref (SOTTO_CLIENT (user_data));

  if (self->state == SOTTO_CLIENT_ONLINE && self->login_secret != NULL)
    schedule_reconnect (self);

  _sotto_client_emit_disconnected (self, error);
}

/**
 * sotto_client_get_reconnect_time:
 *
 * Returns: the monotonic time (g_get_monotonic_time()) of the next attempt
 *   to reconnect, or 0 when none is planned
 */
gint64
sotto_client_get_reconnect_time (SottoClient *self)
{
  g_return_val_if_fail (SOTTO_IS_CLIENT (self), 0);

  return self->reconnect_id != 0 ? self->reconnect_at : 0;
}
