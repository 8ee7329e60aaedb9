/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>
#include <sys/epoll.h>

#include "sotto-channel-private.h"
#include "sotto-frame.h"
#include "sotto-wire-error.h"

/*
 * The receiving half of a channel: the peer's stream header first, then
 * one secretstream message per frame, each a batch of messages joined
 * with '\n', or one binary message that fills the frame. A frame that was altered, replayed, reordered or dropped
 * fails to decrypt; a connection that ends without FINAL is reported as
 * cut rather than closed.
 *
 * Over a socket, reads take whatever the socket holds and cut it into
 * frames; over other streams, frames are read one by one.
 *
 * Receiving can be held (sotto_channel_hold_receiving()): the messages of
 * the frame being taken wait in order, no further frame is taken and the
 * socket is not read, so a peer that goes on sending meets TCP's own
 * back-pressure. The release takes up where it stopped, from an idle.
 */

static void channel_read_next (SottoChannel *self);

static void
deliver_batch (SottoChannel *self,
               GBytes       *plain)
{
  gsize size = g_bytes_get_size (plain);
  const guint8 *data = g_bytes_get_data (plain, NULL);
  gsize start = 0;

  /* A binary message fills its frame, and may hold any byte. */
  if (size > 0 && data[0] == SOTTO_CHANNEL_WHOLE_FRAME_MARKER)
    {
      if (self->holds > 0)
        g_queue_push_tail (&self->held, g_bytes_ref (plain));
      else if (self->state == SOTTO_CHANNEL_STATE_OPEN)
        g_signal_emit (self, _sotto_channel_signals[SOTTO_CHANNEL_SIGNAL_MESSAGE], 0, plain);
      return;
    }

  /* Once this side has said goodbye, what the peer still sends is dropped. */
  while (start < size && self->state == SOTTO_CHANNEL_STATE_OPEN)
    {
      const guint8 *newline = memchr (data + start, '\n', size - start);
      gsize end = newline != NULL ? (gsize) (newline - data) : size;

      if (end > start)
        {
          g_autoptr(GBytes) message = g_bytes_new_from_bytes (plain, start, end - start);

          /* A message taken earlier in this batch held receiving. */
          if (self->holds > 0)
            g_queue_push_tail (&self->held, g_steal_pointer (&message));
          else
            g_signal_emit (self, _sotto_channel_signals[SOTTO_CHANNEL_SIGNAL_MESSAGE], 0, message);
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
          _sotto_channel_fail (self, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_BAD_HANDSHAKE,
                               _("The peer did not start its encrypted stream"));
          return FALSE;
        }
      self->pull_started = TRUE;
      return TRUE;
    }

  if (size < SOTTO_CHANNEL_FRAME_OVERHEAD)
    {
      _sotto_channel_fail (self, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_DECRYPTION_FAILED,
                           _("A frame was too short to be encrypted"));
      return FALSE;
    }

  plain = g_malloc (size - SOTTO_CHANNEL_FRAME_OVERHEAD + 1);
  if (crypto_secretstream_xchacha20poly1305_pull (&self->pull, plain, &plain_len, &tag,
                                                  data, size, NULL, 0) != 0)
    {
      _sotto_channel_fail (self, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_DECRYPTION_FAILED,
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
      _sotto_channel_finish (self, NULL);
      return FALSE;
    }

  return self->state != SOTTO_CHANNEL_STATE_CLOSED;
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

  if (self->state == SOTTO_CHANNEL_STATE_CLOSED)
    return;

  if (frame == NULL)
    {
      if (g_error_matches (error, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_CLOSED))
        _sotto_channel_fail (self, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_CLOSED,
                             _("The connection was cut without a goodbye"));
      else if (error->domain == SOTTO_WIRE_ERROR)
        _sotto_channel_finish (self, error);
      else
        _sotto_channel_fail (self, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_CLOSED, error->message);
      return;
    }

  data = g_bytes_get_data (frame, &size);
  if (!channel_handle_frame (self, data, size))
    return;

  if (self->holds > 0)
    self->read_stopped = TRUE;
  else
    channel_read_next (self);
}

static void
channel_read_next (SottoChannel *self)
{
  if (self->state == SOTTO_CHANNEL_STATE_CLOSED)
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
      if (size > 0)
        g_byte_array_append (self->partial, data, size);
      bytes = self->partial->data;
      available = self->partial->len;
    }

  while (self->holds == 0 && available - used >= SOTTO_FRAME_HEADER_SIZE)
    {
      guint32 length = sotto_frame_get_header (bytes + used);
      g_autoptr(GError) error = NULL;

      if (!sotto_frame_check_length (length, self->max_frame, &error))
        {
          _sotto_channel_finish (self, error);
          return FALSE;
        }

      if (available - used - SOTTO_FRAME_HEADER_SIZE < length)
        break;

      if (!channel_handle_frame (self, bytes + used + SOTTO_FRAME_HEADER_SIZE, length))
        return FALSE;
      used += SOTTO_FRAME_HEADER_SIZE + length;
    }

  /* Held with frames still to take: the release takes them. */
  if (self->holds > 0 && available - used >= SOTTO_FRAME_HEADER_SIZE)
    self->read_stopped = TRUE;

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
 * does not hold up the others; the source comes back for the rest. */
void
_sotto_channel_socket_read (SottoChannel *self)
{
  guint8 *chunk = _sotto_channel_source_get_chunk (self->source);

  /* Held, or released with what waited not yet taken: the socket is not
   * watched for reading until that is done, and a hang-up is seen once it
   * reads again. */
  if (self->holds > 0 || self->release_id != 0)
    {
      self->read_stopped = TRUE;
      _sotto_channel_watch (self, self->wanted);
      return;
    }

  for (guint round = 0; round < 4; round++)
    {
      g_autoptr(GError) error = NULL;
      gssize received;

      received = g_socket_receive_with_blocking (self->socket, (char *) chunk,
                                                 SOTTO_CHANNEL_READ_CHUNK, FALSE, NULL, &error);
      if (received < 0)
        {
          if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            _sotto_channel_fail (self, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_CLOSED, error->message);
          return;
        }

      if (received == 0)
        {
          _sotto_channel_fail (self, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_CLOSED,
                               _("The connection was cut without a goodbye"));
          return;
        }

      if (!channel_take_bytes (self, chunk, received) || received < SOTTO_CHANNEL_READ_CHUNK ||
          self->holds > 0)
        return;
    }
}

/* Reads through the shared source over a socket, through the stream's
 * async calls otherwise. */
void
_sotto_channel_start_receiving (SottoChannel *self)
{
  if (self->source != NULL)
    _sotto_channel_watch (self, EPOLLIN);
  else
    channel_read_next (self);
}

/* Goes on where a hold stopped: the messages that waited, the frames
 * already read, then the socket or the stream again. Each step stops as
 * soon as a message holds receiving anew. */
static gboolean
release_cb (gpointer user_data)
{
  g_autoptr(SottoChannel) self = g_object_ref (user_data);
  gboolean stopped = self->read_stopped;
  GBytes *message;

  self->release_id = 0;
  self->read_stopped = FALSE;

  while (self->holds == 0 && self->state == SOTTO_CHANNEL_STATE_OPEN &&
         (message = g_queue_pop_head (&self->held)) != NULL)
    {
      g_signal_emit (self, _sotto_channel_signals[SOTTO_CHANNEL_SIGNAL_MESSAGE], 0, message);
      g_bytes_unref (message);
    }

  if (self->holds > 0)
    {
      self->read_stopped |= stopped;
      return G_SOURCE_REMOVE;
    }
  if (self->state != SOTTO_CHANNEL_STATE_OPEN)
    return G_SOURCE_REMOVE;

  /* Frames read before the hold and not yet taken. */
  if (self->partial != NULL && !channel_take_bytes (self, NULL, 0))
    return G_SOURCE_REMOVE;
  if (self->holds > 0)
    {
      self->read_stopped |= stopped;
      return G_SOURCE_REMOVE;
    }

  /* Over a socket, what it holds meanwhile is seen by the next pass: a
   * socket with data waiting is reported ready as soon as it is watched
   * for it again. */
  if (self->source != NULL)
    _sotto_channel_watch (self, self->wanted);
  else if (stopped)
    channel_read_next (self);

  return G_SOURCE_REMOVE;
}

/**
 * sotto_channel_hold_receiving:
 *
 * Stops handing on messages until sotto_channel_release_receiving() has
 * been called once for each call of this: for a server whose answer to a
 * request waits on something else, so that the client's later requests
 * are not taken before it. Messages already decrypted wait in order;
 * nothing more is read meanwhile. May be called from a handler of
 * #SottoChannel::message, and costs nothing if released before the
 * handler returns.
 */
void
sotto_channel_hold_receiving (SottoChannel *self)
{
  g_return_if_fail (SOTTO_IS_CHANNEL (self));

  self->holds++;
}

/**
 * sotto_channel_release_receiving:
 *
 * Ends one sotto_channel_hold_receiving(). Once none is left, what waited
 * is handed on from an idle, never inside this call.
 */
void
sotto_channel_release_receiving (SottoChannel *self)
{
  g_return_if_fail (SOTTO_IS_CHANNEL (self));
  g_return_if_fail (self->holds > 0);

  if (--self->holds > 0 || self->state == SOTTO_CHANNEL_STATE_CLOSED)
    return;

  /* Nothing waits and nothing stopped (released inside the handler that
   * held, say): receiving simply goes on. A write meanwhile may have left
   * the socket unwatched for reading, as a write sets what it is watched
   * for: watched again, what it holds is read in the next pass. */
  if (g_queue_is_empty (&self->held) && !self->read_stopped)
    {
      if (self->source != NULL && self->watched != self->wanted)
        _sotto_channel_watch (self, self->wanted);
      return;
    }

  if (self->release_id == 0)
    {
      self->release_id = g_idle_add_full (G_PRIORITY_DEFAULT, release_cb, self, NULL);
      g_source_set_name_by_id (self->release_id, "[sotto] channel release");
    }
}
