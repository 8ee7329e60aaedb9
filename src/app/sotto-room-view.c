/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sotto-room-view-private.h"

/*
 * The chat view of one room: its history in a recycling list that opens at
 * the newest message and follows new ones only while the user is at the
 * bottom, older pages loaded as the user scrolls up, the composer, who is
 * typing, and the members or a search of messages in a panel at the side.
 *
 * This file holds the room shown; the history, the members, the bar about
 * changed safety numbers, the composer, leaving, and removing members live
 * in sotto-room-view-*.c. Toasts go up as win.show-toast.
 */

enum {
  PROP_0,
  PROP_FOLDED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (SottoRoomView, sotto_room_view, ADW_TYPE_BIN)

static void
client_state_cb (SottoClient   *client,
                 GParamSpec    *pspec,
                 SottoRoomView *self)
{
  gtk_revealer_set_reveal_child (self->offline_revealer,
                                 sotto_client_get_state (client) != SOTTO_CLIENT_ONLINE);
}

/* The room shown */

static void
detach (SottoRoomView *self)
{
  _sotto_room_view_history_detach (self);
  _sotto_room_view_actions_detach (self);
  _sotto_room_view_members_detach (self);
  _sotto_room_view_review_detach (self);
  _sotto_room_view_invite_detach (self);
  _sotto_room_view_search_detach (self);

  if (self->room != NULL)
    g_signal_handlers_disconnect_by_data (self->room, self);
  if (self->client != NULL)
    g_signal_handlers_disconnect_by_data (self->client, self);

  g_clear_object (&self->room);
  g_clear_object (&self->client);
}

/**
 * sotto_room_view_set_room:
 * @client: (nullable): the logged-in client
 * @room: (nullable): the room to show, or %NULL for none
 */
void
sotto_room_view_set_room (SottoRoomView *self,
                          SottoClient   *client,
                          SottoRoom     *room)
{
  g_return_if_fail (SOTTO_IS_ROOM_VIEW (self));
  g_return_if_fail (room == NULL || SOTTO_IS_CLIENT (client));

  if (self->room == room && self->client == client)
    return;

  /* An edit under way gives the draft back first. */
  if (self->room != NULL)
    {
      _sotto_room_view_end_mode (self);
      _sotto_room_view_composer_save_draft (self);
    }

  detach (self);
  _sotto_room_view_composer_clear (self);

  if (room == NULL)
    {
      /* Logged out, or out of the room: nothing to search. */
      sotto_search_panel_set_room (self->search_panel, NULL);
      if (client == NULL)
        sotto_search_panel_set_client (self->search_panel, NULL);
      _sotto_room_view_update_bottom_button (self);
      return;
    }

  self->client = g_object_ref (client);
  self->room = g_object_ref (room);

  adw_window_title_set_title (self->window_title, sotto_room_get_display_name (room));
  _sotto_room_view_composer_attach (self);
  _sotto_room_view_history_attach (self);
  _sotto_room_view_members_attach (self);
  _sotto_room_view_review_attach (self);
  _sotto_room_view_invite_attach (self);
  _sotto_room_view_files_attach (self);
  _sotto_room_view_search_attach (self);

  g_signal_connect (client, "notify::state", G_CALLBACK (client_state_cb), self);
  client_state_cb (client, NULL, self);

  sotto_room_view_set_draft (self, sotto_room_get_draft (room));
  sotto_room_view_scroll_to_bottom (self);
}

/**
 * sotto_room_view_show_notice:
 * @text: (nullable): what the server's operator said to everyone, or
 *   %NULL to hide it
 *
 * Shows the server's notice over the room, whichever room is shown, until
 * dismissed or hidden.
 */
void
sotto_room_view_show_notice (SottoRoomView *self,
                             const char    *text)
{
  g_return_if_fail (SOTTO_IS_ROOM_VIEW (self));

  if (text != NULL)
    {
      /* Translators: %s is what the server's operator said */
      g_autofree char *line = g_strdup_printf (_("Notice from the server: %s"), text);

      gtk_label_set_text (self->notice_label, line);
    }
  gtk_revealer_set_reveal_child (self->notice_revealer, text != NULL);
}

/**
 * sotto_room_view_get_notice:
 *
 * Returns: (nullable): the notice shown, or %NULL
 */
const char *
sotto_room_view_get_notice (SottoRoomView *self)
{
  g_return_val_if_fail (SOTTO_IS_ROOM_VIEW (self), NULL);

  return gtk_revealer_get_reveal_child (self->notice_revealer)
           ? gtk_label_get_text (self->notice_label)
           : NULL;
}

static void
notice_dismissed_cb (SottoRoomView *self)
{
  sotto_room_view_show_notice (self, NULL);
}

/**
 * sotto_room_view_get_room:
 *
 * Returns: (transfer none) (nullable): the room shown
 */
SottoRoom *
sotto_room_view_get_room (SottoRoomView *self)
{
  g_return_val_if_fail (SOTTO_IS_ROOM_VIEW (self), NULL);
  return self->room;
}

static void
sotto_room_view_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  SottoRoomView *self = SOTTO_ROOM_VIEW (object);

  switch (prop_id)
    {
    case PROP_FOLDED:
      g_value_set_boolean (value, self->folded);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sotto_room_view_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  SottoRoomView *self = SOTTO_ROOM_VIEW (object);

  switch (prop_id)
    {
    case PROP_FOLDED:
      if (self->folded != g_value_get_boolean (value))
        {
          self->folded = g_value_get_boolean (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sotto_room_view_dispose (GObject *object)
{
  SottoRoomView *self = SOTTO_ROOM_VIEW (object);

  detach (self);
  _sotto_room_view_files_dispose (self);
  _sotto_room_view_actions_detach (self);
  g_clear_pointer (&self->watched_members, g_ptr_array_unref);
  g_clear_pointer (&self->member_rows, g_ptr_array_unref);
  g_clear_pointer (&self->review_members, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), SOTTO_TYPE_ROOM_VIEW);

  G_OBJECT_CLASS (sotto_room_view_parent_class)->dispose (object);
}

static void
sotto_room_view_class_init (SottoRoomViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sotto_room_view_dispose;
  object_class->get_property = sotto_room_view_get_property;
  object_class->set_property = sotto_room_view_set_property;

  /**
   * SottoRoomView:folded:
   *
   * Whether the window shows one pane at a time: then a back button leads
   * to the rooms.
   */
  properties[PROP_FOLDED] =
    g_param_spec_boolean ("folded", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               APP_RESOURCE_PATH "/ui/sotto-room-view.ui");
  gtk_widget_class_bind_template_child (widget_class, SottoRoomView, window_title);
  gtk_widget_class_bind_template_child (widget_class, SottoRoomView, offline_revealer);
  gtk_widget_class_bind_template_child (widget_class, SottoRoomView, notice_revealer);
  gtk_widget_class_bind_template_child (widget_class, SottoRoomView, notice_label);
  gtk_widget_class_bind_template_callback (widget_class, notice_dismissed_cb);
  gtk_widget_class_bind_template_child (widget_class, SottoRoomView, flap);
  gtk_widget_class_bind_template_child (widget_class, SottoRoomView, review_revealer);
  gtk_widget_class_bind_template_child (widget_class, SottoRoomView, review_box);
  gtk_widget_class_bind_template_child (widget_class, SottoRoomView, review_label);
  gtk_widget_class_bind_template_child (widget_class, SottoRoomView, review_more_label);
  gtk_widget_class_bind_template_child (widget_class, SottoRoomView, review_compare_button);
  gtk_widget_class_bind_template_child (widget_class, SottoRoomView, review_accept_button);
  gtk_widget_class_bind_template_child (widget_class, SottoRoomView, scroller);
  gtk_widget_class_bind_template_child (widget_class, SottoRoomView, message_list);
  gtk_widget_class_bind_template_child (widget_class, SottoRoomView, bottom_button);
  gtk_widget_class_bind_template_child (widget_class, SottoRoomView, typing_label);
  gtk_widget_class_bind_template_child (widget_class, SottoRoomView, composer);
  gtk_widget_class_bind_template_child (widget_class, SottoRoomView, placeholder_label);
  gtk_widget_class_bind_template_child (widget_class, SottoRoomView, send_button);
  gtk_widget_class_bind_template_child (widget_class, SottoRoomView, attach_button);
  gtk_widget_class_bind_template_child (widget_class, SottoRoomView, uploads_box);
  gtk_widget_class_bind_template_child (widget_class, SottoRoomView, members_title);
  gtk_widget_class_bind_template_child (widget_class, SottoRoomView, member_list);

  _sotto_room_view_history_class_init (widget_class);
  _sotto_room_view_composer_class_init (widget_class);
  _sotto_room_view_members_class_init (widget_class);
  _sotto_room_view_review_class_init (widget_class);
  _sotto_room_view_leave_class_init (widget_class);
  _sotto_room_view_remove_class_init (widget_class);
  _sotto_room_view_invite_class_init (widget_class);
  _sotto_room_view_files_class_init (widget_class);
  _sotto_room_view_search_class_init (widget_class);
}

static void
sotto_room_view_init (SottoRoomView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  _sotto_room_view_history_init (self);
  _sotto_room_view_members_init (self);
  _sotto_room_view_review_init (self);
  _sotto_room_view_invite_detach (self);
  _sotto_room_view_composer_init (self);
  _sotto_room_view_files_init (self);
  _sotto_room_view_actions_init (self);
}
