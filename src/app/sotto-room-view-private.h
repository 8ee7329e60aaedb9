/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sotto-message-row.h"
#include "sotto-room-view.h"
#include "sotto-search-panel.h"
#include "sotto-timeline.h"

G_BEGIN_DECLS

/* What the composer sends: a message, a reply, or an edit */
typedef enum
{
  SOTTO_COMPOSE_NEW,
  SOTTO_COMPOSE_REPLY,
  SOTTO_COMPOSE_EDIT,
} SottoComposeMode;

struct _SottoRoomView
{
  AdwBin             parent_instance;

  AdwWindowTitle    *window_title;
  GtkRevealer       *offline_revealer;
  GtkRevealer       *notice_revealer;
  GtkLabel          *notice_label;
  AdwFlap           *flap;
  GtkRevealer       *review_revealer;
  GtkWidget         *review_box;
  GtkLabel          *review_label;
  GtkLabel          *review_more_label;
  GtkWidget         *review_compare_button;
  GtkWidget         *review_accept_button;
  GtkScrolledWindow *scroller;
  GtkListView       *message_list;
  GtkWidget         *bottom_button;
  GtkLabel          *typing_label;
  GtkTextView       *composer;
  GtkLabel          *placeholder_label;
  GtkWidget         *send_button;
  GtkWidget         *attach_button;
  GtkWidget         *uploads_box;
  GtkLabel          *members_title;
  GtkListView       *member_list;
  /* The panel at the side: the members or the search, and their buttons */
  GtkStack          *panel_stack;
  GtkToggleButton   *members_button;
  GtkToggleButton   *search_button;
  SottoSearchPanel  *search_panel;
  gboolean           syncing_panel;
  /* A message shown from a search, and its row while marked */
  SottoMessage      *found_message;
  GtkWidget         *found_row;
  guint              found_id;

  SottoClient       *client;
  SottoRoom         *room;
  SottoTimeline     *timeline;
  GtkAdjustment     *vadjustment;
  GPtrArray         *watched_members;
  /* The member rows bound now (not owned), which follow the room's owner */
  GPtrArray         *member_rows;
  /* The members whose review the bar follows */
  GPtrArray         *review_members;
  guint              older_id;
  guint              stick_id;
  double             last_value;
  /* The files this view sends, in every room, until done or dismissed */
  GPtrArray         *uploads;
  gboolean           stick_to_bottom;
  gboolean           folded;
  /* A reply or an edit under way (sotto-room-view-actions.c), the bar
   * over the composer that says so, and the draft an edit set aside */
  SottoComposeMode   compose_mode;
  SottoMessage      *compose_target;
  char              *saved_draft;
  GtkRevealer       *mode_revealer;
  GtkLabel          *mode_title;
  GtkLabel          *mode_text;
  /* The first message the user had not seen when the room was opened,
   * under the "New Messages" line while the room is shown */
  SottoMessage      *first_new;
};

static inline const char *
_sotto_room_view_own_user (SottoRoomView *self)
{
  return self->client != NULL ? sotto_client_get_user (self->client) : NULL;
}

/* Whether what is looked for is among the messages the room has loaded */
typedef gboolean (*SottoRoomViewLoaded) (SottoRoomView *self,
                                         gconstpointer  data);
/* Whether @message is the one looked for */
typedef gboolean (*SottoRoomViewMatch)  (SottoMessage  *message,
                                         gconstpointer  data);

/* sotto-room-view-history.c: the message list, scrolling, older pages */
void _sotto_room_view_history_class_init    (GtkWidgetClass *widget_class);
void _sotto_room_view_history_init          (SottoRoomView  *self);
void _sotto_room_view_history_attach        (SottoRoomView  *self);
void _sotto_room_view_history_detach        (SottoRoomView  *self);
void _sotto_room_view_update_bottom_button  (SottoRoomView  *self);
void _sotto_room_view_load_older_until      (SottoRoomView       *self,
                                             SottoRoomViewLoaded  loaded,
                                             gconstpointer        data);
int  _sotto_room_view_find_message          (SottoRoomView       *self,
                                             SottoRoomViewMatch   match,
                                             gconstpointer        data);
void _sotto_room_view_scroll_to_message     (SottoRoomView       *self,
                                             guint                position);

/* sotto-room-view-members.c: the members panel, the safety number, and
 * whom the user may remove */
void _sotto_room_view_members_class_init    (GtkWidgetClass *widget_class);
void _sotto_room_view_members_init          (SottoRoomView  *self);
void _sotto_room_view_members_attach        (SottoRoomView  *self);
void _sotto_room_view_members_detach        (SottoRoomView  *self);

/* sotto-room-view-composer.c: the composer, drafts and who is typing */
void _sotto_room_view_composer_class_init   (GtkWidgetClass *widget_class);
void _sotto_room_view_composer_init         (SottoRoomView  *self);
void _sotto_room_view_composer_attach       (SottoRoomView  *self);
void _sotto_room_view_composer_save_draft   (SottoRoomView  *self);
void _sotto_room_view_composer_clear        (SottoRoomView  *self);

/* sotto-room-view-files.c: sending files (attach, drop, paste) with
 * their progress */
void _sotto_room_view_files_class_init      (GtkWidgetClass *widget_class);
void _sotto_room_view_files_init            (SottoRoomView  *self);
void _sotto_room_view_files_attach          (SottoRoomView  *self);
void _sotto_room_view_files_dispose         (SottoRoomView  *self);

/* sotto-room-view-received.c: saving, opening and viewing received files */
void _sotto_room_view_file_action           (SottoRoomView  *self,
                                             SottoMessage   *message,
                                             SottoFileAction action);

/* sotto-room-view-actions.c: replies, edits, deletions, reactions */
void     _sotto_room_view_actions_init    (SottoRoomView  *self);
void     _sotto_room_view_actions_detach  (SottoRoomView  *self);
void     _sotto_room_view_message_action  (SottoRoomView  *self,
                                           SottoMessage   *message,
                                           const char     *action,
                                           const char     *param,
                                           gpointer        row);
gboolean _sotto_room_view_send_in_mode    (SottoRoomView  *self,
                                           const char     *text);
gboolean _sotto_room_view_mode_key        (SottoRoomView  *self,
                                           guint           keyval,
                                           gboolean        composer_empty);
void     _sotto_room_view_end_mode        (SottoRoomView  *self);

/* sotto-room-view-search.c: the panel at the side, searching messages,
 * showing one found */
void _sotto_room_view_search_class_init     (GtkWidgetClass *widget_class);
void _sotto_room_view_search_attach         (SottoRoomView  *self);
void _sotto_room_view_search_detach         (SottoRoomView  *self);
void _sotto_room_view_show_panel            (SottoRoomView  *self,
                                             const char     *name);

/* sotto-room-view-review.c: the bar about members' changed safety numbers */
void _sotto_room_view_review_class_init     (GtkWidgetClass *widget_class);
void _sotto_room_view_review_init           (SottoRoomView  *self);
void _sotto_room_view_review_attach         (SottoRoomView  *self);
void _sotto_room_view_review_detach         (SottoRoomView  *self);

/* sotto-room-view-leave.c: leaving the room */
void _sotto_room_view_leave_class_init      (GtkWidgetClass *widget_class);

/* sotto-room-view-remove.c: removing members, and letting them back in */
void _sotto_room_view_remove_class_init     (GtkWidgetClass *widget_class);

/* sotto-room-view-invite.c: invite-only rooms and invitations */
void _sotto_room_view_invite_class_init     (GtkWidgetClass *widget_class);
void _sotto_room_view_invite_attach         (SottoRoomView  *self);
void _sotto_room_view_invite_detach         (SottoRoomView  *self);

G_END_DECLS
