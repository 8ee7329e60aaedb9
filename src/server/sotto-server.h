/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sotto-server-config.h"

G_BEGIN_DECLS

#define SOTTO_TYPE_SERVER (sotto_server_get_type ())

G_DECLARE_FINAL_TYPE (SottoServer, sotto_server, SOTTO, SERVER, GSocketService)

SottoServer *sotto_server_new                  (SottoServerConfig  *config,
                                                GError            **error);
gboolean     sotto_server_listen               (SottoServer        *self,
                                                GError            **error);
GPtrArray   *sotto_server_get_listen_addresses (SottoServer        *self);
const char  *sotto_server_get_fingerprint      (SottoServer        *self);
void         sotto_server_shutdown_async       (SottoServer        *self,
                                                GAsyncReadyCallback callback,
                                                gpointer            user_data);
gboolean     sotto_server_shutdown_finish      (SottoServer        *self,
                                                GAsyncResult       *result,
                                                GError            **error);

/* Operator actions, for the console. */
void         sotto_server_broadcast            (SottoServer        *self,
                                                const char         *text);
gboolean     sotto_server_operator_kick        (SottoServer        *self,
                                                const char         *user,
                                                const char         *room,
                                                GError            **error);
gboolean     sotto_server_operator_unban       (SottoServer        *self,
                                                const char         *user,
                                                const char         *room,
                                                GError            **error);
char        *sotto_server_describe_users       (SottoServer        *self);
char        *sotto_server_describe_rooms       (SottoServer        *self);

G_END_DECLS
