/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sotto-bench.h"
#include "sotto-e2e.h"
#include "sotto-protocol.h"
#include "sotto-wire.h"

G_BEGIN_DECLS

/* The Sotto protocol of sotto-bench: a client's state and its encrypted
 * channel, under the connection (sotto-bench-sotto.c) and the sender keys
 * and envelopes (sotto-bench-sotto-e2e.c). */

typedef enum
{
  STAGE_HELLO,
  STAGE_HEADER,
  STAGE_OPEN,
} Stage;

typedef struct
{
  SottoIdentity    *identity;
  SottoWireIdentity wire_identity;
  Stage             stage;
  guint8            kx_public[crypto_kx_PUBLICKEYBYTES];
  guint8            kx_secret[crypto_kx_SECRETKEYBYTES];
  guint8            rx_key[crypto_kx_SESSIONKEYBYTES];
  crypto_secretstream_xchacha20poly1305_state push;
  crypto_secretstream_xchacha20poly1305_state pull;
  GByteArray       *plain;
  guint             next_request;

  SottoSenderKey   *own_key;
  gboolean          checker;
  /* Checkers: sender's client index → SottoSenderKey */
  GHashTable       *keys;
  guint             keys_expected;
  guint             keys_received;
  GArray           *kids;
} SottoData;

typedef struct
{
  gboolean pinned;
  guint8   server_key[crypto_sign_PUBLICKEYBYTES];
  GByteArray *scratch;
  guint64  verified;
  guint64  verify_failures;
  guint64  keys_sent;
} SottoBenchData;

SottoBenchData *bench_sotto_data            (Bench        *bench);
char           *bench_sotto_room_name       (int           room);
void            bench_sotto_put_frame_header (BenchConn   *conn,
                                              gsize        length);
void            bench_sotto_seal_queued     (BenchConn    *conn);
void            bench_sotto_queue_message   (BenchClient  *client,
                                             GBytes       *message);
char           *bench_sotto_next_request_id (BenchClient  *client);

G_END_DECLS
