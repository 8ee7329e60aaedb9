/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sotto-application.h"
#include "sotto-login-view.h"
#include "sotto-message-row.h"
#include "sotto-room-view.h"
#include "sotto-search-panel.h"
#include "sotto-test-server.h"
#include "sotto-test-users.h"
#include "sotto-test-util.h"
#include "sotto-ui-test.h"
#include "sotto-window.h"

/*
 * Searching messages in the app, against a real sotto-server, with bob
 * as a client core in this process: Ctrl+F in the room and Ctrl+Shift+F
 * across rooms open the panel at the side; results newest first with the
 * words marked; a result far up the room scrolls there and marks the
 * row, also one not loaded since logging in again (older pages are read
 * until it is there); one in another room opens that room; Escape closes
 * the panel.
 * Screenshots in the light and the dark style.
 */

#define PASSWORD "correct horse battery"

static SottoApplication *the_app;

typedef struct
{
  SottoUiSetup  ui;
  SottoClient  *bob;
  SottoRoom    *bob_general;
  SottoRoom    *bob_lobby;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  SottoClient *client;

  sotto_ui_setup_start (&fixture->ui, the_app, 1100, 720);
  client = sotto_ui_register (GTK_WINDOW (fixture->ui.window), fixture->ui.address, "alice",
                              PASSWORD);
  sotto_test_user_join (client, "lobby");
  fixture->bob = sotto_test_user_new (fixture->ui.dir, fixture->ui.address, "bob", PASSWORD);
  fixture->bob_general = sotto_test_user_join (fixture->bob, "general");
  fixture->bob_lobby = sotto_test_user_join (fixture->bob, "lobby");
  sotto_test_user_wait_members (fixture->bob_general, 2);
  sotto_test_user_wait_members (fixture->bob_lobby, 2);
  g_assert_true (sotto_window_open_room (fixture->ui.window, "general"));
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  sotto_client_close (fixture->bob);
  g_clear_object (&fixture->bob);
  sotto_ui_setup_finish (&fixture->ui);
}

/* Whether @message's row is inside the visible part of the list. */
static gboolean
on_screen (Fixture      *fixture,
           SottoMessage *message)
{
  SottoMessageRow *row = sotto_ui_find_message_row (GTK_WIDGET (fixture->ui.window), message);
  GtkWidget *list = GTK_WIDGET (sotto_room_view_get_message_list (
                                  sotto_window_get_room_view (fixture->ui.window)));
  graphene_rect_t bounds;

  if (row == NULL || !gtk_widget_get_mapped (GTK_WIDGET (row)) ||
      !gtk_widget_compute_bounds (GTK_WIDGET (row), list, &bounds))
    return FALSE;
  return bounds.origin.y + bounds.size.height > 0 &&
         bounds.origin.y < gtk_widget_get_height (list);
}

static gboolean
search_done (gpointer data)
{
  return !sotto_search_panel_get_busy (data);
}

static void
wait_search (SottoSearchPanel *panel)
{
  g_assert_true (sotto_ui_wait_until (search_done, panel, 30));
}

/* The label of a result's text: the last label of its row. */
static GtkLabel *
result_text (SottoSearchPanel *panel,
             guint             index)
{
  GtkWidget *row = sotto_search_panel_get_result_row (panel, index);
  GtkLabel *text = NULL;

  g_assert_nonnull (row);
  for (GtkWidget *child = gtk_widget_get_first_child (gtk_list_box_row_get_child (
                                                        GTK_LIST_BOX_ROW (row)));
       child != NULL; child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_LABEL (child))
      text = GTK_LABEL (child);
  g_assert_nonnull (text);
  return text;
}

/* What the shortcut @accel does in the window. */
static void
press_accel (Fixture    *fixture,
             const char *accel,
             const char *action)
{
  g_auto(GStrv) actions = gtk_application_get_actions_for_accel (GTK_APPLICATION (the_app),
                                                                 accel);
  g_autofree char *name = NULL;
  g_autoptr(GVariant) target = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_strv_contains ((const char * const *) actions, action));
  g_assert_true (g_action_parse_detailed_name (action, &name, &target, &error));
  gtk_widget_activate_action_variant (GTK_WIDGET (fixture->ui.window), name, target);
  sotto_ui_settle (GTK_WIDGET (fixture->ui.window));
}

static void
test_search (Fixture       *fixture,
             gconstpointer  data)
{
  SottoRoomView *view = sotto_window_get_room_view (fixture->ui.window);
  SottoSearchPanel *panel = sotto_room_view_get_search_panel (view);
  SottoRoom *general = sotto_window_get_room (fixture->ui.window);
  SottoMessage *last = NULL;
  SottoMessage *first;
  SottoMessage *shown_first;
  GtkWidget *row;
  GtkWidget *entry;
  g_autofree char *markup = NULL;

  first = sotto_test_user_say (fixture->bob, fixture->bob_general,
                               "Shall we meet at the harbour café on Friday?");
  sotto_test_user_wait_sent (first);
  for (guint i = 0; i < 120; i++)
    {
      g_autofree char *text = g_strdup_printf ("and then %u", i);

      last = sotto_test_user_say (fixture->bob, fixture->bob_general, text);
    }
  sotto_test_user_wait_sent (last);
  sotto_test_user_wait_sent (sotto_test_user_say (fixture->bob, fixture->bob_general,
                                                  "The HARBOUR is closed; the café is open"));
  sotto_test_user_wait_sent (sotto_test_user_say (fixture->bob, fixture->bob_lobby,
                                                  "Harbour tour tomorrow at nine"));
  sotto_test_user_wait_for_text (general, "bob", "The HARBOUR is closed; the café is open");
  sotto_test_user_wait_for_text (sotto_client_lookup_room (
                                   sotto_window_get_client (fixture->ui.window), "lobby"),
                                 "bob", "Harbour tour tomorrow at nine");
  sotto_room_view_scroll_to_bottom (view);
  sotto_ui_settle (GTK_WIDGET (fixture->ui.window));

  /* Ctrl+F: the panel, the entry to type in; the room's two, newest
   * first, the words in bold. */
  press_accel (fixture, "<Control>f", "win.search-messages(false)");
  g_assert_true (sotto_room_view_get_search_shown (view));
  g_assert_false (sotto_room_view_get_members_shown (view));
  g_assert_false (sotto_search_panel_get_all_rooms (panel));
  sotto_search_panel_set_text (panel, "harbour CAFÉ");
  wait_search (panel);
  sotto_ui_settle (GTK_WIDGET (fixture->ui.window));
  g_assert_cmpuint (sotto_search_panel_get_n_results (panel), ==, 2);
  markup = g_strdup (gtk_label_get_label (result_text (panel, 0)));
  g_assert_cmpstr (markup, ==, "The <b>HARBOUR</b> is closed; the <b>café</b> is open");
  g_free (sotto_ui_screenshot (GTK_WIDGET (fixture->ui.window), "search-room"));

  /* The older one, far up: the list goes there and marks it. */
  shown_first = sotto_ui_find_message (general, "Shall we meet at the harbour café on Friday?");
  g_assert_false (on_screen (fixture, shown_first));
  /* From the keyboard, as Ctrl+G goes through them: the newest first,
   * then the older one. */
  entry = sotto_ui_find_widget (GTK_WIDGET (panel), GTK_TYPE_SEARCH_ENTRY);
  g_signal_emit_by_name (entry, "next-match");
  g_signal_emit_by_name (entry, "next-match");
  row = sotto_search_panel_get_result_row (panel, 1);
  g_assert_true (gtk_list_box_row_is_selected (GTK_LIST_BOX_ROW (row)));
  sotto_ui_settle (GTK_WIDGET (fixture->ui.window));
  sotto_test_iterate (200);
  sotto_ui_settle (GTK_WIDGET (fixture->ui.window));
  g_assert_true (on_screen (fixture, shown_first));
  g_assert_true (gtk_widget_has_css_class (
                   GTK_WIDGET (sotto_ui_find_message_row (GTK_WIDGET (fixture->ui.window),
                                                          shown_first)), "found"));
  g_assert_false (sotto_room_view_get_at_bottom (view));
  g_free (sotto_ui_screenshot (GTK_WIDGET (fixture->ui.window), "search-found"));

  /* Ctrl+Shift+F: every room; the lobby's is the newest. */
  press_accel (fixture, "<Control><Shift>f", "win.search-messages(true)");
  g_assert_true (sotto_search_panel_get_all_rooms (panel));
  wait_search (panel);
  sotto_search_panel_set_text (panel, "harbour");
  wait_search (panel);
  sotto_ui_settle (GTK_WIDGET (fixture->ui.window));
  g_assert_cmpuint (sotto_search_panel_get_n_results (panel), ==, 3);
  g_assert_cmpstr (gtk_label_get_text (result_text (panel, 0)), ==,
                   "Harbour tour tomorrow at nine");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_FORCE_DARK);
  sotto_ui_settle (GTK_WIDGET (fixture->ui.window));
  g_free (sotto_ui_screenshot (GTK_WIDGET (fixture->ui.window), "search-all-dark"));
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_DEFAULT);

  /* A result in another room opens it, the search still beside it. */
  gtk_widget_activate (sotto_search_panel_get_result_row (panel, 0));
  sotto_ui_settle (GTK_WIDGET (fixture->ui.window));
  g_assert_cmpstr (sotto_room_get_name (sotto_window_get_room (fixture->ui.window)), ==,
                   "lobby");
  g_assert_true (sotto_room_view_get_search_shown (view));
  g_assert_cmpuint (sotto_search_panel_get_n_results (panel), ==, 3);

  /* Nothing found says so; Escape closes the panel. */
  sotto_search_panel_set_text (panel, "lighthouse");
  wait_search (panel);
  g_assert_cmpuint (sotto_search_panel_get_n_results (panel), ==, 0);
  g_signal_emit_by_name (entry, "stop-search");
  sotto_ui_settle (GTK_WIDGET (fixture->ui.window));
  g_assert_false (sotto_room_view_get_search_shown (view));

  /* The members button shows the members in the panel's place. */
  gtk_widget_activate_action (GTK_WIDGET (view), "room.search", "b", FALSE);
  g_assert_true (sotto_room_view_get_search_shown (view));
  gtk_widget_activate_action (GTK_WIDGET (view), "room.toggle-members", NULL);
  g_assert_true (sotto_room_view_get_members_shown (view));
  g_assert_false (sotto_room_view_get_search_shown (view));
}

static gboolean
logged_in (gpointer data)
{
  SottoClient *client = sotto_window_get_client (data);

  return client != NULL && sotto_client_get_state (client) == SOTTO_CLIENT_ONLINE &&
         sotto_window_get_room (data) != NULL;
}

/* After logging in again only the newest messages are loaded: a result
 * further back loads older pages until its message is there. */
static void
test_not_loaded (Fixture       *fixture,
                 gconstpointer  data)
{
  SottoRoomView *view = sotto_window_get_room_view (fixture->ui.window);
  SottoSearchPanel *panel = sotto_room_view_get_search_panel (view);
  SottoLoginView *login = sotto_window_get_login_view (fixture->ui.window);
  SottoMessage *last = NULL;
  SottoMessage *first;
  SottoRoom *general;

  first = sotto_test_user_say (fixture->bob, fixture->bob_general,
                               "The lighthouse tour starts at noon");
  sotto_test_user_wait_sent (first);
  for (guint i = 0; i < 300; i++)
    {
      g_autofree char *text = g_strdup_printf ("later %u", i);

      last = sotto_test_user_say (fixture->bob, fixture->bob_general, text);
    }
  sotto_test_user_wait_sent (last);
  sotto_test_user_wait_for_text (sotto_window_get_room (fixture->ui.window), "bob", "later 299");

  gtk_widget_activate_action (GTK_WIDGET (fixture->ui.window), "win.log-out", NULL);
  sotto_login_view_fill (login, NULL, NULL, PASSWORD);
  sotto_login_view_submit (login);
  g_assert_true (sotto_ui_wait_until (logged_in, fixture->ui.window, 30));
  g_assert_true (sotto_window_open_room (fixture->ui.window, "general"));
  general = sotto_window_get_room (fixture->ui.window);
  sotto_ui_settle (GTK_WIDGET (fixture->ui.window));
  g_assert_null (sotto_ui_find_message (general, "The lighthouse tour starts at noon"));

  gtk_widget_activate_action (GTK_WIDGET (fixture->ui.window), "win.search-messages", "b",
                              FALSE);
  sotto_search_panel_set_text (panel, "lighthouse");
  wait_search (panel);
  g_assert_cmpuint (sotto_search_panel_get_n_results (panel), ==, 1);
  gtk_widget_activate (sotto_search_panel_get_result_row (panel, 0));
  sotto_ui_settle (GTK_WIDGET (fixture->ui.window));
  sotto_test_iterate (200);
  sotto_ui_settle (GTK_WIDGET (fixture->ui.window));
  first = sotto_ui_find_message (general, "The lighthouse tour starts at noon");
  g_assert_nonnull (first);
  g_assert_true (on_screen (fixture, first));
  g_free (sotto_ui_screenshot (GTK_WIDGET (fixture->ui.window), "search-loaded-older"));
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

  g_test_add ("/sotto/ui/search/room-and-all", Fixture, NULL, fixture_setup, test_search,
              fixture_teardown);
  g_test_add ("/sotto/ui/search/not-loaded", Fixture, NULL, fixture_setup, test_not_loaded,
              fixture_teardown);

  status = g_test_run ();
  g_clear_object (&the_app);
  return status;
}
