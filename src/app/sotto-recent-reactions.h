/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* How many reactions the message menu offers at once. */
#define SOTTO_QUICK_REACTIONS 5

void                sotto_recent_reactions_bind (GSettings  *settings);
const char * const *sotto_recent_reactions_get  (void);
void                sotto_recent_reactions_use  (const char *reaction);

G_END_DECLS
