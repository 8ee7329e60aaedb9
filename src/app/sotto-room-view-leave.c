/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sotto-room-view-private.h"

/* Leaving the room shown, once the user has said so. */

static void
left_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GtkWidget) window = user_data;
  g_autoptr(GError) error = NULL;

  if (!sotto_client_leave_finish (SOTTO_CLIENT (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && window != NULL)
    gtk_widget_activate_action (window, "win.show-toast", "s", error->message);
}

static void
leave_response_cb (AdwMessageDialog *dialog,
                   const char       *response,
                   SottoRoomView    *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  const char *room = g_object_get_data (G_OBJECT (dialog), "room");

  if (g_strcmp0 (response, "leave") != 0 || self->client == NULL || room == NULL)
    return;

  sotto_client_leave_async (self->client, room, NULL, left_cb,
                            root != NULL ? g_object_ref (GTK_WIDGET (root)) : NULL);
}

static void
leave_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  SottoRoomView *self = SOTTO_ROOM_VIEW (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  const char *name;
  g_autofree char *heading = NULL;
  GtkWidget *dialog;

  if (self->room == NULL)
    return;

  name = sotto_room_get_display_name (self->room);
  heading = sotto_room_get_direct (self->room)
    ? g_strdup_printf (_("Leave the Chat With %s?"), name)
    : g_strdup_printf (_("Leave %s?"), name);
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, heading,
                                   _("Its history is removed from this computer. You can join "
                                     "again later, but you will not be able to read what was "
                                     "said while you were away."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "leave", _("_Leave"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "leave",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "room", g_strdup (sotto_room_get_name (self->room)),
                          g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (leave_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

void
_sotto_room_view_leave_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "room.leave", NULL, leave_action);
}
