/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sotto-client.h"
#include "sotto-client-store.h"
#include "sotto-connection.h"
#include "sotto-e2e.h"

G_BEGIN_DECLS

/*
 * SottoClient is one object split by concern. Calls between its files go
 * one way, down this list: a file calls only those below it.
 *
 *   sotto-client-connect.c   making, connecting, trusting, reconnecting
 *   sotto-client-recover.c   restoring the account key from the recovery
 *                            key on a new computer
 *   sotto-client-link.c      linking this computer, new, to an account
 *   sotto-client-link-approve.c  approving a new computer, signed in
 *   sotto-client-account.c   register and login, the store's unlock
 *   sotto-client-events.c    what the server sends on its own, by type
 *   sotto-client-bans.c      removing members, letting them back, bans,
 *                            invitations and invite-only rooms
 *   sotto-client-roles.c     invitations, invite-only, roles
 *   sotto-client-rooms.c     join, leave, list, direct chats
 *   sotto-client-transfers.c files on their way: sealed and uploaded, fetched and opened
 *   sotto-client-members.c   a room's members at login, then its catch-up
 *   sotto-client-trust.c     members' keys: changes, review, verifying
 *   sotto-client-messages.c  sending, the outbox, receiving
 *   sotto-client-state.c     the rooms' signed state: kept, fetched, joined
 *   sotto-client-state-sign.c  our own events on it
 *   sotto-client-standing.c  what it says of each member, and of us
 *   sotto-client-history-transfer.c  history handed between the account's devices
 *   sotto-client-history.c   catch-up, the local history, read marks
 *   sotto-client-keys.c      sender keys: handing over, arrival, rotation
 *   sotto-client-prekeys.c   prekeys: ours published, theirs fetched
 *   sotto-client-own-devices.c  our devices listed for the user, renamed
 *   sotto-client-devices.c   the account key and our device list
 *   sotto-client-peers.c     the device lists of members, and ours
 *   sotto-client-device-removal.c  our device list as the user sees it, removal,
 *                            publishing the next one
 *   sotto-client-views.c     the room state each sender saw: split views
 *   sotto-client-order.c     senders' counters: replays, late and missing
 *   sotto-client-contacts.c  identities of members, safety numbers
 *   sotto-client-files.c     file messages as the store keeps and rooms show them
 *   sotto-client-requests.c  sending requests, as the user or logged
 *   sotto-client.c           the object: state, properties, signals
 */

typedef struct _SottoClientLinking SottoClientLinking;

/* What follows a room's signed state taking an event (@event, and
 * whether it @counts), or a fetch of them ending (@event %NULL): set by
 * sotto-client.c, so that the chain's keeper (sotto-client-state.c) calls
 * nothing above it. */
typedef void (*SottoClientStateTaken) (SottoClient *self,
                                       SottoRoom   *room,
                                       GBytes      *event,
                                       gboolean     counts);

struct _SottoClient
{
  GObject            parent_instance;

  char              *data_dir;
  char              *server;
  SottoConnection   *connection;
  SottoFilePinStore *pins;
  SottoClientStore  *store;
  /* This device's identity: its prekeys, the key boxes it seals and
   * opens, its place in the device list */
  SottoIdentity     *identity;
  /* The account key, and the identity made from it that our contacts
   * know us by: it signs our room events and messages */
  SottoAccountKey   *account_key;
  SottoIdentity     *account_identity;
  char              *user;
  GListStore        *rooms;
  SottoClientState   state;
  GCancellable      *cancellable;
  guint64            opslimit;
  gsize              memlimit;
  SottoClientStateTaken state_taken;
  /* Key messages that came before their room's members were known. */
  GPtrArray         *early_keys;
  /* room → the last seq held when the session began: where its catch-up
   * starts, whatever arrives before the members are listed */
  GHashTable        *catchup_from;
  /* Rooms of this session whose members are not yet listed or whose
   * catch-up is not yet done: their outbox waits, so that it is sealed
   * for the members of now, not those of before the connection dropped */
  GHashTable        *rooms_catching_up;
  /* room → the server's last seq when this session began: the room's
   * member list, asked for after that, is newer than any event up to it */
  GHashTable        *members_as_of;
  /* Our messages whose send awaits its answer (borrowed: each request
   * holds a reference) */
  GHashTable        *in_flight;
  /* "room\nsender" of whom a message is missing, not yet told */
  GHashTable        *rooms_with_gaps;
  /* "room\nuser" → our keys as they were when the server listed a member
   * the room's signed state does not hold yet (sotto-client-keys.c) */
  GHashTable        *held_keys;
  /* room → its SottoRoomState, taken from the stored chain when first
   * needed (sotto-client-state.c) */
  GHashTable        *states;
  /* room → what senders saw of its state beyond our chain, compared once
   * the chain gets there (sotto-client-views.c) */
  GHashTable        *pending_views;
  /* "room\nuser\ndevice" → the key handovers waiting behind the one
   * whose prekeys are being fetched (sotto-client-prekeys.c) */
  GHashTable        *handovers;
  /* user → the device list we hold of them (SottoDeviceList), and user →
   * those waiting on a fetch of it (sotto-client-peers.c) */
  GHashTable        *device_lists;
  GHashTable        *device_fetches;
  /* users whose list the server says changed, until fetched again */
  GHashTable        *stale_device_lists;
  /* device (base64) → how much of the history it sends us came
   * (sotto-client-history-transfer.c) */
  GHashTable        *history_received;

  /* Files on their way (sotto-client-transfers.c, which makes it at its
   * first and stops them all when the cancellable is cancelled) */
  GPtrArray         *transfers;

  /* The link this computer waits on, not logged in yet
   * (sotto-client-link.c); its task holds the client until it ends */
  SottoClientLinking *linking;
  /* The account key read from a recovery key, from the call to recover
   * until it is kept in the new store (sotto-client-recover.c) */
  SottoAccountKey   *recovering;

  /* For logging in again after the connection drops. */
  char              *login_secret;
  guint              reconnect_id;
  guint              outbox_retry_id;
  guint              reconnect_attempt;
  gint64             reconnect_at;
  gboolean           connected;
};

typedef GBytes *(*SottoClientBuildRequest) (const char *id,
                                            gpointer    data);

/* What a login does once the account's store is unlocked, before the
 * login itself: set by sotto-client-link.c and sotto-client-recover.c, so
 * that sotto-client-account.c calls nothing above it. It owns @task. */
typedef void (*SottoClientAccountStep) (SottoClient *self,
                                        GTask       *task,
                                        const char  *username);

/* sotto-client.c */
void               _sotto_client_set_state            (SottoClient              *self,
                                                       SottoClientState          state);
void               _sotto_client_set_user             (SottoClient              *self,
                                                       const char               *user);
void               _sotto_client_set_connected        (SottoClient              *self,
                                                       gboolean                  connected);
void               _sotto_client_emit_notice          (SottoClient              *self,
                                                       const char               *text);
void               _sotto_client_emit_identity_changed (SottoClient             *self,
                                                        const char              *user,
                                                        gboolean                 was_verified);
void               _sotto_client_emit_connection_lost (SottoClient              *self,
                                                       const GError             *error);
void               _sotto_client_emit_disconnected    (SottoClient              *self,
                                                       const GError             *error);
void               _sotto_client_emit_direct_chat_started (SottoClient          *self,
                                                           const char           *room,
                                                           const char           *peer);
void               _sotto_client_emit_removed_from_room (SottoClient            *self,
                                                         SottoRoom              *room);
void               _sotto_client_emit_history_progress (SottoClient             *self,
                                                        const char              *device,
                                                        gboolean                 sending,
                                                        guint                    done,
                                                        guint                    total);
void               _sotto_client_emit_link_code       (SottoClient              *self,
                                                       const char               *code);
void               _sotto_client_emit_devices_changed (SottoClient              *self);

/* sotto-client-requests.c */
void               _sotto_client_send_logged          (SottoClient              *self,
                                                       SottoClientBuildRequest   build,
                                                       gpointer                  data,
                                                       const char               *what);
void               _sotto_client_request_as_user      (SottoClient              *self,
                                                       GTask                    *task,
                                                       SottoClientBuildRequest   build,
                                                       gpointer                  data,
                                                       GAsyncReadyCallback       reply_cb);

/* sotto-client-contacts.c */
void               _sotto_client_identity_to_wire     (const SottoPublicIdentity *identity,
                                                       SottoWireIdentity        *wire);
void               _sotto_client_get_wire_identity    (SottoClient              *self,
                                                       SottoWireIdentity        *wire);
void               _sotto_client_public_from_wire     (const SottoWireIdentity  *wire,
                                                       SottoPublicIdentity      *identity);

/* sotto-client-keys.c */
void               _sotto_client_hand_keys_to_device  (SottoClient              *self,
                                                       const guint8             *sign_pk);
void               _sotto_client_handle_devices_changed (SottoClient            *self,
                                                         SottoMsg               *msg);
void               _sotto_client_give_key             (SottoClient              *self,
                                                       SottoRoom                *room,
                                                       SottoSenderKey           *key,
                                                       SottoMember              *member,
                                                       const guint8             *device);
SottoSenderKey    *_sotto_client_ensure_own_key       (SottoClient              *self,
                                                       SottoRoom                *room,
                                                       GError                  **error);
void               _sotto_client_rotate_own_key       (SottoClient              *self,
                                                       SottoRoom                *room);
SottoMessageState  _sotto_client_open_envelope        (SottoClient              *self,
                                                       SottoRoom                *room,
                                                       const char               *sender,
                                                       GBytes                   *envelope,
                                                       SottoMessageBody         *body,
                                                       guint8                   *signer,
                                                       gboolean                 *replayed);
void               _sotto_client_ask_for_key          (SottoClient              *self,
                                                       const char               *room,
                                                       const char               *sender,
                                                       GBytes                   *envelope);
void               _sotto_client_handle_key           (SottoClient              *self,
                                                       SottoMsg                 *msg);
void               _sotto_client_handle_key_requested (SottoClient              *self,
                                                       SottoMsg                 *msg);
void               _sotto_client_replay_early_keys    (SottoClient              *self,
                                                       SottoRoom                *room);
void               _sotto_client_hand_over_held_keys  (SottoClient              *self,
                                                       SottoRoom                *room,
                                                       SottoMember              *member);
void               _sotto_client_drop_held_keys       (SottoClient              *self,
                                                       const char               *room,
                                                       const char               *user);

/* sotto-client-prekeys.c */
SottoPrekey       *_sotto_client_lookup_prekey        (guint32                   id,
                                                       gboolean                  one_time,
                                                       gpointer                  user_data);
void               _sotto_client_prekey_used          (SottoClient              *self,
                                                       GBytes                   *box);
void               _sotto_client_publish_prekeys      (SottoClient              *self);
void               _sotto_client_free_handovers       (gpointer                  queue);
void               _sotto_client_send_key_box         (SottoClient              *self,
                                                       SottoRoom                *room,
                                                       SottoSenderKey           *key,
                                                       guint64                   next_counter,
                                                       SottoMember              *member,
                                                       const guint8             *device);

/* sotto-client-views.c */
void               _sotto_client_check_view           (SottoClient              *self,
                                                       SottoRoom                *room,
                                                       const char               *sender,
                                                       const SottoMessageBody   *body);
void               _sotto_client_recheck_views        (SottoClient              *self,
                                                       SottoRoom                *room);

/* sotto-client-order.c */
gboolean           _sotto_client_check_order          (SottoClient              *self,
                                                       SottoRoom                *room,
                                                       const char               *sender,
                                                       const guint8             *signer,
                                                       const SottoMessageBody   *body,
                                                       gint64                    seq,
                                                       gint64                    ts,
                                                       SottoMessageMarks        *marks);
void               _sotto_client_refuse_replay        (SottoClient              *self,
                                                       SottoRoom                *room,
                                                       const char               *sender,
                                                       gint64                    seq,
                                                       gint64                    ts);
void               _sotto_client_anchor_order         (SottoClient              *self,
                                                       SottoRoom                *room,
                                                       const char               *sender,
                                                       const guint8             *signer,
                                                       guint64                   next_counter);
void               _sotto_client_settle_order         (SottoClient              *self,
                                                       SottoRoom                *room,
                                                       const char               *sender);


/* sotto-client-files.c */
GBytes            *_sotto_client_stored_content       (const SottoMessageBody   *body);
char              *_sotto_client_read_stored          (GBytes                   *stored,
                                                       SottoMessageBodyType     *type,
                                                       GBytes                  **content,
                                                       SottoFileMessage        **file,
                                                       SottoMessageAction      **action);
char              *_sotto_client_read_body            (const SottoMessageBody   *body,
                                                       SottoFileMessage        **file,
                                                       SottoMessageAction      **action);

/* sotto-client-actions.c */
SottoMessage      *_sotto_client_send_action          (SottoClient              *self,
                                                       SottoRoom                *room,
                                                       const SottoMessageAction *action,
                                                       GError                  **error);

/* sotto-client-history-transfer.c */
void               _sotto_client_handle_history       (SottoClient              *self,
                                                       SottoMsg                 *msg);

/* sotto-client-history.c */
void               _sotto_client_remember_seq         (SottoClient              *self,
                                                       const char               *room,
                                                       gint64                    seq);
void               _sotto_client_load_history         (SottoClient              *self,
                                                       SottoRoom                *room);
void               _sotto_client_mark_session_start   (SottoClient              *self,
                                                       const char               *room);
void               _sotto_client_catch_up_missed_async (SottoClient             *self,
                                                        SottoRoom               *room,
                                                        GAsyncReadyCallback      callback,
                                                        gpointer                 user_data);
gboolean           _sotto_client_catch_up_missed_finish (SottoClient            *self,
                                                         GAsyncResult           *result,
                                                         GError                **error);

/* sotto-client-trust.c */
void               _sotto_client_set_member           (SottoClient              *self,
                                                       SottoRoom                *room,
                                                       const char               *user,
                                                       const SottoWireIdentity  *wire,
                                                       gboolean                  online);

/* The most times our own room event is tried again after another came
 * first. */
#define SOTTO_CLIENT_STATE_ATTEMPTS 4

/* sotto-client-peers.c */
typedef void (*SottoClientDevicesFunc) (SottoClient     *self,
                                        const char      *user,
                                        SottoDeviceList *list,
                                        gpointer         data);

SottoDeviceList   *_sotto_client_lookup_devices       (SottoClient               *self,
                                                       const char                *user,
                                                       const SottoPublicIdentity *account);
SottoDeviceList   *_sotto_client_lookup_held_devices  (SottoClient               *self,
                                                       const char                *user,
                                                       const SottoPublicIdentity *account);
void               _sotto_client_devices_changed      (SottoClient               *self,
                                                       const char                *user);
SottoDeviceList   *_sotto_client_take_devices         (SottoClient               *self,
                                                       const char                *user,
                                                       const SottoPublicIdentity *account,
                                                       SottoMsg                  *reply);
void               _sotto_client_fetch_devices        (SottoClient               *self,
                                                       const char                *user,
                                                       const SottoPublicIdentity *account,
                                                       SottoClientDevicesFunc     func,
                                                       gpointer                   data,
                                                       GDestroyNotify             destroy);
const SottoDevice *_sotto_client_find_device          (const SottoDeviceList     *list,
                                                       const guint8              *sign_pk);
guint              _sotto_client_count_devices        (SottoClient               *self,
                                                       const char                *user);

/* sotto-client-device-removal.c */
void               _sotto_client_publish_next_devices_async  (SottoClient         *self,
                                                              SottoDeviceList     *next,
                                                              GCancellable        *cancellable,
                                                              GAsyncReadyCallback  callback,
                                                              gpointer             user_data);
gboolean           _sotto_client_publish_next_devices_finish (SottoClient         *self,
                                                              GAsyncResult        *result,
                                                              GError             **error);

/* sotto-client-devices.c */
char              *_sotto_client_device_name          (void);
gboolean           _sotto_client_take_account         (SottoClient              *self,
                                                       GError                  **error);
void               _sotto_client_publish_devices      (SottoClient              *self,
                                                       SottoMsg                 *session);
GArray            *_sotto_client_wire_devices         (const SottoDeviceList    *list);

/* sotto-client-state.c */
void               _sotto_client_free_room_chain      (gpointer                  chain);
void               _sotto_client_state_seen           (SottoClient              *self,
                                                       SottoRoom                *room,
                                                       guint64                  *length,
                                                       guint8                   *head);
SottoRoomState    *_sotto_client_room_state           (SottoClient              *self,
                                                       SottoRoom                *room,
                                                       gboolean                 *broken);
gboolean           _sotto_client_is_leaving           (SottoClient              *self,
                                                       SottoRoom                *room);
void               _sotto_client_mark_leaving         (SottoClient              *self,
                                                       SottoRoom                *room);
void               _sotto_client_handle_state_event   (SottoClient              *self,
                                                       SottoMsg                 *msg);
void               _sotto_client_sync_state_async     (SottoClient              *self,
                                                       SottoRoom                *room,
                                                       gint64                    server_length,
                                                       GAsyncReadyCallback       callback,
                                                       gpointer                  user_data);
gboolean           _sotto_client_sync_state_finish    (SottoClient              *self,
                                                       GAsyncResult             *result,
                                                       GError                  **error);
void               _sotto_client_forget_state         (SottoClient              *self,
                                                       const char               *room);

/* sotto-client-bans.c */
void               _sotto_client_mirror_ban           (SottoClient              *self,
                                                       SottoRoom                *room,
                                                       GBytes                   *event);
void               _sotto_client_reconcile_bans       (SottoClient              *self,
                                                       SottoRoom                *room);

/* sotto-client-state-sign.c */
void               _sotto_client_sign_state_async     (SottoClient              *self,
                                                       const char               *room,
                                                       SottoRoomEventType        type,
                                                       const char               *subject,
                                                       gint64                    value,
                                                       GAsyncReadyCallback       callback,
                                                       gpointer                  user_data);
gboolean           _sotto_client_sign_state_finish    (SottoClient              *self,
                                                       GAsyncResult             *result,
                                                       GError                  **error);

/* sotto-client-standing.c */
void               _sotto_client_update_standings     (SottoClient              *self,
                                                       SottoRoom                *room);
void               _sotto_client_place_member         (SottoClient              *self,
                                                       SottoRoom                *room,
                                                       SottoMember              *member);
void               _sotto_client_standing_changed     (SottoClient              *self,
                                                       SottoRoom                *room,
                                                       SottoMember              *member,
                                                       SottoMemberStanding       before);
void               _sotto_client_tell_refused         (SottoClient              *self,
                                                       SottoRoom                *room,
                                                       SottoMember              *member);
int                _sotto_client_own_role             (SottoClient              *self,
                                                       const char               *room);
gboolean           _sotto_client_may_ban              (SottoClient              *self,
                                                       const char               *room,
                                                       const char               *user);
gboolean           _sotto_client_state_bans           (SottoClient              *self,
                                                       const char               *room,
                                                       const char               *user);
GStrv              _sotto_client_dup_state_bans       (SottoClient              *self,
                                                       const char               *room);
gboolean           _sotto_client_state_ban_of         (SottoClient              *self,
                                                       const char               *room,
                                                       const char               *user,
                                                       const char              **by,
                                                       gint64                   *since);
char              *_sotto_client_kept_out             (SottoClient              *self,
                                                       SottoRoom                *room,
                                                       gboolean                 *banned);

/* sotto-client-messages.c */
SottoMessage      *_sotto_client_send_content         (SottoClient              *self,
                                                       SottoRoom                *room,
                                                       SottoMessageBodyType      type,
                                                       GBytes                   *content,
                                                       GError                  **error);
void               _sotto_client_receive_message      (SottoClient              *self,
                                                       SottoMsg                 *msg);
void               _sotto_client_flush_outbox         (SottoClient              *self,
                                                       const char               *room);

/* sotto-client-members.c */
void               _sotto_client_load_members         (SottoClient              *self,
                                                       const char               *room);

/* sotto-client-rooms.c */
SottoRoom         *_sotto_client_ensure_room          (SottoClient              *self,
                                                       const char               *name,
                                                       gboolean                  direct);
void               _sotto_client_drop_room            (SottoClient              *self,
                                                       SottoRoom                *room);
void               _sotto_client_leave_kept_out       (SottoClient              *self,
                                                       SottoRoom                *room,
                                                       GAsyncReadyCallback       callback,
                                                       gpointer                  user_data);
gboolean           _sotto_client_leave_if_banned      (SottoClient              *self,
                                                       SottoRoom                *room,
                                                       gboolean                  live);
void               _sotto_client_state_taken          (SottoClient              *self,
                                                       SottoRoom                *room,
                                                       GBytes                   *event,
                                                       gboolean                  counts);

/* sotto-client-events.c */
void               _sotto_client_handle_event         (SottoConnection          *connection,
                                                       SottoMsg                 *msg,
                                                       gpointer                  user_data);

/* sotto-client-account.c */
void               _sotto_client_account_async        (SottoClient              *self,
                                                       gboolean                  create,
                                                       gboolean                  reset,
                                                       const char               *username,
                                                       const char               *password,
                                                       SottoClientAccountStep    before_login,
                                                       gpointer                  source_tag,
                                                       GCancellable             *cancellable,
                                                       GAsyncReadyCallback       callback,
                                                       gpointer                  user_data);
void               _sotto_client_account_log_in       (GTask                    *task);
void               _sotto_client_account_log_in_proving (GTask                  *task);
gboolean           _sotto_client_account_made_store   (GTask                    *task);
void               _sotto_client_account_fail         (GTask                    *task,
                                                       GError                   *error);
void               _sotto_client_start_session        (SottoClient              *self,
                                                       SottoMsg                 *session);

/* The device that wrote @message: @signer as its envelope's key said, or
 * this one for ours written here (their rows keep none). Here, not in a
 * file of its own, as every part that makes messages calls it. */
static inline void
_sotto_client_set_device (SottoClient  *self,
                          SottoMessage *message,
                          const guint8 *signer)
{
  if (signer != NULL)
    sotto_message_set_device (message, signer);
  else if (self->identity != NULL && g_strcmp0 (sotto_message_get_sender (message), self->user) == 0)
    sotto_message_set_device (message, sotto_identity_get_public (self->identity)->sign_pk);
}

G_END_DECLS
