/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib-object.h>

#include "sotto-account-key.h"
#include "sotto-device-list.h"
#include "sotto-e2e-error.h"
#include "sotto-identity.h"

G_BEGIN_DECLS

/* The secret a link code carries: 80 bits. */
#define SOTTO_LINK_CODE_BYTES 10

/* A link code as sotto_link_code_to_string() writes it: 16 characters in
 * 4 groups of 4, joined by '-'. */
#define SOTTO_LINK_CODE_LENGTH 19

/* A link id: 16 bytes in lowercase hex. */
#define SOTTO_LINK_ID_LENGTH 32

/* An ephemeral X25519 public key of the exchange. */
#define SOTTO_LINK_EPHEMERAL_BYTES 32

/* The largest sealed offer: version, nonce, identity, ephemeral key, the
 * longest device name with its length, and the tag:
 * 1 + 24 + 128 + 32 + 2 + 64 + 16. */
#define SOTTO_LINK_OFFER_MAX_BYTES 267

/* The largest sealed approval: version, ephemeral key, nonce, account key
 * seed, the largest device list with its length, and the tag:
 * 1 + 32 + 24 + 32 + 2 + 4373 + 16. */
#define SOTTO_LINK_APPROVAL_MAX_BYTES 4480

#define SOTTO_TYPE_LINK_CODE (sotto_link_code_get_type ())

G_DECLARE_FINAL_TYPE (SottoLinkCode, sotto_link_code, SOTTO, LINK_CODE, GObject)

SottoLinkCode *sotto_link_code_new             (void);
SottoLinkCode *sotto_link_code_new_from_string (const char     *text,
                                                GError        **error);
char          *sotto_link_code_to_string       (SottoLinkCode  *self);
const char    *sotto_link_code_get_id          (SottoLinkCode  *self);

#define SOTTO_TYPE_LINK_REQUEST (sotto_link_request_get_type ())

G_DECLARE_FINAL_TYPE (SottoLinkRequest, sotto_link_request, SOTTO, LINK_REQUEST, GObject)

SottoLinkRequest          *sotto_link_request_new           (SottoLinkCode             *code,
                                                             const SottoPublicIdentity *identity,
                                                             const char                *name,
                                                             GError                   **error);
SottoLinkRequest          *sotto_link_request_new_from_seed (SottoLinkCode             *code,
                                                             const SottoPublicIdentity *identity,
                                                             const char                *name,
                                                             const guint8              *seed,
                                                             GError                   **error);
SottoLinkCode             *sotto_link_request_get_code      (SottoLinkRequest          *self);
const SottoPublicIdentity *sotto_link_request_get_identity  (SottoLinkRequest          *self);
const char                *sotto_link_request_get_name      (SottoLinkRequest          *self);
const guint8              *sotto_link_request_get_ephemeral (SottoLinkRequest          *self);
gboolean                   sotto_link_request_is_spent      (SottoLinkRequest          *self);

/**
 * SottoLinkOffer:
 * @identity: the new device's public identity
 * @ephemeral: the new device's ephemeral X25519 public key for this link
 * @name: what the new device calls itself, 1 to
 *   %SOTTO_DEVICE_NAME_MAX_BYTES bytes of UTF-8
 *
 * What a new device asks to be linked with, as the approving device reads
 * it. Clear it with sotto_link_offer_clear().
 */
typedef struct
{
  SottoPublicIdentity  identity;
  guint8               ephemeral[SOTTO_LINK_EPHEMERAL_BYTES];
  char                *name;
} SottoLinkOffer;

void      sotto_link_offer_clear   (SottoLinkOffer          *offer);
GBytes   *sotto_link_offer_seal    (SottoLinkRequest        *request,
                                    GError                 **error);
gboolean  sotto_link_offer_open    (SottoLinkCode           *code,
                                    GBytes                  *bytes,
                                    SottoLinkOffer          *offer,
                                    GError                 **error);

GBytes   *sotto_link_approval_seal (SottoLinkCode           *code,
                                    const SottoLinkOffer    *offer,
                                    SottoAccountKey         *account_key,
                                    GBytes                  *device_list,
                                    GError                 **error);
gboolean  sotto_link_approval_open (SottoLinkRequest        *request,
                                    GBytes                  *approval,
                                    const char              *account,
                                    SottoAccountKey        **account_key,
                                    SottoDeviceList        **device_list,
                                    GError                 **error);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SottoLinkOffer, sotto_link_offer_clear)

G_END_DECLS
