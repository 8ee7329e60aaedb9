/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <sodium.h>
#include <string.h>

#include "sotto-handshake.h"

G_BEGIN_DECLS

/*
 * The two handshake messages, each sent as one plain frame:
 *
 *   hello  (client):  "SOTTO" | version u16 BE | client ephemeral X25519 (32)
 *   reply  (server):  "SOTTO" | version u16 BE | server ephemeral X25519 (32)
 *                     | server long-term Ed25519 (32) | signature (64)
 *   reject (server):  "SOTTO" | version u16 BE, when the versions differ
 *
 * The signature is by the server's long-term key over the transcript:
 * the label, the version and both ephemeral keys and the long-term key.
 */
#define HANDSHAKE_MAGIC "SOTTO"
#define HANDSHAKE_MAGIC_LEN 5
#define HANDSHAKE_LABEL "sotto handshake v1"
#define HANDSHAKE_LABEL_LEN (sizeof HANDSHAKE_LABEL - 1)
#define HANDSHAKE_EPHEMERAL_LEN crypto_kx_PUBLICKEYBYTES
#define HANDSHAKE_HELLO_LEN (HANDSHAKE_MAGIC_LEN + 2 + HANDSHAKE_EPHEMERAL_LEN)
#define HANDSHAKE_REJECT_LEN (HANDSHAKE_MAGIC_LEN + 2)
#define HANDSHAKE_REPLY_LEN (HANDSHAKE_MAGIC_LEN + 2 + HANDSHAKE_EPHEMERAL_LEN + \
                             crypto_sign_PUBLICKEYBYTES + crypto_sign_BYTES)
#define HANDSHAKE_TRANSCRIPT_LEN (HANDSHAKE_LABEL_LEN + 2 + 2 * HANDSHAKE_EPHEMERAL_LEN + \
                                  crypto_sign_PUBLICKEYBYTES)
/* Handshake frames are small; anything larger is not a handshake. */
#define HANDSHAKE_MAX_FRAME 256

static inline void
_sotto_handshake_put_prefix (guint8  *out,
                             guint16  version)
{
  memcpy (out, HANDSHAKE_MAGIC, HANDSHAKE_MAGIC_LEN);
  out[HANDSHAKE_MAGIC_LEN] = version >> 8;
  out[HANDSHAKE_MAGIC_LEN + 1] = version & 0xff;
}

static inline gboolean
_sotto_handshake_get_prefix (const guint8 *data,
                             gsize         length,
                             guint16      *version)
{
  if (length < HANDSHAKE_MAGIC_LEN + 2 || memcmp (data, HANDSHAKE_MAGIC, HANDSHAKE_MAGIC_LEN) != 0)
    return FALSE;

  *version = (guint16) ((data[HANDSHAKE_MAGIC_LEN] << 8) | data[HANDSHAKE_MAGIC_LEN + 1]);
  return TRUE;
}

static inline void
_sotto_handshake_transcript (guint8       *out,
                             guint16       version,
                             const guint8 *client_ephemeral,
                             const guint8 *server_ephemeral,
                             const guint8 *server_long_term)
{
  guint8 *p = out;

  memcpy (p, HANDSHAKE_LABEL, HANDSHAKE_LABEL_LEN);
  p += HANDSHAKE_LABEL_LEN;
  *p++ = version >> 8;
  *p++ = version & 0xff;
  memcpy (p, client_ephemeral, HANDSHAKE_EPHEMERAL_LEN);
  p += HANDSHAKE_EPHEMERAL_LEN;
  memcpy (p, server_ephemeral, HANDSHAKE_EPHEMERAL_LEN);
  p += HANDSHAKE_EPHEMERAL_LEN;
  memcpy (p, server_long_term, crypto_sign_PUBLICKEYBYTES);
}

G_END_DECLS
