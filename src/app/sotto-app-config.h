/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SOTTO_TYPE_APP_CONFIG (sotto_app_config_get_type ())

G_DECLARE_FINAL_TYPE (SottoAppConfig, sotto_app_config, SOTTO, APP_CONFIG, GObject)

SottoAppConfig *sotto_app_config_new                (GSettings      *settings);
GSettings      *sotto_app_config_get_settings       (SottoAppConfig *self);
const char     *sotto_app_config_get_data_dir       (SottoAppConfig *self);
void            sotto_app_config_set_data_dir       (SottoAppConfig *self,
                                                     const char     *data_dir);
void            sotto_app_config_set_pwhash_limits  (SottoAppConfig *self,
                                                     guint64         opslimit,
                                                     gsize           memlimit);
void            sotto_app_config_get_pwhash_limits  (SottoAppConfig *self,
                                                     guint64        *opslimit,
                                                     gsize          *memlimit);

G_END_DECLS
