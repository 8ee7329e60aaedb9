/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "sotto-client.h"

G_BEGIN_DECLS

#define SOTTO_TYPE_DEVICES_PAGE (sotto_devices_page_get_type ())

G_DECLARE_FINAL_TYPE (SottoDevicesPage, sotto_devices_page, SOTTO, DEVICES_PAGE,
                      AdwPreferencesPage)

SottoDevicesPage *sotto_devices_page_new         (SottoClient      *client);
SottoClient      *sotto_devices_page_get_client  (SottoDevicesPage *self);
GListModel       *sotto_devices_page_get_devices (SottoDevicesPage *self);
const char       *sotto_devices_page_get_error   (SottoDevicesPage *self);
void              sotto_devices_page_reload      (SottoDevicesPage *self);

G_END_DECLS
