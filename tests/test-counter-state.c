/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sotto-counter-state.h"

/* What a reader makes of the counters one sender gave their messages. */

static void
accept_all (SottoCounterState *state,
            const guint64     *counters,
            gsize              n,
            SottoCounterVerdict expected)
{
  for (gsize i = 0; i < n; i++)
    g_assert_cmpint (sotto_counter_state_accept (state, counters[i]), ==, expected);
}

/* The first message seen starts the count (nothing before it is owed);
 * the next ones in order are new and leave no gap. */
static void
test_in_order (void)
{
  g_auto(SottoCounterState) state = { 0 };
  g_autoptr(GArray) gaps = NULL;
  const guint64 counters[] = { 5, 6, 7, 8 };

  sotto_counter_state_init (&state);
  accept_all (&state, counters, G_N_ELEMENTS (counters), SOTTO_COUNTER_NEW);
  g_assert_cmpuint (state.floor, ==, 8);
  g_assert_cmpuint (state.seen->len, ==, 0);
  g_assert_false (sotto_counter_state_has_gaps (&state));
  gaps = sotto_counter_state_take_gaps (&state);
  g_assert_cmpuint (gaps->len, ==, 0);
}

/* Everything seen is refused when it comes again: right away, long after,
 * and above a gap. */
static void
test_replay (void)
{
  g_auto(SottoCounterState) state = { 0 };
  const guint64 first[] = { 1, 2, 3, 6 };
  const guint64 again[] = { 1, 2, 3, 6 };

  sotto_counter_state_init (&state);
  accept_all (&state, first, 3, SOTTO_COUNTER_NEW);
  g_assert_cmpint (sotto_counter_state_accept (&state, 6), ==, SOTTO_COUNTER_NEW);
  accept_all (&state, again, G_N_ELEMENTS (again), SOTTO_COUNTER_REPLAYED);
  g_assert_cmpuint (state.floor, ==, 3);
  g_assert_cmpuint (state.seen->len, ==, 1);
}

/* A hole is a gap until it is told; once told, what still comes of it is
 * late, once, and then a replay. */
static void
test_gaps_and_late (void)
{
  g_auto(SottoCounterState) state = { 0 };
  g_autoptr(GArray) gaps = NULL;
  SottoCounterGap *gap;

  sotto_counter_state_init (&state);
  g_assert_cmpint (sotto_counter_state_accept (&state, 1), ==, SOTTO_COUNTER_NEW);
  g_assert_cmpint (sotto_counter_state_accept (&state, 3), ==, SOTTO_COUNTER_NEW);
  g_assert_cmpint (sotto_counter_state_accept (&state, 7), ==, SOTTO_COUNTER_NEW);
  g_assert_true (sotto_counter_state_has_gaps (&state));

  gaps = sotto_counter_state_take_gaps (&state);
  g_assert_cmpuint (gaps->len, ==, 2);
  gap = &g_array_index (gaps, SottoCounterGap, 0);
  g_assert_cmpuint (gap->after, ==, 3);
  g_assert_cmpuint (gap->missing, ==, 1);
  gap = &g_array_index (gaps, SottoCounterGap, 1);
  g_assert_cmpuint (gap->after, ==, 7);
  g_assert_cmpuint (gap->missing, ==, 3);
  g_assert_cmpuint (state.floor, ==, 7);
  g_assert_false (sotto_counter_state_has_gaps (&state));
  g_assert_cmpuint (state.missing->len, ==, 4);

  g_assert_cmpint (sotto_counter_state_accept (&state, 5), ==, SOTTO_COUNTER_LATE);
  g_assert_cmpint (sotto_counter_state_accept (&state, 5), ==, SOTTO_COUNTER_REPLAYED);
  g_assert_cmpint (sotto_counter_state_accept (&state, 7), ==, SOTTO_COUNTER_REPLAYED);
  g_assert_cmpuint (state.missing->len, ==, 3);

  /* Arriving out of order before anything was told is not late by
   * itself: a catch-up and live messages cross (the server's numbers say
   * whether it reordered them, sotto-client-order.c). */
  g_assert_cmpint (sotto_counter_state_accept (&state, 9), ==, SOTTO_COUNTER_NEW);
  g_assert_cmpint (sotto_counter_state_accept (&state, 8), ==, SOTTO_COUNTER_NEW);
  g_assert_cmpuint (state.floor, ==, 9);
  g_assert_false (sotto_counter_state_has_gaps (&state));
}

/* Back in a room: what was said while away is not owed, what was seen
 * before stays seen, and a gap left open when leaving is forgiven. */
static void
test_rebase (void)
{
  g_auto(SottoCounterState) state = { 0 };
  g_autoptr(GArray) gaps = NULL;

  sotto_counter_state_init (&state);
  g_assert_cmpint (sotto_counter_state_accept (&state, 10), ==, SOTTO_COUNTER_NEW);
  g_assert_cmpint (sotto_counter_state_accept (&state, 12), ==, SOTTO_COUNTER_NEW);

  state.rebase = TRUE;
  g_assert_cmpint (sotto_counter_state_accept (&state, 10), ==, SOTTO_COUNTER_REPLAYED);
  g_assert_cmpint (sotto_counter_state_accept (&state, 12), ==, SOTTO_COUNTER_REPLAYED);
  g_assert_cmpint (sotto_counter_state_accept (&state, 11), ==, SOTTO_COUNTER_REPLAYED);
  g_assert_true (state.rebase);
  g_assert_cmpint (sotto_counter_state_accept (&state, 40), ==, SOTTO_COUNTER_NEW);
  g_assert_false (state.rebase);
  g_assert_cmpuint (state.floor, ==, 40);
  gaps = sotto_counter_state_take_gaps (&state);
  g_assert_cmpuint (gaps->len, ==, 0);
  g_assert_cmpint (sotto_counter_state_accept (&state, 41), ==, SOTTO_COUNTER_NEW);
}

/* A key box says from where a sender's messages are owed: new to them,
 * even the first one, withheld, is missed; back in the room, what was
 * said while away is not; a box from before what was seen changes
 * nothing, and neither does one when the count is already running. */
static void
test_anchor (void)
{
  g_auto(SottoCounterState) state = { 0 };
  g_autoptr(GArray) gaps = NULL;

  sotto_counter_state_init (&state);
  g_assert_true (sotto_counter_state_anchor (&state, 1));
  g_assert_false (state.rebase);
  g_assert_cmpint (sotto_counter_state_accept (&state, 2), ==, SOTTO_COUNTER_NEW);
  gaps = sotto_counter_state_take_gaps (&state);
  g_assert_cmpuint (gaps->len, ==, 1);
  g_assert_cmpuint (g_array_index (gaps, SottoCounterGap, 0).missing, ==, 1);
  g_clear_pointer (&gaps, g_array_unref);
  g_assert_cmpint (sotto_counter_state_accept (&state, 1), ==, SOTTO_COUNTER_LATE);

  g_assert_false (sotto_counter_state_anchor (&state, 9));
  g_assert_cmpuint (state.floor, ==, 2);

  state.rebase = TRUE;
  g_assert_false (sotto_counter_state_anchor (&state, 1));
  g_assert_true (state.rebase);
  g_assert_cmpint (sotto_counter_state_accept (&state, 2), ==, SOTTO_COUNTER_REPLAYED);
  g_assert_true (sotto_counter_state_anchor (&state, 30));
  g_assert_cmpuint (state.floor, ==, 29);
  g_assert_cmpint (sotto_counter_state_accept (&state, 30), ==, SOTTO_COUNTER_NEW);
  g_assert_false (sotto_counter_state_has_gaps (&state));
}

/* A huge gap is told with its true size, but only the latest missing
 * counters are remembered. */
static void
test_bounds (void)
{
  g_auto(SottoCounterState) state = { 0 };
  g_autoptr(GArray) gaps = NULL;

  sotto_counter_state_init (&state);
  g_assert_cmpint (sotto_counter_state_accept (&state, 1), ==, SOTTO_COUNTER_NEW);
  g_assert_cmpint (sotto_counter_state_accept (&state, G_MAXUINT32), ==, SOTTO_COUNTER_NEW);
  gaps = sotto_counter_state_take_gaps (&state);
  g_assert_cmpuint (gaps->len, ==, 1);
  g_assert_cmpuint (g_array_index (gaps, SottoCounterGap, 0).missing, ==, G_MAXUINT32 - 2);
  g_assert_cmpuint (state.missing->len, ==, SOTTO_COUNTER_STATE_MAX_MISSING);
  g_assert_cmpuint (g_array_index (state.missing, guint64, 0), ==,
                    G_MAXUINT32 - SOTTO_COUNTER_STATE_MAX_MISSING);
  g_assert_cmpint (sotto_counter_state_accept (&state, 2), ==, SOTTO_COUNTER_REPLAYED);
  g_assert_cmpint (sotto_counter_state_accept (&state, G_MAXUINT32 - 1), ==, SOTTO_COUNTER_LATE);
}

static void
test_pack (void)
{
  g_autoptr(GArray) counters = g_array_new (FALSE, FALSE, sizeof (guint64));
  g_autoptr(GArray) back = NULL;
  g_autoptr(GBytes) packed = NULL;
  const guint64 values[] = { 1, 300, G_MAXUINT64 };
  const guint8 descending[16] = { 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 1 };
  const guint8 zero[8] = { 0 };
  gsize size;
  const guint8 *data;

  g_array_append_vals (counters, values, G_N_ELEMENTS (values));
  packed = sotto_counter_state_pack (counters);
  data = g_bytes_get_data (packed, &size);
  g_assert_cmpuint (size, ==, 24);
  g_assert_true (sotto_counter_state_unpack (data, size, &back));
  g_assert_cmpuint (back->len, ==, 3);
  g_assert_cmpuint (g_array_index (back, guint64, 2), ==, G_MAXUINT64);
  g_clear_pointer (&back, g_array_unref);

  g_assert_true (sotto_counter_state_unpack (NULL, 0, &back));
  g_assert_cmpuint (back->len, ==, 0);
  g_clear_pointer (&back, g_array_unref);

  g_assert_false (sotto_counter_state_unpack (data, size - 1, &back));
  g_assert_false (sotto_counter_state_unpack (descending, sizeof descending, &back));
  g_assert_false (sotto_counter_state_unpack (zero, sizeof zero, &back));
  g_assert_null (back);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sotto/client/counters/in-order", test_in_order);
  g_test_add_func ("/sotto/client/counters/replay", test_replay);
  g_test_add_func ("/sotto/client/counters/gaps-and-late", test_gaps_and_late);
  g_test_add_func ("/sotto/client/counters/rebase", test_rebase);
  g_test_add_func ("/sotto/client/counters/anchor", test_anchor);
  g_test_add_func ("/sotto/client/counters/bounds", test_bounds);
  g_test_add_func ("/sotto/client/counters/pack", test_pack);

  return g_test_run ();
}
