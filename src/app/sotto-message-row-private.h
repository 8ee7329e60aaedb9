/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sotto-message-row.h"

G_BEGIN_DECLS

struct _SottoMessageRow
{
  AdwBin             parent_instance;

  GtkWidget         *day_box;
  GtkLabel          *day_label;
  GtkWidget         *system_box;
  GtkLabel          *system_label;
  GtkOverlay        *message_overlay;
  GtkWidget         *message_box;
  AdwAvatar         *avatar;
  GtkWidget         *content_box;
  GtkWidget         *header_box;
  GtkLabel          *sender_label;
  GtkLabel          *time_label;
  GtkLabel          *body_label;
  GtkWidget         *status_box;
  GtkImage          *status_icon;
  GtkLabel          *status_label;

  /* Made on first need, as most rows never show them. */
  GtkWidget         *missing_box;
  GtkLabel          *missing_label;
  GtkWidget         *late_box;
  GtkLabel          *late_label;
  GtkWidget         *backdated_box;
  GtkLabel          *backdated_label;
  GtkWidget         *file_box;
  GtkWidget         *file_picture;
  GtkImage          *file_icon;
  GtkLabel          *file_name;
  GtkLabel          *file_detail;
  GtkWidget         *file_save_button;
  GtkWidget         *file_open_button;
  GtkWidget         *file_cancel_button;
  GtkProgressBar    *file_progress;
  GtkLabel          *file_status;
  GCancellable      *file_cancellable;
  /* The fetch of the file shown, while the row shows it */
  SottoTransfer     *transfer;
  gulong             transfer_id;

  /* sotto-message-row-actions.c, made on first need too */
  GtkWidget         *quote_button;
  GtkLabel          *quote_sender;
  GtkLabel          *quote_text;
  GtkWidget         *reactions_box;
  GtkWidget         *menu;
  GtkWidget         *quick_box;
  GtkWidget         *emoji_chooser;
  GtkWidget         *hover_bar;
  /* The "New Messages" line above the first message not seen */
  GtkWidget         *new_box;
  gboolean           first_new;

  SottoTimelineItem *item;
  SottoMessage      *message;
  gulong             notify_id;
  char              *own_user;
  gboolean           own;
  gboolean           grouped;
  /* What the user may do to a message, its menu asks */
  SottoClient       *client;
};

/* sotto-message-row-order.c: what the server did to the order of messages */
void _sotto_message_row_show_order (SottoMessageRow *self);
void _sotto_message_row_hide_order (SottoMessageRow *self);

/* sotto-message-row-file.c: the card of a file message */
void _sotto_message_row_file_class_init (GtkWidgetClass  *widget_class);
void _sotto_message_row_show_file       (SottoMessageRow *self);
void _sotto_message_row_hide_file       (SottoMessageRow *self);

/* sotto-message-row-actions.c: quotes, edits, deletions, reactions, and
 * the message menu */
void  _sotto_message_row_actions_class_init (GtkWidgetClass  *widget_class);
void  _sotto_message_row_actions_init       (SottoMessageRow *self);
void  _sotto_message_row_actions_dispose    (SottoMessageRow *self);
void  _sotto_message_row_show_actions       (SottoMessageRow *self);
char *_sotto_message_row_body_markup        (SottoMessageRow *self,
                                             const char      *markup);
char *_sotto_message_row_body_tooltip       (SottoMessageRow *self);

G_END_DECLS
