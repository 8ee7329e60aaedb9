/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sotto-counter-state.h"

/*
 * Every message a member seals carries their counter for the room, signed
 * with the rest (SottoMessageBody). A reader keeps, per sender and room,
 * which counters it has seen: one seen again is a replay, one that comes
 * after it was told missing came late, and a hole below the highest one
 * seen is
 * a message the server did not deliver. Pure bookkeeping: the client
 * decides when holes count as withheld (once nothing is still on its way).
 */

void
sotto_counter_state_init (SottoCounterState *state)
{
  state->floor = 0;
  state->seen = g_array_new (FALSE, FALSE, sizeof (guint64));
  state->missing = g_array_new (FALSE, FALSE, sizeof (guint64));
  state->rebase = TRUE;
}

void
sotto_counter_state_clear (SottoCounterState *state)
{
  g_clear_pointer (&state->seen, g_array_unref);
  g_clear_pointer (&state->missing, g_array_unref);
}

/* The position of @counter in the ascending @array, or where it would go. */
static guint
find (const GArray *array,
      guint64       counter,
      gboolean     *found)
{
  guint low = 0, high = array->len;

  while (low < high)
    {
      guint mid = low + (high - low) / 2;
      guint64 value = g_array_index (array, guint64, mid);

      if (value == counter)
        {
          *found = TRUE;
          return mid;
        }
      if (value < counter)
        low = mid + 1;
      else
        high = mid;
    }

  *found = FALSE;
  return low;
}

static void
compact (SottoCounterState *state)
{
  guint n = 0;

  while (n < state->seen->len && g_array_index (state->seen, guint64, n) == state->floor + 1)
    {
      state->floor++;
      n++;
    }
  if (n > 0)
    g_array_remove_range (state->seen, 0, n);
}

/**
 * sotto_counter_state_get_highest:
 * @state: a state
 *
 * Returns: the highest counter seen (or owed no more), 0 for none
 */
guint64
sotto_counter_state_get_highest (const SottoCounterState *state)
{
  return state->seen->len > 0 ? g_array_index (state->seen, guint64, state->seen->len - 1)
                              : state->floor;
}

/* Back in the room: everything up to @floor is seen or not owed, and the
 * count goes on from there. */
static void
start_over_at (SottoCounterState *state,
               guint64            floor)
{
  state->floor = floor;
  g_array_set_size (state->seen, 0);
  state->rebase = FALSE;
}

/**
 * sotto_counter_state_accept:
 * @state: a state
 * @counter: the counter of a message that opened and verified
 *
 * Records @counter. A replayed counter changes nothing.
 *
 * Returns: what @counter is
 */
SottoCounterVerdict
sotto_counter_state_accept (SottoCounterState *state,
                            guint64            counter)
{
  gboolean found;
  guint pos;
  g_return_val_if_fail (counter > 0, SOTTO_COUNTER_REPLAYED);

  pos = find (state->missing, counter, &found);
  if (found)
    {
      g_array_remove_index (state->missing, pos);
      return SOTTO_COUNTER_LATE;
    }

  if (counter <= state->floor)
    return SOTTO_COUNTER_REPLAYED;

  pos = find (state->seen, counter, &found);
  if (found)
    return SOTTO_COUNTER_REPLAYED;

  /* Back after an absence: what was said meanwhile was not for us, and a
   * gap left open when we went is forgiven; but nothing at or below what
   * we saw before is new. */
  if (state->rebase)
    {
      if (counter <= sotto_counter_state_get_highest (state))
        return SOTTO_COUNTER_REPLAYED;
      start_over_at (state, counter);
      return SOTTO_COUNTER_NEW;
    }

  g_array_insert_val (state->seen, pos, counter);
  compact (state);

  return SOTTO_COUNTER_NEW;
}

/**
 * sotto_counter_state_has_gaps:
 * @state: a state
 *
 * Returns: whether a counter below the highest one seen is missing
 */
gboolean
sotto_counter_state_has_gaps (const SottoCounterState *state)
{
  /* Seen counters above the floor are never contiguous with it. */
  return state->seen->len > 0;
}

/**
 * sotto_counter_state_take_gaps:
 * @state: a state
 *
 * Calls every hole below the highest counter seen missing: the floor moves
 * up to that counter, and the missing ones are remembered, so that one
 * that still comes is accepted as late.
 *
 * Returns: (transfer full) (element-type SottoCounterGap): the gaps, in
 *   order; empty if there are none
 */
GArray *
sotto_counter_state_take_gaps (SottoCounterState *state)
{
  GArray *gaps = g_array_new (FALSE, FALSE, sizeof (SottoCounterGap));
  guint64 previous = state->floor;

  for (guint i = 0; i < state->seen->len; i++)
    {
      guint64 counter = g_array_index (state->seen, guint64, i);
      SottoCounterGap gap = { counter, counter - previous - 1 };

      if (gap.missing > 0)
        {
          g_array_append_val (gaps, gap);
          /* Only the most recent ones are remembered. */
          for (guint64 c = MAX (previous + 1, counter > SOTTO_COUNTER_STATE_MAX_MISSING
                                                ? counter - SOTTO_COUNTER_STATE_MAX_MISSING
                                                : 1);
               c < counter; c++)
            g_array_append_val (state->missing, c);
        }
      previous = counter;
    }

  if (state->missing->len > SOTTO_COUNTER_STATE_MAX_MISSING)
    g_array_remove_range (state->missing, 0,
                          state->missing->len - SOTTO_COUNTER_STATE_MAX_MISSING);

  state->floor = previous;
  g_array_set_size (state->seen, 0);

  return gaps;
}

/**
 * sotto_counter_state_pack:
 * @counters: (element-type guint64): ascending counters
 *
 * Returns: (transfer full): @counters as 8-byte big-endian numbers, for
 *   the store
 */
GBytes *
sotto_counter_state_pack (const GArray *counters)
{
  guint8 *data = g_malloc (counters->len * 8 + 1);

  for (guint i = 0; i < counters->len; i++)
    {
      guint64 value = g_array_index (counters, guint64, i);

      for (guint b = 0; b < 8; b++)
        data[i * 8 + b] = (guint8) (value >> (56 - 8 * b));
    }

  return g_bytes_new_take (data, counters->len * 8);
}

/**
 * sotto_counter_state_unpack:
 * @data: what sotto_counter_state_pack() made
 * @size: its size
 * @counters: (out) (transfer full): the counters
 *
 * Returns: %FALSE if @data is not a whole number of strictly ascending
 *   counters
 */
gboolean
sotto_counter_state_unpack (const guint8  *data,
                            gsize          size,
                            GArray       **counters)
{
  g_autoptr(GArray) array = NULL;

  if (size % 8 != 0)
    return FALSE;

  array = g_array_sized_new (FALSE, FALSE, sizeof (guint64), (guint) (size / 8));
  for (gsize i = 0; i < size / 8; i++)
    {
      guint64 value = 0;

      for (guint b = 0; b < 8; b++)
        value = (value << 8) | data[i * 8 + b];
      if (value == 0 ||
          (array->len > 0 && value <= g_array_index (array, guint64, array->len - 1)))
        return FALSE;
      g_array_append_val (array, value);
    }

  *counters = g_steal_pointer (&array);
  return TRUE;
}

/**
 * sotto_counter_state_anchor:
 * @state: a state
 * @next_counter: what a key box of the sender says its next message
 *   carries
 *
 * Back in a room (or new to a sender), a key box says from where the
 * sender's messages are owed: the floor moves up to just below
 * @next_counter, so that even the first of them, withheld, is missed. A
 * box from before what was already seen (replayed by the server) changes
 * nothing.
 *
 * Returns: whether @state changed
 */
gboolean
sotto_counter_state_anchor (SottoCounterState *state,
                            guint64            next_counter)
{
  g_return_val_if_fail (next_counter > 0, FALSE);

  if (!state->rebase || next_counter - 1 < sotto_counter_state_get_highest (state))
    return FALSE;

  start_over_at (state, next_counter - 1);
  return TRUE;
}
