/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sotto-room-view-private.h"

/*
 * For the room's moderators, by its signed state: making the room
 * invite-only or open again, and inviting someone into it; for its
 * owners, making a member a moderator or a plain member again. The
 * members' clients enforce all of it, not the server.
 */

/* Which of the two offers the room's menu shows follows the room. */
static void
signed_state_changed_cb (SottoRoomView *self)
{
  gboolean moderator = self->room != NULL && !sotto_room_get_direct (self->room) &&
                       sotto_room_get_own_role (self->room) >= SOTTO_MEMBER_ROLE_MODERATOR;
  gboolean invite_only = self->room != NULL && sotto_room_get_invite_only (self->room);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "room.close", moderator && !invite_only);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "room.open", moderator && invite_only);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "room.invite", moderator && invite_only);
}

static void
toast_error (GtkWidget    *window,
             const GError *error)
{
  if (window != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    gtk_widget_activate_action (window, "win.show-toast", "s", error->message);
}

static void
invite_only_set_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GtkWidget) window = user_data;
  g_autoptr(GError) error = NULL;

  if (!sotto_client_set_invite_only_finish (SOTTO_CLIENT (object), result, &error))
    toast_error (window, error);
}

static void
set_invite_only (SottoRoomView *self,
                 gboolean       invite_only)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (self->room == NULL || self->client == NULL)
    return;

  sotto_client_set_invite_only_async (self->client, sotto_room_get_name (self->room),
                                      invite_only, NULL, invite_only_set_cb,
                                      root != NULL ? g_object_ref (GTK_WIDGET (root)) : NULL);
}

static void
close_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  set_invite_only (SOTTO_ROOM_VIEW (widget), TRUE);
}

static void
open_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  set_invite_only (SOTTO_ROOM_VIEW (widget), FALSE);
}

static void
invited_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GtkWidget) window = user_data;
  g_autoptr(GError) error = NULL;

  if (!sotto_client_invite_finish (SOTTO_CLIENT (object), result, &error))
    toast_error (window, error);
}

static void
invite_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    SottoRoomView    *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkEditable *entry = g_object_get_data (G_OBJECT (dialog), "entry");
  const char *room = g_object_get_data (G_OBJECT (dialog), "room");
  g_autofree char *user = NULL;

  if (g_strcmp0 (response, "invite") != 0 || self->client == NULL)
    return;

  user = g_strstrip (g_strdup (gtk_editable_get_text (entry)));
  sotto_client_invite_async (self->client, room, user, NULL, invited_cb,
                             root != NULL ? g_object_ref (GTK_WIDGET (root)) : NULL);
}

/* Invite only once a name is typed. */
static void
entry_changed_cb (GtkEditable      *entry,
                  AdwMessageDialog *dialog)
{
  g_autofree char *user = g_strstrip (g_strdup (gtk_editable_get_text (entry)));

  adw_message_dialog_set_response_enabled (dialog, "invite", user[0] != '\0');
}

static void
entry_activate_cb (GtkEntry         *entry,
                   AdwMessageDialog *dialog)
{
  if (adw_message_dialog_get_response_enabled (dialog, "invite"))
    adw_message_dialog_response (dialog, "invite");
}

static void
invite_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  SottoRoomView *self = SOTTO_ROOM_VIEW (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autofree char *heading = NULL;
  GtkWidget *dialog;
  GtkWidget *entry;

  if (self->room == NULL)
    return;

  /* Translators: %s is a room, as in "Invite Someone to #team" */
  heading = g_strdup_printf (_("Invite Someone to %s"), sotto_room_get_display_name (self->room));
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, heading,
                                   _("The room is invite-only: its members take in only whom a "
                                     "moderator invited. Tell them the room’s name; they join "
                                     "it as any room."));
  entry = gtk_entry_new ();
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _("User name"));
  gtk_entry_set_input_purpose (GTK_ENTRY (entry), GTK_INPUT_PURPOSE_FREE_FORM);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("User name"), -1);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "invite", _("_Invite"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "invite",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (dialog), "invite", FALSE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "invite");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data (G_OBJECT (dialog), "entry", entry);
  g_object_set_data_full (G_OBJECT (dialog), "room", g_strdup (sotto_room_get_name (self->room)),
                          g_free);
  g_signal_connect (entry, "changed", G_CALLBACK (entry_changed_cb), dialog);
  g_signal_connect (entry, "activate", G_CALLBACK (entry_activate_cb), dialog);
  g_signal_connect_object (dialog, "response", G_CALLBACK (invite_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (entry);
}

static void
role_set_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GtkWidget) window = user_data;
  g_autoptr(GError) error = NULL;

  if (!sotto_client_set_role_finish (SOTTO_CLIENT (object), result, &error))
    toast_error (window, error);
}

/* From a member's row: (user, "moderator" or "member"). */
static void
set_role_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  SottoRoomView *self = SOTTO_ROOM_VIEW (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  const char *user = NULL;
  const char *role = NULL;

  if (self->room == NULL || self->client == NULL)
    return;

  g_variant_get (parameter, "(&s&s)", &user, &role);
  sotto_client_set_role_async (self->client, sotto_room_get_name (self->room), user,
                               g_str_equal (role, "moderator") ? SOTTO_MEMBER_ROLE_MODERATOR
                                                               : SOTTO_MEMBER_ROLE_MEMBER,
                               NULL, role_set_cb,
                               root != NULL ? g_object_ref (GTK_WIDGET (root)) : NULL);
}

void
_sotto_room_view_invite_attach (SottoRoomView *self)
{
  g_signal_connect_swapped (self->room, "notify::invite-only",
                            G_CALLBACK (signed_state_changed_cb), self);
  g_signal_connect_swapped (self->room, "notify::own-role",
                            G_CALLBACK (signed_state_changed_cb), self);
  signed_state_changed_cb (self);
}

void
_sotto_room_view_invite_detach (SottoRoomView *self)
{
  if (self->room != NULL)
    g_signal_handlers_disconnect_by_func (self->room, signed_state_changed_cb, self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "room.close", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "room.open", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "room.invite", FALSE);
}

void
_sotto_room_view_invite_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "room.close", NULL, close_action);
  gtk_widget_class_install_action (widget_class, "room.open", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "room.invite", NULL, invite_action);
  gtk_widget_class_install_action (widget_class, "room.set-role", "(ss)", set_role_action);
}
