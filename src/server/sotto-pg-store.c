/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "sotto-pg.h"
#include "sotto-pg-schema.h"
#include "sotto-pg-store.h"

/*
 * The server's store in PostgreSQL, as several servers share it: so far
 * the room log, the part every message goes through. Two connections: a
 * writer, whose statements of one turn of the main loop are one
 * transaction, and a reader for catch-up, so that a long read never
 * waits behind the writes.
 *
 * A room's sequence numbers come from its row, raised by the statement
 * that appends: the row stays locked until the turn commits, so another
 * server appending to the room waits for it, commit order is seq order,
 * and a turn rolled back gives its numbers back (no gap). An event's
 * bytes hold its own seq, which only that statement knows: they come in
 * two parts, and the statement stores them with the seq's digits
 * between. The appends of
 * a turn go out sorted by room, so that two servers lock rooms in the
 * same order and never deadlock. An append whose sender and msg_id the
 * room already holds writes nothing and answers with the seq it had.
 *
 * The schema is made or brought up to date when the writer first
 * connects, under an advisory lock, so that servers starting together
 * do it once.
 */

/* The advisory lock under which the schema is made or moved on. */
#define SCHEMA_LOCK "7471706"

/* The appends of a turn go out just before the connection's Sync. */
#define FLUSH_PRIORITY (G_PRIORITY_HIGH_IDLE - 1)

static const char append_sql[] =
  "WITH existing AS ("
  "  SELECT seq FROM room_log"
  "  WHERE room_id = $1::bigint AND sender = $4::text AND msg_id = $5::text),"
  " bumped AS ("
  "  UPDATE rooms SET last_seq = last_seq + 1"
  "  WHERE id = $1::bigint AND NOT EXISTS (SELECT 1 FROM existing) RETURNING last_seq),"
  " added AS ("
  "  INSERT INTO room_log (room_id, seq, ts, kind, sender, msg_id, body)"
  "  SELECT $1::bigint, last_seq, $2::bigint, $3::integer, $4::text, $5::text,"
  "   $6::bytea || convert_to (last_seq::text, 'UTF8') || $7::bytea"
  "  FROM bumped RETURNING seq)"
  " SELECT seq, 0 FROM added UNION ALL SELECT seq, 1 FROM existing";

static const char read_log_sql[] =
  "SELECT seq, ts, kind, sender, msg_id, body FROM room_log"
  " WHERE room_id = $1::bigint AND seq > $2::bigint ORDER BY seq LIMIT $3::bigint";

static const char ensure_room_sql[] =
  "WITH added AS ("
  "  INSERT INTO rooms (name, direct, owner, created) VALUES ($1::text, 0, NULL, $2::bigint)"
  "  ON CONFLICT (name) DO NOTHING RETURNING id)"
  " SELECT id FROM added UNION ALL SELECT id FROM rooms WHERE name = $1::text";

typedef struct
{
  SottoPgStore    *store;
  gint64           room_id;
  char            *values[5];
  GBytes          *body;
  gsize            seq_at;
  SottoPgAppended  done;
  gpointer         user_data;
} Append;

struct _SottoPgStore
{
  GObject   parent_instance;

  SottoPg  *writer;
  SottoPg  *reader;
  gboolean  schema_ready;
  gboolean  schema_sent;
  /* The appends of this turn, sent sorted by room at its end */
  GPtrArray *appends;
  guint      flush_id;
};

G_DEFINE_FINAL_TYPE (SottoPgStore, sotto_pg_store, G_TYPE_OBJECT)

void
sotto_pg_log_row_free (SottoPgLogRow *row)
{
  if (row == NULL)
    return;
  g_free (row->sender);
  g_free (row->msg_id);
  g_clear_pointer (&row->body, g_bytes_unref);
  g_free (row);
}

static void
append_free (Append *append)
{
  for (guint i = 0; i < G_N_ELEMENTS (append->values); i++)
    g_free (append->values[i]);
  g_clear_pointer (&append->body, g_bytes_unref);
  g_free (append);
}

/* The schema's migrations as one block that runs those not yet run. */
static char *
schema_block (void)
{
  guint n_migrations;
  const char * const *migrations = sotto_pg_schema_migrations (&n_migrations);
  GString *block = g_string_new ("DO $sotto$ DECLARE v integer; BEGIN "
                                 "IF to_regclass ('sotto_schema') IS NULL THEN "
                                 "CREATE TABLE sotto_schema (version integer NOT NULL); "
                                 "INSERT INTO sotto_schema (version) VALUES (0); END IF; "
                                 "SELECT version INTO v FROM sotto_schema; ");

  g_string_append_printf (block,
                          "IF v > %u THEN RAISE EXCEPTION 'The PostgreSQL store was made by a "
                          "newer Sotto (schema %%), which this server cannot use', v; END IF; ",
                          n_migrations);
  for (guint i = 0; i < n_migrations; i++)
    g_string_append_printf (block, "IF v < %u THEN EXECUTE $m$%s$m$; END IF; ", i + 1,
                            migrations[i]);
  g_string_append_printf (block, "UPDATE sotto_schema SET version = %u; END $sotto$",
                          n_migrations);
  return g_string_free (block, FALSE);
}

static void
schema_done_cb (SottoPg        *pg,
                const PGresult *result,
                const GError   *error,
                gpointer        user_data)
{
  SottoPgStore *self = user_data;

  if (error != NULL)
    {
      self->schema_sent = FALSE;
      if (error->code != SOTTO_PG_ERROR_LOST)
        g_warning ("Could not make the PostgreSQL store's schema: %s", error->message);
      return;
    }
  self->schema_ready = TRUE;
  g_object_notify (G_OBJECT (self), "ready");
}

static void
writer_ready_cb (SottoPgStore *self)
{
  g_autofree char *block = NULL;

  if (!sotto_pg_is_ready (self->writer))
    {
      if (self->schema_ready)
        g_object_notify (G_OBJECT (self), "ready");
      return;
    }
  if (self->schema_ready)
    {
      g_object_notify (G_OBJECT (self), "ready");
      return;
    }
  if (self->schema_sent)
    return;
  self->schema_sent = TRUE;
  block = schema_block ();
  sotto_pg_query (self->writer, "SELECT pg_advisory_xact_lock (" SCHEMA_LOCK ")", 0, NULL,
                  NULL, NULL, NULL, NULL);
  sotto_pg_query (self->writer, block, 0, NULL, NULL, NULL, schema_done_cb, self);
}

static void
reader_ready_cb (SottoPgStore *self)
{
  if (self->schema_ready)
    g_object_notify (G_OBJECT (self), "ready");
}

static void
appended_cb (SottoPg        *pg,
             const PGresult *result,
             const GError   *error,
             gpointer        user_data)
{
  Append *append = user_data;
  g_autoptr(GError) local_error = NULL;

  if (error == NULL && PQntuples (result) == 0)
    error = local_error = g_error_new_literal (SOTTO_PG_ERROR, SOTTO_PG_ERROR_QUERY,
                                               "No such room in the PostgreSQL store");
  if (error != NULL)
    append->done (append->store, 0, FALSE, error, append->user_data);
  else
    append->done (append->store, g_ascii_strtoll (PQgetvalue (result, 0, 0), NULL, 10),
                  g_str_equal (PQgetvalue (result, 0, 1), "1"), NULL, append->user_data);
  append_free (append);
}

static int
compare_appends (gconstpointer a,
                 gconstpointer b)
{
  const Append *x = *(const Append **) a;
  const Append *y = *(const Append **) b;

  return x->room_id < y->room_id ? -1 : x->room_id > y->room_id;
}

/* The turn's appends, by room (a stable sort: each room's in the order
 * they came). */
static gboolean
flush_cb (gpointer user_data)
{
  SottoPgStore *self = user_data;
  g_autoptr(GPtrArray) appends = g_steal_pointer (&self->appends);

  self->flush_id = 0;
  self->appends = g_ptr_array_new ();
  g_ptr_array_sort (appends, compare_appends);
  for (guint i = 0; i < appends->len; i++)
    {
      Append *append = g_ptr_array_index (appends, i);
      const char *bytes = g_bytes_get_data (append->body, NULL);
      gsize size = g_bytes_get_size (append->body);
      /* libpq reads a binary value of length 0 as empty, not NULL. */
      const char *values[7] = {
        append->values[0], append->values[1], append->values[2], append->values[3],
        append->values[4], bytes != NULL ? bytes : "", bytes != NULL ? bytes + append->seq_at : ""
      };
      int lengths[7] = { 0, 0, 0, 0, 0, (int) append->seq_at, (int) (size - append->seq_at) };
      int binary[7] = { 0, 0, 0, 0, 0, 1, 1 };

      sotto_pg_query (self->writer, "append", 7, values, lengths, binary, appended_cb, append);
    }
  return G_SOURCE_REMOVE;
}

static gboolean
refuse_cb (gpointer user_data)
{
  Append *append = user_data;
  g_autoptr(GError) error = g_error_new_literal (SOTTO_PG_ERROR, SOTTO_PG_ERROR_UNAVAILABLE,
                                                 "The PostgreSQL store is not ready");

  append->done (append->store, 0, FALSE, error, append->user_data);
  append_free (append);
  return G_SOURCE_REMOVE;
}

/**
 * sotto_pg_store_append:
 * @room_id: the room's id in the store
 * @msg_id: (nullable): the sender's id for the event, for resends
 * @body: the event as sent to members, without its seq's digits
 * @seq_at: where in @body the seq's digits go
 * @done: called with its seq once committed, or why not
 *
 * Appends an event to a room's log, in this turn's transaction: what is
 * stored (and read back) is @body with the event's seq written at
 * @seq_at, which the caller does as well, once @done says the seq.
 */
void
sotto_pg_store_append (SottoPgStore    *self,
                       gint64           room_id,
                       gint64           ts,
                       int              kind,
                       const char      *sender,
                       const char      *msg_id,
                       GBytes          *body,
                       gsize            seq_at,
                       SottoPgAppended  done,
                       gpointer         user_data)
{
  Append *append;

  g_return_if_fail (SOTTO_IS_PG_STORE (self));
  g_return_if_fail (body != NULL);
  g_return_if_fail (seq_at <= g_bytes_get_size (body));
  g_return_if_fail (done != NULL);

  append = g_new0 (Append, 1);
  append->store = self;
  append->room_id = room_id;
  append->values[0] = g_strdup_printf ("%" G_GINT64_FORMAT, room_id);
  append->values[1] = g_strdup_printf ("%" G_GINT64_FORMAT, ts);
  append->values[2] = g_strdup_printf ("%d", kind);
  append->values[3] = g_strdup (sender);
  append->values[4] = g_strdup (msg_id);
  append->body = g_bytes_ref (body);
  append->seq_at = seq_at;
  append->done = done;
  append->user_data = user_data;

  if (!sotto_pg_store_is_ready (self))
    {
      g_idle_add (refuse_cb, append);
      return;
    }
  g_ptr_array_add (self->appends, append);
  if (self->flush_id == 0)
    self->flush_id = g_idle_add_full (FLUSH_PRIORITY, flush_cb, self, NULL);
}

typedef struct
{
  SottoPgStore     *store;
  SottoPgRowsRead   rows_done;
  SottoPgRoomFound  room_done;
  gpointer          user_data;
} Read;

static void
rows_read_cb (SottoPg        *pg,
              const PGresult *result,
              const GError   *error,
              gpointer        user_data)
{
  g_autofree Read *read = user_data;
  g_autoptr(GPtrArray) rows = NULL;

  if (error != NULL)
    {
      read->rows_done (read->store, NULL, error, read->user_data);
      return;
    }
  rows = g_ptr_array_new_with_free_func ((GDestroyNotify) sotto_pg_log_row_free);
  for (int i = 0; i < PQntuples (result); i++)
    {
      SottoPgLogRow *row = g_new0 (SottoPgLogRow, 1);
      size_t length = 0;
      guint8 *body = PQunescapeBytea ((const guint8 *) PQgetvalue (result, i, 5), &length);

      row->seq = g_ascii_strtoll (PQgetvalue (result, i, 0), NULL, 10);
      row->ts = g_ascii_strtoll (PQgetvalue (result, i, 1), NULL, 10);
      row->kind = (int) g_ascii_strtoll (PQgetvalue (result, i, 2), NULL, 10);
      row->sender = PQgetisnull (result, i, 3) ? NULL : g_strdup (PQgetvalue (result, i, 3));
      row->msg_id = PQgetisnull (result, i, 4) ? NULL : g_strdup (PQgetvalue (result, i, 4));
      row->body = g_bytes_new (body, length);
      PQfreemem (body);
      g_ptr_array_add (rows, row);
    }
  read->rows_done (read->store, rows, NULL, read->user_data);
}

/**
 * sotto_pg_store_read_log:
 * @after_seq: read the events after this one
 * @limit: the most rows
 * @done: called with the rows, in order
 *
 * Reads a room's log on the reader connection: what is committed.
 */
void
sotto_pg_store_read_log (SottoPgStore    *self,
                         gint64           room_id,
                         gint64           after_seq,
                         guint            limit,
                         SottoPgRowsRead  done,
                         gpointer         user_data)
{
  g_autofree char *room = g_strdup_printf ("%" G_GINT64_FORMAT, room_id);
  g_autofree char *after = g_strdup_printf ("%" G_GINT64_FORMAT, after_seq);
  g_autofree char *most = g_strdup_printf ("%u", limit);
  const char *values[] = { room, after, most };
  Read *read;

  g_return_if_fail (SOTTO_IS_PG_STORE (self));
  g_return_if_fail (done != NULL);

  read = g_new0 (Read, 1);
  read->store = self;
  read->rows_done = done;
  read->user_data = user_data;
  sotto_pg_query (self->reader, "read_log", 3, values, NULL, NULL, rows_read_cb, read);
}

static void
room_found_cb (SottoPg        *pg,
               const PGresult *result,
               const GError   *error,
               gpointer        user_data)
{
  g_autofree Read *read = user_data;

  if (error != NULL)
    read->room_done (read->store, 0, error, read->user_data);
  else
    read->room_done (read->store, g_ascii_strtoll (PQgetvalue (result, 0, 0), NULL, 10), NULL,
                     read->user_data);
}

/**
 * sotto_pg_store_ensure_room:
 * @name: a room's name
 * @done: called with its id, made now or before
 *
 * Makes the room if the store has none of that name.
 */
void
sotto_pg_store_ensure_room (SottoPgStore     *self,
                            const char       *name,
                            gint64            created,
                            SottoPgRoomFound  done,
                            gpointer          user_data)
{
  g_autofree char *when = g_strdup_printf ("%" G_GINT64_FORMAT, created);
  const char *values[] = { name, when };
  Read *read;

  g_return_if_fail (SOTTO_IS_PG_STORE (self));
  g_return_if_fail (done != NULL);

  read = g_new0 (Read, 1);
  read->store = self;
  read->room_done = done;
  read->user_data = user_data;
  sotto_pg_query (self->writer, "ensure_room", 2, values, NULL, NULL, room_found_cb, read);
}

/**
 * sotto_pg_store_new:
 * @conninfo: the PostgreSQL database (a Unix socket folder or IP address)
 *
 * Returns: (transfer full): a store not started yet, or %NULL
 */
SottoPgStore *
sotto_pg_store_new (const char  *conninfo,
                    GError     **error)
{
  g_autoptr(SottoPgStore) self = g_object_new (SOTTO_TYPE_PG_STORE, NULL);

  self->writer = sotto_pg_new (conninfo, "writer", error);
  if (self->writer == NULL)
    return NULL;
  self->reader = sotto_pg_new (conninfo, "reader", error);
  if (self->reader == NULL)
    return NULL;
  sotto_pg_add_statement (self->writer, "append", append_sql);
  sotto_pg_add_statement (self->writer, "ensure_room", ensure_room_sql);
  sotto_pg_add_statement (self->reader, "read_log", read_log_sql);
  g_signal_connect_swapped (self->writer, "notify::ready", G_CALLBACK (writer_ready_cb), self);
  g_signal_connect_swapped (self->reader, "notify::ready", G_CALLBACK (reader_ready_cb), self);
  return g_steal_pointer (&self);
}

/* Connects both connections; the store is ready once the schema is. */
void
sotto_pg_store_start (SottoPgStore *self)
{
  g_return_if_fail (SOTTO_IS_PG_STORE (self));

  sotto_pg_start (self->writer);
  sotto_pg_start (self->reader);
}

gboolean
sotto_pg_store_is_ready (SottoPgStore *self)
{
  g_return_val_if_fail (SOTTO_IS_PG_STORE (self), FALSE);
  return self->schema_ready && sotto_pg_is_ready (self->writer) &&
         sotto_pg_is_ready (self->reader);
}

static void
sotto_pg_store_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  switch (prop_id)
    {
    case 1:
      g_value_set_boolean (value, sotto_pg_store_is_ready (SOTTO_PG_STORE (object)));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sotto_pg_store_dispose (GObject *object)
{
  SottoPgStore *self = SOTTO_PG_STORE (object);

  if (self->flush_id != 0)
    {
      g_clear_handle_id (&self->flush_id, g_source_remove);
      flush_cb (self);
      self->flush_id = 0;
    }
  if (self->writer != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->writer, self);
      sotto_pg_stop (self->writer);
    }
  if (self->reader != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->reader, self);
      sotto_pg_stop (self->reader);
    }
  g_clear_object (&self->writer);
  g_clear_object (&self->reader);
  G_OBJECT_CLASS (sotto_pg_store_parent_class)->dispose (object);
}

static void
sotto_pg_store_finalize (GObject *object)
{
  SottoPgStore *self = SOTTO_PG_STORE (object);

  g_ptr_array_unref (self->appends);
  G_OBJECT_CLASS (sotto_pg_store_parent_class)->finalize (object);
}

static void
sotto_pg_store_class_init (SottoPgStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = sotto_pg_store_get_property;
  object_class->dispose = sotto_pg_store_dispose;
  object_class->finalize = sotto_pg_store_finalize;

  /**
   * SottoPgStore:ready:
   *
   * Whether both connections are made and the schema is up to date.
   */
  g_object_class_install_property (object_class, 1,
                                   g_param_spec_boolean ("ready", NULL, NULL, FALSE,
                                                         G_PARAM_READABLE |
                                                         G_PARAM_STATIC_STRINGS));
}

static void
sotto_pg_store_init (SottoPgStore *self)
{
  self->appends = g_ptr_array_new ();
}
