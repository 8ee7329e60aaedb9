/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* How many counters a state remembers as reported missing; the oldest
 * are forgotten first (they then read as replays if they ever come). */
#define SOTTO_COUNTER_STATE_MAX_MISSING 256

/* How many counters above the floor a state holds before it reports its
 * gaps on its own, so a server that withholds one message cannot make it
 * grow without bound. */
#define SOTTO_COUNTER_STATE_MAX_SEEN 1024

/**
 * SottoCounterVerdict:
 * @SOTTO_COUNTER_NEW: a message not seen before
 * @SOTTO_COUNTER_LATE: a message not seen before that came after it was
 *   reported missing
 * @SOTTO_COUNTER_REPLAYED: a message already seen (or older than
 *   everything remembered): the server sent it again
 *
 * What sotto_counter_state_accept() makes of a counter.
 */
typedef enum
{
  SOTTO_COUNTER_NEW,
  SOTTO_COUNTER_LATE,
  SOTTO_COUNTER_REPLAYED,
} SottoCounterVerdict;

/**
 * SottoCounterGap:
 * @after: the counter of the first message seen after the gap
 * @missing: how many messages before it never came
 */
typedef struct
{
  guint64 after;
  guint64 missing;
} SottoCounterGap;

/**
 * SottoCounterState:
 * @floor: every counter up to here was seen, reported missing, or is not
 *   owed to this reader
 * @seen: (element-type guint64): counters above @floor already seen,
 *   ascending
 * @missing: (element-type guint64): counters at most @floor reported
 *   missing that may still come, ascending
 * @rebase: the reader was away from the room (left, was removed, or never
 *   saw this sender): the next new counter becomes the floor, and what the
 *   sender said meanwhile is not owed
 *
 * What one reader knows of the counters one sender (one signing key) used
 * in one room. Plain data; sotto_counter_state_init() and _clear().
 */
typedef struct
{
  guint64   floor;
  GArray   *seen;
  GArray   *missing;
  gboolean  rebase;
} SottoCounterState;

void                 sotto_counter_state_init        (SottoCounterState  *state);
void                 sotto_counter_state_clear       (SottoCounterState  *state);
SottoCounterVerdict  sotto_counter_state_accept      (SottoCounterState  *state,
                                                      guint64             counter);
gboolean             sotto_counter_state_anchor      (SottoCounterState  *state,
                                                      guint64             next_counter);
GArray              *sotto_counter_state_take_gaps   (SottoCounterState  *state);
guint64              sotto_counter_state_get_highest (const SottoCounterState *state);
gboolean             sotto_counter_state_has_gaps    (const SottoCounterState *state);
GBytes              *sotto_counter_state_pack        (const GArray       *counters);
gboolean             sotto_counter_state_unpack      (const guint8       *data,
                                                      gsize               size,
                                                      GArray            **counters);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SottoCounterState, sotto_counter_state_clear)

G_END_DECLS
