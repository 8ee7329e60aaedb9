/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "sotto-client-enums.h"
#include "sotto-identity.h"

G_BEGIN_DECLS

/**
 * SottoIdentityReview:
 * @SOTTO_IDENTITY_REVIEW_NONE: nothing to look at
 * @SOTTO_IDENTITY_REVIEW_NOTICE: the contact's keys changed and the user
 *   has not looked yet; sending goes on, under a new sender key
 * @SOTTO_IDENTITY_REVIEW_BLOCKING: the keys of a contact the user had
 *   verified changed: nothing is sent to rooms they share, and they get no
 *   key, until the user compares safety numbers again or accepts the new
 *   keys
 *
 * What a change of a contact's identity keys asks of the user. The values
 * are stored on disk.
 */
typedef enum
{
  SOTTO_IDENTITY_REVIEW_NONE = 0,
  SOTTO_IDENTITY_REVIEW_NOTICE = 1,
  SOTTO_IDENTITY_REVIEW_BLOCKING = 2,
} SottoIdentityReview;

/**
 * SottoMemberStanding:
 * @SOTTO_MEMBER_STANDING_UNCONFIRMED: the server lists them, but the room's
 *   signed state does not hold them with these keys (yet): they get no key
 * @SOTTO_MEMBER_STANDING_CONFIRMED: the room's signed state holds them with
 *   the keys the server shows
 * @SOTTO_MEMBER_STANDING_REFUSED: the room's signed state keeps them out
 *   (banned, or not invited to an invite-only room): the server lists them
 *   against the room's rules, and they get nothing
 *
 * Whether a member the server lists is one by the room's own signed
 * events, which the server cannot write.
 */
typedef enum
{
  SOTTO_MEMBER_STANDING_UNCONFIRMED = 0,
  SOTTO_MEMBER_STANDING_CONFIRMED = 1,
  SOTTO_MEMBER_STANDING_REFUSED = 2,
} SottoMemberStanding;

/**
 * SottoMemberRole:
 * @SOTTO_MEMBER_ROLE_MEMBER: a member, who writes and reads
 * @SOTTO_MEMBER_ROLE_MODERATOR: also invites, bans those below them and
 *   opens or closes the room
 * @SOTTO_MEMBER_ROLE_OWNER: also gives roles; whoever created the room
 *
 * What a member may do in a room, by its signed state. The values are
 * those of the room's events.
 */
typedef enum
{
  SOTTO_MEMBER_ROLE_MEMBER = 0,
  SOTTO_MEMBER_ROLE_MODERATOR = 50,
  SOTTO_MEMBER_ROLE_OWNER = 100,
} SottoMemberRole;

#define SOTTO_TYPE_MEMBER (sotto_member_get_type ())

G_DECLARE_FINAL_TYPE (SottoMember, sotto_member, SOTTO, MEMBER, GObject)

SottoMember               *sotto_member_new          (const char                *user,
                                                      const SottoPublicIdentity *identity,
                                                      gboolean                   online);
const char                *sotto_member_get_user     (SottoMember               *self);
const SottoPublicIdentity *sotto_member_get_identity (SottoMember               *self);
void                       sotto_member_set_identity (SottoMember               *self,
                                                      const SottoPublicIdentity *identity);
gboolean                   sotto_member_get_online   (SottoMember               *self);
void                       sotto_member_set_online   (SottoMember               *self,
                                                      gboolean                   online);

gboolean                   sotto_member_get_verified (SottoMember               *self);
void                       sotto_member_set_verified (SottoMember               *self,
                                                      gboolean                   verified);
SottoIdentityReview        sotto_member_get_review   (SottoMember               *self);
SottoMemberStanding        sotto_member_get_standing (SottoMember               *self);
void                       sotto_member_set_standing (SottoMember               *self,
                                                      SottoMemberStanding        standing);
SottoMemberRole            sotto_member_get_role     (SottoMember               *self);
void                       sotto_member_set_role     (SottoMember               *self,
                                                      SottoMemberRole            role);
guint                      sotto_member_get_devices  (SottoMember               *self);
void                       sotto_member_set_devices  (SottoMember               *self,
                                                      guint                      devices);
void                       sotto_member_set_review   (SottoMember               *self,
                                                      SottoIdentityReview        review);

G_END_DECLS
