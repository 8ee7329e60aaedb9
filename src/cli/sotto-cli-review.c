/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-cli-review.h"

/*
 * A contact's changed safety number, in the words of the chat and of the
 * scripted commands: the line that tells of it, what the user can do
 * (compare it in the chat with /verify, or accept it), and accepting it.
 * The chat has /accept; a script has the accept command.
 */

/**
 * sotto_cli_review_line:
 * @review: what the change of @user's keys asks of the user
 * @chat: in the chat, rather than a scripted command
 *
 * Returns: the line that tells that @user's safety number changed
 */
char *
sotto_cli_review_line (const char          *user,
                       SottoIdentityReview  review,
                       gboolean             chat)
{
  g_return_val_if_fail (user != NULL, NULL);

  if (review == SOTTO_IDENTITY_REVIEW_BLOCKING)
    return chat ? g_strdup_printf (_("*** %s's safety number changed. You had verified %s: nothing "
                                     "is sent in the rooms you share until you compare it with "
                                     "/verify %s or accept it with /accept %s"),
                                   user, user, user, user)
                : g_strdup_printf (_("*** %s's safety number changed. You had verified %s: nothing "
                                     "is sent in the rooms you share until you compare it in the "
                                     "chat with /verify %s or accept it with `sotto-cli accept "
                                     "%s`"), user, user, user, user);

  return chat ? g_strdup_printf (_("*** %s's safety number changed: compare it with /verify %s, "
                                   "or accept it with /accept %s"), user, user, user)
              : g_strdup_printf (_("*** %s's safety number changed: compare it in the chat with "
                                   "/verify %s, or accept it with `sotto-cli accept %s`"),
                                 user, user, user);
}

/**
 * sotto_cli_review_refused:
 * @room: where sending failed with @error
 * @chat: in the chat, rather than a scripted command
 *
 * Returns: what to tell of @error: its sentence, and what the user can do
 *   when a changed safety number held sending
 */
char *
sotto_cli_review_refused (SottoRoom    *room,
                          const GError *error,
                          gboolean      chat)
{
  const char *user = sotto_room_get_blocked_by (room);

  g_return_val_if_fail (error != NULL, NULL);

  if (!g_error_matches (error, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_IDENTITY_CHANGED) ||
      user == NULL)
    return g_strdup (error->message);

  return chat ? g_strdup_printf (_("%s\nCompare it with /verify %s, or accept it with "
                                   "/accept %s."), error->message, user, user)
              : g_strdup_printf (_("%s\nCompare it in the chat with /verify %s, or accept it "
                                   "with `sotto-cli accept %s`."), error->message, user, user);
}

/**
 * sotto_cli_review_accept:
 * @name: the contact whose new safety number the user accepts
 *
 * Accepts the new keys of @name without comparing them: @name stays
 * unverified, and rooms their change held can be written to again. Only a
 * change still to be looked at can be accepted.
 *
 * Returns: (nullable): the sentence that says it is done, or %NULL with
 *   @error set
 */
char *
sotto_cli_review_accept (SottoClient  *client,
                         const char   *name,
                         GError      **error)
{
  g_autofree char *user = NULL;
  g_autofree char *number = NULL;

  g_return_val_if_fail (SOTTO_IS_CLIENT (client), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  user = g_ascii_strdown (name, -1);
  if (g_strcmp0 (user, sotto_client_get_user (client)) == 0)
    {
      g_set_error (error, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_FAILED, _("That is you."));
      return NULL;
    }

  number = sotto_client_safety_number (client, user);
  if (number == NULL)
    {
      g_set_error (error, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_FAILED,
                   _("You do not have the keys of %s: you need to share a room."), user);
      return NULL;
    }

  if (sotto_client_get_review (client, user) == SOTTO_IDENTITY_REVIEW_NONE)
    {
      g_set_error (error, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_FAILED,
                   _("%s's safety number has not changed since you last looked at it: there is "
                     "nothing to accept."), user);
      return NULL;
    }

  if (!sotto_client_accept_identity (client, user, error))
    return NULL;

  return g_strdup_printf (_("Accepted %s's new safety number; %s stays unverified."), user, user);
}
