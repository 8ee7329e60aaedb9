/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include "sotto-prekey.h"

G_BEGIN_DECLS

/* SottoPrekey in two files: the keys and bundles in sotto-prekey.c, the
 * boxes sealed to them in sotto-prekey-box.c. */

gboolean _sotto_prekey_dh (SottoPrekey  *prekey,
                           const guint8 *peer_pk,
                           guint8       *shared);

G_END_DECLS
