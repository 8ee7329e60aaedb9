/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "sotto-channel.h"
#include "sotto-frame.h"
#include "sotto-wire-error.h"

/*
 * SottoChannel is the encrypted connection once the handshake is done.
 *
 * Each direction is one crypto_secretstream: the first frame a side sends
 * is the stream header, every later frame is one secretstream message, and
 * a goodbye is a message with the FINAL tag. A frame that was altered,
 * replayed, reordered or dropped fails to decrypt; a connection that ends
 * without FINAL is reported as cut rather than closed.
 *
 * Messages queued with sotto_channel_send() are gathered until the main
 * loop is idle, joined with '\n' and encrypted as one frame (or as few
 * frames as the frame limit allows), then written with a single write.
 *
 * A channel over a socket (every real connection) does not use GLib's
 * per-stream sources: all such channels of one main context share one
 * ChannelLoop, a GSource that watches a single epoll set, so a pass of the
 * main loop costs the same with ten or ten thousand idle connections.
 * Reads take whatever the socket holds and cut it into frames; a flush
 * writes at once and waits for the socket only when it is full. Channels
 * over other streams use the streams' async calls.
 */

#define CLOSE_TIMEOUT_SECONDS 5
/* Bytes read from a socket at a time, and ready sockets taken per pass:
 * few enough that a pass stays short, so what the last one produced (and
 * the store committed in between) goes out soon. */
#define READ_CHUNK (64 * 1024)
#define MAX_EVENTS 64

typedef struct _ChannelLoop ChannelLoop;

typedef enum
{
  CHANNEL_NEW,
  CHANNEL_OPEN,
  CHANNEL_CLOSING,
  CHANNEL_CLOSED,
} ChannelState;

struct _SottoChannel
{
  GObject        parent_instance;

  GIOStream     *stream;
  GCancellable  *cancellable;
  ChannelState   state;

  guint8         tx_key[SOTTO_CHANNEL_KEY_SIZE];
  guint8         rx_key[SOTTO_CHANNEL_KEY_SIZE];
  crypto_secretstream_xchacha20poly1305_state push;
  crypto_secretstream_xchacha20poly1305_state pull;
  gboolean       pull_started;

  gsize          max_frame;
  gsize          max_queue;

  /* Messages not yet encrypted, and the plaintext bytes they and the write
   * in flight hold: the measure of a peer that does not read. */
  GQueue         out_queue;
  gsize          queued_bytes;
  gsize          in_flight_bytes;
  GByteArray    *out_prefix;
  GByteArray    *writing;
  gboolean       final_sent;
  guint          flush_id;
  guint          close_timeout_id;

  /* Over a socket: the shared loop, what the socket is watched for, the
   * start of a frame not yet complete, and the part of the last flush the
   * socket did not take yet. */
  GSocket       *socket;
  ChannelLoop   *loop;
  guint32        watched;
  gboolean       flush_pending;
  GByteArray    *partial;
  gsize          writing_pos;
};

/* Every socket channel of one main context, watched through one epoll set
 * that the context polls as a single file descriptor. */
struct _ChannelLoop
{
  GSource       source;
  GMainContext *context;
  int           epoll_fd;
  gpointer      epoll_tag;
  guint         n_channels;
  /* Channels with messages to flush (a reference each). */
  GPtrArray    *pending;
  guint8       *chunk;
};

enum {
  PROP_0,
  PROP_MAX_FRAME,
  PROP_MAX_QUEUE,
  N_PROPS
};

enum {
  MESSAGE,
  CLOSED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SottoChannel, sotto_channel, G_TYPE_OBJECT)

static void channel_schedule_flush (SottoChannel *self);
static void channel_read_next (SottoChannel *self);

static void
clear_out_queue (SottoChannel *self)
{
  g_queue_clear_full (&self->out_queue, (GDestroyNotify) g_bytes_unref);
  self->queued_bytes = 0;
  self->in_flight_bytes = 0;
}

static G_LOCK_DEFINE (loops);
/* GMainContext → ChannelLoop, each alive while it has channels. */
static GHashTable *loops;

static void channel_flush (SottoChannel *self);
static void channel_socket_read (SottoChannel *self);
static void channel_socket_write (SottoChannel *self);

static gboolean
channel_loop_prepare (GSource *source,
                      gint    *timeout)
{
  ChannelLoop *loop = (ChannelLoop *) source;

  *timeout = -1;
  return loop->pending->len > 0;
}

static gboolean
channel_loop_check (GSource *source)
{
  ChannelLoop *loop = (ChannelLoop *) source;

  return loop->pending->len > 0 ||
         (g_source_query_unix_fd (source, loop->epoll_tag) & G_IO_IN) != 0;
}

/* Flushes every channel that has something queued, including those that
 * the flushes themselves make pending. Returns whether there was any. */
static gboolean
channel_loop_flush_pending (ChannelLoop *loop)
{
  gboolean any = loop->pending->len > 0;

  while (loop->pending->len > 0)
    {
      g_autoptr(GPtrArray) batch = loop->pending;

      loop->pending = g_ptr_array_new_with_free_func (g_object_unref);
      for (guint i = 0; i < batch->len; i++)
        {
          SottoChannel *channel = g_ptr_array_index (batch, i);

          channel->flush_pending = FALSE;
          channel_flush (channel);
        }
    }

  return any;
}

static gboolean
channel_loop_dispatch (GSource     *source,
                       GSourceFunc  callback,
                       gpointer     user_data)
{
  ChannelLoop *loop = (ChannelLoop *) source;
  struct epoll_event events[MAX_EVENTS];
  SottoChannel *ready[MAX_EVENTS];
  int n;

  /* What other sources queued since the last pass (room events after a
   * commit, above all) leaves before anything new is read. A pass that
   * wrote reads nothing: the other sources of this turn of the main loop
   * run first, so the store commits what those messages announced before
   * their recipients' next requests are taken, as when each flush was an
   * idle of its own. */
  if (channel_loop_flush_pending (loop))
    return G_SOURCE_CONTINUE;

  n = epoll_wait (loop->epoll_fd, events, MAX_EVENTS, 0);

  /* A handler may drop any channel, this one included: hold them all. */
  for (int i = 0; i < n; i++)
    ready[i] = g_object_ref (events[i].data.ptr);

  for (int i = 0; i < n; i++)
    {
      SottoChannel *channel = ready[i];

      if ((events[i].events & EPOLLOUT) && channel->state != CHANNEL_CLOSED)
        channel_socket_write (channel);
      if ((events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) && channel->state != CHANNEL_CLOSED)
        channel_socket_read (channel);
    }

  for (int i = 0; i < n; i++)
    g_object_unref (ready[i]);

  channel_loop_flush_pending (loop);

  return G_SOURCE_CONTINUE;
}

static void
channel_loop_finalize (GSource *source)
{
  ChannelLoop *loop = (ChannelLoop *) source;

  g_ptr_array_unref (loop->pending);
  g_free (loop->chunk);
  close (loop->epoll_fd);
  g_main_context_unref (loop->context);
}

static GSourceFuncs channel_loop_funcs = {
  .prepare = channel_loop_prepare,
  .check = channel_loop_check,
  .dispatch = channel_loop_dispatch,
  .finalize = channel_loop_finalize,
};

/* The loop of the thread-default main context, made on first use; NULL
 * when no epoll set can be had, and the channel then uses the streams. */
static ChannelLoop *
channel_loop_acquire (void)
{
  g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();
  ChannelLoop *loop;

  G_LOCK (loops);

  if (loops == NULL)
    loops = g_hash_table_new (NULL, NULL);

  loop = g_hash_table_lookup (loops, context);
  if (loop == NULL)
    {
      int epoll_fd = epoll_create1 (EPOLL_CLOEXEC);

      if (epoll_fd < 0)
        {
          G_UNLOCK (loops);
          return NULL;
        }

      loop = (ChannelLoop *) g_source_new (&channel_loop_funcs, sizeof (ChannelLoop));
      g_source_set_static_name (&loop->source, "SottoChannel sockets");
      loop->context = g_main_context_ref (context);
      loop->epoll_fd = epoll_fd;
      loop->pending = g_ptr_array_new_with_free_func (g_object_unref);
      loop->chunk = g_malloc (READ_CHUNK);
      loop->epoll_tag = g_source_add_unix_fd (&loop->source, epoll_fd, G_IO_IN);
      g_source_attach (&loop->source, context);
      g_hash_table_insert (loops, context, loop);
    }
  loop->n_channels++;

  G_UNLOCK (loops);

  return loop;
}

static void
channel_loop_release (ChannelLoop *loop)
{
  gboolean last;

  G_LOCK (loops);
  last = --loop->n_channels == 0;
  if (last)
    g_hash_table_remove (loops, loop->context);
  G_UNLOCK (loops);

  if (last)
    {
      g_source_destroy (&loop->source);
      g_source_unref (&loop->source);
    }
}

/* Watches the socket for @events (EPOLLIN, EPOLLOUT), or stops with 0. */
static void
channel_watch (SottoChannel *self,
               guint32       events)
{
  struct epoll_event event = { .events = events, .data.ptr = self };
  int fd = g_socket_get_fd (self->socket);
  int op;

  if (self->watched == events)
    return;

  if (events == 0)
    op = EPOLL_CTL_DEL;
  else if (self->watched == 0)
    op = EPOLL_CTL_ADD;
  else
    op = EPOLL_CTL_MOD;

  /* A socket closed under the channel left the set by itself. */
  if (epoll_ctl (self->loop->epoll_fd, op, fd, &event) != 0 && op != EPOLL_CTL_DEL)
    g_warning ("Cannot watch a connection: %s", g_strerror (errno));
  self->watched = events;
}

/* Leaves the loop; the socket is not watched any more. */
static void
channel_detach (SottoChannel *self)
{
  if (self->loop == NULL)
    return;

  if (self->watched != 0 && !g_socket_is_closed (self->socket))
    channel_watch (self, 0);
  self->watched = 0;
  g_clear_pointer (&self->loop, channel_loop_release);
}

static void
sotto_channel_dispose (GObject *object)
{
  SottoChannel *self = SOTTO_CHANNEL (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->flush_id, g_source_remove);
  g_clear_handle_id (&self->close_timeout_id, g_source_remove);
  channel_detach (self);
  clear_out_queue (self);
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
  signals[MESSAGE] =
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
  signals[CLOSED] =
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

static void
stream_closed_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_io_stream_close_finish (G_IO_STREAM (object), result, NULL);
}

/* Ends the channel: stops all I/O, closes the stream and says why, once. */
static void
channel_finish (SottoChannel *self,
                const GError *error)
{
  g_autoptr(SottoChannel) hold = NULL;

  if (self->state == CHANNEL_CLOSED)
    return;

  hold = g_object_ref (self);
  self->state = CHANNEL_CLOSED;
  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->flush_id, g_source_remove);
  g_clear_handle_id (&self->close_timeout_id, g_source_remove);
  channel_detach (self);
  clear_out_queue (self);

  if (self->stream != NULL && !g_io_stream_is_closed (self->stream))
    g_io_stream_close_async (self->stream, G_PRIORITY_DEFAULT, NULL, stream_closed_cb, NULL);

  g_signal_emit (self, signals[CLOSED], 0, error);
}

static void
channel_fail (SottoChannel *self,
              GQuark        domain,
              int           code,
              const char   *message)
{
  g_autoptr(GError) error = g_error_new_literal (domain, code, message);

  channel_finish (self, error);
}

static void
append_frame_header (GByteArray *out,
                     guint32     length)
{
  guint8 header[SOTTO_FRAME_HEADER_SIZE];

  sotto_frame_put_header (header, length);
  g_byte_array_append (out, header, sizeof header);
}

/* Encrypts @plain as one frame at the end of @out, and empties it. */
static void
append_encrypted_frame (SottoChannel *self,
                        GByteArray   *plain,
                        GByteArray   *out,
                        guint8        tag)
{
  gsize cipher_len = plain->len + SOTTO_CHANNEL_FRAME_OVERHEAD;
  gsize offset;

  append_frame_header (out, cipher_len);
  offset = out->len;
  g_byte_array_set_size (out, offset + cipher_len);
  crypto_secretstream_xchacha20poly1305_push (&self->push, out->data + offset, NULL,
                                              plain->data, plain->len,
                                              NULL, 0, tag);
  sodium_memzero (plain->data, plain->len);
  g_byte_array_set_size (plain, 0);
}

/* What follows a write that took everything: the goodbye's end, or the
 * next flush. */
static void
channel_write_done (SottoChannel *self)
{
  self->in_flight_bytes = 0;

  if (self->state == CHANNEL_CLOSING && self->final_sent)
    {
      channel_finish (self, NULL);
      return;
    }

  if (!g_queue_is_empty (&self->out_queue) || self->state == CHANNEL_CLOSING)
    channel_schedule_flush (self);
}

static void
write_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(SottoChannel) self = user_data;
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&self->writing, g_byte_array_unref);

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), result, NULL, &error))
    {
      if (self->state != CHANNEL_CLOSED)
        channel_fail (self, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_CLOSED, error->message);
      return;
    }

  channel_write_done (self);
}

/* Writes what the socket takes of self->writing; waits for it to take
 * more when it is full. */
static void
channel_socket_write (SottoChannel *self)
{
  while (self->writing != NULL && self->writing_pos < self->writing->len)
    {
      g_autoptr(GError) error = NULL;
      gssize written;

      written = g_socket_send_with_blocking (self->socket,
                                             (const char *) self->writing->data + self->writing_pos,
                                             self->writing->len - self->writing_pos,
                                             FALSE, NULL, &error);
      if (written < 0)
        {
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            channel_watch (self, EPOLLIN | EPOLLOUT);
          else
            channel_fail (self, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_CLOSED, error->message);
          return;
        }

      self->writing_pos += written;
    }

  if (self->writing == NULL)
    return;

  g_clear_pointer (&self->writing, g_byte_array_unref);
  self->writing_pos = 0;
  channel_watch (self, EPOLLIN);
  channel_write_done (self);
}

/* Encrypts everything queued (and the goodbye, when closing) into frames;
 * returns them, or NULL when there is nothing to write. */
static GByteArray *
channel_encrypt_queue (SottoChannel *self)
{
  g_autoptr(GByteArray) out = NULL;
  g_autoptr(GByteArray) plain = NULL;
  gsize max_plain = self->max_frame - SOTTO_CHANNEL_FRAME_OVERHEAD;
  gsize flushed = 0;

  /* The stream header, the first time; then a buffer sized for the lot. */
  out = g_steal_pointer (&self->out_prefix);
  if (out == NULL)
    out = g_byte_array_sized_new (self->queued_bytes + g_queue_get_length (&self->out_queue) +
                                  SOTTO_FRAME_HEADER_SIZE + SOTTO_CHANNEL_FRAME_OVERHEAD);

  /* The plaintext lives only for this flush: an idle connection keeps no
   * buffer the size of the largest batch it was ever sent. */
  plain = g_byte_array_sized_new (MIN (self->queued_bytes + g_queue_get_length (&self->out_queue),
                                       max_plain));

  while (!g_queue_is_empty (&self->out_queue))
    {
      GBytes *message = g_queue_peek_head (&self->out_queue);
      gsize size = g_bytes_get_size (message);
      gsize needed = size + (plain->len > 0 ? 1 : 0);

      if (plain->len > 0 && plain->len + needed > max_plain)
        append_encrypted_frame (self, plain, out,
                                crypto_secretstream_xchacha20poly1305_TAG_MESSAGE);

      if (plain->len > 0)
        g_byte_array_append (plain, (const guint8 *) "\n", 1);
      g_byte_array_append (plain, g_bytes_get_data (message, NULL), size);
      flushed += size;
      g_bytes_unref (g_queue_pop_head (&self->out_queue));
    }

  if (plain->len > 0)
    append_encrypted_frame (self, plain, out, crypto_secretstream_xchacha20poly1305_TAG_MESSAGE);

  if (self->state == CHANNEL_CLOSING && !self->final_sent)
    {
      append_encrypted_frame (self, plain, out, crypto_secretstream_xchacha20poly1305_TAG_FINAL);
      self->final_sent = TRUE;
    }

  self->queued_bytes -= flushed;
  self->in_flight_bytes = flushed;

  if (out->len == 0)
    return NULL;

  return g_steal_pointer (&out);
}

/* One flush: everything queued goes out in one write. */
static void
channel_flush (SottoChannel *self)
{
  if (self->writing != NULL || self->state == CHANNEL_CLOSED)
    return;

  self->writing = channel_encrypt_queue (self);
  if (self->writing == NULL)
    return;

  if (self->loop != NULL)
    {
      self->writing_pos = 0;
      channel_socket_write (self);
      return;
    }

  g_output_stream_write_all_async (g_io_stream_get_output_stream (self->stream),
                                   self->writing->data, self->writing->len, G_PRIORITY_DEFAULT,
                                   self->cancellable, write_done_cb, g_object_ref (self));
}

static gboolean
channel_flush_cb (gpointer user_data)
{
  SottoChannel *self = user_data;

  self->flush_id = 0;
  channel_flush (self);

  return G_SOURCE_REMOVE;
}

static void
channel_schedule_flush (SottoChannel *self)
{
  if (self->writing != NULL || self->state == CHANNEL_CLOSED)
    return;

  if (self->loop != NULL)
    {
      if (!self->flush_pending)
        {
          self->flush_pending = TRUE;
          g_ptr_array_add (self->loop->pending, g_object_ref (self));
        }
      return;
    }

  if (self->flush_id == 0)
    self->flush_id = g_idle_add_full (G_PRIORITY_DEFAULT, channel_flush_cb, self, NULL);
}

static void
deliver_batch (SottoChannel *self,
               GBytes       *plain)
{
  gsize size = g_bytes_get_size (plain);
  const guint8 *data = g_bytes_get_data (plain, NULL);
  gsize start = 0;

  /* Once this side has said goodbye, what the peer still sends is dropped. */
  while (start < size && self->state == CHANNEL_OPEN)
    {
      const guint8 *newline = memchr (data + start, '\n', size - start);
      gsize end = newline != NULL ? (gsize) (newline - data) : size;

      if (end > start)
        {
          g_autoptr(GBytes) message = g_bytes_new_from_bytes (plain, start, end - start);

          g_signal_emit (self, signals[MESSAGE], 0, message);
        }

      start = end + 1;
    }
}

/* Takes one received frame: the peer's stream header first, then batches.
 * Returns FALSE once the channel has ended. */
static gboolean
channel_handle_frame (SottoChannel *self,
                      const guint8 *data,
                      gsize         size)
{
  g_autofree guint8 *plain = NULL;
  unsigned long long plain_len = 0;
  unsigned char tag = 0;

  if (!self->pull_started)
    {
      if (size != crypto_secretstream_xchacha20poly1305_HEADERBYTES ||
          crypto_secretstream_xchacha20poly1305_init_pull (&self->pull, data, self->rx_key) != 0)
        {
          channel_fail (self, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_BAD_HANDSHAKE,
                        _("The peer did not start its encrypted stream"));
          return FALSE;
        }
      self->pull_started = TRUE;
      return TRUE;
    }

  if (size < SOTTO_CHANNEL_FRAME_OVERHEAD)
    {
      channel_fail (self, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_DECRYPTION_FAILED,
                    _("A frame was too short to be encrypted"));
      return FALSE;
    }

  plain = g_malloc (size - SOTTO_CHANNEL_FRAME_OVERHEAD + 1);
  if (crypto_secretstream_xchacha20poly1305_pull (&self->pull, plain, &plain_len, &tag,
                                                  data, size, NULL, 0) != 0)
    {
      channel_fail (self, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_DECRYPTION_FAILED,
                    _("A frame failed to decrypt: it was altered, replayed or reordered"));
      return FALSE;
    }

  if (plain_len > 0)
    {
      g_autoptr(GBytes) batch = g_bytes_new_take (g_steal_pointer (&plain), plain_len);

      deliver_batch (self, batch);
    }

  if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL)
    {
      channel_finish (self, NULL);
      return FALSE;
    }

  return self->state != CHANNEL_CLOSED;
}

static void
frame_read_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(SottoChannel) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) frame = NULL;
  const guint8 *data;
  gsize size;

  frame = sotto_frame_read_finish (G_INPUT_STREAM (object), result, &error);

  if (self->state == CHANNEL_CLOSED)
    return;

  if (frame == NULL)
    {
      if (g_error_matches (error, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_CLOSED))
        channel_fail (self, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_CLOSED,
                      _("The connection was cut without a goodbye"));
      else if (error->domain == SOTTO_WIRE_ERROR)
        channel_finish (self, error);
      else
        channel_fail (self, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_CLOSED, error->message);
      return;
    }

  data = g_bytes_get_data (frame, &size);
  if (channel_handle_frame (self, data, size))
    channel_read_next (self);
}

static void
channel_read_next (SottoChannel *self)
{
  if (self->state == CHANNEL_CLOSED)
    return;

  sotto_frame_read_async (g_io_stream_get_input_stream (self->stream), self->max_frame,
                          self->cancellable, frame_read_cb, g_object_ref (self));
}

/* Cuts @data (just read) and what was left of the last read into frames
 * and takes each complete one; keeps the start of an incomplete one. A
 * frame's length is checked as soon as its 4 bytes are in, before any
 * room is made for it. Returns FALSE once the channel has ended. */
static gboolean
channel_take_bytes (SottoChannel *self,
                    const guint8 *data,
                    gsize         size)
{
  const guint8 *bytes = data;
  gsize available = size;
  gsize used = 0;

  if (self->partial != NULL)
    {
      g_byte_array_append (self->partial, data, size);
      bytes = self->partial->data;
      available = self->partial->len;
    }

  while (available - used >= SOTTO_FRAME_HEADER_SIZE)
    {
      guint32 length = sotto_frame_get_header (bytes + used);
      g_autoptr(GError) error = NULL;

      if (!sotto_frame_check_length (length, self->max_frame, &error))
        {
          channel_finish (self, error);
          return FALSE;
        }

      if (available - used - SOTTO_FRAME_HEADER_SIZE < length)
        break;

      if (!channel_handle_frame (self, bytes + used + SOTTO_FRAME_HEADER_SIZE, length))
        return FALSE;
      used += SOTTO_FRAME_HEADER_SIZE + length;
    }

  if (self->partial == NULL)
    {
      if (used < available)
        {
          self->partial = g_byte_array_sized_new (available - used);
          g_byte_array_append (self->partial, bytes + used, available - used);
        }
    }
  else if (used == available)
    g_clear_pointer (&self->partial, g_byte_array_unref);
  else
    g_byte_array_remove_range (self->partial, 0, used);

  return TRUE;
}

/* Reads what the socket holds, a few chunks at most so that one busy peer
 * does not hold up the others; the loop comes back for the rest. */
static void
channel_socket_read (SottoChannel *self)
{
  guint8 *chunk = self->loop->chunk;

  for (guint round = 0; round < 4; round++)
    {
      g_autoptr(GError) error = NULL;
      gssize received;

      received = g_socket_receive_with_blocking (self->socket, (char *) chunk, READ_CHUNK,
                                                 FALSE, NULL, &error);
      if (received < 0)
        {
          if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            channel_fail (self, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_CLOSED, error->message);
          return;
        }

      if (received == 0)
        {
          channel_fail (self, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_CLOSED,
                        _("The connection was cut without a goodbye"));
          return;
        }

      if (!channel_take_bytes (self, chunk, received) || received < READ_CHUNK)
        return;
    }
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
  guint8 header[crypto_secretstream_xchacha20poly1305_HEADERBYTES];

  g_return_if_fail (SOTTO_IS_CHANNEL (self));
  g_return_if_fail (self->state == CHANNEL_NEW);

  self->state = CHANNEL_OPEN;
  crypto_secretstream_xchacha20poly1305_init_push (&self->push, header, self->tx_key);
  self->out_prefix = g_byte_array_new ();
  append_frame_header (self->out_prefix, sizeof header);
  g_byte_array_append (self->out_prefix, header, sizeof header);
  sodium_memzero (self->tx_key, sizeof self->tx_key);

  if (self->socket != NULL)
    self->loop = channel_loop_acquire ();

  if (self->loop != NULL)
    channel_watch (self, EPOLLIN);
  else
    channel_read_next (self);
  channel_schedule_flush (self);
}

/**
 * sotto_channel_send:
 * @message: one message; it must not contain '\n'
 *
 * Queues @message; it goes out with whatever else is queued before the
 * main loop is next idle. The bytes are shared, not copied, until then.
 *
 * Returns: %FALSE if the channel is not open, or if the queue overflowed,
 *   in which case the channel fails with %SOTTO_WIRE_ERROR_OVERFLOW
 */
gboolean
sotto_channel_send (SottoChannel *self,
                    GBytes       *message)
{
  gsize size;

  g_return_val_if_fail (SOTTO_IS_CHANNEL (self), FALSE);
  g_return_val_if_fail (message != NULL, FALSE);

  size = g_bytes_get_size (message);
  g_return_val_if_fail (size > 0, FALSE);
  g_return_val_if_fail (size <= sotto_channel_get_max_message_size (self), FALSE);
  g_return_val_if_fail (memchr (g_bytes_get_data (message, NULL), '\n', size) == NULL, FALSE);

  if (self->state != CHANNEL_OPEN)
    return FALSE;

  if (self->queued_bytes + self->in_flight_bytes + size > self->max_queue)
    {
      channel_fail (self, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_OVERFLOW,
                    _("The peer does not read what is sent to it"));
      return FALSE;
    }

  g_queue_push_tail (&self->out_queue, g_bytes_ref (message));
  self->queued_bytes += size;
  channel_schedule_flush (self);

  return TRUE;
}

static gboolean
close_timeout_cb (gpointer user_data)
{
  SottoChannel *self = user_data;

  self->close_timeout_id = 0;
  channel_fail (self, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_CLOSED,
                _("The peer did not take the goodbye in time"));

  return G_SOURCE_REMOVE;
}

/**
 * sotto_channel_close:
 *
 * Says goodbye: what is queued is sent, then the FINAL frame, then the
 * stream is closed and #SottoChannel::closed is emitted with no error.
 * A peer that does not take it within a few seconds is cut off.
 */
void
sotto_channel_close (SottoChannel *self)
{
  g_return_if_fail (SOTTO_IS_CHANNEL (self));

  if (self->state == CHANNEL_NEW)
    {
      channel_finish (self, NULL);
      return;
    }

  if (self->state != CHANNEL_OPEN)
    return;

  self->state = CHANNEL_CLOSING;
  self->close_timeout_id = g_timeout_add_seconds (CLOSE_TIMEOUT_SECONDS, close_timeout_cb, self);
  channel_schedule_flush (self);
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

  channel_finish (self, error);
}

gboolean
sotto_channel_is_open (SottoChannel *self)
{
  g_return_val_if_fail (SOTTO_IS_CHANNEL (self), FALSE);

  return self->state == CHANNEL_OPEN;
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
