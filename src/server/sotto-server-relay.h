/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sotto-server-state.h"

G_BEGIN_DECLS

void _sotto_server_handle_send          (SottoServerState *self,
                                         SottoSession     *session,
                                         SottoMsg         *msg);
void _sotto_server_handle_send_key      (SottoServerState *self,
                                         SottoSession     *session,
                                         SottoMsg         *msg);
void _sotto_server_handle_ack_keys      (SottoServerState *self,
                                         SottoSession     *session,
                                         SottoMsg         *msg);
void _sotto_server_handle_catchup       (SottoServerState *self,
                                         SottoSession     *session,
                                         SottoMsg         *msg);
void _sotto_server_handle_typing        (SottoServerState *self,
                                         SottoSession     *session,
                                         SottoMsg         *msg);
void _sotto_server_deliver_pending_keys (SottoServerState *self,
                                         SottoSession     *session);

G_END_DECLS
