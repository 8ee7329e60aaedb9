/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sotto-login-view-private.h"

/*
 * Recovering the account from the not-linked dialog: a small dialog asks
 * for the recovery key, then the form's client signs in with it, the
 * name and the password of the form (sotto_client_recover_async()). A
 * dialog dismissed without a key ends with %G_IO_ERROR_CANCELLED, which
 * the attempt tells apart from its own cancellation.
 */

typedef struct
{
  GtkEditable *entry;
  gboolean     answered;
} Asking;

static void
recovered_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!sotto_client_recover_finish (SOTTO_CLIENT (object), result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
response_cb (AdwMessageDialog *dialog,
             const char       *response,
             GTask            *task)
{
  SottoLoginView *self = g_task_get_source_object (task);
  Asking *asking = g_task_get_task_data (task);
  const char *username = gtk_editable_get_text (GTK_EDITABLE (self->username_row));
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));

  /* Closing the dialog after a response may tell "cancel" again. */
  if (asking->answered)
    return;
  asking->answered = TRUE;
  if (g_task_return_error_if_cancelled (task))
    return;

  if (g_strcmp0 (response, "recover") != 0)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s",
                               "No recovery key was given");
      return;
    }

  sotto_client_recover_async (self->client, username, password,
                              gtk_editable_get_text (asking->entry),
                              g_task_get_cancellable (task), recovered_cb, g_object_ref (task));
  gtk_editable_set_text (asking->entry, "");
}

/* The dialog's hold on the task: a dialog closed without an answer ends
 * it as dismissed. */
static void
dialog_gone_cb (gpointer  data,
                GClosure *closure)
{
  GTask *task = data;
  Asking *asking = g_task_get_task_data (task);

  if (!asking->answered)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s",
                             "The dialog was closed without an answer");
  g_object_unref (task);
}

/* Signing in waits for something to sign in with. */
static void
entry_changed_cb (GtkEditable      *entry,
                  AdwMessageDialog *dialog)
{
  gboolean blank = TRUE;

  for (const char *c = gtk_editable_get_text (entry); *c != '\0' && blank; c++)
    blank = g_ascii_isspace (*c);
  adw_message_dialog_set_response_enabled (dialog, "recover", !blank);
}

/**
 * _sotto_login_view_recover_async:
 *
 * Asks for the account's recovery key, then signs in with it on the
 * form's client, which is connected.
 */
void
_sotto_login_view_recover_async (SottoLoginView      *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  const char *username = gtk_editable_get_text (GTK_EDITABLE (self->username_row));
  g_autofree char *body = NULL;
  GtkWidget *dialog;
  GtkWidget *entry;
  Asking *asking;
  GTask *task;

  g_assert (SOTTO_IS_CLIENT (self->client));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, _sotto_login_view_recover_async);
  asking = g_new0 (Asking, 1);
  g_task_set_task_data (task, asking, g_free);

  body = g_strdup_printf (_("Type the recovery key of %s as you kept it: 55 letters and digits "
                            "in groups of five. Your contacts see no change, and this computer "
                            "reads what they say from now on."),
                          username);
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _("Use the Recovery Key"), body);
  entry = gtk_entry_new ();
  asking->entry = GTK_EDITABLE (entry);
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), "XXXXX-XXXXX-XXXXX-…");
  gtk_entry_set_input_hints (GTK_ENTRY (entry),
                             GTK_INPUT_HINT_NO_SPELLCHECK | GTK_INPUT_HINT_UPPERCASE_CHARS |
                             GTK_INPUT_HINT_NO_EMOJI);
  gtk_widget_add_css_class (entry, "monospace");
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Recovery key"),
                                  -1);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "recover", _("_Sign In"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "recover",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (dialog), "recover", FALSE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "recover");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (entry, "changed", G_CALLBACK (entry_changed_cb), dialog, 0);
  g_signal_connect_data (dialog, "response", G_CALLBACK (response_cb), task, dialog_gone_cb,
                         0);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (entry);
}

gboolean
_sotto_login_view_recover_finish (SottoLoginView  *self,
                                  GAsyncResult    *result,
                                  GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
