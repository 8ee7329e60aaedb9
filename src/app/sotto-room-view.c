/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sotto-member-row.h"
#include "sotto-message-row.h"
#include "sotto-room-view.h"
#include "sotto-safety-dialog.h"
#include "sotto-timeline.h"

/*
 * The chat view of one room: its history in a recycling list that opens at
 * the newest message and follows new ones only while the user is at the
 * bottom, older pages loaded as the user scrolls up, the composer, who is
 * typing, and the members in a panel at the side. Toasts go up as
 * win.show-toast.
 */

/* Within this many pixels of the end counts as "at the bottom". */
#define BOTTOM_SLACK 24.0
/* Older history comes in pages of this many messages. Each page makes the
 * list rebuild the rows around where it looks (up to 200 in GTK 4.8), so
 * pages are large: reading a thousand rows from the store costs less. */
#define OLDER_PAGE 1000

struct _SottoRoomView
{
  AdwBin          parent_instance;

  AdwWindowTitle *window_title;
  GtkRevealer    *offline_revealer;
  AdwFlap        *flap;
  GtkScrolledWindow *scroller;
  GtkListView    *message_list;
  GtkWidget      *bottom_button;
  GtkLabel       *typing_label;
  GtkTextView    *composer;
  GtkLabel       *placeholder_label;
  GtkWidget      *send_button;
  GtkLabel       *members_title;
  GtkListView    *member_list;

  SottoClient    *client;
  SottoRoom      *room;
  SottoTimeline  *timeline;
  GtkAdjustment  *vadjustment;
  GPtrArray      *watched_members;
  guint           older_id;
  guint           stick_id;
  double          last_value;
  gboolean        stick_to_bottom;
  gboolean        folded;
};

enum {
  PROP_0,
  PROP_FOLDED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (SottoRoomView, sotto_room_view, ADW_TYPE_BIN)

static const char *
own_user (SottoRoomView *self)
{
  return self->client != NULL ? sotto_client_get_user (self->client) : NULL;
}

/* Scrolling */

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
    gtk_widget_activate_action (GTK_WIDGET (self->message_list), "list.scroll-to-item", "u",
                                n - 1);

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

static void
update_bottom_button (SottoRoomView *self)
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
  update_bottom_button (self);
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
  update_bottom_button (self);
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
  update_bottom_button (self);
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
  gtk_list_item_set_activatable (item, FALSE);
  gtk_list_item_set_selectable (item, FALSE);
  gtk_list_item_set_child (item, GTK_WIDGET (sotto_message_row_new ()));
}

static void
bind_message_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 SottoRoomView            *self)
{
  sotto_message_row_set_item (SOTTO_MESSAGE_ROW (gtk_list_item_get_child (item)),
                              gtk_list_item_get_item (item), own_user (self));
}

static void
unbind_message_cb (GtkSignalListItemFactory *factory,
                   GtkListItem              *item,
                   gpointer                  user_data)
{
  sotto_message_row_set_item (SOTTO_MESSAGE_ROW (gtk_list_item_get_child (item)), NULL, NULL);
}

static void
setup_member_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 gpointer                  user_data)
{
  gtk_list_item_set_child (item, GTK_WIDGET (sotto_member_row_new ()));
}

static void
bind_member_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                SottoRoomView            *self)
{
  sotto_member_row_set_member (SOTTO_MEMBER_ROW (gtk_list_item_get_child (item)),
                               gtk_list_item_get_item (item), own_user (self));
}

static void
unbind_member_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  gpointer                  user_data)
{
  sotto_member_row_set_member (SOTTO_MEMBER_ROW (gtk_list_item_get_child (item)), NULL, NULL);
}

/* Online members first, then by name. */
static int
compare_members (gconstpointer a,
                 gconstpointer b,
                 gpointer      user_data)
{
  SottoMember *member_a = (SottoMember *) a;
  SottoMember *member_b = (SottoMember *) b;

  if (sotto_member_get_online (member_a) != sotto_member_get_online (member_b))
    return sotto_member_get_online (member_a) ? -1 : 1;
  return g_utf8_collate (sotto_member_get_user (member_a), sotto_member_get_user (member_b));
}

/**
 * sotto_room_view_show_member:
 *
 * Opens the safety number shared with @user, to compare and verify.
 *
 * Returns: (transfer none) (nullable): the dialog, or %NULL for oneself
 */
GtkWindow *
sotto_room_view_show_member (SottoRoomView *self,
                             const char    *user)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWindow *dialog;

  g_return_val_if_fail (SOTTO_IS_ROOM_VIEW (self), NULL);

  if (self->client == NULL)
    return NULL;

  if (g_strcmp0 (user, own_user (self)) == 0)
    {
      gtk_widget_activate_action (GTK_WIDGET (self), "win.show-toast", "s",
                                  _("This is you. Choose someone else to compare safety numbers."));
      return NULL;
    }

  dialog = GTK_WINDOW (sotto_safety_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                self->client, user));
  gtk_window_present (dialog);
  return dialog;
}

static void
member_activated_cb (SottoRoomView *self,
                     guint          position)
{
  GListModel *model = G_LIST_MODEL (gtk_list_view_get_model (self->member_list));
  g_autoptr(SottoMember) member = g_list_model_get_item (model, position);

  if (member != NULL)
    sotto_room_view_show_member (self, sotto_member_get_user (member));
}

/* The header: the room's name and who is there */

static void member_online_cb (SottoMember   *member,
                              GParamSpec    *pspec,
                              SottoRoomView *self);

static void
unwatch_members (SottoRoomView *self)
{
  for (guint i = 0; i < self->watched_members->len; i++)
    g_signal_handlers_disconnect_by_func (g_ptr_array_index (self->watched_members, i),
                                          member_online_cb, self);
  g_ptr_array_set_size (self->watched_members, 0);
}

static void
update_subtitle (SottoRoomView *self)
{
  GListModel *members = sotto_room_get_members (self->room);
  guint n = g_list_model_get_n_items (members);
  guint online = 0;
  g_autofree char *subtitle = NULL;
  g_autofree char *title = NULL;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SottoMember) member = g_list_model_get_item (members, i);

      if (sotto_member_get_online (member))
        online++;
    }

  if (sotto_room_get_direct (self->room))
    {
      const char *other = sotto_room_get_display_name (self->room);
      SottoMember *member = sotto_room_lookup_member (self->room, other);

      if (member == NULL)
        subtitle = g_strdup (_("Direct chat"));
      else if (sotto_member_get_online (member))
        subtitle = g_strdup (_("Direct chat · online"));
      else
        subtitle = g_strdup (_("Direct chat · offline"));
    }
  else
    /* Translators: the first %u is the number of members, the second how many are online */
    subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u member · %u online",
                                             "%u members · %u online", n), n, online);

  adw_window_title_set_subtitle (self->window_title, subtitle);
  title = g_strdup_printf (_("Members (%u)"), n);
  gtk_label_set_text (self->members_title, title);
}

static void
member_online_cb (SottoMember   *member,
                  GParamSpec    *pspec,
                  SottoRoomView *self)
{
  update_subtitle (self);
}

static void
members_changed_cb (GListModel    *members,
                    guint          position,
                    guint          removed,
                    guint          added,
                    SottoRoomView *self)
{
  unwatch_members (self);
  for (guint i = 0; i < g_list_model_get_n_items (members); i++)
    {
      g_autoptr(SottoMember) member = g_list_model_get_item (members, i);

      g_signal_connect (member, "notify::online", G_CALLBACK (member_online_cb), self);
      g_ptr_array_add (self->watched_members, g_object_ref (member));
    }
  update_subtitle (self);
}

static void
typing_cb (SottoRoom     *room,
           GParamSpec    *pspec,
           SottoRoomView *self)
{
  g_auto(GStrv) users = sotto_room_dup_typing (room);
  guint n = users != NULL ? g_strv_length (users) : 0;
  g_autofree char *text = NULL;

  if (n == 1)
    text = g_strdup_printf (_("%s is typing…"), users[0]);
  else if (n == 2)
    text = g_strdup_printf (_("%s and %s are typing…"), users[0], users[1]);
  else if (n > 2)
    text = g_strdup (_("Several people are typing…"));

  /* A space keeps the line's height, so the list does not jump. */
  gtk_label_set_text (self->typing_label, text != NULL ? text : " ");
}

static void
client_state_cb (SottoClient   *client,
                 GParamSpec    *pspec,
                 SottoRoomView *self)
{
  gtk_revealer_set_reveal_child (self->offline_revealer,
                                 sotto_client_get_state (client) != SOTTO_CLIENT_ONLINE);
}

/* The composer */

static char *
dup_composer_text (SottoRoomView *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->composer);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static gboolean
text_is_blank (const char *text)
{
  for (const char *c = text; *c != '\0'; c = g_utf8_next_char (c))
    if (!g_unichar_isspace (g_utf8_get_char (c)))
      return FALSE;
  return TRUE;
}

static void
buffer_changed_cb (GtkTextBuffer *buffer,
                   SottoRoomView *self)
{
  g_autofree char *text = dup_composer_text (self);
  gboolean blank = text_is_blank (text);

  gtk_widget_set_visible (GTK_WIDGET (self->placeholder_label), *text == '\0');
  gtk_widget_set_sensitive (self->send_button, !blank && self->room != NULL);

  if (!blank && self->client != NULL && self->room != NULL &&
      sotto_client_get_state (self->client) == SOTTO_CLIENT_ONLINE)
    sotto_client_send_typing (self->client, self->room);
}

/**
 * sotto_room_view_send:
 *
 * Sends what the composer holds; offline it waits in the outbox and shows
 * as "Sending…" until the connection returns.
 */
void
sotto_room_view_send (SottoRoomView *self)
{
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  SottoMessage *message;
  gsize length;

  g_return_if_fail (SOTTO_IS_ROOM_VIEW (self));

  if (self->client == NULL || self->room == NULL)
    return;

  text = dup_composer_text (self);
  if (text_is_blank (text))
    return;

  /* Trailing blank lines are a slip of the Enter key. */
  length = strlen (text);
  while (length > 0 && g_ascii_isspace (text[length - 1]))
    text[--length] = '\0';

  message = sotto_client_send_message (self->client, self->room, text, &error);
  if (message == NULL)
    {
      gtk_widget_activate_action (GTK_WIDGET (self), "win.show-toast", "s", error->message);
      return;
    }

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->composer), "", -1);
  sotto_room_view_scroll_to_bottom (self);
}

static void
send_clicked_cb (SottoRoomView *self)
{
  sotto_room_view_send (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->composer));
}

/* Enter sends; Shift+Enter (or Ctrl+Enter) starts a new line. */
static gboolean
composer_key_cb (GtkEventControllerKey *controller,
                 guint                  keyval,
                 guint                  keycode,
                 GdkModifierType        state,
                 SottoRoomView         *self)
{
  if (keyval != GDK_KEY_Return && keyval != GDK_KEY_KP_Enter && keyval != GDK_KEY_ISO_Enter)
    return FALSE;
  if (state & (GDK_SHIFT_MASK | GDK_CONTROL_MASK | GDK_ALT_MASK))
    return FALSE;

  sotto_room_view_send (self);
  return TRUE;
}

void
sotto_room_view_set_draft (SottoRoomView *self,
                           const char    *text)
{
  g_return_if_fail (SOTTO_IS_ROOM_VIEW (self));
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->composer), text, -1);
}

char *
sotto_room_view_dup_draft (SottoRoomView *self)
{
  g_return_val_if_fail (SOTTO_IS_ROOM_VIEW (self), NULL);
  return dup_composer_text (self);
}

void
sotto_room_view_focus_composer (SottoRoomView *self)
{
  g_return_if_fail (SOTTO_IS_ROOM_VIEW (self));
  gtk_widget_grab_focus (GTK_WIDGET (self->composer));
}

/* Actions */

static void
toggle_members_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  SottoRoomView *self = SOTTO_ROOM_VIEW (widget);

  adw_flap_set_reveal_flap (self->flap, !adw_flap_get_reveal_flap (self->flap));
}

static void
close_panels_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  SottoRoomView *self = SOTTO_ROOM_VIEW (widget);

  if (adw_flap_get_reveal_flap (self->flap))
    {
      adw_flap_set_reveal_flap (self->flap, FALSE);
      gtk_widget_grab_focus (GTK_WIDGET (self->composer));
    }
}

static void
left_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GtkWidget) window = user_data;
  g_autoptr(GError) error = NULL;

  if (!sotto_client_leave_finish (SOTTO_CLIENT (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && window != NULL)
    gtk_widget_activate_action (window, "win.show-toast", "s", error->message);
}

static void
leave_response_cb (AdwMessageDialog *dialog,
                   const char       *response,
                   SottoRoomView    *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  const char *room = g_object_get_data (G_OBJECT (dialog), "room");

  if (g_strcmp0 (response, "leave") != 0 || self->client == NULL || room == NULL)
    return;

  sotto_client_leave_async (self->client, room, NULL, left_cb,
                            root != NULL ? g_object_ref (GTK_WIDGET (root)) : NULL);
}

static void
leave_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  SottoRoomView *self = SOTTO_ROOM_VIEW (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  const char *name;
  g_autofree char *heading = NULL;
  GtkWidget *dialog;

  if (self->room == NULL)
    return;

  name = sotto_room_get_display_name (self->room);
  heading = sotto_room_get_direct (self->room)
    ? g_strdup_printf (_("Leave the Chat With %s?"), name)
    : g_strdup_printf (_("Leave %s?"), name);
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, heading,
                                   _("Its history is removed from this computer. You can join "
                                     "again later, but you will not be able to read what was "
                                     "said while you were away."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "leave", _("_Leave"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "leave",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "room", g_strdup (sotto_room_get_name (self->room)),
                          g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (leave_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* The room shown */

static void
detach (SottoRoomView *self)
{
  g_clear_handle_id (&self->older_id, g_source_remove);
  g_clear_handle_id (&self->stick_id, g_source_remove);

  if (self->room != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->room, self);
      g_signal_handlers_disconnect_by_data (sotto_room_get_members (self->room), self);
      unwatch_members (self);
    }
  if (self->client != NULL)
    g_signal_handlers_disconnect_by_data (self->client, self);

  if (self->message_list != NULL)
    gtk_list_view_set_model (self->message_list, NULL);
  if (self->member_list != NULL)
    gtk_list_view_set_model (self->member_list, NULL);

  g_clear_object (&self->timeline);
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
  const char *title;
  g_autofree char *placeholder = NULL;
  GtkNoSelection *messages;
  GtkNoSelection *members;
  GtkSortListModel *sorted;

  g_return_if_fail (SOTTO_IS_ROOM_VIEW (self));
  g_return_if_fail (room == NULL || SOTTO_IS_CLIENT (client));

  if (self->room == room && self->client == client)
    return;

  /* What was typed stays with its room. */
  if (self->room != NULL)
    {
      g_autofree char *draft = dup_composer_text (self);

      sotto_room_set_draft (self->room, draft);
    }

  detach (self);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->composer), "", -1);
  gtk_label_set_text (self->typing_label, " ");

  if (room == NULL)
    {
      update_bottom_button (self);
      return;
    }

  self->client = g_object_ref (client);
  self->room = g_object_ref (room);

  title = sotto_room_get_display_name (room);
  adw_window_title_set_title (self->window_title, title);
  /* Translators: the composer's placeholder; %s is "#room" or a person */
  placeholder = g_strdup_printf (_("Message %s"), title);
  gtk_label_set_text (self->placeholder_label, placeholder);

  self->timeline = sotto_timeline_new (sotto_room_get_messages (room));
  messages = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->timeline)));
  gtk_list_view_set_model (self->message_list, GTK_SELECTION_MODEL (messages));
  g_object_unref (messages);

  sorted = gtk_sort_list_model_new (g_object_ref (sotto_room_get_members (room)),
                                    GTK_SORTER (gtk_custom_sorter_new (compare_members, NULL,
                                                                       NULL)));
  members = gtk_no_selection_new (G_LIST_MODEL (sorted));
  gtk_list_view_set_model (self->member_list, GTK_SELECTION_MODEL (members));
  g_object_unref (members);

  g_signal_connect (sotto_room_get_members (room), "items-changed",
                    G_CALLBACK (members_changed_cb), self);
  g_signal_connect (room, "notify::typing", G_CALLBACK (typing_cb), self);
  g_signal_connect (client, "notify::state", G_CALLBACK (client_state_cb), self);
  members_changed_cb (sotto_room_get_members (room), 0, 0, 0, self);
  typing_cb (room, NULL, self);
  client_state_cb (client, NULL, self);

  sotto_room_view_set_draft (self, sotto_room_get_draft (room));
  sotto_room_view_scroll_to_bottom (self);
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

const char *
sotto_room_view_get_typing_text (SottoRoomView *self)
{
  g_return_val_if_fail (SOTTO_IS_ROOM_VIEW (self), NULL);
  return gtk_label_get_text (self->typing_label);
}

gboolean
sotto_room_view_get_members_shown (SottoRoomView *self)
{
  g_return_val_if_fail (SOTTO_IS_ROOM_VIEW (self), FALSE);
  return adw_flap_get_reveal_flap (self->flap);
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
  g_clear_pointer (&self->watched_members, g_ptr_array_unref);
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
  gtk_widget_class_bind_template_child (widget_class, SottoRoomView, flap);
  gtk_widget_class_bind_template_child (widget_class, SottoRoomView, scroller);
  gtk_widget_class_bind_template_child (widget_class, SottoRoomView, message_list);
  gtk_widget_class_bind_template_child (widget_class, SottoRoomView, bottom_button);
  gtk_widget_class_bind_template_child (widget_class, SottoRoomView, typing_label);
  gtk_widget_class_bind_template_child (widget_class, SottoRoomView, composer);
  gtk_widget_class_bind_template_child (widget_class, SottoRoomView, placeholder_label);
  gtk_widget_class_bind_template_child (widget_class, SottoRoomView, send_button);
  gtk_widget_class_bind_template_child (widget_class, SottoRoomView, members_title);
  gtk_widget_class_bind_template_child (widget_class, SottoRoomView, member_list);
  gtk_widget_class_bind_template_callback (widget_class, bottom_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, send_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, member_activated_cb);

  gtk_widget_class_install_action (widget_class, "room.toggle-members", NULL,
                                   toggle_members_action);
  gtk_widget_class_install_action (widget_class, "room.close-panels", NULL, close_panels_action);
  gtk_widget_class_install_action (widget_class, "room.leave", NULL, leave_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "room.close-panels",
                                       NULL);
}

static void
sotto_room_view_init (SottoRoomView *self)
{
  GtkListItemFactory *factory;
  GtkEventController *keys;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->watched_members = g_ptr_array_new_with_free_func (g_object_unref);
  self->stick_to_bottom = TRUE;

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_message_cb), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_message_cb), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_message_cb), self);
  gtk_list_view_set_factory (self->message_list, factory);
  g_object_unref (factory);

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_member_cb), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_member_cb), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_member_cb), self);
  gtk_list_view_set_factory (self->member_list, factory);
  g_object_unref (factory);

  self->vadjustment = gtk_scrolled_window_get_vadjustment (self->scroller);
  g_signal_connect (self->vadjustment, "value-changed", G_CALLBACK (value_changed_cb), self);
  g_signal_connect (self->vadjustment, "notify::upper", G_CALLBACK (extent_changed_cb), self);
  g_signal_connect (self->vadjustment, "notify::page-size", G_CALLBACK (extent_changed_cb), self);

  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (composer_key_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->composer), keys);

  g_signal_connect (gtk_text_view_get_buffer (self->composer), "changed",
                    G_CALLBACK (buffer_changed_cb), self);
  gtk_label_set_text (self->typing_label, " ");
}
