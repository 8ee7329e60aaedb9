/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "sotto-cli-bans.h"
#include "sotto-cli-chat-view.h"
#include "sotto-cli-chat.h"
#include "sotto-cli-format.h"
#include "sotto-cli-print.h"
#include "sotto-cli-verify.h"

/*
 * The chat: sotto-cli without a command, in a terminal. Lines starting
 * with "/" are commands, every other line goes to the current room; what
 * the chat shows is its view's. /quit and the end of the input end the
 * run, through #SottoCliChat::done.
 *
 * The chat lives until the run ends, and the rooms and the terminal call
 * nobody back after that: their callbacks hold no reference to it.
 */

struct _SottoCliChat
{
  GObject           parent_instance;

  SottoClient      *client;
  SottoCliTerminal *terminal;
  SottoCliRooms    *rooms;
  SottoCliLogin    *login;
  SottoCliOptions  *options;
  GCancellable     *cancellable;
  SottoCliChatView *view;
  SottoCliVerify   *verify;
  SottoCliBans     *bans;
  gulong            line_id;
  gulong            end_id;
  gulong            logged_in_id;
};

enum {
  DONE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SottoCliChat, sotto_cli_chat, G_TYPE_OBJECT)

static void
sotto_cli_chat_dispose (GObject *object)
{
  SottoCliChat *self = SOTTO_CLI_CHAT (object);

  if (self->terminal != NULL)
    {
      g_clear_signal_handler (&self->line_id, self->terminal);
      g_clear_signal_handler (&self->end_id, self->terminal);
    }
  if (self->login != NULL)
    g_clear_signal_handler (&self->logged_in_id, self->login);
  g_clear_object (&self->bans);
  g_clear_object (&self->verify);
  g_clear_object (&self->view);
  g_clear_object (&self->login);
  g_clear_object (&self->rooms);
  g_clear_object (&self->terminal);
  g_clear_object (&self->client);

  G_OBJECT_CLASS (sotto_cli_chat_parent_class)->dispose (object);
}

static void
sotto_cli_chat_finalize (GObject *object)
{
  SottoCliChat *self = SOTTO_CLI_CHAT (object);

  g_clear_pointer (&self->options, sotto_cli_options_unref);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (sotto_cli_chat_parent_class)->finalize (object);
}

static void
sotto_cli_chat_class_init (SottoCliChatClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sotto_cli_chat_dispose;
  object_class->finalize = sotto_cli_chat_finalize;

  /**
   * SottoCliChat::done:
   * @status: a #SottoCliExit
   *
   * The user ended the chat: the run ends with @status.
   */
  signals[DONE] =
    g_signal_new ("done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_INT);
}

static void
sotto_cli_chat_init (SottoCliChat *self)
{
}

static void line_cb      (SottoCliTerminal *terminal,
                          const char       *line,
                          gpointer          user_data);
static void end_cb       (SottoCliTerminal *terminal,
                          gpointer          user_data);
static void logged_in_cb (SottoCliLogin    *login,
                          gpointer          user_data);

/**
 * sotto_cli_chat_new:
 * @cancellable: the run's; cancelled when the run ends
 */
SottoCliChat *
sotto_cli_chat_new (SottoClient      *client,
                    SottoCliTerminal *terminal,
                    SottoCliRooms    *rooms,
                    SottoCliLogin    *login,
                    SottoCliOptions  *options,
                    GCancellable     *cancellable)
{
  SottoCliChat *self;

  g_return_val_if_fail (SOTTO_IS_CLIENT (client), NULL);
  g_return_val_if_fail (SOTTO_IS_CLI_TERMINAL (terminal), NULL);
  g_return_val_if_fail (SOTTO_IS_CLI_ROOMS (rooms), NULL);
  g_return_val_if_fail (SOTTO_IS_CLI_LOGIN (login), NULL);
  g_return_val_if_fail (options != NULL, NULL);
  g_return_val_if_fail (G_IS_CANCELLABLE (cancellable), NULL);

  self = g_object_new (SOTTO_TYPE_CLI_CHAT, NULL);
  self->client = g_object_ref (client);
  self->terminal = g_object_ref (terminal);
  self->rooms = g_object_ref (rooms);
  self->login = g_object_ref (login);
  self->options = sotto_cli_options_ref (options);
  self->cancellable = g_object_ref (cancellable);
  self->view = sotto_cli_chat_view_new (client, rooms, cancellable);
  self->verify = sotto_cli_verify_new (client, terminal);
  self->bans = sotto_cli_bans_new (client, rooms, TRUE, cancellable);
  self->line_id = g_signal_connect (terminal, "line", G_CALLBACK (line_cb), self);
  self->end_id = g_signal_connect (terminal, "end", G_CALLBACK (end_cb), self);
  self->logged_in_id = g_signal_connect (login, "logged-in", G_CALLBACK (logged_in_cb), self);

  return self;
}

static void
logged_in_cb (SottoCliLogin *login,
              gpointer       user_data)
{
  SottoCliChat *self = user_data;

  sotto_cli_chat_view_logged_in (self->view);
}

/**
 * sotto_cli_chat_start:
 *
 * Starts the chat, once connected: reads what the user types, and logs
 * in if the command line named the account.
 */
void
sotto_cli_chat_start (SottoCliChat *self)
{
  g_return_if_fail (SOTTO_IS_CLI_CHAT (self));

  sotto_cli_say (TRUE, _("Connected to %s."), self->options->server);
  sotto_cli_terminal_read_lines (self->terminal);

  if (self->options->user != NULL)
    sotto_cli_login_log_in (self->login, FALSE, self->options->user);
  else
    sotto_cli_say (TRUE, _("Log in with /login NAME, or make an account with /register NAME. "
                           "/help lists the commands."));
}

/* Logged in, if perhaps reconnecting: what is sent then waits in the outbox. */
static gboolean
require_login (SottoCliChat *self)
{
  if (sotto_client_get_user (self->client) != NULL)
    return TRUE;

  sotto_cli_say (TRUE, _("Log in first: /login NAME, or /register NAME for a new account."));
  return FALSE;
}

static void
say_text (SottoCliChat *self,
          const char   *text)
{
  const char *room;

  if (!require_login (self))
    return;

  room = sotto_cli_chat_view_get_room (self->view);
  if (room == NULL)
    {
      sotto_cli_say (TRUE, _("You are in no room: /join ROOM first."));
      return;
    }

  sotto_cli_chat_view_send (self->view, room, text);
}

/* Commands */

static void
print_help (SottoCliChat *self,
            const char   *args)
{
  sotto_cli_say (TRUE, "%s",
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
      "  /accept USER       accept the new safety number of USER without comparing\n"
      "  /kick USER         remove USER from this room, if you moderate it; they\n"
      "                     cannot join again until let back in\n"
      "  /unban USER        let USER join this room again\n"
      "  /bans              list who is kept out of this room\n"
      "  /invite USER       let USER into this room while it is invite-only\n"
      "  /invite-only on|off\n"
      "                     let in only whom a moderator invited, or anyone\n"
      "  /role USER member|moderator|owner\n"
      "                     give USER a role in this room, if you own it\n"
      "  /quit              leave the chat\n"
      "Any other line goes to the room you are in; start it with // to send a\n"
      "line that starts with /."));
}

static void
quit (SottoCliChat *self,
      const char   *args)
{
  g_signal_emit (self, signals[DONE], 0, SOTTO_CLI_EXIT_OK);
}

static void
account (SottoCliChat *self,
         gboolean      create,
         const char   *name)
{
  if (sotto_client_get_user (self->client) != NULL)
    {
      sotto_cli_say (TRUE, _("You are logged in as %s."), sotto_client_get_user (self->client));
      return;
    }

  if (sotto_cli_login_get_busy (self->login))
    {
      sotto_cli_say (TRUE, _("Logging in already…"));
      return;
    }

  if (name == NULL)
    name = self->options->user;
  if (name == NULL)
    {
      sotto_cli_say (TRUE, "%s", create ? _("Usage: /register NAME") : _("Usage: /login NAME"));
      return;
    }

  sotto_cli_login_log_in (self->login, create, name);
}

static void
register_account (SottoCliChat *self,
                  const char   *args)
{
  account (self, TRUE, args);
}

static void
log_in (SottoCliChat *self,
        const char   *args)
{
  account (self, FALSE, args);
}

static void
joined_cb (SottoCliRooms *rooms,
           SottoRoom     *room,
           const GError  *error,
           gpointer       user_data)
{
  SottoCliChat *self = user_data;

  if (error != NULL)
    sotto_cli_say (TRUE, "%s", error->message);
  else
    sotto_cli_chat_view_enter (self->view, room);
}

static void
join (SottoCliChat *self,
      const char   *args)
{
  if (args == NULL)
    sotto_cli_say (TRUE, _("Usage: /join ROOM"));
  else
    sotto_cli_rooms_open (self->rooms, args, joined_cb, self, NULL);
}

static void
leave (SottoCliChat *self,
       const char   *args)
{
  sotto_cli_chat_view_leave (self->view, args);
}

static void
list_rooms (SottoCliChat *self,
            const char   *args)
{
  sotto_cli_chat_view_list_rooms (self->view);
}

static void
who_ready_cb (SottoCliRooms *rooms,
              SottoRoom     *room,
              const GError  *error,
              gpointer       user_data)
{
  SottoCliChat *self = user_data;

  if (error != NULL)
    sotto_cli_say (TRUE, "%s", error->message);
  else
    sotto_cli_print_members (room, sotto_client_get_user (self->client), FALSE);
}

static void
who (SottoCliChat *self,
     const char   *args)
{
  const char *room = sotto_cli_chat_view_get_room (self->view);

  if (room == NULL)
    sotto_cli_say (TRUE, _("You are in no room."));
  else
    sotto_cli_rooms_open (self->rooms, room, who_ready_cb, self, NULL);
}

static void
direct_message (SottoCliChat *self,
                const char   *args)
{
  g_auto(GStrv) parts = args != NULL ? g_strsplit (args, " ", 2) : NULL;
  g_autofree char *room = NULL;

  if (parts == NULL || parts[0] == NULL || parts[1] == NULL || g_strstrip (parts[1])[0] == '\0')
    {
      sotto_cli_say (TRUE, _("Usage: /msg USER TEXT"));
      return;
    }

  room = g_strconcat ("@", parts[0], NULL);
  sotto_cli_chat_view_send (self->view, room, parts[1]);
}

static void
verify (SottoCliChat *self,
        const char   *args)
{
  if (args == NULL)
    sotto_cli_say (TRUE, _("Usage: /verify USER"));
  else
    sotto_cli_verify_ask (self->verify, args);
}

static void
accept (SottoCliChat *self,
        const char   *args)
{
  sotto_cli_verify_accept (self->verify, args);
}

static void
kick (SottoCliChat *self,
      const char   *args)
{
  sotto_cli_bans_kick (self->bans, sotto_cli_chat_view_get_room (self->view), args, NULL, NULL);
}

static void
unban (SottoCliChat *self,
       const char   *args)
{
  sotto_cli_bans_unban (self->bans, sotto_cli_chat_view_get_room (self->view), args, NULL, NULL);
}

static void
invite (SottoCliChat *self,
        const char   *args)
{
  sotto_cli_bans_invite (self->bans, sotto_cli_chat_view_get_room (self->view), args, NULL,
                         NULL);
}

static void
invite_only (SottoCliChat *self,
             const char   *args)
{
  sotto_cli_bans_set_invite_only (self->bans, sotto_cli_chat_view_get_room (self->view), args,
                                  NULL, NULL);
}

static void
set_role (SottoCliChat *self,
          const char   *args)
{
  sotto_cli_bans_set_role (self->bans, sotto_cli_chat_view_get_room (self->view), args, NULL,
                           NULL);
}

static void
list_bans (SottoCliChat *self,
           const char   *args)
{
  sotto_cli_bans_list (self->bans, sotto_cli_chat_view_get_room (self->view), FALSE, NULL, NULL);
}

/* The chat's commands, as the server's dispatch table has its messages:
 * a command that needs an account is refused until the user logs in. */
static const struct
{
  const char *name;
  gboolean    needs_login;
  void      (*run) (SottoCliChat *self,
                    const char   *args);
} commands[] = {
  { "help", FALSE, print_help },
  { "quit", FALSE, quit },
  { "exit", FALSE, quit },
  { "register", FALSE, register_account },
  { "login", FALSE, log_in },
  { "join", TRUE, join },
  { "leave", TRUE, leave },
  { "rooms", TRUE, list_rooms },
  { "who", TRUE, who },
  { "msg", TRUE, direct_message },
  { "verify", TRUE, verify },
  { "accept", TRUE, accept },
  { "kick", TRUE, kick },
  { "unban", TRUE, unban },
  { "bans", TRUE, list_bans },
  { "invite", TRUE, invite },
  { "invite-only", TRUE, invite_only },
  { "role", TRUE, set_role },
};

static void
run_command (SottoCliChat *self,
             const char   *command)
{
  g_auto(GStrv) parts = g_strsplit (command, " ", 2);
  const char *name = parts[0];
  const char *args = parts[1] != NULL ? g_strstrip (parts[1]) : NULL;

  if (args != NULL && args[0] == '\0')
    args = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      if (!g_str_equal (name, commands[i].name))
        continue;

      if (commands[i].needs_login && !require_login (self))
        return;

      commands[i].run (self, args);
      return;
    }

  sotto_cli_say (TRUE, _("There is no command /%s; /help lists them."), name);
}

/* One line the user typed. */
static void
line_cb (SottoCliTerminal *terminal,
         const char       *line,
         gpointer          user_data)
{
  SottoCliChat *self = user_data;

  if (line[0] == '\0')
    return;

  if (line[0] == '/' && line[1] != '/')
    run_command (self, line + 1);
  else
    say_text (self, line[0] == '/' ? line + 1 : line);
}

/* The input ended: so does the chat. */
static void
end_cb (SottoCliTerminal *terminal,
        gpointer          user_data)
{
  SottoCliChat *self = user_data;

  g_signal_emit (self, signals[DONE], 0, SOTTO_CLI_EXIT_OK);
}
