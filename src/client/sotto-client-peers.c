/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sotto-client-private.h"

/*
 * The devices of the accounts we share rooms with, and ours: each
 * account's device list as its account key signed it. A member's account
 * key is the signing key of the identity the room's signed state holds
 * for them, so a list the server hands out is taken only when it opens
 * under that key, and in place of one we hold only when it follows it (a
 * higher counter): the server can neither add a device of its own nor
 * bring back one that was removed. Our own list is the one in our store,
 * brought up to date from the server in the same way.
 *
 * The lists of others are kept in the store too (client store schema 7),
 * so that a server cannot show an older one after a restart either. A
 * list the server says changed (devices_changed) is stale until fetched
 * again: the one held then serves only to tell what it lost.
 *
 * An account whose identity signs no list (a client from before devices,
 * or one that published none yet) has no devices here: its keys go to the
 * identity itself, as they always did.
 */

typedef struct
{
  SottoClientDevicesFunc func;
  gpointer               data;
  GDestroyNotify         destroy;
} Waiter;

static void
waiter_free (Waiter *waiter)
{
  if (waiter->destroy != NULL)
    waiter->destroy (waiter->data);
  g_free (waiter);
}

typedef struct
{
  SottoClient         *self;
  char                *user;
  SottoPublicIdentity  account;
} Fetch;

static void
fetch_free (Fetch *fetch)
{
  g_object_unref (fetch->self);
  g_free (fetch->user);
  g_free (fetch);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Fetch, fetch_free)

/* Our own list, from the store, opened under our account key. */
static SottoDeviceList *
own_list (SottoClient *self)
{
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(GError) error = NULL;
  gboolean published;
  SottoDeviceList *list;

  if (self->store == NULL || self->account_key == NULL)
    return NULL;
  sealed = sotto_client_store_get_device_list (self->store, &published, &error);
  if (sealed == NULL)
    return NULL;
  list = sotto_device_list_open (sealed, self->user,
                                 sotto_account_key_get_public (self->account_key), &error);
  if (list == NULL)
    g_warning ("Our own device list does not open: %s", error->message);
  return list;
}

/* @user's list as we hold it (in memory, or kept in the store), signed by
 * @account's key, stale or not; borrowed. */
static SottoDeviceList *
held_list (SottoClient               *self,
           const char                *user,
           const SottoPublicIdentity *account)
{
  SottoDeviceList *held = g_hash_table_lookup (self->device_lists, user);
  g_autoptr(GBytes) kept = NULL;
  g_autoptr(GError) error = NULL;

  if (held == NULL && self->store != NULL)
    {
      kept = sotto_client_store_get_member_devices (self->store, user, &error);
      if (kept != NULL)
        held = sotto_device_list_open (kept, user, account->sign_pk, NULL);
      if (held != NULL)
        g_hash_table_replace (self->device_lists, g_strdup (user), held);
      else if (error != NULL)
        g_warning ("Could not read the device list of %s: %s", user, error->message);
    }

  if (held == NULL ||
      memcmp (sotto_device_list_get_account_public (held), account->sign_pk,
              sizeof account->sign_pk) != 0)
    return NULL;
  return held;
}

/**
 * _sotto_client_lookup_devices:
 * @user: a member, or ourselves
 * @account: the identity the room's signed state holds for @user
 *
 * Returns: (transfer full) (nullable): @user's device list as we hold it,
 *   signed by @account's key, or %NULL when we hold none, or only one the
 *   server said has changed since
 */
SottoDeviceList *
_sotto_client_lookup_devices (SottoClient               *self,
                              const char                *user,
                              const SottoPublicIdentity *account)
{
  SottoDeviceList *held;

  if (g_strcmp0 (user, self->user) == 0)
    return own_list (self);

  if (g_hash_table_contains (self->stale_device_lists, user))
    return NULL;
  held = held_list (self, user, account);
  return held != NULL ? sotto_device_list_copy (held) : NULL;
}

/**
 * _sotto_client_lookup_held_devices:
 *
 * As _sotto_client_lookup_devices(), including a list the server said has
 * changed: what the account's devices were before.
 */
SottoDeviceList *
_sotto_client_lookup_held_devices (SottoClient               *self,
                                   const char                *user,
                                   const SottoPublicIdentity *account)
{
  SottoDeviceList *held;

  if (g_strcmp0 (user, self->user) == 0)
    return own_list (self);

  held = held_list (self, user, account);
  return held != NULL ? sotto_device_list_copy (held) : NULL;
}

/**
 * _sotto_client_devices_changed:
 *
 * The server says @user's list changed: the one held is stale until the
 * next fetch.
 */
void
_sotto_client_devices_changed (SottoClient *self,
                               const char  *user)
{
  if (g_strcmp0 (user, self->user) != 0)
    g_hash_table_add (self->stale_device_lists, g_strdup (user));
}

/**
 * _sotto_client_count_devices:
 *
 * Returns: how many devices @user's account has by the list we hold (our
 *   own for ourselves), or 0 when we hold none
 */
guint
_sotto_client_count_devices (SottoClient *self,
                             const char  *user)
{
  SottoDeviceList *held;

  if (g_strcmp0 (user, self->user) == 0)
    {
      g_autoptr(SottoDeviceList) ours = own_list (self);

      return ours != NULL ? sotto_device_list_get_n_devices (ours) : 0;
    }
  held = g_hash_table_lookup (self->device_lists, user);
  return held != NULL ? sotto_device_list_get_n_devices (held) : 0;
}

/* Every room's entry for @user shows how many devices @list holds. */
static void
show_count (SottoClient           *self,
            const char            *user,
            const SottoDeviceList *list)
{
  GListModel *rooms = G_LIST_MODEL (self->rooms);

  for (guint i = 0; i < g_list_model_get_n_items (rooms); i++)
    {
      g_autoptr(SottoRoom) room = g_list_model_get_item (rooms, i);
      SottoMember *member = sotto_room_lookup_member (room, user);

      if (member != NULL)
        sotto_member_set_devices (member, sotto_device_list_get_n_devices (list));
    }
}

static SottoDeviceList *take_list_of (SottoClient               *self,
                                      const char                *user,
                                      const SottoPublicIdentity *account,
                                      SottoDeviceList           *list,
                                      GBytes                    *sealed);

/* Takes @list (@sealed, opened) for @user where it follows what we hold;
 * the rooms show how many devices the list that stands holds. */
static SottoDeviceList *
take_list (SottoClient               *self,
           const char                *user,
           const SottoPublicIdentity *account,
           SottoDeviceList           *list,
           GBytes                    *sealed)
{
  SottoDeviceList *taken = take_list_of (self, user, account, list, sealed);

  show_count (self, user, taken);
  return taken;
}

/* A newer list of our own is told. */
static SottoDeviceList *
take_list_of (SottoClient               *self,
              const char                *user,
              const SottoPublicIdentity *account,
              SottoDeviceList           *list,
              GBytes                    *sealed)
{
  SottoDeviceList *held = NULL;
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (user, self->user) == 0)
    {
      g_autoptr(SottoDeviceList) ours = own_list (self);

      if (ours != NULL && !sotto_device_list_follows (list, ours, &error))
        return g_steal_pointer (&ours);
      if (!sotto_client_store_set_device_list (self->store, sealed, TRUE, &error))
        g_warning ("Could not keep our device list: %s", error->message);
      else if (ours != NULL)
        _sotto_client_emit_devices_changed (self);
      return sotto_device_list_copy (list);
    }

  held = held_list (self, user, account);
  if (held != NULL && !sotto_device_list_follows (list, held, &error))
    {
      /* The same list again is no news; an older one is the server's. */
      if (!g_error_matches (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_REPLAYED) ||
          sotto_device_list_get_counter (list) != sotto_device_list_get_counter (held))
        g_info ("Kept the device list of %s we hold: %s", user, error->message);
      return sotto_device_list_copy (held);
    }

  g_hash_table_replace (self->device_lists, g_strdup (user), sotto_device_list_copy (list));
  if (!sotto_client_store_set_member_devices (self->store, user, sealed, &error))
    g_warning ("Could not keep the device list of %s: %s", user, error->message);
  return sotto_device_list_copy (list);
}

/**
 * _sotto_client_take_devices:
 * @user: a member, or ourselves
 * @account: the identity the room's signed state holds for @user
 * @reply: (nullable): the server's "devices" answer about @user, or
 *   %NULL when there was none
 *
 * Takes the list of @reply where it opens under @account's key and
 * follows what we hold; the list held is no longer stale either way.
 *
 * Returns: (transfer full) (nullable): @user's device list as we hold it
 *   now, or %NULL when we hold none
 */
SottoDeviceList *
_sotto_client_take_devices (SottoClient               *self,
                            const char                *user,
                            const SottoPublicIdentity *account,
                            SottoMsg                  *reply)
{
  g_autoptr(SottoDeviceList) opened = NULL;
  g_autoptr(GBytes) list = NULL;
  g_autoptr(GError) error = NULL;

  if (reply != NULL)
    {
      list = sotto_msg_dup_bytes (reply, "list");
      opened = sotto_device_list_open (list, user, account->sign_pk, &error);
      if (opened == NULL)
        g_info ("The device list of %s is not signed by the key we know them by: %s",
                user, error->message);
    }

  g_hash_table_remove (self->stale_device_lists, user);
  if (opened != NULL)
    return take_list (self, user, account, opened, list);
  return _sotto_client_lookup_devices (self, user, account);
}

static void
devices_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(Fetch) fetch = user_data;
  SottoClient *self = fetch->self;
  g_autoptr(SottoMsg) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SottoDeviceList) taken = NULL;
  g_autoptr(GPtrArray) waiters = NULL;
  g_autofree char *user = NULL;

  reply = sotto_connection_request_finish (SOTTO_CONNECTION (object), result, &error);
  g_hash_table_steal_extended (self->device_fetches, fetch->user, (gpointer *) &user,
                               (gpointer *) &waiters);
  if (self->store == NULL)
    return;

  if (reply == NULL && !sotto_client_error_is_server (error, SOTTO_MSG_ERROR_CODE_NO_DEVICES))
    g_info ("Could not fetch the devices of %s: %s", fetch->user, error->message);

  taken = _sotto_client_take_devices (self, fetch->user, &fetch->account, reply);

  for (guint i = 0; waiters != NULL && i < waiters->len; i++)
    {
      Waiter *waiter = g_ptr_array_index (waiters, i);

      if (waiter->func != NULL)
        waiter->func (self, fetch->user, taken, waiter->data);
    }
}

/**
 * _sotto_client_fetch_devices:
 * @user: a member, or ourselves
 * @account: the identity the room's signed state holds for @user
 * @func: called with @user's device list once known, or %NULL when
 *   @user has none signed by @account's key
 * @data: (transfer full): for @func, freed with @destroy after
 *
 * Asks the server for @user's device list, and takes it where it opens
 * under @account's key and follows what we hold. Fetches of one user at
 * the same time go as one request.
 */
void
_sotto_client_fetch_devices (SottoClient               *self,
                             const char                *user,
                             const SottoPublicIdentity *account,
                             SottoClientDevicesFunc     func,
                             gpointer                   data,
                             GDestroyNotify             destroy)
{
  GPtrArray *waiters = g_hash_table_lookup (self->device_fetches, user);
  Waiter *waiter = g_new0 (Waiter, 1);
  g_autofree char *id = NULL;
  g_autoptr(GBytes) request = NULL;
  Fetch *fetch;

  waiter->func = func;
  waiter->data = data;
  waiter->destroy = destroy;
  if (waiters != NULL)
    {
      g_ptr_array_add (waiters, waiter);
      return;
    }

  waiters = g_ptr_array_new_with_free_func ((GDestroyNotify) waiter_free);
  g_ptr_array_add (waiters, waiter);
  g_hash_table_insert (self->device_fetches, g_strdup (user), waiters);

  fetch = g_new0 (Fetch, 1);
  fetch->self = g_object_ref (self);
  fetch->user = g_strdup (user);
  fetch->account = *account;
  id = sotto_connection_next_id (self->connection);
  request = sotto_msg_build_get_devices (id, user);
  sotto_connection_request_async (self->connection, id, request, self->cancellable, devices_cb,
                                  fetch);
}

/**
 * _sotto_client_find_device:
 * @list: (nullable): a device list
 * @sign_pk: (nullable): a device's signing key
 *
 * Returns: (nullable): the device of @list with @sign_pk
 */
const SottoDevice *
_sotto_client_find_device (const SottoDeviceList *list,
                           const guint8          *sign_pk)
{
  if (list == NULL || sign_pk == NULL)
    return NULL;

  for (guint i = 0; i < sotto_device_list_get_n_devices (list); i++)
    {
      const SottoDevice *device = sotto_device_list_get_device (list, i);

      if (memcmp (device->identity.sign_pk, sign_pk, sizeof device->identity.sign_pk) == 0)
        return device;
    }

  return NULL;
}
