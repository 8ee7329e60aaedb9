/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib-object.h>

#include "sotto-e2e-error.h"

G_BEGIN_DECLS

#define SOTTO_IDENTITY_SEED_BYTES 32

/* The size of sotto_public_identity_to_bytes()'s output. */
#define SOTTO_PUBLIC_IDENTITY_BYTES 128

/**
 * SottoPublicIdentity:
 * @box_pk: the X25519 public key, for key boxes
 * @sign_pk: the Ed25519 public key, for signatures
 * @binding: the Ed25519 signature by @sign_pk over a fixed label and
 *   @box_pk, tying the two keys together
 *
 * What a device publishes. Plain data: copy it by value.
 */
typedef struct
{
  guint8 box_pk[32];
  guint8 sign_pk[32];
  guint8 binding[64];
} SottoPublicIdentity;

gboolean  sotto_public_identity_verify     (const SottoPublicIdentity  *self,
                                            GError                    **error);
gboolean  sotto_public_identity_equal      (const SottoPublicIdentity  *a,
                                            const SottoPublicIdentity  *b);
GBytes   *sotto_public_identity_to_bytes   (const SottoPublicIdentity  *self);
gboolean  sotto_public_identity_from_bytes (GBytes                     *bytes,
                                            SottoPublicIdentity        *out,
                                            GError                    **error);

#define SOTTO_TYPE_IDENTITY (sotto_identity_get_type ())

G_DECLARE_FINAL_TYPE (SottoIdentity, sotto_identity, SOTTO, IDENTITY, GObject)

SottoIdentity             *sotto_identity_new            (void);
SottoIdentity             *sotto_identity_new_from_seeds (const guint8   *box_seed,
                                                          const guint8   *sign_seed);
const SottoPublicIdentity *sotto_identity_get_public     (SottoIdentity  *self);
GBytes                    *sotto_identity_seal           (SottoIdentity  *self,
                                                          const char     *password,
                                                          guint64         opslimit,
                                                          gsize           memlimit,
                                                          GError        **error);
SottoIdentity             *sotto_identity_unseal         (GBytes         *sealed,
                                                          const char     *password,
                                                          GError        **error);

G_END_DECLS
