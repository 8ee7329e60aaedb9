/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sotto-protocol.h"

/*
 * The binary messages that carry a blob's bytes ("upload_chunk", "blob"):
 * their layout both ways, every way a peer can get one wrong, and that
 * neither form is ever taken for the other.
 */

#define BLOB_SIZE_MAX SOTTO_PROTOCOL_BLOB_MAX_SIZE
#define DATA_MAX SOTTO_PROTOCOL_BLOB_DATA_MAX_BYTES
#define FROM_CLIENT SOTTO_MSG_FROM_CLIENT
#define FROM_SERVER SOTTO_MSG_FROM_SERVER

static const guint8 blob_id[SOTTO_PROTOCOL_BLOB_ID_BYTES] = {
  0x7d, 0x8b, 0x47, 0x47, 0x4c, 0xc5, 0x52, 0x7b, 0x4b, 0x4a, 0xb5, 0x87, 0xe6, 0x5f, 0x44, 0x7f,
};

static GBytes *
pattern (gsize len)
{
  guint8 *data = g_malloc (len);

  /* Newlines and NULs among them, which a JSON batch could not carry. */
  for (gsize i = 0; i < len; i++)
    data[i] = (guint8) (i * 7 + (i >> 8));

  return g_bytes_new_take (data, len);
}

static GBytes *
encode (SottoPieceKind kind,
        const char    *id,
        gint64         offset,
        gsize          data_len,
        gint64         size)
{
  g_autoptr(GBytes) data = pattern (data_len);

  return sotto_piece_encode (kind, id, blob_id, offset, data, size);
}

static SottoMsgDirection
sender_of (SottoPieceKind kind)
{
  return kind == SOTTO_PIECE_KIND_BLOB ? FROM_SERVER : FROM_CLIENT;
}

/* Where the fields after the id start, for an id of @id_len. */
#define AT_BLOB(id_len)   (3 + (id_len))
#define AT_OFFSET(id_len) (AT_BLOB (id_len) + SOTTO_PROTOCOL_BLOB_ID_BYTES)
#define AT_SIZE(id_len)   (AT_OFFSET (id_len) + 8)
#define AT_LENGTH(kind, id_len) \
  (AT_SIZE (id_len) + ((kind) == SOTTO_PIECE_KIND_BLOB ? 8 : 0))

static void
put_be (guint8  *at,
        guint64  value,
        guint    n_bytes)
{
  for (guint i = 0; i < n_bytes; i++)
    at[i] = (guint8) (value >> (8 * (n_bytes - 1 - i)));
}

static void
assert_refused (const guint8       *data,
                gsize               len,
                SottoMsgDirection   direction,
                SottoProtocolError  code)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, len);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) msg_error = NULL;
  SottoPiece *piece;
  SottoMsg *msg;

  piece = sotto_piece_parse (bytes, direction, NULL, &error);
  g_assert_null (piece);
  g_assert_error (error, SOTTO_PROTOCOL_ERROR, (int) code);

  /* The way in that receivers take says the same. */
  msg = sotto_msg_parse_bytes (bytes, direction, &msg_error);
  g_assert_null (msg);
  g_assert_nonnull (msg_error);
}

static void
check_round_trip (SottoPieceKind kind,
                  const char    *id,
                  gint64         offset,
                  gsize          data_len,
                  gint64         size)
{
  g_autoptr(GBytes) bytes = encode (kind, id, offset, data_len, size);
  g_autoptr(GBytes) expected = pattern (data_len);
  g_autoptr(SottoPiece) piece = NULL;
  g_autoptr(SottoMsg) msg = NULL;
  g_autoptr(GBytes) msg_data = NULL;
  g_autoptr(GBytes) again = NULL;
  g_autoptr(GError) error = NULL;
  guint8 msg_blob[SOTTO_PROTOCOL_BLOB_ID_BYTES];
  const guint8 *start;
  gsize len;

  start = g_bytes_get_data (bytes, &len);
  g_assert_true (sotto_piece_is_binary (start, len));
  g_assert_cmpuint (len, ==, AT_LENGTH (kind, strlen (id)) + 4 + data_len);

  piece = sotto_piece_parse (bytes, sender_of (kind), NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (piece);
  g_assert_cmpint (piece->kind, ==, kind);
  g_assert_cmpstr (piece->id, ==, id);
  g_assert_cmpmem (piece->blob, sizeof piece->blob, blob_id, sizeof blob_id);
  g_assert_cmpint (piece->offset, ==, offset);
  g_assert_cmpint (piece->size, ==, kind == SOTTO_PIECE_KIND_BLOB ? size : -1);
  g_assert_true (g_bytes_equal (piece->data, expected));
  /* A slice of the payload, not a copy. */
  g_assert_true (g_bytes_get_data (piece->data, NULL) == start + len - data_len);

  /* Seen through SottoMsg, as the server's handlers and the client's
   * transfers see it. */
  msg = sotto_msg_parse_bytes (bytes, sender_of (kind), &error);
  g_assert_no_error (error);
  g_assert_cmpint (sotto_msg_get_msg_type (msg), ==, sotto_piece_kind_to_msg_type (kind));
  g_assert_cmpstr (sotto_msg_get_id (msg), ==, id);
  g_assert_true (sotto_msg_get_blob_id (msg, msg_blob));
  g_assert_cmpmem (msg_blob, sizeof msg_blob, blob_id, sizeof blob_id);
  g_assert_cmpint (sotto_msg_get_int (msg, "offset"), ==, offset);
  if (kind == SOTTO_PIECE_KIND_BLOB)
    g_assert_cmpint (sotto_msg_get_int (msg, "size"), ==, size);
  msg_data = sotto_msg_dup_bytes (msg, "data");
  g_assert_true (g_bytes_equal (msg_data, expected));
  g_assert_null (sotto_msg_get_object (msg));
  again = sotto_msg_serialize (msg);
  g_assert_true (g_bytes_equal (again, bytes));
}

static void
test_round_trip (void)
{
  static const gsize lengths[] = { 1, 2, 10, 4096, DATA_MAX };

  for (guint i = 0; i < G_N_ELEMENTS (lengths); i++)
    {
      check_round_trip (SOTTO_PIECE_KIND_UPLOAD_CHUNK, "30", 0, lengths[i], -1);
      check_round_trip (SOTTO_PIECE_KIND_UPLOAD_CHUNK, "a", BLOB_SIZE_MAX - 1, lengths[i], -1);
      check_round_trip (SOTTO_PIECE_KIND_BLOB, "31", 0, lengths[i], 41);
      check_round_trip (SOTTO_PIECE_KIND_BLOB, "x-_Z9", BLOB_SIZE_MAX - 1, lengths[i],
                        BLOB_SIZE_MAX);
    }

  check_round_trip (SOTTO_PIECE_KIND_BLOB, "0123456789012345678901234567890123456789"
                    "012345678901234567890123", 7, 3, 1000);
}

/* The builders the client and the server call make binary messages. */
static void
test_builders (void)
{
  g_autoptr(GBytes) data = pattern (5);
  g_autoptr(GBytes) chunk = sotto_msg_build_upload_chunk ("c1", blob_id, 12, data);
  g_autoptr(GBytes) blob = sotto_msg_build_blob ("b1", blob_id, 12, data, 99);
  g_autoptr(GBytes) chunk_expected = sotto_piece_encode (SOTTO_PIECE_KIND_UPLOAD_CHUNK, "c1",
                                                         blob_id, 12, data, -1);
  g_autoptr(GBytes) blob_expected = sotto_piece_encode (SOTTO_PIECE_KIND_BLOB, "b1", blob_id,
                                                        12, data, 99);
  static const guint8 layout[] = {
    0x00, 0x02, 0x02, 'b', '1',
    0x7d, 0x8b, 0x47, 0x47, 0x4c, 0xc5, 0x52, 0x7b, 0x4b, 0x4a, 0xb5, 0x87, 0xe6, 0x5f, 0x44, 0x7f,
    0, 0, 0, 0, 0, 0, 0, 12,
    0, 0, 0, 0, 0, 0, 0, 99,
    0, 0, 0, 5,
  };

  g_assert_true (g_bytes_equal (chunk, chunk_expected));
  g_assert_true (g_bytes_equal (blob, blob_expected));

  /* The layout of docs/protocol.md, byte for byte. */
  g_assert_cmpuint (g_bytes_get_size (blob), ==, sizeof layout + 5);
  g_assert_cmpmem (g_bytes_get_data (blob, NULL), sizeof layout, layout, sizeof layout);
}

/* Each encoder refuses what a parser would refuse: a bug in the caller. */
static void
test_encode_refuses (void)
{
  g_autoptr(GBytes) empty = g_bytes_new (NULL, 0);
  g_autoptr(GBytes) over = pattern (DATA_MAX + 1);
  g_autoptr(GBytes) one = pattern (1);
  struct {
    SottoPieceKind kind;
    const char    *id;
    gint64         offset;
    GBytes        *data;
    gint64         size;
  } cases[] = {
    { SOTTO_PIECE_KIND_UPLOAD_CHUNK, "a", 0, empty, -1 },
    { SOTTO_PIECE_KIND_UPLOAD_CHUNK, "a", 0, over, -1 },
    { SOTTO_PIECE_KIND_UPLOAD_CHUNK, "a", -1, one, -1 },
    { SOTTO_PIECE_KIND_UPLOAD_CHUNK, "a", BLOB_SIZE_MAX, one, -1 },
    { SOTTO_PIECE_KIND_UPLOAD_CHUNK, "", 0, one, -1 },
    { SOTTO_PIECE_KIND_UPLOAD_CHUNK, "a b", 0, one, -1 },
    { SOTTO_PIECE_KIND_BLOB, "a", 0, one, 40 },
    { SOTTO_PIECE_KIND_BLOB, "a", 0, one, BLOB_SIZE_MAX + 1 },
    { 3, "a", 0, one, 41 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GBytes *bytes;

      g_test_expect_message ("sotto-protocol", G_LOG_LEVEL_CRITICAL, "*assertion*failed*");
      bytes = sotto_piece_encode (cases[i].kind, cases[i].id, blob_id, cases[i].offset,
                                  cases[i].data, cases[i].size);
      g_test_assert_expected_messages ();
      g_assert_null (bytes);
    }
}

/* Every prefix of a valid message is refused, at 0 bytes of it too. */
static void
test_truncated (void)
{
  static const SottoPieceKind kinds[] = { SOTTO_PIECE_KIND_UPLOAD_CHUNK, SOTTO_PIECE_KIND_BLOB };

  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      g_autoptr(GBytes) bytes = encode (kinds[k], "req-1", 100, 3, 200);
      gsize len;
      const guint8 *data = g_bytes_get_data (bytes, &len);

      for (gsize cut = 1; cut < len; cut++)
        assert_refused (data, cut, sender_of (kinds[k]), SOTTO_PROTOCOL_ERROR_MALFORMED);

      {
        g_autoptr(GBytes) nothing = g_bytes_new (NULL, 0);
        g_autoptr(GError) error = NULL;

        g_assert_false (sotto_piece_is_binary (data, 0));
        g_assert_null (sotto_piece_parse (nothing, sender_of (kinds[k]), NULL, &error));
        g_assert_error (error, SOTTO_PROTOCOL_ERROR, SOTTO_PROTOCOL_ERROR_MALFORMED);
      }
    }
}

static void
test_trailing (void)
{
  static const SottoPieceKind kinds[] = { SOTTO_PIECE_KIND_UPLOAD_CHUNK, SOTTO_PIECE_KIND_BLOB };

  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      g_autoptr(GBytes) bytes = encode (kinds[k], "req-1", 100, 3, 200);
      g_autoptr(GByteArray) longer = g_byte_array_new ();
      g_autoptr(GBytes) longer_bytes = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *request_id = NULL;
      gsize len;
      const guint8 *data = g_bytes_get_data (bytes, &len);

      for (guint extra = 1; extra <= 9; extra++)
        {
          g_byte_array_set_size (longer, 0);
          g_byte_array_append (longer, data, len);
          for (guint i = 0; i < extra; i++)
            g_byte_array_append (longer, (const guint8 *) "\n", 1);
          assert_refused (longer->data, longer->len, sender_of (kinds[k]),
                          SOTTO_PROTOCOL_ERROR_MALFORMED);
        }

      /* The error can still answer the request. */
      longer_bytes = g_bytes_new (longer->data, longer->len);
      g_assert_null (sotto_piece_parse (longer_bytes, sender_of (kinds[k]), &request_id, &error));
      g_assert_cmpstr (request_id, ==, "req-1");
    }
}

/* Copies @bytes, lets @edit change it, and checks it is refused. */
static void
assert_edit_refused (GBytes             *bytes,
                     SottoMsgDirection   direction,
                     gsize               at,
                     guint64             value,
                     guint               n_bytes,
                     SottoProtocolError  code)
{
  gsize len;
  g_autofree guint8 *copy = g_memdup2 (g_bytes_get_data (bytes, &len), g_bytes_get_size (bytes));

  g_assert_cmpuint (at + n_bytes, <=, len);
  put_be (copy + at, value, n_bytes);
  assert_refused (copy, len, direction, code);
}

static void
test_out_of_range (void)
{
  static const SottoPieceKind kinds[] = { SOTTO_PIECE_KIND_UPLOAD_CHUNK, SOTTO_PIECE_KIND_BLOB };
  const SottoProtocolError bad = SOTTO_PROTOCOL_ERROR_BAD_FIELD;

  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      SottoPieceKind kind = kinds[k];
      SottoMsgDirection from = sender_of (kind);
      g_autoptr(GBytes) bytes = encode (kind, "abc", 100, 3, 200);
      gsize at_length = AT_LENGTH (kind, 3);

      /* The kind: unknown, or from the other side. */
      assert_edit_refused (bytes, from, 1, 0, 1, SOTTO_PROTOCOL_ERROR_UNKNOWN_TYPE);
      assert_edit_refused (bytes, from, 1, 3, 1, SOTTO_PROTOCOL_ERROR_UNKNOWN_TYPE);
      assert_edit_refused (bytes, from, 1, 0xff, 1, SOTTO_PROTOCOL_ERROR_UNKNOWN_TYPE);
      assert_refused (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                      from == FROM_CLIENT ? FROM_SERVER : FROM_CLIENT,
                      SOTTO_PROTOCOL_ERROR_WRONG_DIRECTION);

      /* The id: its length, and what it holds. */
      assert_edit_refused (bytes, from, 2, 0, 1, bad);
      assert_edit_refused (bytes, from, 2, 65, 1, bad);
      assert_edit_refused (bytes, from, 2, 0xff, 1, bad);
      assert_edit_refused (bytes, from, 3, ' ', 1, bad);
      assert_edit_refused (bytes, from, 4, 0, 1, bad);
      assert_edit_refused (bytes, from, 5, 0xc3, 1, bad);
      assert_edit_refused (bytes, from, 3, '\n', 1, bad);

      /* The offset: a piece always starts before the largest blob's end. */
      assert_edit_refused (bytes, from, AT_OFFSET (3), BLOB_SIZE_MAX, 8, bad);
      assert_edit_refused (bytes, from, AT_OFFSET (3), G_MAXINT64, 8, bad);
      assert_edit_refused (bytes, from, AT_OFFSET (3), (guint64) G_MAXINT64 + 1, 8, bad);
      assert_edit_refused (bytes, from, AT_OFFSET (3), G_MAXUINT64, 8, bad);

      /* The size of the blob. */
      if (kind == SOTTO_PIECE_KIND_BLOB)
        {
          assert_edit_refused (bytes, from, AT_SIZE (3), 0, 8, bad);
          assert_edit_refused (bytes, from, AT_SIZE (3), 40, 8, bad);
          assert_edit_refused (bytes, from, AT_SIZE (3), BLOB_SIZE_MAX + 1, 8, bad);
          assert_edit_refused (bytes, from, AT_SIZE (3), G_MAXUINT64, 8, bad);
        }

      /* The data's length: empty, over the limit, or not what follows. */
      assert_edit_refused (bytes, from, at_length, 0, 4, bad);
      assert_edit_refused (bytes, from, at_length, DATA_MAX + 1, 4, bad);
      assert_edit_refused (bytes, from, at_length, G_MAXUINT32, 4, bad);
      assert_edit_refused (bytes, from, at_length, 4, 4, SOTTO_PROTOCOL_ERROR_MALFORMED);
      assert_edit_refused (bytes, from, at_length, 2, 4, SOTTO_PROTOCOL_ERROR_MALFORMED);
      assert_edit_refused (bytes, from, at_length, DATA_MAX, 4, SOTTO_PROTOCOL_ERROR_MALFORMED);
    }
}

/* A failure after a well-formed id names it, so that the error reply
 * fails the right request; before it, there is none to name. */
static void
test_request_id (void)
{
  g_autoptr(GBytes) bytes = encode (SOTTO_PIECE_KIND_UPLOAD_CHUNK, "r9", 0, 3, -1);
  g_autofree guint8 *copy = g_memdup2 (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  gsize len = g_bytes_get_size (bytes);
  g_autoptr(GBytes) bad_offset = NULL;
  g_autoptr(GBytes) bad_id = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) id_error = NULL;
  g_autoptr(GError) msg_error = NULL;
  g_autofree char *request_id = NULL;
  g_autofree char *no_id = NULL;
  g_autofree char *msg_request_id = NULL;
  g_autoptr(SottoMsg) msg = NULL;

  put_be (copy + AT_OFFSET (2), G_MAXUINT64, 8);
  bad_offset = g_bytes_new (copy, len);
  g_assert_null (sotto_piece_parse (bad_offset, FROM_CLIENT, &request_id, &error));
  g_assert_error (error, SOTTO_PROTOCOL_ERROR, SOTTO_PROTOCOL_ERROR_BAD_FIELD);
  g_assert_cmpstr (request_id, ==, "r9");

  msg = sotto_msg_parse_bytes_full (bad_offset, FROM_CLIENT, &msg_request_id, &msg_error);
  g_assert_null (msg);
  g_assert_cmpstr (msg_request_id, ==, "r9");
  g_assert_cmpint (sotto_msg_error_code_for_parse_error (msg_error), ==,
                   SOTTO_MSG_ERROR_CODE_BAD_REQUEST);

  copy[3] = '!';
  bad_id = g_bytes_new (copy, len);
  g_assert_null (sotto_piece_parse (bad_id, FROM_CLIENT, &no_id, &id_error));
  g_assert_null (no_id);
}

/* JSON is never read as binary, nor binary as JSON. */
static void
test_json_apart (void)
{
  static const char *json_messages[] = {
    "{\"type\":\"ping\",\"id\":\"1\"}",
    " {\"type\":\"ping\",\"id\":\"1\"}",
    ("{\"type\":\"download\",\"id\":\"31\",\"blob\":\"fYtHR0zFUntLSrWH5l9Efw==\",\"offset\":0,"
     "\"length\":262144}"),
  };
  const char *json_chunk = "{\"type\":\"upload_chunk\",\"id\":\"30\","
                           "\"blob\":\"fYtHR0zFUntLSrWH5l9Efw==\",\"offset\":0,\"data\":\"AAEC\"}";
  const char *json_blob = "{\"type\":\"blob\",\"id\":\"31\",\"blob\":\"fYtHR0zFUntLSrWH5l9Efw==\","
                          "\"offset\":0,\"data\":\"AAEC\",\"size\":41}";
  g_autoptr(GBytes) binary = encode (SOTTO_PIECE_KIND_UPLOAD_CHUNK, "30", 0, 3, -1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) blob_error = NULL;
  g_autofree char *request_id = NULL;
  g_autoptr(SottoMsg) chunk = NULL;
  g_autoptr(SottoMsg) blob = NULL;
  g_autoptr(SottoMsg) from_copy = NULL;
  g_autoptr(GByteArray) nul_json = g_byte_array_new ();

  for (guint i = 0; i < G_N_ELEMENTS (json_messages); i++)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (json_messages[i], strlen (json_messages[i]));
      g_autoptr(GError) piece_error = NULL;
      g_autoptr(SottoMsg) msg = NULL;

      g_assert_false (sotto_piece_is_binary ((const guint8 *) json_messages[i],
                                             strlen (json_messages[i])));
      g_assert_null (sotto_piece_parse (bytes, FROM_CLIENT, NULL, &piece_error));
      g_assert_error (piece_error, SOTTO_PROTOCOL_ERROR, SOTTO_PROTOCOL_ERROR_MALFORMED);

      msg = sotto_msg_parse_bytes (bytes, FROM_CLIENT, NULL);
      g_assert_nonnull (msg);
      g_assert_nonnull (sotto_msg_get_object (msg));
    }

  /* The pieces as JSON, as before: refused, with the id to answer. */
  chunk = sotto_msg_parse_full ((const guint8 *) json_chunk, strlen (json_chunk), FROM_CLIENT,
                                &request_id, &error);
  g_assert_null (chunk);
  g_assert_error (error, SOTTO_PROTOCOL_ERROR, SOTTO_PROTOCOL_ERROR_MALFORMED);
  g_assert_nonnull (strstr (error->message, "binary"));
  g_assert_cmpstr (request_id, ==, "30");
  blob = sotto_msg_parse ((const guint8 *) json_blob, strlen (json_blob), FROM_SERVER,
                          &blob_error);
  g_assert_null (blob);
  g_assert_error (blob_error, SOTTO_PROTOCOL_ERROR, SOTTO_PROTOCOL_ERROR_MALFORMED);

  /* A binary message through the JSON entry point is still read as
   * binary (from a copy), never handed to the JSON scanner. */
  from_copy = sotto_msg_parse (g_bytes_get_data (binary, NULL), g_bytes_get_size (binary),
                               FROM_CLIENT, NULL);
  g_assert_nonnull (from_copy);
  g_assert_cmpint (sotto_msg_get_msg_type (from_copy), ==, SOTTO_MSG_TYPE_UPLOAD_CHUNK);

  /* JSON after a NUL is neither. */
  g_byte_array_append (nul_json, (const guint8 *) "\0", 1);
  g_byte_array_append (nul_json, (const guint8 *) json_messages[0], strlen (json_messages[0]));
  assert_refused (nul_json->data, nul_json->len, FROM_CLIENT, SOTTO_PROTOCOL_ERROR_UNKNOWN_TYPE);
}

/* The hexadecimal examples of docs/protocol.md parse, and say what the
 * text says. */
static void
test_docs_examples (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "..", "docs", "protocol.md", NULL);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) blocks = NULL;
  guint n_examples = 0;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);

  blocks = g_strsplit (text, "```\n00 0", -1);
  for (guint i = 1; blocks[i] != NULL; i++)
    {
      g_autoptr(GByteArray) bytes = g_byte_array_new ();
      g_autoptr(GBytes) payload = NULL;
      g_autoptr(SottoPiece) piece = NULL;
      g_autoptr(GError) parse_error = NULL;
      const char *end = strstr (blocks[i], "```");
      g_autofree char *rest = NULL;
      g_autofree char *hex = NULL;
      g_auto(GStrv) tokens = NULL;

      g_assert_nonnull (end);
      rest = g_strndup (blocks[i], end - blocks[i]);
      hex = g_strconcat ("00 0", rest, NULL);
      tokens = g_strsplit_set (hex, " \n", -1);
      for (guint t = 0; tokens[t] != NULL; t++)
        {
          guint8 byte;

          if (tokens[t][0] == '\0')
            continue;
          g_assert_cmpuint (strlen (tokens[t]), ==, 2);
          g_assert_true (g_ascii_isxdigit (tokens[t][0]) && g_ascii_isxdigit (tokens[t][1]));
          byte = (guint8) (g_ascii_xdigit_value (tokens[t][0]) * 16 +
                           g_ascii_xdigit_value (tokens[t][1]));
          g_byte_array_append (bytes, &byte, 1);
        }

      payload = g_bytes_new (bytes->data, bytes->len);
      piece = sotto_piece_parse (payload, bytes->data[1] == SOTTO_PIECE_KIND_BLOB ? FROM_SERVER
                                                                                 : FROM_CLIENT,
                                 NULL, &parse_error);
      g_assert_no_error (parse_error);
      g_assert_cmpmem (piece->blob, sizeof piece->blob, blob_id, sizeof blob_id);
      g_assert_cmpint (piece->offset, ==, 0);
      g_assert_cmpuint (g_bytes_get_size (piece->data), ==, 3);
      if (piece->kind == SOTTO_PIECE_KIND_BLOB)
        {
          g_assert_cmpstr (piece->id, ==, "31");
          g_assert_cmpint (piece->size, ==, 51);
        }
      else
        {
          g_assert_cmpstr (piece->id, ==, "30");
        }
      n_examples++;
    }

  g_assert_cmpuint (n_examples, ==, 2);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sotto/pieces/round-trip", test_round_trip);
  g_test_add_func ("/sotto/pieces/builders", test_builders);
  g_test_add_func ("/sotto/pieces/encode-refuses", test_encode_refuses);
  g_test_add_func ("/sotto/pieces/truncated", test_truncated);
  g_test_add_func ("/sotto/pieces/trailing", test_trailing);
  g_test_add_func ("/sotto/pieces/out-of-range", test_out_of_range);
  g_test_add_func ("/sotto/pieces/request-id", test_request_id);
  g_test_add_func ("/sotto/pieces/json-apart", test_json_apart);
  g_test_add_func ("/sotto/pieces/docs-examples", test_docs_examples);

  return g_test_run ();
}
