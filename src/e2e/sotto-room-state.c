/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-e2e-private.h"
#include "sotto-room-state-private.h"

/*
 * A room's state as every member computes it from the room's events
 * (SottoRoomEvent), each checked against the rules before it counts: who
 * is a member with which identity and role, who is banned (by a
 * moderator, or by the operator with the server's key), who is invited,
 * and whether the room is invite-only. The server relays the events and
 * cannot write one: it holds no member's key. It may sign a ban, which
 * only takes people out; it can add no one.
 */

G_DEFINE_FINAL_TYPE (SottoRoomState, sotto_room_state, G_TYPE_OBJECT)

static void
sotto_room_state_finalize (GObject *object)
{
  SottoRoomState *self = SOTTO_ROOM_STATE (object);

  g_free (self->room);
  g_strfreev (self->only);
  g_hash_table_unref (self->members);
  g_hash_table_unref (self->banned);
  g_hash_table_unref (self->invited);

  G_OBJECT_CLASS (sotto_room_state_parent_class)->finalize (object);
}

static void
sotto_room_state_class_init (SottoRoomStateClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sotto_room_state_finalize;
}

static void
sotto_room_state_init (SottoRoomState *self)
{
  self->members = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->banned = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) _sotto_room_state_ban_free);
  self->invited = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

/**
 * sotto_room_state_new:
 * @room: the room
 * @server_key: (nullable): the server's 32-byte Ed25519 key, whose bans
 *   count; %NULL to count none
 * @only: (nullable) (array zero-terminated=1): the only users who may
 *   ever be members (the two people of a direct chat), or %NULL
 *
 * Returns: (transfer full): the state of a room with no events yet
 */
SottoRoomState *
sotto_room_state_new (const char         *room,
                      const guint8       *server_key,
                      const char * const *only)
{
  SottoRoomState *self;

  g_return_val_if_fail (room != NULL, NULL);

  self = g_object_new (SOTTO_TYPE_ROOM_STATE, NULL);
  self->room = g_strdup (room);
  if (server_key != NULL)
    {
      memcpy (self->server_key, server_key, sizeof self->server_key);
      self->has_server_key = TRUE;
    }
  self->only = only != NULL ? g_strdupv ((char **) only) : NULL;

  return self;
}

/**
 * sotto_room_state_apply:
 * @self: a #SottoRoomState
 * @event: the room's next event, encoded
 * @error: return location for a #GError
 *
 * Takes @event if it is well formed and signed (sotto_room_event_open()),
 * belongs to this room (%SOTTO_E2E_ERROR_WRONG_ROOM), follows the last
 * event taken (%SOTTO_E2E_ERROR_FORK), is made by who it says
 * and allowed by the rules (%SOTTO_E2E_ERROR_FORBIDDEN). An event refused
 * changes nothing.
 *
 * Returns: %TRUE if @event was taken
 */
gboolean
sotto_room_state_apply (SottoRoomState  *self,
                        GBytes          *event,
                        GError         **error)
{
  g_auto(SottoRoomEvent) read = { 0 };
  static const guint8 zero[SOTTO_ROOM_EVENT_HASH_BYTES] = { 0 };

  g_return_val_if_fail (SOTTO_IS_ROOM_STATE (self), FALSE);
  g_return_val_if_fail (event != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!sotto_room_event_open (event, &read, error))
    return FALSE;

  if (!g_str_equal (read.room, self->room))
    {
      g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_WRONG_ROOM,
                           _("The room event belongs to another room"));
      return FALSE;
    }

  if (read.index != self->length ||
      memcmp (read.prev, self->length == 0 ? zero : self->head, sizeof read.prev) != 0 ||
      (self->length == 0) != (read.type == SOTTO_ROOM_EVENT_CREATE))
    {
      g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_FORK,
                           _("The room event does not follow the room’s history"));
      return FALSE;
    }

  if (!_sotto_room_state_check_actor (self, &read, error) ||
      !_sotto_room_state_check_rules (self, &read, error))
    return FALSE;

  _sotto_room_state_perform (self, &read);
  sotto_room_event_hash (event, self->head);
  self->length++;

  return TRUE;
}

/**
 * sotto_room_state_take:
 * @self: a #SottoRoomState
 * @event: the event the server gives as the room's next
 * @taken: (out): whether @event now has its place in the history
 * @error: return location for a #GError
 *
 * As sotto_room_state_apply(), except that an event that cannot count
 * (damaged, not signed by its actor, or against the rules) still takes its
 * place in the history, with no effect: the events after it name its hash,
 * so a member who appends nonsense cannot break the room's history for the
 * others. An event that belongs to another room or does not follow the
 * history (%SOTTO_E2E_ERROR_FORK: the server shows this member another
 * history than the one the event's actor saw) is not taken.
 *
 * Returns: %TRUE if @event was taken and counts; %FALSE with @error set
 *   otherwise, @taken telling whether it was taken without effect
 */
gboolean
sotto_room_state_take (SottoRoomState  *self,
                       GBytes          *event,
                       gboolean        *taken,
                       GError         **error)
{
  g_autoptr(GError) local = NULL;

  g_return_val_if_fail (SOTTO_IS_ROOM_STATE (self), FALSE);
  g_return_val_if_fail (event != NULL, FALSE);
  g_return_val_if_fail (taken != NULL, FALSE);

  *taken = sotto_room_state_apply (self, event, &local);
  if (*taken)
    return TRUE;

  if (!g_error_matches (local, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_FORK) &&
      !g_error_matches (local, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_WRONG_ROOM))
    {
      sotto_room_event_hash (event, self->head);
      self->length++;
      self->n_void++;
      *taken = TRUE;
    }

  g_propagate_error (error, g_steal_pointer (&local));
  return FALSE;
}

/**
 * sotto_room_state_get_n_void:
 *
 * Returns: how many events were taken without effect
 *   (sotto_room_state_take())
 */
guint64
sotto_room_state_get_n_void (SottoRoomState *self)
{
  g_return_val_if_fail (SOTTO_IS_ROOM_STATE (self), 0);
  return self->n_void;
}

const char *
sotto_room_state_get_room (SottoRoomState *self)
{
  g_return_val_if_fail (SOTTO_IS_ROOM_STATE (self), NULL);
  return self->room;
}

/**
 * sotto_room_state_get_length:
 *
 * Returns: how many events were taken
 */
guint64
sotto_room_state_get_length (SottoRoomState *self)
{
  g_return_val_if_fail (SOTTO_IS_ROOM_STATE (self), 0);
  return self->length;
}

/**
 * sotto_room_state_get_head:
 *
 * Returns: the hash of the last event taken
 *   (%SOTTO_ROOM_EVENT_HASH_BYTES bytes), zero bytes before the first
 */
const guint8 *
sotto_room_state_get_head (SottoRoomState *self)
{
  g_return_val_if_fail (SOTTO_IS_ROOM_STATE (self), NULL);
  return self->head;
}

gboolean
sotto_room_state_get_invite_only (SottoRoomState *self)
{
  g_return_val_if_fail (SOTTO_IS_ROOM_STATE (self), FALSE);
  return self->invite_only;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/**
 * sotto_room_state_dup_members:
 *
 * Returns: (transfer full): the members' names, sorted
 */
GStrv
sotto_room_state_dup_members (SottoRoomState *self)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer user;

  g_return_val_if_fail (SOTTO_IS_ROOM_STATE (self), NULL);

  g_hash_table_iter_init (&iter, self->members);
  while (g_hash_table_iter_next (&iter, &user, NULL))
    g_ptr_array_add (names, g_strdup (user));
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);

  return (GStrv) g_ptr_array_free (g_steal_pointer (&names), FALSE);
}

/**
 * sotto_room_state_get_member:
 * @user: a user name
 * @identity: (out) (optional): their identity in the room
 * @role: (out) (optional): their role
 *
 * Returns: whether @user is a member
 */
gboolean
sotto_room_state_get_member (SottoRoomState      *self,
                             const char          *user,
                             SottoPublicIdentity *identity,
                             int                 *role)
{
  Member *member;

  g_return_val_if_fail (SOTTO_IS_ROOM_STATE (self), FALSE);

  member = g_hash_table_lookup (self->members, user);
  if (member == NULL)
    return FALSE;
  if (identity != NULL)
    *identity = member->identity;
  if (role != NULL)
    *role = member->role;
  return TRUE;
}

gboolean
sotto_room_state_is_banned (SottoRoomState *self,
                            const char     *user)
{
  g_return_val_if_fail (SOTTO_IS_ROOM_STATE (self), FALSE);
  return g_hash_table_contains (self->banned, user);
}

/**
 * sotto_room_state_get_ban:
 * @by: (out) (optional) (transfer none): the moderator who banned @user
 *   last, or %NULL if only the server's operator did
 * @time: (out) (optional): when, by the moderator's clock (ms since the
 *   epoch), or 0
 *
 * Returns: whether @user is banned
 */
gboolean
sotto_room_state_get_ban (SottoRoomState  *self,
                          const char      *user,
                          const char     **by,
                          gint64          *time)
{
  Ban *ban;

  g_return_val_if_fail (SOTTO_IS_ROOM_STATE (self), FALSE);

  ban = g_hash_table_lookup (self->banned, user);
  if (by != NULL)
    *by = ban != NULL ? ban->by : NULL;
  if (time != NULL)
    *time = ban != NULL && ban->by != NULL ? ban->time : 0;
  return ban != NULL;
}

/**
 * sotto_room_state_dup_banned:
 *
 * Returns: (transfer full): everyone banned, by a moderator or by the
 *   operator, sorted by name
 */
GStrv
sotto_room_state_dup_banned (SottoRoomState *self)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer name;

  g_return_val_if_fail (SOTTO_IS_ROOM_STATE (self), NULL);

  g_hash_table_iter_init (&iter, self->banned);
  while (g_hash_table_iter_next (&iter, &name, NULL))
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&names), FALSE);
}

gboolean
sotto_room_state_is_invited (SottoRoomState *self,
                             const char     *user)
{
  g_return_val_if_fail (SOTTO_IS_ROOM_STATE (self), FALSE);
  return g_hash_table_contains (self->invited, user);
}

/**
 * sotto_room_state_prepare:
 * @event: (out caller-allocates): the event to fill in, to clear with
 *   sotto_room_event_clear()
 * @type: what it does
 * @actor: who makes it ("" for the server)
 * @subject: (nullable): whom it is about
 * @value: a role or flag, or 0
 *
 * Fills in the next event of the room: its place, the hash it follows,
 * the time. Creation and joins still need the joining identity set
 * (@has_identity, @identity) before sotto_room_event_seal().
 */
void
sotto_room_state_prepare (SottoRoomState     *self,
                          SottoRoomEvent     *event,
                          SottoRoomEventType  type,
                          const char         *actor,
                          const char         *subject,
                          gint64              value)
{
  g_return_if_fail (SOTTO_IS_ROOM_STATE (self));
  g_return_if_fail (event != NULL);

  memset (event, 0, sizeof *event);
  event->type = type;
  event->room = g_strdup (self->room);
  event->index = self->length;
  if (self->length > 0)
    memcpy (event->prev, self->head, sizeof event->prev);
  event->time = g_get_real_time () / 1000;
  event->actor = g_strdup (actor);
  event->subject = g_strdup (subject);
  event->value = value;
}
