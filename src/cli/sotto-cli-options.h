/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum
{
  SOTTO_CLI_COMMAND_CHAT,
  SOTTO_CLI_COMMAND_REGISTER,
  SOTTO_CLI_COMMAND_JOIN,
  SOTTO_CLI_COMMAND_SEND,
  SOTTO_CLI_COMMAND_LISTEN,
  SOTTO_CLI_COMMAND_ROOMS,
  SOTTO_CLI_COMMAND_MEMBERS,
  SOTTO_CLI_COMMAND_ACCEPT,
  SOTTO_CLI_COMMAND_KICK,
  SOTTO_CLI_COMMAND_UNBAN,
  SOTTO_CLI_COMMAND_BANS,
  SOTTO_CLI_COMMAND_INVITE,
  SOTTO_CLI_COMMAND_INVITE_ONLY,
  SOTTO_CLI_COMMAND_ROLE,
  SOTTO_CLI_COMMAND_LINK,
  SOTTO_CLI_COMMAND_APPROVE,
  SOTTO_CLI_COMMAND_RECOVER,
  SOTTO_CLI_COMMAND_RECOVERY_KEY,
  SOTTO_CLI_COMMAND_DEVICES,
  SOTTO_CLI_COMMAND_REMOVE_DEVICE,
  SOTTO_CLI_COMMAND_RENAME_DEVICE,
  SOTTO_CLI_COMMAND_SEND_FILE,
  SOTTO_CLI_COMMAND_FETCH_FILE,
  SOTTO_CLI_COMMAND_REPLY,
  SOTTO_CLI_COMMAND_EDIT,
  SOTTO_CLI_COMMAND_DELETE,
  SOTTO_CLI_COMMAND_REACT,
  SOTTO_CLI_COMMAND_UNREACT,
  SOTTO_CLI_COMMAND_SEARCH,
  SOTTO_CLI_COMMAND_SEARCH_ALL,
} SottoCliCommand;

#define SOTTO_TYPE_CLI_OPTIONS (sotto_cli_options_get_type ())

/**
 * SottoCliOptions:
 *
 * What the command line asked for. Read-only once parsed, but for the
 * password, which whoever logs in takes with
 * sotto_cli_options_steal_password().
 */
typedef struct
{
  char            *server;
  char            *user;
  char            *data_dir;
  char            *trust_fingerprint;
  gboolean         pwhash_fast;
  gboolean         json;
  gboolean         history;
  gboolean         force;
  int              count;
  int              timeout;
  SottoCliCommand  command;
  /* The room, or for accept the user, for approve the link code, for
   * remove-device and rename-device the device's ID */
  char            *room_arg;
  /* What to send, or for kick and unban the user, for approve the rest
   * of a link code typed with spaces, for rename-device the new name, for
   * fetch-file the message's number or the file's ID */
  char            *text_arg;
  /* send-file: the file to send; fetch-file: where to save it, or %NULL */
  char            *path_arg;
  /* reply, edit, delete, react, unreact: the message's number ("seq");
   * text_arg is then the text, or the reaction */
  char            *target_arg;
  /* The standard input is a terminal: questions can be asked there. */
  gboolean         stdin_is_tty;
  /* From --password-file or $SOTTO_PASSWORD; wiped when freed */
  char            *password;
} SottoCliOptions;

GType            sotto_cli_options_get_type        (void) G_GNUC_CONST;
SottoCliOptions *sotto_cli_options_parse           (int              *argc,
                                                    char           ***argv,
                                                    gboolean          stdin_is_tty,
                                                    GError          **error);
SottoCliOptions *sotto_cli_options_ref             (SottoCliOptions  *options);
void             sotto_cli_options_unref           (SottoCliOptions  *options);
char            *sotto_cli_options_steal_password  (SottoCliOptions  *options);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SottoCliOptions, sotto_cli_options_unref)

G_END_DECLS
