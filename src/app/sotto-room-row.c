/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sotto-room-row.h"

/*
 * A room or direct chat in the sidebar: its name, the last message and
 * when it came, and how many messages are unread.
 */

struct _SottoRoomRow
{
  AdwBin      parent_instance;

  AdwAvatar  *avatar;
  GtkLabel   *name_label;
  GtkLabel   *time_label;
  GtkLabel   *preview_label;
  GtkLabel   *unread_label;

  SottoRoom  *room;
  char       *own_user;
  /* The message the preview shows, watched: it may become readable */
  SottoMessage *last;
  gulong      last_id;
};

G_DEFINE_FINAL_TYPE (SottoRoomRow, sotto_room_row, ADW_TYPE_BIN)

/* "14:02" today, a weekday this week, else the date. */
static char *
format_when (gint64 ts)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (ts / 1000);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  GTimeSpan ago = g_date_time_difference (now, time);

  if (g_date_time_get_day_of_year (time) == g_date_time_get_day_of_year (now) &&
      g_date_time_get_year (time) == g_date_time_get_year (now))
    return g_date_time_format (time, "%H:%M");
  if (ago < 6 * G_TIME_SPAN_DAY)
    return g_date_time_format (time, "%a");
  /* Translators: the date of a room's last message in the sidebar, see strftime */
  return g_date_time_format (time, _("%x"));
}

static void show_last_message (SottoRoomRow *self);

static void
last_changed_cb (SottoMessage *message,
                 GParamSpec   *pspec,
                 SottoRoomRow *self)
{
  const char *name = g_param_spec_get_name (pspec);

  if (g_str_equal (name, "state") || g_str_equal (name, "text") ||
      g_str_equal (name, "deletion"))
    show_last_message (self);
}

static void
watch_last (SottoRoomRow *self,
            SottoMessage *last)
{
  if (self->last == last)
    return;
  if (self->last != NULL)
    g_clear_signal_handler (&self->last_id, self->last);
  g_set_object (&self->last, last);
  /* Its state, and its text: an edit or a deletion changes it. */
  if (last != NULL)
    self->last_id = g_signal_connect (last, "notify", G_CALLBACK (last_changed_cb), self);
}

static void
show_last_message (SottoRoomRow *self)
{
  GListModel *messages = sotto_room_get_messages (self->room);
  guint n = g_list_model_get_n_items (messages);
  g_autoptr(SottoMessage) last = n > 0 ? g_list_model_get_item (messages, n - 1) : NULL;
  g_autofree char *preview = NULL;
  g_autofree char *when = NULL;

  watch_last (self, last);

  if (last == NULL)
    {
      gtk_label_set_text (self->preview_label, _("No messages yet"));
      gtk_label_set_text (self->time_label, "");
      return;
    }

  switch (sotto_message_get_state (last))
    {
    case SOTTO_MESSAGE_SYSTEM:
      preview = g_strdup (sotto_message_get_text (last));
      break;
    case SOTTO_MESSAGE_WAITING_FOR_KEY:
      preview = g_strdup (_("Waiting for the sender’s key…"));
      break;
    case SOTTO_MESSAGE_UNVERIFIABLE:
      preview = g_strdup (_("A message that could not be verified"));
      break;
    case SOTTO_MESSAGE_SENDING:
    case SOTTO_MESSAGE_SENT:
    case SOTTO_MESSAGE_RECEIVED:
    default:
      if (sotto_message_get_deletion (last) != SOTTO_MESSAGE_NOT_DELETED)
        preview = g_strdup (_("A message was deleted"));
      else if (g_strcmp0 (sotto_message_get_sender (last), self->own_user) == 0)
        /* Translators: the preview of the last message in a room, when it is one's own */
        preview = g_strdup_printf (_("You: %s"), sotto_message_get_text (last));
      else if (sotto_room_get_direct (self->room))
        preview = g_strdup (sotto_message_get_text (last));
      else
        preview = g_strdup_printf ("%s: %s", sotto_message_get_sender (last),
                                   sotto_message_get_text (last));
      break;
    }

  /* One line: newlines would be cut by the label anyway. */
  g_strdelimit (preview, "\n\r\t", ' ');
  gtk_label_set_text (self->preview_label, preview);

  when = sotto_message_get_ts (last) > 0 ? format_when (sotto_message_get_ts (last))
                                         : g_strdup ("");
  gtk_label_set_text (self->time_label, when);
}

static void
messages_changed_cb (GListModel   *messages,
                     guint         position,
                     guint         removed,
                     guint         added,
                     SottoRoomRow *self)
{
  if (position + added >= g_list_model_get_n_items (messages))
    show_last_message (self);
}

static void
unread_cb (SottoRoom    *room,
           GParamSpec   *pspec,
           SottoRoomRow *self)
{
  guint unread = sotto_room_get_unread (room);
  g_autofree char *text = unread > 99 ? g_strdup ("99+") : g_strdup_printf ("%u", unread);

  gtk_label_set_text (self->unread_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->unread_label), unread > 0);
  if (unread > 0)
    gtk_widget_add_css_class (GTK_WIDGET (self->name_label), "unread");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->name_label), "unread");
}

/**
 * sotto_room_row_set_room:
 * @room: (nullable): the room, or %NULL to unbind
 */
void
sotto_room_row_set_room (SottoRoomRow *self,
                         SottoRoom    *room,
                         const char   *own_user)
{
  const char *name;

  g_return_if_fail (SOTTO_IS_ROOM_ROW (self));

  if (self->room != NULL)
    {
      g_signal_handlers_disconnect_by_data (sotto_room_get_messages (self->room), self);
      g_signal_handlers_disconnect_by_data (self->room, self);
    }
  watch_last (self, NULL);
  g_clear_object (&self->room);
  g_clear_pointer (&self->own_user, g_free);

  if (room == NULL)
    return;

  self->room = g_object_ref (room);
  self->own_user = g_strdup (own_user);
  name = sotto_room_get_display_name (room);
  gtk_label_set_text (self->name_label, name);
  adw_avatar_set_text (self->avatar, sotto_room_get_direct (room) ? name : name + 1);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self), name);

  g_signal_connect (sotto_room_get_messages (room), "items-changed",
                    G_CALLBACK (messages_changed_cb), self);
  g_signal_connect (room, "notify::unread", G_CALLBACK (unread_cb), self);
  show_last_message (self);
  unread_cb (room, NULL, self);
}

/**
 * sotto_room_row_get_room:
 *
 * Returns: (transfer none) (nullable): the room shown
 */
SottoRoom *
sotto_room_row_get_room (SottoRoomRow *self)
{
  g_return_val_if_fail (SOTTO_IS_ROOM_ROW (self), NULL);
  return self->room;
}

const char *
sotto_room_row_get_preview (SottoRoomRow *self)
{
  g_return_val_if_fail (SOTTO_IS_ROOM_ROW (self), NULL);
  return gtk_label_get_text (self->preview_label);
}

static void
sotto_room_row_dispose (GObject *object)
{
  SottoRoomRow *self = SOTTO_ROOM_ROW (object);

  sotto_room_row_set_room (self, NULL, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), SOTTO_TYPE_ROOM_ROW);

  G_OBJECT_CLASS (sotto_room_row_parent_class)->dispose (object);
}

static void
sotto_room_row_class_init (SottoRoomRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sotto_room_row_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               APP_RESOURCE_PATH "/ui/sotto-room-row.ui");
  gtk_widget_class_bind_template_child (widget_class, SottoRoomRow, avatar);
  gtk_widget_class_bind_template_child (widget_class, SottoRoomRow, name_label);
  gtk_widget_class_bind_template_child (widget_class, SottoRoomRow, time_label);
  gtk_widget_class_bind_template_child (widget_class, SottoRoomRow, preview_label);
  gtk_widget_class_bind_template_child (widget_class, SottoRoomRow, unread_label);
}

static void
sotto_room_row_init (SottoRoomRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

SottoRoomRow *
sotto_room_row_new (void)
{
  return g_object_new (SOTTO_TYPE_ROOM_ROW, NULL);
}
