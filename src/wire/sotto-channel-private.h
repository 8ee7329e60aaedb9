/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <sodium.h>

#include "sotto-channel.h"

G_BEGIN_DECLS

/*
 * SottoChannel is split by concern:
 *
 *   sotto-channel-source.c   the epoll GSource that all socket channels of
 *                            one main context share
 *   sotto-channel-end.c      a channel's watch in that source, and its end
 *   sotto-channel-send.c     queueing, encryption and writing
 *   sotto-channel-receive.c  reading, cutting into frames and decryption
 *   sotto-channel.c          the object, its properties and its start
 *
 * Each file calls only those above it in this list, and the source calls
 * back into the channel through the functions it was given.
 */

/* Unsent bytes a socket's kernel queue may hold (TCP_NOTSENT_LOWAT): the
 * most of a file's pieces a message queued later can find ahead of it in
 * the kernel, besides the rest of the frame being written. */
#define SOTTO_CHANNEL_NOTSENT_LOWAT (128 * 1024)

/* Bytes read from a socket at a time, and ready sockets taken per pass:
 * few enough that a pass stays short, so what the last one produced (and
 * the store committed in between) goes out soon. */
#define SOTTO_CHANNEL_READ_CHUNK (64 * 1024)
#define SOTTO_CHANNEL_MAX_EVENTS 64

typedef struct _SottoChannelSource SottoChannelSource;

typedef enum
{
  SOTTO_CHANNEL_STATE_NEW,
  SOTTO_CHANNEL_STATE_OPEN,
  SOTTO_CHANNEL_STATE_CLOSING,
  SOTTO_CHANNEL_STATE_CLOSED,
} SottoChannelState;

enum
{
  SOTTO_CHANNEL_SIGNAL_MESSAGE,
  SOTTO_CHANNEL_SIGNAL_CLOSED,
  SOTTO_CHANNEL_N_SIGNALS
};

extern guint _sotto_channel_signals[SOTTO_CHANNEL_N_SIGNALS];

struct _SottoChannel
{
  GObject             parent_instance;

  GIOStream          *stream;
  GCancellable       *cancellable;
  SottoChannelState   state;

  guint8              tx_key[SOTTO_CHANNEL_KEY_SIZE];
  guint8              rx_key[SOTTO_CHANNEL_KEY_SIZE];
  crypto_secretstream_xchacha20poly1305_state push;
  crypto_secretstream_xchacha20poly1305_state pull;
  gboolean            pull_started;

  gsize               max_frame;
  gsize               max_queue;

  /* Messages not yet encrypted, in two lanes: ordinary ones, and bulk
   * ones (a file's pieces) that go only when no ordinary one waits; and
   * the plaintext bytes both and the write in flight hold: the measure of
   * a peer that does not read. */
  GQueue              out_queue;
  GQueue              bulk_queue;
  gsize               queued_bytes;
  gsize               bulk_queued_bytes;
  gsize               in_flight_bytes;
  GByteArray         *out_prefix;
  GByteArray         *writing;
  gboolean            final_sent;
  guint               flush_id;
  guint               close_timeout_id;

  /* Over a socket: the shared source, what the socket is watched for, the
   * start of a frame not yet complete, and the part of the last flush the
   * socket did not take yet. */
  GSocket            *socket;
  SottoChannelSource *source;
  guint32             watched;
  gboolean            flush_pending;
  GByteArray         *partial;
  gsize               writing_pos;

  /* Receiving held (sotto_channel_hold_receiving()): how many holds are
   * out, the messages already decrypted that wait for the release, what
   * the socket would be watched for were it not held, whether a read of
   * the stream is to be started again, and the idle that goes on. */
  guint               holds;
  GQueue              held;
  guint32             wanted;
  gboolean            read_stopped;
  guint               release_id;
};

/* What the source calls back: @ready with the epoll events of a channel's
 * socket, @flush for a channel queued with
 * _sotto_channel_source_queue_flush(). The source holds a reference on
 * the channel for the length of each call. */
typedef struct
{
  void (*ready) (SottoChannel *channel,
                 guint32       events);
  void (*flush) (SottoChannel *channel);
} SottoChannelSourceFuncs;

/* sotto-channel-source.c */
SottoChannelSource *_sotto_channel_source_acquire     (const SottoChannelSourceFuncs *funcs);
void                _sotto_channel_source_release     (SottoChannelSource            *source);
void                _sotto_channel_source_watch       (SottoChannelSource            *source,
                                                       int                            fd,
                                                       guint32                        watched,
                                                       guint32                        events,
                                                       SottoChannel                  *channel);
void                _sotto_channel_source_queue_flush (SottoChannelSource            *source,
                                                       SottoChannel                  *channel);
guint8             *_sotto_channel_source_get_chunk   (SottoChannelSource            *source);

/* sotto-channel-end.c */
void _sotto_channel_clear_out_queue (SottoChannel *self);
void _sotto_channel_clear_held      (SottoChannel *self);
void _sotto_channel_watch           (SottoChannel *self,
                                     guint32       events);
void _sotto_channel_detach          (SottoChannel *self);
void _sotto_channel_finish          (SottoChannel *self,
                                     const GError *error);
void _sotto_channel_fail            (SottoChannel *self,
                                     GQuark        domain,
                                     int           code,
                                     const char   *message);

/* sotto-channel-send.c */
void _sotto_channel_start_sending   (SottoChannel *self);
void _sotto_channel_schedule_flush  (SottoChannel *self);
void _sotto_channel_flush_pending   (SottoChannel *self);
void _sotto_channel_socket_write    (SottoChannel *self);

/* sotto-channel-receive.c */
void _sotto_channel_start_receiving (SottoChannel *self);
void _sotto_channel_socket_read     (SottoChannel *self);

G_END_DECLS
