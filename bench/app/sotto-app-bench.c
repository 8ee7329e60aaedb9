/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <signal.h>
#include <sodium.h>
#include <sys/prctl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sotto-application.h"
#include "sotto-client-store.h"
#include "sotto-resources.h"
#include "sotto-room-view.h"
#include "sotto-test-users.h"
#include "sotto-ui-test.h"
#include "sotto-window.h"

/*
 * The desktop app's three figures: launch to first frame, opening a room
 * that holds 100,000 messages and scrolling from its end to its start, and
 * the resident memory with all of them loaded. Each is a median over
 * rounds, beside a peer measured in the same run: a bare libadwaita window
 * for the first frame, and a plain GtkListView of 100,000 labels for the
 * scroll. Run it through bench/app-quick, under Xvfb.
 */

#define PASSWORD "correct horse battery"
#define ROOM "big"

static gint64
now_us (void)
{
  return g_get_monotonic_time ();
}

/* Painting */

static void
after_paint_cb (GdkFrameClock *clock,
                gpointer       user_data)
{
  (*(guint *) user_data)++;
}

static gboolean
frames_reached (gpointer data)
{
  guint *counts = data;

  return counts[0] >= counts[1];
}

/* Runs the loop until @window has painted one more frame. */
static void
wait_for_paint (GtkWidget *window)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (window);
  guint counts[2] = { 0, 1 };
  gulong id = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), counts);

  gtk_widget_queue_draw (window);
  if (!sotto_ui_wait_until (frames_reached, counts, 30))
    g_error ("No frame painted in 30 s");
  g_signal_handler_disconnect (clock, id);
}

static gsize
resident_kib (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return 0;
  line = strstr (status, "VmRSS:");
  return line != NULL ? (gsize) g_ascii_strtoull (line + 6, NULL, 10) : 0;
}

/* Launch to first frame: a child process each round, timed from just
 * before it is spawned to its first painted frame. */

static void
first_frame_cb (GdkFrameClock *clock,
                gpointer       user_data)
{
  gint64 started = *(gint64 *) user_data;

  printf ("%.3f\n", (now_us () - started) / 1000.0);
  fflush (stdout);
  exit (0);
}

static void
watch_first_frame (GtkWidget *window,
                   gint64    *started)
{
  gtk_widget_realize (window);
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint",
                    G_CALLBACK (first_frame_cb), started);
}

static gint64 child_started;

static void
child_activate_cb (GApplication *app,
                   gpointer      user_data)
{
  const char *mode = user_data;
  GtkWidget *window;

  if (g_strcmp0 (mode, "sotto") == 0)
    window = GTK_WIDGET (sotto_window_new (GTK_APPLICATION (app)));
  else
    {
      window = adw_application_window_new (GTK_APPLICATION (app));
      adw_application_window_set_content (ADW_APPLICATION_WINDOW (window),
                                          adw_status_page_new ());
      gtk_window_set_default_size (GTK_WINDOW (window), 960, 680);
    }
  watch_first_frame (window, &child_started);
  gtk_window_present (GTK_WINDOW (window));
}

static int
run_first_frame_child (const char *mode,
                       gint64      started)
{
  g_autoptr(GApplication) app = NULL;
  char *argv[] = { (char *) "sotto-app-bench", NULL };

  child_started = started;
  sotto_register_resource ();
  if (g_strcmp0 (mode, "sotto") == 0)
    app = G_APPLICATION (sotto_application_new ());
  else
    app = G_APPLICATION (adw_application_new ("io.github.sottochat.SottoBenchPeer",
                                              G_APPLICATION_DEFAULT_FLAGS));
  g_application_set_flags (app, G_APPLICATION_NON_UNIQUE);
  g_signal_connect (app, "activate", G_CALLBACK (child_activate_cb), (gpointer) mode);
  return g_application_run (app, 1, argv);
}

static double
time_first_frame (const char *self_path,
                  const char *mode)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *started = g_strdup_printf ("%" G_GINT64_FORMAT, now_us ());
  const char *argv[] = { self_path, "--first-frame", mode, "--started", started, NULL };
  g_autofree char *out = NULL;
  int status;

  started = g_strdup_printf ("%" G_GINT64_FORMAT, now_us ());
  argv[4] = started;
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL,
                     &status, &error) || !g_spawn_check_wait_status (status, &error))
    g_error ("first-frame child failed: %s", error->message);
  return g_ascii_strtod (out, NULL);
}

/* The 100,000-message room */

/* Registers "reader" through the client core, with the room joined, then
 * fills its local history with @count messages, as years of a busy room
 * would. */
static void
make_history (const char *data_dir,
              const char *address,
              guint       count)
{
  g_autoptr(SottoClient) client = sotto_test_user_new (data_dir, address, "reader", PASSWORD);
  g_autoptr(SottoClientStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = sotto_test_user_store_path (data_dir, address, "reader", "reader");
  gint64 started = now_us ();
  gint64 first_ts = g_get_real_time () / 1000 - (gint64) count * 60000;

  sotto_test_user_join (client, ROOM);
  sotto_client_close (client);
  g_clear_object (&client);

  store = sotto_test_user_open_store (path, PASSWORD);

  for (guint i = 0; i < count; i++)
    {
      g_autofree char *text = g_strdup_printf ("Message %u of the big room: a line of ordinary "
                                               "length, as people write them.", i + 1);
      g_autoptr(GBytes) body = g_bytes_new (text, strlen (text));
      g_autofree char *msg_id = g_strdup_printf ("b%08u", i);
      const char *sender = (i / 3) % 2 == 0 ? "writer" : "other";

      /* Past the server's own numbers, so that no catch-up touches them. */
      if (!sotto_client_store_add_message (store, ROOM, sender, msg_id, 1000 + i,
                                           first_ts + (gint64) i * 60000,
                                           SOTTO_STORED_MESSAGE_RECEIVED, body, NULL, &error))
        g_error ("add message %u: %s", i, error->message);
    }
  if (!sotto_client_store_set_last_seq (store, ROOM, 1000 + count - 1, &error))
    g_error ("last seq: %s", error->message);

  g_printerr ("history of %u messages written in %.1f s\n", count, (now_us () - started) / 1e6);
}

typedef struct
{
  double open_ms;
  double scroll_ms;
  guint  frames;
  double frame_p50;
  double frame_p95;
  gsize  rss_kib;
} RoomFigures;

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
percentile (GArray *values,
            double  fraction)
{
  if (values->len == 0)
    return 0;
  g_array_sort (values, compare_doubles);
  return g_array_index (values, double, MIN ((guint) (values->len * fraction), values->len - 1));
}

static gboolean
logged_in (gpointer data)
{
  SottoWindow *window = data;
  SottoClient *client = sotto_window_get_client (window);

  return client != NULL && sotto_client_get_state (client) == SOTTO_CLIENT_ONLINE;
}

static AdwMessageDialog *
find_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) toplevel = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (toplevel) && gtk_widget_get_visible (GTK_WIDGET (toplevel)))
        return ADW_MESSAGE_DIALOG (toplevel);
    }
  return NULL;
}

static gboolean
logged_in_or_asked (gpointer data)
{
  return logged_in (data) || find_dialog () != NULL;
}

/* Scrolls up by a few screens a frame, as a quick flick of the wheel or a
 * drag of the scrollbar does, until the first message is in view; older
 * pages come in as the top is reached. The peer list is scrolled the same
 * way. Returns the frame times, in ms. */
#define SCREENS_PER_FRAME 3.0

static GArray *
scroll_up (GtkWidget     *window,
           GtkAdjustment *adj,
           SottoRoom     *room)
{
  GArray *times = g_array_new (FALSE, FALSE, sizeof (double));

  for (;;)
    {
      double value = gtk_adjustment_get_value (adj);
      gint64 t0 = now_us ();
      double ms;

      if (value <= 0.0 && (room == NULL || sotto_room_get_history_complete (room)))
        break;
      gtk_adjustment_set_value (adj, MAX (0.0, value - SCREENS_PER_FRAME *
                                          gtk_adjustment_get_page_size (adj)));
      wait_for_paint (window);
      ms = (now_us () - t0) / 1000.0;
      g_array_append_val (times, ms);
      if (times->len > 200000)
        g_error ("Scrolling did not reach the start");
    }
  return times;
}

static RoomFigures
time_big_room (SottoApplication *app,
               const char       *address,
               guint             count)
{
  SottoWindow *window = sotto_window_new (GTK_APPLICATION (app));
  SottoLoginView *login = sotto_window_get_login_view (window);
  SottoRoomView *view = sotto_window_get_room_view (window);
  RoomFigures figures = { 0 };
  SottoRoom *room;
  gint64 started;
  g_autoptr(GArray) times = NULL;

  gtk_window_set_default_size (GTK_WINDOW (window), 960, 680);
  gtk_window_present (GTK_WINDOW (window));
  wait_for_paint (GTK_WIDGET (window));

  /* The account is made already: a first run would offer to make one. */
  sotto_login_view_set_creating (login, FALSE);
  sotto_login_view_fill (login, address, "reader", PASSWORD);
  sotto_login_view_submit (login);
  /* A first login from this data folder asks to trust the server. */
  if (!sotto_ui_wait_until (logged_in_or_asked, window, 60))
    g_error ("login did not finish: %s (busy %d)", sotto_login_view_get_error (login),
             sotto_login_view_get_busy (login));
  if (find_dialog () != NULL)
    adw_message_dialog_response (find_dialog (), "trust");
  sotto_ui_wait_until (logged_in, window, 60);
  if (!logged_in (window))
    g_error ("login failed: %s (busy %d, client state %d)", sotto_login_view_get_error (login),
             sotto_login_view_get_busy (login),
             sotto_window_get_client (window) != NULL
             ? (int) sotto_client_get_state (sotto_window_get_client (window)) : -1);
  wait_for_paint (GTK_WIDGET (window));

  started = now_us ();
  if (!sotto_window_open_room (window, ROOM))
    g_error ("no room %s", ROOM);
  wait_for_paint (GTK_WIDGET (window));
  figures.open_ms = (now_us () - started) / 1000.0;

  room = sotto_window_get_room (window);
  started = now_us ();
  times = scroll_up (GTK_WIDGET (window),
                     gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (
                       sotto_room_view_get_message_list (view))), room);
  figures.scroll_ms = (now_us () - started) / 1000.0;
  figures.frames = times->len;
  figures.frame_p50 = percentile (times, 0.5);
  figures.frame_p95 = percentile (times, 0.95);
  if (g_list_model_get_n_items (sotto_room_get_messages (room)) < count)
    g_error ("only %u of %u messages shown",
             g_list_model_get_n_items (sotto_room_get_messages (room)), count);
  figures.rss_kib = resident_kib ();

  gtk_window_destroy (GTK_WINDOW (window));
  for (int i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
  return figures;
}

/* The peer: a plain GtkListView over 100,000 strings, scrolled the same
 * way (all items there from the start). */
static void
setup_label_cb (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_list_item_set_child (item, label);
}

static void
bind_label_cb (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer data)
{
  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)),
                      gtk_string_object_get_string (gtk_list_item_get_item (item)));
}

static RoomFigures
time_plain_list (guint count)
{
  GtkStringList *strings = gtk_string_list_new (NULL);
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkWidget *window = gtk_window_new ();
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *list;
  GtkAdjustment *adj;
  RoomFigures figures = { 0 };
  gint64 started;
  g_autoptr(GArray) times = NULL;

  for (guint i = 0; i < count; i++)
    {
      g_autofree char *text = g_strdup_printf ("Message %u of the big room: a line of ordinary "
                                               "length, as people write them.", i + 1);

      gtk_string_list_append (strings, text);
    }
  g_signal_connect (factory, "setup", G_CALLBACK (setup_label_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_label_cb), NULL);
  list = gtk_list_view_new (GTK_SELECTION_MODEL (gtk_no_selection_new (G_LIST_MODEL (strings))),
                            factory);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), list);
  gtk_window_set_child (GTK_WINDOW (window), scroller);
  gtk_window_set_default_size (GTK_WINDOW (window), 960, 680);

  started = now_us ();
  gtk_window_present (GTK_WINDOW (window));
  gtk_widget_activate_action (list, "list.scroll-to-item", "u", count - 1);
  wait_for_paint (window);
  figures.open_ms = (now_us () - started) / 1000.0;

  /* Down to the end, as the room view opens there. */
  adj = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (list));
  for (int i = 0; i < 10; i++)
    {
      gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj) -
                                gtk_adjustment_get_page_size (adj));
      wait_for_paint (window);
    }
  started = now_us ();
  times = scroll_up (window, adj, NULL);
  figures.scroll_ms = (now_us () - started) / 1000.0;
  figures.frames = times->len;
  figures.frame_p50 = percentile (times, 0.5);
  figures.frame_p95 = percentile (times, 0.95);
  figures.rss_kib = resident_kib ();

  gtk_window_destroy (GTK_WINDOW (window));
  return figures;
}

static double
median (GArray *values)
{
  g_array_sort (values, compare_doubles);
  return g_array_index (values, double, values->len / 2);
}

static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static GSubprocess *
start_server (const char  *server_path,
              const char  *data_dir,
              char       **address)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  GSubprocess *server;
  const char *argv[] = { server_path, "--listen", "127.0.0.1:0", "--data-dir", data_dir,
                         "--pwhash-ops", "1", NULL };
  char *line;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  /* The server goes with the bench, however the bench ends. */
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  server = g_subprocess_launcher_spawnv (launcher, argv, &error);
  if (server == NULL)
    g_error ("server: %s", error->message);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server));
  while ((line = g_data_input_stream_read_line (out, NULL, NULL, &error)) != NULL)
    {
      if (g_str_has_prefix (line, "listening on "))
        {
          *address = g_strdup (line + strlen ("listening on "));
          g_free (line);
          return server;
        }
      g_free (line);
    }
  g_error ("The server did not say where it listens");
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *first_frame = NULL;
  g_autofree char *server_path = NULL;
  gint64 started = 0;
  int rounds = 5;
  int messages = 100000;
  GOptionEntry entries[] = {
    { "first-frame", 0, 0, G_OPTION_ARG_STRING, &first_frame, "Child mode: sotto or peer", "MODE" },
    { "started", 0, 0, G_OPTION_ARG_INT64, &started, "Child mode: when the parent spawned it", "US" },
    { "server", 0, 0, G_OPTION_ARG_FILENAME, &server_path, "The sotto-server to run", "PATH" },
    { "rounds", 0, 0, G_OPTION_ARG_INT, &rounds, "Rounds of each measurement (5)", "N" },
    { "messages", 0, 0, G_OPTION_ARG_INT, &messages, "Messages in the big room (100000)", "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) sotto_frames = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) peer_frames = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) opens = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) scrolls = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) rss = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) peer_scrolls = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) p50s = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) p95s = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) peer_p50s = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) peer_p95s = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(SottoApplication) app = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *server_dir = NULL;
  g_autofree char *client_dir = NULL;
  g_autofree char *reader_dir = NULL;
  g_autofree char *address = NULL;
  g_autofree char *self_path = NULL;
  double sotto_ms, peer_ms;
  guint frames = 0;
  guint peer_frames_count = 0;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (sodium_init () < 0)
    return 1;

  if (first_frame != NULL)
    return run_first_frame_child (first_frame, started);

  if (server_path == NULL)
    {
      g_printerr ("--server is needed\n");
      return 2;
    }

  self_path = g_file_read_link ("/proc/self/exe", NULL);
  for (int i = 0; i < rounds; i++)
    {
      double sotto_round = time_first_frame (self_path, "sotto");
      double peer_round = time_first_frame (self_path, "peer");

      g_array_append_val (sotto_frames, sotto_round);
      g_array_append_val (peer_frames, peer_round);
    }

  gtk_init ();
  adw_init ();
  sotto_register_resource ();

  dir = g_dir_make_tmp ("sotto-app-bench-XXXXXX", &error);
  g_assert_no_error (error);
  server_dir = g_build_filename (dir, "server", NULL);
  client_dir = g_build_filename (dir, "client", NULL);
  server = start_server (server_path, server_dir, &address);
  make_history (client_dir, address, messages);

  app = sotto_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  if (!g_application_register (G_APPLICATION (app), NULL, &error))
    g_error ("%s", error->message);
  reader_dir = g_build_filename (client_dir, "reader", NULL);
  sotto_application_set_data_dir (app, reader_dir);
  sotto_application_set_pwhash_limits (app, crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN);

  for (int i = 0; i < rounds; i++)
    {
      RoomFigures room = time_big_room (app, address, messages);
      RoomFigures plain = time_plain_list (messages);
      double kib = room.rss_kib;

      g_array_append_val (opens, room.open_ms);
      g_array_append_val (scrolls, room.scroll_ms);
      g_array_append_val (rss, kib);
      g_array_append_val (peer_scrolls, plain.scroll_ms);
      g_array_append_val (p50s, room.frame_p50);
      g_array_append_val (p95s, room.frame_p95);
      g_array_append_val (peer_p50s, plain.frame_p50);
      g_array_append_val (peer_p95s, plain.frame_p95);
      frames = room.frames;
      peer_frames_count = plain.frames;
      g_printerr ("round %d: open %.1f ms, scroll %.1f s in %u frames (frame p50 %.1f ms, "
                  "p95 %.1f ms), %.1f MB; peer scroll %.1f s, frame p50 %.1f ms\n",
                  i + 1, room.open_ms, room.scroll_ms / 1000.0, room.frames, room.frame_p50,
                  room.frame_p95, room.rss_kib / 1024.0, plain.scroll_ms / 1000.0,
                  plain.frame_p50);
    }

  sotto_ms = median (sotto_frames);
  peer_ms = median (peer_frames);
  printf ("Medians of %d rounds; %d messages in the big room.\n\n", rounds, messages);
  printf ("%-44s %12s %12s %8s\n", "", "sotto", "peer", "ratio");
  printf ("%-44s %9.1f ms %9.1f ms %7.2fx\n", "launch to first frame", sotto_ms, peer_ms,
          sotto_ms / peer_ms);
  printf ("%-44s %9.1f ms\n", "open the room (to its first frame)", median (opens));
  printf ("%-44s %9.1f ms %9.1f ms %7.2fx\n", "scroll the room from end to start",
          median (scrolls), median (peer_scrolls), median (scrolls) / median (peer_scrolls));
  printf ("%-44s %12u %12u\n", "frames painted while scrolling", frames, peer_frames_count);
  printf ("%-44s %9.1f ms %9.1f ms %7.2fx\n", "time per frame while scrolling, median",
          median (p50s), median (peer_p50s), median (p50s) / median (peer_p50s));
  printf ("%-44s %9.1f ms %9.1f ms %7.2fx\n", "time per frame while scrolling, p95",
          median (p95s), median (peer_p95s), median (p95s) / median (peer_p95s));
  printf ("%-44s %9.1f MB\n", "resident memory, whole history loaded", median (rss) / 1024.0);
  printf ("\npeer: a bare libadwaita window (first frame); a plain GtkListView of as many\n"
          "labels, all in memory from the start (scroll)\n");

  g_subprocess_send_signal (server, SIGTERM);
  g_subprocess_wait (server, NULL, NULL);
  {
    g_autofree char *quoted = g_shell_quote (dir);
    g_autofree char *command = g_strconcat ("rm -rf ", quoted, NULL);

    if (system (command) != 0)
      g_printerr ("could not remove %s\n", dir);
  }
  return 0;
}
