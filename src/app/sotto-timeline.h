/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sotto-message.h"

G_BEGIN_DECLS

#define SOTTO_TYPE_TIMELINE_ITEM (sotto_timeline_item_get_type ())

G_DECLARE_FINAL_TYPE (SottoTimelineItem, sotto_timeline_item, SOTTO, TIMELINE_ITEM, GObject)

SottoMessage *sotto_timeline_item_get_message (SottoTimelineItem *self);
GDateTime    *sotto_timeline_item_get_day     (SottoTimelineItem *self);
gboolean      sotto_timeline_item_get_grouped (SottoTimelineItem *self);

#define SOTTO_TYPE_TIMELINE (sotto_timeline_get_type ())

G_DECLARE_FINAL_TYPE (SottoTimeline, sotto_timeline, SOTTO, TIMELINE, GObject)

SottoTimeline *sotto_timeline_new            (GListModel    *messages);
GListModel    *sotto_timeline_get_messages   (SottoTimeline *self);
guint          sotto_timeline_get_position   (SottoTimeline *self,
                                              guint          message_position);

G_END_DECLS
