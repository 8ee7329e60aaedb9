/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib.h>

#include "sotto-e2e-error.h"
#include "sotto-identity.h"

G_BEGIN_DECLS

/* The size of a room event's hash (BLAKE2b-256). */
#define SOTTO_ROOM_EVENT_HASH_BYTES 32

/* The largest encoded room event. */
#define SOTTO_ROOM_EVENT_MAX_BYTES 4096

/**
 * SottoRoomEventType:
 * @SOTTO_ROOM_EVENT_CREATE: the first event: the actor makes the room and
 *   is its first member and owner; the value's flags say whether it is
 *   invite-only (%SOTTO_ROOM_CREATE_INVITE_ONLY) and whether nobody owns
 *   it (%SOTTO_ROOM_CREATE_UNOWNED: the server's own rooms and direct
 *   chats, whose first member is a plain member)
 * @SOTTO_ROOM_EVENT_JOIN: the actor becomes a member, with the identity
 *   the event carries
 * @SOTTO_ROOM_EVENT_LEAVE: the actor leaves
 * @SOTTO_ROOM_EVENT_INVITE: a moderator lets the subject join an
 *   invite-only room
 * @SOTTO_ROOM_EVENT_BAN: a moderator removes the subject (a kick) and keeps
 *   them out until unbanned
 * @SOTTO_ROOM_EVENT_UNBAN: a moderator lifts a ban
 * @SOTTO_ROOM_EVENT_SET_ROLE: an owner gives a member a role (the value)
 * @SOTTO_ROOM_EVENT_SET_INVITE_ONLY: a moderator makes the room
 *   invite-only (value 1) or open (0)
 * @SOTTO_ROOM_EVENT_SERVER_BAN: the server's operator removes the subject
 *   and keeps them out; signed with the server's key
 * @SOTTO_ROOM_EVENT_SERVER_UNBAN: the operator lifts their own ban
 *
 * What a room event does. The values are on the wire.
 */
typedef enum
{
  SOTTO_ROOM_EVENT_CREATE = 1,
  SOTTO_ROOM_EVENT_JOIN = 2,
  SOTTO_ROOM_EVENT_LEAVE = 3,
  SOTTO_ROOM_EVENT_INVITE = 4,
  SOTTO_ROOM_EVENT_BAN = 5,
  SOTTO_ROOM_EVENT_UNBAN = 6,
  SOTTO_ROOM_EVENT_SET_ROLE = 7,
  SOTTO_ROOM_EVENT_SET_INVITE_ONLY = 8,
  SOTTO_ROOM_EVENT_SERVER_BAN = 9,
  SOTTO_ROOM_EVENT_SERVER_UNBAN = 10,
} SottoRoomEventType;

/* The flags of a creation's value. */
#define SOTTO_ROOM_CREATE_INVITE_ONLY 1
#define SOTTO_ROOM_CREATE_UNOWNED 2

/**
 * SottoRoomEvent:
 * @type: what the event does
 * @room: the room
 * @index: its place in the room's history, from 0 (the creation)
 * @prev: the hash of the event before it; zero bytes for the creation
 * @time: the actor's clock, in ms since the epoch
 * @actor: the member who made it, or "" for the server
 * @actor_key: the Ed25519 key that signed it: the actor's identity signing
 *   key, or the server's key
 * @subject: (nullable): whom it is about, if anyone
 * @has_identity: whether @identity is set (creation and joins)
 * @identity: the joining member's public identity
 * @value: a role, or the invite-only flag
 *
 * One event of a room's state, signed by its actor and chained to the one
 * before it by hash, so that the server, which stores and relays them,
 * can neither write nor reorder them.
 */
typedef struct
{
  SottoRoomEventType   type;
  char                *room;
  guint64              index;
  guint8               prev[SOTTO_ROOM_EVENT_HASH_BYTES];
  gint64               time;
  char                *actor;
  guint8               actor_key[32];
  char                *subject;
  gboolean             has_identity;
  SottoPublicIdentity  identity;
  gint64               value;
} SottoRoomEvent;

GBytes   *sotto_room_event_seal              (SottoRoomEvent        *event,
                                              SottoIdentity         *actor,
                                              GError               **error);
GBytes   *sotto_room_event_signing_input     (const SottoRoomEvent  *event,
                                              GError               **error);
GBytes   *sotto_room_event_attach_signature  (const SottoRoomEvent  *event,
                                              const guint8          *signature,
                                              GError               **error);
gboolean  sotto_room_event_open              (GBytes                *bytes,
                                              SottoRoomEvent        *event,
                                              GError               **error);
void      sotto_room_event_hash              (GBytes                *bytes,
                                              guint8                *hash);
void      sotto_room_event_clear             (SottoRoomEvent        *event);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SottoRoomEvent, sotto_room_event_clear)

G_END_DECLS
