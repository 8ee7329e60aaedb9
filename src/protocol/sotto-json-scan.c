/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "sotto-protocol-private.h"

/* A strict, linear pass over the raw bytes before json-glib sees them.
 *
 * json-glib 1.6 recurses once per nesting level, so depth is bounded here.
 * It is also far more lenient than RFC 8259: it skips comments, accepts
 * single quotes, hex, octal and binary numbers, octal string escapes, raw
 * control characters and lone surrogates in strings, and wraps integers
 * over 64 bits. Anything it would read differently from a strict parser is
 * refused here, so that every implementation sees the same message.
 *
 * Also counted: members per object (json-glib replaces a duplicate member
 * with a linear search, so a big object full of repeats would be quadratic),
 * all members (compared with the parsed tree to spot duplicates), and all
 * values (bounding the memory a message can make json-glib allocate).
 */

#define MAX_NUMBER_LEN 40

static gboolean
malformed (GError     **error,
           gsize        offset,
           const char  *reason)
{
  /* Translators: %lu is a byte offset, %s says what is wrong there. */
  g_set_error (error, SOTTO_PROTOCOL_ERROR, SOTTO_PROTOCOL_ERROR_MALFORMED,
               _("not valid JSON at byte %lu: %s"), (gulong) offset, reason);

  return FALSE;
}

static gboolean
read_hex4 (const guint8 *data,
           gsize         len,
           gsize         pos,
           gunichar     *out_value)
{
  gunichar value = 0;

  if (len - pos < 4)
    return FALSE;

  for (guint i = 0; i < 4; i++)
    {
      int digit = g_ascii_xdigit_value (data[pos + i]);

      if (digit < 0)
        return FALSE;

      value = (value << 4) | (gunichar) digit;
    }

  *out_value = value;

  return TRUE;
}

/* On entry data[*pos] is the opening quote; on success *pos is just past
 * the closing one. */
static gboolean
scan_string (const guint8  *data,
             gsize          len,
             gsize         *pos,
             GError       **error)
{
  gsize i = *pos + 1;

  while (i < len)
    {
      guint8 c = data[i];
      gunichar unit;
      gunichar low;

      if (c == '"')
        {
          *pos = i + 1;
          return TRUE;
        }

      if (c < 0x20)
        return malformed (error, i, _("control character in a string"));

      if (c != '\\')
        {
          i++;
          continue;
        }

      if (i + 1 >= len)
        break;

      switch (data[i + 1])
        {
        case '"':
        case '\\':
        case '/':
        case 'b':
        case 'f':
        case 'n':
        case 'r':
        case 't':
          i += 2;
          break;

        case 'u':
          if (!read_hex4 (data, len, i + 2, &unit))
            return malformed (error, i, _("invalid \\u escape"));

          if (unit == 0)
            return malformed (error, i, _("NUL character in a string"));

          if (unit >= 0xdc00 && unit <= 0xdfff)
            return malformed (error, i, _("unpaired surrogate in a string"));

          if (unit >= 0xd800 && unit <= 0xdbff)
            {
              if (len - i < 12 || data[i + 6] != '\\' || data[i + 7] != 'u' ||
                  !read_hex4 (data, len, i + 8, &low) || low < 0xdc00 || low > 0xdfff)
                return malformed (error, i, _("unpaired surrogate in a string"));

              i += 6;
            }

          i += 6;
          break;

        default:
          return malformed (error, i, _("invalid escape in a string"));
        }
    }

  return malformed (error, len, _("unterminated string"));
}

static inline gboolean
is_literal_char (guint8 c)
{
  return g_ascii_isalnum (c) || c == '-' || c == '+' || c == '.';
}

/* true, false, null, or an RFC 8259 number; integers must fit in gint64
 * (json-glib would silently wrap them). */
static gboolean
scan_literal (const guint8  *data,
              gsize          len,
              gsize         *pos,
              GError       **error)
{
  gsize start = *pos;
  gsize end = start;
  const guint8 *token = data + start;
  gsize n;
  gsize p = 0;
  gboolean integer = TRUE;
  guint64 magnitude = 0;
  gboolean overflow = FALSE;

  while (end < len && is_literal_char (data[end]))
    end++;

  n = end - start;
  *pos = end;

  if ((n == 4 && memcmp (token, "true", 4) == 0) ||
      (n == 5 && memcmp (token, "false", 5) == 0) ||
      (n == 4 && memcmp (token, "null", 4) == 0))
    return TRUE;

  if (n > MAX_NUMBER_LEN)
    return malformed (error, start, _("number too long"));

  if (token[p] == '-')
    p++;

  if (p < n && token[p] == '0')
    {
      p++;
    }
  else if (p < n && g_ascii_isdigit (token[p]))
    {
      for (; p < n && g_ascii_isdigit (token[p]); p++)
        {
          guint digit = token[p] - '0';

          if (magnitude > ((guint64) G_MAXINT64 - digit) / 10)
            overflow = TRUE;
          else
            magnitude = magnitude * 10 + digit;
        }
    }
  else
    {
      return malformed (error, start, _("unexpected word"));
    }

  if (p < n && token[p] == '.')
    {
      integer = FALSE;
      p++;
      if (p >= n || !g_ascii_isdigit (token[p]))
        return malformed (error, start, _("invalid number"));
      while (p < n && g_ascii_isdigit (token[p]))
        p++;
    }

  if (p < n && (token[p] == 'e' || token[p] == 'E'))
    {
      integer = FALSE;
      p++;
      if (p < n && (token[p] == '+' || token[p] == '-'))
        p++;
      if (p >= n || !g_ascii_isdigit (token[p]))
        return malformed (error, start, _("invalid number"));
      while (p < n && g_ascii_isdigit (token[p]))
        p++;
    }

  if (p != n)
    return malformed (error, start, _("invalid number"));

  /* The range is symmetric, -(2^63 - 1) to 2^63 - 1: json-glib reads the
   * magnitude and negates it afterwards. */
  if (integer && overflow)
    return malformed (error, start, _("integer out of range"));

  return TRUE;
}

gboolean
_sotto_json_prescan (const guint8  *data,
                     gsize          len,
                     guint         *out_n_members,
                     GError       **error)
{
  guint8 open[SOTTO_PROTOCOL_MAX_DEPTH];
  guint members[SOTTO_PROTOCOL_MAX_DEPTH];
  guint depth = 0;
  guint n_members = 0;
  guint n_tokens = 0;
  gboolean closed = FALSE;
  gsize i = 0;

  if (len == 0)
    {
      g_set_error_literal (error, SOTTO_PROTOCOL_ERROR, SOTTO_PROTOCOL_ERROR_MALFORMED,
                           _("empty message"));
      return FALSE;
    }

  if (len > SOTTO_PROTOCOL_MAX_MESSAGE_SIZE)
    {
      g_set_error (error, SOTTO_PROTOCOL_ERROR, SOTTO_PROTOCOL_ERROR_TOO_LARGE,
                   _("message of %lu bytes is over the limit of %lu bytes"),
                   (gulong) len, (gulong) SOTTO_PROTOCOL_MAX_MESSAGE_SIZE);
      return FALSE;
    }

  if (memchr (data, '\0', len) != NULL)
    {
      g_set_error_literal (error, SOTTO_PROTOCOL_ERROR, SOTTO_PROTOCOL_ERROR_MALFORMED,
                           _("message contains a NUL byte"));
      return FALSE;
    }

  if (!g_utf8_validate_len ((const char *) data, len, NULL))
    {
      g_set_error_literal (error, SOTTO_PROTOCOL_ERROR, SOTTO_PROTOCOL_ERROR_MALFORMED,
                           _("message is not valid UTF-8"));
      return FALSE;
    }

  while (i < len)
    {
      guint8 c = data[i];

      if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
        {
          i++;
          continue;
        }

      if (closed)
        return malformed (error, i, _("data after the end of the message"));

      if (depth == 0 && c != '{')
        return malformed (error, i, _("a message must be a JSON object"));

      switch (c)
        {
        case '{':
        case '[':
          if (depth == SOTTO_PROTOCOL_MAX_DEPTH)
            {
              g_set_error (error, SOTTO_PROTOCOL_ERROR, SOTTO_PROTOCOL_ERROR_TOO_LARGE,
                           _("message is nested deeper than %d levels"),
                           SOTTO_PROTOCOL_MAX_DEPTH);
              return FALSE;
            }
          open[depth] = c;
          members[depth] = 0;
          depth++;
          n_tokens++;
          i++;
          break;

        case '}':
        case ']':
          if (open[depth - 1] != (c == '}' ? '{' : '['))
            return malformed (error, i, _("mismatched bracket"));
          depth--;
          closed = depth == 0;
          i++;
          break;

        case ':':
          if (open[depth - 1] != '{')
            return malformed (error, i, _("unexpected “:”"));
          if (++members[depth - 1] > SOTTO_PROTOCOL_MAX_OBJECT_MEMBERS)
            {
              g_set_error (error, SOTTO_PROTOCOL_ERROR, SOTTO_PROTOCOL_ERROR_TOO_LARGE,
                           _("an object has more than %d members"),
                           SOTTO_PROTOCOL_MAX_OBJECT_MEMBERS);
              return FALSE;
            }
          n_members++;
          i++;
          break;

        case ',':
          i++;
          break;

        case '"':
          if (!scan_string (data, len, &i, error))
            return FALSE;
          n_tokens++;
          break;

        default:
          if (!is_literal_char (c))
            return malformed (error, i, _("unexpected character"));
          if (!scan_literal (data, len, &i, error))
            return FALSE;
          n_tokens++;
          break;
        }
    }

  if (!closed)
    return malformed (error, len, _("message is truncated"));

  /* Every member name is one of the string tokens. */
  if (n_tokens - n_members > SOTTO_PROTOCOL_MAX_VALUES)
    {
      g_set_error (error, SOTTO_PROTOCOL_ERROR, SOTTO_PROTOCOL_ERROR_TOO_LARGE,
                   _("message has more than %d values"), SOTTO_PROTOCOL_MAX_VALUES);
      return FALSE;
    }

  *out_n_members = n_members;

  return TRUE;
}
