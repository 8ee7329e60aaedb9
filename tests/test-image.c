/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sotto-image.h"

/*
 * Pictures others send: PNG, JPEG and GIF decode, in a worker thread;
 * anything else does not, nor a picture whose header claims more pixels
 * than allowed (refused before any decoder sees it); one cut short comes
 * out at its size or not at all.
 * Thumbnails of pictures one sends fit a message.
 */

static GdkPixbuf *
gradient (int      width,
          int      height,
          gboolean alpha)
{
  GdkPixbuf *pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, alpha, 8, width, height);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);
  int channels = gdk_pixbuf_get_n_channels (pixbuf);
  guint8 *pixels = gdk_pixbuf_get_pixels (pixbuf);

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guint8 *p = pixels + y * stride + x * channels;

        p[0] = (guint8) (x * 255 / MAX (width - 1, 1));
        p[1] = (guint8) (y * 255 / MAX (height - 1, 1));
        p[2] = (guint8) ((x ^ y) & 0xff);
        if (alpha)
          p[3] = 200;
      }
  return pixbuf;
}

static GBytes *
save (GdkPixbuf  *pixbuf,
      const char *type)
{
  g_autoptr(GError) error = NULL;
  char *buffer = NULL;
  gsize size = 0;

  g_assert_true (gdk_pixbuf_save_to_buffer (pixbuf, &buffer, &size, type, &error, NULL));
  g_assert_no_error (error);
  return g_bytes_new_take (buffer, size);
}

static void
test_decode (void)
{
  static const struct { const char *type; SottoImageFormat format; } kinds[] = {
    { "png", SOTTO_IMAGE_FORMAT_PNG },
    { "jpeg", SOTTO_IMAGE_FORMAT_JPEG },
  };
  g_autoptr(GdkPixbuf) image = gradient (37, 21, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_autoptr(GBytes) data = save (image, kinds[i].type);
      g_autoptr(GdkPixbuf) decoded = NULL;
      g_autoptr(GError) error = NULL;
      guint width = 0, height = 0;

      g_assert_cmpint (sotto_image_probe (g_bytes_get_data (data, NULL), g_bytes_get_size (data),
                                          &width, &height), ==, kinds[i].format);
      g_assert_cmpuint (width, ==, 37);
      g_assert_cmpuint (height, ==, 21);
      decoded = sotto_image_decode (data, 37 * 21, &error);
      g_assert_no_error (error);
      g_assert_cmpint (gdk_pixbuf_get_width (decoded), ==, 37);
      g_assert_cmpint (gdk_pixbuf_get_height (decoded), ==, 21);
      g_clear_object (&decoded);

      /* One pixel fewer allowed: refused. */
      decoded = sotto_image_decode (data, 37 * 21 - 1, &error);
      g_assert_null (decoded);
      g_assert_error (error, SOTTO_IMAGE_ERROR, SOTTO_IMAGE_ERROR_TOO_LARGE);
    }

  /* A GIF, written by hand: 2 × 1, two colours. */
  {
    static const guint8 gif[] = {
      'G', 'I', 'F', '8', '9', 'a', 2, 0, 1, 0, 0x80, 0, 0,
      0, 0, 0, 255, 255, 255,
      0x2c, 0, 0, 0, 0, 2, 0, 1, 0, 0,
      2, 2, 0x44, 0x01, 0,
      0x3b,
    };
    g_autoptr(GBytes) data = g_bytes_new_static (gif, sizeof gif);
    g_autoptr(GError) error = NULL;
    g_autoptr(GdkPixbuf) decoded = sotto_image_decode (data, 100, &error);
    guint width = 0, height = 0;

    g_assert_cmpint (sotto_image_probe (gif, sizeof gif, &width, &height), ==,
                     SOTTO_IMAGE_FORMAT_GIF);
    g_assert_no_error (error);
    g_assert_cmpint (gdk_pixbuf_get_width (decoded), ==, 2);
  }
}

/* GIFs whose frames do not fit their screen, or have no size, are refused
 * (the decoder is not careful with them); of an animation, the first
 * frame is shown. */
static void
test_gif_frames (void)
{
  static const guint8 outside[] = {
    'G', 'I', 'F', '8', '9', 'a', 2, 0, 1, 0, 0x80, 0, 0,
    0, 0, 0, 255, 255, 255,
    0x2c, 0x70, 0x6e, 0x67, 0, 0, 0x28, 2, 1, 0,
    2, 2, 0x44, 0x01, 0,
    0x3b,
  };
  static const guint8 empty_frame[] = {
    'G', 'I', 'F', '8', '9', 'a', 2, 0, 1, 0, 0x80, 0, 0,
    0, 0, 0, 255, 255, 255,
    0x2c, 0, 0, 0, 0, 0, 0, 1, 0, 0,
    2, 2, 0x44, 0x01, 0,
    0x3b,
  };
  /* Two frames, the second far outside the screen: never decoded. */
  static const guint8 animated[] = {
    'G', 'I', 'F', '8', '9', 'a', 2, 0, 1, 0, 0x80, 0, 0,
    0, 0, 0, 255, 255, 255,
    0x21, 0xf9, 4, 0, 10, 0, 0, 0,
    0x2c, 0, 0, 0, 0, 2, 0, 1, 0, 0,
    2, 2, 0x44, 0x01, 0,
    0x2c, 0x70, 0x6e, 0x67, 0, 0, 0x28, 2, 1, 0,
    2, 2, 0x44, 0x01, 0,
    0x3b,
  };
  const struct
  {
    const guint8 *data;
    gsize         size;
  } refused[] = {
    { outside, sizeof outside },
    { empty_frame, sizeof empty_frame },
    /* Cut inside the first frame's data. */
    { animated, 37 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(GBytes) data = g_bytes_new_static (refused[i].data, refused[i].size);
      g_autoptr(GError) error = NULL;

      g_assert_null (sotto_image_decode (data, SOTTO_IMAGE_MAX_PIXELS, &error));
      g_assert_error (error, SOTTO_IMAGE_ERROR, SOTTO_IMAGE_ERROR_NOT_AN_IMAGE);
    }

  {
    g_autoptr(GBytes) data = g_bytes_new_static (animated, sizeof animated);
    g_autoptr(GError) error = NULL;
    g_autoptr(GdkPixbuf) decoded = sotto_image_decode (data, SOTTO_IMAGE_MAX_PIXELS, &error);

    g_assert_no_error (error);
    g_assert_cmpint (gdk_pixbuf_get_width (decoded), ==, 2);
    g_assert_cmpint (gdk_pixbuf_get_height (decoded), ==, 1);
  }
}

static void
decoded_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static void
test_decode_async (void)
{
  g_autoptr(GdkPixbuf) image = gradient (64, 48, TRUE);
  g_autoptr(GBytes) data = save (image, "png");
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GdkPixbuf) decoded = NULL;
  g_autoptr(GError) error = NULL;

  sotto_image_decode_async (data, SOTTO_IMAGE_THUMBNAIL_MAX_PIXELS, NULL, decoded_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  decoded = sotto_image_decode_finish (result, &error);
  g_assert_no_error (error);
  g_assert_true (gdk_pixbuf_get_has_alpha (decoded));
  g_assert_cmpint (gdk_pixbuf_get_width (decoded), ==, 64);
}

/* A PNG whose header claims 60,000 × 60,000 pixels in a few bytes, and a
 * JPEG that claims 65,535 × 65,535: refused before decoding. */
static void
test_bombs (void)
{
  g_autoptr(GdkPixbuf) image = gradient (8, 8, FALSE);
  g_autoptr(GBytes) png = save (image, "png");
  g_autoptr(GBytes) jpeg = save (image, "jpeg");
  gsize size;
  g_autofree guint8 *big_png = g_memdup2 (g_bytes_get_data (png, &size), g_bytes_get_size (png));
  g_autofree guint8 *big_jpeg = g_memdup2 (g_bytes_get_data (jpeg, NULL),
                                           g_bytes_get_size (jpeg));
  g_autoptr(GBytes) claimed_png = NULL;
  g_autoptr(GBytes) claimed_jpeg = NULL;
  g_autoptr(GError) error = NULL;
  guint width = 0, height = 0;
  gsize jpeg_size = g_bytes_get_size (jpeg);

  big_png[16] = 0; big_png[17] = 0; big_png[18] = 0xea; big_png[19] = 0x60;
  big_png[20] = 0; big_png[21] = 0; big_png[22] = 0xea; big_png[23] = 0x60;
  claimed_png = g_bytes_new (big_png, size);
  g_assert_cmpint (sotto_image_probe (big_png, size, &width, &height), ==,
                   SOTTO_IMAGE_FORMAT_PNG);
  g_assert_cmpuint (width, ==, 60000);
  g_assert_null (sotto_image_decode (claimed_png, SOTTO_IMAGE_MAX_PIXELS, &error));
  g_assert_error (error, SOTTO_IMAGE_ERROR, SOTTO_IMAGE_ERROR_TOO_LARGE);
  g_clear_error (&error);

  /* The JPEG's frame header, wherever it is: its size set to the most. */
  for (gsize i = 2; i + 9 < jpeg_size; i++)
    if (big_jpeg[i] == 0xff && (big_jpeg[i + 1] == 0xc0 || big_jpeg[i + 1] == 0xc2))
      {
        big_jpeg[i + 5] = 0xff; big_jpeg[i + 6] = 0xff;
        big_jpeg[i + 7] = 0xff; big_jpeg[i + 8] = 0xff;
        break;
      }
  claimed_jpeg = g_bytes_new (big_jpeg, jpeg_size);
  g_assert_cmpint (sotto_image_probe (big_jpeg, jpeg_size, &width, &height), ==,
                   SOTTO_IMAGE_FORMAT_JPEG);
  g_assert_cmpuint (width, ==, 65535);
  g_assert_null (sotto_image_decode (claimed_jpeg, SOTTO_IMAGE_MAX_PIXELS, &error));
  g_assert_error (error, SOTTO_IMAGE_ERROR, SOTTO_IMAGE_ERROR_TOO_LARGE);
}

/* Not pictures, other formats, and pictures cut short. */
static void
test_refused (void)
{
  g_autoptr(GdkPixbuf) image = gradient (30, 30, FALSE);
  g_autoptr(GBytes) png = save (image, "png");
  g_autoptr(GBytes) bmp = save (image, "bmp");
  static const char *const garbage[] = { "", "hello", "\x89PNG\r\n\x1a\n", "\xff\xd8\xff",
                                         "GIF89a" };

  for (guint i = 0; i < G_N_ELEMENTS (garbage); i++)
    {
      g_autoptr(GBytes) data = g_bytes_new_static (garbage[i], strlen (garbage[i]));
      g_autoptr(GError) error = NULL;

      g_assert_null (sotto_image_decode (data, SOTTO_IMAGE_MAX_PIXELS, &error));
      g_assert_error (error, SOTTO_IMAGE_ERROR, SOTTO_IMAGE_ERROR_NOT_AN_IMAGE);
    }

  {
    g_autoptr(GError) error = NULL;

    g_assert_null (sotto_image_decode (bmp, SOTTO_IMAGE_MAX_PIXELS, &error));
    g_assert_error (error, SOTTO_IMAGE_ERROR, SOTTO_IMAGE_ERROR_NOT_AN_IMAGE);
  }

  /* Cut short: refused, or (as the decoders fill what is missing) the
   * picture at the size its header says; never anything else. */
  for (gsize cut = 24; cut < g_bytes_get_size (png); cut += 7)
    {
      g_autoptr(GBytes) shorter = g_bytes_new_from_bytes (png, 0, cut);
      g_autoptr(GError) error = NULL;
      g_autoptr(GdkPixbuf) decoded = sotto_image_decode (shorter, SOTTO_IMAGE_MAX_PIXELS,
                                                         &error);

      if (decoded == NULL)
        g_assert_error (error, SOTTO_IMAGE_ERROR, SOTTO_IMAGE_ERROR_NOT_AN_IMAGE);
      else
        g_assert_cmpint (gdk_pixbuf_get_width (decoded) * gdk_pixbuf_get_height (decoded), ==,
                         30 * 30);
    }
}

static void
test_thumbnail (void)
{
  g_autoptr(GdkPixbuf) photo = gradient (4000, 3000, FALSE);
  g_autoptr(GdkPixbuf) logo = gradient (100, 400, TRUE);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) thumb = sotto_image_make_thumbnail (photo, 320, 16 * 1024, &error);
  g_autoptr(GBytes) small = NULL;
  g_autoptr(GdkPixbuf) decoded = NULL;
  guint width = 0, height = 0;

  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (thumb), <=, 16 * 1024);
  g_assert_cmpint (sotto_image_probe (g_bytes_get_data (thumb, NULL), g_bytes_get_size (thumb),
                                      &width, &height), ==, SOTTO_IMAGE_FORMAT_JPEG);
  g_assert_cmpuint (MAX (width, height), <=, 320);
  g_assert_cmpuint (width * 3, ==, height * 4);
  decoded = sotto_image_decode (thumb, SOTTO_IMAGE_THUMBNAIL_MAX_PIXELS, &error);
  g_assert_no_error (error);

  /* Transparency kept, as PNG; tiny limits make it smaller still. */
  small = sotto_image_make_thumbnail (logo, 64, 4 * 1024, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (small), <=, 4 * 1024);
  g_assert_cmpint (sotto_image_probe (g_bytes_get_data (small, NULL), g_bytes_get_size (small),
                                      &width, &height), ==, SOTTO_IMAGE_FORMAT_PNG);
  g_assert_cmpuint (height, <=, 64);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sotto/image/decode", test_decode);
  g_test_add_func ("/sotto/image/decode-async", test_decode_async);
  g_test_add_func ("/sotto/image/bombs", test_bombs);
  g_test_add_func ("/sotto/image/refused", test_refused);
  g_test_add_func ("/sotto/image/gif-frames", test_gif_frames);
  g_test_add_func ("/sotto/image/thumbnail", test_thumbnail);

  return g_test_run ();
}
