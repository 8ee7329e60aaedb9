/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sodium.h>
#include <string.h>

#include "sotto-e2e.h"
#include "sotto-file-message.h"
#include "sotto-image.h"
#include "sotto-message-body.h"

/*
 * What a member's message says of a file, as another member's client
 * reads it once the envelope opened: the message body, and in a body of
 * type file its content. The first input byte chooses: even, the rest is
 * a body, and a file body's content goes on to the file message decoder;
 * odd, the rest is a file message's content. Whatever decodes must encode
 * back to a message that decodes to the same fields; its name made safe
 * is a plain name; its thumbnail goes through the image path, within the
 * thumbnail limit. Whatever fails, fails with SOTTO_E2E_ERROR (or
 * SOTTO_IMAGE_ERROR for a thumbnail).
 */

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_assert_cmpint (sodium_init (), >=, 0);
  return 0;
}

static void
check_safe_name (const char *name)
{
  g_autofree char *safe = sotto_file_message_safe_name (name);

  g_assert_true (g_utf8_validate (safe, -1, NULL));
  g_assert_cmpuint (strlen (safe), >, 0);
  g_assert_cmpuint (strlen (safe), <=, 255);
  g_assert_null (strchr (safe, '/'));
  g_assert_null (strchr (safe, '\\'));
  g_assert_true (safe[0] != '.' && safe[0] != ' ');
  for (const char *p = safe; *p != '\0'; p = g_utf8_next_char (p))
    g_assert_false (g_unichar_iscntrl (g_utf8_get_char (p)));
}

static void
fuzz_file_message (GBytes *content)
{
  g_auto(SottoFileMessage) file = { { 0 } };
  g_auto(SottoFileMessage) again = { { 0 } };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) encoded = NULL;

  if (!sotto_file_message_decode (content, &file, &error))
    {
      g_assert_nonnull (error);
      g_assert_true (error->domain == SOTTO_E2E_ERROR);
      return;
    }

  encoded = sotto_file_message_encode (&file, &error);
  g_assert_no_error (error);
  g_assert_true (sotto_file_message_decode (encoded, &again, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (file.id, sizeof file.id, again.id, sizeof again.id);
  g_assert_cmpmem (file.key, sizeof file.key, again.key, sizeof again.key);
  g_assert_cmpmem (file.hash, sizeof file.hash, again.hash, sizeof again.hash);
  g_assert_cmpuint (file.size, ==, again.size);
  g_assert_cmpstr (file.name, ==, again.name);
  g_assert_cmpstr (file.type, ==, again.type);
  g_assert_cmpuint (file.width, ==, again.width);
  g_assert_cmpuint (file.height, ==, again.height);
  g_assert_true ((file.thumbnail == NULL) == (again.thumbnail == NULL));
  if (file.thumbnail != NULL)
    g_assert_true (g_bytes_equal (file.thumbnail, again.thumbnail));

  check_safe_name (file.name);

  if (file.thumbnail != NULL)
    {
      g_autoptr(GdkPixbuf) picture = NULL;
      g_autoptr(GError) image_error = NULL;

      picture = sotto_image_decode (file.thumbnail, SOTTO_IMAGE_THUMBNAIL_MAX_PIXELS,
                                    &image_error);
      if (picture == NULL)
        g_assert_true (image_error->domain == SOTTO_IMAGE_ERROR);
      else
        g_assert_cmpuint ((guint64) gdk_pixbuf_get_width (picture) *
                            gdk_pixbuf_get_height (picture), <=,
                          SOTTO_IMAGE_THUMBNAIL_MAX_PIXELS);
    }
}

static void
fuzz_body (GBytes *plaintext)
{
  g_auto(SottoMessageBody) body = { 0 };
  g_auto(SottoMessageBody) again = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) encoded = NULL;

  if (!sotto_message_body_decode (plaintext, &body, &error))
    {
      g_assert_nonnull (error);
      g_assert_true (error->domain == SOTTO_E2E_ERROR);
      return;
    }

  g_assert_true (body.type == SOTTO_MESSAGE_BODY_TEXT || body.type == SOTTO_MESSAGE_BODY_FILE ||
                 sotto_message_body_type_is_action (body.type));
  g_assert_cmpuint (body.counter, >, 0);
  encoded = sotto_message_body_encode (&body, &error);
  g_assert_no_error (error);
  g_assert_true (sotto_message_body_decode (encoded, &again, &error));
  g_assert_no_error (error);
  g_assert_cmpint (body.type, ==, again.type);
  g_assert_cmpuint (body.counter, ==, again.counter);
  g_assert_cmpint (body.sent_at, ==, again.sent_at);
  g_assert_cmpuint (body.state_length, ==, again.state_length);
  g_assert_cmpmem (body.state_head, sizeof body.state_head, again.state_head,
                   sizeof again.state_head);
  g_assert_true (g_bytes_equal (body.content, again.content));

  if (body.type == SOTTO_MESSAGE_BODY_FILE)
    fuzz_file_message (body.content);
  if (sotto_message_body_type_is_action (body.type))
    {
      /* A body of such a type decodes only with content that does. */
      g_auto(SottoMessageAction) action = { 0 };

      g_assert_true (sotto_message_action_decode (body.type, body.content, &action, &error));
      g_assert_no_error (error);
    }
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GBytes) rest = NULL;

  if (size == 0)
    return 0;
  rest = g_bytes_new (data + 1, size - 1);
  if (data[0] % 2 == 0)
    fuzz_body (rest);
  else
    fuzz_file_message (rest);
  return 0;
}
