/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sotto-cli-feed.h"
#include "sotto-cli-format.h"

/*
 * SottoCliFeed turns the client's rooms and their message models (with
 * the edits, deletions and reactions the rooms take) into one stream of
 * messages to print, each exactly once and only when it is
 * settled: a message waiting for its sender's key comes out when the key
 * has opened it (or when it turned out unverifiable), one of ours when the
 * server has stored it. What the rooms held when the feed was made is
 * history and is not repeated, except what was still waiting for a key.
 *
 * A settled message comes out on the next turn of the main loop, in
 * order, so that what the client tells of it in the turn it came (that
 * messages of its sender never came before it) comes out with it. What it
 * tells later of a message already out comes out as ::missing-found.
 */

struct _SottoCliFeed
{
  GObject     parent_instance;

  GListModel *rooms;
  gulong      rooms_changed_id;
  /* RoomWatch, in the order of the rooms model */
  GPtrArray  *watches;
  /* SottoMessage (ref held) → its notify handler id */
  GHashTable *pending;
  /* SottoMessage (ref held), settled, in the order they came */
  GQueue      ready;
  guint       flush_id;
};

typedef struct
{
  SottoCliFeed *feed;
  SottoRoom    *room;
  GListModel   *messages;
  gulong        changed_id;
  gulong        action_id;
} RoomWatch;

enum {
  MESSAGE,
  MISSING_FOUND,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SottoCliFeed, sotto_cli_feed, G_TYPE_OBJECT)

static void
room_watch_free (gpointer data)
{
  RoomWatch *watch = data;

  g_clear_signal_handler (&watch->changed_id, watch->messages);
  g_clear_signal_handler (&watch->action_id, watch->room);
  g_clear_object (&watch->messages);
  g_clear_object (&watch->room);
  g_free (watch);
}

static void
unpend (SottoCliFeed *self,
        SottoMessage *message)
{
  gpointer handler;

  if (g_hash_table_steal_extended (self->pending, message, NULL, &handler))
    {
      g_signal_handler_disconnect (message, GPOINTER_TO_SIZE (handler));
      g_object_unref (message);
    }
}

static void
missing_notify_cb (SottoMessage *message,
                   GParamSpec   *pspec,
                   gpointer      user_data)
{
  SottoCliFeed *self = user_data;

  if (sotto_message_get_missing_before (message) > 0)
    g_signal_emit (self, signals[MISSING_FOUND], 0, message);
}

static gboolean
flush_cb (gpointer user_data)
{
  g_autoptr(SottoCliFeed) self = g_object_ref (user_data);
  SottoMessage *message;

  self->flush_id = 0;
  /* A handler may end the feed, which empties the queue. */
  while ((message = g_queue_pop_head (&self->ready)) != NULL)
    {
      /* Each message the feed gave out costs a handler, which goes with
       * the message or with the feed. */
      g_signal_connect_object (message, "notify::missing-before",
                               G_CALLBACK (missing_notify_cb), self, 0);
      g_signal_emit (self, signals[MESSAGE], 0, message);
      g_object_unref (message);
    }

  return G_SOURCE_REMOVE;
}

static void
give_out (SottoCliFeed *self,
          SottoMessage *message)
{
  if (self->rooms == NULL)
    return;

  g_queue_push_tail (&self->ready, g_object_ref (message));
  if (self->flush_id == 0)
    self->flush_id = g_idle_add_full (G_PRIORITY_DEFAULT, flush_cb, self, NULL);
}

static void
message_notify_cb (SottoMessage *message,
                   GParamSpec   *pspec,
                   gpointer      user_data)
{
  SottoCliFeed *self = user_data;

  if (!sotto_cli_message_is_printable (message))
    return;

  /* Unpending drops our reference. */
  g_object_ref (message);
  unpend (self, message);
  give_out (self, message);
  g_object_unref (message);
}

static void
pend (SottoCliFeed *self,
      SottoMessage *message)
{
  gulong handler;

  if (self->rooms == NULL || g_hash_table_contains (self->pending, message))
    return;

  /* The state and the text change together, inside one freeze. */
  handler = g_signal_connect (message, "notify::state", G_CALLBACK (message_notify_cb), self);
  g_hash_table_insert (self->pending, g_object_ref (message), GSIZE_TO_POINTER (handler));
}

static void
offer (SottoCliFeed *self,
       SottoMessage *message)
{
  if (sotto_cli_message_is_printable (message))
    give_out (self, message);
  else
    pend (self, message);
}

static void
messages_changed_cb (GListModel *messages,
                     guint       position,
                     guint       removed,
                     guint       added,
                     gpointer    user_data)
{
  RoomWatch *watch = user_data;

  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(SottoMessage) message = g_list_model_get_item (messages, i);

      offer (watch->feed, message);
    }
}

/* An edit, a deletion or a reaction: not a row of the room, but a
 * message of the feed. */
static void
room_action_cb (SottoRoom    *room,
                SottoMessage *action,
                gpointer      user_data)
{
  RoomWatch *watch = user_data;

  offer (watch->feed, action);
}

static RoomWatch *
watch_room (SottoCliFeed *self,
            SottoRoom    *room,
            gboolean      history)
{
  RoomWatch *watch = g_new0 (RoomWatch, 1);
  guint n;

  watch->feed = self;
  watch->room = g_object_ref (room);
  watch->messages = g_object_ref (sotto_room_get_messages (room));
  n = g_list_model_get_n_items (watch->messages);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SottoMessage) message = g_list_model_get_item (watch->messages, i);

      if (!history)
        offer (self, message);
      else if (sotto_message_get_state (message) == SOTTO_MESSAGE_WAITING_FOR_KEY)
        pend (self, message);
    }

  watch->changed_id = g_signal_connect (watch->messages, "items-changed",
                                        G_CALLBACK (messages_changed_cb), watch);
  watch->action_id = g_signal_connect (room, "action", G_CALLBACK (room_action_cb), watch);
  return watch;
}

static void
rooms_changed_cb (GListModel *rooms,
                  guint       position,
                  guint       removed,
                  guint       added,
                  gpointer    user_data)
{
  SottoCliFeed *self = user_data;

  g_ptr_array_remove_range (self->watches, position, removed);
  for (guint i = 0; i < added; i++)
    {
      g_autoptr(SottoRoom) room = g_list_model_get_item (rooms, position + i);

      g_ptr_array_insert (self->watches, position + i, watch_room (self, room, FALSE));
    }
}

static void
sotto_cli_feed_dispose (GObject *object)
{
  SottoCliFeed *self = SOTTO_CLI_FEED (object);

  if (self->pending != NULL)
    {
      GHashTableIter iter;
      gpointer message, handler;

      g_hash_table_iter_init (&iter, self->pending);
      while (g_hash_table_iter_next (&iter, &message, &handler))
        {
          g_signal_handler_disconnect (message, GPOINTER_TO_SIZE (handler));
          g_object_unref (message);
          g_hash_table_iter_remove (&iter);
        }
    }
  g_queue_clear_full (&self->ready, g_object_unref);
  g_clear_handle_id (&self->flush_id, g_source_remove);
  g_clear_pointer (&self->watches, g_ptr_array_unref);
  if (self->rooms != NULL)
    g_clear_signal_handler (&self->rooms_changed_id, self->rooms);
  g_clear_object (&self->rooms);

  G_OBJECT_CLASS (sotto_cli_feed_parent_class)->dispose (object);
}

static void
sotto_cli_feed_finalize (GObject *object)
{
  SottoCliFeed *self = SOTTO_CLI_FEED (object);

  g_clear_pointer (&self->pending, g_hash_table_unref);

  G_OBJECT_CLASS (sotto_cli_feed_parent_class)->finalize (object);
}

static void
sotto_cli_feed_class_init (SottoCliFeedClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sotto_cli_feed_dispose;
  object_class->finalize = sotto_cli_feed_finalize;

  /**
   * SottoCliFeed::message:
   * @message: a #SottoMessage that is new and settled
   */
  signals[MESSAGE] =
    g_signal_new ("message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, SOTTO_TYPE_MESSAGE);

  /**
   * SottoCliFeed::missing-found:
   * @message: a #SottoMessage that came out through ::message before
   *
   * The client found that messages of @message's sender just before it
   * never came (#SottoMessage:missing-before), after @message came out.
   */
  signals[MISSING_FOUND] =
    g_signal_new ("missing-found", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, SOTTO_TYPE_MESSAGE);
}

static void
sotto_cli_feed_init (SottoCliFeed *self)
{
  self->watches = g_ptr_array_new_with_free_func (room_watch_free);
  self->pending = g_hash_table_new (NULL, NULL);
  g_queue_init (&self->ready);
}

/**
 * sotto_cli_feed_new:
 * @rooms: a #GListModel of #SottoRoom, such as sotto_client_get_rooms()
 *
 * Starts watching @rooms. What they hold now is history: only the
 * messages among it that still wait for a key will come out, once opened.
 */
SottoCliFeed *
sotto_cli_feed_new (GListModel *rooms)
{
  SottoCliFeed *self;
  guint n;

  g_return_val_if_fail (G_IS_LIST_MODEL (rooms), NULL);

  self = g_object_new (SOTTO_TYPE_CLI_FEED, NULL);
  self->rooms = g_object_ref (rooms);

  n = g_list_model_get_n_items (rooms);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SottoRoom) room = g_list_model_get_item (rooms, i);

      g_ptr_array_add (self->watches, watch_room (self, room, TRUE));
    }
  self->rooms_changed_id = g_signal_connect (rooms, "items-changed",
                                             G_CALLBACK (rooms_changed_cb), self);

  return self;
}
