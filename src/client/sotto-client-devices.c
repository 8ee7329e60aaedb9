/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "sotto-client-private.h"

/*
 * The account key and our device list. Every account has an account key
 * (SottoAccountKey), made on the first computer it is used on and kept
 * sealed in the store, which signs the list of the account's devices
 * (SottoDeviceList): for now this computer alone. At each login a list
 * the server has not taken yet is published; the server keeps the first
 * account key it is given and refuses lists under another.
 */

/**
 * _sotto_client_device_name:
 *
 * Returns: (transfer full): what this computer is called in the device
 *   list, and in the offer of a link: its host name, as far as it makes a
 *   device name, else a plain word
 */
char *
_sotto_client_device_name (void)
{
  const char *host = g_get_host_name ();
  const char *end = NULL;

  if (host != NULL && g_utf8_validate (host, -1, &end) && host[0] != '\0')
    {
      gsize len = strlen (host);

      if (len <= SOTTO_DEVICE_NAME_MAX_BYTES)
        return g_strdup (host);
      /* Cut at a whole character. */
      end = g_utf8_find_prev_char (host, host + SOTTO_DEVICE_NAME_MAX_BYTES + 1);
      if (end != NULL && end > host)
        return g_strndup (host, (gsize) (end - host));
    }

  return g_strdup (_("This computer"));
}

/**
 * _sotto_client_wire_devices:
 *
 * Returns: (transfer full) (element-type SottoWireIdentity): the
 *   identities @list holds, as the server is told of them beside it
 */
GArray *
_sotto_client_wire_devices (const SottoDeviceList *list)
{
  guint n = sotto_device_list_get_n_devices (list);
  GArray *devices = g_array_sized_new (FALSE, TRUE, sizeof (SottoWireIdentity), n);

  g_array_set_size (devices, n);
  for (guint i = 0; i < n; i++)
    _sotto_client_identity_to_wire (&sotto_device_list_get_device (list, i)->identity,
                                    &g_array_index (devices, SottoWireIdentity, i));
  return devices;
}

/* Our account key, made and kept if this store has none yet. */
static SottoAccountKey *
ensure_account_key (SottoClient  *self,
                    GError      **error)
{
  g_autoptr(SottoAccountKey) key = sotto_client_store_get_account_key (self->store, error);

  if (key != NULL || (error != NULL && *error != NULL))
    return g_steal_pointer (&key);

  key = sotto_account_key_new ();
  if (!sotto_client_store_add_account_key (self->store, key, error))
    return NULL;
  g_info ("Made an account key");
  return g_steal_pointer (&key);
}

/**
 * _sotto_client_take_account:
 *
 * Before logging in: our account key (made and kept if this store has
 * none, as on a computer that registers, resets or holds an account from
 * before account keys) and the account's identity made from it.
 *
 * Returns: %FALSE if the store failed
 */
gboolean
_sotto_client_take_account (SottoClient  *self,
                            GError      **error)
{
  g_autoptr(SottoAccountKey) key = ensure_account_key (self, error);

  if (key == NULL)
    return FALSE;
  g_clear_object (&self->account_identity);
  g_set_object (&self->account_key, key);
  self->account_identity = sotto_account_key_dup_identity (key);
  return TRUE;
}

/* Our first device list: this computer alone. */
static GBytes *
make_first_list (SottoClient      *self,
                 SottoAccountKey  *key,
                 GError          **error)
{
  gint64 now = g_get_real_time () / 1000;
  g_autoptr(SottoDeviceList) list = NULL;
  g_autofree char *name = _sotto_client_device_name ();
  g_autoptr(GBytes) sealed = NULL;

  list = sotto_device_list_new (self->user, sotto_account_key_get_public (key), 1, now);
  if (!sotto_device_list_add (list, sotto_identity_get_public (self->identity), now, name,
                              error))
    return NULL;
  sealed = sotto_device_list_seal (list, key, error);
  if (sealed == NULL || !sotto_client_store_set_device_list (self->store, sealed, FALSE, error))
    return NULL;
  return g_steal_pointer (&sealed);
}

typedef struct
{
  SottoClient *self;
  GBytes      *account_key;
  gint64       counter;
  GBytes      *list;
} Publish;

static void
publish_free (Publish *publish)
{
  g_object_unref (publish->self);
  g_bytes_unref (publish->account_key);
  g_bytes_unref (publish->list);
  g_free (publish);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Publish, publish_free)

static void
published_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(Publish) publish = user_data;
  SottoClient *self = publish->self;
  g_autoptr(SottoMsg) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = sotto_connection_request_finish (SOTTO_CONNECTION (object), result, &error);
  if (reply == NULL)
    {
      /* "account_key_changed": the account was first used on another
       * computer, whose key the server keeps; this one is to be linked
       * to it. Until then nobody gets our list, as before there were
       * lists. */
      g_info ("Could not publish the device list: %s", error->message);
      return;
    }

  if (self->store != NULL &&
      !sotto_client_store_set_device_list (self->store, publish->list, TRUE, &error))
    g_warning ("Could not note the device list as published: %s", error->message);
}

static void
own_devices_cb (SottoClient     *self,
                const char      *user,
                SottoDeviceList *list,
                gpointer         data)
{
}

/**
 * _sotto_client_publish_devices:
 * @session: the server's answer to the login
 *
 * At login: our device list made if there is none, and published with
 * the account's identity unless the server took it already and shows
 * that identity; then the list the server holds, which another of our
 * devices may have changed, taken where it follows ours.
 */
void
_sotto_client_publish_devices (SottoClient *self,
                               SottoMsg    *session)
{
  SottoAccountKey *key = self->account_key;
  SottoWireIdentity shown, account;
  g_autoptr(SottoDeviceList) opened = NULL;
  g_autoptr(GBytes) list = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autoptr(GBytes) request = NULL;
  g_autoptr(GArray) devices = NULL;
  gboolean published = FALSE;
  Publish *publish;

  if (key != NULL)
    list = sotto_client_store_get_device_list (self->store, &published, &error);
  if (key != NULL && list == NULL && error == NULL)
    list = make_first_list (self, key, &error);
  if (list != NULL)
    opened = sotto_device_list_open (list, self->user, sotto_account_key_get_public (key),
                                     &error);
  if (opened == NULL)
    {
      g_warning ("Could not make the device list: %s",
                 error != NULL ? error->message : "no account key");
      return;
    }
  _sotto_client_identity_to_wire (sotto_identity_get_public (self->account_identity), &account);
  if (published && sotto_msg_get_identity (session, &shown) &&
      memcmp (&shown, &account, sizeof shown) == 0)
    {
      _sotto_client_fetch_devices (self, self->user,
                                   sotto_identity_get_public (self->account_identity),
                                   own_devices_cb, NULL, NULL);
      return;
    }

  /* The server took our list but shows another identity (an account from
   * before account identities): the next list tells it ours. */
  if (published)
    {
      g_autoptr(SottoDeviceList) next = sotto_device_list_next (opened,
                                                                g_get_real_time () / 1000);

      g_clear_pointer (&list, g_bytes_unref);
      list = sotto_device_list_seal (next, key, &error);
      if (list == NULL ||
          !sotto_client_store_set_device_list (self->store, list, FALSE, &error))
        {
          g_warning ("Could not make the next device list: %s", error->message);
          return;
        }
      g_clear_pointer (&opened, sotto_device_list_free);
      opened = g_steal_pointer (&next);
    }

  publish = g_new0 (Publish, 1);
  publish->self = g_object_ref (self);
  publish->account_key = g_bytes_new (sotto_account_key_get_public (key),
                                      SOTTO_ACCOUNT_KEY_PUBLIC_BYTES);
  publish->counter = (gint64) sotto_device_list_get_counter (opened);
  publish->list = g_bytes_ref (list);

  id = sotto_connection_next_id (self->connection);
  devices = _sotto_client_wire_devices (opened);
  request = sotto_msg_build_publish_devices (id, publish->account_key, publish->counter,
                                            publish->list, (SottoWireIdentity *) devices->data,
                                            devices->len, &account);
  sotto_connection_request_async (self->connection, id, request, self->cancellable,
                                  published_cb, publish);
}
