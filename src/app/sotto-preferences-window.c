/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sotto-preferences-window.h"

/* Style and notifications, bound straight to the settings. */

struct _SottoPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  AdwComboRow          *style_row;
  GtkSwitch            *notifications_switch;
  GtkWidget            *text_row;
  GtkSwitch            *text_switch;

  GSettings            *settings;
};

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
sotto_preferences_window_dispose (GObject *object)
{
  SottoPreferencesWindow *self = SOTTO_PREFERENCES_WINDOW (object);

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

  gtk_widget_class_set_template_from_resource (widget_class,
                                               APP_RESOURCE_PATH "/ui/sotto-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SottoPreferencesWindow, style_row);
  gtk_widget_class_bind_template_child (widget_class, SottoPreferencesWindow,
                                        notifications_switch);
  gtk_widget_class_bind_template_child (widget_class, SottoPreferencesWindow, text_row);
  gtk_widget_class_bind_template_child (widget_class, SottoPreferencesWindow, text_switch);
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
