/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-cli-actions.h"
#include "sotto-cli-bans.h"
#include "sotto-cli-commands.h"
#include "sotto-cli-devices.h"
#include "sotto-cli-feed.h"
#include "sotto-cli-files.h"
#include "sotto-cli-format.h"
#include "sotto-cli-link.h"
#include "sotto-cli-login.h"
#include "sotto-cli-print.h"
#include "sotto-cli-review.h"
#include "sotto-cli-search.h"

/*
 * The scripted commands, each run once logged in: the result goes to
 * standard output, anything for a person to standard error, and the exit
 * status, given with #SottoCliCommands::done, says how it went.
 *
 * The commands live until the run ends, and the rooms call nobody back
 * after that: their callbacks hold no reference to them.
 */

struct _SottoCliCommands
{
  GObject           parent_instance;

  SottoClient      *client;
  SottoCliRooms    *rooms;
  SottoCliLogin    *login;
  SottoCliOptions  *options;
  GCancellable     *cancellable;
  gulong            logged_in_id;

  SottoCliBans     *bans;
  SottoCliLink     *link;
  SottoCliDevices  *devices;
  SottoCliFiles    *files;
  SottoCliActions  *actions;
  SottoCliFeed     *feed;
  SottoMessage     *sending;
  gulong            sending_id;
  guint             printed;
};

enum {
  DONE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SottoCliCommands, sotto_cli_commands, G_TYPE_OBJECT)

static void
sotto_cli_commands_dispose (GObject *object)
{
  SottoCliCommands *self = SOTTO_CLI_COMMANDS (object);

  if (self->sending != NULL)
    g_clear_signal_handler (&self->sending_id, self->sending);
  g_clear_object (&self->sending);
  if (self->login != NULL)
    g_clear_signal_handler (&self->logged_in_id, self->login);
  g_clear_object (&self->bans);
  g_clear_object (&self->link);
  g_clear_object (&self->devices);
  g_clear_object (&self->files);
  g_clear_object (&self->actions);
  g_clear_object (&self->feed);
  g_clear_object (&self->login);
  g_clear_object (&self->rooms);
  g_clear_object (&self->client);

  G_OBJECT_CLASS (sotto_cli_commands_parent_class)->dispose (object);
}

static void
sotto_cli_commands_finalize (GObject *object)
{
  SottoCliCommands *self = SOTTO_CLI_COMMANDS (object);

  g_clear_pointer (&self->options, sotto_cli_options_unref);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (sotto_cli_commands_parent_class)->finalize (object);
}

static void
sotto_cli_commands_class_init (SottoCliCommandsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sotto_cli_commands_dispose;
  object_class->finalize = sotto_cli_commands_finalize;

  /**
   * SottoCliCommands::done:
   * @status: a #SottoCliExit
   *
   * The command is over: the run ends with @status.
   */
  signals[DONE] =
    g_signal_new ("done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_INT);
}

static void
sotto_cli_commands_init (SottoCliCommands *self)
{
}

/**
 * sotto_cli_commands_new:
 * @options: the command line, which names a command other than the chat
 * @cancellable: the run's; cancelled when the run ends
 */
SottoCliCommands *
sotto_cli_commands_new (SottoClient     *client,
                        SottoCliRooms   *rooms,
                        SottoCliLogin   *login,
                        SottoCliOptions *options,
                        GCancellable    *cancellable)
{
  SottoCliCommands *self;

  g_return_val_if_fail (SOTTO_IS_CLIENT (client), NULL);
  g_return_val_if_fail (SOTTO_IS_CLI_ROOMS (rooms), NULL);
  g_return_val_if_fail (SOTTO_IS_CLI_LOGIN (login), NULL);
  g_return_val_if_fail (options != NULL, NULL);
  g_return_val_if_fail (options->command != SOTTO_CLI_COMMAND_CHAT, NULL);
  g_return_val_if_fail (G_IS_CANCELLABLE (cancellable), NULL);

  self = g_object_new (SOTTO_TYPE_CLI_COMMANDS, NULL);
  self->client = g_object_ref (client);
  self->rooms = g_object_ref (rooms);
  self->login = g_object_ref (login);
  self->options = sotto_cli_options_ref (options);
  self->cancellable = g_object_ref (cancellable);
  self->bans = sotto_cli_bans_new (client, rooms, FALSE, cancellable);
  self->link = sotto_cli_link_new (client, options, cancellable);
  self->devices = sotto_cli_devices_new (client, cancellable);
  self->files = sotto_cli_files_new (client, rooms, options, cancellable);
  self->actions = sotto_cli_actions_new (client, rooms, options, cancellable);

  return self;
}

static void
done (SottoCliCommands *self,
      int               status)
{
  g_signal_emit (self, signals[DONE], 0, status);
}

static void
fail (SottoCliCommands *self,
      const GError     *error)
{
  if (g_cancellable_is_cancelled (self->cancellable))
    return;

  g_printerr ("sotto-cli: %s\n", error->message);
  done (self, sotto_cli_exit_for_error (error, SOTTO_CLI_PHASE_REQUEST));
}

/* join */

static void
joined_cb (SottoCliRooms *rooms,
           SottoRoom     *room,
           const GError  *error,
           gpointer       user_data)
{
  SottoCliCommands *self = user_data;

  if (error != NULL)
    {
      fail (self, error);
      return;
    }

  g_printerr (_("Joined %s.\n"), sotto_room_get_name (room));
  done (self, SOTTO_CLI_EXIT_OK);
}

/* send */

static void
sent_cb (SottoMessage *message,
         GParamSpec   *pspec,
         gpointer      user_data)
{
  SottoCliCommands *self = user_data;

  if (sotto_message_get_state (message) == SOTTO_MESSAGE_SENT)
    done (self, SOTTO_CLI_EXIT_OK);
}

static void
send_ready_cb (SottoCliRooms *rooms,
               SottoRoom     *room,
               const GError  *error,
               gpointer       user_data)
{
  SottoCliCommands *self = user_data;
  g_autoptr(GError) send_error = NULL;
  SottoMessage *message;

  if (error != NULL)
    {
      fail (self, error);
      return;
    }

  message = sotto_client_send_message (self->client, room, self->options->text_arg, &send_error);
  if (message == NULL)
    {
      g_autofree char *refused = sotto_cli_review_refused (room, send_error, FALSE);

      g_printerr ("sotto-cli: %s\n", refused);
      done (self, sotto_cli_exit_for_error (send_error, SOTTO_CLI_PHASE_REQUEST));
      return;
    }

  /* Done when the server has stored it; if the connection ends first, the
   * message stays in the outbox and the run ends with the connection. */
  g_set_object (&self->sending, message);
  self->sending_id = g_signal_connect (message, "notify::state", G_CALLBACK (sent_cb), self);
}

/* members */

static void
members_ready_cb (SottoCliRooms *rooms,
                  SottoRoom     *room,
                  const GError  *error,
                  gpointer       user_data)
{
  SottoCliCommands *self = user_data;

  if (error != NULL)
    {
      fail (self, error);
      return;
    }

  sotto_cli_print_members (room, sotto_client_get_user (self->client), self->options->json);
  done (self, SOTTO_CLI_EXIT_OK);
}

/* accept */

/* Called once every room's members are known, and with them what changed
 * of their keys since the last login. */
static void
accept_ready_cb (SottoCliRooms *rooms,
                 SottoRoom     *room,
                 const GError  *error,
                 gpointer       user_data)
{
  SottoCliCommands *self = user_data;
  g_autoptr(GError) accept_error = NULL;
  g_autofree char *accepted = NULL;

  accepted = sotto_cli_review_accept (self->client, self->options->room_arg, &accept_error);
  if (accepted == NULL)
    {
      g_printerr ("sotto-cli: %s\n", accept_error->message);
      done (self, SOTTO_CLI_EXIT_REFUSED);
      return;
    }

  g_printerr ("%s\n", accepted);
  done (self, SOTTO_CLI_EXIT_OK);
}

/* kick, unban, bans */

static void
bans_done_cb (SottoCliBans *bans,
              int           status,
              gpointer      user_data)
{
  done (user_data, status);
}

/* approve */

static void
approve_done_cb (SottoCliLink *link,
                 int           status,
                 gpointer      user_data)
{
  done (user_data, status);
}

/* devices, remove-device, rename-device */

static void
devices_done_cb (SottoCliDevices *devices,
                 int              status,
                 gpointer         user_data)
{
  done (user_data, status);
}

/* send-file, fetch-file */

static void
files_done_cb (SottoCliFiles *files,
               int            status,
               gpointer       user_data)
{
  done (user_data, status);
}

/* reply, edit, delete, react, unreact */

static void
actions_done_cb (SottoCliActions *actions,
                 int              status,
                 gpointer         user_data)
{
  done (user_data, status);
}

/* listen */

/* Scripts listen for what people say, where they asked; joins and
 * departures are for the chat. */
static gboolean
listening_to (SottoCliCommands *self,
              SottoMessage     *message)
{
  g_autofree char *room = NULL;

  if (g_cancellable_is_cancelled (self->cancellable) ||
      sotto_message_get_state (message) == SOTTO_MESSAGE_SYSTEM)
    return FALSE;

  if (self->options->room_arg == NULL)
    return TRUE;

  room = sotto_cli_rooms_canonical (self->rooms, self->options->room_arg);
  return g_strcmp0 (sotto_message_get_room (message), room) == 0;
}

static void
listen_message_cb (SottoCliFeed *feed,
                   SottoMessage *message,
                   gpointer      user_data)
{
  SottoCliCommands *self = user_data;
  g_autofree char *line = NULL;

  if (!listening_to (self, message))
    return;

  if (self->options->json)
    line = sotto_cli_format_message_json (message);
  else if (self->options->room_arg == NULL)
    {
      const char *room = sotto_message_get_room (message);
      g_autofree char *label = sotto_cli_rooms_label (self->rooms, room);

      line = sotto_cli_format_message (message, label);
    }
  else
    line = sotto_cli_format_message (message, NULL);

  if (line == NULL)
    return;

  g_print ("%s\n", line);
  self->printed++;
  if (self->options->count > 0 && self->printed >= (guint) self->options->count)
    done (self, SOTTO_CLI_EXIT_OK);
}

/* Told of a message printed already; it counts as no message. */
static void
listen_missing_found_cb (SottoCliFeed *feed,
                         SottoMessage *message,
                         gpointer      user_data)
{
  SottoCliCommands *self = user_data;
  g_autofree char *line = NULL;

  if (!listening_to (self, message))
    return;

  if (self->options->json)
    line = sotto_cli_format_missing_found_json (message);
  else if (self->options->room_arg == NULL)
    {
      g_autofree char *label = sotto_cli_rooms_label (self->rooms,
                                                      sotto_message_get_room (message));

      line = sotto_cli_format_missing_found (message, label);
    }
  else
    line = sotto_cli_format_missing_found (message, NULL);

  if (line != NULL)
    g_print ("%s\n", line);
}

static void
listening_cb (SottoCliRooms *rooms,
              SottoRoom     *room,
              const GError  *error,
              gpointer       user_data)
{
  SottoCliCommands *self = user_data;

  if (error != NULL)
    {
      fail (self, error);
      return;
    }

  /* Scripts wait for this line before they expect anything. */
  if (room != NULL)
    g_printerr (_("Listening in %s.\n"), sotto_room_get_name (room));
  else
    g_printerr (_("Listening in all your rooms.\n"));
}

static void
listen_start (SottoCliCommands *self)
{
  /* Made before joining, so what a newly joined room brings is new. */
  self->feed = sotto_cli_feed_new (sotto_client_get_rooms (self->client));
  g_signal_connect (self->feed, "message", G_CALLBACK (listen_message_cb), self);
  g_signal_connect (self->feed, "missing-found", G_CALLBACK (listen_missing_found_cb), self);

  if (self->options->room_arg == NULL)
    listening_cb (self->rooms, NULL, NULL, self);
  else
    sotto_cli_rooms_open (self->rooms, self->options->room_arg, listening_cb, self, NULL);
}

/**
 * sotto_cli_commands_get_moved_at:
 *
 * Returns: for send-file and fetch-file, when the file last moved, in
 *   g_get_monotonic_time()'s µs, 0 before it started; 0 for other
 *   commands
 */
gint64
sotto_cli_commands_get_moved_at (SottoCliCommands *self)
{
  g_return_val_if_fail (SOTTO_IS_CLI_COMMANDS (self), 0);

  return sotto_cli_files_get_moved_at (self->files);
}

/**
 * sotto_cli_commands_timed_out:
 *
 * --timeout ran out while listening: the normal end without --count, a
 * failure with it. For send-file and fetch-file, nothing moved for that
 * long once the file started.
 */
void
sotto_cli_commands_timed_out (SottoCliCommands *self)
{
  g_return_if_fail (SOTTO_IS_CLI_COMMANDS (self));

  if (self->options->command == SOTTO_CLI_COMMAND_SEND_FILE ||
      self->options->command == SOTTO_CLI_COMMAND_FETCH_FILE)
    {
      sotto_cli_files_timed_out (self->files);
      return;
    }

  if (self->options->count == 0)
    {
      done (self, SOTTO_CLI_EXIT_OK);
      return;
    }

  g_printerr (_("sotto-cli: %u of %d messages came in %d seconds\n"), self->printed,
              self->options->count, self->options->timeout);
  done (self, SOTTO_CLI_EXIT_TIMEOUT);
}

/* kick, unban, bans, invite, invite-only, role */

static void
moderate (SottoCliCommands *self)
{
  switch (self->options->command)
    {
    case SOTTO_CLI_COMMAND_KICK:
      sotto_cli_bans_kick (self->bans, self->options->room_arg, self->options->text_arg,
                           bans_done_cb, self);
      break;

    case SOTTO_CLI_COMMAND_UNBAN:
      sotto_cli_bans_unban (self->bans, self->options->room_arg, self->options->text_arg,
                            bans_done_cb, self);
      break;

    case SOTTO_CLI_COMMAND_BANS:
      sotto_cli_bans_list (self->bans, self->options->room_arg, self->options->json,
                           bans_done_cb, self);
      break;

    case SOTTO_CLI_COMMAND_INVITE:
      sotto_cli_bans_invite (self->bans, self->options->room_arg, self->options->text_arg,
                             bans_done_cb, self);
      break;

    case SOTTO_CLI_COMMAND_INVITE_ONLY:
      sotto_cli_bans_set_invite_only (self->bans, self->options->room_arg,
                                      self->options->text_arg, bans_done_cb, self);
      break;

    case SOTTO_CLI_COMMAND_ROLE:
      sotto_cli_bans_set_role (self->bans, self->options->room_arg, self->options->text_arg,
                               bans_done_cb, self);
      break;

    default:
      g_assert_not_reached ();
    }
}

static void
moderation_ready_cb (SottoCliRooms *rooms,
                     SottoRoom     *room,
                     const GError  *error,
                     gpointer       user_data)
{
  SottoCliCommands *self = user_data;

  if (error != NULL)
    {
      fail (self, error);
      return;
    }

  moderate (self);
}

/* Runs the command of the command line, once logged in. */
static void
logged_in_cb (SottoCliLogin *login,
              gpointer       user_data)
{
  SottoCliCommands *self = user_data;

  switch (self->options->command)
    {
    case SOTTO_CLI_COMMAND_REGISTER:
      g_printerr (_("Created the account %s on %s.\n"), sotto_client_get_user (self->client),
                  self->options->server);
      done (self, SOTTO_CLI_EXIT_OK);
      break;

    case SOTTO_CLI_COMMAND_LINK:
      sotto_cli_link_linked (self->link);
      done (self, SOTTO_CLI_EXIT_OK);
      break;

    case SOTTO_CLI_COMMAND_RECOVER:
      sotto_cli_link_recovered (self->link);
      done (self, SOTTO_CLI_EXIT_OK);
      break;

    case SOTTO_CLI_COMMAND_RECOVERY_KEY:
      sotto_cli_link_print_recovery_key (self->link);
      done (self, SOTTO_CLI_EXIT_OK);
      break;

    case SOTTO_CLI_COMMAND_APPROVE:
      {
        g_autofree char *code = g_strjoin (" ", self->options->room_arg, self->options->text_arg,
                                           NULL);

        sotto_cli_link_approve (self->link, code, self->options->history, approve_done_cb,
                                self);
      }
      break;

    case SOTTO_CLI_COMMAND_DEVICES:
      sotto_cli_devices_list (self->devices, self->options->json, devices_done_cb, self);
      break;

    case SOTTO_CLI_COMMAND_REMOVE_DEVICE:
      sotto_cli_devices_remove (self->devices, self->options->room_arg, devices_done_cb, self);
      break;

    case SOTTO_CLI_COMMAND_RENAME_DEVICE:
      sotto_cli_devices_rename (self->devices, self->options->room_arg, self->options->text_arg,
                                devices_done_cb, self);
      break;

    case SOTTO_CLI_COMMAND_ROOMS:
      sotto_cli_print_rooms (sotto_client_get_rooms (self->client), self->options->json);
      done (self, SOTTO_CLI_EXIT_OK);
      break;

    case SOTTO_CLI_COMMAND_JOIN:
      sotto_cli_rooms_open (self->rooms, self->options->room_arg, joined_cb, self, NULL);
      break;

    case SOTTO_CLI_COMMAND_SEND:
      sotto_cli_rooms_open (self->rooms, self->options->room_arg, send_ready_cb, self, NULL);
      break;

    case SOTTO_CLI_COMMAND_MEMBERS:
      /* Only a room we are in: asking must not join it. */
      if (sotto_cli_rooms_lookup (self->rooms, self->options->room_arg) == NULL)
        {
          g_printerr (_("sotto-cli: you are not in %s\n"), self->options->room_arg);
          done (self, SOTTO_CLI_EXIT_REFUSED);
          break;
        }
      sotto_cli_rooms_open (self->rooms, self->options->room_arg, members_ready_cb, self, NULL);
      break;

    case SOTTO_CLI_COMMAND_LISTEN:
      listen_start (self);
      break;

    case SOTTO_CLI_COMMAND_SEND_FILE:
      sotto_cli_files_send (self->files, files_done_cb, self);
      break;

    case SOTTO_CLI_COMMAND_FETCH_FILE:
      sotto_cli_files_fetch (self->files, files_done_cb, self);
      break;

    case SOTTO_CLI_COMMAND_REPLY:
    case SOTTO_CLI_COMMAND_EDIT:
    case SOTTO_CLI_COMMAND_DELETE:
    case SOTTO_CLI_COMMAND_REACT:
    case SOTTO_CLI_COMMAND_UNREACT:
      sotto_cli_actions_run (self->actions, actions_done_cb, self);
      break;

    case SOTTO_CLI_COMMAND_SEARCH:
    case SOTTO_CLI_COMMAND_SEARCH_ALL:
      done (self, sotto_cli_search (self->client, self->rooms, self->options));
      break;

    case SOTTO_CLI_COMMAND_ACCEPT:
      sotto_cli_rooms_open_all (self->rooms, accept_ready_cb, self);
      break;

    case SOTTO_CLI_COMMAND_KICK:
    case SOTTO_CLI_COMMAND_UNBAN:
    case SOTTO_CLI_COMMAND_BANS:
    case SOTTO_CLI_COMMAND_INVITE:
    case SOTTO_CLI_COMMAND_INVITE_ONLY:
    case SOTTO_CLI_COMMAND_ROLE:
      /* Who may do what, and to whom, is known once the room's members
       * and signed state are; a room we are not in is refused at once. */
      if (sotto_cli_rooms_lookup (self->rooms, self->options->room_arg) != NULL)
        sotto_cli_rooms_open (self->rooms, self->options->room_arg, moderation_ready_cb, self,
                              NULL);
      else
        moderate (self);
      break;

    case SOTTO_CLI_COMMAND_CHAT:
    default:
      g_assert_not_reached ();
    }
}

/**
 * sotto_cli_commands_start:
 *
 * Logs in, registers the account or links this computer to it, once
 * connected; then runs the command of the command line.
 */
void
sotto_cli_commands_start (SottoCliCommands *self)
{
  g_return_if_fail (SOTTO_IS_CLI_COMMANDS (self));
  g_return_if_fail (self->logged_in_id == 0);

  self->logged_in_id = g_signal_connect (self->login, "logged-in", G_CALLBACK (logged_in_cb),
                                         self);
  if (self->options->command == SOTTO_CLI_COMMAND_LINK)
    {
      sotto_cli_link_show_code (self->link);
      sotto_cli_login_link (self->login, self->options->user);
      return;
    }
  if (self->options->command == SOTTO_CLI_COMMAND_RECOVER)
    {
      sotto_cli_login_recover (self->login, self->options->user);
      return;
    }
  sotto_cli_login_log_in (self->login, self->options->command == SOTTO_CLI_COMMAND_REGISTER,
                          self->options->user);
}
