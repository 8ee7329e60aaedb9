/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib-unix.h>
#include <string.h>

#include "sotto-pg.h"

/*
 * One connection to PostgreSQL, driven from the GLib main loop: connected
 * with PQconnectStartParams() and PQconnectPoll() under fd watches (never
 * a blocking call), then in non-blocking pipeline mode. Statements sent
 * in one turn of the main loop go out together, followed by a Sync at
 * the end of the turn, and are one transaction (the implicit one the
 * extended protocol makes up to a Sync); their results come back in
 * order, each to the callback sent with it, once the turn is over. A connection that fails or ends is made again
 * after a pause that doubles up to a few seconds, with a log line each
 * way; while it is down every statement fails at once with
 * %SOTTO_PG_ERROR_UNAVAILABLE, so that callers can tell their clients to
 * come back (the server answers "overloaded").
 *
 * Statements named with sotto_pg_add_statement() are prepared on a
 * connection the first time they are sent on it, in the same turn.
 */

#define RETRY_FIRST_MS 100
#define RETRY_MAX_MS 5000

G_DEFINE_QUARK (sotto-pg-error-quark, sotto_pg_error)

typedef enum
{
  STATE_STOPPED,
  STATE_WAITING,     /* to connect again, after a failure */
  STATE_CONNECTING,
  STATE_READY,
} State;

/* What the connection waits for an answer to, in the order sent. */
typedef enum
{
  ENTRY_QUERY,
  ENTRY_PREPARE,
  ENTRY_SYNC,
} EntryKind;

typedef struct
{
  EntryKind    kind;
  SottoPgDone  done;
  gpointer     user_data;
  PGresult    *result;
  /* For a Prepare: the statement's name */
  char        *name;
} Entry;

struct _SottoPg
{
  GObject     parent_instance;

  char       *conninfo;
  char       *name;
  /* name → SQL of the statements to prepare on each connection */
  GHashTable *statements;
  /* The names prepared on this connection, or being prepared */
  GHashTable *prepared;

  State       state;
  PGconn     *conn;
  GSource    *watch;
  gpointer    watch_tag;
  int         watch_fd;
  guint       retry_id;
  guint       retry_ms;
  guint       sync_id;
  gboolean    logged_down;

  /* Sent, waiting for their answers, oldest first */
  GQueue      entries;
  /* Answered, waiting for the end of their turn to be told */
  GQueue      turn;
  /* Failed at once, to be told from the main loop */
  GQueue      refused;
  guint       refused_id;
};

G_DEFINE_FINAL_TYPE (SottoPg, sotto_pg, G_TYPE_OBJECT)

static void connect_start (SottoPg      *self);
static void update_watch  (SottoPg      *self,
                           GIOCondition  condition);

static void
entry_free (Entry *entry)
{
  g_clear_pointer (&entry->result, PQclear);
  g_free (entry->name);
  g_free (entry);
}

/**
 * sotto_pg_check_conninfo:
 * @conninfo: a libpq connection string or URI
 *
 * Whether sotto_pg_new() takes @conninfo: libpq reads it, and each host
 * in it is a Unix socket folder or an IP address, since turning a host
 * name into addresses blocks.
 */
gboolean
sotto_pg_check_conninfo (const char  *conninfo,
                         GError     **error)
{
  char *parse_error = NULL;
  PQconninfoOption *options = PQconninfoParse (conninfo, &parse_error);
  gboolean ok = TRUE;

  if (options == NULL)
    {
      g_set_error (error, SOTTO_PG_ERROR, SOTTO_PG_ERROR_CONFIG,
                   "Cannot read the PostgreSQL connection string: %s",
                   parse_error != NULL ? g_strchomp (parse_error) : "out of memory");
      PQfreemem (parse_error);
      return FALSE;
    }
  for (PQconninfoOption *option = options; ok && option->keyword != NULL; option++)
    {
      g_auto(GStrv) hosts = NULL;

      if (g_strcmp0 (option->keyword, "host") != 0 || option->val == NULL)
        continue;
      hosts = g_strsplit (option->val, ",", -1);
      for (guint i = 0; ok && hosts[i] != NULL; i++)
        {
          const char *host = hosts[i];

          if (*host == '\0' || *host == '/' || *host == '@' || g_hostname_is_ip_address (host))
            continue;
          /* hostaddr gives the addresses when host is only a name for TLS. */
          for (PQconninfoOption *other = options; other->keyword != NULL; other++)
            if (g_strcmp0 (other->keyword, "hostaddr") == 0 && other->val != NULL &&
                *other->val != '\0')
              goto next;
          g_set_error (error, SOTTO_PG_ERROR, SOTTO_PG_ERROR_CONFIG,
                       "PostgreSQL host “%s” is a name; give a Unix socket folder or an IP "
                       "address (or hostaddr), as resolving a name would stop the server",
                       host);
          ok = FALSE;
        next:
          ;
        }
    }
  PQconninfoFree (options);
  return ok;
}

static void
finish_entry (SottoPg      *self,
              Entry        *entry,
              const GError *error)
{
  if (entry->done != NULL)
    entry->done (self, error == NULL ? entry->result : NULL, error, entry->user_data);
  entry_free (entry);
}

/* Everything waiting fails with @error; the queue is empty after. */
static void
fail_entries (SottoPg      *self,
              const GError *error)
{
  Entry *entry;

  while ((entry = g_queue_pop_head (&self->turn)) != NULL ||
         (entry = g_queue_pop_head (&self->entries)) != NULL)
    finish_entry (self, entry, error);
}

/* libpq's messages, which run over lines, as one line for the log. */
static char *
one_line (const char *text)
{
  g_auto(GStrv) words = g_strsplit_set (text, " \t\r\n", -1);
  g_autoptr(GStrvBuilder) kept = g_strv_builder_new ();
  g_auto(GStrv) joined = NULL;

  for (guint i = 0; words[i] != NULL; i++)
    if (*words[i] != '\0')
      g_strv_builder_add (kept, words[i]);
  joined = g_strv_builder_end (kept);
  return g_strjoinv (" ", joined);
}

static void
drop_connection (SottoPg *self)
{
  if (self->watch != NULL)
    {
      g_source_destroy (self->watch);
      g_clear_pointer (&self->watch, g_source_unref);
    }
  self->watch_fd = -1;
  g_clear_handle_id (&self->sync_id, g_source_remove);
  g_clear_pointer (&self->conn, PQfinish);
  g_hash_table_remove_all (self->prepared);
}

static gboolean
retry_cb (gpointer user_data)
{
  SottoPg *self = user_data;

  self->retry_id = 0;
  connect_start (self);
  return G_SOURCE_REMOVE;
}

/* The connection failed or ended: whatever waited fails, and a new one
 * is tried after a pause. */
static void
connection_down (SottoPg    *self,
                 const char *why)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *reason = one_line (why != NULL && *why != '\0' ? why : "connection closed");
  gboolean was_ready = self->state == STATE_READY;

  if (was_ready || !self->logged_down)
    g_warning ("PostgreSQL (%s): %s %s; trying again in %u ms", self->name,
               was_ready ? "connection lost:" : "cannot connect:", reason, self->retry_ms);
  self->logged_down = TRUE;
  drop_connection (self);
  error = g_error_new (SOTTO_PG_ERROR, SOTTO_PG_ERROR_LOST,
                       "The connection to PostgreSQL ended: %s", reason);
  self->state = STATE_WAITING;
  fail_entries (self, error);
  if (was_ready)
    g_object_notify (G_OBJECT (self), "ready");
  if (self->state == STATE_WAITING)
    {
      self->retry_id = g_timeout_add (self->retry_ms, retry_cb, self);
      self->retry_ms = MIN (self->retry_ms * 2, RETRY_MAX_MS);
    }
}

/* Sends what libpq holds; watches for the socket to take more if it
 * could not take everything. */
static gboolean
flush (SottoPg *self)
{
  int rc = PQflush (self->conn);

  if (rc < 0)
    {
      connection_down (self, PQerrorMessage (self->conn));
      return FALSE;
    }
  update_watch (self, G_IO_IN | (rc > 0 ? G_IO_OUT : 0));
  return TRUE;
}

static gboolean
result_ok (const PGresult *result)
{
  ExecStatusType status = result != NULL ? PQresultStatus (result) : PGRES_FATAL_ERROR;

  return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
}

/* A turn's statements are one transaction (the implicit one of the
 * extended protocol, up to its Sync): their results are told once the
 * turn is over, and when one failed none of them counts. */
static void
end_turn (SottoPg *self)
{
  g_autofree char *first_error = NULL;
  Entry *entry;

  for (GList *l = self->turn.head; l != NULL && first_error == NULL; l = l->next)
    {
      Entry *done = l->data;

      if (!result_ok (done->result))
        first_error = one_line (done->result != NULL ? PQresultErrorMessage (done->result)
                                                     : "no result");
    }

  while (self->conn != NULL && (entry = g_queue_pop_head (&self->turn)) != NULL)
    {
      g_autoptr(GError) error = NULL;

      if (entry->kind == ENTRY_PREPARE)
        {
          /* Prepared again at its next use. */
          if (!result_ok (entry->result))
            g_hash_table_remove (self->prepared, entry->name);
          entry_free (entry);
          continue;
        }
      if (first_error == NULL)
        {
          finish_entry (self, entry, NULL);
          continue;
        }
      if (entry->result == NULL || PQresultStatus (entry->result) == PGRES_PIPELINE_ABORTED ||
          result_ok (entry->result))
        error = g_error_new (SOTTO_PG_ERROR, SOTTO_PG_ERROR_ABORTED,
                             "Not carried out: another statement sent with it failed (%s)",
                             first_error);
      else
        {
          g_autofree char *text = one_line (PQresultErrorMessage (entry->result));

          error = g_error_new (SOTTO_PG_ERROR, SOTTO_PG_ERROR_QUERY, "PostgreSQL: %s", text);
        }
      finish_entry (self, entry, error);
    }
}

/* Takes the answers that are in, in order. */
static gboolean
read_results (SottoPg *self)
{
  Entry *entry;

  if (!PQconsumeInput (self->conn))
    {
      connection_down (self, PQerrorMessage (self->conn));
      return FALSE;
    }
  while ((entry = g_queue_peek_head (&self->entries)) != NULL && !PQisBusy (self->conn))
    {
      PGresult *result = PQgetResult (self->conn);

      if (entry->kind == ENTRY_SYNC)
        {
          /* The end of a turn: one result, no NULL after it. */
          if (result == NULL)
            break;
          PQclear (result);
          entry_free (g_queue_pop_head (&self->entries));
          end_turn (self);
          if (self->conn == NULL)
            return FALSE;
          continue;
        }
      if (result != NULL)
        {
          /* A statement's result, then NULL when it is done; the first
           * is kept (an error comes as the only one). */
          if (entry->result == NULL)
            entry->result = result;
          else
            PQclear (result);
          continue;
        }

      g_queue_pop_head (&self->entries);
      g_queue_push_tail (&self->turn, entry);
    }
  return TRUE;
}

static gboolean
sync_cb (gpointer user_data)
{
  SottoPg *self = user_data;
  Entry *entry;

  self->sync_id = 0;
  if (self->state != STATE_READY)
    return G_SOURCE_REMOVE;
  if (!PQpipelineSync (self->conn))
    {
      connection_down (self, PQerrorMessage (self->conn));
      return G_SOURCE_REMOVE;
    }
  entry = g_new0 (Entry, 1);
  entry->kind = ENTRY_SYNC;
  g_queue_push_tail (&self->entries, entry);
  flush (self);
  return G_SOURCE_REMOVE;
}

/* The statements of this turn go out at its end, with one Sync. */
static void
queue_sync (SottoPg *self)
{
  if (self->sync_id == 0)
    self->sync_id = g_idle_add_full (G_PRIORITY_HIGH_IDLE, sync_cb, self, NULL);
}

static void
ready_io (SottoPg      *self,
          GIOCondition  condition)
{
  if ((condition & (G_IO_IN | G_IO_HUP | G_IO_ERR)) != 0 && !read_results (self))
    return;
  if (self->conn != NULL && (condition & G_IO_OUT) != 0)
    flush (self);
}

/* The connection is made: pipeline mode, the statements prepared, and
 * whatever callers send from now on. */
static void
connected (SottoPg *self)
{
  if (PQsetnonblocking (self->conn, 1) != 0 || !PQenterPipelineMode (self->conn))
    {
      connection_down (self, PQerrorMessage (self->conn));
      return;
    }
  self->state = STATE_READY;
  self->retry_ms = RETRY_FIRST_MS;
  if (self->logged_down)
    g_message ("PostgreSQL (%s): connected again", self->name);
  else
    g_debug ("PostgreSQL (%s): connected", self->name);
  self->logged_down = FALSE;

  /* The watch is made again for the ready connection's handler. */
  if (self->watch != NULL)
    {
      g_source_destroy (self->watch);
      g_clear_pointer (&self->watch, g_source_unref);
    }
  self->watch_fd = -1;
  update_watch (self, G_IO_IN);
  g_object_notify (G_OBJECT (self), "ready");
}

/* One step of connecting, as libpq asks. */
static void
connect_poll (SottoPg *self)
{
  switch (PQconnectPoll (self->conn))
    {
    case PGRES_POLLING_READING:
      update_watch (self, G_IO_IN);
      break;
    case PGRES_POLLING_WRITING:
      update_watch (self, G_IO_OUT);
      break;
    case PGRES_POLLING_OK:
      connected (self);
      break;
    case PGRES_POLLING_FAILED:
    default:
      connection_down (self, PQerrorMessage (self->conn));
      break;
    }
}

typedef struct
{
  GSource  source;
  SottoPg *pg;
} Watch;

static gboolean
watch_dispatch (GSource     *source,
                GSourceFunc  callback,
                gpointer     user_data)
{
  SottoPg *self = ((Watch *) source)->pg;
  GIOCondition condition = g_source_query_unix_fd (source, self->watch_tag);

  if (self->state == STATE_READY)
    ready_io (self, condition);
  else if (self->state == STATE_CONNECTING)
    connect_poll (self);
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs watch_funcs = { NULL, NULL, watch_dispatch, NULL, NULL, NULL };

/* Watches the connection's socket for @condition (the socket may change
 * while connecting: one for each address tried). */
static void
update_watch (SottoPg      *self,
              GIOCondition  condition)
{
  int fd = self->conn != NULL ? PQsocket (self->conn) : -1;

  if (self->watch != NULL && fd == self->watch_fd)
    {
      g_source_modify_unix_fd (self->watch, self->watch_tag, condition);
      return;
    }
  if (self->watch != NULL)
    {
      g_source_destroy (self->watch);
      g_clear_pointer (&self->watch, g_source_unref);
    }
  self->watch_fd = fd;
  if (fd < 0)
    return;
  self->watch = g_source_new (&watch_funcs, sizeof (Watch));
  ((Watch *) self->watch)->pg = self;
  g_source_set_static_name (self->watch, "[sotto] PostgreSQL");
  self->watch_tag = g_source_add_unix_fd (self->watch, fd, condition);
  g_source_attach (self->watch, NULL);
}

static void
connect_start (SottoPg *self)
{
  const char *keywords[] = { "dbname", "application_name", NULL };
  const char *values[] = { self->conninfo, "sotto-server", NULL };

  self->state = STATE_CONNECTING;
  self->conn = PQconnectStartParams (keywords, values, TRUE);
  if (self->conn == NULL)
    {
      connection_down (self, "out of memory");
      return;
    }
  if (PQstatus (self->conn) == CONNECTION_BAD)
    {
      connection_down (self, PQerrorMessage (self->conn));
      return;
    }
  /* libpq's first step is to write. */
  update_watch (self, G_IO_OUT);
}

static gboolean
refused_cb (gpointer user_data)
{
  SottoPg *self = user_data;
  g_autoptr(GError) error =
    g_error_new_literal (SOTTO_PG_ERROR, SOTTO_PG_ERROR_UNAVAILABLE,
                         "Not connected to PostgreSQL now; try again later");
  Entry *entry;

  self->refused_id = 0;
  while ((entry = g_queue_pop_head (&self->refused)) != NULL)
    finish_entry (self, entry, error);
  return G_SOURCE_REMOVE;
}

/**
 * sotto_pg_query:
 * @statement: the name of a statement added with sotto_pg_add_statement(),
 *   or the text of one
 * @n_params: how many values follow
 * @values: (array length=n_params) (nullable): the values, %NULL for SQL's NULL
 * @lengths: (nullable): for binary values, their lengths
 * @binary: (nullable): which values are binary (1) and not text (0)
 * @done: (nullable): called with the result
 *
 * Sends a statement; it goes out at the end of this turn of the main
 * loop with the others sent in it, and they are one transaction: if one
 * fails, none of them is carried out (no BEGIN or COMMIT is needed, nor
 * to be sent). @done is called once the whole turn is answered. The
 * values are copied.
 */
void
sotto_pg_query (SottoPg            *self,
                const char         *statement,
                guint               n_params,
                const char * const *values,
                const int          *lengths,
                const int          *binary,
                SottoPgDone         done,
                gpointer            user_data)
{
  const char *sql;
  Entry *entry;
  int sent;

  g_return_if_fail (SOTTO_IS_PG (self));
  g_return_if_fail (statement != NULL);

  entry = g_new0 (Entry, 1);
  entry->kind = ENTRY_QUERY;
  entry->done = done;
  entry->user_data = user_data;

  if (self->state != STATE_READY)
    {
      g_queue_push_tail (&self->refused, entry);
      if (self->refused_id == 0)
        self->refused_id = g_idle_add (refused_cb, self);
      return;
    }
  sql = g_hash_table_lookup (self->statements, statement);
  if (sql != NULL && !g_hash_table_contains (self->prepared, statement))
    {
      Entry *prepare = g_new0 (Entry, 1);

      prepare->kind = ENTRY_PREPARE;
      prepare->name = g_strdup (statement);
      g_hash_table_add (self->prepared, g_strdup (statement));
      if (!PQsendPrepare (self->conn, statement, sql, 0, NULL))
        {
          entry_free (prepare);
          g_queue_push_tail (&self->entries, entry);
          connection_down (self, PQerrorMessage (self->conn));
          return;
        }
      g_queue_push_tail (&self->entries, prepare);
    }
  if (sql != NULL)
    sent = PQsendQueryPrepared (self->conn, statement, (int) n_params, values, lengths, binary,
                                0);
  else
    sent = PQsendQueryParams (self->conn, statement, (int) n_params, NULL, values, lengths,
                              binary, 0);
  g_queue_push_tail (&self->entries, entry);
  if (!sent)
    {
      connection_down (self, PQerrorMessage (self->conn));
      return;
    }
  queue_sync (self);
}

/**
 * sotto_pg_new:
 * @conninfo: a libpq connection string or URI
 * @name: what the connection is for, in log lines ("writer")
 *
 * Returns: (transfer full): a connection not started yet, or %NULL when
 *   @conninfo cannot be used (sotto_pg_check_conninfo())
 */
SottoPg *
sotto_pg_new (const char  *conninfo,
              const char  *name,
              GError     **error)
{
  SottoPg *self;

  g_return_val_if_fail (conninfo != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  if (!sotto_pg_check_conninfo (conninfo, error))
    return NULL;
  self = g_object_new (SOTTO_TYPE_PG, NULL);
  self->conninfo = g_strdup (conninfo);
  self->name = g_strdup (name);
  return self;
}

/**
 * sotto_pg_add_statement:
 * @name: what sotto_pg_query() calls it
 * @sql: its text, with $1, $2… for values
 *
 * A statement prepared on each connection at its first use there. Add
 * them before sotto_pg_start().
 */
void
sotto_pg_add_statement (SottoPg    *self,
                        const char *name,
                        const char *sql)
{
  g_return_if_fail (SOTTO_IS_PG (self));
  g_return_if_fail (self->state == STATE_STOPPED);

  g_hash_table_replace (self->statements, g_strdup (name), g_strdup (sql));
}

/* Connects, and again whenever the connection fails, until stopped. */
void
sotto_pg_start (SottoPg *self)
{
  g_return_if_fail (SOTTO_IS_PG (self));

  if (self->state == STATE_STOPPED)
    connect_start (self);
}

/* Closes the connection; whatever waits fails as lost. */
void
sotto_pg_stop (SottoPg *self)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (SOTTO_IS_PG (self));

  g_clear_handle_id (&self->retry_id, g_source_remove);
  drop_connection (self);
  self->state = STATE_STOPPED;
  error = g_error_new_literal (SOTTO_PG_ERROR, SOTTO_PG_ERROR_LOST,
                               "The connection to PostgreSQL was closed");
  fail_entries (self, error);
}

gboolean
sotto_pg_is_ready (SottoPg *self)
{
  g_return_val_if_fail (SOTTO_IS_PG (self), FALSE);
  return self->state == STATE_READY;
}

/* How many statements wait for their answer. */
guint
sotto_pg_get_n_pending (SottoPg *self)
{
  guint n = 0;

  g_return_val_if_fail (SOTTO_IS_PG (self), 0);
  for (GList *l = self->entries.head; l != NULL; l = l->next)
    n += ((Entry *) l->data)->kind == ENTRY_QUERY;
  for (GList *l = self->turn.head; l != NULL; l = l->next)
    n += ((Entry *) l->data)->kind == ENTRY_QUERY;
  return n;
}

static void
sotto_pg_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  switch (prop_id)
    {
    case 1:
      g_value_set_boolean (value, SOTTO_PG (object)->state == STATE_READY);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sotto_pg_dispose (GObject *object)
{
  SottoPg *self = SOTTO_PG (object);

  sotto_pg_stop (self);
  g_clear_handle_id (&self->refused_id, g_source_remove);
  refused_cb (self);
  G_OBJECT_CLASS (sotto_pg_parent_class)->dispose (object);
}

static void
sotto_pg_finalize (GObject *object)
{
  SottoPg *self = SOTTO_PG (object);

  g_free (self->conninfo);
  g_free (self->name);
  g_hash_table_unref (self->statements);
  g_hash_table_unref (self->prepared);
  G_OBJECT_CLASS (sotto_pg_parent_class)->finalize (object);
}

static void
sotto_pg_class_init (SottoPgClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = sotto_pg_get_property;
  object_class->dispose = sotto_pg_dispose;
  object_class->finalize = sotto_pg_finalize;

  /**
   * SottoPg:ready:
   *
   * Whether the connection is made and takes statements.
   */
  g_object_class_install_property (object_class, 1,
                                   g_param_spec_boolean ("ready", NULL, NULL, FALSE,
                                                         G_PARAM_READABLE |
                                                         G_PARAM_STATIC_STRINGS));
}

static void
sotto_pg_init (SottoPg *self)
{
  self->statements = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->prepared = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->retry_ms = RETRY_FIRST_MS;
  self->watch_fd = -1;
  g_queue_init (&self->entries);
  g_queue_init (&self->turn);
  g_queue_init (&self->refused);
}
