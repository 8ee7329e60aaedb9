/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-e2e-private.h"
#include "sotto-room-state.h"

/*
 * A room's state as every member computes it from the room's events
 * (SottoRoomEvent), each checked against the rules before it counts: who
 * is a member with which identity and role, who is banned (by a
 * moderator, or by the operator with the server's key), who is invited,
 * and whether the room is invite-only. The server relays the events and
 * cannot write one: it holds no member's key. It may sign a ban, which
 * only takes people out; it can add no one.
 */

/* Why someone is banned; both may hold. */
#define BANNED_BY_MEMBER 1
#define BANNED_BY_SERVER 2

typedef struct
{
  SottoPublicIdentity identity;
  int                 role;
} Member;

struct _SottoRoomState
{
  GObject      parent_instance;

  char        *room;
  guint8       server_key[32];
  gboolean     has_server_key;
  /* The only users who may ever be members (a direct chat), or NULL. */
  GStrv        only;
  guint64      length;
  guint8       head[SOTTO_ROOM_EVENT_HASH_BYTES];
  GHashTable  *members;
  GHashTable  *banned;
  GHashTable  *invited;
  gboolean     invite_only;
};

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
  self->banned = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
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

static void
ban (SottoRoomState *self,
     const char     *user,
     int             why)
{
  int before = GPOINTER_TO_INT (g_hash_table_lookup (self->banned, user));

  g_hash_table_remove (self->members, user);
  g_hash_table_remove (self->invited, user);
  g_hash_table_insert (self->banned, g_strdup (user), GINT_TO_POINTER (before | why));
}

static gboolean
unban (SottoRoomState *self,
       const char     *user,
       int             why)
{
  int before = GPOINTER_TO_INT (g_hash_table_lookup (self->banned, user));

  if ((before & why) == 0)
    return FALSE;
  if ((before & ~why) == 0)
    g_hash_table_remove (self->banned, user);
  else
    g_hash_table_insert (self->banned, g_strdup (user), GINT_TO_POINTER (before & ~why));
  return TRUE;
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
static gboolean
check_actor (SottoRoomState        *self,
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

static gboolean
check_rules (SottoRoomState        *self,
             const SottoRoomEvent  *event,
             GError               **error)
{
  int actor_role = role_of (self, event->actor);
  Member *joining;

  switch (event->type)
    {
    case SOTTO_ROOM_EVENT_CREATE:
      if (!may_be_member (self, event->actor) || (event->value != 0 && event->value != 1))
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
          (GPOINTER_TO_INT (g_hash_table_lookup (self->banned, event->subject)) &
           BANNED_BY_MEMBER) == 0)
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
          (GPOINTER_TO_INT (g_hash_table_lookup (self->banned, event->subject)) &
           BANNED_BY_SERVER) == 0)
        return forbidden (error, _("the operator lifts only their own ban"));
      return TRUE;

    default:
      g_assert_not_reached ();
    }
}

static void
perform (SottoRoomState       *self,
         const SottoRoomEvent *event)
{
  switch (event->type)
    {
    case SOTTO_ROOM_EVENT_CREATE:
      add_member (self, event->actor, &event->identity, SOTTO_ROOM_ROLE_OWNER);
      self->invite_only = event->value == 1;
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
      ban (self, event->subject, BANNED_BY_MEMBER);
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
      ban (self, event->subject, BANNED_BY_SERVER);
      break;
    case SOTTO_ROOM_EVENT_SERVER_UNBAN:
      unban (self, event->subject, BANNED_BY_SERVER);
      break;
    default:
      g_assert_not_reached ();
    }
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

  if (!check_actor (self, &read, error) || !check_rules (self, &read, error))
    return FALSE;

  perform (self, &read);
  sotto_room_event_hash (event, self->head);
  self->length++;

  return TRUE;
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
