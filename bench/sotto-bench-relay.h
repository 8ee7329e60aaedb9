/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sotto-protocol.h"
#include "sotto-wire.h"

G_BEGIN_DECLS

/* The relay scenario of sotto-bench (sotto-bench-relay.c and
 * sotto-bench-relay-traffic.c): N clients of the real client stack in one
 * room of a running sotto-server, the senders posting M envelopes each. */

#define RELAY_ENVELOPE_HEADER_SIZE 16
/* Base64 characters that hold the envelope header, and then some. */
#define RELAY_ENVELOPE_HEADER_BASE64 24

/* In this order: comparisons of phases mean "not yet" and "already". */
typedef enum
{
  RELAY_PHASE_SETUP,
  RELAY_PHASE_TIMED,
  RELAY_PHASE_DONE,
  RELAY_PHASE_CLOSING,
} RelayPhase;

typedef enum
{
  RELAY_CLIENT_CONNECTING,
  RELAY_CLIENT_REGISTERING,
  RELAY_CLIENT_JOINING,
  RELAY_CLIENT_JOINED,
  RELAY_CLIENT_SETTLED,
} RelayClientState;

typedef struct _Relay Relay;

/* Time a process's main thread spent on a CPU, and runnable but waiting
 * for one (what other load on its core took), in seconds. */
typedef struct
{
  double run_s;
  double wait_s;
} RelayTimes;

typedef struct
{
  Relay                *relay;
  guint                 index;
  char                 *name;
  RelayClientState      state;

  GSocketConnection    *connection;
  SottoClientHandshake *handshake;
  SottoChannel         *channel;
  SottoWireIdentity     identity;

  /* As a sender. */
  guint                 sent;
  guint                 acked;
  /* Deliveries of this sender's messages seen by all members so far. */
  guint64               delivered;

  /* As a recipient: the number of the next message expected from each
   * sender, and what arrived. */
  guint32              *next_from;
  guint64               received;
} RelayClient;

typedef struct
{
  int      port;
  int      clients;
  int      messages;
  int      size;
  int      senders;
  int      window;
  int      timeout;
  int      stall;
  int      server_pid;
  gboolean full_parse;
} RelayOptions;

struct _Relay
{
  RelayOptions         options;
  GMainLoop           *loop;
  GCancellable        *cancellable;
  GSocketClient       *socket_client;
  SottoMemoryPinStore *pins;
  RelayPhase           phase;
  char                *room;
  char                *password;
  RelayClient         *clients;
  guint                n_clients;
  guint                n_senders;
  guint                window;
  guint64              delivery_bound;

  guint                settled;
  guint                closed;
  gint64               setup_start_us;
  gint64               start_us;
  gint64               last_ack_us;
  gint64               last_delivery_us;
  guint64              acks;
  guint64              deliveries;
  guint64              expected_deliveries;
  guint64              out_of_order;
  guint64              delivery_stalls;
  GArray              *latencies_us;

  gint64               last_progress_us;
  guint64              last_progress_count;
  guint                watchdog_id;
  guint                finish_id;
  guint                close_grace_id;

  /* What the light reading of a delivery expects it to start with. */
  char                *delivery_prefix;
  gsize                delivery_prefix_len;
  guint64              full_parses;

  RelayTimes           times_start;
  RelayTimes           server_times_start;
  RelayTimes           times;
  RelayTimes           server_times;

  char                *failure;
};

/* sotto-bench-relay.c: the options, the setup, the report. */
GOptionGroup *relay_option_group       (RelayOptions *options);
gboolean      relay_check_options      (RelayOptions *options);
int           relay_run                (const RelayOptions *options);

/* sotto-bench-relay-traffic.c: the timed part. */
RelayTimes    relay_read_times         (int           pid);
void          relay_fail               (Relay        *relay,
                                        const char   *format,
                                        ...) G_GNUC_PRINTF (2, 3);
void          relay_client_send_take   (RelayClient  *client,
                                        GBytes       *message);
void          relay_client_fill        (RelayClient  *client);
gboolean      relay_read_delivery_light (RelayClient *client,
                                        GBytes       *bytes);
void          relay_handle_delivery    (RelayClient  *client,
                                        SottoMsg     *msg);
void          relay_check_done         (Relay        *relay);

G_END_DECLS
