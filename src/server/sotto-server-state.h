/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sotto-protocol.h"
#include "sotto-server-config.h"
#include "sotto-server-password-pool.h"
#include "sotto-session.h"
#include "sotto-store.h"
#include "sotto-wire.h"

G_BEGIN_DECLS

/*
 * What the server holds in memory: every account and room, mirrored from
 * the store at start and written through to it. The store is the truth;
 * these are for routing without a query per message.
 *
 * The request handlers (sotto-server-accounts.c, -rooms.c, -relay.c,
 * -state-events.c, -prekeys.c, -devices.c, -links.c, -history.c,
 * -uploads.c, -downloads.c) work on this state,
 * never on the SottoServer that owns it, so they sit below the server
 * and its dispatch table.
 */

typedef struct _SottoRoom SottoRoom;
typedef struct _SottoServerLinks SottoServerLinks;
typedef struct _SottoServerBlobs SottoServerBlobs;

/* Why someone may not join a room again: who banned them (%NULL for the
 * operator) and when, in ms since the epoch. */
typedef struct
{
  char   *banned_by;
  gint64  since;
} SottoRoomBan;

typedef struct
{
  gint64             id;
  char              *name;
  /* The identity its member entries show: one of its devices'. */
  SottoWireIdentity  identity;
  /* Its devices (SottoStoreDevice *, owned), in the order they came. */
  GPtrArray         *devices;
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
  /* The state chain's length counting appends not yet committed, which
   * decides the next index, and its committed length, which is all a
   * catch-up or a "joined" tells. */
  gint64      state_length;
  gint64      state_committed;
  /* Members (SottoUser *, not owned), in join order. */
  GPtrArray  *members;
  /* Account name → SottoRoomBan (both owned), so a join needs no query. */
  GHashTable *banned;
};

/* Failed logins for one account or one address. */
typedef struct
{
  guint   failures;
  gint64  last_failure_us;
  gint64  locked_until_us;
} SottoLoginFailures;

typedef struct
{
  /* The object that owns this state: tasks of the handlers hold it, so
   * the state outlives them. Not a reference. */
  GObject                  *owner;
  /* The owner's, which outlive the state. */
  const SottoServerConfig  *config;
  SottoStore               *store;

  /* name → SottoUser *, owned */
  GHashTable               *users;
  /* name → SottoRoom *, owned */
  GHashTable               *rooms;
  /* account name or peer address → SottoLoginFailures *, owned */
  GHashTable               *account_failures;
  GHashTable               *address_failures;
  /* "room\nsender\nmsg_id" → seq of a message written but not committed */
  GHashTable               *uncommitted_messages;
  /* Argon2id runs here, a few at a time (sotto-server-accounts.c). */
  SottoPasswordPool        *password_pool;
  /* The owner's, cancelled before this state is freed: for work that
   * must finish even if the connection that asked for it ends. */
  GCancellable             *cancellable;
  /* The links waiting for an approval, in memory only
   * (sotto-server-links.c); the owner makes it and ends it. */
  SottoServerLinks         *links;
  /* The blobs' uploads and downloads (sotto-server-blobs.c); the owner
   * makes it and ends it. */
  SottoServerBlobs         *blobs;
  /* Set once the server stops: nobody hears of the users going offline. */
  gboolean                  stopping;
} SottoServerState;

SottoServerState *_sotto_server_state_new          (GObject           *owner);
void              _sotto_server_state_close        (SottoServerState  *self);
void              _sotto_server_state_free         (SottoServerState  *self);
gboolean          _sotto_server_state_load         (SottoServerState  *self,
                                                    GError           **error);

SottoUser        *_sotto_user_new                  (gint64                   id,
                                                    const char              *name,
                                                    const SottoWireIdentity *identity);
void              _sotto_user_free                 (SottoUser         *user);
SottoStoreDevice *_sotto_user_find_device          (SottoUser               *user,
                                                    const guint8            *sign_pk);
SottoStoreDevice *_sotto_user_get_device           (SottoUser               *user,
                                                    gint64                   device_id);
SottoStoreDevice *_sotto_user_lookup_device        (SottoUser               *user,
                                                    const SottoWireIdentity *identity);
SottoStoreDevice *_sotto_user_shown_device         (SottoUser               *user);
gboolean          _sotto_user_load_devices         (SottoUser               *user,
                                                    SottoStore              *store,
                                                    GError                 **error);
SottoRoom        *_sotto_room_new                  (gint64             id,
                                                    const char        *name,
                                                    gboolean           direct,
                                                    const char        *owner,
                                                    gint64             last_seq);
void              _sotto_room_free                 (SottoRoom         *room);
gboolean          _sotto_room_has_member           (SottoRoom         *room,
                                                    SottoUser         *user);
void              _sotto_room_add_member           (SottoRoom         *room,
                                                    SottoUser         *user);
void              _sotto_room_remove_member        (SottoRoom         *room,
                                                    SottoUser         *user);
gboolean          _sotto_room_is_banned            (SottoRoom         *room,
                                                    SottoUser         *user);
void              _sotto_room_add_ban              (SottoRoom         *room,
                                                    const char        *user,
                                                    const char        *banned_by,
                                                    gint64             since);

gint64            _sotto_server_now_ms             (void);
SottoUser        *_sotto_server_lookup_user        (SottoServerState  *self,
                                                    const char        *name);
SottoRoom        *_sotto_server_lookup_room        (SottoServerState  *self,
                                                    const char        *name);
SottoRoom        *_sotto_server_lookup_member_room (SottoServerState  *self,
                                                    SottoSession      *session,
                                                    SottoMsg          *msg);
void              _sotto_server_send_to_user       (SottoServerState  *self,
                                                    SottoUser         *user,
                                                    GBytes            *message,
                                                    SottoSession      *except);
SottoStoreDevice *_sotto_server_request_device     (SottoServerState  *self,
                                                    SottoSession      *session,
                                                    SottoMsg          *msg,
                                                    SottoUser         *user);
void              _sotto_server_send_to_contacts   (SottoServerState  *self,
                                                    SottoUser         *user,
                                                    GBytes            *message);
void              _sotto_server_send_to_device     (SottoServerState  *self,
                                                    SottoUser         *user,
                                                    gint64             device_id,
                                                    GBytes            *message);
void              _sotto_server_send_to_room       (SottoServerState  *self,
                                                    SottoRoom         *room,
                                                    GBytes            *message,
                                                    SottoSession      *except);
void              _sotto_server_reply_error        (SottoServerState  *self,
                                                    SottoSession      *session,
                                                    SottoMsg          *msg,
                                                    SottoMsgErrorCode  code,
                                                    const char        *message);
void              _sotto_server_reply_store_error  (SottoServerState  *self,
                                                    SottoSession      *session,
                                                    SottoMsg          *msg,
                                                    const GError      *error);
void              _sotto_server_reply_store_error_to (SottoServerState *self,
                                                      SottoSession     *session,
                                                      const char       *request_id,
                                                      const GError     *error);
/* A request answered once the store has committed what it wrote for it. */
typedef struct
{
  SottoServerState *server;
  SottoSession     *session;
  SottoMsg         *msg;
  /* What the answer is about (a user or a room), looked up again then. */
  char             *name;
  /* The answer, when it is known before the commit. */
  GBytes           *reply;
} SottoPendingReply;

void              _sotto_server_answer_after_commit (SottoServerState       *self,
                                                     SottoSession           *session,
                                                     SottoMsg               *msg,
                                                     const char             *name,
                                                     GBytes                 *reply,
                                                     SottoStoreCommittedFunc answer);
/* A request whose answer waits on an async store call: the client's
 * later requests are held from _sotto_held_request_new() until it is
 * freed. A handler that keeps more puts this first in a larger struct. */
typedef struct
{
  SottoServerState *server;
  SottoSession     *session;
  /* (nullable): none for what the server does at login unasked */
  SottoMsg         *msg;
  /* (nullable): what the answer is about (a room or a user) */
  char             *name;
} SottoHeldRequest;

gpointer          _sotto_held_request_new          (SottoServerState  *self,
                                                    SottoSession      *session,
                                                    SottoMsg          *msg,
                                                    const char        *name,
                                                    gsize              size);
void              _sotto_held_request_free         (gpointer           request);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SottoHeldRequest, _sotto_held_request_free)

void              _sotto_server_user_online        (SottoServerState  *self,
                                                    SottoUser         *user,
                                                    SottoSession      *session);
void              _sotto_server_user_offline       (SottoServerState  *self,
                                                    SottoUser         *user,
                                                    SottoSession      *session);
void              _sotto_server_note_device_seen   (SottoServerState  *self,
                                                    SottoUser         *user,
                                                    gint64             device_id);

G_END_DECLS
