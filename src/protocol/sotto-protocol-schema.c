/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "sotto-protocol-private.h"

/* The whole protocol as data: one schema per message type and direction.
 * docs/protocol.md describes the same table in prose; keep them together.
 */

#define UNBOUNDED G_MAXINT64

#define F_ID(n)                 { .name = n, .kind = SOTTO_FIELD_ID }
#define F_USERNAME(n)           { .name = n, .kind = SOTTO_FIELD_USERNAME }
#define F_ROOM                  { .name = "room", .kind = SOTTO_FIELD_ROOM }
#define F_NORMAL_ROOM           { .name = "room", .kind = SOTTO_FIELD_NORMAL_ROOM }
#define F_PASSWORD              { .name = "password", .kind = SOTTO_FIELD_PASSWORD, \
                                  .min = 1, .max = SOTTO_PROTOCOL_PASSWORD_MAX_LEN }
#define F_TEXT(n, lo, hi)       { .name = n, .kind = SOTTO_FIELD_TEXT, .min = lo, .max = hi }
#define F_INT(n, lo, hi)        { .name = n, .kind = SOTTO_FIELD_INT, .min = lo, .max = hi }
#define F_BOOL(n)               { .name = n, .kind = SOTTO_FIELD_BOOL }
#define F_ENUM(n, v)            { .name = n, .kind = SOTTO_FIELD_ENUM, .values = v }
#define F_BASE64(n, lo, hi)     { .name = n, .kind = SOTTO_FIELD_BASE64, .min = lo, .max = hi }
#define F_OBJECT(n, s)          { .name = n, .kind = SOTTO_FIELD_OBJECT, .object = &s }
#define F_OBJECTS(n, s, hi)     { .name = n, .kind = SOTTO_FIELD_OBJECT_ARRAY, .object = &s, \
                                  .min_items = 0, .max_items = hi }
#define F_BASE64S(n, lo, hi, hi_items) \
                                { .name = n, .kind = SOTTO_FIELD_BASE64_ARRAY, \
                                  .min = lo, .max = hi, .min_items = 0, .max_items = hi_items }

#define F_SEQ                   F_INT ("seq", 1, UNBOUNDED)
#define F_TS                    F_INT ("ts", 0, UNBOUNDED)
#define F_KID                   F_INT ("kid", 1, UNBOUNDED)
#define F_LAST_SEQ              F_INT ("last_seq", 0, UNBOUNDED)
#define F_KEY_ID                F_INT ("key_id", 0, SOTTO_PROTOCOL_MAX_KEY_ID)
#define F_ENVELOPE              F_BASE64 ("envelope", 1, SOTTO_PROTOCOL_ENVELOPE_MAX_SIZE)
#define F_KEY_BOX               F_BASE64 ("box", 1, SOTTO_PROTOCOL_KEY_BOX_MAX_SIZE)
#define F_STATE_EVENT           F_BASE64 ("event", 1, SOTTO_PROTOCOL_STATE_EVENT_MAX_SIZE)
#define F_STATE_INDEX           F_INT ("index", 0, UNBOUNDED)
#define F_STATE_LENGTH          F_INT ("state_length", 0, UNBOUNDED)
#define F_PREKEY_BUNDLE         F_BASE64 ("bundle", SOTTO_PROTOCOL_PREKEY_BUNDLE_BYTES, \
                                          SOTTO_PROTOCOL_PREKEY_BUNDLE_BYTES)
#define F_ACCOUNT_KEY           F_BASE64 ("account_key", SOTTO_PROTOCOL_ACCOUNT_KEY_SIZE, \
                                          SOTTO_PROTOCOL_ACCOUNT_KEY_SIZE)
#define F_DEVICE_LIST_COUNTER   F_INT ("counter", 1, UNBOUNDED)
#define F_DEVICE_LIST           F_BASE64 ("list", 1, SOTTO_PROTOCOL_DEVICE_LIST_MAX_BYTES)
#define F_LINK_ID               { .name = "link", .kind = SOTTO_FIELD_LINK_ID }
#define F_LINK_OFFER            F_BASE64 ("offer", 1, SOTTO_PROTOCOL_LINK_OFFER_MAX_BYTES)
#define F_LINK_APPROVAL         F_BASE64 ("approval", 1, SOTTO_PROTOCOL_LINK_APPROVAL_MAX_BYTES)
#define F_ONE_TIME_LEFT         F_INT ("one_time_left", 0, SOTTO_PROTOCOL_MAX_ONE_TIME_PREKEYS)
#define F_IDENTITY              F_OBJECT ("identity", identity_schema)
/* A device of the recipient (or of the user asked about), by its signing
 * key; absent for the one the account's member entries show. */
#define F_DEVICE                { .name = "device", .kind = SOTTO_FIELD_BASE64, \
                                  .min = SOTTO_PROTOCOL_KEY_SIZE, \
                                  .max = SOTTO_PROTOCOL_KEY_SIZE, .optional = TRUE }
#define F_MEMBERS               F_OBJECTS ("members", member_schema, SOTTO_PROTOCOL_MAX_LIST_ITEMS)
#define F_ROOMS                 F_OBJECTS ("rooms", room_summary_schema, \
                                           SOTTO_PROTOCOL_MAX_LIST_ITEMS)
#define F_BANS                  F_OBJECTS ("bans", ban_schema, SOTTO_PROTOCOL_MAX_LIST_ITEMS)
/* Who created a room, and so may remove people from it; absent for direct
 * chats and for rooms nobody created, such as "general". */
#define F_OWNER                 { .name = "owner", .kind = SOTTO_FIELD_USERNAME, .optional = TRUE }

#define SCHEMA(fields)          { fields, G_N_ELEMENTS (fields) }
#define MSG(t, dir, fields)     { SOTTO_MSG_TYPE_##t, SOTTO_MSG_FROM_##dir, SCHEMA (fields) }

static const char * const error_codes[] = {
  [SOTTO_MSG_ERROR_CODE_BAD_REQUEST] = "bad_request",
  [SOTTO_MSG_ERROR_CODE_UNKNOWN_TYPE] = "unknown_type",
  [SOTTO_MSG_ERROR_CODE_NOT_LOGGED_IN] = "not_logged_in",
  [SOTTO_MSG_ERROR_CODE_ALREADY_LOGGED_IN] = "already_logged_in",
  [SOTTO_MSG_ERROR_CODE_NAME_TAKEN] = "name_taken",
  [SOTTO_MSG_ERROR_CODE_BAD_USERNAME] = "bad_username",
  [SOTTO_MSG_ERROR_CODE_WEAK_PASSWORD] = "weak_password",
  [SOTTO_MSG_ERROR_CODE_BAD_CREDENTIALS] = "bad_credentials",
  [SOTTO_MSG_ERROR_CODE_RATE_LIMITED] = "rate_limited",
  [SOTTO_MSG_ERROR_CODE_NO_SUCH_ROOM] = "no_such_room",
  [SOTTO_MSG_ERROR_CODE_NO_SUCH_USER] = "no_such_user",
  [SOTTO_MSG_ERROR_CODE_NOT_MEMBER] = "not_member",
  [SOTTO_MSG_ERROR_CODE_FORBIDDEN] = "forbidden",
  [SOTTO_MSG_ERROR_CODE_TOO_LARGE] = "too_large",
  [SOTTO_MSG_ERROR_CODE_OVERLOADED] = "overloaded",
  [SOTTO_MSG_ERROR_CODE_INTERNAL] = "internal",
  [SOTTO_MSG_ERROR_CODE_BANNED] = "banned",
  [SOTTO_MSG_ERROR_CODE_CONFLICT] = "conflict",
  [SOTTO_MSG_ERROR_CODE_NO_PREKEYS] = "no_prekeys",
  [SOTTO_MSG_ERROR_CODE_ACCOUNT_KEY_CHANGED] = "account_key_changed",
  [SOTTO_MSG_ERROR_CODE_STALE] = "stale",
  [SOTTO_MSG_ERROR_CODE_NO_DEVICES] = "no_devices",
  [SOTTO_MSG_ERROR_CODE_LINK_TAKEN] = "link_taken",
  [SOTTO_MSG_ERROR_CODE_NO_SUCH_LINK] = "no_such_link",
  [SOTTO_MSG_ERROR_CODE_NOT_LINKED] = "not_linked",
  [SOTTO_MSG_ERROR_CODE_NO_SUCH_DEVICE] = "no_such_device",
  [SOTTO_MSG_ERROR_CODE_QUOTA] = "quota",
  [SOTTO_MSG_ERROR_CODE_BAD_OFFSET] = "bad_offset",
  [SOTTO_MSG_ERROR_CODE_NO_SUCH_BLOB] = "no_such_blob",
  NULL
};

static const char * const leave_reasons[] = {
  [SOTTO_MSG_LEAVE_REASON_LEFT] = "left",
  [SOTTO_MSG_LEAVE_REASON_KICKED] = "kicked",
  NULL
};

/* Nested objects */

static const SottoFieldSchema identity_fields[] = {
  F_BASE64 ("box", SOTTO_PROTOCOL_KEY_SIZE, SOTTO_PROTOCOL_KEY_SIZE),
  F_BASE64 ("sign", SOTTO_PROTOCOL_KEY_SIZE, SOTTO_PROTOCOL_KEY_SIZE),
  F_BASE64 ("binding", SOTTO_PROTOCOL_BINDING_SIZE, SOTTO_PROTOCOL_BINDING_SIZE),
};
static const SottoObjectSchema identity_schema = SCHEMA (identity_fields);

static const SottoFieldSchema member_fields[] = {
  F_USERNAME ("user"),
  F_IDENTITY,
  F_BOOL ("online"),
};
static const SottoObjectSchema member_schema = SCHEMA (member_fields);

static const SottoFieldSchema room_summary_fields[] = {
  F_ROOM,
  F_INT ("members", 0, UNBOUNDED),
  F_BOOL ("direct"),
  F_LAST_SEQ,
};
static const SottoObjectSchema room_summary_schema = SCHEMA (room_summary_fields);

/* "banned_by" is absent when the server's operator banned. */
static const SottoFieldSchema ban_fields[] = {
  F_USERNAME ("user"),
  { .name = "banned_by", .kind = SOTTO_FIELD_USERNAME, .optional = TRUE },
  F_TS,
};
static const SottoObjectSchema ban_schema = SCHEMA (ban_fields);

/* When one of the account's own devices was last connected: told to the
 * account alone. */
static const SottoFieldSchema device_seen_fields[] = {
  F_BASE64 ("device", SOTTO_PROTOCOL_KEY_SIZE, SOTTO_PROTOCOL_KEY_SIZE),
  F_INT ("last_seen", 0, UNBOUNDED),
  F_BOOL ("online"),
};
static const SottoObjectSchema device_seen_schema = SCHEMA (device_seen_fields);

/* Client → server */

static const SottoFieldSchema only_id_fields[] = {
  F_ID ("id"),
};

/* The account's identity, which its member entries show, when it is not
 * the identity of the device speaking. */
#define F_ACCOUNT               { .name = "account", .kind = SOTTO_FIELD_OBJECT, \
                                  .object = &identity_schema, .optional = TRUE }

static const SottoFieldSchema credentials_fields[] = {
  F_ID ("id"),
  F_USERNAME ("username"),
  F_PASSWORD,
  F_IDENTITY,
  F_ACCOUNT,
};

/* "reset": make this device the account's only one, and this identity the
 * account's (absent: no reset). "proof": the account key's signature
 * that lets a computer holding it in as one of the account's devices
 * (absent: none). */
static const SottoFieldSchema login_fields[] = {
  F_ID ("id"),
  F_USERNAME ("username"),
  F_PASSWORD,
  F_IDENTITY,
  { .name = "reset", .kind = SOTTO_FIELD_OBJECT, .object = &identity_schema, .optional = TRUE },
  { .name = "proof", .kind = SOTTO_FIELD_BASE64, .min = SOTTO_PROTOCOL_LOGIN_PROOF_BYTES,
    .max = SOTTO_PROTOCOL_LOGIN_PROOF_BYTES, .optional = TRUE },
};

static const SottoFieldSchema join_fields[] = {
  F_ID ("id"),
  F_NORMAL_ROOM,
};

static const SottoFieldSchema id_room_fields[] = {
  F_ID ("id"),
  F_ROOM,
};

static const SottoFieldSchema open_direct_fields[] = {
  F_ID ("id"),
  F_USERNAME ("user"),
};

static const SottoFieldSchema send_fields[] = {
  F_ID ("id"),
  F_ROOM,
  F_ID ("msg_id"),
  F_ENVELOPE,
};

static const SottoFieldSchema send_key_fields[] = {
  F_ID ("id"),
  F_USERNAME ("to"),
  F_DEVICE,
  F_ROOM,
  F_KEY_BOX,
};

static const SottoFieldSchema key_request_fields[] = {
  F_ID ("id"),
  F_USERNAME ("to"),
  F_DEVICE,
  F_ROOM,
  F_KEY_ID,
};

static const SottoFieldSchema ack_keys_fields[] = {
  F_ID ("id"),
  { .name = "kids", .kind = SOTTO_FIELD_INT_ARRAY, .min = 1, .max = UNBOUNDED,
    .min_items = 1, .max_items = SOTTO_PROTOCOL_MAX_ACK_KIDS },
};

static const SottoFieldSchema catchup_fields[] = {
  F_ID ("id"),
  F_ROOM,
  F_INT ("after", 0, UNBOUNDED),
  F_INT ("limit", 1, SOTTO_PROTOCOL_MAX_CATCHUP_LIMIT),
};

static const SottoFieldSchema typing_fields[] = {
  F_ROOM,
};

/* kick and unban name the same things. */
static const SottoFieldSchema kick_fields[] = {
  F_ID ("id"),
  F_ROOM,
  F_USERNAME ("user"),
};

/* The room state chain: the server stores each event as it came and
 * looks only at the room and the index. */
static const SottoFieldSchema state_fields[] = {
  F_ID ("id"),
  F_ROOM,
  F_STATE_INDEX,
  F_STATE_EVENT,
};

static const SottoFieldSchema state_catchup_fields[] = {
  F_ID ("id"),
  F_ROOM,
  F_INT ("from", 0, UNBOUNDED),
  F_INT ("limit", 1, SOTTO_PROTOCOL_MAX_STATE_CATCHUP_LIMIT),
};

/* Prekeys: the server checks their sizes, stores them, and hands each
 * one-time prekey out once. A publish without "bundle" keeps the one
 * stored. */
static const SottoFieldSchema publish_prekeys_fields[] = {
  F_ID ("id"),
  { .name = "bundle", .kind = SOTTO_FIELD_BASE64, .optional = TRUE,
    .min = SOTTO_PROTOCOL_PREKEY_BUNDLE_BYTES, .max = SOTTO_PROTOCOL_PREKEY_BUNDLE_BYTES },
  F_BASE64S ("one_time", SOTTO_PROTOCOL_ONE_TIME_PREKEY_BYTES,
             SOTTO_PROTOCOL_ONE_TIME_PREKEY_BYTES, SOTTO_PROTOCOL_MAX_PUBLISH_ONE_TIME),
};

static const SottoFieldSchema get_prekeys_fields[] = {
  F_ID ("id"),
  F_USERNAME ("user"),
  F_DEVICE,
};

/* Device lists: opaque to the server, which reads only the account key
 * and the counter sent beside the list, to refuse another key and a list
 * that is not newer than the one it holds, and the devices' identities,
 * also sent beside it, to know which devices may log in. */
static const SottoFieldSchema publish_devices_fields[] = {
  F_ID ("id"),
  F_ACCOUNT_KEY,
  F_DEVICE_LIST_COUNTER,
  F_DEVICE_LIST,
  { .name = "devices", .kind = SOTTO_FIELD_OBJECT_ARRAY, .object = &identity_schema,
    .min_items = 1, .max_items = SOTTO_PROTOCOL_MAX_DEVICES },
  F_ACCOUNT,
};

static const SottoFieldSchema get_devices_fields[] = {
  F_ID ("id"),
  F_USERNAME ("user"),
};

/* Linking a new computer: the server brings the new computer's offer and
 * the signed-in computer's approval together under the link id, and
 * opens neither. */
static const SottoFieldSchema link_offer_fields[] = {
  F_ID ("id"),
  F_LINK_ID,
  F_LINK_OFFER,
};

static const SottoFieldSchema link_fetch_fields[] = {
  F_ID ("id"),
  F_LINK_ID,
};

static const SottoFieldSchema link_approve_fields[] = {
  F_ID ("id"),
  F_LINK_ID,
  F_LINK_APPROVAL,
};

/* History between two devices of one account: to another device of the
 * sender's own account, by its signing key. */
#define F_HISTORY_CHUNK         F_BASE64 ("chunk", 1, SOTTO_PROTOCOL_HISTORY_CHUNK_MAX_BYTES)

static const SottoFieldSchema send_history_fields[] = {
  F_ID ("id"),
  { .name = "device", .kind = SOTTO_FIELD_BASE64, .min = SOTTO_PROTOCOL_KEY_SIZE,
    .max = SOTTO_PROTOCOL_KEY_SIZE },
  F_HISTORY_CHUNK,
};

static const SottoFieldSchema ack_history_fields[] = {
  F_ID ("id"),
  { .name = "hids", .kind = SOTTO_FIELD_INT_ARRAY, .min = 1, .max = UNBOUNDED,
    .min_items = 1, .max_items = SOTTO_PROTOCOL_MAX_ACK_KIDS },
};

/* Files: the server keeps each as an opaque blob under an id the
 * uploading client drew, and learns its size, its room and who sent it.
 * An offset is where in the blob a piece of it starts. */
#define F_BLOB_ID               F_BASE64 ("blob", SOTTO_PROTOCOL_BLOB_ID_BYTES, \
                                          SOTTO_PROTOCOL_BLOB_ID_BYTES)
#define F_BLOB_SIZE             F_INT ("size", SOTTO_PROTOCOL_BLOB_MIN_SIZE, \
                                       SOTTO_PROTOCOL_BLOB_MAX_SIZE)
#define F_BLOB_DATA             F_BASE64 ("data", 1, SOTTO_PROTOCOL_BLOB_DATA_MAX_BYTES)
/* Where a piece starts: before the blob's end, since a piece is never empty. */
#define F_BLOB_PIECE_OFFSET     F_INT ("offset", 0, SOTTO_PROTOCOL_BLOB_MAX_SIZE - 1)

static const SottoFieldSchema upload_fields[] = {
  F_ID ("id"),
  F_BLOB_ID,
  F_ROOM,
  F_BLOB_SIZE,
};

static const SottoFieldSchema upload_chunk_fields[] = {
  F_ID ("id"),
  F_BLOB_ID,
  F_BLOB_PIECE_OFFSET,
  F_BLOB_DATA,
};

static const SottoFieldSchema download_fields[] = {
  F_ID ("id"),
  F_BLOB_ID,
  F_BLOB_PIECE_OFFSET,
  F_INT ("length", 1, SOTTO_PROTOCOL_BLOB_DATA_MAX_BYTES),
};

/* Server → client */

static const SottoFieldSchema welcome_fields[] = {
  F_TEXT ("server_version", 1, SOTTO_PROTOCOL_SERVER_VERSION_MAX_LEN),
  F_INT ("protocol", 1, 65535),
  F_INT ("min_password", 1, SOTTO_PROTOCOL_PASSWORD_MAX_LEN),
  F_INT ("max_frame", 1, SOTTO_PROTOCOL_MAX_FRAME),
  { .name = "max_file", .kind = SOTTO_FIELD_INT, .min = 1, .max = SOTTO_PROTOCOL_MAX_FILE_BYTES,
    .optional = TRUE },
};

static const SottoFieldSchema error_fields[] = {
  { .name = "id", .kind = SOTTO_FIELD_ID, .optional = TRUE },
  F_ENUM ("code", error_codes),
  F_TEXT ("message", 1, SOTTO_PROTOCOL_ERROR_MESSAGE_MAX_LEN),
};

static const SottoFieldSchema session_fields[] = {
  F_ID ("id"),
  F_USERNAME ("user"),
  F_IDENTITY,
  F_ROOMS,
};

static const SottoFieldSchema room_list_fields[] = {
  F_ID ("id"),
  F_ROOMS,
};

static const SottoFieldSchema members_fields[] = {
  F_ID ("id"),
  F_ROOM,
  F_OWNER,
  F_STATE_LENGTH,
  F_MEMBERS,
};

static const SottoFieldSchema joined_fields[] = {
  F_ID ("id"),
  F_ROOM,
  F_OWNER,
  F_BOOL ("direct"),
  F_LAST_SEQ,
  F_STATE_LENGTH,
  F_MEMBERS,
};

static const SottoFieldSchema bans_fields[] = {
  F_ID ("id"),
  F_ROOM,
  F_BANS,
};

static const SottoFieldSchema sent_fields[] = {
  F_ID ("id"),
  F_ROOM,
  F_ID ("msg_id"),
  F_SEQ,
  F_TS,
};

static const SottoFieldSchema message_fields[] = {
  F_ROOM,
  F_SEQ,
  F_TS,
  F_USERNAME ("sender"),
  F_ID ("msg_id"),
  F_ENVELOPE,
};

static const SottoFieldSchema member_identity_event_fields[] = {
  F_ROOM,
  F_SEQ,
  F_TS,
  F_USERNAME ("user"),
  F_IDENTITY,
};

static const SottoFieldSchema member_left_fields[] = {
  F_ROOM,
  F_SEQ,
  F_TS,
  F_USERNAME ("user"),
  F_ENUM ("reason", leave_reasons),
};

static const SottoFieldSchema presence_fields[] = {
  F_USERNAME ("user"),
  F_BOOL ("online"),
};

static const SottoFieldSchema key_fields[] = {
  F_KID,
  F_USERNAME ("from"),
  F_DEVICE,
  F_ROOM,
  F_KEY_BOX,
};

static const SottoFieldSchema key_requested_fields[] = {
  F_KID,
  F_USERNAME ("from"),
  F_DEVICE,
  F_ROOM,
  F_KEY_ID,
};

static const SottoFieldSchema typing_event_fields[] = {
  F_ROOM,
  F_USERNAME ("user"),
};

static const SottoFieldSchema catchup_done_fields[] = {
  F_ID ("id"),
  F_ROOM,
  F_LAST_SEQ,
  F_BOOL ("more"),
};

static const SottoFieldSchema notice_fields[] = {
  F_TEXT ("text", 1, SOTTO_PROTOCOL_NOTICE_MAX_LEN),
  F_TS,
};

static const SottoFieldSchema state_event_fields[] = {
  F_ROOM,
  F_STATE_INDEX,
  F_USERNAME ("sender"),
  F_TS,
  F_STATE_EVENT,
};

static const SottoFieldSchema state_done_fields[] = {
  F_ID ("id"),
  F_ROOM,
  F_INT ("length", 0, UNBOUNDED),
  F_BOOL ("more"),
};

static const SottoFieldSchema prekeys_published_fields[] = {
  F_ID ("id"),
  F_ONE_TIME_LEFT,
};

/* "one_time" is absent once the user's one-time prekeys are all taken. */
static const SottoFieldSchema prekeys_fields[] = {
  F_ID ("id"),
  F_USERNAME ("user"),
  F_PREKEY_BUNDLE,
  { .name = "one_time", .kind = SOTTO_FIELD_BASE64, .optional = TRUE,
    .min = SOTTO_PROTOCOL_ONE_TIME_PREKEY_BYTES, .max = SOTTO_PROTOCOL_ONE_TIME_PREKEY_BYTES },
};

static const SottoFieldSchema devices_published_fields[] = {
  F_ID ("id"),
  F_DEVICE_LIST_COUNTER,
};

/* "seen" only in the answer to a user who asked for their own list. */
static const SottoFieldSchema devices_fields[] = {
  F_ID ("id"),
  F_USERNAME ("user"),
  F_ACCOUNT_KEY,
  F_DEVICE_LIST_COUNTER,
  F_DEVICE_LIST,
  { .name = "seen", .kind = SOTTO_FIELD_OBJECT_ARRAY, .object = &device_seen_schema,
    .min_items = 1, .max_items = SOTTO_PROTOCOL_MAX_DEVICES, .optional = TRUE },
};

/* The reply to link_fetch has the fields of the offer it answers with. */
static const SottoFieldSchema link_offered_fields[] = {
  F_ID ("id"),
  F_LINK_ID,
  F_LINK_OFFER,
};

/* "user" is the account whose computer approved, as the server spells
 * it: the new computer opens the approval for that account. */
static const SottoFieldSchema link_approved_fields[] = {
  F_LINK_ID,
  F_LINK_APPROVAL,
  F_USERNAME ("user"),
};

static const SottoFieldSchema link_expired_fields[] = {
  F_LINK_ID,
};

static const SottoFieldSchema devices_changed_fields[] = {
  F_USERNAME ("user"),
};

static const SottoFieldSchema history_fields[] = {
  F_INT ("hid", 1, UNBOUNDED),
  { .name = "device", .kind = SOTTO_FIELD_BASE64, .min = SOTTO_PROTOCOL_KEY_SIZE,
    .max = SOTTO_PROTOCOL_KEY_SIZE },
  F_HISTORY_CHUNK,
};

/* "offset" is how much of the blob the server holds: the whole of it
 * once it is complete. */
static const SottoFieldSchema upload_at_fields[] = {
  F_ID ("id"),
  F_BLOB_ID,
  F_INT ("offset", 0, SOTTO_PROTOCOL_BLOB_MAX_SIZE),
};

static const SottoFieldSchema blob_fields[] = {
  F_ID ("id"),
  F_BLOB_ID,
  F_BLOB_PIECE_OFFSET,
  F_BLOB_DATA,
  F_BLOB_SIZE,
};

static const SottoMsgSchema msg_schemas[] = {
  MSG (REGISTER, CLIENT, credentials_fields),
  MSG (LOGIN, CLIENT, login_fields),
  MSG (LOGOUT, CLIENT, only_id_fields),
  MSG (JOIN, CLIENT, join_fields),
  MSG (LEAVE, CLIENT, id_room_fields),
  MSG (LIST_ROOMS, CLIENT, only_id_fields),
  MSG (LIST_MEMBERS, CLIENT, id_room_fields),
  MSG (OPEN_DIRECT, CLIENT, open_direct_fields),
  MSG (SEND, CLIENT, send_fields),
  MSG (SEND_KEY, CLIENT, send_key_fields),
  MSG (KEY_REQUEST, CLIENT, key_request_fields),
  MSG (ACK_KEYS, CLIENT, ack_keys_fields),
  MSG (CATCHUP, CLIENT, catchup_fields),
  MSG (TYPING, CLIENT, typing_fields),
  MSG (KICK, CLIENT, kick_fields),
  MSG (UNBAN, CLIENT, kick_fields),
  MSG (LIST_BANS, CLIENT, id_room_fields),
  MSG (PING, CLIENT, only_id_fields),
  MSG (STATE, CLIENT, state_fields),
  MSG (STATE_CATCHUP, CLIENT, state_catchup_fields),
  MSG (PUBLISH_PREKEYS, CLIENT, publish_prekeys_fields),
  MSG (GET_PREKEYS, CLIENT, get_prekeys_fields),
  MSG (PUBLISH_DEVICES, CLIENT, publish_devices_fields),
  MSG (GET_DEVICES, CLIENT, get_devices_fields),
  MSG (LINK_OFFER, CLIENT, link_offer_fields),
  MSG (LINK_FETCH, CLIENT, link_fetch_fields),
  MSG (LINK_APPROVE, CLIENT, link_approve_fields),

  MSG (WELCOME, SERVER, welcome_fields),
  MSG (OK, SERVER, only_id_fields),
  MSG (ERROR, SERVER, error_fields),
  MSG (SESSION, SERVER, session_fields),
  MSG (ROOM_LIST, SERVER, room_list_fields),
  MSG (MEMBERS, SERVER, members_fields),
  MSG (JOINED, SERVER, joined_fields),
  MSG (BANS, SERVER, bans_fields),
  MSG (SENT, SERVER, sent_fields),
  MSG (MESSAGE, SERVER, message_fields),
  MSG (MEMBER_JOINED, SERVER, member_identity_event_fields),
  MSG (MEMBER_LEFT, SERVER, member_left_fields),
  MSG (KEY_CHANGED, SERVER, member_identity_event_fields),
  MSG (PRESENCE, SERVER, presence_fields),
  MSG (KEY, SERVER, key_fields),
  MSG (KEY_REQUESTED, SERVER, key_requested_fields),
  MSG (TYPING, SERVER, typing_event_fields),
  MSG (CATCHUP_DONE, SERVER, catchup_done_fields),
  MSG (NOTICE, SERVER, notice_fields),
  MSG (PONG, SERVER, only_id_fields),
  MSG (STATE_EVENT, SERVER, state_event_fields),
  MSG (STATE_DONE, SERVER, state_done_fields),
  MSG (PREKEYS_PUBLISHED, SERVER, prekeys_published_fields),
  MSG (PREKEYS, SERVER, prekeys_fields),
  MSG (DEVICES_PUBLISHED, SERVER, devices_published_fields),
  MSG (DEVICES, SERVER, devices_fields),
  MSG (LINK_OFFERED, SERVER, link_offered_fields),
  MSG (LINK_APPROVED, SERVER, link_approved_fields),
  MSG (LINK_EXPIRED, SERVER, link_expired_fields),
  MSG (DEVICES_CHANGED, SERVER, devices_changed_fields),
  MSG (SEND_HISTORY, CLIENT, send_history_fields),
  MSG (ACK_HISTORY, CLIENT, ack_history_fields),
  MSG (HISTORY, SERVER, history_fields),
  MSG (UPLOAD, CLIENT, upload_fields),
  MSG (UPLOAD_CHUNK, CLIENT, upload_chunk_fields),
  MSG (DOWNLOAD, CLIENT, download_fields),
  MSG (UPLOAD_AT, SERVER, upload_at_fields),
  MSG (BLOB, SERVER, blob_fields),
};

static const char * const type_names[SOTTO_MSG_N_TYPES] = {
  [SOTTO_MSG_TYPE_INVALID] = NULL,
  [SOTTO_MSG_TYPE_REGISTER] = "register",
  [SOTTO_MSG_TYPE_LOGIN] = "login",
  [SOTTO_MSG_TYPE_LOGOUT] = "logout",
  [SOTTO_MSG_TYPE_JOIN] = "join",
  [SOTTO_MSG_TYPE_LEAVE] = "leave",
  [SOTTO_MSG_TYPE_LIST_ROOMS] = "list_rooms",
  [SOTTO_MSG_TYPE_LIST_MEMBERS] = "list_members",
  [SOTTO_MSG_TYPE_OPEN_DIRECT] = "open_direct",
  [SOTTO_MSG_TYPE_SEND] = "send",
  [SOTTO_MSG_TYPE_SEND_KEY] = "send_key",
  [SOTTO_MSG_TYPE_KEY_REQUEST] = "key_request",
  [SOTTO_MSG_TYPE_ACK_KEYS] = "ack_keys",
  [SOTTO_MSG_TYPE_CATCHUP] = "catchup",
  [SOTTO_MSG_TYPE_TYPING] = "typing",
  [SOTTO_MSG_TYPE_KICK] = "kick",
  [SOTTO_MSG_TYPE_UNBAN] = "unban",
  [SOTTO_MSG_TYPE_LIST_BANS] = "list_bans",
  [SOTTO_MSG_TYPE_PING] = "ping",
  [SOTTO_MSG_TYPE_STATE] = "state",
  [SOTTO_MSG_TYPE_STATE_CATCHUP] = "state_catchup",
  [SOTTO_MSG_TYPE_PUBLISH_PREKEYS] = "publish_prekeys",
  [SOTTO_MSG_TYPE_GET_PREKEYS] = "get_prekeys",
  [SOTTO_MSG_TYPE_PUBLISH_DEVICES] = "publish_devices",
  [SOTTO_MSG_TYPE_GET_DEVICES] = "get_devices",
  [SOTTO_MSG_TYPE_LINK_OFFER] = "link_offer",
  [SOTTO_MSG_TYPE_LINK_FETCH] = "link_fetch",
  [SOTTO_MSG_TYPE_LINK_APPROVE] = "link_approve",
  [SOTTO_MSG_TYPE_WELCOME] = "welcome",
  [SOTTO_MSG_TYPE_OK] = "ok",
  [SOTTO_MSG_TYPE_ERROR] = "error",
  [SOTTO_MSG_TYPE_SESSION] = "session",
  [SOTTO_MSG_TYPE_ROOM_LIST] = "room_list",
  [SOTTO_MSG_TYPE_MEMBERS] = "members",
  [SOTTO_MSG_TYPE_JOINED] = "joined",
  [SOTTO_MSG_TYPE_BANS] = "bans",
  [SOTTO_MSG_TYPE_SENT] = "sent",
  [SOTTO_MSG_TYPE_MESSAGE] = "message",
  [SOTTO_MSG_TYPE_MEMBER_JOINED] = "member_joined",
  [SOTTO_MSG_TYPE_MEMBER_LEFT] = "member_left",
  [SOTTO_MSG_TYPE_KEY_CHANGED] = "key_changed",
  [SOTTO_MSG_TYPE_PRESENCE] = "presence",
  [SOTTO_MSG_TYPE_KEY] = "key",
  [SOTTO_MSG_TYPE_KEY_REQUESTED] = "key_requested",
  [SOTTO_MSG_TYPE_CATCHUP_DONE] = "catchup_done",
  [SOTTO_MSG_TYPE_NOTICE] = "notice",
  [SOTTO_MSG_TYPE_PONG] = "pong",
  [SOTTO_MSG_TYPE_STATE_EVENT] = "state_event",
  [SOTTO_MSG_TYPE_STATE_DONE] = "state_done",
  [SOTTO_MSG_TYPE_PREKEYS_PUBLISHED] = "prekeys_published",
  [SOTTO_MSG_TYPE_PREKEYS] = "prekeys",
  [SOTTO_MSG_TYPE_DEVICES_PUBLISHED] = "devices_published",
  [SOTTO_MSG_TYPE_DEVICES] = "devices",
  [SOTTO_MSG_TYPE_LINK_OFFERED] = "link_offered",
  [SOTTO_MSG_TYPE_LINK_APPROVED] = "link_approved",
  [SOTTO_MSG_TYPE_LINK_EXPIRED] = "link_expired",
  [SOTTO_MSG_TYPE_DEVICES_CHANGED] = "devices_changed",
  [SOTTO_MSG_TYPE_HISTORY] = "history",
  [SOTTO_MSG_TYPE_SEND_HISTORY] = "send_history",
  [SOTTO_MSG_TYPE_ACK_HISTORY] = "ack_history",
  [SOTTO_MSG_TYPE_UPLOAD] = "upload",
  [SOTTO_MSG_TYPE_UPLOAD_CHUNK] = "upload_chunk",
  [SOTTO_MSG_TYPE_DOWNLOAD] = "download",
  [SOTTO_MSG_TYPE_UPLOAD_AT] = "upload_at",
  [SOTTO_MSG_TYPE_BLOB] = "blob",
};

/**
 * sotto_msg_type_to_string:
 * @type: a message type
 *
 * Returns: (nullable): the "type" string of @type on the wire, or %NULL
 *   for %SOTTO_MSG_TYPE_INVALID and values out of range
 */
const char *
sotto_msg_type_to_string (SottoMsgType type)
{
  if ((guint) type >= SOTTO_MSG_N_TYPES)
    return NULL;

  return type_names[type];
}

const char *
sotto_msg_error_code_to_string (SottoMsgErrorCode code)
{
  g_return_val_if_fail ((guint) code < G_N_ELEMENTS (error_codes) - 1, NULL);

  return error_codes[code];
}

/**
 * sotto_msg_error_code_from_string:
 * @str: a "code" string
 * @out_code: (out): where to store the code
 *
 * Returns: %TRUE if @str is one of the codes of docs/protocol.md
 */
gboolean
sotto_msg_error_code_from_string (const char        *str,
                                  SottoMsgErrorCode *out_code)
{
  g_return_val_if_fail (str != NULL, FALSE);
  g_return_val_if_fail (out_code != NULL, FALSE);

  for (guint i = 0; error_codes[i] != NULL; i++)
    {
      if (strcmp (error_codes[i], str) == 0)
        {
          *out_code = (SottoMsgErrorCode) i;
          return TRUE;
        }
    }

  return FALSE;
}

const char *
sotto_msg_leave_reason_to_string (SottoMsgLeaveReason reason)
{
  g_return_val_if_fail ((guint) reason < G_N_ELEMENTS (leave_reasons) - 1, NULL);

  return leave_reasons[reason];
}

const SottoMsgSchema *
_sotto_msg_schema_get (SottoMsgType      type,
                       SottoMsgDirection direction)
{
  for (guint i = 0; i < G_N_ELEMENTS (msg_schemas); i++)
    {
      if (msg_schemas[i].type == type && msg_schemas[i].direction == direction)
        return &msg_schemas[i];
    }

  return NULL;
}

/* A linear scan: 56 short names, cheaper than hashing for this size. */
const SottoMsgSchema *
_sotto_msg_schema_lookup (const char        *type_name,
                          SottoMsgDirection  direction,
                          gboolean          *out_other_direction)
{
  *out_other_direction = FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (msg_schemas); i++)
    {
      if (strcmp (type_names[msg_schemas[i].type], type_name) != 0)
        continue;

      if (msg_schemas[i].direction == direction)
        return &msg_schemas[i];

      *out_other_direction = TRUE;
    }

  return NULL;
}

const SottoFieldSchema *
_sotto_object_schema_find (const SottoObjectSchema *schema,
                           const char              *name)
{
  for (guint i = 0; i < schema->n_fields; i++)
    {
      if (strcmp (schema->fields[i].name, name) == 0)
        return &schema->fields[i];
    }

  return NULL;
}
