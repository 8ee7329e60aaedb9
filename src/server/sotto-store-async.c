/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sotto-store.h"

/*
 * The store's reads as the server's request handlers make them: each an
 * _async/_finish pair whose callback runs on the main loop, never inside
 * the call. A handler that waits on one holds its client's further
 * requests (sotto_session_hold_requests()), so answers keep their order.
 *
 * The SQLite backend answers from its connection at once, and the answer
 * is handed over once the open batch is committed (below): so the
 * handlers meet, on the embedded store already, what a backend that
 * answers later (PostgreSQL, over the network) brings: a client gone, a
 * room changed before the answer comes. A task that completes has seen
 * only what is durable, and what it wrote is durable.
 */

/* An answer is handed over once the batch open at the time of the call,
 * if there is one, is committed: a read may have seen writes of that
 * batch, and a call that writes has written into it. If the batch is
 * rolled back, the task gets the commit's error instead, so that nothing
 * is told of what was lost. */
typedef enum
{
  ANSWER_BOOLEAN,
  ANSWER_INT,
  ANSWER_POINTER,
  ANSWER_ERROR,
} AnswerKind;

typedef struct
{
  GTask          *task;
  AnswerKind      kind;
  gssize          number;
  gpointer        pointer;
  GDestroyNotify  pointer_free;
  GError         *error;
} Answer;

static void
answer_free (gpointer data)
{
  Answer *answer = data;

  if (answer->pointer != NULL)
    answer->pointer_free (answer->pointer);
  g_clear_error (&answer->error);
  g_object_unref (answer->task);
  g_free (answer);
}

static void
answer_committed_cb (SottoStore   *store,
                     const GError *error,
                     gpointer      user_data)
{
  Answer *answer = user_data;

  if (answer->kind == ANSWER_ERROR)
    g_task_return_error (answer->task, g_steal_pointer (&answer->error));
  else if (error != NULL)
    g_task_return_error (answer->task, g_error_copy (error));
  else if (answer->kind == ANSWER_BOOLEAN)
    g_task_return_boolean (answer->task, answer->number != 0);
  else if (answer->kind == ANSWER_INT)
    g_task_return_int (answer->task, answer->number);
  else
    g_task_return_pointer (answer->task, g_steal_pointer (&answer->pointer),
                           answer->pointer_free);
}

static void
answer_when_committed (SottoStore *self,
                       GTask      *task,
                       Answer     *answer)
{
  answer->task = g_object_ref (task);
  sotto_store_commit_soon (self, answer_committed_cb, answer, answer_free);
}

static void
answer_boolean (SottoStore *self,
                GTask      *task,
                gboolean    value)
{
  Answer *answer = g_new0 (Answer, 1);

  answer->kind = ANSWER_BOOLEAN;
  answer->number = value;
  answer_when_committed (self, task, answer);
}

static void
answer_int (SottoStore *self,
            GTask      *task,
            gssize      value)
{
  Answer *answer = g_new0 (Answer, 1);

  answer->kind = ANSWER_INT;
  answer->number = value;
  answer_when_committed (self, task, answer);
}

static void
answer_pointer (SottoStore     *self,
                GTask          *task,
                gpointer        value,
                GDestroyNotify  value_free)
{
  Answer *answer = g_new0 (Answer, 1);

  answer->kind = ANSWER_POINTER;
  answer->pointer = value;
  answer->pointer_free = value_free;
  answer_when_committed (self, task, answer);
}

static void
answer_error (SottoStore *self,
              GTask      *task,
              GError     *error)
{
  Answer *answer = g_new0 (Answer, 1);

  answer->kind = ANSWER_ERROR;
  answer->error = error;
  answer_when_committed (self, task, answer);
}

typedef struct
{
  SottoStoreAccount account;
} FindAccountData;

static void
find_account_data_free (gpointer data)
{
  FindAccountData *find = data;

  sotto_store_account_clear (&find->account);
  g_free (find);
}

/**
 * sotto_store_find_account_async:
 * @username: any case; names are compared in lower case
 *
 * Looks the account up, as sotto_store_find_account().
 */
void
sotto_store_find_account_async (SottoStore          *self,
                                const char          *username,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  FindAccountData *find;
  gboolean found;

  g_return_if_fail (SOTTO_IS_STORE (self));
  g_return_if_fail (username != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sotto_store_find_account_async);
  find = g_new0 (FindAccountData, 1);
  g_task_set_task_data (task, find, find_account_data_free);

  found = sotto_store_find_account (self, username, &find->account, &error);
  if (error != NULL)
    answer_error (self, task, g_steal_pointer (&error));
  else
    answer_boolean (self, task, found);
}

/**
 * sotto_store_find_account_finish:
 * @out: (out caller-allocates) (optional): filled in when found
 *
 * Returns: %TRUE if the account exists; %FALSE with @error unset if it
 *   does not, with @error set if the lookup failed
 */
gboolean
sotto_store_find_account_finish (SottoStore         *self,
                                 GAsyncResult       *result,
                                 SottoStoreAccount  *out,
                                 GError            **error)
{
  FindAccountData *find;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == sotto_store_find_account_async,
                        FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;

  find = g_task_get_task_data (G_TASK (result));
  if (out != NULL)
    {
      *out = find->account;
      memset (&find->account, 0, sizeof find->account);
    }

  return TRUE;
}

typedef struct
{
  GBytes *account_key;
  gint64  counter;
  GBytes *list;
} DeviceListData;

static void
device_list_data_free (gpointer data)
{
  DeviceListData *read = data;

  g_clear_pointer (&read->account_key, g_bytes_unref);
  g_clear_pointer (&read->list, g_bytes_unref);
  g_free (read);
}

/**
 * sotto_store_get_device_list_async:
 *
 * Reads the account's device list, as sotto_store_get_device_list().
 */
void
sotto_store_get_device_list_async (SottoStore          *self,
                                   gint64               account_id,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  DeviceListData *read;

  g_return_if_fail (SOTTO_IS_STORE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sotto_store_get_device_list_async);
  read = g_new0 (DeviceListData, 1);
  g_task_set_task_data (task, read, device_list_data_free);

  if (sotto_store_get_device_list (self, account_id, &read->account_key, &read->counter,
                                   &read->list, &error))
    answer_boolean (self, task, TRUE);
  else
    answer_error (self, task, g_steal_pointer (&error));
}

/**
 * sotto_store_get_device_list_finish:
 * @out_account_key: (out) (transfer full) (optional): as
 *   sotto_store_get_device_list() gives it
 * @out_counter: (out) (optional):
 * @out_list: (out) (transfer full) (optional):
 *
 * Returns: %FALSE only if the store failed
 */
gboolean
sotto_store_get_device_list_finish (SottoStore    *self,
                                    GAsyncResult  *result,
                                    GBytes       **out_account_key,
                                    gint64        *out_counter,
                                    GBytes       **out_list,
                                    GError       **error)
{
  DeviceListData *read;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == sotto_store_get_device_list_async,
                        FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;

  read = g_task_get_task_data (G_TASK (result));
  if (out_account_key != NULL)
    *out_account_key = g_steal_pointer (&read->account_key);
  if (out_counter != NULL)
    *out_counter = read->counter;
  if (out_list != NULL)
    *out_list = g_steal_pointer (&read->list);

  return TRUE;
}

/**
 * sotto_store_read_log_async:
 *
 * Reads a page of the room's history, as sotto_store_read_log().
 */
void
sotto_store_read_log_async (SottoStore          *self,
                            gint64               room_id,
                            gint64               after_seq,
                            gint64               up_to_seq,
                            guint                limit,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  gint64 *last;
  GPtrArray *events;

  g_return_if_fail (SOTTO_IS_STORE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sotto_store_read_log_async);
  last = g_new0 (gint64, 1);
  g_task_set_task_data (task, last, g_free);

  events = sotto_store_read_log (self, room_id, after_seq, up_to_seq, limit, last, &error);
  if (events != NULL)
    answer_pointer (self, task, events, (GDestroyNotify) g_ptr_array_unref);
  else
    answer_error (self, task, g_steal_pointer (&error));
}

/**
 * sotto_store_read_log_finish:
 * @last_seq: (out) (optional): as sotto_store_read_log() gives it
 *
 * Returns: (transfer full) (element-type GBytes): the events, or %NULL
 */
GPtrArray *
sotto_store_read_log_finish (SottoStore    *self,
                             GAsyncResult  *result,
                             gint64        *last_seq,
                             GError       **error)
{
  GPtrArray *events;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == sotto_store_read_log_async,
                        NULL);

  events = g_task_propagate_pointer (G_TASK (result), error);
  if (events != NULL && last_seq != NULL)
    *last_seq = *(gint64 *) g_task_get_task_data (G_TASK (result));

  return events;
}

typedef GPtrArray *(*ReadQueueFunc) (SottoStore  *self,
                                     gint64       device_id,
                                     guint        limit,
                                     GError     **error);

static void
read_queue_async (SottoStore          *self,
                  ReadQueueFunc        read,
                  gpointer             source_tag,
                  gint64               device_id,
                  guint                limit,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *rows;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);

  rows = read (self, device_id, limit, &error);
  if (rows != NULL)
    answer_pointer (self, task, rows, (GDestroyNotify) g_ptr_array_unref);
  else
    answer_error (self, task, g_steal_pointer (&error));
}

static GPtrArray *
read_queue_finish (SottoStore    *self,
                   gpointer       source_tag,
                   GAsyncResult  *result,
                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * sotto_store_pending_keys_async:
 *
 * Reads the device's key queue, as sotto_store_pending_keys().
 */
void
sotto_store_pending_keys_async (SottoStore          *self,
                                gint64               device_id,
                                guint                limit,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (SOTTO_IS_STORE (self));

  read_queue_async (self, sotto_store_pending_keys, sotto_store_pending_keys_async, device_id,
                    limit, cancellable, callback, user_data);
}

/**
 * sotto_store_pending_keys_finish:
 *
 * Returns: (transfer full) (element-type SottoStoreKey): the rows, or %NULL
 */
GPtrArray *
sotto_store_pending_keys_finish (SottoStore    *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return read_queue_finish (self, sotto_store_pending_keys_async, result, error);
}

/**
 * sotto_store_pending_history_async:
 *
 * Reads the history waiting for the device, as
 * sotto_store_pending_history().
 */
void
sotto_store_pending_history_async (SottoStore          *self,
                                   gint64               device_id,
                                   guint                limit,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_return_if_fail (SOTTO_IS_STORE (self));

  read_queue_async (self, sotto_store_pending_history, sotto_store_pending_history_async,
                    device_id, limit, cancellable, callback, user_data);
}

/**
 * sotto_store_pending_history_finish:
 *
 * Returns: (transfer full) (element-type SottoStoreHistory): the chunks,
 *   or %NULL
 */
GPtrArray *
sotto_store_pending_history_finish (SottoStore    *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  return read_queue_finish (self, sotto_store_pending_history_async, result, error);
}

/**
 * sotto_store_read_state_async:
 *
 * Reads a page of the room's state chain, as sotto_store_read_state().
 */
void
sotto_store_read_state_async (SottoStore          *self,
                              gint64               room_id,
                              gint64               from,
                              gint64               up_to,
                              guint                limit,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *events;

  g_return_if_fail (SOTTO_IS_STORE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sotto_store_read_state_async);

  events = sotto_store_read_state (self, room_id, from, up_to, limit, &error);
  if (events != NULL)
    answer_pointer (self, task, events, (GDestroyNotify) g_ptr_array_unref);
  else
    answer_error (self, task, g_steal_pointer (&error));
}

/**
 * sotto_store_read_state_finish:
 *
 * Returns: (transfer full) (element-type SottoStoreStateEvent): the
 *   events, or %NULL
 */
GPtrArray *
sotto_store_read_state_finish (SottoStore    *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == sotto_store_read_state_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

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

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sotto_store_take_prekeys_async);
  take = g_new0 (PrekeysData, 1);
  g_task_set_task_data (task, take, prekeys_data_free);

  if (!sotto_store_get_prekey_bundle (self, device_id, &take->bundle, &error) ||
      (take->bundle != NULL &&
       !sotto_store_take_one_time_prekey (self, device_id, &take->one_time, &error)))
    answer_error (self, task, g_steal_pointer (&error));
  else
    answer_boolean (self, task, TRUE);
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

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == sotto_store_take_prekeys_async,
                        FALSE);
  g_return_val_if_fail (out_bundle != NULL && out_one_time != NULL, FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;

  take = g_task_get_task_data (G_TASK (result));
  *out_bundle = g_steal_pointer (&take->bundle);
  *out_one_time = g_steal_pointer (&take->one_time);

  return TRUE;
}

static void
blob_data_free (gpointer data)
{
  sotto_store_blob_clear (data);
  g_free (data);
}

/**
 * sotto_store_find_blob_async:
 * @id: (array fixed-size=16): the blob's id
 *
 * Looks the blob up, as sotto_store_find_blob().
 */
void
sotto_store_find_blob_async (SottoStore          *self,
                             const guint8        *id,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  SottoStoreBlob *blob;
  gboolean found;

  g_return_if_fail (SOTTO_IS_STORE (self));
  g_return_if_fail (id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sotto_store_find_blob_async);
  blob = g_new0 (SottoStoreBlob, 1);
  g_task_set_task_data (task, blob, blob_data_free);

  found = sotto_store_find_blob (self, id, blob, &error);
  if (error != NULL)
    answer_error (self, task, g_steal_pointer (&error));
  else
    answer_boolean (self, task, found);
}

/**
 * sotto_store_find_blob_finish:
 * @out_blob: (out caller-allocates): filled in when found
 *
 * Returns: %TRUE if the blob is known; %FALSE with @error unset if it is
 *   not, with @error set if the lookup failed
 */
gboolean
sotto_store_find_blob_finish (SottoStore      *self,
                              GAsyncResult    *result,
                              SottoStoreBlob  *out_blob,
                              GError         **error)
{
  SottoStoreBlob *blob;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == sotto_store_find_blob_async,
                        FALSE);
  g_return_val_if_fail (out_blob != NULL, FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;

  blob = g_task_get_task_data (G_TASK (result));
  *out_blob = *blob;
  memset (blob, 0, sizeof *blob);

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

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sotto_store_queue_history_async);

  waiting = sotto_store_history_bytes (self, device_id, &error);
  if (waiting < 0)
    {
      answer_error (self, task, g_steal_pointer (&error));
      return;
    }
  if (waiting + (gint64) g_bytes_get_size (chunk) > max_bytes)
    {
      answer_int (self, task, 0);
      return;
    }

  hid = sotto_store_queue_history (self, device_id, sender_device, chunk, queued, &error);
  if (hid < 0)
    answer_error (self, task, g_steal_pointer (&error));
  else
    answer_int (self, task, hid);
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
  g_return_val_if_fail (g_task_is_valid (result, self), -1);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == sotto_store_queue_history_async,
                        -1);

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

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sotto_store_add_blob_async);

  used = sotto_store_blob_bytes (self, account_id, &error);
  if (used < 0)
    answer_error (self, task, g_steal_pointer (&error));
  else if (used + size > quota)
    answer_int (self, task, SOTTO_STORE_BLOB_OVER_QUOTA);
  else if (!sotto_store_add_blob (self, id, account_id, room_id, size, created, &error))
    answer_error (self, task, g_steal_pointer (&error));
  else
    answer_int (self, task, SOTTO_STORE_BLOB_ADDED);
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

  g_return_val_if_fail (g_task_is_valid (result, self), SOTTO_STORE_BLOB_FAILED);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == sotto_store_add_blob_async,
                        SOTTO_STORE_BLOB_FAILED);

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

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sotto_store_publish_prekeys_async);

  held = sotto_store_count_one_time_prekeys (self, device_id, &error);
  added = held < 0 ? -1 : count_new_prekeys (self, device_id, ids, prekeys->len, &error);
  if (added < 0)
    {
      answer_error (self, task, g_steal_pointer (&error));
      return;
    }

  if (held + added > max)
    {
      answer_int (self, task, SOTTO_STORE_PREKEYS_OVER_LIMIT);
      return;
    }

  if (bundle != NULL &&
      !sotto_store_set_prekey_bundle (self, device_id, bundle, published, &error))
    {
      answer_error (self, task, g_steal_pointer (&error));
      return;
    }

  for (guint i = 0; i < prekeys->len; i++)
    if (!sotto_store_add_one_time_prekey (self, device_id, ids[i],
                                          g_ptr_array_index (prekeys, i), &error))
      {
        answer_error (self, task, g_steal_pointer (&error));
        return;
      }

  answer_int (self, task, held + added);
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
  g_return_val_if_fail (g_task_is_valid (result, self), -1);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        sotto_store_publish_prekeys_async, -1);

  return g_task_propagate_int (G_TASK (result), error);
}
