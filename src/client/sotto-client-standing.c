/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-client-private.h"

/*
 * What a room's signed state (kept by sotto-client-state.c) says of the
 * people in it: where each member the server lists stands and what role
 * they have, who is banned and by whom, our own role, and whether the
 * state keeps us out, in which case we leave.
 */

/* Where a member the server lists in @room stands by its signed state,
 * and their role there: set on @member. */
void
_sotto_client_place_member (SottoClient *self,
                            SottoRoom   *room,
                            SottoMember *member)
{
  gboolean broken = FALSE;
  SottoRoomState *state = _sotto_client_room_state (self, room, &broken);
  const char *user = sotto_member_get_user (member);
  SottoMemberStanding standing = SOTTO_MEMBER_STANDING_UNCONFIRMED;
  SottoPublicIdentity held;
  int role = SOTTO_MEMBER_ROLE_MEMBER;

  if (state == NULL || sotto_room_state_get_length (state) == 0)
    standing = SOTTO_MEMBER_STANDING_UNCONFIRMED;
  else if (sotto_room_state_get_member (state, user, &held, &role))
    standing = sotto_public_identity_equal (&held, sotto_member_get_identity (member))
               ? SOTTO_MEMBER_STANDING_CONFIRMED : SOTTO_MEMBER_STANDING_UNCONFIRMED;
  else if (sotto_room_state_is_banned (state, user) ||
           (sotto_room_state_get_invite_only (state) &&
            !sotto_room_state_is_invited (state, user)))
    standing = SOTTO_MEMBER_STANDING_REFUSED;

  /* A role counts for the keys the state holds, not for others. */
  if (standing != SOTTO_MEMBER_STANDING_CONFIRMED)
    role = SOTTO_MEMBER_ROLE_MEMBER;
  sotto_member_set_standing (member, standing);
  sotto_member_set_role (member, (SottoMemberRole) role);
}

/**
 * _sotto_client_kept_out:
 * @banned: (out) (optional): whether a ban keeps us out
 *
 * Whether @room's signed state keeps us out, now that the chain is as
 * long as the server said: banned, or not invited to an invite-only room,
 * and not a member. Returns (transfer full) (nullable): why, in a
 * sentence for the user, or %NULL if it does not
 */
char *
_sotto_client_kept_out (SottoClient *self,
                        SottoRoom   *room,
                        gboolean    *banned)
{
  gboolean broken = FALSE;
  SottoRoomState *state = _sotto_client_room_state (self, room, &broken);
  const char *label = sotto_room_get_display_name (room);
  const char *by = NULL;

  if (banned != NULL)
    *banned = FALSE;
  if (state == NULL || broken || sotto_room_state_get_length (state) == 0 ||
      sotto_room_state_get_member (state, self->user, NULL, NULL))
    return NULL;

  if (sotto_room_state_get_ban (state, self->user, &by, NULL))
    {
      if (banned != NULL)
        *banned = TRUE;
      if (by == NULL)
        /* Translators: %s is a room */
        return g_strdup_printf (_("The server’s operator removed you from %s; you cannot join "
                                  "it again unless they let you back"), label);
      /* Translators: the first %s is a moderator, the second a room */
      return g_strdup_printf (_("%s removed you from %s; you cannot join it again unless one "
                                "of its moderators lets you back"), by, label);
    }

  if (sotto_room_state_get_invite_only (state) &&
      !sotto_room_state_is_invited (state, self->user))
    /* Translators: %s is a room */
    return g_strdup_printf (_("%s is invite-only: ask one of its moderators to invite you"),
                            label);

  return NULL;
}

/* @member of @room went from @before to its standing now: a newly
 * confirmed member gets our keys, one no longer confirmed ends our key,
 * and one the rules keep out is told of. */
void
_sotto_client_standing_changed (SottoClient         *self,
                                SottoRoom           *room,
                                SottoMember         *member,
                                SottoMemberStanding  before)
{
  SottoMemberStanding now = sotto_member_get_standing (member);
  const char *user = sotto_member_get_user (member);

  if (now == before || g_strcmp0 (user, self->user) == 0)
    return;

  if (before == SOTTO_MEMBER_STANDING_CONFIRMED)
    _sotto_client_rotate_own_key (self, room);

  if (now == SOTTO_MEMBER_STANDING_CONFIRMED)
    {
      _sotto_client_hand_over_held_keys (self, room, member);
      _sotto_client_replay_early_keys (self, room);
    }
  else if (now == SOTTO_MEMBER_STANDING_REFUSED)
    _sotto_client_drop_held_keys (self, sotto_room_get_name (room), user);
}

/* The server lists @member, whom @room's signed state keeps out: said
 * once in the room. A ban of someone still listed is not told here: the
 * server's word that they were removed follows it. */
void
_sotto_client_tell_refused (SottoClient *self,
                            SottoRoom   *room,
                            SottoMember *member)
{
  const char *user = sotto_member_get_user (member);
  g_autofree char *line = NULL;

  g_info ("The server lists %s in %s against the room’s signed state", user,
          sotto_room_get_name (room));
  /* Someone uninvited who joins through an honest server leaves again at
   * once: nothing is wrong with the server then. A banned member listed
   * again is the server's doing. */
  if (_sotto_client_state_bans (self, sotto_room_get_name (room), user))
    line = g_strdup_printf (_("%s is in this room by the server’s records, but the room’s own "
                              "signed history keeps them out: they were banned. Sotto does not "
                              "take them in: nothing written here reaches %s."),
                            user, user);
  else
    line = g_strdup_printf (_("%s joined, but this room is invite-only and nobody invited them. "
                              "Sotto does not take them in: nothing written here reaches %s."),
                            user, user);
  sotto_room_tell_once (room, line);
}

/* Sets every listed member's standing from the chain as it is now, and
 * what the room shows of its state. */
void
_sotto_client_update_standings (SottoClient *self,
                                SottoRoom   *room)
{
  GListModel *members = sotto_room_get_members (room);
  gboolean broken = FALSE;
  SottoRoomState *state = _sotto_client_room_state (self, room, &broken);
  int role = -1;

  if (state != NULL && !broken &&
      !sotto_room_state_get_member (state, self->user, NULL, &role))
    role = -1;
  sotto_room_set_signed_state (room, state != NULL &&
                               sotto_room_state_get_invite_only (state), role);

  for (guint i = 0; i < g_list_model_get_n_items (members); i++)
    {
      g_autoptr(SottoMember) member = g_list_model_get_item (members, i);
      SottoMemberStanding before = sotto_member_get_standing (member);

      _sotto_client_place_member (self, room, member);
      _sotto_client_standing_changed (self, room, member, before);
    }
}


/* Whether we may ban @user from @room by its signed state: a moderator
 * bans those below them. */
gboolean
_sotto_client_may_ban (SottoClient *self,
                       const char  *room,
                       const char  *user)
{
  SottoRoom *found = sotto_client_lookup_room (self, room);
  gboolean broken = FALSE;
  SottoRoomState *state = found != NULL ? _sotto_client_room_state (self, found, &broken) : NULL;
  int ours = -1, theirs = -1;

  if (state == NULL || broken || sotto_room_get_direct (found) ||
      !sotto_room_state_get_member (state, self->user, NULL, &ours))
    return FALSE;
  if (!sotto_room_state_get_member (state, user, NULL, &theirs))
    theirs = -1;

  return ours >= SOTTO_ROOM_ROLE_MODERATOR && theirs < ours;
}

/* Whether @room's signed state holds a moderator's ban of @user. */
gboolean
_sotto_client_state_bans (SottoClient *self,
                          const char  *room,
                          const char  *user)
{
  SottoRoom *found = sotto_client_lookup_room (self, room);
  gboolean broken = FALSE;
  SottoRoomState *state = found != NULL ? _sotto_client_room_state (self, found, &broken) : NULL;

  return state != NULL && sotto_room_state_is_banned (state, user);
}

/* Who @room's signed state keeps out, sorted by name, or %NULL. */
GStrv
_sotto_client_dup_state_bans (SottoClient *self,
                              const char  *room)
{
  SottoRoom *found = sotto_client_lookup_room (self, room);
  gboolean broken = FALSE;
  SottoRoomState *state = found != NULL ? _sotto_client_room_state (self, found, &broken) : NULL;

  return state != NULL ? sotto_room_state_dup_banned (state) : NULL;
}

/* Who banned @user from @room by its signed state (%NULL: the operator),
 * and when. */
gboolean
_sotto_client_state_ban_of (SottoClient  *self,
                            const char   *room,
                            const char   *user,
                            const char  **by,
                            gint64       *since)
{
  SottoRoom *found = sotto_client_lookup_room (self, room);
  gboolean broken = FALSE;
  SottoRoomState *state = found != NULL ? _sotto_client_room_state (self, found, &broken) : NULL;

  return state != NULL && sotto_room_state_get_ban (state, user, by, since);
}


/* Our role in @room by its signed state, or -1 if it does not hold us. */
int
_sotto_client_own_role (SottoClient *self,
                        const char  *room)
{
  SottoRoom *found = self->store != NULL ? sotto_client_lookup_room (self, room) : NULL;
  gboolean broken = FALSE;
  SottoRoomState *state = found != NULL ? _sotto_client_room_state (self, found, &broken) : NULL;
  int role = -1;

  if (state == NULL || broken ||
      !sotto_room_state_get_member (state, self->user, NULL, &role))
    return -1;
  return role;
}

/**
 * sotto_client_may_moderate:
 * @room: a room of the user's
 *
 * Returns: whether the room's signed state makes the user a moderator or
 *   owner of @room, who may invite, ban and open or close it
 */
gboolean
sotto_client_may_moderate (SottoClient *self,
                           const char  *room)
{
  g_return_val_if_fail (SOTTO_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (room != NULL, FALSE);

  return _sotto_client_own_role (self, room) >= SOTTO_ROOM_ROLE_MODERATOR;
}

/**
 * sotto_client_get_invite_only:
 * @room: a room of the user's
 *
 * Returns: whether @room's signed state lets in only whom a moderator
 *   invited
 */
gboolean
sotto_client_get_invite_only (SottoClient *self,
                              const char  *room)
{
  SottoRoom *found;
  SottoRoomState *state;

  g_return_val_if_fail (SOTTO_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (room != NULL, FALSE);

  found = self->store != NULL ? sotto_client_lookup_room (self, room) : NULL;
  state = found != NULL ? _sotto_client_room_state (self, found, NULL) : NULL;
  return state != NULL && sotto_room_state_get_invite_only (state);
}
