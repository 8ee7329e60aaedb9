/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <sodium.h>
#include <string.h>

#include "sotto-client-private.h"

/*
 * File messages: what a body of type file says (sotto-file-message.c),
 * kept in the store beside text and shown as the file's name.
 *
 * The store keeps a text body as it is, and a file body as a NUL byte,
 * the body's type, then its content: text never holds a NUL byte, so the
 * two never mix, and rows written before files existed read as they did.
 */

#define STORED_TAG 0

/**
 * _sotto_client_stored_content:
 *
 * Returns: (transfer full): what the store keeps of @body's content
 */
GBytes *
_sotto_client_stored_content (const SottoMessageBody *body)
{
  GByteArray *stored;
  gsize size;
  const guint8 *data = g_bytes_get_data (body->content, &size);
  guint8 head[2] = { STORED_TAG, (guint8) body->type };

  if (body->type == SOTTO_MESSAGE_BODY_TEXT)
    return g_bytes_ref (body->content);

  stored = g_byte_array_sized_new (size + 2);
  g_byte_array_append (stored, head, sizeof head);
  if (size > 0)
    g_byte_array_append (stored, data, size);
  return g_byte_array_free_to_bytes (stored);
}

/**
 * _sotto_client_read_stored:
 * @stored: a readable row's body, as _sotto_client_stored_content() made
 *   it
 * @type: (out) (optional): the body's type
 * @content: (out) (optional) (transfer full): its content
 * @file: (out) (optional) (transfer full): for a file, what it says of it
 *
 * Returns: (transfer full) (nullable): the text the message shows (a
 *   file's name for a file), or %NULL for a row that reads as neither
 */
char *
_sotto_client_read_stored (GBytes                *stored,
                           SottoMessageBodyType  *type,
                           GBytes               **content,
                           SottoFileMessage     **file)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (stored, &size);
  g_autoptr(GBytes) file_content = NULL;
  g_auto(SottoFileMessage) parsed = { { 0 } };

  if (size == 0 || data[0] != STORED_TAG)
    {
      if (type != NULL)
        *type = SOTTO_MESSAGE_BODY_TEXT;
      if (content != NULL)
        *content = g_bytes_ref (stored);
      if (file != NULL)
        *file = NULL;
      return g_strndup ((const char *) data, size);
    }

  if (size < 2 || data[1] != SOTTO_MESSAGE_BODY_FILE)
    return NULL;
  file_content = g_bytes_new_from_bytes (stored, 2, size - 2);
  if (!sotto_file_message_decode (file_content, &parsed, NULL))
    return NULL;

  if (type != NULL)
    *type = SOTTO_MESSAGE_BODY_FILE;
  if (content != NULL)
    *content = g_bytes_ref (file_content);
  if (file != NULL)
    *file = sotto_file_message_copy (&parsed);
  return g_strdup (parsed.name);
}

/**
 * _sotto_client_read_body:
 * @file: (out) (transfer full) (nullable): for a file, what it says of it
 *
 * Returns: (transfer full): the text a message of @body shows: its text,
 *   or a file's name
 */
char *
_sotto_client_read_body (const SottoMessageBody  *body,
                         SottoFileMessage       **file)
{
  gsize size;
  const char *data = g_bytes_get_data (body->content, &size);
  g_auto(SottoFileMessage) parsed = { { 0 } };

  *file = NULL;
  /* Bodies that decoded were checked for what their type allows. */
  if (body->type == SOTTO_MESSAGE_BODY_FILE &&
      sotto_file_message_decode (body->content, &parsed, NULL))
    {
      *file = sotto_file_message_copy (&parsed);
      return g_strdup (parsed.name);
    }
  return g_strndup (data, size);
}
