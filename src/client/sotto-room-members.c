/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sotto-room-private.h"

/*
 * Who is in the room, each a #SottoMember in a list model, and who is
 * typing there now: each notice shows its sender for a few seconds.
 */

/* How long "is typing" lasts without a new notice. */
#define TYPING_SHOWN_SECONDS 5

/**
 * sotto_room_get_members:
 *
 * Returns: (transfer none): the members, #SottoMember items
 */
GListModel *
sotto_room_get_members (SottoRoom *self)
{
  g_return_val_if_fail (SOTTO_IS_ROOM (self), NULL);
  return G_LIST_MODEL (self->members);
}

static gboolean
find_member (SottoRoom  *self,
             const char *user,
             guint      *position)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->members));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SottoMember) member = g_list_model_get_item (G_LIST_MODEL (self->members), i);

      if (g_strcmp0 (sotto_member_get_user (member), user) == 0)
        {
          *position = i;
          return TRUE;
        }
    }

  return FALSE;
}

/**
 * sotto_room_lookup_member:
 *
 * Returns: (transfer none) (nullable): the member named @user
 */
SottoMember *
sotto_room_lookup_member (SottoRoom  *self,
                          const char *user)
{
  guint position;
  g_autoptr(SottoMember) member = NULL;

  g_return_val_if_fail (SOTTO_IS_ROOM (self), NULL);

  if (!find_member (self, user, &position))
    return NULL;

  member = g_list_model_get_item (G_LIST_MODEL (self->members), position);
  return member;
}

/**
 * sotto_room_get_blocked_by:
 *
 * Returns: (nullable): the member whose changed keys hold sending in
 *   the room until the user reviews them (#SottoRoom:blocked-by)
 */
const char *
sotto_room_get_blocked_by (SottoRoom *self)
{
  g_return_val_if_fail (SOTTO_IS_ROOM (self), NULL);
  return self->blocked_by;
}

static void
update_blocked_by (SottoRoom *self)
{
  GListModel *members = G_LIST_MODEL (self->members);
  const char *blocked_by = NULL;

  for (guint i = 0; i < g_list_model_get_n_items (members) && blocked_by == NULL; i++)
    {
      g_autoptr(SottoMember) member = g_list_model_get_item (members, i);

      if (sotto_member_get_review (member) == SOTTO_IDENTITY_REVIEW_BLOCKING)
        blocked_by = sotto_member_get_user (member);
    }

  if (g_strcmp0 (blocked_by, self->blocked_by) == 0)
    return;

  g_free (self->blocked_by);
  self->blocked_by = g_strdup (blocked_by);
  _sotto_room_notify_blocked_by (self);
}

static void
member_review_cb (SottoMember *member,
                  GParamSpec  *pspec,
                  SottoRoom   *self)
{
  update_blocked_by (self);
}

static void
member_role_cb (SottoMember *member,
                GParamSpec  *pspec,
                SottoRoom   *self)
{
  _sotto_room_retry_actions (self);
}

static void
forget_member (SottoRoom *self,
               guint      position)
{
  g_autoptr(SottoMember) member = g_list_model_get_item (G_LIST_MODEL (self->members),
                                                         position);

  g_signal_handlers_disconnect_by_func (member, member_review_cb, self);
  g_signal_handlers_disconnect_by_func (member, member_role_cb, self);
}

/* Adds @member, or replaces the member of the same name. */
void
sotto_room_set_member (SottoRoom   *self,
                       SottoMember *member)
{
  guint position;

  g_return_if_fail (SOTTO_IS_ROOM (self));

  if (find_member (self, sotto_member_get_user (member), &position))
    {
      forget_member (self, position);
      g_signal_connect_object (member, "notify::review", G_CALLBACK (member_review_cb), self, 0);
      g_signal_connect_object (member, "notify::role", G_CALLBACK (member_role_cb), self, 0);
      g_list_store_splice (self->members, position, 1, (gpointer *) &member, 1);
    }
  else
    {
      g_signal_connect_object (member, "notify::review", G_CALLBACK (member_review_cb), self, 0);
      g_signal_connect_object (member, "notify::role", G_CALLBACK (member_role_cb), self, 0);
      g_list_store_append (self->members, member);
    }

  update_blocked_by (self);
  _sotto_room_retry_actions (self);
}

void
sotto_room_remove_member (SottoRoom  *self,
                          const char *user)
{
  guint position;

  g_return_if_fail (SOTTO_IS_ROOM (self));

  if (find_member (self, user, &position))
    {
      forget_member (self, position);
      g_list_store_remove (self->members, position);
      update_blocked_by (self);
    }
}

void
sotto_room_clear_members (SottoRoom *self)
{
  g_return_if_fail (SOTTO_IS_ROOM (self));

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->members)); i++)
    forget_member (self, i);
  g_list_store_remove_all (self->members);
  update_blocked_by (self);
}
typedef struct
{
  SottoRoom *room;
  char      *user;
} TypingEnd;

static void
typing_end_free (gpointer data)
{
  TypingEnd *end = data;

  g_free (end->user);
  g_free (end);
}

static gboolean
typing_ended_cb (gpointer user_data)
{
  TypingEnd *end = user_data;

  /* The table's destroy function would remove this source again. */
  g_hash_table_steal (end->room->typing, end->user);
  _sotto_room_notify_typing (end->room);

  return G_SOURCE_REMOVE;
}

/**
 * sotto_room_set_typing:
 * @typing: %TRUE when a notice came, %FALSE when @user's message did
 *
 * Shows @user as typing for a few seconds after each notice.
 */
void
sotto_room_set_typing (SottoRoom  *self,
                       const char *user,
                       gboolean    typing)
{
  gboolean was = FALSE;
  TypingEnd *end;
  guint id;

  g_return_if_fail (SOTTO_IS_ROOM (self));

  was = g_hash_table_remove (self->typing, user);
  if (typing)
    {
      end = g_new0 (TypingEnd, 1);
      end->room = self;
      end->user = g_strdup (user);
      id = g_timeout_add_seconds_full (G_PRIORITY_DEFAULT, TYPING_SHOWN_SECONDS,
                                       typing_ended_cb, end, typing_end_free);
      g_hash_table_insert (self->typing, g_strdup (user), GUINT_TO_POINTER (id));
    }

  if (was != typing)
    _sotto_room_notify_typing (self);
}

/**
 * sotto_room_should_send_typing:
 *
 * Typing notices go out at most every few seconds per room: this says
 * whether one is due now, and counts it as sent.
 */
gboolean
sotto_room_should_send_typing (SottoRoom *self)
{
  gint64 now = g_get_monotonic_time ();

  g_return_val_if_fail (SOTTO_IS_ROOM (self), FALSE);

  if (self->last_typing_sent != 0 &&
      now - self->last_typing_sent < (TYPING_SHOWN_SECONDS - 2) * G_USEC_PER_SEC)
    return FALSE;

  self->last_typing_sent = now;
  return TRUE;
}
