/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sotto-protocol.h"
#include "sotto-room.h"

/*
 * A room or direct chat as the client sees it: its members and its
 * messages, as list models a UI binds to. Messages are kept in server
 * order (by seq), with those not yet numbered at the end.
 */

struct _SottoRoom
{
  GObject     parent_instance;

  char       *name;
  gboolean    direct;
  char       *display_name;
  /* What the user typed and has not sent yet. */
  char       *draft;
  GListStore *members;
  GListStore *messages;
  /* "sender\nmsg_id" → SottoMessage (borrowed from @messages), and the set
   * of sequence numbers held: lookups stay cheap in a long history. */
  GHashTable *by_id;
  GHashTable *seqs;
  /* user → the timeout that ends their typing notice */
  GHashTable *typing;
  gint64      last_typing_sent;
  gboolean    loaded;
  gboolean    history_complete;
  guint       unread;
};

/* How long "is typing" lasts without a new notice. */
#define TYPING_SHOWN_SECONDS 5

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
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

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
    case PROP_UNREAD:
      g_value_set_uint (value, self->unread);
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

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sotto_room_init (SottoRoom *self)
{
  self->members = g_list_store_new (SOTTO_TYPE_MEMBER);
  self->messages = g_list_store_new (SOTTO_TYPE_MESSAGE);
  self->by_id = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->seqs = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
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

/**
 * sotto_room_get_messages:
 *
 * Returns: (transfer none): the history, #SottoMessage items in order
 */
GListModel *
sotto_room_get_messages (SottoRoom *self)
{
  g_return_val_if_fail (SOTTO_IS_ROOM (self), NULL);
  return G_LIST_MODEL (self->messages);
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

static char *
message_key (const char *sender,
             const char *msg_id)
{
  return g_strconcat (sender != NULL ? sender : "", "\n", msg_id, NULL);
}

static void
index_seq (SottoRoom *self,
           gint64     seq)
{
  if (seq > 0 && !g_hash_table_contains (self->seqs, &seq))
    g_hash_table_add (self->seqs, g_memdup2 (&seq, sizeof seq));
}

/**
 * sotto_room_lookup_message:
 *
 * Returns: (transfer none) (nullable): the message @sender sent with @msg_id
 */
SottoMessage *
sotto_room_lookup_message (SottoRoom  *self,
                           const char *sender,
                           const char *msg_id)
{
  g_autofree char *key = NULL;

  g_return_val_if_fail (SOTTO_IS_ROOM (self), NULL);

  if (msg_id == NULL)
    return NULL;

  key = message_key (sender, msg_id);
  return g_hash_table_lookup (self->by_id, key);
}

/**
 * sotto_room_has_seq:
 *
 * Returns: whether a message or event with @seq is in the history
 */
gboolean
sotto_room_has_seq (SottoRoom *self,
                    gint64     seq)
{
  g_return_val_if_fail (SOTTO_IS_ROOM (self), FALSE);

  return g_hash_table_contains (self->seqs, &seq);
}

/**
 * sotto_room_update_message:
 *
 * sotto_message_update() for a message of this room, keeping the room's
 * index of sequence numbers true.
 */
void
sotto_room_update_message (SottoRoom         *self,
                           SottoMessage      *message,
                           SottoMessageState  state,
                           gint64             seq,
                           gint64             ts,
                           const char        *text)
{
  g_return_if_fail (SOTTO_IS_ROOM (self));

  sotto_message_update (message, state, seq, ts, text);
  index_seq (self, seq);
}

/* Inserts @message by its seq; one without a seq goes at the end. */
void
sotto_room_add_message (SottoRoom    *self,
                        SottoMessage *message)
{
  gint64 seq = sotto_message_get_seq (message);
  guint position;

  g_return_if_fail (SOTTO_IS_ROOM (self));

  position = g_list_model_get_n_items (G_LIST_MODEL (self->messages));
  while (seq > 0 && position > 0)
    {
      g_autoptr(SottoMessage) before = g_list_model_get_item (G_LIST_MODEL (self->messages),
                                                              position - 1);
      gint64 before_seq = sotto_message_get_seq (before);

      if (before_seq != 0 && before_seq < seq)
        break;
      /* A server notice has no number but keeps its place. */
      if (before_seq == 0 && sotto_message_get_state (before) == SOTTO_MESSAGE_SYSTEM)
        break;
      position--;
    }

  g_list_store_insert (self->messages, position, message);

  if (sotto_message_get_msg_id (message) != NULL)
    g_hash_table_insert (self->by_id,
                         message_key (sotto_message_get_sender (message),
                                      sotto_message_get_msg_id (message)),
                         message);
  index_seq (self, seq);
}

/**
 * sotto_room_prepend_messages:
 * @messages: (array length=n_messages): older messages, oldest first
 *
 * Puts a page of older history before what the room holds, in one change
 * of the model. Messages already held are skipped.
 */
void
sotto_room_prepend_messages (SottoRoom     *self,
                             SottoMessage **messages,
                             guint          n_messages)
{
  g_autoptr(GPtrArray) fresh = NULL;

  g_return_if_fail (SOTTO_IS_ROOM (self));

  fresh = g_ptr_array_sized_new (n_messages);
  for (guint i = 0; i < n_messages; i++)
    {
      SottoMessage *message = messages[i];
      const char *msg_id = sotto_message_get_msg_id (message);
      gint64 seq = sotto_message_get_seq (message);

      if (sotto_room_lookup_message (self, sotto_message_get_sender (message), msg_id) != NULL)
        continue;
      if (msg_id == NULL && seq > 0 && sotto_room_has_seq (self, seq))
        continue;

      g_ptr_array_add (fresh, message);
      if (msg_id != NULL)
        g_hash_table_insert (self->by_id,
                             message_key (sotto_message_get_sender (message), msg_id),
                             message);
      index_seq (self, seq);
    }

  g_list_store_splice (self->messages, 0, 0, fresh->pdata, fresh->len);
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
  g_object_notify_by_pspec (G_OBJECT (end->room), properties[PROP_TYPING]);

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
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TYPING]);
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
