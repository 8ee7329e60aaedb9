/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <pthread.h>
#include <sched.h>

#include "sotto-server-password-pool.h"

/*
 * The server's own pool of threads for password hashing (Argon2id). It is
 * small, since every hash holds its memory limit (64 MiB by default) while
 * it runs, and its threads run at the lowest priority: on a busy machine a
 * login waits a little rather than every relayed message.
 */

#define MAX_PASSWORD_THREADS 4

typedef struct
{
  GTask           *task;
  GTaskThreadFunc  func;
} PasswordWork;

static gboolean
drop_task_cb (gpointer data)
{
  g_object_unref (data);
  return G_SOURCE_REMOVE;
}

static void
password_worker (gpointer data,
                 gpointer user_data)
{
  PasswordWork *work = data;
  struct sched_param param = { 0 };

  /* SCHED_IDLE: the thread runs only when nothing else wants the CPU, and
   * gives it up at once when the main loop wakes. */
  pthread_setschedparam (pthread_self (), SCHED_IDLE, &param);
  work->func (work->task, g_task_get_source_object (work->task),
              g_task_get_task_data (work->task), g_task_get_cancellable (work->task));

  /* This may be the last reference: drop it in the task's own context, so
   * that its data (a session among them) is never freed in this thread. */
  g_main_context_invoke (g_task_get_context (work->task), drop_task_cb, work->task);
  g_free (work);
}

GThreadPool *
_sotto_password_pool_new (void)
{
  guint threads = CLAMP (g_get_num_processors (), 1, MAX_PASSWORD_THREADS);

  /* Exclusive: the threads are the pool's own, so their low priority never
   * passes to work of other pools. */
  return g_thread_pool_new (password_worker, NULL, threads, TRUE, NULL);
}

/* Waits for the jobs left; every job holds a task, and every task the
 * server, so when the server goes there are none. */
void
_sotto_password_pool_free (GThreadPool *pool)
{
  g_thread_pool_free (pool, FALSE, TRUE);
}

/* Runs @func in @pool; the task returns from there. */
void
_sotto_password_pool_run (GThreadPool     *pool,
                          GTask           *task,
                          GTaskThreadFunc  func)
{
  PasswordWork *work = g_new0 (PasswordWork, 1);

  work->task = g_object_ref (task);
  work->func = func;
  g_thread_pool_push (pool, work, NULL);
}
