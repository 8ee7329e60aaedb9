/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sotto-server-config.h"
#include "sotto-wire.h"

G_BEGIN_DECLS

#define SOTTO_TYPE_SESSION (sotto_session_get_type ())

G_DECLARE_FINAL_TYPE (SottoSession, sotto_session, SOTTO, SESSION, GObject)

SottoSession *sotto_session_new          (GSocketConnection       *connection,
                                          guint64                  id,
                                          SottoServerKey          *key,
                                          const SottoServerConfig *config);
void          sotto_session_start        (SottoSession       *self);
gboolean      sotto_session_send         (SottoSession       *self,
                                          GBytes             *message);
gboolean      sotto_session_send_bulk    (SottoSession       *self,
                                          GBytes             *message);
void          sotto_session_close        (SottoSession       *self,
                                          const char         *reason);
void          sotto_session_abort        (SottoSession       *self,
                                          const char         *reason);
gboolean      sotto_session_is_open      (SottoSession       *self);
guint64       sotto_session_get_id       (SottoSession       *self);
const char   *sotto_session_get_peer     (SottoSession       *self);
gpointer      sotto_session_get_user     (SottoSession       *self);
void          sotto_session_set_user     (SottoSession       *self,
                                          gpointer            user);
gint64        sotto_session_get_device   (SottoSession       *self);
void          sotto_session_set_device   (SottoSession       *self,
                                          gint64              device_id);
void          sotto_session_hold_login_timeout (SottoSession *self,
                                                gboolean      hold);
gboolean      sotto_session_get_busy     (SottoSession       *self);
void          sotto_session_set_busy     (SottoSession       *self,
                                          gboolean            busy);
GCancellable *sotto_session_get_cancellable (SottoSession    *self);
void          sotto_session_hold_requests    (SottoSession    *self);
void          sotto_session_release_requests (SottoSession    *self);
gboolean      sotto_session_allow_typing (SottoSession       *self,
                                          const char         *room);

G_END_DECLS
