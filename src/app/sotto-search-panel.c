/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sotto-search-panel.h"

/*
 * Searching what was said, beside the room: words typed are looked for in
 * the room shown or in every room, a page of the history per turn of the
 * main loop (sotto_client_search_async()), and the results, newest
 * first, show who wrote what, where and when, the words marked. A result
 * activated asks the room view to show the message ("result-activated").
 */

/* The most results shown: a search that finds more wants more words. */
#define MAX_RESULTS 200
/* A search that takes longer than this shows that it is under way. */
#define BUSY_DELAY_MS 250
/* A text whose first word found is further in than this many characters
 * is shown from a little before it. */
#define EXCERPT_LEAD 40

struct _SottoSearchPanel
{
  GtkBox           parent_instance;

  GtkSearchEntry  *entry;
  GtkToggleButton *room_button;
  GtkToggleButton *all_button;
  GtkStack        *stack;
  GtkSpinner      *spinner;
  AdwStatusPage   *none_page;
  GtkLabel        *count_label;
  GtkScrolledWindow *scroller;
  GtkListBox      *results;

  SottoClient     *client;
  SottoRoom       *room;
  GCancellable    *cancellable;
  guint            busy_id;
  guint            n_results;
};

G_DEFINE_FINAL_TYPE (SottoSearchPanel, sotto_search_panel, GTK_TYPE_BOX)

enum
{
  RESULT_ACTIVATED,
  CLOSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* When, as short as says it: the time today, the day this year. */
static char *
format_when (gint64 ts)
{
  g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (ts > 0 ? ts / 1000 : 0);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  if (g_date_time_get_year (when) == g_date_time_get_year (now) &&
      g_date_time_get_day_of_year (when) == g_date_time_get_day_of_year (now))
    return g_date_time_format (when, "%H:%M");
  if (g_date_time_get_year (when) == g_date_time_get_year (now))
    /* Translators: a search result's day this year; see g_date_time_format() */
    return g_date_time_format (when, _("%b %-e"));
  /* Translators: a search result's day in another year; see g_date_time_format() */
  return g_date_time_format (when, _("%b %-e, %Y"));
}

/* The text as markup with the words found in bold, from a little before
 * the first of them when that is far in. */
static char *
markup_text (const char *text,
             const char *query)
{
  g_autoptr(GArray) hits = sotto_search_find_hits (text, query);
  g_autoptr(GString) markup = g_string_new (NULL);
  const char *from = text;

  if (hits->len > 0)
    {
      const char *first = text + g_array_index (hits, SottoSearchHit, 0).start;

      if (g_utf8_pointer_to_offset (text, first) > EXCERPT_LEAD + 20)
        {
          from = g_utf8_offset_to_pointer (first, -EXCERPT_LEAD);
          /* Begin at a word where there is one close by. */
          for (const char *p = from; p < first; p = g_utf8_next_char (p))
            if (g_unichar_isspace (g_utf8_get_char (p)))
              {
                from = g_utf8_next_char (p);
                break;
              }
          g_string_append (markup, "…");
        }
    }
  for (guint i = 0; i < hits->len; i++)
    {
      const SottoSearchHit *hit = &g_array_index (hits, SottoSearchHit, i);
      const char *start = text + hit->start;
      const char *end = text + hit->end;
      g_autofree char *before = NULL;
      g_autofree char *word = NULL;

      if (end <= from)
        continue;
      if (start < from)
        start = from;
      before = g_markup_escape_text (from, start - from);
      word = g_markup_escape_text (start, end - start);
      g_string_append_printf (markup, "%s<b>%s</b>", before, word);
      from = end;
    }
  {
    g_autofree char *rest = g_markup_escape_text (from, -1);

    g_string_append (markup, rest);
  }
  return g_string_free (g_steal_pointer (&markup), FALSE);
}

static GtkWidget *
make_row (SottoSearchPanel        *self,
          const SottoSearchResult *result,
          const char              *query,
          gboolean                 all_rooms)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *top = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *sender = gtk_label_new (result->sender);
  GtkWidget *when;
  GtkWidget *text;
  g_autofree char *when_text = format_when (result->ts);
  g_autofree char *markup = markup_text (result->text, query);
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (result->ts / 1000);
  g_autofree char *full = g_date_time_format (time, _("%A, %B %-d, %Y, %H:%M"));

  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_widget_set_margin_start (box, 6);
  gtk_widget_set_margin_end (box, 6);

  gtk_label_set_ellipsize (GTK_LABEL (sender), PANGO_ELLIPSIZE_END);
  gtk_label_set_xalign (GTK_LABEL (sender), 0);
  gtk_widget_add_css_class (sender, "heading");
  gtk_box_append (GTK_BOX (top), sender);
  if (all_rooms)
    {
      SottoRoom *room = self->client != NULL
                        ? sotto_client_lookup_room (self->client, result->room)
                        : NULL;
      /* Translators: where a search result was said: in a room */
      g_autofree char *where = g_strdup_printf (_("in %s"), room != NULL
                                                ? sotto_room_get_display_name (room)
                                                : result->room);
      GtkWidget *label = gtk_label_new (where);

      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_widget_add_css_class (label, "dim-label");
      gtk_box_append (GTK_BOX (top), label);
    }
  when = gtk_label_new (when_text);
  gtk_widget_set_hexpand (when, TRUE);
  gtk_label_set_xalign (GTK_LABEL (when), 1);
  gtk_widget_set_tooltip_text (when, full);
  gtk_widget_add_css_class (when, "caption");
  gtk_widget_add_css_class (when, "dim-label");
  gtk_box_append (GTK_BOX (top), when);
  gtk_box_append (GTK_BOX (box), top);

  text = gtk_label_new (NULL);
  gtk_label_set_markup (GTK_LABEL (text), markup);
  gtk_label_set_wrap (GTK_LABEL (text), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (text), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_lines (GTK_LABEL (text), 3);
  gtk_label_set_ellipsize (GTK_LABEL (text), PANGO_ELLIPSIZE_END);
  gtk_label_set_xalign (GTK_LABEL (text), 0);
  gtk_box_append (GTK_BOX (box), text);

  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  g_object_set_data_full (G_OBJECT (row), "room", g_strdup (result->room), g_free);
  g_object_set_data_full (G_OBJECT (row), "seq", g_memdup2 (&result->seq, sizeof result->seq),
                          g_free);
  return row;
}

static void
clear_results (SottoSearchPanel *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->results))) != NULL)
    gtk_list_box_remove (self->results, child);
  self->n_results = 0;
}

static void
stop_busy (SottoSearchPanel *self)
{
  g_clear_handle_id (&self->busy_id, g_source_remove);
  gtk_spinner_stop (self->spinner);
}

static void
search_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(SottoSearchPanel) self = user_data;
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(GError) error = NULL;
  const char *query;
  gboolean all_rooms;

  found = sotto_client_search_finish (SOTTO_CLIENT (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->cancellable);
  stop_busy (self);
  clear_results (self);
  if (found == NULL)
    {
      adw_status_page_set_title (self->none_page, _("Could Not Search"));
      adw_status_page_set_description (self->none_page, error->message);
      gtk_stack_set_visible_child_name (self->stack, "none");
      return;
    }
  if (found->len == 0)
    {
      adw_status_page_set_title (self->none_page, _("No Results"));
      adw_status_page_set_description (self->none_page,
                                       sotto_search_panel_get_all_rooms (self)
                                       ? _("No message on this computer holds every word")
                                       : _("No message of this room on this computer holds "
                                           "every word"));
      gtk_stack_set_visible_child_name (self->stack, "none");
      return;
    }

  query = gtk_editable_get_text (GTK_EDITABLE (self->entry));
  all_rooms = sotto_search_panel_get_all_rooms (self);
  for (guint i = 0; i < found->len; i++)
    gtk_list_box_append (self->results, make_row (self, g_ptr_array_index (found, i), query,
                                                  all_rooms));
  self->n_results = found->len;
  {
    g_autofree char *count = found->len >= MAX_RESULTS
                             ? g_strdup_printf (_("The newest %u results"), found->len)
                             : g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u result",
                                                             "%u results", found->len),
                                                found->len);

    gtk_label_set_label (self->count_label, count);
  }
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->scroller), 0);
  gtk_stack_set_visible_child_name (self->stack, "results");
}

static gboolean
busy_cb (gpointer user_data)
{
  SottoSearchPanel *self = user_data;

  self->busy_id = 0;
  gtk_spinner_start (self->spinner);
  gtk_stack_set_visible_child_name (self->stack, "busy");
  return G_SOURCE_REMOVE;
}

/* Searches again for what the entry says, where the buttons say. */
static void
refresh (SottoSearchPanel *self)
{
  g_autofree char *query = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->entry))));
  gboolean all_rooms = sotto_search_panel_get_all_rooms (self);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  stop_busy (self);

  if (*query == '\0' || self->client == NULL || (!all_rooms && self->room == NULL))
    {
      clear_results (self);
      gtk_stack_set_visible_child_name (self->stack, "start");
      return;
    }
  self->cancellable = g_cancellable_new ();
  self->busy_id = g_timeout_add (BUSY_DELAY_MS, busy_cb, self);
  sotto_client_search_async (self->client, all_rooms ? NULL : self->room, query, MAX_RESULTS,
                             self->cancellable, search_done_cb, g_object_ref (self));
}

static void
search_changed_cb (SottoSearchPanel *self)
{
  refresh (self);
}

static void
scope_toggled_cb (SottoSearchPanel *self)
{
  refresh (self);
}

static void
activate_row (SottoSearchPanel *self,
              GtkListBoxRow    *row)
{
  const char *room = g_object_get_data (G_OBJECT (row), "room");
  const gint64 *seq = g_object_get_data (G_OBJECT (row), "seq");

  if (room != NULL && seq != NULL)
    g_signal_emit (self, signals[RESULT_ACTIVATED], 0, room, *seq);
}

static void
row_activated_cb (SottoSearchPanel *self,
                  GtkListBoxRow    *row)
{
  activate_row (self, row);
}

/* Enter in the entry goes to the newest result, or to the one chosen. */
static void
entry_activate_cb (SottoSearchPanel *self)
{
  GtkListBoxRow *row = gtk_list_box_get_selected_row (self->results);

  if (row == NULL)
    row = gtk_list_box_get_row_at_index (self->results, 0);
  if (row != NULL)
    {
      gtk_list_box_select_row (self->results, row);
      activate_row (self, row);
    }
}

static void
move_selection (SottoSearchPanel *self,
                int               by)
{
  GtkListBoxRow *row = gtk_list_box_get_selected_row (self->results);
  int index = row != NULL ? gtk_list_box_row_get_index (row) + by : 0;
  GtkListBoxRow *next = index >= 0 ? gtk_list_box_get_row_at_index (self->results, index) : NULL;

  if (next == NULL)
    return;
  gtk_list_box_select_row (self->results, next);
  activate_row (self, next);
}

static void
next_match_cb (SottoSearchPanel *self)
{
  move_selection (self, 1);
}

static void
previous_match_cb (SottoSearchPanel *self)
{
  move_selection (self, -1);
}

static void
stop_search_cb (SottoSearchPanel *self)
{
  g_signal_emit (self, signals[CLOSED], 0);
}

static void
sotto_search_panel_dispose (GObject *object)
{
  SottoSearchPanel *self = SOTTO_SEARCH_PANEL (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  stop_busy (self);
  g_clear_object (&self->client);
  g_clear_object (&self->room);
  gtk_widget_dispose_template (GTK_WIDGET (object), SOTTO_TYPE_SEARCH_PANEL);
  G_OBJECT_CLASS (sotto_search_panel_parent_class)->dispose (object);
}

static void
sotto_search_panel_class_init (SottoSearchPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sotto_search_panel_dispose;

  /**
   * SottoSearchPanel::result-activated:
   * @room: the room's name
   * @seq: the message's number in it
   *
   * The user asked to see a message found.
   */
  signals[RESULT_ACTIVATED] = g_signal_new ("result-activated", G_TYPE_FROM_CLASS (klass),
                                            G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE,
                                            2, G_TYPE_STRING, G_TYPE_INT64);
  /**
   * SottoSearchPanel::closed:
   *
   * The user is done searching (Escape).
   */
  signals[CLOSED] = g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                  NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/sottochat/Sotto/ui/sotto-search-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, SottoSearchPanel, entry);
  gtk_widget_class_bind_template_child (widget_class, SottoSearchPanel, room_button);
  gtk_widget_class_bind_template_child (widget_class, SottoSearchPanel, all_button);
  gtk_widget_class_bind_template_child (widget_class, SottoSearchPanel, stack);
  gtk_widget_class_bind_template_child (widget_class, SottoSearchPanel, spinner);
  gtk_widget_class_bind_template_child (widget_class, SottoSearchPanel, none_page);
  gtk_widget_class_bind_template_child (widget_class, SottoSearchPanel, count_label);
  gtk_widget_class_bind_template_child (widget_class, SottoSearchPanel, scroller);
  gtk_widget_class_bind_template_child (widget_class, SottoSearchPanel, results);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, scope_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, entry_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, next_match_cb);
  gtk_widget_class_bind_template_callback (widget_class, previous_match_cb);
  gtk_widget_class_bind_template_callback (widget_class, stop_search_cb);
}

static void
sotto_search_panel_init (SottoSearchPanel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

void
sotto_search_panel_set_client (SottoSearchPanel *self,
                               SottoClient      *client)
{
  g_return_if_fail (SOTTO_IS_SEARCH_PANEL (self));
  g_return_if_fail (client == NULL || SOTTO_IS_CLIENT (client));

  if (g_set_object (&self->client, client))
    refresh (self);
}

/**
 * sotto_search_panel_set_room:
 * @room: (nullable): the room shown
 *
 * The room "This Room" searches; a search of it is made again.
 */
void
sotto_search_panel_set_room (SottoSearchPanel *self,
                             SottoRoom        *room)
{
  g_return_if_fail (SOTTO_IS_SEARCH_PANEL (self));
  g_return_if_fail (room == NULL || SOTTO_IS_ROOM (room));

  if (g_set_object (&self->room, room) && !sotto_search_panel_get_all_rooms (self))
    refresh (self);
}

gboolean
sotto_search_panel_get_all_rooms (SottoSearchPanel *self)
{
  g_return_val_if_fail (SOTTO_IS_SEARCH_PANEL (self), FALSE);
  return gtk_toggle_button_get_active (self->all_button);
}

void
sotto_search_panel_set_all_rooms (SottoSearchPanel *self,
                                  gboolean          all_rooms)
{
  g_return_if_fail (SOTTO_IS_SEARCH_PANEL (self));
  gtk_toggle_button_set_active (all_rooms ? self->all_button : self->room_button, TRUE);
}

/* Puts the keyboard in the entry, its text selected to be typed over. */
void
sotto_search_panel_focus (SottoSearchPanel *self)
{
  g_return_if_fail (SOTTO_IS_SEARCH_PANEL (self));
  gtk_widget_grab_focus (GTK_WIDGET (self->entry));
  gtk_editable_select_region (GTK_EDITABLE (self->entry), 0, -1);
}

void
sotto_search_panel_set_text (SottoSearchPanel *self,
                             const char       *text)
{
  g_return_if_fail (SOTTO_IS_SEARCH_PANEL (self));
  gtk_editable_set_text (GTK_EDITABLE (self->entry), text);
  /* At once, not after the entry's pause for typing. */
  refresh (self);
}

guint
sotto_search_panel_get_n_results (SottoSearchPanel *self)
{
  g_return_val_if_fail (SOTTO_IS_SEARCH_PANEL (self), 0);
  return self->n_results;
}

/* Whether a search is under way. */
gboolean
sotto_search_panel_get_busy (SottoSearchPanel *self)
{
  g_return_val_if_fail (SOTTO_IS_SEARCH_PANEL (self), FALSE);
  return self->cancellable != NULL;
}

/**
 * sotto_search_panel_get_result_row:
 *
 * Returns: (transfer none) (nullable): the row of the result at @index
 */
GtkWidget *
sotto_search_panel_get_result_row (SottoSearchPanel *self,
                                   guint             index)
{
  g_return_val_if_fail (SOTTO_IS_SEARCH_PANEL (self), NULL);
  return GTK_WIDGET (gtk_list_box_get_row_at_index (self->results, (int) index));
}
