/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-server-blobs-private.h"
#include "sotto-server-events.h"

/*
 * Uploading a blob. "upload" records a new one, once the room, the
 * per-file limit and the account's quota allow it, or says where an
 * unfinished one ends. "upload_chunk" takes the pieces in order: each one
 * must start where the last one taken ends, and waits in its upload's
 * queue (at most SOTTO_SERVER_MAX_WAITING_UPLOAD_BYTES per connection)
 * for the one write at a time an upload has under way. A piece is
 * answered once it is written; the last one once the blob is synced,
 * among the complete ones, and recorded complete by a commit.
 *
 * A connection that ends changes nothing of this: its pieces are still
 * written, and the upload goes on from any connection of the account.
 */

#define MIB (G_GINT64_CONSTANT (1024) * 1024)

static void upload_pump (SottoServerBlobs *self,
                         SottoUpload      *upload);

static void
reply_at (SottoUploadPiece *piece,
          const guint8     *id,
          gint64            offset)
{
  g_autoptr(GBytes) reply = sotto_msg_build_upload_at (piece->request_id, id, offset);

  sotto_session_send (piece->session, reply);
}

static void
reply_error (SottoUploadPiece  *piece,
             SottoMsgErrorCode  code,
             const char        *text)
{
  g_autoptr(GBytes) reply = sotto_msg_build_error (piece->request_id, code, text);

  sotto_session_send (piece->session, reply);
}

/* A piece leaves the queue of what its connection has waiting. */
static void
piece_done (SottoServerBlobs *self,
            SottoUploadPiece *piece)
{
  if (piece->data != NULL)
    _sotto_server_blobs_count (self->waiting, piece->session,
                               -(gint64) g_bytes_get_size (piece->data));
}

/* After a failed write nothing queued behind it lines up any more: each
 * piece is refused, and so is each upload asking where the blob ends,
 * which asks again later. */
static void
refuse_queued (SottoServerBlobs *self,
               SottoUpload      *upload)
{
  SottoUploadPiece *piece;

  while ((piece = g_queue_pop_head (&upload->pieces)) != NULL)
    {
      piece_done (self, piece);
      reply_error (piece, SOTTO_MSG_ERROR_CODE_OVERLOADED,
                   piece->data != NULL
                     ? _("The server could not write the piece before this one")
                     : _("The server cannot store files right now; try again later"));
      _sotto_upload_piece_free (piece);
    }

  upload->accepted = upload->held;
}

typedef struct
{
  SottoServerState *server;
  char             *key;
  /* The piece written, or %NULL for the completion of what is there. */
  SottoUploadPiece *piece;
  gint64            end;
  gboolean          finish;
} UploadWrite;

static void
upload_write_free (gpointer data)
{
  UploadWrite *write = data;

  g_clear_pointer (&write->piece, _sotto_upload_piece_free);
  g_free (write->key);
  g_free (write);
}

/* The blob is recorded complete, or the batch was lost: either way its
 * upload is over here. Its file is among the complete ones already, so a
 * lost record is set right the next time the blob is asked for. */
static void
completion_committed_cb (SottoStore   *store,
                         const GError *error,
                         gpointer      user_data)
{
  UploadWrite *write = user_data;
  SottoServerBlobs *self = write->server->blobs;
  SottoUpload *upload;
  SottoUploadPiece *piece;

  if (self == NULL || (upload = g_hash_table_lookup (self->uploads, write->key)) == NULL)
    return;

  if (error == NULL)
    {
      g_autofree char *size = g_strdup_printf ("%" G_GINT64_FORMAT, upload->size);

      g_message ("%s uploaded a blob of %s bytes to %s", upload->user, size, upload->room);
    }

  upload->writing = FALSE;
  if (write->piece != NULL)
    g_queue_push_head (&upload->pieces, g_steal_pointer (&write->piece));
  while ((piece = g_queue_pop_head (&upload->pieces)) != NULL)
    {
      if (error != NULL)
        _sotto_server_reply_store_error_to (self->server, piece->session, piece->request_id,
                                            error);
      else
        reply_at (piece, upload->id, upload->size);
      _sotto_upload_piece_free (piece);
    }

  _sotto_server_blobs_forget_upload (self, upload);
}

static void
write_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  UploadWrite *write = user_data;
  SottoServerBlobs *self = write->server->blobs;
  SottoUpload *upload = g_hash_table_lookup (self->uploads, write->key);
  g_autoptr(GError) error = NULL;
  gboolean written = _sotto_blob_files_write_finish (self->files, result, &error);

  /* An upload being written is never forgotten. */
  g_assert (upload != NULL && upload->writing);
  if (write->piece != NULL)
    piece_done (self, write->piece);

  if (!written)
    {
      gint64 length = _sotto_blob_files_length (self->files, upload->id, FALSE);

      g_warning ("Could not write an upload of %s: %s", upload->user, error->message);
      if (write->piece != NULL)
        reply_error (write->piece, SOTTO_MSG_ERROR_CODE_OVERLOADED,
                     _("The server cannot store files right now; try again later"));
      /* The write cut the file back; what it holds is its length. */
      upload->held = CLAMP (length, 0, upload->held);
      upload->writing = FALSE;
      refuse_queued (self, upload);
      /* A completion may have gone as far as moving the file: what it
       * did is read from the disk again at the next request. */
      if (write->finish)
        _sotto_server_blobs_forget_upload (self, upload);
      upload_write_free (write);
      return;
    }

  upload->held = write->end;
  if (!write->finish)
    {
      upload->writing = FALSE;
      reply_at (write->piece, upload->id, upload->held);
      upload_write_free (write);
      upload_pump (self, upload);
      return;
    }

  /* Synced and among the complete ones: it only remains to say so. */
  if (!sotto_store_set_blob_complete (self->server->store, upload->id, &error))
    {
      if (write->piece != NULL)
        _sotto_server_reply_store_error_to (self->server, write->piece->session,
                                            write->piece->request_id, error);
      upload_write_free (write);
      upload->writing = FALSE;
      refuse_queued (self, upload);
      _sotto_server_blobs_forget_upload (self, upload);
      return;
    }

  sotto_store_commit_soon (self->server->store, completion_committed_cb, write,
                           upload_write_free);
}

/* Starts writing @piece, or with %NULL completes an upload whose file has
 * it all. */
static void
upload_write (SottoServerBlobs *self,
              SottoUpload      *upload,
              SottoUploadPiece *piece)
{
  UploadWrite *write = g_new0 (UploadWrite, 1);
  gint64 offset = piece != NULL ? piece->offset : upload->held;

  g_assert (offset == upload->held);

  write->server = self->server;
  write->key = g_strdup (upload->key);
  write->piece = piece;
  write->end = offset + (piece != NULL ? (gint64) g_bytes_get_size (piece->data) : 0);
  write->finish = write->end == upload->size;
  upload->writing = TRUE;
  _sotto_blob_files_write_async (self->files, upload->id, offset,
                                 piece != NULL ? piece->data : NULL, write->finish,
                                 write_done_cb, write);
}

/* Takes the next thing queued, unless a write is under way. */
static void
upload_pump (SottoServerBlobs *self,
             SottoUpload      *upload)
{
  SottoUploadPiece *piece;

  while (!upload->writing && (piece = g_queue_peek_head (&upload->pieces)) != NULL)
    {
      /* Its file has it all, but it was not completed (a crash, a failed
       * completion): that comes first, once someone asks. */
      if (upload->held == upload->size)
        {
          upload_write (self, upload, NULL);
          return;
        }

      g_queue_pop_head (&upload->pieces);
      if (piece->data != NULL)
        {
          upload_write (self, upload, piece);
          return;
        }

      reply_at (piece, upload->id, upload->held);
      _sotto_upload_piece_free (piece);
    }
}

static SottoUploadPiece *
piece_new (SottoSession *session,
           SottoMsg     *msg,
           gint64        offset,
           GBytes       *data)
{
  SottoUploadPiece *piece = g_new0 (SottoUploadPiece, 1);

  piece->session = g_object_ref (session);
  piece->request_id = g_strdup (sotto_msg_get_id (msg));
  piece->offset = offset;
  piece->data = data != NULL ? g_bytes_ref (data) : NULL;

  return piece;
}

static void
refuse_upload (SottoServerState  *self,
               SottoSession      *session,
               SottoMsg          *msg,
               SottoMsgErrorCode  code,
               const char        *text,
               const char        *why)
{
  SottoUser *user = sotto_session_get_user (session);

  g_message ("Upload by %s to %s refused: %s", user->name, sotto_msg_get_string (msg, "room"),
             why);
  _sotto_server_reply_error (self, session, msg, code, text);
}

/* An upload of the blob exists: the same one goes on, or is told it is
 * complete; anyone else's is refused. */
static void
resume_upload (SottoServerState     *self,
               SottoSession         *session,
               SottoMsg             *msg,
               SottoRoom            *room,
               const SottoStoreBlob *record)
{
  SottoUser *user = sotto_session_get_user (session);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) reply = NULL;
  SottoUpload *upload = NULL;
  gboolean complete = record->complete;

  if (record->account_id != user->id)
    {
      refuse_upload (self, session, msg, SOTTO_MSG_ERROR_CODE_FORBIDDEN,
                     _("That blob id is taken"), "the blob id is another account's");
      return;
    }

  if (record->room_id != room->id || record->size != sotto_msg_get_int (msg, "size"))
    {
      refuse_upload (self, session, msg, SOTTO_MSG_ERROR_CODE_FORBIDDEN,
                     _("That upload was started for another room or size"),
                     "another room or size than its start");
      return;
    }

  if (!complete)
    {
      upload = _sotto_server_blobs_load_upload (self->blobs, record, &complete, &error);
      if (upload == NULL && !complete)
        {
          _sotto_server_reply_store_error (self, session, msg, error);
          return;
        }
    }

  if (complete)
    {
      reply = sotto_msg_build_upload_at (sotto_msg_get_id (msg), record->id, record->size);
      _sotto_server_reply_after_commit (self, session, msg, reply);
      return;
    }

  /* Told once what was sent before is written. */
  g_queue_push_tail (&upload->pieces, piece_new (session, msg, upload->accepted, NULL));
  upload_pump (self->blobs, upload);
}

/* A lookup in the store for "upload" or "upload_chunk"; the blob's id is
 * read again from the request. */
static SottoHeldRequest *
upload_lookup_new (SottoServerState *self,
                   SottoSession     *session,
                   SottoMsg         *msg)
{
  return _sotto_held_request_new (self, session, msg, NULL, sizeof (SottoHeldRequest));
}

static void
blob_added_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(SottoHeldRequest) lookup = user_data;
  guint8 id[SOTTO_PROTOCOL_BLOB_ID_BYTES];
  SottoServerState *self = lookup->server;
  SottoUser *user = sotto_session_get_user (lookup->session);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) reply = NULL;

  sotto_msg_get_blob_id (lookup->msg, id);
  switch (sotto_store_add_blob_finish (SOTTO_STORE (object), result, &error))
    {
    case SOTTO_STORE_BLOB_FAILED:
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _sotto_server_reply_store_error (self, lookup->session, lookup->msg, error);
      return;

    case SOTTO_STORE_BLOB_OVER_QUOTA:
      {
        g_autofree char *mib = g_strdup_printf ("%" G_GINT64_FORMAT, self->config->quota);
        g_autofree char *text = g_strdup_printf (_("Your files would take more than the %s MiB "
                                                   "this server keeps for each account"), mib);

        refuse_upload (self, lookup->session, lookup->msg, SOTTO_MSG_ERROR_CODE_QUOTA, text,
                       "over its quota");
        return;
      }

    case SOTTO_STORE_BLOB_ADDED:
    default:
      break;
    }

  /* The store answers once the record is committed. */
  g_info ("%s started an upload to %s", user->name, sotto_msg_get_string (lookup->msg, "room"));
  reply = sotto_msg_build_upload_at (sotto_msg_get_id (lookup->msg), id, 0);
  sotto_session_send (lookup->session, reply);
}

/* Records a new upload, within the per-file limit and the account's
 * quota; the client's next requests wait for the store. */
static void
start_upload (SottoServerState *self,
              SottoSession     *session,
              SottoMsg         *msg,
              SottoRoom        *room,
              const guint8     *id)
{
  SottoUser *user = sotto_session_get_user (session);
  gint64 size = sotto_msg_get_int (msg, "size");
  gint64 limit = sotto_protocol_blob_size (self->config->max_file_size * MIB);
  SottoHeldRequest *lookup;

  if (size > limit)
    {
      /* The number goes in as text: a G_GINT64_FORMAT would hide the rest
       * of the message from xgettext. */
      g_autofree char *mib = g_strdup_printf ("%" G_GINT64_FORMAT, self->config->max_file_size);
      g_autofree char *text = g_strdup_printf (_("This server takes files of up to %s MiB"), mib);

      refuse_upload (self, session, msg, SOTTO_MSG_ERROR_CODE_TOO_LARGE, text,
                     "over the per-file limit");
      return;
    }

  lookup = upload_lookup_new (self, session, msg);
  sotto_store_add_blob_async (self->store, id, user->id, room->id, size, _sotto_server_now_ms (),
                              self->config->quota * MIB, sotto_session_get_cancellable (session),
                              blob_added_cb, lookup);
}

static gboolean
blob_is_deleting (SottoServerState *self,
                  SottoSession     *session,
                  SottoMsg         *msg,
                  const guint8     *id)
{
  g_autofree char *key = _sotto_blob_key (id);

  if (!g_hash_table_contains (self->blobs->deleting, key))
    return FALSE;

  _sotto_server_reply_error (self, session, msg, SOTTO_MSG_ERROR_CODE_OVERLOADED,
                             _("That blob is being deleted; try again in a moment"));
  return TRUE;
}

static void
upload_blob_found_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(SottoHeldRequest) lookup = user_data;
  guint8 id[SOTTO_PROTOCOL_BLOB_ID_BYTES];
  SottoServerState *self = lookup->server;
  g_auto(SottoStoreBlob) record = { 0 };
  g_autoptr(GError) error = NULL;
  gboolean found;
  SottoRoom *room;

  sotto_msg_get_blob_id (lookup->msg, id);
  found = sotto_store_find_blob_finish (SOTTO_STORE (object), result, &record, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (error != NULL)
    {
      _sotto_server_reply_store_error (self, lookup->session, lookup->msg, error);
      return;
    }

  /* The room or the blob may have changed while the store looked. */
  room = _sotto_server_lookup_member_room (self, lookup->session, lookup->msg);
  if (room == NULL || blob_is_deleting (self, lookup->session, lookup->msg, id))
    return;

  if (found)
    resume_upload (self, lookup->session, lookup->msg, room, &record);
  else
    start_upload (self, lookup->session, lookup->msg, room, id);
}

/**
 * _sotto_server_handle_upload:
 *
 * Starts an upload to a room the user is a member of, or resumes one.
 * The client's next requests wait for the store.
 */
void
_sotto_server_handle_upload (SottoServerState *self,
                             SottoSession     *session,
                             SottoMsg         *msg)
{
  SottoRoom *room = _sotto_server_lookup_member_room (self, session, msg);
  guint8 id[SOTTO_PROTOCOL_BLOB_ID_BYTES];

  if (room == NULL)
    return;

  sotto_msg_get_blob_id (msg, id);
  if (blob_is_deleting (self, session, msg, id))
    return;

  sotto_store_find_blob_async (self->store, id, sotto_session_get_cancellable (session),
                               upload_blob_found_cb, upload_lookup_new (self, session, msg));
}

/* Queues the piece that @msg carries for @upload, the user's unfinished
 * upload of the blob it names or %NULL, if it starts where the upload
 * ends. */
static void
take_piece (SottoServerState *self,
            SottoSession     *session,
            SottoMsg         *msg,
            SottoUpload      *upload)
{
  SottoUser *user = sotto_session_get_user (session);
  gint64 offset = sotto_msg_get_int (msg, "offset");
  g_autoptr(GBytes) data = NULL;
  gint64 length;

  if (upload == NULL || upload->account_id != user->id)
    {
      g_info ("A piece from %s for no upload of theirs refused", user->name);
      _sotto_server_reply_error (self, session, msg, SOTTO_MSG_ERROR_CODE_NO_SUCH_BLOB,
                                 _("You have no unfinished upload of that blob"));
      return;
    }

  if (offset != upload->accepted)
    {
      g_autofree char *at = g_strdup_printf ("%" G_GINT64_FORMAT, upload->accepted);
      g_autofree char *text = g_strdup_printf (_("The next piece of this blob goes at %s"), at);

      g_info ("A piece from %s at the wrong offset refused", upload->user);
      _sotto_server_reply_error (self, session, msg, SOTTO_MSG_ERROR_CODE_BAD_OFFSET, text);
      return;
    }

  data = sotto_msg_dup_bytes (msg, "data");
  length = g_bytes_get_size (data);
  if (offset + length > upload->size)
    {
      _sotto_server_reply_error (self, session, msg, SOTTO_MSG_ERROR_CODE_TOO_LARGE,
                                 _("The piece goes past the end of the blob"));
      return;
    }

  if (_sotto_server_blobs_count (self->blobs->waiting, session, 0) + length >
      SOTTO_SERVER_MAX_WAITING_UPLOAD_BYTES)
    {
      _sotto_server_reply_error (self, session, msg, SOTTO_MSG_ERROR_CODE_RATE_LIMITED,
                                 _("Wait until the pieces already sent are written"));
      return;
    }

  _sotto_server_blobs_count (self->blobs->waiting, session, length);
  g_queue_push_tail (&upload->pieces, piece_new (session, msg, offset, data));
  upload->accepted += length;
  upload_pump (self->blobs, upload);
}

/* A piece of an upload this server is not working on (it was started
 * before a restart, or the last piece failed): the store says whose and
 * how far, and the upload is taken up again from its file. */
static void
chunk_blob_found_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(SottoHeldRequest) lookup = user_data;
  guint8 id[SOTTO_PROTOCOL_BLOB_ID_BYTES];
  SottoServerState *self = lookup->server;
  SottoUser *user = sotto_session_get_user (lookup->session);
  g_autofree char *key = NULL;
  g_auto(SottoStoreBlob) record = { 0 };
  g_autoptr(GError) error = NULL;
  SottoUpload *upload;
  gboolean complete = FALSE;
  gboolean found;

  sotto_msg_get_blob_id (lookup->msg, id);
  key = _sotto_blob_key (id);
  found = sotto_store_find_blob_finish (SOTTO_STORE (object), result, &record, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (error != NULL)
    {
      _sotto_server_reply_store_error (self, lookup->session, lookup->msg, error);
      return;
    }

  /* Taken up meanwhile, by an earlier piece of another connection. */
  upload = g_hash_table_lookup (self->blobs->uploads, key);
  if (upload == NULL && found && record.account_id == user->id)
    {
      complete = record.complete;
      if (!complete)
        upload = _sotto_server_blobs_load_upload (self->blobs, &record, &complete, &error);
      if (upload == NULL && !complete)
        {
          _sotto_server_reply_store_error (self, lookup->session, lookup->msg, error);
          return;
        }
    }

  if (complete)
    {
      _sotto_server_reply_error (self, lookup->session, lookup->msg,
                                 SOTTO_MSG_ERROR_CODE_BAD_OFFSET, _("That blob is complete"));
      return;
    }

  take_piece (self, lookup->session, lookup->msg, upload);
}

/**
 * _sotto_server_handle_upload_chunk:
 *
 * Queues a piece of the user's unfinished upload for writing, if it
 * starts where the upload ends. An upload this server is not working on
 * is looked up in the store first, and the client's next requests wait
 * for that.
 */
void
_sotto_server_handle_upload_chunk (SottoServerState *self,
                                   SottoSession     *session,
                                   SottoMsg         *msg)
{
  g_autofree char *key = NULL;
  guint8 id[SOTTO_PROTOCOL_BLOB_ID_BYTES];
  SottoUpload *upload;

  sotto_msg_get_blob_id (msg, id);
  key = _sotto_blob_key (id);
  upload = g_hash_table_lookup (self->blobs->uploads, key);
  if (upload != NULL)
    {
      take_piece (self, session, msg, upload);
      return;
    }

  sotto_store_find_blob_async (self->store, id, sotto_session_get_cancellable (session),
                               chunk_blob_found_cb, upload_lookup_new (self, session, msg));
}
