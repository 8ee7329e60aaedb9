/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-protocol.h"
#include "sotto-session.h"

/*
 * One client connection: the handshake, then the encrypted channel, whose
 * messages are parsed and handed on through the "message" signal. A
 * connection that has not logged in within the login timeout is dropped,
 * unless whoever made it holds it waiting, and so is one that keeps
 * sending what does not parse. The session knows nothing of the server
 * above it: whoever made it listens to "message" and "closed".
 */

#define MAX_BAD_MESSAGES 20

G_STATIC_ASSERT (SOTTO_PIECE_MARKER == SOTTO_CHANNEL_WHOLE_FRAME_MARKER);
#define TYPING_INTERVAL_US (G_USEC_PER_SEC / 2)

struct _SottoSession
{
  GObject             parent_instance;

  SottoServerKey     *key;
  /* The server's settings; they outlive every session. */
  const SottoServerConfig *config;
  GSocketConnection  *connection;
  SottoChannel       *channel;
  GCancellable       *cancellable;
  guint64             id;
  char               *peer;

  gpointer            user;
  /* The device the user logged in from (a store id), once logged in. */
  gint64              device_id;
  gboolean            busy;
  gboolean            closed;
  guint               bad_messages;
  guint               login_timeout_id;
  /* room → last typing notice relayed, in monotonic µs; made on the first
   * notice, since most connections of a crowd never type */
  GHashTable         *typing;
};

G_DEFINE_FINAL_TYPE (SottoSession, sotto_session, G_TYPE_OBJECT)

enum {
  MESSAGE,
  CLOSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
sotto_session_dispose (GObject *object)
{
  SottoSession *self = SOTTO_SESSION (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->login_timeout_id, g_source_remove);
  if (self->channel != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->channel, self);
      sotto_channel_abort (self->channel, NULL);
    }
  g_clear_object (&self->channel);
  g_clear_object (&self->connection);
  g_clear_object (&self->key);

  G_OBJECT_CLASS (sotto_session_parent_class)->dispose (object);
}

static void
sotto_session_finalize (GObject *object)
{
  SottoSession *self = SOTTO_SESSION (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->typing, g_hash_table_unref);
  g_free (self->peer);

  G_OBJECT_CLASS (sotto_session_parent_class)->finalize (object);
}

static void
sotto_session_class_init (SottoSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sotto_session_dispose;
  object_class->finalize = sotto_session_finalize;

  /**
   * SottoSession::message:
   * @msg: a parsed request of the client
   *
   * A request arrived. Emitted once per message, on the hot path of every
   * relayed message: the marshaller is the specific one, and @msg is
   * passed without a copy.
   */
  signals[MESSAGE] =
    g_signal_new ("message",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL,
                  g_cclosure_marshal_VOID__BOXED,
                  G_TYPE_NONE, 1,
                  SOTTO_TYPE_MSG | G_SIGNAL_TYPE_STATIC_SCOPE);
  g_signal_set_va_marshaller (signals[MESSAGE], G_TYPE_FROM_CLASS (klass),
                              g_cclosure_marshal_VOID__BOXEDv);

  /**
   * SottoSession::closed:
   *
   * The connection ended, once. Whoever owns the session drops it from an
   * idle, never inside this emission.
   */
  signals[CLOSED] =
    g_signal_new ("closed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
sotto_session_init (SottoSession *self)
{
  self->cancellable = g_cancellable_new ();
}

static char *
describe_peer (GSocketConnection *connection)
{
  g_autoptr(GSocketAddress) address = g_socket_connection_get_remote_address (connection, NULL);

  if (G_IS_INET_SOCKET_ADDRESS (address))
    {
      GInetSocketAddress *inet = G_INET_SOCKET_ADDRESS (address);
      g_autofree char *host = g_inet_address_to_string (g_inet_socket_address_get_address (inet));

      if (g_socket_address_get_family (G_SOCKET_ADDRESS (inet)) == G_SOCKET_FAMILY_IPV6)
        return g_strdup_printf ("[%s]:%u", host, g_inet_socket_address_get_port (inet));
      return g_strdup_printf ("%s:%u", host, g_inet_socket_address_get_port (inet));
    }

  return g_strdup ("unknown");
}

/**
 * sotto_session_new:
 * @key: the server's long-term key, for the handshake
 * @config: the server's settings; must outlive the session
 */
SottoSession *
sotto_session_new (GSocketConnection       *connection,
                   guint64                  id,
                   SottoServerKey          *key,
                   const SottoServerConfig *config)
{
  SottoSession *self;

  g_return_val_if_fail (G_IS_SOCKET_CONNECTION (connection), NULL);
  g_return_val_if_fail (SOTTO_IS_SERVER_KEY (key), NULL);
  g_return_val_if_fail (config != NULL, NULL);

  self = g_object_new (SOTTO_TYPE_SESSION, NULL);
  self->key = g_object_ref (key);
  self->config = config;
  self->connection = g_object_ref (connection);
  self->id = id;
  self->peer = describe_peer (connection);

  return self;
}

/* Ends the session once; its owner drops it from an idle. */
static void
session_end (SottoSession *self,
             const char   *reason)
{
  if (self->closed)
    return;

  self->closed = TRUE;
  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->login_timeout_id, g_source_remove);
  g_info ("Connection %" G_GUINT64_FORMAT " from %s closed: %s", self->id, self->peer, reason);
  g_signal_emit (self, signals[CLOSED], 0);
}

static void
channel_closed_cb (SottoChannel *channel,
                   const GError *error,
                   gpointer      user_data)
{
  SottoSession *self = user_data;

  session_end (self, error != NULL ? error->message : "goodbye");
}

static void
channel_message_cb (SottoChannel *channel,
                    GBytes       *bytes,
                    gpointer      user_data)
{
  SottoSession *self = user_data;
  g_autoptr(SottoMsg) msg = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *request_id = NULL;

  /* Nothing after a goodbye counts, even in the same frame. */
  if (self->closed || !sotto_channel_is_open (self->channel))
    return;

  /* A piece of a blob is a binary message, read without a copy. */
  msg = sotto_msg_parse_bytes_full (bytes, SOTTO_MSG_FROM_CLIENT, &request_id, &error);
  if (msg == NULL)
    {
      g_autoptr(GBytes) reply = NULL;

      g_info ("Connection %" G_GUINT64_FORMAT ": unusable message: %s", self->id, error->message);
      reply = sotto_msg_build_error (request_id, sotto_msg_error_code_for_parse_error (error),
                                     error->message);
      sotto_session_send (self, reply);

      if (++self->bad_messages > MAX_BAD_MESSAGES)
        sotto_session_close (self, "too many unusable messages");
      return;
    }

  g_signal_emit (self, signals[MESSAGE], 0, msg);
}

static gboolean
login_timeout_cb (gpointer user_data)
{
  SottoSession *self = user_data;

  self->login_timeout_id = 0;
  if (self->user == NULL)
    sotto_session_abort (self, "did not log in in time");

  return G_SOURCE_REMOVE;
}

static void
handshake_done_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(SottoSession) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) welcome = NULL;
  SottoChannel *channel;

  channel = sotto_server_handshake_run_finish (SOTTO_SERVER_HANDSHAKE (object), result, &error);
  if (self->closed)
    {
      g_clear_object (&channel);
      return;
    }

  if (channel == NULL)
    {
      session_end (self, error->message);
      return;
    }

  self->channel = channel;
  sotto_channel_set_max_frame (channel, self->config->max_frame);
  sotto_channel_set_max_queue (channel, self->config->max_queue);
  g_signal_connect (channel, "message", G_CALLBACK (channel_message_cb), self);
  g_signal_connect (channel, "closed", G_CALLBACK (channel_closed_cb), self);
  sotto_channel_start (channel);

  welcome = sotto_msg_build_welcome (PACKAGE_VERSION, SOTTO_PROTOCOL_VERSION,
                                     SOTTO_PROTOCOL_MIN_PASSWORD_LEN,
                                     self->config->max_frame,
                                     self->config->max_file_size * 1024 * 1024);
  sotto_session_send (self, welcome);
}

void
sotto_session_start (SottoSession *self)
{
  g_autoptr(SottoServerHandshake) handshake = NULL;

  g_return_if_fail (SOTTO_IS_SESSION (self));

  g_info ("Connection %" G_GUINT64_FORMAT " from %s", self->id, self->peer);
  self->login_timeout_id = g_timeout_add_seconds (self->config->login_timeout,
                                                  login_timeout_cb, self);
  handshake = sotto_server_handshake_new (G_IO_STREAM (self->connection), self->key);
  sotto_server_handshake_run_async (handshake, self->cancellable, handshake_done_cb,
                                    g_object_ref (self));
}

gboolean
sotto_session_send (SottoSession *self,
                    GBytes       *message)
{
  g_return_val_if_fail (SOTTO_IS_SESSION (self), FALSE);

  if (self->closed || self->channel == NULL)
    return FALSE;

  return sotto_channel_send (self->channel, message);
}

/**
 * sotto_session_send_bulk:
 *
 * Sends a file's piece: it goes once nothing else queued for the client
 * waits (sotto_channel_send_bulk()), so that chat overtakes it.
 */
gboolean
sotto_session_send_bulk (SottoSession *self,
                         GBytes       *message)
{
  g_return_val_if_fail (SOTTO_IS_SESSION (self), FALSE);

  if (self->closed || self->channel == NULL)
    return FALSE;

  return sotto_channel_send_bulk (self->channel, message);
}

/**
 * sotto_session_close:
 *
 * Says goodbye to the client: what is queued is still sent.
 */
void
sotto_session_close (SottoSession *self,
                     const char   *reason)
{
  g_return_if_fail (SOTTO_IS_SESSION (self));

  if (self->closed)
    return;

  if (self->channel == NULL)
    {
      sotto_session_abort (self, reason);
      return;
    }

  /* A second goodbye while the first is going out changes nothing. */
  if (sotto_channel_is_open (self->channel))
    {
      g_info ("Connection %" G_GUINT64_FORMAT ": closing: %s", self->id, reason);
      sotto_channel_close (self->channel);
    }
}

void
sotto_session_abort (SottoSession *self,
                     const char   *reason)
{
  g_return_if_fail (SOTTO_IS_SESSION (self));

  if (self->closed)
    return;

  if (self->channel != NULL)
    g_signal_handlers_disconnect_by_data (self->channel, self);
  if (self->channel != NULL)
    sotto_channel_abort (self->channel, NULL);
  else
    g_io_stream_close_async (G_IO_STREAM (self->connection), G_PRIORITY_DEFAULT,
                             NULL, NULL, NULL);
  session_end (self, reason);
}

gboolean
sotto_session_is_open (SottoSession *self)
{
  g_return_val_if_fail (SOTTO_IS_SESSION (self), FALSE);

  return !self->closed && self->channel != NULL && sotto_channel_is_open (self->channel);
}

guint64
sotto_session_get_id (SottoSession *self)
{
  g_return_val_if_fail (SOTTO_IS_SESSION (self), 0);

  return self->id;
}

const char *
sotto_session_get_peer (SottoSession *self)
{
  g_return_val_if_fail (SOTTO_IS_SESSION (self), NULL);

  return self->peer;
}

gpointer
sotto_session_get_user (SottoSession *self)
{
  g_return_val_if_fail (SOTTO_IS_SESSION (self), NULL);

  return self->user;
}

gint64
sotto_session_get_device (SottoSession *self)
{
  g_return_val_if_fail (SOTTO_IS_SESSION (self), 0);

  return self->device_id;
}

void
sotto_session_set_device (SottoSession *self,
                          gint64        device_id)
{
  g_return_if_fail (SOTTO_IS_SESSION (self));

  self->device_id = device_id;
}

void
sotto_session_set_user (SottoSession *self,
                        gpointer      user)
{
  g_return_if_fail (SOTTO_IS_SESSION (self));

  self->user = user;
  if (user != NULL)
    g_clear_handle_id (&self->login_timeout_id, g_source_remove);
}

/**
 * sotto_session_hold_login_timeout:
 * @hold: %TRUE while the server keeps the connection waiting for
 *   something, %FALSE once that is over
 *
 * A connection that has not logged in is dropped when the login timeout
 * is up, unless it is held: a new computer waiting for its link to be
 * approved is not logged in, and may wait longer than that. Released, a
 * connection that has still not logged in has the whole login timeout
 * again.
 */
void
sotto_session_hold_login_timeout (SottoSession *self,
                                  gboolean      hold)
{
  g_return_if_fail (SOTTO_IS_SESSION (self));

  if (self->closed || self->user != NULL)
    return;

  g_clear_handle_id (&self->login_timeout_id, g_source_remove);
  if (!hold)
    self->login_timeout_id = g_timeout_add_seconds (self->config->login_timeout,
                                                    login_timeout_cb, self);
}

gboolean
sotto_session_get_busy (SottoSession *self)
{
  g_return_val_if_fail (SOTTO_IS_SESSION (self), FALSE);

  return self->busy;
}

void
sotto_session_set_busy (SottoSession *self,
                        gboolean      busy)
{
  g_return_if_fail (SOTTO_IS_SESSION (self));

  self->busy = busy;
}

GCancellable *
sotto_session_get_cancellable (SottoSession *self)
{
  g_return_val_if_fail (SOTTO_IS_SESSION (self), NULL);

  return self->cancellable;
}

/**
 * sotto_session_hold_requests:
 *
 * Takes no further request of the client until
 * sotto_session_release_requests(): for an answer that waits on the
 * store, so that the client's requests are still answered in the order
 * it sent them. What the client sends meanwhile waits, and once the
 * socket is full the client waits too. Each hold needs its release.
 */
void
sotto_session_hold_requests (SottoSession *self)
{
  g_return_if_fail (SOTTO_IS_SESSION (self));
  g_return_if_fail (self->channel != NULL);

  sotto_channel_hold_receiving (self->channel);
}

void
sotto_session_release_requests (SottoSession *self)
{
  g_return_if_fail (SOTTO_IS_SESSION (self));

  if (self->channel != NULL)
    sotto_channel_release_receiving (self->channel);
}

/**
 * sotto_session_allow_typing:
 *
 * Typing notices are relayed at most twice a second per room and
 * connection; the rest are dropped, since they say nothing new.
 */
gboolean
sotto_session_allow_typing (SottoSession *self,
                            const char   *room)
{
  gint64 now = g_get_monotonic_time ();
  gint64 *last;

  g_return_val_if_fail (SOTTO_IS_SESSION (self), FALSE);

  if (self->typing == NULL)
    self->typing = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  last = g_hash_table_lookup (self->typing, room);
  if (last != NULL && now - *last < TYPING_INTERVAL_US)
    return FALSE;

  if (last == NULL)
    {
      last = g_new (gint64, 1);
      g_hash_table_insert (self->typing, g_strdup (room), last);
    }
  *last = now;

  return TRUE;
}
