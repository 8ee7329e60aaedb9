/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <sodium.h>
#include <string.h>
#include <unistd.h>

#include "sotto-client-error.h"
#include "sotto-file-blob.h"
#include "sotto-file-crypt.h"
#include "sotto-image.h"

/*
 * A file and its blob on this computer, in a worker thread: sealing a file
 * the user sends into the blob that goes to the server (with what its
 * message will say: a fresh key, the blob's hash, the name, the type and,
 * for a picture, its size and a thumbnail), and opening a fetched blob
 * into the file the user saves, which appears only once every chunk
 * opened and the blob's hash matched: never a file with a part of
 * someone else's in it.
 */

/* Pictures are looked at for a thumbnail up to this size. */
#define PICTURE_MAX_BYTES (64 * 1024 * 1024)

typedef struct
{
  GFile            *source;
  GFile            *blob;
  GFile            *destination;
  guint64           max_size;
  SottoFileMessage *file;
  /* Sealing: the blob id the caller chose, and where to say how far it
   * got; opening: how far the download got (the caller keeps it until
   * the task ends) */
  gboolean          has_id;
  guint8            id[SOTTO_FILE_ID_BYTES];
  SottoBlobProgress *progress;
} Job;

void
sotto_blob_progress_init (SottoBlobProgress *progress)
{
  memset (progress, 0, sizeof *progress);
  g_mutex_init (&progress->lock);
  g_cond_init (&progress->cond);
}

void
sotto_blob_progress_clear (SottoBlobProgress *progress)
{
  g_mutex_clear (&progress->lock);
  g_cond_clear (&progress->cond);
}

/**
 * sotto_blob_progress_get:
 *
 * Returns: how many bytes of the blob are in its file so far
 */
guint64
sotto_blob_progress_get (SottoBlobProgress *progress)
{
  guint64 written;

  g_mutex_lock (&progress->lock);
  written = progress->written;
  g_mutex_unlock (&progress->lock);
  return written;
}

/**
 * sotto_blob_progress_set:
 * @written: how many bytes of the blob are in its file now
 * @complete: whether that is all of it
 *
 * Says how far the blob's file got, and wakes whoever waits for it.
 */
void
sotto_blob_progress_set (SottoBlobProgress *progress,
                         guint64            written,
                         gboolean           complete)
{
  g_mutex_lock (&progress->lock);
  progress->written = written;
  progress->complete = complete;
  g_cond_broadcast (&progress->cond);
  g_mutex_unlock (&progress->lock);
}

/**
 * sotto_blob_progress_stop:
 *
 * Nothing more comes, and the blob is not whole: whoever waits gives up.
 */
void
sotto_blob_progress_stop (SottoBlobProgress *progress)
{
  g_mutex_lock (&progress->lock);
  progress->stopped = TRUE;
  g_cond_broadcast (&progress->cond);
  g_mutex_unlock (&progress->lock);
}

/* Waits until the blob's file holds @needed bytes or is whole; %FALSE with
 * @error when its writer stopped or the caller cancelled. */
static gboolean
wait_for (SottoBlobProgress  *progress,
          guint64             needed,
          GCancellable       *cancellable,
          GError            **error)
{
  gboolean stopped;

  g_mutex_lock (&progress->lock);
  /* Woken at each change; a cancellation is looked for every 100 ms. */
  while (progress->written < needed && !progress->complete && !progress->stopped &&
         !g_cancellable_is_cancelled (cancellable))
    g_cond_wait_until (&progress->cond, &progress->lock,
                       g_get_monotonic_time () + 100 * G_TIME_SPAN_MILLISECOND);
  stopped = progress->stopped;
  g_mutex_unlock (&progress->lock);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  if (stopped)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                           _("The file stopped coming"));
      return FALSE;
    }
  return TRUE;
}

static void
tell_progress (Job     *job,
               guint64  written)
{
  if (job->progress != NULL)
    sotto_blob_progress_set (job->progress, written, FALSE);
}

static void
job_free (Job *job)
{
  g_clear_object (&job->source);
  g_clear_object (&job->blob);
  g_clear_object (&job->destination);
  g_clear_pointer (&job->file, sotto_file_message_free);
  g_free (job);
}

/* A thumbnail of the picture in @data, with its size, when it is one. */
static void
describe_picture (GBytes           *data,
                  SottoFileMessage *file)
{
  g_autoptr(GdkPixbuf) picture = NULL;
  g_autoptr(GError) error = NULL;
  SottoImageFormat format;
  guint width = 0, height = 0;

  format = sotto_image_probe (g_bytes_get_data (data, NULL), g_bytes_get_size (data), &width,
                              &height);
  if (format == SOTTO_IMAGE_FORMAT_NONE || width > SOTTO_FILE_IMAGE_MAX_SIDE ||
      height > SOTTO_FILE_IMAGE_MAX_SIDE)
    return;
  picture = sotto_image_decode (data, SOTTO_IMAGE_MAX_PIXELS, &error);
  if (picture == NULL)
    return;

  file->thumbnail = sotto_image_make_thumbnail (picture, SOTTO_FILE_BLOB_THUMBNAIL_SIDE,
                                                SOTTO_FILE_THUMBNAIL_MAX_BYTES, NULL);
  file->width = width;
  file->height = height;
  g_free (file->type);
  file->type = g_strdup (sotto_image_format_get_type (format));
}

static char *
media_type_of (GFileInfo  *info,
               const char *name)
{
  const char *content_type = g_file_info_get_content_type (info);
  g_autofree char *guessed = NULL;
  g_autofree char *mime = NULL;
  g_autofree char *lower = NULL;
  gboolean slash = FALSE;

  if (content_type == NULL)
    content_type = guessed = g_content_type_guess (name, NULL, 0, NULL);
  mime = content_type != NULL ? g_content_type_get_mime_type (content_type) : NULL;
  lower = mime != NULL ? g_ascii_strdown (mime, -1) : NULL;

  /* As a message carries it: "type/subtype", lower case, no parameters. */
  for (const char *p = lower; p != NULL && *p != '\0'; p++)
    {
      if (*p == '/' && !slash && p != lower && p[1] != '\0')
        slash = TRUE;
      else if (!(g_ascii_islower (*p) || g_ascii_isdigit (*p) || strchr ("!#$&-^_.+", *p)))
        return g_strdup ("application/octet-stream");
    }
  if (!slash || strlen (lower) > SOTTO_FILE_TYPE_MAX_BYTES)
    return g_strdup ("application/octet-stream");
  return g_steal_pointer (&lower);
}

/* A name the message carries: control characters dropped, at most 255
 * bytes, cut on a character. */
static char *
name_of (GFileInfo *info)
{
  const char *display = g_file_info_get_display_name (info);
  g_autoptr(GString) name = g_string_new (NULL);

  for (const char *p = display; p != NULL && *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iscntrl (c))
        continue;
      if (name->len + 6 > SOTTO_FILE_NAME_MAX_BYTES)
        break;
      g_string_append_unichar (name, c);
    }
  if (name->len == 0)
    g_string_assign (name, "file");
  return g_string_free (g_steal_pointer (&name), FALSE);
}

static gboolean
read_fully (GInputStream  *in,
            guint8        *buffer,
            gsize          length,
            GCancellable  *cancellable,
            GError       **error)
{
  gsize got = 0;

  if (!g_input_stream_read_all (in, buffer, length, &got, cancellable, error))
    return FALSE;
  if (got != length)
    {
      g_set_error_literal (error, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_FAILED,
                           _("The file changed while it was being read"));
      return FALSE;
    }
  return TRUE;
}

/* Why the file to send cannot be read, said of the file by its name. */
static GError *
unreadable (GFile  *source,
            GError *error)
{
  g_autofree char *name = g_file_get_basename (source);
  GError *said;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return error;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    said = g_error_new (SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_FAILED,
                        _("“%s” is not there any more"), name);
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED))
    said = g_error_new (SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_FAILED,
                        _("You may not read “%s”"), name);
  else
    said = g_error_new (SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_FAILED,
                        _("“%s” could not be read: %s"), name, error->message);
  g_error_free (error);
  return said;
}

static void
seal_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Job *job = task_data;
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GFileInputStream) in = NULL;
  g_autoptr(GFileOutputStream) out = NULL;
  g_autoptr(SottoFileSealer) sealer = NULL;
  g_autoptr(SottoFileMessage) file = g_new0 (SottoFileMessage, 1);
  g_autofree guint8 *plain = g_malloc (SOTTO_FILE_CHUNK_BYTES);
  g_autofree guint8 *sealed = g_malloc (SOTTO_FILE_CHUNK_BYTES + SOTTO_FILE_CHUNK_OVERHEAD);
  g_autoptr(GByteArray) picture = NULL;
  guint8 header[SOTTO_FILE_HEADER_BYTES];
  GError *error = NULL;
  guint64 size;
  guint64 count;
  guint64 written = 0;

  info = g_file_query_info (job->source,
                            G_FILE_ATTRIBUTE_STANDARD_SIZE ","
                            G_FILE_ATTRIBUTE_STANDARD_TYPE ","
                            G_FILE_ATTRIBUTE_STANDARD_DISPLAY_NAME ","
                            G_FILE_ATTRIBUTE_STANDARD_CONTENT_TYPE,
                            G_FILE_QUERY_INFO_NONE, cancellable, &error);
  if (info == NULL)
    {
      g_task_return_error (task, unreadable (job->source, error));
      return;
    }
  if (g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR)
    {
      g_task_return_new_error (task, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_FAILED,
                               _("Only a file can be sent, not a folder or anything else"));
      return;
    }
  size = (guint64) g_file_info_get_size (info);
  if (size > job->max_size || size > SOTTO_FILE_MAX_BYTES)
    {
      /* In MiB, as servers give their limit */
      g_autofree char *limit = g_format_size_full (MIN (job->max_size, SOTTO_FILE_MAX_BYTES),
                                                   G_FORMAT_SIZE_IEC_UNITS);

      g_task_return_new_error (task, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_FAILED,
                               _("The file is too large to send (at most %s)"), limit);
      return;
    }

  in = g_file_read (job->source, cancellable, &error);
  if (in == NULL)
    {
      g_task_return_error (task, unreadable (job->source, error));
      return;
    }
  /* Written in place, not to a copy renamed at the end: it may be read
   * while it is written. */
  g_file_delete (job->blob, NULL, NULL);
  out = g_file_create (job->blob, G_FILE_CREATE_PRIVATE, cancellable, &error);
  if (out == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  file->name = name_of (info);
  file->type = media_type_of (info, file->name);
  file->size = size;
  if (job->has_id)
    memcpy (file->id, job->id, sizeof file->id);
  else
    randombytes_buf (file->id, sizeof file->id);
  if (size <= PICTURE_MAX_BYTES && g_str_has_prefix (file->type, "image/"))
    picture = g_byte_array_sized_new ((guint) size);

  sealer = sotto_file_sealer_new (size);
  sotto_file_sealer_header (sealer, header);
  if (!g_output_stream_write_all (G_OUTPUT_STREAM (out), header, sizeof header, NULL,
                                  cancellable, &error))
    goto fail;
  written = sizeof header;
  tell_progress (job, written);

  count = sotto_file_chunk_count (size);
  for (guint64 i = 0; i < count; i++)
    {
      gsize length = sotto_file_chunk_size (size, i);

      if (!read_fully (G_INPUT_STREAM (in), plain, length, cancellable, &error) ||
          !sotto_file_sealer_push (sealer, plain, length, sealed, &error) ||
          !g_output_stream_write_all (G_OUTPUT_STREAM (out), sealed,
                                      length + SOTTO_FILE_CHUNK_OVERHEAD, NULL, cancellable,
                                      &error))
        goto fail;
      written += length + SOTTO_FILE_CHUNK_OVERHEAD;
      tell_progress (job, written);
      if (picture != NULL)
        g_byte_array_append (picture, plain, (guint) length);
    }
  /* Nothing more than it said: a file that grew is not sent half. */
  if (g_input_stream_read (G_INPUT_STREAM (in), plain, 1, cancellable, &error) != 0)
    {
      if (error == NULL)
        g_set_error_literal (&error, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_FAILED,
                             _("The file changed while it was being read"));
      goto fail;
    }
  if (!sotto_file_sealer_finish (sealer, file->hash, &error) ||
      !g_output_stream_close (G_OUTPUT_STREAM (out), cancellable, &error))
    goto fail;
  memcpy (file->key, sotto_file_sealer_get_key (sealer), SOTTO_FILE_KEY_BYTES);
  sodium_memzero (plain, SOTTO_FILE_CHUNK_BYTES);
  if (job->progress != NULL)
    sotto_blob_progress_set (job->progress, written, TRUE);

  if (picture != NULL)
    {
      g_autoptr(GBytes) bytes = g_byte_array_free_to_bytes (g_steal_pointer (&picture));

      describe_picture (bytes, file);
    }

  g_task_return_pointer (task, g_steal_pointer (&file), (GDestroyNotify) sotto_file_message_free);
  return;

fail:
  sodium_memzero (plain, SOTTO_FILE_CHUNK_BYTES);
  g_output_stream_close (G_OUTPUT_STREAM (out), NULL, NULL);
  g_file_delete (job->blob, NULL, NULL);
  g_task_return_error (task, error);
}

/**
 * sotto_file_blob_seal_async:
 * @source: the file the user sends
 * @blob: where to write its blob (a private place: the client's cache)
 * @max_size: the largest file the server takes, in bytes
 *
 * Seals @source into @blob under a fresh key, in a worker thread.
 */
void
sotto_file_blob_seal_async (GFile               *source,
                            GFile               *blob,
                            guint64              max_size,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  sotto_file_blob_seal_full_async (source, blob, max_size, NULL, NULL, cancellable, callback,
                                   user_data);
}

/**
 * sotto_file_blob_seal_full_async:
 * @id: (nullable): the blob's id, or %NULL for one drawn at random
 * @progress: (nullable): where the sealing says how much of the blob is
 *   in @blob so far, so that it can be read (and sent) while it is made;
 *   kept by the caller until the sealing ends
 *
 * sotto_file_blob_seal_async(), with the id chosen and the blob's file
 * readable as it grows.
 */
void
sotto_file_blob_seal_full_async (GFile               *source,
                                 GFile               *blob,
                                 guint64              max_size,
                                 const guint8        *id,
                                 SottoBlobProgress   *progress,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Job *job;

  g_return_if_fail (G_IS_FILE (source) && G_IS_FILE (blob));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, sotto_file_blob_seal_async);
  job = g_new0 (Job, 1);
  job->source = g_object_ref (source);
  job->blob = g_object_ref (blob);
  job->max_size = max_size;
  job->has_id = id != NULL;
  if (id != NULL)
    memcpy (job->id, id, SOTTO_FILE_ID_BYTES);
  job->progress = progress;
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_task_run_in_thread (task, seal_thread);
}

/**
 * sotto_file_blob_seal_finish:
 *
 * Returns: (transfer full): what the message will say of the file, its id
 *   chosen at random, or %NULL with @error set
 */
SottoFileMessage *
sotto_file_blob_seal_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Reads @length bytes of the blob at @offset, once the download (if the
 * blob is still coming) has them. */
static gboolean
read_following (Job           *job,
                GInputStream  *in,
                guint8        *buffer,
                guint64        offset,
                gsize          length,
                GCancellable  *cancellable,
                GError       **error)
{
  if (job->progress != NULL && !wait_for (job->progress, offset + length, cancellable, error))
    return FALSE;
  return read_fully (in, buffer, length, cancellable, error);
}

static void
open_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Job *job = task_data;
  g_autoptr(GFileInputStream) in = NULL;
  g_autoptr(GFileOutputStream) out = NULL;
  g_autoptr(SottoFileOpener) opener = NULL;
  g_autoptr(GFile) partial = NULL;
  g_autofree char *partial_path = NULL;
  g_autofree guint8 *plain = g_malloc (SOTTO_FILE_CHUNK_BYTES + 1);
  g_autofree guint8 *sealed = g_malloc (SOTTO_FILE_CHUNK_BYTES + SOTTO_FILE_CHUNK_OVERHEAD);
  guint8 header[SOTTO_FILE_HEADER_BYTES];
  GError *error = NULL;
  guint64 count;
  guint64 offset;
  int fd;

  opener = sotto_file_opener_new (job->file->key, job->file->size, job->file->hash);
  in = g_file_read (job->blob, cancellable, &error);
  if (opener == NULL || in == NULL)
    {
      if (error == NULL)
        g_set_error_literal (&error, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_FAILED,
                             _("The file is larger than Sotto opens"));
      g_task_return_error (task, error);
      return;
    }

  /* Beside the destination, under a name of its own (never a file that
   * was there), and moved over it only once all is checked. */
  partial_path = g_strconcat (g_file_peek_path (job->destination), ".XXXXXX.sotto-partial",
                              NULL);
  fd = g_mkstemp_full (partial_path, O_WRONLY | O_CLOEXEC, 0666);
  if (fd < 0)
    {
      int saved_errno = errno;
      g_autofree char *folder = g_path_get_dirname (g_file_peek_path (job->destination));

      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                               _("Could not write in %s: %s"), folder,
                               g_strerror (saved_errno));
      return;
    }
  close (fd);
  partial = g_file_new_for_path (partial_path);
  out = g_file_replace (partial, NULL, FALSE, G_FILE_CREATE_NONE, cancellable, &error);
  if (out == NULL)
    {
      g_file_delete (partial, NULL, NULL);
      g_task_return_error (task, error);
      return;
    }

  /* Each chunk is read once the download has it all; a chunk that does
   * not open stops the download early. */
  if (!read_following (job, G_INPUT_STREAM (in), header, 0, sizeof header, cancellable,
                       &error) ||
      !sotto_file_opener_header (opener, header, &error))
    goto fail;
  offset = sizeof header;
  count = sotto_file_chunk_count (job->file->size);
  for (guint64 i = 0; i < count; i++)
    {
      gsize length = sotto_file_chunk_size (job->file->size, i);

      if (!read_following (job, G_INPUT_STREAM (in), sealed, offset,
                           length + SOTTO_FILE_CHUNK_OVERHEAD, cancellable, &error) ||
          !sotto_file_opener_pull (opener, sealed, length + SOTTO_FILE_CHUNK_OVERHEAD, plain,
                                   &error) ||
          !g_output_stream_write_all (G_OUTPUT_STREAM (out), plain, length, NULL, cancellable,
                                      &error))
        goto fail;
      offset += length + SOTTO_FILE_CHUNK_OVERHEAD;
    }
  /* Nothing after the last chunk: once the download is whole, the file
   * ends there. */
  if ((job->progress != NULL && !wait_for (job->progress, G_MAXUINT64, cancellable, &error)) ||
      g_input_stream_read (G_INPUT_STREAM (in), sealed, 1, cancellable, &error) != 0 ||
      !sotto_file_opener_finish (opener, &error) ||
      !g_output_stream_close (G_OUTPUT_STREAM (out), cancellable, &error) ||
      !g_file_move (partial, job->destination, G_FILE_COPY_OVERWRITE, cancellable, NULL, NULL,
                    &error))
    {
      if (error == NULL)
        g_set_error_literal (&error, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_FAILED,
                             _("The file was changed, cut or swapped on its way"));
      goto fail;
    }

  g_task_return_boolean (task, TRUE);
  return;

fail:
  g_output_stream_close (G_OUTPUT_STREAM (out), NULL, NULL);
  g_file_delete (partial, NULL, NULL);
  g_task_return_error (task, error);
}

static gpointer
open_thread_run (gpointer data)
{
  g_autoptr(GTask) task = data;

  open_thread (task, NULL, g_task_get_task_data (task), g_task_get_cancellable (task));
  return NULL;
}

/**
 * sotto_file_blob_open_async:
 * @blob: the blob as fetched
 * @file: what the message said of it
 * @destination: where the user saves the file (a local path)
 *
 * Opens @blob into @destination, in a worker thread. @destination is
 * written only when every chunk opened and the blob is the one the
 * message names; until then, and on failure, it stays as it was.
 */
void
sotto_file_blob_open_async (GFile                  *blob,
                            const SottoFileMessage *file,
                            GFile                  *destination,
                            GCancellable           *cancellable,
                            GAsyncReadyCallback     callback,
                            gpointer                user_data)
{
  sotto_file_blob_open_full_async (blob, file, destination, NULL, cancellable, callback,
                                   user_data);
}

/**
 * sotto_file_blob_open_full_async:
 * @fetched: (nullable): how far the download of @blob got, when it is
 *   still coming: each chunk is opened once it is there, and the opening
 *   waits for the rest; kept by the caller until the opening ends
 *
 * sotto_file_blob_open_async(), while @blob is downloaded. Stopping
 * @fetched (or cancelling) ends the opening with %G_IO_ERROR_CANCELLED.
 */
void
sotto_file_blob_open_full_async (GFile                  *blob,
                                 const SottoFileMessage *file,
                                 GFile                  *destination,
                                 SottoBlobProgress      *fetched,
                                 GCancellable           *cancellable,
                                 GAsyncReadyCallback     callback,
                                 gpointer                user_data)
{
  g_autoptr(GTask) task = NULL;
  Job *job;

  g_return_if_fail (G_IS_FILE (blob) && file != NULL && G_IS_FILE (destination));
  g_return_if_fail (g_file_peek_path (destination) != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, sotto_file_blob_open_async);
  job = g_new0 (Job, 1);
  job->blob = g_object_ref (blob);
  job->destination = g_object_ref (destination);
  job->file = sotto_file_message_copy (file);
  job->progress = fetched;
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  /* One that waits for a download waits in a thread of its own, not in
   * one of the few that GIO's tasks share. */
  if (fetched != NULL)
    g_thread_unref (g_thread_new ("sotto-open", open_thread_run, g_steal_pointer (&task)));
  else
    g_task_run_in_thread (task, open_thread);
}

gboolean
sotto_file_blob_open_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
