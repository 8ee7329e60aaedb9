/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* One delivery: when its message was sent, and how long it took. */
typedef struct
{
  gint64 sent_us;
  gint64 latency_us;
} BenchSample;

typedef struct
{
  guint64 count;
  double  p50_ms;
  double  p99_ms;
  double  p999_ms;
  double  max_ms;
} BenchLatencyStats;

/* Time a thread spent on a CPU, and runnable but waiting for one (what
 * other load on its core took), in ns. */
typedef struct
{
  guint64 run_ns;
  guint64 wait_ns;
} BenchSchedstat;

int               bench_compare_gint64 (gconstpointer   a,
                                        gconstpointer   b);
double            bench_percentile_ms  (GArray         *sorted_us,
                                        guint           per_100k);
BenchLatencyStats bench_latency_stats  (GArray         *samples,
                                        gint64          from_us,
                                        gint64          to_us);
gboolean          bench_read_schedstat (int             pid,
                                        BenchSchedstat *stat);
gint64            bench_rss_kib        (int             pid);
const char       *bench_format_share   (char           *buffer,
                                        gsize           size,
                                        double          part,
                                        double          seconds);

G_END_DECLS
