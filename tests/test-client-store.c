/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gstdio.h>
#include <sodium.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>

#include "sotto-client-store.h"
#include "sotto-message.h"
#include "sotto-e2e.h"
#include "sotto-identity-private.h"
#include "sotto-sender-key-private.h"

/* The longest an async test waits for a callback before failing. */
#define WAIT_TIMEOUT_SECONDS 20

/* The cheapest Argon2id, so tests stay fast. */
#define OPSLIMIT SOTTO_PWHASH_OPSLIMIT_MIN
#define MEMLIMIT SOTTO_PWHASH_MEMLIMIT_MIN

#define PASSWORD "correct horse battery staple"
#define ROOM "#garden"
#define ME "alice"

typedef struct
{
  char *dir;
  char *path;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("sotto-client-store-XXXXXX", &error);
  g_assert_no_error (error);
  /* Folders that do not exist yet: the store makes them. */
  fixture->path = g_build_filename (fixture->dir, "example.org_7777", ME, "client.db", NULL);
}

static void
remove_tree (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;

      g_assert_nonnull (dir);
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          remove_tree (child);
        }
      g_assert_cmpint (g_rmdir (path), ==, 0);
    }
  else
    {
      g_assert_cmpint (g_unlink (path), ==, 0);
    }
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->path);
}

/* Helpers */

static gboolean
wait_timeout_cb (gpointer user_data)
{
  g_error ("Timed out waiting for a callback");
  return G_SOURCE_REMOVE;
}

static void
async_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
  g_main_context_wakeup (NULL);
}

static GAsyncResult *
wait_for_result (GAsyncResult **result)
{
  guint timeout_id = g_timeout_add_seconds (WAIT_TIMEOUT_SECONDS, wait_timeout_cb, NULL);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);

  /* A GMainLoop, as the application runs; the callback only wakes it. */
  while (*result == NULL)
    g_main_context_iteration (g_main_loop_get_context (loop), TRUE);

  g_source_remove (timeout_id);
  return *result;
}

static gboolean
unlock (SottoClientStore  *store,
        const char        *password,
        GError           **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  sotto_client_store_unlock_async (store, password, OPSLIMIT, MEMLIMIT, NULL,
                                   async_done_cb, &result);
  g_assert_null (result);

  return sotto_client_store_unlock_finish (store, wait_for_result (&result), error);
}

static gboolean
set_password (SottoClientStore  *store,
              const char        *old_password,
              const char        *new_password,
              GError           **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  sotto_client_store_set_password_async (store, old_password, new_password, OPSLIMIT, MEMLIMIT,
                                         NULL, async_done_cb, &result);

  return sotto_client_store_set_password_finish (store, wait_for_result (&result), error);
}

static SottoClientStore *
open_store (const char *path)
{
  g_autoptr(GError) error = NULL;
  SottoClientStore *store = sotto_client_store_open (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (store);

  return store;
}

static SottoClientStore *
open_unlocked (const char *path)
{
  g_autoptr(GError) error = NULL;
  SottoClientStore *store = open_store (path);

  unlock (store, PASSWORD, &error);
  g_assert_no_error (error);
  g_assert_true (sotto_client_store_is_unlocked (store));

  return store;
}

static GBytes *
text (const char *string)
{
  return g_bytes_new (string, strlen (string));
}

static void
assert_body (SottoStoredMessage *message,
             const char         *expected)
{
  gsize size;
  const char *data = g_bytes_get_data (message->body, &size);

  g_assert_cmpmem (data, size, expected, strlen (expected));
}

static void
add_message (SottoClientStore        *store,
             const char              *room,
             const char              *sender,
             const char              *msg_id,
             gint64                   seq,
             SottoStoredMessageState  state,
             const char              *body)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = text (body);
  gboolean added = FALSE;

  sotto_client_store_add_message (store, room, sender, msg_id, seq, 1000 + seq, state, bytes,
                                  &added, &error);
  g_assert_no_error (error);
  g_assert_true (added);
}

/* Runs SQL on a closed store's file, behind its back. */
static void
raw_exec (const char *path,
          const char *sql)
{
  sqlite3 *db = NULL;
  char *message = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);
}

static gint64
raw_int (const char *path,
         const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);

  return value;
}

/* A checksum of the file, or "absent". */
static char *
file_checksum (const char *path)
{
  g_autofree char *contents = NULL;
  gsize size;

  if (!g_file_get_contents (path, &contents, &size, NULL))
    return g_strdup ("absent");

  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, size);
}

static char *
store_files_checksum (const char *path)
{
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);
  g_autofree char *db_sum = file_checksum (path);
  g_autofree char *wal_sum = file_checksum (wal);
  g_autofree char *shm_sum = file_checksum (shm);

  return g_strjoin (" ", db_sum, wal_sum, shm_sum, NULL);
}

static SottoIdentity *
identity_from_byte (guint8 byte)
{
  guint8 box_seed[SOTTO_IDENTITY_SEED_BYTES];
  guint8 sign_seed[SOTTO_IDENTITY_SEED_BYTES];

  memset (box_seed, byte, sizeof box_seed);
  memset (sign_seed, byte ^ 0xff, sizeof sign_seed);

  return sotto_identity_new_from_seeds (box_seed, sign_seed);
}

static void
count_cb (guint *count)
{
  (*count)++;
}

/* Tests */

static void
test_open_fresh (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_path_get_dirname (fixture->path);
  SottoClientStore *store;
  GStatBuf st;
  guint notified = 0;

  store = open_store (fixture->path);
  g_assert_true (sotto_client_store_is_new (store));
  g_assert_false (sotto_client_store_is_unlocked (store));

  g_assert_cmpint (g_stat (fixture->path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (g_stat (dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);

  /* The first unlock makes and seals the local key. */
  g_signal_connect_swapped (store, "notify::unlocked", G_CALLBACK (count_cb), &notified);
  unlock (store, PASSWORD, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (notified, ==, 1);
  g_assert_false (sotto_client_store_is_new (store));
  g_assert_true (sotto_client_store_is_unlocked (store));
  g_assert_finalize_object (store);

  /* The key is on disk. */
  store = open_store (fixture->path);
  g_assert_false (sotto_client_store_is_new (store));
  g_assert_false (sotto_client_store_is_unlocked (store));
  unlock (store, PASSWORD, &error);
  g_assert_no_error (error);
  g_assert_finalize_object (store);
}

static void
test_open_garbage (Fixture       *fixture,
                   gconstpointer  data)
{
  static const gsize sizes[] = { 4096, 10 };
  g_autofree char *wal = g_strconcat (fixture->path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (fixture->path, "-shm", NULL);
  g_autofree char *dir = g_path_get_dirname (fixture->path);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *garbage = g_strnfill (sizes[i], 'x');
      g_autofree char *after = NULL;
      SottoClientStore *store;
      gsize after_len;

      memcpy (garbage, "garbage", MIN (7, sizes[i]));
      g_assert_true (g_file_set_contents (fixture->path, garbage, sizes[i], &error));

      store = sotto_client_store_open (fixture->path, &error);
      g_assert_error (error, SOTTO_CLIENT_STORE_ERROR, SOTTO_CLIENT_STORE_ERROR_CORRUPT);
      g_assert_null (store);
      g_test_message ("%s", error->message);
      g_clear_error (&error);

      g_assert_true (g_file_get_contents (fixture->path, &after, &after_len, &error));
      g_assert_cmpmem (after, after_len, garbage, sizes[i]);
      g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));
      g_assert_false (g_file_test (shm, G_FILE_TEST_EXISTS));
    }
}

static void
test_open_too_new (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = g_strdup_printf ("PRAGMA user_version = %d",
                                          SOTTO_CLIENT_STORE_SCHEMA_VERSION + 1);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  SottoClientStore *store;

  g_assert_finalize_object (open_store (fixture->path));
  raw_exec (fixture->path, sql);
  before = store_files_checksum (fixture->path);

  store = sotto_client_store_open (fixture->path, &error);
  g_assert_error (error, SOTTO_CLIENT_STORE_ERROR, SOTTO_CLIENT_STORE_ERROR_TOO_NEW);
  g_assert_null (store);
  g_test_message ("%s", error->message);

  after = store_files_checksum (fixture->path);
  g_assert_cmpstr (before, ==, after);
}

/* Another program's database is not taken over. */
static void
test_open_foreign (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_path_get_dirname (fixture->path);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  SottoClientStore *store;
  sqlite3 *db = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_cmpint (sqlite3_open (fixture->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE notes (x)", NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);
  before = store_files_checksum (fixture->path);

  store = sotto_client_store_open (fixture->path, &error);
  g_assert_error (error, SOTTO_CLIENT_STORE_ERROR, SOTTO_CLIENT_STORE_ERROR_OPEN);
  g_assert_null (store);
  g_test_message ("%s", error->message);

  after = store_files_checksum (fixture->path);
  g_assert_cmpstr (before, ==, after);
}

/* Two clients must not step the same sender keys. */
static void
test_open_in_use (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  SottoClientStore *first = open_store (fixture->path);
  SottoClientStore *second;

  second = sotto_client_store_open (fixture->path, &error);
  g_assert_error (error, SOTTO_CLIENT_STORE_ERROR, SOTTO_CLIENT_STORE_ERROR_BUSY);
  g_assert_null (second);
  g_clear_error (&error);

  g_assert_finalize_object (first);
  second = open_store (fixture->path);
  g_assert_finalize_object (second);
}

static void
test_wrong_password (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SottoIdentity) identity = sotto_identity_new ();
  g_autoptr(SottoIdentity) loaded = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  SottoClientStore *store;

  store = open_unlocked (fixture->path);
  sotto_client_store_save_identity (store, identity, &error);
  g_assert_no_error (error);
  g_assert_finalize_object (store);

  store = open_store (fixture->path);
  before = store_files_checksum (fixture->path);

  g_assert_false (unlock (store, "correct horse battery stapler", &error));
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_PASSWORD);
  g_clear_error (&error);
  g_assert_false (sotto_client_store_is_unlocked (store));
  g_assert_false (sotto_client_store_is_new (store));

  after = store_files_checksum (fixture->path);
  g_assert_cmpstr (before, ==, after);

  /* The right one still works. */
  g_assert_true (unlock (store, PASSWORD, &error));
  g_assert_no_error (error);
  loaded = sotto_client_store_load_identity (store, &error);
  g_assert_no_error (error);
  g_assert_nonnull (loaded);
  g_assert_true (sotto_public_identity_equal (sotto_identity_get_public (loaded),
                                              sotto_identity_get_public (identity)));
  g_assert_finalize_object (store);
}

/* A lock before the worker is done wins: nothing is unlocked or written. */
static void
test_unlock_cancelled (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  SottoClientStore *store = open_store (fixture->path);

  sotto_client_store_unlock_async (store, PASSWORD, OPSLIMIT, MEMLIMIT, NULL,
                                   async_done_cb, &result);
  sotto_client_store_lock (store);
  g_assert_false (sotto_client_store_unlock_finish (store, wait_for_result (&result), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_clear_object (&result);
  g_assert_false (sotto_client_store_is_unlocked (store));
  g_assert_true (sotto_client_store_is_new (store));

  sotto_client_store_unlock_async (store, PASSWORD, OPSLIMIT, MEMLIMIT, cancellable,
                                   async_done_cb, &result);
  g_cancellable_cancel (cancellable);
  g_assert_false (sotto_client_store_unlock_finish (store, wait_for_result (&result), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (sotto_client_store_is_unlocked (store));
  g_assert_true (sotto_client_store_is_new (store));

  /* The result holds the store. */
  g_clear_object (&result);
  g_assert_finalize_object (store);
}

static void
assert_not_unlocked (GError *error)
{
  g_assert_error (error, SOTTO_CLIENT_STORE_ERROR, SOTTO_CLIENT_STORE_ERROR_NOT_UNLOCKED);
}

static void
check_locked (SottoClientStore *store)
{
  g_autoptr(SottoIdentity) identity = identity_from_byte (1);
  g_autoptr(SottoSenderKey) key = sotto_sender_key_new ();
  g_autoptr(GBytes) body = text ("hello");
  SottoStoredContact contact;
  SottoIdentitySeen seen;
  gboolean added;
  GError *error = NULL;

  g_assert_false (sotto_client_store_is_unlocked (store));

#define CHECK(call) \
  G_STMT_START { \
    g_assert_false (call); \
    assert_not_unlocked (error); \
    g_clear_error (&error); \
  } G_STMT_END
#define CHECK_NULL(call) \
  G_STMT_START { \
    g_assert_null (call); \
    assert_not_unlocked (error); \
    g_clear_error (&error); \
  } G_STMT_END

  CHECK (sotto_client_store_save_identity (store, identity, &error));
  CHECK_NULL (sotto_client_store_load_identity (store, &error));
  CHECK (sotto_client_store_see_identity (store, "bob", sotto_identity_get_public (identity),
                                          1, &seen, &error));
  CHECK (sotto_client_store_get_contact (store, "bob", &contact, &error));
  CHECK (sotto_client_store_set_verified (store, "bob", TRUE, &error));
  CHECK (sotto_client_store_save_sender_key (store, ROOM, ME, key, &error));
  CHECK_NULL (sotto_client_store_load_sender_key (store, ROOM, ME, 1, &error));
  CHECK_NULL (sotto_client_store_load_own_sender_key (store, ROOM, ME, &error));
  CHECK (sotto_client_store_forget_sender_keys (store, ROOM, ME, &error));
  CHECK (sotto_client_store_save_room (store, ROOM, FALSE, &error));
  CHECK (sotto_client_store_set_last_seq (store, ROOM, 3, &error));
  g_assert_cmpint (sotto_client_store_get_last_seq (store, ROOM, &error), ==, -1);
  assert_not_unlocked (error);
  g_clear_error (&error);
  CHECK_NULL (sotto_client_store_list_rooms (store, &error));
  CHECK (sotto_client_store_forget_room (store, ROOM, &error));
  CHECK (sotto_client_store_add_message (store, ROOM, ME, "m1", 0, 1, SOTTO_STORED_MESSAGE_SENDING,
                                         body, &added, &error));
  CHECK (sotto_client_store_update_message (store, ROOM, ME, "m1", SOTTO_STORED_MESSAGE_SENT, 1,
                                            NULL, &error));
  CHECK (sotto_client_store_update_message_by_seq (store, ROOM, 1, SOTTO_STORED_MESSAGE_RECEIVED,
                                                   body, &error));
  CHECK_NULL (sotto_client_store_load_history (store, ROOM, 0, 10, &error));
  CHECK_NULL (sotto_client_store_list_messages (store, ROOM, SOTTO_STORED_MESSAGE_SENT, &error));
  CHECK_NULL (sotto_client_store_list_outbox (store, &error));

#undef CHECK
#undef CHECK_NULL
}

static void
test_locked (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  SottoClientStore *store;

  /* A new store: everything waits for the password. */
  store = open_store (fixture->path);
  check_locked (store);

  /* Locking again wipes the keys. */
  unlock (store, PASSWORD, &error);
  g_assert_no_error (error);
  sotto_client_store_lock (store);
  check_locked (store);
  g_assert_finalize_object (store);

  /* An existing store, before unlocking. */
  store = open_store (fixture->path);
  check_locked (store);
  g_assert_finalize_object (store);
}

static void
assert_same_chain (SottoSenderKey *a,
                   SottoSenderKey *b,
                   guint           count)
{
  g_autoptr(GError) error = NULL;
  guint32 index = sotto_sender_key_get_index (a);

  g_assert_cmpuint (sotto_sender_key_get_key_id (a), ==, sotto_sender_key_get_key_id (b));
  g_assert_cmpuint (index, ==, sotto_sender_key_get_index (b));

  for (guint i = 0; i < count; i++, index++)
    {
      guint8 key_a[SOTTO_MESSAGE_KEY_BYTES];
      guint8 key_b[SOTTO_MESSAGE_KEY_BYTES];

      g_assert_true (_sotto_sender_key_get_message_key (a, index, key_a, &error));
      g_assert_no_error (error);
      g_assert_true (_sotto_sender_key_get_message_key (b, index, key_b, &error));
      g_assert_no_error (error);
      g_assert_cmpmem (key_a, sizeof key_a, key_b, sizeof key_b);
      _sotto_sender_key_consume (a, index);
      _sotto_sender_key_consume (b, index);
    }
}

static void
test_restore (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SottoIdentity) identity = sotto_identity_new ();
  g_autoptr(SottoIdentity) bob = identity_from_byte (2);
  g_autoptr(SottoIdentity) loaded = NULL;
  g_autoptr(SottoSenderKey) own = sotto_sender_key_new ();
  g_autoptr(SottoSenderKey) bobs = NULL;
  g_autoptr(SottoSenderKey) own_loaded = NULL;
  g_autoptr(SottoSenderKey) bobs_loaded = NULL;
  g_autoptr(SottoSenderKey) absent = NULL;
  g_autoptr(GBytes) exported = NULL;
  g_autoptr(GPtrArray) rooms = NULL;
  g_autoptr(GPtrArray) history = NULL;
  g_autoptr(GPtrArray) outbox = NULL;
  SottoStoredContact contact;
  SottoIdentitySeen seen;
  SottoStoredRoom *room;
  SottoClientStore *store;
  guint8 signature[crypto_sign_BYTES];
  guint8 message_key[SOTTO_MESSAGE_KEY_BYTES];

  store = open_unlocked (fixture->path);

  sotto_client_store_save_identity (store, identity, &error);
  g_assert_no_error (error);
  sotto_client_store_see_identity (store, "bob", sotto_identity_get_public (bob), 111, &seen,
                                   &error);
  g_assert_no_error (error);
  sotto_client_store_set_verified (store, "bob", TRUE, &error);
  g_assert_no_error (error);

  /* Our key, some messages in; bob's, as a receiver holds it. */
  for (guint32 i = 0; i < 3; i++)
    {
      g_assert_true (_sotto_sender_key_get_message_key (own, i, message_key, &error));
      _sotto_sender_key_consume (own, i);
    }
  sotto_client_store_save_sender_key (store, ROOM, ME, own, &error);
  g_assert_no_error (error);
  {
    g_autoptr(SottoSenderKey) bob_sending = sotto_sender_key_new ();

    exported = sotto_sender_key_export (bob_sending);
    bobs = sotto_sender_key_import (exported, &error);
    g_assert_no_error (error);
  }
  sotto_client_store_save_sender_key (store, ROOM, "bob", bobs, &error);
  g_assert_no_error (error);

  sotto_client_store_save_room (store, ROOM, FALSE, &error);
  g_assert_no_error (error);
  sotto_client_store_save_room (store, "@alice+bob", TRUE, &error);
  g_assert_no_error (error);
  sotto_client_store_set_last_seq (store, ROOM, 2, &error);
  g_assert_no_error (error);
  sotto_client_store_set_last_seq (store, "@alice+bob", 7, &error);
  g_assert_no_error (error);
  /* Never goes back. */
  sotto_client_store_set_last_seq (store, "@alice+bob", 5, &error);
  g_assert_no_error (error);

  add_message (store, ROOM, "bob", "b1", 1, SOTTO_STORED_MESSAGE_RECEIVED, "hi alice");
  add_message (store, ROOM, ME, "a1", 2, SOTTO_STORED_MESSAGE_SENT, "hi bob");
  add_message (store, ROOM, ME, "a2", 0, SOTTO_STORED_MESSAGE_SENDING, "are you there?");
  add_message (store, "@alice+bob", ME, "a3", 0, SOTTO_STORED_MESSAGE_SENDING, "psst");
  g_assert_finalize_object (store);

  store = open_unlocked (fixture->path);

  loaded = sotto_client_store_load_identity (store, &error);
  g_assert_no_error (error);
  g_assert_nonnull (loaded);
  g_assert_true (sotto_public_identity_equal (sotto_identity_get_public (loaded),
                                              sotto_identity_get_public (identity)));
  /* With its secret keys: it signs for its public key. */
  _sotto_identity_sign (loaded, (const guint8 *) "test", 4, signature);
  g_assert_cmpint (crypto_sign_verify_detached (signature, (const guint8 *) "test", 4,
                                                sotto_identity_get_public (identity)->sign_pk),
                   ==, 0);

  g_assert_true (sotto_client_store_get_contact (store, "bob", &contact, &error));
  g_assert_no_error (error);
  g_assert_true (sotto_public_identity_equal (&contact.identity, sotto_identity_get_public (bob)));
  g_assert_cmpint (contact.first_seen, ==, 111);
  g_assert_true (contact.verified);
  g_assert_cmpint (contact.changed_at, ==, 0);
  g_assert_false (sotto_client_store_get_contact (store, "carol", &contact, &error));
  g_assert_no_error (error);

  /* The restored keys go on with the same chains. */
  own_loaded = sotto_client_store_load_own_sender_key (store, ROOM, ME, &error);
  g_assert_no_error (error);
  g_assert_nonnull (own_loaded);
  g_assert_cmpuint (sotto_sender_key_get_index (own_loaded), ==, 3);
  assert_same_chain (own, own_loaded, 5);
  bobs_loaded = sotto_client_store_load_sender_key (store, ROOM, "bob",
                                                    sotto_sender_key_get_key_id (bobs), &error);
  g_assert_no_error (error);
  g_assert_nonnull (bobs_loaded);
  assert_same_chain (bobs, bobs_loaded, 5);
  absent = sotto_client_store_load_sender_key (store, ROOM, "bob",
                                               sotto_sender_key_get_key_id (bobs) + 1, &error);
  g_assert_no_error (error);
  g_assert_null (absent);
  absent = sotto_client_store_load_own_sender_key (store, "#elsewhere", ME, &error);
  g_assert_no_error (error);
  g_assert_null (absent);

  rooms = sotto_client_store_list_rooms (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rooms->len, ==, 2);
  room = g_ptr_array_index (rooms, 0);
  g_assert_cmpstr (room->name, ==, ROOM);
  g_assert_false (room->direct);
  g_assert_cmpint (room->last_seq, ==, 2);
  room = g_ptr_array_index (rooms, 1);
  g_assert_cmpstr (room->name, ==, "@alice+bob");
  g_assert_true (room->direct);
  g_assert_cmpint (room->last_seq, ==, 7);
  g_assert_cmpint (sotto_client_store_get_last_seq (store, ROOM, &error), ==, 2);
  g_assert_no_error (error);
  g_assert_cmpint (sotto_client_store_get_last_seq (store, "#unknown", &error), ==, 0);
  g_assert_no_error (error);

  history = sotto_client_store_load_history (store, ROOM, 0, 50, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (history->len, ==, 3);
  {
    SottoStoredMessage *m = g_ptr_array_index (history, 0);

    g_assert_cmpstr (m->room, ==, ROOM);
    g_assert_cmpstr (m->sender, ==, "bob");
    g_assert_cmpstr (m->msg_id, ==, "b1");
    g_assert_cmpint (m->seq, ==, 1);
    g_assert_cmpint (m->ts, ==, 1001);
    g_assert_cmpint (m->state, ==, SOTTO_STORED_MESSAGE_RECEIVED);
    assert_body (m, "hi alice");
    m = g_ptr_array_index (history, 1);
    g_assert_cmpstr (m->msg_id, ==, "a1");
    g_assert_cmpint (m->state, ==, SOTTO_STORED_MESSAGE_SENT);
    assert_body (m, "hi bob");
    m = g_ptr_array_index (history, 2);
    g_assert_cmpstr (m->msg_id, ==, "a2");
    g_assert_cmpint (m->seq, ==, 0);
    g_assert_cmpint (m->state, ==, SOTTO_STORED_MESSAGE_SENDING);
    assert_body (m, "are you there?");
  }

  outbox = sotto_client_store_list_outbox (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (outbox->len, ==, 2);
  g_assert_cmpstr (((SottoStoredMessage *) g_ptr_array_index (outbox, 0))->msg_id, ==, "a2");
  g_assert_cmpstr (((SottoStoredMessage *) g_ptr_array_index (outbox, 1))->msg_id, ==, "a3");
  assert_body (g_ptr_array_index (outbox, 1), "psst");

  g_assert_finalize_object (store);
}

static void
test_identity_change (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SottoIdentity) first = identity_from_byte (3);
  g_autoptr(SottoIdentity) second = identity_from_byte (4);
  SottoPublicIdentity forged;
  SottoStoredContact contact;
  SottoIdentitySeen seen;
  SottoClientStore *store = open_unlocked (fixture->path);

  sotto_client_store_see_identity (store, "bob", sotto_identity_get_public (first), 100, &seen,
                                   &error);
  g_assert_no_error (error);
  g_assert_cmpint (seen, ==, SOTTO_IDENTITY_SEEN_NEW);
  g_assert_true (sotto_client_store_get_contact (store, "bob", &contact, &error));
  g_assert_false (contact.verified);
  g_assert_cmpint (contact.first_seen, ==, 100);

  sotto_client_store_see_identity (store, "bob", sotto_identity_get_public (first), 200, &seen,
                                   &error);
  g_assert_no_error (error);
  g_assert_cmpint (seen, ==, SOTTO_IDENTITY_SEEN_SAME);

  sotto_client_store_set_verified (store, "bob", TRUE, &error);
  g_assert_no_error (error);
  sotto_client_store_see_identity (store, "bob", sotto_identity_get_public (first), 300, &seen,
                                   &error);
  g_assert_no_error (error);
  g_assert_cmpint (seen, ==, SOTTO_IDENTITY_SEEN_SAME);
  g_assert_true (sotto_client_store_get_contact (store, "bob", &contact, &error));
  g_assert_true (contact.verified);
  g_assert_cmpint (contact.changed_at, ==, 0);

  /* A new key: the verification was for the old one. */
  sotto_client_store_see_identity (store, "bob", sotto_identity_get_public (second), 400, &seen,
                                   &error);
  g_assert_no_error (error);
  g_assert_cmpint (seen, ==, SOTTO_IDENTITY_SEEN_CHANGED);
  g_assert_true (sotto_client_store_get_contact (store, "bob", &contact, &error));
  g_assert_no_error (error);
  g_assert_true (sotto_public_identity_equal (&contact.identity,
                                              sotto_identity_get_public (second)));
  g_assert_false (contact.verified);
  g_assert_cmpint (contact.first_seen, ==, 100);
  g_assert_cmpint (contact.changed_at, ==, 400);

  sotto_client_store_see_identity (store, "bob", sotto_identity_get_public (second), 500, &seen,
                                   &error);
  g_assert_no_error (error);
  g_assert_cmpint (seen, ==, SOTTO_IDENTITY_SEEN_SAME);

  /* An identity whose binding does not verify is refused. */
  forged = *sotto_identity_get_public (second);
  memcpy (forged.box_pk, sotto_identity_get_public (first)->box_pk, sizeof forged.box_pk);
  g_assert_false (sotto_client_store_see_identity (store, "bob", &forged, 600, &seen, &error));
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_BINDING);
  g_clear_error (&error);

  g_assert_false (sotto_client_store_set_verified (store, "carol", TRUE, &error));
  g_assert_error (error, SOTTO_CLIENT_STORE_ERROR, SOTTO_CLIENT_STORE_ERROR_NOT_FOUND);

  g_assert_finalize_object (store);
}

static void
test_sender_keys (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SottoSenderKey) first = sotto_sender_key_new ();
  g_autoptr(SottoSenderKey) second = sotto_sender_key_new ();
  SottoClientStore *store = open_unlocked (fixture->path);
  guint8 message_key[SOTTO_MESSAGE_KEY_BYTES];
  SottoSenderKey *loaded;

  sotto_client_store_save_sender_key (store, ROOM, ME, first, &error);
  g_assert_no_error (error);
  sotto_client_store_save_sender_key (store, ROOM, ME, second, &error);
  g_assert_no_error (error);

  loaded = sotto_client_store_load_own_sender_key (store, ROOM, ME, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sotto_sender_key_get_key_id (loaded), ==, sotto_sender_key_get_key_id (second));
  g_assert_finalize_object (loaded);

  /* Saving the older key's new state does not make it current again. */
  g_assert_true (_sotto_sender_key_get_message_key (first, 0, message_key, &error));
  _sotto_sender_key_consume (first, 0);
  sotto_client_store_save_sender_key (store, ROOM, ME, first, &error);
  g_assert_no_error (error);
  loaded = sotto_client_store_load_own_sender_key (store, ROOM, ME, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sotto_sender_key_get_key_id (loaded), ==, sotto_sender_key_get_key_id (second));
  g_assert_finalize_object (loaded);

  /* But its state was replaced. */
  loaded = sotto_client_store_load_sender_key (store, ROOM, ME,
                                               sotto_sender_key_get_key_id (first), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sotto_sender_key_get_index (loaded), ==, 1);
  g_assert_finalize_object (loaded);

  /* Another owner's keys are apart. */
  g_assert_null (sotto_client_store_load_own_sender_key (store, ROOM, "bob", &error));
  g_assert_no_error (error);

  sotto_client_store_forget_sender_keys (store, ROOM, ME, &error);
  g_assert_no_error (error);
  g_assert_null (sotto_client_store_load_own_sender_key (store, ROOM, ME, &error));
  g_assert_no_error (error);
  g_assert_null (sotto_client_store_load_sender_key (store, ROOM, ME,
                                                     sotto_sender_key_get_key_id (first),
                                                     &error));
  g_assert_no_error (error);

  g_assert_finalize_object (store);
}

static void
assert_seqs (GPtrArray    *messages,
             const gint64 *expected,
             guint         n_expected)
{
  g_assert_cmpuint (messages->len, ==, n_expected);

  for (guint i = 0; i < n_expected; i++)
    {
      SottoStoredMessage *message = g_ptr_array_index (messages, i);
      g_autofree char *body = g_strdup_printf ("message %" G_GINT64_FORMAT, message->seq);

      g_assert_cmpint (message->seq, ==, expected[i]);
      if (message->seq > 0)
        assert_body (message, body);
    }
}

static void
test_history_pages (Fixture       *fixture,
                    gconstpointer  data)
{
  static const gint64 latest[] = { 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 0, 0 };
  static const gint64 middle[] = { 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };
  static const gint64 oldest[] = { 1, 2, 3, 4, 5 };
  g_autoptr(GError) error = NULL;
  GPtrArray *page;
  SottoClientStore *store = open_unlocked (fixture->path);

  /* Added out of order, as a catch-up after live messages can. */
  for (gint64 i = 0; i < 25; i++)
    {
      gint64 seq = (i * 7) % 25 + 1;
      g_autofree char *msg_id = g_strdup_printf ("m%" G_GINT64_FORMAT, seq);
      g_autofree char *body = g_strdup_printf ("message %" G_GINT64_FORMAT, seq);

      add_message (store, ROOM, "bob", msg_id, seq, SOTTO_STORED_MESSAGE_RECEIVED, body);
    }
  add_message (store, ROOM, ME, "p1", 0, SOTTO_STORED_MESSAGE_SENDING, "pending 1");
  add_message (store, ROOM, ME, "p2", 0, SOTTO_STORED_MESSAGE_SENDING, "pending 2");
  add_message (store, "#other", "bob", "o1", 30, SOTTO_STORED_MESSAGE_RECEIVED, "elsewhere");

  page = sotto_client_store_load_history (store, ROOM, 0, 10, &error);
  g_assert_no_error (error);
  assert_seqs (page, latest, G_N_ELEMENTS (latest));
  assert_body (g_ptr_array_index (page, 10), "pending 1");
  assert_body (g_ptr_array_index (page, 11), "pending 2");
  g_ptr_array_unref (page);

  page = sotto_client_store_load_history (store, ROOM, 16, 10, &error);
  g_assert_no_error (error);
  assert_seqs (page, middle, G_N_ELEMENTS (middle));
  g_ptr_array_unref (page);

  page = sotto_client_store_load_history (store, ROOM, 6, 10, &error);
  g_assert_no_error (error);
  assert_seqs (page, oldest, G_N_ELEMENTS (oldest));
  g_ptr_array_unref (page);

  page = sotto_client_store_load_history (store, ROOM, 1, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->len, ==, 0);
  g_ptr_array_unref (page);

  /* No limit: everything. */
  page = sotto_client_store_load_history (store, ROOM, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->len, ==, 27);
  g_ptr_array_unref (page);

  page = sotto_client_store_load_history (store, "#empty", 0, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->len, ==, 0);
  g_ptr_array_unref (page);

  g_assert_finalize_object (store);
}

static void
test_history_idempotent (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) first = text ("first");
  g_autoptr(GBytes) second = text ("second");
  g_autoptr(GPtrArray) history = NULL;
  SottoClientStore *store = open_unlocked (fixture->path);
  gboolean added = FALSE;

  sotto_client_store_add_message (store, ROOM, "bob", "m1", 1, 10,
                                  SOTTO_STORED_MESSAGE_RECEIVED, first, &added, &error);
  g_assert_no_error (error);
  g_assert_true (added);

  /* The same message again, even with other content, is not stored twice. */
  g_assert_true (sotto_client_store_add_message (store, ROOM, "bob", "m1", 1, 10,
                                                 SOTTO_STORED_MESSAGE_RECEIVED, second, &added,
                                                 &error));
  g_assert_no_error (error);
  g_assert_false (added);
  g_assert_true (sotto_client_store_add_message (store, ROOM, "bob", "m1", 0, 10,
                                                 SOTTO_STORED_MESSAGE_RECEIVED, second, &added,
                                                 &error));
  g_assert_no_error (error);
  g_assert_false (added);

  /* Another sender may use the same id. */
  sotto_client_store_add_message (store, ROOM, "carol", "m1", 2, 11,
                                  SOTTO_STORED_MESSAGE_RECEIVED, second, &added, &error);
  g_assert_no_error (error);
  g_assert_true (added);

  /* An event has no msg_id: its seq identifies it. */
  sotto_client_store_add_message (store, ROOM, "dave", NULL, 3, 12,
                                  SOTTO_STORED_MESSAGE_SYSTEM, first, &added, &error);
  g_assert_no_error (error);
  g_assert_true (added);
  sotto_client_store_add_message (store, ROOM, "dave", NULL, 3, 12,
                                  SOTTO_STORED_MESSAGE_SYSTEM, second, &added, &error);
  g_assert_no_error (error);
  g_assert_false (added);

  /* A seq already taken by another message is a conflict. */
  g_assert_false (sotto_client_store_add_message (store, ROOM, "bob", "m9", 2, 13,
                                                  SOTTO_STORED_MESSAGE_RECEIVED, second, &added,
                                                  &error));
  g_assert_error (error, SOTTO_CLIENT_STORE_ERROR, SOTTO_CLIENT_STORE_ERROR_CONSTRAINT);
  g_clear_error (&error);

  history = sotto_client_store_load_history (store, ROOM, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (history->len, ==, 3);
  assert_body (g_ptr_array_index (history, 0), "first");
  assert_body (g_ptr_array_index (history, 1), "second");
  assert_body (g_ptr_array_index (history, 2), "first");
  g_assert_null (((SottoStoredMessage *) g_ptr_array_index (history, 2))->msg_id);

  g_assert_finalize_object (store);
}

static void
test_history_update (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) plaintext = text ("now readable");
  g_autoptr(GPtrArray) outbox = NULL;
  g_autoptr(GPtrArray) waiting = NULL;
  g_autoptr(GPtrArray) history = NULL;
  SottoStoredMessage *message;
  SottoClientStore *store = open_unlocked (fixture->path);

  add_message (store, ROOM, ME, "a1", 0, SOTTO_STORED_MESSAGE_SENDING, "first out");
  add_message (store, "#other", ME, "a2", 0, SOTTO_STORED_MESSAGE_SENDING, "second out");
  add_message (store, ROOM, ME, "a3", 0, SOTTO_STORED_MESSAGE_SENDING, "third out");
  add_message (store, ROOM, "bob", "b1", 4, SOTTO_STORED_MESSAGE_WAITING_FOR_KEY,
               "\x01raw envelope");

  outbox = sotto_client_store_list_outbox (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (outbox->len, ==, 3);
  g_assert_cmpstr (((SottoStoredMessage *) g_ptr_array_index (outbox, 0))->msg_id, ==, "a1");
  g_assert_cmpstr (((SottoStoredMessage *) g_ptr_array_index (outbox, 1))->msg_id, ==, "a2");
  g_assert_cmpstr (((SottoStoredMessage *) g_ptr_array_index (outbox, 2))->msg_id, ==, "a3");
  g_clear_pointer (&outbox, g_ptr_array_unref);

  /* The server acknowledged a1 with seq 5. */
  sotto_client_store_update_message (store, ROOM, ME, "a1", SOTTO_STORED_MESSAGE_SENT, 5, NULL,
                                     &error);
  g_assert_no_error (error);
  outbox = sotto_client_store_list_outbox (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (outbox->len, ==, 2);
  g_assert_cmpstr (((SottoStoredMessage *) g_ptr_array_index (outbox, 0))->msg_id, ==, "a2");

  /* The envelope waits, then is decrypted in place. */
  waiting = sotto_client_store_list_messages (store, ROOM, SOTTO_STORED_MESSAGE_WAITING_FOR_KEY,
                                              &error);
  g_assert_no_error (error);
  g_assert_cmpuint (waiting->len, ==, 1);
  assert_body (g_ptr_array_index (waiting, 0), "\x01raw envelope");
  sotto_client_store_update_message_by_seq (store, ROOM, 4, SOTTO_STORED_MESSAGE_RECEIVED,
                                            plaintext, &error);
  g_assert_no_error (error);

  history = sotto_client_store_load_history (store, ROOM, 0, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (history->len, ==, 3);
  message = g_ptr_array_index (history, 0);
  g_assert_cmpint (message->seq, ==, 4);
  g_assert_cmpint (message->state, ==, SOTTO_STORED_MESSAGE_RECEIVED);
  assert_body (message, "now readable");
  message = g_ptr_array_index (history, 1);
  g_assert_cmpstr (message->msg_id, ==, "a1");
  g_assert_cmpint (message->seq, ==, 5);
  g_assert_cmpint (message->state, ==, SOTTO_STORED_MESSAGE_SENT);
  assert_body (message, "first out");
  message = g_ptr_array_index (history, 2);
  g_assert_cmpstr (message->msg_id, ==, "a3");

  g_assert_false (sotto_client_store_update_message (store, ROOM, ME, "zz",
                                                     SOTTO_STORED_MESSAGE_SENT, 9, NULL, &error));
  g_assert_error (error, SOTTO_CLIENT_STORE_ERROR, SOTTO_CLIENT_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (sotto_client_store_update_message_by_seq (store, ROOM, 99,
                                                            SOTTO_STORED_MESSAGE_RECEIVED, NULL,
                                                            &error));
  g_assert_error (error, SOTTO_CLIENT_STORE_ERROR, SOTTO_CLIENT_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Forgetting a room takes its history along. */
  sotto_client_store_forget_room (store, ROOM, &error);
  g_assert_no_error (error);
  g_clear_pointer (&history, g_ptr_array_unref);
  history = sotto_client_store_load_history (store, ROOM, 0, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (history->len, ==, 0);

  g_assert_finalize_object (store);
}

/* Fills a store, closes it, tampers with the file through @sql and checks
 * that the altered value is refused. */
static void
check_tampering (const char *path,
                 const char *sql,
                 const char *what)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SottoSenderKey) key_a = sotto_sender_key_new ();
  g_autoptr(SottoSenderKey) key_b = sotto_sender_key_new ();
  g_autoptr(SottoIdentity) bob = identity_from_byte (5);
  g_autoptr(SottoIdentity) carol = identity_from_byte (6);
  SottoClientStore *store;
  SottoIdentitySeen seen;

  store = open_unlocked (path);
  add_message (store, ROOM, "bob", "secret", 1, SOTTO_STORED_MESSAGE_RECEIVED, "the secret");
  add_message (store, ROOM, "bob", "plain", 2, SOTTO_STORED_MESSAGE_RECEIVED, "hello");
  add_message (store, ROOM, "carol", "waits", 3, SOTTO_STORED_MESSAGE_WAITING_FOR_KEY,
               "raw envelope");
  sotto_client_store_save_sender_key (store, ROOM, "bob", key_a, &error);
  g_assert_no_error (error);
  sotto_client_store_save_sender_key (store, ROOM, "carol", key_b, &error);
  g_assert_no_error (error);
  sotto_client_store_see_identity (store, "bob", sotto_identity_get_public (bob), 1, &seen,
                                   &error);
  g_assert_no_error (error);
  sotto_client_store_see_identity (store, "carol", sotto_identity_get_public (carol), 1, &seen,
                                   &error);
  g_assert_no_error (error);
  g_assert_finalize_object (store);

  raw_exec (path, sql);

  store = open_unlocked (path);
  if (g_str_equal (what, "history"))
    {
      g_autoptr(GPtrArray) history = sotto_client_store_load_history (store, ROOM, 0, 10, &error);

      g_assert_null (history);
    }
  else if (g_str_equal (what, "sender key"))
    {
      g_autoptr(SottoSenderKey) key =
        sotto_client_store_load_own_sender_key (store, ROOM, "carol", &error);

      g_assert_null (key);
    }
  else if (g_str_equal (what, "contact"))
    {
      SottoStoredContact contact;

      g_assert_false (sotto_client_store_get_contact (store, "carol", &contact, &error));
    }
  else
    {
      g_assert_not_reached ();
    }

  g_assert_error (error, SOTTO_CLIENT_STORE_ERROR, SOTTO_CLIENT_STORE_ERROR_CORRUPT);
  g_test_message ("%s: %s", sql, error->message);
  g_assert_finalize_object (store);
}

/* History from another device of the account: added where nothing is,
 * filled in where a row waits for its key, and never over what this
 * device read itself or over another message of the same number. What
 * a device hands over is what it read, in order, up to a number. */
static void
test_history_fill (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) readable = NULL;
  g_autoptr(GPtrArray) history = NULL;
  SottoClientStore *store = open_unlocked (fixture->path);
  static const struct
  {
    const char      *sender;
    const char      *msg_id;
    gint64           seq;
    const char      *text;
    SottoStoredFill  fill;
  } given[] = {
    /* Nothing there. */
    { "bob", "b1", 1, "added", SOTTO_STORED_FILL_ADDED },
    /* Waiting for its key. */
    { "bob", "b2", 2, "filled", SOTTO_STORED_FILL_FILLED },
    /* Read here already: kept as read here. */
    { "bob", "b3", 3, "other words", SOTTO_STORED_FILL_KEPT },
    /* Another message has that number here. */
    { "carol", "c9", 4, "not bob's", SOTTO_STORED_FILL_KEPT },
    /* Ours, sent. */
    { ME, "a1", 5, "mine", SOTTO_STORED_FILL_ADDED },
  };

  add_message (store, ROOM, "bob", "b2", 2, SOTTO_STORED_MESSAGE_WAITING_FOR_KEY,
               "\x01raw envelope");
  add_message (store, ROOM, "bob", "b3", 3, SOTTO_STORED_MESSAGE_RECEIVED, "read here");
  add_message (store, ROOM, "bob", "b4", 4, SOTTO_STORED_MESSAGE_UNVERIFIABLE, "\x01" "bad");

  for (guint i = 0; i < G_N_ELEMENTS (given); i++)
    {
      g_autoptr(GBytes) body = text (given[i].text);
      SottoStoredFill fill = 99;

      g_assert_true (sotto_client_store_fill_message (store, ROOM, given[i].sender,
                                                      given[i].msg_id, given[i].seq,
                                                      1000 + given[i].seq,
                                                      g_str_equal (given[i].sender, ME)
                                                        ? SOTTO_STORED_MESSAGE_SENT
                                                        : SOTTO_STORED_MESSAGE_RECEIVED,
                                                      body, 10 + (guint64) i, 2000, &fill,
                                                      &error));
      g_assert_no_error (error);
      g_assert_cmpint (fill, ==, given[i].fill);
    }

  history = sotto_client_store_load_history (store, ROOM, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (history->len, ==, 5);
  assert_body (g_ptr_array_index (history, 0), "added");
  g_assert_cmpint (((SottoStoredMessage *) g_ptr_array_index (history, 0))->state, ==,
                   SOTTO_STORED_MESSAGE_RECEIVED);
  g_assert_cmpuint (((SottoStoredMessage *) g_ptr_array_index (history, 0))->counter, ==, 10);
  assert_body (g_ptr_array_index (history, 1), "filled");
  g_assert_cmpint (((SottoStoredMessage *) g_ptr_array_index (history, 1))->state, ==,
                   SOTTO_STORED_MESSAGE_RECEIVED);
  g_assert_cmpint (((SottoStoredMessage *) g_ptr_array_index (history, 1))->seq, ==, 2);
  assert_body (g_ptr_array_index (history, 2), "read here");
  g_assert_cmpstr (((SottoStoredMessage *) g_ptr_array_index (history, 3))->msg_id, ==, "b4");
  g_assert_cmpint (((SottoStoredMessage *) g_ptr_array_index (history, 3))->state, ==,
                   SOTTO_STORED_MESSAGE_UNVERIFIABLE);
  assert_body (g_ptr_array_index (history, 4), "mine");
  g_assert_cmpint (((SottoStoredMessage *) g_ptr_array_index (history, 4))->state, ==,
                   SOTTO_STORED_MESSAGE_SENT);

  /* What this store hands over: read rows, numbered, in order, from a
   * number up to another; and how many up to that. */
  g_assert_cmpint (sotto_client_store_count_readable (store, ROOM, 5, &error), ==, 4);
  g_assert_cmpint (sotto_client_store_count_readable (store, ROOM, 2, &error), ==, 2);
  g_assert_cmpint (sotto_client_store_count_readable (store, "#other", 100, &error), ==, 0);
  readable = sotto_client_store_list_readable (store, ROOM, 1, 5, 2, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (readable->len, ==, 2);
  g_assert_cmpint (((SottoStoredMessage *) g_ptr_array_index (readable, 0))->seq, ==, 2);
  g_assert_cmpint (((SottoStoredMessage *) g_ptr_array_index (readable, 1))->seq, ==, 3);
  g_clear_pointer (&readable, g_ptr_array_unref);
  readable = sotto_client_store_list_readable (store, ROOM, 3, 4, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (readable->len, ==, 0);

  g_object_unref (store);
}

static void
test_tampering (Fixture       *fixture,
                gconstpointer  data)
{
  static const struct
  {
    const char *sql;
    const char *what;
  } cases[] = {
    /* A body copied into another row. */
    { "UPDATE messages SET body = (SELECT body FROM messages WHERE msg_id = 'secret')"
      " WHERE msg_id = 'plain'", "history" },
    /* A row moved to another sender, place in the room, or state. */
    { "UPDATE messages SET sender = 'carol' WHERE msg_id = 'secret'", "history" },
    { "UPDATE messages SET seq = 9 WHERE msg_id = 'secret'", "history" },
    { "UPDATE messages SET state = 2 WHERE msg_id = 'waits'", "history" },
    { "UPDATE messages SET ts = 0 WHERE msg_id = 'plain'", "history" },
    { "UPDATE messages SET body = substr (body, 1, 20) WHERE msg_id = 'plain'", "history" },
    /* One member's sender key passed off as another's. */
    { "UPDATE sender_keys SET state = (SELECT state FROM sender_keys WHERE owner = 'bob')"
      " WHERE owner = 'carol'", "sender key" },
    { "DELETE FROM sender_keys WHERE owner = 'carol';"
      "UPDATE sender_keys SET owner = 'carol' WHERE owner = 'bob'", "sender key" },
    /* A contact marked verified, or given someone else's key. */
    { "UPDATE contacts SET verified = 1 WHERE user = 'carol'", "contact" },
    { "UPDATE contacts SET identity = (SELECT identity FROM contacts WHERE user = 'bob')"
      " WHERE user = 'carol'", "contact" },
    { "UPDATE contacts SET tag = (SELECT tag FROM contacts WHERE user = 'bob'),"
      " identity = (SELECT identity FROM contacts WHERE user = 'bob') WHERE user = 'carol'",
      "contact" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("%s.%u", fixture->path, i);

      check_tampering (path, cases[i].sql, cases[i].what);
    }
}

static void
test_set_password (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SottoIdentity) identity = sotto_identity_new ();
  g_autoptr(SottoIdentity) loaded = NULL;
  SottoClientStore *store = open_store (fixture->path);

  /* No password to change yet. */
  g_assert_false (set_password (store, PASSWORD, "new", &error));
  g_assert_error (error, SOTTO_CLIENT_STORE_ERROR, SOTTO_CLIENT_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  unlock (store, PASSWORD, &error);
  g_assert_no_error (error);
  sotto_client_store_save_identity (store, identity, &error);
  g_assert_no_error (error);

  g_assert_false (set_password (store, "not it", "new password", &error));
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_PASSWORD);
  g_clear_error (&error);

  g_assert_true (set_password (store, PASSWORD, "new password", &error));
  g_assert_no_error (error);
  g_assert_true (sotto_client_store_is_unlocked (store));
  g_assert_finalize_object (store);

  store = open_store (fixture->path);
  g_assert_false (unlock (store, PASSWORD, &error));
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_PASSWORD);
  g_clear_error (&error);
  g_assert_true (unlock (store, "new password", &error));
  g_assert_no_error (error);
  loaded = sotto_client_store_load_identity (store, &error);
  g_assert_no_error (error);
  g_assert_true (sotto_public_identity_equal (sotto_identity_get_public (loaded),
                                              sotto_identity_get_public (identity)));
  g_assert_finalize_object (store);
}

static void
test_password_normalized (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  SottoClientStore *store;

  /* "café" precomposed, then with a combining accent. */
  store = open_store (fixture->path);
  unlock (store, "caf\xc3\xa9", &error);
  g_assert_no_error (error);
  g_assert_finalize_object (store);

  store = open_store (fixture->path);
  g_assert_true (unlock (store, "cafe\xcc\x81", &error));
  g_assert_no_error (error);
  g_assert_finalize_object (store);
}

static gboolean
file_contains (const char *path,
               const void *needle,
               gsize       needle_len)
{
  g_autofree char *contents = NULL;
  gsize size;

  if (!g_file_get_contents (path, &contents, &size, NULL))
    return FALSE;

  return memmem (contents, size, needle, needle_len) != NULL;
}

typedef struct
{
  const char *name;
  GBytes     *bytes;
} Secret;

static void
assert_no_secret_on_disk (const char   *path,
                          const Secret *secrets,
                          guint         n_secrets)
{
  const char *suffixes[] = { "", "-wal", "-shm", "-journal" };
  guint files_found = 0;

  for (guint f = 0; f < G_N_ELEMENTS (suffixes); f++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[f], NULL);

      if (!g_file_test (file, G_FILE_TEST_EXISTS))
        continue;

      files_found++;
      for (guint i = 0; i < n_secrets; i++)
        {
          gsize size;
          const void *data = g_bytes_get_data (secrets[i].bytes, &size);

          if (file_contains (file, data, size))
            g_error ("%s found in %s", secrets[i].name, file);
        }
    }

  g_assert_cmpuint (files_found, >, 0);
}

static void
test_no_plaintext (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SottoIdentity) identity = NULL;
  g_autoptr(SottoSenderKey) own = sotto_sender_key_new ();
  g_autoptr(SottoSenderKey) bobs = NULL;
  g_autoptr(GBytes) own_serialized = NULL;
  g_autoptr(GBytes) own_exported = NULL;
  g_autoptr(GBytes) bobs_serialized = NULL;
  g_autoptr(GBytes) bobs_exported = NULL;
  g_autoptr(GPtrArray) owned = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  guint8 box_seed[SOTTO_IDENTITY_SEED_BYTES];
  guint8 sign_seed[SOTTO_IDENTITY_SEED_BYTES];
  guint8 box_pk[crypto_box_PUBLICKEYBYTES];
  guint8 box_sk[crypto_box_SECRETKEYBYTES];
  guint8 message_key[SOTTO_MESSAGE_KEY_BYTES];
  char marker[5][64];
  Secret list[16];
  guint n = 0;
  SottoClientStore *store;

  randombytes_buf (box_seed, sizeof box_seed);
  randombytes_buf (sign_seed, sizeof sign_seed);
  identity = sotto_identity_new_from_seeds (box_seed, sign_seed);
  crypto_box_seed_keypair (box_pk, box_sk, box_seed);

  for (guint i = 0; i < G_N_ELEMENTS (marker); i++)
    {
      guint8 random[12];
      char hex[2 * sizeof random + 1];

      randombytes_buf (random, sizeof random);
      sodium_bin2hex (hex, sizeof hex, random, sizeof random);
      g_snprintf (marker[i], sizeof marker[i], "marker-%u-%s", i, hex);
      list[n].name = marker[i];
      list[n].bytes = text (marker[i]);
      g_ptr_array_add (owned, list[n].bytes);
      n++;
    }

  /* The identity's secret keys: the X25519 secret key, and the Ed25519
   * seed that is the first half of its secret key. */
  list[n].name = "identity box secret key";
  list[n].bytes = g_bytes_new (box_sk, sizeof box_sk);
  g_ptr_array_add (owned, list[n++].bytes);
  list[n].name = "identity signing seed";
  list[n].bytes = g_bytes_new (sign_seed, sizeof sign_seed);
  g_ptr_array_add (owned, list[n++].bytes);

  store = open_unlocked (fixture->path);
  sotto_client_store_save_identity (store, identity, &error);
  g_assert_no_error (error);

  /* Sender keys: ours after a message, with a skipped key in bob's. */
  g_assert_true (_sotto_sender_key_get_message_key (own, 0, message_key, &error));
  _sotto_sender_key_consume (own, 0);
  {
    g_autoptr(SottoSenderKey) bob_sending = sotto_sender_key_new ();
    g_autoptr(GBytes) exported = sotto_sender_key_export (bob_sending);

    bobs = sotto_sender_key_import (exported, &error);
    g_assert_no_error (error);
    g_assert_true (_sotto_sender_key_get_message_key (bobs, 2, message_key, &error));
    _sotto_sender_key_consume (bobs, 2);
    g_assert_cmpuint (sotto_sender_key_get_n_skipped (bobs), ==, 2);
  }
  sotto_client_store_save_sender_key (store, ROOM, ME, own, &error);
  g_assert_no_error (error);
  sotto_client_store_save_sender_key (store, ROOM, "bob", bobs, &error);
  g_assert_no_error (error);

  own_serialized = sotto_sender_key_serialize (own);
  own_exported = sotto_sender_key_export (own);
  bobs_serialized = sotto_sender_key_serialize (bobs);
  bobs_exported = sotto_sender_key_export (bobs);
  list[n].name = "our sender key state";
  list[n++].bytes = own_serialized;
  list[n].name = "our chain key";
  list[n].bytes = g_bytes_new_from_bytes (own_exported, 9, 32);
  g_ptr_array_add (owned, list[n++].bytes);
  list[n].name = "bob's sender key state";
  list[n++].bytes = bobs_serialized;
  list[n].name = "bob's chain key";
  list[n].bytes = g_bytes_new_from_bytes (bobs_exported, 9, 32);
  g_ptr_array_add (owned, list[n++].bytes);
  list[n].name = "a skipped message key";
  list[n].bytes = g_bytes_new_from_bytes (bobs_serialized, 45 + 4, SOTTO_MESSAGE_KEY_BYTES);
  g_ptr_array_add (owned, list[n++].bytes);

  /* Prekey secrets, signed and one-time. */
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(SottoPrekey) prekey = sotto_prekey_new (40 + i, 1700000000000);
      g_autoptr(GBytes) serialized = sotto_prekey_serialize (prekey);

      sotto_client_store_add_prekey (store, prekey, i == 1, &error);
      g_assert_no_error (error);
      list[n].name = i == 0 ? "a signed prekey's secret" : "a one-time prekey's secret";
      list[n].bytes = g_bytes_new_from_bytes (serialized, 1 + 4 + 8, 32);
      g_ptr_array_add (owned, list[n++].bytes);
    }
  g_assert_cmpuint (n, <=, G_N_ELEMENTS (list));

  /* Bodies in every state, and one rewritten in place. */
  add_message (store, ROOM, "bob", "m1", 1, SOTTO_STORED_MESSAGE_RECEIVED, marker[0]);
  add_message (store, ROOM, ME, "m2", 2, SOTTO_STORED_MESSAGE_SENT, marker[1]);
  add_message (store, ROOM, ME, "m3", 0, SOTTO_STORED_MESSAGE_SENDING, marker[2]);
  add_message (store, ROOM, "carol", "m4", 3, SOTTO_STORED_MESSAGE_WAITING_FOR_KEY, marker[3]);
  sotto_client_store_update_message_by_seq (store, ROOM, 3, SOTTO_STORED_MESSAGE_RECEIVED,
                                            list[4].bytes, &error);
  g_assert_no_error (error);

  /* While open, the changes are in the WAL. */
  assert_no_secret_on_disk (fixture->path, list, n);
  g_assert_finalize_object (store);
  assert_no_secret_on_disk (fixture->path, list, n);

  /* And it all reads back. */
  store = open_unlocked (fixture->path);
  {
    g_autoptr(GPtrArray) history = sotto_client_store_load_history (store, ROOM, 0, 0, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (history->len, ==, 4);
    assert_body (g_ptr_array_index (history, 0), marker[0]);
    assert_body (g_ptr_array_index (history, 2), marker[4]);
  }
  g_assert_finalize_object (store);
}

/* Counters: what was seen of each sender, kept per room, sender and
 * signing key; our own counter given once per message; leaving a room
 * keeps them all and marks the room's as "away". */
static void
test_counters (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) history = NULL;
  g_autoptr(SottoClientStore) store = open_unlocked (fixture->path);
  g_auto(SottoCounterState) state = { 0 };
  g_auto(SottoCounterState) other = { 0 };
  g_auto(SottoCounterState) mine = { 0 };
  g_autofree char *msg_id = NULL;
  guint8 bob_key[32], bob_new_key[32], my_key[32];
  guint64 counter = 0;
  SottoStoredMessage *row;

  memset (bob_key, 1, sizeof bob_key);
  memset (bob_new_key, 2, sizeof bob_new_key);
  memset (my_key, 3, sizeof my_key);

  /* Nothing stored: a fresh state, waiting for its first counter. */
  sotto_client_store_get_counters (store, ROOM, "bob", bob_key, &state, &error);
  g_assert_no_error (error);
  g_assert_true (state.rebase);
  g_assert_cmpuint (state.floor, ==, 0);

  sotto_counter_state_accept (&state, 4);
  sotto_counter_state_accept (&state, 6);
  g_assert_true (sotto_client_store_set_counters (store, ROOM, "bob", bob_key, &state, &error));
  g_assert_no_error (error);
  sotto_counter_state_clear (&state);

  sotto_client_store_get_counters (store, ROOM, "bob", bob_key, &state, &error);
  g_assert_no_error (error);
  g_assert_false (state.rebase);
  g_assert_cmpuint (state.floor, ==, 4);
  g_assert_cmpuint (state.seen->len, ==, 1);
  g_assert_cmpuint (g_array_index (state.seen, guint64, 0), ==, 6);

  /* Another signing key of the same name is someone else to count. */
  sotto_client_store_get_counters (store, ROOM, "bob", bob_new_key, &other, &error);
  g_assert_no_error (error);
  g_assert_true (other.rebase);
  g_assert_cmpuint (other.floor, ==, 0);

  /* A message of bob's learns its place; the gap before it is told there. */
  add_message (store, ROOM, "bob", "b6", 9, SOTTO_STORED_MESSAGE_RECEIVED, "six");
  g_assert_true (sotto_client_store_set_message_order (store, ROOM, "bob", "b6", 6, 123456,
                                                       SOTTO_MESSAGE_MARK_LATE, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (sotto_client_store_mark_gap (store, ROOM, "bob", 6, 1, NULL, &msg_id, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (msg_id, ==, "b6");
  g_clear_pointer (&msg_id, g_free);
  g_assert_true (sotto_client_store_mark_gap (store, ROOM, "bob", 77, 1, NULL, &msg_id, &error));
  g_assert_null (msg_id);

  /* Our own messages take the next counter once each. */
  add_message (store, ROOM, ME, "a1", 0, SOTTO_STORED_MESSAGE_SENDING, "one");
  add_message (store, ROOM, ME, "a2", 0, SOTTO_STORED_MESSAGE_SENDING, "two");
  g_assert_true (sotto_client_store_take_counter (store, ROOM, ME, my_key, "a1", &counter,
                                                  &error));
  g_assert_cmpuint (counter, ==, 1);
  g_assert_true (sotto_client_store_take_counter (store, ROOM, ME, my_key, "a1", &counter,
                                                  &error));
  g_assert_cmpuint (counter, ==, 1);
  g_assert_true (sotto_client_store_take_counter (store, ROOM, ME, my_key, "a2", &counter,
                                                  &error));
  g_assert_cmpuint (counter, ==, 2);
  g_assert_false (sotto_client_store_take_counter (store, ROOM, ME, my_key, "nope", &counter,
                                                   &error));
  g_assert_error (error, SOTTO_CLIENT_STORE_ERROR, SOTTO_CLIENT_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  history = sotto_client_store_list_messages (store, ROOM, SOTTO_STORED_MESSAGE_RECEIVED,
                                              &error);
  g_assert_no_error (error);
  g_assert_cmpuint (history->len, ==, 1);
  row = g_ptr_array_index (history, 0);
  g_assert_cmpuint (row->counter, ==, 6);
  g_assert_cmpint (row->sent_at, ==, 123456);
  g_assert_cmpuint (row->marks, ==, SOTTO_MESSAGE_MARK_LATE);
  g_assert_cmpuint (row->missing_before, ==, 1);
  g_clear_pointer (&history, g_ptr_array_unref);

  history = sotto_client_store_list_outbox (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (history->len, ==, 2);
  g_assert_cmpuint (((SottoStoredMessage *) g_ptr_array_index (history, 1))->counter, ==, 2);
  g_assert_cmpint (((SottoStoredMessage *) g_ptr_array_index (history, 1))->sent_at, ==, 1000);
  g_clear_pointer (&history, g_ptr_array_unref);

  /* Leaving forgets the history but not the counters: bob's are "away",
   * and ours go on. */
  g_assert_true (sotto_client_store_forget_room (store, ROOM, &error));
  g_assert_no_error (error);
  sotto_counter_state_clear (&state);
  sotto_client_store_get_counters (store, ROOM, "bob", bob_key, &state, &error);
  g_assert_no_error (error);
  g_assert_true (state.rebase);
  g_assert_cmpuint (state.floor, ==, 4);
  g_assert_cmpint (sotto_counter_state_accept (&state, 6), ==, SOTTO_COUNTER_REPLAYED);

  add_message (store, ROOM, ME, "a3", 0, SOTTO_STORED_MESSAGE_SENDING, "three");
  g_assert_true (sotto_client_store_take_counter (store, ROOM, ME, my_key, "a3", &counter,
                                                  &error));
  g_assert_cmpuint (counter, ==, 3);
  sotto_client_store_get_counters (store, ROOM, ME, my_key, &mine, &error);
  g_assert_cmpuint (mine.floor, ==, 3);

  /* Damaged counters are refused, not guessed. */
  g_clear_object (&store);
  raw_exec (fixture->path, "UPDATE counters SET seen = x'0102'");
  store = open_unlocked (fixture->path);
  sotto_counter_state_clear (&state);
  g_assert_false (sotto_client_store_get_counters (store, ROOM, "bob", bob_key, &state, &error));
  g_assert_error (error, SOTTO_CLIENT_STORE_ERROR, SOTTO_CLIENT_STORE_ERROR_CORRUPT);
}

/* A file of the first schema opens, moves to the current one, and keeps
 * its history; its messages have no counter yet. */
static void
test_open_migrate_counters (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) history = NULL;
  SottoClientStore *store = open_unlocked (fixture->path);

  add_message (store, ROOM, "bob", "b1", 1, SOTTO_STORED_MESSAGE_RECEIVED, "before");
  add_message (store, ROOM, ME, "a1", 0, SOTTO_STORED_MESSAGE_SENDING, "waiting");
  g_object_unref (store);

  raw_exec (fixture->path,
            "DROP INDEX messages_counter; DROP INDEX messages_pending;"
            "ALTER TABLE sender_keys DROP COLUMN device;"
            "ALTER TABLE messages DROP COLUMN signer;"
            "ALTER TABLE messages DROP COLUMN counter;"
            "ALTER TABLE messages DROP COLUMN sent_at;"
            "ALTER TABLE messages DROP COLUMN marks;"
            "ALTER TABLE messages DROP COLUMN missing_before;"
            "ALTER TABLE contacts DROP COLUMN review;"
            "DROP TABLE counters; DROP TABLE room_state; DROP TABLE prekeys;"
            "DROP TABLE account; DROP TABLE member_device_lists;"
            "ALTER TABLE rooms DROP COLUMN read_seq; ALTER TABLE rooms DROP COLUMN unread;"
            " PRAGMA user_version = 1;");

  store = open_unlocked (fixture->path);
  history = sotto_client_store_load_history (store, ROOM, 0, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (history->len, ==, 2);
  assert_body (g_ptr_array_index (history, 0), "before");
  g_assert_cmpuint (((SottoStoredMessage *) g_ptr_array_index (history, 0))->counter, ==, 0);
  assert_body (g_ptr_array_index (history, 1), "waiting");
  /* Rooms read from nowhere, with nothing counted. */
  {
    gint64 read_seq = -1;
    guint unread = 1;

    g_assert_true (sotto_client_store_get_read (store, ROOM, &read_seq, &unread, &error));
    g_assert_no_error (error);
    g_assert_cmpint (read_seq, ==, 0);
    g_assert_cmpuint (unread, ==, 0);
  }
  g_object_unref (store);

  g_assert_cmpint (raw_int (fixture->path, "PRAGMA user_version"), ==,
                   SOTTO_CLIENT_STORE_SCHEMA_VERSION);
}

static void
assert_same_prekey (SottoPrekey *found,
                    SottoPrekey *expected)
{
  g_assert_nonnull (found);
  g_assert_cmpuint (sotto_prekey_get_id (found), ==, sotto_prekey_get_id (expected));
  g_assert_cmpmem (sotto_prekey_get_public (found), SOTTO_PREKEY_PUBLIC_BYTES,
                   sotto_prekey_get_public (expected), SOTTO_PREKEY_PUBLIC_BYTES);
}

/* Prekeys: kept sealed, found by kind and id; a signed prekey retired
 * still opens until erased; a one-time prekey goes once forgotten; a
 * sealed value moved to another row is refused. */
static void
test_prekeys (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SottoPrekey) first = sotto_prekey_new (1, 1000);
  g_autoptr(SottoPrekey) second = sotto_prekey_new (2, 2000);
  g_autoptr(SottoPrekey) one_time = sotto_prekey_new (1, 1500);
  g_autoptr(SottoPrekey) found = NULL;
  SottoClientStore *store = open_unlocked (fixture->path);
  guint count = 0;
  guint32 highest = 0;

  found = sotto_client_store_get_signed_prekey (store, &error);
  g_assert_no_error (error);
  g_assert_null (found);

  g_assert_true (sotto_client_store_add_prekey (store, first, FALSE, &error));
  g_assert_true (sotto_client_store_add_prekey (store, one_time, TRUE, &error));
  g_assert_no_error (error);
  g_assert_false (sotto_client_store_add_prekey (store, first, FALSE, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  found = sotto_client_store_get_signed_prekey (store, &error);
  assert_same_prekey (found, first);
  g_clear_object (&found);
  found = sotto_client_store_get_prekey (store, 1, TRUE, &error);
  assert_same_prekey (found, one_time);
  g_clear_object (&found);

  /* Rotation: the new one is current, the old one still opens. */
  g_assert_true (sotto_client_store_retire_signed_prekeys (store, 5000, &error));
  g_assert_true (sotto_client_store_add_prekey (store, second, FALSE, &error));
  g_assert_no_error (error);
  found = sotto_client_store_get_signed_prekey (store, &error);
  assert_same_prekey (found, second);
  g_clear_object (&found);
  found = sotto_client_store_get_prekey (store, 1, FALSE, &error);
  assert_same_prekey (found, first);
  g_clear_object (&found);
  g_assert_true (sotto_client_store_count_prekeys (store, FALSE, &count, &highest, &error));
  g_assert_cmpuint (count, ==, 2);
  g_assert_cmpuint (highest, ==, 2);

  /* Its grace time over, the retired one is erased; the current stays. */
  g_assert_true (sotto_client_store_erase_retired_prekeys (store, 5000, &error));
  found = sotto_client_store_get_prekey (store, 1, FALSE, &error);
  assert_same_prekey (found, first);
  g_clear_object (&found);
  g_assert_true (sotto_client_store_erase_retired_prekeys (store, 5001, &error));
  g_assert_no_error (error);
  g_assert_null (sotto_client_store_get_prekey (store, 1, FALSE, &error));
  g_assert_no_error (error);
  found = sotto_client_store_get_prekey (store, 2, FALSE, &error);
  assert_same_prekey (found, second);
  g_clear_object (&found);

  /* A one-time prekey used is forgotten. */
  g_assert_true (sotto_client_store_forget_prekey (store, 1, TRUE, &error));
  g_assert_null (sotto_client_store_get_prekey (store, 1, TRUE, &error));
  g_assert_no_error (error);
  g_assert_true (sotto_client_store_count_prekeys (store, TRUE, &count, &highest, &error));
  g_assert_cmpuint (count, ==, 0);
  g_assert_cmpuint (highest, ==, 0);
  g_object_unref (store);

  /* A sealed secret moved to another row does not open. */
  raw_exec (fixture->path, "INSERT INTO prekeys (kind, id, created_at, sealed)"
                           " SELECT 1, 9, created_at, sealed FROM prekeys WHERE kind = 0 AND id = 2;");
  store = open_unlocked (fixture->path);
  g_assert_null (sotto_client_store_get_prekey (store, 9, TRUE, &error));
  g_assert_error (error, SOTTO_CLIENT_STORE_ERROR, SOTTO_CLIENT_STORE_ERROR_CORRUPT);
  g_object_unref (store);
}

/* The account key keeps sealed and opens to the same key; one store holds
 * one. The device list keeps beside it, with whether it was published. */
static void
test_account (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SottoAccountKey) key = sotto_account_key_new ();
  g_autoptr(SottoAccountKey) other = sotto_account_key_new ();
  g_autoptr(SottoAccountKey) found = NULL;
  g_autoptr(GBytes) list = g_bytes_new_static ("a signed list", 13);
  g_autoptr(GBytes) kept = NULL;
  g_autoptr(GBytes) seed = NULL;
  SottoClientStore *store = open_unlocked (fixture->path);
  gboolean published = TRUE;

  g_assert_null (sotto_client_store_get_account_key (store, &error));
  g_assert_no_error (error);
  g_assert_null (sotto_client_store_get_device_list (store, &published, &error));
  g_assert_no_error (error);
  g_assert_false (published);
  /* No list without a key to sign it. */
  g_assert_false (sotto_client_store_set_device_list (store, list, FALSE, &error));
  g_assert_error (error, SOTTO_CLIENT_STORE_ERROR, SOTTO_CLIENT_STORE_ERROR_FAILED);
  g_clear_error (&error);

  g_assert_true (sotto_client_store_add_account_key (store, key, &error));
  g_assert_no_error (error);
  g_assert_false (sotto_client_store_add_account_key (store, other, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_true (sotto_client_store_set_device_list (store, list, FALSE, &error));
  g_object_unref (store);

  store = open_unlocked (fixture->path);
  found = sotto_client_store_get_account_key (store, &error);
  g_assert_no_error (error);
  g_assert_nonnull (found);
  g_assert_cmpmem (sotto_account_key_get_public (found), SOTTO_ACCOUNT_KEY_PUBLIC_BYTES,
                   sotto_account_key_get_public (key), SOTTO_ACCOUNT_KEY_PUBLIC_BYTES);
  kept = sotto_client_store_get_device_list (store, &published, &error);
  g_assert_true (g_bytes_equal (kept, list));
  g_assert_false (published);
  g_clear_pointer (&kept, g_bytes_unref);
  g_assert_true (sotto_client_store_set_device_list (store, list, TRUE, &error));
  kept = sotto_client_store_get_device_list (store, &published, &error);
  g_assert_true (published);
  g_object_unref (store);

  /* The seed is not in the file as it is, and an edited seal does not
   * open. */
  seed = sotto_account_key_dup_seed (key);
  g_assert_false (file_contains (fixture->path, g_bytes_get_data (seed, NULL),
                                 SOTTO_ACCOUNT_KEY_SEED_BYTES));
  raw_exec (fixture->path, "UPDATE account SET sealed = substr (sealed, 1, 20) || CASE"
                           " WHEN substr (sealed, 21, 1) = x'00' THEN x'01' ELSE x'00' END"
                           " || substr (sealed, 22);");
  store = open_unlocked (fixture->path);
  g_clear_object (&found);
  found = sotto_client_store_get_account_key (store, &error);
  g_assert_null (found);
  g_assert_error (error, SOTTO_CLIENT_STORE_ERROR, SOTTO_CLIENT_STORE_ERROR_CORRUPT);
  g_object_unref (store);
}

static GBytes *
event_bytes (const char *text)
{
  return g_bytes_new (text, strlen (text));
}

/* A room's chain is kept in order, never rewritten, and forgotten with
 * the room; a hole in it is a damaged file. */
static void
test_room_state_events (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GBytes) first = event_bytes ("first");
  g_autoptr(GBytes) second = event_bytes ("second");
  g_autoptr(GBytes) other = event_bytes ("other");
  g_autoptr(GBytes) found = NULL;
  SottoClientStore *store = open_unlocked (fixture->path);

  g_assert_true (sotto_client_store_add_state_event (store, ROOM, 0, first, &error));
  g_assert_no_error (error);
  g_assert_true (sotto_client_store_add_state_event (store, ROOM, 1, second, &error));
  g_assert_no_error (error);
  g_assert_true (sotto_client_store_add_state_event (store, "elsewhere", 0, other, &error));
  g_assert_no_error (error);

  g_assert_false (sotto_client_store_add_state_event (store, ROOM, 1, other, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  events = sotto_client_store_list_state_events (store, ROOM, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 2);
  g_assert_true (g_bytes_equal (g_ptr_array_index (events, 0), first));
  g_assert_true (g_bytes_equal (g_ptr_array_index (events, 1), second));
  g_clear_pointer (&events, g_ptr_array_unref);

  found = sotto_client_store_get_state_event (store, ROOM, 1, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (found, second));
  g_clear_pointer (&found, g_bytes_unref);
  g_assert_null (sotto_client_store_get_state_event (store, ROOM, 2, &error));
  g_assert_no_error (error);

  g_assert_true (sotto_client_store_forget_room (store, ROOM, &error));
  g_assert_no_error (error);
  events = sotto_client_store_list_state_events (store, ROOM, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 0);
  g_clear_pointer (&events, g_ptr_array_unref);
  events = sotto_client_store_list_state_events (store, "elsewhere", &error);
  g_assert_cmpuint (events->len, ==, 1);
  g_clear_pointer (&events, g_ptr_array_unref);
  g_object_unref (store);

  raw_exec (fixture->path, "DELETE FROM room_state WHERE room = 'elsewhere';"
                           "INSERT INTO room_state (room, idx, event) VALUES ('elsewhere', 1, x'00');");
  store = open_unlocked (fixture->path);
  g_assert_null (sotto_client_store_list_state_events (store, "elsewhere", &error));
  g_assert_error (error, SOTTO_CLIENT_STORE_ERROR, SOTTO_CLIENT_STORE_ERROR_CORRUPT);
  g_object_unref (store);
}

/* Keys of our other devices, saved with the device that handed them
 * over: never taken for ours, never forgotten with ours; messages keep the
 * device whose counter they carry, and one device's messages never count
 * as overtaking another's. */
static void
test_sender_keys_devices (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SottoSenderKey) ours = sotto_sender_key_new ();
  g_autoptr(SottoSenderKey) sibling = sotto_sender_key_new ();
  g_autoptr(SottoSenderKey) loaded = NULL;
  SottoClientStore *store = open_unlocked (fixture->path);
  guint8 laptop[SOTTO_CLIENT_STORE_DEVICE_BYTES];
  guint8 phone[SOTTO_CLIENT_STORE_DEVICE_BYTES];
  guint8 read[SOTTO_CLIENT_STORE_DEVICE_BYTES];
  gboolean has_device = TRUE;

  memset (laptop, 0x1a, sizeof laptop);
  memset (phone, 0x2b, sizeof phone);
  g_assert_true (sotto_client_store_save_sender_key (store, ROOM, ME, ours, &error));
  g_assert_true (sotto_client_store_save_sender_key_from (store, ROOM, ME, laptop, sibling,
                                                          &error));
  g_assert_no_error (error);

  /* Ours is the newest without a device, although the laptop's came later. */
  loaded = sotto_client_store_load_own_sender_key (store, ROOM, ME, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sotto_sender_key_get_key_id (loaded), ==, sotto_sender_key_get_key_id (ours));
  g_assert_true (sotto_client_store_get_sender_key_device (store, ROOM, ME,
                                                           sotto_sender_key_get_key_id (sibling),
                                                           read, &has_device, &error));
  g_assert_true (has_device);
  g_assert_cmpmem (read, sizeof read, laptop, sizeof laptop);
  g_assert_true (sotto_client_store_get_sender_key_device (store, ROOM, ME,
                                                           sotto_sender_key_get_key_id (ours),
                                                           read, &has_device, &error));
  g_assert_false (has_device);

  /* Saving the laptop's key again, as it moves on, keeps its device. */
  g_assert_true (sotto_client_store_save_sender_key (store, ROOM, ME, sibling, &error));
  g_assert_true (sotto_client_store_get_sender_key_device (store, ROOM, ME,
                                                           sotto_sender_key_get_key_id (sibling),
                                                           read, &has_device, &error));
  g_assert_true (has_device);

  /* A new key of ours forgets ours only. */
  g_assert_true (sotto_client_store_forget_sender_keys (store, ROOM, ME, &error));
  g_clear_object (&loaded);
  loaded = sotto_client_store_load_own_sender_key (store, ROOM, ME, &error);
  g_assert_null (loaded);
  loaded = sotto_client_store_load_sender_key (store, ROOM, ME,
                                               sotto_sender_key_get_key_id (sibling), &error);
  g_assert_nonnull (loaded);
  g_assert_no_error (error);

  /* Two devices of bob count 1, 2 each: the phone's 2 numbered before the
   * laptop's 1 overtakes nothing of the laptop's. */
  add_message (store, ROOM, "bob", "l1", 10, SOTTO_STORED_MESSAGE_RECEIVED, "laptop one");
  add_message (store, ROOM, "bob", "p2", 5, SOTTO_STORED_MESSAGE_RECEIVED, "phone two");
  g_assert_true (sotto_client_store_set_message_order (store, ROOM, "bob", "l1", 1, 1000, 0,
                                                       laptop, &error));
  g_assert_true (sotto_client_store_set_message_order (store, ROOM, "bob", "p2", 2, 1000, 0,
                                                       phone, &error));
  g_assert_no_error (error);
  g_assert_cmpint (sotto_client_store_count_overtaken (store, ROOM, "bob", 1, 10, laptop,
                                                       &error), ==, 0);
  g_assert_cmpint (sotto_client_store_count_overtaken (store, ROOM, "bob", 1, 10, phone,
                                                       &error), ==, 1);
  g_assert_no_error (error);
  g_object_unref (store);
}

/* Members' device lists are kept as given, one per member, the latest in
 * place of the one before, across a reopening. */
static void
test_member_devices (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) first = g_bytes_new_static ("first list", 10);
  g_autoptr(GBytes) second = g_bytes_new_static ("second list", 11);
  g_autoptr(GBytes) read = NULL;
  SottoClientStore *store = open_unlocked (fixture->path);

  g_assert_null (sotto_client_store_get_member_devices (store, "bob", &error));
  g_assert_no_error (error);
  g_assert_true (sotto_client_store_set_member_devices (store, "bob", first, &error));
  g_assert_true (sotto_client_store_set_member_devices (store, "carol", first, &error));
  g_assert_true (sotto_client_store_set_member_devices (store, "bob", second, &error));
  g_assert_no_error (error);
  g_object_unref (store);

  store = open_unlocked (fixture->path);
  read = sotto_client_store_get_member_devices (store, "bob", &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (read, second));
  g_clear_pointer (&read, g_bytes_unref);
  read = sotto_client_store_get_member_devices (store, "carol", &error);
  g_assert_true (g_bytes_equal (read, first));
  g_object_unref (store);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  if (sodium_init () < 0)
    g_error ("sodium_init failed");

#define ADD(path, func) \
  g_test_add ("/sotto/client/store/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("open/fresh", test_open_fresh);
  ADD ("room-state/events", test_room_state_events);
  ADD ("prekeys", test_prekeys);
  ADD ("account", test_account);
  ADD ("open/garbage", test_open_garbage);
  ADD ("open/too-new", test_open_too_new);
  ADD ("open/foreign", test_open_foreign);
  ADD ("open/in-use", test_open_in_use);
  ADD ("unlock/wrong-password", test_wrong_password);
  ADD ("unlock/cancelled", test_unlock_cancelled);
  ADD ("unlock/normalized", test_password_normalized);
  ADD ("unlock/set-password", test_set_password);
  ADD ("locked", test_locked);
  ADD ("restore", test_restore);
  ADD ("contacts/identity-change", test_identity_change);
  ADD ("sender-keys/current", test_sender_keys);
  ADD ("sender-keys/devices", test_sender_keys_devices);
  ADD ("member-devices", test_member_devices);
  ADD ("history/pages", test_history_pages);
  ADD ("history/idempotent", test_history_idempotent);
  ADD ("history/update", test_history_update);
  ADD ("history/fill", test_history_fill);
  ADD ("tampering", test_tampering);
  ADD ("no-plaintext", test_no_plaintext);
  ADD ("counters", test_counters);
  ADD ("open/migrate-counters", test_open_migrate_counters);

#undef ADD

  return g_test_run ();
}
