/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <json-glib/json-glib.h>

#include "sotto-protocol-private.h"

G_BEGIN_DECLS

/* Shared by the client and the server builders: every message is an
 * object with "type" first, then its fields in the order of the schema. */

static inline JsonBuilder *
begin_message (const char *type)
{
  JsonBuilder *builder = json_builder_new_immutable ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, type);

  return builder;
}

static inline GBytes *
end_message (JsonBuilder *builder)
{
  g_autoptr(JsonNode) root = NULL;

  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  g_object_unref (builder);

  return _sotto_protocol_generate (root);
}

static inline void
add_string (JsonBuilder *builder,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, value);
}

static inline void
add_int (JsonBuilder *builder,
         const char  *name,
         gint64       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

static inline void
add_bool (JsonBuilder *builder,
          const char  *name,
          gboolean     value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_boolean_value (builder, value);
}

static inline void
add_base64 (JsonBuilder  *builder,
            const char   *name,
            const guint8 *data,
            gsize         len)
{
  g_autofree char *encoded = g_base64_encode (data, len);

  add_string (builder, name, encoded);
}

static inline void
add_bytes (JsonBuilder *builder,
           const char  *name,
           GBytes      *bytes)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  add_base64 (builder, name, data, len);
}

/* The keys of one device, as an object where the builder is: a member's
 * value or an array's next element. */
static inline void
add_identity_object (JsonBuilder             *builder,
                     const SottoWireIdentity *identity)
{
  json_builder_begin_object (builder);
  add_base64 (builder, "box", identity->box, sizeof identity->box);
  add_base64 (builder, "sign", identity->sign, sizeof identity->sign);
  add_base64 (builder, "binding", identity->binding, sizeof identity->binding);
  json_builder_end_object (builder);
}

static inline void
add_identity (JsonBuilder             *builder,
              const SottoWireIdentity *identity)
{
  json_builder_set_member_name (builder, "identity");
  add_identity_object (builder, identity);
}

/* The account's identity, when there is one to tell. */
static inline void
add_account_identity (JsonBuilder             *builder,
                      const SottoWireIdentity *account)
{
  if (account == NULL)
    return;
  json_builder_set_member_name (builder, "account");
  add_identity_object (builder, account);
}

/* A request starts with its id, and so does the answer to it; most of
 * them are about one room, named next. */
static inline JsonBuilder *
begin_request (const char *type,
               const char *id)
{
  JsonBuilder *builder = begin_message (type);

  add_string (builder, "id", id);

  return builder;
}

static inline JsonBuilder *
begin_room_request (const char *type,
                    const char *id,
                    const char *room)
{
  JsonBuilder *builder = begin_request (type, id);

  add_string (builder, "room", room);

  return builder;
}

static inline GBytes *
build_id_only (const char *type,
               const char *id)
{
  return end_message (begin_request (type, id));
}

/*
 * A fast path for the messages a server writes once per relayed message.
 * Their strings are identifiers and base64, which need no escaping in
 * JSON; the writer checks that, and the caller falls back to JsonBuilder
 * for anything else. The bytes are the same as JsonGenerator writes.
 */
static inline gboolean
is_plain_json_string (const char *value)
{
  for (const char *p = value; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
        return FALSE;
    }

  return TRUE;
}

static inline void
plain_add_string (GString    *out,
                  const char *name,
                  const char *value)
{
  g_string_append_printf (out, ",\"%s\":\"", name);
  g_string_append (out, value);
  g_string_append_c (out, '"');
}

static inline void
plain_add_int (GString    *out,
               const char *name,
               gint64      value)
{
  g_string_append_printf (out, ",\"%s\":%" G_GINT64_FORMAT, name, value);
}

G_END_DECLS
