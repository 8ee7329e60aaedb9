/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sotto-cli-options.h"
#include "sotto-cli-rooms.h"
#include "sotto-client.h"

G_BEGIN_DECLS

#define SOTTO_TYPE_CLI_FILES (sotto_cli_files_get_type ())

G_DECLARE_FINAL_TYPE (SottoCliFiles, sotto_cli_files, SOTTO, CLI_FILES, GObject)

/**
 * SottoCliFilesDone:
 * @status: a #SottoCliExit: %SOTTO_CLI_EXIT_OK, or what failed
 *
 * Told when a file was sent or saved, or could not be, once what there
 * was to say is printed.
 */
typedef void (*SottoCliFilesDone) (SottoCliFiles *files,
                                   int            status,
                                   gpointer       user_data);

gboolean       sotto_cli_files_check_arguments (SottoCliOptions    *options,
                                                GError            **error);
SottoCliFiles *sotto_cli_files_new             (SottoClient        *client,
                                                SottoCliRooms      *rooms,
                                                SottoCliOptions    *options,
                                                GCancellable       *cancellable);
void           sotto_cli_files_send            (SottoCliFiles      *self,
                                                SottoCliFilesDone   done,
                                                gpointer            user_data);
void           sotto_cli_files_fetch           (SottoCliFiles      *self,
                                                SottoCliFilesDone   done,
                                                gpointer            user_data);
gint64         sotto_cli_files_get_moved_at    (SottoCliFiles      *self);
void           sotto_cli_files_timed_out       (SottoCliFiles      *self);

G_END_DECLS
