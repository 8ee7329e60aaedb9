/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sotto-client-private.h"

/*
 * A room's members, asked for at login or when the server says the room
 * changed: who is in it, then which of them its signed state confirms,
 * then what it missed, and then what waited in its outbox.
 */

/* Caught up: the room's members and what it missed are current, and what
 * waited in its outbox is sealed for them. */
static void
caught_up_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  SottoClient *self = SOTTO_CLIENT (object);
  g_autofree char *room = user_data;
  g_autoptr(GError) error = NULL;
  SottoRoom *caught_up;

  /* A catch-up cut short (the connection dropped, most often) leaves the
   * room's outbox waiting for the next session's. */
  if (!_sotto_client_catch_up_missed_finish (self, result, &error))
    return;

  g_hash_table_remove (self->rooms_catching_up, room);
  /* Nothing more is on its way: what is still missing was withheld. */
  caught_up = sotto_client_lookup_room (self, room);
  if (caught_up != NULL)
    _sotto_client_settle_order (self, caught_up, NULL);
  _sotto_client_flush_outbox (self, room);
}

/* Takes out of @room whoever it still shows and the server no longer
 * lists: someone who left while the connection was down. Their going
 * ends our key as a departure seen live does. */
static void
drop_departed_members (SottoClient *self,
                       SottoRoom   *room,
                       GHashTable  *listed)
{
  GListModel *members = sotto_room_get_members (room);
  gboolean departed = FALSE;

  for (guint i = g_list_model_get_n_items (members); i > 0; i--)
    {
      g_autoptr(SottoMember) member = g_list_model_get_item (members, i - 1);
      const char *user = sotto_member_get_user (member);

      if (!g_hash_table_contains (listed, user))
        {
          sotto_room_remove_member (room, user);
          departed = TRUE;
        }
    }

  if (departed)
    _sotto_client_rotate_own_key (self, room);
}

static void
state_synced_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  SottoClient *self = SOTTO_CLIENT (object);
  g_autofree char *name = user_data;
  SottoRoom *room;

  /* Cut short (the connection dropped, most often), the room waits for
   * the next session, as after an unanswered member list. */
  if (!_sotto_client_sync_state_finish (self, result, NULL))
    return;
  room = self->store != NULL ? sotto_client_lookup_room (self, name) : NULL;
  if (room == NULL)
    return;

  /* Banned while away: we leave, as after a kick. */
  if (_sotto_client_leave_if_banned (self, room, FALSE))
    return;

  /* Loaded: who is in it, and who of them the room confirms, is known. */
  sotto_room_set_loaded (room, TRUE);
  _sotto_client_reconcile_bans (self, room);
  _sotto_client_replay_early_keys (self, room);
  _sotto_client_catch_up_missed_async (self, room, caught_up_cb, g_steal_pointer (&name));
}

static void
members_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(SottoClient) self = user_data;
  g_autoptr(SottoMsg) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) listed = NULL;
  SottoRoom *room;
  SottoWireMember member;

  /* Unanswered, the room stays behind: its outbox waits for the next
   * session, and other rooms go on without it. */
  reply = sotto_connection_request_finish (SOTTO_CONNECTION (object), result, &error);
  if (reply == NULL || self->store == NULL)
    return;

  room = sotto_client_lookup_room (self, sotto_msg_get_string (reply, "room"));
  if (room == NULL)
    return;

  listed = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < json_array_get_length (sotto_msg_get_array (reply, "members")); i++)
    if (sotto_msg_get_member (reply, i, &member))
      {
        _sotto_client_set_member (self, room, member.user, &member.identity, member.online);
        g_hash_table_add (listed, (gpointer) member.user);
      }
  drop_departed_members (self, room, listed);
  sotto_room_set_owner (room, sotto_msg_get_string (reply, "owner"));

  /* With the members known, the room's signed state says which of them
   * are confirmed; then their keys can be opened, then what was missed,
   * and then what waited to be sent. */
  _sotto_client_sync_state_async (self, room, sotto_msg_get_int (reply, "state_length"),
                                  state_synced_cb, g_strdup (sotto_room_get_name (room)));
}

/* Asks who is in @room; a room is loaded once they are known. */
void
_sotto_client_load_members (SottoClient *self,
                            const char  *room)
{
  g_autofree char *id = sotto_connection_next_id (self->connection);
  g_autoptr(GBytes) request = sotto_msg_build_list_members (id, room);

  sotto_connection_request_async (self->connection, id, request, self->cancellable,
                                  members_done_cb, g_object_ref (self));
}
