/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <termios.h>

#include "sotto-cli.h"
#include "sotto-cli-feed.h"
#include "sotto-cli-format.h"
#include "sotto-client.h"

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
} SottoCliCommand;

/* @line is %NULL when the input ended. */
typedef void (*SottoCliAnswer)    (SottoCli     *self,
                                   const char   *line);
/* Exactly one of @room and @error is set. */
typedef void (*SottoCliRoomReady) (SottoCli     *self,
                                   SottoRoom    *room,
                                   const GError *error,
                                   gpointer      data);

struct _SottoCli
{
  GObject           parent_instance;

  /* What the command line asked for */
  char             *server;
  char             *user;
  char             *data_dir;
  char             *trust_fingerprint;
  gboolean          pwhash_fast;
  gboolean          json;
  int               count;
  int               timeout;
  SottoCliCommand   command;
  char             *room_arg;
  char             *text_arg;
  /* From --password-file or $SOTTO_PASSWORD; wiped when freed */
  char             *password;

  SottoClient      *client;
  SottoCliFeed     *feed;
  GMainLoop        *loop;
  GCancellable     *cancellable;
  int               status;
  gboolean          finishing;
  gboolean          logging_in;
  gboolean          reconnecting;
  guint             timeout_id;
  guint             sigint_id;
  guint             sigterm_id;
  guint             finish_id;
  guint             close_wait_id;
  gulong            closed_id;
  gulong            event_id;
  gulong            close_state_id;

  /* The terminal */
  gboolean          stdin_is_tty;
  GDataInputStream *input;
  gboolean          reading;
  gboolean          read_all_lines;
  SottoCliAnswer    answer;
  gboolean          answer_secret;
  gboolean          echo_off;
  struct termios    saved_termios;

  /* Logging in from a prompt */
  gboolean          pending_create;
  char             *pending_user;
  char             *pending_password;

  /* Scripted commands */
  SottoMessage     *sending;
  gulong            sending_id;
  guint             printed;

  /* The chat */
  char             *current_room;
  char             *verify_user;
  /* Direct rooms being opened, by us or by someone with us */
  GHashTable       *adopting;
  /* Rooms waiting for their members before they can be used */
  GList            *openings;
};

void        _sotto_cli_finish            (SottoCli          *self,
                                          int                status);
void        _sotto_cli_fail              (SottoCli          *self,
                                          const GError      *error,
                                          SottoCliPhase      phase);
void        _sotto_cli_say               (SottoCli          *self,
                                          const char        *format,
                                          ...) G_GNUC_PRINTF (2, 3);

/* sotto-cli-options.c */
gboolean    _sotto_cli_parse_options     (SottoCli          *self,
                                          int               *argc,
                                          char            ***argv,
                                          GError           **error);

/* sotto-cli-connect.c */
void        _sotto_cli_connect           (SottoCli          *self);
void        _sotto_cli_account           (SottoCli          *self,
                                          gboolean           create,
                                          const char        *user,
                                          const char        *password);

/* sotto-cli-input.c */
void        _sotto_cli_ask               (SottoCli          *self,
                                          const char        *prompt,
                                          gboolean           secret,
                                          SottoCliAnswer     answer);
void        _sotto_cli_read_all_lines    (SottoCli          *self);
void        _sotto_cli_restore_terminal  (SottoCli          *self);
gboolean    _sotto_cli_load_password     (SottoCli          *self,
                                          const char        *password_file,
                                          GError           **error);
void        _sotto_cli_log_in            (SottoCli          *self,
                                          gboolean           create,
                                          const char        *user);
void        _sotto_cli_wipe_string       (char             **string);

/* sotto-cli-rooms.c */
char       *_sotto_cli_direct_peer       (SottoCli          *self,
                                          const char        *room);
char       *_sotto_cli_canonical_room    (SottoCli          *self,
                                          const char        *room);
SottoRoom  *_sotto_cli_lookup_room       (SottoCli          *self,
                                          const char        *room);
char       *_sotto_cli_room_label        (SottoCli          *self,
                                          const char        *room);
void        _sotto_cli_open_room         (SottoCli          *self,
                                          const char        *name,
                                          SottoCliRoomReady  ready,
                                          gpointer           data,
                                          GDestroyNotify     destroy);
void        _sotto_cli_cancel_openings   (SottoCli          *self);
void        _sotto_cli_print_members     (SottoCli          *self,
                                          SottoRoom         *room,
                                          gboolean           json);
void        _sotto_cli_print_json        (JsonBuilder       *builder);
void        _sotto_cli_watch_direct      (SottoCli          *self);

/* sotto-cli-commands.c */
void        _sotto_cli_command_start     (SottoCli          *self);
void        _sotto_cli_command_timed_out (SottoCli          *self);

/* sotto-cli-chat.c */
void        _sotto_cli_chat_connected    (SottoCli          *self);
void        _sotto_cli_chat_logged_in    (SottoCli          *self);
void        _sotto_cli_chat_line         (SottoCli          *self,
                                          const char        *line);
void        _sotto_cli_chat_account_failed (SottoCli        *self,
                                            const GError    *error);
void        _sotto_cli_chat_direct_opened (SottoCli         *self,
                                           SottoRoom        *room);

G_END_DECLS
