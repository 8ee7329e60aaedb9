/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sotto-room-view-private.h"

/*
 * The composer: Enter sends, Shift+Enter starts a new line, what was typed
 * stays with its room as a draft (and while sending is held), and the line
 * above it says who else is typing.
 */

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

/* While a verified contact's changed safety number holds sending in the
 * room, what is typed stays in the composer, and Enter tells why it is
 * not sent. */
static void
update_send_button (SottoRoomView *self)
{
  g_autofree char *text = dup_composer_text (self);

  gtk_widget_set_sensitive (self->send_button,
                            !text_is_blank (text) && self->room != NULL &&
                            sotto_room_get_blocked_by (self->room) == NULL);
}

static void
buffer_changed_cb (GtkTextBuffer *buffer,
                   SottoRoomView *self)
{
  g_autofree char *text = dup_composer_text (self);
  gboolean blank = text_is_blank (text);

  gtk_widget_set_visible (GTK_WIDGET (self->placeholder_label), *text == '\0');
  update_send_button (self);

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

  /* A reply or an edit under way takes it. */
  if (_sotto_room_view_send_in_mode (self, text))
    {
      sotto_room_view_scroll_to_bottom (self);
      return;
    }

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

/* Enter sends; Shift+Enter (or Ctrl+Enter) starts a new line; Up in an
 * empty composer edits the last message, Escape ends a reply or an
 * edit. */
static gboolean
composer_key_cb (GtkEventControllerKey *controller,
                 guint                  keyval,
                 guint                  keycode,
                 GdkModifierType        state,
                 SottoRoomView         *self)
{
  if ((keyval == GDK_KEY_Up || keyval == GDK_KEY_Escape) &&
      !(state & (GDK_SHIFT_MASK | GDK_CONTROL_MASK | GDK_ALT_MASK)))
    {
      g_autofree char *text = dup_composer_text (self);

      return _sotto_room_view_mode_key (self, keyval, *text == '\0');
    }
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

const char *
sotto_room_view_get_typing_text (SottoRoomView *self)
{
  g_return_val_if_fail (SOTTO_IS_ROOM_VIEW (self), NULL);
  return gtk_label_get_text (self->typing_label);
}

/* What was typed stays with its room. */
void
_sotto_room_view_composer_save_draft (SottoRoomView *self)
{
  g_autofree char *draft = dup_composer_text (self);

  sotto_room_set_draft (self->room, draft);
}

void
_sotto_room_view_composer_clear (SottoRoomView *self)
{
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->composer), "", -1);
  gtk_label_set_text (self->typing_label, " ");
}

void
_sotto_room_view_composer_attach (SottoRoomView *self)
{
  g_autofree char *placeholder = NULL;

  /* Translators: the composer's placeholder; %s is "#room" or a person */
  placeholder = g_strdup_printf (_("Message %s"), sotto_room_get_display_name (self->room));
  gtk_label_set_text (self->placeholder_label, placeholder);

  g_signal_connect (self->room, "notify::typing", G_CALLBACK (typing_cb), self);
  typing_cb (self->room, NULL, self);
  g_signal_connect_swapped (self->room, "notify::blocked-by", G_CALLBACK (update_send_button),
                            self);
  update_send_button (self);
}

void
_sotto_room_view_composer_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_callback (widget_class, send_clicked_cb);
}

void
_sotto_room_view_composer_init (SottoRoomView *self)
{
  GtkEventController *keys;

  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (composer_key_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->composer), keys);

  g_signal_connect (gtk_text_view_get_buffer (self->composer), "changed",
                    G_CALLBACK (buffer_changed_cb), self);
  gtk_label_set_text (self->typing_label, " ");
}
