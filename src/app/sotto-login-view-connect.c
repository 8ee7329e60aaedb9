/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sotto-login-view-private.h"
#include "sotto-server-dialogs.h"
#include "sotto-wire.h"

/*
 * One login attempt of the form's client, as one async operation: connect,
 * ask the user to trust a server seen for the first time (or show that its
 * key changed), then log in, create the account, or link this computer to
 * it. A login from a computer that is not one of the account's devices
 * asks whether to link it instead, to sign in with the account's
 * recovery key, or to reset the account from here.
 */

typedef struct
{
  gboolean answered;   /* the open dialog gave a response */
  GError  *not_linked; /* why the login was refused, while asking */
} Attempt;

static void
attempt_free (Attempt *attempt)
{
  g_clear_error (&attempt->not_linked);
  g_free (attempt);
}

static GtkWindow *
parent_window (SottoLoginView *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

static void
reset_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!sotto_client_account_finish (SOTTO_CLIENT (object), result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
link_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!sotto_client_link_finish (SOTTO_CLIENT (object), result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/* The recovery key asked for and used; a dialog dismissed without one
 * ends the attempt as the not-linked dialog's Cancel does. */
static void
recover_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SottoLoginView *self = SOTTO_LOGIN_VIEW (object);
  Attempt *attempt = g_task_get_task_data (task);
  GError *error = NULL;

  if (_sotto_login_view_recover_finish (self, result, &error))
    g_task_return_boolean (task, TRUE);
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
           !g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    {
      g_error_free (error);
      g_task_return_error (task, g_steal_pointer (&attempt->not_linked));
    }
  else
    g_task_return_error (task, error);
}

/* The view shows the code once the client tells it, then waits for the
 * approval: the link ends logged in, or with why not. */
static void
start_link (GTask *task)
{
  SottoLoginView *self = g_task_get_source_object (task);
  const char *username = gtk_editable_get_text (GTK_EDITABLE (self->username_row));
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));

  _sotto_login_view_set_linking (self, TRUE);
  sotto_client_link_async (self->client, username, password, g_task_get_cancellable (task),
                           link_done_cb, task);
}

static void
not_linked_response_cb (AdwMessageDialog *dialog,
                        const char       *response,
                        GTask            *task)
{
  SottoLoginView *self = g_task_get_source_object (task);
  Attempt *attempt = g_task_get_task_data (task);
  const char *username = gtk_editable_get_text (GTK_EDITABLE (self->username_row));
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));

  /* Closing the dialog after a response may tell "cancel" again. */
  if (attempt->answered)
    return;
  attempt->answered = TRUE;
  if (g_task_return_error_if_cancelled (task))
    return;

  if (g_strcmp0 (response, "reset") == 0)
    sotto_client_reset_async (self->client, username, password, g_task_get_cancellable (task),
                              reset_done_cb, g_object_ref (task));
  else if (g_strcmp0 (response, "link") == 0)
    start_link (g_object_ref (task));
  else if (g_strcmp0 (response, "recover") == 0)
    _sotto_login_view_recover_async (self, g_task_get_cancellable (task), recover_done_cb,
                                     g_object_ref (task));
  else
    g_task_return_error (task, g_steal_pointer (&attempt->not_linked));
}

/* The dialog's hold on the attempt: a dialog closed without an answer
 * (destroyed with its window) ends the attempt as cancelled. */
static void
dialog_gone_cb (gpointer  data,
                GClosure *closure)
{
  GTask *task = data;
  Attempt *attempt = g_task_get_task_data (task);

  if (!attempt->answered)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s",
                             "The dialog was closed without an answer");
  g_object_unref (task);
}

/* This computer is not one of the account's: what the user can do, the
 * link offered first, then the recovery key, and a reset behind a
 * destructive button. */
static void
ask_not_linked (GTask  *task,
                GError *not_linked)
{
  SottoLoginView *self = g_task_get_source_object (task);
  Attempt *attempt = g_task_get_task_data (task);
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  const char *username = gtk_editable_get_text (GTK_EDITABLE (self->username_row));
  g_autofree char *body = NULL;
  GtkWidget *dialog;

  /* The trust dialog of a first connection was answered before this one. */
  attempt->answered = FALSE;
  attempt->not_linked = not_linked;
  /* The app's own words: the client's sentence also names sotto-cli. */
  body = g_strdup_printf (_("This computer is not linked to %s’s account yet. Choose “Link This "
                            "Computer”, then, on a computer where %s is signed in, choose “Link "
                            "a New Device” in Sotto’s menu and type the code this one shows.\n\n"
                            "With no such computer left, use the account’s recovery key. "
                            "Without it, reset the account: your contacts are told of your new "
                            "keys, and nothing said before is readable here."),
                          username, username);
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _("This Computer Is Not Linked"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "reset", _("_Reset Account"),
                                    "recover", _("Use _Recovery Key…"),
                                    "link", _("_Link This Computer"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "reset",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "link",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "link");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_data (dialog, "response", G_CALLBACK (not_linked_response_cb), task,
                         dialog_gone_cb, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
account_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (sotto_client_account_finish (SOTTO_CLIENT (object), result, &error))
    g_task_return_boolean (task, TRUE);
  else if (sotto_client_error_is_server (error, SOTTO_MSG_ERROR_CODE_NOT_LINKED))
    ask_not_linked (g_steal_pointer (&task), error);
  else
    g_task_return_error (task, error);
}

static void
start_account (GTask *task)
{
  SottoLoginView *self = g_task_get_source_object (task);
  const char *username = gtk_editable_get_text (GTK_EDITABLE (self->username_row));
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));

  if (self->linking)
    start_link (task);
  else if (self->creating)
    sotto_client_register_async (self->client, username, password,
                                 g_task_get_cancellable (task), account_done_cb, task);
  else
    sotto_client_login_async (self->client, username, password,
                              g_task_get_cancellable (task), account_done_cb, task);
}

static void
trusted_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!sotto_client_trust_server_finish (SOTTO_CLIENT (object), result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  start_account (g_steal_pointer (&task));
}

static void
trust_response_cb (AdwMessageDialog *dialog,
                   const char       *response,
                   GTask            *task)
{
  SottoLoginView *self = g_task_get_source_object (task);
  Attempt *attempt = g_task_get_task_data (task);

  attempt->answered = TRUE;
  if (g_task_return_error_if_cancelled (task))
    return;

  if (g_strcmp0 (response, "trust") == 0)
    sotto_client_trust_server_async (self->client, g_task_get_cancellable (task), trusted_cb,
                                     g_object_ref (task));
  else
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, "%s",
                             _("Not connected: the server’s key was not trusted"));
}

static void
connected_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SottoLoginView *self = g_task_get_source_object (task);
  GError *error = NULL;
  GtkWindow *dialog;

  if (sotto_client_connect_finish (SOTTO_CLIENT (object), result, &error))
    {
      start_account (g_steal_pointer (&task));
      return;
    }

  if (g_error_matches (error, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_SERVER_KEY_UNKNOWN))
    {
      g_error_free (error);
      dialog = sotto_trust_dialog_new (parent_window (self),
                                       sotto_client_get_server (self->client),
                                       sotto_client_get_server_fingerprint (self->client));
      g_signal_connect_data (dialog, "response", G_CALLBACK (trust_response_cb),
                             g_steal_pointer (&task), dialog_gone_cb, 0);
      gtk_window_present (dialog);
      return;
    }

  if (g_error_matches (error, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_SERVER_KEY_CHANGED))
    {
      dialog = sotto_key_changed_dialog_new (parent_window (self),
                                             sotto_client_get_server (self->client),
                                             sotto_client_get_pinned_fingerprint (self->client),
                                             sotto_client_get_server_fingerprint (self->client));
      gtk_window_present (dialog);
    }

  g_task_return_error (task, error);
}

/* Connects self->client and logs in, registers when the form is in its
 * creating mode, or links this computer when the attempt is a link;
 * cancelled through self->cancellable. */
void
_sotto_login_view_connect_async (SottoLoginView      *self,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *task;

  g_assert (SOTTO_IS_CLIENT (self->client));

  task = g_task_new (self, self->cancellable, callback, user_data);
  g_task_set_source_tag (task, _sotto_login_view_connect_async);
  g_task_set_task_data (task, g_new0 (Attempt, 1), (GDestroyNotify) attempt_free);
  sotto_client_connect_async (self->client, self->cancellable, connected_cb, task);
}

gboolean
_sotto_login_view_connect_finish (SottoLoginView  *self,
                                  GAsyncResult    *result,
                                  GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
