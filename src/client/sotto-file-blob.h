/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sotto-file-message.h"

G_BEGIN_DECLS

/* The longest side of a picture's thumbnail, and the most it may take. */
#define SOTTO_FILE_BLOB_THUMBNAIL_SIDE 320

/**
 * SottoBlobProgress:
 * @lock: guards the rest
 * @cond: signalled at each change
 * @written: how many bytes of the blob are in its file so far
 * @complete: whether the blob's file is whole (nothing more comes)
 * @stopped: whether whoever waits for more should give up
 *
 * How far a blob's file got while one thread writes it and another reads
 * it: a sealing followed by the upload, a download followed by the opening.
 */
typedef struct
{
  GMutex   lock;
  GCond    cond;
  guint64  written;
  gboolean complete;
  gboolean stopped;
} SottoBlobProgress;

void    sotto_blob_progress_init  (SottoBlobProgress *progress);
void    sotto_blob_progress_clear (SottoBlobProgress *progress);
guint64 sotto_blob_progress_get   (SottoBlobProgress *progress);
void    sotto_blob_progress_set   (SottoBlobProgress *progress,
                                   guint64            written,
                                   gboolean           complete);
void    sotto_blob_progress_stop  (SottoBlobProgress *progress);

void              sotto_file_blob_seal_async  (GFile                  *source,
                                               GFile                  *blob,
                                               guint64                 max_size,
                                               GCancellable           *cancellable,
                                               GAsyncReadyCallback     callback,
                                               gpointer                user_data);
void              sotto_file_blob_seal_full_async (GFile              *source,
                                               GFile                  *blob,
                                               guint64                 max_size,
                                               const guint8           *id,
                                               SottoBlobProgress      *progress,
                                               GCancellable           *cancellable,
                                               GAsyncReadyCallback     callback,
                                               gpointer                user_data);
SottoFileMessage *sotto_file_blob_seal_finish (GAsyncResult           *result,
                                               GError                **error);
void              sotto_file_blob_open_async  (GFile                  *blob,
                                               const SottoFileMessage *file,
                                               GFile                  *destination,
                                               GCancellable           *cancellable,
                                               GAsyncReadyCallback     callback,
                                               gpointer                user_data);
void              sotto_file_blob_open_full_async (GFile              *blob,
                                               const SottoFileMessage *file,
                                               GFile                  *destination,
                                               SottoBlobProgress      *fetched,
                                               GCancellable           *cancellable,
                                               GAsyncReadyCallback     callback,
                                               gpointer                user_data);
gboolean          sotto_file_blob_open_finish (GAsyncResult           *result,
                                               GError                **error);

G_END_DECLS
