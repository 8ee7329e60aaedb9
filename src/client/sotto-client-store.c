/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sodium.h>
#include <sqlite3.h>
#include <string.h>

#include "sotto-client-store.h"
#include "sotto-password-seal.h"

/*
 * The client's SQLite store, one per server and account: the identity,
 * contacts, sender keys, rooms and the message history.
 *
 * A random 32-byte local key, sealed with the password
 * (sotto_password_seal(), Argon2id, in a worker thread), protects
 * everything secret. Two keys are derived from it and kept in
 * sodium_malloc() memory while the store is unlocked:
 *
 *  - the value key: every secret column (message bodies, sender-key
 *    states) is XChaCha20-Poly1305 with a random nonce, and the associated
 *    data names the table, the column and every other column of the row,
 *    so a value copied to another row, or a row whose clear columns were
 *    edited, fails to decrypt. Contact rows carry the same kind of tag over
 *    an empty plaintext, so nobody can mark a key verified or swap a
 *    contact's key behind the user's back;
 *  - the identity password: the e2e layer gives an identity's secret keys
 *    out only through sotto_identity_seal(), so the identity is sealed with
 *    a password made of 32 random bytes derived from the local key, at the
 *    lowest Argon2id cost: the key already has full entropy, stretching it
 *    would add nothing, and so saving an identity is cheap enough for the
 *    main loop and follows a change of password for free.
 *
 * In the clear: room names, user names, message ids, sequence numbers,
 * times and states, and the contacts' public identities. The server knows
 * all of these already.
 *
 * A locked store answers only sotto_client_store_is_new() and
 * sotto_client_store_set_password_async(); every other call fails with
 * %SOTTO_CLIENT_STORE_ERROR_NOT_UNLOCKED.
 *
 * Used from the main thread only. The connection holds SQLite's lock in
 * exclusive mode from open to close: a second client on the same account
 * cannot run beside this one and step the same sender keys.
 */

#define DEFAULT_BUSY_TIMEOUT_MS 1000

/* "SotC", in the header of every client database. */
#define APPLICATION_ID 0x536f7443

#define LOCAL_KEY_BYTES 32

/* crypto_kdf context and subkey ids of the keys derived from the local key. */
#define KDF_CONTEXT "SottoCSt"
#define KDF_ID_VALUE_KEY 1
#define KDF_ID_IDENTITY_PASSWORD 2

/* An encrypted value: version (1) | nonce (24) | ciphertext | tag (16). */
#define VALUE_VERSION 1
#define VALUE_NONCE_BYTES crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define VALUE_HEADER_BYTES (1 + VALUE_NONCE_BYTES)
#define VALUE_OVERHEAD (VALUE_HEADER_BYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES)

/* Prefixes the associated data of every value. */
#define AD_LABEL "sotto client store v1"

G_STATIC_ASSERT (crypto_aead_xchacha20poly1305_ietf_KEYBYTES == LOCAL_KEY_BYTES);
G_STATIC_ASSERT (crypto_kdf_KEYBYTES == LOCAL_KEY_BYTES);
G_STATIC_ASSERT (sizeof KDF_CONTEXT - 1 == crypto_kdf_CONTEXTBYTES);

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
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == SOTTO_CLIENT_STORE_SCHEMA_VERSION);
G_STATIC_ASSERT (APPLICATION_ID == 1399813187);

#define MESSAGE_COLUMNS "id, room, seq, msg_id, sender, ts, state, body"

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
  STMT_GET_NEWEST_SENDER_KEY,
  STMT_FORGET_SENDER_KEYS,
  STMT_SAVE_ROOM,
  STMT_SET_LAST_SEQ,
  STMT_GET_LAST_SEQ,
  STMT_LIST_ROOMS,
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
  N_STMTS
} StatementId;

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
    "SELECT identity, first_seen, verified, changed_at, tag FROM contacts WHERE user = ?1",
  [STMT_SET_CONTACT] =
    "INSERT INTO contacts (user, identity, first_seen, verified, changed_at, tag)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
    " ON CONFLICT (user) DO UPDATE SET identity = excluded.identity,"
    " first_seen = excluded.first_seen, verified = excluded.verified,"
    " changed_at = excluded.changed_at, tag = excluded.tag",
  /* An update keeps the rowid, which so gives the order keys were added. */
  [STMT_SET_SENDER_KEY] =
    "INSERT INTO sender_keys (room, owner, key_id, state) VALUES (?1, ?2, ?3, ?4)"
    " ON CONFLICT (room, owner, key_id) DO UPDATE SET state = excluded.state",
  [STMT_GET_SENDER_KEY] =
    "SELECT key_id, state FROM sender_keys WHERE room = ?1 AND owner = ?2 AND key_id = ?3",
  [STMT_GET_NEWEST_SENDER_KEY] =
    "SELECT key_id, state FROM sender_keys WHERE room = ?1 AND owner = ?2"
    " ORDER BY rowid DESC LIMIT 1",
  [STMT_FORGET_SENDER_KEYS] =
    "DELETE FROM sender_keys WHERE room = ?1 AND owner = ?2",
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
};

/* The keys derived from the local key, in sodium_malloc() memory, read-only
 * once filled in. */
typedef struct
{
  guint8 value_key[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
  char   identity_password[2 * LOCAL_KEY_BYTES + 1];
} LocalKeys;

struct _SottoClientStore
{
  GObject        parent_instance;

  sqlite3       *db;
  sqlite3_stmt  *statements[N_STMTS];

  /* Whether the file holds a sealed local key. */
  gboolean       has_local_key;
  /* Set while unlocked. */
  LocalKeys     *keys;
  /* Moved by every lock, so an unlock started before it does not apply. */
  guint          lock_serial;
};

G_DEFINE_FINAL_TYPE (SottoClientStore, sotto_client_store, G_TYPE_OBJECT)

G_DEFINE_QUARK (sotto-client-store-error-quark, sotto_client_store_error)

enum {
  PROP_0,
  PROP_UNLOCKED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* A cached statement borrowed for one call: declared g_auto(), it is
 * reset and its bindings dropped whichever way the call returns, so
 * SQLITE_STATIC bindings never outlive the caller's data.
 *
 * sqlite3_bind_*() can only fail on a wrong index, which the fixed SQL
 * rules out, or on sizes far beyond anything stored here; their results
 * are not checked. */
typedef sqlite3_stmt *BorrowedStatement;

static void
borrowed_statement_release (sqlite3_stmt *stmt)
{
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

G_DEFINE_AUTO_CLEANUP_FREE_FUNC (BorrowedStatement, borrowed_statement_release, NULL)

/* For the few statements that are prepared, used once and finalized. */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

/* Secure memory */

static gpointer
secure_alloc (gsize size)
{
  /* Never zero bytes: every caller gets a pointer it may hand to libsodium. */
  gpointer mem = sodium_malloc (MAX (size, 1));

  if (mem == NULL)
    g_error ("%s: failed to allocate %" G_GSIZE_FORMAT " bytes of secure memory",
             G_STRLOC, size);

  return mem;
}

static GBytes *
secure_bytes_new (gsize    size,
                  guint8 **data)
{
  guint8 *mem = secure_alloc (size);

  *data = mem;

  return g_bytes_new_with_free_func (mem, size, sodium_free, mem);
}

/* Passwords are compared byte for byte: the same text typed in another
 * composition must give the same bytes. */
static char *
secure_password_new (const char *password)
{
  g_autofree char *normalized = g_utf8_normalize (password, -1, G_NORMALIZE_NFC);
  gsize len;
  char *copy;

  g_assert (normalized != NULL);

  len = strlen (normalized);
  copy = secure_alloc (len + 1);
  memcpy (copy, normalized, len + 1);
  sodium_memzero (normalized, len);

  return copy;
}

/* g_bytes_get_data() gives NULL for an empty GBytes; libsodium and memcpy
 * want a valid pointer even for zero bytes. */
static const guint8 *
bytes_get_data (GBytes *bytes,
                gsize  *size)
{
  const guint8 *data = g_bytes_get_data (bytes, size);

  return data != NULL ? data : (const guint8 *) "";
}

static const guint8 *
column_blob (sqlite3_stmt *stmt,
             int           column,
             gsize        *size)
{
  const guint8 *data = sqlite3_column_blob (stmt, column);

  *size = (gsize) sqlite3_column_bytes (stmt, column);

  return data != NULL ? data : (const guint8 *) "";
}

/* Errors */

static SottoClientStoreError
error_code_from_sqlite (int rc)
{
  switch (rc & 0xff)
    {
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return SOTTO_CLIENT_STORE_ERROR_OPEN;

    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_FORMAT:
      return SOTTO_CLIENT_STORE_ERROR_CORRUPT;

    case SQLITE_IOERR:
    case SQLITE_PROTOCOL:
      return SOTTO_CLIENT_STORE_ERROR_IO;

    case SQLITE_FULL:
      return SOTTO_CLIENT_STORE_ERROR_FULL;

    case SQLITE_READONLY:
      return SOTTO_CLIENT_STORE_ERROR_READ_ONLY;

    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return SOTTO_CLIENT_STORE_ERROR_BUSY;

    case SQLITE_CONSTRAINT:
      return SOTTO_CLIENT_STORE_ERROR_CONSTRAINT;

    default:
      return SOTTO_CLIENT_STORE_ERROR_FAILED;
    }
}

/* Reports a failed SQLite call as "@what: <SQLite's message>". Must run
 * before anything else touches the connection, which would replace the
 * message. */
static void
store_set_error (SottoClientStore  *self,
                 GError           **error,
                 int                rc,
                 const char        *what)
{
  /* SQLite quotes what it could not parse, bytes of a damaged file
   * included: the message must stay valid UTF-8 for whoever shows it. */
  g_autofree char *detail = g_utf8_make_valid (self->db != NULL ? sqlite3_errmsg (self->db)
                                                                : sqlite3_errstr (rc), -1);

  g_set_error (error, SOTTO_CLIENT_STORE_ERROR, error_code_from_sqlite (rc),
               "%s: %s", what, detail);
}

static void
set_corrupt_error (GError     **error,
                   const char  *table)
{
  g_set_error (error, SOTTO_CLIENT_STORE_ERROR, SOTTO_CLIENT_STORE_ERROR_CORRUPT,
               _("An encrypted value in “%s” does not belong where it is stored; "
                 "the database was altered or damaged"),
               table);
}

static gboolean
store_require_unlocked (SottoClientStore  *self,
                        GError           **error)
{
  if (self->db == NULL)
    {
      g_set_error_literal (error, SOTTO_CLIENT_STORE_ERROR, SOTTO_CLIENT_STORE_ERROR_FAILED,
                           _("The store is closed"));
      return FALSE;
    }

  if (self->keys == NULL)
    {
      g_set_error_literal (error, SOTTO_CLIENT_STORE_ERROR,
                           SOTTO_CLIENT_STORE_ERROR_NOT_UNLOCKED,
                           _("The store is locked; unlock it with the password first"));
      return FALSE;
    }

  return TRUE;
}

/* SQL helpers */

static gboolean
store_exec (SottoClientStore  *self,
            const char        *sql,
            const char        *what,
            GError           **error)
{
  int rc = sqlite3_exec (self->db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    {
      store_set_error (self, error, rc, what);
      return FALSE;
    }

  return TRUE;
}

/* Rolls back whatever transaction is open, if any. SQLite may already
 * have done it after an I/O error. */
static void
store_rollback (SottoClientStore *self)
{
  if (!sqlite3_get_autocommit (self->db))
    {
      int rc = sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);

      if (rc != SQLITE_OK)
        g_warning ("Could not roll back the client store: %s", sqlite3_errmsg (self->db));
    }
}

static gboolean
store_begin (SottoClientStore  *self,
             GError           **error)
{
  return store_exec (self, "BEGIN IMMEDIATE", _("Could not start writing"), error);
}

static gboolean
store_commit (SottoClientStore  *self,
              GError           **error)
{
  if (!store_exec (self, "COMMIT", _("Could not save the changes"), error))
    {
      store_rollback (self);
      return FALSE;
    }

  return TRUE;
}

/* Prepares on first use; afterwards the same statement is reused. */
static sqlite3_stmt *
store_statement (SottoClientStore  *self,
                 StatementId        id,
                 GError           **error)
{
  g_assert (id < N_STMTS);

  if (self->db == NULL)
    {
      g_set_error_literal (error, SOTTO_CLIENT_STORE_ERROR, SOTTO_CLIENT_STORE_ERROR_FAILED,
                           _("The store is closed"));
      return NULL;
    }

  if (self->statements[id] == NULL)
    {
      int rc = sqlite3_prepare_v3 (self->db, statement_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
                                   &self->statements[id], NULL);

      if (rc != SQLITE_OK)
        {
          store_set_error (self, error, rc, _("Could not prepare a database query"));
          return NULL;
        }
    }

  return self->statements[id];
}

static gboolean
store_step_done (SottoClientStore  *self,
                 sqlite3_stmt      *stmt,
                 const char        *what,
                 GError           **error)
{
  int rc = sqlite3_step (stmt);

  if (rc != SQLITE_DONE)
    {
      store_set_error (self, error, rc, what);
      return FALSE;
    }

  return TRUE;
}

/* Steps a query expected to give at most one row: %TRUE with *found set,
 * the row then readable from @stmt. */
static gboolean
store_step_row (SottoClientStore  *self,
                sqlite3_stmt      *stmt,
                gboolean          *found,
                const char        *what,
                GError           **error)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_ROW || rc == SQLITE_DONE)
    {
      *found = rc == SQLITE_ROW;
      return TRUE;
    }

  store_set_error (self, error, rc, what);
  return FALSE;
}

static gint64
limit_or_none (guint limit)
{
  return limit > 0 ? (gint64) limit : -1;
}

/* Encryption of values */

/* The associated data binds a value to its table, column and row. Strings
 * carry a presence byte and a length, integers are 8 bytes, so no two
 * different rows give the same bytes. */
static GByteArray *
ad_new (const char *table,
        const char *column)
{
  GByteArray *ad = g_byte_array_sized_new (128);
  guint8 version = VALUE_VERSION;

  g_byte_array_append (ad, (const guint8 *) AD_LABEL, sizeof AD_LABEL);
  g_byte_array_append (ad, &version, 1);
  g_byte_array_append (ad, (const guint8 *) table, strlen (table) + 1);
  g_byte_array_append (ad, (const guint8 *) column, strlen (column) + 1);

  return ad;
}

static void
ad_add_int (GByteArray *ad,
            gint64      value)
{
  guint8 buf[8];
  guint64 v = (guint64) value;

  for (guint i = 0; i < 8; i++)
    buf[i] = (guint8) (v >> (56 - 8 * i));

  g_byte_array_append (ad, buf, sizeof buf);
}

static void
ad_add_bytes (GByteArray   *ad,
              const guint8 *data,
              gsize         size)
{
  ad_add_int (ad, (gint64) size);
  g_byte_array_append (ad, data, (guint) size);
}

static void
ad_add_string (GByteArray *ad,
               const char *value)
{
  guint8 present = value != NULL;

  g_byte_array_append (ad, &present, 1);
  if (value != NULL)
    ad_add_bytes (ad, (const guint8 *) value, strlen (value));
}

static GBytes *
store_seal_value (SottoClientStore *self,
                  GByteArray       *ad,
                  const guint8     *plaintext,
                  gsize             size)
{
  gsize blob_len = VALUE_OVERHEAD + size;
  guint8 *blob;

  g_assert (self->keys != NULL);
  g_assert (size <= G_MAXSIZE - VALUE_OVERHEAD);

  blob = g_malloc (blob_len);
  blob[0] = VALUE_VERSION;
  randombytes_buf (blob + 1, VALUE_NONCE_BYTES);
  crypto_aead_xchacha20poly1305_ietf_encrypt (blob + VALUE_HEADER_BYTES, NULL,
                                              plaintext, size,
                                              ad->data, ad->len,
                                              NULL, blob + 1, self->keys->value_key);

  return g_bytes_new_take (blob, blob_len);
}

/* Size of the plaintext in a value of @blob_len bytes, or -1 if too short. */
static gssize
value_plaintext_size (gsize blob_len)
{
  return blob_len < VALUE_OVERHEAD ? -1 : (gssize) (blob_len - VALUE_OVERHEAD);
}

/* Decrypts into @plaintext, which holds value_plaintext_size() bytes. */
static gboolean
store_open_value (SottoClientStore  *self,
                  GByteArray        *ad,
                  const guint8      *blob,
                  gsize              blob_len,
                  guint8            *plaintext,
                  const char        *table,
                  GError           **error)
{
  g_assert (self->keys != NULL);

  if (value_plaintext_size (blob_len) < 0 || blob[0] != VALUE_VERSION ||
      crypto_aead_xchacha20poly1305_ietf_decrypt (plaintext, NULL, NULL,
                                                  blob + VALUE_HEADER_BYTES,
                                                  blob_len - VALUE_HEADER_BYTES,
                                                  ad->data, ad->len,
                                                  blob + 1, self->keys->value_key) != 0)
    {
      set_corrupt_error (error, table);
      return FALSE;
    }

  return TRUE;
}

/* The lock */

static void
store_install_keys (SottoClientStore *self,
                    const guint8     *local_key)
{
  gboolean was_unlocked = self->keys != NULL;
  guint8 *identity_key;
  LocalKeys *keys;

  keys = secure_alloc (sizeof *keys);
  identity_key = secure_alloc (LOCAL_KEY_BYTES);

  crypto_kdf_derive_from_key (keys->value_key, sizeof keys->value_key,
                              KDF_ID_VALUE_KEY, KDF_CONTEXT, local_key);
  crypto_kdf_derive_from_key (identity_key, LOCAL_KEY_BYTES,
                              KDF_ID_IDENTITY_PASSWORD, KDF_CONTEXT, local_key);
  sodium_bin2hex (keys->identity_password, sizeof keys->identity_password,
                  identity_key, LOCAL_KEY_BYTES);
  sodium_free (identity_key);
  sodium_mprotect_readonly (keys);

  g_clear_pointer (&self->keys, sodium_free);
  self->keys = keys;

  if (!was_unlocked)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNLOCKED]);
}

/* Reads the sealed local key, or %NULL without error when there is none. */
static GBytes *
store_get_local_key (SottoClientStore  *self,
                     GError           **error)
{
  g_auto(BorrowedStatement) stmt = store_statement (self, STMT_GET_LOCAL_KEY, error);
  const guint8 *data;
  gboolean found;
  gsize size;

  if (stmt == NULL ||
      !store_step_row (self, stmt, &found, _("Could not read the local key"), error))
    return NULL;

  if (!found)
    return NULL;

  data = column_blob (stmt, 0, &size);
  return g_bytes_new (data, size);
}

/* Sotto */

static void
sotto_client_store_dispose (GObject *object)
{
  SottoClientStore *self = SOTTO_CLIENT_STORE (object);

  g_clear_pointer (&self->keys, sodium_free);

  if (self->db != NULL)
    {
      for (guint i = 0; i < N_STMTS; i++)
        g_clear_pointer (&self->statements[i], sqlite3_finalize);

      /* Closing checkpoints the WAL into the file and removes it. */
      if (sqlite3_close (self->db) != SQLITE_OK)
        g_warning ("Could not close the client store: %s", sqlite3_errmsg (self->db));
      self->db = NULL;
    }

  G_OBJECT_CLASS (sotto_client_store_parent_class)->dispose (object);
}

static void
sotto_client_store_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  SottoClientStore *self = SOTTO_CLIENT_STORE (object);

  switch (prop_id)
    {
    case PROP_UNLOCKED:
      g_value_set_boolean (value, sotto_client_store_is_unlocked (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sotto_client_store_class_init (SottoClientStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sotto_client_store_dispose;
  object_class->get_property = sotto_client_store_get_property;

  /**
   * SottoClientStore:unlocked:
   *
   * Whether the local key is in memory, so the encrypted parts can be read
   * and written.
   */
  properties[PROP_UNLOCKED] =
    g_param_spec_boolean ("unlocked", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  if (sodium_init () < 0)
    g_error ("sodium_init failed");
}

static void
sotto_client_store_init (SottoClientStore *self)
{
}

/* Opening */

static gboolean
store_read_pragma (SottoClientStore  *self,
                   const char        *sql,
                   gint64            *value,
                   GError           **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);

  if (rc != SQLITE_ROW)
    {
      store_set_error (self, error, rc, _("Could not read the database header"));
      return FALSE;
    }

  *value = sqlite3_column_int64 (stmt, 0);
  return TRUE;
}

/* Refuses a newer schema, and any SQLite database that is not ours. */
static gboolean
store_check_file (SottoClientStore  *self,
                  GError           **error)
{
  gint64 version;
  gint64 application_id;
  gint64 n_objects;

  if (!store_read_pragma (self, "PRAGMA user_version", &version, error) ||
      !store_read_pragma (self, "PRAGMA application_id", &application_id, error) ||
      !store_read_pragma (self, "SELECT count(*) FROM sqlite_schema", &n_objects, error))
    return FALSE;

  if ((version == 0 && n_objects > 0) ||
      (version > 0 && application_id != APPLICATION_ID))
    {
      g_set_error_literal (error, SOTTO_CLIENT_STORE_ERROR, SOTTO_CLIENT_STORE_ERROR_OPEN,
                           _("The file is a database, but not one of Sotto"));
      return FALSE;
    }

  /* user_version is a 32-bit signed integer in the file header. */
  if (version > SOTTO_CLIENT_STORE_SCHEMA_VERSION || version < 0)
    {
      g_set_error (error, SOTTO_CLIENT_STORE_ERROR, SOTTO_CLIENT_STORE_ERROR_TOO_NEW,
                   _("The database has schema version %d, but this Sotto knows versions "
                     "up to %d; use a newer Sotto"),
                   (int) version, SOTTO_CLIENT_STORE_SCHEMA_VERSION);
      return FALSE;
    }

  return TRUE;
}

/* Applies the missing migrations, one transaction each. */
static gboolean
store_migrate (SottoClientStore  *self,
               GError           **error)
{
  for (;;)
    {
      g_autofree char *set_version = NULL;
      gint64 version;

      if (!store_begin (self, error))
        return FALSE;

      if (!store_read_pragma (self, "PRAGMA user_version", &version, error))
        {
          store_rollback (self);
          return FALSE;
        }

      if (version >= SOTTO_CLIENT_STORE_SCHEMA_VERSION)
        return store_commit (self, error);

      if (version > 0)
        g_message ("Updating the client store schema from version %d to %d",
                   (int) version, (int) version + 1);

      set_version = g_strdup_printf ("PRAGMA user_version = %d", (int) version + 1);
      if (!store_exec (self, migrations[version], _("Could not update the schema"), error) ||
          !store_exec (self, set_version, _("Could not update the schema"), error) ||
          !store_commit (self, error))
        {
          store_rollback (self);
          return FALSE;
        }
    }
}

/* The file is made here, not by SQLite, so that it is private from the
 * start; SQLite gives the -wal file the same mode. */
static gboolean
create_private_file (const char  *path,
                     GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  int fd;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, SOTTO_CLIENT_STORE_ERROR, SOTTO_CLIENT_STORE_ERROR_OPEN,
                   _("Could not create the folder %s: %s"), dir, g_strerror (saved_errno));
      return FALSE;
    }

  fd = g_open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0)
    return g_close (fd, error);

  if (errno != EEXIST)
    {
      int saved_errno = errno;

      g_set_error (error, SOTTO_CLIENT_STORE_ERROR,
                   saved_errno == EROFS ? SOTTO_CLIENT_STORE_ERROR_READ_ONLY
                                        : SOTTO_CLIENT_STORE_ERROR_OPEN,
                   "%s", g_strerror (saved_errno));
      return FALSE;
    }

  return TRUE;
}

static gboolean
store_setup (SottoClientStore  *self,
             const char        *path,
             GError           **error)
{
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(GError) local_error = NULL;
  int rc;

  if (!create_private_file (path, error))
    return FALSE;

  rc = sqlite3_open_v2 (path, &self->db, SQLITE_OPEN_READWRITE, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error_literal (error, SOTTO_CLIENT_STORE_ERROR, SOTTO_CLIENT_STORE_ERROR_OPEN,
                           self->db != NULL ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc));
      return FALSE;
    }

  sqlite3_extended_result_codes (self->db, 1);
  sqlite3_busy_timeout (self->db, DEFAULT_BUSY_TIMEOUT_MS);

  /* SQLite silently falls back to read-only when it cannot write the file. */
  if (sqlite3_db_readonly (self->db, "main") == 1)
    {
      g_set_error_literal (error, SOTTO_CLIENT_STORE_ERROR, SOTTO_CLIENT_STORE_ERROR_READ_ONLY,
                           _("The file cannot be written"));
      return FALSE;
    }

  /* Exclusive locking is set before the first read, so that WAL mode uses
   * no shared memory and the lock, once taken, stays until close. */
  if (!store_exec (self, "PRAGMA locking_mode = EXCLUSIVE",
                   _("Could not configure the database"), error))
    return FALSE;

  /* Checked before anything writes to the file: a newer Sotto's database,
   * another program's, or a file that is not one is left as it was. */
  if (!store_check_file (self, error))
    return FALSE;

  /* synchronous=NORMAL in WAL mode: a commit survives the process being
   * killed but not a power cut. What the server acknowledged is fetched
   * again then, from the last_seq that was lost along with it.
   *
   * secure_delete: forgotten sender keys and history are overwritten, not
   * left in free pages (they are ciphertext, but of keys meant to be gone). */
  if (!store_exec (self,
                   "PRAGMA journal_mode = WAL;"
                   "PRAGMA synchronous = NORMAL;"
                   "PRAGMA secure_delete = ON;"
                   "PRAGMA temp_store = MEMORY;",
                   _("Could not configure the database"), error))
    return FALSE;

  if (!store_migrate (self, error))
    return FALSE;

  sealed = store_get_local_key (self, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  self->has_local_key = sealed != NULL;

  return TRUE;
}

/**
 * sotto_client_store_open:
 * @path: the database file, created (mode 0600, its folders 0700) if missing
 * @error: return location for a #SOTTO_CLIENT_STORE_ERROR
 *
 * Opens the store, locked, and brings its schema up to date. A file written
 * by a newer Sotto is refused with %SOTTO_CLIENT_STORE_ERROR_TOO_NEW, and a
 * file that is not a database with %SOTTO_CLIENT_STORE_ERROR_CORRUPT; both
 * are left as they were. A store open in another process gives
 * %SOTTO_CLIENT_STORE_ERROR_BUSY.
 *
 * Returns: (transfer full): the store, or %NULL
 */
SottoClientStore *
sotto_client_store_open (const char  *path,
                         GError     **error)
{
  g_autoptr(SottoClientStore) self = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (SOTTO_TYPE_CLIENT_STORE, NULL);

  if (!store_setup (self, path, error))
    {
      g_prefix_error (error, _("Could not open the database %s: "), path);
      return NULL;
    }

  return g_steal_pointer (&self);
}

/* Unlocking */

typedef struct
{
  /* sodium_malloc()ed and normalized. */
  char    *password;
  char    *new_password;
  guint64  opslimit;
  gsize    memlimit;
  /* The sealed local key read from the file, %NULL for a fresh store. */
  GBytes  *sealed;
  /* Sealed by the worker: a fresh key, or the key under a new password. */
  GBytes  *new_sealed;
  /* sodium_malloc()ed, filled by the worker. */
  guint8  *local_key;
  guint    lock_serial;
} KeyTaskData;

static void
key_task_data_free (KeyTaskData *data)
{
  g_clear_pointer (&data->password, sodium_free);
  g_clear_pointer (&data->new_password, sodium_free);
  g_clear_pointer (&data->sealed, g_bytes_unref);
  g_clear_pointer (&data->new_sealed, g_bytes_unref);
  g_clear_pointer (&data->local_key, sodium_free);
  g_free (data);
}

static gboolean
unseal_local_key (GBytes      *sealed,
                  const char  *password,
                  guint8      *local_key,
                  GError     **error)
{
  g_autoptr(GBytes) plaintext = sotto_password_unseal (sealed, password, error);
  const guint8 *data;
  gsize size;

  if (plaintext == NULL)
    return FALSE;

  data = bytes_get_data (plaintext, &size);
  if (size != LOCAL_KEY_BYTES)
    {
      g_set_error_literal (error, SOTTO_CLIENT_STORE_ERROR, SOTTO_CLIENT_STORE_ERROR_CORRUPT,
                           _("The sealed local key has the wrong size"));
      return FALSE;
    }

  memcpy (local_key, data, LOCAL_KEY_BYTES);
  return TRUE;
}

/* Runs in a worker: Argon2id takes a fraction of a second and 64 MiB. */
static void
unlock_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  KeyTaskData *data = task_data;
  GError *error = NULL;

  if (data->sealed == NULL)
    {
      g_autoptr(GBytes) plaintext = NULL;

      randombytes_buf (data->local_key, LOCAL_KEY_BYTES);
      plaintext = g_bytes_new_static (data->local_key, LOCAL_KEY_BYTES);
      data->new_sealed = sotto_password_seal (plaintext, data->password,
                                              data->opslimit, data->memlimit, &error);
      if (data->new_sealed == NULL)
        {
          g_task_return_error (task, error);
          return;
        }
    }
  else if (!unseal_local_key (data->sealed, data->password, data->local_key, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_return_boolean (task, TRUE);
}

static gboolean
store_add_local_key (SottoClientStore  *self,
                     GBytes            *sealed,
                     GError           **error)
{
  g_auto(BorrowedStatement) stmt = store_statement (self, STMT_ADD_LOCAL_KEY, error);
  const guint8 *data;
  gsize size;

  if (stmt == NULL)
    return FALSE;

  data = bytes_get_data (sealed, &size);
  sqlite3_bind_blob64 (stmt, 1, data, size, SQLITE_STATIC);

  if (!store_step_done (self, stmt, _("Could not save the local key"), error))
    return FALSE;

  /* Two first unlocks ran at once, and the other one won. */
  if (sqlite3_changes (self->db) != 1)
    {
      g_set_error_literal (error, SOTTO_CLIENT_STORE_ERROR, SOTTO_CLIENT_STORE_ERROR_FAILED,
                           _("The store got a password meanwhile; unlock it again"));
      return FALSE;
    }

  self->has_local_key = TRUE;
  return TRUE;
}

static void
unlock_thread_done_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SottoClientStore *self = g_task_get_source_object (task);
  KeyTaskData *data = g_task_get_task_data (G_TASK (result));
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, error);
      return;
    }

  if (data->lock_serial != self->lock_serial || self->db == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               _("The store was locked or closed while unlocking"));
      return;
    }

  if (data->new_sealed != NULL && !store_add_local_key (self, data->new_sealed, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  store_install_keys (self, data->local_key);
  g_task_return_boolean (task, TRUE);
}

/**
 * sotto_client_store_unlock_async:
 * @self: a #SottoClientStore
 * @password: the password, UTF-8 (normalized to NFC before use)
 * @opslimit: Argon2id passes for a fresh store, between
 *   %SOTTO_PWHASH_OPSLIMIT_MIN and %SOTTO_PWHASH_OPSLIMIT_MAX
 * @memlimit: Argon2id memory for a fresh store, between
 *   %SOTTO_PWHASH_MEMLIMIT_MIN and %SOTTO_PWHASH_MEMLIMIT_MAX
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Unlocks the store. The first time (sotto_client_store_is_new()), this
 * makes a random local key and seals it with @password at the given costs;
 * later, the costs stored with the sealed key apply and @opslimit and
 * @memlimit are not used. The password hashing runs in a worker thread.
 *
 * A wrong password fails with %SOTTO_E2E_ERROR_BAD_PASSWORD and changes
 * nothing, on disk or in memory.
 */
void
sotto_client_store_unlock_async (SottoClientStore    *self,
                                 const char          *password,
                                 guint64              opslimit,
                                 gsize                memlimit,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) thread_task = NULL;
  g_autoptr(GError) error = NULL;
  KeyTaskData *data;

  g_return_if_fail (SOTTO_IS_CLIENT_STORE (self));
  g_return_if_fail (password != NULL && g_utf8_validate (password, -1, NULL));
  g_return_if_fail (opslimit >= SOTTO_PWHASH_OPSLIMIT_MIN);
  g_return_if_fail (opslimit <= SOTTO_PWHASH_OPSLIMIT_MAX);
  g_return_if_fail (memlimit >= SOTTO_PWHASH_MEMLIMIT_MIN);
  g_return_if_fail (memlimit <= SOTTO_PWHASH_MEMLIMIT_MAX);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sotto_client_store_unlock_async);

  if (self->db == NULL)
    {
      g_task_return_new_error (task, SOTTO_CLIENT_STORE_ERROR, SOTTO_CLIENT_STORE_ERROR_FAILED,
                               _("The store is closed"));
      return;
    }

  data = g_new0 (KeyTaskData, 1);
  data->password = secure_password_new (password);
  data->opslimit = opslimit;
  data->memlimit = memlimit;
  data->local_key = secure_alloc (LOCAL_KEY_BYTES);
  data->lock_serial = self->lock_serial;
  data->sealed = store_get_local_key (self, &error);

  if (error != NULL)
    {
      key_task_data_free (data);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* The worker's task has no source object: the worker thread may drop
   * the last reference to it after the callback ran, and that must not be
   * the store's. The outer task keeps the store alive meanwhile. */
  thread_task = g_task_new (NULL, cancellable, unlock_thread_done_cb, g_steal_pointer (&task));
  g_task_set_source_tag (thread_task, sotto_client_store_unlock_async);
  g_task_set_task_data (thread_task, data, (GDestroyNotify) key_task_data_free);
  g_task_run_in_thread (thread_task, unlock_thread);
}

/**
 * sotto_client_store_unlock_finish:
 * @self: a #SottoClientStore
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Returns: %TRUE if the store is now unlocked
 */
gboolean
sotto_client_store_unlock_finish (SottoClientStore  *self,
                                  GAsyncResult      *result,
                                  GError           **error)
{
  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        sotto_client_store_unlock_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * sotto_client_store_lock:
 * @self: a #SottoClientStore
 *
 * Wipes the keys from memory; an unlock under way is cancelled.
 */
void
sotto_client_store_lock (SottoClientStore *self)
{
  g_return_if_fail (SOTTO_IS_CLIENT_STORE (self));

  self->lock_serial++;

  if (self->keys != NULL)
    {
      g_clear_pointer (&self->keys, sodium_free);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNLOCKED]);
    }
}

/**
 * sotto_client_store_is_new:
 * @self: a #SottoClientStore
 *
 * Returns: %TRUE if the store has no password yet: the first unlock sets it
 */
gboolean
sotto_client_store_is_new (SottoClientStore *self)
{
  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), FALSE);

  return !self->has_local_key;
}

/**
 * sotto_client_store_is_unlocked:
 * @self: a #SottoClientStore
 *
 * Returns: the value of #SottoClientStore:unlocked
 */
gboolean
sotto_client_store_is_unlocked (SottoClientStore *self)
{
  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), FALSE);

  return self->keys != NULL;
}

/* Runs in a worker: two Argon2id evaluations. */
static void
set_password_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  KeyTaskData *data = task_data;
  g_autoptr(GBytes) plaintext = NULL;
  GError *error = NULL;

  if (!unseal_local_key (data->sealed, data->password, data->local_key, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  plaintext = g_bytes_new_static (data->local_key, LOCAL_KEY_BYTES);
  data->new_sealed = sotto_password_seal (plaintext, data->new_password,
                                          data->opslimit, data->memlimit, &error);
  if (data->new_sealed == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_return_boolean (task, TRUE);
}

static void
set_password_thread_done_cb (GObject      *object,
                             GAsyncResult *result,
                             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SottoClientStore *self = g_task_get_source_object (task);
  KeyTaskData *data = g_task_get_task_data (G_TASK (result));
  g_auto(BorrowedStatement) stmt = NULL;
  GError *error = NULL;
  const guint8 *old_data;
  const guint8 *new_data;
  gsize old_size;
  gsize new_size;

  if (!g_task_propagate_boolean (G_TASK (result), &error) ||
      (stmt = store_statement (self, STMT_REPLACE_LOCAL_KEY, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  old_data = bytes_get_data (data->sealed, &old_size);
  new_data = bytes_get_data (data->new_sealed, &new_size);
  sqlite3_bind_blob64 (stmt, 1, old_data, old_size, SQLITE_STATIC);
  sqlite3_bind_blob64 (stmt, 2, new_data, new_size, SQLITE_STATIC);

  if (!store_step_done (self, stmt, _("Could not save the local key"), &error))
    {
      g_task_return_error (task, error);
      return;
    }

  if (sqlite3_changes (self->db) != 1)
    {
      g_task_return_new_error (task, SOTTO_CLIENT_STORE_ERROR, SOTTO_CLIENT_STORE_ERROR_FAILED,
                               _("The password was changed meanwhile"));
      return;
    }

  g_task_return_boolean (task, TRUE);
}

/**
 * sotto_client_store_set_password_async:
 * @self: a #SottoClientStore
 * @old_password: the current password
 * @new_password: the new password
 * @opslimit: Argon2id passes for the new seal
 * @memlimit: Argon2id memory for the new seal
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Seals the local key under @new_password; everything encrypted with the
 * local key stays as it is. A wrong @old_password fails with
 * %SOTTO_E2E_ERROR_BAD_PASSWORD; a store without a password yet fails with
 * %SOTTO_CLIENT_STORE_ERROR_NOT_FOUND. Works locked or unlocked, and leaves
 * that as it is.
 */
void
sotto_client_store_set_password_async (SottoClientStore    *self,
                                       const char          *old_password,
                                       const char          *new_password,
                                       guint64              opslimit,
                                       gsize                memlimit,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) thread_task = NULL;
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(GError) error = NULL;
  KeyTaskData *data;

  g_return_if_fail (SOTTO_IS_CLIENT_STORE (self));
  g_return_if_fail (old_password != NULL && g_utf8_validate (old_password, -1, NULL));
  g_return_if_fail (new_password != NULL && g_utf8_validate (new_password, -1, NULL));
  g_return_if_fail (opslimit >= SOTTO_PWHASH_OPSLIMIT_MIN);
  g_return_if_fail (opslimit <= SOTTO_PWHASH_OPSLIMIT_MAX);
  g_return_if_fail (memlimit >= SOTTO_PWHASH_MEMLIMIT_MIN);
  g_return_if_fail (memlimit <= SOTTO_PWHASH_MEMLIMIT_MAX);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sotto_client_store_set_password_async);

  if (self->db == NULL)
    {
      g_task_return_new_error (task, SOTTO_CLIENT_STORE_ERROR, SOTTO_CLIENT_STORE_ERROR_FAILED,
                               _("The store is closed"));
      return;
    }

  sealed = store_get_local_key (self, &error);
  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (sealed == NULL)
    {
      g_task_return_new_error (task, SOTTO_CLIENT_STORE_ERROR,
                               SOTTO_CLIENT_STORE_ERROR_NOT_FOUND,
                               _("The store has no password yet"));
      return;
    }

  data = g_new0 (KeyTaskData, 1);
  data->password = secure_password_new (old_password);
  data->new_password = secure_password_new (new_password);
  data->opslimit = opslimit;
  data->memlimit = memlimit;
  data->local_key = secure_alloc (LOCAL_KEY_BYTES);
  data->sealed = g_steal_pointer (&sealed);

  thread_task = g_task_new (NULL, cancellable, set_password_thread_done_cb,
                            g_steal_pointer (&task));
  g_task_set_source_tag (thread_task, sotto_client_store_set_password_async);
  g_task_set_task_data (thread_task, data, (GDestroyNotify) key_task_data_free);
  g_task_run_in_thread (thread_task, set_password_thread);
}

/**
 * sotto_client_store_set_password_finish:
 * @self: a #SottoClientStore
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Returns: %TRUE if the new password is in place
 */
gboolean
sotto_client_store_set_password_finish (SottoClientStore  *self,
                                        GAsyncResult      *result,
                                        GError           **error)
{
  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        sotto_client_store_set_password_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Identity */

/**
 * sotto_client_store_save_identity:
 * @self: a #SottoClientStore
 * @identity: our identity
 * @error: return location for a #GError
 *
 * Stores @identity, replacing any other, sealed under a key derived from
 * the local key (cheap: no password hashing).
 *
 * Returns: %TRUE on success
 */
gboolean
sotto_client_store_save_identity (SottoClientStore  *self,
                                  SottoIdentity     *identity,
                                  GError           **error)
{
  g_auto(BorrowedStatement) stmt = NULL;
  g_autoptr(GBytes) sealed = NULL;
  const guint8 *data;
  gsize size;

  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), FALSE);
  g_return_val_if_fail (SOTTO_IS_IDENTITY (identity), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!store_require_unlocked (self, error))
    return FALSE;

  sealed = sotto_identity_seal (identity, self->keys->identity_password,
                                SOTTO_PWHASH_OPSLIMIT_MIN, SOTTO_PWHASH_MEMLIMIT_MIN, error);
  if (sealed == NULL ||
      (stmt = store_statement (self, STMT_SET_IDENTITY, error)) == NULL)
    return FALSE;

  data = bytes_get_data (sealed, &size);
  sqlite3_bind_blob64 (stmt, 1, data, size, SQLITE_STATIC);

  return store_step_done (self, stmt, _("Could not save the identity"), error);
}

/**
 * sotto_client_store_load_identity:
 * @self: a #SottoClientStore
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): our identity, or %NULL, without an
 *   error if none was saved
 */
SottoIdentity *
sotto_client_store_load_identity (SottoClientStore  *self,
                                  GError           **error)
{
  g_auto(BorrowedStatement) stmt = NULL;
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(GError) local_error = NULL;
  SottoIdentity *identity;
  const guint8 *data;
  gboolean found;
  gsize size;

  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!store_require_unlocked (self, error) ||
      (stmt = store_statement (self, STMT_GET_IDENTITY, error)) == NULL ||
      !store_step_row (self, stmt, &found, _("Could not read the identity"), error) ||
      !found)
    return NULL;

  data = column_blob (stmt, 0, &size);
  sealed = g_bytes_new (data, size);

  identity = sotto_identity_unseal (sealed, self->keys->identity_password, &local_error);
  if (identity == NULL)
    {
      g_set_error (error, SOTTO_CLIENT_STORE_ERROR, SOTTO_CLIENT_STORE_ERROR_CORRUPT,
                   _("The stored identity cannot be opened: %s"), local_error->message);
      return NULL;
    }

  return identity;
}

/* Contacts */

/* The tag authenticates every column of the row. */
static GByteArray *
contact_ad (const char               *user,
            const SottoStoredContact *contact)
{
  GByteArray *ad = ad_new ("contacts", "tag");

  ad_add_string (ad, user);
  ad_add_bytes (ad, (const guint8 *) &contact->identity, sizeof contact->identity);
  ad_add_int (ad, contact->first_seen);
  ad_add_int (ad, contact->verified ? 1 : 0);
  ad_add_int (ad, contact->changed_at);

  return ad;
}

static gboolean
store_read_contact (SottoClientStore    *self,
                    const char          *user,
                    SottoStoredContact  *out,
                    gboolean            *found,
                    GError             **error)
{
  g_auto(BorrowedStatement) stmt = store_statement (self, STMT_GET_CONTACT, error);
  g_autoptr(GByteArray) ad = NULL;
  g_autoptr(GBytes) identity = NULL;
  SottoStoredContact contact = { 0 };
  const guint8 *data;
  const guint8 *tag;
  gsize size;
  gsize tag_size;
  guint8 empty[1];

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, user, -1, SQLITE_STATIC);
  if (!store_step_row (self, stmt, found, _("Could not read a contact"), error))
    return FALSE;

  if (!*found)
    return TRUE;

  data = column_blob (stmt, 0, &size);
  identity = g_bytes_new (data, size);
  contact.first_seen = sqlite3_column_int64 (stmt, 1);
  contact.verified = sqlite3_column_int64 (stmt, 2) != 0;
  contact.changed_at = sqlite3_column_int64 (stmt, 3);
  tag = column_blob (stmt, 4, &tag_size);

  if (!sotto_public_identity_from_bytes (identity, &contact.identity, NULL))
    {
      set_corrupt_error (error, "contacts");
      return FALSE;
    }

  if (value_plaintext_size (tag_size) != 0)
    {
      set_corrupt_error (error, "contacts");
      return FALSE;
    }

  ad = contact_ad (user, &contact);
  if (!store_open_value (self, ad, tag, tag_size, empty, "contacts", error))
    return FALSE;

  *out = contact;
  return TRUE;
}

static gboolean
store_write_contact (SottoClientStore          *self,
                     const char                *user,
                     const SottoStoredContact  *contact,
                     GError                   **error)
{
  g_auto(BorrowedStatement) stmt = store_statement (self, STMT_SET_CONTACT, error);
  g_autoptr(GByteArray) ad = NULL;
  g_autoptr(GBytes) tag = NULL;
  const guint8 *tag_data;
  gsize tag_size;

  if (stmt == NULL)
    return FALSE;

  ad = contact_ad (user, contact);
  tag = store_seal_value (self, ad, (const guint8 *) "", 0);
  tag_data = bytes_get_data (tag, &tag_size);

  sqlite3_bind_text (stmt, 1, user, -1, SQLITE_STATIC);
  sqlite3_bind_blob (stmt, 2, &contact->identity, sizeof contact->identity, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, contact->first_seen);
  sqlite3_bind_int (stmt, 4, contact->verified ? 1 : 0);
  sqlite3_bind_int64 (stmt, 5, contact->changed_at);
  sqlite3_bind_blob64 (stmt, 6, tag_data, tag_size, SQLITE_STATIC);

  return store_step_done (self, stmt, _("Could not save a contact"), error);
}

/**
 * sotto_client_store_see_identity:
 * @self: a #SottoClientStore
 * @user: the username
 * @identity: the identity the server gave for @user; its binding must verify
 * @now_ms: the time, in ms since the epoch
 * @out_result: (out) (optional): whether @identity is new, the one stored,
 *   or a change
 * @error: return location for a #GError
 *
 * Records that @user has @identity. The first identity of a user is
 * trusted on first use; a different one later replaces it, records the
 * time of the change and clears the verified flag, so the user is warned.
 *
 * Returns: %TRUE on success
 */
gboolean
sotto_client_store_see_identity (SottoClientStore           *self,
                                 const char                 *user,
                                 const SottoPublicIdentity  *identity,
                                 gint64                      now_ms,
                                 SottoIdentitySeen          *out_result,
                                 GError                    **error)
{
  SottoStoredContact contact = { 0 };
  SottoIdentitySeen result;
  gboolean found;

  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), FALSE);
  g_return_val_if_fail (user != NULL, FALSE);
  g_return_val_if_fail (identity != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!store_require_unlocked (self, error) ||
      !sotto_public_identity_verify (identity, error) ||
      !store_begin (self, error))
    return FALSE;

  if (!store_read_contact (self, user, &contact, &found, error))
    goto fail;

  if (!found)
    {
      result = SOTTO_IDENTITY_SEEN_NEW;
      contact.identity = *identity;
      contact.first_seen = now_ms;
      contact.verified = FALSE;
      contact.changed_at = 0;
    }
  else if (sotto_public_identity_equal (&contact.identity, identity))
    {
      result = SOTTO_IDENTITY_SEEN_SAME;
    }
  else
    {
      result = SOTTO_IDENTITY_SEEN_CHANGED;
      contact.identity = *identity;
      contact.verified = FALSE;
      contact.changed_at = now_ms;
    }

  if (result != SOTTO_IDENTITY_SEEN_SAME &&
      !store_write_contact (self, user, &contact, error))
    goto fail;

  if (!store_commit (self, error))
    return FALSE;

  if (out_result != NULL)
    *out_result = result;

  return TRUE;

fail:
  store_rollback (self);
  return FALSE;
}

/**
 * sotto_client_store_get_contact:
 * @self: a #SottoClientStore
 * @user: the username
 * @out: (out caller-allocates): the contact
 * @error: return location for a #GError
 *
 * Returns: %TRUE if @user is known; %FALSE without an error if not
 */
gboolean
sotto_client_store_get_contact (SottoClientStore    *self,
                                const char          *user,
                                SottoStoredContact  *out,
                                GError             **error)
{
  gboolean found;

  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), FALSE);
  g_return_val_if_fail (user != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return store_require_unlocked (self, error) &&
         store_read_contact (self, user, out, &found, error) &&
         found;
}

/**
 * sotto_client_store_set_verified:
 * @self: a #SottoClientStore
 * @user: a known user
 * @verified: whether the user compared safety numbers with @user
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success; an unknown @user is
 *   %SOTTO_CLIENT_STORE_ERROR_NOT_FOUND
 */
gboolean
sotto_client_store_set_verified (SottoClientStore  *self,
                                 const char        *user,
                                 gboolean           verified,
                                 GError           **error)
{
  SottoStoredContact contact = { 0 };
  gboolean found;

  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), FALSE);
  g_return_val_if_fail (user != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!store_require_unlocked (self, error) || !store_begin (self, error))
    return FALSE;

  if (!store_read_contact (self, user, &contact, &found, error))
    goto fail;

  if (!found)
    {
      g_set_error (error, SOTTO_CLIENT_STORE_ERROR, SOTTO_CLIENT_STORE_ERROR_NOT_FOUND,
                   _("No identity of “%s” was seen"), user);
      goto fail;
    }

  contact.verified = !!verified;
  if (!store_write_contact (self, user, &contact, error))
    goto fail;

  return store_commit (self, error);

fail:
  store_rollback (self);
  return FALSE;
}

/* Sender keys */

static GByteArray *
sender_key_ad (const char *room,
               const char *owner,
               guint32     key_id)
{
  GByteArray *ad = ad_new ("sender_keys", "state");

  ad_add_string (ad, room);
  ad_add_string (ad, owner);
  ad_add_int (ad, key_id);

  return ad;
}

/**
 * sotto_client_store_save_sender_key:
 * @self: a #SottoClientStore
 * @room: the room
 * @owner: the member who sends with @key (our own name for our own key)
 * @key: the sender key, in its current state
 * @error: return location for a #GError
 *
 * Stores the state of @key, replacing the state saved before for the same
 * room, owner and key id. Save again after every change of the chain.
 *
 * Returns: %TRUE on success
 */
gboolean
sotto_client_store_save_sender_key (SottoClientStore  *self,
                                    const char        *room,
                                    const char        *owner,
                                    SottoSenderKey    *key,
                                    GError           **error)
{
  g_auto(BorrowedStatement) stmt = NULL;
  g_autoptr(GByteArray) ad = NULL;
  g_autoptr(GBytes) serialized = NULL;
  g_autoptr(GBytes) sealed = NULL;
  const guint8 *data;
  guint32 key_id;
  gsize size;

  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), FALSE);
  g_return_val_if_fail (room != NULL, FALSE);
  g_return_val_if_fail (owner != NULL, FALSE);
  g_return_val_if_fail (SOTTO_IS_SENDER_KEY (key), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!store_require_unlocked (self, error) ||
      (stmt = store_statement (self, STMT_SET_SENDER_KEY, error)) == NULL)
    return FALSE;

  key_id = sotto_sender_key_get_key_id (key);
  serialized = sotto_sender_key_serialize (key);
  data = bytes_get_data (serialized, &size);
  ad = sender_key_ad (room, owner, key_id);
  sealed = store_seal_value (self, ad, data, size);
  data = bytes_get_data (sealed, &size);

  sqlite3_bind_text (stmt, 1, room, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, owner, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, key_id);
  sqlite3_bind_blob64 (stmt, 4, data, size, SQLITE_STATIC);

  return store_step_done (self, stmt, _("Could not save a sender key"), error);
}

/* Reads the sender key in the row @stmt stands on. */
static SottoSenderKey *
store_read_sender_key (SottoClientStore  *self,
                       sqlite3_stmt      *stmt,
                       const char        *room,
                       const char        *owner,
                       GError           **error)
{
  g_autoptr(GByteArray) ad = NULL;
  g_autoptr(GBytes) serialized = NULL;
  g_autoptr(SottoSenderKey) key = NULL;
  const guint8 *blob;
  guint8 *plaintext;
  gint64 key_id;
  gsize blob_len;
  gssize size;

  key_id = sqlite3_column_int64 (stmt, 0);
  blob = column_blob (stmt, 1, &blob_len);
  size = value_plaintext_size (blob_len);

  if (key_id < 0 || key_id > G_MAXUINT32 || size < 0)
    {
      set_corrupt_error (error, "sender_keys");
      return NULL;
    }

  ad = sender_key_ad (room, owner, (guint32) key_id);
  serialized = secure_bytes_new ((gsize) size, &plaintext);
  if (!store_open_value (self, ad, blob, blob_len, plaintext, "sender_keys", error))
    return NULL;

  key = sotto_sender_key_deserialize (serialized, NULL);
  if (key == NULL || sotto_sender_key_get_key_id (key) != (guint32) key_id)
    {
      set_corrupt_error (error, "sender_keys");
      return NULL;
    }

  return g_steal_pointer (&key);
}

/**
 * sotto_client_store_load_sender_key:
 * @self: a #SottoClientStore
 * @room: the room
 * @owner: the member who sends with the key
 * @key_id: the key id
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the sender key as last saved, or
 *   %NULL, without an error if there is none
 */
SottoSenderKey *
sotto_client_store_load_sender_key (SottoClientStore  *self,
                                    const char        *room,
                                    const char        *owner,
                                    guint32            key_id,
                                    GError           **error)
{
  g_auto(BorrowedStatement) stmt = NULL;
  gboolean found;

  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), NULL);
  g_return_val_if_fail (room != NULL, NULL);
  g_return_val_if_fail (owner != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!store_require_unlocked (self, error) ||
      (stmt = store_statement (self, STMT_GET_SENDER_KEY, error)) == NULL)
    return NULL;

  sqlite3_bind_text (stmt, 1, room, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, owner, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, key_id);

  if (!store_step_row (self, stmt, &found, _("Could not read a sender key"), error) || !found)
    return NULL;

  return store_read_sender_key (self, stmt, room, owner, error);
}

/**
 * sotto_client_store_load_own_sender_key:
 * @self: a #SottoClientStore
 * @room: the room
 * @own_user: our username
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the sender key of @own_user in @room
 *   that was saved first most recently (the current one after a rotation),
 *   or %NULL, without an error if there is none
 */
SottoSenderKey *
sotto_client_store_load_own_sender_key (SottoClientStore  *self,
                                        const char        *room,
                                        const char        *own_user,
                                        GError           **error)
{
  g_auto(BorrowedStatement) stmt = NULL;
  gboolean found;

  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), NULL);
  g_return_val_if_fail (room != NULL, NULL);
  g_return_val_if_fail (own_user != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!store_require_unlocked (self, error) ||
      (stmt = store_statement (self, STMT_GET_NEWEST_SENDER_KEY, error)) == NULL)
    return NULL;

  sqlite3_bind_text (stmt, 1, room, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, own_user, -1, SQLITE_STATIC);

  if (!store_step_row (self, stmt, &found, _("Could not read a sender key"), error) || !found)
    return NULL;

  return store_read_sender_key (self, stmt, room, own_user, error);
}

/**
 * sotto_client_store_forget_sender_keys:
 * @self: a #SottoClientStore
 * @room: the room
 * @owner: the member whose keys to forget
 * @error: return location for a #GError
 *
 * Deletes every sender key of @owner in @room, e.g. when they leave.
 *
 * Returns: %TRUE on success
 */
gboolean
sotto_client_store_forget_sender_keys (SottoClientStore  *self,
                                       const char        *room,
                                       const char        *owner,
                                       GError           **error)
{
  g_auto(BorrowedStatement) stmt = NULL;

  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), FALSE);
  g_return_val_if_fail (room != NULL, FALSE);
  g_return_val_if_fail (owner != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!store_require_unlocked (self, error) ||
      (stmt = store_statement (self, STMT_FORGET_SENDER_KEYS, error)) == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, room, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, owner, -1, SQLITE_STATIC);

  return store_step_done (self, stmt, _("Could not delete sender keys"), error);
}

/* Rooms */

void
sotto_stored_room_free (SottoStoredRoom *room)
{
  if (room == NULL)
    return;

  g_free (room->name);
  g_free (room);
}

/**
 * sotto_client_store_save_room:
 * @self: a #SottoClientStore
 * @room: the room
 * @direct: whether it is a direct chat
 * @error: return location for a #GError
 *
 * Adds @room to the known rooms, or updates its direct flag.
 *
 * Returns: %TRUE on success
 */
gboolean
sotto_client_store_save_room (SottoClientStore  *self,
                              const char        *room,
                              gboolean           direct,
                              GError           **error)
{
  g_auto(BorrowedStatement) stmt = NULL;

  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), FALSE);
  g_return_val_if_fail (room != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!store_require_unlocked (self, error) ||
      (stmt = store_statement (self, STMT_SAVE_ROOM, error)) == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, room, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 2, direct ? 1 : 0);

  return store_step_done (self, stmt, _("Could not save a room"), error);
}

/**
 * sotto_client_store_set_last_seq:
 * @self: a #SottoClientStore
 * @room: the room, added to the known rooms if missing
 * @seq: the highest sequence number now held
 * @error: return location for a #GError
 *
 * Records how far the history of @room goes, for the next catch-up. The
 * value never goes down: a smaller @seq (a late or repeated message)
 * leaves it as it is.
 *
 * Returns: %TRUE on success
 */
gboolean
sotto_client_store_set_last_seq (SottoClientStore  *self,
                                 const char        *room,
                                 gint64             seq,
                                 GError           **error)
{
  g_auto(BorrowedStatement) stmt = NULL;

  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), FALSE);
  g_return_val_if_fail (room != NULL, FALSE);
  g_return_val_if_fail (seq >= 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!store_require_unlocked (self, error) ||
      (stmt = store_statement (self, STMT_SET_LAST_SEQ, error)) == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, room, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, seq);

  return store_step_done (self, stmt, _("Could not save a room"), error);
}

/**
 * sotto_client_store_get_last_seq:
 * @self: a #SottoClientStore
 * @room: the room
 * @error: return location for a #GError
 *
 * Returns: the last sequence number recorded for @room, 0 if none, or -1
 *   with @error set
 */
gint64
sotto_client_store_get_last_seq (SottoClientStore  *self,
                                 const char        *room,
                                 GError           **error)
{
  g_auto(BorrowedStatement) stmt = NULL;
  gboolean found;

  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), -1);
  g_return_val_if_fail (room != NULL, -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  if (!store_require_unlocked (self, error) ||
      (stmt = store_statement (self, STMT_GET_LAST_SEQ, error)) == NULL)
    return -1;

  sqlite3_bind_text (stmt, 1, room, -1, SQLITE_STATIC);
  if (!store_step_row (self, stmt, &found, _("Could not read a room"), error))
    return -1;

  return found ? sqlite3_column_int64 (stmt, 0) : 0;
}

/**
 * sotto_client_store_list_rooms:
 * @self: a #SottoClientStore
 * @error: return location for a #GError
 *
 * Returns: (transfer container) (element-type SottoStoredRoom): the known
 *   rooms, by name, or %NULL on error
 */
GPtrArray *
sotto_client_store_list_rooms (SottoClientStore  *self,
                               GError           **error)
{
  g_auto(BorrowedStatement) stmt = NULL;
  g_autoptr(GPtrArray) rooms = NULL;
  int rc;

  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!store_require_unlocked (self, error) ||
      (stmt = store_statement (self, STMT_LIST_ROOMS, error)) == NULL)
    return NULL;

  rooms = g_ptr_array_new_with_free_func ((GDestroyNotify) sotto_stored_room_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *name = (const char *) sqlite3_column_text (stmt, 0);
      SottoStoredRoom *room;

      /* SQLite lets a TEXT primary key be NULL: only an edited file has one. */
      if (name == NULL)
        {
          g_set_error_literal (error, SOTTO_CLIENT_STORE_ERROR, SOTTO_CLIENT_STORE_ERROR_CORRUPT,
                               _("A room without a name is stored; the database was altered "
                                 "or damaged"));
          return NULL;
        }

      room = g_new0 (SottoStoredRoom, 1);
      room->name = g_strdup (name);
      room->direct = sqlite3_column_int (stmt, 1) != 0;
      room->last_seq = MAX (0, sqlite3_column_int64 (stmt, 2));
      g_ptr_array_add (rooms, room);
    }

  if (rc != SQLITE_DONE)
    {
      store_set_error (self, error, rc, _("Could not read the rooms"));
      return NULL;
    }

  return g_steal_pointer (&rooms);
}

static gboolean
store_run_for_room (SottoClientStore  *self,
                    StatementId        id,
                    const char        *room,
                    GError           **error)
{
  g_auto(BorrowedStatement) stmt = store_statement (self, id, error);

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, room, -1, SQLITE_STATIC);

  return store_step_done (self, stmt, _("Could not delete a room"), error);
}

/**
 * sotto_client_store_forget_room:
 * @self: a #SottoClientStore
 * @room: the room
 * @error: return location for a #GError
 *
 * Deletes @room, its history and its sender keys, all at once.
 *
 * Returns: %TRUE on success
 */
gboolean
sotto_client_store_forget_room (SottoClientStore  *self,
                                const char        *room,
                                GError           **error)
{
  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), FALSE);
  g_return_val_if_fail (room != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!store_require_unlocked (self, error) || !store_begin (self, error))
    return FALSE;

  if (!store_run_for_room (self, STMT_FORGET_ROOM_MESSAGES, room, error) ||
      !store_run_for_room (self, STMT_FORGET_ROOM_KEYS, room, error) ||
      !store_run_for_room (self, STMT_FORGET_ROOM, room, error))
    {
      store_rollback (self);
      return FALSE;
    }

  return store_commit (self, error);
}

/* History */

void
sotto_stored_message_free (SottoStoredMessage *message)
{
  if (message == NULL)
    return;

  g_free (message->room);
  g_free (message->msg_id);
  g_free (message->sender);
  g_clear_pointer (&message->body, g_bytes_unref);
  g_free (message);
}

/* The body is bound to every other column of its row. */
static GByteArray *
message_ad (const char              *room,
            const char              *sender,
            const char              *msg_id,
            gint64                   seq,
            gint64                   ts,
            SottoStoredMessageState  state)
{
  GByteArray *ad = ad_new ("messages", "body");

  ad_add_string (ad, room);
  ad_add_string (ad, sender);
  ad_add_string (ad, msg_id);
  ad_add_int (ad, seq);
  ad_add_int (ad, ts);
  ad_add_int (ad, state);

  return ad;
}

static gboolean
state_is_valid (SottoStoredMessageState state)
{
  return state >= SOTTO_STORED_MESSAGE_SENDING && state <= SOTTO_STORED_MESSAGE_SYSTEM;
}

/* Reads and decrypts the row @stmt stands on (MESSAGE_COLUMNS). */
static SottoStoredMessage *
store_read_message (SottoClientStore  *self,
                    sqlite3_stmt      *stmt,
                    GError           **error)
{
  g_autoptr(SottoStoredMessage) message = g_new0 (SottoStoredMessage, 1);
  g_autoptr(GByteArray) ad = NULL;
  g_autofree guint8 *body = NULL;
  const guint8 *blob;
  gsize blob_len;
  gssize size;

  message->id = sqlite3_column_int64 (stmt, 0);
  message->room = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  message->seq = sqlite3_column_int64 (stmt, 2);
  message->msg_id = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
  message->sender = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
  message->ts = sqlite3_column_int64 (stmt, 5);
  message->state = sqlite3_column_int (stmt, 6);
  blob = column_blob (stmt, 7, &blob_len);
  size = value_plaintext_size (blob_len);

  if (message->room == NULL || message->sender == NULL || size < 0)
    {
      set_corrupt_error (error, "messages");
      return NULL;
    }

  ad = message_ad (message->room, message->sender, message->msg_id,
                   message->seq, message->ts, message->state);
  body = g_malloc (MAX (size, 1));
  if (!store_open_value (self, ad, blob, blob_len, body, "messages", error))
    return NULL;

  /* Checked after decryption: only an altered row can hold a bad state. */
  if (!state_is_valid (message->state))
    {
      set_corrupt_error (error, "messages");
      return NULL;
    }

  message->body = g_bytes_new_take (g_steal_pointer (&body), (gsize) size);

  return g_steal_pointer (&message);
}

/* Appends the rows of @stmt to @messages. */
static gboolean
store_collect_messages (SottoClientStore  *self,
                        sqlite3_stmt      *stmt,
                        GPtrArray         *messages,
                        GError           **error)
{
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      SottoStoredMessage *message = store_read_message (self, stmt, error);

      if (message == NULL)
        return FALSE;

      g_ptr_array_add (messages, message);
    }

  if (rc != SQLITE_DONE)
    {
      store_set_error (self, error, rc, _("Could not read the history"));
      return FALSE;
    }

  return TRUE;
}

/* Finds a message by (room, sender, msg_id) when @msg_id is set, else by
 * (room, seq). %TRUE and *out = NULL when there is none. */
static gboolean
store_find_message (SottoClientStore    *self,
                    const char          *room,
                    const char          *sender,
                    const char          *msg_id,
                    gint64               seq,
                    SottoStoredMessage **out,
                    GError             **error)
{
  g_auto(BorrowedStatement) stmt = NULL;
  gboolean found;

  *out = NULL;

  stmt = store_statement (self, msg_id != NULL ? STMT_FIND_MESSAGE_BY_MSG_ID
                                               : STMT_FIND_MESSAGE_BY_SEQ, error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, room, -1, SQLITE_STATIC);
  if (msg_id != NULL)
    {
      sqlite3_bind_text (stmt, 2, sender, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 3, msg_id, -1, SQLITE_STATIC);
    }
  else
    {
      sqlite3_bind_int64 (stmt, 2, seq);
    }

  if (!store_step_row (self, stmt, &found, _("Could not read the history"), error))
    return FALSE;

  if (!found)
    return TRUE;

  *out = store_read_message (self, stmt, error);
  return *out != NULL;
}

static void
bind_nullable_seq (sqlite3_stmt *stmt,
                   int           column,
                   gint64        seq)
{
  if (seq > 0)
    sqlite3_bind_int64 (stmt, column, seq);
  else
    sqlite3_bind_null (stmt, column);
}

/**
 * sotto_client_store_add_message:
 * @self: a #SottoClientStore
 * @room: the room
 * @sender: the sender's username ("" for an event without one)
 * @msg_id: (nullable): the sender's message id; %NULL only for events,
 *   which then need a @seq
 * @seq: the room's sequence number, or 0 while not acknowledged
 * @ts: the time of the message, in ms since the epoch
 * @state: the state
 * @body: the plaintext, or the raw envelope while waiting for its key
 * @out_added: (out) (optional): %FALSE if the message was already stored
 * @error: return location for a #GError
 *
 * Adds a message to the history, once: a message already stored under the
 * same room, sender and @msg_id (or room and @seq, without a @msg_id) is
 * left as it is. A @seq taken by another message fails with
 * %SOTTO_CLIENT_STORE_ERROR_CONSTRAINT.
 *
 * Returns: %TRUE on success, whether or not the message was new
 */
gboolean
sotto_client_store_add_message (SottoClientStore         *self,
                                const char               *room,
                                const char               *sender,
                                const char               *msg_id,
                                gint64                    seq,
                                gint64                    ts,
                                SottoStoredMessageState   state,
                                GBytes                   *body,
                                gboolean                 *out_added,
                                GError                  **error)
{
  g_autoptr(SottoStoredMessage) existing = NULL;
  g_autoptr(GByteArray) ad = NULL;
  g_autoptr(GBytes) sealed = NULL;
  g_auto(BorrowedStatement) stmt = NULL;
  const guint8 *data;
  gsize size;

  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), FALSE);
  g_return_val_if_fail (room != NULL, FALSE);
  g_return_val_if_fail (sender != NULL, FALSE);
  g_return_val_if_fail (msg_id != NULL || seq > 0, FALSE);
  g_return_val_if_fail (seq >= 0, FALSE);
  g_return_val_if_fail (state_is_valid (state), FALSE);
  g_return_val_if_fail (body != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!store_require_unlocked (self, error) || !store_begin (self, error))
    return FALSE;

  if (!store_find_message (self, room, sender, msg_id, seq, &existing, error))
    goto fail;

  if (existing != NULL)
    {
      if (out_added != NULL)
        *out_added = FALSE;
      return store_commit (self, error);
    }

  stmt = store_statement (self, STMT_ADD_MESSAGE, error);
  if (stmt == NULL)
    goto fail;

  data = bytes_get_data (body, &size);
  ad = message_ad (room, sender, msg_id, seq, ts, state);
  sealed = store_seal_value (self, ad, data, size);
  data = bytes_get_data (sealed, &size);

  sqlite3_bind_text (stmt, 1, room, -1, SQLITE_STATIC);
  bind_nullable_seq (stmt, 2, seq);
  sqlite3_bind_text (stmt, 3, msg_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, sender, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 5, ts);
  sqlite3_bind_int (stmt, 6, state);
  sqlite3_bind_blob64 (stmt, 7, data, size, SQLITE_STATIC);

  if (!store_step_done (self, stmt, _("Could not save a message"), error))
    goto fail;

  if (!store_commit (self, error))
    return FALSE;

  if (out_added != NULL)
    *out_added = TRUE;

  return TRUE;

fail:
  store_rollback (self);
  return FALSE;
}

/* Changes the message found by @msg_id (with @sender) or @seq. */
static gboolean
store_update_message (SottoClientStore         *self,
                      const char               *room,
                      const char               *sender,
                      const char               *msg_id,
                      gint64                    find_seq,
                      SottoStoredMessageState   state,
                      gint64                    new_seq,
                      GBytes                   *body,
                      GError                  **error)
{
  g_autoptr(SottoStoredMessage) message = NULL;
  g_autoptr(GByteArray) ad = NULL;
  g_autoptr(GBytes) sealed = NULL;
  g_auto(BorrowedStatement) stmt = NULL;
  const guint8 *data;
  gsize size;

  if (!store_require_unlocked (self, error) || !store_begin (self, error))
    return FALSE;

  if (!store_find_message (self, room, sender, msg_id, find_seq, &message, error))
    goto fail;

  if (message == NULL)
    {
      g_set_error_literal (error, SOTTO_CLIENT_STORE_ERROR, SOTTO_CLIENT_STORE_ERROR_NOT_FOUND,
                           _("No such message in the history"));
      goto fail;
    }

  if (new_seq > 0)
    message->seq = new_seq;
  message->state = state;
  if (body != NULL)
    {
      g_bytes_unref (message->body);
      message->body = g_bytes_ref (body);
    }

  stmt = store_statement (self, STMT_UPDATE_MESSAGE, error);
  if (stmt == NULL)
    goto fail;

  data = bytes_get_data (message->body, &size);
  ad = message_ad (message->room, message->sender, message->msg_id,
                   message->seq, message->ts, message->state);
  sealed = store_seal_value (self, ad, data, size);
  data = bytes_get_data (sealed, &size);

  sqlite3_bind_int64 (stmt, 1, message->id);
  bind_nullable_seq (stmt, 2, message->seq);
  sqlite3_bind_int (stmt, 3, message->state);
  sqlite3_bind_blob64 (stmt, 4, data, size, SQLITE_STATIC);

  if (!store_step_done (self, stmt, _("Could not save a message"), error))
    goto fail;

  return store_commit (self, error);

fail:
  store_rollback (self);
  return FALSE;
}

/**
 * sotto_client_store_update_message:
 * @self: a #SottoClientStore
 * @room: the room
 * @sender: the sender
 * @msg_id: the sender's message id
 * @state: the new state
 * @seq: the sequence number to set, or 0 to keep the one stored
 * @body: (nullable): the new body, or %NULL to keep the one stored
 * @error: return location for a #GError
 *
 * Changes a stored message, e.g. ours once the server acknowledged it.
 *
 * Returns: %TRUE on success; an unknown message is
 *   %SOTTO_CLIENT_STORE_ERROR_NOT_FOUND
 */
gboolean
sotto_client_store_update_message (SottoClientStore         *self,
                                   const char               *room,
                                   const char               *sender,
                                   const char               *msg_id,
                                   SottoStoredMessageState   state,
                                   gint64                    seq,
                                   GBytes                   *body,
                                   GError                  **error)
{
  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), FALSE);
  g_return_val_if_fail (room != NULL, FALSE);
  g_return_val_if_fail (sender != NULL, FALSE);
  g_return_val_if_fail (msg_id != NULL, FALSE);
  g_return_val_if_fail (state_is_valid (state), FALSE);
  g_return_val_if_fail (seq >= 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return store_update_message (self, room, sender, msg_id, 0, state, seq, body, error);
}

/**
 * sotto_client_store_update_message_by_seq:
 * @self: a #SottoClientStore
 * @room: the room
 * @seq: the sequence number of the message
 * @state: the new state
 * @body: (nullable): the new body, or %NULL to keep the one stored
 * @error: return location for a #GError
 *
 * Changes a stored message, e.g. one that waited for its sender key and
 * is now decrypted.
 *
 * Returns: %TRUE on success; an unknown message is
 *   %SOTTO_CLIENT_STORE_ERROR_NOT_FOUND
 */
gboolean
sotto_client_store_update_message_by_seq (SottoClientStore         *self,
                                          const char               *room,
                                          gint64                    seq,
                                          SottoStoredMessageState   state,
                                          GBytes                   *body,
                                          GError                  **error)
{
  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), FALSE);
  g_return_val_if_fail (room != NULL, FALSE);
  g_return_val_if_fail (seq > 0, FALSE);
  g_return_val_if_fail (state_is_valid (state), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return store_update_message (self, room, NULL, NULL, seq, state, 0, body, error);
}

/**
 * sotto_client_store_load_history:
 * @self: a #SottoClientStore
 * @room: the room
 * @before_seq: load messages before this sequence number, or 0 for the
 *   latest page
 * @limit: how many acknowledged messages at most, 0 for all
 * @error: return location for a #GError
 *
 * Loads a page of history, oldest first, in sequence order. The latest page
 * ends with every message not acknowledged yet (no sequence number), in the
 * order they were added; they do not count in @limit. The next page back
 * starts before the first sequence number of this one.
 *
 * Returns: (transfer container) (element-type SottoStoredMessage): the
 *   messages, or %NULL on error; a message that fails to decrypt fails the
 *   whole page with %SOTTO_CLIENT_STORE_ERROR_CORRUPT
 */
GPtrArray *
sotto_client_store_load_history (SottoClientStore  *self,
                                 const char        *room,
                                 gint64             before_seq,
                                 guint              limit,
                                 GError           **error)
{
  g_autoptr(GPtrArray) messages = NULL;

  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), NULL);
  g_return_val_if_fail (room != NULL, NULL);
  g_return_val_if_fail (before_seq >= 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!store_require_unlocked (self, error))
    return NULL;

  messages = g_ptr_array_new_with_free_func ((GDestroyNotify) sotto_stored_message_free);

  {
    g_auto(BorrowedStatement) stmt = store_statement (self, STMT_MESSAGES_BEFORE, error);

    if (stmt == NULL)
      return NULL;

    sqlite3_bind_text (stmt, 1, room, -1, SQLITE_STATIC);
    sqlite3_bind_int64 (stmt, 2, before_seq > 0 ? before_seq : G_MAXINT64);
    sqlite3_bind_int64 (stmt, 3, limit_or_none (limit));

    if (!store_collect_messages (self, stmt, messages, error))
      return NULL;

    /* Read newest first to honour the limit; given oldest first. */
    for (guint i = 0, j = messages->len; i + 1 < j; i++, j--)
      {
        gpointer swap = messages->pdata[i];

        messages->pdata[i] = messages->pdata[j - 1];
        messages->pdata[j - 1] = swap;
      }
  }

  if (before_seq == 0)
    {
      g_auto(BorrowedStatement) stmt = store_statement (self, STMT_PENDING_MESSAGES, error);

      if (stmt == NULL)
        return NULL;

      sqlite3_bind_text (stmt, 1, room, -1, SQLITE_STATIC);

      if (!store_collect_messages (self, stmt, messages, error))
        return NULL;
    }

  return g_steal_pointer (&messages);
}

/**
 * sotto_client_store_list_messages:
 * @self: a #SottoClientStore
 * @room: (nullable): the room, or %NULL for all rooms
 * @state: the state to list
 * @error: return location for a #GError
 *
 * Lists the messages in @state in the order they were added, e.g. those
 * waiting for a sender key.
 *
 * Returns: (transfer container) (element-type SottoStoredMessage): the
 *   messages, or %NULL on error
 */
GPtrArray *
sotto_client_store_list_messages (SottoClientStore         *self,
                                  const char               *room,
                                  SottoStoredMessageState   state,
                                  GError                  **error)
{
  g_autoptr(GPtrArray) messages = NULL;
  g_auto(BorrowedStatement) stmt = NULL;

  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), NULL);
  g_return_val_if_fail (state_is_valid (state), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!store_require_unlocked (self, error))
    return NULL;

  stmt = store_statement (self, room != NULL ? STMT_ROOM_MESSAGES_IN_STATE
                                             : STMT_MESSAGES_IN_STATE, error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int (stmt, 1, state);
  if (room != NULL)
    sqlite3_bind_text (stmt, 2, room, -1, SQLITE_STATIC);

  messages = g_ptr_array_new_with_free_func ((GDestroyNotify) sotto_stored_message_free);
  if (!store_collect_messages (self, stmt, messages, error))
    return NULL;

  return g_steal_pointer (&messages);
}

/**
 * sotto_client_store_list_outbox:
 * @self: a #SottoClientStore
 * @error: return location for a #GError
 *
 * Lists our messages not acknowledged by the server yet, of every room, in
 * the order they were written: what to send again after a reconnection.
 *
 * Returns: (transfer container) (element-type SottoStoredMessage): the
 *   messages, or %NULL on error
 */
GPtrArray *
sotto_client_store_list_outbox (SottoClientStore  *self,
                                GError           **error)
{
  return sotto_client_store_list_messages (self, NULL, SOTTO_STORED_MESSAGE_SENDING, error);
}
