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

/* The words of @query, folded as texts are, none empty. */
static GStrv
query_words (const char *query)
{
  g_autofree char *folded = fold (query, -1);
  g_auto(GStrv) words = g_strsplit_set (folded, " \t\n\r", -1);
  g_autoptr(GStrvBuilder) kept = g_strv_builder_new ();

  for (guint i = 0; words[i] != NULL; i++)
    if (*words[i] != '\0')
      g_strv_builder_add (kept, words[i]);
  return g_strv_builder_end (kept);
}

typedef struct
{
  GStrv       words;
  gboolean    ascii;
  /* The newest edit's text of each message edited, by the message's
   * reference (edits are newer than their message, so read first) */
  GHashTable *edits;
  /* The text a kept row says now, where an edit changed it, by row id */
  GHashTable *texts;
  /* Our own rows keep no signer: this device signed them */
  char       *own_user;
  gboolean    has_own_device;
  guint8      own_device[SOTTO_MESSAGE_REF_DEVICE_BYTES];
} Query;

/* What names a message: its room, and what its sender signed. */
static char *
ref_key (const char *room,
         const char *sender,
         const guint8 device[SOTTO_MESSAGE_REF_DEVICE_BYTES],
         guint64     counter)
{
  g_autofree char *hex = g_malloc (SOTTO_MESSAGE_REF_DEVICE_BYTES * 2 + 1);

  for (guint i = 0; i < SOTTO_MESSAGE_REF_DEVICE_BYTES; i++)
    g_snprintf (hex + i * 2, 3, "%02x", device[i]);
  return g_strdup_printf ("%s\n%s\n%s\n%" G_GUINT64_FORMAT, room, sender, hex, counter);
}

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
match_text (Query      *query,
            const char *text)
{
  g_autofree char *folded = NULL;

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

static gboolean
match_row (const SottoStoredMessage *row,
           gpointer                  user_data)
{
  Query *query = user_data;
  SottoMessageBodyType type = SOTTO_MESSAGE_BODY_TEXT;
  g_autoptr(SottoMessageAction) action = NULL;
  g_autofree char *text = NULL;
  const guint8 *signer = NULL;
  const char *now;

  text = _sotto_client_read_stored (row->body, &type, NULL, NULL, &action);
  /* An edit counts for its message as every reader applies it: only
   * its author's, the newest. */
  if (type == SOTTO_MESSAGE_BODY_EDIT && action != NULL && action->text != NULL &&
      g_strcmp0 (action->target.sender, row->sender) == 0)
    {
      char *key = ref_key (row->room, action->target.sender, action->target.device,
                           action->target.counter);

      if (!g_hash_table_contains (query->edits, key))
        g_hash_table_insert (query->edits, key, g_strdup (action->text));
      else
        g_free (key);
      return FALSE;
    }
  if (text == NULL || *text == '\0' ||
      (sotto_message_body_type_is_action (type) && type != SOTTO_MESSAGE_BODY_REPLY))
    return FALSE;

  now = text;
  if (row->has_signer)
    signer = row->signer;
  else if (query->has_own_device && g_strcmp0 (row->sender, query->own_user) == 0)
    signer = query->own_device;
  if (signer != NULL && (type == SOTTO_MESSAGE_BODY_TEXT || type == SOTTO_MESSAGE_BODY_REPLY))
    {
      g_autofree char *key = ref_key (row->room, row->sender, signer, row->counter);
      const char *edited = g_hash_table_lookup (query->edits, key);

      if (edited != NULL)
        now = edited;
    }
  if (!match_text (query, now))
    return FALSE;
  if (now != text)
    g_hash_table_insert (query->texts, g_memdup2 (&row->id, sizeof row->id), g_strdup (now));
  return TRUE;
}

/* A search on its way: the folded words, where the reading has got to,
 * and what it kept. */
typedef struct
{
  SottoClientStore *store;
  char             *room;
  Query             match;
  gint64            cursor;
  guint             limit;
  GPtrArray        *rows;
  guint             idle_id;
} Search;

static void
search_free (Search *search)
{
  g_clear_handle_id (&search->idle_id, g_source_remove);
  g_clear_object (&search->store);
  g_free (search->room);
  g_strfreev (search->match.words);
  g_clear_pointer (&search->match.edits, g_hash_table_unref);
  g_clear_pointer (&search->match.texts, g_hash_table_unref);
  g_free (search->match.own_user);
  g_clear_pointer (&search->rows, g_ptr_array_unref);
  g_free (search);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Search, search_free)

static Search *
search_new (SottoClient  *self,
            SottoRoom    *room,
            const char   *query,
            guint         limit,
            GError      **error)
{
  g_autoptr(Search) search = g_new0 (Search, 1);

  if (self->store == NULL)
    {
      g_set_error_literal (error, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_FAILED, _("Log in first"));
      return NULL;
    }
  search->match.words = query_words (query);
  search->match.ascii = TRUE;
  for (guint i = 0; search->match.words[i] != NULL; i++)
    search->match.ascii = search->match.ascii && is_ascii (search->match.words[i]);
  if (search->match.words[0] == NULL)
    {
      g_set_error_literal (error, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_FAILED,
                           _("Type what to search for"));
      return NULL;
    }
  search->match.edits = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  search->match.texts = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  search->match.own_user = g_strdup (self->user);
  if (self->identity != NULL)
    {
      search->match.has_own_device = TRUE;
      memcpy (search->match.own_device, sotto_identity_get_public (self->identity)->sign_pk,
              SOTTO_MESSAGE_REF_DEVICE_BYTES);
    }
  search->store = g_object_ref (self->store);
  search->room = room != NULL ? g_strdup (sotto_room_get_name (room)) : NULL;
  search->limit = limit;
  search->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) sotto_stored_message_free);
  return g_steal_pointer (&search);
}

/* Reads up to @max_rows more rows: whether the search is done. */
static gboolean
search_step (Search   *search,
             guint     max_rows,
             GError  **error)
{
  g_autoptr(GPtrArray) rows = NULL;

  rows = sotto_client_store_search (search->store, search->room, &search->cursor, max_rows,
                                    match_row, &search->match,
                                    search->limit - search->rows->len, error);
  if (rows == NULL)
    return TRUE;
  g_ptr_array_extend_and_steal (search->rows, g_steal_pointer (&rows));
  return search->cursor < 0 || search->rows->len >= search->limit;
}

static GPtrArray *
search_results (Search *search)
{
  GPtrArray *results = g_ptr_array_new_with_free_func ((GDestroyNotify) sotto_search_result_free);

  for (guint i = 0; i < search->rows->len; i++)
    {
      SottoStoredMessage *row = g_ptr_array_index (search->rows, i);
      SottoSearchResult *result = g_new0 (SottoSearchResult, 1);

      result->room = g_strdup (row->room);
      result->seq = row->seq;
      result->sender = g_strdup (row->sender);
      result->ts = row->ts;
      result->text = g_strdup (g_hash_table_lookup (search->match.texts, &row->id));
      if (result->text == NULL)
        result->text = _sotto_client_read_stored (row->body, NULL, NULL, NULL, NULL);
      g_ptr_array_add (results, result);
    }
  return results;
}

/**
 * sotto_client_search:
 * @room: (nullable): the room to search, or %NULL for every room
 * @query: words, all of which a message must hold
 * @limit: the most results
 *
 * Searches the messages this computer holds, newest first, at once.
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
  g_autoptr(Search) search = NULL;
  GError *local_error = NULL;

  g_return_val_if_fail (SOTTO_IS_CLIENT (self), NULL);
  g_return_val_if_fail (room == NULL || SOTTO_IS_ROOM (room), NULL);
  g_return_val_if_fail (query != NULL, NULL);

  if ((search = search_new (self, room, query, limit, error)) == NULL)
    return NULL;
  if (limit > 0)
    search_step (search, G_MAXUINT, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return NULL;
    }
  return search_results (search);
}

/* Rows read between two looks at the clock, and how long one turn of
 * the main loop may read: the window keeps drawing while a search of a
 * long history goes on. */
#define SEARCH_PAGE 256
#define SEARCH_TURN_US 8000

static gboolean
search_turn_cb (gpointer user_data)
{
  GTask *task = user_data;
  Search *search = g_task_get_task_data (task);
  gint64 until = g_get_monotonic_time () + SEARCH_TURN_US;
  GError *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    {
      search->idle_id = 0;
      return G_SOURCE_REMOVE;
    }
  while (g_get_monotonic_time () < until)
    if (search_step (search, SEARCH_PAGE, &error))
      {
        search->idle_id = 0;
        if (error != NULL)
          g_task_return_error (task, error);
        else
          g_task_return_pointer (task, search_results (search), (GDestroyNotify) g_ptr_array_unref);
        return G_SOURCE_REMOVE;
      }
  return G_SOURCE_CONTINUE;
}

/**
 * sotto_client_search_async:
 * @room: (nullable): the room to search, or %NULL for every room
 * @query: words, all of which a message must hold
 * @limit: the most results
 *
 * Searches as sotto_client_search() does, a little in each turn of the
 * main loop, so that a long history does not hold up the window.
 */
void
sotto_client_search_async (SottoClient         *self,
                           SottoRoom           *room,
                           const char          *query,
                           guint                limit,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  Search *search;

  g_return_if_fail (SOTTO_IS_CLIENT (self));
  g_return_if_fail (room == NULL || SOTTO_IS_ROOM (room));
  g_return_if_fail (query != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sotto_client_search_async);
  if ((search = search_new (self, room, query, limit, &error)) == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_set_task_data (task, search, (GDestroyNotify) search_free);
  if (limit == 0)
    {
      g_task_return_pointer (task, search_results (search), (GDestroyNotify) g_ptr_array_unref);
      return;
    }
  /* Below drawing, so the window keeps up; the source holds the task. */
  search->idle_id = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, search_turn_cb,
                                     g_object_ref (task), g_object_unref);
}

/**
 * sotto_client_search_finish:
 *
 * Returns: (transfer container) (element-type SottoSearchResult): what
 *   matches, newest first, or %NULL with @error (also when cancelled)
 */
GPtrArray *
sotto_client_search_finish (SottoClient   *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static int
compare_hits (gconstpointer a,
              gconstpointer b)
{
  const SottoSearchHit *x = a, *y = b;

  return x->start < y->start ? -1 : x->start > y->start ? 1 : 0;
}

/**
 * sotto_search_find_hits:
 * @text: a message's text
 * @query: what was searched for
 *
 * Finds where the words of @query are in @text, compared as a search
 * compares them (in any case, whatever the accents' composition), for
 * showing them marked.
 *
 * Returns: (transfer full) (element-type SottoSearchHit): the places,
 *   in order, none overlapping another
 */
GArray *
sotto_search_find_hits (const char *text,
                        const char *query)
{
  g_autoptr(GArray) hits = g_array_new (FALSE, FALSE, sizeof (SottoSearchHit));
  g_autoptr(GArray) merged = g_array_new (FALSE, FALSE, sizeof (SottoSearchHit));
  g_auto(GStrv) words = NULL;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (query != NULL, NULL);

  words = query_words (query);
  /* From each character on, longer and longer pieces of the text are
   * folded while they are the start of a word: folding may change a
   * piece's length (ß is ss), so offsets in the folded text say nothing
   * of the text's own. */
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    for (guint i = 0; words[i] != NULL; i++)
      {
        gsize length = strlen (words[i]);

        for (const char *end = g_utf8_next_char (p);; end = g_utf8_next_char (end))
          {
            g_autofree char *piece = fold (p, end - p);
            gsize piece_length = strlen (piece);

            gsize settled;

            if (piece_length >= length && strncmp (piece, words[i], length) == 0)
              {
                SottoSearchHit hit = { p - text, end - text };

                g_array_append_val (hits, hit);
                break;
              }
            if (piece_length == 0)
              break;
            /* The last character may still compose with the next. */
            settled = g_utf8_prev_char (piece + piece_length) - piece;
            if (*end == '\0' || settled > length || strncmp (piece, words[i], settled) != 0)
              break;
          }
      }
  g_array_sort (hits, compare_hits);
  for (guint i = 0; i < hits->len; i++)
    {
      SottoSearchHit *hit = &g_array_index (hits, SottoSearchHit, i);
      SottoSearchHit *last = merged->len > 0
                             ? &g_array_index (merged, SottoSearchHit, merged->len - 1)
                             : NULL;

      if (last != NULL && hit->start <= last->end)
        last->end = MAX (last->end, hit->end);
      else
        g_array_append_val (merged, *hit);
    }
  return g_steal_pointer (&merged);
}
