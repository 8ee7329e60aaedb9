/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "sotto-bench-stats.h"

/*
 * What every scenario of sotto-bench measures with: latency percentiles,
 * the CPU time of a process from /proc, the server's memory.
 */

int
bench_compare_gint64 (gconstpointer a,
                      gconstpointer b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

/* Nearest rank over a sorted array of latencies in µs, as ms: the
 * smallest sample with at least @per_100k / 100000 of all at or below it. */
double
bench_percentile_ms (GArray *sorted_us,
                     guint   per_100k)
{
  gsize rank;

  if (sorted_us->len == 0)
    return 0;

  rank = ((guint64) sorted_us->len * per_100k + 99999) / 100000;
  rank = CLAMP (rank, 1, sorted_us->len);
  return g_array_index (sorted_us, gint64, rank - 1) / 1000.0;
}

/* The latencies of the @samples (BenchSample) of messages sent in
 * [from, to). */
BenchLatencyStats
bench_latency_stats (GArray *samples,
                     gint64  from_us,
                     gint64  to_us)
{
  g_autoptr(GArray) values = g_array_new (FALSE, FALSE, sizeof (gint64));
  BenchLatencyStats stats = { 0 };

  for (guint i = 0; i < samples->len; i++)
    {
      BenchSample *sample = &g_array_index (samples, BenchSample, i);
      gint64 latency = sample->latency_us;

      if (sample->sent_us >= from_us && sample->sent_us < to_us)
        g_array_append_val (values, latency);
    }

  g_array_sort (values, bench_compare_gint64);
  stats.count = values->len;
  stats.p50_ms = bench_percentile_ms (values, 50000);
  stats.p99_ms = bench_percentile_ms (values, 99000);
  stats.p999_ms = bench_percentile_ms (values, 99900);
  stats.max_ms = bench_percentile_ms (values, 100000);
  return stats;
}

/* Run and wait time of the main thread of @pid (this process when 0) from
 * /proc schedstat; in the server that is the thread that relays. The read
 * blocks: callers read at the edges of what they measure. */
gboolean
bench_read_schedstat (int             pid,
                      BenchSchedstat *stat)
{
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;

  path = pid > 0 ? g_strdup_printf ("/proc/%d/schedstat", pid)
                 : g_strdup ("/proc/self/schedstat");

  return g_file_get_contents (path, &contents, NULL, NULL) &&
         sscanf (contents, "%" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT,
                 &stat->run_ns, &stat->wait_ns) == 2;
}

/* Resident memory of @pid in KiB, or -1. */
gint64
bench_rss_kib (int pid)
{
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  const char *line;

  if (pid <= 0)
    return -1;

  path = g_strdup_printf ("/proc/%d/status", pid);
  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return -1;

  line = strstr (contents, "\nVmRSS:");
  return line != NULL ? g_ascii_strtoll (line + 7, NULL, 10) : -1;
}

/* A share of @seconds as a whole percentage, or "n/a" when unknown. */
const char *
bench_format_share (char   *buffer,
                    gsize   size,
                    double  part,
                    double  seconds)
{
  if (part < 0 || seconds <= 0)
    return "n/a";

  g_snprintf (buffer, size, "%.0f", 100 * part / seconds);
  return buffer;
}
