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
 * at the form, with its sentence under it. The attempt itself is the
 * view's (sotto-login-view.c); this file shows its page.
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

/* The spinner of the attempt under way: the login's, or the link's. */
void
_sotto_login_view_update_spinners (SottoLoginView *self)
{
  gboolean logging_in = self->busy && !self->linking;
  gboolean linking = self->busy && self->linking;

  gtk_widget_set_visible (GTK_WIDGET (self->spinner), logging_in);
  gtk_spinner_set_spinning (self->spinner, logging_in);
  gtk_widget_set_visible (GTK_WIDGET (self->link_spinner), linking);
  gtk_spinner_set_spinning (self->link_spinner, linking);
}

/* Whether the attempt links this computer rather than logs in; a login
 * refused on a computer that is not linked may go on as a link. */
void
_sotto_login_view_set_linking (SottoLoginView *self,
                               gboolean        linking)
{
  self->linking = !!linking;
  _sotto_login_view_update_spinners (self);
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
