/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <sodium.h>

G_BEGIN_DECLS

/* Every frame is a 4-byte big-endian length and that many payload bytes. */
#define SOTTO_FRAME_HEADER_SIZE 4
#define SOTTO_FRAME_MAX_DEFAULT (1024 * 1024)
/* What a channel's encryption adds to the payload of every frame. */
#define SOTTO_CHANNEL_FRAME_OVERHEAD crypto_secretstream_xchacha20poly1305_ABYTES

void    sotto_frame_read_async  (GInputStream         *stream,
                                 gsize                 max_length,
                                 GCancellable         *cancellable,
                                 GAsyncReadyCallback   callback,
                                 gpointer              user_data);
GBytes *sotto_frame_read_finish (GInputStream         *stream,
                                 GAsyncResult         *result,
                                 GError              **error);

void     sotto_frame_write_async  (GOutputStream        *stream,
                                   GBytes               *payload,
                                   GCancellable         *cancellable,
                                   GAsyncReadyCallback   callback,
                                   gpointer              user_data);
gboolean sotto_frame_write_finish (GOutputStream        *stream,
                                   GAsyncResult         *result,
                                   GError              **error);

gboolean sotto_frame_check_length (guint32               length,
                                   gsize                 max_length,
                                   GError              **error);
void     sotto_frame_put_header   (guint8               *header,
                                   guint32               length);
guint32  sotto_frame_get_header   (const guint8         *header);

void     sotto_frame_tune_memory  (void);

G_END_DECLS
