/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "sotto-msg-builder.h"
#include "sotto-msg-builder-private.h"

/* Server → client */

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

GBytes *
sotto_msg_build_welcome (const char *server_version,
                         gint64      protocol,
                         gint64      min_password,
                         gint64      max_frame)
{
  JsonBuilder *builder;

  g_return_val_if_fail (server_version != NULL, NULL);

  builder = begin_message ("welcome");
  add_string (builder, "server_version", server_version);
  add_int (builder, "protocol", protocol);
  add_int (builder, "min_password", min_password);
  add_int (builder, "max_frame", max_frame);

  return end_message (builder);
}

GBytes *
sotto_msg_build_ok (const char *id)
{
  g_return_val_if_fail (id != NULL, NULL);

  return build_id_only ("ok", id);
}

/**
 * sotto_msg_build_error:
 * @id: (nullable): the id of the request this answers, if any
 * @code: what went wrong
 * @message: a human-readable explanation, 1–512 characters
 *
 * Returns: (transfer full): the "error" message
 */
GBytes *
sotto_msg_build_error (const char        *id,
                       SottoMsgErrorCode  code,
                       const char        *message)
{
  const char *code_str = sotto_msg_error_code_to_string (code);
  JsonBuilder *builder;

  g_return_val_if_fail (code_str != NULL, NULL);
  g_return_val_if_fail (message != NULL, NULL);

  builder = begin_message ("error");
  if (id != NULL)
    add_string (builder, "id", id);
  add_string (builder, "code", code_str);
  add_string (builder, "message", message);

  return end_message (builder);
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

  builder = begin_message ("session");
  add_string (builder, "id", id);
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

  builder = begin_message ("room_list");
  add_string (builder, "id", id);
  add_rooms (builder, rooms, n_rooms);

  return end_message (builder);
}

GBytes *
sotto_msg_build_members (const char            *id,
                         const char            *room,
                         const SottoWireMember *members,
                         gsize                  n_members)
{
  JsonBuilder *builder;

  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (room != NULL, NULL);
  g_return_val_if_fail (members_are_valid (members, n_members), NULL);

  builder = begin_message ("members");
  add_string (builder, "id", id);
  add_string (builder, "room", room);
  add_members (builder, members, n_members);

  return end_message (builder);
}

GBytes *
sotto_msg_build_joined (const char            *id,
                        const char            *room,
                        gboolean               direct,
                        gint64                 last_seq,
                        const SottoWireMember *members,
                        gsize                  n_members)
{
  JsonBuilder *builder;

  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (room != NULL, NULL);
  g_return_val_if_fail (members_are_valid (members, n_members), NULL);

  builder = begin_message ("joined");
  add_string (builder, "id", id);
  add_string (builder, "room", room);
  add_bool (builder, "direct", direct);
  add_int (builder, "last_seq", last_seq);
  add_members (builder, members, n_members);

  return end_message (builder);
}

GBytes *
sotto_msg_build_sent (const char *id,
                      const char *room,
                      const char *msg_id,
                      gint64      seq,
                      gint64      ts)
{
  JsonBuilder *builder;

  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (room != NULL, NULL);
  g_return_val_if_fail (msg_id != NULL, NULL);

  /* One per message relayed: written directly when it can be. */
  if (is_plain_json_string (id) && is_plain_json_string (room) && is_plain_json_string (msg_id))
    {
      GString *out = g_string_sized_new (128);

      g_string_append (out, "{\"type\":\"sent\"");
      plain_add_string (out, "id", id);
      plain_add_string (out, "room", room);
      plain_add_string (out, "msg_id", msg_id);
      plain_add_int (out, "seq", seq);
      plain_add_int (out, "ts", ts);
      g_string_append_c (out, '}');

      return g_string_free_to_bytes (out);
    }

  builder = begin_message ("sent");
  add_string (builder, "id", id);
  add_string (builder, "room", room);
  add_string (builder, "msg_id", msg_id);
  add_int (builder, "seq", seq);
  add_int (builder, "ts", ts);

  return end_message (builder);
}

GBytes *
sotto_msg_build_message (const char *room,
                         gint64      seq,
                         gint64      ts,
                         const char *sender,
                         const char *msg_id,
                         GBytes     *envelope)
{
  g_autofree char *encoded = NULL;
  gsize len;
  const guint8 *data;

  g_return_val_if_fail (envelope != NULL, NULL);

  data = g_bytes_get_data (envelope, &len);
  encoded = g_base64_encode (data, len);

  return sotto_msg_build_message_encoded (room, seq, ts, sender, msg_id, encoded);
}

/**
 * sotto_msg_build_message_encoded:
 * @envelope_base64: the envelope, already in base64 (as a validated
 *   `send` carries it: see sotto_msg_get_base64())
 *
 * Like sotto_msg_build_message(), without decoding and encoding again
 * what the server relays unchanged.
 */
GBytes *
sotto_msg_build_message_encoded (const char *room,
                                 gint64      seq,
                                 gint64      ts,
                                 const char *sender,
                                 const char *msg_id,
                                 const char *envelope_base64)
{
  JsonBuilder *builder;

  g_return_val_if_fail (room != NULL, NULL);
  g_return_val_if_fail (sender != NULL, NULL);
  g_return_val_if_fail (msg_id != NULL, NULL);
  g_return_val_if_fail (envelope_base64 != NULL, NULL);

  if (is_plain_json_string (room) && is_plain_json_string (sender) &&
      is_plain_json_string (msg_id) && is_plain_json_string (envelope_base64))
    {
      GString *out = g_string_sized_new (160 + strlen (envelope_base64));

      g_string_append (out, "{\"type\":\"message\"");
      plain_add_string (out, "room", room);
      plain_add_int (out, "seq", seq);
      plain_add_int (out, "ts", ts);
      plain_add_string (out, "sender", sender);
      plain_add_string (out, "msg_id", msg_id);
      plain_add_string (out, "envelope", envelope_base64);
      g_string_append_c (out, '}');

      return g_string_free_to_bytes (out);
    }

  builder = begin_message ("message");
  add_string (builder, "room", room);
  add_int (builder, "seq", seq);
  add_int (builder, "ts", ts);
  add_string (builder, "sender", sender);
  add_string (builder, "msg_id", msg_id);
  add_string (builder, "envelope", envelope_base64);

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
sotto_msg_build_key (gint64      kid,
                     const char *from,
                     const char *room,
                     GBytes     *box)
{
  JsonBuilder *builder;

  g_return_val_if_fail (from != NULL, NULL);
  g_return_val_if_fail (room != NULL, NULL);
  g_return_val_if_fail (box != NULL, NULL);

  builder = begin_message ("key");
  add_int (builder, "kid", kid);
  add_string (builder, "from", from);
  add_string (builder, "room", room);
  add_bytes (builder, "box", box);

  return end_message (builder);
}

GBytes *
sotto_msg_build_key_requested (gint64      kid,
                               const char *from,
                               const char *room,
                               guint32     key_id)
{
  JsonBuilder *builder;

  g_return_val_if_fail (from != NULL, NULL);
  g_return_val_if_fail (room != NULL, NULL);

  builder = begin_message ("key_requested");
  add_int (builder, "kid", kid);
  add_string (builder, "from", from);
  add_string (builder, "room", room);
  add_int (builder, "key_id", key_id);

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

GBytes *
sotto_msg_build_catchup_done (const char *id,
                              const char *room,
                              gint64      last_seq,
                              gboolean    more)
{
  JsonBuilder *builder;

  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (room != NULL, NULL);

  builder = begin_message ("catchup_done");
  add_string (builder, "id", id);
  add_string (builder, "room", room);
  add_int (builder, "last_seq", last_seq);
  add_bool (builder, "more", more);

  return end_message (builder);
}

GBytes *
sotto_msg_build_notice (const char *text,
                        gint64      ts)
{
  JsonBuilder *builder;

  g_return_val_if_fail (text != NULL, NULL);

  builder = begin_message ("notice");
  add_string (builder, "text", text);
  add_int (builder, "ts", ts);

  return end_message (builder);
}

GBytes *
sotto_msg_build_pong (const char *id)
{
  g_return_val_if_fail (id != NULL, NULL);

  return build_id_only ("pong", id);
}
