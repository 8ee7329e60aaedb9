/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "sotto-msg.h"
#include "sotto-protocol-private.h"

G_DEFINE_BOXED_TYPE (SottoMsg, sotto_msg, sotto_msg_ref, sotto_msg_unref)

/* json-glib 1.6 escapes control characters below 0x1f but writes 0x1f
 * itself raw, which strict parsers (ours included) refuse. Outside strings
 * the generator never writes it, and in UTF-8 it is never part of another
 * character, so it is safe to patch afterwards.
 */
static GBytes *
escape_unit_separator (char  *data,
                       gsize  len)
{
  GString *str = g_string_sized_new (len + 16);

  for (gsize i = 0; i < len; i++)
    {
      if (data[i] == 0x1f)
        g_string_append (str, "\\u001f");
      else
        g_string_append_c (str, data[i]);
    }

  g_free (data);

  return g_string_free_to_bytes (str);
}

GBytes *
_sotto_protocol_generate (JsonNode *root)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  char *data;
  gsize len;

  json_generator_set_root (generator, root);
  data = json_generator_to_data (generator, &len);

  if (memchr (data, 0x1f, len) != NULL)
    return escape_unit_separator (data, len);

  return g_bytes_new_take (data, len);
}

static guint
count_members (JsonNode *node)
{
  guint n = 0;

  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      JsonObjectIter iter;
      JsonNode *child;

      n = json_object_get_size (object);

      json_object_iter_init (&iter, object);
      while (json_object_iter_next (&iter, NULL, &child))
        n += count_members (child);
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      guint length = json_array_get_length (array);

      for (guint i = 0; i < length; i++)
        n += count_members (json_array_get_element (array, i));
    }

  return n;
}

/* Echo a peer's type string only when it could be a real one. */
static gboolean
is_plain_type (const char *type)
{
  gsize i;

  for (i = 0; type[i] != '\0'; i++)
    {
      if (i >= 32 || !(g_ascii_islower (type[i]) || type[i] == '_'))
        return FALSE;
    }

  return i > 0;
}

static SottoMsg *
parse_object (JsonNode           *root,
              SottoMsgDirection   direction,
              GError            **error)
{
  JsonObject *object = json_node_get_object (root);
  const SottoMsgSchema *schema;
  JsonNode *type_node;
  const char *type_name;
  gboolean other_direction;
  SottoMsg *self;

  type_node = json_object_get_member (object, "type");
  if (type_node == NULL)
    {
      g_set_error_literal (error, SOTTO_PROTOCOL_ERROR, SOTTO_PROTOCOL_ERROR_MISSING_FIELD,
                           _("field “type” is missing"));
      return NULL;
    }

  if (!JSON_NODE_HOLDS_VALUE (type_node) || json_node_get_value_type (type_node) != G_TYPE_STRING)
    {
      g_set_error_literal (error, SOTTO_PROTOCOL_ERROR, SOTTO_PROTOCOL_ERROR_BAD_FIELD,
                           _("field “type”: must be a string"));
      return NULL;
    }

  type_name = json_node_get_string (type_node);
  schema = _sotto_msg_schema_lookup (type_name, direction, &other_direction);

  if (schema == NULL && other_direction)
    {
      if (direction == SOTTO_MSG_FROM_CLIENT)
        g_set_error (error, SOTTO_PROTOCOL_ERROR, SOTTO_PROTOCOL_ERROR_WRONG_DIRECTION,
                     _("message type “%s” is only sent by servers"), type_name);
      else
        g_set_error (error, SOTTO_PROTOCOL_ERROR, SOTTO_PROTOCOL_ERROR_WRONG_DIRECTION,
                     _("message type “%s” is only sent by clients"), type_name);
      return NULL;
    }

  if (schema == NULL)
    {
      if (is_plain_type (type_name))
        g_set_error (error, SOTTO_PROTOCOL_ERROR, SOTTO_PROTOCOL_ERROR_UNKNOWN_TYPE,
                     _("unknown message type “%s”"), type_name);
      else
        g_set_error_literal (error, SOTTO_PROTOCOL_ERROR, SOTTO_PROTOCOL_ERROR_UNKNOWN_TYPE,
                             _("unknown message type"));
      return NULL;
    }

  /* The pieces of a blob travel only as binary messages. */
  if (schema->type == SOTTO_MSG_TYPE_UPLOAD_CHUNK || schema->type == SOTTO_MSG_TYPE_BLOB)
    {
      g_set_error (error, SOTTO_PROTOCOL_ERROR, SOTTO_PROTOCOL_ERROR_MALFORMED,
                   _("message type “%s” is sent as a binary message, not as JSON"), type_name);
      return NULL;
    }

  if (!_sotto_protocol_validate_object (&schema->body, object, NULL, "type", error))
    return NULL;

  self = g_new0 (SottoMsg, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->schema = schema;
  self->root = json_node_ref (root);
  self->object = object;

  return self;
}

static SottoMsg *
parse_piece (GBytes             *bytes,
             SottoMsgDirection   direction,
             char              **out_request_id,
             GError            **error)
{
  SottoPiece *piece = sotto_piece_parse (bytes, direction, out_request_id, error);
  SottoMsg *self;

  if (piece == NULL)
    return NULL;

  self = g_new0 (SottoMsg, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->schema = _sotto_msg_schema_get (sotto_piece_kind_to_msg_type (piece->kind), direction);
  self->piece = piece;
  g_assert (self->schema != NULL);

  return self;
}

/**
 * sotto_msg_parse_full:
 * @data: (array length=len): one message, without the '\n' that separates
 *   it from the next one in a frame
 * @len: the length of @data
 * @direction: who sent @data: %SOTTO_MSG_FROM_CLIENT when a server parses
 * @out_request_id: (out) (optional) (nullable): when parsing fails but
 *   @data is a JSON object with a well-formed "id", that id, so that the
 *   error can answer the request; %NULL otherwise and on success
 * @error: return location for a %SOTTO_PROTOCOL_ERROR
 *
 * Checks @data against the message table of docs/protocol.md: size, depth,
 * strict JSON, type, direction, every field and no other field. A binary
 * message (the pieces of a blob) is read by sotto_piece_parse(), from a
 * copy: receivers use sotto_msg_parse_bytes_full(), which copies nothing.
 *
 * Returns: (transfer full) (nullable): the message, or %NULL with @error set
 */
SottoMsg *
sotto_msg_parse_full (const guint8       *data,
                      gsize               len,
                      SottoMsgDirection   direction,
                      char              **out_request_id,
                      GError            **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(JsonNode) flat = NULL;
  JsonNode *root;
  JsonNode *id_node;
  guint n_members = 0;
  SottoMsg *self;

  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (direction == SOTTO_MSG_FROM_CLIENT ||
                        direction == SOTTO_MSG_FROM_SERVER, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (out_request_id != NULL)
    *out_request_id = NULL;

  if (sotto_piece_is_binary (data, len))
    {
      g_autoptr(GBytes) bytes = g_bytes_new (data, len);

      return parse_piece (bytes, direction, out_request_id, error);
    }

  if (!_sotto_json_prescan (data, len, &n_members, error))
    return NULL;

  /* An object of plain values (a send, most requests) is built in one
   * pass (sotto-json-flat.c); anything else goes through json-glib. The
   * scan has vetted every token, so what json-glib can still refuse is
   * their order. Its own message is not passed on: it quotes the peer's
   * token, cut at a byte count that may split a character. */
  flat = _sotto_json_parse_flat (data, len);
  if (flat != NULL)
    root = flat;
  else
    {
      parser = json_parser_new_immutable ();
      if (!json_parser_load_from_data (parser, (const char *) data, (gssize) len, NULL))
        {
          g_set_error_literal (error, SOTTO_PROTOCOL_ERROR, SOTTO_PROTOCOL_ERROR_MALFORMED,
                               _("not valid JSON: a “:”, “,” or value is missing or out of "
                                 "place"));
          return NULL;
        }
      root = json_parser_get_root (parser);
    }
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, SOTTO_PROTOCOL_ERROR, SOTTO_PROTOCOL_ERROR_MALFORMED,
                           _("a message must be a JSON object"));
      return NULL;
    }

  /* json-glib keeps the last of duplicate members; strict parsers refuse
   * them, and two readers of one message must never disagree. */
  if (count_members (root) != n_members)
    {
      g_set_error_literal (error, SOTTO_PROTOCOL_ERROR, SOTTO_PROTOCOL_ERROR_MALFORMED,
                           _("an object has two members with the same name"));
      return NULL;
    }

  self = parse_object (root, direction, error);

  if (self == NULL && out_request_id != NULL)
    {
      id_node = json_object_get_member (json_node_get_object (root), "id");

      if (id_node != NULL &&
          JSON_NODE_HOLDS_VALUE (id_node) &&
          json_node_get_value_type (id_node) == G_TYPE_STRING &&
          sotto_protocol_id_is_valid (json_node_get_string (id_node)))
        *out_request_id = g_strdup (json_node_get_string (id_node));
    }

  return self;
}

/**
 * sotto_msg_parse:
 * @data: (array length=len): one message
 * @len: the length of @data
 * @direction: who sent @data
 * @error: return location for a %SOTTO_PROTOCOL_ERROR
 *
 * Like sotto_msg_parse_full() without the request id.
 *
 * Returns: (transfer full) (nullable): the message, or %NULL with @error set
 */
SottoMsg *
sotto_msg_parse (const guint8       *data,
                 gsize               len,
                 SottoMsgDirection   direction,
                 GError            **error)
{
  return sotto_msg_parse_full (data, len, direction, NULL, error);
}

/**
 * sotto_msg_parse_bytes_full:
 * @bytes: one message
 * @direction: who sent @bytes
 * @out_request_id: (out) (optional) (nullable): as for sotto_msg_parse_full()
 * @error: return location for a %SOTTO_PROTOCOL_ERROR
 *
 * Like sotto_msg_parse_full(); a binary message keeps its piece as a
 * slice of @bytes.
 *
 * Returns: (transfer full) (nullable): the message, or %NULL with @error set
 */
SottoMsg *
sotto_msg_parse_bytes_full (GBytes             *bytes,
                            SottoMsgDirection   direction,
                            char              **out_request_id,
                            GError            **error)
{
  gsize len;
  const guint8 *data;

  g_return_val_if_fail (bytes != NULL, NULL);

  data = g_bytes_get_data (bytes, &len);

  if (sotto_piece_is_binary (data, len))
    {
      g_return_val_if_fail (direction == SOTTO_MSG_FROM_CLIENT ||
                            direction == SOTTO_MSG_FROM_SERVER, NULL);
      g_return_val_if_fail (error == NULL || *error == NULL, NULL);

      return parse_piece (bytes, direction, out_request_id, error);
    }

  return sotto_msg_parse_full (data, len, direction, out_request_id, error);
}

/**
 * sotto_msg_parse_bytes:
 * @bytes: one message
 * @direction: who sent @bytes
 * @error: return location for a %SOTTO_PROTOCOL_ERROR
 *
 * Returns: (transfer full) (nullable): the message, or %NULL with @error set
 */
SottoMsg *
sotto_msg_parse_bytes (GBytes             *bytes,
                       SottoMsgDirection   direction,
                       GError            **error)
{
  return sotto_msg_parse_bytes_full (bytes, direction, NULL, error);
}

SottoMsg *
sotto_msg_ref (SottoMsg *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);

  return self;
}

void
sotto_msg_unref (SottoMsg *self)
{
  g_return_if_fail (self != NULL);

  if (g_atomic_ref_count_dec (&self->ref_count))
    {
      g_clear_pointer (&self->root, json_node_unref);
      g_clear_pointer (&self->piece, sotto_piece_free);
      g_free (self);
    }
}

SottoMsgType
sotto_msg_get_msg_type (SottoMsg *self)
{
  g_return_val_if_fail (self != NULL, SOTTO_MSG_TYPE_INVALID);

  return self->schema->type;
}

SottoMsgDirection
sotto_msg_get_direction (SottoMsg *self)
{
  g_return_val_if_fail (self != NULL, SOTTO_MSG_FROM_CLIENT);

  return self->schema->direction;
}

/**
 * sotto_msg_get_object:
 * @self: a message
 *
 * Returns: (transfer none) (nullable): the validated, immutable JSON
 *   object, "type" included; %NULL for a binary message
 */
JsonObject *
sotto_msg_get_object (SottoMsg *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->object;
}

/**
 * sotto_msg_serialize:
 * @self: a message
 *
 * Returns: (transfer full): @self as compact JSON, as a builder makes it,
 *   or a binary message as sotto_piece_encode() makes it
 */
GBytes *
sotto_msg_serialize (SottoMsg *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (self->piece != NULL)
    return sotto_piece_encode (self->piece->kind, self->piece->id, self->piece->blob,
                               self->piece->offset, self->piece->data, self->piece->size);

  return _sotto_protocol_generate (self->root);
}
