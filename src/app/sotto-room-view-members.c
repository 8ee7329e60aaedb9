/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sotto-member-row.h"
#include "sotto-room-view-private.h"
#include "sotto-safety-dialog.h"

/*
 * The room's members: the panel at the side (online first), the header's
 * count of who is there, and the safety number of the member chosen. For
 * the room's moderators, the rows offer to remove the member, and the
 * room's menu the people removed (sotto-room-view-remove.c); for its
 * owners, to make them a moderator or a member again
 * (sotto-room-view-invite.c).
 */

/* Whether the user may remove @member: they moderate the room, and it is
 * someone below them. */
static gboolean
can_remove (SottoRoomView *self,
            SottoMember   *member)
{
  return self->client != NULL && self->room != NULL && member != NULL &&
         sotto_client_may_remove (self->client, sotto_room_get_name (self->room),
                                  sotto_member_get_user (member));
}

/* Whether the user owns the room by its signed state, and so gives roles. */
static gboolean
gives_roles (SottoRoomView *self)
{
  return self->room != NULL && sotto_room_get_own_role (self->room) >= SOTTO_MEMBER_ROLE_OWNER;
}

static gboolean
is_owner (SottoRoomView *self,
          SottoMember   *member)
{
  return self->room != NULL && member != NULL &&
         g_strcmp0 (sotto_room_get_owner (self->room), sotto_member_get_user (member)) == 0;
}

/* The server names the owner once the members are listed, and the
 * room's signed state says who moderates it: what each row offers
 * follows both. */
static void
owner_changed_cb (SottoRoomView *self)
{
  for (guint i = 0; i < self->member_rows->len; i++)
    {
      SottoMemberRow *row = g_ptr_array_index (self->member_rows, i);
      SottoMember *member = sotto_member_row_get_member (row);

      sotto_member_row_set_removable (row, can_remove (self, member));
      sotto_member_row_set_gives_roles (row, gives_roles (self));
      sotto_member_row_set_owner (row, is_owner (self, member));
    }

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "room.show-removed",
                                 self->client != NULL && self->room != NULL &&
                                 (sotto_client_is_room_owner (self->client, self->room) ||
                                  sotto_room_get_own_role (self->room) >=
                                  SOTTO_MEMBER_ROLE_MODERATOR));
}

static void
setup_member_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 gpointer                  user_data)
{
  gtk_list_item_set_child (item, GTK_WIDGET (sotto_member_row_new ()));
}

static void
bind_member_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                SottoRoomView            *self)
{
  SottoMemberRow *row = SOTTO_MEMBER_ROW (gtk_list_item_get_child (item));
  SottoMember *member = gtk_list_item_get_item (item);

  sotto_member_row_set_member (row, member, _sotto_room_view_own_user (self));
  sotto_member_row_set_removable (row, can_remove (self, member));
  sotto_member_row_set_gives_roles (row, gives_roles (self));
  sotto_member_row_set_owner (row, is_owner (self, member));
  /* Whom one may remove follows their role too. */
  g_signal_connect_object (member, "notify::role", G_CALLBACK (owner_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_ptr_array_add (self->member_rows, row);
}

static void
unbind_member_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  SottoRoomView            *self)
{
  SottoMemberRow *row = SOTTO_MEMBER_ROW (gtk_list_item_get_child (item));
  SottoMember *member = sotto_member_row_get_member (row);

  if (member != NULL)
    g_signal_handlers_disconnect_by_func (member, owner_changed_cb, self);
  sotto_member_row_set_member (row, NULL, NULL);
  sotto_member_row_set_owner (row, FALSE);
  if (self->member_rows != NULL)
    g_ptr_array_remove_fast (self->member_rows, row);
}

/* Online members first, then by name. */
static int
compare_members (gconstpointer a,
                 gconstpointer b,
                 gpointer      user_data)
{
  SottoMember *member_a = (SottoMember *) a;
  SottoMember *member_b = (SottoMember *) b;

  if (sotto_member_get_online (member_a) != sotto_member_get_online (member_b))
    return sotto_member_get_online (member_a) ? -1 : 1;
  return g_utf8_collate (sotto_member_get_user (member_a), sotto_member_get_user (member_b));
}

/**
 * sotto_room_view_show_member:
 *
 * Opens the safety number shared with @user, to compare and verify.
 *
 * Returns: (transfer none) (nullable): the dialog, or %NULL for oneself
 */
GtkWindow *
sotto_room_view_show_member (SottoRoomView *self,
                             const char    *user)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWindow *dialog;

  g_return_val_if_fail (SOTTO_IS_ROOM_VIEW (self), NULL);

  if (self->client == NULL)
    return NULL;

  if (g_strcmp0 (user, _sotto_room_view_own_user (self)) == 0)
    {
      gtk_widget_activate_action (GTK_WIDGET (self), "win.show-toast", "s",
                                  _("This is you. Choose someone else to compare safety numbers."));
      return NULL;
    }

  dialog = GTK_WINDOW (sotto_safety_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                self->client, user));
  gtk_window_present (dialog);
  return dialog;
}

static void
member_activated_cb (SottoRoomView *self,
                     guint          position)
{
  GListModel *model = G_LIST_MODEL (gtk_list_view_get_model (self->member_list));
  g_autoptr(SottoMember) member = g_list_model_get_item (model, position);

  if (member != NULL)
    sotto_room_view_show_member (self, sotto_member_get_user (member));
}

/* The header: the room's name and who is there */

static void member_online_cb (SottoMember   *member,
                              GParamSpec    *pspec,
                              SottoRoomView *self);

static void
unwatch_members (SottoRoomView *self)
{
  for (guint i = 0; i < self->watched_members->len; i++)
    g_signal_handlers_disconnect_by_func (g_ptr_array_index (self->watched_members, i),
                                          member_online_cb, self);
  g_ptr_array_set_size (self->watched_members, 0);
}

static void
update_subtitle (SottoRoomView *self)
{
  GListModel *members = sotto_room_get_members (self->room);
  guint n = g_list_model_get_n_items (members);
  guint online = 0;
  g_autofree char *subtitle = NULL;
  g_autofree char *title = NULL;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SottoMember) member = g_list_model_get_item (members, i);

      if (sotto_member_get_online (member))
        online++;
    }

  if (sotto_room_get_direct (self->room))
    {
      const char *other = sotto_room_get_display_name (self->room);
      SottoMember *member = sotto_room_lookup_member (self->room, other);

      if (member == NULL)
        subtitle = g_strdup (_("Direct chat"));
      else if (sotto_member_get_online (member))
        subtitle = g_strdup (_("Direct chat · online"));
      else
        subtitle = g_strdup (_("Direct chat · offline"));
    }
  else
    /* Translators: the first %u is the number of members, the second how many are online */
    subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u member · %u online",
                                             "%u members · %u online", n), n, online);

  adw_window_title_set_subtitle (self->window_title, subtitle);
  title = g_strdup_printf (_("Members (%u)"), n);
  gtk_label_set_text (self->members_title, title);
}

static void
member_online_cb (SottoMember   *member,
                  GParamSpec    *pspec,
                  SottoRoomView *self)
{
  update_subtitle (self);
}

static void
members_changed_cb (GListModel    *members,
                    guint          position,
                    guint          removed,
                    guint          added,
                    SottoRoomView *self)
{
  unwatch_members (self);
  for (guint i = 0; i < g_list_model_get_n_items (members); i++)
    {
      g_autoptr(SottoMember) member = g_list_model_get_item (members, i);

      g_signal_connect (member, "notify::online", G_CALLBACK (member_online_cb), self);
      g_ptr_array_add (self->watched_members, g_object_ref (member));
    }
  update_subtitle (self);
}

static void
toggle_members_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  SottoRoomView *self = SOTTO_ROOM_VIEW (widget);

  _sotto_room_view_show_panel (self, sotto_room_view_get_members_shown (self) ? NULL : "members");
}

static void
close_panels_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  SottoRoomView *self = SOTTO_ROOM_VIEW (widget);

  if (adw_flap_get_reveal_flap (self->flap))
    {
      _sotto_room_view_show_panel (self, NULL);
      gtk_widget_grab_focus (GTK_WIDGET (self->composer));
    }
}

gboolean
sotto_room_view_get_members_shown (SottoRoomView *self)
{
  g_return_val_if_fail (SOTTO_IS_ROOM_VIEW (self), FALSE);
  return adw_flap_get_reveal_flap (self->flap) &&
         g_strcmp0 (gtk_stack_get_visible_child_name (self->panel_stack), "members") == 0;
}

void
_sotto_room_view_members_attach (SottoRoomView *self)
{
  GListModel *model = sotto_room_get_members (self->room);
  GtkSortListModel *sorted;
  GtkNoSelection *members;

  sorted = gtk_sort_list_model_new (g_object_ref (model),
                                    GTK_SORTER (gtk_custom_sorter_new (compare_members, NULL,
                                                                       NULL)));
  members = gtk_no_selection_new (G_LIST_MODEL (sorted));
  gtk_list_view_set_model (self->member_list, GTK_SELECTION_MODEL (members));
  g_object_unref (members);

  g_signal_connect (model, "items-changed", G_CALLBACK (members_changed_cb), self);
  members_changed_cb (model, 0, 0, 0, self);
  g_signal_connect_swapped (self->room, "notify::owner", G_CALLBACK (owner_changed_cb), self);
  g_signal_connect_swapped (self->room, "notify::own-role", G_CALLBACK (owner_changed_cb),
                            self);
  owner_changed_cb (self);
}

void
_sotto_room_view_members_detach (SottoRoomView *self)
{
  if (self->room != NULL)
    {
      g_signal_handlers_disconnect_by_data (sotto_room_get_members (self->room), self);
      unwatch_members (self);
    }
  if (self->member_list != NULL)
    gtk_list_view_set_model (self->member_list, NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "room.show-removed", FALSE);
}

void
_sotto_room_view_members_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_callback (widget_class, member_activated_cb);

  gtk_widget_class_install_action (widget_class, "room.toggle-members", NULL,
                                   toggle_members_action);
  gtk_widget_class_install_action (widget_class, "room.close-panels", NULL, close_panels_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "room.close-panels",
                                       NULL);
}

void
_sotto_room_view_members_init (SottoRoomView *self)
{
  GtkListItemFactory *factory;

  self->watched_members = g_ptr_array_new_with_free_func (g_object_unref);
  self->member_rows = g_ptr_array_new ();
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "room.show-removed", FALSE);

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_member_cb), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_member_cb), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_member_cb), self);
  gtk_list_view_set_factory (self->member_list, factory);
  g_object_unref (factory);
}
