/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sotto-bans-dialog.h"
#include "sotto-room-view-private.h"

/*
 * For the room's moderators: removing a member, once they have said so,
 * and the people removed, to let them back in. Who may is the members
 * panel's to show (sotto-room-view-members.c); the room's signed state
 * decides.
 */

static void
removed_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GtkWidget) window = user_data;
  g_autoptr(GError) error = NULL;

  if (!sotto_client_kick_finish (SOTTO_CLIENT (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && window != NULL)
    gtk_widget_activate_action (window, "win.show-toast", "s", error->message);
}

static void
remove_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    SottoRoomView    *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  const char *room = g_object_get_data (G_OBJECT (dialog), "room");
  const char *user = g_object_get_data (G_OBJECT (dialog), "user");

  if (g_strcmp0 (response, "remove") != 0 || self->client == NULL)
    return;

  sotto_client_kick_async (self->client, room, user, NULL, removed_cb,
                           root != NULL ? g_object_ref (GTK_WIDGET (root)) : NULL);
}

static void
remove_member_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  SottoRoomView *self = SOTTO_ROOM_VIEW (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  const char *user = g_variant_get_string (parameter, NULL);
  g_autofree char *heading = NULL;
  GtkWidget *dialog;

  if (self->room == NULL)
    return;

  /* Translators: the first %s is a person, the second a room, as in
   * "Remove bob from #team?" */
  heading = g_strdup_printf (_("Remove %s from %s?"), user,
                             sotto_room_get_display_name (self->room));
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, heading,
                                   _("They will not be able to join again until you let them "
                                     "back in."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "remove", _("_Remove"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "remove",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "room", g_strdup (sotto_room_get_name (self->room)),
                          g_free);
  g_object_set_data_full (G_OBJECT (dialog), "user", g_strdup (user), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (remove_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
show_removed_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  SottoRoomView *self = SOTTO_ROOM_VIEW (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  SottoBansDialog *dialog;

  if (self->room == NULL || self->client == NULL)
    return;

  dialog = sotto_bans_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, self->client,
                                  self->room);
  gtk_window_present (GTK_WINDOW (dialog));
}

void
_sotto_room_view_remove_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "room.remove-member", "s",
                                   remove_member_action);
  gtk_widget_class_install_action (widget_class, "room.show-removed", NULL, show_removed_action);
}
