/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "sotto-client.h"

G_BEGIN_DECLS

char *sotto_cli_review_line    (const char          *user,
                                SottoIdentityReview  review,
                                gboolean             chat);
char *sotto_cli_review_refused (SottoRoom           *room,
                                const GError        *error,
                                gboolean             chat);
char *sotto_cli_review_accept  (SottoClient         *client,
                                const char          *name,
                                GError             **error);

G_END_DECLS
