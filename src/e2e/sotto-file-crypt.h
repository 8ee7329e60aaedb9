/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib.h>

#include "sotto-e2e-error.h"

G_BEGIN_DECLS

/* How much of a file one chunk holds; the last holds the rest (0 bytes for
 * an empty file). */
#define SOTTO_FILE_CHUNK_BYTES (64 * 1024)

/* A file's own key, made fresh for it. */
#define SOTTO_FILE_KEY_BYTES 32

/* The stream's header, first in the blob. */
#define SOTTO_FILE_HEADER_BYTES 24

/* What each chunk adds: its tag and MAC. */
#define SOTTO_FILE_CHUNK_OVERHEAD 17

/* The BLAKE2b-256 hash of the whole blob. */
#define SOTTO_FILE_HASH_BYTES 32

/* The largest file a blob holds: 1 TiB. */
#define SOTTO_FILE_MAX_BYTES (G_GUINT64_CONSTANT (1) << 40)

guint64 sotto_file_chunk_count (guint64 size);
guint64 sotto_file_blob_size   (guint64 size);
gsize   sotto_file_chunk_size  (guint64 size,
                                guint64 index);

typedef struct _SottoFileSealer SottoFileSealer;

SottoFileSealer *sotto_file_sealer_new      (guint64           size);
const guint8    *sotto_file_sealer_get_key  (SottoFileSealer  *self);
void             sotto_file_sealer_header   (SottoFileSealer  *self,
                                             guint8           *header);
gboolean         sotto_file_sealer_push     (SottoFileSealer  *self,
                                             const guint8     *plain,
                                             gsize             length,
                                             guint8           *sealed,
                                             GError          **error);
gboolean         sotto_file_sealer_finish   (SottoFileSealer  *self,
                                             guint8           *hash,
                                             GError          **error);
void             sotto_file_sealer_free     (SottoFileSealer  *self);

typedef struct _SottoFileOpener SottoFileOpener;

SottoFileOpener *sotto_file_opener_new      (const guint8     *key,
                                             guint64           size,
                                             const guint8     *hash);
gboolean         sotto_file_opener_header   (SottoFileOpener  *self,
                                             const guint8     *header,
                                             GError          **error);
gboolean         sotto_file_opener_pull     (SottoFileOpener  *self,
                                             const guint8     *sealed,
                                             gsize             length,
                                             guint8           *plain,
                                             GError          **error);
gboolean         sotto_file_opener_finish   (SottoFileOpener  *self,
                                             GError          **error);
void             sotto_file_opener_free     (SottoFileOpener  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SottoFileSealer, sotto_file_sealer_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SottoFileOpener, sotto_file_opener_free)

G_END_DECLS
