/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-server-state-events.h"

/*
 * The room state chain seen from the server: members append events signed
 * by them, one index after the other, and fetch the ones they missed. The
 * server never opens an event; the clients check the signatures, the hash
 * chain and the rules. All it checks is that the sender is a member by
 * its own records, and that the index is the chain's next one, so that
 * two members appending at once cannot fork the chain: the second one
 * gets "conflict", catches up and tries again.
 */

/* Once the append is durable, every member hears of it, the sender's own
 * connections included, and then the sender gets "ok". */
static void
state_committed_cb (SottoStore   *store,
                    const GError *error,
                    gpointer      user_data)
{
  SottoPendingReply *pending = user_data;
  SottoRoom *room = _sotto_server_lookup_room (pending->server, pending->name);
  g_autoptr(GBytes) ok = NULL;

  if (error != NULL)
    {
      /* The batch was rolled back: the lost indexes are free again. */
      if (room != NULL)
        {
          g_autoptr(GError) local_error = NULL;
          gint64 length = sotto_store_get_state_length (store, room->id, &local_error);

          if (length >= 0)
            room->state_length = room->state_committed = length;
        }
      _sotto_server_reply_store_error (pending->server, pending->session, pending->msg, error);
      return;
    }

  if (room != NULL)
    {
      room->state_committed = MAX (room->state_committed,
                                   sotto_msg_get_int (pending->msg, "index") + 1);
      _sotto_server_send_to_room (pending->server, room, pending->reply, NULL);
    }

  ok = sotto_msg_build_ok (sotto_msg_get_id (pending->msg));
  sotto_session_send (pending->session, ok);
}

/**
 * _sotto_server_handle_state:
 *
 * Appends one event to the room's state chain, at the index the member
 * names, which must be the chain's length (appends not yet committed
 * included): otherwise another event came first and the answer is
 * "conflict", with nothing stored.
 */
void
_sotto_server_handle_state (SottoServerState *self,
                            SottoSession     *session,
                            SottoMsg         *msg)
{
  SottoUser *user = sotto_session_get_user (session);
  SottoRoom *room = _sotto_server_lookup_member_room (self, session, msg);
  gint64 index = sotto_msg_get_int (msg, "index");
  g_autoptr(GBytes) event = NULL;
  g_autoptr(GBytes) relayed = NULL;
  g_autoptr(GError) error = NULL;
  gint64 ts;

  if (room == NULL)
    return;

  if (index != room->state_length)
    {
      _sotto_server_reply_error (self, session, msg, SOTTO_MSG_ERROR_CODE_CONFLICT,
                                 _("The room's state changed first; fetch what is new and "
                                   "try again"));
      return;
    }

  event = sotto_msg_dup_bytes (msg, "event");
  ts = _sotto_server_now_ms ();
  if (!sotto_store_append_state (self->store, room->id, index, user->name, ts, event, &error))
    {
      _sotto_server_reply_store_error (self, session, msg, error);
      return;
    }

  room->state_length = index + 1;
  relayed = sotto_msg_build_state_event (room->name, index, user->name, ts, event);
  _sotto_server_answer_after_commit (self, session, msg, room->name, relayed,
                                     state_committed_cb);
}

/* held.name is the room */
typedef struct
{
  SottoHeldRequest  held;
  gint64            from;
  /* The chain's committed length when asked: the read stops there. */
  gint64            length;
} StateRead;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StateRead, _sotto_held_request_free)

static void
state_read_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(StateRead) read = user_data;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GBytes) done = NULL;
  g_autoptr(GError) error = NULL;
  gint64 next = read->from;

  events = sotto_store_read_state_finish (SOTTO_STORE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (events == NULL)
    {
      _sotto_server_reply_store_error (read->held.server, read->held.session, read->held.msg,
                                       error);
      return;
    }

  for (guint i = 0; i < events->len; i++)
    {
      SottoStoreStateEvent *event = g_ptr_array_index (events, i);
      g_autoptr(GBytes) bytes = sotto_msg_build_state_event (read->held.name, event->index,
                                                             event->sender, event->ts,
                                                             event->body);

      sotto_session_send (read->held.session, bytes);
      next = event->index + 1;
    }

  done = sotto_msg_build_state_done (sotto_msg_get_id (read->held.msg), read->held.name,
                                     read->length, next < read->length);
  sotto_session_send (read->held.session, done);
}

/**
 * _sotto_server_handle_state_catchup:
 *
 * Sends the committed events of a room's chain from index "from" on, at
 * most "limit" of them, then "state_done" with the chain's length and
 * whether there is more. The client's next requests wait for the store's
 * answer.
 */
void
_sotto_server_handle_state_catchup (SottoServerState *self,
                                    SottoSession     *session,
                                    SottoMsg         *msg)
{
  SottoRoom *room = _sotto_server_lookup_member_room (self, session, msg);
  gint64 from = sotto_msg_get_int (msg, "from");
  gint64 limit = sotto_msg_get_int (msg, "limit");
  g_autoptr(GBytes) done = NULL;
  StateRead *read;

  if (room == NULL)
    return;

  if (from >= room->state_committed)
    {
      done = sotto_msg_build_state_done (sotto_msg_get_id (msg), room->name,
                                         room->state_committed, FALSE);
      sotto_session_send (session, done);
      return;
    }

  read = _sotto_held_request_new (self, session, msg, room->name, sizeof (StateRead));
  read->from = from;
  read->length = room->state_committed;
  sotto_store_read_state_async (self->store, room->id, from, room->state_committed,
                                (guint) limit, sotto_session_get_cancellable (session),
                                state_read_cb, read);
}
