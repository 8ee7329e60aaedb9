/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "sotto-protocol-private.h"

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

/* A link id is 16 bytes in lowercase hex: one spelling per id, so the
 * server can compare them as strings. */
static gboolean
check_link_id (const char *str,
               gsize       len)
{
  if (len != SOTTO_PROTOCOL_LINK_ID_LENGTH)
    return FALSE;

  for (gsize i = 0; i < len; i++)
    {
      if (!g_ascii_isdigit (str[i]) && !(str[i] >= 'a' && str[i] <= 'f'))
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
 * sotto_protocol_link_id_is_valid:
 * @link: a link id, as a link code gives it
 *
 * Returns: %TRUE if @link is exactly 32 characters of 0–9 or a–f
 */
gboolean
sotto_protocol_link_id_is_valid (const char *link)
{
  g_return_val_if_fail (link != NULL, FALSE);

  return check_link_id (link, strlen (link));
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

/* The value of each character of the standard alphabet plus one, 0 for
 * the others: a table, since a piece of a blob is 350,000 characters of
 * random base64, on which comparisons by range mispredict all the time. */
static const guint8 base64_values[256] = {
  ['A'] = 1, ['B'] = 2, ['C'] = 3, ['D'] = 4, ['E'] = 5, ['F'] = 6, ['G'] = 7, ['H'] = 8,
  ['I'] = 9, ['J'] = 10, ['K'] = 11, ['L'] = 12, ['M'] = 13, ['N'] = 14, ['O'] = 15,
  ['P'] = 16, ['Q'] = 17, ['R'] = 18, ['S'] = 19, ['T'] = 20, ['U'] = 21, ['V'] = 22,
  ['W'] = 23, ['X'] = 24, ['Y'] = 25, ['Z'] = 26,
  ['a'] = 27, ['b'] = 28, ['c'] = 29, ['d'] = 30, ['e'] = 31, ['f'] = 32, ['g'] = 33,
  ['h'] = 34, ['i'] = 35, ['j'] = 36, ['k'] = 37, ['l'] = 38, ['m'] = 39, ['n'] = 40,
  ['o'] = 41, ['p'] = 42, ['q'] = 43, ['r'] = 44, ['s'] = 45, ['t'] = 46, ['u'] = 47,
  ['v'] = 48, ['w'] = 49, ['x'] = 50, ['y'] = 51, ['z'] = 52,
  ['0'] = 53, ['1'] = 54, ['2'] = 55, ['3'] = 56, ['4'] = 57, ['5'] = 58, ['6'] = 59,
  ['7'] = 60, ['8'] = 61, ['9'] = 62, ['+'] = 63, ['/'] = 64,
};

static inline int
base64_value (char c)
{
  return (int) base64_values[(guchar) c] - 1;
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

    case SOTTO_FIELD_LINK_ID:
      ok = check_link_id (str, len);
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

    /* The items of a base64 array follow the same rule. */
    case SOTTO_FIELD_BASE64:
    case SOTTO_FIELD_BASE64_ARRAY:
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
    return _sotto_protocol_bad_string (error, path, field);

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
    return _sotto_protocol_bad_range (error, path, field);

  value = json_node_get_int (node);
  if (value < field->min || value > field->max)
    return _sotto_protocol_bad_range (error, path, field);

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
        return _sotto_protocol_bad_field (error, path, _("must be a string"));

      return validate_string (field, json_node_get_string (node), path, error);
    }

  switch (field->kind)
    {
    case SOTTO_FIELD_INT:
      return validate_int (field, node, path, error);

    case SOTTO_FIELD_BOOL:
      if (!node_holds (node, G_TYPE_BOOLEAN))
        return _sotto_protocol_bad_field (error, path, _("must be true or false"));
      return TRUE;

    case SOTTO_FIELD_OBJECT:
      if (!JSON_NODE_HOLDS_OBJECT (node))
        return _sotto_protocol_bad_field (error, path, _("must be an object"));
      return _sotto_protocol_validate_object (field->object, json_node_get_object (node),
                                              path, NULL, error);

    case SOTTO_FIELD_INT_ARRAY:
    case SOTTO_FIELD_OBJECT_ARRAY:
    case SOTTO_FIELD_BASE64_ARRAY:
      if (!JSON_NODE_HOLDS_ARRAY (node))
        return _sotto_protocol_bad_field (error, path, _("must be an array"));

      array = json_node_get_array (node);
      n_items = json_array_get_length (array);
      if (n_items < field->min_items || n_items > field->max_items)
        return _sotto_protocol_bad_count (error, path, field);

      for (guint i = 0; i < n_items; i++)
        {
          JsonNode *item = json_array_get_element (array, i);
          SottoFieldPath item_path = { path, NULL, (gint) i };

          if (field->kind == SOTTO_FIELD_INT_ARRAY)
            {
              if (!validate_int (field, item, &item_path, error))
                return FALSE;
            }
          else if (field->kind == SOTTO_FIELD_BASE64_ARRAY)
            {
              if (!node_holds (item, G_TYPE_STRING))
                return _sotto_protocol_bad_field (error, &item_path, _("must be a string"));

              if (!validate_string (field, json_node_get_string (item), &item_path, error))
                return FALSE;
            }
          else
            {
              if (!JSON_NODE_HOLDS_OBJECT (item))
                return _sotto_protocol_bad_field (error, &item_path, _("must be an object"));

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
    case SOTTO_FIELD_LINK_ID:
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
        return _sotto_protocol_unknown_field (error, path, is_plain_name (name) ? name : NULL);
    }

  for (guint i = 0; i < schema->n_fields; i++)
    {
      const SottoFieldSchema *field = &schema->fields[i];
      SottoFieldPath field_path = { path, field->name, 0 };

      node = json_object_get_member (object, field->name);
      if (node == NULL)
        {
          if (field->optional)
            continue;

          return _sotto_protocol_missing_field (error, &field_path);
        }

      if (!validate_value (field, node, &field_path, error))
        return FALSE;
    }

  return TRUE;
}
