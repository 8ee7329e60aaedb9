/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sotto-client.h"

G_BEGIN_DECLS

#define SOTTO_TYPE_CLI_DEVICES (sotto_cli_devices_get_type ())

G_DECLARE_FINAL_TYPE (SottoCliDevices, sotto_cli_devices, SOTTO, CLI_DEVICES, GObject)

/**
 * SottoCliDevicesDone:
 * @status: a #SottoCliExit: %SOTTO_CLI_EXIT_OK, or what failed
 *
 * Told when a listing, a removal or a renaming is over, once what it had
 * to say is printed.
 */
typedef void (*SottoCliDevicesDone) (SottoCliDevices *devices,
                                     int              status,
                                     gpointer         user_data);

SottoCliDevices *sotto_cli_devices_new    (SottoClient         *client,
                                           GCancellable        *cancellable);
void             sotto_cli_devices_list   (SottoCliDevices     *self,
                                           gboolean             json,
                                           SottoCliDevicesDone  done,
                                           gpointer             user_data);
void             sotto_cli_devices_remove (SottoCliDevices     *self,
                                           const char          *id,
                                           SottoCliDevicesDone  done,
                                           gpointer             user_data);
void             sotto_cli_devices_rename (SottoCliDevices     *self,
                                           const char          *id,
                                           const char          *name,
                                           SottoCliDevicesDone  done,
                                           gpointer             user_data);

G_END_DECLS
