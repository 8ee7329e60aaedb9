/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-server-private.h"
#include "sotto-server-bans.h"

/*
 * What the operator does from the console: a notice to everyone, removing
 * (and banning) a user from a room or from the server, lifting a ban, and
 * the lists of users and rooms.
 */

/**
 * sotto_server_broadcast:
 * @text: what the operator says
 *
 * Sends a server notice to every online user. Clients show it as coming
 * from the server, not from a person.
 */
void
sotto_server_broadcast (SottoServer *self,
                        const char  *text)
{
  g_autoptr(GBytes) notice = NULL;
  GHashTableIter iter;
  SottoUser *user;

  g_return_if_fail (SOTTO_IS_SERVER (self));

  notice = sotto_msg_build_notice (text, _sotto_server_now_ms ());
  g_hash_table_iter_init (&iter, self->state->users);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &user))
    _sotto_server_send_to_user (self->state, user, notice, NULL);

  g_message ("The operator sent a notice to everyone online");
}

/**
 * sotto_server_operator_kick:
 * @room: (nullable): the room to remove @user from, or %NULL to disconnect
 *   every connection of @user
 *
 * Removing from a room is a ban: @user cannot join it again until
 * sotto_server_operator_unban() or the room's owner lets them back.
 */
gboolean
sotto_server_operator_kick (SottoServer  *self,
                            const char   *user_name,
                            const char   *room_name,
                            GError      **error)
{
  SottoUser *user;
  SottoRoom *room;

  g_return_val_if_fail (SOTTO_IS_SERVER (self), FALSE);

  user = _sotto_server_lookup_user (self->state, user_name);
  if (user == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("There is no user %s"), user_name);
      return FALSE;
    }

  if (room_name == NULL)
    {
      g_autoptr(GPtrArray) sessions = _sotto_server_copy_sessions (user->sessions);
      for (guint i = 0; i < sessions->len; i++)
        sotto_session_close (g_ptr_array_index (sessions, i), "disconnected by the operator");
      g_message ("The operator disconnected %s", user->name);
      return TRUE;
    }

  room = _sotto_server_lookup_room (self->state, room_name);
  if (room == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("There is no room %s"), room_name);
      return FALSE;
    }

  return _sotto_server_kick (self->state, user, room, NULL, error);
}

/**
 * sotto_server_operator_unban:
 *
 * Lets @user join @room again; lifting a ban that is not there is not an
 * error.
 */
gboolean
sotto_server_operator_unban (SottoServer  *self,
                             const char   *user_name,
                             const char   *room_name,
                             GError      **error)
{
  SottoUser *user;
  SottoRoom *room;

  g_return_val_if_fail (SOTTO_IS_SERVER (self), FALSE);
  g_return_val_if_fail (room_name != NULL, FALSE);

  user = _sotto_server_lookup_user (self->state, user_name);
  if (user == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("There is no user %s"), user_name);
      return FALSE;
    }

  room = _sotto_server_lookup_room (self->state, room_name);
  if (room == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("There is no room %s"), room_name);
      return FALSE;
    }

  return _sotto_server_unban (self->state, user, room, error);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char **) a, *(const char **) b);
}

char *
sotto_server_describe_users (SottoServer *self)
{
  g_autoptr(GPtrArray) online = g_ptr_array_new ();
  g_autoptr(GPtrArray) offline = g_ptr_array_new ();
  GString *out = g_string_new (NULL);
  GHashTableIter iter;
  SottoUser *user;

  g_return_val_if_fail (SOTTO_IS_SERVER (self), NULL);

  g_hash_table_iter_init (&iter, self->state->users);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &user))
    g_ptr_array_add (user->sessions->len > 0 ? online : offline, user->name);
  g_ptr_array_sort (online, compare_names);
  g_ptr_array_sort (offline, compare_names);

  g_string_append_printf (out, _("Online (%u):"), online->len);
  for (guint i = 0; i < online->len; i++)
    {
      SottoUser *u = g_hash_table_lookup (self->state->users, g_ptr_array_index (online, i));

      g_string_append_printf (out, " %s", u->name);
      if (u->sessions->len > 1)
        g_string_append_printf (out, "(×%u)", u->sessions->len);
    }
  g_string_append_c (out, '\n');
  g_string_append_printf (out, _("Offline (%u):"), offline->len);
  for (guint i = 0; i < offline->len; i++)
    g_string_append_printf (out, " %s", (const char *) g_ptr_array_index (offline, i));

  return g_string_free (out, FALSE);
}

char *
sotto_server_describe_rooms (SottoServer *self)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  GString *out = g_string_new (NULL);
  GHashTableIter iter;
  SottoRoom *room;

  g_return_val_if_fail (SOTTO_IS_SERVER (self), NULL);

  g_hash_table_iter_init (&iter, self->state->rooms);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &room))
    g_ptr_array_add (names, room->name);
  g_ptr_array_sort (names, compare_names);

  g_string_append_printf (out, _("%u rooms:"), names->len);
  for (guint i = 0; i < names->len; i++)
    {
      guint online = 0;
      g_autofree char *events = NULL;

      room = g_hash_table_lookup (self->state->rooms, g_ptr_array_index (names, i));
      for (guint j = 0; j < room->members->len; j++)
        if (((SottoUser *) g_ptr_array_index (room->members, j))->sessions->len > 0)
          online++;

      events = g_strdup_printf ("%" G_GINT64_FORMAT, room->last_seq);
      g_string_append_printf (out, _("\n  %s: %u members, %u online, %s events%s"),
                              room->name, room->members->len, online, events,
                              room->direct ? _(", direct chat") : "");
    }

  return g_string_free (out, FALSE);
}
