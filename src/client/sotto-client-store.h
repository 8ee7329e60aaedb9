/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <gio/gio.h>

#include "sotto-account-key.h"
#include "sotto-identity.h"
#include "sotto-counter-state.h"
#include "sotto-member.h"
#include "sotto-prekey.h"
#include "sotto-sender-key.h"

G_BEGIN_DECLS

/* The schema this code writes; PRAGMA user_version of an up-to-date file. */
#define SOTTO_CLIENT_STORE_SCHEMA_VERSION 8

/* The size of a device's signing key, as sender keys and messages keep it. */
#define SOTTO_CLIENT_STORE_DEVICE_BYTES 32

#define SOTTO_CLIENT_STORE_ERROR (sotto_client_store_error_quark ())

/**
 * SottoClientStoreError:
 * @SOTTO_CLIENT_STORE_ERROR_FAILED: any other failure (out of memory, misuse)
 * @SOTTO_CLIENT_STORE_ERROR_OPEN: the database file could not be opened or
 *   created, or is not a Sotto client database
 * @SOTTO_CLIENT_STORE_ERROR_CORRUPT: the file is not a database, is damaged,
 *   or an encrypted value does not decrypt where it is (altered or moved)
 * @SOTTO_CLIENT_STORE_ERROR_TOO_NEW: the file was written by a newer Sotto
 * @SOTTO_CLIENT_STORE_ERROR_IO: reading or writing the file failed
 * @SOTTO_CLIENT_STORE_ERROR_FULL: the disk is full
 * @SOTTO_CLIENT_STORE_ERROR_READ_ONLY: the file or its directory cannot be
 *   written
 * @SOTTO_CLIENT_STORE_ERROR_BUSY: another process has the store open
 * @SOTTO_CLIENT_STORE_ERROR_CONSTRAINT: the change conflicts with a stored
 *   row, e.g. a sequence number already taken in the room
 * @SOTTO_CLIENT_STORE_ERROR_NOT_FOUND: the row the call names does not exist
 * @SOTTO_CLIENT_STORE_ERROR_NOT_UNLOCKED: the call needs the local key and
 *   the store is locked
 *
 * Errors of #SottoClientStore. Messages include SQLite's own. A wrong
 * password is %SOTTO_E2E_ERROR_BAD_PASSWORD, passed through.
 */
typedef enum
{
  SOTTO_CLIENT_STORE_ERROR_FAILED,
  SOTTO_CLIENT_STORE_ERROR_OPEN,
  SOTTO_CLIENT_STORE_ERROR_CORRUPT,
  SOTTO_CLIENT_STORE_ERROR_TOO_NEW,
  SOTTO_CLIENT_STORE_ERROR_IO,
  SOTTO_CLIENT_STORE_ERROR_FULL,
  SOTTO_CLIENT_STORE_ERROR_READ_ONLY,
  SOTTO_CLIENT_STORE_ERROR_BUSY,
  SOTTO_CLIENT_STORE_ERROR_CONSTRAINT,
  SOTTO_CLIENT_STORE_ERROR_NOT_FOUND,
  SOTTO_CLIENT_STORE_ERROR_NOT_UNLOCKED,
} SottoClientStoreError;

GQuark sotto_client_store_error_quark (void);

/**
 * SottoIdentitySeen:
 * @SOTTO_IDENTITY_SEEN_NEW: the first identity seen for this user
 * @SOTTO_IDENTITY_SEEN_SAME: the identity already stored
 * @SOTTO_IDENTITY_SEEN_CHANGED: a different identity than the one stored;
 *   the contact is no longer verified
 *
 * What sotto_client_store_see_identity() found.
 */
typedef enum
{
  SOTTO_IDENTITY_SEEN_NEW,
  SOTTO_IDENTITY_SEEN_SAME,
  SOTTO_IDENTITY_SEEN_CHANGED,
} SottoIdentitySeen;

/**
 * SottoStoredContact:
 * @identity: the identity last seen for the user
 * @first_seen: when an identity of the user was first seen, in ms since
 *   the epoch
 * @verified: whether the user compared safety numbers for @identity
 * @changed_at: when the identity last changed, in ms since the epoch, or 0
 *   if it never did
 * @review: what the last change asks of the user
 *
 * A contact, as sotto_client_store_get_contact() returns it. Plain data.
 */
typedef struct
{
  SottoPublicIdentity identity;
  gint64              first_seen;
  gboolean            verified;
  gint64              changed_at;
  SottoIdentityReview review;
} SottoStoredContact;

/**
 * SottoStoredRoom:
 * @name: the room name
 * @direct: whether this is a direct chat
 * @last_seq: the highest sequence number held, 0 for none
 *
 * One known room, as sotto_client_store_list_rooms() returns it.
 */
typedef struct
{
  char     *name;
  gboolean  direct;
  gint64    last_seq;
} SottoStoredRoom;

void sotto_stored_room_free (SottoStoredRoom *room);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SottoStoredRoom, sotto_stored_room_free)

/**
 * SottoStoredMessageState:
 * @SOTTO_STORED_MESSAGE_SENDING: our own, not acknowledged by the server yet
 *   (the outbox)
 * @SOTTO_STORED_MESSAGE_SENT: our own, acknowledged
 * @SOTTO_STORED_MESSAGE_RECEIVED: someone else's, decrypted and verified
 * @SOTTO_STORED_MESSAGE_WAITING_FOR_KEY: the sender key is missing; the body
 *   is the raw envelope, to decrypt in place later
 * @SOTTO_STORED_MESSAGE_UNVERIFIABLE: could not be decrypted or verified
 * @SOTTO_STORED_MESSAGE_SYSTEM: an event of the room (join, key change...)
 *
 * The state of a history row. The values are stored on disk.
 */
typedef enum
{
  SOTTO_STORED_MESSAGE_SENDING = 0,
  SOTTO_STORED_MESSAGE_SENT = 1,
  SOTTO_STORED_MESSAGE_RECEIVED = 2,
  SOTTO_STORED_MESSAGE_WAITING_FOR_KEY = 3,
  SOTTO_STORED_MESSAGE_UNVERIFIABLE = 4,
  SOTTO_STORED_MESSAGE_SYSTEM = 5,
} SottoStoredMessageState;

/**
 * SottoStoredMessage:
 * @id: the local row id; grows in the order rows were added
 * @room: the room
 * @seq: the room's sequence number, 0 until the server acknowledged it
 * @msg_id: (nullable): the sender's message id
 * @sender: the sender's username ("" for events without one)
 * @ts: the time of the message, in ms since the epoch
 * @state: a #SottoStoredMessageState
 * @body: the decrypted body (the raw envelope while waiting for a key)
 * @has_signer: whether @signer is known: the device of another account,
 *   or another of ours, that wrote it (none for ours from this device)
 * @signer: that device's signing key
 *
 * One history row.
 */
typedef struct
{
  gint64                   id;
  char                    *room;
  gint64                   seq;
  char                    *msg_id;
  char                    *sender;
  gint64                   ts;
  SottoStoredMessageState  state;
  GBytes                  *body;
  guint64                  counter;
  gint64                   sent_at;
  guint                    marks;
  guint64                  missing_before;
  gboolean                 has_signer;
  guint8                   signer[SOTTO_CLIENT_STORE_DEVICE_BYTES];
} SottoStoredMessage;

void sotto_stored_message_free (SottoStoredMessage *message);

/**
 * SottoStoredFill:
 * @SOTTO_STORED_FILL_KEPT: the store kept what it held in its place
 * @SOTTO_STORED_FILL_ADDED: the message is new here
 * @SOTTO_STORED_FILL_FILLED: the store held it unread; now it is read
 *
 * What sotto_client_store_fill_message() did with a message another
 * device of the account read.
 */
typedef enum
{
  SOTTO_STORED_FILL_KEPT,
  SOTTO_STORED_FILL_ADDED,
  SOTTO_STORED_FILL_FILLED,
} SottoStoredFill;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SottoStoredMessage, sotto_stored_message_free)

#define SOTTO_TYPE_CLIENT_STORE (sotto_client_store_get_type ())

G_DECLARE_FINAL_TYPE (SottoClientStore, sotto_client_store, SOTTO, CLIENT_STORE, GObject)

SottoClientStore *sotto_client_store_open                  (const char               *path,
                                                            GError                  **error);

/* The local key */
gboolean          sotto_client_store_is_new                (SottoClientStore         *self);
gboolean          sotto_client_store_is_unlocked           (SottoClientStore         *self);
void              sotto_client_store_unlock_async          (SottoClientStore         *self,
                                                            const char               *password,
                                                            guint64                   opslimit,
                                                            gsize                     memlimit,
                                                            GCancellable             *cancellable,
                                                            GAsyncReadyCallback       callback,
                                                            gpointer                  user_data);
gboolean          sotto_client_store_unlock_finish         (SottoClientStore         *self,
                                                            GAsyncResult             *result,
                                                            GError                  **error);
void              sotto_client_store_lock                  (SottoClientStore         *self);
void              sotto_client_store_set_password_async    (SottoClientStore         *self,
                                                            const char               *old_password,
                                                            const char               *new_password,
                                                            guint64                   opslimit,
                                                            gsize                     memlimit,
                                                            GCancellable             *cancellable,
                                                            GAsyncReadyCallback       callback,
                                                            gpointer                  user_data);
gboolean          sotto_client_store_set_password_finish   (SottoClientStore         *self,
                                                            GAsyncResult             *result,
                                                            GError                  **error);

/* Our identity */
gboolean          sotto_client_store_save_identity         (SottoClientStore         *self,
                                                            SottoIdentity            *identity,
                                                            GError                  **error);
SottoIdentity    *sotto_client_store_load_identity         (SottoClientStore         *self,
                                                            GError                  **error);

/* Contacts */
gboolean          sotto_client_store_see_identity          (SottoClientStore         *self,
                                                            const char               *user,
                                                            const SottoPublicIdentity *identity,
                                                            gint64                    now_ms,
                                                            SottoIdentitySeen        *out_result,
                                                            GError                  **error);
gboolean          sotto_client_store_get_contact           (SottoClientStore         *self,
                                                            const char               *user,
                                                            SottoStoredContact       *out,
                                                            GError                  **error);
gboolean          sotto_client_store_set_verified          (SottoClientStore         *self,
                                                            const char               *user,
                                                            gboolean                  verified,
                                                            GError                  **error);

/* Sender keys */
gboolean          sotto_client_store_save_sender_key       (SottoClientStore         *self,
                                                            const char               *room,
                                                            const char               *owner,
                                                            SottoSenderKey           *key,
                                                            GError                  **error);
gboolean          sotto_client_store_save_sender_key_from  (SottoClientStore         *self,
                                                            const char               *room,
                                                            const char               *owner,
                                                            const guint8             *device,
                                                            SottoSenderKey           *key,
                                                            GError                  **error);
gboolean          sotto_client_store_get_sender_key_device (SottoClientStore         *self,
                                                            const char               *room,
                                                            const char               *owner,
                                                            guint32                   key_id,
                                                            guint8                   *device,
                                                            gboolean                 *has_device,
                                                            GError                  **error);
SottoSenderKey   *sotto_client_store_load_sender_key       (SottoClientStore         *self,
                                                            const char               *room,
                                                            const char               *owner,
                                                            guint32                   key_id,
                                                            GError                  **error);
SottoSenderKey   *sotto_client_store_load_own_sender_key   (SottoClientStore         *self,
                                                            const char               *room,
                                                            const char               *own_user,
                                                            GError                  **error);
gboolean          sotto_client_store_forget_sender_keys    (SottoClientStore         *self,
                                                            const char               *room,
                                                            const char               *owner,
                                                            GError                  **error);

/* Rooms */
gboolean          sotto_client_store_save_room             (SottoClientStore         *self,
                                                            const char               *room,
                                                            gboolean                  direct,
                                                            GError                  **error);
gboolean          sotto_client_store_set_last_seq          (SottoClientStore         *self,
                                                            const char               *room,
                                                            gint64                    seq,
                                                            GError                  **error);
gint64            sotto_client_store_get_last_seq          (SottoClientStore         *self,
                                                            const char               *room,
                                                            GError                  **error);
/**
 * SottoStoreMatch:
 * @row: a history row, decrypted
 *
 * Returns: whether a search keeps @row
 */
typedef gboolean (*SottoStoreMatch) (const SottoStoredMessage *row,
                                     gpointer                  user_data);

GPtrArray        *sotto_client_store_search                (SottoClientStore         *self,
                                                            const char               *room,
                                                            gint64                   *cursor,
                                                            guint                     max_rows,
                                                            SottoStoreMatch           match,
                                                            gpointer                  user_data,
                                                            guint                     limit,
                                                            GError                  **error);
gboolean          sotto_client_store_get_read              (SottoClientStore         *self,
                                                            const char               *room,
                                                            gint64                   *read_seq,
                                                            guint                    *unread,
                                                            GError                  **error);
gboolean          sotto_client_store_set_read              (SottoClientStore         *self,
                                                            const char               *room,
                                                            gint64                    read_seq,
                                                            guint                     unread,
                                                            GError                  **error);
GPtrArray        *sotto_client_store_list_rooms            (SottoClientStore         *self,
                                                            GError                  **error);
gboolean          sotto_client_store_add_state_event       (SottoClientStore         *self,
                                                            const char               *room,
                                                            guint64                   index,
                                                            GBytes                   *event,
                                                            GError                  **error);
GPtrArray        *sotto_client_store_list_state_events     (SottoClientStore         *self,
                                                            const char               *room,
                                                            GError                  **error);
GBytes           *sotto_client_store_get_state_event       (SottoClientStore         *self,
                                                            const char               *room,
                                                            guint64                   index,
                                                            GError                  **error);
gboolean          sotto_client_store_add_prekey            (SottoClientStore         *self,
                                                            SottoPrekey              *prekey,
                                                            gboolean                  one_time,
                                                            GError                  **error);
SottoPrekey      *sotto_client_store_get_prekey            (SottoClientStore         *self,
                                                            guint32                   id,
                                                            gboolean                  one_time,
                                                            GError                  **error);
SottoPrekey      *sotto_client_store_get_signed_prekey     (SottoClientStore         *self,
                                                            GError                  **error);
gboolean          sotto_client_store_forget_prekey         (SottoClientStore         *self,
                                                            guint32                   id,
                                                            gboolean                  one_time,
                                                            GError                  **error);
gboolean          sotto_client_store_retire_signed_prekeys (SottoClientStore         *self,
                                                            gint64                    now,
                                                            GError                  **error);
gboolean          sotto_client_store_erase_retired_prekeys (SottoClientStore         *self,
                                                            gint64                    before,
                                                            GError                  **error);
gboolean          sotto_client_store_count_prekeys         (SottoClientStore         *self,
                                                            gboolean                  one_time,
                                                            guint                    *count,
                                                            guint32                  *highest_id,
                                                            GError                  **error);
SottoAccountKey  *sotto_client_store_get_account_key       (SottoClientStore         *self,
                                                            GError                  **error);
gboolean          sotto_client_store_add_account_key       (SottoClientStore         *self,
                                                            SottoAccountKey          *key,
                                                            GError                  **error);
GBytes           *sotto_client_store_get_device_list       (SottoClientStore         *self,
                                                            gboolean                 *published,
                                                            GError                  **error);
gboolean          sotto_client_store_set_device_list       (SottoClientStore         *self,
                                                            GBytes                   *list,
                                                            gboolean                  published,
                                                            GError                  **error);
GBytes           *sotto_client_store_get_member_devices    (SottoClientStore         *self,
                                                            const char               *user,
                                                            GError                  **error);
gboolean          sotto_client_store_set_member_devices    (SottoClientStore         *self,
                                                            const char               *user,
                                                            GBytes                   *list,
                                                            GError                  **error);
gboolean          sotto_client_store_forget_room           (SottoClientStore         *self,
                                                            const char               *room,
                                                            GError                  **error);

/* History */
gboolean          sotto_client_store_add_message           (SottoClientStore         *self,
                                                            const char               *room,
                                                            const char               *sender,
                                                            const char               *msg_id,
                                                            gint64                    seq,
                                                            gint64                    ts,
                                                            SottoStoredMessageState   state,
                                                            GBytes                   *body,
                                                            gboolean                 *out_added,
                                                            GError                  **error);
gboolean          sotto_client_store_update_message        (SottoClientStore         *self,
                                                            const char               *room,
                                                            const char               *sender,
                                                            const char               *msg_id,
                                                            SottoStoredMessageState   state,
                                                            gint64                    seq,
                                                            GBytes                   *body,
                                                            GError                  **error);
gboolean          sotto_client_store_update_message_by_seq (SottoClientStore         *self,
                                                            const char               *room,
                                                            gint64                    seq,
                                                            SottoStoredMessageState   state,
                                                            GBytes                   *body,
                                                            GError                  **error);
GPtrArray        *sotto_client_store_load_history          (SottoClientStore         *self,
                                                            const char               *room,
                                                            gint64                    before_seq,
                                                            guint                     limit,
                                                            GError                  **error);
GPtrArray        *sotto_client_store_list_messages         (SottoClientStore         *self,
                                                            const char               *room,
                                                            SottoStoredMessageState   state,
                                                            GError                  **error);
GPtrArray        *sotto_client_store_list_outbox           (SottoClientStore         *self,
                                                            GError                  **error);

/* History handed between devices of the account */
GPtrArray        *sotto_client_store_list_readable         (SottoClientStore         *self,
                                                            const char               *room,
                                                            gint64                    after_seq,
                                                            gint64                    up_to_seq,
                                                            guint                     limit,
                                                            GError                  **error);
gint64            sotto_client_store_count_readable        (SottoClientStore         *self,
                                                            const char               *room,
                                                            gint64                    up_to_seq,
                                                            GError                  **error);
gboolean          sotto_client_store_fill_message          (SottoClientStore         *self,
                                                            const char               *room,
                                                            const char               *sender,
                                                            const char               *msg_id,
                                                            gint64                    seq,
                                                            gint64                    ts,
                                                            SottoStoredMessageState   state,
                                                            GBytes                   *text,
                                                            guint64                   counter,
                                                            gint64                    sent_at,
                                                            SottoStoredFill          *out_fill,
                                                            GError                  **error);

gboolean          sotto_client_store_acknowledge_identity  (SottoClientStore         *self,
                                                            const char               *user,
                                                            GError                  **error);

gboolean          sotto_client_store_begin                 (SottoClientStore         *self,
                                                            GError                  **error);
gboolean          sotto_client_store_commit                (SottoClientStore         *self,
                                                            GError                  **error);

/* Counters: the order senders gave their messages */
gboolean          sotto_client_store_get_counters          (SottoClientStore         *self,
                                                            const char               *room,
                                                            const char               *sender,
                                                            const guint8             *signer,
                                                            SottoCounterState        *state,
                                                            GError                  **error);
gboolean          sotto_client_store_set_counters          (SottoClientStore         *self,
                                                            const char               *room,
                                                            const char               *sender,
                                                            const guint8             *signer,
                                                            const SottoCounterState  *state,
                                                            GError                  **error);
gboolean          sotto_client_store_rebase_counters       (SottoClientStore         *self,
                                                            const char               *room,
                                                            GError                  **error);
gboolean          sotto_client_store_take_counter          (SottoClientStore         *self,
                                                            const char               *room,
                                                            const char               *sender,
                                                            const guint8             *signer,
                                                            const char               *msg_id,
                                                            guint64                  *counter,
                                                            GError                  **error);
gboolean          sotto_client_store_next_counter          (SottoClientStore         *self,
                                                            const char               *room,
                                                            const char               *sender,
                                                            const guint8             *signer,
                                                            guint64                  *next_counter,
                                                            GError                  **error);
gboolean          sotto_client_store_set_message_order     (SottoClientStore         *self,
                                                            const char               *room,
                                                            const char               *sender,
                                                            const char               *msg_id,
                                                            guint64                   counter,
                                                            gint64                    sent_at,
                                                            guint                     marks,
                                                            const guint8             *signer,
                                                            GError                  **error);
gboolean          sotto_client_store_mark_gap              (SottoClientStore         *self,
                                                            const char               *room,
                                                            const char               *sender,
                                                            guint64                   counter,
                                                            guint64                   missing,
                                                            const guint8             *signer,
                                                            char                    **msg_id,
                                                            GError                  **error);
gint64            sotto_client_store_count_overtaken       (SottoClientStore         *self,
                                                            const char               *room,
                                                            const char               *sender,
                                                            guint64                   counter,
                                                            gint64                    seq,
                                                            const guint8             *signer,
                                                            GError                  **error);
gint64            sotto_client_store_count_waiting         (SottoClientStore         *self,
                                                            const char               *room,
                                                            const char               *sender,
                                                            GError                  **error);

G_END_DECLS
