/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>

#include "sotto-bench-relay.h"
#include "sotto-bench-stats.h"

/*
 * The relay scenario of sotto-bench (bench/relay-quick, bench/relay-callgrind):
 * a quick measurement of how fast a running sotto-server relays room
 * messages. N clients in this one process and one main loop connect with
 * the real handshake, register, join one fresh room, and then the senders
 * post M envelopes each while every other member counts what arrives.
 *
 * How the senders are paced and what each delivery is checked for is in
 * sotto-bench-relay-traffic.c.
 *
 * All N clients live in one process, which so reads N - 1 deliveries for
 * every message the server relays, and a full parse and validation of one
 * delivery costs more than the server spends relaying it to one member.
 * So that the clients do not measure themselves, deliveries are read the
 * light way: the fixed start of the server's "message" (type and room) is
 * compared and the first bytes of the envelope decoded, without json-glib.
 * One delivery in FULL_PARSE_EVERY per client, and every message of any
 * other type, still goes through sotto_msg_parse_bytes() with its full
 * validation; --full-parse parses every delivery, as a real client would.
 * The CPU time of both processes in the timed part is in the result, so a
 * reader can tell which one was the limit.
 *
 * The result is one line on stdout; progress and failures go to stderr.
 * Exit status: 0 when every expected delivery arrived, 1 when not, 2 for
 * bad arguments.
 */

#define FULL_PARSE_EVERY 64
#define PASSWORD_BYTES 12
#define WATCHDOG_INTERVAL_MS 1000
#define CLOSE_GRACE_MS 2000
/* Clients listed one by one when a run fails. */
#define MAX_CLIENTS_SHOWN 20
/* Keep the worst case of what waits for one recipient on the server well
 * under its default queue limit (8 MiB), so the limit never triggers. */
#define SERVER_QUEUE_BUDGET (4 * 1024 * 1024)

static void
handle_reply (RelayClient *client,
              SottoMsg    *msg)
{
  Relay *relay = client->relay;
  SottoMsgType type = sotto_msg_get_msg_type (msg);
  const char *id = sotto_msg_get_id (msg);

  switch (client->state)
    {
    case RELAY_CLIENT_REGISTERING:
      if (type != SOTTO_MSG_TYPE_SESSION)
        break;
      client->state = RELAY_CLIENT_JOINING;
      relay_client_send_take (client, sotto_msg_build_join ("join", relay->room));
      return;

    case RELAY_CLIENT_JOINING:
      if (type != SOTTO_MSG_TYPE_JOINED)
        break;
      /* A ping round trip: the pong comes after everything the server
       * had queued for this connection, so the setup is read. */
      client->state = RELAY_CLIENT_JOINED;
      relay_client_send_take (client, sotto_msg_build_ping ("settle"));
      return;

    case RELAY_CLIENT_JOINED:
      if (type != SOTTO_MSG_TYPE_PONG)
        break;
      client->state = RELAY_CLIENT_SETTLED;
      if (++relay->settled == relay->n_clients)
        {
          g_printerr ("sotto-bench: %u clients in %s after %.2f s; sending\n",
                      relay->n_clients, relay->room,
                      (g_get_monotonic_time () - relay->setup_start_us) / 1e6);
          relay->phase = RELAY_PHASE_TIMED;
          relay->times_start = relay_read_times (0);
          if (relay->options.server_pid > 0)
            relay->server_times_start = relay_read_times (relay->options.server_pid);
          relay->start_us = g_get_monotonic_time ();
          relay->last_progress_us = relay->start_us;
          for (guint i = 0; i < relay->n_senders; i++)
            relay_client_fill (&relay->clients[i]);
        }
      return;

    case RELAY_CLIENT_SETTLED:
      if (type != SOTTO_MSG_TYPE_SENT)
        break;
      client->acked++;
      relay->acks++;
      relay->last_ack_us = g_get_monotonic_time ();
      relay_client_fill (client);
      relay_check_done (relay);
      return;

    case RELAY_CLIENT_CONNECTING:
    default:
      break;
    }

  if (type == SOTTO_MSG_TYPE_ERROR)
    relay_fail (relay, "%s: the server refused request “%s”: %s (%s)", client->name,
                id != NULL ? id : "?",
                sotto_msg_get_string (msg, "message"),
                sotto_msg_error_code_to_string (sotto_msg_get_error_code (msg)));
  else
    relay_fail (relay, "%s: an unexpected “%s” reply", client->name,
                sotto_msg_type_to_string (type));
}

static void
channel_message_cb (SottoChannel *channel,
                    GBytes       *bytes,
                    gpointer      user_data)
{
  RelayClient *client = user_data;
  Relay *relay = client->relay;
  g_autoptr(SottoMsg) msg = NULL;
  g_autoptr(GError) error = NULL;
  SottoMsgType type;

  if (relay->phase >= RELAY_PHASE_DONE)
    return;

  if (relay->phase == RELAY_PHASE_TIMED && !relay->options.full_parse &&
      client->received % FULL_PARSE_EVERY != 0 && relay_read_delivery_light (client, bytes))
    return;

  msg = sotto_msg_parse_bytes (bytes, SOTTO_MSG_FROM_SERVER, &error);
  if (msg == NULL)
    {
      relay_fail (relay, "%s: the server sent what is not protocol: %s",
                  client->name, error->message);
      return;
    }

  type = sotto_msg_get_msg_type (msg);
  switch (type)
    {
    case SOTTO_MSG_TYPE_WELCOME:
      if (client->state != RELAY_CLIENT_CONNECTING)
        break;
      client->state = RELAY_CLIENT_REGISTERING;
      relay_client_send_take (client,
                              sotto_msg_build_register ("register", client->name,
                                                        relay->password, &client->identity, NULL));
      return;

    case SOTTO_MSG_TYPE_MESSAGE:
      relay_handle_delivery (client, msg);
      return;

    case SOTTO_MSG_TYPE_ERROR:
    case SOTTO_MSG_TYPE_SESSION:
    case SOTTO_MSG_TYPE_JOINED:
    case SOTTO_MSG_TYPE_PONG:
    case SOTTO_MSG_TYPE_SENT:
      handle_reply (client, msg);
      return;

    /* Events of the setup ("general", other members) say nothing here. */
    case SOTTO_MSG_TYPE_MEMBER_JOINED:
    case SOTTO_MSG_TYPE_PRESENCE:
    case SOTTO_MSG_TYPE_NOTICE:
      return;

    default:
      break;
    }

  relay_fail (relay, "%s: an unexpected “%s” from the server", client->name,
              sotto_msg_type_to_string (type));
}

static void
channel_closed_cb (SottoChannel *channel,
                   const GError *error,
                   gpointer      user_data)
{
  RelayClient *client = user_data;
  Relay *relay = client->relay;

  if (relay->phase < RELAY_PHASE_DONE)
    {
      relay_fail (relay, "%s: the connection ended: %s", client->name,
                  error != NULL ? error->message : "the server said goodbye");
      return;
    }

  if (relay->phase == RELAY_PHASE_CLOSING && ++relay->closed == relay->n_clients)
    g_main_loop_quit (relay->loop);
}

static void
handshake_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  SottoClientHandshake *handshake = SOTTO_CLIENT_HANDSHAKE (object);
  RelayClient *client = user_data;
  g_autoptr(GError) error = NULL;
  SottoChannel *channel;

  channel = sotto_client_handshake_run_finish (handshake, result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  /* First contact: trust the key, as a user who checked it would. */
  if (g_error_matches (error, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_SERVER_KEY_UNKNOWN))
    {
      g_clear_error (&error);
      channel = sotto_client_handshake_trust_server (handshake, &error);
    }

  if (channel == NULL)
    {
      relay_fail (client->relay, "%s: the handshake failed: %s", client->name, error->message);
      return;
    }

  client->channel = channel;
  g_clear_object (&client->handshake);
  g_signal_connect (channel, "message", G_CALLBACK (channel_message_cb), client);
  g_signal_connect (channel, "closed", G_CALLBACK (channel_closed_cb), client);
  sotto_channel_start (channel);
}

static void
connected_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  RelayClient *client = user_data;
  Relay *relay = client->relay;
  g_autoptr(GError) error = NULL;

  client->connection = g_socket_client_connect_to_host_finish (G_SOCKET_CLIENT (object),
                                                                result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (client->connection == NULL)
    {
      relay_fail (relay, "%s: could not connect to 127.0.0.1:%d: %s", client->name,
                  relay->options.port, error->message);
      return;
    }

  /* The channel already gathers what one main-loop iteration sends into one
   * write; Nagle's algorithm would only hold that write back. Whatever
   * delay is left is the server's. */
  if (!g_socket_set_option (g_socket_connection_get_socket (client->connection),
                            IPPROTO_TCP, TCP_NODELAY, 1, &error))
    {
      relay_fail (relay, "%s: could not set TCP_NODELAY: %s", client->name, error->message);
      return;
    }

  client->handshake = sotto_client_handshake_new (G_IO_STREAM (client->connection), "127.0.0.1",
                                                  SOTTO_PIN_STORE (relay->pins));
  sotto_client_handshake_run_async (client->handshake, relay->cancellable, handshake_cb, client);
}

static gboolean
watchdog_cb (gpointer user_data)
{
  Relay *relay = user_data;
  gint64 now = g_get_monotonic_time ();
  guint64 progress = relay->acks + relay->deliveries;

  if (relay->phase >= RELAY_PHASE_DONE)
    return G_SOURCE_CONTINUE;

  if (relay->phase == RELAY_PHASE_SETUP)
    {
      if (now - relay->setup_start_us > (gint64) relay->options.timeout * G_USEC_PER_SEC)
        relay_fail (relay, "the setup took more than %d s (%u of %u clients ready)",
                    relay->options.timeout, relay->settled, relay->n_clients);
      return G_SOURCE_CONTINUE;
    }

  if (progress != relay->last_progress_count)
    {
      relay->last_progress_count = progress;
      relay->last_progress_us = now;
    }
  else if (now - relay->last_progress_us > (gint64) relay->options.stall * G_USEC_PER_SEC)
    relay_fail (relay, "nothing arrived for %d s", relay->options.stall);

  if (now - relay->setup_start_us > (gint64) relay->options.timeout * G_USEC_PER_SEC)
    relay_fail (relay, "the run took more than %d s", relay->options.timeout);

  return G_SOURCE_CONTINUE;
}

static gboolean
close_grace_cb (gpointer user_data)
{
  Relay *relay = user_data;

  relay->close_grace_id = 0;
  g_main_loop_quit (relay->loop);

  return G_SOURCE_REMOVE;
}

/* Says goodbye on every connection, so the server sees clients leave and
 * not connections cut, and waits a moment for it to go out. */
static void
relay_close_all (Relay *relay)
{
  guint open = 0;

  relay->phase = RELAY_PHASE_CLOSING;

  for (guint i = 0; i < relay->n_clients; i++)
    {
      RelayClient *client = &relay->clients[i];

      if (client->channel != NULL && sotto_channel_is_open (client->channel))
        {
          sotto_channel_close (client->channel);
          open++;
        }
      else
        relay->closed++;
    }

  if (open == 0)
    return;

  relay->close_grace_id = g_timeout_add (CLOSE_GRACE_MS, close_grace_cb, relay);
  g_main_loop_run (relay->loop);
  g_clear_handle_id (&relay->close_grace_id, g_source_remove);
}

static gboolean
relay_report (Relay *relay)
{
  guint64 messages = (guint64) relay->n_senders * relay->options.messages;
  gint64 end_us = MAX (relay->last_ack_us, relay->last_delivery_us);
  double seconds = relay->start_us > 0 ? (end_us - relay->start_us) / 1e6 : 0;
  double ack_seconds = relay->start_us > 0 ? (relay->last_ack_us - relay->start_us) / 1e6 : 0;
  gboolean complete = relay->failure == NULL && relay->acks == messages &&
                      relay->deliveries == relay->expected_deliveries &&
                      relay->out_of_order == 0;
  char shares[4][16];

  g_array_sort (relay->latencies_us, bench_compare_gint64);

  /* The C locale, set in main: the line is for scripts. */
  printf ("clients=%u senders=%u messages=%" G_GUINT64_FORMAT " size=%d window=%u parse=%s "
          "acked=%" G_GUINT64_FORMAT " deliveries=%" G_GUINT64_FORMAT
          " expected=%" G_GUINT64_FORMAT " seconds=%.3f msgs_per_s=%.0f deliveries_per_s=%.0f "
          "p50_ms=%.2f p99_ms=%.2f max_ms=%.2f out_of_order=%" G_GUINT64_FORMAT
          " delivery_stalls=%" G_GUINT64_FORMAT " full_parses=%" G_GUINT64_FORMAT
          " bench_cpu_pct=%s bench_wait_pct=%s server_cpu_pct=%s server_wait_pct=%s"
          " complete=%s\n",
          relay->n_clients, relay->n_senders, messages, relay->options.size, relay->window,
          relay->options.full_parse ? "full" : "light",
          relay->acks, relay->deliveries, relay->expected_deliveries, seconds,
          ack_seconds > 0 ? relay->acks / ack_seconds : 0,
          seconds > 0 ? relay->deliveries / seconds : 0,
          bench_percentile_ms (relay->latencies_us, 50000),
          bench_percentile_ms (relay->latencies_us, 99000),
          bench_percentile_ms (relay->latencies_us, 100000),
          relay->out_of_order, relay->delivery_stalls, relay->full_parses,
          bench_format_share (shares[0], sizeof shares[0], relay->times.run_s, seconds),
          bench_format_share (shares[1], sizeof shares[1], relay->times.wait_s, seconds),
          bench_format_share (shares[2], sizeof shares[2], relay->server_times.run_s, seconds),
          bench_format_share (shares[3], sizeof shares[3], relay->server_times.wait_s, seconds),
          complete ? "yes" : "NO");
  fflush (stdout);

  if (!complete)
    {
      g_printerr ("\n"
                  "sotto-bench: FAILED: NOT EVERY EXPECTED DELIVERY ARRIVED\n"
                  "sotto-bench:   %s\n"
                  "sotto-bench:   acknowledged %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
                  " sends; %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " deliveries"
                  " (%" G_GUINT64_FORMAT " missing); %" G_GUINT64_FORMAT " out of order\n",
                  relay->failure != NULL ? relay->failure : "the counts do not add up",
                  relay->acks, messages, relay->deliveries, relay->expected_deliveries,
                  relay->expected_deliveries - MIN (relay->deliveries,
                                                    relay->expected_deliveries),
                  relay->out_of_order);
      for (guint i = 0, shown = 0; i < relay->n_clients; i++)
        {
          RelayClient *client = &relay->clients[i];
          guint64 expected = (guint64) relay->options.messages *
                             (relay->n_senders - (i < relay->n_senders ? 1 : 0));

          if (client->received == expected && client->acked == client->sent)
            continue;

          if (shown++ == MAX_CLIENTS_SHOWN)
            {
              g_printerr ("sotto-bench:   (and more)\n");
              break;
            }

          g_printerr ("sotto-bench:   %s: received %" G_GUINT64_FORMAT " of %"
                      G_GUINT64_FORMAT ", sent %u, acknowledged %u\n",
                      client->name, client->received, expected, client->sent, client->acked);
        }
    }

  return complete;
}

static void
relay_free (Relay *relay)
{
  g_cancellable_cancel (relay->cancellable);
  g_clear_handle_id (&relay->watchdog_id, g_source_remove);
  g_clear_handle_id (&relay->finish_id, g_source_remove);

  for (guint i = 0; relay->clients != NULL && i < relay->n_clients; i++)
    {
      RelayClient *client = &relay->clients[i];

      if (client->channel != NULL)
        {
          g_signal_handlers_disconnect_by_data (client->channel, client);
          sotto_channel_abort (client->channel, NULL);
        }
      g_clear_object (&client->channel);
      g_clear_object (&client->handshake);
      g_clear_object (&client->connection);
      g_free (client->next_from);
      g_free (client->name);
    }

  g_free (relay->clients);
  g_clear_pointer (&relay->latencies_us, g_array_unref);
  g_clear_object (&relay->socket_client);
  g_clear_object (&relay->pins);
  g_clear_object (&relay->cancellable);
  g_clear_pointer (&relay->loop, g_main_loop_unref);
  g_free (relay->room);
  g_free (relay->delivery_prefix);
  g_free (relay->password);
  g_free (relay->failure);
  g_free (relay);
}

/* About what one delivery weighs in the server's queue: the base64
 * envelope and the JSON around it. */
static gsize
delivery_wire_size (int size)
{
  return (size + 2) / 3 * 4 + 200;
}

static Relay *
relay_new (const RelayOptions *options)
{
  Relay *relay = g_new0 (Relay, 1);
  guint8 tag[4];
  guint8 secret[PASSWORD_BYTES];
  g_autofree char *tag_hex = NULL;
  gsize budget_window;

  relay->options = *options;
  relay->n_clients = options->clients;
  relay->n_senders = options->senders;
  relay->loop = g_main_loop_new (NULL, FALSE);
  relay->cancellable = g_cancellable_new ();
  relay->socket_client = g_socket_client_new ();
  relay->pins = sotto_memory_pin_store_new ();
  relay->times_start = relay->server_times_start = (RelayTimes) { -1, -1 };
  relay->times = relay->server_times = (RelayTimes) { -1, -1 };

  /* Fresh names on every run, so runs against the same server never meet. */
  randombytes_buf (tag, sizeof tag);
  tag_hex = g_strdup_printf ("%02x%02x%02x%02x", tag[0], tag[1], tag[2], tag[3]);
  relay->room = g_strdup_printf ("bench-%s", tag_hex);
  relay->delivery_prefix = g_strdup_printf ("{\"type\":\"message\",\"room\":\"%s\",",
                                            relay->room);
  relay->delivery_prefix_len = strlen (relay->delivery_prefix);
  randombytes_buf (secret, sizeof secret);
  relay->password = g_base64_encode (secret, sizeof secret);

  /* Two windows of deliveries per sender may wait to be read; beyond that
   * the sender waits too. Both bounds shrink for big envelopes, so that
   * everything that may wait for one recipient fits the server's queue. */
  budget_window = SERVER_QUEUE_BUDGET / (2 * delivery_wire_size (options->size) * relay->n_senders);
  relay->window = CLAMP ((gsize) options->window, 1, MAX (budget_window, 1));
  if (relay->window < (guint) options->window)
    g_printerr ("sotto-bench: window lowered from %d to %u so the server's queues stay bounded\n",
                options->window, relay->window);
  relay->delivery_bound = 2 * (guint64) relay->window * (relay->n_clients - 1);
  relay->expected_deliveries = (guint64) options->messages * relay->n_senders *
                               (relay->n_clients - 1);
  relay->latencies_us = g_array_sized_new (FALSE, FALSE, sizeof (gint64),
                                           MIN (relay->expected_deliveries, 1000000));

  relay->clients = g_new0 (RelayClient, relay->n_clients);
  for (guint i = 0; i < relay->n_clients; i++)
    {
      RelayClient *client = &relay->clients[i];

      client->relay = relay;
      client->index = i;
      client->name = g_strdup_printf ("b%s-%u", tag_hex, i);
      client->next_from = g_new0 (guint32, relay->n_senders);
      randombytes_buf (&client->identity, sizeof client->identity);
    }

  return relay;
}


/* Only the options of this scenario; --port, --clients and --server-pid
 * are sotto-bench's own. */
GOptionGroup *
relay_option_group (RelayOptions *options)
{
  const GOptionEntry entries[] = {
    { "messages", 'm', 0, G_OPTION_ARG_INT, &options->messages,
      "Messages each sender sends (default 500)", "M" },
    { "size", 's', 0, G_OPTION_ARG_INT, &options->size,
      "Envelope size in bytes, 16 to 65536 (default 200)", "BYTES" },
    { "senders", 0, 0, G_OPTION_ARG_INT, &options->senders,
      "How many of the clients send (default: all)", "N" },
    { "window", 'w', 0, G_OPTION_ARG_INT, &options->window,
      "Unacknowledged sends allowed per sender (default 50; lowered for big envelopes)",
      "N" },
    { "timeout", 't', 0, G_OPTION_ARG_INT, &options->timeout,
      "Give up after this many seconds in all (default 300)", "SECONDS" },
    { "stall", 0, 0, G_OPTION_ARG_INT, &options->stall,
      "Give up when nothing arrives for this long (default 15)", "SECONDS" },
    { "full-parse", 0, 0, G_OPTION_ARG_NONE, &options->full_parse,
      "Parse and validate every delivery, as a real client would", NULL },
    { NULL }
  };
  GOptionGroup *group;

  group = g_option_group_new ("relay", "Options of the relay scenario:",
                              "Show the options of the relay scenario", NULL, NULL);
  g_option_group_add_entries (group, entries);

  return group;
}

gboolean
relay_check_options (RelayOptions *options)
{
  if (options->senders == 0)
    options->senders = options->clients;

  if (options->port < 1 || options->port > G_MAXUINT16)
    g_printerr ("sotto-bench: --port is required (1 to 65535)\n");
  else if (options->clients < 2 || options->clients > 10000)
    g_printerr ("sotto-bench: --clients must be 2 to 10000\n");
  else if (options->senders < 1 || options->senders > options->clients)
    g_printerr ("sotto-bench: --senders must be 1 to --clients\n");
  else if (options->messages < 1 || options->messages > 10000000)
    g_printerr ("sotto-bench: --messages must be 1 to 10000000\n");
  else if (options->size < RELAY_ENVELOPE_HEADER_SIZE ||
           options->size > SOTTO_PROTOCOL_ENVELOPE_MAX_SIZE)
    g_printerr ("sotto-bench: --size must be %d to %d\n", RELAY_ENVELOPE_HEADER_SIZE,
                SOTTO_PROTOCOL_ENVELOPE_MAX_SIZE);
  else if (options->window < 1 || options->timeout < 1 || options->stall < 1)
    g_printerr ("sotto-bench: --window, --timeout and --stall must be at least 1\n");
  else
    return TRUE;

  return FALSE;
}

/* Runs the scenario to its end; returns the exit status: 0 when every
 * expected delivery arrived, 1 when not. */
int
relay_run (const RelayOptions *options)
{
  Relay *relay = relay_new (options);
  gboolean complete;

  relay->setup_start_us = g_get_monotonic_time ();
  relay->watchdog_id = g_timeout_add (WATCHDOG_INTERVAL_MS, watchdog_cb, relay);

  for (guint i = 0; i < relay->n_clients; i++)
    g_socket_client_connect_to_host_async (relay->socket_client, "127.0.0.1", options->port,
                                           relay->cancellable, connected_cb, &relay->clients[i]);

  g_main_loop_run (relay->loop);

  complete = relay_report (relay);
  if (relay->phase == RELAY_PHASE_DONE)
    relay_close_all (relay);

  relay_free (relay);

  return complete ? 0 : 1;
}
