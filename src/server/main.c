/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n-lib.h>
#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>
#include <locale.h>
#include <sodium.h>
#include <stdio.h>
#include <unistd.h>

#include "sotto-console.h"
#include "sotto-frame.h"
#include "sotto-migrate.h"
#include "sotto-server.h"

typedef struct
{
  GMainLoop   *loop;
  SottoServer *server;
  gboolean     stopping;
  int          status;
} App;

static void
shutdown_done_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  App *app = user_data;
  g_autoptr(GError) error = NULL;

  if (!sotto_server_shutdown_finish (SOTTO_SERVER (object), result, &error))
    {
      g_printerr ("%s\n", error->message);
      app->status = 1;
    }

  g_main_loop_quit (app->loop);
}

static void
app_stop (App *app)
{
  if (app->stopping)
    return;

  app->stopping = TRUE;
  g_message ("Shutting down");
  sotto_server_shutdown_async (app->server, shutdown_done_cb, app);
}

static gboolean
signal_cb (gpointer user_data)
{
  app_stop (user_data);
  return G_SOURCE_CONTINUE;
}

static void
console_quit_cb (SottoConsole *console,
                 gpointer      user_data)
{
  app_stop (user_data);
}

static gboolean
drain_timeout_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
drain_main_context (void)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (50, drain_timeout_cb, &timed_out);

  while (!timed_out)
    g_main_context_iteration (NULL, TRUE);

  if (!timed_out)
    g_source_remove (id);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(SottoServerConfig) config = sotto_server_config_new ();
  g_autoptr(SottoServer) server = NULL;
  g_autoptr(SottoConsole) console = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *addresses;
  gboolean want_console;
  App app = { 0 };

  /* Whoever reads stdout through a pipe gets each line as it is written. */
  setvbuf (stdout, NULL, _IOLBF, 0);

  sotto_frame_tune_memory ();
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (sodium_init () < 0)
    {
      g_printerr ("%s\n", _("The cryptography library could not start"));
      return 1;
    }

  if (!sotto_server_config_parse (config, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  if (config->verbose)
    g_log_set_debug_enabled (TRUE);
  want_console = config->console;

  /* An offline command: the server does not start. */
  if (config->migrate_to != NULL)
    {
      g_autofree char *db_path = g_build_filename (config->data_dir, "sotto.db", NULL);
      g_autoptr(GString) report = g_string_new (NULL);

      if (!sotto_migrate_to_postgres (db_path, config->migrate_to, report, &error))
        {
          g_printerr ("%s\n", error->message);
          g_printerr ("%s\n", _("Nothing was written to PostgreSQL."));
          return 1;
        }
      g_print ("%s", report->str);
      g_print ("%s\n", _("Copied, and checked table by table."));
      return 0;
    }

  server = sotto_server_new (g_steal_pointer (&config), &error);
  if (server == NULL || !sotto_server_listen (server, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  loop = g_main_loop_new (NULL, FALSE);
  app.loop = loop;
  app.server = server;

  /* Before the lines below: whoever reads them may stop us at once. */
  g_unix_signal_add (SIGINT, signal_cb, &app);
  g_unix_signal_add (SIGTERM, signal_cb, &app);

  /* Tests and scripts read these lines: keep their form. */
  addresses = sotto_server_get_listen_addresses (server);
  for (guint i = 0; i < addresses->len; i++)
    g_print ("listening on %s\n", (const char *) g_ptr_array_index (addresses, i));
  g_print ("fingerprint: %s\n", sotto_server_get_fingerprint (server));


  if (isatty (STDIN_FILENO) || want_console)
    {
      g_autoptr(GInputStream) in = g_unix_input_stream_new (STDIN_FILENO, FALSE);
      g_autoptr(GOutputStream) out = g_unix_output_stream_new (STDOUT_FILENO, FALSE);

      console = sotto_console_new (server, in, out);
      g_signal_connect (console, "quit", G_CALLBACK (console_quit_cb), &app);
      sotto_console_start (console);
      if (isatty (STDIN_FILENO))
        g_print ("%s\n", _("Type /help for the operator commands."));
    }

  g_main_loop_run (loop);

  /* Let the connections' last closes finish before the process ends. */
  g_clear_object (&console);
  g_clear_object (&server);
  drain_main_context ();

  return app.status;
}
