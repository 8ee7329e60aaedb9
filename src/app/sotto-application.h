/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define SOTTO_TYPE_APPLICATION (sotto_application_get_type ())

G_DECLARE_FINAL_TYPE (SottoApplication, sotto_application, SOTTO, APPLICATION, AdwApplication)

SottoApplication *sotto_application_new                (void);
GSettings        *sotto_application_get_settings       (SottoApplication *self);
void              sotto_application_set_data_dir       (SottoApplication *self,
                                                        const char       *data_dir);
void              sotto_application_set_pwhash_limits  (SottoApplication *self,
                                                        guint64           opslimit,
                                                        gsize             memlimit);

G_END_DECLS
