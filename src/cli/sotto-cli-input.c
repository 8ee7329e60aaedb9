/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gio/gunixinputstream.h>
#include <glib/gi18n-lib.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sotto-cli-private.h"

/*
 * Standard input, read a line at a time without ever blocking the loop:
 * the chat's lines, and the answers to questions (trust this server?
 * password?). A password is read with the terminal's echo off.
 */

void
_sotto_cli_wipe_string (char **string)
{
  if (*string == NULL)
    return;

  sodium_memzero (*string, strlen (*string));
  g_clear_pointer (string, g_free);
}

static void
echo_off (SottoCli *self)
{
  struct termios quiet;

  if (!self->stdin_is_tty || self->echo_off ||
      tcgetattr (STDIN_FILENO, &self->saved_termios) != 0)
    return;

  quiet = self->saved_termios;
  quiet.c_lflag &= ~ECHO;
  /* The Enter that ends the password still moves to the next line. */
  quiet.c_lflag |= ECHONL;
  if (tcsetattr (STDIN_FILENO, TCSANOW, &quiet) == 0)
    self->echo_off = TRUE;
}

/* Safe to call at any time; the end of every run calls it. */
void
_sotto_cli_restore_terminal (SottoCli *self)
{
  if (!self->echo_off)
    return;

  tcsetattr (STDIN_FILENO, TCSANOW, &self->saved_termios);
  self->echo_off = FALSE;
}

static void read_next_line (SottoCli *self);

static void
line_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(SottoCli) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  SottoCliAnswer answer = self->answer;
  gboolean secret = self->answer_secret;
  gsize length = 0;

  self->reading = FALSE;
  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object), result,
                                                    &length, &error);
  if (self->finishing || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      if (line != NULL)
        sodium_memzero (line, length);
      return;
    }

  if (error != NULL && error->domain == G_CONVERT_ERROR)
    {
      _sotto_cli_say (self, _("That line is not UTF-8; it was ignored."));
      read_next_line (self);
      return;
    }

  if (line != NULL && length > 0 && line[length - 1] == '\r')
    line[--length] = '\0';

  if (answer != NULL)
    {
      self->answer = NULL;
      self->answer_secret = FALSE;
      if (secret)
        _sotto_cli_restore_terminal (self);
      answer (self, line);
      if (line == NULL && self->read_all_lines)
        _sotto_cli_finish (self, SOTTO_CLI_EXIT_OK);
    }
  else if (self->read_all_lines && line != NULL)
    _sotto_cli_chat_line (self, line);
  else if (self->read_all_lines)
    _sotto_cli_finish (self, SOTTO_CLI_EXIT_OK);

  if (line != NULL)
    {
      if (secret)
        sodium_memzero (line, length);
      if (self->answer != NULL || self->read_all_lines)
        read_next_line (self);
    }
}

static void
read_next_line (SottoCli *self)
{
  if (self->reading || self->finishing)
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
 * _sotto_cli_ask:
 * @secret: read the answer with the terminal's echo off
 *
 * Asks a question; the next line of input goes to @answer.
 */
void
_sotto_cli_ask (SottoCli       *self,
                const char     *prompt,
                gboolean        secret,
                SottoCliAnswer  answer)
{
  FILE *out = self->command == SOTTO_CLI_COMMAND_CHAT ? stdout : stderr;

  g_assert (self->answer == NULL);

  self->answer = answer;
  self->answer_secret = secret;
  /* Echo goes off before the prompt shows, so nothing typed after it is seen. */
  if (secret)
    echo_off (self);
  fputs (prompt, out);
  fflush (out);
  read_next_line (self);
}

/* The chat reads every line, until the input ends. */
void
_sotto_cli_read_all_lines (SottoCli *self)
{
  self->read_all_lines = TRUE;
  read_next_line (self);
}

/**
 * _sotto_cli_load_password:
 *
 * Takes the password from the first line of @password_file. Done once
 * before the main loop runs.
 */
gboolean
_sotto_cli_load_password (SottoCli    *self,
                          const char  *password_file,
                          GError     **error)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize length = 0;
  char *end;

  if (!g_file_get_contents (password_file, &contents, &length, &local_error))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("Could not read the password file: %s"), local_error->message);
      return FALSE;
    }

  end = memchr (contents, '\n', length);
  if (end != NULL)
    *end = '\0';
  length = strlen (contents);
  if (length > 0 && contents[length - 1] == '\r')
    contents[--length] = '\0';

  if (length == 0 || !g_utf8_validate (contents, length, NULL))
    {
      sodium_memzero (contents, length);
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("The first line of %s is not a password"), password_file);
      return FALSE;
    }

  _sotto_cli_wipe_string (&self->password);
  self->password = g_strdup (contents);
  sodium_memzero (contents, length);
  return TRUE;
}

static void
no_password (SottoCli *self)
{
  if (self->command == SOTTO_CLI_COMMAND_CHAT)
    _sotto_cli_say (self, _("No password given."));
  else
    {
      g_printerr ("sotto-cli: %s\n", _("No password given"));
      _sotto_cli_finish (self, SOTTO_CLI_EXIT_USAGE);
    }
}

static void
password_again_cb (SottoCli   *self,
                   const char *line)
{
  if (line == NULL)
    {
      _sotto_cli_wipe_string (&self->pending_password);
      no_password (self);
      return;
    }

  if (g_strcmp0 (line, self->pending_password) != 0)
    {
      _sotto_cli_wipe_string (&self->pending_password);
      if (self->command == SOTTO_CLI_COMMAND_CHAT)
        _sotto_cli_say (self, _("The two passwords differ; nothing was done."));
      else
        {
          g_printerr ("sotto-cli: %s\n", _("The two passwords differ"));
          _sotto_cli_finish (self, SOTTO_CLI_EXIT_USAGE);
        }
      return;
    }

  _sotto_cli_account (self, TRUE, self->pending_user, line);
  _sotto_cli_wipe_string (&self->pending_password);
}

static void
password_cb (SottoCli   *self,
             const char *line)
{
  if (line == NULL || line[0] == '\0')
    {
      no_password (self);
      return;
    }

  if (self->pending_create)
    {
      _sotto_cli_wipe_string (&self->pending_password);
      self->pending_password = g_strdup (line);
      _sotto_cli_ask (self, _("The same password again: "), TRUE, password_again_cb);
      return;
    }

  _sotto_cli_account (self, FALSE, self->pending_user, line);
}

/**
 * _sotto_cli_log_in:
 * @create: register the account rather than log in to it
 *
 * Logs in as @user with the password from the command line or the
 * environment, or else one asked for on the terminal (twice for a new
 * account).
 */
void
_sotto_cli_log_in (SottoCli   *self,
                   gboolean    create,
                   const char *user)
{
  g_free (self->pending_user);
  self->pending_user = g_strdup (user);
  self->pending_create = create;

  if (self->password != NULL)
    {
      _sotto_cli_account (self, create, user, self->password);
      return;
    }

  if (!self->stdin_is_tty)
    {
      no_password (self);
      return;
    }

  _sotto_cli_ask (self, _("Password: "), TRUE, password_cb);
}
