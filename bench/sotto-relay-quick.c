/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <locale.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>

#include "sotto-protocol.h"
#include "sotto-wire.h"

/*
 * A quick measurement of how fast a running sotto-server relays room
 * messages. N clients in this one process and one main loop connect with
 * the real handshake, register, join one fresh room, and then the senders
 * post M envelopes each while every other member counts what arrives.
 *
 * Each sender keeps at most --window sends unacknowledged ("sent" not yet
 * back), so what is measured is the relay and not the server's
 * per-connection queue limit; a second, looser bound on deliveries not yet
 * received keeps a slow reader from piling up the server's queues. Every
 * envelope starts with its send time, its sender and its number, so every
 * delivery gives a latency and is checked for order, duplicates and loss.
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

#define ENVELOPE_HEADER_SIZE 16
/* Base64 characters that hold the envelope header, and then some. */
#define ENVELOPE_HEADER_BASE64 24
#define FULL_PARSE_EVERY 64
#define PASSWORD_BYTES 12
#define WATCHDOG_INTERVAL_MS 1000
#define CLOSE_GRACE_MS 2000
/* Clients listed one by one when a run fails. */
#define MAX_CLIENTS_SHOWN 20
/* Keep the worst case of what waits for one recipient on the server well
 * under its default queue limit (8 MiB), so the limit never triggers. */
#define SERVER_QUEUE_BUDGET (4 * 1024 * 1024)

/* In this order: comparisons of phases mean "not yet" and "already". */
typedef enum
{
  PHASE_SETUP,
  PHASE_TIMED,
  PHASE_DONE,
  PHASE_CLOSING,
} Phase;

typedef enum
{
  CLIENT_CONNECTING,
  CLIENT_REGISTERING,
  CLIENT_JOINING,
  CLIENT_JOINED,
  CLIENT_SETTLED,
} ClientState;

typedef struct _Bench Bench;

/* Time a process's main thread spent on a CPU, and runnable but waiting
 * for one (what other load on its core took), in seconds. */
typedef struct
{
  double run_s;
  double wait_s;
} ProcessTimes;

typedef struct
{
  Bench                *bench;
  guint                 index;
  char                 *name;
  ClientState           state;

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
} Client;

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
} Options;

/* The server key is trusted on first use and then checked like a client
 * would, for the whole run: every connection of the run must see the
 * same key. */
#define BENCH_TYPE_PINS (bench_pins_get_type ())
G_DECLARE_FINAL_TYPE (BenchPins, bench_pins, BENCH, PINS, GObject)

struct _BenchPins
{
  GObject     parent_instance;
  GHashTable *pins;
};

struct _Bench
{
  Options           options;
  GMainLoop        *loop;
  GCancellable     *cancellable;
  GSocketClient    *socket_client;
  BenchPins        *pins;
  Phase             phase;
  char             *room;
  char             *password;
  Client           *clients;
  guint             n_clients;
  guint             n_senders;
  guint             window;
  guint64           delivery_bound;

  guint             settled;
  guint             closed;
  gint64            setup_start_us;
  gint64            start_us;
  gint64            last_ack_us;
  gint64            last_delivery_us;
  guint64           acks;
  guint64           deliveries;
  guint64           expected_deliveries;
  guint64           out_of_order;
  guint64           delivery_stalls;
  GArray           *latencies_us;

  gint64            last_progress_us;
  guint64           last_progress_count;
  guint             watchdog_id;
  guint             finish_id;
  guint             close_grace_id;

  /* What the light reading of a delivery expects it to start with. */
  char             *delivery_prefix;
  gsize             delivery_prefix_len;
  guint64           full_parses;

  ProcessTimes      times_start;
  ProcessTimes      server_times_start;
  ProcessTimes      times;
  ProcessTimes      server_times;

  char             *failure;
};

static void bench_pins_iface_init (SottoPinStoreInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (BenchPins, bench_pins, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (SOTTO_TYPE_PIN_STORE,
                                                      bench_pins_iface_init))

static gboolean
bench_pins_lookup (SottoPinStore *store,
                   const char    *server,
                   guint8        *public_key)
{
  GBytes *key = g_hash_table_lookup (BENCH_PINS (store)->pins, server);

  if (key == NULL)
    return FALSE;

  memcpy (public_key, g_bytes_get_data (key, NULL), SOTTO_SERVER_KEY_PUBLIC_SIZE);
  return TRUE;
}

static gboolean
bench_pins_pin (SottoPinStore  *store,
                const char     *server,
                const guint8   *public_key,
                GError        **error)
{
  g_hash_table_insert (BENCH_PINS (store)->pins, g_strdup (server),
                       g_bytes_new (public_key, SOTTO_SERVER_KEY_PUBLIC_SIZE));
  return TRUE;
}

static void
bench_pins_iface_init (SottoPinStoreInterface *iface)
{
  iface->lookup = bench_pins_lookup;
  iface->pin = bench_pins_pin;
}

static void
bench_pins_finalize (GObject *object)
{
  g_hash_table_unref (BENCH_PINS (object)->pins);
  G_OBJECT_CLASS (bench_pins_parent_class)->finalize (object);
}

static void
bench_pins_class_init (BenchPinsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = bench_pins_finalize;
}

static void
bench_pins_init (BenchPins *self)
{
  self->pins = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                      (GDestroyNotify) g_bytes_unref);
}

static void bench_fail (Bench *bench, const char *format, ...) G_GNUC_PRINTF (2, 3);
static void bench_check_done (Bench *bench);
static void client_fill (Client *client);

/* From /proc/PID/schedstat: run and wait times of the main thread, which
 * in the server is the one that relays. Read at the edges of the timed
 * part only, so the blocking read costs nothing that is measured. */
static ProcessTimes
read_process_times (int pid)
{
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  ProcessTimes times = { -1, -1 };
  guint64 run_ns, wait_ns;

  path = pid > 0 ? g_strdup_printf ("/proc/%d/schedstat", pid)
                 : g_strdup ("/proc/self/schedstat");
  if (!g_file_get_contents (path, &contents, NULL, NULL) ||
      sscanf (contents, "%" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT, &run_ns, &wait_ns) != 2)
    return times;

  times.run_s = run_ns / 1e9;
  times.wait_s = wait_ns / 1e9;
  return times;
}

static ProcessTimes
process_times_since (ProcessTimes start,
                     int          pid)
{
  ProcessTimes now = read_process_times (pid);
  ProcessTimes spent = { -1, -1 };

  if (start.run_s >= 0 && now.run_s >= 0)
    {
      spent.run_s = now.run_s - start.run_s;
      spent.wait_s = now.wait_s - start.wait_s;
    }

  return spent;
}

static void
bench_fail (Bench      *bench,
            const char *format,
            ...)
{
  va_list args;

  if (bench->failure != NULL || bench->phase >= PHASE_DONE)
    return;

  va_start (args, format);
  bench->failure = g_strdup_vprintf (format, args);
  va_end (args);

  g_main_loop_quit (bench->loop);
}

static void
client_send (Client *client,
             GBytes *message)
{
  if (!sotto_channel_send (client->channel, message))
    bench_fail (client->bench, "%s: could not queue a message: the connection is gone",
                client->name);
}

static void
client_send_take (Client *client,
                  GBytes *message)
{
  client_send (client, message);
  g_bytes_unref (message);
}

/* Makes the next envelope of @client: send time, sender and number, then
 * random bytes, as opaque to the server as a real one. */
static GBytes *
make_envelope (Client *client)
{
  gsize size = client->bench->options.size;
  guint8 *data = g_malloc (size);
  gint64 now = GINT64_TO_LE (g_get_monotonic_time ());
  guint32 sender = GUINT32_TO_LE (client->index);
  guint32 number = GUINT32_TO_LE (client->sent);

  memcpy (data, &now, 8);
  memcpy (data + 8, &sender, 4);
  memcpy (data + 12, &number, 4);
  randombytes_buf (data + ENVELOPE_HEADER_SIZE, size - ENVELOPE_HEADER_SIZE);

  return g_bytes_new_take (data, size);
}

/* Tops the sender up to its window; the channel sends everything queued in
 * this main-loop iteration as one frame. */
static void
client_fill (Client *client)
{
  Bench *bench = client->bench;

  if (bench->phase != PHASE_TIMED || client->index >= bench->n_senders)
    return;

  while (client->sent < (guint) bench->options.messages &&
         client->sent - client->acked < bench->window)
    {
      guint64 owed = (guint64) client->sent * (bench->n_clients - 1);
      g_autoptr(GBytes) envelope = NULL;
      char id[24];
      char msg_id[24];

      /* Deliveries of this sender's messages not read yet, anywhere. */
      if (owed > client->delivered && owed - client->delivered >= bench->delivery_bound)
        {
          bench->delivery_stalls++;
          return;
        }

      g_snprintf (id, sizeof id, "s%u", client->sent);
      g_snprintf (msg_id, sizeof msg_id, "m%u", client->sent);
      envelope = make_envelope (client);
      client_send_take (client, sotto_msg_build_send (id, bench->room, msg_id, envelope));
      client->sent++;
    }
}

/* Counts one delivery of an envelope that starts with @header (at least
 * ENVELOPE_HEADER_SIZE bytes) and is @size bytes long in all. */
static void
record_delivery (Client       *client,
                 const guint8 *header,
                 gsize         size)
{
  Bench *bench = client->bench;
  gint64 now = g_get_monotonic_time ();
  gint64 sent_us;
  gint64 latency;
  guint32 sender;
  guint32 number;

  if (bench->phase != PHASE_TIMED)
    {
      bench_fail (bench, "%s: a message came in before any was sent", client->name);
      return;
    }

  if (size != (gsize) bench->options.size)
    {
      bench_fail (bench, "%s: an envelope of %" G_GSIZE_FORMAT " bytes instead of %d",
                  client->name, size, bench->options.size);
      return;
    }

  memcpy (&sent_us, header, 8);
  memcpy (&sender, header + 8, 4);
  memcpy (&number, header + 12, 4);
  sent_us = GINT64_FROM_LE (sent_us);
  sender = GUINT32_FROM_LE (sender);
  number = GUINT32_FROM_LE (number);

  if (sender >= bench->n_senders || sender == client->index)
    {
      bench_fail (bench, "%s: a delivery from sender %u, which cannot be", client->name, sender);
      return;
    }

  /* The server gives each room one order, and one sender's messages enter
   * it in the order they were sent. */
  if (number != client->next_from[sender])
    bench->out_of_order++;
  client->next_from[sender] = number + 1;

  latency = now - sent_us;
  g_array_append_val (bench->latencies_us, latency);
  client->received++;
  bench->deliveries++;
  bench->last_delivery_us = now;

  bench->clients[sender].delivered++;
  client_fill (&bench->clients[sender]);
  bench_check_done (bench);
}

/* The light reading: the server writes "message" as type, room, seq, ts,
 * sender, msg_id, envelope (docs/protocol.md), compact. Anything that does
 * not look exactly like that is left to the full parse. */
static gboolean
read_delivery_light (Client *client,
                     GBytes *bytes)
{
  static const char key[] = "\"envelope\":\"";
  Bench *bench = client->bench;
  gsize size;
  const guint8 *data = g_bytes_get_data (bytes, &size);
  const guint8 *end = data + size;
  const guint8 *value;
  const guint8 *quote;
  guint8 header[ENVELOPE_HEADER_BASE64 / 4 * 3];
  gsize base64_len;
  gsize decoded_len;
  int state = 0;
  guint save = 0;

  if (size < bench->delivery_prefix_len ||
      memcmp (data, bench->delivery_prefix, bench->delivery_prefix_len) != 0)
    return FALSE;

  value = memmem (data + bench->delivery_prefix_len, size - bench->delivery_prefix_len,
                  key, sizeof key - 1);
  if (value == NULL)
    return FALSE;
  value += sizeof key - 1;

  quote = memchr (value, '"', end - value);
  if (quote == NULL || quote + 2 != end || quote[1] != '}')
    return FALSE;

  base64_len = quote - value;
  if (base64_len < ENVELOPE_HEADER_BASE64 || base64_len % 4 != 0)
    return FALSE;

  decoded_len = base64_len / 4 * 3 - (quote[-1] == '=') - (quote[-2] == '=');
  g_base64_decode_step ((const char *) value, ENVELOPE_HEADER_BASE64, header, &state, &save);
  record_delivery (client, header, decoded_len);

  return TRUE;
}

static void
handle_delivery (Client   *client,
                 SottoMsg *msg)
{
  Bench *bench = client->bench;
  g_autoptr(GBytes) envelope = NULL;
  const guint8 *data;
  gsize size;

  if (g_strcmp0 (sotto_msg_get_string (msg, "room"), bench->room) != 0)
    return;

  envelope = sotto_msg_dup_bytes (msg, "envelope");
  data = g_bytes_get_data (envelope, &size);
  if (size < ENVELOPE_HEADER_SIZE)
    {
      bench_fail (bench, "%s: an envelope of %" G_GSIZE_FORMAT " bytes", client->name, size);
      return;
    }

  bench->full_parses++;
  record_delivery (client, data, size);
}

static void
handle_reply (Client   *client,
              SottoMsg *msg)
{
  Bench *bench = client->bench;
  SottoMsgType type = sotto_msg_get_msg_type (msg);
  const char *id = sotto_msg_get_id (msg);

  switch (client->state)
    {
    case CLIENT_REGISTERING:
      if (type != SOTTO_MSG_TYPE_SESSION)
        break;
      client->state = CLIENT_JOINING;
      client_send_take (client, sotto_msg_build_join ("join", bench->room));
      return;

    case CLIENT_JOINING:
      if (type != SOTTO_MSG_TYPE_JOINED)
        break;
      /* A ping round trip: the pong comes after everything the server
       * had queued for this connection, so the setup is read. */
      client->state = CLIENT_JOINED;
      client_send_take (client, sotto_msg_build_ping ("settle"));
      return;

    case CLIENT_JOINED:
      if (type != SOTTO_MSG_TYPE_PONG)
        break;
      client->state = CLIENT_SETTLED;
      if (++bench->settled == bench->n_clients)
        {
          g_printerr ("relay-quick: %u clients in %s after %.2f s; sending\n",
                      bench->n_clients, bench->room,
                      (g_get_monotonic_time () - bench->setup_start_us) / 1e6);
          bench->phase = PHASE_TIMED;
          bench->times_start = read_process_times (0);
          if (bench->options.server_pid > 0)
            bench->server_times_start = read_process_times (bench->options.server_pid);
          bench->start_us = g_get_monotonic_time ();
          bench->last_progress_us = bench->start_us;
          for (guint i = 0; i < bench->n_senders; i++)
            client_fill (&bench->clients[i]);
        }
      return;

    case CLIENT_SETTLED:
      if (type != SOTTO_MSG_TYPE_SENT)
        break;
      client->acked++;
      bench->acks++;
      bench->last_ack_us = g_get_monotonic_time ();
      client_fill (client);
      bench_check_done (bench);
      return;

    case CLIENT_CONNECTING:
    default:
      break;
    }

  if (type == SOTTO_MSG_TYPE_ERROR)
    bench_fail (bench, "%s: the server refused request “%s”: %s (%s)", client->name,
                id != NULL ? id : "?",
                sotto_msg_get_string (msg, "message"),
                sotto_msg_error_code_to_string (sotto_msg_get_error_code (msg)));
  else
    bench_fail (bench, "%s: an unexpected “%s” reply", client->name,
                sotto_msg_type_to_string (type));
}

static void
channel_message_cb (SottoChannel *channel,
                    GBytes       *bytes,
                    gpointer      user_data)
{
  Client *client = user_data;
  Bench *bench = client->bench;
  g_autoptr(SottoMsg) msg = NULL;
  g_autoptr(GError) error = NULL;
  SottoMsgType type;

  if (bench->phase >= PHASE_DONE)
    return;

  if (bench->phase == PHASE_TIMED && !bench->options.full_parse &&
      client->received % FULL_PARSE_EVERY != 0 && read_delivery_light (client, bytes))
    return;

  msg = sotto_msg_parse_bytes (bytes, SOTTO_MSG_FROM_SERVER, &error);
  if (msg == NULL)
    {
      bench_fail (bench, "%s: the server sent what is not protocol: %s",
                  client->name, error->message);
      return;
    }

  type = sotto_msg_get_msg_type (msg);
  switch (type)
    {
    case SOTTO_MSG_TYPE_WELCOME:
      if (client->state != CLIENT_CONNECTING)
        break;
      client->state = CLIENT_REGISTERING;
      client_send_take (client, sotto_msg_build_register ("register", client->name,
                                                          bench->password, &client->identity));
      return;

    case SOTTO_MSG_TYPE_MESSAGE:
      handle_delivery (client, msg);
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

  bench_fail (bench, "%s: an unexpected “%s” from the server", client->name,
              sotto_msg_type_to_string (type));
}

static void
channel_closed_cb (SottoChannel *channel,
                   const GError *error,
                   gpointer      user_data)
{
  Client *client = user_data;
  Bench *bench = client->bench;

  if (bench->phase < PHASE_DONE)
    {
      bench_fail (bench, "%s: the connection ended: %s", client->name,
                  error != NULL ? error->message : "the server said goodbye");
      return;
    }

  if (bench->phase == PHASE_CLOSING && ++bench->closed == bench->n_clients)
    g_main_loop_quit (bench->loop);
}

static void
handshake_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  SottoClientHandshake *handshake = SOTTO_CLIENT_HANDSHAKE (object);
  Client *client = user_data;
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
      bench_fail (client->bench, "%s: the handshake failed: %s", client->name, error->message);
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
  Client *client = user_data;
  Bench *bench = client->bench;
  g_autoptr(GError) error = NULL;

  client->connection = g_socket_client_connect_to_host_finish (G_SOCKET_CLIENT (object),
                                                                result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (client->connection == NULL)
    {
      bench_fail (bench, "%s: could not connect to 127.0.0.1:%d: %s", client->name,
                  bench->options.port, error->message);
      return;
    }

  /* The channel already gathers what one main-loop iteration sends into one
   * write; Nagle's algorithm would only hold that write back. Whatever
   * delay is left is the server's. */
  if (!g_socket_set_option (g_socket_connection_get_socket (client->connection),
                            IPPROTO_TCP, TCP_NODELAY, 1, &error))
    {
      bench_fail (bench, "%s: could not set TCP_NODELAY: %s", client->name, error->message);
      return;
    }

  client->handshake = sotto_client_handshake_new (G_IO_STREAM (client->connection), "127.0.0.1",
                                                  SOTTO_PIN_STORE (bench->pins));
  sotto_client_handshake_run_async (client->handshake, bench->cancellable, handshake_cb, client);
}

static gboolean
finish_cb (gpointer user_data)
{
  Bench *bench = user_data;

  bench->finish_id = 0;
  g_main_loop_quit (bench->loop);

  return G_SOURCE_REMOVE;
}

static void
bench_check_done (Bench *bench)
{
  guint64 total = (guint64) bench->n_senders * bench->options.messages;

  if (bench->phase != PHASE_TIMED || bench->acks < total ||
      bench->deliveries < bench->expected_deliveries)
    return;

  bench->times = process_times_since (bench->times_start, 0);
  if (bench->options.server_pid > 0)
    bench->server_times = process_times_since (bench->server_times_start,
                                               bench->options.server_pid);
  bench->phase = PHASE_DONE;

  /* Not from inside the channel's signal emission. */
  if (bench->finish_id == 0)
    bench->finish_id = g_idle_add (finish_cb, bench);
}

static gboolean
watchdog_cb (gpointer user_data)
{
  Bench *bench = user_data;
  gint64 now = g_get_monotonic_time ();
  guint64 progress = bench->acks + bench->deliveries;

  if (bench->phase >= PHASE_DONE)
    return G_SOURCE_CONTINUE;

  if (bench->phase == PHASE_SETUP)
    {
      if (now - bench->setup_start_us > (gint64) bench->options.timeout * G_USEC_PER_SEC)
        bench_fail (bench, "the setup took more than %d s (%u of %u clients ready)",
                    bench->options.timeout, bench->settled, bench->n_clients);
      return G_SOURCE_CONTINUE;
    }

  if (progress != bench->last_progress_count)
    {
      bench->last_progress_count = progress;
      bench->last_progress_us = now;
    }
  else if (now - bench->last_progress_us > (gint64) bench->options.stall * G_USEC_PER_SEC)
    bench_fail (bench, "nothing arrived for %d s", bench->options.stall);

  if (now - bench->setup_start_us > (gint64) bench->options.timeout * G_USEC_PER_SEC)
    bench_fail (bench, "the run took more than %d s", bench->options.timeout);

  return G_SOURCE_CONTINUE;
}

static gboolean
close_grace_cb (gpointer user_data)
{
  Bench *bench = user_data;

  bench->close_grace_id = 0;
  g_main_loop_quit (bench->loop);

  return G_SOURCE_REMOVE;
}

/* Says goodbye on every connection, so the server sees clients leave and
 * not connections cut, and waits a moment for it to go out. */
static void
bench_close_all (Bench *bench)
{
  guint open = 0;

  bench->phase = PHASE_CLOSING;

  for (guint i = 0; i < bench->n_clients; i++)
    {
      Client *client = &bench->clients[i];

      if (client->channel != NULL && sotto_channel_is_open (client->channel))
        {
          sotto_channel_close (client->channel);
          open++;
        }
      else
        bench->closed++;
    }

  if (open == 0)
    return;

  bench->close_grace_id = g_timeout_add (CLOSE_GRACE_MS, close_grace_cb, bench);
  g_main_loop_run (bench->loop);
  g_clear_handle_id (&bench->close_grace_id, g_source_remove);
}

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

/* Nearest rank: the smallest sample with at least @permille of all at or
 * below it. */
static double
percentile_ms (GArray *sorted,
               guint   permille)
{
  gsize rank;

  if (sorted->len == 0)
    return 0;

  rank = ((guint64) sorted->len * permille + 999) / 1000;
  rank = CLAMP (rank, 1, sorted->len);

  return g_array_index (sorted, gint64, rank - 1) / 1000.0;
}

/* A share of @seconds as a whole percentage, or "n/a" when unknown. */
static const char *
format_share (char   *buffer,
              gsize   size,
              double  part,
              double  seconds)
{
  if (part < 0 || seconds <= 0)
    return "n/a";

  g_snprintf (buffer, size, "%.0f", 100 * part / seconds);
  return buffer;
}

static gboolean
bench_report (Bench *bench)
{
  guint64 messages = (guint64) bench->n_senders * bench->options.messages;
  gint64 end_us = MAX (bench->last_ack_us, bench->last_delivery_us);
  double seconds = bench->start_us > 0 ? (end_us - bench->start_us) / 1e6 : 0;
  double ack_seconds = bench->start_us > 0 ? (bench->last_ack_us - bench->start_us) / 1e6 : 0;
  gboolean complete = bench->failure == NULL && bench->acks == messages &&
                      bench->deliveries == bench->expected_deliveries &&
                      bench->out_of_order == 0;
  char shares[4][16];

  g_array_sort (bench->latencies_us, compare_gint64);

  /* The C locale, set in main: the line is for scripts. */
  printf ("clients=%u senders=%u messages=%" G_GUINT64_FORMAT " size=%d window=%u parse=%s "
          "acked=%" G_GUINT64_FORMAT " deliveries=%" G_GUINT64_FORMAT
          " expected=%" G_GUINT64_FORMAT " seconds=%.3f msgs_per_s=%.0f deliveries_per_s=%.0f "
          "p50_ms=%.2f p99_ms=%.2f max_ms=%.2f out_of_order=%" G_GUINT64_FORMAT
          " delivery_stalls=%" G_GUINT64_FORMAT " full_parses=%" G_GUINT64_FORMAT
          " bench_cpu_pct=%s bench_wait_pct=%s server_cpu_pct=%s server_wait_pct=%s"
          " complete=%s\n",
          bench->n_clients, bench->n_senders, messages, bench->options.size, bench->window,
          bench->options.full_parse ? "full" : "light",
          bench->acks, bench->deliveries, bench->expected_deliveries, seconds,
          ack_seconds > 0 ? bench->acks / ack_seconds : 0,
          seconds > 0 ? bench->deliveries / seconds : 0,
          percentile_ms (bench->latencies_us, 500),
          percentile_ms (bench->latencies_us, 990),
          percentile_ms (bench->latencies_us, 1000),
          bench->out_of_order, bench->delivery_stalls, bench->full_parses,
          format_share (shares[0], sizeof shares[0], bench->times.run_s, seconds),
          format_share (shares[1], sizeof shares[1], bench->times.wait_s, seconds),
          format_share (shares[2], sizeof shares[2], bench->server_times.run_s, seconds),
          format_share (shares[3], sizeof shares[3], bench->server_times.wait_s, seconds),
          complete ? "yes" : "NO");
  fflush (stdout);

  if (!complete)
    {
      g_printerr ("\n"
                  "relay-quick: FAILED: NOT EVERY EXPECTED DELIVERY ARRIVED\n"
                  "relay-quick:   %s\n"
                  "relay-quick:   acknowledged %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
                  " sends; %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " deliveries"
                  " (%" G_GUINT64_FORMAT " missing); %" G_GUINT64_FORMAT " out of order\n",
                  bench->failure != NULL ? bench->failure : "the counts do not add up",
                  bench->acks, messages, bench->deliveries, bench->expected_deliveries,
                  bench->expected_deliveries - MIN (bench->deliveries,
                                                    bench->expected_deliveries),
                  bench->out_of_order);
      for (guint i = 0, shown = 0; i < bench->n_clients; i++)
        {
          Client *client = &bench->clients[i];
          guint64 expected = (guint64) bench->options.messages *
                             (bench->n_senders - (i < bench->n_senders ? 1 : 0));

          if (client->received == expected && client->acked == client->sent)
            continue;

          if (shown++ == MAX_CLIENTS_SHOWN)
            {
              g_printerr ("relay-quick:   (and more)\n");
              break;
            }

          g_printerr ("relay-quick:   %s: received %" G_GUINT64_FORMAT " of %"
                      G_GUINT64_FORMAT ", sent %u, acknowledged %u\n",
                      client->name, client->received, expected, client->sent, client->acked);
        }
    }

  return complete;
}

static void
bench_free (Bench *bench)
{
  g_cancellable_cancel (bench->cancellable);
  g_clear_handle_id (&bench->watchdog_id, g_source_remove);
  g_clear_handle_id (&bench->finish_id, g_source_remove);

  for (guint i = 0; bench->clients != NULL && i < bench->n_clients; i++)
    {
      Client *client = &bench->clients[i];

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

  g_free (bench->clients);
  g_clear_pointer (&bench->latencies_us, g_array_unref);
  g_clear_object (&bench->socket_client);
  g_clear_object (&bench->pins);
  g_clear_object (&bench->cancellable);
  g_clear_pointer (&bench->loop, g_main_loop_unref);
  g_free (bench->room);
  g_free (bench->delivery_prefix);
  g_free (bench->password);
  g_free (bench->failure);
  g_free (bench);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Bench, bench_free)

/* About what one delivery weighs in the server's queue: the base64
 * envelope and the JSON around it. */
static gsize
delivery_wire_size (int size)
{
  return (size + 2) / 3 * 4 + 200;
}

static Bench *
bench_new (const Options *options)
{
  Bench *bench = g_new0 (Bench, 1);
  guint8 tag[4];
  guint8 secret[PASSWORD_BYTES];
  g_autofree char *tag_hex = NULL;
  gsize budget_window;

  bench->options = *options;
  bench->n_clients = options->clients;
  bench->n_senders = options->senders;
  bench->loop = g_main_loop_new (NULL, FALSE);
  bench->cancellable = g_cancellable_new ();
  bench->socket_client = g_socket_client_new ();
  bench->pins = g_object_new (BENCH_TYPE_PINS, NULL);
  bench->times_start = bench->server_times_start = (ProcessTimes) { -1, -1 };
  bench->times = bench->server_times = (ProcessTimes) { -1, -1 };

  /* Fresh names on every run, so runs against the same server never meet. */
  randombytes_buf (tag, sizeof tag);
  tag_hex = g_strdup_printf ("%02x%02x%02x%02x", tag[0], tag[1], tag[2], tag[3]);
  bench->room = g_strdup_printf ("bench-%s", tag_hex);
  bench->delivery_prefix = g_strdup_printf ("{\"type\":\"message\",\"room\":\"%s\",",
                                            bench->room);
  bench->delivery_prefix_len = strlen (bench->delivery_prefix);
  randombytes_buf (secret, sizeof secret);
  bench->password = g_base64_encode (secret, sizeof secret);

  /* Two windows of deliveries per sender may wait to be read; beyond that
   * the sender waits too. Both bounds shrink for big envelopes, so that
   * everything that may wait for one recipient fits the server's queue. */
  budget_window = SERVER_QUEUE_BUDGET / (2 * delivery_wire_size (options->size) * bench->n_senders);
  bench->window = CLAMP ((gsize) options->window, 1, MAX (budget_window, 1));
  if (bench->window < (guint) options->window)
    g_printerr ("relay-quick: window lowered from %d to %u so the server's queues stay bounded\n",
                options->window, bench->window);
  bench->delivery_bound = 2 * (guint64) bench->window * (bench->n_clients - 1);
  bench->expected_deliveries = (guint64) options->messages * bench->n_senders *
                               (bench->n_clients - 1);
  bench->latencies_us = g_array_sized_new (FALSE, FALSE, sizeof (gint64),
                                           MIN (bench->expected_deliveries, 1000000));

  bench->clients = g_new0 (Client, bench->n_clients);
  for (guint i = 0; i < bench->n_clients; i++)
    {
      Client *client = &bench->clients[i];

      client->bench = bench;
      client->index = i;
      client->name = g_strdup_printf ("b%s-%u", tag_hex, i);
      client->next_from = g_new0 (guint32, bench->n_senders);
      randombytes_buf (&client->identity, sizeof client->identity);
    }

  return bench;
}

static gboolean
parse_options (int      *argc,
               char   ***argv,
               Options  *options)
{
  const GOptionEntry entries[] = {
    { "port", 'p', 0, G_OPTION_ARG_INT, &options->port,
      "Port of the sotto-server on 127.0.0.1 (required)", "PORT" },
    { "clients", 'c', 0, G_OPTION_ARG_INT, &options->clients,
      "Clients in the room (default 20)", "N" },
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
    { "server-pid", 0, 0, G_OPTION_ARG_INT, &options->server_pid,
      "Also report the server's CPU use during the timed part", "PID" },
    { "full-parse", 0, 0, G_OPTION_ARG_NONE, &options->full_parse,
      "Parse and validate every delivery, as a real client would", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;

  g_option_context_set_summary (context,
                                "A quick measurement of sotto-server's relay throughput: "
                                "N clients in one room, each sender posting M envelopes.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      g_printerr ("relay-quick: %s\n", error->message);
      return FALSE;
    }

  if (options->senders == 0)
    options->senders = options->clients;

  if (options->port < 1 || options->port > G_MAXUINT16)
    g_printerr ("relay-quick: --port is required (1 to 65535)\n");
  else if (options->clients < 2 || options->clients > 10000)
    g_printerr ("relay-quick: --clients must be 2 to 10000\n");
  else if (options->senders < 1 || options->senders > options->clients)
    g_printerr ("relay-quick: --senders must be 1 to --clients\n");
  else if (options->messages < 1 || options->messages > 10000000)
    g_printerr ("relay-quick: --messages must be 1 to 10000000\n");
  else if (options->size < ENVELOPE_HEADER_SIZE || options->size > SOTTO_PROTOCOL_ENVELOPE_MAX_SIZE)
    g_printerr ("relay-quick: --size must be %d to %d\n", ENVELOPE_HEADER_SIZE,
                SOTTO_PROTOCOL_ENVELOPE_MAX_SIZE);
  else if (options->window < 1 || options->timeout < 1 || options->stall < 1)
    g_printerr ("relay-quick: --window, --timeout and --stall must be at least 1\n");
  else
    return TRUE;

  return FALSE;
}

int
main (int   argc,
      char *argv[])
{
  Options options = {
    .clients = 20,
    .messages = 500,
    .size = 200,
    .window = 50,
    .timeout = 300,
    .stall = 15,
  };
  g_autoptr(Bench) bench = NULL;
  gboolean complete;

  setlocale (LC_ALL, "");
  /* Numbers in the result line are for scripts. */
  setlocale (LC_NUMERIC, "C");

  if (!parse_options (&argc, &argv, &options))
    return 2;

  if (sodium_init () < 0)
    {
      g_printerr ("relay-quick: the cryptography library could not start\n");
      return 1;
    }

  bench = bench_new (&options);
  bench->setup_start_us = g_get_monotonic_time ();
  bench->watchdog_id = g_timeout_add (WATCHDOG_INTERVAL_MS, watchdog_cb, bench);

  for (guint i = 0; i < bench->n_clients; i++)
    g_socket_client_connect_to_host_async (bench->socket_client, "127.0.0.1", options.port,
                                           bench->cancellable, connected_cb, &bench->clients[i]);

  g_main_loop_run (bench->loop);

  complete = bench_report (bench);
  if (bench->phase == PHASE_DONE)
    bench_close_all (bench);

  return complete ? 0 : 1;
}
