/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include "sotto-sender-key.h"

G_BEGIN_DECLS

#define SOTTO_MESSAGE_KEY_BYTES 32
#define SOTTO_SENDER_KEY_CHAIN_BYTES 32

typedef struct
{
  guint32 index;
  guint8  key[SOTTO_MESSAGE_KEY_BYTES];
} SottoSkippedKey;

/* The chain lives in sotto-sender-key.c, its saved forms in
 * sotto-sender-key-serialize.c.
 */
struct _SottoSenderKey
{
  GObject parent_instance;

  guint32 key_id;
  /* The index of the next message key the chain gives. */
  guint32 index;

  /* sodium_malloc()ed. */
  guint8 *chain_key;

  /* sodium_malloc()ed with room for SOTTO_SENDER_KEY_MAX_STORED entries the
   * first time a message is skipped; sorted by ascending index, all below
   * the chain's index.
   */
  SottoSkippedKey *skipped;
  guint n_skipped;
};

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
/* Allocates the store of skipped keys the first time it is needed. */
void     _sotto_sender_key_ensure_skipped  (SottoSenderKey  *self);

G_END_DECLS
