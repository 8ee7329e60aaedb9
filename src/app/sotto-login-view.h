/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "sotto-app-config.h"
#include "sotto-client.h"

G_BEGIN_DECLS

#define SOTTO_TYPE_LOGIN_VIEW (sotto_login_view_get_type ())

G_DECLARE_FINAL_TYPE (SottoLoginView, sotto_login_view, SOTTO, LOGIN_VIEW, AdwBin)

SottoAppConfig *sotto_login_view_get_config   (SottoLoginView *self);
void            sotto_login_view_set_config   (SottoLoginView *self,
                                               SottoAppConfig *config);
void            sotto_login_view_set_creating (SottoLoginView *self,
                                               gboolean        creating);
gboolean        sotto_login_view_get_creating (SottoLoginView *self);
gboolean        sotto_login_view_get_busy     (SottoLoginView *self);
const char     *sotto_login_view_get_error    (SottoLoginView *self);
void            sotto_login_view_fill         (SottoLoginView *self,
                                               const char     *server,
                                               const char     *username,
                                               const char     *password);
void            sotto_login_view_submit       (SottoLoginView *self);
void            sotto_login_view_reset        (SottoLoginView *self,
                                               const char     *error_text);
void            sotto_login_view_link         (SottoLoginView *self);
void            sotto_login_view_cancel_link  (SottoLoginView *self);
const char     *sotto_login_view_get_link_code (SottoLoginView *self);

G_END_DECLS
