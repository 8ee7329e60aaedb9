/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sotto-transfer.h"

G_BEGIN_DECLS

SottoTransfer *_sotto_transfer_new             (SottoTransferKind   kind,
                                                const char         *name,
                                                const char         *room);
GCancellable  *_sotto_transfer_get_cancellable (SottoTransfer      *self);
void           _sotto_transfer_set_progress    (SottoTransfer      *self,
                                                guint64             done,
                                                guint64             total);
void           _sotto_transfer_set_state       (SottoTransfer      *self,
                                                SottoTransferState  state,
                                                const char         *error);
void           _sotto_transfer_set_message     (SottoTransfer      *self,
                                                SottoMessage       *message);

G_END_DECLS
