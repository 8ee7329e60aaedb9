/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "sotto-client.h"

G_BEGIN_DECLS

#define SOTTO_TYPE_PREFERENCES_WINDOW (sotto_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (SottoPreferencesWindow, sotto_preferences_window, SOTTO, PREFERENCES_WINDOW,
                      AdwPreferencesWindow)

SottoPreferencesWindow *sotto_preferences_window_new        (GSettings              *settings);
SottoClient            *sotto_preferences_window_get_client (SottoPreferencesWindow *self);
void                    sotto_preferences_window_set_client (SottoPreferencesWindow *self,
                                                             SottoClient            *client);

G_END_DECLS
