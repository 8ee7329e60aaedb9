/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define SOTTO_TYPE_LINK_PENDING (sotto_link_pending_get_type ())

G_DECLARE_FINAL_TYPE (SottoLinkPending, sotto_link_pending, SOTTO, LINK_PENDING, GObject)

const char   *sotto_link_pending_get_name   (SottoLinkPending *self);
const guint8 *sotto_link_pending_get_device (SottoLinkPending *self);

G_END_DECLS
