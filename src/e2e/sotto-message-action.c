/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-e2e-private.h"
#include "sotto-message-action.h"

/* A message about another message, as the content of a room body of type
 * reply, edit, delete or reaction. Every one starts with the message it
 * is about:
 *
 *   size  field
 *    2+n  sender: the account that wrote it (2-byte length, 1-32 bytes)
 *     32  device: the signing key of the device that wrote it
 *      8  counter: that device's count of it in the room, at least 1
 *
 * then, by type:
 *
 *   reply     excerpt (2-byte length, 0-256 bytes of UTF-8), then the
 *             reply's text to the end (UTF-8, not empty)
 *   edit      the new text to the end (UTF-8, not empty)
 *   delete    nothing
 *   reaction  removed (1 byte: 0 added, 1 taken back), then the emoji
 *             (2-byte length, 1-64 bytes of UTF-8, no spaces or controls)
 *
 * Text holds no NUL byte. Nothing else may follow. Whether the sender may
 * do what it asks (edit or delete that message) is for the reader to
 * check against who signed it (sotto-client-actions.c).
 */

/**
 * sotto_message_body_type_is_action:
 *
 * Returns: whether a body of @type is about another message
 */
gboolean
sotto_message_body_type_is_action (SottoMessageBodyType type)
{
  return type == SOTTO_MESSAGE_BODY_REPLY || type == SOTTO_MESSAGE_BODY_EDIT ||
         type == SOTTO_MESSAGE_BODY_DELETE || type == SOTTO_MESSAGE_BODY_REACTION;
}

static gboolean
valid_text (const char *text,
            gsize       length)
{
  return length > 0 && memchr (text, '\0', length) == NULL &&
         g_utf8_validate (text, (gssize) length, NULL);
}

/**
 * sotto_message_reaction_is_valid:
 *
 * Returns: whether @reaction may be sent as one: 1 to 64 bytes of UTF-8,
 *   without spaces or control characters
 */
gboolean
sotto_message_reaction_is_valid (const char *reaction)
{
  gsize length = reaction != NULL ? strlen (reaction) : 0;

  if (length == 0 || length > SOTTO_MESSAGE_REACTION_MAX_BYTES ||
      !g_utf8_validate (reaction, (gssize) length, NULL))
    return FALSE;
  for (const char *p = reaction; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isspace (c) || g_unichar_iscntrl (c))
        return FALSE;
    }
  return TRUE;
}

/**
 * sotto_message_excerpt:
 * @text: a message's text
 *
 * Returns: (transfer full): the start of @text on one line, as a reply
 *   quotes it: lines joined by spaces, at most
 *   %SOTTO_MESSAGE_EXCERPT_MAX_BYTES bytes, cut between characters and
 *   ended by "…" when cut
 */
char *
sotto_message_excerpt (const char *text)
{
  GString *excerpt = g_string_new (NULL);
  const char *ellipsis = "…";

  g_return_val_if_fail (text != NULL && g_utf8_validate (text, -1, NULL), g_strdup (""));

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      char buf[6];
      gint n;

      if (c == '\n' || c == '\r' || c == '\t')
        c = ' ';
      if (c == ' ' && (excerpt->len == 0 || excerpt->str[excerpt->len - 1] == ' '))
        continue;
      n = g_unichar_to_utf8 (c, buf);
      if (excerpt->len + (gsize) n > SOTTO_MESSAGE_EXCERPT_MAX_BYTES - strlen (ellipsis))
        {
          /* Cut: the quote says so. */
          g_string_append (excerpt, ellipsis);
          return g_string_free (excerpt, FALSE);
        }
      g_string_append_len (excerpt, buf, n);
    }
  while (excerpt->len > 0 && excerpt->str[excerpt->len - 1] == ' ')
    g_string_truncate (excerpt, excerpt->len - 1);
  return g_string_free (excerpt, FALSE);
}

static gboolean
bad_action (GError **error)
{
  g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT,
                       _("The message names another message in an unknown format"));
  return FALSE;
}

/**
 * sotto_message_action_encode:
 *
 * Returns: (transfer full) (nullable): the content of a body of
 *   @action's type, or %NULL with %SOTTO_E2E_ERROR_BAD_FORMAT for fields
 *   the format does not allow
 */
GBytes *
sotto_message_action_encode (const SottoMessageAction  *action,
                             GError                   **error)
{
  const SottoMessageRef *target;
  SottoE2eWriter writer = { 0 };
  gsize text_length = 0;
  gsize excerpt_length = 0;
  gsize reaction_length = 0;

  g_return_val_if_fail (action != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  target = &action->target;
  if (!sotto_message_body_type_is_action (action->type) ||
      !_sotto_e2e_valid_name (target->sender, SOTTO_MESSAGE_REF_SENDER_MAX_BYTES, FALSE) ||
      target->counter == 0)
    goto bad;

  switch (action->type)
    {
    case SOTTO_MESSAGE_BODY_REPLY:
      if (action->excerpt == NULL ||
          !_sotto_e2e_valid_name (action->excerpt, SOTTO_MESSAGE_EXCERPT_MAX_BYTES, TRUE))
        goto bad;
      excerpt_length = 2 + strlen (action->excerpt);
      G_GNUC_FALLTHROUGH;
    case SOTTO_MESSAGE_BODY_EDIT:
      if (action->text == NULL || !valid_text (action->text, strlen (action->text)))
        goto bad;
      text_length = strlen (action->text);
      break;
    case SOTTO_MESSAGE_BODY_REACTION:
      if (!sotto_message_reaction_is_valid (action->reaction))
        goto bad;
      reaction_length = 1 + 2 + strlen (action->reaction);
      break;
    default:
      break;
    }

  writer.size = 2 + strlen (target->sender) + SOTTO_MESSAGE_REF_DEVICE_BYTES + 8 +
                excerpt_length + text_length + reaction_length;
  if (writer.size > SOTTO_MESSAGE_BODY_MAX_CONTENT)
    {
      g_set_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_TOO_LARGE,
                   _("The message is too large (at most %u bytes)"),
                   (guint) SOTTO_MESSAGE_BODY_MAX_CONTENT);
      return NULL;
    }
  writer.data = g_malloc (writer.size);
  _sotto_e2e_writer_put_name (&writer, target->sender);
  _sotto_e2e_writer_put (&writer, target->device, SOTTO_MESSAGE_REF_DEVICE_BYTES);
  _sotto_e2e_writer_put_u64 (&writer, target->counter);
  if (action->type == SOTTO_MESSAGE_BODY_REPLY)
    _sotto_e2e_writer_put_name (&writer, action->excerpt);
  if (action->type == SOTTO_MESSAGE_BODY_REPLY || action->type == SOTTO_MESSAGE_BODY_EDIT)
    _sotto_e2e_writer_put (&writer, action->text, text_length);
  if (action->type == SOTTO_MESSAGE_BODY_REACTION)
    {
      _sotto_e2e_writer_put_u8 (&writer, action->removed ? 1 : 0);
      _sotto_e2e_writer_put_name (&writer, action->reaction);
    }
  g_assert (writer.pos == writer.size);
  return g_bytes_new_take (writer.data, writer.size);

bad:
  bad_action (error);
  return NULL;
}

/**
 * sotto_message_action_decode:
 * @type: the body's type
 * @content: the body's content
 * @action: (out caller-allocates): the action, to clear with
 *   sotto_message_action_clear()
 *
 * Reads @content strictly (the layout above, nothing left over). On error
 * @action is left empty.
 *
 * Returns: %TRUE, or %FALSE with %SOTTO_E2E_ERROR_BAD_FORMAT
 */
gboolean
sotto_message_action_decode (SottoMessageBodyType   type,
                             GBytes                *content,
                             SottoMessageAction    *action,
                             GError               **error)
{
  SottoE2eReader reader = { 0 };
  const guint8 *device;
  guint8 removed = 0;

  g_return_val_if_fail (content != NULL && action != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  memset (action, 0, sizeof *action);
  reader.data = _sotto_e2e_bytes_get_data (content, &reader.size);
  if (!sotto_message_body_type_is_action (type))
    goto bad;
  action->type = type;
  if (!_sotto_e2e_reader_get_name (&reader, SOTTO_MESSAGE_REF_SENDER_MAX_BYTES, FALSE,
                                   &action->target.sender) ||
      !_sotto_e2e_reader_get (&reader, &device, SOTTO_MESSAGE_REF_DEVICE_BYTES) ||
      !_sotto_e2e_reader_get_u64 (&reader, &action->target.counter) ||
      action->target.counter == 0)
    goto bad;
  memcpy (action->target.device, device, SOTTO_MESSAGE_REF_DEVICE_BYTES);

  switch (type)
    {
    case SOTTO_MESSAGE_BODY_REPLY:
      if (!_sotto_e2e_reader_get_name (&reader, SOTTO_MESSAGE_EXCERPT_MAX_BYTES, TRUE,
                                       &action->excerpt))
        goto bad;
      G_GNUC_FALLTHROUGH;
    case SOTTO_MESSAGE_BODY_EDIT:
      {
        const char *text = (const char *) reader.data + reader.pos;
        gsize length = reader.size - reader.pos;

        if (!valid_text (text, length))
          goto bad;
        action->text = g_strndup (text, length);
        reader.pos = reader.size;
      }
      break;
    case SOTTO_MESSAGE_BODY_REACTION:
      if (!_sotto_e2e_reader_get_u8 (&reader, &removed) || removed > 1 ||
          !_sotto_e2e_reader_get_name (&reader, SOTTO_MESSAGE_REACTION_MAX_BYTES, FALSE,
                                       &action->reaction) ||
          !sotto_message_reaction_is_valid (action->reaction))
        goto bad;
      action->removed = removed == 1;
      break;
    default:
      break;
    }
  if (!_sotto_e2e_reader_at_end (&reader))
    goto bad;
  return TRUE;

bad:
  sotto_message_action_clear (action);
  return bad_action (error);
}

void
sotto_message_action_clear (SottoMessageAction *action)
{
  g_clear_pointer (&action->target.sender, g_free);
  g_clear_pointer (&action->text, g_free);
  g_clear_pointer (&action->excerpt, g_free);
  g_clear_pointer (&action->reaction, g_free);
  memset (action, 0, sizeof *action);
}

void
sotto_message_action_free (SottoMessageAction *action)
{
  if (action == NULL)
    return;
  sotto_message_action_clear (action);
  g_free (action);
}
