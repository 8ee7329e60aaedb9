/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-store-private.h"

/*
 * What the server's store knows of its file: the migrations that make
 * its schema, the PRAGMAs it runs with and the SQL of its cached
 * statements. The server store sets no application_id, so files made
 * before the store had one still open.
 */

/* Keeps the WAL from staying at the size of the biggest batch ever made:
 * 64 MiB, as a string for the PRAGMA. */
#define JOURNAL_SIZE_LIMIT "67108864"

/* Each entry moves the schema from version i to i + 1, in one transaction.
 * Append only: a released entry never changes.
 */
static const char * const migrations[] = {
  /* 1: the first schema.
   *
   * room_log keeps a rowid: bodies are envelopes of hundreds of bytes or
   * more, and a WITHOUT ROWID table stores whole rows in its interior
   * pages, which SQLite advises against past a few percent of a page.
   * The unique (room_id, seq) index serves catch-up and trimming.
   *
   * key_queue uses AUTOINCREMENT so a kid is never reused: a late or
   * repeated acknowledgement can only ever delete the row it meant.
   */
  "CREATE TABLE accounts ("
  "  id            INTEGER PRIMARY KEY,"
  "  username      TEXT NOT NULL UNIQUE CHECK (username = lower (username)),"
  "  password_hash TEXT NOT NULL,"
  "  box_pk        BLOB CHECK (box_pk IS NULL OR length (box_pk) = 32),"
  "  sign_pk       BLOB CHECK (sign_pk IS NULL OR length (sign_pk) = 32),"
  "  binding       BLOB CHECK (binding IS NULL OR length (binding) = 64),"
  "  created       INTEGER NOT NULL"
  ");"
  "CREATE TABLE rooms ("
  "  id       INTEGER PRIMARY KEY,"
  "  name     TEXT NOT NULL UNIQUE,"
  "  direct   INTEGER NOT NULL CHECK (direct IN (0, 1)),"
  "  owner    TEXT,"
  "  created  INTEGER NOT NULL,"
  "  last_seq INTEGER NOT NULL DEFAULT 0"
  ");"
  "CREATE TABLE members ("
  "  room_id    INTEGER NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,"
  "  account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,"
  "  joined     INTEGER NOT NULL,"
  "  PRIMARY KEY (room_id, account_id)"
  ");"
  "CREATE INDEX members_account ON members (account_id);"
  "CREATE TABLE room_log ("
  "  room_id INTEGER NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,"
  "  seq     INTEGER NOT NULL,"
  "  ts      INTEGER NOT NULL,"
  "  kind    INTEGER NOT NULL,"
  "  sender  TEXT,"
  "  msg_id  TEXT,"
  "  body    BLOB NOT NULL,"
  "  UNIQUE (room_id, seq)"
  ");"
  "CREATE UNIQUE INDEX room_log_msg_id ON room_log (room_id, sender, msg_id)"
  "  WHERE msg_id IS NOT NULL;"
  "CREATE INDEX room_log_ts ON room_log (ts);"
  /* In the trigger, the counter moves with the row in the same statement,
   * so no failure can leave one without the other. */
  "CREATE TRIGGER room_log_last_seq AFTER INSERT ON room_log BEGIN"
  "  UPDATE rooms SET last_seq = max (last_seq, NEW.seq) WHERE id = NEW.room_id;"
  "END;"
  "CREATE TABLE key_queue ("
  "  kid          INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  recipient_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,"
  "  ts           INTEGER NOT NULL,"
  "  sender       TEXT NOT NULL,"
  "  room         TEXT NOT NULL,"
  "  kind         INTEGER NOT NULL CHECK (kind IN (0, 1)),"
  "  key_id       INTEGER,"
  "  box          BLOB,"
  "  CHECK (kind <> 0 OR box IS NOT NULL)"
  ");"
  "CREATE INDEX key_queue_recipient ON key_queue (recipient_id, kid);",

  /* 2: bans. A kick keeps the account out of the room until the owner
   * lets it back; banned_by is the owner's username, NULL when the
   * operator banned from the console. */
  "CREATE TABLE bans ("
  "  room_id    INTEGER NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,"
  "  account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,"
  "  banned_by  TEXT,"
  "  banned     INTEGER NOT NULL,"
  "  PRIMARY KEY (room_id, account_id)"
  ");"
  "CREATE INDEX bans_account ON bans (account_id);",

  /* 3: the room state chain. Each row is one event exactly as a member
   * sent it, signed by them; the server never reads body. idx counts from
   * 0 with no gaps, so the chain's length is max (idx) + 1. Retention
   * never touches this table: a chain with a hole cannot be checked.
   * A rowid table for the same reason as room_log: bodies of up to 4 KiB. */
  "CREATE TABLE room_state ("
  "  room_id INTEGER NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,"
  "  idx     INTEGER NOT NULL CHECK (idx >= 0),"
  "  body    BLOB NOT NULL,"
  "  sender  TEXT NOT NULL,"
  "  ts      INTEGER NOT NULL,"
  "  PRIMARY KEY (room_id, idx)"
  ");",

  /* 4: prekeys. Each account's signed bundle, and the one-time prekeys it
   * published and nobody has taken yet. The server never reads either; a
   * one-time prekey's id is its first 4 bytes, kept apart in key_id so
   * that a second one with the same id replaces the first. A new row's
   * seq is above every other's, so seq orders them oldest first. The
   * sizes are those of the protocol (bundle, one-time prekey). */
  "CREATE TABLE prekey_bundles ("
  "  account_id INTEGER PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,"
  "  bundle     BLOB NOT NULL CHECK (length (bundle) = 238),"
  "  published  INTEGER NOT NULL"
  ");"
  "CREATE TABLE one_time_prekeys ("
  "  seq        INTEGER PRIMARY KEY,"
  "  account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,"
  "  key_id     INTEGER NOT NULL CHECK (key_id BETWEEN 0 AND 4294967295),"
  "  prekey     BLOB NOT NULL CHECK (length (prekey) = 36),"
  "  UNIQUE (account_id, key_id)"
  ");"
  "CREATE INDEX one_time_prekeys_account ON one_time_prekeys (account_id, seq);",

  /* 5: device lists. Each account's list as its account key signed it,
   * which the server never reads, with the account key and the counter
   * published beside it, which the server compares with the next ones.
   * No row until the account publishes one. The sizes are those of the
   * protocol (account key, device list). */
  "CREATE TABLE device_lists ("
  "  account_id  INTEGER PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,"
  "  account_key BLOB NOT NULL CHECK (length (account_key) = 32),"
  "  counter     INTEGER NOT NULL CHECK (counter >= 1),"
  "  list        BLOB NOT NULL CHECK (length (list) BETWEEN 1 AND 4373),"
  "  published   INTEGER NOT NULL"
  ");",

  /* 6: devices. Each account's devices, by their public identity: the
   * first is the one it registered with, the others come with its device
   * list. The account's own identity columns stay the one its member
   * entries show. Prekeys and queued keys belong to a device from here
   * on: those held so far go to the account's one device. A queued key's
   * recipient_id stays, so that it goes with its account too. */
  "CREATE TABLE devices ("
  "  id         INTEGER PRIMARY KEY,"
  "  account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,"
  "  box_pk     BLOB NOT NULL CHECK (length (box_pk) = 32),"
  "  sign_pk    BLOB NOT NULL CHECK (length (sign_pk) = 32),"
  "  binding    BLOB NOT NULL CHECK (length (binding) = 64),"
  "  added      INTEGER NOT NULL,"
  "  last_seen  INTEGER,"
  "  UNIQUE (account_id, sign_pk)"
  ");"
  "INSERT INTO devices (account_id, box_pk, sign_pk, binding, added)"
  "  SELECT id, box_pk, sign_pk, binding, created FROM accounts"
  "  WHERE box_pk IS NOT NULL AND sign_pk IS NOT NULL AND binding IS NOT NULL;"
  "ALTER TABLE key_queue ADD COLUMN device_id INTEGER REFERENCES devices (id) ON DELETE CASCADE;"
  "UPDATE key_queue SET device_id ="
  "  (SELECT d.id FROM devices AS d WHERE d.account_id = key_queue.recipient_id);"
  "DELETE FROM key_queue WHERE device_id IS NULL;"
  "CREATE INDEX key_queue_device ON key_queue (device_id, kid);"
  "CREATE TABLE device_prekey_bundles ("
  "  device_id INTEGER PRIMARY KEY REFERENCES devices (id) ON DELETE CASCADE,"
  "  bundle    BLOB NOT NULL CHECK (length (bundle) = 238),"
  "  published INTEGER NOT NULL"
  ");"
  "INSERT INTO device_prekey_bundles (device_id, bundle, published)"
  "  SELECT d.id, p.bundle, p.published FROM prekey_bundles AS p"
  "  JOIN devices AS d ON d.account_id = p.account_id;"
  "DROP TABLE prekey_bundles;"
  "CREATE TABLE device_one_time_prekeys ("
  "  seq       INTEGER PRIMARY KEY,"
  "  device_id INTEGER NOT NULL REFERENCES devices (id) ON DELETE CASCADE,"
  "  key_id    INTEGER NOT NULL CHECK (key_id BETWEEN 0 AND 4294967295),"
  "  prekey    BLOB NOT NULL CHECK (length (prekey) = 36),"
  "  UNIQUE (device_id, key_id)"
  ");"
  "INSERT INTO device_one_time_prekeys (seq, device_id, key_id, prekey)"
  "  SELECT o.seq, d.id, o.key_id, o.prekey FROM one_time_prekeys AS o"
  "  JOIN devices AS d ON d.account_id = o.account_id;"
  "DROP TABLE one_time_prekeys;"
  "CREATE INDEX device_one_time_prekeys_device ON device_one_time_prekeys (device_id, seq);",

  /* 7: which of its sender's devices a key message came from, by its
   * signing key, for the recipient to open it with that device's keys;
   * none for those queued before. */
  ("ALTER TABLE key_queue ADD COLUMN sender_device BLOB"
   "  CHECK (sender_device IS NULL OR length (sender_device) = 32);"),

  /* 8: history one device of an account hands another, in chunks the
   * server never opens, kept until the recipient device acknowledges
   * them. AUTOINCREMENT, as the key queue: an hid is never reused. */
  "CREATE TABLE history_queue ("
  "  hid           INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  device_id     INTEGER NOT NULL REFERENCES devices (id) ON DELETE CASCADE,"
  "  sender_device BLOB NOT NULL CHECK (length (sender_device) = 32),"
  "  chunk         BLOB NOT NULL CHECK (length (chunk) BETWEEN 1 AND 61440),"
  "  queued        INTEGER NOT NULL"
  ");"
  "CREATE INDEX history_queue_device ON history_queue (device_id, hid);",

  /* 9: blobs, the sealed files members send, which the server never
   * opens. A row is all the server knows of one: the id its uploader
   * drew, who uploaded it, to which room, its whole size, whether it is
   * all there, and when its upload began; its bytes are files in the
   * data directory, not here. The sizes are those of the protocol (blob
   * id, smallest blob). */
  "CREATE TABLE blobs ("
  "  id         BLOB PRIMARY KEY CHECK (length (id) = 16),"
  "  account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,"
  "  room_id    INTEGER NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,"
  "  size       INTEGER NOT NULL CHECK (size >= 41),"
  "  complete   INTEGER NOT NULL DEFAULT 0 CHECK (complete IN (0, 1)),"
  "  created    INTEGER NOT NULL"
  ") WITHOUT ROWID;"
  "CREATE INDEX blobs_account ON blobs (account_id);"
  "CREATE INDEX blobs_created ON blobs (created);",
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == SOTTO_STORE_SCHEMA_VERSION);

static const char * const statement_sql[N_STMTS] = {
  [STMT_ENSURE_ROOM] =
    "INSERT INTO rooms (name, direct, owner, created) VALUES (?1, 0, NULL, ?2)"
    " ON CONFLICT (name) DO NOTHING",
  [STMT_FIND_ACCOUNT] =
    "SELECT id, username, password_hash, box_pk, sign_pk, binding, created"
    " FROM accounts WHERE username = ?1",
  [STMT_ADD_ACCOUNT] =
    "INSERT INTO accounts (username, password_hash, box_pk, sign_pk, binding, created)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
  [STMT_SET_IDENTITY] =
    "UPDATE accounts SET box_pk = ?2, sign_pk = ?3, binding = ?4 WHERE id = ?1",
  [STMT_LIST_USERNAMES] =
    "SELECT username FROM accounts ORDER BY username",
  [STMT_LOAD_ROOMS] =
    "SELECT id, name, direct, owner, created, last_seq FROM rooms ORDER BY id",
  [STMT_ADD_ROOM] =
    "INSERT INTO rooms (name, direct, owner, created) VALUES (?1, ?2, ?3, ?4)",
  /* Only the primary key conflict is ignored: a missing room or account
   * still fails its foreign key. */
  [STMT_ADD_MEMBER] =
    "INSERT INTO members (room_id, account_id, joined) VALUES (?1, ?2, ?3)"
    " ON CONFLICT (room_id, account_id) DO NOTHING",
  [STMT_REMOVE_MEMBER] =
    "DELETE FROM members WHERE room_id = ?1 AND account_id = ?2",
  /* The rowid of a membership grows with every join, so it gives join order. */
  [STMT_MEMBER_NAMES] =
    "SELECT a.username FROM members AS m JOIN accounts AS a ON a.id = m.account_id"
    " WHERE m.room_id = ?1 ORDER BY m.rowid",
  [STMT_ROOMS_OF] =
    "SELECT r.name FROM members AS m JOIN rooms AS r ON r.id = m.room_id"
    " WHERE m.account_id = ?1 ORDER BY r.name",
  [STMT_COUNT_MEMBERS] =
    "SELECT count(*) FROM members WHERE room_id = ?1",
  [STMT_APPEND_EVENT] =
    "INSERT INTO room_log (room_id, seq, ts, kind, sender, msg_id, body)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
  [STMT_FIND_MESSAGE] =
    "SELECT seq, ts FROM room_log WHERE room_id = ?1 AND sender = ?2 AND msg_id = ?3",
  [STMT_READ_LOG] =
    "SELECT seq, body FROM room_log WHERE room_id = ?1 AND seq > ?2 AND seq <= ?3"
    " ORDER BY seq LIMIT ?4",
  [STMT_LAST_SEQ] =
    "SELECT last_seq FROM rooms WHERE id = ?1",
  [STMT_DELETE_OLDER] =
    "DELETE FROM room_log WHERE ts < ?1",
  [STMT_ROOM_IDS] =
    "SELECT id FROM rooms ORDER BY id",
  /* Keeps the newest ?2 events: deletes up to the (?2 + 1)th newest. */
  [STMT_TRIM_ROOM] =
    "DELETE FROM room_log WHERE room_id = ?1 AND seq <= "
    "(SELECT seq FROM room_log WHERE room_id = ?1 ORDER BY seq DESC LIMIT 1 OFFSET ?2)",
  [STMT_QUEUE_KEY] =
    "INSERT INTO key_queue (recipient_id, device_id, ts, sender, room, kind, key_id, box,"
    " sender_device)"
    " VALUES ((SELECT account_id FROM devices WHERE id = ?1), ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
  [STMT_PENDING_KEYS] =
    "SELECT kid, ts, sender, room, kind, key_id, box, sender_device FROM key_queue"
    " WHERE device_id = ?1 ORDER BY kid LIMIT ?2",
  /* The recipient is part of the key: nobody acknowledges another's rows. */
  [STMT_ACK_KEY] =
    "DELETE FROM key_queue WHERE kid = ?1 AND device_id = ?2",
  /* A second ban keeps the first one's author and time. */
  [STMT_ADD_BAN] =
    "INSERT INTO bans (room_id, account_id, banned_by, banned) VALUES (?1, ?2, ?3, ?4)"
    " ON CONFLICT (room_id, account_id) DO NOTHING",
  [STMT_REMOVE_BAN] =
    "DELETE FROM bans WHERE room_id = ?1 AND account_id = ?2",
  [STMT_IS_BANNED] =
    "SELECT count(*) FROM bans WHERE room_id = ?1 AND account_id = ?2",
  [STMT_LOAD_BANS] =
    "SELECT a.username, b.banned_by, b.banned FROM bans AS b"
    " JOIN accounts AS a ON a.id = b.account_id"
    " WHERE b.room_id = ?1 ORDER BY a.username",
  [STMT_APPEND_STATE] =
    "INSERT INTO room_state (room_id, idx, body, sender, ts) VALUES (?1, ?2, ?3, ?4, ?5)",
  [STMT_READ_STATE] =
    "SELECT idx, body, sender, ts FROM room_state WHERE room_id = ?1 AND idx >= ?2 AND idx < ?3"
    " ORDER BY idx LIMIT ?4",
  [STMT_STATE_LENGTH] =
    "SELECT coalesce (max (idx) + 1, 0) FROM room_state WHERE room_id = ?1",
  [STMT_SET_PREKEY_BUNDLE] =
    "INSERT INTO device_prekey_bundles (device_id, bundle, published) VALUES (?1, ?2, ?3)"
    " ON CONFLICT (device_id) DO UPDATE SET bundle = excluded.bundle,"
    " published = excluded.published",
  [STMT_GET_PREKEY_BUNDLE] =
    "SELECT bundle FROM device_prekey_bundles WHERE device_id = ?1",
  /* REPLACE deletes the row with the same id and inserts a new one, which
   * gets the highest seq: a prekey published again is the newest. */
  [STMT_ADD_ONE_TIME_PREKEY] =
    "INSERT OR REPLACE INTO device_one_time_prekeys (device_id, key_id, prekey)"
    " VALUES (?1, ?2, ?3)",
  [STMT_HAS_ONE_TIME_PREKEY] =
    "SELECT count(*) FROM device_one_time_prekeys WHERE device_id = ?1 AND key_id = ?2",
  [STMT_COUNT_ONE_TIME_PREKEYS] =
    "SELECT count(*) FROM device_one_time_prekeys WHERE device_id = ?1",
  /* One statement finds the oldest and deletes it: nothing can come
   * between the two. */
  [STMT_TAKE_ONE_TIME_PREKEY] =
    "DELETE FROM device_one_time_prekeys"
    " WHERE seq = (SELECT min (seq) FROM device_one_time_prekeys WHERE device_id = ?1)"
    " RETURNING prekey",
  [STMT_SET_DEVICE_LIST] =
    "INSERT INTO device_lists (account_id, account_key, counter, list, published)"
    " VALUES (?1, ?2, ?3, ?4, ?5)"
    " ON CONFLICT (account_id) DO UPDATE SET account_key = excluded.account_key,"
    " counter = excluded.counter, list = excluded.list, published = excluded.published",
  [STMT_GET_DEVICE_LIST] =
    "SELECT account_key, counter, list FROM device_lists WHERE account_id = ?1",
  [STMT_FORGET_DEVICE_LIST] =
    "DELETE FROM device_lists WHERE account_id = ?1",
  [STMT_ADD_DEVICE] =
    "INSERT INTO devices (account_id, box_pk, sign_pk, binding, added)"
    " VALUES (?1, ?2, ?3, ?4, ?5)",
  [STMT_REMOVE_DEVICE] =
    "DELETE FROM devices WHERE id = ?1",
  [STMT_LOAD_DEVICES] =
    "SELECT id, box_pk, sign_pk, binding, added, last_seen FROM devices"
    " WHERE account_id = ?1 ORDER BY id",
  [STMT_SET_DEVICE_SEEN] =
    "UPDATE devices SET last_seen = ?2 WHERE id = ?1",
  [STMT_QUEUE_HISTORY] =
    "INSERT INTO history_queue (device_id, sender_device, chunk, queued) VALUES (?1, ?2, ?3, ?4)",
  [STMT_PENDING_HISTORY] =
    "SELECT hid, sender_device, chunk FROM history_queue WHERE device_id = ?1"
    " ORDER BY hid LIMIT ?2",
  [STMT_ACK_HISTORY] =
    "DELETE FROM history_queue WHERE hid = ?1 AND device_id = ?2",
  [STMT_HISTORY_BYTES] =
    "SELECT coalesce (sum (length (chunk)), 0) FROM history_queue WHERE device_id = ?1",
  [STMT_ADD_BLOB] =
    "INSERT INTO blobs (id, account_id, room_id, size, complete, created)"
    " VALUES (?1, ?2, ?3, ?4, 0, ?5)",
  [STMT_FIND_BLOB] =
    "SELECT b.account_id, a.username, b.room_id, r.name, b.size, b.complete, b.created"
    " FROM blobs AS b JOIN accounts AS a ON a.id = b.account_id"
    " JOIN rooms AS r ON r.id = b.room_id WHERE b.id = ?1",
  [STMT_SET_BLOB_COMPLETE] =
    "UPDATE blobs SET complete = 1 WHERE id = ?1",
  [STMT_DELETE_BLOB] =
    "DELETE FROM blobs WHERE id = ?1",
  [STMT_BLOB_BYTES] =
    "SELECT coalesce (sum (size), 0) FROM blobs WHERE account_id = ?1",
  [STMT_OLD_BLOBS] =
    "SELECT id FROM blobs WHERE created < ?1 AND (complete = 0 OR ?2 = 0) ORDER BY created",
};

static void
too_new_error (int      version,
               int      known,
               GError **error)
{
  g_set_error (error, SOTTO_STORE_ERROR, SOTTO_STORE_ERROR_TOO_NEW,
               _("The database has schema version %d, but this server knows versions "
                 "up to %d; use a newer server"),
               version, known);
}

/* WAL: readers (an operator's sqlite3 shell, a backup) never block the
 * server, and a commit is one append to the log.
 *
 * synchronous=NORMAL in WAL mode does not fsync on every commit: a
 * committed transaction survives any crash or kill of the process, and
 * the database is never corrupted, but a power loss or kernel crash can
 * undo the transactions committed since the last checkpoint. For a chat
 * relay that is the right trade for not syncing once per message.
 *
 * secure_delete: rows removed by retention and acknowledged key boxes
 * are overwritten, so the file does not keep them in free space. Debian
 * builds SQLite with it on; other builds may not. */
const SottoDbSchema _sotto_store_schema = {
  .label = "store",
  .application_id = 0,
  .pragmas =
    "PRAGMA journal_mode = WAL;"
    "PRAGMA synchronous = NORMAL;"
    "PRAGMA foreign_keys = ON;"
    "PRAGMA secure_delete = ON;"
    "PRAGMA journal_size_limit = " JOURNAL_SIZE_LIMIT ";",
  .migrations = migrations,
  .version = SOTTO_STORE_SCHEMA_VERSION,
  .too_new = too_new_error,
  .statements = statement_sql,
  .n_statements = N_STMTS,
};
