/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-client-store-private.h"
#include "sotto-password-seal.h"

/* Our identity, sealed, and the identities seen for each contact. */

/* Identity */

/**
 * sotto_client_store_save_identity:
 * @self: a #SottoClientStore
 * @identity: our identity
 * @error: return location for a #GError
 *
 * Stores @identity, replacing any other, sealed under a key derived from
 * the local key (cheap: no password hashing).
 *
 * Returns: %TRUE on success
 */
gboolean
sotto_client_store_save_identity (SottoClientStore  *self,
                                  SottoIdentity     *identity,
                                  GError           **error)
{
  g_auto(SottoDbStatement) stmt = NULL;
  g_autoptr(GBytes) sealed = NULL;
  const guint8 *data;
  gsize size;

  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), FALSE);
  g_return_val_if_fail (SOTTO_IS_IDENTITY (identity), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_sotto_client_store_require_unlocked (self, error))
    return FALSE;

  sealed = sotto_identity_seal (identity, self->keys->identity_password,
                                SOTTO_PWHASH_OPSLIMIT_MIN, SOTTO_PWHASH_MEMLIMIT_MIN, error);
  if (sealed == NULL ||
      (stmt = sotto_db_statement (self->db, STMT_SET_IDENTITY, error)) == NULL)
    return FALSE;

  data = _sotto_client_store_bytes_get_data (sealed, &size);
  sqlite3_bind_blob64 (stmt, 1, data, size, SQLITE_STATIC);

  return sotto_db_step_done (self->db, stmt, _("Could not save the identity"), error);
}

/**
 * sotto_client_store_load_identity:
 * @self: a #SottoClientStore
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): our identity, or %NULL, without an
 *   error if none was saved
 */
SottoIdentity *
sotto_client_store_load_identity (SottoClientStore  *self,
                                  GError           **error)
{
  g_auto(SottoDbStatement) stmt = NULL;
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(GError) local_error = NULL;
  SottoIdentity *identity;
  const guint8 *data;
  gboolean found;
  gsize size;

  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!_sotto_client_store_require_unlocked (self, error) ||
      (stmt = sotto_db_statement (self->db, STMT_GET_IDENTITY, error)) == NULL ||
      !sotto_db_step_row (self->db, stmt, &found, _("Could not read the identity"), error) ||
      !found)
    return NULL;

  data = sotto_db_column_blob (stmt, 0, &size);
  sealed = g_bytes_new (data, size);

  identity = sotto_identity_unseal (sealed, self->keys->identity_password, &local_error);
  if (identity == NULL)
    {
      g_set_error (error, SOTTO_CLIENT_STORE_ERROR, SOTTO_CLIENT_STORE_ERROR_CORRUPT,
                   _("The stored identity cannot be opened: %s"), local_error->message);
      return NULL;
    }

  return identity;
}

/* Contacts */

/* The tag authenticates every column of the row. */
static GByteArray *
contact_ad (const char               *user,
            const SottoStoredContact *contact)
{
  GByteArray *ad = _sotto_client_store_ad_new ("contacts", "tag");

  _sotto_client_store_ad_add_string (ad, user);
  _sotto_client_store_ad_add_bytes (ad, (const guint8 *) &contact->identity,
                                    sizeof contact->identity);
  _sotto_client_store_ad_add_int (ad, contact->first_seen);
  _sotto_client_store_ad_add_int (ad, contact->verified ? 1 : 0);
  _sotto_client_store_ad_add_int (ad, contact->changed_at);
  /* Added with schema 2: rows with nothing to review keep their tags. */
  if (contact->review != SOTTO_IDENTITY_REVIEW_NONE)
    _sotto_client_store_ad_add_int (ad, contact->review);

  return ad;
}

static gboolean
store_read_contact (SottoClientStore    *self,
                    const char          *user,
                    SottoStoredContact  *out,
                    gboolean            *found,
                    GError             **error)
{
  g_auto(SottoDbStatement) stmt = sotto_db_statement (self->db, STMT_GET_CONTACT, error);
  g_autoptr(GByteArray) ad = NULL;
  g_autoptr(GBytes) identity = NULL;
  SottoStoredContact contact = { 0 };
  const guint8 *data;
  const guint8 *tag;
  gsize size;
  gsize tag_size;
  guint8 empty[1];

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, user, -1, SQLITE_STATIC);
  if (!sotto_db_step_row (self->db, stmt, found, _("Could not read a contact"), error))
    return FALSE;

  if (!*found)
    return TRUE;

  data = sotto_db_column_blob (stmt, 0, &size);
  identity = g_bytes_new (data, size);
  contact.first_seen = sqlite3_column_int64 (stmt, 1);
  contact.verified = sqlite3_column_int64 (stmt, 2) != 0;
  contact.changed_at = sqlite3_column_int64 (stmt, 3);
  tag = sotto_db_column_blob (stmt, 4, &tag_size);
  contact.review = (SottoIdentityReview) sqlite3_column_int (stmt, 5);

  if (!sotto_public_identity_from_bytes (identity, &contact.identity, NULL))
    {
      _sotto_client_store_set_corrupt_error (error, "contacts");
      return FALSE;
    }

  if (_sotto_client_store_value_plaintext_size (tag_size) != 0)
    {
      _sotto_client_store_set_corrupt_error (error, "contacts");
      return FALSE;
    }

  ad = contact_ad (user, &contact);
  if (!_sotto_client_store_open_value (self, ad, tag, tag_size, empty, "contacts", error))
    return FALSE;

  *out = contact;
  return TRUE;
}

static gboolean
store_write_contact (SottoClientStore          *self,
                     const char                *user,
                     const SottoStoredContact  *contact,
                     GError                   **error)
{
  g_auto(SottoDbStatement) stmt = sotto_db_statement (self->db, STMT_SET_CONTACT, error);
  g_autoptr(GByteArray) ad = NULL;
  g_autoptr(GBytes) tag = NULL;
  const guint8 *tag_data;
  gsize tag_size;

  if (stmt == NULL)
    return FALSE;

  ad = contact_ad (user, contact);
  tag = _sotto_client_store_seal_value (self, ad, (const guint8 *) "", 0);
  tag_data = _sotto_client_store_bytes_get_data (tag, &tag_size);

  sqlite3_bind_text (stmt, 1, user, -1, SQLITE_STATIC);
  sqlite3_bind_blob (stmt, 2, &contact->identity, sizeof contact->identity, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, contact->first_seen);
  sqlite3_bind_int (stmt, 4, contact->verified ? 1 : 0);
  sqlite3_bind_int64 (stmt, 5, contact->changed_at);
  sqlite3_bind_blob64 (stmt, 6, tag_data, tag_size, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 7, contact->review);

  return sotto_db_step_done (self->db, stmt, _("Could not save a contact"), error);
}

/**
 * sotto_client_store_see_identity:
 * @self: a #SottoClientStore
 * @user: the username
 * @identity: the identity the server gave for @user; its binding must verify
 * @now_ms: the time, in ms since the epoch
 * @out_result: (out) (optional): whether @identity is new, the one stored,
 *   or a change
 * @error: return location for a #GError
 *
 * Records that @user has @identity. The first identity of a user is
 * trusted on first use; a different one later replaces it, records the
 * time of the change and clears the verified flag, so the user is warned:
 * the contact is then to be reviewed, blocking if it had been verified
 * (or was still blocking from an earlier change).
 *
 * Returns: %TRUE on success
 */
gboolean
sotto_client_store_see_identity (SottoClientStore           *self,
                                 const char                 *user,
                                 const SottoPublicIdentity  *identity,
                                 gint64                      now_ms,
                                 SottoIdentitySeen          *out_result,
                                 GError                    **error)
{
  SottoStoredContact contact = { 0 };
  SottoIdentitySeen result;
  gboolean found;

  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), FALSE);
  g_return_val_if_fail (user != NULL, FALSE);
  g_return_val_if_fail (identity != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_sotto_client_store_require_unlocked (self, error) ||
      !sotto_public_identity_verify (identity, error) ||
      !sotto_db_begin (self->db, error))
    return FALSE;

  if (!store_read_contact (self, user, &contact, &found, error))
    goto fail;

  if (!found)
    {
      result = SOTTO_IDENTITY_SEEN_NEW;
      contact.identity = *identity;
      contact.first_seen = now_ms;
      contact.verified = FALSE;
      contact.changed_at = 0;
    }
  else if (sotto_public_identity_equal (&contact.identity, identity))
    {
      result = SOTTO_IDENTITY_SEEN_SAME;
    }
  else
    {
      result = SOTTO_IDENTITY_SEEN_CHANGED;
      contact.identity = *identity;
      contact.review = contact.verified || contact.review == SOTTO_IDENTITY_REVIEW_BLOCKING
        ? SOTTO_IDENTITY_REVIEW_BLOCKING : SOTTO_IDENTITY_REVIEW_NOTICE;
      contact.verified = FALSE;
      contact.changed_at = now_ms;
    }

  if (result != SOTTO_IDENTITY_SEEN_SAME &&
      !store_write_contact (self, user, &contact, error))
    goto fail;

  if (!sotto_db_commit (self->db, error))
    return FALSE;

  if (out_result != NULL)
    *out_result = result;

  return TRUE;

fail:
  sotto_db_rollback (self->db);
  return FALSE;
}

/**
 * sotto_client_store_get_contact:
 * @self: a #SottoClientStore
 * @user: the username
 * @out: (out caller-allocates): the contact
 * @error: return location for a #GError
 *
 * Returns: %TRUE if @user is known; %FALSE without an error if not
 */
gboolean
sotto_client_store_get_contact (SottoClientStore    *self,
                                const char          *user,
                                SottoStoredContact  *out,
                                GError             **error)
{
  gboolean found;

  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), FALSE);
  g_return_val_if_fail (user != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return _sotto_client_store_require_unlocked (self, error) &&
                       store_read_contact (self, user, out, &found, error) &&
                       found;
}

/**
 * sotto_client_store_set_verified:
 * @self: a #SottoClientStore
 * @user: a known user
 * @verified: whether the user compared safety numbers with @user
 * @error: return location for a #GError
 *
 * Verifying also settles any review of a change of @user's keys.
 *
 * Returns: %TRUE on success; an unknown @user is
 *   %SOTTO_CLIENT_STORE_ERROR_NOT_FOUND
 */
gboolean
sotto_client_store_set_verified (SottoClientStore  *self,
                                 const char        *user,
                                 gboolean           verified,
                                 GError           **error)
{
  SottoStoredContact contact = { 0 };
  gboolean found;

  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), FALSE);
  g_return_val_if_fail (user != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_sotto_client_store_require_unlocked (self, error) || !sotto_db_begin (self->db, error))
    return FALSE;

  if (!store_read_contact (self, user, &contact, &found, error))
    goto fail;

  if (!found)
    {
      g_set_error (error, SOTTO_CLIENT_STORE_ERROR, SOTTO_CLIENT_STORE_ERROR_NOT_FOUND,
                   _("No identity of “%s” was seen"), user);
      goto fail;
    }

  contact.verified = !!verified;
  if (verified)
    contact.review = SOTTO_IDENTITY_REVIEW_NONE;
  if (!store_write_contact (self, user, &contact, error))
    goto fail;

  return sotto_db_commit (self->db, error);

fail:
  sotto_db_rollback (self->db);
  return FALSE;
}

/**
 * sotto_client_store_acknowledge_identity:
 * @self: a #SottoClientStore
 * @user: a known user
 * @error: return location for a #GError
 *
 * Records that the user looked at the change of @user's keys and accepts
 * the new ones without comparing safety numbers: nothing is left to
 * review, and @user stays unverified.
 *
 * Returns: %TRUE on success; an unknown @user is
 *   %SOTTO_CLIENT_STORE_ERROR_NOT_FOUND
 */
gboolean
sotto_client_store_acknowledge_identity (SottoClientStore  *self,
                                         const char        *user,
                                         GError           **error)
{
  SottoStoredContact contact = { 0 };
  gboolean found;

  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), FALSE);
  g_return_val_if_fail (user != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_sotto_client_store_require_unlocked (self, error) || !sotto_db_begin (self->db, error))
    return FALSE;

  if (!store_read_contact (self, user, &contact, &found, error))
    goto fail;

  if (!found)
    {
      g_set_error (error, SOTTO_CLIENT_STORE_ERROR, SOTTO_CLIENT_STORE_ERROR_NOT_FOUND,
                   _("No identity of “%s” was seen"), user);
      goto fail;
    }

  contact.review = SOTTO_IDENTITY_REVIEW_NONE;
  if (!store_write_contact (self, user, &contact, error))
    goto fail;

  return sotto_db_commit (self->db, error);

fail:
  sotto_db_rollback (self->db);
  return FALSE;
}
