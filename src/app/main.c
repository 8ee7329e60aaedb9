/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <sodium.h>

#include "sotto-application.h"
#include "sotto-frame.h"
#include "sotto-resources.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(SottoApplication) app = NULL;

  sotto_frame_tune_memory ();
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (sodium_init () < 0)
    {
      g_printerr ("%s\n", _("The cryptography library could not start."));
      return 1;
    }

  sotto_register_resource ();
  app = sotto_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
