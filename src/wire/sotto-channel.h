/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <sodium.h>

#include "sotto-frame.h"

G_BEGIN_DECLS

#define SOTTO_CHANNEL_KEY_SIZE crypto_secretstream_xchacha20poly1305_KEYBYTES
#define SOTTO_CHANNEL_MAX_QUEUE_DEFAULT (8 * 1024 * 1024)
/* A frame whose plaintext starts with this byte is one message, whole (a
 * binary one), never a batch split at '\n'. */
#define SOTTO_CHANNEL_WHOLE_FRAME_MARKER 0x00

#define SOTTO_TYPE_CHANNEL (sotto_channel_get_type ())

G_DECLARE_FINAL_TYPE (SottoChannel, sotto_channel, SOTTO, CHANNEL, GObject)

SottoChannel *sotto_channel_new           (GIOStream     *stream,
                                           const guint8  *tx_key,
                                           const guint8  *rx_key);
void          sotto_channel_start         (SottoChannel  *self);
gboolean      sotto_channel_send          (SottoChannel  *self,
                                           GBytes        *message);
gboolean      sotto_channel_send_bulk     (SottoChannel  *self,
                                           GBytes        *message);
void          sotto_channel_close         (SottoChannel  *self);
void          sotto_channel_abort         (SottoChannel  *self,
                                           const GError  *error);
gboolean      sotto_channel_is_open       (SottoChannel  *self);
GIOStream    *sotto_channel_get_stream    (SottoChannel  *self);
gsize         sotto_channel_get_max_frame (SottoChannel  *self);
void          sotto_channel_set_max_frame (SottoChannel  *self,
                                           gsize          max_frame);
gsize         sotto_channel_get_max_queue (SottoChannel  *self);
void          sotto_channel_set_max_queue (SottoChannel  *self,
                                           gsize          max_queue);
gsize         sotto_channel_get_queued_bytes (SottoChannel *self);
gsize         sotto_channel_get_max_message_size (SottoChannel *self);
void          sotto_channel_hold_receiving    (SottoChannel *self);
void          sotto_channel_release_receiving (SottoChannel *self);

G_END_DECLS
