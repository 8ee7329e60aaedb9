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

/* Adds @member, or replaces the member of the same name. */
void
sotto_room_set_member (SottoRoom   *self,
                       SottoMember *member)
{
  guint position;

  g_return_if_fail (SOTTO_IS_ROOM (self));

  if (find_member (self, sotto_member_get_user (member), &position))
    g_list_store_splice (self->members, position, 1, (gpointer *) &member, 1);
  else
    g_list_store_append (self->members, member);
}

void
sotto_room_remove_member (SottoRoom  *self,
                          const char *user)
{
  guint position;

  g_return_if_fail (SOTTO_IS_ROOM (self));

  if (find_member (self, user, &position))
    g_list_store_remove (self->members, position);
}

void
sotto_room_clear_members (SottoRoom *self)
{
  g_return_if_fail (SOTTO_IS_ROOM (self));

  g_list_store_remove_all (self->members);
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
