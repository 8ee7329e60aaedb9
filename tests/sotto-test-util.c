/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sotto-frame.h"
#include "sotto-test-util.h"

/* The longest any test waits for something before failing. */
#define WAIT_TIMEOUT_MS 10000

typedef struct
{
  GSocketConnection *connection;
  gboolean           done;
} Accepted;

static void
accepted_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Accepted *accepted = user_data;
  g_autoptr(GError) error = NULL;

  accepted->connection = g_socket_listener_accept_finish (G_SOCKET_LISTENER (object), result,
                                                          NULL, &error);
  g_assert_no_error (error);
  accepted->done = TRUE;
}

/**
 * sotto_test_tcp_pair:
 *
 * Makes a real TCP connection over 127.0.0.1, on a port the kernel chose.
 */
void
sotto_test_tcp_pair (GIOStream **server,
                     GIOStream **client)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any_port = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GSocketClient) socket_client = g_socket_client_new ();
  g_autoptr(GError) error = NULL;
  Accepted accepted = { NULL, FALSE };
  GSocketConnection *connection;

  g_socket_listener_add_address (listener, any_port, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error);
  g_assert_no_error (error);

  g_socket_listener_accept_async (listener, NULL, accepted_cb, &accepted);
  connection = g_socket_client_connect (socket_client, G_SOCKET_CONNECTABLE (bound), NULL, &error);
  g_assert_no_error (error);
  sotto_test_wait_for (&accepted.done);

  *server = G_IO_STREAM (accepted.connection);
  *client = G_IO_STREAM (connection);
  g_socket_listener_close (listener);
}

static gboolean
timeout_cb (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

void
sotto_test_wait_for (gboolean *flag)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (WAIT_TIMEOUT_MS, timeout_cb, &timed_out);

  while (!*flag && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  if (!timed_out)
    g_source_remove (id);
  g_assert_false (timed_out);
}

static gboolean
wake_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/**
 * sotto_test_wait_until:
 *
 * Runs the main loop until @condition holds, asked at least every 50 ms.
 *
 * Returns: whether it held within @seconds
 */
gboolean
sotto_test_wait_until (SottoTestCondition condition,
                       gpointer           data,
                       guint              seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;
  guint wake = g_timeout_add (50, wake_cb, NULL);
  gboolean held;

  while (!(held = condition (data)) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);
  return held;
}

/* Runs the main loop for a while, to show that something does not happen. */
void
sotto_test_iterate (guint milliseconds)
{
  gboolean done = FALSE;

  g_timeout_add (milliseconds, timeout_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

void
sotto_test_write_all (GIOStream  *stream,
                      const void *data,
                      gsize       length)
{
  g_autoptr(GError) error = NULL;

  g_output_stream_write_all (g_io_stream_get_output_stream (stream), data, length,
                             NULL, NULL, &error);
  g_assert_no_error (error);
}

void
sotto_test_write_frame (GIOStream *stream,
                        GBytes    *payload)
{
  guint8 header[SOTTO_FRAME_HEADER_SIZE];
  gsize size;
  const void *data = g_bytes_get_data (payload, &size);

  sotto_frame_put_header (header, size);
  sotto_test_write_all (stream, header, sizeof header);
  sotto_test_write_all (stream, data, size);
}

/* Ends the write side so the peer reads end of stream. */
void
sotto_test_shutdown_write (GIOStream *stream)
{
  GSocket *socket = g_socket_connection_get_socket (G_SOCKET_CONNECTION (stream));
  g_autoptr(GError) error = NULL;

  g_socket_shutdown (socket, FALSE, TRUE, &error);
  g_assert_no_error (error);
}

/* Whether the file at @path holds @length bytes of @needle anywhere. */
gboolean
sotto_test_file_contains (const char   *path,
                          const guint8 *needle,
                          gsize         length)
{
  g_autofree char *contents = NULL;
  gsize size = 0;

  if (!g_file_get_contents (path, &contents, &size, NULL))
    return FALSE;

  return size >= length && memmem (contents, size, needle, length) != NULL;
}

/* The same, for every file below @path. */
gboolean
sotto_test_tree_contains (const char   *path,
                          const guint8 *needle,
                          gsize         length)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    return sotto_test_file_contains (path, needle, length);

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (sotto_test_tree_contains (child, needle, length))
        return TRUE;
    }

  return FALSE;
}

/**
 * sotto_test_dir_has_suffix:
 *
 * Returns: whether a file in @dir (not below) has a name ending in @suffix
 */
gboolean
sotto_test_dir_has_suffix (const char *dir,
                           const char *suffix)
{
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;

  g_assert_nonnull (listing);
  while ((name = g_dir_read_name (listing)) != NULL)
    if (g_str_has_suffix (name, suffix))
      return TRUE;
  return FALSE;
}
