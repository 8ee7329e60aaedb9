/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "sotto-client-enums.h"

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
void               sotto_message_update     (SottoMessage      *self,
                                             SottoMessageState  state,
                                             gint64             seq,
                                             gint64             ts,
                                             const char        *text);

G_END_DECLS
