/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>

#include "sotto-room-view-private.h"

/*
 * Sending files into a room: the attach button (a file chooser), files
 * dropped on the room, and a picture or files pasted into the composer.
 * Each file shows above the composer with its progress and a button that
 * cancels it, until its message is in the room, or with the sentence
 * that says why it failed until dismissed. Received files are in
 * sotto-room-view-received.c.
 */

static void send_file (SottoRoomView *self,
                       GFile         *file);

/* Sending */

static gboolean
upload_shown (SottoRoomView *self,
              SottoTransfer *transfer)
{
  return self->room != NULL &&
         g_strcmp0 (sotto_transfer_get_room (transfer), sotto_room_get_name (self->room)) == 0;
}

#define SOURCE_KEY "sotto-source"

/* A failed upload can go again from its file; not a pasted picture,
 * whose copy is gone once sealed. */
static gboolean
can_retry (SottoTransfer *transfer)
{
  return g_object_get_data (G_OBJECT (transfer), SOURCE_KEY) != NULL;
}

static void
update_upload_row (GtkWidget     *row,
                   SottoTransfer *transfer)
{
  GtkProgressBar *progress = g_object_get_data (G_OBJECT (row), "progress");
  GtkLabel *status = g_object_get_data (G_OBJECT (row), "status");
  GtkWidget *button = g_object_get_data (G_OBJECT (row), "button");
  SottoTransferState state = sotto_transfer_get_state (transfer);
  const char *text = NULL;

  gtk_progress_bar_set_fraction (progress, sotto_transfer_get_fraction (transfer));
  gtk_widget_set_visible (GTK_WIDGET (progress), state != SOTTO_TRANSFER_FAILED);
  gtk_widget_remove_css_class (GTK_WIDGET (status), "error");
  switch (state)
    {
    case SOTTO_TRANSFER_PREPARING:
      text = _("Encrypting…");
      break;
    case SOTTO_TRANSFER_WAITING:
      text = _("Waiting for the connection…");
      break;
    case SOTTO_TRANSFER_FAILED:
      text = sotto_transfer_get_error (transfer);
      gtk_widget_add_css_class (GTK_WIDGET (status), "error");
      break;
    case SOTTO_TRANSFER_RUNNING:
    case SOTTO_TRANSFER_DONE:
    case SOTTO_TRANSFER_CANCELLED:
    default:
      break;
    }
  if (text == NULL && state == SOTTO_TRANSFER_RUNNING)
    {
      g_autofree char *done = g_format_size (sotto_transfer_get_done (transfer));
      g_autofree char *total = g_format_size (sotto_transfer_get_total (transfer));
      /* Translators: how much of a file went, e.g. "1.2 MB of 4.0 MB" */
      g_autofree char *sent = g_strdup_printf (_("%s of %s"), done, total);

      gtk_label_set_text (status, sent);
    }
  else
    gtk_label_set_text (status, text != NULL ? text : "");

  gtk_widget_set_tooltip_text (button, state == SOTTO_TRANSFER_FAILED ? _("Dismiss")
                                                                      : _("Cancel Sending"));
  gtk_widget_set_visible (g_object_get_data (G_OBJECT (row), "retry"),
                          state == SOTTO_TRANSFER_FAILED && can_retry (transfer));
}

static void
upload_row_notify_cb (SottoTransfer *transfer,
                      GParamSpec    *pspec,
                      GtkWidget     *row)
{
  update_upload_row (row, transfer);
}

static void
update_uploads_box (SottoRoomView *self)
{
  gtk_widget_set_visible (self->uploads_box,
                          gtk_widget_get_first_child (self->uploads_box) != NULL);
}

static void
forget_upload (SottoRoomView *self,
               SottoTransfer *transfer)
{
  for (GtkWidget *row = gtk_widget_get_first_child (self->uploads_box); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    if (g_object_get_data (G_OBJECT (row), "transfer") == transfer)
      {
        gtk_box_remove (GTK_BOX (self->uploads_box), row);
        break;
      }
  g_ptr_array_remove (self->uploads, transfer);
  update_uploads_box (self);
}

static void
upload_button_cb (GtkButton     *button,
                  SottoRoomView *self)
{
  SottoTransfer *transfer = g_object_get_data (G_OBJECT (button), "transfer");

  if (sotto_transfer_is_finished (transfer))
    forget_upload (self, transfer);
  else
    sotto_transfer_cancel (transfer);
}

static SottoTransfer *start_upload (SottoRoomView *self,
                                    GFile         *file);

/* The same file again, in place of the failed upload. */
static void
retry_clicked_cb (GtkButton     *button,
                  SottoRoomView *self)
{
  SottoTransfer *transfer = g_object_get_data (G_OBJECT (button), "transfer");
  g_autoptr(GFile) source = g_object_ref (g_object_get_data (G_OBJECT (transfer), SOURCE_KEY));

  forget_upload (self, transfer);
  if (self->client != NULL && self->room != NULL)
    start_upload (self, source);
}

static void
add_upload_row (SottoRoomView *self,
                SottoTransfer *transfer)
{
  g_autofree char *content_type = g_content_type_guess (sotto_transfer_get_name (transfer), NULL,
                                                        0, NULL);
  g_autoptr(GIcon) icon = sotto_file_type_icon (content_type);
  GtkWidget *row, *image, *labels, *name, *progress, *status, *retry, *button;

  row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 10);
  gtk_widget_add_css_class (row, "card");
  gtk_widget_add_css_class (row, "upload");
  image = gtk_image_new_from_gicon (icon);
  gtk_image_set_icon_size (GTK_IMAGE (image), GTK_ICON_SIZE_LARGE);
  gtk_widget_set_margin_start (image, 10);
  gtk_box_append (GTK_BOX (row), image);

  labels = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  gtk_widget_set_hexpand (labels, TRUE);
  gtk_widget_set_margin_top (labels, 8);
  gtk_widget_set_margin_bottom (labels, 8);
  name = gtk_label_new (sotto_transfer_get_name (transfer));
  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_MIDDLE);
  gtk_widget_add_css_class (name, "heading");
  gtk_box_append (GTK_BOX (labels), name);
  progress = gtk_progress_bar_new ();
  gtk_box_append (GTK_BOX (labels), progress);
  status = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (status), 0);
  gtk_label_set_wrap (GTK_LABEL (status), TRUE);
  gtk_widget_add_css_class (status, "caption");
  gtk_box_append (GTK_BOX (labels), status);
  gtk_box_append (GTK_BOX (row), labels);

  retry = gtk_button_new_from_icon_name ("view-refresh-symbolic");
  gtk_widget_set_valign (retry, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (retry, _("Try Again"));
  gtk_widget_add_css_class (retry, "circular");
  gtk_widget_add_css_class (retry, "flat");
  g_object_set_data (G_OBJECT (retry), "transfer", transfer);
  g_signal_connect (retry, "clicked", G_CALLBACK (retry_clicked_cb), self);
  gtk_box_append (GTK_BOX (row), retry);

  button = gtk_button_new_from_icon_name ("window-close-symbolic");
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_margin_end (button, 8);
  gtk_widget_add_css_class (button, "circular");
  gtk_widget_add_css_class (button, "flat");
  g_object_set_data (G_OBJECT (button), "transfer", transfer);
  g_signal_connect (button, "clicked", G_CALLBACK (upload_button_cb), self);
  gtk_box_append (GTK_BOX (row), button);

  g_object_set_data_full (G_OBJECT (row), "transfer", g_object_ref (transfer), g_object_unref);
  g_object_set_data (G_OBJECT (row), "progress", progress);
  g_object_set_data (G_OBJECT (row), "status", status);
  g_object_set_data (G_OBJECT (row), "button", button);
  g_object_set_data (G_OBJECT (row), "retry", retry);
  g_signal_connect_object (transfer, "notify", G_CALLBACK (upload_row_notify_cb), row, 0);
  update_upload_row (row, transfer);
  gtk_box_append (GTK_BOX (self->uploads_box), row);
  update_uploads_box (self);
}

/* Done (the message is in the room) or cancelled: gone. A failure stays,
 * with its sentence, until dismissed. */
static void
upload_state_cb (SottoTransfer *transfer,
                 GParamSpec    *pspec,
                 SottoRoomView *self)
{
  SottoTransferState state = sotto_transfer_get_state (transfer);
  GFile *pasted = g_object_get_data (G_OBJECT (transfer), "sotto-pasted-file");

  if (pasted != NULL && sotto_transfer_is_finished (transfer))
    {
      /* Sent (or not): the picture's own copy goes. */
      g_file_delete (pasted, NULL, NULL);
      g_object_set_data (G_OBJECT (transfer), "sotto-pasted-file", NULL);
    }
  if (state == SOTTO_TRANSFER_DONE || state == SOTTO_TRANSFER_CANCELLED)
    forget_upload (self, transfer);
}

static SottoTransfer *
start_upload (SottoRoomView *self,
              GFile         *file)
{
  g_autoptr(SottoTransfer) transfer = NULL;

  transfer = sotto_client_send_file (self->client, self->room, file);
  g_object_set_data_full (G_OBJECT (transfer), SOURCE_KEY, g_object_ref (file), g_object_unref);
  g_ptr_array_add (self->uploads, g_object_ref (transfer));
  g_signal_connect_object (transfer, "notify::state", G_CALLBACK (upload_state_cb), self, 0);
  add_upload_row (self, transfer);
  /* It may have ended already (no account, say). */
  upload_state_cb (transfer, NULL, self);
  return transfer;
}

static void
send_file (SottoRoomView *self,
           GFile         *file)
{
  SottoTransfer *transfer = sotto_room_view_send_file (self, file);

  /* The view follows it while it runs. */
  g_clear_object (&transfer);
}

/**
 * sotto_room_view_send_file:
 * @file: a file the user chose, dropped or pasted
 *
 * Sends @file into the room shown, with its progress above the composer.
 *
 * Returns: (transfer full) (nullable): the transfer, or %NULL when no room
 *   is shown
 */
SottoTransfer *
sotto_room_view_send_file (SottoRoomView *self,
                           GFile         *file)
{
  SottoTransfer *transfer;

  g_return_val_if_fail (SOTTO_IS_ROOM_VIEW (self), NULL);
  g_return_val_if_fail (G_IS_FILE (file), NULL);

  if (self->client == NULL || self->room == NULL)
    return NULL;
  transfer = g_object_ref (start_upload (self, file));
  sotto_room_view_scroll_to_bottom (self);
  return transfer;
}

static void
send_files (SottoRoomView *self,
            GSList        *files)
{
  for (GSList *l = files; l != NULL; l = l->next)
    send_file (self, l->data);
}

static void
chooser_response_cb (GtkNativeDialog *dialog,
                     int              response,
                     SottoRoomView   *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (dialog));

      for (guint i = 0; i < g_list_model_get_n_items (files); i++)
        {
          g_autoptr(GFile) file = g_list_model_get_item (files, i);

          send_file (self, file);
        }
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  g_object_unref (self);
}

static void
send_file_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  SottoRoomView *self = SOTTO_ROOM_VIEW (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkFileChooserNative *chooser;

  if (self->room == NULL)
    return;
  chooser = gtk_file_chooser_native_new (_("Send Files"),
                                         GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Send"), _("_Cancel"));
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (chooser), TRUE);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (chooser_response_cb), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static gboolean
drop_cb (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         SottoRoomView *self)
{
  if (self->room == NULL || !G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    return FALSE;
  send_files (self, g_value_get_boxed (value));
  return TRUE;
}

/* Pasting: files as files; a picture with no text as a PNG. */

static GFile *
pasted_picture_file (GError **error)
{
  g_autofree char *dir = g_build_filename (g_get_user_runtime_dir (), "sotto", "pasted", NULL);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y-%m-%d %H-%M-%S");
  /* Translators: the name of a pasted picture; %s is the date and time */
  g_autofree char *name = g_strdup_printf (_("Pasted picture %s.png"), stamp);
  g_autofree char *path = NULL;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   _("The pasted picture could not be kept for sending"));
      return NULL;
    }
  path = g_build_filename (dir, name, NULL);
  return g_file_new_for_path (path);
}

static void
pasted_texture_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(SottoRoomView) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GBytes) png = NULL;
  g_autoptr(GFile) file = NULL;
  const GValue *value;
  SottoTransfer *transfer;

  value = gdk_clipboard_read_value_finish (GDK_CLIPBOARD (object), result, &error);
  if (value == NULL || !G_VALUE_HOLDS (value, GDK_TYPE_TEXTURE))
    {
      gtk_widget_activate_action (GTK_WIDGET (self), "win.show-toast", "s",
                                  _("The pasted picture could not be read"));
      return;
    }
  texture = g_value_dup_object (value);
  png = gdk_texture_save_to_png_bytes (texture);
  file = pasted_picture_file (&error);
  if (file == NULL ||
      !g_file_replace_contents (file, g_bytes_get_data (png, NULL), g_bytes_get_size (png), NULL,
                                FALSE, G_FILE_CREATE_PRIVATE, NULL, NULL, &error))
    {
      gtk_widget_activate_action (GTK_WIDGET (self), "win.show-toast", "s",
                                  _("The pasted picture could not be kept for sending"));
      return;
    }
  if (self->client == NULL || self->room == NULL)
    {
      g_file_delete (file, NULL, NULL);
      return;
    }
  transfer = start_upload (self, file);
  g_object_set_data (G_OBJECT (transfer), SOURCE_KEY, NULL);
  if (!sotto_transfer_is_finished (transfer))
    g_object_set_data_full (G_OBJECT (transfer), "sotto-pasted-file", g_object_ref (file),
                            g_object_unref);
  else
    g_file_delete (file, NULL, NULL);
  sotto_room_view_scroll_to_bottom (self);
}

static void
pasted_files_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(SottoRoomView) self = user_data;
  g_autoptr(GError) error = NULL;
  const GValue *value;

  value = gdk_clipboard_read_value_finish (GDK_CLIPBOARD (object), result, &error);
  if (value == NULL || !G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    {
      gtk_widget_activate_action (GTK_WIDGET (self), "win.show-toast", "s",
                                  _("The pasted files could not be read"));
      return;
    }
  send_files (self, g_value_get_boxed (value));
}

static void
paste_cb (GtkTextView   *composer,
          SottoRoomView *self)
{
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (composer));
  GdkContentFormats *formats = gdk_clipboard_get_formats (clipboard);

  if (self->room == NULL)
    return;
  if (gdk_content_formats_contain_gtype (formats, GDK_TYPE_FILE_LIST))
    {
      g_signal_stop_emission_by_name (composer, "paste-clipboard");
      gdk_clipboard_read_value_async (clipboard, GDK_TYPE_FILE_LIST, G_PRIORITY_DEFAULT, NULL,
                                      pasted_files_cb, g_object_ref (self));
    }
  else if (gdk_content_formats_contain_gtype (formats, GDK_TYPE_TEXTURE) &&
           !gdk_content_formats_contain_gtype (formats, G_TYPE_STRING))
    {
      g_signal_stop_emission_by_name (composer, "paste-clipboard");
      gdk_clipboard_read_value_async (clipboard, GDK_TYPE_TEXTURE, G_PRIORITY_DEFAULT, NULL,
                                      pasted_texture_cb, g_object_ref (self));
    }
}

/* Wiring */

void
_sotto_room_view_files_attach (SottoRoomView *self)
{
  GtkWidget *row;

  while ((row = gtk_widget_get_first_child (self->uploads_box)) != NULL)
    gtk_box_remove (GTK_BOX (self->uploads_box), row);
  for (guint i = 0; i < self->uploads->len; i++)
    if (upload_shown (self, g_ptr_array_index (self->uploads, i)))
      add_upload_row (self, g_ptr_array_index (self->uploads, i));
  update_uploads_box (self);
}

void
_sotto_room_view_files_dispose (SottoRoomView *self)
{
  if (self->uploads != NULL)
    for (guint i = 0; i < self->uploads->len; i++)
      g_signal_handlers_disconnect_by_data (g_ptr_array_index (self->uploads, i), self);
  g_clear_pointer (&self->uploads, g_ptr_array_unref);
}

void
_sotto_room_view_files_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "room.send-file", NULL, send_file_action);
}

void
_sotto_room_view_files_init (SottoRoomView *self)
{
  GtkDropTarget *target;

  self->uploads = g_ptr_array_new_with_free_func (g_object_unref);

  target = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect (target, "drop", G_CALLBACK (drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (target));

  g_signal_connect (self->composer, "paste-clipboard", G_CALLBACK (paste_cb), self);
}
