/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-client-private.h"

/*
 * The rooms' signed state: each room's chain of events signed by its
 * members (SottoRoomState), which the server stores and relays but cannot
 * write. The client keeps the chain, takes every event against the rules,
 * signs its own (creating, joining, leaving, banning), and decides from it
 * whom the server's member list may hold: only a member the chain holds
 * with the keys the server shows is confirmed, and only confirmed members
 * get the room's keys. A removal by the server alone is taken (it only
 * shrinks who reads); an addition never is.
 */

/* The most events asked for at once. */
#define STATE_PAGE 500

/* The most times our own event is tried again after another came first. */
#define MAX_STATE_ATTEMPTS 4

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

/* Tells once in @room what is wrong with the history the server shows. */
static void
tell (SottoRoom  *room,
      const char *line)
{
  if (!sotto_room_has_system_text (room, line))
    sotto_room_add_system_text (room, 0, 0, line);
}

static void
break_chain (SottoRoom    *room,
             RoomChain    *chain,
             const GError *error)
{
  g_info ("The server shows another history of %s: %s", sotto_room_get_name (room),
          error != NULL ? error->message : "another event than before");
  chain->broken = TRUE;
  tell (room, _("The server shows this room’s membership differently from what it showed "
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

/* Where a member the server lists in @room stands by its signed state,
 * and their role there: set on @member. */
void
_sotto_client_place_member (SottoClient *self,
                            SottoRoom   *room,
                            SottoMember *member)
{
  RoomChain *chain = get_chain (self, room);
  const char *user = sotto_member_get_user (member);
  SottoMemberStanding standing = SOTTO_MEMBER_STANDING_UNCONFIRMED;
  SottoPublicIdentity held;
  int role = SOTTO_MEMBER_ROLE_MEMBER;

  if (chain == NULL || sotto_room_state_get_length (chain->state) == 0)
    standing = SOTTO_MEMBER_STANDING_UNCONFIRMED;
  else if (sotto_room_state_get_member (chain->state, user, &held, &role))
    standing = sotto_public_identity_equal (&held, sotto_member_get_identity (member))
               ? SOTTO_MEMBER_STANDING_CONFIRMED : SOTTO_MEMBER_STANDING_UNCONFIRMED;
  else if (sotto_room_state_is_banned (chain->state, user) ||
           (sotto_room_state_get_invite_only (chain->state) &&
            !sotto_room_state_is_invited (chain->state, user)))
    standing = SOTTO_MEMBER_STANDING_REFUSED;

  /* A role counts for the keys the state holds, not for others. */
  if (standing != SOTTO_MEMBER_STANDING_CONFIRMED)
    role = SOTTO_MEMBER_ROLE_MEMBER;
  sotto_member_set_standing (member, standing);
  sotto_member_set_role (member, (SottoMemberRole) role);
}

/**
 * _sotto_client_kept_out:
 * @banned: (out) (optional): whether a ban keeps us out
 *
 * Whether @room's signed state keeps us out, now that the chain is as
 * long as the server said: banned, or not invited to an invite-only room,
 * and not a member. Returns (transfer full) (nullable): why, in a
 * sentence for the user, or %NULL if it does not
 */
char *
_sotto_client_kept_out (SottoClient *self,
                        SottoRoom   *room,
                        gboolean    *banned)
{
  RoomChain *chain = get_chain (self, room);
  const char *label = sotto_room_get_display_name (room);
  const char *by = NULL;

  if (banned != NULL)
    *banned = FALSE;
  if (chain == NULL || chain->broken || sotto_room_state_get_length (chain->state) == 0 ||
      sotto_room_state_get_member (chain->state, self->user, NULL, NULL))
    return NULL;

  if (sotto_room_state_get_ban (chain->state, self->user, &by, NULL))
    {
      if (banned != NULL)
        *banned = TRUE;
      if (by == NULL)
        /* Translators: %s is a room */
        return g_strdup_printf (_("The server’s operator removed you from %s; you cannot join "
                                  "it again unless they let you back"), label);
      /* Translators: the first %s is a moderator, the second a room */
      return g_strdup_printf (_("%s removed you from %s; you cannot join it again unless one "
                                "of its moderators lets you back"), by, label);
    }

  if (sotto_room_state_get_invite_only (chain->state) &&
      !sotto_room_state_is_invited (chain->state, self->user))
    /* Translators: %s is a room */
    return g_strdup_printf (_("%s is invite-only: ask one of its moderators to invite you"),
                            label);

  return NULL;
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

/* Checks, once @room's chain is current, whether it bans us: then we
 * leave the room on the server too, and the user hears they were
 * removed. A ban that has just come from the room's creator is left to
 * the server, which removes us at the creator's word too. Returns whether
 * we leave. */
gboolean
_sotto_client_leave_if_banned (SottoClient *self,
                               SottoRoom   *room,
                               gboolean     live)
{
  RoomChain *chain = get_chain (self, room);
  g_autofree char *why = NULL;
  const char *by = NULL;
  gboolean banned = FALSE;

  if (chain == NULL || chain->leaving)
    return chain != NULL && chain->leaving;

  why = _sotto_client_kept_out (self, room, &banned);
  if (!banned)
    return FALSE;
  sotto_room_state_get_ban (chain->state, self->user, &by, NULL);
  if (live && by != NULL && g_strcmp0 (by, sotto_room_get_owner (room)) == 0)
    return FALSE;

  g_info ("The state of %s bans us; leaving it", sotto_room_get_name (room));
  _sotto_client_mark_leaving (self, room);
  _sotto_client_leave_kept_out (self, room, _sotto_client_left_banned_cb, g_object_ref (room));
  return TRUE;
}

/* @member of @room went from @before to its standing now: a newly
 * confirmed member gets our keys, one no longer confirmed ends our key,
 * and one the rules keep out is told of. */
void
_sotto_client_standing_changed (SottoClient         *self,
                                SottoRoom           *room,
                                SottoMember         *member,
                                SottoMemberStanding  before)
{
  SottoMemberStanding now = sotto_member_get_standing (member);
  const char *user = sotto_member_get_user (member);

  if (now == before || g_strcmp0 (user, self->user) == 0)
    return;

  if (before == SOTTO_MEMBER_STANDING_CONFIRMED)
    _sotto_client_rotate_own_key (self, room);

  if (now == SOTTO_MEMBER_STANDING_CONFIRMED)
    {
      _sotto_client_hand_over_held_keys (self, room, member);
      _sotto_client_replay_early_keys (self, room);
    }
  else if (now == SOTTO_MEMBER_STANDING_REFUSED)
    _sotto_client_drop_held_keys (self, sotto_room_get_name (room), user);
}

/* The server lists @member, whom @room's signed state keeps out: said
 * once in the room. A ban of someone still listed is not told here: the
 * server's word that they were removed follows it. */
void
_sotto_client_tell_refused (SottoClient *self,
                            SottoRoom   *room,
                            SottoMember *member)
{
  const char *user = sotto_member_get_user (member);
  g_autofree char *line = NULL;

  g_info ("The server lists %s in %s against the room’s signed state", user,
          sotto_room_get_name (room));
  line = g_strdup_printf (_("%s is in this room by the server’s records, but the room’s own "
                            "signed history keeps them out (banned, or not invited). Sotto "
                            "does not take them in: nothing written here reaches %s."),
                          user, user);
  tell (room, line);
}

/* Sets every listed member's standing from the chain as it is now, and
 * what the room shows of its state. */
static void
update_standings (SottoClient *self,
                  SottoRoom   *room)
{
  GListModel *members = sotto_room_get_members (room);
  RoomChain *chain = get_chain (self, room);
  int role = -1;

  if (chain != NULL && !chain->broken &&
      !sotto_room_state_get_member (chain->state, self->user, NULL, &role))
    role = -1;
  sotto_room_set_signed_state (room, chain != NULL &&
                               sotto_room_state_get_invite_only (chain->state), role);

  for (guint i = 0; i < g_list_model_get_n_items (members); i++)
    {
      g_autoptr(SottoMember) member = g_list_model_get_item (members, i);
      SottoMemberStanding before = sotto_member_get_standing (member);

      _sotto_client_place_member (self, room, member);
      _sotto_client_standing_changed (self, room, member, before);
    }
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
      update_standings (self, room);
      _sotto_client_leave_if_banned (self, room, TRUE);
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
      update_standings (self, room);
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
      ++data->attempts < MAX_STATE_ATTEMPTS)
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
      event.identity = *sotto_identity_get_public (self->identity);
    }

  sealed = sotto_room_event_seal (&event, self->identity, &error);
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

  if (chain == NULL || chain->broken || self->identity == NULL)
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
      sotto_public_identity_equal (&held, sotto_identity_get_public (self->identity)))
    {
      sync_return (task, NULL);
      return;
    }

  if (sotto_room_state_is_banned (chain->state, self->user))
    {
      g_info ("The state of %s keeps us out; not joining it", data->room);
      tell (room, _("A moderator of this room banned you: its members do not take you in, "
                    "and nothing they write reaches you."));
      sync_return (task, NULL);
      return;
    }
  if (sotto_room_state_get_invite_only (chain->state) &&
      !sotto_room_state_is_invited (chain->state, self->user) &&
      !sotto_room_state_get_member (chain->state, self->user, NULL, NULL))
    {
      g_info ("%s is invite-only; not joining it", data->room);
      tell (room, _("This room is invite-only: its members take you in once a moderator "
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

typedef struct
{
  char               *room;
  SottoRoomEventType  type;
  char               *subject;
  gint64              value;
  guint               attempts;
} SignData;

static void
sign_data_free (SignData *data)
{
  g_free (data->room);
  g_free (data->subject);
  g_free (data);
}

static void sign_try (GTask *task);

static void
sign_synced_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  _sotto_client_sync_state_finish (SOTTO_CLIENT (object), result, NULL);
  sign_try (user_data);
}

static void
signed_sent_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SottoClient *self = g_task_get_source_object (task);
  SignData *data = g_task_get_task_data (task);
  SottoRoom *room = sotto_client_lookup_room (self, data->room);
  g_autoptr(SottoMsg) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = sotto_connection_request_finish (SOTTO_CONNECTION (object), result, &error);
  if (reply == NULL && sotto_client_error_is_server (error, SOTTO_MSG_ERROR_CODE_CONFLICT) &&
      ++data->attempts < MAX_STATE_ATTEMPTS && room != NULL)
    {
      /* Another event came first: fetch it, then sign again on top. */
      _sotto_client_sync_state_async (self, room, -1, sign_synced_cb, g_steal_pointer (&task));
      return;
    }

  if (reply == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

/* Signs the task's event at the end of its room's chain, as it is now. */
static void
sign_try (GTask *task)
{
  SottoClient *self = g_task_get_source_object (task);
  SignData *data = g_task_get_task_data (task);
  SottoRoom *room = self->store != NULL ? sotto_client_lookup_room (self, data->room) : NULL;
  RoomChain *chain = room != NULL ? get_chain (self, room) : NULL;
  g_auto(SottoRoomEvent) event = { 0 };
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autoptr(GBytes) request = NULL;

  if (chain == NULL || chain->broken || sotto_room_state_get_length (chain->state) == 0)
    {
      /* Nothing to sign into: the server's own records do the rest. */
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }

  sotto_room_state_prepare (chain->state, &event, data->type, self->user, data->subject,
                            data->value);
  sealed = sotto_room_event_seal (&event, self->identity, &error);
  if (sealed == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }

  id = sotto_connection_next_id (self->connection);
  request = sotto_msg_build_state (id, data->room, (gint64) event.index, sealed);
  sotto_connection_request_async (self->connection, id, request, self->cancellable,
                                  signed_sent_cb, task);
}

/**
 * _sotto_client_sign_state_async:
 * @type: what the event does: leaving, banning, unbanning, inviting, a
 *   role or the invite-only flag
 * @subject: (nullable): whom it is about
 *
 * Signs an event of ours onto @room's chain. A room without a chain here
 * (its history could not be read) finishes at once with nothing signed.
 */
void
_sotto_client_sign_state_async (SottoClient         *self,
                                const char          *room,
                                SottoRoomEventType   type,
                                const char          *subject,
                                gint64               value,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task = g_task_new (self, self->cancellable, callback, user_data);
  SignData *data = g_new0 (SignData, 1);

  g_task_set_source_tag (task, _sotto_client_sign_state_async);
  data->room = g_strdup (room);
  data->type = type;
  data->subject = g_strdup (subject);
  data->value = value;
  g_task_set_task_data (task, data, (GDestroyNotify) sign_data_free);
  sign_try (task);
}

gboolean
_sotto_client_sign_state_finish (SottoClient   *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Whether we may ban @user from @room by its signed state: a moderator
 * bans those below them. */
gboolean
_sotto_client_may_ban (SottoClient *self,
                       const char  *room,
                       const char  *user)
{
  SottoRoom *found = sotto_client_lookup_room (self, room);
  RoomChain *chain = found != NULL ? get_chain (self, found) : NULL;
  int ours = -1, theirs = -1;

  if (chain == NULL || chain->broken || sotto_room_get_direct (found) ||
      !sotto_room_state_get_member (chain->state, self->user, NULL, &ours))
    return FALSE;
  if (!sotto_room_state_get_member (chain->state, user, NULL, &theirs))
    theirs = -1;

  return ours >= SOTTO_ROOM_ROLE_MODERATOR && theirs < ours;
}

/* Whether @room's signed state holds a moderator's ban of @user. */
gboolean
_sotto_client_state_bans (SottoClient *self,
                          const char  *room,
                          const char  *user)
{
  SottoRoom *found = sotto_client_lookup_room (self, room);
  RoomChain *chain = found != NULL ? get_chain (self, found) : NULL;

  return chain != NULL && sotto_room_state_is_banned (chain->state, user);
}

/* Who @room's signed state keeps out, sorted by name, or %NULL. */
GStrv
_sotto_client_dup_state_bans (SottoClient *self,
                              const char  *room)
{
  SottoRoom *found = sotto_client_lookup_room (self, room);
  RoomChain *chain = found != NULL ? get_chain (self, found) : NULL;

  return chain != NULL ? sotto_room_state_dup_banned (chain->state) : NULL;
}

/* Who banned @user from @room by its signed state (%NULL: the operator),
 * and when. */
gboolean
_sotto_client_state_ban_of (SottoClient  *self,
                            const char   *room,
                            const char   *user,
                            const char  **by,
                            gint64       *since)
{
  SottoRoom *found = sotto_client_lookup_room (self, room);
  RoomChain *chain = found != NULL ? get_chain (self, found) : NULL;

  return chain != NULL && sotto_room_state_get_ban (chain->state, user, by, since);
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

/* Our role in @room by its signed state, or -1 if it does not hold us. */
int
_sotto_client_own_role (SottoClient *self,
                        const char  *room)
{
  SottoRoom *found = self->store != NULL ? sotto_client_lookup_room (self, room) : NULL;
  RoomChain *chain = found != NULL ? get_chain (self, found) : NULL;
  int role = -1;

  if (chain == NULL || chain->broken ||
      !sotto_room_state_get_member (chain->state, self->user, NULL, &role))
    return -1;
  return role;
}

/**
 * sotto_client_may_moderate:
 * @room: a room of the user's
 *
 * Returns: whether the room's signed state makes the user a moderator or
 *   owner of @room, who may invite, ban and open or close it
 */
gboolean
sotto_client_may_moderate (SottoClient *self,
                           const char  *room)
{
  g_return_val_if_fail (SOTTO_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (room != NULL, FALSE);

  return _sotto_client_own_role (self, room) >= SOTTO_ROOM_ROLE_MODERATOR;
}

/**
 * sotto_client_get_invite_only:
 * @room: a room of the user's
 *
 * Returns: whether @room's signed state lets in only whom a moderator
 *   invited
 */
gboolean
sotto_client_get_invite_only (SottoClient *self,
                              const char  *room)
{
  SottoRoom *found;
  RoomChain *chain;

  g_return_val_if_fail (SOTTO_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (room != NULL, FALSE);

  found = self->store != NULL ? sotto_client_lookup_room (self, room) : NULL;
  chain = found != NULL ? get_chain (self, found) : NULL;
  return chain != NULL && sotto_room_state_get_invite_only (chain->state);
}
