/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-server-events.h"
#include "sotto-server-devices.h"

/*
 * Device lists seen from the server: every account publishes the list of
 * its devices that its account key signed, and anyone logged in fetches
 * it. The server never opens a list, and cannot check its signature; the
 * clients do. It reads only the account key and the counter sent beside
 * the list, to keep to two rules it can enforce: an account's lists all
 * come under the first account key it published with, and each one
 * stored has a higher counter than the one before. They keep an honest
 * server's lists in order; a dishonest one may still hand out an old
 * list, which a client catches only when it holds a newer one.
 *
 * A login with other identity keys leaves the list alone: the account
 * key signs it, not a device. Nothing of a list's content is logged.
 *
 * Both answers wait for the commit: a publish is acknowledged once it is
 * durable, and a fetch never tells of a list that a failed batch loses.
 */

/**
 * _sotto_server_handle_publish_devices:
 *
 * Stores the account's new device list, unless the account has one under
 * another account key ("account_key_changed") or one with the same or a
 * higher counter ("stale"): then nothing is stored.
 */
void
_sotto_server_handle_publish_devices (SottoServerState *self,
                                      SottoSession     *session,
                                      SottoMsg         *msg)
{
  SottoUser *user = sotto_session_get_user (session);
  gint64 counter = sotto_msg_get_int (msg, "counter");
  g_autoptr(GBytes) account_key = sotto_msg_dup_bytes (msg, "account_key");
  g_autoptr(GBytes) list = sotto_msg_dup_bytes (msg, "list");
  g_autoptr(GBytes) stored_key = NULL;
  g_autoptr(GBytes) stored_list = NULL;
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GError) error = NULL;
  gint64 stored_counter;

  /* What the batch holds counts: of two publishes in one turn of the
   * main loop, the second is checked against the first. */
  if (!sotto_store_get_device_list (self->store, user->id, &stored_key, &stored_counter,
                                    &stored_list, &error))
    {
      _sotto_server_reply_store_error (self, session, msg, error);
      return;
    }

  if (stored_key != NULL && !g_bytes_equal (stored_key, account_key))
    {
      g_message ("Device list of %s refused: another account key", user->name);
      _sotto_server_reply_error (self, session, msg, SOTTO_MSG_ERROR_CODE_ACCOUNT_KEY_CHANGED,
                                 _("The server holds this account’s device list under another "
                                   "account key"));
      return;
    }

  if (stored_key != NULL && counter <= stored_counter)
    {
      _sotto_server_reply_error (self, session, msg, SOTTO_MSG_ERROR_CODE_STALE,
                                 _("The server holds a device list of this account that is "
                                   "as new or newer"));
      return;
    }

  if (!sotto_store_set_device_list (self->store, user->id, account_key, counter, list,
                                    _sotto_server_now_ms (), &error))
    {
      _sotto_server_reply_store_error (self, session, msg, error);
      return;
    }

  g_message ("%s published device list %" G_GINT64_FORMAT, user->name, counter);
  reply = sotto_msg_build_devices_published (sotto_msg_get_id (msg), counter);
  _sotto_server_reply_after_commit (self, session, msg, reply);
}

/**
 * _sotto_server_handle_get_devices:
 *
 * Answers with the user's device list, as it was published, once what
 * the open batch holds is committed.
 */
void
_sotto_server_handle_get_devices (SottoServerState *self,
                                  SottoSession     *session,
                                  SottoMsg         *msg)
{
  SottoUser *target = _sotto_server_lookup_user (self, sotto_msg_get_string (msg, "user"));
  g_autoptr(GBytes) account_key = NULL;
  g_autoptr(GBytes) list = NULL;
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GError) error = NULL;
  gint64 counter;

  if (target == NULL)
    {
      _sotto_server_reply_error (self, session, msg, SOTTO_MSG_ERROR_CODE_NO_SUCH_USER,
                                 _("There is no user with that name"));
      return;
    }

  if (!sotto_store_get_device_list (self->store, target->id, &account_key, &counter, &list,
                                    &error))
    {
      _sotto_server_reply_store_error (self, session, msg, error);
      return;
    }

  if (list == NULL)
    {
      _sotto_server_reply_error (self, session, msg, SOTTO_MSG_ERROR_CODE_NO_DEVICES,
                                 _("This user has published no device list yet"));
      return;
    }

  reply = sotto_msg_build_devices (sotto_msg_get_id (msg), target->name, account_key, counter,
                                   list);
  _sotto_server_reply_after_commit (self, session, msg, reply);
}
