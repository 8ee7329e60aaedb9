/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define SOTTO_TYPE_RECOVERY_KEY_DIALOG (sotto_recovery_key_dialog_get_type ())

G_DECLARE_FINAL_TYPE (SottoRecoveryKeyDialog, sotto_recovery_key_dialog, SOTTO,
                      RECOVERY_KEY_DIALOG, AdwMessageDialog)

SottoRecoveryKeyDialog *sotto_recovery_key_dialog_new          (GtkWindow              *parent,
                                                                const char             *recovery_key);
const char             *sotto_recovery_key_dialog_get_shown    (SottoRecoveryKeyDialog *self);
void                    sotto_recovery_key_dialog_copy         (SottoRecoveryKeyDialog *self);

G_END_DECLS
