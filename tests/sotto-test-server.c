/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <sys/prctl.h>
#include <string.h>

#include "sotto-test-server.h"
#include "sotto-test-util.h"

#define START_TIMEOUT_MS 10000
#define EXPECT_TIMEOUT_MS 10000

struct _SottoTestServer
{
  GSubprocess      *process;
  GDataInputStream *stdout_lines;
  GOutputStream    *stdin_pipe;
  char             *data_dir;
  gboolean          own_data_dir;
  guint16           port;
  char             *fingerprint;
  GStrv             extra_args;
  char             *stderr_path;
  gboolean          exited;
  gboolean          lenient;
};

char *
sotto_test_make_data_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("sotto-server-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

void
sotto_test_remove_dir (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        sotto_test_remove_dir (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static char *
read_stdout_line (SottoTestServer *server)
{
  g_autoptr(GError) error = NULL;
  char *line = g_data_input_stream_read_line_utf8 (server->stdout_lines, NULL, NULL, &error);

  g_assert_no_error (error);
  return line;
}

/* A failed assertion ends the test at once; the server must not outlive it
 * and keep the test runner waiting on its output. */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

/**
 * sotto_test_server_start:
 * @data_dir: (nullable): where the server keeps its data; a new temporary
 *   directory when %NULL, removed again by sotto_test_server_free()
 * @extra_args: (nullable): more flags for the server
 *
 * Starts the binary named by $SOTTO_SERVER on 127.0.0.1, port 0, with
 * cheap password hashing, and reads the port it bound from its stdout.
 */
SottoTestServer *
sotto_test_server_start (const char        *data_dir,
                         const char *const *extra_args)
{
  return sotto_test_server_start_full (data_dir, extra_args, NULL);
}

/**
 * sotto_test_server_start_full:
 * @stderr_path: (nullable): a file to write the server's log to, instead
 *   of the test's own stderr
 */
/* Starts the process, listening on @port (0: any), and reads back the
 * port it bound and its fingerprint. */
static void
server_spawn (SottoTestServer *server,
              guint16          port)
{
  const char *binary = g_getenv ("SOTTO_SERVER");
  g_autofree char *listen = g_strdup_printf ("127.0.0.1:%u", port);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (binary);

  g_ptr_array_add (argv, (char *) binary);
  g_ptr_array_add (argv, (char *) "--listen");
  g_ptr_array_add (argv, listen);
  g_ptr_array_add (argv, (char *) "--data-dir");
  g_ptr_array_add (argv, server->data_dir);
  g_ptr_array_add (argv, (char *) "--console");
  g_ptr_array_add (argv, (char *) "--pwhash-ops");
  g_ptr_array_add (argv, (char *) "1");
  g_ptr_array_add (argv, (char *) "--pwhash-mem");
  g_ptr_array_add (argv, (char *) "8192");
  for (guint i = 0; server->extra_args != NULL && server->extra_args[i] != NULL; i++)
    g_ptr_array_add (argv, server->extra_args[i]);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  if (server->lenient)
    g_subprocess_launcher_setenv (launcher, "G_DEBUG", "gc-friendly", TRUE);
  if (server->stderr_path != NULL)
    g_subprocess_launcher_set_stderr_file_path (launcher, server->stderr_path);
  server->process = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata,
                                                  &error);
  g_assert_no_error (error);
  server->exited = FALSE;
  server->stdin_pipe = g_object_ref (g_subprocess_get_stdin_pipe (server->process));
  server->stdout_lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server->process));

  server->port = 0;
  g_clear_pointer (&server->fingerprint, g_free);
  for (;;)
    {
      g_autofree char *line = read_stdout_line (server);

      g_assert_nonnull (line);
      if (g_str_has_prefix (line, "listening on 127.0.0.1:"))
        server->port = atoi (line + strlen ("listening on 127.0.0.1:"));
      else if (g_str_has_prefix (line, "fingerprint: "))
        {
          server->fingerprint = g_strdup (line + strlen ("fingerprint: "));
          break;
        }
    }

  g_assert_cmpuint (server->port, >, 0);
}

SottoTestServer *
sotto_test_server_start_full (const char        *data_dir,
                              const char *const *extra_args,
                              const char        *stderr_path)
{
  SottoTestServer *server = g_new0 (SottoTestServer, 1);

  server->own_data_dir = data_dir == NULL;
  server->data_dir = data_dir != NULL ? g_strdup (data_dir) : sotto_test_make_data_dir ();
  server->extra_args = g_strdupv ((char **) extra_args);
  server->stderr_path = g_strdup (stderr_path);
  server_spawn (server, 0);

  return server;
}

/**
 * sotto_test_server_start_lenient:
 *
 * Like sotto_test_server_start_full(), for a server that is expected to
 * log warnings (a full disk) and go on: they are not fatal in it.
 */
SottoTestServer *
sotto_test_server_start_lenient (const char        *data_dir,
                                 const char *const *extra_args,
                                 const char        *stderr_path)
{
  SottoTestServer *server = g_new0 (SottoTestServer, 1);

  server->own_data_dir = data_dir == NULL;
  server->data_dir = data_dir != NULL ? g_strdup (data_dir) : sotto_test_make_data_dir ();
  server->extra_args = g_strdupv ((char **) extra_args);
  server->stderr_path = g_strdup (stderr_path);
  server->lenient = TRUE;
  server_spawn (server, 0);

  return server;
}

/**
 * sotto_test_server_restart:
 *
 * Starts a stopped or killed server again, on the same port and data, as
 * an operator restarting it would.
 */
void
sotto_test_server_restart (SottoTestServer *server)
{
  g_assert_true (server->exited);

  g_clear_object (&server->stdout_lines);
  g_clear_object (&server->stdin_pipe);
  g_clear_object (&server->process);
  server_spawn (server, server->port);
}

static void
wait_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL);
  *(gboolean *) user_data = TRUE;
}

static void
wait_for_exit (SottoTestServer *server)
{
  gboolean done = FALSE;

  g_subprocess_wait_async (server->process, NULL, wait_cb, &done);
  sotto_test_wait_for (&done);
  server->exited = TRUE;
}

/* SIGTERM: the server must stop cleanly, with status 0, by itself. */
void
sotto_test_server_stop (SottoTestServer *server)
{
  gint64 start = g_get_monotonic_time ();

  g_subprocess_send_signal (server->process, SIGTERM);
  wait_for_exit (server);
  g_assert_true (g_subprocess_get_if_exited (server->process));
  g_assert_cmpint (g_subprocess_get_exit_status (server->process), ==, 0);
  /* "within a second", with room for a loaded machine */
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
}

void
sotto_test_server_kill (SottoTestServer *server)
{
  g_subprocess_force_exit (server->process);
  wait_for_exit (server);
}

gboolean
sotto_test_server_is_running (SottoTestServer *server)
{
  /* A signal 0 fails once the process is gone. */
  const char *id = g_subprocess_get_identifier (server->process);

  return id != NULL && kill (atoi (id), 0) == 0;
}

/* The server's process id, to look at it in /proc; 0 once it is gone. */
GPid
sotto_test_server_get_pid (SottoTestServer *server)
{
  const char *id = g_subprocess_get_identifier (server->process);

  return id != NULL ? atoi (id) : 0;
}

void
sotto_test_server_free (SottoTestServer *server)
{
  if (server == NULL)
    return;

  if (!server->exited)
    sotto_test_server_kill (server);

  g_clear_object (&server->stdout_lines);
  g_clear_object (&server->stdin_pipe);
  g_clear_object (&server->process);
  if (server->own_data_dir)
    sotto_test_remove_dir (server->data_dir);
  g_free (server->data_dir);
  g_free (server->fingerprint);
  g_strfreev (server->extra_args);
  g_free (server->stderr_path);
  g_free (server);
}

guint16
sotto_test_server_get_port (SottoTestServer *server)
{
  return server->port;
}

const char *
sotto_test_server_get_data_dir (SottoTestServer *server)
{
  return server->data_dir;
}

const char *
sotto_test_server_get_fingerprint (SottoTestServer *server)
{
  return server->fingerprint;
}

/**
 * sotto_test_server_command:
 *
 * Types @command at the operator console.
 *
 * Returns: the first line of the answer
 */
char *
sotto_test_server_command (SottoTestServer *server,
                           const char      *command)
{
  g_autofree char *line = g_strconcat (command, "\n", NULL);
  g_autoptr(GError) error = NULL;

  g_output_stream_write_all (server->stdin_pipe, line, strlen (line), NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_flush (server->stdin_pipe, NULL, &error);
  g_assert_no_error (error);

  return read_stdout_line (server);
}

/* The next line the server wrote on stdout. */
char *
sotto_test_server_read_line (SottoTestServer *server)
{
  return read_stdout_line (server);
}

struct _SottoTestClient
{
  GIOStream         *stream;
  SottoChannel      *channel;
  GQueue             inbox;
  gboolean           closed;
  GError            *close_error;
  SottoWireIdentity  identity;
  guint              next_id;
};

static void
client_message_cb (SottoChannel *channel,
                   GBytes       *bytes,
                   gpointer      user_data)
{
  SottoTestClient *client = user_data;
  g_autoptr(GError) error = NULL;
  SottoMsg *msg = sotto_msg_parse_bytes (bytes, SOTTO_MSG_FROM_SERVER, &error);

  /* Whatever the server sends must be valid protocol. */
  g_assert_no_error (error);
  g_queue_push_tail (&client->inbox, msg);
}

static void
client_closed_cb (SottoChannel *channel,
                  const GError *error,
                  gpointer      user_data)
{
  SottoTestClient *client = user_data;

  client->closed = TRUE;
  client->close_error = error != NULL ? g_error_copy (error) : NULL;
}

typedef struct
{
  gboolean      done;
  SottoChannel *channel;
  GError       *error;
} Handshake;

static void
handshake_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Handshake *handshake = user_data;
  SottoClientHandshake *client = SOTTO_CLIENT_HANDSHAKE (object);

  handshake->channel = sotto_client_handshake_run_finish (client, result, &handshake->error);
  if (g_error_matches (handshake->error, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_SERVER_KEY_UNKNOWN))
    {
      g_clear_error (&handshake->error);
      handshake->channel = sotto_client_handshake_trust_server (client, &handshake->error);
    }
  handshake->done = TRUE;
}

/* Connects from @local_ip (any loopback address), or from wherever the
 * system chooses when %NULL. */
static SottoTestClient *
client_connect (guint16     port,
                const char *local_ip)
{
  g_autoptr(GSocketClient) socket_client = g_socket_client_new ();
  /* A pin store of its own: each client is a fresh device. */
  g_autoptr(SottoMemoryPinStore) pins = sotto_memory_pin_store_new ();
  g_autoptr(SottoClientHandshake) handshake = NULL;
  g_autoptr(GError) error = NULL;
  SottoTestClient *client = g_new0 (SottoTestClient, 1);
  Handshake outcome = { FALSE, NULL, NULL };

  if (local_ip != NULL)
    {
      g_autoptr(GSocketAddress) local = g_inet_socket_address_new_from_string (local_ip, 0);

      g_assert_nonnull (local);
      g_socket_client_set_local_address (socket_client, local);
    }
  client->stream = G_IO_STREAM (g_socket_client_connect_to_host (socket_client, "127.0.0.1", port,
                                                                 NULL, &error));
  g_assert_no_error (error);

  handshake = sotto_client_handshake_new (client->stream, "127.0.0.1", SOTTO_PIN_STORE (pins));
  sotto_client_handshake_run_async (handshake, NULL, handshake_cb, &outcome);
  sotto_test_wait_for (&outcome.done);
  g_assert_no_error (outcome.error);

  client->channel = outcome.channel;
  g_queue_init (&client->inbox);
  g_signal_connect (client->channel, "message", G_CALLBACK (client_message_cb), client);
  g_signal_connect (client->channel, "closed", G_CALLBACK (client_closed_cb), client);
  sotto_channel_start (client->channel);

  randombytes_buf (&client->identity, sizeof client->identity);

  /* Every connection starts with the server's welcome. */
  sotto_msg_unref (sotto_test_client_expect (client, SOTTO_MSG_TYPE_WELCOME));

  return client;
}

SottoTestClient *
sotto_test_client_connect_port (guint16 port)
{
  return client_connect (port, NULL);
}

SottoTestClient *
sotto_test_client_connect (SottoTestServer *server)
{
  return client_connect (server->port, NULL);
}

/**
 * sotto_test_client_connect_from:
 * @local_ip: a loopback address, such as "127.0.0.7"
 *
 * Connects from another address, as a client on another machine would
 * seem to the server.
 */
SottoTestClient *
sotto_test_client_connect_from (SottoTestServer *server,
                                const char      *local_ip)
{
  return client_connect (server->port, local_ip);
}

void
sotto_test_client_free (SottoTestClient *client)
{
  if (client == NULL)
    return;

  g_signal_handlers_disconnect_by_data (client->channel, client);
  sotto_channel_abort (client->channel, NULL);
  g_clear_object (&client->channel);
  g_clear_object (&client->stream);
  g_queue_clear_full (&client->inbox, (GDestroyNotify) sotto_msg_unref);
  g_clear_error (&client->close_error);
  g_free (client);
}

void
sotto_test_client_send (SottoTestClient *client,
                        GBytes          *message)
{
  /* A binary message (a piece of a blob) travels in a frame of its own. */
  if (sotto_piece_is_binary (g_bytes_get_data (message, NULL), g_bytes_get_size (message)))
    g_assert_true (sotto_channel_send_bulk (client->channel, message));
  else
    g_assert_true (sotto_channel_send (client->channel, message));
}

void
sotto_test_client_send_take (SottoTestClient *client,
                             GBytes          *message)
{
  sotto_test_client_send (client, message);
  g_bytes_unref (message);
}

static gboolean
timeout_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

typedef gboolean (*Match) (SottoMsg *msg, gconstpointer data);

static SottoMsg *
take_match (SottoTestClient *client,
            Match            match,
            gconstpointer    data)
{
  for (GList *l = client->inbox.head; l != NULL; l = l->next)
    {
      if (match (l->data, data))
        {
          SottoMsg *msg = l->data;

          g_queue_delete_link (&client->inbox, l);
          return msg;
        }
    }

  return NULL;
}

static SottoMsg *
wait_match (SottoTestClient *client,
            Match            match,
            gconstpointer    data,
            const char      *what)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (EXPECT_TIMEOUT_MS, timeout_cb, &timed_out);
  SottoMsg *msg;

  while ((msg = take_match (client, match, data)) == NULL && !timed_out && !client->closed)
    g_main_context_iteration (NULL, TRUE);

  if (msg == NULL)
    msg = take_match (client, match, data);
  if (!timed_out)
    g_source_remove (id);

  if (msg == NULL)
    g_error ("Expected %s, but %s", what,
             client->closed ? "the connection closed" : "it did not come in time");

  return msg;
}

static gboolean
match_type (SottoMsg      *msg,
            gconstpointer  data)
{
  return (int) sotto_msg_get_msg_type (msg) == GPOINTER_TO_INT (data);
}

static gboolean
match_any (SottoMsg      *msg,
           gconstpointer  data)
{
  return TRUE;
}

/**
 * sotto_test_client_next:
 *
 * Returns: (transfer full): the oldest message not yet taken, whatever
 *   it is, waiting for one if none is there
 */
SottoMsg *
sotto_test_client_next (SottoTestClient *client)
{
  return wait_match (client, match_any, NULL, "a message");
}

SottoMsg *
sotto_test_client_expect (SottoTestClient *client,
                          SottoMsgType     type)
{
  return wait_match (client, match_type, GINT_TO_POINTER (type), sotto_msg_type_to_string (type));
}

static gboolean
match_id (SottoMsg      *msg,
          gconstpointer  data)
{
  return g_strcmp0 (sotto_msg_get_id (msg), data) == 0;
}

SottoMsg *
sotto_test_client_expect_reply (SottoTestClient *client,
                                const char      *id)
{
  return wait_match (client, match_id, id, id);
}

SottoMsg *
sotto_test_client_expect_error (SottoTestClient   *client,
                                const char        *id,
                                SottoMsgErrorCode  code)
{
  SottoMsg *msg = sotto_test_client_expect_reply (client, id);

  g_assert_cmpint (sotto_msg_get_msg_type (msg), ==, SOTTO_MSG_TYPE_ERROR);
  g_assert_cmpstr (sotto_msg_error_code_to_string (sotto_msg_get_error_code (msg)), ==,
                   sotto_msg_error_code_to_string (code));
  return msg;
}

void
sotto_test_client_assert_none (SottoTestClient *client,
                               SottoMsgType     type,
                               guint            milliseconds)
{
  sotto_test_iterate (milliseconds);
  g_assert_cmpuint (sotto_test_client_count (client, type), ==, 0);
}

guint
sotto_test_client_count (SottoTestClient *client,
                         SottoMsgType     type)
{
  guint n = 0;

  for (GList *l = client->inbox.head; l != NULL; l = l->next)
    if (sotto_msg_get_msg_type (l->data) == type)
      n++;

  return n;
}

void
sotto_test_client_clear (SottoTestClient *client)
{
  g_queue_clear_full (&client->inbox, (GDestroyNotify) sotto_msg_unref);
  g_queue_init (&client->inbox);
}

gboolean
sotto_test_client_is_closed (SottoTestClient *client)
{
  return client->closed;
}

void
sotto_test_client_wait_closed (SottoTestClient *client)
{
  sotto_test_wait_for (&client->closed);
}

const GError *
sotto_test_client_get_close_error (SottoTestClient *client)
{
  return client->close_error;
}

/* The connection under the channel, for writing what no channel would. */
GIOStream *
sotto_test_client_get_stream (SottoTestClient *client)
{
  return client->stream;
}

void
sotto_test_client_identity (SottoTestClient   *client,
                            SottoWireIdentity *identity)
{
  *identity = client->identity;
}

void
sotto_test_client_set_identity (SottoTestClient         *client,
                                const SottoWireIdentity *identity)
{
  client->identity = *identity;
}

char *
sotto_test_client_next_id (SottoTestClient *client)
{
  return g_strdup_printf ("r%u", ++client->next_id);
}

static SottoMsg *
account_request (SottoTestClient *client,
                 gboolean         create,
                 const char      *username,
                 const char      *password)
{
  g_autofree char *id = sotto_test_client_next_id (client);
  g_autoptr(GBytes) request = NULL;

  request = create ? sotto_msg_build_register (id, username, password, &client->identity, NULL)
                   : sotto_msg_build_login (id, username, password, &client->identity);
  sotto_test_client_send (client, request);

  return sotto_test_client_expect_reply (client, id);
}

/* Returns the reply: "session" on success, "error" otherwise. */
SottoMsg *
sotto_test_client_register (SottoTestClient *client,
                            const char      *username,
                            const char      *password)
{
  return account_request (client, TRUE, username, password);
}

SottoMsg *
sotto_test_client_login (SottoTestClient *client,
                         const char      *username,
                         const char      *password)
{
  return account_request (client, FALSE, username, password);
}

/* Sends a request made by @build from a fresh id and @arg, and waits for
 * the answer to it. */
SottoMsg *
sotto_test_client_request (SottoTestClient  *client,
                           GBytes         *(*build) (const char *id,
                                                     const char *arg),
                           const char       *arg)
{
  g_autofree char *id = sotto_test_client_next_id (client);

  sotto_test_client_send_take (client, build (id, arg));
  return sotto_test_client_expect_reply (client, id);
}

/* Ends the console's input, as when a terminal goes away. */
void
sotto_test_server_close_stdin (SottoTestServer *server)
{
  g_autoptr(GError) error = NULL;

  g_output_stream_close (server->stdin_pipe, NULL, &error);
  g_assert_no_error (error);
}
