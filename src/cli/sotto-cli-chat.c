/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "sotto-cli-private.h"

/*
 * The chat: sotto-cli without a command, in a terminal. Lines starting
 * with "/" are commands, every other line goes to the current room.
 * Messages of every room are printed as they come, those of other rooms
 * with the room's name.
 */

#define RECENT_MESSAGES 10

/* Logged in, if perhaps reconnecting: what is sent then waits in the outbox. */
static gboolean
require_login (SottoCli *self)
{
  if (sotto_client_get_user (self->client) != NULL)
    return TRUE;

  _sotto_cli_say (self, _("Log in first: /login NAME, or /register NAME for a new account."));
  return FALSE;
}

static void
print_help (SottoCli *self)
{
  _sotto_cli_say (self, "%s",
    _("Commands:\n"
      "  /register NAME     make an account and log in\n"
      "  /login NAME        log in\n"
      "  /join ROOM         join ROOM (made if needed), or go to it; @NAME is the\n"
      "                     direct chat with NAME\n"
      "  /leave [ROOM]      leave ROOM, or the room you are in\n"
      "  /rooms             list your rooms\n"
      "  /who               list who is in this room\n"
      "  /msg USER TEXT     send TEXT to USER in your direct chat\n"
      "  /verify USER       compare your safety number with USER\n"
      "  /quit              leave the chat\n"
      "Any other line goes to the room you are in; start it with // to send a\n"
      "line that starts with /."));
}

/* Shows the last few messages of @room, when the user goes to it. */
static void
show_recent (SottoCli  *self,
             SottoRoom *room)
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

static void
enter_room (SottoCli  *self,
            SottoRoom *room)
{
  g_autofree char *label = _sotto_cli_room_label (self, sotto_room_get_name (room));

  /* What is on the screen already is not shown again. */
  if (g_strcmp0 (self->current_room, sotto_room_get_name (room)) == 0)
    {
      _sotto_cli_say (self, _("You are in %s already."), label);
      return;
    }

  g_free (self->current_room);
  self->current_room = g_strdup (sotto_room_get_name (room));
  _sotto_cli_say (self, _("You are in %s."), label);
  show_recent (self, room);
}

static void
message_cb (SottoCliFeed *feed,
            SottoMessage *message,
            gpointer      user_data)
{
  SottoCli *self = user_data;
  const char *room = sotto_message_get_room (message);
  g_autofree char *label = NULL;
  g_autofree char *line = NULL;

  if (g_strcmp0 (room, self->current_room) != 0)
    label = _sotto_cli_room_label (self, room);

  line = sotto_cli_format_message (message, label);
  if (line != NULL)
    g_print ("%s\n", line);
}

void
_sotto_cli_chat_connected (SottoCli *self)
{
  _sotto_cli_say (self, _("Connected to %s."), self->server);
  _sotto_cli_read_all_lines (self);

  if (self->user != NULL)
    _sotto_cli_log_in (self, FALSE, self->user);
  else
    _sotto_cli_say (self, _("Log in with /login NAME, or make an account with /register NAME. "
                            "/help lists the commands."));
}

void
_sotto_cli_chat_logged_in (SottoCli *self)
{
  GListModel *rooms = sotto_client_get_rooms (self->client);
  guint n = g_list_model_get_n_items (rooms);
  g_autoptr(GString) names = g_string_new (NULL);

  g_clear_object (&self->feed);
  self->feed = sotto_cli_feed_new (rooms);
  g_signal_connect (self->feed, "message", G_CALLBACK (message_cb), self);

  _sotto_cli_say (self, _("Logged in as %s."), sotto_client_get_user (self->client));
  if (n == 0)
    {
      _sotto_cli_say (self, _("Join a room with /join ROOM."));
      return;
    }

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SottoRoom) room = g_list_model_get_item (rooms, i);
      g_autofree char *label = _sotto_cli_room_label (self, sotto_room_get_name (room));

      if (i > 0)
        g_string_append (names, ", ");
      g_string_append (names, label);
    }
  _sotto_cli_say (self, _("Your rooms: %s"), names->str);

  {
    g_autoptr(SottoRoom) first = g_list_model_get_item (rooms, 0);

    enter_room (self, first);
  }
}

void
_sotto_cli_chat_account_failed (SottoCli     *self,
                                const GError *error)
{
  _sotto_cli_say (self, "%s", error->message);
  /* A password from the command line that did not work is not tried again. */
  _sotto_cli_wipe_string (&self->password);
}

void
_sotto_cli_chat_direct_opened (SottoCli  *self,
                               SottoRoom *room)
{
  g_autofree char *label = _sotto_cli_room_label (self, sotto_room_get_name (room));

  _sotto_cli_say (self, _("%s opened a direct chat with you: /join %s to talk there."),
                  label + 1, label);
}

/* Sending */

static void
text_ready_cb (SottoCli     *self,
               SottoRoom    *room,
               const GError *error,
               gpointer      data)
{
  const char *text = data;
  g_autoptr(GError) send_error = NULL;

  if (error != NULL)
    {
      _sotto_cli_say (self, "%s", error->message);
      return;
    }

  /* The feed prints it once the server has it. */
  if (sotto_client_send_message (self->client, room, text, &send_error) == NULL)
    _sotto_cli_say (self, "%s", send_error->message);
}

static void
say_text (SottoCli   *self,
          const char *text)
{
  if (!require_login (self))
    return;

  if (self->current_room == NULL)
    {
      _sotto_cli_say (self, _("You are in no room: /join ROOM first."));
      return;
    }

  _sotto_cli_open_room (self, self->current_room, text_ready_cb, g_strdup (text), g_free);
}

/* Commands */

static void
joined_cb (SottoCli     *self,
           SottoRoom    *room,
           const GError *error,
           gpointer      data)
{
  if (error != NULL)
    _sotto_cli_say (self, "%s", error->message);
  else
    enter_room (self, room);
}

typedef struct
{
  SottoCli *cli;
  char     *room;
} Leaving;

static void
left_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Leaving *leaving = user_data;
  g_autoptr(SottoCli) self = leaving->cli;
  g_autofree char *room = leaving->room;
  g_autofree char *label = NULL;
  g_autoptr(GError) error = NULL;
  GListModel *rooms;

  g_free (leaving);
  if (!sotto_client_leave_finish (SOTTO_CLIENT (object), result, &error))
    {
      if (!self->finishing)
        _sotto_cli_say (self, "%s", error->message);
      return;
    }
  if (self->finishing)
    return;

  label = _sotto_cli_room_label (self, room);
  _sotto_cli_say (self, _("You left %s."), label);
  if (g_strcmp0 (room, self->current_room) != 0)
    return;

  g_clear_pointer (&self->current_room, g_free);
  rooms = sotto_client_get_rooms (self->client);
  if (g_list_model_get_n_items (rooms) > 0)
    {
      g_autoptr(SottoRoom) next = g_list_model_get_item (rooms, 0);

      enter_room (self, next);
    }
}

static void
leave (SottoCli   *self,
       const char *name)
{
  g_autofree char *room = NULL;
  Leaving *leaving;

  if (name == NULL)
    name = self->current_room;
  if (name == NULL)
    {
      _sotto_cli_say (self, _("You are in no room."));
      return;
    }

  room = _sotto_cli_canonical_room (self, name);
  if (room == NULL || sotto_client_lookup_room (self->client, room) == NULL)
    {
      _sotto_cli_say (self, _("You are not in %s."), name);
      return;
    }

  leaving = g_new0 (Leaving, 1);
  leaving->cli = g_object_ref (self);
  leaving->room = g_steal_pointer (&room);
  sotto_client_leave_async (self->client, leaving->room, self->cancellable, left_cb, leaving);
}

static void
list_rooms (SottoCli *self)
{
  GListModel *rooms = sotto_client_get_rooms (self->client);
  guint n = g_list_model_get_n_items (rooms);

  if (n == 0)
    _sotto_cli_say (self, _("You are in no room yet."));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SottoRoom) room = g_list_model_get_item (rooms, i);
      const char *name = sotto_room_get_name (room);
      g_autofree char *label = _sotto_cli_room_label (self, name);

      g_print ("%s %s\n", g_strcmp0 (name, self->current_room) == 0 ? "*" : " ", label);
    }
}

static void
who_ready_cb (SottoCli     *self,
              SottoRoom    *room,
              const GError *error,
              gpointer      data)
{
  if (error != NULL)
    _sotto_cli_say (self, "%s", error->message);
  else
    _sotto_cli_print_members (self, room, FALSE);
}

static void
verify_answer_cb (SottoCli   *self,
                  const char *line)
{
  g_autofree char *user = g_steal_pointer (&self->verify_user);
  g_autoptr(GError) error = NULL;

  if (line == NULL || (line[0] != 'y' && line[0] != 'Y'))
    {
      _sotto_cli_say (self, _("%s was not marked verified."), user);
      return;
    }

  if (!sotto_client_set_verified (self->client, user, TRUE, &error))
    _sotto_cli_say (self, "%s", error->message);
  else
    _sotto_cli_say (self, _("%s is verified."), user);
}

static void
verify (SottoCli   *self,
        const char *name)
{
  g_autofree char *user = g_ascii_strdown (name, -1);
  g_autofree char *number = NULL;
  g_autofree char *prompt = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;

  if (g_strcmp0 (user, sotto_client_get_user (self->client)) == 0)
    {
      _sotto_cli_say (self, _("That is you."));
      return;
    }

  number = sotto_client_safety_number (self->client, user);
  if (number == NULL)
    {
      _sotto_cli_say (self, _("You do not have the keys of %s: you need to share a room."), user);
      return;
    }

  /* Two lines of six groups of five digits read out more easily than one
   * of twelve. */
  if (strlen (number) > 6 * 6)
    {
      first = g_strndup (number, 6 * 6 - 1);
      second = g_strdup (number + 6 * 6);
    }
  else
    first = g_strdup (number);

  _sotto_cli_say (self, _("Your safety number with %s:"), user);
  _sotto_cli_say (self, "  %s", first);
  if (second != NULL)
    _sotto_cli_say (self, "  %s", second);
  _sotto_cli_say (self, _("Compare it with the one %s sees, in person or on a call."), user);
  if (sotto_client_is_verified (self->client, user))
    _sotto_cli_say (self, _("%s is verified already."), user);

  g_free (self->verify_user);
  self->verify_user = g_steal_pointer (&user);
  prompt = g_strdup_printf (_("Does it match? Mark %s as verified [y/N] "), self->verify_user);
  _sotto_cli_ask (self, prompt, FALSE, verify_answer_cb);
}

static void
direct_message (SottoCli   *self,
                const char *args)
{
  g_auto(GStrv) parts = args != NULL ? g_strsplit (args, " ", 2) : NULL;
  g_autofree char *room = NULL;

  if (parts == NULL || parts[0] == NULL || parts[1] == NULL || g_strstrip (parts[1])[0] == '\0')
    {
      _sotto_cli_say (self, _("Usage: /msg USER TEXT"));
      return;
    }

  room = g_strconcat ("@", parts[0], NULL);
  _sotto_cli_open_room (self, room, text_ready_cb, g_strdup (parts[1]), g_free);
}

static void
account (SottoCli   *self,
         gboolean    create,
         const char *name)
{
  if (sotto_client_get_user (self->client) != NULL)
    {
      _sotto_cli_say (self, _("You are logged in as %s."), sotto_client_get_user (self->client));
      return;
    }

  if (self->logging_in)
    {
      _sotto_cli_say (self, _("Logging in already…"));
      return;
    }

  if (name == NULL)
    name = self->user;
  if (name == NULL)
    {
      _sotto_cli_say (self, create ? _("Usage: /register NAME") : _("Usage: /login NAME"));
      return;
    }

  _sotto_cli_log_in (self, create, name);
}

static void
run_command (SottoCli   *self,
             const char *command)
{
  g_auto(GStrv) parts = g_strsplit (command, " ", 2);
  const char *name = parts[0];
  const char *args = parts[1] != NULL ? g_strstrip (parts[1]) : NULL;

  if (args != NULL && args[0] == '\0')
    args = NULL;

  if (g_str_equal (name, "help"))
    print_help (self);
  else if (g_str_equal (name, "quit") || g_str_equal (name, "exit"))
    _sotto_cli_finish (self, SOTTO_CLI_EXIT_OK);
  else if (g_str_equal (name, "register") || g_str_equal (name, "login"))
    account (self, g_str_equal (name, "register"), args);
  else if (!g_str_equal (name, "join") && !g_str_equal (name, "leave") &&
           !g_str_equal (name, "rooms") && !g_str_equal (name, "who") &&
           !g_str_equal (name, "msg") && !g_str_equal (name, "verify"))
    _sotto_cli_say (self, _("There is no command /%s; /help lists them."), name);
  else if (!require_login (self))
    return;
  else if (g_str_equal (name, "join"))
    {
      if (args == NULL)
        _sotto_cli_say (self, _("Usage: /join ROOM"));
      else
        _sotto_cli_open_room (self, args, joined_cb, NULL, NULL);
    }
  else if (g_str_equal (name, "leave"))
    leave (self, args);
  else if (g_str_equal (name, "rooms"))
    list_rooms (self);
  else if (g_str_equal (name, "who"))
    {
      if (self->current_room == NULL)
        _sotto_cli_say (self, _("You are in no room."));
      else
        _sotto_cli_open_room (self, self->current_room, who_ready_cb, NULL, NULL);
    }
  else if (g_str_equal (name, "msg"))
    direct_message (self, args);
  else if (args == NULL)
    _sotto_cli_say (self, _("Usage: /verify USER"));
  else
    verify (self, args);
}

/* One line the user typed. */
void
_sotto_cli_chat_line (SottoCli   *self,
                      const char *line)
{
  if (line[0] == '\0')
    return;

  if (line[0] == '/' && line[1] != '/')
    run_command (self, line + 1);
  else
    say_text (self, line[0] == '/' ? line + 1 : line);
}
