/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sodium.h>
#include <string.h>

#include "sotto-application.h"
#include "sotto-devices-page.h"
#include "sotto-link-dialog.h"
#include "sotto-preferences-window.h"
#include "sotto-test-server.h"
#include "sotto-test-users.h"
#include "sotto-test-util.h"
#include "sotto-ui-test.h"
#include "sotto-window.h"

/*
 * The account's devices in Preferences, against a real sotto-server: the
 * app is alice's first computer; a laptop and a phone, linked to it, are
 * client cores in this process. The page lists the three, this computer
 * marked; a device is renamed through its dialog and removed once the
 * user confirms, and the laptop removed is signed out. Screenshots in the
 * light and the dark style.
 */

#define PASSWORD "correct horse battery"

static SottoApplication *the_app;

typedef struct
{
  SottoTestServer  *server;
  char             *dir;
  char             *address;
  SottoApplication *app;
  SottoWindow      *window;
  SottoClient      *laptop;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autofree char *app_dir = NULL;

  fixture->server = sotto_test_server_start (NULL, NULL);
  fixture->dir = sotto_test_make_data_dir ();
  fixture->address = g_strdup_printf ("127.0.0.1:%u", sotto_test_server_get_port (fixture->server));
  app_dir = g_build_filename (fixture->dir, "app", NULL);

  fixture->app = g_object_ref (the_app);
  sotto_application_set_data_dir (fixture->app, app_dir);
  sotto_application_set_pwhash_limits (fixture->app, crypto_pwhash_OPSLIMIT_MIN,
                                       crypto_pwhash_MEMLIMIT_MIN);

  fixture->window = sotto_window_new (GTK_APPLICATION (fixture->app));
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 1000, 700);
  gtk_window_present (GTK_WINDOW (fixture->window));
  sotto_ui_settle (GTK_WIDGET (fixture->window));
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  GtkWindow *dialog;

  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_DEFAULT);
  while ((dialog = sotto_ui_find_window (ADW_TYPE_MESSAGE_DIALOG)) != NULL ||
         (dialog = sotto_ui_find_window (SOTTO_TYPE_LINK_DIALOG)) != NULL ||
         (dialog = sotto_ui_find_window (SOTTO_TYPE_PREFERENCES_WINDOW)) != NULL)
    gtk_window_destroy (dialog);
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  if (fixture->laptop != NULL)
    sotto_client_close (fixture->laptop);
  g_clear_object (&fixture->laptop);
  sotto_test_iterate (50);
  g_clear_object (&fixture->app);

  sotto_test_server_stop (fixture->server);
  g_clear_pointer (&fixture->server, sotto_test_server_free);
  sotto_test_remove_dir (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->address);
}

static void
screenshot (GtkWidget  *widget,
            const char *name)
{
  sotto_ui_settle (widget);
  g_free (sotto_ui_screenshot (widget, name));
}

/* Both styles of what @widget shows. */
static void
screenshots (GtkWidget  *widget,
             const char *name)
{
  g_autofree char *dark = g_strconcat (name, "-dark", NULL);

  screenshot (widget, name);
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_FORCE_DARK);
  screenshot (widget, dark);
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_DEFAULT);
}

static AdwMessageDialog *
find_dialog (const char *heading)
{
  g_autoptr(GListModel) toplevels = g_object_ref (gtk_window_get_toplevels ());

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)) &&
          g_strcmp0 (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (window)), heading) == 0)
        return ADW_MESSAGE_DIALOG (window);
    }
  return NULL;
}

static gboolean
dialog_shown (gpointer data)
{
  return find_dialog (data) != NULL;
}

static void
click (GtkWidget *button)
{
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_get_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
}

static gboolean
logged_in (gpointer data)
{
  Fixture *fixture = data;
  SottoClient *client = sotto_window_get_client (fixture->window);

  return client != NULL && sotto_client_get_state (client) == SOTTO_CLIENT_ONLINE &&
         sotto_window_get_room (fixture->window) != NULL;
}

/* Alice, through the form, on a server seen for the first time. */
static void
register_alice (Fixture *fixture)
{
  SottoLoginView *login = sotto_window_get_login_view (fixture->window);

  sotto_login_view_set_creating (login, TRUE);
  sotto_login_view_fill (login, fixture->address, "alice", PASSWORD);
  sotto_login_view_submit (login);
  g_assert_true (sotto_ui_wait_until (dialog_shown, "Trust This Server?", 30));
  click (sotto_ui_find_button (GTK_WIDGET (find_dialog ("Trust This Server?")),
                               "_Trust and Connect"));
  g_assert_true (sotto_ui_wait_until (logged_in, fixture, 30));
}

/* Preferences, as the menu opens them, on the devices page. */
static SottoDevicesPage *
open_devices_page (Fixture                 *fixture,
                   SottoPreferencesWindow **out_window)
{
  SottoPreferencesWindow *preferences;
  SottoDevicesPage *page;

  g_action_group_activate_action (G_ACTION_GROUP (fixture->app), "preferences", NULL);
  preferences = SOTTO_PREFERENCES_WINDOW (sotto_ui_find_window (SOTTO_TYPE_PREFERENCES_WINDOW));
  g_assert_nonnull (preferences);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (preferences)) ==
                 GTK_WINDOW (fixture->window));
  page = SOTTO_DEVICES_PAGE (sotto_ui_find_widget (GTK_WIDGET (preferences),
                                                   SOTTO_TYPE_DEVICES_PAGE));
  g_assert_nonnull (page);
  g_assert_true (sotto_devices_page_get_client (page) ==
                 sotto_window_get_client (fixture->window));
  adw_preferences_window_set_visible_page (ADW_PREFERENCES_WINDOW (preferences),
                                           ADW_PREFERENCES_PAGE (page));
  gtk_window_set_default_size (GTK_WINDOW (preferences), 560, 520);
  sotto_ui_settle (GTK_WIDGET (preferences));
  *out_window = preferences;
  return page;
}

typedef struct
{
  SottoDevicesPage *page;
  guint             n;
  const char       *name;
} Listed;

/* The page shows @n devices, one of them called @name if given. */
static gboolean
lists (gpointer data)
{
  Listed *listed = data;
  GListModel *devices = sotto_devices_page_get_devices (listed->page);

  if (devices == NULL || g_list_model_get_n_items (devices) != listed->n)
    return FALSE;
  for (guint i = 0; listed->name != NULL && i < listed->n; i++)
    {
      g_autoptr(SottoDeviceInfo) info = g_list_model_get_item (devices, i);

      if (g_strcmp0 (sotto_device_info_get_name (info), listed->name) == 0)
        return TRUE;
    }
  return listed->name == NULL;
}

static void
wait_listed (SottoDevicesPage *page,
             guint             n,
             const char       *name)
{
  Listed listed = { page, n, name };

  g_assert_true (sotto_ui_wait_until (lists, &listed, 30));
}

/* The page's row whose subtitle has @subtitle, or whose title is @title. */
static AdwActionRow *
find_row (GtkWidget  *root,
          const char *title,
          const char *subtitle)
{
  if (ADW_IS_ACTION_ROW (root) && gtk_widget_get_visible (root) &&
      ((title != NULL &&
        g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (root)), title) == 0) ||
       (subtitle != NULL &&
        strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (root)), subtitle) != NULL)))
    return ADW_ACTION_ROW (root);

  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      AdwActionRow *found = find_row (child, title, subtitle);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static guint
count_rows (GtkWidget *root,
            GType      type)
{
  guint n = G_TYPE_CHECK_INSTANCE_TYPE (root, type) && gtk_widget_get_visible (root) ? 1 : 0;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += count_rows (child, type);
  return n;
}

/* Renames the device of @row through its dialog. */
static void
rename_through_dialog (AdwActionRow *row,
                       const char   *heading,
                       const char   *name)
{
  AdwMessageDialog *dialog;
  GtkWidget *entry;

  click (sotto_ui_find_button (GTK_WIDGET (row), "Rename"));
  g_assert_true (sotto_ui_wait_until (dialog_shown, (gpointer) heading, 10));
  dialog = find_dialog (heading);
  entry = sotto_ui_find_widget (GTK_WIDGET (dialog), GTK_TYPE_ENTRY);
  g_assert_nonnull (entry);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==,
                   adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)));

  /* No name, no renaming. */
  gtk_editable_set_text (GTK_EDITABLE (entry), "  ");
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "rename"));
  gtk_editable_set_text (GTK_EDITABLE (entry), name);
  g_assert_true (adw_message_dialog_get_response_enabled (dialog, "rename"));
  if (g_str_equal (heading, "Rename This Computer"))
    screenshot (GTK_WIDGET (dialog), "devices-rename");
  click (sotto_ui_find_button (GTK_WIDGET (dialog), "_Rename"));
}

static gboolean
client_signed_out (gpointer data)
{
  return sotto_client_get_state (data) == SOTTO_CLIENT_DISCONNECTED;
}

static gboolean
link_dialog_shown (gpointer data)
{
  return sotto_ui_find_window (SOTTO_TYPE_LINK_DIALOG) != NULL;
}

/* Alice is signed in here; she links a laptop and a phone, and the phone
 * goes away. Her devices page lists the three: this computer first,
 * marked and without a remove button; the laptop online; the phone last
 * seen. She renames the laptop and this computer; she removes the
 * laptop once she has confirmed, and the laptop is signed out. */
static void
test_devices_page (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(SottoClient) phone = NULL;
  SottoPreferencesWindow *preferences;
  SottoDevicesPage *page;
  SottoClient *client;
  AdwActionRow *this_row;
  AdwActionRow *laptop_row;
  AdwActionRow *phone_row;
  AdwMessageDialog *confirm;
  g_autofree char *this_name = NULL;
  g_autofree char *rename_heading = NULL;

  register_alice (fixture);
  client = sotto_window_get_client (fixture->window);
  fixture->laptop = sotto_test_user_link (fixture->dir, fixture->address, client, "laptop",
                                          "alice", PASSWORD);
  phone = sotto_test_user_link (fixture->dir, fixture->address, client, "phone", "alice",
                                PASSWORD);
  sotto_client_close (phone);
  g_clear_object (&phone);

  page = open_devices_page (fixture, &preferences);
  wait_listed (page, 3, NULL);
  /* The phone's going is told once the server has seen it. */
  while (find_row (GTK_WIDGET (page), NULL, "Last seen") == NULL)
    {
      sotto_test_iterate (50);
      sotto_devices_page_reload (page);
      wait_listed (page, 3, NULL);
    }

  g_assert_cmpuint (count_rows (GTK_WIDGET (page), ADW_TYPE_ACTION_ROW), ==, 3 + 1);
  this_row = find_row (GTK_WIDGET (page), NULL, "This computer");
  g_assert_nonnull (this_row);
  g_assert_true (g_str_has_prefix (adw_action_row_get_subtitle (this_row), "Added "));
  g_assert_null (sotto_ui_find_button (GTK_WIDGET (this_row), "Remove"));
  g_assert_nonnull (sotto_ui_find_button (GTK_WIDGET (this_row), "Rename"));
  this_name = g_strdup (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (this_row)));
  rename_heading = g_strdup_printf ("Rename “%s”", this_name);
  laptop_row = find_row (GTK_WIDGET (page), NULL, "Online");
  g_assert_nonnull (laptop_row);
  g_assert_nonnull (sotto_ui_find_button (GTK_WIDGET (laptop_row), "Remove"));
  phone_row = find_row (GTK_WIDGET (page), NULL, "Last seen");
  g_assert_nonnull (phone_row);
  g_assert_nonnull (find_row (GTK_WIDGET (page), "Link a New Device…", NULL));

  /* Renamed: the laptop, and this computer. */
  rename_through_dialog (laptop_row, rename_heading, "Laptop");
  wait_listed (page, 3, "Laptop");
  this_row = find_row (GTK_WIDGET (page), NULL, "This computer");
  rename_through_dialog (this_row, "Rename This Computer", "Desktop");
  wait_listed (page, 3, "Desktop");
  phone_row = find_row (GTK_WIDGET (page), NULL, "Last seen");
  rename_through_dialog (phone_row, rename_heading, "Phone");
  wait_listed (page, 3, "Phone");
  g_assert_nonnull (find_row (GTK_WIDGET (page), "Desktop", NULL));
  g_assert_nonnull (find_row (GTK_WIDGET (page), "Laptop", NULL));
  screenshots (GTK_WIDGET (preferences), "devices-page");

  /* The laptop is told of its new name too. */
  {
    g_autoptr(SottoDeviceList) list = NULL;
    const SottoDevice *device = NULL;

    while (device == NULL || g_strcmp0 (device->name, "Laptop") != 0)
      {
        g_clear_pointer (&list, sotto_device_list_free);
        list = sotto_client_dup_device_list (fixture->laptop);
        device = sotto_device_list_lookup (list, sotto_client_get_device_identity (fixture->laptop));
        if (device == NULL || g_strcmp0 (device->name, "Laptop") != 0)
          g_main_context_iteration (NULL, TRUE);
      }
  }

  /* Removed once confirmed; cancelled first, nothing happens. */
  laptop_row = find_row (GTK_WIDGET (page), "Laptop", NULL);
  click (sotto_ui_find_button (GTK_WIDGET (laptop_row), "Remove"));
  g_assert_true (sotto_ui_wait_until (dialog_shown, "Remove “Laptop”?", 10));
  confirm = find_dialog ("Remove “Laptop”?");
  g_assert_cmpstr (adw_message_dialog_get_body (confirm), ==,
                   "It will read nothing said from now on, and is signed out.");
  g_assert_cmpint (adw_message_dialog_get_response_appearance (confirm, "remove"), ==,
                   ADW_RESPONSE_DESTRUCTIVE);
  g_assert_cmpstr (adw_message_dialog_get_default_response (confirm), ==, "cancel");
  screenshots (GTK_WIDGET (confirm), "devices-remove-confirm");
  click (sotto_ui_find_button (GTK_WIDGET (confirm), "_Cancel"));
  sotto_test_iterate (200);
  g_assert_cmpuint (g_list_model_get_n_items (sotto_devices_page_get_devices (page)), ==, 3);
  g_assert_cmpint (sotto_client_get_state (fixture->laptop), ==, SOTTO_CLIENT_ONLINE);

  laptop_row = find_row (GTK_WIDGET (page), "Laptop", NULL);
  click (sotto_ui_find_button (GTK_WIDGET (laptop_row), "Remove"));
  g_assert_true (sotto_ui_wait_until (dialog_shown, "Remove “Laptop”?", 10));
  click (sotto_ui_find_button (GTK_WIDGET (find_dialog ("Remove “Laptop”?")), "_Remove"));
  wait_listed (page, 2, NULL);
  g_assert_null (find_row (GTK_WIDGET (page), "Laptop", NULL));
  g_assert_true (sotto_ui_wait_until (client_signed_out, fixture->laptop, 30));
  screenshot (GTK_WIDGET (preferences), "devices-page-removed");

  /* Link a New Device… opens the link dialog over Preferences. */
  g_assert_true (gtk_widget_activate (GTK_WIDGET (find_row (GTK_WIDGET (page),
                                                            "Link a New Device…", NULL))));
  g_assert_true (sotto_ui_wait_until (link_dialog_shown, NULL, 10));
  g_assert_true (gtk_window_get_transient_for (sotto_ui_find_window (SOTTO_TYPE_LINK_DIALOG)) ==
                 GTK_WINDOW (preferences));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  sotto_ui_test_init (&argc, &argv);
  the_app = sotto_application_new ();
  g_application_set_flags (G_APPLICATION (the_app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (the_app), NULL, &error));
  g_assert_no_error (error);

  g_test_add ("/sotto/ui/devices/page", Fixture, NULL, fixture_setup, test_devices_page,
              fixture_teardown);

  status = g_test_run ();
  g_clear_object (&the_app);
  return status;
}
