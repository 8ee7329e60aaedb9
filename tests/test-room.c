/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sotto-room.h"

/* A room's history as the UI sees it: in server order, unnumbered messages
 * last, and found again by sender and id or by sequence number. */

static SottoMessage *
add (SottoRoom   *room,
     const char  *sender,
     const char  *msg_id,
     gint64       seq)
{
  g_autoptr(SottoMessage) message = sotto_message_new (sotto_room_get_name (room), sender, msg_id,
                                                       seq, 1000 + seq,
                                                       seq > 0 ? SOTTO_MESSAGE_RECEIVED
                                                               : SOTTO_MESSAGE_SENDING,
                                                       msg_id);

  sotto_room_add_message (room, message);
  return message;
}

static void
count_change (guint *changes)
{
  (*changes)++;
}

static void
assert_order (SottoRoom  *room,
              const char *expected)
{
  GListModel *messages = sotto_room_get_messages (room);
  g_autoptr(GString) order = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (messages); i++)
    {
      g_autoptr(SottoMessage) message = g_list_model_get_item (messages, i);

      g_string_append_printf (order, "%s%s", i > 0 ? " " : "",
                              sotto_message_get_text (message) != NULL
                              ? sotto_message_get_text (message) : "-");
    }
  g_assert_cmpstr (order->str, ==, expected);
}

static void
count_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 gpointer    user_data)
{
  (*(guint *) user_data)++;
}

/* A room is shown by its name, a direct chat by the other person. */
static void
test_display_name (void)
{
  g_autoptr(SottoRoom) room = sotto_room_new ("lobby", FALSE, "alice");
  g_autoptr(SottoRoom) direct = sotto_room_new ("@alice+bob", TRUE, "alice");
  g_autoptr(SottoRoom) direct_of_bob = sotto_room_new ("@alice+bob", TRUE, "bob");
  g_autoptr(SottoRoom) not_ours = sotto_room_new ("@bob+carol", TRUE, "alice");

  g_assert_cmpstr (sotto_room_get_display_name (room), ==, "#lobby");
  g_assert_cmpstr (sotto_room_get_display_name (direct), ==, "bob");
  g_assert_cmpstr (sotto_room_get_display_name (direct_of_bob), ==, "alice");
  g_assert_cmpstr (sotto_room_get_display_name (not_ours), ==, "#@bob+carol");
}

/* What was typed and not sent stays with the room; an empty draft is no
 * draft, and setting the same one again is no change. */
static void
test_draft (void)
{
  g_autoptr(SottoRoom) room = sotto_room_new ("lobby", FALSE, NULL);
  g_autofree char *read_back = NULL;
  guint notified = 0;

  g_signal_connect (room, "notify::draft", G_CALLBACK (count_notify_cb), &notified);
  g_assert_cmpstr (sotto_room_get_draft (room), ==, "");

  sotto_room_set_draft (room, "half a thought");
  sotto_room_set_draft (room, "half a thought");
  g_assert_cmpuint (notified, ==, 1);
  g_object_get (room, "draft", &read_back, NULL);
  g_assert_cmpstr (read_back, ==, "half a thought");

  g_object_set (room, "draft", "", NULL);
  g_assert_cmpuint (notified, ==, 2);
  g_assert_cmpstr (sotto_room_get_draft (room), ==, "");
  sotto_room_set_draft (room, NULL);
  g_assert_cmpuint (notified, ==, 2);
}

static void
test_order (void)
{
  g_autoptr(SottoRoom) room = sotto_room_new ("lobby", FALSE, NULL);

  add (room, "alice", "a3", 3);
  add (room, "me", "mine", 0);
  add (room, "bob", "b1", 1);
  add (room, "alice", "a5", 5);
  add (room, "bob", "b4", 4);

  /* Numbered in server order; ours, not yet numbered, after them. */
  assert_order (room, "b1 a3 b4 a5 mine");
}

/* A page of older history goes in front in one change; what the room
 * already holds is not added twice, and the page's numbers are known. */
static void
test_prepend (void)
{
  g_autoptr(SottoRoom) room = sotto_room_new ("lobby", FALSE, NULL);
  g_autoptr(GPtrArray) page = g_ptr_array_new_with_free_func (g_object_unref);
  guint changes = 0;

  add (room, "bob", "b3", 3);
  add (room, "alice", "a4", 4);
  g_ptr_array_add (page, sotto_message_new ("lobby", "bob", "b1", 1, 1000,
                                            SOTTO_MESSAGE_RECEIVED, "b1"));
  g_ptr_array_add (page, sotto_message_new ("lobby", "alice", "a2", 2, 2000,
                                            SOTTO_MESSAGE_RECEIVED, "a2"));
  /* Already held: the page overlaps what was shown. */
  g_ptr_array_add (page, sotto_message_new ("lobby", "bob", "b3", 3, 3000,
                                            SOTTO_MESSAGE_RECEIVED, "b3"));

  g_signal_connect_swapped (sotto_room_get_messages (room), "items-changed",
                            G_CALLBACK (count_change), &changes);
  sotto_room_prepend_messages (room, (SottoMessage **) page->pdata, page->len);

  g_assert_cmpuint (changes, ==, 1);
  assert_order (room, "b1 a2 b3 a4");
  g_assert_true (sotto_room_has_seq (room, 1));
  g_assert_true (sotto_room_has_seq (room, 2));
  g_assert_nonnull (sotto_room_lookup_message (room, "alice", "a2"));
}

static void
test_lookup (void)
{
  g_autoptr(SottoRoom) room = sotto_room_new ("lobby", FALSE, NULL);
  SottoMessage *mine = add (room, "me", "m1", 0);
  g_autoptr(SottoMessage) event = NULL;

  add (room, "alice", "m1", 7);
  g_assert_true (sotto_room_lookup_message (room, "me", "m1") == mine);
  g_assert_cmpstr (sotto_message_get_sender (sotto_room_lookup_message (room, "alice", "m1")), ==,
                   "alice");
  g_assert_null (sotto_room_lookup_message (room, "bob", "m1"));

  g_assert_true (sotto_room_has_seq (room, 7));
  g_assert_false (sotto_room_has_seq (room, 8));

  /* A message numbered later is found by its number too. */
  sotto_room_update_message (room, mine, SOTTO_MESSAGE_SENT, 8, 2000, NULL);
  g_assert_true (sotto_room_has_seq (room, 8));
  g_assert_cmpint (sotto_message_get_state (mine), ==, SOTTO_MESSAGE_SENT);

  /* An event of the room has a number and no id. */
  event = sotto_message_new ("lobby", "bob", NULL, 9, 3000, SOTTO_MESSAGE_SYSTEM, "bob joined");
  sotto_room_add_message (room, event);
  g_assert_true (sotto_room_has_seq (room, 9));
  g_assert_null (sotto_room_lookup_message (room, "bob", NULL));
}

/* A long history keeps its order and its lookups. */
static void
test_long_history (void)
{
  g_autoptr(SottoRoom) room = sotto_room_new ("lobby", FALSE, NULL);
  GListModel *messages = sotto_room_get_messages (room);

  for (gint64 seq = 1; seq <= 100000; seq++)
    {
      g_autofree char *msg_id = g_strdup_printf ("m%" G_GINT64_FORMAT, seq);

      add (room, seq % 2 ? "alice" : "bob", msg_id, seq);
    }

  g_assert_cmpuint (g_list_model_get_n_items (messages), ==, 100000);
  for (gint64 seq = 1; seq <= 100000; seq += 997)
    {
      g_autofree char *msg_id = g_strdup_printf ("m%" G_GINT64_FORMAT, seq);
      SottoMessage *found = sotto_room_lookup_message (room, seq % 2 ? "alice" : "bob", msg_id);
      g_autoptr(SottoMessage) at = g_list_model_get_item (messages, seq - 1);

      g_assert_true (found == at);
      g_assert_true (sotto_room_has_seq (room, seq));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sotto/client/room/display-name", test_display_name);
  g_test_add_func ("/sotto/client/room/draft", test_draft);
  g_test_add_func ("/sotto/client/room/order", test_order);
  g_test_add_func ("/sotto/client/room/prepend", test_prepend);
  g_test_add_func ("/sotto/client/room/lookup", test_lookup);
  g_test_add_func ("/sotto/client/room/long-history", test_long_history);

  return g_test_run ();
}
