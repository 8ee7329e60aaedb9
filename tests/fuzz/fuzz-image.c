/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sotto-image.h"

/*
 * Pictures as others send them (thumbnails inside messages, pictures
 * fetched in full): probed from their first bytes, then decoded when the
 * probe allows. Whatever the bytes, no crash, no more pixels than allowed,
 * and what decodes has the size its header said.
 */

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  g_autoptr(GdkPixbuf) image = NULL;
  g_autoptr(GError) error = NULL;
  guint width = 0, height = 0;
  SottoImageFormat format = sotto_image_probe (data, size, &width, &height);

  image = sotto_image_decode (bytes, SOTTO_IMAGE_THUMBNAIL_MAX_PIXELS, &error);
  if (image == NULL)
    {
      g_assert_nonnull (error);
      g_assert_true (error->domain == SOTTO_IMAGE_ERROR);
      return 0;
    }

  g_assert_cmpint (format, !=, SOTTO_IMAGE_FORMAT_NONE);
  g_assert_cmpint (gdk_pixbuf_get_width (image), ==, (int) width);
  g_assert_cmpint (gdk_pixbuf_get_height (image), ==, (int) height);
  g_assert_cmpuint ((guint64) width * height, <=, SOTTO_IMAGE_THUMBNAIL_MAX_PIXELS);
  return 0;
}
