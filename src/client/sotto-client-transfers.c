/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sodium.h>
#include <string.h>

#include "sotto-client-private.h"
#include "sotto-client-transfers-private.h"
#include "sotto-file-blob.h"
#include "sotto-transfer-private.h"

/*
 * Files on their way: sending one (sealed into a blob in the account's
 * cache, uploaded in pieces, then named in a file message) and fetching
 * one (downloaded in pieces into the cache, then opened into the file the
 * user saves). A few pieces are on their way at once, no more: what the
 * user says meanwhile never waits behind a file (and the pieces go in the
 * connection's bulk lane, behind whatever else is sent). When the connection
 * drops, a transfer waits and goes on from where the server stands once
 * the client is online again; a download goes on from what the cache
 * holds even after a restart.
 */

void
_sotto_job_piece_free (SottoJobPiece *piece)
{
  g_bytes_unref (piece->data);
  g_free (piece);
}

void
_sotto_job_unref (SottoJob *job)
{
  if (!g_atomic_int_dec_and_test (&job->refs))
    return;
  if (job->client != NULL && job->state_id != 0)
    g_clear_signal_handler (&job->state_id, job->client);
  if (job->client != NULL && job->client_cancelled_id != 0)
    g_clear_signal_handler (&job->client_cancelled_id, job->client->cancellable);
  g_clear_object (&job->transfer);
  g_free (job->room);
  g_clear_object (&job->source);
  g_clear_object (&job->destination);
  g_clear_object (&job->cache);
  g_clear_pointer (&job->file, sotto_file_message_free);
  g_clear_object (&job->in);
  g_clear_object (&job->out);
  g_queue_clear_full (&job->pieces, (GDestroyNotify) _sotto_job_piece_free);
  sotto_blob_progress_clear (&job->blob);
  g_free (job->end_error);
  g_free (job);
}

SottoJob *
_sotto_job_ref (SottoJob *job)
{
  g_atomic_int_inc (&job->refs);
  return job;
}

/* Deleting a blob of hundreds of MiB takes the file system a while: not
 * in the main loop, where chat would wait for it. Moved out of the way
 * first, so that a new transfer of the same blob starts afresh. */
static void
delete_in_background (GFile *file)
{
  g_autofree char *gone_path = g_strdup_printf ("%s.%08x.gone", g_file_peek_path (file),
                                                g_random_int ());
  g_autoptr(GFile) gone = g_file_new_for_path (gone_path);

  if (g_rename (g_file_peek_path (file), gone_path) == 0)
    g_file_delete_async (gone, G_PRIORITY_LOW, NULL, NULL, NULL);
  else if (errno != ENOENT)
    g_file_delete (file, NULL, NULL);
}

/* The job is over: its cache file goes, and the client forgets it. While
 * the blob is opened, the opening stops first, and deletes what it wrote,
 * before the transfer says how it ended (_sotto_job_opened()). */
void
_sotto_job_end (SottoJob           *job,
                SottoTransferState  state,
                const char         *error)
{
  SottoClient *client = job->client;

  if (job->ended)
    return;
  job->ended = TRUE;
  if (client != NULL && job->state_id != 0)
    g_clear_signal_handler (&job->state_id, client);
  if (client != NULL && job->client_cancelled_id != 0)
    g_clear_signal_handler (&job->client_cancelled_id, client->cancellable);
  g_clear_handle_id (&job->retry_id, g_source_remove);
  g_clear_handle_id (&job->seal_wait_id, g_source_remove);
  if (job->opening)
    {
      job->end_state = state;
      job->end_error = g_strdup (error);
      sotto_blob_progress_stop (&job->blob);
    }
  else
    _sotto_transfer_set_state (job->transfer, state, error);
  g_clear_object (&job->in);
  if (job->out != NULL)
    g_output_stream_close (job->out, NULL, NULL);
  g_clear_object (&job->out);
  if (job->cache != NULL)
    delete_in_background (job->cache);
  if (client != NULL)
    g_ptr_array_remove (client->transfers, job);
}

/* The opening of a download stopped: if the job ended meanwhile, the
 * transfer says so now. */
void
_sotto_job_opened (SottoJob *job)
{
  job->opening = FALSE;
  if (job->ended)
    _sotto_transfer_set_state (job->transfer, job->end_state, job->end_error);
}

/* Whether the job is over, or the user stopped it (it is then over). */
gboolean
_sotto_job_cancelled (SottoJob *job)
{
  if (job->ended)
    return TRUE;
  if (!g_cancellable_is_cancelled (_sotto_transfer_get_cancellable (job->transfer)))
    return FALSE;
  _sotto_job_end (job, SOTTO_TRANSFER_CANCELLED, NULL);
  return TRUE;
}

/* A request's answer came, for the start it belongs to, or the job moved
 * on: %FALSE for one to drop. */
gboolean
_sotto_job_current (SottoJobRequest *request)
{
  return request->generation == request->job->generation;
}

/**
 * _sotto_job_finish_request:
 * @reply: (out): the answer to @request, or %NULL with @error
 *
 * Takes the answer to a request of the job's.
 *
 * Returns: %FALSE when it no longer counts, to be dropped: the job moved
 *   on since it was sent, or was cancelled
 */
gboolean
_sotto_job_finish_request (SottoJobRequest  *request,
                           GObject          *connection,
                           GAsyncResult     *result,
                           SottoMsg        **reply,
                           GError          **error)
{
  SottoJob *job = request->job;

  *reply = sotto_connection_request_finish (SOTTO_CONNECTION (connection), result, error);
  if (!_sotto_job_current (request) || _sotto_job_cancelled (job))
    return FALSE;
  job->in_flight--;
  return TRUE;
}

/* The connection went: wait to go on. */
void
_sotto_job_wait_for_connection (SottoJob *job)
{
  job->generation++;
  job->in_flight = 0;
  job->sent = job->acked;
  _sotto_transfer_set_state (job->transfer, SOTTO_TRANSFER_WAITING, NULL);
}

static gboolean
retry_cb (gpointer data)
{
  SottoJob *job = data;

  job->retry_id = 0;
  _sotto_job_begin (job);
  return G_SOURCE_REMOVE;
}

/* The server cannot serve the transfer now: answers on their way are
 * dropped, and it is asked again later, or the transfer fails. */
void
_sotto_job_retry_later (SottoJob *job)
{
  if (job->retries >= RETRIES)
    {
      _sotto_job_end (job, SOTTO_TRANSFER_FAILED,
           sotto_transfer_get_kind (job->transfer) == SOTTO_TRANSFER_UPLOAD
             ? _("The server could not take the file: try again later")
             : _("The server could not send the file: try again later"));
      return;
    }
  job->generation++;
  job->in_flight = 0;
  g_clear_handle_id (&job->retry_id, g_source_remove);
  job->retry_id = g_timeout_add_full (G_PRIORITY_DEFAULT, FIRST_RETRY_MS << job->retries,
                                      retry_cb, _sotto_job_ref (job), (GDestroyNotify) _sotto_job_unref);
  job->retries++;
}

gboolean
_sotto_job_is_disconnection (const GError *error)
{
  return g_error_matches (error, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_DISCONNECTED) ||
         g_error_matches (error, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_TIMED_OUT) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
client_state_cb (SottoClient *client,
                 GParamSpec  *pspec,
                 SottoJob    *job)
{
  SottoTransferState state = sotto_transfer_get_state (job->transfer);

  if (sotto_client_get_state (client) == SOTTO_CLIENT_ONLINE && state == SOTTO_TRANSFER_WAITING)
    _sotto_job_begin (job);
  else if (sotto_client_get_state (client) != SOTTO_CLIENT_ONLINE &&
           state == SOTTO_TRANSFER_RUNNING)
    _sotto_job_wait_for_connection (job);
}

/* A piece of the file goes in the connection's bulk lane, so that
 * what the user says meanwhile overtakes it. */
void
_sotto_job_send_request (SottoJob            *job,
                         GBytes              *message,
                         const char          *id,
                         guint64              offset,
                         gsize                length,
                         gboolean             piece,
                         GAsyncReadyCallback  callback)
{
  SottoJobRequest *request = g_new0 (SottoJobRequest, 1);

  request->job = _sotto_job_ref (job);
  request->generation = job->generation;
  request->offset = offset;
  request->length = length;
  job->in_flight++;
  if (piece)
    sotto_connection_request_bulk_async (job->client->connection, id, message, NULL, callback,
                                         request);
  else
    sotto_connection_request_async (job->client->connection, id, message, NULL, callback,
                                    request);
}

/* Both */

void
_sotto_job_begin (SottoJob *job)
{
  if (_sotto_job_cancelled (job))
    return;
  if (job->client == NULL || sotto_client_get_state (job->client) != SOTTO_CLIENT_ONLINE)
    {
      _sotto_transfer_set_state (job->transfer, SOTTO_TRANSFER_WAITING, NULL);
      return;
    }

  job->generation++;
  job->in_flight = 0;
  job->located = FALSE;
  _sotto_transfer_set_state (job->transfer, SOTTO_TRANSFER_RUNNING, NULL);
  job->begin_kind (job);
}

/* One piece: what the protocol allows, or less where the server's frames
 * are smaller. */
gsize
_sotto_job_piece_bytes (SottoJob *job)
{
  return sotto_connection_get_max_piece (job->client->connection);
}

/* The account's cache of blobs, made private if new. */
GFile *
_sotto_job_cache_file (SottoClient  *self,
                       const guint8 *id,
                       const char   *suffix)
{
  g_autofree char *server_dir = g_uri_escape_string (self->server, NULL, FALSE);
  g_autofree char *dir = g_build_filename (self->data_dir, server_dir, self->user, "blobs", NULL);
  char hex[2 * SOTTO_FILE_ID_BYTES + 1];
  g_autofree char *name = NULL;
  g_autofree char *path = NULL;

  g_mkdir_with_parents (dir, 0700);
  sodium_bin2hex (hex, sizeof hex, id, SOTTO_FILE_ID_BYTES);
  name = g_strconcat (hex, suffix, NULL);
  path = g_build_filename (dir, name, NULL);
  return g_file_new_for_path (path);
}

/* The client logs out or goes: every transfer stops, as cancelled. The
 * job may go with it. */
static void
client_cancelled_cb (GCancellable *cancellable,
                     SottoJob     *job)
{
  /* Held until here: ending takes it off the client's list. */
  _sotto_job_ref (job);
  sotto_transfer_cancel (job->transfer);
  _sotto_job_end (job, SOTTO_TRANSFER_CANCELLED, NULL);
  _sotto_job_unref (job);
}

SottoJob *
_sotto_job_new (SottoClient       *self,
                SottoTransferKind  kind,
                const char        *name,
                const char        *room,
                SottoJobBegin      begin_kind)
{
  SottoJob *job = g_new0 (SottoJob, 1);

  job->refs = 1;
  job->begin_kind = begin_kind;
  job->client = self;
  job->transfer = _sotto_transfer_new (kind, name, room);
  job->room = g_strdup (room);
  g_queue_init (&job->pieces);
  sotto_blob_progress_init (&job->blob);
  job->state_id = g_signal_connect (self, "notify::state", G_CALLBACK (client_state_cb), job);
  if (self->transfers == NULL)
    self->transfers = g_ptr_array_new_with_free_func ((GDestroyNotify) _sotto_job_unref);
  g_ptr_array_add (self->transfers, job);
  /* A client closed already has no store: its callers end the job. */
  job->client_cancelled_id = g_signal_connect (self->cancellable, "cancelled",
                                               G_CALLBACK (client_cancelled_cb), job);
  return job;
}
