/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include "sotto-identity.h"

G_BEGIN_DECLS

/* The secret keys never leave sotto-identity.c: the other e2e files ask the
 * identity to sign or to box for them.
 */

void     _sotto_identity_sign     (SottoIdentity *self,
                                   const guint8  *message,
                                   gsize          message_len,
                                   guint8        *signature);
gboolean _sotto_identity_box      (SottoIdentity *self,
                                   const guint8  *peer_box_pk,
                                   const guint8  *nonce,
                                   const guint8  *message,
                                   gsize          message_len,
                                   guint8        *ciphertext);
gboolean _sotto_identity_box_open (SottoIdentity *self,
                                   const guint8  *peer_box_pk,
                                   const guint8  *nonce,
                                   const guint8  *ciphertext,
                                   gsize          ciphertext_len,
                                   guint8        *message);

gboolean _sotto_identity_dh       (SottoIdentity *self,
                                   const guint8  *peer_pk,
                                   guint8        *shared);

G_END_DECLS
