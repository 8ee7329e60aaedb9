/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sotto-timeline.h"

/*
 * A room's messages as the chat view shows them: a day separator before
 * the first message of each day, and each message marked "grouped" when
 * it follows one from the same sender shortly before.
 *
 * The separators are not stored as items: the model keeps only the sorted
 * message positions where a day begins, so a history of 100,000 messages
 * costs a few hundred integers, and an item is made when the view asks.
 */

/* Messages from one sender this close together share one header. */
#define GROUP_SECONDS (5 * 60)

struct _SottoTimelineItem
{
  GObject       parent_instance;

  SottoMessage *message;   /* NULL for a day separator */
  GDateTime    *day;       /* for a separator: midnight of its day */
  gboolean      grouped;
};

G_DEFINE_FINAL_TYPE (SottoTimelineItem, sotto_timeline_item, G_TYPE_OBJECT)

static void
sotto_timeline_item_finalize (GObject *object)
{
  SottoTimelineItem *self = SOTTO_TIMELINE_ITEM (object);

  g_clear_object (&self->message);
  g_clear_pointer (&self->day, g_date_time_unref);

  G_OBJECT_CLASS (sotto_timeline_item_parent_class)->finalize (object);
}

static void
sotto_timeline_item_class_init (SottoTimelineItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sotto_timeline_item_finalize;
}

static void
sotto_timeline_item_init (SottoTimelineItem *self)
{
}

/**
 * sotto_timeline_item_get_message:
 *
 * Returns: (transfer none) (nullable): the message, or %NULL for a day separator
 */
SottoMessage *
sotto_timeline_item_get_message (SottoTimelineItem *self)
{
  g_return_val_if_fail (SOTTO_IS_TIMELINE_ITEM (self), NULL);
  return self->message;
}

/**
 * sotto_timeline_item_get_day:
 *
 * Returns: (transfer none) (nullable): the day a separator stands for
 */
GDateTime *
sotto_timeline_item_get_day (SottoTimelineItem *self)
{
  g_return_val_if_fail (SOTTO_IS_TIMELINE_ITEM (self), NULL);
  return self->day;
}

gboolean
sotto_timeline_item_get_grouped (SottoTimelineItem *self)
{
  g_return_val_if_fail (SOTTO_IS_TIMELINE_ITEM (self), FALSE);
  return self->grouped;
}

struct _SottoTimeline
{
  GObject     parent_instance;

  GListModel *messages;
  gulong      changed_id;
  /* Sorted message positions that begin a day. */
  GArray     *day_starts;
  GTimeZone  *zone;
  /* SottoMessage → the SottoTimelineItem given out for it, as a message
   * and as the first of its day */
  GHashTable *message_items;
  GHashTable *day_items;
};

static void sotto_timeline_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SottoTimeline, sotto_timeline, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      sotto_timeline_list_model_init))

/* A message not yet stamped by the server counts as now. */
static gint64
message_time (SottoMessage *message)
{
  gint64 ts = sotto_message_get_ts (message);

  return ts > 0 ? ts / 1000 : g_get_real_time () / G_USEC_PER_SEC;
}

/* The local day of a time, as a number that grows by one each day. */
static gint64
day_number (SottoTimeline *self,
            gint64         unix_seconds)
{
  int interval = g_time_zone_find_interval (self->zone, G_TIME_TYPE_UNIVERSAL, unix_seconds);
  gint64 local = unix_seconds + (interval >= 0 ? g_time_zone_get_offset (self->zone, interval)
                                               : 0);

  return local >= 0 ? local / 86400 : (local - 86399) / 86400;
}

static gint64
day_of (SottoTimeline *self,
        guint          message_position)
{
  g_autoptr(SottoMessage) message = g_list_model_get_item (self->messages, message_position);

  return day_number (self, message_time (message));
}

/* How many days begin at message positions before @message_position. */
static guint
days_before (SottoTimeline *self,
             guint          message_position)
{
  guint low = 0, high = self->day_starts->len;

  while (low < high)
    {
      guint mid = (low + high) / 2;

      if (g_array_index (self->day_starts, guint, mid) < message_position)
        low = mid + 1;
      else
        high = mid;
    }
  return low;
}

static guint
timeline_length (SottoTimeline *self)
{
  return g_list_model_get_n_items (self->messages) + self->day_starts->len;
}

/* Recomputes the day starts from message @from on. */
static void
rescan (SottoTimeline *self,
        guint          from)
{
  guint n = g_list_model_get_n_items (self->messages);
  gint64 previous_day;

  g_array_set_size (self->day_starts, days_before (self, from));

  if (from >= n)
    return;

  previous_day = from > 0 ? day_of (self, from - 1) : G_MININT64;
  for (guint i = from; i < n; i++)
    {
      gint64 day = day_of (self, i);

      if (day != previous_day)
        g_array_append_val (self->day_starts, i);
      previous_day = day;
    }
}

/* A page of older history came in at the front: only its own days are
 * new, and the day that began the old history may now begin earlier. */
static void
prepend (SottoTimeline *self,
         guint          added)
{
  g_autoptr(GArray) starts = g_array_sized_new (FALSE, FALSE, sizeof (guint),
                                                self->day_starts->len + 8);
  gint64 previous_day = G_MININT64;
  guint kept_from = 0;
  guint prefix;

  for (guint i = 0; i < added; i++)
    {
      gint64 day = day_of (self, i);

      if (day != previous_day)
        g_array_append_val (starts, i);
      previous_day = day;
    }

  /* The old first message began a day; it still does unless the page
   * ends on that same day. */
  if (day_of (self, added) == previous_day)
    kept_from = 1;
  for (guint i = kept_from; i < self->day_starts->len; i++)
    {
      guint shifted = g_array_index (self->day_starts, guint, i) + added;

      g_array_append_val (starts, shifted);
    }

  g_array_set_size (self->day_starts, 0);
  g_array_append_vals (self->day_starts, starts->data, starts->len);

  /* Nothing shown before is removed, so a view keeps its anchor: the page
   * goes in before the old top separator when that day still begins at the
   * old first message, or after the top separator when the page ends on
   * that same day (the separator then stands for the page's first day). */
  prefix = added + days_before (self, added) + (kept_from == 0 ? 1 : 0);
  if (kept_from == 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, 0, prefix - 1);
  else
    g_list_model_items_changed (G_LIST_MODEL (self), 1, 0, prefix - 1);
}

static void
messages_changed_cb (GListModel    *messages,
                     guint          position,
                     guint          removed,
                     guint          added,
                     SottoTimeline *self)
{
  guint old_length = timeline_length (self) - added + removed;
  guint from = position > 0 ? position - 1 : 0;
  guint first;

  if (position == 0 && removed == 0 && added > 0 && self->day_starts->len > 0 &&
      added < g_list_model_get_n_items (messages))
    {
      prepend (self, added);
      return;
    }

  /* Everything from the message before the change may look different:
   * a day start may appear or vanish there. */
  first = from + days_before (self, from);
  rescan (self, from);

  g_list_model_items_changed (G_LIST_MODEL (self), first, old_length - first,
                              timeline_length (self) - first);
}

static GType
sotto_timeline_get_item_type (GListModel *model)
{
  return SOTTO_TYPE_TIMELINE_ITEM;
}

static guint
sotto_timeline_get_n_items (GListModel *model)
{
  return timeline_length (SOTTO_TIMELINE (model));
}

static gpointer
sotto_timeline_get_item (GListModel *model,
                         guint      position)
{
  SottoTimeline *self = SOTTO_TIMELINE (model);
  SottoTimelineItem *item;
  g_autoptr(SottoMessage) message = NULL;
  guint low = 0, high = self->day_starts->len;
  guint days, message_position;
  gboolean grouped = FALSE;

  if (position >= timeline_length (self))
    return NULL;

  /* The number of separators at or before @position. */
  while (low < high)
    {
      guint mid = (low + high) / 2;

      if (g_array_index (self->day_starts, guint, mid) + mid <= position)
        low = mid + 1;
      else
        high = mid;
    }
  days = low;
  g_assert (days > 0);

  if (g_array_index (self->day_starts, guint, days - 1) + days - 1 == position)
    {
      g_autoptr(SottoMessage) message =
        g_list_model_get_item (self->messages, g_array_index (self->day_starts, guint, days - 1));
      g_autoptr(GDateTime) time = NULL;

      if ((item = g_hash_table_lookup (self->day_items, message)) != NULL)
        return g_object_ref (item);

      time = g_date_time_new_from_unix_local (message_time (message));
      item = g_object_new (SOTTO_TYPE_TIMELINE_ITEM, NULL);
      item->day = g_date_time_new_local (g_date_time_get_year (time),
                                         g_date_time_get_month (time),
                                         g_date_time_get_day_of_month (time), 0, 0, 0);
      g_hash_table_insert (self->day_items, g_steal_pointer (&message), g_object_ref (item));
      return item;
    }

  message_position = position - days;
  message = g_list_model_get_item (self->messages, message_position);

  if (message_position > 0 &&
      g_array_index (self->day_starts, guint, days - 1) != message_position)
    {
      g_autoptr(SottoMessage) before = g_list_model_get_item (self->messages,
                                                              message_position - 1);

      grouped =
        sotto_message_get_state (before) != SOTTO_MESSAGE_SYSTEM &&
        sotto_message_get_state (message) != SOTTO_MESSAGE_SYSTEM &&
        g_strcmp0 (sotto_message_get_sender (before), sotto_message_get_sender (message)) == 0 &&
        message_time (message) - message_time (before) < GROUP_SECONDS;
    }

  /* The same object for the same row, so that a view keeps what it built
   * for it when other rows come and go. */
  item = g_hash_table_lookup (self->message_items, message);
  if (item != NULL && item->grouped == grouped)
    return g_object_ref (item);

  item = g_object_new (SOTTO_TYPE_TIMELINE_ITEM, NULL);
  item->message = g_object_ref (message);
  item->grouped = grouped;
  g_hash_table_insert (self->message_items, g_steal_pointer (&message), g_object_ref (item));
  return item;
}

static void
sotto_timeline_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = sotto_timeline_get_item_type;
  iface->get_n_items = sotto_timeline_get_n_items;
  iface->get_item = sotto_timeline_get_item;
}

static void
sotto_timeline_dispose (GObject *object)
{
  SottoTimeline *self = SOTTO_TIMELINE (object);

  if (self->messages != NULL)
    g_clear_signal_handler (&self->changed_id, self->messages);
  g_clear_object (&self->messages);
  g_hash_table_remove_all (self->message_items);
  g_hash_table_remove_all (self->day_items);

  G_OBJECT_CLASS (sotto_timeline_parent_class)->dispose (object);
}

static void
sotto_timeline_finalize (GObject *object)
{
  SottoTimeline *self = SOTTO_TIMELINE (object);

  g_array_unref (self->day_starts);
  g_time_zone_unref (self->zone);
  g_hash_table_unref (self->message_items);
  g_hash_table_unref (self->day_items);

  G_OBJECT_CLASS (sotto_timeline_parent_class)->finalize (object);
}

static void
sotto_timeline_class_init (SottoTimelineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sotto_timeline_dispose;
  object_class->finalize = sotto_timeline_finalize;
}

static void
sotto_timeline_init (SottoTimeline *self)
{
  self->day_starts = g_array_new (FALSE, FALSE, sizeof (guint));
  self->zone = g_time_zone_new_local ();
  self->message_items = g_hash_table_new_full (NULL, NULL, g_object_unref, g_object_unref);
  self->day_items = g_hash_table_new_full (NULL, NULL, g_object_unref, g_object_unref);
}

/**
 * sotto_timeline_new:
 * @messages: a list of #SottoMessage, as sotto_room_get_messages() gives
 */
SottoTimeline *
sotto_timeline_new (GListModel *messages)
{
  SottoTimeline *self;

  g_return_val_if_fail (G_IS_LIST_MODEL (messages), NULL);

  self = g_object_new (SOTTO_TYPE_TIMELINE, NULL);
  self->messages = g_object_ref (messages);
  self->changed_id = g_signal_connect (messages, "items-changed",
                                       G_CALLBACK (messages_changed_cb), self);
  rescan (self, 0);
  return self;
}

/**
 * sotto_timeline_get_messages:
 *
 * Returns: (transfer none): the messages shown
 */
GListModel *
sotto_timeline_get_messages (SottoTimeline *self)
{
  g_return_val_if_fail (SOTTO_IS_TIMELINE (self), NULL);
  return self->messages;
}

/**
 * sotto_timeline_get_position:
 *
 * Returns: the timeline position of the message at @message_position
 */
guint
sotto_timeline_get_position (SottoTimeline *self,
                             guint          message_position)
{
  g_return_val_if_fail (SOTTO_IS_TIMELINE (self), 0);
  return message_position + days_before (self, message_position + 1);
}
