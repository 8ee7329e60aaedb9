/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "sotto-bench-stats.h"

G_BEGIN_DECLS

/* Plaintext bytes of every message, whatever the protocol. */
#define BENCH_PAYLOAD_SIZE 200

typedef struct _Bench Bench;
typedef struct _BenchClient BenchClient;
typedef struct _BenchConn BenchConn;
typedef struct _BenchProtocol BenchProtocol;

typedef enum
{
  PHASE_SETUP,
  PHASE_TIMED,
} BenchPhase;

/* How far a client is taken before the timed part. */
typedef enum
{
  SETUP_REGISTER,            /* account made, logged in, in no room */
  SETUP_REGISTER_AND_JOIN,   /* and a member of its room */
  SETUP_LOGIN,               /* an existing account logs in */
} SetupGoal;

typedef enum
{
  CLIENT_NEW,
  CLIENT_SETTING_UP,
  CLIENT_IDLE,               /* logged in, in no room */
  CLIENT_READY,              /* in its room */
  CLIENT_GONE,
} ClientState;

struct _BenchConn
{
  BenchClient *client;
  int          fd;
  gboolean     connected;
  gboolean     watching_out;
  gboolean     dirty;
  gboolean     got_data;
  GByteArray  *in;
  GByteArray  *out;
  gsize        out_pos;
};

struct _BenchClient
{
  Bench       *bench;
  guint        index;
  char        *name;
  int          room;
  gboolean     publisher;
  ClientState  state;
  SetupGoal    goal;
  BenchConn    conn;
  /* A second connection, for protocols where a subscriber cannot publish. */
  BenchConn    pub;
  gpointer     data;
  guint        retries;

  guint64      sent;
  gint64       next_due_us;
};

typedef gboolean (*BenchScenario) (Bench *bench);
typedef gboolean (*BenchDone) (Bench *bench);

typedef struct
{
  const BenchProtocol *protocol;
  BenchScenario        scenario;
  int                  port;
  int                  server_pid;
  int                  clients;
  int                  publishers;
  int                  rooms;
  double               rate;
  double               per_client_rate;
  double               start_rate;
  double               rate_factor;
  double               max_rate;
  int                  step_ms;
  int                  duration_ms;
  int                  idle;
  int                  storm;
  int                  storm_at_ms;
  int                  check_every;
} BenchOptions;

struct _BenchProtocol
{
  const char *name;
  void      (*client_init)   (BenchClient  *client);
  void      (*client_clear)  (BenchClient  *client);
  /* Opens the connection and takes the client through @goal; the client
   * ends in CLIENT_IDLE or CLIENT_READY. */
  gboolean  (*start)         (BenchClient  *client,
                              SetupGoal     goal);
  void      (*stop)          (BenchClient  *client);
  void      (*connected)     (BenchConn    *conn);
  /* Consumes complete protocol units from @data; returns the bytes used. */
  gsize     (*read)          (BenchConn    *conn,
                              const guint8 *data,
                              gsize         size);
  /* Called once per loop pass for a connection with something to write. */
  void      (*before_write)  (BenchConn    *conn);
  void      (*send)          (BenchClient  *client,
                              const char   *payload,
                              gsize         size);
  void      (*prepare_rooms) (Bench        *bench);
  gboolean  (*rooms_ready)   (Bench        *bench);
  void      (*report)        (Bench        *bench);
  void      (*bench_clear)   (Bench        *bench);
};

struct _Bench
{
  BenchOptions         options;
  const BenchProtocol *protocol;
  int                  epoll_fd;
  BenchPhase           phase;
  char                *failure;

  GPtrArray           *clients;      /* BenchClient *, owned */
  GPtrArray           *rooms;        /* GPtrArray of BenchClient * per room */
  GPtrArray           *publishers;
  GPtrArray           *dirty;
  guint                open_conns;
  guint                lost;
  guint                retries;

  /* Setup */
  GPtrArray           *setup_list;
  guint                setup_next;
  SetupGoal            setup_goal;
  guint                setting_up;
  guint                ready;
  guint                idle;
  void               (*tick) (Bench *bench);

  /* Load */
  gboolean             sending;
  gboolean             measuring;
  gint64               interval_us;
  gint64               window_start_us;
  guint64              messages_sent;
  guint64              deliveries_expected;
  guint64              deliveries_all;
  guint64              acks;
  guint64              bytes_in;
  gint64               last_delivery_us;
  GArray              *samples;

  /* Storm */
  GPtrArray           *storm;
  gint64               storm_at_us;
  gint64               storm_start_us;
  gint64               storm_end_us;

  gpointer             data;
};

extern const BenchProtocol bench_protocol_sotto;
extern const BenchProtocol bench_protocol_irc;
extern const BenchProtocol bench_protocol_redis;

gint64   bench_now               (void);
void     bench_fail              (Bench        *bench,
                                  const char   *format,
                                  ...) G_GNUC_PRINTF (2, 3);
gboolean bench_conn_open         (BenchConn    *conn,
                                  Bench        *bench);
void     bench_conn_close        (BenchConn    *conn);
void     bench_conn_write        (BenchConn    *conn,
                                  const void   *data,
                                  gsize         size);
void     bench_conn_mark_dirty   (BenchConn    *conn);
void     bench_client_set_state  (BenchClient  *client,
                                  ClientState   state);
void     bench_format_payload    (char         *out,
                                  gsize         size,
                                  gint64        sent_us,
                                  guint         sender,
                                  guint64       number);
gboolean bench_parse_payload     (const char   *data,
                                  gsize         size,
                                  gint64       *sent_us,
                                  guint        *sender);
void     bench_record_delivery   (BenchClient  *client,
                                  gint64        sent_us,
                                  guint         sender);
void     bench_record_ack        (BenchClient  *client);

/* sotto-bench-loop.c: the loop, clients and their setup. */
gboolean     bench_run_until      (Bench        *bench,
                                   BenchDone     done,
                                   gint64        timeout_us);
BenchClient *bench_add_client     (Bench        *bench,
                                   const char   *prefix,
                                   int           room,
                                   gboolean      publisher);
void         bench_client_free    (BenchClient  *client);
gboolean     bench_setup_clients  (Bench        *bench,
                                   GPtrArray    *list,
                                   SetupGoal     goal);
gboolean     bench_prepare_rooms  (Bench        *bench);

/* sotto-bench-scenarios.c: the five scenarios of bench/compare. */
gboolean bench_scenario_fanout  (Bench *bench);
gboolean bench_scenario_latency (Bench *bench);
gboolean bench_scenario_rooms   (Bench *bench);
gboolean bench_scenario_idle    (Bench *bench);
gboolean bench_scenario_storm   (Bench *bench);

G_END_DECLS
