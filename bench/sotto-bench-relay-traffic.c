/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sotto-bench-relay.h"
#include "sotto-bench-stats.h"

/*
 * The timed part of the relay scenario. Each sender keeps at most
 * --window sends unacknowledged ("sent" not yet back), so what is measured
 * is the relay and not the server's per-connection queue limit; a second,
 * looser bound on deliveries not yet received keeps a slow reader from
 * piling up the server's queues. Every envelope starts with its send
 * time, its sender and its number, so every delivery gives a latency and
 * is checked for order, duplicates and loss.
 */

/* From /proc/PID/schedstat: run and wait times of the main thread, which
 * in the server is the one that relays. Read at the edges of the timed
 * part only, so the blocking read costs nothing that is measured. */
RelayTimes
relay_read_times (int pid)
{
  BenchSchedstat stat;
  RelayTimes times = { -1, -1 };

  if (!bench_read_schedstat (pid, &stat))
    return times;

  times.run_s = stat.run_ns / 1e9;
  times.wait_s = stat.wait_ns / 1e9;
  return times;
}

static RelayTimes
relay_times_since (RelayTimes start,
                   int        pid)
{
  RelayTimes now = relay_read_times (pid);
  RelayTimes spent = { -1, -1 };

  if (start.run_s >= 0 && now.run_s >= 0)
    {
      spent.run_s = now.run_s - start.run_s;
      spent.wait_s = now.wait_s - start.wait_s;
    }

  return spent;
}

void
relay_fail (Relay      *relay,
            const char *format,
            ...)
{
  va_list args;

  if (relay->failure != NULL || relay->phase >= RELAY_PHASE_DONE)
    return;

  va_start (args, format);
  relay->failure = g_strdup_vprintf (format, args);
  va_end (args);

  g_main_loop_quit (relay->loop);
}

static void
relay_client_send (RelayClient *client,
                   GBytes      *message)
{
  if (!sotto_channel_send (client->channel, message))
    relay_fail (client->relay, "%s: could not queue a message: the connection is gone",
                client->name);
}

void
relay_client_send_take (RelayClient *client,
                        GBytes      *message)
{
  relay_client_send (client, message);
  g_bytes_unref (message);
}

/* Makes the next envelope of @client: send time, sender and number, then
 * random bytes, as opaque to the server as a real one. */
static GBytes *
make_envelope (RelayClient *client)
{
  gsize size = client->relay->options.size;
  guint8 *data = g_malloc (size);
  gint64 now = GINT64_TO_LE (g_get_monotonic_time ());
  guint32 sender = GUINT32_TO_LE (client->index);
  guint32 number = GUINT32_TO_LE (client->sent);

  memcpy (data, &now, 8);
  memcpy (data + 8, &sender, 4);
  memcpy (data + 12, &number, 4);
  randombytes_buf (data + RELAY_ENVELOPE_HEADER_SIZE, size - RELAY_ENVELOPE_HEADER_SIZE);

  return g_bytes_new_take (data, size);
}

/* Tops the sender up to its window; the channel sends everything queued in
 * this main-loop iteration as one frame. */
void
relay_client_fill (RelayClient *client)
{
  Relay *relay = client->relay;

  if (relay->phase != RELAY_PHASE_TIMED || client->index >= relay->n_senders)
    return;

  while (client->sent < (guint) relay->options.messages &&
         client->sent - client->acked < relay->window)
    {
      guint64 owed = (guint64) client->sent * (relay->n_clients - 1);
      g_autoptr(GBytes) envelope = NULL;
      char id[24];
      char msg_id[24];

      /* Deliveries of this sender's messages not read yet, anywhere. */
      if (owed > client->delivered && owed - client->delivered >= relay->delivery_bound)
        {
          relay->delivery_stalls++;
          return;
        }

      g_snprintf (id, sizeof id, "s%u", client->sent);
      g_snprintf (msg_id, sizeof msg_id, "m%u", client->sent);
      envelope = make_envelope (client);
      relay_client_send_take (client, sotto_msg_build_send (id, relay->room, msg_id, envelope));
      client->sent++;
    }
}

/* Counts one delivery of an envelope that starts with @header (at least
 * RELAY_ENVELOPE_HEADER_SIZE bytes) and is @size bytes long in all. */
static void
record_delivery (RelayClient  *client,
                 const guint8 *header,
                 gsize         size)
{
  Relay *relay = client->relay;
  gint64 now = g_get_monotonic_time ();
  gint64 sent_us;
  gint64 latency;
  guint32 sender;
  guint32 number;

  if (relay->phase != RELAY_PHASE_TIMED)
    {
      relay_fail (relay, "%s: a message came in before any was sent", client->name);
      return;
    }

  if (size != (gsize) relay->options.size)
    {
      relay_fail (relay, "%s: an envelope of %" G_GSIZE_FORMAT " bytes instead of %d",
                  client->name, size, relay->options.size);
      return;
    }

  memcpy (&sent_us, header, 8);
  memcpy (&sender, header + 8, 4);
  memcpy (&number, header + 12, 4);
  sent_us = GINT64_FROM_LE (sent_us);
  sender = GUINT32_FROM_LE (sender);
  number = GUINT32_FROM_LE (number);

  if (sender >= relay->n_senders || sender == client->index)
    {
      relay_fail (relay, "%s: a delivery from sender %u, which cannot be", client->name, sender);
      return;
    }

  /* The server gives each room one order, and one sender's messages enter
   * it in the order they were sent. */
  if (number != client->next_from[sender])
    relay->out_of_order++;
  client->next_from[sender] = number + 1;

  latency = now - sent_us;
  g_array_append_val (relay->latencies_us, latency);
  client->received++;
  relay->deliveries++;
  relay->last_delivery_us = now;

  relay->clients[sender].delivered++;
  relay_client_fill (&relay->clients[sender]);
  relay_check_done (relay);
}

/* The light reading: the server writes "message" as type, room, seq, ts,
 * sender, msg_id, envelope (docs/protocol.md), compact. Anything that does
 * not look exactly like that is left to the full parse. */
gboolean
relay_read_delivery_light (RelayClient *client,
                           GBytes      *bytes)
{
  static const char key[] = "\"envelope\":\"";
  Relay *relay = client->relay;
  gsize size;
  const guint8 *data = g_bytes_get_data (bytes, &size);
  const guint8 *end = data + size;
  const guint8 *value;
  const guint8 *quote;
  guint8 header[RELAY_ENVELOPE_HEADER_BASE64 / 4 * 3];
  gsize base64_len;
  gsize decoded_len;
  int state = 0;
  guint save = 0;

  if (size < relay->delivery_prefix_len ||
      memcmp (data, relay->delivery_prefix, relay->delivery_prefix_len) != 0)
    return FALSE;

  value = memmem (data + relay->delivery_prefix_len, size - relay->delivery_prefix_len,
                  key, sizeof key - 1);
  if (value == NULL)
    return FALSE;
  value += sizeof key - 1;

  quote = memchr (value, '"', end - value);
  if (quote == NULL || quote + 2 != end || quote[1] != '}')
    return FALSE;

  base64_len = quote - value;
  if (base64_len < RELAY_ENVELOPE_HEADER_BASE64 || base64_len % 4 != 0)
    return FALSE;

  decoded_len = base64_len / 4 * 3 - (quote[-1] == '=') - (quote[-2] == '=');
  g_base64_decode_step ((const char *) value, RELAY_ENVELOPE_HEADER_BASE64, header, &state, &save);
  record_delivery (client, header, decoded_len);

  return TRUE;
}

void
relay_handle_delivery (RelayClient *client,
                       SottoMsg    *msg)
{
  Relay *relay = client->relay;
  g_autoptr(GBytes) envelope = NULL;
  const guint8 *data;
  gsize size;

  if (g_strcmp0 (sotto_msg_get_string (msg, "room"), relay->room) != 0)
    return;

  envelope = sotto_msg_dup_bytes (msg, "envelope");
  data = g_bytes_get_data (envelope, &size);
  if (size < RELAY_ENVELOPE_HEADER_SIZE)
    {
      relay_fail (relay, "%s: an envelope of %" G_GSIZE_FORMAT " bytes", client->name, size);
      return;
    }

  relay->full_parses++;
  record_delivery (client, data, size);
}

static gboolean
finish_cb (gpointer user_data)
{
  Relay *relay = user_data;

  relay->finish_id = 0;
  g_main_loop_quit (relay->loop);

  return G_SOURCE_REMOVE;
}

void
relay_check_done (Relay *relay)
{
  guint64 total = (guint64) relay->n_senders * relay->options.messages;

  if (relay->phase != RELAY_PHASE_TIMED || relay->acks < total ||
      relay->deliveries < relay->expected_deliveries)
    return;

  relay->times = relay_times_since (relay->times_start, 0);
  if (relay->options.server_pid > 0)
    relay->server_times = relay_times_since (relay->server_times_start,
                                             relay->options.server_pid);
  relay->phase = RELAY_PHASE_DONE;

  /* Not from inside the channel's signal emission. */
  if (relay->finish_id == 0)
    relay->finish_id = g_idle_add (finish_cb, relay);
}
