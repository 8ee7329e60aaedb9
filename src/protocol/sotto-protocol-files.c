/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sotto-protocol-types.h"

/*
 * What a file of a given size costs as a blob, once for the server (which
 * limits blobs by the size of the files they hold) and the clients: the
 * stream's header, and what each chunk adds when it is sealed.
 */

/**
 * sotto_protocol_blob_size:
 * @file_size: a file's size in bytes, 0 to 1 TiB
 *
 * Returns: the size of the blob that holds a file of @file_size, as
 *   src/e2e/sotto-file-crypt.c seals it; -1 for a size out of range
 */
gint64
sotto_protocol_blob_size (gint64 file_size)
{
  gint64 chunks;

  g_return_val_if_fail (file_size >= 0, -1);
  g_return_val_if_fail (file_size <= (G_GINT64_CONSTANT (1) << 40), -1);

  /* An empty file is one chunk of nothing. */
  chunks = file_size == 0 ? 1 : (file_size + SOTTO_PROTOCOL_FILE_CHUNK_BYTES - 1) /
                                SOTTO_PROTOCOL_FILE_CHUNK_BYTES;

  return SOTTO_PROTOCOL_FILE_HEADER_BYTES + file_size + chunks * SOTTO_PROTOCOL_FILE_CHUNK_OVERHEAD;
}
