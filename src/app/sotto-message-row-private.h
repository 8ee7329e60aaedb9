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

  SottoTimelineItem *item;
  SottoMessage      *message;
  gulong             notify_id;
  gboolean           own;
  gboolean           grouped;
};

/* sotto-message-row-order.c: what the server did to the order of messages */
void _sotto_message_row_show_order (SottoMessageRow *self);
void _sotto_message_row_hide_order (SottoMessageRow *self);

/* sotto-message-row-file.c: the card of a file message */
void _sotto_message_row_file_class_init (GtkWidgetClass  *widget_class);
void _sotto_message_row_show_file       (SottoMessageRow *self);
void _sotto_message_row_hide_file       (SottoMessageRow *self);

G_END_DECLS
