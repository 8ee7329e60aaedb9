/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sotto-message-row-private.h"

/*
 * One row of the chat view: a day separator, a system line (joined, left,
 * new keys, server notice), or a message with its sender, time, body and,
 * while it has one, its state ("Sending…", waiting for a key, …). A
 * message also tells what the server did to the order of its sender's
 * messages (sotto-message-row-order.c), a file's card
 * (sotto-message-row-file.c), and quotes, edits, deletions, reactions and
 * the message menu (sotto-message-row-actions.c).
 */

enum {
  PROP_0,
  PROP_ITEM,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (SottoMessageRow, sotto_message_row, ADW_TYPE_BIN)

/**
 * sotto_linkify:
 *
 * Returns: (transfer full): @text as Pango markup, with web and mail
 *   addresses made into links
 */
char *
sotto_linkify (const char *text)
{
  static GRegex *links;
  g_autofree char *escaped = g_markup_escape_text (text != NULL ? text : "", -1);

  if (g_once_init_enter (&links))
    g_once_init_leave (&links,
                       g_regex_new ("\\b(?:https?://|mailto:)[^\\s<>\"]*[^\\s<>\".,;:!?')\\]]",
                                    G_REGEX_OPTIMIZE | G_REGEX_CASELESS, 0, NULL));

  return g_regex_replace (links, escaped, -1, 0, "<a href=\"\\0\">\\0</a>", 0, NULL);
}

/**
 * sotto_format_day:
 *
 * Returns: (transfer full): "Today", "Yesterday", a weekday within the
 *   week, or the date
 */
char *
sotto_format_day (GDateTime *day,
                  GDateTime *now)
{
  g_autoptr(GDateTime) today = g_date_time_new_local (g_date_time_get_year (now),
                                                      g_date_time_get_month (now),
                                                      g_date_time_get_day_of_month (now),
                                                      0, 0, 0);
  GTimeSpan ago = g_date_time_difference (today, day);

  if (ago <= 0)
    return g_strdup (_("Today"));
  if (ago <= G_TIME_SPAN_DAY + G_TIME_SPAN_HOUR)
    return g_strdup (_("Yesterday"));
  if (ago < 6 * G_TIME_SPAN_DAY)
    /* Translators: a day separator in the chat within the last week, see strftime */
    return g_date_time_format (day, _("%A"));
  if (g_date_time_get_year (day) == g_date_time_get_year (now))
    /* Translators: a day separator in the chat this year, see strftime */
    return g_date_time_format (day, _("%A, %B %-e"));
  /* Translators: a day separator in the chat, see strftime */
  return g_date_time_format (day, _("%A, %B %-e, %Y"));
}

static void
show_state (SottoMessageRow *self)
{
  SottoMessageState state = sotto_message_get_state (self->message);
  const char *status = NULL;
  const char *detail = NULL;
  const char *icon = NULL;
  const char *text = sotto_message_get_text (self->message);
  g_autofree char *markup = NULL;
  gboolean problem = FALSE;

  switch (state)
    {
    case SOTTO_MESSAGE_SENDING:
      status = _("Sending…");
      icon = "sotto-send-symbolic";
      break;
    case SOTTO_MESSAGE_WAITING_FOR_KEY:
      status = _("Waiting for the sender’s key…");
      detail = _("The message appears as soon as the sender’s key arrives.");
      icon = "dialog-password-symbolic";
      text = NULL;
      break;
    case SOTTO_MESSAGE_UNVERIFIABLE:
      status = _("Could not be verified, so it is not shown");
      detail = _("This message could not be verified as coming from its sender: it may have "
                 "been changed on the way.");
      icon = "dialog-warning-symbolic";
      text = NULL;
      problem = TRUE;
      break;
    case SOTTO_MESSAGE_SENT:
    case SOTTO_MESSAGE_RECEIVED:
    case SOTTO_MESSAGE_SYSTEM:
    default:
      break;
    }

  /* A file message shows its card, not its name as text. */
  if (sotto_message_get_file (self->message) != NULL)
    text = NULL;
  markup = text != NULL ? sotto_linkify (text) : NULL;
  /* Edited, or deleted: said in the body. */
  if (state == SOTTO_MESSAGE_SENT || state == SOTTO_MESSAGE_RECEIVED)
    {
      g_autofree char *changed = _sotto_message_row_body_markup (self, markup);
      g_autofree char *before = _sotto_message_row_body_tooltip (self);

      if (changed != NULL)
        {
          g_free (markup);
          markup = g_steal_pointer (&changed);
        }
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->body_label), before);
    }
  else
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->body_label), NULL);
  gtk_label_set_markup (self->body_label, markup != NULL ? markup : "");
  gtk_widget_set_visible (GTK_WIDGET (self->body_label), markup != NULL);
  _sotto_message_row_show_file (self);
  _sotto_message_row_show_actions (self);

  gtk_widget_set_visible (self->status_box, status != NULL);
  gtk_label_set_text (self->status_label, status != NULL ? status : "");
  gtk_widget_set_tooltip_text (self->status_box, detail);
  gtk_image_set_from_icon_name (self->status_icon, icon);
  if (problem)
    gtk_widget_add_css_class (self->status_box, "error");
  else
    gtk_widget_remove_css_class (self->status_box, "error");
  if (state == SOTTO_MESSAGE_SENDING)
    gtk_widget_add_css_class (GTK_WIDGET (self), "sending");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "sending");
  gtk_widget_set_opacity (GTK_WIDGET (self->status_box), problem ? 1.0 : 0.7);
}

/* A message after a gap, or after the "New Messages" line, starts a
 * group again: the line stands between it and the one before. */
static void
show_grouping (SottoMessageRow *self)
{
  gboolean grouped = self->grouped && sotto_message_get_missing_before (self->message) == 0 &&
                     !self->first_new;

  gtk_widget_set_visible (GTK_WIDGET (self->avatar), !grouped);
  gtk_widget_set_visible (self->header_box, !grouped);
  gtk_widget_set_margin_start (self->content_box, grouped ? 48 : 0);
  gtk_widget_set_margin_top (self->message_box, grouped ? 0 : 8);
}

/* Shows one of the three kinds of row, hiding the others. */
static void
show_part (SottoMessageRow *self,
           GtkWidget       *part)
{
  gtk_widget_set_visible (self->day_box, part == self->day_box);
  gtk_widget_set_visible (self->system_box, part == self->system_box);
  gtk_widget_set_visible (self->message_box, part == self->message_box);
  if (part != self->message_box)
    {
      _sotto_message_row_hide_order (self);
      _sotto_message_row_hide_file (self);
    }
}

static void
message_notify_cb (SottoMessage    *message,
                   GParamSpec      *pspec,
                   SottoMessageRow *self)
{
  const char *name = g_param_spec_get_name (pspec);

  if (g_str_equal (name, "state") || g_str_equal (name, "text") || g_str_equal (name, "file") ||
      g_str_equal (name, "edited") || g_str_equal (name, "deletion") ||
      g_str_equal (name, "reactions"))
    show_state (self);
  else if (g_str_equal (name, "transfer"))
    _sotto_message_row_show_file (self);
  else if (g_str_equal (name, "missing-before") || g_str_equal (name, "marks") ||
           g_str_equal (name, "sent-at"))
    {
      _sotto_message_row_show_order (self);
      show_grouping (self);
    }
}

/**
 * sotto_message_row_dup_time_tooltip:
 *
 * Returns: (transfer full) (nullable): the message's date and time in
 *   full, as the tooltips of its time (or of a grouped message, its
 *   whole line) say it; %NULL without a message
 */
char *
sotto_message_row_dup_time_tooltip (SottoMessageRow *self)
{
  gint64 ts;
  g_autoptr(GDateTime) time = NULL;

  g_return_val_if_fail (SOTTO_IS_MESSAGE_ROW (self), NULL);

  if (self->message == NULL)
    return NULL;
  ts = sotto_message_get_ts (self->message);
  time = g_date_time_new_from_unix_local (ts > 0 ? ts / 1000 : g_get_real_time () / G_USEC_PER_SEC);
  /* Translators: a message's date and time in full, shown when the
   * pointer rests on it, as g_date_time_format() writes it: %A the
   * weekday, %-d the day, %B the month, %Y the year, %H:%M the time */
  return g_date_time_format (time, _("%A, %B %-d, %Y, %H:%M"));
}

/* The date in full is made when the pointer rests on the time, or on a
 * grouped message (which shows no time), or on an event's line: setting
 * a tooltip's text on every row bound asks the X server where the
 * pointer is, which was most of the cost of scrolling. */
static gboolean
time_tooltip_cb (GtkWidget       *widget,
                 int              x,
                 int              y,
                 gboolean         keyboard,
                 GtkTooltip      *tooltip,
                 SottoMessageRow *self)
{
  g_autofree char *full = NULL;

  /* A message with its header has its time there to point at. */
  if (self->message == NULL ||
      (widget == self->content_box && gtk_widget_get_visible (GTK_WIDGET (self->avatar))))
    return FALSE;
  full = sotto_message_row_dup_time_tooltip (self);
  gtk_tooltip_set_text (tooltip, full);
  return TRUE;
}

static void
show_message (SottoMessageRow *self,
              gboolean         grouped,
              const char      *own_user)
{
  const char *sender = sotto_message_get_sender (self->message);
  gint64 ts = sotto_message_get_ts (self->message);
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (ts > 0 ? ts / 1000
                                                               : g_get_real_time () / G_USEC_PER_SEC);
  g_autofree char *clock = g_date_time_format (time, "%H:%M");

  if (sotto_message_get_state (self->message) == SOTTO_MESSAGE_SYSTEM)
    {
      gtk_label_set_text (self->system_label, sotto_message_get_text (self->message));
      show_part (self, self->system_box);
      return;
    }

  self->own = own_user != NULL && g_strcmp0 (sender, own_user) == 0;
  if (g_strcmp0 (self->own_user, own_user) != 0)
    {
      g_free (self->own_user);
      self->own_user = g_strdup (own_user);
    }
  self->grouped = grouped;
  show_part (self, self->message_box);
  adw_avatar_set_text (self->avatar, sender);
  gtk_label_set_text (self->sender_label, sender != NULL ? sender : "");
  gtk_label_set_text (self->time_label, clock);
  if (self->own)
    gtk_widget_add_css_class (GTK_WIDGET (self), "own");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "own");

  self->notify_id = g_signal_connect (self->message, "notify", G_CALLBACK (message_notify_cb),
                                      self);
  show_state (self);
  _sotto_message_row_show_order (self);
  show_grouping (self);
}

/**
 * sotto_message_row_set_item:
 * @item: (nullable): what to show, or %NULL to unbind
 * @own_user: (nullable): the logged-in user, whose messages look their own
 */
void
sotto_message_row_set_item (SottoMessageRow   *self,
                            SottoTimelineItem *item,
                            const char        *own_user)
{
  g_return_if_fail (SOTTO_IS_MESSAGE_ROW (self));

  if (self->message != NULL)
    g_clear_signal_handler (&self->notify_id, self->message);
  g_clear_object (&self->message);
  g_set_object (&self->item, item);

  /* Unbinding leaves the widgets as they are: a recycled row is shown
   * again at once, and each part is shown or hidden only when it changes,
   * which spares mapping it anew. */
  if (item == NULL)
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ITEM]);
      return;
    }

  if (sotto_timeline_item_get_message (item) == NULL)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();
      g_autofree char *day = sotto_format_day (sotto_timeline_item_get_day (item), now);

      gtk_label_set_text (self->day_label, day);
      show_part (self, self->day_box);
    }
  else
    {
      self->message = g_object_ref (sotto_timeline_item_get_message (item));
      show_message (self, sotto_timeline_item_get_grouped (item), own_user);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ITEM]);
}

/**
 * sotto_message_row_set_first_new:
 * @first_new: whether the message shown is the first the user has not
 *   seen
 *
 * Shows the "New Messages" line above the row's message, or hides it.
 */
void
sotto_message_row_set_first_new (SottoMessageRow *self,
                                 gboolean         first_new)
{
  GtkWidget *label;
  GtkWidget *line;

  g_return_if_fail (SOTTO_IS_MESSAGE_ROW (self));

  self->first_new = first_new;
  if (!first_new)
    {
      if (self->new_box != NULL)
        gtk_widget_set_visible (self->new_box, FALSE);
      return;
    }
  if (self->new_box == NULL)
    {
      self->new_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
      gtk_widget_add_css_class (self->new_box, "new-messages");
      gtk_widget_set_margin_top (self->new_box, 8);
      gtk_widget_set_margin_bottom (self->new_box, 4);
      line = gtk_separator_new (GTK_ORIENTATION_HORIZONTAL);
      gtk_widget_set_hexpand (line, TRUE);
      gtk_widget_set_valign (line, GTK_ALIGN_CENTER);
      gtk_box_append (GTK_BOX (self->new_box), line);
      label = gtk_label_new (_("New Messages"));
      gtk_widget_add_css_class (label, "caption-heading");
      gtk_box_append (GTK_BOX (self->new_box), label);
      line = gtk_separator_new (GTK_ORIENTATION_HORIZONTAL);
      gtk_widget_set_hexpand (line, TRUE);
      gtk_widget_set_valign (line, GTK_ALIGN_CENTER);
      gtk_box_append (GTK_BOX (self->new_box), line);
      gtk_box_insert_child_after (GTK_BOX (gtk_widget_get_parent (self->day_box)), self->new_box,
                                  self->system_box);
    }
  gtk_widget_set_visible (self->new_box, TRUE);
}

/**
 * sotto_message_row_set_client:
 * @client: (nullable): the logged-in client, which says what the user may
 *   do to a message (its menu)
 */
void
sotto_message_row_set_client (SottoMessageRow *self,
                              SottoClient     *client)
{
  g_return_if_fail (SOTTO_IS_MESSAGE_ROW (self));
  /* Not held: a row outlives a logout until it is bound again. */
  g_set_weak_pointer (&self->client, client);
}

/**
 * sotto_message_row_get_item:
 *
 * Returns: (transfer none) (nullable): the item shown
 */
SottoTimelineItem *
sotto_message_row_get_item (SottoMessageRow *self)
{
  g_return_val_if_fail (SOTTO_IS_MESSAGE_ROW (self), NULL);
  return self->item;
}

/* Sizes: a row is laid out height-for-width only. Its width does not
 * depend on its height, and with no width given its height is the one
 * at its natural width, as a box of its parts would say. */

static GtkSizeRequestMode
sotto_message_row_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
sotto_message_row_measure (GtkWidget      *widget,
                           GtkOrientation  orientation,
                           int             for_size,
                           int            *minimum,
                           int            *natural,
                           int            *minimum_baseline,
                           int            *natural_baseline)
{
  GtkWidget *child = adw_bin_get_child (ADW_BIN (widget));

  if (child == NULL)
    return;
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    for_size = -1;
  else if (for_size < 0)
    gtk_widget_measure (child, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &for_size, NULL, NULL);
  gtk_widget_measure (child, orientation, for_size, minimum, natural,
                      minimum_baseline, natural_baseline);
}

static void
sotto_message_row_size_allocate (GtkWidget *widget,
                                 int        width,
                                 int        height,
                                 int        baseline)
{
  GtkWidget *bin_child = adw_bin_get_child (ADW_BIN (widget));

  if (bin_child != NULL)
    gtk_widget_allocate (bin_child, width, height, baseline, NULL);
  /* The message menu and the emoji chooser are the row's too; a layout
   * manager would present them. */
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_POPOVER (child))
      gtk_popover_present (GTK_POPOVER (child));
}

static void
sotto_message_row_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_ITEM:
      g_value_set_object (value, SOTTO_MESSAGE_ROW (object)->item);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sotto_message_row_dispose (GObject *object)
{
  SottoMessageRow *self = SOTTO_MESSAGE_ROW (object);

  if (self->message != NULL)
    g_clear_signal_handler (&self->notify_id, self->message);
  g_clear_object (&self->message);
  g_clear_object (&self->item);
  g_clear_pointer (&self->own_user, g_free);
  g_clear_weak_pointer (&self->client);
  _sotto_message_row_hide_file (self);
  _sotto_message_row_actions_dispose (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), SOTTO_TYPE_MESSAGE_ROW);

  G_OBJECT_CLASS (sotto_message_row_parent_class)->dispose (object);
}

static void
sotto_message_row_class_init (SottoMessageRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sotto_message_row_dispose;
  object_class->get_property = sotto_message_row_get_property;
  widget_class->get_request_mode = sotto_message_row_get_request_mode;
  widget_class->measure = sotto_message_row_measure;
  widget_class->size_allocate = sotto_message_row_size_allocate;

  properties[PROP_ITEM] =
    g_param_spec_object ("item", NULL, NULL, SOTTO_TYPE_TIMELINE_ITEM,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               APP_RESOURCE_PATH "/ui/sotto-message-row.ui");
  gtk_widget_class_bind_template_child (widget_class, SottoMessageRow, day_box);
  gtk_widget_class_bind_template_child (widget_class, SottoMessageRow, day_label);
  gtk_widget_class_bind_template_child (widget_class, SottoMessageRow, system_box);
  gtk_widget_class_bind_template_child (widget_class, SottoMessageRow, system_label);
  gtk_widget_class_bind_template_child (widget_class, SottoMessageRow, message_overlay);
  gtk_widget_class_bind_template_child (widget_class, SottoMessageRow, message_box);
  gtk_widget_class_bind_template_child (widget_class, SottoMessageRow, avatar);
  gtk_widget_class_bind_template_child (widget_class, SottoMessageRow, content_box);
  gtk_widget_class_bind_template_child (widget_class, SottoMessageRow, header_box);
  gtk_widget_class_bind_template_child (widget_class, SottoMessageRow, sender_label);
  gtk_widget_class_bind_template_child (widget_class, SottoMessageRow, time_label);
  gtk_widget_class_bind_template_child (widget_class, SottoMessageRow, body_label);
  gtk_widget_class_bind_template_child (widget_class, SottoMessageRow, status_box);
  gtk_widget_class_bind_template_child (widget_class, SottoMessageRow, status_icon);
  gtk_widget_class_bind_template_child (widget_class, SottoMessageRow, status_label);
  gtk_widget_class_set_css_name (widget_class, "messagerow");

  _sotto_message_row_file_class_init (widget_class);
  _sotto_message_row_actions_class_init (widget_class);
}

static void
sotto_message_row_init (SottoMessageRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  /* The row measures its child itself (above), not through a bin layout. */
  gtk_widget_set_layout_manager (GTK_WIDGET (self), NULL);
  _sotto_message_row_actions_init (self);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self->time_label), TRUE);
  gtk_widget_set_has_tooltip (self->content_box, TRUE);
  gtk_widget_set_has_tooltip (self->system_box, TRUE);
  g_signal_connect (self->time_label, "query-tooltip", G_CALLBACK (time_tooltip_cb), self);
  g_signal_connect (self->content_box, "query-tooltip", G_CALLBACK (time_tooltip_cb), self);
  g_signal_connect (self->system_box, "query-tooltip", G_CALLBACK (time_tooltip_cb), self);
}

SottoMessageRow *
sotto_message_row_new (void)
{
  return g_object_new (SOTTO_TYPE_MESSAGE_ROW, NULL);
}
