/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-client-store-private.h"

/* The account key, its seed sealed like every secret value, and the
 * device list we signed last with it, kept as signed: it is public, and
 * its signature covers it. Whether the server took that list is kept
 * beside it, so that a list made while offline goes out at the next
 * login. */

static GByteArray *
account_ad (void)
{
  return _sotto_client_store_ad_new ("account", "sealed");
}

/**
 * sotto_client_store_get_account_key:
 * @self: a #SottoClientStore
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the account key, or %NULL with no
 *   error if this store holds none yet
 */
SottoAccountKey *
sotto_client_store_get_account_key (SottoClientStore  *self,
                                    GError           **error)
{
  g_auto(SottoDbStatement) stmt = NULL;
  g_autoptr(GByteArray) ad = NULL;
  g_autoptr(GBytes) seed = NULL;
  const guint8 *blob;
  guint8 *plaintext;
  gsize blob_len;
  int rc;

  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!_sotto_client_store_require_unlocked (self, error) ||
      (stmt = sotto_db_statement (self->db, STMT_GET_ACCOUNT_KEY, error)) == NULL)
    return NULL;

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return NULL;
  if (rc != SQLITE_ROW)
    {
      sotto_db_set_error (self->db, error, rc, _("Could not read the account key"));
      return NULL;
    }

  blob = sotto_db_column_blob (stmt, 0, &blob_len);
  if (_sotto_client_store_value_plaintext_size (blob_len) != SOTTO_ACCOUNT_KEY_SEED_BYTES)
    {
      _sotto_client_store_set_corrupt_error (error, "account");
      return NULL;
    }

  ad = account_ad ();
  seed = _sotto_client_store_secure_bytes_new (SOTTO_ACCOUNT_KEY_SEED_BYTES, &plaintext);
  if (!_sotto_client_store_open_value (self, ad, blob, blob_len, plaintext, "account", error))
    return NULL;

  return sotto_account_key_new_from_seed (plaintext);
}

/**
 * sotto_client_store_add_account_key:
 * @self: a #SottoClientStore
 * @key: the account's key, new
 * @error: return location for a #GError
 *
 * Keeps @key, its seed sealed. A store holds one account key: a second is
 * refused.
 *
 * Returns: %TRUE on success
 */
gboolean
sotto_client_store_add_account_key (SottoClientStore  *self,
                                    SottoAccountKey   *key,
                                    GError           **error)
{
  g_auto(SottoDbStatement) stmt = NULL;
  g_autoptr(GByteArray) ad = NULL;
  g_autoptr(GBytes) seed = NULL;
  g_autoptr(GBytes) sealed = NULL;
  const guint8 *data;
  gsize size;

  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), FALSE);
  g_return_val_if_fail (SOTTO_IS_ACCOUNT_KEY (key), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_sotto_client_store_require_unlocked (self, error) ||
      (stmt = sotto_db_statement (self->db, STMT_ADD_ACCOUNT_KEY, error)) == NULL)
    return FALSE;

  seed = sotto_account_key_dup_seed (key);
  data = _sotto_client_store_bytes_get_data (seed, &size);
  ad = account_ad ();
  sealed = _sotto_client_store_seal_value (self, ad, data, size);
  data = _sotto_client_store_bytes_get_data (sealed, &size);
  sqlite3_bind_blob64 (stmt, 1, data, size, SQLITE_STATIC);

  return sotto_db_step_done (self->db, stmt, _("Could not save the account key"), error);
}

/**
 * sotto_client_store_get_device_list:
 * @self: a #SottoClientStore
 * @published: (out) (optional): whether the server took it
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): our device list as we signed it
 *   last, or %NULL with no error if there is none yet
 */
GBytes *
sotto_client_store_get_device_list (SottoClientStore  *self,
                                    gboolean          *published,
                                    GError           **error)
{
  g_auto(SottoDbStatement) stmt = NULL;
  const guint8 *blob;
  gsize blob_len;
  int rc;

  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (published != NULL)
    *published = FALSE;
  if (!_sotto_client_store_require_unlocked (self, error) ||
      (stmt = sotto_db_statement (self->db, STMT_GET_DEVICE_LIST, error)) == NULL)
    return NULL;

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE || (rc == SQLITE_ROW && sqlite3_column_type (stmt, 0) == SQLITE_NULL))
    return NULL;
  if (rc != SQLITE_ROW)
    {
      sotto_db_set_error (self->db, error, rc, _("Could not read the device list"));
      return NULL;
    }

  blob = sotto_db_column_blob (stmt, 0, &blob_len);
  if (published != NULL)
    *published = sqlite3_column_int (stmt, 1) == 1;
  return g_bytes_new (blob, blob_len);
}

/**
 * sotto_client_store_set_device_list:
 * @self: a #SottoClientStore that holds an account key
 * @list: our device list, sealed with that key
 * @published: whether the server took it
 * @error: return location for a #GError
 *
 * Keeps @list as our latest.
 *
 * Returns: %TRUE on success
 */
gboolean
sotto_client_store_set_device_list (SottoClientStore  *self,
                                    GBytes            *list,
                                    gboolean           published,
                                    GError           **error)
{
  g_auto(SottoDbStatement) stmt = NULL;
  const guint8 *data;
  gsize size;

  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), FALSE);
  g_return_val_if_fail (list != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_sotto_client_store_require_unlocked (self, error) ||
      (stmt = sotto_db_statement (self->db, STMT_SET_DEVICE_LIST, error)) == NULL)
    return FALSE;

  data = _sotto_client_store_bytes_get_data (list, &size);
  sqlite3_bind_blob64 (stmt, 1, data, size, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 2, published ? 1 : 0);
  if (!sotto_db_step_done (self->db, stmt, _("Could not save the device list"), error))
    return FALSE;

  if (sqlite3_changes (sotto_db_get_handle (self->db)) != 1)
    {
      g_set_error_literal (error, SOTTO_CLIENT_STORE_ERROR, SOTTO_CLIENT_STORE_ERROR_FAILED,
                           _("There is no account key to keep a device list with"));
      return FALSE;
    }
  return TRUE;
}

/**
 * sotto_client_store_get_member_devices:
 * @user: a member
 *
 * Returns: (transfer full) (nullable): the device list of @user as it was
 *   last kept, as their account key signed it, or %NULL (without an error
 *   when none is kept)
 */
GBytes *
sotto_client_store_get_member_devices (SottoClientStore  *self,
                                       const char        *user,
                                       GError           **error)
{
  g_auto(SottoDbStatement) stmt = NULL;
  const guint8 *blob;
  gsize blob_len;
  gboolean found;

  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), NULL);
  g_return_val_if_fail (user != NULL, NULL);

  if (!_sotto_client_store_require_unlocked (self, error) ||
      (stmt = sotto_db_statement (self->db, STMT_GET_MEMBER_DEVICES, error)) == NULL)
    return NULL;

  sqlite3_bind_text (stmt, 1, user, -1, SQLITE_STATIC);
  if (!sotto_db_step_row (self->db, stmt, &found, _("Could not read a device list"), error) ||
      !found)
    return NULL;

  blob = sotto_db_column_blob (stmt, 0, &blob_len);
  return g_bytes_new (blob, blob_len);
}

/**
 * sotto_client_store_set_member_devices:
 * @user: a member
 * @list: their device list, as their account key signed it
 *
 * Keeps @list as the latest of @user, in place of any kept before.
 */
gboolean
sotto_client_store_set_member_devices (SottoClientStore  *self,
                                       const char        *user,
                                       GBytes            *list,
                                       GError           **error)
{
  g_auto(SottoDbStatement) stmt = NULL;
  const guint8 *data;
  gsize size;

  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), FALSE);
  g_return_val_if_fail (user != NULL && list != NULL, FALSE);

  if (!_sotto_client_store_require_unlocked (self, error) ||
      (stmt = sotto_db_statement (self->db, STMT_SET_MEMBER_DEVICES, error)) == NULL)
    return FALSE;

  data = _sotto_client_store_bytes_get_data (list, &size);
  sqlite3_bind_text (stmt, 1, user, -1, SQLITE_STATIC);
  sqlite3_bind_blob64 (stmt, 2, data, size, SQLITE_STATIC);
  return sotto_db_step_done (self->db, stmt, _("Could not save a device list"), error);
}
