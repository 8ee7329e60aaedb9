/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sodium.h>
#include <string.h>

#include "sotto-e2e.h"

/*
 * What a message says of a file: it goes through and back; fields a
 * message does not carry are refused on both sides; parsing is strict;
 * and the name a sender gave is never a path when the file is saved.
 */

static void
sample (SottoFileMessage *file)
{
  memset (file, 0, sizeof *file);
  randombytes_buf (file->id, sizeof file->id);
  randombytes_buf (file->key, sizeof file->key);
  randombytes_buf (file->hash, sizeof file->hash);
  file->size = 1234567;
  file->name = g_strdup ("Urlaub am Meer – Tag 2.jpg");
  file->type = g_strdup ("image/jpeg");
  file->width = 4000;
  file->height = 3000;
  file->thumbnail = g_bytes_new_static ("\xff\xd8\xff\xe0 tiny jpeg", 15);
}

static void
test_round_trip (void)
{
  g_auto(SottoFileMessage) file = { { 0 } };
  g_auto(SottoFileMessage) back = { { 0 } };
  g_auto(SottoFileMessage) plain = { { 0 } };
  g_autoptr(GBytes) content = NULL;
  g_autoptr(GError) error = NULL;

  sample (&file);
  content = sotto_file_message_encode (&file, &error);
  g_assert_no_error (error);
  g_assert_true (sotto_file_message_decode (content, &back, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (back.id, sizeof back.id, file.id, sizeof file.id);
  g_assert_cmpmem (back.key, sizeof back.key, file.key, sizeof file.key);
  g_assert_cmpmem (back.hash, sizeof back.hash, file.hash, sizeof file.hash);
  g_assert_cmpuint (back.size, ==, file.size);
  g_assert_cmpstr (back.name, ==, file.name);
  g_assert_cmpstr (back.type, ==, file.type);
  g_assert_cmpuint (back.width, ==, 4000);
  g_assert_cmpuint (back.height, ==, 3000);
  g_assert_true (g_bytes_equal (back.thumbnail, file.thumbnail));
  g_clear_pointer (&content, g_bytes_unref);

  /* Not an image, no thumbnail, empty. */
  sample (&plain);
  g_clear_pointer (&plain.thumbnail, g_bytes_unref);
  plain.width = plain.height = 0;
  plain.size = 0;
  g_free (plain.type);
  plain.type = g_strdup ("application/vnd.oasis.opendocument.text");
  content = sotto_file_message_encode (&plain, &error);
  g_assert_no_error (error);
  sotto_file_message_clear (&back);
  g_assert_true (sotto_file_message_decode (content, &back, &error));
  g_assert_null (back.thumbnail);
  g_assert_cmpuint (back.size, ==, 0);
  g_assert_cmpstr (back.type, ==, plain.type);
}

static void
assert_not_encoded (SottoFileMessage *file)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) content = sotto_file_message_encode (file, &error);

  g_assert_null (content);
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT);
}

static void
test_refused_fields (void)
{
  static const char *const bad_names[] = { "", "a\nb", "tab\there", "bell\a", "\x7f",
                                            "\xc3\x28" };
  static const char *const bad_types[] = { "", "image", "Image/png", "image/", "/png",
                                           "image/png; charset=x", "image/p g", "a/b/c" };

  for (guint i = 0; i < G_N_ELEMENTS (bad_names); i++)
    {
      g_auto(SottoFileMessage) file = { { 0 } };

      sample (&file);
      g_free (file.name);
      file.name = g_strdup (bad_names[i]);
      assert_not_encoded (&file);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad_types); i++)
    {
      g_auto(SottoFileMessage) file = { { 0 } };

      sample (&file);
      g_free (file.type);
      file.type = g_strdup (bad_types[i]);
      assert_not_encoded (&file);
    }
  {
    g_auto(SottoFileMessage) file = { { 0 } };

    sample (&file);
    g_free (file.name);
    file.name = g_strnfill (SOTTO_FILE_NAME_MAX_BYTES + 1, 'n');
    assert_not_encoded (&file);
    g_free (file.name);
    file.name = g_strnfill (SOTTO_FILE_NAME_MAX_BYTES, 'n');
    file.height = 0;
    assert_not_encoded (&file);
    file.height = SOTTO_FILE_IMAGE_MAX_SIDE + 1;
    assert_not_encoded (&file);
    file.height = 10;
    file.size = SOTTO_FILE_MAX_BYTES + 1;
    assert_not_encoded (&file);
    file.size = 10;
    g_bytes_unref (file.thumbnail);
    file.thumbnail = g_bytes_new_take (g_malloc0 (SOTTO_FILE_THUMBNAIL_MAX_BYTES + 1),
                                       SOTTO_FILE_THUMBNAIL_MAX_BYTES + 1);
    assert_not_encoded (&file);
  }
}

/* Every cut, a byte more, another version, and a name with a control
 * character written in by hand: refused. */
static void
test_strict (void)
{
  g_auto(SottoFileMessage) file = { { 0 } };
  g_autoptr(GBytes) content = NULL;
  g_autoptr(GError) error = NULL;
  const guint8 *data;
  gsize size;

  sample (&file);
  content = sotto_file_message_encode (&file, &error);
  g_assert_no_error (error);
  data = g_bytes_get_data (content, &size);

  for (gsize cut = 0; cut < size; cut++)
    {
      g_autoptr(GBytes) shorter = g_bytes_new (data, cut);
      g_auto(SottoFileMessage) back = { { 0 } };
      g_autoptr(GError) cut_error = NULL;

      g_assert_false (sotto_file_message_decode (shorter, &back, &cut_error));
      g_assert_error (cut_error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT);
    }
  {
    g_autofree guint8 *longer = g_malloc (size + 1);
    g_autoptr(GBytes) bytes = NULL;
    g_auto(SottoFileMessage) back = { { 0 } };

    memcpy (longer, data, size);
    longer[size] = 0;
    bytes = g_bytes_new (longer, size + 1);
    g_assert_false (sotto_file_message_decode (bytes, &back, NULL));
  }
  {
    g_autofree guint8 *copy = g_memdup2 (data, size);
    g_autoptr(GBytes) bytes = NULL;
    g_auto(SottoFileMessage) back = { { 0 } };
    gsize name_at = 1 + 16 + 32 + 32 + 8 + 2;

    copy[0] = 2;
    bytes = g_bytes_new (copy, size);
    g_assert_false (sotto_file_message_decode (bytes, &back, NULL));
    g_clear_pointer (&bytes, g_bytes_unref);
    copy[0] = 1;
    copy[name_at] = '\n';
    bytes = g_bytes_new (copy, size);
    g_assert_false (sotto_file_message_decode (bytes, &back, NULL));
  }
}

static void
test_safe_name (void)
{
  static const struct { const char *given; const char *saved; } names[] = {
    { "holiday.jpg", "holiday.jpg" },
    { "../../etc/passwd", "passwd" },
    { "/etc/shadow", "shadow" },
    { "C:\\Users\\bob\\evil.exe", "evil.exe" },
    { ".bashrc", "bashrc" },
    { "...", "file" },
    { "..", "file" },
    { "dir/", "file" },
    { "   spaced.txt  ", "spaced.txt" },
    { "a\nb\rc\td.txt", "abcd.txt" },
    { "report\xe2\x80\xaegpj.exe", "reportgpj.exe" },
    { "", "file" },
    { "\xc3\x28", "file" },
    { "Grüße.pdf", "Grüße.pdf" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *safe = sotto_file_message_safe_name (names[i].given);

      g_assert_cmpstr (safe, ==, names[i].saved);
    }
  g_free (sotto_file_message_safe_name (NULL));

  /* Long names are cut on a character, within the limit. */
  {
    g_autoptr(GString) longest = g_string_new (NULL);
    g_autofree char *safe = NULL;

    for (guint i = 0; i < 200; i++)
      g_string_append (longest, "ü");
    safe = sotto_file_message_safe_name (longest->str);
    g_assert_cmpuint (strlen (safe), <=, SOTTO_FILE_NAME_MAX_BYTES);
    g_assert_true (g_utf8_validate (safe, -1, NULL));
  }
}

/* A message body of type file carries exactly what a message says of a
 * file: anything else is refused on both sides, never taken as text. */
static void
test_body (void)
{
  g_auto(SottoFileMessage) file = { { 0 } };
  g_auto(SottoMessageBody) back = { 0 };
  g_autoptr(GBytes) content = NULL;
  g_autoptr(GBytes) plain = NULL;
  g_autoptr(GBytes) text = g_bytes_new_static ("just text", 9);
  g_autoptr(GError) error = NULL;
  SottoMessageBody body = { SOTTO_MESSAGE_BODY_FILE, 7, 1700000000000, NULL };

  sample (&file);
  content = sotto_file_message_encode (&file, &error);
  g_assert_no_error (error);
  body.content = content;
  plain = sotto_message_body_encode (&body, &error);
  g_assert_no_error (error);
  g_assert_true (sotto_message_body_decode (plain, &back, &error));
  g_assert_no_error (error);
  g_assert_cmpint (back.type, ==, SOTTO_MESSAGE_BODY_FILE);
  g_assert_true (g_bytes_equal (back.content, content));
  g_clear_pointer (&plain, g_bytes_unref);

  body.content = text;
  plain = sotto_message_body_encode (&body, &error);
  g_assert_null (plain);
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT);
  g_clear_error (&error);

  /* Sealed as text, retyped as a file by hand: refused. */
  body.type = SOTTO_MESSAGE_BODY_TEXT;
  plain = sotto_message_body_encode (&body, &error);
  g_assert_no_error (error);
  {
    gsize size = g_bytes_get_size (plain);
    g_autofree guint8 *copy = g_memdup2 (g_bytes_get_data (plain, NULL), size);
    g_autoptr(GBytes) retyped = NULL;
    g_auto(SottoMessageBody) refused = { 0 };

    copy[1] = SOTTO_MESSAGE_BODY_FILE;
    retyped = g_bytes_new (copy, size);
    g_assert_false (sotto_message_body_decode (retyped, &refused, &error));
    g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT);
  }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (sodium_init (), >=, 0);

  g_test_add_func ("/sotto/e2e/file-message/round-trip", test_round_trip);
  g_test_add_func ("/sotto/e2e/file-message/refused-fields", test_refused_fields);
  g_test_add_func ("/sotto/e2e/file-message/strict", test_strict);
  g_test_add_func ("/sotto/e2e/file-message/safe-name", test_safe_name);
  g_test_add_func ("/sotto/e2e/file-message/body", test_body);

  return g_test_run ();
}
