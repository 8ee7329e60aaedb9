/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* How much of a file's start sotto_file_might_run() looks at. */
#define SOTTO_FILE_SNIFF_BYTES 4096

gboolean sotto_file_might_run (const char   *name,
                               const char   *declared_type,
                               const guint8 *head,
                               gsize         head_size);

G_END_DECLS
