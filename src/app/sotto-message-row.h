/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "sotto-timeline.h"

G_BEGIN_DECLS

#define SOTTO_TYPE_MESSAGE_ROW (sotto_message_row_get_type ())

G_DECLARE_FINAL_TYPE (SottoMessageRow, sotto_message_row, SOTTO, MESSAGE_ROW, AdwBin)

SottoMessageRow   *sotto_message_row_new        (void);
SottoTimelineItem *sotto_message_row_get_item   (SottoMessageRow   *self);
void               sotto_message_row_set_item   (SottoMessageRow   *self,
                                                 SottoTimelineItem *item,
                                                 const char        *own_user);
char              *sotto_format_day             (GDateTime         *day,
                                                 GDateTime         *now);
char              *sotto_linkify                (const char        *text);

G_END_DECLS
