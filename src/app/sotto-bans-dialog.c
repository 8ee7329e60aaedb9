/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sotto-bans-dialog.h"

/*
 * Who was removed from a room and is kept out of it, for the room's
 * creator: each with who removed them and when, and a button that lets
 * them back in. Failures are told in the window, as win.show-toast.
 */

struct _SottoBansDialog
{
  AdwMessageDialog   parent_instance;

  GtkStack          *stack;
  GtkScrolledWindow *scroller;
  GtkListBox        *ban_list;

  SottoClient       *client;
  GCancellable      *cancellable;
  char              *room;
  char              *label;
  gboolean           loaded;
  guint              n_bans;
};

enum {
  PROP_0,
  PROP_LOADED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (SottoBansDialog, sotto_bans_dialog, ADW_TYPE_MESSAGE_DIALOG)

/* Taller lists scroll. */
#define MAX_LIST_HEIGHT 320

static void
toast (SottoBansDialog *self,
       const char      *text)
{
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (self));

  if (parent != NULL)
    gtk_widget_activate_action (GTK_WIDGET (parent), "win.show-toast", "s", text);
}

/* The words over the list, once it is known, and the list as tall as its
 * rows up to a point: a shown window grows to what its content needs at
 * least, not to what it would like. */
static void
update_body (SottoBansDialog *self)
{
  g_autofree char *body = NULL;
  int width = -1;
  int natural = 0;

  gtk_widget_get_size_request (GTK_WIDGET (self->scroller), &width, NULL);
  gtk_widget_measure (GTK_WIDGET (self->ban_list), GTK_ORIENTATION_VERTICAL, width, NULL,
                      &natural, NULL, NULL);
  gtk_scrolled_window_set_min_content_height (self->scroller, MIN (natural, MAX_LIST_HEIGHT));

  if (self->n_bans > 0)
    body = g_strdup_printf (_("They cannot join %s again until you let them back in."),
                            self->label);
  else
    body = g_strdup_printf (_("Nobody has been removed from %s."), self->label);
  adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (self), body);
  gtk_stack_set_visible_child_name (self->stack, self->n_bans > 0 ? "list" : "empty");
}

static char *
describe (SottoBan   *ban,
          const char *own_user)
{
  const char *banned_by = sotto_ban_get_banned_by (ban);
  g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (sotto_ban_get_banned_at (ban) /
                                                              1000);
  /* Translators: a date, as in "Removed by alice on November 14, 2023" */
  g_autofree char *date = when != NULL ? g_date_time_format (when, _("%B %-e, %Y")) : NULL;

  if (date == NULL)
    date = g_strdup ("?");

  if (banned_by == NULL)
    return g_strdup_printf (_("Removed by the server’s operator on %s"), date);
  if (g_strcmp0 (banned_by, own_user) == 0)
    return g_strdup_printf (_("Removed by you on %s"), date);
  /* Translators: the first %s is who removed them, the second a date */
  return g_strdup_printf (_("Removed by %s on %s"), banned_by, date);
}

/* Letting one back in */

typedef struct
{
  SottoBansDialog *dialog;
  GtkWidget       *row;
  GtkWidget       *button;
} LettingIn;

static void
unbanned_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  LettingIn *letting = user_data;
  g_autoptr(SottoBansDialog) self = letting->dialog;
  g_autoptr(GtkWidget) row = letting->row;
  g_autoptr(GtkWidget) button = letting->button;
  g_autoptr(GError) error = NULL;

  g_free (letting);
  if (!sotto_client_unban_finish (SOTTO_CLIENT (object), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      gtk_widget_set_sensitive (button, TRUE);
      toast (self, error->message);
      return;
    }

  if (gtk_widget_get_parent (row) == GTK_WIDGET (self->ban_list))
    {
      gtk_list_box_remove (self->ban_list, row);
      self->n_bans--;
      update_body (self);
    }
}

static void
let_back_in_clicked_cb (GtkButton       *button,
                        SottoBansDialog *self)
{
  GtkWidget *row = gtk_widget_get_ancestor (GTK_WIDGET (button), GTK_TYPE_LIST_BOX_ROW);
  const char *user = g_object_get_data (G_OBJECT (row), "user");
  LettingIn *letting = g_new0 (LettingIn, 1);

  letting->dialog = g_object_ref (self);
  letting->row = g_object_ref (row);
  letting->button = g_object_ref (GTK_WIDGET (button));
  gtk_widget_set_sensitive (GTK_WIDGET (button), FALSE);
  sotto_client_unban_async (self->client, self->room, user, self->cancellable, unbanned_cb,
                            letting);
}

static GtkWidget *
make_row (SottoBansDialog *self,
          SottoBan        *ban)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *button = gtk_button_new_with_mnemonic (_("_Let Back In"));
  g_autofree char *subtitle = describe (ban, sotto_client_get_user (self->client));

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), sotto_ban_get_user (ban));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  g_object_set_data_full (G_OBJECT (row), "user", g_strdup (sotto_ban_get_user (ban)), g_free);

  g_object_set_data (G_OBJECT (row), "button", button);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  g_signal_connect_object (button, "clicked", G_CALLBACK (let_back_in_clicked_cb), self, 0);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);

  return row;
}

static void
listed_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(SottoBansDialog) self = user_data;
  g_autoptr(GPtrArray) bans = NULL;
  g_autoptr(GError) error = NULL;

  bans = sotto_client_list_bans_finish (SOTTO_CLIENT (object), result, &error);
  if (bans == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      toast (self, error->message);
      gtk_window_close (GTK_WINDOW (self));
      return;
    }

  for (guint i = 0; i < bans->len; i++)
    gtk_list_box_append (self->ban_list, make_row (self, g_ptr_array_index (bans, i)));
  self->n_bans = bans->len;
  update_body (self);

  self->loaded = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADED]);
}

static void
sotto_bans_dialog_dispose (GObject *object)
{
  SottoBansDialog *self = SOTTO_BANS_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->client);
  gtk_widget_dispose_template (GTK_WIDGET (self), SOTTO_TYPE_BANS_DIALOG);

  G_OBJECT_CLASS (sotto_bans_dialog_parent_class)->dispose (object);
}

static void
sotto_bans_dialog_finalize (GObject *object)
{
  SottoBansDialog *self = SOTTO_BANS_DIALOG (object);

  g_clear_object (&self->cancellable);
  g_free (self->room);
  g_free (self->label);

  G_OBJECT_CLASS (sotto_bans_dialog_parent_class)->finalize (object);
}

static void
sotto_bans_dialog_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  SottoBansDialog *self = SOTTO_BANS_DIALOG (object);

  switch (prop_id)
    {
    case PROP_LOADED:
      g_value_set_boolean (value, self->loaded);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sotto_bans_dialog_class_init (SottoBansDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sotto_bans_dialog_dispose;
  object_class->finalize = sotto_bans_dialog_finalize;
  object_class->get_property = sotto_bans_dialog_get_property;

  /**
   * SottoBansDialog:loaded:
   *
   * Whether the server's list is shown.
   */
  properties[PROP_LOADED] =
    g_param_spec_boolean ("loaded", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               APP_RESOURCE_PATH "/ui/sotto-bans-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, SottoBansDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, SottoBansDialog, scroller);
  gtk_widget_class_bind_template_child (widget_class, SottoBansDialog, ban_list);
}

static void
sotto_bans_dialog_init (SottoBansDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
}

/**
 * sotto_bans_dialog_new:
 * @parent: (nullable): the window it belongs to, where failures are told
 * @room: a room the user created
 *
 * Returns: (transfer none): the dialog, not yet shown, asking the server
 *   who is kept out of @room
 */
SottoBansDialog *
sotto_bans_dialog_new (GtkWindow   *parent,
                       SottoClient *client,
                       SottoRoom   *room)
{
  SottoBansDialog *self;
  g_autofree char *heading = NULL;

  g_return_val_if_fail (SOTTO_IS_CLIENT (client), NULL);
  g_return_val_if_fail (SOTTO_IS_ROOM (room), NULL);

  self = g_object_new (SOTTO_TYPE_BANS_DIALOG, "transient-for", parent, NULL);
  self->client = g_object_ref (client);
  self->room = g_strdup (sotto_room_get_name (room));
  self->label = g_strdup (sotto_room_get_display_name (room));

  heading = g_strdup_printf (_("Removed From %s"), self->label);
  adw_message_dialog_set_heading (ADW_MESSAGE_DIALOG (self), heading);
  sotto_client_list_bans_async (client, self->room, self->cancellable, listed_cb,
                                g_object_ref (self));

  return self;
}

gboolean
sotto_bans_dialog_get_loaded (SottoBansDialog *self)
{
  g_return_val_if_fail (SOTTO_IS_BANS_DIALOG (self), FALSE);
  return self->loaded;
}

/**
 * sotto_bans_dialog_dup_users:
 *
 * Returns: (transfer full): who is listed, in order
 */
GStrv
sotto_bans_dialog_dup_users (SottoBansDialog *self)
{
  g_autoptr(GStrvBuilder) users = g_strv_builder_new ();

  g_return_val_if_fail (SOTTO_IS_BANS_DIALOG (self), NULL);

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->ban_list)); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      const char *user = g_object_get_data (G_OBJECT (row), "user");

      if (user != NULL)
        g_strv_builder_add (users, user);
    }

  return g_strv_builder_end (users);
}

/**
 * sotto_bans_dialog_let_back_in:
 *
 * Clicks the button of @user's row, as a person would.
 *
 * Returns: whether @user is listed, with the button ready
 */
gboolean
sotto_bans_dialog_let_back_in (SottoBansDialog *self,
                               const char      *user)
{
  g_return_val_if_fail (SOTTO_IS_BANS_DIALOG (self), FALSE);

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->ban_list)); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      GtkWidget *button;

      if (g_strcmp0 (g_object_get_data (G_OBJECT (row), "user"), user) != 0)
        continue;

      button = g_object_get_data (G_OBJECT (row), "button");
      if (button == NULL || !gtk_widget_get_sensitive (button))
        return FALSE;
      g_signal_emit_by_name (button, "clicked");
      return TRUE;
    }

  return FALSE;
}
