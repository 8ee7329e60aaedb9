/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <sodium.h>
#include <unistd.h>

#include "sotto-cli-files-private.h"
#include "sotto-cli-format.h"
#include "sotto-cli-progress.h"

/*
 * `send-file ROOM PATH` and `fetch-file ROOM ID [PATH]`: one file, sent
 * or saved, followed until it is done. send-file ends once the server has
 * stored the message that names the file, and prints the file's ID;
 * fetch-file ends once the file is saved, checked, and prints where. A
 * connection that drops makes the file wait, and it goes on once the
 * client core is back; --timeout says how long nothing may move.
 */

G_DEFINE_FINAL_TYPE (SottoCliFiles, sotto_cli_files, G_TYPE_OBJECT)

static void
drop_transfer (SottoCliFiles *self)
{
  if (self->progress != NULL)
    sotto_cli_progress_clear (self->progress);
  g_clear_object (&self->progress);
  if (self->transfer != NULL)
    {
      g_clear_signal_handler (&self->transfer_state_id, self->transfer);
      g_clear_signal_handler (&self->transfer_done_id, self->transfer);
      /* Ended before it was done: nothing more of it goes on. */
      if (!sotto_transfer_is_finished (self->transfer))
        sotto_transfer_cancel (self->transfer);
    }
  g_clear_object (&self->transfer);
}

static void
sotto_cli_files_dispose (GObject *object)
{
  SottoCliFiles *self = SOTTO_CLI_FILES (object);

  drop_transfer (self);
  g_clear_handle_id (&self->search_id, g_source_remove);
  if (self->sending != NULL)
    g_clear_signal_handler (&self->sending_id, self->sending);
  g_clear_object (&self->sending);
  /* The name held for a file that never came is free again. */
  if (self->reserved && self->destination != NULL)
    g_file_delete (self->destination, NULL, NULL);
  self->reserved = FALSE;
  g_clear_object (&self->destination);
  g_clear_object (&self->message);
  g_clear_object (&self->room);
  g_clear_object (&self->rooms);
  g_clear_object (&self->client);

  G_OBJECT_CLASS (sotto_cli_files_parent_class)->dispose (object);
}

static void
sotto_cli_files_finalize (GObject *object)
{
  SottoCliFiles *self = SOTTO_CLI_FILES (object);

  g_clear_pointer (&self->options, sotto_cli_options_unref);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (sotto_cli_files_parent_class)->finalize (object);
}

static void
sotto_cli_files_class_init (SottoCliFilesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sotto_cli_files_dispose;
  object_class->finalize = sotto_cli_files_finalize;
}

static void
sotto_cli_files_init (SottoCliFiles *self)
{
}

/**
 * sotto_cli_files_new:
 * @options: the command line: send-file or fetch-file, whose arguments
 *   sotto_cli_files_check_arguments() took
 * @cancellable: the run's; cancelled when the run ends
 */
SottoCliFiles *
sotto_cli_files_new (SottoClient     *client,
                     SottoCliRooms   *rooms,
                     SottoCliOptions *options,
                     GCancellable    *cancellable)
{
  SottoCliFiles *self;

  g_return_val_if_fail (SOTTO_IS_CLIENT (client), NULL);
  g_return_val_if_fail (SOTTO_IS_CLI_ROOMS (rooms), NULL);
  g_return_val_if_fail (options != NULL, NULL);
  g_return_val_if_fail (G_IS_CANCELLABLE (cancellable), NULL);

  self = g_object_new (SOTTO_TYPE_CLI_FILES, NULL);
  self->client = g_object_ref (client);
  self->rooms = g_object_ref (rooms);
  self->options = sotto_cli_options_ref (options);
  self->cancellable = g_object_ref (cancellable);
  self->stderr_is_tty = isatty (STDERR_FILENO);

  return self;
}

/* Ends the command once; nothing is told after the run ended. */
void
_sotto_cli_files_finish (SottoCliFiles *self,
                         int            status)
{
  if (self->finished || g_cancellable_is_cancelled (self->cancellable))
    return;

  self->finished = TRUE;
  if (self->progress != NULL)
    sotto_cli_progress_clear (self->progress);
  self->done (self, status, self->done_data);
}

/* Says why the command failed, and ends it with @status. */
void
_sotto_cli_files_fail (SottoCliFiles *self,
                       int            status,
                       const char    *text)
{
  if (self->finished || g_cancellable_is_cancelled (self->cancellable))
    return;

  if (self->progress != NULL)
    sotto_cli_progress_clear (self->progress);
  g_printerr ("sotto-cli: %s\n", text);
  _sotto_cli_files_finish (self, status);
}

static void
moved_cb (SottoTransfer *transfer,
          GParamSpec    *pspec,
          gpointer       user_data)
{
  SottoCliFiles *self = user_data;

  self->moved_at = g_get_monotonic_time ();
}

/* Follows @transfer, with @state_cb told of each change of its state. */
void
_sotto_cli_files_follow (SottoCliFiles *self,
                         SottoTransfer *transfer,
                         GCallback      state_cb)
{
  self->transfer = transfer;
  self->moved_at = g_get_monotonic_time ();
  self->progress = sotto_cli_progress_new (transfer, self->stderr_is_tty);
  self->transfer_done_id = g_signal_connect (transfer, "notify::done", G_CALLBACK (moved_cb),
                                             self);
  self->transfer_state_id = g_signal_connect (transfer, "notify::state", state_cb, self);
}

static char *
file_id_hex (const SottoFileMessage *file)
{
  char hex[2 * SOTTO_FILE_ID_BYTES + 1];

  sodium_bin2hex (hex, sizeof hex, file->id, sizeof file->id);
  return g_strdup (hex);
}

/* send-file */

static void
stored_cb (SottoMessage *message,
           GParamSpec   *pspec,
           gpointer      user_data)
{
  SottoCliFiles *self = user_data;
  const SottoFileMessage *file = sotto_message_get_file (message);
  g_autofree char *id = NULL;
  g_autofree char *shown = NULL;
  g_autofree char *room = NULL;

  if (sotto_message_get_state (message) != SOTTO_MESSAGE_SENT || file == NULL)
    return;

  g_clear_signal_handler (&self->sending_id, message);
  if (g_cancellable_is_cancelled (self->cancellable))
    return;

  id = file_id_hex (file);
  shown = sotto_cli_format_file (file);
  room = sotto_cli_rooms_label (self->rooms, sotto_message_get_room (message));
  g_print ("%s\n", id);
  /* Translators: the file as "report.pdf (1.2 MB, application/pdf)", then
   * the room */
  g_printerr (_("Sent %s to %s.\n"), shown, room);
  _sotto_cli_files_finish (self, SOTTO_CLI_EXIT_OK);
}

static void
upload_state_cb (SottoTransfer *transfer,
                 GParamSpec    *pspec,
                 gpointer       user_data)
{
  SottoCliFiles *self = user_data;
  SottoMessage *message;

  self->moved_at = g_get_monotonic_time ();
  switch (sotto_transfer_get_state (transfer))
    {
    case SOTTO_TRANSFER_DONE:
      sotto_cli_progress_clear (self->progress);
      message = sotto_transfer_get_message (transfer);
      /* Done when the server has stored the message; if the connection
       * drops first, it waits in the outbox until it comes back. */
      g_set_object (&self->sending, message);
      self->sending_id = g_signal_connect (message, "notify::state", G_CALLBACK (stored_cb),
                                           self);
      stored_cb (message, NULL, self);
      break;

    case SOTTO_TRANSFER_FAILED:
      _sotto_cli_files_fail (self, SOTTO_CLI_EXIT_REFUSED, sotto_transfer_get_error (transfer));
      break;

    case SOTTO_TRANSFER_CANCELLED:
      _sotto_cli_files_fail (self, SOTTO_CLI_EXIT_INTERRUPTED, _("The file was not sent"));
      break;

    case SOTTO_TRANSFER_PREPARING:
    case SOTTO_TRANSFER_RUNNING:
    case SOTTO_TRANSFER_WAITING:
    default:
      break;
    }
}

static void
send_ready_cb (SottoCliRooms *rooms,
               SottoRoom     *room,
               const GError  *error,
               gpointer       user_data)
{
  SottoCliFiles *self = user_data;
  g_autoptr(GFile) file = NULL;

  if (error != NULL)
    {
      _sotto_cli_files_fail (self, sotto_cli_exit_for_error (error, SOTTO_CLI_PHASE_REQUEST),
                             error->message);
      return;
    }

  file = g_file_new_for_path (self->options->path_arg);
  _sotto_cli_files_follow (self, sotto_client_send_file (self->client, room, file),
                           G_CALLBACK (upload_state_cb));
  /* It may have failed at once. */
  upload_state_cb (self->transfer, NULL, self);
}

/**
 * sotto_cli_files_send:
 * @done: told once the file is sent, or could not be
 *
 * Sends the file of the command line into its room, once logged in.
 */
void
sotto_cli_files_send (SottoCliFiles     *self,
                      SottoCliFilesDone  done,
                      gpointer           user_data)
{
  g_return_if_fail (SOTTO_IS_CLI_FILES (self));
  g_return_if_fail (self->options->command == SOTTO_CLI_COMMAND_SEND_FILE);
  g_return_if_fail (self->done == NULL);

  self->done = done;
  self->done_data = user_data;
  sotto_cli_rooms_open (self->rooms, self->options->room_arg, send_ready_cb, self, NULL);
}

/* Time */

/**
 * sotto_cli_files_get_moved_at:
 *
 * Returns: when the file last moved, in g_get_monotonic_time()'s µs;
 *   now while it is being encrypted; 0 before it started
 */
gint64
sotto_cli_files_get_moved_at (SottoCliFiles *self)
{
  g_return_val_if_fail (SOTTO_IS_CLI_FILES (self), 0);

  if (self->transfer != NULL &&
      sotto_transfer_get_state (self->transfer) == SOTTO_TRANSFER_PREPARING)
    return g_get_monotonic_time ();
  return self->moved_at;
}

/**
 * sotto_cli_files_timed_out:
 *
 * Nothing moved for --timeout seconds: says where it stopped, and ends.
 */
void
sotto_cli_files_timed_out (SottoCliFiles *self)
{
  gboolean upload = self->options->command == SOTTO_CLI_COMMAND_SEND_FILE;
  int seconds = self->options->timeout;
  g_autofree char *text = NULL;

  g_return_if_fail (SOTTO_IS_CLI_FILES (self));
  g_return_if_fail (self->done != NULL);

  if (self->transfer == NULL)
    text = g_strdup_printf (_("gave up after %d seconds"), seconds);
  else if (self->sending != NULL)
    text = g_strdup_printf (_("The server did not confirm the file in %d seconds: it may not "
                              "have been sent"), seconds);
  else if (sotto_transfer_get_state (self->transfer) == SOTTO_TRANSFER_WAITING)
    text = upload
      ? g_strdup_printf (_("The connection to the server was lost and did not come back in %d "
                           "seconds: the file was not sent"), seconds)
      : g_strdup_printf (_("The connection to the server was lost and did not come back in %d "
                           "seconds: the file was not saved"), seconds);
  else
    text = upload
      ? g_strdup_printf (_("Nothing of the file went for %d seconds: it was not sent"), seconds)
      : g_strdup_printf (_("Nothing of the file came for %d seconds: it was not saved"), seconds);

  _sotto_cli_files_fail (self, SOTTO_CLI_EXIT_TIMEOUT, text);
}
