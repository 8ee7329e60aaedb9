/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sotto-protocol.h"
#include "sotto-room-private.h"

/*
 * A room or direct chat as the client sees it: its members and its
 * messages, as list models a UI binds to. Messages are kept in server
 * order (by seq), with those not yet numbered at the end.
 *
 * This file is the object and its properties; the members and the
 * messages have a file each (sotto-room-private.h).
 */

enum {
  PROP_0,
  PROP_NAME,
  PROP_DIRECT,
  PROP_DISPLAY_NAME,
  PROP_DRAFT,
  PROP_TYPING,
  PROP_LOADED,
  PROP_HISTORY_COMPLETE,
  PROP_UNREAD,
  PROP_READ_SEQ,
  PROP_BLOCKED_BY,
  PROP_OWNER,
  PROP_INVITE_ONLY,
  PROP_OWN_ROLE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  ACTION,
  DELETED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SottoRoom, sotto_room, G_TYPE_OBJECT)

static void
remove_source_cb (gpointer id)
{
  g_source_remove (GPOINTER_TO_UINT (id));
}

static void
sotto_room_dispose (GObject *object)
{
  SottoRoom *self = SOTTO_ROOM (object);

  g_clear_pointer (&self->by_id, g_hash_table_unref);
  g_clear_pointer (&self->seqs, g_hash_table_unref);
  _sotto_room_clear_actions (self);
  g_clear_object (&self->members);
  g_clear_object (&self->messages);
  g_clear_pointer (&self->typing, g_hash_table_unref);

  G_OBJECT_CLASS (sotto_room_parent_class)->dispose (object);
}

static void
sotto_room_finalize (GObject *object)
{
  SottoRoom *self = SOTTO_ROOM (object);

  g_free (self->name);
  g_free (self->display_name);
  g_free (self->draft);
  g_free (self->blocked_by);
  g_free (self->owner);

  G_OBJECT_CLASS (sotto_room_parent_class)->finalize (object);
}

static void
sotto_room_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  SottoRoom *self = SOTTO_ROOM (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_DIRECT:
      g_value_set_boolean (value, self->direct);
      break;
    case PROP_DISPLAY_NAME:
      g_value_set_string (value, self->display_name);
      break;
    case PROP_DRAFT:
      g_value_set_string (value, sotto_room_get_draft (self));
      break;
    case PROP_TYPING:
      g_value_take_boxed (value, sotto_room_dup_typing (self));
      break;
    case PROP_LOADED:
      g_value_set_boolean (value, self->loaded);
      break;
    case PROP_HISTORY_COMPLETE:
      g_value_set_boolean (value, self->history_complete);
      break;
    case PROP_BLOCKED_BY:
      g_value_set_string (value, self->blocked_by);
      break;
    case PROP_READ_SEQ:
      g_value_set_int64 (value, self->read_seq);
      break;
    case PROP_UNREAD:
      g_value_set_uint (value, self->unread);
      break;
    case PROP_OWNER:
      g_value_set_string (value, self->owner);
      break;
    case PROP_INVITE_ONLY:
      g_value_set_boolean (value, self->invite_only);
      break;
    case PROP_OWN_ROLE:
      g_value_set_int (value, self->own_role);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sotto_room_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  SottoRoom *self = SOTTO_ROOM (object);

  switch (prop_id)
    {
    case PROP_DRAFT:
      sotto_room_set_draft (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sotto_room_class_init (SottoRoomClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sotto_room_dispose;
  object_class->finalize = sotto_room_finalize;
  object_class->get_property = sotto_room_get_property;
  object_class->set_property = sotto_room_set_property;

  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_DIRECT] =
    g_param_spec_boolean ("direct", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * SottoRoom:display-name:
   *
   * How the room is shown: "#general" for a room; for a direct chat, the
   * name of the other person.
   */
  properties[PROP_DISPLAY_NAME] =
    g_param_spec_string ("display-name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * SottoRoom:draft:
   *
   * What the user typed in the room and has not sent yet, kept while
   * another room is shown; never %NULL.
   */
  properties[PROP_DRAFT] =
    g_param_spec_string ("draft", NULL, NULL, "",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * SottoRoom:typing:
   *
   * Who is typing in the room now, sorted.
   */
  properties[PROP_TYPING] =
    g_param_spec_boxed ("typing", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * SottoRoom:loaded:
   *
   * Whether the members are known (after joining, or listed after login):
   * what is sent before then reaches only the members known.
   */
  properties[PROP_LOADED] =
    g_param_spec_boolean ("loaded", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * SottoRoom:history-complete:
   *
   * Whether the messages hold the whole history the client has kept, back
   * to the first; until then older pages can be loaded.
   */
  properties[PROP_HISTORY_COMPLETE] =
    g_param_spec_boolean ("history-complete", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * SottoRoom:unread:
   *
   * How many messages arrived that the user has not seen; kept by the UI.
   */
  properties[PROP_UNREAD] =
    g_param_spec_uint ("unread", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * SottoRoom:read-seq:
   *
   * The number of the last message the user saw in the room (0 for
   * none); what comes after it is new to them.
   */
  properties[PROP_READ_SEQ] =
    g_param_spec_int64 ("read-seq", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * SottoRoom:blocked-by:
   *
   * A member whose keys changed after the user verified them: nothing is
   * sent in the room until the user compares safety numbers with them
   * again or accepts their new keys. %NULL when sending is free.
   */
  properties[PROP_BLOCKED_BY] =
    g_param_spec_string ("blocked-by", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * SottoRoom:owner:
   *
   * Who created the room, and so may remove members from it and let them
   * back in, as the server last said; %NULL for a direct chat, a room
   * nobody created (such as "general"), or while the members are not
   * known yet.
   */
  properties[PROP_OWNER] =
    g_param_spec_string ("owner", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * SottoRoom:invite-only:
   *
   * Whether the room's signed state lets in only whom a moderator invited.
   */
  properties[PROP_INVITE_ONLY] =
    g_param_spec_boolean ("invite-only", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * SottoRoom:own-role:
   *
   * The user's role by the room's signed state: 0 a member, 50 a
   * moderator (invites, bans, opens and closes the room), 100 an owner;
   * -1 while the state does not hold the user.
   */
  properties[PROP_OWN_ROLE] =
    g_param_spec_int ("own-role", NULL, NULL, -1, 100, -1,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * SottoRoom::action:
   * @action: an edit, a deletion or a reaction
   *
   * An edit, a deletion or a reaction came into the room (or loaded with
   * its history): it is not a row of #SottoRoom:messages, but it changed
   * the message it names, if its sender may (or will once that message
   * is here).
   */
  signals[ACTION] =
    g_signal_new ("action", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, SOTTO_TYPE_MESSAGE);

  /**
   * SottoRoom::message-deleted:
   * @message: a message of the room
   *
   * A deletion for everyone applied to @message, now that it is here and
   * its sender (or a moderator) deleted it.
   */
  signals[DELETED] =
    g_signal_new ("message-deleted", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, SOTTO_TYPE_MESSAGE);
}

static void
sotto_room_init (SottoRoom *self)
{
  self->own_role = -1;
  self->members = g_list_store_new (SOTTO_TYPE_MEMBER);
  self->messages = g_list_store_new (SOTTO_TYPE_MESSAGE);
  self->by_id = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->seqs = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  _sotto_room_init_actions (self);
  self->typing = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) remove_source_cb);
}

/**
 * sotto_room_new:
 * @name: the room's name on the server
 * @direct: whether it is a direct chat
 * @own_user: (nullable): who looks at the room, for the name a direct
 *   chat is shown by
 *
 * Returns: (transfer full): a room with no members and no messages
 */
SottoRoom *
sotto_room_new (const char *name,
                gboolean    direct,
                const char *own_user)
{
  SottoRoom *self;
  g_autofree char *peer = NULL;

  g_return_val_if_fail (name != NULL, NULL);

  self = g_object_new (SOTTO_TYPE_ROOM, NULL);
  self->name = g_strdup (name);
  self->direct = direct;

  if (direct)
    peer = sotto_protocol_direct_room_peer (name, own_user);
  self->display_name = peer != NULL ? g_steal_pointer (&peer) : g_strconcat ("#", name, NULL);

  return self;
}

const char *
sotto_room_get_display_name (SottoRoom *self)
{
  g_return_val_if_fail (SOTTO_IS_ROOM (self), NULL);
  return self->display_name;
}

const char *
sotto_room_get_owner (SottoRoom *self)
{
  g_return_val_if_fail (SOTTO_IS_ROOM (self), NULL);
  return self->owner;
}

/**
 * sotto_room_set_owner:
 * @owner: (nullable): who created the room, as the server says
 */
void
sotto_room_set_owner (SottoRoom  *self,
                      const char *owner)
{
  g_return_if_fail (SOTTO_IS_ROOM (self));

  if (g_strcmp0 (self->owner, owner) == 0)
    return;

  g_free (self->owner);
  self->owner = g_strdup (owner);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OWNER]);
}

const char *
sotto_room_get_draft (SottoRoom *self)
{
  g_return_val_if_fail (SOTTO_IS_ROOM (self), NULL);
  return self->draft != NULL ? self->draft : "";
}

void
sotto_room_set_draft (SottoRoom  *self,
                      const char *draft)
{
  g_return_if_fail (SOTTO_IS_ROOM (self));

  if (draft != NULL && draft[0] == '\0')
    draft = NULL;

  if (g_strcmp0 (self->draft, draft) == 0)
    return;

  g_free (self->draft);
  self->draft = g_strdup (draft);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DRAFT]);
}

const char *
sotto_room_get_name (SottoRoom *self)
{
  g_return_val_if_fail (SOTTO_IS_ROOM (self), NULL);
  return self->name;
}

gboolean
sotto_room_get_direct (SottoRoom *self)
{
  g_return_val_if_fail (SOTTO_IS_ROOM (self), FALSE);
  return self->direct;
}

gboolean
sotto_room_get_history_complete (SottoRoom *self)
{
  g_return_val_if_fail (SOTTO_IS_ROOM (self), FALSE);
  return self->history_complete;
}

void
sotto_room_set_history_complete (SottoRoom *self,
                                 gboolean   complete)
{
  g_return_if_fail (SOTTO_IS_ROOM (self));

  complete = !!complete;
  if (self->history_complete == complete)
    return;
  self->history_complete = complete;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HISTORY_COMPLETE]);
}

guint
sotto_room_get_unread (SottoRoom *self)
{
  g_return_val_if_fail (SOTTO_IS_ROOM (self), 0);
  return self->unread;
}

void
sotto_room_set_unread (SottoRoom *self,
                       guint      unread)
{
  g_return_if_fail (SOTTO_IS_ROOM (self));

  if (self->unread == unread)
    return;
  self->unread = unread;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNREAD]);
}

gint64
sotto_room_get_read_seq (SottoRoom *self)
{
  g_return_val_if_fail (SOTTO_IS_ROOM (self), 0);
  return self->read_seq;
}

/**
 * sotto_room_set_read_seq:
 * @seq: the number of the last message the user saw
 *
 * The user read the room up to @seq (never back: an older number is
 * ignored).
 */
void
sotto_room_set_read_seq (SottoRoom *self,
                         gint64     seq)
{
  g_return_if_fail (SOTTO_IS_ROOM (self));

  if (seq <= self->read_seq)
    return;
  self->read_seq = seq;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_READ_SEQ]);
}

/**
 * sotto_room_get_last_seq:
 *
 * Returns: the number of the newest numbered message or event the room
 *   holds, 0 for none
 */
gint64
sotto_room_get_last_seq (SottoRoom *self)
{
  GListModel *messages;

  g_return_val_if_fail (SOTTO_IS_ROOM (self), 0);

  messages = G_LIST_MODEL (self->messages);
  for (guint i = g_list_model_get_n_items (messages); i > 0; i--)
    {
      g_autoptr(SottoMessage) message = g_list_model_get_item (messages, i - 1);

      if (sotto_message_get_seq (message) > 0)
        return sotto_message_get_seq (message);
    }
  return 0;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char **) a, *(const char **) b);
}

/**
 * sotto_room_dup_typing:
 *
 * Returns: (transfer full): who is typing now, sorted
 */
GStrv
sotto_room_dup_typing (SottoRoom *self)
{
  g_autoptr(GPtrArray) users = g_ptr_array_new ();
  GHashTableIter iter;
  const char *user;

  g_return_val_if_fail (SOTTO_IS_ROOM (self), NULL);

  g_hash_table_iter_init (&iter, self->typing);
  while (g_hash_table_iter_next (&iter, (gpointer *) &user, NULL))
    g_ptr_array_add (users, g_strdup (user));
  g_ptr_array_sort (users, compare_names);
  g_ptr_array_add (users, NULL);

  return (GStrv) g_ptr_array_steal (users, NULL);
}

/* Who is typing changed: sotto-room-members.c keeps the list. */
void
_sotto_room_notify_typing (SottoRoom *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TYPING]);
}


gboolean
sotto_room_get_loaded (SottoRoom *self)
{
  g_return_val_if_fail (SOTTO_IS_ROOM (self), FALSE);
  return self->loaded;
}

void
sotto_room_set_loaded (SottoRoom *self,
                       gboolean   loaded)
{
  g_return_if_fail (SOTTO_IS_ROOM (self));

  if (self->loaded == loaded)
    return;

  self->loaded = loaded;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADED]);
}

gboolean
sotto_room_get_invite_only (SottoRoom *self)
{
  g_return_val_if_fail (SOTTO_IS_ROOM (self), FALSE);
  return self->invite_only;
}

int
sotto_room_get_own_role (SottoRoom *self)
{
  g_return_val_if_fail (SOTTO_IS_ROOM (self), -1);
  return self->own_role;
}

/**
 * sotto_room_set_signed_state:
 * @invite_only: whether the room lets in only whom a moderator invited
 * @own_role: the user's role, or -1 if the room's state does not hold them
 *
 * What the room's signed state says of the room and the user; the client
 * sets it as the state changes.
 */
void
sotto_room_set_signed_state (SottoRoom *self,
                             gboolean   invite_only,
                             int        own_role)
{
  g_return_if_fail (SOTTO_IS_ROOM (self));

  g_object_freeze_notify (G_OBJECT (self));
  if (self->invite_only != !!invite_only)
    {
      self->invite_only = !!invite_only;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INVITE_ONLY]);
    }
  if (self->own_role != own_role)
    {
      self->own_role = own_role;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OWN_ROLE]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

void
_sotto_room_notify_blocked_by (SottoRoom *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BLOCKED_BY]);
}
