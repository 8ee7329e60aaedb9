/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sotto-server-state.h"

G_BEGIN_DECLS

void _sotto_server_handle_publish_devices (SottoServerState *self,
                                           SottoSession     *session,
                                           SottoMsg         *msg);
void _sotto_server_handle_get_devices     (SottoServerState *self,
                                           SottoSession     *session,
                                           SottoMsg         *msg);

G_END_DECLS
