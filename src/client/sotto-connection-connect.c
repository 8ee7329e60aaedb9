/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "sotto-connection-private.h"

/*
 * Connecting: name lookup and TCP connect with a timeout, the handshake
 * with the pin store, and on first contact the wait for the user to trust
 * the server's key. What is left then is the server's welcome, which
 * comes through the channel.
 */

#define DEFAULT_PORT 7777

static GError *
error_from_connect (SottoConnection *self,
                    const GError    *error)
{
  if (error->domain == G_RESOLVER_ERROR)
    return g_error_new (SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_RESOLVE,
                        _("Could not find the server %s"), self->server);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    return g_error_new (SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_REFUSED,
                        _("No Sotto server is running at %s"), self->server);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return g_error_new (SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_TIMED_OUT,
                        _("%s did not answer in time"), self->server);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_error_copy (error);

  return g_error_new (SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_FAILED,
                      _("Could not connect to %s: %s"), self->server, error->message);
}

static void
handshake_done_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(SottoConnection) self = user_data;
  GError *error = NULL;
  SottoChannel *channel;

  channel = sotto_client_handshake_run_finish (SOTTO_CLIENT_HANDSHAKE (object), result, &error);
  if (self->connect_task == NULL || self->handshake != SOTTO_CLIENT_HANDSHAKE (object))
    {
      g_clear_object (&channel);
      g_clear_error (&error);
      return;
    }

  /* Kept past the handshake, for the dialog that explains a key change. */
  g_free (self->server_fingerprint);
  self->server_fingerprint = g_strdup (sotto_client_handshake_get_server_fingerprint (self->handshake));
  g_free (self->pinned_fingerprint);
  self->pinned_fingerprint = g_strdup (sotto_client_handshake_get_pinned_fingerprint (self->handshake));

  if (channel == NULL)
    {
      if (g_error_matches (error, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_SERVER_KEY_UNKNOWN))
        {
          /* The connection waits while the user decides. */
          g_autoptr(GTask) task = g_steal_pointer (&self->connect_task);

          g_clear_handle_id (&self->connect_timeout_id, g_source_remove);
          _sotto_connection_set_state (self, SOTTO_CONNECTION_AWAITING_TRUST);
          g_task_return_error (task, error);
          return;
        }

      if (error->domain != SOTTO_WIRE_ERROR)
        {
          GError *mapped = error_from_connect (self, error);

          g_error_free (error);
          error = mapped;
        }
      _sotto_connection_fail_connect (self, error);
      return;
    }

  _sotto_connection_start_channel (self, channel);
}

static gboolean
connect_timeout_cb (gpointer user_data)
{
  SottoConnection *self = user_data;

  self->connect_timeout_id = 0;
  _sotto_connection_fail_connect (self, g_error_new (SOTTO_CLIENT_ERROR,
                                                     SOTTO_CLIENT_ERROR_TIMED_OUT,
                                                     _("%s did not answer in time"),
                                                     self->server));

  return G_SOURCE_REMOVE;
}

static void
socket_connected_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(SottoConnection) self = user_data;
  g_autoptr(GError) error = NULL;
  GSocketConnection *socket;

  socket = g_socket_client_connect_finish (G_SOCKET_CLIENT (object), result, &error);
  if (self->connect_task == NULL)
    {
      g_clear_object (&socket);
      return;
    }

  if (socket == NULL)
    {
      _sotto_connection_fail_connect (self, error_from_connect (self, error));
      return;
    }

  self->socket = socket;
  /* The client's timeout was for connecting; on the socket it would also
   * end a quiet connection. The connect timer covers the handshake. */
  g_socket_set_timeout (g_socket_connection_get_socket (socket), 0);
  g_socket_set_option (g_socket_connection_get_socket (socket), IPPROTO_TCP, TCP_NODELAY,
                       TRUE, NULL);
  _sotto_connection_set_state (self, SOTTO_CONNECTION_HANDSHAKING);
  self->handshake = sotto_client_handshake_new (G_IO_STREAM (socket), self->server, self->pins);
  sotto_client_handshake_run_async (self->handshake, g_task_get_cancellable (self->connect_task),
                                    handshake_done_cb, g_object_ref (self));
}

static GTask *
connect_task_new (SottoConnection     *self,
                  gpointer             source_tag,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  self->connect_timeout_id = g_timeout_add_seconds (self->timeout, connect_timeout_cb, self);

  return task;
}

/**
 * sotto_connection_connect_async:
 *
 * Looks up the server, connects, runs the handshake and waits for the
 * server's welcome. On first contact it ends with
 * %SOTTO_WIRE_ERROR_SERVER_KEY_UNKNOWN and waits: show
 * sotto_connection_get_server_fingerprint() to the user, then call
 * sotto_connection_trust_server_async() or sotto_connection_close().
 */
void
sotto_connection_connect_async (SottoConnection     *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GSocketConnectable) address = NULL;
  g_autoptr(GSocketClient) client = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (SOTTO_IS_CONNECTION (self));
  g_return_if_fail (self->connect_task == NULL);
  g_return_if_fail (self->state == SOTTO_CONNECTION_DISCONNECTED);

  self->connect_task = connect_task_new (self, sotto_connection_connect_async, cancellable,
                                         callback, user_data);

  address = g_network_address_parse (self->server, DEFAULT_PORT, &error);
  if (address == NULL)
    {
      _sotto_connection_fail_connect (self,
                                      g_error_new (SOTTO_CLIENT_ERROR,
                                                   SOTTO_CLIENT_ERROR_BAD_ADDRESS,
                                                   _("“%s” is not a server address: use HOST or HOST:PORT"),
                                                   self->server));
      return;
    }

  _sotto_connection_set_state (self, SOTTO_CONNECTION_CONNECTING);
  client = g_socket_client_new ();
  g_socket_client_set_timeout (client, self->timeout);
  g_socket_client_connect_async (client, address, g_task_get_cancellable (self->connect_task),
                                 socket_connected_cb, g_object_ref (self));
}

gboolean
sotto_connection_connect_finish (SottoConnection  *self,
                                 GAsyncResult     *result,
                                 GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * sotto_connection_trust_server_async:
 *
 * After a first contact, pins the server's key and finishes connecting.
 */
void
sotto_connection_trust_server_async (SottoConnection     *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  GError *error = NULL;
  SottoChannel *channel;

  g_return_if_fail (SOTTO_IS_CONNECTION (self));
  g_return_if_fail (self->state == SOTTO_CONNECTION_AWAITING_TRUST);

  self->connect_task = connect_task_new (self, sotto_connection_trust_server_async, cancellable,
                                         callback, user_data);
  channel = sotto_client_handshake_trust_server (self->handshake, &error);
  if (channel == NULL)
    {
      _sotto_connection_fail_connect (self, error);
      return;
    }

  _sotto_connection_set_state (self, SOTTO_CONNECTION_HANDSHAKING);
  _sotto_connection_start_channel (self, channel);
}

gboolean
sotto_connection_trust_server_finish (SottoConnection  *self,
                                      GAsyncResult     *result,
                                      GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
