/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <sodium.h>
#include <string.h>

#include "sotto-client-private.h"
#include "sotto-client-transfers-private.h"
#include "sotto-file-blob.h"
#include "sotto-transfer-private.h"

/*
 * Fetching a file: the blob downloaded in pieces into the account's cache,
 * written there in its order, and opened into the file the user saves by
 * a worker thread that follows the cache chunk by chunk as it fills.
 */

static void pump_download (SottoJob *job);

static void
opened_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(SottoJob) job = user_data;
  g_autoptr(GError) error = NULL;
  gboolean opened;

  opened = sotto_file_blob_open_finish (result, &error);
  _sotto_job_opened (job);
  if (_sotto_job_cancelled (job))
    return;
  if (!opened)
    {
      /* A blob that does not open is not kept for another try: the
       * download stops at the first chunk that does not. */
      _sotto_job_end (job, SOTTO_TRANSFER_FAILED,
                      g_error_matches (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_DECRYPT_FAILED)
                        ? _("The file was changed on the server or on its way: it was not saved")
                        : error->message);
      return;
    }
  _sotto_job_end (job, SOTTO_TRANSFER_DONE, NULL);
}

/* What the cache holds, for the opening that follows it. */
static void
tell_opening (SottoJob *job)
{
  sotto_blob_progress_set (&job->blob, job->acked, job->acked >= job->total);
}

static void write_next (SottoJob *job);

static void
written_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(SottoJob) job = user_data;
  g_autoptr(GError) error = NULL;
  SottoJobPiece *piece;

  job->writing = FALSE;
  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), result, NULL, &error))
    {
      if (!_sotto_job_cancelled (job))
        _sotto_job_end (job, SOTTO_TRANSFER_FAILED, error->message);
      return;
    }
  if (_sotto_job_cancelled (job))
    return;

  piece = g_queue_pop_head (&job->pieces);
  job->acked += g_bytes_get_size (piece->data);
  _sotto_job_piece_free (piece);
  _sotto_transfer_set_progress (job->transfer, job->acked, job->total);
  tell_opening (job);

  /* All of it: the opening ends the job. */
  if (job->acked >= job->total)
    {
      g_autoptr(GError) close_error = NULL;

      if (!g_output_stream_close (job->out, NULL, &close_error))
        {
          _sotto_job_end (job, SOTTO_TRANSFER_FAILED, close_error->message);
          return;
        }
      g_clear_object (&job->out);
      return;
    }
  write_next (job);
  pump_download (job);
}

static int
compare_pieces (gconstpointer a,
                gconstpointer b,
                gpointer      user_data)
{
  const SottoJobPiece *piece_a = a;
  const SottoJobPiece *piece_b = b;

  return piece_a->offset < piece_b->offset ? -1 : piece_a->offset > piece_b->offset;
}

/* Keeps the pieces that follow on from what the cache holds without a gap
 * and drops the others, to be asked for again; returns where the kept
 * ones end. */
static guint64
keep_contiguous (SottoJob *job)
{
  guint64 end = job->acked;
  GList *l = job->pieces.head;

  while (l != NULL)
    {
      GList *next = l->next;
      SottoJobPiece *piece = l->data;

      if (piece->offset == end)
        end += g_bytes_get_size (piece->data);
      else if (!(job->writing && l == job->pieces.head))
        {
          _sotto_job_piece_free (piece);
          g_queue_delete_link (&job->pieces, l);
        }
      l = next;
    }
  return end;
}

/* Writes what came, in order, one piece at a time: the next piece only
 * once it is the one that follows what the cache holds. */
static void
write_next (SottoJob *job)
{
  SottoJobPiece *piece = g_queue_peek_head (&job->pieces);

  if (job->writing || piece == NULL || piece->offset != job->acked)
    return;
  job->writing = TRUE;
  g_output_stream_write_all_async (job->out, g_bytes_get_data (piece->data, NULL),
                                   g_bytes_get_size (piece->data), G_PRIORITY_LOW, NULL,
                                   written_cb, _sotto_job_ref (job));
}

static void
blob_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autofree SottoJobRequest *request = user_data;
  g_autoptr(SottoJob) job = request->job;
  g_autoptr(SottoMsg) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) data = NULL;
  gboolean short_piece;
  SottoJobPiece *piece;

  if (!_sotto_job_finish_request (request, object, result, &reply, &error))
    return;

  if (reply == NULL)
    {
      if (_sotto_job_is_disconnection (error))
        _sotto_job_wait_for_connection (job);
      else if (sotto_client_error_is_server (error, SOTTO_MSG_ERROR_CODE_NO_SUCH_BLOB))
        _sotto_job_end (job, SOTTO_TRANSFER_FAILED,
             _("The file is no longer on the server, or is not yours to fetch"));
      else if (sotto_client_error_is_server (error, SOTTO_MSG_ERROR_CODE_RATE_LIMITED) ||
               sotto_client_error_is_server (error, SOTTO_MSG_ERROR_CODE_OVERLOADED))
        _sotto_job_retry_later (job);
      else
        _sotto_job_end (job, SOTTO_TRANSFER_FAILED, error->message);
      return;
    }

  /* The server's size must be the message's, and each piece where it was
   * asked for, at most as long: else the server is not saying the truth. */
  data = sotto_msg_dup_bytes (reply, "data");
  if ((guint64) sotto_msg_get_int (reply, "size") != job->total ||
      (guint64) sotto_msg_get_int (reply, "offset") != request->offset || data == NULL ||
      g_bytes_get_size (data) == 0 || g_bytes_get_size (data) > request->length)
    {
      _sotto_job_end (job, SOTTO_TRANSFER_FAILED,
           _("The server sent something else than the file: it was not saved"));
      return;
    }
  job->retries = 0;

  /* The server reads pieces in several threads: they may come in any
   * order, and are written in the blob's. */
  short_piece = g_bytes_get_size (data) < request->length;
  piece = g_new0 (SottoJobPiece, 1);
  piece->offset = request->offset;
  piece->data = g_steal_pointer (&data);
  g_queue_insert_sorted (&job->pieces, piece, compare_pieces, NULL);

  /* A shorter piece than asked (a server with smaller frames): the rest is
   * asked for again, after what came in one run. */
  if (short_piece)
    {
      job->generation++;
      job->in_flight = 0;
      job->sent = keep_contiguous (job);
    }
  write_next (job);
  pump_download (job);
}

static void
pump_download (SottoJob *job)
{
  while (job->in_flight < WINDOW && job->sent < job->total &&
         g_queue_get_length (&job->pieces) < 2 * WINDOW)
    {
      gsize length = (gsize) MIN ((guint64) _sotto_job_piece_bytes (job), job->total - job->sent);
      g_autofree char *id = sotto_connection_next_id (job->client->connection);
      g_autoptr(GBytes) message = sotto_msg_build_download (id, job->file->id,
                                                            (gint64) job->sent,
                                                            (gint64) length);

      _sotto_job_send_request (job, message, id, job->sent, length, FALSE, blob_cb);
      job->sent += length;
    }
}

static void
begin_download (SottoJob *job)
{
  g_autoptr(GError) error = NULL;

  if (job->out == NULL)
    {
      g_autoptr(GFileInfo) info = g_file_query_info (job->cache, G_FILE_ATTRIBUTE_STANDARD_SIZE,
                                                     G_FILE_QUERY_INFO_NONE, NULL, NULL);
      guint64 held = info != NULL ? (guint64) g_file_info_get_size (info) : 0;

      /* What the cache holds of it from before, unless it is more. */
      if (held > job->total)
        {
          g_file_delete (job->cache, NULL, NULL);
          held = 0;
        }
      job->out = G_OUTPUT_STREAM (g_file_append_to (job->cache, G_FILE_CREATE_PRIVATE, NULL,
                                                    &error));
      if (job->out == NULL)
        {
          _sotto_job_end (job, SOTTO_TRANSFER_FAILED, error->message);
          return;
        }
      job->acked = held;
      tell_opening (job);
    }

  /* The blob is opened as it comes, from the first start on: the file
   * is saved as soon as the last piece is in. */
  if (!job->opening)
    {
      job->opening = TRUE;
      sotto_file_blob_open_full_async (job->cache, job->file, job->destination, &job->blob,
                                       _sotto_transfer_get_cancellable (job->transfer),
                                       opened_cb, _sotto_job_ref (job));
    }

  /* Pieces that came but are not written yet stay, and count as held. */
  job->sent = keep_contiguous (job);
  _sotto_transfer_set_progress (job->transfer, job->acked, job->total);
  if (job->acked >= job->total && !job->writing)
    {
      g_output_stream_close (job->out, NULL, NULL);
      g_clear_object (&job->out);
      return;
    }
  pump_download (job);
}


/**
 * sotto_client_fetch_file:
 * @message: a file message
 * @destination: where to save the file (a local path, the user's choice)
 *
 * Fetches the file @message names and saves it at @destination, which is
 * written only once all of it opened and it is the file the message
 * names; what came stays in the account's cache across a restart, so a
 * fetch of the same file goes on from there.
 *
 * Returns: (transfer full): the transfer
 */
SottoTransfer *
sotto_client_fetch_file (SottoClient  *self,
                         SottoMessage *message,
                         GFile        *destination)
{
  const SottoFileMessage *file;
  SottoJob *job;

  g_return_val_if_fail (SOTTO_IS_CLIENT (self), NULL);
  g_return_val_if_fail (SOTTO_IS_MESSAGE (message), NULL);
  g_return_val_if_fail (G_IS_FILE (destination), NULL);

  file = sotto_message_get_file (message);
  job = _sotto_job_new (self, SOTTO_TRANSFER_DOWNLOAD, file != NULL ? file->name : NULL,
                        sotto_message_get_room (message), begin_download);
  _sotto_transfer_set_message (job->transfer, message);
  sotto_message_set_transfer (message, job->transfer);
  if (file == NULL || self->store == NULL || self->user == NULL ||
      g_file_peek_path (destination) == NULL)
    {
      SottoTransfer *transfer = g_object_ref (job->transfer);

      _sotto_job_end (job, SOTTO_TRANSFER_FAILED,
           file == NULL ? _("This message names no file") : _("Log in first"));
      return transfer;
    }

  job->file = sotto_file_message_copy (file);
  job->destination = g_object_ref (destination);
  job->total = sotto_file_blob_size (file->size);
  job->cache = _sotto_job_cache_file (self, file->id, ".down");
  _sotto_job_begin (job);
  return g_object_ref (job->transfer);
}
