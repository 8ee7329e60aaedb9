/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sotto-message-row-private.h"
#include "sotto-recent-reactions.h"

/*
 * What a message row offers and shows of other messages: the quote above
 * a reply (a click goes to the message it answers), "edited" after an
 * edited text (the texts before in its tooltip), a deleted message's
 * line, and the reactions under a message as buttons that give or take
 * back the user's own. The message menu opens on a right click, a long
 * press, or the row's small bar that shows on hover: a few reactions and
 * More Reactions…, Reply, Edit, Delete, Copy Text. What the user picks
 * goes to the room view by the row's "message-action" signal.
 *
 * The widgets are made on first need: most rows never show them.
 */

enum {
  MESSAGE_ACTION,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
emit (SottoMessageRow *self,
      const char      *action,
      const char      *param)
{
  if (self->message != NULL)
    g_signal_emit (self, signals[MESSAGE_ACTION], 0, self->message, action, param);
}

/* The quote */

static void
quote_clicked_cb (SottoMessageRow *self)
{
  emit (self, "jump", NULL);
}

static void
ensure_quote (SottoMessageRow *self)
{
  GtkWidget *box;

  if (self->quote_button != NULL)
    return;

  self->quote_button = gtk_button_new ();
  gtk_widget_add_css_class (self->quote_button, "flat");
  gtk_widget_add_css_class (self->quote_button, "quote");
  gtk_widget_set_halign (self->quote_button, GTK_ALIGN_START);
  gtk_widget_set_tooltip_text (self->quote_button, _("Go to the Message"));
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  self->quote_sender = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->quote_sender, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->quote_sender), "caption-heading");
  self->quote_text = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->quote_text, 0);
  gtk_label_set_ellipsize (self->quote_text, PANGO_ELLIPSIZE_END);
  gtk_label_set_single_line_mode (self->quote_text, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->quote_text), "caption");
  gtk_widget_add_css_class (GTK_WIDGET (self->quote_text), "dim-label");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->quote_sender));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->quote_text));
  gtk_button_set_child (GTK_BUTTON (self->quote_button), box);
  g_signal_connect_swapped (self->quote_button, "clicked", G_CALLBACK (quote_clicked_cb), self);
  gtk_box_insert_child_after (GTK_BOX (self->content_box), self->quote_button, self->header_box);
}

static void
show_quote (SottoMessageRow *self)
{
  const SottoMessageAction *action = sotto_message_get_action (self->message);
  gboolean shown = action != NULL && action->type == SOTTO_MESSAGE_BODY_REPLY &&
                   sotto_message_get_deletion (self->message) == SOTTO_MESSAGE_NOT_DELETED;

  if (!shown)
    {
      if (self->quote_button != NULL)
        gtk_widget_set_visible (self->quote_button, FALSE);
      return;
    }
  ensure_quote (self);
  gtk_label_set_text (self->quote_sender, action->target.sender);
  gtk_label_set_text (self->quote_text, action->excerpt);
  gtk_widget_set_visible (self->quote_button, TRUE);
}

/* Reactions */

static void
reaction_clicked_cb (GtkButton       *button,
                     SottoMessageRow *self)
{
  const char *reaction = g_object_get_data (G_OBJECT (button), "reaction");

  emit (self, "react", reaction);
}

static void
show_reactions (SottoMessageRow *self)
{
  g_auto(GStrv) reactions = sotto_message_dup_reactions (self->message);
  GtkWidget *child;

  if (reactions[0] == NULL)
    {
      if (self->reactions_box != NULL)
        gtk_widget_set_visible (self->reactions_box, FALSE);
      return;
    }

  if (self->reactions_box == NULL)
    {
      /* A line of them: a flow box in a list row is measured for one line
       * and laid out in more. */
      self->reactions_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);
      gtk_widget_set_halign (self->reactions_box, GTK_ALIGN_START);
      gtk_widget_add_css_class (self->reactions_box, "reactions");
      gtk_box_insert_child_after (GTK_BOX (self->content_box), self->reactions_box,
                                  GTK_WIDGET (self->body_label));
    }
  while ((child = gtk_widget_get_first_child (self->reactions_box)) != NULL)
    gtk_box_remove (GTK_BOX (self->reactions_box), child);

  for (guint i = 0; reactions[i] != NULL; i++)
    {
      g_auto(GStrv) who = sotto_message_dup_reactors (self->message, reactions[i]);
      g_autofree char *joined = g_strjoinv (", ", who);
      g_autofree char *label = g_strdup_printf ("%s %u", reactions[i], g_strv_length (who));
      GtkWidget *button = gtk_toggle_button_new_with_label (label);
      gboolean mine = self->own_user != NULL &&
                      sotto_message_has_reaction_from (self->message, self->own_user,
                                                       reactions[i]);
      g_autofree char *tooltip = NULL;

      gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (button), mine);
      gtk_widget_add_css_class (button, "reaction");
      /* Translators: who gave a reaction, as "alice, bob" */
      tooltip = mine ? g_strdup_printf (_("%s — click to take yours back"), joined)
                     : g_strdup_printf (_("%s — click to react the same"), joined);
      gtk_widget_set_tooltip_text (button, tooltip);
      g_object_set_data_full (G_OBJECT (button), "reaction", g_strdup (reactions[i]), g_free);
      g_signal_connect (button, "clicked", G_CALLBACK (reaction_clicked_cb), self);
      gtk_box_append (GTK_BOX (self->reactions_box), button);
    }
  gtk_widget_set_visible (self->reactions_box, TRUE);
}

/**
 * _sotto_message_row_show_actions:
 *
 * Shows what others did to the message and what it says of others: its
 * quote, reactions, and in its body whether it was edited or deleted.
 */
void
_sotto_message_row_show_actions (SottoMessageRow *self)
{
  show_quote (self);
  show_reactions (self);
}

/**
 * _sotto_message_row_body_markup:
 *
 * Returns: (transfer full) (nullable): the body's markup with what was
 *   done to it: "This message was deleted", or the text and "(edited)";
 *   %NULL to keep the text as it is
 */
char *
_sotto_message_row_body_markup (SottoMessageRow *self,
                                const char      *markup)
{
  switch (sotto_message_get_deletion (self->message))
    {
    case SOTTO_MESSAGE_DELETED_BY_SENDER:
      return g_strdup_printf ("<i>%s</i>", _("This message was deleted"));
    case SOTTO_MESSAGE_DELETED_BY_MODERATOR:
      {
        g_autofree char *who = g_markup_escape_text (sotto_message_get_deleted_by (self->message),
                                                     -1);
        g_autofree char *line = NULL;

        /* Translators: %s is the moderator who deleted someone's message */
        line = g_strdup_printf (_("Deleted by %s, a moderator"), who);
        return g_strdup_printf ("<i>%s</i>", line);
      }
    case SOTTO_MESSAGE_NOT_DELETED:
    default:
      break;
    }
  if (markup != NULL && sotto_message_is_edited (self->message))
    return g_strdup_printf ("%s <span size=\"small\" alpha=\"60%%\">%s</span>", markup,
                            _("(edited)"));
  return NULL;
}

/**
 * _sotto_message_row_body_tooltip:
 *
 * Returns: (transfer full) (nullable): for an edited message, the texts
 *   it had before
 */
char *
_sotto_message_row_body_tooltip (SottoMessageRow *self)
{
  g_auto(GStrv) edits = NULL;
  g_autofree char *joined = NULL;

  if (!sotto_message_is_edited (self->message))
    return NULL;
  edits = sotto_message_dup_edits (self->message);
  joined = g_strjoinv ("\n", edits);
  /* Translators: followed by the texts an edited message had before */
  return g_strdup_printf ("%s\n%s", _("Edited. Before:"), joined);
}

/* The menu */

static gboolean
readable (SottoMessage *message)
{
  SottoMessageState state = sotto_message_get_state (message);

  return (state == SOTTO_MESSAGE_SENT || state == SOTTO_MESSAGE_RECEIVED) &&
         sotto_message_get_deletion (message) == SOTTO_MESSAGE_NOT_DELETED;
}

/* What the user may do to the message shown: the client core says for
 * edits and deletions, as it checks them again when they are sent. */
static void
update_menu_actions (SottoMessageRow *self)
{
  SottoMessage *message = self->message;
  gboolean can_read = message != NULL && readable (message);
  SottoMessageBodyType kind = message != NULL ? sotto_message_get_kind (message)
                                              : SOTTO_MESSAGE_BODY_TEXT;
  gboolean text = kind == SOTTO_MESSAGE_BODY_TEXT || kind == SOTTO_MESSAGE_BODY_REPLY;
  SottoRoom *room = NULL;

  if (self->client != NULL && message != NULL)
    room = sotto_client_lookup_room (self->client, sotto_message_get_room (message));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "message.reply", can_read);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "message.react", can_read);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "message.choose-reaction", can_read);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "message.edit",
                                 room != NULL && sotto_client_can_edit (self->client, message));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "message.delete",
                                 room != NULL &&
                                 sotto_client_can_delete (self->client, room, message));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "message.copy", can_read && text);
}

static void
quick_reaction_cb (GtkButton       *button,
                   SottoMessageRow *self)
{
  const char *reaction = gtk_button_get_label (button);
  g_autofree char *held = g_strdup (reaction);

  gtk_popover_popdown (GTK_POPOVER (self->menu));
  sotto_recent_reactions_use (held);
  emit (self, "react", held);
}

static void
emoji_picked_cb (GtkEmojiChooser *chooser,
                 const char      *text,
                 SottoMessageRow *self)
{
  sotto_recent_reactions_use (text);
  emit (self, "react", text);
}

static void
choose_reaction (SottoMessageRow *self)
{
  if (self->emoji_chooser == NULL)
    {
      self->emoji_chooser = gtk_emoji_chooser_new ();
      gtk_widget_set_parent (self->emoji_chooser, GTK_WIDGET (self));
      g_signal_connect (self->emoji_chooser, "emoji-picked", G_CALLBACK (emoji_picked_cb), self);
    }
  gtk_popover_popup (GTK_POPOVER (self->emoji_chooser));
}

static void
fill_quick_reactions (SottoMessageRow *self)
{
  const char * const *recent = sotto_recent_reactions_get ();
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (self->quick_box)) != NULL)
    gtk_box_remove (GTK_BOX (self->quick_box), child);
  for (guint i = 0; i < SOTTO_QUICK_REACTIONS; i++)
    {
      GtkWidget *button = gtk_button_new_with_label (recent[i]);

      gtk_widget_add_css_class (button, "flat");
      gtk_widget_add_css_class (button, "circular");
      gtk_widget_add_css_class (button, "quick-reaction");
      /* Translators: the tooltip of a reaction in the message menu */
      gtk_widget_set_tooltip_text (button, _("React"));
      g_signal_connect (button, "clicked", G_CALLBACK (quick_reaction_cb), self);
      gtk_box_append (GTK_BOX (self->quick_box), button);
    }
}

static void
ensure_menu (SottoMessageRow *self)
{
  g_autoptr(GMenu) menu = NULL;
  g_autoptr(GMenu) reactions = NULL;
  g_autoptr(GMenu) main_section = NULL;
  g_autoptr(GMenuItem) quick = NULL;

  if (self->menu != NULL)
    return;

  menu = g_menu_new ();
  reactions = g_menu_new ();
  quick = g_menu_item_new (NULL, NULL);
  g_menu_item_set_attribute (quick, "custom", "s", "quick-reactions");
  g_menu_append_item (reactions, quick);
  g_menu_append (reactions, _("More Reactions…"), "message.choose-reaction");
  g_menu_append_section (menu, NULL, G_MENU_MODEL (reactions));
  main_section = g_menu_new ();
  g_menu_append (main_section, _("Reply"), "message.reply");
  g_menu_append (main_section, _("Edit"), "message.edit");
  g_menu_append (main_section, _("Copy Text"), "message.copy");
  g_menu_append (main_section, _("Delete for Everyone"), "message.delete");
  g_menu_append_section (menu, NULL, G_MENU_MODEL (main_section));

  self->menu = gtk_popover_menu_new_from_model (G_MENU_MODEL (menu));
  gtk_popover_set_has_arrow (GTK_POPOVER (self->menu), FALSE);
  gtk_widget_set_halign (self->menu, GTK_ALIGN_START);
  self->quick_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 2);
  gtk_popover_menu_add_child (GTK_POPOVER_MENU (self->menu), self->quick_box, "quick-reactions");
  gtk_widget_set_parent (self->menu, GTK_WIDGET (self));
}

/**
 * sotto_message_row_open_menu:
 * @x: where, in the row's coordinates, or -1 for the row's top right
 *
 * Opens the message menu of the message shown, if it has one.
 */
void
sotto_message_row_open_menu (SottoMessageRow *self,
                             double           x,
                             double           y)
{
  GdkRectangle at = { (int) x, (int) y, 1, 1 };

  g_return_if_fail (SOTTO_IS_MESSAGE_ROW (self));

  if (self->message == NULL || sotto_message_get_state (self->message) == SOTTO_MESSAGE_SYSTEM ||
      !gtk_widget_get_visible (self->message_box))
    return;
  ensure_menu (self);
  fill_quick_reactions (self);
  update_menu_actions (self);
  if (x < 0)
    {
      at.x = gtk_widget_get_width (GTK_WIDGET (self)) - 24;
      at.y = 8;
    }
  gtk_popover_set_pointing_to (GTK_POPOVER (self->menu), &at);
  gtk_popover_popup (GTK_POPOVER (self->menu));
}

/* A right click, or a long press on a touch screen, opens the message
 * menu, not the text's: @gesture claims the press. */
static void
press_menu (SottoMessageRow *self,
            GtkGesture      *gesture,
            double           x,
            double           y)
{
  if (self->message == NULL || sotto_message_get_state (self->message) == SOTTO_MESSAGE_SYSTEM ||
      !gtk_widget_get_visible (self->message_box))
    return;
  gtk_gesture_set_state (gesture, GTK_EVENT_SEQUENCE_CLAIMED);
  sotto_message_row_open_menu (self, x, y);
}

static void
right_click_cb (GtkGestureClick *gesture,
                int              n_press,
                double           x,
                double           y,
                SottoMessageRow *self)
{
  press_menu (self, GTK_GESTURE (gesture), x, y);
}

static void
long_press_cb (GtkGestureLongPress *gesture,
               double               x,
               double               y,
               SottoMessageRow     *self)
{
  press_menu (self, GTK_GESTURE (gesture), x, y);
}

/* The small bar on hover */

static void
bar_menu_cb (SottoMessageRow *self)
{
  sotto_message_row_open_menu (self, -1, -1);
}

static void
ensure_bar (SottoMessageRow *self)
{
  GtkWidget *button;

  if (self->hover_bar != NULL)
    return;

  self->hover_bar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  gtk_widget_add_css_class (self->hover_bar, "card");
  gtk_widget_add_css_class (self->hover_bar, "hover-bar");
  gtk_widget_set_halign (self->hover_bar, GTK_ALIGN_END);
  gtk_widget_set_valign (self->hover_bar, GTK_ALIGN_START);
  gtk_widget_set_margin_end (self->hover_bar, 6);

  button = gtk_button_new_from_icon_name ("face-smile-symbolic");
  gtk_widget_set_tooltip_text (button, _("Add Reaction"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "message.choose-reaction");
  gtk_widget_add_css_class (button, "flat");
  gtk_box_append (GTK_BOX (self->hover_bar), button);
  button = gtk_button_new_from_icon_name ("mail-reply-sender-symbolic");
  gtk_widget_set_tooltip_text (button, _("Reply"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "message.reply");
  gtk_widget_add_css_class (button, "flat");
  gtk_box_append (GTK_BOX (self->hover_bar), button);
  button = gtk_button_new_from_icon_name ("view-more-symbolic");
  gtk_widget_set_tooltip_text (button, _("More"));
  gtk_widget_add_css_class (button, "flat");
  g_signal_connect_swapped (button, "clicked", G_CALLBACK (bar_menu_cb), self);
  gtk_box_append (GTK_BOX (self->hover_bar), button);
  gtk_overlay_add_overlay (self->message_overlay, self->hover_bar);
}

static void
enter_cb (GtkEventControllerMotion *motion,
          double                    x,
          double                    y,
          SottoMessageRow          *self)
{
  if (self->message == NULL || sotto_message_get_state (self->message) == SOTTO_MESSAGE_SYSTEM ||
      !gtk_widget_get_visible (self->message_box))
    return;
  ensure_bar (self);
  update_menu_actions (self);
  gtk_widget_set_visible (self->hover_bar, readable (self->message));
}

static void
leave_cb (GtkEventControllerMotion *motion,
          SottoMessageRow          *self)
{
  if (self->hover_bar != NULL)
    gtk_widget_set_visible (self->hover_bar, FALSE);
}

/* Actions */

static void
message_action_cb (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  SottoMessageRow *self = SOTTO_MESSAGE_ROW (widget);
  const char *action = strchr (action_name, '.') + 1;

  if (g_str_equal (action, "choose-reaction"))
    {
      choose_reaction (self);
      return;
    }
  emit (self, action, parameter != NULL ? g_variant_get_string (parameter, NULL) : NULL);
}

void
_sotto_message_row_actions_class_init (GtkWidgetClass *widget_class)
{
  /**
   * SottoMessageRow::message-action:
   * @message: the message
   * @action: "reply", "edit", "delete", "copy", "react" (with @param the
   *   reaction: given, or taken back if the user gave it), or "jump" (to
   *   the message a reply answers)
   * @param: (nullable): the reaction
   *
   * The user asked something of a message, from its menu, its reactions
   * or its quote.
   */
  signals[MESSAGE_ACTION] = g_signal_new ("message-action", G_TYPE_FROM_CLASS (widget_class),
                                          G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 3,
                                          SOTTO_TYPE_MESSAGE, G_TYPE_STRING, G_TYPE_STRING);

  gtk_widget_class_install_action (widget_class, "message.reply", NULL, message_action_cb);
  gtk_widget_class_install_action (widget_class, "message.edit", NULL, message_action_cb);
  gtk_widget_class_install_action (widget_class, "message.delete", NULL, message_action_cb);
  gtk_widget_class_install_action (widget_class, "message.copy", NULL, message_action_cb);
  gtk_widget_class_install_action (widget_class, "message.react", "s", message_action_cb);
  gtk_widget_class_install_action (widget_class, "message.choose-reaction", NULL,
                                   message_action_cb);
}

void
_sotto_message_row_actions_init (SottoMessageRow *self)
{
  GtkGesture *click = gtk_gesture_click_new ();
  GtkGesture *press = gtk_gesture_long_press_new ();
  GtkEventController *motion = gtk_event_controller_motion_new ();

  /* Before the text's own menu. */
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_SECONDARY);
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (click), GTK_PHASE_CAPTURE);
  g_signal_connect (click, "pressed", G_CALLBACK (right_click_cb), self);
  gtk_widget_add_controller (self->message_box, GTK_EVENT_CONTROLLER (click));

  gtk_gesture_single_set_touch_only (GTK_GESTURE_SINGLE (press), TRUE);
  g_signal_connect (press, "pressed", G_CALLBACK (long_press_cb), self);
  gtk_widget_add_controller (self->message_box, GTK_EVENT_CONTROLLER (press));

  g_signal_connect (motion, "enter", G_CALLBACK (enter_cb), self);
  g_signal_connect (motion, "leave", G_CALLBACK (leave_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
}

void
_sotto_message_row_actions_dispose (SottoMessageRow *self)
{
  g_clear_pointer (&self->menu, gtk_widget_unparent);
  g_clear_pointer (&self->emoji_chooser, gtk_widget_unparent);
}
