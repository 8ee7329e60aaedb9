/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sotto-recent-reactions.h"

/*
 * The reactions the message menu offers at once: the latest used first,
 * for every row of every window, kept in the app's settings
 * ("recent-reactions") so that they survive a restart. The application
 * binds its settings at start; until then, and where a setting holds
 * fewer, the usual ones fill the list.
 */

static const char *const defaults[SOTTO_QUICK_REACTIONS] = { "👍", "❤️", "😂", "🎉", "😮" };

static char *recent[SOTTO_QUICK_REACTIONS + 1];
static GSettings *bound;

static void
fill (const char * const *first)
{
  guint n = 0;

  for (guint i = 0; i < SOTTO_QUICK_REACTIONS; i++)
    g_clear_pointer (&recent[i], g_free);
  for (guint i = 0; first != NULL && first[i] != NULL && n < SOTTO_QUICK_REACTIONS; i++)
    if (*first[i] != '\0' && g_utf8_validate (first[i], -1, NULL) && strlen (first[i]) <= 64 &&
        !g_strv_contains ((const char * const *) recent, first[i]))
      recent[n++] = g_strdup (first[i]);
  for (guint i = 0; i < SOTTO_QUICK_REACTIONS && n < SOTTO_QUICK_REACTIONS; i++)
    if (!g_strv_contains ((const char * const *) recent, defaults[i]))
      recent[n++] = g_strdup (defaults[i]);
}

/**
 * sotto_recent_reactions_bind:
 * @settings: the app's settings
 *
 * Takes the recent reactions from @settings, and keeps them there.
 */
void
sotto_recent_reactions_bind (GSettings *settings)
{
  g_auto(GStrv) saved = NULL;

  g_return_if_fail (G_IS_SETTINGS (settings));

  g_set_object (&bound, settings);
  saved = g_settings_get_strv (settings, "recent-reactions");
  fill ((const char * const *) saved);
}

/**
 * sotto_recent_reactions_get:
 *
 * Returns: (transfer none): %SOTTO_QUICK_REACTIONS reactions, the
 *   latest used first
 */
const char * const *
sotto_recent_reactions_get (void)
{
  if (recent[0] == NULL)
    fill (NULL);
  return (const char * const *) recent;
}

/* @reaction was used: it comes first. */
void
sotto_recent_reactions_use (const char *reaction)
{
  const char *first[SOTTO_QUICK_REACTIONS + 2] = { reaction };
  const char * const *now = sotto_recent_reactions_get ();
  g_auto(GStrv) held = g_strdupv ((char **) now);

  g_return_if_fail (reaction != NULL);

  for (guint i = 0; held[i] != NULL; i++)
    first[i + 1] = held[i];
  fill (first);
  if (bound != NULL)
    g_settings_set_strv (bound, "recent-reactions", (const char * const *) recent);
}
