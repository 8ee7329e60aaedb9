/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <sodium.h>
#include <string.h>

#include "sotto-server-state.h"

/*
 * The accounts and rooms the server holds in memory, and the helpers every
 * request handler shares: lookups, sending to a user or a room, error
 * replies, and presence.
 */

/**
 * _sotto_server_state_new:
 * @owner: the object the state belongs to, held by the handlers' tasks
 *
 * An empty state; the owner sets the config and the store, then loads it.
 */
SottoServerState *
_sotto_server_state_new (GObject *owner)
{
  SottoServerState *self = g_new0 (SottoServerState, 1);

  self->owner = owner;
  self->users = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                       (GDestroyNotify) _sotto_user_free);
  self->rooms = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                       (GDestroyNotify) _sotto_room_free);
  self->account_failures = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->address_failures = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->uncommitted_messages = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  return self;
}

/**
 * _sotto_server_state_close:
 *
 * Forgets the rooms and accounts, then closes the store. Waiters the store
 * still calls while it closes find neither.
 */
void
_sotto_server_state_close (SottoServerState *self)
{
  g_clear_pointer (&self->rooms, g_hash_table_unref);
  g_clear_pointer (&self->users, g_hash_table_unref);
  g_clear_object (&self->store);
}

void
_sotto_server_state_free (SottoServerState *self)
{
  /* The owner ends the password pool first. */
  g_assert (self->password_pool == NULL);

  _sotto_server_state_close (self);
  g_clear_pointer (&self->account_failures, g_hash_table_unref);
  g_clear_pointer (&self->address_failures, g_hash_table_unref);
  g_clear_pointer (&self->uncommitted_messages, g_hash_table_unref);
  g_free (self);
}

/* Mirrors the store's accounts, rooms, memberships, bans and state chain
 * lengths in memory. */
gboolean
_sotto_server_state_load (SottoServerState  *self,
                          GError           **error)
{
  g_autoptr(GPtrArray) names = NULL;
  g_autoptr(GPtrArray) rooms = NULL;

  names = sotto_store_list_usernames (self->store, error);
  if (names == NULL)
    return FALSE;

  for (guint i = 0; i < names->len; i++)
    {
      g_auto(SottoStoreAccount) account = { 0 };

      if (!sotto_store_find_account (self->store, g_ptr_array_index (names, i), &account, error))
        {
          if (error != NULL && *error == NULL)
            g_set_error (error, SOTTO_STORE_ERROR, SOTTO_STORE_ERROR_CORRUPT,
                         _("The account %s vanished while loading"),
                         (const char *) g_ptr_array_index (names, i));
          return FALSE;
        }
      SottoUser *user = _sotto_user_new (account.id, account.username, &account.identity);
      g_hash_table_insert (self->users, user->name, user);
      if (!_sotto_user_load_devices (user, self->store, error))
        return FALSE;
    }

  rooms = sotto_store_load_rooms (self->store, error);
  if (rooms == NULL)
    return FALSE;

  for (guint i = 0; i < rooms->len; i++)
    {
      SottoStoreRoom *record = g_ptr_array_index (rooms, i);
      SottoRoom *room = _sotto_room_new (record->id, record->name, record->direct,
                                         record->owner, record->last_seq);
      g_autoptr(GPtrArray) members = NULL;
      g_autoptr(GPtrArray) bans = NULL;

      g_hash_table_insert (self->rooms, room->name, room);
      room->state_length = sotto_store_get_state_length (self->store, room->id, error);
      if (room->state_length < 0)
        return FALSE;
      room->state_committed = room->state_length;

      members = sotto_store_load_member_names (self->store, room->id, error);
      if (members == NULL)
        return FALSE;

      bans = sotto_store_load_bans (self->store, room->id, error);
      if (bans == NULL)
        return FALSE;

      for (guint j = 0; j < bans->len; j++)
        {
          SottoStoreBan *ban = g_ptr_array_index (bans, j);

          _sotto_room_add_ban (room, ban->user, ban->banned_by, ban->banned);
        }

      for (guint j = 0; j < members->len; j++)
        {
          SottoUser *user = g_hash_table_lookup (self->users, g_ptr_array_index (members, j));

          if (user != NULL)
            _sotto_room_add_member (room, user);
        }
    }

  return TRUE;
}

SottoUser *
_sotto_user_new (gint64                   id,
                 const char              *name,
                 const SottoWireIdentity *identity)
{
  SottoUser *user = g_new0 (SottoUser, 1);

  user->id = id;
  user->name = g_strdup (name);
  user->identity = *identity;
  user->devices = g_ptr_array_new_with_free_func ((GDestroyNotify) sotto_store_device_free);
  user->sessions = g_ptr_array_new ();
  user->rooms = g_ptr_array_new ();

  return user;
}

void
_sotto_user_free (SottoUser *user)
{
  g_ptr_array_unref (user->devices);
  g_ptr_array_unref (user->sessions);
  g_ptr_array_unref (user->rooms);
  g_free (user->name);
  g_free (user);
}

/* The user's device with the signing key @sign_pk, or %NULL. */
SottoStoreDevice *
_sotto_user_find_device (SottoUser    *user,
                         const guint8 *sign_pk)
{
  for (guint i = 0; i < user->devices->len; i++)
    {
      SottoStoreDevice *device = g_ptr_array_index (user->devices, i);

      if (memcmp (device->identity.sign, sign_pk, sizeof device->identity.sign) == 0)
        return device;
    }

  return NULL;
}

/* The user's device with the store id @device_id, or %NULL. */
SottoStoreDevice *
_sotto_user_get_device (SottoUser *user,
                        gint64     device_id)
{
  for (guint i = 0; i < user->devices->len; i++)
    {
      SottoStoreDevice *device = g_ptr_array_index (user->devices, i);

      if (device->id == device_id)
        return device;
    }

  return NULL;
}

/* The user's device with exactly @identity (all three keys), or %NULL. */
SottoStoreDevice *
_sotto_user_lookup_device (SottoUser               *user,
                           const SottoWireIdentity *identity)
{
  SottoStoreDevice *device = _sotto_user_find_device (user, identity->sign);

  if (device == NULL || sodium_memcmp (&device->identity, identity, sizeof *identity) != 0)
    return NULL;
  return device;
}

/* The device a key message that names none is for: the one whose
 * identity the user's member entries show, or, when they show the
 * account's identity, which is no device's, the first device. */
SottoStoreDevice *
_sotto_user_shown_device (SottoUser *user)
{
  SottoStoreDevice *device = _sotto_user_lookup_device (user, &user->identity);

  if (device == NULL && user->devices->len > 0)
    device = g_ptr_array_index (user->devices, 0);
  return device;
}

gboolean
_sotto_user_load_devices (SottoUser   *user,
                          SottoStore  *store,
                          GError     **error)
{
  g_autoptr(GPtrArray) devices = sotto_store_load_devices (store, user->id, error);

  if (devices == NULL)
    return FALSE;
  g_ptr_array_set_size (user->devices, 0);
  g_ptr_array_extend_and_steal (user->devices, g_steal_pointer (&devices));
  return TRUE;
}

static void
room_ban_free (SottoRoomBan *ban)
{
  g_free (ban->banned_by);
  g_free (ban);
}

SottoRoom *
_sotto_room_new (gint64      id,
                 const char *name,
                 gboolean    direct,
                 const char *owner,
                 gint64      last_seq)
{
  SottoRoom *room = g_new0 (SottoRoom, 1);

  room->id = id;
  room->name = g_strdup (name);
  room->direct = direct;
  room->owner = g_strdup (owner);
  room->last_seq = last_seq;
  room->committed_seq = last_seq;
  room->members = g_ptr_array_new ();
  room->banned = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) room_ban_free);

  return room;
}

void
_sotto_room_free (SottoRoom *room)
{
  g_ptr_array_unref (room->members);
  g_hash_table_unref (room->banned);
  g_free (room->name);
  g_free (room->owner);
  g_free (room);
}

gboolean
_sotto_room_has_member (SottoRoom *room,
                        SottoUser *user)
{
  return g_ptr_array_find (room->members, user, NULL);
}

void
_sotto_room_add_member (SottoRoom *room,
                        SottoUser *user)
{
  if (!_sotto_room_has_member (room, user))
    {
      g_ptr_array_add (room->members, user);
      g_ptr_array_add (user->rooms, room);
    }
}

void
_sotto_room_remove_member (SottoRoom *room,
                           SottoUser *user)
{
  g_ptr_array_remove (room->members, user);
  g_ptr_array_remove (user->rooms, room);
}

gboolean
_sotto_room_is_banned (SottoRoom *room,
                       SottoUser *user)
{
  return g_hash_table_contains (room->banned, user->name);
}

/* Mirrors a ban the store holds; the first one of a user stays. */
void
_sotto_room_add_ban (SottoRoom  *room,
                     const char *user,
                     const char *banned_by,
                     gint64      since)
{
  SottoRoomBan *ban;

  if (g_hash_table_contains (room->banned, user))
    return;

  ban = g_new0 (SottoRoomBan, 1);
  ban->banned_by = g_strdup (banned_by);
  ban->since = since;
  g_hash_table_insert (room->banned, g_strdup (user), ban);
}

gint64
_sotto_server_now_ms (void)
{
  return g_get_real_time () / 1000;
}

SottoUser *
_sotto_server_lookup_user (SottoServerState *self,
                           const char       *name)
{
  g_autofree char *folded = g_ascii_strdown (name, -1);

  return g_hash_table_lookup (self->users, folded);
}

SottoRoom *
_sotto_server_lookup_room (SottoServerState *self,
                           const char       *name)
{
  return g_hash_table_lookup (self->rooms, name);
}

/**
 * _sotto_server_lookup_member_room:
 *
 * Returns: (nullable): the room @msg names, if it exists and the user is a
 *   member; otherwise %NULL, and @msg has been answered with the error
 */
SottoRoom *
_sotto_server_lookup_member_room (SottoServerState *self,
                                  SottoSession     *session,
                                  SottoMsg         *msg)
{
  SottoUser *user = sotto_session_get_user (session);
  const char *name = sotto_msg_get_string (msg, "room");
  SottoRoom *room = _sotto_server_lookup_room (self, name);

  if (room == NULL)
    {
      _sotto_server_reply_error (self, session, msg, SOTTO_MSG_ERROR_CODE_NO_SUCH_ROOM,
                                 _("There is no such room"));
      return NULL;
    }

  if (!_sotto_room_has_member (room, user))
    {
      _sotto_server_reply_error (self, session, msg, SOTTO_MSG_ERROR_CODE_NOT_MEMBER,
                                 _("You are not a member of this room"));
      return NULL;
    }

  return room;
}

void
_sotto_server_send_to_user (SottoServerState *self,
                            SottoUser        *user,
                            GBytes           *message,
                            SottoSession     *except)
{
  /* A send can fail a slow session; it leaves user->sessions from an
   * idle, never during this loop. */
  for (guint i = 0; i < user->sessions->len; i++)
    {
      SottoSession *session = g_ptr_array_index (user->sessions, i);

      if (session != except)
        sotto_session_send (session, message);
    }
}

/**
 * _sotto_server_request_device:
 *
 * The device of @user that @msg names in its optional "device" field, or
 * the one @user's member entries show when it names none. Answers
 * "no_such_device" and returns %NULL when @user has no such device.
 */
SottoStoreDevice *
_sotto_server_request_device (SottoServerState *self,
                              SottoSession     *session,
                              SottoMsg         *msg,
                              SottoUser        *user)
{
  g_autoptr(GBytes) named = sotto_msg_dup_bytes (msg, "device");
  SottoStoreDevice *device;

  device = named != NULL ? _sotto_user_find_device (user, g_bytes_get_data (named, NULL))
                         : _sotto_user_shown_device (user);
  if (device == NULL)
    _sotto_server_reply_error (self, session, msg, SOTTO_MSG_ERROR_CODE_NO_SUCH_DEVICE,
                               _("That user has no such device"));
  return device;
}

/* Sends @message to the user's connections from one device. */
void
_sotto_server_send_to_device (SottoServerState *self,
                              SottoUser        *user,
                              gint64            device_id,
                              GBytes           *message)
{
  for (guint i = 0; i < user->sessions->len; i++)
    {
      SottoSession *session = g_ptr_array_index (user->sessions, i);

      if (sotto_session_get_device (session) == device_id)
        sotto_session_send (session, message);
    }
}

/* The same bytes go to every online member: serialized once. */
void
_sotto_server_send_to_room (SottoServerState *self,
                            SottoRoom        *room,
                            GBytes           *message,
                            SottoSession     *except)
{
  for (guint i = 0; i < room->members->len; i++)
    _sotto_server_send_to_user (self, g_ptr_array_index (room->members, i), message, except);
}

void
_sotto_server_reply_error (SottoServerState  *self,
                           SottoSession      *session,
                           SottoMsg          *msg,
                           SottoMsgErrorCode  code,
                           const char        *message)
{
  g_autoptr(GBytes) reply = sotto_msg_build_error (msg != NULL ? sotto_msg_get_id (msg) : NULL,
                                                   code, message);

  sotto_session_send (session, reply);
}

void
_sotto_server_reply_store_error (SottoServerState *self,
                                 SottoSession     *session,
                                 SottoMsg         *msg,
                                 const GError     *error)
{
  _sotto_server_reply_store_error_to (self, session, msg != NULL ? sotto_msg_get_id (msg) : NULL,
                                      error);
}

/**
 * _sotto_held_request_new:
 * @size: of the struct to make, which starts with a #SottoHeldRequest
 *
 * Returns: (transfer full): a zeroed struct of @size bytes, its
 *   #SottoHeldRequest filled in; @session's requests are held until
 *   _sotto_held_request_free()
 */
gpointer
_sotto_held_request_new (SottoServerState *self,
                         SottoSession     *session,
                         SottoMsg         *msg,
                         const char       *name,
                         gsize             size)
{
  SottoHeldRequest *request;

  g_assert (size >= sizeof (SottoHeldRequest));

  request = g_malloc0 (size);
  request->server = self;
  request->session = g_object_ref (session);
  request->msg = msg != NULL ? sotto_msg_ref (msg) : NULL;
  request->name = g_strdup (name);
  sotto_session_hold_requests (session);

  return request;
}

/* Lets the client's later requests in again, and frees @request. */
void
_sotto_held_request_free (gpointer request)
{
  SottoHeldRequest *held = request;

  if (held == NULL)
    return;

  sotto_session_release_requests (held->session);
  g_object_unref (held->session);
  g_clear_pointer (&held->msg, sotto_msg_unref);
  g_free (held->name);
  g_free (held);
}

/* The same, for a request of which only the id is kept. */
void
_sotto_server_reply_store_error_to (SottoServerState *self,
                                    SottoSession     *session,
                                    const char       *request_id,
                                    const GError     *error)
{
  g_autoptr(GBytes) reply = NULL;

  g_warning ("Storage failure: %s", error->message);

  if (g_error_matches (error, SOTTO_STORE_ERROR, SOTTO_STORE_ERROR_FULL) ||
      g_error_matches (error, SOTTO_STORE_ERROR, SOTTO_STORE_ERROR_READ_ONLY) ||
      g_error_matches (error, SOTTO_STORE_ERROR, SOTTO_STORE_ERROR_IO))
    reply = sotto_msg_build_error (request_id, SOTTO_MSG_ERROR_CODE_OVERLOADED,
                                   _("The server cannot store anything right now; try again "
                                     "later"));
  else
    reply = sotto_msg_build_error (request_id, SOTTO_MSG_ERROR_CODE_INTERNAL,
                                   _("The server could not complete the request"));

  sotto_session_send (session, reply);
}

static void
pending_reply_free (gpointer data)
{
  SottoPendingReply *pending = data;

  g_object_unref (pending->session);
  sotto_msg_unref (pending->msg);
  g_free (pending->name);
  g_clear_pointer (&pending->reply, g_bytes_unref);
  g_free (pending);
}

/* Calls @answer with a #SottoPendingReply once everything written so far
 * is committed, or lost: nobody hears of a change that is not durable. */
void
_sotto_server_answer_after_commit (SottoServerState       *self,
                                   SottoSession           *session,
                                   SottoMsg               *msg,
                                   const char             *name,
                                   GBytes                 *reply,
                                   SottoStoreCommittedFunc answer)
{
  SottoPendingReply *pending = g_new0 (SottoPendingReply, 1);

  pending->server = self;
  pending->session = g_object_ref (session);
  pending->msg = sotto_msg_ref (msg);
  pending->name = g_strdup (name);
  pending->reply = reply != NULL ? g_bytes_ref (reply) : NULL;
  sotto_store_commit_soon (self->store, answer, pending, pending_reply_free);
}

/* Everyone who shares a room with @user and is online, once each. */
void
_sotto_server_send_to_contacts (SottoServerState *self,
                                SottoUser        *user,
                                GBytes           *message)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);

  for (guint i = 0; i < user->rooms->len; i++)
    {
      SottoRoom *room = g_ptr_array_index (user->rooms, i);

      for (guint j = 0; j < room->members->len; j++)
        {
          SottoUser *member = g_ptr_array_index (room->members, j);

          if (member != user && member->sessions->len > 0 && g_hash_table_add (seen, member))
            _sotto_server_send_to_user (self, member, message, NULL);
        }
    }
}

/**
 * _sotto_server_note_device_seen:
 *
 * One of @user's devices logged in, or its connection ended: when, in
 * memory for the account's own get_devices, and in the store.
 */
void
_sotto_server_note_device_seen (SottoServerState *self,
                                SottoUser        *user,
                                gint64            device_id)
{
  SottoStoreDevice *device = _sotto_user_get_device (user, device_id);
  gint64 now = _sotto_server_now_ms ();
  g_autoptr(GError) error = NULL;

  if (device != NULL)
    device->last_seen = now;
  if (!sotto_store_set_device_seen (self->store, device_id, now, &error))
    g_warning ("Could not note when a device of %s was seen: %s", user->name, error->message);
}

void
_sotto_server_user_online (SottoServerState *self,
                           SottoUser        *user,
                           SottoSession     *session)
{
  sotto_session_set_user (session, user);
  g_ptr_array_add (user->sessions, session);

  if (user->sessions->len == 1)
    {
      g_autoptr(GBytes) presence = sotto_msg_build_presence (user->name, TRUE);

      _sotto_server_send_to_contacts (self, user, presence);
    }
}

void
_sotto_server_user_offline (SottoServerState *self,
                            SottoUser        *user,
                            SottoSession     *session)
{
  if (!g_ptr_array_remove (user->sessions, session))
    return;

  if (!self->stopping)
    _sotto_server_note_device_seen (self, user, sotto_session_get_device (session));

  if (user->sessions->len == 0 && !self->stopping)
    {
      g_autoptr(GBytes) presence = sotto_msg_build_presence (user->name, FALSE);

      _sotto_server_send_to_contacts (self, user, presence);
    }
}
