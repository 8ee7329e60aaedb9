/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include "sotto-account-key.h"

G_BEGIN_DECLS

/* The secret key never leaves sotto-account-key.c: the device list asks
 * the key to sign for it.
 */

void _sotto_account_key_sign (SottoAccountKey *self,
                              const guint8    *message,
                              gsize            message_len,
                              guint8          *signature);

G_END_DECLS
