/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean sotto_migrate_to_postgres (const char  *db_path,
                                    const char  *conninfo,
                                    GString     *report,
                                    GError     **error);

G_END_DECLS
