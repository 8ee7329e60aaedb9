/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "sotto-protocol-private.h"

G_DEFINE_QUARK (sotto-protocol-error-quark, sotto_protocol_error)

/**
 * sotto_msg_error_code_for_parse_error:
 * @error: an error from sotto_msg_parse()
 *
 * Picks the "code" a server answers a message with when it could not
 * parse it.
 *
 * Returns: the error code to send back
 */
SottoMsgErrorCode
sotto_msg_error_code_for_parse_error (const GError *error)
{
  g_return_val_if_fail (error != NULL, SOTTO_MSG_ERROR_CODE_INTERNAL);

  if (error->domain != SOTTO_PROTOCOL_ERROR)
    return SOTTO_MSG_ERROR_CODE_INTERNAL;

  switch ((SottoProtocolError) error->code)
    {
    case SOTTO_PROTOCOL_ERROR_TOO_LARGE:
      return SOTTO_MSG_ERROR_CODE_TOO_LARGE;

    case SOTTO_PROTOCOL_ERROR_UNKNOWN_TYPE:
    case SOTTO_PROTOCOL_ERROR_WRONG_DIRECTION:
      return SOTTO_MSG_ERROR_CODE_UNKNOWN_TYPE;

    case SOTTO_PROTOCOL_ERROR_MALFORMED:
    case SOTTO_PROTOCOL_ERROR_MISSING_FIELD:
    case SOTTO_PROTOCOL_ERROR_BAD_FIELD:
    case SOTTO_PROTOCOL_ERROR_UNKNOWN_FIELD:
    default:
      return SOTTO_MSG_ERROR_CODE_BAD_REQUEST;
    }
}

/* Character classes and names */

static inline gboolean
is_id_char (char c)
{
  return g_ascii_isalnum (c) || c == '_' || c == '-';
}

static inline gboolean
is_username_char (char c)
{
  return g_ascii_isalnum (c) || c == '.' || c == '_' || c == '-';
}

static inline gboolean
is_room_char (char c)
{
  return g_ascii_islower (c) || g_ascii_isdigit (c) || c == '.' || c == '_' || c == '-';
}

static gboolean
check_id (const char *str,
          gsize       len)
{
  if (len < 1 || len > SOTTO_PROTOCOL_ID_MAX_LEN)
    return FALSE;

  for (gsize i = 0; i < len; i++)
    {
      if (!is_id_char (str[i]))
        return FALSE;
    }

  return TRUE;
}

static gboolean
check_username (const char *str,
                gsize       len)
{
  if (len < 1 || len > SOTTO_PROTOCOL_USERNAME_MAX_LEN)
    return FALSE;

  for (gsize i = 0; i < len; i++)
    {
      if (!is_username_char (str[i]))
        return FALSE;
    }

  return TRUE;
}

static gboolean
check_normal_room (const char *str,
                   gsize       len)
{
  if (len < 1 || len > SOTTO_PROTOCOL_ROOM_MAX_LEN)
    return FALSE;

  if (!g_ascii_islower (str[0]) && !g_ascii_isdigit (str[0]))
    return FALSE;

  for (gsize i = 1; i < len; i++)
    {
      if (!is_room_char (str[i]))
        return FALSE;
    }

  return TRUE;
}

/* "@" user "+" user, each user 1–32 characters of [a-z0-9._-]. */
static gboolean
check_direct_room (const char *str,
                   gsize       len)
{
  gsize first_len = 0;
  gsize second_len = 0;
  gboolean seen_plus = FALSE;

  if (len < 4 || len > SOTTO_PROTOCOL_DIRECT_ROOM_MAX_LEN || str[0] != '@')
    return FALSE;

  for (gsize i = 1; i < len; i++)
    {
      if (str[i] == '+' && !seen_plus)
        seen_plus = TRUE;
      else if (!is_room_char (str[i]))
        return FALSE;
      else if (seen_plus)
        second_len++;
      else
        first_len++;
    }

  return seen_plus &&
         first_len >= 1 && first_len <= SOTTO_PROTOCOL_USERNAME_MAX_LEN &&
         second_len >= 1 && second_len <= SOTTO_PROTOCOL_USERNAME_MAX_LEN;
}

/**
 * sotto_protocol_id_is_valid:
 * @id: a request or message id
 *
 * Returns: %TRUE if @id is 1–64 characters of A–Z, a–z, 0–9, _ or -
 */
gboolean
sotto_protocol_id_is_valid (const char *id)
{
  g_return_val_if_fail (id != NULL, FALSE);

  return check_id (id, strlen (id));
}

/**
 * sotto_protocol_username_is_valid:
 * @username: a user name as typed or received
 *
 * Returns: %TRUE if @username has the shape the protocol accepts; the
 *   server applies its own further rules (case folding, reserved names)
 */
gboolean
sotto_protocol_username_is_valid (const char *username)
{
  g_return_val_if_fail (username != NULL, FALSE);

  return check_username (username, strlen (username));
}

/**
 * sotto_protocol_room_is_valid:
 * @room: a room name
 *
 * Returns: %TRUE if @room is a normal or a direct room name
 */
gboolean
sotto_protocol_room_is_valid (const char *room)
{
  gsize len;

  g_return_val_if_fail (room != NULL, FALSE);

  len = strlen (room);

  return check_normal_room (room, len) || check_direct_room (room, len);
}

/**
 * sotto_protocol_room_is_direct:
 * @room: a room name
 *
 * Returns: %TRUE if @room is a well-formed direct room name, "@a+b"
 */
gboolean
sotto_protocol_room_is_direct (const char *room)
{
  g_return_val_if_fail (room != NULL, FALSE);

  return check_direct_room (room, strlen (room));
}

/* Base64 */

static inline int
base64_value (char c)
{
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '+')
    return 62;
  if (c == '/')
    return 63;

  return -1;
}

/* Standard alphabet, padded to a multiple of four, "=" only as the last
 * one or two characters, and the bits the padding leaves over are zero,
 * so every byte string has exactly one accepted encoding.
 * g_base64_decode() skips bad characters instead of failing.
 */
gboolean
_sotto_base64_check (const char *str,
                     gsize       len,
                     gsize      *out_decoded_len)
{
  gsize padding = 0;
  gsize data_len;
  int last;

  if (len % 4 != 0)
    return FALSE;

  if (len == 0)
    {
      *out_decoded_len = 0;
      return TRUE;
    }

  if (str[len - 1] == '=')
    padding = str[len - 2] == '=' ? 2 : 1;

  data_len = len - padding;

  for (gsize i = 0; i < data_len; i++)
    {
      if (base64_value (str[i]) < 0)
        return FALSE;
    }

  last = base64_value (str[data_len - 1]);
  if ((padding == 1 && (last & 0x03) != 0) ||
      (padding == 2 && (last & 0x0f) != 0))
    return FALSE;

  *out_decoded_len = len / 4 * 3 - padding;

  return TRUE;
}

/* Error messages */

static void
append_path (GString              *str,
             const SottoFieldPath *path)
{
  if (path == NULL)
    return;

  append_path (str, path->parent);

  if (path->name == NULL)
    g_string_append_printf (str, "[%d]", path->index);
  else if (str->len > 0)
    g_string_append_printf (str, ".%s", path->name);
  else
    g_string_append (str, path->name);
}

static char *
format_path (const SottoFieldPath *path)
{
  GString *str = g_string_new (NULL);

  append_path (str, path);

  return g_string_free (str, FALSE);
}

static gboolean
bad_field (GError               **error,
           const SottoFieldPath  *path,
           const char            *reason)
{
  g_autofree char *name = format_path (path);

  /* Translators: the first %s is a field name such as “room”, the
   * second says what is wrong with it. */
  g_set_error (error, SOTTO_PROTOCOL_ERROR, SOTTO_PROTOCOL_ERROR_BAD_FIELD,
               _("field “%s”: %s"), name, reason);

  return FALSE;
}

static char *
int_to_string (gint64 value)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT, value);
}

static gboolean
bad_range (GError                 **error,
           const SottoFieldPath    *path,
           const SottoFieldSchema  *field)
{
  g_autofree char *min = int_to_string (field->min);
  g_autofree char *max = int_to_string (field->max);
  g_autofree char *reason = NULL;

  if (field->max == G_MAXINT64)
    reason = g_strdup_printf (_("must be an integer of at least %s"), min);
  else
    reason = g_strdup_printf (_("must be an integer from %s to %s"), min, max);

  return bad_field (error, path, reason);
}

static gboolean
bad_string (GError                 **error,
            const SottoFieldPath    *path,
            const SottoFieldSchema  *field)
{
  g_autofree char *reason = NULL;
  g_autofree char *min = int_to_string (field->min);
  g_autofree char *max = int_to_string (field->max);

  switch (field->kind)
    {
    case SOTTO_FIELD_ID:
      reason = g_strdup_printf (_("must be 1–%d characters of A–Z, a–z, 0–9, _ or -"),
                                SOTTO_PROTOCOL_ID_MAX_LEN);
      break;

    case SOTTO_FIELD_USERNAME:
      reason = g_strdup_printf (_("must be 1–%d characters of A–Z, a–z, 0–9, ., _ or -"),
                                SOTTO_PROTOCOL_USERNAME_MAX_LEN);
      break;

    case SOTTO_FIELD_NORMAL_ROOM:
      reason = g_strdup_printf (_("must be 1–%d characters of a–z, 0–9, ., _ or -, "
                                  "starting with a letter or digit"),
                                SOTTO_PROTOCOL_ROOM_MAX_LEN);
      break;

    case SOTTO_FIELD_ROOM:
      reason = g_strdup_printf (_("must be 1–%d characters of a–z, 0–9, ., _ or -, "
                                  "starting with a letter or digit, or a direct room "
                                  "such as “@alice+bob”"),
                                SOTTO_PROTOCOL_ROOM_MAX_LEN);
      break;

    case SOTTO_FIELD_PASSWORD:
      reason = g_strdup_printf (_("must be %s–%s bytes of UTF-8"), min, max);
      break;

    case SOTTO_FIELD_TEXT:
      reason = g_strdup_printf (_("must be %s–%s characters of UTF-8"), min, max);
      break;

    case SOTTO_FIELD_ENUM:
      {
        g_autofree char *values = g_strjoinv (", ", (char **) field->values);

        reason = g_strdup_printf (_("must be one of %s"), values);
      }
      break;

    case SOTTO_FIELD_BASE64:
      if (field->min == field->max)
        reason = g_strdup_printf (_("must be base64 of exactly %s bytes"), min);
      else
        reason = g_strdup_printf (_("must be base64 of %s–%s bytes"), min, max);
      break;

    case SOTTO_FIELD_INT:
    case SOTTO_FIELD_BOOL:
    case SOTTO_FIELD_INT_ARRAY:
    case SOTTO_FIELD_OBJECT_ARRAY:
    case SOTTO_FIELD_OBJECT:
    default:
      g_assert_not_reached ();
    }

  return bad_field (error, path, reason);
}

static gboolean
bad_count (GError                 **error,
           const SottoFieldPath    *path,
           const SottoFieldSchema  *field)
{
  g_autofree char *reason = NULL;

  if (field->min_items == 0)
    reason = g_strdup_printf (_("must have at most %u items"), field->max_items);
  else
    reason = g_strdup_printf (_("must have %u–%u items"), field->min_items, field->max_items);

  return bad_field (error, path, reason);
}

/* Validation */

static inline gboolean
node_holds (JsonNode *node,
            GType     type)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == type;
}

static gboolean
validate_string (const SottoFieldSchema  *field,
                 const char              *str,
                 const SottoFieldPath    *path,
                 GError                 **error)
{
  gsize len = strlen (str);
  gsize decoded_len;
  gboolean ok = FALSE;

  switch (field->kind)
    {
    case SOTTO_FIELD_ID:
      ok = check_id (str, len);
      break;

    case SOTTO_FIELD_USERNAME:
      ok = check_username (str, len);
      break;

    case SOTTO_FIELD_NORMAL_ROOM:
      ok = check_normal_room (str, len);
      break;

    case SOTTO_FIELD_ROOM:
      ok = check_normal_room (str, len) || check_direct_room (str, len);
      break;

    case SOTTO_FIELD_PASSWORD:
      ok = (gint64) len >= field->min && (gint64) len <= field->max &&
           g_utf8_validate (str, len, NULL);
      break;

    case SOTTO_FIELD_TEXT:
      /* A character is at most four bytes: skip counting hopeless input. */
      if (g_utf8_validate (str, len, NULL) && (gint64) len <= field->max * 4)
        {
          glong n_chars = g_utf8_strlen (str, len);

          ok = n_chars >= field->min && n_chars <= field->max;
        }
      break;

    case SOTTO_FIELD_ENUM:
      ok = g_strv_contains (field->values, str);
      break;

    case SOTTO_FIELD_BASE64:
      ok = _sotto_base64_check (str, len, &decoded_len) &&
           (gint64) decoded_len >= field->min &&
           (gint64) decoded_len <= field->max;
      break;

    case SOTTO_FIELD_INT:
    case SOTTO_FIELD_BOOL:
    case SOTTO_FIELD_INT_ARRAY:
    case SOTTO_FIELD_OBJECT_ARRAY:
    case SOTTO_FIELD_OBJECT:
    default:
      g_assert_not_reached ();
    }

  if (!ok)
    return bad_string (error, path, field);

  return TRUE;
}

static gboolean
validate_int (const SottoFieldSchema  *field,
              JsonNode                *node,
              const SottoFieldPath    *path,
              GError                 **error)
{
  gint64 value;

  if (!node_holds (node, G_TYPE_INT64))
    return bad_range (error, path, field);

  value = json_node_get_int (node);
  if (value < field->min || value > field->max)
    return bad_range (error, path, field);

  return TRUE;
}

static gboolean
validate_value (const SottoFieldSchema  *field,
                JsonNode                *node,
                const SottoFieldPath    *path,
                GError                 **error)
{
  JsonArray *array;
  guint n_items;

  if (SOTTO_FIELD_KIND_IS_STRING (field->kind))
    {
      if (!node_holds (node, G_TYPE_STRING))
        return bad_field (error, path, _("must be a string"));

      return validate_string (field, json_node_get_string (node), path, error);
    }

  switch (field->kind)
    {
    case SOTTO_FIELD_INT:
      return validate_int (field, node, path, error);

    case SOTTO_FIELD_BOOL:
      if (!node_holds (node, G_TYPE_BOOLEAN))
        return bad_field (error, path, _("must be true or false"));
      return TRUE;

    case SOTTO_FIELD_OBJECT:
      if (!JSON_NODE_HOLDS_OBJECT (node))
        return bad_field (error, path, _("must be an object"));
      return _sotto_protocol_validate_object (field->object, json_node_get_object (node),
                                              path, NULL, error);

    case SOTTO_FIELD_INT_ARRAY:
    case SOTTO_FIELD_OBJECT_ARRAY:
      if (!JSON_NODE_HOLDS_ARRAY (node))
        return bad_field (error, path, _("must be an array"));

      array = json_node_get_array (node);
      n_items = json_array_get_length (array);
      if (n_items < field->min_items || n_items > field->max_items)
        return bad_count (error, path, field);

      for (guint i = 0; i < n_items; i++)
        {
          JsonNode *item = json_array_get_element (array, i);
          SottoFieldPath item_path = { path, NULL, (gint) i };

          if (field->kind == SOTTO_FIELD_INT_ARRAY)
            {
              if (!validate_int (field, item, &item_path, error))
                return FALSE;
            }
          else
            {
              if (!JSON_NODE_HOLDS_OBJECT (item))
                return bad_field (error, &item_path, _("must be an object"));

              if (!_sotto_protocol_validate_object (field->object, json_node_get_object (item),
                                                    &item_path, NULL, error))
                return FALSE;
            }
        }
      return TRUE;

    case SOTTO_FIELD_ID:
    case SOTTO_FIELD_USERNAME:
    case SOTTO_FIELD_ROOM:
    case SOTTO_FIELD_NORMAL_ROOM:
    case SOTTO_FIELD_PASSWORD:
    case SOTTO_FIELD_TEXT:
    case SOTTO_FIELD_ENUM:
    case SOTTO_FIELD_BASE64:
    default:
      g_assert_not_reached ();
    }

  return FALSE;
}

/* Names a peer made up are echoed only when short and plain, so that an
 * error message (which may end up in a log) never carries its payload.
 */
static gboolean
is_plain_name (const char *name)
{
  gsize i;

  for (i = 0; name[i] != '\0'; i++)
    {
      if (i >= SOTTO_PROTOCOL_ID_MAX_LEN || !is_username_char (name[i]))
        return FALSE;
    }

  return i > 0;
}

gboolean
_sotto_protocol_validate_object (const SottoObjectSchema  *schema,
                                 JsonObject               *object,
                                 const SottoFieldPath     *path,
                                 const char               *skip_member,
                                 GError                  **error)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *node;

  /* Unknown members first: a misspelt field is reported as itself rather
   * than as the required field it was meant to be. */
  json_object_iter_init_ordered (&iter, object);
  while (json_object_iter_next_ordered (&iter, &name, &node))
    {
      if (skip_member != NULL && strcmp (name, skip_member) == 0)
        continue;

      if (_sotto_object_schema_find (schema, name) == NULL)
        {
          SottoFieldPath member_path = { path, name, 0 };
          g_autofree char *where = NULL;

          if (is_plain_name (name))
            {
              where = format_path (&member_path);
              g_set_error (error, SOTTO_PROTOCOL_ERROR, SOTTO_PROTOCOL_ERROR_UNKNOWN_FIELD,
                           _("unknown field “%s”"), where);
            }
          else if (path != NULL)
            {
              where = format_path (path);
              g_set_error (error, SOTTO_PROTOCOL_ERROR, SOTTO_PROTOCOL_ERROR_UNKNOWN_FIELD,
                           _("unknown field in “%s”"), where);
            }
          else
            {
              g_set_error_literal (error, SOTTO_PROTOCOL_ERROR, SOTTO_PROTOCOL_ERROR_UNKNOWN_FIELD,
                                   _("unknown field"));
            }

          return FALSE;
        }
    }

  for (guint i = 0; i < schema->n_fields; i++)
    {
      const SottoFieldSchema *field = &schema->fields[i];
      SottoFieldPath field_path = { path, field->name, 0 };

      node = json_object_get_member (object, field->name);
      if (node == NULL)
        {
          g_autofree char *where = NULL;

          if (field->optional)
            continue;

          where = format_path (&field_path);
          g_set_error (error, SOTTO_PROTOCOL_ERROR, SOTTO_PROTOCOL_ERROR_MISSING_FIELD,
                       _("field “%s” is missing"), where);
          return FALSE;
        }

      if (!validate_value (field, node, &field_path, error))
        return FALSE;
    }

  return TRUE;
}
