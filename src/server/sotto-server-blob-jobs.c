/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sotto-server-blob-jobs.h"

/*
 * The blocking side of the files of blobs, run in the threads of
 * sotto-server-blob-files.c: writing a piece of an unfinished upload,
 * completing a blob, reading a piece of a complete one, deleting one.
 *
 * Every write starts by cutting the file at the offset it writes at: what
 * a write cut short left past it goes, and the file stays a prefix of the
 * blob. A file is never extended with anything but what a client sent.
 * Completing syncs the file, moves it among the complete ones and syncs
 * both folders, so that a blob is recorded complete only once all of it
 * is on the disk.
 */

void
_sotto_blob_job_free (gpointer data)
{
  SottoBlobJob *job = data;

  g_free (job->partial_path);
  g_free (job->complete_path);
  g_free (job->partial_dir);
  g_free (job->complete_dir);
  g_clear_pointer (&job->data, g_bytes_unref);
  g_free (job);
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
run_write (SottoBlobJob  *job,
           GError       **error)
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
run_read (SottoBlobJob  *job,
          GError       **error)
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
run_delete (SottoBlobJob  *job,
            GError       **error)
{
  gboolean ok = TRUE;

  if (g_unlink (job->partial_path) != 0 && errno != ENOENT)
    ok = set_errno_error (error, errno, _("Could not delete an unfinished upload"));
  if (g_unlink (job->complete_path) != 0 && errno != ENOENT && ok)
    ok = set_errno_error (error, errno, _("Could not delete a blob"));

  return ok;
}

/* Runs @job on the calling thread, a worker's, and returns @task. */
void
_sotto_blob_job_run (GTask        *task,
                     SottoBlobJob *job)
{
  GError *error = NULL;

  switch (job->kind)
    {
    case SOTTO_BLOB_JOB_WRITE:
      if (run_write (job, &error))
        g_task_return_boolean (task, TRUE);
      else
        g_task_return_error (task, error);
      break;

    case SOTTO_BLOB_JOB_READ:
      {
        GBytes *bytes = run_read (job, &error);

        if (bytes != NULL)
          g_task_return_pointer (task, bytes, (GDestroyNotify) g_bytes_unref);
        else
          g_task_return_error (task, error);
      }
      break;

    case SOTTO_BLOB_JOB_DELETE:
    default:
      if (run_delete (job, &error))
        g_task_return_boolean (task, TRUE);
      else
        g_task_return_error (task, error);
      break;
    }
}
