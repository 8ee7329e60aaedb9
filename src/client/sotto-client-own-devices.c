/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "sotto-client-private.h"
#include "sotto-device-info.h"

/*
 * Our devices as the user sees them, and their names. The list is the
 * account's signed device list, fetched again and taken where it follows
 * ours, so that what is shown is what the account key signed; the server
 * adds only when each device was last connected, which it tells the
 * account alone. A new name is the next list, signed by the account key,
 * with that device's name changed: any device may rename any of them,
 * itself included.
 */

static GBytes *
build_get_own (const char *id,
               gpointer    data)
{
  SottoClient *self = data;

  return sotto_msg_build_get_devices (id, self->user);
}

/* What @reply says of the device with @sign_pk: %FALSE if nothing. */
static gboolean
find_seen (SottoMsg            *reply,
           const guint8        *sign_pk,
           SottoWireDeviceSeen *out_seen)
{
  JsonArray *seen;

  if (!sotto_msg_has_field (reply, "seen"))
    return FALSE;

  seen = sotto_msg_get_array (reply, "seen");
  for (guint i = 0; i < json_array_get_length (seen); i++)
    if (sotto_msg_get_device_seen (reply, i, out_seen) &&
        memcmp (out_seen->device, sign_pk, sizeof out_seen->device) == 0)
      return TRUE;
  return FALSE;
}

/* @list's devices, this computer first, then in the order they came. */
static GListModel *
make_infos (SottoClient     *self,
            SottoDeviceList *list,
            SottoMsg        *reply)
{
  const guint8 *ours = sotto_identity_get_public (self->identity)->sign_pk;
  GListStore *infos = g_list_store_new (SOTTO_TYPE_DEVICE_INFO);

  for (guint i = 0; i < sotto_device_list_get_n_devices (list); i++)
    {
      const SottoDevice *device = sotto_device_list_get_device (list, i);
      gboolean this_device = memcmp (device->identity.sign_pk, ours, 32) == 0;
      SottoWireDeviceSeen seen = { .last_seen = 0, .online = FALSE };
      g_autoptr(SottoDeviceInfo) info = NULL;

      find_seen (reply, device->identity.sign_pk, &seen);
      /* We are asking: we are connected, whatever the server's answer. */
      info = sotto_device_info_new (device->identity.sign_pk, device->name, device->added,
                                    seen.last_seen, seen.online || this_device, this_device);
      if (this_device)
        g_list_store_insert (infos, 0, info);
      else
        g_list_store_append (infos, info);
    }

  return G_LIST_MODEL (infos);
}

static void
listed_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SottoClient *self = g_task_get_source_object (task);
  g_autoptr(SottoMsg) reply = NULL;
  g_autoptr(SottoDeviceList) list = NULL;
  GError *error = NULL;

  reply = sotto_connection_request_finish (SOTTO_CONNECTION (object), result, &error);
  if (reply == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  if (self->store == NULL || self->account_identity == NULL)
    {
      g_task_return_new_error (task, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_DISCONNECTED,
                               _("Logged out"));
      return;
    }

  list = _sotto_client_take_devices (self, self->user,
                                     sotto_identity_get_public (self->account_identity), reply);
  if (list == NULL)
    {
      g_task_return_new_error (task, SOTTO_CLIENT_ERROR,
                               sotto_client_error_from_server (SOTTO_MSG_ERROR_CODE_NO_DEVICES),
                               _("The account’s device list is not signed by its account key"));
      return;
    }

  g_task_return_pointer (task, make_infos (self, list, reply), g_object_unref);
}

/**
 * sotto_client_list_devices_async:
 *
 * Lists the account's devices: the device list is fetched again, and
 * taken where it follows the one this computer holds; with each device
 * comes when the server last saw it connected.
 */
void
sotto_client_list_devices_async (SottoClient         *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (SOTTO_IS_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sotto_client_list_devices_async);
  _sotto_client_request_as_user (self, task, build_get_own, self, listed_cb);
}

/**
 * sotto_client_list_devices_finish:
 *
 * Returns: (transfer full) (element-type SottoDeviceInfo): the account's
 *   devices, this computer first, then in the order they were added; or
 *   %NULL on error
 */
GListModel *
sotto_client_list_devices_finish (SottoClient   *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        sotto_client_list_devices_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
renamed_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!_sotto_client_publish_next_devices_finish (SOTTO_CLIENT (object), result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * sotto_client_rename_device_async:
 * @sign_pk: (array fixed-size=32): the signing key of the device, as the
 *   device list names it; this computer's own too
 * @name: its new name, 1 to %SOTTO_DEVICE_NAME_MAX_BYTES bytes of text
 *   once spaces around it are gone
 *
 * Renames one of the account's devices: the next device list, with the
 * new name, is signed and published. The same name again changes
 * nothing.
 */
void
sotto_client_rename_device_async (SottoClient         *self,
                                  const guint8        *sign_pk,
                                  const char          *name,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(SottoDeviceList) current = NULL;
  g_autoptr(SottoDeviceList) next = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stripped = NULL;
  const SottoDevice *device;

  g_return_if_fail (SOTTO_IS_CLIENT (self));
  g_return_if_fail (sign_pk != NULL);
  g_return_if_fail (name != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sotto_client_rename_device_async);

  current = sotto_client_dup_device_list (self);
  if (current == NULL || self->account_key == NULL)
    {
      g_task_return_new_error (task, SOTTO_CLIENT_ERROR,
                               sotto_client_error_from_server (SOTTO_MSG_ERROR_CODE_NOT_LOGGED_IN),
                               _("Log in first"));
      return;
    }

  device = _sotto_client_find_device (current, sign_pk);
  if (device == NULL)
    {
      g_task_return_new_error (task, SOTTO_CLIENT_ERROR,
                               sotto_client_error_from_server (SOTTO_MSG_ERROR_CODE_NO_SUCH_DEVICE),
                               _("The account has no such device"));
      return;
    }

  stripped = g_strstrip (g_strdup (name));
  if (g_strcmp0 (device->name, stripped) == 0)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  next = sotto_device_list_next (current, g_get_real_time () / 1000);
  if (!sotto_device_list_set_name (next, sign_pk, stripped, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  _sotto_client_publish_next_devices_async (self, g_steal_pointer (&next), cancellable,
                                            renamed_cb, g_steal_pointer (&task));
}

gboolean
sotto_client_rename_device_finish (SottoClient   *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        sotto_client_rename_device_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
