/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <json-glib/json-glib.h>

#include "sotto-protocol-pieces.h"
#include "sotto-protocol-types.h"

G_BEGIN_DECLS

typedef enum
{
  SOTTO_FIELD_ID,           /* [A-Za-z0-9_-]{1,64} */
  SOTTO_FIELD_USERNAME,     /* [A-Za-z0-9._-]{1,32} */
  SOTTO_FIELD_ROOM,         /* a normal or a direct room name */
  SOTTO_FIELD_NORMAL_ROOM,  /* a normal room name only */
  SOTTO_FIELD_PASSWORD,     /* UTF-8, 1–1024 bytes */
  SOTTO_FIELD_TEXT,         /* UTF-8, min–max characters */
  SOTTO_FIELD_INT,          /* integer in min–max */
  SOTTO_FIELD_BOOL,
  SOTTO_FIELD_ENUM,         /* one of values */
  SOTTO_FIELD_BASE64,       /* decodes to min–max bytes */
  SOTTO_FIELD_INT_ARRAY,    /* min_items–max_items integers in min–max */
  SOTTO_FIELD_OBJECT_ARRAY, /* min_items–max_items objects of object */
  SOTTO_FIELD_OBJECT,       /* one object of object */
  SOTTO_FIELD_BASE64_ARRAY, /* min_items–max_items strings, each base64 of min–max bytes */
  SOTTO_FIELD_LINK_ID,      /* [0-9a-f]{32} */
} SottoFieldKind;

/* The kinds whose values are JSON strings. */
#define SOTTO_FIELD_KIND_IS_STRING(kind) \
  ((kind) == SOTTO_FIELD_ID || (kind) == SOTTO_FIELD_USERNAME || \
   (kind) == SOTTO_FIELD_ROOM || (kind) == SOTTO_FIELD_NORMAL_ROOM || \
   (kind) == SOTTO_FIELD_PASSWORD || (kind) == SOTTO_FIELD_TEXT || \
   (kind) == SOTTO_FIELD_ENUM || (kind) == SOTTO_FIELD_BASE64 || \
   (kind) == SOTTO_FIELD_LINK_ID)

typedef struct _SottoObjectSchema SottoObjectSchema;

typedef struct
{
  const char              *name;
  SottoFieldKind           kind;
  gboolean                 optional;
  gint64                   min;
  gint64                   max;
  guint                    min_items;
  guint                    max_items;
  const char * const      *values;
  const SottoObjectSchema *object;
} SottoFieldSchema;

struct _SottoObjectSchema
{
  const SottoFieldSchema *fields;
  guint                   n_fields;
};

typedef struct
{
  SottoMsgType      type;
  SottoMsgDirection direction;
  SottoObjectSchema body;
} SottoMsgSchema;

/* Where a value sits in a message, kept on the stack while validating and
 * only turned into text such as "members[3].identity.box" for an error.
 */
typedef struct _SottoFieldPath SottoFieldPath;
struct _SottoFieldPath
{
  const SottoFieldPath *parent;
  const char           *name;
  gint                  index;
};

/* A parsed, validated message: sotto-msg.c makes it, sotto-msg-fields.c
 * reads its fields. */
struct _SottoMsg
{
  gatomicrefcount       ref_count;
  const SottoMsgSchema *schema;
  JsonNode             *root;
  JsonObject           *object; /* owned by root */
  /* A binary message ("upload_chunk", "blob") has no JSON: its fields
   * are read from here, and root and object are NULL. */
  SottoPiece           *piece;
};

const SottoMsgSchema   *_sotto_msg_schema_lookup  (const char               *type_name,
                                                   SottoMsgDirection         direction,
                                                   gboolean                 *out_other_direction);
const SottoMsgSchema   *_sotto_msg_schema_get     (SottoMsgType              type,
                                                   SottoMsgDirection         direction);
const SottoFieldSchema *_sotto_object_schema_find (const SottoObjectSchema  *schema,
                                                   const char               *name);

gboolean _sotto_json_prescan             (const guint8             *data,
                                          gsize                     len,
                                          guint                    *out_n_members,
                                          GError                  **error);
JsonNode *_sotto_json_parse_flat         (const guint8             *data,
                                          gsize                     len);
gboolean _sotto_protocol_validate_object (const SottoObjectSchema  *schema,
                                          JsonObject               *object,
                                          const SottoFieldPath     *path,
                                          const char               *skip_member,
                                          GError                  **error);
gboolean _sotto_base64_check             (const char               *str,
                                          gsize                     len,
                                          gsize                    *out_decoded_len);

/* What is wrong with a message, as the %SOTTO_PROTOCOL_ERROR a validator
 * returns; each sets @error and returns %FALSE. */
gboolean _sotto_protocol_bad_field       (GError                  **error,
                                          const SottoFieldPath     *path,
                                          const char               *reason);
gboolean _sotto_protocol_bad_range       (GError                  **error,
                                          const SottoFieldPath     *path,
                                          const SottoFieldSchema   *field);
gboolean _sotto_protocol_bad_string      (GError                  **error,
                                          const SottoFieldPath     *path,
                                          const SottoFieldSchema   *field);
gboolean _sotto_protocol_bad_count       (GError                  **error,
                                          const SottoFieldPath     *path,
                                          const SottoFieldSchema   *field);
gboolean _sotto_protocol_unknown_field   (GError                  **error,
                                          const SottoFieldPath     *path,
                                          const char               *name);
gboolean _sotto_protocol_missing_field   (GError                  **error,
                                          const SottoFieldPath     *path);

GBytes  *_sotto_protocol_generate        (JsonNode                 *root);

G_END_DECLS
