/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sotto-server-state.h"

G_BEGIN_DECLS

/**
 * SottoServerEventBuilder:
 * @room: the room of the event
 * @seq: the event's sequence number
 * @ts: its server time
 * @data: the data given to _sotto_server_append_event()
 *
 * Makes the serialized event, stored and sent as it is.
 */
typedef GBytes *(*SottoServerEventBuilder) (SottoRoom *room,
                                            gint64     seq,
                                            gint64     ts,
                                            gpointer   data);

gboolean _sotto_server_append_event       (SottoServerState        *self,
                                           SottoRoom               *room,
                                           const char              *sender,
                                           const char              *msg_id,
                                           SottoServerEventBuilder  build,
                                           gpointer                 data,
                                           SottoUser               *also,
                                           SottoSession            *except,
                                           GError                 **error);
void     _sotto_server_reply_after_commit (SottoServerState        *self,
                                           SottoSession            *session,
                                           SottoMsg                *msg,
                                           GBytes                  *reply_bytes);

G_END_DECLS
