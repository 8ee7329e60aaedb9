/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sotto-server-state.h"

G_BEGIN_DECLS

gboolean _sotto_server_join_room           (SottoServerState     *self,
                                            SottoUser            *user,
                                            SottoRoom            *room,
                                            GError              **error);
gboolean _sotto_server_remove_from_room    (SottoServerState     *self,
                                            SottoUser            *user,
                                            SottoRoom            *room,
                                            SottoMsgLeaveReason   reason,
                                            GError              **error);
void     _sotto_server_announce_key_change (SottoServerState     *self,
                                            SottoUser            *user);
void     _sotto_server_summarize_rooms     (SottoServerState     *self,
                                            SottoUser            *user,
                                            gboolean              all_public,
                                            GArray               *summaries);

void     _sotto_server_handle_join         (SottoServerState     *self,
                                            SottoSession         *session,
                                            SottoMsg             *msg);
void     _sotto_server_handle_leave        (SottoServerState     *self,
                                            SottoSession         *session,
                                            SottoMsg             *msg);
void     _sotto_server_handle_list_rooms   (SottoServerState     *self,
                                            SottoSession         *session,
                                            SottoMsg             *msg);
void     _sotto_server_handle_list_members (SottoServerState     *self,
                                            SottoSession         *session,
                                            SottoMsg             *msg);
void     _sotto_server_handle_open_direct  (SottoServerState     *self,
                                            SottoSession         *session,
                                            SottoMsg             *msg);

G_END_DECLS
