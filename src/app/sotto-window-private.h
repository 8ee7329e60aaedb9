/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sotto-window.h"

G_BEGIN_DECLS

struct _SottoWindow
{
  AdwApplicationWindow  parent_instance;

  AdwToastOverlay      *toast_overlay;
  GtkStack             *main_stack;
  SottoLoginView       *login_view;
  AdwLeaflet           *leaflet;
  GtkWidget            *sidebar;
  GtkSearchBar         *search_bar;
  GtkSearchEntry       *room_search;
  GtkStack             *rooms_stack;
  GtkListView          *room_list;
  AdwAvatar            *account_avatar;
  GtkLabel             *account_name;
  GtkLabel             *status_label;
  GtkImage             *status_icon;
  GtkRevealer          *history_revealer;
  GtkLabel             *history_label;
  GtkProgressBar       *history_bar;
  GtkStack             *content_stack;
  SottoRoomView        *room_view;

  SottoAppConfig       *config;
  SottoClient          *client;
  GtkFilterListModel   *filtered_rooms;
  GtkStringFilter      *room_filter;
  GtkSingleSelection   *selection;
  /* SottoRoom → RoomWatch: who listens to each room's new messages */
  GHashTable           *watches;
  guint                 countdown_id;
  gboolean              was_online;
};

void _sotto_window_status_class_init (GtkWidgetClass *widget_class);
void _sotto_window_status_attach     (SottoWindow    *self);

void _sotto_window_rooms_class_init (GtkWidgetClass *widget_class);
void _sotto_window_rooms_attach     (SottoWindow    *self);
void _sotto_window_rooms_detach     (SottoWindow    *self);
void _sotto_window_rooms_select     (SottoWindow    *self,
                                     SottoRoom      *room);
void _sotto_window_rooms_mark_read  (SottoWindow    *self);

G_END_DECLS
