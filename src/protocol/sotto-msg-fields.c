/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "sotto-msg.h"
#include "sotto-protocol-private.h"

#define KIND(k)      (1u << (k))
#define STRING_KINDS (KIND (SOTTO_FIELD_ID) | KIND (SOTTO_FIELD_USERNAME) | \
                      KIND (SOTTO_FIELD_ROOM) | KIND (SOTTO_FIELD_NORMAL_ROOM) | \
                      KIND (SOTTO_FIELD_PASSWORD) | KIND (SOTTO_FIELD_TEXT) | \
                      KIND (SOTTO_FIELD_ENUM) | KIND (SOTTO_FIELD_BASE64) | \
                      KIND (SOTTO_FIELD_LINK_ID))
#define ARRAY_KINDS  (KIND (SOTTO_FIELD_INT_ARRAY) | KIND (SOTTO_FIELD_OBJECT_ARRAY) | \
                      KIND (SOTTO_FIELD_BASE64_ARRAY))

/* Asking for a field the message type does not have, or with the wrong
 * accessor, is a bug in the caller: say so loudly. */
static JsonNode *
lookup_member (SottoMsg   *self,
               const char *field,
               guint       kinds,
               const char *func)
{
  const SottoFieldSchema *schema;

  schema = _sotto_object_schema_find (&self->schema->body, field);
  if (schema == NULL)
    {
      g_critical ("%s: a “%s” message has no field “%s”",
                  func, sotto_msg_type_to_string (self->schema->type), field);
      return NULL;
    }

  if ((KIND (schema->kind) & kinds) == 0)
    {
      g_critical ("%s: field “%s” of a “%s” message is of another kind",
                  func, field, sotto_msg_type_to_string (self->schema->type));
      return NULL;
    }

  if (self->piece != NULL)
    {
      g_critical ("%s: field “%s” of a binary “%s” message has no JSON",
                  func, field, sotto_msg_type_to_string (self->schema->type));
      return NULL;
    }

  return json_object_get_member (self->object, field);
}

/**
 * sotto_msg_get_id:
 * @self: a message
 *
 * Returns: (nullable): the "id" of a request or of a reply, or %NULL for
 *   messages that carry none
 */
const char *
sotto_msg_get_id (SottoMsg *self)
{
  JsonNode *node;

  g_return_val_if_fail (self != NULL, NULL);

  if (_sotto_object_schema_find (&self->schema->body, "id") == NULL)
    return NULL;

  if (self->piece != NULL)
    return self->piece->id;

  node = json_object_get_member (self->object, "id");

  return node != NULL ? json_node_get_string (node) : NULL;
}

/**
 * sotto_msg_has_field:
 * @self: a message
 * @field: a field of the message's type
 *
 * Only "id" of "error", "owner" of "members" and "joined", "banned_by"
 * inside "bans", "bundle" of "publish_prekeys", "one_time" of
 * "prekeys", "reset" of "login", "account" of "register" and
 * "publish_devices", "device" of "send_key", "key_request",
 * "get_prekeys", "key" and "key_requested", and "seen" of "devices" are
 * optional; every other field is always present.
 *
 * Returns: %TRUE if @field is present
 */
gboolean
sotto_msg_has_field (SottoMsg   *self,
                     const char *field)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (field != NULL, FALSE);

  if (self->piece != NULL)
    return _sotto_object_schema_find (&self->schema->body, field) != NULL;

  return lookup_member (self, field, ~0u, G_STRFUNC) != NULL;
}

/**
 * sotto_msg_get_string:
 * @self: a message
 * @field: a string field of the message's type (names, text, enums, base64)
 *
 * Returns: (nullable): the string, or %NULL if @field is optional and absent
 */
const char *
sotto_msg_get_string (SottoMsg   *self,
                      const char *field)
{
  JsonNode *node;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (field != NULL, NULL);

  node = lookup_member (self, field, STRING_KINDS, G_STRFUNC);

  return node != NULL ? json_node_get_string (node) : NULL;
}

gint64
sotto_msg_get_int (SottoMsg   *self,
                   const char *field)
{
  JsonNode *node;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (field != NULL, 0);

  if (self->piece != NULL && g_str_equal (field, "offset"))
    return self->piece->offset;
  if (self->piece != NULL && g_str_equal (field, "size") && self->piece->size >= 0)
    return self->piece->size;

  node = lookup_member (self, field, KIND (SOTTO_FIELD_INT), G_STRFUNC);

  return node != NULL ? json_node_get_int (node) : 0;
}

gboolean
sotto_msg_get_bool (SottoMsg   *self,
                    const char *field)
{
  JsonNode *node;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (field != NULL, FALSE);

  node = lookup_member (self, field, KIND (SOTTO_FIELD_BOOL), G_STRFUNC);

  return node != NULL ? json_node_get_boolean (node) : FALSE;
}

/**
 * sotto_msg_dup_bytes:
 * @self: a message
 * @field: a base64 field of the message's type
 *
 * Returns: (transfer full) (nullable): the decoded bytes
 */
GBytes *
sotto_msg_dup_bytes (SottoMsg   *self,
                     const char *field)
{
  JsonNode *node;
  guchar *data;
  gsize len;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (field != NULL, NULL);

  /* A binary message's piece, as the slice of the payload it is. */
  if (self->piece != NULL && g_str_equal (field, "data"))
    return g_bytes_ref (self->piece->data);

  node = lookup_member (self, field, KIND (SOTTO_FIELD_BASE64), G_STRFUNC);
  if (node == NULL)
    return NULL;

  data = g_base64_decode (json_node_get_string (node), &len);

  return g_bytes_new_take (data, len);
}

/**
 * sotto_msg_dup_bytes_item:
 * @self: a message
 * @field: a base64 array field of the message's type
 * @index: an index into the array
 *
 * Returns: (transfer full) (nullable): the decoded bytes of the item
 */
GBytes *
sotto_msg_dup_bytes_item (SottoMsg   *self,
                          const char *field,
                          guint       index)
{
  JsonNode *node;
  JsonArray *array;
  guchar *data;
  gsize len;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (field != NULL, NULL);

  node = lookup_member (self, field, KIND (SOTTO_FIELD_BASE64_ARRAY), G_STRFUNC);
  if (node == NULL)
    return NULL;

  array = json_node_get_array (node);
  g_return_val_if_fail (index < json_array_get_length (array), NULL);

  data = g_base64_decode (json_array_get_string_element (array, index), &len);

  return g_bytes_new_take (data, len);
}

/**
 * sotto_msg_get_base64:
 * @self: a message
 * @field: a base64 field of the message's type
 *
 * Returns: (transfer none) (nullable): the field as it came, validated
 *   canonical base64, for passing on without decoding
 */
const char *
sotto_msg_get_base64 (SottoMsg   *self,
                      const char *field)
{
  JsonNode *node;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (field != NULL, NULL);

  node = lookup_member (self, field, KIND (SOTTO_FIELD_BASE64), G_STRFUNC);
  if (node == NULL)
    return NULL;

  return json_node_get_string (node);
}

/**
 * sotto_msg_get_array:
 * @self: a message
 * @field: an array field of the message's type
 *
 * Returns: (transfer none) (nullable): the validated, immutable array
 */
JsonArray *
sotto_msg_get_array (SottoMsg   *self,
                     const char *field)
{
  JsonNode *node;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (field != NULL, NULL);

  node = lookup_member (self, field, ARRAY_KINDS, G_STRFUNC);

  return node != NULL ? json_node_get_array (node) : NULL;
}

static void
decode_exact (JsonObject *object,
              const char *member,
              guint8     *out,
              gsize       out_len)
{
  g_autofree guchar *data = NULL;
  gsize len;

  data = g_base64_decode (json_object_get_string_member (object, member), &len);
  g_assert (len == out_len);
  memcpy (out, data, out_len);
}

static void
read_identity (JsonObject        *object,
               SottoWireIdentity *out_identity)
{
  decode_exact (object, "box", out_identity->box, sizeof out_identity->box);
  decode_exact (object, "sign", out_identity->sign, sizeof out_identity->sign);
  decode_exact (object, "binding", out_identity->binding, sizeof out_identity->binding);
}

/**
 * sotto_msg_get_identity:
 * @self: a message with an "identity" field
 * @out_identity: (out caller-allocates): where to store the keys
 *
 * Returns: %TRUE if @out_identity was filled in
 */
gboolean
sotto_msg_get_identity (SottoMsg          *self,
                        SottoWireIdentity *out_identity)
{
  JsonNode *node;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (out_identity != NULL, FALSE);

  node = lookup_member (self, "identity", KIND (SOTTO_FIELD_OBJECT), G_STRFUNC);
  if (node == NULL)
    return FALSE;

  read_identity (json_node_get_object (node), out_identity);

  return TRUE;
}

/**
 * sotto_msg_get_identity_field:
 * @self: a message
 * @field: an identity field of the message's type: "identity", "account"
 *   of "register" and "publish_devices", "reset" of "login"
 * @out_identity: (out caller-allocates): where to store the keys
 *
 * Returns: %TRUE if the message has @field, and @out_identity was filled in
 */
gboolean
sotto_msg_get_identity_field (SottoMsg          *self,
                              const char        *field,
                              SottoWireIdentity *out_identity)
{
  JsonNode *node;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (field != NULL, FALSE);
  g_return_val_if_fail (out_identity != NULL, FALSE);

  node = lookup_member (self, field, KIND (SOTTO_FIELD_OBJECT), G_STRFUNC);
  if (node == NULL)
    return FALSE;

  read_identity (json_node_get_object (node), out_identity);

  return TRUE;
}

/**
 * sotto_msg_get_blob_id:
 * @self: a message about a blob: "upload", "upload_chunk", "download",
 *   "upload_at" or "blob"
 * @out_blob: (out caller-allocates) (array fixed-size=16): where to store
 *   the blob's id, %SOTTO_PROTOCOL_BLOB_ID_BYTES bytes
 *
 * Returns: %TRUE if @out_blob was filled in
 */
gboolean
sotto_msg_get_blob_id (SottoMsg *self,
                       guint8   *out_blob)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (out_blob != NULL, FALSE);

  if (self->piece != NULL)
    {
      memcpy (out_blob, self->piece->blob, SOTTO_PROTOCOL_BLOB_ID_BYTES);
      return TRUE;
    }

  if (lookup_member (self, "blob", KIND (SOTTO_FIELD_BASE64), G_STRFUNC) == NULL)
    return FALSE;

  decode_exact (self->object, "blob", out_blob, SOTTO_PROTOCOL_BLOB_ID_BYTES);

  return TRUE;
}

/* The object at @index of the array @field, for the readers of one entry
 * of "members", "rooms", "bans" or "seen"; an index past the end is the
 * caller's bug, and is reported as @func's.
 */
static JsonObject *
get_array_object (SottoMsg   *self,
                  const char *field,
                  guint       index,
                  const char *func)
{
  JsonArray *array;

  array = sotto_msg_get_array (self, field);
  if (array == NULL)
    return NULL;

  if (G_UNLIKELY (index >= json_array_get_length (array)))
    {
      g_return_if_fail_warning (G_LOG_DOMAIN, func, "index < json_array_get_length (array)");
      return NULL;
    }

  return json_array_get_object_element (array, index);
}

/**
 * sotto_msg_get_device:
 * @self: a "publish_devices" message
 * @index: an index into "devices"
 * @out_identity: (out caller-allocates): where to store the keys
 *
 * Returns: %TRUE if @out_identity was filled in
 */
gboolean
sotto_msg_get_device (SottoMsg          *self,
                      guint              index,
                      SottoWireIdentity *out_identity)
{
  JsonObject *object;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (out_identity != NULL, FALSE);

  object = get_array_object (self, "devices", index, G_STRFUNC);
  if (object == NULL)
    return FALSE;

  read_identity (object, out_identity);

  return TRUE;
}

/**
 * sotto_msg_get_member:
 * @self: a "members" or "joined" message
 * @index: an index into "members"
 * @out_member: (out caller-allocates): where to store the member; its
 *   user name is owned by @self
 *
 * Returns: %TRUE if @out_member was filled in
 */
gboolean
sotto_msg_get_member (SottoMsg        *self,
                      guint            index,
                      SottoWireMember *out_member)
{
  JsonObject *object;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (out_member != NULL, FALSE);

  object = get_array_object (self, "members", index, G_STRFUNC);
  if (object == NULL)
    return FALSE;

  out_member->user = json_object_get_string_member (object, "user");
  read_identity (json_object_get_object_member (object, "identity"), &out_member->identity);
  out_member->online = json_object_get_boolean_member (object, "online");

  return TRUE;
}

/**
 * sotto_msg_get_room_summary:
 * @self: a "session" or "room_list" message
 * @index: an index into "rooms"
 * @out_summary: (out caller-allocates): where to store the summary; its
 *   room name is owned by @self
 *
 * Returns: %TRUE if @out_summary was filled in
 */
gboolean
sotto_msg_get_room_summary (SottoMsg             *self,
                            guint                 index,
                            SottoWireRoomSummary *out_summary)
{
  JsonObject *object;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (out_summary != NULL, FALSE);

  object = get_array_object (self, "rooms", index, G_STRFUNC);
  if (object == NULL)
    return FALSE;

  out_summary->room = json_object_get_string_member (object, "room");
  out_summary->members = json_object_get_int_member (object, "members");
  out_summary->direct = json_object_get_boolean_member (object, "direct");
  out_summary->last_seq = json_object_get_int_member (object, "last_seq");

  return TRUE;
}

/**
 * sotto_msg_get_ban:
 * @self: a "bans" message
 * @index: an index into "bans"
 * @out_ban: (out caller-allocates): where to store the ban; its names are
 *   owned by @self, and its banned_by is %NULL when the server's operator
 *   banned
 *
 * Returns: %TRUE if @out_ban was filled in
 */
gboolean
sotto_msg_get_ban (SottoMsg     *self,
                   guint         index,
                   SottoWireBan *out_ban)
{
  JsonObject *object;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (out_ban != NULL, FALSE);

  object = get_array_object (self, "bans", index, G_STRFUNC);
  if (object == NULL)
    return FALSE;

  out_ban->user = json_object_get_string_member (object, "user");
  out_ban->banned_by = json_object_get_string_member_with_default (object, "banned_by", NULL);
  out_ban->ts = json_object_get_int_member (object, "ts");

  return TRUE;
}

/**
 * sotto_msg_get_device_seen:
 * @self: a "devices" message with "seen"
 * @index: an index into "seen"
 * @out_seen: (out caller-allocates): where to store when the device was
 *   last connected
 *
 * Returns: %TRUE if @out_seen was filled in
 */
gboolean
sotto_msg_get_device_seen (SottoMsg            *self,
                           guint                index,
                           SottoWireDeviceSeen *out_seen)
{
  JsonObject *object;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (out_seen != NULL, FALSE);

  object = get_array_object (self, "seen", index, G_STRFUNC);
  if (object == NULL)
    return FALSE;

  decode_exact (object, "device", out_seen->device, sizeof out_seen->device);
  out_seen->last_seen = json_object_get_int_member (object, "last_seen");
  out_seen->online = json_object_get_boolean_member (object, "online");

  return TRUE;
}

/**
 * sotto_msg_get_error_code:
 * @self: an "error" message
 *
 * Returns: its "code"
 */
SottoMsgErrorCode
sotto_msg_get_error_code (SottoMsg *self)
{
  SottoMsgErrorCode code = SOTTO_MSG_ERROR_CODE_INTERNAL;

  g_return_val_if_fail (self != NULL, code);
  g_return_val_if_fail (self->schema->type == SOTTO_MSG_TYPE_ERROR, code);

  if (!sotto_msg_error_code_from_string (json_object_get_string_member (self->object, "code"),
                                         &code))
    g_assert_not_reached ();

  return code;
}

/**
 * sotto_msg_get_leave_reason:
 * @self: a "member_left" message
 *
 * Returns: its "reason"
 */
SottoMsgLeaveReason
sotto_msg_get_leave_reason (SottoMsg *self)
{
  const char *reason;

  g_return_val_if_fail (self != NULL, SOTTO_MSG_LEAVE_REASON_LEFT);
  g_return_val_if_fail (self->schema->type == SOTTO_MSG_TYPE_MEMBER_LEFT,
                        SOTTO_MSG_LEAVE_REASON_LEFT);

  reason = json_object_get_string_member (self->object, "reason");

  return strcmp (reason, "kicked") == 0 ? SOTTO_MSG_LEAVE_REASON_KICKED
                                        : SOTTO_MSG_LEAVE_REASON_LEFT;
}
