/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sotto-channel.h"
#include "sotto-frame.h"
#include "sotto-test-util.h"
#include "sotto-wire-error.h"

/*
 * A sends through a real socket whose far end the test reads frame by
 * frame; the test then plays chosen frames, altered or not, into another
 * socket on which B receives. So every attack on the channel is a real
 * byte sequence on a real connection.
 */

typedef struct
{
  guint8        key[SOTTO_CHANNEL_KEY_SIZE];
  guint8        other_key[SOTTO_CHANNEL_KEY_SIZE];
  GIOStream    *a_stream;
  GIOStream    *a_tap;
  GIOStream    *b_stream;
  GIOStream    *b_feed;
  SottoChannel *a;
  SottoChannel *b;

  GPtrArray    *received;
  gboolean      closed;
  GError       *close_error;
} Fixture;

static void
received_cb (SottoChannel *channel,
             GBytes       *message,
             gpointer      user_data)
{
  Fixture *fixture = user_data;

  g_ptr_array_add (fixture->received, g_strndup (g_bytes_get_data (message, NULL),
                                                 g_bytes_get_size (message)));
}

static void
closed_cb (SottoChannel *channel,
           const GError *error,
           gpointer      user_data)
{
  Fixture *fixture = user_data;

  g_assert_false (fixture->closed);
  fixture->closed = TRUE;
  fixture->close_error = error != NULL ? g_error_copy (error) : NULL;
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  randombytes_buf (fixture->key, sizeof fixture->key);
  randombytes_buf (fixture->other_key, sizeof fixture->other_key);
  sotto_test_tcp_pair (&fixture->a_stream, &fixture->a_tap);
  sotto_test_tcp_pair (&fixture->b_stream, &fixture->b_feed);

  /* A's sending key is B's receiving key; the other direction is unused. */
  fixture->a = sotto_channel_new (fixture->a_stream, fixture->key, fixture->other_key);
  fixture->b = sotto_channel_new (fixture->b_stream, fixture->other_key, fixture->key);
  fixture->received = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (fixture->b, "message", G_CALLBACK (received_cb), fixture);
  g_signal_connect (fixture->b, "closed", G_CALLBACK (closed_cb), fixture);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  sotto_channel_abort (fixture->a, NULL);
  sotto_channel_abort (fixture->b, NULL);
  sotto_test_iterate (10);
  g_assert_finalize_object (fixture->a);
  g_assert_finalize_object (fixture->b);
  g_io_stream_close (fixture->a_tap, NULL, NULL);
  g_io_stream_close (fixture->b_feed, NULL, NULL);
  g_clear_object (&fixture->a_stream);
  g_clear_object (&fixture->a_tap);
  g_clear_object (&fixture->b_stream);
  g_clear_object (&fixture->b_feed);
  g_ptr_array_unref (fixture->received);
  g_clear_error (&fixture->close_error);
}

typedef struct
{
  gboolean  done;
  GBytes   *frame;
} Tapped;

static void
tapped_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Tapped *tapped = user_data;
  g_autoptr(GError) error = NULL;

  tapped->frame = sotto_frame_read_finish (G_INPUT_STREAM (object), result, &error);
  g_assert_no_error (error);
  tapped->done = TRUE;
}

/* Reads the next frame A put on the wire. */
static GBytes *
tap_frame (Fixture *fixture)
{
  Tapped tapped = { FALSE, NULL };

  sotto_frame_read_async (g_io_stream_get_input_stream (fixture->a_tap), SOTTO_FRAME_MAX_DEFAULT,
                          NULL, tapped_cb, &tapped);
  sotto_test_wait_for (&tapped.done);

  return tapped.frame;
}

/* Starts A, sends each message in its own frame and returns the frames:
 * the stream header first, then one per message. */
static GPtrArray *
capture (Fixture           *fixture,
         const char *const *messages)
{
  GPtrArray *frames = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  sotto_channel_start (fixture->a);
  g_ptr_array_add (frames, tap_frame (fixture));

  for (gsize i = 0; messages[i] != NULL; i++)
    {
      g_autoptr(GBytes) message = g_bytes_new_static (messages[i], strlen (messages[i]));

      g_assert_true (sotto_channel_send (fixture->a, message));
      g_ptr_array_add (frames, tap_frame (fixture));
    }

  return frames;
}

static void
feed (Fixture *fixture,
      GBytes  *frame)
{
  sotto_test_write_frame (fixture->b_feed, frame);
}

static void
feed_and_end (Fixture   *fixture,
              GPtrArray *frames,
              const int *order)
{
  sotto_channel_start (fixture->b);
  for (gsize i = 0; order[i] >= 0; i++)
    feed (fixture, g_ptr_array_index (frames, order[i]));
  sotto_test_shutdown_write (fixture->b_feed);
  sotto_test_wait_for (&fixture->closed);
}

static void
assert_received (Fixture           *fixture,
                 const char *const *expected)
{
  guint n = g_strv_length ((char **) expected);

  g_assert_cmpuint (fixture->received->len, ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpstr (g_ptr_array_index (fixture->received, i), ==, expected[i]);
}

static const char *const three[] = { "one", "two", "three", NULL };

/* In order, but the connection ends without a goodbye: every message
 * arrives, and the end is reported as a cut, not a clean close. */
static void
test_in_order (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GPtrArray) frames = capture (fixture, three);
  static const int order[] = { 0, 1, 2, 3, -1 };

  feed_and_end (fixture, frames, order);
  assert_received (fixture, three);
  g_assert_error (fixture->close_error, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_CLOSED);
}

static void
test_tampered (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GPtrArray) frames = capture (fixture, three);
  static const int order[] = { 0, 1, 2, 3, -1 };
  static const char *const expected[] = { "one", NULL };
  GBytes *second = g_ptr_array_index (frames, 2);
  gsize size = g_bytes_get_size (second);
  guint8 *bytes = g_memdup2 (g_bytes_get_data (second, NULL), size);

  bytes[size / 2] ^= 0x20;
  g_ptr_array_index (frames, 2) = g_bytes_new_take (bytes, size);
  g_bytes_unref (second);

  feed_and_end (fixture, frames, order);
  assert_received (fixture, expected);
  g_assert_error (fixture->close_error, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_DECRYPTION_FAILED);
}

/* Every single bit flipped anywhere in a frame is caught. */
static void
test_every_bit_flip (Fixture       *fixture,
                     gconstpointer  data)
{
  static const char *const one[] = { "a message of some length", NULL };
  g_autoptr(GPtrArray) frames = capture (fixture, one);
  GBytes *frame = g_ptr_array_index (frames, 1);
  gsize size;
  const guint8 *bytes = g_bytes_get_data (frame, &size);
  crypto_secretstream_xchacha20poly1305_state start;
  crypto_secretstream_xchacha20poly1305_state state;
  guint8 plain[256];
  unsigned char tag;

  g_assert_cmpint (crypto_secretstream_xchacha20poly1305_init_pull (
                     &start, g_bytes_get_data (g_ptr_array_index (frames, 0), NULL),
                     fixture->key), ==, 0);

  state = start;
  g_assert_cmpint (crypto_secretstream_xchacha20poly1305_pull (&state, plain, NULL, &tag,
                                                               bytes, size, NULL, 0), ==, 0);

  for (gsize i = 0; i < size * 8; i++)
    {
      g_autofree guint8 *flipped = g_memdup2 (bytes, size);

      flipped[i / 8] ^= 1u << (i % 8);
      state = start;
      g_assert_cmpint (crypto_secretstream_xchacha20poly1305_pull (&state, plain, NULL, &tag,
                                                                   flipped, size, NULL, 0),
                       !=, 0);
    }
}

static void
test_replayed (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GPtrArray) frames = capture (fixture, three);
  static const int order[] = { 0, 1, 1, -1 };
  static const char *const expected[] = { "one", NULL };

  feed_and_end (fixture, frames, order);
  assert_received (fixture, expected);
  g_assert_error (fixture->close_error, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_DECRYPTION_FAILED);
}

static void
test_reordered (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GPtrArray) frames = capture (fixture, three);
  static const int order[] = { 0, 2, 1, 3, -1 };
  static const char *const expected[] = { NULL };

  feed_and_end (fixture, frames, order);
  assert_received (fixture, expected);
  g_assert_error (fixture->close_error, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_DECRYPTION_FAILED);
}

static void
test_dropped (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GPtrArray) frames = capture (fixture, three);
  static const int order[] = { 0, 1, 3, -1 };
  static const char *const expected[] = { "one", NULL };

  feed_and_end (fixture, frames, order);
  assert_received (fixture, expected);
  g_assert_error (fixture->close_error, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_DECRYPTION_FAILED);
}

static void
test_no_header (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GPtrArray) frames = capture (fixture, three);
  static const int order[] = { 1, 2, -1 };
  static const char *const expected[] = { NULL };

  feed_and_end (fixture, frames, order);
  assert_received (fixture, expected);
  g_assert_error (fixture->close_error, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_BAD_HANDSHAKE);
}

static void
test_truncated (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GPtrArray) frames = capture (fixture, three);
  static const char *const expected[] = { "one", NULL };
  GBytes *second = g_ptr_array_index (frames, 2);
  guint8 header[SOTTO_FRAME_HEADER_SIZE];
  gsize size;
  const guint8 *bytes = g_bytes_get_data (second, &size);

  sotto_channel_start (fixture->b);
  feed (fixture, g_ptr_array_index (frames, 0));
  feed (fixture, g_ptr_array_index (frames, 1));
  sotto_frame_put_header (header, size);
  sotto_test_write_all (fixture->b_feed, header, sizeof header);
  sotto_test_write_all (fixture->b_feed, bytes, size - 3);
  sotto_test_shutdown_write (fixture->b_feed);
  sotto_test_wait_for (&fixture->closed);

  assert_received (fixture, expected);
  g_assert_error (fixture->close_error, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_CLOSED);
}

static void
test_wrong_key (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GPtrArray) frames = capture (fixture, three);
  static const int order[] = { 0, 1, -1 };
  static const char *const expected[] = { NULL };
  guint8 wrong[SOTTO_CHANNEL_KEY_SIZE];

  randombytes_buf (wrong, sizeof wrong);
  g_signal_handlers_disconnect_by_data (fixture->b, fixture);
  g_assert_finalize_object (g_steal_pointer (&fixture->b));
  fixture->b = sotto_channel_new (fixture->b_stream, wrong, wrong);
  g_signal_connect (fixture->b, "message", G_CALLBACK (received_cb), fixture);
  g_signal_connect (fixture->b, "closed", G_CALLBACK (closed_cb), fixture);

  feed_and_end (fixture, frames, order);
  assert_received (fixture, expected);
  g_assert_error (fixture->close_error, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_DECRYPTION_FAILED);
}

static void
test_oversized_frame (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GPtrArray) frames = capture (fixture, three);
  guint8 header[SOTTO_FRAME_HEADER_SIZE];

  sotto_channel_set_max_frame (fixture->b, 4096);
  sotto_channel_start (fixture->b);
  feed (fixture, g_ptr_array_index (frames, 0));
  sotto_frame_put_header (header, 4097);
  sotto_test_write_all (fixture->b_feed, header, sizeof header);
  sotto_test_wait_for (&fixture->closed);
  g_assert_error (fixture->close_error, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_FRAME_TOO_LARGE);
}

/* A and B joined directly: the normal case. */
static void
connect_directly (Fixture *fixture)
{
  g_signal_handlers_disconnect_by_data (fixture->b, fixture);
  g_assert_finalize_object (g_steal_pointer (&fixture->b));
  fixture->b = sotto_channel_new (fixture->a_tap, fixture->other_key, fixture->key);
  g_signal_connect (fixture->b, "message", G_CALLBACK (received_cb), fixture);
  g_signal_connect (fixture->b, "closed", G_CALLBACK (closed_cb), fixture);
  sotto_channel_start (fixture->a);
  sotto_channel_start (fixture->b);
}

static void
test_goodbye (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GBytes) last = g_bytes_new_static ("last words", 10);
  g_autoptr(GBytes) late = g_bytes_new_static ("too late", 8);
  static const char *const expected[] = { "last words", NULL };

  connect_directly (fixture);
  g_assert_true (sotto_channel_send (fixture->a, last));
  sotto_channel_close (fixture->a);
  g_assert_false (sotto_channel_is_open (fixture->a));
  g_assert_false (sotto_channel_send (fixture->a, late));

  sotto_test_wait_for (&fixture->closed);
  assert_received (fixture, expected);
  g_assert_no_error (fixture->close_error);
}

/* Decrypts frames tapped from A, as B would. */
static char *
open_frame (crypto_secretstream_xchacha20poly1305_state *state,
            GBytes                                      *frame)
{
  gsize size;
  const guint8 *bytes = g_bytes_get_data (frame, &size);
  g_autofree char *plain = g_malloc0 (size + 1);
  unsigned char tag;

  g_assert_cmpint (crypto_secretstream_xchacha20poly1305_pull (state, (guint8 *) plain, NULL,
                                                               &tag, bytes, size, NULL, 0),
                   ==, 0);
  return g_steal_pointer (&plain);
}

static GBytes *
numbered_message (guint  i,
                  gsize  padding)
{
  GString *text = g_string_new (NULL);

  g_string_printf (text, "message %u ", i);
  for (gsize j = 0; j < padding; j++)
    g_string_append_c (text, 'x');

  return g_string_free_to_bytes (text);
}

static void
test_batching (Fixture       *fixture,
               gconstpointer  data)
{
  crypto_secretstream_xchacha20poly1305_state state;
  g_autoptr(GBytes) header = NULL;
  g_autoptr(GBytes) frame = NULL;
  g_autofree char *plain = NULL;
  g_auto(GStrv) lines = NULL;

  sotto_channel_start (fixture->a);
  header = tap_frame (fixture);
  g_assert_cmpint (crypto_secretstream_xchacha20poly1305_init_pull (
                     &state, g_bytes_get_data (header, NULL), fixture->key), ==, 0);

  /* Everything sent in one turn of the loop goes out as one frame. */
  for (guint i = 0; i < 100; i++)
    {
      g_autoptr(GBytes) message = numbered_message (i, 0);

      g_assert_true (sotto_channel_send (fixture->a, message));
    }
  g_assert_cmpuint (sotto_channel_get_queued_bytes (fixture->a), >, 0);

  frame = tap_frame (fixture);
  plain = open_frame (&state, frame);
  lines = g_strsplit (plain, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 100);
  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *want = g_strdup_printf ("message %u ", i);

      g_assert_cmpstr (lines[i], ==, want);
    }
  g_assert_cmpuint (sotto_channel_get_queued_bytes (fixture->a), ==, 0);
}

/* A batch larger than a frame is split, never over the limit, in order. */
static void
test_batch_split (Fixture       *fixture,
                  gconstpointer  data)
{
  static const gsize max_frame = 1024;
  guint next = 0;

  sotto_channel_set_max_frame (fixture->a, max_frame);
  sotto_channel_set_max_frame (fixture->b, max_frame);
  connect_directly (fixture);

  g_assert_cmpuint (sotto_channel_get_max_message_size (fixture->a), ==,
                    max_frame - SOTTO_CHANNEL_FRAME_OVERHEAD);
  for (guint i = 0; i < 50; i++)
    {
      g_autoptr(GBytes) message = numbered_message (i, 300);

      g_assert_true (sotto_channel_send (fixture->a, message));
    }
  {
    g_autoptr(GBytes) message = numbered_message (50, max_frame - SOTTO_CHANNEL_FRAME_OVERHEAD - 11);

    g_assert_cmpuint (g_bytes_get_size (message), ==, max_frame - SOTTO_CHANNEL_FRAME_OVERHEAD);
    g_assert_true (sotto_channel_send (fixture->a, message));
  }

  while (fixture->received->len < 51 && !fixture->closed)
    g_main_context_iteration (NULL, TRUE);

  g_assert_false (fixture->closed);
  for (; next < 51; next++)
    {
      g_autofree char *prefix = g_strdup_printf ("message %u x", next);

      g_assert_true (g_str_has_prefix (g_ptr_array_index (fixture->received, next), prefix));
    }
}

/* A peer that never reads fills the socket, then the queue, and is cut
 * off instead of making the sender's memory grow. */
static void
test_overflow (Fixture       *fixture,
               gconstpointer  data)
{
  Fixture a_side = { 0 };
  guint sent = 0;

  sotto_channel_set_max_queue (fixture->a, 256 * 1024);
  g_signal_connect (fixture->a, "closed", G_CALLBACK (closed_cb), &a_side);
  sotto_channel_start (fixture->a);

  while (sent < 10000)
    {
      g_autoptr(GBytes) message = numbered_message (sent, 16 * 1024);

      if (!sotto_channel_send (fixture->a, message))
        break;
      sent++;
      while (g_main_context_iteration (NULL, FALSE))
        ;
    }

  g_assert_cmpuint (sent, <, 10000);
  g_assert_false (sotto_channel_is_open (fixture->a));
  g_assert_cmpuint (sotto_channel_get_queued_bytes (fixture->a), ==, 0);
  g_assert_true (a_side.closed);
  g_assert_error (a_side.close_error, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_OVERFLOW);
  g_signal_handlers_disconnect_by_data (fixture->a, &a_side);
  g_clear_error (&a_side.close_error);
}

/* A bulk message of @size bytes, numbered. */
static GBytes *
bulk_message (guint i,
              gsize size)
{
  GBytes *message = numbered_message (i, 0);
  gsize length = g_bytes_get_size (message);
  guint8 *data = g_malloc (size);

  g_assert_cmpuint (length, <, size);
  memcpy (data, g_bytes_get_data (message, NULL), length);
  memset (data + length, 'b', size - length);
  g_bytes_unref (message);
  return g_bytes_new_take (data, size);
}

/* Opens the next frame A wrote, and returns its messages. */
static GStrv
tap_messages (Fixture                                     *fixture,
              crypto_secretstream_xchacha20poly1305_state *state)
{
  g_autoptr(GBytes) frame = tap_frame (fixture);
  g_autofree char *plain = open_frame (state, frame);

  return g_strsplit (plain, "\n", -1);
}

static void
start_tapped (Fixture                                     *fixture,
              crypto_secretstream_xchacha20poly1305_state *state)
{
  g_autoptr(GBytes) header = NULL;

  sotto_channel_start (fixture->a);
  header = tap_frame (fixture);
  g_assert_cmpint (crypto_secretstream_xchacha20poly1305_init_pull (
                     state, g_bytes_get_data (header, NULL), fixture->key), ==, 0);
}

/* Bulk messages queued before an ordinary one, in the same turn of the
 * loop: the ordinary one goes first, then each bulk one in a frame of its
 * own, in the order they were queued. */
static void
test_lanes_overtake (Fixture       *fixture,
                     gconstpointer  data)
{
  crypto_secretstream_xchacha20poly1305_state state;
  g_autoptr(GBytes) chat = g_bytes_new_static ("chat", 4);

  start_tapped (fixture, &state);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(GBytes) piece = bulk_message (i, 1000);

      g_assert_true (sotto_channel_send_bulk (fixture->a, piece));
    }
  g_assert_true (sotto_channel_send (fixture->a, chat));
  g_assert_cmpuint (sotto_channel_get_queued_bytes (fixture->a), ==, 3004);

  {
    g_auto(GStrv) first = tap_messages (fixture, &state);

    g_assert_cmpuint (g_strv_length (first), ==, 1);
    g_assert_cmpstr (first[0], ==, "chat");
  }
  for (guint i = 0; i < 3; i++)
    {
      g_auto(GStrv) lines = tap_messages (fixture, &state);
      g_autofree char *prefix = g_strdup_printf ("message %u b", i);

      g_assert_cmpuint (g_strv_length (lines), ==, 1);
      g_assert_cmpuint (strlen (lines[0]), ==, 1000);
      g_assert_true (g_str_has_prefix (lines[0], prefix));
    }
  g_assert_cmpuint (sotto_channel_get_queued_bytes (fixture->a), ==, 0);
}

/* A peer that does not read yet while pieces are queued: the socket
 * fills with the first of them, and a message queued then goes right
 * after the pieces already written, before every piece still queued;
 * and the kernel holds only a few pieces ahead of it. */
static void
test_lanes_full_socket (Fixture       *fixture,
                        gconstpointer  data)
{
  static const guint n_pieces = 24;
  static const gsize piece_size = 256 * 1024;
  crypto_secretstream_xchacha20poly1305_state state;
  g_autoptr(GBytes) chat = g_bytes_new_static ("chat", 4);
  guint written;
  guint position = 0;

  start_tapped (fixture, &state);
  for (guint i = 0; i < n_pieces; i++)
    {
      g_autoptr(GBytes) piece = bulk_message (i, piece_size);

      g_assert_true (sotto_channel_send_bulk (fixture->a, piece));
    }
  /* A writes until the socket is full, and waits. */
  sotto_test_iterate (100);

  /* The pieces the socket took whole, and the one it took in part (still
   * counted as queued): those are ahead of the chat, nothing else. */
  g_assert_cmpuint (sotto_channel_get_queued_bytes (fixture->a) % piece_size, ==, 0);
  written = n_pieces - sotto_channel_get_queued_bytes (fixture->a) / piece_size;
  g_assert_cmpuint (written, <=, 8);
  g_assert_true (sotto_channel_send (fixture->a, chat));

  for (guint i = 0, next_piece = 0; i <= n_pieces; i++)
    {
      g_auto(GStrv) lines = tap_messages (fixture, &state);

      g_assert_cmpuint (g_strv_length (lines), ==, 1);
      if (g_str_equal (lines[0], "chat"))
        position = i;
      else
        {
          g_autofree char *prefix = g_strdup_printf ("message %u b", next_piece++);

          g_assert_true (g_str_has_prefix (lines[0], prefix));
        }
    }
  g_assert_cmpuint (position, ==, written + 1);
}

/* A goodbye waits for the bulk lane too: everything queued arrives, the
 * ordinary message first, then the goodbye. */
static void
test_lanes_goodbye (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GBytes) piece = g_bytes_new_static ("piece", 5);
  g_autoptr(GBytes) last = g_bytes_new_static ("last words", 10);
  static const char *const expected[] = { "last words", "piece", NULL };

  connect_directly (fixture);
  g_assert_true (sotto_channel_send_bulk (fixture->a, piece));
  g_assert_true (sotto_channel_send (fixture->a, last));
  sotto_channel_close (fixture->a);
  g_assert_false (sotto_channel_send_bulk (fixture->a, piece));

  sotto_test_wait_for (&fixture->closed);
  assert_received (fixture, expected);
  g_assert_no_error (fixture->close_error);
}

/* Holding receiving, as a server does while a request waits on its
 * store: B holds at the message given, over a socket or (data non-NULL)
 * over a plain stream read frame by frame. */
typedef struct
{
  Fixture *fixture;
  guint    hold_at;
  guint    holds;
  gboolean release_inline;
} Holder;

static void
hold_cb (SottoChannel *channel,
         GBytes       *message,
         gpointer      user_data)
{
  Holder *holder = user_data;

  if (holder->release_inline)
    {
      sotto_channel_hold_receiving (channel);
      sotto_channel_release_receiving (channel);
      return;
    }

  if (holder->fixture->received->len == holder->hold_at + 1)
    for (guint i = 0; i < holder->holds; i++)
      sotto_channel_hold_receiving (channel);
}

static void
connect_holding (Fixture  *fixture,
                 gboolean  over_stream,
                 Holder   *holder)
{
  g_signal_handlers_disconnect_by_data (fixture->b, fixture);
  g_assert_finalize_object (g_steal_pointer (&fixture->b));
  if (over_stream)
    {
      g_autoptr(GIOStream) plain = g_simple_io_stream_new (g_io_stream_get_input_stream (fixture->a_tap),
                                                           g_io_stream_get_output_stream (fixture->a_tap));

      fixture->b = sotto_channel_new (plain, fixture->other_key, fixture->key);
    }
  else
    fixture->b = sotto_channel_new (fixture->a_tap, fixture->other_key, fixture->key);
  g_signal_connect (fixture->b, "message", G_CALLBACK (received_cb), fixture);
  g_signal_connect (fixture->b, "message", G_CALLBACK (hold_cb), holder);
  g_signal_connect (fixture->b, "closed", G_CALLBACK (closed_cb), fixture);
  sotto_channel_start (fixture->a);
  sotto_channel_start (fixture->b);
}

static void
send_numbered (Fixture *fixture,
               guint    from,
               guint    to)
{
  for (guint i = from; i < to; i++)
    {
      g_autoptr(GBytes) message = numbered_message (i, 0);

      g_assert_true (sotto_channel_send (fixture->a, message));
    }
}

static void
assert_numbered (Fixture *fixture,
                 guint    n)
{
  g_assert_cmpuint (fixture->received->len, ==, n);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *want = g_strdup_printf ("message %u ", i);

      g_assert_cmpstr (g_ptr_array_index (fixture->received, i), ==, want);
    }
}

static gboolean
received_at_least (gpointer user_data)
{
  Fixture *fixture = ((gpointer *) user_data)[0];
  guint n = GPOINTER_TO_UINT (((gpointer *) user_data)[1]);

  return fixture->received->len >= n;
}

static void
wait_received (Fixture *fixture,
               guint    n)
{
  gpointer data[2] = { fixture, GUINT_TO_POINTER (n) };

  g_assert_true (sotto_test_wait_until (received_at_least, data, 10));
}

/* Held in the middle of a batch: the rest of the batch and every later
 * frame wait, and come in order once released. */
static void
test_hold (Fixture       *fixture,
           gconstpointer  data)
{
  Holder holder = { fixture, 2, 1, FALSE };

  connect_holding (fixture, data != NULL, &holder);

  /* Ten messages in one write, a few to a frame: B holds at the third,
   * in the first frame, with the other frames read with it. */
  sotto_channel_set_max_frame (fixture->a, 64);
  send_numbered (fixture, 0, 10);
  wait_received (fixture, 3);
  sotto_test_iterate (50);
  assert_numbered (fixture, 3);

  /* Ten frames more, one a turn, while held: none is handed on. */
  for (guint i = 10; i < 20; i++)
    {
      send_numbered (fixture, i, i + 1);
      sotto_test_iterate (5);
    }
  sotto_test_iterate (50);
  assert_numbered (fixture, 3);

  /* The release hands nothing on inside the call; then all, in order. */
  sotto_channel_release_receiving (fixture->b);
  assert_numbered (fixture, 3);
  wait_received (fixture, 20);
  sotto_test_iterate (20);
  assert_numbered (fixture, 20);

  /* Receiving goes on as before. */
  send_numbered (fixture, 20, 30);
  wait_received (fixture, 30);
  assert_numbered (fixture, 30);
  g_assert_false (fixture->closed);
}

/* Held and released inside the handler, at every message: nothing is
 * reordered or lost. */
static void
test_hold_inline (Fixture       *fixture,
                  gconstpointer  data)
{
  Holder holder = { fixture, 0, 0, TRUE };

  connect_holding (fixture, data != NULL, &holder);
  for (guint i = 0; i < 500; i += 50)
    {
      send_numbered (fixture, i, i + 50);
      sotto_test_iterate (2);
    }
  wait_received (fixture, 500);
  sotto_test_iterate (20);
  assert_numbered (fixture, 500);
}

/* Held, nothing more is read: a peer that goes on sending fills the
 * socket and then its own queue, and everything comes once released. */
static void
test_hold_back_pressure (Fixture       *fixture,
                         gconstpointer  data)
{
  Holder holder = { fixture, 0, 1, FALSE };
  const guint n = 12 * 1024;

  connect_holding (fixture, data != NULL, &holder);
  sotto_channel_set_max_queue (fixture->a, 64 * 1024 * 1024);
  send_numbered (fixture, 0, 1);
  wait_received (fixture, 1);

  for (guint i = 1; i < n; i++)
    {
      g_autoptr(GBytes) message = numbered_message (i, 1000);

      g_assert_true (sotto_channel_send (fixture->a, message));
    }
  sotto_test_iterate (300);
  g_assert_cmpuint (fixture->received->len, ==, 1);
  g_assert_cmpuint (sotto_channel_get_queued_bytes (fixture->a), >, 0);

  sotto_channel_release_receiving (fixture->b);
  wait_received (fixture, n);
  g_assert_cmpuint (fixture->received->len, ==, n);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *want = g_strdup_printf ("message %u ", i);

      g_assert_true (g_str_has_prefix (g_ptr_array_index (fixture->received, i), want));
    }
  g_assert_cmpuint (sotto_channel_get_queued_bytes (fixture->a), ==, 0);
}

/* A message sent while held (the server's answer to what it waits on)
 * leaves receiving as it was: after the release, what comes is taken. */
static void
test_hold_while_sending (Fixture       *fixture,
                         gconstpointer  data)
{
  Holder holder = { fixture, 0, 1, FALSE };
  g_autoptr(GBytes) answer = g_bytes_new_static ("answer", 6);

  connect_holding (fixture, data != NULL, &holder);
  send_numbered (fixture, 0, 1);
  wait_received (fixture, 1);

  g_assert_true (sotto_channel_send (fixture->b, answer));
  sotto_test_iterate (50);
  g_assert_cmpuint (sotto_channel_get_queued_bytes (fixture->b), ==, 0);

  sotto_channel_release_receiving (fixture->b);
  sotto_test_iterate (20);
  send_numbered (fixture, 1, 4);
  wait_received (fixture, 4);
  assert_numbered (fixture, 4);
}

/* Two holds need two releases; a goodbye sent meanwhile is seen only
 * after the messages before it. */
static void
test_hold_goodbye (Fixture       *fixture,
                   gconstpointer  data)
{
  Holder holder = { fixture, 0, 2, FALSE };

  connect_holding (fixture, data != NULL, &holder);
  send_numbered (fixture, 0, 1);
  wait_received (fixture, 1);
  send_numbered (fixture, 1, 5);
  sotto_test_iterate (10);
  sotto_channel_close (fixture->a);
  sotto_test_iterate (50);
  assert_numbered (fixture, 1);
  g_assert_false (fixture->closed);

  sotto_channel_release_receiving (fixture->b);
  sotto_test_iterate (50);
  assert_numbered (fixture, 1);
  g_assert_false (fixture->closed);

  sotto_channel_release_receiving (fixture->b);
  sotto_test_wait_for (&fixture->closed);
  assert_numbered (fixture, 5);
  g_assert_no_error (fixture->close_error);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (sodium_init (), >=, 0);

#define ADD(path, func) \
  g_test_add ("/sotto/wire/channel/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("in-order", test_in_order);
  ADD ("tampered", test_tampered);
  ADD ("every-bit-flip", test_every_bit_flip);
  ADD ("replayed", test_replayed);
  ADD ("reordered", test_reordered);
  ADD ("dropped", test_dropped);
  ADD ("no-header", test_no_header);
  ADD ("truncated", test_truncated);
  ADD ("wrong-key", test_wrong_key);
  ADD ("oversized-frame", test_oversized_frame);
  ADD ("goodbye", test_goodbye);
  ADD ("batching", test_batching);
  ADD ("batch-split", test_batch_split);
  ADD ("overflow", test_overflow);
  ADD ("lanes/overtake", test_lanes_overtake);
  ADD ("lanes/full-socket", test_lanes_full_socket);
  ADD ("lanes/goodbye", test_lanes_goodbye);
#undef ADD
#define ADD_BOTH(path, func) \
  g_test_add ("/sotto/wire/channel/" path "/socket", Fixture, NULL, fixture_setup, func, \
              fixture_teardown); \
  g_test_add ("/sotto/wire/channel/" path "/stream", Fixture, "stream", fixture_setup, func, \
              fixture_teardown)
  ADD_BOTH ("hold", test_hold);
  ADD_BOTH ("hold-inline", test_hold_inline);
  ADD_BOTH ("hold-goodbye", test_hold_goodbye);
  ADD_BOTH ("hold-back-pressure", test_hold_back_pressure);
  ADD_BOTH ("hold-while-sending", test_hold_while_sending);
#undef ADD_BOTH

  return g_test_run ();
}
