/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sotto-store-private.h"

/*
 * The store's async calls that read and then write on what they read, in
 * one step so that no other request comes between (sotto-store-async.c
 * has the reads, and how every answer waits for its batch's commit).
 */

typedef struct
{
  GBytes *bundle;
  GBytes *one_time;
} PrekeysData;

static void
prekeys_data_free (gpointer data)
{
  PrekeysData *take = data;

  g_clear_pointer (&take->bundle, g_bytes_unref);
  g_clear_pointer (&take->one_time, g_bytes_unref);
  g_free (take);
}

/**
 * sotto_store_take_prekeys_async:
 *
 * Reads the device's prekey bundle and, if it has one, takes its oldest
 * one-time prekey in the open batch, in one step: two requests never get
 * the same one-time prekey, and a batch rolled back puts it back.
 */
void
sotto_store_take_prekeys_async (SottoStore          *self,
                                gint64               device_id,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  PrekeysData *take;

  g_return_if_fail (SOTTO_IS_STORE (self));

  task = _sotto_store_task_new (self, sotto_store_take_prekeys_async, cancellable, callback, user_data);
  take = g_new0 (PrekeysData, 1);
  g_task_set_task_data (task, take, prekeys_data_free);

  if (!sotto_store_get_prekey_bundle (self, device_id, &take->bundle, &error) ||
      (take->bundle != NULL &&
       !sotto_store_take_one_time_prekey (self, device_id, &take->one_time, &error)))
    _sotto_store_answer_error (self, task, g_steal_pointer (&error));
  else
    _sotto_store_answer_boolean (self, task, TRUE);
}

/**
 * sotto_store_take_prekeys_finish:
 * @out_bundle: (out) (transfer full): the bundle, %NULL if the device
 *   published none
 * @out_one_time: (out) (transfer full): the one-time prekey taken, %NULL
 *   if none was left (or there is no bundle)
 *
 * Returns: %FALSE only if the store failed
 */
gboolean
sotto_store_take_prekeys_finish (SottoStore    *self,
                                 GAsyncResult  *result,
                                 GBytes       **out_bundle,
                                 GBytes       **out_one_time,
                                 GError       **error)
{
  PrekeysData *take;

  g_return_val_if_fail (_sotto_store_result_is_valid (self, result, sotto_store_take_prekeys_async), FALSE);
  g_return_val_if_fail (out_bundle != NULL && out_one_time != NULL, FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;

  take = g_task_get_task_data (G_TASK (result));
  *out_bundle = g_steal_pointer (&take->bundle);
  *out_one_time = g_steal_pointer (&take->one_time);

  return TRUE;
}

/**
 * sotto_store_queue_history_async:
 * @max_bytes: the most bytes of history that may wait for the device,
 *   this chunk included
 *
 * Queues the chunk for the device, as sotto_store_queue_history(), unless
 * it would take what waits for the device past @max_bytes: the check and
 * the write are one step.
 */
void
sotto_store_queue_history_async (SottoStore          *self,
                                 gint64               device_id,
                                 GBytes              *sender_device,
                                 GBytes              *chunk,
                                 gint64               queued,
                                 gint64               max_bytes,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  gint64 waiting;
  gint64 hid;

  g_return_if_fail (SOTTO_IS_STORE (self));

  task = _sotto_store_task_new (self, sotto_store_queue_history_async, cancellable, callback, user_data);

  waiting = sotto_store_history_bytes (self, device_id, &error);
  if (waiting < 0)
    {
      _sotto_store_answer_error (self, task, g_steal_pointer (&error));
      return;
    }
  if (waiting + (gint64) g_bytes_get_size (chunk) > max_bytes)
    {
      _sotto_store_answer_int (self, task, 0);
      return;
    }

  hid = sotto_store_queue_history (self, device_id, sender_device, chunk, queued, &error);
  if (hid < 0)
    _sotto_store_answer_error (self, task, g_steal_pointer (&error));
  else
    _sotto_store_answer_int (self, task, hid);
}

/**
 * sotto_store_queue_history_finish:
 *
 * Returns: the chunk's queue id; 0 if it was refused for what already
 *   waits; -1 with @error if the store failed
 */
gint64
sotto_store_queue_history_finish (SottoStore    *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (_sotto_store_result_is_valid (self, result, sotto_store_queue_history_async), -1);

  return g_task_propagate_int (G_TASK (result), error);
}

/**
 * sotto_store_add_blob_async:
 * @quota: the most bytes the account's blobs may take, this one included
 *
 * Records an unfinished upload, as sotto_store_add_blob(), unless the
 * account's blobs would take more than @quota with it: the check and the
 * write are one step.
 */
void
sotto_store_add_blob_async (SottoStore          *self,
                            const guint8        *id,
                            gint64               account_id,
                            gint64               room_id,
                            gint64               size,
                            gint64               created,
                            gint64               quota,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  gint64 used;

  g_return_if_fail (SOTTO_IS_STORE (self));
  g_return_if_fail (id != NULL);

  task = _sotto_store_task_new (self, sotto_store_add_blob_async, cancellable, callback, user_data);

  used = sotto_store_blob_bytes (self, account_id, &error);
  if (used < 0)
    _sotto_store_answer_error (self, task, g_steal_pointer (&error));
  else if (used + size > quota)
    _sotto_store_answer_int (self, task, SOTTO_STORE_BLOB_OVER_QUOTA);
  else if (!sotto_store_add_blob (self, id, account_id, room_id, size, created, &error))
    _sotto_store_answer_error (self, task, g_steal_pointer (&error));
  else
    _sotto_store_answer_int (self, task, SOTTO_STORE_BLOB_ADDED);
}

/**
 * sotto_store_add_blob_finish:
 *
 * Returns: whether the blob was recorded or refused for the quota, or
 *   %SOTTO_STORE_BLOB_FAILED with @error
 */
SottoStoreBlobAdded
sotto_store_add_blob_finish (SottoStore    *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  gssize added;

  g_return_val_if_fail (_sotto_store_result_is_valid (self, result, sotto_store_add_blob_async), SOTTO_STORE_BLOB_FAILED);

  added = g_task_propagate_int (G_TASK (result), error);

  return added < 0 ? SOTTO_STORE_BLOB_FAILED : (SottoStoreBlobAdded) added;
}

/* How many of @ids the device holds no one-time prekey under yet, each
 * id counted once; -1 if the store failed. */
static gint64
count_new_prekeys (SottoStore     *self,
                   gint64          device_id,
                   const guint32  *ids,
                   guint           n_ids,
                   GError        **error)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
  gint64 added = 0;

  for (guint i = 0; i < n_ids; i++)
    {
      gboolean has;

      if (!g_hash_table_add (seen, GUINT_TO_POINTER (ids[i])))
        continue;
      if (!sotto_store_has_one_time_prekey (self, device_id, ids[i], &has, error))
        return -1;
      if (!has)
        added++;
    }

  return added;
}

/**
 * sotto_store_publish_prekeys_async:
 * @bundle: (nullable): the device's new bundle, or %NULL to keep its last
 * @prekeys: (element-type GBytes): one-time prekeys to add; one under an
 *   id the device holds already takes that one's place
 * @ids: the id of each of @prekeys
 * @max: the most one-time prekeys the device may hold
 *
 * Stores the bundle and adds the one-time prekeys, unless the device
 * would then hold more than @max: then nothing is written. The check and
 * the writes are one step. @bundle, @prekeys and @ids are read during the
 * call only.
 */
void
sotto_store_publish_prekeys_async (SottoStore          *self,
                                   gint64               device_id,
                                   GBytes              *bundle,
                                   GPtrArray           *prekeys,
                                   const guint32       *ids,
                                   gint64               published,
                                   gint64               max,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  gint64 held;
  gint64 added;

  g_return_if_fail (SOTTO_IS_STORE (self));
  g_return_if_fail (prekeys != NULL);
  g_return_if_fail (prekeys->len == 0 || ids != NULL);

  task = _sotto_store_task_new (self, sotto_store_publish_prekeys_async, cancellable, callback, user_data);

  held = sotto_store_count_one_time_prekeys (self, device_id, &error);
  added = held < 0 ? -1 : count_new_prekeys (self, device_id, ids, prekeys->len, &error);
  if (added < 0)
    {
      _sotto_store_answer_error (self, task, g_steal_pointer (&error));
      return;
    }

  if (held + added > max)
    {
      _sotto_store_answer_int (self, task, SOTTO_STORE_PREKEYS_OVER_LIMIT);
      return;
    }

  if (bundle != NULL &&
      !sotto_store_set_prekey_bundle (self, device_id, bundle, published, &error))
    {
      _sotto_store_answer_error (self, task, g_steal_pointer (&error));
      return;
    }

  for (guint i = 0; i < prekeys->len; i++)
    if (!sotto_store_add_one_time_prekey (self, device_id, ids[i],
                                          g_ptr_array_index (prekeys, i), &error))
      {
        _sotto_store_answer_error (self, task, g_steal_pointer (&error));
        return;
      }

  _sotto_store_answer_int (self, task, held + added);
}

/**
 * sotto_store_publish_prekeys_finish:
 *
 * Returns: how many one-time prekeys the device holds now;
 *   %SOTTO_STORE_PREKEYS_OVER_LIMIT if nothing was written for the limit;
 *   -1 with @error if the store failed
 */
gint64
sotto_store_publish_prekeys_finish (SottoStore    *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (_sotto_store_result_is_valid (self, result, sotto_store_publish_prekeys_async), -1);

  return g_task_propagate_int (G_TASK (result), error);
}
