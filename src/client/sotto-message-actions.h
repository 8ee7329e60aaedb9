/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "sotto-message-action.h"

G_BEGIN_DECLS

typedef struct _SottoMessage SottoMessage;

/**
 * SottoMessageDeletion:
 * @SOTTO_MESSAGE_NOT_DELETED: not deleted
 * @SOTTO_MESSAGE_DELETED_BY_SENDER: its sender deleted it for everyone
 * @SOTTO_MESSAGE_DELETED_BY_MODERATOR: a moderator or the owner of the
 *   room deleted it for everyone
 *
 * Whether a message was deleted, and by whom.
 */
typedef enum
{
  SOTTO_MESSAGE_NOT_DELETED,
  SOTTO_MESSAGE_DELETED_BY_SENDER,
  SOTTO_MESSAGE_DELETED_BY_MODERATOR,
} SottoMessageDeletion;

SottoMessageBodyType      sotto_message_get_kind      (SottoMessage             *self);
gboolean                  sotto_message_is_actionable (SottoMessage             *self);
const SottoMessageAction *sotto_message_get_action    (SottoMessage             *self);
void                      sotto_message_set_action    (SottoMessage             *self,
                                                       const SottoMessageAction *action);
gint64                    sotto_message_get_target_seq (SottoMessage            *self);
const guint8             *sotto_message_get_device    (SottoMessage             *self);
void                      sotto_message_set_device    (SottoMessage             *self,
                                                       const guint8             *device);
gboolean                  sotto_message_matches       (SottoMessage             *self,
                                                       const SottoMessageRef    *ref);
gboolean                  sotto_message_get_ref       (SottoMessage             *self,
                                                       SottoMessageRef          *ref);
gboolean                  sotto_message_is_edited     (SottoMessage             *self);
GStrv                     sotto_message_dup_edits     (SottoMessage             *self);
SottoMessageDeletion      sotto_message_get_deletion  (SottoMessage             *self);
const char               *sotto_message_get_deleted_by (SottoMessage            *self);
GStrv                     sotto_message_dup_reactions (SottoMessage             *self);
GStrv                     sotto_message_dup_reactors  (SottoMessage             *self,
                                                       const char               *reaction);
gboolean                  sotto_message_has_reaction_from (SottoMessage         *self,
                                                       const char               *user,
                                                       const char               *reaction);

G_END_DECLS
