/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "sotto-client-private.h"

/*
 * Searching what was said: the history on this computer is read newest
 * first, each row decrypted in memory as it is read, and kept when every
 * word of the query is in its text (a file's name, a reply's text), in
 * any case and whatever the accents' composition. There is no index, so
 * nothing of the words or the texts reaches the disk.
 */

void
sotto_search_result_free (SottoSearchResult *result)
{
  if (result == NULL)
    return;
  g_free (result->room);
  g_free (result->sender);
  g_free (result->text);
  g_free (result);
}

/* @text as it is compared: composed the same way, in one case. */
static char *
fold (const char *text,
      gssize      length)
{
  g_autofree char *normal = g_utf8_normalize (text, length, G_NORMALIZE_ALL_COMPOSE);

  return normal != NULL ? g_utf8_casefold (normal, -1) : g_strdup ("");
}

typedef struct
{
  GStrv    words;
  gboolean ascii;
} Query;

static gboolean
is_ascii (const char *text)
{
  for (const guchar *p = (const guchar *) text; *p != '\0'; p++)
    if (*p >= 0x80)
      return FALSE;
  return TRUE;
}

/* Whether @text holds @word (lower case ASCII), in any case. */
static gboolean
ascii_contains (const char *text,
                const char *word)
{
  gsize length = strlen (word);

  for (const char *p = text; *p != '\0'; p++)
    if (g_ascii_strncasecmp (p, word, length) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
match_row (const SottoStoredMessage *row,
           gpointer                  user_data)
{
  Query *query = user_data;
  SottoMessageBodyType type = SOTTO_MESSAGE_BODY_TEXT;
  g_autofree char *text = NULL;
  g_autofree char *folded = NULL;

  text = _sotto_client_read_stored (row->body, &type, NULL, NULL, NULL);
  if (text == NULL || *text == '\0' ||
      (sotto_message_body_type_is_action (type) && type != SOTTO_MESSAGE_BODY_REPLY))
    return FALSE;
  /* Most texts and queries are plain ASCII: compared as they are, which
   * is what folding would give, without making a copy. */
  if (query->ascii && is_ascii (text))
    {
      for (guint i = 0; query->words[i] != NULL; i++)
        if (!ascii_contains (text, query->words[i]))
          return FALSE;
      return TRUE;
    }
  folded = fold (text, -1);
  for (guint i = 0; query->words[i] != NULL; i++)
    if (strstr (folded, query->words[i]) == NULL)
      return FALSE;
  return TRUE;
}

/**
 * sotto_client_search:
 * @room: (nullable): the room to search, or %NULL for every room
 * @query: words, all of which a message must hold
 * @limit: the most results
 *
 * Searches the messages this computer holds, newest first.
 *
 * Returns: (transfer container) (element-type SottoSearchResult): what
 *   matches, newest first (empty when nothing does), or %NULL with @error
 */
GPtrArray *
sotto_client_search (SottoClient  *self,
                     SottoRoom    *room,
                     const char   *query,
                     guint         limit,
                     GError      **error)
{
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autofree char *folded = NULL;
  g_auto(GStrv) words = NULL;
  g_autoptr(GStrvBuilder) kept = g_strv_builder_new ();
  Query match = { NULL };

  g_return_val_if_fail (SOTTO_IS_CLIENT (self), NULL);
  g_return_val_if_fail (room == NULL || SOTTO_IS_ROOM (room), NULL);
  g_return_val_if_fail (query != NULL, NULL);

  if (self->store == NULL)
    {
      g_set_error_literal (error, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_FAILED, _("Log in first"));
      return NULL;
    }
  folded = fold (query, -1);
  words = g_strsplit_set (folded, " \t\n\r", -1);
  for (guint i = 0; words[i] != NULL; i++)
    if (*words[i] != '\0')
      g_strv_builder_add (kept, words[i]);
  match.words = g_strv_builder_end (kept);
  match.ascii = is_ascii (folded);
  if (match.words[0] == NULL)
    {
      g_strfreev (match.words);
      g_set_error_literal (error, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_FAILED,
                           _("Type what to search for"));
      return NULL;
    }

  rows = sotto_client_store_search (self->store, room != NULL ? sotto_room_get_name (room) : NULL,
                                    match_row, &match, limit, error);
  g_strfreev (match.words);
  if (rows == NULL)
    return NULL;

  results = g_ptr_array_new_with_free_func ((GDestroyNotify) sotto_search_result_free);
  for (guint i = 0; i < rows->len; i++)
    {
      SottoStoredMessage *row = g_ptr_array_index (rows, i);
      SottoSearchResult *result = g_new0 (SottoSearchResult, 1);

      result->room = g_strdup (row->room);
      result->seq = row->seq;
      result->sender = g_strdup (row->sender);
      result->ts = row->ts;
      result->text = _sotto_client_read_stored (row->body, NULL, NULL, NULL, NULL);
      g_ptr_array_add (results, result);
    }
  return g_steal_pointer (&results);
}
