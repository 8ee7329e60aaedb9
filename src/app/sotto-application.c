/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sotto-app-config.h"
#include "sotto-application.h"
#include "sotto-preferences-window.h"
#include "sotto-recent-reactions.h"
#include "sotto-window.h"

/*
 * The application: one main window, the app-wide actions and shortcuts,
 * the settings, and desktop notifications for new messages. It hands its
 * configuration down to each window it gets and listens to the window's
 * signals; a window never calls it.
 */

struct _SottoApplication
{
  AdwApplication  parent_instance;

  GSettings      *settings;
  SottoAppConfig *config;
};

G_DEFINE_FINAL_TYPE (SottoApplication, sotto_application, ADW_TYPE_APPLICATION)

static SottoWindow *
get_main_window (SottoApplication *self)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (SOTTO_IS_WINDOW (l->data))
      return l->data;
  return NULL;
}

static SottoWindow *
ensure_main_window (SottoApplication *self)
{
  SottoWindow *window = get_main_window (self);

  if (window == NULL)
    window = sotto_window_new (GTK_APPLICATION (self));
  return window;
}

static void
sotto_application_activate (GApplication *application)
{
  gtk_window_present (GTK_WINDOW (ensure_main_window (SOTTO_APPLICATION (application))));
}

static void
quit_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  SottoApplication *self = user_data;
  SottoWindow *window = get_main_window (self);

  /* Through the window, so that it saves its size and says goodbye. */
  if (window != NULL)
    gtk_window_close (GTK_WINDOW (window));
  g_application_quit (G_APPLICATION (self));
}

static void
about_activated (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  SottoApplication *self = user_data;
  static const char *developers[] = { "The Sotto developers", NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", get_main_window (self),
                        "modal", TRUE,
                        "application-icon", APP_ID,
                        "application-name", _("Sotto"),
                        "developer-name", _("The Sotto developers"),
                        "version", PACKAGE_VERSION,
                        "comments", _("End-to-end encrypted chat on your own server. "
                                      "Nobody but the members of a room can read what is "
                                      "said in it, not even the server."),
                        "website", "https://github.com/sottochat/sotto",
                        "issue-url", "https://github.com/sottochat/sotto/issues",
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "copyright", "© 2026 The Sotto developers",
                        "developers", developers,
                        /* Translators: your names, one per line */
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
preferences_activated (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  SottoApplication *self = user_data;
  SottoWindow *window = get_main_window (self);
  SottoPreferencesWindow *preferences;

  preferences = sotto_preferences_window_new (self->settings);
  gtk_window_set_transient_for (GTK_WINDOW (preferences), GTK_WINDOW (window));
  if (window != NULL)
    sotto_preferences_window_set_client (preferences,
                                         sotto_window_get_client (window));
  gtk_window_present (GTK_WINDOW (preferences));
}

/* A click on a notification. */
static void
open_room_activated (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  SottoApplication *self = user_data;
  SottoWindow *window = ensure_main_window (self);

  gtk_widget_activate_action_variant (GTK_WIDGET (window), "win.open-room", parameter);
  gtk_window_present (GTK_WINDOW (window));
}

static const GActionEntry app_actions[] = {
  { "quit", quit_activated },
  { "about", about_activated },
  { "preferences", preferences_activated },
  { "open-room", open_room_activated, "s" },
};

static void
apply_color_scheme (SottoApplication *self)
{
  AdwStyleManager *style = adw_style_manager_get_default ();

  switch (g_settings_get_enum (self->settings, "color-scheme"))
    {
    case 1:
      adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_LIGHT);
      break;
    case 2:
      adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
      break;
    default:
      adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
      break;
    }
}

static void
color_scheme_changed_cb (GSettings  *settings,
                         const char *key,
                         gpointer    user_data)
{
  apply_color_scheme (user_data);
}

static void
sotto_application_startup (GApplication *application)
{
  SottoApplication *self = SOTTO_APPLICATION (application);
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };
  static const char *close_accels[] = { "<Control>w", NULL };
  static const char *jump_accels[] = { "<Control>k", NULL };
  static const char *members_accels[] = { "<Control>m", NULL };
  static const char *search_accels[] = { "<Control>f", NULL };
  static const char *search_all_accels[] = { "<Control><Shift>f", NULL };

  G_APPLICATION_CLASS (sotto_application_parent_class)->startup (application);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions, G_N_ELEMENTS (app_actions),
                                   self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences",
                                         preferences_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "window.close", close_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.jump-to-room",
                                         jump_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.toggle-members",
                                         members_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.search-messages(false)",
                                         search_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.search-messages(true)",
                                         search_all_accels);

  g_signal_connect_object (self->settings, "changed::color-scheme",
                           G_CALLBACK (color_scheme_changed_cb), self, 0);
  apply_color_scheme (self);
}

static char *
notification_id (const char *room)
{
  return g_strconcat ("room:", room, NULL);
}

/* Shows (or replaces) the one notification of @room: @message came in
 * while the window was in the background. Unless the user chose to see
 * message text in notifications, it says only who wrote where. */
static void
unseen_message_cb (SottoWindow      *window,
                   SottoRoom        *room,
                   SottoMessage     *message,
                   SottoApplication *self)
{
  const char *name = sotto_room_get_name (room);
  const char *sender = sotto_message_get_sender (message);
  const char *text = sotto_message_get_text (message);
  guint unread = sotto_room_get_unread (room);
  g_autoptr(GNotification) notification = NULL;
  g_autoptr(GIcon) icon = NULL;
  g_autofree char *id = NULL;
  g_autofree char *title = NULL;
  g_autofree char *body = NULL;

  if (!g_settings_get_boolean (self->settings, "notifications"))
    return;

  if (sotto_room_get_direct (room))
    title = g_strdup (sender);
  else
    /* Translators: a notification's title: who wrote in which room */
    title = g_strdup_printf (_("%s in %s"), sender, name);

  if (g_settings_get_boolean (self->settings, "notification-text") && text != NULL)
    body = g_strdup (text);
  else
    body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u new message",
                                         "%u new messages", unread), unread);

  notification = g_notification_new (title);
  g_notification_set_body (notification, body);
  icon = g_themed_icon_new (APP_ID);
  g_notification_set_icon (notification, icon);
  g_notification_set_default_action_and_target (notification, "app.open-room", "s", name);

  id = notification_id (name);
  g_application_send_notification (G_APPLICATION (self), id, notification);
}

/* The user has seen @room: its notification goes. */
static void
room_seen_cb (SottoWindow      *window,
              SottoRoom        *room,
              SottoApplication *self)
{
  g_autofree char *id = notification_id (sotto_room_get_name (room));

  g_application_withdraw_notification (G_APPLICATION (self), id);
}

static void
sotto_application_window_added (GtkApplication *application,
                                GtkWindow      *window)
{
  SottoApplication *self = SOTTO_APPLICATION (application);

  GTK_APPLICATION_CLASS (sotto_application_parent_class)->window_added (application, window);

  if (!SOTTO_IS_WINDOW (window))
    return;

  sotto_window_set_config (SOTTO_WINDOW (window), self->config);
  g_signal_connect_object (window, "unseen-message", G_CALLBACK (unseen_message_cb), self, 0);
  g_signal_connect_object (window, "room-seen", G_CALLBACK (room_seen_cb), self, 0);
}

static int
sotto_application_handle_local_options (GApplication *application,
                                        GVariantDict *options)
{
  SottoApplication *self = SOTTO_APPLICATION (application);
  const char *data_dir = NULL;

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("sotto %s\n", PACKAGE_VERSION);
      return 0;
    }
  if (g_variant_dict_lookup (options, "data-dir", "^&ay", &data_dir))
    sotto_application_set_data_dir (self, data_dir);

  return -1;
}

static void
sotto_application_dispose (GObject *object)
{
  SottoApplication *self = SOTTO_APPLICATION (object);

  g_clear_object (&self->config);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (sotto_application_parent_class)->dispose (object);
}

static void
sotto_application_class_init (SottoApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);
  GtkApplicationClass *gtk_app_class = GTK_APPLICATION_CLASS (klass);

  object_class->dispose = sotto_application_dispose;
  app_class->activate = sotto_application_activate;
  app_class->startup = sotto_application_startup;
  app_class->handle_local_options = sotto_application_handle_local_options;
  gtk_app_class->window_added = sotto_application_window_added;
}

static const GOptionEntry option_entries[] = {
  { "data-dir", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    N_("Keep accounts and history in DIR instead of the user's data folder"), N_("DIR") },
  { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Show the version and exit"), NULL },
  { NULL }
};

static void
sotto_application_init (SottoApplication *self)
{
  self->settings = g_settings_new (APP_ID);
  sotto_recent_reactions_bind (self->settings);
  self->config = sotto_app_config_new (self->settings);
  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
}

SottoApplication *
sotto_application_new (void)
{
  return g_object_new (SOTTO_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", APP_RESOURCE_PATH,
                       NULL);
}

GSettings *
sotto_application_get_settings (SottoApplication *self)
{
  g_return_val_if_fail (SOTTO_IS_APPLICATION (self), NULL);
  return self->settings;
}

void
sotto_application_set_data_dir (SottoApplication *self,
                                const char       *data_dir)
{
  g_return_if_fail (SOTTO_IS_APPLICATION (self));
  g_return_if_fail (data_dir != NULL);

  sotto_app_config_set_data_dir (self->config, data_dir);
}

/**
 * sotto_application_set_pwhash_limits:
 *
 * The Argon2id cost of new and opened accounts; 0 keeps the defaults.
 * Tests lower it to stay quick.
 */
void
sotto_application_set_pwhash_limits (SottoApplication *self,
                                     guint64           opslimit,
                                     gsize             memlimit)
{
  g_return_if_fail (SOTTO_IS_APPLICATION (self));

  sotto_app_config_set_pwhash_limits (self->config, opslimit, memlimit);
}
