/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "sotto-server-config.h"

static gboolean
parse (SottoServerConfig  *config,
       const char         *first,
       ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char **argv = NULL;
  int argc;
  va_list ap;
  gboolean ok;

  g_ptr_array_add (args, g_strdup ("sotto-server"));
  va_start (ap, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, g_strdup (arg));
  va_end (ap);

  /* The option parser takes out what it used: hand it a copy of the
   * pointers, and free the strings from @args. */
  argc = args->len;
  argv = g_new0 (char *, argc + 1);
  memcpy (argv, args->pdata, argc * sizeof (char *));
  ok = sotto_server_config_parse (config, &argc, &argv, &error);
  if (!ok)
    g_test_message ("%s", error->message);

  return ok;
}

static void
test_defaults (void)
{
  g_autoptr(SottoServerConfig) config = sotto_server_config_new ();

  g_assert_true (parse (config, NULL));
  g_assert_cmpstr (config->listen[0], ==, "[::]:7777");
  g_assert_null (config->listen[1]);
  g_assert_true (g_str_has_suffix (config->data_dir, "sotto-server"));
  g_assert_cmpint (config->max_frame, ==, 1024 * 1024);
  g_assert_cmpint (config->login_timeout, ==, 30);
  g_assert_cmpint (config->link_timeout, ==, 600);
  g_assert_cmpint (config->retention_days, ==, 0);
  g_assert_cmpint (config->max_file_size, ==, 100);
  g_assert_cmpint (config->quota, ==, 1024);
  g_assert_cmpint (config->upload_expiry, ==, 24 * 3600);
  g_assert_false (config->console);
}

static void
test_flags (void)
{
  g_autoptr(SottoServerConfig) config = sotto_server_config_new ();

  g_assert_true (parse (config, "--listen", "127.0.0.1:0", "--listen", "[::1]:9000",
                        "--data-dir", "/tmp/x", "--login-timeout", "5",
                        "--link-timeout", "1", "--retention-days", "30", "--console",
                        "--max-file-size", "2048", "--quota", "0", "--upload-expiry", "2", NULL));
  g_assert_cmpstr (config->listen[0], ==, "127.0.0.1:0");
  g_assert_cmpstr (config->listen[1], ==, "[::1]:9000");
  g_assert_cmpstr (config->data_dir, ==, "/tmp/x");
  g_assert_cmpint (config->login_timeout, ==, 5);
  g_assert_cmpint (config->link_timeout, ==, 1);
  g_assert_cmpint (config->retention_days, ==, 30);
  g_assert_cmpint (config->max_file_size, ==, 2048);
  g_assert_cmpint (config->quota, ==, 0);
  g_assert_cmpint (config->upload_expiry, ==, 2 * 3600);
  g_assert_true (config->console);
}

/* The upload expiry in seconds is for tests: not in --help, and it wins
 * over the hours. */
static void
test_upload_expiry_seconds (void)
{
  g_autoptr(SottoServerConfig) config = sotto_server_config_new ();

  g_assert_true (parse (config, "--upload-expiry", "5", "--upload-expiry-seconds", "2", NULL));
  g_assert_cmpint (config->upload_expiry, ==, 2);
}

static void
test_file_and_flags (void)
{
  g_autoptr(SottoServerConfig) config = sotto_server_config_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  int fd = g_file_open_tmp ("sotto-config-XXXXXX.ini", &path, &error);

  g_assert_no_error (error);
  close (fd);
  g_file_set_contents (path,
                       "[server]\n"
                       "listen=127.0.0.1:7001;[::1]:7002\n"
                       "data-dir=/srv/sotto\n"
                       "retention-messages=500\n"
                       "login-timeout=10\n"
                       "link-timeout=3600\n"
                       "max-file-size=10\n"
                       "quota=20\n"
                       "upload-expiry=48\n", -1, &error);
  g_assert_no_error (error);

  /* Flags win over the file; what flags leave alone comes from it. */
  g_assert_true (parse (config, "--config", path, "--login-timeout", "3", "--quota", "30", NULL));
  g_assert_cmpstr (config->listen[0], ==, "127.0.0.1:7001");
  g_assert_cmpstr (config->listen[1], ==, "[::1]:7002");
  g_assert_cmpstr (config->data_dir, ==, "/srv/sotto");
  g_assert_cmpint (config->retention_messages, ==, 500);
  g_assert_cmpint (config->login_timeout, ==, 3);
  g_assert_cmpint (config->link_timeout, ==, 3600);
  g_assert_cmpint (config->max_file_size, ==, 10);
  g_assert_cmpint (config->quota, ==, 30);
  g_assert_cmpint (config->upload_expiry, ==, 48 * 3600);

  g_unlink (path);
}

static void
test_bad_values (void)
{
  static const char *const bad[][2] = {
    { "--listen", "localhost:7777" },
    { "--listen", "127.0.0.1" },
    { "--listen", "127.0.0.1:99999" },
    { "--listen", "[::1:7777" },
    { "--login-timeout", "0" },
    { "--link-timeout", "0" },
    { "--link-timeout", "3601" },
    { "--max-frame", "10" },
    { "--max-file-size", "0" },
    { "--max-file-size", "1048577" },
    { "--quota", "-2" },
    { "--upload-expiry", "0" },
    { "--upload-expiry", "8761" },
    { "--upload-expiry-seconds", "0" },
    { "--config", "/nonexistent/sotto.ini" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(SottoServerConfig) config = sotto_server_config_new ();

      g_assert_false (parse (config, bad[i][0], bad[i][1], NULL));
    }
}

static void
test_bad_file_value (void)
{
  g_autoptr(SottoServerConfig) config = sotto_server_config_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  int fd = g_file_open_tmp ("sotto-config-XXXXXX.ini", &path, &error);

  g_assert_no_error (error);
  close (fd);
  g_file_set_contents (path, "[server]\nretention-days=soon\n", -1, &error);
  g_assert_no_error (error);
  g_assert_false (parse (config, "--config", path, NULL));
  g_unlink (path);
}

static void
test_listen_address (void)
{
  g_autofree char *host = NULL;
  guint16 port = 0;

  g_assert_true (sotto_parse_listen_address ("[::1]:7777", &host, &port, NULL));
  g_assert_cmpstr (host, ==, "::1");
  g_assert_cmpuint (port, ==, 7777);
  g_clear_pointer (&host, g_free);
  g_assert_true (sotto_parse_listen_address (":8000", &host, &port, NULL));
  g_assert_cmpstr (host, ==, "::");
  g_assert_cmpuint (port, ==, 8000);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sotto/server/config/defaults", test_defaults);
  g_test_add_func ("/sotto/server/config/flags", test_flags);
  g_test_add_func ("/sotto/server/config/upload-expiry-seconds", test_upload_expiry_seconds);
  g_test_add_func ("/sotto/server/config/file-and-flags", test_file_and_flags);
  g_test_add_func ("/sotto/server/config/bad-values", test_bad_values);
  g_test_add_func ("/sotto/server/config/bad-file-value", test_bad_file_value);
  g_test_add_func ("/sotto/server/config/listen-address", test_listen_address);

  return g_test_run ();
}
