/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <sodium.h>

#include "sotto-cli-files-private.h"
#include "sotto-cli-format.h"
#include "sotto-cli-progress.h"

/*
 * fetch-file: the message is looked for among those the room shows, then
 * in the rest of its history on this computer, then in what the room's
 * catch-up brings; its file is fetched, checked by the client core, and
 * saved where sotto-cli-files-paths.c says.
 */

/* How often fetch-file looks again for a message that may still come
 * with the room's catch-up, in ms. */
#define CATCH_UP_POLL_MS 100

static void
download_state_cb (SottoTransfer *transfer,
                   GParamSpec    *pspec,
                   gpointer       user_data)
{
  SottoCliFiles *self = user_data;
  const SottoFileMessage *file;
  g_autofree char *shown = NULL;
  g_autofree char *path = NULL;

  self->moved_at = g_get_monotonic_time ();
  switch (sotto_transfer_get_state (transfer))
    {
    case SOTTO_TRANSFER_DONE:
      /* The file is whole and checked: the name is its now. */
      self->reserved = FALSE;
      sotto_cli_progress_clear (self->progress);
      file = sotto_message_get_file (self->message);
      shown = sotto_cli_format_file (file);
      path = g_file_get_path (self->destination);
      g_print ("%s\n", path);
      /* Translators: the file as "report.pdf (1.2 MB, application/pdf)",
       * who sent it, then where it was saved */
      g_printerr (_("Saved %s from %s as %s.\n"), shown,
                  sotto_message_get_sender (self->message), path);
      _sotto_cli_files_finish (self, SOTTO_CLI_EXIT_OK);
      break;

    case SOTTO_TRANSFER_FAILED:
      _sotto_cli_files_fail (self, SOTTO_CLI_EXIT_REFUSED, sotto_transfer_get_error (transfer));
      break;

    case SOTTO_TRANSFER_CANCELLED:
      _sotto_cli_files_fail (self, SOTTO_CLI_EXIT_INTERRUPTED, _("The file was not saved"));
      break;

    case SOTTO_TRANSFER_PREPARING:
    case SOTTO_TRANSFER_RUNNING:
    case SOTTO_TRANSFER_WAITING:
    default:
      break;
    }
}

static void
fetch_message (SottoCliFiles *self)
{
  const SottoFileMessage *file = sotto_message_get_file (self->message);
  g_autoptr(GError) error = NULL;
  SottoTransfer *transfer;

  self->destination = _sotto_cli_files_reserve (self->options, file->name, &self->reserved,
                                                &error);
  if (self->destination == NULL)
    {
      _sotto_cli_files_fail (self,
                             error->domain == G_OPTION_ERROR ? SOTTO_CLI_EXIT_USAGE
                                                             : SOTTO_CLI_EXIT_REFUSED,
                             error->message);
      return;
    }

  transfer = sotto_client_fetch_file (self->client, self->message, self->destination);
  _sotto_cli_files_follow (self, transfer, G_CALLBACK (download_state_cb));
  download_state_cb (self->transfer, NULL, self);
}

static gboolean
names_file (SottoMessage          *message,
            const SottoCliFileRef *ref)
{
  const SottoFileMessage *file = sotto_message_get_file (message);

  if (ref->seq > 0)
    return sotto_message_get_seq (message) == ref->seq;
  return file != NULL && sodium_memcmp (file->id, ref->id, sizeof ref->id) == 0;
}

/* Looks for the message among those the room shows, then in the rest of
 * its history on this computer.
 *
 * Returns: how many messages the reference names; the last is @found */
static guint
find_message (SottoCliFiles          *self,
              const SottoCliFileRef  *ref,
              SottoMessage          **found)
{
  GListModel *messages = sotto_room_get_messages (self->room);
  guint matches = 0;
  guint searched = 0;

  *found = NULL;
  do
    {
      /* Older messages go before the ones already searched. */
      guint n = g_list_model_get_n_items (messages);

      for (guint i = 0; i < n - searched; i++)
        {
          g_autoptr(SottoMessage) message = g_list_model_get_item (messages, i);

          if (names_file (message, ref))
            {
              g_set_object (found, message);
              matches++;
            }
        }
      searched = n;
    }
  while (matches == 0 && sotto_client_load_older (self->client, self->room, 200, NULL) > 0);

  return matches;
}

static gboolean
search (gpointer user_data)
{
  SottoCliFiles *self = user_data;
  g_autoptr(SottoMessage) message = NULL;
  SottoCliFileRef ref;
  guint matches;
  SottoMessageState state;
  const char *why = NULL;

  self->search_id = 0;
  if (g_cancellable_is_cancelled (self->cancellable))
    return G_SOURCE_REMOVE;

  _sotto_cli_files_parse_ref (self->options->text_arg, &ref);
  matches = find_message (self, &ref, &message);
  if (matches == 0)
    {
      /* What was said while we were away may still be coming. */
      if (sotto_client_is_catching_up (self->client, self->room))
        {
          self->search_id = g_timeout_add (CATCH_UP_POLL_MS, search, self);
          return G_SOURCE_REMOVE;
        }
      if (ref.seq > 0)
        /* Translators: a message's number, then the room */
        g_printerr (_("sotto-cli: there is no message %s in %s\n"), self->options->text_arg,
                    self->options->room_arg);
      else
        /* Translators: a file's ID, then the room */
        g_printerr (_("sotto-cli: no message in %s sent a file with the ID %s\n"),
                    self->options->room_arg, self->options->text_arg);
      _sotto_cli_files_finish (self, SOTTO_CLI_EXIT_REFUSED);
      return G_SOURCE_REMOVE;
    }

  /* A member may send a message naming someone else's file, which opens
   * with their key or not at all: the number of the message tells. */
  state = sotto_message_get_state (message);
  if (matches > 1)
    why = _("More than one message names this file: fetch it by the number of the "
            "message (“seq” in what listen --json prints)");
  else if (state == SOTTO_MESSAGE_WAITING_FOR_KEY)
    why = _("This message cannot be read yet: its sender’s key has not come");
  else if (state == SOTTO_MESSAGE_UNVERIFIABLE)
    why = _("This message could not be decrypted or verified: its file cannot be fetched");
  else if (sotto_message_get_file (message) == NULL)
    why = _("This message sent no file");
  if (why != NULL)
    {
      _sotto_cli_files_fail (self, SOTTO_CLI_EXIT_REFUSED, why);
      return G_SOURCE_REMOVE;
    }

  self->message = g_steal_pointer (&message);
  fetch_message (self);
  return G_SOURCE_REMOVE;
}

static void
fetch_ready_cb (SottoCliRooms *rooms,
                SottoRoom     *room,
                const GError  *error,
                gpointer       user_data)
{
  SottoCliFiles *self = user_data;

  if (error != NULL)
    {
      _sotto_cli_files_fail (self, sotto_cli_exit_for_error (error, SOTTO_CLI_PHASE_REQUEST),
                             error->message);
      return;
    }

  g_set_object (&self->room, room);
  search (self);
}

/**
 * sotto_cli_files_fetch:
 * @done: told once the file is saved, or could not be
 *
 * Fetches the file the command line names, once logged in, and saves it.
 */
void
sotto_cli_files_fetch (SottoCliFiles     *self,
                       SottoCliFilesDone  done,
                       gpointer           user_data)
{
  g_return_if_fail (SOTTO_IS_CLI_FILES (self));
  g_return_if_fail (self->options->command == SOTTO_CLI_COMMAND_FETCH_FILE);
  g_return_if_fail (self->done == NULL);

  self->done = done;
  self->done_data = user_data;

  /* Only a room we are in holds the message: asking must not join it. */
  if (sotto_cli_rooms_lookup (self->rooms, self->options->room_arg) == NULL)
    {
      g_printerr (_("sotto-cli: you are not in %s\n"), self->options->room_arg);
      _sotto_cli_files_finish (self, SOTTO_CLI_EXIT_REFUSED);
      return;
    }
  sotto_cli_rooms_open (self->rooms, self->options->room_arg, fetch_ready_cb, self, NULL);
}
