/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define SOTTO_TYPE_APPLICATION (sotto_application_get_type ())

G_DECLARE_FINAL_TYPE (SottoApplication, sotto_application, SOTTO, APPLICATION, AdwApplication)

SottoApplication *sotto_application_new                (void);
GSettings        *sotto_application_get_settings       (SottoApplication *self);
const char       *sotto_application_get_data_dir       (SottoApplication *self);
void              sotto_application_set_data_dir       (SottoApplication *self,
                                                        const char       *data_dir);
void              sotto_application_set_pwhash_limits  (SottoApplication *self,
                                                        guint64           opslimit,
                                                        gsize             memlimit);
void              sotto_application_get_pwhash_limits  (SottoApplication *self,
                                                        guint64          *opslimit,
                                                        gsize            *memlimit);
void              sotto_application_notify_message     (SottoApplication *self,
                                                        const char       *room,
                                                        gboolean          direct,
                                                        const char       *sender,
                                                        const char       *text,
                                                        guint             unread);
void              sotto_application_withdraw_room      (SottoApplication *self,
                                                        const char       *room);

G_END_DECLS
