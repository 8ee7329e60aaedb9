/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "sotto-client-enums.h"
#include "sotto-file-message.h"

G_BEGIN_DECLS

/**
 * SottoMessageState:
 * @SOTTO_MESSAGE_SENDING: ours, not yet acknowledged by the server
 * @SOTTO_MESSAGE_SENT: ours, stored by the server with its number
 * @SOTTO_MESSAGE_RECEIVED: someone else's, decrypted and verified
 * @SOTTO_MESSAGE_WAITING_FOR_KEY: the sender's key has not arrived yet
 * @SOTTO_MESSAGE_UNVERIFIABLE: could not be decrypted or verified; never shown as text
 * @SOTTO_MESSAGE_SYSTEM: an event of the room, told by the client
 */
typedef enum
{
  SOTTO_MESSAGE_SENDING,
  SOTTO_MESSAGE_SENT,
  SOTTO_MESSAGE_RECEIVED,
  SOTTO_MESSAGE_WAITING_FOR_KEY,
  SOTTO_MESSAGE_UNVERIFIABLE,
  SOTTO_MESSAGE_SYSTEM,
} SottoMessageState;

/**
 * SottoMessageMarks:
 * @SOTTO_MESSAGE_MARK_NONE: nothing wrong
 * @SOTTO_MESSAGE_MARK_LATE: it came after a later message of its sender,
 *   or after it was reported missing: the server held it back
 * @SOTTO_MESSAGE_MARK_TIME_MISMATCH: its sender wrote it well after the
 *   time the server gives for it: the server backdated it
 *
 * What the reader found wrong with a message's arrival. The values are
 * stored on disk.
 */
typedef enum /*< flags >*/
{
  SOTTO_MESSAGE_MARK_NONE = 0,
  SOTTO_MESSAGE_MARK_LATE = 1 << 0,
  SOTTO_MESSAGE_MARK_TIME_MISMATCH = 1 << 1,
} SottoMessageMarks;


/* How far a sender's own time may run ahead of the server's before the
 * message counts as backdated, in ms: clocks differ a little. */
#define SOTTO_MESSAGE_CLOCK_TOLERANCE_MS (10 * 60 * 1000)

#define SOTTO_TYPE_MESSAGE (sotto_message_get_type ())

G_DECLARE_FINAL_TYPE (SottoMessage, sotto_message, SOTTO, MESSAGE, GObject)

SottoMessage      *sotto_message_new        (const char        *room,
                                             const char        *sender,
                                             const char        *msg_id,
                                             gint64             seq,
                                             gint64             ts,
                                             SottoMessageState  state,
                                             const char        *text);
const char        *sotto_message_get_room   (SottoMessage      *self);
const char        *sotto_message_get_sender (SottoMessage      *self);
const char        *sotto_message_get_msg_id (SottoMessage      *self);
gint64             sotto_message_get_seq    (SottoMessage      *self);
gint64             sotto_message_get_ts     (SottoMessage      *self);
SottoMessageState  sotto_message_get_state  (SottoMessage      *self);
const char        *sotto_message_get_text   (SottoMessage      *self);
guint64            sotto_message_get_counter (SottoMessage     *self);
gint64             sotto_message_get_sent_at (SottoMessage     *self);
SottoMessageMarks  sotto_message_get_marks  (SottoMessage      *self);
guint64            sotto_message_get_missing_before (SottoMessage *self);
void               sotto_message_set_order  (SottoMessage      *self,
                                             guint64            counter,
                                             gint64             sent_at,
                                             SottoMessageMarks  marks);
void               sotto_message_set_missing_before (SottoMessage *self,
                                                     guint64       missing);
char              *sotto_message_dup_missing_text (SottoMessage  *self);
const char        *sotto_message_get_late_text    (SottoMessage  *self);
char              *sotto_message_dup_backdated_text (SottoMessage *self,
                                                     const char   *other_day_format);
/* sotto-transfer.h includes this file. */
typedef struct _SottoTransfer SottoTransfer;

const SottoFileMessage *sotto_message_get_file (SottoMessage *self);
SottoTransfer     *sotto_message_get_transfer (SottoMessage *self);
void               sotto_message_set_transfer (SottoMessage  *self,
                                               SottoTransfer *transfer);
void               sotto_message_set_file   (SottoMessage      *self,
                                             const SottoFileMessage *file);
void               sotto_message_update     (SottoMessage      *self,
                                             SottoMessageState  state,
                                             gint64             seq,
                                             gint64             ts,
                                             const char        *text);

G_END_DECLS

/* What a message says of others and others did to it. */
#include "sotto-message-actions.h"
