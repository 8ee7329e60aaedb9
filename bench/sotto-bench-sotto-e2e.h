/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sotto-bench-sotto-channel.h"

G_BEGIN_DECLS

/* Sender keys and envelopes of the Sotto clients of sotto-bench. */

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
