/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "sotto-client.h"
#include "sotto-timeline.h"

G_BEGIN_DECLS

#define SOTTO_TYPE_MESSAGE_ROW (sotto_message_row_get_type ())

G_DECLARE_FINAL_TYPE (SottoMessageRow, sotto_message_row, SOTTO, MESSAGE_ROW, AdwBin)

/**
 * SottoFileAction:
 * @SOTTO_FILE_ACTION_SAVE: save the file where the user chooses
 * @SOTTO_FILE_ACTION_OPEN: open it with the desktop's application
 * @SOTTO_FILE_ACTION_VIEW: show a picture in full
 *
 * What the user asked of a file message's card.
 */
typedef enum
{
  SOTTO_FILE_ACTION_SAVE,
  SOTTO_FILE_ACTION_OPEN,
  SOTTO_FILE_ACTION_VIEW,
} SottoFileAction;

/* The fetch of a file message's file, kept on the message while it runs
 * and after it ended (for its error), so that any row showing the
 * message shows it. */
#define SOTTO_MESSAGE_TRANSFER_KEY "sotto-file-transfer"

SottoMessageRow   *sotto_message_row_new        (void);
SottoTimelineItem *sotto_message_row_get_item   (SottoMessageRow   *self);
void               sotto_message_row_set_item   (SottoMessageRow   *self,
                                                 SottoTimelineItem *item,
                                                 const char        *own_user);
char              *sotto_message_row_dup_time_tooltip (SottoMessageRow *self);
char              *sotto_format_day             (GDateTime         *day,
                                                 GDateTime         *now);
char              *sotto_linkify                (const char        *text);
GIcon             *sotto_file_type_icon         (const char        *content_type);

void               sotto_message_row_set_first_new (SottoMessageRow *self,
                                                    gboolean         first_new);
void               sotto_message_row_set_client (SottoMessageRow   *self,
                                                 SottoClient       *client);
void               sotto_message_row_open_menu  (SottoMessageRow   *self,
                                                 double             x,
                                                 double             y);

G_END_DECLS
