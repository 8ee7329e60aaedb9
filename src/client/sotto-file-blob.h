/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sotto-file-message.h"

G_BEGIN_DECLS

/* The longest side of a picture's thumbnail, and the most it may take. */
#define SOTTO_FILE_BLOB_THUMBNAIL_SIDE 320

/**
 * SottoSealProgress:
 * @lock: guards @written
 * @written: how many bytes of the blob are in its file so far
 *
 * How far a sealing got, for whoever reads the blob while it is made.
 */
typedef struct
{
  GMutex  lock;
  guint64 written;
} SottoSealProgress;

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
                                               SottoSealProgress      *progress,
                                               GCancellable           *cancellable,
                                               GAsyncReadyCallback     callback,
                                               gpointer                user_data);
guint64           sotto_seal_progress_get     (SottoSealProgress      *progress);
SottoFileMessage *sotto_file_blob_seal_finish (GAsyncResult           *result,
                                               GError                **error);
void              sotto_file_blob_open_async  (GFile                  *blob,
                                               const SottoFileMessage *file,
                                               GFile                  *destination,
                                               GCancellable           *cancellable,
                                               GAsyncReadyCallback     callback,
                                               gpointer                user_data);
gboolean          sotto_file_blob_open_finish (GAsyncResult           *result,
                                               GError                **error);

G_END_DECLS
