/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sotto-room-view-private.h"

/*
 * What the user does to messages in the room shown: reply and edit (a
 * bar over the composer says which, and Escape ends it; Up in an empty
 * composer edits the user's last message), delete for everyone (after
 * asking), react (a reaction the user gave is taken back), copy the
 * text, and go to the message a reply answers, loading older history
 * until it is there.
 */

/* The composer's text, read and set here directly: the composer calls
 * this file, not the other way round. */
static char *
dup_text (SottoRoomView *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->composer);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static void
set_text (SottoRoomView *self,
          const char    *text)
{
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->composer), text, -1);
}

/* The message a reply or an edit is about, shown in the bar. */
static void
show_mode (SottoRoomView *self)
{
  const char *sender;
  g_autofree char *title = NULL;
  g_autofree char *excerpt = NULL;

  if (self->compose_target == NULL)
    {
      gtk_revealer_set_reveal_child (self->mode_revealer, FALSE);
      return;
    }
  sender = sotto_message_get_sender (self->compose_target);
  if (self->compose_mode == SOTTO_COMPOSE_EDIT)
    title = g_strdup (_("Editing Your Message"));
  else
    /* Translators: over the composer, %s is whom the user answers */
    title = g_strdup_printf (_("Replying to %s"), sender);
  excerpt = sotto_message_excerpt (sotto_message_get_text (self->compose_target));
  gtk_label_set_text (self->mode_title, title);
  gtk_label_set_text (self->mode_text, excerpt);
  gtk_revealer_set_reveal_child (self->mode_revealer, TRUE);
}

/**
 * _sotto_room_view_end_mode:
 *
 * Ends a reply or an edit: an edit gives the composer back what it held
 * before.
 */
void
_sotto_room_view_end_mode (SottoRoomView *self)
{
  gboolean editing = self->compose_mode == SOTTO_COMPOSE_EDIT;

  self->compose_mode = SOTTO_COMPOSE_NEW;
  g_clear_object (&self->compose_target);
  if (editing)
    set_text (self, self->saved_draft != NULL ? self->saved_draft : "");
  g_clear_pointer (&self->saved_draft, g_free);
  show_mode (self);
}

static void
start_mode (SottoRoomView   *self,
            SottoComposeMode mode,
            SottoMessage    *message)
{
  if (self->compose_mode == SOTTO_COMPOSE_EDIT)
    _sotto_room_view_end_mode (self);
  self->compose_mode = mode;
  g_set_object (&self->compose_target, message);
  if (mode == SOTTO_COMPOSE_EDIT)
    {
      g_free (self->saved_draft);
      self->saved_draft = dup_text (self);
      set_text (self, sotto_message_get_text (message));
    }
  show_mode (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->composer));
}

/**
 * _sotto_room_view_send_in_mode:
 * @text: what the composer holds
 *
 * Returns: %TRUE if a reply or an edit took @text (sent, or refused with
 *   a toast)
 */
gboolean
_sotto_room_view_send_in_mode (SottoRoomView *self,
                               const char    *text)
{
  g_autoptr(GError) error = NULL;
  SottoMessage *sent;

  if (self->compose_target == NULL)
    return FALSE;

  if (self->compose_mode == SOTTO_COMPOSE_EDIT)
    sent = sotto_client_edit_message (self->client, self->room, self->compose_target, text,
                                      &error);
  else
    sent = sotto_client_reply (self->client, self->room, self->compose_target, text, &error);
  if (sent == NULL)
    {
      gtk_widget_activate_action (GTK_WIDGET (self), "win.show-toast", "s", error->message);
      return TRUE;
    }

  /* What was typed went: an edit does not give the draft back until
   * the next one. */
  self->compose_mode = SOTTO_COMPOSE_NEW;
  g_clear_object (&self->compose_target);
  set_text (self, self->saved_draft != NULL ? self->saved_draft : "");
  g_clear_pointer (&self->saved_draft, g_free);
  show_mode (self);
  return TRUE;
}

/* The user's latest message they may still edit. */
static SottoMessage *
last_editable (SottoRoomView *self)
{
  GListModel *messages = sotto_room_get_messages (self->room);

  for (guint i = g_list_model_get_n_items (messages); i > 0; i--)
    {
      g_autoptr(SottoMessage) message = g_list_model_get_item (messages, i - 1);

      if (sotto_client_can_edit (self->client, message))
        return message;
    }
  return NULL;
}

/**
 * _sotto_room_view_mode_key:
 *
 * Returns: whether @keyval, pressed in the composer, began or ended a
 *   reply or an edit: Escape ends one, Up in an empty composer edits the
 *   user's last message
 */
gboolean
_sotto_room_view_mode_key (SottoRoomView *self,
                           guint          keyval,
                           gboolean       composer_empty)
{
  SottoMessage *last;

  if (keyval == GDK_KEY_Escape && self->compose_target != NULL)
    {
      _sotto_room_view_end_mode (self);
      return TRUE;
    }
  if (keyval == GDK_KEY_Up && composer_empty && self->compose_target == NULL &&
      self->room != NULL && (last = last_editable (self)) != NULL)
    {
      start_mode (self, SOTTO_COMPOSE_EDIT, last);
      return TRUE;
    }
  return FALSE;
}

static void
delete_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    SottoRoomView    *self)
{
  SottoMessage *message = g_object_get_data (G_OBJECT (dialog), "message");
  g_autoptr(GError) error = NULL;

  if (!g_str_equal (response, "delete") || self->room == NULL)
    return;
  if (sotto_client_delete_message (self->client, self->room, message, &error) == NULL)
    gtk_widget_activate_action (GTK_WIDGET (self), "win.show-toast", "s", error->message);
}

static void
ask_delete (SottoRoomView *self,
            SottoMessage  *message)
{
  gboolean own = g_strcmp0 (sotto_message_get_sender (message),
                            _sotto_room_view_own_user (self)) == 0;
  GtkWidget *dialog;
  g_autofree char *body = NULL;

  if (own)
    body = g_strdup (_("Nobody in the room will see what it said any more. This cannot be "
                       "undone."));
  else
    /* Translators: %s wrote the message a moderator deletes */
    body = g_strdup_printf (_("Nobody in the room will see what %s said any more; the room "
                              "sees that a moderator deleted it. This cannot be undone."),
                            sotto_message_get_sender (message));
  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                   _("Delete for Everyone?"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"),
                                    "delete", _("_Delete"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "message", g_object_ref (message), g_object_unref);
  g_signal_connect_object (dialog, "response", G_CALLBACK (delete_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static gboolean
ref_loaded (SottoRoomView *self,
            gconstpointer  ref)
{
  return sotto_room_lookup_ref (self->room, ref) != NULL;
}

static gboolean
is_message (SottoMessage  *message,
            gconstpointer  target)
{
  return message == target;
}

/* Finds the message @ref names among those the room shows, loading older
 * ones until it is there: its place in the room's messages, or -1. */
static int
find_position (SottoRoomView         *self,
               const SottoMessageRef *ref)
{
  SottoMessage *target;

  _sotto_room_view_load_older_until (self, ref_loaded, ref);
  target = sotto_room_lookup_ref (self->room, ref);
  return target != NULL ? _sotto_room_view_find_message (self, is_message, target) : -1;
}

/**
 * sotto_room_view_jump_to_replied:
 * @reply: a reply of the room shown
 *
 * Scrolls to the message @reply answers.
 *
 * Returns: whether the room has it (it may have been deleted for good,
 *   or be older than this computer's history)
 */
gboolean
sotto_room_view_jump_to_replied (SottoRoomView *self,
                                 SottoMessage  *reply)
{
  const SottoMessageAction *action;
  int position;

  g_return_val_if_fail (SOTTO_IS_ROOM_VIEW (self), FALSE);
  g_return_val_if_fail (SOTTO_IS_MESSAGE (reply), FALSE);

  action = sotto_message_get_action (reply);
  if (self->room == NULL || action == NULL || action->type != SOTTO_MESSAGE_BODY_REPLY)
    return FALSE;
  position = find_position (self, &action->target);
  if (position < 0)
    {
      gtk_widget_activate_action (GTK_WIDGET (self), "win.show-toast", "s",
                                  _("The message this answers is not on this computer"));
      return FALSE;
    }
  _sotto_room_view_scroll_to_message (self, (guint) position);
  return TRUE;
}

/**
 * _sotto_room_view_message_action:
 *
 * What the user asked of a message, from its row.
 */
void
_sotto_room_view_message_action (SottoRoomView *self,
                                 SottoMessage  *message,
                                 const char    *action,
                                 const char    *param,
                                 gpointer       row)
{
  g_autoptr(GError) error = NULL;

  if (self->room == NULL)
    return;

  if (g_str_equal (action, "reply"))
    start_mode (self, SOTTO_COMPOSE_REPLY, message);
  else if (g_str_equal (action, "edit"))
    start_mode (self, SOTTO_COMPOSE_EDIT, message);
  else if (g_str_equal (action, "delete"))
    ask_delete (self, message);
  else if (g_str_equal (action, "copy"))
    gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)),
                            sotto_message_get_text (message));
  else if (g_str_equal (action, "jump"))
    sotto_room_view_jump_to_replied (self, message);
  else if (g_str_equal (action, "react") && param != NULL)
    {
      gboolean given = sotto_message_has_reaction_from (message, _sotto_room_view_own_user (self),
                                                        param);

      if (sotto_client_react (self->client, self->room, message, param, !given, &error) == NULL)
        gtk_widget_activate_action (GTK_WIDGET (self), "win.show-toast", "s", error->message);
    }
}

static void
mode_close_cb (SottoRoomView *self)
{
  _sotto_room_view_end_mode (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->composer));
}

/* The bar over the composer, made once. */
void
_sotto_room_view_actions_init (SottoRoomView *self)
{
  GtkWidget *bar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *labels = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *close = gtk_button_new_from_icon_name ("window-close-symbolic");
  GtkWidget *icon = gtk_image_new_from_icon_name ("mail-reply-sender-symbolic");

  gtk_widget_add_css_class (bar, "compose-mode");
  gtk_widget_set_margin_start (bar, 16);
  gtk_widget_set_margin_end (bar, 12);
  gtk_widget_set_margin_top (bar, 4);
  gtk_widget_add_css_class (icon, "dim-label");
  gtk_box_append (GTK_BOX (bar), icon);
  self->mode_title = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->mode_title, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->mode_title), "caption-heading");
  self->mode_text = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->mode_text, 0);
  gtk_label_set_ellipsize (self->mode_text, PANGO_ELLIPSIZE_END);
  gtk_label_set_single_line_mode (self->mode_text, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->mode_text), "caption");
  gtk_widget_add_css_class (GTK_WIDGET (self->mode_text), "dim-label");
  gtk_box_append (GTK_BOX (labels), GTK_WIDGET (self->mode_title));
  gtk_box_append (GTK_BOX (labels), GTK_WIDGET (self->mode_text));
  gtk_widget_set_hexpand (labels, TRUE);
  gtk_box_append (GTK_BOX (bar), labels);
  gtk_widget_add_css_class (close, "flat");
  gtk_widget_add_css_class (close, "circular");
  gtk_widget_set_valign (close, GTK_ALIGN_CENTER);
  /* Translators: ends a reply or an edit; Escape does the same */
  gtk_widget_set_tooltip_text (close, _("Cancel"));
  g_signal_connect_swapped (close, "clicked", G_CALLBACK (mode_close_cb), self);
  gtk_box_append (GTK_BOX (bar), close);

  self->mode_revealer = GTK_REVEALER (gtk_revealer_new ());
  gtk_revealer_set_child (self->mode_revealer, bar);
  gtk_box_insert_child_after (GTK_BOX (gtk_widget_get_parent (self->uploads_box)),
                              GTK_WIDGET (self->mode_revealer), self->uploads_box);
}

void
_sotto_room_view_actions_detach (SottoRoomView *self)
{
  self->compose_mode = SOTTO_COMPOSE_NEW;
  g_clear_object (&self->compose_target);
  g_clear_pointer (&self->saved_draft, g_free);
  show_mode (self);
}
