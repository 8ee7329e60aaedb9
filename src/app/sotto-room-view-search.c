/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sotto-message-row.h"
#include "sotto-room-view-private.h"

/*
 * The panel at the side shows the members or the search of messages, one
 * at a time, each with its button in the header bar. A search result
 * activated opens its room (through win.open-room) and scrolls to the
 * message, loading older pages until it is there, and marks its row a
 * moment.
 */

/* How long a message shown from a search stays marked. */
#define FOUND_MARK_MS 2000

static gboolean
panel_shown (SottoRoomView *self,
             const char    *name)
{
  return adw_flap_get_reveal_flap (self->flap) &&
         g_strcmp0 (gtk_stack_get_visible_child_name (self->panel_stack), name) == 0;
}

/* The buttons follow the panel. */
static void
panel_changed_cb (SottoRoomView *self)
{
  if (self->members_button == NULL || self->search_button == NULL)
    return;
  self->syncing_panel = TRUE;
  gtk_toggle_button_set_active (self->members_button, panel_shown (self, "members"));
  gtk_toggle_button_set_active (self->search_button, panel_shown (self, "search"));
  self->syncing_panel = FALSE;
}

/**
 * _sotto_room_view_show_panel:
 * @name: (nullable): "members" or "search", or %NULL to hide the panel
 */
void
_sotto_room_view_show_panel (SottoRoomView *self,
                             const char    *name)
{
  if (name != NULL)
    gtk_stack_set_visible_child_name (self->panel_stack, name);
  adw_flap_set_reveal_flap (self->flap, name != NULL);
  panel_changed_cb (self);
}

static void
panel_button_toggled_cb (SottoRoomView   *self,
                         GtkToggleButton *button)
{
  const char *name = button == self->search_button ? "search" : "members";

  if (self->syncing_panel)
    return;
  if (gtk_toggle_button_get_active (button))
    {
      _sotto_room_view_show_panel (self, name);
      if (button == self->search_button)
        sotto_search_panel_focus (self->search_panel);
    }
  else if (panel_shown (self, name))
    _sotto_room_view_show_panel (self, NULL);
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  SottoRoomView *self = SOTTO_ROOM_VIEW (widget);

  sotto_search_panel_set_all_rooms (self->search_panel, g_variant_get_boolean (parameter));
  _sotto_room_view_show_panel (self, "search");
  sotto_search_panel_focus (self->search_panel);
}

static void
search_closed_cb (SottoRoomView *self)
{
  if (panel_shown (self, "search"))
    _sotto_room_view_show_panel (self, NULL);
  gtk_widget_grab_focus (GTK_WIDGET (self->composer));
}

/* The row under @widget showing @message, if the list has built one. */
static GtkWidget *
find_row (GtkWidget    *widget,
          SottoMessage *message)
{
  if (SOTTO_IS_MESSAGE_ROW (widget))
    {
      SottoTimelineItem *item = sotto_message_row_get_item (SOTTO_MESSAGE_ROW (widget));

      return item != NULL && sotto_timeline_item_get_message (item) == message ? widget : NULL;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_row (child, message);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
clear_found (SottoRoomView *self)
{
  g_clear_handle_id (&self->found_id, g_source_remove);
  if (self->found_row != NULL)
    {
      gtk_widget_remove_css_class (self->found_row, "found");
      g_clear_weak_pointer (&self->found_row);
    }
}

static gboolean
found_timeout_cb (gpointer user_data)
{
  SottoRoomView *self = user_data;

  self->found_id = 0;
  clear_found (self);
  return G_SOURCE_REMOVE;
}

/* Once the list has scrolled and built the row: mark it a moment. */
static gboolean
mark_found_cb (gpointer user_data)
{
  SottoRoomView *self = user_data;
  GtkWidget *row;

  self->found_id = 0;
  if (self->found_message == NULL)
    return G_SOURCE_REMOVE;
  row = find_row (GTK_WIDGET (self->message_list), self->found_message);
  g_clear_object (&self->found_message);
  if (row == NULL)
    return G_SOURCE_REMOVE;
  gtk_widget_add_css_class (row, "found");
  g_set_weak_pointer (&self->found_row, row);
  self->found_id = g_timeout_add (FOUND_MARK_MS, found_timeout_cb, self);
  return G_SOURCE_REMOVE;
}

/* Whether the room has loaded its messages back to @seq. */
static gboolean
seq_loaded (SottoRoomView *self,
            gconstpointer  seq)
{
  GListModel *messages = sotto_room_get_messages (self->room);
  g_autoptr(SottoMessage) first = g_list_model_get_n_items (messages) > 0
                                  ? g_list_model_get_item (messages, 0)
                                  : NULL;

  return first != NULL && sotto_message_get_seq (first) > 0 &&
         sotto_message_get_seq (first) <= *(const gint64 *) seq;
}

static gboolean
has_seq (SottoMessage  *message,
         gconstpointer  seq)
{
  return sotto_message_get_seq (message) == *(const gint64 *) seq;
}

/**
 * sotto_room_view_show_message:
 * @seq: the number of a message of the room shown
 *
 * Scrolls to the message and marks it a moment.
 *
 * Returns: whether the room has it on this computer
 */
gboolean
sotto_room_view_show_message (SottoRoomView *self,
                              gint64         seq)
{
  GListModel *messages;
  int position;

  g_return_val_if_fail (SOTTO_IS_ROOM_VIEW (self), FALSE);

  if (self->room == NULL)
    return FALSE;
  _sotto_room_view_load_older_until (self, seq_loaded, &seq);
  if ((position = _sotto_room_view_find_message (self, has_seq, &seq)) < 0)
    return FALSE;
  messages = sotto_room_get_messages (self->room);
  clear_found (self);
  g_clear_object (&self->found_message);
  self->found_message = g_list_model_get_item (messages, (guint) position);
  _sotto_room_view_scroll_to_message (self, (guint) position);
  self->found_id = g_idle_add_full (G_PRIORITY_LOW, mark_found_cb, self, NULL);
  return TRUE;
}

static void
search_result_cb (SottoRoomView *self,
                  const char    *room,
                  gint64         seq)
{
  if (self->room == NULL || g_strcmp0 (sotto_room_get_name (self->room), room) != 0)
    gtk_widget_activate_action (GTK_WIDGET (self), "win.open-room", "s", room);
  if (self->room == NULL || g_strcmp0 (sotto_room_get_name (self->room), room) != 0)
    {
      gtk_widget_activate_action (GTK_WIDGET (self), "win.show-toast", "s",
                                  _("You are no longer in that room"));
      return;
    }
  if (!sotto_room_view_show_message (self, seq))
    {
      gtk_widget_activate_action (GTK_WIDGET (self), "win.show-toast", "s",
                                  _("That message is no longer on this computer"));
      return;
    }
  /* Over the chat, the panel would hide what was found. */
  if (adw_flap_get_folded (self->flap))
    _sotto_room_view_show_panel (self, NULL);
}

void
_sotto_room_view_search_attach (SottoRoomView *self)
{
  sotto_search_panel_set_client (self->search_panel, self->client);
  sotto_search_panel_set_room (self->search_panel, self->room);
}

void
_sotto_room_view_search_detach (SottoRoomView *self)
{
  clear_found (self);
  g_clear_object (&self->found_message);
}

/**
 * sotto_room_view_get_search_panel:
 *
 * Returns: (transfer none): the search of messages at the side
 */
SottoSearchPanel *
sotto_room_view_get_search_panel (SottoRoomView *self)
{
  g_return_val_if_fail (SOTTO_IS_ROOM_VIEW (self), NULL);
  return self->search_panel;
}

/**
 * sotto_room_view_get_search_shown:
 *
 * Returns: whether the search of messages is shown at the side
 */
gboolean
sotto_room_view_get_search_shown (SottoRoomView *self)
{
  g_return_val_if_fail (SOTTO_IS_ROOM_VIEW (self), FALSE);
  return panel_shown (self, "search");
}

void
_sotto_room_view_search_class_init (GtkWidgetClass *widget_class)
{
  g_type_ensure (SOTTO_TYPE_SEARCH_PANEL);
  gtk_widget_class_bind_template_child (widget_class, SottoRoomView, panel_stack);
  gtk_widget_class_bind_template_child (widget_class, SottoRoomView, members_button);
  gtk_widget_class_bind_template_child (widget_class, SottoRoomView, search_button);
  gtk_widget_class_bind_template_child (widget_class, SottoRoomView, search_panel);
  gtk_widget_class_bind_template_callback (widget_class, panel_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, panel_button_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_result_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_closed_cb);

  /* Ctrl+F searches the room, Ctrl+Shift+F every room (the window's
   * accelerators, wherever the focus is, come here too). */
  gtk_widget_class_install_action (widget_class, "room.search", "b", search_action);
}
