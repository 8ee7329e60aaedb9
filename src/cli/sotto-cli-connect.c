/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-cli-private.h"

/*
 * Connecting, trusting the server on first contact, and logging in: the
 * same for the scripted commands and the chat, which take over once
 * logged in. What the server says on its own (notices, identity changes)
 * and the end of the connection are told here too.
 */

/* What the server says, and what happens to the connection */

static void
disconnected_cb (SottoClient  *client,
                 const GError *error,
                 gpointer      user_data)
{
  SottoCli *self = user_data;
  g_autofree char *reason = NULL;

  if (self->finishing)
    return;

  if (error != NULL)
    reason = g_strdup_printf (_("The connection to %s ended: %s"), self->server, error->message);
  else
    reason = g_strdup_printf (_("The server %s ended the connection."), self->server);

  /* Logged in, the client core connects again by itself and catches up:
   * nothing is missed, and what is sent meanwhile waits in the outbox. */
  if (sotto_client_get_state (self->client) == SOTTO_CLIENT_RECONNECTING)
    {
      if (!self->reconnecting)
        _sotto_cli_say (self, _("%s Reconnecting…"), reason);
      self->reconnecting = TRUE;
      return;
    }

  _sotto_cli_say (self, "%s", reason);
  _sotto_cli_finish (self, SOTTO_CLI_EXIT_CONNECT);
}

static void key_changed (SottoCli *self);

static void
client_state_cb (SottoClient *client,
                 GParamSpec  *pspec,
                 gpointer     user_data)
{
  SottoCli *self = user_data;

  if (self->finishing || !self->reconnecting)
    return;

  switch (sotto_client_get_state (client))
    {
    case SOTTO_CLIENT_ONLINE:
      self->reconnecting = FALSE;
      _sotto_cli_say (self, _("Connected to %s again."), self->server);
      break;

    case SOTTO_CLIENT_DISCONNECTED:
      /* The client core gave up: the server's key changed, or it refused
       * the account. Only the first can be told apart from here. */
      self->reconnecting = FALSE;
      if (sotto_client_get_pinned_fingerprint (client) != NULL &&
          g_strcmp0 (sotto_client_get_pinned_fingerprint (client),
                     sotto_client_get_server_fingerprint (client)) != 0)
        {
          key_changed (self);
          break;
        }
      _sotto_cli_say (self, _("Stopped reconnecting to %s."), self->server);
      _sotto_cli_finish (self, SOTTO_CLI_EXIT_CONNECT);
      break;

    case SOTTO_CLIENT_CONNECTING:
    case SOTTO_CLIENT_AWAITING_TRUST:
    case SOTTO_CLIENT_AUTHENTICATING:
    case SOTTO_CLIENT_RECONNECTING:
    default:
      break;
    }
}

static void
notice_cb (SottoClient *client,
           const char  *text,
           gpointer     user_data)
{
  SottoCli *self = user_data;
  g_autofree char *safe = sotto_cli_sanitize (text != NULL ? text : "", "    ");

  _sotto_cli_say (self, _("*** Notice from the server: %s"), safe);
}

static void
identity_changed_cb (SottoClient *client,
                     const char  *user,
                     gboolean     was_verified,
                     gpointer     user_data)
{
  SottoCli *self = user_data;

  _sotto_cli_say (self, _("!!! WARNING: %s has new identity keys: a new computer, or someone "
                          "posing as them."), user);
  if (was_verified)
    _sotto_cli_say (self, _("!!! You had verified %s; they are no longer marked verified."),
                    user);
  if (self->command == SOTTO_CLI_COMMAND_CHAT)
    _sotto_cli_say (self, _("!!! Compare the safety number with %s again: /verify %s"),
                    user, user);
}

/* Logging in */

static void
account_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(SottoCli) self = user_data;
  g_autoptr(GError) error = NULL;

  self->logging_in = FALSE;
  if (!sotto_client_account_finish (SOTTO_CLIENT (object), result, &error))
    {
      if (self->finishing)
        return;
      if (self->command == SOTTO_CLI_COMMAND_CHAT)
        _sotto_cli_chat_account_failed (self, error);
      else
        _sotto_cli_fail (self, error, SOTTO_CLI_PHASE_ACCOUNT);
      return;
    }

  if (self->finishing)
    return;

  if (self->command == SOTTO_CLI_COMMAND_CHAT)
    _sotto_cli_chat_logged_in (self);
  else
    _sotto_cli_command_start (self);
}

void
_sotto_cli_account (SottoCli   *self,
                    gboolean    create,
                    const char *user,
                    const char *password)
{
  self->logging_in = TRUE;
  if (create)
    sotto_client_register_async (self->client, user, password, self->cancellable, account_cb,
                                 g_object_ref (self));
  else
    sotto_client_login_async (self->client, user, password, self->cancellable, account_cb,
                              g_object_ref (self));
}

/* Connecting */

static void
connected (SottoCli *self)
{
  if (self->command == SOTTO_CLI_COMMAND_CHAT)
    _sotto_cli_chat_connected (self);
  else
    _sotto_cli_log_in (self, self->command == SOTTO_CLI_COMMAND_REGISTER, self->user);
}

static void
trusted_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(SottoCli) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!sotto_client_trust_server_finish (SOTTO_CLIENT (object), result, &error))
    {
      _sotto_cli_fail (self, error, SOTTO_CLI_PHASE_CONNECT);
      return;
    }

  if (!self->finishing)
    connected (self);
}

static void
trust (SottoCli *self)
{
  sotto_client_trust_server_async (self->client, self->cancellable, trusted_cb,
                                   g_object_ref (self));
}

static void
trust_answer_cb (SottoCli   *self,
                 const char *line)
{
  if (line != NULL && (line[0] == 'y' || line[0] == 'Y'))
    {
      trust (self);
      return;
    }

  _sotto_cli_say (self, _("The server was not trusted."));
  _sotto_cli_finish (self, SOTTO_CLI_EXIT_SERVER_KEY);
}

static void
first_contact (SottoCli *self)
{
  const char *fingerprint = sotto_client_get_server_fingerprint (self->client);

  if (self->trust_fingerprint != NULL)
    {
      if (sotto_cli_fingerprint_equal (fingerprint, self->trust_fingerprint))
        {
          trust (self);
          return;
        }

      g_printerr (_("sotto-cli: the server at %s has the fingerprint\n"
                    "  %s\n"
                    "not the one given with --trust-fingerprint:\n"
                    "  %s\n"
                    "It was not trusted.\n"),
                  self->server, fingerprint, self->trust_fingerprint);
      _sotto_cli_finish (self, SOTTO_CLI_EXIT_SERVER_KEY);
      return;
    }

  if (self->stdin_is_tty)
    {
      _sotto_cli_say (self, _("This is the first connection to %s. Its fingerprint is\n"
                              "  %s\n"
                              "Compare it with the one the server's operator gave you."),
                      self->server, fingerprint);
      _sotto_cli_ask (self, _("Trust this server? [y/N] "), FALSE, trust_answer_cb);
      return;
    }

  g_printerr (_("sotto-cli: %s is not trusted yet. Its fingerprint is\n"
                "  %s\n"
                "Compare it with the one the server's operator gave you, then pass it with "
                "--trust-fingerprint.\n"),
              self->server, fingerprint);
  _sotto_cli_finish (self, SOTTO_CLI_EXIT_SERVER_KEY);
}

static void
key_changed (SottoCli *self)
{
  g_autofree char *pins = g_build_filename (self->data_dir, "servers.ini", NULL);

  g_printerr (_("sotto-cli: WARNING: the key of the server at %s has changed.\n"
                "  remembered: %s\n"
                "  now:        %s\n"
                "Someone may be between you and the server. Ask its operator; only if the "
                "server really has a new key, remove its group from %s and connect again.\n"),
              self->server,
              sotto_client_get_pinned_fingerprint (self->client),
              sotto_client_get_server_fingerprint (self->client),
              pins);
  _sotto_cli_finish (self, SOTTO_CLI_EXIT_SERVER_KEY);
}

static void
connected_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(SottoCli) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!sotto_client_connect_finish (SOTTO_CLIENT (object), result, &error))
    {
      if (self->finishing)
        return;
      if (g_error_matches (error, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_SERVER_KEY_UNKNOWN))
        first_contact (self);
      else if (g_error_matches (error, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_SERVER_KEY_CHANGED))
        key_changed (self);
      else
        _sotto_cli_fail (self, error, SOTTO_CLI_PHASE_CONNECT);
      return;
    }

  if (!self->finishing)
    connected (self);
}

/**
 * _sotto_cli_connect:
 *
 * Connects to the server; the rest of the run follows from there.
 */
void
_sotto_cli_connect (SottoCli *self)
{
  g_signal_connect_object (self->client, "notice", G_CALLBACK (notice_cb), self, 0);
  g_signal_connect_object (self->client, "identity-changed", G_CALLBACK (identity_changed_cb),
                           self, 0);
  g_signal_connect_object (self->client, "notify::state", G_CALLBACK (client_state_cb), self, 0);
  self->closed_id = g_signal_connect (self->client, "disconnected", G_CALLBACK (disconnected_cb),
                                      self);
  _sotto_cli_watch_direct (self);

  sotto_client_connect_async (self->client, self->cancellable, connected_cb,
                              g_object_ref (self));
}
