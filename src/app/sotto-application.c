/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sotto-application.h"
#include "sotto-preferences-window.h"
#include "sotto-window.h"

/*
 * The application: one main window, the app-wide actions and shortcuts,
 * the settings, and desktop notifications for new messages.
 */

struct _SottoApplication
{
  AdwApplication  parent_instance;

  GSettings      *settings;
  char           *data_dir;
  guint64         opslimit;
  gsize           memlimit;
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
    window = sotto_window_new (self);
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
  SottoPreferencesWindow *preferences;

  preferences = sotto_preferences_window_new (self->settings);
  gtk_window_set_transient_for (GTK_WINDOW (preferences), GTK_WINDOW (get_main_window (self)));
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

  sotto_window_open_room (window, g_variant_get_string (parameter, NULL));
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

  G_APPLICATION_CLASS (sotto_application_parent_class)->startup (application);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions, G_N_ELEMENTS (app_actions),
                                   self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences",
                                         preferences_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "window.close", close_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.jump-to-room",
                                         jump_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "room.toggle-members",
                                         members_accels);

  g_signal_connect_object (self->settings, "changed::color-scheme",
                           G_CALLBACK (color_scheme_changed_cb), self, 0);
  apply_color_scheme (self);
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

  g_clear_object (&self->settings);

  G_OBJECT_CLASS (sotto_application_parent_class)->dispose (object);
}

static void
sotto_application_finalize (GObject *object)
{
  g_free (SOTTO_APPLICATION (object)->data_dir);

  G_OBJECT_CLASS (sotto_application_parent_class)->finalize (object);
}

static void
sotto_application_class_init (SottoApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = sotto_application_dispose;
  object_class->finalize = sotto_application_finalize;
  app_class->activate = sotto_application_activate;
  app_class->startup = sotto_application_startup;
  app_class->handle_local_options = sotto_application_handle_local_options;
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
  self->data_dir = g_build_filename (g_get_user_data_dir (), "sotto", NULL);
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

const char *
sotto_application_get_data_dir (SottoApplication *self)
{
  g_return_val_if_fail (SOTTO_IS_APPLICATION (self), NULL);
  return self->data_dir;
}

void
sotto_application_set_data_dir (SottoApplication *self,
                                const char       *data_dir)
{
  g_return_if_fail (SOTTO_IS_APPLICATION (self));
  g_return_if_fail (data_dir != NULL);

  g_free (self->data_dir);
  self->data_dir = g_strdup (data_dir);
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

  self->opslimit = opslimit;
  self->memlimit = memlimit;
}

void
sotto_application_get_pwhash_limits (SottoApplication *self,
                                     guint64          *opslimit,
                                     gsize            *memlimit)
{
  g_return_if_fail (SOTTO_IS_APPLICATION (self));

  *opslimit = self->opslimit;
  *memlimit = self->memlimit;
}

static char *
notification_id (const char *room)
{
  return g_strconcat ("room:", room, NULL);
}

/**
 * sotto_application_notify_message:
 * @unread: how many messages of @room the user has not seen, this one included
 *
 * Shows (or replaces) the one notification of @room. Unless the user chose
 * to see message text in notifications, it says only who wrote where.
 */
void
sotto_application_notify_message (SottoApplication *self,
                                  const char       *room,
                                  gboolean          direct,
                                  const char       *sender,
                                  const char       *text,
                                  guint             unread)
{
  g_autoptr(GNotification) notification = NULL;
  g_autoptr(GIcon) icon = NULL;
  g_autofree char *id = NULL;
  g_autofree char *title = NULL;
  g_autofree char *body = NULL;

  g_return_if_fail (SOTTO_IS_APPLICATION (self));

  if (!g_settings_get_boolean (self->settings, "notifications"))
    return;

  if (direct)
    title = g_strdup (sender);
  else
    /* Translators: a notification's title: who wrote in which room */
    title = g_strdup_printf (_("%s in %s"), sender, room);

  if (g_settings_get_boolean (self->settings, "notification-text") && text != NULL)
    body = g_strdup (text);
  else
    body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u new message",
                                         "%u new messages", unread), unread);

  notification = g_notification_new (title);
  g_notification_set_body (notification, body);
  icon = g_themed_icon_new (APP_ID);
  g_notification_set_icon (notification, icon);
  g_notification_set_default_action_and_target (notification, "app.open-room", "s", room);

  id = notification_id (room);
  g_application_send_notification (G_APPLICATION (self), id, notification);
}

/* The user has seen @room: its notification goes. */
void
sotto_application_withdraw_room (SottoApplication *self,
                                 const char       *room)
{
  g_autofree char *id = NULL;

  g_return_if_fail (SOTTO_IS_APPLICATION (self));

  id = notification_id (room);
  g_application_withdraw_notification (G_APPLICATION (self), id);
}
