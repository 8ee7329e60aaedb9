/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sotto-room-row.h"
#include "sotto-window-private.h"

/*
 * The window's rooms: the sidebar list (sorted, filtered by the jump
 * entry), which room is shown, and unread counts. What deserves a
 * notification the window tells by signals; the application shows it.
 */

enum {
  UNSEEN_MESSAGE,
  ROOM_SEEN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct
{
  SottoWindow  *window;
  SottoRoom    *room;
  gulong        handler;
  /* The last message told, while it waits for its key: once readable,
   * it is told again, so that a notification can show its text. */
  SottoMessage *waiting;
  gulong        waiting_handler;
} RoomWatch;

static void
forget_waiting (RoomWatch *watch)
{
  if (watch->waiting != NULL)
    g_clear_signal_handler (&watch->waiting_handler, watch->waiting);
  g_clear_object (&watch->waiting);
}

static gboolean
room_is_seen (SottoWindow *self,
              SottoRoom   *room)
{
  return sotto_room_view_get_room (self->room_view) == room &&
         gtk_window_is_active (GTK_WINDOW (self)) &&
         g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "chat") == 0 &&
         (!adw_leaflet_get_folded (self->leaflet) ||
          adw_leaflet_get_visible_child (self->leaflet) != self->sidebar);
}

/* The last message told came readable: told again, if still unseen. */
static void
waiting_opened_cb (SottoMessage *message,
                   GParamSpec   *pspec,
                   RoomWatch    *watch)
{
  SottoWindow *self = watch->window;
  g_autoptr(SottoMessage) opened = NULL;

  if (sotto_message_get_state (message) == SOTTO_MESSAGE_WAITING_FOR_KEY)
    return;

  opened = g_object_ref (message);
  forget_waiting (watch);
  if (sotto_message_get_state (opened) == SOTTO_MESSAGE_RECEIVED &&
      !room_is_seen (self, watch->room) && !gtk_window_is_active (GTK_WINDOW (self)))
    g_signal_emit (self, signals[UNSEEN_MESSAGE], 0, watch->room, opened);
}

static void
messages_changed_cb (GListModel *messages,
                     guint       position,
                     guint       removed,
                     guint       added,
                     gpointer    user_data)
{
  RoomWatch *watch = user_data;
  SottoWindow *self = watch->window;
  SottoRoom *room = watch->room;
  const char *me = sotto_client_get_user (self->client);
  g_autoptr(SottoMessage) last = NULL;
  guint fresh = 0;

  /* Pages of older history come in at the front: nothing new there. What
   * the local store held was loaded before the window began to watch. */
  if (added == 0 || position + added != g_list_model_get_n_items (messages))
    return;

  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(SottoMessage) message = g_list_model_get_item (messages, i);
      SottoMessageState state = sotto_message_get_state (message);

      if (state == SOTTO_MESSAGE_SYSTEM || state == SOTTO_MESSAGE_SENDING ||
          state == SOTTO_MESSAGE_SENT || g_strcmp0 (sotto_message_get_sender (message), me) == 0)
        continue;
      fresh++;
      g_set_object (&last, message);
    }

  /* Seen as it comes: read. */
  if (room_is_seen (self, room))
    sotto_room_set_read_seq (room, sotto_room_get_last_seq (room));
  if (fresh == 0 || room_is_seen (self, room))
    return;

  sotto_room_set_unread (room, sotto_room_get_unread (room) + fresh);
  forget_waiting (watch);
  if (gtk_window_is_active (GTK_WINDOW (self)))
    return;

  g_signal_emit (self, signals[UNSEEN_MESSAGE], 0, room, last);
  if (sotto_message_get_state (last) == SOTTO_MESSAGE_WAITING_FOR_KEY)
    {
      watch->waiting = g_object_ref (last);
      watch->waiting_handler = g_signal_connect (last, "notify::state",
                                                 G_CALLBACK (waiting_opened_cb), watch);
    }
}

static void
unwatch (gpointer data)
{
  RoomWatch *watch = data;

  g_clear_signal_handler (&watch->handler, sotto_room_get_messages (watch->room));
  forget_waiting (watch);
  g_object_unref (watch->room);
  g_free (watch);
}

/* Follows the rooms the client has: a watch for each. */
static void
sync_watches (SottoWindow *self)
{
  GListModel *rooms = sotto_client_get_rooms (self->client);
  g_autoptr(GHashTable) current = g_hash_table_new (NULL, NULL);
  GHashTableIter iter;
  gpointer key;
  RoomWatch *watch;

  for (guint i = 0; i < g_list_model_get_n_items (rooms); i++)
    {
      g_autoptr(SottoRoom) room = g_list_model_get_item (rooms, i);

      g_hash_table_add (current, room);
      if (g_hash_table_contains (self->watches, room))
        continue;

      watch = g_new0 (RoomWatch, 1);
      watch->window = self;
      watch->room = g_object_ref (room);
      watch->handler = g_signal_connect (sotto_room_get_messages (room), "items-changed",
                                         G_CALLBACK (messages_changed_cb), watch);
      g_hash_table_insert (self->watches, room, watch);
    }

  g_hash_table_iter_init (&iter, self->watches);
  while (g_hash_table_iter_next (&iter, &key, (gpointer *) &watch))
    if (!g_hash_table_contains (current, key))
      {
        if (sotto_room_view_get_room (self->room_view) == key)
          {
            sotto_room_view_set_room (self->room_view, NULL, NULL);
            gtk_stack_set_visible_child_name (self->content_stack, "empty");
          }
        g_hash_table_iter_remove (&iter);
      }
}

static void
rooms_changed_cb (GListModel *rooms,
                  guint       position,
                  guint       removed,
                  guint       added,
                  gpointer    user_data)
{
  sync_watches (user_data);
}

static void
filtered_changed_cb (GListModel *rooms,
                     guint       position,
                     guint       removed,
                     guint       added,
                     gpointer    user_data)
{
  SottoWindow *self = user_data;

  gtk_stack_set_visible_child_name (self->rooms_stack,
                                    g_list_model_get_n_items (rooms) > 0 ? "rooms" : "no-match");
}

/* Rooms first, then direct chats; each by name. */
static int
compare_rooms (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  SottoRoom *room_a = (SottoRoom *) a;
  SottoRoom *room_b = (SottoRoom *) b;

  if (sotto_room_get_direct (room_a) != sotto_room_get_direct (room_b))
    return sotto_room_get_direct (room_a) ? 1 : -1;
  return g_utf8_collate (sotto_room_get_name (room_a), sotto_room_get_name (room_b));
}

static void
setup_row_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              gpointer                  user_data)
{
  gtk_list_item_set_child (item, GTK_WIDGET (sotto_room_row_new ()));
}

static void
bind_row_cb (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             gpointer                  user_data)
{
  SottoWindow *self = user_data;
  SottoRoomRow *row = SOTTO_ROOM_ROW (gtk_list_item_get_child (item));

  sotto_room_row_set_room (row, gtk_list_item_get_item (item),
                           self->client != NULL ? sotto_client_get_user (self->client) : NULL);
}

static void
unbind_row_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  sotto_room_row_set_room (SOTTO_ROOM_ROW (gtk_list_item_get_child (item)), NULL, NULL);
}

void
_sotto_window_rooms_mark_read (SottoWindow *self)
{
  SottoRoom *room = sotto_room_view_get_room (self->room_view);

  if (room == NULL || !room_is_seen (self, room))
    return;

  sotto_room_set_read_seq (room, sotto_room_get_last_seq (room));
  sotto_room_set_unread (room, 0);
  g_signal_emit (self, signals[ROOM_SEEN], 0, room);
}

void
_sotto_window_rooms_select (SottoWindow *self,
                            SottoRoom   *room)
{
  GListModel *shown = G_LIST_MODEL (self->selection);

  g_return_if_fail (SOTTO_IS_ROOM (room));

  /* A room hidden by the jump entry is shown all the same. */
  gtk_editable_set_text (GTK_EDITABLE (self->room_search), "");
  for (guint i = 0; i < g_list_model_get_n_items (shown); i++)
    {
      g_autoptr(SottoRoom) candidate = g_list_model_get_item (shown, i);

      if (candidate == room)
        {
          gtk_single_selection_set_selected (self->selection, i);
          break;
        }
    }

  sotto_room_view_set_room (self->room_view, self->client, room);
  gtk_stack_set_visible_child_name (self->content_stack, "room");
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
  _sotto_window_rooms_mark_read (self);
  sotto_room_view_focus_composer (self->room_view);
}

/**
 * sotto_window_open_room:
 *
 * Shows the room or direct chat named @room.
 *
 * Returns: whether the user is in such a room
 */
gboolean
sotto_window_open_room (SottoWindow *self,
                        const char  *room)
{
  SottoRoom *found;

  g_return_val_if_fail (SOTTO_IS_WINDOW (self), FALSE);

  if (self->client == NULL || (found = sotto_client_lookup_room (self->client, room)) == NULL)
    return FALSE;

  _sotto_window_rooms_select (self, found);
  return TRUE;
}

/* A click on a notification comes here through the application. */
static void
open_room_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  sotto_window_open_room (SOTTO_WINDOW (widget), g_variant_get_string (parameter, NULL));
}

static void
room_activated_cb (GtkListView *list,
                   guint        position,
                   SottoWindow *self)
{
  g_autoptr(SottoRoom) room = g_list_model_get_item (G_LIST_MODEL (self->selection), position);

  if (room != NULL)
    _sotto_window_rooms_select (self, room);
}

static void
room_search_changed_cb (GtkSearchEntry *entry,
                        SottoWindow    *self)
{
  if (self->room_filter != NULL)
    gtk_string_filter_set_search (self->room_filter,
                                  gtk_editable_get_text (GTK_EDITABLE (entry)));
}

/* Enter in the jump entry opens the first room that matches. */
static void
room_search_activate_cb (GtkSearchEntry *entry,
                         SottoWindow    *self)
{
  g_autoptr(SottoRoom) room = NULL;

  if (self->selection == NULL ||
      g_list_model_get_n_items (G_LIST_MODEL (self->selection)) == 0)
    return;

  room = g_list_model_get_item (G_LIST_MODEL (self->selection), 0);
  /* The room takes the focus before the entry goes away. */
  _sotto_window_rooms_select (self, room);
  gtk_search_bar_set_search_mode (self->search_bar, FALSE);
}

static void
room_search_stop_cb (GtkSearchEntry *entry,
                     SottoWindow    *self)
{
  gtk_editable_set_text (GTK_EDITABLE (entry), "");
  gtk_search_bar_set_search_mode (self->search_bar, FALSE);
}

static void
window_active_cb (SottoWindow *self,
                  GParamSpec  *pspec,
                  gpointer     user_data)
{
  _sotto_window_rooms_mark_read (self);
}

static void
leaflet_child_cb (AdwLeaflet  *leaflet,
                  GParamSpec  *pspec,
                  SottoWindow *self)
{
  _sotto_window_rooms_mark_read (self);
}

void
_sotto_window_rooms_attach (SottoWindow *self)
{
  GListModel *rooms = sotto_client_get_rooms (self->client);
  GtkSortListModel *sorted;
  GtkListItemFactory *factory;
  GtkExpression *name;

  if (self->watches == NULL)
    self->watches = g_hash_table_new_full (NULL, NULL, NULL, unwatch);

  sorted = gtk_sort_list_model_new (g_object_ref (rooms),
                                    GTK_SORTER (gtk_custom_sorter_new (compare_rooms, NULL, NULL)));
  name = gtk_property_expression_new (SOTTO_TYPE_ROOM, NULL, "name");
  self->room_filter = gtk_string_filter_new (name);
  gtk_string_filter_set_match_mode (self->room_filter, GTK_STRING_FILTER_MATCH_MODE_SUBSTRING);
  gtk_string_filter_set_ignore_case (self->room_filter, TRUE);
  self->filtered_rooms = gtk_filter_list_model_new (G_LIST_MODEL (sorted),
                                                    g_object_ref (GTK_FILTER (self->room_filter)));
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->filtered_rooms)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_row_cb), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row_cb), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_row_cb), self);
  gtk_list_view_set_factory (self->room_list, factory);
  g_object_unref (factory);
  gtk_list_view_set_model (self->room_list, GTK_SELECTION_MODEL (self->selection));

  g_signal_connect (rooms, "items-changed", G_CALLBACK (rooms_changed_cb), self);
  g_signal_connect (self->filtered_rooms, "items-changed", G_CALLBACK (filtered_changed_cb), self);
  g_signal_connect (self, "notify::is-active", G_CALLBACK (window_active_cb), NULL);
  g_signal_connect (self->leaflet, "notify::visible-child", G_CALLBACK (leaflet_child_cb), self);
  sync_watches (self);
  filtered_changed_cb (G_LIST_MODEL (self->filtered_rooms), 0, 0, 0, self);
}

void
_sotto_window_rooms_detach (SottoWindow *self)
{
  if (self->client != NULL)
    g_signal_handlers_disconnect_by_func (sotto_client_get_rooms (self->client),
                                          rooms_changed_cb, self);
  g_signal_handlers_disconnect_by_func (self, window_active_cb, NULL);
  if (self->leaflet != NULL)
    g_signal_handlers_disconnect_by_func (self->leaflet, leaflet_child_cb, self);
  if (self->watches != NULL)
    g_hash_table_remove_all (self->watches);

  if (self->room_list != NULL)
    {
      gtk_list_view_set_model (self->room_list, NULL);
      gtk_list_view_set_factory (self->room_list, NULL);
    }
  if (self->filtered_rooms != NULL)
    g_signal_handlers_disconnect_by_func (self->filtered_rooms, filtered_changed_cb, self);
  g_clear_object (&self->selection);
  g_clear_object (&self->filtered_rooms);
  g_clear_object (&self->room_filter);
  if (self->room_search != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->room_search), "");
}

void
_sotto_window_rooms_class_init (GtkWidgetClass *widget_class)
{
  /**
   * SottoWindow::unseen-message:
   * @room: where it was said
   * @message: the newest message of @room the user has not seen
   *
   * A message came in while the window was in the background.
   */
  signals[UNSEEN_MESSAGE] =
    g_signal_new ("unseen-message", G_TYPE_FROM_CLASS (widget_class), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, SOTTO_TYPE_ROOM, SOTTO_TYPE_MESSAGE);

  /**
   * SottoWindow::room-seen:
   * @room: the room the user now sees
   *
   * Whatever was unread in @room has been seen.
   */
  signals[ROOM_SEEN] =
    g_signal_new ("room-seen", G_TYPE_FROM_CLASS (widget_class), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, SOTTO_TYPE_ROOM);

  gtk_widget_class_install_action (widget_class, "win.open-room", "s", open_room_action);
  gtk_widget_class_bind_template_callback (widget_class, room_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, room_search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, room_search_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, room_search_stop_cb);
}
