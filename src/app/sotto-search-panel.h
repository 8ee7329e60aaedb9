/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "sotto-client.h"

G_BEGIN_DECLS

#define SOTTO_TYPE_SEARCH_PANEL (sotto_search_panel_get_type ())

G_DECLARE_FINAL_TYPE (SottoSearchPanel, sotto_search_panel, SOTTO, SEARCH_PANEL, GtkBox)

void        sotto_search_panel_set_client    (SottoSearchPanel *self,
                                              SottoClient      *client);
void        sotto_search_panel_set_room      (SottoSearchPanel *self,
                                              SottoRoom        *room);
gboolean    sotto_search_panel_get_all_rooms (SottoSearchPanel *self);
void        sotto_search_panel_set_all_rooms (SottoSearchPanel *self,
                                              gboolean          all_rooms);
void        sotto_search_panel_focus         (SottoSearchPanel *self);
void        sotto_search_panel_set_text      (SottoSearchPanel *self,
                                              const char       *text);
guint       sotto_search_panel_get_n_results (SottoSearchPanel *self);
gboolean    sotto_search_panel_get_busy      (SottoSearchPanel *self);
GtkWidget  *sotto_search_panel_get_result_row (SottoSearchPanel *self,
                                               guint             index);

G_END_DECLS
