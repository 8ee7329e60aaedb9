/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sotto-image.h"
#include "sotto-message-row-private.h"

/*
 * A file message in the chat: a card with the file's type icon, its name
 * and what it is (type and size), and for a picture its thumbnail, which
 * came inside the message. Thumbnails are decoded in a worker thread,
 * within the thumbnail pixel limit, once per message: the texture is kept
 * on the message for rows that show it again.
 *
 * "Save As…" and "Open" (and a click on a picture) ask the room view, by
 * the row's "file-action" signal, which fetches the file; the card shows
 * the fetch kept on the message: its progress, a Cancel button, and why
 * it failed.
 */

enum {
  FILE_ACTION,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The largest side a thumbnail is shown at, in pixels. */
#define THUMBNAIL_SIDE 240

#define TEXTURE_KEY "sotto-thumbnail-texture"

static void
picture_clicked_cb (SottoMessageRow *self)
{
  if (self->message != NULL)
    g_signal_emit (self, signals[FILE_ACTION], 0, self->message, SOTTO_FILE_ACTION_VIEW);
}

static void
ensure_card (SottoMessageRow *self)
{
  GtkWidget *line;
  GtkWidget *labels;

  if (self->file_box != NULL)
    return;

  self->file_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_widget_set_halign (self->file_box, GTK_ALIGN_START);
  gtk_widget_add_css_class (self->file_box, "card");
  gtk_widget_add_css_class (self->file_box, "file-card");
  /* The thumbnail keeps to the card's rounded corners. */
  gtk_widget_set_overflow (self->file_box, GTK_OVERFLOW_HIDDEN);
  gtk_widget_set_margin_top (self->file_box, 4);
  gtk_widget_set_margin_bottom (self->file_box, 2);

  self->file_picture = gtk_picture_new ();
  gtk_picture_set_can_shrink (GTK_PICTURE (self->file_picture), TRUE);
  gtk_widget_add_css_class (self->file_picture, "thumbnail");
  gtk_box_append (GTK_BOX (self->file_box), self->file_picture);

  line = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 10);
  gtk_widget_set_margin_start (line, 10);
  gtk_widget_set_margin_end (line, 12);
  gtk_widget_set_margin_top (line, 8);
  gtk_widget_set_margin_bottom (line, 8);
  self->file_icon = GTK_IMAGE (gtk_image_new ());
  gtk_image_set_icon_size (self->file_icon, GTK_ICON_SIZE_LARGE);
  gtk_box_append (GTK_BOX (line), GTK_WIDGET (self->file_icon));

  labels = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  gtk_widget_set_valign (labels, GTK_ALIGN_CENTER);
  self->file_name = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->file_name, 0);
  gtk_label_set_ellipsize (self->file_name, PANGO_ELLIPSIZE_MIDDLE);
  gtk_label_set_max_width_chars (self->file_name, 40);
  gtk_widget_add_css_class (GTK_WIDGET (self->file_name), "heading");
  gtk_box_append (GTK_BOX (labels), GTK_WIDGET (self->file_name));
  self->file_detail = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->file_detail, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->file_detail), "caption");
  gtk_widget_add_css_class (GTK_WIDGET (self->file_detail), "dim-label");
  gtk_box_append (GTK_BOX (labels), GTK_WIDGET (self->file_detail));
  gtk_widget_set_hexpand (labels, TRUE);
  gtk_box_append (GTK_BOX (line), labels);

  self->file_save_button = gtk_button_new_with_mnemonic (_("_Save As…"));
  gtk_widget_set_valign (self->file_save_button, GTK_ALIGN_CENTER);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->file_save_button), "file.save");
  gtk_box_append (GTK_BOX (line), self->file_save_button);
  self->file_open_button = gtk_button_new_with_mnemonic (_("_Open"));
  gtk_widget_set_valign (self->file_open_button, GTK_ALIGN_CENTER);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->file_open_button), "file.open");
  gtk_box_append (GTK_BOX (line), self->file_open_button);
  self->file_cancel_button = gtk_button_new_with_mnemonic (_("_Cancel"));
  gtk_widget_set_valign (self->file_cancel_button, GTK_ALIGN_CENTER);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->file_cancel_button), "file.cancel");
  gtk_widget_set_visible (self->file_cancel_button, FALSE);
  gtk_box_append (GTK_BOX (line), self->file_cancel_button);
  gtk_box_append (GTK_BOX (self->file_box), line);

  self->file_progress = GTK_PROGRESS_BAR (gtk_progress_bar_new ());
  gtk_widget_set_margin_start (GTK_WIDGET (self->file_progress), 12);
  gtk_widget_set_margin_end (GTK_WIDGET (self->file_progress), 12);
  gtk_widget_set_margin_bottom (GTK_WIDGET (self->file_progress), 10);
  gtk_widget_set_visible (GTK_WIDGET (self->file_progress), FALSE);
  gtk_box_append (GTK_BOX (self->file_box), GTK_WIDGET (self->file_progress));

  self->file_status = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->file_status, 0);
  gtk_label_set_wrap (self->file_status, TRUE);
  gtk_label_set_max_width_chars (self->file_status, 50);
  gtk_widget_set_margin_start (GTK_WIDGET (self->file_status), 12);
  gtk_widget_set_margin_end (GTK_WIDGET (self->file_status), 12);
  gtk_widget_set_margin_bottom (GTK_WIDGET (self->file_status), 10);
  gtk_widget_add_css_class (GTK_WIDGET (self->file_status), "caption");
  gtk_widget_set_visible (GTK_WIDGET (self->file_status), FALSE);
  gtk_box_append (GTK_BOX (self->file_box), GTK_WIDGET (self->file_status));

  {
    GtkGesture *click = gtk_gesture_click_new ();

    g_signal_connect_swapped (click, "released", G_CALLBACK (picture_clicked_cb), self);
    gtk_widget_add_controller (self->file_picture, GTK_EVENT_CONTROLLER (click));
    gtk_widget_set_cursor_from_name (self->file_picture, "pointer");
    gtk_widget_set_tooltip_text (self->file_picture, _("Show the picture"));
  }

  gtk_box_insert_child_after (GTK_BOX (self->content_box), self->file_box,
                              GTK_WIDGET (self->body_label));
}

typedef struct
{
  SottoMessageRow *row;
  SottoMessage    *message;
} Decoding;

static void
decoded_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Decoding *decoding = user_data;
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autoptr(GError) error = NULL;
  SottoMessageRow *row = decoding->row;

  pixbuf = sotto_image_decode_finish (result, &error);
  if (pixbuf != NULL)
    {
      GdkTexture *texture = gdk_texture_new_for_pixbuf (pixbuf);

      g_object_set_data_full (G_OBJECT (decoding->message), TEXTURE_KEY, texture,
                              g_object_unref);
      if (row->message == decoding->message)
        gtk_picture_set_paintable (GTK_PICTURE (row->file_picture), GDK_PAINTABLE (texture));
    }
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* A thumbnail that does not decode is not shown; the file still is. */
      g_info ("A thumbnail does not decode: %s", error->message);
      if (row->message == decoding->message)
        gtk_widget_set_visible (row->file_picture, FALSE);
    }

  g_object_unref (decoding->row);
  g_object_unref (decoding->message);
  g_free (decoding);
}

static void
show_thumbnail (SottoMessageRow        *self,
                const SottoFileMessage *file)
{
  GdkTexture *texture;
  double scale;
  Decoding *decoding;

  if (self->file_cancellable != NULL)
    {
      g_cancellable_cancel (self->file_cancellable);
      g_clear_object (&self->file_cancellable);
    }
  gtk_picture_set_paintable (GTK_PICTURE (self->file_picture), NULL);

  if (file->thumbnail == NULL || file->width == 0 || file->height == 0)
    {
      gtk_widget_set_visible (self->file_picture, FALSE);
      return;
    }

  scale = MIN (1.0, (double) THUMBNAIL_SIDE / MAX (file->width, file->height));
  gtk_widget_set_size_request (self->file_picture, MAX (1, (int) (file->width * scale)),
                               MAX (1, (int) (file->height * scale)));
  gtk_widget_set_visible (self->file_picture, TRUE);

  texture = g_object_get_data (G_OBJECT (self->message), TEXTURE_KEY);
  if (texture != NULL)
    {
      gtk_picture_set_paintable (GTK_PICTURE (self->file_picture), GDK_PAINTABLE (texture));
      return;
    }

  self->file_cancellable = g_cancellable_new ();
  decoding = g_new0 (Decoding, 1);
  decoding->row = g_object_ref (self);
  decoding->message = g_object_ref (self->message);
  sotto_image_decode_async (file->thumbnail, SOTTO_IMAGE_THUMBNAIL_MAX_PIXELS,
                            self->file_cancellable, decoded_cb, decoding);
}

/**
 * sotto_file_type_icon:
 * @content_type: (nullable): a content type, as g_content_type_guess()
 *   gives
 *
 * Returns: (transfer full): the symbolic icon of the type, falling back
 *   through its parent types' symbolic icons to a plain document's; never
 *   a coloured icon, which the card's other icons are not
 */
GIcon *
sotto_file_type_icon (const char *content_type)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(GIcon) icon = NULL;

  if (content_type != NULL)
    icon = g_content_type_get_symbolic_icon (content_type);
  if (icon != NULL && G_IS_THEMED_ICON (icon))
    {
      const char *const *all = g_themed_icon_get_names (G_THEMED_ICON (icon));

      for (guint i = 0; all != NULL && all[i] != NULL; i++)
        if (g_str_has_suffix (all[i], "-symbolic"))
          g_ptr_array_add (names, (gpointer) all[i]);
    }
  g_ptr_array_add (names, (gpointer) "text-x-generic-symbolic");
  return g_themed_icon_new_from_names ((char **) names->pdata, (int) names->len);
}

/* "JPEG image · 2.3 MB" */
static char *
describe (const SottoFileMessage *file)
{
  g_autofree char *content_type = g_content_type_from_mime_type (file->type);
  g_autofree char *kind = content_type != NULL ? g_content_type_get_description (content_type)
                                               : NULL;
  g_autofree char *size = g_format_size (file->size);

  /* Translators: what a file is, then its size */
  return g_strdup_printf (_("%s · %s"), kind != NULL ? kind : file->type, size);
}

/* The card follows the fetch kept on its message. */
static void
show_transfer (SottoMessageRow *self)
{
  SottoTransfer *transfer = self->transfer;
  SottoTransferState state = transfer != NULL ? sotto_transfer_get_state (transfer)
                                              : SOTTO_TRANSFER_DONE;
  gboolean moving = transfer != NULL && !sotto_transfer_is_finished (transfer);
  const char *status = NULL;

  /* A picture opens on a click, and is saved from where it is shown. */
  gboolean picture = gtk_widget_get_visible (self->file_picture);

  gtk_widget_set_visible (GTK_WIDGET (self->file_progress), moving);
  gtk_widget_set_visible (self->file_cancel_button, moving);
  gtk_widget_set_visible (self->file_save_button, !moving && !picture);
  gtk_widget_set_visible (self->file_open_button, !moving && !picture);
  if (moving)
    gtk_progress_bar_set_fraction (self->file_progress, sotto_transfer_get_fraction (transfer));

  gtk_widget_remove_css_class (GTK_WIDGET (self->file_status), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->file_status), "dim-label");
  if (state == SOTTO_TRANSFER_WAITING)
    {
      status = _("Waiting for the connection…");
      gtk_widget_add_css_class (GTK_WIDGET (self->file_status), "dim-label");
    }
  else if (state == SOTTO_TRANSFER_FAILED)
    {
      status = sotto_transfer_get_error (transfer);
      gtk_widget_add_css_class (GTK_WIDGET (self->file_status), "error");
    }
  gtk_label_set_text (self->file_status, status != NULL ? status : "");
  gtk_widget_set_visible (GTK_WIDGET (self->file_status), status != NULL);
}

static void
transfer_notify_cb (SottoTransfer   *transfer,
                    GParamSpec      *pspec,
                    SottoMessageRow *self)
{
  show_transfer (self);
}

static void
follow_transfer (SottoMessageRow *self,
                 SottoTransfer   *transfer)
{
  if (self->transfer == transfer)
    return;
  if (self->transfer != NULL)
    g_clear_signal_handler (&self->transfer_id, self->transfer);
  g_set_object (&self->transfer, transfer);
  if (transfer != NULL)
    self->transfer_id = g_signal_connect (transfer, "notify", G_CALLBACK (transfer_notify_cb),
                                          self);
}

/**
 * _sotto_message_row_show_file:
 *
 * Shows the card of a file message that reads, and hides it otherwise.
 */
void
_sotto_message_row_show_file (SottoMessageRow *self)
{
  const SottoFileMessage *file = self->message != NULL ? sotto_message_get_file (self->message)
                                                       : NULL;
  SottoMessageState state = self->message != NULL ? sotto_message_get_state (self->message)
                                                  : SOTTO_MESSAGE_SYSTEM;
  g_autofree char *content_type = NULL;
  g_autofree char *detail = NULL;
  g_autoptr(GIcon) icon = NULL;

  if (file == NULL || state == SOTTO_MESSAGE_WAITING_FOR_KEY ||
      state == SOTTO_MESSAGE_UNVERIFIABLE || state == SOTTO_MESSAGE_SYSTEM)
    {
      _sotto_message_row_hide_file (self);
      return;
    }

  ensure_card (self);
  gtk_label_set_text (self->file_name, file->name);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->file_name), file->name);
  detail = describe (file);
  gtk_label_set_text (self->file_detail, detail);
  content_type = g_content_type_from_mime_type (file->type);
  icon = sotto_file_type_icon (content_type);
  gtk_image_set_from_gicon (self->file_icon, icon);
  show_thumbnail (self, file);
  follow_transfer (self, sotto_message_get_transfer (self->message));
  show_transfer (self);
  gtk_widget_set_visible (self->file_box, TRUE);
}

void
_sotto_message_row_hide_file (SottoMessageRow *self)
{
  if (self->file_cancellable != NULL)
    {
      g_cancellable_cancel (self->file_cancellable);
      g_clear_object (&self->file_cancellable);
    }
  follow_transfer (self, NULL);
  if (self->file_box != NULL)
    gtk_widget_set_visible (self->file_box, FALSE);
}

static void
file_action_cb (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  SottoMessageRow *self = SOTTO_MESSAGE_ROW (widget);

  if (self->message == NULL)
    return;
  if (g_str_equal (action_name, "file.cancel"))
    {
      if (self->transfer != NULL)
        sotto_transfer_cancel (self->transfer);
    }
  else
    g_signal_emit (self, signals[FILE_ACTION], 0, self->message,
                   g_str_equal (action_name, "file.save") ? SOTTO_FILE_ACTION_SAVE
                                                          : SOTTO_FILE_ACTION_OPEN);
}

void
_sotto_message_row_file_class_init (GtkWidgetClass *widget_class)
{
  /**
   * SottoMessageRow::file-action:
   * @message: the file message
   * @action: a #SottoFileAction
   *
   * The user asked something of the file a file message names.
   */
  signals[FILE_ACTION] = g_signal_new ("file-action", G_TYPE_FROM_CLASS (widget_class),
                                       G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                                       SOTTO_TYPE_MESSAGE, G_TYPE_UINT);

  gtk_widget_class_install_action (widget_class, "file.save", NULL, file_action_cb);
  gtk_widget_class_install_action (widget_class, "file.open", NULL, file_action_cb);
  gtk_widget_class_install_action (widget_class, "file.cancel", NULL, file_action_cb);
}
