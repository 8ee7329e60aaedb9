/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The version carried in the handshake and in "welcome". */
#define SOTTO_PROTOCOL_VERSION 1

/* Whole-message limits, checked before json-glib sees a byte. */
#define SOTTO_PROTOCOL_MAX_MESSAGE_SIZE   (1024 * 1024)
#define SOTTO_PROTOCOL_MAX_DEPTH          16
#define SOTTO_PROTOCOL_MAX_OBJECT_MEMBERS 32
#define SOTTO_PROTOCOL_MAX_VALUES         100000

/* Field limits. Lengths of names and passwords are in bytes, lengths of
 * free text in Unicode characters, base64 limits are decoded bytes.
 */
#define SOTTO_PROTOCOL_ID_MAX_LEN             64
#define SOTTO_PROTOCOL_USERNAME_MAX_LEN       32
#define SOTTO_PROTOCOL_ROOM_MAX_LEN           64
#define SOTTO_PROTOCOL_DIRECT_ROOM_MAX_LEN    (2 + 2 * SOTTO_PROTOCOL_USERNAME_MAX_LEN)
#define SOTTO_PROTOCOL_PASSWORD_MAX_LEN       1024
#define SOTTO_PROTOCOL_MIN_PASSWORD_LEN       8 /* enforced by the server, not the parser */
#define SOTTO_PROTOCOL_SERVER_VERSION_MAX_LEN 64
#define SOTTO_PROTOCOL_ERROR_MESSAGE_MAX_LEN  512
#define SOTTO_PROTOCOL_NOTICE_MAX_LEN         2000
#define SOTTO_PROTOCOL_KEY_SIZE               32
#define SOTTO_PROTOCOL_BINDING_SIZE           64
#define SOTTO_PROTOCOL_ENVELOPE_MAX_SIZE      65536
#define SOTTO_PROTOCOL_KEY_BOX_MAX_SIZE       4096
#define SOTTO_PROTOCOL_STATE_EVENT_MAX_SIZE   4096
#define SOTTO_PROTOCOL_MAX_ACK_KIDS           1000
/* History handed from one device of an account to another, in chunks
 * sealed between the two, which the server never opens. */
#define SOTTO_PROTOCOL_HISTORY_CHUNK_MAX_BYTES 61440
#define SOTTO_PROTOCOL_MAX_CATCHUP_LIMIT      1000
#define SOTTO_PROTOCOL_MAX_STATE_CATCHUP_LIMIT 500
#define SOTTO_PROTOCOL_MAX_LIST_ITEMS         10000
#define SOTTO_PROTOCOL_MAX_KEY_ID             G_GINT64_CONSTANT (4294967295)
/* Prekeys, opaque to the server: a user's signed bundle, and a one-time
 * prekey as its id (4 bytes, big endian) then its X25519 public key. The
 * sizes are those of the e2e library, which this one does not link;
 * tests/test-prekey.c checks that they agree. */
#define SOTTO_PROTOCOL_PREKEY_BUNDLE_BYTES     238
#define SOTTO_PROTOCOL_ONE_TIME_PREKEY_BYTES   36
#define SOTTO_PROTOCOL_MAX_PUBLISH_ONE_TIME    100
/* The most one-time prekeys a server holds for one user. */
#define SOTTO_PROTOCOL_MAX_ONE_TIME_PREKEYS    200
/* An account's device list, signed by its account key and opaque to the
 * server, as the e2e library seals it; tests/test-device-list.c checks
 * that the bound agrees. The account key travels beside it. */
#define SOTTO_PROTOCOL_ACCOUNT_KEY_SIZE        32
#define SOTTO_PROTOCOL_DEVICE_LIST_MAX_BYTES   4373
/* The most devices one account has (SOTTO_DEVICE_LIST_MAX_DEVICES). */
#define SOTTO_PROTOCOL_MAX_DEVICES             16
/* A login's proof that the computer holds the account key: an Ed25519
 * signature by it (docs/security.md, "Recovering the account"). */
#define SOTTO_PROTOCOL_LOGIN_PROOF_BYTES       64
/* Linking a new computer: the server brings an offer and its approval
 * together under a link id, 16 bytes in lowercase hex, and opens
 * neither. The bounds are the e2e library's, which tests/test-link.c
 * checks. */
#define SOTTO_PROTOCOL_LINK_ID_LENGTH          32
#define SOTTO_PROTOCOL_LINK_OFFER_MAX_BYTES    267
#define SOTTO_PROTOCOL_LINK_APPROVAL_MAX_BYTES 4480
/* Files: each is sealed on the client under a key of its own, and the
 * server keeps what comes out as an opaque blob under an id the client
 * draws at random. A blob is a 24-byte header, then the file in chunks of
 * 64 KiB, each 17 bytes longer sealed, the last one holding the rest (an
 * empty file is one chunk of nothing: the smallest blob, 41 bytes). These
 * are the e2e library's numbers, which this one does not link;
 * tests/test-file-crypt.c checks that they agree. */
#define SOTTO_PROTOCOL_BLOB_ID_BYTES           16
#define SOTTO_PROTOCOL_FILE_HEADER_BYTES       24
#define SOTTO_PROTOCOL_FILE_CHUNK_BYTES        (64 * 1024)
#define SOTTO_PROTOCOL_FILE_CHUNK_OVERHEAD     17
#define SOTTO_PROTOCOL_BLOB_MIN_SIZE           41
/* The largest file, 1 TiB, and its blob. */
#define SOTTO_PROTOCOL_MAX_FILE_BYTES          (G_GINT64_CONSTANT (1) << 40)
#define SOTTO_PROTOCOL_BLOB_MAX_SIZE           G_GINT64_CONSTANT (1099796840472)
/* The most bytes of a blob one upload_chunk or blob message carries. */
#define SOTTO_PROTOCOL_BLOB_DATA_MAX_BYTES     (256 * 1024)
#define SOTTO_PROTOCOL_MAX_FRAME              G_GINT64_CONSTANT (4294967295)

#define SOTTO_PROTOCOL_ERROR (sotto_protocol_error_quark ())

/**
 * SottoProtocolError:
 * @SOTTO_PROTOCOL_ERROR_MALFORMED: not a single, well-formed JSON object
 * @SOTTO_PROTOCOL_ERROR_TOO_LARGE: over the size, depth, member or value limits
 * @SOTTO_PROTOCOL_ERROR_UNKNOWN_TYPE: "type" names no message
 * @SOTTO_PROTOCOL_ERROR_WRONG_DIRECTION: the type exists, but not from this peer
 * @SOTTO_PROTOCOL_ERROR_MISSING_FIELD: a required field is absent
 * @SOTTO_PROTOCOL_ERROR_BAD_FIELD: a field has the wrong JSON type or value
 * @SOTTO_PROTOCOL_ERROR_UNKNOWN_FIELD: a field the message does not define
 *
 * Why sotto_msg_parse() refused its input.
 */
typedef enum
{
  SOTTO_PROTOCOL_ERROR_MALFORMED,
  SOTTO_PROTOCOL_ERROR_TOO_LARGE,
  SOTTO_PROTOCOL_ERROR_UNKNOWN_TYPE,
  SOTTO_PROTOCOL_ERROR_WRONG_DIRECTION,
  SOTTO_PROTOCOL_ERROR_MISSING_FIELD,
  SOTTO_PROTOCOL_ERROR_BAD_FIELD,
  SOTTO_PROTOCOL_ERROR_UNKNOWN_FIELD,
} SottoProtocolError;

typedef enum
{
  SOTTO_MSG_FROM_CLIENT,
  SOTTO_MSG_FROM_SERVER,
} SottoMsgDirection;

/* One value per "type" string. "typing" exists in both directions with
 * different fields; sotto_msg_get_direction() tells them apart.
 */
typedef enum
{
  SOTTO_MSG_TYPE_INVALID,

  /* client → server */
  SOTTO_MSG_TYPE_REGISTER,
  SOTTO_MSG_TYPE_LOGIN,
  SOTTO_MSG_TYPE_LOGOUT,
  SOTTO_MSG_TYPE_JOIN,
  SOTTO_MSG_TYPE_LEAVE,
  SOTTO_MSG_TYPE_LIST_ROOMS,
  SOTTO_MSG_TYPE_LIST_MEMBERS,
  SOTTO_MSG_TYPE_OPEN_DIRECT,
  SOTTO_MSG_TYPE_SEND,
  SOTTO_MSG_TYPE_SEND_KEY,
  SOTTO_MSG_TYPE_KEY_REQUEST,
  SOTTO_MSG_TYPE_ACK_KEYS,
  SOTTO_MSG_TYPE_CATCHUP,
  SOTTO_MSG_TYPE_TYPING, /* both directions */
  SOTTO_MSG_TYPE_KICK,
  SOTTO_MSG_TYPE_UNBAN,
  SOTTO_MSG_TYPE_LIST_BANS,
  SOTTO_MSG_TYPE_PING,
  SOTTO_MSG_TYPE_STATE,
  SOTTO_MSG_TYPE_STATE_CATCHUP,
  SOTTO_MSG_TYPE_PUBLISH_PREKEYS,
  SOTTO_MSG_TYPE_GET_PREKEYS,
  SOTTO_MSG_TYPE_PUBLISH_DEVICES,
  SOTTO_MSG_TYPE_GET_DEVICES,
  SOTTO_MSG_TYPE_LINK_OFFER,
  SOTTO_MSG_TYPE_LINK_FETCH,
  SOTTO_MSG_TYPE_LINK_APPROVE,
  SOTTO_MSG_TYPE_SEND_HISTORY,
  SOTTO_MSG_TYPE_ACK_HISTORY,
  SOTTO_MSG_TYPE_UPLOAD,
  SOTTO_MSG_TYPE_UPLOAD_CHUNK,
  SOTTO_MSG_TYPE_DOWNLOAD,

  /* server → client */
  SOTTO_MSG_TYPE_WELCOME,
  SOTTO_MSG_TYPE_OK,
  SOTTO_MSG_TYPE_ERROR,
  SOTTO_MSG_TYPE_SESSION,
  SOTTO_MSG_TYPE_ROOM_LIST,
  SOTTO_MSG_TYPE_MEMBERS,
  SOTTO_MSG_TYPE_JOINED,
  SOTTO_MSG_TYPE_BANS,
  SOTTO_MSG_TYPE_SENT,
  SOTTO_MSG_TYPE_MESSAGE,
  SOTTO_MSG_TYPE_MEMBER_JOINED,
  SOTTO_MSG_TYPE_MEMBER_LEFT,
  SOTTO_MSG_TYPE_KEY_CHANGED,
  SOTTO_MSG_TYPE_PRESENCE,
  SOTTO_MSG_TYPE_KEY,
  SOTTO_MSG_TYPE_KEY_REQUESTED,
  SOTTO_MSG_TYPE_CATCHUP_DONE,
  SOTTO_MSG_TYPE_NOTICE,
  SOTTO_MSG_TYPE_PONG,
  SOTTO_MSG_TYPE_STATE_EVENT,
  SOTTO_MSG_TYPE_STATE_DONE,
  SOTTO_MSG_TYPE_PREKEYS_PUBLISHED,
  SOTTO_MSG_TYPE_PREKEYS,
  SOTTO_MSG_TYPE_DEVICES_PUBLISHED,
  SOTTO_MSG_TYPE_DEVICES,
  SOTTO_MSG_TYPE_LINK_OFFERED,
  SOTTO_MSG_TYPE_LINK_APPROVED,
  SOTTO_MSG_TYPE_LINK_EXPIRED,
  SOTTO_MSG_TYPE_DEVICES_CHANGED,
  SOTTO_MSG_TYPE_HISTORY,
  SOTTO_MSG_TYPE_UPLOAD_AT,
  SOTTO_MSG_TYPE_BLOB,

  SOTTO_MSG_N_TYPES
} SottoMsgType;

/* The "code" of an "error" message. */
typedef enum
{
  SOTTO_MSG_ERROR_CODE_BAD_REQUEST,
  SOTTO_MSG_ERROR_CODE_UNKNOWN_TYPE,
  SOTTO_MSG_ERROR_CODE_NOT_LOGGED_IN,
  SOTTO_MSG_ERROR_CODE_ALREADY_LOGGED_IN,
  SOTTO_MSG_ERROR_CODE_NAME_TAKEN,
  SOTTO_MSG_ERROR_CODE_BAD_USERNAME,
  SOTTO_MSG_ERROR_CODE_WEAK_PASSWORD,
  SOTTO_MSG_ERROR_CODE_BAD_CREDENTIALS,
  SOTTO_MSG_ERROR_CODE_RATE_LIMITED,
  SOTTO_MSG_ERROR_CODE_NO_SUCH_ROOM,
  SOTTO_MSG_ERROR_CODE_NO_SUCH_USER,
  SOTTO_MSG_ERROR_CODE_NOT_MEMBER,
  SOTTO_MSG_ERROR_CODE_FORBIDDEN,
  SOTTO_MSG_ERROR_CODE_TOO_LARGE,
  SOTTO_MSG_ERROR_CODE_OVERLOADED,
  SOTTO_MSG_ERROR_CODE_INTERNAL,
  SOTTO_MSG_ERROR_CODE_BANNED,
  SOTTO_MSG_ERROR_CODE_CONFLICT,
  SOTTO_MSG_ERROR_CODE_NO_PREKEYS,
  SOTTO_MSG_ERROR_CODE_ACCOUNT_KEY_CHANGED,
  SOTTO_MSG_ERROR_CODE_STALE,
  SOTTO_MSG_ERROR_CODE_NO_DEVICES,
  SOTTO_MSG_ERROR_CODE_LINK_TAKEN,
  SOTTO_MSG_ERROR_CODE_NO_SUCH_LINK,
  SOTTO_MSG_ERROR_CODE_NOT_LINKED,
  SOTTO_MSG_ERROR_CODE_NO_SUCH_DEVICE,
  SOTTO_MSG_ERROR_CODE_QUOTA,
  SOTTO_MSG_ERROR_CODE_BAD_OFFSET,
  SOTTO_MSG_ERROR_CODE_NO_SUCH_BLOB,
} SottoMsgErrorCode;

/* The "reason" of a "member_left" message. */
typedef enum
{
  SOTTO_MSG_LEAVE_REASON_LEFT,
  SOTTO_MSG_LEAVE_REASON_KICKED,
} SottoMsgLeaveReason;

/* The public identity keys of one device as they travel: X25519 box key,
 * Ed25519 signing key, and the signature binding them together.
 */
typedef struct
{
  guint8 box[SOTTO_PROTOCOL_KEY_SIZE];
  guint8 sign[SOTTO_PROTOCOL_KEY_SIZE];
  guint8 binding[SOTTO_PROTOCOL_BINDING_SIZE];
} SottoWireIdentity;

/* One item of "members". @user is borrowed from the message it came from. */
typedef struct
{
  const char        *user;
  SottoWireIdentity  identity;
  gboolean           online;
} SottoWireMember;

/* One item of "bans". @user and @banned_by are borrowed from the message
 * they came from; @banned_by is %NULL when the server's operator banned. */
typedef struct
{
  const char *user;
  const char *banned_by;
  gint64      ts;
} SottoWireBan;

/* One item of "seen", which only the account itself is told: when one of
 * its devices, named by its signing key, last logged in or went away (0
 * for never), and whether it is connected now. */
typedef struct
{
  guint8   device[SOTTO_PROTOCOL_KEY_SIZE];
  gint64   last_seen;
  gboolean online;
} SottoWireDeviceSeen;

/* One item of "rooms". @room is borrowed from the message it came from. */
typedef struct
{
  const char *room;
  gint64      members;
  gboolean    direct;
  gint64      last_seq;
} SottoWireRoomSummary;

GQuark              sotto_protocol_error_quark             (void);

const char         *sotto_msg_type_to_string               (SottoMsgType         type);
const char         *sotto_msg_error_code_to_string         (SottoMsgErrorCode    code);
gboolean            sotto_msg_error_code_from_string       (const char          *str,
                                                            SottoMsgErrorCode   *out_code);
SottoMsgErrorCode   sotto_msg_error_code_for_parse_error   (const GError        *error);
const char         *sotto_msg_leave_reason_to_string       (SottoMsgLeaveReason  reason);

gboolean            sotto_protocol_id_is_valid             (const char          *id);
gboolean            sotto_protocol_username_is_valid       (const char          *username);
gboolean            sotto_protocol_link_id_is_valid        (const char          *link);
gboolean            sotto_protocol_room_is_valid           (const char          *room);
gboolean            sotto_protocol_room_is_direct          (const char          *room);
char               *sotto_protocol_direct_room_name        (const char          *user,
                                                            const char          *other);
char               *sotto_protocol_direct_room_peer        (const char          *room,
                                                            const char          *user);
gint64              sotto_protocol_blob_size               (gint64               file_size);

G_END_DECLS
