/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-client-private.h"

/*
 * What each sender saw of a room's signed state: every message names how
 * many events of the room's chain its sender held and the hash of the
 * last, inside the signed envelope. A reader compares that with its own
 * chain at the same length: another hash means the server showed the two
 * of them different histories of the room, and the room says so. A
 * sender who saw more than the reader holds yet is compared once the
 * reader's chain gets there.
 */

/* The most claims kept per room until the chain reaches them. */
#define MAX_PENDING_VIEWS 64

typedef struct
{
  char    *sender;
  guint64  length;
  guint8   head[SOTTO_MESSAGE_BODY_STATE_HEAD_BYTES];
} View;

static void
view_free (View *view)
{
  g_free (view->sender);
  g_free (view);
}

/* Says once per sender that they saw another history of the room. */
static void
tell_split (SottoRoom  *room,
            const char *sender)
{
  g_autofree char *line = NULL;

  g_info ("%s saw another history of %s", sender, sotto_room_get_name (room));
  line = g_strdup_printf (_("%s sees this room’s membership differently from you: the server "
                            "may be showing the two of you different rooms. Compare safety "
                            "numbers with %s and check who is in the room."),
                          sender, sender);
  sotto_room_tell_once (room, line);
}

/* Compares @view with our chain; %FALSE if the chain does not reach it. */
static gboolean
compare_view (SottoClient *self,
              SottoRoom   *room,
              const View  *view)
{
  const char *name = sotto_room_get_name (room);
  g_autoptr(GBytes) event = NULL;
  g_autoptr(GError) error = NULL;
  guint8 head[SOTTO_ROOM_EVENT_HASH_BYTES];

  event = sotto_client_store_get_state_event (self->store, name, view->length - 1, &error);
  if (event == NULL)
    return FALSE;

  sotto_room_event_hash (event, head);
  if (sodium_memcmp (head, view->head, sizeof head) != 0)
    tell_split (room, view->sender);
  return TRUE;
}

/**
 * _sotto_client_check_view:
 * @body: a message of @sender's that opened
 *
 * Compares the room state @sender saw with ours, now or once our chain
 * gets that far.
 */
void
_sotto_client_check_view (SottoClient            *self,
                          SottoRoom              *room,
                          const char             *sender,
                          const SottoMessageBody *body)
{
  const char *name = sotto_room_get_name (room);
  GPtrArray *pending;
  View view = { (char *) sender, body->state_length, { 0 } };
  View *kept;

  /* A sender who held no state yet (its join on its way) says nothing. */
  if (body->state_length == 0)
    return;

  memcpy (view.head, body->state_head, sizeof view.head);
  if (compare_view (self, room, &view))
    return;

  pending = g_hash_table_lookup (self->pending_views, name);
  if (pending == NULL)
    {
      pending = g_ptr_array_new_with_free_func ((GDestroyNotify) view_free);
      g_hash_table_insert (self->pending_views, g_strdup (name), pending);
    }
  if (pending->len >= MAX_PENDING_VIEWS)
    g_ptr_array_remove_index (pending, 0);

  kept = g_new0 (View, 1);
  kept->sender = g_strdup (sender);
  kept->length = view.length;
  memcpy (kept->head, view.head, sizeof kept->head);
  g_ptr_array_add (pending, kept);
}

/**
 * _sotto_client_recheck_views:
 *
 * @room's chain grew: the views it now reaches are compared.
 */
void
_sotto_client_recheck_views (SottoClient *self,
                             SottoRoom   *room)
{
  GPtrArray *pending = g_hash_table_lookup (self->pending_views, sotto_room_get_name (room));

  for (guint i = pending != NULL ? pending->len : 0; i > 0; i--)
    if (compare_view (self, room, g_ptr_array_index (pending, i - 1)))
      g_ptr_array_remove_index (pending, i - 1);
}
