/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-client-store-private.h"

/* Our prekeys: the signed ones, the current and those retired but still in
 * their grace time, and the one-time ones not used yet. Their secrets are
 * sealed like every value; erasing a row overwrites it (secure_delete). */

enum
{
  KIND_SIGNED = 0,
  KIND_ONE_TIME = 1,
};

static GByteArray *
prekey_ad (int     kind,
           guint32 id)
{
  GByteArray *ad = _sotto_client_store_ad_new ("prekeys", "sealed");

  _sotto_client_store_ad_add_int (ad, kind);
  _sotto_client_store_ad_add_int (ad, id);

  return ad;
}

/**
 * sotto_client_store_add_prekey:
 * @self: a #SottoClientStore
 * @prekey: a prekey of ours, new
 * @one_time: whether it is a one-time prekey, not a signed one
 * @error: return location for a #GError
 *
 * Keeps @prekey, its secret sealed. An id already held is refused.
 *
 * Returns: %TRUE on success
 */
gboolean
sotto_client_store_add_prekey (SottoClientStore  *self,
                               SottoPrekey       *prekey,
                               gboolean           one_time,
                               GError           **error)
{
  g_auto(SottoDbStatement) stmt = NULL;
  g_autoptr(GByteArray) ad = NULL;
  g_autoptr(GBytes) serialized = NULL;
  g_autoptr(GBytes) sealed = NULL;
  int kind = one_time ? KIND_ONE_TIME : KIND_SIGNED;
  const guint8 *data;
  gsize size;

  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), FALSE);
  g_return_val_if_fail (SOTTO_IS_PREKEY (prekey), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_sotto_client_store_require_unlocked (self, error) ||
      (stmt = sotto_db_statement (self->db, STMT_ADD_PREKEY, error)) == NULL)
    return FALSE;

  serialized = sotto_prekey_serialize (prekey);
  data = _sotto_client_store_bytes_get_data (serialized, &size);
  ad = prekey_ad (kind, sotto_prekey_get_id (prekey));
  sealed = _sotto_client_store_seal_value (self, ad, data, size);
  data = _sotto_client_store_bytes_get_data (sealed, &size);

  sqlite3_bind_int (stmt, 1, kind);
  sqlite3_bind_int64 (stmt, 2, sotto_prekey_get_id (prekey));
  sqlite3_bind_int64 (stmt, 3, sotto_prekey_get_created_at (prekey));
  sqlite3_bind_blob64 (stmt, 4, data, size, SQLITE_STATIC);

  return sotto_db_step_done (self->db, stmt, _("Could not save a prekey"), error);
}

/* Reads the prekey in the row @stmt stands on (id, sealed). */
static SottoPrekey *
read_prekey (SottoClientStore  *self,
             sqlite3_stmt      *stmt,
             int                kind,
             GError           **error)
{
  g_autoptr(GByteArray) ad = NULL;
  g_autoptr(GBytes) serialized = NULL;
  g_autoptr(SottoPrekey) prekey = NULL;
  const guint8 *blob;
  guint8 *plaintext;
  gint64 id;
  gsize blob_len;
  gssize size;

  id = sqlite3_column_int64 (stmt, 0);
  blob = sotto_db_column_blob (stmt, 1, &blob_len);
  size = _sotto_client_store_value_plaintext_size (blob_len);
  if (id <= 0 || id > G_MAXUINT32 || size < 0)
    {
      _sotto_client_store_set_corrupt_error (error, "prekeys");
      return NULL;
    }

  ad = prekey_ad (kind, (guint32) id);
  serialized = _sotto_client_store_secure_bytes_new ((gsize) size, &plaintext);
  if (!_sotto_client_store_open_value (self, ad, blob, blob_len, plaintext, "prekeys", error))
    return NULL;

  prekey = sotto_prekey_deserialize (serialized, NULL);
  if (prekey == NULL || sotto_prekey_get_id (prekey) != (guint32) id)
    {
      _sotto_client_store_set_corrupt_error (error, "prekeys");
      return NULL;
    }

  return g_steal_pointer (&prekey);
}

/**
 * sotto_client_store_get_prekey:
 * @self: a #SottoClientStore
 * @id: the prekey's id
 * @one_time: whether it is a one-time prekey
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the prekey, or %NULL if it is gone
 *   (or on error, with @error set)
 */
SottoPrekey *
sotto_client_store_get_prekey (SottoClientStore  *self,
                               guint32            id,
                               gboolean           one_time,
                               GError           **error)
{
  g_auto(SottoDbStatement) stmt = NULL;
  int kind = one_time ? KIND_ONE_TIME : KIND_SIGNED;
  gboolean found;

  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!_sotto_client_store_require_unlocked (self, error) ||
      (stmt = sotto_db_statement (self->db, STMT_GET_PREKEY, error)) == NULL)
    return NULL;

  sqlite3_bind_int (stmt, 1, kind);
  sqlite3_bind_int64 (stmt, 2, id);
  if (!sotto_db_step_row (self->db, stmt, &found, _("Could not read a prekey"), error) || !found)
    return NULL;

  return read_prekey (self, stmt, kind, error);
}

/**
 * sotto_client_store_get_signed_prekey:
 * @self: a #SottoClientStore
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the current signed prekey, the
 *   newest not retired, or %NULL if there is none (or on error)
 */
SottoPrekey *
sotto_client_store_get_signed_prekey (SottoClientStore  *self,
                                      GError           **error)
{
  g_auto(SottoDbStatement) stmt = NULL;
  gboolean found;

  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!_sotto_client_store_require_unlocked (self, error) ||
      (stmt = sotto_db_statement (self->db, STMT_CURRENT_SIGNED_PREKEY, error)) == NULL)
    return NULL;

  if (!sotto_db_step_row (self->db, stmt, &found, _("Could not read a prekey"), error) || !found)
    return NULL;

  return read_prekey (self, stmt, KIND_SIGNED, error);
}

static gboolean
run_with (SottoClientStore           *self,
          SottoClientStoreStatement   id,
          gint64                      first,
          gint64                      second,
          int                         n_params,
          GError                    **error)
{
  g_auto(SottoDbStatement) stmt = NULL;

  if (!_sotto_client_store_require_unlocked (self, error) ||
      (stmt = sotto_db_statement (self->db, id, error)) == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, first);
  if (n_params > 1)
    sqlite3_bind_int64 (stmt, 2, second);

  return sotto_db_step_done (self->db, stmt, _("Could not change the prekeys"), error);
}

/**
 * sotto_client_store_forget_prekey:
 *
 * Erases a prekey: a one-time prekey once used, a signed one once its
 * grace time is over. Erasing one that is gone is not an error.
 *
 * Returns: %TRUE on success
 */
gboolean
sotto_client_store_forget_prekey (SottoClientStore  *self,
                                  guint32            id,
                                  gboolean           one_time,
                                  GError           **error)
{
  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return run_with (self, STMT_FORGET_PREKEY, one_time ? KIND_ONE_TIME : KIND_SIGNED, id, 2,
                   error);
}

/**
 * sotto_client_store_retire_signed_prekeys:
 * @now: the time of retirement, ms since the epoch
 *
 * Marks the current signed prekey retired at @now, before a new one is
 * added: boxes sealed to it still open until it is erased.
 *
 * Returns: %TRUE on success
 */
gboolean
sotto_client_store_retire_signed_prekeys (SottoClientStore  *self,
                                          gint64             now,
                                          GError           **error)
{
  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return run_with (self, STMT_RETIRE_SIGNED_PREKEYS, now, 0, 1, error);
}

/**
 * sotto_client_store_erase_retired_prekeys:
 * @before: ms since the epoch
 *
 * Erases the signed prekeys retired before @before: the boxes sealed to
 * them can no longer be opened by anyone.
 *
 * Returns: %TRUE on success
 */
gboolean
sotto_client_store_erase_retired_prekeys (SottoClientStore  *self,
                                          gint64             before,
                                          GError           **error)
{
  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return run_with (self, STMT_ERASE_RETIRED_PREKEYS, before, 0, 1, error);
}

/**
 * sotto_client_store_count_prekeys:
 * @count: (out): how many prekeys of the kind are held
 * @highest_id: (out): the highest id among them, 0 if none
 *
 * Returns: %TRUE on success
 */
gboolean
sotto_client_store_count_prekeys (SottoClientStore  *self,
                                  gboolean           one_time,
                                  guint             *count,
                                  guint32           *highest_id,
                                  GError           **error)
{
  g_auto(SottoDbStatement) stmt = NULL;
  gboolean found;

  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), FALSE);
  g_return_val_if_fail (count != NULL, FALSE);
  g_return_val_if_fail (highest_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_sotto_client_store_require_unlocked (self, error) ||
      (stmt = sotto_db_statement (self->db, STMT_COUNT_PREKEYS, error)) == NULL)
    return FALSE;

  sqlite3_bind_int (stmt, 1, one_time ? KIND_ONE_TIME : KIND_SIGNED);
  if (!sotto_db_step_row (self->db, stmt, &found, _("Could not read the prekeys"), error))
    return FALSE;

  *count = found ? (guint) MAX (0, sqlite3_column_int64 (stmt, 0)) : 0;
  *highest_id = found ? (guint32) CLAMP (sqlite3_column_int64 (stmt, 1), 0, G_MAXUINT32) : 0;
  return TRUE;
}
