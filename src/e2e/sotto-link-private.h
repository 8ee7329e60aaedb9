/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include "sotto-link.h"

G_BEGIN_DECLS

/*
 * Linking a new computer, in four files: the link code, its id and its
 * key in sotto-link-code.c; the new device's request, which holds its
 * ephemeral secret, in sotto-link-request.c; the offer the new device
 * sends in sotto-link-offer.c; the approval it gets back in
 * sotto-link-approval.c.
 */

/* The raw link id, which the server sees in hex. */
#define SOTTO_LINK_ID_BYTES 16

/* What offers and approvals authenticate beside their contents: their
 * version and the raw link id. */
#define SOTTO_LINK_ASSOCIATED_BYTES (1 + SOTTO_LINK_ID_BYTES)

const guint8 *_sotto_link_code_get_key    (SottoLinkCode    *self);
void          _sotto_link_code_associated (SottoLinkCode    *self,
                                           guint8            version,
                                           guint8           *associated);

/* The ephemeral secret never leaves sotto-link-request.c: the approval
 * asks the request for the exchange, then spends it. */
gboolean      _sotto_link_request_dh      (SottoLinkRequest *self,
                                           const guint8     *peer_pk,
                                           guint8           *shared);
void          _sotto_link_request_spend   (SottoLinkRequest *self);

G_END_DECLS
