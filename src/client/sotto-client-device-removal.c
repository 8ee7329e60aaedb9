/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "sotto-client-private.h"

/*
 * Our devices as the user changes them: the account's device list,
 * publishing the next one (sotto-client-own-devices.c renames with it),
 * and removing a device. A removal is the next list, signed by the
 * account key, without the device; the server ends its connections and
 * refuses it from then on, and everyone who shares a room with us, told
 * of the new list, makes a new sender key that the removed device never
 * gets. We make one too: our keys of every room are forgotten, and the
 * next message goes under a new one.
 */

/**
 * sotto_client_dup_device_list:
 *
 * Returns: (transfer full) (nullable): the account's device list as this
 *   computer holds it (opened under the account key), or %NULL while
 *   logged out
 */
SottoDeviceList *
sotto_client_dup_device_list (SottoClient *self)
{
  g_return_val_if_fail (SOTTO_IS_CLIENT (self), NULL);

  if (self->store == NULL || self->account_identity == NULL || self->user == NULL)
    return NULL;
  return _sotto_client_lookup_devices (self, self->user,
                                       sotto_identity_get_public (self->account_identity));
}

/* Publishing the account's next device list, for removal and renaming
 * alike: sealed under the account key, and ours once the server holds
 * it, so that the list after it follows it. */

typedef struct
{
  GBytes                  *account_key;
  GBytes                  *list;
  SottoDeviceList         *opened;
  SottoWireIdentity        account;
} Publish;

static void
publish_free (Publish *publish)
{
  g_clear_pointer (&publish->account_key, g_bytes_unref);
  g_clear_pointer (&publish->list, g_bytes_unref);
  g_clear_pointer (&publish->opened, sotto_device_list_free);
  g_free (publish);
}

static GBytes *
build_publish (const char *id,
               gpointer    data)
{
  Publish *publish = data;
  g_autoptr(GArray) devices = _sotto_client_wire_devices (publish->opened);

  return sotto_msg_build_publish_devices (id, publish->account_key,
                                          (gint64) sotto_device_list_get_counter (publish->opened),
                                          publish->list, (SottoWireIdentity *) devices->data,
                                          devices->len, &publish->account);
}

static void
published_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  SottoClient *self = g_task_get_source_object (task);
  Publish *publish = g_task_get_task_data (task);
  g_autoptr(SottoMsg) reply = NULL;
  GError *error = NULL;

  reply = sotto_connection_request_finish (SOTTO_CONNECTION (object), result, &error);
  if (reply == NULL || self->store == NULL)
    {
      if (error == NULL)
        error = g_error_new_literal (SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_DISCONNECTED,
                                     _("Logged out"));
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  if (!sotto_client_store_set_device_list (self->store, publish->list, TRUE, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  _sotto_client_emit_devices_changed (self);
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

/**
 * _sotto_client_publish_next_devices_async:
 * @next: (transfer full): the account's next device list, from
 *   sotto_device_list_next() on the one we hold, changed
 *
 * Seals @next under our account key and publishes it; once the server
 * holds it, it is the list we hold, and #SottoClient::devices-changed is
 * emitted.
 */
void
_sotto_client_publish_next_devices_async (SottoClient         *self,
                                          SottoDeviceList     *next,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GError) error = NULL;
  Publish *publish;

  g_task_set_source_tag (task, _sotto_client_publish_next_devices_async);
  publish = g_new0 (Publish, 1);
  publish->opened = next;
  g_task_set_task_data (task, publish, (GDestroyNotify) publish_free);

  if (self->account_key == NULL || self->account_identity == NULL)
    {
      g_task_return_new_error (task, SOTTO_CLIENT_ERROR,
                               sotto_client_error_from_server (SOTTO_MSG_ERROR_CODE_NOT_LOGGED_IN),
                               _("Log in first"));
      return;
    }

  publish->list = sotto_device_list_seal (next, self->account_key, &error);
  if (publish->list == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  publish->account_key = g_bytes_new (sotto_account_key_get_public (self->account_key),
                                      SOTTO_ACCOUNT_KEY_PUBLIC_BYTES);
  _sotto_client_identity_to_wire (sotto_identity_get_public (self->account_identity),
                                  &publish->account);

  _sotto_client_request_as_user (self, g_steal_pointer (&task), build_publish, publish,
                                 published_cb);
}

gboolean
_sotto_client_publish_next_devices_finish (SottoClient   *self,
                                           GAsyncResult  *result,
                                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Removal */

/* Our own keys of every room are forgotten: what we say next goes under
 * new ones, which the removed device never gets. */
static void
rotate_all (SottoClient *self)
{
  GListModel *rooms = sotto_client_get_rooms (self);

  for (guint i = 0; i < g_list_model_get_n_items (rooms); i++)
    {
      g_autoptr(SottoRoom) room = g_list_model_get_item (rooms, i);

      _sotto_client_rotate_own_key (self, room);
    }
}

static void
removed_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SottoClient *self = SOTTO_CLIENT (object);
  GError *error = NULL;

  if (!_sotto_client_publish_next_devices_finish (self, result, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  rotate_all (self);
  g_task_return_boolean (task, TRUE);
}

/**
 * sotto_client_remove_device_async:
 * @sign_pk: (array fixed-size=32): the signing key of the device to
 *   remove, as the device list names it
 *
 * Removes one of the account's other devices: the next device list,
 * without it, is signed and published; the server ends its connections
 * and refuses it from then on; the others who share our rooms, and we,
 * make new sender keys, so that it reads nothing said from then on. This
 * computer cannot remove itself (another of the account's devices can).
 */
void
sotto_client_remove_device_async (SottoClient         *self,
                                  const guint8        *sign_pk,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(SottoDeviceList) current = NULL;
  SottoDeviceList *next;

  g_return_if_fail (SOTTO_IS_CLIENT (self));
  g_return_if_fail (sign_pk != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sotto_client_remove_device_async);

  current = sotto_client_dup_device_list (self);
  if (current == NULL || self->account_key == NULL)
    {
      g_task_return_new_error (task, SOTTO_CLIENT_ERROR,
                               sotto_client_error_from_server (SOTTO_MSG_ERROR_CODE_NOT_LOGGED_IN),
                               _("Log in first"));
      return;
    }

  if (memcmp (sign_pk, sotto_identity_get_public (self->identity)->sign_pk, 32) == 0)
    {
      g_task_return_new_error (task, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_FAILED,
                               _("This computer cannot remove itself: remove it from another "
                                 "of the account’s devices"));
      return;
    }

  if (_sotto_client_find_device (current, sign_pk) == NULL)
    {
      g_task_return_new_error (task, SOTTO_CLIENT_ERROR,
                               sotto_client_error_from_server (SOTTO_MSG_ERROR_CODE_NO_SUCH_DEVICE),
                               _("The account has no such device"));
      return;
    }

  next = sotto_device_list_next (current, g_get_real_time () / 1000);
  sotto_device_list_remove (next, sign_pk);
  _sotto_client_publish_next_devices_async (self, next, cancellable, removed_cb,
                                            g_steal_pointer (&task));
}

gboolean
sotto_client_remove_device_finish (SottoClient   *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
