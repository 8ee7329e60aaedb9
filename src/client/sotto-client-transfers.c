/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <sodium.h>
#include <string.h>

#include "sotto-client-private.h"
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

/* One piece: what the protocol allows. */
#define PIECE_BYTES (256 * 1024)

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
} Piece;

typedef struct
{
  gint               refs;
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
  /* Uploads: the blob's id; while it is sealed, how far the sealing got,
   * the wait for more, and whether the server holds all of it already */
  guint8             blob_id[SOTTO_FILE_ID_BYTES];
  SottoSealProgress  seal;
  gboolean           sealing;
  guint              seal_wait_id;
  gboolean           uploaded;
} Job;

typedef struct
{
  Job    *job;
  guint   generation;
  guint64 offset;
  gsize   length;
} Request;

static void begin (Job *job);

static void
piece_free (Piece *piece)
{
  g_bytes_unref (piece->data);
  g_free (piece);
}

static void
job_unref (Job *job)
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
  g_queue_clear_full (&job->pieces, (GDestroyNotify) piece_free);
  g_mutex_clear (&job->seal.lock);
  g_free (job);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Job, job_unref)

static Job *
job_ref (Job *job)
{
  g_atomic_int_inc (&job->refs);
  return job;
}

/* The job is over: its cache file goes, and the client forgets it. */
static void
end (Job                *job,
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
  _sotto_transfer_set_state (job->transfer, state, error);
  g_clear_object (&job->in);
  if (job->out != NULL)
    g_output_stream_close (job->out, NULL, NULL);
  g_clear_object (&job->out);
  if (job->cache != NULL)
    g_file_delete (job->cache, NULL, NULL);
  if (client != NULL)
    g_ptr_array_remove (client->transfers, job);
}

/* Whether the job is over, or the user stopped it (it is then over). */
static gboolean
cancelled (Job *job)
{
  if (job->ended)
    return TRUE;
  if (!g_cancellable_is_cancelled (_sotto_transfer_get_cancellable (job->transfer)))
    return FALSE;
  end (job, SOTTO_TRANSFER_CANCELLED, NULL);
  return TRUE;
}

/* A request's answer came, for the start it belongs to, or the job moved
 * on: %FALSE for one to drop. */
static gboolean
current (Request *request)
{
  return request->generation == request->job->generation;
}

/* The connection went: wait to go on. */
static void
wait_for_connection (Job *job)
{
  job->generation++;
  job->in_flight = 0;
  job->sent = job->acked;
  _sotto_transfer_set_state (job->transfer, SOTTO_TRANSFER_WAITING, NULL);
}

static gboolean
retry_cb (gpointer data)
{
  Job *job = data;

  job->retry_id = 0;
  begin (job);
  return G_SOURCE_REMOVE;
}

/* The server cannot serve the transfer now: answers on their way are
 * dropped, and it is asked again later, or the transfer fails. */
static void
retry_later (Job *job)
{
  if (job->retries >= RETRIES)
    {
      end (job, SOTTO_TRANSFER_FAILED,
           sotto_transfer_get_kind (job->transfer) == SOTTO_TRANSFER_UPLOAD
             ? _("The server could not take the file: try again later")
             : _("The server could not send the file: try again later"));
      return;
    }
  job->generation++;
  job->in_flight = 0;
  g_clear_handle_id (&job->retry_id, g_source_remove);
  job->retry_id = g_timeout_add_full (G_PRIORITY_DEFAULT, FIRST_RETRY_MS << job->retries,
                                      retry_cb, job_ref (job), (GDestroyNotify) job_unref);
  job->retries++;
}

static gboolean
is_disconnection (const GError *error)
{
  return g_error_matches (error, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_DISCONNECTED) ||
         g_error_matches (error, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_TIMED_OUT) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
client_state_cb (SottoClient *client,
                 GParamSpec  *pspec,
                 Job         *job)
{
  SottoTransferState state = sotto_transfer_get_state (job->transfer);

  if (sotto_client_get_state (client) == SOTTO_CLIENT_ONLINE && state == SOTTO_TRANSFER_WAITING)
    begin (job);
  else if (sotto_client_get_state (client) != SOTTO_CLIENT_ONLINE &&
           state == SOTTO_TRANSFER_RUNNING)
    wait_for_connection (job);
}

/* A piece of the file goes in the connection's bulk lane, so that
 * what the user says meanwhile overtakes it. */
static void
send_request (Job                 *job,
              GBytes              *message,
              const char          *id,
              guint64              offset,
              gsize                length,
              gboolean             piece,
              GAsyncReadyCallback  callback)
{
  Request *request = g_new0 (Request, 1);

  request->job = job_ref (job);
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

/* Uploading */

static void pump_upload (Job *job);

static void
upload_done (Job *job)
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
      end (job, SOTTO_TRANSFER_FAILED,
           error != NULL ? error->message : _("You are no longer in the room the file was for"));
      return;
    }
  _sotto_transfer_set_message (job->transfer, message);
  end (job, SOTTO_TRANSFER_DONE, NULL);
}

static void
chunk_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autofree Request *request = user_data;
  g_autoptr(Job) job = request->job;
  g_autoptr(SottoMsg) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = sotto_connection_request_finish (SOTTO_CONNECTION (object), result, &error);
  if (!current (request) || cancelled (job))
    return;
  job->in_flight--;

  if (reply == NULL)
    {
      if (is_disconnection (error))
        wait_for_connection (job);
      else if (sotto_client_error_is_server (error, SOTTO_MSG_ERROR_CODE_BAD_OFFSET) ||
               sotto_client_error_is_server (error, SOTTO_MSG_ERROR_CODE_RATE_LIMITED) ||
               sotto_client_error_is_server (error, SOTTO_MSG_ERROR_CODE_OVERLOADED))
        {
          /* Ask again where the server stands, a little later, and go on
           * from there. */
          retry_later (job);
        }
      else
        end (job, SOTTO_TRANSFER_FAILED, error->message);
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
  g_autofree Request *request = user_data;
  g_autoptr(Job) job = request->job;
  g_autoptr(GBytes) data = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) message = NULL;
  g_autofree char *id = NULL;

  data = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), result, &error);
  job->reading = FALSE;
  if (cancelled (job))
    return;
  if (!current (request))
    {
      /* Read for a start before: the pieces of this one wait no more. */
      if (job->located)
        pump_upload (job);
      return;
    }
  /* A read may give less than asked: that much goes as its own piece. */
  if (data == NULL || g_bytes_get_size (data) == 0 || g_bytes_get_size (data) > request->length)
    {
      end (job, SOTTO_TRANSFER_FAILED, _("The file to send could not be read"));
      return;
    }
  request->length = g_bytes_get_size (data);
  if (sotto_client_get_state (job->client) != SOTTO_CLIENT_ONLINE)
    {
      wait_for_connection (job);
      return;
    }

  id = sotto_connection_next_id (job->client->connection);
  message = sotto_msg_build_upload_chunk (id, job->blob_id, (gint64) request->offset, data);
  job->sent = request->offset + request->length;
  send_request (job, message, id, request->offset, request->length, TRUE, chunk_cb);
  pump_upload (job);
}

static gboolean
seal_wait_cb (gpointer data)
{
  Job *job = data;

  job->seal_wait_id = 0;
  if (!cancelled (job) && job->located &&
      sotto_transfer_get_state (job->transfer) == SOTTO_TRANSFER_RUNNING)
    pump_upload (job);
  return G_SOURCE_REMOVE;
}

/* Reads the next piece of the blob and sends it, while the window has
 * room; one read at a time, so the pieces go in order. While the blob is
 * sealed, only what is sealed goes, a whole piece at a time, and what
 * follows is looked for again shortly. */
static void
pump_upload (Job *job)
{
  Request *request;
  g_autoptr(GError) error = NULL;
  guint64 available;

  if (job->reading || job->in_flight >= WINDOW || job->sent >= job->total)
    return;

  available = job->sealing ? MIN (sotto_seal_progress_get (&job->seal), job->total)
                           : job->total;
  if (job->sealing && available - MIN (available, job->sent) < PIECE_BYTES &&
      available < job->total)
    {
      if (job->seal_wait_id == 0)
        job->seal_wait_id = g_timeout_add_full (G_PRIORITY_DEFAULT, 5, seal_wait_cb,
                                                job_ref (job), (GDestroyNotify) job_unref);
      return;
    }
  if (job->in == NULL)
    {
      job->in = G_INPUT_STREAM (g_file_read (job->cache, NULL, &error));
      if (job->in == NULL)
        {
          end (job, SOTTO_TRANSFER_FAILED, error->message);
          return;
        }
    }

  if (!g_seekable_seek (G_SEEKABLE (job->in), (goffset) job->sent, G_SEEK_SET, NULL, &error))
    {
      end (job, SOTTO_TRANSFER_FAILED, error->message);
      return;
    }
  request = g_new0 (Request, 1);
  request->job = job_ref (job);
  request->generation = job->generation;
  request->offset = job->sent;
  request->length = (gsize) MIN ((guint64) PIECE_BYTES, available - job->sent);
  job->reading = TRUE;
  g_input_stream_read_bytes_async (job->in, request->length, G_PRIORITY_LOW, NULL, read_cb,
                                   request);
}

static void
upload_at_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autofree Request *request = user_data;
  g_autoptr(Job) job = request->job;
  g_autoptr(SottoMsg) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = sotto_connection_request_finish (SOTTO_CONNECTION (object), result, &error);
  if (!current (request) || cancelled (job))
    return;
  job->in_flight--;

  if (reply == NULL)
    {
      if (is_disconnection (error))
        wait_for_connection (job);
      else if (sotto_client_error_is_server (error, SOTTO_MSG_ERROR_CODE_TOO_LARGE))
        end (job, SOTTO_TRANSFER_FAILED, _("The file is larger than the server takes"));
      else if (sotto_client_error_is_server (error, SOTTO_MSG_ERROR_CODE_QUOTA))
        end (job, SOTTO_TRANSFER_FAILED,
             _("Your files on the server take all the room it gives you: the file was not "
               "sent"));
      else if (sotto_client_error_is_server (error, SOTTO_MSG_ERROR_CODE_RATE_LIMITED) ||
               sotto_client_error_is_server (error, SOTTO_MSG_ERROR_CODE_OVERLOADED))
        retry_later (job);
      else
        end (job, SOTTO_TRANSFER_FAILED, error->message);
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
begin_upload (Job *job)
{
  g_autoptr(GBytes) message = NULL;
  g_autofree char *id = NULL;

  id = sotto_connection_next_id (job->client->connection);
  message = sotto_msg_build_upload (id, job->blob_id, job->room, (gint64) job->total);
  send_request (job, message, id, 0, 0, FALSE, upload_at_cb);
}

static void
sealed_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(Job) job = user_data;
  g_autoptr(GError) error = NULL;

  job->file = sotto_file_blob_seal_finish (result, &error);
  job->sealing = FALSE;
  if (cancelled (job))
    return;
  if (job->file == NULL)
    {
      end (job, SOTTO_TRANSFER_FAILED, error->message);
      return;
    }
  if (job->total == 0)
    {
      /* Not begun while sealing (the file's size was not known). */
      job->total = sotto_file_blob_size (job->file->size);
      _sotto_transfer_set_progress (job->transfer, 0, job->total);
      begin (job);
    }
  else if (job->uploaded)
    upload_done (job);
  else if (job->located && sotto_transfer_get_state (job->transfer) == SOTTO_TRANSFER_RUNNING)
    pump_upload (job);
}

/* Downloading */

static void pump_download (Job *job);

static void
opened_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(Job) job = user_data;
  g_autoptr(GError) error = NULL;

  if (!sotto_file_blob_open_finish (result, &error))
    {
      /* A blob that does not open is not kept for another try. */
      if (!cancelled (job))
        end (job, SOTTO_TRANSFER_FAILED,
             g_error_matches (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_DECRYPT_FAILED)
               ? _("The file was changed on the server or on its way: it was not saved")
               : error->message);
      return;
    }
  if (!cancelled (job))
    end (job, SOTTO_TRANSFER_DONE, NULL);
}

static void write_next (Job *job);

static void
written_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(Job) job = user_data;
  g_autoptr(GError) error = NULL;
  Piece *piece;

  job->writing = FALSE;
  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), result, NULL, &error))
    {
      if (!cancelled (job))
        end (job, SOTTO_TRANSFER_FAILED, error->message);
      return;
    }
  if (cancelled (job))
    return;

  piece = g_queue_pop_head (&job->pieces);
  job->acked += g_bytes_get_size (piece->data);
  piece_free (piece);
  _sotto_transfer_set_progress (job->transfer, job->acked, job->total);

  if (job->acked >= job->total)
    {
      g_autoptr(GError) close_error = NULL;

      if (!g_output_stream_close (job->out, NULL, &close_error))
        {
          end (job, SOTTO_TRANSFER_FAILED, close_error->message);
          return;
        }
      g_clear_object (&job->out);
      sotto_file_blob_open_async (job->cache, job->file, job->destination,
                                  _sotto_transfer_get_cancellable (job->transfer), opened_cb,
                                  job_ref (job));
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
  const Piece *piece_a = a;
  const Piece *piece_b = b;

  return piece_a->offset < piece_b->offset ? -1 : piece_a->offset > piece_b->offset;
}

/* Keeps the pieces that follow on from what the cache holds without a gap
 * and drops the others, to be asked for again; returns where the kept
 * ones end. */
static guint64
keep_contiguous (Job *job)
{
  guint64 end = job->acked;
  GList *l = job->pieces.head;

  while (l != NULL)
    {
      GList *next = l->next;
      Piece *piece = l->data;

      if (piece->offset == end)
        end += g_bytes_get_size (piece->data);
      else if (!(job->writing && l == job->pieces.head))
        {
          piece_free (piece);
          g_queue_delete_link (&job->pieces, l);
        }
      l = next;
    }
  return end;
}

/* Writes what came, in order, one piece at a time: the next piece only
 * once it is the one that follows what the cache holds. */
static void
write_next (Job *job)
{
  Piece *piece = g_queue_peek_head (&job->pieces);

  if (job->writing || piece == NULL || piece->offset != job->acked)
    return;
  job->writing = TRUE;
  g_output_stream_write_all_async (job->out, g_bytes_get_data (piece->data, NULL),
                                   g_bytes_get_size (piece->data), G_PRIORITY_LOW, NULL,
                                   written_cb, job_ref (job));
}

static void
blob_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autofree Request *request = user_data;
  g_autoptr(Job) job = request->job;
  g_autoptr(SottoMsg) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) data = NULL;
  gboolean short_piece;
  Piece *piece;

  reply = sotto_connection_request_finish (SOTTO_CONNECTION (object), result, &error);
  if (!current (request) || cancelled (job))
    return;
  job->in_flight--;

  if (reply == NULL)
    {
      if (is_disconnection (error))
        wait_for_connection (job);
      else if (sotto_client_error_is_server (error, SOTTO_MSG_ERROR_CODE_NO_SUCH_BLOB))
        end (job, SOTTO_TRANSFER_FAILED,
             _("The file is no longer on the server, or is not yours to fetch"));
      else if (sotto_client_error_is_server (error, SOTTO_MSG_ERROR_CODE_RATE_LIMITED) ||
               sotto_client_error_is_server (error, SOTTO_MSG_ERROR_CODE_OVERLOADED))
        retry_later (job);
      else
        end (job, SOTTO_TRANSFER_FAILED, error->message);
      return;
    }

  /* The server's size must be the message's, and each piece where it was
   * asked for, at most as long: else the server is not saying the truth. */
  data = sotto_msg_dup_bytes (reply, "data");
  if ((guint64) sotto_msg_get_int (reply, "size") != job->total ||
      (guint64) sotto_msg_get_int (reply, "offset") != request->offset || data == NULL ||
      g_bytes_get_size (data) == 0 || g_bytes_get_size (data) > request->length)
    {
      end (job, SOTTO_TRANSFER_FAILED,
           _("The server sent something else than the file: it was not saved"));
      return;
    }
  job->retries = 0;

  /* The server reads pieces in several threads: they may come in any
   * order, and are written in the blob's. */
  short_piece = g_bytes_get_size (data) < request->length;
  piece = g_new0 (Piece, 1);
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
pump_download (Job *job)
{
  while (job->in_flight < WINDOW && job->sent < job->total &&
         g_queue_get_length (&job->pieces) < 2 * WINDOW)
    {
      gsize length = (gsize) MIN ((guint64) PIECE_BYTES, job->total - job->sent);
      g_autofree char *id = sotto_connection_next_id (job->client->connection);
      g_autoptr(GBytes) message = sotto_msg_build_download (id, job->file->id,
                                                            (gint64) job->sent,
                                                            (gint64) length);

      send_request (job, message, id, job->sent, length, FALSE, blob_cb);
      job->sent += length;
    }
}

static void
begin_download (Job *job)
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
          end (job, SOTTO_TRANSFER_FAILED, error->message);
          return;
        }
      job->acked = held;
    }

  /* Pieces that came but are not written yet stay, and count as held. */
  job->sent = keep_contiguous (job);
  _sotto_transfer_set_progress (job->transfer, job->acked, job->total);
  if (job->acked >= job->total && !job->writing)
    {
      g_output_stream_close (job->out, NULL, NULL);
      g_clear_object (&job->out);
      sotto_file_blob_open_async (job->cache, job->file, job->destination,
                                  _sotto_transfer_get_cancellable (job->transfer), opened_cb,
                                  job_ref (job));
      return;
    }
  pump_download (job);
}

/* Both */

static void
begin (Job *job)
{
  if (cancelled (job))
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
  if (sotto_transfer_get_kind (job->transfer) == SOTTO_TRANSFER_UPLOAD)
    begin_upload (job);
  else
    begin_download (job);
}

/* The account's cache of blobs, made private if new. */
static GFile *
cache_file (SottoClient  *self,
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
                     Job          *job)
{
  /* Held until here: ending takes it off the client's list. */
  job_ref (job);
  sotto_transfer_cancel (job->transfer);
  end (job, SOTTO_TRANSFER_CANCELLED, NULL);
  job_unref (job);
}

static Job *
job_new (SottoClient       *self,
         SottoTransferKind  kind,
         const char        *name,
         const char        *room)
{
  Job *job = g_new0 (Job, 1);

  job->refs = 1;
  job->client = self;
  job->transfer = _sotto_transfer_new (kind, name, room);
  job->room = g_strdup (room);
  g_queue_init (&job->pieces);
  g_mutex_init (&job->seal.lock);
  job->state_id = g_signal_connect (self, "notify::state", G_CALLBACK (client_state_cb), job);
  if (self->transfers == NULL)
    self->transfers = g_ptr_array_new_with_free_func ((GDestroyNotify) job_unref);
  g_ptr_array_add (self->transfers, job);
  /* A client closed already has no store: its callers end the job. */
  job->client_cancelled_id = g_signal_connect (self->cancellable, "cancelled",
                                               G_CALLBACK (client_cancelled_cb), job);
  return job;
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
  Job *job;

  g_return_val_if_fail (SOTTO_IS_CLIENT (self), NULL);
  g_return_val_if_fail (SOTTO_IS_ROOM (room), NULL);
  g_return_val_if_fail (G_IS_FILE (file), NULL);

  basename = g_file_get_basename (file);
  job = job_new (self, SOTTO_TRANSFER_UPLOAD, basename, sotto_room_get_name (room));
  if (self->store == NULL || self->user == NULL)
    {
      SottoTransfer *transfer = g_object_ref (job->transfer);

      end (job, SOTTO_TRANSFER_FAILED, _("Log in first"));
      return transfer;
    }

  randombytes_buf (job->blob_id, sizeof job->blob_id);
  job->source = g_object_ref (file);
  job->cache = cache_file (self, job->blob_id, ".up");
  /* A file larger than the server takes is refused before it is sealed,
   * with the server's limit in the sentence. */
  max_file = sotto_connection_get_max_file (self->connection);
  max_file = max_file > 0 ? MIN (max_file, SOTTO_FILE_MAX_BYTES) : SOTTO_FILE_MAX_BYTES;
  job->sealing = TRUE;
  sotto_file_blob_seal_full_async (file, job->cache, max_file, job->blob_id, &job->seal,
                                   _sotto_transfer_get_cancellable (job->transfer), sealed_cb,
                                   job_ref (job));

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
      begin (job);
    }
  return g_object_ref (job->transfer);
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
  Job *job;

  g_return_val_if_fail (SOTTO_IS_CLIENT (self), NULL);
  g_return_val_if_fail (SOTTO_IS_MESSAGE (message), NULL);
  g_return_val_if_fail (G_IS_FILE (destination), NULL);

  file = sotto_message_get_file (message);
  job = job_new (self, SOTTO_TRANSFER_DOWNLOAD, file != NULL ? file->name : NULL,
                 sotto_message_get_room (message));
  _sotto_transfer_set_message (job->transfer, message);
  sotto_message_set_transfer (message, job->transfer);
  if (file == NULL || self->store == NULL || self->user == NULL ||
      g_file_peek_path (destination) == NULL)
    {
      SottoTransfer *transfer = g_object_ref (job->transfer);

      end (job, SOTTO_TRANSFER_FAILED,
           file == NULL ? _("This message names no file") : _("Log in first"));
      return transfer;
    }

  job->file = sotto_file_message_copy (file);
  job->destination = g_object_ref (destination);
  job->total = sotto_file_blob_size (file->size);
  job->cache = cache_file (self, file->id, ".down");
  begin (job);
  return g_object_ref (job->transfer);
}

