/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "sotto-e2e-private.h"
#include "sotto-file-message.h"

/*
 * What a message says of a file (the content of a body of type file),
 * inside the envelope, so that the server sees none of it:
 *
 *   version 1 ‖ blob id (16) ‖ key (32) ‖ blob hash (32) ‖ size (8) ‖
 *   name (2-byte length, 1–255 bytes) ‖ media type (2-byte length,
 *   1–127 bytes) ‖ width (4) ‖ height (4) ‖
 *   thumbnail (2-byte length, 0–16 KiB)
 *
 * Parsing is strict. A name is any UTF-8 without NUL or other control
 * characters; it is shown as the sender wrote it, and saved only under
 * sotto_file_message_safe_name(). A media type is "type/subtype" in
 * lower-case ASCII. Width and height are both 0 (not an image) or both
 * 1–65,535.
 */

#define VERSION 1

void
sotto_file_message_clear (SottoFileMessage *file)
{
  g_clear_pointer (&file->name, g_free);
  g_clear_pointer (&file->type, g_free);
  g_clear_pointer (&file->thumbnail, g_bytes_unref);
  sodium_memzero (file->key, sizeof file->key);
}

/**
 * sotto_file_message_copy:
 *
 * Returns: (transfer full): a copy of @file, on the heap
 */
SottoFileMessage *
sotto_file_message_copy (const SottoFileMessage *file)
{
  SottoFileMessage *copy;

  g_return_val_if_fail (file != NULL, NULL);

  copy = g_new0 (SottoFileMessage, 1);
  *copy = *file;
  copy->name = g_strdup (file->name);
  copy->type = g_strdup (file->type);
  copy->thumbnail = file->thumbnail != NULL ? g_bytes_ref (file->thumbnail) : NULL;
  return copy;
}

void
sotto_file_message_free (SottoFileMessage *file)
{
  if (file == NULL)
    return;
  sotto_file_message_clear (file);
  g_free (file);
}

static gboolean
valid_file_name (const char *name)
{
  if (!_sotto_e2e_valid_name (name, SOTTO_FILE_NAME_MAX_BYTES, FALSE))
    return FALSE;
  for (const char *p = name; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iscntrl (c))
        return FALSE;
    }
  return TRUE;
}

static gboolean
valid_type_part (const char *part,
                 gsize       len)
{
  if (len == 0)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      char c = part[i];

      if (!(g_ascii_islower (c) || g_ascii_isdigit (c) || strchr ("!#$&-^_.+", c) != NULL))
        return FALSE;
    }
  return TRUE;
}

static gboolean
valid_media_type (const char *type)
{
  const char *slash;
  gsize len;

  if (type == NULL)
    return FALSE;
  len = strlen (type);
  slash = strchr (type, '/');
  return len <= SOTTO_FILE_TYPE_MAX_BYTES && slash != NULL &&
         valid_type_part (type, (gsize) (slash - type)) &&
         valid_type_part (slash + 1, len - (gsize) (slash - type) - 1);
}

static gboolean
valid_sides (guint32 width,
             guint32 height)
{
  return (width == 0 && height == 0) ||
         (width >= 1 && width <= SOTTO_FILE_IMAGE_MAX_SIDE &&
          height >= 1 && height <= SOTTO_FILE_IMAGE_MAX_SIDE);
}

/**
 * sotto_file_message_encode:
 *
 * Returns: (transfer full): the content of a file message, or %NULL with
 *   %SOTTO_E2E_ERROR_BAD_FORMAT for fields it does not carry
 */
GBytes *
sotto_file_message_encode (const SottoFileMessage  *file,
                           GError                 **error)
{
  SottoE2eWriter writer = { 0 };
  gsize thumbnail_size = file->thumbnail != NULL ? g_bytes_get_size (file->thumbnail) : 0;

  g_return_val_if_fail (file != NULL, NULL);

  if (!valid_file_name (file->name) || !valid_media_type (file->type) ||
      !valid_sides (file->width, file->height) || file->size > SOTTO_FILE_MAX_BYTES ||
      thumbnail_size > SOTTO_FILE_THUMBNAIL_MAX_BYTES)
    {
      g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT,
                           _("The file cannot be described in a message: its name, type or "
                             "picture is not one a message carries"));
      return NULL;
    }

  writer.size = 1 + SOTTO_FILE_ID_BYTES + SOTTO_FILE_KEY_BYTES + SOTTO_FILE_HASH_BYTES + 8 +
                2 + strlen (file->name) + 2 + strlen (file->type) + 4 + 4 + 2 + thumbnail_size;
  writer.data = _sotto_e2e_secure_alloc (writer.size);
  _sotto_e2e_writer_put_u8 (&writer, VERSION);
  _sotto_e2e_writer_put (&writer, file->id, SOTTO_FILE_ID_BYTES);
  _sotto_e2e_writer_put (&writer, file->key, SOTTO_FILE_KEY_BYTES);
  _sotto_e2e_writer_put (&writer, file->hash, SOTTO_FILE_HASH_BYTES);
  _sotto_e2e_writer_put_u64 (&writer, file->size);
  _sotto_e2e_writer_put_name (&writer, file->name);
  _sotto_e2e_writer_put_name (&writer, file->type);
  _sotto_e2e_writer_put_u32 (&writer, file->width);
  _sotto_e2e_writer_put_u32 (&writer, file->height);
  _sotto_e2e_writer_put_u16 (&writer, (guint16) thumbnail_size);
  if (thumbnail_size > 0)
    _sotto_e2e_writer_put (&writer, g_bytes_get_data (file->thumbnail, NULL), thumbnail_size);
  g_assert (writer.pos == writer.size);

  return g_bytes_new_with_free_func (writer.data, writer.size, (GDestroyNotify) sodium_free,
                                     writer.data);
}

/**
 * sotto_file_message_decode:
 * @file: (out caller-allocates): filled in on success; clear it with
 *   sotto_file_message_clear()
 *
 * Returns: %TRUE, or %FALSE with %SOTTO_E2E_ERROR_BAD_FORMAT
 */
gboolean
sotto_file_message_decode (GBytes            *content,
                           SottoFileMessage  *file,
                           GError           **error)
{
  SottoE2eReader reader = { 0 };
  g_auto(SottoFileMessage) out = { { 0 } };
  const guint8 *id, *key, *hash, *thumbnail;
  guint8 version = 0;
  guint16 thumbnail_size = 0;
  gboolean ok;

  g_return_val_if_fail (content != NULL && file != NULL, FALSE);

  reader.data = _sotto_e2e_bytes_get_data (content, &reader.size);
  ok = _sotto_e2e_reader_get_u8 (&reader, &version) && version == VERSION &&
       _sotto_e2e_reader_get (&reader, &id, SOTTO_FILE_ID_BYTES) &&
       _sotto_e2e_reader_get (&reader, &key, SOTTO_FILE_KEY_BYTES) &&
       _sotto_e2e_reader_get (&reader, &hash, SOTTO_FILE_HASH_BYTES) &&
       _sotto_e2e_reader_get_u64 (&reader, &out.size) && out.size <= SOTTO_FILE_MAX_BYTES &&
       _sotto_e2e_reader_get_name (&reader, SOTTO_FILE_NAME_MAX_BYTES, FALSE, &out.name) &&
       valid_file_name (out.name) &&
       _sotto_e2e_reader_get_name (&reader, SOTTO_FILE_TYPE_MAX_BYTES, FALSE, &out.type) &&
       valid_media_type (out.type) &&
       _sotto_e2e_reader_get_u32 (&reader, &out.width) &&
       _sotto_e2e_reader_get_u32 (&reader, &out.height) && valid_sides (out.width, out.height) &&
       _sotto_e2e_reader_get_u16 (&reader, &thumbnail_size) &&
       thumbnail_size <= SOTTO_FILE_THUMBNAIL_MAX_BYTES &&
       _sotto_e2e_reader_get (&reader, &thumbnail, thumbnail_size) &&
       _sotto_e2e_reader_at_end (&reader);
  if (!ok)
    {
      g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT,
                           _("The message describes a file in a way this Sotto does not read"));
      return FALSE;
    }

  memcpy (out.id, id, SOTTO_FILE_ID_BYTES);
  memcpy (out.key, key, SOTTO_FILE_KEY_BYTES);
  memcpy (out.hash, hash, SOTTO_FILE_HASH_BYTES);
  if (thumbnail_size > 0)
    out.thumbnail = g_bytes_new (thumbnail, thumbnail_size);

  *file = out;
  memset (&out, 0, sizeof out);
  return TRUE;
}

/**
 * sotto_file_message_safe_name:
 * @name: a file name as a sender gave it
 *
 * Returns: (transfer full): a name to save the file under in a folder the
 *   user chose: no folders in it, no leading dots (nothing hidden, no
 *   "..") nor spaces, no control characters, at most 255 bytes; "file"
 *   when nothing of @name is left
 */
char *
sotto_file_message_safe_name (const char *name)
{
  g_autoptr(GString) safe = g_string_new (NULL);
  const char *p;

  if (name == NULL || !g_utf8_validate (name, -1, NULL))
    return g_strdup ("file");

  /* What follows the last separator, of either kind. */
  p = name;
  for (const char *q = name; *q != '\0'; q++)
    if (*q == '/' || *q == '\\')
      p = q + 1;

  for (; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iscntrl (c) || c == 0x202e || c == 0x202d)
        continue;
      if (safe->len == 0 && (c == '.' || g_unichar_isspace (c)))
        continue;
      if (safe->len + 6 > SOTTO_FILE_NAME_MAX_BYTES)
        break;
      g_string_append_unichar (safe, c);
    }
  while (safe->len > 0 && g_ascii_isspace (safe->str[safe->len - 1]))
    g_string_truncate (safe, safe->len - 1);

  if (safe->len == 0)
    return g_strdup ("file");
  return g_string_free (g_steal_pointer (&safe), FALSE);
}
