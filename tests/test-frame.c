/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sotto-frame.h"
#include "sotto-test-util.h"
#include "sotto-wire-error.h"

typedef struct
{
  GIOStream *reader;
  GIOStream *writer;
} Fixture;

typedef struct
{
  gboolean  done;
  GBytes   *frame;
  GError   *error;
} ReadResult;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  sotto_test_tcp_pair (&fixture->reader, &fixture->writer);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_io_stream_close (fixture->reader, NULL, NULL);
  g_io_stream_close (fixture->writer, NULL, NULL);
  g_assert_finalize_object (fixture->reader);
  g_assert_finalize_object (fixture->writer);
}

static void
read_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  ReadResult *read = user_data;

  read->frame = sotto_frame_read_finish (G_INPUT_STREAM (object), result, &read->error);
  read->done = TRUE;
}

static ReadResult
read_one (Fixture *fixture,
          gsize    max_length)
{
  ReadResult read = { FALSE, NULL, NULL };

  sotto_frame_read_async (g_io_stream_get_input_stream (fixture->reader), max_length,
                          NULL, read_cb, &read);
  sotto_test_wait_for (&read.done);

  return read;
}

static void
read_result_clear (ReadResult *read)
{
  g_clear_pointer (&read->frame, g_bytes_unref);
  g_clear_error (&read->error);
}

static void
write_header (Fixture *fixture,
              guint32  length)
{
  guint8 header[SOTTO_FRAME_HEADER_SIZE];

  sotto_frame_put_header (header, length);
  sotto_test_write_all (fixture->writer, header, sizeof header);
}

static void
test_header_encoding (void)
{
  guint8 header[SOTTO_FRAME_HEADER_SIZE];

  sotto_frame_put_header (header, 0x01020304);
  g_assert_cmpmem (header, 4, "\x01\x02\x03\x04", 4);
  g_assert_cmpuint (sotto_frame_get_header (header), ==, 0x01020304);

  sotto_frame_put_header (header, G_MAXUINT32);
  g_assert_cmpuint (sotto_frame_get_header (header), ==, G_MAXUINT32);
}

typedef struct
{
  gboolean done;
  gboolean ok;
} WriteResult;

static void
write_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  WriteResult *write = user_data;
  g_autoptr(GError) error = NULL;

  write->ok = sotto_frame_write_finish (G_OUTPUT_STREAM (object), result, &error);
  g_assert_no_error (error);
  write->done = TRUE;
}

static void
test_round_trip (Fixture       *fixture,
                 gconstpointer  data)
{
  static const char *payloads[] = { "a", "hello, frame", "third" };

  for (gsize i = 0; i < G_N_ELEMENTS (payloads); i++)
    {
      g_autoptr(GBytes) payload = g_bytes_new_static (payloads[i], strlen (payloads[i]));
      WriteResult write = { FALSE, FALSE };

      sotto_frame_write_async (g_io_stream_get_output_stream (fixture->writer), payload,
                               NULL, write_cb, &write);
      sotto_test_wait_for (&write.done);
      g_assert_true (write.ok);
    }

  for (gsize i = 0; i < G_N_ELEMENTS (payloads); i++)
    {
      ReadResult read = read_one (fixture, 64);

      g_assert_no_error (read.error);
      g_assert_cmpmem (g_bytes_get_data (read.frame, NULL), g_bytes_get_size (read.frame),
                       payloads[i], strlen (payloads[i]));
      read_result_clear (&read);
    }
}

static void
test_zero_length (Fixture       *fixture,
                  gconstpointer  data)
{
  ReadResult read;

  write_header (fixture, 0);
  read = read_one (fixture, 64);
  g_assert_error (read.error, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_FRAME_TOO_LARGE);
  g_assert_null (read.frame);
  read_result_clear (&read);
}

static void
test_at_limit (Fixture       *fixture,
               gconstpointer  data)
{
  g_autofree guint8 *payload = g_malloc (1000);
  ReadResult read;

  memset (payload, 'x', 1000);
  write_header (fixture, 1000);
  sotto_test_write_all (fixture->writer, payload, 1000);

  read = read_one (fixture, 1000);
  g_assert_no_error (read.error);
  g_assert_cmpuint (g_bytes_get_size (read.frame), ==, 1000);
  read_result_clear (&read);
}

static void
test_over_limit (Fixture       *fixture,
                 gconstpointer  data)
{
  ReadResult read;

  write_header (fixture, 1001);
  read = read_one (fixture, 1000);
  g_assert_error (read.error, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_FRAME_TOO_LARGE);
  read_result_clear (&read);
}

/* A 4 GiB length must be refused before anything is allocated: were it
 * not, the read would try to allocate and wait for 4 GiB. */
static void
test_huge_length (Fixture       *fixture,
                  gconstpointer  data)
{
  ReadResult read;

  write_header (fixture, G_MAXUINT32);
  read = read_one (fixture, SOTTO_FRAME_MAX_DEFAULT);
  g_assert_error (read.error, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_FRAME_TOO_LARGE);
  read_result_clear (&read);
}

static void
test_split_reads (Fixture       *fixture,
                  gconstpointer  data)
{
  static const guint8 frame[] = { 0, 0, 0, 5, 'h', 'e', 'l', 'l', 'o' };
  ReadResult read = { FALSE, NULL, NULL };

  sotto_frame_read_async (g_io_stream_get_input_stream (fixture->reader), 64,
                          NULL, read_cb, &read);

  /* One byte at a time, with the loop running in between. */
  for (gsize i = 0; i < sizeof frame; i++)
    {
      g_assert_false (read.done);
      sotto_test_write_all (fixture->writer, frame + i, 1);
      sotto_test_iterate (5);
    }

  sotto_test_wait_for (&read.done);
  g_assert_no_error (read.error);
  g_assert_cmpmem (g_bytes_get_data (read.frame, NULL), g_bytes_get_size (read.frame), "hello", 5);
  read_result_clear (&read);
}

static void
test_clean_end (Fixture       *fixture,
                gconstpointer  data)
{
  ReadResult read;

  sotto_test_shutdown_write (fixture->writer);
  read = read_one (fixture, 64);
  g_assert_error (read.error, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_CLOSED);
  read_result_clear (&read);
}

static void
test_truncated_header (Fixture       *fixture,
                       gconstpointer  data)
{
  ReadResult read;

  sotto_test_write_all (fixture->writer, "\0\0", 2);
  sotto_test_shutdown_write (fixture->writer);
  read = read_one (fixture, 64);
  g_assert_error (read.error, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_CLOSED);
  read_result_clear (&read);
}

static void
test_truncated_payload (Fixture       *fixture,
                        gconstpointer  data)
{
  ReadResult read;

  write_header (fixture, 10);
  sotto_test_write_all (fixture->writer, "12345", 5);
  sotto_test_shutdown_write (fixture->writer);
  read = read_one (fixture, 64);
  g_assert_error (read.error, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_CLOSED);
  g_assert_null (read.frame);
  read_result_clear (&read);
}

static void
cancelled_read_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  ReadResult *read = user_data;

  read->frame = sotto_frame_read_finish (G_INPUT_STREAM (object), result, &read->error);
  read->done = TRUE;
}

static void
test_cancel (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  ReadResult read = { FALSE, NULL, NULL };

  sotto_frame_read_async (g_io_stream_get_input_stream (fixture->reader), 64,
                          cancellable, cancelled_read_cb, &read);
  sotto_test_iterate (10);
  g_assert_false (read.done);
  g_cancellable_cancel (cancellable);
  sotto_test_wait_for (&read.done);
  g_assert_error (read.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  read_result_clear (&read);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sotto/wire/frame/header-encoding", test_header_encoding);
#define ADD(path, func) \
  g_test_add ("/sotto/wire/frame/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("round-trip", test_round_trip);
  ADD ("zero-length", test_zero_length);
  ADD ("at-limit", test_at_limit);
  ADD ("over-limit", test_over_limit);
  ADD ("huge-length", test_huge_length);
  ADD ("split-reads", test_split_reads);
  ADD ("clean-end", test_clean_end);
  ADD ("truncated-header", test_truncated_header);
  ADD ("truncated-payload", test_truncated_payload);
  ADD ("cancel", test_cancel);
#undef ADD

  return g_test_run ();
}
