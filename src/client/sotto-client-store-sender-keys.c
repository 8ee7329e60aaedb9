/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-client-store-private.h"

/* The sender keys of every room: ours and the other members'. */

static GByteArray *
sender_key_ad (const char *room,
               const char *owner,
               guint32     key_id)
{
  GByteArray *ad = _sotto_client_store_ad_new ("sender_keys", "state");

  _sotto_client_store_ad_add_string (ad, room);
  _sotto_client_store_ad_add_string (ad, owner);
  _sotto_client_store_ad_add_int (ad, key_id);

  return ad;
}

static gboolean
save_sender_key (SottoClientStore  *self,
                 const char        *room,
                 const char        *owner,
                 const guint8      *device,
                 SottoSenderKey    *key,
                 GError           **error)
{
  g_auto(SottoDbStatement) stmt = NULL;
  g_autoptr(GByteArray) ad = NULL;
  g_autoptr(GBytes) serialized = NULL;
  g_autoptr(GBytes) sealed = NULL;
  const guint8 *data;
  guint32 key_id;
  gsize size;

  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), FALSE);
  g_return_val_if_fail (room != NULL, FALSE);
  g_return_val_if_fail (owner != NULL, FALSE);
  g_return_val_if_fail (SOTTO_IS_SENDER_KEY (key), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_sotto_client_store_require_unlocked (self, error) ||
      (stmt = sotto_db_statement (self->db, STMT_SET_SENDER_KEY, error)) == NULL)
    return FALSE;

  key_id = sotto_sender_key_get_key_id (key);
  serialized = sotto_sender_key_serialize (key);
  data = _sotto_client_store_bytes_get_data (serialized, &size);
  ad = sender_key_ad (room, owner, key_id);
  sealed = _sotto_client_store_seal_value (self, ad, data, size);
  data = _sotto_client_store_bytes_get_data (sealed, &size);

  sqlite3_bind_text (stmt, 1, room, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, owner, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, key_id);
  sqlite3_bind_blob64 (stmt, 4, data, size, SQLITE_STATIC);
  if (device != NULL)
    sqlite3_bind_blob (stmt, 5, device, SOTTO_CLIENT_STORE_DEVICE_BYTES, SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, 5);

  return sotto_db_step_done (self->db, stmt, _("Could not save a sender key"), error);
}

/**
 * sotto_client_store_save_sender_key:
 * @self: a #SottoClientStore
 * @room: the room
 * @owner: the member who sends with @key (our own name for our own key)
 * @key: the sender key, in its current state
 * @error: return location for a #GError
 *
 * Stores the state of @key, replacing the state saved before for the same
 * room, owner and key id. Save again after every change of the chain. A
 * key first saved this way is ours when @owner is our name; one first
 * saved with sotto_client_store_save_sender_key_from() keeps its device.
 *
 * Returns: %TRUE on success
 */
gboolean
sotto_client_store_save_sender_key (SottoClientStore  *self,
                                    const char        *room,
                                    const char        *owner,
                                    SottoSenderKey    *key,
                                    GError           **error)
{
  return save_sender_key (self, room, owner, NULL, key, error);
}

/**
 * sotto_client_store_save_sender_key_from:
 * @device: (array fixed-size=32): the signing key of @owner's device that
 *   handed @key over
 *
 * As sotto_client_store_save_sender_key(), for a key taken from a key box
 * of one of @owner's devices: the row keeps @device, by which it is told
 * apart from our own keys when @owner is our own name (a key of another
 * of our devices).
 */
gboolean
sotto_client_store_save_sender_key_from (SottoClientStore  *self,
                                         const char        *room,
                                         const char        *owner,
                                         const guint8      *device,
                                         SottoSenderKey    *key,
                                         GError           **error)
{
  g_return_val_if_fail (device != NULL, FALSE);

  return save_sender_key (self, room, owner, device, key, error);
}

/**
 * sotto_client_store_get_sender_key_device:
 * @device: (out caller-allocates) (array fixed-size=32): the device
 * @has_device: (out): whether the key came with a device
 *
 * Which of @owner's devices handed over their key @key_id in @room.
 *
 * Returns: %FALSE on failure; a key not held is no failure, and has no
 *   device
 */
gboolean
sotto_client_store_get_sender_key_device (SottoClientStore  *self,
                                          const char        *room,
                                          const char        *owner,
                                          guint32            key_id,
                                          guint8            *device,
                                          gboolean          *has_device,
                                          GError           **error)
{
  g_auto(SottoDbStatement) stmt = NULL;
  gboolean found;

  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), FALSE);
  g_return_val_if_fail (device != NULL && has_device != NULL, FALSE);

  *has_device = FALSE;
  if ((stmt = sotto_db_statement (self->db, STMT_GET_SENDER_KEY_DEVICE, error)) == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, room, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, owner, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, key_id);
  if (!sotto_db_step_row (self->db, stmt, &found, _("Could not read a sender key"), error))
    return FALSE;

  if (found)
    *has_device = sotto_db_column_copy_blob (stmt, 0, device, SOTTO_CLIENT_STORE_DEVICE_BYTES);
  return TRUE;
}

/* Reads the sender key in the row @stmt stands on. */
static SottoSenderKey *
store_read_sender_key (SottoClientStore  *self,
                       sqlite3_stmt      *stmt,
                       const char        *room,
                       const char        *owner,
                       GError           **error)
{
  g_autoptr(GByteArray) ad = NULL;
  g_autoptr(GBytes) serialized = NULL;
  g_autoptr(SottoSenderKey) key = NULL;
  const guint8 *blob;
  guint8 *plaintext;
  gint64 key_id;
  gsize blob_len;
  gssize size;

  key_id = sqlite3_column_int64 (stmt, 0);
  blob = sotto_db_column_blob (stmt, 1, &blob_len);
  size = _sotto_client_store_value_plaintext_size (blob_len);

  if (key_id < 0 || key_id > G_MAXUINT32 || size < 0)
    {
      _sotto_client_store_set_corrupt_error (error, "sender_keys");
      return NULL;
    }

  ad = sender_key_ad (room, owner, (guint32) key_id);
  serialized = _sotto_client_store_secure_bytes_new ((gsize) size, &plaintext);
  if (!_sotto_client_store_open_value (self, ad, blob, blob_len, plaintext, "sender_keys", error))
    return NULL;

  key = sotto_sender_key_deserialize (serialized, NULL);
  if (key == NULL || sotto_sender_key_get_key_id (key) != (guint32) key_id)
    {
      _sotto_client_store_set_corrupt_error (error, "sender_keys");
      return NULL;
    }

  return g_steal_pointer (&key);
}

/**
 * sotto_client_store_load_sender_key:
 * @self: a #SottoClientStore
 * @room: the room
 * @owner: the member who sends with the key
 * @key_id: the key id
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the sender key as last saved, or
 *   %NULL, without an error if there is none
 */
SottoSenderKey *
sotto_client_store_load_sender_key (SottoClientStore  *self,
                                    const char        *room,
                                    const char        *owner,
                                    guint32            key_id,
                                    GError           **error)
{
  g_auto(SottoDbStatement) stmt = NULL;
  gboolean found;

  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), NULL);
  g_return_val_if_fail (room != NULL, NULL);
  g_return_val_if_fail (owner != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!_sotto_client_store_require_unlocked (self, error) ||
      (stmt = sotto_db_statement (self->db, STMT_GET_SENDER_KEY, error)) == NULL)
    return NULL;

  sqlite3_bind_text (stmt, 1, room, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, owner, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, key_id);

  if (!sotto_db_step_row (self->db, stmt, &found, _("Could not read a sender key"), error) ||
      !found)
    return NULL;

  return store_read_sender_key (self, stmt, room, owner, error);
}

/**
 * sotto_client_store_load_own_sender_key:
 * @self: a #SottoClientStore
 * @room: the room
 * @own_user: our username
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the sender key of @own_user in @room
 *   that was saved first most recently (the current one after a rotation),
 *   not counting those of our other devices, or %NULL, without an error if
 *   there is none
 */
SottoSenderKey *
sotto_client_store_load_own_sender_key (SottoClientStore  *self,
                                        const char        *room,
                                        const char        *own_user,
                                        GError           **error)
{
  g_auto(SottoDbStatement) stmt = NULL;
  gboolean found;

  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), NULL);
  g_return_val_if_fail (room != NULL, NULL);
  g_return_val_if_fail (own_user != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!_sotto_client_store_require_unlocked (self, error) ||
      (stmt = sotto_db_statement (self->db, STMT_GET_NEWEST_SENDER_KEY, error)) == NULL)
    return NULL;

  sqlite3_bind_text (stmt, 1, room, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, own_user, -1, SQLITE_STATIC);

  if (!sotto_db_step_row (self->db, stmt, &found, _("Could not read a sender key"), error) ||
      !found)
    return NULL;

  return store_read_sender_key (self, stmt, room, own_user, error);
}

/**
 * sotto_client_store_forget_sender_keys:
 * @self: a #SottoClientStore
 * @room: the room
 * @owner: the member whose keys to forget
 * @error: return location for a #GError
 *
 * Deletes every sender key of @owner in @room that came with no device:
 * all of ours (not those of our other devices), e.g. before a new one.
 *
 * Returns: %TRUE on success
 */
gboolean
sotto_client_store_forget_sender_keys (SottoClientStore  *self,
                                       const char        *room,
                                       const char        *owner,
                                       GError           **error)
{
  g_auto(SottoDbStatement) stmt = NULL;

  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), FALSE);
  g_return_val_if_fail (room != NULL, FALSE);
  g_return_val_if_fail (owner != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_sotto_client_store_require_unlocked (self, error) ||
      (stmt = sotto_db_statement (self->db, STMT_FORGET_SENDER_KEYS, error)) == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, room, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, owner, -1, SQLITE_STATIC);

  return sotto_db_step_done (self->db, stmt, _("Could not delete sender keys"), error);
}
