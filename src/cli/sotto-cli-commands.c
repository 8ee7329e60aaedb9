/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-cli-private.h"

/*
 * The scripted commands, each run once logged in: the result goes to
 * standard output, anything for a person to standard error, and the exit
 * status says how it went.
 */

static void
print_rooms (SottoCli *self)
{
  GListModel *rooms = sotto_client_get_rooms (self->client);
  guint n = g_list_model_get_n_items (rooms);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SottoRoom) room = g_list_model_get_item (rooms, i);

      if (self->json)
        {
          g_autoptr(JsonBuilder) builder = json_builder_new ();

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "room");
          json_builder_add_string_value (builder, sotto_room_get_name (room));
          json_builder_set_member_name (builder, "direct");
          json_builder_add_boolean_value (builder, sotto_room_get_direct (room));
          json_builder_end_object (builder);
          _sotto_cli_print_json (builder);
        }
      else
        g_print ("%s\n", sotto_room_get_name (room));
    }
}

/* join */

static void
joined_cb (SottoCli     *self,
           SottoRoom    *room,
           const GError *error,
           gpointer      data)
{
  if (error != NULL)
    {
      _sotto_cli_fail (self, error, SOTTO_CLI_PHASE_REQUEST);
      return;
    }

  g_printerr (_("Joined %s.\n"), sotto_room_get_name (room));
  _sotto_cli_finish (self, SOTTO_CLI_EXIT_OK);
}

/* send */

static void
sent_cb (SottoMessage *message,
         GParamSpec   *pspec,
         gpointer      user_data)
{
  SottoCli *self = user_data;

  if (sotto_message_get_state (message) == SOTTO_MESSAGE_SENT)
    _sotto_cli_finish (self, SOTTO_CLI_EXIT_OK);
}

static void
send_ready_cb (SottoCli     *self,
               SottoRoom    *room,
               const GError *error,
               gpointer      data)
{
  g_autoptr(GError) send_error = NULL;
  SottoMessage *message;

  if (error != NULL)
    {
      _sotto_cli_fail (self, error, SOTTO_CLI_PHASE_REQUEST);
      return;
    }

  message = sotto_client_send_message (self->client, room, self->text_arg, &send_error);
  if (message == NULL)
    {
      _sotto_cli_fail (self, send_error, SOTTO_CLI_PHASE_REQUEST);
      return;
    }

  /* Done when the server has stored it; if the connection ends first, the
   * message stays in the outbox and the run ends with the connection. */
  g_set_object (&self->sending, message);
  self->sending_id = g_signal_connect (message, "notify::state", G_CALLBACK (sent_cb), self);
}

/* members */

static void
members_ready_cb (SottoCli     *self,
                  SottoRoom    *room,
                  const GError *error,
                  gpointer      data)
{
  if (error != NULL)
    {
      _sotto_cli_fail (self, error, SOTTO_CLI_PHASE_REQUEST);
      return;
    }

  _sotto_cli_print_members (self, room, self->json);
  _sotto_cli_finish (self, SOTTO_CLI_EXIT_OK);
}

/* listen */

static void
listen_message_cb (SottoCliFeed *feed,
                   SottoMessage *message,
                   gpointer      user_data)
{
  SottoCli *self = user_data;
  g_autofree char *line = NULL;

  /* Scripts listen for what people say; joins and departures are for the
   * chat. */
  if (self->finishing || sotto_message_get_state (message) == SOTTO_MESSAGE_SYSTEM)
    return;

  if (self->room_arg != NULL)
    {
      g_autofree char *room = _sotto_cli_canonical_room (self, self->room_arg);

      if (g_strcmp0 (sotto_message_get_room (message), room) != 0)
        return;
    }

  if (self->json)
    line = sotto_cli_format_message_json (message);
  else if (self->room_arg == NULL)
    {
      g_autofree char *label = _sotto_cli_room_label (self, sotto_message_get_room (message));

      line = sotto_cli_format_message (message, label);
    }
  else
    line = sotto_cli_format_message (message, NULL);

  if (line == NULL)
    return;

  g_print ("%s\n", line);
  self->printed++;
  if (self->count > 0 && self->printed >= (guint) self->count)
    _sotto_cli_finish (self, SOTTO_CLI_EXIT_OK);
}

static void
listening_cb (SottoCli     *self,
              SottoRoom    *room,
              const GError *error,
              gpointer      data)
{
  if (error != NULL)
    {
      _sotto_cli_fail (self, error, SOTTO_CLI_PHASE_REQUEST);
      return;
    }

  /* Scripts wait for this line before they expect anything. */
  if (room != NULL)
    g_printerr (_("Listening in %s.\n"), sotto_room_get_name (room));
  else
    g_printerr (_("Listening in all your rooms.\n"));
}

static void
listen_start (SottoCli *self)
{
  /* Made before joining, so what a newly joined room brings is new. */
  self->feed = sotto_cli_feed_new (sotto_client_get_rooms (self->client));
  g_signal_connect (self->feed, "message", G_CALLBACK (listen_message_cb), self);

  if (self->room_arg == NULL)
    listening_cb (self, NULL, NULL, NULL);
  else
    _sotto_cli_open_room (self, self->room_arg, listening_cb, NULL, NULL);
}

/**
 * _sotto_cli_command_timed_out:
 *
 * --timeout ran out while listening: the normal end without --count, a
 * failure with it.
 */
void
_sotto_cli_command_timed_out (SottoCli *self)
{
  if (self->count == 0)
    {
      _sotto_cli_finish (self, SOTTO_CLI_EXIT_OK);
      return;
    }

  g_printerr (_("sotto-cli: %u of %d messages came in %d seconds\n"), self->printed,
              self->count, self->timeout);
  _sotto_cli_finish (self, SOTTO_CLI_EXIT_TIMEOUT);
}

/* Runs the command of the command line, once logged in. */
void
_sotto_cli_command_start (SottoCli *self)
{
  switch (self->command)
    {
    case SOTTO_CLI_COMMAND_REGISTER:
      g_printerr (_("Created the account %s on %s.\n"), sotto_client_get_user (self->client),
                  self->server);
      _sotto_cli_finish (self, SOTTO_CLI_EXIT_OK);
      break;

    case SOTTO_CLI_COMMAND_ROOMS:
      print_rooms (self);
      _sotto_cli_finish (self, SOTTO_CLI_EXIT_OK);
      break;

    case SOTTO_CLI_COMMAND_JOIN:
      _sotto_cli_open_room (self, self->room_arg, joined_cb, NULL, NULL);
      break;

    case SOTTO_CLI_COMMAND_SEND:
      _sotto_cli_open_room (self, self->room_arg, send_ready_cb, NULL, NULL);
      break;

    case SOTTO_CLI_COMMAND_MEMBERS:
      /* Only a room we are in: asking must not join it. */
      if (_sotto_cli_lookup_room (self, self->room_arg) == NULL)
        {
          g_printerr (_("sotto-cli: you are not in %s\n"), self->room_arg);
          _sotto_cli_finish (self, SOTTO_CLI_EXIT_REFUSED);
          break;
        }
      _sotto_cli_open_room (self, self->room_arg, members_ready_cb, NULL, NULL);
      break;

    case SOTTO_CLI_COMMAND_LISTEN:
      listen_start (self);
      break;

    case SOTTO_CLI_COMMAND_CHAT:
    default:
      g_assert_not_reached ();
    }
}
