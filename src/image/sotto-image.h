/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <gio/gio.h>

G_BEGIN_DECLS

/* The most pixels of a thumbnail, as the message carries it. */
#define SOTTO_IMAGE_THUMBNAIL_MAX_PIXELS (1024 * 1024)

/* The most pixels of an image opened in full: 64 megapixels. */
#define SOTTO_IMAGE_MAX_PIXELS (64 * 1024 * 1024)

/**
 * SottoImageFormat:
 * @SOTTO_IMAGE_FORMAT_NONE: not an image Sotto decodes
 * @SOTTO_IMAGE_FORMAT_PNG: PNG
 * @SOTTO_IMAGE_FORMAT_JPEG: JPEG
 * @SOTTO_IMAGE_FORMAT_GIF: GIF (its first frame)
 */
typedef enum
{
  SOTTO_IMAGE_FORMAT_NONE,
  SOTTO_IMAGE_FORMAT_PNG,
  SOTTO_IMAGE_FORMAT_JPEG,
  SOTTO_IMAGE_FORMAT_GIF,
} SottoImageFormat;

#define SOTTO_IMAGE_ERROR (sotto_image_error_quark ())

/**
 * SottoImageError:
 * @SOTTO_IMAGE_ERROR_NOT_AN_IMAGE: not PNG, JPEG or GIF, or not readable
 *   as one
 * @SOTTO_IMAGE_ERROR_TOO_LARGE: more pixels than allowed
 */
typedef enum
{
  SOTTO_IMAGE_ERROR_NOT_AN_IMAGE,
  SOTTO_IMAGE_ERROR_TOO_LARGE,
} SottoImageError;

GQuark            sotto_image_error_quark       (void);

SottoImageFormat  sotto_image_probe             (const guint8        *data,
                                                 gsize                size,
                                                 guint               *width,
                                                 guint               *height);
const char       *sotto_image_format_get_type   (SottoImageFormat     format);
GdkPixbuf        *sotto_image_decode            (GBytes              *data,
                                                 guint64              max_pixels,
                                                 GError             **error);
void              sotto_image_decode_async      (GBytes              *data,
                                                 guint64              max_pixels,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
GdkPixbuf        *sotto_image_decode_finish     (GAsyncResult        *result,
                                                 GError             **error);
GBytes           *sotto_image_make_thumbnail    (GdkPixbuf           *image,
                                                 guint                max_side,
                                                 gsize                max_bytes,
                                                 GError             **error);

G_END_DECLS
