/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sotto-client-private.h"
#include "sotto-client.h"
#include "sotto-client-store.h"
#include "sotto-test-server.h"
#include "sotto-test-users.h"
#include "sotto-test-util.h"

/*
 * Replies, edits, deletions and reactions between real clients through a
 * real server: each reaches the other member live and after being away,
 * survives a restart, and applies to a message that loads only later; an
 * edit or deletion a member sends of someone else's message (sealed and
 * signed by that member, as a modified client would) is refused by every
 * reader, while a room's owner may delete anyone's (also while its
 * sender is away, and after his restart).
 */

#define PASSWORD "correct horse battery"
#define WAIT_SECONDS 30

typedef struct
{
  SottoTestServer *server;
  char            *dir;
  char            *address;
  SottoClient     *alice;
  SottoClient     *bob;
  SottoRoom       *alice_room;
  SottoRoom       *bob_room;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  fixture->server = sotto_test_server_start (NULL, NULL);
  fixture->dir = sotto_test_make_data_dir ();
  fixture->address = g_strdup_printf ("127.0.0.1:%u", sotto_test_server_get_port (fixture->server));
  fixture->alice = sotto_test_user_new (fixture->dir, fixture->address, "alice", PASSWORD);
  fixture->bob = sotto_test_user_new (fixture->dir, fixture->address, "bob", PASSWORD);
  /* alice makes the room: she owns it. */
  fixture->alice_room = sotto_test_user_join (fixture->alice, "team");
  fixture->bob_room = sotto_test_user_join (fixture->bob, "team");
  sotto_test_user_wait_members (fixture->alice_room, 2);
  sotto_test_user_wait_members (fixture->bob_room, 2);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  if (fixture->alice != NULL)
    sotto_client_close (fixture->alice);
  if (fixture->bob != NULL)
    sotto_client_close (fixture->bob);
  g_clear_object (&fixture->alice);
  g_clear_object (&fixture->bob);
  if (sotto_test_server_is_running (fixture->server))
    sotto_test_server_stop (fixture->server);
  g_clear_pointer (&fixture->server, sotto_test_server_free);
  sotto_test_remove_dir (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->address);
}

/* bob again, after a restart: what he sees comes from his store, and
 * what was said meanwhile from the server. */
static void
restart_bob (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;

  sotto_client_close (fixture->bob);
  g_clear_object (&fixture->bob);
  fixture->bob = sotto_test_user_open (fixture->dir, fixture->address, "bob");
  sotto_test_user_account (fixture->bob, FALSE, "bob", PASSWORD, &error);
  g_assert_no_error (error);
  fixture->bob_room = sotto_client_lookup_room (fixture->bob, "team");
  g_assert_nonnull (fixture->bob_room);
}

typedef struct
{
  SottoMessage *message;
  const char   *text;
  gboolean      edited;
  SottoMessageDeletion deletion;
  const char   *reaction;
  guint         reactors;
} Expect;

static gboolean
as_expected (gpointer data)
{
  Expect *expect = data;
  g_auto(GStrv) reactions = sotto_message_dup_reactions (expect->message);
  g_auto(GStrv) reactors = NULL;

  if (g_strcmp0 (sotto_message_get_text (expect->message), expect->text) != 0 ||
      sotto_message_is_edited (expect->message) != expect->edited ||
      sotto_message_get_deletion (expect->message) != expect->deletion)
    return FALSE;
  if (expect->reaction == NULL)
    return g_strv_length (reactions) == 0;
  reactors = sotto_message_dup_reactors (expect->message, expect->reaction);
  return g_strv_length (reactions) == 1 && g_str_equal (reactions[0], expect->reaction) &&
         g_strv_length (reactors) == expect->reactors;
}

static void
wait_expected (Expect *expect)
{
  if (!sotto_test_wait_until (as_expected, expect, WAIT_SECONDS))
    g_error ("The message reads “%s” (edited %d, deletion %d), not as expected “%s”",
             sotto_message_get_text (expect->message), sotto_message_is_edited (expect->message),
             sotto_message_get_deletion (expect->message), expect->text);
}

static SottoMessage *
wait_reply (SottoRoom  *room,
            const char *sender,
            const char *text)
{
  SottoMessage *reply = sotto_test_user_wait_for_text (room, sender, text);

  g_assert_cmpint (sotto_message_get_kind (reply), ==, SOTTO_MESSAGE_BODY_REPLY);
  return reply;
}

/* Each kind, live, from both sides. */
static void
test_live (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  SottoMessage *sent = sotto_test_user_say (fixture->alice, fixture->alice_room,
                                            "Who brings the cake?");
  SottoMessage *seen;
  SottoMessage *reply;
  SottoMessage *own_reply;
  g_auto(GStrv) edits = NULL;
  Expect on_bob = { 0 };
  Expect on_alice = { 0 };

  sotto_test_user_wait_sent (sent);
  seen = sotto_test_user_wait_for_text (fixture->bob_room, "alice", "Who brings the cake?");

  /* A reply names the message and quotes it. */
  own_reply = sotto_client_reply (fixture->bob, fixture->bob_room, seen, "I do, chocolate.",
                                  &error);
  g_assert_no_error (error);
  g_assert_nonnull (own_reply);
  reply = wait_reply (fixture->alice_room, "bob", "I do, chocolate.");
  g_assert_cmpstr (sotto_message_get_action (reply)->excerpt, ==, "Who brings the cake?");
  g_assert_true (sotto_room_lookup_ref (fixture->alice_room,
                                        &sotto_message_get_action (reply)->target) == sent);

  /* An edit changes the text for both, and keeps the one before. */
  g_assert_nonnull (sotto_client_edit_message (fixture->alice, fixture->alice_room, sent,
                                               "Who brings the cake on Friday?", &error));
  g_assert_no_error (error);
  on_bob = (Expect) { seen, "Who brings the cake on Friday?", TRUE };
  wait_expected (&on_bob);
  on_alice = (Expect) { sent, "Who brings the cake on Friday?", TRUE };
  wait_expected (&on_alice);
  edits = sotto_message_dup_edits (seen);
  g_assert_cmpuint (g_strv_length (edits), ==, 1);
  g_assert_cmpstr (edits[0], ==, "Who brings the cake?");

  /* Reactions: given, then taken back. */
  g_assert_nonnull (sotto_client_react (fixture->bob, fixture->bob_room, seen, "🎂", TRUE,
                                        &error));
  g_assert_no_error (error);
  on_alice.reaction = "🎂";
  on_alice.reactors = 1;
  wait_expected (&on_alice);
  g_assert_true (sotto_message_has_reaction_from (sent, "bob", "🎂"));
  g_assert_nonnull (sotto_client_react (fixture->alice, fixture->alice_room, sent, "🎂", TRUE,
                                        &error));
  on_alice.reactors = 2;
  wait_expected (&on_alice);
  on_bob.reaction = "🎂";
  on_bob.reactors = 2;
  wait_expected (&on_bob);
  g_assert_nonnull (sotto_client_react (fixture->bob, fixture->bob_room, seen, "🎂", FALSE,
                                        &error));
  on_alice.reactors = 1;
  wait_expected (&on_alice);

  /* What the user may not do is refused before anything is sent. */
  g_assert_null (sotto_client_edit_message (fixture->bob, fixture->bob_room, seen, "mine now",
                                            &error));
  g_assert_error (error, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_null (sotto_client_delete_message (fixture->bob, fixture->bob_room, seen, &error));
  g_assert_error (error, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_null (sotto_client_react (fixture->bob, fixture->bob_room, seen, "two words", TRUE,
                                     &error));
  g_assert_error (error, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_FAILED);
  g_clear_error (&error);

  /* Deleted by its sender: nothing of it is left to read. */
  g_assert_nonnull (sotto_client_delete_message (fixture->alice, fixture->alice_room, sent,
                                                 &error));
  g_assert_no_error (error);
  on_bob = (Expect) { seen, "", FALSE, SOTTO_MESSAGE_DELETED_BY_SENDER };
  wait_expected (&on_bob);
  g_clear_pointer (&edits, g_strfreev);
  edits = sotto_message_dup_edits (seen);
  g_assert_cmpuint (g_strv_length (edits), ==, 0);
  g_assert_cmpstr (sotto_message_get_deleted_by (seen), ==, "alice");
  g_assert_null (sotto_client_reply (fixture->bob, fixture->bob_room, seen, "too late", &error));
  g_assert_error (error, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_FAILED);

  /* The owner of the room deletes bob's reply: shown as such. */
  g_clear_error (&error);
  g_assert_nonnull (sotto_client_delete_message (fixture->alice, fixture->alice_room, reply,
                                                 &error));
  g_assert_no_error (error);
  {
    Expect gone = { own_reply, "", FALSE, SOTTO_MESSAGE_DELETED_BY_MODERATOR };

    wait_expected (&gone);
    g_assert_cmpstr (sotto_message_get_deleted_by (own_reply), ==, "alice");
  }
}

static gboolean
no_off_topic (gpointer data)
{
  return sotto_test_room_count_text (data, "bob", "Off topic") == 0;
}

/* Sent while bob was away, they apply when he is back; everything holds
 * after his restart, from his store. */
static void
test_offline_and_restart (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  SottoMessage *first = sotto_test_user_say (fixture->alice, fixture->alice_room, "Lunch at 12?");
  SottoMessage *second = sotto_test_user_say (fixture->alice, fixture->alice_room, "Typo here");
  SottoMessage *bobs = sotto_test_user_say (fixture->bob, fixture->bob_room, "Off topic");
  SottoMessage *seen;
  Expect expect = { 0 };

  sotto_test_user_wait_sent (second);
  sotto_test_user_wait_sent (bobs);
  sotto_test_user_wait_for_text (fixture->bob_room, "alice", "Typo here");
  seen = sotto_test_user_wait_for_text (fixture->alice_room, "bob", "Off topic");
  sotto_client_close (fixture->bob);
  /* The owner deletes bob's message while he is away. */
  g_assert_nonnull (sotto_client_delete_message (fixture->alice, fixture->alice_room, seen,
                                                 &error));

  g_assert_nonnull (sotto_client_edit_message (fixture->alice, fixture->alice_room, first,
                                               "Lunch at 1?", &error));
  g_assert_nonnull (sotto_client_react (fixture->alice, fixture->alice_room, first, "👍", TRUE,
                                        &error));
  g_assert_nonnull (sotto_client_delete_message (fixture->alice, fixture->alice_room, second,
                                                 &error));
  g_assert_no_error (error);
  sotto_test_user_wait_for_text (fixture->alice_room, "alice", "Lunch at 1?");
  sotto_test_iterate (300);

  for (guint round = 0; round < 2; round++)
    {
      restart_bob (fixture);
      seen = sotto_test_user_wait_for_text (fixture->bob_room, "alice", "Lunch at 1?");
      expect = (Expect) { seen, "Lunch at 1?", TRUE, SOTTO_MESSAGE_NOT_DELETED, "👍", 1 };
      wait_expected (&expect);
      g_assert_cmpuint (sotto_test_room_count_text (fixture->bob_room, "alice", "Typo here"), ==,
                        0);
      g_assert_cmpuint (sotto_test_room_count_text (fixture->bob_room, "alice", "Lunch at 12?"),
                        ==, 0);
      /* Applied once the room's state says who moderates it. */
      if (!sotto_test_wait_until (no_off_topic, fixture->bob_room, WAIT_SECONDS))
        g_error ("The owner's deletion did not apply after a restart");
    }

  /* What the deleted messages said is gone from bob's store too. */
  sotto_client_close (fixture->bob);
  g_clear_object (&fixture->bob);
  {
    g_autofree char *path = sotto_test_user_store_path (fixture->dir, fixture->address, "bob",
                                                        "bob");
    g_autoptr(SottoClientStore) store = sotto_test_user_open_store (path, PASSWORD);
    g_autoptr(GPtrArray) rows = sotto_client_store_load_history (store, "team", 0, 100, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (rows->len, >, 0);
    for (guint i = 0; i < rows->len; i++)
      {
        SottoStoredMessage *row = g_ptr_array_index (rows, i);
        gsize size;
        const char *body = g_bytes_get_data (row->body, &size);

        g_assert_null (g_strstr_len (body, (gssize) size, "Typo here"));
        g_assert_null (g_strstr_len (body, (gssize) size, "Off topic"));
      }
  }
}

/* An edit of a message far back: it waits until the message is loaded,
 * then applies. */
static void
test_applies_when_loaded (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  SottoMessage *old = sotto_test_user_say (fixture->alice, fixture->alice_room, "long ago");
  SottoMessage *last = NULL;
  SottoMessage *seen;
  Expect expect = { 0 };

  sotto_test_user_wait_sent (old);
  for (guint i = 0; i < 80; i++)
    {
      g_autofree char *text = g_strdup_printf ("filler %u", i);

      last = sotto_test_user_say (fixture->alice, fixture->alice_room, text);
    }
  sotto_test_user_wait_sent (last);
  g_assert_nonnull (sotto_client_edit_message (fixture->alice, fixture->alice_room, old,
                                               "long ago, edited", &error));
  g_assert_no_error (error);
  sotto_test_user_wait_for_text (fixture->bob_room, "alice", "filler 79");
  sotto_test_iterate (300);

  /* After a restart bob's room shows the latest page only. */
  restart_bob (fixture);
  sotto_test_user_wait_for_text (fixture->bob_room, "alice", "filler 79");
  g_assert_cmpuint (sotto_test_room_count_text (fixture->bob_room, "alice", "long ago, edited"),
                    ==, 0);
  while (sotto_test_room_count_text (fixture->bob_room, "alice", "long ago, edited") == 0 &&
         sotto_client_load_older (fixture->bob, fixture->bob_room, 20, &error) > 0)
    ;
  g_assert_no_error (error);
  seen = sotto_test_user_wait_for_text (fixture->bob_room, "alice", "long ago, edited");
  expect = (Expect) { seen, "long ago, edited", TRUE };
  wait_expected (&expect);
  g_assert_cmpuint (sotto_test_room_count_text (fixture->bob_room, "alice", "long ago"), ==, 0);
}

/* bob's client, modified, seals an edit and a deletion of alice's message
 * and signs them as himself: both readers refuse them. */
static void
test_forged (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  SottoMessage *sent = sotto_test_user_say (fixture->alice, fixture->alice_room, "I said this");
  SottoMessage *seen;
  SottoMessage *marker;
  g_auto(SottoMessageAction) edit = { SOTTO_MESSAGE_BODY_EDIT };
  g_auto(SottoMessageAction) deletion = { SOTTO_MESSAGE_BODY_DELETE };

  sotto_test_user_wait_sent (sent);
  seen = sotto_test_user_wait_for_text (fixture->bob_room, "alice", "I said this");
  g_assert_true (sotto_message_get_ref (seen, &edit.target));
  edit.text = g_strdup ("I never said this");
  g_assert_nonnull (_sotto_client_send_action (fixture->bob, fixture->bob_room, &edit, &error));
  g_assert_no_error (error);
  g_assert_true (sotto_message_get_ref (seen, &deletion.target));
  g_assert_nonnull (_sotto_client_send_action (fixture->bob, fixture->bob_room, &deletion,
                                               &error));
  g_assert_no_error (error);

  /* Whatever comes after them has come after them. */
  marker = sotto_test_user_say (fixture->bob, fixture->bob_room, "after the forgeries");
  sotto_test_user_wait_sent (marker);
  sotto_test_user_wait_for_text (fixture->alice_room, "bob", "after the forgeries");
  sotto_test_iterate (200);

  g_assert_cmpstr (sotto_message_get_text (sent), ==, "I said this");
  g_assert_false (sotto_message_is_edited (sent));
  g_assert_cmpint (sotto_message_get_deletion (sent), ==, SOTTO_MESSAGE_NOT_DELETED);
  g_assert_cmpstr (sotto_message_get_text (seen), ==, "I said this");
  g_assert_cmpint (sotto_message_get_deletion (seen), ==, SOTTO_MESSAGE_NOT_DELETED);

  /* And after a restart, from the store. */
  restart_bob (fixture);
  seen = sotto_test_user_wait_for_text (fixture->bob_room, "alice", "I said this");
  sotto_test_user_wait_for_text (fixture->bob_room, "bob", "after the forgeries");
  g_assert_false (sotto_message_is_edited (seen));
  g_assert_cmpint (sotto_message_get_deletion (seen), ==, SOTTO_MESSAGE_NOT_DELETED);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/sotto/client/actions/" path, Fixture, NULL, fixture_setup, func, \
              fixture_teardown)
  ADD ("live", test_live);
  ADD ("offline-and-restart", test_offline_and_restart);
  ADD ("applies-when-loaded", test_applies_when_loaded);
  ADD ("forged", test_forged);
#undef ADD

  return g_test_run ();
}
