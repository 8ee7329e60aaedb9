/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sotto-client-private.h"
#include "sotto-file-blob.h"

G_BEGIN_DECLS

/*
 * What the transfers share: a job (an upload in sotto-client-uploads.c,
 * a download in sotto-client-downloads.c), its start, its end, its
 * requests and how it waits for the connection or for the server.
 */


/* Pieces on their way at once. More moves a file faster but makes chat
 * wait longer beside it (bench/files-quick, medians of 3: with 2, 119 MB/s
 * up and chat's p99 1.3 times that without a transfer; with 4, 155 MB/s
 * and 1.8 times; with 8, 162 MB/s and 2.1 times). Chat first. */
#define WINDOW 2

/* A server that cannot serve now ("overloaded", "rate_limited") is asked
 * again after 0.5, 1, 2 and 4 s without a piece moving; then the transfer
 * fails, rather than ask forever. */
#define RETRIES 4
#define FIRST_RETRY_MS 500

typedef struct
{
  guint64  offset;
  GBytes  *data;
} SottoJobPiece;

typedef struct _SottoJob SottoJob;

/* What a job does at each start: its upload or its download goes on
 * from where the server or the cache stands. Given by the file of its
 * kind, so that the job's own file calls neither. */
typedef void (*SottoJobBegin) (SottoJob *job);

struct _SottoJob
{
  gint               refs;
  SottoJobBegin      begin_kind;
  gboolean           ended;
  SottoClient       *client;   /* weak: the client cancels its jobs first */
  SottoTransfer     *transfer;
  char              *room;
  GFile             *source;
  GFile             *destination;
  GFile             *cache;
  SottoFileMessage  *file;
  guint64            total;
  /* What the server holds (uploads), or the cache (downloads). */
  guint64            acked;
  /* Where the next piece starts. */
  guint64            sent;
  guint              in_flight;
  /* Moved at each start, so that answers of a start before are dropped. */
  guint              generation;
  /* Whether the server said where this start's upload stands. */
  gboolean           located;
  gboolean           reading;
  gboolean           writing;
  GInputStream      *in;
  GOutputStream     *out;
  GQueue             pieces;
  gulong             state_id;
  /* On the client's cancellable, which logging out or closing cancels */
  gulong             client_cancelled_id;
  /* Tries since a piece last moved, and the next one's timeout */
  guint              retries;
  guint              retry_id;
  /* How far the blob's file got: the sealing (uploads), the download
   * (followed by the opening) */
  SottoBlobProgress  blob;
  /* Uploads: the blob's id; while it is sealed, the wait for more, and
   * whether the server holds all of it already */
  guint8             blob_id[SOTTO_FILE_ID_BYTES];
  gboolean           sealing;
  guint              seal_wait_id;
  gboolean           uploaded;
  /* Downloads: whether the blob is being opened as it comes; how the job
   * ended, told once the opening stopped */
  gboolean           opening;
  SottoTransferState end_state;
  char              *end_error;
};

typedef struct
{
  SottoJob *job;
  guint     generation;
  guint64   offset;
  gsize     length;
} SottoJobRequest;
void      _sotto_job_piece_free          (SottoJobPiece        *piece);
SottoJob *_sotto_job_new                 (SottoClient          *self,
                                          SottoTransferKind     kind,
                                          const char           *name,
                                          const char           *room,
                                          SottoJobBegin         begin_kind);
SottoJob *_sotto_job_ref                 (SottoJob             *job);
void      _sotto_job_unref               (SottoJob             *job);
void      _sotto_job_begin               (SottoJob             *job);
void      _sotto_job_end                 (SottoJob             *job,
                                          SottoTransferState    state,
                                          const char           *error);
void      _sotto_job_opened              (SottoJob             *job);
gboolean  _sotto_job_cancelled           (SottoJob             *job);
gboolean  _sotto_job_current             (SottoJobRequest      *request);
gboolean  _sotto_job_finish_request      (SottoJobRequest      *request,
                                          GObject              *connection,
                                          GAsyncResult         *result,
                                          SottoMsg            **reply,
                                          GError              **error);
void      _sotto_job_wait_for_connection (SottoJob             *job);
void      _sotto_job_retry_later         (SottoJob             *job);
gboolean  _sotto_job_is_disconnection    (const GError         *error);
void      _sotto_job_send_request        (SottoJob             *job,
                                          GBytes               *message,
                                          const char           *id,
                                          guint64               offset,
                                          gsize                 length,
                                          gboolean              piece,
                                          GAsyncReadyCallback   callback);
gsize     _sotto_job_piece_bytes         (SottoJob             *job);
GFile    *_sotto_job_cache_file          (SottoClient          *self,
                                          const guint8         *id,
                                          const char           *suffix);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SottoJob, _sotto_job_unref)

G_END_DECLS
