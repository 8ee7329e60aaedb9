/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sodium.h>
#include <string.h>

#include "sotto-client-private.h"
#include "sotto-client.h"
#include "sotto-e2e.h"
#include "sotto-test-server.h"
#include "sotto-test-users.h"
#include "sotto-test-util.h"

/*
 * Searching what this computer holds, with real clients and a real
 * server: every word must be there, in any case and accent composition;
 * newest first; one room or all; a reply's text and a file's name are
 * found, an edit's and a reaction's rows are not results, a deleted
 * message is not found; an edited message is found by what it says now,
 * a forged edit changes nothing; an empty query is refused. The same
 * search a little per turn of the main loop; where the words are in a
 * text, for marking them; a hundred thousand messages, every hit in order
 * and nothing of the words on the disk.
 */

#define PASSWORD "correct horse battery"

static gboolean
found_text (GPtrArray  *results,
            guint       index,
            const char *text)
{
  return index < results->len &&
         g_strcmp0 (((SottoSearchResult *) g_ptr_array_index (results, index))->text, text) == 0;
}

static void
keep_result (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static gboolean
have_result (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

static void
test_search (void)
{
  g_autoptr(SottoTestServer) server = sotto_test_server_start (NULL, NULL);
  g_autofree char *dir = sotto_test_make_data_dir ();
  g_autofree char *address = g_strdup_printf ("127.0.0.1:%u", sotto_test_server_get_port (server));
  g_autoptr(SottoClient) alice = sotto_test_user_new (dir, address, "alice", PASSWORD);
  g_autoptr(SottoClient) bob = sotto_test_user_new (dir, address, "bob", PASSWORD);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) results = NULL;
  SottoRoom *team = sotto_test_user_join (alice, "team");
  SottoRoom *lobby = sotto_test_user_join (alice, "lobby");
  SottoRoom *bob_team = sotto_test_user_join (bob, "team");
  SottoMessage *lunch;
  SottoMessage *last;
  SottoMessage *gone;

  sotto_test_user_wait_members (bob_team, 2);
  lunch = sotto_test_user_say (alice, team, "Lunch at the Café Müller?");
  sotto_test_user_say (alice, lobby, "Lunch is on me today");
  gone = sotto_test_user_say (alice, team, "secret lunch plans");
  sotto_test_user_wait_sent (gone);
  sotto_test_user_wait_sent (sotto_test_user_say (bob, bob_team, "Dinner instead?"));
  sotto_test_user_wait_for_text (team, "bob", "Dinner instead?");
  g_assert_nonnull (sotto_client_reply (alice, team, lunch, "Or lunch at noon", &error));
  g_assert_nonnull (sotto_client_react (alice, team, lunch, "🍽", TRUE, &error));
  g_assert_nonnull (sotto_client_delete_message (alice, team, gone, &error));
  g_assert_no_error (error);
  {
    g_auto(SottoFileMessage) menu = { { 0 } };

    randombytes_buf (menu.id, sizeof menu.id);
    randombytes_buf (menu.key, sizeof menu.key);
    randombytes_buf (menu.hash, sizeof menu.hash);
    menu.size = 1000;
    menu.name = g_strdup ("Dinner menu.pdf");
    menu.type = g_strdup ("application/pdf");
    g_assert_nonnull (sotto_client_send_file_message (alice, team, &menu, &error));
    g_assert_no_error (error);
  }
  last = sotto_test_user_say (alice, team, "done");
  sotto_test_user_wait_sent (last);

  /* One room, newest first: the reply, then the first; the deleted one
   * is not there. */
  results = sotto_client_search (alice, team, "LUNCH", 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 2);
  g_assert_true (found_text (results, 0, "Or lunch at noon"));
  g_assert_true (found_text (results, 1, "Lunch at the Café Müller?"));
  g_assert_cmpstr (((SottoSearchResult *) results->pdata[1])->sender, ==, "alice");
  g_assert_cmpint (((SottoSearchResult *) results->pdata[1])->seq, ==,
                   sotto_message_get_seq (lunch));
  g_clear_pointer (&results, g_ptr_array_unref);

  /* Every word, any case, the accent composed or not. */
  results = sotto_client_search (alice, NULL, "cafe\xcc\x81 MÜLLER lunch", 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 1);
  g_clear_pointer (&results, g_ptr_array_unref);

  /* All rooms; a limit. */
  results = sotto_client_search (alice, NULL, "lunch", 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 3);
  g_assert_cmpstr (((SottoSearchResult *) results->pdata[0])->room, ==, "team");
  g_clear_pointer (&results, g_ptr_array_unref);
  results = sotto_client_search (alice, NULL, "lunch", 1, &error);
  g_assert_cmpuint (results->len, ==, 1);
  g_clear_pointer (&results, g_ptr_array_unref);

  /* A file, by its name, and bob's text beside it. */
  results = sotto_client_search (alice, team, "dinner", 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 2);
  g_assert_true (found_text (results, 0, "Dinner menu.pdf"));
  g_assert_true (found_text (results, 1, "Dinner instead?"));
  g_clear_pointer (&results, g_ptr_array_unref);

  /* Nothing, and no query. */
  results = sotto_client_search (alice, NULL, "breakfast", 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 0);
  g_clear_pointer (&results, g_ptr_array_unref);
  g_assert_null (sotto_client_search (alice, NULL, "  \t ", 10, &error));
  g_assert_error (error, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_FAILED);
  g_clear_error (&error);

  /* alice edits her first message; bob's client, modified, seals an
   * edit of it too, signed as himself, newer than hers. */
  g_assert_nonnull (sotto_client_edit_message (alice, team, lunch, "Meet at the harbour at one",
                                               &error));
  g_assert_no_error (error);
  {
    g_auto(SottoMessageAction) forged = { SOTTO_MESSAGE_BODY_EDIT };
    SottoMessage *seen = sotto_test_user_wait_for_text (bob_team, "alice",
                                                        "Meet at the harbour at one");

    g_assert_true (sotto_message_get_ref (seen, &forged.target));
    forged.text = g_strdup ("Meet at the lighthouse");
    g_assert_nonnull (_sotto_client_send_action (bob, bob_team, &forged, &error));
    g_assert_no_error (error);
    sotto_test_user_wait_sent (sotto_test_user_say (bob, bob_team, "after the forgery"));
    sotto_test_user_wait_for_text (team, "bob", "after the forgery");
  }
  results = sotto_client_search (alice, team, "harbour", 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 1);
  g_assert_true (found_text (results, 0, "Meet at the harbour at one"));
  g_assert_cmpint (((SottoSearchResult *) results->pdata[0])->seq, ==,
                   sotto_message_get_seq (lunch));
  g_clear_pointer (&results, g_ptr_array_unref);
  results = sotto_client_search (alice, team, "lunch", 10, &error);
  g_assert_cmpuint (results->len, ==, 1);
  g_assert_true (found_text (results, 0, "Or lunch at noon"));
  g_clear_pointer (&results, g_ptr_array_unref);
  results = sotto_client_search (alice, NULL, "lighthouse", 10, &error);
  g_assert_cmpuint (results->len, ==, 0);
  g_clear_pointer (&results, g_ptr_array_unref);

  /* The same, a little per turn of the main loop. */
  {
    g_autoptr(GAsyncResult) done = NULL;

    sotto_client_search_async (alice, NULL, "HARBOUR", 10, NULL, keep_result, &done);
    g_assert_true (sotto_test_wait_until (have_result, &done, 5));
    results = sotto_client_search_finish (alice, done, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (results->len, ==, 1);
    g_assert_true (found_text (results, 0, "Meet at the harbour at one"));
    g_clear_pointer (&results, g_ptr_array_unref);
  }

  sotto_client_close (alice);
  sotto_client_close (bob);
  sotto_test_server_stop (server);
  sotto_test_remove_dir (dir);
}

/* A hundred thousand messages in the store, one in a thousand with the
 * word: all of those found, newest first, a limit kept; nothing of the
 * words on the disk after the searches. */
static void
test_hundred_thousand (void)
{
  g_autoptr(SottoTestServer) server = sotto_test_server_start (NULL, NULL);
  g_autofree char *dir = sotto_test_make_data_dir ();
  g_autofree char *address = g_strdup_printf ("127.0.0.1:%u", sotto_test_server_get_port (server));
  g_autofree char *path = sotto_test_user_store_path (dir, address, "alice", "alice");
  g_autoptr(SottoClient) alice = sotto_test_user_new (dir, address, "alice", PASSWORD);
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;
  const guint count = 100000;

  sotto_test_user_join (alice, "big");
  sotto_client_close (alice);
  g_clear_object (&alice);
  {
    g_autoptr(SottoClientStore) store = sotto_test_user_open_store (path, PASSWORD);

    for (guint i = 0; i < count; i++)
      {
        g_autofree char *text = g_strdup_printf (i % 1000 == 7
                                                 ? "Message %u: see you at the harbour at six"
                                                 : "Message %u of the big room", i + 1);
        g_autoptr(GBytes) body = g_bytes_new (text, strlen (text));
        g_autofree char *msg_id = g_strdup_printf ("b%08u", i);

        g_assert_true (sotto_client_store_add_message (store, "big", "bob", msg_id, 1000 + i,
                                                       1700000000000 + (gint64) i * 60000,
                                                       SOTTO_STORED_MESSAGE_RECEIVED, body,
                                                       NULL, &error));
      }
  }
  alice = sotto_test_user_open (dir, address, "alice");
  sotto_test_user_account (alice, FALSE, "alice", PASSWORD, &error);
  g_assert_no_error (error);

  results = sotto_client_search (alice, NULL, "HARBOUR six", 500, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, count / 1000);
  for (guint i = 0; i < results->len; i++)
    {
      SottoSearchResult *result = g_ptr_array_index (results, i);
      guint n = count - 1000 * i - 1000 + 8;
      g_autofree char *expected = g_strdup_printf ("Message %u: see you at the harbour at six",
                                                   n);

      g_assert_cmpstr (result->text, ==, expected);
      g_assert_cmpint (result->seq, ==, 1000 + n - 1);
    }
  g_clear_pointer (&results, g_ptr_array_unref);
  results = sotto_client_search (alice, NULL, "harbour", 10, &error);
  g_assert_cmpuint (results->len, ==, 10);
  g_clear_pointer (&results, g_ptr_array_unref);

  sotto_client_close (alice);
  g_assert_false (sotto_test_tree_contains (dir, (const guint8 *) "harbour", 7));
  g_assert_false (sotto_test_tree_contains (dir, (const guint8 *) "Message 1", 9));
  sotto_test_server_stop (server);
  sotto_test_remove_dir (dir);
}

static void
assert_hits (const char *text,
             const char *query,
             const char *expected)
{
  g_autoptr(GArray) hits = sotto_search_find_hits (text, query);
  g_autoptr(GString) marked = g_string_new (NULL);
  gsize at = 0;

  for (guint i = 0; i < hits->len; i++)
    {
      SottoSearchHit *hit = &g_array_index (hits, SottoSearchHit, i);

      g_string_append_len (marked, text + at, hit->start - at);
      g_string_append_c (marked, '[');
      g_string_append_len (marked, text + hit->start, hit->end - hit->start);
      g_string_append_c (marked, ']');
      at = hit->end;
    }
  g_string_append (marked, text + at);
  g_assert_cmpstr (marked->str, ==, expected);
}

/* Where the words are: any case, each place, overlapping ones as one,
 * an accent composed or not, a letter whose folding is longer. */
static void
test_hits (void)
{
  assert_hits ("Lunch at the Café Müller? LUNCH!", "lunch müller",
               "[Lunch] at the Café [Müller]? [LUNCH]!");
  assert_hits ("Lunch at the Cafe\xcc\x81", "café", "Lunch at the [Cafe\xcc\x81]");
  assert_hits ("Lunch at the Café", "cafe\xcc\x81", "Lunch at the [Café]");
  assert_hits ("banana", "ana nan", "b[anana]");
  assert_hits ("Die Straße", "STRASSE", "Die [Straße]");
  assert_hits ("nothing here", "lunch", "nothing here");
  assert_hits ("", "lunch", "");
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sotto/client/search/words", test_search);
  g_test_add_func ("/sotto/client/search/hits", test_hits);
  g_test_add_func ("/sotto/client/search/hundred-thousand", test_hundred_thousand);

  return g_test_run ();
}
