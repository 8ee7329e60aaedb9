/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "sotto-protocol-types.h"
#include "sotto-server-blob-files.h"
#include "sotto-server-blob-jobs.h"

/*
 * The bytes of blobs, kept as the clients sent them: an unfinished upload
 * is "blobs/partial/ID", its length how much of it the server holds; a
 * complete blob is "blobs/ID", moved there once synced to disk. ID is the
 * blob id in lowercase hex, so that a name is never a path a client
 * chose.
 *
 * The threads run the jobs of sotto-server-blob-jobs.c, and touch only
 * their job; the GTask that carries a job holds the owner (the server),
 * and is dropped on the main thread.
 */

#define MAX_FILE_THREADS 4

struct _SottoBlobFiles
{
  GObject     *owner;
  char        *complete_dir;
  char        *partial_dir;
  GThreadPool *pool;
};

static gboolean
drop_task_cb (gpointer data)
{
  g_object_unref (data);
  return G_SOURCE_REMOVE;
}

static void
file_worker (gpointer data,
             gpointer user_data)
{
  GTask *task = data;

  _sotto_blob_job_run (task, g_task_get_task_data (task));

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

static void
run_job (SottoBlobFiles      *self,
         SottoBlobJob        *job,
         gpointer             source_tag,
         GAsyncReadyCallback  callback,
         gpointer             user_data)
{
  GTask *task = g_task_new (self->owner, NULL, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, job, _sotto_blob_job_free);
  g_thread_pool_push (self->pool, task, NULL);
}

static SottoBlobJob *
file_job_new (SottoBlobFiles   *self,
              SottoBlobJobKind  kind,
              const guint8     *id)
{
  SottoBlobJob *job = g_new0 (SottoBlobJob, 1);

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
  SottoBlobJob *job = file_job_new (self, SOTTO_BLOB_JOB_WRITE, id);

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
  SottoBlobJob *job = file_job_new (self, SOTTO_BLOB_JOB_READ, id);

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
  run_job (self, file_job_new (self, SOTTO_BLOB_JOB_DELETE, id), _sotto_blob_files_delete_async,
           callback, user_data);
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
