/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gio/gunixinputstream.h>
#include <glib/gi18n-lib.h>
#include <sodium.h>
#include <stdio.h>
#include <termios.h>
#include <unistd.h>

#include "sotto-cli-print.h"
#include "sotto-cli-terminal.h"

/*
 * Standard input, read a line at a time without ever blocking the loop:
 * the chat's lines, and the answers to questions (trust this server?
 * password?). A password is read with the terminal's echo off.
 *
 * Once the run's cancellable is cancelled, nothing more is read and
 * nobody is called back.
 */

struct _SottoCliTerminal
{
  GObject                 parent_instance;

  gboolean                is_tty;
  /* The chat prompts on standard output, a scripted command on
   * standard error. */
  gboolean                chat;
  GCancellable           *cancellable;

  GDataInputStream       *input;
  gboolean                reading;
  gboolean                read_all_lines;
  SottoCliTerminalAnswer  answer;
  gpointer                answer_data;
  gboolean                answer_secret;
  gboolean                echo_off;
  struct termios          saved_termios;
};

enum {
  LINE,
  END,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SottoCliTerminal, sotto_cli_terminal, G_TYPE_OBJECT)

static void
sotto_cli_terminal_dispose (GObject *object)
{
  SottoCliTerminal *self = SOTTO_CLI_TERMINAL (object);

  sotto_cli_terminal_restore (self);
  g_clear_object (&self->input);

  G_OBJECT_CLASS (sotto_cli_terminal_parent_class)->dispose (object);
}

static void
sotto_cli_terminal_finalize (GObject *object)
{
  SottoCliTerminal *self = SOTTO_CLI_TERMINAL (object);

  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (sotto_cli_terminal_parent_class)->finalize (object);
}

static void
sotto_cli_terminal_class_init (SottoCliTerminalClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sotto_cli_terminal_dispose;
  object_class->finalize = sotto_cli_terminal_finalize;

  /**
   * SottoCliTerminal::line:
   * @line: a line read once sotto_cli_terminal_read_lines() was called,
   *   that was no answer to a question
   */
  signals[LINE] =
    g_signal_new ("line", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);

  /**
   * SottoCliTerminal::end:
   *
   * The input ended while sotto_cli_terminal_read_lines() read it.
   */
  signals[END] =
    g_signal_new ("end", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
sotto_cli_terminal_init (SottoCliTerminal *self)
{
}

/**
 * sotto_cli_terminal_new:
 * @is_tty: whether the standard input is a terminal
 * @chat: prompt on standard output, as the chat does, rather than on
 *   standard error
 * @cancellable: the run's; cancelled when the run ends
 */
SottoCliTerminal *
sotto_cli_terminal_new (gboolean      is_tty,
                        gboolean      chat,
                        GCancellable *cancellable)
{
  SottoCliTerminal *self;

  g_return_val_if_fail (G_IS_CANCELLABLE (cancellable), NULL);

  self = g_object_new (SOTTO_TYPE_CLI_TERMINAL, NULL);
  self->is_tty = is_tty;
  self->chat = chat;
  self->cancellable = g_object_ref (cancellable);

  return self;
}

gboolean
sotto_cli_terminal_is_tty (SottoCliTerminal *self)
{
  g_return_val_if_fail (SOTTO_IS_CLI_TERMINAL (self), FALSE);

  return self->is_tty;
}

static void
echo_off (SottoCliTerminal *self)
{
  struct termios quiet;

  if (!self->is_tty || self->echo_off ||
      tcgetattr (STDIN_FILENO, &self->saved_termios) != 0)
    return;

  quiet = self->saved_termios;
  quiet.c_lflag &= ~ECHO;
  /* The Enter that ends the password still moves to the next line. */
  quiet.c_lflag |= ECHONL;
  if (tcsetattr (STDIN_FILENO, TCSANOW, &quiet) == 0)
    self->echo_off = TRUE;
}

/**
 * sotto_cli_terminal_restore:
 *
 * Turns the echo back on if a password was being read. Safe to call at
 * any time; the end of every run calls it.
 */
void
sotto_cli_terminal_restore (SottoCliTerminal *self)
{
  g_return_if_fail (SOTTO_IS_CLI_TERMINAL (self));

  if (!self->echo_off)
    return;

  tcsetattr (STDIN_FILENO, TCSANOW, &self->saved_termios);
  self->echo_off = FALSE;
}

static void read_next_line (SottoCliTerminal *self);

static void
line_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(SottoCliTerminal) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  SottoCliTerminalAnswer answer = self->answer;
  gpointer answer_data = self->answer_data;
  gboolean secret = self->answer_secret;
  gsize length = 0;

  self->reading = FALSE;
  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object), result,
                                                    &length, &error);
  if (g_cancellable_is_cancelled (self->cancellable) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      if (line != NULL)
        sodium_memzero (line, length);
      return;
    }

  if (error != NULL && error->domain == G_CONVERT_ERROR)
    {
      sotto_cli_say (self->chat, _("That line is not UTF-8; it was ignored."));
      read_next_line (self);
      return;
    }

  if (line != NULL && length > 0 && line[length - 1] == '\r')
    line[--length] = '\0';

  if (answer != NULL)
    {
      self->answer = NULL;
      self->answer_data = NULL;
      self->answer_secret = FALSE;
      if (secret)
        sotto_cli_terminal_restore (self);
      answer (self, line, answer_data);
      if (line == NULL && self->read_all_lines)
        g_signal_emit (self, signals[END], 0);
    }
  else if (self->read_all_lines && line != NULL)
    g_signal_emit (self, signals[LINE], 0, line);
  else if (self->read_all_lines)
    g_signal_emit (self, signals[END], 0);

  if (line != NULL)
    {
      if (secret)
        sodium_memzero (line, length);
      if (self->answer != NULL || self->read_all_lines)
        read_next_line (self);
    }
}

static void
read_next_line (SottoCliTerminal *self)
{
  if (self->reading || g_cancellable_is_cancelled (self->cancellable))
    return;

  if (self->input == NULL)
    {
      g_autoptr(GInputStream) in = g_unix_input_stream_new (STDIN_FILENO, FALSE);

      self->input = g_data_input_stream_new (in);
    }

  self->reading = TRUE;
  g_data_input_stream_read_line_async (self->input, G_PRIORITY_DEFAULT, self->cancellable,
                                       line_cb, g_object_ref (self));
}

/**
 * sotto_cli_terminal_ask:
 * @secret: read the answer with the terminal's echo off
 *
 * Asks a question; the next line of input goes to @answer, and not to
 * #SottoCliTerminal::line. One question at a time.
 */
void
sotto_cli_terminal_ask (SottoCliTerminal       *self,
                        const char             *prompt,
                        gboolean                secret,
                        SottoCliTerminalAnswer  answer,
                        gpointer                user_data)
{
  FILE *out;

  g_return_if_fail (SOTTO_IS_CLI_TERMINAL (self));
  g_return_if_fail (answer != NULL);
  g_assert (self->answer == NULL);

  out = self->chat ? stdout : stderr;
  self->answer = answer;
  self->answer_data = user_data;
  self->answer_secret = secret;
  /* Echo goes off before the prompt shows, so nothing typed after it is seen. */
  if (secret)
    echo_off (self);
  fputs (prompt, out);
  fflush (out);
  read_next_line (self);
}

/**
 * sotto_cli_terminal_read_lines:
 *
 * Reads every line from now on, until the input ends: each comes as
 * #SottoCliTerminal::line, and the end as #SottoCliTerminal::end. The
 * chat reads its input so.
 */
void
sotto_cli_terminal_read_lines (SottoCliTerminal *self)
{
  g_return_if_fail (SOTTO_IS_CLI_TERMINAL (self));

  self->read_all_lines = TRUE;
  read_next_line (self);
}
