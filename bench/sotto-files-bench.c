/* SPDX-License-Identifier: GPL-3.0-or-later */

/*
 * Files through the real server, on the client core, over loopback:
 *
 *   a. a file uploaded by alice and fetched by bob, timed from the call
 *      to DONE (sealing and opening included) and over the transfer part
 *      alone (from the upload running to DONE; from the fetch to its last
 *      piece written in the cache);
 *   b. the growth of the server's and of this process's memory (VmHWM,
 *      reset through /proc/PID/clear_refs, against VmRSS before) while a
 *      large file goes up and comes back down;
 *   c. chat latency: 20 messages a second in the room, each carrying the
 *      time it was sent (CLOCK_MONOTONIC, shared by the processes of the
 *      machine), from send to bob holding it opened; with nothing else
 *      going on, and while a large upload or download runs:
 *        idle      carol in this process says, bob reads
 *        upload    the same while dave uploads (in a child process)
 *        own-idle  dave (child) says, without uploading
 *        own       dave (child) says while he uploads
 *        download  carol says while bob downloads
 *
 * A fresh server (from $SOTTO_SERVER) and fresh accounts each round; the
 * medians of the rounds are printed last, as "median KEY VALUE" lines
 * that bench/files-quick reads.
 *
 *   sotto-files-bench FILE [LARGE_FILE|-] [ROUNDS (3)] [CHAT_SECONDS (8)]
 *   sotto-files-bench --child DIR ADDRESS USER FILE SECONDS UPLOAD RATE
 */
#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sotto-client.h"
#include "sotto-frame.h"
#include "sotto-test-server.h"
#include "sotto-test-users.h"
#include "sotto-test-util.h"

#define PASSWORD "correct horse battery"
#define ROOM "files"
#define MAX_ROUNDS 16
#define PING_RATE 20
#define WAIT_SECONDS 600

static int
cmp (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static double
median (double *values,
        guint   n)
{
  g_autofree double *sorted = g_memdup2 (values, n * sizeof *values);

  qsort (sorted, n, sizeof *sorted, cmp);
  return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

/* The value at @fraction of @values, nearest rank. */
static double
percentile (GArray *values,
            double  fraction)
{
  guint rank;

  if (values->len == 0)
    return 0;
  g_array_sort (values, cmp);
  rank = (guint) (fraction * values->len + 0.999999);
  return g_array_index (values, double, CLAMP (rank, 1, values->len) - 1);
}

static gboolean
wake_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

static void
wait_until (gboolean   (*condition) (gpointer data),
            gpointer     data,
            const char  *what)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;
  guint wake = g_timeout_add (50, wake_cb, NULL);

  while (!condition (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("Waited %d s for %s", WAIT_SECONDS, what);
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (wake);
}

static gboolean
finished (gpointer data)
{
  return sotto_transfer_is_finished (data);
}

static gboolean
flag_set (gpointer data)
{
  return *(gboolean *) data;
}

static void
assert_done (SottoTransfer *transfer)
{
  if (sotto_transfer_get_state (transfer) != SOTTO_TRANSFER_DONE)
    g_error ("The transfer of %s ended in state %d: %s", sotto_transfer_get_name (transfer),
             sotto_transfer_get_state (transfer),
             sotto_transfer_get_error (transfer) != NULL ? sotto_transfer_get_error (transfer)
                                                         : "");
}

/* Memory */

/* VmRSS or VmHWM of @pid, in KiB. */
static gint64
status_kib (GPid        pid,
            const char *field)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", (int) pid);
  g_autofree char *contents = NULL;
  const char *line;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return -1;
  line = strstr (contents, field);
  if (line == NULL)
    return -1;
  return g_ascii_strtoll (line + strlen (field) + 1, NULL, 10);
}

/* Makes VmHWM start again from VmRSS. */
static void
reset_peak (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/clear_refs", (int) pid);
  FILE *file = fopen (path, "w");

  /* Written in place: g_file_set_contents() would replace the file. */
  if (file == NULL || fputs ("5", file) < 0 || fclose (file) != 0)
    g_error ("Could not reset the peak memory of %d", (int) pid);
}

/* Timing a transfer */

typedef struct
{
  gint64 started;
  gint64 running;
  gint64 all_done;
  gint64 finished;
} Timing;

static void
transfer_state_cb (SottoTransfer *transfer,
                   GParamSpec    *pspec,
                   Timing        *timing)
{
  gint64 now = g_get_monotonic_time ();

  if (sotto_transfer_get_state (transfer) == SOTTO_TRANSFER_RUNNING && timing->running == 0)
    timing->running = now;
  if (sotto_transfer_is_finished (transfer) && timing->finished == 0)
    timing->finished = now;
}

static void
transfer_done_cb (SottoTransfer *transfer,
                  GParamSpec    *pspec,
                  Timing        *timing)
{
  if (sotto_transfer_get_total (transfer) > 0 &&
      sotto_transfer_get_done (transfer) >= sotto_transfer_get_total (transfer) &&
      timing->all_done == 0)
    timing->all_done = g_get_monotonic_time ();
}

static SottoTransfer *
follow (SottoTransfer *transfer,
        Timing        *timing)
{
  g_signal_connect (transfer, "notify::state", G_CALLBACK (transfer_state_cb), timing);
  g_signal_connect (transfer, "notify::done", G_CALLBACK (transfer_done_cb), timing);
  transfer_state_cb (transfer, NULL, timing);
  return transfer;
}

typedef struct
{
  double upload_ms;
  double upload_transfer_ms;
  double download_ms;
  double download_transfer_ms;
} Trip;

/* Alice sends @path, bob fetches it next to it and it is deleted again. */
static SottoMessage *
round_trip (SottoClient *alice,
            SottoRoom   *alice_room,
            SottoClient *bob,
            SottoRoom   *bob_room,
            const char  *path,
            const char  *saved_path,
            Trip        *trip)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFile) saved = g_file_new_for_path (saved_path);
  g_autofree char *name = g_file_get_basename (file);
  g_autoptr(SottoTransfer) upload = NULL;
  g_autoptr(SottoTransfer) download = NULL;
  Timing up = { 0 };
  Timing down = { 0 };
  SottoMessage *message;

  up.started = g_get_monotonic_time ();
  upload = follow (sotto_client_send_file (alice, alice_room, file), &up);
  wait_until (finished, upload, "the upload");
  assert_done (upload);

  message = sotto_test_user_wait_for_text (bob_room, "alice", name);
  down.started = g_get_monotonic_time ();
  download = follow (sotto_client_fetch_file (bob, message, saved), &down);
  wait_until (finished, download, "the download");
  assert_done (download);
  g_file_delete (saved, NULL, NULL);

  trip->upload_ms = (up.finished - up.started) / 1000.0;
  trip->upload_transfer_ms = (up.finished - up.running) / 1000.0;
  trip->download_ms = (down.finished - down.started) / 1000.0;
  trip->download_transfer_ms = (down.all_done - down.started) / 1000.0;
  return message;
}

/* Chat latency */

typedef struct
{
  GArray     *latencies;   /* ms */
  GHashTable *seen;        /* a message shows again when it is updated */
} Pings;

static void
messages_changed_cb (GListModel *model,
                     guint       position,
                     guint       removed,
                     guint       added,
                     Pings      *pings)
{
  gint64 now = g_get_monotonic_time ();

  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(SottoMessage) message = g_list_model_get_item (model, i);
      const char *text = sotto_message_get_text (message);
      gint64 sent;

      if (text == NULL || !g_str_has_prefix (text, "ping ") ||
          !g_hash_table_add (pings->seen, g_strdup (text)))
        continue;
      sent = g_ascii_strtoll (strrchr (text, ' ') + 1, NULL, 10);
      g_array_append_val (pings->latencies, (double) { (now - sent) / 1000.0 });
    }
}

typedef struct
{
  SottoClient *client;
  SottoRoom   *room;
  guint        sent;
  guint        limit;
} Sayer;

static gboolean
say_cb (gpointer data)
{
  Sayer *sayer = data;
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;

  if (sayer->sent >= sayer->limit)
    return G_SOURCE_REMOVE;
  text = g_strdup_printf ("ping %u %" G_GINT64_FORMAT, ++sayer->sent, g_get_monotonic_time ());
  if (sotto_client_send_message (sayer->client, sayer->room, text, &error) == NULL)
    g_error ("A ping was not sent: %s", error->message);
  return G_SOURCE_CONTINUE;
}

typedef struct
{
  Pings *pings;
  guint  count;
} PingsCount;

static gboolean
all_pings_in (gpointer data)
{
  PingsCount *wanted = data;

  return wanted->pings->latencies->len >= wanted->count;
}

/* The child: logs in as @user, uploads @file again and again for
 * @seconds when @upload, and says a ping @rate times a second meanwhile;
 * "ready" on stdout once it moves. */
static int
child_main (char **argv)
{
  const char *dir = argv[0], *address = argv[1], *user = argv[2], *path = argv[3];
  gint64 seconds = g_ascii_strtoll (argv[4], NULL, 10);
  gboolean upload = g_ascii_strtoll (argv[5], NULL, 10) != 0;
  guint rate = (guint) g_ascii_strtoll (argv[6], NULL, 10);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  SottoClient *client = sotto_test_user_open (dir, address, user);
  SottoRoom *room;
  Sayer sayer = { 0 };
  gint64 end;

  sotto_test_user_account (client, FALSE, user, PASSWORD, &error);
  if (error != NULL)
    g_error ("%s did not log in: %s", user, error->message);
  room = sotto_client_lookup_room (client, ROOM);
  g_assert_nonnull (room);
  sotto_test_iterate (200);

  end = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;
  sayer.client = client;
  sayer.room = room;
  sayer.limit = rate * seconds;
  /* Uploads go on until the last ping is out. */
  for (gboolean first = TRUE; g_get_monotonic_time () < end || sayer.sent < sayer.limit;
       first = FALSE)
    {
      g_autoptr(SottoTransfer) transfer = NULL;

      if (upload)
        {
          transfer = sotto_client_send_file (client, room, file);
          while (sotto_transfer_get_state (transfer) == SOTTO_TRANSFER_PREPARING)
            g_main_context_iteration (NULL, TRUE);
        }
      if (first)
        {
          printf ("ready\n");
          fflush (stdout);
          if (rate > 0)
            g_timeout_add (1000 / rate, say_cb, &sayer);
        }
      if (!upload)
        {
          while (g_get_monotonic_time () < end || sayer.sent < sayer.limit)
            g_main_context_iteration (NULL, TRUE);
          break;
        }
      while (!sotto_transfer_is_finished (transfer) &&
             (g_get_monotonic_time () < end || sayer.sent < sayer.limit))
        g_main_context_iteration (NULL, TRUE);
      if (!sotto_transfer_is_finished (transfer))
        sotto_transfer_cancel (transfer);
      else
        assert_done (transfer);
    }
  /* The last pings reach the server before the goodbye. */
  sotto_test_iterate (500);
  sotto_client_close (client);
  sotto_test_iterate (100);
  g_object_unref (client);
  return 0;
}

typedef struct
{
  const char  *self;
  const char  *dir;
  const char  *address;
  const char  *file;
  guint        seconds;
  SottoClient *carol;
  SottoRoom   *carol_room;
  SottoClient *bob;
  SottoRoom   *bob_room;
} Chat;

static void
child_exited_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL);
  *(gboolean *) user_data = TRUE;
}

static void
keep_downloading (SottoClient   *bob,
                  SottoMessage  *message,
                  const char    *saved_path,
                  SottoTransfer **transfer)
{
  static guint count;
  g_autofree char *path = g_strdup_printf ("%s.%u", saved_path, count++ % 2);
  g_autoptr(GFile) saved = g_file_new_for_path (path);

  /* The last copy goes in a worker thread, as a file manager deletes,
   * not in the main loop that chat shares; the next one is saved under
   * the other name. */
  if (*transfer != NULL)
    {
      assert_done (*transfer);
      g_clear_object (transfer);
    }
  g_file_delete_async (saved, G_PRIORITY_LOW, NULL, NULL, NULL);
  *transfer = sotto_client_fetch_file (bob, message, saved);
}

/* Measures one kind of chat latency; returns the latencies in ms. */
static GArray *
measure_chat (Chat         *chat,
              const char   *kind,
              SottoMessage *to_download)
{
  gboolean in_child = g_str_has_prefix (kind, "own");
  gboolean upload = g_str_equal (kind, "upload") || g_str_equal (kind, "own");
  g_autoptr(GSubprocess) child = NULL;
  g_autofree char *saved_path = g_build_filename (chat->dir, "saved-chat", NULL);
  g_autoptr(SottoTransfer) download = NULL;
  Pings pings = { g_array_new (FALSE, FALSE, sizeof (double)),
                  g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL) };
  Sayer sayer = { chat->carol, chat->carol_room, 0, PING_RATE * chat->seconds };
  PingsCount wanted = { &pings, 0 };
  gboolean exited = TRUE;
  gulong handler;

  handler = g_signal_connect (sotto_room_get_messages (chat->bob_room), "items-changed",
                              G_CALLBACK (messages_changed_cb), &pings);

  if (in_child || upload)
    {
      g_autofree char *seconds = g_strdup_printf ("%u", chat->seconds);
      g_autofree char *rate = g_strdup_printf ("%u", in_child ? PING_RATE : 0);
      g_autoptr(GError) error = NULL;
      g_autoptr(GDataInputStream) out = NULL;
      g_autofree char *line = NULL;

      child = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, chat->self, "--child",
                                chat->dir, chat->address, "dave", chat->file, seconds,
                                upload ? "1" : "0", rate, NULL);
      if (child == NULL)
        g_error ("The child did not start: %s", error->message);
      out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (child));
      line = g_data_input_stream_read_line (out, NULL, NULL, &error);
      if (g_strcmp0 (line, "ready") != 0)
        g_error ("The child did not get ready: %s", error != NULL ? error->message : "");
      exited = FALSE;
      g_subprocess_wait_async (child, NULL, child_exited_cb, &exited);
    }

  if (to_download != NULL)
    keep_downloading (chat->bob, to_download, saved_path, &download);

  if (!in_child)
    {
      g_timeout_add (1000 / PING_RATE, say_cb, &sayer);
      wanted.count = sayer.limit;
    }
  else
    wanted.count = PING_RATE * chat->seconds;

  /* Every ping in, or ten seconds more than it should take, or the child
   * gone for two seconds. */
  {
    gint64 deadline = g_get_monotonic_time () + (chat->seconds + 10) * G_USEC_PER_SEC;
    guint wake = g_timeout_add (50, wake_cb, NULL);
    gint64 exited_at = 0;

    while (!all_pings_in (&wanted) && g_get_monotonic_time () < deadline &&
           (exited_at == 0 || g_get_monotonic_time () < exited_at + 2 * G_USEC_PER_SEC))
      {
        g_main_context_iteration (NULL, TRUE);
        if (download != NULL && sotto_transfer_is_finished (download))
          keep_downloading (chat->bob, to_download, saved_path, &download);
        if (child != NULL && exited && exited_at == 0)
          exited_at = g_get_monotonic_time ();
      }
    g_source_remove (wake);
  }
  if (pings.latencies->len < wanted.count)
    {
      g_printerr ("%s: %u of %u pings came; missing:", kind, pings.latencies->len,
                  wanted.count);
      for (guint i = 1; i <= wanted.count; i++)
        {
          GHashTableIter iter;
          const char *text;
          gboolean found = FALSE;
          g_autofree char *prefix = g_strdup_printf ("ping %u ", i);

          g_hash_table_iter_init (&iter, pings.seen);
          while (!found && g_hash_table_iter_next (&iter, (gpointer *) &text, NULL))
            found = g_str_has_prefix (text, prefix);
          if (!found)
            g_printerr (" %u", i);
        }
      g_printerr ("\n");
    }

  if (download != NULL)
    {
      sotto_transfer_cancel (download);
      wait_until (finished, download, "the download to stop");
      for (guint n = 0; n < 2; n++)
        {
          g_autofree char *path = g_strdup_printf ("%s.%u", saved_path, n);

          g_unlink (path);
        }
    }
  if (child != NULL)
    wait_until (flag_set, &exited, "the child");
  g_signal_handler_disconnect (sotto_room_get_messages (chat->bob_room), handler);
  g_hash_table_unref (pings.seen);
  return pings.latencies;
}

/* The main program */

static const char *const chat_kinds[] = { "idle", "upload", "own-idle", "own", "download" };
#define N_CHAT_KINDS G_N_ELEMENTS (chat_kinds)

typedef struct
{
  Trip   trip;
  double server_up_kib, client_up_kib, server_down_kib, client_down_kib;
  double p50[N_CHAT_KINDS], p99[N_CHAT_KINDS];
} Round;

static void
print_median (const char *key,
              Round      *rounds,
              guint       n,
              gsize       offset,
              const char *unit)
{
  g_autofree double *values = g_new (double, n);

  for (guint i = 0; i < n; i++)
    values[i] = *(double *) ((char *) &rounds[i] + offset);
  printf ("median %s %.2f %s\n", key, median (values, n), unit);
}

int
main (int argc, char *argv[])
{
  const char *path, *large;
  int n_rounds;
  guint chat_seconds;
  Round rounds[MAX_ROUNDS] = { 0 };
  gint64 size;
  const char *const server_args[] = { "--max-file-size", "4096", "--quota", "1048576", NULL };

  /* As the programs do: the client under test is the app's */
  sotto_frame_tune_memory ();
  if (argc == 9 && g_str_equal (argv[1], "--child"))
    return child_main (argv + 2);

  if (argc < 2)
    {
      g_printerr ("usage: %s FILE [LARGE_FILE|-] [ROUNDS (1-%d)] [CHAT_SECONDS]\n", argv[0],
                  MAX_ROUNDS);
      return 2;
    }
  path = argv[1];
  large = argc > 2 && !g_str_equal (argv[2], "-") ? argv[2] : NULL;
  n_rounds = argc > 3 ? atoi (argv[3]) : 3;
  chat_seconds = argc > 4 ? (guint) atoi (argv[4]) : 8;
  if (n_rounds < 1 || n_rounds > MAX_ROUNDS || chat_seconds < 1)
    {
      g_printerr ("usage: %s FILE [LARGE_FILE|-] [ROUNDS (1-%d)] [CHAT_SECONDS]\n", argv[0],
                  MAX_ROUNDS);
      return 2;
    }
  {
    g_autoptr(GFile) file = g_file_new_for_path (path);
    g_autoptr(GFileInfo) info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE,
                                                   G_FILE_QUERY_INFO_NONE, NULL, NULL);
    g_assert_nonnull (info);
    size = g_file_info_get_size (info);
  }

  for (int r = 0; r < n_rounds; r++)
    {
      Round *round = &rounds[r];
      g_autofree char *dir = sotto_test_make_data_dir ();
      SottoTestServer *server = sotto_test_server_start (NULL, server_args);
      GPid server_pid = sotto_test_server_get_pid (server);
      GPid self_pid = getpid ();
      g_autofree char *address = g_strdup_printf ("127.0.0.1:%u",
                                                  sotto_test_server_get_port (server));
      g_autofree char *saved = g_build_filename (dir, "saved", NULL);
      SottoClient *alice = sotto_test_user_new (dir, address, "alice", PASSWORD);
      SottoClient *bob = sotto_test_user_new (dir, address, "bob", PASSWORD);
      SottoClient *carol = sotto_test_user_new (dir, address, "carol", PASSWORD);
      SottoClient *dave = sotto_test_user_new (dir, address, "dave", PASSWORD);
      SottoRoom *alice_room = sotto_test_user_join (alice, ROOM);
      SottoRoom *bob_room = sotto_test_user_join (bob, ROOM);
      SottoRoom *carol_room = sotto_test_user_join (carol, ROOM);
      SottoMessage *message;
      Chat chat = { argv[0], dir, address, path, chat_seconds, carol, carol_room, bob, bob_room };

      sotto_test_user_join (dave, ROOM);
      sotto_test_user_wait_members (bob_room, 4);
      sotto_test_user_wait_members (alice_room, 4);
      sotto_test_user_wait_members (carol_room, 4);
      /* Sender keys in place before anything is timed: a first message
       * may wait for its key. Dave then speaks from the child process,
       * with his own store. */
      sotto_test_user_say (carol, carol_room, "hello from carol");
      sotto_test_user_say (dave, sotto_client_lookup_room (dave, ROOM), "hello from dave");
      sotto_test_user_wait_for_text (bob_room, "carol", "hello from carol");
      sotto_test_user_wait_for_text (bob_room, "dave", "hello from dave");
      sotto_test_iterate (100);
      sotto_client_close (dave);
      sotto_test_iterate (100);
      g_object_unref (dave);

      /* a. */
      message = round_trip (alice, alice_room, bob, bob_room, path, saved, &round->trip);
      printf ("round %d: %.0f MiB up in %.0f ms (%.1f MB/s; transfer part %.0f ms, %.1f MB/s), "
              "down in %.0f ms (%.1f MB/s; transfer part %.0f ms, %.1f MB/s)\n",
              r + 1, size / 1048576.0,
              round->trip.upload_ms, size / 1000.0 / round->trip.upload_ms,
              round->trip.upload_transfer_ms, size / 1000.0 / round->trip.upload_transfer_ms,
              round->trip.download_ms, size / 1000.0 / round->trip.download_ms,
              round->trip.download_transfer_ms, size / 1000.0 / round->trip.download_transfer_ms);
      fflush (stdout);

      /* c. */
      for (guint k = 0; k < N_CHAT_KINDS; k++)
        {
          g_autoptr(GArray) latencies = NULL;

          latencies = measure_chat (&chat, chat_kinds[k],
                                    g_str_equal (chat_kinds[k], "download") ? message : NULL);
          round->p50[k] = percentile (latencies, 0.5);
          round->p99[k] = percentile (latencies, 0.99);
          printf ("round %d: chat %-8s %3u pings: median %.2f ms, p99 %.2f ms, max %.2f ms\n",
                  r + 1, chat_kinds[k], latencies->len, round->p50[k], round->p99[k],
                  percentile (latencies, 1.0));
          fflush (stdout);
        }

      /* b. */
      if (large != NULL)
        {
          g_autoptr(GFile) file = g_file_new_for_path (large);
          g_autoptr(GFile) saved_file = g_file_new_for_path (saved);
          g_autofree char *name = g_file_get_basename (file);
          g_autoptr(SottoTransfer) upload = NULL;
          g_autoptr(SottoTransfer) download = NULL;
          gint64 server_before, client_before;

          server_before = status_kib (server_pid, "VmRSS:");
          client_before = status_kib (self_pid, "VmRSS:");
          reset_peak (server_pid);
          reset_peak (self_pid);
          upload = sotto_client_send_file (alice, alice_room, file);
          wait_until (finished, upload, "the large upload");
          assert_done (upload);
          round->server_up_kib = status_kib (server_pid, "VmHWM:") - server_before;
          round->client_up_kib = status_kib (self_pid, "VmHWM:") - client_before;

          message = sotto_test_user_wait_for_text (bob_room, "alice", name);
          server_before = status_kib (server_pid, "VmRSS:");
          client_before = status_kib (self_pid, "VmRSS:");
          reset_peak (server_pid);
          reset_peak (self_pid);
          download = sotto_client_fetch_file (bob, message, saved_file);
          wait_until (finished, download, "the large download");
          assert_done (download);
          round->server_down_kib = status_kib (server_pid, "VmHWM:") - server_before;
          round->client_down_kib = status_kib (self_pid, "VmHWM:") - client_before;
          g_file_delete (saved_file, NULL, NULL);
          printf ("round %d: large file: memory growth, upload: server %.1f MiB, client %.1f "
                  "MiB; download: server %.1f MiB, client %.1f MiB\n", r + 1,
                  round->server_up_kib / 1024, round->client_up_kib / 1024,
                  round->server_down_kib / 1024, round->client_down_kib / 1024);
          fflush (stdout);
        }

      sotto_client_close (carol);
      sotto_client_close (bob);
      sotto_client_close (alice);
      sotto_test_iterate (100);
      g_object_unref (carol);
      g_object_unref (bob);
      g_object_unref (alice);
      sotto_test_server_free (server);
      sotto_test_remove_dir (dir);
    }

  printf ("file %" G_GINT64_FORMAT " bytes, %d rounds\n", size, n_rounds);
  print_median ("upload_ms", rounds, n_rounds, G_STRUCT_OFFSET (Round, trip.upload_ms), "ms");
  print_median ("upload_transfer_ms", rounds, n_rounds,
                G_STRUCT_OFFSET (Round, trip.upload_transfer_ms), "ms");
  print_median ("download_ms", rounds, n_rounds, G_STRUCT_OFFSET (Round, trip.download_ms), "ms");
  print_median ("download_transfer_ms", rounds, n_rounds,
                G_STRUCT_OFFSET (Round, trip.download_transfer_ms), "ms");
  for (guint k = 0; k < N_CHAT_KINDS; k++)
    {
      g_autofree char *p50 = g_strdup_printf ("chat_%s_p50", chat_kinds[k]);
      g_autofree char *p99 = g_strdup_printf ("chat_%s_p99", chat_kinds[k]);

      print_median (p50, rounds, n_rounds, G_STRUCT_OFFSET (Round, p50) + k * sizeof (double),
                    "ms");
      print_median (p99, rounds, n_rounds, G_STRUCT_OFFSET (Round, p99) + k * sizeof (double),
                    "ms");
    }
  if (large != NULL)
    {
      print_median ("server_upload_growth_kib", rounds, n_rounds,
                    G_STRUCT_OFFSET (Round, server_up_kib), "KiB");
      print_median ("client_upload_growth_kib", rounds, n_rounds,
                    G_STRUCT_OFFSET (Round, client_up_kib), "KiB");
      print_median ("server_download_growth_kib", rounds, n_rounds,
                    G_STRUCT_OFFSET (Round, server_down_kib), "KiB");
      print_median ("client_download_growth_kib", rounds, n_rounds,
                    G_STRUCT_OFFSET (Round, client_down_kib), "KiB");
    }
  return 0;
}
