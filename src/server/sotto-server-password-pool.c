/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include "sotto-server-password-pool.h"

/*
 * The server's own threads for password hashing (Argon2id). They are few,
 * since every hash holds its memory limit (64 MiB by default) while it
 * runs, and they run at SCHED_IDLE: on a busy machine a login waits a
 * little rather than every relayed message.
 *
 * Low priority is only worth it if the main loop never waits for one of
 * these threads, and a thread at SCHED_IDLE that holds a lock the main
 * loop wants can keep it waiting for whole scheduler ticks while the
 * other hashing threads run. So they share no lock with it: jobs go to
 * them, and come back, as pointers through two pipes, and a job is
 * returned to its task (which takes the main context's lock) in the main
 * loop. A thread touches only its job's data, and allocates nothing that
 * the main loop frees.
 */

#define MAX_PASSWORD_THREADS 4

struct _SottoPasswordPool
{
  GPtrArray *threads;
  /* Jobs to the threads, and done jobs back; each end as [read, write] */
  int        to_threads[2];
  int        from_threads[2];
  guint      done_id;
};

typedef struct
{
  GTask             *task;
  SottoPasswordFunc  func;
  gpointer           data;
  SottoPasswordResult result;
} PasswordJob;

static void
send_pointer (int      fd,
              gpointer pointer)
{
  gssize written;

  do
    written = write (fd, &pointer, sizeof pointer);
  while (written < 0 && errno == EINTR);

  /* A pointer is less than PIPE_BUF: written whole, or not at all. */
  g_assert (written == sizeof pointer);
}

static gpointer
password_thread (gpointer user_data)
{
  SottoPasswordPool *self = user_data;
  struct sched_param param = { 0 };

  /* SCHED_IDLE: the thread runs only when nothing else wants the CPU, and
   * gives it up at once when the main loop wakes. */
  pthread_setschedparam (pthread_self (), SCHED_IDLE, &param);

  for (;;)
    {
      PasswordJob *job = NULL;
      gssize got;

      do
        got = read (self->to_threads[0], &job, sizeof job);
      while (got < 0 && errno == EINTR);

      /* NULL, or the pipe closed: the pool is going. */
      if (got != sizeof job || job == NULL)
        return NULL;

      job->result = job->func (job->data);
      send_pointer (self->from_threads[1], job);
    }
}

static void
job_return (PasswordJob *job)
{
  switch (job->result)
    {
    case SOTTO_PASSWORD_TRUE:
      g_task_return_boolean (job->task, TRUE);
      break;

    case SOTTO_PASSWORD_FALSE:
      g_task_return_boolean (job->task, FALSE);
      break;

    case SOTTO_PASSWORD_NO_MEMORY:
    default:
      g_task_return_new_error (job->task, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                               "Out of memory while hashing a password");
      break;
    }

  g_object_unref (job->task);
  g_free (job);
}

/* Returns the jobs the threads are done with to their tasks. */
static gboolean
jobs_done_cb (int          fd,
              GIOCondition condition,
              gpointer     user_data)
{
  PasswordJob *jobs[64];
  gssize got;

  /* Until the pipe is empty: whole pointers, since each was written in
   * one piece and the buffer holds a whole number of them. */
  do
    {
      do
        got = read (fd, jobs, sizeof jobs);
      while (got < 0 && errno == EINTR);

      for (gssize i = 0; i < got / (gssize) sizeof jobs[0]; i++)
        job_return (jobs[i]);
    }
  while (got == sizeof jobs);

  return G_SOURCE_CONTINUE;
}

SottoPasswordPool *
_sotto_password_pool_new (void)
{
  SottoPasswordPool *self = g_new0 (SottoPasswordPool, 1);
  guint threads = CLAMP (g_get_num_processors (), 1, MAX_PASSWORD_THREADS);
  g_autoptr(GError) error = NULL;

  if (!g_unix_open_pipe (self->to_threads, FD_CLOEXEC, &error) ||
      !g_unix_open_pipe (self->from_threads, FD_CLOEXEC, &error) ||
      !g_unix_set_fd_nonblocking (self->to_threads[1], TRUE, &error) ||
      !g_unix_set_fd_nonblocking (self->from_threads[0], TRUE, &error))
    g_error ("Cannot make the pipes of the password threads: %s", error->message);

  self->done_id = g_unix_fd_add (self->from_threads[0], G_IO_IN, jobs_done_cb, self);
  g_source_set_name_by_id (self->done_id, "[sotto] passwords hashed");

  self->threads = g_ptr_array_new ();
  for (guint i = 0; i < threads; i++)
    g_ptr_array_add (self->threads, g_thread_new ("sotto-password", password_thread, self));

  return self;
}

/* Waits for the jobs left, then returns them; every job holds a task,
 * and every task the server, so when the server goes there are none
 * that are not cancelled. */
void
_sotto_password_pool_free (SottoPasswordPool *self)
{
  if (self == NULL)
    return;

  /* The threads take the jobs queued first, then one NULL each. */
  g_unix_set_fd_nonblocking (self->to_threads[1], FALSE, NULL);
  for (guint i = 0; i < self->threads->len; i++)
    send_pointer (self->to_threads[1], NULL);
  for (guint i = 0; i < self->threads->len; i++)
    g_thread_join (g_ptr_array_index (self->threads, i));
  g_ptr_array_unref (self->threads);

  g_clear_handle_id (&self->done_id, g_source_remove);
  jobs_done_cb (self->from_threads[0], G_IO_IN, self);
  for (guint i = 0; i < 2; i++)
    {
      close (self->to_threads[i]);
      close (self->from_threads[i]);
    }
  g_free (self);
}

/**
 * _sotto_password_pool_run:
 * @func: runs in one of the pool's threads with @task's data, and may
 *   touch nothing else
 *
 * Returns @task, in the main loop, with what @func gave.
 */
void
_sotto_password_pool_run (SottoPasswordPool *self,
                          GTask             *task,
                          SottoPasswordFunc  func)
{
  PasswordJob *job = g_new0 (PasswordJob, 1);
  gssize written;

  job->task = g_object_ref (task);
  job->func = func;
  job->data = g_task_get_task_data (task);

  do
    written = write (self->to_threads[1], &job, sizeof job);
  while (written < 0 && errno == EINTR);

  /* Thousands of jobs already wait: this one is refused. */
  if (written != sizeof job)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_BUSY,
                               "Too many passwords are waiting to be checked");
      g_object_unref (job->task);
      g_free (job);
    }
}
