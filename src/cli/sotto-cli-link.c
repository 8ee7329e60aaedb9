/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "sotto-cli-format.h"
#include "sotto-cli-link.h"

/*
 * Linking a computer to an account: `sotto-cli --user NAME link` on the
 * new computer, which shows a link code and waits, and `sotto-cli --user
 * NAME approve CODE` on one signed in already. The code goes to standard
 * output, where a script reads it, with what to do with it; the rest is
 * for a person, on standard error. And with no computer of the account
 * left: `recovery-key`, which prints the account's recovery key, and
 * `recover`, which signs a new computer in with it.
 */

struct _SottoCliLink
{
  GObject          parent_instance;

  SottoClient     *client;
  SottoCliOptions *options;
  GCancellable    *cancellable;
  gulong           code_id;
};

G_DEFINE_FINAL_TYPE (SottoCliLink, sotto_cli_link, G_TYPE_OBJECT)

static void
sotto_cli_link_dispose (GObject *object)
{
  SottoCliLink *self = SOTTO_CLI_LINK (object);

  if (self->client != NULL)
    g_clear_signal_handler (&self->code_id, self->client);
  g_clear_object (&self->client);

  G_OBJECT_CLASS (sotto_cli_link_parent_class)->dispose (object);
}

static void
sotto_cli_link_finalize (GObject *object)
{
  SottoCliLink *self = SOTTO_CLI_LINK (object);

  g_clear_pointer (&self->options, sotto_cli_options_unref);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (sotto_cli_link_parent_class)->finalize (object);
}

static void
sotto_cli_link_class_init (SottoCliLinkClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sotto_cli_link_dispose;
  object_class->finalize = sotto_cli_link_finalize;
}

static void
sotto_cli_link_init (SottoCliLink *self)
{
}

/**
 * sotto_cli_link_new:
 * @options: the command line, which names the account
 * @cancellable: the run's; cancelled when the run ends
 */
SottoCliLink *
sotto_cli_link_new (SottoClient     *client,
                    SottoCliOptions *options,
                    GCancellable    *cancellable)
{
  SottoCliLink *self;

  g_return_val_if_fail (SOTTO_IS_CLIENT (client), NULL);
  g_return_val_if_fail (options != NULL && options->user != NULL, NULL);
  g_return_val_if_fail (G_IS_CANCELLABLE (cancellable), NULL);

  self = g_object_new (SOTTO_TYPE_CLI_LINK, NULL);
  self->client = g_object_ref (client);
  self->options = sotto_cli_options_ref (options);
  self->cancellable = g_object_ref (cancellable);

  return self;
}

/* The new computer */

static void
link_code_cb (SottoClient *client,
              const char  *code,
              gpointer     user_data)
{
  SottoCliLink *self = user_data;

  if (g_cancellable_is_cancelled (self->cancellable))
    return;

  /* Scripts read the first line, in every language; it goes out at once. */
  g_print ("Link code: %s\n", code);
  g_print (_("On a computer signed in as %s, run “sotto-cli --user %s approve %s”, or in "
             "Sotto choose “Link a New Device” and type the code.\n"),
           self->options->user, self->options->user, code);
  fflush (stdout);
  g_printerr (_("Waiting for the approval…\n"));
}

/**
 * sotto_cli_link_show_code:
 *
 * Prints the link code once the server holds this computer's offer, with
 * what to do with it on the other computer.
 */
void
sotto_cli_link_show_code (SottoCliLink *self)
{
  g_return_if_fail (SOTTO_IS_CLI_LINK (self));
  g_return_if_fail (self->code_id == 0);

  self->code_id = g_signal_connect (self->client, "link-code", G_CALLBACK (link_code_cb), self);
}

/**
 * sotto_cli_link_linked:
 *
 * Tells that this computer is linked, and logged in.
 */
void
sotto_cli_link_linked (SottoCliLink *self)
{
  g_return_if_fail (SOTTO_IS_CLI_LINK (self));

  g_printerr (_("Linked: this computer is now signed in as %s on %s.\n"),
              sotto_client_get_user (self->client), self->options->server);
}

/**
 * sotto_cli_link_recovered:
 *
 * Tells that the account was recovered on this computer, which is
 * logged in.
 */
void
sotto_cli_link_recovered (SottoCliLink *self)
{
  g_return_if_fail (SOTTO_IS_CLI_LINK (self));

  g_printerr (_("Recovered: this computer is now signed in as %s on %s, and one of the "
                "account’s devices.\n"),
              sotto_client_get_user (self->client), self->options->server);
}

/**
 * sotto_cli_link_print_recovery_key:
 *
 * Prints the recovery key of the account logged in, alone on a line of
 * standard output, with what it is for on standard error.
 */
void
sotto_cli_link_print_recovery_key (SottoCliLink *self)
{
  g_autofree char *key = NULL;

  g_return_if_fail (SOTTO_IS_CLI_LINK (self));

  key = sotto_client_get_recovery_key (self->client);
  g_return_if_fail (key != NULL);
  g_print ("%s\n", key);
  fflush (stdout);
  sodium_memzero (key, strlen (key));
  g_printerr (_("This is the recovery key of %s. Keep it on paper or in a password manager, "
                "where nobody else can see it: with the password, it signs in on a new "
                "computer as you (“sotto-cli --user %s recover”) when no computer of the "
                "account is left.\n"),
              sotto_client_get_user (self->client), sotto_client_get_user (self->client));
}

/* The approving computer */

typedef struct
{
  SottoCliLink     *link;
  char             *name;
  SottoCliLinkDone  done;
  gpointer          user_data;
  gboolean          history;
  guint8            device[32];
  gulong            progress_id;
  int               shown_percent;
} Call;

static void
call_free (Call *call)
{
  if (call->progress_id != 0)
    g_clear_signal_handler (&call->progress_id, call->link->client);
  g_object_unref (call->link);
  g_free (call->name);
  g_free (call);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Call, call_free)

static void
call_done (Call *call,
           int   status)
{
  call->done (call->link, status, call->user_data);
}

/* Returns: whether the run goes on */
static gboolean
call_check (Call         *call,
            const GError *error)
{
  if (g_cancellable_is_cancelled (call->link->cancellable))
    return FALSE;
  if (error == NULL)
    return TRUE;

  g_printerr ("sotto-cli: %s\n", error->message);
  call_done (call, sotto_cli_exit_for_error (error, SOTTO_CLI_PHASE_REQUEST));
  return FALSE;
}

/* A line at each tenth of the way, and at the end. */
static void
history_progress_cb (SottoClient *client,
                     const char  *device,
                     gboolean     sending,
                     guint        done,
                     guint        total,
                     gpointer     user_data)
{
  Call *call = user_data;
  int percent = total > 0 ? (int) ((guint64) done * 100 / total) : 100;

  if (!sending || (percent / 10 == call->shown_percent / 10 && done < total))
    return;

  call->shown_percent = percent;
  g_printerr (_("Sent %u of %u messages of history to “%s”\n"), done, total, call->name);
}

static void
history_sent_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(Call) call = user_data;
  g_autoptr(GError) error = NULL;
  gint64 sent;

  sent = sotto_client_send_history_finish (SOTTO_CLIENT (object), result, &error);
  if (!call_check (call, error))
    return;

  if (sent == 0)
    g_printerr (_("There was no history to send.\n"));
  call_done (call, SOTTO_CLI_EXIT_OK);
}

static void
approved_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(Call) call = user_data;
  g_autoptr(GError) error = NULL;
  SottoClient *client = SOTTO_CLIENT (object);

  sotto_client_approve_link_finish (client, result, &error);
  if (!call_check (call, error))
    return;

  g_printerr (_("Approved: “%s” is now one of the devices of %s.\n"), call->name,
              sotto_client_get_user (client));
  if (!call->history)
    {
      call_done (call, SOTTO_CLI_EXIT_OK);
      return;
    }

  /* Sealed for the new computer alone; the server keeps it until that
   * computer has it, so this one may stop once it is all sent. */
  call->shown_percent = -10;
  call->progress_id = g_signal_connect (client, "history-progress",
                                        G_CALLBACK (history_progress_cb), call);
  {
    Call *sending = g_steal_pointer (&call);

    sotto_client_send_history_async (client, sending->device, sending->link->cancellable,
                                     history_sent_cb, sending);
  }
}

static void
opened_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(Call) call = user_data;
  g_autoptr(SottoLinkPending) pending = NULL;
  g_autoptr(GError) error = NULL;
  SottoCliLink *self = call->link;

  pending = sotto_client_open_link_finish (SOTTO_CLIENT (object), result, &error);
  if (!call_check (call, error))
    return;

  /* The name is the new computer's to choose: it is shown as text only. */
  call->name = sotto_cli_sanitize (sotto_link_pending_get_name (pending), " ");
  memcpy (call->device, sotto_link_pending_get_device (pending), sizeof call->device);
  g_printerr (_("Approving the computer “%s” for %s…\n"), call->name,
              sotto_client_get_user (self->client));
  sotto_client_approve_link_async (self->client, pending, self->cancellable, approved_cb,
                                   g_steal_pointer (&call));
}

/**
 * sotto_cli_link_approve:
 * @code: the link code the new computer shows
 *
 * @history: whether to send it this computer's history as well
 *
 * Approves the new computer waiting under @code, once logged in, saying
 * which computer it is.
 */
void
sotto_cli_link_approve (SottoCliLink     *self,
                        const char       *code,
                        gboolean          history,
                        SottoCliLinkDone  done,
                        gpointer          user_data)
{
  Call *call;

  g_return_if_fail (SOTTO_IS_CLI_LINK (self));
  g_return_if_fail (code != NULL);
  g_return_if_fail (done != NULL);

  call = g_new0 (Call, 1);
  call->link = g_object_ref (self);
  call->done = done;
  call->user_data = user_data;
  call->history = history;
  sotto_client_open_link_async (self->client, code, self->cancellable, opened_cb, call);
}
