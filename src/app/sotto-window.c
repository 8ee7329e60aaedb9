/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sotto-join-dialog.h"
#include "sotto-link-dialog.h"
#include "sotto-recovery-key-dialog.h"
#include "sotto-server-dialogs.h"
#include "sotto-window-private.h"

/*
 * The main window: the login form until a login succeeds, then the rooms
 * in a sidebar and the chosen room beside them, folding to one pane with
 * back navigation when narrow. The rooms side lives in
 * sotto-window-rooms.c, the connection's status line and toasts in
 * sotto-window-status.c. Its owner hands it the configuration and listens
 * to its signals.
 */

enum {
  PROP_0,
  PROP_CONFIG,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (SottoWindow, sotto_window, ADW_TYPE_APPLICATION_WINDOW)

static void log_out (SottoWindow *self,
                     const char  *error_text);

static void
connection_lost_cb (SottoClient  *client,
                    const GError *error,
                    gpointer      user_data)
{
  SottoWindow *self = user_data;

  if (g_error_matches (error, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_SERVER_KEY_CHANGED))
    {
      g_autofree char *server = g_strdup (sotto_client_get_server (client));
      g_autofree char *pinned = g_strdup (sotto_client_get_pinned_fingerprint (client));
      g_autofree char *now = g_strdup (sotto_client_get_server_fingerprint (client));
      GtkWindow *dialog;

      log_out (self, error->message);
      dialog = sotto_key_changed_dialog_new (GTK_WINDOW (self), server, pinned, now);
      gtk_window_present (dialog);
      return;
    }

  log_out (self, error->message);
}

static void
set_client (SottoWindow *self,
            SottoClient *client)
{
  if (self->client == client)
    return;

  if (self->client != NULL)
    {
      _sotto_window_rooms_detach (self);
      g_signal_handlers_disconnect_by_data (self->client, self);
      sotto_client_close (self->client);
      g_clear_object (&self->client);
    }

  g_clear_handle_id (&self->countdown_id, g_source_remove);
  gtk_revealer_set_reveal_child (self->history_revealer, FALSE);
  self->was_online = client != NULL && sotto_client_get_state (client) == SOTTO_CLIENT_ONLINE;

  if (client == NULL)
    return;

  self->client = g_object_ref (client);
  g_signal_connect (client, "connection-lost", G_CALLBACK (connection_lost_cb), self);

  gtk_label_set_text (self->account_name, sotto_client_get_user (client));
  adw_avatar_set_text (self->account_avatar, sotto_client_get_user (client));
  _sotto_window_status_attach (self);
  _sotto_window_rooms_attach (self);
}

/* A new account's recovery key, shown once, over its first room. */
static void
show_recovery_key (SottoWindow *self,
                   SottoClient *client)
{
  g_autofree char *recovery_key = sotto_client_get_recovery_key (client);
  SottoRecoveryKeyDialog *dialog;

  if (recovery_key == NULL)
    return;
  dialog = sotto_recovery_key_dialog_new (GTK_WINDOW (self), recovery_key);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
logged_in_cb (SottoLoginView *login_view,
              SottoClient    *client,
              SottoWindow    *self)
{
  set_client (self, client);
  gtk_stack_set_visible_child_name (self->content_stack, "empty");
  gtk_stack_set_visible_child_name (self->main_stack, "chat");
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);

  /* Everyone is in "general": open it, so that a new user sees a room. */
  if (!sotto_window_open_room (self, "general"))
    gtk_widget_grab_focus (GTK_WIDGET (self->room_list));

  if (sotto_login_view_get_creating (login_view))
    show_recovery_key (self, client);
}

static void
log_out (SottoWindow *self,
         const char  *error_text)
{
  sotto_room_view_set_room (self->room_view, NULL, NULL);
  set_client (self, NULL);
  gtk_stack_set_visible_child_name (self->main_stack, "login");
  sotto_login_view_reset (self->login_view, error_text);
}

static void
log_out_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  log_out (SOTTO_WINDOW (widget), NULL);
}

static void
go_back_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  SottoWindow *self = SOTTO_WINDOW (widget);

  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static void
room_joined_cb (SottoJoinDialog *dialog,
                SottoRoom       *room,
                SottoWindow     *self)
{
  _sotto_window_rooms_select (self, room);
}

static void
open_join_dialog (SottoWindow *self,
                  gboolean     direct)
{
  SottoJoinDialog *dialog;

  if (self->client == NULL)
    return;

  dialog = sotto_join_dialog_new (GTK_WINDOW (self), self->client, direct);
  g_signal_connect_object (dialog, "joined", G_CALLBACK (room_joined_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
join_room_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  open_join_dialog (SOTTO_WINDOW (widget), FALSE);
}

static void
new_direct_chat_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  open_join_dialog (SOTTO_WINDOW (widget), TRUE);
}

static void
device_linked_cb (SottoLinkDialog *dialog,
                  const char      *name,
                  SottoWindow     *self)
{
  g_autofree char *text = NULL;

  /* Toasts read markup; the name is the new computer's to choose. */
  text = g_markup_printf_escaped (_("“%s” is now linked to your account"), name);
  gtk_widget_activate_action (GTK_WIDGET (self), "win.show-toast", "s", text);
}

static void
link_device_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  SottoWindow *self = SOTTO_WINDOW (widget);
  SottoLinkDialog *dialog;

  if (self->client == NULL)
    return;

  dialog = sotto_link_dialog_new (GTK_WINDOW (self), self->client);
  g_signal_connect_object (dialog, "linked", G_CALLBACK (device_linked_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* The room's members panel, from anywhere in the window: the room's own
 * action works only with the focus inside the room. */
static void
toggle_members_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  SottoWindow *self = SOTTO_WINDOW (widget);

  if (self->client == NULL || sotto_room_view_get_room (self->room_view) == NULL)
    return;
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
  gtk_widget_activate_action (GTK_WIDGET (self->room_view), "room.toggle-members", NULL);
}

/* Ctrl+F searches the room shown, Ctrl+Shift+F every room; with no room
 * shown, the first of the list opens for the search to sit beside. */
static void
search_messages_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  SottoWindow *self = SOTTO_WINDOW (widget);

  if (self->client == NULL)
    return;
  if (sotto_room_view_get_room (self->room_view) == NULL && self->selection != NULL &&
      g_list_model_get_n_items (G_LIST_MODEL (self->selection)) > 0)
    {
      g_autoptr(SottoRoom) first = g_list_model_get_item (G_LIST_MODEL (self->selection), 0);

      _sotto_window_rooms_select (self, first);
    }
  if (sotto_room_view_get_room (self->room_view) == NULL)
    {
      gtk_widget_activate_action (widget, "win.show-toast", "s",
                                  _("Join a room first: there is nothing to search yet"));
      return;
    }
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
  gtk_widget_activate_action_variant (GTK_WIDGET (self->room_view), "room.search", parameter);
}

static void
direct_opened_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(SottoWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(SottoRoom) room = sotto_client_join_finish (SOTTO_CLIENT (object), result, &error);

  if (room != NULL)
    _sotto_window_rooms_select (self, room);
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    gtk_widget_activate_action (GTK_WIDGET (self), "win.show-toast", "s", error->message);
}

/* The direct chat with a member, opened or made. */
static void
message_member_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  SottoWindow *self = SOTTO_WINDOW (widget);

  if (self->client == NULL)
    return;
  sotto_client_open_direct_async (self->client, g_variant_get_string (parameter, NULL), NULL,
                                  direct_opened_cb, g_object_ref (self));
}

static void
jump_to_room_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  SottoWindow *self = SOTTO_WINDOW (widget);

  if (self->client == NULL)
    return;

  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->room_search));
}

static void
save_window_state (SottoWindow *self)
{
  GSettings *settings;
  int width, height;

  if (self->config == NULL)
    return;

  settings = sotto_app_config_get_settings (self->config);
  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  g_settings_set_boolean (settings, "window-maximized", gtk_window_is_maximized (GTK_WINDOW (self)));
  if (!gtk_window_is_maximized (GTK_WINDOW (self)) && width > 0 && height > 0)
    {
      g_settings_set_int (settings, "window-width", width);
      g_settings_set_int (settings, "window-height", height);
    }
}

static gboolean
sotto_window_close_request (GtkWindow *window)
{
  SottoWindow *self = SOTTO_WINDOW (window);

  save_window_state (self);
  sotto_room_view_set_room (self->room_view, NULL, NULL);
  set_client (self, NULL);

  return GTK_WINDOW_CLASS (sotto_window_parent_class)->close_request (window);
}

static void
sotto_window_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  SottoWindow *self = SOTTO_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CONFIG:
      g_value_set_object (value, self->config);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sotto_window_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  SottoWindow *self = SOTTO_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CONFIG:
      sotto_window_set_config (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sotto_window_dispose (GObject *object)
{
  SottoWindow *self = SOTTO_WINDOW (object);

  set_client (self, NULL);
  g_clear_pointer (&self->watches, g_hash_table_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), SOTTO_TYPE_WINDOW);
  g_clear_object (&self->config);

  G_OBJECT_CLASS (sotto_window_parent_class)->dispose (object);
}

static void
sotto_window_class_init (SottoWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = sotto_window_dispose;
  object_class->get_property = sotto_window_get_property;
  object_class->set_property = sotto_window_set_property;
  window_class->close_request = sotto_window_close_request;

  /**
   * SottoWindow:config:
   *
   * The settings, where accounts live and how hard passwords are hashed;
   * the window keeps its size in the settings and gives the configuration
   * to its login form.
   */
  properties[PROP_CONFIG] =
    g_param_spec_object ("config", NULL, NULL, SOTTO_TYPE_APP_CONFIG,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (SOTTO_TYPE_LOGIN_VIEW);
  g_type_ensure (SOTTO_TYPE_ROOM_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               APP_RESOURCE_PATH "/ui/sotto-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SottoWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, SottoWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, SottoWindow, login_view);
  gtk_widget_class_bind_template_child (widget_class, SottoWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, SottoWindow, sidebar);
  gtk_widget_class_bind_template_child (widget_class, SottoWindow, search_bar);
  gtk_widget_class_bind_template_child (widget_class, SottoWindow, room_search);
  gtk_widget_class_bind_template_child (widget_class, SottoWindow, rooms_stack);
  gtk_widget_class_bind_template_child (widget_class, SottoWindow, room_list);
  gtk_widget_class_bind_template_child (widget_class, SottoWindow, account_avatar);
  gtk_widget_class_bind_template_child (widget_class, SottoWindow, account_name);
  gtk_widget_class_bind_template_child (widget_class, SottoWindow, status_label);
  gtk_widget_class_bind_template_child (widget_class, SottoWindow, history_revealer);
  gtk_widget_class_bind_template_child (widget_class, SottoWindow, history_label);
  gtk_widget_class_bind_template_child (widget_class, SottoWindow, history_bar);
  gtk_widget_class_bind_template_child (widget_class, SottoWindow, status_icon);
  gtk_widget_class_bind_template_child (widget_class, SottoWindow, content_stack);
  gtk_widget_class_bind_template_child (widget_class, SottoWindow, room_view);
  gtk_widget_class_bind_template_callback (widget_class, logged_in_cb);

  gtk_widget_class_install_action (widget_class, "win.log-out", NULL, log_out_action);
  gtk_widget_class_install_action (widget_class, "win.go-back", NULL, go_back_action);
  gtk_widget_class_install_action (widget_class, "win.join-room", NULL, join_room_action);
  gtk_widget_class_install_action (widget_class, "win.new-direct-chat", NULL,
                                   new_direct_chat_action);
  gtk_widget_class_install_action (widget_class, "win.jump-to-room", NULL, jump_to_room_action);
  gtk_widget_class_install_action (widget_class, "win.search-messages", "b",
                                   search_messages_action);
  gtk_widget_class_install_action (widget_class, "win.toggle-members", NULL,
                                   toggle_members_action);
  gtk_widget_class_install_action (widget_class, "win.message-member", "s",
                                   message_member_action);
  gtk_widget_class_install_action (widget_class, "win.link-device", NULL, link_device_action);

  _sotto_window_status_class_init (widget_class);
  _sotto_window_rooms_class_init (widget_class);
}

static void
sotto_window_init (SottoWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

SottoWindow *
sotto_window_new (GtkApplication *application)
{
  g_return_val_if_fail (GTK_IS_APPLICATION (application), NULL);

  return g_object_new (SOTTO_TYPE_WINDOW, "application", application, NULL);
}

/**
 * sotto_window_get_config:
 *
 * Returns: (transfer none) (nullable): what the owner told the window
 */
SottoAppConfig *
sotto_window_get_config (SottoWindow *self)
{
  g_return_val_if_fail (SOTTO_IS_WINDOW (self), NULL);
  return self->config;
}

/**
 * sotto_window_set_config:
 *
 * Set once by the owner, before the window is shown: the window takes its
 * last size from the settings, and the login form the last login.
 */
void
sotto_window_set_config (SottoWindow    *self,
                         SottoAppConfig *config)
{
  GSettings *settings;

  g_return_if_fail (SOTTO_IS_WINDOW (self));
  g_return_if_fail (config == NULL || SOTTO_IS_APP_CONFIG (config));

  if (!g_set_object (&self->config, config))
    return;

  sotto_login_view_set_config (self->login_view, config);
  if (config != NULL)
    {
      settings = sotto_app_config_get_settings (config);
      gtk_window_set_default_size (GTK_WINDOW (self),
                                   g_settings_get_int (settings, "window-width"),
                                   g_settings_get_int (settings, "window-height"));
      if (g_settings_get_boolean (settings, "window-maximized"))
        gtk_window_maximize (GTK_WINDOW (self));
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONFIG]);
}

/**
 * sotto_window_get_client:
 *
 * Returns: (transfer none) (nullable): the logged-in client
 */
SottoClient *
sotto_window_get_client (SottoWindow *self)
{
  g_return_val_if_fail (SOTTO_IS_WINDOW (self), NULL);
  return self->client;
}

SottoLoginView *
sotto_window_get_login_view (SottoWindow *self)
{
  g_return_val_if_fail (SOTTO_IS_WINDOW (self), NULL);
  return self->login_view;
}

SottoRoomView *
sotto_window_get_room_view (SottoWindow *self)
{
  g_return_val_if_fail (SOTTO_IS_WINDOW (self), NULL);
  return self->room_view;
}

/**
 * sotto_window_get_room:
 *
 * Returns: (transfer none) (nullable): the room shown
 */
SottoRoom *
sotto_window_get_room (SottoWindow *self)
{
  g_return_val_if_fail (SOTTO_IS_WINDOW (self), NULL);
  return sotto_room_view_get_room (self->room_view);
}
