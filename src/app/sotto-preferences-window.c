/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sotto-devices-page.h"
#include "sotto-preferences-window.h"
#include "sotto-recovery-key-dialog.h"

/* Style and notifications, bound straight to the settings; and, for the
 * account signed in, its recovery key, shown again once the user
 * confirms that nobody else can see the screen, and its devices
 * (sotto-devices-page.c), whose failures are told as win.show-toast. */

struct _SottoPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  AdwComboRow          *style_row;
  GtkSwitch            *notifications_switch;
  GtkWidget            *text_row;
  GtkSwitch            *text_switch;
  GtkWidget            *account_group;
  /* Owned by the window while shown */
  GtkWidget            *devices_page;

  GSettings            *settings;
  SottoClient          *client;
};

enum {
  PROP_0,
  PROP_CLIENT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (SottoPreferencesWindow, sotto_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static gboolean
style_get_mapping (GValue   *value,
                   GVariant *variant,
                   gpointer  user_data)
{
  const char *nick = g_variant_get_string (variant, NULL);

  if (g_strcmp0 (nick, "light") == 0)
    g_value_set_uint (value, 1);
  else if (g_strcmp0 (nick, "dark") == 0)
    g_value_set_uint (value, 2);
  else
    g_value_set_uint (value, 0);
  return TRUE;
}

static GVariant *
style_set_mapping (const GValue       *value,
                   const GVariantType *expected_type,
                   gpointer            user_data)
{
  static const char *nicks[] = { "default", "light", "dark" };
  guint selected = g_value_get_uint (value);

  return g_variant_new_string (nicks[selected < G_N_ELEMENTS (nicks) ? selected : 0]);
}

static void
confirm_response_cb (AdwMessageDialog       *confirm,
                     const char             *response,
                     SottoPreferencesWindow *self)
{
  g_autofree char *recovery_key = NULL;
  SottoRecoveryKeyDialog *dialog;

  if (g_strcmp0 (response, "show") != 0 || self->client == NULL)
    return;

  recovery_key = sotto_client_get_recovery_key (self->client);
  if (recovery_key == NULL)
    return;
  dialog = sotto_recovery_key_dialog_new (GTK_WINDOW (self), recovery_key);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
show_recovery_key_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  SottoPreferencesWindow *self = SOTTO_PREFERENCES_WINDOW (widget);
  GtkWidget *confirm;

  confirm = adw_message_dialog_new (GTK_WINDOW (self), _("Show the Recovery Key?"),
                                    _("With it and your password, anyone can sign in as you "
                                      "on a computer of theirs. Make sure nobody else can see "
                                      "your screen."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (confirm),
                                    "cancel", _("_Cancel"),
                                    "show", _("_Show"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (confirm), "show",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (confirm), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (confirm), "cancel");
  g_signal_connect_object (confirm, "response", G_CALLBACK (confirm_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (confirm));
}

static void
sotto_preferences_window_get_property (GObject    *object,
                                       guint       prop_id,
                                       GValue     *value,
                                       GParamSpec *pspec)
{
  SottoPreferencesWindow *self = SOTTO_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sotto_preferences_window_set_property (GObject      *object,
                                       guint         prop_id,
                                       const GValue *value,
                                       GParamSpec   *pspec)
{
  SottoPreferencesWindow *self = SOTTO_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      sotto_preferences_window_set_client (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
show_toast_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  AdwToast *toast = adw_toast_new (g_variant_get_string (parameter, NULL));

  adw_toast_set_timeout (toast, 4);
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (widget), toast);
}

static void
sotto_preferences_window_dispose (GObject *object)
{
  SottoPreferencesWindow *self = SOTTO_PREFERENCES_WINDOW (object);

  g_clear_object (&self->client);
  g_clear_object (&self->settings);
  gtk_widget_dispose_template (GTK_WIDGET (self), SOTTO_TYPE_PREFERENCES_WINDOW);

  G_OBJECT_CLASS (sotto_preferences_window_parent_class)->dispose (object);
}

static void
sotto_preferences_window_class_init (SottoPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sotto_preferences_window_dispose;
  object_class->get_property = sotto_preferences_window_get_property;
  object_class->set_property = sotto_preferences_window_set_property;

  /**
   * SottoPreferencesWindow:client:
   *
   * The client signed in, if any: its account's settings show then.
   */
  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL, SOTTO_TYPE_CLIENT,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               APP_RESOURCE_PATH "/ui/sotto-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SottoPreferencesWindow, style_row);
  gtk_widget_class_bind_template_child (widget_class, SottoPreferencesWindow,
                                        notifications_switch);
  gtk_widget_class_bind_template_child (widget_class, SottoPreferencesWindow, text_row);
  gtk_widget_class_bind_template_child (widget_class, SottoPreferencesWindow, text_switch);
  gtk_widget_class_bind_template_child (widget_class, SottoPreferencesWindow, account_group);
  gtk_widget_class_install_action (widget_class, "preferences.show-recovery-key", NULL,
                                   show_recovery_key_action);

  gtk_widget_class_install_action (widget_class, "win.show-toast", "s", show_toast_action);
}

static void
sotto_preferences_window_init (SottoPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

SottoPreferencesWindow *
sotto_preferences_window_new (GSettings *settings)
{
  SottoPreferencesWindow *self;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  self = g_object_new (SOTTO_TYPE_PREFERENCES_WINDOW, NULL);
  self->settings = g_object_ref (settings);

  g_settings_bind_with_mapping (settings, "color-scheme", self->style_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, style_get_mapping, style_set_mapping,
                                NULL, NULL);
  g_settings_bind (settings, "notifications", self->notifications_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "notification-text", self->text_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "notifications", self->text_row, "sensitive",
                   G_SETTINGS_BIND_GET);
  return self;
}

SottoClient *
sotto_preferences_window_get_client (SottoPreferencesWindow *self)
{
  g_return_val_if_fail (SOTTO_IS_PREFERENCES_WINDOW (self), NULL);

  return self->client;
}

/**
 * sotto_preferences_window_set_client:
 * @client: (nullable): the client signed in
 */
void
sotto_preferences_window_set_client (SottoPreferencesWindow *self,
                                     SottoClient            *client)
{
  g_return_if_fail (SOTTO_IS_PREFERENCES_WINDOW (self));
  g_return_if_fail (client == NULL || SOTTO_IS_CLIENT (client));

  if (!g_set_object (&self->client, client))
    return;

  gtk_widget_set_visible (self->account_group, client != NULL);

  /* The account's devices, while signed in. */
  if (self->devices_page != NULL)
    {
      adw_preferences_window_remove (ADW_PREFERENCES_WINDOW (self),
                                     ADW_PREFERENCES_PAGE (self->devices_page));
      self->devices_page = NULL;
    }
  if (client != NULL)
    {
      self->devices_page = GTK_WIDGET (sotto_devices_page_new (client));
      adw_preferences_window_add (ADW_PREFERENCES_WINDOW (self),
                                  ADW_PREFERENCES_PAGE (self->devices_page));
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CLIENT]);
}
