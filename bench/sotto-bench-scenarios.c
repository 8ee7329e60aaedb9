/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdio.h>

#include "sotto-bench.h"

/*
 * The five scenarios of bench/compare, each run over the loop of
 * sotto-bench-loop.c with whichever protocol was chosen, and the timed
 * load they share. Each prints one line of key=value fields on stdout.
 */

#define DRAIN_LIMIT_US (2 * G_USEC_PER_SEC)
#define STORM_MIN_WINDOW_US G_USEC_PER_SEC
/* How long a run may go on past its length, waiting for the storm's end. */
#define MAX_EXTENSION_US (180 * G_USEC_PER_SEC)

/* Run time of a thread, in µs, or -1. */
static gint64
cpu_time_us (int pid)
{
  BenchSchedstat stat;

  if (!bench_read_schedstat (pid, &stat))
    return -1;

  return stat.run_ns / 1000;
}

typedef struct
{
  double             seconds;
  guint64            messages;
  guint64            expected;
  guint64            delivered;
  double             deliveries_per_s;
  double             delivered_share;
  BenchLatencyStats  latency;
  double             bench_cpu_pct;
  double             server_cpu_pct;
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
  bench_run_until (bench, NULL, duration_us);
  if (until != NULL && !bench_run_until (bench, until, MAX_EXTENSION_US))
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

  bench_run_until (bench, drained, DRAIN_LIMIT_US);
  bench->measuring = FALSE;

  result.expected = bench->deliveries_expected - expected_before;
  result.delivered = bench->samples->len;
  result.messages = result.expected;
  result.deliveries_per_s = result.delivered / result.seconds;
  result.delivered_share = result.expected > 0 ? (double) result.delivered / result.expected : 0;
  result.latency = bench_latency_stats (bench->samples, start, G_MAXINT64);

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

  return bench_setup_clients (bench, list, SETUP_REGISTER_AND_JOIN) && bench_prepare_rooms (bench);
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
gboolean
bench_scenario_fanout (Bench *bench)
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
      bench_run_until (bench, NULL, 200 * 1000);
    }

  printf ("scenario=fanout clients=%d steps=%u ", o->clients, steps);
  print_load ("", &best);
  printf ("\n");
  return steps > 0;
}

/* 2: one room at a fixed rate of deliveries. */
gboolean
bench_scenario_latency (Bench *bench)
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
gboolean
bench_scenario_rooms (Bench *bench)
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
gboolean
bench_scenario_idle (Bench *bench)
{
  const BenchOptions *o = &bench->options;
  g_autoptr(GPtrArray) crowd = g_ptr_array_new ();
  gint64 rss_empty, rss_full;
  LoadResult result;
  guint held = 0;

  rss_empty = bench_rss_kib (bench->options.server_pid);
  for (int i = 0; i < o->idle; i++)
    {
      g_ptr_array_add (crowd, bench_add_client (bench, "i", -1, FALSE));
    }

  if (!bench_setup_clients (bench, crowd, SETUP_REGISTER))
    return FALSE;

  /* Let the server settle before its memory is read. */
  bench_run_until (bench, NULL, G_USEC_PER_SEC);
  rss_full = bench_rss_kib (bench->options.server_pid);

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
gboolean
bench_scenario_storm (Bench *bench)
{
  const BenchOptions *o = &bench->options;
  BenchLatencyStats before, during;
  LoadResult result;
  gint64 storm_to;

  bench->storm = g_ptr_array_new ();
  for (int i = 0; i < o->storm; i++)
    {
      g_ptr_array_add (bench->storm, bench_add_client (bench, "s", -1, FALSE));
    }

  /* The accounts exist before the timed part; the storm logs them in. */
  if (!bench_setup_clients (bench, bench->storm, SETUP_REGISTER))
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

  before = bench_latency_stats (bench->samples, bench->window_start_us, bench->storm_start_us);
  during = bench_latency_stats (bench->samples, bench->storm_start_us, storm_to);

  printf ("scenario=storm storm=%d storm_s=%.3f calm_p99_ms=%.2f storm_p99_ms=%.2f "
          "calm_samples=%" G_GUINT64_FORMAT " storm_samples=%" G_GUINT64_FORMAT " ",
          o->storm, bench->storm_end_us > 0 ? (bench->storm_end_us - bench->storm_start_us) / 1e6 : -1.0,
          before.p99_ms, during.p99_ms, before.count, during.count);
  print_load ("", &result);
  printf ("\n");
  return bench->failure == NULL;
}
