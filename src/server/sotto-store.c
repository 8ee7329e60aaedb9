/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "sotto-store-private.h"

/*
 * The server's SQLite store: accounts, rooms, memberships, the per-room log
 * of events and the per-recipient key queue. Every event body is the JSON
 * the server already sent to clients, which carries only ciphertext
 * envelopes and metadata; nothing here ever sees message plaintext.
 *
 * Used from the main thread only. Writes join one transaction per
 * main-loop iteration: the first write opens it, an idle commits it and
 * then tells everyone who asked through sotto_store_commit_soon().
 *
 * Checkpoints run on a thread of their own (sotto-store-checkpoint.c).
 *
 * This file holds the object, opening and the batching of writes; the
 * queries are in sotto-store-accounts.c, -rooms.c, -log.c, -keys.c,
 * -bans.c, -state.c, -prekeys.c, -devices.c, -history.c and -blobs.c, the schema in
 * sotto-store-schema.c.
 */

typedef struct
{
  SottoStoreCommittedFunc func;
  gpointer                user_data;
  GDestroyNotify          destroy;
} CommitWaiter;

struct _SottoStore
{
  GObject        parent_instance;

  SottoDb       *db;

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
  /* Runs the WAL's checkpoints, so that no commit waits for one */
  SottoStoreCheckpointer *checkpointer;
};

G_DEFINE_FINAL_TYPE (SottoStore, sotto_store, G_TYPE_OBJECT)

/* The store's errors are those of the SQLite layer, code for code. */
G_STATIC_ASSERT ((int) SOTTO_STORE_ERROR_FAILED == (int) SOTTO_DB_ERROR_FAILED);
G_STATIC_ASSERT ((int) SOTTO_STORE_ERROR_OPEN == (int) SOTTO_DB_ERROR_OPEN);
G_STATIC_ASSERT ((int) SOTTO_STORE_ERROR_CORRUPT == (int) SOTTO_DB_ERROR_CORRUPT);
G_STATIC_ASSERT ((int) SOTTO_STORE_ERROR_TOO_NEW == (int) SOTTO_DB_ERROR_TOO_NEW);
G_STATIC_ASSERT ((int) SOTTO_STORE_ERROR_IO == (int) SOTTO_DB_ERROR_IO);
G_STATIC_ASSERT ((int) SOTTO_STORE_ERROR_FULL == (int) SOTTO_DB_ERROR_FULL);
G_STATIC_ASSERT ((int) SOTTO_STORE_ERROR_READ_ONLY == (int) SOTTO_DB_ERROR_READ_ONLY);
G_STATIC_ASSERT ((int) SOTTO_STORE_ERROR_BUSY == (int) SOTTO_DB_ERROR_BUSY);
G_STATIC_ASSERT ((int) SOTTO_STORE_ERROR_CONSTRAINT == (int) SOTTO_DB_ERROR_CONSTRAINT);
G_STATIC_ASSERT ((int) SOTTO_STORE_ERROR_NOT_FOUND == (int) SOTTO_DB_ERROR_NOT_FOUND);

GQuark
sotto_store_error_quark (void)
{
  return SOTTO_DB_ERROR;
}

gint64
_sotto_store_now_ms (void)
{
  return g_get_real_time () / 1000;
}

static gboolean
store_require_open (SottoStore  *self,
                    GError     **error)
{
  if (G_UNLIKELY (self->db == NULL))
    {
      g_set_error_literal (error, SOTTO_STORE_ERROR, SOTTO_STORE_ERROR_FAILED,
                           _("The store is closed"));
      return FALSE;
    }

  return TRUE;
}

/* Some errors make SQLite roll back the whole transaction, not just the
 * statement: the batch is lost, and its waiters must hear it. */
static void
store_db_error_cb (SottoDb      *db,
                   SottoDbError  code,
                   const char   *detail,
                   gpointer      user_data)
{
  SottoStore *self = user_data;

  if (self->in_batch && self->batch_error == NULL && !sotto_db_in_transaction (db))
    self->batch_error = g_error_new (SOTTO_STORE_ERROR, code,
                                     _("The pending changes were rolled back: %s"), detail);
}

/* The connection, for the queries of the other files; %NULL once closed.
 * Every query borrows its statement first, which fails on a closed store. */
SottoDb *
_sotto_store_get_db (SottoStore *self)
{
  return self->db;
}

/* Prepares on first use; afterwards the same statement is reused. */
sqlite3_stmt *
_sotto_store_statement (SottoStore             *self,
                        SottoStoreStatementId   id,
                        GError                **error)
{
  if (!store_require_open (self, error))
    return NULL;

  return sotto_db_statement (self->db, id, error);
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
  if (!store_require_open (self, error))
    return FALSE;

  if (!sotto_db_in_transaction (self->db))
    {
      /* IMMEDIATE takes the write lock now, so a second process makes this
       * write fail, not the commit of everything batched after it. */
      if (!sotto_db_begin (self->db, error))
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

sqlite3_stmt *
_sotto_store_write_statement (SottoStore             *self,
                              SottoStoreStatementId   id,
                              GError                **error)
{
  if (!store_begin_write (self, error))
    return NULL;

  return sotto_db_statement (self->db, id, error);
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
      else if (!sotto_db_in_transaction (self->db))
        local_error = g_error_new_literal (SOTTO_STORE_ERROR, SOTTO_STORE_ERROR_FAILED,
                                           _("The pending changes were rolled back"));
      else
        sotto_db_commit (self->db, &local_error);

      /* A COMMIT that fails, for example on a busy lock, leaves the
       * transaction open: end it, so the next write starts afresh. */
      if (local_error != NULL)
        sotto_db_rollback (self->db);
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
        sotto_db_rollback (self->db);
      self->in_batch = FALSE;
      g_clear_error (&self->batch_error);

      /* The last connection to close checkpoints the WAL into the file:
       * the thread's goes first. */
      _sotto_store_checkpointer_free (self->checkpointer, self->db);
      self->checkpointer = NULL;
      g_clear_pointer (&self->db, sotto_db_close);

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


/* The room every store has, made on first open. */
static gboolean
store_ensure_general (SottoStore  *self,
                      GError     **error)
{
  g_auto(SottoDbStatement) stmt = _sotto_store_statement (self, STMT_ENSURE_ROOM, error);

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, SOTTO_STORE_GENERAL_ROOM, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, _sotto_store_now_ms ());

  return sotto_db_step_done (self->db, stmt, _("Could not create the general room"), error);
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

  self->db = sotto_db_open (path, SOTTO_DB_OPEN_CREATE, &_sotto_store_schema, error);
  if (self->db != NULL)
    sotto_db_set_error_func (self->db, store_db_error_cb, self);

  if (self->db == NULL || !store_ensure_general (self, error) ||
      (self->checkpointer = _sotto_store_checkpointer_new (self->db, path, error)) == NULL)
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

  sotto_db_set_busy_timeout (self->db, milliseconds);
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

/* The records of sotto-store.h */

void
sotto_store_account_clear (SottoStoreAccount *account)
{
  g_clear_pointer (&account->username, g_free);
  g_clear_pointer (&account->password_hash, g_free);
  memset (account, 0, sizeof *account);
}

void
sotto_store_room_free (SottoStoreRoom *room)
{
  if (room == NULL)
    return;

  g_free (room->name);
  g_free (room->owner);
  g_free (room);
}

void
sotto_store_ban_free (SottoStoreBan *ban)
{
  if (ban == NULL)
    return;

  g_free (ban->user);
  g_free (ban->banned_by);
  g_free (ban);
}

void
sotto_store_key_free (SottoStoreKey *key)
{
  if (key == NULL)
    return;

  g_free (key->sender);
  g_free (key->room);
  g_clear_pointer (&key->box, g_bytes_unref);
  g_clear_pointer (&key->sender_device, g_bytes_unref);
  g_free (key);
}
