/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sodium.h>
#include <string.h>

#include "sotto-application.h"
#include "sotto-join-dialog.h"
#include "sotto-member-row.h"
#include "sotto-message-row.h"
#include "sotto-safety-dialog.h"
#include "sotto-test-server.h"
#include "sotto-test-users.h"
#include "sotto-test-util.h"
#include "sotto-ui-test.h"
#include "sotto-window.h"

/*
 * The app in a real window under Xvfb against a real sotto-server: what a
 * person does, through the same widgets, and what they would see, saved
 * as screenshots in the build directory.
 */

#define PASSWORD "correct horse battery"

/* One application per process, as in the real app; each test has its own
 * window and data. */
static SottoApplication *the_app;

typedef struct
{
  SottoTestServer  *server;
  char             *dir;
  char             *address;
  SottoApplication *app;
  SottoWindow      *window;
  SottoClient      *bob;
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

  while ((dialog = sotto_ui_find_window (ADW_TYPE_MESSAGE_DIALOG)) != NULL ||
         (dialog = sotto_ui_find_window (SOTTO_TYPE_JOIN_DIALOG)) != NULL)
    gtk_window_destroy (dialog);
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  if (fixture->bob != NULL)
    sotto_client_close (fixture->bob);
  g_clear_object (&fixture->bob);
  sotto_test_iterate (50);
  g_clear_object (&fixture->app);

  if (sotto_test_server_is_running (fixture->server))
    sotto_test_server_stop (fixture->server);
  g_clear_pointer (&fixture->server, sotto_test_server_free);
  sotto_test_remove_dir (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->address);
}

static gboolean
trust_dialog_shown (gpointer data)
{
  return sotto_ui_find_window (ADW_TYPE_MESSAGE_DIALOG) != NULL;
}

static gboolean
logged_in (gpointer data)
{
  Fixture *fixture = data;
  SottoClient *client = sotto_window_get_client (fixture->window);

  return client != NULL && sotto_client_get_state (client) == SOTTO_CLIENT_ONLINE &&
         sotto_window_get_room (fixture->window) != NULL;
}

static gboolean
login_failed (gpointer data)
{
  Fixture *fixture = data;
  SottoLoginView *login = sotto_window_get_login_view (fixture->window);

  return !sotto_login_view_get_busy (login) && sotto_login_view_get_error (login) != NULL;
}

/* Through the form, as a new user: create the account, trust the server. */
static void
register_through_form (Fixture    *fixture,
                       const char *user,
                       const char *screenshot_prefix)
{
  SottoLoginView *login = sotto_window_get_login_view (fixture->window);
  AdwMessageDialog *dialog;

  sotto_login_view_set_creating (login, TRUE);
  sotto_login_view_fill (login, fixture->address, user, PASSWORD);
  if (screenshot_prefix != NULL)
    {
      g_autofree char *name = g_strconcat (screenshot_prefix, "-form", NULL);
      g_autofree char *path = NULL;

      sotto_ui_settle (GTK_WIDGET (fixture->window));
      path = sotto_ui_screenshot (GTK_WIDGET (fixture->window), name);
    }
  sotto_login_view_submit (login);
  g_assert_true (sotto_login_view_get_busy (login));

  g_assert_true (sotto_ui_wait_until (trust_dialog_shown, NULL, 30));
  dialog = ADW_MESSAGE_DIALOG (sotto_ui_find_window (ADW_TYPE_MESSAGE_DIALOG));
  if (screenshot_prefix != NULL)
    {
      g_autofree char *name = g_strconcat (screenshot_prefix, "-trust", NULL);
      g_autofree char *path = NULL;

      sotto_ui_settle (GTK_WIDGET (dialog));
      path = sotto_ui_screenshot (GTK_WIDGET (dialog), name);
    }
  g_assert_true (adw_message_dialog_has_response (dialog, "trust"));
  adw_message_dialog_response (dialog, "trust");

  g_assert_true (sotto_ui_wait_until (logged_in, fixture, 30));
  g_assert_cmpstr (sotto_client_get_user (sotto_window_get_client (fixture->window)), ==, user);
  g_free (sotto_ui_dismiss_recovery_key ());
}

static void
test_register (Fixture       *fixture,
               gconstpointer  data)
{
  SottoRoom *room;
  g_autofree char *path = NULL;

  register_through_form (fixture, "alice", "register");

  room = sotto_window_get_room (fixture->window);
  g_assert_cmpstr (sotto_room_get_name (room), ==, "general");
  sotto_ui_settle (GTK_WIDGET (fixture->window));
  path = sotto_ui_screenshot (GTK_WIDGET (fixture->window), "registered");
}

static gboolean
message_sent (gpointer data)
{
  SottoMessage *message = data;

  return sotto_message_get_state (message) == SOTTO_MESSAGE_SENT;
}

typedef struct
{
  SottoRoom  *room;
  const char *text;
} Expected;

static gboolean
message_arrived (gpointer data)
{
  Expected *expected = data;
  SottoMessage *message = sotto_ui_find_message (expected->room, expected->text);

  return message != NULL && sotto_message_get_state (message) == SOTTO_MESSAGE_RECEIVED;
}

static gboolean
member_online (gpointer data)
{
  Expected *expected = data;
  SottoMember *member = sotto_room_lookup_member (expected->room, expected->text);

  return member != NULL && sotto_member_get_online (member);
}

static void
screenshot (Fixture    *fixture,
            const char *name)
{
  sotto_ui_settle (GTK_WIDGET (fixture->window));
  g_free (sotto_ui_screenshot (GTK_WIDGET (fixture->window), name));
}

static gboolean
typing_shown (gpointer data)
{
  return g_str_has_suffix (sotto_room_view_get_typing_text (data), "typing…");
}

static GtkAdjustment *
list_adjustment (SottoRoomView *view)
{
  return gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (sotto_room_view_get_message_list (view)));
}

/* A long conversation: the view follows new messages while at the bottom,
 * stays where the reader is when scrolled up, and the button brings the
 * newest back. */
static void
test_scrolling (Fixture       *fixture,
                gconstpointer  data)
{
  SottoRoomView *view = sotto_window_get_room_view (fixture->window);
  SottoRoom *room, *bob_room;
  GtkAdjustment *adj;
  double value;
  Expected expected;

  fixture->bob = sotto_test_user_new (fixture->dir, fixture->address, "bob", PASSWORD);
  register_through_form (fixture, "alice", NULL);
  room = sotto_window_get_room (fixture->window);
  bob_room = sotto_client_lookup_room (fixture->bob, "general");
  expected = (Expected) { bob_room, "alice" };
  g_assert_true (sotto_ui_wait_until (member_online, &expected, 30));

  for (guint i = 1; i <= 60; i++)
    {
      g_autofree char *text = g_strdup_printf ("Line %u of a long story", i);

      g_assert_nonnull (sotto_client_send_message (fixture->bob, bob_room, text, NULL));
    }
  expected = (Expected) { room, "Line 60 of a long story" };
  g_assert_true (sotto_ui_wait_until (message_arrived, &expected, 30));
  sotto_ui_settle (GTK_WIDGET (fixture->window));

  adj = list_adjustment (view);
  g_assert_true (sotto_room_view_get_at_bottom (view));
  g_assert_cmpfloat (gtk_adjustment_get_value (adj) + gtk_adjustment_get_page_size (adj), >=,
                     gtk_adjustment_get_upper (adj) - 30);

  /* The reader goes back up; a new message does not pull them down. */
  sotto_room_view_scroll_to_top (view);
  sotto_ui_settle (GTK_WIDGET (fixture->window));
  g_assert_false (sotto_room_view_get_at_bottom (view));
  value = gtk_adjustment_get_value (adj);
  g_assert_nonnull (sotto_client_send_message (fixture->bob, bob_room, "And one more", NULL));
  expected = (Expected) { room, "And one more" };
  g_assert_true (sotto_ui_wait_until (message_arrived, &expected, 30));
  sotto_ui_settle (GTK_WIDGET (fixture->window));
  g_assert_false (sotto_room_view_get_at_bottom (view));
  g_assert_cmpfloat (ABS (gtk_adjustment_get_value (adj) - value), <, 1.0);
  screenshot (fixture, "scrolled-up");

  sotto_room_view_scroll_to_bottom (view);
  sotto_ui_settle (GTK_WIDGET (fixture->window));
  g_assert_true (sotto_room_view_get_at_bottom (view));
  g_assert_cmpfloat (gtk_adjustment_get_value (adj) + gtk_adjustment_get_page_size (adj), >=,
                     gtk_adjustment_get_upper (adj) - 30);
}

/* Typing a message and pressing Enter; a second person receives it, and
 * their answer shows in the list. */
static void
test_conversation (Fixture       *fixture,
                   gconstpointer  data)
{
  SottoRoomView *view = sotto_window_get_room_view (fixture->window);
  SottoRoom *room, *bob_room;
  SottoMessage *sent;
  GtkWidget *composer;
  g_autofree char *path = NULL;
  Expected expected;

  fixture->bob = sotto_test_user_new (fixture->dir, fixture->address, "bob", PASSWORD);
  register_through_form (fixture, "alice", NULL);
  room = sotto_window_get_room (fixture->window);
  bob_room = sotto_client_lookup_room (fixture->bob, "general");
  g_assert_nonnull (bob_room);

  expected = (Expected) { room, "bob" };
  g_assert_true (sotto_ui_wait_until (member_online, &expected, 30));
  expected = (Expected) { bob_room, "alice" };
  g_assert_true (sotto_ui_wait_until (member_online, &expected, 30));

  /* Enter in the composer sends. */
  sotto_room_view_set_draft (view, "Hello Bob! The notes are at https://example.org/notes");
  composer = GTK_WIDGET (gtk_window_get_focus (GTK_WINDOW (fixture->window)));
  g_assert_true (GTK_IS_TEXT_VIEW (composer));
  sotto_ui_press_key (composer, GDK_KEY_Return, 0);
  g_autofree char *draft = sotto_room_view_dup_draft (view);
  g_assert_cmpstr (draft, ==, "");

  sent = sotto_ui_find_message (room, "Hello Bob! The notes are at https://example.org/notes");
  g_assert_nonnull (sent);
  g_assert_true (sotto_ui_wait_until (message_sent, sent, 30));

  expected = (Expected) { bob_room, "Hello Bob! The notes are at https://example.org/notes" };
  g_assert_true (sotto_ui_wait_until (message_arrived, &expected, 30));

  /* Bob answers, twice: the second groups under the first. */
  g_assert_nonnull (sotto_client_send_message (fixture->bob, bob_room, "Hi Alice, got them.",
                                               NULL));
  g_assert_nonnull (sotto_client_send_message (fixture->bob, bob_room,
                                               "Let's meet at ten.\nBring the draft.", NULL));
  expected = (Expected) { room, "Let's meet at ten.\nBring the draft." };
  g_assert_true (sotto_ui_wait_until (message_arrived, &expected, 30));

  /* Bob types: Alice sees it under the list. */
  sotto_client_send_typing (fixture->bob, bob_room);
  g_assert_true (sotto_ui_wait_until (typing_shown, view, 30));
  g_assert_cmpstr (sotto_room_view_get_typing_text (view), ==, "bob is typing…");

  /* Shift+Enter is a new line, not a send. */
  sotto_room_view_set_draft (view, "See you");
  sotto_ui_press_key (composer, GDK_KEY_Return, GDK_SHIFT_MASK);

  gtk_widget_activate_action (GTK_WIDGET (view), "room.toggle-members", NULL);
  g_assert_true (sotto_room_view_get_members_shown (view));
  sotto_ui_settle (GTK_WIDGET (fixture->window));
  g_assert_true (sotto_room_view_get_at_bottom (view));
  path = sotto_ui_screenshot (GTK_WIDGET (fixture->window), "conversation");
}

static void
test_wrong_password (Fixture       *fixture,
                     gconstpointer  data)
{
  SottoLoginView *login = sotto_window_get_login_view (fixture->window);
  g_autofree char *path = NULL;

  register_through_form (fixture, "alice", NULL);
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.log-out", NULL);
  g_assert_null (sotto_window_get_client (fixture->window));

  sotto_login_view_fill (login, NULL, NULL, "not the password");
  sotto_login_view_submit (login);
  g_assert_true (sotto_ui_wait_until (login_failed, fixture, 30));
  g_assert_null (sotto_window_get_client (fixture->window));
  g_assert_cmpstr (sotto_login_view_get_error (login), !=, "");
  g_test_message ("error shown: %s", sotto_login_view_get_error (login));

  sotto_ui_settle (GTK_WIDGET (fixture->window));
  path = sotto_ui_screenshot (GTK_WIDGET (fixture->window), "wrong-password");

  /* The form kept the server and username: the right password is enough. */
  sotto_login_view_fill (login, NULL, NULL, PASSWORD);
  sotto_login_view_submit (login);
  g_assert_true (sotto_ui_wait_until (logged_in, fixture, 30));
}

static gboolean
client_reconnecting (gpointer data)
{
  return sotto_client_get_state (data) == SOTTO_CLIENT_RECONNECTING;
}

static gboolean
client_online (gpointer data)
{
  return sotto_client_get_state (data) == SOTTO_CLIENT_ONLINE;
}

/* The server goes away and comes back: what was written meanwhile waits
 * as "Sending…" and goes out on reconnect. */
static void
test_reconnect (Fixture       *fixture,
                gconstpointer  data)
{
  SottoRoomView *view = sotto_window_get_room_view (fixture->window);
  SottoClient *client;
  SottoRoom *room;
  SottoMessage *waiting;
  g_autofree char *offline = NULL;
  g_autofree char *back = NULL;

  register_through_form (fixture, "alice", NULL);
  client = sotto_window_get_client (fixture->window);
  room = sotto_window_get_room (fixture->window);

  sotto_test_server_stop (fixture->server);
  g_assert_true (sotto_ui_wait_until (client_reconnecting, client, 30));

  sotto_room_view_set_draft (view, "Written while the server was away");
  sotto_room_view_send (view);
  waiting = sotto_ui_find_message (room, "Written while the server was away");
  g_assert_nonnull (waiting);
  g_assert_cmpint (sotto_message_get_state (waiting), ==, SOTTO_MESSAGE_SENDING);
  sotto_ui_settle (GTK_WIDGET (fixture->window));
  offline = sotto_ui_screenshot (GTK_WIDGET (fixture->window), "offline");

  sotto_test_server_restart (fixture->server);
  g_assert_true (sotto_ui_wait_until (client_online, client, 90));
  g_assert_true (sotto_ui_wait_until (message_sent, waiting, 30));
  sotto_ui_settle (GTK_WIDGET (fixture->window));
  back = sotto_ui_screenshot (GTK_WIDGET (fixture->window), "reconnected");
}

static void
direct_opened_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SottoRoom) room = sotto_client_join_finish (SOTTO_CLIENT (object), result, &error);

  g_assert_no_error (error);
  *(SottoRoom **) user_data = g_steal_pointer (&room);
}

static gboolean
pointer_set (gpointer data)
{
  return *(gpointer *) data != NULL;
}

static gboolean
has_notification (gpointer data)
{
  GPtrArray *shown = sotto_ui_notifications_get ();
  const char *summary = data;

  for (guint i = 0; i < shown->len; i++)
    if (g_strcmp0 (((SottoUiNotification *) g_ptr_array_index (shown, i))->summary, summary) == 0)
      return TRUE;
  return FALSE;
}

static SottoUiNotification *
last_notification (const char *summary)
{
  GPtrArray *shown = sotto_ui_notifications_get ();

  for (guint i = shown->len; i > 0; i--)
    {
      SottoUiNotification *notification = g_ptr_array_index (shown, i - 1);

      if (g_strcmp0 (notification->summary, summary) == 0)
        return notification;
    }
  return NULL;
}

static gboolean
has_body (gpointer data)
{
  GPtrArray *shown = sotto_ui_notifications_get ();

  for (guint i = 0; i < shown->len; i++)
    if (g_strcmp0 (((SottoUiNotification *) g_ptr_array_index (shown, i))->body, data) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
showing_direct_chat (gpointer data)
{
  Fixture *fixture = data;
  SottoRoom *room = sotto_window_get_room (fixture->window);

  return room != NULL && sotto_room_get_direct (room);
}

/* A message while the window is in the background: a notification that
 * hides the text unless the user asked for it, and opens the chat when
 * clicked. */
static void
test_notifications (Fixture       *fixture,
                    gconstpointer  data)
{
  GSettings *settings = sotto_application_get_settings (fixture->app);
  SottoRoom *direct = NULL;
  SottoRoom *mine;
  SottoUiNotification *notification;

  fixture->bob = sotto_test_user_new (fixture->dir, fixture->address, "bob", PASSWORD);
  register_through_form (fixture, "alice", NULL);
  g_settings_set_boolean (settings, "notification-text", FALSE);

  /* The test's X server has no window manager: the window is never active,
   * as when the user is in another application. */
  g_assert_false (gtk_window_is_active (GTK_WINDOW (fixture->window)));

  sotto_client_open_direct_async (fixture->bob, "alice", NULL, direct_opened_cb, &direct);
  g_assert_true (sotto_ui_wait_until (pointer_set, &direct, 30));
  g_assert_nonnull (sotto_client_send_message (fixture->bob, direct, "a secret plan", NULL));
  g_assert_true (sotto_ui_wait_until (has_notification, "bob", 30));
  notification = last_notification ("bob");
  g_assert_nonnull (notification);
  g_assert_cmpstr (notification->body, ==, "1 new message");

  g_settings_set_boolean (settings, "notification-text", TRUE);
  g_assert_nonnull (sotto_client_send_message (fixture->bob, direct, "meet at noon", NULL));
  g_assert_true (sotto_ui_wait_until (has_body, "meet at noon", 30));
  g_settings_set_boolean (settings, "notification-text", FALSE);

  /* The room list counts what was not seen. */
  mine = sotto_client_lookup_room (sotto_window_get_client (fixture->window),
                                   sotto_room_get_name (direct));
  g_assert_nonnull (mine);
  g_assert_cmpuint (sotto_room_get_unread (mine), ==, 2);

  g_assert_false (showing_direct_chat (fixture));
  notification = last_notification ("bob");
  g_assert_nonnull (notification);
  sotto_ui_notifications_click (notification->id);
  g_assert_true (sotto_ui_wait_until (showing_direct_chat, fixture, 30));
  g_assert_true (sotto_window_get_room (fixture->window) == mine);
  g_object_unref (direct);
}

static gboolean
rooms_listed (gpointer data)
{
  return sotto_join_dialog_get_n_listed (data) > 0;
}

static gboolean
showing_room (gpointer data)
{
  Expected *expected = data;
  SottoRoom *room = sotto_window_get_room (SOTTO_WINDOW (expected->room));

  return room != NULL && g_strcmp0 (sotto_room_get_name (room), expected->text) == 0;
}

static gboolean
member_verified (gpointer data)
{
  return sotto_member_get_verified (data);
}


/* Joining a room through the dialog, jumping between rooms, comparing a
 * safety number and marking the contact verified; the narrow layout and
 * the dark style. */
static void
test_rooms_and_safety (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree char *bob_digits = NULL;
  g_autofree char *alice_digits = NULL;
  SottoRoomView *view = sotto_window_get_room_view (fixture->window);
  SottoJoinDialog *join;
  SottoSafetyDialog *safety;
  SottoRoom *lobby;
  GtkWidget *focus, *search;
  Expected expected;

  fixture->bob = sotto_test_user_new (fixture->dir, fixture->address, "bob", PASSWORD);
  sotto_test_user_join (fixture->bob, "lobby");
  register_through_form (fixture, "alice", NULL);

  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.join-room", NULL);
  join = SOTTO_JOIN_DIALOG (sotto_ui_find_window (SOTTO_TYPE_JOIN_DIALOG));
  g_assert_nonnull (join);
  g_assert_true (sotto_ui_wait_until (rooms_listed, join, 30));
  sotto_join_dialog_set_name (join, "#lobby");
  sotto_ui_settle (GTK_WIDGET (join));
  g_free (sotto_ui_screenshot (GTK_WIDGET (join), "join-dialog"));
  sotto_join_dialog_join (join);
  expected = (Expected) { (SottoRoom *) fixture->window, "lobby" };
  g_assert_true (sotto_ui_wait_until (showing_room, &expected, 30));
  g_assert_null (sotto_ui_find_window (SOTTO_TYPE_JOIN_DIALOG));
  lobby = sotto_window_get_room (fixture->window);
  expected = (Expected) { sotto_client_lookup_room (fixture->bob, "lobby"), "alice" };
  g_assert_true (sotto_ui_wait_until (member_online, &expected, 30));
  g_assert_nonnull (sotto_client_send_message (fixture->bob,
                                               sotto_client_lookup_room (fixture->bob, "lobby"),
                                               "Welcome to the lobby", NULL));
  expected = (Expected) { lobby, "Welcome to the lobby" };
  g_assert_true (sotto_ui_wait_until (message_arrived, &expected, 30));

  /* Ctrl+K: type part of a name, Enter opens it. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.jump-to-room", NULL);
  focus = GTK_WIDGET (gtk_window_get_focus (GTK_WINDOW (fixture->window)));
  search = gtk_widget_get_ancestor (focus, GTK_TYPE_SEARCH_ENTRY);
  g_assert_nonnull (search);
  gtk_editable_set_text (GTK_EDITABLE (search), "gen");
  sotto_ui_settle (GTK_WIDGET (fixture->window));
  g_signal_emit_by_name (search, "activate");
  expected = (Expected) { (SottoRoom *) fixture->window, "general" };
  g_assert_true (sotto_ui_wait_until (showing_room, &expected, 30));
  g_assert_true (sotto_window_open_room (fixture->window, "lobby"));

  /* The same digits on both sides. */
  expected = (Expected) { lobby, "bob" };
  g_assert_true (sotto_ui_wait_until (member_online, &expected, 30));
  gtk_widget_activate_action (GTK_WIDGET (view), "room.toggle-members", NULL);
  safety = SOTTO_SAFETY_DIALOG (sotto_room_view_show_member (view, "bob"));
  g_assert_nonnull (safety);
  alice_digits = sotto_safety_dialog_dup_digits (safety);
  bob_digits = sotto_client_safety_number (fixture->bob, "alice");
  g_assert_nonnull (alice_digits);
  g_assert_cmpstr (alice_digits, ==, bob_digits);
  sotto_ui_settle (GTK_WIDGET (safety));
  g_free (sotto_ui_screenshot (GTK_WIDGET (safety), "safety-number"));
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (safety), "verify");
  g_assert_true (sotto_ui_wait_until (member_verified, sotto_room_lookup_member (lobby, "bob"),
                                      10));
  g_assert_true (sotto_client_is_verified (sotto_window_get_client (fixture->window), "bob"));
  screenshot (fixture, "room-verified");

  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_FORCE_DARK);
  screenshot (fixture, "dark");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_DEFAULT);

  /* Narrow: one pane at a time, with a way back. */
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 380, 680);
  sotto_ui_settle (GTK_WIDGET (fixture->window));
  gtk_widget_activate_action (GTK_WIDGET (view), "room.close-panels", NULL);
  screenshot (fixture, "narrow-room");
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.go-back", NULL);
  screenshot (fixture, "narrow-rooms");
}

static gboolean
review_shown (gpointer data)
{
  return sotto_room_view_get_review_text (data) != NULL;
}

static gboolean
review_hidden (gpointer data)
{
  return sotto_room_view_get_review_text (data) == NULL;
}

/* The warning sign on @user's row in the members panel, if shown. */
static GtkWidget *
member_warning (GtkWidget  *root,
                const char *user)
{
  if (SOTTO_IS_MEMBER_ROW (root))
    {
      SottoMember *member = sotto_member_row_get_member (SOTTO_MEMBER_ROW (root));

      if (member == NULL || g_strcmp0 (sotto_member_get_user (member), user) != 0)
        return NULL;
      return sotto_ui_find_icon (root, "dialog-warning-symbolic");
    }

  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = member_warning (child, user);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Bob, whom Alice had verified, logs in on another computer: the bar over
 * their room says nothing is sent there, the composer keeps what she types,
 * and Accept lets her write again. Then on a third computer, now that he
 * is not verified: a notice, which is still there after logging in again,
 * and which comparing the safety number and marking him verified settles. */
static void
test_identity_review (Fixture       *fixture,
                      gconstpointer  data)
{
  SottoRoomView *view = sotto_window_get_room_view (fixture->window);
  SottoLoginView *login = sotto_window_get_login_view (fixture->window);
  g_autoptr(SottoClient) laptop = NULL;
  g_autoptr(SottoClient) phone = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *draft = NULL;
  g_autofree char *alice_digits = NULL;
  g_autofree char *bob_digits = NULL;
  SottoSafetyDialog *safety;
  SottoClient *client;
  SottoRoom *room;
  GtkWidget *send, *composer, *warning;
  Expected expected;

  fixture->bob = sotto_test_user_new (fixture->dir, fixture->address, "bob", PASSWORD);
  register_through_form (fixture, "alice", NULL);
  client = sotto_window_get_client (fixture->window);
  room = sotto_window_get_room (fixture->window);
  expected = (Expected) { room, "bob" };
  g_assert_true (sotto_ui_wait_until (member_online, &expected, 30));
  g_assert_true (sotto_client_set_verified (client, "bob", TRUE, &error));
  g_assert_no_error (error);
  g_assert_null (sotto_room_view_get_review_text (view));
  if (!sotto_room_view_get_members_shown (view))
    gtk_widget_activate_action (GTK_WIDGET (view), "room.toggle-members", NULL);
  sotto_ui_settle (GTK_WIDGET (fixture->window));
  g_assert_null (member_warning (GTK_WIDGET (view), "bob"));

  sotto_client_close (fixture->bob);
  g_clear_object (&fixture->bob);
  laptop = sotto_test_user_open (fixture->dir, fixture->address, "bob-laptop");
  sotto_test_user_reset (laptop, "bob", PASSWORD, &error);
  g_assert_no_error (error);
  g_assert_true (sotto_ui_wait_until (review_shown, view, 30));
  g_assert_cmpstr (sotto_room_view_get_review_text (view), ==,
                   "bob’s safety number changed. Nothing is sent in this room until you "
                   "compare it again or accept the new one.");
  g_assert_cmpint (sotto_client_get_review (client, "bob"), ==, SOTTO_IDENTITY_REVIEW_BLOCKING);
  g_assert_nonnull (sotto_ui_find_button (GTK_WIDGET (view), "Compare…"));

  /* What she types stays; Enter sends nothing. */
  sotto_room_view_set_draft (view, "are you still you?");
  send = sotto_ui_find_button (GTK_WIDGET (view), "Send");
  g_assert_nonnull (send);
  g_assert_false (gtk_widget_get_sensitive (send));
  composer = sotto_ui_find_widget (GTK_WIDGET (view), GTK_TYPE_TEXT_VIEW);
  g_assert_nonnull (composer);
  sotto_ui_press_key (composer, GDK_KEY_Return, 0);
  draft = sotto_room_view_dup_draft (view);
  g_assert_cmpstr (draft, ==, "are you still you?");
  g_assert_null (sotto_ui_find_message (room, "are you still you?"));

  sotto_ui_settle (GTK_WIDGET (fixture->window));
  warning = member_warning (GTK_WIDGET (view), "bob");
  g_assert_nonnull (warning);
  g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (warning), "nothing is sent"));
  screenshot (fixture, "room-review-blocking");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_FORCE_DARK);
  screenshot (fixture, "room-review-blocking-dark");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_DEFAULT);

  /* Accept: the review is settled, and what waited in the composer goes. */
  g_signal_emit_by_name (sotto_ui_find_button (GTK_WIDGET (view), "Accept"), "clicked");
  g_assert_cmpint (sotto_client_get_review (client, "bob"), ==, SOTTO_IDENTITY_REVIEW_NONE);
  g_assert_false (sotto_client_is_verified (client, "bob"));
  g_assert_true (sotto_ui_wait_until (review_hidden, view, 10));
  g_assert_true (gtk_widget_get_sensitive (send));
  sotto_ui_press_key (composer, GDK_KEY_Return, 0);
  g_clear_pointer (&draft, g_free);
  draft = sotto_room_view_dup_draft (view);
  g_assert_cmpstr (draft, ==, "");
  sotto_test_user_wait_for_text (sotto_client_lookup_room (laptop, "general"), "alice",
                                 "are you still you?");
  sotto_ui_settle (GTK_WIDGET (fixture->window));
  g_assert_null (member_warning (GTK_WIDGET (view), "bob"));

  /* A reset from a third computer: Bob is not verified now, so it is a
   * notice. */
  sotto_client_close (laptop);
  phone = sotto_test_user_open (fixture->dir, fixture->address, "bob-phone");
  sotto_test_user_reset (phone, "bob", PASSWORD, &error);
  g_assert_no_error (error);
  g_assert_true (sotto_ui_wait_until (review_shown, view, 30));
  g_assert_cmpstr (sotto_room_view_get_review_text (view), ==,
                   "bob’s safety number changed. Compare it to make sure you are still talking "
                   "to bob.");
  g_assert_nonnull (sotto_ui_find_button (GTK_WIDGET (view), "Dismiss"));
  sotto_room_view_set_draft (view, "new phone?");
  g_assert_true (gtk_widget_get_sensitive (send));
  screenshot (fixture, "room-review-notice");

  /* The review is stored: it is there again after logging in. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.log-out", NULL);
  g_assert_null (sotto_room_view_get_review_text (view));
  sotto_login_view_fill (login, NULL, NULL, PASSWORD);
  sotto_login_view_submit (login);
  g_assert_true (sotto_ui_wait_until (logged_in, fixture, 30));
  client = sotto_window_get_client (fixture->window);
  g_assert_true (sotto_ui_wait_until (review_shown, view, 30));
  g_assert_nonnull (strstr (sotto_room_view_get_review_text (view), "Compare it to make sure"));

  /* Compare…, the same digits on both sides, marked verified: settled. */
  g_signal_emit_by_name (sotto_ui_find_button (GTK_WIDGET (view), "Compare…"), "clicked");
  safety = SOTTO_SAFETY_DIALOG (sotto_ui_find_window (SOTTO_TYPE_SAFETY_DIALOG));
  g_assert_nonnull (safety);
  alice_digits = sotto_safety_dialog_dup_digits (safety);
  bob_digits = sotto_client_safety_number (phone, "alice");
  g_assert_cmpstr (alice_digits, ==, bob_digits);
  sotto_ui_settle (GTK_WIDGET (safety));
  g_free (sotto_ui_screenshot (GTK_WIDGET (safety), "room-review-safety-number"));
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (safety), "verify");
  g_assert_true (sotto_ui_wait_until (review_hidden, view, 10));
  g_assert_cmpint (sotto_client_get_review (client, "bob"), ==, SOTTO_IDENTITY_REVIEW_NONE);
  g_assert_true (sotto_client_is_verified (client, "bob"));

  sotto_client_close (phone);
}

static AdwMessageDialog *
find_key_changed_dialog (void)
{
  g_autoptr(GListModel) toplevels = g_object_ref (gtk_window_get_toplevels ());

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)) &&
          adw_message_dialog_has_response (ADW_MESSAGE_DIALOG (window), "close") &&
          g_strcmp0 (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (window)),
                     "The Server’s Key Has Changed") == 0)
        return ADW_MESSAGE_DIALOG (window);
    }
  return NULL;
}

static gboolean
key_changed_shown (gpointer data)
{
  return find_key_changed_dialog () != NULL && login_failed (data);
}

/* Another server answers at the remembered address, with another key: the
 * app explains, offers no way on, and stays logged out. */
static void
test_key_changed (Fixture       *fixture,
                  gconstpointer  data)
{
  SottoLoginView *login = sotto_window_get_login_view (fixture->window);
  g_autofree char *listen = g_strdup_printf ("127.0.0.1:%u",
                                             sotto_test_server_get_port (fixture->server));
  const char *args[] = { "--listen", listen, NULL };
  SottoTestServer *impostor;
  AdwMessageDialog *dialog;

  register_through_form (fixture, "alice", NULL);
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.log-out", NULL);
  sotto_test_server_stop (fixture->server);
  impostor = sotto_test_server_start (NULL, args);

  sotto_login_view_fill (login, NULL, NULL, PASSWORD);
  sotto_login_view_submit (login);
  g_assert_true (sotto_ui_wait_until (key_changed_shown, fixture, 30));
  dialog = find_key_changed_dialog ();
  g_assert_nonnull (strstr (sotto_login_view_get_error (login), "has changed"));
  g_assert_false (adw_message_dialog_has_response (dialog, "trust"));
  g_assert_null (sotto_window_get_client (fixture->window));
  sotto_ui_settle (GTK_WIDGET (dialog));
  g_free (sotto_ui_screenshot (GTK_WIDGET (dialog), "key-changed-dialog"));
  adw_message_dialog_response (dialog, "close");
  screenshot (fixture, "key-changed-form");

  sotto_test_server_stop (impostor);
  sotto_test_server_free (impostor);
  sotto_test_server_restart (fixture->server);
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
not_linked_shown (gpointer data)
{
  return find_dialog ("This Computer Is Not Linked") != NULL;
}

static gboolean
client_offline (gpointer data)
{
  return sotto_client_get_state (data) != SOTTO_CLIENT_ONLINE;
}

/* Bob's account lives on another computer. Logging in here with his
 * password, the app says this computer is not linked and how to link it,
 * and offers the link first (tests/ui/test-ui-link.c follows it);
 * cancelled, the form keeps the sentence; asked again, a reset makes this
 * computer his account's one device, and the other is signed out. */
static void
test_not_linked (Fixture       *fixture,
                 gconstpointer  data)
{
  SottoLoginView *login = sotto_window_get_login_view (fixture->window);
  AdwMessageDialog *dialog;

  fixture->bob = sotto_test_user_new (fixture->dir, fixture->address, "bob", PASSWORD);
  register_through_form (fixture, "alice", NULL);
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.log-out", NULL);

  sotto_login_view_fill (login, fixture->address, "bob", PASSWORD);
  sotto_login_view_submit (login);
  g_assert_true (sotto_ui_wait_until (not_linked_shown, NULL, 30));
  dialog = find_dialog ("This Computer Is Not Linked");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "“Link This Computer”"));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "“Link a New Device”"));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "bob is signed in"));
  g_assert_null (strstr (adw_message_dialog_get_body (dialog), "sotto-cli"));
  g_assert_cmpint (adw_message_dialog_get_response_appearance (dialog, "reset"), ==,
                   ADW_RESPONSE_DESTRUCTIVE);
  g_assert_cmpint (adw_message_dialog_get_response_appearance (dialog, "link"), ==,
                   ADW_RESPONSE_SUGGESTED);
  sotto_ui_settle (GTK_WIDGET (dialog));
  g_free (sotto_ui_screenshot (GTK_WIDGET (dialog), "not-linked-dialog"));
  /* As its button does: the response, then the dialog closes. */
  adw_message_dialog_response (dialog, "cancel");
  gtk_window_close (GTK_WINDOW (dialog));
  g_assert_true (sotto_ui_wait_until (login_failed, fixture, 30));
  g_assert_nonnull (strstr (sotto_login_view_get_error (login), "not linked to bob’s account"));
  g_assert_null (sotto_window_get_client (fixture->window));
  g_assert_cmpint (sotto_client_get_state (fixture->bob), ==, SOTTO_CLIENT_ONLINE);
  screenshot (fixture, "not-linked-form");

  sotto_login_view_submit (login);
  g_assert_true (sotto_ui_wait_until (not_linked_shown, NULL, 30));
  dialog = find_dialog ("This Computer Is Not Linked");
  adw_message_dialog_response (dialog, "reset");
  gtk_window_close (GTK_WINDOW (dialog));
  g_assert_true (sotto_ui_wait_until (logged_in, fixture, 30));
  g_assert_cmpstr (sotto_client_get_user (sotto_window_get_client (fixture->window)), ==, "bob");
  g_assert_true (sotto_ui_wait_until (client_offline, fixture->bob, 30));
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

  g_test_add ("/sotto/ui/register", Fixture, NULL, fixture_setup, test_register,
              fixture_teardown);
  g_test_add ("/sotto/ui/conversation", Fixture, NULL, fixture_setup, test_conversation,
              fixture_teardown);
  g_test_add ("/sotto/ui/scrolling", Fixture, NULL, fixture_setup, test_scrolling,
              fixture_teardown);
  g_test_add ("/sotto/ui/wrong-password", Fixture, NULL, fixture_setup, test_wrong_password,
              fixture_teardown);
  g_test_add ("/sotto/ui/notifications", Fixture, NULL, fixture_setup, test_notifications,
              fixture_teardown);
  g_test_add ("/sotto/ui/rooms-and-safety", Fixture, NULL, fixture_setup, test_rooms_and_safety,
              fixture_teardown);
  g_test_add ("/sotto/ui/not-linked", Fixture, NULL, fixture_setup, test_not_linked,
              fixture_teardown);
  g_test_add ("/sotto/ui/identity-review", Fixture, NULL, fixture_setup, test_identity_review,
              fixture_teardown);
  g_test_add ("/sotto/ui/key-changed", Fixture, NULL, fixture_setup, test_key_changed,
              fixture_teardown);
  g_test_add ("/sotto/ui/reconnect", Fixture, NULL, fixture_setup, test_reconnect,
              fixture_teardown);

  status = g_test_run ();
  g_clear_object (&the_app);
  return status;
}
