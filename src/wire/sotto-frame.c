/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "sotto-frame.h"
#include "sotto-wire-error.h"

typedef struct
{
  guint8  header[SOTTO_FRAME_HEADER_SIZE];
  gsize   max_length;
  guint8 *payload;
  gsize   payload_length;
} FrameRead;

static void
frame_read_free (gpointer data)
{
  FrameRead *state = data;

  g_free (state->payload);
  g_free (state);
}

gboolean
sotto_frame_check_length (guint32   length,
                          gsize     max_length,
                          GError  **error)
{
  if (length == 0)
    {
      g_set_error (error, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_FRAME_TOO_LARGE,
                   _("The peer sent an empty frame"));
      return FALSE;
    }

  if (length > max_length)
    {
      g_autofree char *limit = g_strdup_printf ("%" G_GSIZE_FORMAT, max_length);

      g_set_error (error, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_FRAME_TOO_LARGE,
                   _("The peer sent a frame of %u bytes, over the limit of %s"), length, limit);
      return FALSE;
    }

  return TRUE;
}

void
sotto_frame_put_header (guint8  *header,
                        guint32  length)
{
  header[0] = (length >> 24) & 0xff;
  header[1] = (length >> 16) & 0xff;
  header[2] = (length >> 8) & 0xff;
  header[3] = length & 0xff;
}

guint32
sotto_frame_get_header (const guint8 *header)
{
  return ((guint32) header[0] << 24) | ((guint32) header[1] << 16) |
         ((guint32) header[2] << 8) | (guint32) header[3];
}

static void
payload_read_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  FrameRead *state = g_task_get_task_data (task);
  GError *error = NULL;
  gsize n_read = 0;

  if (!g_input_stream_read_all_finish (G_INPUT_STREAM (object), result, &n_read, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  if (n_read < state->payload_length)
    {
      g_task_return_new_error (task, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_CLOSED,
                               _("The connection was cut in the middle of a frame"));
      return;
    }

  g_task_return_pointer (task,
                         g_bytes_new_take (g_steal_pointer (&state->payload),
                                           state->payload_length),
                         (GDestroyNotify) g_bytes_unref);
}

static void
header_read_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  FrameRead *state = g_task_get_task_data (task);
  GInputStream *stream = G_INPUT_STREAM (object);
  GCancellable *cancellable;
  GError *error = NULL;
  gsize n_read = 0;
  guint32 length;

  if (!g_input_stream_read_all_finish (stream, result, &n_read, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  if (n_read == 0)
    {
      g_task_return_new_error (task, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_CLOSED,
                               _("The connection was closed"));
      return;
    }

  if (n_read < SOTTO_FRAME_HEADER_SIZE)
    {
      g_task_return_new_error (task, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_CLOSED,
                               _("The connection was cut in the middle of a frame"));
      return;
    }

  /* The length is checked before anything is allocated for the payload. */
  length = sotto_frame_get_header (state->header);
  if (!sotto_frame_check_length (length, state->max_length, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  state->payload_length = length;
  state->payload = g_malloc (length);
  cancellable = g_task_get_cancellable (task);
  g_input_stream_read_all_async (stream, state->payload, length, G_PRIORITY_DEFAULT,
                                 cancellable, payload_read_cb, g_steal_pointer (&task));
}

/**
 * sotto_frame_read_async:
 * @stream: the stream to read from
 * @max_length: the largest payload accepted
 *
 * Reads one frame. The end of the stream before any byte of the frame is a
 * %SOTTO_WIRE_ERROR_CLOSED error; so is a stream cut inside a frame.
 */
void
sotto_frame_read_async (GInputStream        *stream,
                        gsize                max_length,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  FrameRead *state;

  g_return_if_fail (G_IS_INPUT_STREAM (stream));
  g_return_if_fail (max_length > 0 && max_length <= G_MAXUINT32);

  task = g_task_new (stream, cancellable, callback, user_data);
  g_task_set_source_tag (task, sotto_frame_read_async);

  state = g_new0 (FrameRead, 1);
  state->max_length = max_length;
  g_task_set_task_data (task, state, frame_read_free);

  g_input_stream_read_all_async (stream, state->header, sizeof state->header,
                                 G_PRIORITY_DEFAULT, cancellable,
                                 header_read_cb, g_steal_pointer (&task));
}

GBytes *
sotto_frame_read_finish (GInputStream  *stream,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, stream), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
frame_written_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!g_output_stream_writev_all_finish (G_OUTPUT_STREAM (object), result, NULL, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

typedef struct
{
  guint8         header[SOTTO_FRAME_HEADER_SIZE];
  GBytes        *payload;
  GOutputVector  vectors[2];
} FrameWrite;

static void
frame_write_free (gpointer data)
{
  FrameWrite *state = data;

  g_bytes_unref (state->payload);
  g_free (state);
}

/**
 * sotto_frame_write_async:
 * @stream: the stream to write to
 * @payload: the frame payload, 1 byte to 4 GiB - 1
 *
 * Writes the length and the payload with one vectored write.
 */
void
sotto_frame_write_async (GOutputStream       *stream,
                         GBytes              *payload,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  FrameWrite *state;
  gsize size;

  g_return_if_fail (G_IS_OUTPUT_STREAM (stream));
  g_return_if_fail (payload != NULL);

  size = g_bytes_get_size (payload);
  g_return_if_fail (size > 0 && size <= G_MAXUINT32);

  task = g_task_new (stream, cancellable, callback, user_data);
  g_task_set_source_tag (task, sotto_frame_write_async);

  state = g_new0 (FrameWrite, 1);
  state->payload = g_bytes_ref (payload);
  sotto_frame_put_header (state->header, size);
  state->vectors[0].buffer = state->header;
  state->vectors[0].size = sizeof state->header;
  state->vectors[1].buffer = g_bytes_get_data (payload, NULL);
  state->vectors[1].size = size;
  g_task_set_task_data (task, state, frame_write_free);

  g_output_stream_writev_all_async (stream, state->vectors, G_N_ELEMENTS (state->vectors),
                                    G_PRIORITY_DEFAULT, cancellable,
                                    frame_written_cb, g_steal_pointer (&task));
}

gboolean
sotto_frame_write_finish (GOutputStream  *stream,
                          GAsyncResult   *result,
                          GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, stream), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * sotto_frame_tune_memory:
 *
 * Keeps the memory of frames in the process's heap: a program that moves
 * files calls it first, in main(). Each piece of a file is a frame of a
 * few hundred KiB, allocated and freed many times a second; glibc would
 * map each one fresh from the kernel (its pages then fault in one by one)
 * and give the heap's free top back after each, which costs a file's
 * transfer about a quarter of its time (bench/files-quick). Up to 16 MiB
 * of free heap is kept instead.
 */
void
sotto_frame_tune_memory (void)
{
#ifdef __GLIBC__
  mallopt (M_MMAP_THRESHOLD, 4 * SOTTO_FRAME_MAX_DEFAULT);
  mallopt (M_TRIM_THRESHOLD, 16 * 1024 * 1024);
#endif
}
