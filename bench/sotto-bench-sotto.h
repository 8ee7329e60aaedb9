/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sotto-bench.h"
#include "sotto-e2e.h"
#include "sotto-protocol.h"
#include "sotto-wire.h"

G_BEGIN_DECLS

/* The Sotto protocol of sotto-bench: the connection in sotto-bench-sotto.c,
 * sender keys and envelopes in sotto-bench-sotto-e2e.c. */

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

/* sotto-bench-sotto.c */
SottoBenchData *bench_sotto_data            (Bench        *bench);
char           *bench_sotto_room_name       (int           room);
void            bench_sotto_queue_message   (BenchClient  *client,
                                             GBytes       *message);
char           *bench_sotto_next_request_id (BenchClient  *client);

/* sotto-bench-sotto-e2e.c */
void     bench_sotto_check_envelope (BenchClient *client,
                                     const char  *msg,
                                     gsize        size,
                                     guint        sender);
void     bench_sotto_handle_key     (BenchClient *client,
                                     const char  *msg,
                                     gsize        size);
void     bench_sotto_ack_keys       (BenchClient *client);
void     bench_sotto_send           (BenchClient *client,
                                     const char  *payload,
                                     gsize        size);
void     bench_sotto_prepare_rooms  (Bench       *bench);
gboolean bench_sotto_rooms_ready    (Bench       *bench);
void     bench_sotto_report         (Bench       *bench);

G_END_DECLS
