/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "sotto-msg-builder.h"
#include "sotto-msg-builder-private.h"

/* Server → client: relayed messages, their receipts and history, and
 * sender keys passed between members. */

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

  builder = begin_room_request ("sent", id, room);
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

GBytes *
sotto_msg_build_catchup_done (const char *id,
                              const char *room,
                              gint64      last_seq,
                              gboolean    more)
{
  JsonBuilder *builder;

  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (room != NULL, NULL);

  builder = begin_room_request ("catchup_done", id, room);
  add_int (builder, "last_seq", last_seq);
  add_bool (builder, "more", more);

  return end_message (builder);
}

GBytes *
sotto_msg_build_key (gint64      kid,
                     const char *from,
                     GBytes     *device,
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
  if (device != NULL)
    add_bytes (builder, "device", device);
  add_string (builder, "room", room);
  add_bytes (builder, "box", box);

  return end_message (builder);
}

GBytes *
sotto_msg_build_key_requested (gint64      kid,
                               const char *from,
                               GBytes     *device,
                               const char *room,
                               guint32     key_id)
{
  JsonBuilder *builder;

  g_return_val_if_fail (from != NULL, NULL);
  g_return_val_if_fail (room != NULL, NULL);

  builder = begin_message ("key_requested");
  add_int (builder, "kid", kid);
  add_string (builder, "from", from);
  if (device != NULL)
    add_bytes (builder, "device", device);
  add_string (builder, "room", room);
  add_int (builder, "key_id", key_id);

  return end_message (builder);
}
