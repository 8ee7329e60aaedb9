/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "sotto-client.h"
#include "sotto-search-panel.h"

G_BEGIN_DECLS

#define SOTTO_TYPE_ROOM_VIEW (sotto_room_view_get_type ())

G_DECLARE_FINAL_TYPE (SottoRoomView, sotto_room_view, SOTTO, ROOM_VIEW, AdwBin)

void        sotto_room_view_set_room         (SottoRoomView *self,
                                              SottoClient   *client,
                                              SottoRoom     *room);
SottoRoom  *sotto_room_view_get_room         (SottoRoomView *self);
void        sotto_room_view_show_notice      (SottoRoomView *self,
                                              const char    *text);
const char *sotto_room_view_get_notice       (SottoRoomView *self);
void        sotto_room_view_focus_composer   (SottoRoomView *self);
void        sotto_room_view_set_draft        (SottoRoomView *self,
                                              const char    *text);
char       *sotto_room_view_dup_draft        (SottoRoomView *self);
void        sotto_room_view_send             (SottoRoomView *self);
SottoTransfer *sotto_room_view_send_file     (SottoRoomView *self,
                                              GFile         *file);
SottoTransfer *sotto_room_view_save_file     (SottoRoomView *self,
                                              SottoMessage  *message,
                                              GFile         *destination);
gboolean    sotto_room_view_get_at_bottom    (SottoRoomView *self);
void        sotto_room_view_scroll_to_bottom (SottoRoomView *self);
void        sotto_room_view_scroll_to_top    (SottoRoomView *self);
GtkListView *sotto_room_view_get_message_list (SottoRoomView *self);
const char *sotto_room_view_get_typing_text  (SottoRoomView *self);
const char *sotto_room_view_get_review_text  (SottoRoomView *self);
gboolean    sotto_room_view_get_members_shown (SottoRoomView *self);
gboolean    sotto_room_view_get_search_shown  (SottoRoomView *self);
SottoSearchPanel *sotto_room_view_get_search_panel (SottoRoomView *self);
gboolean    sotto_room_view_show_message      (SottoRoomView *self,
                                               gint64         seq);
GtkWindow  *sotto_room_view_show_member      (SottoRoomView *self,
                                              const char    *user);

gboolean       sotto_room_view_jump_to_replied (SottoRoomView *self,
                                                SottoMessage  *reply);

G_END_DECLS
