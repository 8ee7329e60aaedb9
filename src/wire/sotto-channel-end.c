/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sys/epoll.h>

#include "sotto-channel-private.h"

/*
 * How a socket channel is watched in its shared source, and how any
 * channel ends: once, with all I/O stopped, the stream closed and the
 * reason given to #SottoChannel::closed.
 */

void
_sotto_channel_clear_out_queue (SottoChannel *self)
{
  g_queue_clear_full (&self->out_queue, (GDestroyNotify) g_bytes_unref);
  g_queue_clear_full (&self->bulk_queue, (GDestroyNotify) g_bytes_unref);
  self->queued_bytes = 0;
  self->bulk_queued_bytes = 0;
  self->in_flight_bytes = 0;
}

/* Drops the messages a hold kept, and the release that was to hand them
 * on. */
void
_sotto_channel_clear_held (SottoChannel *self)
{
  g_queue_clear_full (&self->held, (GDestroyNotify) g_bytes_unref);
  g_clear_handle_id (&self->release_id, g_source_remove);
}

/* Watches the socket for @events (EPOLLIN, EPOLLOUT), or stops with 0.
 * While receiving is held, and until the release has taken what waited,
 * EPOLLIN is left out. */
void
_sotto_channel_watch (SottoChannel *self,
                      guint32       events)
{
  self->wanted = events;
  if (self->holds > 0 || self->release_id != 0)
    events &= ~EPOLLIN;

  if (self->watched == events)
    return;

  _sotto_channel_source_watch (self->source, g_socket_get_fd (self->socket),
                               self->watched, events, self);
  self->watched = events;
}

/* Leaves the source; the socket is not watched any more. */
void
_sotto_channel_detach (SottoChannel *self)
{
  if (self->source == NULL)
    return;

  if (self->watched != 0 && !g_socket_is_closed (self->socket))
    _sotto_channel_watch (self, 0);
  self->watched = 0;
  g_clear_pointer (&self->source, _sotto_channel_source_release);
}

static void
stream_closed_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_io_stream_close_finish (G_IO_STREAM (object), result, NULL);
}

/* Ends the channel: stops all I/O, closes the stream and says why, once. */
void
_sotto_channel_finish (SottoChannel *self,
                       const GError *error)
{
  g_autoptr(SottoChannel) hold = NULL;

  if (self->state == SOTTO_CHANNEL_STATE_CLOSED)
    return;

  hold = g_object_ref (self);
  self->state = SOTTO_CHANNEL_STATE_CLOSED;
  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->flush_id, g_source_remove);
  g_clear_handle_id (&self->close_timeout_id, g_source_remove);
  _sotto_channel_detach (self);
  _sotto_channel_clear_out_queue (self);
  _sotto_channel_clear_held (self);

  if (self->stream != NULL && !g_io_stream_is_closed (self->stream))
    g_io_stream_close_async (self->stream, G_PRIORITY_DEFAULT, NULL, stream_closed_cb, NULL);

  g_signal_emit (self, _sotto_channel_signals[SOTTO_CHANNEL_SIGNAL_CLOSED], 0, error);
}

void
_sotto_channel_fail (SottoChannel *self,
                     GQuark        domain,
                     int           code,
                     const char   *message)
{
  g_autoptr(GError) error = g_error_new_literal (domain, code, message);

  _sotto_channel_finish (self, error);
}
