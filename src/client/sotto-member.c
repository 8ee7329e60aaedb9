/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sotto-member.h"

/* One member of a room: name, public identity keys, presence. */

struct _SottoMember
{
  GObject             parent_instance;

  char               *user;
  SottoPublicIdentity identity;
  gboolean            online;
  gboolean            verified;
  SottoIdentityReview review;
  SottoMemberStanding standing;
  SottoMemberRole     role;
  guint               devices;
};

enum {
  PROP_0,
  PROP_USER,
  PROP_ONLINE,
  PROP_VERIFIED,
  PROP_REVIEW,
  PROP_STANDING,
  PROP_ROLE,
  PROP_DEVICES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (SottoMember, sotto_member, G_TYPE_OBJECT)

static void
sotto_member_finalize (GObject *object)
{
  g_free (SOTTO_MEMBER (object)->user);

  G_OBJECT_CLASS (sotto_member_parent_class)->finalize (object);
}

static void
sotto_member_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  SottoMember *self = SOTTO_MEMBER (object);

  switch (prop_id)
    {
    case PROP_USER:
      g_value_set_string (value, self->user);
      break;
    case PROP_ONLINE:
      g_value_set_boolean (value, self->online);
      break;
    case PROP_VERIFIED:
      g_value_set_boolean (value, self->verified);
      break;
    case PROP_REVIEW:
      g_value_set_enum (value, self->review);
      break;
    case PROP_STANDING:
      g_value_set_enum (value, self->standing);
      break;
    case PROP_ROLE:
      g_value_set_enum (value, self->role);
      break;
    case PROP_DEVICES:
      g_value_set_uint (value, self->devices);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sotto_member_class_init (SottoMemberClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = sotto_member_finalize;
  object_class->get_property = sotto_member_get_property;

  properties[PROP_USER] =
    g_param_spec_string ("user", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_ONLINE] =
    g_param_spec_boolean ("online", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * SottoMember:verified:
   *
   * Whether the user compared safety numbers with this member's current keys.
   */
  properties[PROP_VERIFIED] =
    g_param_spec_boolean ("verified", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * SottoMember:review:
   *
   * What a change of this member's identity keys asks of the user, a
   * #SottoIdentityReview.
   */
  properties[PROP_REVIEW] =
    g_param_spec_enum ("review", NULL, NULL, SOTTO_TYPE_IDENTITY_REVIEW,
                       SOTTO_IDENTITY_REVIEW_NONE,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * SottoMember:standing:
   *
   * Whether the room's signed state holds this member, a
   * #SottoMemberStanding: only confirmed members get the room's keys.
   */
  properties[PROP_STANDING] =
    g_param_spec_enum ("standing", NULL, NULL, SOTTO_TYPE_MEMBER_STANDING,
                       SOTTO_MEMBER_STANDING_UNCONFIRMED,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * SottoMember:role:
   *
   * What this member may do in the room by its signed state, a
   * #SottoMemberRole; a member the state does not hold counts as a plain
   * member.
   */
  properties[PROP_ROLE] =
    g_param_spec_enum ("role", NULL, NULL, SOTTO_TYPE_MEMBER_ROLE, SOTTO_MEMBER_ROLE_MEMBER,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * SottoMember:devices:
   *
   * How many computers the member's account has, by the device list
   * signed by their account key that this client holds; 0 until it holds
   * one. The member is one person whatever the count.
   */
  properties[PROP_DEVICES] =
    g_param_spec_uint ("devices", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sotto_member_init (SottoMember *self)
{
}

SottoMember *
sotto_member_new (const char                *user,
                  const SottoPublicIdentity *identity,
                  gboolean                   online)
{
  SottoMember *self = g_object_new (SOTTO_TYPE_MEMBER, NULL);

  self->user = g_strdup (user);
  self->identity = *identity;
  self->online = online;

  return self;
}

const char *
sotto_member_get_user (SottoMember *self)
{
  g_return_val_if_fail (SOTTO_IS_MEMBER (self), NULL);
  return self->user;
}

const SottoPublicIdentity *
sotto_member_get_identity (SottoMember *self)
{
  g_return_val_if_fail (SOTTO_IS_MEMBER (self), NULL);
  return &self->identity;
}

void
sotto_member_set_identity (SottoMember               *self,
                           const SottoPublicIdentity *identity)
{
  g_return_if_fail (SOTTO_IS_MEMBER (self));
  self->identity = *identity;
}

gboolean
sotto_member_get_online (SottoMember *self)
{
  g_return_val_if_fail (SOTTO_IS_MEMBER (self), FALSE);
  return self->online;
}

void
sotto_member_set_online (SottoMember *self,
                         gboolean     online)
{
  g_return_if_fail (SOTTO_IS_MEMBER (self));

  if (self->online == online)
    return;

  self->online = online;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ONLINE]);
}

gboolean
sotto_member_get_verified (SottoMember *self)
{
  g_return_val_if_fail (SOTTO_IS_MEMBER (self), FALSE);
  return self->verified;
}

void
sotto_member_set_verified (SottoMember *self,
                           gboolean     verified)
{
  g_return_if_fail (SOTTO_IS_MEMBER (self));

  if (self->verified == verified)
    return;

  self->verified = verified;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VERIFIED]);
}

SottoIdentityReview
sotto_member_get_review (SottoMember *self)
{
  g_return_val_if_fail (SOTTO_IS_MEMBER (self), SOTTO_IDENTITY_REVIEW_NONE);
  return self->review;
}

void
sotto_member_set_review (SottoMember         *self,
                         SottoIdentityReview  review)
{
  g_return_if_fail (SOTTO_IS_MEMBER (self));

  if (self->review == review)
    return;

  self->review = review;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REVIEW]);
}

SottoMemberStanding
sotto_member_get_standing (SottoMember *self)
{
  g_return_val_if_fail (SOTTO_IS_MEMBER (self), SOTTO_MEMBER_STANDING_UNCONFIRMED);
  return self->standing;
}

void
sotto_member_set_standing (SottoMember         *self,
                           SottoMemberStanding  standing)
{
  g_return_if_fail (SOTTO_IS_MEMBER (self));

  if (self->standing == standing)
    return;

  self->standing = standing;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STANDING]);
}

SottoMemberRole
sotto_member_get_role (SottoMember *self)
{
  g_return_val_if_fail (SOTTO_IS_MEMBER (self), SOTTO_MEMBER_ROLE_MEMBER);
  return self->role;
}

void
sotto_member_set_role (SottoMember     *self,
                       SottoMemberRole  role)
{
  g_return_if_fail (SOTTO_IS_MEMBER (self));

  if (self->role == role)
    return;

  self->role = role;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ROLE]);
}

guint
sotto_member_get_devices (SottoMember *self)
{
  g_return_val_if_fail (SOTTO_IS_MEMBER (self), 0);
  return self->devices;
}

void
sotto_member_set_devices (SottoMember *self,
                          guint        devices)
{
  g_return_if_fail (SOTTO_IS_MEMBER (self));

  if (self->devices == devices)
    return;
  self->devices = devices;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DEVICES]);
}
