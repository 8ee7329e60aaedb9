/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-console.h"

/*
 * The operator console: one command a line on standard input, answers on
 * standard output. The end of the input ends the console, not the server.
 */

struct _SottoConsole
{
  GObject           parent_instance;

  SottoServer      *server;
  GDataInputStream *input;
  GOutputStream    *output;
  GCancellable     *cancellable;
};

enum {
  QUIT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SottoConsole, sotto_console, G_TYPE_OBJECT)

static void
sotto_console_dispose (GObject *object)
{
  SottoConsole *self = SOTTO_CONSOLE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->input);
  g_clear_object (&self->output);
  g_clear_object (&self->server);

  G_OBJECT_CLASS (sotto_console_parent_class)->dispose (object);
}

static void
sotto_console_finalize (GObject *object)
{
  SottoConsole *self = SOTTO_CONSOLE (object);

  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (sotto_console_parent_class)->finalize (object);
}

static void
sotto_console_class_init (SottoConsoleClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sotto_console_dispose;
  object_class->finalize = sotto_console_finalize;

  /**
   * SottoConsole::quit:
   *
   * The operator asked the server to stop.
   */
  signals[QUIT] =
    g_signal_new ("quit",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
sotto_console_init (SottoConsole *self)
{
  self->cancellable = g_cancellable_new ();
}

SottoConsole *
sotto_console_new (SottoServer   *server,
                   GInputStream  *input,
                   GOutputStream *output)
{
  SottoConsole *self;

  g_return_val_if_fail (SOTTO_IS_SERVER (server), NULL);
  g_return_val_if_fail (G_IS_INPUT_STREAM (input), NULL);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (output), NULL);

  self = g_object_new (SOTTO_TYPE_CONSOLE, NULL);
  self->server = g_object_ref (server);
  self->input = g_data_input_stream_new (input);
  self->output = g_object_ref (output);
  g_data_input_stream_set_newline_type (self->input, G_DATA_STREAM_NEWLINE_TYPE_ANY);

  return self;
}

/* The words of @rest, without the empty ones between repeated blanks. */
static GStrv
split_arguments (const char *rest)
{
  GStrv args = g_strsplit_set (rest, " \t", -1);
  guint n = 0;

  for (guint i = 0; args[i] != NULL; i++)
    if (args[i][0] != '\0')
      args[n++] = args[i];
    else
      g_free (args[i]);
  args[n] = NULL;

  return args;
}

static const char help_text[] =
  N_("Commands:\n"
     "  /help                 this list\n"
     "  /users                who is online, and every known account\n"
     "  /rooms                every room with its members and events\n"
     "  /broadcast TEXT       a server notice to everyone online\n"
     "  /kick USER ROOM       remove USER from ROOM and keep them out\n"
     "  /kick USER            disconnect every connection of USER\n"
     "  /unban USER ROOM      let USER join ROOM again\n"
     "  /quit                 stop the server");

/**
 * sotto_console_execute:
 * @line: one command line
 * @quit: (out): set when the command asks the server to stop
 *
 * Returns: (transfer full): the answer for the operator
 */
char *
sotto_console_execute (SottoConsole *self,
                       const char   *line,
                       gboolean     *quit)
{
  g_autofree char *stripped = g_strstrip (g_strdup (line));
  g_auto(GStrv) words = NULL;
  const char *rest;

  *quit = FALSE;

  if (stripped[0] == '\0')
    return g_strdup ("");

  words = g_strsplit_set (stripped, " \t", 2);
  rest = words[1] != NULL ? g_strstrip (words[1]) : "";

  if (g_str_equal (words[0], "/help"))
    return g_strdup (_(help_text));

  if (g_str_equal (words[0], "/users"))
    return sotto_server_describe_users (self->server);

  if (g_str_equal (words[0], "/rooms"))
    return sotto_server_describe_rooms (self->server);

  if (g_str_equal (words[0], "/broadcast"))
    {
      if (rest[0] == '\0')
        return g_strdup (_("Usage: /broadcast TEXT"));
      if (g_utf8_strlen (rest, -1) > 2000)
        return g_strdup (_("A notice is at most 2000 characters"));
      sotto_server_broadcast (self->server, rest);
      return g_strdup (_("Sent to everyone online."));
    }

  if (g_str_equal (words[0], "/kick"))
    {
      g_auto(GStrv) args = split_arguments (rest);
      g_autoptr(GError) error = NULL;
      guint n = g_strv_length (args);

      if (n < 1 || n > 2)
        return g_strdup (_("Usage: /kick USER [ROOM]"));
      if (!sotto_server_operator_kick (self->server, args[0], args[1], &error))
        return g_strdup (error->message);
      return n == 2 ? g_strdup_printf (_("%s was removed from %s."), args[0], args[1])
                    : g_strdup_printf (_("%s was disconnected."), args[0]);
    }

  if (g_str_equal (words[0], "/unban"))
    {
      g_auto(GStrv) args = split_arguments (rest);
      g_autoptr(GError) error = NULL;

      if (g_strv_length (args) != 2)
        return g_strdup (_("Usage: /unban USER ROOM"));
      if (!sotto_server_operator_unban (self->server, args[0], args[1], &error))
        return g_strdup (error->message);
      return g_strdup_printf (_("%s may join %s again."), args[0], args[1]);
    }

  if (g_str_equal (words[0], "/quit"))
    {
      *quit = TRUE;
      return g_strdup (_("Stopping the server."));
    }

  return g_strdup_printf (_("Unknown command %s; type /help for the list."), words[0]);
}

static void read_next_line (SottoConsole *self);

static void
line_read_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(SottoConsole) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  g_autofree char *answer = NULL;
  gboolean quit = FALSE;

  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object), result,
                                                    NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (line == NULL)
    {
      /* End of input, or not text: the server goes on without a console. */
      if (error != NULL)
        g_warning ("The console stopped: %s", error->message);
      return;
    }

  answer = sotto_console_execute (self, line, &quit);
  if (answer[0] != '\0')
    {
      g_autofree char *out = g_strconcat (answer, "\n", NULL);

      g_output_stream_write_all (self->output, out, strlen (out), NULL, NULL, NULL);
      g_output_stream_flush (self->output, NULL, NULL);
    }

  if (quit)
    {
      g_signal_emit (self, signals[QUIT], 0);
      return;
    }

  read_next_line (self);
}

static void
read_next_line (SottoConsole *self)
{
  g_data_input_stream_read_line_async (self->input, G_PRIORITY_DEFAULT, self->cancellable,
                                       line_read_cb, g_object_ref (self));
}

void
sotto_console_start (SottoConsole *self)
{
  g_return_if_fail (SOTTO_IS_CONSOLE (self));

  read_next_line (self);
}
