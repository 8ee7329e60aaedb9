/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sotto-file-safety.h"
#include "sotto-image.h"
#include "sotto-room-view-private.h"

/*
 * Files others sent, from their message's card. "Save As…" fetches the
 * file to where the user chooses; "Open" fetches it into the user's
 * runtime folder (private, emptied at logout) and opens it with the
 * desktop's application, unless it could be a program
 * (sotto_file_might_run(), asked of its name and declared type before
 * the fetch and of its bytes after), which is only ever saved; a click on
 * a picture fetches it, decodes it off the main loop within the pixel
 * limit, shows it in a window of its own and removes it from the disk.
 * The card of the message shows the fetch (SottoMessage:transfer).
 */

#define FULL_TEXTURE_KEY "sotto-full-texture"

typedef struct
{
  SottoRoomView   *view;
  SottoMessage    *message;
  SottoFileAction  action;
  GFile           *destination;
} Fetch;

static void
fetch_free (Fetch *fetch)
{
  g_object_unref (fetch->view);
  g_object_unref (fetch->message);
  g_clear_object (&fetch->destination);
  g_free (fetch);
}

static void
toast (SottoRoomView *self,
       const char    *text)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "win.show-toast", "s", text);
}

static GtkWindow *
parent_window (SottoRoomView *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

static void save_as (SottoRoomView *self,
                     SottoMessage  *message);

static void
program_response_cb (AdwMessageDialog *dialog,
                     const char       *response,
                     Fetch            *fetch)
{
  if (g_str_equal (response, "save"))
    save_as (fetch->view, fetch->message);
  fetch_free (fetch);
}

/* A file that could be a program is not opened: said, and offered to be
 * saved instead. */
static void
refuse_program (SottoRoomView *self,
                SottoMessage  *message)
{
  const SottoFileMessage *file = sotto_message_get_file (message);
  GtkWidget *dialog;
  Fetch *fetch;

  dialog = adw_message_dialog_new (parent_window (self), _("This File Could Be a Program"),
                                   NULL);
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  _("Sotto does not open programs that people send, as opening "
                                    "one could run it. If you trust who sent “%s” and know what "
                                    "it is, save it and open it yourself."),
                                  file->name);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"), "save",
                                    _("_Save As…"), NULL);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  fetch = g_new0 (Fetch, 1);
  fetch->view = g_object_ref (self);
  fetch->message = g_object_ref (message);
  g_signal_connect (dialog, "response", G_CALLBACK (program_response_cb), fetch);
  gtk_window_present (GTK_WINDOW (dialog));
}

static gboolean
saved_file_might_run (const SottoFileMessage *file,
                      GFile                  *saved)
{
  guint8 head[SOTTO_FILE_SNIFF_BYTES];
  g_autoptr(GFileInputStream) in = g_file_read (saved, NULL, NULL);
  gsize got = 0;

  if (in == NULL ||
      !g_input_stream_read_all (G_INPUT_STREAM (in), head, sizeof head, &got, NULL, NULL))
    return TRUE;
  return sotto_file_might_run (file->name, file->type, head, got);
}

static void
launched_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(SottoRoomView) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_app_info_launch_default_for_uri_finish (result, &error))
    toast (self, _("No application here opens this kind of file: save it instead"));
}

static void
open_saved (SottoRoomView *self,
            SottoMessage  *message,
            GFile         *saved)
{
  g_autofree char *uri = g_file_get_uri (saved);
  g_autoptr(GAppLaunchContext) context = NULL;

  if (saved_file_might_run (sotto_message_get_file (message), saved))
    {
      refuse_program (self, message);
      return;
    }
  context = G_APP_LAUNCH_CONTEXT (
    gdk_display_get_app_launch_context (gtk_widget_get_display (GTK_WIDGET (self))));
  g_app_info_launch_default_for_uri_async (uri, context, NULL, launched_cb, g_object_ref (self));
}

static void
show_viewer (SottoRoomView *self,
             SottoMessage  *message,
             GdkTexture    *texture);

static void
full_decoded_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Fetch *fetch = user_data;
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autoptr(GError) error = NULL;

  pixbuf = sotto_image_decode_finish (result, &error);
  if (pixbuf == NULL)
    toast (fetch->view, error->message);
  else
    {
      GdkTexture *texture = gdk_texture_new_for_pixbuf (pixbuf);

      g_object_set_data_full (G_OBJECT (fetch->message), FULL_TEXTURE_KEY, texture,
                              g_object_unref);
      show_viewer (fetch->view, fetch->message, texture);
    }
  fetch_free (fetch);
}

static void
fetched_cb (SottoTransfer *transfer,
            GParamSpec    *pspec,
            Fetch         *fetch)
{
  SottoTransferState state = sotto_transfer_get_state (transfer);
  const SottoFileMessage *file = sotto_message_get_file (fetch->message);

  if (!sotto_transfer_is_finished (transfer))
    return;
  g_signal_handlers_disconnect_by_data (transfer, fetch);

  if (state != SOTTO_TRANSFER_DONE)
    {
      /* The card says why; a picture asked for is said here too. */
      if (state == SOTTO_TRANSFER_FAILED && fetch->action == SOTTO_FILE_ACTION_VIEW)
        toast (fetch->view, sotto_transfer_get_error (transfer));
      if (fetch->action != SOTTO_FILE_ACTION_SAVE)
        g_file_delete (fetch->destination, NULL, NULL);
      fetch_free (fetch);
      return;
    }

  switch (fetch->action)
    {
    case SOTTO_FILE_ACTION_SAVE:
      {
        /* Translators: %s is a file's name */
        g_autofree char *text = g_strdup_printf (_("“%s” saved"), file->name);

        toast (fetch->view, text);
        break;
      }
    case SOTTO_FILE_ACTION_OPEN:
      open_saved (fetch->view, fetch->message, fetch->destination);
      break;
    case SOTTO_FILE_ACTION_VIEW:
      {
        g_autoptr(GBytes) bytes = g_file_load_bytes (fetch->destination, NULL, NULL, NULL);

        /* Read, then gone from the disk: a picture is shown, not kept. */
        g_file_delete (fetch->destination, NULL, NULL);
        if (bytes == NULL)
          {
            toast (fetch->view, _("The picture could not be read"));
            break;
          }
        sotto_image_decode_async (bytes, SOTTO_IMAGE_MAX_PIXELS, NULL, full_decoded_cb, fetch);
        return;
      }
    default:
      break;
    }
  fetch_free (fetch);
}

static SottoTransfer *
start_fetch (SottoRoomView   *self,
             SottoMessage    *message,
             SottoFileAction  action,
             GFile           *destination)
{
  SottoTransfer *transfer;
  Fetch *fetch;

  if (self->client == NULL)
    return NULL;
  fetch = g_new0 (Fetch, 1);
  fetch->view = g_object_ref (self);
  fetch->message = g_object_ref (message);
  fetch->action = action;
  fetch->destination = g_object_ref (destination);
  transfer = sotto_client_fetch_file (self->client, message, destination);
  g_signal_connect (transfer, "notify::state", G_CALLBACK (fetched_cb), fetch);
  fetched_cb (transfer, NULL, fetch);
  return transfer;
}

/**
 * sotto_room_view_save_file:
 * @message: a file message of the room shown
 * @destination: where the user chose to save its file
 *
 * Fetches the file and saves it at @destination; the message's card
 * shows the fetch, and a toast says when it is saved.
 *
 * Returns: (transfer full) (nullable): the transfer
 */
SottoTransfer *
sotto_room_view_save_file (SottoRoomView *self,
                           SottoMessage  *message,
                           GFile         *destination)
{
  g_return_val_if_fail (SOTTO_IS_ROOM_VIEW (self), NULL);
  g_return_val_if_fail (SOTTO_IS_MESSAGE (message), NULL);
  g_return_val_if_fail (G_IS_FILE (destination), NULL);

  return start_fetch (self, message, SOTTO_FILE_ACTION_SAVE, destination);
}

static void
save_response_cb (GtkNativeDialog *dialog,
                  int              response,
                  Fetch           *request)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) destination = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      g_autoptr(SottoTransfer) transfer = NULL;

      if (destination != NULL)
        transfer = sotto_room_view_save_file (request->view, request->message, destination);
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  fetch_free (request);
}

static void
save_as (SottoRoomView *self,
         SottoMessage  *message)
{
  const SottoFileMessage *file = sotto_message_get_file (message);
  g_autofree char *name = sotto_file_message_safe_name (file->name);
  GtkFileChooserNative *chooser;
  Fetch *request;

  chooser = gtk_file_chooser_native_new (_("Save File"), parent_window (self),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  request = g_new0 (Fetch, 1);
  request->view = g_object_ref (self);
  request->message = g_object_ref (message);
  g_signal_connect (chooser, "response", G_CALLBACK (save_response_cb), request);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* Where a file to open, or a picture to show, is fetched to: the user's
 * runtime folder, private and emptied at logout, one folder per file. */
static GFile *
runtime_file (const SottoFileMessage  *file,
              GError                 **error)
{
  g_autofree char *hex = g_malloc0 (2 * SOTTO_FILE_ID_BYTES + 1);
  g_autofree char *dir = NULL;
  g_autofree char *name = sotto_file_message_safe_name (file->name);
  g_autofree char *path = NULL;

  for (guint i = 0; i < SOTTO_FILE_ID_BYTES; i++)
    g_snprintf (hex + 2 * i, 3, "%02x", file->id[i]);
  dir = g_build_filename (g_get_user_runtime_dir (), "sotto", "files", hex, NULL);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("There is no room to fetch the file"));
      return NULL;
    }
  path = g_build_filename (dir, name, NULL);
  return g_file_new_for_path (path);
}

static void
viewer_save_cb (GtkButton     *button,
                SottoRoomView *self)
{
  GtkRoot *viewer = gtk_widget_get_root (GTK_WIDGET (button));

  save_as (self, g_object_get_data (G_OBJECT (button), "message"));
  gtk_window_destroy (GTK_WINDOW (viewer));
}

static void
show_viewer (SottoRoomView *self,
             SottoMessage  *message,
             GdkTexture    *texture)
{
  const SottoFileMessage *file = sotto_message_get_file (message);
  GtkWidget *window, *box, *header, *title, *save, *scroller, *picture;
  int width = gdk_texture_get_width (texture);
  int height = gdk_texture_get_height (texture);
  double scale = MIN (1.0, MIN (960.0 / width, 720.0 / height));

  window = adw_window_new ();
  gtk_window_set_transient_for (GTK_WINDOW (window), parent_window (self));
  gtk_window_set_modal (GTK_WINDOW (window), TRUE);
  gtk_window_set_title (GTK_WINDOW (window), file->name);
  gtk_window_set_default_size (GTK_WINDOW (window), MAX (360, (int) (width * scale)),
                               MAX (240, (int) (height * scale) + 47));
  gtk_widget_add_css_class (window, "image-viewer");

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  header = adw_header_bar_new ();
  title = adw_window_title_new (file->name, NULL);
  {
    g_autofree char *size = g_format_size (file->size);
    /* Translators: a picture's size in pixels, then in bytes */
    g_autofree char *subtitle = g_strdup_printf (_("%d × %d · %s"), width, height, size);

    adw_window_title_set_subtitle (ADW_WINDOW_TITLE (title), subtitle);
  }
  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), title);
  save = gtk_button_new_from_icon_name ("document-save-as-symbolic");
  gtk_widget_set_tooltip_text (save, _("Save As…"));
  g_object_set_data_full (G_OBJECT (save), "message", g_object_ref (message), g_object_unref);
  g_signal_connect_object (save, "clicked", G_CALLBACK (viewer_save_cb), self, 0);
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), save);
  gtk_box_append (GTK_BOX (box), header);

  scroller = gtk_scrolled_window_new ();
  gtk_widget_set_vexpand (scroller, TRUE);
  picture = gtk_picture_new_for_paintable (GDK_PAINTABLE (texture));
  gtk_picture_set_can_shrink (GTK_PICTURE (picture), TRUE);
  gtk_picture_set_alternative_text (GTK_PICTURE (picture), file->name);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), picture);
  gtk_box_append (GTK_BOX (box), scroller);
  adw_window_set_content (ADW_WINDOW (window), box);

  {
    GtkEventController *keys = gtk_shortcut_controller_new ();

    gtk_shortcut_controller_add_shortcut (
      GTK_SHORTCUT_CONTROLLER (keys),
      gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Escape, 0),
                        gtk_named_action_new ("window.close")));
    gtk_widget_add_controller (window, keys);
  }
  gtk_window_present (GTK_WINDOW (window));
}

/**
 * _sotto_room_view_file_action:
 *
 * Does what the user asked of a file message's card.
 */
void
_sotto_room_view_file_action (SottoRoomView   *self,
                              SottoMessage    *message,
                              SottoFileAction  action)
{
  const SottoFileMessage *file = sotto_message_get_file (message);
  SottoTransfer *running = sotto_message_get_transfer (message);
  g_autoptr(SottoTransfer) fetching = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) destination = NULL;

  if (file == NULL || self->client == NULL)
    return;
  if (running != NULL && !sotto_transfer_is_finished (running))
    return;

  switch (action)
    {
    case SOTTO_FILE_ACTION_SAVE:
      save_as (self, message);
      return;

    case SOTTO_FILE_ACTION_OPEN:
      /* Asked before fetching too, so that nothing is fetched in vain. */
      if (sotto_file_might_run (file->name, file->type, NULL, 0))
        {
          refuse_program (self, message);
          return;
        }
      break;

    case SOTTO_FILE_ACTION_VIEW:
      {
        GdkTexture *texture = g_object_get_data (G_OBJECT (message), FULL_TEXTURE_KEY);

        if (texture != NULL)
          {
            show_viewer (self, message, texture);
            return;
          }
        if (file->width == 0 || (guint64) file->width * file->height > SOTTO_IMAGE_MAX_PIXELS)
          {
            toast (self, _("This picture is too large to show: save it instead"));
            return;
          }
        break;
      }

    default:
      return;
    }

  destination = runtime_file (file, &error);
  if (destination == NULL)
    {
      toast (self, error->message);
      return;
    }
  fetching = start_fetch (self, message, action, destination);
}
