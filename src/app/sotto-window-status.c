/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sotto-window-private.h"

/*
 * What the window tells of the connection: the line under the account
 * name, with a countdown while it waits to reconnect, and toasts for
 * losing and regaining it, server notices, being removed from a room, and
 * changed keys of someone not in the room shown (the room view tells of
 * the others), and history coming from another of the account's
 * computers. The views
 * inside the window show their toasts through win.show-toast.
 */

static void
show_toast (SottoWindow *self,
            const char  *text)
{
  AdwToast *toast = adw_toast_new (text);

  adw_toast_set_timeout (toast, 4);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
show_toast_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  show_toast (SOTTO_WINDOW (widget), g_variant_get_string (parameter, NULL));
}

/* The connection, in the line under the account name */

static gboolean
countdown_cb (gpointer user_data);

static void
update_status (SottoWindow *self)
{
  g_autofree char *text = NULL;
  const char *icon = "network-offline-symbolic";
  gint64 at;

  g_clear_handle_id (&self->countdown_id, g_source_remove);

  if (self->client == NULL)
    return;

  switch (sotto_client_get_state (self->client))
    {
    case SOTTO_CLIENT_ONLINE:
      text = g_strdup (_("Online"));
      icon = "network-transmit-receive-symbolic";
      break;
    case SOTTO_CLIENT_RECONNECTING:
      at = sotto_client_get_reconnect_time (self->client);
      if (at > 0)
        {
          gint64 seconds = MAX ((at - g_get_monotonic_time () + G_USEC_PER_SEC - 1) /
                                G_USEC_PER_SEC, 1);

          text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Offline · reconnecting in %d s…",
                                               "Offline · reconnecting in %d s…", seconds),
                                  (int) seconds);
          self->countdown_id = g_timeout_add_seconds (1, countdown_cb, self);
        }
      else
        text = g_strdup (_("Offline · reconnecting…"));
      break;
    case SOTTO_CLIENT_CONNECTING:
    case SOTTO_CLIENT_HANDSHAKING:
    case SOTTO_CLIENT_AUTHENTICATING:
      text = g_strdup (_("Connecting…"));
      break;
    case SOTTO_CLIENT_AWAITING_TRUST:
    case SOTTO_CLIENT_DISCONNECTED:
    default:
      text = g_strdup (_("Offline"));
      break;
    }

  gtk_label_set_text (self->status_label, text);
  gtk_image_set_from_icon_name (self->status_icon, icon);
}

static gboolean
countdown_cb (gpointer user_data)
{
  SottoWindow *self = user_data;

  self->countdown_id = 0;
  update_status (self);
  return G_SOURCE_REMOVE;
}

static void
client_state_cb (SottoClient *client,
                 GParamSpec  *pspec,
                 gpointer     user_data)
{
  SottoWindow *self = user_data;
  SottoClientState state = sotto_client_get_state (client);

  update_status (self);

  if (state == SOTTO_CLIENT_RECONNECTING && self->was_online)
    show_toast (self, _("Connection lost. Reconnecting…"));
  else if (state == SOTTO_CLIENT_ONLINE && !self->was_online)
    {
      show_toast (self, _("Connected again"));
      /* What the server said before it went is old news. */
      sotto_room_view_show_notice (self->room_view, NULL);
    }

  if (state == SOTTO_CLIENT_ONLINE)
    self->was_online = TRUE;
  else if (state == SOTTO_CLIENT_RECONNECTING)
    self->was_online = FALSE;
}

static void
notice_cb (SottoClient *client,
           const char  *text,
           gpointer     user_data)
{
  SottoWindow *self = user_data;

  /* Once, over the room, until dismissed or the connection is made
   * again: not a toast over the composer. */
  sotto_room_view_show_notice (self->room_view, text);
}

/* The room shown tells of a member's changed safety number in the bar over
 * its conversation; a toast tells only of someone who is not in it. */
static void
identity_changed_cb (SottoClient *client,
                     const char  *user,
                     gboolean     was_verified,
                     gpointer     user_data)
{
  SottoWindow *self = user_data;
  SottoRoom *shown = sotto_room_view_get_room (self->room_view);
  g_autofree char *text = NULL;

  if (shown != NULL && sotto_room_lookup_member (shown, user) != NULL)
    return;

  if (was_verified)
    text = g_strdup_printf (_("%s’s safety number changed. Nothing is sent in the rooms you share "
                              "until you look at it there."), user);
  else
    text = g_strdup_printf (_("%s’s safety number changed. Look at it in a room you share."),
                            user);
  show_toast (self, text);
}

/* The room is gone from the list, and from the view if it was shown: the
 * toast says why. */
static void
removed_from_room_cb (SottoClient *client,
                      SottoRoom   *room,
                      gpointer     user_data)
{
  SottoWindow *self = user_data;
  g_autofree char *text = g_strdup_printf (_("You were removed from %s"),
                                           sotto_room_get_display_name (room));

  show_toast (self, text);
}

/* History from another computer of the account: a bar over the account
 * while it comes, a toast once it is all here. */
static void
history_progress_cb (SottoClient *client,
                     const char  *device,
                     gboolean     sending,
                     guint        done,
                     guint        total,
                     gpointer     user_data)
{
  SottoWindow *self = user_data;
  g_autofree char *text = NULL;

  if (sending)
    return;

  if (done >= total)
    {
      gtk_revealer_set_reveal_child (self->history_revealer, FALSE);
      /* Toasts read markup; the name is the other computer's to choose. */
      text = g_markup_printf_escaped (g_dngettext (GETTEXT_PACKAGE,
                                                   "%u earlier message arrived from “%s”",
                                                   "%u earlier messages arrived from “%s”",
                                                   total),
                                      total, device);
      show_toast (self, text);
      return;
    }

  text = g_strdup_printf (_("Receiving earlier messages from “%s”: %u of %u"), device, done,
                          total);
  gtk_label_set_text (self->history_label, text);
  gtk_progress_bar_set_fraction (self->history_bar, (double) done / (double) total);
  gtk_revealer_set_reveal_child (self->history_revealer, TRUE);
}

void
_sotto_window_status_attach (SottoWindow *self)
{
  g_signal_connect (self->client, "history-progress", G_CALLBACK (history_progress_cb), self);
  g_signal_connect (self->client, "notify::state", G_CALLBACK (client_state_cb), self);
  g_signal_connect (self->client, "notice", G_CALLBACK (notice_cb), self);
  g_signal_connect (self->client, "identity-changed", G_CALLBACK (identity_changed_cb), self);
  g_signal_connect (self->client, "removed-from-room", G_CALLBACK (removed_from_room_cb), self);
  sotto_room_view_show_notice (self->room_view, NULL);
  update_status (self);
}

void
_sotto_window_status_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.show-toast", "s", show_toast_action);
}
