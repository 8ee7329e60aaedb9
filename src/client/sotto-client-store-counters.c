/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-client-store-private.h"

/* The counters members gave their messages (SottoCounterState), by room,
 * sender and signing key, and where each message stands in them. */

#define SIGNER_BYTES 32

static void
bind_key (sqlite3_stmt *stmt,
          const char   *room,
          const char   *sender,
          const guint8 *signer)
{
  sqlite3_bind_text (stmt, 1, room, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, sender, -1, SQLITE_STATIC);
  sqlite3_bind_blob (stmt, 3, signer, SIGNER_BYTES, SQLITE_STATIC);
}

static gboolean
read_counters (SottoClientStore   *self,
               const char         *room,
               const char         *sender,
               const guint8       *signer,
               SottoCounterState  *state,
               GError            **error)
{
  g_auto(SottoDbStatement) stmt = NULL;
  gboolean found = FALSE;
  const guint8 *seen, *missing;
  gsize seen_size, missing_size;
  GArray *seen_array = NULL, *missing_array = NULL;

  sotto_counter_state_init (state);

  stmt = sotto_db_statement (self->db, STMT_GET_COUNTERS, error);
  if (stmt == NULL)
    return FALSE;
  bind_key (stmt, room, sender, signer);
  if (!sotto_db_step_row (self->db, stmt, &found, _("Could not read the order of messages"),
                          error))
    return FALSE;
  if (!found)
    return TRUE;

  seen = sotto_db_column_blob (stmt, 1, &seen_size);
  missing = sotto_db_column_blob (stmt, 2, &missing_size);
  if (sqlite3_column_int64 (stmt, 0) < 0 ||
      !sotto_counter_state_unpack (seen, seen_size, &seen_array))
    goto corrupt;
  if (!sotto_counter_state_unpack (missing, missing_size, &missing_array))
    {
      g_array_unref (seen_array);
      goto corrupt;
    }

  g_array_unref (state->seen);
  g_array_unref (state->missing);
  state->seen = seen_array;
  state->missing = missing_array;
  state->floor = (guint64) sqlite3_column_int64 (stmt, 0);
  state->rebase = sqlite3_column_int (stmt, 3) != 0;
  return TRUE;

corrupt:
  _sotto_client_store_set_corrupt_error (error, "counters");
  return FALSE;
}

/**
 * sotto_client_store_get_counters:
 * @self: a #SottoClientStore
 * @room: the room
 * @sender: the sender
 * @signer: the sender's 32-byte signing key
 * @state: (out caller-allocates): the state, to clear with
 *   sotto_counter_state_clear(); a new one if nothing is stored
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success; on error @state is still initialized
 */
gboolean
sotto_client_store_get_counters (SottoClientStore   *self,
                                 const char         *room,
                                 const char         *sender,
                                 const guint8       *signer,
                                 SottoCounterState  *state,
                                 GError            **error)
{
  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), FALSE);
  g_return_val_if_fail (room != NULL && sender != NULL && signer != NULL, FALSE);
  g_return_val_if_fail (state != NULL, FALSE);

  if (!_sotto_client_store_require_unlocked (self, error))
    {
      sotto_counter_state_init (state);
      return FALSE;
    }

  return read_counters (self, room, sender, signer, state, error);
}

static gboolean
write_counters (SottoClientStore         *self,
                const char               *room,
                const char               *sender,
                const guint8             *signer,
                const SottoCounterState  *state,
                GError                  **error)
{
  g_auto(SottoDbStatement) stmt = NULL;
  g_autoptr(GBytes) seen = sotto_counter_state_pack (state->seen);
  g_autoptr(GBytes) missing = sotto_counter_state_pack (state->missing);
  gsize seen_size, missing_size;
  const guint8 *seen_data = g_bytes_get_data (seen, &seen_size);
  const guint8 *missing_data = g_bytes_get_data (missing, &missing_size);

  stmt = sotto_db_statement (self->db, STMT_SET_COUNTERS, error);
  if (stmt == NULL)
    return FALSE;
  bind_key (stmt, room, sender, signer);
  sqlite3_bind_int64 (stmt, 4, (gint64) MIN (state->floor, (guint64) G_MAXINT64));
  /* An empty blob, not NULL: the columns are NOT NULL. */
  sqlite3_bind_blob64 (stmt, 5, seen_size > 0 ? (const void *) seen_data : "", seen_size,
                       SQLITE_STATIC);
  sqlite3_bind_blob64 (stmt, 6, missing_size > 0 ? (const void *) missing_data : "",
                       missing_size, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 7, state->rebase ? 1 : 0);

  return sotto_db_step_done (self->db, stmt, _("Could not save the order of messages"), error);
}

/**
 * sotto_client_store_set_counters:
 * @self: a #SottoClientStore
 * @room: the room
 * @sender: the sender
 * @signer: the sender's 32-byte signing key
 * @state: the state to keep
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
sotto_client_store_set_counters (SottoClientStore         *self,
                                 const char               *room,
                                 const char               *sender,
                                 const guint8             *signer,
                                 const SottoCounterState  *state,
                                 GError                  **error)
{
  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), FALSE);
  g_return_val_if_fail (room != NULL && sender != NULL && signer != NULL, FALSE);
  g_return_val_if_fail (state != NULL, FALSE);

  return _sotto_client_store_require_unlocked (self, error) &&
         write_counters (self, room, sender, signer, state, error);
}

/**
 * sotto_client_store_rebase_counters:
 * @self: a #SottoClientStore
 * @room: the room
 * @error: return location for a #GError
 *
 * Notes that the user was away from @room: what its members said
 * meanwhile is not owed to them (#SottoCounterState:rebase).
 *
 * Returns: %TRUE on success
 */
gboolean
sotto_client_store_rebase_counters (SottoClientStore  *self,
                                    const char        *room,
                                    GError           **error)
{
  g_auto(SottoDbStatement) stmt = NULL;

  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), FALSE);
  g_return_val_if_fail (room != NULL, FALSE);

  if (!_sotto_client_store_require_unlocked (self, error) ||
      (stmt = sotto_db_statement (self->db, STMT_REBASE_COUNTERS, error)) == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, room, -1, SQLITE_STATIC);
  return sotto_db_step_done (self->db, stmt, _("Could not save the order of messages"), error);
}

/* A device's signing key, or NULL for a message counted with every
 * device's (ours, and those from before devices). */
static void
bind_signer (sqlite3_stmt *stmt,
             int           column,
             const guint8 *signer)
{
  if (signer != NULL)
    sqlite3_bind_blob (stmt, column, signer, SOTTO_CLIENT_STORE_DEVICE_BYTES, SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, column);
}

static gboolean
update_order (SottoClientStore  *self,
              const char        *room,
              const char        *sender,
              const char        *msg_id,
              guint64            counter,
              gint64             sent_at,
              guint              marks,
              const guint8      *signer,
              GError           **error)
{
  g_auto(SottoDbStatement) stmt = NULL;

  stmt = sotto_db_statement (self->db, STMT_SET_MESSAGE_ORDER, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, room, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, sender, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, msg_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, (gint64) counter);
  sqlite3_bind_int64 (stmt, 5, sent_at);
  sqlite3_bind_int (stmt, 6, (int) marks);
  bind_signer (stmt, 7, signer);

  return sotto_db_step_done (self->db, stmt, _("Could not save a message"), error);
}

/**
 * sotto_client_store_take_counter:
 * @self: a #SottoClientStore
 * @room: the room
 * @sender: our own user name
 * @signer: our own 32-byte signing key
 * @msg_id: the message of ours, already in the history, that gets it
 * @counter: (out): the counter it now has
 * @error: return location for a #GError
 *
 * Gives our message in @room the next counter, once: a message that
 * already has one keeps it (a resend is the same message).
 *
 * Returns: %TRUE on success
 */
gboolean
sotto_client_store_take_counter (SottoClientStore  *self,
                                 const char        *room,
                                 const char        *sender,
                                 const guint8      *signer,
                                 const char        *msg_id,
                                 guint64           *counter,
                                 GError           **error)
{
  g_auto(SottoDbStatement) stmt = NULL;
  g_auto(SottoCounterState) state = { 0 };
  gboolean found = FALSE;
  gint64 ts;

  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), FALSE);
  g_return_val_if_fail (room != NULL && sender != NULL && signer != NULL, FALSE);
  g_return_val_if_fail (msg_id != NULL && counter != NULL, FALSE);

  if (!_sotto_client_store_require_unlocked (self, error) || !sotto_db_begin (self->db, error))
    return FALSE;

  /* Only the row's counter and time: its body need not be opened. */
  stmt = sotto_db_statement (self->db, STMT_GET_MESSAGE_ORDER, error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, room, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, sender, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, msg_id, -1, SQLITE_STATIC);
  if (!sotto_db_step_row (self->db, stmt, &found, _("Could not read the history"), error))
    goto fail;
  if (!found)
    {
      g_set_error (error, SOTTO_CLIENT_STORE_ERROR, SOTTO_CLIENT_STORE_ERROR_NOT_FOUND,
                   _("The message to send is not in the history"));
      goto fail;
    }
  if (sqlite3_column_int64 (stmt, 0) > 0)
    {
      *counter = (guint64) sqlite3_column_int64 (stmt, 0);
      g_clear_pointer (&stmt, sotto_db_statement_release);
      return sotto_db_commit (self->db, error);
    }
  ts = sqlite3_column_int64 (stmt, 1);
  g_clear_pointer (&stmt, sotto_db_statement_release);

  if (!read_counters (self, room, sender, signer, &state, error))
    goto fail;
  state.floor++;
  state.rebase = FALSE;
  if (!write_counters (self, room, sender, signer, &state, error) ||
      !update_order (self, room, sender, msg_id, state.floor, ts, 0, NULL, error))
    goto fail;

  *counter = state.floor;
  return sotto_db_commit (self->db, error);

fail:
  sotto_db_rollback (self->db);
  return FALSE;
}

/**
 * sotto_client_store_next_counter:
 * @self: a #SottoClientStore
 * @room: the room
 * @sender: our own user name
 * @signer: our own 32-byte signing key
 * @next_counter: (out): the lowest counter a message of ours still to
 *   go out in @room carries: the oldest in the outbox that has one, or
 *   the next one to be given
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
sotto_client_store_next_counter (SottoClientStore  *self,
                                 const char        *room,
                                 const char        *sender,
                                 const guint8      *signer,
                                 guint64           *next_counter,
                                 GError           **error)
{
  g_auto(SottoCounterState) state = { 0 };
  g_auto(SottoDbStatement) stmt = NULL;
  gboolean found = FALSE;

  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), FALSE);
  g_return_val_if_fail (room != NULL && sender != NULL && signer != NULL, FALSE);
  g_return_val_if_fail (next_counter != NULL, FALSE);

  if (!_sotto_client_store_require_unlocked (self, error) ||
      (stmt = sotto_db_statement (self->db, STMT_MIN_PENDING_COUNTER, error)) == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, room, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, sender, -1, SQLITE_STATIC);
  if (!sotto_db_step_row (self->db, stmt, &found, _("Could not read the history"), error))
    return FALSE;
  if (found && sqlite3_column_type (stmt, 0) != SQLITE_NULL && sqlite3_column_int64 (stmt, 0) > 0)
    {
      *next_counter = (guint64) sqlite3_column_int64 (stmt, 0);
      return TRUE;
    }

  if (!read_counters (self, room, sender, signer, &state, error))
    return FALSE;
  *next_counter = state.floor + 1;
  return TRUE;
}

/**
 * sotto_client_store_set_message_order:
 * @self: a #SottoClientStore
 * @room: the room
 * @sender: the sender
 * @msg_id: the message
 * @counter: its sender's counter
 * @sent_at: its sender's time, in ms since the epoch
 * @marks: #SottoMessageMarks
 * @signer: (nullable) (array fixed-size=32): the sender's device whose
 *   counter it is, %NULL for a sender's only one
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
sotto_client_store_set_message_order (SottoClientStore  *self,
                                      const char        *room,
                                      const char        *sender,
                                      const char        *msg_id,
                                      guint64            counter,
                                      gint64             sent_at,
                                      guint              marks,
                                      const guint8      *signer,
                                      GError           **error)
{
  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), FALSE);
  g_return_val_if_fail (room != NULL && sender != NULL && msg_id != NULL, FALSE);

  return _sotto_client_store_require_unlocked (self, error) &&
         update_order (self, room, sender, msg_id, counter, sent_at, marks, signer, error);
}

/**
 * sotto_client_store_mark_gap:
 * @self: a #SottoClientStore
 * @room: the room
 * @sender: the sender
 * @counter: the counter of the message that came after the gap
 * @missing: how many messages before it never came
 * @signer: (nullable) (array fixed-size=32): the device whose counters
 *   these are; a message of another device never says so
 * @msg_id: (out) (optional) (transfer full): the message that now says so,
 *   or %NULL if no message has @counter
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
sotto_client_store_mark_gap (SottoClientStore  *self,
                             const char        *room,
                             const char        *sender,
                             guint64            counter,
                             guint64            missing,
                             const guint8      *signer,
                             char             **msg_id,
                             GError           **error)
{
  g_auto(SottoDbStatement) stmt = NULL;
  gboolean found = FALSE;

  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), FALSE);
  g_return_val_if_fail (room != NULL && sender != NULL, FALSE);

  if (msg_id != NULL)
    *msg_id = NULL;

  if (!_sotto_client_store_require_unlocked (self, error) ||
      (stmt = sotto_db_statement (self->db, STMT_MARK_GAP, error)) == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, room, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, sender, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, (gint64) MIN (counter, (guint64) G_MAXINT64));
  sqlite3_bind_int64 (stmt, 4, (gint64) MIN (missing, (guint64) G_MAXINT64));
  bind_signer (stmt, 5, signer);

  if (!sotto_db_step_row (self->db, stmt, &found, _("Could not save a message"), error))
    return FALSE;
  if (found && msg_id != NULL)
    *msg_id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));

  /* RETURNING: the statement is done only once stepped to the end. */
  return !found || sotto_db_step_done (self->db, stmt, _("Could not save a message"), error);
}

/* The count one of the counting statements gives for @room and @sender,
 * and @n_extra more numbers bound after them; -1 on error. */
static gint64
count_for (SottoClientStore           *self,
           SottoClientStoreStatement   id,
           const char                 *room,
           const char                 *sender,
           const gint64               *extra,
           guint                       n_extra,
           const guint8               *signer,
           GError                    **error)
{
  g_auto(SottoDbStatement) stmt = NULL;
  gint64 count = -1;

  if (!_sotto_client_store_require_unlocked (self, error) ||
      (stmt = sotto_db_statement (self->db, id, error)) == NULL)
    return -1;

  sqlite3_bind_text (stmt, 1, room, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, sender, -1, SQLITE_STATIC);
  for (guint i = 0; i < n_extra; i++)
    sqlite3_bind_int64 (stmt, 3 + (int) i, extra[i]);
  if (id == STMT_COUNT_OVERTAKEN)
    bind_signer (stmt, 3 + (int) n_extra, signer);
  if (!sotto_db_step_int64 (self->db, stmt, &count, _("Could not read the history"), error))
    return -1;

  return count;
}

/**
 * sotto_client_store_count_overtaken:
 * @self: a #SottoClientStore
 * @room: the room
 * @sender: the sender
 * @counter: a message's counter
 * @seq: the number the server gave it
 * @signer: (nullable) (array fixed-size=32): the device whose counter
 *   @counter is; messages of its other devices do not count
 * @error: return location for a #GError
 *
 * Returns: how many stored messages of @sender in @room the server
 *   numbered before @seq although @sender wrote them after @counter (the
 *   server reordered them), or -1 on error
 */
gint64
sotto_client_store_count_overtaken (SottoClientStore  *self,
                                    const char        *room,
                                    const char        *sender,
                                    guint64            counter,
                                    gint64             seq,
                                    const guint8      *signer,
                                    GError           **error)
{
  const gint64 extra[] = { (gint64) MIN (counter, (guint64) G_MAXINT64), seq };

  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), -1);

  return count_for (self, STMT_COUNT_OVERTAKEN, room, sender, extra, G_N_ELEMENTS (extra),
                    signer, error);
}

/**
 * sotto_client_store_count_waiting:
 * @self: a #SottoClientStore
 * @room: the room
 * @sender: the sender
 * @error: return location for a #GError
 *
 * Returns: how many messages of @sender in @room wait for a key, or -1 on
 *   error
 */
gint64
sotto_client_store_count_waiting (SottoClientStore  *self,
                                  const char        *room,
                                  const char        *sender,
                                  GError           **error)
{
  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), -1);

  return count_for (self, STMT_COUNT_WAITING, room, sender, NULL, 0, NULL, error);
}
