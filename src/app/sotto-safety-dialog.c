/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sotto-safety-dialog.h"

/*
 * The safety number shared with one contact: twelve groups of five digits
 * that both see alike only when nobody is in between. After comparing
 * them (in person, or on a call) the user marks the contact verified.
 */

struct _SottoSafetyDialog
{
  AdwMessageDialog  parent_instance;

  GtkGrid          *digits_grid;
  GtkWidget        *verified_box;
  GtkLabel         *verified_label;

  SottoClient      *client;
  char             *user;
  char             *digits;
};

G_DEFINE_FINAL_TYPE (SottoSafetyDialog, sotto_safety_dialog, ADW_TYPE_MESSAGE_DIALOG)

static void
show_digits (SottoSafetyDialog *self)
{
  g_auto(GStrv) groups = g_strsplit (self->digits, " ", -1);

  for (guint i = 0; groups[i] != NULL; i++)
    {
      GtkWidget *label = gtk_label_new (groups[i]);

      gtk_widget_add_css_class (label, "monospace");
      gtk_widget_add_css_class (label, "title-3");
      gtk_grid_attach (self->digits_grid, label, i % 4, i / 4, 1, 1);
    }
}

static void
response_cb (SottoSafetyDialog *self,
             const char        *response)
{
  g_autoptr(GError) error = NULL;
  gboolean verify;

  if (g_strcmp0 (response, "verify") == 0)
    verify = TRUE;
  else if (g_strcmp0 (response, "unverify") == 0)
    verify = FALSE;
  else
    return;

  if (!sotto_client_set_verified (self->client, self->user, verify, &error))
    {
      GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (self));
      GtkWidget *failed = adw_message_dialog_new (parent, _("Could Not Save"), error->message);

      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (failed), "close", _("_Close"));
      gtk_window_present (GTK_WINDOW (failed));
    }
}

static void
sotto_safety_dialog_dispose (GObject *object)
{
  SottoSafetyDialog *self = SOTTO_SAFETY_DIALOG (object);

  g_clear_object (&self->client);
  gtk_widget_dispose_template (GTK_WIDGET (self), SOTTO_TYPE_SAFETY_DIALOG);

  G_OBJECT_CLASS (sotto_safety_dialog_parent_class)->dispose (object);
}

static void
sotto_safety_dialog_finalize (GObject *object)
{
  SottoSafetyDialog *self = SOTTO_SAFETY_DIALOG (object);

  g_free (self->user);
  g_free (self->digits);

  G_OBJECT_CLASS (sotto_safety_dialog_parent_class)->finalize (object);
}

static void
sotto_safety_dialog_class_init (SottoSafetyDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sotto_safety_dialog_dispose;
  object_class->finalize = sotto_safety_dialog_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               APP_RESOURCE_PATH "/ui/sotto-safety-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, SottoSafetyDialog, digits_grid);
  gtk_widget_class_bind_template_child (widget_class, SottoSafetyDialog, verified_box);
  gtk_widget_class_bind_template_child (widget_class, SottoSafetyDialog, verified_label);
}

static void
sotto_safety_dialog_init (SottoSafetyDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * sotto_safety_dialog_new:
 *
 * Returns: (transfer none): the dialog for comparing the safety number
 *   with @user, not yet shown
 */
SottoSafetyDialog *
sotto_safety_dialog_new (GtkWindow   *parent,
                         SottoClient *client,
                         const char  *user)
{
  SottoSafetyDialog *self;
  AdwMessageDialog *dialog;
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  gboolean verified;

  g_return_val_if_fail (SOTTO_IS_CLIENT (client), NULL);
  g_return_val_if_fail (user != NULL, NULL);

  self = g_object_new (SOTTO_TYPE_SAFETY_DIALOG, "transient-for", parent, NULL);
  dialog = ADW_MESSAGE_DIALOG (self);
  self->client = g_object_ref (client);
  self->user = g_strdup (user);
  self->digits = sotto_client_safety_number (client, user);
  verified = sotto_client_is_verified (client, user);

  heading = g_strdup_printf (_("Safety Number With %s"), user);
  adw_message_dialog_set_heading (dialog, heading);
  adw_message_dialog_add_response (dialog, "close", _("_Close"));
  adw_message_dialog_set_close_response (dialog, "close");

  if (self->digits == NULL)
    {
      body = g_strdup_printf (_("No keys of %s are known yet. They arrive when you share a room "
                                "with %s."), user, user);
      adw_message_dialog_set_body (dialog, body);
      gtk_widget_set_visible (GTK_WIDGET (self->digits_grid), FALSE);
      return self;
    }

  if (sotto_client_get_review (client, user) != SOTTO_IDENTITY_REVIEW_NONE)
    body = g_strdup_printf (_("%s’s safety number changed. Compare the new numbers with the ones "
                              "%s sees, in person or on a call. If they are the same, nobody can "
                              "read or change your messages on the way."), user, user);
  else
    body = g_strdup_printf (_("Compare these numbers with the ones %s sees, in person or on a "
                              "call. If they are the same, nobody can read or change your "
                              "messages on the way."), user);
  adw_message_dialog_set_body (dialog, body);
  show_digits (self);

  if (verified)
    {
      g_autofree char *text = g_strdup_printf (_("You have verified %s."), user);

      gtk_label_set_text (self->verified_label, text);
      gtk_widget_set_visible (self->verified_box, TRUE);
      adw_message_dialog_add_response (dialog, "unverify", _("_Remove Verification"));
      adw_message_dialog_set_response_appearance (dialog, "unverify", ADW_RESPONSE_DESTRUCTIVE);
    }
  else
    {
      adw_message_dialog_add_response (dialog, "verify", _("_Mark as Verified"));
      adw_message_dialog_set_response_appearance (dialog, "verify", ADW_RESPONSE_SUGGESTED);
    }

  g_signal_connect (self, "response", G_CALLBACK (response_cb), NULL);
  return self;
}

/**
 * sotto_safety_dialog_dup_digits:
 *
 * Returns: (transfer full) (nullable): the safety number shown
 */
char *
sotto_safety_dialog_dup_digits (SottoSafetyDialog *self)
{
  g_return_val_if_fail (SOTTO_IS_SAFETY_DIALOG (self), NULL);
  return g_strdup (self->digits);
}
