/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <sodium.h>
#include <string.h>

#include "sotto-cli-format.h"
#include "sotto-cli-login.h"
#include "sotto-cli-print.h"

/*
 * Logging in, registering, linking this computer to an account, or
 * recovering the account on it, with the password from the command line
 * or the environment, or else one asked for on the terminal (twice for a
 * new account). A recovery key is read first, from standard input. Once
 * logged in, #SottoCliLogin::logged-in is emitted.
 *
 * What went wrong ends a scripted command, through #SottoCliLogin::done;
 * the chat only tells the user, who can try again.
 */

struct _SottoCliLogin
{
  GObject           parent_instance;

  SottoClient      *client;
  SottoCliTerminal *terminal;
  GCancellable     *cancellable;
  gboolean          chat;
  /* From --password-file or $SOTTO_PASSWORD; wiped when freed */
  char             *password;
  gboolean          busy;

  /* Logging in from a prompt */
  SottoCliAccount   pending_mode;
  char             *pending_user;
  char             *pending_password;
  /* The recovery key read, while recovering; wiped when done */
  char             *recovery_key;
};

enum {
  LOGGED_IN,
  DONE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SottoCliLogin, sotto_cli_login, G_TYPE_OBJECT)

static void
wipe_string (char **string)
{
  if (*string == NULL)
    return;

  sodium_memzero (*string, strlen (*string));
  g_clear_pointer (string, g_free);
}

static void
sotto_cli_login_dispose (GObject *object)
{
  SottoCliLogin *self = SOTTO_CLI_LOGIN (object);

  g_clear_object (&self->terminal);
  g_clear_object (&self->client);

  G_OBJECT_CLASS (sotto_cli_login_parent_class)->dispose (object);
}

static void
sotto_cli_login_finalize (GObject *object)
{
  SottoCliLogin *self = SOTTO_CLI_LOGIN (object);

  g_clear_object (&self->cancellable);
  wipe_string (&self->password);
  wipe_string (&self->pending_password);
  wipe_string (&self->recovery_key);
  g_free (self->pending_user);

  G_OBJECT_CLASS (sotto_cli_login_parent_class)->finalize (object);
}

static void
sotto_cli_login_class_init (SottoCliLoginClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sotto_cli_login_dispose;
  object_class->finalize = sotto_cli_login_finalize;

  /**
   * SottoCliLogin::logged-in:
   *
   * The account is open.
   */
  signals[LOGGED_IN] =
    g_signal_new ("logged-in", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);

  /**
   * SottoCliLogin::done:
   * @status: a #SottoCliExit
   *
   * A scripted command cannot go on: the run ends with @status.
   */
  signals[DONE] =
    g_signal_new ("done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_INT);
}

static void
sotto_cli_login_init (SottoCliLogin *self)
{
}

/**
 * sotto_cli_login_new:
 * @chat: log in for the chat, which goes on whatever happens, rather than
 *   for a scripted command
 * @password: (transfer full) (nullable): the password from the command
 *   line or the environment
 * @cancellable: the run's; cancelled when the run ends
 */
SottoCliLogin *
sotto_cli_login_new (SottoClient      *client,
                     SottoCliTerminal *terminal,
                     gboolean          chat,
                     char             *password,
                     GCancellable     *cancellable)
{
  SottoCliLogin *self;

  g_return_val_if_fail (SOTTO_IS_CLIENT (client), NULL);
  g_return_val_if_fail (SOTTO_IS_CLI_TERMINAL (terminal), NULL);
  g_return_val_if_fail (G_IS_CANCELLABLE (cancellable), NULL);

  self = g_object_new (SOTTO_TYPE_CLI_LOGIN, NULL);
  self->client = g_object_ref (client);
  self->terminal = g_object_ref (terminal);
  self->chat = chat;
  self->password = password;
  self->cancellable = g_object_ref (cancellable);

  return self;
}

/**
 * sotto_cli_login_get_busy:
 *
 * Returns: whether a login or registration is under way
 */
gboolean
sotto_cli_login_get_busy (SottoCliLogin *self)
{
  g_return_val_if_fail (SOTTO_IS_CLI_LOGIN (self), FALSE);

  return self->busy;
}

/* Logging in */

static void
account_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(SottoCliLogin) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  self->busy = FALSE;
  wipe_string (&self->recovery_key);
  if (g_async_result_is_tagged (result, sotto_client_link_async))
    ok = sotto_client_link_finish (SOTTO_CLIENT (object), result, &error);
  else if (g_async_result_is_tagged (result, sotto_client_recover_async))
    ok = sotto_client_recover_finish (SOTTO_CLIENT (object), result, &error);
  else
    ok = sotto_client_account_finish (SOTTO_CLIENT (object), result, &error);
  if (!ok)
    {
      if (g_cancellable_is_cancelled (self->cancellable))
        return;
      if (self->chat)
        {
          sotto_cli_say (TRUE, "%s", error->message);
          /* A password from the command line that did not work is not
           * tried again. */
          wipe_string (&self->password);
        }
      else
        {
          g_printerr ("sotto-cli: %s\n", error->message);
          g_signal_emit (self, signals[DONE], 0,
                         sotto_cli_exit_for_error (error, SOTTO_CLI_PHASE_ACCOUNT));
        }
      return;
    }

  if (!g_cancellable_is_cancelled (self->cancellable))
    g_signal_emit (self, signals[LOGGED_IN], 0);
}

static void
account (SottoCliLogin   *self,
         SottoCliAccount  mode,
         const char      *user,
         const char      *password)
{
  self->busy = TRUE;
  switch (mode)
    {
    case SOTTO_CLI_ACCOUNT_REGISTER:
      sotto_client_register_async (self->client, user, password, self->cancellable, account_cb,
                                   g_object_ref (self));
      break;

    case SOTTO_CLI_ACCOUNT_LINK:
      sotto_client_link_async (self->client, user, password, self->cancellable, account_cb,
                               g_object_ref (self));
      break;

    case SOTTO_CLI_ACCOUNT_RECOVER:
      sotto_client_recover_async (self->client, user, password, self->recovery_key,
                                  self->cancellable, account_cb, g_object_ref (self));
      break;

    case SOTTO_CLI_ACCOUNT_LOG_IN:
    default:
      sotto_client_login_async (self->client, user, password, self->cancellable, account_cb,
                                g_object_ref (self));
      break;
    }
}

/* Asking for the password */

static void
no_password (SottoCliLogin *self)
{
  if (self->chat)
    sotto_cli_say (TRUE, _("No password given."));
  else
    {
      g_printerr ("sotto-cli: %s\n", _("No password given"));
      g_signal_emit (self, signals[DONE], 0, SOTTO_CLI_EXIT_USAGE);
    }
}

static void
password_again_cb (SottoCliTerminal *terminal,
                   const char       *line,
                   gpointer          user_data)
{
  SottoCliLogin *self = user_data;

  if (line == NULL)
    {
      wipe_string (&self->pending_password);
      no_password (self);
      return;
    }

  if (g_strcmp0 (line, self->pending_password) != 0)
    {
      wipe_string (&self->pending_password);
      if (self->chat)
        sotto_cli_say (TRUE, _("The two passwords differ; nothing was done."));
      else
        {
          g_printerr ("sotto-cli: %s\n", _("The two passwords differ"));
          g_signal_emit (self, signals[DONE], 0, SOTTO_CLI_EXIT_USAGE);
        }
      return;
    }

  account (self, SOTTO_CLI_ACCOUNT_REGISTER, self->pending_user, line);
  wipe_string (&self->pending_password);
}

static void
password_cb (SottoCliTerminal *terminal,
             const char       *line,
             gpointer          user_data)
{
  SottoCliLogin *self = user_data;

  if (line == NULL || line[0] == '\0')
    {
      no_password (self);
      return;
    }

  if (self->pending_mode == SOTTO_CLI_ACCOUNT_REGISTER)
    {
      wipe_string (&self->pending_password);
      self->pending_password = g_strdup (line);
      sotto_cli_terminal_ask (self->terminal, _("The same password again: "), TRUE,
                              password_again_cb, self);
      return;
    }

  account (self, self->pending_mode, self->pending_user, line);
}

static void
start (SottoCliLogin   *self,
       SottoCliAccount  mode,
       const char      *user)
{
  g_free (self->pending_user);
  self->pending_user = g_strdup (user);
  self->pending_mode = mode;

  if (self->password != NULL)
    {
      account (self, mode, user, self->password);
      return;
    }

  if (!sotto_cli_terminal_is_tty (self->terminal))
    {
      no_password (self);
      return;
    }

  sotto_cli_terminal_ask (self->terminal, _("Password: "), TRUE, password_cb, self);
}

/**
 * sotto_cli_login_log_in:
 * @create: register the account rather than log in to it
 *
 * Logs in as @user with the password from the command line or the
 * environment, or else one asked for on the terminal (twice for a new
 * account).
 */
void
sotto_cli_login_log_in (SottoCliLogin *self,
                        gboolean       create,
                        const char    *user)
{
  g_return_if_fail (SOTTO_IS_CLI_LOGIN (self));
  g_return_if_fail (user != NULL);

  start (self, create ? SOTTO_CLI_ACCOUNT_REGISTER : SOTTO_CLI_ACCOUNT_LOG_IN, user);
}

/**
 * sotto_cli_login_link:
 *
 * Links this computer to the account @user, with its password as for a
 * login, then logs in once another computer of the account approved it.
 * The link code is told by the client (#SottoClient::link-code).
 */
void
sotto_cli_login_link (SottoCliLogin *self,
                      const char    *user)
{
  g_return_if_fail (SOTTO_IS_CLI_LOGIN (self));
  g_return_if_fail (user != NULL);

  start (self, SOTTO_CLI_ACCOUNT_LINK, user);
}

static gboolean
is_blank (const char *line)
{
  for (; *line != '\0'; line++)
    if (!g_ascii_isspace (*line))
      return FALSE;
  return TRUE;
}

static void
recovery_key_cb (SottoCliTerminal *terminal,
                 const char       *line,
                 gpointer          user_data)
{
  SottoCliLogin *self = user_data;
  g_autofree char *user = NULL;

  if (line == NULL || is_blank (line))
    {
      if (self->chat)
        sotto_cli_say (TRUE, _("No recovery key given."));
      else
        {
          g_printerr ("sotto-cli: %s\n", _("No recovery key given on standard input"));
          g_signal_emit (self, signals[DONE], 0, SOTTO_CLI_EXIT_USAGE);
        }
      return;
    }

  wipe_string (&self->recovery_key);
  self->recovery_key = g_strdup (line);
  user = g_strdup (self->pending_user);
  start (self, SOTTO_CLI_ACCOUNT_RECOVER, user);
}

/**
 * sotto_cli_login_recover:
 *
 * Signs in to the account @user on this computer, which does not have
 * it, with its recovery key: one line read from standard input (asked for
 * on the terminal, without echo), then the password as for a login.
 */
void
sotto_cli_login_recover (SottoCliLogin *self,
                         const char    *user)
{
  g_return_if_fail (SOTTO_IS_CLI_LOGIN (self));
  g_return_if_fail (user != NULL);

  g_free (self->pending_user);
  self->pending_user = g_strdup (user);
  sotto_cli_terminal_ask (self->terminal, _("Recovery key: "), TRUE, recovery_key_cb, self);
}
