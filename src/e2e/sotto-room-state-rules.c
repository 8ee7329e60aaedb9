/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-e2e-private.h"
#include "sotto-room-state-private.h"

/* The rules of a room: who may make which event, checked by every member
 * against the state before it, and what each event changes. */

static gboolean
forbidden (GError     **error,
           const char  *why)
{
  g_set_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_FORBIDDEN,
               _("The room’s rules do not allow this event: %s"), why);
  return FALSE;
}

static int
role_of (SottoRoomState *self,
         const char     *user)
{
  Member *member = user != NULL ? g_hash_table_lookup (self->members, user) : NULL;

  return member != NULL ? member->role : -1;
}

static gboolean
may_be_member (SottoRoomState *self,
               const char     *user)
{
  return self->only == NULL || g_strv_contains ((const char * const *) self->only, user);
}

void
_sotto_room_state_ban_free (Ban *ban)
{
  g_free (ban->by);
  g_free (ban);
}

/* Why @user is banned, BANNED_BY_* or 0. */
static int
banned_why (SottoRoomState *self,
            const char     *user)
{
  Ban *ban = g_hash_table_lookup (self->banned, user);

  return ban != NULL ? ban->why : 0;
}

static void
ban (SottoRoomState       *self,
     const SottoRoomEvent *event,
     int                   why)
{
  Ban *ban = g_hash_table_lookup (self->banned, event->subject);

  g_hash_table_remove (self->members, event->subject);
  g_hash_table_remove (self->invited, event->subject);
  if (ban == NULL)
    {
      ban = g_new0 (Ban, 1);
      g_hash_table_insert (self->banned, g_strdup (event->subject), ban);
    }
  ban->why |= why;
  if (why == BANNED_BY_MEMBER)
    {
      g_free (ban->by);
      ban->by = g_strdup (event->actor);
      ban->time = event->time;
    }
}

static void
unban (SottoRoomState *self,
       const char     *user,
       int             why)
{
  Ban *ban = g_hash_table_lookup (self->banned, user);

  if (ban == NULL)
    return;
  ban->why &= ~why;
  if (ban->why == 0)
    g_hash_table_remove (self->banned, user);
  else if (why == BANNED_BY_MEMBER)
    g_clear_pointer (&ban->by, g_free);
}

static void
add_member (SottoRoomState            *self,
            const char                *user,
            const SottoPublicIdentity *identity,
            int                        role)
{
  Member *member = g_new0 (Member, 1);

  member->identity = *identity;
  member->role = role;
  g_hash_table_insert (self->members, g_strdup (user), member);
}

/* Whether the actor of @event is who they say: the server for its bans,
 * the joining identity for creation and joins, a member's own key for
 * everything else. */
gboolean
_sotto_room_state_check_actor (SottoRoomState        *self,
             const SottoRoomEvent  *event,
             GError               **error)
{
  Member *member;

  switch (event->type)
    {
    case SOTTO_ROOM_EVENT_SERVER_BAN:
    case SOTTO_ROOM_EVENT_SERVER_UNBAN:
      if (event->actor[0] != '\0' || !self->has_server_key ||
          sodium_memcmp (event->actor_key, self->server_key, sizeof self->server_key) != 0)
        return forbidden (error, _("only the server signs the operator’s bans"));
      return TRUE;

    case SOTTO_ROOM_EVENT_CREATE:
    case SOTTO_ROOM_EVENT_JOIN:
      if (event->actor[0] == '\0' || !event->has_identity || event->subject != NULL ||
          memcmp (event->identity.sign_pk, event->actor_key, sizeof event->actor_key) != 0)
        return forbidden (error, _("a member joins in their own name, with their own keys"));
      return TRUE;

    default:
      member = g_hash_table_lookup (self->members, event->actor);
      if (member == NULL || event->has_identity ||
          memcmp (member->identity.sign_pk, event->actor_key, sizeof event->actor_key) != 0)
        return forbidden (error, _("only a member, with their keys, acts in the room"));
      return TRUE;
    }
}

gboolean
_sotto_room_state_check_rules (SottoRoomState        *self,
             const SottoRoomEvent  *event,
             GError               **error)
{
  int actor_role = role_of (self, event->actor);
  Member *joining;

  switch (event->type)
    {
    case SOTTO_ROOM_EVENT_CREATE:
      if (!may_be_member (self, event->actor) || event->value < 0 ||
          event->value > (SOTTO_ROOM_CREATE_INVITE_ONLY | SOTTO_ROOM_CREATE_UNOWNED))
        return forbidden (error, _("this room is not theirs to make"));
      return TRUE;

    case SOTTO_ROOM_EVENT_JOIN:
      joining = g_hash_table_lookup (self->members, event->actor);
      if (joining != NULL &&
          sotto_public_identity_equal (&joining->identity, &event->identity))
        return forbidden (error, _("they are a member already"));
      if (g_hash_table_contains (self->banned, event->actor))
        return forbidden (error, _("they are banned"));
      if (!may_be_member (self, event->actor))
        return forbidden (error, _("a direct chat holds its two people only"));
      if (joining == NULL && self->invite_only &&
          !g_hash_table_contains (self->invited, event->actor))
        return forbidden (error, _("the room is invite-only"));
      if (joining == NULL && g_hash_table_size (self->members) >= SOTTO_ROOM_STATE_MAX_MEMBERS)
        return forbidden (error, _("the room is full"));
      return TRUE;

    case SOTTO_ROOM_EVENT_LEAVE:
      if (event->subject != NULL)
        return forbidden (error, _("one leaves only oneself"));
      return TRUE;

    case SOTTO_ROOM_EVENT_INVITE:
      if (actor_role < SOTTO_ROOM_ROLE_MODERATOR || event->subject == NULL ||
          g_hash_table_contains (self->members, event->subject) ||
          g_hash_table_contains (self->banned, event->subject) ||
          !may_be_member (self, event->subject))
        return forbidden (error, _("only a moderator invites someone who may join"));
      return TRUE;

    case SOTTO_ROOM_EVENT_BAN:
      if (actor_role < SOTTO_ROOM_ROLE_MODERATOR || event->subject == NULL ||
          g_str_equal (event->subject, event->actor) ||
          role_of (self, event->subject) >= actor_role)
        return forbidden (error, _("only a moderator bans, and only those below them"));
      return TRUE;

    case SOTTO_ROOM_EVENT_UNBAN:
      if (actor_role < SOTTO_ROOM_ROLE_MODERATOR || event->subject == NULL ||
          (banned_why (self, event->subject) & BANNED_BY_MEMBER) == 0)
        return forbidden (error, _("only a moderator lifts a moderator’s ban"));
      return TRUE;

    case SOTTO_ROOM_EVENT_SET_ROLE:
      if (actor_role < SOTTO_ROOM_ROLE_OWNER || event->subject == NULL ||
          role_of (self, event->subject) < 0 ||
          (role_of (self, event->subject) >= SOTTO_ROOM_ROLE_OWNER &&
           !g_str_equal (event->subject, event->actor)) ||
          (event->value != SOTTO_ROOM_ROLE_MEMBER && event->value != SOTTO_ROOM_ROLE_MODERATOR &&
           event->value != SOTTO_ROOM_ROLE_OWNER))
        return forbidden (error, _("only an owner gives roles, and not over another owner"));
      return TRUE;

    case SOTTO_ROOM_EVENT_SET_INVITE_ONLY:
      if (actor_role < SOTTO_ROOM_ROLE_MODERATOR || (event->value != 0 && event->value != 1))
        return forbidden (error, _("only a moderator opens or closes the room"));
      return TRUE;

    case SOTTO_ROOM_EVENT_SERVER_BAN:
      if (event->subject == NULL)
        return forbidden (error, _("a ban names someone"));
      return TRUE;

    case SOTTO_ROOM_EVENT_SERVER_UNBAN:
      if (event->subject == NULL ||
          (banned_why (self, event->subject) & BANNED_BY_SERVER) == 0)
        return forbidden (error, _("the operator lifts only their own ban"));
      return TRUE;

    default:
      g_assert_not_reached ();
    }
}

void
_sotto_room_state_perform (SottoRoomState       *self,
         const SottoRoomEvent *event)
{
  switch (event->type)
    {
    case SOTTO_ROOM_EVENT_CREATE:
      add_member (self, event->actor, &event->identity,
                  (event->value & SOTTO_ROOM_CREATE_UNOWNED) != 0 ? SOTTO_ROOM_ROLE_MEMBER
                                                                  : SOTTO_ROOM_ROLE_OWNER);
      self->invite_only = (event->value & SOTTO_ROOM_CREATE_INVITE_ONLY) != 0;
      break;
    case SOTTO_ROOM_EVENT_JOIN:
      /* New keys start over as a plain member: a role does not follow
       * keys nobody has checked yet. */
      g_hash_table_remove (self->invited, event->actor);
      add_member (self, event->actor, &event->identity, SOTTO_ROOM_ROLE_MEMBER);
      break;
    case SOTTO_ROOM_EVENT_LEAVE:
      g_hash_table_remove (self->members, event->actor);
      break;
    case SOTTO_ROOM_EVENT_INVITE:
      g_hash_table_add (self->invited, g_strdup (event->subject));
      break;
    case SOTTO_ROOM_EVENT_BAN:
      ban (self, event, BANNED_BY_MEMBER);
      break;
    case SOTTO_ROOM_EVENT_UNBAN:
      unban (self, event->subject, BANNED_BY_MEMBER);
      break;
    case SOTTO_ROOM_EVENT_SET_ROLE:
      ((Member *) g_hash_table_lookup (self->members, event->subject))->role = (int) event->value;
      break;
    case SOTTO_ROOM_EVENT_SET_INVITE_ONLY:
      self->invite_only = event->value == 1;
      break;
    case SOTTO_ROOM_EVENT_SERVER_BAN:
      ban (self, event, BANNED_BY_SERVER);
      break;
    case SOTTO_ROOM_EVENT_SERVER_UNBAN:
      unban (self, event->subject, BANNED_BY_SERVER);
      break;
    default:
      g_assert_not_reached ();
    }
}

