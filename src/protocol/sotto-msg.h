/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "sotto-protocol-types.h"

G_BEGIN_DECLS

#define SOTTO_TYPE_MSG (sotto_msg_get_type ())

/**
 * SottoMsg:
 *
 * One parsed and fully validated message. It is immutable and
 * reference counted; the accessors trust the validation, so asking for a
 * field the message type does not define, or with the wrong accessor, is a
 * programming error (a critical), never a peer's doing.
 */
typedef struct _SottoMsg SottoMsg;

GType               sotto_msg_get_type          (void) G_GNUC_CONST;

SottoMsg           *sotto_msg_parse             (const guint8          *data,
                                                 gsize                  len,
                                                 SottoMsgDirection      direction,
                                                 GError               **error);
SottoMsg           *sotto_msg_parse_full        (const guint8          *data,
                                                 gsize                  len,
                                                 SottoMsgDirection      direction,
                                                 char                 **out_request_id,
                                                 GError               **error);
SottoMsg           *sotto_msg_parse_bytes       (GBytes                *bytes,
                                                 SottoMsgDirection      direction,
                                                 GError               **error);
SottoMsg           *sotto_msg_parse_bytes_full  (GBytes                *bytes,
                                                 SottoMsgDirection      direction,
                                                 char                 **out_request_id,
                                                 GError               **error);

SottoMsg           *sotto_msg_ref               (SottoMsg              *self);
void                sotto_msg_unref             (SottoMsg              *self);

SottoMsgType        sotto_msg_get_msg_type      (SottoMsg              *self);
SottoMsgDirection   sotto_msg_get_direction     (SottoMsg              *self);
JsonObject         *sotto_msg_get_object        (SottoMsg              *self);
GBytes             *sotto_msg_serialize         (SottoMsg              *self);

const char         *sotto_msg_get_id            (SottoMsg              *self);
gboolean            sotto_msg_has_field         (SottoMsg              *self,
                                                 const char            *field);
const char         *sotto_msg_get_string        (SottoMsg              *self,
                                                 const char            *field);
gint64              sotto_msg_get_int           (SottoMsg              *self,
                                                 const char            *field);
gboolean            sotto_msg_get_bool          (SottoMsg              *self,
                                                 const char            *field);
GBytes             *sotto_msg_dup_bytes         (SottoMsg              *self,
                                                 const char            *field);
GBytes             *sotto_msg_dup_bytes_item    (SottoMsg              *self,
                                                 const char            *field,
                                                 guint                  index);
const char         *sotto_msg_get_base64           (SottoMsg           *self,
                                                    const char         *field);
JsonArray          *sotto_msg_get_array         (SottoMsg              *self,
                                                 const char            *field);

gboolean            sotto_msg_get_identity      (SottoMsg              *self,
                                                 SottoWireIdentity     *out_identity);
gboolean            sotto_msg_get_identity_field (SottoMsg             *self,
                                                  const char           *field,
                                                  SottoWireIdentity    *out_identity);
gboolean            sotto_msg_get_blob_id       (SottoMsg              *self,
                                                 guint8                *out_blob);
gboolean            sotto_msg_get_device        (SottoMsg              *self,
                                                 guint                  index,
                                                 SottoWireIdentity     *out_identity);
gboolean            sotto_msg_get_member        (SottoMsg              *self,
                                                 guint                  index,
                                                 SottoWireMember       *out_member);
gboolean            sotto_msg_get_room_summary  (SottoMsg              *self,
                                                 guint                  index,
                                                 SottoWireRoomSummary  *out_summary);
gboolean            sotto_msg_get_ban           (SottoMsg              *self,
                                                 guint                  index,
                                                 SottoWireBan          *out_ban);
gboolean            sotto_msg_get_device_seen   (SottoMsg              *self,
                                                 guint                  index,
                                                 SottoWireDeviceSeen   *out_seen);
SottoMsgErrorCode   sotto_msg_get_error_code    (SottoMsg              *self);
SottoMsgLeaveReason sotto_msg_get_leave_reason  (SottoMsg              *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SottoMsg, sotto_msg_unref)

G_END_DECLS
