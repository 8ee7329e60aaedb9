/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <gio/gio.h>
#include <sodium.h>
#include <string.h>

#include "sotto-frame.h"
#include "sotto-channel.h"
#include "sotto-server-config.h"

#define CONFIG_GROUP "server"
#define UNSET -1

SottoServerConfig *
sotto_server_config_new (void)
{
  SottoServerConfig *config = g_new0 (SottoServerConfig, 1);

  config->max_frame = SOTTO_FRAME_MAX_DEFAULT;
  config->max_queue = SOTTO_CHANNEL_MAX_QUEUE_DEFAULT;
  config->login_timeout = 30;
  config->link_timeout = 600;
  config->retention_days = 0;
  config->retention_messages = 0;
  config->max_file_size = 100;
  config->quota = 1024;
  config->upload_expiry = 24 * 3600;
  config->pwhash_opslimit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
  config->pwhash_memlimit = crypto_pwhash_MEMLIMIT_INTERACTIVE;

  return config;
}

void
sotto_server_config_free (SottoServerConfig *config)
{
  if (config == NULL)
    return;

  g_strfreev (config->listen);
  g_free (config->data_dir);
  g_free (config->config_file);
  g_free (config->migrate_to);
  g_free (config);
}

/**
 * sotto_parse_listen_address:
 * @text: "HOST:PORT", "[IPV6]:PORT", or ":PORT" for every interface
 *
 * Returns: %TRUE with @host and @port set, or %FALSE with a sentence
 */
gboolean
sotto_parse_listen_address (const char  *text,
                            char       **host,
                            guint16     *port,
                            GError     **error)
{
  const char *colon;
  g_autofree char *name = NULL;
  guint64 number = 0;

  if (text[0] == '[')
    {
      const char *end = strchr (text, ']');

      if (end == NULL || end[1] != ':')
        goto bad;
      name = g_strndup (text + 1, end - text - 1);
      colon = end + 1;
    }
  else
    {
      colon = strrchr (text, ':');
      if (colon == NULL || strchr (text, ':') != colon)
        goto bad;
      name = g_strndup (text, colon - text);
    }

  if (!g_ascii_string_to_unsigned (colon + 1, 10, 0, G_MAXUINT16, &number, NULL))
    goto bad;

  if (name[0] == '\0')
    {
      g_free (name);
      name = g_strdup ("::");
    }

  if (!g_hostname_is_ip_address (name))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("“%s” is not an IP address to listen on"), name);
      return FALSE;
    }

  *host = g_steal_pointer (&name);
  *port = number;
  return TRUE;

bad:
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               _("“%s” is not ADDRESS:PORT (IPv6 as [ADDRESS]:PORT)"), text);
  return FALSE;
}

static gboolean
take_int (GKeyFile    *key_file,
          const char  *key,
          gint64      *flag_value,
          gint64       min,
          gint64       max,
          gint64      *out,
          GError     **error)
{
  gint64 value = *flag_value;

  if (value == UNSET && g_key_file_has_key (key_file, CONFIG_GROUP, key, NULL))
    {
      g_autoptr(GError) local_error = NULL;

      value = g_key_file_get_int64 (key_file, CONFIG_GROUP, key, &local_error);
      if (local_error != NULL)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("Setting “%s” in the config file: %s"), key, local_error->message);
          return FALSE;
        }
    }

  if (value == UNSET)
    return TRUE;

  if (value < min || value > max)
    {
      /* The numbers go in as text: a G_GINT64_FORMAT would hide the rest
       * of the message from xgettext. */
      g_autofree char *low = g_strdup_printf ("%" G_GINT64_FORMAT, min);
      g_autofree char *high = g_strdup_printf ("%" G_GINT64_FORMAT, max);

      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("“%s” must be between %s and %s"), key, low, high);
      return FALSE;
    }

  *out = value;
  return TRUE;
}

gboolean
sotto_server_config_parse (SottoServerConfig   *config,
                           int                 *argc,
                           char              ***argv,
                           GError             **error)
{
  g_auto(GStrv) listen = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *config_file = NULL;
  gboolean verbose = FALSE;
  gboolean console = FALSE;
  g_autofree char *migrate_to = NULL;
  gint64 max_frame = UNSET;
  gint64 max_queue = UNSET;
  gint64 login_timeout = UNSET;
  gint64 link_timeout = UNSET;
  gint64 retention_days = UNSET;
  gint64 retention_messages = UNSET;
  gint64 pwhash_ops = UNSET;
  gint64 pwhash_mem = UNSET;
  gint64 max_file_size = UNSET;
  gint64 quota = UNSET;
  gint64 upload_expiry = UNSET;
  gint64 upload_expiry_seconds = UNSET;
  gint64 expiry_hours = UNSET;
  gint64 expiry_seconds = UNSET;
  gint64 timeout = config->login_timeout;
  gint64 link_wait = config->link_timeout;
  const GOptionEntry entries[] = {
    { "listen", 'l', 0, G_OPTION_ARG_STRING_ARRAY, &listen,
      N_("Listen on ADDRESS:PORT; repeat for more ([::]:7777 by default; port 0 picks a free one)"),
      N_("ADDRESS:PORT") },
    { "data-dir", 'd', 0, G_OPTION_ARG_FILENAME, &data_dir,
      N_("Keep the database and the server key in DIR (default: $XDG_DATA_HOME/sotto-server)"),
      N_("DIR") },
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &config_file,
      N_("Read settings from the [server] group of FILE; flags win over it"), N_("FILE") },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose,
      N_("Log every connection and request, not only accounts and rooms"), NULL },
    { "console", 0, 0, G_OPTION_ARG_NONE, &console,
      N_("Read operator commands from standard input even when it is not a terminal"), NULL },
    { "max-frame", 0, 0, G_OPTION_ARG_INT64, &max_frame,
      N_("Largest frame accepted, in bytes (default 1048576)"), N_("BYTES") },
    { "max-queue", 0, 0, G_OPTION_ARG_INT64, &max_queue,
      N_("Bytes that may wait for a client that does not read before it is dropped "
         "(default 8388608)"), N_("BYTES") },
    { "login-timeout", 0, 0, G_OPTION_ARG_INT64, &login_timeout,
      N_("Seconds a new connection has to log in (default 30)"), N_("SECONDS") },
    { "link-timeout", 0, 0, G_OPTION_ARG_INT64, &link_timeout,
      N_("Seconds a new computer’s link offer waits for its approval (default 600)"),
      N_("SECONDS") },
    { "retention-days", 0, 0, G_OPTION_ARG_INT64, &retention_days,
      N_("Delete stored messages older than DAYS (default 0: keep)"), N_("DAYS") },
    { "retention-messages", 0, 0, G_OPTION_ARG_INT64, &retention_messages,
      N_("Keep at most N stored messages per room (default 0: all)"), N_("N") },
    { "max-file-size", 0, 0, G_OPTION_ARG_INT64, &max_file_size,
      N_("Largest file a member may send, in MiB, not counting its encryption (default 100)"),
      N_("MIB") },
    { "quota", 0, 0, G_OPTION_ARG_INT64, &quota,
      N_("Files each account may keep on the server, complete or not, in MiB (default 1024; "
         "0: none)"), N_("MIB") },
    { "upload-expiry", 0, 0, G_OPTION_ARG_INT64, &upload_expiry,
      N_("Hours an unfinished upload is kept before it is deleted (default 24)"), N_("HOURS") },
    /* For tests, which cannot wait an hour. */
    { "upload-expiry-seconds", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT64,
      &upload_expiry_seconds, NULL, NULL },
    { "pwhash-ops", 0, 0, G_OPTION_ARG_INT64, &pwhash_ops,
      N_("Argon2id passes for password hashes (default 2)"), N_("N") },
    { "pwhash-mem", 0, 0, G_OPTION_ARG_INT64, &pwhash_mem,
      N_("Argon2id memory for password hashes, in bytes (default 67108864)"), N_("BYTES") },
    { "migrate-to", 0, 0, G_OPTION_ARG_STRING, &migrate_to,
      N_("Copy the store of the data directory into the empty PostgreSQL database CONNINFO "
         "(a Unix socket folder or an IP address, not a host name), check the copy, and exit"),
      N_("CONNINFO") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GKeyFile) key_file = g_key_file_new ();

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context,
                                _("Sotto chat server: relays and stores end-to-end encrypted "
                                  "messages it cannot read."));
  g_option_context_set_description (context,
                                    _("When standard input is a terminal, type /help for the "
                                      "operator commands."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, argc, argv, error))
    return FALSE;

  if (config_file != NULL)
    {
      g_autoptr(GError) local_error = NULL;

      if (!g_key_file_load_from_file (key_file, config_file, G_KEY_FILE_NONE, &local_error))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("Could not read the config file %s: %s"),
                       config_file, local_error->message);
          return FALSE;
        }
      g_free (config->config_file);
      config->config_file = g_strdup (config_file);
    }

  if (listen == NULL && g_key_file_has_key (key_file, CONFIG_GROUP, "listen", NULL))
    listen = g_key_file_get_string_list (key_file, CONFIG_GROUP, "listen", NULL, NULL);
  if (listen == NULL)
    {
      listen = g_new0 (char *, 2);
      listen[0] = g_strdup_printf ("[::]:%d", SOTTO_SERVER_DEFAULT_PORT);
    }
  for (guint i = 0; listen[i] != NULL; i++)
    {
      g_autofree char *host = NULL;
      guint16 port;

      if (!sotto_parse_listen_address (listen[i], &host, &port, error))
        return FALSE;
    }
  g_strfreev (config->listen);
  config->listen = g_steal_pointer (&listen);

  if (data_dir == NULL)
    data_dir = g_key_file_get_string (key_file, CONFIG_GROUP, "data-dir", NULL);
  if (data_dir == NULL)
    data_dir = g_build_filename (g_get_user_data_dir (), "sotto-server", NULL);
  g_free (config->data_dir);
  config->data_dir = g_steal_pointer (&data_dir);

  config->verbose = verbose || g_key_file_get_boolean (key_file, CONFIG_GROUP, "verbose", NULL);
  config->console = console || g_key_file_get_boolean (key_file, CONFIG_GROUP, "console", NULL);

  if (!take_int (key_file, "max-frame", &max_frame, 4096, G_MAXUINT32, &config->max_frame, error) ||
      !take_int (key_file, "max-queue", &max_queue, 65536, G_MAXINT64, &config->max_queue, error) ||
      !take_int (key_file, "login-timeout", &login_timeout, 1, 3600, &timeout, error) ||
      !take_int (key_file, "link-timeout", &link_timeout, 1, 3600, &link_wait, error) ||
      !take_int (key_file, "retention-days", &retention_days, 0, 36500,
                 &config->retention_days, error) ||
      !take_int (key_file, "retention-messages", &retention_messages, 0, G_MAXINT64,
                 &config->retention_messages, error) ||
      !take_int (key_file, "pwhash-ops", &pwhash_ops, crypto_pwhash_OPSLIMIT_MIN, 32,
                 &config->pwhash_opslimit, error) ||
      !take_int (key_file, "pwhash-mem", &pwhash_mem, crypto_pwhash_MEMLIMIT_MIN,
                 G_GINT64_CONSTANT (4) * 1024 * 1024 * 1024, &config->pwhash_memlimit, error) ||
      /* Up to the largest file a blob holds, 1 TiB. */
      !take_int (key_file, "max-file-size", &max_file_size, 1, 1024 * 1024,
                 &config->max_file_size, error) ||
      !take_int (key_file, "quota", &quota, 0, G_GINT64_CONSTANT (1) << 30, &config->quota,
                 error) ||
      !take_int (key_file, "upload-expiry", &upload_expiry, 1, 24 * 365, &expiry_hours, error) ||
      !take_int (key_file, "upload-expiry-seconds", &upload_expiry_seconds, 1, 24 * 365 * 3600,
                 &expiry_seconds, error))
    return FALSE;

  if (expiry_hours != UNSET)
    config->upload_expiry = expiry_hours * 3600;
  if (expiry_seconds != UNSET)
    config->upload_expiry = expiry_seconds;

  config->login_timeout = timeout;
  config->link_timeout = link_wait;
  g_free (config->migrate_to);
  config->migrate_to = g_steal_pointer (&migrate_to);

  return TRUE;
}
