/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <sodium.h>
#include <string.h>

#include "sotto-client-private.h"

/*
 * Messages: what the user says is stored, sealed with our sender key and
 * sent, or kept in the outbox while the connection is down; what others
 * say is opened with theirs, or kept sealed until their key comes.
 */

static void
receive_message (SottoClient *self,
                 SottoMsg    *msg)
{
  const char *name = sotto_msg_get_string (msg, "room");
  const char *sender = sotto_msg_get_string (msg, "sender");
  const char *msg_id = sotto_msg_get_string (msg, "msg_id");
  gint64 seq = sotto_msg_get_int (msg, "seq");
  gint64 ts = sotto_msg_get_int (msg, "ts");
  SottoRoom *room = sotto_client_lookup_room (self, name);
  g_autoptr(GBytes) envelope = sotto_msg_dup_bytes (msg, "envelope");
  g_autoptr(SottoMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GBytes) stored_body = NULL;
  g_autoptr(SottoFileMessage) file = NULL;
  g_autoptr(SottoMessageAction) action = NULL;
  g_auto(SottoMessageBody) body = { 0 };
  SottoMessageMarks marks = SOTTO_MESSAGE_MARK_NONE;
  gboolean replayed = FALSE;
  SottoMessage *known;
  SottoMessageState state;
  guint8 signer[SOTTO_CLIENT_STORE_DEVICE_BYTES];

  if (room == NULL)
    return;

  _sotto_client_remember_seq (self, name, seq);
  sotto_room_set_typing (room, sender, FALSE);

  /* Ours, from another connection or a catch-up: we hold its text. One
   * of ours we do not hold came from another of our devices, and opens
   * with the key it handed us; one sealed here, whose row is gone, with
   * none (a sender cannot open its own envelopes). */
  known = sotto_room_lookup_message (room, sender, msg_id);
  if (known != NULL)
    {
      if (g_strcmp0 (sender, self->user) == 0)
        sotto_room_update_message (room, known, SOTTO_MESSAGE_SENT, seq, ts, NULL);
      return;
    }

  state = _sotto_client_open_envelope (self, room, sender, envelope, &body, signer, &replayed);
  if (state == SOTTO_MESSAGE_UNVERIFIABLE && g_strcmp0 (sender, self->user) == 0 && !replayed)
    return;
  if (replayed)
    {
      _sotto_client_refuse_replay (self, room, sender, seq, ts);
      return;
    }
  if (state == SOTTO_MESSAGE_WAITING_FOR_KEY)
    _sotto_client_ask_for_key (self, name, sender, envelope);
  if (state == SOTTO_MESSAGE_RECEIVED)
    {
      /* Seen before, under another number: not shown again. */
      if (!_sotto_client_check_order (self, room, sender, signer, &body, seq, ts, &marks))
        return;
      _sotto_client_check_view (self, room, sender, &body);
      text = _sotto_client_read_body (&body, &file, &action);
    }

  /* What cannot be read yet is kept as it came, encrypted at rest. */
  stored_body = text != NULL ? _sotto_client_stored_content (&body) : g_bytes_ref (envelope);
  if (!sotto_client_store_add_message (self->store, name, sender, msg_id, seq, ts,
                                       (SottoStoredMessageState) state, stored_body, NULL,
                                       &error) ||
      (text != NULL &&
       !sotto_client_store_set_message_order (self->store, name, sender, msg_id, body.counter,
                                              body.sent_at, marks, signer, &error)))
    g_warning ("Could not keep a message of %s: %s", name, error->message);

  message = sotto_message_new (name, sender, msg_id, seq, ts, state, text);
  if (file != NULL)
    sotto_message_set_file (message, file);
  if (action != NULL)
    sotto_message_set_action (message, action);
  if (text != NULL)
    {
      sotto_message_set_order (message, body.counter, body.sent_at, marks);
      _sotto_client_set_device (self, message, signer);
    }
  sotto_room_add_message (room, message);

  if (text != NULL)
    _sotto_client_settle_order (self, room, sender);
}

/* Takes a message event: how far the room was read, the message, and
 * what its sender's counter says, kept together or not at all, so that a
 * crash between them cannot leave the room read past a message it never
 * kept. */
void
_sotto_client_receive_message (SottoClient *self,
                               SottoMsg    *msg)
{
  g_autoptr(GError) error = NULL;
  gboolean together;

  if (self->store == NULL)
    return;

  together = sotto_client_store_begin (self->store, &error);
  if (!together)
    g_warning ("Could not keep a message whole: %s", error->message);
  receive_message (self, msg);
  if (together && !sotto_client_store_commit (self->store, &error))
    g_warning ("Could not keep a message: %s", error->message);
}

/* Sending */

typedef struct
{
  SottoClient  *client;
  SottoMessage *message;
} Sending;

/* How long to wait before sending again what an overloaded server refused. */
#define OUTBOX_RETRY_SECONDS 5

static gboolean
retry_outbox_cb (gpointer user_data)
{
  SottoClient *self = user_data;

  self->outbox_retry_id = 0;
  if (self->state == SOTTO_CLIENT_ONLINE)
    _sotto_client_flush_outbox (self, NULL);
  return G_SOURCE_REMOVE;
}

static void
sent_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Sending *sending = user_data;
  g_autoptr(SottoMsg) reply = NULL;
  g_autoptr(GError) error = NULL;
  SottoClient *self = sending->client;
  SottoMessage *message = sending->message;

  reply = sotto_connection_request_finish (SOTTO_CONNECTION (object), result, &error);
  if (self->in_flight != NULL)
    g_hash_table_remove (self->in_flight, message);
  if (reply != NULL && self->store != NULL)
    {
      gint64 seq = sotto_msg_get_int (reply, "seq");
      gint64 ts = sotto_msg_get_int (reply, "ts");
      g_autoptr(GError) store_error = NULL;

      SottoRoom *room = sotto_client_lookup_room (self, sotto_message_get_room (message));

      if (room != NULL)
        sotto_room_update_message (room, message, SOTTO_MESSAGE_SENT, seq, ts, NULL);
      else
        sotto_message_update (message, SOTTO_MESSAGE_SENT, seq, ts, NULL);
      if (!sotto_client_store_update_message (self->store, sotto_message_get_room (message),
                                              self->user, sotto_message_get_msg_id (message),
                                              SOTTO_STORED_MESSAGE_SENT, seq, NULL, &store_error))
        g_warning ("Could not record a sent message: %s", store_error->message);
      _sotto_client_remember_seq (self, sotto_message_get_room (message), seq);
    }
  /* Otherwise it stays "sending" in the outbox; a server that could not
   * store it (its disk full, say) is asked again a little later. */
  else if (g_error_matches (error, SOTTO_CLIENT_ERROR,
                            sotto_client_error_from_server (SOTTO_MSG_ERROR_CODE_OVERLOADED)) &&
           self->store != NULL && self->outbox_retry_id == 0)
    self->outbox_retry_id = g_timeout_add_seconds (OUTBOX_RETRY_SECONDS, retry_outbox_cb, self);

  g_object_unref (sending->client);
  g_object_unref (sending->message);
  g_free (sending);
}

/* Seals @message's text with the room's key and sends it. The same
 * msg_id every time: a resend of something the server already stored is
 * answered with the first one's number, and stored once. */
static gboolean
send_now (SottoClient   *self,
          SottoRoom     *room,
          SottoMessage  *message,
          GError       **error)
{
  const char *name = sotto_room_get_name (room);
  const char *text = sotto_message_get_text (message);
  const SottoFileMessage *file = sotto_message_get_file (message);
  const SottoMessageAction *action = sotto_message_get_action (message);
  SottoMessageBody body = { sotto_message_get_kind (message), sotto_message_get_counter (message),
                            sotto_message_get_sent_at (message), NULL };
  g_autoptr(SottoSenderKey) key = NULL;
  g_autoptr(GBytes) content = NULL;
  g_autoptr(GBytes) plain = NULL;
  g_autoptr(GBytes) envelope = NULL;
  g_autoptr(GBytes) request = NULL;
  g_autofree char *id = NULL;
  Sending *sending;

  /* Already on its way (the outbox of a room whose catch-up just ended
   * holds what was sent while it ran): the answer will tell. */
  if (g_hash_table_contains (self->in_flight, message))
    return TRUE;

  /* A message keeps its counter however often it is sealed again: a
   * resend is the same message, and members see it once. */
  if (body.counter == 0)
    {
      const SottoPublicIdentity *own = sotto_identity_get_public (self->identity);

      if (!sotto_client_store_take_counter (self->store, name, self->user, own->sign_pk,
                                            sotto_message_get_msg_id (message), &body.counter,
                                            error))
        return FALSE;
      body.sent_at = sotto_message_get_ts (message);
      sotto_message_set_order (message, body.counter, body.sent_at, SOTTO_MESSAGE_MARK_NONE);
      /* Others may name it now (a reply, a reaction). */
      sotto_room_note_counter (room, message);
    }

  key = _sotto_client_ensure_own_key (self, room, error);
  if (key == NULL)
    return FALSE;

  if (action != NULL)
    content = sotto_message_action_encode (action, error);
  else if (file != NULL)
    content = sotto_file_message_encode (file, error);
  else
    content = g_bytes_new (text, strlen (text));
  if (content == NULL)
    return FALSE;
  body.content = content;
  /* What we saw of the room's membership, for the readers to compare. */
  _sotto_client_state_seen (self, room, &body.state_length, body.state_head);
  plain = sotto_message_body_encode (&body, error);
  if (plain == NULL)
    return FALSE;
  envelope = sotto_envelope_seal (key, self->account_identity, name, self->user, plain, error);
  if (envelope == NULL ||
      !sotto_client_store_save_sender_key (self->store, name, self->user, key, error))
    return FALSE;

  id = sotto_connection_next_id (self->connection);
  request = sotto_msg_build_send (id, name, sotto_message_get_msg_id (message), envelope);
  sending = g_new0 (Sending, 1);
  sending->client = g_object_ref (self);
  sending->message = g_object_ref (message);
  g_hash_table_add (self->in_flight, message);
  sotto_connection_request_async (self->connection, id, request, self->cancellable, sent_cb,
                                  sending);

  return TRUE;
}

/* Sends what waited while the connection was down, oldest first: in
 * @room, or in every room that is caught up when @room is %NULL. A room
 * still catching up keeps its outbox until it is done. */
void
_sotto_client_flush_outbox (SottoClient *self,
                            const char  *room_name)
{
  g_autoptr(GPtrArray) outbox = NULL;
  g_autoptr(GError) error = NULL;

  /* A room's own rows only: each room is flushed as it catches up, and
   * reading every room's outbox again each time would open every body
   * once per room. */
  outbox = room_name != NULL
    ? sotto_client_store_list_messages (self->store, room_name, SOTTO_STORED_MESSAGE_SENDING,
                                        &error)
    : sotto_client_store_list_outbox (self->store, &error);
  if (outbox == NULL)
    {
      g_warning ("Could not read the outbox: %s", error->message);
      return;
    }

  for (guint i = 0; i < outbox->len; i++)
    {
      SottoStoredMessage *row = g_ptr_array_index (outbox, i);
      SottoRoom *room = sotto_client_lookup_room (self, row->room);
      SottoMessage *message;
      g_autoptr(GError) send_error = NULL;

      if (room == NULL || row->body == NULL ||
          g_hash_table_contains (self->rooms_catching_up, row->room) ||
          sotto_room_get_blocked_by (room) != NULL)
        continue;

      message = sotto_room_lookup_message (room, self->user, row->msg_id);
      if (message == NULL)
        {
          g_autoptr(SottoFileMessage) file = NULL;
          g_autoptr(SottoMessageAction) action = NULL;
          g_autofree char *text = _sotto_client_read_stored (row->body, NULL, NULL, &file,
                                                             &action);
          g_autoptr(SottoMessage) restored = NULL;

          if (text == NULL)
            {
              g_warning ("A message in the outbox of %s does not read", row->room);
              continue;
            }
          restored = sotto_message_new (row->room, self->user, row->msg_id, 0, row->ts,
                                        SOTTO_MESSAGE_SENDING, text);
          if (file != NULL)
            sotto_message_set_file (restored, file);
          if (action != NULL)
            sotto_message_set_action (restored, action);
          _sotto_client_set_device (self, restored, NULL);
          sotto_message_set_order (restored, row->counter, row->sent_at, row->marks);
          sotto_room_add_message (room, restored);
          message = restored;
        }

      if (!send_now (self, room, message, &send_error))
        g_warning ("Could not send a message from the outbox: %s", send_error->message);
    }
}

/**
 * sotto_client_send_typing:
 *
 * Tells the room's members the user is typing; call it on every key
 * press; notices go out only every few seconds.
 */
void
sotto_client_send_typing (SottoClient *self,
                          SottoRoom   *room)
{
  g_autoptr(GBytes) notice = NULL;

  g_return_if_fail (SOTTO_IS_CLIENT (self));
  g_return_if_fail (SOTTO_IS_ROOM (room));

  if (self->state != SOTTO_CLIENT_ONLINE || !sotto_room_should_send_typing (room))
    return;

  notice = sotto_msg_build_typing (sotto_room_get_name (room));
  sotto_connection_send (self->connection, notice);
}

/**
 * sotto_client_send_message:
 * @text: what the user typed
 *
 * Seals @text for the room's members and sends it. The message is in the
 * room's model at once as "sending", and becomes "sent" when the server
 * has stored it. While the connection is down it waits in the outbox, and
 * goes out when the client is back online.
 *
 * Returns: (transfer none): the message
 */
SottoMessage *
sotto_client_send_message (SottoClient  *self,
                           SottoRoom    *room,
                           const char   *text,
                           GError      **error)
{
  g_autoptr(GBytes) content = NULL;

  g_return_val_if_fail (SOTTO_IS_CLIENT (self), NULL);
  g_return_val_if_fail (SOTTO_IS_ROOM (room), NULL);
  g_return_val_if_fail (text != NULL, NULL);

  content = g_bytes_new (text, strlen (text));
  return _sotto_client_send_content (self, room, SOTTO_MESSAGE_BODY_TEXT, content, error);
}

/* Sends a message of @type with @content (text, or what a message says of
 * a file): into the room's model and the outbox at once, to the server
 * when it can go. */
SottoMessage *
_sotto_client_send_content (SottoClient           *self,
                            SottoRoom             *room,
                            SottoMessageBodyType   type,
                            GBytes                *content,
                            GError               **error)
{
  const char *name;
  g_autoptr(GBytes) plain = NULL;
  g_autoptr(SottoMessage) message = NULL;
  g_autoptr(SottoFileMessage) file = NULL;
  g_autoptr(SottoMessageAction) action = NULL;
  g_autofree char *text = NULL;
  SottoMessageBody body = { type, 1, 0, content };
  char msg_id[2 * 12 + 1];
  guint8 random[12];
  gint64 now = g_get_real_time () / 1000;

  if (self->store == NULL || self->user == NULL)
    {
      g_set_error (error, SOTTO_CLIENT_ERROR,
                   sotto_client_error_from_server (SOTTO_MSG_ERROR_CODE_NOT_LOGGED_IN),
                   _("Log in first"));
      return NULL;
    }

  /* Not a word where a verified contact's keys changed unreviewed. */
  if (sotto_room_get_blocked_by (room) != NULL)
    {
      g_set_error (error, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_IDENTITY_CHANGED,
                   _("The safety number of %s changed. Compare it again, or accept the new "
                     "one, before sending in this room"),
                   sotto_room_get_blocked_by (room));
      return NULL;
    }

  name = sotto_room_get_name (room);
  plain = _sotto_client_stored_content (&body);
  text = _sotto_client_read_body (&body, &file, &action);
  randombytes_buf (random, sizeof random);
  sodium_bin2hex (msg_id, sizeof msg_id, random, sizeof random);
  if (!sotto_client_store_add_message (self->store, name, self->user, msg_id, 0, now,
                                       SOTTO_STORED_MESSAGE_SENDING, plain, NULL, error))
    return NULL;

  message = sotto_message_new (name, self->user, msg_id, 0, now, SOTTO_MESSAGE_SENDING, text);
  if (file != NULL)
    sotto_message_set_file (message, file);
  if (action != NULL)
    sotto_message_set_action (message, action);
  _sotto_client_set_device (self, message, NULL);
  sotto_room_add_message (room, message);

  /* In a room still catching up, or behind a message the server could
   * not take yet, it waits in the outbox, in order: members see a
   * sender's messages in the order written. */
  if (self->state == SOTTO_CLIENT_ONLINE &&
      !g_hash_table_contains (self->rooms_catching_up, name) &&
      self->outbox_retry_id == 0 &&
      !send_now (self, room, message, error))
    return NULL;

  return message;
}

/**
 * sotto_client_send_file_message:
 * @file: what the message says of a file the server holds (uploaded to
 *   this room)
 *
 * Sends a message naming a file, as sotto_client_send_message() sends
 * text: at once in the room's model as "sending", through the outbox
 * while the connection is down.
 *
 * Returns: (transfer none): the message, or %NULL with @error set
 */
SottoMessage *
sotto_client_send_file_message (SottoClient             *self,
                                SottoRoom               *room,
                                const SottoFileMessage  *file,
                                GError                 **error)
{
  g_autoptr(GBytes) content = NULL;

  g_return_val_if_fail (SOTTO_IS_CLIENT (self), NULL);
  g_return_val_if_fail (SOTTO_IS_ROOM (room), NULL);
  g_return_val_if_fail (file != NULL, NULL);

  content = sotto_file_message_encode (file, error);
  if (content == NULL)
    return NULL;
  return _sotto_client_send_content (self, room, SOTTO_MESSAGE_BODY_FILE, content, error);
}
