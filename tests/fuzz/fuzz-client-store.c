/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "sotto-client-store.h"
#include "sotto-e2e.h"
#include "sotto-e2e-private.h"
#include "sotto-identity-private.h"
#include "sotto-password-seal.h"

/*
 * The loaders of the client's local store: the sealed local key, the
 * sealed identity, history rows, sender-key rows, contacts, rooms, the
 * sealed account key and the device list, read back from a database file
 * that someone else may have written.
 *
 * A template store is made once, the way the client makes one: unlocked
 * with a password, holding an identity, a room, a contact, sender keys,
 * history in every state, an account key and a device list. Every input
 * starts from a fresh copy of it.
 * The first byte picks what the input does to the copy:
 *
 *  - MODE_RAW_ROW: one SQL statement from a fixed list (insert or replace
 *    a row, or set one column of an existing row) with values of any type
 *    taken from the input, or moved from another row of the template;
 *  - MODE_HONEST_ROW: a history row written through the API with fields
 *    from the input, then optionally one of its columns edited in the
 *    file. Read back, it must be exactly what was written, or refused;
 *  - MODE_PATCH_FILE: bytes of the input written over the file at an
 *    offset the input chooses.
 *
 * Then the store is opened, unlocked and every loader runs. Each one must
 * return sane data or fail with a SOTTO_CLIENT_STORE_ERROR (or a
 * SOTTO_E2E_ERROR for the password), never crash, leak or warn.
 *
 * Argon2id: sealed blobs state their own costs. Blobs bound to the local
 * key and the identity with costs inside the accepted range are rewritten
 * to the minimum before they are stored, so that no input takes a second.
 */

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

typedef enum
{
  MODE_RAW_ROW,
  MODE_HONEST_ROW,
  MODE_PATCH_FILE,
  N_MODES
} Mode;

#define PASSWORD "fuzz password"
#define ROOM "#fuzz"
#define OWN_USER "alice"
#define CONTACT "bob"
#define OWN_KEY_ID 42
#define CONTACT_KEY_ID 7

/* The sealed blob layout (sotto-password-seal.c). */
#define SEAL_OFFSET_OPSLIMIT 6
#define SEAL_OFFSET_MEMLIMIT 14

/* @by_row: ?1 is the row id the input chooses; @sealed: blobs bound are
 * sealed with a password and get the cheapest costs. */
typedef struct
{
  const char *sql;
  guint       n_params;
  gboolean    by_row;
  gboolean    sealed;
} RawStatement;

/* Each edit a damaged or hostile file could hold. Row ids 1 to 6 are the
 * template's messages. */
static const RawStatement raw_statements[] = {
  { "INSERT OR REPLACE INTO identity (id, sealed) VALUES (1, ?1)", 1, FALSE, TRUE },
  { "INSERT OR REPLACE INTO local_key (id, sealed) VALUES (1, ?1)", 1, FALSE, TRUE },
  { "INSERT INTO messages (room, seq, msg_id, sender, ts, state, body)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", 7, FALSE, FALSE },
  { "UPDATE messages SET room = ?2 WHERE id = ?1", 2, TRUE, FALSE },
  { "UPDATE messages SET seq = ?2 WHERE id = ?1", 2, TRUE, FALSE },
  { "UPDATE messages SET msg_id = ?2 WHERE id = ?1", 2, TRUE, FALSE },
  { "UPDATE messages SET sender = ?2 WHERE id = ?1", 2, TRUE, FALSE },
  { "UPDATE messages SET ts = ?2 WHERE id = ?1", 2, TRUE, FALSE },
  { "UPDATE messages SET state = ?2 WHERE id = ?1", 2, TRUE, FALSE },
  { "UPDATE messages SET body = ?2 WHERE id = ?1", 2, TRUE, FALSE },
  { "INSERT OR REPLACE INTO sender_keys (room, owner, key_id, state) VALUES (?1, ?2, ?3, ?4)",
    4, FALSE, FALSE },
  { "UPDATE sender_keys SET key_id = ?1", 1, FALSE, FALSE },
  { "UPDATE sender_keys SET state = ?2 WHERE rowid = ?1", 2, TRUE, FALSE },
  { "INSERT OR REPLACE INTO contacts (user, identity, first_seen, verified, changed_at, tag)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)", 6, FALSE, FALSE },
  { "UPDATE contacts SET verified = ?1, tag = ?2", 2, FALSE, FALSE },
  { "UPDATE contacts SET identity = ?1", 1, FALSE, FALSE },
  { "INSERT OR REPLACE INTO rooms (name, direct, last_seq) VALUES (?1, ?2, ?3)",
    3, FALSE, FALSE },
  { "INSERT OR REPLACE INTO pins (server, public_key) VALUES (?1, ?2)", 2, FALSE, FALSE },
  { "INSERT OR REPLACE INTO account (id, sealed, list, published) VALUES (1, ?1, ?2, ?3)",
    3, FALSE, FALSE },
  { "UPDATE account SET sealed = ?1", 1, FALSE, FALSE },
  { "UPDATE account SET list = ?1, published = ?2", 2, FALSE, FALSE },
  { "DELETE FROM local_key", 0, FALSE, FALSE },
  { "DELETE FROM identity", 0, FALSE, FALSE },
  { "PRAGMA user_version = 2", 0, FALSE, FALSE },
};

/* The columns an honest row can have edited afterwards. */
static const RawStatement honest_edits[] = {
  { NULL, 0, FALSE, FALSE },
  { "UPDATE messages SET room = ?2 WHERE id = ?1", 2, TRUE, FALSE },
  { "UPDATE messages SET seq = ?2 WHERE id = ?1", 2, TRUE, FALSE },
  { "UPDATE messages SET msg_id = ?2 WHERE id = ?1", 2, TRUE, FALSE },
  { "UPDATE messages SET sender = ?2 WHERE id = ?1", 2, TRUE, FALSE },
  { "UPDATE messages SET ts = ?2 WHERE id = ?1", 2, TRUE, FALSE },
  { "UPDATE messages SET state = ?2 WHERE id = ?1", 2, TRUE, FALSE },
  { "UPDATE messages SET body = ?2 WHERE id = ?1", 2, TRUE, FALSE },
};

static char *work_dir;
static char *work_path;
static GBytes *template_file;
/* Every blob of the template, to move between rows. */
static GPtrArray *donors;

typedef struct
{
  const guint8 *data;
  gsize         size;
} Reader;

static guint8
read_byte (Reader *reader)
{
  guint8 byte;

  if (reader->size == 0)
    return 0;

  byte = reader->data[0];
  reader->data++;
  reader->size--;
  return byte;
}

static gint64
read_int (Reader *reader)
{
  guint64 value = 0;

  for (guint i = 0; i < 8; i++)
    value = value << 8 | read_byte (reader);

  return (gint64) value;
}

/* A length byte, then that many bytes (fewer at the end of the input). */
static GBytes *
read_bytes (Reader *reader)
{
  gsize wanted = read_byte (reader);
  gsize length = MIN (wanted, reader->size);
  GBytes *bytes = g_bytes_new (reader->data, length);

  reader->data += length;
  reader->size -= length;
  return bytes;
}

static GBytes *
read_rest (Reader *reader)
{
  GBytes *bytes = g_bytes_new (reader->data, reader->size);

  reader->data += reader->size;
  reader->size = 0;
  return bytes;
}

static char *
read_string (Reader *reader)
{
  g_autoptr(GBytes) bytes = read_bytes (reader);
  gsize size;
  const char *data = g_bytes_get_data (bytes, &size);

  return g_strndup (size > 0 ? data : "", size);
}

/* Rewrites accepted Argon2id costs to the cheapest ones. */
static GBytes *
cheapen_seal (GBytes *sealed)
{
  gsize len = g_bytes_get_size (sealed);
  guint64 opslimit;
  guint64 memlimit;
  guint8 *data;

  if (len < SEAL_OFFSET_MEMLIMIT + 8)
    return g_bytes_ref (sealed);

  data = g_memdup2 (g_bytes_get_data (sealed, NULL), len);
  opslimit = _sotto_e2e_get_u64 (data + SEAL_OFFSET_OPSLIMIT);
  memlimit = _sotto_e2e_get_u64 (data + SEAL_OFFSET_MEMLIMIT);
  if (opslimit >= SOTTO_PWHASH_OPSLIMIT_MIN && opslimit <= SOTTO_PWHASH_OPSLIMIT_MAX &&
      memlimit >= SOTTO_PWHASH_MEMLIMIT_MIN && memlimit <= SOTTO_PWHASH_MEMLIMIT_MAX)
    {
      _sotto_e2e_put_u64 (data + SEAL_OFFSET_OPSLIMIT, SOTTO_PWHASH_OPSLIMIT_MIN);
      _sotto_e2e_put_u64 (data + SEAL_OFFSET_MEMLIMIT, SOTTO_PWHASH_MEMLIMIT_MIN);
    }

  return g_bytes_new_take (data, len);
}

typedef enum
{
  VALUE_NULL,
  VALUE_INT,
  VALUE_SMALL_INT,
  VALUE_TEXT,
  VALUE_BLOB,
  VALUE_DONOR,
  N_VALUE_TYPES
} ValueType;

/* Binds parameter @index to a value of the type the input chooses. */
static void
bind_value (sqlite3_stmt *stmt,
            int           index,
            Reader       *reader,
            gboolean      sealed)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) cheap = NULL;
  gsize size;
  const void *data;

  switch ((ValueType) (read_byte (reader) % N_VALUE_TYPES))
    {
    case VALUE_NULL:
      sqlite3_bind_null (stmt, index);
      return;

    case VALUE_INT:
      sqlite3_bind_int64 (stmt, index, read_int (reader));
      return;

    case VALUE_SMALL_INT:
      sqlite3_bind_int64 (stmt, index, (gint8) read_byte (reader));
      return;

    case VALUE_TEXT:
      bytes = read_bytes (reader);
      data = g_bytes_get_data (bytes, &size);
      sqlite3_bind_text (stmt, index, size > 0 ? data : "", (int) size, SQLITE_TRANSIENT);
      return;

    case VALUE_BLOB:
      bytes = read_bytes (reader);
      break;

    case VALUE_DONOR:
      bytes = g_bytes_ref (g_ptr_array_index (donors, read_byte (reader) % donors->len));
      break;

    case N_VALUE_TYPES:
    default:
      g_assert_not_reached ();
    }

  cheap = sealed ? cheapen_seal (bytes) : g_bytes_ref (bytes);
  data = g_bytes_get_data (cheap, &size);
  sqlite3_bind_blob64 (stmt, index, size > 0 ? data : "", size, SQLITE_TRANSIENT);
}

/* Runs @sql on the work file with values from @reader. A value the schema
 * refuses is no input for the loaders. */
static gboolean
edit_file (const RawStatement *statement,
           gint64              row,
           Reader             *reader)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_assert_cmpint (sqlite3_open_v2 (work_path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, statement->sql, -1, &stmt, NULL), ==, SQLITE_OK);

  for (guint i = 1; i <= statement->n_params; i++)
    {
      if (statement->by_row && i == 1)
        sqlite3_bind_int64 (stmt, 1, row);
      else
        bind_value (stmt, (int) i, reader, statement->sealed);
    }

  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);

  return rc == SQLITE_DONE;
}

static void
write_template (void)
{
  g_autofree char *wal = g_strconcat (work_path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (work_path, "-shm", NULL);
  g_autoptr(GError) error = NULL;
  gsize size;
  const char *data = g_bytes_get_data (template_file, &size);

  g_unlink (wal);
  g_unlink (shm);
  g_file_set_contents_full (work_path, data, size, G_FILE_SET_CONTENTS_NONE, 0600, &error);
  g_assert_no_error (error);
}

static void
check_error (const GError *error)
{
  g_assert_nonnull (error);
  g_assert_true (error->domain == SOTTO_CLIENT_STORE_ERROR || error->domain == SOTTO_E2E_ERROR);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
}

typedef struct
{
  gboolean  done;
  gboolean  ok;
  GError   *error;
} Unlock;

static void
unlocked_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Unlock *unlock = user_data;

  unlock->ok = sotto_client_store_unlock_finish (SOTTO_CLIENT_STORE (object), result,
                                                 &unlock->error);
  unlock->done = TRUE;
}

/* Opens and unlocks the work file, or returns %NULL after a clean error. */
static SottoClientStore *
open_work_store (void)
{
  g_autoptr(SottoClientStore) store = NULL;
  g_autoptr(GError) error = NULL;
  Unlock unlock = { FALSE };

  store = sotto_client_store_open (work_path, &error);
  if (store == NULL)
    {
      check_error (error);
      return NULL;
    }

  sotto_client_store_unlock_async (store, PASSWORD, SOTTO_PWHASH_OPSLIMIT_MIN,
                                   SOTTO_PWHASH_MEMLIMIT_MIN, NULL, unlocked_cb, &unlock);
  while (!unlock.done)
    g_main_context_iteration (NULL, TRUE);

  if (!unlock.ok)
    {
      check_error (unlock.error);
      g_clear_error (&unlock.error);
      return NULL;
    }

  g_assert_no_error (unlock.error);
  g_assert_true (sotto_client_store_is_unlocked (store));
  return g_steal_pointer (&store);
}

static void
check_message (SottoStoredMessage *message)
{
  g_assert_nonnull (message->room);
  g_assert_nonnull (message->sender);
  g_assert_nonnull (message->body);
  g_assert_true (message->msg_id != NULL || message->seq > 0);
  g_assert_cmpint (message->state, >=, SOTTO_STORED_MESSAGE_SENDING);
  g_assert_cmpint (message->state, <=, SOTTO_STORED_MESSAGE_SYSTEM);
}

/* Checks a list of messages, or the error that came instead. */
static void
check_messages (GPtrArray    *messages,
                const GError *error)
{
  if (messages == NULL)
    {
      check_error (error);
      return;
    }

  g_assert_no_error (error);
  for (guint i = 0; i < messages->len; i++)
    check_message (g_ptr_array_index (messages, i));
}

static void
check_sender_key (SottoSenderKey *key,
                  const GError   *error)
{
  g_autoptr(GBytes) serialized = NULL;

  if (key == NULL)
    {
      if (error != NULL)
        check_error (error);
      return;
    }

  g_assert_no_error (error);
  serialized = sotto_sender_key_serialize (key);
  g_assert_nonnull (serialized);
}

/* Runs every loader on @room. */
static void
load_room (SottoClientStore *store,
           const char       *room)
{
  g_autoptr(GPtrArray) history = NULL;
  g_autoptr(GPtrArray) waiting = NULL;
  g_autoptr(GError) error = NULL;

  /* Any number: the client reads a negative one as 0. */
  sotto_client_store_get_last_seq (store, room, &error);
  if (error != NULL)
    check_error (error);
  g_clear_error (&error);

  history = sotto_client_store_load_history (store, room, 0, 1000, &error);
  check_messages (history, error);
  g_clear_error (&error);

  waiting = sotto_client_store_list_messages (store, room, SOTTO_STORED_MESSAGE_WAITING_FOR_KEY,
                                              &error);
  check_messages (waiting, error);
}

static void
load_everything (SottoClientStore *store)
{
  g_autoptr(SottoIdentity) identity = NULL;
  g_autoptr(GPtrArray) rooms = NULL;
  g_autoptr(GPtrArray) outbox = NULL;
  g_autoptr(GBytes) body = g_bytes_new_static ("typed", 5);
  g_autoptr(GError) error = NULL;
  SottoStoredContact contact;

  identity = sotto_client_store_load_identity (store, &error);
  if (identity != NULL)
    g_assert_true (sotto_public_identity_verify (sotto_identity_get_public (identity), NULL));
  else if (error != NULL)
    check_error (error);
  g_clear_error (&error);

  rooms = sotto_client_store_list_rooms (store, &error);
  if (rooms == NULL)
    {
      check_error (error);
      g_clear_error (&error);
    }
  else
    {
      for (guint i = 0; i < rooms->len; i++)
        {
          SottoStoredRoom *room = g_ptr_array_index (rooms, i);

          g_assert_nonnull (room->name);
          g_assert_cmpint (room->last_seq, >=, 0);
          load_room (store, room->name);
        }
    }
  load_room (store, ROOM);

  outbox = sotto_client_store_list_outbox (store, &error);
  check_messages (outbox, error);
  g_clear_error (&error);

  {
    g_autoptr(SottoSenderKey) own = NULL;
    g_autoptr(SottoSenderKey) theirs = NULL;

    own = sotto_client_store_load_own_sender_key (store, ROOM, OWN_USER, &error);
    check_sender_key (own, error);
    g_clear_error (&error);
    theirs = sotto_client_store_load_sender_key (store, ROOM, CONTACT, CONTACT_KEY_ID, &error);
    check_sender_key (theirs, error);
    g_clear_error (&error);
  }

  if (!sotto_client_store_get_contact (store, CONTACT, &contact, &error) && error != NULL)
    check_error (error);
  g_clear_error (&error);

  {
    g_autoptr(SottoAccountKey) account_key = NULL;
    g_autoptr(GBytes) list = NULL;
    gboolean published = FALSE;

    account_key = sotto_client_store_get_account_key (store, &error);
    if (account_key == NULL && error != NULL)
      check_error (error);
    g_clear_error (&error);
    list = sotto_client_store_get_device_list (store, &published, &error);
    if (list == NULL && error != NULL)
      check_error (error);
    g_clear_error (&error);
    /* What the store gives is only bytes; opening them is the list's. */
    if (list != NULL && account_key != NULL)
      {
        g_autoptr(SottoDeviceList) opened = NULL;

        opened = sotto_device_list_open (list, OWN_USER, sotto_account_key_get_public (account_key),
                                         &error);
        g_assert_true (opened != NULL || error->domain == SOTTO_E2E_ERROR);
        g_clear_error (&error);
      }
  }

  /* What was read must not stop the store from being written. */
  if (!sotto_client_store_add_message (store, ROOM, OWN_USER, "after-load", 0, 1,
                                       SOTTO_STORED_MESSAGE_SENDING, body, NULL, &error))
    check_error (error);
}

static void
fuzz_raw_row (Reader *reader)
{
  const RawStatement *statement = &raw_statements[read_byte (reader) %
                                                  G_N_ELEMENTS (raw_statements)];
  gint64 row = 1 + read_byte (reader) % 8;
  g_autoptr(SottoClientStore) store = NULL;

  if (!edit_file (statement, row, reader))
    return;

  store = open_work_store ();
  if (store != NULL)
    load_everything (store);
}

static gboolean
message_equal (SottoStoredMessage *a,
               SottoStoredMessage *b)
{
  return g_strcmp0 (a->room, b->room) == 0 &&
         a->seq == b->seq &&
         g_strcmp0 (a->msg_id, b->msg_id) == 0 &&
         g_strcmp0 (a->sender, b->sender) == 0 &&
         a->ts == b->ts &&
         a->state == b->state &&
         g_bytes_equal (a->body, b->body);
}

/* Writes a row through the API, edits it in the file, and reads it back:
 * unchanged, it reads as written; changed, it is refused, never returned
 * with the change. */
static void
fuzz_honest_row (Reader *reader)
{
  g_autoptr(SottoClientStore) store = NULL;
  g_autoptr(GPtrArray) history = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sender = read_string (reader);
  g_autofree char *msg_id = read_string (reader);
  gint64 seq = read_int (reader);
  gint64 ts = read_int (reader);
  SottoStoredMessageState state = read_byte (reader) % (SOTTO_STORED_MESSAGE_SYSTEM + 1);
  guint edit = read_byte (reader) % G_N_ELEMENTS (honest_edits);
  g_autoptr(GBytes) body = read_bytes (reader);
  SottoStoredMessage written = { 0 };
  gboolean added = FALSE;
  gint64 row;

  store = open_work_store ();
  g_assert_nonnull (store);

  /* The history query reads by number: the row needs one. */
  seq = seq <= 0 ? 1000 : seq;
  if (!sotto_client_store_add_message (store, ROOM, sender, *msg_id != '\0' ? msg_id : NULL,
                                       seq, ts, state, body, &added, &error))
    {
      check_error (error);
      return;
    }
  if (!added)
    return;

  g_clear_object (&store);

  /* The new row is the last one. */
  {
    sqlite3 *db = NULL;
    sqlite3_stmt *stmt = NULL;

    g_assert_cmpint (sqlite3_open_v2 (work_path, &db, SQLITE_OPEN_READWRITE, NULL), ==,
                     SQLITE_OK);
    g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT max (id) FROM messages", -1, &stmt, NULL),
                     ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    row = sqlite3_column_int64 (stmt, 0);
    sqlite3_finalize (stmt);
    g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);
  }

  if (honest_edits[edit].sql != NULL && !edit_file (&honest_edits[edit], row, reader))
    return;

  store = open_work_store ();
  g_assert_nonnull (store);

  written.room = (char *) ROOM;
  written.seq = seq;
  written.msg_id = *msg_id != '\0' ? msg_id : NULL;
  written.sender = sender;
  written.ts = ts;
  written.state = state;
  written.body = body;

  history = sotto_client_store_load_history (store, ROOM, 0, 1000, &error);
  if (history == NULL)
    {
      /* Only an edit makes the history unreadable. */
      g_assert_nonnull (honest_edits[edit].sql);
      g_assert_error (error, SOTTO_CLIENT_STORE_ERROR, SOTTO_CLIENT_STORE_ERROR_CORRUPT);
      return;
    }

  g_assert_no_error (error);
  for (guint i = 0; i < history->len; i++)
    {
      SottoStoredMessage *message = g_ptr_array_index (history, i);

      check_message (message);
      if (message->id == row)
        g_assert_true (message_equal (message, &written));
    }
}

static void
fuzz_patch_file (Reader *reader)
{
  g_autoptr(SottoClientStore) store = NULL;
  g_autoptr(GBytes) patch = NULL;
  gsize template_size = g_bytes_get_size (template_file);
  gsize offset;
  guint8 *contents;
  gsize size;

  offset = ((gsize) read_byte (reader) << 16 | (gsize) read_byte (reader) << 8 |
            read_byte (reader)) % template_size;
  patch = read_rest (reader);
  size = MAX (template_size, offset + g_bytes_get_size (patch));
  contents = g_malloc0 (size);
  memcpy (contents, g_bytes_get_data (template_file, NULL), template_size);
  if (g_bytes_get_size (patch) > 0)
    memcpy (contents + offset, g_bytes_get_data (patch, NULL), g_bytes_get_size (patch));
  g_assert_true (g_file_set_contents (work_path, (const char *) contents, size, NULL));
  g_free (contents);

  store = open_work_store ();
  if (store != NULL)
    load_everything (store);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  Reader reader = { data + 1, size - 1 };

  if (size == 0)
    return 0;

  write_template ();

  switch ((Mode) (data[0] % N_MODES))
    {
    case MODE_RAW_ROW:
      fuzz_raw_row (&reader);
      break;

    case MODE_HONEST_ROW:
      fuzz_honest_row (&reader);
      break;

    case MODE_PATCH_FILE:
      fuzz_patch_file (&reader);
      break;

    case N_MODES:
    default:
      g_assert_not_reached ();
    }

  return 0;
}

/* The template: what a client holds after a short conversation. */

static void
add_template_message (SottoClientStore        *store,
                      const char              *sender,
                      const char              *msg_id,
                      gint64                   seq,
                      SottoStoredMessageState  state,
                      const char              *text)
{
  g_autoptr(GBytes) body = g_bytes_new (text, strlen (text));
  g_autoptr(GError) error = NULL;

  sotto_client_store_add_message (store, ROOM, sender, msg_id, seq, 1700000000000 + seq, state,
                                  body, NULL, &error);
  g_assert_no_error (error);
}

static void
make_template (void)
{
  guint8 seeds[4][SOTTO_IDENTITY_SEED_BYTES];
  g_autoptr(SottoClientStore) store = NULL;
  g_autoptr(SottoIdentity) own = NULL;
  g_autoptr(SottoIdentity) contact = NULL;
  g_autoptr(SottoSenderKey) own_key = NULL;
  g_autoptr(SottoSenderKey) contact_key = NULL;
  g_autoptr(GError) error = NULL;
  SottoIdentitySeen seen;
  Unlock unlock = { FALSE };
  guint8 chain[32];
  guint8 export[SOTTO_SENDER_KEY_EXPORT_BYTES];

  for (guint i = 0; i < G_N_ELEMENTS (seeds); i++)
    memset (seeds[i], i + 1, sizeof seeds[i]);
  own = sotto_identity_new_from_seeds (seeds[0], seeds[1]);
  contact = sotto_identity_new_from_seeds (seeds[2], seeds[3]);

  store = sotto_client_store_open (work_path, &error);
  g_assert_no_error (error);
  sotto_client_store_unlock_async (store, PASSWORD, SOTTO_PWHASH_OPSLIMIT_MIN,
                                   SOTTO_PWHASH_MEMLIMIT_MIN, NULL, unlocked_cb, &unlock);
  while (!unlock.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (unlock.error);

  g_assert_true (sotto_client_store_save_identity (store, own, &error));
  g_assert_true (sotto_client_store_save_room (store, ROOM, FALSE, &error));
  g_assert_true (sotto_client_store_set_last_seq (store, ROOM, 4, &error));
  g_assert_true (sotto_client_store_see_identity (store, CONTACT,
                                                  sotto_identity_get_public (contact),
                                                  1700000000000, &seen, &error));
  g_assert_true (sotto_client_store_set_verified (store, CONTACT, TRUE, &error));
  g_assert_no_error (error);

  /* The account key and its device list of this computer. */
  {
    g_autoptr(SottoAccountKey) account_key = sotto_account_key_new ();
    g_autoptr(SottoDeviceList) list = NULL;
    g_autoptr(GBytes) sealed = NULL;

    list = sotto_device_list_new (OWN_USER, sotto_account_key_get_public (account_key), 1,
                                  1700000000000);
    g_assert_true (sotto_device_list_add (list, sotto_identity_get_public (own), 1700000000000,
                                          "fuzz", &error));
    sealed = sotto_device_list_seal (list, account_key, &error);
    g_assert_no_error (error);
    g_assert_true (sotto_client_store_add_account_key (store, account_key, &error));
    g_assert_true (sotto_client_store_set_device_list (store, sealed, TRUE, &error));
    g_assert_no_error (error);
  }

  /* Sender keys with a known key id: version, key id, index, chain. */
  memset (chain, 5, sizeof chain);
  memset (export, 0, sizeof export);
  export[0] = 1;
  _sotto_e2e_put_u32 (export + 1, OWN_KEY_ID);
  memcpy (export + 9, chain, sizeof chain);
  {
    g_autoptr(GBytes) bytes = g_bytes_new (export, sizeof export);

    own_key = sotto_sender_key_import (bytes, &error);
    g_assert_no_error (error);
    _sotto_e2e_put_u32 (export + 1, CONTACT_KEY_ID);
    g_clear_pointer (&bytes, g_bytes_unref);
    bytes = g_bytes_new (export, sizeof export);
    contact_key = sotto_sender_key_import (bytes, &error);
    g_assert_no_error (error);
  }
  g_assert_true (sotto_client_store_save_sender_key (store, ROOM, OWN_USER, own_key, &error));
  g_assert_true (sotto_client_store_save_sender_key (store, ROOM, CONTACT, contact_key, &error));
  g_assert_no_error (error);

  add_template_message (store, OWN_USER, "m1", 1, SOTTO_STORED_MESSAGE_SENT, "hello bob");
  add_template_message (store, CONTACT, "m2", 2, SOTTO_STORED_MESSAGE_RECEIVED, "hi alice");
  add_template_message (store, "", NULL, 3, SOTTO_STORED_MESSAGE_SYSTEM, "carol joined");
  add_template_message (store, CONTACT, "m4", 4, SOTTO_STORED_MESSAGE_WAITING_FOR_KEY,
                        "an envelope waiting for its key");
  add_template_message (store, CONTACT, "m5", 5, SOTTO_STORED_MESSAGE_UNVERIFIABLE, "");
  add_template_message (store, OWN_USER, "m6", 0, SOTTO_STORED_MESSAGE_SENDING,
                        "typed while away");
}

/* Collects every blob in the template, to be moved to other rows. */
static void
collect_donors (void)
{
  static const char *const queries[] = {
    "SELECT sealed FROM local_key",
    "SELECT sealed FROM identity",
    "SELECT body FROM messages",
    "SELECT state FROM sender_keys",
    "SELECT identity FROM contacts",
    "SELECT tag FROM contacts",
    "SELECT public_key FROM pins",
    "SELECT sealed FROM account",
    "SELECT list FROM account",
  };
  sqlite3 *db = NULL;

  donors = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_assert_cmpint (sqlite3_open_v2 (work_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  for (guint i = 0; i < G_N_ELEMENTS (queries); i++)
    {
      sqlite3_stmt *stmt = NULL;

      g_assert_cmpint (sqlite3_prepare_v2 (db, queries[i], -1, &stmt, NULL), ==, SQLITE_OK);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        g_ptr_array_add (donors, g_bytes_new (sqlite3_column_blob (stmt, 0),
                                              sqlite3_column_bytes (stmt, 0)));
      sqlite3_finalize (stmt);
    }
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);
  g_assert_cmpuint (donors->len, >, 0);
}

static void
remove_work_dir (void)
{
  g_autofree char *wal = g_strconcat (work_path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (work_path, "-shm", NULL);

  g_unlink (wal);
  g_unlink (shm);
  g_unlink (work_path);
  g_rmdir (work_dir);
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize size = 0;

  /* A critical or a warning from the library or GLib is a bug found. */
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);

  if (sodium_init () < 0)
    return -1;

  work_dir = g_dir_make_tmp ("fuzz-client-store-XXXXXX", &error);
  g_assert_no_error (error);
  work_path = g_build_filename (work_dir, "client.db", NULL);
  atexit (remove_work_dir);

  make_template ();
  collect_donors ();

  g_assert_true (g_file_get_contents (work_path, &contents, &size, NULL));
  template_file = g_bytes_new_take (contents, size);

  return 0;
}
