/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sotto-server-state.h"

G_BEGIN_DECLS

gboolean _sotto_server_kick         (SottoServerState  *self,
                                     SottoUser         *user,
                                     SottoRoom         *room,
                                     const char        *banned_by,
                                     GError           **error);
gboolean _sotto_server_unban        (SottoServerState  *self,
                                     SottoUser         *user,
                                     SottoRoom         *room,
                                     GError           **error);

void     _sotto_server_handle_kick  (SottoServerState  *self,
                                     SottoSession      *session,
                                     SottoMsg          *msg);
void     _sotto_server_handle_unban (SottoServerState  *self,
                                     SottoSession      *session,
                                     SottoMsg          *msg);
void     _sotto_server_handle_list_bans (SottoServerState *self,
                                         SottoSession     *session,
                                         SottoMsg         *msg);

G_END_DECLS
