/* SPDX-License-Identifier: GPL-3.0-or-later */

/*
 * History to a new computer: alice's first computer holds N messages of
 * a room (written straight into its store, as years of a busy room would
 * leave them); she links a laptop and sends it that history. Timed from
 * the call to the laptop holding every message (its last chunk taken and
 * stored), with the moment the first computer has handed the last chunk
 * to the server. The peer figure, in the same round: writing the same N
 * rows into a store directly, the least the laptop's store must do.
 * The real sotto-server on 127.0.0.1 (from $SOTTO_SERVER) and both
 * computers on the client core in this one process; a fresh server and
 * data each round. Prints each round and the medians.
 *
 *   sotto-history-bench [MESSAGES (100000)] [ROUNDS (3)]
 *
 * bench/history-quick builds it against one or two build trees and runs
 * them in turn.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sotto-client.h"
#include "sotto-client-store.h"
#include "sotto-test-server.h"
#include "sotto-test-users.h"
#include "sotto-test-util.h"

#define PASSWORD "correct horse battery"
#define ROOM "big"
#define MAX_ROUNDS 16

static int
cmp (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

/* Writes @count messages of ROOM into the store at @path; returns the
 * time it took, in ms. */
static double
write_history (const char *path,
               guint       count)
{
  g_autoptr(SottoClientStore) store = sotto_test_user_open_store (path, PASSWORD);
  g_autoptr(GError) error = NULL;
  gint64 first_ts = g_get_real_time () / 1000 - (gint64) count * 60000;
  gint64 started = g_get_monotonic_time ();

  if (!sotto_client_store_begin (store, &error))
    g_error ("begin: %s", error->message);
  for (guint i = 0; i < count; i++)
    {
      g_autofree char *text = g_strdup_printf ("Message %u of the big room: a line of ordinary "
                                               "length, as people write them.", i + 1);
      g_autoptr(GBytes) body = g_bytes_new (text, strlen (text));
      g_autofree char *msg_id = g_strdup_printf ("b%08u", i);
      const char *sender = i % 3 == 0 ? "alice" : (i % 3 == 1 ? "writer" : "other");

      /* Past the server's own numbers, so that no catch-up touches them. */
      if (!sotto_client_store_add_message (store, ROOM, sender, msg_id, 1000 + i,
                                           first_ts + (gint64) i * 60000,
                                           i % 3 == 0 ? SOTTO_STORED_MESSAGE_SENT
                                                      : SOTTO_STORED_MESSAGE_RECEIVED,
                                           body, NULL, &error) ||
          !sotto_client_store_set_message_order (store, ROOM, sender, msg_id, i + 1,
                                                 first_ts + (gint64) i * 60000, 0, NULL,
                                                 &error))
        g_error ("add message %u: %s", i, error->message);
    }
  if (!sotto_client_store_set_last_seq (store, ROOM, 1000 + count - 1, &error) ||
      !sotto_client_store_commit (store, &error))
    g_error ("last seq: %s", error->message);

  return (g_get_monotonic_time () - started) / 1000.0;
}

typedef struct
{
  guint   done;
  guint   total;
  gint64  sent_at;
  gint64  received_at;
  gint64  sent;
  guint   chunks;
} Transfer;

static void
progress_cb (SottoClient *client,
             const char  *device,
             gboolean     sending,
             guint        done,
             guint        total,
             gpointer     user_data)
{
  Transfer *transfer = user_data;

  if (sending)
    {
      transfer->chunks++;
      return;
    }
  transfer->done = done;
  transfer->total = total;
  if (done >= total && transfer->received_at == 0)
    transfer->received_at = g_get_monotonic_time ();
}

static void
sent_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Transfer *transfer = user_data;
  g_autoptr(GError) error = NULL;

  transfer->sent = sotto_client_send_history_finish (SOTTO_CLIENT (object), result, &error);
  if (transfer->sent < 0)
    g_error ("The history was not sent: %s", error->message);
  transfer->sent_at = g_get_monotonic_time ();
}

int
main (int argc, char *argv[])
{
  int messages = argc > 1 ? atoi (argv[1]) : 100000;
  int rounds = argc > 2 ? atoi (argv[2]) : 3;
  double received[MAX_ROUNDS], sent[MAX_ROUNDS], written[MAX_ROUNDS];

  if (messages < 1 || rounds < 1 || rounds > MAX_ROUNDS)
    {
      g_printerr ("usage: %s [MESSAGES] [ROUNDS (1-%d)]\n", argv[0], MAX_ROUNDS);
      return 2;
    }

  for (int r = 0; r < rounds; r++)
    {
      g_autofree char *dir = sotto_test_make_data_dir ();
      SottoTestServer *server = sotto_test_server_start (NULL, NULL);
      g_autofree char *address = g_strdup_printf ("127.0.0.1:%u",
                                                  sotto_test_server_get_port (server));
      g_autofree char *path = sotto_test_user_store_path (dir, address, "alice", "alice");
      g_autofree char *peer_path = NULL;
      g_autoptr(GError) error = NULL;
      Transfer transfer = { 0 };
      SottoClient *alice;
      SottoClient *laptop;
      gint64 start;

      alice = sotto_test_user_new (dir, address, "alice", PASSWORD);
      sotto_test_user_join (alice, ROOM);
      sotto_client_close (alice);
      g_object_unref (alice);
      write_history (path, (guint) messages);

      /* The peer: the same rows into the store of someone else. */
      {
        SottoClient *peer = sotto_test_user_new (dir, address, "peer", PASSWORD);

        sotto_client_close (peer);
        g_object_unref (peer);
        peer_path = sotto_test_user_store_path (dir, address, "peer", "peer");
        written[r] = write_history (peer_path, (guint) messages);
      }

      alice = sotto_test_user_open (dir, address, "alice");
      sotto_test_user_account (alice, FALSE, "alice", PASSWORD, &error);
      if (error != NULL)
        g_error ("alice did not log in: %s", error->message);
      laptop = sotto_test_user_link (dir, address, alice, "laptop", "alice", PASSWORD);
      g_signal_connect (laptop, "history-progress", G_CALLBACK (progress_cb), &transfer);
      g_signal_connect (alice, "history-progress", G_CALLBACK (progress_cb), &transfer);
      sotto_test_iterate (200);

      start = g_get_monotonic_time ();
      sotto_client_send_history_async (alice, sotto_client_get_device_identity (laptop)->sign_pk,
                                       NULL, sent_cb, &transfer);
      while (transfer.received_at == 0 || transfer.sent_at == 0)
        g_main_context_iteration (NULL, TRUE);
      if (transfer.sent != messages || transfer.total != (guint) messages)
        g_error ("%" G_GINT64_FORMAT " sent, %u received of %d", transfer.sent, transfer.total,
                 messages);

      received[r] = (transfer.received_at - start) / 1000.0;
      sent[r] = (transfer.sent_at - start) / 1000.0;
      printf ("round %d: %d messages received in %.1f ms (%.0f a second; all sent after %.1f "
              "ms, %u chunks); the same rows written straight into a store: %.1f ms\n",
              r + 1, messages, received[r], messages / (received[r] / 1000.0), sent[r],
              transfer.chunks - 1, written[r]);
      fflush (stdout);

      sotto_client_close (laptop);
      g_object_unref (laptop);
      sotto_client_close (alice);
      g_object_unref (alice);
      sotto_test_server_free (server);
      sotto_test_remove_dir (dir);
    }

  qsort (received, rounds, sizeof received[0], cmp);
  qsort (sent, rounds, sizeof sent[0], cmp);
  qsort (written, rounds, sizeof written[0], cmp);
  printf ("median of %d rounds: %d messages received in %.1f ms (%.0f a second), all sent after "
          "%.1f ms; written straight into a store: %.1f ms (transfer %.2fx that)\n",
          rounds, messages, received[rounds / 2], messages / (received[rounds / 2] / 1000.0),
          sent[rounds / 2], written[rounds / 2], received[rounds / 2] / written[rounds / 2]);
  return 0;
}
