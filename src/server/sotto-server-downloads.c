/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "sotto-frame.h"
#include "sotto-server-blobs-private.h"

/*
 * Downloading a blob: a piece of a complete blob, read off the main loop,
 * for a member of the room it was uploaded to, now. Anyone else hears
 * that there is no such blob, as for one that does not exist, so that
 * nobody learns what is kept in a room they are not in.
 *
 * A connection has at most SOTTO_SERVER_MAX_READING_DOWNLOADS being read;
 * with the pieces it is sent, that bounds what its requests cost in
 * memory, and its output queue bounds the rest. A piece goes in the
 * connection's bulk lane: what the client is told meanwhile overtakes it.
 */

typedef struct
{
  SottoServerState *server;
  SottoSession     *session;
  SottoMsg         *msg;
  guint8            id[SOTTO_PROTOCOL_BLOB_ID_BYTES];
  gint64            offset;
  gint64            size;
} Download;

static void
download_free (Download *download)
{
  g_object_unref (download->session);
  sotto_msg_unref (download->msg);
  g_free (download);
}

static void
no_such_blob (SottoServerState *self,
              SottoSession     *session,
              SottoMsg         *msg)
{
  _sotto_server_reply_error (self, session, msg, SOTTO_MSG_ERROR_CODE_NO_SUCH_BLOB,
                             _("There is no such file to fetch"));
}

static void
read_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Download *download = user_data;
  SottoServerBlobs *self = download->server->blobs;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) data = _sotto_blob_files_read_finish (self->files, result, &error);
  g_autoptr(GBytes) reply = NULL;

  _sotto_server_blobs_count (self->reading, download->session, -1);

  /* Deleted meanwhile (retention) is no blob at all. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    no_such_blob (download->server, download->session, download->msg);
  else if (data == NULL)
    {
      g_warning ("Could not read a blob: %s", error->message);
      _sotto_server_reply_error (download->server, download->session, download->msg,
                                 SOTTO_MSG_ERROR_CODE_OVERLOADED,
                                 _("The server cannot read the file now; try again later"));
    }
  else
    {
      reply = sotto_msg_build_blob (sotto_msg_get_id (download->msg), download->id,
                                    download->offset, data, download->size);
      sotto_session_send_bulk (download->session, reply);
    }

  download_free (download);
}

/* The most bytes of a blob one answer carries on this server: what the
 * protocol allows, unless the frame limit is smaller. */
static gsize
max_piece (SottoServerState *self)
{
  gint64 room = self->config->max_frame - SOTTO_CHANNEL_FRAME_OVERHEAD -
                SOTTO_PIECE_MAX_HEADER_BYTES;

  return CLAMP (room, 1, SOTTO_PROTOCOL_BLOB_DATA_MAX_BYTES);
}

static void
blob_found_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  Download *download = user_data;
  SottoServerState *self = download->server;
  SottoSession *session = download->session;
  SottoUser *user = sotto_session_get_user (session);
  gint64 length = sotto_msg_get_int (download->msg, "length");
  g_auto(SottoStoreBlob) record = { 0 };
  g_autoptr(GError) error = NULL;
  SottoRoom *room;

  sotto_session_release_requests (session);
  if (!sotto_store_find_blob_finish (SOTTO_STORE (object), result, &record, &error))
    {
      if (error == NULL)
        no_such_blob (self, session, download->msg);
      else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _sotto_server_reply_store_error (self, session, download->msg, error);
      download_free (download);
      return;
    }

  room = _sotto_server_lookup_room (self, record.room);
  if (!record.complete || room == NULL || !_sotto_room_has_member (room, user))
    {
      if (record.complete)
        g_info ("A download by %s of a blob of a room they are not in refused", user->name);
      no_such_blob (self, session, download->msg);
      download_free (download);
      return;
    }

  if (download->offset >= record.size)
    {
      _sotto_server_reply_error (self, session, download->msg, SOTTO_MSG_ERROR_CODE_BAD_OFFSET,
                                 _("The file ends before that offset"));
      download_free (download);
      return;
    }

  if (_sotto_server_blobs_count (self->blobs->reading, session, 0) >=
      SOTTO_SERVER_MAX_READING_DOWNLOADS)
    {
      _sotto_server_reply_error (self, session, download->msg, SOTTO_MSG_ERROR_CODE_RATE_LIMITED,
                                 _("Wait for the pieces already asked for"));
      download_free (download);
      return;
    }

  download->size = record.size;
  _sotto_server_blobs_count (self->blobs->reading, session, 1);
  _sotto_blob_files_read_async (self->blobs->files, download->id, download->offset,
                                MIN ((gsize) MIN (length, record.size - download->offset),
                                     max_piece (self)),
                                read_done_cb, download);
}

/**
 * _sotto_server_handle_download:
 *
 * Reads a piece of a complete blob for a member of its room. The client's
 * next requests wait for the store to find the blob, not for the piece.
 */
void
_sotto_server_handle_download (SottoServerState *self,
                               SottoSession     *session,
                               SottoMsg         *msg)
{
  Download *download;

  download = g_new0 (Download, 1);
  download->server = self;
  download->session = g_object_ref (session);
  download->msg = sotto_msg_ref (msg);
  sotto_msg_get_blob_id (msg, download->id);
  download->offset = sotto_msg_get_int (msg, "offset");
  sotto_session_hold_requests (session);
  sotto_store_find_blob_async (self->store, download->id, sotto_session_get_cancellable (session),
                               blob_found_cb, download);
}
