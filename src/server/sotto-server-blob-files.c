/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sotto-protocol-types.h"
#include "sotto-server-blob-files.h"

/*
 * The bytes of blobs, kept as the clients sent them: an unfinished upload
 * is "blobs/partial/ID", its length how much of it the server holds; a
 * complete blob is "blobs/ID", moved there once synced to disk. ID is the
 * blob id in lowercase hex, so that a name is never a path a client
 * chose.
 *
 * Every write starts by cutting the file at the offset it writes at: what
 * a write cut short left past it goes, and the file stays a prefix of the
 * blob. A file is never extended with anything but what a client sent.
 *
 * The threads touch only their job; the GTask that carries a job holds the
 * owner (the server), and is dropped on the main thread.
 */

#define MAX_FILE_THREADS 4

struct _SottoBlobFiles
{
  GObject     *owner;
  char        *complete_dir;
  char        *partial_dir;
  GThreadPool *pool;
};

typedef enum
{
  JOB_WRITE,
  JOB_READ,
  JOB_DELETE,
} JobKind;

typedef struct
{
  JobKind  kind;
  char    *partial_path;
  char    *complete_path;
  /* The directories, synced once a complete blob is moved. */
  char    *partial_dir;
  char    *complete_dir;
  gint64   offset;
  GBytes  *data;
  gsize    length;
  gboolean finish;
} FileJob;

static void
file_job_free (gpointer data)
{
  FileJob *job = data;

  g_free (job->partial_path);
  g_free (job->complete_path);
  g_free (job->partial_dir);
  g_free (job->complete_dir);
  g_clear_pointer (&job->data, g_bytes_unref);
  g_free (job);
}

static gboolean
drop_task_cb (gpointer data)
{
  g_object_unref (data);
  return G_SOURCE_REMOVE;
}

static void file_job_thread (GTask        *task,
                             gpointer      source_object,
                             gpointer      task_data,
                             GCancellable *cancellable);

static void
file_worker (gpointer data,
             gpointer user_data)
{
  GTask *task = data;

  file_job_thread (task, g_task_get_source_object (task), g_task_get_task_data (task), NULL);

  /* This may be the last reference: drop it in the task's own context, so
   * that its data and what it holds are never freed in this thread. */
  g_main_context_invoke (g_task_get_context (task), drop_task_cb, task);
}

static char *
blob_name (const guint8 *id)
{
  GString *name = g_string_sized_new (2 * SOTTO_PROTOCOL_BLOB_ID_BYTES);

  for (guint i = 0; i < SOTTO_PROTOCOL_BLOB_ID_BYTES; i++)
    g_string_append_printf (name, "%02x", id[i]);

  return g_string_free (name, FALSE);
}

static char *
blob_path (SottoBlobFiles *self,
           const guint8   *id,
           gboolean        complete)
{
  g_autofree char *name = blob_name (id);

  return g_build_filename (complete ? self->complete_dir : self->partial_dir, name, NULL);
}

static gboolean
set_errno_error (GError     **error,
                 int          saved_errno,
                 const char  *what)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), "%s: %s", what,
               g_strerror (saved_errno));
  return FALSE;
}

/**
 * _sotto_blob_files_new:
 * @data_dir: the server's data directory, which exists
 * @owner: what every job's task holds until it is done: the server
 *
 * Makes "blobs/" and "blobs/partial/" in @data_dir (mode 0700) if they are
 * not there.
 */
SottoBlobFiles *
_sotto_blob_files_new (const char  *data_dir,
                       GObject     *owner,
                       GError     **error)
{
  g_autofree char *complete_dir = g_build_filename (data_dir, "blobs", NULL);
  g_autofree char *partial_dir = g_build_filename (complete_dir, "partial", NULL);
  SottoBlobFiles *self;

  if (g_mkdir_with_parents (partial_dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Could not create the folder for files %s: %s"), partial_dir,
                   g_strerror (saved_errno));
      return NULL;
    }

  self = g_new0 (SottoBlobFiles, 1);
  self->owner = owner;
  self->complete_dir = g_steal_pointer (&complete_dir);
  self->partial_dir = g_steal_pointer (&partial_dir);
  self->pool = g_thread_pool_new (file_worker, NULL, MAX_FILE_THREADS, FALSE, NULL);

  return self;
}

/* Waits for the jobs left; each holds the owner, so when it goes there
 * are none. */
void
_sotto_blob_files_free (SottoBlobFiles *self)
{
  if (self == NULL)
    return;

  g_thread_pool_free (self->pool, FALSE, TRUE);
  g_free (self->complete_dir);
  g_free (self->partial_dir);
  g_free (self);
}

/**
 * _sotto_blob_files_length:
 * @complete: the complete blob's file, or the unfinished upload's
 *
 * A stat, on the calling thread.
 *
 * Returns: the file's length, or -1 when there is none
 */
gint64
_sotto_blob_files_length (SottoBlobFiles *self,
                          const guint8   *id,
                          gboolean        complete)
{
  g_autofree char *path = blob_path (self, id, complete);
  GStatBuf st;

  if (g_stat (path, &st) != 0 || !S_ISREG (st.st_mode))
    return -1;

  return st.st_size;
}

static gboolean
parse_name (const char *name,
            guint8     *id)
{
  if (strlen (name) != 2 * SOTTO_PROTOCOL_BLOB_ID_BYTES)
    return FALSE;

  for (guint i = 0; i < SOTTO_PROTOCOL_BLOB_ID_BYTES; i++)
    {
      int high = g_ascii_xdigit_value (name[2 * i]);
      int low = g_ascii_xdigit_value (name[2 * i + 1]);

      if (high < 0 || low < 0 || g_ascii_isupper (name[2 * i]) ||
          g_ascii_isupper (name[2 * i + 1]))
        return FALSE;
      id[i] = (guint8) (high << 4 | low);
    }

  return TRUE;
}

/**
 * _sotto_blob_files_list:
 *
 * The blobs that have a file, complete or unfinished, for the server to
 * check against its records at start. Other names are left alone.
 *
 * Returns: (transfer full) (element-type GBytes): their ids
 */
GPtrArray *
_sotto_blob_files_list (SottoBlobFiles *self,
                        gboolean        complete)
{
  GPtrArray *ids = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GDir) dir = g_dir_open (complete ? self->complete_dir : self->partial_dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      guint8 id[SOTTO_PROTOCOL_BLOB_ID_BYTES];

      if (parse_name (name, id))
        g_ptr_array_add (ids, g_bytes_new (id, sizeof id));
    }

  return ids;
}

/* At start only, before anything is served. */
void
_sotto_blob_files_remove_now (SottoBlobFiles *self,
                              const guint8   *id,
                              gboolean        complete)
{
  g_autofree char *path = blob_path (self, id, complete);

  if (g_unlink (path) != 0 && errno != ENOENT)
    g_warning ("Could not delete %s: %s", path, g_strerror (errno));
}

static gboolean
sync_dir (const char  *path,
          GError     **error)
{
  int fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int saved_errno;

  if (fd < 0)
    return set_errno_error (error, errno, _("Could not open the folder for files"));

  if (fsync (fd) != 0)
    {
      saved_errno = errno;
      close (fd);
      return set_errno_error (error, saved_errno, _("Could not sync the folder for files"));
    }

  close (fd);
  return TRUE;
}

/* Cuts the file at the offset, writes the piece there, and with finish
 * syncs the whole blob, moves it among the complete ones and syncs both
 * folders; a failure cuts the file back where it was. */
static gboolean
run_write (FileJob  *job,
           GError  **error)
{
  gsize len = 0;
  const guint8 *data = job->data != NULL ? g_bytes_get_data (job->data, &len) : NULL;
  gsize done = 0;
  struct stat st;
  int fd;

  fd = open (job->partial_path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    return set_errno_error (error, errno, _("Could not open an unfinished upload"));

  /* Only ever a prefix of the blob: a file shorter than the server
   * believes is not filled in with anything. */
  if (fstat (fd, &st) != 0 || st.st_size < job->offset)
    {
      close (fd);
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           _("An unfinished upload is shorter than recorded"));
      return FALSE;
    }

  if (ftruncate (fd, job->offset) != 0)
    goto failed;

  while (done < len)
    {
      ssize_t n = pwrite (fd, data + done, len - done, job->offset + done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        goto failed;
      done += n;
    }

  if (job->finish && fsync (fd) != 0)
    goto failed;

  if (close (fd) != 0)
    {
      fd = -1;
      goto failed;
    }

  if (!job->finish)
    return TRUE;

  if (rename (job->partial_path, job->complete_path) != 0)
    return set_errno_error (error, errno, _("Could not store a complete upload"));

  return sync_dir (job->complete_dir, error) && sync_dir (job->partial_dir, error);

failed:
  {
    int saved_errno = errno;

    /* Back to where it was, so that what the server holds is still the
     * file's length. */
    if (fd >= 0)
      {
        if (ftruncate (fd, job->offset) != 0)
          g_debug ("Could not cut an unfinished upload back: %s", g_strerror (errno));
        close (fd);
      }
    return set_errno_error (error, saved_errno, _("Could not write an upload"));
  }
}

static GBytes *
run_read (FileJob  *job,
          GError  **error)
{
  g_autofree guint8 *data = g_malloc (job->length);
  gsize done = 0;
  int fd = open (job->complete_path, O_RDONLY | O_CLOEXEC);

  if (fd < 0)
    {
      set_errno_error (error, errno, _("Could not open a blob"));
      return NULL;
    }

  while (done < job->length)
    {
      ssize_t n = pread (fd, data + done, job->length - done, job->offset + done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved_errno = errno;

          close (fd);
          set_errno_error (error, saved_errno, _("Could not read a blob"));
          return NULL;
        }
      if (n == 0)
        break;
      done += n;
    }

  close (fd);

  if (done == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           _("A blob is shorter than recorded"));
      return NULL;
    }

  return g_bytes_new_take (g_steal_pointer (&data), done);
}

static gboolean
run_delete (FileJob  *job,
            GError  **error)
{
  gboolean ok = TRUE;

  if (g_unlink (job->partial_path) != 0 && errno != ENOENT)
    ok = set_errno_error (error, errno, _("Could not delete an unfinished upload"));
  if (g_unlink (job->complete_path) != 0 && errno != ENOENT && ok)
    ok = set_errno_error (error, errno, _("Could not delete a blob"));

  return ok;
}

static void
file_job_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  FileJob *job = task_data;
  GError *error = NULL;

  switch (job->kind)
    {
    case JOB_WRITE:
      if (run_write (job, &error))
        g_task_return_boolean (task, TRUE);
      else
        g_task_return_error (task, error);
      break;

    case JOB_READ:
      {
        GBytes *bytes = run_read (job, &error);

        if (bytes != NULL)
          g_task_return_pointer (task, bytes, (GDestroyNotify) g_bytes_unref);
        else
          g_task_return_error (task, error);
      }
      break;

    case JOB_DELETE:
    default:
      if (run_delete (job, &error))
        g_task_return_boolean (task, TRUE);
      else
        g_task_return_error (task, error);
      break;
    }
}

static void
run_job (SottoBlobFiles      *self,
         FileJob             *job,
         gpointer             source_tag,
         GAsyncReadyCallback  callback,
         gpointer             user_data)
{
  GTask *task = g_task_new (self->owner, NULL, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, job, file_job_free);
  g_thread_pool_push (self->pool, task, NULL);
}

static FileJob *
file_job_new (SottoBlobFiles *self,
              JobKind         kind,
              const guint8   *id)
{
  FileJob *job = g_new0 (FileJob, 1);

  job->kind = kind;
  job->partial_path = blob_path (self, id, FALSE);
  job->complete_path = blob_path (self, id, TRUE);
  job->partial_dir = g_strdup (self->partial_dir);
  job->complete_dir = g_strdup (self->complete_dir);

  return job;
}

/**
 * _sotto_blob_files_write_async:
 * @offset: where @data goes: the length of the unfinished upload's file,
 *   or less to overwrite what a failed write left
 * @data: (nullable): the piece; %NULL or empty to write nothing
 * @finish: whether the blob is then complete: synced and moved among the
 *   complete ones before the task returns
 */
void
_sotto_blob_files_write_async (SottoBlobFiles      *self,
                               const guint8        *id,
                               gint64               offset,
                               GBytes              *data,
                               gboolean             finish,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  FileJob *job = file_job_new (self, JOB_WRITE, id);

  job->offset = offset;
  job->data = data != NULL ? g_bytes_ref (data) : NULL;
  job->finish = finish;
  run_job (self, job, _sotto_blob_files_write_async, callback, user_data);
}

gboolean
_sotto_blob_files_write_finish (SottoBlobFiles  *self,
                                GAsyncResult    *result,
                                GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self->owner), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == _sotto_blob_files_write_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * _sotto_blob_files_read_async:
 * @offset: where to start, before the blob's end
 * @length: how many bytes at most
 *
 * Reads from a complete blob; fewer bytes come where it ends.
 */
void
_sotto_blob_files_read_async (SottoBlobFiles      *self,
                              const guint8        *id,
                              gint64               offset,
                              gsize                length,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  FileJob *job = file_job_new (self, JOB_READ, id);

  g_return_if_fail (length > 0);

  job->offset = offset;
  job->length = length;
  run_job (self, job, _sotto_blob_files_read_async, callback, user_data);
}

/**
 * _sotto_blob_files_read_finish:
 *
 * Returns: (transfer full): 1 to the length asked of bytes, or %NULL; a
 *   blob without a file is %G_IO_ERROR_NOT_FOUND
 */
GBytes *
_sotto_blob_files_read_finish (SottoBlobFiles  *self,
                               GAsyncResult    *result,
                               GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self->owner), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == _sotto_blob_files_read_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Deletes both of a blob's files, whichever are there. */
void
_sotto_blob_files_delete_async (SottoBlobFiles      *self,
                                const guint8        *id,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  run_job (self, file_job_new (self, JOB_DELETE, id), _sotto_blob_files_delete_async, callback,
           user_data);
}

gboolean
_sotto_blob_files_delete_finish (SottoBlobFiles  *self,
                                 GAsyncResult    *result,
                                 GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self->owner), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == _sotto_blob_files_delete_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
