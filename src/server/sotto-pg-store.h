/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define SOTTO_TYPE_PG_STORE (sotto_pg_store_get_type ())

G_DECLARE_FINAL_TYPE (SottoPgStore, sotto_pg_store, SOTTO, PG_STORE, GObject)

/**
 * SottoPgLogRow:
 * @seq: its number in the room
 * @ts: when the server took it, in ms since the epoch
 * @kind: what it is, as the SQLite store keeps it
 * @sender: (nullable): who sent it
 * @msg_id: (nullable): the sender's id for it
 * @body: the event as the server sent it
 */
typedef struct
{
  gint64  seq;
  gint64  ts;
  int     kind;
  char   *sender;
  char   *msg_id;
  GBytes *body;
} SottoPgLogRow;

void sotto_pg_log_row_free (SottoPgLogRow *row);

/**
 * SottoPgAppended:
 * @seq: the event's number in its room, or 0 with @error
 * @duplicate: whether the room held it already (the same sender and
 *   msg_id): @seq is the one it had, and nothing was written
 *
 * Called once the append is committed, or with why not.
 */
typedef void (*SottoPgAppended) (SottoPgStore *store,
                                 gint64        seq,
                                 gboolean      duplicate,
                                 const GError *error,
                                 gpointer      user_data);

/* Called with the rows read, (element-type SottoPgLogRow), or @error. */
typedef void (*SottoPgRowsRead) (SottoPgStore *store,
                                 GPtrArray    *rows,
                                 const GError *error,
                                 gpointer      user_data);

/* Called with a room's id, or 0 with @error. */
typedef void (*SottoPgRoomFound) (SottoPgStore *store,
                                  gint64        room_id,
                                  const GError *error,
                                  gpointer      user_data);

SottoPgStore *sotto_pg_store_new         (const char       *conninfo,
                                          GError          **error);
void          sotto_pg_store_start       (SottoPgStore     *self);
gboolean      sotto_pg_store_is_ready    (SottoPgStore     *self);
void          sotto_pg_store_ensure_room (SottoPgStore     *self,
                                          const char       *name,
                                          gint64            created,
                                          SottoPgRoomFound  done,
                                          gpointer          user_data);
void          sotto_pg_store_append      (SottoPgStore     *self,
                                          gint64            room_id,
                                          gint64            ts,
                                          int               kind,
                                          const char       *sender,
                                          const char       *msg_id,
                                          GBytes           *body,
                                          gsize             seq_at,
                                          SottoPgAppended   done,
                                          gpointer          user_data);
void          sotto_pg_store_read_log    (SottoPgStore     *self,
                                          gint64            room_id,
                                          gint64            after_seq,
                                          guint             limit,
                                          SottoPgRowsRead   done,
                                          gpointer          user_data);

G_END_DECLS
