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
 * The SQLite backend answers from its connection at once, and GTask hands
 * the answer over in the next main-loop iteration; so the handlers meet,
 * on the embedded store already, what a backend that answers later
 * (PostgreSQL, over the network) brings: a client gone, a room changed
 * before the answer comes.
 */

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
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, found);
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
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
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
  gint64 *last = g_new0 (gint64, 1);
  GPtrArray *events;

  g_return_if_fail (SOTTO_IS_STORE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sotto_store_read_log_async);
  g_task_set_task_data (task, last, g_free);

  events = sotto_store_read_log (self, room_id, after_seq, up_to_seq, limit, last, &error);
  if (events != NULL)
    g_task_return_pointer (task, events, (GDestroyNotify) g_ptr_array_unref);
  else
    g_task_return_error (task, g_steal_pointer (&error));
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
    g_task_return_pointer (task, rows, (GDestroyNotify) g_ptr_array_unref);
  else
    g_task_return_error (task, g_steal_pointer (&error));
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
    g_task_return_pointer (task, events, (GDestroyNotify) g_ptr_array_unref);
  else
    g_task_return_error (task, g_steal_pointer (&error));
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
