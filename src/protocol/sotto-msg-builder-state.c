/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "sotto-msg-builder.h"
#include "sotto-msg-builder-private.h"

/* The room state chain, both ways: members append signed events at an
 * index and fetch the ones they missed; the server stores and relays them
 * without looking inside. */

GBytes *
sotto_msg_build_state (const char *id,
                       const char *room,
                       gint64      index,
                       GBytes     *event)
{
  JsonBuilder *builder;

  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (room != NULL, NULL);
  g_return_val_if_fail (event != NULL, NULL);

  builder = begin_room_request ("state", id, room);
  add_int (builder, "index", index);
  add_bytes (builder, "event", event);

  return end_message (builder);
}

GBytes *
sotto_msg_build_state_catchup (const char *id,
                               const char *room,
                               gint64      from,
                               gint64      limit)
{
  JsonBuilder *builder;

  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (room != NULL, NULL);

  builder = begin_room_request ("state_catchup", id, room);
  add_int (builder, "from", from);
  add_int (builder, "limit", limit);

  return end_message (builder);
}

/**
 * sotto_msg_build_state_event:
 * @index: the event's place in the room's chain, from 0
 * @sender: the account that appended it
 * @event: the event as the member sent it
 */
GBytes *
sotto_msg_build_state_event (const char *room,
                             gint64      index,
                             const char *sender,
                             gint64      ts,
                             GBytes     *event)
{
  JsonBuilder *builder;

  g_return_val_if_fail (room != NULL, NULL);
  g_return_val_if_fail (sender != NULL, NULL);
  g_return_val_if_fail (event != NULL, NULL);

  builder = begin_message ("state_event");
  add_string (builder, "room", room);
  add_int (builder, "index", index);
  add_string (builder, "sender", sender);
  add_int (builder, "ts", ts);
  add_bytes (builder, "event", event);

  return end_message (builder);
}

/**
 * sotto_msg_build_state_done:
 * @length: how many events the room's chain holds
 * @more: whether the limit of the request cut the answer short
 */
GBytes *
sotto_msg_build_state_done (const char *id,
                            const char *room,
                            gint64      length,
                            gboolean    more)
{
  JsonBuilder *builder;

  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (room != NULL, NULL);

  builder = begin_room_request ("state_done", id, room);
  add_int (builder, "length", length);
  add_bool (builder, "more", more);

  return end_message (builder);
}
