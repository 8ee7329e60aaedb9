/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sodium.h>
#include <string.h>

#include "sotto-app-config.h"
#include "sotto-application.h"
#include "sotto-join-dialog.h"
#include "sotto-login-view.h"
#include "sotto-member-row.h"
#include "sotto-message-row.h"
#include "sotto-room-view.h"
#include "sotto-search-panel.h"
#include "sotto-test-server.h"
#include "sotto-test-users.h"
#include "sotto-test-util.h"
#include "sotto-ui-test.h"
#include "sotto-window.h"

/*
 * How the window shares its width, at the size of a laptop's screen
 * (1280 × 800), against a real sotto-server: the sidebar keeps to a
 * sidebar's width, and the conversation gets the rest, members panel open
 * or not; at the app's first size the panel slides over the chat.
 * Screenshots in the light and the dark style.
 */

#define PASSWORD "correct horse battery"
#define WIDTH 1280
#define HEIGHT 800

/* A sidebar's width in GNOME apps (Fractal, Files, Settings). */
#define SIDEBAR_MIN 280
#define SIDEBAR_MAX 360

static SottoApplication *the_app;

typedef struct
{
  SottoUiSetup     ui;
  SottoClient     *bob;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  int width = data != NULL ? GPOINTER_TO_INT (data) : WIDTH;

  sotto_ui_setup_start (&fixture->ui, the_app, width, width == WIDTH ? HEIGHT : 680);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  if (fixture->bob != NULL)
    sotto_client_close (fixture->bob);
  g_clear_object (&fixture->bob);
  sotto_ui_setup_finish (&fixture->ui);
}

/* The widget under @root with the CSS class @css_class */
static GtkWidget *
find_css (GtkWidget  *root,
          const char *css_class)
{
  if (gtk_widget_has_css_class (root, css_class))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_css (child, css_class);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The message row showing @text */
static SottoMessageRow *
find_row (GtkWidget  *root,
          const char *text)
{
  if (SOTTO_IS_MESSAGE_ROW (root))
    {
      SottoTimelineItem *item = sotto_message_row_get_item (SOTTO_MESSAGE_ROW (root));
      SottoMessage *message = item != NULL ? sotto_timeline_item_get_message (item) : NULL;

      if (message != NULL && g_strcmp0 (sotto_message_get_text (message), text) == 0)
        return SOTTO_MESSAGE_ROW (root);
    }
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      SottoMessageRow *found = find_row (child, text);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static int
sidebar_width (Fixture *fixture)
{
  GtkWidget *sidebar = find_css (GTK_WIDGET (fixture->ui.window), "rooms-sidebar");

  g_assert_nonnull (sidebar);
  return gtk_widget_get_width (sidebar);
}

/* At 1280 × 800 the sidebar is a sidebar's width, and stays so when the
 * members panel opens: the conversation is wider than the sidebar. */
static void
test_widths (Fixture       *fixture,
             gconstpointer  data)
{
  SottoRoomView *view = sotto_window_get_room_view (fixture->ui.window);
  SottoRoom *bob_room;
  int sidebar;

  sotto_ui_register (GTK_WINDOW (fixture->ui.window), fixture->ui.address, "alice", PASSWORD);
  fixture->bob = sotto_test_user_new (fixture->ui.dir, fixture->ui.address, "bob", PASSWORD);
  bob_room = sotto_test_user_join (fixture->bob, "general");
  sotto_test_user_wait_members (bob_room, 2);
  sotto_test_user_wait_sent (sotto_test_user_say (fixture->bob, bob_room,
                                                  "Are we still on for Thursday?"));
  sotto_test_user_wait_sent (sotto_test_user_say (fixture->bob, bob_room,
                                                  "I can bring the projector."));
  sotto_test_iterate (300);
  sotto_ui_settle (GTK_WIDGET (fixture->ui.window));

  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (fixture->ui.window)), >=, WIDTH - 20);
  sidebar = sidebar_width (fixture);
  g_free (sotto_ui_screenshot (GTK_WIDGET (fixture->ui.window), "layout-1280"));
  g_test_message ("sidebar %d of %d px", sidebar, WIDTH);
  g_assert_cmpint (sidebar, >=, SIDEBAR_MIN);
  g_assert_cmpint (sidebar, <=, SIDEBAR_MAX);

  /* Each message is a row of its own: under the pointer, the second of
   * bob's two is highlighted, and tells its date and time in words. */
  {
    SottoMessageRow *second = find_row (GTK_WIDGET (fixture->ui.window),
                                        "I can bring the projector.");
    GtkWidget *list_row;
    g_autoptr(GDateTime) time = NULL;
    g_autofree char *expected = NULL;

    g_assert_nonnull (second);
    list_row = gtk_widget_get_parent (GTK_WIDGET (second));
    time = g_date_time_new_from_unix_local (
      sotto_message_get_ts (sotto_timeline_item_get_message (
        sotto_message_row_get_item (second))) / 1000);
    expected = g_date_time_format (time, "%A, %B %-d, %Y, %H:%M");
    /* Made when asked (query-tooltip), on the grouped line as on a time. */
    {
      g_autofree char *said = sotto_message_row_dup_time_tooltip (second);

      gboolean asks = FALSE;

      g_assert_cmpstr (said, ==, expected);
      /* The pointer on the grouped message's text finds a tooltip above it. */
      for (GtkWidget *w = GTK_WIDGET (sotto_ui_find_label (GTK_WIDGET (second), "I can bring the projector."));
           w != NULL && w != GTK_WIDGET (second); w = gtk_widget_get_parent (w))
        asks = asks || gtk_widget_get_has_tooltip (w);
      g_assert_true (asks);
    }

    gtk_widget_set_state_flags (list_row, GTK_STATE_FLAG_PRELIGHT, FALSE);
    sotto_ui_settle (GTK_WIDGET (fixture->ui.window));
    g_free (sotto_ui_screenshot (GTK_WIDGET (fixture->ui.window), "layout-1280-hover"));
    gtk_widget_unset_state_flags (list_row, GTK_STATE_FLAG_PRELIGHT);
  }

  /* Ctrl+M, with the focus in the sidebar, not in the room */
  {
    g_auto(GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (the_app),
                                                                  "win.toggle-members");

    g_assert_true (accels != NULL && g_strv_contains ((const char *const *) accels,
                                                      "<Control>m"));
  }
  gtk_widget_grab_focus (find_css (GTK_WIDGET (fixture->ui.window), "navigation-sidebar"));
  gtk_widget_activate_action (gtk_root_get_focus (GTK_ROOT (fixture->ui.window)),
                              "win.toggle-members", NULL);
  sotto_test_iterate (400);
  sotto_ui_settle (GTK_WIDGET (fixture->ui.window));
  g_assert_true (sotto_room_view_get_members_shown (view));
  g_free (sotto_ui_screenshot (GTK_WIDGET (fixture->ui.window), "layout-1280-members"));
  g_assert_cmpint (sidebar_width (fixture), ==, sidebar);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (sotto_room_view_get_message_list (view))),
                   >, sidebar);

  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_FORCE_DARK);
  sotto_ui_settle (GTK_WIDGET (fixture->ui.window));
  g_free (sotto_ui_screenshot (GTK_WIDGET (fixture->ui.window), "layout-1280-members-dark"));
}

/* The app's first size (960 × 680): the members panel and the search
 * slide over the chat rather than squeeze it, and a search result
 * chosen there puts the panel away to show the message. */
#define NARROW 960

static gboolean
search_done (gpointer data)
{
  return !sotto_search_panel_get_busy (data);
}

static void
test_narrow (Fixture       *fixture,
             gconstpointer  data)
{
  SottoRoomView *view = sotto_window_get_room_view (fixture->ui.window);
  SottoSearchPanel *panel = sotto_room_view_get_search_panel (view);
  GtkWidget *list = GTK_WIDGET (sotto_room_view_get_message_list (view));
  AdwFlap *flap;
  SottoRoom *bob_room;
  int chat;

  sotto_ui_register (GTK_WINDOW (fixture->ui.window), fixture->ui.address, "alice", PASSWORD);
  fixture->bob = sotto_test_user_new (fixture->ui.dir, fixture->ui.address, "bob", PASSWORD);
  bob_room = sotto_test_user_join (fixture->bob, "general");
  sotto_test_user_wait_members (bob_room, 2);
  sotto_test_user_wait_sent (sotto_test_user_say (fixture->bob, bob_room,
                                                  "Are we still on for Thursday?"));
  sotto_test_user_wait_for_text (sotto_window_get_room (fixture->ui.window), "bob",
                                 "Are we still on for Thursday?");
  sotto_ui_settle (GTK_WIDGET (fixture->ui.window));
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (fixture->ui.window)), <=, NARROW + 20);
  chat = gtk_widget_get_width (list);

  gtk_widget_activate_action (GTK_WIDGET (view), "room.toggle-members", NULL);
  sotto_test_iterate (400);
  sotto_ui_settle (GTK_WIDGET (fixture->ui.window));
  g_assert_true (sotto_room_view_get_members_shown (view));
  flap = ADW_FLAP (sotto_ui_find_widget (GTK_WIDGET (view), ADW_TYPE_FLAP));
  g_assert_true (adw_flap_get_folded (flap));
  g_test_message ("chat %d px, with the members %d px", chat, gtk_widget_get_width (list));
  g_assert_cmpint (gtk_widget_get_width (list), ==, chat);
  g_free (sotto_ui_screenshot (GTK_WIDGET (fixture->ui.window), "layout-960-members"));

  /* The search takes the panel's place; a result puts it away. */
  gtk_widget_activate_action (GTK_WIDGET (view), "room.search", "b", FALSE);
  sotto_search_panel_set_text (panel, "thursday");
  g_assert_true (sotto_ui_wait_until (search_done, panel, 30));
  sotto_test_iterate (400);
  sotto_ui_settle (GTK_WIDGET (fixture->ui.window));
  g_assert_cmpuint (sotto_search_panel_get_n_results (panel), ==, 1);
  g_free (sotto_ui_screenshot (GTK_WIDGET (fixture->ui.window), "layout-960-search"));
  gtk_widget_activate (sotto_search_panel_get_result_row (panel, 0));
  sotto_ui_settle (GTK_WIDGET (fixture->ui.window));
  g_assert_false (sotto_room_view_get_search_shown (view));
}

/* Whether @widget lies whole inside @window's height */
static gboolean
inside_window (GtkWidget *widget,
               GtkWindow *window)
{
  graphene_rect_t bounds;

  g_assert_true (gtk_widget_compute_bounds (widget, GTK_WIDGET (window), &bounds));
  g_test_message ("%s: %.0f to %.0f of %d", G_OBJECT_TYPE_NAME (widget), bounds.origin.y,
                  bounds.origin.y + bounds.size.height, gtk_widget_get_height (GTK_WIDGET (window)));
  return bounds.origin.y >= 0 &&
         bounds.origin.y + bounds.size.height <= gtk_widget_get_height (GTK_WIDGET (window));
}

/* Someone who never logged in on this computer starts at making an
 * account; the whole form, its last button too, fits the window at its
 * first size, also with an error shown. Someone who did starts at
 * logging in. */
static void
test_first_run (Fixture       *fixture,
                gconstpointer  data)
{
  GSettings *settings = sotto_app_config_get_settings (sotto_window_get_config (fixture->ui.window));
  SottoWindow *window;
  SottoLoginView *login;
  GtkWidget *last;
  int width, height;

  g_settings_reset (settings, "last-username");
  g_settings_reset (settings, "window-width");
  g_settings_reset (settings, "window-height");
  window = sotto_window_new (GTK_APPLICATION (the_app));
  gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
  g_test_message ("the first size: %d × %d", width, height);
  gtk_window_present (GTK_WINDOW (window));
  sotto_ui_settle (GTK_WIDGET (window));

  login = sotto_window_get_login_view (window);
  g_assert_true (sotto_login_view_get_creating (login));
  last = sotto_ui_find_button (GTK_WIDGET (login), "I Already Have an Account");
  g_assert_nonnull (last);
  g_assert_true (inside_window (last, GTK_WINDOW (window)));
  g_free (sotto_ui_screenshot (GTK_WIDGET (window), "first-run"));

  sotto_login_view_fill (login, NULL, "alice", "short");
  sotto_login_view_submit (login);
  sotto_ui_settle (GTK_WIDGET (window));
  g_assert_nonnull (sotto_login_view_get_error (login));
  g_assert_true (inside_window (last, GTK_WINDOW (window)));
  /* The field the error is about is marked, and has the focus. */
  {
    GtkWidget *password = sotto_ui_find_widget (GTK_WIDGET (login),
                                                ADW_TYPE_PASSWORD_ENTRY_ROW);

    g_assert_true (gtk_widget_has_css_class (password, "error"));
    g_assert_true (gtk_widget_has_focus (password) ||
                   gtk_widget_is_ancestor (gtk_root_get_focus (GTK_ROOT (window)), password));
    g_assert_false (gtk_widget_has_css_class (
      sotto_ui_find_widget (GTK_WIDGET (login), ADW_TYPE_ENTRY_ROW), "error"));
  }
  g_free (sotto_ui_screenshot (GTK_WIDGET (window), "first-run-error"));
  sotto_login_view_fill (login, NULL, NULL, "correct horse");
  g_assert_false (gtk_widget_has_css_class (
    sotto_ui_find_widget (GTK_WIDGET (login), ADW_TYPE_PASSWORD_ENTRY_ROW), "error"));
  gtk_window_destroy (GTK_WINDOW (window));

  g_settings_set_string (settings, "last-username", "alice");
  window = sotto_window_new (GTK_APPLICATION (the_app));
  gtk_window_present (GTK_WINDOW (window));
  sotto_ui_settle (GTK_WIDGET (window));
  g_assert_false (sotto_login_view_get_creating (sotto_window_get_login_view (window)));
  gtk_window_destroy (GTK_WINDOW (window));
}

static SottoMemberRow *
find_member_row (GtkWidget  *root,
                 const char *user)
{
  if (SOTTO_IS_MEMBER_ROW (root))
    {
      SottoMember *member = sotto_member_row_get_member (SOTTO_MEMBER_ROW (root));

      if (member != NULL && g_strcmp0 (sotto_member_get_user (member), user) == 0)
        return SOTTO_MEMBER_ROW (root);
    }
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      SottoMemberRow *found = find_member_row (child, user);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
direct_with_bob_shown (gpointer data)
{
  SottoRoom *room = sotto_window_get_room (data);

  return room != NULL && sotto_room_get_direct (room) &&
         g_strcmp0 (sotto_room_get_display_name (room), "bob") == 0;
}

/* A member's row offers a direct message, which opens the chat with them;
 * one's own row offers nothing. */
static void
test_message_member (Fixture       *fixture,
                     gconstpointer  data)
{
  SottoRoomView *view = sotto_window_get_room_view (fixture->ui.window);
  SottoMemberRow *bob_row, *own_row;
  SottoRoom *bob_room;

  sotto_ui_register (GTK_WINDOW (fixture->ui.window), fixture->ui.address, "alice", PASSWORD);
  fixture->bob = sotto_test_user_new (fixture->ui.dir, fixture->ui.address, "bob", PASSWORD);
  bob_room = sotto_test_user_join (fixture->bob, "general");
  sotto_test_user_wait_members (bob_room, 2);
  gtk_widget_activate_action (GTK_WIDGET (fixture->ui.window), "win.toggle-members", NULL);
  sotto_test_iterate (400);
  sotto_ui_settle (GTK_WIDGET (fixture->ui.window));
  g_assert_true (sotto_room_view_get_members_shown (view));

  own_row = find_member_row (GTK_WIDGET (view), "alice");
  bob_row = find_member_row (GTK_WIDGET (view), "bob");
  g_assert_nonnull (own_row);
  g_assert_nonnull (bob_row);
  {
    GtkWidget *own_menu = sotto_ui_find_widget (GTK_WIDGET (own_row), GTK_TYPE_MENU_BUTTON);

    g_assert_true (own_menu == NULL || !gtk_widget_get_visible (own_menu));
  }
  g_assert_true (gtk_widget_get_visible (sotto_ui_find_widget (GTK_WIDGET (bob_row),
                                                               GTK_TYPE_MENU_BUTTON)));

  gtk_widget_activate_action (GTK_WIDGET (bob_row), "row.message", NULL);
  g_assert_true (sotto_ui_wait_until (direct_with_bob_shown, fixture->ui.window, 30));
}

static gboolean
notice_shown (gpointer data)
{
  return sotto_room_view_get_notice (data) != NULL;
}

static gboolean
notice_gone (gpointer data)
{
  return sotto_room_view_get_notice (data) == NULL;
}

static gboolean
room_has_text_containing (SottoRoom  *room,
                          const char *part)
{
  GListModel *messages = sotto_room_get_messages (room);

  for (guint i = 0; i < g_list_model_get_n_items (messages); i++)
    {
      g_autoptr(SottoMessage) message = g_list_model_get_item (messages, i);

      if (strstr (sotto_message_get_text (message) != NULL ? sotto_message_get_text (message)
                                                          : "", part) != NULL)
        return TRUE;
    }
  return FALSE;
}

/* What the server's operator says to everyone shows once, over the room,
 * not in every room's history nor over the composer; dismissed, it goes;
 * a new one goes once the connection is made again. */
static void
test_notice (Fixture       *fixture,
             gconstpointer  data)
{
  SottoRoomView *view = sotto_window_get_room_view (fixture->ui.window);
  SottoClient *alice;
  SottoRoom *room;

  alice = sotto_ui_register (GTK_WINDOW (fixture->ui.window), fixture->ui.address, "alice", PASSWORD);
  room = sotto_window_get_room (fixture->ui.window);
  g_assert_nonnull (room);

  g_free (sotto_test_server_command (fixture->ui.server, "/broadcast maintenance at noon"));
  g_assert_true (sotto_ui_wait_until (notice_shown, view, 30));
  g_assert_cmpstr (sotto_room_view_get_notice (view), ==,
                   "Notice from the server: maintenance at noon");
  g_assert_false (room_has_text_containing (room, "maintenance"));
  sotto_ui_settle (GTK_WIDGET (fixture->ui.window));
  g_free (sotto_ui_screenshot (GTK_WIDGET (fixture->ui.window), "notice"));

  g_signal_emit_by_name (sotto_ui_find_button (GTK_WIDGET (view), "Dismiss Notice"), "clicked");
  g_assert_null (sotto_room_view_get_notice (view));

  g_free (sotto_test_server_command (fixture->ui.server, "/broadcast restarting now"));
  g_assert_true (sotto_ui_wait_until (notice_shown, view, 30));
  sotto_test_server_stop (fixture->ui.server);
  sotto_test_server_restart (fixture->ui.server);
  g_assert_true (sotto_ui_wait_until (notice_gone, view, 60));
  g_assert_cmpint (sotto_client_get_state (alice), ==, SOTTO_CLIENT_ONLINE);
}

static gboolean
three_members (gpointer data)
{
  SottoRoom *room = sotto_window_get_room (data);

  return room != NULL && g_list_model_get_n_items (sotto_room_get_members (room)) == 3;
}

static gboolean
direct_with_carol_shown (gpointer data)
{
  SottoRoom *room = sotto_window_get_room (data);

  return room != NULL && sotto_room_get_direct (room) &&
         g_strcmp0 (sotto_room_get_display_name (room), "carol") == 0;
}

/* The row under @root offering @person, if shown */
static GtkWidget *
person_row (GtkWidget  *root,
            const char *person)
{
  if (GTK_IS_LIST_BOX_ROW (root) &&
      g_strcmp0 (g_object_get_data (G_OBJECT (root), "room"), person) == 0)
    return gtk_widget_get_child_visible (root) ? root : NULL;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = person_row (child, person);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* New Direct Chat offers the people the user shares a room with, narrowed
 * as a name is typed; choosing one opens the chat. */
static void
test_direct_suggestions (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(SottoClient) carol = NULL;
  SottoRoom *bob_room, *carol_room;
  GtkWindow *dialog;
  GtkWidget *list, *entry;

  sotto_ui_register (GTK_WINDOW (fixture->ui.window), fixture->ui.address, "alice", PASSWORD);
  fixture->bob = sotto_test_user_new (fixture->ui.dir, fixture->ui.address, "bob", PASSWORD);
  carol = sotto_test_user_new (fixture->ui.dir, fixture->ui.address, "carol", PASSWORD);
  bob_room = sotto_test_user_join (fixture->bob, "general");
  carol_room = sotto_test_user_join (carol, "general");
  sotto_test_user_wait_members (bob_room, 3);
  sotto_test_user_wait_members (carol_room, 3);
  g_assert_true (sotto_ui_wait_until (three_members, fixture->ui.window, 30));

  gtk_widget_activate_action (GTK_WIDGET (fixture->ui.window), "win.new-direct-chat", NULL);
  sotto_test_iterate (200);
  dialog = sotto_ui_find_window (SOTTO_TYPE_JOIN_DIALOG);
  g_assert_nonnull (dialog);
  sotto_ui_settle (GTK_WIDGET (dialog));
  list = GTK_WIDGET (dialog);
  g_assert_nonnull (person_row (list, "bob"));
  g_assert_nonnull (person_row (list, "carol"));
  g_assert_null (person_row (list, "alice"));
  g_free (sotto_ui_screenshot (GTK_WIDGET (dialog), "direct-suggestions"));

  entry = sotto_ui_find_widget (GTK_WIDGET (dialog), ADW_TYPE_ENTRY_ROW);
  gtk_editable_set_text (GTK_EDITABLE (entry), "CA");
  sotto_ui_settle (GTK_WIDGET (dialog));
  g_assert_null (person_row (list, "bob"));
  g_assert_nonnull (person_row (list, "carol"));

  g_signal_emit_by_name (gtk_widget_get_parent (person_row (list, "carol")), "row-activated",
                         person_row (list, "carol"));
  g_assert_true (sotto_ui_wait_until (direct_with_carol_shown, fixture->ui.window, 30));
  sotto_client_close (carol);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  sotto_ui_test_init (&argc, &argv);
  sotto_ui_notifications_start ();
  the_app = sotto_application_new ();
  g_application_set_flags (G_APPLICATION (the_app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (the_app), NULL, &error));
  g_assert_no_error (error);

  g_test_add ("/sotto/ui/layout/widths", Fixture, NULL, fixture_setup, test_widths,
              fixture_teardown);
  g_test_add ("/sotto/ui/layout/narrow", Fixture, GINT_TO_POINTER (NARROW), fixture_setup,
              test_narrow, fixture_teardown);
  g_test_add ("/sotto/ui/layout/first-run", Fixture, NULL, fixture_setup, test_first_run,
              fixture_teardown);
  g_test_add ("/sotto/ui/layout/message-member", Fixture, NULL, fixture_setup,
              test_message_member, fixture_teardown);
  g_test_add ("/sotto/ui/layout/notice", Fixture, NULL, fixture_setup, test_notice,
              fixture_teardown);
  g_test_add ("/sotto/ui/layout/direct-suggestions", Fixture, NULL, fixture_setup,
              test_direct_suggestions, fixture_teardown);

  status = g_test_run ();
  g_clear_object (&the_app);
  return status;
}
