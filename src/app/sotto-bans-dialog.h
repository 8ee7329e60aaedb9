/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "sotto-client.h"

G_BEGIN_DECLS

#define SOTTO_TYPE_BANS_DIALOG (sotto_bans_dialog_get_type ())

G_DECLARE_FINAL_TYPE (SottoBansDialog, sotto_bans_dialog, SOTTO, BANS_DIALOG, AdwMessageDialog)

SottoBansDialog *sotto_bans_dialog_new         (GtkWindow       *parent,
                                                SottoClient     *client,
                                                SottoRoom       *room);
gboolean         sotto_bans_dialog_get_loaded  (SottoBansDialog *self);
GStrv            sotto_bans_dialog_dup_users   (SottoBansDialog *self);
gboolean         sotto_bans_dialog_let_back_in (SottoBansDialog *self,
                                                const char      *user);

G_END_DECLS
