/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "sotto-client-private.h"

/*
 * History handed from one device of the account to another, e.g. to the
 * computer just linked: what this device has read, room by room in the
 * server's order, in chunks sealed for the other device alone
 * (sotto-history.c), through the server's queue for it (`send_history`).
 * The device that gets them opens only chunks from a device on the
 * account's list, fills in what it holds unread and adds what it does not
 * hold; what it read itself stays as it is.
 */

/* Rows read from the store at a time while filling chunks. */
#define PAGE_ROWS 512

/* Chunks on their way at once: enough to keep the server busy while the
 * next ones are sealed. */
#define IN_FLIGHT 4

typedef struct
{
  guint8                recipient[32];
  SottoPublicIdentity   to;
  char                 *name;
  GStrv                 rooms;
  GArray               *up_to;
  guint                 room_index;
  gint64                after_seq;
  GPtrArray            *page;
  guint                 page_index;
  guint32               next_index;
  guint32               total;
  guint32               packed;
  guint32               sent;
  guint                 in_flight;
  gboolean              packed_all;
  gboolean              failed;
} Transfer;

static void
transfer_free (Transfer *transfer)
{
  g_free (transfer->name);
  g_strfreev (transfer->rooms);
  g_clear_pointer (&transfer->up_to, g_array_unref);
  g_clear_pointer (&transfer->page, g_ptr_array_unref);
  g_free (transfer);
}

/* The next row to hand over, reading the next page or room when one is
 * done; %NULL once every room is. */
static SottoStoredMessage *
peek_row (SottoClient  *self,
          Transfer     *transfer,
          GError      **error)
{
  while (transfer->page == NULL || transfer->page_index >= transfer->page->len)
    {
      const char *room;

      if (transfer->rooms[transfer->room_index] == NULL)
        return NULL;

      room = transfer->rooms[transfer->room_index];
      g_clear_pointer (&transfer->page, g_ptr_array_unref);
      transfer->page_index = 0;
      transfer->page = sotto_client_store_list_readable (self->store, room, transfer->after_seq,
                                                         g_array_index (transfer->up_to, gint64,
                                                                        transfer->room_index),
                                                         PAGE_ROWS, error);
      if (transfer->page == NULL)
        return NULL;
      if (transfer->page->len == 0)
        {
          transfer->room_index++;
          transfer->after_seq = 0;
        }
    }

  return g_ptr_array_index (transfer->page, transfer->page_index);
}

/* The row as a chunk carries it: a text, a file message's content under
 * the file's name, or a reply's, edit's, deletion's or reaction's
 * content; %NULL for a row that reads as none of them. */
static SottoHistoryEntry *
entry_from_row (const SottoStoredMessage *row)
{
  SottoHistoryEntry *entry;
  SottoMessageBodyType type = SOTTO_MESSAGE_BODY_TEXT;
  g_autoptr(GBytes) content = NULL;
  g_autofree char *text = _sotto_client_read_stored (row->body, &type, &content, NULL, NULL);

  if (text == NULL)
    return NULL;

  entry = g_new0 (SottoHistoryEntry, 1);

  entry->room = g_strdup (row->room);
  entry->sender = g_strdup (row->sender);
  entry->msg_id = g_strdup (row->msg_id);
  entry->seq = row->seq;
  entry->ts = MAX (row->ts, 0);
  entry->counter = row->counter;
  entry->sent_at = MAX (row->sent_at, 0);
  entry->kind = type;
  if (type == SOTTO_MESSAGE_BODY_FILE)
    {
      /* A file's name is UTF-8 already, and must stay the file's. */
      entry->text = g_steal_pointer (&text);
      entry->file = g_steal_pointer (&content);
    }
  else if (sotto_message_body_type_is_action (type))
    {
      /* A reply's text is the one its content gives. */
      entry->text = g_steal_pointer (&text);
      entry->action = g_steal_pointer (&content);
    }
  else
    entry->text = g_utf8_make_valid (text, -1);
  return entry;
}

/* Seals the next chunk, or returns %NULL with no error once everything
 * is packed. A message no chunk carries (a name or id a chunk refuses) is
 * left out and not counted. */
static GBytes *
pack_chunk (SottoClient  *self,
            Transfer     *transfer,
            GError      **error)
{
  g_autoptr(GPtrArray) entries =
    g_ptr_array_new_with_free_func ((GDestroyNotify) sotto_history_entry_free);
  gsize capacity = sotto_history_chunk_capacity (self->user);
  gsize size = 0;
  g_autoptr(GError) read_error = NULL;
  SottoStoredMessage *row;
  GBytes *chunk;

  while ((row = peek_row (self, transfer, &read_error)) != NULL)
    {
      g_autoptr(SottoHistoryEntry) entry = entry_from_row (row);
      gsize entry_size;

      if (entry == NULL || !sotto_history_entry_is_valid (entry))
        {
          transfer->page_index++;
          transfer->after_seq = row->seq;
          if (transfer->total > 0)
            transfer->total--;
          continue;
        }

      entry_size = sotto_history_entry_size (entry);
      if (size + entry_size > capacity || entries->len == G_MAXUINT16)
        break;

      size += entry_size;
      transfer->page_index++;
      transfer->after_seq = row->seq;
      g_ptr_array_add (entries, g_steal_pointer (&entry));
    }

  if (read_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&read_error));
      return NULL;
    }
  if (row == NULL)
    transfer->packed_all = TRUE;
  if (entries->len == 0)
    return NULL;

  transfer->packed += entries->len;
  /* The last chunk says how many there were, whatever was left out. */
  if (transfer->packed_all)
    transfer->total = transfer->packed;

  chunk = sotto_history_chunk_seal (self->identity, &transfer->to, self->user,
                                    transfer->next_index++, transfer->total,
                                    (const SottoHistoryEntry **) entries->pdata, entries->len,
                                    error);
  return chunk;
}

typedef struct
{
  GTask  *task;
  GBytes *chunk;
  guint   n_messages;
} Sending;

static void send_more (GTask *task);

static void
chunk_sent_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  Sending *sending = user_data;
  g_autoptr(GTask) task = sending->task;
  SottoClient *self = g_task_get_source_object (task);
  Transfer *transfer = g_task_get_task_data (task);
  g_autoptr(SottoMsg) reply = NULL;
  GError *error = NULL;
  guint n_messages = sending->n_messages;

  g_bytes_unref (sending->chunk);
  g_free (sending);
  transfer->in_flight--;

  reply = sotto_connection_request_finish (SOTTO_CONNECTION (object), result, &error);
  if (transfer->failed)
    {
      g_clear_error (&error);
      return;
    }
  if (reply == NULL)
    {
      transfer->failed = TRUE;
      if (g_error_matches (error, SOTTO_CLIENT_ERROR,
                           sotto_client_error_from_server (SOTTO_MSG_ERROR_CODE_TOO_LARGE)))
        {
          g_clear_error (&error);
          error = g_error_new_literal (SOTTO_CLIENT_ERROR,
                                       sotto_client_error_from_server (SOTTO_MSG_ERROR_CODE_TOO_LARGE),
                                       _("The other device has too much history waiting: "
                                         "send it again once it has been online"));
        }
      g_task_return_error (task, error);
      return;
    }

  transfer->sent += n_messages;
  _sotto_client_emit_history_progress (self, transfer->name, TRUE, transfer->sent,
                                       transfer->total);
  send_more (g_steal_pointer (&task));
}

/* Keeps up to IN_FLIGHT chunks on their way; the task ends when the last
 * is stored. */
static void
send_more (GTask *task)
{
  SottoClient *self = g_task_get_source_object (task);
  Transfer *transfer = g_task_get_task_data (task);

  if (g_task_return_error_if_cancelled (task))
    {
      transfer->failed = TRUE;
      g_object_unref (task);
      return;
    }
  if (self->store == NULL || self->state != SOTTO_CLIENT_ONLINE)
    {
      transfer->failed = TRUE;
      g_task_return_new_error (task, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_DISCONNECTED,
                               _("The connection was lost before all the history was sent"));
      g_object_unref (task);
      return;
    }

  while (!transfer->packed_all && transfer->in_flight < IN_FLIGHT)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) chunk = NULL;
      g_autoptr(GBytes) device = NULL;
      g_autoptr(GBytes) request = NULL;
      g_autofree char *id = NULL;
      guint32 before = transfer->packed;
      Sending *sending;

      chunk = pack_chunk (self, transfer, &error);
      if (error != NULL)
        {
          transfer->failed = TRUE;
          g_task_return_error (task, g_steal_pointer (&error));
          g_object_unref (task);
          return;
        }
      if (chunk == NULL)
        break;

      id = sotto_connection_next_id (self->connection);
      device = g_bytes_new (transfer->recipient, sizeof transfer->recipient);
      request = sotto_msg_build_send_history (id, device, chunk);
      sending = g_new0 (Sending, 1);
      sending->task = g_object_ref (task);
      sending->chunk = g_bytes_ref (chunk);
      sending->n_messages = transfer->packed - before;
      transfer->in_flight++;
      sotto_connection_request_async (self->connection, id, request,
                                      g_task_get_cancellable (task), chunk_sent_cb, sending);
    }

  if (transfer->packed_all && transfer->in_flight == 0)
    {
      _sotto_client_emit_history_progress (self, transfer->name, TRUE, transfer->sent,
                                           transfer->sent);
      g_task_return_int (task, transfer->sent);
    }
  g_object_unref (task);
}

/**
 * sotto_client_send_history_async:
 * @sign_pk: (array fixed-size=32): the signing key of the device to send
 *   it to, another on the account's list (e.g. the one just approved)
 *
 * Sends another device of the account the history this one has read, so
 * that it reads what was said before it was linked. The server carries
 * it sealed for that device and keeps it until that device has it.
 * #SottoClient::history-progress tells how far it went.
 */
void
sotto_client_send_history_async (SottoClient         *self,
                                 const guint8        *sign_pk,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(SottoDeviceList) list = NULL;
  g_autoptr(GPtrArray) names = NULL;
  GListModel *rooms;
  const SottoDevice *device;
  Transfer *transfer;

  g_return_if_fail (SOTTO_IS_CLIENT (self));
  g_return_if_fail (sign_pk != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sotto_client_send_history_async);

  list = sotto_client_dup_device_list (self);
  if (list == NULL || self->state != SOTTO_CLIENT_ONLINE)
    {
      g_task_return_new_error (task, SOTTO_CLIENT_ERROR,
                               sotto_client_error_from_server (SOTTO_MSG_ERROR_CODE_NOT_LOGGED_IN),
                               _("Log in first"));
      return;
    }
  device = _sotto_client_find_device (list, sign_pk);
  if (device == NULL ||
      memcmp (sign_pk, sotto_identity_get_public (self->identity)->sign_pk, 32) == 0)
    {
      g_task_return_new_error (task, SOTTO_CLIENT_ERROR,
                               sotto_client_error_from_server (SOTTO_MSG_ERROR_CODE_NO_SUCH_DEVICE),
                               _("The account has no such other device"));
      return;
    }

  transfer = g_new0 (Transfer, 1);
  memcpy (transfer->recipient, sign_pk, sizeof transfer->recipient);
  transfer->to = device->identity;
  transfer->name = g_strdup (device->name);
  transfer->up_to = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_task_set_task_data (task, transfer, (GDestroyNotify) transfer_free);

  /* What each room holds now: what arrives while it is sent, the other
   * device gets as everyone else does. */
  names = g_ptr_array_new ();
  rooms = sotto_client_get_rooms (self);
  for (guint i = 0; i < g_list_model_get_n_items (rooms); i++)
    {
      g_autoptr(SottoRoom) room = g_list_model_get_item (rooms, i);
      g_autoptr(GError) error = NULL;
      const char *name = sotto_room_get_name (room);
      gint64 up_to = sotto_client_store_get_last_seq (self->store, name, NULL);
      gint64 count = sotto_client_store_count_readable (self->store, name, up_to, &error);

      if (count < 0)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      if (count == 0)
        continue;
      g_ptr_array_add (names, g_strdup (name));
      g_array_append_val (transfer->up_to, up_to);
      transfer->total = (guint32) MIN ((gint64) G_MAXUINT32, (gint64) transfer->total + count);
    }
  g_ptr_array_add (names, NULL);
  transfer->rooms = (GStrv) g_ptr_array_free (g_steal_pointer (&names), FALSE);

  send_more (g_steal_pointer (&task));
}

/**
 * sotto_client_send_history_finish:
 *
 * Returns: how many messages were sent, or -1 with @error set
 */
gint64
sotto_client_send_history_finish (SottoClient   *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), -1);

  return g_task_propagate_int (G_TASK (result), error);
}

/* Receiving */

typedef struct
{
  guint32 done;
  guint32 total;
} Received;

/* What the store keeps of an entry: its text, its file message, or what
 * it says of another message. */
static GBytes *
stored_body (const SottoHistoryEntry *entry)
{
  SottoMessageBody body = { 0 };

  if (entry->action != NULL)
    {
      body.type = entry->kind;
      body.content = entry->action;
      return _sotto_client_stored_content (&body);
    }
  if (entry->file == NULL)
    return g_bytes_new (entry->text, strlen (entry->text));
  body.type = SOTTO_MESSAGE_BODY_FILE;
  body.content = entry->file;
  return _sotto_client_stored_content (&body);
}

/* The file an entry names, or what it says of another message, decoded
 * (chunks carry only what decodes), on @message. */
static void
set_file (SottoMessage            *message,
          const SottoHistoryEntry *entry)
{
  g_auto(SottoFileMessage) file = { { 0 } };
  g_auto(SottoMessageAction) action = { 0 };

  if (entry->file != NULL && sotto_file_message_decode (entry->file, &file, NULL))
    sotto_message_set_file (message, &file);
  if (entry->action != NULL &&
      sotto_message_action_decode (entry->kind, entry->action, &action, NULL))
    sotto_message_set_action (message, &action);
}

static gint64
oldest_shown_seq (SottoRoom *room)
{
  GListModel *messages = sotto_room_get_messages (room);

  for (guint i = 0; i < g_list_model_get_n_items (messages); i++)
    {
      g_autoptr(SottoMessage) message = g_list_model_get_item (messages, i);

      if (sotto_message_get_seq (message) > 0)
        return sotto_message_get_seq (message);
    }
  return 0;
}

/* Shows in @room what was filled into its history: a message it shows
 * unread is read now; a newer one it lacks is put in its place; an older
 * one is there when the view scrolls up. */
static void
show_filled (SottoClient             *self,
             SottoRoom               *room,
             const SottoHistoryEntry *entry,
             SottoMessageState        state,
             gint64                  *oldest)
{
  SottoMessage *known = sotto_room_lookup_message (room, entry->sender, entry->msg_id);

  if (known != NULL)
    {
      SottoMessageState was = sotto_message_get_state (known);

      /* A row that turns out an edit, a deletion or a reaction goes to
       * the message it names. */
      if ((was == SOTTO_MESSAGE_WAITING_FOR_KEY || was == SOTTO_MESSAGE_UNVERIFIABLE) &&
          entry->action != NULL && entry->kind != SOTTO_MESSAGE_BODY_REPLY)
        {
          g_autoptr(SottoMessage) opened =
            sotto_message_new (entry->room, entry->sender, entry->msg_id, entry->seq, entry->ts,
                               state, entry->text);

          set_file (opened, entry);
          sotto_message_set_order (opened, entry->counter, entry->sent_at, 0);
          sotto_room_add_message (room, opened);
        }
      else if (was == SOTTO_MESSAGE_WAITING_FOR_KEY || was == SOTTO_MESSAGE_UNVERIFIABLE)
        {
          set_file (known, entry);
          sotto_room_update_message (room, known, state, entry->seq, entry->ts, entry->text);
          sotto_message_set_order (known, entry->counter, entry->sent_at, 0);
          sotto_room_note_counter (room, known);
        }
      return;
    }

  if (*oldest == 0)
    *oldest = oldest_shown_seq (room);
  if (*oldest > 0 && entry->seq > *oldest)
    {
      g_autoptr(SottoMessage) message =
        sotto_message_new (entry->room, entry->sender, entry->msg_id, entry->seq, entry->ts,
                           state, entry->text);

      set_file (message, entry);
      sotto_message_set_order (message, entry->counter, entry->sent_at, 0);
      sotto_room_add_message (room, message);
    }
  else if (*oldest > 0)
    {
      sotto_room_set_history_complete (room, FALSE);
    }
}

static GBytes *
build_ack (const char *id,
           gpointer    data)
{
  return sotto_msg_build_ack_history (id, data, 1);
}

/* Takes what one chunk holds, together or not at all. */
static guint
take_entries (SottoClient *self,
              GPtrArray   *entries)
{
  g_autoptr(GHashTable) empty_rooms = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) oldest = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_autoptr(GError) error = NULL;
  GHashTableIter iter;
  gpointer key;
  guint taken = 0;

  if (!sotto_client_store_begin (self->store, &error))
    {
      g_warning ("Could not keep history from another device: %s", error->message);
      return 0;
    }

  for (guint i = 0; i < entries->len; i++)
    {
      const SottoHistoryEntry *entry = g_ptr_array_index (entries, i);
      gboolean ours = g_strcmp0 (entry->sender, self->user) == 0;
      g_autoptr(GBytes) text = stored_body (entry);
      SottoStoredFill fill = SOTTO_STORED_FILL_KEPT;
      SottoRoom *room;
      gint64 *room_oldest;

      if (entry->seq <= 0 ||
          !sotto_client_store_fill_message (self->store, entry->room, entry->sender,
                                            entry->msg_id, entry->seq, entry->ts,
                                            ours ? SOTTO_STORED_MESSAGE_SENT
                                                 : SOTTO_STORED_MESSAGE_RECEIVED,
                                            text, entry->counter, entry->sent_at, &fill,
                                            &error))
        {
          if (error != NULL)
            {
              g_warning ("Could not keep history from another device: %s", error->message);
              g_clear_error (&error);
            }
          continue;
        }
      taken++;
      if (fill == SOTTO_STORED_FILL_KEPT)
        continue;

      room = sotto_client_lookup_room (self, entry->room);
      if (room == NULL)
        continue;
      if (g_list_model_get_n_items (sotto_room_get_messages (room)) == 0)
        {
          g_hash_table_add (empty_rooms, (gpointer) sotto_room_get_name (room));
          continue;
        }
      room_oldest = g_hash_table_lookup (oldest, entry->room);
      if (room_oldest == NULL)
        {
          room_oldest = g_new0 (gint64, 1);
          g_hash_table_insert (oldest, entry->room, room_oldest);
        }
      show_filled (self, room, entry, ours ? SOTTO_MESSAGE_SENT : SOTTO_MESSAGE_RECEIVED,
                   room_oldest);
    }

  if (!sotto_client_store_commit (self->store, &error))
    g_warning ("Could not keep history from another device: %s", error->message);

  /* A room that showed nothing shows the latest of what it holds now. */
  g_hash_table_iter_init (&iter, empty_rooms);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      SottoRoom *room = sotto_client_lookup_room (self, key);

      if (room != NULL && g_list_model_get_n_items (sotto_room_get_messages (room)) == 0)
        _sotto_client_load_history (self, room);
    }

  return taken;
}

/* A chunk of history from another device of the account: opened only
 * when that device is on our list and sealed it for this one. Whatever
 * becomes of it, it is acknowledged, so that the server drops it: one
 * that does not open never will. */
void
_sotto_client_handle_history (SottoClient *self,
                              SottoMsg    *msg)
{
  g_autoptr(GBytes) device = sotto_msg_dup_bytes (msg, "device");
  g_autoptr(GBytes) chunk = sotto_msg_dup_bytes (msg, "chunk");
  g_autoptr(SottoDeviceList) list = sotto_client_dup_device_list (self);
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *key = NULL;
  gint64 hid = sotto_msg_get_int (msg, "hid");
  const SottoDevice *sender = NULL;
  guint32 total = 0;
  Received *received;

  if (list != NULL && device != NULL && g_bytes_get_size (device) == 32)
    sender = _sotto_client_find_device (list, g_bytes_get_data (device, NULL));
  if (sender == NULL ||
      memcmp (sender->identity.sign_pk, sotto_identity_get_public (self->identity)->sign_pk,
              32) == 0)
    {
      g_info ("History came from a device that is not another of the account’s: dropped");
    }
  else if (chunk == NULL ||
           (entries = sotto_history_chunk_open (chunk, self->identity, &sender->identity,
                                                self->user, NULL, &total, &error)) == NULL)
    {
      g_info ("History from %s does not open: %s", sender->name,
                 error != NULL ? error->message : "no chunk");
    }
  else
    {
      guint taken = take_entries (self, entries);

      key = g_base64_encode (sender->identity.sign_pk, 32);
      received = g_hash_table_lookup (self->history_received, key);
      if (received == NULL)
        {
          received = g_new0 (Received, 1);
          g_hash_table_insert (self->history_received, g_strdup (key), received);
        }
      received->done += taken;
      received->total = MAX (total, received->done);
      _sotto_client_emit_history_progress (self, sender->name, FALSE, received->done,
                                           received->total);
      if (received->done >= received->total)
        g_hash_table_remove (self->history_received, key);
    }

  _sotto_client_send_logged (self, build_ack, &hid, "acknowledge history");
}
