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
 * The store keeps a text body as it is, and any other (a file, a reply,
 * an edit, a deletion, a reaction) as a NUL byte, the body's type, then
 * its content: text never holds a NUL byte, so the two never mix, and
 * rows written before files existed read as they did.
 */

#define STORED_TAG 0

/* The text a body shows, and what it says of a file or of another message;
 * %NULL for content its type does not allow. */
static char *
read_content (const SottoMessageBody  *body,
              SottoFileMessage       **file,
              SottoMessageAction     **action)
{
  gsize size;
  const char *data = g_bytes_get_data (body->content, &size);

  *file = NULL;
  *action = NULL;
  if (body->type == SOTTO_MESSAGE_BODY_FILE)
    {
      g_auto(SottoFileMessage) parsed = { { 0 } };

      if (!sotto_file_message_decode (body->content, &parsed, NULL))
        return NULL;
      *file = sotto_file_message_copy (&parsed);
      return g_strdup (parsed.name);
    }
  if (sotto_message_body_type_is_action (body->type))
    {
      g_autoptr(SottoMessageAction) parsed = g_new0 (SottoMessageAction, 1);

      if (!sotto_message_action_decode (body->type, body->content, parsed, NULL))
        return NULL;
      *action = g_steal_pointer (&parsed);
      return g_strdup ((*action)->type == SOTTO_MESSAGE_BODY_REPLY ? (*action)->text : "");
    }
  if (memchr (data, '\0', size) != NULL)
    return NULL;
  return g_strndup (data, size);
}

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
 * @action: (out) (optional) (transfer full): for a reply, an edit, a
 *   deletion or a reaction, what it says
 *
 * Returns: (transfer full) (nullable): the text the message shows (a
 *   file's name for a file, a reply's text, "" for the other three), or
 *   %NULL for a row that reads as none of them
 */
char *
_sotto_client_read_stored (GBytes                *stored,
                           SottoMessageBodyType  *type,
                           GBytes               **content,
                           SottoFileMessage     **file,
                           SottoMessageAction   **action)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (stored, &size);
  g_autoptr(GBytes) tagged = NULL;
  SottoMessageBody body = { 0 };
  g_autoptr(SottoFileMessage) parsed_file = NULL;
  g_autoptr(SottoMessageAction) parsed_action = NULL;
  char *text;

  if (file != NULL)
    *file = NULL;
  if (action != NULL)
    *action = NULL;
  if (size == 0 || data[0] != STORED_TAG)
    {
      if (type != NULL)
        *type = SOTTO_MESSAGE_BODY_TEXT;
      if (content != NULL)
        *content = g_bytes_ref (stored);
      return g_strndup ((const char *) data, size);
    }

  if (size < 2 || (data[1] != SOTTO_MESSAGE_BODY_FILE &&
                   !sotto_message_body_type_is_action ((SottoMessageBodyType) data[1])))
    return NULL;
  tagged = g_bytes_new_from_bytes (stored, 2, size - 2);
  body.type = (SottoMessageBodyType) data[1];
  body.content = tagged;
  text = read_content (&body, &parsed_file, &parsed_action);
  if (text == NULL)
    return NULL;

  if (type != NULL)
    *type = body.type;
  if (content != NULL)
    *content = g_bytes_ref (tagged);
  if (file != NULL)
    *file = g_steal_pointer (&parsed_file);
  if (action != NULL)
    *action = g_steal_pointer (&parsed_action);
  return text;
}

/**
 * _sotto_client_read_body:
 * @file: (out) (transfer full) (nullable): for a file, what it says of it
 * @action: (out) (transfer full) (nullable): for a reply, an edit, a
 *   deletion or a reaction, what it says
 *
 * Returns: (transfer full): the text a message of @body shows: its text,
 *   a file's name, a reply's text, or "" for the other three
 */
char *
_sotto_client_read_body (const SottoMessageBody  *body,
                         SottoFileMessage       **file,
                         SottoMessageAction     **action)
{
  char *text = read_content (body, file, action);

  /* Bodies that decoded were checked for what their type allows. */
  return text != NULL ? text : g_strdup ("");
}
