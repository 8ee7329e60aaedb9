/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-cli-connect.h"
#include "sotto-cli-format.h"
#include "sotto-cli-print.h"
#include "sotto-cli-review.h"

/*
 * Connecting, and trusting the server on first contact: the same for the
 * scripted commands and the chat, which take over once
 * #SottoCliConnect::connected is emitted. What the server says on its own
 * (notices, identity changes) and what happens to the connection later
 * are told here too. Whatever ends the run is #SottoCliConnect::done.
 */

struct _SottoCliConnect
{
  GObject           parent_instance;

  SottoClient      *client;
  SottoCliTerminal *terminal;
  SottoCliOptions  *options;
  GCancellable     *cancellable;
  /* The chat tells the user on standard output */
  gboolean          chat;
  gboolean          reconnecting;
  gulong            notice_id;
  gulong            identity_id;
  gulong            removed_id;
  gulong            state_id;
  gulong            disconnected_id;
};

enum {
  CONNECTED,
  DONE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SottoCliConnect, sotto_cli_connect, G_TYPE_OBJECT)

static void
sotto_cli_connect_dispose (GObject *object)
{
  SottoCliConnect *self = SOTTO_CLI_CONNECT (object);

  if (self->client != NULL)
    {
      g_clear_signal_handler (&self->notice_id, self->client);
      g_clear_signal_handler (&self->identity_id, self->client);
      g_clear_signal_handler (&self->removed_id, self->client);
      g_clear_signal_handler (&self->state_id, self->client);
      g_clear_signal_handler (&self->disconnected_id, self->client);
    }
  g_clear_object (&self->terminal);
  g_clear_object (&self->client);

  G_OBJECT_CLASS (sotto_cli_connect_parent_class)->dispose (object);
}

static void
sotto_cli_connect_finalize (GObject *object)
{
  SottoCliConnect *self = SOTTO_CLI_CONNECT (object);

  g_clear_pointer (&self->options, sotto_cli_options_unref);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (sotto_cli_connect_parent_class)->finalize (object);
}

static void
sotto_cli_connect_class_init (SottoCliConnectClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sotto_cli_connect_dispose;
  object_class->finalize = sotto_cli_connect_finalize;

  /**
   * SottoCliConnect::connected:
   *
   * The client is connected to a server it trusts.
   */
  signals[CONNECTED] =
    g_signal_new ("connected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);

  /**
   * SottoCliConnect::done:
   * @status: a #SottoCliExit
   *
   * The connection failed, or the server is not trusted: the run ends
   * with @status.
   */
  signals[DONE] =
    g_signal_new ("done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_INT);
}

static void
sotto_cli_connect_init (SottoCliConnect *self)
{
}

/**
 * sotto_cli_connect_new:
 * @cancellable: the run's; cancelled when the run ends
 */
SottoCliConnect *
sotto_cli_connect_new (SottoClient      *client,
                       SottoCliTerminal *terminal,
                       SottoCliOptions  *options,
                       GCancellable     *cancellable)
{
  SottoCliConnect *self;

  g_return_val_if_fail (SOTTO_IS_CLIENT (client), NULL);
  g_return_val_if_fail (SOTTO_IS_CLI_TERMINAL (terminal), NULL);
  g_return_val_if_fail (options != NULL, NULL);
  g_return_val_if_fail (G_IS_CANCELLABLE (cancellable), NULL);

  self = g_object_new (SOTTO_TYPE_CLI_CONNECT, NULL);
  self->client = g_object_ref (client);
  self->terminal = g_object_ref (terminal);
  self->options = sotto_cli_options_ref (options);
  self->cancellable = g_object_ref (cancellable);
  self->chat = options->command == SOTTO_CLI_COMMAND_CHAT;

  return self;
}

static void
done (SottoCliConnect *self,
      int              status)
{
  g_signal_emit (self, signals[DONE], 0, status);
}

static void
fail (SottoCliConnect *self,
      const GError    *error)
{
  if (g_cancellable_is_cancelled (self->cancellable))
    return;

  g_printerr ("sotto-cli: %s\n", error->message);
  done (self, sotto_cli_exit_for_error (error, SOTTO_CLI_PHASE_CONNECT));
}

/* What the server says, and what happens to the connection */

static void
disconnected_cb (SottoClient  *client,
                 const GError *error,
                 gpointer      user_data)
{
  SottoCliConnect *self = user_data;
  g_autofree char *reason = NULL;

  if (g_cancellable_is_cancelled (self->cancellable))
    return;

  if (error != NULL)
    reason = g_strdup_printf (_("The connection to %s ended: %s"), self->options->server,
                              error->message);
  else
    reason = g_strdup_printf (_("The server %s ended the connection."), self->options->server);

  /* Logged in, the client core connects again by itself and catches up:
   * nothing is missed, and what is sent meanwhile waits in the outbox. */
  if (sotto_client_get_state (self->client) == SOTTO_CLIENT_RECONNECTING)
    {
      if (!self->reconnecting)
        sotto_cli_say (self->chat, _("%s Reconnecting…"), reason);
      self->reconnecting = TRUE;
      return;
    }

  sotto_cli_say (self->chat, "%s", reason);
  done (self, SOTTO_CLI_EXIT_CONNECT);
}

static void key_changed (SottoCliConnect *self);

static void
client_state_cb (SottoClient *client,
                 GParamSpec  *pspec,
                 gpointer     user_data)
{
  SottoCliConnect *self = user_data;

  if (g_cancellable_is_cancelled (self->cancellable) || !self->reconnecting)
    return;

  switch (sotto_client_get_state (client))
    {
    case SOTTO_CLIENT_ONLINE:
      self->reconnecting = FALSE;
      sotto_cli_say (self->chat, _("Connected to %s again."), self->options->server);
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
      sotto_cli_say (self->chat, _("Stopped reconnecting to %s."), self->options->server);
      done (self, SOTTO_CLI_EXIT_CONNECT);
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
  SottoCliConnect *self = user_data;
  g_autofree char *safe = sotto_cli_sanitize (text != NULL ? text : "", "    ");

  sotto_cli_say (self->chat, _("*** Notice from the server: %s"), safe);
}

/* A contact's keys changed: the change is to be looked at, and holds
 * sending where the user had verified them. */
static void
identity_changed_cb (SottoClient *client,
                     const char  *user,
                     gboolean     was_verified,
                     gpointer     user_data)
{
  SottoCliConnect *self = user_data;
  SottoIdentityReview review = sotto_client_get_review (client, user);
  g_autofree char *line = NULL;

  if (review == SOTTO_IDENTITY_REVIEW_NONE)
    review = was_verified ? SOTTO_IDENTITY_REVIEW_BLOCKING : SOTTO_IDENTITY_REVIEW_NOTICE;
  line = sotto_cli_review_line (user, review, self->chat);
  sotto_cli_say (self->chat, "%s", line);
}

static void
removed_from_room_cb (SottoClient *client,
                      SottoRoom   *room,
                      gpointer     user_data)
{
  SottoCliConnect *self = user_data;

  sotto_cli_say (self->chat, _("*** You were removed from %s and cannot join it again unless "
                               "its owner lets you back."), sotto_room_get_name (room));
}

/* Connecting */

static void
trusted_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(SottoCliConnect) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!sotto_client_trust_server_finish (SOTTO_CLIENT (object), result, &error))
    {
      fail (self, error);
      return;
    }

  if (!g_cancellable_is_cancelled (self->cancellable))
    g_signal_emit (self, signals[CONNECTED], 0);
}

static void
trust (SottoCliConnect *self)
{
  sotto_client_trust_server_async (self->client, self->cancellable, trusted_cb,
                                   g_object_ref (self));
}

static void
trust_answer_cb (SottoCliTerminal *terminal,
                 const char       *line,
                 gpointer          user_data)
{
  SottoCliConnect *self = user_data;

  if (line != NULL && (line[0] == 'y' || line[0] == 'Y'))
    {
      trust (self);
      return;
    }

  sotto_cli_say (self->chat, _("The server was not trusted."));
  done (self, SOTTO_CLI_EXIT_SERVER_KEY);
}

static void
first_contact (SottoCliConnect *self)
{
  const char *fingerprint = sotto_client_get_server_fingerprint (self->client);

  if (self->options->trust_fingerprint != NULL)
    {
      if (sotto_cli_fingerprint_equal (fingerprint, self->options->trust_fingerprint))
        {
          trust (self);
          return;
        }

      g_printerr (_("sotto-cli: the server at %s has the fingerprint\n"
                    "  %s\n"
                    "not the one given with --trust-fingerprint:\n"
                    "  %s\n"
                    "It was not trusted.\n"),
                  self->options->server, fingerprint, self->options->trust_fingerprint);
      done (self, SOTTO_CLI_EXIT_SERVER_KEY);
      return;
    }

  if (sotto_cli_terminal_is_tty (self->terminal))
    {
      sotto_cli_say (self->chat, _("This is the first connection to %s. Its fingerprint is\n"
                                   "  %s\n"
                                   "Compare it with the one the server's operator gave you."),
                     self->options->server, fingerprint);
      sotto_cli_terminal_ask (self->terminal, _("Trust this server? [y/N] "), FALSE,
                              trust_answer_cb, self);
      return;
    }

  g_printerr (_("sotto-cli: %s is not trusted yet. Its fingerprint is\n"
                "  %s\n"
                "Compare it with the one the server's operator gave you, then pass it with "
                "--trust-fingerprint.\n"),
              self->options->server, fingerprint);
  done (self, SOTTO_CLI_EXIT_SERVER_KEY);
}

static void
key_changed (SottoCliConnect *self)
{
  g_autofree char *pins = g_build_filename (self->options->data_dir, "servers.ini", NULL);

  g_printerr (_("sotto-cli: WARNING: the key of the server at %s has changed.\n"
                "  remembered: %s\n"
                "  now:        %s\n"
                "Someone may be between you and the server. Ask its operator; only if the "
                "server really has a new key, remove its group from %s and connect again.\n"),
              self->options->server,
              sotto_client_get_pinned_fingerprint (self->client),
              sotto_client_get_server_fingerprint (self->client),
              pins);
  done (self, SOTTO_CLI_EXIT_SERVER_KEY);
}

static void
connected_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(SottoCliConnect) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!sotto_client_connect_finish (SOTTO_CLIENT (object), result, &error))
    {
      if (g_cancellable_is_cancelled (self->cancellable))
        return;
      if (g_error_matches (error, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_SERVER_KEY_UNKNOWN))
        first_contact (self);
      else if (g_error_matches (error, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_SERVER_KEY_CHANGED))
        key_changed (self);
      else
        fail (self, error);
      return;
    }

  if (!g_cancellable_is_cancelled (self->cancellable))
    g_signal_emit (self, signals[CONNECTED], 0);
}

/**
 * sotto_cli_connect_start:
 *
 * Connects to the server, and keeps telling what happens to the
 * connection until the run ends.
 */
void
sotto_cli_connect_start (SottoCliConnect *self)
{
  g_return_if_fail (SOTTO_IS_CLI_CONNECT (self));
  g_return_if_fail (self->disconnected_id == 0);

  self->notice_id = g_signal_connect (self->client, "notice", G_CALLBACK (notice_cb), self);
  self->identity_id = g_signal_connect (self->client, "identity-changed",
                                        G_CALLBACK (identity_changed_cb), self);
  self->removed_id = g_signal_connect (self->client, "removed-from-room",
                                       G_CALLBACK (removed_from_room_cb), self);
  self->state_id = g_signal_connect (self->client, "notify::state",
                                     G_CALLBACK (client_state_cb), self);
  self->disconnected_id = g_signal_connect (self->client, "disconnected",
                                            G_CALLBACK (disconnected_cb), self);

  sotto_client_connect_async (self->client, self->cancellable, connected_cb,
                              g_object_ref (self));
}
