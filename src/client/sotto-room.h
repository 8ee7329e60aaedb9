/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sotto-member.h"
#include "sotto-message.h"

G_BEGIN_DECLS

#define SOTTO_TYPE_ROOM (sotto_room_get_type ())

G_DECLARE_FINAL_TYPE (SottoRoom, sotto_room, SOTTO, ROOM, GObject)

SottoRoom    *sotto_room_new              (const char   *name,
                                           gboolean      direct,
                                           const char   *own_user);
const char   *sotto_room_get_name         (SottoRoom    *self);
gboolean      sotto_room_get_direct       (SottoRoom    *self);
const char   *sotto_room_get_display_name (SottoRoom    *self);
const char   *sotto_room_get_owner        (SottoRoom    *self);
void          sotto_room_set_owner        (SottoRoom    *self,
                                           const char   *owner);
const char   *sotto_room_get_draft        (SottoRoom    *self);
void          sotto_room_set_draft        (SottoRoom    *self,
                                           const char   *draft);
GListModel   *sotto_room_get_members      (SottoRoom    *self);
GListModel   *sotto_room_get_messages     (SottoRoom    *self);
SottoMember  *sotto_room_lookup_member    (SottoRoom    *self,
                                           const char   *user);
void          sotto_room_set_member       (SottoRoom    *self,
                                           SottoMember  *member);
void          sotto_room_remove_member    (SottoRoom    *self,
                                           const char   *user);
void          sotto_room_clear_members    (SottoRoom    *self);
const char   *sotto_room_get_blocked_by   (SottoRoom    *self);
SottoMessage *sotto_room_lookup_message   (SottoRoom    *self,
                                           const char   *sender,
                                           const char   *msg_id);
gboolean      sotto_room_get_invite_only  (SottoRoom    *self);
int           sotto_room_get_own_role     (SottoRoom    *self);
void          sotto_room_set_signed_state (SottoRoom    *self,
                                           gboolean      invite_only,
                                           int           own_role);
gboolean      sotto_room_get_loaded       (SottoRoom    *self);
void          sotto_room_set_loaded       (SottoRoom    *self,
                                           gboolean      loaded);
GStrv         sotto_room_dup_typing       (SottoRoom    *self);
void          sotto_room_set_typing       (SottoRoom    *self,
                                           const char   *user,
                                           gboolean      typing);
gboolean      sotto_room_should_send_typing (SottoRoom  *self);
void          sotto_room_add_system_text  (SottoRoom    *self,
                                           gint64        seq,
                                           gint64        ts,
                                           const char   *text);
void          sotto_room_tell_once        (SottoRoom    *self,
                                           const char   *text);
gboolean      sotto_room_has_system_text  (SottoRoom    *self,
                                           const char   *text);
gboolean      sotto_room_has_seq          (SottoRoom    *self,
                                           gint64        seq);
void          sotto_room_update_message   (SottoRoom    *self,
                                           SottoMessage *message,
                                           SottoMessageState state,
                                           gint64        seq,
                                           gint64        ts,
                                           const char   *text);
void          sotto_room_add_message      (SottoRoom    *self,
                                           SottoMessage *message);
void          sotto_room_prepend_messages (SottoRoom     *self,
                                           SottoMessage **messages,
                                           guint          n_messages);
gboolean      sotto_room_get_history_complete (SottoRoom *self);
void          sotto_room_set_history_complete (SottoRoom *self,
                                               gboolean   complete);
guint         sotto_room_get_unread       (SottoRoom    *self);
gint64        sotto_room_get_read_seq     (SottoRoom    *self);
void          sotto_room_set_read_seq     (SottoRoom    *self,
                                           gint64        seq);
gint64        sotto_room_get_last_seq     (SottoRoom    *self);
void          sotto_room_set_unread       (SottoRoom    *self,
                                           guint         unread);

SottoMessage *sotto_room_lookup_ref       (SottoRoom             *self,
                                          const SottoMessageRef *ref);
void          sotto_room_note_counter     (SottoRoom             *self,
                                          SottoMessage          *message);

G_END_DECLS
