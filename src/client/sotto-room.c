/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

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
  GListStore *members;
  GListStore *messages;
};

enum {
  PROP_0,
  PROP_NAME,
  PROP_DIRECT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (SottoRoom, sotto_room, G_TYPE_OBJECT)

static void
sotto_room_dispose (GObject *object)
{
  SottoRoom *self = SOTTO_ROOM (object);

  g_clear_object (&self->members);
  g_clear_object (&self->messages);

  G_OBJECT_CLASS (sotto_room_parent_class)->dispose (object);
}

static void
sotto_room_finalize (GObject *object)
{
  g_free (SOTTO_ROOM (object)->name);

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

  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_DIRECT] =
    g_param_spec_boolean ("direct", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sotto_room_init (SottoRoom *self)
{
  self->members = g_list_store_new (SOTTO_TYPE_MEMBER);
  self->messages = g_list_store_new (SOTTO_TYPE_MESSAGE);
}

SottoRoom *
sotto_room_new (const char *name,
                gboolean    direct)
{
  SottoRoom *self = g_object_new (SOTTO_TYPE_ROOM, NULL);

  self->name = g_strdup (name);
  self->direct = direct;

  return self;
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
  guint n;

  g_return_val_if_fail (SOTTO_IS_ROOM (self), NULL);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->messages));
  /* Recent messages are looked up most: search from the end. */
  for (guint i = n; i > 0; i--)
    {
      g_autoptr(SottoMessage) message = g_list_model_get_item (G_LIST_MODEL (self->messages),
                                                               i - 1);

      if (g_strcmp0 (sotto_message_get_msg_id (message), msg_id) == 0 &&
          g_strcmp0 (sotto_message_get_sender (message), sender) == 0)
        return message;
    }

  return NULL;
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
      position--;
    }

  g_list_store_insert (self->messages, position, message);
}
