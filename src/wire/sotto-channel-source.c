/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "sotto-channel-private.h"

/*
 * A channel over a socket (every real connection) does not use GLib's
 * per-stream sources: all such channels of one main context share one
 * SottoChannelSource, a GSource that watches a single epoll set, so a pass
 * of the main loop costs the same with ten or ten thousand idle
 * connections. The source knows the channels only as what it watches and
 * what it flushes; what a ready socket means is the channel's business.
 */

/* Every socket channel of one main context, watched through one epoll set
 * that the context polls as a single file descriptor. */
struct _SottoChannelSource
{
  GSource                  source;
  GMainContext            *context;
  int                      epoll_fd;
  gpointer                 epoll_tag;
  guint                    n_channels;
  SottoChannelSourceFuncs  funcs;
  /* Channels with messages to flush (a reference each). */
  GPtrArray               *pending;
  guint8                  *chunk;
};

static G_LOCK_DEFINE (sources);
/* GMainContext → SottoChannelSource, each alive while it has channels. */
static GHashTable *sources;

static gboolean
channel_source_prepare (GSource *source,
                        gint    *timeout)
{
  SottoChannelSource *self = (SottoChannelSource *) source;

  *timeout = -1;
  return self->pending->len > 0;
}

static gboolean
channel_source_check (GSource *source)
{
  SottoChannelSource *self = (SottoChannelSource *) source;

  return self->pending->len > 0 ||
         (g_source_query_unix_fd (source, self->epoll_tag) & G_IO_IN) != 0;
}

/* Flushes every channel that has something queued, including those that
 * the flushes themselves make pending. Returns whether there was any. */
static gboolean
channel_source_flush_pending (SottoChannelSource *self)
{
  gboolean any = self->pending->len > 0;

  while (self->pending->len > 0)
    {
      g_autoptr(GPtrArray) batch = self->pending;

      self->pending = g_ptr_array_new_with_free_func (g_object_unref);
      for (guint i = 0; i < batch->len; i++)
        self->funcs.flush (g_ptr_array_index (batch, i));
    }

  return any;
}

static gboolean
channel_source_dispatch (GSource     *source,
                         GSourceFunc  callback,
                         gpointer     user_data)
{
  SottoChannelSource *self = (SottoChannelSource *) source;
  struct epoll_event events[SOTTO_CHANNEL_MAX_EVENTS];
  SottoChannel *ready[SOTTO_CHANNEL_MAX_EVENTS];
  int n;

  /* What other sources queued since the last pass (room events after a
   * commit, above all) leaves before anything new is read. A pass that
   * wrote reads nothing: the other sources of this turn of the main loop
   * run first, so the store commits what those messages announced before
   * their recipients' next requests are taken, as when each flush was an
   * idle of its own. */
  if (channel_source_flush_pending (self))
    return G_SOURCE_CONTINUE;

  n = epoll_wait (self->epoll_fd, events, SOTTO_CHANNEL_MAX_EVENTS, 0);

  /* A handler may drop any channel, this one included: hold them all. */
  for (int i = 0; i < n; i++)
    ready[i] = g_object_ref (events[i].data.ptr);

  for (int i = 0; i < n; i++)
    self->funcs.ready (ready[i], events[i].events);

  for (int i = 0; i < n; i++)
    g_object_unref (ready[i]);

  channel_source_flush_pending (self);

  return G_SOURCE_CONTINUE;
}

static void
channel_source_finalize (GSource *source)
{
  SottoChannelSource *self = (SottoChannelSource *) source;

  g_ptr_array_unref (self->pending);
  g_free (self->chunk);
  close (self->epoll_fd);
  g_main_context_unref (self->context);
}

static GSourceFuncs channel_source_funcs = {
  .prepare = channel_source_prepare,
  .check = channel_source_check,
  .dispatch = channel_source_dispatch,
  .finalize = channel_source_finalize,
};

/* The source of the thread-default main context, made on first use; NULL
 * when no epoll set can be had, and the channel then uses the streams.
 * Every channel passes the same @funcs. */
SottoChannelSource *
_sotto_channel_source_acquire (const SottoChannelSourceFuncs *funcs)
{
  g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();
  SottoChannelSource *self;

  G_LOCK (sources);

  if (sources == NULL)
    sources = g_hash_table_new (NULL, NULL);

  self = g_hash_table_lookup (sources, context);
  if (self == NULL)
    {
      int epoll_fd = epoll_create1 (EPOLL_CLOEXEC);

      if (epoll_fd < 0)
        {
          G_UNLOCK (sources);
          return NULL;
        }

      self = (SottoChannelSource *) g_source_new (&channel_source_funcs,
                                                  sizeof (SottoChannelSource));
      g_source_set_static_name (&self->source, "SottoChannel sockets");
      self->context = g_main_context_ref (context);
      self->epoll_fd = epoll_fd;
      self->funcs = *funcs;
      self->pending = g_ptr_array_new_with_free_func (g_object_unref);
      self->chunk = g_malloc (SOTTO_CHANNEL_READ_CHUNK);
      self->epoll_tag = g_source_add_unix_fd (&self->source, epoll_fd, G_IO_IN);
      g_source_attach (&self->source, context);
      g_hash_table_insert (sources, context, self);
    }
  self->n_channels++;

  G_UNLOCK (sources);

  return self;
}

void
_sotto_channel_source_release (SottoChannelSource *self)
{
  gboolean last;

  G_LOCK (sources);
  last = --self->n_channels == 0;
  if (last)
    g_hash_table_remove (sources, self->context);
  G_UNLOCK (sources);

  if (last)
    {
      g_source_destroy (&self->source);
      g_source_unref (&self->source);
    }
}

/* Watches @fd, watched so far for @watched, for @events (EPOLLIN,
 * EPOLLOUT) on behalf of @channel, or stops with 0. */
void
_sotto_channel_source_watch (SottoChannelSource *self,
                             int                 fd,
                             guint32             watched,
                             guint32             events,
                             SottoChannel       *channel)
{
  struct epoll_event event = { .events = events, .data.ptr = channel };
  int op;

  if (events == 0)
    op = EPOLL_CTL_DEL;
  else if (watched == 0)
    op = EPOLL_CTL_ADD;
  else
    op = EPOLL_CTL_MOD;

  /* A socket closed under the channel left the set by itself. */
  if (epoll_ctl (self->epoll_fd, op, fd, &event) != 0 && op != EPOLL_CTL_DEL)
    g_warning ("Cannot watch a connection: %s", g_strerror (errno));
}

/* Flushes @channel in the next pass; the caller makes sure it is queued
 * only once. */
void
_sotto_channel_source_queue_flush (SottoChannelSource *self,
                                   SottoChannel       *channel)
{
  g_ptr_array_add (self->pending, g_object_ref (channel));
}

/* A buffer of SOTTO_CHANNEL_READ_CHUNK bytes for reads, shared by the
 * channels of this source: each read is taken before the next. */
guint8 *
_sotto_channel_source_get_chunk (SottoChannelSource *self)
{
  return self->chunk;
}
