/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-client-private.h"

/*
 * What came before: the local history a room shows at login and page by
 * page as the user scrolls up, how far each room was read, and the
 * catch-up that asks the server for what was said while we were away.
 */

#define CATCHUP_PAGE 500

/* The last seq of @room that this client holds, kept in the store. */
void
_sotto_client_remember_seq (SottoClient *self,
                            const char  *room,
                            gint64       seq)
{
  g_autoptr(GError) error = NULL;

  if (!sotto_client_store_set_last_seq (self->store, room, seq, &error))
    g_warning ("Could not remember how far %s was read: %s", room, error->message);
}

static void catch_up_page (GTask  *task,
                           gint64  after);

static void
catchup_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SottoClient *self = g_task_get_source_object (task);
  g_autoptr(SottoMsg) done = NULL;
  GError *error = NULL;

  done = sotto_connection_request_finish (SOTTO_CONNECTION (object), result, &error);
  if (done == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (self->store == NULL)
    {
      g_task_return_new_error (task, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_DISCONNECTED,
                               _("Logged out"));
      return;
    }

  if (sotto_msg_get_bool (done, "more"))
    catch_up_page (g_steal_pointer (&task), sotto_msg_get_int (done, "last_seq"));
  else
    g_task_return_boolean (task, TRUE);
}

/* Asks for what was said in the task's room after @after; the events come
 * through the event handler like live ones, before the answer that ends
 * the page, then the next page is asked for. */
static void
catch_up_page (GTask  *task,
               gint64  after)
{
  SottoClient *self = g_task_get_source_object (task);
  const char *room = g_task_get_task_data (task);
  g_autofree char *id = sotto_connection_next_id (self->connection);
  g_autoptr(GBytes) request = sotto_msg_build_catchup (id, room, after, CATCHUP_PAGE);

  sotto_connection_request_async (self->connection, id, request, self->cancellable,
                                  catchup_done_cb, task);
}

/* Keeps where @room stood when the session began, for its catch-up. */
void
_sotto_client_mark_session_start (SottoClient *self,
                                  const char  *room)
{
  gint64 last = sotto_client_store_get_last_seq (self->store, room, NULL);

  g_hash_table_insert (self->catchup_from, g_strdup (room), g_memdup2 (&last, sizeof last));
}

/* Asks for what @room missed, once its members are known, and finishes
 * when every page of it has been handled. It starts from where the
 * session began: messages re-sent by others from their outboxes, or
 * acknowledgements of our own, may already have moved the stored mark
 * past what this client never received. */
void
_sotto_client_catch_up_missed_async (SottoClient         *self,
                                     SottoRoom           *room,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GError) seq_error = NULL;
  gpointer key, from;
  gint64 after;
  GTask *task;

  task = g_task_new (self, self->cancellable, callback, user_data);
  g_task_set_source_tag (task, _sotto_client_catch_up_missed_async);
  g_task_set_task_data (task, g_strdup (sotto_room_get_name (room)), g_free);

  if (g_hash_table_steal_extended (self->catchup_from, sotto_room_get_name (room), &key, &from))
    {
      after = *(gint64 *) from;
      g_free (key);
      g_free (from);
    }
  else
    after = sotto_client_store_get_last_seq (self->store, sotto_room_get_name (room),
                                             &seq_error);
  catch_up_page (task, MAX (0, after));
}

gboolean
_sotto_client_catch_up_missed_finish (SottoClient   *self,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* What a room shows at login: a screenful or two. A view asks for older
 * pages as the user scrolls up; a long first page only costs a UI rows
 * nobody looks at. */
#define HISTORY_PAGE 50

static SottoMessage *
message_from_stored (SottoClient              *self,
                     const SottoStoredMessage *row)
{
  gboolean readable = row->state != SOTTO_STORED_MESSAGE_WAITING_FOR_KEY &&
                      row->state != SOTTO_STORED_MESSAGE_UNVERIFIABLE;
  g_autoptr(SottoFileMessage) file = NULL;
  g_autoptr(SottoMessageAction) action = NULL;
  g_autofree char *text = NULL;
  SottoMessage *message;

  /* Room events keep their text as it is. */
  if (readable && row->body != NULL)
    text = row->state == SOTTO_STORED_MESSAGE_SYSTEM
             ? g_strndup (g_bytes_get_data (row->body, NULL), g_bytes_get_size (row->body))
             : _sotto_client_read_stored (row->body, NULL, NULL, &file, &action);

  message = sotto_message_new (row->room, row->sender, row->msg_id, row->seq, row->ts,
                               (SottoMessageState) row->state, text);
  if (file != NULL)
    sotto_message_set_file (message, file);
  if (action != NULL)
    sotto_message_set_action (message, action);
  _sotto_client_set_device (self, message, row->has_signer ? row->signer : NULL);

  sotto_message_set_order (message, row->counter, row->sent_at, row->marks);
  sotto_message_set_missing_before (message, row->missing_before);

  return message;
}

static guint
count_numbered (GPtrArray *stored)
{
  guint numbered = 0;

  for (guint i = 0; i < stored->len; i++)
    if (((SottoStoredMessage *) g_ptr_array_index (stored, i))->seq > 0)
      numbered++;
  return numbered;
}

/* Shows what the store holds of the latest page of a room's history. */
void
_sotto_client_load_history (SottoClient *self,
                            SottoRoom   *room)
{
  g_autoptr(GPtrArray) stored = NULL;
  g_autoptr(GError) error = NULL;

  stored = sotto_client_store_load_history (self->store, sotto_room_get_name (room), 0,
                                            HISTORY_PAGE, &error);
  if (stored == NULL)
    {
      g_warning ("Could not read the history of %s: %s", sotto_room_get_name (room),
                 error->message);
      return;
    }

  if (g_list_model_get_n_items (sotto_room_get_messages (room)) == 0 &&
      count_numbered (stored) < HISTORY_PAGE)
    sotto_room_set_history_complete (room, TRUE);

  for (guint i = 0; i < stored->len; i++)
    {
      SottoStoredMessage *row = g_ptr_array_index (stored, i);
      g_autoptr(SottoMessage) message = message_from_stored (self, row);

      if (sotto_room_lookup_message (room, row->sender, row->msg_id) == NULL)
        sotto_room_add_message (room, message);
    }
}

/**
 * sotto_client_load_older:
 * @limit: the most messages to load
 *
 * Puts up to @limit messages from the local history before the oldest the
 * room shows, for a view scrolled to the top. Reading a page is quick
 * (one indexed query), so it runs on the calling thread.
 *
 * Returns: how many messages were added; 0 with @error unset once the
 *   whole history is shown (#SottoRoom:history-complete)
 */
guint
sotto_client_load_older (SottoClient  *self,
                         SottoRoom    *room,
                         guint         limit,
                         GError      **error)
{
  GListModel *messages;
  gint64 before_seq = 0;
  guint n;
  g_autoptr(GPtrArray) stored = NULL;
  g_autoptr(GPtrArray) page = NULL;

  g_return_val_if_fail (SOTTO_IS_CLIENT (self), 0);
  g_return_val_if_fail (SOTTO_IS_ROOM (room), 0);
  g_return_val_if_fail (limit > 0, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  if (sotto_room_get_history_complete (room))
    return 0;
  if (self->store == NULL)
    {
      g_set_error_literal (error, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_FAILED,
                           _("Not logged in"));
      return 0;
    }

  messages = sotto_room_get_messages (room);
  n = g_list_model_get_n_items (messages);
  for (guint i = 0; i < n && before_seq == 0; i++)
    {
      g_autoptr(SottoMessage) message = g_list_model_get_item (messages, i);

      before_seq = sotto_message_get_seq (message);
    }
  if (before_seq == 1 || (n > 0 && before_seq == 0))
    {
      sotto_room_set_history_complete (room, TRUE);
      return 0;
    }

  stored = sotto_client_store_load_history (self->store, sotto_room_get_name (room),
                                            before_seq, limit, error);
  if (stored == NULL)
    return 0;

  page = g_ptr_array_new_full (stored->len, g_object_unref);
  for (guint i = 0; i < stored->len; i++)
    g_ptr_array_add (page, message_from_stored (self, g_ptr_array_index (stored, i)));
  sotto_room_prepend_messages (room, (SottoMessage **) page->pdata, page->len);

  if (stored->len < limit)
    sotto_room_set_history_complete (room, TRUE);

  return page->len;
}
