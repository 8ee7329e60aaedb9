/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-cli-chat-view.h"
#include "sotto-cli-feed.h"
#include "sotto-cli-format.h"
#include "sotto-cli-print.h"
#include "sotto-cli-review.h"

/*
 * What the chat shows: the room the user is in, with its last few
 * messages on entering it, and the messages of every room as they come,
 * those of other rooms with the room's name; and what the user says
 * there. Leaving the room takes the user to another.
 */

#define RECENT_MESSAGES 10

struct _SottoCliChatView
{
  GObject        parent_instance;

  SottoClient   *client;
  SottoCliRooms *rooms;
  GCancellable  *cancellable;
  SottoCliFeed  *feed;
  gulong         direct_id;
  gulong         removed_id;
  char          *current_room;
};

G_DEFINE_FINAL_TYPE (SottoCliChatView, sotto_cli_chat_view, G_TYPE_OBJECT)

static void
sotto_cli_chat_view_dispose (GObject *object)
{
  SottoCliChatView *self = SOTTO_CLI_CHAT_VIEW (object);

  if (self->rooms != NULL)
    g_clear_signal_handler (&self->direct_id, self->rooms);
  if (self->client != NULL)
    g_clear_signal_handler (&self->removed_id, self->client);
  g_clear_object (&self->feed);
  g_clear_object (&self->rooms);
  g_clear_object (&self->client);

  G_OBJECT_CLASS (sotto_cli_chat_view_parent_class)->dispose (object);
}

static void
sotto_cli_chat_view_finalize (GObject *object)
{
  SottoCliChatView *self = SOTTO_CLI_CHAT_VIEW (object);

  g_clear_object (&self->cancellable);
  g_free (self->current_room);

  G_OBJECT_CLASS (sotto_cli_chat_view_parent_class)->finalize (object);
}

static void
sotto_cli_chat_view_class_init (SottoCliChatViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sotto_cli_chat_view_dispose;
  object_class->finalize = sotto_cli_chat_view_finalize;
}

static void
sotto_cli_chat_view_init (SottoCliChatView *self)
{
}

static void
direct_chat_opened_cb (SottoCliRooms *rooms,
                       SottoRoom     *room,
                       gpointer       user_data)
{
  SottoCliChatView *self = user_data;
  g_autofree char *label = sotto_cli_rooms_label (self->rooms, sotto_room_get_name (room));

  sotto_cli_say (TRUE, _("%s opened a direct chat with you: /join %s to talk there."),
                 label + 1, label);
}

static void go_elsewhere (SottoCliChatView *self);

/* SottoCliConnect tells of it; the user is taken to another room. */
static void
removed_from_room_cb (SottoClient *client,
                      SottoRoom   *room,
                      gpointer     user_data)
{
  SottoCliChatView *self = user_data;

  if (g_strcmp0 (sotto_room_get_name (room), self->current_room) == 0)
    go_elsewhere (self);
}

/**
 * sotto_cli_chat_view_new:
 * @cancellable: the run's; cancelled when the run ends
 */
SottoCliChatView *
sotto_cli_chat_view_new (SottoClient   *client,
                         SottoCliRooms *rooms,
                         GCancellable  *cancellable)
{
  SottoCliChatView *self;

  g_return_val_if_fail (SOTTO_IS_CLIENT (client), NULL);
  g_return_val_if_fail (SOTTO_IS_CLI_ROOMS (rooms), NULL);
  g_return_val_if_fail (G_IS_CANCELLABLE (cancellable), NULL);

  self = g_object_new (SOTTO_TYPE_CLI_CHAT_VIEW, NULL);
  self->client = g_object_ref (client);
  self->rooms = g_object_ref (rooms);
  self->cancellable = g_object_ref (cancellable);
  self->direct_id = g_signal_connect (rooms, "direct-chat-opened",
                                      G_CALLBACK (direct_chat_opened_cb), self);
  /* After SottoCliConnect has told of it. */
  self->removed_id = g_signal_connect_after (client, "removed-from-room",
                                             G_CALLBACK (removed_from_room_cb), self);

  return self;
}

/**
 * sotto_cli_chat_view_get_room:
 *
 * Returns: (nullable): the name of the room the user is in
 */
const char *
sotto_cli_chat_view_get_room (SottoCliChatView *self)
{
  g_return_val_if_fail (SOTTO_IS_CLI_CHAT_VIEW (self), NULL);

  return self->current_room;
}

/* Shows the last few messages of @room, when the user goes to it. */
static void
show_recent (SottoCliChatView *self,
             SottoRoom        *room)
{
  GListModel *messages = sotto_room_get_messages (room);
  guint n = g_list_model_get_n_items (messages);
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);

  for (guint i = n; i > 0 && lines->len < RECENT_MESSAGES; i--)
    {
      g_autoptr(SottoMessage) message = g_list_model_get_item (messages, i - 1);
      char *line = sotto_cli_format_message (message, NULL);

      if (line != NULL)
        g_ptr_array_add (lines, line);
    }

  for (guint i = lines->len; i > 0; i--)
    g_print ("%s\n", (const char *) g_ptr_array_index (lines, i - 1));
}

/**
 * sotto_cli_chat_view_enter:
 *
 * Takes the user to @room, and shows its last few messages.
 */
void
sotto_cli_chat_view_enter (SottoCliChatView *self,
                           SottoRoom        *room)
{
  g_autofree char *label = NULL;

  g_return_if_fail (SOTTO_IS_CLI_CHAT_VIEW (self));
  g_return_if_fail (SOTTO_IS_ROOM (room));

  label = sotto_cli_rooms_label (self->rooms, sotto_room_get_name (room));

  /* What is on the screen already is not shown again. */
  if (g_strcmp0 (self->current_room, sotto_room_get_name (room)) == 0)
    {
      sotto_cli_say (TRUE, _("You are in %s already."), label);
      return;
    }

  g_free (self->current_room);
  self->current_room = g_strdup (sotto_room_get_name (room));
  sotto_cli_say (TRUE, _("You are in %s."), label);
  show_recent (self, room);
}

/* Sending */

typedef struct
{
  SottoCliChatView *view;
  char             *text;
} Sending;

static void
sending_free (gpointer data)
{
  Sending *sending = data;

  g_free (sending->text);
  g_free (sending);
}

static void
text_ready_cb (SottoCliRooms *rooms,
               SottoRoom     *room,
               const GError  *error,
               gpointer       user_data)
{
  Sending *sending = user_data;
  g_autoptr(GError) send_error = NULL;
  g_autofree char *refused = NULL;

  if (error != NULL)
    {
      sotto_cli_say (TRUE, "%s", error->message);
      return;
    }

  /* The feed prints it once the server has it. */
  if (sotto_client_send_message (sending->view->client, room, sending->text,
                                 &send_error) != NULL)
    return;

  refused = sotto_cli_review_refused (room, send_error, TRUE);
  sotto_cli_say (TRUE, "%s", refused);
}

/**
 * sotto_cli_chat_view_send:
 * @room: the room, as the user names it; joined or opened if needed
 *
 * Sends @text to @room; the feed shows it once the server has it.
 */
void
sotto_cli_chat_view_send (SottoCliChatView *self,
                          const char       *room,
                          const char       *text)
{
  Sending *sending;

  g_return_if_fail (SOTTO_IS_CLI_CHAT_VIEW (self));
  g_return_if_fail (room != NULL);
  g_return_if_fail (text != NULL);

  sending = g_new0 (Sending, 1);
  sending->view = self;
  sending->text = g_strdup (text);
  sotto_cli_rooms_open (self->rooms, room, text_ready_cb, sending, sending_free);
}

/* Leaving a room */

/* The room the user was in is gone: to the first of the others. */
static void
go_elsewhere (SottoCliChatView *self)
{
  GListModel *rooms = sotto_client_get_rooms (self->client);

  g_clear_pointer (&self->current_room, g_free);
  if (g_list_model_get_n_items (rooms) > 0)
    {
      g_autoptr(SottoRoom) next = g_list_model_get_item (rooms, 0);

      sotto_cli_chat_view_enter (self, next);
    }
  else
    sotto_cli_say (TRUE, _("You are in no room now: /join ROOM to go to one."));
}

typedef struct
{
  SottoCliChatView *view;
  char             *room;
} Leaving;

static void
left_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Leaving *leaving = user_data;
  g_autoptr(SottoCliChatView) self = leaving->view;
  g_autofree char *room = leaving->room;
  g_autofree char *label = NULL;
  g_autoptr(GError) error = NULL;

  g_free (leaving);
  if (!sotto_client_leave_finish (SOTTO_CLIENT (object), result, &error))
    {
      if (!g_cancellable_is_cancelled (self->cancellable))
        sotto_cli_say (TRUE, "%s", error->message);
      return;
    }
  if (g_cancellable_is_cancelled (self->cancellable))
    return;

  label = sotto_cli_rooms_label (self->rooms, room);
  sotto_cli_say (TRUE, _("You left %s."), label);
  if (g_strcmp0 (room, self->current_room) == 0)
    go_elsewhere (self);
}

/**
 * sotto_cli_chat_view_leave:
 * @name: (nullable): the room to leave, as the user names it; %NULL for
 *   the one they are in
 *
 * Leaves a room, and takes the user to another if they were in it.
 */
void
sotto_cli_chat_view_leave (SottoCliChatView *self,
                           const char       *name)
{
  g_autofree char *room = NULL;
  Leaving *leaving;

  g_return_if_fail (SOTTO_IS_CLI_CHAT_VIEW (self));

  if (name == NULL)
    name = self->current_room;
  if (name == NULL)
    {
      sotto_cli_say (TRUE, _("You are in no room."));
      return;
    }

  room = sotto_cli_rooms_canonical (self->rooms, name);
  if (room == NULL || sotto_client_lookup_room (self->client, room) == NULL)
    {
      sotto_cli_say (TRUE, _("You are not in %s."), name);
      return;
    }

  leaving = g_new0 (Leaving, 1);
  leaving->view = g_object_ref (self);
  leaving->room = g_steal_pointer (&room);
  sotto_client_leave_async (self->client, leaving->room, self->cancellable, left_cb, leaving);
}

static void
message_cb (SottoCliFeed *feed,
            SottoMessage *message,
            gpointer      user_data)
{
  SottoCliChatView *self = user_data;
  const char *room = sotto_message_get_room (message);
  g_autofree char *label = NULL;
  g_autofree char *line = NULL;

  if (g_strcmp0 (room, self->current_room) != 0)
    label = sotto_cli_rooms_label (self->rooms, room);

  line = sotto_cli_format_message (message, label);
  if (line != NULL)
    g_print ("%s\n", line);
}

static void
missing_found_cb (SottoCliFeed *feed,
                  SottoMessage *message,
                  gpointer      user_data)
{
  SottoCliChatView *self = user_data;
  const char *room = sotto_message_get_room (message);
  g_autofree char *label = NULL;
  g_autofree char *line = NULL;

  if (g_strcmp0 (room, self->current_room) != 0)
    label = sotto_cli_rooms_label (self->rooms, room);

  line = sotto_cli_format_missing_found (message, label);
  if (line != NULL)
    g_print ("%s\n", line);
}

/**
 * sotto_cli_chat_view_logged_in:
 *
 * Shows the messages of every room from now on, lists the user's rooms
 * and takes them to the first.
 */
void
sotto_cli_chat_view_logged_in (SottoCliChatView *self)
{
  GListModel *rooms;
  guint n;
  g_autoptr(GString) names = g_string_new (NULL);

  g_return_if_fail (SOTTO_IS_CLI_CHAT_VIEW (self));

  rooms = sotto_client_get_rooms (self->client);
  n = g_list_model_get_n_items (rooms);
  g_clear_object (&self->feed);
  self->feed = sotto_cli_feed_new (rooms);
  g_signal_connect (self->feed, "message", G_CALLBACK (message_cb), self);
  g_signal_connect (self->feed, "missing-found", G_CALLBACK (missing_found_cb), self);

  sotto_cli_say (TRUE, _("Logged in as %s."), sotto_client_get_user (self->client));
  if (n == 0)
    {
      sotto_cli_say (TRUE, _("Join a room with /join ROOM."));
      return;
    }

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SottoRoom) room = g_list_model_get_item (rooms, i);
      g_autofree char *label = sotto_cli_rooms_label (self->rooms, sotto_room_get_name (room));

      if (i > 0)
        g_string_append (names, ", ");
      g_string_append (names, label);
    }
  sotto_cli_say (TRUE, _("Your rooms: %s"), names->str);

  {
    g_autoptr(SottoRoom) first = g_list_model_get_item (rooms, 0);

    sotto_cli_chat_view_enter (self, first);
  }
}

/**
 * sotto_cli_chat_view_list_rooms:
 *
 * Lists the user's rooms, with a star at the one they are in.
 */
void
sotto_cli_chat_view_list_rooms (SottoCliChatView *self)
{
  GListModel *rooms;
  guint n;

  g_return_if_fail (SOTTO_IS_CLI_CHAT_VIEW (self));

  rooms = sotto_client_get_rooms (self->client);
  n = g_list_model_get_n_items (rooms);
  if (n == 0)
    sotto_cli_say (TRUE, _("You are in no room yet."));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SottoRoom) room = g_list_model_get_item (rooms, i);
      const char *name = sotto_room_get_name (room);
      g_autofree char *label = sotto_cli_rooms_label (self->rooms, name);

      g_print ("%s %s\n", g_strcmp0 (name, self->current_room) == 0 ? "*" : " ", label);
    }
}
