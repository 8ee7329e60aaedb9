/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sotto-file-safety.h"

/*
 * Whether a file someone sent could be a program. The app opens a
 * received file with the desktop's application for its type only when
 * it could not: a program, a script or a launcher would otherwise run
 * with the user's rights at one click, and the sender chose its name, its
 * declared type and its bytes. So all three are asked, and any one that
 * looks like a program is enough.
 */

/* Types that run, or that the desktop hands to something that runs them.
 * Their subtypes count too. */
static const char *const program_types[] = {
  "application/x-executable",
  "application/x-sharedlib",
  "application/x-pie-executable",
  "application/x-object",
  "application/x-ms-dos-executable",
  "application/x-msdownload",
  "application/x-msi",
  "application/x-ms-shortcut",
  "application/x-desktop",
  "application/x-shellscript",
  "application/x-csh",
  "application/x-perl",
  "application/x-ruby",
  "application/x-php",
  "application/javascript",
  "application/x-java-archive",
  "application/x-java",
  "application/x-python-bytecode",
  "application/vnd.appimage",
  "application/x-iso9660-appimage",
  "application/vnd.flatpak",
  "application/vnd.flatpak.ref",
  "application/vnd.flatpak.repo",
  "application/x-deb",
  "application/vnd.debian.binary-package",
  "application/x-rpm",
  "application/vnd.snap",
  "application/x-ms-wim",
  "text/x-python",
  "text/x-python3",
  "text/x-tcl",
  "text/x-lua",
  "text/javascript",
  "application/x-sh",
  NULL,
};

static gboolean
is_program_type (const char *content_type)
{
  if (content_type == NULL)
    return FALSE;
  for (guint i = 0; program_types[i] != NULL; i++)
    {
      g_autofree char *program = g_content_type_from_mime_type (program_types[i]);

      if (program != NULL && g_content_type_is_a (content_type, program))
        return TRUE;
    }
  return FALSE;
}

/* Without the desktop's MIME database every guess is "unknown": then
 * nothing can be told apart, and every file might run. */
static gboolean
database_works (void)
{
  static gsize works = 0;

  if (g_once_init_enter (&works))
    {
      g_autofree char *guess = g_content_type_guess ("check.sh", NULL, 0, NULL);

      g_once_init_leave (&works, is_program_type (guess) ? 2 : 1);
    }
  return works == 2;
}

/**
 * sotto_file_might_run:
 * @name: the file's name, as the sender gave it
 * @declared_type: (nullable): the media type the sender declared
 * @head: (array length=head_size) (nullable): the file's first bytes, up
 *   to %SOTTO_FILE_SNIFF_BYTES
 *
 * Returns: %TRUE when the name, the declared type or the bytes make the
 *   file a program, a script or a launcher, which is never opened for the
 *   user, only saved
 */
gboolean
sotto_file_might_run (const char   *name,
                      const char   *declared_type,
                      const guint8 *head,
                      gsize         head_size)
{
  g_autofree char *declared = NULL;
  g_autofree char *by_name = NULL;
  g_autofree char *by_bytes = NULL;

  if (!database_works ())
    return TRUE;

  if (declared_type != NULL)
    {
      declared = g_content_type_from_mime_type (declared_type);
      if (is_program_type (declared))
        return TRUE;
    }

  if (name != NULL)
    {
      by_name = g_content_type_guess (name, NULL, 0, NULL);
      if (is_program_type (by_name))
        return TRUE;
    }

  if (head != NULL && head_size > 0)
    {
      /* "#!" starts a script whatever its name says. */
      if (head_size >= 2 && head[0] == '#' && head[1] == '!')
        return TRUE;
      by_bytes = g_content_type_guess (NULL, head, MIN (head_size, SOTTO_FILE_SNIFF_BYTES), NULL);
      if (is_program_type (by_bytes))
        return TRUE;
    }
  return FALSE;
}
