/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sotto-server-blob-files.h"
#include "sotto-server-blobs.h"

G_BEGIN_DECLS

/*
 * SottoServerBlobs, split by concern: the object, its uploads table, the
 * expiry and retention and what is found at start (sotto-server-blobs.c);
 * uploading (sotto-server-uploads.c); downloading
 * (sotto-server-downloads.c). The last two call into the first, never
 * each other.
 */

struct _SottoServerBlobs
{
  /* The state that owns this; its config and store outlive it. */
  SottoServerState *server;
  SottoBlobFiles   *files;
  /* blob id (its base64, which has one spelling) → SottoUpload (owned):
   * the unfinished uploads touched since the start. */
  GHashTable       *uploads;
  /* blob ids (base64, owned) whose files are being deleted */
  GHashTable       *deleting;
  /* session id → bytes of its pieces waiting to be written */
  GHashTable       *waiting;
  /* session id → its downloads being read */
  GHashTable       *reading;
  guint             sweep_id;
};

/* A piece of a blob on its way to the disk, or (without data) an upload
 * that asks where the blob ends once what came before it is written.
 * Only the request's id is kept of its message, whose text is larger
 * than the piece. */
typedef struct
{
  SottoSession *session;
  char         *request_id;
  gint64        offset;
  GBytes       *data;
} SottoUploadPiece;

/* An unfinished upload: what the server holds of it, what it has taken
 * and is writing, in order. */
typedef struct
{
  char          *key;
  guint8         id[SOTTO_PROTOCOL_BLOB_ID_BYTES];
  gint64         account_id;
  char          *user;
  char          *room;
  gint64         size;
  /* The length of its file. */
  gint64         held;
  /* Where the next piece goes: held, and the pieces waiting. */
  gint64         accepted;
  /* SottoUploadPiece, in order. */
  GQueue         pieces;
  /* A write, or the blob's completion, is under way. */
  gboolean       writing;
} SottoUpload;

char         *_sotto_blob_key                   (const guint8          *id);
void          _sotto_upload_piece_free          (SottoUploadPiece      *piece);
gboolean      _sotto_upload_is_busy             (SottoUpload           *upload);
SottoUpload  *_sotto_server_blobs_load_upload   (SottoServerBlobs      *self,
                                                 const SottoStoreBlob  *record,
                                                 gboolean              *out_complete,
                                                 GError               **error);
void          _sotto_server_blobs_forget_upload (SottoServerBlobs      *self,
                                                 SottoUpload           *upload);
gint64        _sotto_server_blobs_count         (GHashTable            *counts,
                                                 SottoSession          *session,
                                                 gint64                 change);

G_END_DECLS
