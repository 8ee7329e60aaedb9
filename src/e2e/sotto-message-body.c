/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-e2e-private.h"
#include "sotto-file-message.h"
#include "sotto-message-action.h"
#include "sotto-message-body.h"

/* The plaintext sealed in a room envelope:
 *
 *   offset  size  field
 *        0     1  version (2)
 *        1     1  type (SottoMessageBodyType)
 *        2     8  counter, big endian, at least 1
 *       10     8  sent at, ms since the epoch, big endian, two's complement
 *       18     8  state length: the events of the room's signed state the
 *                 sender held, big endian
 *       26    32  state head: the hash of the last of them, zero if none
 *       58     4  content length, big endian
 *       62     *  content
 *        …     *  zero bytes up to the padded size
 *
 * The padded size is the smallest power of two from 128 bytes that holds
 * the rest, and at most SOTTO_ENVELOPE_MAX_PLAINTEXT: an envelope's length
 * tells the size class of a message, not its length.
 */
#define BODY_VERSION 2

G_STATIC_ASSERT (SOTTO_MESSAGE_BODY_HEADER_BYTES == 1 + 1 + 8 + 8 + 8 + 32 + 4);

/**
 * sotto_message_body_padded_size:
 * @content_size: at most %SOTTO_MESSAGE_BODY_MAX_CONTENT
 *
 * Returns: the size of the encoded body of that much content
 */
gsize
sotto_message_body_padded_size (gsize content_size)
{
  gsize needed = SOTTO_MESSAGE_BODY_HEADER_BYTES + content_size;
  gsize size = SOTTO_MESSAGE_BODY_MIN_PADDED;

  g_return_val_if_fail (content_size <= SOTTO_MESSAGE_BODY_MAX_CONTENT, 0);

  while (size < needed)
    size *= 2;

  return MIN (size, (gsize) SOTTO_ENVELOPE_MAX_PLAINTEXT);
}

static gboolean
check_content (SottoMessageBodyType   type,
               const guint8          *data,
               gsize                  size,
               GError               **error)
{
  switch (type)
    {
    case SOTTO_MESSAGE_BODY_TEXT:
      if (memchr (data, '\0', size) != NULL ||
          !g_utf8_validate ((const char *) data, (gssize) size, NULL))
        {
          g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT,
                               _("The message is not valid text"));
          return FALSE;
        }
      return TRUE;

    case SOTTO_MESSAGE_BODY_FILE:
      {
        g_autoptr(GBytes) content = g_bytes_new_static (data, size);
        g_auto(SottoFileMessage) file = { { 0 } };

        return sotto_file_message_decode (content, &file, error);
      }

    case SOTTO_MESSAGE_BODY_REPLY:
    case SOTTO_MESSAGE_BODY_EDIT:
    case SOTTO_MESSAGE_BODY_DELETE:
    case SOTTO_MESSAGE_BODY_REACTION:
      {
        g_autoptr(GBytes) content = g_bytes_new_static (data, size);
        g_auto(SottoMessageAction) action = { 0 };

        return sotto_message_action_decode (type, content, &action, error);
      }

    default:
      g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT,
                           _("The message is of a kind this version of Sotto does not know"));
      return FALSE;
    }
}

/**
 * sotto_message_body_encode:
 * @body: the body; its counter at least 1
 * @error: return location for a #GError
 *
 * Lays @body out and pads it with zero bytes to its size class.
 *
 * Returns: (transfer full): the plaintext for sotto_envelope_seal(), or
 *   %NULL if the content is too large or not what its type allows
 */
GBytes *
sotto_message_body_encode (const SottoMessageBody  *body,
                           GError                 **error)
{
  SottoE2eWriter writer = { 0 };
  const guint8 *content = NULL;
  gsize content_size;
  guint8 u64[8];

  g_return_val_if_fail (body != NULL, NULL);
  g_return_val_if_fail (body->content != NULL, NULL);
  g_return_val_if_fail (body->counter > 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  content = _sotto_e2e_bytes_get_data (body->content, &content_size);
  if (content_size > SOTTO_MESSAGE_BODY_MAX_CONTENT)
    {
      g_set_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_TOO_LARGE,
                   _("The message is too large (at most %u bytes)"),
                   (guint) SOTTO_MESSAGE_BODY_MAX_CONTENT);
      return NULL;
    }
  if (!check_content (body->type, content, content_size, error))
    return NULL;

  writer.size = sotto_message_body_padded_size (content_size);
  writer.data = g_malloc0 (writer.size);
  _sotto_e2e_writer_put_u8 (&writer, BODY_VERSION);
  _sotto_e2e_writer_put_u8 (&writer, (guint8) body->type);
  _sotto_e2e_put_u64 (u64, body->counter);
  _sotto_e2e_writer_put (&writer, u64, sizeof u64);
  _sotto_e2e_put_u64 (u64, (guint64) body->sent_at);
  _sotto_e2e_writer_put (&writer, u64, sizeof u64);
  _sotto_e2e_put_u64 (u64, body->state_length);
  _sotto_e2e_writer_put (&writer, u64, sizeof u64);
  _sotto_e2e_writer_put (&writer, body->state_head, sizeof body->state_head);
  _sotto_e2e_writer_put_u32 (&writer, (guint32) content_size);
  _sotto_e2e_writer_put (&writer, content, content_size);

  return g_bytes_new_take (writer.data, writer.size);
}

/**
 * sotto_message_body_decode:
 * @plaintext: what sotto_envelope_open() returned
 * @body: (out caller-allocates): the body, to clear with
 *   sotto_message_body_clear()
 * @error: return location for a #GError
 *
 * Reads a body strictly: a known version and type, a counter of at least
 * 1, content that fits and is what its type allows, and padding that is
 * all zero bytes. On error @body is left empty.
 *
 * Returns: %TRUE if @plaintext is a body
 */
gboolean
sotto_message_body_decode (GBytes            *plaintext,
                           SottoMessageBody  *body,
                           GError           **error)
{
  SottoE2eReader reader = { 0 };
  const guint8 *p;
  const guint8 *content = NULL;
  guint8 version = 0;
  guint8 type = 0;
  guint32 content_size = 0;
  guint64 counter;
  guint64 state_length;
  const guint8 *state_head;
  gint64 sent_at;

  g_return_val_if_fail (plaintext != NULL, FALSE);
  g_return_val_if_fail (body != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  memset (body, 0, sizeof *body);
  reader.data = _sotto_e2e_bytes_get_data (plaintext, &reader.size);

  if (!_sotto_e2e_reader_get_u8 (&reader, &version) || version != BODY_VERSION ||
      !_sotto_e2e_reader_get_u8 (&reader, &type) ||
      !_sotto_e2e_reader_get (&reader, &p, 8))
    goto bad_format;
  counter = _sotto_e2e_get_u64 (p);
  if (counter == 0 || !_sotto_e2e_reader_get (&reader, &p, 8))
    goto bad_format;
  sent_at = (gint64) _sotto_e2e_get_u64 (p);
  if (!_sotto_e2e_reader_get (&reader, &p, 8))
    goto bad_format;
  state_length = _sotto_e2e_get_u64 (p);
  if (!_sotto_e2e_reader_get (&reader, &state_head, SOTTO_MESSAGE_BODY_STATE_HEAD_BYTES) ||
      !_sotto_e2e_reader_get_u32 (&reader, &content_size) ||
      content_size > SOTTO_MESSAGE_BODY_MAX_CONTENT ||
      !_sotto_e2e_reader_get (&reader, &content, content_size))
    goto bad_format;

  for (gsize i = reader.pos; i < reader.size; i++)
    if (reader.data[i] != 0)
      goto bad_format;

  if (!check_content ((SottoMessageBodyType) type, content, content_size, error))
    return FALSE;

  body->type = (SottoMessageBodyType) type;
  body->counter = counter;
  body->sent_at = sent_at;
  body->state_length = state_length;
  memcpy (body->state_head, state_head, sizeof body->state_head);
  body->content = g_bytes_new (content, content_size);
  return TRUE;

bad_format:
  g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT,
                       _("The message is damaged or in an unknown format"));
  return FALSE;
}

/**
 * sotto_message_body_clear:
 * @body: a body
 *
 * Frees what @body holds and empties it.
 */
void
sotto_message_body_clear (SottoMessageBody *body)
{
  g_clear_pointer (&body->content, g_bytes_unref);
  memset (body, 0, sizeof *body);
}
