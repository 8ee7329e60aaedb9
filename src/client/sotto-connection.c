/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "sotto-connection.h"

/*
 * SottoConnection is one connection of the client core to a server: name
 * lookup and TCP connect with a timeout, the handshake with the pin store,
 * the encrypted channel, and requests matched with their answers by id.
 *
 * Messages the server sends on its own (room events, presence, keys,
 * notices, and the events of a catch-up) come out of the "event" signal in
 * the order they arrived; an answer completes its request only after every
 * event that came before it was emitted.
 */

#define DEFAULT_PORT 7777
#define DEFAULT_TIMEOUT_SECONDS 20

struct _SottoConnection
{
  GObject               parent_instance;

  char                 *server;
  SottoPinStore        *pins;
  SottoConnectionState  state;
  guint                 timeout;

  GCancellable         *cancellable;
  GSocketConnection    *socket;
  SottoClientHandshake *handshake;
  SottoChannel         *channel;
  GTask                *connect_task;
  guint                 connect_timeout_id;

  char                 *server_fingerprint;
  char                 *pinned_fingerprint;
  char                 *server_version;
  guint                 min_password;
  guint                 next_id;
  /* id → GTask of a request waiting for its answer */
  GHashTable           *requests;
};

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

/* A request waiting for its answer. The table of requests owns it; an
 * answer, the timeout or the end of the connection takes it out. */
typedef struct
{
  SottoConnection *connection;
  char            *id;
  GTask           *task;
  guint            timeout_id;
} Request;

static void
request_free (Request *request)
{
  g_clear_handle_id (&request->timeout_id, g_source_remove);
  g_free (request->id);
  g_clear_object (&request->task);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Request, request_free)

/* A sentence in the user's language for what the server refused. Where
 * the server's own words carry facts (how long to wait, what the rule
 * is), they are kept. */
static GError *
error_from_reply (SottoMsg *reply)
{
  SottoMsgErrorCode code = sotto_msg_get_error_code (reply);
  const char *server_text = sotto_msg_get_string (reply, "message");
  const char *text;

  switch (code)
    {
    case SOTTO_MSG_ERROR_CODE_BAD_REQUEST:
      text = _("The server did not understand the request");
      break;
    case SOTTO_MSG_ERROR_CODE_UNKNOWN_TYPE:
      text = _("The server does not support this request");
      break;
    case SOTTO_MSG_ERROR_CODE_NOT_LOGGED_IN:
      text = _("Log in first");
      break;
    case SOTTO_MSG_ERROR_CODE_ALREADY_LOGGED_IN:
      text = _("Already logged in");
      break;
    case SOTTO_MSG_ERROR_CODE_NAME_TAKEN:
      text = _("That name is taken");
      break;
    case SOTTO_MSG_ERROR_CODE_BAD_USERNAME:
      text = _("A name is 1 to 32 characters: letters a–z, digits, dot, dash or underscore");
      break;
    case SOTTO_MSG_ERROR_CODE_WEAK_PASSWORD:
    case SOTTO_MSG_ERROR_CODE_RATE_LIMITED:
      text = server_text;
      break;
    case SOTTO_MSG_ERROR_CODE_BAD_CREDENTIALS:
      text = _("Wrong username or password");
      break;
    case SOTTO_MSG_ERROR_CODE_NO_SUCH_ROOM:
      text = _("There is no such room");
      break;
    case SOTTO_MSG_ERROR_CODE_NO_SUCH_USER:
      text = _("There is no user with that name");
      break;
    case SOTTO_MSG_ERROR_CODE_NOT_MEMBER:
      text = _("You are not a member of this room");
      break;
    case SOTTO_MSG_ERROR_CODE_FORBIDDEN:
      text = _("You are not allowed to do that");
      break;
    case SOTTO_MSG_ERROR_CODE_TOO_LARGE:
      text = _("That is too large for the server");
      break;
    case SOTTO_MSG_ERROR_CODE_OVERLOADED:
      text = _("The server is busy; try again later");
      break;
    case SOTTO_MSG_ERROR_CODE_INTERNAL:
    default:
      text = _("The server could not complete the request");
      break;
    }

  return g_error_new_literal (SOTTO_CLIENT_ERROR, sotto_client_error_from_server (code), text);
}

static void
fail_requests (SottoConnection *self,
               const GError    *error)
{
  g_autoptr(GHashTable) requests = g_steal_pointer (&self->requests);
  GHashTableIter iter;
  Request *request;

  self->requests = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                          (GDestroyNotify) request_free);
  g_hash_table_iter_init (&iter, requests);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &request))
    g_task_return_error (request->task, g_error_copy (error));
}

static void
set_state (SottoConnection      *self,
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
static void
fail_connect (SottoConnection *self,
              GError          *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->connect_task);

  drop_connection (self);
  set_state (self, SOTTO_CONNECTION_DISCONNECTED);
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
    fail_connect (self, g_error_copy (error));
  if (self->requests != NULL)
    fail_requests (self, error);
  drop_connection (self);
  g_clear_object (&self->pins);

  G_OBJECT_CLASS (sotto_connection_parent_class)->dispose (object);
}

static void
sotto_connection_finalize (GObject *object)
{
  SottoConnection *self = SOTTO_CONNECTION (object);

  g_clear_pointer (&self->requests, g_hash_table_unref);
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
      g_value_set_int (value, self->state);
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
    g_param_spec_int ("state", NULL, NULL,
                      SOTTO_CONNECTION_DISCONNECTED, SOTTO_CONNECTION_CONNECTED,
                      SOTTO_CONNECTION_DISCONNECTED,
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
  self->requests = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                          (GDestroyNotify) request_free);
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
  const char *id;
  Request *request;

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
      set_state (self, SOTTO_CONNECTION_CONNECTED);
      g_task_return_boolean (task, TRUE);
      return;
    }

  id = sotto_msg_get_id (msg);
  if (id != NULL && g_hash_table_steal_extended (self->requests, id, NULL, (gpointer *) &request))
    {
      g_autoptr(Request) owned = request;
      GTask *task = owned->task;

      if (sotto_msg_get_msg_type (msg) == SOTTO_MSG_TYPE_ERROR)
        g_task_return_error (task, error_from_reply (msg));
      else
        g_task_return_pointer (task, sotto_msg_ref (msg), (GDestroyNotify) sotto_msg_unref);
      return;
    }

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
    fail_connect (self, g_error_copy (reason));
  else
    {
      drop_connection (self);
      fail_requests (self, reason);
      set_state (self, SOTTO_CONNECTION_DISCONNECTED);
      g_signal_emit (self, signals[CLOSED], 0, error);
    }
  g_object_unref (self);
}

/* The channel is up: what is left of connecting is the server's welcome. */
static void
start_channel (SottoConnection *self,
               SottoChannel    *channel)
{
  self->channel = channel;
  g_signal_connect (channel, "message", G_CALLBACK (connection_message_cb), self);
  g_signal_connect (channel, "closed", G_CALLBACK (connection_closed_cb), self);
  sotto_channel_start (channel);
}

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
          set_state (self, SOTTO_CONNECTION_AWAITING_TRUST);
          g_task_return_error (task, error);
          return;
        }

      if (error->domain != SOTTO_WIRE_ERROR)
        {
          GError *mapped = error_from_connect (self, error);

          g_error_free (error);
          error = mapped;
        }
      fail_connect (self, error);
      return;
    }

  start_channel (self, channel);
}

static gboolean
connect_timeout_cb (gpointer user_data)
{
  SottoConnection *self = user_data;

  self->connect_timeout_id = 0;
  fail_connect (self, g_error_new (SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_TIMED_OUT,
                                   _("%s did not answer in time"), self->server));

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
      fail_connect (self, error_from_connect (self, error));
      return;
    }

  self->socket = socket;
  /* The client's timeout was for connecting; on the socket it would also
   * end a quiet connection. The connect timer covers the handshake. */
  g_socket_set_timeout (g_socket_connection_get_socket (socket), 0);
  g_socket_set_option (g_socket_connection_get_socket (socket), IPPROTO_TCP, TCP_NODELAY,
                       TRUE, NULL);
  set_state (self, SOTTO_CONNECTION_HANDSHAKING);
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
      fail_connect (self, g_error_new (SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_BAD_ADDRESS,
                                       _("“%s” is not a server address: use HOST or HOST:PORT"),
                                       self->server));
      return;
    }

  set_state (self, SOTTO_CONNECTION_CONNECTING);
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
      fail_connect (self, error);
      return;
    }

  set_state (self, SOTTO_CONNECTION_HANDSHAKING);
  start_channel (self, channel);
}

gboolean
sotto_connection_trust_server_finish (SottoConnection  *self,
                                      GAsyncResult     *result,
                                      GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
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
      fail_connect (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                               _("Connecting was cancelled")));
      return;
    }

  drop_connection (self);
  set_state (self, SOTTO_CONNECTION_DISCONNECTED);
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

  return self->state == SOTTO_CONNECTION_CONNECTED && sotto_channel_send (self->channel, message);
}

static gboolean
request_timeout_cb (gpointer user_data)
{
  Request *request = user_data;
  g_autoptr(Request) owned = NULL;

  request->timeout_id = 0;
  g_hash_table_steal_extended (request->connection->requests, request->id, NULL,
                               (gpointer *) &owned);
  g_task_return_new_error (owned->task, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_TIMED_OUT,
                           _("The server did not answer in time"));

  return G_SOURCE_REMOVE;
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
  g_autoptr(GTask) task = NULL;
  Request *request;

  g_return_if_fail (SOTTO_IS_CONNECTION (self));
  g_return_if_fail (id != NULL);
  g_return_if_fail (message != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sotto_connection_request_async);

  if (self->state != SOTTO_CONNECTION_CONNECTED || g_hash_table_contains (self->requests, id) ||
      !sotto_channel_send (self->channel, message))
    {
      g_task_return_new_error (task, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_DISCONNECTED,
                               _("Not connected to %s"), self->server);
      return;
    }

  request = g_new0 (Request, 1);
  request->connection = self;
  request->id = g_strdup (id);
  request->task = g_steal_pointer (&task);
  request->timeout_id = g_timeout_add_seconds (self->timeout, request_timeout_cb, request);
  g_hash_table_insert (self->requests, request->id, request);
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

const char *
sotto_connection_get_server (SottoConnection *self)
{
  g_return_val_if_fail (SOTTO_IS_CONNECTION (self), NULL);

  return self->server;
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
