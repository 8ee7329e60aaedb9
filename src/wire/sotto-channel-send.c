/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>
#include <sys/epoll.h>

#include "sotto-channel-private.h"
#include "sotto-frame.h"
#include "sotto-wire-error.h"

/*
 * The sending half of a channel. Messages queued with sotto_channel_send()
 * are gathered until the main loop is idle (or, over a socket, until the
 * shared source's next pass), joined with '\n' and encrypted as one frame
 * (or as few frames as the frame limit allows), then written with a single
 * write. A flush over a socket writes at once and waits for the socket
 * only when it is full; over other streams it uses the async calls.
 *
 * Messages queued with sotto_channel_send_bulk() (a file's pieces) take a
 * lane of their own: a flush takes them only when no ordinary message
 * waits, and then one at a time, in a frame of its own. So a message
 * queued while a piece is being written goes right after that piece
 * (and the little the kernel holds of those before, see
 * SOTTO_CHANNEL_NOTSENT_LOWAT), never behind the pieces still queued.
 */

#define CLOSE_TIMEOUT_SECONDS 5

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

  if (self->state == SOTTO_CHANNEL_STATE_CLOSING && self->final_sent)
    {
      _sotto_channel_finish (self, NULL);
      return;
    }

  if (!g_queue_is_empty (&self->out_queue) || !g_queue_is_empty (&self->bulk_queue) ||
      self->state == SOTTO_CHANNEL_STATE_CLOSING)
    _sotto_channel_schedule_flush (self);
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
      if (self->state != SOTTO_CHANNEL_STATE_CLOSED)
        _sotto_channel_fail (self, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_CLOSED, error->message);
      return;
    }

  channel_write_done (self);
}

/* Writes what the socket takes of self->writing; waits for it to take
 * more when it is full. */
void
_sotto_channel_socket_write (SottoChannel *self)
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
            _sotto_channel_watch (self, EPOLLIN | EPOLLOUT);
          else
            _sotto_channel_fail (self, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_CLOSED, error->message);
          return;
        }

      self->writing_pos += written;
    }

  if (self->writing == NULL)
    return;

  g_clear_pointer (&self->writing, g_byte_array_unref);
  self->writing_pos = 0;
  _sotto_channel_watch (self, EPOLLIN);
  channel_write_done (self);
}

/* Encrypts the ordinary messages queued into @out, joined in as few
 * frames as the frame limit allows; returns their size. */
static gsize
encrypt_ordinary (SottoChannel *self,
                  GByteArray   *out)
{
  g_autoptr(GByteArray) plain = NULL;
  gsize max_plain = self->max_frame - SOTTO_CHANNEL_FRAME_OVERHEAD;
  gsize flushed = 0;

  /* The plaintext lives only for this flush: an idle connection keeps no
   * buffer the size of the largest batch it was ever sent. */
  plain = g_byte_array_sized_new (MIN (self->queued_bytes - self->bulk_queued_bytes +
                                         g_queue_get_length (&self->out_queue),
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

  return flushed;
}

/* Encrypts the first bulk message queued into @out, as a frame of its
 * own; returns its size. */
static gsize
encrypt_bulk (SottoChannel *self,
              GByteArray   *out)
{
  g_autoptr(GBytes) message = g_queue_pop_head (&self->bulk_queue);
  g_autoptr(GByteArray) plain = NULL;
  gsize size;
  const guint8 *data = g_bytes_get_data (message, &size);

  plain = g_byte_array_sized_new (size);
  g_byte_array_append (plain, data, size);
  append_encrypted_frame (self, plain, out, crypto_secretstream_xchacha20poly1305_TAG_MESSAGE);
  self->bulk_queued_bytes -= size;

  return size;
}

/* Encrypts what goes next into frames: every ordinary message queued, or
 * else the first bulk one; the goodbye once both lanes are empty, when
 * closing. Returns them, or NULL when there is nothing to write. */
static GByteArray *
channel_encrypt_queue (SottoChannel *self)
{
  g_autoptr(GByteArray) out = NULL;
  gboolean ordinary = !g_queue_is_empty (&self->out_queue);
  gsize next_bytes = 0;
  gsize flushed = 0;

  if (ordinary)
    next_bytes = self->queued_bytes - self->bulk_queued_bytes +
                 g_queue_get_length (&self->out_queue);
  else if (!g_queue_is_empty (&self->bulk_queue))
    next_bytes = g_bytes_get_size (g_queue_peek_head (&self->bulk_queue));

  /* The stream header, the first time; then a buffer sized for the lot. */
  out = g_steal_pointer (&self->out_prefix);
  if (out == NULL)
    out = g_byte_array_sized_new (next_bytes + SOTTO_FRAME_HEADER_SIZE +
                                  SOTTO_CHANNEL_FRAME_OVERHEAD);

  if (ordinary)
    flushed = encrypt_ordinary (self, out);
  else if (!g_queue_is_empty (&self->bulk_queue))
    flushed = encrypt_bulk (self, out);

  if (self->state == SOTTO_CHANNEL_STATE_CLOSING && !self->final_sent &&
      g_queue_is_empty (&self->out_queue) && g_queue_is_empty (&self->bulk_queue))
    {
      g_autoptr(GByteArray) nothing = g_byte_array_new ();

      append_encrypted_frame (self, nothing, out, crypto_secretstream_xchacha20poly1305_TAG_FINAL);
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
  if (self->writing != NULL || self->state == SOTTO_CHANNEL_STATE_CLOSED)
    return;

  self->writing = channel_encrypt_queue (self);
  if (self->writing == NULL)
    return;

  if (self->source != NULL)
    {
      self->writing_pos = 0;
      _sotto_channel_socket_write (self);
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

void
_sotto_channel_schedule_flush (SottoChannel *self)
{
  if (self->writing != NULL || self->state == SOTTO_CHANNEL_STATE_CLOSED)
    return;

  if (self->source != NULL)
    {
      if (!self->flush_pending)
        {
          self->flush_pending = TRUE;
          _sotto_channel_source_queue_flush (self->source, self);
        }
      return;
    }

  if (self->flush_id == 0)
    self->flush_id = g_idle_add_full (G_PRIORITY_DEFAULT, channel_flush_cb, self, NULL);
}

/* The source's call for a channel that _sotto_channel_schedule_flush()
 * queued in it. */
void
_sotto_channel_flush_pending (SottoChannel *self)
{
  self->flush_pending = FALSE;
  channel_flush (self);
}

/* The stream header goes out first, with whatever is queued by then. */
void
_sotto_channel_start_sending (SottoChannel *self)
{
  guint8 header[crypto_secretstream_xchacha20poly1305_HEADERBYTES];

  crypto_secretstream_xchacha20poly1305_init_push (&self->push, header, self->tx_key);
  self->out_prefix = g_byte_array_new ();
  append_frame_header (self->out_prefix, sizeof header);
  g_byte_array_append (self->out_prefix, header, sizeof header);
  sodium_memzero (self->tx_key, sizeof self->tx_key);
}

static gboolean
channel_queue (SottoChannel *self,
               GQueue       *queue,
               GBytes       *message)
{
  gsize size = g_bytes_get_size (message);

  if (self->state != SOTTO_CHANNEL_STATE_OPEN)
    return FALSE;

  if (self->queued_bytes + self->in_flight_bytes + size > self->max_queue)
    {
      _sotto_channel_fail (self, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_OVERFLOW,
                           _("The peer does not read what is sent to it"));
      return FALSE;
    }

  g_queue_push_tail (queue, g_bytes_ref (message));
  self->queued_bytes += size;
  if (queue == &self->bulk_queue)
    self->bulk_queued_bytes += size;
  _sotto_channel_schedule_flush (self);

  return TRUE;
}

/* A message starting with SOTTO_CHANNEL_WHOLE_FRAME_MARKER goes only in
 * the bulk lane, which gives it a frame of its own, and may then hold any
 * byte; every other message is joined with others at '\n'. */
#define CHECK_MESSAGE(self, message, bulk) \
  G_STMT_START { \
    gsize size_; \
    const guint8 *data_; \
    gboolean whole_; \
    g_return_val_if_fail (SOTTO_IS_CHANNEL (self), FALSE); \
    g_return_val_if_fail (message != NULL, FALSE); \
    data_ = g_bytes_get_data (message, &size_); \
    g_return_val_if_fail (size_ > 0, FALSE); \
    g_return_val_if_fail (size_ <= self->max_frame - SOTTO_CHANNEL_FRAME_OVERHEAD, FALSE); \
    whole_ = data_[0] == SOTTO_CHANNEL_WHOLE_FRAME_MARKER; \
    g_return_val_if_fail (bulk || !whole_, FALSE); \
    g_return_val_if_fail (whole_ || memchr (data_, '\n', size_) == NULL, FALSE); \
  } G_STMT_END

/**
 * sotto_channel_send:
 * @message: one message; it must not contain '\n', nor start with
 *   %SOTTO_CHANNEL_WHOLE_FRAME_MARKER
 *
 * Queues @message; it goes out with whatever else is queued before the
 * main loop is next idle, ahead of bulk messages still queued. The bytes
 * are shared, not copied, until then.
 *
 * Returns: %FALSE if the channel is not open, or if the queue overflowed,
 *   in which case the channel fails with %SOTTO_WIRE_ERROR_OVERFLOW
 */
gboolean
sotto_channel_send (SottoChannel *self,
                    GBytes       *message)
{
  CHECK_MESSAGE (self, message, FALSE);

  return channel_queue (self, &self->out_queue, message);
}

/**
 * sotto_channel_send_bulk:
 * @message: one message; it must not contain '\n', unless it starts with
 *   %SOTTO_CHANNEL_WHOLE_FRAME_MARKER (a binary message)
 *
 * Queues @message in the bulk lane, for a file's pieces: it goes out in a
 * frame of its own once no message queued with sotto_channel_send() waits,
 * so that those overtake it. Bulk messages keep their order among
 * themselves, and count in the same queue limit.
 *
 * Returns: as sotto_channel_send()
 */
gboolean
sotto_channel_send_bulk (SottoChannel *self,
                         GBytes       *message)
{
  CHECK_MESSAGE (self, message, TRUE);

  return channel_queue (self, &self->bulk_queue, message);
}

static gboolean
close_timeout_cb (gpointer user_data)
{
  SottoChannel *self = user_data;

  self->close_timeout_id = 0;
  _sotto_channel_fail (self, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_CLOSED,
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

  if (self->state == SOTTO_CHANNEL_STATE_NEW)
    {
      _sotto_channel_finish (self, NULL);
      return;
    }

  if (self->state != SOTTO_CHANNEL_STATE_OPEN)
    return;

  self->state = SOTTO_CHANNEL_STATE_CLOSING;
  self->close_timeout_id = g_timeout_add_seconds (CLOSE_TIMEOUT_SECONDS, close_timeout_cb, self);
  _sotto_channel_schedule_flush (self);
}
