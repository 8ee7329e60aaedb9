/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "sotto-client-private.h"

/*
 * Contacts: our identity as requests carry it, the safety numbers that
 * let the user check a contact's keys with them, and what the store
 * knows of each (verified, a change to review).
 */

/* Our own public identity keys, as requests carry them. */
void
_sotto_client_identity_to_wire (const SottoPublicIdentity *identity,
                                SottoWireIdentity         *wire)
{
  memcpy (wire->box, identity->box_pk, sizeof wire->box);
  memcpy (wire->sign, identity->sign_pk, sizeof wire->sign);
  memcpy (wire->binding, identity->binding, sizeof wire->binding);
}

void
_sotto_client_get_wire_identity (SottoClient       *self,
                                 SottoWireIdentity *wire)
{
  _sotto_client_identity_to_wire (sotto_identity_get_public (self->identity), wire);
}

void
_sotto_client_public_from_wire (const SottoWireIdentity *wire,
                                SottoPublicIdentity     *identity)
{
  memcpy (identity->box_pk, wire->box, sizeof identity->box_pk);
  memcpy (identity->sign_pk, wire->sign, sizeof identity->sign_pk);
  memcpy (identity->binding, wire->binding, sizeof identity->binding);
}

/**
 * sotto_client_safety_number:
 * @user: a contact who shares a room with us
 *
 * Returns: (transfer full) (nullable): the digits to compare with @user,
 *   or %NULL if @user's keys are not known
 */
char *
sotto_client_safety_number (SottoClient *self,
                            const char  *user)
{
  SottoStoredContact contact = { 0 };

  g_return_val_if_fail (SOTTO_IS_CLIENT (self), NULL);

  if (self->store == NULL || self->account_identity == NULL ||
      !sotto_client_store_get_contact (self->store, user, &contact, NULL))
    return NULL;

  return sotto_safety_number (self->user, sotto_identity_get_public (self->account_identity),
                              user, &contact.identity);
}

/**
 * sotto_client_get_review:
 * @user: a contact
 *
 * Returns: what a change of @user's keys asks of the user
 */
SottoIdentityReview
sotto_client_get_review (SottoClient *self,
                         const char  *user)
{
  SottoStoredContact contact = { 0 };

  g_return_val_if_fail (SOTTO_IS_CLIENT (self), SOTTO_IDENTITY_REVIEW_NONE);

  if (self->store == NULL || !sotto_client_store_get_contact (self->store, user, &contact, NULL))
    return SOTTO_IDENTITY_REVIEW_NONE;

  return contact.review;
}

/**
 * sotto_client_is_verified:
 */
gboolean
sotto_client_is_verified (SottoClient *self,
                          const char  *user)
{
  SottoStoredContact contact = { 0 };

  g_return_val_if_fail (SOTTO_IS_CLIENT (self), FALSE);

  return self->store != NULL &&
         sotto_client_store_get_contact (self->store, user, &contact, NULL) &&
         contact.verified;
}
