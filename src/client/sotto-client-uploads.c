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
 * Sending a file: sealed into a blob in the account's cache by a worker
 * thread, uploaded in pieces as the sealing goes (only what is sealed goes;
 * the server says where it stands after each start), then named in a file
 * message once the sealing gave the blob's hash.
 */

static void pump_upload (SottoJob *job);

static void
upload_done (SottoJob *job)
{
  /* The server holds the whole blob; the message waits for its hash. */
  if (job->sealing)
    {
      job->uploaded = TRUE;
      return;
    }

  g_autoptr(GError) error = NULL;
  SottoRoom *room = sotto_client_lookup_room (job->client, job->room);
  SottoMessage *message = NULL;

  if (room != NULL)
    message = sotto_client_send_file_message (job->client, room, job->file, &error);
  if (message == NULL)
    {
      _sotto_job_end (job, SOTTO_TRANSFER_FAILED,
           error != NULL ? error->message : _("You are no longer in the room the file was for"));
      return;
    }
  _sotto_transfer_set_message (job->transfer, message);
  _sotto_job_end (job, SOTTO_TRANSFER_DONE, NULL);
}

static void
chunk_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autofree SottoJobRequest *request = user_data;
  g_autoptr(SottoJob) job = request->job;
  g_autoptr(SottoMsg) reply = NULL;
  g_autoptr(GError) error = NULL;

  if (!_sotto_job_finish_request (request, object, result, &reply, &error))
    return;

  if (reply == NULL)
    {
      if (_sotto_job_is_disconnection (error))
        _sotto_job_wait_for_connection (job);
      else if (sotto_client_error_is_server (error, SOTTO_MSG_ERROR_CODE_BAD_OFFSET) ||
               sotto_client_error_is_server (error, SOTTO_MSG_ERROR_CODE_RATE_LIMITED) ||
               sotto_client_error_is_server (error, SOTTO_MSG_ERROR_CODE_OVERLOADED))
        {
          /* Ask again where the server stands, a little later, and go on
           * from there. */
          _sotto_job_retry_later (job);
        }
      else
        _sotto_job_end (job, SOTTO_TRANSFER_FAILED, error->message);
      return;
    }

  job->retries = 0;
  job->acked = MAX (job->acked, (guint64) sotto_msg_get_int (reply, "offset"));
  _sotto_transfer_set_progress (job->transfer, job->acked, job->total);
  if (job->acked >= job->total)
    upload_done (job);
  else
    pump_upload (job);
}

static void
read_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autofree SottoJobRequest *request = user_data;
  g_autoptr(SottoJob) job = request->job;
  g_autoptr(GBytes) data = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) message = NULL;
  g_autofree char *id = NULL;

  data = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), result, &error);
  job->reading = FALSE;
  if (_sotto_job_cancelled (job))
    return;
  if (!_sotto_job_current (request))
    {
      /* Read for a start before: the pieces of this one wait no more. */
      if (job->located)
        pump_upload (job);
      return;
    }
  /* A read may give less than asked: that much goes as its own piece. */
  if (data == NULL || g_bytes_get_size (data) == 0 || g_bytes_get_size (data) > request->length)
    {
      _sotto_job_end (job, SOTTO_TRANSFER_FAILED, _("The file to send could not be read"));
      return;
    }
  request->length = g_bytes_get_size (data);
  if (sotto_client_get_state (job->client) != SOTTO_CLIENT_ONLINE)
    {
      _sotto_job_wait_for_connection (job);
      return;
    }

  id = sotto_connection_next_id (job->client->connection);
  message = sotto_msg_build_upload_chunk (id, job->blob_id, (gint64) request->offset, data);
  job->sent = request->offset + request->length;
  _sotto_job_send_request (job, message, id, request->offset, request->length, TRUE, chunk_cb);
  pump_upload (job);
}

static gboolean
seal_wait_cb (gpointer data)
{
  SottoJob *job = data;

  job->seal_wait_id = 0;
  if (!_sotto_job_cancelled (job) && job->located &&
      sotto_transfer_get_state (job->transfer) == SOTTO_TRANSFER_RUNNING)
    pump_upload (job);
  return G_SOURCE_REMOVE;
}

/* Reads the next piece of the blob and sends it, while the window has
 * room; one read at a time, so the pieces go in order. While the blob is
 * sealed, only what is sealed goes, a whole piece at a time, and what
 * follows is looked for again shortly. */
static void
pump_upload (SottoJob *job)
{
  SottoJobRequest *request;
  g_autoptr(GError) error = NULL;
  guint64 available;
  gsize piece;

  if (job->reading || job->in_flight >= WINDOW || job->sent >= job->total)
    return;

  piece = _sotto_job_piece_bytes (job);
  available = job->sealing ? MIN (sotto_blob_progress_get (&job->blob), job->total)
                           : job->total;
  if (job->sealing && available - MIN (available, job->sent) < piece &&
      available < job->total)
    {
      if (job->seal_wait_id == 0)
        job->seal_wait_id = g_timeout_add_full (G_PRIORITY_DEFAULT, 5, seal_wait_cb,
                                                _sotto_job_ref (job), (GDestroyNotify) _sotto_job_unref);
      return;
    }
  if (job->in == NULL)
    {
      job->in = G_INPUT_STREAM (g_file_read (job->cache, NULL, &error));
      if (job->in == NULL)
        {
          _sotto_job_end (job, SOTTO_TRANSFER_FAILED, error->message);
          return;
        }
    }

  if (!g_seekable_seek (G_SEEKABLE (job->in), (goffset) job->sent, G_SEEK_SET, NULL, &error))
    {
      _sotto_job_end (job, SOTTO_TRANSFER_FAILED, error->message);
      return;
    }
  request = g_new0 (SottoJobRequest, 1);
  request->job = _sotto_job_ref (job);
  request->generation = job->generation;
  request->offset = job->sent;
  request->length = (gsize) MIN ((guint64) piece, available - job->sent);
  job->reading = TRUE;
  g_input_stream_read_bytes_async (job->in, request->length, G_PRIORITY_LOW, NULL, read_cb,
                                   request);
}

static void
upload_at_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autofree SottoJobRequest *request = user_data;
  g_autoptr(SottoJob) job = request->job;
  g_autoptr(SottoMsg) reply = NULL;
  g_autoptr(GError) error = NULL;

  if (!_sotto_job_finish_request (request, object, result, &reply, &error))
    return;

  if (reply == NULL)
    {
      if (_sotto_job_is_disconnection (error))
        _sotto_job_wait_for_connection (job);
      else if (sotto_client_error_is_server (error, SOTTO_MSG_ERROR_CODE_TOO_LARGE))
        _sotto_job_end (job, SOTTO_TRANSFER_FAILED, _("The file is larger than the server takes"));
      else if (sotto_client_error_is_server (error, SOTTO_MSG_ERROR_CODE_QUOTA))
        _sotto_job_end (job, SOTTO_TRANSFER_FAILED,
             _("Your files on the server take all the room it gives you: the file was not "
               "sent"));
      else if (sotto_client_error_is_server (error, SOTTO_MSG_ERROR_CODE_RATE_LIMITED) ||
               sotto_client_error_is_server (error, SOTTO_MSG_ERROR_CODE_OVERLOADED))
        _sotto_job_retry_later (job);
      else
        _sotto_job_end (job, SOTTO_TRANSFER_FAILED, error->message);
      return;
    }

  job->located = TRUE;
  job->acked = job->sent = (guint64) sotto_msg_get_int (reply, "offset");
  _sotto_transfer_set_progress (job->transfer, job->acked, job->total);
  if (job->acked >= job->total)
    upload_done (job);
  else
    pump_upload (job);
}

static void
begin_upload (SottoJob *job)
{
  g_autoptr(GBytes) message = NULL;
  g_autofree char *id = NULL;

  id = sotto_connection_next_id (job->client->connection);
  message = sotto_msg_build_upload (id, job->blob_id, job->room, (gint64) job->total);
  _sotto_job_send_request (job, message, id, 0, 0, FALSE, upload_at_cb);
}

static void
sealed_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(SottoJob) job = user_data;
  g_autoptr(GError) error = NULL;

  job->file = sotto_file_blob_seal_finish (result, &error);
  job->sealing = FALSE;
  if (_sotto_job_cancelled (job))
    return;
  if (job->file == NULL)
    {
      _sotto_job_end (job, SOTTO_TRANSFER_FAILED, error->message);
      return;
    }
  if (job->total == 0)
    {
      /* Not begun while sealing (the file's size was not known). */
      job->total = sotto_file_blob_size (job->file->size);
      _sotto_transfer_set_progress (job->transfer, 0, job->total);
      _sotto_job_begin (job);
    }
  else if (job->uploaded)
    upload_done (job);
  else if (job->located && sotto_transfer_get_state (job->transfer) == SOTTO_TRANSFER_RUNNING)
    pump_upload (job);
}


/**
 * sotto_client_send_file:
 * @file: the file to send (a local file)
 *
 * Sends @file into @room: sealed under a key of its own into the account's
 * cache, uploaded, then named in a file message that only the room's
 * members open. Chat goes on meanwhile; a connection that drops makes it
 * wait and go on. Follow it, or cancel it, through the transfer.
 *
 * Returns: (transfer full): the transfer
 */
SottoTransfer *
sotto_client_send_file (SottoClient *self,
                        SottoRoom   *room,
                        GFile       *file)
{
  g_autofree char *basename = NULL;
  g_autoptr(GFileInfo) info = NULL;
  guint64 max_file;
  SottoJob *job;

  g_return_val_if_fail (SOTTO_IS_CLIENT (self), NULL);
  g_return_val_if_fail (SOTTO_IS_ROOM (room), NULL);
  g_return_val_if_fail (G_IS_FILE (file), NULL);

  basename = g_file_get_basename (file);
  job = _sotto_job_new (self, SOTTO_TRANSFER_UPLOAD, basename, sotto_room_get_name (room),
                        begin_upload);
  if (self->store == NULL || self->user == NULL)
    {
      SottoTransfer *transfer = g_object_ref (job->transfer);

      _sotto_job_end (job, SOTTO_TRANSFER_FAILED, _("Log in first"));
      return transfer;
    }

  randombytes_buf (job->blob_id, sizeof job->blob_id);
  job->source = g_object_ref (file);
  job->cache = _sotto_job_cache_file (self, job->blob_id, ".up");
  /* A file larger than the server takes is refused before it is sealed,
   * with the server's limit in the sentence. */
  max_file = sotto_connection_get_max_file (self->connection);
  max_file = max_file > 0 ? MIN (max_file, SOTTO_FILE_MAX_BYTES) : SOTTO_FILE_MAX_BYTES;
  job->sealing = TRUE;
  sotto_file_blob_seal_full_async (file, job->cache, max_file, job->blob_id, &job->blob,
                                   _sotto_transfer_get_cancellable (job->transfer), sealed_cb,
                                   _sotto_job_ref (job));

  /* A file whose size is known now goes up as it is sealed: the blob's
   * size follows from the file's; only the message waits for the hash.
   * Whatever is wrong with the file, the sealing says. */
  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE "," G_FILE_ATTRIBUTE_STANDARD_TYPE,
                            G_FILE_QUERY_INFO_NONE, NULL, NULL);
  if (info != NULL && g_file_info_get_file_type (info) == G_FILE_TYPE_REGULAR &&
      (guint64) g_file_info_get_size (info) <= max_file)
    {
      job->total = sotto_file_blob_size ((guint64) g_file_info_get_size (info));
      _sotto_transfer_set_progress (job->transfer, 0, job->total);
      _sotto_job_begin (job);
    }
  return g_object_ref (job->transfer);
}
