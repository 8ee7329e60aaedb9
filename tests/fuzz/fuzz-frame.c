/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gio/gio.h>

#include "sotto-channel.h"
#include "sotto-frame.h"

/*
 * Feeds arbitrary bytes to the frame reader, then to a channel reading
 * from a stream of those bytes: neither may crash, leak or hang.
 */

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

typedef struct
{
  gboolean  done;
  GBytes   *frame;
} ReadResult;

static void
read_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  ReadResult *read = user_data;

  read->frame = sotto_frame_read_finish (G_INPUT_STREAM (object), result, NULL);
  read->done = TRUE;
}

static void
fuzz_frames (const guint8 *data,
             size_t        size)
{
  g_autoptr(GInputStream) input = g_memory_input_stream_new_from_data (data, size, NULL);

  for (;;)
    {
      ReadResult read = { FALSE, NULL };

      sotto_frame_read_async (input, 4096, NULL, read_cb, &read);
      while (!read.done)
        g_main_context_iteration (NULL, TRUE);

      if (read.frame == NULL)
        break;
      g_bytes_unref (read.frame);
    }
}

static void
closed_cb (SottoChannel *channel,
           const GError *error,
           gpointer      user_data)
{
  *(gboolean *) user_data = TRUE;
}

static void
fuzz_channel (const guint8 *data,
              size_t        size)
{
  static const guint8 key[SOTTO_CHANNEL_KEY_SIZE] = { 1, 2, 3 };
  g_autoptr(GInputStream) input = g_memory_input_stream_new_from_data (data, size, NULL);
  g_autoptr(GOutputStream) output = g_memory_output_stream_new_resizable ();
  g_autoptr(GIOStream) stream = g_simple_io_stream_new (input, output);
  g_autoptr(SottoChannel) channel = sotto_channel_new (stream, key, key);
  gboolean closed = FALSE;

  sotto_channel_set_max_frame (channel, 4096);
  g_signal_connect (channel, "closed", G_CALLBACK (closed_cb), &closed);
  sotto_channel_start (channel);
  while (!closed)
    g_main_context_iteration (NULL, TRUE);

  /* Let the stream close that the channel started. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  static gboolean initialized;

  if (!initialized)
    {
      if (sodium_init () < 0)
        return -1;
      initialized = TRUE;
    }

  fuzz_frames (data, size);
  fuzz_channel (data, size);

  return 0;
}
