/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <sodium.h>
#include <string.h>

#include "sotto-cli-options.h"

/*
 * The command line: the options, the command and its arguments, the
 * password from a file or the environment, and the help that documents
 * the exit status scripts rely on.
 */

#define DEFAULT_SERVER "localhost:7777"
#define DEFAULT_COMMAND_TIMEOUT 60

G_DEFINE_BOXED_TYPE (SottoCliOptions, sotto_cli_options,
                     sotto_cli_options_ref, sotto_cli_options_unref)

static void
wipe_string (char **string)
{
  if (*string == NULL)
    return;

  sodium_memzero (*string, strlen (*string));
  g_clear_pointer (string, g_free);
}

static void
options_clear (gpointer data)
{
  SottoCliOptions *self = data;

  g_free (self->server);
  g_free (self->user);
  g_free (self->data_dir);
  g_free (self->trust_fingerprint);
  g_free (self->room_arg);
  g_free (self->text_arg);
  g_free (self->path_arg);
  g_free (self->target_arg);
  wipe_string (&self->password);
}

SottoCliOptions *
sotto_cli_options_ref (SottoCliOptions *options)
{
  g_return_val_if_fail (options != NULL, NULL);

  return g_rc_box_acquire (options);
}

void
sotto_cli_options_unref (SottoCliOptions *options)
{
  g_return_if_fail (options != NULL);

  g_rc_box_release_full (options, options_clear);
}

/**
 * sotto_cli_options_steal_password:
 *
 * Returns: (transfer full) (nullable): the password from the command line
 *   or the environment, which @options no longer holds then
 */
char *
sotto_cli_options_steal_password (SottoCliOptions *options)
{
  g_return_val_if_fail (options != NULL, NULL);

  return g_steal_pointer (&options->password);
}

static gboolean
parse_command (SottoCliOptions  *self,
               int               argc,
               char            **argv,
               GError          **error)
{
  static const struct
  {
    const char      *name;
    SottoCliCommand  command;
    int              min_args;
    int              max_args;
  } commands[] = {
    { "register", SOTTO_CLI_COMMAND_REGISTER, 0, 0 },
    { "join", SOTTO_CLI_COMMAND_JOIN, 1, 1 },
    { "send", SOTTO_CLI_COMMAND_SEND, 2, G_MAXINT },
    { "listen", SOTTO_CLI_COMMAND_LISTEN, 0, 1 },
    { "rooms", SOTTO_CLI_COMMAND_ROOMS, 0, 0 },
    { "members", SOTTO_CLI_COMMAND_MEMBERS, 1, 1 },
    { "accept", SOTTO_CLI_COMMAND_ACCEPT, 1, 1 },
    { "kick", SOTTO_CLI_COMMAND_KICK, 2, 2 },
    { "unban", SOTTO_CLI_COMMAND_UNBAN, 2, 2 },
    { "bans", SOTTO_CLI_COMMAND_BANS, 1, 1 },
    { "invite", SOTTO_CLI_COMMAND_INVITE, 2, 2 },
    { "invite-only", SOTTO_CLI_COMMAND_INVITE_ONLY, 2, 2 },
    { "role", SOTTO_CLI_COMMAND_ROLE, 3, 3 },
    { "link", SOTTO_CLI_COMMAND_LINK, 0, 0 },
    { "approve", SOTTO_CLI_COMMAND_APPROVE, 1, G_MAXINT },
    { "recover", SOTTO_CLI_COMMAND_RECOVER, 0, 0 },
    { "recovery-key", SOTTO_CLI_COMMAND_RECOVERY_KEY, 0, 0 },
    { "devices", SOTTO_CLI_COMMAND_DEVICES, 0, 0 },
    { "remove-device", SOTTO_CLI_COMMAND_REMOVE_DEVICE, 1, 1 },
    { "rename-device", SOTTO_CLI_COMMAND_RENAME_DEVICE, 2, G_MAXINT },
    { "send-file", SOTTO_CLI_COMMAND_SEND_FILE, 2, 2 },
    { "fetch-file", SOTTO_CLI_COMMAND_FETCH_FILE, 2, 3 },
    { "reply", SOTTO_CLI_COMMAND_REPLY, 3, G_MAXINT },
    { "edit", SOTTO_CLI_COMMAND_EDIT, 3, G_MAXINT },
    { "delete", SOTTO_CLI_COMMAND_DELETE, 2, 2 },
    { "react", SOTTO_CLI_COMMAND_REACT, 3, 3 },
    { "unreact", SOTTO_CLI_COMMAND_UNREACT, 3, 3 },
    { "search", SOTTO_CLI_COMMAND_SEARCH, 2, G_MAXINT },
    { "search-all", SOTTO_CLI_COMMAND_SEARCH_ALL, 1, G_MAXINT },
  };
  int n_args = argc - 2;

  if (argc < 2)
    {
      self->command = SOTTO_CLI_COMMAND_CHAT;
      if (!self->stdin_is_tty)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                       _("Give a command, or run sotto-cli in a terminal to chat; see --help"));
          return FALSE;
        }
      return TRUE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      if (!g_str_equal (argv[1], commands[i].name))
        continue;

      if (n_args < commands[i].min_args || n_args > commands[i].max_args)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                       _("Wrong number of arguments for “%s”; see --help"), argv[1]);
          return FALSE;
        }

      self->command = commands[i].command;
      /* Every word is what to search for. */
      if (self->command == SOTTO_CLI_COMMAND_SEARCH_ALL)
        {
          self->text_arg = g_strjoinv (" ", argv + 2);
          return TRUE;
        }
      if (n_args >= 1)
        self->room_arg = g_strdup (argv[2]);
      /* A path is taken as it is, spaces and all. */
      if (self->command == SOTTO_CLI_COMMAND_SEND_FILE)
        {
          self->path_arg = g_strdup (argv[3]);
          return TRUE;
        }
      if (self->command == SOTTO_CLI_COMMAND_FETCH_FILE)
        {
          self->text_arg = g_strdup (argv[3]);
          self->path_arg = g_strdup (argv[4]);
          return TRUE;
        }
      /* ROOM SEQ, then the text or the reaction */
      if (self->command >= SOTTO_CLI_COMMAND_REPLY && self->command <= SOTTO_CLI_COMMAND_UNREACT)
        {
          self->target_arg = g_strdup (argv[3]);
          if (n_args >= 3)
            self->text_arg = g_strjoinv (" ", argv + 4);
          if (self->text_arg != NULL && self->text_arg[0] == '\0')
            {
              g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                           _("There is no text to send"));
              return FALSE;
            }
          return TRUE;
        }
      if (n_args >= 2)
        self->text_arg = g_strjoinv (" ", argv + 3);
      /* An empty device name is the client's to refuse, with its rule. */
      if (self->text_arg != NULL && self->text_arg[0] == '\0' &&
          self->command != SOTTO_CLI_COMMAND_RENAME_DEVICE)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                       _("There is no text to send"));
          return FALSE;
        }
      return TRUE;
    }

  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
               _("Unknown command “%s”; see --help"), argv[1]);
  return FALSE;
}

/* Takes the password from the first line of @password_file. */
static gboolean
load_password (SottoCliOptions  *self,
               const char       *password_file,
               GError          **error)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize length = 0;
  char *end;

  if (!g_file_get_contents (password_file, &contents, &length, &local_error))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("Could not read the password file: %s"), local_error->message);
      return FALSE;
    }

  end = memchr (contents, '\n', length);
  if (end != NULL)
    *end = '\0';
  length = strlen (contents);
  if (length > 0 && contents[length - 1] == '\r')
    contents[--length] = '\0';

  if (length == 0 || !g_utf8_validate (contents, length, NULL))
    {
      sodium_memzero (contents, length);
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("The first line of %s is not a password"), password_file);
      return FALSE;
    }

  wipe_string (&self->password);
  self->password = g_strdup (contents);
  sodium_memzero (contents, length);
  return TRUE;
}

/**
 * sotto_cli_options_parse:
 * @stdin_is_tty: whether the standard input is a terminal, where the chat
 *   runs and a password can be asked for
 *
 * Reads the command line; the password too, from the file or the
 * environment. Errors are %G_OPTION_ERROR errors.
 *
 * Returns: (transfer full) (nullable): the options, or %NULL on error
 */
SottoCliOptions *
sotto_cli_options_parse (int        *argc,
                         char     ***argv,
                         gboolean    stdin_is_tty,
                         GError    **error)
{
  g_autoptr(SottoCliOptions) self = g_rc_box_new0 (SottoCliOptions);
  g_autofree char *password_file = NULL;
  const char *password_env;
  int timeout = -1;
  const GOptionEntry entries[] = {
    { "server", 's', 0, G_OPTION_ARG_STRING, &self->server,
      N_("The server, HOST:PORT (default: localhost:7777)"), N_("HOST:PORT") },
    { "user", 'u', 0, G_OPTION_ARG_STRING, &self->user,
      N_("Your account name"), N_("NAME") },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &password_file,
      N_("Read the password from the first line of FILE"), N_("FILE") },
    { "data-dir", 'd', 0, G_OPTION_ARG_FILENAME, &self->data_dir,
      N_("Keep keys, trusted servers and history in DIR (default: $XDG_DATA_HOME/sotto)"),
      N_("DIR") },
    { "trust-fingerprint", 0, 0, G_OPTION_ARG_STRING, &self->trust_fingerprint,
      N_("On first contact, trust the server only if its fingerprint is FP (spaces and case "
         "do not matter)"), N_("FP") },
    { "count", 'n', 0, G_OPTION_ARG_INT, &self->count,
      N_("listen: end after N messages"), N_("N") },
    { "timeout", 't', 0, G_OPTION_ARG_INT, &timeout,
      N_("Give up after SECONDS (default: 60; listen: none, and it ends then; link: none; "
         "send-file, fetch-file: once nothing moved for SECONDS)"),
      N_("SECONDS") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &self->json,
      N_("listen, rooms, members, bans, devices: print one JSON object per line"), NULL },
    { "history", 0, 0, G_OPTION_ARG_NONE, &self->history,
      N_("approve: send the new computer this one’s message history too"), NULL },
    { "force", 0, 0, G_OPTION_ARG_NONE, &self->force,
      N_("fetch-file: replace a file that is there already"), NULL },
    /* For tests only: the cheapest Argon2id for the login secret and the
     * local store, which protects the password from nothing. */
    { "pwhash-fast", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &self->pwhash_fast,
      "For tests only: the cheapest password hashing", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;

  context = g_option_context_new (_("[COMMAND [ARGUMENTS…]]"));
  g_option_context_set_summary (context,
    _("A terminal client for Sotto, the end-to-end encrypted chat.\n"
      "\n"
      "Without a command, in a terminal, sotto-cli is a chat: type /help there.\n"
      "\n"
      "Commands:\n"
      "  register          create the account named with --user\n"
      "  join ROOM         join ROOM, making it if it does not exist\n"
      "  send ROOM TEXT    send TEXT to ROOM (joining it if needed) and wait until\n"
      "                    the server has stored it\n"
      "  listen [ROOM]     print messages as they come, from ROOM or from every room,\n"
      "                    as “HH:MM sender: text” (“HH:MM sender sent a file: NAME\n"
      "                    (SIZE, TYPE)”) or, with --json, as JSON lines with room,\n"
      "                    sender, seq, ts, text, state, missing_before, late and\n"
      "                    backdated, kind (text, file, reply, edit, delete or\n"
      "                    reaction), for a file, file: id, name, size, type,\n"
      "                    width and height (0 but for images), for the last four,\n"
      "                    target: sender and seq (null while not here) of the\n"
      "                    message they are about, and excerpt (reply), reaction\n"
      "                    and removed (reaction); until --count\n"
      "                    messages came or --timeout ran out. Lines starting “***”\n"
      "                    (in JSON, lines with only room, sender, seq, ts and\n"
      "                    missing_before) tell messages the server withheld, held\n"
      "                    back or backdated\n"
      "  rooms             list your rooms\n"
      "  members ROOM      list the members of ROOM: online or not, verified or not,\n"
      "                    and whom the room's signed history does not hold (they\n"
      "                    get none of its keys)\n"
      "  accept USER       accept the new safety number of USER, whose keys changed,\n"
      "                    without comparing it (compare it in the chat: /verify USER);\n"
      "                    USER stays unverified\n"
      "  kick ROOM USER    remove USER from ROOM, where you are an owner or a\n"
      "                    moderator; they cannot join it again until let back in\n"
      "  unban ROOM USER   let USER, who was removed, join ROOM again\n"
      "  bans ROOM         list who is kept out of ROOM, which you moderate, one a\n"
      "                    line: “USER DATE TIME removed by WHO”; with --json, as\n"
      "                    JSON lines with user, banned_by (null when the server's\n"
      "                    operator removed them) and ts\n"
      "  invite ROOM USER  let USER into ROOM while it is invite-only (moderators)\n"
      "  invite-only ROOM on|off\n"
      "                    let into ROOM only whom a moderator invited, or anyone;\n"
      "                    the members enforce it, not the server\n"
      "  role ROOM USER member|moderator|owner\n"
      "                    give USER, a member of ROOM, a role (owners); an owner\n"
      "                    stays one unless they step down themselves\n"
      "  link              link this computer, new to the account named with --user,\n"
      "                    to it: prints “Link code: CODE”, waits until a computer\n"
      "                    signed in to the account approves CODE, then logs in\n"
      "  approve [--history] CODE\n"
      "                    let the new computer showing CODE into the account named\n"
      "                    with --user, as one of its devices; says which computer\n"
      "                    it is by the name it gave; with --history, then sends it\n"
      "                    the messages this computer holds, sealed for it alone\n"
      "  recovery-key      print the recovery key of the account named with --user,\n"
      "                    for you to keep on paper or in a password manager: with\n"
      "                    it, “recover” signs you in on a new computer when no\n"
      "                    computer of the account is left to link it from\n"
      "  recover           sign in to the account named with --user on a computer\n"
      "                    that does not have it, with its recovery key, read as one\n"
      "                    line from standard input (case, spaces and dashes do not\n"
      "                    matter); your contacts see no change\n"
      "  devices           list the devices of the account named with --user, one a\n"
      "                    line: “ID NAME added DATE TIME”, then “last seen DATE\n"
      "                    TIME” or “online now”, and “(this computer)” after this\n"
      "                    one; with --json, as JSON lines with id (the whole\n"
      "                    signing key), name, added, last_seen (0: never), online\n"
      "                    and this\n"
      "  remove-device ID  take the device ID off the account (ID as “devices” prints\n"
      "                    it, or as much of it as tells it from the others): it\n"
      "                    reads nothing said from then on, and is signed out; not\n"
      "                    this computer, which another device removes\n"
      "  rename-device ID NAME\n"
      "                    call the device ID (this computer too) NAME\n"
      "  send-file ROOM PATH\n"
      "                    send the file PATH to ROOM (joining it if needed), sealed\n"
      "                    for its members, and wait until the server has stored it;\n"
      "                    prints the file's ID. In a terminal, a line on standard\n"
      "                    error shows how far it went\n"
      "  fetch-file ROOM ID [PATH]\n"
      "                    fetch the file a message of ROOM sent, check it and save\n"
      "                    it; ID is the file's ID or the message's number, “id” or\n"
      "                    “seq” in what listen --json prints. PATH is a file, or a\n"
      "                    folder to save it in under the sender's name made safe\n"
      "                    (default: the current folder); a name taken gets\n"
      "                    “ (1)”, “ (2)”… before its extension, and a PATH that is\n"
      "                    there already is replaced only with --force. Prints\n"
      "                    where it was saved\n"
      "  reply ROOM SEQ TEXT\n"
      "                    answer the message numbered SEQ in ROOM (“seq” in what\n"
      "                    listen --json prints) with TEXT; readers see a quote of it\n"
      "  edit ROOM SEQ TEXT\n"
      "                    change the text of your message SEQ to TEXT, for everyone\n"
      "  delete ROOM SEQ   delete the message SEQ for everyone: yours, or anyone's in\n"
      "                    a room you moderate\n"
      "  react ROOM SEQ EMOJI\n"
      "                    react to the message SEQ with EMOJI (or a short word)\n"
      "  unreact ROOM SEQ EMOJI\n"
      "                    take your reaction EMOJI to the message SEQ back\n"
      "  search ROOM WORDS…\n"
      "                    print the messages of ROOM on this computer that hold\n"
      "                    every word, in any case, newest first, as “DATE TIME\n"
      "                    sender (SEQ): text”, or with --json as JSON lines with\n"
      "                    room, seq, sender, ts and text; at most --count (50)\n"
      "  search-all WORDS…\n"
      "                    the same in every room, each line with its room\n"
      "\n"
      "When a contact's keys change, a line starting “***” on standard error says so.\n"
      "If you had verified them, nothing is sent in the rooms you share until you\n"
      "compare the safety number again or accept it.\n"
      "\n"
      "A ROOM written @NAME is the direct chat with NAME."));
  g_option_context_set_description (context,
    _("The password is read from --password-file, else from the environment variable\n"
      "SOTTO_PASSWORD, else asked for on the terminal. recover reads the recovery key\n"
      "first, so its password comes from the file or the environment unless both are\n"
      "typed on the terminal.\n"
      "\n"
      "Exit status:\n"
      "  0    done\n"
      "  1    bad options or arguments (remove-device, rename-device: an ID that\n"
      "       names more than one device; rename-device: an empty name, or one\n"
      "       over 64 bytes; send-file: no file you can read at PATH; fetch-file:\n"
      "       no folder to save in, or a PATH that is there already without\n"
      "       --force), or no password (recover: or no recovery key)\n"
      "  2    the server cannot be reached, or the connection was lost\n"
      "  3    the server's key is not trusted (first contact refused, wrong\n"
      "       --trust-fingerprint) or has changed\n"
      "  4    wrong name or password, or the account could not be made or opened\n"
      "       (recover: the recovery key has a mistake, this computer has the\n"
      "       account already, or it could not be added to the account's devices)\n"
      "  5    the server refused the request, or there was nothing to do it to\n"
      "       (members, kick, unban, bans, invite, invite-only, role: a room\n"
      "       you are not in; kick, unban, bans, invite, invite-only: a room\n"
      "       you do not moderate; role: a room you do not own; accept: no\n"
      "       change to accept; approve: no new computer waits with that code,\n"
      "       or the code does not match; recover: the recovery key is not the\n"
      "       account's; remove-device, rename-device: no device with that ID;\n"
      "       remove-device: this computer; send-file: the file is larger than\n"
      "       the server takes, or your files there take all the room it gives\n"
      "       you; fetch-file: a room you are not in, no such file in it, or the\n"
      "       file did not come whole and unchanged; send-file, fetch-file: it\n"
      "       could not be read or saved)\n"
      "  6    --timeout ran out (listen: before --count messages came; send-file,\n"
      "       fetch-file: nothing moved for that long, as when the connection\n"
      "       was lost and did not come back), or the server did not answer in\n"
      "       time (link: the code expired before it was approved)\n"
      "  7    send: nothing was sent, as the safety number of someone in the room\n"
      "       whom you had verified changed; compare it again or accept it\n"
      "  130  interrupted"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, argc, argv, error))
    return NULL;

  /* GOption leaves the "--" that ends the options; it is no argument. */
  for (int i = 1; i < *argc; i++)
    if (g_str_equal ((*argv)[i], "--"))
      {
        memmove (*argv + i, *argv + i + 1, (*argc - i) * sizeof (char *));
        (*argc)--;
        break;
      }

  self->stdin_is_tty = stdin_is_tty;
  if (!parse_command (self, *argc, *argv, error))
    return NULL;

  if (self->server == NULL)
    self->server = g_strdup (DEFAULT_SERVER);
  if (self->data_dir == NULL)
    self->data_dir = g_build_filename (g_get_user_data_dir (), "sotto", NULL);

  if (self->count < 0 || timeout < -1)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--count and --timeout cannot be negative"));
      return NULL;
    }
  if (timeout >= 0)
    self->timeout = timeout;
  else if (self->command != SOTTO_CLI_COMMAND_CHAT && self->command != SOTTO_CLI_COMMAND_LISTEN &&
           self->command != SOTTO_CLI_COMMAND_LINK)
    /* A link waits for the person at the other computer: the server's
     * link timeout ends it. */
    self->timeout = DEFAULT_COMMAND_TIMEOUT;

  if (self->history && self->command != SOTTO_CLI_COMMAND_APPROVE)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   _("--history goes with approve"));
      return NULL;
    }
  if (self->force && self->command != SOTTO_CLI_COMMAND_FETCH_FILE)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   _("--force goes with fetch-file"));
      return NULL;
    }

  if (self->command != SOTTO_CLI_COMMAND_CHAT && self->user == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   _("Name the account with --user"));
      return NULL;
    }

  password_env = g_getenv ("SOTTO_PASSWORD");
  if (password_file != NULL)
    {
      if (!load_password (self, password_file, error))
        return NULL;
    }
  else if (password_env != NULL && password_env[0] != '\0')
    self->password = g_strdup (password_env);
  else if (!self->stdin_is_tty)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   _("No password: use --password-file FILE or set SOTTO_PASSWORD"));
      return NULL;
    }

  return g_steal_pointer (&self);
}
