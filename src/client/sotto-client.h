/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sotto-client-enums.h"
#include "sotto-client-error.h"
#include "sotto-device-info.h"
#include "sotto-device-list.h"
#include "sotto-wire-error.h"
#include "sotto-ban.h"
#include "sotto-link-pending.h"
#include "sotto-room.h"
#include "sotto-transfer.h"

G_BEGIN_DECLS

typedef enum
{
  SOTTO_CLIENT_DISCONNECTED,
  SOTTO_CLIENT_CONNECTING,
  SOTTO_CLIENT_HANDSHAKING,
  SOTTO_CLIENT_AWAITING_TRUST,
  SOTTO_CLIENT_AUTHENTICATING,
  SOTTO_CLIENT_RECONNECTING,
  SOTTO_CLIENT_ONLINE,
} SottoClientState;

/**
 * SottoRoomInfo:
 * @name: the room
 * @members: how many members it has
 * @direct: whether it is a direct chat
 * @joined: whether the user is a member
 *
 * A room as the server lists it, for choosing one to join.
 */
typedef struct
{
  char     *name;
  gint64    members;
  gboolean  direct;
  gboolean  joined;
} SottoRoomInfo;

void sotto_room_info_free (SottoRoomInfo *info);

#define SOTTO_TYPE_CLIENT (sotto_client_get_type ())

G_DECLARE_FINAL_TYPE (SottoClient, sotto_client, SOTTO, CLIENT, GObject)

SottoClient      *sotto_client_new                  (const char          *data_dir,
                                                     const char          *server);
SottoClientState  sotto_client_get_state            (SottoClient         *self);
const char       *sotto_client_get_user             (SottoClient         *self);
const SottoPublicIdentity *sotto_client_get_device_identity (SottoClient   *self);
gboolean          sotto_client_is_handing_over_keys (SottoClient         *self);
gboolean          sotto_client_is_catching_up       (SottoClient         *self,
                                                     SottoRoom           *room);
SottoDeviceList  *sotto_client_dup_device_list      (SottoClient         *self);
void              sotto_client_remove_device_async  (SottoClient         *self,
                                                     const guint8        *sign_pk,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
gboolean          sotto_client_remove_device_finish (SottoClient         *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);
void              sotto_client_list_devices_async   (SottoClient         *self,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
GListModel       *sotto_client_list_devices_finish  (SottoClient         *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);
void              sotto_client_rename_device_async  (SottoClient         *self,
                                                     const guint8        *sign_pk,
                                                     const char          *name,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
gboolean          sotto_client_rename_device_finish (SottoClient         *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);
GListModel       *sotto_client_get_rooms            (SottoClient         *self);
SottoRoom        *sotto_client_lookup_room          (SottoClient         *self,
                                                     const char          *name);
const char       *sotto_client_get_server           (SottoClient         *self);
const char       *sotto_client_get_server_fingerprint (SottoClient       *self);
const char       *sotto_client_get_pinned_fingerprint (SottoClient       *self);
gboolean          sotto_client_get_connected        (SottoClient         *self);
void              sotto_client_set_pwhash_limits    (SottoClient         *self,
                                                     guint64              opslimit,
                                                     gsize                memlimit);

void              sotto_client_connect_async        (SottoClient         *self,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
gboolean          sotto_client_connect_finish       (SottoClient         *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);
void              sotto_client_trust_server_async   (SottoClient         *self,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
gboolean          sotto_client_trust_server_finish  (SottoClient         *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);

void              sotto_client_register_async       (SottoClient         *self,
                                                     const char          *username,
                                                     const char          *password,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
void              sotto_client_login_async          (SottoClient         *self,
                                                     const char          *username,
                                                     const char          *password,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
void              sotto_client_reset_async          (SottoClient         *self,
                                                     const char          *username,
                                                     const char          *password,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
gboolean          sotto_client_account_finish       (SottoClient         *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);

void              sotto_client_link_async           (SottoClient         *self,
                                                     const char          *username,
                                                     const char          *password,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
gboolean          sotto_client_link_finish          (SottoClient         *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);
const char       *sotto_client_get_link_code        (SottoClient         *self);
void              sotto_client_open_link_async      (SottoClient         *self,
                                                     const char          *code,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
SottoLinkPending *sotto_client_open_link_finish     (SottoClient         *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);
void              sotto_client_approve_link_async   (SottoClient         *self,
                                                     SottoLinkPending    *pending,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
gboolean          sotto_client_approve_link_finish  (SottoClient         *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);
void              sotto_client_send_history_async   (SottoClient         *self,
                                                     const guint8        *sign_pk,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
gint64            sotto_client_send_history_finish  (SottoClient         *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);

void              sotto_client_recover_async        (SottoClient         *self,
                                                     const char          *username,
                                                     const char          *password,
                                                     const char          *recovery_text,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
gboolean          sotto_client_recover_finish       (SottoClient         *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);
char             *sotto_client_get_recovery_key     (SottoClient         *self);

void              sotto_client_close                (SottoClient         *self);

void              sotto_client_join_async           (SottoClient         *self,
                                                     const char          *room,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
SottoRoom        *sotto_client_join_finish          (SottoClient         *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);
void              sotto_client_open_direct_async    (SottoClient         *self,
                                                     const char          *user,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
void              sotto_client_list_rooms_async     (SottoClient         *self,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
GPtrArray        *sotto_client_list_rooms_finish    (SottoClient         *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);
void              sotto_client_leave_async          (SottoClient         *self,
                                                     const char          *room,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
gboolean          sotto_client_leave_finish         (SottoClient         *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);
void              sotto_client_kick_async           (SottoClient         *self,
                                                     const char          *room,
                                                     const char          *user,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
gboolean          sotto_client_kick_finish          (SottoClient         *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);
void              sotto_client_unban_async          (SottoClient         *self,
                                                     const char          *room,
                                                     const char          *user,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
gboolean          sotto_client_unban_finish         (SottoClient         *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);
void              sotto_client_list_bans_async      (SottoClient         *self,
                                                     const char          *room,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
GPtrArray        *sotto_client_list_bans_finish     (SottoClient         *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);
void              sotto_client_invite_async         (SottoClient         *self,
                                                     const char          *room,
                                                     const char          *user,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
gboolean          sotto_client_invite_finish        (SottoClient         *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);
void              sotto_client_set_invite_only_async (SottoClient        *self,
                                                      const char         *room,
                                                      gboolean            invite_only,
                                                      GCancellable       *cancellable,
                                                      GAsyncReadyCallback callback,
                                                      gpointer            user_data);
gboolean          sotto_client_set_invite_only_finish (SottoClient       *self,
                                                       GAsyncResult      *result,
                                                       GError           **error);
gboolean          sotto_client_get_invite_only      (SottoClient         *self,
                                                     const char          *room);
gboolean          sotto_client_may_moderate         (SottoClient         *self,
                                                     const char          *room);
gboolean          sotto_client_may_remove           (SottoClient         *self,
                                                     const char          *room,
                                                     const char          *user);
gboolean          sotto_client_may_give_roles       (SottoClient         *self,
                                                     const char          *room,
                                                     const char          *user);
void              sotto_client_set_role_async       (SottoClient         *self,
                                                     const char          *room,
                                                     const char          *user,
                                                     SottoMemberRole      role,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
gboolean          sotto_client_set_role_finish      (SottoClient         *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);
gboolean          sotto_client_is_room_owner        (SottoClient         *self,
                                                     SottoRoom           *room);
char             *sotto_client_safety_number        (SottoClient         *self,
                                                     const char          *user);
gboolean          sotto_client_set_verified         (SottoClient         *self,
                                                     const char          *user,
                                                     gboolean             verified,
                                                     GError             **error);
SottoIdentityReview sotto_client_get_review       (SottoClient         *self,
                                                   const char          *user);
gboolean          sotto_client_accept_identity      (SottoClient         *self,
                                                   const char          *user,
                                                   GError             **error);
gboolean          sotto_client_is_verified          (SottoClient         *self,
                                                     const char          *user);
guint             sotto_client_load_older           (SottoClient         *self,
                                                     SottoRoom           *room,
                                                     guint                limit,
                                                     GError             **error);
gint64            sotto_client_get_reconnect_time   (SottoClient         *self);
void              sotto_client_send_typing          (SottoClient         *self,
                                                     SottoRoom           *room);
SottoMessage     *sotto_client_send_message         (SottoClient         *self,
                                                     SottoRoom           *room,
                                                     const char          *text,
                                                     GError             **error);
SottoTransfer    *sotto_client_send_file            (SottoClient         *self,
                                                     SottoRoom           *room,
                                                     GFile               *file);
SottoTransfer    *sotto_client_fetch_file           (SottoClient         *self,
                                                     SottoMessage        *message,
                                                     GFile               *destination);
SottoMessage     *sotto_client_send_file_message    (SottoClient         *self,
                                                     SottoRoom           *room,
                                                     const SottoFileMessage *file,
                                                     GError             **error);
SottoMessage     *sotto_client_reply                (SottoClient         *self,
                                                     SottoRoom           *room,
                                                     SottoMessage        *original,
                                                     const char          *text,
                                                     GError             **error);
gboolean          sotto_client_can_edit             (SottoClient         *self,
                                                     SottoMessage        *message);
gboolean          sotto_client_can_delete           (SottoClient         *self,
                                                     SottoRoom           *room,
                                                     SottoMessage        *message);
SottoMessage     *sotto_client_edit_message         (SottoClient         *self,
                                                     SottoRoom           *room,
                                                     SottoMessage        *message,
                                                     const char          *text,
                                                     GError             **error);
SottoMessage     *sotto_client_delete_message       (SottoClient         *self,
                                                     SottoRoom           *room,
                                                     SottoMessage        *message,
                                                     GError             **error);
SottoMessage     *sotto_client_react                (SottoClient         *self,
                                                     SottoRoom           *room,
                                                     SottoMessage        *message,
                                                     const char          *reaction,
                                                     gboolean             add,
                                                     GError             **error);

/**
 * SottoSearchResult:
 * @room: the room
 * @seq: the message's number in the room
 * @sender: who wrote it
 * @ts: when, in ms since the epoch
 * @text: what it says (a file's name for a file)
 *
 * A message a search found.
 */
typedef struct
{
  char   *room;
  gint64  seq;
  char   *sender;
  gint64  ts;
  char   *text;
} SottoSearchResult;

void              sotto_search_result_free          (SottoSearchResult   *result);
GPtrArray        *sotto_client_search               (SottoClient         *self,
                                                     SottoRoom           *room,
                                                     const char          *query,
                                                     guint                limit,
                                                     GError             **error);
void              sotto_client_search_async         (SottoClient         *self,
                                                     SottoRoom           *room,
                                                     const char          *query,
                                                     guint                limit,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
GPtrArray        *sotto_client_search_finish        (SottoClient         *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);

/**
 * SottoSearchHit:
 * @start: where a word of the query begins in the text, in bytes
 * @end: where it ends
 */
typedef struct
{
  gsize start;
  gsize end;
} SottoSearchHit;

GArray           *sotto_search_find_hits            (const char          *text,
                                                     const char          *query);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SottoSearchResult, sotto_search_result_free)

G_END_DECLS
