/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <locale.h>
#include <sodium.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <unistd.h>

#include "sotto-bench.h"
#include "sotto-bench-relay.h"

/*
 * sotto-bench: many simulated chat clients in one process and one epoll
 * loop, against sotto-server, ngircd or redis-server on 127.0.0.1.
 *
 * The loop, the setup and the send schedule are in sotto-bench-loop.c; the
 * protocols in sotto-bench-sotto.c, sotto-bench-irc.c and
 * sotto-bench-redis.c; the five scenarios of bench/compare in
 * sotto-bench-scenarios.c; what they measure with in sotto-bench-stats.c.
 * The relay scenario (bench/relay-quick, bench/relay-callgrind) runs the
 * real client stack on a GLib main loop instead, in sotto-bench-relay.c.
 * This file reads the options and runs one scenario.
 *
 * Output: one line of key=value fields per scenario on stdout, progress on
 * stderr. Exit status 0 when the scenario ran to its end, 1 when the setup
 * or the server failed, 2 for bad arguments.
 */

static const BenchProtocol *protocols[] = {
  &bench_protocol_sotto,
  &bench_protocol_irc,
  &bench_protocol_redis,
};

static const struct
{
  const char    *name;
  BenchScenario  run;
} scenarios[] = {
  { "fanout", bench_scenario_fanout },
  { "latency", bench_scenario_latency },
  { "rooms", bench_scenario_rooms },
  { "idle", bench_scenario_idle },
  { "storm", bench_scenario_storm },
  /* Not on the epoll loop: see relay_run(). */
  { "relay", NULL },
};

/* The options of the relay scenario come from its own group, and the ones
 * it shares with the others; it speaks Sotto only. */
static gboolean
check_relay_options (const BenchOptions *o,
                     const char         *protocol,
                     RelayOptions       *relay)
{
  if (protocol != NULL && g_strcmp0 (protocol, bench_protocol_sotto.name) != 0)
    {
      g_printerr ("sotto-bench: --scenario relay speaks sotto only\n");
      return FALSE;
    }

  relay->port = o->port;
  relay->clients = o->clients;
  relay->server_pid = o->server_pid;
  return relay_check_options (relay);
}

static gboolean
parse_options (int           *argc,
               char        ***argv,
               BenchOptions  *o,
               RelayOptions  *relay,
               gboolean      *relay_scenario)
{
  g_autofree char *protocol = NULL;
  g_autofree char *scenario = NULL;
  const GOptionEntry entries[] = {
    { "protocol", 0, 0, G_OPTION_ARG_STRING, &protocol, "sotto, irc or redis", "NAME" },
    { "port", 'p', 0, G_OPTION_ARG_INT, &o->port, "Port of the server on 127.0.0.1", "PORT" },
    { "server-pid", 0, 0, G_OPTION_ARG_INT, &o->server_pid,
      "The server's process, for its CPU time and memory", "PID" },
    { "scenario", 0, 0, G_OPTION_ARG_STRING, &scenario,
      "fanout, latency, rooms, idle, storm or relay", "NAME" },
    { "clients", 'c', 0, G_OPTION_ARG_INT, &o->clients,
      "Clients in the measured rooms (default 100; relay: 20)", "N" },
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
                                "redis-server on 127.0.0.1, for bench/compare; and, as "
                                "scenario relay, N clients in one room of sotto-server each "
                                "posting M envelopes, for bench/relay-quick.");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_add_group (context, relay_option_group (relay));
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      g_printerr ("sotto-bench: %s\n", error->message);
      return FALSE;
    }

  for (guint i = 0; protocol != NULL && i < G_N_ELEMENTS (protocols); i++)
    if (g_str_equal (protocol, protocols[i]->name))
      o->protocol = protocols[i];

  for (guint i = 0; scenario != NULL && i < G_N_ELEMENTS (scenarios); i++)
    if (g_str_equal (scenario, scenarios[i].name))
      {
        o->scenario = scenarios[i].run;
        *relay_scenario = scenarios[i].run == NULL;
      }

  if (o->clients < 0)
    o->clients = *relay_scenario ? 20 : 100;

  if (*relay_scenario)
    return check_relay_options (o, protocol, relay);

  if (o->protocol == NULL)
    g_printerr ("sotto-bench: --protocol must be sotto, irc or redis\n");
  else if (o->scenario == NULL)
    g_printerr ("sotto-bench: --scenario must be fanout, latency, rooms, idle, storm or relay\n");
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
    /* 100, or 20 for the relay scenario. */
    .clients = -1,
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
  RelayOptions relay = {
    .messages = 500,
    .size = 200,
    .window = 50,
    .timeout = 300,
    .stall = 15,
  };
  gboolean relay_scenario = FALSE;
  Bench *bench;
  gboolean ok;

  setlocale (LC_ALL, "");
  setlocale (LC_NUMERIC, "C");

  if (!parse_options (&argc, &argv, &options, &relay, &relay_scenario))
    return 2;

  if (sodium_init () < 0)
    {
      g_printerr ("sotto-bench: the cryptography library could not start\n");
      return 1;
    }

  if (relay_scenario)
    return relay_run (&relay);

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
