/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

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

gboolean
_sotto_protocol_bad_field (GError               **error,
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

gboolean
_sotto_protocol_bad_range (GError                 **error,
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

  return _sotto_protocol_bad_field (error, path, reason);
}

gboolean
_sotto_protocol_bad_string (GError                 **error,
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

    case SOTTO_FIELD_LINK_ID:
      reason = g_strdup_printf (_("must be exactly %d characters of 0–9 or a–f"),
                                SOTTO_PROTOCOL_LINK_ID_LENGTH);
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
    case SOTTO_FIELD_BASE64_ARRAY:
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

  return _sotto_protocol_bad_field (error, path, reason);
}

gboolean
_sotto_protocol_bad_count (GError                 **error,
                           const SottoFieldPath    *path,
                           const SottoFieldSchema  *field)
{
  g_autofree char *reason = NULL;

  if (field->min_items == 0)
    reason = g_strdup_printf (_("must have at most %u items"), field->max_items);
  else
    reason = g_strdup_printf (_("must have %u–%u items"), field->min_items, field->max_items);

  return _sotto_protocol_bad_field (error, path, reason);
}

/* @name is %NULL when the peer's member name is not fit to be echoed. */
gboolean
_sotto_protocol_unknown_field (GError               **error,
                               const SottoFieldPath  *path,
                               const char            *name)
{
  g_autofree char *where = NULL;

  if (name != NULL)
    {
      SottoFieldPath member_path = { path, name, 0 };

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

gboolean
_sotto_protocol_missing_field (GError               **error,
                               const SottoFieldPath  *path)
{
  g_autofree char *where = format_path (path);

  g_set_error (error, SOTTO_PROTOCOL_ERROR, SOTTO_PROTOCOL_ERROR_MISSING_FIELD,
               _("field “%s” is missing"), where);

  return FALSE;
}
