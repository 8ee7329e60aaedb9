/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-client-private.h"

/*
 * The rooms' signed state: each room's chain of events signed by its
 * members (SottoRoomState), which the server stores and relays but cannot
 * write. The client keeps the chain, fetches what it lacks, takes every
 * event against the rules and signs its own creation or join on top; the
 * other events of ours are signed by sotto-client-state-sign.c. What the
 * chain says of each member, and so whom the server's member list may
 * hold, is sotto-client-standing.c's: only a member the chain holds with
 * the keys the server shows is confirmed, and only confirmed members get
 * the room's keys. A removal by the server alone is taken (it only
 * shrinks who reads); an addition never is.
 */

/* The most events asked for at once. */
#define STATE_PAGE 500


typedef struct
{
  SottoRoomState *state;
  /* The server showed another history than the one kept here, or a
   * shorter one: told in the room, and nothing more is taken. */
  gboolean        broken;
  /* A fetch of missing events is under way. */
  gboolean        syncing;
  /* The chain keeps us out, and we are leaving the room on the server. */
  gboolean        leaving;
} RoomChain;

void
_sotto_client_free_room_chain (gpointer data)
{
  RoomChain *chain = data;

  g_clear_object (&chain->state);
  g_free (chain);
}

static void
break_chain (SottoRoom    *room,
             RoomChain    *chain,
             const GError *error)
{
  g_info ("The server shows another history of %s: %s", sotto_room_get_name (room),
          error != NULL ? error->message : "another event than before");
  chain->broken = TRUE;
  sotto_room_tell_once (room, _("The server shows this room’s membership differently from what it showed "
                "before: it may be showing its members different rooms. Nobody new gets "
                "your keys here until this is settled; compare safety numbers with the "
                "others."));
}

/* The chain of @room, taken from the store when first needed; %NULL if
 * the store cannot be read. */
static RoomChain *
get_chain (SottoClient *self,
           SottoRoom   *room)
{
  const char *name = sotto_room_get_name (room);
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *peer = NULL;
  RoomChain *chain;

  if (self->states == NULL || self->store == NULL)
    return NULL;

  chain = g_hash_table_lookup (self->states, name);
  if (chain != NULL)
    return chain;

  events = sotto_client_store_list_state_events (self->store, name, &error);
  if (events == NULL)
    {
      g_warning ("Could not read the state of %s: %s", name, error->message);
      return NULL;
    }

  chain = g_new0 (RoomChain, 1);
  if (sotto_room_get_direct (room) &&
      (peer = sotto_protocol_direct_room_peer (name, self->user)) != NULL)
    {
      const char *only[] = { self->user, peer, NULL };

      chain->state = sotto_room_state_new (name, NULL, only);
    }
  else
    chain->state = sotto_room_state_new (name, NULL, NULL);

  for (guint i = 0; i < events->len; i++)
    {
      g_autoptr(GError) take_error = NULL;
      gboolean taken = FALSE;

      if (!sotto_room_state_take (chain->state, g_ptr_array_index (events, i), &taken,
                                  &take_error) && !taken)
        {
          /* Stored events were taken once: only an edited file fails. */
          g_warning ("The stored state of %s does not hold together: %s", name,
                     take_error->message);
          chain->broken = TRUE;
          break;
        }
    }

  g_hash_table_insert (self->states, g_strdup (name), chain);
  return chain;
}

/**
 * _sotto_client_state_seen:
 * @length: (out): how many events of @room's chain we hold
 * @head: (out caller-allocates): the hash of the last (zero bytes if none)
 *
 * What we saw of @room's signed state, for the messages we send.
 */
void
_sotto_client_state_seen (SottoClient *self,
                          SottoRoom   *room,
                          guint64     *length,
                          guint8      *head)
{
  RoomChain *chain = get_chain (self, room);

  *length = chain != NULL ? sotto_room_state_get_length (chain->state) : 0;
  if (*length > 0)
    memcpy (head, sotto_room_state_get_head (chain->state),
            SOTTO_MESSAGE_BODY_STATE_HEAD_BYTES);
  else
    memset (head, 0, SOTTO_MESSAGE_BODY_STATE_HEAD_BYTES);
}

/* @room's signed state as held here, or %NULL if it cannot be read;
 * @broken: whether the server showed another history of it, after which
 * nothing more is taken. */
SottoRoomState *
_sotto_client_room_state (SottoClient *self,
                          SottoRoom   *room,
                          gboolean    *broken)
{
  RoomChain *chain = get_chain (self, room);

  if (broken != NULL)
    *broken = chain != NULL && chain->broken;
  return chain != NULL ? chain->state : NULL;
}

/* Whether we are leaving @room, whose signed state keeps us out. */
gboolean
_sotto_client_is_leaving (SottoClient *self,
                          SottoRoom   *room)
{
  RoomChain *chain = get_chain (self, room);

  return chain != NULL && chain->leaving;
}

/* We are leaving @room, whose signed state keeps us out: nobody starts
 * that again. */
void
_sotto_client_mark_leaving (SottoClient *self,
                            SottoRoom   *room)
{
  RoomChain *chain = get_chain (self, room);

  if (chain != NULL)
    chain->leaving = TRUE;
}

/* Takes the event at @index of @room's chain, as the server relayed it.
 * Returns whether the chain now reaches past @index. */
static gboolean
take_event (SottoClient *self,
            SottoRoom   *room,
            RoomChain   *chain,
            guint64      index,
            GBytes      *event)
{
  const char *name = sotto_room_get_name (room);
  g_autoptr(GError) error = NULL;
  guint64 length = sotto_room_state_get_length (chain->state);
  gboolean taken = FALSE;
  gboolean counts;

  if (chain->broken)
    return FALSE;

  if (index < length)
    {
      g_autoptr(GBytes) kept = sotto_client_store_get_state_event (self->store, name, index,
                                                                   &error);

      /* Seen before: it must be the same event. */
      if (kept != NULL && !g_bytes_equal (kept, event))
        {
          g_autoptr(GError) fork = g_error_new (SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_FORK,
                                                "event %" G_GUINT64_FORMAT " is not the one "
                                                "relayed before", index);

          break_chain (room, chain, fork);
        }
      return TRUE;
    }
  if (index > length)
    return FALSE;

  if (!sotto_room_state_take (chain->state, event, &taken, &error) && !taken)
    {
      break_chain (room, chain, error);
      return FALSE;
    }
  counts = error == NULL;
  if (error != NULL)
    g_info ("Event %" G_GUINT64_FORMAT " of %s has no effect: %s", index, name, error->message);

  g_clear_error (&error);
  if (!sotto_client_store_add_state_event (self->store, name, index, event, &error))
    g_warning ("Could not keep an event of %s: %s", name, error->message);
  _sotto_client_recheck_views (self, room);

  /* Halfway through a fetch the chain says what was, not what is: the
   * standings wait for its end. */
  if (!chain->syncing)
    {
      self->state_taken (self, room, event, counts);
    }
  return TRUE;
}

static void sync_fetch (GTask *task);

/* A state_event, live or from a fetch. One past the chain's end means
 * some were missed: they are fetched. */
void
_sotto_client_handle_state_event (SottoClient *self,
                                  SottoMsg    *msg)
{
  SottoRoom *room = sotto_client_lookup_room (self, sotto_msg_get_string (msg, "room"));
  g_autoptr(GBytes) event = sotto_msg_dup_bytes (msg, "event");
  gint64 index = sotto_msg_get_int (msg, "index");
  RoomChain *chain;

  if (room == NULL || event == NULL || index < 0 || (chain = get_chain (self, room)) == NULL)
    return;

  if (!take_event (self, room, chain, (guint64) index, event) && !chain->broken &&
      !chain->syncing)
    _sotto_client_sync_state_async (self, room, index + 1, NULL, NULL);
}

typedef struct
{
  char    *room;
  gint64   server_length;
  guint    attempts;
} SyncData;

static void
sync_data_free (SyncData *data)
{
  g_free (data->room);
  g_free (data);
}

/* Ends the task: with @error (taken) if the server could not be asked,
 * the connection most often; what the server refused is only logged. */
static void
sync_return (GTask  *task,
             GError *error)
{
  SottoClient *self = g_task_get_source_object (task);
  SyncData *data = g_task_get_task_data (task);
  SottoRoom *room = self->store != NULL ? sotto_client_lookup_room (self, data->room) : NULL;
  RoomChain *chain = room != NULL ? get_chain (self, room) : NULL;

  if (chain != NULL && chain->syncing)
    {
      chain->syncing = FALSE;
      self->state_taken (self, room, NULL, FALSE);
    }
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

/* Whether @error is the server's answer, not a failure to get one. */
static gboolean
is_answer (const GError *error)
{
  return sotto_client_error_to_server (error) != (SottoMsgErrorCode) -1;
}

static GBytes *
build_state (const char *id,
             gpointer    data)
{
  SottoRoomEvent *event = ((gpointer *) data)[0];
  GBytes *sealed = ((gpointer *) data)[1];

  return sotto_msg_build_state (id, event->room, (gint64) event->index, sealed);
}

static void
own_event_sent_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SyncData *data = g_task_get_task_data (task);
  g_autoptr(SottoMsg) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = sotto_connection_request_finish (SOTTO_CONNECTION (object), result, &error);
  if (reply == NULL && sotto_client_error_is_server (error, SOTTO_MSG_ERROR_CODE_CONFLICT) &&
      ++data->attempts < SOTTO_CLIENT_STATE_ATTEMPTS)
    {
      /* Another event came first: fetch it, then try again on top. */
      data->server_length = -1;
      sync_fetch (g_steal_pointer (&task));
      return;
    }
  if (reply == NULL)
    g_info ("Could not add to the state of %s: %s", data->room, error->message);

  sync_return (g_steal_pointer (&task),
               reply == NULL && !is_answer (error) ? g_steal_pointer (&error) : NULL);
}

/* Signs @type at the end of @room's chain and sends it; @task goes on
 * once the server answers. */
static void
send_own_event (GTask              *task,
                SottoRoom          *room,
                RoomChain          *chain,
                SottoRoomEventType  type,
                const char         *subject,
                gint64              value)
{
  SottoClient *self = g_task_get_source_object (task);
  g_auto(SottoRoomEvent) event = { 0 };
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autoptr(GBytes) request = NULL;
  gpointer parts[2];

  sotto_room_state_prepare (chain->state, &event, type, self->user, subject, value);
  if (type == SOTTO_ROOM_EVENT_CREATE || type == SOTTO_ROOM_EVENT_JOIN)
    {
      event.has_identity = TRUE;
      event.identity = *sotto_identity_get_public (self->account_identity);
    }

  sealed = sotto_room_event_seal (&event, self->account_identity, &error);
  if (sealed == NULL)
    {
      g_warning ("Could not sign an event of %s: %s", sotto_room_get_name (room),
                 error->message);
      sync_return (task, NULL);
      return;
    }

  parts[0] = &event;
  parts[1] = sealed;
  id = sotto_connection_next_id (self->connection);
  request = build_state (id, parts);
  sotto_connection_request_async (self->connection, id, request, self->cancellable,
                                  own_event_sent_cb, task);
}

/* The chain is as long as the server said: if the chain does not hold
 * us with our keys, and its rules let us in, we sign our creation or
 * join. */
static void
sync_ensure_self (GTask *task)
{
  SottoClient *self = g_task_get_source_object (task);
  SyncData *data = g_task_get_task_data (task);
  SottoRoom *room = sotto_client_lookup_room (self, data->room);
  RoomChain *chain = room != NULL ? get_chain (self, room) : NULL;
  SottoPublicIdentity held;

  if (chain == NULL || chain->broken || self->account_identity == NULL)
    {
      sync_return (task, NULL);
      return;
    }

  if (sotto_room_state_get_length (chain->state) == 0)
    {
      /* A room the server made, or a direct chat: nobody owns it. */
      send_own_event (task, room, chain, SOTTO_ROOM_EVENT_CREATE, NULL,
                      sotto_room_get_owner (room) == NULL ? SOTTO_ROOM_CREATE_UNOWNED : 0);
      return;
    }

  if (sotto_room_state_get_member (chain->state, self->user, &held, NULL) &&
      sotto_public_identity_equal (&held, sotto_identity_get_public (self->account_identity)))
    {
      sync_return (task, NULL);
      return;
    }

  if (sotto_room_state_is_banned (chain->state, self->user))
    {
      g_info ("The state of %s keeps us out; not joining it", data->room);
      sotto_room_tell_once (room, _("A moderator of this room banned you: its members do not take you in, "
                    "and nothing they write reaches you."));
      sync_return (task, NULL);
      return;
    }
  if (sotto_room_state_get_invite_only (chain->state) &&
      !sotto_room_state_is_invited (chain->state, self->user) &&
      !sotto_room_state_get_member (chain->state, self->user, NULL, NULL))
    {
      g_info ("%s is invite-only; not joining it", data->room);
      sotto_room_tell_once (room, _("This room is invite-only: its members take you in once a moderator "
                    "invites you. Until then nothing they write reaches you."));
      sync_return (task, NULL);
      return;
    }

  send_own_event (task, room, chain, SOTTO_ROOM_EVENT_JOIN, NULL, 0);
}

static void
sync_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SottoClient *self = g_task_get_source_object (task);
  SyncData *data = g_task_get_task_data (task);
  g_autoptr(SottoMsg) done = NULL;
  g_autoptr(GError) error = NULL;
  SottoRoom *room;
  RoomChain *chain;

  done = sotto_connection_request_finish (SOTTO_CONNECTION (object), result, &error);
  room = self->store != NULL ? sotto_client_lookup_room (self, data->room) : NULL;
  chain = room != NULL ? get_chain (self, room) : NULL;
  if (done == NULL || chain == NULL)
    {
      if (error != NULL)
        g_info ("Could not fetch the state of %s: %s", data->room, error->message);
      else
        error = g_error_new_literal (SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_DISCONNECTED,
                                     _("Logged out"));
      sync_return (g_steal_pointer (&task),
                   is_answer (error) ? NULL : g_steal_pointer (&error));
      return;
    }

  if ((guint64) sotto_msg_get_int (done, "length") < sotto_room_state_get_length (chain->state))
    break_chain (room, chain, NULL);
  data->server_length = sotto_msg_get_int (done, "length");
  if (!chain->broken && sotto_msg_get_bool (done, "more") &&
      sotto_room_state_get_length (chain->state) < (guint64) data->server_length)
    {
      sync_fetch (g_steal_pointer (&task));
      return;
    }

  sync_ensure_self (g_steal_pointer (&task));
}

/* Asks for the events of the task's room the chain lacks. */
static void
sync_fetch (GTask *task)
{
  SottoClient *self = g_task_get_source_object (task);
  SyncData *data = g_task_get_task_data (task);
  SottoRoom *room = sotto_client_lookup_room (self, data->room);
  RoomChain *chain = room != NULL ? get_chain (self, room) : NULL;
  g_autofree char *id = NULL;
  g_autoptr(GBytes) request = NULL;
  guint64 length;

  if (chain == NULL || chain->broken)
    {
      sync_return (task, NULL);
      return;
    }

  length = sotto_room_state_get_length (chain->state);
  if (data->server_length >= 0 && length > (guint64) data->server_length)
    {
      /* The server forgot events it relayed before, or shows a shorter
       * history to us than to others. */
      g_autoptr(GError) shorter = g_error_new (SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_FORK,
                                               "%" G_GINT64_FORMAT " events where %"
                                               G_GUINT64_FORMAT " were relayed",
                                               data->server_length, length);

      break_chain (room, chain, shorter);
      sync_return (task, NULL);
      return;
    }

  chain->syncing = TRUE;
  id = sotto_connection_next_id (self->connection);
  request = sotto_msg_build_state_catchup (id, data->room, (gint64) length, STATE_PAGE);
  sotto_connection_request_async (self->connection, id, request, self->cancellable,
                                  sync_done_cb, task);
}

/**
 * _sotto_client_sync_state_async:
 * @server_length: how long the server says the room's chain is, or -1
 *   if it has not said
 *
 * Brings @room's chain up to @server_length, then signs our creation or
 * join if the chain does not hold us yet. Finishes when the server has
 * answered; it does not fail: what goes wrong is told in the room.
 */
void
_sotto_client_sync_state_async (SottoClient         *self,
                                SottoRoom           *room,
                                gint64               server_length,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task = g_task_new (self, self->cancellable, callback, user_data);
  SyncData *data = g_new0 (SyncData, 1);

  g_task_set_source_tag (task, _sotto_client_sync_state_async);
  data->room = g_strdup (sotto_room_get_name (room));
  data->server_length = MAX (-1, server_length);
  g_task_set_task_data (task, data, (GDestroyNotify) sync_data_free);
  sync_fetch (task);
}

gboolean
_sotto_client_sync_state_finish (SottoClient   *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Forgets what is known of @room's chain here (the store forgets it with
 * the room). */
void
_sotto_client_forget_state (SottoClient *self,
                            const char  *room)
{
  g_hash_table_remove (self->states, room);
  g_hash_table_remove (self->pending_views, room);
  _sotto_client_drop_held_keys (self, room, NULL);
}

