/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib.h>

#include "sotto-e2e-error.h"
#include "sotto-identity.h"
#include "sotto-sender-key.h"

G_BEGIN_DECLS

/* The largest message a room envelope carries, so that the envelope stays
 * well within the protocol's 64 KiB limit on decoded binary fields.
 */
#define SOTTO_ENVELOPE_MAX_PLAINTEXT (48 * 1024)

/* version (1), key id (4), index (4), room tag (8), sender tag (8),
 * nonce (24), AEAD tag (16), signature (64).
 */
#define SOTTO_ENVELOPE_OVERHEAD 129
#define SOTTO_ENVELOPE_MAX_BYTES (SOTTO_ENVELOPE_MAX_PLAINTEXT + SOTTO_ENVELOPE_OVERHEAD)

GBytes   *sotto_envelope_seal (SottoSenderKey             *own,
                               SottoIdentity              *sender,
                               const char                 *room,
                               const char                 *sender_name,
                               GBytes                     *plaintext,
                               GError                    **error);
gboolean  sotto_envelope_peek (GBytes                     *envelope,
                               guint32                    *key_id,
                               guint32                    *index,
                               GError                    **error);
GBytes   *sotto_envelope_open (GBytes                     *envelope,
                               const char                 *room,
                               const char                 *sender_name,
                               const SottoPublicIdentity  *sender,
                               SottoSenderKey             *state,
                               GError                    **error);

G_END_DECLS
