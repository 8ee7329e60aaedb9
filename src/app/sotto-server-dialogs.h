/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

GtkWindow *sotto_trust_dialog_new       (GtkWindow  *parent,
                                         const char *server,
                                         const char *fingerprint);
GtkWindow *sotto_key_changed_dialog_new (GtkWindow  *parent,
                                         const char *server,
                                         const char *remembered,
                                         const char *presented);

G_END_DECLS
