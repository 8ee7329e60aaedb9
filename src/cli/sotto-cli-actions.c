/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdlib.h>

#include "sotto-cli-actions.h"
#include "sotto-cli-format.h"
#include "sotto-cli-review.h"

/*
 * reply, edit, delete, react and unreact: the message is named by its
 * number in the room (“seq” in what listen --json prints), looked for
 * among those the room shows, then in the rest of its history on this
 * computer, then in what the room's catch-up brings; the client core
 * says what the user may do, and the command ends once the server has
 * stored what was sent.
 */

/* How often the message is looked for again while the room catches up,
 * in ms. */
#define CATCH_UP_POLL_MS 100

struct _SottoCliActions
{
  GObject              parent_instance;

  SottoClient         *client;
  SottoCliRooms       *rooms;
  SottoCliOptions     *options;
  GCancellable        *cancellable;
  SottoRoom           *room;
  gint64               seq;
  guint                search_id;
  SottoMessage        *sending;
  gulong               sending_id;
  SottoCliActionsDone  done;
  gpointer             done_data;
};

G_DEFINE_FINAL_TYPE (SottoCliActions, sotto_cli_actions, G_TYPE_OBJECT)

static void
sotto_cli_actions_dispose (GObject *object)
{
  SottoCliActions *self = SOTTO_CLI_ACTIONS (object);

  g_clear_handle_id (&self->search_id, g_source_remove);
  if (self->sending != NULL)
    g_clear_signal_handler (&self->sending_id, self->sending);
  g_clear_object (&self->sending);
  g_clear_object (&self->room);
  g_clear_object (&self->rooms);
  g_clear_object (&self->client);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (sotto_cli_actions_parent_class)->dispose (object);
}

static void
sotto_cli_actions_finalize (GObject *object)
{
  SottoCliActions *self = SOTTO_CLI_ACTIONS (object);

  g_clear_pointer (&self->options, sotto_cli_options_unref);

  G_OBJECT_CLASS (sotto_cli_actions_parent_class)->finalize (object);
}

static void
sotto_cli_actions_class_init (SottoCliActionsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sotto_cli_actions_dispose;
  object_class->finalize = sotto_cli_actions_finalize;
}

static void
sotto_cli_actions_init (SottoCliActions *self)
{
}

/**
 * sotto_cli_actions_new:
 * @options: a command line naming reply, edit, delete, react or unreact
 */
SottoCliActions *
sotto_cli_actions_new (SottoClient     *client,
                       SottoCliRooms   *rooms,
                       SottoCliOptions *options,
                       GCancellable    *cancellable)
{
  SottoCliActions *self;

  g_return_val_if_fail (SOTTO_IS_CLIENT (client), NULL);
  g_return_val_if_fail (SOTTO_IS_CLI_ROOMS (rooms), NULL);
  g_return_val_if_fail (options != NULL, NULL);

  self = g_object_new (SOTTO_TYPE_CLI_ACTIONS, NULL);
  self->client = g_object_ref (client);
  self->rooms = g_object_ref (rooms);
  self->options = sotto_cli_options_ref (options);
  self->cancellable = g_object_ref (cancellable);
  return self;
}

static void
finish (SottoCliActions *self,
        int              status)
{
  SottoCliActionsDone done = self->done;

  self->done = NULL;
  if (done != NULL && !g_cancellable_is_cancelled (self->cancellable))
    done (self, status, self->done_data);
}

static void
refuse (SottoCliActions *self,
        int              status,
        const char      *why)
{
  g_printerr ("sotto-cli: %s\n", why);
  finish (self, status);
}

static void
sent_cb (SottoMessage    *message,
         GParamSpec      *pspec,
         SottoCliActions *self)
{
  if (sotto_message_get_state (message) == SOTTO_MESSAGE_SENT)
    finish (self, SOTTO_CLI_EXIT_OK);
}

/* Does what the command says to @message. */
static void
act (SottoCliActions *self,
     SottoMessage    *message)
{
  g_autoptr(GError) error = NULL;
  SottoMessage *sent = NULL;
  const char *text = self->options->text_arg;

  switch (self->options->command)
    {
    case SOTTO_CLI_COMMAND_REPLY:
      sent = sotto_client_reply (self->client, self->room, message, text, &error);
      break;
    case SOTTO_CLI_COMMAND_EDIT:
      sent = sotto_client_edit_message (self->client, self->room, message, text, &error);
      break;
    case SOTTO_CLI_COMMAND_DELETE:
      sent = sotto_client_delete_message (self->client, self->room, message, &error);
      break;
    case SOTTO_CLI_COMMAND_REACT:
    case SOTTO_CLI_COMMAND_UNREACT:
      sent = sotto_client_react (self->client, self->room, message, text,
                                 self->options->command == SOTTO_CLI_COMMAND_REACT, &error);
      break;
    default:
      g_assert_not_reached ();
    }

  if (sent == NULL)
    {
      g_autofree char *refused = sotto_cli_review_refused (self->room, error, FALSE);

      g_printerr ("sotto-cli: %s\n", refused);
      finish (self, sotto_cli_exit_for_error (error, SOTTO_CLI_PHASE_REQUEST));
      return;
    }

  /* Done when the server has stored it; if the connection ends first, it
   * stays in the outbox and the run ends with the connection. */
  g_set_object (&self->sending, sent);
  self->sending_id = g_signal_connect (sent, "notify::state", G_CALLBACK (sent_cb), self);
  sent_cb (sent, NULL, self);
}

/* The message numbered @seq among those the room shows, then in the rest
 * of its history on this computer. */
static SottoMessage *
find_message (SottoCliActions *self)
{
  GListModel *messages = sotto_room_get_messages (self->room);
  guint searched = 0;

  do
    {
      guint n = g_list_model_get_n_items (messages);

      /* Older messages go before the ones already searched. */
      for (guint i = 0; i < n - searched; i++)
        {
          g_autoptr(SottoMessage) message = g_list_model_get_item (messages, i);

          if (sotto_message_get_seq (message) == self->seq)
            return g_steal_pointer (&message);
        }
      searched = n;
    }
  while (sotto_client_load_older (self->client, self->room, 200, NULL) > 0);
  return NULL;
}

static gboolean
search_cb (gpointer user_data)
{
  SottoCliActions *self = user_data;
  g_autoptr(SottoMessage) message = NULL;

  self->search_id = 0;
  if (g_cancellable_is_cancelled (self->cancellable))
    return G_SOURCE_REMOVE;

  message = find_message (self);
  if (message == NULL)
    {
      g_autofree char *why = NULL;

      /* What was said while we were away may still be coming. */
      if (sotto_client_is_catching_up (self->client, self->room))
        {
          self->search_id = g_timeout_add (CATCH_UP_POLL_MS, search_cb, self);
          return G_SOURCE_REMOVE;
        }
      /* Translators: a message's number, then the room */
      why = g_strdup_printf (_("there is no message %s in %s"), self->options->target_arg,
                             self->options->room_arg);
      refuse (self, SOTTO_CLI_EXIT_REFUSED, why);
      return G_SOURCE_REMOVE;
    }

  act (self, message);
  return G_SOURCE_REMOVE;
}

static void
ready_cb (SottoCliRooms *rooms,
          SottoRoom     *room,
          const GError  *error,
          gpointer       user_data)
{
  SottoCliActions *self = user_data;

  if (error != NULL)
    {
      refuse (self, sotto_cli_exit_for_error (error, SOTTO_CLI_PHASE_REQUEST), error->message);
      return;
    }

  g_set_object (&self->room, room);
  search_cb (self);
}

/**
 * sotto_cli_actions_run:
 * @done: told once it is sent and stored, or could not be
 *
 * Sends the reply, edit, deletion or reaction the command line asks for,
 * once logged in.
 */
void
sotto_cli_actions_run (SottoCliActions     *self,
                       SottoCliActionsDone  done,
                       gpointer             user_data)
{
  char *end = NULL;

  g_return_if_fail (SOTTO_IS_CLI_ACTIONS (self));
  g_return_if_fail (self->done == NULL);

  self->done = done;
  self->done_data = user_data;

  self->seq = g_ascii_strtoll (self->options->target_arg, &end, 10);
  if (end == self->options->target_arg || *end != '\0' || self->seq <= 0)
    {
      refuse (self, SOTTO_CLI_EXIT_USAGE,
              _("A message is named by its number in the room: “seq” in what listen --json "
                "prints"));
      return;
    }

  /* Only a room we are in holds the message: asking must not join it. */
  if (sotto_cli_rooms_lookup (self->rooms, self->options->room_arg) == NULL)
    {
      g_autofree char *why = g_strdup_printf (_("you are not in %s"), self->options->room_arg);

      refuse (self, SOTTO_CLI_EXIT_REFUSED, why);
      return;
    }
  sotto_cli_rooms_open (self->rooms, self->options->room_arg, ready_cb, self, NULL);
}
