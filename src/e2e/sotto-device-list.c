/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-device-list-private.h"
#include "sotto-e2e-private.h"
#include "sotto-sender-key.h"

/*
 * An account's device list, signed with its account key: whoever holds
 * the list of an account whose key they trust knows which devices are
 * that person's, whatever the server says. Each new list of an account
 * has a higher counter than the one before, so that an old list the
 * server hands out again does not take the place of a newer one
 * (sotto_device_list_follows()).
 *
 * A list names at least one device once sealed, and at most
 * SOTTO_DEVICE_LIST_MAX_DEVICES, each once: no two devices share a
 * signing key or a box key, so that what is boxed to a device, or signed
 * by one, is that one device's alone.
 */

G_DEFINE_BOXED_TYPE (SottoDeviceList, sotto_device_list,
                     sotto_device_list_copy, sotto_device_list_free)

static void
device_clear (gpointer data)
{
  SottoDevice *device = data;

  g_clear_pointer (&device->name, g_free);
}

SottoDeviceList *
_sotto_device_list_alloc (void)
{
  SottoDeviceList *self = g_new0 (SottoDeviceList, 1);

  self->devices = g_array_sized_new (FALSE, TRUE, sizeof (SottoDevice),
                                     SOTTO_DEVICE_LIST_MAX_DEVICES);
  g_array_set_clear_func (self->devices, device_clear);

  return self;
}

/**
 * sotto_device_list_new:
 * @account: the account's name, as room events carry user names
 * @account_public: (array fixed-size=32): the account key's public key
 * @counter: higher than that of any list of the account before it
 * @time: when the list is made, ms since the epoch
 *
 * Makes an account's first device list, with no devices yet; the next
 * ones come from sotto_device_list_next().
 *
 * Returns: (transfer full): a new empty device list
 */
SottoDeviceList *
sotto_device_list_new (const char   *account,
                       const guint8 *account_public,
                       guint64       counter,
                       gint64        time)
{
  SottoDeviceList *self;

  g_return_val_if_fail (account != NULL &&
                        _sotto_e2e_valid_name (account, SOTTO_E2E_NAME_MAX_BYTES, FALSE), NULL);
  g_return_val_if_fail (account_public != NULL, NULL);

  self = _sotto_device_list_alloc ();
  self->account = g_strdup (account);
  memcpy (self->account_public, account_public, sizeof self->account_public);
  self->counter = counter;
  self->time = time;

  return self;
}

static SottoDeviceList *
device_list_copy (const SottoDeviceList *self)
{
  SottoDeviceList *copy = sotto_device_list_new (self->account, self->account_public,
                                                 self->counter, self->time);

  for (guint i = 0; i < self->devices->len; i++)
    {
      SottoDevice device = g_array_index (self->devices, SottoDevice, i);

      device.name = g_strdup (device.name);
      g_array_append_val (copy->devices, device);
    }

  return copy;
}

/**
 * sotto_device_list_copy:
 * @self: a device list
 *
 * Returns: (transfer full): a copy of @self
 */
SottoDeviceList *
sotto_device_list_copy (SottoDeviceList *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return device_list_copy (self);
}

void
sotto_device_list_free (SottoDeviceList *self)
{
  if (self == NULL)
    return;

  g_free (self->account);
  g_array_unref (self->devices);
  g_free (self);
}

/**
 * sotto_device_list_next:
 * @self: the account's current device list
 * @time: when the next one is made, ms since the epoch
 *
 * Starts the account's next device list: the same devices, the counter
 * one higher. Change it with sotto_device_list_add(),
 * sotto_device_list_remove() and sotto_device_list_set_name(), then seal
 * it.
 *
 * Returns: (transfer full): the next device list
 */
SottoDeviceList *
sotto_device_list_next (const SottoDeviceList *self,
                        gint64                 time)
{
  SottoDeviceList *next;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (self->counter < G_MAXUINT64, NULL);

  next = device_list_copy (self);
  next->counter = self->counter + 1;
  next->time = time;

  return next;
}

const char *
sotto_device_list_get_account (const SottoDeviceList *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->account;
}

/**
 * sotto_device_list_get_account_public:
 * @self: a device list
 *
 * Returns: (transfer none) (array fixed-size=32): the public key of the
 *   account key that signs the list
 */
const guint8 *
sotto_device_list_get_account_public (const SottoDeviceList *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->account_public;
}

guint64
sotto_device_list_get_counter (const SottoDeviceList *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->counter;
}

gint64
sotto_device_list_get_time (const SottoDeviceList *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->time;
}

guint
sotto_device_list_get_n_devices (const SottoDeviceList *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->devices->len;
}

/**
 * sotto_device_list_get_device:
 * @self: a device list
 * @i: which device, from 0
 *
 * Returns: (transfer none): the device, valid until @self changes
 */
const SottoDevice *
sotto_device_list_get_device (const SottoDeviceList *self,
                              guint                  i)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (i < self->devices->len, NULL);

  return &g_array_index (self->devices, SottoDevice, i);
}

/* The index of the device with @sign_pk or @box_pk (either may be NULL),
 * or -1. */
gint
_sotto_device_list_find_key (const SottoDeviceList *self,
                             const guint8          *sign_pk,
                             const guint8          *box_pk)
{
  for (guint i = 0; i < self->devices->len; i++)
    {
      const SottoDevice *device = &g_array_index (self->devices, SottoDevice, i);

      if ((sign_pk != NULL && memcmp (device->identity.sign_pk, sign_pk, 32) == 0) ||
          (box_pk != NULL && memcmp (device->identity.box_pk, box_pk, 32) == 0))
        return (gint) i;
    }

  return -1;
}

/**
 * sotto_device_list_lookup:
 * @self: a device list
 * @identity: a public identity
 *
 * Finds the device whose keys are @identity's: both of them.
 *
 * Returns: (transfer none) (nullable): the device, valid until @self
 *   changes, or %NULL if @identity is none of the account's devices
 */
const SottoDevice *
sotto_device_list_lookup (const SottoDeviceList     *self,
                          const SottoPublicIdentity *identity)
{
  const SottoDevice *device;
  gint i;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (identity != NULL, NULL);

  i = _sotto_device_list_find_key (self, identity->sign_pk, NULL);
  if (i < 0)
    return NULL;

  device = &g_array_index (self->devices, SottoDevice, i);
  return sotto_public_identity_equal (&device->identity, identity) ? device : NULL;
}

/**
 * sotto_device_list_add:
 * @self: a device list
 * @identity: the device's public identity
 * @added: when it is added, ms since the epoch
 * @name: what its owner calls it
 * @error: return location for a #GError
 *
 * Adds a device at the end of the list. Fails with
 * %SOTTO_E2E_ERROR_BAD_BINDING if @identity's binding does not verify,
 * %SOTTO_E2E_ERROR_BAD_FORMAT for a name that is empty, longer than
 * %SOTTO_DEVICE_NAME_MAX_BYTES or not UTF-8, or a device whose signing or
 * box key the list already holds, and %SOTTO_E2E_ERROR_TOO_LARGE once the
 * list holds %SOTTO_DEVICE_LIST_MAX_DEVICES.
 *
 * Returns: %TRUE if the device was added
 */
gboolean
sotto_device_list_add (SottoDeviceList           *self,
                       const SottoPublicIdentity *identity,
                       gint64                     added,
                       const char                *name,
                       GError                   **error)
{
  SottoDevice device = { 0 };

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (identity != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (name == NULL || !_sotto_e2e_valid_name (name, SOTTO_DEVICE_NAME_MAX_BYTES, FALSE))
    {
      g_set_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT,
                   _("A device’s name is 1 to %d bytes of text"), SOTTO_DEVICE_NAME_MAX_BYTES);
      return FALSE;
    }

  if (self->devices->len >= SOTTO_DEVICE_LIST_MAX_DEVICES)
    {
      g_set_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_TOO_LARGE,
                   _("An account has at most %d devices"), SOTTO_DEVICE_LIST_MAX_DEVICES);
      return FALSE;
    }

  if (_sotto_device_list_find_key (self, identity->sign_pk, identity->box_pk) >= 0)
    {
      g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT,
                           _("The device is already one of the account’s devices"));
      return FALSE;
    }

  if (!sotto_public_identity_verify (identity, error))
    return FALSE;

  device.identity = *identity;
  device.added = added;
  device.name = g_strdup (name);
  g_array_append_val (self->devices, device);

  return TRUE;
}

/**
 * sotto_device_list_remove:
 * @self: a device list
 * @sign_pk: (array fixed-size=32): the signing key of the device to remove
 *
 * Returns: %TRUE if the list held the device, now gone
 */
gboolean
sotto_device_list_remove (SottoDeviceList *self,
                          const guint8    *sign_pk)
{
  gint i;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (sign_pk != NULL, FALSE);

  i = _sotto_device_list_find_key (self, sign_pk, NULL);
  if (i < 0)
    return FALSE;

  /* Not the fast removal: the others keep their order. */
  g_array_remove_index (self->devices, (guint) i);
  return TRUE;
}

/**
 * sotto_device_list_set_name:
 * @self: a device list
 * @sign_pk: (array fixed-size=32): the signing key of the device to rename
 * @name: what its owner calls it from now on
 * @error: return location for a #GError
 *
 * Renames a device; its keys, when it was added and its place in the
 * list stay. Fails with %SOTTO_E2E_ERROR_BAD_FORMAT for a name that
 * sotto_device_list_add() would refuse, and
 * %SOTTO_E2E_ERROR_UNKNOWN_KEY when the list holds no device with
 * @sign_pk.
 *
 * Returns: %TRUE if the device was renamed
 */
gboolean
sotto_device_list_set_name (SottoDeviceList  *self,
                            const guint8     *sign_pk,
                            const char       *name,
                            GError          **error)
{
  SottoDevice *device;
  gint i;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (sign_pk != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (name == NULL || !_sotto_e2e_valid_name (name, SOTTO_DEVICE_NAME_MAX_BYTES, FALSE))
    {
      g_set_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT,
                   _("A device’s name is 1 to %d bytes of text"), SOTTO_DEVICE_NAME_MAX_BYTES);
      return FALSE;
    }

  i = _sotto_device_list_find_key (self, sign_pk, NULL);
  if (i < 0)
    {
      g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_UNKNOWN_KEY,
                           _("The account has no such device"));
      return FALSE;
    }

  device = &g_array_index (self->devices, SottoDevice, i);
  g_free (device->name);
  device->name = g_strdup (name);
  return TRUE;
}

/**
 * sotto_device_list_follows:
 * @next: a device list
 * @current: the account's list as the caller holds it
 * @error: return location for a #GError
 *
 * Whether @next may take the place of @current: the same account, the
 * same account key and a higher counter. Fails with
 * %SOTTO_E2E_ERROR_WRONG_SENDER for another account,
 * %SOTTO_E2E_ERROR_KEY_MISMATCH for another account key, and
 * %SOTTO_E2E_ERROR_REPLAYED for a list that is not newer (@current again,
 * or one before it).
 *
 * Returns: %TRUE if @next follows @current
 */
gboolean
sotto_device_list_follows (const SottoDeviceList  *next,
                           const SottoDeviceList  *current,
                           GError                **error)
{
  g_return_val_if_fail (next != NULL, FALSE);
  g_return_val_if_fail (current != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (strcmp (next->account, current->account) != 0)
    {
      g_set_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_WRONG_SENDER,
                   _("The device list is not %s’s"), current->account);
      return FALSE;
    }

  if (memcmp (next->account_public, current->account_public, sizeof next->account_public) != 0)
    {
      g_set_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_KEY_MISMATCH,
                   _("The device list is not signed with %s’s account key"), current->account);
      return FALSE;
    }

  if (next->counter <= current->counter)
    {
      g_set_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_REPLAYED,
                   _("The device list is not newer than the one %s had before"),
                   current->account);
      return FALSE;
    }

  return TRUE;
}
