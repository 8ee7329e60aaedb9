/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sotto-message.h"

G_BEGIN_DECLS

/* One message: the object in sotto-message.c, what others did to it
 * (edits, deletion, reactions) and what it does to others (a reply, an
 * edit, a deletion, a reaction) in sotto-message-actions.c. */
struct _SottoMessage
{
  GObject              parent_instance;

  char                *room;
  char                *sender;
  char                *msg_id;
  gint64               seq;
  gint64               ts;
  SottoMessageState    state;
  char                *text;
  guint64              counter;
  gint64               sent_at;
  SottoMessageMarks    marks;
  guint64              missing_before;
  SottoFileMessage    *file;
  SottoTransfer       *transfer;

  /* A reply, edit, deletion or reaction: what it says, and the number of
   * the message it names once the room found it. */
  SottoMessageAction  *action;
  gint64               target_seq;
  /* The signing key of the device that wrote it, once known. */
  gboolean             has_device;
  guint8               device[SOTTO_MESSAGE_REF_DEVICE_BYTES];
  /* Edits applied, in the room's order (SottoMessageEdit); the text it
   * came with before the first. */
  GPtrArray           *edits;
  char                *original_text;
  SottoMessageDeletion deletion;
  char                *deleted_by;
  /* "user\nreaction" → SottoMessageReaction, and a count that orders
   * reactions by when they were first given. */
  GHashTable          *reactions;
  guint                reactions_given;
};

/* sotto-message-actions.c */
void     _sotto_message_clear_actions  (SottoMessage        *self);
gboolean _sotto_message_keep_original  (SottoMessage        *self,
                                        const char          *text);
gboolean _sotto_message_apply          (SottoMessage        *self,
                                        SottoMessage        *action,
                                        SottoMessageDeletion deletion);

G_END_DECLS
