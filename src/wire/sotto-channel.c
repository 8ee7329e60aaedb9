/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/epoll.h>

#include "sotto-channel-private.h"
#include "sotto-frame.h"

/*
 * SottoChannel is the encrypted connection once the handshake is done.
 *
 * Each direction is one crypto_secretstream: the first frame a side sends
 * is the stream header, every later frame is one secretstream message, and
 * a goodbye is a message with the FINAL tag (sotto-channel-send.c and
 * sotto-channel-receive.c).
 *
 * A channel over a socket (every real connection) is watched by the one
 * SottoChannelSource of its main context (sotto-channel-source.c), which
 * calls back here when the socket is ready and when a flush is due.
 * Channels over other streams use the streams' async calls.
 */

enum {
  PROP_0,
  PROP_MAX_FRAME,
  PROP_MAX_QUEUE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];
guint _sotto_channel_signals[SOTTO_CHANNEL_N_SIGNALS];

G_DEFINE_FINAL_TYPE (SottoChannel, sotto_channel, G_TYPE_OBJECT)

static void
sotto_channel_dispose (GObject *object)
{
  SottoChannel *self = SOTTO_CHANNEL (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->flush_id, g_source_remove);
  g_clear_handle_id (&self->close_timeout_id, g_source_remove);
  _sotto_channel_detach (self);
  _sotto_channel_clear_out_queue (self);
  _sotto_channel_clear_held (self);
  g_clear_object (&self->socket);
  g_clear_object (&self->stream);

  G_OBJECT_CLASS (sotto_channel_parent_class)->dispose (object);
}

static void
sotto_channel_finalize (GObject *object)
{
  SottoChannel *self = SOTTO_CHANNEL (object);

  sodium_memzero (self->tx_key, sizeof self->tx_key);
  sodium_memzero (self->rx_key, sizeof self->rx_key);
  sodium_memzero (&self->push, sizeof self->push);
  sodium_memzero (&self->pull, sizeof self->pull);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->out_prefix, g_byte_array_unref);
  g_clear_pointer (&self->writing, g_byte_array_unref);
  g_clear_pointer (&self->partial, g_byte_array_unref);

  G_OBJECT_CLASS (sotto_channel_parent_class)->finalize (object);
}

static void
sotto_channel_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  SottoChannel *self = SOTTO_CHANNEL (object);

  switch (prop_id)
    {
    case PROP_MAX_FRAME:
      g_value_set_uint64 (value, self->max_frame);
      break;

    case PROP_MAX_QUEUE:
      g_value_set_uint64 (value, self->max_queue);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sotto_channel_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  SottoChannel *self = SOTTO_CHANNEL (object);

  switch (prop_id)
    {
    case PROP_MAX_FRAME:
      sotto_channel_set_max_frame (self, g_value_get_uint64 (value));
      break;

    case PROP_MAX_QUEUE:
      sotto_channel_set_max_queue (self, g_value_get_uint64 (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sotto_channel_class_init (SottoChannelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sotto_channel_dispose;
  object_class->finalize = sotto_channel_finalize;
  object_class->get_property = sotto_channel_get_property;
  object_class->set_property = sotto_channel_set_property;

  /**
   * SottoChannel:max-frame:
   *
   * The largest frame, in bytes on the wire after the length prefix,
   * that is sent or accepted.
   */
  properties[PROP_MAX_FRAME] =
    g_param_spec_uint64 ("max-frame", NULL, NULL,
                         64, G_MAXUINT32, SOTTO_FRAME_MAX_DEFAULT,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * SottoChannel:max-queue:
   *
   * How many bytes may wait to be written before the peer is judged not to
   * read and the channel fails with %SOTTO_WIRE_ERROR_OVERFLOW.
   */
  properties[PROP_MAX_QUEUE] =
    g_param_spec_uint64 ("max-queue", NULL, NULL,
                         1024, G_MAXUINT64, SOTTO_CHANNEL_MAX_QUEUE_DEFAULT,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * SottoChannel::message:
   * @message: one message of a received batch, without the separator
   */
  _sotto_channel_signals[SOTTO_CHANNEL_SIGNAL_MESSAGE] =
    g_signal_new ("message",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_BYTES);

  /**
   * SottoChannel::closed:
   * @error: (nullable): why the channel ended, or %NULL after a goodbye
   *
   * Emitted once. Handlers must not drop the last reference to the channel
   * from inside the emission; do it from an idle.
   */
  _sotto_channel_signals[SOTTO_CHANNEL_SIGNAL_CLOSED] =
    g_signal_new ("closed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
sotto_channel_init (SottoChannel *self)
{
  self->cancellable = g_cancellable_new ();
  self->max_frame = SOTTO_FRAME_MAX_DEFAULT;
  self->max_queue = SOTTO_CHANNEL_MAX_QUEUE_DEFAULT;
  g_queue_init (&self->out_queue);
  g_queue_init (&self->bulk_queue);
  g_queue_init (&self->held);
}

/**
 * sotto_channel_new:
 * @stream: the connection, with the handshake already done on it
 * @tx_key: the key for what this side sends
 * @rx_key: the key for what this side receives
 *
 * Returns: (transfer full): a channel that does nothing until started
 */
SottoChannel *
sotto_channel_new (GIOStream    *stream,
                   const guint8 *tx_key,
                   const guint8 *rx_key)
{
  SottoChannel *self;

  g_return_val_if_fail (G_IS_IO_STREAM (stream), NULL);
  g_return_val_if_fail (tx_key != NULL, NULL);
  g_return_val_if_fail (rx_key != NULL, NULL);

  self = g_object_new (SOTTO_TYPE_CHANNEL, NULL);
  self->stream = g_object_ref (stream);
  if (G_IS_SOCKET_CONNECTION (stream))
    self->socket = g_object_ref (g_socket_connection_get_socket (G_SOCKET_CONNECTION (stream)));
  memcpy (self->tx_key, tx_key, sizeof self->tx_key);
  memcpy (self->rx_key, rx_key, sizeof self->rx_key);

  return self;
}

/* The shared source's call for a socket that is ready: what it can take
 * is written first, then what it holds is read. */
static void
channel_socket_ready (SottoChannel *self,
                      guint32       events)
{
  if ((events & EPOLLOUT) && self->state != SOTTO_CHANNEL_STATE_CLOSED)
    _sotto_channel_socket_write (self);
  if ((events & (EPOLLIN | EPOLLHUP | EPOLLERR)) && self->state != SOTTO_CHANNEL_STATE_CLOSED)
    _sotto_channel_socket_read (self);
}

static const SottoChannelSourceFuncs channel_source_funcs = {
  .ready = channel_socket_ready,
  .flush = _sotto_channel_flush_pending,
};

/* A file's pieces written to a socket whose kernel queue takes megabytes
 * would be ahead of any message queued after them, however the channel
 * orders its lanes: the kernel takes only so much that is not sent yet.
 * Not a TCP socket (a test's Unix socket): nothing to limit. */
static void
limit_unsent (GSocket *socket)
{
  GSocketFamily family = g_socket_get_family (socket);

  if ((family != G_SOCKET_FAMILY_IPV4 && family != G_SOCKET_FAMILY_IPV6) ||
      g_socket_get_socket_type (socket) != G_SOCKET_TYPE_STREAM)
    return;
  if (!g_socket_set_option (socket, IPPROTO_TCP, TCP_NOTSENT_LOWAT,
                            SOTTO_CHANNEL_NOTSENT_LOWAT, NULL))
    g_debug ("The socket's unsent bytes are not limited");
}

/**
 * sotto_channel_start:
 *
 * Sends this side's stream header and starts reading. Messages arrive
 * through #SottoChannel::message until #SottoChannel::closed.
 */
void
sotto_channel_start (SottoChannel *self)
{
  g_return_if_fail (SOTTO_IS_CHANNEL (self));
  g_return_if_fail (self->state == SOTTO_CHANNEL_STATE_NEW);

  self->state = SOTTO_CHANNEL_STATE_OPEN;
  _sotto_channel_start_sending (self);

  if (self->socket != NULL)
    {
      self->source = _sotto_channel_source_acquire (&channel_source_funcs);
      limit_unsent (self->socket);
    }

  _sotto_channel_start_receiving (self);
  _sotto_channel_schedule_flush (self);
}

/**
 * sotto_channel_abort:
 * @error: (nullable): the reason given to #SottoChannel::closed
 *
 * Ends the channel at once, without a goodbye.
 */
void
sotto_channel_abort (SottoChannel *self,
                     const GError *error)
{
  g_return_if_fail (SOTTO_IS_CHANNEL (self));

  _sotto_channel_finish (self, error);
}

gboolean
sotto_channel_is_open (SottoChannel *self)
{
  g_return_val_if_fail (SOTTO_IS_CHANNEL (self), FALSE);

  return self->state == SOTTO_CHANNEL_STATE_OPEN;
}

GIOStream *
sotto_channel_get_stream (SottoChannel *self)
{
  g_return_val_if_fail (SOTTO_IS_CHANNEL (self), NULL);

  return self->stream;
}

gsize
sotto_channel_get_max_frame (SottoChannel *self)
{
  g_return_val_if_fail (SOTTO_IS_CHANNEL (self), 0);

  return self->max_frame;
}

void
sotto_channel_set_max_frame (SottoChannel *self,
                             gsize         max_frame)
{
  g_return_if_fail (SOTTO_IS_CHANNEL (self));
  g_return_if_fail (max_frame >= 64 && max_frame <= G_MAXUINT32);

  if (self->max_frame == max_frame)
    return;

  self->max_frame = max_frame;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_FRAME]);
}

gsize
sotto_channel_get_max_queue (SottoChannel *self)
{
  g_return_val_if_fail (SOTTO_IS_CHANNEL (self), 0);

  return self->max_queue;
}

void
sotto_channel_set_max_queue (SottoChannel *self,
                             gsize         max_queue)
{
  g_return_if_fail (SOTTO_IS_CHANNEL (self));

  if (self->max_queue == max_queue)
    return;

  self->max_queue = max_queue;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_QUEUE]);
}

/**
 * sotto_channel_get_queued_bytes:
 *
 * Returns: the bytes of messages accepted but not yet written
 */
gsize
sotto_channel_get_queued_bytes (SottoChannel *self)
{
  g_return_val_if_fail (SOTTO_IS_CHANNEL (self), 0);

  return self->queued_bytes + self->in_flight_bytes;
}

/**
 * sotto_channel_get_max_message_size:
 *
 * Returns: the largest message that fits in one frame
 */
gsize
sotto_channel_get_max_message_size (SottoChannel *self)
{
  g_return_val_if_fail (SOTTO_IS_CHANNEL (self), 0);

  return self->max_frame - SOTTO_CHANNEL_FRAME_OVERHEAD;
}
