/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sodium.h>
#include <string.h>

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
 * message is not found; an empty query is refused.
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

  sotto_client_close (alice);
  sotto_client_close (bob);
  sotto_test_server_stop (server);
  sotto_test_remove_dir (dir);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sotto/client/search/words", test_search);

  return g_test_run ();
}
