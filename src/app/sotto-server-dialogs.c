/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sotto-server-dialogs.h"

/*
 * The two questions about a server's key: trusting it on first contact,
 * and the warning when it differs from the one remembered.
 */

/* "ab12 cd34 … (8 groups)" in two lines of four, easier to compare aloud. */
static char *
format_fingerprint (const char *fingerprint)
{
  g_auto(GStrv) groups = g_strsplit (fingerprint != NULL ? fingerprint : "", " ", -1);
  GString *text = g_string_new (NULL);

  for (guint i = 0; groups[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append_c (text, i % 4 == 0 ? '\n' : ' ');
      g_string_append (text, groups[i]);
    }
  return g_string_free (text, FALSE);
}

static GtkWidget *
fingerprint_label (const char *fingerprint)
{
  g_autofree char *text = format_fingerprint (fingerprint);
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_label_set_justify (GTK_LABEL (label), GTK_JUSTIFY_CENTER);
  gtk_widget_add_css_class (label, "fingerprint");
  gtk_widget_add_css_class (label, "monospace");
  return label;
}

/**
 * sotto_trust_dialog_new:
 *
 * Asks whether to trust @server, whose key is seen for the first time.
 * Its #AdwMessageDialog::response is "trust" or "cancel".
 *
 * Returns: (transfer none): the dialog, not yet shown
 */
GtkWindow *
sotto_trust_dialog_new (GtkWindow  *parent,
                        const char *server,
                        const char *fingerprint)
{
  AdwMessageDialog *dialog;
  g_autofree char *body = NULL;

  body = g_strdup_printf (_("This is the first connection to %s from this computer. To be sure "
                            "nobody is in between, ask the server’s operator whether its "
                            "fingerprint is:"), server);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (parent, _("Trust This Server?"), body));
  adw_message_dialog_set_extra_child (dialog, fingerprint_label (fingerprint));
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "trust", _("_Trust and Connect"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "trust", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "trust");
  adw_message_dialog_set_close_response (dialog, "cancel");
  gtk_window_set_modal (GTK_WINDOW (dialog), TRUE);
  return GTK_WINDOW (dialog);
}

/**
 * sotto_key_changed_dialog_new:
 *
 * Explains that @server shows another key than the one remembered. There
 * is no way on from here: only the server's operator can tell whether the
 * key really changed.
 *
 * Returns: (transfer none): the dialog, not yet shown
 */
GtkWindow *
sotto_key_changed_dialog_new (GtkWindow  *parent,
                              const char *server,
                              const char *remembered,
                              const char *presented)
{
  AdwMessageDialog *dialog;
  g_autofree char *body = NULL;
  GtkWidget *box;
  GtkWidget *label;

  body = g_strdup_printf (_("The server at %s presented another key than the one this computer "
                            "remembers. Someone may be between you and the server, so Sotto "
                            "will not connect. Ask the server’s operator: only if the server "
                            "really has a new key should its entry be removed from servers.ini "
                            "in Sotto’s data folder."), server);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (parent, _("The Server’s Key Has Changed"),
                                                       body));

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  label = gtk_label_new (_("Remembered"));
  gtk_widget_add_css_class (label, "heading");
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), fingerprint_label (remembered));
  label = gtk_label_new (_("Presented now"));
  gtk_widget_add_css_class (label, "heading");
  gtk_widget_set_margin_top (label, 6);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), fingerprint_label (presented));
  adw_message_dialog_set_extra_child (dialog, box);

  adw_message_dialog_add_response (dialog, "close", _("_Close"));
  adw_message_dialog_set_default_response (dialog, "close");
  adw_message_dialog_set_close_response (dialog, "close");
  gtk_window_set_modal (GTK_WINDOW (dialog), TRUE);
  return GTK_WINDOW (dialog);
}
