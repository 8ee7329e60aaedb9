/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "sotto-protocol-private.h"

/* Most messages are one object of plain values: a send, an acknowledgement,
 * a key request. For those, the object is built here in one pass over the
 * bytes, without json-glib's parser (a lexer that hands it one character
 * at a time), into the same JsonObject that the parser would build:
 * strings unescaped alike, whole numbers as gint64, others as doubles,
 * members in their order, a repeated member replacing the first (which
 * the caller's member count then refuses, as for parsed messages).
 *
 * Only after _sotto_json_prescan() has passed the same bytes: it has
 * checked every token, the UTF-8 and every escape, so this pass trusts
 * them and checks only their order. An object with an object or an array
 * in it is not flat, and tokens out of order are not this pass's to
 * explain: for both the caller parses as before, with json-glib.
 */

typedef struct
{
  const char *p;
  const char *end;
} Cursor;

static void
skip_space (Cursor *c)
{
  while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
    c->p++;
}

static guint
hex4 (const char *p)
{
  guint value = 0;

  for (guint i = 0; i < 4; i++)
    value = value * 16 + (guint) g_ascii_xdigit_value (p[i]);
  return value;
}

/* A string token, at its opening quote; its text, unescaped. */
static char *
take_string (Cursor *c)
{
  GString *out;
  const char *start = ++c->p;

  /* No escape: the common case, one copy. */
  while (c->p < c->end && *c->p != '"' && *c->p != '\\')
    c->p++;
  if (c->p < c->end && *c->p == '"')
    return g_strndup (start, (gsize) (c->p++ - start));

  out = g_string_new_len (start, c->p - start);
  while (c->p < c->end && *c->p != '"')
    {
      if (*c->p != '\\')
        {
          g_string_append_c (out, *c->p++);
          continue;
        }
      c->p++;
      switch (*c->p)
        {
        case 'b': g_string_append_c (out, '\b'); c->p++; break;
        case 'f': g_string_append_c (out, '\f'); c->p++; break;
        case 'n': g_string_append_c (out, '\n'); c->p++; break;
        case 'r': g_string_append_c (out, '\r'); c->p++; break;
        case 't': g_string_append_c (out, '\t'); c->p++; break;
        case 'u':
          {
            gunichar ch = hex4 (c->p + 1);

            c->p += 5;
            /* The scan let only whole surrogate pairs through. */
            if (ch >= 0xd800 && ch <= 0xdbff)
              {
                ch = 0x10000 + ((ch - 0xd800) << 10) + (hex4 (c->p + 2) - 0xdc00);
                c->p += 6;
              }
            g_string_append_unichar (out, ch);
          }
          break;
        default:  /* '"', '\\', '/' */
          g_string_append_c (out, *c->p++);
          break;
        }
    }
  c->p++;
  return g_string_free (out, FALSE);
}

/* A value that is no object and no array, or %NULL. */
static JsonNode *
take_value (Cursor *c)
{
  JsonNode *node;
  const char *start = c->p;
  gboolean whole = TRUE;

  switch (*c->p)
    {
    case '"':
      {
        g_autofree char *text = take_string (c);

        node = json_node_new (JSON_NODE_VALUE);
        json_node_set_string (node, text);
        return node;
      }
    case 't':
      c->p += 4;
      node = json_node_new (JSON_NODE_VALUE);
      json_node_set_boolean (node, TRUE);
      return node;
    case 'f':
      c->p += 5;
      node = json_node_new (JSON_NODE_VALUE);
      json_node_set_boolean (node, FALSE);
      return node;
    case 'n':
      c->p += 4;
      return json_node_new (JSON_NODE_NULL);
    case '{':
    case '[':
      return NULL;
    default:
      break;
    }

  while (c->p < c->end && (g_ascii_isdigit (*c->p) || *c->p == '-' || *c->p == '+' ||
                           *c->p == '.' || *c->p == 'e' || *c->p == 'E'))
    {
      if (*c->p == '.' || *c->p == 'e' || *c->p == 'E')
        whole = FALSE;
      c->p++;
    }
  /* No value where one belongs: json-glib says what is wrong. */
  if (c->p == start)
    return NULL;
  {
    g_autofree char *text = g_strndup (start, c->p - start);

    node = json_node_new (JSON_NODE_VALUE);
    if (whole)
      json_node_set_int (node, g_ascii_strtoll (text, NULL, 10));
    else
      json_node_set_double (node, g_ascii_strtod (text, NULL));
  }
  return node;
}

/**
 * _sotto_json_parse_flat:
 * @data: a message that _sotto_json_prescan() passed
 *
 * Returns: (transfer full) (nullable): the message's object when it is
 *   one of plain values only, or %NULL when it is not (the caller then
 *   parses it with json-glib)
 */
JsonNode *
_sotto_json_parse_flat (const guint8 *data,
                        gsize         len)
{
  g_autoptr(JsonObject) object = json_object_new ();
  JsonNode *root;
  Cursor c = { (const char *) data, (const char *) data + len };

  skip_space (&c);
  if (c.p >= c.end || *c.p != '{')
    return NULL;
  c.p++;
  skip_space (&c);
  if (c.p < c.end && *c.p == '}')
    c.p++;
  else
    for (;;)
      {
        g_autofree char *name = NULL;
        JsonNode *value;

        if (c.p >= c.end || *c.p != '"')
          return NULL;
        name = take_string (&c);
        skip_space (&c);
        if (c.p >= c.end || *c.p != ':')
          return NULL;
        c.p++;
        skip_space (&c);
        if (c.p >= c.end || (value = take_value (&c)) == NULL)
          return NULL;
        json_object_set_member (object, name, value);
        skip_space (&c);
        if (c.p < c.end && *c.p == ',')
          {
            c.p++;
            skip_space (&c);
            continue;
          }
        if (c.p < c.end && *c.p == '}')
          {
            c.p++;
            break;
          }
        return NULL;
      }
  skip_space (&c);
  if (c.p != c.end)
    return NULL;

  root = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (root, object);
  /* Immutable, as the parser's are. */
  json_node_seal (root);
  return root;
}
