/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sotto-login-view-private.h"

/*
 * The login form itself: what it says in each mode, what it can tell
 * before asking the server, and the sentence under it.
 */

void
_sotto_login_view_show_error (SottoLoginView *self,
                              const char     *text)
{
  gtk_label_set_text (self->error_label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), text != NULL);
}

void
_sotto_login_view_update_mode (SottoLoginView *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->confirm_row), self->creating);
  gtk_widget_set_visible (GTK_WIDGET (self->rules_label), self->creating);
  /* A new account is made here; only an existing one links. */
  gtk_widget_set_visible (GTK_WIDGET (self->link_button), !self->creating);
  if (self->creating)
    {
      gtk_label_set_text (self->subtitle_label,
                          _("Create an account on your server. Messages are encrypted on this "
                            "computer; the server cannot read them."));
      gtk_label_set_text_with_mnemonic (self->submit_label, _("_Create Account"));
      gtk_button_set_label (self->mode_button, _("I Already Have an Account"));
    }
  else
    {
      gtk_label_set_text (self->subtitle_label, _("Log in to your server to chat."));
      gtk_label_set_text_with_mnemonic (self->submit_label, _("_Log In"));
      gtk_button_set_label (self->mode_button, _("Create an Account"));
    }
}

static gboolean
username_is_valid (const char *username)
{
  gsize length = strlen (username);

  if (length == 0 || length > 32)
    return FALSE;
  for (const char *c = username; *c != '\0'; c++)
    if (!g_ascii_isalnum (*c) && *c != '.' && *c != '_' && *c != '-')
      return FALSE;
  return TRUE;
}

/* What can be told before asking the server, and in @field the row it
 * concerns. */
const char *
_sotto_login_view_check_form (SottoLoginView  *self,
                              GtkWidget      **field)
{
  const char *server = gtk_editable_get_text (GTK_EDITABLE (self->server_row));
  const char *username = gtk_editable_get_text (GTK_EDITABLE (self->username_row));
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));
  const char *confirm = gtk_editable_get_text (GTK_EDITABLE (self->confirm_row));

  *field = GTK_WIDGET (self->server_row);
  if (*server == '\0')
    return _("Enter the address of the server, such as localhost:7777");
  *field = GTK_WIDGET (self->username_row);
  if (*username == '\0')
    return _("Enter your username");
  if (self->creating && !username_is_valid (username))
    return _("A username has 1 to 32 characters: letters, digits, “.”, “_” and “-”");
  *field = GTK_WIDGET (self->password_row);
  if (*password == '\0')
    return _("Enter your password");
  if (self->creating && g_utf8_strlen (password, -1) < 8)
    return _("The password is too short: it needs at least 8 characters");
  *field = GTK_WIDGET (self->confirm_row);
  if (self->creating && g_strcmp0 (password, confirm) != 0)
    return _("The passwords do not match");
  *field = NULL;
  return NULL;
}

/**
 * sotto_login_view_get_error:
 *
 * Returns: (nullable): the sentence shown under the form, if any
 */
const char *
sotto_login_view_get_error (SottoLoginView *self)
{
  g_return_val_if_fail (SOTTO_IS_LOGIN_VIEW (self), NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->error_label)))
    return NULL;
  return gtk_label_get_text (self->error_label);
}

/* Fills the form as a user would type it. */
void
sotto_login_view_fill (SottoLoginView *self,
                       const char     *server,
                       const char     *username,
                       const char     *password)
{
  g_return_if_fail (SOTTO_IS_LOGIN_VIEW (self));

  if (server != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->server_row), server);
  if (username != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->username_row), username);
  if (password != NULL)
    {
      gtk_editable_set_text (GTK_EDITABLE (self->password_row), password);
      gtk_editable_set_text (GTK_EDITABLE (self->confirm_row), password);
    }
}
