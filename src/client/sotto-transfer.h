/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "sotto-client-enums.h"
#include "sotto-message.h"

G_BEGIN_DECLS

/**
 * SottoTransferKind:
 * @SOTTO_TRANSFER_UPLOAD: a file this computer sends
 * @SOTTO_TRANSFER_DOWNLOAD: a file someone sent, fetched to save it
 */
typedef enum
{
  SOTTO_TRANSFER_UPLOAD,
  SOTTO_TRANSFER_DOWNLOAD,
} SottoTransferKind;

/**
 * SottoTransferState:
 * @SOTTO_TRANSFER_PREPARING: the file is being sealed (uploads), before
 *   anything goes
 * @SOTTO_TRANSFER_RUNNING: it moves
 * @SOTTO_TRANSFER_WAITING: the connection is down; it goes on from where
 *   it stopped once the client is back online
 * @SOTTO_TRANSFER_DONE: sent (the file message is in the room), or saved
 * @SOTTO_TRANSFER_FAILED: it stopped; #SottoTransfer:error says why
 * @SOTTO_TRANSFER_CANCELLED: the user stopped it
 */
typedef enum
{
  SOTTO_TRANSFER_PREPARING,
  SOTTO_TRANSFER_RUNNING,
  SOTTO_TRANSFER_WAITING,
  SOTTO_TRANSFER_DONE,
  SOTTO_TRANSFER_FAILED,
  SOTTO_TRANSFER_CANCELLED,
} SottoTransferState;

#define SOTTO_TYPE_TRANSFER (sotto_transfer_get_type ())

G_DECLARE_FINAL_TYPE (SottoTransfer, sotto_transfer, SOTTO, TRANSFER, GObject)

SottoTransferKind   sotto_transfer_get_kind    (SottoTransfer *self);
const char         *sotto_transfer_get_name    (SottoTransfer *self);
const char         *sotto_transfer_get_room    (SottoTransfer *self);
guint64             sotto_transfer_get_total   (SottoTransfer *self);
guint64             sotto_transfer_get_done    (SottoTransfer *self);
double              sotto_transfer_get_fraction (SottoTransfer *self);
SottoTransferState  sotto_transfer_get_state   (SottoTransfer *self);
const char         *sotto_transfer_get_error   (SottoTransfer *self);
SottoMessage       *sotto_transfer_get_message (SottoTransfer *self);
gboolean            sotto_transfer_is_finished (SottoTransfer *self);
void                sotto_transfer_cancel      (SottoTransfer *self);

G_END_DECLS
