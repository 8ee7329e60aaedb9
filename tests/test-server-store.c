/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "sotto-test-server-fixture.h"
#include "sotto-test-util.h"

/*
 * The server's SQLite store under load, on the real server over loopback:
 * its checkpoints (which write and sync the database file) run on a
 * thread of their own, never in the main loop, whose commits only append
 * to the WAL; the main loop syncs the WAL's header as the WAL starts over,
 * and checkpoints itself only when the WAL has grown eight times past the
 * threshold. Watched with strace, which the test attaches
 * to the running server; skipped where strace is missing.
 */

#define MESSAGES 3000

/* The file that @fd of process @pid is open on. */
static char *
file_of (GPid        pid,
         const char *fd)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/fd/%s", (int) pid, fd);
  char *target = g_file_read_link (path, NULL);

  return target != NULL ? target : g_strdup ("(closed)");
}

/* Whether a tracer is attached to process @pid. */
static gboolean
traced (gpointer data)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", GPOINTER_TO_INT (data));
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents (path, &status, NULL, NULL) ||
      (line = strstr (status, "TracerPid:")) == NULL)
    return FALSE;
  return g_ascii_strtoll (line + strlen ("TracerPid:"), NULL, 10) != 0;
}

/* The name of thread @tid of process @pid. */
static char *
thread_name (GPid        pid,
             const char *tid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/task/%s/comm", (int) pid, tid);
  char *name = NULL;

  if (!g_file_get_contents (path, &name, NULL, NULL))
    return g_strdup ("(gone)");
  return g_strchomp (name);
}

static void
test_checkpoints (SottoServerFixture *fixture,
                  gconstpointer       data)
{
  g_autofree char *strace = g_find_program_in_path ("strace");
  g_autofree char *dir = NULL;
  g_autofree char *trace_path = NULL;
  g_autofree char *trace = NULL;
  g_autofree char *pid_text = NULL;
  g_autoptr(GSubprocess) tracer = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  SottoTestClient *alice;
  GPid pid = sotto_test_server_get_pid (fixture->server);
  guint main_syncs = 0;
  guint worker_syncs = 0;

  if (strace == NULL)
    {
      g_test_skip ("strace is not installed (apt-get install strace)");
      return;
    }
  alice = sotto_server_fixture_new_user (fixture, "alice");

  dir = sotto_test_make_data_dir ();
  trace_path = g_build_filename (dir, "trace", NULL);
  pid_text = g_strdup_printf ("%d", (int) pid);
  tracer = g_subprocess_new (G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error, strace, "-f", "-p",
                             pid_text, "-e", "trace=fsync,fdatasync", "-o", trace_path, NULL);
  g_assert_no_error (error);
  /* Some machines let no process trace another (a container's rules). */
  if (!sotto_test_wait_until (traced, GINT_TO_POINTER (pid), 5))
    {
      g_subprocess_force_exit (tracer);
      g_test_skip ("strace cannot attach to a process here");
      sotto_test_remove_dir (dir);
      sotto_test_client_free (alice);
      return;
    }
  /* Every thread attached, not only the first. */
  sotto_test_iterate (300);

  for (guint i = 0; i < MESSAGES; i++)
    {
      g_autofree char *msg_id = g_strdup_printf ("m%u", i);
      g_autoptr(SottoMsg) sent = sotto_test_client_say (alice, "general", msg_id,
                                                        "a message of some length, as they go");

      g_assert_nonnull (sent);
    }

  g_subprocess_send_signal (tracer, SIGINT);
  g_assert_true (g_subprocess_wait (tracer, NULL, &error));
  g_assert_true (g_file_get_contents (trace_path, &trace, NULL, &error));
  lines = g_strsplit (trace, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autofree char *name = NULL;
      g_autofree char *file = NULL;
      char tid[16];
      char call[32];
      char fd[16];

      if (sscanf (lines[i], "%15s %31[a-z](%15[0-9]", tid, call, fd) != 3 ||
          (!g_str_equal (call, "fsync") && !g_str_equal (call, "fdatasync")))
        continue;
      file = file_of (pid, fd);
      if (g_str_equal (tid, pid_text))
        {
          g_test_message ("main loop: %s (%s)", lines[i], file);
          main_syncs++;
          continue;
        }
      name = thread_name (pid, tid);
      g_test_message ("thread %s (%s): %s", tid, name, lines[i]);
      g_assert_cmpstr (name, ==, "sotto-ckpt");
      worker_syncs++;
    }
  g_test_message ("%u messages: %u syncs in the main loop, %u in the checkpoint thread",
                  MESSAGES, main_syncs, worker_syncs);
  /* Checkpointing in the main loop, as SQLite does by itself, synced
   * about once every 60 messages here; what is left is the WAL's header
   * as it starts over, and a checkpoint of the main loop's own when
   * steady writes kept the thread's from ever reaching the WAL's end. */
  g_assert_cmpuint (main_syncs, <=, MESSAGES / 200);
  g_assert_cmpuint (worker_syncs, >, 0);
  sotto_test_remove_dir (dir);
  sotto_test_client_free (alice);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  SOTTO_SERVER_FIXTURE_ADD ("store/checkpoints", test_checkpoints);

  return g_test_run ();
}
