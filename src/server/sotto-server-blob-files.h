/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The bytes of blobs, as files of the data directory: "blobs/" holds the
 * complete ones, "blobs/partial/" those still uploading, each named by
 * its id in hex. What blocks (writing, syncing, reading, deleting) runs
 * in a small pool of threads of its own. */
typedef struct _SottoBlobFiles SottoBlobFiles;

SottoBlobFiles *_sotto_blob_files_new          (const char           *data_dir,
                                                GObject              *owner,
                                                GError              **error);
void            _sotto_blob_files_free         (SottoBlobFiles       *self);

gint64          _sotto_blob_files_length       (SottoBlobFiles       *self,
                                                const guint8         *id,
                                                gboolean              complete);
GPtrArray      *_sotto_blob_files_list         (SottoBlobFiles       *self,
                                                gboolean              complete);
void            _sotto_blob_files_remove_now   (SottoBlobFiles       *self,
                                                const guint8         *id,
                                                gboolean              complete);

void            _sotto_blob_files_write_async  (SottoBlobFiles       *self,
                                                const guint8         *id,
                                                gint64                offset,
                                                GBytes               *data,
                                                gboolean              finish,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
gboolean        _sotto_blob_files_write_finish (SottoBlobFiles       *self,
                                                GAsyncResult         *result,
                                                GError              **error);
void            _sotto_blob_files_read_async   (SottoBlobFiles       *self,
                                                const guint8         *id,
                                                gint64                offset,
                                                gsize                 length,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
GBytes         *_sotto_blob_files_read_finish  (SottoBlobFiles       *self,
                                                GAsyncResult         *result,
                                                GError              **error);
void            _sotto_blob_files_delete_async (SottoBlobFiles       *self,
                                                const guint8         *id,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
gboolean        _sotto_blob_files_delete_finish (SottoBlobFiles      *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);

G_END_DECLS
