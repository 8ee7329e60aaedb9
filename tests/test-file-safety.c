/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sotto-file-safety.h"

/*
 * What the app will not open for the user: a received file that could be
 * a program, whether its name, its declared type or its bytes say so.
 * Documents, pictures and plain text open.
 */

static const guint8 elf[] = { 0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                              3, 0, 0x3e, 0 };
static const guint8 pe[] = { 'M', 'Z', 0x90, 0, 3, 0, 0, 0, 4, 0, 0, 0, 0xff, 0xff, 0, 0 };
static const guint8 png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13,
                              'I', 'H', 'D', 'R' };
static const guint8 pdf[] = "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n";
static const guint8 text[] = "Minutes of Tuesday's meeting\n\n1. Budget\n";
static const guint8 script[] = "#!/bin/sh\nrm -rf ~\n";
static const guint8 desktop[] = "[Desktop Entry]\nType=Application\nExec=sh -c 'rm -rf ~'\n";

static void
test_programs (void)
{
  /* By name alone */
  g_assert_true (sotto_file_might_run ("setup.exe", "application/octet-stream", NULL, 0));
  g_assert_true (sotto_file_might_run ("install.sh", "text/plain", text, sizeof text));
  g_assert_true (sotto_file_might_run ("photos.desktop", "image/jpeg", NULL, 0));
  g_assert_true (sotto_file_might_run ("tool.py", NULL, NULL, 0));
  g_assert_true (sotto_file_might_run ("app.AppImage", NULL, NULL, 0));
  g_assert_true (sotto_file_might_run ("update.deb", NULL, NULL, 0));
  g_assert_true (sotto_file_might_run ("game.jar", NULL, NULL, 0));

  /* By declared type alone */
  g_assert_true (sotto_file_might_run ("notes", "application/x-executable", NULL, 0));
  g_assert_true (sotto_file_might_run ("notes", "application/x-shellscript", NULL, 0));
  g_assert_true (sotto_file_might_run ("notes", "application/x-desktop", NULL, 0));

  /* By bytes alone, under an innocent name and type */
  g_assert_true (sotto_file_might_run ("holiday.jpg", "image/jpeg", elf, sizeof elf));
  g_assert_true (sotto_file_might_run ("report.pdf", "application/pdf", pe, sizeof pe));
  g_assert_true (sotto_file_might_run ("readme.txt", "text/plain", script, strlen ((const char *) script)));
  g_assert_true (sotto_file_might_run ("readme", "text/plain", desktop,
                                       strlen ((const char *) desktop)));
}

static void
test_documents (void)
{
  g_assert_false (sotto_file_might_run ("holiday.png", "image/png", png, sizeof png));
  g_assert_false (sotto_file_might_run ("report.pdf", "application/pdf", pdf, sizeof pdf - 1));
  g_assert_false (sotto_file_might_run ("minutes.txt", "text/plain", text, sizeof text - 1));
  g_assert_false (sotto_file_might_run ("minutes", NULL, text, sizeof text - 1));
  g_assert_false (sotto_file_might_run ("empty.txt", "text/plain", NULL, 0));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sotto/file-safety/programs", test_programs);
  g_test_add_func ("/sotto/file-safety/documents", test_documents);

  return g_test_run ();
}
