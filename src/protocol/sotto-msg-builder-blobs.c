/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "sotto-msg-builder.h"
#include "sotto-msg-builder-private.h"
#include "sotto-protocol-pieces.h"

/* Files, both ways: a client uploads a sealed file as an opaque blob, in
 * pieces, and members of its room download it, in pieces. The server
 * learns sizes and offsets, never what a blob holds. */

static void
add_blob_id (JsonBuilder  *builder,
             const guint8 *blob)
{
  add_base64 (builder, "blob", blob, SOTTO_PROTOCOL_BLOB_ID_BYTES);
}

/**
 * sotto_msg_build_upload:
 * @blob: the blob's id, %SOTTO_PROTOCOL_BLOB_ID_BYTES bytes the client drew
 * @room: the room the file is sent to
 * @size: the whole blob's size in bytes, at least
 *   %SOTTO_PROTOCOL_BLOB_MIN_SIZE
 */
GBytes *
sotto_msg_build_upload (const char   *id,
                        const guint8 *blob,
                        const char   *room,
                        gint64        size)
{
  JsonBuilder *builder;

  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (blob != NULL, NULL);
  g_return_val_if_fail (room != NULL, NULL);

  builder = begin_request ("upload", id);
  add_blob_id (builder, blob);
  add_string (builder, "room", room);
  add_int (builder, "size", size);

  return end_message (builder);
}

/**
 * sotto_msg_build_upload_chunk:
 * @offset: where in the blob @data goes: how much of it the server holds
 * @data: 1 to %SOTTO_PROTOCOL_BLOB_DATA_MAX_BYTES bytes of the blob
 *
 * Returns: (transfer full): a binary message (sotto_piece_encode()), to be
 *   sent in a frame of its own (sotto_channel_send_bulk())
 */
GBytes *
sotto_msg_build_upload_chunk (const char   *id,
                              const guint8 *blob,
                              gint64        offset,
                              GBytes       *data)
{
  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (blob != NULL, NULL);
  g_return_val_if_fail (data != NULL, NULL);

  return sotto_piece_encode (SOTTO_PIECE_KIND_UPLOAD_CHUNK, id, blob, offset, data, -1);
}

/**
 * sotto_msg_build_download:
 * @offset: where in the blob to start
 * @length: how many bytes to read, 1 to %SOTTO_PROTOCOL_BLOB_DATA_MAX_BYTES
 */
GBytes *
sotto_msg_build_download (const char   *id,
                          const guint8 *blob,
                          gint64        offset,
                          gint64        length)
{
  JsonBuilder *builder;

  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (blob != NULL, NULL);

  builder = begin_request ("download", id);
  add_blob_id (builder, blob);
  add_int (builder, "offset", offset);
  add_int (builder, "length", length);

  return end_message (builder);
}

/**
 * sotto_msg_build_upload_at:
 * @offset: how many bytes of the blob the server holds; its size once it
 *   is complete
 */
GBytes *
sotto_msg_build_upload_at (const char   *id,
                           const guint8 *blob,
                           gint64        offset)
{
  JsonBuilder *builder;

  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (blob != NULL, NULL);

  builder = begin_request ("upload_at", id);
  add_blob_id (builder, blob);
  add_int (builder, "offset", offset);

  return end_message (builder);
}

/**
 * sotto_msg_build_blob:
 * @offset: where in the blob @data starts
 * @data: 1 to %SOTTO_PROTOCOL_BLOB_DATA_MAX_BYTES bytes of the blob
 * @size: the whole blob's size
 *
 * Returns: (transfer full): a binary message (sotto_piece_encode()), to be
 *   sent in a frame of its own (sotto_channel_send_bulk())
 */
GBytes *
sotto_msg_build_blob (const char   *id,
                      const guint8 *blob,
                      gint64        offset,
                      GBytes       *data,
                      gint64        size)
{
  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (blob != NULL, NULL);
  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (size >= 0, NULL);

  return sotto_piece_encode (SOTTO_PIECE_KIND_BLOB, id, blob, offset, data, size);
}
