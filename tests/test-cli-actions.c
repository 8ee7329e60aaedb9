/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "sotto-test-cli.h"
#include "sotto-test-server.h"
#include "sotto-test-util.h"

/*
 * reply, edit, delete, react and unreact with the real sotto-cli against
 * the real server on 127.0.0.1, and what listen prints of them, as lines
 * and as JSON; what a user may not do is refused with a sentence and
 * exit status 5, a message that is not there and a reaction that is not
 * one too, and a number that is not one with status 1.
 */

typedef struct
{
  SottoTestServer *server;
  char            *dir;
  char            *address;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  fixture->server = sotto_test_server_start (NULL, NULL);
  fixture->dir = sotto_test_make_data_dir ();
  fixture->address = g_strdup_printf ("127.0.0.1:%u", sotto_test_server_get_port (fixture->server));
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  if (sotto_test_server_is_running (fixture->server))
    sotto_test_server_stop (fixture->server);
  g_clear_pointer (&fixture->server, sotto_test_server_free);
  sotto_test_remove_dir (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->address);
}

static GSubprocess *
spawn (Fixture           *fixture,
       const char        *user,
       const char *const *args)
{
  return sotto_test_cli_spawn (fixture->dir, fixture->address,
                               sotto_test_server_get_fingerprint (fixture->server), user, NULL,
                               args);
}

static int
run (Fixture           *fixture,
     const char        *user,
     const char *const *args,
     char             **out,
     char             **err)
{
  return sotto_test_cli_run (fixture->dir, fixture->address,
                             sotto_test_server_get_fingerprint (fixture->server), user, NULL,
                             args, out, err);
}

static JsonObject *
parse_json_line (const char *line)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, line, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* carol listens in team for @count messages, as JSON or lines (an
 * account's data is open in one program at a time). */
static GSubprocess *
listen_for (Fixture  *fixture,
            guint     count,
            gboolean  json)
{
  g_autofree char *count_arg = g_strdup_printf ("%u", count);
  const char *json_args[] = { "listen", "team", "--json", "--count", count_arg, NULL };
  const char *line_args[] = { "listen", "team", "--count", count_arg, NULL };
  GSubprocess *listener = spawn (fixture, "carol", json ? json_args : line_args);

  sotto_test_cli_wait_for_stderr (listener, "Listening in team");
  return listener;
}

static void
test_commands (Fixture       *fixture,
               gconstpointer  data)
{
  const char *register_args[] = { "register", NULL };
  const char *join_args[] = { "join", "team", NULL };
  const char *send_args[] = { "send", "team", "Lunch at 12?", NULL };
  g_autoptr(GSubprocess) listener = NULL;
  g_autoptr(JsonObject) sent = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *seq = NULL;
  gint64 seq_value;

  g_assert_cmpint (run (fixture, "alice", register_args, NULL, NULL), ==, 0);
  g_assert_cmpint (run (fixture, "bob", register_args, NULL, NULL), ==, 0);
  g_assert_cmpint (run (fixture, "carol", register_args, NULL, NULL), ==, 0);
  g_assert_cmpint (run (fixture, "alice", join_args, NULL, NULL), ==, 0);
  g_assert_cmpint (run (fixture, "bob", join_args, NULL, NULL), ==, 0);
  g_assert_cmpint (run (fixture, "carol", join_args, NULL, NULL), ==, 0);

  /* The message's number, as a script learns it. */
  listener = listen_for (fixture, 1, TRUE);
  g_assert_cmpint (run (fixture, "alice", send_args, NULL, NULL), ==, 0);
  g_assert_cmpint (sotto_test_cli_finish (listener, &out, NULL), ==, 0);
  g_clear_object (&listener);
  sent = parse_json_line (out);
  g_assert_cmpstr (json_object_get_string_member (sent, "kind"), ==, "text");
  seq_value = json_object_get_int_member (sent, "seq");
  seq = g_strdup_printf ("%" G_GINT64_FORMAT, seq_value);
  g_clear_pointer (&out, g_free);

  /* Four of them, as JSON. */
  listener = listen_for (fixture, 4, TRUE);
  {
    const char *reply_args[] = { "reply", "team", seq, "I", "bring", "bread", NULL };
    const char *react_args[] = { "react", "team", seq, "👍", NULL };
    const char *edit_args[] = { "edit", "team", seq, "Lunch at 1?", NULL };
    const char *delete_args[] = { "delete", "team", seq, NULL };

    g_assert_cmpint (run (fixture, "bob", reply_args, NULL, NULL), ==, 0);
    g_assert_cmpint (run (fixture, "bob", react_args, NULL, NULL), ==, 0);
    g_assert_cmpint (run (fixture, "alice", edit_args, NULL, NULL), ==, 0);
    g_assert_cmpint (run (fixture, "alice", delete_args, NULL, NULL), ==, 0);
  }
  g_assert_cmpint (sotto_test_cli_finish (listener, &out, NULL), ==, 0);
  g_clear_object (&listener);
  lines = g_strsplit (g_strstrip (out), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 4);
  {
    g_autoptr(JsonObject) reply = parse_json_line (lines[0]);
    g_autoptr(JsonObject) reaction = parse_json_line (lines[1]);
    g_autoptr(JsonObject) edit = parse_json_line (lines[2]);
    g_autoptr(JsonObject) deletion = parse_json_line (lines[3]);
    JsonObject *target;

    g_assert_cmpstr (json_object_get_string_member (reply, "kind"), ==, "reply");
    g_assert_cmpstr (json_object_get_string_member (reply, "text"), ==, "I bring bread");
    g_assert_cmpstr (json_object_get_string_member (reply, "excerpt"), ==, "Lunch at 12?");
    target = json_object_get_object_member (reply, "target");
    g_assert_cmpstr (json_object_get_string_member (target, "sender"), ==, "alice");
    g_assert_cmpint (json_object_get_int_member (target, "seq"), ==, seq_value);

    g_assert_cmpstr (json_object_get_string_member (reaction, "kind"), ==, "reaction");
    g_assert_cmpstr (json_object_get_string_member (reaction, "reaction"), ==, "👍");
    g_assert_false (json_object_get_boolean_member (reaction, "removed"));
    target = json_object_get_object_member (reaction, "target");
    g_assert_cmpint (json_object_get_int_member (target, "seq"), ==, seq_value);

    g_assert_cmpstr (json_object_get_string_member (edit, "kind"), ==, "edit");
    g_assert_cmpstr (json_object_get_string_member (edit, "sender"), ==, "alice");
    g_assert_cmpstr (json_object_get_string_member (edit, "text"), ==, "Lunch at 1?");

    g_assert_cmpstr (json_object_get_string_member (deletion, "kind"), ==, "delete");
    target = json_object_get_object_member (deletion, "target");
    g_assert_cmpint (json_object_get_int_member (target, "seq"), ==, seq_value);
  }
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&lines, g_strfreev);

  /* As lines. */
  {
    const char *send2_args[] = { "send", "team", "Coffee?", NULL };

    listener = listen_for (fixture, 1, TRUE);
    g_assert_cmpint (run (fixture, "alice", send2_args, NULL, NULL), ==, 0);
    g_assert_cmpint (sotto_test_cli_finish (listener, &out, NULL), ==, 0);
    g_clear_object (&listener);
    g_clear_pointer (&sent, json_object_unref);
    sent = parse_json_line (out);
    g_free (seq);
    seq = g_strdup_printf ("%" G_GINT64_FORMAT, json_object_get_int_member (sent, "seq"));
    g_clear_pointer (&out, g_free);
  }
  listener = listen_for (fixture, 3, FALSE);
  {
    const char *reply_args[] = { "reply", "team", seq, "Yes please", NULL };
    const char *react_args[] = { "react", "team", seq, "☕", NULL };
    const char *unreact_args[] = { "unreact", "team", seq, "☕", NULL };

    g_assert_cmpint (run (fixture, "bob", reply_args, NULL, NULL), ==, 0);
    g_assert_cmpint (run (fixture, "bob", react_args, NULL, NULL), ==, 0);
    g_assert_cmpint (run (fixture, "bob", unreact_args, NULL, NULL), ==, 0);
  }
  g_assert_cmpint (sotto_test_cli_finish (listener, &out, NULL), ==, 0);
  g_clear_object (&listener);
  g_assert_nonnull (strstr (out, "bob (to alice: “Coffee?”): Yes please"));
  g_assert_nonnull (strstr (out, "bob reacted ☕ to a message of alice"));
  g_assert_nonnull (strstr (out, "bob took back ☕ from a message of alice"));
  g_clear_pointer (&out, g_free);

  /* What bob may not do, a message that is not there, a number that is
   * not one. */
  {
    const char *edit_args[] = { "edit", "team", seq, "mine now", NULL };
    const char *delete_args[] = { "delete", "team", seq, NULL };
    const char *missing_args[] = { "react", "team", "99999", "👍", NULL };
    const char *bad_args[] = { "react", "team", "first", "👍", NULL };
    const char *spaces_args[] = { "react", "team", seq, "two words", NULL };

    g_assert_cmpint (run (fixture, "bob", edit_args, NULL, &err), ==, 5);
    g_assert_nonnull (strstr (err, "Only your own text messages can be edited"));
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (run (fixture, "bob", delete_args, NULL, &err), ==, 5);
    g_assert_nonnull (strstr (err, "Only your own messages can be deleted"));
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (run (fixture, "bob", missing_args, NULL, &err), ==, 5);
    g_assert_nonnull (strstr (err, "there is no message 99999 in team"));
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (run (fixture, "bob", bad_args, NULL, &err), ==, 1);
    g_assert_nonnull (strstr (err, "“seq”"));
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (run (fixture, "bob", spaces_args, NULL, &err), ==, 5);
    g_assert_nonnull (strstr (err, "A reaction is an emoji"));
    g_clear_pointer (&err, g_free);
  }
}

/* search and search-all: lines and JSON, newest first, every word. */
static void
test_search (Fixture       *fixture,
             gconstpointer  data)
{
  const char *register_args[] = { "register", NULL };
  const char *join_args[] = { "join", "team", NULL };
  const char *first_args[] = { "send", "team", "Lunch at the harbour?", NULL };
  const char *second_args[] = { "send", "team", "lunch moved to noon", NULL };
  const char *other_args[] = { "send", "lobby", "Lunch tomorrow too", NULL };
  const char *search_args[] = { "search", "team", "LUNCH", NULL };
  const char *json_args[] = { "search", "team", "lunch", "harbour", "--json", NULL };
  const char *all_args[] = { "search-all", "lunch", NULL };
  const char *none_args[] = { "search", "team", "breakfast", NULL };
  const char *away_args[] = { "search", "nowhere", "lunch", NULL };
  g_auto(GStrv) lines = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (run (fixture, "alice", register_args, NULL, NULL), ==, 0);
  g_assert_cmpint (run (fixture, "alice", join_args, NULL, NULL), ==, 0);
  g_assert_cmpint (run (fixture, "alice", first_args, NULL, NULL), ==, 0);
  g_assert_cmpint (run (fixture, "alice", second_args, NULL, NULL), ==, 0);
  g_assert_cmpint (run (fixture, "alice", other_args, NULL, NULL), ==, 0);

  g_assert_cmpint (run (fixture, "alice", search_args, &out, NULL), ==, 0);
  lines = g_strsplit (g_strstrip (out), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 2);
  g_assert_nonnull (strstr (lines[0], "alice ("));
  g_assert_true (g_str_has_suffix (lines[0], "): lunch moved to noon"));
  g_assert_nonnull (strstr (lines[1], "Lunch at the harbour?"));
  g_clear_pointer (&lines, g_strfreev);
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (run (fixture, "alice", json_args, &out, NULL), ==, 0);
  {
    g_autoptr(JsonObject) found = parse_json_line (g_strstrip (out));

    g_assert_cmpstr (json_object_get_string_member (found, "room"), ==, "team");
    g_assert_cmpstr (json_object_get_string_member (found, "sender"), ==, "alice");
    g_assert_cmpstr (json_object_get_string_member (found, "text"), ==, "Lunch at the harbour?");
    g_assert_cmpint (json_object_get_int_member (found, "seq"), >, 0);
  }
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (run (fixture, "alice", all_args, &out, NULL), ==, 0);
  lines = g_strsplit (g_strstrip (out), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 3);
  g_assert_nonnull (strstr (lines[0], "[lobby]"));
  g_clear_pointer (&lines, g_strfreev);
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (run (fixture, "alice", none_args, &out, NULL), ==, 0);
  g_assert_cmpstr (out, ==, "");
  g_assert_cmpint (run (fixture, "alice", away_args, NULL, &err), ==, 5);
  g_assert_nonnull (strstr (err, "you are not in nowhere"));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/sotto/cli/actions/commands", Fixture, NULL, fixture_setup, test_commands,
              fixture_teardown);
  g_test_add ("/sotto/cli/actions/search", Fixture, NULL, fixture_setup, test_search,
              fixture_teardown);

  return g_test_run ();
}
