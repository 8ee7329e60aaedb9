/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

GThreadPool *_sotto_password_pool_new  (void);
void         _sotto_password_pool_free (GThreadPool     *pool);
void         _sotto_password_pool_run  (GThreadPool     *pool,
                                        GTask           *task,
                                        GTaskThreadFunc  func);

G_END_DECLS
