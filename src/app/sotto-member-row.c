/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sotto-member-row.h"

/* A member in the room's panel: presence, whether verified, their role
 * and whether the room's signed state holds them, and a warning sign
 * while their changed safety number is to be looked at. For the room's
 * moderators, a menu (also on a right click) compares safety numbers or
 * removes the member, and for its owners makes them a moderator or a
 * plain member again, through the room's actions. */

struct _SottoMemberRow
{
  AdwBin       parent_instance;

  AdwAvatar   *avatar;
  GtkWidget   *presence_dot;
  GtkLabel    *name_label;
  GtkLabel    *presence_label;
  GtkWidget   *verified_icon;
  GtkWidget   *review_icon;
  GtkWidget   *menu_button;

  SottoMember *member;
  gboolean     own;
  gboolean     owner;
  gboolean     removable;
  gboolean     gives_roles;
};

G_DEFINE_FINAL_TYPE (SottoMemberRow, sotto_member_row, ADW_TYPE_BIN)

/* What the menu offers, from what the user may do and the member's
 * role: a message to anyone else, and more to a moderator or owner. */
static void
update_menu (SottoMemberRow *self)
{
  gboolean confirmed = self->member != NULL &&
                       sotto_member_get_standing (self->member) == SOTTO_MEMBER_STANDING_CONFIRMED;
  SottoMemberRole role = self->member != NULL ? sotto_member_get_role (self->member)
                                              : SOTTO_MEMBER_ROLE_MEMBER;
  gboolean promote = self->gives_roles && !self->own && confirmed &&
                     role == SOTTO_MEMBER_ROLE_MEMBER;
  gboolean demote = self->gives_roles && !self->own && confirmed &&
                    role == SOTTO_MEMBER_ROLE_MODERATOR;

  gboolean message = self->member != NULL && !self->own;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "row.message", message);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "row.remove", self->removable);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "row.make-moderator", promote);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "row.make-member", demote);
  gtk_widget_set_visible (self->menu_button, message || self->removable || promote || demote);
}

static void
member_notify_cb (SottoMember    *member,
                  GParamSpec     *pspec,
                  SottoMemberRow *self)
{
  gboolean online = sotto_member_get_online (member);
  gboolean verified = sotto_member_get_verified (member);

  if (online)
    {
      gtk_widget_add_css_class (self->presence_dot, "online");
      gtk_widget_remove_css_class (self->presence_dot, "offline");
    }
  else
    {
      gtk_widget_add_css_class (self->presence_dot, "offline");
      gtk_widget_remove_css_class (self->presence_dot, "online");
    }

  {
    const char *presence = self->own ? _("You")
                           : verified ? (online ? _("Online · verified") : _("Offline · verified"))
                           : (online ? _("Online") : _("Offline"));
    SottoMemberStanding standing = sotto_member_get_standing (member);
    g_autofree char *text = NULL;

    /* The server lists them, but the room's own signed history does not
     * hold them: they get nothing written here. */
    if (!self->own && standing == SOTTO_MEMBER_STANDING_REFUSED)
      presence = _("Kept out by the room · gets nothing");
    else if (!self->own && standing == SOTTO_MEMBER_STANDING_UNCONFIRMED)
      presence = _("Not confirmed yet · gets nothing");

    SottoMemberRole role = sotto_member_get_role (member);

    if (role >= SOTTO_MEMBER_ROLE_OWNER)
      /* Translators: a member's presence, then their role in the room */
      text = g_strdup_printf (_("%s · owner"), presence);
    else if (role >= SOTTO_MEMBER_ROLE_MODERATOR)
      /* Translators: a member's presence, then their role in the room */
      text = g_strdup_printf (_("%s · moderator"), presence);
    else if (self->owner)
      /* Translators: a member's presence, then that they created the room */
      text = g_strdup_printf (_("%s · created the room"), presence);
    else
      text = g_strdup (presence);
    /* One person, on several computers: told, not listed. */
    if (sotto_member_get_devices (member) > 1)
      {
        guint devices = sotto_member_get_devices (member);
        /* Translators: a member's presence and role, then on how many
         * computers their account is */
        g_autofree char *with_devices =
          g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s · %u device", "%s · %u devices",
                                        devices),
                           text, devices);

        g_free (text);
        text = g_steal_pointer (&with_devices);
      }
    gtk_label_set_text (self->presence_label, text);
    if (!self->own && standing == SOTTO_MEMBER_STANDING_REFUSED)
      gtk_widget_add_css_class (GTK_WIDGET (self->presence_label), "error");
    else
      gtk_widget_remove_css_class (GTK_WIDGET (self->presence_label), "error");
    gtk_widget_set_opacity (GTK_WIDGET (self->name_label),
                            !self->own && standing != SOTTO_MEMBER_STANDING_CONFIRMED ? 0.55
                                                                                       : 1.0);
  }
  gtk_widget_set_visible (self->verified_icon, verified && !self->own);

  switch (sotto_member_get_review (member))
    {
    case SOTTO_IDENTITY_REVIEW_BLOCKING:
      gtk_widget_set_tooltip_text (self->review_icon,
                                   _("Safety number changed: nothing is sent in rooms you share "
                                     "until you compare it again or accept the new one"));
      break;
    case SOTTO_IDENTITY_REVIEW_NOTICE:
      gtk_widget_set_tooltip_text (self->review_icon,
                                   _("Safety number changed: compare it to make sure it is "
                                     "still them"));
      break;
    case SOTTO_IDENTITY_REVIEW_NONE:
    default:
      break;
    }
  gtk_widget_set_visible (self->review_icon,
                          sotto_member_get_review (member) != SOTTO_IDENTITY_REVIEW_NONE);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self),
                               self->own ? NULL : _("Compare safety numbers"));
  update_menu (self);
}

/**
 * sotto_member_row_set_member:
 * @member: (nullable): the member, or %NULL to unbind
 */
void
sotto_member_row_set_member (SottoMemberRow *self,
                             SottoMember    *member,
                             const char     *own_user)
{
  g_return_if_fail (SOTTO_IS_MEMBER_ROW (self));

  if (self->member != NULL)
    g_signal_handlers_disconnect_by_data (self->member, self);
  g_clear_object (&self->member);

  if (member == NULL)
    {
      self->gives_roles = FALSE;
      sotto_member_row_set_removable (self, FALSE);
      return;
    }

  self->member = g_object_ref (member);
  self->own = own_user != NULL && g_strcmp0 (sotto_member_get_user (member), own_user) == 0;
  gtk_label_set_text (self->name_label, sotto_member_get_user (member));
  adw_avatar_set_text (self->avatar, sotto_member_get_user (member));
  g_signal_connect (member, "notify", G_CALLBACK (member_notify_cb), self);
  member_notify_cb (member, NULL, self);
}

/**
 * sotto_member_row_set_owner:
 *
 * Whether this member created the room (the server's word, as
 * #SottoRoom:owner says): the row says so.
 */
void
sotto_member_row_set_owner (SottoMemberRow *self,
                            gboolean        owner)
{
  g_return_if_fail (SOTTO_IS_MEMBER_ROW (self));

  if (self->owner == !!owner)
    return;
  self->owner = !!owner;
  if (self->member != NULL)
    member_notify_cb (self->member, NULL, self);
}

/**
 * sotto_member_row_set_removable:
 *
 * Whether the user may remove this member from the room: only then does
 * the row offer its menu.
 */
void
sotto_member_row_set_removable (SottoMemberRow *self,
                                gboolean        removable)
{
  g_return_if_fail (SOTTO_IS_MEMBER_ROW (self));

  self->removable = removable;
  update_menu (self);
}

/**
 * sotto_member_row_set_gives_roles:
 *
 * Whether the user owns the room and so may make this member a moderator
 * or a plain member again: the row offers what fits their role.
 */
void
sotto_member_row_set_gives_roles (SottoMemberRow *self,
                                  gboolean        gives_roles)
{
  g_return_if_fail (SOTTO_IS_MEMBER_ROW (self));

  self->gives_roles = gives_roles;
  update_menu (self);
}

gboolean
sotto_member_row_get_removable (SottoMemberRow *self)
{
  g_return_val_if_fail (SOTTO_IS_MEMBER_ROW (self), FALSE);
  return self->removable;
}

/* The room view does the work; the row names the member. */
static void
compare_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  SottoMemberRow *self = SOTTO_MEMBER_ROW (widget);

  if (self->member != NULL)
    gtk_widget_activate_action (widget, "room.compare-safety-number", "s",
                                sotto_member_get_user (self->member));
}

static void
remove_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  SottoMemberRow *self = SOTTO_MEMBER_ROW (widget);

  if (self->member != NULL && self->removable)
    gtk_widget_activate_action (widget, "room.remove-member", "s",
                                sotto_member_get_user (self->member));
}

static void
set_role (SottoMemberRow *self,
          const char     *role)
{
  if (self->member != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self), "room.set-role", "(ss)",
                                sotto_member_get_user (self->member), role);
}

static void
make_moderator_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  set_role (SOTTO_MEMBER_ROW (widget), "moderator");
}

static void
make_member_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  set_role (SOTTO_MEMBER_ROW (widget), "member");
}

/* The direct chat with the member, which the window opens (or makes). */
static void
message_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  SottoMemberRow *self = SOTTO_MEMBER_ROW (widget);

  if (self->member != NULL)
    gtk_widget_activate_action (widget, "win.message-member", "s",
                                sotto_member_get_user (self->member));
}

static void
secondary_click_cb (GtkGestureClick *gesture,
                    int              n_press,
                    double           x,
                    double           y,
                    SottoMemberRow  *self)
{
  if (!gtk_widget_get_visible (self->menu_button))
    return;

  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  gtk_menu_button_popup (GTK_MENU_BUTTON (self->menu_button));
}

/**
 * sotto_member_row_get_member:
 *
 * Returns: (transfer none) (nullable): the member shown
 */
SottoMember *
sotto_member_row_get_member (SottoMemberRow *self)
{
  g_return_val_if_fail (SOTTO_IS_MEMBER_ROW (self), NULL);
  return self->member;
}

static void
sotto_member_row_dispose (GObject *object)
{
  SottoMemberRow *self = SOTTO_MEMBER_ROW (object);

  sotto_member_row_set_member (self, NULL, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), SOTTO_TYPE_MEMBER_ROW);

  G_OBJECT_CLASS (sotto_member_row_parent_class)->dispose (object);
}

static void
sotto_member_row_class_init (SottoMemberRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sotto_member_row_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               APP_RESOURCE_PATH "/ui/sotto-member-row.ui");
  gtk_widget_class_bind_template_child (widget_class, SottoMemberRow, avatar);
  gtk_widget_class_bind_template_child (widget_class, SottoMemberRow, presence_dot);
  gtk_widget_class_bind_template_child (widget_class, SottoMemberRow, name_label);
  gtk_widget_class_bind_template_child (widget_class, SottoMemberRow, presence_label);
  gtk_widget_class_bind_template_child (widget_class, SottoMemberRow, verified_icon);
  gtk_widget_class_bind_template_child (widget_class, SottoMemberRow, review_icon);
  gtk_widget_class_bind_template_child (widget_class, SottoMemberRow, menu_button);

  gtk_widget_class_install_action (widget_class, "row.message", NULL, message_action);
  gtk_widget_class_install_action (widget_class, "row.compare", NULL, compare_action);
  gtk_widget_class_install_action (widget_class, "row.remove", NULL, remove_action);
  gtk_widget_class_install_action (widget_class, "row.make-moderator", NULL,
                                   make_moderator_action);
  gtk_widget_class_install_action (widget_class, "row.make-member", NULL, make_member_action);
}

static void
sotto_member_row_init (SottoMemberRow *self)
{
  GtkGesture *click;

  gtk_widget_init_template (GTK_WIDGET (self));
  update_menu (self);

  click = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_SECONDARY);
  g_signal_connect (click, "pressed", G_CALLBACK (secondary_click_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
}

SottoMemberRow *
sotto_member_row_new (void)
{
  return g_object_new (SOTTO_TYPE_MEMBER_ROW, NULL);
}
