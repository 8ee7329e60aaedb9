/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib.h>

#include "sotto-e2e-error.h"
#include "sotto-identity.h"
#include "sotto-message-body.h"

G_BEGIN_DECLS

/* The version byte a sealed chunk starts with. */
#define SOTTO_HISTORY_CHUNK_VERSION 3

/* The largest sealed chunk: the protocol's bound for `send_history`. */
#define SOTTO_HISTORY_CHUNK_MAX_BYTES 61440

/* The most bytes of one message's text a chunk carries. */
#define SOTTO_HISTORY_TEXT_MAX_BYTES (48 * 1024)

/* The most bytes of a file message's content a chunk carries: the
 * largest a message holds (sotto-file-message.c). */
#define SOTTO_HISTORY_FILE_MAX_BYTES (20 * 1024)

/**
 * SottoHistoryEntry:
 * @room: the room
 * @sender: who wrote it
 * @msg_id: its id, as the sender chose it
 * @seq: the server's number for it in @room (0 for none)
 * @ts: the server's time for it, ms since the epoch
 * @counter: its sender's counter, 0 for none
 * @sent_at: its sender's time, ms since the epoch
 * @text: what it says, UTF-8, at most %SOTTO_HISTORY_TEXT_MAX_BYTES bytes;
 *   for a file, its name
 * @file: (nullable): for a file message, what it says of the file (the
 *   content of its body, sotto_file_message_decode()); %NULL for text
 * @kind: what the message is (%SOTTO_MESSAGE_BODY_TEXT for text, and
 *   for a file, whose content is @file)
 * @action: (nullable): for a reply, an edit, a deletion or a reaction,
 *   the content of its body (sotto_message_action_decode()); its @text is
 *   then a reply's text, and empty for the other three
 *
 * One message of a room's history, as a device of the account holds it.
 */
typedef struct
{
  char   *room;
  char   *sender;
  char   *msg_id;
  gint64  seq;
  gint64  ts;
  guint64 counter;
  gint64  sent_at;
  char   *text;
  GBytes *file;
  SottoMessageBodyType kind;
  GBytes *action;
} SottoHistoryEntry;

void       sotto_history_entry_free   (SottoHistoryEntry         *entry);
gsize      sotto_history_entry_size   (const SottoHistoryEntry   *entry);
gboolean   sotto_history_entry_is_valid (const SottoHistoryEntry *entry);
gsize      sotto_history_chunk_capacity (const char              *account);

GBytes    *sotto_history_chunk_seal   (SottoIdentity             *from,
                                       const SottoPublicIdentity *to,
                                       const char                *account,
                                       guint32                    index,
                                       guint32                    total,
                                       const SottoHistoryEntry  **entries,
                                       guint                      n_entries,
                                       GError                   **error);
GPtrArray *sotto_history_chunk_open   (GBytes                    *chunk,
                                       SottoIdentity             *to,
                                       const SottoPublicIdentity *from,
                                       const char                *account,
                                       guint32                   *index,
                                       guint32                   *total,
                                       GError                   **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SottoHistoryEntry, sotto_history_entry_free)

G_END_DECLS
