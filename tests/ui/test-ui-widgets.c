/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sotto-application.h"
#include "sotto-bans-dialog.h"
#include "sotto-devices-page.h"
#include "sotto-join-dialog.h"
#include "sotto-link-dialog.h"
#include "sotto-login-view.h"
#include "sotto-member-row.h"
#include "sotto-message-row.h"
#include "sotto-preferences-window.h"
#include "sotto-recovery-key-dialog.h"
#include "sotto-room-row.h"
#include "sotto-recent-reactions.h"
#include "sotto-room-view.h"
#include "sotto-safety-dialog.h"
#include "sotto-server-dialogs.h"
#include "sotto-test-server.h"
#include "sotto-test-util.h"
#include "sotto-timeline.h"
#include "sotto-ui-test.h"
#include "sotto-window.h"

/*
 * Every template and dialog of the app, built from its .ui file and shown
 * in a real window: a broken template fails here, not in a user's hands.
 */

static SottoApplication *the_app;

static GtkWindow *
show_in_window (GtkWidget *child)
{
  GtkWindow *window = GTK_WINDOW (adw_window_new ());

  adw_window_set_content (ADW_WINDOW (window), child);
  gtk_window_set_default_size (window, 480, 360);
  gtk_window_present (window);
  sotto_ui_settle (GTK_WIDGET (window));
  return window;
}

static void
test_login_view (void)
{
  SottoLoginView *view = g_object_new (SOTTO_TYPE_LOGIN_VIEW, NULL);
  GtkWindow *window = show_in_window (GTK_WIDGET (view));

  g_assert_false (sotto_login_view_get_creating (view));
  g_assert_false (sotto_login_view_get_busy (view));
  g_assert_null (sotto_login_view_get_error (view));

  /* What can be told before asking a server is told at once. */
  sotto_login_view_set_creating (view, TRUE);
  sotto_login_view_fill (view, "localhost:7777", "not a name!", "correct horse battery");
  sotto_login_view_submit (view);
  g_assert_false (sotto_login_view_get_busy (view));
  g_assert_nonnull (sotto_login_view_get_error (view));

  sotto_login_view_fill (view, NULL, "alice", "short");
  sotto_login_view_submit (view);
  g_assert_false (sotto_login_view_get_busy (view));
  g_assert_nonnull (strstr (sotto_login_view_get_error (view), "8"));

  sotto_login_view_reset (view, "Gone");
  g_assert_false (sotto_login_view_get_creating (view));
  g_assert_cmpstr (sotto_login_view_get_error (view), ==, "Gone");

  /* A link asks for the password first too, and leaves the creating mode. */
  sotto_login_view_set_creating (view, TRUE);
  sotto_login_view_link (view);
  g_assert_false (sotto_login_view_get_creating (view));
  g_assert_false (sotto_login_view_get_busy (view));
  g_assert_null (sotto_login_view_get_link_code (view));
  g_assert_nonnull (strstr (sotto_login_view_get_error (view), "password"));

  gtk_window_destroy (window);
}

static SottoMessage *
message_at (gint64      ts,
            const char *sender,
            const char *text,
            SottoMessageState state)
{
  static gint64 seq;
  g_autofree char *id = g_strdup_printf ("m%" G_GINT64_FORMAT, ++seq);

  return sotto_message_new ("general", sender, state == SOTTO_MESSAGE_SYSTEM ? NULL : id,
                            seq, ts, state, text);
}

static void
test_message_rows (void)
{
  g_autoptr(GListStore) messages = g_list_store_new (SOTTO_TYPE_MESSAGE);
  g_autoptr(SottoTimeline) timeline = NULL;
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWindow *window;
  g_autoptr(GDateTime) today = g_date_time_new_now_local ();
  g_autoptr(GDateTime) noon = g_date_time_new_local (g_date_time_get_year (today),
                                                     g_date_time_get_month (today),
                                                     g_date_time_get_day_of_month (today),
                                                     12, 0, 0);
  /* Noon two days ago: the six minutes of messages never straddle a
   * midnight, whatever time the test runs at. */
  gint64 two_days_ago = g_date_time_to_unix (noon) * 1000 - 2 * 86400000;
  SottoMessageState states[] = {
    SOTTO_MESSAGE_SYSTEM, SOTTO_MESSAGE_RECEIVED, SOTTO_MESSAGE_RECEIVED, SOTTO_MESSAGE_SENDING,
    SOTTO_MESSAGE_WAITING_FOR_KEY, SOTTO_MESSAGE_UNVERIFIABLE,
  };
  const char *senders[] = { NULL, "bob", "bob", "alice", "carol", "mallory" };
  const char *texts[] = { "bob joined", "see https://example.org/a?b=1&c=2.", "<b>not bold</b>",
                          "on my way", NULL, NULL };

  for (guint i = 0; i < G_N_ELEMENTS (states); i++)
    {
      g_autoptr(SottoMessage) message = message_at (two_days_ago + i * 60000, senders[i],
                                                    texts[i], states[i]);

      g_list_store_append (messages, message);
    }
  timeline = sotto_timeline_new (G_LIST_MODEL (messages));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (timeline)), ==, 7);

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (timeline)); i++)
    {
      g_autoptr(SottoTimelineItem) item = g_list_model_get_item (G_LIST_MODEL (timeline), i);
      SottoMessageRow *row = sotto_message_row_new ();

      sotto_message_row_set_item (row, item, "alice");
      g_assert_true (sotto_message_row_get_item (row) == item);
      gtk_box_append (GTK_BOX (box), GTK_WIDGET (row));
    }

  window = show_in_window (box);
  g_free (sotto_ui_screenshot (GTK_WIDGET (window), "message-rows"));

  /* Unbinding lets go of the item. */
  for (GtkWidget *child = gtk_widget_get_first_child (box); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      sotto_message_row_set_item (SOTTO_MESSAGE_ROW (child), NULL, NULL);
      g_assert_null (sotto_message_row_get_item (SOTTO_MESSAGE_ROW (child)));
    }
  gtk_window_destroy (window);
}

/* The label under @root, shown, whose text is @text (or has it, unless
 * @exact); %NULL if there is none. */
static GtkLabel *
find_label (GtkWidget  *root,
            const char *text,
            gboolean    exact)
{
  if (GTK_IS_LABEL (root) && gtk_widget_is_visible (root))
    {
      const char *have = gtk_label_get_text (GTK_LABEL (root));

      if (exact ? g_str_equal (have, text) : strstr (have, text) != NULL)
        return GTK_LABEL (root);
    }

  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkLabel *found = find_label (child, text, exact);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static guint
count_widgets (GtkWidget *root)
{
  guint n = 1;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += count_widgets (child);
  return n;
}

static const char *
note_detail (GtkLabel *label)
{
  return gtk_widget_get_tooltip_text (gtk_widget_get_parent (GTK_WIDGET (label)));
}

/* What the server did to the order of messages, in the rows: messages
 * that never came, one held back, one backdated. */
static void
test_order_marks (void)
{
  /* Noon UTC (the UI tests run in UTC). */
  gint64 noon = 1763812800000;
  g_autoptr(GListStore) messages = g_list_store_new (SOTTO_TYPE_MESSAGE);
  g_autoptr(SottoMessage) before = message_at (noon, "bob", "before the gap",
                                               SOTTO_MESSAGE_RECEIVED);
  g_autoptr(SottoMessage) after = message_at (noon + 60000, "bob", "after the gap",
                                              SOTTO_MESSAGE_RECEIVED);
  g_autoptr(SottoMessage) held = message_at (noon + 120000, "alice", "held back for a while",
                                             SOTTO_MESSAGE_RECEIVED);
  g_autoptr(SottoMessage) backdated = message_at (noon + 180000, "alice", "written much later",
                                                  SOTTO_MESSAGE_RECEIVED);
  g_autoptr(SottoMessage) both = message_at (noon + 240000, "carol", "late and backdated",
                                             SOTTO_MESSAGE_RECEIVED);
  g_autoptr(SottoMessage) later = message_at (noon + 300000, "carol", "a gap told later",
                                              SOTTO_MESSAGE_RECEIVED);
  g_autoptr(SottoTimeline) timeline = NULL;
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  SottoMessageRow *fresh = g_object_ref_sink (sotto_message_row_new ());
  SottoMessageRow *row;
  GtkWindow *window;
  GtkLabel *label;
  guint plain_widgets;

  sotto_message_set_order (before, 1, noon, SOTTO_MESSAGE_MARK_NONE);
  sotto_message_set_order (after, 4, noon + 60000, SOTTO_MESSAGE_MARK_NONE);
  sotto_message_set_missing_before (after, 2);
  sotto_message_set_order (held, 2, noon - 3600000, SOTTO_MESSAGE_MARK_LATE);
  /* alice's clock says 14:05, two hours after the server's time. */
  sotto_message_set_order (backdated, 3, noon + 2 * 3600000 + 5 * 60000,
                           SOTTO_MESSAGE_MARK_TIME_MISMATCH);
  /* carol's, the next morning. */
  sotto_message_set_order (both, 7, noon + 21 * 3600000,
                           SOTTO_MESSAGE_MARK_LATE | SOTTO_MESSAGE_MARK_TIME_MISMATCH);
  sotto_message_set_order (later, 9, noon + 300000, SOTTO_MESSAGE_MARK_NONE);

  g_list_store_append (messages, before);
  g_list_store_append (messages, after);
  g_list_store_append (messages, held);
  g_list_store_append (messages, backdated);
  g_list_store_append (messages, both);
  g_list_store_append (messages, later);
  timeline = sotto_timeline_new (G_LIST_MODEL (messages));

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (timeline)); i++)
    {
      g_autoptr(SottoTimelineItem) item = g_list_model_get_item (G_LIST_MODEL (timeline), i);

      row = sotto_message_row_new ();
      sotto_message_row_set_item (row, item, "dave");
      gtk_box_append (GTK_BOX (box), GTK_WIDGET (row));
      g_ptr_array_add (rows, row);
    }
  /* The day, then the six messages. */
  g_assert_cmpuint (rows->len, ==, 7);
  window = show_in_window (box);

  /* A row with nothing to tell makes nothing more than a fresh one has. */
  row = g_ptr_array_index (rows, 1);
  g_assert_nonnull (find_label (GTK_WIDGET (row), "before the gap", TRUE));
  g_assert_null (find_label (GTK_WIDGET (row), "did not arrive", FALSE));
  plain_widgets = count_widgets (GTK_WIDGET (row));
  g_assert_cmpuint (plain_widgets, ==, count_widgets (GTK_WIDGET (fresh)));

  /* Two of bob's never came: told above the next, which shows its sender
   * again although it follows bob's within minutes. */
  row = g_ptr_array_index (rows, 2);
  g_assert_true (sotto_timeline_item_get_grouped (sotto_message_row_get_item (row)));
  label = find_label (GTK_WIDGET (row), "2 earlier messages from bob did not arrive", TRUE);
  g_assert_nonnull (label);
  g_assert_cmpstr (note_detail (label), ==,
                   "The server did not deliver them. Sotto noticed because bob numbers every "
                   "message.");
  g_assert_nonnull (find_label (GTK_WIDGET (row), "bob", TRUE));
  g_assert_null (find_label (GTK_WIDGET (row), "Arrived late", FALSE));

  row = g_ptr_array_index (rows, 3);
  label = find_label (GTK_WIDGET (row), "Arrived late: the server held this message back", TRUE);
  g_assert_nonnull (label);
  g_assert_nonnull (strstr (note_detail (label), "alice"));
  g_assert_null (find_label (GTK_WIDGET (row), "wrote this", FALSE));
  g_assert_null (find_label (GTK_WIDGET (row), "did not arrive", FALSE));

  row = g_ptr_array_index (rows, 4);
  g_assert_nonnull (find_label (GTK_WIDGET (row),
                                "alice wrote this at 14:05; the server dates it earlier", TRUE));
  g_assert_null (find_label (GTK_WIDGET (row), "Arrived late", FALSE));

  row = g_ptr_array_index (rows, 5);
  g_assert_nonnull (find_label (GTK_WIDGET (row), "Arrived late", FALSE));
  g_assert_nonnull (find_label (GTK_WIDGET (row), "carol wrote this at November 23, 09:00; "
                                "the server dates it earlier", TRUE));

  /* Told once the room is caught up, after the row is shown; and taken
   * back. */
  row = g_ptr_array_index (rows, 6);
  g_assert_null (find_label (GTK_WIDGET (row), "did not arrive", FALSE));
  g_assert_null (find_label (GTK_WIDGET (row), "carol", TRUE));
  sotto_message_set_missing_before (later, 1);
  label = find_label (GTK_WIDGET (row), "1 earlier message from carol did not arrive", TRUE);
  g_assert_nonnull (label);
  g_assert_cmpstr (note_detail (label), ==,
                   "The server did not deliver it. Sotto noticed because carol numbers every "
                   "message.");
  g_assert_nonnull (find_label (GTK_WIDGET (row), "carol", TRUE));

  sotto_ui_settle (GTK_WIDGET (window));
  g_free (sotto_ui_screenshot (GTK_WIDGET (window), "order-marks"));
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_FORCE_DARK);
  sotto_ui_settle (GTK_WIDGET (window));
  g_free (sotto_ui_screenshot (GTK_WIDGET (window), "order-marks-dark"));
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_DEFAULT);

  sotto_message_set_missing_before (later, 0);
  g_assert_null (find_label (GTK_WIDGET (row), "did not arrive", FALSE));
  g_assert_null (find_label (GTK_WIDGET (row), "carol", TRUE));

  /* Recycled, as the list does: the row follows the message it shows now,
   * and no longer the one it showed. */
  sotto_message_row_set_item (row, NULL, NULL);
  sotto_message_row_set_item (row, sotto_message_row_get_item (g_ptr_array_index (rows, 1)),
                              "dave");
  g_assert_nonnull (find_label (GTK_WIDGET (row), "before the gap", TRUE));
  sotto_message_set_missing_before (later, 5);
  g_assert_null (find_label (GTK_WIDGET (row), "did not arrive", FALSE));
  sotto_message_set_order (before, 1, noon, SOTTO_MESSAGE_MARK_LATE);
  g_assert_nonnull (find_label (GTK_WIDGET (row), "Arrived late", FALSE));

  /* A day separator shows none of it. */
  row = g_ptr_array_index (rows, 2);
  sotto_message_row_set_item (row, NULL, NULL);
  sotto_message_row_set_item (row, sotto_message_row_get_item (g_ptr_array_index (rows, 0)),
                              "dave");
  g_assert_null (find_label (GTK_WIDGET (row), "did not arrive", FALSE));
  g_assert_null (find_label (GTK_WIDGET (row), "after the gap", TRUE));

  for (guint i = 0; i < rows->len; i++)
    sotto_message_row_set_item (g_ptr_array_index (rows, i), NULL, NULL);
  gtk_window_destroy (window);
  g_object_unref (fresh);
}

static void
test_linkify (void)
{
  g_autofree char *plain = sotto_linkify ("no links <here> & there");
  g_autofree char *link = sotto_linkify ("see https://example.org/x?a=1&b=2, then");
  g_autofree char *mail = sotto_linkify ("mailto:bob@example.org");

  g_assert_cmpstr (plain, ==, "no links &lt;here&gt; &amp; there");
  g_assert_cmpstr (link, ==, "see <a href=\"https://example.org/x?a=1&amp;b=2\">"
                   "https://example.org/x?a=1&amp;b=2</a>, then");
  g_assert_cmpstr (mail, ==, "<a href=\"mailto:bob@example.org\">mailto:bob@example.org</a>");
}

static void
test_format_day (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_local (2026, 11, 22, 15, 0, 0);
  g_autoptr(GDateTime) today = g_date_time_new_local (2026, 11, 22, 0, 0, 0);
  g_autoptr(GDateTime) yesterday = g_date_time_new_local (2026, 11, 21, 0, 0, 0);
  g_autoptr(GDateTime) wednesday = g_date_time_new_local (2026, 11, 18, 0, 0, 0);
  g_autoptr(GDateTime) spring = g_date_time_new_local (2026, 3, 2, 0, 0, 0);
  g_autoptr(GDateTime) old = g_date_time_new_local (2024, 3, 2, 0, 0, 0);
  g_autofree char *a = sotto_format_day (today, now);
  g_autofree char *b = sotto_format_day (yesterday, now);
  g_autofree char *c = sotto_format_day (wednesday, now);
  g_autofree char *d = sotto_format_day (spring, now);
  g_autofree char *e = sotto_format_day (old, now);

  g_assert_cmpstr (a, ==, "Today");
  g_assert_cmpstr (b, ==, "Yesterday");
  g_assert_cmpstr (c, ==, "Wednesday");
  g_assert_cmpstr (d, ==, "Monday, March 2");
  g_assert_cmpstr (e, ==, "Saturday, March 2, 2024");
}

/* The timeline in words: "[day]" for a separator, the text of a message,
 * with "+" when it is grouped under the one before. */
static char *
describe (GListModel *timeline)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (timeline); i++)
    {
      g_autoptr(SottoTimelineItem) item = g_list_model_get_item (timeline, i);
      SottoMessage *message = sotto_timeline_item_get_message (item);

      if (message == NULL)
        {
          g_autofree char *day = g_date_time_format (sotto_timeline_item_get_day (item), "%F");

          g_string_append_printf (out, "[%s] ", day);
        }
      else
        g_string_append_printf (out, "%s%s ", sotto_timeline_item_get_grouped (item) ? "+" : "",
                                sotto_message_get_text (message));
    }
  return g_string_free (out, FALSE);
}

/* Follows the timeline's items-changed, to check that the ranges it
 * reports turn the old list into the new one. */
static void
mirror_cb (GListModel *timeline,
           guint       position,
           guint       removed,
           guint       added,
           GListStore *mirror)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < added; i++)
    g_ptr_array_add (items, g_list_model_get_item (timeline, position + i));
  g_list_store_splice (mirror, position, removed, items->pdata, added);
}

static void
assert_timeline (SottoTimeline *timeline,
                 GListStore    *mirror,
                 GListModel    *messages)
{
  g_autoptr(SottoTimeline) fresh = sotto_timeline_new (messages);
  g_autofree char *have = describe (G_LIST_MODEL (timeline));
  g_autofree char *want = describe (G_LIST_MODEL (fresh));
  g_autofree char *mirrored = describe (G_LIST_MODEL (mirror));

  g_assert_cmpstr (have, ==, want);
  g_assert_cmpstr (mirrored, ==, want);
}

/* Pages of older history in front, a message at the end, one moved: each
 * leaves the timeline as a fresh one over the same messages would be. */
static void
test_timeline_changes (void)
{
  /* Noon UTC (the UI tests run in UTC) on three days. */
  gint64 day1 = 1763812800000, day2 = day1 + 86400000, day3 = day2 + 86400000;
  struct { gint64 ts; const char *sender; const char *text; } history[] = {
    { day1, "bob", "a" }, { day1 + 60000, "bob", "b" },
    { day2, "bob", "c" }, { day2 + 60000, "ann", "d" }, { day2 + 120000, "ann", "e" },
    { day3, "ann", "f" }, { day3 + 10 * 60000, "ann", "g" }, { day3 + 11 * 60000, "bob", "h" },
  };
  g_autoptr(GListStore) messages = g_list_store_new (SOTTO_TYPE_MESSAGE);
  g_autoptr(GListStore) mirror = g_list_store_new (SOTTO_TYPE_TIMELINE_ITEM);
  g_autoptr(SottoTimeline) timeline = NULL;
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(SottoMessage) late = NULL;
  g_autofree char *final = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (history); i++)
    g_ptr_array_add (all, message_at (history[i].ts, history[i].sender, history[i].text,
                                      SOTTO_MESSAGE_RECEIVED));

  /* The latest page: "f g h". */
  g_list_store_splice (messages, 0, 0, all->pdata + 5, 3);
  timeline = sotto_timeline_new (G_LIST_MODEL (messages));
  mirror_cb (G_LIST_MODEL (timeline), 0, 0, g_list_model_get_n_items (G_LIST_MODEL (timeline)),
             mirror);
  g_signal_connect (timeline, "items-changed", G_CALLBACK (mirror_cb), mirror);
  assert_timeline (timeline, mirror, G_LIST_MODEL (messages));

  /* A page that ends on an earlier day than the first shown ("d e"), then
   * one that ends on the same day as the first shown ("c"). */
  g_list_store_splice (messages, 0, 0, all->pdata + 3, 2);
  assert_timeline (timeline, mirror, G_LIST_MODEL (messages));
  g_list_store_splice (messages, 0, 0, all->pdata + 2, 1);
  assert_timeline (timeline, mirror, G_LIST_MODEL (messages));
  g_list_store_splice (messages, 0, 0, all->pdata, 2);
  assert_timeline (timeline, mirror, G_LIST_MODEL (messages));

  /* New at the end, then the first of a day removed. */
  late = message_at (day3 + 12 * 60000, "bob", "i", SOTTO_MESSAGE_RECEIVED);
  g_list_store_append (messages, late);
  assert_timeline (timeline, mirror, G_LIST_MODEL (messages));
  g_list_store_remove (messages, 2);
  assert_timeline (timeline, mirror, G_LIST_MODEL (messages));

  final = describe (G_LIST_MODEL (timeline));
  g_assert_cmpstr (final, ==, "[2025-11-22] a +b [2025-11-23] d +e [2025-11-24] f g h +i ");
}

/* Whether a label under @widget reads exactly @text. */
static gboolean
has_label_text (GtkWidget  *widget,
                const char *text)
{
  if (GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0)
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (has_label_text (child, text))
      return TRUE;
  return FALSE;
}

static void
test_room_and_member_rows (void)
{
  g_autoptr(SottoRoom) room = sotto_room_new ("general", FALSE, "alice");
  g_autoptr(SottoRoom) direct = sotto_room_new ("@alice+bob", TRUE, "alice");
  g_autoptr(SottoMessage) message = message_at (g_get_real_time () / 1000, "bob",
                                                "first line\nsecond", SOTTO_MESSAGE_RECEIVED);
  g_autoptr(SottoIdentity) identity = sotto_identity_new ();
  g_autoptr(SottoMember) member = sotto_member_new ("bob", sotto_identity_get_public (identity),
                                                    TRUE);
  SottoRoomRow *room_row = sotto_room_row_new ();
  SottoRoomRow *direct_row = sotto_room_row_new ();
  SottoMemberRow *member_row = sotto_member_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *warning, *menu;
  GtkWindow *window;
  const char *direct_name = sotto_room_get_display_name (direct);

  sotto_room_row_set_room (room_row, room, "alice");
  g_assert_cmpstr (sotto_room_row_get_preview (room_row), ==, "No messages yet");
  sotto_room_add_message (room, message);
  g_assert_cmpstr (sotto_room_row_get_preview (room_row), ==, "bob: first line second");
  sotto_room_set_unread (room, 3);

  sotto_room_row_set_room (direct_row, direct, "alice");
  g_assert_cmpstr (direct_name, ==, "bob");
  sotto_member_row_set_member (member_row, member, "alice");
  sotto_member_set_verified (member, TRUE);
  g_assert_null (sotto_ui_find_icon (GTK_WIDGET (member_row), "dialog-warning-symbolic"));
  sotto_member_set_review (member, SOTTO_IDENTITY_REVIEW_NOTICE);
  warning = sotto_ui_find_icon (GTK_WIDGET (member_row), "dialog-warning-symbolic");
  g_assert_nonnull (warning);
  g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (warning), "Safety number changed"));

  /* Another member's row offers its menu (a message); removing is in it
   * only for whoever may remove the member. */
  menu = sotto_ui_find_widget (GTK_WIDGET (member_row), GTK_TYPE_MENU_BUTTON);
  g_assert_nonnull (menu);
  g_assert_cmpstr (gtk_widget_get_tooltip_text (menu), ==, "Member Menu");
  g_assert_true (gtk_widget_get_visible (menu));
  sotto_member_row_set_removable (member_row, TRUE);
  g_assert_true (sotto_member_row_get_removable (member_row));
  g_assert_true (gtk_widget_get_visible (menu));

  /* The row says whom the room's signed state does not hold. */
  g_assert_true (has_label_text (GTK_WIDGET (member_row), "Not confirmed yet · gets nothing"));
  sotto_member_set_standing (member, SOTTO_MEMBER_STANDING_REFUSED);
  g_assert_true (has_label_text (GTK_WIDGET (member_row), "Kept out by the room · gets nothing"));
  sotto_member_set_standing (member, SOTTO_MEMBER_STANDING_CONFIRMED);
  g_assert_true (has_label_text (GTK_WIDGET (member_row), "Online · verified"));

  /* The row says who created the room. */
  g_assert_false (has_label_text (GTK_WIDGET (member_row), "Online · verified · created the room"));
  sotto_member_row_set_owner (member_row, TRUE);
  g_assert_true (has_label_text (GTK_WIDGET (member_row), "Online · verified · created the room"));

  /* And their role by the room's signed state, which an owner changes
   * from the menu. */
  sotto_member_set_role (member, SOTTO_MEMBER_ROLE_MODERATOR);
  g_assert_true (has_label_text (GTK_WIDGET (member_row), "Online · verified · moderator"));
  sotto_member_row_set_gives_roles (member_row, TRUE);
  sotto_member_row_set_removable (member_row, FALSE);
  g_assert_true (gtk_widget_get_visible (menu));
  sotto_member_set_role (member, SOTTO_MEMBER_ROLE_OWNER);
  g_assert_true (has_label_text (GTK_WIDGET (member_row), "Online · verified · owner"));
  /* Nobody changes another owner's role: the menu offers a message
   * still. */
  g_assert_true (gtk_widget_get_visible (menu));
  sotto_member_set_role (member, SOTTO_MEMBER_ROLE_MEMBER);
  g_assert_true (gtk_widget_get_visible (menu));
  sotto_member_row_set_gives_roles (member_row, FALSE);
  sotto_member_row_set_removable (member_row, TRUE);

  gtk_box_append (GTK_BOX (box), GTK_WIDGET (room_row));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (direct_row));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (member_row));
  window = show_in_window (box);
  g_free (sotto_ui_screenshot (GTK_WIDGET (window), "rows"));

  sotto_room_row_set_room (room_row, NULL, NULL);
  sotto_room_row_set_room (direct_row, NULL, NULL);
  sotto_member_row_set_member (member_row, NULL, NULL);
  sotto_member_row_set_owner (member_row, FALSE);
  g_assert_null (sotto_room_row_get_room (room_row));
  g_assert_null (sotto_member_row_get_member (member_row));
  g_assert_false (sotto_member_row_get_removable (member_row));
  g_assert_false (gtk_widget_get_visible (menu));
  gtk_window_destroy (window);
}

static void
test_room_view (void)
{
  g_autofree char *dir = sotto_test_make_data_dir ();
  g_autoptr(SottoClient) client = sotto_client_new (dir, "127.0.0.1:1");
  g_autoptr(SottoRoom) room = sotto_room_new ("general", FALSE, "alice");
  SottoRoomView *view = g_object_new (SOTTO_TYPE_ROOM_VIEW, NULL);
  GtkWindow *window = show_in_window (GTK_WIDGET (view));
  g_autofree char *draft = NULL;

  sotto_room_view_set_room (view, client, room);
  g_assert_true (sotto_room_view_get_room (view) == room);
  g_assert_false (sotto_room_view_get_members_shown (view));
  gtk_widget_activate_action (GTK_WIDGET (view), "room.toggle-members", NULL);
  g_assert_true (sotto_room_view_get_members_shown (view));
  gtk_widget_activate_action (GTK_WIDGET (view), "room.close-panels", NULL);
  g_assert_false (sotto_room_view_get_members_shown (view));

  /* A draft stays with its room. */
  sotto_room_view_set_draft (view, "half a thought");
  sotto_room_view_set_room (view, NULL, NULL);
  sotto_room_view_set_room (view, client, room);
  draft = sotto_room_view_dup_draft (view);
  g_assert_cmpstr (draft, ==, "half a thought");

  sotto_room_view_set_room (view, NULL, NULL);
  g_assert_null (sotto_room_view_get_room (view));
  gtk_window_destroy (window);
  sotto_client_close (client);
  sotto_test_remove_dir (dir);
}

static SottoMember *
member_new (const char *user)
{
  g_autoptr(SottoIdentity) identity = sotto_identity_new ();

  return sotto_member_new (user, sotto_identity_get_public (identity), TRUE);
}

/* The bar over the conversation while a member's safety number changed:
 * a notice, then a change that holds sending (shown first, with the
 * others counted), as the members' reviews change under a shown view. */
static void
test_review_bar (void)
{
  g_autofree char *dir = sotto_test_make_data_dir ();
  g_autoptr(SottoClient) client = sotto_client_new (dir, "127.0.0.1:1");
  g_autoptr(SottoRoom) room = sotto_room_new ("general", FALSE, "alice");
  g_autoptr(SottoMember) alice = member_new ("alice");
  g_autoptr(SottoMember) bob = member_new ("bob");
  g_autoptr(SottoMember) carol = member_new ("carol");
  g_autoptr(SottoMember) carol_again = member_new ("carol");
  SottoRoomView *view = g_object_new (SOTTO_TYPE_ROOM_VIEW, NULL);
  GtkWindow *window = show_in_window (GTK_WIDGET (view));
  GtkWidget *send, *accept, *dismiss;
  g_autofree char *draft = NULL;

  gtk_window_set_default_size (window, 720, 420);
  sotto_room_set_member (room, alice);
  sotto_room_set_member (room, bob);
  sotto_room_set_member (room, carol);
  sotto_room_view_set_room (view, client, room);
  sotto_room_view_set_draft (view, "half a thought");
  send = sotto_ui_find_button (GTK_WIDGET (view), "Send");
  g_assert_nonnull (send);
  g_assert_null (sotto_room_view_get_review_text (view));
  g_assert_true (gtk_widget_get_sensitive (send));

  /* Bob's keys change while the room is shown: a notice, and sending goes on. */
  sotto_member_set_review (bob, SOTTO_IDENTITY_REVIEW_NOTICE);
  g_assert_cmpstr (sotto_room_view_get_review_text (view), ==,
                   "bob’s safety number changed. Compare it to make sure you are still talking "
                   "to bob.");
  dismiss = sotto_ui_find_button (GTK_WIDGET (view), "Dismiss");
  g_assert_nonnull (dismiss);
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (dismiss)), ==,
                   "room.accept-identity");
  g_assert_cmpstr (g_variant_get_string (gtk_actionable_get_action_target_value (
                     GTK_ACTIONABLE (dismiss)), NULL), ==, "bob");
  g_assert_null (sotto_ui_find_button (GTK_WIDGET (view), "Accept"));
  g_assert_true (gtk_widget_get_sensitive (send));
  sotto_ui_settle (GTK_WIDGET (window));
  g_free (sotto_ui_screenshot (GTK_WIDGET (window), "review-notice"));

  /* Carol, whom the user had verified: her change holds sending and comes
   * first; bob is counted. The draft stays. */
  sotto_member_set_review (carol, SOTTO_IDENTITY_REVIEW_BLOCKING);
  g_assert_cmpstr (sotto_room_get_blocked_by (room), ==, "carol");
  g_assert_cmpstr (sotto_room_view_get_review_text (view), ==,
                   "carol’s safety number changed. Nothing is sent in this room until you "
                   "compare it again or accept the new one.");
  g_assert_nonnull (find_label (GTK_WIDGET (view),
                                "The safety number of 1 more member changed too.", TRUE));
  accept = sotto_ui_find_button (GTK_WIDGET (view), "Accept");
  g_assert_nonnull (accept);
  g_assert_cmpstr (g_variant_get_string (gtk_actionable_get_action_target_value (
                     GTK_ACTIONABLE (accept)), NULL), ==, "carol");
  g_assert_nonnull (sotto_ui_find_button (GTK_WIDGET (view), "Compare…"));
  g_assert_false (gtk_widget_get_sensitive (send));
  draft = sotto_room_view_dup_draft (view);
  g_assert_cmpstr (draft, ==, "half a thought");
  sotto_ui_settle (GTK_WIDGET (window));
  g_free (sotto_ui_screenshot (GTK_WIDGET (window), "review-blocking"));
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_FORCE_DARK);
  sotto_ui_settle (GTK_WIDGET (window));
  g_free (sotto_ui_screenshot (GTK_WIDGET (window), "review-blocking-dark"));
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_DEFAULT);
  gtk_window_set_default_size (window, 360, 420);
  sotto_ui_settle (GTK_WIDGET (window));
  g_free (sotto_ui_screenshot (GTK_WIDGET (window), "review-blocking-narrow"));

  /* Carol listed again, settled: bob's notice is next, and sending goes on. */
  sotto_room_set_member (room, carol_again);
  g_assert_null (sotto_room_get_blocked_by (room));
  g_assert_nonnull (strstr (sotto_room_view_get_review_text (view), "bob’s"));
  g_assert_null (find_label (GTK_WIDGET (view), "more member", FALSE));
  g_assert_true (gtk_widget_get_sensitive (send));

  sotto_member_set_review (bob, SOTTO_IDENTITY_REVIEW_NONE);
  g_assert_null (sotto_room_view_get_review_text (view));

  /* Another room's members are not followed. */
  sotto_room_view_set_room (view, NULL, NULL);
  sotto_member_set_review (bob, SOTTO_IDENTITY_REVIEW_BLOCKING);
  g_assert_null (sotto_room_view_get_review_text (view));

  gtk_window_destroy (window);
  sotto_client_close (client);
  sotto_test_remove_dir (dir);
}

static gboolean
bans_dialog_gone (gpointer data)
{
  return sotto_ui_find_window (SOTTO_TYPE_BANS_DIALOG) == NULL;
}

static void
test_dialogs (void)
{
  g_autofree char *dir = sotto_test_make_data_dir ();
  g_autoptr(SottoClient) client = sotto_client_new (dir, "127.0.0.1:1");
  g_autoptr(SottoRoom) room = sotto_room_new ("team", FALSE, "alice");
  SottoBansDialog *bans;
  GtkWindow *trust, *changed;
  SottoSafetyDialog *safety;
  SottoJoinDialog *join, *direct;
  SottoLinkDialog *link;
  SottoPreferencesWindow *preferences;
  SottoDevicesPage *devices_page;
  g_autoptr(GtkBuilder) builder = NULL;
  GObject *shortcuts;

  trust = sotto_trust_dialog_new (NULL, "localhost:7777",
                                  "30D5 4163 06A3 A733 BF4B 9731 ED97 CCBB");
  gtk_window_present (trust);
  g_assert_true (adw_message_dialog_has_response (ADW_MESSAGE_DIALOG (trust), "trust"));
  g_assert_true (adw_message_dialog_has_response (ADW_MESSAGE_DIALOG (trust), "cancel"));
  gtk_window_destroy (trust);

  /* A changed key has no way on. */
  changed = sotto_key_changed_dialog_new (NULL, "localhost:7777",
                                          "30D5 4163 06A3 A733 BF4B 9731 ED97 CCBB",
                                          "0000 4163 06A3 A733 BF4B 9731 ED97 1111");
  gtk_window_present (changed);
  sotto_ui_settle (GTK_WIDGET (changed));
  g_free (sotto_ui_screenshot (GTK_WIDGET (changed), "key-changed"));
  g_assert_true (adw_message_dialog_has_response (ADW_MESSAGE_DIALOG (changed), "close"));
  g_assert_false (adw_message_dialog_has_response (ADW_MESSAGE_DIALOG (changed), "trust"));
  gtk_window_destroy (changed);

  /* Not logged in: no keys to compare yet. */
  safety = sotto_safety_dialog_new (NULL, client, "bob");
  gtk_window_present (GTK_WINDOW (safety));
  g_assert_null (sotto_safety_dialog_dup_digits (safety));
  g_assert_false (adw_message_dialog_has_response (ADW_MESSAGE_DIALOG (safety), "verify"));
  gtk_window_destroy (GTK_WINDOW (safety));

  /* Not logged in: the list cannot be had, and the dialog goes. */
  bans = sotto_bans_dialog_new (NULL, client, room);
  gtk_window_present (GTK_WINDOW (bans));
  g_assert_false (sotto_bans_dialog_get_loaded (bans));
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (bans)), ==,
                   "Removed From #team");
  g_assert_true (sotto_ui_wait_until (bans_dialog_gone, NULL, 10));

  join = sotto_join_dialog_new (NULL, client, FALSE);
  direct = sotto_join_dialog_new (NULL, client, TRUE);
  gtk_window_present (GTK_WINDOW (join));
  gtk_window_present (GTK_WINDOW (direct));
  sotto_ui_settle (GTK_WIDGET (join));
  g_assert_cmpuint (sotto_join_dialog_get_n_listed (join), ==, 0);
  gtk_window_destroy (GTK_WINDOW (join));
  gtk_window_destroy (GTK_WINDOW (direct));

  /* Nothing to open before a code is typed; no question before that. */
  link = sotto_link_dialog_new (NULL, client);
  gtk_window_present (GTK_WINDOW (link));
  sotto_ui_settle (GTK_WIDGET (link));
  sotto_link_dialog_open_code (link);
  g_assert_false (sotto_link_dialog_get_busy (link));
  g_assert_null (sotto_link_dialog_get_error (link));
  g_assert_null (sotto_link_dialog_get_question (link));
  gtk_window_destroy (GTK_WINDOW (link));

  /* The recovery key in lines of four groups; copied as one line. */
  {
    static const char key[] = "000G4-0R40M-30E20-9185G-R38E1-W8124-GK2GA-HC5RR-34D1P-70X3R-FYBQ8";
    SottoRecoveryKeyDialog *recovery = sotto_recovery_key_dialog_new (NULL, key);

    gtk_window_present (GTK_WINDOW (recovery));
    g_assert_cmpstr (sotto_recovery_key_dialog_get_shown (recovery), ==,
                     "000G4-0R40M-30E20-9185G\nR38E1-W8124-GK2GA-HC5RR\n34D1P-70X3R-FYBQ8");
    g_assert_true (adw_message_dialog_has_response (ADW_MESSAGE_DIALOG (recovery), "saved"));
    gtk_window_destroy (GTK_WINDOW (recovery));
  }

  /* Without a client, no account to show a recovery key of. */
  preferences = sotto_preferences_window_new (sotto_application_get_settings (the_app));
  g_assert_null (sotto_preferences_window_get_client (preferences));
  gtk_window_present (GTK_WINDOW (preferences));
  sotto_ui_settle (GTK_WIDGET (preferences));
  g_free (sotto_ui_screenshot (GTK_WIDGET (preferences), "preferences"));
  g_assert_null (sotto_ui_find_widget (GTK_WIDGET (preferences), SOTTO_TYPE_DEVICES_PAGE));
  gtk_window_destroy (GTK_WINDOW (preferences));

  /* With a client, the devices page; not connected, it lists none. */
  preferences = sotto_preferences_window_new (sotto_application_get_settings (the_app));
  sotto_preferences_window_set_client (preferences, client);
  gtk_window_present (GTK_WINDOW (preferences));
  sotto_ui_settle (GTK_WIDGET (preferences));
  devices_page = SOTTO_DEVICES_PAGE (sotto_ui_find_widget (GTK_WIDGET (preferences),
                                                           SOTTO_TYPE_DEVICES_PAGE));
  g_assert_nonnull (devices_page);
  g_assert_true (sotto_devices_page_get_client (devices_page) == client);
  g_assert_null (sotto_devices_page_get_devices (devices_page));
  g_assert_null (sotto_devices_page_get_error (devices_page));
  gtk_window_destroy (GTK_WINDOW (preferences));

  builder = gtk_builder_new_from_resource (APP_RESOURCE_PATH "/gtk/help-overlay.ui");
  shortcuts = gtk_builder_get_object (builder, "help_overlay");
  g_assert_true (GTK_IS_SHORTCUTS_WINDOW (shortcuts));
  gtk_window_destroy (GTK_WINDOW (shortcuts));

  sotto_client_close (client);
  sotto_test_remove_dir (dir);
}

static gboolean
about_shown (gpointer data)
{
  return sotto_ui_find_window (ADW_TYPE_ABOUT_WINDOW) != NULL;
}

static void
test_window_and_actions (void)
{
  SottoWindow *window = sotto_window_new (GTK_APPLICATION (the_app));
  GtkWindow *about;

  gtk_window_present (GTK_WINDOW (window));
  sotto_ui_settle (GTK_WIDGET (window));
  g_assert_null (sotto_window_get_client (window));
  g_assert_false (sotto_window_open_room (window, "general"));

  g_action_group_activate_action (G_ACTION_GROUP (the_app), "about", NULL);
  g_assert_true (sotto_ui_wait_until (about_shown, NULL, 10));
  about = sotto_ui_find_window (ADW_TYPE_ABOUT_WINDOW);
  gtk_window_destroy (about);

  g_action_group_activate_action (G_ACTION_GROUP (the_app), "preferences", NULL);
  gtk_window_destroy (sotto_ui_find_window (SOTTO_TYPE_PREFERENCES_WINDOW));

  gtk_window_destroy (GTK_WINDOW (window));
}

/* The message menu's quick reactions: the latest used first, kept in
 * the settings, so that the next start offers them again; what a setting
 * holds that is no reaction is passed over. */
static void
test_recent_reactions (void)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.sottochat.Sotto");
  const char *saved[] = { "🎂", "", "🦀", "🎂", "👍", NULL };
  const char *expected[] = { "😂", "🎂", "🦀", "👍", "❤️", NULL };
  g_auto(GStrv) stored = NULL;
  const char * const *recent;

  g_settings_set_strv (settings, "recent-reactions", saved);
  sotto_recent_reactions_bind (settings);
  recent = sotto_recent_reactions_get ();
  g_assert_cmpstr (recent[0], ==, "🎂");
  g_assert_cmpstr (recent[1], ==, "🦀");
  g_assert_cmpstr (recent[2], ==, "👍");
  g_assert_cmpstr (recent[3], ==, "❤️");
  g_assert_cmpstr (recent[4], ==, "😂");
  g_assert_null (recent[5]);

  sotto_recent_reactions_use ("😂");
  stored = g_settings_get_strv (settings, "recent-reactions");
  g_assert_true (g_strv_equal ((const char * const *) stored, expected));

  /* The next start */
  sotto_recent_reactions_bind (settings);
  g_assert_cmpstr (sotto_recent_reactions_get ()[0], ==, "😂");
  g_settings_reset (settings, "recent-reactions");
  sotto_recent_reactions_bind (settings);
  g_assert_cmpstr (sotto_recent_reactions_get ()[0], ==, "👍");
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

  g_test_add_func ("/sotto/ui/widgets/login-view", test_login_view);
  g_test_add_func ("/sotto/ui/widgets/message-rows", test_message_rows);
  g_test_add_func ("/sotto/ui/widgets/order-marks", test_order_marks);
  g_test_add_func ("/sotto/ui/widgets/timeline-changes", test_timeline_changes);
  g_test_add_func ("/sotto/ui/widgets/linkify", test_linkify);
  g_test_add_func ("/sotto/ui/widgets/recent-reactions", test_recent_reactions);
  g_test_add_func ("/sotto/ui/widgets/format-day", test_format_day);
  g_test_add_func ("/sotto/ui/widgets/room-and-member-rows", test_room_and_member_rows);
  g_test_add_func ("/sotto/ui/widgets/room-view", test_room_view);
  g_test_add_func ("/sotto/ui/widgets/review-bar", test_review_bar);
  g_test_add_func ("/sotto/ui/widgets/dialogs", test_dialogs);
  g_test_add_func ("/sotto/ui/widgets/window-and-actions", test_window_and_actions);

  status = g_test_run ();
  g_clear_object (&the_app);
  return status;
}
