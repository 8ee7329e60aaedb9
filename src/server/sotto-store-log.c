/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-store-private.h"

/*
 * The server store's per-room log of events, and its retention.
 */

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
  SottoDb *db;
  g_auto(SottoDbStatement) stmt = NULL;
  gconstpointer data;
  gsize size;

  g_return_val_if_fail (SOTTO_IS_STORE (self), FALSE);
  g_return_val_if_fail (body != NULL, FALSE);

  db = _sotto_store_get_db (self);
  stmt = _sotto_store_write_statement (self, STMT_APPEND_EVENT, error);
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

  return sotto_db_step_done (db, stmt, _("Could not store the event"), error);
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
  SottoDb *db;
  g_auto(SottoDbStatement) stmt = NULL;
  int rc;

  g_return_val_if_fail (SOTTO_IS_STORE (self), FALSE);
  g_return_val_if_fail (sender != NULL, FALSE);
  g_return_val_if_fail (msg_id != NULL, FALSE);

  db = _sotto_store_get_db (self);
  stmt = _sotto_store_statement (self, STMT_FIND_MESSAGE, error);
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
      sotto_db_set_error (db, error, rc, _("Could not look up the message"));
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
  SottoDb *db;
  g_autoptr(GPtrArray) bodies = NULL;
  g_auto(SottoDbStatement) stmt = NULL;
  gint64 last = after_seq;
  int rc;

  g_return_val_if_fail (SOTTO_IS_STORE (self), NULL);

  db = _sotto_store_get_db (self);
  stmt = _sotto_store_statement (self, STMT_READ_LOG, error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, room_id);
  sqlite3_bind_int64 (stmt, 2, after_seq);
  sqlite3_bind_int64 (stmt, 3, up_to_seq);
  sqlite3_bind_int64 (stmt, 4, sotto_db_limit_or_none (limit));

  bodies = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const void *data = sqlite3_column_blob (stmt, 1);

      last = sqlite3_column_int64 (stmt, 0);
      g_ptr_array_add (bodies, g_bytes_new (data, sqlite3_column_bytes (stmt, 1)));
    }

  if (rc != SQLITE_DONE)
    {
      sotto_db_set_error (db, error, rc, _("Could not read the room history"));
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
  SottoDb *db;
  g_auto(SottoDbStatement) stmt = NULL;
  gint64 last_seq;

  g_return_val_if_fail (SOTTO_IS_STORE (self), -1);

  db = _sotto_store_get_db (self);
  stmt = _sotto_store_statement (self, STMT_LAST_SEQ, error);
  if (stmt == NULL)
    return -1;

  sqlite3_bind_int64 (stmt, 1, room_id);

  if (!sotto_db_step_int64 (db, stmt, &last_seq,
                            _("Could not read the room’s last sequence number"), error))
    return -1;

  return last_seq;
}

static gboolean
store_trim_rooms (SottoStore  *self,
                  gint64       max_per_room,
                  gint64      *deleted,
                  GError     **error)
{
  SottoDb *db;
  g_autoptr(GArray) room_ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  db = _sotto_store_get_db (self);

  {
    g_auto(SottoDbStatement) stmt = _sotto_store_statement (self, STMT_ROOM_IDS, error);
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
        sotto_db_set_error (db, error, rc, _("Could not apply the retention limits"));
        return FALSE;
      }
  }

  for (guint i = 0; i < room_ids->len; i++)
    {
      g_auto(SottoDbStatement) stmt = _sotto_store_write_statement (self, STMT_TRIM_ROOM, error);

      if (stmt == NULL)
        return FALSE;

      sqlite3_bind_int64 (stmt, 1, g_array_index (room_ids, gint64, i));
      sqlite3_bind_int64 (stmt, 2, max_per_room);

      if (!sotto_db_step_done (db, stmt, _("Could not apply the retention limits"), error))
        return FALSE;

      *deleted += sotto_db_changes (db);
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
  SottoDb *db;
  gint64 deleted = 0;

  g_return_val_if_fail (SOTTO_IS_STORE (self), -1);
  g_return_val_if_fail (max_age_ms >= 0, -1);
  g_return_val_if_fail (max_per_room >= 0, -1);

  db = _sotto_store_get_db (self);
  if (max_age_ms > 0)
    {
      g_auto(SottoDbStatement) stmt = _sotto_store_write_statement (self, STMT_DELETE_OLDER, error);

      if (stmt == NULL)
        return -1;

      sqlite3_bind_int64 (stmt, 1, now_ms - max_age_ms);

      if (!sotto_db_step_done (db, stmt, _("Could not apply the retention limits"), error))
        return -1;

      deleted += sotto_db_changes (db);
    }

  if (max_per_room > 0 && !store_trim_rooms (self, max_per_room, &deleted, error))
    return -1;

  return deleted;
}
