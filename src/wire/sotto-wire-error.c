/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sotto-wire-error.h"

G_DEFINE_QUARK (sotto-wire-error-quark, sotto_wire_error)
