/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sotto-join-dialog.h"

/*
 * Joining (or creating) a room, or starting a direct chat. The dialog
 * stays open until the server answers, so that a refusal is shown where
 * the name was typed.
 */

struct _SottoJoinDialog
{
  AdwWindow       parent_instance;

  AdwWindowTitle *window_title;
  GtkWidget      *join_button;
  AdwEntryRow    *name_row;
  GtkLabel       *error_label;
  GtkWidget      *rooms_group;
  GtkSpinner     *spinner;
  GtkListBox     *rooms_list;

  SottoClient    *client;
  GCancellable   *cancellable;
  gboolean        direct;
  gboolean        busy;
  guint           n_listed;
};

enum {
  JOINED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SottoJoinDialog, sotto_join_dialog, ADW_TYPE_WINDOW)

static void
show_error (SottoJoinDialog *self,
            const char      *text)
{
  gtk_label_set_text (self->error_label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), text != NULL);
}

static const char *
entered_name (SottoJoinDialog *self)
{
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_row));

  /* "#general" and "@alice" are how people write names. */
  if (!self->direct && name[0] == '#')
    name++;
  if (self->direct && name[0] == '@')
    name++;
  return name;
}

static void
update_sensitivity (SottoJoinDialog *self)
{
  gtk_widget_set_sensitive (self->join_button, !self->busy && *entered_name (self) != '\0');
  gtk_widget_set_sensitive (GTK_WIDGET (self->name_row), !self->busy);
}

/* In a direct chat's dialog, the people the user shares a room with are
 * offered, those whose name holds what is typed. */
static gboolean
person_matches (GtkListBoxRow *row,
                gpointer       user_data)
{
  SottoJoinDialog *self = user_data;
  const char *typed = gtk_editable_get_text (GTK_EDITABLE (self->name_row));
  const char *person = g_object_get_data (G_OBJECT (row), "room");
  g_autofree char *typed_folded = NULL;
  g_autofree char *person_folded = NULL;

  if (typed[0] == '@')
    typed++;
  if (*typed == '\0')
    return TRUE;
  typed_folded = g_utf8_casefold (typed, -1);
  person_folded = g_utf8_casefold (person, -1);
  return strstr (person_folded, typed_folded) != NULL;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_utf8_collate (*(const char *const *) a, *(const char *const *) b);
}

static void
list_people (SottoJoinDialog *self)
{
  GListModel *rooms = sotto_client_get_rooms (self->client);
  const char *own = sotto_client_get_user (self->client);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) people = g_ptr_array_new ();

  for (guint i = 0; i < g_list_model_get_n_items (rooms); i++)
    {
      g_autoptr(SottoRoom) room = g_list_model_get_item (rooms, i);
      GListModel *members = sotto_room_get_members (room);

      for (guint j = 0; j < g_list_model_get_n_items (members); j++)
        {
          g_autoptr(SottoMember) member = g_list_model_get_item (members, j);
          const char *user = sotto_member_get_user (member);

          char *person;

          if (g_strcmp0 (user, own) == 0 || g_hash_table_contains (seen, user))
            continue;
          person = g_strdup (user);
          g_hash_table_add (seen, person);
          g_ptr_array_add (people, person);
        }
    }
  g_ptr_array_sort (people, compare_names);

  for (guint i = 0; i < people->len; i++)
    {
      const char *user = g_ptr_array_index (people, i);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *avatar = adw_avatar_new (32, user, TRUE);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), user);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), avatar);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                 gtk_image_new_from_icon_name ("go-next-symbolic"));
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      g_object_set_data_full (G_OBJECT (row), "room", g_strdup (user), g_free);
      gtk_list_box_append (self->rooms_list, row);
      self->n_listed++;
    }

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self->rooms_group),
                                   _("People in Your Rooms"));
  gtk_list_box_set_filter_func (self->rooms_list, person_matches, self, NULL);
  gtk_widget_set_visible (self->rooms_group, self->n_listed > 0);
}

static void
name_changed_cb (SottoJoinDialog *self)
{
  show_error (self, NULL);
  update_sensitivity (self);
  if (self->direct)
    gtk_list_box_invalidate_filter (self->rooms_list);
}

static void
joined_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(SottoJoinDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(SottoRoom) room = NULL;

  room = sotto_client_join_finish (SOTTO_CLIENT (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->busy = FALSE;
  update_sensitivity (self);

  if (room == NULL)
    {
      show_error (self, error->message);
      gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
      return;
    }

  g_signal_emit (self, signals[JOINED], 0, room);
  gtk_window_close (GTK_WINDOW (self));
}

/**
 * sotto_join_dialog_join:
 *
 * Joins the room (or opens the direct chat) named in the entry.
 */
void
sotto_join_dialog_join (SottoJoinDialog *self)
{
  const char *name;

  g_return_if_fail (SOTTO_IS_JOIN_DIALOG (self));

  name = entered_name (self);
  if (self->busy || *name == '\0')
    return;

  self->busy = TRUE;
  /* Focus leaves the entry before it turns insensitive. */
  gtk_window_set_focus (GTK_WINDOW (self), NULL);
  update_sensitivity (self);
  show_error (self, NULL);

  if (self->direct)
    sotto_client_open_direct_async (self->client, name, self->cancellable, joined_cb,
                                    g_object_ref (self));
  else
    sotto_client_join_async (self->client, name, self->cancellable, joined_cb,
                             g_object_ref (self));
}

static void
join_clicked_cb (SottoJoinDialog *self)
{
  sotto_join_dialog_join (self);
}

static void
room_activated_cb (SottoJoinDialog *self,
                   GtkListBoxRow   *row)
{
  const char *name = g_object_get_data (G_OBJECT (row), "room");

  gtk_editable_set_text (GTK_EDITABLE (self->name_row), name);
  sotto_join_dialog_join (self);
}

static void
listed_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(SottoJoinDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rooms = NULL;

  rooms = sotto_client_list_rooms_finish (SOTTO_CLIENT (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  gtk_spinner_stop (self->spinner);
  if (rooms == NULL)
    {
      adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self->rooms_group),
                                             error->message);
      return;
    }

  for (guint i = 0; i < rooms->len; i++)
    {
      SottoRoomInfo *info = g_ptr_array_index (rooms, i);
      g_autofree char *title = NULL;
      g_autofree char *subtitle = NULL;
      GtkWidget *row;

      if (info->direct)
        continue;

      title = g_strconcat ("#", info->name, NULL);
      subtitle = info->joined
        ? g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d member · joined",
                                        "%d members · joined", info->members),
                           (int) info->members)
        : g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d member", "%d members",
                                        info->members),
                           (int) info->members);
      row = adw_action_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      g_object_set_data_full (G_OBJECT (row), "room", g_strdup (info->name), g_free);
      gtk_list_box_append (self->rooms_list, row);
      self->n_listed++;
    }

  if (self->n_listed == 0)
    adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self->rooms_group),
                                           _("No rooms yet: name one above to create it."));
}

static void
sotto_join_dialog_dispose (GObject *object)
{
  SottoJoinDialog *self = SOTTO_JOIN_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->client);
  gtk_widget_dispose_template (GTK_WIDGET (self), SOTTO_TYPE_JOIN_DIALOG);

  G_OBJECT_CLASS (sotto_join_dialog_parent_class)->dispose (object);
}

static void
sotto_join_dialog_class_init (SottoJoinDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sotto_join_dialog_dispose;

  /**
   * SottoJoinDialog::joined:
   * @room: the room joined, or the direct chat opened
   */
  signals[JOINED] =
    g_signal_new ("joined", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, SOTTO_TYPE_ROOM);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               APP_RESOURCE_PATH "/ui/sotto-join-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, SottoJoinDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, SottoJoinDialog, join_button);
  gtk_widget_class_bind_template_child (widget_class, SottoJoinDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, SottoJoinDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, SottoJoinDialog, rooms_group);
  gtk_widget_class_bind_template_child (widget_class, SottoJoinDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, SottoJoinDialog, rooms_list);
  gtk_widget_class_bind_template_callback (widget_class, name_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, join_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, room_activated_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
sotto_join_dialog_init (SottoJoinDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
}

/**
 * sotto_join_dialog_new:
 * @direct: a direct chat with a user rather than a room
 *
 * Returns: (transfer none): the dialog, not yet shown
 */
SottoJoinDialog *
sotto_join_dialog_new (GtkWindow   *parent,
                       SottoClient *client,
                       gboolean     direct)
{
  SottoJoinDialog *self;

  g_return_val_if_fail (SOTTO_IS_CLIENT (client), NULL);

  self = g_object_new (SOTTO_TYPE_JOIN_DIALOG, "transient-for", parent, NULL);
  self->client = g_object_ref (client);
  self->direct = direct;

  if (direct)
    {
      adw_window_title_set_title (self->window_title, _("New Direct Chat"));
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->name_row), _("Username"));
      adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (
                                               gtk_widget_get_ancestor (GTK_WIDGET (self->name_row),
                                                                        ADW_TYPE_PREFERENCES_GROUP)),
                                             _("Only the two of you can read a direct chat."));
      gtk_button_set_label (GTK_BUTTON (self->join_button), _("_Start Chat"));
      list_people (self);
      gtk_window_set_default_size (GTK_WINDOW (self), 420, self->n_listed > 0 ? 480 : 260);
    }
  else
    {
      adw_window_title_set_title (self->window_title, _("Join or Create a Room"));
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->name_row), _("Room Name"));
      adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (
                                               gtk_widget_get_ancestor (GTK_WIDGET (self->name_row),
                                                                        ADW_TYPE_PREFERENCES_GROUP)),
                                             _("A room that does not exist yet is created, with you "
                                               "as its first member."));
      gtk_button_set_label (GTK_BUTTON (self->join_button), _("_Join"));
      gtk_spinner_start (self->spinner);
      sotto_client_list_rooms_async (client, self->cancellable, listed_cb, g_object_ref (self));
    }

  gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
  return self;
}

void
sotto_join_dialog_set_name (SottoJoinDialog *self,
                            const char      *name)
{
  g_return_if_fail (SOTTO_IS_JOIN_DIALOG (self));
  gtk_editable_set_text (GTK_EDITABLE (self->name_row), name);
}

/**
 * sotto_join_dialog_get_error:
 *
 * Returns: (nullable): the refusal shown, if any
 */
const char *
sotto_join_dialog_get_error (SottoJoinDialog *self)
{
  g_return_val_if_fail (SOTTO_IS_JOIN_DIALOG (self), NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->error_label)))
    return NULL;
  return gtk_label_get_text (self->error_label);
}

guint
sotto_join_dialog_get_n_listed (SottoJoinDialog *self)
{
  g_return_val_if_fail (SOTTO_IS_JOIN_DIALOG (self), 0);
  return self->n_listed;
}
