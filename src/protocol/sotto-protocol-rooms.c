/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sotto-protocol-types.h"

/*
 * The naming rule of direct chats, once for the server and every client:
 * the direct chat of two users is "@" and their two names in byte order,
 * joined by "+", so both find the same room whoever opens it first.
 */

/**
 * sotto_protocol_direct_room_name:
 * @user: one user name
 * @other: the other user name
 *
 * Returns: (transfer full): the name of the direct chat of @user and @other
 */
char *
sotto_protocol_direct_room_name (const char *user,
                                 const char *other)
{
  g_return_val_if_fail (user != NULL, NULL);
  g_return_val_if_fail (other != NULL, NULL);

  if (strcmp (user, other) > 0)
    return g_strdup_printf ("@%s+%s", other, user);

  return g_strdup_printf ("@%s+%s", user, other);
}

/**
 * sotto_protocol_direct_room_peer:
 * @room: a room name
 * @user: (nullable): the user who asks
 *
 * Returns: (transfer full) (nullable): the other user of the direct chat
 *   @room, or %NULL if @room is not a direct chat of @user
 */
char *
sotto_protocol_direct_room_peer (const char *room,
                                 const char *user)
{
  const char *plus;
  gsize first_len;

  g_return_val_if_fail (room != NULL, NULL);

  if (user == NULL || !sotto_protocol_room_is_direct (room))
    return NULL;

  plus = strchr (room, '+');
  first_len = plus - room - 1;

  if (strlen (user) == first_len && strncmp (room + 1, user, first_len) == 0)
    return g_strdup (plus + 1);
  if (strcmp (plus + 1, user) == 0)
    return g_strndup (room + 1, first_len);

  return NULL;
}
