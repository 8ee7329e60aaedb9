/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include "sotto-db.h"
#include "sotto-store.h"

G_BEGIN_DECLS

/* The store's cached statements, by id; their SQL is in
 * sotto-store-schema.c. */
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
  STMT_ADD_BAN,
  STMT_REMOVE_BAN,
  STMT_IS_BANNED,
  STMT_LOAD_BANS,
  STMT_APPEND_STATE,
  STMT_READ_STATE,
  STMT_STATE_LENGTH,
  STMT_SET_PREKEY_BUNDLE,
  STMT_GET_PREKEY_BUNDLE,
  STMT_ADD_ONE_TIME_PREKEY,
  STMT_HAS_ONE_TIME_PREKEY,
  STMT_COUNT_ONE_TIME_PREKEYS,
  STMT_TAKE_ONE_TIME_PREKEY,
  STMT_SET_DEVICE_LIST,
  STMT_GET_DEVICE_LIST,
  STMT_FORGET_DEVICE_LIST,
  STMT_ADD_DEVICE,
  STMT_REMOVE_DEVICE,
  STMT_LOAD_DEVICES,
  STMT_SET_DEVICE_SEEN,
  STMT_QUEUE_HISTORY,
  STMT_PENDING_HISTORY,
  STMT_ACK_HISTORY,
  STMT_HISTORY_BYTES,
  STMT_ADD_BLOB,
  STMT_FIND_BLOB,
  STMT_SET_BLOB_COMPLETE,
  STMT_DELETE_BLOB,
  STMT_BLOB_BYTES,
  STMT_OLD_BLOBS,
  N_STMTS
} SottoStoreStatementId;

/* sotto-store-schema.c */
extern const SottoDbSchema _sotto_store_schema;

/* sotto-store.c */
SottoDb      *_sotto_store_get_db          (SottoStore             *self);
sqlite3_stmt *_sotto_store_statement       (SottoStore             *self,
                                            SottoStoreStatementId   id,
                                            GError                **error);
sqlite3_stmt *_sotto_store_write_statement (SottoStore             *self,
                                            SottoStoreStatementId   id,
                                            GError                **error);
gint64        _sotto_store_now_ms          (void);

/* sotto-store-async.c: the tasks of the async calls, and their answers,
 * each handed over once the batch open at the call is committed */
GTask        *_sotto_store_task_new        (SottoStore             *self,
                                            gpointer                source_tag,
                                            GCancellable           *cancellable,
                                            GAsyncReadyCallback     callback,
                                            gpointer                user_data);
gboolean      _sotto_store_result_is_valid (SottoStore             *self,
                                            GAsyncResult           *result,
                                            gpointer                source_tag);
void          _sotto_store_answer_boolean  (SottoStore             *self,
                                            GTask                  *task,
                                            gboolean                value);
void          _sotto_store_answer_int      (SottoStore             *self,
                                            GTask                  *task,
                                            gssize                  value);
void          _sotto_store_answer_pointer  (SottoStore             *self,
                                            GTask                  *task,
                                            gpointer                value,
                                            GDestroyNotify          value_free);
void          _sotto_store_answer_error    (SottoStore             *self,
                                            GTask                  *task,
                                            GError                 *error);

/* sotto-store-checkpoint.c: checkpoints on a thread of their own */
typedef struct _SottoStoreCheckpointer SottoStoreCheckpointer;

SottoStoreCheckpointer *_sotto_store_checkpointer_new      (SottoDb                *db,
                                                            const char             *path,
                                                            GError                **error);
void                    _sotto_store_checkpointer_free     (SottoStoreCheckpointer *self,
                                                            SottoDb                *db);

G_END_DECLS
