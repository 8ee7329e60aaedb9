/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sotto-counter-state.h"
#include "sotto-e2e.h"

/*
 * What a reader relies on for order: the message body an envelope seals
 * (whatever an honest-looking sender could have signed) and the counters
 * the client keeps. The first byte picks the mode:
 *
 *   0  the rest is a body plaintext: it decodes or fails with
 *      SOTTO_E2E_ERROR_BAD_FORMAT; what decodes encodes again to a body
 *      that decodes to the same fields
 *   1  the rest is a stored counter list: it unpacks or is refused; what
 *      unpacks packs to the same bytes
 *   2  the rest is a story of counters (2 bytes each, the top bit of the
 *      first asking to tell the gaps before it; some also stand for a key
 *      box's next counter): every step keeps the state's invariants, and
 *      a counter just accepted is a replay at once
 */

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static void
fuzz_body (GBytes *input)
{
  g_auto(SottoMessageBody) body = { 0 };
  g_auto(SottoMessageBody) again = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) encoded = NULL;

  if (!sotto_message_body_decode (input, &body, &error))
    {
      g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT);
      g_assert_null (body.content);
      return;
    }

  encoded = sotto_message_body_encode (&body, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (encoded), ==,
                    sotto_message_body_padded_size (g_bytes_get_size (body.content)));
  g_assert_true (sotto_message_body_decode (encoded, &again, &error));
  g_assert_no_error (error);
  g_assert_cmpint (again.type, ==, body.type);
  g_assert_cmpuint (again.counter, ==, body.counter);
  g_assert_cmpint (again.sent_at, ==, body.sent_at);
  g_assert_true (g_bytes_equal (again.content, body.content));
}

static void
fuzz_unpack (const guint8 *data,
             gsize         size)
{
  g_autoptr(GArray) counters = NULL;
  g_autoptr(GBytes) packed = NULL;

  if (!sotto_counter_state_unpack (data, size, &counters))
    return;

  packed = sotto_counter_state_pack (counters);
  g_assert_cmpmem (g_bytes_get_data (packed, NULL), g_bytes_get_size (packed), data, size);
}

static void
check_invariants (const SottoCounterState *state)
{
  for (guint i = 0; i < state->seen->len; i++)
    {
      guint64 counter = g_array_index (state->seen, guint64, i);

      g_assert_cmpuint (counter, >, state->floor + (i == 0 ? 1 : 0));
      if (i > 0)
        g_assert_cmpuint (counter, >, g_array_index (state->seen, guint64, i - 1));
    }
  g_assert_cmpuint (state->missing->len, <=, SOTTO_COUNTER_STATE_MAX_MISSING);
  for (guint i = 0; i < state->missing->len; i++)
    {
      guint64 counter = g_array_index (state->missing, guint64, i);

      g_assert_cmpuint (counter, <=, state->floor);
      if (i > 0)
        g_assert_cmpuint (counter, >, g_array_index (state->missing, guint64, i - 1));
    }
  g_assert_cmpint (sotto_counter_state_has_gaps (state), ==, state->seen->len > 0);
}

static void
fuzz_story (const guint8 *data,
            gsize         size)
{
  g_auto(SottoCounterState) state = { 0 };

  sotto_counter_state_init (&state);

  for (gsize i = 0; i + 1 < size; i += 2)
    {
      guint64 counter = (((guint64) data[i] & 0x7f) << 8 | data[i + 1]) + 1;
      SottoCounterVerdict verdict;

      if (data[i] & 0x80)
        {
          g_autoptr(GArray) gaps = sotto_counter_state_take_gaps (&state);
          guint64 previous = 0;

          for (guint g = 0; g < gaps->len; g++)
            {
              SottoCounterGap *gap = &g_array_index (gaps, SottoCounterGap, g);

              g_assert_cmpuint (gap->missing, >, 0);
              g_assert_cmpuint (gap->after, >, previous);
              previous = gap->after;
            }
          g_assert_cmpuint (state.seen->len, ==, 0);
        }

      verdict = sotto_counter_state_accept (&state, counter);
      check_invariants (&state);
      if (verdict != SOTTO_COUNTER_REPLAYED)
        g_assert_cmpint (sotto_counter_state_accept (&state, counter), ==,
                         SOTTO_COUNTER_REPLAYED);
      /* A key box: from a sender new to us or after an absence. */
      if (counter % 13 == 0)
        {
          sotto_counter_state_anchor (&state, counter);
          check_invariants (&state);
        }
      /* Away and back: nothing seen becomes new. */
      if (counter % 61 == 0)
        {
          state.rebase = TRUE;
          g_assert_cmpint (sotto_counter_state_accept (&state, counter), ==,
                           SOTTO_COUNTER_REPLAYED);
          check_invariants (&state);
        }
    }

  {
    g_autoptr(GBytes) seen = sotto_counter_state_pack (state.seen);
    g_autoptr(GArray) back = NULL;

    g_assert_true (sotto_counter_state_unpack (g_bytes_get_data (seen, NULL),
                                               g_bytes_get_size (seen), &back));
    g_assert_cmpuint (back->len, ==, state.seen->len);
  }
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GBytes) input = NULL;

  if (size == 0)
    return 0;

  switch (data[0] % 3)
    {
    case 0:
      input = g_bytes_new (data + 1, size - 1);
      fuzz_body (input);
      break;
    case 1:
      fuzz_unpack (data + 1, size - 1);
      break;
    default:
      fuzz_story (data + 1, size - 1);
      break;
    }

  return 0;
}
