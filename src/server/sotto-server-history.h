/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sotto-server-state.h"

G_BEGIN_DECLS

void _sotto_server_handle_send_history      (SottoServerState *self,
                                             SottoSession     *session,
                                             SottoMsg         *msg);
void _sotto_server_handle_ack_history       (SottoServerState *self,
                                             SottoSession     *session,
                                             SottoMsg         *msg);
void _sotto_server_deliver_pending_history  (SottoServerState *self,
                                             SottoSession     *session);

G_END_DECLS
