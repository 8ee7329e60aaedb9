/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sotto-devices-page.h"
#include "sotto-link-dialog.h"

/*
 * The account's devices, in Preferences: one row each, with its name,
 * when it was added and when it was last seen (or that it is online, or
 * this computer); a button to rename it and, but on this computer's row,
 * one to remove it, once the user has said so. A row under them links a
 * new device. The rows follow the client: a change of the device list,
 * here or on another device, lists them again. Failures are told as
 * win.show-toast.
 */

struct _SottoDevicesPage
{
  AdwPreferencesPage    parent_instance;

  AdwPreferencesGroup  *devices_group;
  AdwActionRow         *status_row;
  GtkSpinner           *spinner;
  GtkWidget            *link_row;

  SottoClient          *client;
  GCancellable         *cancellable;
  /* The last listing (SottoDeviceInfo), and a row for each */
  GListModel           *devices;
  GPtrArray            *rows;
  char                 *error;
};

enum {
  PROP_0,
  PROP_CLIENT,
  PROP_DEVICES,
  PROP_ERROR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (SottoDevicesPage, sotto_devices_page, ADW_TYPE_PREFERENCES_PAGE)

static void
toast (GtkWidget  *widget,
       const char *text)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);

  if (widget != NULL)
    gtk_widget_activate_action (widget, "win.show-toast", "s", escaped);
}

/* Subtitles */

/* "10:42" today, "Yesterday", a weekday this week, else the date. */
static char *
format_last_seen (GDateTime *when,
                  GDateTime *now)
{
  g_autoptr(GDateTime) today = g_date_time_new_local (g_date_time_get_year (now),
                                                      g_date_time_get_month (now),
                                                      g_date_time_get_day_of_month (now),
                                                      0, 0, 0);
  GTimeSpan ago = g_date_time_difference (today, when);

  if (ago <= 0)
    return g_date_time_format (when, "%H:%M");
  if (ago <= G_TIME_SPAN_DAY)
    return g_strdup (_("yesterday"));
  if (ago < 6 * G_TIME_SPAN_DAY)
    return g_date_time_format (when, "%A");
  if (g_date_time_get_year (when) == g_date_time_get_year (now))
    /* Translators: when a device was last seen this year, see strftime */
    return g_date_time_format (when, _("%-e %b"));
  /* Translators: when a device was last seen, see strftime */
  return g_date_time_format (when, _("%-e %b %Y"));
}

/* "Added 3 Dec 2026 · Last seen 10:42", or "· Online", "· This computer". */
static char *
describe (SottoDeviceInfo *info)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) added = g_date_time_new_from_unix_local (sotto_device_info_get_added (info) /
                                                               1000);
  gint64 last_seen = sotto_device_info_get_last_seen (info);
  g_autofree char *date = NULL;
  g_autofree char *added_text = NULL;
  g_autofree char *seen_text = NULL;

  /* Translators: when a device was added to the account, see strftime */
  date = added != NULL ? g_date_time_format (added, _("%-e %b %Y")) : g_strdup ("?");
  /* Translators: %s is a date, as in "Added 3 Dec 2026" */
  added_text = g_strdup_printf (_("Added %s"), date);

  if (sotto_device_info_get_this_device (info))
    seen_text = g_strdup (_("This computer"));
  else if (sotto_device_info_get_online (info))
    seen_text = g_strdup (_("Online"));
  else if (last_seen > 0)
    {
      g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (last_seen / 1000);
      g_autofree char *ago = when != NULL ? format_last_seen (when, now) : g_strdup ("?");

      /* Translators: %s is a time, a day or a date, as in "Last seen 10:42" */
      seen_text = g_strdup_printf (_("Last seen %s"), ago);
    }
  else
    seen_text = g_strdup (_("Never signed in"));

  /* Translators: what is known of a device, as in "Added 3 Dec 2026 · Online" */
  return g_strdup_printf (_("%s · %s"), added_text, seen_text);
}

/* Rows */

static GtkWidget *
make_button (const char *icon_name,
             const char *tooltip,
             const char *action_name,
             const char *id)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon_name);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  tooltip, -1);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action_name);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", id);
  return button;
}

static GtkWidget *
make_row (SottoDeviceInfo *info)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *icon = gtk_image_new_from_icon_name ("computer-symbolic");
  g_autofree char *subtitle = describe (info);
  const char *id = sotto_device_info_get_id (info);

  /* The name is any text a device gave itself. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), sotto_device_info_get_name (info));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  /* Rename last, so that it lines up on every row, this computer's too. */
  if (!sotto_device_info_get_this_device (info))
    adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                               make_button ("user-trash-symbolic", _("Remove"),
                                            "devices.remove", id));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                             make_button ("document-edit-symbolic", _("Rename"),
                                          "devices.rename", id));
  return row;
}

static void
clear_rows (SottoDevicesPage *self)
{
  for (guint i = 0; i < self->rows->len; i++)
    adw_preferences_group_remove (self->devices_group, g_ptr_array_index (self->rows, i));
  g_ptr_array_set_size (self->rows, 0);
}

/* The status row: @text with the spinner while listing, or what failed. */
static void
show_status (SottoDevicesPage *self,
             const char       *title,
             const char       *subtitle,
             gboolean          busy)
{
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->status_row), title);
  adw_action_row_set_subtitle (self->status_row, subtitle != NULL ? subtitle : "");
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_visible (GTK_WIDGET (self->status_row), TRUE);
}

static void
set_error (SottoDevicesPage *self,
           const char       *error)
{
  if (g_strcmp0 (self->error, error) == 0)
    return;
  g_free (self->error);
  self->error = g_strdup (error);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
}

static void
show_devices (SottoDevicesPage *self,
              GListModel       *devices)
{
  clear_rows (self);
  gtk_widget_set_visible (GTK_WIDGET (self->status_row), FALSE);
  for (guint i = 0; i < g_list_model_get_n_items (devices); i++)
    {
      g_autoptr(SottoDeviceInfo) info = g_list_model_get_item (devices, i);
      GtkWidget *row = make_row (info);

      adw_preferences_group_add (self->devices_group, row);
      g_ptr_array_add (self->rows, row);
    }

  g_set_object (&self->devices, devices);
  set_error (self, NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DEVICES]);
}

/* Listing */

static void
listed_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(SottoDevicesPage) self = user_data;
  g_autoptr(GListModel) devices = NULL;
  g_autoptr(GError) error = NULL;

  devices = sotto_client_list_devices_finish (SOTTO_CLIENT (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->client == NULL)
    return;

  if (devices == NULL)
    {
      clear_rows (self);
      show_status (self, _("Could not list your devices"), error->message, FALSE);
      set_error (self, error->message);
      return;
    }

  show_devices (self, devices);
}

/**
 * sotto_devices_page_reload:
 *
 * Lists the devices again; a listing under way is dropped.
 */
void
sotto_devices_page_reload (SottoDevicesPage *self)
{
  g_return_if_fail (SOTTO_IS_DEVICES_PAGE (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->client == NULL || sotto_client_get_state (self->client) != SOTTO_CLIENT_ONLINE)
    {
      clear_rows (self);
      if (self->devices != NULL)
        {
          g_clear_object (&self->devices);
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DEVICES]);
        }
      show_status (self, _("Not connected"),
                   _("Your devices are listed once Sotto is connected to the server again"),
                   FALSE);
      return;
    }

  if (self->rows->len == 0)
    show_status (self, _("Listing your devices…"), NULL, TRUE);
  self->cancellable = g_cancellable_new ();
  sotto_client_list_devices_async (self->client, self->cancellable, listed_cb,
                                   g_object_ref (self));
}

static void
devices_changed_cb (SottoClient      *client,
                    SottoDevicesPage *self)
{
  sotto_devices_page_reload (self);
}

static void
state_changed_cb (SottoClient      *client,
                  GParamSpec       *pspec,
                  SottoDevicesPage *self)
{
  SottoClientState state = sotto_client_get_state (client);

  if (state == SOTTO_CLIENT_ONLINE || state == SOTTO_CLIENT_DISCONNECTED)
    sotto_devices_page_reload (self);
}

static SottoDeviceInfo *
lookup_device (SottoDevicesPage *self,
               const char       *id)
{
  for (guint i = 0; self->devices != NULL && i < g_list_model_get_n_items (self->devices); i++)
    {
      g_autoptr(SottoDeviceInfo) info = g_list_model_get_item (self->devices, i);

      if (g_strcmp0 (sotto_device_info_get_id (info), id) == 0)
        return info;
    }
  return NULL;
}

/* Renaming */

static void
renamed_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GtkWidget) window = user_data;
  g_autoptr(GError) error = NULL;

  if (!sotto_client_rename_device_finish (SOTTO_CLIENT (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    toast (window, error->message);
}

static void
rename_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    SottoDevicesPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkEditable *entry = g_object_get_data (G_OBJECT (dialog), "entry");
  GBytes *sign_key = g_object_get_data (G_OBJECT (dialog), "sign-key");

  if (g_strcmp0 (response, "rename") != 0 || self->client == NULL)
    return;

  sotto_client_rename_device_async (self->client, g_bytes_get_data (sign_key, NULL),
                                    gtk_editable_get_text (entry), NULL, renamed_cb,
                                    root != NULL ? g_object_ref (GTK_WIDGET (root)) : NULL);
}

/* Rename only to a name. */
static void
name_changed_cb (GtkEditable      *entry,
                 AdwMessageDialog *dialog)
{
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (entry)));

  adw_message_dialog_set_response_enabled (dialog, "rename", name[0] != '\0');
}

static void
name_activate_cb (GtkEntry         *entry,
                  AdwMessageDialog *dialog)
{
  if (adw_message_dialog_get_response_enabled (dialog, "rename"))
    adw_message_dialog_response (dialog, "rename");
}

static void
rename_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  SottoDevicesPage *self = SOTTO_DEVICES_PAGE (widget);
  SottoDeviceInfo *info = lookup_device (self, g_variant_get_string (parameter, NULL));
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autofree char *heading = NULL;
  GtkWidget *dialog;
  GtkWidget *entry;

  if (info == NULL)
    return;

  if (sotto_device_info_get_this_device (info))
    heading = g_strdup (_("Rename This Computer"));
  else
    /* Translators: %s is a device's name, as in "Rename “Laptop”" */
    heading = g_strdup_printf (_("Rename “%s”"), sotto_device_info_get_name (info));
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, heading,
                                   _("All your devices show the new name."));
  entry = gtk_entry_new ();
  gtk_editable_set_text (GTK_EDITABLE (entry), sotto_device_info_get_name (info));
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Name"), -1);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "rename", _("_Rename"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "rename",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "rename");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data (G_OBJECT (dialog), "entry", entry);
  g_object_set_data_full (G_OBJECT (dialog), "sign-key",
                          g_bytes_new (sotto_device_info_get_sign_key (info), 32),
                          (GDestroyNotify) g_bytes_unref);
  g_signal_connect (entry, "changed", G_CALLBACK (name_changed_cb), dialog);
  g_signal_connect (entry, "activate", G_CALLBACK (name_activate_cb), dialog);
  g_signal_connect_object (dialog, "response", G_CALLBACK (rename_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (entry);
}

/* Removal */

static void
removed_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GtkWidget) window = user_data;
  g_autoptr(GError) error = NULL;

  if (!sotto_client_remove_device_finish (SOTTO_CLIENT (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    toast (window, error->message);
}

static void
remove_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    SottoDevicesPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GBytes *sign_key = g_object_get_data (G_OBJECT (dialog), "sign-key");

  if (g_strcmp0 (response, "remove") != 0 || self->client == NULL)
    return;

  sotto_client_remove_device_async (self->client, g_bytes_get_data (sign_key, NULL), NULL,
                                    removed_cb,
                                    root != NULL ? g_object_ref (GTK_WIDGET (root)) : NULL);
}

static void
remove_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  SottoDevicesPage *self = SOTTO_DEVICES_PAGE (widget);
  SottoDeviceInfo *info = lookup_device (self, g_variant_get_string (parameter, NULL));
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autofree char *heading = NULL;
  GtkWidget *dialog;

  if (info == NULL || sotto_device_info_get_this_device (info))
    return;

  /* Translators: %s is a device's name, as in "Remove “Laptop”?" */
  heading = g_strdup_printf (_("Remove “%s”?"), sotto_device_info_get_name (info));
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, heading,
                                   _("It will read nothing said from now on, and is signed "
                                     "out."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "remove", _("_Remove"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "remove",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "sign-key",
                          g_bytes_new (sotto_device_info_get_sign_key (info), 32),
                          (GDestroyNotify) g_bytes_unref);
  g_signal_connect_object (dialog, "response", G_CALLBACK (remove_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Linking */

static void
link_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  SottoDevicesPage *self = SOTTO_DEVICES_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  SottoLinkDialog *dialog;

  if (self->client == NULL)
    return;

  /* Once linked, the client's new device list lists it here. */
  dialog = sotto_link_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, self->client);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* The object */

static void
sotto_devices_page_set_client (SottoDevicesPage *self,
                               SottoClient      *client)
{
  g_assert (self->client == NULL);

  if (client == NULL)
    return;

  self->client = g_object_ref (client);
  g_signal_connect_object (client, "devices-changed", G_CALLBACK (devices_changed_cb), self, 0);
  g_signal_connect_object (client, "notify::state", G_CALLBACK (state_changed_cb), self, 0);
  sotto_devices_page_reload (self);
}

static void
sotto_devices_page_dispose (GObject *object)
{
  SottoDevicesPage *self = SOTTO_DEVICES_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->client != NULL)
    g_signal_handlers_disconnect_by_data (self->client, self);
  g_clear_object (&self->client);
  g_clear_object (&self->devices);
  gtk_widget_dispose_template (GTK_WIDGET (self), SOTTO_TYPE_DEVICES_PAGE);

  G_OBJECT_CLASS (sotto_devices_page_parent_class)->dispose (object);
}

static void
sotto_devices_page_finalize (GObject *object)
{
  SottoDevicesPage *self = SOTTO_DEVICES_PAGE (object);

  g_ptr_array_unref (self->rows);
  g_free (self->error);

  G_OBJECT_CLASS (sotto_devices_page_parent_class)->finalize (object);
}

static void
sotto_devices_page_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  SottoDevicesPage *self = SOTTO_DEVICES_PAGE (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;
    case PROP_DEVICES:
      g_value_set_object (value, self->devices);
      break;
    case PROP_ERROR:
      g_value_set_string (value, self->error);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sotto_devices_page_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  SottoDevicesPage *self = SOTTO_DEVICES_PAGE (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      sotto_devices_page_set_client (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sotto_devices_page_class_init (SottoDevicesPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sotto_devices_page_dispose;
  object_class->finalize = sotto_devices_page_finalize;
  object_class->get_property = sotto_devices_page_get_property;
  object_class->set_property = sotto_devices_page_set_property;

  /**
   * SottoDevicesPage:client:
   *
   * The logged-in client whose account's devices are shown.
   */
  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL, SOTTO_TYPE_CLIENT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * SottoDevicesPage:devices:
   *
   * The devices shown (#SottoDeviceInfo), as last listed; %NULL before.
   */
  properties[PROP_DEVICES] =
    g_param_spec_object ("devices", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * SottoDevicesPage:error:
   *
   * Why the last listing failed, or %NULL.
   */
  properties[PROP_ERROR] =
    g_param_spec_string ("error", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               APP_RESOURCE_PATH "/ui/sotto-devices-page.ui");
  gtk_widget_class_bind_template_child (widget_class, SottoDevicesPage, devices_group);
  gtk_widget_class_bind_template_child (widget_class, SottoDevicesPage, status_row);
  gtk_widget_class_bind_template_child (widget_class, SottoDevicesPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, SottoDevicesPage, link_row);

  gtk_widget_class_install_action (widget_class, "devices.rename", "s", rename_action);
  gtk_widget_class_install_action (widget_class, "devices.remove", "s", remove_action);
  gtk_widget_class_install_action (widget_class, "devices.link", NULL, link_action);
}

static void
sotto_devices_page_init (SottoDevicesPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->rows = g_ptr_array_new ();
}

/**
 * sotto_devices_page_new:
 * @client: (nullable): the logged-in client
 */
SottoDevicesPage *
sotto_devices_page_new (SottoClient *client)
{
  g_return_val_if_fail (client == NULL || SOTTO_IS_CLIENT (client), NULL);

  return g_object_new (SOTTO_TYPE_DEVICES_PAGE, "client", client, NULL);
}

SottoClient *
sotto_devices_page_get_client (SottoDevicesPage *self)
{
  g_return_val_if_fail (SOTTO_IS_DEVICES_PAGE (self), NULL);
  return self->client;
}

/**
 * sotto_devices_page_get_devices:
 *
 * Returns: (transfer none) (nullable): the devices shown
 */
GListModel *
sotto_devices_page_get_devices (SottoDevicesPage *self)
{
  g_return_val_if_fail (SOTTO_IS_DEVICES_PAGE (self), NULL);
  return self->devices;
}

/**
 * sotto_devices_page_get_error:
 *
 * Returns: (nullable): why the last listing failed
 */
const char *
sotto_devices_page_get_error (SottoDevicesPage *self)
{
  g_return_val_if_fail (SOTTO_IS_DEVICES_PAGE (self), NULL);
  return self->error;
}
