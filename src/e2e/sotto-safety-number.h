/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib.h>

#include "sotto-identity.h"

G_BEGIN_DECLS

/* Twelve groups of five digits separated by single spaces. */
#define SOTTO_SAFETY_NUMBER_LENGTH (12 * 5 + 11)

char *sotto_safety_number (const char                *user_a,
                           const SottoPublicIdentity *a,
                           const char                *user_b,
                           const SottoPublicIdentity *b);

G_END_DECLS
