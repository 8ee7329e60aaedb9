/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sotto-message-row.h"
#include "sotto-room-view-private.h"

/*
 * The room's history: a recycling list that opens at the newest message
 * and follows new ones only while the user is at the bottom, with older
 * pages loaded as the user scrolls up.
 */

/* Within this many pixels of the end counts as "at the bottom". */
#define BOTTOM_SLACK 24.0
/* Older history comes in pages of this many messages. Each page makes the
 * list rebuild the rows around where it looks (up to 200 in GTK 4.8), so
 * pages are large: reading a thousand rows from the store costs less. */
#define OLDER_PAGE 1000

static gboolean
at_bottom (SottoRoomView *self)
{
  GtkAdjustment *adj = self->vadjustment;

  return gtk_adjustment_get_value (adj) + gtk_adjustment_get_page_size (adj) >=
         gtk_adjustment_get_upper (adj) - BOTTOM_SLACK;
}

/* Puts the end of the list in view; @to_item first brings the last row
 * itself into the list's layout, for a jump from far away. Nothing moves
 * when the list is already there, so following the end settles. */
static void
jump_to_end (SottoRoomView *self,
             gboolean       to_item)
{
  GtkAdjustment *adj = self->vadjustment;
  guint n = self->timeline != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->timeline)) : 0;
  double target;

  if (to_item && n > 0)
    {
      /* The adjustment may still be another room's until the list's
       * next layout: moving it now would point the list at a place it
       * does not have. The list keeps the last row in view, and the
       * change of extent after the layout brings the very end. */
      gtk_widget_activate_action (GTK_WIDGET (self->message_list), "list.scroll-to-item", "u",
                                  n - 1);
      self->last_value = gtk_adjustment_get_value (adj);
      return;
    }

  target = gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj);
  if (ABS (gtk_adjustment_get_value (adj) - target) >= 1.0)
    gtk_adjustment_set_value (adj, target);
  self->last_value = gtk_adjustment_get_value (adj);
}

/* Row heights are estimates until rows are built: keep at the end until
 * the list settles. */
static gboolean
stick_cb (gpointer user_data)
{
  SottoRoomView *self = user_data;

  self->stick_id = 0;
  if (self->stick_to_bottom && self->timeline != NULL)
    jump_to_end (self, FALSE);
  return G_SOURCE_REMOVE;
}

static void
queue_stick (SottoRoomView *self)
{
  if (self->stick_id == 0)
    self->stick_id = g_idle_add_full (G_PRIORITY_HIGH_IDLE + 20, stick_cb, self, NULL);
}

static gboolean
load_older_cb (gpointer user_data)
{
  SottoRoomView *self = user_data;
  g_autoptr(GError) error = NULL;
  guint added;

  self->older_id = 0;
  if (self->room == NULL || self->client == NULL || sotto_room_get_history_complete (self->room))
    return G_SOURCE_REMOVE;

  added = sotto_client_load_older (self->client, self->room, OLDER_PAGE, &error);
  if (added == 0 && error != NULL)
    g_warning ("Could not load older messages of %s: %s", sotto_room_get_name (self->room),
               error->message);

  /* At the very top the list has nothing to keep in place: show the
   * message that was first, so reading goes on where it was. */
  if (added > 0 && gtk_adjustment_get_value (self->vadjustment) < 1.0)
    gtk_widget_activate_action (GTK_WIDGET (self->message_list), "list.scroll-to-item", "u",
                                sotto_timeline_get_position (self->timeline, added));
  return G_SOURCE_REMOVE;
}

static void
maybe_load_older (SottoRoomView *self)
{
  if (self->room != NULL && self->older_id == 0 &&
      !sotto_room_get_history_complete (self->room) &&
      gtk_adjustment_get_value (self->vadjustment) < gtk_adjustment_get_page_size (self->vadjustment))
    self->older_id = g_idle_add (load_older_cb, self);
}

/**
 * _sotto_room_view_load_older_until:
 * @loaded: says whether what is looked for is among the messages loaded
 *
 * Loads older pages of the room shown until @loaded says so, or there is
 * no older history.
 */
void
_sotto_room_view_load_older_until (SottoRoomView       *self,
                                   SottoRoomViewLoaded  loaded,
                                   gconstpointer        data)
{
  while (!loaded (self, data) &&
         sotto_client_load_older (self->client, self->room, OLDER_PAGE, NULL) > 0)
    ;
}

/* The place among the room's messages of the newest one @match takes,
 * or -1. */
int
_sotto_room_view_find_message (SottoRoomView      *self,
                               SottoRoomViewMatch  match,
                               gconstpointer       data)
{
  GListModel *messages = sotto_room_get_messages (self->room);

  for (guint i = g_list_model_get_n_items (messages); i > 0; i--)
    {
      g_autoptr(SottoMessage) message = g_list_model_get_item (messages, i - 1);

      if (match (message, data))
        return (int) (i - 1);
    }
  return -1;
}

/* Scrolls to the room's message at @position among its messages; the
 * list stops following the end. */
void
_sotto_room_view_scroll_to_message (SottoRoomView *self,
                                    guint          position)
{
  self->stick_to_bottom = FALSE;
  gtk_widget_activate_action (GTK_WIDGET (self->message_list), "list.scroll-to-item", "u",
                              sotto_timeline_get_position (self->timeline, position));
  _sotto_room_view_update_bottom_button (self);
}

void
_sotto_room_view_update_bottom_button (SottoRoomView *self)
{
  gtk_widget_set_visible (self->bottom_button, self->timeline != NULL && !self->stick_to_bottom);
}

static void
value_changed_cb (GtkAdjustment *adj,
                  SottoRoomView *self)
{
  double value = gtk_adjustment_get_value (adj);

  /* Only the user scrolls up; growth of the list never moves the value. */
  if (at_bottom (self))
    self->stick_to_bottom = TRUE;
  else if (value < self->last_value - 1.0)
    self->stick_to_bottom = FALSE;
  self->last_value = value;
  _sotto_room_view_update_bottom_button (self);
  maybe_load_older (self);
}

static void
extent_changed_cb (GtkAdjustment *adj,
                   GParamSpec    *pspec,
                   SottoRoomView *self)
{
  if (self->stick_to_bottom)
    queue_stick (self);
  else
    self->last_value = gtk_adjustment_get_value (adj);
}

void
sotto_room_view_scroll_to_bottom (SottoRoomView *self)
{
  g_return_if_fail (SOTTO_IS_ROOM_VIEW (self));

  self->stick_to_bottom = TRUE;
  _sotto_room_view_update_bottom_button (self);
  jump_to_end (self, TRUE);
  queue_stick (self);
}

void
sotto_room_view_scroll_to_top (SottoRoomView *self)
{
  g_return_if_fail (SOTTO_IS_ROOM_VIEW (self));

  self->stick_to_bottom = FALSE;
  if (self->timeline != NULL && g_list_model_get_n_items (G_LIST_MODEL (self->timeline)) > 0)
    gtk_widget_activate_action (GTK_WIDGET (self->message_list), "list.scroll-to-item", "u", 0);
  gtk_adjustment_set_value (self->vadjustment, 0);
  _sotto_room_view_update_bottom_button (self);
  maybe_load_older (self);
}

gboolean
sotto_room_view_get_at_bottom (SottoRoomView *self)
{
  g_return_val_if_fail (SOTTO_IS_ROOM_VIEW (self), FALSE);
  return self->stick_to_bottom;
}

static void
bottom_clicked_cb (SottoRoomView *self)
{
  sotto_room_view_scroll_to_bottom (self);
}

/* Rows */

static void
setup_message_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  gpointer                  user_data)
{
  SottoMessageRow *row = sotto_message_row_new ();

  gtk_list_item_set_activatable (item, FALSE);
  gtk_list_item_set_selectable (item, FALSE);
  g_signal_connect_swapped (row, "file-action", G_CALLBACK (_sotto_room_view_file_action),
                            user_data);
  g_signal_connect_swapped (row, "message-action", G_CALLBACK (_sotto_room_view_message_action),
                            user_data);
  gtk_list_item_set_child (item, GTK_WIDGET (row));
}

static void
bind_message_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 SottoRoomView            *self)
{
  SottoMessageRow *row = SOTTO_MESSAGE_ROW (gtk_list_item_get_child (item));

  sotto_message_row_set_first_new (row, self->first_new != NULL &&
                                         sotto_timeline_item_get_message (gtk_list_item_get_item (item)) ==
                                           self->first_new);
  sotto_message_row_set_client (row, self->client);
  sotto_message_row_set_item (row, gtk_list_item_get_item (item),
                              _sotto_room_view_own_user (self));
}

static void
unbind_message_cb (GtkSignalListItemFactory *factory,
                   GtkListItem              *item,
                   gpointer                  user_data)
{
  sotto_message_row_set_item (SOTTO_MESSAGE_ROW (gtk_list_item_get_child (item)), NULL, NULL);
}

/**
 * sotto_room_view_get_message_list:
 *
 * Returns: (transfer none): the list of messages
 */
GtkListView *
sotto_room_view_get_message_list (SottoRoomView *self)
{
  g_return_val_if_fail (SOTTO_IS_ROOM_VIEW (self), NULL);
  return self->message_list;
}

/* The first message of someone else after how far the user read the
 * room, as the room is opened: the "New Messages" line goes above it. */
static void
find_first_new (SottoRoomView *self)
{
  GListModel *messages = sotto_room_get_messages (self->room);
  gint64 read_seq = sotto_room_get_read_seq (self->room);
  const char *own = _sotto_room_view_own_user (self);

  g_clear_object (&self->first_new);
  if (read_seq == 0)
    return;
  for (guint i = g_list_model_get_n_items (messages); i > 0; i--)
    {
      g_autoptr(SottoMessage) message = g_list_model_get_item (messages, i - 1);
      gint64 seq = sotto_message_get_seq (message);

      if (seq > 0 && seq <= read_seq)
        break;
      if (seq > read_seq && sotto_message_get_state (message) != SOTTO_MESSAGE_SYSTEM &&
          g_strcmp0 (sotto_message_get_sender (message), own) != 0)
        g_set_object (&self->first_new, message);
    }
}

void
_sotto_room_view_history_attach (SottoRoomView *self)
{
  GtkNoSelection *messages;

  find_first_new (self);
  self->timeline = sotto_timeline_new (sotto_room_get_messages (self->room));
  messages = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->timeline)));
  gtk_list_view_set_model (self->message_list, GTK_SELECTION_MODEL (messages));
  g_object_unref (messages);
}

void
_sotto_room_view_history_detach (SottoRoomView *self)
{
  g_clear_handle_id (&self->older_id, g_source_remove);
  g_clear_handle_id (&self->stick_id, g_source_remove);
  if (self->message_list != NULL)
    gtk_list_view_set_model (self->message_list, NULL);
  g_clear_object (&self->timeline);
  g_clear_object (&self->first_new);
}

void
_sotto_room_view_history_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_callback (widget_class, bottom_clicked_cb);
}

void
_sotto_room_view_history_init (SottoRoomView *self)
{
  GtkListItemFactory *factory;

  self->stick_to_bottom = TRUE;

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_message_cb), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_message_cb), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_message_cb), self);
  gtk_list_view_set_factory (self->message_list, factory);
  g_object_unref (factory);

  self->vadjustment = gtk_scrolled_window_get_vadjustment (self->scroller);
  g_signal_connect (self->vadjustment, "value-changed", G_CALLBACK (value_changed_cb), self);
  g_signal_connect (self->vadjustment, "notify::upper", G_CALLBACK (extent_changed_cb), self);
  g_signal_connect (self->vadjustment, "notify::page-size", G_CALLBACK (extent_changed_cb), self);
}
