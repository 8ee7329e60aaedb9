/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sotto-e2e.h"
#include "sotto-link-pending.h"

G_BEGIN_DECLS

SottoLinkPending     *_sotto_link_pending_new       (SottoLinkCode    *code,
                                                     SottoLinkOffer   *offer);
SottoLinkCode        *_sotto_link_pending_get_code  (SottoLinkPending *self);
const SottoLinkOffer *_sotto_link_pending_get_offer (SottoLinkPending *self);
gboolean              _sotto_link_pending_take      (SottoLinkPending *self);

G_END_DECLS
