/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sotto-server-events.h"

/*
 * The room log seen from the server: every message and every change of
 * membership is an event with the room's next sequence number, written to
 * the store and sent to the online members only once the store has
 * committed it, in the order of the sequence numbers. Answers that must
 * not run ahead of the store wait for the same commit.
 */

typedef struct
{
  SottoServerState *server;
  char             *room;
  gint64            seq;
  GBytes           *body;
  SottoUser        *also;
  SottoSession     *except;
} EventCommit;

static void
event_committed_cb (SottoStore   *store,
                    const GError *error,
                    gpointer      user_data)
{
  EventCommit *commit = user_data;
  SottoRoom *room = _sotto_server_lookup_room (commit->server, commit->room);

  if (room == NULL)
    return;

  if (error != NULL)
    {
      /* The batch was rolled back: hand out the lost numbers again. */
      g_autoptr(GError) local_error = NULL;
      gint64 last = sotto_store_get_last_seq (store, room->id, &local_error);

      if (last >= 0)
        room->last_seq = room->committed_seq = last;
      return;
    }

  room->committed_seq = MAX (room->committed_seq, commit->seq);
  _sotto_server_send_to_room (commit->server, room, commit->body, commit->except);
  if (commit->also != NULL && !_sotto_room_has_member (room, commit->also))
    _sotto_server_send_to_user (commit->server, commit->also, commit->body, NULL);
}

static void
event_commit_free (gpointer data)
{
  EventCommit *commit = data;

  g_free (commit->room);
  g_bytes_unref (commit->body);
  g_clear_object (&commit->except);
  g_free (commit);
}

/**
 * _sotto_server_append_event:
 * @build: makes the serialized event for its sequence number and time
 * @also: (nullable): a user who hears of the event though not a member,
 *   such as one who just left
 * @except: (nullable): a connection that does not get the event, because
 *   it has its own answer (the sender of a message)
 *
 * Writes the next event of @room to the store; once committed it goes to
 * every online member. The same bytes are stored and sent.
 */
gboolean
_sotto_server_append_event (SottoServerState         *self,
                            SottoRoom                *room,
                            const char               *sender,
                            const char               *msg_id,
                            SottoServerEventBuilder   build,
                            gpointer                  data,
                            SottoUser                *also,
                            SottoSession             *except,
                            GError                  **error)
{
  gint64 seq = room->last_seq + 1;
  gint64 ts = _sotto_server_now_ms ();
  g_autoptr(GBytes) body = build (room, seq, ts, data);
  EventCommit *commit;

  if (!sotto_store_append_event (self->store, room->id, seq, ts, 0, sender, msg_id, body, error))
    return FALSE;

  room->last_seq = seq;
  room->last_ts = ts;
  commit = g_new0 (EventCommit, 1);
  commit->server = self;
  commit->room = g_strdup (room->name);
  commit->seq = seq;
  commit->body = g_steal_pointer (&body);
  commit->also = also;
  commit->except = except != NULL ? g_object_ref (except) : NULL;
  sotto_store_commit_soon (self->store, event_committed_cb, commit, event_commit_free);

  return TRUE;
}

static void
ok_committed_cb (SottoStore   *store,
                 const GError *error,
                 gpointer      user_data)
{
  SottoPendingReply *reply = user_data;

  if (error != NULL)
    _sotto_server_reply_store_error (reply->server, reply->session, reply->msg, error);
  else
    sotto_session_send (reply->session, reply->reply);
}

/* Sends @reply (or "ok") once everything written so far is durable. */
void
_sotto_server_reply_after_commit (SottoServerState *self,
                                  SottoSession     *session,
                                  SottoMsg         *msg,
                                  GBytes           *reply_bytes)
{
  g_autoptr(GBytes) reply = reply_bytes != NULL ? g_bytes_ref (reply_bytes)
                                                : sotto_msg_build_ok (sotto_msg_get_id (msg));

  _sotto_server_answer_after_commit (self, session, msg, NULL, reply, ok_committed_cb);
}
