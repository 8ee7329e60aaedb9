/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib.h>

#include "sotto-protocol-types.h"

G_BEGIN_DECLS

/* The first byte of a binary message; no JSON message starts with it (a
 * message with a NUL byte anywhere is refused), so one byte tells the two
 * apart. */
#define SOTTO_PIECE_MARKER 0x00

/* The most bytes a binary message holds besides its data: marker, kind,
 * id length, an id of 64 characters, blob id, offset, size, data length. */
#define SOTTO_PIECE_MAX_HEADER_BYTES (3 + SOTTO_PROTOCOL_ID_MAX_LEN + \
                                      SOTTO_PROTOCOL_BLOB_ID_BYTES + 8 + 8 + 4)

/**
 * SottoPieceKind:
 * @SOTTO_PIECE_KIND_UPLOAD_CHUNK: "upload_chunk", client to server
 * @SOTTO_PIECE_KIND_BLOB: "blob", server to client, the reply to "download"
 *
 * The second byte of a binary message.
 */
typedef enum
{
  SOTTO_PIECE_KIND_UPLOAD_CHUNK = 0x01,
  SOTTO_PIECE_KIND_BLOB = 0x02,
} SottoPieceKind;

/**
 * SottoPiece:
 * @kind: which message
 * @id: the request id, NUL-terminated
 * @blob: the blob id
 * @offset: where @data starts in the blob
 * @size: the whole blob's size ("blob" only; -1 for "upload_chunk")
 * @data: the piece: a slice of the payload it was parsed from, not a copy
 *
 * A piece of a blob as it travels: "upload_chunk" or "blob", in the
 * binary layout of docs/protocol.md (“Binary messages”).
 */
typedef struct
{
  SottoPieceKind kind;
  char           id[SOTTO_PROTOCOL_ID_MAX_LEN + 1];
  guint8         blob[SOTTO_PROTOCOL_BLOB_ID_BYTES];
  gint64         offset;
  gint64         size;
  GBytes        *data;
} SottoPiece;

gboolean    sotto_piece_is_binary          (const guint8       *data,
                                            gsize               len);
GBytes     *sotto_piece_encode             (SottoPieceKind      kind,
                                            const char         *id,
                                            const guint8       *blob,
                                            gint64              offset,
                                            GBytes             *data,
                                            gint64              size);
SottoPiece *sotto_piece_parse              (GBytes             *payload,
                                            SottoMsgDirection   direction,
                                            char              **out_request_id,
                                            GError            **error);
SottoMsgType sotto_piece_kind_to_msg_type  (SottoPieceKind      kind);
void        sotto_piece_free               (SottoPiece         *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SottoPiece, sotto_piece_free)

G_END_DECLS
