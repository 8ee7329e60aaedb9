/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-store-private.h"

/*
 * Checkpoints off the main loop. SQLite's own checkpoints run inside a
 * COMMIT once the WAL passes its threshold, writing the database file and
 * syncing it (fdatasync, milliseconds on a disk) while the main loop
 * waits. The store's connection has them turned off
 * (wal_autocheckpoint = 0), counts the WAL's pages after each commit
 * (sqlite3_wal_hook), and past the threshold wakes a thread that has a
 * connection of its own to the same file and runs a PASSIVE checkpoint:
 * it copies what it can without taking any lock the main loop needs,
 * so writes go on meanwhile; the WAL starts over at the first write after
 * a checkpoint that got through all of it. That first write syncs the
 * WAL's new header (synchronous = NORMAL does, so that a power loss
 * cannot mix two generations of the WAL): one fdatasync in the main loop
 * per round of the WAL, where there were three, the database file's
 * among them.
 */

/* The WAL's pages past which a checkpoint is due: SQLite's default. */
#define CHECKPOINT_PAGES 1000
/* Under steady writes the thread's checkpoints may never catch up with
 * the end of the WAL, which then never starts over: past this many pages
 * the main loop checkpoints once itself, as SQLite would have. */
#define CHECKPOINT_PAGES_MAX (8 * CHECKPOINT_PAGES)

struct _SottoStoreCheckpointer
{
  char     *path;
  GThread  *thread;
  GMutex    lock;
  GCond     wake;
  gboolean  due;
  gboolean  quit;
  /* The WAL's size when the thread was last woken (main loop only) */
  int       woken_at;
};

static void
checkpoint_once (sqlite3 *db)
{
  int rc = sqlite3_wal_checkpoint_v2 (db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);

  /* BUSY: another checkpoint runs (one at close); the next will do. */
  if (rc != SQLITE_OK && rc != SQLITE_BUSY)
    g_warning ("Could not checkpoint the store: %s", sqlite3_errmsg (db));
}

static gpointer
checkpoint_thread (gpointer user_data)
{
  SottoStoreCheckpointer *self = user_data;
  sqlite3 *db = NULL;

  for (;;)
    {
      g_mutex_lock (&self->lock);
      while (!self->due && !self->quit)
        g_cond_wait (&self->wake, &self->lock);
      if (self->quit)
        {
          g_mutex_unlock (&self->lock);
          break;
        }
      self->due = FALSE;
      g_mutex_unlock (&self->lock);

      /* Opened on first need: the file exists and is in WAL mode by then. */
      if (db == NULL)
        {
          if (sqlite3_open_v2 (self->path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                               NULL) != SQLITE_OK)
            {
              g_warning ("Could not open the store to checkpoint it: %s",
                         db != NULL ? sqlite3_errmsg (db) : "out of memory");
              g_clear_pointer (&db, sqlite3_close);
              continue;
            }
          sqlite3_busy_timeout (db, 1000);
          /* A connection sees the WAL once it has read the file: until
           * then a checkpoint finds nothing to do. */
          sqlite3_exec (db, "SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL);
          /* Its own closing must not checkpoint: the store's does. */
          sqlite3_exec (db, "PRAGMA wal_autocheckpoint = 0", NULL, NULL, NULL);
          sqlite3_db_config (db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
        }
          checkpoint_once (db);
    }

  g_clear_pointer (&db, sqlite3_close);
  return NULL;
}

/* After each commit of the store's connection, in the main loop, with
 * the WAL's size in pages. The thread is woken when the WAL passes the
 * threshold, and again each time it has grown by a quarter of it while
 * the thread's checkpoints have not let it start over. */
static int
wal_hook (gpointer    user_data,
          sqlite3    *db,
          const char *name,
          int         pages)
{
  SottoStoreCheckpointer *self = user_data;

  if (pages < self->woken_at)
    self->woken_at = 0;
  if (pages >= CHECKPOINT_PAGES_MAX)
    {
      sqlite3_wal_checkpoint_v2 (db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
      self->woken_at = 0;
      return SQLITE_OK;
    }
  if (pages >= CHECKPOINT_PAGES &&
      (self->woken_at == 0 || pages >= self->woken_at + CHECKPOINT_PAGES / 4))
    {
      self->woken_at = pages;
      g_mutex_lock (&self->lock);
      self->due = TRUE;
      g_cond_signal (&self->wake);
      g_mutex_unlock (&self->lock);
    }
  return SQLITE_OK;
}

/**
 * _sotto_store_checkpointer_new:
 * @db: the store's connection, to the file at @path
 *
 * Turns @db's own checkpoints off and starts the thread that does them.
 */
SottoStoreCheckpointer *
_sotto_store_checkpointer_new (SottoDb     *db,
                               const char  *path,
                               GError     **error)
{
  SottoStoreCheckpointer *self;

  if (!sotto_db_exec (db, "PRAGMA wal_autocheckpoint = 0", _("Could not configure the database"),
                      error))
    return NULL;

  self = g_new0 (SottoStoreCheckpointer, 1);
  self->path = g_strdup (path);
  g_mutex_init (&self->lock);
  g_cond_init (&self->wake);
  self->thread = g_thread_new ("sotto-ckpt", checkpoint_thread, self);
  sqlite3_wal_hook (sotto_db_get_handle (db), wal_hook, self);
  return self;
}

/**
 * _sotto_store_checkpointer_free:
 * @db: the store's connection, still open
 *
 * Stops the thread and gives @db its hook back; the store's connection,
 * closing, checkpoints what is left.
 */
void
_sotto_store_checkpointer_free (SottoStoreCheckpointer *self,
                                SottoDb                *db)
{
  if (self == NULL)
    return;
  if (db != NULL)
    sqlite3_wal_hook (sotto_db_get_handle (db), NULL, NULL);
  g_mutex_lock (&self->lock);
  self->quit = TRUE;
  g_cond_signal (&self->wake);
  g_mutex_unlock (&self->lock);
  g_thread_join (self->thread);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->wake);
  g_free (self->path);
  g_free (self);
}
