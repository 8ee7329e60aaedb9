/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sotto-server-state.h"

G_BEGIN_DECLS

/* The most bytes of pieces one connection may have waiting to be
 * written, and the most downloads it may have being read. */
#define SOTTO_SERVER_MAX_WAITING_UPLOAD_BYTES (4 * 1024 * 1024)
#define SOTTO_SERVER_MAX_READING_DOWNLOADS    16

SottoServerBlobs *_sotto_server_blobs_new          (SottoServerState  *server,
                                                    GError           **error);
void              _sotto_server_blobs_free         (SottoServerBlobs  *self);
gint64            _sotto_server_blobs_delete_older (SottoServerBlobs  *self,
                                                    gint64             before,
                                                    gboolean           unfinished_only,
                                                    GError           **error);

/* sotto-server-uploads.c */
void _sotto_server_handle_upload       (SottoServerState *self,
                                        SottoSession     *session,
                                        SottoMsg         *msg);
void _sotto_server_handle_upload_chunk (SottoServerState *self,
                                        SottoSession     *session,
                                        SottoMsg         *msg);

/* sotto-server-downloads.c */
void _sotto_server_handle_download     (SottoServerState *self,
                                        SottoSession     *session,
                                        SottoMsg         *msg);

G_END_DECLS
