/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sotto-cli-rooms.h"
#include "sotto-client.h"

G_BEGIN_DECLS

#define SOTTO_TYPE_CLI_CHAT_VIEW (sotto_cli_chat_view_get_type ())

G_DECLARE_FINAL_TYPE (SottoCliChatView, sotto_cli_chat_view, SOTTO, CLI_CHAT_VIEW, GObject)

SottoCliChatView *sotto_cli_chat_view_new        (SottoClient      *client,
                                                  SottoCliRooms    *rooms,
                                                  GCancellable     *cancellable);
const char       *sotto_cli_chat_view_get_room   (SottoCliChatView *self);
void              sotto_cli_chat_view_logged_in  (SottoCliChatView *self);
void              sotto_cli_chat_view_enter      (SottoCliChatView *self,
                                                  SottoRoom        *room);
void              sotto_cli_chat_view_leave      (SottoCliChatView *self,
                                                  const char       *name);
void              sotto_cli_chat_view_list_rooms (SottoCliChatView *self);
void              sotto_cli_chat_view_send       (SottoCliChatView *self,
                                                  const char       *room,
                                                  const char       *text);

G_END_DECLS
