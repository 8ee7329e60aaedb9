/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sotto-link-dialog.h"

/*
 * "Link a New Device", on a computer signed in to the account: the user
 * types the code the new computer shows, sees which computer it is, and
 * approves it. A code that opens nothing, and an approval that fails,
 * are told in the dialog, on the code, which the user can fix and try
 * again. Once the new computer is approved, the dialog says so with
 * #SottoLinkDialog::linked and closes, or, when the user chose to send it
 * the message history too, shows how far that went until it is all sent.
 */

struct _SottoLinkDialog
{
  AdwWindow         parent_instance;

  GtkStack         *button_stack;
  GtkWidget        *next_button;
  GtkWidget        *link_button;
  GtkSpinner       *spinner;
  GtkStack         *page_stack;
  AdwEntryRow      *code_row;
  GtkLabel         *error_label;
  AdwStatusPage    *confirm_page;
  GtkWidget        *cancel_button;
  GtkWidget        *done_button;
  GtkSwitch        *history_switch;
  AdwStatusPage    *sending_page;
  GtkProgressBar   *history_bar;

  SottoClient      *client;
  GCancellable     *cancellable;
  /* The new computer's offer, opened with the code, while it is shown */
  SottoLinkPending *pending;
  gboolean          busy;
  /* The new computer's signing key, once approved, while the history
   * goes to it */
  guint8            device[32];
  gulong            progress_id;
  gboolean          history_done;
};

enum {
  LINKED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SottoLinkDialog, sotto_link_dialog, ADW_TYPE_WINDOW)

static void
show_error (SottoLinkDialog *self,
            const char      *text)
{
  gtk_label_set_text (self->error_label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), text != NULL);
}

static void
update_sensitivity (SottoLinkDialog *self)
{
  const char *code = gtk_editable_get_text (GTK_EDITABLE (self->code_row));

  gtk_widget_set_sensitive (self->next_button, !self->busy && *code != '\0');
  gtk_widget_set_sensitive (self->link_button, !self->busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->code_row), !self->busy);
}

static void
set_busy (SottoLinkDialog *self,
          gboolean         busy)
{
  self->busy = busy;
  /* Focus leaves the entry before it turns insensitive. */
  if (busy)
    gtk_window_set_focus (GTK_WINDOW (self), NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_spinner_set_spinning (self->spinner, busy);
  update_sensitivity (self);
}

/* The code page, with @error_text under the code when the last try
 * failed; the offer shown before, if any, is forgotten. */
static void
show_code_page (SottoLinkDialog *self,
                const char      *error_text)
{
  g_clear_object (&self->pending);
  gtk_stack_set_visible_child_name (self->page_stack, "code");
  gtk_stack_set_visible_child_name (self->button_stack, "code");
  show_error (self, error_text);
  gtk_widget_grab_focus (GTK_WIDGET (self->code_row));
}

static void
code_changed_cb (SottoLinkDialog *self)
{
  show_error (self, NULL);
  update_sensitivity (self);
}

static void
opened_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(SottoLinkDialog) self = user_data;
  g_autoptr(SottoLinkPending) pending = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *question = NULL;

  pending = sotto_client_open_link_finish (SOTTO_CLIENT (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  set_busy (self, FALSE);
  if (pending == NULL)
    {
      show_code_page (self, error->message);
      return;
    }

  self->pending = g_steal_pointer (&pending);
  /* Translators: %s is the name the new computer gives itself. */
  question = g_strdup_printf (_("Link “%s” to your account?"),
                              sotto_link_pending_get_name (self->pending));
  adw_status_page_set_title (self->confirm_page, question);
  gtk_stack_set_visible_child_name (self->page_stack, "confirm");
  gtk_stack_set_visible_child_name (self->button_stack, "confirm");
  gtk_widget_grab_focus (self->link_button);
}

/**
 * sotto_link_dialog_open_code:
 *
 * What Next does: fetches the offer of the new computer that shows the
 * code typed, and asks whether to link it.
 */
void
sotto_link_dialog_open_code (SottoLinkDialog *self)
{
  const char *code;

  g_return_if_fail (SOTTO_IS_LINK_DIALOG (self));

  code = gtk_editable_get_text (GTK_EDITABLE (self->code_row));
  if (self->busy || self->pending != NULL || *code == '\0')
    return;

  show_error (self, NULL);
  set_busy (self, TRUE);
  sotto_client_open_link_async (self->client, code, self->cancellable, opened_cb,
                                g_object_ref (self));
}

static void
history_progress_cb (SottoClient     *client,
                     const char      *device,
                     gboolean         sending,
                     guint            done,
                     guint            total,
                     SottoLinkDialog *self)
{
  g_autofree char *text = NULL;

  if (!sending || self->history_done)
    return;

  /* Translators: how many messages of the history went to the new
   * computer so far, and of how many. */
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u of %u message",
                                       "%u of %u messages", total),
                          done, total);
  adw_status_page_set_description (self->sending_page, text);
  gtk_progress_bar_set_fraction (self->history_bar,
                                 total > 0 ? (double) done / (double) total : 1.0);
}

/* The history sent, or not: the dialog says so and waits for Done. */
static void
history_sent_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(SottoLinkDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  gint64 sent;

  sent = sotto_client_send_history_finish (SOTTO_CLIENT (object), result, &error);
  if (self->client == NULL)
    return;

  g_clear_signal_handler (&self->progress_id, self->client);
  self->history_done = TRUE;
  set_busy (self, FALSE);
  if (sent == 0)
    {
      gtk_window_close (GTK_WINDOW (self));
      return;
    }

  gtk_widget_set_sensitive (self->done_button, TRUE);
  gtk_widget_grab_focus (self->done_button);
  if (sent < 0)
    {
      adw_status_page_set_icon_name (self->sending_page, "dialog-warning-symbolic");
      adw_status_page_set_title (self->sending_page, _("Message History Not Sent"));
      adw_status_page_set_description (self->sending_page, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->history_bar), FALSE);
      return;
    }

  gtk_progress_bar_set_fraction (self->history_bar, 1.0);
  adw_status_page_set_icon_name (self->sending_page, "emblem-ok-symbolic");
  adw_status_page_set_title (self->sending_page, _("Message History Sent"));
}

static void
approved_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(SottoLinkDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;

  if (!sotto_client_approve_link_finish (SOTTO_CLIENT (object), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      set_busy (self, FALSE);
      show_code_page (self, error->message);
      return;
    }

  name = g_strdup (sotto_link_pending_get_name (self->pending));
  memcpy (self->device, sotto_link_pending_get_device (self->pending), sizeof self->device);
  g_clear_object (&self->pending);
  g_signal_emit (self, signals[LINKED], 0, name);

  if (!gtk_switch_get_active (self->history_switch))
    {
      set_busy (self, FALSE);
      gtk_window_close (GTK_WINDOW (self));
      return;
    }

  /* The history goes on if the dialog is closed: the client sends it. */
  gtk_widget_set_visible (self->cancel_button, FALSE);
  gtk_stack_set_visible_child_name (self->page_stack, "sending");
  gtk_stack_set_visible_child_name (self->button_stack, "done");
  self->progress_id = g_signal_connect (self->client, "history-progress",
                                        G_CALLBACK (history_progress_cb), self);
  sotto_client_send_history_async (self->client, self->device, NULL, history_sent_cb,
                                   g_object_ref (self));
}

/**
 * sotto_link_dialog_approve:
 *
 * What Link does, once the dialog asks: the new computer becomes one of
 * the account's devices.
 */
void
sotto_link_dialog_approve (SottoLinkDialog *self)
{
  g_return_if_fail (SOTTO_IS_LINK_DIALOG (self));

  if (self->busy || self->pending == NULL)
    return;

  set_busy (self, TRUE);
  sotto_client_approve_link_async (self->client, self->pending, self->cancellable, approved_cb,
                                   g_object_ref (self));
}

static void
next_clicked_cb (SottoLinkDialog *self)
{
  sotto_link_dialog_open_code (self);
}

static void
link_clicked_cb (SottoLinkDialog *self)
{
  sotto_link_dialog_approve (self);
}

static void
sotto_link_dialog_dispose (GObject *object)
{
  SottoLinkDialog *self = SOTTO_LINK_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->pending);
  if (self->client != NULL)
    g_clear_signal_handler (&self->progress_id, self->client);
  g_clear_object (&self->client);
  gtk_widget_dispose_template (GTK_WIDGET (self), SOTTO_TYPE_LINK_DIALOG);

  G_OBJECT_CLASS (sotto_link_dialog_parent_class)->dispose (object);
}

static void
sotto_link_dialog_class_init (SottoLinkDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sotto_link_dialog_dispose;

  /**
   * SottoLinkDialog::linked:
   * @name: the name of the computer linked, as it gives itself
   */
  signals[LINKED] =
    g_signal_new ("linked", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               APP_RESOURCE_PATH "/ui/sotto-link-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, SottoLinkDialog, button_stack);
  gtk_widget_class_bind_template_child (widget_class, SottoLinkDialog, next_button);
  gtk_widget_class_bind_template_child (widget_class, SottoLinkDialog, link_button);
  gtk_widget_class_bind_template_child (widget_class, SottoLinkDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, SottoLinkDialog, page_stack);
  gtk_widget_class_bind_template_child (widget_class, SottoLinkDialog, code_row);
  gtk_widget_class_bind_template_child (widget_class, SottoLinkDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, SottoLinkDialog, confirm_page);
  gtk_widget_class_bind_template_child (widget_class, SottoLinkDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, SottoLinkDialog, done_button);
  gtk_widget_class_bind_template_child (widget_class, SottoLinkDialog, history_switch);
  gtk_widget_class_bind_template_child (widget_class, SottoLinkDialog, sending_page);
  gtk_widget_class_bind_template_child (widget_class, SottoLinkDialog, history_bar);
  gtk_widget_class_bind_template_callback (widget_class, code_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, next_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, link_clicked_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
sotto_link_dialog_init (SottoLinkDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
}

/**
 * sotto_link_dialog_new:
 * @client: the client, logged in, that approves
 *
 * Returns: (transfer none): the dialog, not yet shown
 */
SottoLinkDialog *
sotto_link_dialog_new (GtkWindow   *parent,
                       SottoClient *client)
{
  SottoLinkDialog *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (SOTTO_IS_CLIENT (client), NULL);

  self = g_object_new (SOTTO_TYPE_LINK_DIALOG, "transient-for", parent, NULL);
  self->client = g_object_ref (client);
  gtk_widget_grab_focus (GTK_WIDGET (self->code_row));

  return self;
}

/* Types @code into the code field, as the user would. */
void
sotto_link_dialog_set_code (SottoLinkDialog *self,
                            const char      *code)
{
  g_return_if_fail (SOTTO_IS_LINK_DIALOG (self));
  g_return_if_fail (code != NULL);

  gtk_editable_set_text (GTK_EDITABLE (self->code_row), code);
}

gboolean
sotto_link_dialog_get_busy (SottoLinkDialog *self)
{
  g_return_val_if_fail (SOTTO_IS_LINK_DIALOG (self), FALSE);
  return self->busy;
}

/**
 * sotto_link_dialog_get_error:
 *
 * Returns: (nullable): the sentence shown under the code, if any
 */
const char *
sotto_link_dialog_get_error (SottoLinkDialog *self)
{
  g_return_val_if_fail (SOTTO_IS_LINK_DIALOG (self), NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->error_label)))
    return NULL;
  return gtk_label_get_text (self->error_label);
}

/**
 * sotto_link_dialog_get_question:
 *
 * Returns: (nullable): the question asked before linking, naming the new
 *   computer, while the dialog asks it
 */
const char *
sotto_link_dialog_get_question (SottoLinkDialog *self)
{
  g_return_val_if_fail (SOTTO_IS_LINK_DIALOG (self), NULL);

  if (self->pending == NULL)
    return NULL;
  return adw_status_page_get_title (self->confirm_page);
}

/* Whether the new computer is to get the history too, as the user
 * chooses on the confirmation page. */
void
sotto_link_dialog_set_send_history (SottoLinkDialog *self,
                                    gboolean         send)
{
  g_return_if_fail (SOTTO_IS_LINK_DIALOG (self));

  gtk_switch_set_active (self->history_switch, send);
}

/**
 * sotto_link_dialog_get_history_sent:
 *
 * Returns: whether the history went to the new computer, all of it, and
 *   the dialog says so
 */
gboolean
sotto_link_dialog_get_history_sent (SottoLinkDialog *self)
{
  g_return_val_if_fail (SOTTO_IS_LINK_DIALOG (self), FALSE);

  return self->history_done && gtk_widget_get_visible (GTK_WIDGET (self->history_bar));
}
