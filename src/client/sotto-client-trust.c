/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-client-private.h"

/*
 * Who the members are, by their keys: the identity each member shows is
 * recorded in the room and in the contacts; a changed one ends our sender
 * key wherever that member is, and is to be reviewed. The change of a
 * verified contact's keys holds sending, and their key, until the user
 * compares safety numbers again or accepts the new keys.
 */

/* Shows what is known of @user (keys, verified, review) in every room
 * they are in; returns how many rooms that is. */
static guint
update_member_everywhere (SottoClient                *self,
                          const char                 *user,
                          const SottoPublicIdentity  *identity,
                          gboolean                    verified,
                          SottoIdentityReview         review)
{
  GListModel *rooms = G_LIST_MODEL (self->rooms);
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (rooms); i++)
    {
      g_autoptr(SottoRoom) room = g_list_model_get_item (rooms, i);
      SottoMember *member = sotto_room_lookup_member (room, user);

      if (member == NULL)
        continue;
      if (identity != NULL)
        sotto_member_set_identity (member, identity);
      sotto_member_set_verified (member, verified);
      sotto_member_set_review (member, review);
      n++;
    }

  return n;
}

/* Ends our sender key in every room @user is in: what we say next goes
 * under a new key, so keys boxed to their new identity open nothing said
 * before. */
static void
rotate_where (SottoClient *self,
              const char  *user)
{
  GListModel *rooms = G_LIST_MODEL (self->rooms);

  for (guint i = 0; i < g_list_model_get_n_items (rooms); i++)
    {
      g_autoptr(SottoRoom) room = g_list_model_get_item (rooms, i);

      if (sotto_room_lookup_member (room, user) != NULL)
        _sotto_client_rotate_own_key (self, room);
    }
}

/* Whether @user may be in @room at all: a direct chat holds its two
 * people, whatever the server says. */
static gboolean
may_be_member (SottoClient *self,
               SottoRoom   *room,
               const char  *user)
{
  g_autofree char *peer = NULL;

  if (!sotto_room_get_direct (room) || g_strcmp0 (user, self->user) == 0)
    return TRUE;

  peer = sotto_protocol_direct_room_peer (sotto_room_get_name (room), self->user);
  return peer != NULL && g_strcmp0 (peer, user) == 0;
}

/* The server listed someone in a direct chat who cannot be there: they
 * are not taken in, and get nothing. Told once per session and person. */
static void
refuse_intruder (SottoRoom  *room,
                 const char *user)
{
  g_autofree char *line = NULL;

  g_info ("Refused %s in the direct chat %s", user, sotto_room_get_name (room));
  line = g_strdup_printf (_("The server says %s is in this direct chat. Sotto does not take "
                            "it: nothing you write here reaches %s."), user, user);
  sotto_room_tell_once (room, line);
}

/* Records a member's identity in the room and in the contacts. A changed
 * key clears "verified" in the store, is to be reviewed (blocking if the
 * contact had been verified), and ends our sender key in every room the
 * contact is in, whoever told us of it: the server's key_changed event or
 * just a member list. */
void
_sotto_client_set_member (SottoClient             *self,
                          SottoRoom               *room,
                          const char              *user,
                          const SottoWireIdentity *wire,
                          gboolean                 online)
{
  g_autoptr(SottoMember) member = NULL;
  g_autoptr(GError) error = NULL;
  SottoPublicIdentity identity;
  SottoStoredContact before = { 0 };
  SottoStoredContact after = { 0 };
  gboolean was_verified = FALSE;
  SottoIdentitySeen seen;
  SottoMember *listed;
  gboolean was_listed;
  SottoMemberStanding standing_before;

  if (!may_be_member (self, room, user))
    {
      refuse_intruder (room, user);
      return;
    }

  _sotto_client_public_from_wire (wire, &identity);
  member = sotto_member_new (user, &identity, online);
  sotto_member_set_devices (member, _sotto_client_count_devices (self, user));
  listed = sotto_room_lookup_member (room, user);
  was_listed = listed != NULL;
  standing_before = listed != NULL ? sotto_member_get_standing (listed)
                                   : SOTTO_MEMBER_STANDING_UNCONFIRMED;
  _sotto_client_place_member (self, room, member);

  if (g_strcmp0 (user, self->user) == 0)
    {
      sotto_room_set_member (room, member);
      return;
    }

  if (sotto_client_store_get_contact (self->store, user, &before, NULL))
    was_verified = before.verified;

  if (!sotto_client_store_see_identity (self->store, user, &identity,
                                        g_get_real_time () / 1000, &seen, &error))
    {
      g_warning ("The identity of %s is not usable: %s", user, error->message);
      sotto_room_set_member (room, member);
      return;
    }

  if (sotto_client_store_get_contact (self->store, user, &after, NULL))
    {
      sotto_member_set_verified (member, after.verified);
      sotto_member_set_review (member, after.review);
    }
  sotto_room_set_member (room, member);

  if (seen == SOTTO_IDENTITY_SEEN_CHANGED)
    {
      g_info ("The keys of %s changed%s", user,
              after.review == SOTTO_IDENTITY_REVIEW_BLOCKING ? "; sending to them waits" : "");
      update_member_everywhere (self, user, &identity, after.verified, after.review);
      rotate_where (self, user);
      _sotto_client_emit_identity_changed (self, user, was_verified);
    }

  /* Listed before and now confirmed, or no longer: their keys follow.
   * Newly listed and kept out by the room: that is said. */
  if (was_listed)
    _sotto_client_standing_changed (self, room, member, standing_before);
  else if (sotto_member_get_standing (member) == SOTTO_MEMBER_STANDING_REFUSED)
    _sotto_client_tell_refused (self, room, member);
}

/* Review settled: members show it, sending and key handing go on under a
 * new key in every room the contact is in, and what waited goes out. */
static void
review_settled (SottoClient *self,
                const char  *user,
                gboolean     verified)
{
  if (update_member_everywhere (self, user, NULL, verified, SOTTO_IDENTITY_REVIEW_NONE) > 0)
    rotate_where (self, user);
  if (self->state == SOTTO_CLIENT_ONLINE)
    _sotto_client_flush_outbox (self, NULL);
}

/**
 * sotto_client_accept_identity:
 * @user: a contact whose keys changed
 *
 * Records that the user looked at the change of @user's keys and goes on
 * with the new ones without comparing safety numbers: @user stays
 * unverified, and rooms they blocked can be written to again.
 *
 * Returns: %TRUE on success
 */
gboolean
sotto_client_accept_identity (SottoClient  *self,
                              const char   *user,
                              GError      **error)
{
  g_return_val_if_fail (SOTTO_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (user != NULL, FALSE);

  if (self->store == NULL)
    {
      g_set_error (error, SOTTO_CLIENT_ERROR,
                   sotto_client_error_from_server (SOTTO_MSG_ERROR_CODE_NOT_LOGGED_IN),
                   _("Log in first"));
      return FALSE;
    }

  if (!sotto_client_store_acknowledge_identity (self->store, user, error))
    return FALSE;

  review_settled (self, user, FALSE);
  return TRUE;
}

/**
 * sotto_client_set_verified:
 *
 * Records that the user compared the safety number with @user; that
 * settles a change of their keys to be reviewed.
 */
gboolean
sotto_client_set_verified (SottoClient  *self,
                           const char   *user,
                           gboolean      verified,
                           GError      **error)
{
  g_return_val_if_fail (SOTTO_IS_CLIENT (self), FALSE);

  if (self->store == NULL)
    {
      g_set_error (error, SOTTO_CLIENT_ERROR,
                   sotto_client_error_from_server (SOTTO_MSG_ERROR_CODE_NOT_LOGGED_IN),
                   _("Log in first"));
      return FALSE;
    }

  if (!sotto_client_store_set_verified (self->store, user, verified, error))
    return FALSE;

  if (verified)
    review_settled (self, user, TRUE);
  else
    for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->rooms)); i++)
      {
        g_autoptr(SottoRoom) room = g_list_model_get_item (G_LIST_MODEL (self->rooms), i);
        SottoMember *member = sotto_room_lookup_member (room, user);

        if (member != NULL)
          sotto_member_set_verified (member, FALSE);
      }

  return TRUE;
}

