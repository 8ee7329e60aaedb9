/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "sotto-client.h"

G_BEGIN_DECLS

#define SOTTO_TYPE_SAFETY_DIALOG (sotto_safety_dialog_get_type ())

G_DECLARE_FINAL_TYPE (SottoSafetyDialog, sotto_safety_dialog, SOTTO, SAFETY_DIALOG, AdwMessageDialog)

SottoSafetyDialog *sotto_safety_dialog_new        (GtkWindow         *parent,
                                                   SottoClient       *client,
                                                   const char        *user);
char              *sotto_safety_dialog_dup_digits (SottoSafetyDialog *self);

G_END_DECLS
