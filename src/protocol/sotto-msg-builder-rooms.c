/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "sotto-msg-builder.h"
#include "sotto-msg-builder-private.h"

/* Server → client: rooms, their members and what happens to them. */

static void
add_rooms (JsonBuilder                *builder,
           const SottoWireRoomSummary *rooms,
           gsize                       n_rooms)
{
  json_builder_set_member_name (builder, "rooms");
  json_builder_begin_array (builder);

  for (gsize i = 0; i < n_rooms; i++)
    {
      json_builder_begin_object (builder);
      add_string (builder, "room", rooms[i].room);
      add_int (builder, "members", rooms[i].members);
      add_bool (builder, "direct", rooms[i].direct);
      add_int (builder, "last_seq", rooms[i].last_seq);
      json_builder_end_object (builder);
    }

  json_builder_end_array (builder);
}

static void
add_members (JsonBuilder           *builder,
             const SottoWireMember *members,
             gsize                  n_members)
{
  json_builder_set_member_name (builder, "members");
  json_builder_begin_array (builder);

  for (gsize i = 0; i < n_members; i++)
    {
      json_builder_begin_object (builder);
      add_string (builder, "user", members[i].user);
      add_identity (builder, &members[i].identity);
      add_bool (builder, "online", members[i].online);
      json_builder_end_object (builder);
    }

  json_builder_end_array (builder);
}

static void
add_owner (JsonBuilder *builder,
           const char  *owner)
{
  if (owner != NULL)
    add_string (builder, "owner", owner);
}

static gboolean
rooms_are_valid (const SottoWireRoomSummary *rooms,
                 gsize                       n_rooms)
{
  if (rooms == NULL)
    return n_rooms == 0;

  for (gsize i = 0; i < n_rooms; i++)
    {
      if (rooms[i].room == NULL)
        return FALSE;
    }

  return TRUE;
}

static gboolean
members_are_valid (const SottoWireMember *members,
                   gsize                  n_members)
{
  if (members == NULL)
    return n_members == 0;

  for (gsize i = 0; i < n_members; i++)
    {
      if (members[i].user == NULL)
        return FALSE;
    }

  return TRUE;
}

static gboolean
bans_are_valid (const SottoWireBan *bans,
                gsize               n_bans)
{
  if (bans == NULL)
    return n_bans == 0;

  for (gsize i = 0; i < n_bans; i++)
    {
      if (bans[i].user == NULL)
        return FALSE;
    }

  return TRUE;
}

GBytes *
sotto_msg_build_session (const char                 *id,
                         const char                 *user,
                         const SottoWireIdentity    *identity,
                         const SottoWireRoomSummary *rooms,
                         gsize                       n_rooms)
{
  JsonBuilder *builder;

  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (user != NULL, NULL);
  g_return_val_if_fail (identity != NULL, NULL);
  g_return_val_if_fail (rooms_are_valid (rooms, n_rooms), NULL);

  builder = begin_request ("session", id);
  add_string (builder, "user", user);
  add_identity (builder, identity);
  add_rooms (builder, rooms, n_rooms);

  return end_message (builder);
}

GBytes *
sotto_msg_build_room_list (const char                 *id,
                           const SottoWireRoomSummary *rooms,
                           gsize                       n_rooms)
{
  JsonBuilder *builder;

  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (rooms_are_valid (rooms, n_rooms), NULL);

  builder = begin_request ("room_list", id);
  add_rooms (builder, rooms, n_rooms);

  return end_message (builder);
}

/**
 * sotto_msg_build_members:
 * @owner: (nullable): who created the room, %NULL for a direct chat or a
 *   room nobody created
 * @state_length: how many events the room's state chain holds
 */
GBytes *
sotto_msg_build_members (const char            *id,
                         const char            *room,
                         const char            *owner,
                         gint64                 state_length,
                         const SottoWireMember *members,
                         gsize                  n_members)
{
  JsonBuilder *builder;

  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (room != NULL, NULL);
  g_return_val_if_fail (members_are_valid (members, n_members), NULL);

  builder = begin_room_request ("members", id, room);
  add_owner (builder, owner);
  add_int (builder, "state_length", state_length);
  add_members (builder, members, n_members);

  return end_message (builder);
}

/**
 * sotto_msg_build_joined:
 * @owner: (nullable): who created the room, as for sotto_msg_build_members()
 * @state_length: how many events the room's state chain holds
 */
GBytes *
sotto_msg_build_joined (const char            *id,
                        const char            *room,
                        const char            *owner,
                        gboolean               direct,
                        gint64                 last_seq,
                        gint64                 state_length,
                        const SottoWireMember *members,
                        gsize                  n_members)
{
  JsonBuilder *builder;

  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (room != NULL, NULL);
  g_return_val_if_fail (members_are_valid (members, n_members), NULL);

  builder = begin_room_request ("joined", id, room);
  add_owner (builder, owner);
  add_bool (builder, "direct", direct);
  add_int (builder, "last_seq", last_seq);
  add_int (builder, "state_length", state_length);
  add_members (builder, members, n_members);

  return end_message (builder);
}

/**
 * sotto_msg_build_bans:
 * @bans: (array length=n_bans): who may not join @room again; the
 *   banned_by of a ban is %NULL when the server's operator banned
 */
GBytes *
sotto_msg_build_bans (const char         *id,
                      const char         *room,
                      const SottoWireBan *bans,
                      gsize               n_bans)
{
  JsonBuilder *builder;

  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (room != NULL, NULL);
  g_return_val_if_fail (bans_are_valid (bans, n_bans), NULL);

  builder = begin_room_request ("bans", id, room);
  json_builder_set_member_name (builder, "bans");
  json_builder_begin_array (builder);
  for (gsize i = 0; i < n_bans; i++)
    {
      json_builder_begin_object (builder);
      add_string (builder, "user", bans[i].user);
      if (bans[i].banned_by != NULL)
        add_string (builder, "banned_by", bans[i].banned_by);
      add_int (builder, "ts", bans[i].ts);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  return end_message (builder);
}

static GBytes *
build_member_identity_event (const char              *type,
                             const char              *room,
                             gint64                   seq,
                             gint64                   ts,
                             const char              *user,
                             const SottoWireIdentity *identity)
{
  JsonBuilder *builder = begin_message (type);

  add_string (builder, "room", room);
  add_int (builder, "seq", seq);
  add_int (builder, "ts", ts);
  add_string (builder, "user", user);
  add_identity (builder, identity);

  return end_message (builder);
}

GBytes *
sotto_msg_build_member_joined (const char              *room,
                               gint64                   seq,
                               gint64                   ts,
                               const char              *user,
                               const SottoWireIdentity *identity)
{
  g_return_val_if_fail (room != NULL, NULL);
  g_return_val_if_fail (user != NULL, NULL);
  g_return_val_if_fail (identity != NULL, NULL);

  return build_member_identity_event ("member_joined", room, seq, ts, user, identity);
}

GBytes *
sotto_msg_build_member_left (const char          *room,
                             gint64               seq,
                             gint64               ts,
                             const char          *user,
                             SottoMsgLeaveReason  reason)
{
  const char *reason_str = sotto_msg_leave_reason_to_string (reason);
  JsonBuilder *builder;

  g_return_val_if_fail (room != NULL, NULL);
  g_return_val_if_fail (user != NULL, NULL);
  g_return_val_if_fail (reason_str != NULL, NULL);

  builder = begin_message ("member_left");
  add_string (builder, "room", room);
  add_int (builder, "seq", seq);
  add_int (builder, "ts", ts);
  add_string (builder, "user", user);
  add_string (builder, "reason", reason_str);

  return end_message (builder);
}

GBytes *
sotto_msg_build_key_changed (const char              *room,
                             gint64                   seq,
                             gint64                   ts,
                             const char              *user,
                             const SottoWireIdentity *identity)
{
  g_return_val_if_fail (room != NULL, NULL);
  g_return_val_if_fail (user != NULL, NULL);
  g_return_val_if_fail (identity != NULL, NULL);

  return build_member_identity_event ("key_changed", room, seq, ts, user, identity);
}

GBytes *
sotto_msg_build_presence (const char *user,
                          gboolean    online)
{
  JsonBuilder *builder;

  g_return_val_if_fail (user != NULL, NULL);

  builder = begin_message ("presence");
  add_string (builder, "user", user);
  add_bool (builder, "online", online);

  return end_message (builder);
}

GBytes *
sotto_msg_build_typing_event (const char *room,
                              const char *user)
{
  JsonBuilder *builder;

  g_return_val_if_fail (room != NULL, NULL);
  g_return_val_if_fail (user != NULL, NULL);

  builder = begin_message ("typing");
  add_string (builder, "room", room);
  add_string (builder, "user", user);

  return end_message (builder);
}
