/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-client-store-private.h"

/*
 * What the client store knows of its file: the migrations that make its
 * schema, the PRAGMAs it runs with, and the SQL of every query, which
 * libsotto-db prepares once and caches by #SottoClientStoreStatement.
 */

/* Each entry moves the schema from version i to i + 1, in one transaction.
 * Append only: a released entry never changes. That is why the pins table
 * is still made, and left empty: the client pins server keys in
 * servers.ini, through the file pin store of the wire layer.
 */
static const char * const migrations[] = {
  /* 1: the first schema.
   *
   * local_key and identity hold at most one row each.
   *
   * A message has a msg_id (ours and other members') or at least a seq
   * (room events); either one identifies it. Its id gives the order in
   * which rows were added, which is the outbox order.
   */
  "PRAGMA application_id = 1399813187;"
  "CREATE TABLE local_key ("
  "  id     INTEGER PRIMARY KEY CHECK (id = 1),"
  "  sealed BLOB NOT NULL"
  ");"
  "CREATE TABLE identity ("
  "  id     INTEGER PRIMARY KEY CHECK (id = 1),"
  "  sealed BLOB NOT NULL"
  ");"
  "CREATE TABLE pins ("
  "  server     TEXT PRIMARY KEY,"
  "  public_key BLOB NOT NULL CHECK (length (public_key) = 32)"
  ");"
  "CREATE TABLE contacts ("
  "  user       TEXT PRIMARY KEY,"
  "  identity   BLOB NOT NULL CHECK (length (identity) = 128),"
  "  first_seen INTEGER NOT NULL,"
  "  verified   INTEGER NOT NULL CHECK (verified IN (0, 1)),"
  "  changed_at INTEGER NOT NULL DEFAULT 0,"
  "  tag        BLOB NOT NULL"
  ");"
  "CREATE TABLE sender_keys ("
  "  room   TEXT NOT NULL,"
  "  owner  TEXT NOT NULL,"
  "  key_id INTEGER NOT NULL,"
  "  state  BLOB NOT NULL,"
  "  PRIMARY KEY (room, owner, key_id)"
  ");"
  "CREATE TABLE rooms ("
  "  name     TEXT PRIMARY KEY,"
  "  direct   INTEGER NOT NULL DEFAULT 0 CHECK (direct IN (0, 1)),"
  "  last_seq INTEGER NOT NULL DEFAULT 0"
  ");"
  "CREATE TABLE messages ("
  "  id     INTEGER PRIMARY KEY,"
  "  room   TEXT NOT NULL,"
  "  seq    INTEGER CHECK (seq IS NULL OR seq > 0),"
  "  msg_id TEXT,"
  "  sender TEXT NOT NULL,"
  "  ts     INTEGER NOT NULL,"
  "  state  INTEGER NOT NULL,"
  "  body   BLOB NOT NULL,"
  "  CHECK (msg_id IS NOT NULL OR seq IS NOT NULL)"
  ");"
  "CREATE UNIQUE INDEX messages_seq ON messages (room, seq) WHERE seq IS NOT NULL;"
  "CREATE UNIQUE INDEX messages_msg_id ON messages (room, sender, msg_id)"
  "  WHERE msg_id IS NOT NULL;"
  "CREATE INDEX messages_state ON messages (state, id);",

  /* 2: what the reader may rely on. Each message carries its sender's
   * counter for the room and the sender's time, signed (SottoMessageBody);
   * marks and missing_before say what the reader found wrong about its
   * arrival. counters holds, per room, sender and signing key, the
   * counters seen (SottoCounterState), and for our own key the last one
   * given out; leaving a room keeps it. The outbox gets an index. A
   * contact's review says what a change of their keys asks of the user
   * (SottoIdentityReview). */
  "ALTER TABLE messages ADD COLUMN counter INTEGER CHECK (counter IS NULL OR counter > 0);"
  "ALTER TABLE messages ADD COLUMN sent_at INTEGER;"
  "ALTER TABLE messages ADD COLUMN marks INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE messages ADD COLUMN missing_before INTEGER NOT NULL DEFAULT 0"
  "  CHECK (missing_before >= 0);"
  "CREATE INDEX messages_counter ON messages (room, sender, counter)"
  "  WHERE counter IS NOT NULL;"
  "CREATE INDEX messages_pending ON messages (room, id) WHERE seq IS NULL;"
  "CREATE TABLE counters ("
  "  room    TEXT NOT NULL,"
  "  sender  TEXT NOT NULL,"
  "  signer  BLOB NOT NULL CHECK (length (signer) = 32),"
  "  floor   INTEGER NOT NULL DEFAULT 0 CHECK (floor >= 0),"
  "  seen    BLOB NOT NULL DEFAULT x'',"
  "  missing BLOB NOT NULL DEFAULT x'',"
  "  rebase  INTEGER NOT NULL DEFAULT 1 CHECK (rebase IN (0, 1)),"
  "  PRIMARY KEY (room, sender, signer)"
  ");"
  "ALTER TABLE contacts ADD COLUMN review INTEGER NOT NULL DEFAULT 0"
  "  CHECK (review IN (0, 1, 2));",

  /* 3: each room's chain of signed state events (SottoRoomEvent), as the
   * server relayed them, by their index in the chain. Forgetting a room
   * forgets its chain. */
  "CREATE TABLE room_state ("
  "  room  TEXT NOT NULL,"
  "  idx   INTEGER NOT NULL CHECK (idx >= 0),"
  "  event BLOB NOT NULL,"
  "  PRIMARY KEY (room, idx)"
  ");",

  /* 4: our prekeys (SottoPrekey), their secrets sealed: kind 0 the signed
   * prekeys, the current one without retired_at, kind 1 the one-time
   * prekeys. A prekey is erased once its time is over or it was used. */
  "CREATE TABLE prekeys ("
  "  kind       INTEGER NOT NULL CHECK (kind IN (0, 1)),"
  "  id         INTEGER NOT NULL CHECK (id > 0 AND id <= 4294967295),"
  "  created_at INTEGER NOT NULL,"
  "  retired_at INTEGER,"
  "  sealed     BLOB NOT NULL,"
  "  PRIMARY KEY (kind, id)"
  ");",

  /* 5: the account key (SottoAccountKey), its seed sealed, and our device
   * list as we signed it last (SottoDeviceList, signed, not secret) and
   * whether the server took it. One row at most. */
  "CREATE TABLE account ("
  "  id        INTEGER PRIMARY KEY CHECK (id = 1),"
  "  sealed    BLOB NOT NULL,"
  "  list      BLOB,"
  "  published INTEGER NOT NULL DEFAULT 0 CHECK (published IN (0, 1))"
  ");",

  /* 6: devices. A sender key taken from a key box keeps the signing key
   * of the sender's device that sealed it; ours have none, which is how
   * they are told from those of our own other devices (same owner). A
   * message keeps the device its counter belongs to, each device of a
   * sender counting its own messages; rows from before have none, and
   * count with every device's. */
  "ALTER TABLE sender_keys ADD COLUMN device BLOB"
  "  CHECK (device IS NULL OR length (device) = 32);"
  "ALTER TABLE messages ADD COLUMN signer BLOB"
  "  CHECK (signer IS NULL OR length (signer) = 32);",

  /* 7: the device list of each member, as we last took it (signed by
   * their account key, not secret): a server cannot show us an older one
   * after a restart, and a device gone since is told. */
  "CREATE TABLE member_device_lists ("
  "  user TEXT PRIMARY KEY,"
  "  list BLOB NOT NULL"
  ");",

  /* 8: how far the user read each room, and how many messages came
   * since, so that both survive a restart. */
  ("ALTER TABLE rooms ADD COLUMN read_seq INTEGER NOT NULL DEFAULT 0 CHECK (read_seq >= 0);"
   "ALTER TABLE rooms ADD COLUMN unread INTEGER NOT NULL DEFAULT 0 CHECK (unread >= 0);"),
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == SOTTO_CLIENT_STORE_SCHEMA_VERSION);
G_STATIC_ASSERT (SOTTO_CLIENT_STORE_APPLICATION_ID == 1399813187);

#define MESSAGE_COLUMNS SOTTO_CLIENT_STORE_MESSAGE_COLUMNS

static const char * const statement_sql[N_STMTS] = {
  [STMT_GET_LOCAL_KEY] =
    "SELECT sealed FROM local_key WHERE id = 1",
  [STMT_ADD_LOCAL_KEY] =
    "INSERT INTO local_key (id, sealed) VALUES (1, ?1) ON CONFLICT (id) DO NOTHING",
  /* Replaces only the blob the new one was made from. */
  [STMT_REPLACE_LOCAL_KEY] =
    "UPDATE local_key SET sealed = ?2 WHERE id = 1 AND sealed = ?1",
  [STMT_GET_IDENTITY] =
    "SELECT sealed FROM identity WHERE id = 1",
  [STMT_SET_IDENTITY] =
    "INSERT INTO identity (id, sealed) VALUES (1, ?1)"
    " ON CONFLICT (id) DO UPDATE SET sealed = excluded.sealed",
  [STMT_GET_CONTACT] =
    "SELECT identity, first_seen, verified, changed_at, tag, review FROM contacts"
    " WHERE user = ?1",
  [STMT_SET_CONTACT] =
    "INSERT INTO contacts (user, identity, first_seen, verified, changed_at, tag, review)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
    " ON CONFLICT (user) DO UPDATE SET identity = excluded.identity,"
    " first_seen = excluded.first_seen, verified = excluded.verified,"
    " changed_at = excluded.changed_at, tag = excluded.tag, review = excluded.review",
  /* An update keeps the rowid, which so gives the order keys were added. */
  [STMT_SET_SENDER_KEY] =
    "INSERT INTO sender_keys (room, owner, key_id, state, device) VALUES (?1, ?2, ?3, ?4, ?5)"
    " ON CONFLICT (room, owner, key_id) DO UPDATE SET state = excluded.state",
  [STMT_GET_SENDER_KEY_DEVICE] =
    "SELECT device FROM sender_keys WHERE room = ?1 AND owner = ?2 AND key_id = ?3",
  [STMT_GET_SENDER_KEY] =
    "SELECT key_id, state FROM sender_keys WHERE room = ?1 AND owner = ?2 AND key_id = ?3",
  [STMT_GET_NEWEST_SENDER_KEY] =
    "SELECT key_id, state FROM sender_keys WHERE room = ?1 AND owner = ?2 AND device IS NULL"
    " ORDER BY rowid DESC LIMIT 1",
  [STMT_FORGET_SENDER_KEYS] =
    "DELETE FROM sender_keys WHERE room = ?1 AND owner = ?2 AND device IS NULL",
  [STMT_SAVE_ROOM] =
    "INSERT INTO rooms (name, direct) VALUES (?1, ?2)"
    " ON CONFLICT (name) DO UPDATE SET direct = excluded.direct",
  [STMT_SET_LAST_SEQ] =
    "INSERT INTO rooms (name, last_seq) VALUES (?1, ?2)"
    " ON CONFLICT (name) DO UPDATE SET last_seq = max (last_seq, excluded.last_seq)",
  [STMT_GET_LAST_SEQ] =
    "SELECT last_seq FROM rooms WHERE name = ?1",
  [STMT_LIST_ROOMS] =
    "SELECT name, direct, last_seq FROM rooms ORDER BY name",
  /* Newest first, what reads as a message: sent or received. */
  [STMT_SEARCH_ALL] =
    "SELECT " MESSAGE_COLUMNS " FROM messages WHERE id < ?2 AND state IN (1, 2) "
    "ORDER BY id DESC LIMIT ?3",
  [STMT_SEARCH_ROOM] =
    "SELECT " MESSAGE_COLUMNS " FROM messages WHERE room = ?1 AND id < ?2 AND state IN (1, 2) "
    "ORDER BY id DESC LIMIT ?3",
  [STMT_GET_READ] =
    "SELECT read_seq, unread FROM rooms WHERE name = ?1",
  [STMT_SET_READ] =
    "UPDATE rooms SET read_seq = ?2, unread = ?3 WHERE name = ?1",
  [STMT_FORGET_ROOM] =
    "DELETE FROM rooms WHERE name = ?1",
  [STMT_FORGET_ROOM_KEYS] =
    "DELETE FROM sender_keys WHERE room = ?1",
  [STMT_FORGET_ROOM_MESSAGES] =
    "DELETE FROM messages WHERE room = ?1",
  [STMT_FIND_MESSAGE_BY_MSG_ID] =
    "SELECT " MESSAGE_COLUMNS " FROM messages WHERE room = ?1 AND sender = ?2 AND msg_id = ?3",
  [STMT_FIND_MESSAGE_BY_SEQ] =
    "SELECT " MESSAGE_COLUMNS " FROM messages WHERE room = ?1 AND seq = ?2",
  [STMT_ADD_MESSAGE] =
    "INSERT INTO messages (room, seq, msg_id, sender, ts, state, body)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
  [STMT_UPDATE_MESSAGE] =
    "UPDATE messages SET seq = ?2, state = ?3, body = ?4 WHERE id = ?1",
  [STMT_PENDING_MESSAGES] =
    "SELECT " MESSAGE_COLUMNS " FROM messages WHERE room = ?1 AND seq IS NULL ORDER BY id",
  [STMT_MESSAGES_BEFORE] =
    "SELECT " MESSAGE_COLUMNS " FROM messages WHERE room = ?1 AND seq < ?2"
    " ORDER BY seq DESC LIMIT ?3",
  [STMT_MESSAGES_IN_STATE] =
    "SELECT " MESSAGE_COLUMNS " FROM messages WHERE state = ?1 ORDER BY id",
  [STMT_ROOM_MESSAGES_IN_STATE] =
    "SELECT " MESSAGE_COLUMNS " FROM messages WHERE state = ?1 AND room = ?2 ORDER BY id",
  [STMT_GET_COUNTERS] =
    "SELECT floor, seen, missing, rebase FROM counters"
    " WHERE room = ?1 AND sender = ?2 AND signer = ?3",
  [STMT_SET_COUNTERS] =
    "INSERT INTO counters (room, sender, signer, floor, seen, missing, rebase)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
    " ON CONFLICT (room, sender, signer) DO UPDATE SET floor = excluded.floor,"
    " seen = excluded.seen, missing = excluded.missing, rebase = excluded.rebase",
  [STMT_REBASE_COUNTERS] =
    "UPDATE counters SET rebase = 1 WHERE room = ?1",
  [STMT_GET_MESSAGE_ORDER] =
    "SELECT counter, ts FROM messages WHERE room = ?1 AND sender = ?2 AND msg_id = ?3",
  [STMT_SET_MESSAGE_ORDER] =
    "UPDATE messages SET counter = ?4, sent_at = ?5, marks = ?6, signer = ?7"
    " WHERE room = ?1 AND sender = ?2 AND msg_id = ?3",
  [STMT_MARK_GAP] =
    "UPDATE messages SET missing_before = ?4 WHERE id = (SELECT id FROM messages"
    " WHERE room = ?1 AND sender = ?2 AND counter = ?3 AND (signer IS NULL OR signer = ?5)"
    " ORDER BY id DESC LIMIT 1)"
    " RETURNING msg_id",
  [STMT_MIN_PENDING_COUNTER] =
    "SELECT min (counter) FROM messages WHERE state = 0 AND room = ?1 AND sender = ?2"
    " AND counter IS NOT NULL",
  [STMT_COUNT_OVERTAKEN] =
    "SELECT count (*) FROM messages WHERE room = ?1 AND sender = ?2 AND counter > ?3"
    " AND seq IS NOT NULL AND seq < ?4 AND (signer IS NULL OR signer = ?5)",
  [STMT_ADD_STATE_EVENT] =
    "INSERT INTO room_state (room, idx, event) VALUES (?1, ?2, ?3)",
  [STMT_LIST_STATE_EVENTS] =
    "SELECT idx, event FROM room_state WHERE room = ?1 ORDER BY idx",
  [STMT_GET_STATE_EVENT] =
    "SELECT event FROM room_state WHERE room = ?1 AND idx = ?2",
  [STMT_ADD_PREKEY] =
    "INSERT INTO prekeys (kind, id, created_at, sealed) VALUES (?1, ?2, ?3, ?4)",
  [STMT_GET_PREKEY] =
    "SELECT id, sealed FROM prekeys WHERE kind = ?1 AND id = ?2",
  [STMT_CURRENT_SIGNED_PREKEY] =
    "SELECT id, sealed FROM prekeys WHERE kind = 0 AND retired_at IS NULL"
    " ORDER BY created_at DESC, id DESC LIMIT 1",
  [STMT_FORGET_PREKEY] =
    "DELETE FROM prekeys WHERE kind = ?1 AND id = ?2",
  [STMT_RETIRE_SIGNED_PREKEYS] =
    "UPDATE prekeys SET retired_at = ?1 WHERE kind = 0 AND retired_at IS NULL",
  [STMT_ERASE_RETIRED_PREKEYS] =
    "DELETE FROM prekeys WHERE kind = 0 AND retired_at IS NOT NULL AND retired_at < ?1",
  [STMT_COUNT_PREKEYS] =
    "SELECT count (*), coalesce (max (id), 0) FROM prekeys WHERE kind = ?1",
  [STMT_FORGET_ROOM_STATE] =
    "DELETE FROM room_state WHERE room = ?1",
  [STMT_GET_ACCOUNT_KEY] =
    "SELECT sealed FROM account WHERE id = 1",
  [STMT_ADD_ACCOUNT_KEY] =
    "INSERT INTO account (id, sealed) VALUES (1, ?1)",
  [STMT_GET_DEVICE_LIST] =
    "SELECT list, published FROM account WHERE id = 1",
  [STMT_SET_DEVICE_LIST] =
    "UPDATE account SET list = ?1, published = ?2 WHERE id = 1",
  [STMT_GET_MEMBER_DEVICES] =
    "SELECT list FROM member_device_lists WHERE user = ?1",
  [STMT_SET_MEMBER_DEVICES] =
    "INSERT INTO member_device_lists (user, list) VALUES (?1, ?2)"
    " ON CONFLICT (user) DO UPDATE SET list = excluded.list",
  [STMT_COUNT_WAITING] =
    "SELECT count (*) FROM messages WHERE state = 3 AND room = ?1 AND sender = ?2",
  /* What a device hands another of the account: the messages read here
   * (sent = 1, received = 2), numbered, in the server's order. */
  [STMT_LIST_READABLE] =
    "SELECT " MESSAGE_COLUMNS " FROM messages WHERE room = ?1 AND seq > ?2 AND seq <= ?3"
    " AND state IN (1, 2) AND msg_id IS NOT NULL ORDER BY seq LIMIT ?4",
  [STMT_COUNT_READABLE] =
    "SELECT count (*) FROM messages WHERE room = ?1 AND seq > 0 AND seq <= ?2"
    " AND state IN (1, 2) AND msg_id IS NOT NULL",
};

static void
too_new_error (int      version,
               int      known,
               GError **error)
{
  g_set_error (error, SOTTO_CLIENT_STORE_ERROR, SOTTO_CLIENT_STORE_ERROR_TOO_NEW,
               _("The database has schema version %d, but this Sotto knows versions "
                 "up to %d; use a newer Sotto"),
               version, known);
}

/* synchronous=NORMAL in WAL mode: a commit survives the process being
 * killed but not a power cut. What the server acknowledged is fetched
 * again then, from the last_seq that was lost along with it.
 *
 * secure_delete: forgotten sender keys and history are overwritten, not
 * left in free pages (they are ciphertext, but of keys meant to be gone). */
const SottoDbSchema _sotto_client_store_schema = {
  .label = "client store",
  .application_id = SOTTO_CLIENT_STORE_APPLICATION_ID,
  .pragmas =
    "PRAGMA journal_mode = WAL;"
    "PRAGMA synchronous = NORMAL;"
    "PRAGMA secure_delete = ON;"
    "PRAGMA temp_store = MEMORY;",
  .migrations = migrations,
  .version = SOTTO_CLIENT_STORE_SCHEMA_VERSION,
  .too_new = too_new_error,
  .statements = statement_sql,
  .n_statements = N_STMTS,
};
