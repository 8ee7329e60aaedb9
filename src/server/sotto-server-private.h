/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sotto-protocol.h"
#include "sotto-server.h"
#include "sotto-session.h"
#include "sotto-store.h"
#include "sotto-wire.h"

G_BEGIN_DECLS

/*
 * What the server holds in memory: every account and room, mirrored from
 * the store at start and written through to it. The store is the truth;
 * these are for routing without a query per message.
 */

typedef struct _SottoRoom SottoRoom;

typedef struct
{
  gint64             id;
  char              *name;
  SottoWireIdentity  identity;
  /* Online connections of this account (SottoSession *, not owned). */
  GPtrArray         *sessions;
  /* Rooms this account is a member of (SottoRoom *, not owned). */
  GPtrArray         *rooms;
} SottoUser;

struct _SottoRoom
{
  gint64      id;
  char       *name;
  gboolean    direct;
  char       *owner;
  /* The last sequence number handed out, and the last one committed: a
   * catch-up never reads past what is durable. */
  gint64      last_seq;
  gint64      committed_seq;
  /* The server time given to the event numbered last_seq. */
  gint64      last_ts;
  /* Members (SottoUser *, not owned), in join order. */
  GPtrArray  *members;
};

/* Failed logins for one account or one address. */
typedef struct
{
  guint   failures;
  gint64  last_failure_us;
  gint64  locked_until_us;
} SottoLoginFailures;

struct _SottoServer
{
  GSocketService      parent_instance;

  SottoServerConfig  *config;
  SottoServerKey     *key;
  SottoStore         *store;
  GCancellable       *cancellable;

  /* name → SottoUser *, owned */
  GHashTable         *users;
  /* name → SottoRoom *, owned */
  GHashTable         *rooms;
  /* All live sessions (owned), and those closed but not yet forgotten. */
  GPtrArray          *sessions;
  GPtrArray          *closed_sessions;
  guint               drop_id;
  /* account name or peer address → SottoLoginFailures *, owned */
  GHashTable         *account_failures;
  GHashTable         *address_failures;
  /* "room\nsender\nmsg_id" → seq of a message written but not committed */
  GHashTable         *uncommitted_messages;

  GPtrArray          *listen_addresses;
  guint               retention_id;
  GTask              *shutdown_task;
  guint               shutdown_grace_id;
  guint64             next_session_id;
  gboolean            stopping;
  /* Argon2id runs here, a few at a time (sotto-server-accounts.c). */
  GThreadPool        *password_pool;
};

/* sotto-server.c */
SottoUser  *_sotto_server_lookup_user       (SottoServer   *self,
                                             const char    *name);
SottoRoom  *_sotto_server_lookup_room       (SottoServer   *self,
                                             const char    *name);
SottoRoom  *_sotto_server_lookup_member_room (SottoServer *self,
                                              SottoSession *session,
                                              SottoMsg    *msg);
gboolean    _sotto_room_has_member          (SottoRoom     *room,
                                             SottoUser     *user);
void        _sotto_server_send_to_user      (SottoServer   *self,
                                             SottoUser     *user,
                                             GBytes        *message,
                                             SottoSession  *except);
void        _sotto_server_send_to_room      (SottoServer   *self,
                                             SottoRoom     *room,
                                             GBytes        *message,
                                             SottoSession  *except);
gint64      _sotto_server_now_ms            (void);
void        _sotto_server_reply_error       (SottoServer   *self,
                                             SottoSession  *session,
                                             SottoMsg      *msg,
                                             SottoMsgErrorCode code,
                                             const char    *message);
void        _sotto_server_reply_store_error (SottoServer   *self,
                                             SottoSession  *session,
                                             SottoMsg      *msg,
                                             const GError  *error);

/* sotto-server-accounts.c */
void        _sotto_server_accounts_init     (SottoServer   *self);
void        _sotto_server_accounts_finalize (SottoServer   *self);
void        _sotto_server_handle_register   (SottoServer   *self,
                                             SottoSession  *session,
                                             SottoMsg      *msg);
void        _sotto_server_handle_login      (SottoServer   *self,
                                             SottoSession  *session,
                                             SottoMsg      *msg);
void        _sotto_server_user_online       (SottoServer   *self,
                                             SottoUser     *user,
                                             SottoSession  *session);
void        _sotto_server_user_offline      (SottoServer   *self,
                                             SottoUser     *user,
                                             SottoSession  *session);
SottoUser  *_sotto_user_new                 (gint64         id,
                                             const char    *name,
                                             const SottoWireIdentity *identity);
void        _sotto_user_free                (SottoUser     *user);

/* sotto-server-rooms.c */
SottoRoom  *_sotto_room_new                 (gint64         id,
                                             const char    *name,
                                             gboolean       direct,
                                             const char    *owner,
                                             gint64         last_seq);
void        _sotto_room_free                (SottoRoom     *room);
void        _sotto_room_add_member          (SottoRoom     *room,
                                             SottoUser     *user);
void        _sotto_room_remove_member       (SottoRoom     *room,
                                             SottoUser     *user);
gboolean    _sotto_server_join_room         (SottoServer   *self,
                                             SottoUser     *user,
                                             SottoRoom     *room,
                                             GError       **error);
gboolean    _sotto_server_remove_from_room  (SottoServer   *self,
                                             SottoUser     *user,
                                             SottoRoom     *room,
                                             SottoMsgLeaveReason reason,
                                             GError       **error);
gboolean    _sotto_server_append_event      (SottoServer   *self,
                                             SottoRoom     *room,
                                             const char    *sender,
                                             const char    *msg_id,
                                             GBytes      *(*build) (SottoRoom *room,
                                                                    gint64     seq,
                                                                    gint64     ts,
                                                                    gpointer   data),
                                             gpointer       data,
                                             SottoUser     *also,
                                             SottoSession  *except,
                                             GError       **error);
void        _sotto_server_reply_after_commit (SottoServer  *self,
                                              SottoSession *session,
                                              SottoMsg     *msg,
                                              GBytes       *reply);
void        _sotto_server_summarize_rooms   (SottoServer   *self,
                                             SottoUser     *user,
                                             gboolean       all_public,
                                             GArray        *summaries);
void        _sotto_server_handle_join       (SottoServer   *self,
                                             SottoSession  *session,
                                             SottoMsg      *msg);
void        _sotto_server_handle_leave      (SottoServer   *self,
                                             SottoSession  *session,
                                             SottoMsg      *msg);
void        _sotto_server_handle_list_rooms (SottoServer   *self,
                                             SottoSession  *session,
                                             SottoMsg      *msg);
void        _sotto_server_handle_list_members (SottoServer *self,
                                               SottoSession *session,
                                               SottoMsg    *msg);
void        _sotto_server_handle_open_direct (SottoServer  *self,
                                              SottoSession *session,
                                              SottoMsg     *msg);
void        _sotto_server_handle_kick       (SottoServer   *self,
                                             SottoSession  *session,
                                             SottoMsg      *msg);
gboolean    _sotto_server_kick              (SottoServer   *self,
                                             SottoUser     *user,
                                             SottoRoom     *room,
                                             GError       **error);
void        _sotto_server_announce_key_change (SottoServer *self,
                                               SottoUser   *user);

/* sotto-server-relay.c */
void        _sotto_server_handle_send       (SottoServer   *self,
                                             SottoSession  *session,
                                             SottoMsg      *msg);
void        _sotto_server_handle_send_key   (SottoServer   *self,
                                             SottoSession  *session,
                                             SottoMsg      *msg);
void        _sotto_server_handle_ack_keys   (SottoServer   *self,
                                             SottoSession  *session,
                                             SottoMsg      *msg);
void        _sotto_server_handle_catchup    (SottoServer   *self,
                                             SottoSession  *session,
                                             SottoMsg      *msg);
void        _sotto_server_handle_typing     (SottoServer   *self,
                                             SottoSession  *session,
                                             SottoMsg      *msg);
void        _sotto_server_deliver_pending_keys (SottoServer  *self,
                                                SottoSession *session);

G_END_DECLS
