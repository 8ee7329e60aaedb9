/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sotto-room-view-private.h"

/*
 * The bar over the conversation while a member's safety number changed
 * and the user has not looked yet: comparing it again, or accepting the
 * new one. A change of a contact the user had verified holds sending in
 * the room, so that one is shown first; with more than one, the bar tells
 * of the first and counts the others, which come next.
 *
 * The client stores what is to be reviewed, so the bar comes back after
 * logging in; it follows each member's review while the room is shown.
 */

static void
update_bar (SottoRoomView *self)
{
  GListModel *members = sotto_room_get_members (self->room);
  const char *user = sotto_room_get_blocked_by (self->room);
  SottoIdentityReview review = user != NULL ? SOTTO_IDENTITY_REVIEW_BLOCKING
                                            : SOTTO_IDENTITY_REVIEW_NONE;
  g_autofree char *text = NULL;
  guint pending = 0;

  for (guint i = 0; i < g_list_model_get_n_items (members); i++)
    {
      g_autoptr(SottoMember) member = g_list_model_get_item (members, i);

      if (sotto_member_get_review (member) == SOTTO_IDENTITY_REVIEW_NONE)
        continue;
      pending++;
      if (user == NULL)
        {
          user = sotto_member_get_user (member);
          review = sotto_member_get_review (member);
        }
    }

  gtk_revealer_set_reveal_child (self->review_revealer, user != NULL);
  if (user == NULL)
    return;

  if (review == SOTTO_IDENTITY_REVIEW_BLOCKING)
    {
      text = g_strdup_printf (_("%s’s safety number changed. Nothing is sent in this room until "
                                "you compare it again or accept the new one."), user);
      gtk_button_set_label (GTK_BUTTON (self->review_accept_button), _("Accept"));
      gtk_widget_add_css_class (self->review_box, "blocking");
    }
  else
    {
      text = g_strdup_printf (_("%s’s safety number changed. Compare it to make sure you are "
                                "still talking to %s."), user, user);
      gtk_button_set_label (GTK_BUTTON (self->review_accept_button), _("Dismiss"));
      gtk_widget_remove_css_class (self->review_box, "blocking");
    }
  gtk_label_set_text (self->review_label, text);

  if (pending > 1)
    {
      g_autofree char *more = NULL;

      more = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "The safety number of %u more member changed too.",
                                           "The safety numbers of %u more members changed too.",
                                           pending - 1), pending - 1);
      gtk_label_set_text (self->review_more_label, more);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->review_more_label), pending > 1);

  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->review_compare_button), "s", user);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->review_accept_button), "s", user);
}

static void
member_review_cb (SottoMember   *member,
                  GParamSpec    *pspec,
                  SottoRoomView *self)
{
  update_bar (self);
}

static void
unwatch_members (SottoRoomView *self)
{
  for (guint i = 0; i < self->review_members->len; i++)
    g_signal_handlers_disconnect_by_func (g_ptr_array_index (self->review_members, i),
                                          member_review_cb, self);
  g_ptr_array_set_size (self->review_members, 0);
}

/* The client replaces a member's object when the member is listed again. */
static void
members_changed_cb (GListModel    *members,
                    guint          position,
                    guint          removed,
                    guint          added,
                    SottoRoomView *self)
{
  unwatch_members (self);
  for (guint i = 0; i < g_list_model_get_n_items (members); i++)
    {
      g_autoptr(SottoMember) member = g_list_model_get_item (members, i);

      g_signal_connect (member, "notify::review", G_CALLBACK (member_review_cb), self);
      g_ptr_array_add (self->review_members, g_object_ref (member));
    }
  update_bar (self);
}

/**
 * sotto_room_view_get_review_text:
 *
 * Returns: (nullable): what the bar over the conversation says of a
 *   changed safety number, or %NULL while it is hidden
 */
const char *
sotto_room_view_get_review_text (SottoRoomView *self)
{
  g_return_val_if_fail (SOTTO_IS_ROOM_VIEW (self), NULL);

  if (!gtk_revealer_get_reveal_child (self->review_revealer))
    return NULL;
  return gtk_label_get_text (self->review_label);
}

static void
compare_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  sotto_room_view_show_member (SOTTO_ROOM_VIEW (widget), g_variant_get_string (parameter, NULL));
}

/* Accepting, or dismissing a notice: the user looked, and goes on with
 * the new keys without comparing them. */
static void
accept_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  SottoRoomView *self = SOTTO_ROOM_VIEW (widget);
  g_autoptr(GError) error = NULL;

  if (self->client == NULL)
    return;

  if (!sotto_client_accept_identity (self->client, g_variant_get_string (parameter, NULL),
                                     &error))
    gtk_widget_activate_action (widget, "win.show-toast", "s", error->message);
}

void
_sotto_room_view_review_attach (SottoRoomView *self)
{
  GListModel *members = sotto_room_get_members (self->room);

  g_signal_connect_swapped (self->room, "notify::blocked-by", G_CALLBACK (update_bar), self);
  g_signal_connect (members, "items-changed", G_CALLBACK (members_changed_cb), self);
  members_changed_cb (members, 0, 0, 0, self);
}

void
_sotto_room_view_review_detach (SottoRoomView *self)
{
  if (self->room != NULL)
    {
      g_signal_handlers_disconnect_by_func (sotto_room_get_members (self->room),
                                            members_changed_cb, self);
      g_signal_handlers_disconnect_by_func (self->room, update_bar, self);
    }
  if (self->review_members != NULL)
    unwatch_members (self);
  if (self->review_revealer != NULL)
    gtk_revealer_set_reveal_child (self->review_revealer, FALSE);
}

void
_sotto_room_view_review_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "room.compare-safety-number", "s",
                                   compare_action);
  gtk_widget_class_install_action (widget_class, "room.accept-identity", "s", accept_action);
}

void
_sotto_room_view_review_init (SottoRoomView *self)
{
  self->review_members = g_ptr_array_new_with_free_func (g_object_unref);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->review_compare_button), "s", "");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->review_accept_button), "s", "");
}
