/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "sotto-client-store-private.h"
#include "sotto-password-seal.h"

/* The password: the local key sealed with it, unlocked, locked and sealed
 * again under a new password. Argon2id runs in worker threads. */

typedef struct
{
  /* sodium_malloc()ed and normalized. */
  char    *password;
  char    *new_password;
  guint64  opslimit;
  gsize    memlimit;
  /* The sealed local key read from the file, %NULL for a fresh store. */
  GBytes  *sealed;
  /* Sealed by the worker: a fresh key, or the key under a new password. */
  GBytes  *new_sealed;
  /* sodium_malloc()ed, filled by the worker. */
  guint8  *local_key;
  guint    lock_serial;
} KeyTaskData;

static void
key_task_data_free (KeyTaskData *data)
{
  g_clear_pointer (&data->password, sodium_free);
  g_clear_pointer (&data->new_password, sodium_free);
  g_clear_pointer (&data->sealed, g_bytes_unref);
  g_clear_pointer (&data->new_sealed, g_bytes_unref);
  g_clear_pointer (&data->local_key, sodium_free);
  g_free (data);
}

static gboolean
unseal_local_key (GBytes      *sealed,
                  const char  *password,
                  guint8      *local_key,
                  GError     **error)
{
  g_autoptr(GBytes) plaintext = sotto_password_unseal (sealed, password, error);
  const guint8 *data;
  gsize size;

  if (plaintext == NULL)
    return FALSE;

  data = _sotto_client_store_bytes_get_data (plaintext, &size);
  if (size != SOTTO_CLIENT_STORE_LOCAL_KEY_BYTES)
    {
      g_set_error_literal (error, SOTTO_CLIENT_STORE_ERROR, SOTTO_CLIENT_STORE_ERROR_CORRUPT,
                           _("The sealed local key has the wrong size"));
      return FALSE;
    }

  memcpy (local_key, data, SOTTO_CLIENT_STORE_LOCAL_KEY_BYTES);
  return TRUE;
}

/* Runs in a worker: Argon2id takes a fraction of a second and 64 MiB. */
static void
unlock_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  KeyTaskData *data = task_data;
  GError *error = NULL;

  if (data->sealed == NULL)
    {
      g_autoptr(GBytes) plaintext = NULL;

      randombytes_buf (data->local_key, SOTTO_CLIENT_STORE_LOCAL_KEY_BYTES);
      plaintext = g_bytes_new_static (data->local_key, SOTTO_CLIENT_STORE_LOCAL_KEY_BYTES);
      data->new_sealed = sotto_password_seal (plaintext, data->password,
                                              data->opslimit, data->memlimit, &error);
      if (data->new_sealed == NULL)
        {
          g_task_return_error (task, error);
          return;
        }
    }
  else if (!unseal_local_key (data->sealed, data->password, data->local_key, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_return_boolean (task, TRUE);
}

static gboolean
store_add_local_key (SottoClientStore  *self,
                     GBytes            *sealed,
                     GError           **error)
{
  g_auto(SottoDbStatement) stmt = sotto_db_statement (self->db, STMT_ADD_LOCAL_KEY, error);
  const guint8 *data;
  gsize size;

  if (stmt == NULL)
    return FALSE;

  data = _sotto_client_store_bytes_get_data (sealed, &size);
  sqlite3_bind_blob64 (stmt, 1, data, size, SQLITE_STATIC);

  if (!sotto_db_step_done (self->db, stmt, _("Could not save the local key"), error))
    return FALSE;

  /* Two first unlocks ran at once, and the other one won. */
  if (sotto_db_changes (self->db) != 1)
    {
      g_set_error_literal (error, SOTTO_CLIENT_STORE_ERROR, SOTTO_CLIENT_STORE_ERROR_FAILED,
                           _("The store got a password meanwhile; unlock it again"));
      return FALSE;
    }

  self->has_local_key = TRUE;
  return TRUE;
}

static void
unlock_thread_done_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SottoClientStore *self = g_task_get_source_object (task);
  KeyTaskData *data = g_task_get_task_data (G_TASK (result));
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, error);
      return;
    }

  if (data->lock_serial != self->lock_serial || self->db == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               _("The store was locked or closed while unlocking"));
      return;
    }

  if (data->new_sealed != NULL && !store_add_local_key (self, data->new_sealed, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  _sotto_client_store_set_keys (self, _sotto_client_store_derive_keys (data->local_key));
  g_task_return_boolean (task, TRUE);
}

/**
 * sotto_client_store_unlock_async:
 * @self: a #SottoClientStore
 * @password: the password, UTF-8 (normalized to NFC before use)
 * @opslimit: Argon2id passes for a fresh store, between
 *   %SOTTO_PWHASH_OPSLIMIT_MIN and %SOTTO_PWHASH_OPSLIMIT_MAX
 * @memlimit: Argon2id memory for a fresh store, between
 *   %SOTTO_PWHASH_MEMLIMIT_MIN and %SOTTO_PWHASH_MEMLIMIT_MAX
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Unlocks the store. The first time (sotto_client_store_is_new()), this
 * makes a random local key and seals it with @password at the given costs;
 * later, the costs stored with the sealed key apply and @opslimit and
 * @memlimit are not used. The password hashing runs in a worker thread.
 *
 * A wrong password fails with %SOTTO_E2E_ERROR_BAD_PASSWORD and changes
 * nothing, on disk or in memory.
 */
void
sotto_client_store_unlock_async (SottoClientStore    *self,
                                 const char          *password,
                                 guint64              opslimit,
                                 gsize                memlimit,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) thread_task = NULL;
  g_autoptr(GError) error = NULL;
  KeyTaskData *data;

  g_return_if_fail (SOTTO_IS_CLIENT_STORE (self));
  g_return_if_fail (password != NULL && g_utf8_validate (password, -1, NULL));
  g_return_if_fail (opslimit >= SOTTO_PWHASH_OPSLIMIT_MIN);
  g_return_if_fail (opslimit <= SOTTO_PWHASH_OPSLIMIT_MAX);
  g_return_if_fail (memlimit >= SOTTO_PWHASH_MEMLIMIT_MIN);
  g_return_if_fail (memlimit <= SOTTO_PWHASH_MEMLIMIT_MAX);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sotto_client_store_unlock_async);

  if (self->db == NULL)
    {
      g_task_return_new_error (task, SOTTO_CLIENT_STORE_ERROR, SOTTO_CLIENT_STORE_ERROR_FAILED,
                               _("The store is closed"));
      return;
    }

  data = g_new0 (KeyTaskData, 1);
  data->password = _sotto_client_store_secure_password_new (password);
  data->opslimit = opslimit;
  data->memlimit = memlimit;
  data->local_key = _sotto_client_store_secure_alloc (SOTTO_CLIENT_STORE_LOCAL_KEY_BYTES);
  data->lock_serial = self->lock_serial;
  data->sealed = _sotto_client_store_get_local_key (self, &error);

  if (error != NULL)
    {
      key_task_data_free (data);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* The worker's task has no source object: the worker thread may drop
   * the last reference to it after the callback ran, and that must not be
   * the store's. The outer task keeps the store alive meanwhile. */
  thread_task = g_task_new (NULL, cancellable, unlock_thread_done_cb, g_steal_pointer (&task));
  g_task_set_source_tag (thread_task, sotto_client_store_unlock_async);
  g_task_set_task_data (thread_task, data, (GDestroyNotify) key_task_data_free);
  g_task_run_in_thread (thread_task, unlock_thread);
}

/**
 * sotto_client_store_unlock_finish:
 * @self: a #SottoClientStore
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Returns: %TRUE if the store is now unlocked
 */
gboolean
sotto_client_store_unlock_finish (SottoClientStore  *self,
                                  GAsyncResult      *result,
                                  GError           **error)
{
  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        sotto_client_store_unlock_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * sotto_client_store_lock:
 * @self: a #SottoClientStore
 *
 * Wipes the keys from memory; an unlock under way is cancelled.
 */
void
sotto_client_store_lock (SottoClientStore *self)
{
  g_return_if_fail (SOTTO_IS_CLIENT_STORE (self));

  self->lock_serial++;
  _sotto_client_store_set_keys (self, NULL);
}

/* Runs in a worker: two Argon2id evaluations. */
static void
set_password_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  KeyTaskData *data = task_data;
  g_autoptr(GBytes) plaintext = NULL;
  GError *error = NULL;

  if (!unseal_local_key (data->sealed, data->password, data->local_key, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  plaintext = g_bytes_new_static (data->local_key, SOTTO_CLIENT_STORE_LOCAL_KEY_BYTES);
  data->new_sealed = sotto_password_seal (plaintext, data->new_password,
                                          data->opslimit, data->memlimit, &error);
  if (data->new_sealed == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_return_boolean (task, TRUE);
}

static void
set_password_thread_done_cb (GObject      *object,
                             GAsyncResult *result,
                             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SottoClientStore *self = g_task_get_source_object (task);
  KeyTaskData *data = g_task_get_task_data (G_TASK (result));
  g_auto(SottoDbStatement) stmt = NULL;
  GError *error = NULL;
  const guint8 *old_data;
  const guint8 *new_data;
  gsize old_size;
  gsize new_size;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, error);
      return;
    }

  if (self->db == NULL)
    {
      g_task_return_new_error (task, SOTTO_CLIENT_STORE_ERROR, SOTTO_CLIENT_STORE_ERROR_FAILED,
                               _("The store is closed"));
      return;
    }

  stmt = sotto_db_statement (self->db, STMT_REPLACE_LOCAL_KEY, &error);
  if (stmt == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  old_data = _sotto_client_store_bytes_get_data (data->sealed, &old_size);
  new_data = _sotto_client_store_bytes_get_data (data->new_sealed, &new_size);
  sqlite3_bind_blob64 (stmt, 1, old_data, old_size, SQLITE_STATIC);
  sqlite3_bind_blob64 (stmt, 2, new_data, new_size, SQLITE_STATIC);

  if (!sotto_db_step_done (self->db, stmt, _("Could not save the local key"), &error))
    {
      g_task_return_error (task, error);
      return;
    }

  if (sotto_db_changes (self->db) != 1)
    {
      g_task_return_new_error (task, SOTTO_CLIENT_STORE_ERROR, SOTTO_CLIENT_STORE_ERROR_FAILED,
                               _("The password was changed meanwhile"));
      return;
    }

  g_task_return_boolean (task, TRUE);
}

/**
 * sotto_client_store_set_password_async:
 * @self: a #SottoClientStore
 * @old_password: the current password
 * @new_password: the new password
 * @opslimit: Argon2id passes for the new seal
 * @memlimit: Argon2id memory for the new seal
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Seals the local key under @new_password; everything encrypted with the
 * local key stays as it is. A wrong @old_password fails with
 * %SOTTO_E2E_ERROR_BAD_PASSWORD; a store without a password yet fails with
 * %SOTTO_CLIENT_STORE_ERROR_NOT_FOUND. Works locked or unlocked, and leaves
 * that as it is.
 */
void
sotto_client_store_set_password_async (SottoClientStore    *self,
                                       const char          *old_password,
                                       const char          *new_password,
                                       guint64              opslimit,
                                       gsize                memlimit,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) thread_task = NULL;
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(GError) error = NULL;
  KeyTaskData *data;

  g_return_if_fail (SOTTO_IS_CLIENT_STORE (self));
  g_return_if_fail (old_password != NULL && g_utf8_validate (old_password, -1, NULL));
  g_return_if_fail (new_password != NULL && g_utf8_validate (new_password, -1, NULL));
  g_return_if_fail (opslimit >= SOTTO_PWHASH_OPSLIMIT_MIN);
  g_return_if_fail (opslimit <= SOTTO_PWHASH_OPSLIMIT_MAX);
  g_return_if_fail (memlimit >= SOTTO_PWHASH_MEMLIMIT_MIN);
  g_return_if_fail (memlimit <= SOTTO_PWHASH_MEMLIMIT_MAX);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sotto_client_store_set_password_async);

  if (self->db == NULL)
    {
      g_task_return_new_error (task, SOTTO_CLIENT_STORE_ERROR, SOTTO_CLIENT_STORE_ERROR_FAILED,
                               _("The store is closed"));
      return;
    }

  sealed = _sotto_client_store_get_local_key (self, &error);
  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (sealed == NULL)
    {
      g_task_return_new_error (task, SOTTO_CLIENT_STORE_ERROR,
                               SOTTO_CLIENT_STORE_ERROR_NOT_FOUND,
                               _("The store has no password yet"));
      return;
    }

  data = g_new0 (KeyTaskData, 1);
  data->password = _sotto_client_store_secure_password_new (old_password);
  data->new_password = _sotto_client_store_secure_password_new (new_password);
  data->opslimit = opslimit;
  data->memlimit = memlimit;
  data->local_key = _sotto_client_store_secure_alloc (SOTTO_CLIENT_STORE_LOCAL_KEY_BYTES);
  data->sealed = g_steal_pointer (&sealed);

  thread_task = g_task_new (NULL, cancellable, set_password_thread_done_cb,
                            g_steal_pointer (&task));
  g_task_set_source_tag (thread_task, sotto_client_store_set_password_async);
  g_task_set_task_data (thread_task, data, (GDestroyNotify) key_task_data_free);
  g_task_run_in_thread (thread_task, set_password_thread);
}

/**
 * sotto_client_store_set_password_finish:
 * @self: a #SottoClientStore
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Returns: %TRUE if the new password is in place
 */
gboolean
sotto_client_store_set_password_finish (SottoClientStore  *self,
                                        GAsyncResult      *result,
                                        GError           **error)
{
  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        sotto_client_store_set_password_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
