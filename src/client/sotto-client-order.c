/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-client-private.h"

/*
 * What a reader relies on beyond the text: each message's counter and
 * time, signed by its sender (SottoMessageBody). A counter seen again is
 * a replay and is not shown again. A message is marked late when it was
 * told missing before it came, or when the server numbered it after one
 * its sender wrote later (arriving out of order alone is not late: live
 * messages and a catch-up cross). A sender's time well after the server's
 * marks the message backdated. Once nothing of a sender is still on its
 * way (the room caught up, no message of theirs waiting for a key), the
 * counters that never came are told at the message after them.
 *
 * Each device of a sender counts its own messages: what is tracked is
 * the counters of one signer, the device whose sender key sealed the
 * message (the sender's identity itself for keys that came with no
 * device).
 */

static char *
gap_key (const char   *room,
         const char   *sender,
         const guint8 *signer)
{
  g_autofree char *device = g_base64_encode (signer, SOTTO_CLIENT_STORE_DEVICE_BYTES);

  return g_strconcat (room, "\n", sender, "\n", device, NULL);
}

/* Tells in the room, where it happened, that the server sent something
 * again; the copy itself is not shown. Not kept: it changed nothing. */
static void
tell_replayed (SottoRoom  *room,
               const char *sender,
               gint64      seq,
               gint64      ts)
{
  g_autofree char *line = NULL;

  if (seq > 0 && sotto_room_has_seq (room, seq))
    return;

  line = g_strdup_printf (_("The server sent an earlier message from %s again; "
                            "it is not shown twice"), sender);
  sotto_room_add_system_text (room, seq, ts, line);
}

/**
 * _sotto_client_refuse_replay:
 * @room: the room
 * @sender: whose message came again
 * @seq: the server's number for the copy
 * @ts: the server's time for it
 *
 * A message whose key had already opened it came again: it is not shown,
 * and the room says so.
 */
void
_sotto_client_refuse_replay (SottoClient *self,
                             SottoRoom   *room,
                             const char  *sender,
                             gint64       seq,
                             gint64       ts)
{
  g_info ("Refused a replayed message of %s in %s", sender, sotto_room_get_name (room));
  tell_replayed (room, sender, seq, ts);
}

/**
 * _sotto_client_check_order:
 * @room: the room
 * @sender: who sealed @body
 * @signer: (array fixed-size=32): the device of @sender whose counter it is
 * @body: what their envelope held, opened and verified
 * @seq: the server's number for it
 * @ts: the server's time for it
 * @marks: (out): what is wrong with its arrival
 *
 * Records @body's counter. A replay is told in the room and refused.
 *
 * Returns: %FALSE if the message is a replay and must not be shown
 */
gboolean
_sotto_client_check_order (SottoClient             *self,
                           SottoRoom               *room,
                           const char              *sender,
                           const guint8            *signer,
                           const SottoMessageBody  *body,
                           gint64                   seq,
                           gint64                   ts,
                           SottoMessageMarks       *marks)
{
  const char *name = sotto_room_get_name (room);
  g_auto(SottoCounterState) state = { 0 };
  g_autoptr(GError) error = NULL;
  SottoCounterVerdict verdict;
  guint64 highest;

  *marks = SOTTO_MESSAGE_MARK_NONE;

  g_return_val_if_fail (signer != NULL, FALSE);

  if (!sotto_client_store_get_counters (self->store, name, sender, signer, &state, &error))
    {
      /* Without what was seen, nothing tells a replay from a new one. */
      g_warning ("Could not read the order of messages in %s: %s", name, error->message);
      return FALSE;
    }

  /* Above every counter seen, nothing stored can have overtaken it. */
  highest = sotto_counter_state_get_highest (&state);
  verdict = sotto_counter_state_accept (&state, body->counter);
  if (verdict == SOTTO_COUNTER_REPLAYED)
    {
      g_info ("Refused a replayed message of %s in %s (counter %" G_GUINT64_FORMAT ")",
              sender, name, body->counter);
      tell_replayed (room, sender, seq, ts);
      return FALSE;
    }

  /* Late: told missing before it came, or numbered by the server after a
   * message its sender wrote later. Crossing a catch-up is not late. */
  if (verdict == SOTTO_COUNTER_LATE ||
      (seq > 0 && body->counter < highest &&
       sotto_client_store_count_overtaken (self->store, name, sender, body->counter, seq, signer,
                                           NULL) > 0))
    *marks |= SOTTO_MESSAGE_MARK_LATE;
  if (ts > 0 && body->sent_at > ts && body->sent_at - ts > SOTTO_MESSAGE_CLOCK_TOLERANCE_MS)
    *marks |= SOTTO_MESSAGE_MARK_TIME_MISMATCH;

  if (!sotto_client_store_set_counters (self->store, name, sender, signer, &state, &error))
    {
      g_warning ("Could not record the order of messages in %s: %s", name, error->message);
      return FALSE;
    }

  if (sotto_counter_state_has_gaps (&state))
    g_hash_table_add (self->rooms_with_gaps, gap_key (name, sender, signer));

  return TRUE;
}

/**
 * _sotto_client_anchor_order:
 * @room: the room
 * @sender: who sent us a key
 * @signer: (array fixed-size=32): the device of @sender that sent it
 * @next_counter: the counter their key box says comes next
 *
 * Back in @room, or new to @sender: their messages are owed to us from
 * @next_counter on.
 */
void
_sotto_client_anchor_order (SottoClient  *self,
                            SottoRoom    *room,
                            const char   *sender,
                            const guint8 *signer,
                            guint64       next_counter)
{
  const char *name = sotto_room_get_name (room);
  g_auto(SottoCounterState) state = { 0 };
  g_autoptr(GError) error = NULL;

  if (!sotto_client_store_get_counters (self->store, name, sender, signer, &state, &error))
    {
      if (error != NULL)
        g_warning ("Could not read the order of messages in %s: %s", name, error->message);
      return;
    }

  if (sotto_counter_state_anchor (&state, next_counter) &&
      !sotto_client_store_set_counters (self->store, name, sender, signer, &state, &error))
    g_warning ("Could not record the order of messages in %s: %s", name, error->message);
}

/* Tells the gaps of @sender's device @signer in @room at the messages
 * after them. */
static void
report_sender (SottoClient  *self,
               SottoRoom    *room,
               const char   *sender,
               const guint8 *signer)
{
  const char *name = sotto_room_get_name (room);
  g_auto(SottoCounterState) state = { 0 };
  g_autoptr(GArray) gaps = NULL;
  g_autoptr(GError) error = NULL;

  if (!sotto_client_store_get_counters (self->store, name, sender, signer, &state, &error))
    {
      if (error != NULL)
        g_warning ("Could not read the order of messages in %s: %s", name, error->message);
      return;
    }

  gaps = sotto_counter_state_take_gaps (&state);
  if (gaps->len == 0)
    return;
  if (!sotto_client_store_set_counters (self->store, name, sender, signer, &state, &error))
    {
      g_warning ("Could not record the order of messages in %s: %s", name, error->message);
      return;
    }

  for (guint i = 0; i < gaps->len; i++)
    {
      SottoCounterGap *gap = &g_array_index (gaps, SottoCounterGap, i);
      g_autofree char *msg_id = NULL;
      SottoMessage *message;

      g_info ("%" G_GUINT64_FORMAT " messages of %s in %s did not arrive", gap->missing,
              sender, name);
      if (!sotto_client_store_mark_gap (self->store, name, sender, gap->after, gap->missing,
                                        signer, &msg_id, &error))
        {
          g_warning ("Could not record missing messages in %s: %s", name, error->message);
          g_clear_error (&error);
          continue;
        }

      message = msg_id != NULL ? sotto_room_lookup_message (room, sender, msg_id) : NULL;
      if (message != NULL)
        sotto_message_set_missing_before (message, gap->missing);
    }
}

/* Whether something of @sender in @room may still be on its way, so that
 * a hole in their counters does not mean anything yet. */
static gboolean
still_coming (SottoClient *self,
              SottoRoom   *room,
              const char  *sender)
{
  const char *name = sotto_room_get_name (room);

  return g_hash_table_contains (self->rooms_catching_up, name) ||
         sotto_client_store_count_waiting (self->store, name, sender, NULL) != 0;
}

/**
 * _sotto_client_settle_order:
 * @room: the room
 * @sender: (nullable): one sender, or %NULL for everyone with a gap in
 *   @room
 *
 * Tells what never came, for the senders of whom nothing is still on its
 * way: after a room's catch-up, after each live message, after a key
 * opened what waited for it.
 */
void
_sotto_client_settle_order (SottoClient *self,
                            SottoRoom   *room,
                            const char  *sender)
{
  const char *name = sotto_room_get_name (room);
  g_autoptr(GPtrArray) senders = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autofree char *prefix = g_strconcat (name, "\n", NULL);
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, self->rooms_with_gaps);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      g_auto(GStrv) parts = NULL;

      if (!g_str_has_prefix (key, prefix))
        continue;
      /* sender, then device */
      parts = g_strsplit ((const char *) key + strlen (prefix), "\n", 2);
      if (g_strv_length (parts) != 2 ||
          (sender != NULL && strcmp (parts[0], sender) != 0) ||
          still_coming (self, room, parts[0]))
        continue;

      g_ptr_array_add (senders, g_steal_pointer (&parts));
      g_hash_table_iter_remove (&iter);
    }

  for (guint i = 0; i < senders->len; i++)
    {
      char **parts = g_ptr_array_index (senders, i);
      gsize len = 0;
      g_autofree guint8 *signer = g_base64_decode (parts[1], &len);

      if (len == SOTTO_CLIENT_STORE_DEVICE_BYTES)
        report_sender (self, room, parts[0], signer);
    }
}
