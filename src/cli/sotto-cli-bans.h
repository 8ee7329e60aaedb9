/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sotto-cli-rooms.h"
#include "sotto-client.h"

G_BEGIN_DECLS

#define SOTTO_TYPE_CLI_BANS (sotto_cli_bans_get_type ())

G_DECLARE_FINAL_TYPE (SottoCliBans, sotto_cli_bans, SOTTO, CLI_BANS, GObject)

/**
 * SottoCliBansDone:
 * @status: a #SottoCliExit: %SOTTO_CLI_EXIT_OK, or what failed
 *
 * Told when a removal, a return or the list of bans is done, once what
 * it had to say is printed.
 */
typedef void (*SottoCliBansDone) (SottoCliBans *bans,
                                  int           status,
                                  gpointer      user_data);

SottoCliBans *sotto_cli_bans_new   (SottoClient      *client,
                                    SottoCliRooms    *rooms,
                                    gboolean          chat,
                                    GCancellable     *cancellable);
void          sotto_cli_bans_kick  (SottoCliBans     *self,
                                    const char       *room,
                                    const char       *user,
                                    SottoCliBansDone  done,
                                    gpointer          user_data);
void          sotto_cli_bans_unban (SottoCliBans     *self,
                                    const char       *room,
                                    const char       *user,
                                    SottoCliBansDone  done,
                                    gpointer          user_data);
void          sotto_cli_bans_invite (SottoCliBans    *self,
                                     const char      *room,
                                     const char      *user,
                                     SottoCliBansDone done,
                                     gpointer         user_data);
void          sotto_cli_bans_set_invite_only (SottoCliBans     *self,
                                              const char       *room,
                                              const char       *value,
                                              SottoCliBansDone  done,
                                              gpointer          user_data);
void          sotto_cli_bans_set_role (SottoCliBans     *self,
                                       const char       *room,
                                       const char       *args,
                                       SottoCliBansDone  done,
                                       gpointer          user_data);
void          sotto_cli_bans_list  (SottoCliBans     *self,
                                    const char       *room,
                                    gboolean          json,
                                    SottoCliBansDone  done,
                                    gpointer          user_data);

G_END_DECLS
