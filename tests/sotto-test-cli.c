/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include "sotto-test-cli.h"

/* The longest a test waits for the program before failing. */
#define RUN_TIMEOUT_MS 60000

static gboolean
flag_timeout_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/**
 * sotto_test_cli_wait_long_for:
 * @what: what is waited for, for the message when it never comes
 *
 * Runs the main loop until @flag is set, or fails the test.
 */
void
sotto_test_cli_wait_long_for (gboolean   *flag,
                              const char *what)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (RUN_TIMEOUT_MS, flag_timeout_cb, &timed_out);

  while (!*flag && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  if (timed_out)
    g_error ("Timed out waiting for %s", what);
  g_source_remove (id);
}

/**
 * sotto_test_cli_die_with_parent:
 *
 * A child setup: a failed assertion ends the test at once, and the
 * program must not outlive it.
 */
void
sotto_test_cli_die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

/**
 * sotto_test_cli_exit_status:
 *
 * Returns: the exit status of @process, which ended (128 and the signal
 *   for one killed)
 */
int
sotto_test_cli_exit_status (GSubprocess *process)
{
  if (g_subprocess_get_if_exited (process))
    return g_subprocess_get_exit_status (process);
  return 128 + g_subprocess_get_term_sig (process);
}

/**
 * sotto_test_cli_spawn:
 * @cwd: (nullable): where it runs
 * @args: the command and its arguments
 *
 * Returns: (transfer full): sotto-cli as @user, with its standard input,
 *   output and error pipes
 */
GSubprocess *
sotto_test_cli_spawn (const char        *dir,
                      const char        *address,
                      const char        *fingerprint,
                      const char        *user,
                      const char        *cwd,
                      const char *const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  const char *binary = g_getenv ("SOTTO_CLI");
  GSubprocess *process;

  g_assert_nonnull (binary);
  g_ptr_array_add (argv, g_strdup (binary));
  g_ptr_array_add (argv, g_strdup ("--server"));
  g_ptr_array_add (argv, g_strdup (address));
  g_ptr_array_add (argv, g_strdup ("--data-dir"));
  g_ptr_array_add (argv, g_build_filename (dir, user, NULL));
  g_ptr_array_add (argv, g_strdup ("--pwhash-fast"));
  g_ptr_array_add (argv, g_strdup ("--trust-fingerprint"));
  g_ptr_array_add (argv, g_strdup (fingerprint));
  g_ptr_array_add (argv, g_strdup ("--user"));
  g_ptr_array_add (argv, g_strdup (user));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "SOTTO_PASSWORD", SOTTO_TEST_CLI_PASSWORD, TRUE);
  if (cwd != NULL)
    g_subprocess_launcher_set_cwd (launcher, cwd);
  g_subprocess_launcher_set_child_setup (launcher, sotto_test_cli_die_with_parent, NULL, NULL);
  process = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);

  return process;
}

typedef struct
{
  gboolean  done;
  char     *out;
  char     *err;
} Communicated;

static void
communicated_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Communicated *outcome = user_data;
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (object), result, &outcome->out,
                                        &outcome->err, &error);
  g_assert_no_error (error);
  outcome->done = TRUE;
}

/**
 * sotto_test_cli_finish:
 * @out: (out) (optional): what it wrote on standard output
 * @err: (out) (optional): what it wrote on standard error
 *
 * Waits for @process to end.
 *
 * Returns: its exit status (128 and the signal for one killed)
 */
int
sotto_test_cli_finish (GSubprocess  *process,
                       char        **out,
                       char        **err)
{
  Communicated outcome = { FALSE, NULL, NULL };
  int status;

  g_subprocess_communicate_utf8_async (process, NULL, NULL, communicated_cb, &outcome);
  sotto_test_cli_wait_long_for (&outcome.done, "sotto-cli to end");
  status = sotto_test_cli_exit_status (process);
  g_test_message ("sotto-cli exited with %d; stdout:\n%s\nstderr:\n%s", status, outcome.out,
                  outcome.err);

  if (out != NULL)
    *out = g_steal_pointer (&outcome.out);
  if (err != NULL)
    *err = g_steal_pointer (&outcome.err);
  g_free (outcome.out);
  g_free (outcome.err);

  return status;
}

/**
 * sotto_test_cli_run:
 *
 * sotto_test_cli_spawn(), then sotto_test_cli_finish().
 */
int
sotto_test_cli_run (const char        *dir,
                    const char        *address,
                    const char        *fingerprint,
                    const char        *user,
                    const char        *cwd,
                    const char *const *args,
                    char             **out,
                    char             **err)
{
  g_autoptr(GSubprocess) process = sotto_test_cli_spawn (dir, address, fingerprint, user, cwd,
                                                         args);

  return sotto_test_cli_finish (process, out, err);
}

typedef struct
{
  gboolean          done;
  GDataInputStream *lines;
  const char       *wanted;
  GString          *seen;
  char             *found;
} ReadUntil;

static void
read_until_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  ReadUntil *reading = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;

  line = g_data_input_stream_read_line_finish_utf8 (reading->lines, result, NULL, &error);
  g_assert_no_error (error);
  if (line == NULL)
    g_error ("The program ended before saying “%s”: %s", reading->wanted, reading->seen->str);

  g_string_append_printf (reading->seen, "%s\n", line);
  if (strstr (line, reading->wanted) != NULL)
    {
      reading->found = g_steal_pointer (&line);
      reading->done = TRUE;
      return;
    }
  g_data_input_stream_read_line_async (reading->lines, G_PRIORITY_DEFAULT, NULL, read_until_cb,
                                       reading);
}

/**
 * sotto_test_cli_wait_for_line:
 * @pipe: a program's standard output or error
 *
 * Waits until @pipe gave a line with @wanted; nothing past that line is
 * read.
 *
 * Returns: (transfer full): the line
 */
char *
sotto_test_cli_wait_for_line (GInputStream *pipe,
                              const char   *wanted)
{
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GString) seen = g_string_new (NULL);
  ReadUntil reading = { FALSE, NULL, wanted, seen, NULL };

  /* A byte at a time: nothing past the wanted line is taken. */
  lines = g_data_input_stream_new (pipe);
  g_buffered_input_stream_set_buffer_size (G_BUFFERED_INPUT_STREAM (lines), 1);
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (lines), FALSE);
  reading.lines = lines;
  g_data_input_stream_read_line_async (lines, G_PRIORITY_DEFAULT, NULL, read_until_cb, &reading);
  sotto_test_cli_wait_long_for (&reading.done, wanted);
  return reading.found;
}

/**
 * sotto_test_cli_wait_for_stderr:
 *
 * Waits until @process wrote a line with @wanted on its standard error;
 * nothing past that line is read.
 */
void
sotto_test_cli_wait_for_stderr (GSubprocess *process,
                                const char  *wanted)
{
  g_free (sotto_test_cli_wait_for_line (g_subprocess_get_stderr_pipe (process), wanted));
}
