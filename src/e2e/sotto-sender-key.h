/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib-object.h>

#include "sotto-e2e-error.h"
#include "sotto-identity.h"
#include "sotto-prekey.h"

G_BEGIN_DECLS

/* How far ahead of the chain a single message may be: a receiver stores the
 * keys of at most this many skipped messages at once.
 */
#define SOTTO_SENDER_KEY_MAX_SKIP 2000

/* How many skipped message keys a receiving state keeps in all; the oldest
 * are dropped first.
 */
#define SOTTO_SENDER_KEY_MAX_STORED 2000

/* The size of sotto_sender_key_export()'s output. */
#define SOTTO_SENDER_KEY_EXPORT_BYTES 41

/* The longest room or user name a key box can carry, in bytes. */
#define SOTTO_E2E_NAME_MAX_BYTES 1024

#define SOTTO_TYPE_SENDER_KEY (sotto_sender_key_get_type ())

G_DECLARE_FINAL_TYPE (SottoSenderKey, sotto_sender_key, SOTTO, SENDER_KEY, GObject)

SottoSenderKey *sotto_sender_key_new           (void);
guint32         sotto_sender_key_get_key_id    (SottoSenderKey             *self);
guint32         sotto_sender_key_get_index     (SottoSenderKey             *self);
guint           sotto_sender_key_get_n_skipped (SottoSenderKey             *self);

GBytes         *sotto_sender_key_export        (SottoSenderKey             *self);
SottoSenderKey *sotto_sender_key_import        (GBytes                     *exported,
                                                GError                    **error);

GBytes         *sotto_sender_key_serialize     (SottoSenderKey             *self);
SottoSenderKey *sotto_sender_key_deserialize   (GBytes                     *serialized,
                                                GError                    **error);

GBytes         *sotto_sender_key_seal_for      (SottoSenderKey             *self,
                                                const char                 *room,
                                                guint64                     next_counter,
                                                SottoIdentity              *from,
                                                const char                 *from_name,
                                                const SottoPublicIdentity  *to,
                                                GError                    **error);
SottoSenderKey *sotto_sender_key_open_from     (GBytes                     *box,
                                                const char                 *room,
                                                SottoIdentity              *me,
                                                const char                 *from_name,
                                                const SottoPublicIdentity  *from,
                                                guint64                    *next_counter,
                                                GError                    **error);
GBytes         *sotto_sender_key_seal_to_bundle (SottoSenderKey           *self,
                                                 const char               *room,
                                                 guint64                   next_counter,
                                                 SottoIdentity            *from,
                                                 const char               *from_name,
                                                 const SottoPrekeyBundle  *to,
                                                 GError                  **error);
SottoSenderKey *sotto_sender_key_open_prekeyed  (GBytes                     *box,
                                                 const char                 *room,
                                                 SottoIdentity              *me,
                                                 const char                 *from_name,
                                                 const SottoPublicIdentity  *from,
                                                 SottoPrekeyLookup           lookup,
                                                 gpointer                    user_data,
                                                 guint64                    *next_counter,
                                                 GError                    **error);
gboolean        sotto_sender_key_box_is_prekeyed (GBytes                  *box);

G_END_DECLS
