/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "sotto-store.h"

/* The longest an async test waits for a callback before failing. */
#define WAIT_TIMEOUT_SECONDS 10

/*
 * A pass-through VFS, registered as SQLite's default, so tests can make
 * the disk misbehave under a real store: writes to the WAL fail as on a
 * full disk, or the database file opens read-only as if write-protected.
 */
static struct
{
  sqlite3_vfs  vfs;
  sqlite3_vfs *real;
  gboolean     fail_wal_writes;
  gboolean     open_read_only;
} shim;

typedef struct
{
  sqlite3_file  base;
  sqlite3_file *real;
  gboolean      is_wal;
} ShimFile;

#define REAL(file) (((ShimFile *) (file))->real)

static int
shim_close (sqlite3_file *file)
{
  return REAL (file)->pMethods->xClose (REAL (file));
}

static int
shim_read (sqlite3_file       *file,
           void               *buffer,
           int                 amount,
           sqlite3_int64       offset)
{
  return REAL (file)->pMethods->xRead (REAL (file), buffer, amount, offset);
}

static int
shim_write (sqlite3_file       *file,
            const void         *buffer,
            int                 amount,
            sqlite3_int64       offset)
{
  if (shim.fail_wal_writes && ((ShimFile *) file)->is_wal)
    return SQLITE_FULL;

  return REAL (file)->pMethods->xWrite (REAL (file), buffer, amount, offset);
}

static int
shim_truncate (sqlite3_file  *file,
               sqlite3_int64  size)
{
  return REAL (file)->pMethods->xTruncate (REAL (file), size);
}

static int
shim_sync (sqlite3_file *file,
           int           flags)
{
  return REAL (file)->pMethods->xSync (REAL (file), flags);
}

static int
shim_file_size (sqlite3_file  *file,
                sqlite3_int64 *size)
{
  return REAL (file)->pMethods->xFileSize (REAL (file), size);
}

static int
shim_lock (sqlite3_file *file,
           int           lock)
{
  return REAL (file)->pMethods->xLock (REAL (file), lock);
}

static int
shim_unlock (sqlite3_file *file,
             int           lock)
{
  return REAL (file)->pMethods->xUnlock (REAL (file), lock);
}

static int
shim_check_reserved_lock (sqlite3_file *file,
                          int          *out)
{
  return REAL (file)->pMethods->xCheckReservedLock (REAL (file), out);
}

static int
shim_file_control (sqlite3_file *file,
                   int           op,
                   void         *arg)
{
  return REAL (file)->pMethods->xFileControl (REAL (file), op, arg);
}

static int
shim_sector_size (sqlite3_file *file)
{
  return REAL (file)->pMethods->xSectorSize (REAL (file));
}

static int
shim_device_characteristics (sqlite3_file *file)
{
  return REAL (file)->pMethods->xDeviceCharacteristics (REAL (file));
}

static int
shim_shm_map (sqlite3_file  *file,
              int            page,
              int            page_size,
              int            extend,
              void volatile **out)
{
  return REAL (file)->pMethods->xShmMap (REAL (file), page, page_size, extend, out);
}

static int
shim_shm_lock (sqlite3_file *file,
               int           offset,
               int           n,
               int           flags)
{
  return REAL (file)->pMethods->xShmLock (REAL (file), offset, n, flags);
}

static void
shim_shm_barrier (sqlite3_file *file)
{
  REAL (file)->pMethods->xShmBarrier (REAL (file));
}

static int
shim_shm_unmap (sqlite3_file *file,
                int           delete_flag)
{
  return REAL (file)->pMethods->xShmUnmap (REAL (file), delete_flag);
}

static int
shim_fetch (sqlite3_file   *file,
            sqlite3_int64   offset,
            int             amount,
            void          **out)
{
  return REAL (file)->pMethods->xFetch (REAL (file), offset, amount, out);
}

static int
shim_unfetch (sqlite3_file  *file,
              sqlite3_int64  offset,
              void          *page)
{
  return REAL (file)->pMethods->xUnfetch (REAL (file), offset, page);
}

static const sqlite3_io_methods shim_io_methods = {
  3,
  shim_close,
  shim_read,
  shim_write,
  shim_truncate,
  shim_sync,
  shim_file_size,
  shim_lock,
  shim_unlock,
  shim_check_reserved_lock,
  shim_file_control,
  shim_sector_size,
  shim_device_characteristics,
  shim_shm_map,
  shim_shm_lock,
  shim_shm_barrier,
  shim_shm_unmap,
  shim_fetch,
  shim_unfetch,
};

static int
shim_open (sqlite3_vfs  *vfs,
           const char   *name,
           sqlite3_file *file,
           int           flags,
           int          *out_flags)
{
  ShimFile *shim_file = (ShimFile *) file;
  int rc;

  shim_file->real = (sqlite3_file *) (shim_file + 1);
  shim_file->is_wal = (flags & SQLITE_OPEN_WAL) != 0;

  if (shim.open_read_only && (flags & SQLITE_OPEN_MAIN_DB) != 0)
    flags = (flags & ~(SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)) | SQLITE_OPEN_READONLY;

  rc = shim.real->xOpen (shim.real, name, shim_file->real, flags, out_flags);
  file->pMethods = shim_file->real->pMethods != NULL ? &shim_io_methods : NULL;

  return rc;
}

static void
shim_register (void)
{
  shim.real = sqlite3_vfs_find (NULL);
  g_assert_nonnull (shim.real);

  /* Everything but xOpen goes straight to the real VFS. */
  shim.vfs = *shim.real;
  shim.vfs.pNext = NULL;
  shim.vfs.zName = "sotto-test-shim";
  shim.vfs.szOsFile = sizeof (ShimFile) + shim.real->szOsFile;
  shim.vfs.xOpen = shim_open;
  g_assert_cmpint (sqlite3_vfs_register (&shim.vfs, 1), ==, SQLITE_OK);
}

/* Raw access, to check what is really in the file. */

static sqlite3 *
raw_open (const char *path)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  return db;
}

static void
raw_exec (sqlite3    *db,
          const char *sql)
{
  char *message = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
}

static gint64
raw_int (sqlite3    *db,
         const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);

  return value;
}

static char *
raw_text (sqlite3    *db,
          const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  char *value;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);

  return value;
}

static void
raw_close (sqlite3 *db)
{
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);
}

/* Fixture: a fresh directory with a store opened in it. */

typedef struct
{
  char       *dir;
  char       *path;
  SottoStore *store;
  GMainLoop  *loop;
  GString    *order;
  guint       waiting;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("sotto-store-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "sotto.db", NULL);
  fixture->store = sotto_store_open (fixture->path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fixture->store);
  fixture->loop = g_main_loop_new (NULL, FALSE);
  fixture->order = g_string_new (NULL);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (fixture->store != NULL)
    g_assert_finalize_object (fixture->store);

  shim.fail_wal_writes = FALSE;
  shim.open_read_only = FALSE;

  dir = g_dir_open (fixture->dir, 0, NULL);
  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (fixture->dir, name, NULL);

      g_assert_cmpint (g_remove (path), ==, 0);
    }
  g_assert_cmpint (g_rmdir (fixture->dir), ==, 0);

  g_string_free (fixture->order, TRUE);
  g_main_loop_unref (fixture->loop);
  g_free (fixture->path);
  g_free (fixture->dir);
}

static void
fixture_close (Fixture *fixture)
{
  /* Waiters answered while closing still see the store as the fixture's. */
  g_assert_finalize_object (fixture->store);
  fixture->store = NULL;
}

static void
fixture_reopen (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;

  if (fixture->store != NULL)
    fixture_close (fixture);
  fixture->store = sotto_store_open (fixture->path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fixture->store);
}

static gboolean
timeout_cb (gpointer user_data)
{
  g_error ("Timed out waiting for the store");
  return G_SOURCE_REMOVE;
}

/* Runs the main loop until every waiter registered with waiter_new() ran. */
static void
fixture_run_until_committed (Fixture *fixture)
{
  guint timeout_id;

  if (fixture->waiting == 0)
    return;

  timeout_id = g_timeout_add_seconds (WAIT_TIMEOUT_SECONDS, timeout_cb, NULL);
  g_main_loop_run (fixture->loop);
  g_source_remove (timeout_id);
}

static void
fixture_commit (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (sotto_store_commit_now (fixture->store, &error));
  g_assert_no_error (error);
}

static gint64
fixture_room_id (Fixture    *fixture,
                 const char *name)
{
  g_autoptr(GPtrArray) rooms = NULL;
  g_autoptr(GError) error = NULL;

  rooms = sotto_store_load_rooms (fixture->store, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < rooms->len; i++)
    {
      SottoStoreRoom *room = g_ptr_array_index (rooms, i);

      if (g_str_equal (room->name, name))
        return room->id;
    }

  g_assert_not_reached ();
}

/* One sotto_store_commit_soon() registration and what happened to it. */
typedef struct
{
  Fixture    *fixture;
  const char *name;
  guint       calls;
  guint       destroys;
  GError     *error;
  /* Called from the callback, while the outcome is fresh. */
  void      (*check) (Fixture *fixture);
} Waiter;

static Waiter *
waiter_new (Fixture    *fixture,
            const char *name)
{
  Waiter *waiter = g_new0 (Waiter, 1);

  waiter->fixture = fixture;
  waiter->name = name;
  fixture->waiting++;

  return waiter;
}

static void
waiter_free (Waiter *waiter)
{
  g_clear_error (&waiter->error);
  g_free (waiter);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Waiter, waiter_free)

static void
waiter_committed_cb (SottoStore   *store,
                     const GError *error,
                     gpointer      user_data)
{
  Waiter *waiter = user_data;
  Fixture *fixture = waiter->fixture;

  g_assert_true (store == fixture->store);
  g_assert_cmpuint (waiter->destroys, ==, 0);
  waiter->calls++;
  waiter->error = error != NULL ? g_error_copy (error) : NULL;
  g_string_append (fixture->order, waiter->name);

  if (waiter->check != NULL)
    waiter->check (fixture);

  g_assert_cmpuint (fixture->waiting, >, 0);
  if (--fixture->waiting == 0)
    g_main_loop_quit (fixture->loop);
}

static void
waiter_destroy_cb (gpointer user_data)
{
  Waiter *waiter = user_data;

  waiter->destroys++;
}

static void
fixture_commit_soon (Fixture *fixture,
                     Waiter  *waiter)
{
  sotto_store_commit_soon (fixture->store, waiter_committed_cb, waiter, waiter_destroy_cb);
}

static void
make_identity (SottoWireIdentity *identity,
               guint8             seed)
{
  memset (identity->box, seed, sizeof identity->box);
  memset (identity->sign, seed + 1, sizeof identity->sign);
  memset (identity->binding, seed + 2, sizeof identity->binding);
}

static gint64
add_account (Fixture    *fixture,
             const char *username)
{
  g_autoptr(GError) error = NULL;
  SottoWireIdentity identity;
  gint64 id;

  make_identity (&identity, (guint8) username[0]);
  id = sotto_store_add_account (fixture->store, username, "$argon2id$hash", &identity, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);

  return id;
}

/* The account's device, as the server adds it at registration. */
static gint64
add_device (Fixture *fixture,
            gint64   account_id,
            guint8   fill)
{
  g_autoptr(GError) error = NULL;
  SottoWireIdentity identity;
  gint64 id;

  make_identity (&identity, fill);
  id = sotto_store_add_device (fixture->store, account_id, &identity, 1000, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);

  return id;
}

/* A new account and the device it registered from. */
static gint64
add_account_device (Fixture    *fixture,
                    const char *username)
{
  return add_device (fixture, add_account (fixture, username), (guint8) username[0]);
}

static gint64
add_room (Fixture    *fixture,
          const char *name)
{
  g_autoptr(GError) error = NULL;
  gint64 id;

  id = sotto_store_add_room (fixture->store, name, FALSE, "alice", &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);

  return id;
}

static void
append (Fixture    *fixture,
        gint64      room_id,
        gint64      seq,
        gint64      ts,
        const char *sender,
        const char *msg_id)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = g_strdup_printf ("event %" G_GINT64_FORMAT, seq);
  g_autoptr(GBytes) body = g_bytes_new (text, strlen (text));

  g_assert_true (sotto_store_append_event (fixture->store, room_id, seq, ts, 0, sender, msg_id,
                                           body, &error));
  g_assert_no_error (error);
}

/* Checks that read_log() returns the bodies of seqs first..last, and says
 * where it stopped. */
static void
assert_log_range (Fixture *fixture,
                  gint64   room_id,
                  gint64   after_seq,
                  gint64   up_to_seq,
                  guint    limit,
                  gint64   first,
                  gint64   last)
{
  g_autoptr(GPtrArray) bodies = NULL;
  g_autoptr(GError) error = NULL;
  gint64 last_read = -1;

  bodies = sotto_store_read_log (fixture->store, room_id, after_seq, up_to_seq, limit,
                                 &last_read, &error);
  g_assert_no_error (error);
  g_assert_nonnull (bodies);
  g_assert_cmpuint (bodies->len, ==, last >= first ? last - first + 1 : 0);
  g_assert_cmpint (last_read, ==, last >= first ? last : after_seq);

  for (guint i = 0; i < bodies->len; i++)
    {
      g_autofree char *expected = g_strdup_printf ("event %" G_GINT64_FORMAT, first + i);
      GBytes *body = g_ptr_array_index (bodies, i);
      gsize size;
      const char *data = g_bytes_get_data (body, &size);

      g_assert_cmpmem (data, size, expected, strlen (expected));
    }
}

static void
assert_log (Fixture *fixture,
            gint64   room_id,
            gint64   after_seq,
            guint    limit,
            gint64   first,
            gint64   last)
{
  assert_log_range (fixture, room_id, after_seq, G_MAXINT64, limit, first, last);
}

static gint64
last_seq (Fixture *fixture,
          gint64   room_id)
{
  g_autoptr(GError) error = NULL;
  gint64 seq = sotto_store_get_last_seq (fixture->store, room_id, &error);

  g_assert_no_error (error);
  return seq;
}

/* Opening */

static void
test_open_schema (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GPtrArray) rooms = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *journal_mode = NULL;
  SottoStoreRoom *general;
  sqlite3 *db;

  rooms = sotto_store_load_rooms (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rooms->len, ==, 1);
  general = g_ptr_array_index (rooms, 0);
  g_assert_cmpstr (general->name, ==, SOTTO_STORE_GENERAL_ROOM);
  g_assert_false (general->direct);
  g_assert_null (general->owner);
  g_assert_cmpint (general->last_seq, ==, 0);
  g_assert_cmpint (last_seq (fixture, general->id), ==, 0);

  db = raw_open (fixture->path);
  g_assert_cmpint (raw_int (db, "PRAGMA user_version"), ==, SOTTO_STORE_SCHEMA_VERSION);
  journal_mode = raw_text (db, "PRAGMA journal_mode");
  g_assert_cmpstr (journal_mode, ==, "wal");
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND "
                                "name IN ('accounts', 'rooms', 'members', 'room_log', "
                                "'key_queue', 'bans', 'room_state', 'device_prekey_bundles', "
                                "'device_one_time_prekeys', 'device_lists', 'devices', "
                                "'history_queue', 'blobs')"),
                   ==, 13);
  raw_close (db);

  /* Foreign keys are on: a membership needs a room and an account. */
  g_assert_false (sotto_store_add_member (fixture->store, general->id, 999, &error));
  g_assert_error (error, SOTTO_STORE_ERROR, SOTTO_STORE_ERROR_CONSTRAINT);
}

static void
test_open_reopen (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rooms = NULL;
  g_autoptr(GPtrArray) names = NULL;
  g_autoptr(GPtrArray) keys = NULL;
  g_autoptr(GBytes) box = g_bytes_new_static ("boxed key", 9);
  g_auto(SottoStoreAccount) alice = { 0 };
  SottoWireIdentity identity;
  SottoStoreKey *key;
  gint64 alice_id, bob_id, bob_device, lobby_id, seq = 0, kid;

  alice_id = add_account (fixture, "alice");
  bob_id = add_account (fixture, "bob");
  bob_device = add_device (fixture, bob_id, 0xb0);
  lobby_id = add_room (fixture, "lobby");
  g_assert_true (sotto_store_add_member (fixture->store, lobby_id, alice_id, &error));
  g_assert_true (sotto_store_add_member (fixture->store, lobby_id, bob_id, &error));
  append (fixture, lobby_id, 1, 1000, "alice", "m1");
  append (fixture, lobby_id, 2, 2000, "bob", NULL);
  kid = sotto_store_queue_key (fixture->store, bob_device, 3000, "alice", "lobby",
                               SOTTO_STORE_KEY_BOX, 42, box, NULL, &error);
  g_assert_no_error (error);
  make_identity (&identity, 0x77);
  g_assert_true (sotto_store_set_identity (fixture->store, alice_id, &identity, &error));
  g_assert_no_error (error);
  fixture_commit (fixture);

  fixture_reopen (fixture);

  g_assert_true (sotto_store_find_account (fixture->store, "alice", &alice, &error));
  g_assert_no_error (error);
  g_assert_cmpint (alice.id, ==, alice_id);
  g_assert_cmpmem (&alice.identity, sizeof alice.identity, &identity, sizeof identity);

  names = sotto_store_list_usernames (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (names->len, ==, 2);

  /* "general" is not made a second time. */
  rooms = sotto_store_load_rooms (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rooms->len, ==, 2);
  g_assert_cmpstr (((SottoStoreRoom *) g_ptr_array_index (rooms, 1))->name, ==, "lobby");
  g_assert_cmpint (((SottoStoreRoom *) g_ptr_array_index (rooms, 1))->last_seq, ==, 2);

  g_clear_pointer (&names, g_ptr_array_unref);
  names = sotto_store_load_member_names (fixture->store, lobby_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (names->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (names, 0), ==, "alice");
  g_assert_cmpstr (g_ptr_array_index (names, 1), ==, "bob");

  assert_log (fixture, lobby_id, 0, 0, 1, 2);
  g_assert_true (sotto_store_find_message (fixture->store, lobby_id, "alice", "m1", &seq, NULL,
                                           &error));
  g_assert_cmpint (seq, ==, 1);

  keys = sotto_store_pending_keys (fixture->store, bob_device, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (keys->len, ==, 1);
  key = g_ptr_array_index (keys, 0);
  g_assert_cmpint (key->kid, ==, kid);
  g_assert_true (g_bytes_equal (key->box, box));
}

static void
test_open_too_new (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (fixture->dir, "newer.db", NULL);
  g_autofree char *sql = g_strdup_printf ("PRAGMA user_version = %d; CREATE TABLE future (x);",
                                          SOTTO_STORE_SCHEMA_VERSION + 1);
  g_autofree char *journal_mode = NULL;
  SottoStore *store;
  sqlite3 *db;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL),
                   ==, SQLITE_OK);
  raw_exec (db, sql);
  raw_close (db);

  store = sotto_store_open (path, &error);
  g_assert_error (error, SOTTO_STORE_ERROR, SOTTO_STORE_ERROR_TOO_NEW);
  g_assert_null (store);

  /* Left exactly as it was: not even switched to WAL. */
  db = raw_open (path);
  g_assert_cmpint (raw_int (db, "PRAGMA user_version"), ==, SOTTO_STORE_SCHEMA_VERSION + 1);
  journal_mode = raw_text (db, "PRAGMA journal_mode");
  g_assert_cmpstr (journal_mode, ==, "delete");
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM sqlite_schema"), ==, 1);
  raw_close (db);
}

/* Each migration is one transaction: one that fails leaves no trace. */
static void
test_open_failed_migration (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (fixture->dir, "clash.db", NULL);
  SottoStore *store;
  sqlite3 *db;

  /* A version 0 file with a table in the way of the first migration. */
  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL),
                   ==, SQLITE_OK);
  raw_exec (db, "CREATE TABLE key_queue (x)");
  raw_close (db);

  store = sotto_store_open (path, &error);
  g_assert_error (error, SOTTO_STORE_ERROR, SOTTO_STORE_ERROR_FAILED);
  g_assert_null (store);
  g_test_message ("%s", error->message);

  db = raw_open (path);
  g_assert_cmpint (raw_int (db, "PRAGMA user_version"), ==, 0);
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM sqlite_schema"), ==, 1);
  raw_close (db);
}

static void
test_open_not_a_database (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (fixture->dir, "garbage.db", NULL);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *garbage = NULL;
  g_autofree char *after = NULL;
  gsize after_len;
  SottoStore *store;

  garbage = g_strnfill (4096, 'x');
  memcpy (garbage, "not a database", 14);
  g_assert_true (g_file_set_contents (path, garbage, 4096, &error));

  store = sotto_store_open (path, &error);
  g_assert_error (error, SOTTO_STORE_ERROR, SOTTO_STORE_ERROR_CORRUPT);
  g_assert_null (store);
  g_test_message ("%s", error->message);
  g_clear_error (&error);

  g_assert_true (g_file_get_contents (path, &after, &after_len, &error));
  g_assert_cmpmem (after, after_len, garbage, 4096);
  g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));
}

static void
test_open_missing_directory (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (fixture->dir, "missing", "sotto.db", NULL);
  SottoStore *store;

  store = sotto_store_open (path, &error);
  g_assert_error (error, SOTTO_STORE_ERROR, SOTTO_STORE_ERROR_OPEN);
  g_assert_null (store);
}

static void
test_open_read_only (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  SottoStore *store;

  fixture_close (fixture);

  /* As if the file were write-protected; chmod proves nothing as root. */
  shim.open_read_only = TRUE;
  store = sotto_store_open (fixture->path, &error);
  g_assert_error (error, SOTTO_STORE_ERROR, SOTTO_STORE_ERROR_READ_ONLY);
  g_assert_null (store);
}

/* Accounts */

static void
test_accounts_add_find (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_auto(SottoStoreAccount) account = { 0 };
  SottoWireIdentity identity;
  gint64 before = g_get_real_time () / 1000;
  gint64 id;

  make_identity (&identity, 0x10);
  id = sotto_store_add_account (fixture->store, "Alice", "$argon2id$v=19$x", &identity, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);

  /* Stored and found in lower case, whatever case is asked for. */
  g_assert_true (sotto_store_find_account (fixture->store, "ALICE", &account, &error));
  g_assert_no_error (error);
  g_assert_cmpint (account.id, ==, id);
  g_assert_cmpstr (account.username, ==, "alice");
  g_assert_cmpstr (account.password_hash, ==, "$argon2id$v=19$x");
  g_assert_true (account.has_identity);
  g_assert_cmpmem (&account.identity, sizeof account.identity, &identity, sizeof identity);
  g_assert_cmpint (account.created, >=, before);
  g_assert_cmpint (account.created, <=, g_get_real_time () / 1000);

  g_assert_true (sotto_store_find_account (fixture->store, "alice", NULL, &error));
  g_assert_no_error (error);

  /* Absent is not an error. */
  g_assert_false (sotto_store_find_account (fixture->store, "nobody", NULL, &error));
  g_assert_no_error (error);
}

static void
test_accounts_duplicate (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 id;

  add_account (fixture, "alice");

  id = sotto_store_add_account (fixture->store, "ALICE", "$argon2id$other", NULL, &error);
  g_assert_error (error, SOTTO_STORE_ERROR, SOTTO_STORE_ERROR_CONSTRAINT);
  g_assert_cmpint (id, ==, -1);
  /* SQLite's own words are kept for the operator. */
  g_assert_nonnull (strstr (error->message, "UNIQUE"));
  g_clear_error (&error);

  /* Only the statement failed: the batch and the store go on. */
  add_account (fixture, "bob");
  fixture_commit (fixture);
  g_assert_true (sotto_store_find_account (fixture->store, "alice", NULL, &error));
  g_assert_true (sotto_store_find_account (fixture->store, "bob", NULL, &error));
  g_assert_no_error (error);
}

static void
test_accounts_identity (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) names = NULL;
  g_auto(SottoStoreAccount) account = { 0 };
  SottoWireIdentity identity;
  gint64 id;

  id = sotto_store_add_account (fixture->store, "carol", "$argon2id$c", NULL, &error);
  g_assert_no_error (error);
  g_assert_true (sotto_store_find_account (fixture->store, "carol", &account, &error));
  g_assert_false (account.has_identity);
  sotto_store_account_clear (&account);

  make_identity (&identity, 0xa0);
  g_assert_true (sotto_store_set_identity (fixture->store, id, &identity, &error));
  g_assert_no_error (error);
  g_assert_true (sotto_store_find_account (fixture->store, "carol", &account, &error));
  g_assert_true (account.has_identity);
  g_assert_cmpmem (&account.identity, sizeof account.identity, &identity, sizeof identity);

  g_assert_false (sotto_store_set_identity (fixture->store, id + 100, &identity, &error));
  g_assert_error (error, SOTTO_STORE_ERROR, SOTTO_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  add_account (fixture, "bob");
  add_account (fixture, "alice");
  names = sotto_store_list_usernames (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (names->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (names, 0), ==, "alice");
  g_assert_cmpstr (g_ptr_array_index (names, 1), ==, "bob");
  g_assert_cmpstr (g_ptr_array_index (names, 2), ==, "carol");
}

/* Rooms */

static void
test_rooms_add_load (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rooms = NULL;
  SottoStoreRoom *room;
  gint64 lobby_id, direct_id, id;

  lobby_id = add_room (fixture, "lobby");
  direct_id = sotto_store_add_room (fixture->store, "@alice+bob", TRUE, NULL, &error);
  g_assert_no_error (error);

  id = sotto_store_add_room (fixture->store, "lobby", FALSE, "bob", &error);
  g_assert_error (error, SOTTO_STORE_ERROR, SOTTO_STORE_ERROR_CONSTRAINT);
  g_assert_cmpint (id, ==, -1);
  g_clear_error (&error);

  rooms = sotto_store_load_rooms (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rooms->len, ==, 3);

  room = g_ptr_array_index (rooms, 1);
  g_assert_cmpint (room->id, ==, lobby_id);
  g_assert_cmpstr (room->name, ==, "lobby");
  g_assert_false (room->direct);
  g_assert_cmpstr (room->owner, ==, "alice");
  g_assert_cmpint (room->created, >, 0);

  room = g_ptr_array_index (rooms, 2);
  g_assert_cmpint (room->id, ==, direct_id);
  g_assert_cmpstr (room->name, ==, "@alice+bob");
  g_assert_true (room->direct);
  g_assert_null (room->owner);
}

static void
test_rooms_members (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) names = NULL;
  g_autoptr(GPtrArray) rooms_of = NULL;
  gint64 alice_id, bob_id, lobby_id, direct_id;

  alice_id = add_account (fixture, "alice");
  bob_id = add_account (fixture, "bob");
  lobby_id = add_room (fixture, "lobby");
  direct_id = sotto_store_add_room (fixture->store, "@alice+bob", TRUE, NULL, &error);
  g_assert_no_error (error);

  /* Bob joins first; joining twice changes nothing. */
  g_assert_true (sotto_store_add_member (fixture->store, lobby_id, bob_id, &error));
  g_assert_true (sotto_store_add_member (fixture->store, lobby_id, alice_id, &error));
  g_assert_true (sotto_store_add_member (fixture->store, lobby_id, bob_id, &error));
  g_assert_true (sotto_store_add_member (fixture->store, direct_id, alice_id, &error));
  g_assert_no_error (error);
  g_assert_cmpint (sotto_store_count_members (fixture->store, lobby_id, &error), ==, 2);

  names = sotto_store_load_member_names (fixture->store, lobby_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (names->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (names, 0), ==, "bob");
  g_assert_cmpstr (g_ptr_array_index (names, 1), ==, "alice");

  rooms_of = sotto_store_load_rooms_of (fixture->store, alice_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rooms_of->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (rooms_of, 0), ==, "@alice+bob");
  g_assert_cmpstr (g_ptr_array_index (rooms_of, 1), ==, "lobby");

  /* Leaving, and leaving again. */
  g_assert_true (sotto_store_remove_member (fixture->store, lobby_id, bob_id, &error));
  g_assert_true (sotto_store_remove_member (fixture->store, lobby_id, bob_id, &error));
  g_assert_no_error (error);
  g_assert_cmpint (sotto_store_count_members (fixture->store, lobby_id, &error), ==, 1);
  g_clear_pointer (&rooms_of, g_ptr_array_unref);
  rooms_of = sotto_store_load_rooms_of (fixture->store, bob_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rooms_of->len, ==, 0);

  /* Rejoining puts Bob last. */
  g_assert_true (sotto_store_add_member (fixture->store, lobby_id, bob_id, &error));
  g_clear_pointer (&names, g_ptr_array_unref);
  names = sotto_store_load_member_names (fixture->store, lobby_id, &error);
  g_assert_cmpuint (names->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (names, 0), ==, "alice");
  g_assert_cmpstr (g_ptr_array_index (names, 1), ==, "bob");

  g_assert_false (sotto_store_add_member (fixture->store, 999, alice_id, &error));
  g_assert_error (error, SOTTO_STORE_ERROR, SOTTO_STORE_ERROR_CONSTRAINT);
  g_clear_error (&error);
  g_assert_false (sotto_store_add_member (fixture->store, lobby_id, 999, &error));
  g_assert_error (error, SOTTO_STORE_ERROR, SOTTO_STORE_ERROR_CONSTRAINT);
}

static void
assert_banned (Fixture  *fixture,
               gint64    room_id,
               gint64    account_id,
               gboolean  expected)
{
  g_autoptr(GError) error = NULL;
  gboolean banned = !expected;

  g_assert_true (sotto_store_is_banned (fixture->store, room_id, account_id, &banned, &error));
  g_assert_no_error (error);
  g_assert_true (banned == expected);
}

/* Bans: set, lifted, kept across a reopen, gone with their room. */
static void
test_rooms_bans (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) bans = NULL;
  SottoStoreBan *ban;
  gint64 alice_id, bob_id, carol_id, lobby_id, garden_id;
  sqlite3 *db;

  alice_id = add_account (fixture, "alice");
  bob_id = add_account (fixture, "bob");
  carol_id = add_account (fixture, "carol");
  lobby_id = add_room (fixture, "lobby");
  garden_id = add_room (fixture, "garden");

  /* Banning twice changes nothing; the operator bans with no author. */
  g_assert_true (sotto_store_add_ban (fixture->store, lobby_id, bob_id, "alice", 1000, &error));
  g_assert_true (sotto_store_add_ban (fixture->store, lobby_id, bob_id, "carol", 2000, &error));
  g_assert_true (sotto_store_add_ban (fixture->store, lobby_id, carol_id, NULL, 3000, &error));
  g_assert_true (sotto_store_add_ban (fixture->store, garden_id, bob_id, NULL, 4000, &error));
  g_assert_no_error (error);
  assert_banned (fixture, lobby_id, bob_id, TRUE);
  assert_banned (fixture, lobby_id, alice_id, FALSE);

  bans = sotto_store_load_bans (fixture->store, lobby_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (bans->len, ==, 2);
  ban = g_ptr_array_index (bans, 0);
  g_assert_cmpstr (ban->user, ==, "bob");
  g_assert_cmpstr (ban->banned_by, ==, "alice");
  g_assert_cmpint (ban->banned, ==, 1000);
  ban = g_ptr_array_index (bans, 1);
  g_assert_cmpstr (ban->user, ==, "carol");
  g_assert_null (ban->banned_by);
  g_assert_cmpint (ban->banned, ==, 3000);

  /* Lifting, and lifting again. */
  g_assert_true (sotto_store_remove_ban (fixture->store, lobby_id, carol_id, &error));
  g_assert_true (sotto_store_remove_ban (fixture->store, lobby_id, carol_id, &error));
  g_assert_no_error (error);
  assert_banned (fixture, lobby_id, carol_id, FALSE);

  fixture_commit (fixture);
  fixture_reopen (fixture);

  assert_banned (fixture, lobby_id, bob_id, TRUE);
  assert_banned (fixture, garden_id, bob_id, TRUE);
  assert_banned (fixture, lobby_id, carol_id, FALSE);
  g_clear_pointer (&bans, g_ptr_array_unref);
  bans = sotto_store_load_bans (fixture->store, lobby_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (bans->len, ==, 1);
  ban = g_ptr_array_index (bans, 0);
  g_assert_cmpstr (ban->user, ==, "bob");
  g_assert_cmpstr (ban->banned_by, ==, "alice");
  g_assert_cmpint (ban->banned, ==, 1000);

  g_assert_false (sotto_store_add_ban (fixture->store, 999, alice_id, NULL, 1, &error));
  g_assert_error (error, SOTTO_STORE_ERROR, SOTTO_STORE_ERROR_CONSTRAINT);
  g_clear_error (&error);
  g_assert_false (sotto_store_add_ban (fixture->store, lobby_id, 999, NULL, 1, &error));
  g_assert_error (error, SOTTO_STORE_ERROR, SOTTO_STORE_ERROR_CONSTRAINT);
  g_clear_error (&error);
  fixture_commit (fixture);
  fixture_close (fixture);

  /* The bans of a room go with it. */
  db = raw_open (fixture->path);
  raw_exec (db, "PRAGMA foreign_keys = ON;");
  raw_exec (db, "DELETE FROM rooms WHERE name = 'lobby'");
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM bans"), ==, 1);
  raw_close (db);
}

/* Turns a file of the current schema into one of schema 5, as a server
 * before devices made it: no devices, prekeys and the key queue per
 * account (emptied). */
static void
downgrade_to_5 (sqlite3 *db)
{
  raw_exec (db,
            "DROP TABLE blobs;"
            "DROP TABLE history_queue;"
            "DROP TABLE device_one_time_prekeys;"
            "DROP TABLE device_prekey_bundles;"
            "DROP TABLE key_queue;"
            "DROP TABLE devices;"
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
            "CREATE INDEX key_queue_recipient ON key_queue (recipient_id, kid);"
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
            "CREATE INDEX one_time_prekeys_account ON one_time_prekeys (account_id, seq);"
            "PRAGMA user_version = 5;");
}

/* Stores @bundle as the account's in a file of schema 4 or 5. */
static void
raw_exec_bundle (sqlite3 *db,
                 gint64   account_id,
                 GBytes  *bundle)
{
  const guint8 *data = g_bytes_get_data (bundle, NULL);
  g_autoptr(GString) hex = g_string_new (NULL);
  g_autofree char *sql = NULL;

  for (gsize i = 0; i < g_bytes_get_size (bundle); i++)
    g_string_append_printf (hex, "%02x", data[i]);
  sql = g_strdup_printf ("INSERT INTO prekey_bundles (account_id, bundle, published)"
                         " VALUES (%" G_GINT64_FORMAT ", x'%s', 1)", account_id, hex->str);
  raw_exec (db, sql);
}

/* A file of the first schema gains the bans table, and the later ones,
 * when opened. */
static void
test_open_migrate_bans (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 bob_id = add_account (fixture, "bob");
  gint64 lobby_id = add_room (fixture, "lobby");
  sqlite3 *db;

  fixture_commit (fixture);
  fixture_close (fixture);

  db = raw_open (fixture->path);
  downgrade_to_5 (db);
  raw_exec (db, "DROP TABLE device_lists; DROP TABLE one_time_prekeys;"
                "DROP TABLE prekey_bundles; DROP TABLE room_state; DROP TABLE bans;"
                "PRAGMA user_version = 1;");
  raw_close (db);

  fixture_reopen (fixture);
  assert_banned (fixture, lobby_id, bob_id, FALSE);
  g_assert_true (sotto_store_add_ban (fixture->store, lobby_id, bob_id, NULL, 1, &error));
  g_assert_no_error (error);
  fixture_commit (fixture);
  fixture_close (fixture);

  db = raw_open (fixture->path);
  g_assert_cmpint (raw_int (db, "PRAGMA user_version"), ==, SOTTO_STORE_SCHEMA_VERSION);
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM bans"), ==, 1);
  raw_close (db);
}

/* Room state chain */

static void
test_state_append_read (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GBytes) body = g_bytes_new_static ("signed event", 12);
  gint64 lobby_id = add_room (fixture, "lobby");
  gint64 general_id = fixture_room_id (fixture, SOTTO_STORE_GENERAL_ROOM);
  SottoStoreStateEvent *event;

  g_assert_cmpint (sotto_store_get_state_length (fixture->store, lobby_id, &error), ==, 0);
  g_assert_no_error (error);
  for (gint64 i = 0; i < 4; i++)
    {
      g_assert_true (sotto_store_append_state (fixture->store, lobby_id, i, i == 1 ? "bob" : "alice",
                                               100 + i, body, &error));
      g_assert_no_error (error);
    }
  fixture_commit (fixture);
  g_assert_cmpint (sotto_store_get_state_length (fixture->store, lobby_id, &error), ==, 4);
  g_assert_cmpint (sotto_store_get_state_length (fixture->store, general_id, &error), ==, 0);

  /* From an index, bounded above and by the limit. */
  events = sotto_store_read_state (fixture->store, lobby_id, 1, 3, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 2);
  event = g_ptr_array_index (events, 0);
  g_assert_cmpint (event->index, ==, 1);
  g_assert_cmpstr (event->sender, ==, "bob");
  g_assert_cmpint (event->ts, ==, 101);
  g_assert_true (g_bytes_equal (event->body, body));
  g_clear_pointer (&events, g_ptr_array_unref);
  events = sotto_store_read_state (fixture->store, lobby_id, 0, G_MAXINT64, 3, &error);
  g_assert_cmpuint (events->len, ==, 3);
  g_clear_pointer (&events, g_ptr_array_unref);

  /* An index is taken once; retention leaves the chain alone. */
  g_assert_false (sotto_store_append_state (fixture->store, lobby_id, 2, "bob", 0, body, &error));
  g_assert_error (error, SOTTO_STORE_ERROR, SOTTO_STORE_ERROR_CONSTRAINT);
  g_clear_error (&error);
  g_assert_cmpint (sotto_store_enforce_retention (fixture->store, 1, 1000000, 1, &error), >=, 0);
  g_assert_no_error (error);
  fixture_commit (fixture);
  g_assert_cmpint (sotto_store_get_state_length (fixture->store, lobby_id, &error), ==, 4);
  events = sotto_store_read_state (fixture->store, lobby_id, 0, G_MAXINT64, 0, &error);
  g_assert_cmpuint (events->len, ==, 4);
}

/* Prekeys */

static GBytes *
one_time_prekey (guint32 key_id,
                 guint8  fill)
{
  guint8 data[SOTTO_PROTOCOL_ONE_TIME_PREKEY_BYTES];

  memset (data, fill, sizeof data);
  data[0] = key_id >> 24;
  data[1] = key_id >> 16;
  data[2] = key_id >> 8;
  data[3] = key_id;

  return g_bytes_new (data, sizeof data);
}

static void
add_one_time (Fixture *fixture,
              gint64   account_id,
              guint32  key_id,
              guint8   fill)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) prekey = one_time_prekey (key_id, fill);

  g_assert_true (sotto_store_add_one_time_prekey (fixture->store, account_id, key_id, prekey,
                                                  &error));
  g_assert_no_error (error);
}

/* Takes the account's oldest one-time prekey and checks its fill byte,
 * or that none is left when @fill is 0. */
static void
assert_take (Fixture *fixture,
             gint64   account_id,
             guint8   fill)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) prekey = NULL;

  g_assert_true (sotto_store_take_one_time_prekey (fixture->store, account_id, &prekey, &error));
  g_assert_no_error (error);
  if (fill == 0)
    {
      g_assert_null (prekey);
      return;
    }
  g_assert_nonnull (prekey);
  g_assert_cmpuint (g_bytes_get_size (prekey), ==, SOTTO_PROTOCOL_ONE_TIME_PREKEY_BYTES);
  g_assert_cmpuint (((const guint8 *) g_bytes_get_data (prekey, NULL))[4], ==, fill);
}

/* A bundle per account, replaced by the next; one-time prekeys per
 * account, taken oldest first, one with a stored id replacing it as the
 * newest; all of it durable. */
static void
test_prekeys (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) first = g_bytes_new_take (g_malloc0 (SOTTO_PROTOCOL_PREKEY_BUNDLE_BYTES),
                                              SOTTO_PROTOCOL_PREKEY_BUNDLE_BYTES);
  g_autoptr(GBytes) second = NULL;
  g_autoptr(GBytes) read = NULL;
  g_autoptr(GBytes) wrong_size = g_bytes_new_static ("short", 5);
  gint64 alice_id = add_account_device (fixture, "alice");
  gint64 bob_id = add_account_device (fixture, "bob");
  guint8 *second_data = g_malloc (SOTTO_PROTOCOL_PREKEY_BUNDLE_BYTES);
  gboolean has;

  memset (second_data, 0xb2, SOTTO_PROTOCOL_PREKEY_BUNDLE_BYTES);
  second = g_bytes_new_take (second_data, SOTTO_PROTOCOL_PREKEY_BUNDLE_BYTES);

  g_assert_true (sotto_store_get_prekey_bundle (fixture->store, alice_id, &read, &error));
  g_assert_no_error (error);
  g_assert_null (read);
  g_assert_true (sotto_store_set_prekey_bundle (fixture->store, alice_id, first, 1, &error));
  g_assert_true (sotto_store_set_prekey_bundle (fixture->store, alice_id, second, 2, &error));
  g_assert_no_error (error);
  g_assert_true (sotto_store_get_prekey_bundle (fixture->store, alice_id, &read, &error));
  g_assert_true (g_bytes_equal (read, second));
  g_clear_pointer (&read, g_bytes_unref);
  g_assert_true (sotto_store_get_prekey_bundle (fixture->store, bob_id, &read, &error));
  g_assert_null (read);

  /* The schema keeps the protocol's sizes. */
  g_assert_false (sotto_store_set_prekey_bundle (fixture->store, bob_id, wrong_size, 3, &error));
  g_assert_error (error, SOTTO_STORE_ERROR, SOTTO_STORE_ERROR_CONSTRAINT);
  g_clear_error (&error);

  add_one_time (fixture, alice_id, 7, 0x11);
  add_one_time (fixture, alice_id, 3, 0x12);
  add_one_time (fixture, alice_id, 9, 0x13);
  add_one_time (fixture, bob_id, 7, 0x21);
  add_one_time (fixture, alice_id, 7, 0x14);
  g_assert_cmpint (sotto_store_count_one_time_prekeys (fixture->store, alice_id, &error), ==, 3);
  g_assert_cmpint (sotto_store_count_one_time_prekeys (fixture->store, bob_id, &error), ==, 1);
  g_assert_true (sotto_store_has_one_time_prekey (fixture->store, alice_id, 9, &has, &error));
  g_assert_true (has);
  g_assert_true (sotto_store_has_one_time_prekey (fixture->store, alice_id, 8, &has, &error));
  g_assert_false (has);
  g_assert_no_error (error);
  fixture_commit (fixture);
  fixture_reopen (fixture);

  g_assert_true (sotto_store_get_prekey_bundle (fixture->store, alice_id, &read, &error));
  g_assert_true (g_bytes_equal (read, second));
  assert_take (fixture, alice_id, 0x12);
  assert_take (fixture, alice_id, 0x13);
  fixture_commit (fixture);
  fixture_reopen (fixture);

  g_assert_cmpint (sotto_store_count_one_time_prekeys (fixture->store, alice_id, &error), ==, 1);
  assert_take (fixture, alice_id, 0x14);
  assert_take (fixture, alice_id, 0);
  assert_take (fixture, bob_id, 0x21);
  assert_take (fixture, bob_id, 0);
  g_assert_no_error (error);
}

/* Device lists */

static GBytes *
filled (gsize  len,
        guint8 fill)
{
  guint8 *data = g_malloc (len);

  memset (data, fill, len);

  return g_bytes_new_take (data, len);
}

/* Reads the account's device list and checks it against @account_key,
 * @counter and @list, or that there is none when @list is %NULL. */
static void
assert_device_list (Fixture *fixture,
                    gint64   account_id,
                    GBytes  *account_key,
                    gint64   counter,
                    GBytes  *list)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) read_key = NULL;
  g_autoptr(GBytes) read_list = NULL;
  gint64 read_counter = -1;

  g_assert_true (sotto_store_get_device_list (fixture->store, account_id, &read_key,
                                              &read_counter, &read_list, &error));
  g_assert_no_error (error);
  if (list == NULL)
    {
      g_assert_null (read_key);
      g_assert_null (read_list);
      g_assert_cmpint (read_counter, ==, 0);
      return;
    }
  g_assert_nonnull (read_key);
  g_assert_nonnull (read_list);
  g_assert_true (g_bytes_equal (read_key, account_key));
  g_assert_cmpint (read_counter, ==, counter);
  g_assert_true (g_bytes_equal (read_list, list));
}

/* One list per account, replaced by the next whatever it holds (the
 * rules are the server's), durable; the schema keeps the protocol's
 * sizes and goes with the account. */
static void
test_device_lists (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) key = filled (SOTTO_PROTOCOL_ACCOUNT_KEY_SIZE, 0x41);
  g_autoptr(GBytes) other_key = filled (SOTTO_PROTOCOL_ACCOUNT_KEY_SIZE, 0x42);
  g_autoptr(GBytes) first = filled (300, 0x51);
  g_autoptr(GBytes) second = filled (SOTTO_PROTOCOL_DEVICE_LIST_MAX_BYTES, 0x52);
  g_autoptr(GBytes) smallest = filled (1, 0x53);
  g_autoptr(GBytes) short_key = filled (SOTTO_PROTOCOL_ACCOUNT_KEY_SIZE - 1, 0x43);
  g_autoptr(GBytes) too_long = filled (SOTTO_PROTOCOL_DEVICE_LIST_MAX_BYTES + 1, 0x54);
  gint64 alice_id = add_account (fixture, "alice");
  gint64 bob_id = add_account (fixture, "bob");
  sqlite3 *db;

  assert_device_list (fixture, alice_id, NULL, 0, NULL);
  g_assert_true (sotto_store_set_device_list (fixture->store, alice_id, key, 1, first, 10,
                                              &error));
  g_assert_no_error (error);
  assert_device_list (fixture, alice_id, key, 1, first);
  g_assert_true (sotto_store_set_device_list (fixture->store, alice_id, key, 2, second, 20,
                                              &error));
  g_assert_true (sotto_store_set_device_list (fixture->store, bob_id, other_key, G_MAXINT64,
                                              smallest, 30, &error));
  g_assert_no_error (error);
  assert_device_list (fixture, alice_id, key, 2, second);
  assert_device_list (fixture, bob_id, other_key, G_MAXINT64, smallest);

  /* The schema keeps the protocol's sizes; a refused row changes nothing. */
  g_assert_false (sotto_store_set_device_list (fixture->store, alice_id, short_key, 3, first, 40,
                                               &error));
  g_assert_error (error, SOTTO_STORE_ERROR, SOTTO_STORE_ERROR_CONSTRAINT);
  g_clear_error (&error);
  g_assert_false (sotto_store_set_device_list (fixture->store, alice_id, key, 3, too_long, 40,
                                               &error));
  g_assert_error (error, SOTTO_STORE_ERROR, SOTTO_STORE_ERROR_CONSTRAINT);
  g_clear_error (&error);
  g_assert_false (sotto_store_set_device_list (fixture->store, 999, key, 1, first, 40, &error));
  g_assert_error (error, SOTTO_STORE_ERROR, SOTTO_STORE_ERROR_CONSTRAINT);
  g_clear_error (&error);
  assert_device_list (fixture, alice_id, key, 2, second);

  fixture_commit (fixture);
  fixture_reopen (fixture);
  assert_device_list (fixture, alice_id, key, 2, second);
  assert_device_list (fixture, bob_id, other_key, G_MAXINT64, smallest);
  fixture_close (fixture);

  /* An account's list goes with it. */
  db = raw_open (fixture->path);
  raw_exec (db, "PRAGMA foreign_keys = ON;");
  raw_exec (db, "DELETE FROM accounts WHERE username = 'bob'");
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM device_lists"), ==, 1);
  raw_close (db);
}

/* A file of schema 5 gains devices when opened: each account's identity
 * becomes its one device, which takes over its prekeys and queued keys.
 * An account without identity keys gets none, and its queued keys go. */
static void
test_open_migrate_devices (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bundle = filled (SOTTO_PROTOCOL_PREKEY_BUNDLE_BYTES, 0x71);
  g_autoptr(GBytes) read = NULL;
  g_autoptr(GBytes) taken = NULL;
  g_autoptr(GPtrArray) devices = NULL;
  g_autoptr(GPtrArray) keys = NULL;
  g_autoptr(GPtrArray) none = NULL;
  g_autofree char *sql = NULL;
  gint64 alice_id = add_account (fixture, "alice");
  gint64 bob_id = sotto_store_add_account (fixture->store, "bob", "$argon2id$hash", NULL, &error);
  SottoWireIdentity identity;
  SottoStoreDevice *device;
  sqlite3 *db;

  g_assert_no_error (error);
  fixture_commit (fixture);
  fixture_close (fixture);

  db = raw_open (fixture->path);
  downgrade_to_5 (db);
  raw_exec_bundle (db, alice_id, bundle);
  sql = g_strdup_printf ("INSERT INTO one_time_prekeys (account_id, key_id, prekey)"
                         " VALUES (%" G_GINT64_FORMAT ", 5, zeroblob (36));"
                         "INSERT INTO key_queue (recipient_id, ts, sender, room, kind, key_id, box)"
                         " VALUES (%" G_GINT64_FORMAT ", 10, 'bob', 'lobby', 0, 3, x'00');"
                         "INSERT INTO key_queue (recipient_id, ts, sender, room, kind, key_id, box)"
                         " VALUES (%" G_GINT64_FORMAT ", 11, 'alice', 'lobby', 1, 4, NULL);",
                         alice_id, alice_id, bob_id);
  raw_exec (db, sql);
  raw_close (db);

  fixture_reopen (fixture);
  devices = sotto_store_load_devices (fixture->store, alice_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (devices->len, ==, 1);
  device = g_ptr_array_index (devices, 0);
  make_identity (&identity, 'a');
  g_assert_cmpmem (&device->identity, sizeof identity, &identity, sizeof identity);
  g_assert_cmpint (device->last_seen, ==, 0);

  g_assert_true (sotto_store_get_prekey_bundle (fixture->store, device->id, &read, &error));
  g_assert_true (g_bytes_equal (read, bundle));
  g_assert_true (sotto_store_take_one_time_prekey (fixture->store, device->id, &taken, &error));
  g_assert_nonnull (taken);
  keys = sotto_store_pending_keys (fixture->store, device->id, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (keys->len, ==, 1);
  g_assert_cmpstr (((SottoStoreKey *) keys->pdata[0])->sender, ==, "bob");

  none = sotto_store_load_devices (fixture->store, bob_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (none->len, ==, 0);
  fixture_close (fixture);

  db = raw_open (fixture->path);
  g_assert_cmpint (raw_int (db, "PRAGMA user_version"), ==, SOTTO_STORE_SCHEMA_VERSION);
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM key_queue"), ==, 1);
  raw_close (db);
}

/* An account's devices: added in order, each with its own prekeys and
 * queued keys, which go with it; a signing key only once per account;
 * when each was last seen; all of it kept. */
static void
test_devices (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bundle = filled (SOTTO_PROTOCOL_PREKEY_BUNDLE_BYTES, 0x44);
  g_autoptr(GBytes) box = g_bytes_new_static ("box", 3);
  g_autoptr(GBytes) read = NULL;
  g_autoptr(GPtrArray) devices = NULL;
  g_autoptr(GPtrArray) keys = NULL;
  gint64 alice_id = add_account (fixture, "alice");
  gint64 bob_id = add_account (fixture, "bob");
  gint64 laptop = add_device (fixture, alice_id, 0x10);
  gint64 desktop = add_device (fixture, alice_id, 0x20);
  gint64 bobs = add_device (fixture, bob_id, 0x10);
  SottoWireIdentity identity;

  g_assert_cmpint (laptop, !=, desktop);
  g_assert_cmpint (bobs, !=, laptop);
  make_identity (&identity, 0x20);
  g_assert_cmpint (sotto_store_add_device (fixture->store, alice_id, &identity, 5, &error), ==, -1);
  g_assert_error (error, SOTTO_STORE_ERROR, SOTTO_STORE_ERROR_CONSTRAINT);
  g_clear_error (&error);

  g_assert_true (sotto_store_set_prekey_bundle (fixture->store, desktop, bundle, 1, &error));
  add_one_time (fixture, desktop, 1, 0x31);
  g_assert_cmpint (sotto_store_queue_key (fixture->store, desktop, 10, "bob", "lobby",
                                          SOTTO_STORE_KEY_BOX, 1, box, NULL, &error), >, 0);
  g_assert_cmpint (sotto_store_queue_key (fixture->store, laptop, 10, "bob", "lobby",
                                          SOTTO_STORE_KEY_BOX, 1, box, NULL, &error), >, 0);
  g_assert_true (sotto_store_set_device_seen (fixture->store, laptop, 777, &error));
  g_assert_no_error (error);
  fixture_commit (fixture);
  fixture_reopen (fixture);

  devices = sotto_store_load_devices (fixture->store, alice_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (devices->len, ==, 2);
  g_assert_cmpint (((SottoStoreDevice *) devices->pdata[0])->id, ==, laptop);
  g_assert_cmpint (((SottoStoreDevice *) devices->pdata[0])->last_seen, ==, 777);
  g_assert_cmpint (((SottoStoreDevice *) devices->pdata[1])->id, ==, desktop);
  g_assert_cmpint (((SottoStoreDevice *) devices->pdata[1])->added, ==, 1000);
  g_assert_cmpint (((SottoStoreDevice *) devices->pdata[1])->last_seen, ==, 0);

  /* Removing the desktop takes its prekeys and keys, not the laptop's. */
  g_assert_true (sotto_store_remove_device (fixture->store, desktop, &error));
  g_assert_true (sotto_store_remove_device (fixture->store, desktop, &error));
  g_assert_no_error (error);
  g_assert_true (sotto_store_get_prekey_bundle (fixture->store, desktop, &read, &error));
  g_assert_null (read);
  g_assert_cmpint (sotto_store_count_one_time_prekeys (fixture->store, desktop, &error), ==, 0);
  keys = sotto_store_pending_keys (fixture->store, desktop, 0, &error);
  g_assert_cmpuint (keys->len, ==, 0);
  g_clear_pointer (&keys, g_ptr_array_unref);
  keys = sotto_store_pending_keys (fixture->store, laptop, 0, &error);
  g_assert_cmpuint (keys->len, ==, 1);
  g_clear_pointer (&devices, g_ptr_array_unref);
  devices = sotto_store_load_devices (fixture->store, alice_id, &error);
  g_assert_cmpuint (devices->len, ==, 1);

  /* A device list forgotten is gone; forgetting none is no error. */
  g_autoptr(GBytes) account_key = filled (SOTTO_PROTOCOL_ACCOUNT_KEY_SIZE, 0x45);

  g_assert_true (sotto_store_set_device_list (fixture->store, alice_id, account_key, 1, box, 1,
                                              &error));
  g_assert_true (sotto_store_forget_device_list (fixture->store, alice_id, &error));
  g_assert_true (sotto_store_forget_device_list (fixture->store, alice_id, &error));
  g_assert_no_error (error);
  assert_device_list (fixture, alice_id, NULL, 0, NULL);
}

/* A file of schema 4 gains the device_lists table when opened, and keeps
 * everything it had. */
static void
test_open_migrate_device_lists (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bundle = filled (SOTTO_PROTOCOL_PREKEY_BUNDLE_BYTES, 0x61);
  g_autoptr(GBytes) read = NULL;
  g_autoptr(GBytes) key = filled (SOTTO_PROTOCOL_ACCOUNT_KEY_SIZE, 0x62);
  g_autoptr(GBytes) list = filled (500, 0x63);
  gint64 alice_id = add_account (fixture, "alice");
  g_autoptr(GPtrArray) devices = NULL;
  sqlite3 *db;

  fixture_commit (fixture);
  fixture_close (fixture);

  db = raw_open (fixture->path);
  downgrade_to_5 (db);
  raw_exec (db, "DROP TABLE device_lists; PRAGMA user_version = 4;");
  raw_exec_bundle (db, alice_id, bundle);
  raw_close (db);

  fixture_reopen (fixture);
  devices = sotto_store_load_devices (fixture->store, alice_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (devices->len, ==, 1);
  g_assert_true (sotto_store_get_prekey_bundle (fixture->store,
                                                ((SottoStoreDevice *) devices->pdata[0])->id,
                                                &read, &error));
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (read, bundle));
  assert_device_list (fixture, alice_id, NULL, 0, NULL);
  g_assert_true (sotto_store_set_device_list (fixture->store, alice_id, key, 1, list, 2, &error));
  g_assert_no_error (error);
  fixture_commit (fixture);
  fixture_close (fixture);

  db = raw_open (fixture->path);
  g_assert_cmpint (raw_int (db, "PRAGMA user_version"), ==, SOTTO_STORE_SCHEMA_VERSION);
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM device_lists"), ==, 1);
  raw_close (db);
}

/* Blobs */

static void
blob_id (guint8 *id,
         guint8  seed)
{
  memset (id, seed, SOTTO_PROTOCOL_BLOB_ID_BYTES);
}

static void
assert_blob (Fixture      *fixture,
             const guint8 *id,
             const char   *uploader,
             const char   *room,
             gint64        size,
             gboolean      complete,
             gint64        created)
{
  g_auto(SottoStoreBlob) blob = { 0 };
  g_autoptr(GError) error = NULL;

  g_assert_true (sotto_store_find_blob (fixture->store, id, &blob, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (blob.id, sizeof blob.id, id, SOTTO_PROTOCOL_BLOB_ID_BYTES);
  g_assert_cmpstr (blob.uploader, ==, uploader);
  g_assert_cmpstr (blob.room, ==, room);
  g_assert_cmpint (blob.size, ==, size);
  g_assert_cmpint (blob.complete, ==, complete);
  g_assert_cmpint (blob.created, ==, created);
}

static guint
count_old_blobs (Fixture  *fixture,
                 gint64    before,
                 gboolean  unfinished_only)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) ids = sotto_store_old_blobs (fixture->store, before, unfinished_only,
                                                    &error);

  g_assert_no_error (error);
  for (guint i = 0; i < ids->len; i++)
    g_assert_cmpuint (g_bytes_get_size (g_ptr_array_index (ids, i)), ==,
                      SOTTO_PROTOCOL_BLOB_ID_BYTES);
  return ids->len;
}

/* An upload recorded, found, counted against its account, completed, found
 * by age, and forgotten; an id once only; all of it kept across a
 * reopen; and nothing of what a blob holds, since the store is never
 * given any. */
static void
test_blobs (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_auto(SottoStoreBlob) none = { 0 };
  gint64 alice_id = add_account (fixture, "alice");
  gint64 bob_id = add_account (fixture, "bob");
  gint64 lobby_id = add_room (fixture, "lobby");
  guint8 photo[SOTTO_PROTOCOL_BLOB_ID_BYTES], notes[SOTTO_PROTOCOL_BLOB_ID_BYTES];
  guint8 other[SOTTO_PROTOCOL_BLOB_ID_BYTES];

  blob_id (photo, 1);
  blob_id (notes, 2);
  blob_id (other, 3);

  g_assert_false (sotto_store_find_blob (fixture->store, photo, &none, &error));
  g_assert_no_error (error);
  g_assert_cmpint (sotto_store_blob_bytes (fixture->store, alice_id, &error), ==, 0);

  g_assert_true (sotto_store_add_blob (fixture->store, photo, alice_id, lobby_id, 3146568, 1000,
                                       &error));
  g_assert_true (sotto_store_add_blob (fixture->store, notes, alice_id, lobby_id, 41, 2000,
                                       &error));
  g_assert_true (sotto_store_add_blob (fixture->store, other, bob_id, lobby_id, 500, 3000,
                                       &error));
  g_assert_no_error (error);

  /* An id is one blob's, whoever asks again. */
  g_assert_false (sotto_store_add_blob (fixture->store, photo, bob_id, lobby_id, 41, 4000,
                                        &error));
  g_assert_error (error, SOTTO_STORE_ERROR, SOTTO_STORE_ERROR_CONSTRAINT);
  g_clear_error (&error);

  assert_blob (fixture, photo, "alice", "lobby", 3146568, FALSE, 1000);
  g_assert_cmpint (sotto_store_blob_bytes (fixture->store, alice_id, &error), ==, 3146568 + 41);
  g_assert_cmpint (sotto_store_blob_bytes (fixture->store, bob_id, &error), ==, 500);

  g_assert_true (sotto_store_set_blob_complete (fixture->store, notes, &error));
  g_assert_no_error (error);
  assert_blob (fixture, notes, "alice", "lobby", 41, TRUE, 2000);

  /* By age: every blob, or the unfinished ones only. */
  g_assert_cmpuint (count_old_blobs (fixture, 1000, FALSE), ==, 0);
  g_assert_cmpuint (count_old_blobs (fixture, 2001, FALSE), ==, 2);
  g_assert_cmpuint (count_old_blobs (fixture, 2001, TRUE), ==, 1);
  g_assert_cmpuint (count_old_blobs (fixture, 9999, TRUE), ==, 2);
  fixture_commit (fixture);

  fixture_reopen (fixture);
  assert_blob (fixture, photo, "alice", "lobby", 3146568, FALSE, 1000);
  assert_blob (fixture, notes, "alice", "lobby", 41, TRUE, 2000);

  g_assert_true (sotto_store_delete_blob (fixture->store, photo, &error));
  g_assert_no_error (error);
  g_assert_false (sotto_store_find_blob (fixture->store, photo, &none, &error));
  g_assert_no_error (error);
  g_assert_cmpint (sotto_store_blob_bytes (fixture->store, alice_id, &error), ==, 41);

  /* The id is free again. */
  g_assert_true (sotto_store_add_blob (fixture->store, photo, bob_id, lobby_id, 41, 5000,
                                       &error));
  g_assert_no_error (error);
  assert_blob (fixture, photo, "bob", "lobby", 41, FALSE, 5000);
  fixture_commit (fixture);
}

/* A file of schema 8 gains the blobs table when opened, and keeps
 * everything it had. */
static void
test_open_migrate_blobs (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 alice_id = add_account (fixture, "alice");
  gint64 lobby_id = add_room (fixture, "lobby");
  guint8 photo[SOTTO_PROTOCOL_BLOB_ID_BYTES];
  sqlite3 *db;

  g_assert_true (sotto_store_add_member (fixture->store, lobby_id, alice_id, &error));
  append (fixture, lobby_id, 1, 1000, "alice", "m1");
  fixture_commit (fixture);
  fixture_close (fixture);

  db = raw_open (fixture->path);
  raw_exec (db, "DROP TABLE blobs; PRAGMA user_version = 8;");
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM sqlite_schema WHERE name = 'blobs'"), ==,
                   0);
  raw_close (db);

  fixture_reopen (fixture);
  assert_log (fixture, lobby_id, 0, 0, 1, 1);
  blob_id (photo, 7);
  g_assert_true (sotto_store_add_blob (fixture->store, photo, alice_id, lobby_id, 41, 1, &error));
  g_assert_no_error (error);
  fixture_commit (fixture);
  fixture_close (fixture);

  db = raw_open (fixture->path);
  g_assert_cmpint (raw_int (db, "PRAGMA user_version"), ==, SOTTO_STORE_SCHEMA_VERSION);
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM blobs"), ==, 1);
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM members"), ==, 1);
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM room_log"), ==, 1);
  raw_close (db);
}

/* Room log */

static void
test_log_append_read (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = g_bytes_new_static ("again", 5);
  gint64 lobby_id = add_room (fixture, "lobby");
  gint64 general_id = fixture_room_id (fixture, SOTTO_STORE_GENERAL_ROOM);

  for (gint64 seq = 1; seq <= 10; seq++)
    append (fixture, lobby_id, seq, 1000 * seq, "alice", NULL);

  assert_log (fixture, lobby_id, 0, 0, 1, 10);
  assert_log (fixture, lobby_id, 3, 4, 4, 7);
  assert_log (fixture, lobby_id, 8, 100, 9, 10);
  assert_log (fixture, lobby_id, 10, 0, 1, 0);
  assert_log (fixture, general_id, 0, 0, 1, 0);
  g_assert_cmpint (last_seq (fixture, lobby_id), ==, 10);

  /* Bounded above, as a catch-up stops at the last committed event. */
  assert_log_range (fixture, lobby_id, 3, 7, 0, 4, 7);
  assert_log_range (fixture, lobby_id, 3, 7, 2, 4, 5);
  assert_log_range (fixture, lobby_id, 7, 7, 0, 1, 0);
  assert_log_range (fixture, lobby_id, 0, 0, 5, 1, 0);
  g_assert_cmpint (last_seq (fixture, general_id), ==, 0);

  /* Read back in seq order, whatever the order of writing; last_seq only rises. */
  append (fixture, lobby_id, 12, 12000, "alice", NULL);
  append (fixture, lobby_id, 11, 11000, "alice", NULL);
  assert_log (fixture, lobby_id, 9, 0, 10, 12);
  g_assert_cmpint (last_seq (fixture, lobby_id), ==, 12);

  /* A seq is taken once. */
  g_assert_false (sotto_store_append_event (fixture->store, lobby_id, 5, 0, 0, "bob", NULL, body,
                                            &error));
  g_assert_error (error, SOTTO_STORE_ERROR, SOTTO_STORE_ERROR_CONSTRAINT);
  g_clear_error (&error);

  /* No such room. */
  g_assert_false (sotto_store_append_event (fixture->store, 999, 1, 0, 0, "bob", NULL, body,
                                            &error));
  g_assert_error (error, SOTTO_STORE_ERROR, SOTTO_STORE_ERROR_CONSTRAINT);
  g_clear_error (&error);
  g_assert_cmpint (sotto_store_get_last_seq (fixture->store, 999, &error), ==, -1);
  g_assert_error (error, SOTTO_STORE_ERROR, SOTTO_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Durable once committed. */
  fixture_commit (fixture);
  fixture_reopen (fixture);
  assert_log (fixture, lobby_id, 0, 0, 1, 12);
  g_assert_cmpint (last_seq (fixture, lobby_id), ==, 12);
}

static void
test_log_idempotent (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = g_bytes_new_static ("resend", 6);
  gint64 lobby_id = add_room (fixture, "lobby");
  gint64 other_id = add_room (fixture, "other");
  gint64 seq = 0, ts = 0;

  append (fixture, lobby_id, 1, 5000, "alice", "m1");

  g_assert_true (sotto_store_find_message (fixture->store, lobby_id, "alice", "m1", &seq, &ts,
                                           &error));
  g_assert_no_error (error);
  g_assert_cmpint (seq, ==, 1);
  g_assert_cmpint (ts, ==, 5000);

  /* Absent is not an error. */
  g_assert_false (sotto_store_find_message (fixture->store, lobby_id, "bob", "m1", NULL, NULL,
                                            &error));
  g_assert_false (sotto_store_find_message (fixture->store, lobby_id, "alice", "m2", NULL, NULL,
                                            &error));
  g_assert_false (sotto_store_find_message (fixture->store, other_id, "alice", "m1", NULL, NULL,
                                            &error));
  g_assert_no_error (error);

  /* The unique index refuses a second (room, sender, msg_id), and the
   * room's counter does not move with the refused row. */
  g_assert_false (sotto_store_append_event (fixture->store, lobby_id, 2, 6000, 0, "alice", "m1",
                                            body, &error));
  g_assert_error (error, SOTTO_STORE_ERROR, SOTTO_STORE_ERROR_CONSTRAINT);
  g_clear_error (&error);
  g_assert_cmpint (last_seq (fixture, lobby_id), ==, 1);

  /* Another sender, another room, or no msg_id at all are all fine. */
  append (fixture, lobby_id, 2, 6000, "bob", "m1");
  append (fixture, other_id, 1, 6000, "alice", "m1");
  append (fixture, lobby_id, 3, 7000, "alice", NULL);
  append (fixture, lobby_id, 4, 7000, "alice", NULL);
  append (fixture, lobby_id, 5, 7000, NULL, NULL);
  assert_log (fixture, lobby_id, 0, 0, 1, 5);
  g_assert_cmpint (last_seq (fixture, lobby_id), ==, 5);
}

static void
test_log_retention_age (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 lobby_id = add_room (fixture, "lobby");
  gint64 other_id = add_room (fixture, "other");
  gint64 deleted;

  for (gint64 seq = 1; seq <= 4; seq++)
    {
      append (fixture, lobby_id, seq, 1000 * seq, "alice", NULL);
      append (fixture, other_id, seq, 1000 * seq, "alice", NULL);
    }

  /* No limits, no deletions. */
  g_assert_cmpint (sotto_store_enforce_retention (fixture->store, 0, 10000, 0, &error), ==, 0);
  g_assert_no_error (error);

  /* Older than 1.5 s at t = 4 s: the events of t = 1 s and 2 s. */
  deleted = sotto_store_enforce_retention (fixture->store, 1500, 4000, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (deleted, ==, 4);
  assert_log (fixture, lobby_id, 0, 0, 3, 4);
  assert_log (fixture, other_id, 0, 0, 3, 4);

  /* The counters stay, so numbers are never reused. */
  g_assert_cmpint (last_seq (fixture, lobby_id), ==, 4);
  deleted = sotto_store_enforce_retention (fixture->store, 1, 100000, 0, &error);
  g_assert_cmpint (deleted, ==, 4);
  assert_log (fixture, lobby_id, 0, 0, 1, 0);
  g_assert_cmpint (last_seq (fixture, lobby_id), ==, 4);
  append (fixture, lobby_id, 5, 100000, "alice", NULL);
  assert_log (fixture, lobby_id, 0, 0, 5, 5);
}

static void
test_log_retention_count (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 lobby_id = add_room (fixture, "lobby");
  gint64 quiet_id = add_room (fixture, "quiet");
  gint64 deleted;

  for (gint64 seq = 1; seq <= 10; seq++)
    append (fixture, lobby_id, seq, 1000 * seq, "alice", NULL);
  for (gint64 seq = 1; seq <= 3; seq++)
    append (fixture, quiet_id, seq, 1000 * seq, "alice", NULL);

  deleted = sotto_store_enforce_retention (fixture->store, 0, 100000, 5, &error);
  g_assert_no_error (error);
  g_assert_cmpint (deleted, ==, 5);
  assert_log (fixture, lobby_id, 0, 0, 6, 10);
  assert_log (fixture, quiet_id, 0, 0, 1, 3);
  g_assert_cmpint (last_seq (fixture, lobby_id), ==, 10);

  /* Enforcing again deletes nothing more. */
  g_assert_cmpint (sotto_store_enforce_retention (fixture->store, 0, 100000, 5, &error), ==, 0);

  /* Both limits at once: age takes 6 and 7 of the lobby and all of the
   * quiet room, then the count keeps the lobby's newest two of 8, 9, 10. */
  deleted = sotto_store_enforce_retention (fixture->store, 2500, 10000, 2, &error);
  g_assert_no_error (error);
  g_assert_cmpint (deleted, ==, 2 + 3 + 1);
  assert_log (fixture, lobby_id, 0, 0, 9, 10);
  assert_log (fixture, quiet_id, 0, 0, 1, 0);
  g_assert_cmpint (last_seq (fixture, quiet_id), ==, 3);
}

/* Key queue */

static void
test_keys_queue_ack (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) keys = NULL;
  g_autoptr(GBytes) box1 = g_bytes_new_static ("box one", 7);
  g_autoptr(GBytes) box3 = g_bytes_new_static ("box three", 9);
  gint64 alice_id = add_account_device (fixture, "alice");
  gint64 bob_id = add_account_device (fixture, "bob");
  g_autoptr(GBytes) sender_device = g_bytes_new_static ("thirty-two bytes of a signing ke", 32);
  gint64 kids[3], alice_kid, late_kid, kid;
  SottoStoreKey *key;

  kids[0] = sotto_store_queue_key (fixture->store, bob_id, 100, "alice", "lobby",
                                   SOTTO_STORE_KEY_BOX, 1, box1, sender_device, &error);
  kids[1] = sotto_store_queue_key (fixture->store, bob_id, 200, "carol", "lobby",
                                   SOTTO_STORE_KEY_REQUEST, -1, NULL, NULL, &error);
  kids[2] = sotto_store_queue_key (fixture->store, bob_id, 300, "alice", "@alice+bob",
                                   SOTTO_STORE_KEY_BOX, 7, box3, NULL, &error);
  alice_kid = sotto_store_queue_key (fixture->store, alice_id, 400, "bob", "lobby",
                                     SOTTO_STORE_KEY_BOX, 2, box1, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (kids[0], <, kids[1]);
  g_assert_cmpint (kids[1], <, kids[2]);

  keys = sotto_store_pending_keys (fixture->store, bob_id, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (keys->len, ==, 3);
  key = g_ptr_array_index (keys, 0);
  g_assert_cmpint (key->kid, ==, kids[0]);
  g_assert_cmpint (key->ts, ==, 100);
  g_assert_cmpstr (key->sender, ==, "alice");
  g_assert_cmpstr (key->room, ==, "lobby");
  g_assert_cmpint (key->kind, ==, SOTTO_STORE_KEY_BOX);
  g_assert_cmpint (key->key_id, ==, 1);
  g_assert_true (g_bytes_equal (key->box, box1));
  g_assert_true (g_bytes_equal (key->sender_device, sender_device));
  key = g_ptr_array_index (keys, 1);
  g_assert_cmpint (key->kid, ==, kids[1]);
  g_assert_cmpint (key->kind, ==, SOTTO_STORE_KEY_REQUEST);
  g_assert_cmpint (key->key_id, ==, -1);
  g_assert_null (key->box);
  g_assert_null (key->sender_device);
  key = g_ptr_array_index (keys, 2);
  g_assert_cmpint (key->kid, ==, kids[2]);
  g_assert_cmpstr (key->room, ==, "@alice+bob");
  g_assert_true (g_bytes_equal (key->box, box3));

  g_clear_pointer (&keys, g_ptr_array_unref);
  keys = sotto_store_pending_keys (fixture->store, bob_id, 2, &error);
  g_assert_cmpuint (keys->len, ==, 2);
  g_assert_cmpint (((SottoStoreKey *) g_ptr_array_index (keys, 1))->kid, ==, kids[1]);

  /* Alice cannot acknowledge, and so delete, Bob's keys. */
  g_assert_cmpuint (sotto_store_ack_keys (fixture->store, alice_id, kids, 3, &error), ==, 0);
  g_assert_no_error (error);
  g_clear_pointer (&keys, g_ptr_array_unref);
  keys = sotto_store_pending_keys (fixture->store, bob_id, 0, &error);
  g_assert_cmpuint (keys->len, ==, 3);

  /* Bob acknowledges two, plus one that is not his and one that never was. */
  {
    gint64 acks[] = { kids[0], kids[2], alice_kid, 999999 };

    g_assert_cmpuint (sotto_store_ack_keys (fixture->store, bob_id, acks, G_N_ELEMENTS (acks),
                                            &error), ==, 2);
    g_assert_no_error (error);
  }
  g_clear_pointer (&keys, g_ptr_array_unref);
  keys = sotto_store_pending_keys (fixture->store, bob_id, 0, &error);
  g_assert_cmpuint (keys->len, ==, 1);
  g_assert_cmpint (((SottoStoreKey *) g_ptr_array_index (keys, 0))->kid, ==, kids[1]);
  g_clear_pointer (&keys, g_ptr_array_unref);
  keys = sotto_store_pending_keys (fixture->store, alice_id, 0, &error);
  g_assert_cmpuint (keys->len, ==, 1);
  g_assert_cmpuint (sotto_store_ack_keys (fixture->store, bob_id, NULL, 0, &error), ==, 0);

  /* A kid is never handed out twice, even after the newest is deleted. */
  g_assert_cmpuint (sotto_store_ack_keys (fixture->store, alice_id, &alice_kid, 1, &error), ==, 1);
  fixture_commit (fixture);
  fixture_reopen (fixture);
  late_kid = sotto_store_queue_key (fixture->store, alice_id, 500, "bob", "lobby",
                                    SOTTO_STORE_KEY_REQUEST, 3, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (late_kid, >, alice_kid);

  /* A box row needs its box; a recipient must exist. */
  kid = sotto_store_queue_key (fixture->store, bob_id, 600, "alice", "lobby",
                               SOTTO_STORE_KEY_BOX, 1, NULL, NULL, &error);
  g_assert_error (error, SOTTO_STORE_ERROR, SOTTO_STORE_ERROR_CONSTRAINT);
  g_assert_cmpint (kid, ==, -1);
  g_clear_error (&error);
  kid = sotto_store_queue_key (fixture->store, 999, 600, "alice", "lobby",
                               SOTTO_STORE_KEY_BOX, 1, box1, NULL, &error);
  g_assert_error (error, SOTTO_STORE_ERROR, SOTTO_STORE_ERROR_CONSTRAINT);
  g_assert_cmpint (kid, ==, -1);
}

/* Batched commits */

static gint64
count_committed_accounts (Fixture *fixture)
{
  sqlite3 *db = raw_open (fixture->path);
  gint64 count = raw_int (db, "SELECT count(*) FROM accounts");

  raw_close (db);
  return count;
}

static void
check_all_three_committed (Fixture *fixture)
{
  g_assert_cmpint (count_committed_accounts (fixture), ==, 3);
}

static void
test_commit_batch (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(Waiter) a = waiter_new (fixture, "A");
  g_autoptr(Waiter) b = waiter_new (fixture, "B");
  g_autoptr(Waiter) c = waiter_new (fixture, "C");
  gboolean nothing_destroyed = FALSE;

  add_account (fixture, "alice");
  fixture_commit_soon (fixture, a);
  add_account (fixture, "bob");
  fixture_commit_soon (fixture, b);
  /* Only to make sure of a commit. */
  sotto_store_commit_soon (fixture->store, NULL, &nothing_destroyed, NULL);
  add_account (fixture, "carol");
  fixture_commit_soon (fixture, c);

  /* Nothing is on disk yet, though the store reads its own writes. */
  g_assert_cmpint (count_committed_accounts (fixture), ==, 0);
  g_assert_true (sotto_store_find_account (fixture->store, "carol", NULL, NULL));
  g_assert_cmpuint (a->calls, ==, 0);

  /* One main-loop iteration commits everything at once: even the first
   * waiter sees the writes made after it registered. */
  a->check = check_all_three_committed;
  g_assert_true (g_main_context_iteration (NULL, FALSE));
  g_assert_cmpstr (fixture->order->str, ==, "ABC");
  g_assert_cmpuint (fixture->waiting, ==, 0);

  for (guint i = 0; i < 3; i++)
    {
      Waiter *waiter = (Waiter *[]) { a, b, c }[i];

      g_assert_cmpuint (waiter->calls, ==, 1);
      g_assert_cmpuint (waiter->destroys, ==, 1);
      g_assert_no_error (waiter->error);
    }

  /* Nothing else is pending. */
  g_assert_false (g_main_context_iteration (NULL, FALSE));
  g_assert_cmpuint (a->calls, ==, 1);

  /* With no writes, a waiter still hears of success. */
  {
    g_autoptr(Waiter) d = waiter_new (fixture, "D");

    fixture_commit_soon (fixture, d);
    fixture_run_until_committed (fixture);
    g_assert_cmpuint (d->calls, ==, 1);
    g_assert_no_error (d->error);
  }
}

static void
write_again_cb (SottoStore   *store,
                const GError *error,
                gpointer      user_data)
{
  Waiter *next = user_data;
  Fixture *fixture = next->fixture;

  g_assert_no_error (error);
  g_string_append (fixture->order, "A");

  /* A write from a waiter starts the next batch. */
  add_account (fixture, "dave");
  fixture_commit_soon (fixture, next);
}

static void
test_commit_reentrant (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(Waiter) b = waiter_new (fixture, "B");

  add_account (fixture, "alice");
  sotto_store_commit_soon (fixture->store, write_again_cb, b, NULL);
  fixture_run_until_committed (fixture);

  g_assert_cmpstr (fixture->order->str, ==, "AB");
  g_assert_cmpuint (b->calls, ==, 1);
  g_assert_cmpuint (b->destroys, ==, 1);
  g_assert_no_error (b->error);
  g_assert_cmpint (count_committed_accounts (fixture), ==, 2);
}

static gint64 failure_lobby_id;

static void
check_rolled_back (Fixture *fixture)
{
  /* By the time waiters run, the store already holds the old state. */
  g_assert_cmpint (last_seq (fixture, failure_lobby_id), ==, 1);
}

static void
test_commit_failure (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(Waiter) a = waiter_new (fixture, "A");
  g_autoptr(Waiter) b = waiter_new (fixture, "B");
  g_autoptr(Waiter) c = waiter_new (fixture, "C");
  g_autoptr(Waiter) d = NULL;
  gint64 lobby_id;
  sqlite3 *db;

  add_account (fixture, "alice");
  lobby_id = failure_lobby_id = add_room (fixture, "lobby");
  append (fixture, lobby_id, 1, 1000, "alice", "m1");
  fixture_commit (fixture);

  append (fixture, lobby_id, 2, 2000, "alice", "m2");
  fixture_commit_soon (fixture, a);
  append (fixture, lobby_id, 3, 3000, "alice", "m3");
  fixture_commit_soon (fixture, b);
  add_account (fixture, "bob");
  fixture_commit_soon (fixture, c);

  /* The disk fills up just as the batch is written out. */
  shim.fail_wal_writes = TRUE;
  a->check = check_rolled_back;
  fixture_run_until_committed (fixture);
  shim.fail_wal_writes = FALSE;

  g_assert_cmpstr (fixture->order->str, ==, "ABC");
  for (guint i = 0; i < 3; i++)
    {
      Waiter *waiter = (Waiter *[]) { a, b, c }[i];

      g_assert_cmpuint (waiter->calls, ==, 1);
      g_assert_cmpuint (waiter->destroys, ==, 1);
      g_assert_error (waiter->error, SOTTO_STORE_ERROR, SOTTO_STORE_ERROR_FULL);
    }
  g_test_message ("%s", a->error->message);

  /* The whole batch is gone, and nothing else. */
  g_assert_false (sotto_store_find_account (fixture->store, "bob", NULL, NULL));
  g_assert_true (sotto_store_find_account (fixture->store, "alice", NULL, NULL));
  assert_log (fixture, lobby_id, 0, 0, 1, 1);
  g_assert_false (sotto_store_find_message (fixture->store, lobby_id, "alice", "m2", NULL, NULL,
                                            NULL));

  /* The store goes on: the same numbers can be handed out again. */
  d = waiter_new (fixture, "D");
  append (fixture, lobby_id, 2, 4000, "alice", "m2");
  fixture_commit_soon (fixture, d);
  fixture_run_until_committed (fixture);
  g_assert_no_error (d->error);

  db = raw_open (fixture->path);
  g_assert_cmpint (raw_int (db, "SELECT last_seq FROM rooms WHERE name = 'lobby'"), ==, 2);
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM room_log"), ==, 2);
  raw_close (db);
}

/* A write can fail in a way that makes SQLite drop the whole transaction,
 * not just the statement. The waiters of that batch, before and after the
 * failure, must hear of it, never a success for writes that are gone. */
static void
test_commit_lost_mid_batch (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(Waiter) a = waiter_new (fixture, "A");
  g_autoptr(Waiter) b = waiter_new (fixture, "B");
  g_autoptr(Waiter) c = NULL;
  /* Bigger than SQLite's page cache, so the statement itself spills to the WAL. */
  gsize big_size = 16 * 1024 * 1024;
  g_autoptr(GBytes) big = g_bytes_new_take (g_malloc0 (big_size), big_size);
  gint64 lobby_id = add_room (fixture, "lobby");
  sqlite3 *db;

  fixture_commit (fixture);

  append (fixture, lobby_id, 1, 1000, "alice", NULL);
  fixture_commit_soon (fixture, a);

  shim.fail_wal_writes = TRUE;
  g_assert_false (sotto_store_append_event (fixture->store, lobby_id, 2, 2000, 0, "alice", NULL,
                                            big, &error));
  shim.fail_wal_writes = FALSE;
  g_assert_error (error, SOTTO_STORE_ERROR, SOTTO_STORE_ERROR_FULL);

  /* This write lands in a new transaction, but belongs to the lost batch. */
  append (fixture, lobby_id, 3, 3000, "alice", NULL);
  fixture_commit_soon (fixture, b);
  fixture_run_until_committed (fixture);

  g_assert_cmpstr (fixture->order->str, ==, "AB");
  g_assert_error (a->error, SOTTO_STORE_ERROR, SOTTO_STORE_ERROR_FULL);
  g_assert_error (b->error, SOTTO_STORE_ERROR, SOTTO_STORE_ERROR_FULL);
  g_assert_cmpint (last_seq (fixture, lobby_id), ==, 0);
  db = raw_open (fixture->path);
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM room_log"), ==, 0);

  /* The next batch is a fresh start. */
  c = waiter_new (fixture, "C");
  append (fixture, lobby_id, 1, 4000, "alice", NULL);
  fixture_commit_soon (fixture, c);
  fixture_run_until_committed (fixture);
  g_assert_no_error (c->error);
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM room_log"), ==, 1);
  raw_close (db);
}

static void
test_commit_busy (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  sqlite3 *db = raw_open (fixture->path);
  gint64 id;

  /* Another process (say, an operator's shell) holds the write lock. */
  raw_exec (db, "BEGIN IMMEDIATE");
  sotto_store_set_busy_timeout (fixture->store, 10);

  id = sotto_store_add_account (fixture->store, "alice", "$argon2id$a", NULL, &error);
  g_assert_error (error, SOTTO_STORE_ERROR, SOTTO_STORE_ERROR_BUSY);
  g_assert_cmpint (id, ==, -1);
  g_clear_error (&error);

  /* Reads still work. */
  g_assert_cmpint (fixture_room_id (fixture, SOTTO_STORE_GENERAL_ROOM), >, 0);

  raw_exec (db, "COMMIT");
  add_account (fixture, "alice");
  fixture_commit (fixture);
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM accounts"), ==, 1);
  raw_close (db);
}

static void
test_commit_now (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(Waiter) a = waiter_new (fixture, "A");

  add_account (fixture, "alice");
  fixture_commit_soon (fixture, a);
  fixture_commit (fixture);

  /* Synchronous, and the idle is gone. */
  g_assert_cmpuint (a->calls, ==, 1);
  g_assert_cmpuint (a->destroys, ==, 1);
  g_assert_no_error (a->error);
  g_assert_cmpint (count_committed_accounts (fixture), ==, 1);
  g_assert_false (g_main_context_iteration (NULL, FALSE));
  g_assert_cmpuint (a->calls, ==, 1);

  /* Nothing pending is not a failure. */
  fixture_commit (fixture);
}

static void
test_commit_dispose (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(Waiter) a = waiter_new (fixture, "A");

  add_account (fixture, "alice");
  fixture_commit_soon (fixture, a);

  /* Closing commits what is pending and answers the waiters. */
  fixture_close (fixture);
  g_assert_cmpuint (a->calls, ==, 1);
  g_assert_cmpuint (a->destroys, ==, 1);
  g_assert_no_error (a->error);
  g_assert_false (g_main_context_iteration (NULL, FALSE));

  g_assert_cmpint (count_committed_accounts (fixture), ==, 1);
}

/* What reaches the disk */

static guint
count_in_files (Fixture    *fixture,
                const char *marker)
{
  g_autoptr(GDir) dir = g_dir_open (fixture->dir, 0, NULL);
  const char *name;
  guint count = 0;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (fixture->dir, name, NULL);
      g_autofree char *contents = NULL;
      gsize length;
      gsize marker_length = strlen (marker);

      g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
      for (gsize i = 0; i + marker_length <= length; i++)
        {
          if (memcmp (contents + i, marker, marker_length) == 0)
            count++;
        }
    }

  return count;
}

static void
test_ciphertext_only (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *marker = g_strdup_printf ("sotto-marker-%08x%08x",
                                             g_random_int (), g_random_int ());
  g_autofree char *json = g_strdup_printf ("{\"type\":\"message\",\"envelope\":\"%s\"}", marker);
  g_autoptr(GBytes) body = g_bytes_new (json, strlen (json));
  g_autofree char *sql = NULL;
  gint64 lobby_id = add_room (fixture, "lobby");
  sqlite3 *db;

  g_assert_true (sotto_store_append_event (fixture->store, lobby_id, 1, 1000, 0, "alice", "m1",
                                           body, &error));
  g_assert_no_error (error);
  append (fixture, lobby_id, 2, 2000, "alice", "m2");
  fixture_close (fixture);

  /* Exactly once on disk, as given, in the log. */
  g_assert_cmpuint (count_in_files (fixture, marker), ==, 1);
  db = raw_open (fixture->path);
  sql = g_strdup_printf ("SELECT count(*) FROM room_log WHERE body = CAST ('%s' AS BLOB)", json);
  g_assert_cmpint (raw_int (db, sql), ==, 1);
  raw_close (db);

  /* Retention removes it from the file too, not just from the table. */
  fixture_reopen (fixture);
  g_assert_cmpint (sotto_store_enforce_retention (fixture->store, 0, 0, 1, &error), ==, 1);
  g_assert_no_error (error);
  fixture_close (fixture);
  g_assert_cmpuint (count_in_files (fixture, marker), ==, 0);
}

typedef struct
{
  gboolean  done;
  gboolean  taken;
  GBytes   *bundle;
  GBytes   *one_time;
  GError   *error;
} PrekeysTaken;

static void
prekeys_taken_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  PrekeysTaken *taken = user_data;

  taken->taken = sotto_store_take_prekeys_finish (SOTTO_STORE (object), result, &taken->bundle,
                                                  &taken->one_time, &taken->error);
  taken->done = TRUE;
}

static void
take_prekeys (Fixture      *fixture,
              gint64        device_id,
              PrekeysTaken *taken)
{
  sotto_store_take_prekeys_async (fixture->store, device_id, NULL, prekeys_taken_cb, taken);
  /* Never inside the call. */
  g_assert_false (taken->done);
  while (!taken->done)
    g_main_context_iteration (NULL, TRUE);
}

/* An async call's answer waits for the batch it wrote into: a one-time
 * prekey taken in a batch that is then rolled back is not handed out,
 * and is still there for the next request. */
static void
test_async_rolled_back (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GBytes) bundle = g_bytes_new_take (g_malloc0 (SOTTO_PROTOCOL_PREKEY_BUNDLE_BYTES),
                                               SOTTO_PROTOCOL_PREKEY_BUNDLE_BYTES);
  guint8 *prekey_data = g_malloc (SOTTO_PROTOCOL_ONE_TIME_PREKEY_BYTES);
  g_autoptr(GBytes) prekey = NULL;
  g_autoptr(GError) error = NULL;
  gint64 device_id = add_account_device (fixture, "alice");
  PrekeysTaken failed = { 0 };
  PrekeysTaken taken = { 0 };

  memset (prekey_data, 0x5a, SOTTO_PROTOCOL_ONE_TIME_PREKEY_BYTES);
  prekey = g_bytes_new_take (prekey_data, SOTTO_PROTOCOL_ONE_TIME_PREKEY_BYTES);
  g_assert_true (sotto_store_set_prekey_bundle (fixture->store, device_id, bundle, 1, &error));
  g_assert_true (sotto_store_add_one_time_prekey (fixture->store, device_id, 7, prekey, &error));
  g_assert_no_error (error);
  fixture_commit (fixture);

  /* The disk fills up as the batch with the taking is written out. */
  shim.fail_wal_writes = TRUE;
  take_prekeys (fixture, device_id, &failed);
  shim.fail_wal_writes = FALSE;
  g_assert_false (failed.taken);
  g_assert_error (failed.error, SOTTO_STORE_ERROR, SOTTO_STORE_ERROR_FULL);
  g_assert_null (failed.one_time);
  g_assert_cmpint (sotto_store_count_one_time_prekeys (fixture->store, device_id, NULL), ==, 1);

  take_prekeys (fixture, device_id, &taken);
  g_assert_no_error (taken.error);
  g_assert_true (taken.taken);
  g_assert_true (g_bytes_equal (taken.bundle, bundle));
  g_assert_true (g_bytes_equal (taken.one_time, prekey));
  g_assert_cmpint (sotto_store_count_one_time_prekeys (fixture->store, device_id, NULL), ==, 0);

  g_clear_error (&failed.error);
  g_clear_pointer (&taken.bundle, g_bytes_unref);
  g_clear_pointer (&taken.one_time, g_bytes_unref);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  shim_register ();

#define ADD(path, func) \
  g_test_add ("/sotto/server/store/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("open/schema", test_open_schema);
  ADD ("open/reopen", test_open_reopen);
  ADD ("open/too-new", test_open_too_new);
  ADD ("open/failed-migration", test_open_failed_migration);
  ADD ("open/not-a-database", test_open_not_a_database);
  ADD ("open/missing-directory", test_open_missing_directory);
  ADD ("open/read-only", test_open_read_only);
  ADD ("accounts/add-find", test_accounts_add_find);
  ADD ("accounts/duplicate", test_accounts_duplicate);
  ADD ("accounts/identity", test_accounts_identity);
  ADD ("rooms/add-load", test_rooms_add_load);
  ADD ("rooms/members", test_rooms_members);
  ADD ("rooms/bans", test_rooms_bans);
  ADD ("open/migrate-bans", test_open_migrate_bans);
  ADD ("state/append-read", test_state_append_read);
  ADD ("prekeys", test_prekeys);
  ADD ("async/rolled-back", test_async_rolled_back);
  ADD ("device-lists", test_device_lists);
  ADD ("open/migrate-device-lists", test_open_migrate_device_lists);
  ADD ("open/migrate-devices", test_open_migrate_devices);
  ADD ("devices", test_devices);
  ADD ("blobs", test_blobs);
  ADD ("open/migrate-blobs", test_open_migrate_blobs);
  ADD ("log/append-read", test_log_append_read);
  ADD ("log/idempotent", test_log_idempotent);
  ADD ("log/retention-age", test_log_retention_age);
  ADD ("log/retention-count", test_log_retention_count);
  ADD ("keys/queue-ack", test_keys_queue_ack);
  ADD ("commit/batch", test_commit_batch);
  ADD ("commit/reentrant", test_commit_reentrant);
  ADD ("commit/failure", test_commit_failure);
  ADD ("commit/lost-mid-batch", test_commit_lost_mid_batch);
  ADD ("commit/busy", test_commit_busy);
  ADD ("commit/now", test_commit_now);
  ADD ("commit/dispose", test_commit_dispose);
  ADD ("ciphertext-only", test_ciphertext_only);

#undef ADD

  return g_test_run ();
}
