/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <unistd.h>

#include "sotto-cli-files-private.h"
#include "sotto-cli-format.h"
#include "sotto-client.h"
#include "sotto-test-cli.h"
#include "sotto-test-server.h"
#include "sotto-test-users.h"

/*
 * Files through sotto-cli: `send-file`, file messages in `listen`, and
 * `fetch-file`, with the real binary ($SOTTO_CLI) against the real server
 * on 127.0.0.1, each user with a data directory of their own under a
 * temporary folder. How a file line reads and how names are numbered is
 * tested directly.
 */

#define PASSWORD SOTTO_TEST_CLI_PASSWORD

/* The server's flags for a test of a file larger than it takes. */
static const char *const max_file_size_1[] = { "--max-file-size", "1", NULL };

typedef struct
{
  SottoTestServer *server;
  char            *dir;
  char            *address;
  /* Where files to send are made and fetched ones saved */
  char            *files;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  fixture->server = sotto_test_server_start (NULL, (const char *const *) data);
  fixture->dir = sotto_test_make_data_dir ();
  fixture->address = g_strdup_printf ("127.0.0.1:%u", sotto_test_server_get_port (fixture->server));
  fixture->files = g_build_filename (fixture->dir, "files", NULL);
  g_assert_cmpint (g_mkdir (fixture->files, 0700), ==, 0);
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
  g_free (fixture->files);
}

static GSubprocess *
cli_spawn (Fixture           *fixture,
           const char        *address,
           const char        *user,
           const char        *cwd,
           const char *const *args)
{
  return sotto_test_cli_spawn (fixture->dir, address != NULL ? address : fixture->address,
                               sotto_test_server_get_fingerprint (fixture->server), user, cwd,
                               args);
}

static int
cli_finish (GSubprocess  *process,
            char        **out,
            char        **err)
{
  return sotto_test_cli_finish (process, out, err);
}

static int
cli_run_in (Fixture           *fixture,
            const char        *user,
            const char        *cwd,
            const char *const *args,
            char             **out,
            char             **err)
{
  g_autoptr(GSubprocess) process = cli_spawn (fixture, NULL, user, cwd, args);

  return cli_finish (process, out, err);
}

static int
cli_run (Fixture           *fixture,
         const char        *user,
         const char *const *args,
         char             **out,
         char             **err)
{
  return cli_run_in (fixture, user, NULL, args, out, err);
}

static void
register_user (Fixture    *fixture,
               const char *user)
{
  const char *args[] = { "register", NULL };

  g_assert_cmpint (cli_run (fixture, user, args, NULL, NULL), ==, 0);
}

static void
join (Fixture    *fixture,
      const char *user,
      const char *room)
{
  const char *args[] = { "join", room, NULL };

  g_assert_cmpint (cli_run (fixture, user, args, NULL, NULL), ==, 0);
}

static void
wait_for_stderr (GSubprocess *process,
                 const char  *wanted)
{
  sotto_test_cli_wait_for_stderr (process, wanted);
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

/* Makes a file of @size pseudo-random bytes in the fixture's files. */
static char *
make_file (Fixture    *fixture,
           const char *name,
           gsize       size)
{
  g_autofree guint8 *data = g_malloc (MAX (size, 1));
  g_autoptr(GRand) rand = g_rand_new_with_seed ((guint32) size);
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (fixture->files, name, NULL);

  for (gsize i = 0; i < size; i++)
    data[i] = (guint8) g_rand_int (rand);
  g_file_set_contents (path, (const char *) data, (gssize) size, &error);
  g_assert_no_error (error);
  return path;
}

static void
assert_same_contents (const char *a,
                      const char *b)
{
  g_autofree char *data_a = NULL;
  g_autofree char *data_b = NULL;
  gsize size_a = 0;
  gsize size_b = 0;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (a, &data_a, &size_a, &error);
  g_assert_no_error (error);
  g_file_get_contents (b, &data_b, &size_b, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (data_a, size_a, data_b, size_b);
}

/* send-file prints the file's ID, and only that, on standard output. */
static char *
send_file (Fixture    *fixture,
           const char *user,
           const char *room,
           const char *path)
{
  const char *args[] = { "send-file", room, path, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *name = g_path_get_basename (path);

  g_assert_cmpint (cli_run (fixture, user, args, &out, &err), ==, 0);
  g_assert_true (g_regex_match_simple ("^[0-9a-f]{32}\n$", out, 0, 0));
  g_assert_nonnull (strstr (err, "Sent "));
  g_assert_nonnull (strstr (err, name));
  /* Standard error is no terminal: no progress line written over. */
  g_assert_null (strchr (err, '\r'));
  g_assert_null (strchr (err, '\x1b'));

  out[32] = '\0';
  return g_steal_pointer (&out);
}

/* fetch-file prints where it saved, and only that, on standard output. */
static char *
fetch_file (Fixture    *fixture,
            const char *user,
            const char *room,
            const char *id,
            const char *path)
{
  const char *args[] = { "fetch-file", room, id, path, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (cli_run_in (fixture, user, fixture->files, args, &out, &err), ==, 0);
  g_assert_true (g_str_has_suffix (out, "\n"));
  g_assert_nonnull (strstr (err, "Saved "));
  g_assert_null (strchr (err, '\r'));
  out[strlen (out) - 1] = '\0';
  return g_steal_pointer (&out);
}

/* What listen --json says of a file: what a script needs to fetch it and
 * decide whether to, never its key nor its hash. */
static void
assert_file_json (JsonObject *message,
                  const char *id,
                  const char *name,
                  gint64      size)
{
  JsonObject *file;
  g_autoptr(GList) members = NULL;

  g_assert_cmpstr (json_object_get_string_member (message, "room"), ==, "lobby");
  g_assert_cmpstr (json_object_get_string_member (message, "sender"), ==, "alice");
  g_assert_cmpint (json_object_get_int_member (message, "seq"), >, 0);
  g_assert_cmpint (json_object_get_int_member (message, "ts"), >, 0);
  g_assert_cmpstr (json_object_get_string_member (message, "state"), ==, "received");
  g_assert_true (json_object_has_member (message, "file"));

  file = json_object_get_object_member (message, "file");
  g_assert_cmpstr (json_object_get_string_member (file, "id"), ==, id);
  g_assert_cmpstr (json_object_get_string_member (file, "name"), ==, name);
  g_assert_cmpint (json_object_get_int_member (file, "size"), ==, size);
  g_assert_nonnull (json_object_get_string_member (file, "type"));
  g_assert_cmpint (json_object_get_int_member (file, "width"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (file, "height"), ==, 0);
  members = json_object_get_members (file);
  g_assert_cmpuint (g_list_length (members), ==, 6);
  g_assert_false (json_object_has_member (file, "key"));
  g_assert_false (json_object_has_member (file, "hash"));
}

/* An empty file, a 1-byte file and one of 1 MiB go from alice to bob,
 * who sees them in listen --json and saves them byte for byte. */
static void
test_send_listen_fetch (Fixture       *fixture,
                        gconstpointer  data)
{
  const char *listen_args[] = { "listen", "lobby", "--json", "--count", "3", "--timeout", "120",
                                NULL };
  const char *names[] = { "empty.txt", "one.bin", "big.bin" };
  const gsize sizes[] = { 0, 1, 1024 * 1024 };
  g_autoptr(GSubprocess) listener = NULL;
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;
  char *ids[3];

  register_user (fixture, "alice");
  register_user (fixture, "bob");
  join (fixture, "bob", "lobby");

  listener = cli_spawn (fixture, NULL, "bob", NULL, listen_args);
  wait_for_stderr (listener, "Listening in lobby");
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = make_file (fixture, names[i], sizes[i]);

      ids[i] = send_file (fixture, "alice", "lobby", path);
    }

  g_assert_cmpint (cli_finish (listener, &out, NULL), ==, 0);
  lines = g_strsplit (out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 4);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(JsonObject) message = parse_json_line (lines[i]);

      assert_file_json (message, ids[i], names[i], (gint64) sizes[i]);
    }

  /* Each saved into a folder of its own, under its name, as it was. */
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *folder = g_build_filename (fixture->dir, "bob-saved", NULL);
      g_autofree char *expected = g_build_filename (folder, names[i], NULL);
      g_autofree char *sent = g_build_filename (fixture->files, names[i], NULL);
      g_autofree char *saved = NULL;

      g_mkdir_with_parents (folder, 0700);
      saved = fetch_file (fixture, "bob", "lobby", ids[i], folder);
      g_assert_cmpstr (saved, ==, expected);
      assert_same_contents (saved, sent);
    }

  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    g_free (ids[i]);
}

/* Nothing is overwritten without --force: in a folder the file takes a
 * numbered name, and a PATH that is there already is refused. */
static void
test_fetch_never_overwrites (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autofree char *path = make_file (fixture, "report.pdf", 5000);
  g_autofree char *mine = g_build_filename (fixture->dir, "mine.pdf", NULL);
  g_autofree char *id = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *forced = NULL;
  g_autofree char *err = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;

  register_user (fixture, "alice");
  register_user (fixture, "bob");
  join (fixture, "bob", "lobby");
  id = send_file (fixture, "alice", "lobby", path);

  /* Without PATH, in the current folder, which holds the sent file. */
  first = fetch_file (fixture, "bob", "lobby", id, NULL);
  g_assert_true (g_str_has_suffix (first, "/report (1).pdf"));
  second = fetch_file (fixture, "bob", "lobby", id, NULL);
  g_assert_true (g_str_has_suffix (second, "/report (2).pdf"));
  assert_same_contents (first, path);
  assert_same_contents (second, path);

  g_file_set_contents (mine, "keep me", -1, &error);
  g_assert_no_error (error);
  {
    const char *args[] = { "fetch-file", "lobby", id, mine, NULL };

    g_assert_cmpint (cli_run (fixture, "bob", args, NULL, &err), ==, 1);
    g_assert_nonnull (strstr (err, "--force"));
    g_file_get_contents (mine, &contents, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (contents, ==, "keep me");
  }
  {
    const char *args[] = { "fetch-file", "--force", "lobby", id, mine, NULL };
    g_autofree char *out = NULL;

    g_assert_cmpint (cli_run (fixture, "bob", args, &out, NULL), ==, 0);
    forced = g_strdup_printf ("%s\n", mine);
    g_assert_cmpstr (out, ==, forced);
    assert_same_contents (mine, path);
  }
}

/* Only the room's members fetch its files. */
static void
test_fetch_not_member (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree char *path = make_file (fixture, "secret.txt", 100);
  g_autofree char *folder = g_build_filename (fixture->dir, "carol-saved", NULL);
  g_autofree char *id = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GDir) dir = NULL;

  register_user (fixture, "alice");
  register_user (fixture, "carol");
  id = send_file (fixture, "alice", "lobby", path);
  g_assert_cmpint (g_mkdir (folder, 0700), ==, 0);

  {
    const char *args[] = { "fetch-file", "lobby", id, folder, NULL };

    g_assert_cmpint (cli_run (fixture, "carol", args, &out, &err), ==, 5);
  }
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, "not in lobby"));

  /* Nothing was left behind. */
  dir = g_dir_open (folder, 0, NULL);
  g_assert_nonnull (dir);
  g_assert_null (g_dir_read_name (dir));
}

/* What is wrong with PATH is said before anything is sent, even before
 * connecting: these run against an address nobody listens on. */
static void
test_bad_paths (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *missing = g_build_filename (fixture->files, "missing.txt", NULL);
  g_autofree char *locked = make_file (fixture, "locked.txt", 10);
  g_autofree char *nowhere = g_build_filename (fixture->dir, "no-such-folder", "x.txt", NULL);
  const char *nobody = "127.0.0.1:1";
  struct
  {
    const char *args[5];
    const char *said;
  } cases[] = {
    { { "send-file", "lobby", missing, NULL }, "There is no file" },
    { { "send-file", "lobby", fixture->files, NULL }, "is a folder" },
    { { "send-file", "lobby", "/dev/null", NULL }, "not a file that can be sent" },
    { { "fetch-file", "lobby", "12", nowhere, NULL }, "There is no folder" },
    { { "fetch-file", "lobby", "not-an-id", NULL }, "neither a message" },
    { { "fetch-file", "lobby", "12", locked, NULL }, "--force" },
  };

  register_user (fixture, "alice");
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GSubprocess) process = cli_spawn (fixture, nobody, "alice", NULL,
                                                  cases[i].args);
      g_autofree char *err = NULL;

      g_assert_cmpint (cli_finish (process, NULL, &err), ==, 1);
      g_assert_true (g_str_has_prefix (err, "sotto-cli: "));
      g_assert_nonnull (strstr (err, cases[i].said));
    }

  /* A file its owner may not read; root reads everything. */
  g_assert_cmpint (g_chmod (locked, 0), ==, 0);
  if (geteuid () != 0)
    {
      const char *args[] = { "send-file", "lobby", locked, NULL };
      g_autoptr(GSubprocess) process = cli_spawn (fixture, nobody, "alice", NULL, args);
      g_autofree char *err = NULL;

      g_assert_cmpint (cli_finish (process, NULL, &err), ==, 1);
      g_assert_nonnull (strstr (err, "You may not read"));
    }
  else
    g_test_message ("Running as root: an unreadable file cannot be made");
  g_chmod (locked, 0600);

  /* Nothing reached the server: alice did not even join the room. */
  {
    const char *missing_args[] = { "fetch-file", "lobby", "1", NULL };
    g_autofree char *err = NULL;

    g_assert_cmpint (cli_run (fixture, "alice", missing_args, NULL, &err), ==, 5);
    g_assert_nonnull (strstr (err, "not in lobby"));
  }
}

typedef struct
{
  gboolean done;
} Flag;

static void
message_state_cb (SottoMessage *message,
                  GParamSpec   *pspec,
                  gpointer      user_data)
{
  if (sotto_message_get_state (message) == SOTTO_MESSAGE_SENT)
    ((Flag *) user_data)->done = TRUE;
}

/* Sends, through the client core, a message that names @file under
 * @name: a sender whose client says what it likes. */
static gint64
resend_named (SottoClient            *client,
              SottoRoom              *room,
              const SottoFileMessage *file,
              const char             *name)
{
  g_autoptr(SottoFileMessage) renamed = sotto_file_message_copy (file);
  g_autoptr(GError) error = NULL;
  SottoMessage *message;
  Flag sent = { FALSE };
  gulong id;

  g_free (renamed->name);
  renamed->name = g_strdup (name);
  message = sotto_client_send_file_message (client, room, renamed, &error);
  g_assert_no_error (error);
  id = g_signal_connect (message, "notify::state", G_CALLBACK (message_state_cb), &sent);
  message_state_cb (message, NULL, &sent);
  sotto_test_cli_wait_long_for (&sent.done, "the renamed file message to be stored");
  g_signal_handler_disconnect (message, id);
  while (sotto_client_is_handing_over_keys (client))
    g_main_context_iteration (NULL, TRUE);

  return sotto_message_get_seq (message);
}

static const SottoFileMessage *
find_own_file (SottoRoom  *room,
               const char *id)
{
  GListModel *messages = sotto_room_get_messages (room);

  for (guint i = 0; i < g_list_model_get_n_items (messages); i++)
    {
      g_autoptr(SottoMessage) message = g_list_model_get_item (messages, i);
      const SottoFileMessage *file = sotto_message_get_file (message);
      char hex[2 * SOTTO_FILE_ID_BYTES + 1];

      if (file == NULL)
        continue;
      for (guint j = 0; j < SOTTO_FILE_ID_BYTES; j++)
        g_snprintf (hex + 2 * j, 3, "%02x", file->id[j]);
      if (g_str_equal (hex, id))
        return file;
    }
  return NULL;
}

/* A sender's name for a file is never a path: "../../evil" and ".bashrc"
 * are saved inside the folder, under a name that is neither hidden nor
 * elsewhere. Bob never listened: the messages come with the catch-up. A
 * message whose key does not open the file saves nothing. */
static void
test_fetch_safe_name (Fixture       *fixture,
                      gconstpointer  data)
{
  const char *hostile[] = { "../../evil", ".bashrc" };
  g_autofree char *path = make_file (fixture, "harmless.txt", 300);
  g_autofree char *folder = g_build_filename (fixture->dir, "deep", "er", NULL);
  g_autofree char *escaped = g_build_filename (fixture->dir, "evil", NULL);
  g_autofree char *id = NULL;
  g_autoptr(SottoClient) alice = NULL;
  g_autoptr(GError) error = NULL;
  SottoRoom *room;
  const SottoFileMessage *file;
  gint64 seqs[G_N_ELEMENTS (hostile)];
  gint64 broken_seq;

  register_user (fixture, "alice");
  register_user (fixture, "bob");
  join (fixture, "bob", "lobby");
  id = send_file (fixture, "alice", "lobby", path);
  g_assert_cmpint (g_mkdir_with_parents (folder, 0700), ==, 0);

  /* Alice's own computer, through the client core, names the same file
   * otherwise. */
  alice = sotto_test_user_open (fixture->dir, fixture->address, "alice");
  sotto_test_user_account (alice, FALSE, "alice", PASSWORD, &error);
  g_assert_no_error (error);
  room = sotto_client_lookup_room (alice, "lobby");
  g_assert_nonnull (room);
  while (!sotto_room_get_loaded (room) || sotto_client_is_catching_up (alice, room))
    g_main_context_iteration (NULL, TRUE);
  file = find_own_file (room, id);
  g_assert_nonnull (file);
  for (guint i = 0; i < G_N_ELEMENTS (hostile); i++)
    seqs[i] = resend_named (alice, room, file, hostile[i]);
  /* And once with a key that does not open it. */
  {
    g_autoptr(SottoFileMessage) wrong = sotto_file_message_copy (file);

    wrong->key[0] ^= 1;
    broken_seq = resend_named (alice, room, wrong, "broken.txt");
  }
  sotto_client_close (alice);

  for (guint i = 0; i < G_N_ELEMENTS (hostile); i++)
    {
      g_autofree char *seq = g_strdup_printf ("%" G_GINT64_FORMAT, seqs[i]);
      g_autofree char *saved = fetch_file (fixture, "bob", "lobby", seq, folder);
      g_autofree char *saved_in = g_path_get_dirname (saved);
      g_autofree char *saved_name = g_path_get_basename (saved);
      g_autofree char *safe = sotto_file_message_safe_name (hostile[i]);

      g_assert_cmpstr (saved_in, ==, folder);
      g_assert_cmpstr (saved_name, ==, safe);
      g_assert_false (saved_name[0] == '.');
      assert_same_contents (saved, path);
    }
  g_assert_false (g_file_test (escaped, G_FILE_TEST_EXISTS));

  /* A file that does not open is not saved, and leaves no empty file. */
  {
    g_autofree char *seq = g_strdup_printf ("%" G_GINT64_FORMAT, broken_seq);
    g_autofree char *broken = g_build_filename (folder, "broken.txt", NULL);
    const char *args[] = { "fetch-file", "lobby", seq, folder, NULL };
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;

    g_assert_cmpint (cli_run (fixture, "bob", args, &out, &err), ==, 5);
    g_assert_cmpstr (out, ==, "");
    g_assert_nonnull (strstr (err, "was not saved"));
    g_assert_false (g_file_test (broken, G_FILE_TEST_EXISTS));
  }

  /* Three messages name the file now: its ID alone does not say which. */
  {
    const char *args[] = { "fetch-file", "lobby", id, folder, NULL };
    g_autofree char *err = NULL;

    g_assert_cmpint (cli_run (fixture, "bob", args, NULL, &err), ==, 5);
    g_assert_nonnull (strstr (err, "More than one message"));
  }
}

/* A file larger than the server takes (its welcome says how large) is
 * refused before it is sent, with the limit. */
static void
test_send_too_large (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree char *path = make_file (fixture, "huge.bin", 2 * 1024 * 1024);
  const char *args[] = { "send-file", "lobby", path, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  register_user (fixture, "alice");
  g_assert_cmpint (cli_run (fixture, "alice", args, &out, &err), ==, 5);
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, "too large to send"));
  g_assert_nonnull (strstr (err, "MiB"));
}

/* The server goes in the middle of an upload and does not come back:
 * send-file gives up once nothing moved for --timeout seconds, and says
 * why. */
static void
test_send_connection_lost (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->files, "large.bin", NULL);
  g_autofree char *partial = g_build_filename (sotto_test_server_get_data_dir (fixture->server),
                                               "blobs", "partial", NULL);
  g_autofree guint8 *zeros = g_malloc0 (64 * 1024 * 1024);
  const char *args[] = { "--timeout", "2", "send-file", "lobby", path, NULL };
  g_autoptr(GSubprocess) sender = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  gboolean uploading = FALSE;

  g_file_set_contents (path, (const char *) zeros, 64 * 1024 * 1024, &error);
  g_assert_no_error (error);
  register_user (fixture, "alice");

  sender = cli_spawn (fixture, NULL, "alice", NULL, args);
  /* The upload has begun once the server keeps an unfinished blob. */
  for (guint waited = 0; !uploading && waited < 60000; waited += 2)
    {
      g_autoptr(GDir) dir = g_dir_open (partial, 0, NULL);

      uploading = dir != NULL && g_dir_read_name (dir) != NULL;
      if (!uploading)
        g_usleep (2000);
    }
  g_assert_true (uploading);
  sotto_test_server_kill (fixture->server);

  g_assert_cmpint (cli_finish (sender, &out, &err), ==, 6);
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, "did not come back in 2 seconds"));
}

/* How a file message reads, for a person and for a script. */
static void
test_format_file (void)
{
  SottoFileMessage report = { { 0 } };
  SottoFileMessage photo = { { 0 } };
  g_autoptr(SottoMessage) message = NULL;
  g_autoptr(SottoMessage) image = NULL;
  g_autoptr(JsonObject) object = NULL;
  g_autofree char *line = NULL;
  g_autofree char *image_line = NULL;
  g_autofree char *json = NULL;
  g_autofree char *size = g_format_size (1234567);

  memset (report.id, 0xab, sizeof report.id);
  memset (report.key, 0x11, sizeof report.key);
  memset (report.hash, 0x22, sizeof report.hash);
  report.size = 1234567;
  report.name = "report\x1b[2J.pdf";
  report.type = "application/pdf";
  photo = report;
  photo.name = "cat.png";
  photo.type = "image/png";
  photo.width = 640;
  photo.height = 480;

  message = sotto_message_new ("lobby", "alice", "m1", 7, 1700000000000, SOTTO_MESSAGE_RECEIVED,
                               report.name);
  sotto_message_set_file (message, &report);
  image = sotto_message_new ("lobby", "alice", "m2", 8, 1700000000000, SOTTO_MESSAGE_RECEIVED,
                             photo.name);
  sotto_message_set_file (image, &photo);

  line = sotto_cli_format_message (message, NULL);
  g_assert_true (g_regex_match_simple ("^[0-9][0-9]:[0-9][0-9] alice sent a file: report", line,
                                       0, 0));
  g_assert_null (strchr (line, '\x1b'));
  g_assert_nonnull (strstr (line, size));
  g_assert_true (g_str_has_suffix (line, ", application/pdf)"));
  image_line = sotto_cli_format_message (image, "lobby");
  g_assert_true (g_str_has_suffix (image_line, ", image/png, 640×480)"));
  g_assert_nonnull (strstr (image_line, " [lobby] alice sent a file: cat.png ("));

  json = sotto_cli_format_message_json (message);
  object = parse_json_line (json);
  g_assert_cmpint (json_object_get_int_member (object, "seq"), ==, 7);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (object, "file"),
                                                  "id"),
                   ==, "abababababababababababababababab");
  /* Neither the key nor the hash, in any spelling. */
  g_assert_null (strstr (json, "key"));
  g_assert_null (strstr (json, "hash"));
  g_assert_null (strstr (json, "1111"));
  g_assert_null (strstr (json, "2222"));
  g_assert_null (strstr (json, "ERER"));
  g_assert_null (strstr (json, "IiIi"));
}

/* fetch-file takes a message's number or a file's ID; names taken get a
 * number before their extension, and stay short enough. */
static void
test_names (void)
{
  SottoCliFileRef ref;
  g_autofree char *long_name = g_strnfill (255, 'x');
  g_autofree char *numbered = NULL;
  struct
  {
    const char *name;
    guint       number;
    const char *expected;
  } cases[] = {
    { "report.pdf", 0, "report.pdf" },
    { "report.pdf", 1, "report (1).pdf" },
    { "archive.tar.gz", 12, "archive.tar (12).gz" },
    { "README", 2, "README (2)" },
  };

  g_assert_true (_sotto_cli_files_parse_ref ("42", &ref));
  g_assert_cmpint (ref.seq, ==, 42);
  g_assert_true (_sotto_cli_files_parse_ref ("00112233445566778899AABBCCDDEEFF", &ref));
  g_assert_cmpint (ref.seq, ==, 0);
  g_assert_cmpuint (ref.id[0], ==, 0x00);
  g_assert_cmpuint (ref.id[15], ==, 0xff);
  g_assert_false (_sotto_cli_files_parse_ref ("0", &ref));
  g_assert_false (_sotto_cli_files_parse_ref ("-3", &ref));
  g_assert_false (_sotto_cli_files_parse_ref ("12abc", &ref));
  g_assert_false (_sotto_cli_files_parse_ref ("0011223344556677889900AABBCCDDEEFG", &ref));
  g_assert_false (_sotto_cli_files_parse_ref ("", &ref));

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = _sotto_cli_files_numbered_name (cases[i].name, cases[i].number);

      g_assert_cmpstr (name, ==, cases[i].expected);
    }

  numbered = _sotto_cli_files_numbered_name (long_name, 3);
  g_assert_cmpuint (strlen (numbered), ==, 255);
  g_assert_true (g_str_has_suffix (numbered, "x (3)"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sotto/cli/files/format", test_format_file);
  g_test_add_func ("/sotto/cli/files/names", test_names);

#define ADD(path, func, flags) \
  g_test_add ("/sotto/cli/files/" path, Fixture, flags, fixture_setup, func, fixture_teardown)

  ADD ("send-listen-fetch", test_send_listen_fetch, NULL);
  ADD ("never-overwrites", test_fetch_never_overwrites, NULL);
  ADD ("not-member", test_fetch_not_member, NULL);
  ADD ("bad-paths", test_bad_paths, NULL);
  ADD ("safe-name", test_fetch_safe_name, NULL);
  ADD ("too-large", test_send_too_large, max_file_size_1);
  ADD ("connection-lost", test_send_connection_lost, NULL);

#undef ADD

  return g_test_run ();
}
