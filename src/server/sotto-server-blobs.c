/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sotto-server-blobs-private.h"

/*
 * Files, seen from the server: blobs it keeps exactly as their uploaders
 * sent them and never opens, which members of a blob's room read back.
 * The store records each blob (id, uploader, room, size, whether it is
 * complete, when its upload began); the bytes are files of the data
 * directory (sotto-server-blob-files.c), and how much of an unfinished
 * upload the server holds is the length of its file.
 *
 * This file holds the object: the unfinished uploads being worked on, the
 * per-connection counts that bound what waits in memory, the sweep that
 * deletes uploads left unfinished past the upload expiry (at start, and
 * then periodically), the retention of blobs, and what is set right at
 * start of what a crash left behind.
 */

/* A sweep every half of the upload expiry, at most hourly. */
#define MAX_SWEEP_SECONDS 3600

static void
upload_free (gpointer data)
{
  SottoUpload *upload = data;

  g_queue_clear_full (&upload->pieces, (GDestroyNotify) _sotto_upload_piece_free);
  g_free (upload->key);
  g_free (upload->user);
  g_free (upload->room);
  g_free (upload);
}

void
_sotto_upload_piece_free (SottoUploadPiece *piece)
{
  g_clear_object (&piece->session);
  g_free (piece->request_id);
  g_clear_pointer (&piece->data, g_bytes_unref);
  g_free (piece);
}

gboolean
_sotto_upload_is_busy (SottoUpload *upload)
{
  return upload->writing || !g_queue_is_empty (&upload->pieces);
}

/* A blob id as the protocol spells it, which is the key of the tables. */
char *
_sotto_blob_key (const guint8 *id)
{
  return g_base64_encode (id, SOTTO_PROTOCOL_BLOB_ID_BYTES);
}

/**
 * _sotto_server_blobs_count:
 * @counts: the waiting bytes or the reading downloads, per connection
 * @change: added to the count of @session
 *
 * Returns: the count of @session after the change
 */
gint64
_sotto_server_blobs_count (GHashTable   *counts,
                           SottoSession *session,
                           gint64        change)
{
  guint64 id = sotto_session_get_id (session);
  gint64 *count = g_hash_table_lookup (counts, &id);

  if (count == NULL)
    {
      guint64 *key = g_new (guint64, 1);

      *key = id;
      count = g_new0 (gint64, 1);
      g_hash_table_insert (counts, key, count);
    }

  *count += change;
  g_assert (*count >= 0);
  if (*count == 0)
    {
      g_hash_table_remove (counts, &id);
      return 0;
    }
  return *count;
}

/**
 * _sotto_server_blobs_load_upload:
 * @record: an unfinished upload, as the store has it
 * @out_complete: (out): set when the blob turns out to be complete: its
 *   file was moved among the complete ones, and only the record of it was
 *   lost (a crash, a failed commit); it is recorded complete now
 *
 * Returns: (transfer none) (nullable): what the server holds of the
 *   upload, read from its file the first time; %NULL when it is complete,
 *   or on failure
 */
SottoUpload *
_sotto_server_blobs_load_upload (SottoServerBlobs      *self,
                                 const SottoStoreBlob  *record,
                                 gboolean              *out_complete,
                                 GError               **error)
{
  g_autofree char *key = _sotto_blob_key (record->id);
  SottoUpload *upload = g_hash_table_lookup (self->uploads, key);
  gint64 held;

  *out_complete = FALSE;
  if (upload != NULL)
    return upload;

  held = _sotto_blob_files_length (self->files, record->id, FALSE);
  if (held < 0 && _sotto_blob_files_length (self->files, record->id, TRUE) == record->size)
    {
      if (!sotto_store_set_blob_complete (self->server->store, record->id, error))
        return NULL;
      sotto_store_commit_soon (self->server->store, NULL, NULL, NULL);
      *out_complete = TRUE;
      return NULL;
    }

  upload = g_new0 (SottoUpload, 1);
  upload->key = g_steal_pointer (&key);
  memcpy (upload->id, record->id, sizeof upload->id);
  upload->account_id = record->account_id;
  upload->user = g_strdup (record->uploader);
  upload->room = g_strdup (record->room);
  upload->size = record->size;
  /* A file that somehow went past the size is cut when it completes. */
  upload->held = CLAMP (held, 0, record->size);
  upload->accepted = upload->held;
  g_queue_init (&upload->pieces);
  g_hash_table_insert (self->uploads, upload->key, upload);

  return upload;
}

/* Forgets an upload that is complete or deleted, and answers nobody
 * waiting on it. */
void
_sotto_server_blobs_forget_upload (SottoServerBlobs *self,
                                   SottoUpload      *upload)
{
  g_hash_table_remove (self->uploads, upload->key);
}

typedef struct
{
  SottoServerState *server;
  char             *key;
} Deletion;

static void
deletion_done_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Deletion *deletion = user_data;
  SottoServerBlobs *self = deletion->server->blobs;
  g_autoptr(GError) error = NULL;

  if (self != NULL)
    {
      if (!_sotto_blob_files_delete_finish (self->files, result, &error))
        g_warning ("Could not delete a blob’s file: %s", error->message);
      g_hash_table_remove (self->deleting, deletion->key);
    }

  g_free (deletion->key);
  g_free (deletion);
}

/**
 * _sotto_server_blobs_delete_older:
 * @before: a time, in ms since the epoch
 * @unfinished_only: delete only uploads that are not finished
 *
 * Deletes the blobs whose upload began before @before: their records at
 * once, their files in the background. An upload being written is left
 * for the next time.
 *
 * Returns: how many were deleted, or -1
 */
gint64
_sotto_server_blobs_delete_older (SottoServerBlobs  *self,
                                  gint64             before,
                                  gboolean           unfinished_only,
                                  GError           **error)
{
  g_autoptr(GPtrArray) ids = NULL;
  gint64 deleted = 0;

  ids = sotto_store_old_blobs (self->server->store, before, unfinished_only, error);
  if (ids == NULL)
    return -1;

  for (guint i = 0; i < ids->len; i++)
    {
      const guint8 *id = g_bytes_get_data (g_ptr_array_index (ids, i), NULL);
      g_autofree char *key = _sotto_blob_key (id);
      SottoUpload *upload = g_hash_table_lookup (self->uploads, key);
      Deletion *deletion;

      if ((upload != NULL && _sotto_upload_is_busy (upload)) ||
          g_hash_table_contains (self->deleting, key))
        continue;

      if (!sotto_store_delete_blob (self->server->store, id, error))
        return -1;
      if (upload != NULL)
        _sotto_server_blobs_forget_upload (self, upload);

      /* Until its files are gone, the id is taken by none and refused to
       * all: a new upload under it must not lose its file to them. */
      g_hash_table_add (self->deleting, g_strdup (key));
      deletion = g_new0 (Deletion, 1);
      deletion->server = self->server;
      deletion->key = g_steal_pointer (&key);
      _sotto_blob_files_delete_async (self->files, id, deletion_done_cb, deletion);
      deleted++;
    }

  if (deleted > 0)
    sotto_store_commit_soon (self->server->store, NULL, NULL, NULL);

  return deleted;
}

static gboolean
sweep_cb (gpointer user_data)
{
  SottoServerBlobs *self = user_data;
  g_autoptr(GError) error = NULL;
  gint64 before = _sotto_server_now_ms () - self->server->config->upload_expiry * 1000;
  gint64 deleted = _sotto_server_blobs_delete_older (self, before, TRUE, &error);

  if (deleted < 0)
    g_warning ("Could not delete the expired uploads: %s", error->message);
  else if (deleted > 0)
    g_message ("Deleted %" G_GINT64_FORMAT " unfinished uploads older than the upload expiry",
               deleted);

  return G_SOURCE_CONTINUE;
}

/* Sets right what a crash between the steps of a completion left, and
 * deletes files that no record names (their record was deleted, and the
 * server stopped before the files were). Runs at start, before anything
 * is served. */
static gboolean
recover (SottoServerBlobs  *self,
         GError           **error)
{
  for (guint complete = 0; complete <= 1; complete++)
    {
      g_autoptr(GPtrArray) ids = _sotto_blob_files_list (self->files, complete);

      for (guint i = 0; i < ids->len; i++)
        {
          const guint8 *id = g_bytes_get_data (g_ptr_array_index (ids, i), NULL);
          g_auto(SottoStoreBlob) record = { 0 };
          gboolean found = sotto_store_find_blob (self->server->store, id, &record, error);

          if (!found && error != NULL && *error != NULL)
            return FALSE;

          if (!found || (!complete && record.complete))
            _sotto_blob_files_remove_now (self->files, id, complete);
          else if (complete && !record.complete)
            {
              gboolean now_complete = FALSE;

              /* Moved once synced, so whole if it has the size. */
              if (_sotto_server_blobs_load_upload (self, &record, &now_complete, error) == NULL &&
                  !now_complete)
                return FALSE;
            }
        }
    }

  return TRUE;
}

/**
 * _sotto_server_blobs_new:
 * @server: the state, with its config and store
 *
 * Makes the folders for files, sets right what the last run left, deletes
 * the uploads left unfinished past the expiry, and starts the sweep that
 * does so from then on.
 */
SottoServerBlobs *
_sotto_server_blobs_new (SottoServerState  *server,
                         GError           **error)
{
  SottoServerBlobs *self = g_new0 (SottoServerBlobs, 1);
  guint interval = CLAMP (server->config->upload_expiry / 2, 1, MAX_SWEEP_SECONDS);

  self->server = server;
  self->uploads = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, upload_free);
  self->deleting = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->waiting = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  self->reading = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  self->files = _sotto_blob_files_new (server->config->data_dir, server->owner, error);
  if (self->files == NULL || !recover (self, error))
    {
      _sotto_server_blobs_free (self);
      return NULL;
    }

  sweep_cb (self);
  self->sweep_id = g_timeout_add_seconds (interval, sweep_cb, self);

  return self;
}

/* Every job holds the server, so none is left; pieces still waiting are
 * dropped unanswered, as their connections are gone. */
void
_sotto_server_blobs_free (SottoServerBlobs *self)
{
  if (self == NULL)
    return;

  g_clear_handle_id (&self->sweep_id, g_source_remove);
  g_clear_pointer (&self->files, _sotto_blob_files_free);
  g_clear_pointer (&self->uploads, g_hash_table_unref);
  g_clear_pointer (&self->deleting, g_hash_table_unref);
  g_clear_pointer (&self->waiting, g_hash_table_unref);
  g_clear_pointer (&self->reading, g_hash_table_unref);
  g_free (self);
}
