/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "sotto-app-config.h"
#include "sotto-client.h"
#include "sotto-login-view.h"
#include "sotto-room-view.h"

G_BEGIN_DECLS

#define SOTTO_TYPE_WINDOW (sotto_window_get_type ())

G_DECLARE_FINAL_TYPE (SottoWindow, sotto_window, SOTTO, WINDOW, AdwApplicationWindow)

SottoWindow    *sotto_window_new            (GtkApplication   *application);
SottoAppConfig *sotto_window_get_config     (SottoWindow      *self);
void            sotto_window_set_config     (SottoWindow      *self,
                                             SottoAppConfig   *config);
SottoClient    *sotto_window_get_client     (SottoWindow      *self);
SottoLoginView *sotto_window_get_login_view (SottoWindow      *self);
SottoRoomView  *sotto_window_get_room_view  (SottoWindow      *self);
SottoRoom      *sotto_window_get_room       (SottoWindow      *self);
gboolean        sotto_window_open_room      (SottoWindow      *self,
                                             const char       *room);

G_END_DECLS
