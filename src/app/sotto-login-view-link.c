/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sotto-login-view-private.h"

/*
 * The form's other way in, for a computer that is not one of the
 * account's devices yet: "Link to an Existing Device". The attempt
 * connects as a login does (sotto-login-view-connect.c), then the client
 * offers this computer under a link code, which a page of its own shows
 * until a computer of the account approves it, or the user gives up.
 * Approved, the view is logged in as after a login; anything else ends
 * at the form, with its sentence under it.
 */

static void
link_code_cb (SottoClient    *client,
              const char     *code,
              SottoLoginView *self)
{
  const char *username = gtk_editable_get_text (GTK_EDITABLE (self->username_row));
  g_autofree char *description = NULL;

  if (client != self->client)
    return;

  /* Translators: %s is a username; “Link a New Device” is in the main
   * window's menu. */
  description = g_markup_printf_escaped (_("On a computer where %s is signed in, open the menu, "
                                           "choose “Link a New Device”, and type this code."),
                                         username);
  adw_status_page_set_description (self->link_page, description);
  gtk_label_set_text (self->link_code_label, code);
  gtk_spinner_start (self->link_waiting_spinner);
  gtk_stack_set_visible_child_name (self->page_stack, "link");
  /* Not on the code: a label that takes the focus selects all of it. */
  gtk_widget_grab_focus (GTK_WIDGET (self->link_cancel_button));
}

/* Watches the attempt's client for the code it shows, should it link. */
void
_sotto_login_view_link_attach (SottoLoginView *self)
{
  g_assert (SOTTO_IS_CLIENT (self->client));

  g_signal_connect_object (self->client, "link-code", G_CALLBACK (link_code_cb), self, 0);
}

/* Back to the form: the code page shows nothing once its link ended. */
void
_sotto_login_view_link_hide (SottoLoginView *self)
{
  gtk_stack_set_visible_child_name (self->page_stack, "form");
  gtk_spinner_stop (self->link_waiting_spinner);
  gtk_label_set_text (self->link_code_label, "");
}

static void
link_clicked_cb (SottoLoginView *self)
{
  sotto_login_view_link (self);
}

static void
link_cancel_clicked_cb (SottoLoginView *self)
{
  sotto_login_view_cancel_link (self);
}

void
_sotto_login_view_link_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_callback (widget_class, link_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, link_cancel_clicked_cb);
}

/**
 * sotto_login_view_link:
 *
 * What "Link to an Existing Device" does: connects to the server of the
 * form, as a login does, and links this computer to the account of the
 * form, showing the code to type on a computer where it is signed in.
 */
void
sotto_login_view_link (SottoLoginView *self)
{
  g_return_if_fail (SOTTO_IS_LOGIN_VIEW (self));

  if (self->busy)
    return;

  sotto_login_view_set_creating (self, FALSE);
  _sotto_login_view_start (self, TRUE);
}

/**
 * sotto_login_view_cancel_link:
 *
 * What Cancel under the link code does: the link ends, and the form is
 * back as it was.
 */
void
sotto_login_view_cancel_link (SottoLoginView *self)
{
  g_return_if_fail (SOTTO_IS_LOGIN_VIEW (self));

  if (!self->busy || !self->linking)
    return;

  _sotto_login_view_stop (self, NULL);
}

/**
 * sotto_login_view_get_link_code:
 *
 * Returns: (nullable): the link code shown, while the view shows one
 */
const char *
sotto_login_view_get_link_code (SottoLoginView *self)
{
  g_return_val_if_fail (SOTTO_IS_LOGIN_VIEW (self), NULL);

  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->page_stack), "link") != 0)
    return NULL;
  return gtk_label_get_text (self->link_code_label);
}
