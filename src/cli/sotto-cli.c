/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n-lib.h>
#include <sodium.h>
#include <unistd.h>

#include "sotto-cli-private.h"

/*
 * SottoCli is one run of sotto-cli: the command line
 * (sotto-cli-options.c), the client core under it, and the way the run
 * ends. Everything happens on one main loop. Connecting and logging in
 * (sotto-cli-connect.c) are the same for the scripted commands
 * (sotto-cli-commands.c) and the chat (sotto-cli-chat.c). The run ends
 * through _sotto_cli_finish(), which says goodbye to the server before
 * the loop stops.
 */

/* How long the goodbye to the server may take at the end. */
#define CLOSE_WAIT_MS 2000

G_DEFINE_FINAL_TYPE (SottoCli, sotto_cli, G_TYPE_OBJECT)

static void
sotto_cli_dispose (GObject *object)
{
  SottoCli *self = SOTTO_CLI (object);

  g_cancellable_cancel (self->cancellable);
  _sotto_cli_restore_terminal (self);
  g_clear_handle_id (&self->timeout_id, g_source_remove);
  g_clear_handle_id (&self->sigint_id, g_source_remove);
  g_clear_handle_id (&self->sigterm_id, g_source_remove);
  g_clear_handle_id (&self->finish_id, g_source_remove);
  g_clear_handle_id (&self->close_wait_id, g_source_remove);
  if (self->client != NULL)
    {
      g_clear_signal_handler (&self->closed_id, self->client);
      g_clear_signal_handler (&self->event_id, self->client);
      g_clear_signal_handler (&self->close_state_id, self->client);
    }
  _sotto_cli_cancel_openings (self);
  if (self->sending != NULL)
    g_clear_signal_handler (&self->sending_id, self->sending);
  g_clear_object (&self->sending);
  g_clear_object (&self->feed);
  g_clear_object (&self->input);
  g_clear_object (&self->client);
  g_clear_pointer (&self->loop, g_main_loop_unref);

  G_OBJECT_CLASS (sotto_cli_parent_class)->dispose (object);
}

static void
sotto_cli_finalize (GObject *object)
{
  SottoCli *self = SOTTO_CLI (object);

  g_clear_object (&self->cancellable);
  g_free (self->server);
  g_free (self->user);
  g_free (self->data_dir);
  g_free (self->trust_fingerprint);
  g_free (self->room_arg);
  g_free (self->text_arg);
  _sotto_cli_wipe_string (&self->password);
  _sotto_cli_wipe_string (&self->pending_password);
  g_free (self->pending_user);
  g_free (self->current_room);
  g_free (self->verify_user);
  g_clear_pointer (&self->adopting, g_hash_table_unref);

  G_OBJECT_CLASS (sotto_cli_parent_class)->finalize (object);
}

static void
sotto_cli_class_init (SottoCliClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sotto_cli_dispose;
  object_class->finalize = sotto_cli_finalize;
}

static void
sotto_cli_init (SottoCli *self)
{
  self->cancellable = g_cancellable_new ();
  self->adopting = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

SottoCli *
sotto_cli_new (void)
{
  return g_object_new (SOTTO_TYPE_CLI, NULL);
}

/* Ending */

static void
quit (SottoCli *self)
{
  if (self->client != NULL)
    g_clear_signal_handler (&self->close_state_id, self->client);
  g_clear_handle_id (&self->close_wait_id, g_source_remove);
  if (self->loop != NULL)
    g_main_loop_quit (self->loop);
}

static void
close_state_cb (SottoClient *client,
                GParamSpec  *pspec,
                gpointer     user_data)
{
  if (!sotto_client_get_connected (client))
    quit (user_data);
}

static gboolean
close_wait_cb (gpointer user_data)
{
  SottoCli *self = user_data;

  self->close_wait_id = 0;
  quit (self);
  return G_SOURCE_REMOVE;
}

static gboolean
close_cb (gpointer user_data)
{
  SottoCli *self = user_data;

  self->finish_id = 0;
  _sotto_cli_cancel_openings (self);
  g_clear_object (&self->feed);
  g_clear_signal_handler (&self->closed_id, self->client);
  g_clear_signal_handler (&self->event_id, self->client);

  if (!sotto_client_get_connected (self->client))
    {
      sotto_client_close (self->client);
      quit (self);
      return G_SOURCE_REMOVE;
    }

  /* The goodbye goes out before the process ends, so the server hears
   * of a clean logout rather than a cut connection. */
  self->close_state_id = g_signal_connect (self->client, "notify::connected",
                                           G_CALLBACK (close_state_cb), self);
  self->close_wait_id = g_timeout_add (CLOSE_WAIT_MS, close_wait_cb, self);
  sotto_client_close (self->client);

  return G_SOURCE_REMOVE;
}

/**
 * _sotto_cli_finish:
 * @status: a #SottoCliExit
 *
 * Ends the run with @status; the first call wins. The client is closed
 * from an idle, never inside the signal emission that led here.
 */
void
_sotto_cli_finish (SottoCli *self,
                   int       status)
{
  if (self->finishing)
    return;

  self->finishing = TRUE;
  self->status = status;
  g_cancellable_cancel (self->cancellable);
  _sotto_cli_restore_terminal (self);
  g_clear_handle_id (&self->timeout_id, g_source_remove);
  self->finish_id = g_idle_add (close_cb, self);
}

/**
 * _sotto_cli_fail:
 *
 * Ends the run because of @error, with the status that says what failed.
 */
void
_sotto_cli_fail (SottoCli      *self,
                 const GError  *error,
                 SottoCliPhase  phase)
{
  if (self->finishing)
    return;

  g_printerr ("sotto-cli: %s\n", error->message);
  _sotto_cli_finish (self, sotto_cli_exit_for_error (error, phase));
}

/**
 * _sotto_cli_say:
 *
 * Tells the user something: on standard output in the chat, on standard
 * error for a scripted command, whose standard output is its result.
 */
void
_sotto_cli_say (SottoCli   *self,
                const char *format,
                ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  if (self->command == SOTTO_CLI_COMMAND_CHAT)
    g_print ("%s\n", text);
  else
    g_printerr ("%s\n", text);
}

static gboolean
timeout_cb (gpointer user_data)
{
  SottoCli *self = user_data;

  self->timeout_id = 0;
  if (self->command == SOTTO_CLI_COMMAND_LISTEN)
    {
      _sotto_cli_command_timed_out (self);
      return G_SOURCE_REMOVE;
    }

  g_printerr (_("sotto-cli: gave up after %d seconds\n"), self->timeout);
  _sotto_cli_finish (self, SOTTO_CLI_EXIT_TIMEOUT);
  return G_SOURCE_REMOVE;
}

static gboolean
interrupted_cb (gpointer user_data)
{
  SottoCli *self = user_data;

  /* A second Ctrl+C does not wait for the goodbye. */
  if (self->finishing)
    {
      quit (self);
      return G_SOURCE_CONTINUE;
    }

  /* Ctrl+C is how a chat or an open-ended listen is meant to end. */
  if (self->command == SOTTO_CLI_COMMAND_CHAT)
    {
      g_print ("\n");
      _sotto_cli_finish (self, SOTTO_CLI_EXIT_OK);
    }
  else if (self->command == SOTTO_CLI_COMMAND_LISTEN && self->count == 0)
    _sotto_cli_finish (self, SOTTO_CLI_EXIT_OK);
  else
    _sotto_cli_finish (self, SOTTO_CLI_EXIT_INTERRUPTED);

  return G_SOURCE_CONTINUE;
}

/**
 * sotto_cli_run:
 *
 * Runs sotto-cli with @argv until the command is done or the chat ends.
 *
 * Returns: the exit status, a #SottoCliExit
 */
int
sotto_cli_run (SottoCli  *self,
               int        argc,
               char     **argv)
{
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (SOTTO_IS_CLI (self), SOTTO_CLI_EXIT_USAGE);
  g_return_val_if_fail (self->loop == NULL, SOTTO_CLI_EXIT_USAGE);

  self->stdin_is_tty = isatty (STDIN_FILENO);
  if (!_sotto_cli_parse_options (self, &argc, &argv, &error))
    {
      g_printerr ("sotto-cli: %s\n", error->message);
      return SOTTO_CLI_EXIT_USAGE;
    }

  self->loop = g_main_loop_new (NULL, FALSE);
  self->sigint_id = g_unix_signal_add (SIGINT, interrupted_cb, self);
  self->sigterm_id = g_unix_signal_add (SIGTERM, interrupted_cb, self);
  if (self->timeout > 0)
    self->timeout_id = g_timeout_add_seconds (self->timeout, timeout_cb, self);

  self->client = sotto_client_new (self->data_dir, self->server);
  if (self->pwhash_fast)
    sotto_client_set_pwhash_limits (self->client, crypto_pwhash_OPSLIMIT_MIN,
                                    crypto_pwhash_MEMLIMIT_MIN);
  _sotto_cli_connect (self);
  g_main_loop_run (self->loop);

  _sotto_cli_restore_terminal (self);
  return self->status;
}
