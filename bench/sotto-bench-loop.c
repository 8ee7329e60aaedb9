/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sotto-bench.h"

/*
 * The loop of sotto-bench: every client is a plain non-blocking socket
 * with an input and an output buffer in one epoll set; the protocol code
 * turns bytes into events and back. Clients are set up a bounded number
 * at a time, and while a load runs the publishers send on an open-loop
 * schedule. Every payload starts with its send time on the monotonic
 * clock (generator and servers share the machine), so every delivery
 * gives a latency.
 */

#define SETUP_CONCURRENCY 64
/* Times a client connects again when the server drops a connection it had
 * not answered yet (a full accept queue, where the kernel then resets). */
#define SETUP_RETRIES 5
#define SETUP_TIMEOUT_S 600

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

/* Runs the loop until @done says so, @timeout_us passes, or a failure. */
gboolean
bench_run_until (Bench     *bench,
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
BenchClient *
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

void
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
gboolean
bench_setup_clients (Bench     *bench,
                     GPtrArray *list,
                     SetupGoal  goal)
{
  gboolean ok;

  bench->setup_list = list;
  bench->setup_next = 0;
  bench->setup_goal = goal;
  bench->tick = setup_tick;
  ok = bench_run_until (bench, setup_done, SETUP_TIMEOUT_S * G_USEC_PER_SEC);
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
gboolean
bench_prepare_rooms (Bench *bench)
{
  if (bench->protocol->prepare_rooms == NULL)
    return TRUE;

  bench->protocol->prepare_rooms (bench);
  if (!bench_run_until (bench, rooms_ready, SETUP_TIMEOUT_S * G_USEC_PER_SEC))
    {
      bench_fail (bench, "the rooms were not ready in %d s", SETUP_TIMEOUT_S);
      return FALSE;
    }

  /* Let the last acknowledgements go out and settle. */
  bench_run_until (bench, NULL, 200 * 1000);
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

