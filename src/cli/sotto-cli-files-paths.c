/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <sodium.h>
#include <string.h>

#include "sotto-cli-files-private.h"

/*
 * Where files come from and go: send-file reads only a regular file the
 * user may read, and says so before anything is sent; fetch-file saves
 * under the sender's name made safe, in a name nobody took, and replaces
 * a file only when told to with --force. The checks that need no server
 * run before connecting, so a typo costs no login.
 */

/* How many numbered names fetch-file tries in a folder before it gives
 * up: "name (1).ext" to "name (999).ext". */
#define MAX_NUMBERED 999

/* The longest file name most file systems take, in bytes. */
#define NAME_MAX_BYTES 255

/**
 * _sotto_cli_files_parse_ref:
 * @text: what the user typed: a message's number, or a file's ID in hex
 *
 * Returns: whether @text names a file message
 */
gboolean
_sotto_cli_files_parse_ref (const char      *text,
                            SottoCliFileRef *ref)
{
  gsize length = strlen (text);
  guint64 seq;

  memset (ref, 0, sizeof *ref);
  if (length == 2 * SOTTO_FILE_ID_BYTES)
    {
      for (gsize i = 0; i < length; i++)
        if (!g_ascii_isxdigit (text[i]))
          return FALSE;
      return sodium_hex2bin (ref->id, sizeof ref->id, text, length, NULL, NULL, NULL) == 0;
    }

  if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXINT64, &seq, NULL))
    return FALSE;
  ref->seq = (gint64) seq;
  return TRUE;
}

/**
 * _sotto_cli_files_numbered_name:
 * @name: a safe file name
 * @number: 0 for @name itself
 *
 * Returns: @name with " (@number)" before its extension, "report (2).pdf",
 *   cut short enough for a file system
 */
char *
_sotto_cli_files_numbered_name (const char *name,
                                guint       number)
{
  g_autofree char *stem = NULL;
  g_autofree char *suffix = NULL;
  const char *dot = strrchr (name, '.');
  gsize room;

  if (number == 0)
    return g_strdup (name);

  /* A safe name never starts with a dot: one there is no extension. */
  if (dot == NULL || dot == name)
    dot = name + strlen (name);
  stem = g_strndup (name, dot - name);
  suffix = g_strdup_printf (" (%u)%s", number, dot);

  /* Cut the stem, between characters, to leave room for the suffix. */
  room = strlen (suffix) < NAME_MAX_BYTES ? NAME_MAX_BYTES - strlen (suffix) : 0;
  if (strlen (stem) > room)
    {
      const char *end = g_utf8_find_prev_char (stem, stem + room + 1);

      stem[end != NULL ? end - stem : 0] = '\0';
    }
  return g_strconcat (stem, suffix, NULL);
}

static gboolean
is_folder (const char *path)
{
  return g_file_test (path, G_FILE_TEST_IS_DIR);
}

/**
 * _sotto_cli_files_save_folder:
 *
 * Returns: (nullable): the folder fetch-file saves in under the sender's
 *   name: PATH when it is a folder, the current folder without PATH;
 *   %NULL when PATH names the file itself
 */
char *
_sotto_cli_files_save_folder (SottoCliOptions *options)
{
  if (options->path_arg == NULL)
    return g_get_current_dir ();
  if (is_folder (options->path_arg))
    return g_strdup (options->path_arg);
  return NULL;
}

static gboolean
check_source (const char  *path,
              GError     **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(GError) local_error = NULL;

  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_TYPE, G_FILE_QUERY_INFO_NONE, NULL,
                            &local_error);
  if (info == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                     _("There is no file %s"), path);
      else
        g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                     _("Could not look at %s: %s"), path, local_error->message);
      return FALSE;
    }

  switch (g_file_info_get_file_type (info))
    {
    case G_FILE_TYPE_REGULAR:
      break;
    case G_FILE_TYPE_DIRECTORY:
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("%s is a folder: send one file at a time"), path);
      return FALSE;
    default:
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("%s is not a file that can be sent"), path);
      return FALSE;
    }

  /* Opening it is the only sure way to know it can be read. */
  stream = g_file_read (file, NULL, &local_error);
  if (stream == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED))
        g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                     _("You may not read %s"), path);
      else
        g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                     _("Could not read %s: %s"), path, local_error->message);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_writable_folder (const char  *folder,
                       GError     **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (folder);
  g_autoptr(GFileInfo) info = NULL;

  if (!is_folder (folder))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("There is no folder %s to save in"), folder);
      return FALSE;
    }
  info = g_file_query_info (file, G_FILE_ATTRIBUTE_ACCESS_CAN_WRITE, G_FILE_QUERY_INFO_NONE,
                            NULL, NULL);
  if (info != NULL && g_file_info_has_attribute (info, G_FILE_ATTRIBUTE_ACCESS_CAN_WRITE) &&
      !g_file_info_get_attribute_boolean (info, G_FILE_ATTRIBUTE_ACCESS_CAN_WRITE))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("You may not save files in %s"), folder);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_destination (SottoCliOptions  *options,
                   GError          **error)
{
  g_autofree char *folder = _sotto_cli_files_save_folder (options);
  g_autofree char *parent = NULL;

  if (folder != NULL)
    return check_writable_folder (folder, error);

  parent = g_path_get_dirname (options->path_arg);
  if (!check_writable_folder (parent, error))
    return FALSE;
  if (!options->force && g_file_test (options->path_arg, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("%s is there already: use --force to replace it"), options->path_arg);
      return FALSE;
    }
  return TRUE;
}

/**
 * sotto_cli_files_check_arguments:
 *
 * Checks what send-file and fetch-file can check before connecting: the
 * file to send can be read, the folder to save in is there, the message
 * or file is named as it can be. Errors are %G_OPTION_ERROR errors.
 *
 * Returns: whether the command can go on
 */
gboolean
sotto_cli_files_check_arguments (SottoCliOptions  *options,
                                 GError          **error)
{
  SottoCliFileRef ref;

  g_return_val_if_fail (options != NULL, FALSE);

  switch (options->command)
    {
    case SOTTO_CLI_COMMAND_SEND_FILE:
      return check_source (options->path_arg, error);

    case SOTTO_CLI_COMMAND_FETCH_FILE:
      if (!_sotto_cli_files_parse_ref (options->text_arg, &ref))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("“%s” is neither a message’s number nor a file’s ID"),
                       options->text_arg);
          return FALSE;
        }
      return check_destination (options, error);

    default:
      return TRUE;
    }
}

/* Takes @path if nobody has: made empty, for the file to replace once
 * it is whole. */
static gboolean
take_name (GFile   *path,
           GError **error)
{
  g_autoptr(GFileOutputStream) stream = g_file_create (path, G_FILE_CREATE_NONE, NULL, error);

  return stream != NULL && g_output_stream_close (G_OUTPUT_STREAM (stream), NULL, error);
}

/**
 * _sotto_cli_files_reserve:
 * @sender_name: the file's name as its sender gave it
 * @reserved: (out): whether the file returned was made here, empty, to
 *   hold the name until the file replaces it
 *
 * Picks where fetch-file saves: PATH, or in the folder under the sender's
 * name made safe, numbered when it is taken (replaced with --force).
 * Without --force, the name is taken at once, so nobody else can take it
 * meanwhile.
 *
 * Returns: (transfer full) (nullable): where to save, or %NULL with
 *   @error set
 */
GFile *
_sotto_cli_files_reserve (SottoCliOptions  *options,
                          const char       *sender_name,
                          gboolean         *reserved,
                          GError          **error)
{
  g_autofree char *folder = _sotto_cli_files_save_folder (options);
  g_autofree char *safe = NULL;
  g_autoptr(GError) local_error = NULL;

  *reserved = FALSE;
  if (folder == NULL)
    {
      g_autoptr(GFile) path = g_file_new_for_path (options->path_arg);

      if (options->force)
        return g_steal_pointer (&path);
      if (!take_name (path, &local_error))
        {
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_EXISTS))
            g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                         _("%s is there already: use --force to replace it"),
                         options->path_arg);
          else
            g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      *reserved = TRUE;
      return g_steal_pointer (&path);
    }

  safe = sotto_file_message_safe_name (sender_name);
  if (options->force)
    {
      g_autofree char *path = g_build_filename (folder, safe, NULL);

      return g_file_new_for_path (path);
    }

  for (guint number = 0; number <= MAX_NUMBERED; number++)
    {
      g_autofree char *name = _sotto_cli_files_numbered_name (safe, number);
      g_autofree char *path = g_build_filename (folder, name, NULL);
      g_autoptr(GFile) file = g_file_new_for_path (path);

      g_clear_error (&local_error);
      if (take_name (file, &local_error))
        {
          *reserved = TRUE;
          return g_steal_pointer (&file);
        }
      if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_EXISTS))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
    }

  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               _("%s and the numbered names after it are all taken in %s"), safe, folder);
  return NULL;
}
