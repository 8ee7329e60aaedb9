/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <sqlite3.h>
#include <string.h>

#include "sotto-store.h"

/*
 * The server's SQLite store: accounts, rooms, memberships, the per-room log
 * of events and the per-recipient key queue. Every event body is the JSON
 * the server already sent to clients, which carries only ciphertext
 * envelopes and metadata; nothing here ever sees message plaintext.
 *
 * Used from the main thread only. Writes join one transaction per
 * main-loop iteration: the first write opens it, an idle commits it and
 * then tells everyone who asked through sotto_store_commit_soon().
 */

#define DEFAULT_BUSY_TIMEOUT_MS 1000

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
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == SOTTO_STORE_SCHEMA_VERSION);

typedef enum
{
  STMT_ENSURE_ROOM,
  STMT_FIND_ACCOUNT,
  STMT_ADD_ACCOUNT,
  STMT_SET_IDENTITY,
  STMT_LIST_USERNAMES,
  STMT_LOAD_ROOMS,
  STMT_ADD_ROOM,
  STMT_ADD_MEMBER,
  STMT_REMOVE_MEMBER,
  STMT_MEMBER_NAMES,
  STMT_ROOMS_OF,
  STMT_COUNT_MEMBERS,
  STMT_APPEND_EVENT,
  STMT_FIND_MESSAGE,
  STMT_READ_LOG,
  STMT_LAST_SEQ,
  STMT_DELETE_OLDER,
  STMT_ROOM_IDS,
  STMT_TRIM_ROOM,
  STMT_QUEUE_KEY,
  STMT_PENDING_KEYS,
  STMT_ACK_KEY,
  N_STMTS
} StatementId;

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
    "INSERT INTO key_queue (recipient_id, ts, sender, room, kind, key_id, box)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
  [STMT_PENDING_KEYS] =
    "SELECT kid, ts, sender, room, kind, key_id, box FROM key_queue"
    " WHERE recipient_id = ?1 ORDER BY kid LIMIT ?2",
  /* The recipient is part of the key: nobody acknowledges another's rows. */
  [STMT_ACK_KEY] =
    "DELETE FROM key_queue WHERE kid = ?1 AND recipient_id = ?2",
};

typedef struct
{
  SottoStoreCommittedFunc func;
  gpointer                user_data;
  GDestroyNotify          destroy;
} CommitWaiter;

struct _SottoStore
{
  GObject        parent_instance;

  sqlite3       *db;
  sqlite3_stmt  *statements[N_STMTS];

  /* Set from the write that opened the batch until it is committed or
   * rolled back. */
  gboolean       in_batch;
  /* Why the open batch is already lost, when SQLite rolled it back by
   * itself (I/O errors, a full disk); later writes of the batch are then
   * rolled back too, so every waiter hears of it. */
  GError        *batch_error;
  /* CommitWaiter, in the order they were registered. */
  GArray        *waiters;
  guint          commit_source_id;
};

G_DEFINE_FINAL_TYPE (SottoStore, sotto_store, G_TYPE_OBJECT)

G_DEFINE_QUARK (sotto-store-error-quark, sotto_store_error)

/* A cached statement borrowed for one call: declared g_auto(), it is
 * reset and its bindings dropped whichever way the call returns, so
 * SQLITE_STATIC bindings never outlive the caller's data.
 *
 * sqlite3_bind_*() can only fail on a wrong index, which the fixed SQL
 * rules out, or on sizes far beyond the protocol's limits; their results
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

static gint64
now_ms (void)
{
  return g_get_real_time () / 1000;
}

static SottoStoreError
error_code_from_sqlite (int rc)
{
  switch (rc & 0xff)
    {
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return SOTTO_STORE_ERROR_OPEN;

    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_FORMAT:
      return SOTTO_STORE_ERROR_CORRUPT;

    case SQLITE_IOERR:
    case SQLITE_PROTOCOL:
      return SOTTO_STORE_ERROR_IO;

    case SQLITE_FULL:
      return SOTTO_STORE_ERROR_FULL;

    case SQLITE_READONLY:
      return SOTTO_STORE_ERROR_READ_ONLY;

    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return SOTTO_STORE_ERROR_BUSY;

    case SQLITE_CONSTRAINT:
      return SOTTO_STORE_ERROR_CONSTRAINT;

    default:
      return SOTTO_STORE_ERROR_FAILED;
    }
}

/* Reports a failed SQLite call as "@what: <SQLite's message>". Must run
 * before anything else touches the connection, which would replace the
 * message. */
static void
store_set_error (SottoStore  *self,
                 GError     **error,
                 int          rc,
                 const char  *what)
{
  SottoStoreError code = error_code_from_sqlite (rc);
  /* SQLite quotes what it could not parse, bytes of a damaged file
   * included: the message must stay valid UTF-8 for whoever shows it. */
  g_autofree char *detail = g_utf8_make_valid (self->db != NULL ? sqlite3_errmsg (self->db)
                                                                : sqlite3_errstr (rc), -1);

  /* Some errors make SQLite roll back the whole transaction, not just the
   * statement: the batch is lost, and its waiters must hear it. */
  if (self->in_batch && self->batch_error == NULL &&
      self->db != NULL && sqlite3_get_autocommit (self->db))
    self->batch_error = g_error_new (SOTTO_STORE_ERROR, code,
                                     _("The pending changes were rolled back: %s"), detail);

  g_set_error (error, SOTTO_STORE_ERROR, code, "%s: %s", what, detail);
}

static gboolean
store_exec (SottoStore  *self,
            const char  *sql,
            const char  *what,
            GError     **error)
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
store_rollback (SottoStore *self)
{
  if (!sqlite3_get_autocommit (self->db))
    {
      int rc = sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);

      if (rc != SQLITE_OK)
        g_warning ("Could not roll back the store: %s", sqlite3_errmsg (self->db));
    }
}

/* Prepares on first use; afterwards the same statement is reused. */
static sqlite3_stmt *
store_statement (SottoStore   *self,
                 StatementId   id,
                 GError      **error)
{
  g_assert (id < N_STMTS);

  if (self->db == NULL)
    {
      g_set_error_literal (error, SOTTO_STORE_ERROR, SOTTO_STORE_ERROR_FAILED,
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

static gboolean commit_idle_cb (gpointer user_data);

static void
store_schedule_commit (SottoStore *self)
{
  if (self->commit_source_id != 0)
    return;

  /* G_PRIORITY_DEFAULT, not idle priority: a busy server must still commit
   * on the next iteration, or acknowledgements would wait for a lull. */
  self->commit_source_id = g_idle_add_full (G_PRIORITY_DEFAULT, commit_idle_cb, self, NULL);
  g_source_set_name_by_id (self->commit_source_id, "[sotto] store commit");
}

/* Every write goes through here: joins the open batch, or opens one. */
static gboolean
store_begin_write (SottoStore  *self,
                   GError     **error)
{
  if (self->db == NULL)
    {
      g_set_error_literal (error, SOTTO_STORE_ERROR, SOTTO_STORE_ERROR_FAILED,
                           _("The store is closed"));
      return FALSE;
    }

  if (sqlite3_get_autocommit (self->db))
    {
      /* IMMEDIATE takes the write lock now, so a second process makes this
       * write fail, not the commit of everything batched after it. */
      if (!store_exec (self, "BEGIN IMMEDIATE", _("Could not start writing"), error))
        return FALSE;

      /* Inside a batch, no open transaction means SQLite rolled it back. */
      if (self->in_batch && self->batch_error == NULL)
        self->batch_error = g_error_new_literal (SOTTO_STORE_ERROR, SOTTO_STORE_ERROR_FAILED,
                                                 _("The pending changes were rolled back"));
      self->in_batch = TRUE;
    }

  store_schedule_commit (self);

  return TRUE;
}

static sqlite3_stmt *
store_write_statement (SottoStore   *self,
                       StatementId   id,
                       GError      **error)
{
  if (!store_begin_write (self, error))
    return NULL;

  return store_statement (self, id, error);
}

static gboolean
store_step_done (SottoStore    *self,
                 sqlite3_stmt  *stmt,
                 const char    *what,
                 GError       **error)
{
  int rc = sqlite3_step (stmt);

  if (rc != SQLITE_DONE)
    {
      store_set_error (self, error, rc, what);
      return FALSE;
    }

  return TRUE;
}

/* Steps a query that returns one integer. */
static gboolean
store_step_int64 (SottoStore    *self,
                  sqlite3_stmt  *stmt,
                  gint64        *value,
                  const char    *what,
                  GError       **error)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_ROW)
    {
      *value = sqlite3_column_int64 (stmt, 0);
      return TRUE;
    }

  if (rc == SQLITE_DONE)
    g_set_error (error, SOTTO_STORE_ERROR, SOTTO_STORE_ERROR_NOT_FOUND,
                 "%s: %s", what, _("no such row"));
  else
    store_set_error (self, error, rc, what);

  return FALSE;
}

/* Steps a query whose rows hold one text column into an array of strings. */
static GPtrArray *
store_collect_strings (SottoStore    *self,
                       sqlite3_stmt  *stmt,
                       const char    *what,
                       GError       **error)
{
  g_autoptr(GPtrArray) strings = g_ptr_array_new_with_free_func (g_free);
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (strings, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));

  if (rc != SQLITE_DONE)
    {
      store_set_error (self, error, rc, what);
      return NULL;
    }

  return g_steal_pointer (&strings);
}

/* Columns that may be NULL come back as %NULL, never as an empty GBytes. */
static GBytes *
column_bytes (sqlite3_stmt *stmt,
              int           column)
{
  const void *data;

  if (sqlite3_column_type (stmt, column) == SQLITE_NULL)
    return NULL;

  data = sqlite3_column_blob (stmt, column);
  return g_bytes_new (data, sqlite3_column_bytes (stmt, column));
}

static gboolean
column_copy_blob (sqlite3_stmt *stmt,
                  int           column,
                  guint8       *out,
                  gsize         size)
{
  const void *data = sqlite3_column_blob (stmt, column);

  if (data == NULL || (gsize) sqlite3_column_bytes (stmt, column) != size)
    return FALSE;

  memcpy (out, data, size);
  return TRUE;
}

static void
bind_identity (sqlite3_stmt            *stmt,
               int                      first,
               const SottoWireIdentity *identity)
{
  if (identity == NULL)
    {
      sqlite3_bind_null (stmt, first);
      sqlite3_bind_null (stmt, first + 1);
      sqlite3_bind_null (stmt, first + 2);
      return;
    }

  sqlite3_bind_blob (stmt, first, identity->box, sizeof identity->box, SQLITE_STATIC);
  sqlite3_bind_blob (stmt, first + 1, identity->sign, sizeof identity->sign, SQLITE_STATIC);
  sqlite3_bind_blob (stmt, first + 2, identity->binding, sizeof identity->binding,
                     SQLITE_STATIC);
}

/* SQLite reads a negative LIMIT as none. */
static gint64
limit_or_none (guint limit)
{
  return limit > 0 ? (gint64) limit : -1;
}

/* Commits the open batch, if any, then calls every waiter registered up
 * to now with the outcome. Waiters may write and register again: that
 * starts the next batch. */
static gboolean
store_flush (SottoStore  *self,
             GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GArray) waiters = NULL;

  if (self->db == NULL)
    {
      local_error = g_error_new_literal (SOTTO_STORE_ERROR, SOTTO_STORE_ERROR_FAILED,
                                         _("The store was closed before the changes were saved"));
    }
  else if (self->in_batch)
    {
      self->in_batch = FALSE;

      if (self->batch_error != NULL)
        local_error = g_steal_pointer (&self->batch_error);
      else if (sqlite3_get_autocommit (self->db))
        local_error = g_error_new_literal (SOTTO_STORE_ERROR, SOTTO_STORE_ERROR_FAILED,
                                           _("The pending changes were rolled back"));
      else
        store_exec (self, "COMMIT", _("Could not save the changes"), &local_error);

      /* A COMMIT that fails, for example on a busy lock, leaves the
       * transaction open: end it, so the next write starts afresh. */
      if (local_error != NULL)
        store_rollback (self);
    }

  if (self->waiters->len > 0)
    {
      waiters = g_steal_pointer (&self->waiters);
      self->waiters = g_array_new (FALSE, FALSE, sizeof (CommitWaiter));
    }

  for (guint i = 0; waiters != NULL && i < waiters->len; i++)
    {
      CommitWaiter *waiter = &g_array_index (waiters, CommitWaiter, i);

      if (waiter->func != NULL)
        waiter->func (self, local_error, waiter->user_data);
      if (waiter->destroy != NULL)
        waiter->destroy (waiter->user_data);
    }

  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  return TRUE;
}

static gboolean
store_has_listeners (SottoStore *self)
{
  for (guint i = 0; i < self->waiters->len; i++)
    {
      if (g_array_index (self->waiters, CommitWaiter, i).func != NULL)
        return TRUE;
    }

  return FALSE;
}

static gboolean
commit_idle_cb (gpointer user_data)
{
  g_autoptr(SottoStore) self = g_object_ref (SOTTO_STORE (user_data));
  g_autoptr(GError) error = NULL;
  gboolean reported = store_has_listeners (self);

  self->commit_source_id = 0;

  /* A failure is the waiters' to handle; it is logged here only when
   * nobody would hear of it otherwise. */
  if (!store_flush (self, &error) && !reported)
    g_warning ("Could not commit the store: %s", error->message);

  return G_SOURCE_REMOVE;
}

/* Waiters may write and wait again while the store closes; past this many
 * rounds, what they wrote is dropped and they are told so. */
#define DISPOSE_FLUSH_ROUNDS 3

static void
sotto_store_dispose (GObject *object)
{
  SottoStore *self = SOTTO_STORE (object);

  g_clear_handle_id (&self->commit_source_id, g_source_remove);

  if (self->db != NULL)
    {
      /* Best effort: commit what was written, and answer every waiter. */
      for (guint round = 0;
           round < DISPOSE_FLUSH_ROUNDS && (self->in_batch || self->waiters->len > 0);
           round++)
        {
          g_autoptr(GError) error = NULL;

          if (!store_flush (self, &error))
            g_warning ("Could not commit the store while closing it: %s", error->message);
        }

      g_clear_handle_id (&self->commit_source_id, g_source_remove);
      if (self->in_batch)
        store_rollback (self);
      self->in_batch = FALSE;
      g_clear_error (&self->batch_error);

      for (guint i = 0; i < N_STMTS; i++)
        g_clear_pointer (&self->statements[i], sqlite3_finalize);

      /* The last connection to close checkpoints the WAL into the file. */
      if (sqlite3_close (self->db) != SQLITE_OK)
        g_warning ("Could not close the store: %s", sqlite3_errmsg (self->db));
      self->db = NULL;

      /* Anyone still waiting hears that the store is closed. */
      store_flush (self, NULL);
    }

  G_OBJECT_CLASS (sotto_store_parent_class)->dispose (object);
}

static void
sotto_store_finalize (GObject *object)
{
  SottoStore *self = SOTTO_STORE (object);

  g_assert (self->commit_source_id == 0);
  g_assert (self->waiters->len == 0);
  g_clear_pointer (&self->waiters, g_array_unref);
  g_clear_error (&self->batch_error);

  G_OBJECT_CLASS (sotto_store_parent_class)->finalize (object);
}

static void
sotto_store_class_init (SottoStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sotto_store_dispose;
  object_class->finalize = sotto_store_finalize;
}

static void
sotto_store_init (SottoStore *self)
{
  self->waiters = g_array_new (FALSE, FALSE, sizeof (CommitWaiter));
}

static gboolean
store_read_user_version (SottoStore  *self,
                         gint64      *version,
                         GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (self->db, "PRAGMA user_version", -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      store_set_error (self, error, rc, _("Could not read the schema version"));
      return FALSE;
    }

  return store_step_int64 (self, stmt, version, _("Could not read the schema version"), error);
}

static gboolean
store_check_version (SottoStore  *self,
                     gint64       version,
                     GError     **error)
{
  /* user_version is a 32-bit signed integer in the file header. */
  if (version > SOTTO_STORE_SCHEMA_VERSION || version < 0)
    {
      g_set_error (error, SOTTO_STORE_ERROR, SOTTO_STORE_ERROR_TOO_NEW,
                   _("The database has schema version %d, but this server knows versions "
                     "up to %d; use a newer server"),
                   (int) version, SOTTO_STORE_SCHEMA_VERSION);
      return FALSE;
    }

  return TRUE;
}

/* Applies the missing migrations one transaction each. The version is read
 * again under the write lock, in case another process migrated first. */
static gboolean
store_migrate (SottoStore  *self,
               GError     **error)
{
  for (;;)
    {
      g_autofree char *set_version = NULL;
      gint64 version;

      if (!store_exec (self, "BEGIN IMMEDIATE", _("Could not update the schema"), error))
        return FALSE;

      if (!store_read_user_version (self, &version, error) ||
          !store_check_version (self, version, error))
        {
          store_rollback (self);
          return FALSE;
        }

      if (version == SOTTO_STORE_SCHEMA_VERSION)
        return store_exec (self, "COMMIT", _("Could not update the schema"), error);

      if (version > 0)
        g_message ("Updating the store schema from version %d to %d",
                   (int) version, (int) version + 1);

      set_version = g_strdup_printf ("PRAGMA user_version = %d", (int) version + 1);
      if (!store_exec (self, migrations[version], _("Could not update the schema"), error) ||
          !store_exec (self, set_version, _("Could not update the schema"), error) ||
          !store_exec (self, "COMMIT", _("Could not update the schema"), error))
        {
          store_rollback (self);
          return FALSE;
        }
    }
}

static gboolean
store_ensure_general (SottoStore  *self,
                      GError     **error)
{
  g_auto(BorrowedStatement) stmt = store_statement (self, STMT_ENSURE_ROOM, error);

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, SOTTO_STORE_GENERAL_ROOM, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, now_ms ());

  return store_step_done (self, stmt, _("Could not create the general room"), error);
}

static gboolean
store_setup (SottoStore  *self,
             const char  *path,
             GError     **error)
{
  gint64 version;
  int rc;

  rc = sqlite3_open_v2 (path, &self->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error_literal (error, SOTTO_STORE_ERROR, SOTTO_STORE_ERROR_OPEN,
                           self->db != NULL ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc));
      return FALSE;
    }

  sqlite3_extended_result_codes (self->db, 1);
  sqlite3_busy_timeout (self->db, DEFAULT_BUSY_TIMEOUT_MS);

  /* SQLite silently falls back to read-only when it cannot write the file. */
  if (sqlite3_db_readonly (self->db, "main") == 1)
    {
      g_set_error_literal (error, SOTTO_STORE_ERROR, SOTTO_STORE_ERROR_READ_ONLY,
                           _("The file cannot be written"));
      return FALSE;
    }

  /* Checked before anything writes to the file: a newer server's database
   * (or a file that is not one) is left exactly as it was. */
  if (!store_read_user_version (self, &version, error) ||
      !store_check_version (self, version, error))
    return FALSE;

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
  if (!store_exec (self,
                   "PRAGMA journal_mode = WAL;"
                   "PRAGMA synchronous = NORMAL;"
                   "PRAGMA foreign_keys = ON;"
                   "PRAGMA secure_delete = ON;"
                   "PRAGMA journal_size_limit = " JOURNAL_SIZE_LIMIT ";",
                   _("Could not configure the database"), error))
    return FALSE;

  return store_migrate (self, error) && store_ensure_general (self, error);
}

/**
 * sotto_store_open:
 * @path: the database file, created if missing (its directory must exist)
 * @error: return location for a #SOTTO_STORE_ERROR
 *
 * Opens the store and brings its schema up to date. A file written by a
 * newer server is refused with %SOTTO_STORE_ERROR_TOO_NEW and left as it
 * was; a file that is not a database fails with
 * %SOTTO_STORE_ERROR_CORRUPT.
 *
 * Returns: (transfer full): the store, or %NULL
 */
SottoStore *
sotto_store_open (const char  *path,
                  GError     **error)
{
  g_autoptr(SottoStore) self = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (SOTTO_TYPE_STORE, NULL);

  if (!store_setup (self, path, error))
    {
      g_prefix_error (error, _("Could not open the database %s: "), path);
      return NULL;
    }

  return g_steal_pointer (&self);
}

/**
 * sotto_store_set_busy_timeout:
 * @milliseconds: how long a write waits for another process's lock
 *
 * The main loop stalls for up to this long when another process (an
 * operator's shell, a backup) holds the write lock; past it, the write
 * fails with %SOTTO_STORE_ERROR_BUSY. One second by default.
 */
void
sotto_store_set_busy_timeout (SottoStore *self,
                              guint       milliseconds)
{
  g_return_if_fail (SOTTO_IS_STORE (self));
  g_return_if_fail (self->db != NULL);

  sqlite3_busy_timeout (self->db, (int) MIN (milliseconds, G_MAXINT));
}

/**
 * sotto_store_commit_soon:
 * @func: (nullable): called once the writes made so far are committed or lost
 * @user_data: data for @func and @destroy
 * @destroy: (nullable): frees @user_data after @func has run
 *
 * Makes sure the writes made so far are committed on the next main-loop
 * iteration, in one transaction with every other write made before then,
 * and calls @func with the outcome. Waiters are called in the order they
 * were registered, each exactly once, after the commit or the rollback.
 * If the commit fails, every waiter of the batch gets the error and all
 * of its writes are gone; the store stays usable.
 */
void
sotto_store_commit_soon (SottoStore              *self,
                         SottoStoreCommittedFunc  func,
                         gpointer                 user_data,
                         GDestroyNotify           destroy)
{
  CommitWaiter waiter = { func, user_data, destroy };

  g_return_if_fail (SOTTO_IS_STORE (self));
  g_return_if_fail (self->db != NULL);

  g_array_append_val (self->waiters, waiter);
  store_schedule_commit (self);
}

/**
 * sotto_store_commit_now:
 *
 * Commits the open batch at once and calls the waiters, as the idle would.
 * For shutdown, or wherever the next iteration is too late.
 *
 * Returns: %FALSE if the batch was rolled back
 */
gboolean
sotto_store_commit_now (SottoStore  *self,
                        GError     **error)
{
  g_return_val_if_fail (SOTTO_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_clear_handle_id (&self->commit_source_id, g_source_remove);

  if (self->db == NULL)
    {
      g_set_error_literal (error, SOTTO_STORE_ERROR, SOTTO_STORE_ERROR_FAILED,
                           _("The store is closed"));
      return FALSE;
    }

  return store_flush (self, error);
}

/* Accounts */

void
sotto_store_account_clear (SottoStoreAccount *account)
{
  g_clear_pointer (&account->username, g_free);
  g_clear_pointer (&account->password_hash, g_free);
  memset (account, 0, sizeof *account);
}

/**
 * sotto_store_find_account:
 * @username: any case; names are compared in lower case
 * @out: (out caller-allocates) (optional): filled in when found; clear it
 *   with sotto_store_account_clear()
 *
 * Returns: %TRUE if the account exists; %FALSE with @error unset if it
 *   does not, with @error set if the lookup failed
 */
gboolean
sotto_store_find_account (SottoStore         *self,
                          const char         *username,
                          SottoStoreAccount  *out,
                          GError            **error)
{
  g_autofree char *lower = NULL;
  g_auto(BorrowedStatement) stmt = NULL;
  int rc;

  g_return_val_if_fail (SOTTO_IS_STORE (self), FALSE);
  g_return_val_if_fail (username != NULL, FALSE);

  lower = g_ascii_strdown (username, -1);
  stmt = store_statement (self, STMT_FIND_ACCOUNT, error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, lower, -1, SQLITE_STATIC);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return FALSE;

  if (rc != SQLITE_ROW)
    {
      store_set_error (self, error, rc, _("Could not look up the account"));
      return FALSE;
    }

  if (out != NULL)
    {
      memset (out, 0, sizeof *out);
      out->id = sqlite3_column_int64 (stmt, 0);
      out->username = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      out->password_hash = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      out->has_identity =
        column_copy_blob (stmt, 3, out->identity.box, sizeof out->identity.box) &&
        column_copy_blob (stmt, 4, out->identity.sign, sizeof out->identity.sign) &&
        column_copy_blob (stmt, 5, out->identity.binding, sizeof out->identity.binding);
      if (!out->has_identity)
        memset (&out->identity, 0, sizeof out->identity);
      out->created = sqlite3_column_int64 (stmt, 6);
    }

  return TRUE;
}

/**
 * sotto_store_add_account:
 * @username: stored in lower case
 * @password_hash: a crypto_pwhash_str() string
 * @identity: (nullable): the device's public identity keys
 *
 * Returns: the new account's id, or -1; a taken name fails with
 *   %SOTTO_STORE_ERROR_CONSTRAINT
 */
gint64
sotto_store_add_account (SottoStore               *self,
                         const char               *username,
                         const char               *password_hash,
                         const SottoWireIdentity  *identity,
                         GError                  **error)
{
  g_autofree char *lower = NULL;
  g_auto(BorrowedStatement) stmt = NULL;

  g_return_val_if_fail (SOTTO_IS_STORE (self), -1);
  g_return_val_if_fail (username != NULL, -1);
  g_return_val_if_fail (password_hash != NULL, -1);

  lower = g_ascii_strdown (username, -1);
  stmt = store_write_statement (self, STMT_ADD_ACCOUNT, error);
  if (stmt == NULL)
    return -1;

  sqlite3_bind_text (stmt, 1, lower, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, password_hash, -1, SQLITE_STATIC);
  bind_identity (stmt, 3, identity);
  sqlite3_bind_int64 (stmt, 6, now_ms ());

  if (!store_step_done (self, stmt, _("Could not add the account"), error))
    return -1;

  return sqlite3_last_insert_rowid (self->db);
}

/**
 * sotto_store_set_identity:
 * @identity: (nullable): the new public identity keys, or %NULL to forget them
 *
 * Returns: %FALSE on failure; an unknown account is %SOTTO_STORE_ERROR_NOT_FOUND
 */
gboolean
sotto_store_set_identity (SottoStore               *self,
                          gint64                    account_id,
                          const SottoWireIdentity  *identity,
                          GError                  **error)
{
  g_auto(BorrowedStatement) stmt = NULL;

  g_return_val_if_fail (SOTTO_IS_STORE (self), FALSE);

  stmt = store_write_statement (self, STMT_SET_IDENTITY, error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, account_id);
  bind_identity (stmt, 2, identity);

  if (!store_step_done (self, stmt, _("Could not save the identity keys"), error))
    return FALSE;

  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error_literal (error, SOTTO_STORE_ERROR, SOTTO_STORE_ERROR_NOT_FOUND,
                           _("Could not save the identity keys: there is no such account"));
      return FALSE;
    }

  return TRUE;
}

/**
 * sotto_store_list_usernames:
 *
 * Returns: (transfer full) (element-type utf8): every username, sorted, or %NULL
 */
GPtrArray *
sotto_store_list_usernames (SottoStore  *self,
                            GError     **error)
{
  g_auto(BorrowedStatement) stmt = NULL;

  g_return_val_if_fail (SOTTO_IS_STORE (self), NULL);

  stmt = store_statement (self, STMT_LIST_USERNAMES, error);
  if (stmt == NULL)
    return NULL;

  return store_collect_strings (self, stmt, _("Could not list the accounts"), error);
}

/* Rooms and members */

void
sotto_store_room_free (SottoStoreRoom *room)
{
  if (room == NULL)
    return;

  g_free (room->name);
  g_free (room->owner);
  g_free (room);
}

/**
 * sotto_store_load_rooms:
 *
 * Returns: (transfer full) (element-type SottoStoreRoom): every room, direct
 *   ones included, in creation order, or %NULL
 */
GPtrArray *
sotto_store_load_rooms (SottoStore  *self,
                        GError     **error)
{
  g_autoptr(GPtrArray) rooms = NULL;
  g_auto(BorrowedStatement) stmt = NULL;
  int rc;

  g_return_val_if_fail (SOTTO_IS_STORE (self), NULL);

  stmt = store_statement (self, STMT_LOAD_ROOMS, error);
  if (stmt == NULL)
    return NULL;

  rooms = g_ptr_array_new_with_free_func ((GDestroyNotify) sotto_store_room_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      SottoStoreRoom *room = g_new0 (SottoStoreRoom, 1);

      room->id = sqlite3_column_int64 (stmt, 0);
      room->name = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      room->direct = sqlite3_column_int (stmt, 2) != 0;
      room->owner = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
      room->created = sqlite3_column_int64 (stmt, 4);
      room->last_seq = sqlite3_column_int64 (stmt, 5);
      g_ptr_array_add (rooms, room);
    }

  if (rc != SQLITE_DONE)
    {
      store_set_error (self, error, rc, _("Could not load the rooms"));
      return NULL;
    }

  return g_steal_pointer (&rooms);
}

/**
 * sotto_store_add_room:
 * @owner: (nullable): the username that made it
 *
 * Returns: the new room's id, or -1; a taken name fails with
 *   %SOTTO_STORE_ERROR_CONSTRAINT
 */
gint64
sotto_store_add_room (SottoStore  *self,
                      const char  *name,
                      gboolean     direct,
                      const char  *owner,
                      GError     **error)
{
  g_auto(BorrowedStatement) stmt = NULL;

  g_return_val_if_fail (SOTTO_IS_STORE (self), -1);
  g_return_val_if_fail (name != NULL, -1);

  stmt = store_write_statement (self, STMT_ADD_ROOM, error);
  if (stmt == NULL)
    return -1;

  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 2, direct ? 1 : 0);
  if (owner != NULL)
    sqlite3_bind_text (stmt, 3, owner, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, 3);
  sqlite3_bind_int64 (stmt, 4, now_ms ());

  if (!store_step_done (self, stmt, _("Could not add the room"), error))
    return -1;

  return sqlite3_last_insert_rowid (self->db);
}

/**
 * sotto_store_add_member:
 *
 * Adding a member twice is not an error. A room or account that does not
 * exist fails with %SOTTO_STORE_ERROR_CONSTRAINT.
 */
gboolean
sotto_store_add_member (SottoStore  *self,
                        gint64       room_id,
                        gint64       account_id,
                        GError     **error)
{
  g_auto(BorrowedStatement) stmt = NULL;

  g_return_val_if_fail (SOTTO_IS_STORE (self), FALSE);

  stmt = store_write_statement (self, STMT_ADD_MEMBER, error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, room_id);
  sqlite3_bind_int64 (stmt, 2, account_id);
  sqlite3_bind_int64 (stmt, 3, now_ms ());

  return store_step_done (self, stmt, _("Could not add the member"), error);
}

/**
 * sotto_store_remove_member:
 *
 * Removing someone who is not a member is not an error.
 */
gboolean
sotto_store_remove_member (SottoStore  *self,
                           gint64       room_id,
                           gint64       account_id,
                           GError     **error)
{
  g_auto(BorrowedStatement) stmt = NULL;

  g_return_val_if_fail (SOTTO_IS_STORE (self), FALSE);

  stmt = store_write_statement (self, STMT_REMOVE_MEMBER, error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, room_id);
  sqlite3_bind_int64 (stmt, 2, account_id);

  return store_step_done (self, stmt, _("Could not remove the member"), error);
}

/**
 * sotto_store_load_member_names:
 *
 * Returns: (transfer full) (element-type utf8): the usernames of the room's
 *   members in the order they joined, or %NULL
 */
GPtrArray *
sotto_store_load_member_names (SottoStore  *self,
                               gint64       room_id,
                               GError     **error)
{
  g_auto(BorrowedStatement) stmt = NULL;

  g_return_val_if_fail (SOTTO_IS_STORE (self), NULL);

  stmt = store_statement (self, STMT_MEMBER_NAMES, error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, room_id);

  return store_collect_strings (self, stmt, _("Could not load the members"), error);
}

/**
 * sotto_store_load_rooms_of:
 *
 * Returns: (transfer full) (element-type utf8): the names of the rooms the
 *   account is a member of, sorted, or %NULL
 */
GPtrArray *
sotto_store_load_rooms_of (SottoStore  *self,
                           gint64       account_id,
                           GError     **error)
{
  g_auto(BorrowedStatement) stmt = NULL;

  g_return_val_if_fail (SOTTO_IS_STORE (self), NULL);

  stmt = store_statement (self, STMT_ROOMS_OF, error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, account_id);

  return store_collect_strings (self, stmt, _("Could not load the rooms of the account"), error);
}

/**
 * sotto_store_count_members:
 *
 * Returns: how many members the room has, or -1
 */
gint64
sotto_store_count_members (SottoStore  *self,
                           gint64       room_id,
                           GError     **error)
{
  g_auto(BorrowedStatement) stmt = NULL;
  gint64 count;

  g_return_val_if_fail (SOTTO_IS_STORE (self), -1);

  stmt = store_statement (self, STMT_COUNT_MEMBERS, error);
  if (stmt == NULL)
    return -1;

  sqlite3_bind_int64 (stmt, 1, room_id);

  if (!store_step_int64 (self, stmt, &count, _("Could not count the members"), error))
    return -1;

  return count;
}

/* Room log */

/**
 * sotto_store_append_event:
 * @seq: the event's sequence number in the room; raises the room's last_seq
 * @ts: when the server accepted it, in ms since the epoch
 * @kind: the caller's event type, stored as given
 * @sender: (nullable): the username the event is from
 * @msg_id: (nullable): the client's id for the message, to recognise a resend
 * @body: the serialized event as clients receive it
 *
 * A (room, sender, msg_id) that is already in the log, or a taken
 * sequence number, fails with %SOTTO_STORE_ERROR_CONSTRAINT.
 */
gboolean
sotto_store_append_event (SottoStore  *self,
                          gint64       room_id,
                          gint64       seq,
                          gint64       ts,
                          int          kind,
                          const char  *sender,
                          const char  *msg_id,
                          GBytes      *body,
                          GError     **error)
{
  g_auto(BorrowedStatement) stmt = NULL;
  gconstpointer data;
  gsize size;

  g_return_val_if_fail (SOTTO_IS_STORE (self), FALSE);
  g_return_val_if_fail (body != NULL, FALSE);

  stmt = store_write_statement (self, STMT_APPEND_EVENT, error);
  if (stmt == NULL)
    return FALSE;

  data = g_bytes_get_data (body, &size);
  sqlite3_bind_int64 (stmt, 1, room_id);
  sqlite3_bind_int64 (stmt, 2, seq);
  sqlite3_bind_int64 (stmt, 3, ts);
  sqlite3_bind_int (stmt, 4, kind);
  if (sender != NULL)
    sqlite3_bind_text (stmt, 5, sender, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, 5);
  if (msg_id != NULL)
    sqlite3_bind_text (stmt, 6, msg_id, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, 6);
  /* An empty GBytes may have no data pointer; "" keeps the column a blob. */
  sqlite3_bind_blob64 (stmt, 7, size > 0 ? data : "", size, SQLITE_STATIC);

  return store_step_done (self, stmt, _("Could not store the event"), error);
}

/**
 * sotto_store_find_message:
 * @seq: (out) (optional): the stored message's sequence number
 * @ts: (out) (optional): its timestamp
 *
 * Looks up a message by the id its sender gave it, to answer a resend
 * with the original sequence number instead of storing it twice.
 *
 * Returns: %TRUE if found; %FALSE with @error unset if absent
 */
gboolean
sotto_store_find_message (SottoStore  *self,
                          gint64       room_id,
                          const char  *sender,
                          const char  *msg_id,
                          gint64      *seq,
                          gint64      *ts,
                          GError     **error)
{
  g_auto(BorrowedStatement) stmt = NULL;
  int rc;

  g_return_val_if_fail (SOTTO_IS_STORE (self), FALSE);
  g_return_val_if_fail (sender != NULL, FALSE);
  g_return_val_if_fail (msg_id != NULL, FALSE);

  stmt = store_statement (self, STMT_FIND_MESSAGE, error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, room_id);
  sqlite3_bind_text (stmt, 2, sender, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, msg_id, -1, SQLITE_STATIC);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return FALSE;

  if (rc != SQLITE_ROW)
    {
      store_set_error (self, error, rc, _("Could not look up the message"));
      return FALSE;
    }

  if (seq != NULL)
    *seq = sqlite3_column_int64 (stmt, 0);
  if (ts != NULL)
    *ts = sqlite3_column_int64 (stmt, 1);

  return TRUE;
}

/**
 * sotto_store_read_log:
 * @after_seq: return only events with a greater sequence number
 * @up_to_seq: and none past this one, e.g. the last committed; %G_MAXINT64
 *   for no bound
 * @limit: the most events to return, 0 for all
 * @last_seq: (out) (optional): the sequence number of the last event
 *   returned, or @after_seq if there is none; where to continue from
 *
 * Reads a page of the room's history. Events written but not yet
 * committed are visible here, and may still be rolled back: bound the
 * read with @up_to_seq to serve only what is durable.
 *
 * Returns: (transfer full) (element-type GBytes): the bodies of the
 *   room's stored events with @after_seq < seq <= @up_to_seq in sequence
 *   order, or %NULL
 */
GPtrArray *
sotto_store_read_log (SottoStore  *self,
                      gint64       room_id,
                      gint64       after_seq,
                      gint64       up_to_seq,
                      guint        limit,
                      gint64      *last_seq,
                      GError     **error)
{
  g_autoptr(GPtrArray) bodies = NULL;
  g_auto(BorrowedStatement) stmt = NULL;
  gint64 last = after_seq;
  int rc;

  g_return_val_if_fail (SOTTO_IS_STORE (self), NULL);

  stmt = store_statement (self, STMT_READ_LOG, error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, room_id);
  sqlite3_bind_int64 (stmt, 2, after_seq);
  sqlite3_bind_int64 (stmt, 3, up_to_seq);
  sqlite3_bind_int64 (stmt, 4, limit_or_none (limit));

  bodies = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const void *data = sqlite3_column_blob (stmt, 1);

      last = sqlite3_column_int64 (stmt, 0);
      g_ptr_array_add (bodies, g_bytes_new (data, sqlite3_column_bytes (stmt, 1)));
    }

  if (rc != SQLITE_DONE)
    {
      store_set_error (self, error, rc, _("Could not read the room history"));
      return NULL;
    }

  if (last_seq != NULL)
    *last_seq = last;

  return g_steal_pointer (&bodies);
}

/**
 * sotto_store_get_last_seq:
 *
 * Reads the room's last sequence number as the store holds it, e.g. to
 * resynchronize a counter after a batch was rolled back.
 *
 * Returns: the last sequence number, or -1; an unknown room is
 *   %SOTTO_STORE_ERROR_NOT_FOUND
 */
gint64
sotto_store_get_last_seq (SottoStore  *self,
                          gint64       room_id,
                          GError     **error)
{
  g_auto(BorrowedStatement) stmt = NULL;
  gint64 last_seq;

  g_return_val_if_fail (SOTTO_IS_STORE (self), -1);

  stmt = store_statement (self, STMT_LAST_SEQ, error);
  if (stmt == NULL)
    return -1;

  sqlite3_bind_int64 (stmt, 1, room_id);

  if (!store_step_int64 (self, stmt, &last_seq, _("Could not read the room’s last sequence number"),
                         error))
    return -1;

  return last_seq;
}

static gboolean
store_trim_rooms (SottoStore  *self,
                  gint64       max_per_room,
                  gint64      *deleted,
                  GError     **error)
{
  g_autoptr(GArray) room_ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  {
    g_auto(BorrowedStatement) stmt = store_statement (self, STMT_ROOM_IDS, error);
    int rc;

    if (stmt == NULL)
      return FALSE;

    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
      {
        gint64 id = sqlite3_column_int64 (stmt, 0);

        g_array_append_val (room_ids, id);
      }

    if (rc != SQLITE_DONE)
      {
        store_set_error (self, error, rc, _("Could not apply the retention limits"));
        return FALSE;
      }
  }

  for (guint i = 0; i < room_ids->len; i++)
    {
      g_auto(BorrowedStatement) stmt = store_write_statement (self, STMT_TRIM_ROOM, error);

      if (stmt == NULL)
        return FALSE;

      sqlite3_bind_int64 (stmt, 1, g_array_index (room_ids, gint64, i));
      sqlite3_bind_int64 (stmt, 2, max_per_room);

      if (!store_step_done (self, stmt, _("Could not apply the retention limits"), error))
        return FALSE;

      *deleted += sqlite3_changes64 (self->db);
    }

  return TRUE;
}

/**
 * sotto_store_enforce_retention:
 * @max_age_ms: delete events older than this, 0 to keep them however old
 * @now_ms: the current time, in ms since the epoch
 * @max_per_room: keep at most this many of the newest events of each
 *   room, 0 for no limit
 *
 * Deletes old events from the room log. The rooms' last sequence numbers
 * do not change, so new events never reuse a deleted one's number.
 *
 * Returns: how many events were deleted, or -1
 */
gint64
sotto_store_enforce_retention (SottoStore  *self,
                               gint64       max_age_ms,
                               gint64       now_ms,
                               gint64       max_per_room,
                               GError     **error)
{
  gint64 deleted = 0;

  g_return_val_if_fail (SOTTO_IS_STORE (self), -1);
  g_return_val_if_fail (max_age_ms >= 0, -1);
  g_return_val_if_fail (max_per_room >= 0, -1);

  if (max_age_ms > 0)
    {
      g_auto(BorrowedStatement) stmt = store_write_statement (self, STMT_DELETE_OLDER, error);

      if (stmt == NULL)
        return -1;

      sqlite3_bind_int64 (stmt, 1, now_ms - max_age_ms);

      if (!store_step_done (self, stmt, _("Could not apply the retention limits"), error))
        return -1;

      deleted += sqlite3_changes64 (self->db);
    }

  if (max_per_room > 0 && !store_trim_rooms (self, max_per_room, &deleted, error))
    return -1;

  return deleted;
}

/* Key queue */

void
sotto_store_key_free (SottoStoreKey *key)
{
  if (key == NULL)
    return;

  g_free (key->sender);
  g_free (key->room);
  g_clear_pointer (&key->box, g_bytes_unref);
  g_free (key);
}

/**
 * sotto_store_queue_key:
 * @recipient_id: the account it is for
 * @sender: the username it is from
 * @room: the room it is about
 * @key_id: the sender key id, or -1 for none
 * @box: (nullable): the crypto_box; required for %SOTTO_STORE_KEY_BOX
 *
 * Returns: the row's kid, or -1
 */
gint64
sotto_store_queue_key (SottoStore         *self,
                       gint64              recipient_id,
                       gint64              ts,
                       const char         *sender,
                       const char         *room,
                       SottoStoreKeyKind   kind,
                       gint64              key_id,
                       GBytes             *box,
                       GError            **error)
{
  g_auto(BorrowedStatement) stmt = NULL;

  g_return_val_if_fail (SOTTO_IS_STORE (self), -1);
  g_return_val_if_fail (sender != NULL, -1);
  g_return_val_if_fail (room != NULL, -1);
  g_return_val_if_fail (kind == SOTTO_STORE_KEY_BOX || kind == SOTTO_STORE_KEY_REQUEST, -1);

  stmt = store_write_statement (self, STMT_QUEUE_KEY, error);
  if (stmt == NULL)
    return -1;

  sqlite3_bind_int64 (stmt, 1, recipient_id);
  sqlite3_bind_int64 (stmt, 2, ts);
  sqlite3_bind_text (stmt, 3, sender, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, room, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 5, kind);
  if (key_id >= 0)
    sqlite3_bind_int64 (stmt, 6, key_id);
  else
    sqlite3_bind_null (stmt, 6);
  if (box != NULL)
    {
      gsize size;
      gconstpointer data = g_bytes_get_data (box, &size);

      sqlite3_bind_blob64 (stmt, 7, size > 0 ? data : "", size, SQLITE_STATIC);
    }
  else
    {
      sqlite3_bind_null (stmt, 7);
    }

  if (!store_step_done (self, stmt, _("Could not queue the key"), error))
    return -1;

  return sqlite3_last_insert_rowid (self->db);
}

/**
 * sotto_store_pending_keys:
 * @limit: the most rows to return, 0 for all
 *
 * Returns: (transfer full) (element-type SottoStoreKey): the recipient's
 *   unacknowledged rows, oldest first, or %NULL
 */
GPtrArray *
sotto_store_pending_keys (SottoStore  *self,
                          gint64       recipient_id,
                          guint        limit,
                          GError     **error)
{
  g_autoptr(GPtrArray) keys = NULL;
  g_auto(BorrowedStatement) stmt = NULL;
  int rc;

  g_return_val_if_fail (SOTTO_IS_STORE (self), NULL);

  stmt = store_statement (self, STMT_PENDING_KEYS, error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, recipient_id);
  sqlite3_bind_int64 (stmt, 2, limit_or_none (limit));

  keys = g_ptr_array_new_with_free_func ((GDestroyNotify) sotto_store_key_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      SottoStoreKey *key = g_new0 (SottoStoreKey, 1);

      key->kid = sqlite3_column_int64 (stmt, 0);
      key->ts = sqlite3_column_int64 (stmt, 1);
      key->sender = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      key->room = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
      key->kind = sqlite3_column_int (stmt, 4);
      key->key_id = sqlite3_column_type (stmt, 5) == SQLITE_NULL
                    ? -1 : sqlite3_column_int64 (stmt, 5);
      key->box = column_bytes (stmt, 6);
      g_ptr_array_add (keys, key);
    }

  if (rc != SQLITE_DONE)
    {
      store_set_error (self, error, rc, _("Could not load the pending keys"));
      return NULL;
    }

  return g_steal_pointer (&keys);
}

/**
 * sotto_store_ack_keys:
 * @kids: (array length=n_kids): the rows the recipient has received
 *
 * Deletes the recipient's rows among @kids; kids of other recipients and
 * unknown ones are ignored.
 *
 * Returns: how many rows were deleted; 0 with @error set on failure
 */
guint
sotto_store_ack_keys (SottoStore    *self,
                      gint64         recipient_id,
                      const gint64  *kids,
                      guint          n_kids,
                      GError       **error)
{
  g_auto(BorrowedStatement) stmt = NULL;
  guint deleted = 0;

  g_return_val_if_fail (SOTTO_IS_STORE (self), 0);
  g_return_val_if_fail (kids != NULL || n_kids == 0, 0);

  if (n_kids == 0)
    return 0;

  stmt = store_write_statement (self, STMT_ACK_KEY, error);
  if (stmt == NULL)
    return 0;

  for (guint i = 0; i < n_kids; i++)
    {
      sqlite3_bind_int64 (stmt, 1, kids[i]);
      sqlite3_bind_int64 (stmt, 2, recipient_id);

      if (!store_step_done (self, stmt, _("Could not acknowledge the keys"), error))
        return 0;

      deleted += sqlite3_changes (self->db);
      sqlite3_reset (stmt);
    }

  return deleted;
}
