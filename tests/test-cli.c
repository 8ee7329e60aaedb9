/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <termios.h>
#include <unistd.h>

#include "sotto-cli-feed.h"
#include "sotto-cli-format.h"
#include "sotto-cli-review.h"
#include "sotto-client.h"
#include "sotto-e2e.h"
#include "sotto-test-cli.h"
#include "sotto-test-server.h"
#include "sotto-test-users.h"
#include "sotto-test-util.h"

/*
 * sotto-cli as scripts and people use it: the real binary ($SOTTO_CLI)
 * against the real server, each user with a data directory of their own,
 * through pipes for the scripted commands and through a pseudo-terminal
 * for the chat. The formatting and the message feed are tested directly.
 */

#define PASSWORD "correct horse battery"
/* The longest a test waits for the program before failing. */
#define RUN_TIMEOUT_MS 60000

/* The server's flags for a test that needs links to expire soon. */
static const char *const link_timeout_1[] = { "--link-timeout", "1", NULL };

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
  fixture->server = sotto_test_server_start (NULL, (const char *const *) data);
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

static gboolean
flag_timeout_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static char *
data_dir (Fixture    *fixture,
          const char *computer)
{
  return g_build_filename (fixture->dir, computer, NULL);
}

static char *
pins_path (Fixture    *fixture,
           const char *computer)
{
  return g_build_filename (fixture->dir, computer, "servers.ini", NULL);
}

/* sotto-cli with the common options for @computer, then @args. */
static GPtrArray *
cli_argv (Fixture            *fixture,
          const char         *computer,
          const char         *trust,
          const char *const  *args)
{
  GPtrArray *argv = g_ptr_array_new_with_free_func (g_free);
  const char *binary = g_getenv ("SOTTO_CLI");

  g_assert_nonnull (binary);
  g_ptr_array_add (argv, g_strdup (binary));
  g_ptr_array_add (argv, g_strdup ("--server"));
  g_ptr_array_add (argv, g_strdup (fixture->address));
  g_ptr_array_add (argv, g_strdup ("--data-dir"));
  g_ptr_array_add (argv, data_dir (fixture, computer));
  g_ptr_array_add (argv, g_strdup ("--pwhash-fast"));
  if (trust != NULL)
    {
      g_ptr_array_add (argv, g_strdup ("--trust-fingerprint"));
      g_ptr_array_add (argv, g_strdup (trust));
    }
  for (guint i = 0; args != NULL && args[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  g_ptr_array_add (argv, NULL);

  return argv;
}

/* Standard input is a pipe nobody writes to: never a terminal. With
 * @warnings_fatal FALSE, a warning the program logs does not end it. */
static GSubprocess *
cli_spawn_full (Fixture           *fixture,
                const char        *computer,
                const char        *password,
                const char        *trust,
                const char *const *args,
                gboolean           warnings_fatal)
{
  g_autoptr(GPtrArray) argv = cli_argv (fixture, computer, trust, args);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  if (password != NULL)
    g_subprocess_launcher_setenv (launcher, "SOTTO_PASSWORD", password, TRUE);
  else
    g_subprocess_launcher_unsetenv (launcher, "SOTTO_PASSWORD");
  if (!warnings_fatal)
    g_subprocess_launcher_setenv (launcher, "G_DEBUG", "gc-friendly", TRUE);
  g_subprocess_launcher_set_child_setup (launcher, sotto_test_cli_die_with_parent, NULL, NULL);
  process = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);

  return process;
}

static GSubprocess *
cli_spawn (Fixture           *fixture,
           const char        *computer,
           const char        *password,
           const char        *trust,
           const char *const *args)
{
  return cli_spawn_full (fixture, computer, password, trust, args, TRUE);
}

/* Waits for @process to end and returns its exit status, with what it
 * wrote. */
static int
cli_finish (GSubprocess  *process,
            char        **out,
            char        **err)
{
  return sotto_test_cli_finish (process, out, err);
}

static int
cli_run_full (Fixture           *fixture,
              const char        *computer,
              const char        *password,
              const char        *trust,
              const char *const *args,
              char             **out,
              char             **err)
{
  g_autoptr(GSubprocess) process = cli_spawn (fixture, computer, password, trust, args);

  return cli_finish (process, out, err);
}

/* As a script would run it: the right password, the server trusted. */
static int
cli_run (Fixture           *fixture,
         const char        *computer,
         const char *const *args,
         char             **out,
         char             **err)
{
  return cli_run_full (fixture, computer, PASSWORD,
                       sotto_test_server_get_fingerprint (fixture->server), args, out, err);
}

static void
register_user (Fixture    *fixture,
               const char *user)
{
  const char *args[] = { "--user", user, "register", NULL };
  g_autofree char *err = NULL;

  g_assert_cmpint (cli_run (fixture, user, args, NULL, &err), ==, 0);
  g_assert_nonnull (strstr (err, user));
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

/* Scripted commands */

static void
test_register (Fixture       *fixture,
               gconstpointer  data)
{
  g_autofree char *spaced = g_ascii_strdown (sotto_test_server_get_fingerprint (fixture->server),
                                             -1);
  const char *bob_args[] = { "--user", "bob", "register", NULL };
  const char *again_args[] = { "--user", "alice", "register", NULL };
  g_autofree char *alice_pins = pins_path (fixture, "alice");
  g_autofree char *bob_pins = pins_path (fixture, "bob");
  g_autofree char *err = NULL;
  g_auto(GStrv) groups = NULL;
  g_autofree char *joined = NULL;

  register_user (fixture, "alice");
  g_assert_true (g_file_test (alice_pins, G_FILE_TEST_IS_REGULAR));

  /* The fingerprint as someone might type it: lower case, no spaces. */
  groups = g_strsplit (spaced, " ", -1);
  joined = g_strjoinv ("", groups);
  g_assert_cmpint (cli_run_full (fixture, "bob", PASSWORD, joined, bob_args, NULL, NULL), ==, 0);
  g_assert_true (g_file_test (bob_pins, G_FILE_TEST_IS_REGULAR));

  /* The name is taken, from another computer. */
  g_assert_cmpint (cli_run (fixture, "alice-again", again_args, NULL, &err), ==, 4);
  g_assert_nonnull (strstr (err, "taken"));
}

static void
test_wrong_fingerprint (Fixture       *fixture,
                        gconstpointer  data)
{
  const char *args[] = { "--user", "carol", "register", NULL };
  g_autofree char *pins = pins_path (fixture, "carol");
  g_autofree char *err = NULL;
  g_autofree char *err2 = NULL;

  g_assert_cmpint (cli_run_full (fixture, "carol", PASSWORD,
                                 "0000 1111 2222 3333 4444 5555 6666 7777", args, NULL, &err),
                   ==, 3);
  g_assert_nonnull (strstr (err, sotto_test_server_get_fingerprint (fixture->server)));
  g_assert_false (g_file_test (pins, G_FILE_TEST_EXISTS));

  /* Without one, and no terminal to ask on, nothing is trusted either. */
  g_assert_cmpint (cli_run_full (fixture, "carol", PASSWORD, NULL, args, NULL, &err2), ==, 3);
  g_assert_nonnull (strstr (err2, sotto_test_server_get_fingerprint (fixture->server)));
  g_assert_nonnull (strstr (err2, "--trust-fingerprint"));
  g_assert_false (g_file_test (pins, G_FILE_TEST_EXISTS));

  /* Once trusted, the key is pinned and no fingerprint is needed. */
  register_user (fixture, "carol");
  g_assert_true (g_file_test (pins, G_FILE_TEST_IS_REGULAR));
  {
    const char *rooms[] = { "--user", "carol", "rooms", NULL };

    g_assert_cmpint (cli_run_full (fixture, "carol", PASSWORD, NULL, rooms, NULL, NULL), ==, 0);
  }
}

static char *
wait_for_line (GInputStream *pipe,
               const char   *wanted)
{
  return sotto_test_cli_wait_for_line (pipe, wanted);
}

static void
wait_for_stderr (GSubprocess *process,
                 const char  *wanted)
{
  sotto_test_cli_wait_for_stderr (process, wanted);
}

static void
assert_json_message (const char *line,
                     const char *room,
                     const char *sender,
                     const char *text)
{
  g_autoptr(JsonObject) message = parse_json_line (line);

  g_assert_cmpstr (json_object_get_string_member (message, "room"), ==, room);
  g_assert_cmpstr (json_object_get_string_member (message, "sender"), ==, sender);
  g_assert_cmpstr (json_object_get_string_member (message, "text"), ==, text);
  g_assert_cmpstr (json_object_get_string_member (message, "state"), ==, "received");
  g_assert_cmpint (json_object_get_int_member (message, "seq"), >, 0);
  g_assert_cmpint (json_object_get_int_member (message, "ts"), >, 0);
}

static void
assert_one_json_message (const char *out,
                         const char *room,
                         const char *sender,
                         const char *text)
{
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);

  g_assert_cmpuint (g_strv_length (lines), ==, 2);
  g_assert_cmpstr (lines[1], ==, "");
  assert_json_message (lines[0], room, sender, text);
}

/* Two processes at once: one listens, another sends. */
static void
test_send_listen (Fixture       *fixture,
                  gconstpointer  data)
{
  const char *listen_args[] = { "--user", "bob", "listen", "lobby", "--count", "1", "--json",
                                "--timeout", "60", NULL };
  const char *send_args[] = { "--user", "alice", "send", "lobby", "hello from a script", NULL };
  g_autoptr(GSubprocess) listener = NULL;
  g_autofree char *out = NULL;

  register_user (fixture, "alice");
  register_user (fixture, "bob");

  listener = cli_spawn (fixture, "bob", PASSWORD, NULL, listen_args);
  wait_for_stderr (listener, "Listening in lobby");

  g_assert_cmpint (cli_run (fixture, "alice", send_args, NULL, NULL), ==, 0);

  g_assert_cmpint (cli_finish (listener, &out, NULL), ==, 0);
  assert_one_json_message (out, "lobby", "alice", "hello from a script");
}

/* Linking a second computer: `link` shows a code on standard output at
 * once and waits; `approve CODE` on the first computer lets it in and
 * says which computer it was; `link` then ends logged in, and the new
 * computer is the account's from then on. */
static void
test_link_approve (Fixture       *fixture,
                   gconstpointer  data)
{
  const char *link_args[] = { "--user", "alice", "link", NULL };
  const char *rooms_args[] = { "--user", "alice", "rooms", NULL };
  g_autoptr(GSubprocess) link = NULL;
  g_autofree char *code_line = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *approve_err = NULL;
  g_autofree char *told = NULL;
  g_autofree char *expected_name = NULL;
  const char *code;

  register_user (fixture, "alice");
  link = cli_spawn (fixture, "laptop", PASSWORD,
                    sotto_test_server_get_fingerprint (fixture->server), link_args);
  code_line = wait_for_line (g_subprocess_get_stdout_pipe (link), "Link code: ");
  g_assert_true (g_str_has_prefix (code_line, "Link code: "));
  code = code_line + strlen ("Link code: ");
  g_assert_cmpint (strlen (code), ==, 19);

  {
    const char *approve_args[] = { "--user", "alice", "approve", code, NULL };

    g_assert_cmpint (cli_run (fixture, "alice", approve_args, NULL, &approve_err), ==, 0);
  }
  if (strlen (g_get_host_name ()) <= 64)
    {
      expected_name = g_strdup_printf ("“%s”", g_get_host_name ());
      g_assert_nonnull (strstr (approve_err, expected_name));
    }
  g_assert_nonnull (strstr (approve_err, "Approved"));

  g_assert_cmpint (cli_finish (link, &out, &err), ==, 0);
  told = g_strdup_printf ("sotto-cli --user alice approve %s", code);
  g_assert_nonnull (strstr (out, told));
  g_assert_nonnull (strstr (out, "Link a New Device"));
  g_assert_nonnull (strstr (err, "signed in as alice"));

  /* The new computer holds the account now: it logs in as any would. */
  g_assert_cmpint (cli_run (fixture, "laptop", rooms_args, NULL, NULL), ==, 0);

  /* And cannot be linked twice. */
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (cli_run (fixture, "laptop", link_args, NULL, &err), ==, 4);
  g_assert_nonnull (strstr (err, "log in instead"));
}

/* `approve --history` sends the new computer what this one read, and
 * says how far it went; the new computer reads it once it logs in. */
static void
test_link_approve_history (Fixture       *fixture,
                           gconstpointer  data)
{
  const char *join_args[] = { "--user", "alice", "join", "team", NULL };
  const char *send_args[] = { "--user", "alice", "send", "team", "said before the laptop", NULL };
  const char *link_args[] = { "--user", "alice", "link", NULL };
  const char *rooms_args[] = { "--user", "alice", "rooms", NULL };
  const char *misplaced_args[] = { "--user", "alice", "--history", "rooms", NULL };
  g_autoptr(GSubprocess) link = NULL;
  g_autoptr(SottoClientStore) store = NULL;
  g_autoptr(GPtrArray) history = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *code_line = NULL;
  g_autofree char *approve_err = NULL;
  g_autofree char *misplaced_err = NULL;
  g_autofree char *laptop = data_dir (fixture, "laptop");
  g_autofree char *server_dir = g_uri_escape_string (fixture->address, NULL, FALSE);
  g_autofree char *path = g_build_filename (laptop, server_dir, "alice", "client.db", NULL);
  const SottoStoredMessage *row;

  register_user (fixture, "alice");
  g_assert_cmpint (cli_run (fixture, "alice", join_args, NULL, NULL), ==, 0);
  g_assert_cmpint (cli_run (fixture, "alice", send_args, NULL, NULL), ==, 0);
  g_assert_cmpint (cli_run (fixture, "alice", misplaced_args, NULL, &misplaced_err), ==, 1);
  g_assert_nonnull (strstr (misplaced_err, "--history goes with approve"));

  link = cli_spawn (fixture, "laptop", PASSWORD,
                    sotto_test_server_get_fingerprint (fixture->server), link_args);
  code_line = wait_for_line (g_subprocess_get_stdout_pipe (link), "Link code: ");
  {
    const char *approve_args[] = { "--user", "alice", "approve", "--history",
                                   code_line + strlen ("Link code: "), NULL };

    g_assert_cmpint (cli_run (fixture, "alice", approve_args, NULL, &approve_err), ==, 0);
  }
  g_assert_nonnull (strstr (approve_err, "Approved"));
  g_assert_nonnull (strstr (approve_err, "Sent 1 of 1 messages of history"));
  g_assert_cmpint (cli_finish (link, NULL, NULL), ==, 0);

  /* Whether it came while `link` waited on or at this login, it is
   * there once this run ends. */
  g_assert_cmpint (cli_run (fixture, "laptop", rooms_args, NULL, NULL), ==, 0);
  store = sotto_test_user_open_store (path, PASSWORD);
  history = sotto_client_store_load_history (store, "team", 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (history->len, >=, 1);
  row = g_ptr_array_index (history, history->len - 1);
  g_assert_cmpint (row->state, ==, SOTTO_STORED_MESSAGE_SENT);
  g_assert_cmpmem (g_bytes_get_data (row->body, NULL), g_bytes_get_size (row->body),
                   "said before the laptop", strlen ("said before the laptop"));
}

/* `recover` on @computer as a script runs it, with @input on standard
 * input. */
static int
cli_recover (Fixture     *fixture,
             const char  *computer,
             const char  *user,
             const char  *input,
             char       **out,
             char       **err)
{
  const char *args[] = { "--user", user, "recover", NULL };
  g_autoptr(GSubprocess) process = cli_spawn (fixture, computer, PASSWORD,
                                              sotto_test_server_get_fingerprint (fixture->server),
                                              args);
  GOutputStream *in = g_subprocess_get_stdin_pipe (process);
  g_autoptr(GError) error = NULL;

  /* Standard input ends once the run is waited for. */
  g_output_stream_write_all (in, input, strlen (input), NULL, NULL, &error);
  g_assert_no_error (error);
  return cli_finish (process, out, err);
}

/* @user's recovery key, as `recovery-key` on @computer prints it. */
static char *
cli_recovery_key (Fixture    *fixture,
                  const char *computer,
                  const char *user)
{
  const char *args[] = { "--user", user, "recovery-key", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GRegex) format = g_regex_new ("^([0-9A-HJKMNP-TV-Z]{5}-){10}[0-9A-HJKMNP-TV-Z]{5}\n$",
                                          0, 0, NULL);

  g_assert_cmpint (cli_run (fixture, computer, args, &out, &err), ==, 0);
  g_assert_true (g_regex_match (format, out, 0, NULL));
  g_assert_nonnull (strstr (err, "recovery key"));
  g_assert_nonnull (strstr (err, "password manager"));
  out[strlen (out) - 1] = '\0';
  return g_steal_pointer (&out);
}

/* `recovery-key` prints the account's recovery key alone on standard
 * output; on a new computer, `recover` reads it from standard input as a
 * person may type it and signs in as one of the account's devices, which
 * then logs in as any. A key with a mistake, another account's, no key,
 * and a computer that has the account already are refused, with a
 * sentence and a status each, and leave that computer as it was. */
static void
test_recover (Fixture       *fixture,
              gconstpointer  data)
{
  const char *rooms_args[] = { "--user", "alice", "rooms", NULL };
  g_autofree char *key = NULL;
  g_autofree char *bob_key = NULL;
  g_autofree char *typed = NULL;
  g_autofree char *mistaken = NULL;
  g_autofree char *again = NULL;
  g_autofree char *err = NULL;
  g_autofree char *bob_line = NULL;

  register_user (fixture, "alice");
  register_user (fixture, "bob");
  key = cli_recovery_key (fixture, "alice", "alice");
  bob_key = cli_recovery_key (fixture, "bob", "bob");
  g_assert_cmpstr (key, !=, bob_key);

  /* Mistakes: a character changed, nothing at all, another account's. */
  mistaken = g_strdup (key);
  for (gsize i = 0; mistaken[i] != '\0'; i++)
    {
      g_autoptr(SottoAccountKey) read = NULL;

      if (mistaken[i] == '-')
        continue;
      mistaken[i] = mistaken[i] == 'A' ? 'B' : 'A';
      /* The check misses one change in 65,536: take one it catches. */
      read = sotto_account_key_new_from_recovery (mistaken, NULL);
      if (read == NULL)
        break;
      mistaken[i] = key[i];
    }
  {
    g_autofree char *line = g_strconcat (mistaken, "\n", NULL);

    g_assert_cmpint (cli_recover (fixture, "laptop", "alice", line, NULL, &err), ==, 4);
    g_assert_nonnull (strstr (err, "mistake"));
    g_clear_pointer (&err, g_free);
  }
  g_assert_cmpint (cli_recover (fixture, "laptop", "alice", "\n", NULL, &err), ==, 1);
  g_assert_nonnull (strstr (err, "No recovery key"));
  g_clear_pointer (&err, g_free);
  bob_line = g_strconcat (bob_key, "\n", NULL);
  g_assert_cmpint (cli_recover (fixture, "laptop", "alice", bob_line, NULL, &err), ==, 5);
  g_assert_nonnull (strstr (err, "not this account’s"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (cli_run (fixture, "laptop", rooms_args, NULL, &err), ==, 5);
  g_assert_nonnull (strstr (err, "not linked"));
  g_clear_pointer (&err, g_free);

  /* Where the account is, a login is what is needed. */
  {
    g_autofree char *line = g_strconcat (key, "\n", NULL);

    g_assert_cmpint (cli_recover (fixture, "alice", "alice", line, NULL, &err), ==, 4);
    g_assert_nonnull (strstr (err, "log in instead"));
    g_clear_pointer (&err, g_free);
  }

  /* The key as typed from paper: lower case, spaces for dashes. */
  typed = g_ascii_strdown (key, -1);
  g_strdelimit (typed, "-", ' ');
  {
    g_autofree char *line = g_strconcat ("  ", typed, "\n", NULL);

    g_assert_cmpint (cli_recover (fixture, "laptop", "alice", line, NULL, &err), ==, 0);
  }
  g_assert_nonnull (strstr (err, "Recovered"));
  g_assert_nonnull (strstr (err, "signed in as alice"));

  /* The new computer holds the account: the same key, a login as any. */
  again = cli_recovery_key (fixture, "laptop", "alice");
  g_assert_cmpstr (again, ==, key);
  g_assert_cmpint (cli_run (fixture, "laptop", rooms_args, NULL, NULL), ==, 0);
}

/* Links "laptop" to alice's account, as `link` and `approve` do. */
static void
link_laptop (Fixture *fixture)
{
  const char *link_args[] = { "--user", "alice", "link", NULL };
  g_autoptr(GSubprocess) link = NULL;
  g_autofree char *code_line = NULL;

  link = cli_spawn (fixture, "laptop", PASSWORD,
                    sotto_test_server_get_fingerprint (fixture->server), link_args);
  code_line = wait_for_line (g_subprocess_get_stdout_pipe (link), "Link code: ");

  {
    const char *approve_args[] = { "--user", "alice", "approve",
                                   code_line + strlen ("Link code: "), NULL };

    g_assert_cmpint (cli_run (fixture, "alice", approve_args, NULL, NULL), ==, 0);
  }
  g_assert_cmpint (cli_finish (link, NULL, NULL), ==, 0);
}

/* `devices` on @computer: its lines, one a device. */
static GStrv
devices_lines (Fixture    *fixture,
               const char *computer)
{
  const char *args[] = { "--user", "alice", "devices", NULL };
  g_autofree char *out = NULL;
  GStrv lines;

  g_assert_cmpint (cli_run (fixture, computer, args, &out, NULL), ==, 0);
  g_assert_true (g_str_has_suffix (out, "\n"));
  out[strlen (out) - 1] = '\0';
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      /* The ID first: 8 hexadecimal digits. */
      g_assert_cmpuint (strlen (lines[i]), >, 10);
      for (guint j = 0; j < 8; j++)
        g_assert_true (g_ascii_isxdigit (lines[i][j]) && !g_ascii_isupper (lines[i][j]));
      g_assert_cmpint (lines[i][8], ==, ' ');
    }
  return lines;
}

/* Runs `NAME-device ID [ARG]` on @computer: its status, what it said. */
static int
device_command (Fixture     *fixture,
                const char  *computer,
                const char  *command,
                const char  *id,
                const char  *arg,
                char       **err)
{
  const char *args[] = { "--user", "alice", command, id, arg, NULL };

  return cli_run (fixture, computer, args, NULL, err);
}

/* Alice's desktop and a laptop linked to it: `devices` lists both on
 * either, this computer first and marked; --json says the same for
 * scripts. Either renames either; a bad ID or name is refused. The
 * desktop cannot remove itself, but removes the laptop, which is listed
 * no more, and whose next command fails as a computer not linked. */
static void
test_devices (Fixture       *fixture,
              gconstpointer  data)
{
  const char *json_args[] = { "--user", "alice", "devices", "--json", NULL };
  const char *rooms_args[] = { "--user", "alice", "rooms", NULL };
  g_auto(GStrv) lines = NULL;
  g_auto(GStrv) json_lines = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *desktop_id = NULL;
  g_autofree char *laptop_id = NULL;
  g_autofree char *unknown_id = NULL;
  g_autofree char *too_long = g_strnfill (65, 'x');
  g_autoptr(JsonObject) first = NULL;
  g_autoptr(JsonObject) second = NULL;
  gint64 before = g_get_real_time () / 1000 - 60000;

  register_user (fixture, "alice");
  link_laptop (fixture);

  lines = devices_lines (fixture, "alice");
  g_assert_cmpuint (g_strv_length (lines), ==, 2);
  g_assert_true (g_str_has_suffix (lines[0], "  online now  (this computer)"));
  g_assert_nonnull (strstr (lines[0], "  added "));
  g_assert_nonnull (strstr (lines[1], "  last seen "));
  g_assert_null (strstr (lines[1], "(this computer)"));
  desktop_id = g_strndup (lines[0], 8);
  laptop_id = g_strndup (lines[1], 8);
  g_clear_pointer (&lines, g_strfreev);

  g_assert_cmpint (cli_run (fixture, "alice", json_args, &out, NULL), ==, 0);
  json_lines = g_strsplit (g_strstrip (out), "\n", -1);
  g_assert_cmpuint (g_strv_length (json_lines), ==, 2);
  first = parse_json_line (json_lines[0]);
  second = parse_json_line (json_lines[1]);
  g_assert_cmpuint (strlen (json_object_get_string_member (first, "id")), ==, 64);
  g_assert_true (g_str_has_prefix (json_object_get_string_member (first, "id"), desktop_id));
  g_assert_true (g_str_has_prefix (json_object_get_string_member (second, "id"), laptop_id));
  g_assert_true (json_object_get_boolean_member (first, "this"));
  g_assert_true (json_object_get_boolean_member (first, "online"));
  g_assert_false (json_object_get_boolean_member (second, "this"));
  g_assert_false (json_object_get_boolean_member (second, "online"));
  g_assert_cmpint (json_object_get_int_member (second, "last_seen"), >, before);
  g_assert_cmpint (json_object_get_int_member (second, "added"), >, before);
  g_assert_cmpstr (json_object_get_string_member (first, "name"), ==,
                   json_object_get_string_member (second, "name"));

  /* The laptop lists itself first. */
  lines = devices_lines (fixture, "laptop");
  g_assert_cmpuint (g_strv_length (lines), ==, 2);
  g_assert_true (g_str_has_prefix (lines[0], laptop_id));
  g_assert_true (g_str_has_suffix (lines[0], "(this computer)"));
  g_assert_true (g_str_has_prefix (lines[1], desktop_id));
  g_clear_pointer (&lines, g_strfreev);

  /* Renamed from either, this computer too; an ID in capitals is the
   * same ID, and a few digits of it do. */
  g_assert_cmpint (device_command (fixture, "alice", "rename-device", laptop_id, "Work laptop",
                                   &err), ==, 0);
  g_assert_nonnull (strstr (err, "Renamed"));
  g_assert_nonnull (strstr (err, "“Work laptop”"));
  g_clear_pointer (&err, g_free);
  {
    g_autofree char *upper = g_ascii_strup (desktop_id, 5);

    g_assert_cmpint (device_command (fixture, "laptop", "rename-device", upper, "Desktop",
                                     NULL), ==, 0);
  }
  lines = devices_lines (fixture, "alice");
  g_assert_nonnull (strstr (lines[0], "  Desktop      added "));
  g_assert_nonnull (strstr (lines[1], "  Work laptop  added "));
  g_clear_pointer (&lines, g_strfreev);

  /* Refused: no ID, no digits, no such device, no name, too long a name. */
  unknown_id = g_strdup (laptop_id);
  unknown_id[0] = laptop_id[0] == '0' ? '1' : '0';
  unknown_id[1] = desktop_id[1] == 'a' ? 'b' : 'a';
  if (g_str_has_prefix (desktop_id, unknown_id))
    unknown_id[0] = desktop_id[0] == 'f' ? 'e' : 'f';
  g_assert_cmpint (device_command (fixture, "alice", "rename-device", "", "x", &err), ==, 1);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (device_command (fixture, "alice", "rename-device", "laptop", "x", &err), ==, 1);
  g_assert_nonnull (strstr (err, "not a device ID"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (device_command (fixture, "alice", "remove-device", unknown_id, NULL, &err),
                   ==, 5);
  g_assert_nonnull (strstr (err, "no device with the ID"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (device_command (fixture, "alice", "rename-device", laptop_id, "", &err), ==, 1);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (device_command (fixture, "alice", "rename-device", laptop_id, too_long, &err),
                   ==, 1);
  g_assert_nonnull (strstr (err, "64 bytes"));
  g_clear_pointer (&err, g_free);

  /* This computer is not removed from here; the laptop is. */
  g_assert_cmpint (device_command (fixture, "alice", "remove-device", desktop_id, NULL, &err),
                   ==, 5);
  g_assert_nonnull (strstr (err, "This computer cannot remove itself"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (device_command (fixture, "alice", "remove-device", laptop_id, NULL, &err),
                   ==, 0);
  g_assert_nonnull (strstr (err, "Removed “Work laptop”"));
  g_clear_pointer (&err, g_free);

  lines = devices_lines (fixture, "alice");
  g_assert_cmpuint (g_strv_length (lines), ==, 1);
  g_assert_true (g_str_has_prefix (lines[0], desktop_id));

  g_assert_cmpint (cli_run (fixture, "laptop", rooms_args, NULL, &err), !=, 0);
  g_assert_nonnull (strstr (err, "This computer is not linked to alice’s account"));
}

/* A code no computer waits under, and text that is no code, make
 * `approve` fail with a sentence and the "refused" status; the new
 * computer waits on, and an interrupted `link` leaves nothing behind. */
static void
test_approve_wrong_code (Fixture       *fixture,
                         gconstpointer  data)
{
  const char *link_args[] = { "--user", "alice", "link", NULL };
  const char *wrong_args[] = { "--user", "alice", "approve", "0000-0000-0000-0000", NULL };
  const char *nonsense_args[] = { "--user", "alice", "approve", "hello", NULL };
  g_autoptr(GSubprocess) link = NULL;
  g_autofree char *code_line = NULL;
  g_autofree char *err = NULL;
  g_autofree char *err2 = NULL;
  g_autofree char *laptop = data_dir (fixture, "laptop");
  g_autofree char *server_dir = g_uri_escape_string (fixture->address, NULL, FALSE);
  g_autofree char *store = g_build_filename (laptop, server_dir, "alice", "client.db", NULL);

  register_user (fixture, "alice");
  link = cli_spawn (fixture, "laptop", PASSWORD,
                    sotto_test_server_get_fingerprint (fixture->server), link_args);
  code_line = wait_for_line (g_subprocess_get_stdout_pipe (link), "Link code: ");
  g_assert_cmpstr (code_line + strlen ("Link code: "), !=, "0000-0000-0000-0000");
  g_assert_true (g_file_test (store, G_FILE_TEST_EXISTS));

  g_assert_cmpint (cli_run (fixture, "alice", wrong_args, NULL, &err), ==, 5);
  g_assert_nonnull (strstr (err, "No new computer is waiting"));
  g_assert_cmpint (cli_run (fixture, "alice", nonsense_args, NULL, &err2), ==, 5);
  g_assert_nonnull (strstr (err2, "not a link code"));

  g_subprocess_send_signal (link, SIGINT);
  g_assert_cmpint (cli_finish (link, NULL, NULL), ==, 130);
  g_assert_false (g_file_test (store, G_FILE_TEST_EXISTS));
}

/* Nobody approves in time: `link` says the code expired, with the
 * timeout status, and leaves nothing behind. */
static void
test_link_expired (Fixture       *fixture,
                   gconstpointer  data)
{
  const char *link_args[] = { "--user", "alice", "link", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *laptop = data_dir (fixture, "laptop");
  g_autofree char *server_dir = g_uri_escape_string (fixture->address, NULL, FALSE);
  g_autofree char *store = g_build_filename (laptop, server_dir, "alice", "client.db", NULL);

  register_user (fixture, "alice");
  g_assert_cmpint (cli_run (fixture, "laptop", link_args, &out, &err), ==, 6);
  g_assert_true (g_str_has_prefix (out, "Link code: "));
  g_assert_nonnull (strstr (err, "expired"));
  g_assert_false (g_file_test (store, G_FILE_TEST_EXISTS));
}

/* The server restarts while someone listens: the listener reconnects,
 * and what is said afterwards still comes. */
static void
test_reconnect (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *server_dir = g_build_filename (fixture->dir, "server", NULL);
  g_autofree char *listen = NULL;
  const char *extra[] = { NULL, NULL };
  const char *join_args[] = { "--user", "bob", "join", "lobby", NULL };
  const char *listen_args[] = { "--user", "bob", "listen", "lobby", "--count", "1", "--json",
                                "--timeout", "60", NULL };
  const char *send_args[] = { "--user", "alice", "send", "lobby", "after the restart", NULL };
  g_autoptr(GSubprocess) listener = NULL;
  g_autofree char *out = NULL;

  /* A server whose key outlives it, at an address that stays. The first
   * one goes at once, before it may even handle SIGTERM. */
  sotto_test_server_kill (fixture->server);
  g_clear_pointer (&fixture->server, sotto_test_server_free);
  fixture->server = sotto_test_server_start (server_dir, NULL);
  g_free (fixture->address);
  fixture->address = g_strdup_printf ("127.0.0.1:%u",
                                      sotto_test_server_get_port (fixture->server));
  listen = g_strdup_printf ("--listen=%s", fixture->address);
  extra[0] = listen;

  register_user (fixture, "alice");
  register_user (fixture, "bob");
  g_assert_cmpint (cli_run (fixture, "bob", join_args, NULL, NULL), ==, 0);

  listener = cli_spawn (fixture, "bob", PASSWORD, NULL, listen_args);
  wait_for_stderr (listener, "Listening in lobby");

  sotto_test_server_stop (fixture->server);
  g_clear_pointer (&fixture->server, sotto_test_server_free);
  wait_for_stderr (listener, "Reconnecting");
  fixture->server = sotto_test_server_start (server_dir, extra);
  wait_for_stderr (listener, "again");

  g_assert_cmpint (cli_run (fixture, "alice", send_args, NULL, NULL), ==, 0);
  g_assert_cmpint (cli_finish (listener, &out, NULL), ==, 0);
  assert_one_json_message (out, "lobby", "alice", "after the restart");
}

/* Another server, with another key, where the trusted one was. */
static void
test_key_changed (Fixture       *fixture,
                  gconstpointer  data)
{
  const char *args[] = { "--user", "alice", "rooms", NULL };
  const char *old_fingerprint = NULL;
  g_autofree char *listen = g_strdup_printf ("--listen=%s", fixture->address);
  const char *extra[] = { listen, NULL };
  g_autofree char *pins = pins_path (fixture, "alice");
  g_autofree char *pins_before = NULL;
  g_autofree char *pins_after = NULL;
  g_autofree char *err = NULL;
  g_autofree char *listener_err = NULL;
  const char *listen_args[] = { "--user", "bob", "listen", "--timeout", "60", NULL };
  g_autoptr(GSubprocess) listener = NULL;

  register_user (fixture, "alice");
  register_user (fixture, "bob");
  g_assert_true (g_file_get_contents (pins, &pins_before, NULL, NULL));
  old_fingerprint = sotto_test_server_get_fingerprint (fixture->server);
  g_assert_nonnull (old_fingerprint);
  old_fingerprint = g_strdup (old_fingerprint);

  /* The client core warns when it stops reconnecting; that is no bug. */
  listener = cli_spawn_full (fixture, "bob", PASSWORD, NULL, listen_args, FALSE);
  wait_for_stderr (listener, "Listening in all your rooms");

  sotto_test_server_stop (fixture->server);
  g_clear_pointer (&fixture->server, sotto_test_server_free);
  fixture->server = sotto_test_server_start (NULL, extra);
  g_assert_cmpstr (sotto_test_server_get_fingerprint (fixture->server), !=, old_fingerprint);

  /* Reconnecting, the listener finds the other key and stops. */
  g_assert_cmpint (cli_finish (listener, NULL, &listener_err), ==, 3);
  g_assert_nonnull (strstr (listener_err, "has changed"));

  /* Even with the new fingerprint given: a changed key is never accepted. */
  g_assert_cmpint (cli_run (fixture, "alice", args, NULL, &err), ==, 3);
  g_assert_nonnull (strstr (err, "has changed"));
  g_assert_nonnull (strstr (err, old_fingerprint));
  g_assert_nonnull (strstr (err, sotto_test_server_get_fingerprint (fixture->server)));
  g_assert_true (g_file_get_contents (pins, &pins_after, NULL, NULL));
  g_assert_cmpstr (pins_after, ==, pins_before);
  g_free ((char *) old_fingerprint);
}

/* What was said while a user was away comes at their next listen, once. */
static void
test_catch_up (Fixture       *fixture,
               gconstpointer  data)
{
  const char *join_args[] = { "--user", "bob", "join", "lobby", NULL };
  const char *send_args[] = { "--user", "alice", "send", "lobby", "--",
                              "-while you were away", NULL };
  const char *send_again_args[] = { "--user", "alice", "send", "lobby", "and", "again", NULL };
  const char *listen_args[] = { "--user", "bob", "listen", "lobby", "--count", "2", "--json",
                                "--timeout", "60", NULL };
  const char *again_args[] = { "--user", "bob", "listen", "lobby", "--count", "1",
                               "--timeout", "2", NULL };
  const char *quiet_args[] = { "--user", "bob", "listen", "--timeout", "1", NULL };
  g_autofree char *out = NULL;
  g_autofree char *again = NULL;
  g_autofree char *err = NULL;
  g_auto(GStrv) lines = NULL;

  register_user (fixture, "alice");
  register_user (fixture, "bob");
  g_assert_cmpint (cli_run (fixture, "bob", join_args, NULL, NULL), ==, 0);
  g_assert_cmpint (cli_run (fixture, "alice", send_args, NULL, NULL), ==, 0);
  /* Now alice is in lobby at login, and sends once its members are known. */
  g_assert_cmpint (cli_run (fixture, "alice", send_again_args, NULL, NULL), ==, 0);

  g_assert_cmpint (cli_run (fixture, "bob", listen_args, &out, NULL), ==, 0);
  lines = g_strsplit (out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 3);
  assert_json_message (lines[0], "lobby", "alice", "-while you were away");
  assert_json_message (lines[1], "lobby", "alice", "and again");

  /* Not again: with --count, the time running out is a failure. */
  g_assert_cmpint (cli_run (fixture, "bob", again_args, &again, &err), ==, 6);
  g_assert_cmpstr (again, ==, "");
  g_assert_nonnull (strstr (err, "0 of 1"));

  /* Without --count, it is how listening ends. */
  g_assert_cmpint (cli_run (fixture, "bob", quiet_args, NULL, NULL), ==, 0);
}

static void
test_wrong_password (Fixture       *fixture,
                     gconstpointer  data)
{
  const char *args[] = { "--user", "alice", "rooms", NULL };
  const char *trust = sotto_test_server_get_fingerprint (fixture->server);
  g_autofree char *err = NULL;
  g_autofree char *err2 = NULL;

  register_user (fixture, "alice");

  /* On the computer that has the account: the local store refuses it. */
  g_assert_cmpint (cli_run_full (fixture, "alice", "not the password", NULL, args, NULL, &err),
                   ==, 4);
  g_assert_nonnull (strstr (err, "Wrong username or password"));

  /* On another computer: the server refuses it. */
  g_assert_cmpint (cli_run_full (fixture, "elsewhere", "not the password", trust, args, NULL,
                                 &err2), ==, 4);
  g_assert_nonnull (strstr (err2, "Wrong username or password"));

  g_assert_cmpint (cli_run (fixture, "alice", args, NULL, NULL), ==, 0);
}

static void
test_rooms_members (Fixture       *fixture,
                    gconstpointer  data)
{
  const char *join_args[] = { "--user", "bob", "join", "lobby", NULL };
  const char *send_args[] = { "--user", "alice", "send", "lobby", "hello", NULL };
  const char *rooms_args[] = { "--user", "alice", "rooms", NULL };
  const char *rooms_json_args[] = { "--user", "alice", "rooms", "--json", NULL };
  const char *members_args[] = { "--user", "alice", "members", "lobby", NULL };
  const char *members_json_args[] = { "--user", "alice", "members", "lobby", "--json", NULL };
  const char *nowhere_args[] = { "--user", "alice", "members", "nowhere", NULL };
  const char *direct_args[] = { "--user", "alice", "send", "@bob", "just us", NULL };
  g_autofree char *rooms = NULL;
  g_autofree char *rooms_json = NULL;
  g_autofree char *members = NULL;
  g_autofree char *members_json = NULL;
  g_auto(GStrv) room_lines = NULL;
  g_auto(GStrv) member_lines = NULL;
  gboolean found = FALSE;

  register_user (fixture, "alice");
  register_user (fixture, "bob");
  g_assert_cmpint (cli_run (fixture, "bob", join_args, NULL, NULL), ==, 0);
  g_assert_cmpint (cli_run (fixture, "alice", send_args, NULL, NULL), ==, 0);
  g_assert_cmpint (cli_run (fixture, "alice", direct_args, NULL, NULL), ==, 0);

  g_assert_cmpint (cli_run (fixture, "alice", rooms_args, &rooms, NULL), ==, 0);
  room_lines = g_strsplit (rooms, "\n", -1);
  g_assert_true (g_strv_contains ((const char *const *) room_lines, "lobby"));
  g_assert_true (g_strv_contains ((const char *const *) room_lines, "@alice+bob"));

  g_assert_cmpint (cli_run (fixture, "alice", rooms_json_args, &rooms_json, NULL), ==, 0);
  g_assert_nonnull (strstr (rooms_json, "{\"room\":\"lobby\",\"direct\":false}"));

  /* Bob is offline and made the room; alice, asking, is online. */
  g_assert_cmpint (cli_run (fixture, "alice", members_args, &members, NULL), ==, 0);
  member_lines = g_strsplit (members, "\n", -1);
  for (guint i = 0; member_lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (member_lines[i], "bob "))
        {
          g_assert_nonnull (strstr (member_lines[i], "offline"));
          g_assert_nonnull (strstr (member_lines[i], "not verified, created the room"));
          found = TRUE;
        }
      else if (g_str_has_prefix (member_lines[i], "alice "))
        {
          g_assert_nonnull (strstr (member_lines[i], "online"));
          g_assert_null (strstr (member_lines[i], "created the room"));
        }
    }
  g_assert_true (found);

  g_assert_cmpint (cli_run (fixture, "alice", members_json_args, &members_json, NULL), ==, 0);
  g_assert_nonnull (strstr (members_json,
                            "{\"user\":\"bob\",\"online\":false,\"verified\":false,"
                            "\"you\":false,\"owner\":true,\"standing\":\"confirmed\","
                            "\"role\":\"owner\",\"devices\":"));

  /* Asking about a room one is not in does not join it. */
  g_assert_cmpint (cli_run (fixture, "alice", nowhere_args, NULL, NULL), ==, 5);
}

/* After the operator's /kick, joining again is refused with a sentence
 * and the "refused by the server" status. */
static void
test_kicked_join (Fixture       *fixture,
                  gconstpointer  data)
{
  const char *alice_join_args[] = { "--user", "alice", "join", "team", NULL };
  const char *join_args[] = { "--user", "mallory", "join", "team", NULL };
  g_autofree char *answer = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  register_user (fixture, "alice");
  register_user (fixture, "mallory");
  g_assert_cmpint (cli_run (fixture, "alice", alice_join_args, NULL, NULL), ==, 0);
  g_assert_cmpint (cli_run (fixture, "mallory", join_args, NULL, NULL), ==, 0);

  answer = sotto_test_server_command (fixture->server, "/kick mallory team");
  g_assert_cmpstr (answer, ==, "mallory was removed from team.");

  g_assert_cmpint (cli_run (fixture, "mallory", join_args, &out, &err), ==, 5);
  g_assert_null (strstr (out, "Joined"));
  g_assert_nonnull (strstr (err, "You were removed from this room and cannot join it again "
                                 "unless its owner lets you back"));
}

/* The creator of a room removes someone, lists who is kept out and lets
 * them back in; others are refused with the "refused" status. */
static void
test_kick_unban_bans (Fixture       *fixture,
                      gconstpointer  data)
{
  const char *alice_join_args[] = { "--user", "alice", "join", "team", NULL };
  const char *bob_join_args[] = { "--user", "bob", "join", "team", NULL };
  const char *carol_join_args[] = { "--user", "carol", "join", "team", NULL };
  const char *bob_kick_args[] = { "--user", "bob", "kick", "team", "carol", NULL };
  const char *bob_bans_args[] = { "--user", "bob", "bans", "team", NULL };
  const char *kick_args[] = { "--user", "alice", "kick", "team", "bob", NULL };
  const char *kick_nowhere_args[] = { "--user", "alice", "kick", "nowhere", "bob", NULL };
  const char *kick_nobody_args[] = { "--user", "alice", "kick", "team", "no body", NULL };
  const char *kick_short_args[] = { "--user", "alice", "kick", "team", NULL };
  const char *bans_args[] = { "--user", "alice", "bans", "team", NULL };
  const char *bans_json_args[] = { "--user", "alice", "bans", "team", "--json", NULL };
  const char *unban_args[] = { "--user", "alice", "unban", "team", "bob", NULL };
  g_autofree char *err = NULL;
  g_autofree char *out = NULL;
  g_autofree char *answer = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(JsonObject) first = NULL;
  g_autoptr(JsonObject) second = NULL;
  gint64 before = g_get_real_time () / 1000;

  register_user (fixture, "alice");
  register_user (fixture, "bob");
  register_user (fixture, "carol");
  g_assert_cmpint (cli_run (fixture, "alice", alice_join_args, NULL, NULL), ==, 0);
  g_assert_cmpint (cli_run (fixture, "bob", bob_join_args, NULL, NULL), ==, 0);
  g_assert_cmpint (cli_run (fixture, "carol", carol_join_args, NULL, NULL), ==, 0);

  /* Bob did not create the room. */
  g_assert_cmpint (cli_run (fixture, "bob", bob_kick_args, NULL, &err), ==, 5);
  g_assert_nonnull (strstr (err, "Only the owner and the moderators of #team can remove people from it"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (cli_run (fixture, "bob", bob_bans_args, &out, &err), ==, 5);
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, "Only the owner and the moderators of #team can see who was removed"));
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&out, g_free);

  /* Nobody yet; then bob, by alice, and carol, by the operator. */
  g_assert_cmpint (cli_run (fixture, "alice", bans_args, &out, &err), ==, 0);
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, "Nobody is kept out of team."));
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (cli_run (fixture, "alice", kick_args, &out, &err), ==, 0);
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, "Removed bob from team. They cannot join again until you let "
                                 "them back in with “sotto-cli unban team bob”."));
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&out, g_free);
  answer = sotto_test_server_command (fixture->server, "/kick carol team");
  g_assert_cmpstr (answer, ==, "carol was removed from team.");

  g_assert_cmpint (cli_run (fixture, "bob", bob_join_args, NULL, &err), ==, 5);
  g_assert_nonnull (strstr (err, "You were removed from this room"));
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (cli_run (fixture, "alice", bans_args, &out, NULL), ==, 0);
  lines = g_strsplit (out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 3);
  g_assert_true (g_str_has_prefix (lines[0], "bob  "));
  g_assert_true (g_str_has_suffix (lines[0], "  removed by alice"));
  g_assert_true (g_str_has_prefix (lines[1], "carol  "));
  g_assert_true (g_str_has_suffix (lines[1], "  removed by the server’s operator"));
  g_assert_cmpstr (lines[2], ==, "");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&lines, g_strfreev);

  g_assert_cmpint (cli_run (fixture, "alice", bans_json_args, &out, NULL), ==, 0);
  lines = g_strsplit (out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 3);
  first = parse_json_line (lines[0]);
  g_assert_cmpuint (json_object_get_size (first), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (first, "user"), ==, "bob");
  g_assert_cmpstr (json_object_get_string_member (first, "banned_by"), ==, "alice");
  g_assert_cmpint (json_object_get_int_member (first, "ts"), >=, before);
  second = parse_json_line (lines[1]);
  g_assert_cmpstr (json_object_get_string_member (second, "user"), ==, "carol");
  g_assert_true (json_object_get_null_member (second, "banned_by"));
  g_clear_pointer (&out, g_free);

  /* Nothing to do it to, and what is not a command line. */
  g_assert_cmpint (cli_run (fixture, "alice", kick_nowhere_args, NULL, &err), ==, 5);
  g_assert_nonnull (strstr (err, "You are not in nowhere"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (cli_run (fixture, "alice", kick_nobody_args, NULL, &err), ==, 5);
  g_assert_nonnull (strstr (err, "There is no user named “no body”"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (cli_run (fixture, "alice", kick_short_args, NULL, NULL), ==, 1);

  /* Let back in, bob joins again. */
  g_assert_cmpint (cli_run (fixture, "alice", unban_args, NULL, &err), ==, 0);
  g_assert_nonnull (strstr (err, "bob may join team again."));
  g_assert_cmpint (cli_run (fixture, "bob", bob_join_args, NULL, NULL), ==, 0);
  g_assert_cmpint (cli_run (fixture, "alice", bans_args, &out, NULL), ==, 0);
  g_assert_true (g_str_has_prefix (out, "carol  "));
}

/* An invite-only room: the members take in only whom a moderator invited;
 * someone else's join is refused with why. The owner makes Bob a
 * moderator, who then invites. */
static void
test_invite_only (Fixture       *fixture,
                  gconstpointer  data)
{
  const char *alice_join_args[] = { "--user", "alice", "join", "club", NULL };
  const char *bob_join_args[] = { "--user", "bob", "join", "club", NULL };
  const char *carol_join_args[] = { "--user", "carol", "join", "club", NULL };
  const char *close_args[] = { "--user", "alice", "invite-only", "club", "on", NULL };
  const char *bad_args[] = { "--user", "alice", "invite-only", "club", "maybe", NULL };
  const char *invite_args[] = { "--user", "alice", "invite", "club", "bob", NULL };
  const char *bob_invite_args[] = { "--user", "bob", "invite", "club", "carol", NULL };
  const char *promote_args[] = { "--user", "alice", "role", "club", "bob", "moderator", NULL };
  const char *bad_role_args[] = { "--user", "alice", "role", "club", "bob", "boss", NULL };
  const char *bob_role_args[] = { "--user", "bob", "role", "club", "carol", "moderator", NULL };
  const char *members_args[] = { "--user", "alice", "members", "club", NULL };
  const char *members_json_args[] = { "--user", "alice", "members", "club", "--json", NULL };
  g_autofree char *err = NULL;
  g_autofree char *out = NULL;

  register_user (fixture, "alice");
  register_user (fixture, "bob");
  register_user (fixture, "carol");
  g_assert_cmpint (cli_run (fixture, "alice", alice_join_args, NULL, NULL), ==, 0);
  g_assert_cmpint (cli_run (fixture, "alice", bad_args, NULL, &err), ==, 1);
  g_assert_nonnull (strstr (err, "say “on” or “off”"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (cli_run (fixture, "alice", close_args, NULL, &err), ==, 0);
  g_assert_nonnull (strstr (err, "club is invite-only"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (cli_run (fixture, "alice", invite_args, NULL, &err), ==, 0);
  g_assert_nonnull (strstr (err, "Invited bob to club"));
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (cli_run (fixture, "bob", bob_join_args, NULL, NULL), ==, 0);
  g_assert_cmpint (cli_run (fixture, "carol", carol_join_args, NULL, &err), ==, 5);
  g_assert_nonnull (strstr (err, "#club is invite-only: ask one of its moderators to invite you"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (cli_run (fixture, "bob", bob_invite_args, NULL, &err), ==, 5);
  g_assert_nonnull (strstr (err, "Only the room’s creator and its moderators may do that"));
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (cli_run (fixture, "alice", members_args, &out, NULL), ==, 0);
  g_assert_null (strstr (out, "carol"));
  g_clear_pointer (&out, g_free);

  /* Roles: only an owner gives them. */
  g_assert_cmpint (cli_run (fixture, "alice", bad_role_args, NULL, &err), ==, 1);
  g_assert_nonnull (strstr (err, "say “member”, “moderator” or “owner”"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (cli_run (fixture, "alice", promote_args, NULL, &err), ==, 0);
  g_assert_nonnull (strstr (err, "bob is now a moderator of club"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (cli_run (fixture, "bob", bob_role_args, NULL, &err), ==, 5);
  g_assert_nonnull (strstr (err, "Only an owner of #club gives roles"));
  g_clear_pointer (&err, g_free);

  /* A moderator now, Bob invites Carol, who joins. */
  g_assert_cmpint (cli_run (fixture, "bob", bob_invite_args, NULL, &err), ==, 0);
  g_assert_nonnull (strstr (err, "Invited carol to club"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (cli_run (fixture, "carol", carol_join_args, NULL, NULL), ==, 0);

  g_assert_cmpint (cli_run (fixture, "alice", members_args, &out, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "not verified, moderator"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (cli_run (fixture, "alice", members_json_args, &out, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "\"user\":\"bob\",\"online\":false,\"verified\":false,"
                                 "\"you\":false,\"owner\":false,\"standing\":\"confirmed\","
                                 "\"role\":\"moderator\""));
  g_assert_nonnull (strstr (out, "\"user\":\"carol\",\"online\":false,\"verified\":false,"
                                 "\"you\":false,\"owner\":false,\"standing\":\"confirmed\","
                                 "\"role\":\"member\""));
}

static void
test_usage (Fixture       *fixture,
            gconstpointer  data)
{
  const char *none[] = { NULL };
  const char *bogus[] = { "--user", "alice", "bogus", NULL };
  const char *short_send[] = { "--user", "alice", "send", "lobby", NULL };
  const char *no_user[] = { "register", NULL };
  const char *help[] = { "--help", NULL };
  const char *rooms[] = { "--user", "alice", "rooms", NULL };
  const char *negative[] = { "--user", "alice", "listen", "--count", "-1", NULL };
  const char *accept_nobody[] = { "--user", "alice", "accept", NULL };
  g_autofree char *help_out = NULL;
  g_autofree char *no_password_err = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *closed_port = NULL;
  Fixture nowhere = *fixture;

  g_assert_cmpint (cli_run (fixture, "alice", none, NULL, NULL), ==, 1);
  g_assert_cmpint (cli_run (fixture, "alice", bogus, NULL, NULL), ==, 1);
  g_assert_cmpint (cli_run (fixture, "alice", short_send, NULL, NULL), ==, 1);
  g_assert_cmpint (cli_run (fixture, "alice", no_user, NULL, NULL), ==, 1);
  g_assert_cmpint (cli_run (fixture, "alice", negative, NULL, NULL), ==, 1);
  g_assert_cmpint (cli_run (fixture, "alice", accept_nobody, NULL, NULL), ==, 1);
  g_assert_cmpint (cli_run_full (fixture, "alice", NULL, NULL, rooms, NULL, &no_password_err),
                   ==, 1);
  g_assert_nonnull (strstr (no_password_err, "SOTTO_PASSWORD"));

  g_assert_cmpint (cli_run (fixture, "alice", help, &help_out, NULL), ==, 0);
  g_assert_nonnull (strstr (help_out, "Exit status"));
  g_assert_nonnull (strstr (help_out, "accept USER"));
  g_assert_nonnull (strstr (help_out, "kick ROOM USER"));
  g_assert_nonnull (strstr (help_out, "unban ROOM USER"));
  g_assert_nonnull (strstr (help_out, "bans ROOM"));
  g_assert_nonnull (strstr (help_out, "  link  "));
  g_assert_nonnull (strstr (help_out, "approve [--history] CODE"));
  g_assert_nonnull (strstr (help_out, "  recovery-key  "));
  g_assert_nonnull (strstr (help_out, "  recover  "));
  g_assert_nonnull (strstr (help_out, "  devices  "));
  g_assert_nonnull (strstr (help_out, "remove-device ID"));
  g_assert_nonnull (strstr (help_out, "rename-device ID NAME"));
  g_assert_nonnull (strstr (help_out, "  7    send: nothing was sent"));
  g_assert_null (strstr (help_out, "pwhash"));

  /* A port nothing listens on: bound, then let go. */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                         &error);
  g_assert_no_error (error);
  g_socket_bind (socket, any, TRUE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  closed_port = g_strdup_printf ("127.0.0.1:%u",
                                 g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  g_socket_close (socket, NULL);
  nowhere.address = closed_port;
  g_assert_cmpint (cli_run (&nowhere, "alice", rooms, NULL, NULL), ==, 2);
}

/* The chat, through a pseudo-terminal */

typedef struct
{
  GSubprocess *process;
  int          master;
  guint        watch_id;
  GString     *output;
  gsize        seen;
  gboolean     exited;
} Pty;

static gboolean
pty_readable_cb (int          fd,
                 GIOCondition condition,
                 gpointer     user_data)
{
  Pty *pty = user_data;
  char buffer[4096];
  ssize_t n = read (fd, buffer, sizeof buffer);

  if (n > 0)
    {
      g_string_append_len (pty->output, buffer, n);
      return G_SOURCE_CONTINUE;
    }
  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return G_SOURCE_CONTINUE;

  /* EIO: the program closed its end. */
  pty->watch_id = 0;
  return G_SOURCE_REMOVE;
}

/* In the child, before exec: the terminal becomes its controlling one. */
static void
pty_child_setup (gpointer user_data)
{
  setsid ();
  ioctl (STDIN_FILENO, TIOCSCTTY, 0);
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static Pty *
pty_spawn (Fixture           *fixture,
           const char        *computer,
           const char *const *args)
{
  g_autoptr(GPtrArray) argv = cli_argv (fixture, computer, NULL, args);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  Pty *pty = g_new0 (Pty, 1);
  int follower;

  pty->output = g_string_new (NULL);
  pty->master = posix_openpt (O_RDWR | O_NOCTTY);
  g_assert_cmpint (pty->master, >=, 0);
  g_assert_cmpint (grantpt (pty->master), ==, 0);
  g_assert_cmpint (unlockpt (pty->master), ==, 0);
  follower = open (ptsname (pty->master), O_RDWR | O_NOCTTY);
  g_assert_cmpint (follower, >=, 0);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_subprocess_launcher_unsetenv (launcher, "SOTTO_PASSWORD");
  g_subprocess_launcher_take_stdin_fd (launcher, dup (follower));
  g_subprocess_launcher_take_stdout_fd (launcher, dup (follower));
  g_subprocess_launcher_take_stderr_fd (launcher, dup (follower));
  close (follower);
  g_subprocess_launcher_set_child_setup (launcher, pty_child_setup, NULL, NULL);
  pty->process = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata,
                                               &error);
  g_assert_no_error (error);
  g_clear_object (&launcher);

  g_assert_true (g_unix_set_fd_nonblocking (pty->master, TRUE, NULL));
  pty->watch_id = g_unix_fd_add (pty->master, G_IO_IN | G_IO_HUP | G_IO_ERR, pty_readable_cb, pty);

  return pty;
}

static void
pty_free (Pty *pty)
{
  if (!pty->exited)
    g_subprocess_force_exit (pty->process);
  g_clear_handle_id (&pty->watch_id, g_source_remove);
  close (pty->master);
  g_clear_object (&pty->process);
  g_string_free (pty->output, TRUE);
  g_free (pty);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Pty, pty_free)

/* Waits until the program wrote @text after what earlier calls found. */
static void
pty_expect (Pty        *pty,
            const char *text)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (RUN_TIMEOUT_MS, flag_timeout_cb, &timed_out);
  const char *found;

  while ((found = strstr (pty->output->str + pty->seen, text)) == NULL && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  if (found == NULL)
    g_error ("Expected “%s” from the chat, which wrote:\n%s", text, pty->output->str);
  g_source_remove (id);
  pty->seen = found - pty->output->str + strlen (text);
}

static void
pty_type (Pty        *pty,
          const char *line)
{
  g_autofree char *typed = g_strconcat (line, "\n", NULL);

  g_assert_cmpint (write (pty->master, typed, strlen (typed)), ==, (gssize) strlen (typed));
}

static void
exited_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL);
  *(gboolean *) user_data = TRUE;
}

static int
pty_wait_exit (Pty *pty)
{
  g_subprocess_wait_async (pty->process, NULL, exited_cb, &pty->exited);
  sotto_test_cli_wait_long_for (&pty->exited, "the chat to end");
  g_test_message ("The chat wrote:\n%s", pty->output->str);

  return sotto_test_cli_exit_status (pty->process);
}

typedef struct
{
  gboolean  done;
  gboolean  ok;
  gpointer  object;
  GError   *error;
} Outcome;

static void
client_connected_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  Outcome *outcome = user_data;

  outcome->ok = sotto_client_connect_finish (SOTTO_CLIENT (object), result, &outcome->error);
  outcome->done = TRUE;
}

static void
client_trusted_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Outcome *outcome = user_data;

  outcome->ok = sotto_client_trust_server_finish (SOTTO_CLIENT (object), result,
                                                  &outcome->error);
  outcome->done = TRUE;
}

static void
client_account_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Outcome *outcome = user_data;

  outcome->ok = sotto_client_account_finish (SOTTO_CLIENT (object), result, &outcome->error);
  outcome->done = TRUE;
}

static void
client_joined_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Outcome *outcome = user_data;

  outcome->object = sotto_client_join_finish (SOTTO_CLIENT (object), result, &outcome->error);
  outcome->done = TRUE;
}

/* The other side of the chat: the client core in this process, on
 * @computer, making the account @user or logging in to it. */
/* How an in-process client gets its account. */
typedef enum
{
  IN_PROCESS_REGISTER,
  IN_PROCESS_LOGIN,
  IN_PROCESS_RESET,
} InProcessMode;

static SottoClient *
in_process_user (Fixture       *fixture,
                 const char    *computer,
                 const char    *user,
                 InProcessMode  mode,
                 const char    *room)
{
  g_autofree char *dir = data_dir (fixture, computer);
  SottoClient *client = sotto_client_new (dir, fixture->address);
  Outcome outcome = { FALSE };

  sotto_client_set_pwhash_limits (client, crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN);
  sotto_client_connect_async (client, NULL, client_connected_cb, &outcome);
  sotto_test_cli_wait_long_for (&outcome.done, "connecting");
  /* First contact, unless sotto-cli already trusted the server there. */
  if (outcome.error != NULL)
    {
      g_assert_error (outcome.error, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_SERVER_KEY_UNKNOWN);
      g_clear_error (&outcome.error);
      outcome.done = FALSE;
      sotto_client_trust_server_async (client, NULL, client_trusted_cb, &outcome);
      sotto_test_cli_wait_long_for (&outcome.done, "trusting");
      g_assert_no_error (outcome.error);
    }

  outcome.done = FALSE;
  if (mode == IN_PROCESS_REGISTER)
    sotto_client_register_async (client, user, PASSWORD, NULL, client_account_cb, &outcome);
  else if (mode == IN_PROCESS_RESET)
    sotto_client_reset_async (client, user, PASSWORD, NULL, client_account_cb, &outcome);
  else
    sotto_client_login_async (client, user, PASSWORD, NULL, client_account_cb, &outcome);
  sotto_test_cli_wait_long_for (&outcome.done, "logging in");
  g_assert_no_error (outcome.error);

  if (room == NULL)
    return client;

  outcome.done = FALSE;
  sotto_client_join_async (client, room, NULL, client_joined_cb, &outcome);
  sotto_test_cli_wait_long_for (&outcome.done, "joining");
  g_assert_no_error (outcome.error);
  g_object_unref (outcome.object);

  return client;
}

static void
wait_for_text (SottoRoom  *room,
               const char *sender,
               const char *text)
{
  gint64 deadline = g_get_monotonic_time () + RUN_TIMEOUT_MS * 1000;

  while (g_get_monotonic_time () < deadline)
    {
      GListModel *messages = sotto_room_get_messages (room);

      for (guint i = 0; i < g_list_model_get_n_items (messages); i++)
        {
          g_autoptr(SottoMessage) message = g_list_model_get_item (messages, i);

          if (g_strcmp0 (sotto_message_get_sender (message), sender) == 0 &&
              g_strcmp0 (sotto_message_get_text (message), text) == 0)
            {
              g_assert_cmpint (sotto_message_get_state (message), ==, SOTTO_MESSAGE_RECEIVED);
              return;
            }
        }
      g_main_context_iteration (NULL, TRUE);
    }

  g_error ("“%s” from %s never arrived", text, sender);
}

static void
test_chat (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(Pty) first = NULL;
  g_autoptr(Pty) chat = NULL;
  g_autoptr(SottoClient) bob = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *number = NULL;
  g_autofree char *first_group = NULL;
  SottoRoom *bob_room;

  /* First contact: the fingerprint is shown and the user says yes; then
   * a new account, its password asked twice, never echoed. */
  first = pty_spawn (fixture, "alice", NULL);
  pty_expect (first, sotto_test_server_get_fingerprint (fixture->server));
  pty_expect (first, "Trust this server? [y/N]");
  pty_type (first, "y");
  pty_expect (first, "Connected to");
  pty_type (first, "/register alice");
  pty_expect (first, "Password: ");
  pty_type (first, PASSWORD);
  pty_expect (first, "The same password again: ");
  pty_type (first, PASSWORD);
  pty_expect (first, "Logged in as alice.");
  pty_type (first, "/quit");
  g_assert_cmpint (pty_wait_exit (first), ==, 0);
  g_assert_null (strstr (first->output->str, PASSWORD));

  bob = in_process_user (fixture, "bob", "bob", IN_PROCESS_REGISTER, "lobby");
  bob_room = sotto_client_lookup_room (bob, "lobby");

  /* The server is known now: straight to logging in. */
  chat = pty_spawn (fixture, "alice", NULL);
  pty_expect (chat, "Connected to");
  pty_type (chat, "hello before logging in");
  pty_expect (chat, "Log in first");
  pty_type (chat, "/login alice");
  pty_expect (chat, "Password: ");
  pty_type (chat, PASSWORD);
  pty_expect (chat, "Logged in as alice.");
  g_assert_null (strstr (chat->output->str, PASSWORD));

  pty_type (chat, "/join lobby");
  pty_expect (chat, "You are in lobby.");
  pty_type (chat, "hello from the terminal");
  wait_for_text (bob_room, "alice", "hello from the terminal");
  /* Once the server has it, with the time and the sender. */
  pty_expect (chat, "alice: hello from the terminal");

  g_assert_nonnull (sotto_client_send_message (bob, bob_room, "hi alice\x1b[2J", &error));
  g_assert_no_error (error);
  pty_expect (chat, "bob: hi alice\xef\xbf\xbd[2J");

  pty_type (chat, "/who");
  pty_expect (chat, "bob ");
  pty_expect (chat, "online");

  /* The safety number is the one bob sees. */
  number = sotto_client_safety_number (bob, "alice");
  g_assert_nonnull (number);
  first_group = g_strndup (number, 5);
  pty_type (chat, "/verify bob");
  pty_expect (chat, first_group);
  pty_expect (chat, "Mark bob as verified [y/N]");
  pty_type (chat, "y");
  pty_expect (chat, "bob is verified.");
  pty_type (chat, "/who");
  pty_expect (chat, "verified");

  /* bob opens a direct chat; alice's side takes it up at once. */
  {
    Outcome outcome = { FALSE };
    g_autoptr(SottoRoom) direct = NULL;

    sotto_client_open_direct_async (bob, "alice", NULL, client_joined_cb, &outcome);
    sotto_test_cli_wait_long_for (&outcome.done, "opening a direct chat");
    g_assert_no_error (outcome.error);
    direct = outcome.object;
    pty_expect (chat, "bob opened a direct chat with you: /join @bob");

    g_assert_nonnull (sotto_client_send_message (bob, direct, "psst", &error));
    g_assert_no_error (error);
    pty_expect (chat, "[@bob] bob: psst");

    pty_type (chat, "/msg bob whispering back");
    wait_for_text (direct, "alice", "whispering back");
    pty_expect (chat, "[@bob] alice: whispering back");

    pty_type (chat, "/rooms");
    pty_expect (chat, "* lobby");
    pty_expect (chat, "  @bob");
  }

  /* What the server's operator says to everyone. */
  g_free (sotto_test_server_command (fixture->server, "/broadcast maintenance at noon"));
  pty_expect (chat, "*** Notice from the server: maintenance at noon");

  /* bob resets his account from another computer, with other keys:
   * alice had verified him. */
  {
    g_autoptr(SottoClient) laptop = in_process_user (fixture, "bob-laptop", "bob",
                                                     IN_PROCESS_RESET, NULL);

    SottoRoom *laptop_room = sotto_client_lookup_room (laptop, "lobby");

    pty_expect (chat, "*** bob's safety number changed. You had verified bob: nothing is sent "
                      "in the rooms you share until you compare it with /verify bob or accept it "
                      "with /accept bob");

    /* Nothing goes into their room until alice looks. */
    pty_type (chat, "still there?");
    pty_expect (chat, "The safety number of bob changed. Compare it again, or accept the new "
                      "one, before sending in this room");
    pty_expect (chat, "Compare it with /verify bob, or accept it with /accept bob.");
    pty_type (chat, "/accept");
    pty_expect (chat, "Usage: /accept USER");
    pty_type (chat, "/accept bob");
    pty_expect (chat, "Accepted bob's new safety number; bob stays unverified.");
    pty_type (chat, "/accept bob");
    pty_expect (chat, "bob's safety number has not changed since you last looked at it: there "
                      "is nothing to accept.");
    g_assert_nonnull (laptop_room);
    pty_type (chat, "still there?");
    wait_for_text (laptop_room, "alice", "still there?");
    sotto_client_close (laptop);
  }

  pty_type (chat, "/nonsense");
  pty_expect (chat, "There is no command /nonsense");
  pty_type (chat, "/quit");
  g_assert_cmpint (pty_wait_exit (chat), ==, 0);
}

static void
client_kicked_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Outcome *outcome = user_data;

  outcome->ok = sotto_client_kick_finish (SOTTO_CLIENT (object), result, &outcome->error);
  outcome->done = TRUE;
}

/* /kick, /bans and /unban in the room the user is in, which she created;
 * refused in another's room; and the user removed from a room is told
 * and taken to another. */
static void
test_chat_bans (Fixture       *fixture,
                gconstpointer  data)
{
  const char *args[] = { "--user", "alice", NULL };
  g_autoptr(SottoClient) bob = NULL;
  g_autoptr(SottoClient) carol = NULL;
  g_autoptr(Pty) chat = NULL;
  Outcome outcome = { FALSE };
  gint64 deadline;

  register_user (fixture, "alice");
  bob = in_process_user (fixture, "bob", "bob", IN_PROCESS_REGISTER, "club");

  chat = pty_spawn (fixture, "alice", args);
  pty_expect (chat, "Password: ");
  pty_type (chat, PASSWORD);
  pty_expect (chat, "Logged in as alice.");
  pty_type (chat, "/help");
  pty_expect (chat, "/kick USER ");
  pty_expect (chat, "/unban USER ");
  pty_expect (chat, "/bans ");
  pty_type (chat, "/bans");
  pty_expect (chat, "Only the server’s operator can see who was removed from #general");
  pty_type (chat, "/join club");
  pty_expect (chat, "You are in club.");
  pty_type (chat, "/kick bob");
  pty_expect (chat, "Only the owner and the moderators of #club can remove people from it");

  pty_type (chat, "/join team");
  pty_expect (chat, "You are in team.");
  carol = in_process_user (fixture, "carol", "carol", IN_PROCESS_REGISTER, "team");
  pty_type (chat, "/kick");
  pty_expect (chat, "Usage: /kick USER");
  pty_type (chat, "/kick carol");
  pty_expect (chat, "Removed carol from team. They cannot join again until you let them back "
                    "in with /unban carol.");
  deadline = g_get_monotonic_time () + RUN_TIMEOUT_MS * 1000;
  while (sotto_client_lookup_room (carol, "team") != NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_null (sotto_client_lookup_room (carol, "team"));
  pty_type (chat, "/bans");
  pty_expect (chat, "carol  ");
  pty_expect (chat, "removed by alice");
  pty_type (chat, "/unban carol");
  pty_expect (chat, "carol may join team again.");
  pty_type (chat, "/bans");
  pty_expect (chat, "Nobody is kept out of team.");

  /* Bob removes alice from his room while she is in it. */
  pty_type (chat, "/join club");
  pty_expect (chat, "You are in club.");
  sotto_client_kick_async (bob, "club", "alice", NULL, client_kicked_cb, &outcome);
  sotto_test_cli_wait_long_for (&outcome.done, "bob to remove alice");
  g_assert_no_error (outcome.error);
  pty_expect (chat, "*** You were removed from club and cannot join it again unless its owner "
                    "lets you back.");
  pty_expect (chat, "You are in ");
  pty_type (chat, "/join club");
  pty_expect (chat, "You were removed from this room and cannot join it again");

  pty_type (chat, "/quit");
  g_assert_cmpint (pty_wait_exit (chat), ==, 0);
}

/* Ctrl+C at the password prompt ends the chat and gives the terminal
 * its echo back. */
static void
test_chat_interrupted (Fixture       *fixture,
                       gconstpointer  data)
{
  const char *args[] = { "--user", "alice", NULL };
  g_autoptr(Pty) chat = NULL;
  struct termios modes;

  register_user (fixture, "alice");
  chat = pty_spawn (fixture, "alice", args);
  pty_expect (chat, "Password: ");
  g_assert_cmpint (tcgetattr (chat->master, &modes), ==, 0);
  g_assert_false (modes.c_lflag & ECHO);

  g_assert_cmpint (write (chat->master, "\x03", 1), ==, 1);
  g_assert_cmpint (pty_wait_exit (chat), ==, 0);
  g_assert_cmpint (tcgetattr (chat->master, &modes), ==, 0);
  g_assert_true (modes.c_lflag & ECHO);
}

static SottoClient *
wait_for_member (SottoClient *client,
                 const char  *room_name,
                 const char  *user)
{
  gint64 deadline = g_get_monotonic_time () + RUN_TIMEOUT_MS * 1000;
  SottoRoom *room;

  while ((room = sotto_client_lookup_room (client, room_name)) == NULL ||
         sotto_room_lookup_member (room, user) == NULL)
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("%s never showed in %s", user, room_name);
      g_main_context_iteration (NULL, TRUE);
    }
  return client;
}

/* alice's keys change, first while bob listens (he never compared them:
 * a notice), then after he verified her: sending into their room is
 * refused with its own exit status until he accepts. */
static void
test_identity_review (Fixture       *fixture,
                      gconstpointer  data)
{
  const char *alice_join_args[] = { "--user", "alice", "join", "lobby", NULL };
  const char *bob_join_args[] = { "--user", "bob", "join", "lobby", NULL };
  const char *listen_args[] = { "--user", "bob", "listen", "lobby", "--timeout", "60", NULL };
  const char *accept_args[] = { "--user", "bob", "accept", "alice", NULL };
  const char *accept_upper_args[] = { "--user", "bob", "accept", "Alice", NULL };
  const char *accept_self_args[] = { "--user", "bob", "accept", "bob", NULL };
  const char *accept_stranger_args[] = { "--user", "bob", "accept", "carol", NULL };
  const char *send_args[] = { "--user", "bob", "send", "lobby", "are you still you?", NULL };
  g_autoptr(GSubprocess) listener = NULL;
  g_autoptr(SottoClient) bob = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  g_autofree char *out = NULL;

  register_user (fixture, "alice");
  register_user (fixture, "bob");
  g_assert_cmpint (cli_run (fixture, "bob", bob_join_args, NULL, NULL), ==, 0);
  g_assert_cmpint (cli_run (fixture, "alice", alice_join_args, NULL, NULL), ==, 0);

  /* Nothing to accept yet, nobody to accept, and not oneself. */
  g_assert_cmpint (cli_run (fixture, "bob", accept_args, NULL, &err), ==, 5);
  g_assert_nonnull (strstr (err, "sotto-cli: alice's safety number has not changed since you "
                                 "last looked at it: there is nothing to accept."));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (cli_run (fixture, "bob", accept_stranger_args, NULL, &err), ==, 5);
  g_assert_nonnull (strstr (err, "You do not have the keys of carol"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (cli_run (fixture, "bob", accept_self_args, NULL, &err), ==, 5);
  g_assert_nonnull (strstr (err, "That is you."));
  g_clear_pointer (&err, g_free);

  /* While bob listens, alice resets her account from another computer. */
  listener = cli_spawn (fixture, "bob", PASSWORD, NULL, listen_args);
  wait_for_stderr (listener, "Listening in lobby");
  g_clear_object (&bob);
  bob = in_process_user (fixture, "alice-laptop", "alice", IN_PROCESS_RESET, NULL);
  sotto_client_close (bob);
  g_clear_object (&bob);
  wait_for_stderr (listener, "*** alice's safety number changed: compare it in the chat with "
                             "/verify alice, or accept it with `sotto-cli accept alice`");
  g_subprocess_send_signal (listener, SIGINT);
  g_assert_cmpint (cli_finish (listener, &out, NULL), ==, 0);
  g_assert_cmpstr (out, ==, "");
  g_clear_pointer (&out, g_free);

  /* A notice: he accepts it (the name as typed), once. */
  g_assert_cmpint (cli_run (fixture, "bob", accept_upper_args, &out, &err), ==, 0);
  g_assert_cmpstr (err, ==, "Accepted alice's new safety number; alice stays unverified.\n");
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (cli_run (fixture, "bob", accept_args, NULL, &err), ==, 5);
  g_assert_nonnull (strstr (err, "nothing to accept"));
  g_clear_pointer (&err, g_free);

  /* bob compares the safety number with alice and marks her verified;
   * then she resets her keys again while he is away. */
  bob = wait_for_member (in_process_user (fixture, "bob", "bob", IN_PROCESS_LOGIN, NULL),
                         "lobby", "alice");
  g_assert_true (sotto_client_set_verified (bob, "alice", TRUE, &error));
  g_assert_no_error (error);
  sotto_client_close (bob);
  g_clear_object (&bob);
  bob = in_process_user (fixture, "alice-phone", "alice", IN_PROCESS_RESET, NULL);
  sotto_client_close (bob);
  g_clear_object (&bob);

  /* Sending is refused, with its sentence and its own status. */
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (cli_run (fixture, "bob", send_args, &out, &err), ==, 7);
  g_assert_nonnull (strstr (err, "*** alice's safety number changed. You had verified alice: "
                                 "nothing is sent in the rooms you share until you compare it "
                                 "in the chat with /verify alice or accept it with `sotto-cli "
                                 "accept alice`"));
  g_assert_nonnull (strstr (err, "sotto-cli: The safety number of alice changed. Compare it "
                                 "again, or accept the new one, before sending in this room\n"
                                 "Compare it in the chat with /verify alice, or accept it with "
                                 "`sotto-cli accept alice`.\n"));
  g_clear_pointer (&err, g_free);

  /* Still refused at the next run, as the store keeps it; accepted, it goes. */
  g_assert_cmpint (cli_run (fixture, "bob", send_args, NULL, &err), ==, 7);
  g_assert_nonnull (strstr (err, "The safety number of alice changed"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (cli_run (fixture, "bob", accept_args, NULL, &err), ==, 0);
  g_assert_nonnull (strstr (err, "Accepted alice's new safety number"));
  g_assert_cmpint (cli_run (fixture, "bob", send_args, NULL, NULL), ==, 0);
}

static void
test_review_lines (void)
{
  g_autofree char *chat_notice = sotto_cli_review_line ("alice", SOTTO_IDENTITY_REVIEW_NOTICE,
                                                        TRUE);
  g_autofree char *script_blocking = sotto_cli_review_line ("alice",
                                                            SOTTO_IDENTITY_REVIEW_BLOCKING,
                                                            FALSE);
  g_autoptr(SottoRoom) room = sotto_room_new ("lobby", FALSE, "bob");
  g_autoptr(SottoIdentity) identity = sotto_identity_new ();
  g_autoptr(SottoMember) alice = sotto_member_new ("alice", sotto_identity_get_public (identity),
                                                   TRUE);
  g_autoptr(GError) held = g_error_new_literal (SOTTO_CLIENT_ERROR,
                                                SOTTO_CLIENT_ERROR_IDENTITY_CHANGED, "Held.");
  g_autoptr(GError) other = g_error_new_literal (SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_FAILED,
                                                 "Other.");
  g_autofree char *held_text = NULL;
  g_autofree char *other_text = NULL;

  g_assert_cmpstr (chat_notice, ==, "*** alice's safety number changed: compare it with "
                                    "/verify alice, or accept it with /accept alice");
  g_assert_cmpstr (script_blocking, ==, "*** alice's safety number changed. You had verified "
                                        "alice: nothing is sent in the rooms you share until you "
                                        "compare it in the chat with /verify alice or accept it "
                                        "with `sotto-cli accept alice`");

  sotto_member_set_review (alice, SOTTO_IDENTITY_REVIEW_BLOCKING);
  sotto_room_set_member (room, alice);
  held_text = sotto_cli_review_refused (room, held, TRUE);
  other_text = sotto_cli_review_refused (room, other, TRUE);
  g_assert_cmpstr (held_text, ==, "Held.\nCompare it with /verify alice, or accept it with "
                                  "/accept alice.");
  g_assert_cmpstr (other_text, ==, "Other.");
}

/* Formatting and the feed, without a server */

static void
test_format (void)
{
  g_autoptr(SottoMessage) received = sotto_message_new ("lobby", "bob", "m1", 3,
                                                        1700000000000, SOTTO_MESSAGE_RECEIVED,
                                                        "a \"quote\"\nand\x1b[31m red");
  g_autoptr(SottoMessage) forged = sotto_message_new ("lobby", "bob", "m2", 4, 1700000000000,
                                                      SOTTO_MESSAGE_UNVERIFIABLE, "forged");
  g_autoptr(SottoMessage) waiting = sotto_message_new ("lobby", "bob", "m3", 5, 1700000000000,
                                                       SOTTO_MESSAGE_WAITING_FOR_KEY, NULL);
  g_autofree char *line = sotto_cli_format_message (received, NULL);
  g_autofree char *labelled = sotto_cli_format_message (received, "lobby");
  g_autofree char *forged_line = sotto_cli_format_message (forged, NULL);
  g_autofree char *json = sotto_cli_format_message_json (received);
  g_autofree char *forged_json = sotto_cli_format_message_json (forged);
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(JsonObject) forged_object = NULL;

  /* HH:MM, the sender, the text with its escape made harmless and its
   * second line indented. */
  g_assert_true (g_regex_match_simple ("^[0-9][0-9]:[0-9][0-9] bob: a \"quote\"\n    and"
                                       "\xef\xbf\xbd\\[31m red$", line, 0, 0));
  g_assert_nonnull (strstr (labelled, " [lobby] bob: "));
  g_assert_null (strchr (line, '\x1b'));

  /* Never the text of what could not be verified. */
  g_assert_null (strstr (forged_line, "forged"));
  g_assert_nonnull (strstr (forged_line, "could not be decrypted or verified"));
  g_assert_null (sotto_cli_format_message (waiting, NULL));
  g_assert_null (sotto_cli_format_message_json (waiting));

  object = parse_json_line (json);
  g_assert_cmpstr (json_object_get_string_member (object, "room"), ==, "lobby");
  g_assert_cmpstr (json_object_get_string_member (object, "sender"), ==, "bob");
  g_assert_cmpint (json_object_get_int_member (object, "seq"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (object, "ts"), ==, 1700000000000);
  g_assert_cmpstr (json_object_get_string_member (object, "text"), ==,
                   "a \"quote\"\nand\x1b[31m red");
  g_assert_cmpstr (json_object_get_string_member (object, "state"), ==, "received");
  g_assert_null (strchr (json, '\n'));

  forged_object = parse_json_line (forged_json);
  g_assert_true (json_object_get_null_member (forged_object, "text"));
  g_assert_cmpstr (json_object_get_string_member (forged_object, "state"), ==, "unverifiable");

  g_assert_cmpint (json_object_get_int_member (object, "missing_before"), ==, 0);
  g_assert_false (json_object_get_boolean_member (object, "late"));
  g_assert_false (json_object_get_boolean_member (object, "backdated"));
  g_assert_null (sotto_cli_format_missing_found (received, NULL));
  g_assert_null (sotto_cli_format_missing_found_json (received));

  g_assert_true (sotto_cli_fingerprint_equal ("AB12 CD34", "ab12cd34"));
  g_assert_false (sotto_cli_fingerprint_equal ("AB12 CD34", "AB12 CD35"));
  g_assert_false (sotto_cli_fingerprint_equal ("AB12 CD34", " "));
}

static char *
local_time (gint64      ms,
            const char *format)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (ms / 1000);

  return g_date_time_format (time, format);
}

static gint64
local_noon (void)
{
  g_autoptr(GDateTime) noon = g_date_time_new_local (2023, 11, 14, 12, 0, 0);

  return g_date_time_to_unix (noon) * 1000;
}

/* What the server did to the order of messages, in the words the app
 * uses. */
static void
test_format_order (void)
{
  gint64 ts = local_noon ();
  g_autoptr(SottoMessage) after_gap = sotto_message_new ("lobby", "alice", "m1", 7, ts,
                                                         SOTTO_MESSAGE_RECEIVED, "hello");
  g_autoptr(SottoMessage) one_gap = sotto_message_new ("lobby", "alice", "m2", 8, ts,
                                                       SOTTO_MESSAGE_RECEIVED, "again");
  g_autoptr(SottoMessage) held = sotto_message_new ("lobby", "alice", "m3", 9, ts,
                                                    SOTTO_MESSAGE_RECEIVED, "held");
  g_autoptr(SottoMessage) backdated = sotto_message_new ("lobby", "alice", "m4", 10, ts,
                                                         SOTTO_MESSAGE_RECEIVED, "back\nthen");
  g_autoptr(SottoMessage) next_day = sotto_message_new ("lobby", "alice", "m5", 11, ts,
                                                        SOTTO_MESSAGE_RECEIVED, "tomorrow");
  gint64 written = ts + 2 * 3600000;
  gint64 tomorrow = ts + 30 * 3600000;
  g_autofree char *clock = local_time (ts, "%H:%M");
  g_autofree char *written_clock = local_time (written, "%H:%M");
  g_autofree char *tomorrow_date = local_time (tomorrow, "%Y-%m-%d %H:%M");
  g_autofree char *line = NULL;
  g_autofree char *want = NULL;
  g_autofree char *json = NULL;
  g_autoptr(JsonObject) object = NULL;

  sotto_message_set_order (after_gap, 5, ts, SOTTO_MESSAGE_MARK_NONE);
  sotto_message_set_missing_before (after_gap, 2);
  line = sotto_cli_format_message (after_gap, NULL);
  want = g_strdup_printf ("*** 2 earlier messages from alice did not arrive\n"
                          "%s alice: hello", clock);
  g_assert_cmpstr (line, ==, want);
  g_clear_pointer (&line, g_free);
  g_clear_pointer (&want, g_free);

  json = sotto_cli_format_message_json (after_gap);
  object = parse_json_line (json);
  g_assert_cmpint (json_object_get_int_member (object, "missing_before"), ==, 2);
  g_assert_false (json_object_get_boolean_member (object, "late"));
  g_assert_false (json_object_get_boolean_member (object, "backdated"));
  g_clear_pointer (&json, g_free);
  g_clear_pointer (&object, json_object_unref);

  /* Found after the message was printed: a line of its own. */
  sotto_message_set_missing_before (one_gap, 1);
  line = sotto_cli_format_missing_found (one_gap, NULL);
  want = g_strdup_printf ("*** 1 earlier message from alice did not arrive "
                          "(before the message at %s)", clock);
  g_assert_cmpstr (line, ==, want);
  g_clear_pointer (&line, g_free);
  g_clear_pointer (&want, g_free);
  line = sotto_cli_format_missing_found (one_gap, "lobby");
  g_assert_true (g_str_has_prefix (line, "*** [lobby] 1 earlier message from alice"));
  g_clear_pointer (&line, g_free);

  json = sotto_cli_format_missing_found_json (one_gap);
  object = parse_json_line (json);
  g_assert_cmpstr (json_object_get_string_member (object, "room"), ==, "lobby");
  g_assert_cmpstr (json_object_get_string_member (object, "sender"), ==, "alice");
  g_assert_cmpint (json_object_get_int_member (object, "seq"), ==, 8);
  g_assert_cmpint (json_object_get_int_member (object, "ts"), ==, ts);
  g_assert_cmpint (json_object_get_int_member (object, "missing_before"), ==, 1);
  g_assert_false (json_object_has_member (object, "text"));
  g_assert_false (json_object_has_member (object, "state"));
  g_clear_pointer (&json, g_free);
  g_clear_pointer (&object, json_object_unref);

  sotto_message_set_order (held, 3, ts - 60000, SOTTO_MESSAGE_MARK_LATE);
  line = sotto_cli_format_message (held, "lobby");
  want = g_strdup_printf ("%s [lobby] alice: held\n"
                          "*** Arrived late: the server held this message back", clock);
  g_assert_cmpstr (line, ==, want);
  g_clear_pointer (&line, g_free);
  g_clear_pointer (&want, g_free);

  json = sotto_cli_format_message_json (held);
  object = parse_json_line (json);
  g_assert_cmpint (json_object_get_int_member (object, "missing_before"), ==, 0);
  g_assert_true (json_object_get_boolean_member (object, "late"));
  g_assert_false (json_object_get_boolean_member (object, "backdated"));
  g_clear_pointer (&json, g_free);
  g_clear_pointer (&object, json_object_unref);

  /* Both, after a text of two lines. */
  sotto_message_set_order (backdated, 10, written,
                           SOTTO_MESSAGE_MARK_LATE | SOTTO_MESSAGE_MARK_TIME_MISMATCH);
  line = sotto_cli_format_message (backdated, NULL);
  want = g_strdup_printf ("%s alice: back\n    then\n"
                          "*** Arrived late: the server held this message back\n"
                          "*** alice wrote this at %s; the server dates it earlier",
                          clock, written_clock);
  g_assert_cmpstr (line, ==, want);
  g_clear_pointer (&line, g_free);
  g_clear_pointer (&want, g_free);

  json = sotto_cli_format_message_json (backdated);
  object = parse_json_line (json);
  g_assert_true (json_object_get_boolean_member (object, "late"));
  g_assert_true (json_object_get_boolean_member (object, "backdated"));
  g_clear_pointer (&json, g_free);
  g_clear_pointer (&object, json_object_unref);

  /* Written on another day than the server gives: with the date. */
  sotto_message_set_order (next_day, 11, tomorrow, SOTTO_MESSAGE_MARK_TIME_MISMATCH);
  line = sotto_cli_format_message (next_day, NULL);
  want = g_strdup_printf ("%s alice: tomorrow\n"
                          "*** alice wrote this at %s; the server dates it earlier",
                          clock, tomorrow_date);
  g_assert_cmpstr (line, ==, want);
}

#define SERVER_ERROR(code) (SOTTO_CLIENT_ERROR_SERVER_FIRST + SOTTO_MSG_ERROR_CODE_ ## code)

static void
test_exit_codes (void)
{
  static const struct
  {
    GQuark        (*domain) (void);
    int           code;
    SottoCliPhase phase;
    SottoCliExit  exit;
  } cases[] = {
    { sotto_wire_error_quark, SOTTO_WIRE_ERROR_SERVER_KEY_UNKNOWN, SOTTO_CLI_PHASE_CONNECT,
      SOTTO_CLI_EXIT_SERVER_KEY },
    { sotto_wire_error_quark, SOTTO_WIRE_ERROR_SERVER_KEY_CHANGED, SOTTO_CLI_PHASE_CONNECT,
      SOTTO_CLI_EXIT_SERVER_KEY },
    { sotto_wire_error_quark, SOTTO_WIRE_ERROR_BAD_HANDSHAKE, SOTTO_CLI_PHASE_CONNECT,
      SOTTO_CLI_EXIT_CONNECT },
    { sotto_client_error_quark, SOTTO_CLIENT_ERROR_REFUSED, SOTTO_CLI_PHASE_CONNECT,
      SOTTO_CLI_EXIT_CONNECT },
    { sotto_client_error_quark, SOTTO_CLIENT_ERROR_TIMED_OUT, SOTTO_CLI_PHASE_CONNECT,
      SOTTO_CLI_EXIT_CONNECT },
    { sotto_client_error_quark, SOTTO_CLIENT_ERROR_TIMED_OUT, SOTTO_CLI_PHASE_REQUEST,
      SOTTO_CLI_EXIT_TIMEOUT },
    { sotto_client_error_quark, SOTTO_CLIENT_ERROR_DISCONNECTED, SOTTO_CLI_PHASE_REQUEST,
      SOTTO_CLI_EXIT_CONNECT },
    { sotto_client_error_quark, SOTTO_CLIENT_ERROR_BAD_ADDRESS, SOTTO_CLI_PHASE_CONNECT,
      SOTTO_CLI_EXIT_USAGE },
    { sotto_client_error_quark, SOTTO_CLIENT_ERROR_FAILED, SOTTO_CLI_PHASE_ACCOUNT,
      SOTTO_CLI_EXIT_ACCOUNT },
    { sotto_client_error_quark, SERVER_ERROR (BAD_CREDENTIALS), SOTTO_CLI_PHASE_ACCOUNT,
      SOTTO_CLI_EXIT_ACCOUNT },
    { sotto_client_error_quark, SERVER_ERROR (NAME_TAKEN), SOTTO_CLI_PHASE_ACCOUNT,
      SOTTO_CLI_EXIT_ACCOUNT },
    { sotto_client_error_quark, SERVER_ERROR (RATE_LIMITED), SOTTO_CLI_PHASE_ACCOUNT,
      SOTTO_CLI_EXIT_ACCOUNT },
    { sotto_client_error_quark, SERVER_ERROR (RATE_LIMITED), SOTTO_CLI_PHASE_REQUEST,
      SOTTO_CLI_EXIT_REFUSED },
    { sotto_client_error_quark, SERVER_ERROR (FORBIDDEN), SOTTO_CLI_PHASE_REQUEST,
      SOTTO_CLI_EXIT_REFUSED },
    { sotto_client_error_quark, SERVER_ERROR (NOT_MEMBER), SOTTO_CLI_PHASE_REQUEST,
      SOTTO_CLI_EXIT_REFUSED },
    { sotto_client_error_quark, SERVER_ERROR (BANNED), SOTTO_CLI_PHASE_REQUEST,
      SOTTO_CLI_EXIT_REFUSED },
    { sotto_client_error_quark, SOTTO_CLIENT_ERROR_IDENTITY_CHANGED, SOTTO_CLI_PHASE_REQUEST,
      SOTTO_CLI_EXIT_IDENTITY_CHANGED },
    { g_option_error_quark, G_OPTION_ERROR_BAD_VALUE, SOTTO_CLI_PHASE_CONNECT,
      SOTTO_CLI_EXIT_USAGE },
    { g_io_error_quark, G_IO_ERROR_FAILED, SOTTO_CLI_PHASE_REQUEST, SOTTO_CLI_EXIT_REFUSED },
  };

  g_assert_cmpint (sotto_cli_exit_for_error (NULL, SOTTO_CLI_PHASE_REQUEST), ==,
                   SOTTO_CLI_EXIT_OK);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = g_error_new_literal (cases[i].domain (), cases[i].code, "x");

      g_assert_cmpint (sotto_cli_exit_for_error (error, cases[i].phase), ==, cases[i].exit);
    }
}

static void
feed_message_cb (SottoCliFeed *feed,
                 SottoMessage *message,
                 gpointer      user_data)
{
  GPtrArray *emitted = user_data;

  g_ptr_array_add (emitted, g_strdup_printf ("%s:%s", sotto_message_get_msg_id (message),
                                             sotto_cli_message_state_name (
                                               sotto_message_get_state (message))));
}

static void
feed_missing_found_cb (SottoCliFeed *feed,
                       SottoMessage *message,
                       gpointer      user_data)
{
  GPtrArray *emitted = user_data;

  g_ptr_array_add (emitted, g_strdup_printf ("%s:missing %" G_GUINT64_FORMAT,
                                             sotto_message_get_msg_id (message),
                                             sotto_message_get_missing_before (message)));
}

/* The feed hands messages out on the next turns of the main loop. */
static void
feed_settle (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
test_feed (void)
{
  g_autoptr(GListStore) rooms = g_list_store_new (SOTTO_TYPE_ROOM);
  g_autoptr(SottoRoom) lobby = sotto_room_new ("lobby", FALSE, NULL);
  g_autoptr(SottoRoom) later = sotto_room_new ("later", FALSE, NULL);
  g_autoptr(SottoMessage) old = sotto_message_new ("lobby", "bob", "old", 1, 1000,
                                                   SOTTO_MESSAGE_RECEIVED, "old news");
  g_autoptr(SottoMessage) old_waiting = sotto_message_new ("lobby", "bob", "old-waiting", 2, 1000,
                                                           SOTTO_MESSAGE_WAITING_FOR_KEY, NULL);
  g_autoptr(SottoMessage) fresh = sotto_message_new ("lobby", "bob", "fresh", 3, 1000,
                                                     SOTTO_MESSAGE_RECEIVED, "fresh");
  g_autoptr(SottoMessage) waiting = sotto_message_new ("lobby", "bob", "waiting", 4, 1000,
                                                       SOTTO_MESSAGE_WAITING_FOR_KEY, NULL);
  g_autoptr(SottoMessage) ours = sotto_message_new ("lobby", "alice", "ours", 0, 1000,
                                                    SOTTO_MESSAGE_SENDING, "mine");
  g_autoptr(SottoMessage) elsewhere = sotto_message_new ("later", "bob", "elsewhere", 1, 1000,
                                                         SOTTO_MESSAGE_RECEIVED, "there");
  g_autoptr(SottoMessage) unsent = sotto_message_new ("lobby", "bob", "unsent", 6, 1000,
                                                      SOTTO_MESSAGE_RECEIVED, "never out");
  g_autoptr(GPtrArray) emitted = g_ptr_array_new_with_free_func (g_free);
  SottoCliFeed *feed;

  sotto_room_add_message (lobby, old);
  sotto_room_add_message (lobby, old_waiting);
  g_list_store_append (rooms, lobby);

  feed = sotto_cli_feed_new (G_LIST_MODEL (rooms));
  g_signal_connect (feed, "message", G_CALLBACK (feed_message_cb), emitted);
  g_signal_connect (feed, "missing-found", G_CALLBACK (feed_missing_found_cb), emitted);

  /* History is not repeated, unless it becomes readable only now; then it
   * comes out on the next turn of the main loop. */
  feed_settle ();
  g_assert_cmpuint (emitted->len, ==, 0);
  sotto_message_update (old_waiting, SOTTO_MESSAGE_RECEIVED, 0, 0, "late");
  g_assert_cmpuint (emitted->len, ==, 0);
  feed_settle ();
  g_assert_cmpuint (emitted->len, ==, 1);

  /* What the client tells of a message in the turn it came comes out with
   * it, not after it. */
  sotto_room_add_message (lobby, fresh);
  sotto_message_set_missing_before (fresh, 2);
  sotto_room_add_message (lobby, waiting);
  sotto_room_add_message (lobby, ours);
  feed_settle ();
  g_assert_cmpuint (emitted->len, ==, 2);

  /* Told later, of a message out already; nothing of history. */
  sotto_message_set_missing_before (fresh, 3);
  sotto_message_set_missing_before (old, 1);
  g_assert_cmpuint (emitted->len, ==, 3);

  /* Waiting, then opened: once, when opened; ours, once the server has it. */
  sotto_message_update (waiting, SOTTO_MESSAGE_UNVERIFIABLE, 0, 0, NULL);
  sotto_message_update (ours, SOTTO_MESSAGE_SENT, 5, 2000, NULL);
  sotto_message_update (ours, SOTTO_MESSAGE_SENT, 5, 2000, NULL);
  feed_settle ();
  g_assert_cmpuint (emitted->len, ==, 5);

  g_list_store_append (rooms, later);
  sotto_room_add_message (later, elsewhere);
  feed_settle ();
  g_assert_cmpuint (emitted->len, ==, 6);

  g_assert_cmpstr (g_ptr_array_index (emitted, 0), ==, "old-waiting:received");
  g_assert_cmpstr (g_ptr_array_index (emitted, 1), ==, "fresh:received");
  g_assert_cmpstr (g_ptr_array_index (emitted, 2), ==, "fresh:missing 3");
  g_assert_cmpstr (g_ptr_array_index (emitted, 3), ==, "waiting:unverifiable");
  g_assert_cmpstr (g_ptr_array_index (emitted, 4), ==, "ours:sent");
  g_assert_cmpstr (g_ptr_array_index (emitted, 5), ==, "elsewhere:received");

  /* A room that goes is no longer watched; the feed lets everything go,
   * what it had still to hand out too, and hears no more of what it did. */
  g_list_store_remove (rooms, 1);
  sotto_room_add_message (lobby, unsent);
  g_assert_finalize_object (feed);
  sotto_message_set_missing_before (fresh, 4);
  feed_settle ();
  g_assert_cmpuint (emitted->len, ==, 6);
  g_list_store_remove_all (rooms);
  g_assert_finalize_object (g_steal_pointer (&later));
  g_assert_finalize_object (g_steal_pointer (&lobby));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (sodium_init (), >=, 0);

  g_test_add_func ("/sotto/cli/format", test_format);
  g_test_add_func ("/sotto/cli/format-order", test_format_order);
  g_test_add_func ("/sotto/cli/exit-codes", test_exit_codes);
  g_test_add_func ("/sotto/cli/review-lines", test_review_lines);
  g_test_add_func ("/sotto/cli/feed", test_feed);

#define ADD(path, func) \
  g_test_add ("/sotto/cli/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("register", test_register);
  ADD ("wrong-fingerprint", test_wrong_fingerprint);
  ADD ("send-listen", test_send_listen);
  ADD ("reconnect", test_reconnect);
  ADD ("key-changed", test_key_changed);
  ADD ("catch-up", test_catch_up);
  ADD ("wrong-password", test_wrong_password);
  ADD ("rooms-members", test_rooms_members);
  ADD ("kicked-join", test_kicked_join);
  ADD ("kick-unban-bans", test_kick_unban_bans);
  ADD ("invite-only", test_invite_only);
  ADD ("link-approve", test_link_approve);
  ADD ("link-approve-history", test_link_approve_history);
  ADD ("approve-wrong-code", test_approve_wrong_code);
  ADD ("recover", test_recover);
  ADD ("devices", test_devices);
  ADD ("usage", test_usage);
  ADD ("chat", test_chat);
  ADD ("chat-interrupted", test_chat_interrupted);
  ADD ("chat-bans", test_chat_bans);
  ADD ("identity-review", test_identity_review);
#undef ADD
  g_test_add ("/sotto/cli/link-expired", Fixture, link_timeout_1, fixture_setup,
              test_link_expired, fixture_teardown);

  return g_test_run ();
}
