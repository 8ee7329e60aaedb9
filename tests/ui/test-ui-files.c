/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sodium.h>
#include <string.h>

#include "sotto-application.h"
#include "sotto-image.h"
#include "sotto-message-row.h"
#include "sotto-room-view.h"
#include "sotto-room-row.h"
#include "sotto-test-server.h"
#include "sotto-test-users.h"
#include "sotto-test-util.h"
#include "sotto-ui-test.h"
#include "sotto-window.h"

/*
 * File messages in the app, against a real sotto-server: a picture shows
 * its thumbnail (decoded from the message, off the main loop), other
 * files a card with their type, name and size. Bob is a client core in
 * this process. Screenshots in the light and the dark style.
 */

#define PASSWORD "correct horse battery"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
const char *__asan_default_options (void);

/* GTK loads the type icons in its threads, through GIO's MIME database,
 * which stays allocated for the process (lsan-ui.supp): a full unwind lets
 * LeakSanitizer see where that came from. */
const char *
__asan_default_options (void)
{
  return "fast_unwind_on_malloc=0";
}
#endif
#endif

static SottoApplication *the_app;

typedef struct
{
  SottoUiSetup      ui;
  SottoClient      *bob;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  sotto_ui_setup_start (&fixture->ui, the_app, 1000, 700);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  if (fixture->bob != NULL)
    sotto_client_close (fixture->bob);
  g_clear_object (&fixture->bob);
  sotto_ui_setup_finish (&fixture->ui);
}

/* A photo-like picture: a gradient with some pattern in it. */
static GdkPixbuf *
photo (int width,
       int height)
{
  GdkPixbuf *pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, width, height);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);
  guint8 *pixels = gdk_pixbuf_get_pixels (pixbuf);

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guint8 *p = pixels + y * stride + x * 3;
        int sky = y < height / 2;

        p[0] = (guint8) (sky ? 90 + y * 100 / height : 40 + (x * 60 / width));
        p[1] = (guint8) (sky ? 150 + y * 80 / height : 110 + ((x / 40 + y / 40) % 2) * 30);
        p[2] = (guint8) (sky ? 220 : 60);
      }
  return pixbuf;
}

static void
describe (SottoFileMessage *file,
          const char       *name,
          const char       *type,
          guint64           size)
{
  memset (file, 0, sizeof *file);
  randombytes_buf (file->id, sizeof file->id);
  randombytes_buf (file->key, sizeof file->key);
  randombytes_buf (file->hash, sizeof file->hash);
  file->size = size;
  file->name = g_strdup (name);
  file->type = g_strdup (type);
}

typedef struct
{
  SottoRoom  *room;
  const char *name;
} Wanted;

static SottoMessage *
find_file (SottoRoom  *room,
           const char *name)
{
  GListModel *messages = sotto_room_get_messages (room);

  for (guint i = 0; i < g_list_model_get_n_items (messages); i++)
    {
      g_autoptr(SottoMessage) message = g_list_model_get_item (messages, i);

      if (sotto_message_get_file (message) != NULL &&
          g_strcmp0 (sotto_message_get_file (message)->name, name) == 0)
        return message;
    }
  return NULL;
}

static gboolean
file_shown (gpointer data)
{
  Wanted *wanted = data;

  return find_file (wanted->room, wanted->name) != NULL;
}

static gboolean
thumbnail_decoded (gpointer data)
{
  Wanted *wanted = data;
  SottoMessage *message = find_file (wanted->room, wanted->name);

  return message != NULL && g_object_get_data (G_OBJECT (message),
                                               "sotto-thumbnail-texture") != NULL;
}

static void
test_show (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(GdkPixbuf) picture = photo (1600, 1200);
  g_auto(SottoFileMessage) image = { { 0 } };
  g_auto(SottoFileMessage) report = { { 0 } };
  g_autoptr(GError) error = NULL;
  SottoRoom *bob_room;
  SottoRoom *shown;
  Wanted wanted_image, wanted_report;
  GtkWidget *card_picture;

  sotto_ui_register (GTK_WINDOW (fixture->ui.window), fixture->ui.address, "alice", PASSWORD);
  fixture->bob = sotto_test_user_new (fixture->ui.dir, fixture->ui.address, "bob", PASSWORD);
  bob_room = sotto_test_user_join (fixture->bob, "general");
  sotto_test_user_wait_members (bob_room, 2);

  describe (&image, "Lake at dusk.jpg", "image/jpeg", 2457600);
  image.width = 1600;
  image.height = 1200;
  image.thumbnail = sotto_image_make_thumbnail (picture, 320, SOTTO_FILE_THUMBNAIL_MAX_BYTES,
                                                &error);
  g_assert_no_error (error);
  describe (&report, "Quarterly report – final version.pdf", "application/pdf", 1288490);

  sotto_test_user_say (fixture->bob, bob_room, "Two things from the trip:");
  g_assert_nonnull (sotto_client_send_file_message (fixture->bob, bob_room, &image, &error));
  g_assert_no_error (error);
  g_assert_nonnull (sotto_client_send_file_message (fixture->bob, bob_room, &report, &error));
  g_assert_no_error (error);

  shown = sotto_window_get_room (fixture->ui.window);
  g_assert_cmpstr (sotto_room_get_name (shown), ==, "general");
  wanted_image = (Wanted) { shown, image.name };
  wanted_report = (Wanted) { shown, report.name };
  g_assert_true (sotto_ui_wait_until (file_shown, &wanted_report, 30));
  g_assert_true (sotto_ui_wait_until (thumbnail_decoded, &wanted_image, 30));
  sotto_ui_settle (GTK_WIDGET (fixture->ui.window));

  /* The thumbnail is on the screen, at the picture's shape. */
  card_picture = sotto_ui_find_widget (GTK_WIDGET (fixture->ui.window), GTK_TYPE_PICTURE);
  g_assert_nonnull (card_picture);
  g_assert_nonnull (gtk_picture_get_paintable (GTK_PICTURE (card_picture)));
  g_assert_cmpint (gtk_widget_get_width (card_picture) * 3, ==,
                   gtk_widget_get_height (card_picture) * 4);

  /* The room's preview names the last file, once it reads. */
  {
    SottoRoomRow *row = SOTTO_ROOM_ROW (sotto_ui_find_widget (GTK_WIDGET (fixture->ui.window),
                                                              SOTTO_TYPE_ROOM_ROW));

    g_assert_cmpstr (sotto_room_row_get_preview (row), ==,
                     "bob: Quarterly report – final version.pdf");
  }

  g_free (sotto_ui_screenshot (GTK_WIDGET (fixture->ui.window), "file-messages"));
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_FORCE_DARK);
  sotto_ui_settle (GTK_WIDGET (fixture->ui.window));
  g_free (sotto_ui_screenshot (GTK_WIDGET (fixture->ui.window), "file-messages-dark"));
}

/* A thumbnail that is no picture (a member's doing): the card shows the
 * file without it. */
static void
test_bad_thumbnail (Fixture       *fixture,
                    gconstpointer  data)
{
  g_auto(SottoFileMessage) image = { { 0 } };
  g_autoptr(GError) error = NULL;
  SottoRoom *bob_room;
  SottoRoom *shown;
  Wanted wanted;

  sotto_ui_register (GTK_WINDOW (fixture->ui.window), fixture->ui.address, "alice", PASSWORD);
  fixture->bob = sotto_test_user_new (fixture->ui.dir, fixture->ui.address, "bob", PASSWORD);
  bob_room = sotto_test_user_join (fixture->bob, "general");
  sotto_test_user_wait_members (bob_room, 2);

  describe (&image, "not really.png", "image/png", 1000);
  image.width = 60000;
  image.height = 60000;
  image.thumbnail = g_bytes_new_static ("\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\xea\x60\0\0\xea\x60"
                                        "\x08\x02\0\0\0\0\0\0\0", 33);
  g_assert_nonnull (sotto_client_send_file_message (fixture->bob, bob_room, &image, &error));
  g_assert_no_error (error);

  shown = sotto_window_get_room (fixture->ui.window);
  wanted = (Wanted) { shown, image.name };
  g_assert_true (sotto_ui_wait_until (file_shown, &wanted, 30));
  sotto_test_iterate (300);
  sotto_ui_settle (GTK_WIDGET (fixture->ui.window));
  g_assert_null (g_object_get_data (G_OBJECT (find_file (shown, image.name)),
                                    "sotto-thumbnail-texture"));
  g_assert_false (gtk_widget_get_visible (sotto_ui_find_widget (GTK_WIDGET (fixture->ui.window),
                                                                GTK_TYPE_PICTURE)));
}

static GtkWidget *
find_css (GtkWidget  *root,
          const char *css_class)
{
  if (gtk_widget_has_css_class (root, css_class))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_css (child, css_class);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* A label shown under @root with @text */
static GtkWidget *
find_label (GtkWidget  *root,
            const char *text)
{
  if (GTK_IS_LABEL (root) && gtk_widget_get_visible (root) &&
      g_strcmp0 (gtk_label_get_text (GTK_LABEL (root)), text) == 0)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_label (child, text);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWindow *
find_viewer (void)
{
  GListModel *windows = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (windows); i++)
    {
      g_autoptr(GtkWidget) window = g_list_model_get_item (windows, i);

      if (gtk_widget_has_css_class (window, "image-viewer") && gtk_widget_get_visible (window))
        return GTK_WINDOW (window);
    }
  return NULL;
}

static gboolean
viewer_shown (gpointer data)
{
  return find_viewer () != NULL;
}

static gboolean
transfer_finished (gpointer data)
{
  return sotto_transfer_is_finished (data);
}

static gboolean
transfer_waiting (gpointer data)
{
  return sotto_transfer_get_state (data) == SOTTO_TRANSFER_WAITING;
}

static gboolean
transfer_moving (gpointer data)
{
  return sotto_transfer_get_state (data) == SOTTO_TRANSFER_RUNNING &&
         sotto_transfer_get_done (data) > 0;
}

static gboolean
dialog_shown (gpointer data)
{
  return sotto_ui_find_dialog (data) != NULL;
}

static GFile *
write_bytes (Fixture    *fixture,
             const char *name,
             const void *data,
             gsize       size)
{
  g_autofree char *path = g_build_filename (fixture->ui.dir, name, NULL);

  g_assert_true (g_file_set_contents (path, data, (gssize) size, NULL));
  return g_file_new_for_path (path);
}

static SottoMessage *
wait_for_file (SottoRoom  *room,
               const char *name)
{
  Wanted wanted = { room, name };

  g_assert_true (sotto_ui_wait_until (file_shown, &wanted, 30));
  return find_file (room, name);
}

static SottoTransfer *
bob_sends (Fixture    *fixture,
           SottoRoom  *bob_room,
           GFile      *file)
{
  SottoTransfer *transfer = sotto_client_send_file (fixture->bob, bob_room, file);

  g_assert_true (sotto_ui_wait_until (transfer_finished, transfer, 60));
  g_assert_cmpint (sotto_transfer_get_state (transfer), ==, SOTTO_TRANSFER_DONE);
  return transfer;
}

/* Bob sends a picture, a document and a script; alice's window shows the
 * picture in full on a click, saves the document where she says (the
 * same bytes), and will not open the script. */
static void
test_received (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GdkPixbuf) picture = photo (1600, 1200);
  g_autofree char *png = NULL;
  gsize png_size = 0;
  static const char notes[] = "Agenda\n\n1. The trip\n2. The budget\n";
  static const char script[] = "#!/bin/sh\necho hello\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) picture_file = NULL, notes_file = NULL, script_file = NULL;
  g_autoptr(SottoTransfer) sent_picture = NULL, sent_notes = NULL, sent_script = NULL;
  g_autoptr(SottoTransfer) saving = NULL;
  g_autofree char *saved_path = g_build_filename (fixture->ui.dir, "saved notes.txt", NULL);
  g_autoptr(GFile) saved = g_file_new_for_path (saved_path);
  g_autofree char *saved_data = NULL;
  SottoRoomView *view = sotto_window_get_room_view (fixture->ui.window);
  SottoRoom *bob_room, *shown;
  SottoMessage *image_message, *notes_message, *script_message;
  Wanted wanted;
  GtkWindow *viewer;
  GtkWidget *viewer_picture;
  AdwMessageDialog *dialog;

  sotto_ui_register (GTK_WINDOW (fixture->ui.window), fixture->ui.address, "alice", PASSWORD);
  fixture->bob = sotto_test_user_new (fixture->ui.dir, fixture->ui.address, "bob", PASSWORD);
  bob_room = sotto_test_user_join (fixture->bob, "general");
  sotto_test_user_wait_members (bob_room, 2);

  g_assert_true (gdk_pixbuf_save_to_buffer (picture, &png, &png_size, "png", &error, NULL));
  picture_file = write_bytes (fixture, "Lake at dusk.png", png, png_size);
  notes_file = write_bytes (fixture, "notes.txt", notes, sizeof notes - 1);
  script_file = write_bytes (fixture, "tidy-up.sh", script, sizeof script - 1);
  sent_picture = bob_sends (fixture, bob_room, picture_file);
  sent_notes = bob_sends (fixture, bob_room, notes_file);
  sent_script = bob_sends (fixture, bob_room, script_file);

  shown = sotto_window_get_room (fixture->ui.window);
  image_message = wait_for_file (shown, "Lake at dusk.png");
  notes_message = wait_for_file (shown, "notes.txt");
  script_message = wait_for_file (shown, "tidy-up.sh");
  wanted = (Wanted) { shown, "Lake at dusk.png" };
  g_assert_true (sotto_ui_wait_until (thumbnail_decoded, &wanted, 30));
  sotto_room_view_scroll_to_bottom (view);
  sotto_ui_settle (GTK_WIDGET (fixture->ui.window));
  g_free (sotto_ui_screenshot (GTK_WIDGET (fixture->ui.window), "file-received"));

  /* A click on the picture: fetched, decoded, shown at its full size. */
  g_signal_emit_by_name (sotto_ui_find_message_row (GTK_WIDGET (fixture->ui.window), image_message), "file-action",
                         image_message, SOTTO_FILE_ACTION_VIEW);
  g_assert_true (sotto_ui_wait_until (viewer_shown, NULL, 60));
  viewer = find_viewer ();
  viewer_picture = sotto_ui_find_widget (GTK_WIDGET (viewer), GTK_TYPE_PICTURE);
  g_assert_cmpint (gdk_paintable_get_intrinsic_width (
                     gtk_picture_get_paintable (GTK_PICTURE (viewer_picture))), ==, 1600);
  g_assert_cmpint (gdk_paintable_get_intrinsic_height (
                     gtk_picture_get_paintable (GTK_PICTURE (viewer_picture))), ==, 1200);
  sotto_ui_settle (GTK_WIDGET (viewer));
  g_free (sotto_ui_screenshot (GTK_WIDGET (viewer), "file-viewer"));
  gtk_window_destroy (viewer);
  /* Shown, not kept: nothing of it is left on the disk. */
  g_assert_cmpint (sotto_transfer_get_state (sotto_message_get_transfer (image_message)), ==,
                   SOTTO_TRANSFER_DONE);

  /* Saved where alice chose: the bytes bob sent. */
  saving = sotto_room_view_save_file (view, notes_message, saved);
  g_assert_true (sotto_ui_wait_until (transfer_finished, saving, 60));
  g_assert_cmpint (sotto_transfer_get_state (saving), ==, SOTTO_TRANSFER_DONE);
  g_assert_true (g_file_get_contents (saved_path, &saved_data, NULL, NULL));
  g_assert_cmpstr (saved_data, ==, notes);

  /* The server changes a byte of the minutes: nothing is saved, and the
   * card says why. */
  {
    g_autoptr(GFile) minutes_file = write_bytes (fixture, "minutes.txt", notes, sizeof notes - 1);
    g_autoptr(SottoTransfer) sent_minutes = NULL;
    g_autofree char *changed_path = g_build_filename (fixture->ui.dir, "saved minutes.txt", NULL);
    g_autoptr(GFile) changed = g_file_new_for_path (changed_path);
    g_autoptr(SottoTransfer) failing = NULL;
    SottoMessage *minutes;
    GString *hex = g_string_new (NULL);
    g_autofree char *blob = NULL;
    g_autofree char *blob_data = NULL;
    gsize blob_size = 0;
    GtkWidget *card;

    sent_minutes = bob_sends (fixture, bob_room, minutes_file);
    minutes = wait_for_file (shown, "minutes.txt");
    for (guint i = 0; i < SOTTO_FILE_ID_BYTES; i++)
      g_string_append_printf (hex, "%02x", sotto_message_get_file (minutes)->id[i]);
    blob = g_build_filename (sotto_test_server_get_data_dir (fixture->ui.server), "blobs", hex->str,
                             NULL);
    g_string_free (hex, TRUE);
    g_assert_true (g_file_get_contents (blob, &blob_data, &blob_size, NULL));
    blob_data[blob_size - 5] ^= 0x01;
    g_assert_true (g_file_set_contents (blob, blob_data, (gssize) blob_size, NULL));

    failing = sotto_room_view_save_file (view, minutes, changed);
    g_assert_true (sotto_ui_wait_until (transfer_finished, failing, 60));
    g_assert_cmpint (sotto_transfer_get_state (failing), ==, SOTTO_TRANSFER_FAILED);
    g_assert_false (g_file_query_exists (changed, NULL));
    sotto_room_view_scroll_to_bottom (view);
    sotto_ui_settle (GTK_WIDGET (fixture->ui.window));
    card = GTK_WIDGET (sotto_ui_find_message_row (GTK_WIDGET (fixture->ui.window), minutes));
    g_assert_nonnull (card);
    g_assert_nonnull (find_label (card, sotto_transfer_get_error (failing)));
    g_free (sotto_ui_screenshot (GTK_WIDGET (fixture->ui.window), "file-changed"));
  }

  /* The script is never opened: a dialog says why, and offers to save. */
  gtk_widget_activate_action (GTK_WIDGET (sotto_ui_find_message_row (GTK_WIDGET (fixture->ui.window),
                                                    script_message)),
                              "file.open", NULL);
  g_assert_true (sotto_ui_wait_until (dialog_shown, "This File Could Be a Program", 10));
  dialog = sotto_ui_find_dialog ("This File Could Be a Program");
  sotto_ui_settle (GTK_WIDGET (dialog));
  g_free (sotto_ui_screenshot (GTK_WIDGET (dialog), "file-program"));
  sotto_ui_click_response (dialog, "_Cancel");
  g_assert_null (sotto_message_get_transfer (script_message));

  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_FORCE_DARK);
  sotto_room_view_scroll_to_bottom (view);
  sotto_ui_settle (GTK_WIDGET (fixture->ui.window));
  g_free (sotto_ui_screenshot (GTK_WIDGET (fixture->ui.window), "file-received-dark"));
}

/* Alice sends a large file from the window: its progress shows above the
 * composer; the server goes away and comes back, and the upload goes on
 * from where it was to bob. */
static void
test_send (Fixture       *fixture,
           gconstpointer  data)
{
  const gsize size = 48 * 1024 * 1024;
  g_autofree guint8 *contents = g_malloc (size);
  g_autoptr(GFile) file = NULL;
  g_autoptr(SottoTransfer) upload = NULL;
  SottoRoomView *view = sotto_window_get_room_view (fixture->ui.window);
  SottoRoom *bob_room;
  SottoMessage *message;
  g_autoptr(GtkWidget) row = NULL;

  sotto_ui_register (GTK_WINDOW (fixture->ui.window), fixture->ui.address, "alice", PASSWORD);
  fixture->bob = sotto_test_user_new (fixture->ui.dir, fixture->ui.address, "bob", PASSWORD);
  bob_room = sotto_test_user_join (fixture->bob, "general");
  sotto_test_user_wait_members (bob_room, 2);

  randombytes_buf (contents, size);
  file = write_bytes (fixture, "Holiday video.mp4", contents, size);
  upload = sotto_room_view_send_file (view, file);
  g_assert_nonnull (upload);
  g_assert_true (sotto_ui_wait_until (transfer_moving, upload, 60));
  sotto_test_server_stop (fixture->ui.server);
  g_assert_true (sotto_ui_wait_until (transfer_waiting, upload, 30));

  row = g_object_ref (find_css (GTK_WIDGET (fixture->ui.window), "upload"));
  g_assert_true (gtk_widget_get_visible (gtk_widget_get_parent (row)));
  g_assert_nonnull (sotto_ui_find_widget (row, GTK_TYPE_PROGRESS_BAR));
  sotto_ui_settle (GTK_WIDGET (fixture->ui.window));
  g_free (sotto_ui_screenshot (GTK_WIDGET (fixture->ui.window), "file-sending"));

  sotto_test_server_restart (fixture->ui.server);
  g_assert_true (sotto_ui_wait_until (transfer_finished, upload, 120));
  g_assert_cmpint (sotto_transfer_get_state (upload), ==, SOTTO_TRANSFER_DONE);
  message = sotto_test_user_wait_for_text (bob_room, "alice", "Holiday video.mp4");
  g_assert_nonnull (sotto_message_get_file (message));
  g_assert_cmpuint (sotto_message_get_file (message)->size, ==, size);
  /* Done: the row is gone, the message is in the room. */
  g_assert_null (gtk_widget_get_parent (row));
}

static gboolean
room_has_pasted_picture (gpointer data)
{
  GListModel *messages = sotto_room_get_messages (data);

  for (guint i = 0; i < g_list_model_get_n_items (messages); i++)
    {
      g_autoptr(SottoMessage) message = g_list_model_get_item (messages, i);
      const SottoFileMessage *file = sotto_message_get_file (message);

      if (file != NULL && g_str_has_prefix (file->name, "Pasted picture ") &&
          g_str_has_suffix (file->name, ".png"))
        return TRUE;
    }
  return FALSE;
}

static gboolean
no_upload_row (gpointer data)
{
  return find_css (data, "upload") == NULL;
}

/* A picture copied elsewhere and pasted into the composer is sent as a
 * PNG, with its thumbnail and size; the copy made to send it is gone
 * afterwards, and nothing is typed into the composer. */
static void
test_paste (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(GdkPixbuf) picture = photo (640, 480);
  g_autoptr(GdkTexture) texture = gdk_texture_new_for_pixbuf (picture);
  SottoRoomView *view = sotto_window_get_room_view (fixture->ui.window);
  g_autofree char *pasted_dir = g_build_filename (g_get_user_runtime_dir (), "sotto", "pasted",
                                                  NULL);
  g_autofree char *draft = NULL;
  GtkWidget *composer;
  SottoRoom *bob_room;
  GListModel *messages;
  const SottoFileMessage *file = NULL;

  sotto_ui_register (GTK_WINDOW (fixture->ui.window), fixture->ui.address, "alice", PASSWORD);
  fixture->bob = sotto_test_user_new (fixture->ui.dir, fixture->ui.address, "bob", PASSWORD);
  bob_room = sotto_test_user_join (fixture->bob, "general");
  sotto_test_user_wait_members (bob_room, 2);

  gdk_clipboard_set_texture (gtk_widget_get_clipboard (GTK_WIDGET (fixture->ui.window)), texture);
  composer = sotto_ui_find_widget (GTK_WIDGET (view), GTK_TYPE_TEXT_VIEW);
  gtk_widget_grab_focus (composer);
  g_signal_emit_by_name (composer, "paste-clipboard");

  g_assert_true (sotto_ui_wait_until (room_has_pasted_picture, bob_room, 60));
  messages = sotto_room_get_messages (bob_room);
  for (guint i = 0; i < g_list_model_get_n_items (messages); i++)
    {
      g_autoptr(SottoMessage) message = g_list_model_get_item (messages, i);

      if (sotto_message_get_file (message) != NULL)
        file = sotto_message_get_file (message);
    }
  g_assert_nonnull (file);
  g_assert_cmpstr (file->type, ==, "image/png");
  g_assert_cmpuint (file->width, ==, 640);
  g_assert_cmpuint (file->height, ==, 480);
  g_assert_nonnull (file->thumbnail);

  g_assert_true (sotto_ui_wait_until (no_upload_row, fixture->ui.window, 30));
  draft = sotto_room_view_dup_draft (view);
  g_assert_cmpstr (draft, ==, "");
  g_assert_false (g_file_test (pasted_dir, G_FILE_TEST_IS_DIR) &&
                  sotto_test_dir_has_suffix (pasted_dir, ".png"));
}

typedef struct
{
  SottoRoom  *room;
  const char *first;
  const char *second;
} Both;

static gboolean
both_shown (gpointer data)
{
  Both *both = data;

  return find_file (both->room, both->first) != NULL &&
         find_file (both->room, both->second) != NULL;
}

/* Two files dropped on the room (as a file manager drops them) are both
 * sent. */
static void
test_drop (Fixture       *fixture,
           gconstpointer  data)
{
  static const char agenda[] = "1. Budget\n2. Trip\n";
  static const char minutes[] = "Nothing to report.\n";
  SottoRoomView *view = sotto_window_get_room_view (fixture->ui.window);
  g_autoptr(GListModel) controllers = NULL;
  GtkDropTarget *target = NULL;
  g_autoptr(GFile) first = NULL, second = NULL;
  GSList *files = NULL;
  GValue value = G_VALUE_INIT;
  gboolean taken = FALSE;
  SottoRoom *bob_room;
  Both both;

  sotto_ui_register (GTK_WINDOW (fixture->ui.window), fixture->ui.address, "alice", PASSWORD);
  fixture->bob = sotto_test_user_new (fixture->ui.dir, fixture->ui.address, "bob", PASSWORD);
  bob_room = sotto_test_user_join (fixture->bob, "general");
  sotto_test_user_wait_members (bob_room, 2);

  controllers = gtk_widget_observe_controllers (GTK_WIDGET (view));
  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_DROP_TARGET (controller))
        target = GTK_DROP_TARGET (controller);
    }
  g_assert_nonnull (target);

  first = write_bytes (fixture, "agenda.txt", agenda, sizeof agenda - 1);
  second = write_bytes (fixture, "minutes.txt", minutes, sizeof minutes - 1);
  files = g_slist_append (files, first);
  files = g_slist_append (files, second);
  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_set_boxed (&value, files);
  g_signal_emit_by_name (target, "drop", &value, 100.0, 100.0, &taken);
  g_value_unset (&value);
  g_slist_free (files);
  g_assert_true (taken);

  both = (Both) { bob_room, "agenda.txt", "minutes.txt" };
  g_assert_true (sotto_ui_wait_until (both_shown, &both, 60));
}

static gboolean
transfer_failed (gpointer data)
{
  return sotto_transfer_get_state (data) == SOTTO_TRANSFER_FAILED;
}

static gboolean
file_shown_to (gpointer data)
{
  Wanted *wanted = data;

  return find_file (wanted->room, wanted->name) != NULL;
}

/* A file that cannot be read fails with its sentence on the upload row;
 * once it is there, Try Again sends it. */
static void
test_retry (Fixture       *fixture,
            gconstpointer  data)
{
  static const char plan[] = "Step one: pack.\n";
  g_autofree char *path = g_build_filename (fixture->ui.dir, "plan.txt", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(SottoTransfer) upload = NULL;
  SottoRoomView *view = sotto_window_get_room_view (fixture->ui.window);
  GtkWidget *row, *retry;
  SottoRoom *bob_room;
  Wanted wanted;

  sotto_ui_register (GTK_WINDOW (fixture->ui.window), fixture->ui.address, "alice", PASSWORD);
  fixture->bob = sotto_test_user_new (fixture->ui.dir, fixture->ui.address, "bob", PASSWORD);
  bob_room = sotto_test_user_join (fixture->bob, "general");
  sotto_test_user_wait_members (bob_room, 2);

  upload = sotto_room_view_send_file (view, file);
  g_assert_true (sotto_ui_wait_until (transfer_failed, upload, 30));
  sotto_ui_settle (GTK_WIDGET (fixture->ui.window));
  row = find_css (GTK_WIDGET (fixture->ui.window), "upload");
  g_assert_nonnull (row);
  g_assert_nonnull (find_label (row, sotto_transfer_get_error (upload)));
  retry = sotto_ui_find_button (row, "Try Again");
  g_assert_nonnull (retry);
  g_assert_true (gtk_widget_get_visible (retry));
  g_free (sotto_ui_screenshot (GTK_WIDGET (fixture->ui.window), "file-upload-failed"));

  g_assert_true (g_file_set_contents (path, plan, -1, NULL));
  g_signal_emit_by_name (retry, "clicked");
  wanted = (Wanted) { bob_room, "plan.txt" };
  g_assert_true (sotto_ui_wait_until (file_shown_to, &wanted, 60));
  g_assert_true (sotto_ui_wait_until (no_upload_row, fixture->ui.window, 30));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  sotto_ui_test_init (&argc, &argv);
  sotto_ui_notifications_start ();
  the_app = sotto_application_new ();
  g_application_set_flags (G_APPLICATION (the_app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (the_app), NULL, &error));
  g_assert_no_error (error);

#define ADD(path, func) \
  g_test_add ("/sotto/ui/files/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("show", test_show);
  ADD ("bad-thumbnail", test_bad_thumbnail);
  ADD ("received", test_received);
  ADD ("send", test_send);
  ADD ("paste", test_paste);
  ADD ("drop", test_drop);
  ADD ("retry", test_retry);
#undef ADD

  status = g_test_run ();
  g_clear_object (&the_app);
  return status;
}
