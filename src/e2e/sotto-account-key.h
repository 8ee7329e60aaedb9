/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib-object.h>

#include "sotto-e2e-error.h"
#include "sotto-identity.h"

G_BEGIN_DECLS

#define SOTTO_ACCOUNT_KEY_SEED_BYTES 32
#define SOTTO_ACCOUNT_KEY_PUBLIC_BYTES 32

/* The length of a recovery key as sotto_account_key_dup_recovery() writes
 * it: 55 characters in 11 groups of 5, joined by '-'. */
#define SOTTO_RECOVERY_KEY_LENGTH 65

/* The size of sotto_account_key_prove_login()'s proof. */
#define SOTTO_LOGIN_PROOF_BYTES 64

#define SOTTO_TYPE_ACCOUNT_KEY (sotto_account_key_get_type ())

G_DECLARE_FINAL_TYPE (SottoAccountKey, sotto_account_key, SOTTO, ACCOUNT_KEY, GObject)

SottoAccountKey *sotto_account_key_new               (void);
SottoAccountKey *sotto_account_key_new_from_seed     (const guint8     *seed);
SottoAccountKey *sotto_account_key_new_from_recovery (const char       *text,
                                                      GError          **error);
const guint8    *sotto_account_key_get_public        (SottoAccountKey  *self);
GBytes          *sotto_account_key_dup_seed          (SottoAccountKey  *self);
char            *sotto_account_key_dup_recovery      (SottoAccountKey  *self);
SottoIdentity   *sotto_account_key_dup_identity      (SottoAccountKey  *self);
GBytes          *sotto_account_key_prove_login       (SottoAccountKey           *self,
                                                      const char                *username,
                                                      const SottoPublicIdentity *device);

G_END_DECLS
