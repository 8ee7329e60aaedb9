/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <gio/gio.h>

#include "sotto-protocol-types.h"

G_BEGIN_DECLS

/* The schema this code writes; PRAGMA user_version of an up-to-date file. */
#define SOTTO_STORE_SCHEMA_VERSION 9

/* The room every store has, made on first open. */
#define SOTTO_STORE_GENERAL_ROOM "general"

#define SOTTO_STORE_ERROR (sotto_store_error_quark ())

/**
 * SottoStoreError:
 * @SOTTO_STORE_ERROR_FAILED: any other SQLite failure (out of memory, misuse)
 * @SOTTO_STORE_ERROR_OPEN: the database file could not be opened or created
 * @SOTTO_STORE_ERROR_CORRUPT: the file is not a database, or is damaged
 * @SOTTO_STORE_ERROR_TOO_NEW: the file was written by a newer Sotto
 * @SOTTO_STORE_ERROR_IO: reading or writing the file failed
 * @SOTTO_STORE_ERROR_FULL: the disk is full
 * @SOTTO_STORE_ERROR_READ_ONLY: the file or its directory cannot be written
 * @SOTTO_STORE_ERROR_BUSY: another process holds the database lock
 * @SOTTO_STORE_ERROR_CONSTRAINT: a uniqueness or reference rule refused the
 *   change, e.g. a username or room name that is taken
 * @SOTTO_STORE_ERROR_NOT_FOUND: the account or room the call names does not exist
 *
 * Errors of #SottoStore. Messages include SQLite's own.
 */
typedef enum
{
  SOTTO_STORE_ERROR_FAILED,
  SOTTO_STORE_ERROR_OPEN,
  SOTTO_STORE_ERROR_CORRUPT,
  SOTTO_STORE_ERROR_TOO_NEW,
  SOTTO_STORE_ERROR_IO,
  SOTTO_STORE_ERROR_FULL,
  SOTTO_STORE_ERROR_READ_ONLY,
  SOTTO_STORE_ERROR_BUSY,
  SOTTO_STORE_ERROR_CONSTRAINT,
  SOTTO_STORE_ERROR_NOT_FOUND,
} SottoStoreError;

GQuark sotto_store_error_quark (void);

/**
 * SottoStoreKeyKind:
 * @SOTTO_STORE_KEY_BOX: a sender key in a crypto_box for the recipient
 * @SOTTO_STORE_KEY_REQUEST: a member asks the recipient for its sender key
 *
 * What a row of the key queue carries. The values are stored on disk.
 */
typedef enum
{
  SOTTO_STORE_KEY_BOX = 0,
  SOTTO_STORE_KEY_REQUEST = 1,
} SottoStoreKeyKind;

/**
 * SottoStoreAccount:
 * @id: the row id, stable for the life of the account
 * @username: lower-case
 * @password_hash: a crypto_pwhash_str() string
 * @identity: the published identity keys; all zero unless @has_identity
 * @has_identity: whether @identity holds keys
 * @created: when the account was made, in ms since the epoch
 *
 * One account. Fill it with sotto_store_find_account(), release it with
 * sotto_store_account_clear() or declare it g_auto(SottoStoreAccount).
 */
typedef struct
{
  gint64             id;
  char              *username;
  char              *password_hash;
  SottoWireIdentity  identity;
  gboolean           has_identity;
  gint64             created;
} SottoStoreAccount;

void sotto_store_account_clear (SottoStoreAccount *account);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SottoStoreAccount, sotto_store_account_clear)

/**
 * SottoStoreRoom:
 * @id: the row id
 * @name: the room name; direct rooms are "@a+b"
 * @direct: whether this is a direct chat
 * @owner: (nullable): the username that made the room, %NULL for "general"
 * @created: when the room was made, in ms since the epoch
 * @last_seq: the highest sequence number ever appended, even if retention
 *   has since removed the event
 *
 * One room, as sotto_store_load_rooms() returns it.
 */
typedef struct
{
  gint64    id;
  char     *name;
  gboolean  direct;
  char     *owner;
  gint64    created;
  gint64    last_seq;
} SottoStoreRoom;

void sotto_store_room_free (SottoStoreRoom *room);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SottoStoreRoom, sotto_store_room_free)

/**
 * SottoStoreBan:
 * @user: the username banned
 * @banned_by: (nullable): who banned them, %NULL for the operator
 * @banned: when, in ms since the epoch
 *
 * One ban, as sotto_store_load_bans() returns it.
 */
typedef struct
{
  char   *user;
  char   *banned_by;
  gint64  banned;
} SottoStoreBan;

void sotto_store_ban_free (SottoStoreBan *ban);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SottoStoreBan, sotto_store_ban_free)

/**
 * SottoStoreKey:
 * @kid: the queue id, to acknowledge with sotto_store_ack_keys(); never reused
 * @ts: when it was queued, in ms since the epoch
 * @sender: the username that sent it
 * @room: the room it is for
 * @kind: a #SottoStoreKeyKind
 * @key_id: the sender key id, or -1 when none was given
 * @box: (nullable): the crypto_box, %NULL for a request
 * @sender_device: (nullable): the signing key of the sender's device it
 *   came from, %NULL for rows queued before devices were told
 *
 * One pending row of a recipient's key queue.
 */
typedef struct
{
  gint64             kid;
  gint64             ts;
  char              *sender;
  char              *room;
  SottoStoreKeyKind  kind;
  gint64             key_id;
  GBytes            *box;
  GBytes            *sender_device;
} SottoStoreKey;

void sotto_store_key_free (SottoStoreKey *key);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SottoStoreKey, sotto_store_key_free)

/**
 * SottoStoreStateEvent:
 * @index: the event's place in its room's chain, from 0
 * @body: the event as the member sent it; the store never reads it
 * @sender: the username that appended it
 * @ts: when the server accepted it, in ms since the epoch
 *
 * One event of a room's state chain, as sotto_store_read_state() returns it.
 */
typedef struct
{
  gint64  index;
  GBytes *body;
  char   *sender;
  gint64  ts;
} SottoStoreStateEvent;

void sotto_store_state_event_free (SottoStoreStateEvent *event);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SottoStoreStateEvent, sotto_store_state_event_free)

/**
 * SottoStoreDevice:
 * @id: the row id, stable for the life of the device
 * @identity: its public identity keys
 * @added: when it became one of the account's devices, ms since the epoch
 * @last_seen: when a connection of it last logged in or ended, or 0
 *
 * One device of an account, as sotto_store_load_devices() returns it.
 */
typedef struct
{
  gint64             id;
  SottoWireIdentity  identity;
  gint64             added;
  gint64             last_seen;
} SottoStoreDevice;

void sotto_store_device_free (SottoStoreDevice *device);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SottoStoreDevice, sotto_store_device_free)

/**
 * SottoStoreHistory:
 * @hid: the queue id, to acknowledge with sotto_store_ack_history()
 * @sender_device: the signing key of the device that sent it
 * @chunk: as it was sent
 *
 * One chunk of history waiting for a device.
 */
typedef struct
{
  gint64  hid;
  GBytes *sender_device;
  GBytes *chunk;
} SottoStoreHistory;

void sotto_store_history_free (SottoStoreHistory *history);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SottoStoreHistory, sotto_store_history_free)

/**
 * SottoStoreBlob:
 * @id: the id its uploader drew
 * @account_id: the uploader's account
 * @uploader: the uploader's username
 * @room_id: the room it was uploaded to
 * @room: that room's name
 * @size: the whole blob's size in bytes
 * @complete: whether all of it is there
 * @created: when its upload began, in ms since the epoch
 *
 * What the server knows of one blob, as sotto_store_find_blob() fills it
 * in; clear it with sotto_store_blob_clear() or declare it
 * g_auto(SottoStoreBlob).
 */
typedef struct
{
  guint8    id[SOTTO_PROTOCOL_BLOB_ID_BYTES];
  gint64    account_id;
  char     *uploader;
  gint64    room_id;
  char     *room;
  gint64    size;
  gboolean  complete;
  gint64    created;
} SottoStoreBlob;

void sotto_store_blob_clear (SottoStoreBlob *blob);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SottoStoreBlob, sotto_store_blob_clear)

#define SOTTO_TYPE_STORE (sotto_store_get_type ())

G_DECLARE_FINAL_TYPE (SottoStore, sotto_store, SOTTO, STORE, GObject)

/**
 * SottoStoreCommittedFunc:
 * @self: the store
 * @error: (nullable): why the batch was rolled back, %NULL once it is on disk
 * @user_data: the data given to sotto_store_commit_soon()
 *
 * Tells that the writes made before sotto_store_commit_soon() are durable,
 * or that all of them were lost.
 */
typedef void (*SottoStoreCommittedFunc) (SottoStore   *self,
                                         const GError *error,
                                         gpointer      user_data);

SottoStore *sotto_store_open                (const char               *path,
                                             GError                  **error);
void        sotto_store_set_busy_timeout    (SottoStore               *self,
                                             guint                     milliseconds);

void        sotto_store_commit_soon         (SottoStore               *self,
                                             SottoStoreCommittedFunc   func,
                                             gpointer                  user_data,
                                             GDestroyNotify            destroy);
gboolean    sotto_store_commit_now          (SottoStore               *self,
                                             GError                  **error);

/* Accounts */
gboolean    sotto_store_find_account        (SottoStore               *self,
                                             const char               *username,
                                             SottoStoreAccount        *out,
                                             GError                  **error);
gint64      sotto_store_add_account         (SottoStore               *self,
                                             const char               *username,
                                             const char               *password_hash,
                                             const SottoWireIdentity  *identity,
                                             GError                  **error);
gboolean    sotto_store_set_identity        (SottoStore               *self,
                                             gint64                    account_id,
                                             const SottoWireIdentity  *identity,
                                             GError                  **error);
GPtrArray  *sotto_store_list_usernames      (SottoStore               *self,
                                             GError                  **error);

/* Rooms and members */
GPtrArray  *sotto_store_load_rooms          (SottoStore               *self,
                                             GError                  **error);
gint64      sotto_store_add_room            (SottoStore               *self,
                                             const char               *name,
                                             gboolean                  direct,
                                             const char               *owner,
                                             GError                  **error);
gboolean    sotto_store_add_member          (SottoStore               *self,
                                             gint64                    room_id,
                                             gint64                    account_id,
                                             GError                  **error);
gboolean    sotto_store_remove_member       (SottoStore               *self,
                                             gint64                    room_id,
                                             gint64                    account_id,
                                             GError                  **error);
GPtrArray  *sotto_store_load_member_names   (SottoStore               *self,
                                             gint64                    room_id,
                                             GError                  **error);
GPtrArray  *sotto_store_load_rooms_of       (SottoStore               *self,
                                             gint64                    account_id,
                                             GError                  **error);
gint64      sotto_store_count_members       (SottoStore               *self,
                                             gint64                    room_id,
                                             GError                  **error);

/* Bans */
gboolean    sotto_store_add_ban             (SottoStore               *self,
                                             gint64                    room_id,
                                             gint64                    account_id,
                                             const char               *banned_by,
                                             gint64                    banned,
                                             GError                  **error);
gboolean    sotto_store_remove_ban          (SottoStore               *self,
                                             gint64                    room_id,
                                             gint64                    account_id,
                                             GError                  **error);
gboolean    sotto_store_is_banned           (SottoStore               *self,
                                             gint64                    room_id,
                                             gint64                    account_id,
                                             gboolean                 *banned,
                                             GError                  **error);
GPtrArray  *sotto_store_load_bans           (SottoStore               *self,
                                             gint64                    room_id,
                                             GError                  **error);

/* Room log */
gboolean    sotto_store_append_event        (SottoStore               *self,
                                             gint64                    room_id,
                                             gint64                    seq,
                                             gint64                    ts,
                                             int                       kind,
                                             const char               *sender,
                                             const char               *msg_id,
                                             GBytes                   *body,
                                             GError                  **error);
gboolean    sotto_store_find_message        (SottoStore               *self,
                                             gint64                    room_id,
                                             const char               *sender,
                                             const char               *msg_id,
                                             gint64                   *seq,
                                             gint64                   *ts,
                                             GError                  **error);
GPtrArray  *sotto_store_read_log            (SottoStore               *self,
                                             gint64                    room_id,
                                             gint64                    after_seq,
                                             gint64                    up_to_seq,
                                             guint                     limit,
                                             gint64                   *last_seq,
                                             GError                  **error);
gint64      sotto_store_get_last_seq        (SottoStore               *self,
                                             gint64                    room_id,
                                             GError                  **error);
gint64      sotto_store_enforce_retention   (SottoStore               *self,
                                             gint64                    max_age_ms,
                                             gint64                    now_ms,
                                             gint64                    max_per_room,
                                             GError                  **error);

/* Room state chain */
gboolean    sotto_store_append_state        (SottoStore               *self,
                                             gint64                    room_id,
                                             gint64                    index,
                                             const char               *sender,
                                             gint64                    ts,
                                             GBytes                   *body,
                                             GError                  **error);
GPtrArray  *sotto_store_read_state          (SottoStore               *self,
                                             gint64                    room_id,
                                             gint64                    from,
                                             gint64                    up_to,
                                             guint                     limit,
                                             GError                  **error);
gint64      sotto_store_get_state_length    (SottoStore               *self,
                                             gint64                    room_id,
                                             GError                  **error);

/* Prekeys */
gboolean    sotto_store_set_prekey_bundle   (SottoStore               *self,
                                             gint64                    device_id,
                                             GBytes                   *bundle,
                                             gint64                    published,
                                             GError                  **error);
gboolean    sotto_store_get_prekey_bundle   (SottoStore               *self,
                                             gint64                    device_id,
                                             GBytes                  **out_bundle,
                                             GError                  **error);
gboolean    sotto_store_add_one_time_prekey (SottoStore               *self,
                                             gint64                    device_id,
                                             guint32                   key_id,
                                             GBytes                   *prekey,
                                             GError                  **error);
gboolean    sotto_store_has_one_time_prekey (SottoStore               *self,
                                             gint64                    device_id,
                                             guint32                   key_id,
                                             gboolean                 *has,
                                             GError                  **error);
gint64      sotto_store_count_one_time_prekeys (SottoStore            *self,
                                                gint64                 device_id,
                                                GError               **error);
gboolean    sotto_store_take_one_time_prekey (SottoStore              *self,
                                              gint64                   device_id,
                                              GBytes                 **out_prekey,
                                              GError                 **error);

/* Device lists */
gboolean    sotto_store_set_device_list     (SottoStore               *self,
                                             gint64                    account_id,
                                             GBytes                   *account_key,
                                             gint64                    counter,
                                             GBytes                   *list,
                                             gint64                    published,
                                             GError                  **error);
gboolean    sotto_store_get_device_list     (SottoStore               *self,
                                             gint64                    account_id,
                                             GBytes                  **out_account_key,
                                             gint64                   *out_counter,
                                             GBytes                  **out_list,
                                             GError                  **error);

gboolean    sotto_store_forget_device_list  (SottoStore               *self,
                                             gint64                    account_id,
                                             GError                  **error);

/* Devices */
gint64      sotto_store_add_device          (SottoStore               *self,
                                             gint64                    account_id,
                                             const SottoWireIdentity  *identity,
                                             gint64                    added,
                                             GError                  **error);
gboolean    sotto_store_remove_device       (SottoStore               *self,
                                             gint64                    device_id,
                                             GError                  **error);
GPtrArray  *sotto_store_load_devices        (SottoStore               *self,
                                             gint64                    account_id,
                                             GError                  **error);
gboolean    sotto_store_set_device_seen     (SottoStore               *self,
                                             gint64                    device_id,
                                             gint64                    seen,
                                             GError                  **error);

/* History between devices */
gint64      sotto_store_queue_history       (SottoStore               *self,
                                             gint64                    device_id,
                                             GBytes                   *sender_device,
                                             GBytes                   *chunk,
                                             gint64                    queued,
                                             GError                  **error);
GPtrArray  *sotto_store_pending_history     (SottoStore               *self,
                                             gint64                    device_id,
                                             guint                     limit,
                                             GError                  **error);
guint       sotto_store_ack_history         (SottoStore               *self,
                                             gint64                    device_id,
                                             const gint64             *hids,
                                             guint                     n_hids,
                                             GError                  **error);
gint64      sotto_store_history_bytes       (SottoStore               *self,
                                             gint64                    device_id,
                                             GError                  **error);

/* Blobs */
gboolean    sotto_store_add_blob            (SottoStore               *self,
                                             const guint8             *id,
                                             gint64                    account_id,
                                             gint64                    room_id,
                                             gint64                    size,
                                             gint64                    created,
                                             GError                  **error);
gboolean    sotto_store_find_blob           (SottoStore               *self,
                                             const guint8             *id,
                                             SottoStoreBlob           *out_blob,
                                             GError                  **error);
gboolean    sotto_store_set_blob_complete   (SottoStore               *self,
                                             const guint8             *id,
                                             GError                  **error);
gboolean    sotto_store_delete_blob         (SottoStore               *self,
                                             const guint8             *id,
                                             GError                  **error);
gint64      sotto_store_blob_bytes          (SottoStore               *self,
                                             gint64                    account_id,
                                             GError                  **error);
GPtrArray  *sotto_store_old_blobs           (SottoStore               *self,
                                             gint64                    before,
                                             gboolean                  unfinished_only,
                                             GError                  **error);

/* Key queue */
gint64      sotto_store_queue_key           (SottoStore               *self,
                                             gint64                    device_id,
                                             gint64                    ts,
                                             const char               *sender,
                                             const char               *room,
                                             SottoStoreKeyKind         kind,
                                             gint64                    key_id,
                                             GBytes                   *box,
                                             GBytes                   *sender_device,
                                             GError                  **error);
GPtrArray  *sotto_store_pending_keys        (SottoStore               *self,
                                             gint64                    device_id,
                                             guint                     limit,
                                             GError                  **error);
guint       sotto_store_ack_keys            (SottoStore               *self,
                                             gint64                    device_id,
                                             const gint64             *kids,
                                             guint                     n_kids,
                                             GError                  **error);

/* Reads that complete on the main loop (sotto-store-async.c) */
void        sotto_store_find_account_async      (SottoStore           *self,
                                                 const char           *username,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
gboolean    sotto_store_find_account_finish     (SottoStore           *self,
                                                 GAsyncResult         *result,
                                                 SottoStoreAccount    *out,
                                                 GError              **error);
void        sotto_store_get_device_list_async   (SottoStore           *self,
                                                 gint64                account_id,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
gboolean    sotto_store_get_device_list_finish  (SottoStore           *self,
                                                 GAsyncResult         *result,
                                                 GBytes              **out_account_key,
                                                 gint64               *out_counter,
                                                 GBytes              **out_list,
                                                 GError              **error);
void        sotto_store_read_log_async          (SottoStore           *self,
                                                 gint64                room_id,
                                                 gint64                after_seq,
                                                 gint64                up_to_seq,
                                                 guint                 limit,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
GPtrArray  *sotto_store_read_log_finish         (SottoStore           *self,
                                                 GAsyncResult         *result,
                                                 gint64               *last_seq,
                                                 GError              **error);
void        sotto_store_pending_keys_async      (SottoStore           *self,
                                                 gint64                device_id,
                                                 guint                 limit,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
GPtrArray  *sotto_store_pending_keys_finish     (SottoStore           *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);
void        sotto_store_pending_history_async   (SottoStore           *self,
                                                 gint64                device_id,
                                                 guint                 limit,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
GPtrArray  *sotto_store_pending_history_finish  (SottoStore           *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);
void        sotto_store_read_state_async        (SottoStore           *self,
                                                 gint64                room_id,
                                                 gint64                from,
                                                 gint64                up_to,
                                                 guint                 limit,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
GPtrArray  *sotto_store_read_state_finish       (SottoStore           *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);
void        sotto_store_take_prekeys_async      (SottoStore           *self,
                                                 gint64                device_id,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
gboolean    sotto_store_take_prekeys_finish     (SottoStore           *self,
                                                 GAsyncResult         *result,
                                                 GBytes              **out_bundle,
                                                 GBytes              **out_one_time,
                                                 GError              **error);
void        sotto_store_find_blob_async         (SottoStore           *self,
                                                 const guint8         *id,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
gboolean    sotto_store_find_blob_finish        (SottoStore           *self,
                                                 GAsyncResult         *result,
                                                 SottoStoreBlob       *out_blob,
                                                 GError              **error);
void        sotto_store_queue_history_async     (SottoStore           *self,
                                                 gint64                device_id,
                                                 GBytes               *sender_device,
                                                 GBytes               *chunk,
                                                 gint64                queued,
                                                 gint64                max_bytes,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
gint64      sotto_store_queue_history_finish    (SottoStore           *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);

/**
 * SottoStoreBlobAdded:
 * @SOTTO_STORE_BLOB_FAILED: the store failed
 * @SOTTO_STORE_BLOB_ADDED: the upload is recorded
 * @SOTTO_STORE_BLOB_OVER_QUOTA: nothing was written: the account's blobs
 *   would take more than its quota
 *
 * What sotto_store_add_blob_async() did.
 */
typedef enum
{
  SOTTO_STORE_BLOB_FAILED = -1,
  SOTTO_STORE_BLOB_ADDED,
  SOTTO_STORE_BLOB_OVER_QUOTA,
} SottoStoreBlobAdded;

void        sotto_store_add_blob_async          (SottoStore           *self,
                                                 const guint8         *id,
                                                 gint64                account_id,
                                                 gint64                room_id,
                                                 gint64                size,
                                                 gint64                created,
                                                 gint64                quota,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
SottoStoreBlobAdded sotto_store_add_blob_finish (SottoStore           *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);

/* What sotto_store_publish_prekeys_finish() gives for a publish that would
 * take the device past its limit. */
#define SOTTO_STORE_PREKEYS_OVER_LIMIT (-2)

void        sotto_store_publish_prekeys_async   (SottoStore           *self,
                                                 gint64                device_id,
                                                 GBytes               *bundle,
                                                 GPtrArray            *prekeys,
                                                 const guint32        *ids,
                                                 gint64                published,
                                                 gint64                max,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
gint64      sotto_store_publish_prekeys_finish  (SottoStore           *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);

G_END_DECLS
