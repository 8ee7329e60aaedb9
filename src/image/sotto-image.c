/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "sotto-image.h"

/*
 * Pictures others send: decoded only when they are PNG, JPEG or GIF, and
 * only when their header says they hold no more pixels than allowed, read
 * here from the bytes before any decoder sees them, so that a small file
 * claiming a vast picture is refused without memory spent on it. Decoding
 * runs in a worker thread; what the decoder makes must have the size the
 * header said. And thumbnails of pictures one sends, small enough for a
 * message.
 */

G_DEFINE_QUARK (sotto-image-error-quark, sotto_image_error)

static guint
be16 (const guint8 *p)
{
  return ((guint) p[0] << 8) | p[1];
}

static guint32
be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

static gboolean
probe_png (const guint8 *data,
           gsize         size,
           guint        *width,
           guint        *height)
{
  static const guint8 signature[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

  if (size < 24 || memcmp (data, signature, sizeof signature) != 0 ||
      be32 (data + 8) != 13 || memcmp (data + 12, "IHDR", 4) != 0)
    return FALSE;
  /* PNG allows up to 2^31 - 1; anything near that is refused by size. */
  if (be32 (data + 16) == 0 || be32 (data + 20) == 0 ||
      be32 (data + 16) > G_MAXINT32 || be32 (data + 20) > G_MAXINT32)
    return FALSE;
  *width = be32 (data + 16);
  *height = be32 (data + 20);
  return TRUE;
}

static gboolean
is_sof (guint8 marker)
{
  return (marker >= 0xc0 && marker <= 0xcf) && marker != 0xc4 && marker != 0xc8 &&
         marker != 0xcc;
}

/* The size in a JPEG's first frame header, walking the segments before it. */
static gboolean
probe_jpeg (const guint8 *data,
            gsize         size,
            guint        *width,
            guint        *height)
{
  gsize pos = 2;

  if (size < 4 || data[0] != 0xff || data[1] != 0xd8)
    return FALSE;

  while (pos + 4 <= size)
    {
      guint8 marker;
      guint length;

      if (data[pos] != 0xff)
        return FALSE;
      while (pos < size && data[pos] == 0xff)
        pos++;
      if (pos >= size)
        return FALSE;
      marker = data[pos++];

      /* Markers without a segment. */
      if (marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7))
        continue;
      /* The image data or its end, before any frame header. */
      if (marker == 0xd8 || marker == 0xd9 || marker == 0xda || pos + 2 > size)
        return FALSE;

      length = be16 (data + pos);
      if (length < 2 || pos + length > size)
        return FALSE;
      if (is_sof (marker))
        {
          if (length < 8)
            return FALSE;
          *height = be16 (data + pos + 3);
          *width = be16 (data + pos + 5);
          return *width > 0 && *height > 0;
        }
      pos += length;
    }
  return FALSE;
}

static gboolean
probe_gif (const guint8 *data,
           gsize         size,
           guint        *width,
           guint        *height)
{
  if (size < 10 || (memcmp (data, "GIF87a", 6) != 0 && memcmp (data, "GIF89a", 6) != 0))
    return FALSE;
  *width = data[6] | ((guint) data[7] << 8);
  *height = data[8] | ((guint) data[9] << 8);
  return *width > 0 && *height > 0;
}

/* Skips GIF data sub-blocks from @pos; returns the position after their
 * terminator, or 0 when they run past the end. */
static gsize
gif_skip_blocks (const guint8 *data,
                 gsize         size,
                 gsize         pos)
{
  while (pos < size)
    {
      guint8 length = data[pos];

      pos += 1 + length;
      if (length == 0)
        return pos;
    }
  return 0;
}

/* The length of the part of a GIF up to the end of its first picture, with
 * that picture inside the screen its header gives; 0 when malformed. Only
 * that first picture is ever decoded: the frames after it are left out
 * rather than handed to the decoder, which is not careful with frames
 * outside the screen. */
static gsize
gif_first_frame (const guint8 *data,
                 gsize         size,
                 guint         width,
                 guint         height)
{
  gsize pos = 13;

  if (size < pos)
    return 0;
  if (data[10] & 0x80)
    pos += 3 * ((gsize) 2 << (data[10] & 0x07));

  while (pos < size)
    {
      guint8 introducer = data[pos];

      if (introducer == 0x21)
        {
          if (pos + 2 > size)
            return 0;
          pos = gif_skip_blocks (data, size, pos + 2);
          if (pos == 0)
            return 0;
        }
      else if (introducer == 0x2c)
        {
          const guint8 *d = data + pos + 1;
          guint left, top, w, h;

          if (pos + 11 > size)
            return 0;
          left = d[0] | ((guint) d[1] << 8);
          top = d[2] | ((guint) d[3] << 8);
          w = d[4] | ((guint) d[5] << 8);
          h = d[6] | ((guint) d[7] << 8);
          if (w == 0 || h == 0 || left + w > width || top + h > height)
            return 0;
          pos += 10;
          if (d[8] & 0x80)
            pos += 3 * ((gsize) 2 << (d[8] & 0x07));
          /* The LZW code size, then the picture's data. */
          if (pos + 1 > size)
            return 0;
          return gif_skip_blocks (data, size, pos + 1);
        }
      else
        return 0;
    }
  return 0;
}

/**
 * sotto_image_probe:
 * @width: (out): its width, by its header
 * @height: (out): its height, by its header
 *
 * Returns: the format of the picture in @data, read from its first bytes
 *   only, or %SOTTO_IMAGE_FORMAT_NONE
 */
SottoImageFormat
sotto_image_probe (const guint8 *data,
                   gsize         size,
                   guint        *width,
                   guint        *height)
{
  guint w = 0, h = 0;
  SottoImageFormat format = SOTTO_IMAGE_FORMAT_NONE;

  if (data == NULL)
    return SOTTO_IMAGE_FORMAT_NONE;

  if (probe_png (data, size, &w, &h))
    format = SOTTO_IMAGE_FORMAT_PNG;
  else if (probe_jpeg (data, size, &w, &h))
    format = SOTTO_IMAGE_FORMAT_JPEG;
  else if (probe_gif (data, size, &w, &h))
    format = SOTTO_IMAGE_FORMAT_GIF;

  *width = format != SOTTO_IMAGE_FORMAT_NONE ? w : 0;
  *height = format != SOTTO_IMAGE_FORMAT_NONE ? h : 0;
  return format;
}

/**
 * sotto_image_format_get_type:
 *
 * Returns: (nullable): the media type of @format
 */
const char *
sotto_image_format_get_type (SottoImageFormat format)
{
  switch (format)
    {
    case SOTTO_IMAGE_FORMAT_PNG:
      return "image/png";
    case SOTTO_IMAGE_FORMAT_JPEG:
      return "image/jpeg";
    case SOTTO_IMAGE_FORMAT_GIF:
      return "image/gif";
    case SOTTO_IMAGE_FORMAT_NONE:
    default:
      return NULL;
    }
}

typedef struct
{
  guint    width;
  guint    height;
  gboolean differs;
} Expected;

static void
size_prepared_cb (GdkPixbufLoader *loader,
                  int              width,
                  int              height,
                  Expected        *expected)
{
  /* Never more than the header said: if the decoder would make another
   * size, it makes a pixel, and the picture is refused. */
  if (width != (int) expected->width || height != (int) expected->height)
    {
      expected->differs = TRUE;
      gdk_pixbuf_loader_set_size (loader, 1, 1);
    }
}

static GError *
not_an_image (void)
{
  return g_error_new_literal (SOTTO_IMAGE_ERROR, SOTTO_IMAGE_ERROR_NOT_AN_IMAGE,
                              _("This is not a picture Sotto shows (PNG, JPEG or GIF)"));
}

/**
 * sotto_image_decode:
 * @max_pixels: the most pixels allowed
 *
 * Decodes the picture in @data; for a worker thread.
 *
 * Returns: (transfer full): the picture, or %NULL with
 *   %SOTTO_IMAGE_ERROR_NOT_AN_IMAGE or %SOTTO_IMAGE_ERROR_TOO_LARGE
 */
GdkPixbuf *
sotto_image_decode (GBytes   *data,
                    guint64   max_pixels,
                    GError  **error)
{
  g_autoptr(GdkPixbufLoader) loader = NULL;
  g_autoptr(GError) decode_error = NULL;
  Expected expected = { 0 };
  SottoImageFormat format;
  GdkPixbuf *pixbuf;
  const guint8 *bytes;
  gsize size;
  gboolean written;
  gboolean closed;

  g_return_val_if_fail (data != NULL, NULL);

  bytes = g_bytes_get_data (data, &size);
  format = sotto_image_probe (bytes, size, &expected.width, &expected.height);
  if (format == SOTTO_IMAGE_FORMAT_NONE)
    {
      g_propagate_error (error, not_an_image ());
      return NULL;
    }
  if ((guint64) expected.width * expected.height > max_pixels)
    {
      g_set_error (error, SOTTO_IMAGE_ERROR, SOTTO_IMAGE_ERROR_TOO_LARGE,
                   _("The picture is too large to show (%u × %u pixels)"), expected.width,
                   expected.height);
      return NULL;
    }

  if (format == SOTTO_IMAGE_FORMAT_GIF)
    {
      size = gif_first_frame (bytes, size, expected.width, expected.height);
      if (size == 0)
        {
          g_propagate_error (error, not_an_image ());
          return NULL;
        }
    }

  loader = gdk_pixbuf_loader_new_with_mime_type (sotto_image_format_get_type (format),
                                                 &decode_error);
  if (loader == NULL)
    {
      g_propagate_error (error, not_an_image ());
      return NULL;
    }
  g_signal_connect (loader, "size-prepared", G_CALLBACK (size_prepared_cb), &expected);
  written = gdk_pixbuf_loader_write (loader, bytes, size, &decode_error);
  if (written && format == SOTTO_IMAGE_FORMAT_GIF)
    written = gdk_pixbuf_loader_write (loader, (const guint8 *) ";", 1, &decode_error);
  /* Closed whatever the write gave, as the loader wants. */
  closed = gdk_pixbuf_loader_close (loader, written ? &decode_error : NULL);
  pixbuf = written && closed ? gdk_pixbuf_loader_get_pixbuf (loader) : NULL;

  if (pixbuf == NULL || expected.differs ||
      (guint) gdk_pixbuf_get_width (pixbuf) != expected.width ||
      (guint) gdk_pixbuf_get_height (pixbuf) != expected.height)
    {
      g_propagate_error (error, not_an_image ());
      return NULL;
    }
  return g_object_ref (pixbuf);
}

static void
decode_thread (GTask        *task,
               gpointer      source,
               gpointer      task_data,
               GCancellable *cancellable)
{
  GBytes *data = task_data;
  guint64 *max_pixels = g_object_get_data (G_OBJECT (task), "max-pixels");
  GError *error = NULL;
  GdkPixbuf *pixbuf = sotto_image_decode (data, *max_pixels, &error);

  if (pixbuf == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, pixbuf, g_object_unref);
}

/**
 * sotto_image_decode_async:
 *
 * sotto_image_decode() in a worker thread.
 */
void
sotto_image_decode_async (GBytes              *data,
                          guint64              max_pixels,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (data != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, sotto_image_decode_async);
  g_task_set_task_data (task, g_bytes_ref (data), (GDestroyNotify) g_bytes_unref);
  g_object_set_data_full (G_OBJECT (task), "max-pixels", g_memdup2 (&max_pixels,
                                                                    sizeof max_pixels), g_free);
  g_task_set_return_on_cancel (task, TRUE);
  g_task_run_in_thread (task, decode_thread);
}

/**
 * sotto_image_decode_finish:
 *
 * Returns: (transfer full): the picture, or %NULL with @error set
 */
GdkPixbuf *
sotto_image_decode_finish (GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static GBytes *
encode (GdkPixbuf  *pixbuf,
        int         quality,
        GError    **error)
{
  g_autofree char *quality_text = g_strdup_printf ("%d", quality);
  char *buffer = NULL;
  gsize size = 0;
  gboolean ok;

  if (gdk_pixbuf_get_has_alpha (pixbuf))
    ok = gdk_pixbuf_save_to_buffer (pixbuf, &buffer, &size, "png", error,
                                    "compression", "9", NULL);
  else
    ok = gdk_pixbuf_save_to_buffer (pixbuf, &buffer, &size, "jpeg", error,
                                    "quality", quality_text, NULL);
  if (!ok)
    return NULL;
  return g_bytes_new_take (buffer, size);
}

/**
 * sotto_image_make_thumbnail:
 * @max_side: the longest side of the thumbnail, in pixels
 * @max_bytes: the most bytes it may take
 *
 * Returns: (transfer full): a JPEG (a PNG for a picture with transparency)
 *   of @image, made smaller to fit @max_side and @max_bytes, or %NULL with
 *   @error set
 */
GBytes *
sotto_image_make_thumbnail (GdkPixbuf  *image,
                            guint       max_side,
                            gsize       max_bytes,
                            GError    **error)
{
  static const int qualities[] = { 80, 65, 50, 35 };
  int width, height;
  double scale;

  g_return_val_if_fail (GDK_IS_PIXBUF (image), NULL);
  g_return_val_if_fail (max_side > 0 && max_bytes > 0, NULL);

  width = gdk_pixbuf_get_width (image);
  height = gdk_pixbuf_get_height (image);
  scale = MIN (1.0, (double) max_side / MAX (width, height));

  while (TRUE)
    {
      int w = MAX (1, (int) (width * scale + 0.5));
      int h = MAX (1, (int) (height * scale + 0.5));
      g_autoptr(GdkPixbuf) small = gdk_pixbuf_scale_simple (image, w, h, GDK_INTERP_BILINEAR);

      if (small == NULL)
        {
          g_set_error_literal (error, SOTTO_IMAGE_ERROR, SOTTO_IMAGE_ERROR_TOO_LARGE,
                               _("There is not enough memory to make a thumbnail"));
          return NULL;
        }
      for (guint i = 0; i < G_N_ELEMENTS (qualities); i++)
        {
          g_autoptr(GBytes) encoded = encode (small, qualities[i], error);

          if (encoded == NULL)
            return NULL;
          if (g_bytes_get_size (encoded) <= max_bytes)
            return g_steal_pointer (&encoded);
          if (gdk_pixbuf_get_has_alpha (small))
            break;
        }
      if (w == 1 && h == 1)
        {
          g_set_error_literal (error, SOTTO_IMAGE_ERROR, SOTTO_IMAGE_ERROR_TOO_LARGE,
                               _("No thumbnail of this picture is small enough"));
          return NULL;
        }
      scale *= 0.7;
    }
}
