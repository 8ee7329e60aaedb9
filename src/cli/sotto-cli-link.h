/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sotto-cli-options.h"
#include "sotto-client.h"

G_BEGIN_DECLS

#define SOTTO_TYPE_CLI_LINK (sotto_cli_link_get_type ())

G_DECLARE_FINAL_TYPE (SottoCliLink, sotto_cli_link, SOTTO, CLI_LINK, GObject)

/**
 * SottoCliLinkDone:
 * @status: a #SottoCliExit: %SOTTO_CLI_EXIT_OK, or what failed
 *
 * Told when an approval is over, once what it had to say is printed.
 */
typedef void (*SottoCliLinkDone) (SottoCliLink *link,
                                  int           status,
                                  gpointer      user_data);

SottoCliLink *sotto_cli_link_new       (SottoClient      *client,
                                        SottoCliOptions  *options,
                                        GCancellable     *cancellable);
void          sotto_cli_link_show_code (SottoCliLink     *self);
void          sotto_cli_link_linked    (SottoCliLink     *self);
void          sotto_cli_link_recovered (SottoCliLink     *self);
void          sotto_cli_link_print_recovery_key (SottoCliLink *self);
void          sotto_cli_link_approve   (SottoCliLink     *self,
                                        const char       *code,
                                        gboolean          history,
                                        SottoCliLinkDone  done,
                                        gpointer          user_data);

G_END_DECLS
