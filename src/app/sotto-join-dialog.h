/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "sotto-client.h"

G_BEGIN_DECLS

#define SOTTO_TYPE_JOIN_DIALOG (sotto_join_dialog_get_type ())

G_DECLARE_FINAL_TYPE (SottoJoinDialog, sotto_join_dialog, SOTTO, JOIN_DIALOG, AdwWindow)

SottoJoinDialog *sotto_join_dialog_new      (GtkWindow       *parent,
                                             SottoClient     *client,
                                             gboolean         direct);
void             sotto_join_dialog_set_name (SottoJoinDialog *self,
                                             const char      *name);
void             sotto_join_dialog_join     (SottoJoinDialog *self);
const char      *sotto_join_dialog_get_error (SottoJoinDialog *self);
guint            sotto_join_dialog_get_n_listed (SottoJoinDialog *self);

G_END_DECLS
