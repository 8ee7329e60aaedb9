/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-connection-private.h"

/*
 * SottoConnection is one connection of the client core to a server: name
 * lookup and TCP connect with a timeout, the handshake with the pin store,
 * the encrypted channel, and requests matched with their answers by id.
 *
 * Messages the server sends on its own (room events, presence, keys,
 * notices, and the events of a catch-up) come out of the "event" signal in
 * the order they arrived; an answer completes its request only after every
 * event that came before it was emitted.
 *
 * This file is the object, its channel once up, and the requests sent on
 * it; sotto-connection-connect.c gets the channel up.
 */

#define DEFAULT_TIMEOUT_SECONDS 20

G_STATIC_ASSERT (SOTTO_PIECE_MARKER == SOTTO_CHANNEL_WHOLE_FRAME_MARKER);

enum {
  PROP_0,
  PROP_STATE,
  N_PROPS
};

enum {
  EVENT,
  CLOSED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SottoConnection, sotto_connection, G_TYPE_OBJECT)

void
_sotto_connection_set_state (SottoConnection      *self,
                             SottoConnectionState  state)
{
  if (self->state == state)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
drop_connection (SottoConnection *self)
{
  g_clear_handle_id (&self->connect_timeout_id, g_source_remove);
  if (self->channel != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->channel, self);
      sotto_channel_abort (self->channel, NULL);
      g_clear_object (&self->channel);
    }
  g_clear_object (&self->handshake);
  if (self->socket != NULL)
    g_io_stream_close_async (G_IO_STREAM (self->socket), G_PRIORITY_DEFAULT, NULL, NULL, NULL);
  g_clear_object (&self->socket);
}

/* Ends a connect or trust attempt with @error, leaving nothing open. */
void
_sotto_connection_fail_connect (SottoConnection *self,
                                GError          *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->connect_task);

  drop_connection (self);
  _sotto_connection_set_state (self, SOTTO_CONNECTION_DISCONNECTED);
  if (task != NULL)
    g_task_return_error (task, error);
  else
    g_error_free (error);
}

static void
sotto_connection_dispose (GObject *object)
{
  SottoConnection *self = SOTTO_CONNECTION (object);
  g_autoptr(GError) error = g_error_new_literal (SOTTO_CLIENT_ERROR,
                                                 SOTTO_CLIENT_ERROR_DISCONNECTED,
                                                 _("The connection was closed"));

  g_cancellable_cancel (self->cancellable);
  if (self->connect_task != NULL)
    _sotto_connection_fail_connect (self, g_error_copy (error));
  if (self->requests != NULL)
    _sotto_request_table_fail_all (self->requests, error);
  drop_connection (self);
  g_clear_object (&self->pins);

  G_OBJECT_CLASS (sotto_connection_parent_class)->dispose (object);
}

static void
sotto_connection_finalize (GObject *object)
{
  SottoConnection *self = SOTTO_CONNECTION (object);

  g_clear_pointer (&self->requests, _sotto_request_table_free);
  g_clear_object (&self->cancellable);
  g_free (self->server);
  g_free (self->server_fingerprint);
  g_free (self->pinned_fingerprint);
  g_free (self->server_version);

  G_OBJECT_CLASS (sotto_connection_parent_class)->finalize (object);
}

static void
sotto_connection_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  SottoConnection *self = SOTTO_CONNECTION (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sotto_connection_class_init (SottoConnectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sotto_connection_dispose;
  object_class->finalize = sotto_connection_finalize;
  object_class->get_property = sotto_connection_get_property;

  /**
   * SottoConnection:state:
   *
   * A #SottoConnectionState.
   */
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       SOTTO_TYPE_CONNECTION_STATE, SOTTO_CONNECTION_DISCONNECTED,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * SottoConnection::event:
   * @msg: a message the server sent on its own
   */
  signals[EVENT] =
    g_signal_new ("event",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, SOTTO_TYPE_MSG);

  /**
   * SottoConnection::closed:
   * @error: (nullable): why an established connection ended
   */
  signals[CLOSED] =
    g_signal_new ("closed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
sotto_connection_init (SottoConnection *self)
{
  self->cancellable = g_cancellable_new ();
  self->timeout = DEFAULT_TIMEOUT_SECONDS;
  self->requests = _sotto_request_table_new ();
}

/**
 * sotto_connection_new:
 * @server: "HOST", "HOST:PORT" or "[IPV6]:PORT"; the port is 7777 if absent
 * @pins: where the keys of trusted servers are kept
 */
SottoConnection *
sotto_connection_new (const char    *server,
                      SottoPinStore *pins)
{
  SottoConnection *self;

  g_return_val_if_fail (server != NULL, NULL);
  g_return_val_if_fail (SOTTO_IS_PIN_STORE (pins), NULL);

  self = g_object_new (SOTTO_TYPE_CONNECTION, NULL);
  self->server = g_strdup (server);
  self->pins = g_object_ref (pins);

  return self;
}

static void
connection_message_cb (SottoChannel *channel,
                       GBytes       *bytes,
                       gpointer      user_data)
{
  SottoConnection *self = user_data;
  g_autoptr(SottoMsg) msg = NULL;
  g_autoptr(GError) error = NULL;

  msg = sotto_msg_parse_bytes (bytes, SOTTO_MSG_FROM_SERVER, &error);
  if (msg == NULL)
    {
      /* A server that breaks the protocol is not talked to further. */
      g_warning ("The server sent an invalid message: %s", error->message);
      sotto_channel_abort (channel, error);
      return;
    }

  if (sotto_msg_get_msg_type (msg) == SOTTO_MSG_TYPE_WELCOME && self->connect_task != NULL)
    {
      g_autoptr(GTask) task = g_steal_pointer (&self->connect_task);

      g_clear_handle_id (&self->connect_timeout_id, g_source_remove);
      g_free (self->server_version);
      self->server_version = g_strdup (sotto_msg_get_string (msg, "server_version"));
      self->min_password = sotto_msg_get_int (msg, "min_password");
      /* 0 from a server that does not say */
      self->max_file = sotto_msg_has_field (msg, "max_file") ? sotto_msg_get_int (msg, "max_file")
                                                             : 0;
      self->max_frame = sotto_msg_get_int (msg, "max_frame");
      _sotto_connection_set_state (self, SOTTO_CONNECTION_CONNECTED);
      g_task_return_boolean (task, TRUE);
      return;
    }

  if (_sotto_request_table_answer (self->requests, msg))
    return;

  g_signal_emit (self, signals[EVENT], 0, msg);
}

static void
connection_closed_cb (SottoChannel *channel,
                      const GError *error,
                      gpointer      user_data)
{
  SottoConnection *self = user_data;
  g_autoptr(GError) reason = NULL;

  reason = g_error_new (SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_DISCONNECTED,
                        _("The connection to %s ended: %s"), self->server,
                        error != NULL ? error->message : _("the server said goodbye"));

  /* Handlers may drop their last reference to us. */
  g_object_ref (self);
  if (self->connect_task != NULL)
    _sotto_connection_fail_connect (self, g_error_copy (reason));
  else
    {
      drop_connection (self);
      _sotto_request_table_fail_all (self->requests, reason);
      _sotto_connection_set_state (self, SOTTO_CONNECTION_DISCONNECTED);
      g_signal_emit (self, signals[CLOSED], 0, error);
    }
  g_object_unref (self);
}

/* The channel is up: what is left of connecting is the server's welcome. */
void
_sotto_connection_start_channel (SottoConnection *self,
                                 SottoChannel    *channel)
{
  self->channel = channel;
  g_signal_connect (channel, "message", G_CALLBACK (connection_message_cb), self);
  g_signal_connect (channel, "closed", G_CALLBACK (connection_closed_cb), self);
  sotto_channel_start (channel);
}

/**
 * sotto_connection_close:
 *
 * Says goodbye, or gives up a connection that waits for trust. Requests
 * still waiting fail with %SOTTO_CLIENT_ERROR_DISCONNECTED.
 */
void
sotto_connection_close (SottoConnection *self)
{
  g_return_if_fail (SOTTO_IS_CONNECTION (self));

  if (self->channel != NULL && sotto_channel_is_open (self->channel))
    {
      sotto_channel_close (self->channel);
      return;
    }

  if (self->connect_task != NULL)
    {
      _sotto_connection_fail_connect (self,
                                      g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                           _("Connecting was cancelled")));
      return;
    }

  drop_connection (self);
  _sotto_connection_set_state (self, SOTTO_CONNECTION_DISCONNECTED);
}

/**
 * sotto_connection_next_id:
 *
 * Returns: (transfer full): an id no request of this connection used yet
 */
char *
sotto_connection_next_id (SottoConnection *self)
{
  g_return_val_if_fail (SOTTO_IS_CONNECTION (self), NULL);

  return g_strdup_printf ("%u", ++self->next_id);
}

/**
 * sotto_connection_send:
 *
 * Sends a message that has no answer, such as a typing notice.
 *
 * Returns: %FALSE if the connection is not up
 */
gboolean
sotto_connection_send (SottoConnection *self,
                       GBytes          *message)
{
  g_return_val_if_fail (SOTTO_IS_CONNECTION (self), FALSE);

  return self->state == SOTTO_CONNECTION_CONNECTED && self->channel != NULL &&
         sotto_channel_send (self->channel, message);
}

static void
connection_request (SottoConnection     *self,
                    const char          *id,
                    GBytes              *message,
                    gboolean             bulk,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sotto_connection_request_async);

  /* While the requests of a connection that just ended are failed, their
   * callbacks may ask again: the channel is gone already. */
  if (self->state != SOTTO_CONNECTION_CONNECTED || self->channel == NULL ||
      _sotto_request_table_contains (self->requests, id) ||
      !(bulk ? sotto_channel_send_bulk (self->channel, message)
             : sotto_channel_send (self->channel, message)))
    {
      g_task_return_new_error (task, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_DISCONNECTED,
                               _("Not connected to %s"), self->server);
      return;
    }

  _sotto_request_table_add (self->requests, id, g_steal_pointer (&task), self->timeout);
}

/**
 * sotto_connection_request_async:
 * @id: the id @message carries, from sotto_connection_next_id()
 * @message: a request
 *
 * Sends @message and waits for the answer with the same id. An `error`
 * answer becomes a %SOTTO_CLIENT_ERROR with a sentence for the user.
 */
void
sotto_connection_request_async (SottoConnection     *self,
                                const char          *id,
                                GBytes              *message,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (SOTTO_IS_CONNECTION (self));
  g_return_if_fail (id != NULL);
  g_return_if_fail (message != NULL);

  connection_request (self, id, message, FALSE, cancellable, callback, user_data);
}

/**
 * sotto_connection_request_bulk_async:
 *
 * As sotto_connection_request_async(), for a request that carries a
 * file's piece: it waits behind every other message sent meanwhile (see
 * sotto_channel_send_bulk()), so that chat never waits behind a file.
 * Finish it with sotto_connection_request_finish().
 */
void
sotto_connection_request_bulk_async (SottoConnection     *self,
                                     const char          *id,
                                     GBytes              *message,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_return_if_fail (SOTTO_IS_CONNECTION (self));
  g_return_if_fail (id != NULL);
  g_return_if_fail (message != NULL);

  connection_request (self, id, message, TRUE, cancellable, callback, user_data);
}

/**
 * sotto_connection_request_finish:
 *
 * Returns: (transfer full): the answer
 */
SottoMsg *
sotto_connection_request_finish (SottoConnection  *self,
                                 GAsyncResult     *result,
                                 GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

SottoConnectionState
sotto_connection_get_state (SottoConnection *self)
{
  g_return_val_if_fail (SOTTO_IS_CONNECTION (self), SOTTO_CONNECTION_DISCONNECTED);

  return self->state;
}

const char *
sotto_connection_get_server_fingerprint (SottoConnection *self)
{
  g_return_val_if_fail (SOTTO_IS_CONNECTION (self), NULL);

  return self->server_fingerprint;
}

const char *
sotto_connection_get_pinned_fingerprint (SottoConnection *self)
{
  g_return_val_if_fail (SOTTO_IS_CONNECTION (self), NULL);

  return self->pinned_fingerprint;
}

const char *
sotto_connection_get_server_version (SottoConnection *self)
{
  g_return_val_if_fail (SOTTO_IS_CONNECTION (self), NULL);

  return self->server_version;
}

guint
sotto_connection_get_min_password (SottoConnection *self)
{
  g_return_val_if_fail (SOTTO_IS_CONNECTION (self), 0);

  return self->min_password;
}

/**
 * sotto_connection_get_max_piece:
 *
 * Returns: the most bytes of a blob one piece may carry to and from this
 *   server: what the protocol allows, unless the frame limit its welcome
 *   said is smaller (at least 1)
 */
gsize
sotto_connection_get_max_piece (SottoConnection *self)
{
  gint64 room;

  g_return_val_if_fail (SOTTO_IS_CONNECTION (self), 1);

  if (self->max_frame <= 0)
    return SOTTO_PROTOCOL_BLOB_DATA_MAX_BYTES;
  room = self->max_frame - SOTTO_CHANNEL_FRAME_OVERHEAD - SOTTO_PIECE_MAX_HEADER_BYTES;
  return (gsize) CLAMP (room, 1, SOTTO_PROTOCOL_BLOB_DATA_MAX_BYTES);
}

/**
 * sotto_connection_get_max_file:
 *
 * Returns: the largest file the server takes, in bytes, as its welcome
 *   said; 0 when it did not say
 */
guint64
sotto_connection_get_max_file (SottoConnection *self)
{
  g_return_val_if_fail (SOTTO_IS_CONNECTION (self), 0);

  return self->max_file;
}

/**
 * sotto_connection_set_timeout:
 *
 * How long connecting, and each request, may take (20 s by default).
 */
void
sotto_connection_set_timeout (SottoConnection *self,
                              guint            seconds)
{
  g_return_if_fail (SOTTO_IS_CONNECTION (self));
  g_return_if_fail (seconds > 0);

  self->timeout = seconds;
}
