/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

void sotto_test_tcp_pair          (GIOStream    **server,
                                   GIOStream    **client);
typedef gboolean (*SottoTestCondition) (gpointer data);

void sotto_test_wait_for          (gboolean     *flag);
gboolean sotto_test_wait_until    (SottoTestCondition condition,
                                   gpointer      data,
                                   guint         seconds);
void sotto_test_iterate           (guint         milliseconds);
void sotto_test_write_all         (GIOStream    *stream,
                                   const void   *data,
                                   gsize         length);
void sotto_test_write_frame       (GIOStream    *stream,
                                   GBytes       *payload);
void sotto_test_shutdown_write    (GIOStream    *stream);

gboolean sotto_test_file_contains (const char   *path,
                                   const guint8 *needle,
                                   gsize         length);
gboolean sotto_test_dir_has_suffix (const char *dir,
                                    const char *suffix);
gboolean sotto_test_tree_contains (const char   *path,
                                   const guint8 *needle,
                                   gsize         length);

G_END_DECLS
