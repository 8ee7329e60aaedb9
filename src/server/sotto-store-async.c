/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sotto-store-private.h"

/*
 * The store's reads as the server's request handlers make them: each an
 * _async/_finish pair whose callback runs on the main loop, never inside
 * the call (the calls that read and then write are in
 * sotto-store-async-writes.c). A handler that waits on one holds its client's further
 * requests (sotto_session_hold_requests()), so answers keep their order.
 *
 * The SQLite backend answers from its connection at once, and the answer
 * is handed over once the open batch is committed (below): so the
 * handlers meet, on the embedded store already, what a backend that
 * answers later (PostgreSQL, over the network) brings: a client gone, a
 * room changed before the answer comes. A task that completes has seen
 * only what is durable, and what it wrote is durable.
 */

GTask *
_sotto_store_task_new (SottoStore          *self,
                gpointer             source_tag,
                GCancellable        *cancellable,
                GAsyncReadyCallback  callback,
                gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  return task;
}

gboolean
_sotto_store_result_is_valid (SottoStore   *self,
                       GAsyncResult *result,
                       gpointer      source_tag)
{
  return g_task_is_valid (result, self) && g_task_get_source_tag (G_TASK (result)) == source_tag;
}

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

void
_sotto_store_answer_boolean (SottoStore *self,
                GTask      *task,
                gboolean    value)
{
  Answer *answer = g_new0 (Answer, 1);

  answer->kind = ANSWER_BOOLEAN;
  answer->number = value;
  answer_when_committed (self, task, answer);
}

void
_sotto_store_answer_int (SottoStore *self,
            GTask      *task,
            gssize      value)
{
  Answer *answer = g_new0 (Answer, 1);

  answer->kind = ANSWER_INT;
  answer->number = value;
  answer_when_committed (self, task, answer);
}

void
_sotto_store_answer_pointer (SottoStore     *self,
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

void
_sotto_store_answer_error (SottoStore *self,
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

  task = _sotto_store_task_new (self, sotto_store_find_account_async, cancellable, callback, user_data);
  find = g_new0 (FindAccountData, 1);
  g_task_set_task_data (task, find, find_account_data_free);

  found = sotto_store_find_account (self, username, &find->account, &error);
  if (error != NULL)
    _sotto_store_answer_error (self, task, g_steal_pointer (&error));
  else
    _sotto_store_answer_boolean (self, task, found);
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

  g_return_val_if_fail (_sotto_store_result_is_valid (self, result, sotto_store_find_account_async), FALSE);

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

  task = _sotto_store_task_new (self, sotto_store_get_device_list_async, cancellable, callback, user_data);
  read = g_new0 (DeviceListData, 1);
  g_task_set_task_data (task, read, device_list_data_free);

  if (sotto_store_get_device_list (self, account_id, &read->account_key, &read->counter,
                                   &read->list, &error))
    _sotto_store_answer_boolean (self, task, TRUE);
  else
    _sotto_store_answer_error (self, task, g_steal_pointer (&error));
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

  g_return_val_if_fail (_sotto_store_result_is_valid (self, result, sotto_store_get_device_list_async), FALSE);

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

  task = _sotto_store_task_new (self, sotto_store_read_log_async, cancellable, callback, user_data);
  last = g_new0 (gint64, 1);
  g_task_set_task_data (task, last, g_free);

  events = sotto_store_read_log (self, room_id, after_seq, up_to_seq, limit, last, &error);
  if (events != NULL)
    _sotto_store_answer_pointer (self, task, events, (GDestroyNotify) g_ptr_array_unref);
  else
    _sotto_store_answer_error (self, task, g_steal_pointer (&error));
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

  g_return_val_if_fail (_sotto_store_result_is_valid (self, result, sotto_store_read_log_async), NULL);

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

  task = _sotto_store_task_new (self, source_tag, cancellable, callback, user_data);

  rows = read (self, device_id, limit, &error);
  if (rows != NULL)
    _sotto_store_answer_pointer (self, task, rows, (GDestroyNotify) g_ptr_array_unref);
  else
    _sotto_store_answer_error (self, task, g_steal_pointer (&error));
}

static GPtrArray *
read_queue_finish (SottoStore    *self,
                   gpointer       source_tag,
                   GAsyncResult  *result,
                   GError       **error)
{
  g_return_val_if_fail (_sotto_store_result_is_valid (self, result, source_tag), NULL);

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

  task = _sotto_store_task_new (self, sotto_store_read_state_async, cancellable, callback, user_data);

  events = sotto_store_read_state (self, room_id, from, up_to, limit, &error);
  if (events != NULL)
    _sotto_store_answer_pointer (self, task, events, (GDestroyNotify) g_ptr_array_unref);
  else
    _sotto_store_answer_error (self, task, g_steal_pointer (&error));
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
  g_return_val_if_fail (_sotto_store_result_is_valid (self, result, sotto_store_read_state_async), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
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

  task = _sotto_store_task_new (self, sotto_store_find_blob_async, cancellable, callback, user_data);
  blob = g_new0 (SottoStoreBlob, 1);
  g_task_set_task_data (task, blob, blob_data_free);

  found = sotto_store_find_blob (self, id, blob, &error);
  if (error != NULL)
    _sotto_store_answer_error (self, task, g_steal_pointer (&error));
  else
    _sotto_store_answer_boolean (self, task, found);
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

  g_return_val_if_fail (_sotto_store_result_is_valid (self, result, sotto_store_find_blob_async), FALSE);
  g_return_val_if_fail (out_blob != NULL, FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;

  blob = g_task_get_task_data (G_TASK (result));
  *out_blob = *blob;
  memset (blob, 0, sizeof *blob);

  return TRUE;
}
