/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "sotto-protocol.h"

/*
 * The binary messages that carry a blob's bytes, read as the server reads
 * an "upload_chunk" and as a client reads a "blob": whatever a peer sends
 * is refused with an error or read into fields within their ranges, and
 * what is read encodes back to exactly the bytes it came from.
 */

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);

  return 0;
}

static void
check_piece (const SottoPiece *piece,
             GBytes           *payload,
             SottoMsgDirection direction)
{
  g_autoptr(GBytes) again = NULL;
  gsize len;
  const guint8 *start = g_bytes_get_data (payload, &len);
  gsize data_len = g_bytes_get_size (piece->data);

  g_assert_cmpint (piece->kind, ==, direction == SOTTO_MSG_FROM_CLIENT
                                    ? SOTTO_PIECE_KIND_UPLOAD_CHUNK : SOTTO_PIECE_KIND_BLOB);
  g_assert_true (sotto_protocol_id_is_valid (piece->id));
  g_assert_cmpint (piece->offset, >=, 0);
  g_assert_cmpint (piece->offset, <, SOTTO_PROTOCOL_BLOB_MAX_SIZE);
  if (piece->kind == SOTTO_PIECE_KIND_BLOB)
    {
      g_assert_cmpint (piece->size, >=, SOTTO_PROTOCOL_BLOB_MIN_SIZE);
      g_assert_cmpint (piece->size, <=, SOTTO_PROTOCOL_BLOB_MAX_SIZE);
    }
  else
    {
      g_assert_cmpint (piece->size, ==, -1);
    }
  g_assert_cmpuint (data_len, >=, 1);
  g_assert_cmpuint (data_len, <=, SOTTO_PROTOCOL_BLOB_DATA_MAX_BYTES);
  /* The data is the end of the payload, not a copy of it. */
  g_assert_true ((const guint8 *) g_bytes_get_data (piece->data, NULL) == start + len - data_len);

  again = sotto_piece_encode (piece->kind, piece->id, piece->blob, piece->offset, piece->data,
                              piece->size);
  g_assert_true (g_bytes_equal (again, payload));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  const SottoMsgDirection directions[] = { SOTTO_MSG_FROM_CLIENT, SOTTO_MSG_FROM_SERVER };
  g_autoptr(GBytes) payload = g_bytes_new (data, size);

  for (guint d = 0; d < G_N_ELEMENTS (directions); d++)
    {
      g_autoptr(SottoPiece) piece = NULL;
      g_autoptr(SottoMsg) msg = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GError) msg_error = NULL;
      g_autofree char *request_id = NULL;
      g_autofree char *msg_request_id = NULL;

      piece = sotto_piece_parse (payload, directions[d], &request_id, &error);
      if (piece == NULL)
        {
          g_assert_nonnull (error);
          g_assert_true (error->domain == SOTTO_PROTOCOL_ERROR);
          g_assert_true (g_utf8_validate (error->message, -1, NULL));
          if (request_id != NULL)
            g_assert_true (sotto_protocol_id_is_valid (request_id));
        }
      else
        {
          g_assert_no_error (error);
          g_assert_null (request_id);
          check_piece (piece, payload, directions[d]);
        }

      /* The way in receivers take agrees with the parser. */
      msg = sotto_msg_parse_bytes_full (payload, directions[d], &msg_request_id, &msg_error);
      if (sotto_piece_is_binary (data, size))
        {
          g_assert_true ((msg != NULL) == (piece != NULL));
          g_assert_cmpstr (msg_request_id, ==, request_id);
        }
      if (msg != NULL && piece != NULL)
        {
          g_autoptr(GBytes) msg_data = sotto_msg_dup_bytes (msg, "data");

          g_assert_cmpstr (sotto_msg_get_id (msg), ==, piece->id);
          g_assert_cmpint (sotto_msg_get_int (msg, "offset"), ==, piece->offset);
          g_assert_true (g_bytes_equal (msg_data, piece->data));
        }
    }

  return 0;
}
