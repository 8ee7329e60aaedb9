/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-client-private.h"

/*
 * Recovering an account on a new computer from its recovery key, when no
 * computer of the account is left to link this one.
 *
 * The recovery key is the account key written down: read back, it is the
 * same key, so the account identity made from it is the one the
 * account's contacts know. This computer opens (or makes) its store with
 * the password as a login does, keeps the account key there, and logs in
 * with the key's proof (`proof` in docs/protocol.md, `login`): the server
 * checks it against the key the account's device list is under, and takes
 * this computer as one of the account's devices. Once in, it fetches that
 * list, opens it under the account key, and publishes the next one with
 * itself added; contacts are told (`devices_changed`) and hand their keys
 * to it. Nobody sees a key change.
 *
 * A recovery key with a mistake, or of another account (or of this one
 * before a reset), leaves nothing behind: the first is refused before
 * anything is opened, the second by the server, after which the new
 * store goes as after any refused login.
 */

typedef struct
{
  /* Our next device list, with this computer on it, and as sealed */
  SottoDeviceList *list;
  GBytes          *sealed;
} Recover;

static void
recover_free (gpointer data)
{
  Recover *recover = data;

  g_clear_pointer (&recover->list, sotto_device_list_free);
  g_clear_pointer (&recover->sealed, g_bytes_unref);
  g_free (recover);
}

/* Once logged in, what fails leaves this computer signed in: the error
 * says so. */
static void
fail_signed_in (GTask      *task,
                const char *why)
{
  SottoClient *self = g_task_get_source_object (task);

  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }
  g_task_return_new_error (task, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_FAILED,
                           _("Signed in as %s, but this computer could not be added to the "
                             "account’s devices, so your contacts’ messages will not reach it: "
                             "%s"),
                           self->user, why);
  g_object_unref (task);
}

static void
published_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  SottoClient *self = g_task_get_source_object (task);
  Recover *recover = g_task_get_task_data (task);
  g_autoptr(SottoMsg) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = sotto_connection_request_finish (SOTTO_CONNECTION (object), result, &error);
  if (reply == NULL)
    {
      fail_signed_in (task, error->message);
      return;
    }

  if (self->store != NULL &&
      !sotto_client_store_set_device_list (self->store, recover->sealed, TRUE, &error))
    g_warning ("Could not note the device list as published: %s", error->message);

  g_info ("Recovered the account %s", self->user);
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static GBytes *
build_publish (const char *id,
               gpointer    data)
{
  SottoClient *self = g_task_get_source_object (data);
  Recover *recover = g_task_get_task_data (data);
  g_autoptr(GBytes) account_key = NULL;
  g_autoptr(GArray) devices = _sotto_client_wire_devices (recover->list);
  SottoWireIdentity account;

  account_key = g_bytes_new (sotto_account_key_get_public (self->account_key),
                             SOTTO_ACCOUNT_KEY_PUBLIC_BYTES);
  _sotto_client_identity_to_wire (sotto_identity_get_public (self->account_identity), &account);
  return sotto_msg_build_publish_devices (id, account_key,
                                          (gint64) sotto_device_list_get_counter (recover->list),
                                          recover->sealed, (SottoWireIdentity *) devices->data,
                                          devices->len, &account);
}

/* The list after @current (or a first one, without @current) with this
 * computer added, sealed and kept as not yet published: should the
 * publish not get through, the next login publishes it. */
static gboolean
make_next_list (SottoClient      *self,
                Recover          *recover,
                SottoDeviceList  *current,
                GError          **error)
{
  gint64 now = g_get_real_time () / 1000;
  g_autofree char *name = _sotto_client_device_name ();
  g_autoptr(SottoDeviceList) next = NULL;
  g_autoptr(GError) local_error = NULL;

  if (current != NULL)
    next = sotto_device_list_next (current, now);
  else
    next = sotto_device_list_new (self->user, sotto_account_key_get_public (self->account_key),
                                  1, now);
  if (!sotto_device_list_add (next, sotto_identity_get_public (self->identity), now, name,
                              &local_error))
    {
      if (g_error_matches (local_error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_TOO_LARGE))
        g_set_error (error, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_FAILED,
                     _("the account has %d devices already, the most it can have"),
                     SOTTO_DEVICE_LIST_MAX_DEVICES);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  recover->sealed = sotto_device_list_seal (next, self->account_key, error);
  if (recover->sealed == NULL ||
      !sotto_client_store_set_device_list (self->store, recover->sealed, FALSE, error))
    return FALSE;
  recover->list = g_steal_pointer (&next);
  return TRUE;
}

static void
devices_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = user_data;
  SottoClient *self = g_task_get_source_object (task);
  Recover *recover = g_task_get_task_data (task);
  g_autoptr(SottoMsg) reply = NULL;
  g_autoptr(SottoDeviceList) current = NULL;
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(GError) error = NULL;

  reply = sotto_connection_request_finish (SOTTO_CONNECTION (object), result, &error);
  if (self->store == NULL)
    {
      g_task_return_new_error (task, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_DISCONNECTED,
                               _("Logged out"));
      g_object_unref (task);
      return;
    }

  /* An account without a list took this login as any other; the list
   * it gets is this computer's alone. */
  if (reply == NULL && !sotto_client_error_is_server (error, SOTTO_MSG_ERROR_CODE_NO_DEVICES))
    {
      fail_signed_in (task, error->message);
      return;
    }

  if (reply != NULL)
    {
      sealed = sotto_msg_dup_bytes (reply, "list");
      current = sotto_device_list_open (sealed, self->user,
                                        sotto_account_key_get_public (self->account_key),
                                        &error);
      if (current == NULL)
        {
          g_info ("Could not open the account's device list: %s", error->message);
          fail_signed_in (task, _("the account’s device list on the server is not signed "
                                  "with this recovery key"));
          return;
        }

      if (sotto_device_list_lookup (current, sotto_identity_get_public (self->identity)) != NULL)
        {
          if (!sotto_client_store_set_device_list (self->store, sealed, TRUE, &error))
            g_warning ("Could not keep the device list: %s", error->message);
          g_task_return_boolean (task, TRUE);
          g_object_unref (task);
          return;
        }
    }

  if (!make_next_list (self, recover, current, &error))
    {
      fail_signed_in (task, error->message);
      return;
    }

  _sotto_client_request_as_user (self, task, build_publish, task, published_cb);
}

static GBytes *
build_get_devices (const char *id,
                   gpointer    data)
{
  SottoClient *self = data;

  return sotto_msg_build_get_devices (id, self->user);
}

static void
logged_in_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  SottoClient *self = SOTTO_CLIENT (object);
  GError *error = NULL;

  g_clear_object (&self->recovering);
  if (!sotto_client_account_finish (self, result, &error))
    {
      /* The proof did not verify: the key is not the one the account's
       * list is under. */
      if (sotto_client_error_is_server (error, SOTTO_MSG_ERROR_CODE_NOT_LINKED))
        {
          g_clear_error (&error);
          error = g_error_new_literal (SOTTO_CLIENT_ERROR,
                                       sotto_client_error_from_server (
                                         SOTTO_MSG_ERROR_CODE_NOT_LINKED),
                                       _("This recovery key is not this account’s: check the "
                                         "name, and that the key is the one kept for it. An "
                                         "account reset since the key was written down has "
                                         "another one. Nothing was changed."));
        }
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  _sotto_client_request_as_user (self, task, build_get_devices, self, devices_cb);
}

/* Once the store is unlocked: the account key it is to keep, for the
 * login to prove. */
static void
keep_account_key (SottoClient *self,
                  GTask       *task,
                  const char  *username)
{
  g_autoptr(SottoAccountKey) key = g_steal_pointer (&self->recovering);
  GError *error = NULL;

  g_assert (key != NULL);

  /* A computer that has the account logs in; and only a store made now
   * goes, with the key, if the recovery fails. */
  if (!_sotto_client_account_made_store (task))
    {
      _sotto_client_account_fail (task,
                                  g_error_new (SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_FAILED,
                                               _("This computer already has the account %s on "
                                                 "%s: log in instead"),
                                               username, self->server));
      return;
    }

  if (!sotto_client_store_add_account_key (self->store, key, &error))
    {
      _sotto_client_account_fail (task, error);
      return;
    }

  _sotto_client_account_log_in_proving (task);
}

/**
 * sotto_client_recover_async:
 * @username: the account
 * @password: its password
 * @recovery_text: its recovery key, as the user typed it (either case,
 *   with or without dashes and spaces)
 *
 * Signs in to @username on a computer that does not have it, with the
 * account key read from @recovery_text: for when no computer of the
 * account is left to link this one from. Contacts see no key change:
 * once signed in, this computer is added to the account's device list,
 * and they hand it their keys. It reads nothing said before.
 *
 * A recovery key with a mistake fails at once, and one that is not the
 * account's (another account's, or one from before a reset) is refused
 * by the server: either way nothing is left on this computer or changed
 * on the server. The client is to be connected to a server it trusts.
 */
void
sotto_client_recover_async (SottoClient         *self,
                            const char          *username,
                            const char          *password,
                            const char          *recovery_text,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(SottoAccountKey) key = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (SOTTO_IS_CLIENT (self));
  g_return_if_fail (username != NULL);
  g_return_if_fail (password != NULL);
  g_return_if_fail (recovery_text != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sotto_client_recover_async);
  g_task_set_task_data (task, g_new0 (Recover, 1), recover_free);

  key = sotto_account_key_new_from_recovery (recovery_text, &error);
  if (key == NULL)
    {
      g_task_return_new_error (task, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_FAILED,
                               _("This recovery key has a mistake: check each character. It is "
                                 "55 letters and digits, in 11 groups of 5."));
      return;
    }

  if (self->recovering != NULL)
    {
      g_task_return_new_error (task, SOTTO_CLIENT_ERROR,
                               sotto_client_error_from_server (SOTTO_MSG_ERROR_CODE_ALREADY_LOGGED_IN),
                               _("Already logged in"));
      return;
    }

  self->recovering = g_steal_pointer (&key);
  _sotto_client_account_async (self, FALSE, FALSE, username, password, keep_account_key,
                               sotto_client_recover_async, cancellable, logged_in_cb,
                               g_steal_pointer (&task));
}

gboolean
sotto_client_recover_finish (SottoClient   *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == sotto_client_recover_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * sotto_client_get_recovery_key:
 *
 * The recovery key of the account this client is logged in to: the
 * account key written down, for the person to keep on paper or in a
 * password manager. Whoever has it can do all that the account key can:
 * sign in on a new computer as the account (with the password), and
 * change its device list. Drop the text as soon as it has been shown.
 *
 * Returns: (transfer full) (nullable): the recovery key, or %NULL when
 *   not logged in
 */
char *
sotto_client_get_recovery_key (SottoClient *self)
{
  g_return_val_if_fail (SOTTO_IS_CLIENT (self), NULL);

  if (self->user == NULL || self->account_key == NULL)
    return NULL;

  return sotto_account_key_dup_recovery (self->account_key);
}
