/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <locale.h>
#include <sodium.h>
#include <stdio.h>

#include "sotto-cli.h"
#include "sotto-frame.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(SottoCli) cli = NULL;

  /* Whoever reads stdout through a pipe gets each line as it is written. */
  setvbuf (stdout, NULL, _IOLBF, 0);

  sotto_frame_tune_memory ();
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (sodium_init () < 0)
    {
      g_printerr ("sotto-cli: %s\n", _("The cryptography library could not start"));
      return 1;
    }

  cli = sotto_cli_new ();
  return sotto_cli_run (cli, argc, argv);
}
