/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <sodium.h>
#include <string.h>

#include "sotto-recovery-key-dialog.h"

/*
 * The account's recovery key, shown once after the account is made and
 * again from the preferences: its eleven groups on three lines, in large
 * monospace, selectable, with a button that copies it as one line.
 * Whoever has it can do what the account key does, so it is shown only
 * when asked for and dropped with the dialog.
 */

#define GROUPS_PER_LINE 4

struct _SottoRecoveryKeyDialog
{
  AdwMessageDialog  parent_instance;

  GtkLabel         *key_label;
  GtkButton        *copy_button;
  AdwButtonContent *copy_content;

  char             *recovery_key;
  char             *shown;
};

G_DEFINE_FINAL_TYPE (SottoRecoveryKeyDialog, sotto_recovery_key_dialog, ADW_TYPE_MESSAGE_DIALOG)

/* "AAAAA-BBBBB-…" as lines of four groups, which fit the dialog. */
static char *
split_in_lines (const char *recovery_key)
{
  g_auto(GStrv) groups = g_strsplit (recovery_key, "-", -1);
  GString *text = g_string_new (NULL);

  for (guint i = 0; groups[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append_c (text, i % GROUPS_PER_LINE == 0 ? '\n' : '-');
      g_string_append (text, groups[i]);
    }
  return g_string_free (text, FALSE);
}

static void
wipe (char **text)
{
  if (*text == NULL)
    return;
  sodium_memzero (*text, strlen (*text));
  g_clear_pointer (text, g_free);
}

static void
copy_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  sotto_recovery_key_dialog_copy (SOTTO_RECOVERY_KEY_DIALOG (widget));
}

static void
sotto_recovery_key_dialog_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), SOTTO_TYPE_RECOVERY_KEY_DIALOG);

  G_OBJECT_CLASS (sotto_recovery_key_dialog_parent_class)->dispose (object);
}

static void
sotto_recovery_key_dialog_finalize (GObject *object)
{
  SottoRecoveryKeyDialog *self = SOTTO_RECOVERY_KEY_DIALOG (object);

  wipe (&self->recovery_key);
  wipe (&self->shown);

  G_OBJECT_CLASS (sotto_recovery_key_dialog_parent_class)->finalize (object);
}

static void
sotto_recovery_key_dialog_class_init (SottoRecoveryKeyDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sotto_recovery_key_dialog_dispose;
  object_class->finalize = sotto_recovery_key_dialog_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               APP_RESOURCE_PATH "/ui/sotto-recovery-key-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, SottoRecoveryKeyDialog, key_label);
  gtk_widget_class_bind_template_child (widget_class, SottoRecoveryKeyDialog, copy_button);
  gtk_widget_class_bind_template_child (widget_class, SottoRecoveryKeyDialog, copy_content);
  gtk_widget_class_install_action (widget_class, "recovery-key.copy", NULL, copy_action);
}

static void
sotto_recovery_key_dialog_init (SottoRecoveryKeyDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * sotto_recovery_key_dialog_new:
 * @recovery_key: the key, as sotto_client_get_recovery_key() writes it
 *
 * Returns: (transfer none): the dialog showing @recovery_key, not yet
 *   shown
 */
SottoRecoveryKeyDialog *
sotto_recovery_key_dialog_new (GtkWindow  *parent,
                               const char *recovery_key)
{
  SottoRecoveryKeyDialog *self;

  g_return_val_if_fail (recovery_key != NULL, NULL);

  self = g_object_new (SOTTO_TYPE_RECOVERY_KEY_DIALOG, "transient-for", parent, NULL);
  self->recovery_key = g_strdup (recovery_key);
  self->shown = split_in_lines (recovery_key);
  gtk_label_set_text (self->key_label, self->shown);
  return self;
}

/**
 * sotto_recovery_key_dialog_get_shown:
 *
 * Returns: the key as the dialog shows it, in lines
 */
const char *
sotto_recovery_key_dialog_get_shown (SottoRecoveryKeyDialog *self)
{
  g_return_val_if_fail (SOTTO_IS_RECOVERY_KEY_DIALOG (self), NULL);

  return self->shown;
}

/**
 * sotto_recovery_key_dialog_copy:
 *
 * Puts the key on the clipboard, as one line, as the Copy button does.
 */
void
sotto_recovery_key_dialog_copy (SottoRecoveryKeyDialog *self)
{
  g_return_if_fail (SOTTO_IS_RECOVERY_KEY_DIALOG (self));

  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), self->recovery_key);
  adw_button_content_set_label (self->copy_content, _("Copied"));
  adw_button_content_set_icon_name (self->copy_content, "emblem-ok-symbolic");
}
