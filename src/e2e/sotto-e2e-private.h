/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib.h>
#include <sodium.h>
#include <string.h>

G_BEGIN_DECLS

/* Secret material lives in sodium_malloc() memory: guarded pages, locked
 * when the system allows it, wiped by sodium_free(). The allocation aborts
 * on failure, as g_malloc() does.
 */
gpointer _sotto_e2e_secure_alloc     (gsize    size);
GBytes  *_sotto_e2e_secure_bytes_new (gsize    size,
                                      guint8 **data);

/* Crockford's base32, for secrets a person reads and types: the recovery
 * key and the link code. The text is in groups of @group symbols joined
 * by '-'; the last symbol carries zero bits to fill it out. Reading takes
 * either case, skips dashes and white space, and reads O as 0 and I or L
 * as 1; it fails for any other character, another number of symbols, or
 * filling bits that are not zero (or two texts would give one secret).
 */
gsize     _sotto_e2e_base32_length (gsize         raw_len,
                                    guint         group);
char     *_sotto_e2e_base32_encode (const guint8 *raw,
                                    gsize         raw_len,
                                    guint         group);
gboolean  _sotto_e2e_base32_decode (const char   *text,
                                    guint8       *raw,
                                    gsize         raw_len);

/* g_bytes_get_data() gives NULL for an empty GBytes; libsodium and memcpy
 * want a valid pointer even for zero bytes.
 */
static inline const guint8 *
_sotto_e2e_bytes_get_data (GBytes *bytes,
                           gsize  *size)
{
  const guint8 *data = g_bytes_get_data (bytes, size);

  return data != NULL ? data : (const guint8 *) "";
}

static inline void
_sotto_e2e_put_u16 (guint8  *p,
                    guint16  value)
{
  p[0] = (guint8) (value >> 8);
  p[1] = (guint8) value;
}

static inline guint16
_sotto_e2e_get_u16 (const guint8 *p)
{
  return (guint16) ((p[0] << 8) | p[1]);
}

static inline void
_sotto_e2e_put_u32 (guint8  *p,
                    guint32  value)
{
  p[0] = (guint8) (value >> 24);
  p[1] = (guint8) (value >> 16);
  p[2] = (guint8) (value >> 8);
  p[3] = (guint8) value;
}

static inline guint32
_sotto_e2e_get_u32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

static inline void
_sotto_e2e_put_u64 (guint8  *p,
                    guint64  value)
{
  _sotto_e2e_put_u32 (p, (guint32) (value >> 32));
  _sotto_e2e_put_u32 (p + 4, (guint32) value);
}

static inline guint64
_sotto_e2e_get_u64 (const guint8 *p)
{
  return ((guint64) _sotto_e2e_get_u32 (p) << 32) | _sotto_e2e_get_u32 (p + 4);
}

/* Whether @name (%NULL counts as "") is a name the e2e formats carry:
 * valid UTF-8 of at most @max bytes, and not empty unless @may_be_empty.
 */
static inline gboolean
_sotto_e2e_valid_name (const char *name,
                       gsize       max,
                       gboolean    may_be_empty)
{
  gsize len = name != NULL ? strlen (name) : 0;

  return (len > 0 || may_be_empty) && len <= max &&
         (name == NULL || g_utf8_validate (name, (gssize) len, NULL));
}

/* A cursor over a buffer whose size was computed in advance, so secrets are
 * never copied by a growing array.
 */
typedef struct
{
  guint8 *data;
  gsize   size;
  gsize   pos;
} SottoE2eWriter;

static inline void
_sotto_e2e_writer_put (SottoE2eWriter *writer,
                       const void     *data,
                       gsize           size)
{
  g_assert (size <= writer->size - writer->pos);
  if (size > 0)
    memcpy (writer->data + writer->pos, data, size);
  writer->pos += size;
}

static inline void
_sotto_e2e_writer_put_u8 (SottoE2eWriter *writer,
                          guint8          value)
{
  _sotto_e2e_writer_put (writer, &value, 1);
}

static inline void
_sotto_e2e_writer_put_u16 (SottoE2eWriter *writer,
                           guint16         value)
{
  guint8 buf[2];

  _sotto_e2e_put_u16 (buf, value);
  _sotto_e2e_writer_put (writer, buf, sizeof buf);
}

static inline void
_sotto_e2e_writer_put_u32 (SottoE2eWriter *writer,
                           guint32         value)
{
  guint8 buf[4];

  _sotto_e2e_put_u32 (buf, value);
  _sotto_e2e_writer_put (writer, buf, sizeof buf);
}

static inline void
_sotto_e2e_writer_put_u64 (SottoE2eWriter *writer,
                           guint64         value)
{
  guint8 buf[8];

  _sotto_e2e_put_u64 (buf, value);
  _sotto_e2e_writer_put (writer, buf, sizeof buf);
}

/* A name with its 2-byte length; %NULL is written as "". */
static inline void
_sotto_e2e_writer_put_name (SottoE2eWriter *writer,
                            const char     *name)
{
  gsize len = name != NULL ? strlen (name) : 0;

  _sotto_e2e_writer_put_u16 (writer, (guint16) len);
  _sotto_e2e_writer_put (writer, name, len);
}

/* Strict parsing: every read is bounds checked, and the caller checks that
 * nothing is left over.
 */
typedef struct
{
  const guint8 *data;
  gsize         size;
  gsize         pos;
} SottoE2eReader;

static inline gboolean
_sotto_e2e_reader_get (SottoE2eReader  *reader,
                       const guint8   **data,
                       gsize            size)
{
  if (size > reader->size - reader->pos)
    return FALSE;
  *data = reader->data + reader->pos;
  reader->pos += size;
  return TRUE;
}

static inline gboolean
_sotto_e2e_reader_get_u8 (SottoE2eReader *reader,
                          guint8         *value)
{
  const guint8 *p;

  if (!_sotto_e2e_reader_get (reader, &p, 1))
    return FALSE;
  *value = p[0];
  return TRUE;
}

static inline gboolean
_sotto_e2e_reader_get_u16 (SottoE2eReader *reader,
                           guint16        *value)
{
  const guint8 *p;

  if (!_sotto_e2e_reader_get (reader, &p, 2))
    return FALSE;
  *value = _sotto_e2e_get_u16 (p);
  return TRUE;
}

static inline gboolean
_sotto_e2e_reader_get_u32 (SottoE2eReader *reader,
                           guint32        *value)
{
  const guint8 *p;

  if (!_sotto_e2e_reader_get (reader, &p, 4))
    return FALSE;
  *value = _sotto_e2e_get_u32 (p);
  return TRUE;
}

static inline gboolean
_sotto_e2e_reader_get_u64 (SottoE2eReader *reader,
                           guint64        *value)
{
  const guint8 *p;

  if (!_sotto_e2e_reader_get (reader, &p, 8))
    return FALSE;
  *value = _sotto_e2e_get_u64 (p);
  return TRUE;
}

/* A name with its 2-byte length, as _sotto_e2e_writer_put_name() writes
 * it: valid UTF-8 without NUL bytes, at most @max bytes, and not empty
 * unless @may_be_empty. */
static inline gboolean
_sotto_e2e_reader_get_name (SottoE2eReader  *reader,
                            gsize            max,
                            gboolean         may_be_empty,
                            char           **out)
{
  const guint8 *data;
  guint16 len;

  if (!_sotto_e2e_reader_get_u16 (reader, &len) || len > max ||
      (len == 0 && !may_be_empty) || !_sotto_e2e_reader_get (reader, &data, len) ||
      memchr (data, '\0', len) != NULL || !g_utf8_validate ((const char *) data, len, NULL))
    return FALSE;

  *out = g_strndup ((const char *) data, len);
  return TRUE;
}

static inline gboolean
_sotto_e2e_reader_at_end (const SottoE2eReader *reader)
{
  return reader->pos == reader->size;
}

G_END_DECLS
