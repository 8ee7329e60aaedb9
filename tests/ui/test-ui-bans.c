/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sodium.h>
#include <string.h>

#include "sotto-application.h"
#include "sotto-bans-dialog.h"
#include "sotto-member-row.h"
#include "sotto-test-server.h"
#include "sotto-test-users.h"
#include "sotto-test-util.h"
#include "sotto-ui-test.h"
#include "sotto-window.h"

/*
 * Removing people from a room in the app, as its creator does it, against
 * a real sotto-server: the member's menu, the question before, the list
 * of the people removed with a way to let them back in; and what the one
 * removed sees. Screenshots in the light and the dark style.
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
  SottoClient      *bob;
  SottoClient      *carol;
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
  while ((dialog = sotto_ui_find_window (ADW_TYPE_MESSAGE_DIALOG)) != NULL)
    gtk_window_destroy (dialog);
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  if (fixture->bob != NULL)
    sotto_client_close (fixture->bob);
  if (fixture->carol != NULL)
    sotto_client_close (fixture->carol);
  g_clear_object (&fixture->bob);
  g_clear_object (&fixture->carol);
  sotto_test_iterate (50);
  g_clear_object (&fixture->app);

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

/* Alice, through the form, on a server seen for the first time. */
static SottoClient *
register_alice (Fixture *fixture)
{
  SottoLoginView *login = sotto_window_get_login_view (fixture->window);

  sotto_login_view_set_creating (login, TRUE);
  sotto_login_view_fill (login, fixture->address, "alice", PASSWORD);
  sotto_login_view_submit (login);
  g_assert_true (sotto_ui_wait_until (trust_dialog_shown, NULL, 30));
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (sotto_ui_find_window (ADW_TYPE_MESSAGE_DIALOG)),
                               "trust");
  g_assert_true (sotto_ui_wait_until (logged_in, fixture, 30));
  g_free (sotto_ui_dismiss_recovery_key ());

  return sotto_window_get_client (fixture->window);
}

static void
screenshot (GtkWidget  *widget,
            const char *name)
{
  g_autofree char *dark = g_strconcat (name, "-dark", NULL);

  sotto_ui_settle (widget);
  g_free (sotto_ui_screenshot (widget, name));
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_FORCE_DARK);
  sotto_ui_settle (widget);
  g_free (sotto_ui_screenshot (widget, dark));
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_DEFAULT);
}

/* What a condition waits for: @object and a name, as each one needs. */
typedef struct
{
  gpointer    object;
  const char *name;
} Expected;

static gboolean
is_member (gpointer data)
{
  Expected *expected = data;

  return sotto_room_lookup_member (expected->object, expected->name) != NULL;
}

static gboolean
is_not_member (gpointer data)
{
  return !is_member (data);
}

static gboolean
has_owner (gpointer data)
{
  return sotto_room_get_owner (data) != NULL;
}

/* The member row of @user in the members panel under @root. */
static SottoMemberRow *
find_member_row (GtkWidget  *root,
                 const char *user)
{
  if (SOTTO_IS_MEMBER_ROW (root))
    {
      SottoMember *member = sotto_member_row_get_member (SOTTO_MEMBER_ROW (root));

      return member != NULL && g_strcmp0 (sotto_member_get_user (member), user) == 0
             ? SOTTO_MEMBER_ROW (root) : NULL;
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

/* A label showing @text under @root, such as a toast's. */
static GtkWidget *
find_label (GtkWidget  *root,
            const char *text)
{
  if (GTK_IS_LABEL (root) && gtk_widget_get_visible (root) &&
      g_strcmp0 (gtk_label_get_text (GTK_LABEL (root)), text) == 0)
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_label (child, text);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
label_shown (gpointer data)
{
  Expected *expected = data;

  return find_label (expected->object, expected->name) != NULL;
}

static gboolean
room_gone (gpointer data)
{
  Expected *expected = data;

  return sotto_client_lookup_room (expected->object, expected->name) == NULL;
}

/* The header's menu of the room shown, opened as a click opens it, and
 * its labels, "_Leave" among them. */
static GtkMenuButton *
open_room_menu (SottoRoomView *view)
{
  GtkWidget *header = sotto_ui_find_widget (GTK_WIDGET (view), ADW_TYPE_HEADER_BAR);
  GtkWidget *found = sotto_ui_find_widget (header, GTK_TYPE_MENU_BUTTON);

  g_assert_nonnull (found);
  g_assert_cmpstr (gtk_widget_get_tooltip_text (found), ==, "Room Menu");
  gtk_menu_button_popup (GTK_MENU_BUTTON (found));
  return GTK_MENU_BUTTON (found);
}

static gboolean
bans_loaded (gpointer data)
{
  return sotto_bans_dialog_get_loaded (data);
}

static gboolean
bans_empty (gpointer data)
{
  g_auto(GStrv) users = sotto_bans_dialog_dup_users (data);

  return g_strv_length (users) == 0;
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
is_moderator (gpointer data)
{
  Expected *expected = data;
  SottoMember *member = sotto_room_lookup_member (expected->object, expected->name);

  return member != NULL && sotto_member_get_role (member) == SOTTO_MEMBER_ROLE_MODERATOR;
}

static gboolean
bob_is_moderator (gpointer data)
{
  return sotto_client_may_moderate (data, "team");
}

/* Alice created #team: Bob's row offers to remove him, the question comes
 * first, and then he is out, his join refused; the room's menu lists him
 * with a way to let him back in, and then he can join again. */
static void
test_remove_and_let_back (Fixture       *fixture,
                          gconstpointer  data)
{
  SottoRoomView *view = sotto_window_get_room_view (fixture->window);
  SottoClient *alice;
  SottoRoom *team;
  SottoMemberRow *bob_row, *own_row;
  GtkMenuButton *menu, *room_menu;
  AdwMessageDialog *question;
  SottoBansDialog *bans;
  g_auto(GStrv) users = NULL;
  g_autoptr(GError) error = NULL;
  Expected expected;

  alice = register_alice (fixture);
  fixture->bob = sotto_test_user_new (fixture->dir, fixture->address, "bob", PASSWORD);
  fixture->carol = sotto_test_user_new (fixture->dir, fixture->address, "carol", PASSWORD);
  team = sotto_test_user_join (alice, "team");
  sotto_test_user_join (fixture->bob, "team");
  sotto_test_user_join (fixture->carol, "team");
  g_assert_true (sotto_window_open_room (fixture->window, "team"));
  g_assert_true (sotto_ui_wait_until (has_owner, team, 30));
  expected = (Expected) { team, "carol" };
  g_assert_true (sotto_ui_wait_until (is_member, &expected, 30));
  g_assert_nonnull (sotto_client_send_message (alice, team, "Welcome to the team", &error));
  g_assert_no_error (error);

  /* The members panel: a menu on the others' rows, none on her own. */
  if (!sotto_room_view_get_members_shown (view))
    gtk_widget_activate_action (GTK_WIDGET (view), "room.toggle-members", NULL);
  sotto_ui_settle (GTK_WIDGET (fixture->window));
  bob_row = find_member_row (GTK_WIDGET (view), "bob");
  own_row = find_member_row (GTK_WIDGET (view), "alice");
  g_assert_nonnull (bob_row);
  g_assert_nonnull (own_row);
  g_assert_true (sotto_member_row_get_removable (bob_row));
  g_assert_false (sotto_member_row_get_removable (own_row));
  screenshot (GTK_WIDGET (fixture->window), "members-owner");

  /* The menu, as a click on it opens it. */
  menu = GTK_MENU_BUTTON (sotto_ui_find_widget (GTK_WIDGET (bob_row), GTK_TYPE_MENU_BUTTON));
  gtk_menu_button_popup (menu);
  g_assert_nonnull (find_label (GTK_WIDGET (gtk_menu_button_get_popover (menu)),
                                "Make Moderator"));
  g_assert_null (find_label (GTK_WIDGET (gtk_menu_button_get_popover (menu)), "Make Member"));
  screenshot (GTK_WIDGET (gtk_menu_button_get_popover (menu)), "member-menu");
  gtk_menu_button_popdown (menu);

  /* Make Moderator: the room's signed state gives Bob the role, which
   * his row then says, and the menu offers to take it back. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (bob_row), "row.make-moderator", NULL));
  expected = (Expected) { team, "bob" };
  g_assert_true (sotto_ui_wait_until (is_moderator, &expected, 30));
  sotto_ui_settle (GTK_WIDGET (fixture->window));
  bob_row = find_member_row (GTK_WIDGET (view), "bob");
  g_assert_nonnull (find_label (GTK_WIDGET (bob_row), "Online · moderator"));
  g_assert_true (sotto_ui_wait_until (bob_is_moderator, fixture->bob, 30));
  menu = GTK_MENU_BUTTON (sotto_ui_find_widget (GTK_WIDGET (bob_row), GTK_TYPE_MENU_BUTTON));
  gtk_menu_button_popup (menu);
  g_assert_nonnull (find_label (GTK_WIDGET (gtk_menu_button_get_popover (menu)), "Make Member"));
  g_assert_null (find_label (GTK_WIDGET (gtk_menu_button_get_popover (menu)),
                             "Make Moderator"));
  screenshot (GTK_WIDGET (fixture->window), "members-moderator");
  gtk_menu_button_popdown (menu);

  /* Remove from Room…: asked first; Cancel does nothing. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (bob_row), "row.remove", NULL));
  question = find_dialog ("Remove bob from #team?");
  g_assert_nonnull (question);
  g_assert_cmpstr (adw_message_dialog_get_body (question), ==,
                   "They will not be able to join again until you let them back in.");
  g_assert_true (adw_message_dialog_has_response (question, "cancel"));
  g_assert_cmpint (adw_message_dialog_get_response_appearance (question, "remove"), ==,
                   ADW_RESPONSE_DESTRUCTIVE);
  g_assert_cmpstr (adw_message_dialog_get_response_label (question, "remove"), ==, "_Remove");
  screenshot (GTK_WIDGET (question), "remove-question");
  adw_message_dialog_response (question, "cancel");
  gtk_window_destroy (GTK_WINDOW (question));
  sotto_test_iterate (200);
  g_assert_nonnull (sotto_room_lookup_member (team, "bob"));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "room.remove-member", "s", "bob"));
  question = find_dialog ("Remove bob from #team?");
  g_assert_nonnull (question);
  adw_message_dialog_response (question, "remove");
  expected = (Expected) { team, "bob" };
  g_assert_true (sotto_ui_wait_until (is_not_member, &expected, 30));
  expected = (Expected) { fixture->bob, "team" };
  g_assert_true (sotto_ui_wait_until (room_gone, &expected, 30));
  g_assert_null (sotto_test_user_try_join (fixture->bob, "team", &error));
  g_assert_true (sotto_client_error_is_server (error, SOTTO_MSG_ERROR_CODE_BANNED));
  g_clear_error (&error);
  screenshot (GTK_WIDGET (fixture->window), "member-removed");

  /* Removed People…, in the room's menu: bob, by alice, with a way back in. */
  room_menu = open_room_menu (view);
  g_assert_nonnull (find_label (GTK_WIDGET (gtk_menu_button_get_popover (room_menu)),
                                "Removed People…"));
  screenshot (GTK_WIDGET (gtk_menu_button_get_popover (room_menu)), "room-menu-owner");
  gtk_menu_button_popdown (room_menu);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "room.show-removed", NULL));
  bans = SOTTO_BANS_DIALOG (sotto_ui_find_window (SOTTO_TYPE_BANS_DIALOG));
  g_assert_nonnull (bans);
  g_assert_true (sotto_ui_wait_until (bans_loaded, bans, 30));
  users = sotto_bans_dialog_dup_users (bans);
  g_assert_cmpuint (g_strv_length (users), ==, 1);
  g_assert_cmpstr (users[0], ==, "bob");
  g_assert_cmpstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (bans)), ==,
                   "They cannot join #team again until you let them back in.");
  g_assert_nonnull (sotto_ui_find_button (GTK_WIDGET (bans), "_Let Back In"));
  screenshot (GTK_WIDGET (bans), "removed-people");

  g_assert_true (sotto_bans_dialog_let_back_in (bans, "bob"));
  g_assert_true (sotto_ui_wait_until (bans_empty, bans, 30));
  g_assert_cmpstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (bans)), ==,
                   "Nobody has been removed from #team.");
  screenshot (GTK_WIDGET (bans), "removed-people-empty");
  gtk_window_close (GTK_WINDOW (bans));

  sotto_test_user_join (fixture->bob, "team");
  expected = (Expected) { team, "bob" };
  g_assert_true (sotto_ui_wait_until (is_member, &expected, 30));
}

/* In Bob's room, Alice may remove nobody: no menu, no list. When Bob
 * removes her while she looks at it, the room goes and a toast says so. */
static void
test_removed_from_room (Fixture       *fixture,
                        gconstpointer  data)
{
  SottoRoomView *view = sotto_window_get_room_view (fixture->window);
  const char *toast = "You were removed from #club";
  SottoClient *alice;
  SottoRoom *club, *shown;
  SottoMemberRow *bob_row;
  GtkMenuButton *room_menu;
  Expected expected;

  alice = register_alice (fixture);
  fixture->bob = sotto_test_user_new (fixture->dir, fixture->address, "bob", PASSWORD);
  sotto_test_user_join (fixture->bob, "club");
  club = sotto_test_user_join (alice, "club");
  g_assert_true (sotto_window_open_room (fixture->window, "club"));
  g_assert_true (sotto_ui_wait_until (has_owner, club, 30));
  g_assert_cmpstr (sotto_room_get_owner (club), ==, "bob");

  if (!sotto_room_view_get_members_shown (view))
    gtk_widget_activate_action (GTK_WIDGET (view), "room.toggle-members", NULL);
  sotto_ui_settle (GTK_WIDGET (fixture->window));
  bob_row = find_member_row (GTK_WIDGET (view), "bob");
  g_assert_nonnull (bob_row);
  g_assert_false (sotto_member_row_get_removable (bob_row));
  /* The menu offers only a message: the other actions are off, and
   * nothing opens (each would open at once). */
  gtk_widget_activate_action (GTK_WIDGET (bob_row), "row.remove", NULL);
  g_assert_null (find_dialog ("Remove bob from #club?"));
  gtk_widget_activate_action (GTK_WIDGET (view), "room.show-removed", NULL);
  g_assert_null (sotto_ui_find_window (SOTTO_TYPE_BANS_DIALOG));
  screenshot (GTK_WIDGET (fixture->window), "members-not-owner");
  room_menu = open_room_menu (view);
  g_assert_null (find_label (GTK_WIDGET (gtk_menu_button_get_popover (room_menu)),
                             "Removed People…"));
  g_assert_nonnull (find_label (GTK_WIDGET (gtk_menu_button_get_popover (room_menu)), "Leave"));
  gtk_menu_button_popdown (room_menu);

  sotto_test_user_kick (fixture->bob, "club", "alice");
  expected = (Expected) { alice, "club" };
  g_assert_true (sotto_ui_wait_until (room_gone, &expected, 30));
  shown = sotto_window_get_room (fixture->window);
  g_assert_true (shown == NULL || g_strcmp0 (sotto_room_get_name (shown), "club") != 0);
  expected = (Expected) { fixture->window, toast };
  g_assert_true (sotto_ui_wait_until (label_shown, &expected, 10));
  screenshot (GTK_WIDGET (fixture->window), "removed-toast");
}

static gboolean
is_invite_only (gpointer data)
{
  return sotto_room_get_invite_only (data);
}

static gboolean
is_gone (gpointer data)
{
  Expected *expected = data;

  return sotto_room_lookup_member (expected->object, expected->name) == NULL;
}

static gboolean
is_confirmed (gpointer data)
{
  Expected *expected = data;
  SottoMember *member = sotto_room_lookup_member (expected->object, expected->name);

  return member != NULL && sotto_member_get_standing (member) == SOTTO_MEMBER_STANDING_CONFIRMED;
}

/* Alice made #club: its menu makes it invite-only, then offers to invite
 * someone, whom the room then takes in; someone uninvited who joins is
 * turned back. */
static void
test_invite_only (Fixture       *fixture,
                  gconstpointer  data)
{
  SottoRoomView *view = sotto_window_get_room_view (fixture->window);
  SottoClient *alice;
  SottoRoom *club;
  g_autoptr(GError) error = NULL;
  GtkMenuButton *room_menu;
  AdwMessageDialog *question;
  GtkEditable *entry;
  Expected expected;

  alice = register_alice (fixture);
  fixture->bob = sotto_test_user_new (fixture->dir, fixture->address, "bob", PASSWORD);
  fixture->carol = sotto_test_user_new (fixture->dir, fixture->address, "carol", PASSWORD);
  club = sotto_test_user_join (alice, "club");
  g_assert_true (sotto_window_open_room (fixture->window, "club"));
  g_assert_true (sotto_ui_wait_until (has_owner, club, 30));

  room_menu = open_room_menu (view);
  g_assert_nonnull (find_label (GTK_WIDGET (gtk_menu_button_get_popover (room_menu)),
                                "Make Invite-Only"));
  g_assert_null (find_label (GTK_WIDGET (gtk_menu_button_get_popover (room_menu)),
                             "Invite Someone…"));
  gtk_menu_button_popdown (room_menu);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "room.close", NULL));
  g_assert_true (sotto_ui_wait_until (is_invite_only, club, 30));
  sotto_ui_settle (GTK_WIDGET (fixture->window));
  room_menu = open_room_menu (view);
  g_assert_nonnull (find_label (GTK_WIDGET (gtk_menu_button_get_popover (room_menu)),
                                "Invite Someone…"));
  g_assert_nonnull (find_label (GTK_WIDGET (gtk_menu_button_get_popover (room_menu)),
                                "Open to Everyone"));
  screenshot (GTK_WIDGET (gtk_menu_button_get_popover (room_menu)), "room-menu-invite-only");
  gtk_menu_button_popdown (room_menu);

  /* Invite Someone…: a name, then Invite. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "room.invite", NULL));
  question = find_dialog ("Invite Someone to #club");
  g_assert_nonnull (question);
  g_assert_false (adw_message_dialog_get_response_enabled (question, "invite"));
  entry = GTK_EDITABLE (adw_message_dialog_get_extra_child (question));
  gtk_editable_set_text (entry, "bob");
  g_assert_true (adw_message_dialog_get_response_enabled (question, "invite"));
  screenshot (GTK_WIDGET (question), "invite-question");
  adw_message_dialog_response (question, "invite");
  gtk_window_destroy (GTK_WINDOW (question));
  sotto_test_iterate (300);

  sotto_test_user_join (fixture->bob, "club");
  expected = (Expected) { club, "bob" };
  g_assert_true (sotto_ui_wait_until (is_confirmed, &expected, 30));

  /* Carol, whom nobody invited, is turned back with why. */
  g_assert_null (sotto_test_user_try_join (fixture->carol, "club", &error));
  g_assert_cmpstr (error->message, ==,
                   "#club is invite-only: ask one of its moderators to invite you");
  expected = (Expected) { club, "carol" };
  g_assert_true (sotto_ui_wait_until (is_gone, &expected, 30));
  /* The room says so, without blaming the server. */
  g_assert_true (sotto_room_has_system_text (
                   club, "carol joined, but this room is invite-only and nobody invited them. "
                         "Sotto does not take them in: nothing written here reaches carol."));

  if (!sotto_room_view_get_members_shown (view))
    gtk_widget_activate_action (GTK_WIDGET (view), "room.toggle-members", NULL);
  sotto_ui_settle (GTK_WIDGET (fixture->window));
  g_assert_null (find_member_row (GTK_WIDGET (view), "carol"));
  g_assert_null (find_label (GTK_WIDGET (find_member_row (GTK_WIDGET (view), "bob")),
                             "Kept out by the room · gets nothing"));
  screenshot (GTK_WIDGET (fixture->window), "members-invite-only");
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

  g_test_add ("/sotto/ui/bans/remove-and-let-back", Fixture, NULL, fixture_setup,
              test_remove_and_let_back, fixture_teardown);
  g_test_add ("/sotto/ui/bans/removed-from-room", Fixture, NULL, fixture_setup,
              test_removed_from_room, fixture_teardown);

  g_test_add ("/sotto/ui/bans/invite-only", Fixture, NULL, fixture_setup, test_invite_only,
              fixture_teardown);

  status = g_test_run ();
  g_clear_object (&the_app);
  return status;
}
