/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib.h>

#include "sotto-e2e-error.h"
#include "sotto-envelope.h"

G_BEGIN_DECLS

/* version (1), type (1), counter (8), sent at (8), state length (8),
 * state head (32), content length (4) */
#define SOTTO_MESSAGE_BODY_HEADER_BYTES 62

/* The size of the room-state head a body names. */
#define SOTTO_MESSAGE_BODY_STATE_HEAD_BYTES 32

/* The longest content a body carries once padded into an envelope. */
#define SOTTO_MESSAGE_BODY_MAX_CONTENT (SOTTO_ENVELOPE_MAX_PLAINTEXT - SOTTO_MESSAGE_BODY_HEADER_BYTES)

/* The smallest padded body; bodies grow in powers of two from here. */
#define SOTTO_MESSAGE_BODY_MIN_PADDED 128

/**
 * SottoMessageBodyType:
 * @SOTTO_MESSAGE_BODY_TEXT: the content is UTF-8 text without NUL bytes
 * @SOTTO_MESSAGE_BODY_FILE: the content describes a file the server keeps
 *   encrypted (sotto_file_message_decode())
 * @SOTTO_MESSAGE_BODY_REPLY: text answering another message, with a quote
 *   of it (sotto_message_action_decode(), as the three below)
 * @SOTTO_MESSAGE_BODY_EDIT: new text for one of the sender's messages
 * @SOTTO_MESSAGE_BODY_DELETE: a message deleted for everyone (the
 *   sender's own, or anyone's by a room admin)
 * @SOTTO_MESSAGE_BODY_REACTION: an emoji on a message, or taken back
 *
 * What a body's content is. The values are on the wire.
 */
typedef enum
{
  SOTTO_MESSAGE_BODY_TEXT = 1,
  SOTTO_MESSAGE_BODY_FILE = 2,
  SOTTO_MESSAGE_BODY_REPLY = 3,
  SOTTO_MESSAGE_BODY_EDIT = 4,
  SOTTO_MESSAGE_BODY_DELETE = 5,
  SOTTO_MESSAGE_BODY_REACTION = 6,
} SottoMessageBodyType;

/**
 * SottoMessageBody:
 * @type: what @content is
 * @counter: the sender's count of the messages it sent into the room,
 *   from 1, one more for each new message (a resend keeps its number)
 * @sent_at: when the sender wrote it, by the sender's clock, in ms since
 *   the epoch
 * @content: the content
 * @state_length: how many events of the room's signed state the sender
 *   held when writing, 0 if none
 * @state_head: the hash of the last of them (zero bytes if none)
 *
 * What an envelope carries, in its encrypted and signed part, so that a
 * reader can rely on it: the server cannot change the count, the time, or
 * the room's membership history the sender saw, which readers compare
 * with their own.
 */
typedef struct
{
  SottoMessageBodyType  type;
  guint64               counter;
  gint64                sent_at;
  GBytes               *content;
  guint64               state_length;
  guint8                state_head[SOTTO_MESSAGE_BODY_STATE_HEAD_BYTES];
} SottoMessageBody;

GBytes   *sotto_message_body_encode (const SottoMessageBody  *body,
                                     GError                 **error);
gboolean  sotto_message_body_decode (GBytes                  *plaintext,
                                     SottoMessageBody        *body,
                                     GError                 **error);
void      sotto_message_body_clear  (SottoMessageBody        *body);
gsize     sotto_message_body_padded_size (gsize               content_size);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SottoMessageBody, sotto_message_body_clear)

G_END_DECLS
