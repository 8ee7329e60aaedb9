/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <locale.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sotto-bench.h"

/*
 * sotto-bench: many simulated chat clients in one process and one epoll
 * loop, against sotto-server, ngircd or redis-server on 127.0.0.1.
 *
 * Every client is a plain non-blocking socket with an input and an output
 * buffer; the protocol code (sotto-bench-sotto.c, sotto-bench-irc.c,
 * sotto-bench-redis.c) turns bytes into events and back. This file holds
 * the loop, the send schedule, the measurements and the five scenarios of
 * bench/compare. Every payload starts with its send time on the monotonic
 * clock (generator and servers share the machine), so every delivery gives
 * a latency.
 *
 * Output: one line of key=value fields per scenario on stdout, progress on
 * stderr. Exit status 0 when the scenario ran to its end, 1 when the setup
 * or the server failed, 2 for bad arguments.
 */

#define SETUP_CONCURRENCY 64
/* Times a client connects again when the server drops a connection it had
 * not answered yet (a full accept queue, where the kernel then resets). */
#define SETUP_RETRIES 5
#define SETUP_TIMEOUT_S 600
#define DRAIN_LIMIT_US (2 * G_USEC_PER_SEC)
#define STORM_MIN_WINDOW_US G_USEC_PER_SEC
/* How long a run may go on past its length, waiting for the storm's end. */
#define MAX_EXTENSION_US (180 * G_USEC_PER_SEC)

static const BenchProtocol *protocols[] = {
  &bench_protocol_sotto,
  &bench_protocol_irc,
  &bench_protocol_redis,
};

gint64
bench_now (void)
{
  return g_get_monotonic_time ();
}

void
bench_fail (Bench      *bench,
            const char *format,
            ...)
{
  va_list args;

  if (bench->failure != NULL)
    return;

  va_start (args, format);
  bench->failure = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("sotto-bench: %s\n", bench->failure);
}

/* Connections */

static void
conn_update_events (BenchConn *conn)
{
  struct epoll_event event = { 0 };
  gboolean want_out = !conn->connected || conn->out->len > conn->out_pos;

  if (conn->fd < 0 || want_out == conn->watching_out)
    return;

  event.events = EPOLLIN | (want_out ? EPOLLOUT : 0);
  event.data.ptr = conn;
  epoll_ctl (conn->client->bench->epoll_fd, EPOLL_CTL_MOD, conn->fd, &event);
  conn->watching_out = want_out;
}

void
bench_conn_close (BenchConn *conn)
{
  if (conn->fd < 0)
    return;

  epoll_ctl (conn->client->bench->epoll_fd, EPOLL_CTL_DEL, conn->fd, NULL);
  close (conn->fd);
  conn->fd = -1;
  conn->connected = FALSE;
  conn->watching_out = FALSE;
  g_byte_array_set_size (conn->in, 0);
  g_byte_array_set_size (conn->out, 0);
  conn->out_pos = 0;
  conn->client->bench->open_conns--;
}

gboolean
bench_conn_open (BenchConn *conn,
                 Bench     *bench)
{
  struct sockaddr_in address = { 0 };
  struct epoll_event event = { 0 };
  int one = 1;
  int fd;

  g_assert (conn->fd < 0);

  fd = socket (AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0)
    {
      bench_fail (bench, "socket: %s (raise the limit on open files)", g_strerror (errno));
      return FALSE;
    }

  setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  address.sin_family = AF_INET;
  address.sin_port = htons (bench->options.port);
  address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);

  if (connect (fd, (struct sockaddr *) &address, sizeof address) != 0 && errno != EINPROGRESS)
    {
      bench_fail (bench, "connect: %s", g_strerror (errno));
      close (fd);
      return FALSE;
    }

  conn->fd = fd;
  conn->connected = FALSE;
  conn->got_data = FALSE;
  conn->watching_out = TRUE;
  conn->out_pos = 0;
  g_byte_array_set_size (conn->in, 0);
  g_byte_array_set_size (conn->out, 0);
  event.events = EPOLLIN | EPOLLOUT;
  event.data.ptr = conn;
  epoll_ctl (bench->epoll_fd, EPOLL_CTL_ADD, fd, &event);
  bench->open_conns++;

  return TRUE;
}

/* Queues bytes and marks the connection for the write at the end of this
 * loop pass, so everything a client says in one pass leaves in one write. */
void
bench_conn_write (BenchConn  *conn,
                  const void *data,
                  gsize       size)
{
  g_byte_array_append (conn->out, data, size);
  bench_conn_mark_dirty (conn);
}

void
bench_conn_mark_dirty (BenchConn *conn)
{
  if (conn->dirty || conn->fd < 0)
    return;

  conn->dirty = TRUE;
  g_ptr_array_add (conn->client->bench->dirty, conn);
}

static void
conn_lost (BenchConn  *conn,
           const char *why)
{
  BenchClient *client = conn->client;
  Bench *bench = client->bench;

  bench_conn_close (conn);
  if (client->state == CLIENT_GONE)
    return;

  if (client->state == CLIENT_SETTING_UP && !conn->got_data && client->retries < SETUP_RETRIES)
    {
      client->retries++;
      bench->retries++;
      bench->protocol->stop (client);
      bench->protocol->start (client, client->goal);
      return;
    }

  bench_client_set_state (client, CLIENT_GONE);
  bench->lost++;
  if (bench->lost <= 3)
    g_printerr ("sotto-bench: %s lost its connection: %s\n", client->name, why);
  if (bench->phase == PHASE_SETUP)
    bench_fail (bench, "%s lost its connection during the setup: %s", client->name, why);
}

static void
conn_flush (BenchConn *conn)
{
  while (conn->fd >= 0 && conn->connected && conn->out->len > conn->out_pos)
    {
      ssize_t written = send (conn->fd, conn->out->data + conn->out_pos,
                              conn->out->len - conn->out_pos, MSG_NOSIGNAL);

      if (written < 0)
        {
          if (errno == EINTR)
            continue;
          if (errno != EAGAIN)
            conn_lost (conn, g_strerror (errno));
          break;
        }
      conn->out_pos += written;
    }

  if (conn->fd < 0)
    return;

  if (conn->out_pos == conn->out->len)
    {
      g_byte_array_set_size (conn->out, 0);
      conn->out_pos = 0;
    }
  else if (conn->out_pos > 65536 && conn->out_pos * 2 > conn->out->len)
    {
      g_byte_array_remove_range (conn->out, 0, conn->out_pos);
      conn->out_pos = 0;
    }

  conn_update_events (conn);
}

static void
flush_dirty (Bench *bench)
{
  for (guint i = 0; i < bench->dirty->len; i++)
    {
      BenchConn *conn = g_ptr_array_index (bench->dirty, i);

      conn->dirty = FALSE;
      if (conn->fd < 0)
        continue;
      if (bench->protocol->before_write != NULL)
        bench->protocol->before_write (conn);
      conn_flush (conn);
    }
  g_ptr_array_set_size (bench->dirty, 0);
}

static void
conn_readable (BenchConn *conn)
{
  Bench *bench = conn->client->bench;

  for (;;)
    {
      gsize old_len = conn->in->len;
      ssize_t got;

      g_byte_array_set_size (conn->in, old_len + 65536);
      got = recv (conn->fd, conn->in->data + old_len, 65536, 0);
      g_byte_array_set_size (conn->in, old_len + MAX (got, 0));

      if (got == 0)
        {
          conn_lost (conn, "closed by the server");
          return;
        }
      if (got < 0)
        {
          if (errno == EINTR)
            continue;
          if (errno != EAGAIN)
            conn_lost (conn, g_strerror (errno));
          break;
        }

      bench->bytes_in += got;
      conn->got_data = TRUE;
      if (got < 65536)
        break;
    }

  if (conn->fd >= 0 && conn->in->len > 0)
    {
      gsize used = bench->protocol->read (conn, conn->in->data, conn->in->len);

      if (conn->fd >= 0 && used > 0)
        g_byte_array_remove_range (conn->in, 0, used);
    }
}

static void
conn_event (BenchConn *conn,
            guint32    events)
{
  if (!conn->connected && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
    {
      int error = 0;
      socklen_t len = sizeof error;

      getsockopt (conn->fd, SOL_SOCKET, SO_ERROR, &error, &len);
      if (error != 0)
        {
          conn_lost (conn, g_strerror (error));
          return;
        }
      conn->connected = TRUE;
      conn->client->bench->protocol->connected (conn);
      bench_conn_mark_dirty (conn);
    }

  if (conn->fd >= 0 && (events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
    conn_readable (conn);

  if (conn->fd >= 0 && (events & EPOLLOUT))
    bench_conn_mark_dirty (conn);
}

/* The loop */

static void send_due (Bench *bench);

static void
loop_pass (Bench *bench,
           int    timeout_ms)
{
  struct epoll_event events[256];
  int n;

  flush_dirty (bench);
  n = epoll_wait (bench->epoll_fd, events, G_N_ELEMENTS (events), timeout_ms);
  for (int i = 0; i < n; i++)
    conn_event (events[i].data.ptr, events[i].events);

  if (bench->sending)
    send_due (bench);
  if (bench->tick != NULL)
    bench->tick (bench);
  flush_dirty (bench);
}

typedef gboolean (*BenchDone) (Bench *bench);

/* Runs the loop until @done says so, @timeout_us passes, or a failure. */
static gboolean
run_until (Bench     *bench,
           BenchDone  done,
           gint64     timeout_us)
{
  gint64 deadline = bench_now () + timeout_us;

  while (bench->failure == NULL)
    {
      if (done != NULL && done (bench))
        return TRUE;
      if (bench_now () >= deadline)
        return done == NULL;
      loop_pass (bench, bench->sending ? 1 : 10);
    }

  return FALSE;
}

/* Clients and setup */

void
bench_client_set_state (BenchClient *client,
                        ClientState  state)
{
  Bench *bench = client->bench;

  if (client->state == state)
    return;

  if (client->state == CLIENT_SETTING_UP)
    bench->setting_up--;
  client->state = state;
  if (state == CLIENT_SETTING_UP)
    bench->setting_up++;
  if (state == CLIENT_READY)
    bench->ready++;
  if (state == CLIENT_IDLE)
    bench->idle++;
}

/* Names are a one-letter @prefix and the client's index, so a name leads
 * back to its client. */
static BenchClient *
bench_add_client (Bench      *bench,
                  const char *prefix,
                  int         room,
                  gboolean    publisher)
{
  BenchClient *client = g_new0 (BenchClient, 1);

  client->bench = bench;
  client->index = bench->clients->len;
  client->name = g_strdup_printf ("%s%u", prefix, client->index);
  client->room = room;
  client->publisher = publisher;
  client->conn.client = client;
  client->conn.fd = -1;
  client->conn.in = g_byte_array_new ();
  client->conn.out = g_byte_array_new ();
  client->pub.client = client;
  client->pub.fd = -1;
  client->pub.in = g_byte_array_new ();
  client->pub.out = g_byte_array_new ();
  g_ptr_array_add (bench->clients, client);

  if (room >= 0)
    {
      while (bench->rooms->len <= (guint) room)
        g_ptr_array_add (bench->rooms, g_ptr_array_new ());
      g_ptr_array_add (g_ptr_array_index (bench->rooms, room), client);
    }

  if (bench->protocol->client_init != NULL)
    bench->protocol->client_init (client);

  return client;
}

static void
bench_client_free (BenchClient *client)
{
  Bench *bench = client->bench;

  if (bench->protocol->client_clear != NULL)
    bench->protocol->client_clear (client);
  bench_conn_close (&client->conn);
  bench_conn_close (&client->pub);
  g_byte_array_unref (client->conn.in);
  g_byte_array_unref (client->conn.out);
  g_byte_array_unref (client->pub.in);
  g_byte_array_unref (client->pub.out);
  g_free (client->name);
  g_free (client);
}

static gboolean
setup_done (Bench *bench)
{
  return bench->setup_next == bench->setup_list->len && bench->setting_up == 0;
}

/* Starts queued clients, SETUP_CONCURRENCY at a time. */
static void
setup_tick (Bench *bench)
{
  while (bench->setting_up < SETUP_CONCURRENCY && bench->setup_next < bench->setup_list->len)
    {
      BenchClient *client = g_ptr_array_index (bench->setup_list, bench->setup_next++);

      bench_client_set_state (client, CLIENT_SETTING_UP);
      if (!bench->protocol->start (client, bench->setup_goal))
        return;
    }
}

/* Takes every client of @list through @goal (register, login, join) with
 * a bounded number in flight, and waits for all of them. */
static gboolean
setup_clients (Bench     *bench,
               GPtrArray *list,
               SetupGoal  goal)
{
  gboolean ok;

  bench->setup_list = list;
  bench->setup_next = 0;
  bench->setup_goal = goal;
  bench->tick = setup_tick;
  ok = run_until (bench, setup_done, SETUP_TIMEOUT_S * G_USEC_PER_SEC);
  bench->tick = NULL;
  bench->setup_list = NULL;

  if (!ok && bench->failure == NULL)
    bench_fail (bench, "the setup did not finish in %d s", SETUP_TIMEOUT_S);

  return ok;
}

static gboolean
rooms_ready (Bench *bench)
{
  return bench->protocol->rooms_ready == NULL || bench->protocol->rooms_ready (bench);
}

/* After every member has joined: what the protocol needs before the first
 * message (Sotto: every publisher hands its sender key to every member). */
static gboolean
prepare_rooms (Bench *bench)
{
  if (bench->protocol->prepare_rooms == NULL)
    return TRUE;

  bench->protocol->prepare_rooms (bench);
  if (!run_until (bench, rooms_ready, SETUP_TIMEOUT_S * G_USEC_PER_SEC))
    {
      bench_fail (bench, "the rooms were not ready in %d s", SETUP_TIMEOUT_S);
      return FALSE;
    }

  /* Let the last acknowledgements go out and settle. */
  run_until (bench, NULL, 200 * 1000);
  return bench->failure == NULL;
}

/* Sending and measuring */

void
bench_format_payload (char        *out,
                      gsize        size,
                      gint64       sent_us,
                      guint        sender,
                      guint64      number)
{
  int len = g_snprintf (out, size, "t%" G_GINT64_FORMAT "s%un%" G_GUINT64_FORMAT,
                        sent_us, sender, number);

  g_assert (len > 0 && (gsize) len < size);
  memset (out + len, 'x', size - 1 - len);
  out[size - 1] = '\0';
}

/* Reads the send time and sender at the start of a payload; the rest of
 * it is not looked at. */
gboolean
bench_parse_payload (const char *data,
                     gsize       size,
                     gint64     *sent_us,
                     guint      *sender)
{
  const char *end = data + size;
  const char *p = data;
  gint64 t = 0;
  guint s = 0;

  if (p >= end || *p++ != 't')
    return FALSE;
  while (p < end && g_ascii_isdigit (*p))
    t = t * 10 + (*p++ - '0');
  if (p >= end || *p++ != 's')
    return FALSE;
  while (p < end && g_ascii_isdigit (*p))
    s = s * 10 + (*p++ - '0');
  if (p >= end || *p != 'n')
    return FALSE;

  *sent_us = t;
  *sender = s;
  return TRUE;
}

void
bench_record_delivery (BenchClient *client,
                       gint64       sent_us,
                       guint        sender)
{
  Bench *bench = client->bench;
  gint64 now = bench_now ();
  BenchSample sample;

  if (sender == client->index)
    return;

  bench->deliveries_all++;
  if (!bench->measuring || sent_us < bench->window_start_us)
    return;

  sample.sent_us = sent_us;
  sample.latency_us = now - sent_us;
  g_array_append_val (bench->samples, sample);
  bench->last_delivery_us = now;
}

void
bench_record_ack (BenchClient *client)
{
  client->bench->acks++;
}

static void
send_due (Bench *bench)
{
  gint64 now = bench_now ();

  for (guint i = 0; i < bench->publishers->len; i++)
    {
      BenchClient *client = g_ptr_array_index (bench->publishers, i);
      GPtrArray *room = g_ptr_array_index (bench->rooms, client->room);

      if (client->state != CLIENT_READY)
        continue;

      /* Open loop: what is due is sent, however late, and never more. */
      while (client->next_due_us <= now)
        {
          char payload[BENCH_PAYLOAD_SIZE + 1];

          bench_format_payload (payload, sizeof payload, now, client->index, client->sent);
          bench->protocol->send (client, payload, BENCH_PAYLOAD_SIZE);
          client->sent++;
          client->next_due_us += bench->interval_us;
          bench->messages_sent++;
          bench->deliveries_expected += room->len - 1;
        }
    }
}

static int
compare_latency (gconstpointer a,
                 gconstpointer b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

/* Nearest rank over a sorted array of latencies in µs, as ms. */
static double
percentile_ms (GArray *sorted,
               guint   per_100k)
{
  gsize rank;

  if (sorted->len == 0)
    return 0;

  rank = ((guint64) sorted->len * per_100k + 99999) / 100000;
  rank = CLAMP (rank, 1, sorted->len);
  return g_array_index (sorted, gint64, rank - 1) / 1000.0;
}

typedef struct
{
  guint64 count;
  double  p50_ms;
  double  p99_ms;
  double  p999_ms;
  double  max_ms;
} LatencyStats;

/* The latencies of the deliveries of messages sent in [from, to). */
static LatencyStats
latency_stats (Bench  *bench,
               gint64  from_us,
               gint64  to_us)
{
  g_autoptr(GArray) values = g_array_new (FALSE, FALSE, sizeof (gint64));
  LatencyStats stats = { 0 };

  for (guint i = 0; i < bench->samples->len; i++)
    {
      BenchSample *sample = &g_array_index (bench->samples, BenchSample, i);
      gint64 latency = sample->latency_us;

      if (sample->sent_us >= from_us && sample->sent_us < to_us)
        g_array_append_val (values, latency);
    }

  g_array_sort (values, compare_latency);
  stats.count = values->len;
  stats.p50_ms = percentile_ms (values, 50000);
  stats.p99_ms = percentile_ms (values, 99000);
  stats.p999_ms = percentile_ms (values, 99900);
  stats.max_ms = percentile_ms (values, 100000);
  return stats;
}

/* Run and wait time of a thread from /proc schedstat, in µs. */
static gint64
cpu_time_us (int pid)
{
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  guint64 run_ns;

  path = pid > 0 ? g_strdup_printf ("/proc/%d/schedstat", pid)
                 : g_strdup ("/proc/self/schedstat");
  if (!g_file_get_contents (path, &contents, NULL, NULL) ||
      sscanf (contents, "%" G_GUINT64_FORMAT, &run_ns) != 1)
    return -1;

  return run_ns / 1000;
}

/* Resident memory of the server in KiB. */
static gint64
server_rss_kib (Bench *bench)
{
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  const char *line;

  if (bench->options.server_pid <= 0)
    return -1;

  path = g_strdup_printf ("/proc/%d/status", bench->options.server_pid);
  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return -1;

  line = strstr (contents, "\nVmRSS:");
  return line != NULL ? g_ascii_strtoll (line + 7, NULL, 10) : -1;
}

typedef struct
{
  double        seconds;
  guint64       messages;
  guint64       expected;
  guint64       delivered;
  double        deliveries_per_s;
  double        delivered_share;
  LatencyStats  latency;
  double        bench_cpu_pct;
  double        server_cpu_pct;
} LoadResult;

static gboolean
drained (Bench *bench)
{
  return bench->deliveries_all >= bench->deliveries_expected;
}

/* Sends @msgs_per_s messages a second, spread evenly over the publishers,
 * for @duration_us; then stops sending and waits (at most DRAIN_LIMIT_US)
 * for what is still on its way. What counts is the deliveries of messages
 * sent in the window; bench->tick, when set, runs on every pass (the
 * login storm), and the load goes on past @duration_us until @until says
 * so, when given. */
static LoadResult
run_load_until (Bench     *bench,
                double     msgs_per_s,
                gint64     duration_us,
                BenchDone  until)
{
  LoadResult result = { 0 };
  guint n_pub = bench->publishers->len;
  gint64 start, end, bench_cpu, server_cpu;
  guint64 expected_before;

  g_assert (n_pub > 0);

  bench->interval_us = (gint64) (n_pub * 1e6 / msgs_per_s);
  if (bench->interval_us < 1)
    bench->interval_us = 1;

  g_array_set_size (bench->samples, 0);
  bench->phase = PHASE_TIMED;
  start = bench_now ();
  for (guint i = 0; i < n_pub; i++)
    {
      BenchClient *client = g_ptr_array_index (bench->publishers, i);

      client->next_due_us = start + (gint64) i * bench->interval_us / n_pub;
    }

  bench_cpu = cpu_time_us (0);
  server_cpu = cpu_time_us (bench->options.server_pid);
  expected_before = bench->deliveries_expected;
  bench->window_start_us = start;
  bench->measuring = TRUE;
  bench->sending = TRUE;
  run_until (bench, NULL, duration_us);
  if (until != NULL && !run_until (bench, until, MAX_EXTENSION_US))
    bench_fail (bench, "the run did not reach its end within %d s more",
                (int) (MAX_EXTENSION_US / G_USEC_PER_SEC));
  bench->sending = FALSE;
  end = bench_now ();

  result.seconds = (end - start) / 1e6;
  if (bench_cpu >= 0)
    result.bench_cpu_pct = 100.0 * (cpu_time_us (0) - bench_cpu) / (end - start);
  if (server_cpu >= 0 && bench->options.server_pid > 0)
    result.server_cpu_pct = 100.0 * (cpu_time_us (bench->options.server_pid) - server_cpu) /
                            (end - start);

  run_until (bench, drained, DRAIN_LIMIT_US);
  bench->measuring = FALSE;

  result.expected = bench->deliveries_expected - expected_before;
  result.delivered = bench->samples->len;
  result.messages = result.expected;
  result.deliveries_per_s = result.delivered / result.seconds;
  result.delivered_share = result.expected > 0 ? (double) result.delivered / result.expected : 0;
  result.latency = latency_stats (bench, start, G_MAXINT64);

  /* Whatever was late stays out of the next window's counts. */
  bench->deliveries_all = bench->deliveries_expected;

  return result;
}

static LoadResult
run_load (Bench  *bench,
          double  msgs_per_s,
          gint64  duration_us)
{
  return run_load_until (bench, msgs_per_s, duration_us, NULL);
}

/* Scenarios */

/* @n_clients in @n_rooms of equal size, the first @publishers_per_room of
 * each room publishing (all of them when 0). */
static gboolean
make_rooms (Bench *bench,
            guint  n_clients,
            guint  n_rooms,
            guint  publishers_per_room)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new ();
  guint per_room = n_clients / n_rooms;

  for (guint i = 0; i < n_clients; i++)
    {
      guint room = i / per_room;
      guint place = i % per_room;
      gboolean publisher = publishers_per_room == 0 || place < publishers_per_room;
      BenchClient *client = bench_add_client (bench, "u", room, publisher);

      if (publisher)
        g_ptr_array_add (bench->publishers, client);
      g_ptr_array_add (list, client);
    }

  return setup_clients (bench, list, SETUP_REGISTER_AND_JOIN) && prepare_rooms (bench);
}

static void
print_load (const char       *prefix,
            const LoadResult *result)
{
  printf ("%sdeliveries_per_s=%.0f %sdelivered_pct=%.2f %sp50_ms=%.2f %sp99_ms=%.2f "
          "%sp999_ms=%.2f %smax_ms=%.2f %sbench_cpu_pct=%.0f %sserver_cpu_pct=%.0f",
          prefix, result->deliveries_per_s, prefix, 100 * result->delivered_share,
          prefix, result->latency.p50_ms, prefix, result->latency.p99_ms,
          prefix, result->latency.p999_ms, prefix, result->latency.max_ms,
          prefix, result->bench_cpu_pct, prefix, result->server_cpu_pct);
}

static gboolean
load_passes (const LoadResult *result)
{
  return result->delivered == result->expected && result->latency.p99_ms <= 100;
}

/* 1: one room, rising open-loop rates until a step loses deliveries or its
 * p99 goes over 100 ms; the best step that passed is the result. A step
 * that fails is run once more before the ramp ends, so that one stall of
 * a shared machine does not end it. */
static gboolean
scenario_fanout (Bench *bench)
{
  const BenchOptions *o = &bench->options;
  LoadResult best = { 0 };
  double rate = o->start_rate;
  guint steps = 0;
  gboolean retried = FALSE;

  if (!make_rooms (bench, o->clients, 1, o->publishers))
    return FALSE;

  for (;;)
    {
      double msgs_per_s = rate / (o->clients - 1);
      LoadResult result = run_load (bench, msgs_per_s, o->step_ms * 1000);

      steps++;
      g_printerr ("sotto-bench: fanout step %u: offered %.0f/s, delivered %.0f/s (%.2f%%), "
                  "p99 %.2f ms, bench cpu %.0f%%, server cpu %.0f%%\n",
                  steps, rate, result.deliveries_per_s, 100 * result.delivered_share,
                  result.latency.p99_ms, result.bench_cpu_pct, result.server_cpu_pct);

      if (bench->failure != NULL)
        break;

      if (!load_passes (&result))
        {
          /* Lost deliveries are not retried: the server dropped a client. */
          if (retried || result.delivered_share < 0.99)
            break;
          retried = TRUE;
        }
      else
        {
          best = result;
          retried = FALSE;
          rate *= o->rate_factor;
          if (rate > o->max_rate)
            break;
        }

      /* A breath between steps, so one step's tail does not start the next. */
      run_until (bench, NULL, 200 * 1000);
    }

  printf ("scenario=fanout clients=%d steps=%u ", o->clients, steps);
  print_load ("", &best);
  printf ("\n");
  return steps > 0;
}

/* 2: one room at a fixed rate of deliveries. */
static gboolean
scenario_latency (Bench *bench)
{
  const BenchOptions *o = &bench->options;
  LoadResult result;

  if (!make_rooms (bench, o->clients, 1, o->publishers))
    return FALSE;

  result = run_load (bench, o->rate / (o->clients - 1), o->duration_ms * 1000);
  printf ("scenario=latency clients=%d offered=%.0f ", o->clients, o->rate);
  print_load ("", &result);
  printf ("\n");
  return bench->failure == NULL;
}

/* 3: many small rooms, every member sending at a moderate rate. */
static gboolean
scenario_rooms (Bench *bench)
{
  const BenchOptions *o = &bench->options;
  LoadResult result;

  if (!make_rooms (bench, o->clients, o->rooms, 0))
    return FALSE;

  result = run_load (bench, o->clients * o->per_client_rate, o->duration_ms * 1000);
  printf ("scenario=rooms clients=%d rooms=%d ", o->clients, o->rooms);
  print_load ("", &result);
  printf ("\n");
  return bench->failure == NULL;
}

/* 4: a crowd of idle, logged-in clients; the server's memory for them,
 * then scenario 2 while they stay connected. */
static gboolean
scenario_idle (Bench *bench)
{
  const BenchOptions *o = &bench->options;
  g_autoptr(GPtrArray) crowd = g_ptr_array_new ();
  gint64 rss_empty, rss_full;
  LoadResult result;
  guint held = 0;

  rss_empty = server_rss_kib (bench);
  for (int i = 0; i < o->idle; i++)
    {
      g_ptr_array_add (crowd, bench_add_client (bench, "i", -1, FALSE));
    }

  if (!setup_clients (bench, crowd, SETUP_REGISTER))
    return FALSE;

  /* Let the server settle before its memory is read. */
  run_until (bench, NULL, G_USEC_PER_SEC);
  rss_full = server_rss_kib (bench);

  if (!make_rooms (bench, o->clients, 1, o->publishers))
    return FALSE;

  result = run_load (bench, o->rate / (o->clients - 1), o->duration_ms * 1000);
  for (guint i = 0; i < crowd->len; i++)
    held += ((BenchClient *) g_ptr_array_index (crowd, i))->state == CLIENT_IDLE;

  printf ("scenario=idle idle=%d held=%u rss_empty_kib=%" G_GINT64_FORMAT
          " rss_kib=%" G_GINT64_FORMAT " rss_per_conn_kib=%.2f ",
          o->idle, held, rss_empty, rss_full,
          rss_empty >= 0 && rss_full >= 0 ? (double) (rss_full - rss_empty) / o->idle : -1.0);
  print_load ("", &result);
  printf ("\n");
  return bench->failure == NULL;
}

static void
storm_tick (Bench *bench)
{
  gint64 now = bench_now ();

  if (bench->storm_start_us == 0 && now >= bench->window_start_us + bench->storm_at_us)
    {
      bench->storm_start_us = now;
      /* All at once: no bound on how many are in flight. */
      for (guint i = 0; i < bench->storm->len; i++)
        {
          BenchClient *client = g_ptr_array_index (bench->storm, i);

          bench_client_set_state (client, CLIENT_SETTING_UP);
          bench->protocol->start (client, SETUP_LOGIN);
        }
    }

  if (bench->storm_start_us != 0 && bench->storm_end_us == 0 && bench->setting_up == 0)
    bench->storm_end_us = now;
}

/* The storm is over, and a second of calm after it is measured too. */
static gboolean
storm_over (Bench *bench)
{
  return bench->storm_end_us != 0 && bench_now () >= bench->storm_end_us + G_USEC_PER_SEC;
}

/* 5: scenario 2 with a burst of logins in the middle of it; the run lasts
 * until every login is through. */
static gboolean
scenario_storm (Bench *bench)
{
  const BenchOptions *o = &bench->options;
  LatencyStats before, during;
  LoadResult result;
  gint64 storm_to;

  bench->storm = g_ptr_array_new ();
  for (int i = 0; i < o->storm; i++)
    {
      g_ptr_array_add (bench->storm, bench_add_client (bench, "s", -1, FALSE));
    }

  /* The accounts exist before the timed part; the storm logs them in. */
  if (!setup_clients (bench, bench->storm, SETUP_REGISTER))
    return FALSE;
  for (guint i = 0; i < bench->storm->len; i++)
    {
      BenchClient *client = g_ptr_array_index (bench->storm, i);

      bench->protocol->stop (client);
      bench_client_set_state (client, CLIENT_NEW);
    }

  if (!make_rooms (bench, o->clients, 1, o->publishers))
    return FALSE;

  bench->storm_at_us = o->storm_at_ms * 1000;
  bench->tick = storm_tick;
  result = run_load_until (bench, o->rate / (o->clients - 1), o->duration_ms * 1000, storm_over);
  bench->tick = NULL;

  if (bench->storm_end_us == 0)
    {
      bench_fail (bench, "the login storm did not end within the run");
      storm_to = G_MAXINT64;
    }
  else
    storm_to = MAX (bench->storm_end_us, bench->storm_start_us + STORM_MIN_WINDOW_US);

  before = latency_stats (bench, bench->window_start_us, bench->storm_start_us);
  during = latency_stats (bench, bench->storm_start_us, storm_to);

  printf ("scenario=storm storm=%d storm_s=%.3f calm_p99_ms=%.2f storm_p99_ms=%.2f "
          "calm_samples=%" G_GUINT64_FORMAT " storm_samples=%" G_GUINT64_FORMAT " ",
          o->storm, bench->storm_end_us > 0 ? (bench->storm_end_us - bench->storm_start_us) / 1e6 : -1.0,
          before.p99_ms, during.p99_ms, before.count, during.count);
  print_load ("", &result);
  printf ("\n");
  return bench->failure == NULL;
}

/* Main */

static gboolean
parse_options (int           *argc,
               char        ***argv,
               BenchOptions  *o)
{
  g_autofree char *protocol = NULL;
  g_autofree char *scenario = NULL;
  const GOptionEntry entries[] = {
    { "protocol", 0, 0, G_OPTION_ARG_STRING, &protocol, "sotto, irc or redis", "NAME" },
    { "port", 'p', 0, G_OPTION_ARG_INT, &o->port, "Port of the server on 127.0.0.1", "PORT" },
    { "server-pid", 0, 0, G_OPTION_ARG_INT, &o->server_pid,
      "The server's process, for its CPU time and memory", "PID" },
    { "scenario", 0, 0, G_OPTION_ARG_STRING, &scenario,
      "fanout, latency, rooms, idle or storm", "NAME" },
    { "clients", 'c', 0, G_OPTION_ARG_INT, &o->clients, "Clients in the measured rooms", "N" },
    { "publishers", 0, 0, G_OPTION_ARG_INT, &o->publishers, "Publishers per room", "N" },
    { "rooms", 0, 0, G_OPTION_ARG_INT, &o->rooms, "Rooms (scenario rooms)", "N" },
    { "rate", 0, 0, G_OPTION_ARG_DOUBLE, &o->rate, "Deliveries per second offered", "R" },
    { "per-client-rate", 0, 0, G_OPTION_ARG_DOUBLE, &o->per_client_rate,
      "Messages per second per client (scenario rooms)", "R" },
    { "start-rate", 0, 0, G_OPTION_ARG_DOUBLE, &o->start_rate,
      "First rate of deliveries per second (scenario fanout)", "R" },
    { "rate-factor", 0, 0, G_OPTION_ARG_DOUBLE, &o->rate_factor,
      "Each step's rate over the last one's (scenario fanout)", "F" },
    { "max-rate", 0, 0, G_OPTION_ARG_DOUBLE, &o->max_rate,
      "Highest rate tried (scenario fanout)", "R" },
    { "step-ms", 0, 0, G_OPTION_ARG_INT, &o->step_ms, "Length of a fanout step", "MS" },
    { "duration-ms", 0, 0, G_OPTION_ARG_INT, &o->duration_ms, "Length of a timed run", "MS" },
    { "idle", 0, 0, G_OPTION_ARG_INT, &o->idle, "Idle clients (scenario idle)", "N" },
    { "storm", 0, 0, G_OPTION_ARG_INT, &o->storm, "Logins in the storm", "N" },
    { "storm-at-ms", 0, 0, G_OPTION_ARG_INT, &o->storm_at_ms,
      "When the storm starts, into the run", "MS" },
    { "check-every", 0, 0, G_OPTION_ARG_INT, &o->check_every,
      "Sotto: one client in this many opens and verifies every envelope (0: none)", "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;

  g_option_context_set_summary (context,
                                "Simulated chat clients against sotto-server, ngircd or "
                                "redis-server on 127.0.0.1, for bench/compare.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      g_printerr ("sotto-bench: %s\n", error->message);
      return FALSE;
    }

  for (guint i = 0; protocol != NULL && i < G_N_ELEMENTS (protocols); i++)
    if (g_str_equal (protocol, protocols[i]->name))
      o->protocol = protocols[i];

  if (g_strcmp0 (scenario, "fanout") == 0)
    o->scenario = scenario_fanout;
  else if (g_strcmp0 (scenario, "latency") == 0)
    o->scenario = scenario_latency;
  else if (g_strcmp0 (scenario, "rooms") == 0)
    o->scenario = scenario_rooms;
  else if (g_strcmp0 (scenario, "idle") == 0)
    o->scenario = scenario_idle;
  else if (g_strcmp0 (scenario, "storm") == 0)
    o->scenario = scenario_storm;

  if (o->protocol == NULL)
    g_printerr ("sotto-bench: --protocol must be sotto, irc or redis\n");
  else if (o->scenario == NULL)
    g_printerr ("sotto-bench: --scenario must be fanout, latency, rooms, idle or storm\n");
  else if (o->port < 1 || o->port > G_MAXUINT16)
    g_printerr ("sotto-bench: --port is required\n");
  else if (o->clients < 2 || o->publishers < 1 || o->publishers > o->clients)
    g_printerr ("sotto-bench: --clients must be at least 2 and --publishers 1 to --clients\n");
  else if (o->rooms < 1 || o->clients / o->rooms < 2)
    g_printerr ("sotto-bench: --rooms must leave at least 2 clients in each room\n");
  else if (o->rate <= 0 || o->start_rate <= 0 || o->rate_factor <= 1 || o->per_client_rate <= 0)
    g_printerr ("sotto-bench: rates must be positive and --rate-factor over 1\n");
  else
    return TRUE;

  return FALSE;
}

static void
raise_file_limit (void)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max)
    {
      limit.rlim_cur = limit.rlim_max;
      setrlimit (RLIMIT_NOFILE, &limit);
    }
}

int
main (int   argc,
      char *argv[])
{
  BenchOptions options = {
    .clients = 100,
    .publishers = 10,
    .rooms = 1,
    .rate = 100000,
    .per_client_rate = 2,
    .start_rate = 25000,
    .rate_factor = 1.25,
    .max_rate = 20e6,
    .step_ms = 2000,
    .duration_ms = 5000,
    .idle = 10000,
    .storm = 200,
    .storm_at_ms = 3000,
    .check_every = 100,
  };
  Bench *bench;
  gboolean ok;

  setlocale (LC_ALL, "");
  setlocale (LC_NUMERIC, "C");

  if (!parse_options (&argc, &argv, &options))
    return 2;

  if (sodium_init () < 0)
    {
      g_printerr ("sotto-bench: the cryptography library could not start\n");
      return 1;
    }

  raise_file_limit ();

  bench = g_new0 (Bench, 1);
  bench->options = options;
  bench->protocol = options.protocol;
  bench->epoll_fd = epoll_create1 (EPOLL_CLOEXEC);
  bench->clients = g_ptr_array_new_with_free_func ((GDestroyNotify) bench_client_free);
  bench->rooms = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  bench->publishers = g_ptr_array_new ();
  bench->dirty = g_ptr_array_new ();
  bench->samples = g_array_new (FALSE, FALSE, sizeof (BenchSample));
  bench->phase = PHASE_SETUP;

  ok = options.scenario (bench);
  if (bench->retries > 0)
    g_printerr ("sotto-bench: %u connections were reset before any answer and made again\n",
                bench->retries);
  if (bench->protocol->report != NULL)
    bench->protocol->report (bench);
  ok = ok && bench->failure == NULL;
  fflush (stdout);
  if (bench->failure != NULL)
    g_printerr ("sotto-bench: FAILED: %s\n", bench->failure);

  g_clear_pointer (&bench->storm, g_ptr_array_unref);
  g_ptr_array_unref (bench->publishers);
  g_ptr_array_unref (bench->rooms);
  g_ptr_array_unref (bench->clients);
  g_ptr_array_unref (bench->dirty);
  g_array_unref (bench->samples);
  if (bench->protocol->bench_clear != NULL)
    bench->protocol->bench_clear (bench);
  close (bench->epoll_fd);
  g_free (bench->failure);
  g_free (bench);

  return ok ? 0 : 1;
}
