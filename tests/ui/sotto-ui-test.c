/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sodium.h>
#include <string.h>

#include "sotto-message-row.h"
#include "sotto-recovery-key-dialog.h"
#include "sotto-resources.h"
#include "sotto-test-util.h"
#include "sotto-ui-test.h"
#include "sotto-window.h"

/*
 * What the UI tests share: setting GTK up in the Xvfb display the test
 * runs in, waiting for the real window to get somewhere, screenshots
 * rendered from the widget tree, and the desktop's notification server.
 * Other people, on the client core alone, come from sotto-test-users.
 */

void
sotto_ui_test_init (int    *argc,
                    char ***argv)
{
  gtk_test_init (argc, argv, NULL);
  adw_init ();
  g_assert_cmpint (sodium_init (), >=, 0);
  /* Screenshots show where things end up, not a crossfade on the way. */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);
  sotto_register_resource ();
}

/**
 * sotto_ui_screenshot:
 *
 * Renders @widget as it is now into screenshots/NAME.png in the test's
 * build directory, for a person to look at what was tested.
 *
 * Returns: (transfer full): the file written
 */
char *
sotto_ui_screenshot (GtkWidget  *widget,
                     const char *name)
{
  g_autofree char *dir = g_build_filename (g_getenv ("G_TEST_BUILDDIR") != NULL
                                           ? g_getenv ("G_TEST_BUILDDIR") : ".",
                                           "screenshots", NULL);
  g_autofree char *file = g_strconcat (name, ".png", NULL);
  char *path = g_build_filename (dir, file, NULL);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GskRenderer *renderer;

  g_assert_cmpint (width, >, 0);
  g_assert_cmpint (height, >, 0);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);

  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  texture = gsk_renderer_render_texture (renderer, node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
  return path;
}

static gboolean
timeout_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/**
 * sotto_ui_wait_until:
 *
 * Runs the main loop until @condition holds, or @seconds pass.
 *
 * Returns: whether @condition came to hold
 */
gboolean
sotto_ui_wait_until (SottoUiCondition condition,
                     gpointer         data,
                     guint            seconds)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add_seconds (seconds, timeout_cb, &timed_out);
  gboolean met;

  while (!(met = condition (data)) && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  if (!timed_out)
    g_source_remove (id);
  return met;
}

/* Lets the window lay out and draw what changed. */
void
sotto_ui_settle (GtkWidget *widget)
{
  gboolean done = FALSE;
  guint id = g_timeout_add (150, timeout_cb, &done);

  gtk_test_widget_wait_for_draw (widget);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  (void) id;
  gtk_test_widget_wait_for_draw (widget);
}

/**
 * sotto_ui_find_window:
 *
 * Returns: (transfer none) (nullable): a shown toplevel of @type
 */
GtkWindow *
sotto_ui_find_window (GType type)
{
  g_autoptr(GListModel) toplevels = NULL;

  toplevels = g_object_ref (gtk_window_get_toplevels ());
  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) &&
          gtk_widget_get_visible (GTK_WIDGET (window)))
        return window;
    }
  return NULL;
}

static gboolean
recovery_key_shown (gpointer data)
{
  return sotto_ui_find_window (SOTTO_TYPE_RECOVERY_KEY_DIALOG) != NULL;
}

/**
 * sotto_ui_dismiss_recovery_key:
 *
 * Once an account is made through the form: waits for the dialog that
 * shows its recovery key, and closes it as its button does.
 *
 * Returns: (transfer full): the key as the dialog showed it
 */
char *
sotto_ui_dismiss_recovery_key (void)
{
  GtkWindow *dialog;
  char *shown;

  g_assert_true (sotto_ui_wait_until (recovery_key_shown, NULL, 30));
  dialog = sotto_ui_find_window (SOTTO_TYPE_RECOVERY_KEY_DIALOG);
  shown = g_strdup (sotto_recovery_key_dialog_get_shown (SOTTO_RECOVERY_KEY_DIALOG (dialog)));
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "saved");
  gtk_window_close (dialog);
  return shown;
}

/**
 * sotto_ui_find_widget:
 *
 * Returns: (transfer none) (nullable): the first widget of @type under
 *   @root, @root included, in the order the widgets are drawn
 */
GtkWidget *
sotto_ui_find_widget (GtkWidget *root,
                      GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = sotto_ui_find_widget (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/**
 * sotto_ui_find_button:
 *
 * Returns: (transfer none) (nullable): the button under @root whose label
 *   or tooltip is @text
 */
GtkWidget *
sotto_ui_find_button (GtkWidget  *root,
                      const char *text)
{
  if (GTK_IS_BUTTON (root) &&
      (g_strcmp0 (gtk_button_get_label (GTK_BUTTON (root)), text) == 0 ||
       g_strcmp0 (gtk_widget_get_tooltip_text (root), text) == 0))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = sotto_ui_find_button (child, text);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/**
 * sotto_ui_find_icon:
 *
 * Returns: (transfer none) (nullable): the image under @root, shown, of
 *   the icon @icon_name
 */
GtkWidget *
sotto_ui_find_icon (GtkWidget  *root,
                    const char *icon_name)
{
  if (GTK_IS_IMAGE (root) && gtk_widget_get_visible (root) &&
      g_strcmp0 (gtk_image_get_icon_name (GTK_IMAGE (root)), icon_name) == 0)
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = sotto_ui_find_icon (child, icon_name);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/**
 * sotto_ui_find_message:
 *
 * Returns: (transfer none) (nullable): the message of @room with @text
 */
SottoMessage *
sotto_ui_find_message (SottoRoom  *room,
                       const char *text)
{
  GListModel *messages = sotto_room_get_messages (room);

  for (guint i = g_list_model_get_n_items (messages); i > 0; i--)
    {
      g_autoptr(SottoMessage) message = g_list_model_get_item (messages, i - 1);

      if (g_strcmp0 (sotto_message_get_text (message), text) == 0)
        return message;
    }
  return NULL;
}

/* A key press as the user makes it, through the widget's controllers. */
void
sotto_ui_press_key (GtkWidget       *widget,
                    guint            keyval,
                    GdkModifierType  state)
{
  GList *controllers = NULL;
  GListModel *list = gtk_widget_observe_controllers (widget);
  gboolean handled = FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    controllers = g_list_append (controllers, g_list_model_get_item (list, i));
  g_object_unref (list);

  for (GList *l = controllers; l != NULL && !handled; l = l->next)
    if (GTK_IS_EVENT_CONTROLLER_KEY (l->data))
      g_signal_emit_by_name (l->data, "key-pressed", keyval, 0, state, &handled);

  g_list_free_full (controllers, g_object_unref);
  g_assert_true (handled);
}

/* Notifications: the test process is the desktop's notification server
 * (org.freedesktop.Notifications on the test's own session bus), so the
 * app's real notifications arrive here and can be clicked. */

static const char notifications_xml[] =
  "<node>"
  "  <interface name='org.freedesktop.Notifications'>"
  "    <method name='Notify'>"
  "      <arg type='s' direction='in'/><arg type='u' direction='in'/>"
  "      <arg type='s' direction='in'/><arg type='s' direction='in'/>"
  "      <arg type='s' direction='in'/><arg type='as' direction='in'/>"
  "      <arg type='a{sv}' direction='in'/><arg type='i' direction='in'/>"
  "      <arg type='u' direction='out'/>"
  "    </method>"
  "    <method name='CloseNotification'><arg type='u' direction='in'/></method>"
  "    <method name='GetCapabilities'><arg type='as' direction='out'/></method>"
  "    <method name='GetServerInformation'>"
  "      <arg type='s' direction='out'/><arg type='s' direction='out'/>"
  "      <arg type='s' direction='out'/><arg type='s' direction='out'/>"
  "    </method>"
  "    <signal name='ActionInvoked'><arg type='u'/><arg type='s'/></signal>"
  "    <signal name='NotificationClosed'><arg type='u'/><arg type='u'/></signal>"
  "  </interface>"
  "</node>";

static GPtrArray *notifications;
static GDBusConnection *notifications_bus;
static guint last_notification_id;

static void
notification_free (SottoUiNotification *notification)
{
  g_free (notification->summary);
  g_free (notification->body);
  g_free (notification);
}

static void
notifications_method_cb (GDBusConnection       *connection,
                         const char            *sender,
                         const char            *object_path,
                         const char            *interface_name,
                         const char            *method_name,
                         GVariant              *parameters,
                         GDBusMethodInvocation *invocation,
                         gpointer               user_data)
{
  if (g_strcmp0 (method_name, "Notify") == 0)
    {
      SottoUiNotification *notification = g_new0 (SottoUiNotification, 1);
      guint32 replaces;

      g_variant_get (parameters, "(&su&s&s&s^a&s@a{sv}i)", NULL, &replaces, NULL,
                     &notification->summary, &notification->body, NULL, NULL, NULL);
      notification->summary = g_strdup (notification->summary);
      notification->body = g_strdup (notification->body);
      notification->id = replaces != 0 ? replaces : ++last_notification_id;
      g_ptr_array_add (notifications, notification);
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(u)", notification->id));
    }
  else if (g_strcmp0 (method_name, "GetCapabilities") == 0)
    {
      const char *caps[] = { "body", "actions", NULL };

      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(^as)", caps));
    }
  else if (g_strcmp0 (method_name, "GetServerInformation") == 0)
    g_dbus_method_invocation_return_value (invocation,
                                           g_variant_new ("(ssss)", "sotto-tests", "sotto",
                                                          "1", "1.2"));
  else
    g_dbus_method_invocation_return_value (invocation, NULL);
}

static const GDBusInterfaceVTable notifications_vtable = { notifications_method_cb };

static void
name_acquired_cb (GDBusConnection *connection,
                  const char      *name,
                  gpointer         user_data)
{
  *(gboolean *) user_data = TRUE;
}

void
sotto_ui_notifications_start (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusNodeInfo) info = NULL;
  gboolean acquired = FALSE;

  if (notifications != NULL)
    return;

  notifications = g_ptr_array_new_with_free_func ((GDestroyNotify) notification_free);
  notifications_bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  info = g_dbus_node_info_new_for_xml (notifications_xml, &error);
  g_assert_no_error (error);
  g_dbus_connection_register_object (notifications_bus, "/org/freedesktop/Notifications",
                                     info->interfaces[0], &notifications_vtable, NULL, NULL,
                                     &error);
  g_assert_no_error (error);
  g_bus_own_name_on_connection (notifications_bus, "org.freedesktop.Notifications",
                                G_BUS_NAME_OWNER_FLAGS_NONE, name_acquired_cb, NULL,
                                &acquired, NULL);
  while (!acquired)
    g_main_context_iteration (NULL, TRUE);
}

/**
 * sotto_ui_notifications_get:
 *
 * Returns: (transfer none): every notification shown so far, in order
 */
GPtrArray *
sotto_ui_notifications_get (void)
{
  return notifications;
}

/* What the desktop does when the user clicks a notification. */
void
sotto_ui_notifications_click (guint id)
{
  g_autoptr(GError) error = NULL;

  g_dbus_connection_emit_signal (notifications_bus, NULL, "/org/freedesktop/Notifications",
                                 "org.freedesktop.Notifications", "ActionInvoked",
                                 g_variant_new ("(us)", id, "default"), &error);
  g_assert_no_error (error);
}

/**
 * sotto_ui_find_dialog:
 *
 * Returns: (transfer none) (nullable): the message dialog shown with
 *   @heading
 */
AdwMessageDialog *
sotto_ui_find_dialog (const char *heading)
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

/* A click on the button of @dialog labelled @label: its response, then
 * the dialog closes. */
void
sotto_ui_click_response (AdwMessageDialog *dialog,
                         const char       *label)
{
  GtkWidget *button = sotto_ui_find_button (GTK_WIDGET (dialog), label);

  g_assert_nonnull (button);
  g_assert_true (gtk_widget_get_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
}

static gboolean
dialog_shown (gpointer data)
{
  return sotto_ui_find_dialog (data) != NULL;
}

/* The first contact with a server: the user trusts its key. */
void
sotto_ui_trust_server (void)
{
  g_assert_true (sotto_ui_wait_until (dialog_shown, (gpointer) "Trust This Server?", 30));
  sotto_ui_click_response (sotto_ui_find_dialog ("Trust This Server?"), "_Trust and Connect");
}

static gboolean
window_logged_in (gpointer data)
{
  SottoClient *client = sotto_window_get_client (data);

  return client != NULL && sotto_client_get_state (client) == SOTTO_CLIENT_ONLINE &&
         sotto_window_get_room (data) != NULL;
}

/**
 * sotto_ui_register:
 * @window: a #SottoWindow showing its login form
 *
 * Makes @user's account through the form, on a server seen for the first
 * time, and puts away the recovery key the app then shows.
 *
 * Returns: (transfer none): the window's client, logged in
 */
SottoClient *
sotto_ui_register (GtkWindow  *window,
                   const char *address,
                   const char *user,
                   const char *password)
{
  SottoLoginView *login = sotto_window_get_login_view (SOTTO_WINDOW (window));

  sotto_login_view_set_creating (login, TRUE);
  sotto_login_view_fill (login, address, user, password);
  sotto_login_view_submit (login);
  sotto_ui_trust_server ();
  g_free (sotto_ui_dismiss_recovery_key ());
  g_assert_true (sotto_ui_wait_until (window_logged_in, window, 30));
  return sotto_window_get_client (SOTTO_WINDOW (window));
}

/**
 * sotto_ui_find_label:
 *
 * Returns: (transfer none) (nullable): the first label under @root that
 *   is on screen (mapped) and whose text holds @text
 */
GtkLabel *
sotto_ui_find_label (GtkWidget  *root,
                     const char *text)
{
  if (GTK_IS_LABEL (root) && gtk_widget_get_mapped (root) &&
      strstr (gtk_label_get_text (GTK_LABEL (root)), text) != NULL)
    return GTK_LABEL (root);
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkLabel *found = sotto_ui_find_label (child, text);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/**
 * sotto_ui_find_message_row:
 *
 * Returns: (transfer none) (nullable): the row under @root that shows
 *   @message now
 */
SottoMessageRow *
sotto_ui_find_message_row (GtkWidget    *root,
                           SottoMessage *message)
{
  if (SOTTO_IS_MESSAGE_ROW (root))
    {
      SottoTimelineItem *item = sotto_message_row_get_item (SOTTO_MESSAGE_ROW (root));

      if (item != NULL && sotto_timeline_item_get_message (item) == message)
        return SOTTO_MESSAGE_ROW (root);
    }
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      SottoMessageRow *found = sotto_ui_find_message_row (child, message);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/**
 * sotto_ui_setup_start:
 * @app: the test's application
 *
 * Starts a server and shows a window of @app, @width by @height, whose
 * data (and fast password hashing) is the test's own.
 */
void
sotto_ui_setup_start (SottoUiSetup     *ui,
                      SottoApplication *app,
                      int               width,
                      int               height)
{
  g_autofree char *app_dir = NULL;

  ui->server = sotto_test_server_start (NULL, NULL);
  ui->dir = sotto_test_make_data_dir ();
  ui->address = g_strdup_printf ("127.0.0.1:%u", sotto_test_server_get_port (ui->server));
  app_dir = g_build_filename (ui->dir, "app", NULL);
  sotto_application_set_data_dir (app, app_dir);
  sotto_application_set_pwhash_limits (app, crypto_pwhash_OPSLIMIT_MIN,
                                       crypto_pwhash_MEMLIMIT_MIN);
  ui->window = sotto_window_new (GTK_APPLICATION (app));
  gtk_window_set_default_size (GTK_WINDOW (ui->window), width, height);
  gtk_window_present (GTK_WINDOW (ui->window));
  sotto_ui_settle (GTK_WIDGET (ui->window));
}

/**
 * sotto_ui_setup_finish:
 *
 * Closes the window, stops the server and removes the test's folder; the
 * light style is back for the next test.
 */
void
sotto_ui_setup_finish (SottoUiSetup *ui)
{
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_DEFAULT);
  gtk_window_destroy (GTK_WINDOW (ui->window));
  sotto_test_iterate (50);
  sotto_test_server_stop (ui->server);
  g_clear_pointer (&ui->server, sotto_test_server_free);
  sotto_test_remove_dir (ui->dir);
  g_clear_pointer (&ui->dir, g_free);
  g_clear_pointer (&ui->address, g_free);
}
