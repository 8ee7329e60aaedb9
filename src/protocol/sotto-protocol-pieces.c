/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "sotto-protocol-pieces.h"
#include "sotto-protocol-private.h"

/*
 * The two messages that carry a blob's bytes, "upload_chunk" and "blob",
 * travel as binary messages: a fixed layout read field by field, with the
 * piece itself as raw bytes after them, so that 256 KiB of file goes
 * through neither base64 nor a JSON tree on either side. Every other
 * message is JSON. The ranges checked are those of the message's schema
 * (sotto-protocol-schema.c), the same the JSON form was held to.
 *
 *   marker 0x00 | kind | id length | id | blob id (16) | offset (8)
 *   | size (8, "blob" only) | data length (4) | data
 *
 * Integers are unsigned and big-endian.
 */

#define HEAD_BYTES 3 /* marker, kind, id length */

typedef struct
{
  const guint8 *data;
  gsize         len;
  gsize         pos;
  const char   *type_name;
} Reader;

/**
 * sotto_piece_is_binary:
 * @data: (array length=len): one message
 * @len: its length
 *
 * Returns: %TRUE if @data is a binary message rather than JSON, by its
 *   first byte; whether it is a valid one is sotto_piece_parse()'s call
 */
gboolean
sotto_piece_is_binary (const guint8 *data,
                       gsize         len)
{
  return len > 0 && data[0] == SOTTO_PIECE_MARKER;
}

/**
 * sotto_piece_kind_to_msg_type:
 * @kind: a kind of binary message
 *
 * Returns: the message type it carries
 */
SottoMsgType
sotto_piece_kind_to_msg_type (SottoPieceKind kind)
{
  switch (kind)
    {
    case SOTTO_PIECE_KIND_UPLOAD_CHUNK:
      return SOTTO_MSG_TYPE_UPLOAD_CHUNK;
    case SOTTO_PIECE_KIND_BLOB:
      return SOTTO_MSG_TYPE_BLOB;
    default:
      return SOTTO_MSG_TYPE_INVALID;
    }
}

static const SottoFieldSchema *
field_schema (SottoPieceKind  kind,
              const char     *name)
{
  SottoMsgType type = sotto_piece_kind_to_msg_type (kind);
  SottoMsgDirection direction = kind == SOTTO_PIECE_KIND_BLOB ? SOTTO_MSG_FROM_SERVER
                                                              : SOTTO_MSG_FROM_CLIENT;
  const SottoMsgSchema *schema = _sotto_msg_schema_get (type, direction);

  g_assert (schema != NULL);

  return _sotto_object_schema_find (&schema->body, name);
}

static gboolean
in_range (SottoPieceKind  kind,
          const char     *name,
          gint64          value)
{
  const SottoFieldSchema *field = field_schema (kind, name);

  return value >= field->min && value <= field->max;
}

static void
put_be (GByteArray *out,
        guint64     value,
        guint       n_bytes)
{
  guint8 bytes[8];

  for (guint i = 0; i < n_bytes; i++)
    bytes[i] = (guint8) (value >> (8 * (n_bytes - 1 - i)));

  g_byte_array_append (out, bytes, n_bytes);
}

/**
 * sotto_piece_encode:
 * @kind: which message
 * @id: the request id
 * @blob: (array fixed-size=16): the blob id
 * @offset: where @data starts in the blob
 * @data: 1 to %SOTTO_PROTOCOL_BLOB_DATA_MAX_BYTES bytes of the blob
 * @size: the whole blob's size for %SOTTO_PIECE_KIND_BLOB; ignored otherwise
 *
 * Returns: (transfer full): the binary message
 */
GBytes *
sotto_piece_encode (SottoPieceKind  kind,
                    const char     *id,
                    const guint8   *blob,
                    gint64          offset,
                    GBytes         *data,
                    gint64          size)
{
  g_autoptr(GByteArray) out = NULL;
  gsize data_len;
  const guint8 *bytes;
  gsize id_len;

  g_return_val_if_fail (kind == SOTTO_PIECE_KIND_UPLOAD_CHUNK ||
                        kind == SOTTO_PIECE_KIND_BLOB, NULL);
  g_return_val_if_fail (id != NULL && sotto_protocol_id_is_valid (id), NULL);
  g_return_val_if_fail (blob != NULL, NULL);
  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (in_range (kind, "offset", offset), NULL);
  g_return_val_if_fail (in_range (kind, "data", g_bytes_get_size (data)), NULL);
  g_return_val_if_fail (kind != SOTTO_PIECE_KIND_BLOB || in_range (kind, "size", size), NULL);

  bytes = g_bytes_get_data (data, &data_len);
  id_len = strlen (id);

  out = g_byte_array_sized_new (HEAD_BYTES + id_len + SOTTO_PROTOCOL_BLOB_ID_BYTES + 8 + 8 + 4 +
                                data_len);
  put_be (out, SOTTO_PIECE_MARKER, 1);
  put_be (out, kind, 1);
  put_be (out, id_len, 1);
  g_byte_array_append (out, (const guint8 *) id, id_len);
  g_byte_array_append (out, blob, SOTTO_PROTOCOL_BLOB_ID_BYTES);
  put_be (out, (guint64) offset, 8);
  if (kind == SOTTO_PIECE_KIND_BLOB)
    put_be (out, (guint64) size, 8);
  put_be (out, data_len, 4);
  g_byte_array_append (out, bytes, data_len);

  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

/* Takes @n bytes, or says the message ended inside @field. */
static const guint8 *
take (Reader      *reader,
      gsize        n,
      const char  *field,
      GError     **error)
{
  const guint8 *at;

  if (reader->len - reader->pos < n)
    {
      g_set_error (error, SOTTO_PROTOCOL_ERROR, SOTTO_PROTOCOL_ERROR_MALFORMED,
                   _("binary message “%s”: it ends inside field “%s”"),
                   reader->type_name, field);
      return NULL;
    }

  at = reader->data + reader->pos;
  reader->pos += n;

  return at;
}

static gboolean
take_be (Reader      *reader,
         guint        n_bytes,
         const char  *field,
         guint64     *out_value,
         GError     **error)
{
  const guint8 *at = take (reader, n_bytes, field, error);
  guint64 value = 0;

  if (at == NULL)
    return FALSE;

  for (guint i = 0; i < n_bytes; i++)
    value = (value << 8) | at[i];

  *out_value = value;

  return TRUE;
}

/* An integer field, held to its schema's range. */
static gboolean
take_int (Reader          *reader,
          SottoPieceKind   kind,
          const char      *field,
          gint64          *out_value,
          GError         **error)
{
  const SottoFieldSchema *schema = field_schema (kind, field);
  SottoFieldPath path = { NULL, field, -1 };
  guint64 value;

  if (!take_be (reader, 8, field, &value, error))
    return FALSE;

  if (value > (guint64) schema->max || (gint64) value < schema->min)
    return _sotto_protocol_bad_range (error, &path, schema);

  *out_value = (gint64) value;

  return TRUE;
}

/* The kind, and whether @direction may send it; the id that follows is
 * read even when not, to answer with. */
static gboolean
check_kind (guint64             kind,
            SottoMsgDirection   direction,
            Reader             *reader,
            GError            **error)
{
  SottoMsgType type = sotto_piece_kind_to_msg_type ((SottoPieceKind) kind);

  if (type == SOTTO_MSG_TYPE_INVALID)
    {
      g_set_error (error, SOTTO_PROTOCOL_ERROR, SOTTO_PROTOCOL_ERROR_UNKNOWN_TYPE,
                   _("unknown binary message kind %u"), (guint) kind);
      return FALSE;
    }

  reader->type_name = sotto_msg_type_to_string (type);

  if (kind == SOTTO_PIECE_KIND_BLOB && direction == SOTTO_MSG_FROM_CLIENT)
    {
      g_set_error (error, SOTTO_PROTOCOL_ERROR, SOTTO_PROTOCOL_ERROR_WRONG_DIRECTION,
                   _("message type “%s” is only sent by servers"), reader->type_name);
      return FALSE;
    }

  if (kind == SOTTO_PIECE_KIND_UPLOAD_CHUNK && direction == SOTTO_MSG_FROM_SERVER)
    {
      g_set_error (error, SOTTO_PROTOCOL_ERROR, SOTTO_PROTOCOL_ERROR_WRONG_DIRECTION,
                   _("message type “%s” is only sent by clients"), reader->type_name);
      return FALSE;
    }

  return TRUE;
}

static gboolean
take_id (Reader          *reader,
         char            *out_id,
         GError         **error)
{
  SottoFieldPath path = { NULL, "id", -1 };
  const guint8 *at;
  guint64 len;

  if (!take_be (reader, 1, "id", &len, error))
    return FALSE;

  if (len < 1 || len > SOTTO_PROTOCOL_ID_MAX_LEN)
    return _sotto_protocol_bad_string (error, &path, field_schema (SOTTO_PIECE_KIND_UPLOAD_CHUNK, "id"));

  at = take (reader, len, "id", error);
  if (at == NULL)
    return FALSE;

  memcpy (out_id, at, len);
  out_id[len] = '\0';

  /* A NUL inside is caught here too: the id would end early. */
  if (strlen (out_id) != len || !sotto_protocol_id_is_valid (out_id))
    return _sotto_protocol_bad_string (error, &path, field_schema (SOTTO_PIECE_KIND_UPLOAD_CHUNK, "id"));

  return TRUE;
}

static gboolean
take_data (Reader          *reader,
           SottoPieceKind   kind,
           GBytes          *payload,
           GBytes         **out_data,
           GError         **error)
{
  const SottoFieldSchema *schema = field_schema (kind, "data");
  SottoFieldPath path = { NULL, "data", -1 };
  gsize start;
  guint64 len;

  if (!take_be (reader, 4, "data", &len, error))
    return FALSE;

  if (len < (guint64) schema->min || len > (guint64) schema->max)
    {
      g_autofree char *min = g_strdup_printf ("%" G_GINT64_FORMAT, schema->min);
      g_autofree char *max = g_strdup_printf ("%" G_GINT64_FORMAT, schema->max);
      /* Translators: how long a piece of a file may be, in bytes */
      g_autofree char *reason = g_strdup_printf (_("must be %s–%s bytes"), min, max);

      return _sotto_protocol_bad_field (error, &path, reason);
    }

  start = reader->pos;
  if (take (reader, len, "data", error) == NULL)
    return FALSE;

  *out_data = g_bytes_new_from_bytes (payload, start, len);

  return TRUE;
}

/**
 * sotto_piece_parse:
 * @payload: one binary message (sotto_piece_is_binary())
 * @direction: who sent @payload: %SOTTO_MSG_FROM_CLIENT when a server parses
 * @out_request_id: (out) (optional) (nullable): when parsing fails after a
 *   well-formed id, that id, so that the error can answer the request;
 *   %NULL otherwise and on success
 * @error: return location for a %SOTTO_PROTOCOL_ERROR
 *
 * Reads @payload strictly: the marker, a kind this peer may send, every
 * field in its range, the data's length, and nothing after the data.
 *
 * Returns: (transfer full) (nullable): the piece, whose data is a slice of
 *   @payload, or %NULL with @error set
 */
SottoPiece *
sotto_piece_parse (GBytes             *payload,
                   SottoMsgDirection   direction,
                   char              **out_request_id,
                   GError            **error)
{
  g_autoptr(SottoPiece) piece = g_new0 (SottoPiece, 1);
  Reader reader = { NULL, 0, 0, "?" };
  g_autoptr(GError) kind_error = NULL;
  const guint8 *blob;
  guint64 marker;
  guint64 kind;

  g_return_val_if_fail (payload != NULL, NULL);
  g_return_val_if_fail (direction == SOTTO_MSG_FROM_CLIENT ||
                        direction == SOTTO_MSG_FROM_SERVER, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (out_request_id != NULL)
    *out_request_id = NULL;

  reader.data = g_bytes_get_data (payload, &reader.len);
  piece->size = -1;

  if (!take_be (&reader, 1, "marker", &marker, error))
    return NULL;

  if (marker != SOTTO_PIECE_MARKER)
    {
      g_set_error_literal (error, SOTTO_PROTOCOL_ERROR, SOTTO_PROTOCOL_ERROR_MALFORMED,
                           _("not a binary message"));
      return NULL;
    }

  if (!take_be (&reader, 1, "kind", &kind, error))
    return NULL;

  /* Every kind starts with the id: it is read before the kind is
   * refused, so that the refusal answers the request. */
  if (!check_kind (kind, direction, &reader, &kind_error))
    {
      if (take_id (&reader, piece->id, NULL))
        goto failed_kind;
      g_propagate_error (error, g_steal_pointer (&kind_error));
      return NULL;
    }

  piece->kind = (SottoPieceKind) kind;
  if (!take_id (&reader, piece->id, error))
    return NULL;

  blob = take (&reader, SOTTO_PROTOCOL_BLOB_ID_BYTES, "blob", error);
  if (blob == NULL ||
      !take_int (&reader, piece->kind, "offset", &piece->offset, error) ||
      (piece->kind == SOTTO_PIECE_KIND_BLOB &&
       !take_int (&reader, piece->kind, "size", &piece->size, error)) ||
      !take_data (&reader, piece->kind, payload, &piece->data, error))
    goto failed;

  memcpy (piece->blob, blob, SOTTO_PROTOCOL_BLOB_ID_BYTES);

  if (reader.pos != reader.len)
    {
      g_autofree char *extra = g_strdup_printf ("%" G_GSIZE_FORMAT, reader.len - reader.pos);

      /* Translators: a message type, then a number of bytes */
      g_set_error (error, SOTTO_PROTOCOL_ERROR, SOTTO_PROTOCOL_ERROR_MALFORMED,
                   _("binary message “%s”: %s bytes after the data"), reader.type_name, extra);
      goto failed;
    }

  return g_steal_pointer (&piece);

failed_kind:
  g_propagate_error (error, g_steal_pointer (&kind_error));
failed:
  if (out_request_id != NULL)
    *out_request_id = g_strdup (piece->id);
  return NULL;
}

void
sotto_piece_free (SottoPiece *self)
{
  if (self == NULL)
    return;

  g_clear_pointer (&self->data, g_bytes_unref);
  g_free (self);
}
