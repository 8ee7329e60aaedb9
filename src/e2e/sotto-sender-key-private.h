/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include "sotto-sender-key.h"

G_BEGIN_DECLS

#define SOTTO_MESSAGE_KEY_BYTES 32

/* Reading a message key is separate from consuming it, so a message that
 * fails to decrypt does not move the ratchet: get the key, decrypt, and only
 * then consume.
 */
gboolean _sotto_sender_key_get_message_key (SottoSenderKey  *self,
                                            guint32          index,
                                            guint8          *message_key,
                                            GError         **error);
void     _sotto_sender_key_consume         (SottoSenderKey  *self,
                                            guint32          index);

G_END_DECLS
