/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib.h>

#include "sotto-protocol-types.h"

G_BEGIN_DECLS

/* Every builder returns one message as compact JSON without a trailing
 * newline, ready to be batched into a frame. Builders check for NULL, not
 * content: callers pass values that already satisfy docs/protocol.md.
 */

/* client → server */
GBytes *sotto_msg_build_register      (const char                 *id,
                                       const char                 *username,
                                       const char                 *password,
                                       const SottoWireIdentity    *identity,
                                       const SottoWireIdentity    *account);
GBytes *sotto_msg_build_login         (const char                 *id,
                                       const char                 *username,
                                       const char                 *password,
                                       const SottoWireIdentity    *identity);
GBytes *sotto_msg_build_reset_login   (const char                 *id,
                                       const char                 *username,
                                       const char                 *password,
                                       const SottoWireIdentity    *identity,
                                       const SottoWireIdentity    *account);
GBytes *sotto_msg_build_login_full    (const char                 *id,
                                       const char                 *username,
                                       const char                 *password,
                                       const SottoWireIdentity    *identity,
                                       const SottoWireIdentity    *reset,
                                       GBytes                     *proof);
GBytes *sotto_msg_build_logout        (const char                 *id);
GBytes *sotto_msg_build_join          (const char                 *id,
                                       const char                 *room);
GBytes *sotto_msg_build_leave         (const char                 *id,
                                       const char                 *room);
GBytes *sotto_msg_build_list_rooms    (const char                 *id);
GBytes *sotto_msg_build_list_members  (const char                 *id,
                                       const char                 *room);
GBytes *sotto_msg_build_open_direct   (const char                 *id,
                                       const char                 *user);
GBytes *sotto_msg_build_send          (const char                 *id,
                                       const char                 *room,
                                       const char                 *msg_id,
                                       GBytes                     *envelope);
GBytes *sotto_msg_build_send_key      (const char                 *id,
                                       const char                 *to,
                                       GBytes                     *device,
                                       const char                 *room,
                                       GBytes                     *box);
GBytes *sotto_msg_build_key_request   (const char                 *id,
                                       const char                 *to,
                                       GBytes                     *device,
                                       const char                 *room,
                                       guint32                     key_id);
GBytes *sotto_msg_build_ack_keys      (const char                 *id,
                                       const gint64               *kids,
                                       gsize                       n_kids);
GBytes *sotto_msg_build_catchup       (const char                 *id,
                                       const char                 *room,
                                       gint64                      after,
                                       gint64                      limit);
GBytes *sotto_msg_build_typing        (const char                 *room);
GBytes *sotto_msg_build_kick          (const char                 *id,
                                       const char                 *room,
                                       const char                 *user);
GBytes *sotto_msg_build_unban         (const char                 *id,
                                       const char                 *room,
                                       const char                 *user);
GBytes *sotto_msg_build_list_bans     (const char                 *id,
                                       const char                 *room);
GBytes *sotto_msg_build_ping          (const char                 *id);
GBytes *sotto_msg_build_state         (const char                 *id,
                                       const char                 *room,
                                       gint64                      index,
                                       GBytes                     *event);
GBytes *sotto_msg_build_state_catchup (const char                 *id,
                                       const char                 *room,
                                       gint64                      from,
                                       gint64                      limit);
GBytes *sotto_msg_build_publish_prekeys (const char               *id,
                                         GBytes                   *bundle,
                                         GBytes * const           *one_time,
                                         gsize                     n_one_time);
GBytes *sotto_msg_build_get_prekeys   (const char                 *id,
                                       const char                 *user,
                                       GBytes                     *device);
GBytes *sotto_msg_build_publish_devices (const char               *id,
                                         GBytes                   *account_key,
                                         gint64                    counter,
                                         GBytes                   *list,
                                         const SottoWireIdentity  *devices,
                                         guint                     n_devices,
                                         const SottoWireIdentity  *account);
GBytes *sotto_msg_build_get_devices   (const char                 *id,
                                       const char                 *user);
GBytes *sotto_msg_build_link_offer    (const char                 *id,
                                       const char                 *link,
                                       GBytes                     *offer);
GBytes *sotto_msg_build_link_fetch    (const char                 *id,
                                       const char                 *link);
GBytes *sotto_msg_build_link_approve  (const char                 *id,
                                       const char                 *link,
                                       GBytes                     *approval);
GBytes *sotto_msg_build_upload        (const char                 *id,
                                       const guint8               *blob,
                                       const char                 *room,
                                       gint64                      size);
GBytes *sotto_msg_build_upload_chunk  (const char                 *id,
                                       const guint8               *blob,
                                       gint64                      offset,
                                       GBytes                     *data);
GBytes *sotto_msg_build_download      (const char                 *id,
                                       const guint8               *blob,
                                       gint64                      offset,
                                       gint64                      length);

/* server → client */
GBytes *sotto_msg_build_welcome       (const char                 *server_version,
                                       gint64                      protocol,
                                       gint64                      min_password,
                                       gint64                      max_frame,
                                       gint64                      max_file);
GBytes *sotto_msg_build_ok            (const char                 *id);
GBytes *sotto_msg_build_error         (const char                 *id,
                                       SottoMsgErrorCode           code,
                                       const char                 *message);
GBytes *sotto_msg_build_session       (const char                 *id,
                                       const char                 *user,
                                       const SottoWireIdentity    *identity,
                                       const SottoWireRoomSummary *rooms,
                                       gsize                       n_rooms);
GBytes *sotto_msg_build_room_list     (const char                 *id,
                                       const SottoWireRoomSummary *rooms,
                                       gsize                       n_rooms);
GBytes *sotto_msg_build_members       (const char                 *id,
                                       const char                 *room,
                                       const char                 *owner,
                                       gint64                      state_length,
                                       const SottoWireMember      *members,
                                       gsize                       n_members);
GBytes *sotto_msg_build_joined        (const char                 *id,
                                       const char                 *room,
                                       const char                 *owner,
                                       gboolean                    direct,
                                       gint64                      last_seq,
                                       gint64                      state_length,
                                       const SottoWireMember      *members,
                                       gsize                       n_members);
GBytes *sotto_msg_build_bans          (const char                 *id,
                                       const char                 *room,
                                       const SottoWireBan         *bans,
                                       gsize                       n_bans);
GBytes *sotto_msg_build_sent          (const char                 *id,
                                       const char                 *room,
                                       const char                 *msg_id,
                                       gint64                      seq,
                                       gint64                      ts);
GBytes *sotto_msg_build_message       (const char                 *room,
                                       gint64                      seq,
                                       gint64                      ts,
                                       const char                 *sender,
                                       const char                 *msg_id,
                                       GBytes                     *envelope);
GBytes *sotto_msg_build_message_encoded (const char             *room,
                                         gint64                  seq,
                                         gint64                  ts,
                                         const char             *sender,
                                         const char             *msg_id,
                                         const char             *envelope_base64);
GBytes *sotto_msg_build_member_joined (const char                 *room,
                                       gint64                      seq,
                                       gint64                      ts,
                                       const char                 *user,
                                       const SottoWireIdentity    *identity);
GBytes *sotto_msg_build_member_left   (const char                 *room,
                                       gint64                      seq,
                                       gint64                      ts,
                                       const char                 *user,
                                       SottoMsgLeaveReason         reason);
GBytes *sotto_msg_build_key_changed   (const char                 *room,
                                       gint64                      seq,
                                       gint64                      ts,
                                       const char                 *user,
                                       const SottoWireIdentity    *identity);
GBytes *sotto_msg_build_presence      (const char                 *user,
                                       gboolean                    online);
GBytes *sotto_msg_build_key           (gint64                      kid,
                                       const char                 *from,
                                       GBytes                     *device,
                                       const char                 *room,
                                       GBytes                     *box);
GBytes *sotto_msg_build_key_requested (gint64                      kid,
                                       const char                 *from,
                                       GBytes                     *device,
                                       const char                 *room,
                                       guint32                     key_id);
GBytes *sotto_msg_build_typing_event  (const char                 *room,
                                       const char                 *user);
GBytes *sotto_msg_build_catchup_done  (const char                 *id,
                                       const char                 *room,
                                       gint64                      last_seq,
                                       gboolean                    more);
GBytes *sotto_msg_build_notice        (const char                 *text,
                                       gint64                      ts);
GBytes *sotto_msg_build_pong          (const char                 *id);
GBytes *sotto_msg_build_state_event   (const char                 *room,
                                       gint64                      index,
                                       const char                 *sender,
                                       gint64                      ts,
                                       GBytes                     *event);
GBytes *sotto_msg_build_state_done    (const char                 *id,
                                       const char                 *room,
                                       gint64                      length,
                                       gboolean                    more);
GBytes *sotto_msg_build_prekeys_published (const char             *id,
                                           gint64                  one_time_left);
GBytes *sotto_msg_build_prekeys       (const char                 *id,
                                       const char                 *user,
                                       GBytes                     *bundle,
                                       GBytes                     *one_time);
GBytes *sotto_msg_build_devices_published (const char             *id,
                                           gint64                  counter);
GBytes *sotto_msg_build_devices       (const char                 *id,
                                       const char                 *user,
                                       GBytes                     *account_key,
                                       gint64                      counter,
                                       GBytes                     *list,
                                       const SottoWireDeviceSeen  *seen,
                                       gsize                       n_seen);
GBytes *sotto_msg_build_link_offered  (const char                 *id,
                                       const char                 *link,
                                       GBytes                     *offer);
GBytes *sotto_msg_build_link_approved (const char                 *link,
                                       GBytes                     *approval,
                                       const char                 *user);
GBytes *sotto_msg_build_link_expired  (const char                 *link);
GBytes *sotto_msg_build_devices_changed (const char              *user);
GBytes *sotto_msg_build_send_history  (const char                 *id,
                                       GBytes                     *device,
                                       GBytes                     *chunk);
GBytes *sotto_msg_build_ack_history   (const char                 *id,
                                       const gint64               *hids,
                                       gsize                       n_hids);
GBytes *sotto_msg_build_history       (gint64                      hid,
                                       GBytes                     *device,
                                       GBytes                     *chunk);
GBytes *sotto_msg_build_upload_at     (const char                 *id,
                                       const guint8               *blob,
                                       gint64                      offset);
GBytes *sotto_msg_build_blob          (const char                 *id,
                                       const guint8               *blob,
                                       gint64                      offset,
                                       GBytes                     *data,
                                       gint64                      size);

G_END_DECLS
