/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "sotto-e2e-error.h"

G_DEFINE_QUARK (sotto-e2e-error-quark, sotto_e2e_error)
