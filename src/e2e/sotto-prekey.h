/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib-object.h>

#include "sotto-e2e-error.h"
#include "sotto-identity.h"

G_BEGIN_DECLS

/* The size of a prekey's public key (X25519). */
#define SOTTO_PREKEY_PUBLIC_BYTES 32

/* The size of an encoded bundle without and with a one-time prekey. */
#define SOTTO_PREKEY_BUNDLE_BYTES (1 + 128 + 4 + 8 + 32 + 64 + 1)
#define SOTTO_PREKEY_BUNDLE_ONE_TIME_BYTES (SOTTO_PREKEY_BUNDLE_BYTES + 4 + 32)

/* The size of a one-time prekey as published: id (4) and public key. */
#define SOTTO_PREKEY_ONE_TIME_BYTES (4 + SOTTO_PREKEY_PUBLIC_BYTES)

/* What a sealed box adds to its plaintext. */
#define SOTTO_PREKEY_BOX_OVERHEAD (1 + 4 + 4 + 32 + 24 + 16)

#define SOTTO_TYPE_PREKEY (sotto_prekey_get_type ())

G_DECLARE_FINAL_TYPE (SottoPrekey, sotto_prekey, SOTTO, PREKEY, GObject)

SottoPrekey  *sotto_prekey_new            (guint32        id,
                                           gint64         created_at);
SottoPrekey  *sotto_prekey_new_from_seed  (guint32        id,
                                           gint64         created_at,
                                           const guint8  *seed);
guint32       sotto_prekey_get_id         (SottoPrekey   *self);
gint64        sotto_prekey_get_created_at (SottoPrekey   *self);
const guint8 *sotto_prekey_get_public     (SottoPrekey   *self);
GBytes       *sotto_prekey_serialize      (SottoPrekey   *self);
SottoPrekey  *sotto_prekey_deserialize    (GBytes        *serialized,
                                           GError       **error);

/**
 * SottoPrekeyBundle:
 * @identity: the owner's public identity
 * @signed_id: the id of the owner's current signed prekey
 * @signed_created_at: when it was made, ms since the epoch
 * @signed_public: its public key
 * @signature: the owner's Ed25519 signature of it
 * @has_one_time: whether a one-time prekey comes with it
 * @one_time_id: the one-time prekey's id
 * @one_time_public: its public key
 *
 * What a user publishes so that others can box to them without them being
 * online: a signed prekey that rotates, and, while they last, one-time
 * prekeys used once each.
 */
typedef struct
{
  SottoPublicIdentity identity;
  guint32             signed_id;
  gint64              signed_created_at;
  guint8              signed_public[SOTTO_PREKEY_PUBLIC_BYTES];
  guint8              signature[64];
  gboolean            has_one_time;
  guint32             one_time_id;
  guint8              one_time_public[SOTTO_PREKEY_PUBLIC_BYTES];
} SottoPrekeyBundle;

GBytes   *sotto_prekey_one_time_encode (SottoPrekey            *self);
gboolean  sotto_prekey_bundle_add_one_time (SottoPrekeyBundle  *bundle,
                                            GBytes             *one_time,
                                            GError            **error);
GBytes   *sotto_prekey_bundle_make   (SottoIdentity            *owner,
                                      SottoPrekey              *signed_prekey,
                                      SottoPrekey              *one_time);
gboolean  sotto_prekey_bundle_decode (GBytes                   *bytes,
                                      SottoPrekeyBundle        *bundle,
                                      GError                  **error);

/**
 * SottoPrekeyLookup:
 * @id: the prekey wanted
 * @one_time: whether it is a one-time prekey, not a signed one
 * @user_data: the data given with the lookup
 *
 * Returns: (transfer full) (nullable): the prekey of ours with @id, if we
 *   still hold it
 */
typedef SottoPrekey *(*SottoPrekeyLookup) (guint32   id,
                                           gboolean  one_time,
                                           gpointer  user_data);

GBytes   *sotto_prekey_seal          (SottoIdentity            *from,
                                      const SottoPrekeyBundle  *to,
                                      GBytes                   *associated,
                                      GBytes                   *plaintext,
                                      GError                  **error);
gboolean  sotto_prekey_box_peek      (GBytes                   *box,
                                      guint32                  *signed_id,
                                      guint32                  *one_time_id,
                                      GError                  **error);
GBytes   *sotto_prekey_open          (SottoIdentity            *self,
                                      const SottoPublicIdentity *from,
                                      SottoPrekeyLookup         lookup,
                                      gpointer                  user_data,
                                      GBytes                   *associated,
                                      GBytes                   *box,
                                      GError                  **error);

G_END_DECLS
