/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib.h>

#include "sotto-e2e-error.h"
#include "sotto-file-crypt.h"

G_BEGIN_DECLS

/* The blob's id, chosen by the sender at random. */
#define SOTTO_FILE_ID_BYTES 16

/* The longest file name a message carries, in bytes of UTF-8. */
#define SOTTO_FILE_NAME_MAX_BYTES 255

/* The longest media type, e.g. "image/png". */
#define SOTTO_FILE_TYPE_MAX_BYTES 127

/* The largest thumbnail a message carries. */
#define SOTTO_FILE_THUMBNAIL_MAX_BYTES (16 * 1024)

/* The largest image side a message may claim. */
#define SOTTO_FILE_IMAGE_MAX_SIDE 65535

/**
 * SottoFileMessage:
 * @id: the blob's id on the server
 * @key: the file's key
 * @hash: the blob's hash
 * @size: the file's size in bytes
 * @name: the file's name as the sender gave it, UTF-8: shown, never used
 *   as a path as it is (sotto_file_message_safe_name())
 * @type: its media type, as the sender says ("application/octet-stream"
 *   when unknown)
 * @width: an image's width in pixels, 0 for other files
 * @height: an image's height in pixels, 0 for other files
 * @thumbnail: (nullable): a small PNG or JPEG of an image
 *
 * What a message says of a file it sends: where the server keeps it, and
 * how to open and check it.
 */
typedef struct
{
  guint8   id[SOTTO_FILE_ID_BYTES];
  guint8   key[SOTTO_FILE_KEY_BYTES];
  guint8   hash[SOTTO_FILE_HASH_BYTES];
  guint64  size;
  char    *name;
  char    *type;
  guint32  width;
  guint32  height;
  GBytes  *thumbnail;
} SottoFileMessage;

GBytes   *sotto_file_message_encode    (const SottoFileMessage  *file,
                                        GError                 **error);
gboolean  sotto_file_message_decode    (GBytes                  *content,
                                        SottoFileMessage        *file,
                                        GError                 **error);
void      sotto_file_message_clear     (SottoFileMessage        *file);
SottoFileMessage *sotto_file_message_copy (const SottoFileMessage *file);
void      sotto_file_message_free      (SottoFileMessage        *file);
char     *sotto_file_message_safe_name (const char              *name);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SottoFileMessage, sotto_file_message_clear)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SottoFileMessage, sotto_file_message_free)

G_END_DECLS
