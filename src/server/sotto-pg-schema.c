/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "sotto-pg-schema.h"

/*
 * The server's store in PostgreSQL: the same tables as the SQLite store
 * (sotto-store-schema.c, at its version 9), with PostgreSQL's types. What
 * differs: ids are bigserial (their sequences never hand an id out twice,
 * as AUTOINCREMENT did); a membership's join order is a column of its own
 * (SQLite's rowid); a room's last_seq is moved by the statement that
 * appends to its log, under the room row's lock, not by a trigger. The
 * version is in sotto_schema; each entry below moves it by one.
 */

static const char * const pg_migrations[] = {
  /* 1: the SQLite store's schema 9. */
  "CREATE TABLE accounts ("
  "  id            bigserial PRIMARY KEY,"
  "  username      text NOT NULL UNIQUE CHECK (username = lower (username)),"
  "  password_hash text NOT NULL,"
  "  box_pk        bytea CHECK (box_pk IS NULL OR length (box_pk) = 32),"
  "  sign_pk       bytea CHECK (sign_pk IS NULL OR length (sign_pk) = 32),"
  "  binding       bytea CHECK (binding IS NULL OR length (binding) = 64),"
  "  created       bigint NOT NULL"
  ");"
  "CREATE TABLE rooms ("
  "  id       bigserial PRIMARY KEY,"
  "  name     text NOT NULL UNIQUE,"
  "  direct   integer NOT NULL CHECK (direct IN (0, 1)),"
  "  owner    text,"
  "  created  bigint NOT NULL,"
  "  last_seq bigint NOT NULL DEFAULT 0"
  ");"
  "CREATE TABLE members ("
  "  room_id    bigint NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,"
  "  account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,"
  "  joined     bigint NOT NULL,"
  "  position   bigserial NOT NULL,"
  "  PRIMARY KEY (room_id, account_id)"
  ");"
  "CREATE INDEX members_account ON members (account_id);"
  "CREATE TABLE room_log ("
  "  room_id bigint NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,"
  "  seq     bigint NOT NULL,"
  "  ts      bigint NOT NULL,"
  "  kind    integer NOT NULL,"
  "  sender  text,"
  "  msg_id  text,"
  "  body    bytea NOT NULL,"
  "  PRIMARY KEY (room_id, seq)"
  ");"
  "CREATE UNIQUE INDEX room_log_msg_id ON room_log (room_id, sender, msg_id)"
  "  WHERE msg_id IS NOT NULL;"
  "CREATE INDEX room_log_ts ON room_log (ts);"
  "CREATE TABLE bans ("
  "  room_id    bigint NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,"
  "  account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,"
  "  banned_by  text,"
  "  banned     bigint NOT NULL,"
  "  PRIMARY KEY (room_id, account_id)"
  ");"
  "CREATE INDEX bans_account ON bans (account_id);"
  "CREATE TABLE room_state ("
  "  room_id bigint NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,"
  "  idx     bigint NOT NULL CHECK (idx >= 0),"
  "  body    bytea NOT NULL,"
  "  sender  text NOT NULL,"
  "  ts      bigint NOT NULL,"
  "  PRIMARY KEY (room_id, idx)"
  ");"
  "CREATE TABLE device_lists ("
  "  account_id  bigint PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,"
  "  account_key bytea NOT NULL CHECK (length (account_key) = 32),"
  "  counter     bigint NOT NULL CHECK (counter >= 1),"
  "  list        bytea NOT NULL CHECK (length (list) BETWEEN 1 AND 4373),"
  "  published   bigint NOT NULL"
  ");"
  "CREATE TABLE devices ("
  "  id         bigserial PRIMARY KEY,"
  "  account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,"
  "  box_pk     bytea NOT NULL CHECK (length (box_pk) = 32),"
  "  sign_pk    bytea NOT NULL CHECK (length (sign_pk) = 32),"
  "  binding    bytea NOT NULL CHECK (length (binding) = 64),"
  "  added      bigint NOT NULL,"
  "  last_seen  bigint,"
  "  UNIQUE (account_id, sign_pk)"
  ");"
  "CREATE TABLE key_queue ("
  "  kid           bigserial PRIMARY KEY,"
  "  recipient_id  bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,"
  "  ts            bigint NOT NULL,"
  "  sender        text NOT NULL,"
  "  room          text NOT NULL,"
  "  kind          integer NOT NULL CHECK (kind IN (0, 1)),"
  "  key_id        bigint,"
  "  box           bytea,"
  "  device_id     bigint REFERENCES devices (id) ON DELETE CASCADE,"
  "  sender_device bytea CHECK (sender_device IS NULL OR length (sender_device) = 32),"
  "  CHECK (kind <> 0 OR box IS NOT NULL)"
  ");"
  "CREATE INDEX key_queue_recipient ON key_queue (recipient_id, kid);"
  "CREATE INDEX key_queue_device ON key_queue (device_id, kid);"
  "CREATE TABLE device_prekey_bundles ("
  "  device_id bigint PRIMARY KEY REFERENCES devices (id) ON DELETE CASCADE,"
  "  bundle    bytea NOT NULL CHECK (length (bundle) = 238),"
  "  published bigint NOT NULL"
  ");"
  "CREATE TABLE device_one_time_prekeys ("
  "  seq       bigserial PRIMARY KEY,"
  "  device_id bigint NOT NULL REFERENCES devices (id) ON DELETE CASCADE,"
  "  key_id    bigint NOT NULL CHECK (key_id BETWEEN 0 AND 4294967295),"
  "  prekey    bytea NOT NULL CHECK (length (prekey) = 36),"
  "  UNIQUE (device_id, key_id)"
  ");"
  "CREATE INDEX device_one_time_prekeys_device ON device_one_time_prekeys (device_id, seq);"
  "CREATE TABLE history_queue ("
  "  hid           bigserial PRIMARY KEY,"
  "  device_id     bigint NOT NULL REFERENCES devices (id) ON DELETE CASCADE,"
  "  sender_device bytea NOT NULL CHECK (length (sender_device) = 32),"
  "  chunk         bytea NOT NULL CHECK (length (chunk) BETWEEN 1 AND 61440),"
  "  queued        bigint NOT NULL"
  ");"
  "CREATE INDEX history_queue_device ON history_queue (device_id, hid);"
  "CREATE TABLE blobs ("
  "  id         bytea PRIMARY KEY CHECK (length (id) = 16),"
  "  account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,"
  "  room_id    bigint NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,"
  "  size       bigint NOT NULL CHECK (size >= 41),"
  "  complete   integer NOT NULL DEFAULT 0 CHECK (complete IN (0, 1)),"
  "  created    bigint NOT NULL"
  ");"
  "CREATE INDEX blobs_account ON blobs (account_id);"
  "CREATE INDEX blobs_created ON blobs (created);",
};

/* The tables, parents first; each with the SQLite store's columns in the
 * order both sides are read and compared, and the order of its rows. */
static const SottoPgTable tables[] = {
  { "accounts", "id, username, password_hash, box_pk, sign_pk, binding, created",
    NULL, "id", "id" },
  { "rooms", "id, name, direct, owner, created, last_seq", NULL, "id", "id" },
  { "members", "room_id, account_id, joined, position", "room_id, account_id, joined, rowid",
    "rowid", "position" },
  { "room_log", "room_id, seq, ts, kind, sender, msg_id, body", NULL, "room_id, seq",
    "room_id, seq" },
  { "bans", "room_id, account_id, banned_by, banned", NULL, "room_id, account_id",
    "room_id, account_id" },
  { "room_state", "room_id, idx, body, sender, ts", NULL, "room_id, idx", "room_id, idx" },
  { "device_lists", "account_id, account_key, counter, list, published", NULL, "account_id",
    "account_id" },
  { "devices", "id, account_id, box_pk, sign_pk, binding, added, last_seen", NULL, "id", "id" },
  { "key_queue",
    "kid, recipient_id, ts, sender, room, kind, key_id, box, device_id, sender_device", NULL,
    "kid", "kid" },
  { "device_prekey_bundles", "device_id, bundle, published", NULL, "device_id", "device_id" },
  { "device_one_time_prekeys", "seq, device_id, key_id, prekey", NULL, "seq", "seq" },
  { "history_queue", "hid, device_id, sender_device, chunk, queued", NULL, "hid", "hid" },
  { "blobs", "id, account_id, room_id, size, complete, created", NULL, "id", "id" },
};

/* Each bigserial column, with the SQLite table whose AUTOINCREMENT
 * counter it takes over (such a counter may be past the largest id). */
static const SottoPgSerial serials[] = {
  { "accounts", "id", NULL },
  { "rooms", "id", NULL },
  { "members", "position", NULL },
  { "devices", "id", NULL },
  { "key_queue", "kid", "key_queue" },
  { "device_one_time_prekeys", "seq", NULL },
  { "history_queue", "hid", "history_queue" },
};

const char * const *
sotto_pg_schema_migrations (guint *n_migrations)
{
  *n_migrations = G_N_ELEMENTS (pg_migrations);
  return pg_migrations;
}

const SottoPgTable *
sotto_pg_schema_tables (guint *n_tables)
{
  *n_tables = G_N_ELEMENTS (tables);
  return tables;
}

const SottoPgSerial *
sotto_pg_schema_serials (guint *n_serials)
{
  *n_serials = G_N_ELEMENTS (serials);
  return serials;
}
