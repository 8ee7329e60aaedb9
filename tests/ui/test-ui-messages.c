/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sodium.h>
#include <string.h>

#include "sotto-application.h"
#include "sotto-message-row.h"
#include "sotto-recent-reactions.h"
#include "sotto-room-view.h"
#include "sotto-test-server.h"
#include "sotto-test-users.h"
#include "sotto-test-util.h"
#include "sotto-ui-test.h"
#include "sotto-window.h"

/*
 * Replies, edits, deletions and reactions in the app, against a real
 * sotto-server, with bob as a client core in this process: the message
 * menu (from a right click, a long press, or the bar shown on hover; More
 * Reactions' chooser), the bar over the composer, Up to edit and Escape to
 * stop, the delete dialog, the quote that goes to its message, and what
 * bob sees of each. Screenshots in the light and the dark style.
 */

#define PASSWORD "correct horse battery"

static SottoApplication *the_app;

typedef struct
{
  SottoUiSetup      ui;
  SottoClient      *bob;
  SottoRoom        *bob_room;
  SottoRoom        *shown;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  sotto_ui_setup_start (&fixture->ui, the_app, 1000, 700);

  sotto_ui_register (GTK_WINDOW (fixture->ui.window), fixture->ui.address, "alice", PASSWORD);
  fixture->bob = sotto_test_user_new (fixture->ui.dir, fixture->ui.address, "bob", PASSWORD);
  fixture->bob_room = sotto_test_user_join (fixture->bob, "general");
  sotto_test_user_wait_members (fixture->bob_room, 2);
  fixture->shown = sotto_window_get_room (fixture->ui.window);
  g_assert_cmpstr (sotto_room_get_name (fixture->shown), ==, "general");
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  sotto_client_close (fixture->bob);
  g_clear_object (&fixture->bob);
  sotto_ui_setup_finish (&fixture->ui);
}

static SottoMessageRow *
row_of (Fixture      *fixture,
        SottoMessage *message)
{
  SottoMessageRow *row;

  sotto_ui_settle (GTK_WIDGET (fixture->ui.window));
  row = sotto_ui_find_message_row (GTK_WIDGET (fixture->ui.window), message);
  g_assert_nonnull (row);
  return row;
}

/* Whether @message's row is inside the visible part of the list. */
static gboolean
on_screen (Fixture      *fixture,
           SottoMessage *message)
{
  SottoMessageRow *row = sotto_ui_find_message_row (GTK_WIDGET (fixture->ui.window), message);
  GtkWidget *list = sotto_ui_find_widget (GTK_WIDGET (sotto_window_get_room_view (fixture->ui.window)),
                                          GTK_TYPE_LIST_VIEW);
  graphene_rect_t bounds;

  if (row == NULL || !gtk_widget_get_mapped (GTK_WIDGET (row)) ||
      !gtk_widget_compute_bounds (GTK_WIDGET (row), list, &bounds))
    return FALSE;
  return bounds.origin.y + bounds.size.height > 0 &&
         bounds.origin.y < gtk_widget_get_height (list);
}

static void
type_and_send (Fixture    *fixture,
               const char *text)
{
  SottoRoomView *view = sotto_window_get_room_view (fixture->ui.window);

  sotto_room_view_set_draft (view, text);
  sotto_room_view_send (view);
}

typedef struct
{
  SottoMessage *message;
  const char   *text;
  gboolean      edited;
  SottoMessageDeletion deletion;
  guint         reactions;
} Expect;

static gboolean
as_expected (gpointer data)
{
  Expect *expect = data;
  g_auto(GStrv) reactions = sotto_message_dup_reactions (expect->message);

  return g_strcmp0 (sotto_message_get_text (expect->message), expect->text) == 0 &&
         sotto_message_is_edited (expect->message) == expect->edited &&
         sotto_message_get_deletion (expect->message) == expect->deletion &&
         g_strv_length (reactions) == expect->reactions;
}

static void
wait_expected (Expect *expect)
{
  g_assert_true (sotto_ui_wait_until (as_expected, expect, 30));
}

static void
count_action_cb (SottoMessageRow *row,
                 SottoMessage    *message,
                 const char      *action,
                 const char      *param,
                 gpointer         user_data)
{
  (*(guint *) user_data)++;
}

static gboolean
alice_cake_gone (gpointer data)
{
  return !sotto_message_has_reaction_from (data, "alice", "🎂");
}

/* Reply and react from the message menu; bob sees both. */
static void
test_reply_react (Fixture       *fixture,
                  gconstpointer  data)
{
  SottoMessage *asked = sotto_test_user_say (fixture->bob, fixture->bob_room,
                                             "Who brings the cake on Friday?");
  SottoMessage *shown;
  SottoMessage *reply;
  SottoMessageRow *row;
  GtkLabel *bar_title;
  Expect on_bob = { 0 };

  sotto_test_user_wait_sent (asked);
  shown = sotto_test_user_wait_for_text (fixture->shown, "bob", "Who brings the cake on Friday?");
  row = row_of (fixture, shown);

  /* The menu, from a right click. */
  sotto_message_row_open_menu (row, 200, 20);
  sotto_ui_settle (GTK_WIDGET (fixture->ui.window));
  {
    GtkWidget *menu = sotto_ui_find_widget (GTK_WIDGET (row), GTK_TYPE_POPOVER_MENU);

    g_assert_nonnull (menu);
    g_assert_true (gtk_widget_get_visible (menu));
    g_assert_nonnull (sotto_ui_find_label (menu, "Reply"));
    g_assert_nonnull (sotto_ui_find_label (menu, "Delete for Everyone"));
    g_free (sotto_ui_screenshot (menu, "message-menu"));
    gtk_popover_popdown (GTK_POPOVER (menu));
    /* bob's message: alice may not edit or delete it (not a moderator):
     * the actions do nothing. */
    {
      guint asked = 0;
      gulong id = g_signal_connect (row, "message-action", G_CALLBACK (count_action_cb), &asked);

      gtk_widget_activate_action (GTK_WIDGET (row), "message.edit", NULL);
      gtk_widget_activate_action (GTK_WIDGET (row), "message.delete", NULL);
      g_assert_cmpuint (asked, ==, 0);
      gtk_widget_activate_action (GTK_WIDGET (row), "message.copy", NULL);
      g_assert_cmpuint (asked, ==, 1);
      g_signal_handler_disconnect (row, id);
    }
  }

  /* Reply: the bar over the composer says to whom. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (row), "message.reply", NULL));
  sotto_ui_settle (GTK_WIDGET (fixture->ui.window));
  bar_title = sotto_ui_find_label (GTK_WIDGET (fixture->ui.window), "Replying to bob");
  g_assert_nonnull (bar_title);
  sotto_room_view_set_draft (sotto_window_get_room_view (fixture->ui.window),
                             "I bring the cake, chocolate.");
  sotto_ui_settle (GTK_WIDGET (fixture->ui.window));
  g_free (sotto_ui_screenshot (GTK_WIDGET (fixture->ui.window), "message-replying"));
  sotto_room_view_send (sotto_window_get_room_view (fixture->ui.window));
  sotto_ui_settle (GTK_WIDGET (fixture->ui.window));
  g_assert_null (sotto_ui_find_label (GTK_WIDGET (fixture->ui.window), "Replying to bob"));

  reply = sotto_test_user_wait_for_text (fixture->bob_room, "alice",
                                         "I bring the cake, chocolate.");
  g_assert_cmpint (sotto_message_get_kind (reply), ==, SOTTO_MESSAGE_BODY_REPLY);
  g_assert_true (sotto_room_lookup_ref (fixture->bob_room,
                                        &sotto_message_get_action (reply)->target) == asked);

  /* React from the menu; bob reacts too; the pill says two. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (row), "message.react", "s", "🎂"));
  on_bob = (Expect) { asked, "Who brings the cake on Friday?", FALSE, SOTTO_MESSAGE_NOT_DELETED,
                      1 };
  wait_expected (&on_bob);
  g_assert_true (sotto_message_has_reaction_from (asked, "alice", "🎂"));
  g_assert_nonnull (sotto_client_react (fixture->bob, fixture->bob_room, asked, "🎂", TRUE,
                                        NULL));
  g_assert_nonnull (sotto_client_react (fixture->bob, fixture->bob_room, asked, "👍", TRUE,
                                        NULL));
  {
    Expect in_app = { shown, "Who brings the cake on Friday?", FALSE, SOTTO_MESSAGE_NOT_DELETED,
                      2 };

    wait_expected (&in_app);
  }
  row = row_of (fixture, shown);
  g_assert_nonnull (sotto_ui_find_button (GTK_WIDGET (row), "🎂 2"));
  g_assert_nonnull (sotto_ui_find_button (GTK_WIDGET (row), "👍 1"));
  g_free (sotto_ui_screenshot (GTK_WIDGET (fixture->ui.window), "message-reactions"));
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_FORCE_DARK);
  sotto_ui_settle (GTK_WIDGET (fixture->ui.window));
  g_free (sotto_ui_screenshot (GTK_WIDGET (fixture->ui.window), "message-reactions-dark"));

  /* A click on the user's own reaction takes it back. */
  gtk_widget_activate (sotto_ui_find_button (GTK_WIDGET (row), "🎂 2"));
  g_assert_true (sotto_ui_wait_until (alice_cake_gone, asked, 30));
  g_assert_true (sotto_message_has_reaction_from (asked, "bob", "🎂"));
}

/* The first controller of @type on @widget or under it. */
static GtkEventController *
find_controller (GtkWidget *widget,
                 GType      type)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (controller, type))
        return controller;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkEventController *found = find_controller (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
alice_crab_given (gpointer data)
{
  return sotto_message_has_reaction_from (data, "alice", "🦀");
}

/* The other ways to a message's actions: the small bar that shows while
 * the pointer is over a message (its Reply button replies), a long press
 * (the menu), and More Reactions (the emoji chooser), whose pick is sent
 * and comes first among the quick reactions after. */
static void
test_hover_and_press (Fixture       *fixture,
                      gconstpointer  data)
{
  SottoMessage *asked = sotto_test_user_say (fixture->bob, fixture->bob_room,
                                             "Anyone for a swim at the harbour?");
  SottoMessage *shown;
  SottoMessageRow *row;
  GtkEventController *motion;
  GtkEventController *press;
  GtkWidget *reply_button;
  GtkWidget *chooser;

  sotto_test_user_wait_sent (asked);
  shown = sotto_test_user_wait_for_text (fixture->shown, "bob", "Anyone for a swim at the harbour?");
  row = row_of (fixture, shown);

  /* The pointer comes over it: the bar, and its Reply replies. */
  g_assert_null (sotto_ui_find_icon (GTK_WIDGET (row), "mail-reply-sender-symbolic"));
  motion = find_controller (GTK_WIDGET (row), GTK_TYPE_EVENT_CONTROLLER_MOTION);
  g_assert_nonnull (motion);
  g_signal_emit_by_name (motion, "enter", 100.0, 10.0);
  sotto_ui_settle (GTK_WIDGET (fixture->ui.window));
  reply_button = sotto_ui_find_icon (GTK_WIDGET (row), "mail-reply-sender-symbolic");
  g_assert_nonnull (reply_button);
  g_assert_true (gtk_widget_is_visible (reply_button));
  g_free (sotto_ui_screenshot (GTK_WIDGET (fixture->ui.window), "message-hover-bar"));
  g_signal_emit_by_name (gtk_widget_get_ancestor (reply_button, GTK_TYPE_BUTTON), "clicked");
  sotto_ui_settle (GTK_WIDGET (fixture->ui.window));
  g_assert_nonnull (sotto_ui_find_label (GTK_WIDGET (fixture->ui.window), "Replying to bob"));
  /* Escape in the composer ends the reply. */
  sotto_ui_press_key (sotto_ui_find_widget (GTK_WIDGET (sotto_window_get_room_view (
                                              fixture->ui.window)), GTK_TYPE_TEXT_VIEW),
                      GDK_KEY_Escape, 0);
  sotto_ui_settle (GTK_WIDGET (fixture->ui.window));
  g_assert_null (sotto_ui_find_label (GTK_WIDGET (fixture->ui.window), "Replying to bob"));
  g_signal_emit_by_name (motion, "leave");
  sotto_ui_settle (GTK_WIDGET (fixture->ui.window));
  g_assert_false (gtk_widget_is_visible (reply_button));

  /* A long press: the menu. */
  press = find_controller (GTK_WIDGET (row), GTK_TYPE_GESTURE_LONG_PRESS);
  g_assert_nonnull (press);
  g_signal_emit_by_name (press, "pressed", 120.0, 12.0);
  sotto_ui_settle (GTK_WIDGET (fixture->ui.window));
  {
    GtkWidget *menu = sotto_ui_find_widget (GTK_WIDGET (row), GTK_TYPE_POPOVER_MENU);

    g_assert_nonnull (menu);
    g_assert_true (gtk_widget_get_visible (menu));
    gtk_popover_popdown (GTK_POPOVER (menu));
  }

  /* More Reactions: the chooser; its pick is sent, and offered first. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (row), "message.choose-reaction", NULL));
  sotto_ui_settle (GTK_WIDGET (fixture->ui.window));
  chooser = sotto_ui_find_widget (GTK_WIDGET (row), GTK_TYPE_EMOJI_CHOOSER);
  g_assert_nonnull (chooser);
  g_assert_true (gtk_widget_get_visible (chooser));
  /* GTK 4.8's chooser fills its sections from an idle, and leaks what it
   * holds when the test ends before it is done: let it finish. */
  sotto_test_iterate (1500);
  g_free (sotto_ui_screenshot (chooser, "message-emoji-chooser"));
  g_signal_emit_by_name (chooser, "emoji-picked", "🦀");
  gtk_popover_popdown (GTK_POPOVER (chooser));
  g_assert_true (sotto_ui_wait_until (alice_crab_given, asked, 30));
  g_assert_cmpstr (sotto_recent_reactions_get ()[0], ==, "🦀");
}

/* Up edits the last own message, Escape gives the draft back; then an
 * edit goes through, and a deletion after the dialog. */
static void
test_edit_delete (Fixture       *fixture,
                  gconstpointer  data)
{
  SottoRoomView *view = sotto_window_get_room_view (fixture->ui.window);
  SottoMessage *mine;
  SottoMessage *seen;
  g_autofree char *draft = NULL;
  GtkWidget *composer;
  Expect on_bob = { 0 };

  type_and_send (fixture, "Lunch at 12?");
  mine = sotto_ui_find_message (fixture->shown, "Lunch at 12?");
  g_assert_nonnull (mine);
  sotto_test_user_wait_sent (mine);
  seen = sotto_test_user_wait_for_text (fixture->bob_room, "alice", "Lunch at 12?");

  /* Up in an empty composer: editing; Escape: back, the composer empty. */
  composer = sotto_ui_find_widget (GTK_WIDGET (view), GTK_TYPE_TEXT_VIEW);
  sotto_room_view_focus_composer (view);
  sotto_ui_press_key (composer, GDK_KEY_Up, 0);
  sotto_ui_settle (GTK_WIDGET (fixture->ui.window));
  g_assert_nonnull (sotto_ui_find_label (GTK_WIDGET (fixture->ui.window), "Editing Your Message"));
  draft = sotto_room_view_dup_draft (view);
  g_assert_cmpstr (draft, ==, "Lunch at 12?");
  g_free (sotto_ui_screenshot (GTK_WIDGET (fixture->ui.window), "message-editing"));
  sotto_ui_press_key (composer, GDK_KEY_Escape, 0);
  sotto_ui_settle (GTK_WIDGET (fixture->ui.window));
  g_assert_null (sotto_ui_find_label (GTK_WIDGET (fixture->ui.window), "Editing Your Message"));
  g_clear_pointer (&draft, g_free);
  draft = sotto_room_view_dup_draft (view);
  g_assert_cmpstr (draft, ==, "");

  /* The edit, from the menu. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (row_of (fixture, mine)), "message.edit",
                                             NULL));
  type_and_send (fixture, "Lunch at 1?");
  on_bob = (Expect) { seen, "Lunch at 1?", TRUE, SOTTO_MESSAGE_NOT_DELETED, 0 };
  wait_expected (&on_bob);
  sotto_ui_settle (GTK_WIDGET (fixture->ui.window));
  g_assert_nonnull (sotto_ui_find_label (GTK_WIDGET (row_of (fixture, mine)), "(edited)"));
  /* The sidebar says what it says now. */
  g_assert_nonnull (sotto_ui_find_label (GTK_WIDGET (fixture->ui.window), "You: Lunch at 1?"));
  g_free (sotto_ui_screenshot (GTK_WIDGET (fixture->ui.window), "message-edited"));

  /* Delete: asked first. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (row_of (fixture, mine)),
                                             "message.delete", NULL));
  sotto_ui_settle (GTK_WIDGET (fixture->ui.window));
  sotto_ui_click_response (sotto_ui_find_dialog ("Delete for Everyone?"), "_Delete");
  on_bob = (Expect) { seen, "", FALSE, SOTTO_MESSAGE_DELETED_BY_SENDER, 0 };
  wait_expected (&on_bob);
  sotto_ui_settle (GTK_WIDGET (fixture->ui.window));
  g_assert_nonnull (sotto_ui_find_label (GTK_WIDGET (row_of (fixture, mine)), "This message was deleted"));
  g_assert_nonnull (sotto_ui_find_label (GTK_WIDGET (fixture->ui.window), "A message was deleted"));
  g_free (sotto_ui_screenshot (GTK_WIDGET (fixture->ui.window), "message-deleted"));
}

/* The quote of a reply to a message far up goes there, loading what is
 * older. */
static void
test_jump (Fixture       *fixture,
           gconstpointer  data)
{
  SottoMessage *first = sotto_test_user_say (fixture->bob, fixture->bob_room,
                                             "The very first thing said");
  SottoMessage *last = NULL;
  SottoMessage *reply;
  SottoMessage *shown_first;
  SottoRoomView *view = sotto_window_get_room_view (fixture->ui.window);

  sotto_test_user_wait_sent (first);
  for (guint i = 0; i < 120; i++)
    {
      g_autofree char *text = g_strdup_printf ("and then %u", i);

      last = sotto_test_user_say (fixture->bob, fixture->bob_room, text);
    }
  sotto_test_user_wait_sent (last);
  reply = sotto_client_reply (fixture->bob, fixture->bob_room, first, "About that first thing",
                              NULL);
  g_assert_nonnull (reply);
  sotto_test_user_wait_sent (reply);
  reply = sotto_test_user_wait_for_text (fixture->shown, "bob", "About that first thing");
  shown_first = sotto_ui_find_message (fixture->shown, "The very first thing said");
  g_assert_nonnull (shown_first);
  sotto_room_view_scroll_to_bottom (view);
  sotto_ui_settle (GTK_WIDGET (fixture->ui.window));
  g_assert_false (on_screen (fixture, shown_first));
  g_assert_nonnull (sotto_ui_find_label (GTK_WIDGET (row_of (fixture, reply)), "The very first thing said"));

  g_assert_true (sotto_room_view_jump_to_replied (view, reply));
  sotto_ui_settle (GTK_WIDGET (fixture->ui.window));
  sotto_test_iterate (200);
  sotto_ui_settle (GTK_WIDGET (fixture->ui.window));
  g_assert_true (on_screen (fixture, shown_first));
  g_assert_false (on_screen (fixture, reply));
  g_assert_false (sotto_room_view_get_at_bottom (view));
  g_free (sotto_ui_screenshot (GTK_WIDGET (fixture->ui.window), "message-jumped"));
}

static gboolean
unread_at_least_two (gpointer data)
{
  return sotto_room_get_unread (data) >= 2;
}

/* What came while the user was in another room: counted, and under a
 * "New Messages" line when the room is opened again. */
static void
test_new_messages (Fixture       *fixture,
                   gconstpointer  data)
{
  SottoClient *client = sotto_window_get_client (fixture->ui.window);
  SottoMessage *seen = sotto_test_user_say (fixture->bob, fixture->bob_room, "Seen before");
  SottoMessage *later;
  SottoMessage *shown_later;
  SottoMessage *shown_seen;

  sotto_test_user_wait_sent (seen);
  shown_seen = sotto_test_user_wait_for_text (fixture->shown, "bob", "Seen before");
  sotto_ui_settle (GTK_WIDGET (fixture->ui.window));
  /* The test's window is never the active one, where the room would be
   * read as it shows: read up to here, as the user would have. */
  sotto_room_set_read_seq (fixture->shown, sotto_message_get_seq (shown_seen));

  /* alice looks at another room; bob says two things in general. */
  sotto_test_user_join (client, "lobby");
  g_assert_true (sotto_window_open_room (fixture->ui.window, "lobby"));
  sotto_ui_settle (GTK_WIDGET (fixture->ui.window));
  later = sotto_test_user_say (fixture->bob, fixture->bob_room, "Said while you were away");
  sotto_test_user_say (fixture->bob, fixture->bob_room, "And this too");
  g_assert_true (sotto_ui_wait_until (unread_at_least_two, fixture->shown, 30));
  shown_later = sotto_test_user_wait_for_text (fixture->shown, "bob", "Said while you were away");
  g_assert_nonnull (later);

  /* Back in general: the line is over the first of the two, read now. */
  g_assert_true (sotto_window_open_room (fixture->ui.window, "general"));
  sotto_ui_settle (GTK_WIDGET (fixture->ui.window));
  g_assert_nonnull (sotto_ui_find_label (GTK_WIDGET (row_of (fixture, shown_later)), "New Messages"));
  g_assert_null (sotto_ui_find_label (GTK_WIDGET (row_of (fixture, shown_seen)), "New Messages"));
  g_free (sotto_ui_screenshot (GTK_WIDGET (fixture->ui.window), "message-new-line"));
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

#define ADD(path, func) \
  g_test_add ("/sotto/ui/messages/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("reply-react", test_reply_react);
  ADD ("edit-delete", test_edit_delete);
  ADD ("jump", test_jump);
  ADD ("new-messages", test_new_messages);
  ADD ("hover-and-press", test_hover_and_press);
#undef ADD

  status = g_test_run ();
  g_clear_object (&the_app);
  return status;
}
