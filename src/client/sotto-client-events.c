/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "sotto-client-private.h"

/*
 * What the server sends on its own: room events, presence, keys, typing
 * and notices, live or from a catch-up. A table gives each type its
 * handler, as the server's dispatch table does for requests.
 */

/* Tells in the room what happened in it (a join, a departure, a key
 * change), once, at its place in the order of the room's events, and
 * keeps it in the history, so that it is there after a restart too. */
static void
add_system_row (SottoClient *self,
                SottoRoom   *room,
                SottoMsg    *msg,
                const char  *text)
{
  gint64 seq = sotto_msg_get_int (msg, "seq");
  gint64 ts = sotto_msg_get_int (msg, "ts");
  const char *user = sotto_msg_get_string (msg, "user");
  g_autoptr(SottoMessage) row = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  if (sotto_room_has_seq (room, seq))
    return;

  body = g_bytes_new (text, strlen (text));
  if (seq > 0 && self->store != NULL &&
      !sotto_client_store_add_message (self->store, sotto_room_get_name (room),
                                       user != NULL ? user : "", NULL, seq, ts,
                                       SOTTO_STORED_MESSAGE_SYSTEM, body, NULL, &error))
    g_warning ("Could not keep an event of %s: %s", sotto_room_get_name (room), error->message);
  row = sotto_message_new (sotto_room_get_name (room), user, NULL, seq, ts, SOTTO_MESSAGE_SYSTEM,
                           text);
  sotto_room_add_message (room, row);
}

/* Whether the event numbered @seq in @room is older than the room's
 * member list of this session: a catch-up brings back joins and key
 * changes that the list already holds in their latest state. Applying
 * them again would show old keys as changes, and bring back people who
 * left since. */
static gboolean
before_member_list (SottoClient *self,
                    const char  *room,
                    gint64       seq)
{
  const gint64 *as_of = g_hash_table_lookup (self->members_as_of, room);

  return as_of != NULL && seq <= *as_of;
}

/* Someone opened a direct chat with us, or we joined elsewhere: the room
 * is new here, and all of it is caught up. Otherwise a member came. */
static void
handle_member_joined (SottoClient *self,
                      SottoMsg    *msg)
{
  const char *name = sotto_msg_get_string (msg, "room");
  const char *user = sotto_msg_get_string (msg, "user");
  SottoRoom *room = sotto_client_lookup_room (self, name);
  g_autoptr(SottoSenderKey) key = NULL;
  g_autofree char *text = NULL;
  SottoWireIdentity wire;
  SottoMember *member;

  if (room == NULL && g_strcmp0 (user, self->user) == 0)
    {
      _sotto_client_ensure_room (self, name, sotto_protocol_room_is_direct (name));
      _sotto_client_load_members (self, name);
      return;
    }
  if (room == NULL)
    {
      g_autofree char *peer = sotto_protocol_direct_room_peer (name, self->user);

      if (peer != NULL)
        _sotto_client_emit_direct_chat_started (self, name, peer);
      return;
    }

  _sotto_client_remember_seq (self, name, sotto_msg_get_int (msg, "seq"));
  /* In a direct chat, the two are there: nobody "joins". */
  text = g_strdup_printf (_("%s joined"), user);
  if (!sotto_room_get_direct (room))
    add_system_row (self, room, msg, text);
  if (!before_member_list (self, name, sotto_msg_get_int (msg, "seq")))
    {
      sotto_msg_get_identity (msg, &wire);
      _sotto_client_set_member (self, room, user, &wire, TRUE);
    }

  /* The newcomer gets our key from where it is now: nothing before. */
  key = sotto_client_store_load_own_sender_key (self->store, name, self->user, NULL);
  member = sotto_room_lookup_member (room, user);
  if (key != NULL && member != NULL)
    _sotto_client_give_key (self, room, key, member, NULL);
}

static void
handle_member_left (SottoClient *self,
                    SottoMsg    *msg)
{
  const char *user = sotto_msg_get_string (msg, "user");
  SottoRoom *room = sotto_client_lookup_room (self, sotto_msg_get_string (msg, "room"));
  g_autofree char *text = NULL;

  if (room == NULL)
    return;

  _sotto_client_remember_seq (self, sotto_room_get_name (room), sotto_msg_get_int (msg, "seq"));
  if (g_strcmp0 (user, self->user) == 0)
    {
      g_autoptr(SottoRoom) gone = g_object_ref (room);
      g_autoptr(GError) error = NULL;

      /* Gone as after leaving: the room, its history and its keys are
       * forgotten, and what is said there until a return is not ours. */
      _sotto_client_drop_room (self, gone);
      _sotto_client_forget_state (self, sotto_room_get_name (gone));
      if (!sotto_client_store_forget_room (self->store, sotto_room_get_name (gone), &error))
        g_warning ("Could not forget the room %s: %s", sotto_room_get_name (gone),
                   error->message);
      if (sotto_msg_get_leave_reason (msg) == SOTTO_MSG_LEAVE_REASON_KICKED)
        _sotto_client_emit_removed_from_room (self, gone);
      return;
    }

  text = g_strdup_printf (sotto_msg_get_leave_reason (msg) == SOTTO_MSG_LEAVE_REASON_KICKED
                          ? _("%s was removed") : _("%s left"), user);
  add_system_row (self, room, msg, text);
  /* The member list took out whoever had gone, and ended our key. */
  if (before_member_list (self, sotto_room_get_name (room), sotto_msg_get_int (msg, "seq")))
    return;
  sotto_room_remove_member (room, user);
  _sotto_client_drop_held_keys (self, sotto_room_get_name (room), user);
  _sotto_client_rotate_own_key (self, room);
}

static void
handle_key_changed (SottoClient *self,
                    SottoMsg    *msg)
{
  const char *user = sotto_msg_get_string (msg, "user");
  SottoRoom *room = sotto_client_lookup_room (self, sotto_msg_get_string (msg, "room"));
  g_autofree char *text = NULL;
  SottoWireIdentity wire;

  if (room == NULL)
    return;

  _sotto_client_remember_seq (self, sotto_room_get_name (room), sotto_msg_get_int (msg, "seq"));
  text = g_strdup_printf (_("%s’s safety number changed"), user);
  add_system_row (self, room, msg, text);
  if (before_member_list (self, sotto_room_get_name (room), sotto_msg_get_int (msg, "seq")))
    return;
  sotto_msg_get_identity (msg, &wire);
  _sotto_client_set_member (self, room, user, &wire, TRUE);
  _sotto_client_rotate_own_key (self, room);
}

static void
handle_presence (SottoClient *self,
                 SottoMsg    *msg)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->rooms));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SottoRoom) room = g_list_model_get_item (G_LIST_MODEL (self->rooms), i);
      SottoMember *member = sotto_room_lookup_member (room, sotto_msg_get_string (msg, "user"));

      if (member != NULL)
        sotto_member_set_online (member, sotto_msg_get_bool (msg, "online"));
    }
}

static void
handle_typing (SottoClient *self,
               SottoMsg    *msg)
{
  SottoRoom *room = sotto_client_lookup_room (self, sotto_msg_get_string (msg, "room"));

  if (room != NULL)
    sotto_room_set_typing (room, sotto_msg_get_string (msg, "user"), TRUE);
}

static void
handle_notice (SottoClient *self,
               SottoMsg    *msg)
{
  _sotto_client_emit_notice (self, sotto_msg_get_string (msg, "text"));
}

typedef void (*EventHandler) (SottoClient *self,
                              SottoMsg    *msg);

/* Handles an event of the connection; events of types not listed, and
 * those that need a login before there is one, are dropped. */
void
_sotto_client_handle_event (SottoConnection *connection,
                            SottoMsg        *msg,
                            gpointer         user_data)
{
  static const struct {
    SottoMsgType type;
    gboolean     needs_login;
    EventHandler handler;
  } handlers[] = {
    { SOTTO_MSG_TYPE_MESSAGE, TRUE, _sotto_client_receive_message },
    { SOTTO_MSG_TYPE_MEMBER_JOINED, TRUE, handle_member_joined },
    { SOTTO_MSG_TYPE_MEMBER_LEFT, TRUE, handle_member_left },
    { SOTTO_MSG_TYPE_KEY_CHANGED, TRUE, handle_key_changed },
    { SOTTO_MSG_TYPE_PRESENCE, TRUE, handle_presence },
    { SOTTO_MSG_TYPE_KEY, TRUE, _sotto_client_handle_key },
    { SOTTO_MSG_TYPE_KEY_REQUESTED, TRUE, _sotto_client_handle_key_requested },
    { SOTTO_MSG_TYPE_TYPING, TRUE, handle_typing },
    { SOTTO_MSG_TYPE_NOTICE, TRUE, handle_notice },
    { SOTTO_MSG_TYPE_STATE_EVENT, TRUE, _sotto_client_handle_state_event },
    { SOTTO_MSG_TYPE_DEVICES_CHANGED, TRUE, _sotto_client_handle_devices_changed },
    { SOTTO_MSG_TYPE_HISTORY, TRUE, _sotto_client_handle_history },
  };
  SottoClient *self = user_data;
  SottoMsgType type = sotto_msg_get_msg_type (msg);
  gboolean logged_in = self->store != NULL && self->user != NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (handlers); i++)
    {
      if (handlers[i].type != type)
        continue;

      if (handlers[i].needs_login && !logged_in)
        return;

      handlers[i].handler (self, msg);
      return;
    }
}
