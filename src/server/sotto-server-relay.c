/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-server-events.h"
#include "sotto-server-relay.h"

/*
 * Relaying what members say: room messages (end-to-end envelopes the server
 * cannot read), per-recipient key messages, catch-up, typing notices.
 */

#define MAX_PENDING_KEYS 1000

static char *
message_key (const char *room,
             const char *sender,
             const char *msg_id)
{
  return g_strconcat (room, "\n", sender, "\n", msg_id, NULL);
}

typedef struct
{
  SottoMsg *msg;
  SottoUser *sender;
} Outgoing;

static GBytes *
build_message (SottoRoom *room,
               gint64     seq,
               gint64     ts,
               gpointer   data)
{
  Outgoing *outgoing = data;

  /* The envelope goes on as it came, already validated base64. */
  return sotto_msg_build_message_encoded (room->name, seq, ts, outgoing->sender->name,
                                          sotto_msg_get_string (outgoing->msg, "msg_id"),
                                          sotto_msg_get_base64 (outgoing->msg, "envelope"));
}

typedef struct
{
  SottoServerState *server;
  SottoSession     *session;
  SottoMsg         *msg;
  char             *key;
  char             *room;
  gint64            seq;
  gint64            ts;
} SentCommit;

static void
sent_commit_free (gpointer data)
{
  SentCommit *commit = data;

  g_object_unref (commit->session);
  sotto_msg_unref (commit->msg);
  g_free (commit->key);
  g_free (commit->room);
  g_free (commit);
}

static void
sent_committed_cb (SottoStore   *store,
                   const GError *error,
                   gpointer      user_data)
{
  SentCommit *commit = user_data;
  g_autoptr(GBytes) ack = NULL;

  g_hash_table_remove (commit->server->uncommitted_messages, commit->key);

  if (error != NULL)
    {
      _sotto_server_reply_store_error (commit->server, commit->session, commit->msg, error);
      return;
    }

  ack = sotto_msg_build_sent (sotto_msg_get_id (commit->msg), commit->room,
                              sotto_msg_get_string (commit->msg, "msg_id"),
                              commit->seq, commit->ts);
  sotto_session_send (commit->session, ack);
}

/**
 * _sotto_server_handle_send:
 *
 * Stores a room message with the room's next sequence number and answers
 * "sent" once it is durable; the members get it at the same moment. A
 * message id the sender used before in this room is acknowledged again
 * with its first number and stored once.
 */
void
_sotto_server_handle_send (SottoServerState *self,
                           SottoSession     *session,
                           SottoMsg         *msg)
{
  SottoUser *user = sotto_session_get_user (session);
  SottoRoom *room = _sotto_server_lookup_member_room (self, session, msg);
  const char *msg_id = sotto_msg_get_string (msg, "msg_id");
  g_autofree char *key = NULL;
  g_autoptr(GError) error = NULL;
  Outgoing outgoing = { msg, user };
  SentCommit *commit;
  gint64 seq, ts;

  if (room == NULL)
    return;

  key = message_key (room->name, user->name, msg_id);
  if (g_hash_table_contains (self->uncommitted_messages, key) ||
      sotto_store_find_message (self->store, room->id, user->name, msg_id, &seq, &ts, &error))
    {
      /* A resend. If the first is not committed yet, the answer to the
       * first is on its way; this one waits for the same commit. */
      commit = g_new0 (SentCommit, 1);
      commit->server = self;
      commit->session = g_object_ref (session);
      commit->msg = sotto_msg_ref (msg);
      commit->key = g_strdup ("");
      commit->room = g_strdup (room->name);
      if (!g_hash_table_contains (self->uncommitted_messages, key))
        {
          commit->seq = seq;
          commit->ts = ts;
        }
      else
        {
          gint64 *pending = g_hash_table_lookup (self->uncommitted_messages, key);

          commit->seq = pending[0];
          commit->ts = pending[1];
        }
      sotto_store_commit_soon (self->store, sent_committed_cb, commit, sent_commit_free);
      return;
    }

  if (error != NULL ||
      !_sotto_server_append_event (self, room, user->name, msg_id, build_message, &outgoing,
                                   NULL, session, &error))
    {
      _sotto_server_reply_store_error (self, session, msg, error);
      return;
    }

  commit = g_new0 (SentCommit, 1);
  commit->server = self;
  commit->session = g_object_ref (session);
  commit->msg = sotto_msg_ref (msg);
  commit->key = g_strdup (key);
  commit->room = g_strdup (room->name);
  commit->seq = room->last_seq;
  commit->ts = room->last_ts;
  {
    gint64 *pending = g_new (gint64, 2);

    pending[0] = commit->seq;
    pending[1] = commit->ts;
    g_hash_table_insert (self->uncommitted_messages, g_steal_pointer (&key), pending);
  }
  sotto_store_commit_soon (self->store, sent_committed_cb, commit, sent_commit_free);
}

typedef struct
{
  SottoServerState *server;
  char             *recipient;
  gint64            device_id;
  GBytes           *delivery;
} KeyCommit;

static void
key_commit_free (gpointer data)
{
  KeyCommit *commit = data;

  g_free (commit->recipient);
  g_bytes_unref (commit->delivery);
  g_free (commit);
}

static void
key_committed_cb (SottoStore   *store,
                  const GError *error,
                  gpointer      user_data)
{
  KeyCommit *commit = user_data;
  SottoUser *recipient;

  if (error != NULL)
    return;

  recipient = _sotto_server_lookup_user (commit->server, commit->recipient);
  if (recipient != NULL)
    _sotto_server_send_to_device (commit->server, recipient, commit->device_id,
                                  commit->delivery);
}

/**
 * _sotto_server_handle_send_key:
 *
 * Queues a key message (a sender key in a box, or a request for one) for
 * one member of a room the sender is in. It waits in the store until the
 * recipient acknowledges it, and goes out at once if they are online.
 */
void
_sotto_server_handle_send_key (SottoServerState *self,
                               SottoSession     *session,
                               SottoMsg         *msg)
{
  SottoUser *user = sotto_session_get_user (session);
  SottoRoom *room = _sotto_server_lookup_member_room (self, session, msg);
  SottoUser *recipient;
  SottoStoreDevice *device;
  SottoStoreDevice *sender;
  g_autoptr(GBytes) sender_device = NULL;
  gboolean request = sotto_msg_get_msg_type (msg) == SOTTO_MSG_TYPE_KEY_REQUEST;
  g_autoptr(GBytes) box = NULL;
  g_autoptr(GError) error = NULL;
  KeyCommit *commit;
  gint64 key_id = 0;
  gint64 kid;

  if (room == NULL)
    return;

  /* Another member, or another device of ours: our keys go to our other
   * devices too. */
  recipient = _sotto_server_lookup_user (self, sotto_msg_get_string (msg, "to"));
  if (recipient == NULL || !_sotto_room_has_member (room, recipient) ||
      (recipient == user && !sotto_msg_has_field (msg, "device")))
    {
      _sotto_server_reply_error (self, session, msg, SOTTO_MSG_ERROR_CODE_NO_SUCH_USER,
                                 _("That user is not another member of this room"));
      return;
    }

  device = _sotto_server_request_device (self, session, msg, recipient);
  if (device == NULL)
    return;
  if (device->id == sotto_session_get_device (session))
    {
      _sotto_server_reply_error (self, session, msg, SOTTO_MSG_ERROR_CODE_NO_SUCH_DEVICE,
                                 _("That is the device sending it"));
      return;
    }

  if (request)
    key_id = sotto_msg_get_int (msg, "key_id");
  else
    box = sotto_msg_dup_bytes (msg, "box");

  sender = _sotto_user_get_device (user, sotto_session_get_device (session));
  if (sender != NULL)
    sender_device = g_bytes_new (sender->identity.sign, sizeof sender->identity.sign);

  kid = sotto_store_queue_key (self->store, device->id, _sotto_server_now_ms (), user->name,
                               room->name, request ? SOTTO_STORE_KEY_REQUEST : SOTTO_STORE_KEY_BOX,
                               key_id, box, sender_device, &error);
  if (kid < 0)
    {
      _sotto_server_reply_store_error (self, session, msg, error);
      return;
    }

  commit = g_new0 (KeyCommit, 1);
  commit->server = self;
  commit->recipient = g_strdup (recipient->name);
  commit->device_id = device->id;
  commit->delivery = request
    ? sotto_msg_build_key_requested (kid, user->name, sender_device, room->name, key_id)
    : sotto_msg_build_key (kid, user->name, sender_device, room->name, box);
  sotto_store_commit_soon (self->store, key_committed_cb, commit, key_commit_free);
  _sotto_server_reply_after_commit (self, session, msg, NULL);
}

void
_sotto_server_handle_ack_keys (SottoServerState *self,
                               SottoSession     *session,
                               SottoMsg         *msg)
{
  JsonArray *array = sotto_msg_get_array (msg, "kids");
  guint n = json_array_get_length (array);
  g_autofree gint64 *kids = g_new (gint64, n);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < n; i++)
    kids[i] = json_array_get_int_element (array, i);

  /* Only the recipient's own keys can be acknowledged away. */
  sotto_store_ack_keys (self->store, sotto_session_get_device (session), kids, n, &error);
  if (error != NULL)
    {
      _sotto_server_reply_store_error (self, session, msg, error);
      return;
    }

  _sotto_server_reply_after_commit (self, session, msg, NULL);
}

/* held.name is the room */
typedef struct
{
  SottoHeldRequest  held;
  guint             limit;
  /* The last committed event when asked: the read stops there, and the
   * answer speaks of no later one, which goes out live meanwhile. */
  gint64            up_to;
} CatchupRead;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CatchupRead, _sotto_held_request_free)

static void
catchup_read_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(CatchupRead) read = user_data;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GBytes) done = NULL;
  g_autoptr(GError) error = NULL;
  gint64 last = 0;

  events = sotto_store_read_log_finish (SOTTO_STORE (object), result, &last, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (events == NULL)
    {
      _sotto_server_reply_store_error (read->held.server, read->held.session, read->held.msg,
                                       error);
      return;
    }

  for (guint i = 0; i < events->len; i++)
    sotto_session_send (read->held.session, g_ptr_array_index (events, i));

  if (events->len < read->limit)
    last = read->up_to;
  done = sotto_msg_build_catchup_done (sotto_msg_get_id (read->held.msg), read->held.name, last,
                                       last < read->up_to);
  sotto_session_send (read->held.session, done);
}

/**
 * _sotto_server_handle_catchup:
 *
 * Sends the stored events of a room after a sequence number, at most
 * "limit" of them and never past what is committed, then "catchup_done"
 * saying where it stopped and whether there is more. The client's next
 * requests wait for the store's answer.
 */
void
_sotto_server_handle_catchup (SottoServerState *self,
                              SottoSession     *session,
                              SottoMsg         *msg)
{
  SottoRoom *room = _sotto_server_lookup_member_room (self, session, msg);
  gint64 after = sotto_msg_get_int (msg, "after");
  gint64 limit = sotto_msg_get_int (msg, "limit");
  g_autoptr(GBytes) done = NULL;
  CatchupRead *read;

  if (room == NULL)
    return;

  if (after >= room->committed_seq)
    {
      done = sotto_msg_build_catchup_done (sotto_msg_get_id (msg), room->name,
                                           room->committed_seq, FALSE);
      sotto_session_send (session, done);
      return;
    }

  read = _sotto_held_request_new (self, session, msg, room->name, sizeof (CatchupRead));
  read->limit = limit;
  read->up_to = room->committed_seq;

  /* Uncommitted events are visible to this connection to the database but
   * may still be rolled back: the catch-up stops at the committed ones. */
  sotto_store_read_log_async (self->store, room->id, after, room->committed_seq, limit,
                              sotto_session_get_cancellable (session), catchup_read_cb, read);
}

void
_sotto_server_handle_typing (SottoServerState *self,
                             SottoSession     *session,
                             SottoMsg         *msg)
{
  SottoUser *user = sotto_session_get_user (session);
  SottoRoom *room = _sotto_server_lookup_room (self, sotto_msg_get_string (msg, "room"));
  g_autoptr(GBytes) notice = NULL;

  /* Typing has no reply: a notice for a room one is not in is dropped. */
  if (room == NULL || !_sotto_room_has_member (room, user) ||
      !sotto_session_allow_typing (session, room->name))
    return;

  notice = sotto_msg_build_typing_event (room->name, user->name);
  for (guint i = 0; i < room->members->len; i++)
    {
      SottoUser *member = g_ptr_array_index (room->members, i);

      if (member != user)
        _sotto_server_send_to_user (self, member, notice, NULL);
    }
}

static void
pending_keys_read_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(SottoHeldRequest) read = user_data;
  g_autoptr(GPtrArray) keys = NULL;
  g_autoptr(GError) error = NULL;

  keys = sotto_store_pending_keys_finish (SOTTO_STORE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (keys == NULL)
    {
      g_warning ("Could not read the key queue of %s: %s", read->name, error->message);
      return;
    }

  for (guint i = 0; i < keys->len; i++)
    {
      SottoStoreKey *key = g_ptr_array_index (keys, i);
      g_autoptr(GBytes) message = NULL;

      if (key->kind == SOTTO_STORE_KEY_REQUEST)
        message = sotto_msg_build_key_requested (key->kid, key->sender, key->sender_device,
                                                 key->room, key->key_id);
      else
        message = sotto_msg_build_key (key->kid, key->sender, key->sender_device, key->room,
                                       key->box);
      sotto_session_send (read->session, message);
    }
}

/* Sends what waits in the key queue of the session's device, at login,
 * before any later request of the client is answered. */
void
_sotto_server_deliver_pending_keys (SottoServerState *self,
                                    SottoSession     *session)
{
  SottoUser *user = sotto_session_get_user (session);
  SottoHeldRequest *read = _sotto_held_request_new (self, session, NULL, user->name,
                                                     sizeof (SottoHeldRequest));

  sotto_store_pending_keys_async (self->store, sotto_session_get_device (session),
                                  MAX_PENDING_KEYS, sotto_session_get_cancellable (session),
                                  pending_keys_read_cb, read);
}
