/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define SOTTO_TYPE_BAN (sotto_ban_get_type ())

G_DECLARE_FINAL_TYPE (SottoBan, sotto_ban, SOTTO, BAN, GObject)

SottoBan   *sotto_ban_new           (const char *user,
                                     const char *banned_by,
                                     gint64      banned_at);
const char *sotto_ban_get_user      (SottoBan   *self);
const char *sotto_ban_get_banned_by (SottoBan   *self);
gint64      sotto_ban_get_banned_at (SottoBan   *self);

G_END_DECLS
