/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sotto-client-private.h"

/*
 * Sender keys: ours is handed to every member in a box only they can
 * open, and dropped when someone leaves or changes keys; theirs arrive in
 * boxes, open the messages that waited for them, and are asked for when a
 * message comes sealed with a key we do not hold.
 */

/* How long a key held for a member the room's signed state does not hold
 * yet stays good: an honest newcomer's signed join follows their listing
 * within seconds, and whoever takes longer gets the key of that moment. */
#define HELD_KEY_LIFETIME_US (2 * G_TIME_SPAN_MINUTE)

/* The most keys held for one member. */
#define MAX_HELD_KEYS 4

/* The most key messages kept for members not known or not confirmed. */
#define MAX_EARLY_KEYS 1000

/* Our key as it was when the server listed a member whose signed join
 * had not come yet: with it they read from then on, as everyone the
 * server lists at once does. */
typedef struct
{
  SottoSenderKey *key;
  guint64         next_counter;
  gint64          held_at;
} HeldKey;

static void
held_key_free (HeldKey *held)
{
  g_clear_object (&held->key);
  g_free (held);
}

static char *
held_keys_name (const char *room,
                const char *user)
{
  return g_strconcat (room, "\n", user, NULL);
}

/* Keeps a copy of @key as it is now for @member, who is not confirmed
 * yet: once at most per key. */
static void
hold_key (SottoClient    *self,
          SottoRoom      *room,
          SottoSenderKey *key,
          guint64         next_counter,
          SottoMember    *member)
{
  g_autofree char *name = held_keys_name (sotto_room_get_name (room),
                                          sotto_member_get_user (member));
  g_autoptr(GBytes) exported = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *held = g_hash_table_lookup (self->held_keys, name);
  HeldKey *copy;

  if (held == NULL)
    {
      held = g_ptr_array_new_with_free_func ((GDestroyNotify) held_key_free);
      g_hash_table_insert (self->held_keys, g_steal_pointer (&name), held);
    }

  for (guint i = 0; i < held->len; i++)
    if (sotto_sender_key_get_key_id (((HeldKey *) g_ptr_array_index (held, i))->key) ==
        sotto_sender_key_get_key_id (key))
      return;
  if (held->len >= MAX_HELD_KEYS)
    g_ptr_array_remove_index (held, 0);

  exported = sotto_sender_key_export (key);
  copy = g_new0 (HeldKey, 1);
  copy->key = sotto_sender_key_import (exported, &error);
  copy->next_counter = next_counter;
  copy->held_at = g_get_monotonic_time ();
  if (copy->key == NULL)
    {
      g_warning ("Could not keep a key for %s: %s", sotto_member_get_user (member),
                 error->message);
      held_key_free (copy);
      return;
    }
  g_ptr_array_add (held, copy);
}

/* The counter our next message in @room carries, or 0 if unknown. */
static guint64
own_next_counter (SottoClient *self,
                  SottoRoom   *room)
{
  g_autoptr(GError) error = NULL;
  guint64 next_counter = 0;

  if (!sotto_client_store_next_counter (self->store, sotto_room_get_name (room), self->user,
                                        sotto_identity_get_public (self->identity)->sign_pk,
                                        &next_counter, &error))
    g_warning ("Could not read the next counter of %s: %s", sotto_room_get_name (room),
               error->message);
  return next_counter;
}

/* Hands our current sender key for @room to @member in a box only they
 * can open: to each of their devices, or to the one named. A member the
 * room's signed state does not hold yet gets it once it does; one it
 * keeps out gets nothing. Our own other devices get it too: they read
 * what we say. */
void
_sotto_client_give_key (SottoClient    *self,
                        SottoRoom      *room,
                        SottoSenderKey *key,
                        SottoMember    *member,
                        const guint8   *device)
{
  g_autoptr(GError) error = NULL;
  guint64 next_counter = 0;

  if (g_strcmp0 (sotto_member_get_user (member), self->user) == 0)
    {
      _sotto_client_send_key_box (self, room, key, own_next_counter (self, room), member,
                                  device);
      return;
    }

  /* New keys of a verified contact get nothing until the user accepts
   * them: whoever holds them may not be that contact. */
  if (sotto_member_get_review (member) == SOTTO_IDENTITY_REVIEW_BLOCKING)
    {
      g_info ("Not handing the key of %s to %s: their new keys are not accepted yet",
              sotto_room_get_name (room), sotto_member_get_user (member));
      return;
    }

  if (sotto_member_get_standing (member) == SOTTO_MEMBER_STANDING_REFUSED)
    {
      g_info ("Not handing the key of %s to %s: the room’s signed state keeps them out",
              sotto_room_get_name (room), sotto_member_get_user (member));
      return;
    }

  if (!sotto_client_store_next_counter (self->store, sotto_room_get_name (room), self->user,
                                        sotto_identity_get_public (self->identity)->sign_pk,
                                        &next_counter, &error))
    {
      g_warning ("Could not hand over the key of %s: %s", sotto_room_get_name (room),
                 error->message);
      return;
    }

  if (sotto_member_get_standing (member) == SOTTO_MEMBER_STANDING_UNCONFIRMED)
    {
      g_info ("Holding the key of %s for %s until the room’s signed state holds them",
              sotto_room_get_name (room), sotto_member_get_user (member));
      hold_key (self, room, key, next_counter, member);
      return;
    }

  _sotto_client_send_key_box (self, room, key, next_counter, member, device);
}

/* @member is now confirmed: they get our keys as they were when the
 * server listed them (if not long ago), and our current one. */
void
_sotto_client_hand_over_held_keys (SottoClient *self,
                                   SottoRoom   *room,
                                   SottoMember *member)
{
  g_autofree char *name = held_keys_name (sotto_room_get_name (room),
                                          sotto_member_get_user (member));
  g_autoptr(GPtrArray) held = NULL;
  g_autoptr(SottoSenderKey) current = NULL;
  gboolean current_given = FALSE;
  gint64 now = g_get_monotonic_time ();
  g_autofree char *held_name = NULL;

  g_hash_table_steal_extended (self->held_keys, name, (gpointer *) &held_name,
                               (gpointer *) &held);
  current = sotto_client_store_load_own_sender_key (self->store, sotto_room_get_name (room),
                                                    self->user, NULL);
  if (sotto_member_get_review (member) == SOTTO_IDENTITY_REVIEW_BLOCKING)
    return;

  for (guint i = 0; held != NULL && i < held->len; i++)
    {
      HeldKey *key = g_ptr_array_index (held, i);

      if (now - key->held_at > HELD_KEY_LIFETIME_US)
        continue;
      _sotto_client_send_key_box (self, room, key->key, key->next_counter, member, NULL);
      if (current != NULL &&
          sotto_sender_key_get_key_id (key->key) == sotto_sender_key_get_key_id (current))
        current_given = TRUE;
    }

  if (current != NULL && !current_given)
    _sotto_client_give_key (self, room, current, member, NULL);
}

/* Drops the keys held for @user in @room, or for everyone there if
 * @user is %NULL. */
void
_sotto_client_drop_held_keys (SottoClient *self,
                              const char  *room,
                              const char  *user)
{
  g_autofree char *prefix = g_strconcat (room, "\n", NULL);
  GHashTableIter iter;
  const char *name;

  g_hash_table_iter_init (&iter, self->held_keys);
  while (g_hash_table_iter_next (&iter, (gpointer *) &name, NULL))
    if (g_str_has_prefix (name, prefix) &&
        (user == NULL || g_str_equal (name + strlen (prefix), user)))
      g_hash_table_iter_remove (&iter);
}

static void
give_key_to_all (SottoClient    *self,
                 SottoRoom      *room,
                 SottoSenderKey *key)
{
  GListModel *members = sotto_room_get_members (room);
  guint n = g_list_model_get_n_items (members);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SottoMember) member = g_list_model_get_item (members, i);

      _sotto_client_give_key (self, room, key, member, NULL);
    }
}

/**
 * _sotto_client_hand_keys_to_device:
 * @sign_pk: (array fixed-size=32): a device our device list now names
 *
 * A new device of ours reads from now on what we say: it gets our
 * current key of every room (the keys of the others come when it asks).
 */
void
_sotto_client_hand_keys_to_device (SottoClient  *self,
                                   const guint8 *sign_pk)
{
  GListModel *rooms = sotto_client_get_rooms (self);

  for (guint i = 0; i < g_list_model_get_n_items (rooms); i++)
    {
      g_autoptr(SottoRoom) room = g_list_model_get_item (rooms, i);
      g_autoptr(SottoSenderKey) key = NULL;
      SottoMember *member = sotto_room_lookup_member (room, self->user);

      key = sotto_client_store_load_own_sender_key (self->store, sotto_room_get_name (room),
                                                    self->user, NULL);
      if (key != NULL && member != NULL)
        _sotto_client_give_key (self, room, key, member, sign_pk);
    }
}

/* Our current key of every room we share with @user, as it is now, to
 * each of their devices (or ours but this one). */
static void
hand_keys_to_user (SottoClient *self,
                   const char  *user)
{
  GListModel *rooms = sotto_client_get_rooms (self);

  for (guint i = 0; i < g_list_model_get_n_items (rooms); i++)
    {
      g_autoptr(SottoRoom) room = g_list_model_get_item (rooms, i);
      g_autoptr(SottoSenderKey) key = NULL;
      SottoMember *member = sotto_room_lookup_member (room, user);

      if (member == NULL)
        continue;
      key = sotto_client_store_load_own_sender_key (self->store, sotto_room_get_name (room),
                                                    self->user, NULL);
      if (key != NULL)
        _sotto_client_give_key (self, room, key, member, NULL);
    }
}

/* Whether a device of @before is not on @after. */
static gboolean
device_gone (const SottoDeviceList *before,
             const SottoDeviceList *after)
{
  for (guint i = 0; i < sotto_device_list_get_n_devices (before); i++)
    {
      const SottoDevice *device = sotto_device_list_get_device (before, i);

      if (_sotto_client_find_device (after, device->identity.sign_pk) == NULL)
        return TRUE;
    }
  return FALSE;
}

/* Our keys of every room we share with @user are forgotten: what we say
 * next goes under new ones, for their devices of now only. */
static void
rotate_shared (SottoClient *self,
               const char  *user)
{
  GListModel *rooms = sotto_client_get_rooms (self);

  for (guint i = 0; i < g_list_model_get_n_items (rooms); i++)
    {
      g_autoptr(SottoRoom) room = g_list_model_get_item (rooms, i);

      if (sotto_room_lookup_member (room, user) != NULL)
        _sotto_client_rotate_own_key (self, room);
    }
}

/* The list of @user before it changed, for telling what it lost. */
typedef struct
{
  SottoDeviceList *before;
} ListChange;

static void
list_change_free (ListChange *change)
{
  g_clear_pointer (&change->before, sotto_device_list_free);
  g_free (change);
}

static void
list_changed_cb (SottoClient     *self,
                 const char      *user,
                 SottoDeviceList *list,
                 gpointer         data)
{
  ListChange *change = data;

  if (self->store == NULL)
    return;

  /* A device gone must read nothing more of ours: new keys. (Without a
   * list from before, held this session, we cannot tell; a new account's
   * first list is no news either.) */
  if (change->before != NULL && (list == NULL || device_gone (change->before, list)))
    {
      g_info ("%s has a device less: new keys for the rooms we share", user);
      rotate_shared (self, user);
      return;
    }

  /* Only new devices: ours go to the whole list again (ours were already
   * handed over as they were when told, for others). */
  if (g_strcmp0 (user, self->user) == 0)
    hand_keys_to_user (self, user);
}

/* The identity the rooms hold for @user, or %NULL if we share none. */
static const SottoPublicIdentity *
account_of (SottoClient *self,
            const char  *user)
{
  GListModel *rooms = sotto_client_get_rooms (self);

  if (g_strcmp0 (user, self->user) == 0)
    return self->account_identity != NULL ? sotto_identity_get_public (self->account_identity)
                                          : NULL;

  for (guint i = 0; i < g_list_model_get_n_items (rooms); i++)
    {
      g_autoptr(SottoRoom) room = g_list_model_get_item (rooms, i);
      SottoMember *member = sotto_room_lookup_member (room, user);

      if (member != NULL)
        return sotto_member_get_identity (member);
    }
  return NULL;
}

/**
 * _sotto_client_handle_devices_changed:
 *
 * Someone we share a room with (or we, from another device) has a new
 * device list. The one we hold of them is forgotten and fetched again.
 * Another account gets our current keys as they are now, at once, which
 * their new devices lack (the boxes go to the devices of the list fetched
 * again); once the list is in, a device it no longer names means new
 * keys, so that it reads nothing we say from then on.
 */
void
_sotto_client_handle_devices_changed (SottoClient *self,
                                      SottoMsg    *msg)
{
  const char *user = sotto_msg_get_string (msg, "user");
  const SottoPublicIdentity *account = account_of (self, user);
  ListChange *change;

  if (account == NULL)
    return;

  change = g_new0 (ListChange, 1);
  change->before = _sotto_client_lookup_held_devices (self, user, account);
  if (g_strcmp0 (user, self->user) != 0)
    {
      _sotto_client_devices_changed (self, user);
      hand_keys_to_user (self, user);
    }
  _sotto_client_fetch_devices (self, user, account, list_changed_cb, change,
                               (GDestroyNotify) list_change_free);
}

/* Our key for @room; a new one is made, stored and handed to every member
 * when there is none (first send, or after a rotation). */
SottoSenderKey *
_sotto_client_ensure_own_key (SottoClient  *self,
                              SottoRoom    *room,
                              GError      **error)
{
  const char *name = sotto_room_get_name (room);
  g_autoptr(SottoSenderKey) key = NULL;
  g_autoptr(GError) local_error = NULL;

  key = sotto_client_store_load_own_sender_key (self->store, name, self->user, &local_error);
  if (key != NULL)
    return g_steal_pointer (&key);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  key = sotto_sender_key_new ();
  if (!sotto_client_store_save_sender_key (self->store, name, self->user, key, error))
    return NULL;

  give_key_to_all (self, room, key);
  return g_steal_pointer (&key);
}

/* Someone left or changed keys: what we send next must be unreadable to
 * the old keys, so our key is dropped and a new one made at the next send. */
void
_sotto_client_rotate_own_key (SottoClient *self,
                              SottoRoom   *room)
{
  g_autoptr(GError) error = NULL;

  if (!sotto_client_store_forget_sender_keys (self->store, sotto_room_get_name (room),
                                              self->user, &error))
    g_warning ("Could not rotate the key of %s: %s", sotto_room_get_name (room), error->message);
}

typedef struct
{
  const char *to;
  const char *room;
  guint32     key_id;
  /* The device asked, or NULL for the one the server picks. */
  GBytes     *device;
} KeyWanted;

static GBytes *
build_key_request (const char *id,
                   gpointer    data)
{
  KeyWanted *wanted = data;

  return sotto_msg_build_key_request (id, wanted->to, wanted->device, wanted->room,
                                      wanted->key_id);
}

/* Asks @sender for the key @envelope was sealed with, which we lack: each
 * of their devices we know of, since any of them may have sealed it. */
void
_sotto_client_ask_for_key (SottoClient *self,
                           const char  *room,
                           const char  *sender,
                           GBytes      *envelope)
{
  KeyWanted wanted = { sender, room, 0, NULL };
  g_autoptr(SottoDeviceList) list = NULL;
  SottoRoom *shown = sotto_client_lookup_room (self, room);
  SottoMember *member = shown != NULL ? sotto_room_lookup_member (shown, sender) : NULL;
  guint32 index;

  /* Our other devices hand us their keys unasked; the server takes no
   * request of ourselves. */
  if (g_strcmp0 (sender, self->user) == 0)
    return;

  sotto_envelope_peek (envelope, &wanted.key_id, &index, NULL);
  if (member != NULL)
    list = _sotto_client_lookup_devices (self, sender, sotto_member_get_identity (member));
  if (list == NULL)
    {
      _sotto_client_send_logged (self, build_key_request, &wanted, "ask for a sender key");
      return;
    }

  for (guint i = 0; i < sotto_device_list_get_n_devices (list); i++)
    {
      const SottoDevice *device = sotto_device_list_get_device (list, i);
      g_autoptr(GBytes) sign = g_bytes_new (device->identity.sign_pk,
                                            sizeof device->identity.sign_pk);

      wanted.device = sign;
      _sotto_client_send_logged (self, build_key_request, &wanted, "ask for a sender key");
    }
}

/* Opens @envelope from @sender in @room with the key we hold, if any.
 * Returns the state the message is then in, and its body if readable,
 * with @signer the device of @sender whose counter it carries (the one
 * that handed the key over, else @sender's identity); @replayed says
 * whether the key had already opened it. */
SottoMessageState
_sotto_client_open_envelope (SottoClient       *self,
                             SottoRoom         *room,
                             const char        *sender,
                             GBytes            *envelope,
                             SottoMessageBody  *body,
                             guint8            *signer,
                             gboolean          *replayed)
{
  const char *name = sotto_room_get_name (room);
  SottoMember *member = sotto_room_lookup_member (room, sender);
  g_autoptr(SottoSenderKey) key = NULL;
  g_autoptr(GBytes) plain = NULL;
  g_autoptr(GError) error = NULL;
  guint32 key_id = 0, index = 0;
  gboolean has_device = FALSE;

  memset (body, 0, sizeof *body);
  if (replayed != NULL)
    *replayed = FALSE;

  if (!sotto_envelope_peek (envelope, &key_id, &index, &error))
    return SOTTO_MESSAGE_UNVERIFIABLE;

  key = sotto_client_store_load_sender_key (self->store, name, sender, key_id, &error);
  if (key == NULL || member == NULL)
    return SOTTO_MESSAGE_WAITING_FOR_KEY;

  /* Ours, sent from this computer: ours to read only as we wrote it. */
  if (!sotto_client_store_get_sender_key_device (self->store, name, sender, key_id, signer,
                                                 &has_device, &error))
    return SOTTO_MESSAGE_WAITING_FOR_KEY;
  if (!has_device && g_strcmp0 (sender, self->user) == 0)
    return SOTTO_MESSAGE_UNVERIFIABLE;
  if (!has_device)
    memcpy (signer, sotto_member_get_identity (member)->sign_pk, SOTTO_CLIENT_STORE_DEVICE_BYTES);

  plain = sotto_envelope_open (envelope, name, sender, sotto_member_get_identity (member),
                               key, &error);
  if (plain == NULL)
    {
      g_info ("A message from %s in %s cannot be read: %s", sender, name, error->message);
      if (replayed != NULL)
        *replayed = g_error_matches (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_REPLAYED);
      return SOTTO_MESSAGE_UNVERIFIABLE;
    }

  g_clear_error (&error);
  if (!sotto_client_store_save_sender_key (self->store, name, sender, key, &error))
    g_warning ("Could not keep the key of %s: %s", sender, error->message);

  g_clear_error (&error);
  if (!sotto_message_body_decode (plain, body, &error))
    {
      g_info ("A message from %s in %s cannot be read: %s", sender, name, error->message);
      return SOTTO_MESSAGE_UNVERIFIABLE;
    }

  return SOTTO_MESSAGE_RECEIVED;
}

/* A key arrived: messages that waited for it are opened in place. One
 * that turns out to be a replay stays unreadable. */
static void
retry_waiting (SottoClient *self,
               SottoRoom   *room,
               const char  *sender)
{
  g_autoptr(GPtrArray) stored = NULL;
  g_autoptr(GError) error = NULL;

  stored = sotto_client_store_list_messages (self->store, sotto_room_get_name (room),
                                             SOTTO_STORED_MESSAGE_WAITING_FOR_KEY, &error);
  if (stored == NULL)
    return;

  for (guint i = 0; i < stored->len; i++)
    {
      SottoStoredMessage *waiting = g_ptr_array_index (stored, i);
      g_auto(SottoMessageBody) body = { 0 };
      g_autoptr(GBytes) content = NULL;
      g_autoptr(GError) update_error = NULL;
      g_autofree char *text = NULL;
      g_autoptr(SottoFileMessage) file = NULL;
      g_autoptr(SottoMessageAction) action = NULL;
      SottoMessageMarks marks = SOTTO_MESSAGE_MARK_NONE;
      SottoMessageState state;
      SottoMessage *message;
      guint8 signer[SOTTO_CLIENT_STORE_DEVICE_BYTES];

      if (g_strcmp0 (waiting->sender, sender) != 0)
        continue;

      state = _sotto_client_open_envelope (self, room, sender, waiting->body, &body, signer,
                                           NULL);
      if (state == SOTTO_MESSAGE_WAITING_FOR_KEY)
        continue;
      if (state == SOTTO_MESSAGE_RECEIVED &&
          !_sotto_client_check_order (self, room, sender, signer, &body, waiting->seq,
                                      waiting->ts, &marks))
        state = SOTTO_MESSAGE_UNVERIFIABLE;

      if (state == SOTTO_MESSAGE_RECEIVED)
        {
          _sotto_client_check_view (self, room, sender, &body);
          content = _sotto_client_stored_content (&body);
          text = _sotto_client_read_body (&body, &file, &action);
        }

      if (!sotto_client_store_update_message (self->store, sotto_room_get_name (room), sender,
                                              waiting->msg_id,
                                              (SottoStoredMessageState) state, 0, content,
                                              &update_error) ||
          (state == SOTTO_MESSAGE_RECEIVED &&
           !sotto_client_store_set_message_order (self->store, sotto_room_get_name (room),
                                                  sender, waiting->msg_id, body.counter,
                                                  body.sent_at, marks, signer, &update_error)))
        g_warning ("Could not update a message: %s", update_error->message);

      message = sotto_room_lookup_message (room, sender, waiting->msg_id);
      if (message != NULL && action != NULL &&
          action->type != SOTTO_MESSAGE_BODY_REPLY)
        {
          /* An edit, a deletion or a reaction that opened late: not a row,
           * it goes to the message it names (the room drops the row). */
          g_autoptr(SottoMessage) opened = sotto_message_new (sotto_room_get_name (room), sender,
                                                              waiting->msg_id, waiting->seq,
                                                              waiting->ts, state, text);

          sotto_message_set_action (opened, action);
          sotto_message_set_order (opened, body.counter, body.sent_at, marks);
          _sotto_client_set_device (self, opened, signer);
          sotto_room_add_message (room, opened);
        }
      else if (message != NULL)
        {
          if (state == SOTTO_MESSAGE_RECEIVED)
            {
              sotto_message_set_order (message, body.counter, body.sent_at, marks);
              _sotto_client_set_device (self, message, signer);
            }
          if (file != NULL)
            sotto_message_set_file (message, file);
          if (action != NULL)
            sotto_message_set_action (message, action);
          sotto_room_update_message (room, message, state, 0, 0, text);
          sotto_room_note_counter (room, message);
        }
    }

  _sotto_client_settle_order (self, room, sender);
}

typedef struct
{
  gint64 kid;
} KeyAck;

static GBytes *
build_ack (const char *id,
           gpointer    data)
{
  KeyAck *ack = data;

  return sotto_msg_build_ack_keys (id, &ack->kid, 1);
}

/* Keeps a key message until its room's members are known, or its sender
 * confirmed; only so many. */
static void
keep_early (SottoClient *self,
            SottoMsg    *msg)
{
  if (self->early_keys->len < MAX_EARLY_KEYS)
    g_ptr_array_add (self->early_keys, sotto_msg_ref (msg));
}

typedef enum
{
  SENDER_KNOWN,
  SENDER_UNKNOWN,
  SENDER_REFUSED,
  SENDER_SELF,
} SenderDevice;

/* The identity of the device of @from that sent @msg, in @identity. */
static SenderDevice
sender_device (SottoClient         *self,
               SottoMsg            *msg,
               const char          *from,
               SottoMember         *member,
               gboolean             refetched,
               SottoPublicIdentity *identity)
{
  const SottoPublicIdentity *account = sotto_member_get_identity (member);
  g_autoptr(GBytes) named = sotto_msg_dup_bytes (msg, "device");
  g_autoptr(SottoDeviceList) list = NULL;
  const SottoDevice *device;
  const guint8 *sign;

  /* From a server that does not tell, or a sender without devices. */
  if (named == NULL)
    {
      *identity = *account;
      return SENDER_KNOWN;
    }

  sign = g_bytes_get_data (named, NULL);
  if (memcmp (sign, sotto_identity_get_public (self->identity)->sign_pk, 32) == 0)
    return SENDER_SELF;

  list = _sotto_client_lookup_devices (self, from, account);
  device = _sotto_client_find_device (list, sign);
  if (device != NULL)
    {
      *identity = device->identity;
      return SENDER_KNOWN;
    }
  if (list == NULL && memcmp (sign, account->sign_pk, 32) == 0)
    {
      *identity = *account;
      return SENDER_KNOWN;
    }

  return refetched ? SENDER_REFUSED : SENDER_UNKNOWN;
}

/* A key message from a device we did not know, waiting on its sender's
 * device list. */
typedef struct
{
  SottoMsg *msg;
} LateKey;

static void
late_key_free (LateKey *late)
{
  sotto_msg_unref (late->msg);
  g_free (late);
}

static void handle_key (SottoClient *self,
                        SottoMsg    *msg,
                        gboolean     refetched);

static void
late_key_cb (SottoClient     *self,
             const char      *user,
             SottoDeviceList *list,
             gpointer         data)
{
  LateKey *late = data;

  if (self->store != NULL)
    handle_key (self, late->msg, TRUE);
}

void
_sotto_client_handle_key (SottoClient *self,
                          SottoMsg    *msg)
{
  handle_key (self, msg, FALSE);
}

static void
handle_key (SottoClient *self,
            SottoMsg    *msg,
            gboolean     refetched)
{
  const char *name = sotto_msg_get_string (msg, "room");
  const char *from = sotto_msg_get_string (msg, "from");
  SottoRoom *room = sotto_client_lookup_room (self, name);
  SottoMember *member = room != NULL ? sotto_room_lookup_member (room, from) : NULL;
  g_autoptr(GBytes) box = sotto_msg_dup_bytes (msg, "box");
  g_autoptr(SottoSenderKey) key = NULL;
  g_autoptr(SottoSenderKey) known = NULL;
  g_autoptr(GError) error = NULL;
  guint64 next_counter = 0;
  SottoPublicIdentity sender;
  KeyAck ack = { sotto_msg_get_int (msg, "kid") };

  /* At login the keys come before the members are listed: keep them until
   * they are. A key from someone who is not a member stays queued on the
   * server, unacknowledged. */
  if (member == NULL)
    {
      if (room != NULL && !sotto_room_get_loaded (room))
        keep_early (self, msg);
      return;
    }

  /* Nor is one opened from a member the room's signed state does not
   * hold: what they say stays unread until it does, and is never read if
   * it keeps them out. */
  switch (sotto_member_get_standing (member))
    {
    case SOTTO_MEMBER_STANDING_UNCONFIRMED:
      keep_early (self, msg);
      return;
    case SOTTO_MEMBER_STANDING_REFUSED:
      g_info ("Not taking the key of %s in %s: the room’s signed state keeps them out",
              from, name);
      return;
    case SOTTO_MEMBER_STANDING_CONFIRMED:
    default:
      break;
    }

  /* Which of their devices sealed it: one their signed device list
   * names, or their identity itself where it signs no list. One we do not
   * know of yet may be new: their list is fetched again first. */
  switch (sender_device (self, msg, from, member, refetched, &sender))
    {
    case SENDER_UNKNOWN:
      {
        LateKey *late = g_new0 (LateKey, 1);

        late->msg = sotto_msg_ref (msg);
        _sotto_client_fetch_devices (self, from, sotto_member_get_identity (member),
                                     late_key_cb, late, (GDestroyNotify) late_key_free);
        return;
      }
    case SENDER_REFUSED:
      g_info ("A key box from %s for %s comes from no device of theirs", from, name);
      _sotto_client_send_logged (self, build_ack, &ack, "acknowledge a key");
      return;
    case SENDER_SELF:
      _sotto_client_send_logged (self, build_ack, &ack, "acknowledge a key");
      return;
    case SENDER_KNOWN:
    default:
      break;
    }

  /* Sealed to our prekeys, or, from a client that fetches none, between
   * identity keys. */
  if (sotto_sender_key_box_is_prekeyed (box))
    {
      key = sotto_sender_key_open_prekeyed (box, name, self->identity, from, &sender,
                                            _sotto_client_lookup_prekey, self, &next_counter,
                                            &error);
      if (key != NULL)
        _sotto_client_prekey_used (self, box);
    }
  else
    key = sotto_sender_key_open_from (box, name, self->identity, from, &sender, &next_counter,
                                      &error);
  if (key == NULL)
    g_info ("A key box from %s for %s cannot be opened: %s", from, name, error->message);
  else
    {
      _sotto_client_anchor_order (self, room, from, sender.sign_pk, next_counter);
      known = sotto_client_store_load_sender_key (self->store, name, from,
                                                  sotto_sender_key_get_key_id (key), NULL);
      /* A key we already hold may have moved on: keep ours. */
      if (known == NULL &&
          !sotto_client_store_save_sender_key_from (self->store, name, from, sender.sign_pk, key,
                                                    &error))
        {
          g_warning ("Could not keep the key of %s: %s", from, error->message);
          return;
        }
    }

  _sotto_client_send_logged (self, build_ack, &ack, "acknowledge a key");
  if (key != NULL)
    retry_waiting (self, room, from);
}

void
_sotto_client_handle_key_requested (SottoClient *self,
                                    SottoMsg    *msg)
{
  const char *name = sotto_msg_get_string (msg, "room");
  const char *from = sotto_msg_get_string (msg, "from");
  SottoRoom *room = sotto_client_lookup_room (self, name);
  SottoMember *member = room != NULL ? sotto_room_lookup_member (room, from) : NULL;
  g_autoptr(SottoSenderKey) key = NULL;
  g_autoptr(GBytes) device = sotto_msg_dup_bytes (msg, "device");
  KeyAck ack = { sotto_msg_get_int (msg, "kid") };

  /* At login the requests come before the members are listed: keep them
   * until they are. Only a member ever gets our key. */
  if (member == NULL && room != NULL && !sotto_room_get_loaded (room))
    {
      keep_early (self, msg);
      return;
    }

  /* To the device that asked, if the request says which. */
  if (member != NULL)
    key = sotto_client_store_load_own_sender_key (self->store, name, self->user, NULL);
  if (key != NULL)
    _sotto_client_give_key (self, room, key, member,
                            device != NULL && g_bytes_get_size (device) == 32
                            ? g_bytes_get_data (device, NULL) : NULL);

  _sotto_client_send_logged (self, build_ack, &ack, "acknowledge a key request");
}

/* With the members of @room known, the key messages that came before
 * them can be opened or answered; those of other rooms wait on. */
void
_sotto_client_replay_early_keys (SottoClient *self,
                                 SottoRoom   *room)
{
  g_autoptr(GPtrArray) early = g_steal_pointer (&self->early_keys);

  self->early_keys = g_ptr_array_new_with_free_func ((GDestroyNotify) sotto_msg_unref);
  for (guint i = 0; i < early->len; i++)
    {
      SottoMsg *key = g_ptr_array_index (early, i);

      if (g_strcmp0 (sotto_msg_get_string (key, "room"), sotto_room_get_name (room)) != 0)
        g_ptr_array_add (self->early_keys, sotto_msg_ref (key));
      else if (sotto_msg_get_msg_type (key) == SOTTO_MSG_TYPE_KEY_REQUESTED)
        _sotto_client_handle_key_requested (self, key);
      else
        _sotto_client_handle_key (self, key);
    }
}
