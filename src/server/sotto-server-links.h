/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sotto-server-state.h"

G_BEGIN_DECLS

/* The most link offers the server holds waiting at once: each one keeps
 * a connection that has not logged in open for up to the link timeout. */
#define SOTTO_SERVER_MAX_LINKS 1000

SottoServerLinks *_sotto_server_links_new            (void);
void              _sotto_server_links_free           (SottoServerLinks *self);
void              _sotto_server_links_forget_session (SottoServerLinks *self,
                                                      SottoSession     *session);

void _sotto_server_handle_link_offer   (SottoServerState *self,
                                        SottoSession     *session,
                                        SottoMsg         *msg);
void _sotto_server_handle_link_fetch   (SottoServerState *self,
                                        SottoSession     *session,
                                        SottoMsg         *msg);
void _sotto_server_handle_link_approve (SottoServerState *self,
                                        SottoSession     *session,
                                        SottoMsg         *msg);

G_END_DECLS
