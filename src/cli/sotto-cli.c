/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n-lib.h>
#include <sodium.h>
#include <unistd.h>

#include "sotto-cli.h"
#include "sotto-cli-chat.h"
#include "sotto-cli-commands.h"
#include "sotto-cli-connect.h"
#include "sotto-cli-files.h"
#include "sotto-cli-format.h"
#include "sotto-cli-login.h"
#include "sotto-cli-options.h"
#include "sotto-cli-rooms.h"
#include "sotto-cli-terminal.h"

/*
 * SottoCli is one run of sotto-cli: the command line, the client core
 * under it, and the way the run ends. Everything happens on one main
 * loop. It owns the parts and connects them, and they depend on each
 * other one way only: connecting (SottoCliConnect) is the same for the
 * scripted commands (SottoCliCommands) and the chat (SottoCliChat), which
 * take over once connected; all of them log in through SottoCliLogin,
 * read the terminal through SottoCliTerminal and open rooms through
 * SottoCliRooms.
 *
 * A part that ends the run emits "done" with the exit status. The run
 * then cancels its cancellable, which every part holds: from then on no
 * part calls anybody back. The goodbye to the server goes out before the
 * loop stops.
 */

/* How long the goodbye to the server may take at the end. */
#define CLOSE_WAIT_MS 2000

/* How long the end waits for the keys still being handed over (every
 * HANDOVER_POLL_MS, at most HANDOVER_WAIT_MS): what was just sent is read
 * by the others only once they have the key it was sealed with. */
#define HANDOVER_POLL_MS 50
#define HANDOVER_WAIT_MS 15000

struct _SottoCli
{
  GObject           parent_instance;

  SottoCliOptions  *options;
  SottoClient      *client;
  SottoCliTerminal *terminal;
  SottoCliRooms    *rooms;
  SottoCliLogin    *login;
  SottoCliConnect  *connect;
  SottoCliChat     *chat;
  SottoCliCommands *commands;

  GMainLoop        *loop;
  GCancellable     *cancellable;
  int               status;
  gboolean          finishing;
  guint             timeout_id;
  guint             sigint_id;
  guint             sigterm_id;
  guint             finish_id;
  guint             close_wait_id;
  guint             handover_waited_ms;
  gulong            close_state_id;
};

G_DEFINE_FINAL_TYPE (SottoCli, sotto_cli, G_TYPE_OBJECT)

static void
sotto_cli_dispose (GObject *object)
{
  SottoCli *self = SOTTO_CLI (object);

  g_cancellable_cancel (self->cancellable);
  if (self->terminal != NULL)
    sotto_cli_terminal_restore (self->terminal);
  g_clear_handle_id (&self->timeout_id, g_source_remove);
  g_clear_handle_id (&self->sigint_id, g_source_remove);
  g_clear_handle_id (&self->sigterm_id, g_source_remove);
  g_clear_handle_id (&self->finish_id, g_source_remove);
  g_clear_handle_id (&self->close_wait_id, g_source_remove);
  if (self->client != NULL)
    g_clear_signal_handler (&self->close_state_id, self->client);
  if (self->rooms != NULL)
    sotto_cli_rooms_cancel_openings (self->rooms);
  g_clear_object (&self->chat);
  g_clear_object (&self->commands);
  g_clear_object (&self->connect);
  g_clear_object (&self->login);
  g_clear_object (&self->rooms);
  g_clear_object (&self->terminal);
  g_clear_object (&self->client);
  g_clear_pointer (&self->loop, g_main_loop_unref);

  G_OBJECT_CLASS (sotto_cli_parent_class)->dispose (object);
}

static void
sotto_cli_finalize (GObject *object)
{
  SottoCli *self = SOTTO_CLI (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->options, sotto_cli_options_unref);

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
  if (sotto_client_get_connected (self->client) &&
      sotto_client_is_handing_over_keys (self->client) &&
      self->handover_waited_ms < HANDOVER_WAIT_MS)
    {
      self->handover_waited_ms += HANDOVER_POLL_MS;
      self->finish_id = g_timeout_add (HANDOVER_POLL_MS, close_cb, self);
      return G_SOURCE_REMOVE;
    }

  /* Nothing more is printed: the chat and the commands go with what they
   * watch. */
  sotto_cli_rooms_cancel_openings (self->rooms);
  g_clear_object (&self->chat);
  g_clear_object (&self->commands);

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

/* Ends the run with @status, a #SottoCliExit; the first call wins. The
 * client is closed from an idle, never inside the signal emission that
 * led here. */
static void
finish (SottoCli *self,
        int       status)
{
  if (self->finishing)
    return;

  self->finishing = TRUE;
  self->status = status;
  g_cancellable_cancel (self->cancellable);
  sotto_cli_terminal_restore (self->terminal);
  g_clear_handle_id (&self->timeout_id, g_source_remove);
  self->finish_id = g_idle_add (close_cb, self);
}

/* What the parts say */

static void
done_cb (GObject  *part,
         int       status,
         gpointer  user_data)
{
  finish (user_data, status);
}

static void
connected_cb (SottoCliConnect *connect,
              gpointer         user_data)
{
  SottoCli *self = user_data;

  if (self->chat != NULL)
    sotto_cli_chat_start (self->chat);
  else
    sotto_cli_commands_start (self->commands);
}

/* Signals and time */

static gboolean
timeout_cb (gpointer user_data)
{
  SottoCli *self = user_data;

  self->timeout_id = 0;
  if (self->options->command == SOTTO_CLI_COMMAND_LISTEN)
    {
      sotto_cli_commands_timed_out (self->commands);
      return G_SOURCE_REMOVE;
    }

  /* A file may take longer than --timeout: it gives up only once nothing
   * moved for that long. */
  if (self->commands != NULL && sotto_cli_commands_get_moved_at (self->commands) > 0)
    {
      gint64 still = g_get_monotonic_time () - sotto_cli_commands_get_moved_at (self->commands);
      gint64 limit = (gint64) self->options->timeout * G_TIME_SPAN_SECOND;

      if (still < limit)
        {
          self->timeout_id = g_timeout_add ((guint) ((limit - still) / 1000) + 1, timeout_cb,
                                            self);
          return G_SOURCE_REMOVE;
        }
      sotto_cli_commands_timed_out (self->commands);
      return G_SOURCE_REMOVE;
    }

  g_printerr (_("sotto-cli: gave up after %d seconds\n"), self->options->timeout);
  finish (self, SOTTO_CLI_EXIT_TIMEOUT);
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
  if (self->options->command == SOTTO_CLI_COMMAND_CHAT)
    {
      g_print ("\n");
      finish (self, SOTTO_CLI_EXIT_OK);
    }
  else if (self->options->command == SOTTO_CLI_COMMAND_LISTEN && self->options->count == 0)
    finish (self, SOTTO_CLI_EXIT_OK);
  else
    finish (self, SOTTO_CLI_EXIT_INTERRUPTED);

  return G_SOURCE_CONTINUE;
}

/* Making the parts */

static void
make_parts (SottoCli *self,
            gboolean  stdin_is_tty)
{
  SottoCliOptions *options = self->options;
  gboolean chat = options->command == SOTTO_CLI_COMMAND_CHAT;

  self->client = sotto_client_new (options->data_dir, options->server);
  if (options->pwhash_fast)
    sotto_client_set_pwhash_limits (self->client, crypto_pwhash_OPSLIMIT_MIN,
                                    crypto_pwhash_MEMLIMIT_MIN);

  self->terminal = sotto_cli_terminal_new (stdin_is_tty, chat, self->cancellable);
  self->rooms = sotto_cli_rooms_new (self->client, self->cancellable);
  self->login = sotto_cli_login_new (self->client, self->terminal, chat,
                                     sotto_cli_options_steal_password (options),
                                     self->cancellable);
  self->connect = sotto_cli_connect_new (self->client, self->terminal, options,
                                         self->cancellable);
  g_signal_connect (self->login, "done", G_CALLBACK (done_cb), self);
  g_signal_connect (self->connect, "done", G_CALLBACK (done_cb), self);
  g_signal_connect (self->connect, "connected", G_CALLBACK (connected_cb), self);

  if (chat)
    {
      self->chat = sotto_cli_chat_new (self->client, self->terminal, self->rooms, self->login,
                                       options, self->cancellable);
      g_signal_connect (self->chat, "done", G_CALLBACK (done_cb), self);
    }
  else
    {
      self->commands = sotto_cli_commands_new (self->client, self->rooms, self->login, options,
                                               self->cancellable);
      g_signal_connect (self->commands, "done", G_CALLBACK (done_cb), self);
    }
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
  gboolean stdin_is_tty;

  g_return_val_if_fail (SOTTO_IS_CLI (self), SOTTO_CLI_EXIT_USAGE);
  g_return_val_if_fail (self->loop == NULL, SOTTO_CLI_EXIT_USAGE);

  stdin_is_tty = isatty (STDIN_FILENO);
  self->options = sotto_cli_options_parse (&argc, &argv, stdin_is_tty, &error);
  if (self->options == NULL)
    {
      g_printerr ("sotto-cli: %s\n", error->message);
      return SOTTO_CLI_EXIT_USAGE;
    }

  /* What can be wrong with a file to send or a folder to save in is
   * told before connecting. */
  if (!sotto_cli_files_check_arguments (self->options, &error))
    {
      g_printerr ("sotto-cli: %s\n", error->message);
      return SOTTO_CLI_EXIT_USAGE;
    }

  self->loop = g_main_loop_new (NULL, FALSE);
  self->sigint_id = g_unix_signal_add (SIGINT, interrupted_cb, self);
  self->sigterm_id = g_unix_signal_add (SIGTERM, interrupted_cb, self);
  if (self->options->timeout > 0)
    self->timeout_id = g_timeout_add_seconds (self->options->timeout, timeout_cb, self);

  make_parts (self, stdin_is_tty);
  sotto_cli_connect_start (self->connect);
  g_main_loop_run (self->loop);

  sotto_cli_terminal_restore (self->terminal);
  return self->status;
}
