/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sotto-message-row-private.h"

/*
 * What the client found the server doing to the order of a message's
 * sender's messages, as lines with a warning sign: those that never came
 * before it (a line of the timeline above it), and under it whether it
 * was held back or backdated. The lines are made on first need, as most
 * rows never show one, and kept, hidden, for the next message the row
 * shows.
 */

/* A line with a warning sign that tells what the server did to the order
 * of messages: under a message, as its state is; or in the timeline, as a
 * system line is, with a larger icon. */
static GtkWidget *
order_note_new (gboolean   in_timeline,
                GtkLabel **label)
{
  /* A grid, as the message is laid out (sotto-message-row.ui): a box
   * would ask the wrapping label for its width at given heights. */
  GtkWidget *box = gtk_grid_new ();
  GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");

  *label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (*label, 0);
  gtk_label_set_wrap (*label, TRUE);
  gtk_label_set_wrap_mode (*label, PANGO_WRAP_WORD_CHAR);
  gtk_widget_set_hexpand (GTK_WIDGET (*label), TRUE);
  gtk_image_set_pixel_size (GTK_IMAGE (icon), in_timeline ? 16 : 12);
  /* At least as tall as the line of text: GTK rounds a wrapping label's
   * height a pixel apart with and without a width, and a box that only
   * the label sets the height of then measures inconsistently. */
  gtk_widget_set_size_request (icon, -1, 16);
  gtk_widget_set_valign (icon, GTK_ALIGN_START);
  gtk_widget_add_css_class (box, "order-note");
  gtk_widget_add_css_class (icon, "warning");
  gtk_widget_add_css_class (GTK_WIDGET (*label), "caption");
  gtk_grid_set_column_spacing (GTK_GRID (box), in_timeline ? 6 : 4);
  gtk_grid_attach (GTK_GRID (box), icon, 0, 0, 1, 1);
  gtk_grid_attach (GTK_GRID (box), GTK_WIDGET (*label), 1, 0, 1, 1);

  return box;
}

/* Shows @text in the note at @box, made after @sibling on first need, or
 * hides the note for %NULL. */
static void
show_order_note (GtkWidget  **box,
                 GtkLabel   **label,
                 GtkWidget   *sibling,
                 const char  *text,
                 const char  *detail)
{
  if (text == NULL)
    {
      if (*box != NULL)
        gtk_widget_set_visible (*box, FALSE);
      return;
    }

  if (*box == NULL)
    {
      *box = order_note_new (FALSE, label);
      gtk_box_insert_child_after (GTK_BOX (gtk_widget_get_parent (sibling)), *box, sibling);
    }
  gtk_label_set_text (*label, text);
  gtk_widget_set_tooltip_text (*box, detail);
  gtk_widget_set_visible (*box, TRUE);
}

/**
 * _sotto_message_row_show_order:
 *
 * Shows what the client found the server doing to the order of the
 * message shown: messages of its sender that never came before it, and
 * whether it was held back or backdated.
 */
void
_sotto_message_row_show_order (SottoMessageRow *self)
{
  const char *sender = sotto_message_get_sender (self->message);
  guint64 missing = sotto_message_get_missing_before (self->message);
  SottoMessageMarks marks = sotto_message_get_marks (self->message);
  g_autofree char *missing_text = NULL;
  g_autofree char *missing_detail = NULL;
  g_autofree char *late_detail = NULL;
  g_autofree char *backdated_text = NULL;
  g_autofree char *backdated_detail = NULL;

  if (sender == NULL)
    sender = "";

  missing_text = sotto_message_dup_missing_text (self->message);
  if (missing > 0)
    {
      gulong n = (gulong) MIN (missing, G_MAXULONG);

      missing_detail = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                     "The server did not deliver it. Sotto "
                                                     "noticed because %s numbers every message.",
                                                     "The server did not deliver them. Sotto "
                                                     "noticed because %s numbers every message.",
                                                     n),
                                        sender);
    }
  /* Between this message and the one before, where the others would
   * have been: a line of the timeline, as a system line is. */
  if (missing_text != NULL && self->missing_box == NULL)
    {
      self->missing_box = order_note_new (TRUE, &self->missing_label);
      gtk_widget_set_halign (self->missing_box, GTK_ALIGN_CENTER);
      gtk_widget_set_margin_top (self->missing_box, 8);
      gtk_widget_add_css_class (self->missing_box, "missing");
      gtk_label_set_justify (self->missing_label, GTK_JUSTIFY_CENTER);
      gtk_box_insert_child_after (GTK_BOX (gtk_widget_get_parent (self->system_box)),
                                  self->missing_box, self->system_box);
    }
  show_order_note (&self->missing_box, &self->missing_label, self->system_box, missing_text,
                   missing_detail);

  if (marks & SOTTO_MESSAGE_MARK_LATE)
    late_detail = g_strdup_printf (_("The server put it after a later message from %s, or it "
                                     "came after it was reported missing."), sender);
  show_order_note (&self->late_box, &self->late_label, self->status_box,
                   sotto_message_get_late_text (self->message), late_detail);

  if (marks & SOTTO_MESSAGE_MARK_TIME_MISMATCH)
    {
      int minutes = SOTTO_MESSAGE_CLOCK_TOLERANCE_MS / 60000;

      /* Translators: when a message was written, on another day than the
       * server gives for it, see strftime */
      backdated_text = sotto_message_dup_backdated_text (self->message, _("%B %-e, %H:%M"));
      backdated_detail = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                       "The time %s signed is more than %d "
                                                       "minute after the time the server gives.",
                                                       "The time %s signed is more than %d "
                                                       "minutes after the time the server gives.",
                                                       minutes),
                                          sender, minutes);
    }
  show_order_note (&self->backdated_box, &self->backdated_label,
                   self->late_box != NULL ? self->late_box : self->status_box,
                   backdated_text, backdated_detail);

  /* Room between the notes and the message grouped under this one, so
   * that they are seen to belong to this one. */
  gtk_widget_set_margin_bottom (self->message_box,
                                late_detail != NULL || backdated_text != NULL ? 4 : 0);
}

/**
 * _sotto_message_row_hide_order:
 *
 * Hides the line above the message, which stands outside it, for a row
 * that shows a day or a system line; the lines under it go with it.
 */
void
_sotto_message_row_hide_order (SottoMessageRow *self)
{
  if (self->missing_box != NULL)
    gtk_widget_set_visible (self->missing_box, FALSE);
}

