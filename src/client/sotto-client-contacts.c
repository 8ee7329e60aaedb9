/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "sotto-client-private.h"

/*
 * Who the members are, by their keys: the identity each member shows is
 * recorded in the room and in the contacts, a changed one is told, and
 * safety numbers let the user check a contact's keys with them.
 */

/* Our own public identity keys, as requests carry them. */
void
_sotto_client_get_wire_identity (SottoClient       *self,
                                 SottoWireIdentity *wire)
{
  const SottoPublicIdentity *identity = sotto_identity_get_public (self->identity);

  memcpy (wire->box, identity->box_pk, sizeof wire->box);
  memcpy (wire->sign, identity->sign_pk, sizeof wire->sign);
  memcpy (wire->binding, identity->binding, sizeof wire->binding);
}

static void
public_from_wire (const SottoWireIdentity *wire,
                  SottoPublicIdentity     *identity)
{
  memcpy (identity->box_pk, wire->box, sizeof identity->box_pk);
  memcpy (identity->sign_pk, wire->sign, sizeof identity->sign_pk);
  memcpy (identity->binding, wire->binding, sizeof identity->binding);
}

/* Records a member's identity in the room and in the contacts; a changed
 * key clears "verified" in the store. */
void
_sotto_client_set_member (SottoClient             *self,
                          SottoRoom               *room,
                          const char              *user,
                          const SottoWireIdentity *wire,
                          gboolean                 online)
{
  g_autoptr(SottoMember) member = NULL;
  g_autoptr(GError) error = NULL;
  SottoPublicIdentity identity;
  SottoStoredContact before = { 0 };
  gboolean was_verified = FALSE;
  SottoIdentitySeen seen;

  public_from_wire (wire, &identity);
  member = sotto_member_new (user, &identity, online);
  sotto_room_set_member (room, member);

  if (g_strcmp0 (user, self->user) == 0)
    return;

  if (sotto_client_store_get_contact (self->store, user, &before, NULL))
    was_verified = before.verified;

  if (!sotto_client_store_see_identity (self->store, user, &identity,
                                        g_get_real_time () / 1000, &seen, &error))
    g_warning ("The identity of %s is not usable: %s", user, error->message);
  else if (seen == SOTTO_IDENTITY_SEEN_CHANGED)
    _sotto_client_emit_identity_changed (self, user, was_verified);
  else
    sotto_member_set_verified (member, was_verified);
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

  if (self->store == NULL || self->identity == NULL ||
      !sotto_client_store_get_contact (self->store, user, &contact, NULL))
    return NULL;

  return sotto_safety_number (self->user, sotto_identity_get_public (self->identity),
                              user, &contact.identity);
}

/**
 * sotto_client_set_verified:
 *
 * Records that the user compared the safety number with @user.
 */
gboolean
sotto_client_set_verified (SottoClient  *self,
                           const char   *user,
                           gboolean      verified,
                           GError      **error)
{
  g_return_val_if_fail (SOTTO_IS_CLIENT (self), FALSE);

  if (self->store == NULL)
    {
      g_set_error (error, SOTTO_CLIENT_ERROR,
                   sotto_client_error_from_server (SOTTO_MSG_ERROR_CODE_NOT_LOGGED_IN),
                   _("Log in first"));
      return FALSE;
    }

  if (!sotto_client_store_set_verified (self->store, user, verified, error))
    return FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->rooms)); i++)
    {
      g_autoptr(SottoRoom) room = g_list_model_get_item (G_LIST_MODEL (self->rooms), i);
      SottoMember *member = sotto_room_lookup_member (room, user);

      if (member != NULL)
        sotto_member_set_verified (member, verified);
    }

  return TRUE;
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
