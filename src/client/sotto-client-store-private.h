/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <sodium.h>
#include <string.h>

#include "sotto-client-store.h"
#include "sotto-db.h"

G_BEGIN_DECLS

/* "SotC", in the header of every client database. */
#define SOTTO_CLIENT_STORE_APPLICATION_ID 0x536f7443

#define SOTTO_CLIENT_STORE_LOCAL_KEY_BYTES 32

/* An encrypted value: version (1) | nonce (24) | ciphertext | tag (16). */
#define SOTTO_CLIENT_STORE_VALUE_VERSION 1
#define SOTTO_CLIENT_STORE_VALUE_NONCE_BYTES crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define SOTTO_CLIENT_STORE_VALUE_HEADER_BYTES (1 + SOTTO_CLIENT_STORE_VALUE_NONCE_BYTES)
#define SOTTO_CLIENT_STORE_VALUE_OVERHEAD \
  (SOTTO_CLIENT_STORE_VALUE_HEADER_BYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES)

/* Prefixes the associated data of every value. */
#define SOTTO_CLIENT_STORE_AD_LABEL "sotto client store v1"

/* The columns of a history row, in the order sotto-client-store-history.c
 * reads them. */
#define SOTTO_CLIENT_STORE_MESSAGE_COLUMNS \
  "id, room, seq, msg_id, sender, ts, state, body, counter, sent_at, marks, missing_before, signer"

/* The cached statements, by their index in the schema's statements. */
typedef enum
{
  STMT_GET_LOCAL_KEY,
  STMT_ADD_LOCAL_KEY,
  STMT_REPLACE_LOCAL_KEY,
  STMT_GET_IDENTITY,
  STMT_SET_IDENTITY,
  STMT_GET_CONTACT,
  STMT_SET_CONTACT,
  STMT_SET_SENDER_KEY,
  STMT_GET_SENDER_KEY,
  STMT_GET_SENDER_KEY_DEVICE,
  STMT_GET_NEWEST_SENDER_KEY,
  STMT_FORGET_SENDER_KEYS,
  STMT_SAVE_ROOM,
  STMT_SET_LAST_SEQ,
  STMT_GET_LAST_SEQ,
  STMT_LIST_ROOMS,
  STMT_SEARCH_ALL,
  STMT_SEARCH_ROOM,
  STMT_GET_READ,
  STMT_SET_READ,
  STMT_FORGET_ROOM,
  STMT_FORGET_ROOM_KEYS,
  STMT_FORGET_ROOM_MESSAGES,
  STMT_FIND_MESSAGE_BY_MSG_ID,
  STMT_FIND_MESSAGE_BY_SEQ,
  STMT_ADD_MESSAGE,
  STMT_UPDATE_MESSAGE,
  STMT_PENDING_MESSAGES,
  STMT_MESSAGES_BEFORE,
  STMT_MESSAGES_IN_STATE,
  STMT_ROOM_MESSAGES_IN_STATE,
  STMT_GET_COUNTERS,
  STMT_SET_COUNTERS,
  STMT_REBASE_COUNTERS,
  STMT_GET_MESSAGE_ORDER,
  STMT_SET_MESSAGE_ORDER,
  STMT_MARK_GAP,
  STMT_MIN_PENDING_COUNTER,
  STMT_COUNT_OVERTAKEN,
  STMT_COUNT_WAITING,
  STMT_LIST_READABLE,
  STMT_COUNT_READABLE,
  STMT_ADD_STATE_EVENT,
  STMT_LIST_STATE_EVENTS,
  STMT_GET_STATE_EVENT,
  STMT_ADD_PREKEY,
  STMT_GET_PREKEY,
  STMT_CURRENT_SIGNED_PREKEY,
  STMT_FORGET_PREKEY,
  STMT_RETIRE_SIGNED_PREKEYS,
  STMT_ERASE_RETIRED_PREKEYS,
  STMT_COUNT_PREKEYS,
  STMT_FORGET_ROOM_STATE,
  STMT_GET_ACCOUNT_KEY,
  STMT_ADD_ACCOUNT_KEY,
  STMT_GET_DEVICE_LIST,
  STMT_SET_DEVICE_LIST,
  STMT_GET_MEMBER_DEVICES,
  STMT_SET_MEMBER_DEVICES,
  N_STMTS
} SottoClientStoreStatement;

/* The keys derived from the local key, in sodium_malloc() memory, read-only
 * once filled in. */
typedef struct
{
  guint8 value_key[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
  char   identity_password[2 * SOTTO_CLIENT_STORE_LOCAL_KEY_BYTES + 1];
} SottoClientStoreKeys;

struct _SottoClientStore
{
  GObject               parent_instance;

  SottoDb              *db;

  /* Whether the file holds a sealed local key. */
  gboolean              has_local_key;
  /* Set while unlocked. */
  SottoClientStoreKeys *keys;
  /* Moved by every lock, so an unlock started before it does not apply. */
  guint                 lock_serial;
};

/* sotto-client-store-schema.c */

extern const SottoDbSchema _sotto_client_store_schema;

/* sotto-client-store.c */

gboolean _sotto_client_store_require_unlocked (SottoClientStore      *self,
                                               GError               **error);
void     _sotto_client_store_set_keys         (SottoClientStore      *self,
                                               SottoClientStoreKeys  *keys);

/* sotto-client-store-seal.c */

gpointer              _sotto_client_store_secure_alloc        (gsize                 size);
GBytes               *_sotto_client_store_secure_bytes_new    (gsize                 size,
                                                               guint8              **data);
char                 *_sotto_client_store_secure_password_new (const char           *password);
SottoClientStoreKeys *_sotto_client_store_derive_keys         (const guint8         *local_key);
void                  _sotto_client_store_set_corrupt_error   (GError              **error,
                                                               const char           *table);
GBytes               *_sotto_client_store_seal_value          (SottoClientStore     *self,
                                                               GByteArray           *ad,
                                                               const guint8         *plaintext,
                                                               gsize                 size);
gboolean              _sotto_client_store_open_value          (SottoClientStore     *self,
                                                               GByteArray           *ad,
                                                               const guint8         *blob,
                                                               gsize                 blob_len,
                                                               guint8               *plaintext,
                                                               const char           *table,
                                                               GError              **error);

/* The helpers below run several times for every row read or written:
 * inline, as they were before the store was split. */

/* g_bytes_get_data() gives NULL for an empty GBytes; libsodium and memcpy
 * want a valid pointer even for zero bytes. */
static inline const guint8 *
_sotto_client_store_bytes_get_data (GBytes *bytes,
                                    gsize  *size)
{
  const guint8 *data = g_bytes_get_data (bytes, size);

  return data != NULL ? data : (const guint8 *) "";
}

/* Size of the plaintext in a value of @blob_len bytes, or -1 if too short. */
static inline gssize
_sotto_client_store_value_plaintext_size (gsize blob_len)
{
  return blob_len < SOTTO_CLIENT_STORE_VALUE_OVERHEAD
    ? -1 : (gssize) (blob_len - SOTTO_CLIENT_STORE_VALUE_OVERHEAD);
}

/* The associated data binds a value to its table, column and row. Strings
 * carry a presence byte and a length, integers are 8 bytes, so no two
 * different rows give the same bytes. */
static inline GByteArray *
_sotto_client_store_ad_new (const char *table,
                            const char *column)
{
  GByteArray *ad = g_byte_array_sized_new (128);
  guint8 version = SOTTO_CLIENT_STORE_VALUE_VERSION;

  g_byte_array_append (ad, (const guint8 *) SOTTO_CLIENT_STORE_AD_LABEL,
                       sizeof SOTTO_CLIENT_STORE_AD_LABEL);
  g_byte_array_append (ad, &version, 1);
  g_byte_array_append (ad, (const guint8 *) table, strlen (table) + 1);
  g_byte_array_append (ad, (const guint8 *) column, strlen (column) + 1);

  return ad;
}

static inline void
_sotto_client_store_ad_add_int (GByteArray *ad,
                                gint64      value)
{
  guint8 buf[8];
  guint64 v = (guint64) value;

  for (guint i = 0; i < 8; i++)
    buf[i] = (guint8) (v >> (56 - 8 * i));

  g_byte_array_append (ad, buf, sizeof buf);
}

static inline void
_sotto_client_store_ad_add_bytes (GByteArray   *ad,
                                  const guint8 *data,
                                  gsize         size)
{
  _sotto_client_store_ad_add_int (ad, (gint64) size);
  g_byte_array_append (ad, data, (guint) size);
}

static inline void
_sotto_client_store_ad_add_string (GByteArray *ad,
                                   const char *value)
{
  guint8 present = value != NULL;

  g_byte_array_append (ad, &present, 1);
  if (value != NULL)
    _sotto_client_store_ad_add_bytes (ad, (const guint8 *) value, strlen (value));
}

/* sotto-client-store-unlock.c */

GBytes *_sotto_client_store_get_local_key (SottoClientStore  *self,
                                           GError           **error);

/* sotto-client-store-history.c */

static inline gboolean
_sotto_client_store_message_state_is_valid (SottoStoredMessageState state)
{
  return state >= SOTTO_STORED_MESSAGE_SENDING && state <= SOTTO_STORED_MESSAGE_SYSTEM;
}

GByteArray *_sotto_client_store_message_ad             (const char               *room,
                                                        const char               *sender,
                                                        const char               *msg_id,
                                                        gint64                    seq,
                                                        gint64                    ts,
                                                        SottoStoredMessageState   state);
gboolean    _sotto_client_store_find_message           (SottoClientStore         *self,
                                                        const char               *room,
                                                        const char               *sender,
                                                        const char               *msg_id,
                                                        gint64                    seq,
                                                        SottoStoredMessage      **out,
                                                        GError                  **error);
gboolean    _sotto_client_store_collect_messages       (SottoClientStore         *self,
                                                        sqlite3_stmt             *stmt,
                                                        GPtrArray                *messages,
                                                        GError                  **error);

G_END_DECLS
