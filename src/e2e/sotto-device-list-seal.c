/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-account-key-private.h"
#include "sotto-device-list-private.h"
#include "sotto-e2e-private.h"
#include "sotto-sender-key.h"

/*
 * A device list, sealed:
 *
 *   version (1) | account length (2) | account | account key (32) |
 *   counter (8) | time (8) | device count (2) |
 *   per device: box_pk (32) | sign_pk (32) | binding (64) | added (8) |
 *               name length (2) | name |
 *   signature (64)
 *
 * Integers are big endian, times two's complement. The signature is by
 * the account key, over SIGN_LABEL followed by every byte before it.
 * Opening is strict: whatever opens seals again to the same bytes.
 */
#define LIST_VERSION 1
#define SIGN_LABEL "sotto device list v1"
#define DEVICE_FIXED_BYTES (SOTTO_PUBLIC_IDENTITY_BYTES + 8 + 2)
#define LIST_FIXED_BYTES (1 + 2 + SOTTO_ACCOUNT_KEY_PUBLIC_BYTES + 8 + 8 + 2)

G_STATIC_ASSERT (SOTTO_DEVICE_LIST_MAX_BYTES ==
                 LIST_FIXED_BYTES + SOTTO_E2E_NAME_MAX_BYTES +
                 SOTTO_DEVICE_LIST_MAX_DEVICES * (DEVICE_FIXED_BYTES +
                                                  SOTTO_DEVICE_NAME_MAX_BYTES) +
                 crypto_sign_BYTES);
G_STATIC_ASSERT (SOTTO_DEVICE_LIST_MAX_DEVICES <= G_MAXUINT16);
G_STATIC_ASSERT (sizeof (SottoPublicIdentity) == SOTTO_PUBLIC_IDENTITY_BYTES);

/**
 * sotto_device_list_seal:
 * @self: a device list
 * @key: the account key whose public key the list names
 * @error: return location for a #GError
 *
 * Signs the list with the account key. Fails with
 * %SOTTO_E2E_ERROR_KEY_MISMATCH if @key is not the list's account key, and
 * %SOTTO_E2E_ERROR_BAD_FORMAT if the list names no device.
 *
 * Returns: (transfer full): the sealed list, at most
 *   %SOTTO_DEVICE_LIST_MAX_BYTES, or %NULL with @error set
 */
GBytes *
sotto_device_list_seal (const SottoDeviceList  *self,
                        SottoAccountKey        *key,
                        GError                **error)
{
  SottoE2eWriter writer = { 0 };
  gsize label = strlen (SIGN_LABEL);
  GBytes *sealed;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (SOTTO_IS_ACCOUNT_KEY (key), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (memcmp (sotto_account_key_get_public (key), self->account_public,
              sizeof self->account_public) != 0)
    {
      g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_KEY_MISMATCH,
                           _("The device list belongs to another account key"));
      return NULL;
    }

  if (self->devices->len == 0)
    {
      g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT,
                           _("A device list names at least one device"));
      return NULL;
    }

  writer.size = label + LIST_FIXED_BYTES + strlen (self->account) + crypto_sign_BYTES;
  for (guint i = 0; i < self->devices->len; i++)
    writer.size += DEVICE_FIXED_BYTES + strlen (g_array_index (self->devices, SottoDevice, i).name);
  g_assert (writer.size - label <= SOTTO_DEVICE_LIST_MAX_BYTES);

  writer.data = g_malloc (writer.size);
  _sotto_e2e_writer_put (&writer, SIGN_LABEL, label);
  _sotto_e2e_writer_put_u8 (&writer, LIST_VERSION);
  _sotto_e2e_writer_put_name (&writer, self->account);
  _sotto_e2e_writer_put (&writer, self->account_public, sizeof self->account_public);
  _sotto_e2e_writer_put_u64 (&writer, self->counter);
  _sotto_e2e_writer_put_u64 (&writer, (guint64) self->time);
  _sotto_e2e_writer_put_u16 (&writer, (guint16) self->devices->len);
  for (guint i = 0; i < self->devices->len; i++)
    {
      const SottoDevice *device = &g_array_index (self->devices, SottoDevice, i);

      _sotto_e2e_writer_put (&writer, device->identity.box_pk, sizeof device->identity.box_pk);
      _sotto_e2e_writer_put (&writer, device->identity.sign_pk, sizeof device->identity.sign_pk);
      _sotto_e2e_writer_put (&writer, device->identity.binding, sizeof device->identity.binding);
      _sotto_e2e_writer_put_u64 (&writer, (guint64) device->added);
      _sotto_e2e_writer_put_name (&writer, device->name);
    }
  _sotto_account_key_sign (key, writer.data, writer.pos, writer.data + writer.pos);
  writer.pos += crypto_sign_BYTES;
  g_assert (writer.pos == writer.size);

  sealed = g_bytes_new (writer.data + label, writer.size - label);
  g_free (writer.data);

  return sealed;
}

static gboolean
read_device (SottoE2eReader  *reader,
             SottoDeviceList *list)
{
  SottoDevice device = { 0 };
  const guint8 *p;
  guint64 added;

  if (!_sotto_e2e_reader_get (reader, &p, SOTTO_PUBLIC_IDENTITY_BYTES) ||
      !_sotto_e2e_reader_get_u64 (reader, &added) ||
      !_sotto_e2e_reader_get_name (reader, SOTTO_DEVICE_NAME_MAX_BYTES, FALSE, &device.name))
    return FALSE;

  memcpy (&device.identity, p, sizeof device.identity);
  device.added = (gint64) added;

  if (_sotto_device_list_find_key (list, device.identity.sign_pk, device.identity.box_pk) >= 0)
    {
      g_free (device.name);
      return FALSE;
    }

  g_array_append_val (list->devices, device);
  return TRUE;
}

/* As sotto_device_list_open(), for @account or, when it is %NULL, for
 * whatever account the list names. */
static SottoDeviceList *
device_list_open (GBytes        *bytes,
                  const char    *account,
                  const guint8  *account_public,
                  GError       **error)
{
  g_autoptr(SottoDeviceList) list = NULL;
  g_autofree guint8 *signed_data = NULL;
  SottoE2eReader reader = { 0 };
  const guint8 *p;
  guint8 version = 0;
  guint16 n_devices = 0;
  guint64 time = 0;
  gsize label = strlen (SIGN_LABEL);

  list = _sotto_device_list_alloc ();
  reader.data = _sotto_e2e_bytes_get_data (bytes, &reader.size);
  if (reader.size > SOTTO_DEVICE_LIST_MAX_BYTES || reader.size < crypto_sign_BYTES)
    goto bad_format;
  reader.size -= crypto_sign_BYTES;

  if (!_sotto_e2e_reader_get_u8 (&reader, &version) || version != LIST_VERSION ||
      !_sotto_e2e_reader_get_name (&reader, SOTTO_E2E_NAME_MAX_BYTES, FALSE, &list->account) ||
      !_sotto_e2e_reader_get (&reader, &p, sizeof list->account_public))
    goto bad_format;
  memcpy (list->account_public, p, sizeof list->account_public);
  if (!_sotto_e2e_reader_get_u64 (&reader, &list->counter) ||
      !_sotto_e2e_reader_get_u64 (&reader, &time) ||
      !_sotto_e2e_reader_get_u16 (&reader, &n_devices) ||
      n_devices == 0 || n_devices > SOTTO_DEVICE_LIST_MAX_DEVICES)
    goto bad_format;
  list->time = (gint64) time;
  for (guint i = 0; i < n_devices; i++)
    if (!read_device (&reader, list))
      goto bad_format;
  if (!_sotto_e2e_reader_at_end (&reader))
    goto bad_format;

  if (account != NULL && strcmp (list->account, account) != 0)
    {
      g_set_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_WRONG_SENDER,
                   _("The device list is not %s’s"), account);
      return NULL;
    }

  if (account_public != NULL &&
      memcmp (list->account_public, account_public, sizeof list->account_public) != 0)
    {
      g_set_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_KEY_MISMATCH,
                   _("The device list is not signed with %s’s account key"), list->account);
      return NULL;
    }

  signed_data = g_malloc (label + reader.size);
  memcpy (signed_data, SIGN_LABEL, label);
  memcpy (signed_data + label, reader.data, reader.size);
  if (crypto_sign_verify_detached (reader.data + reader.size, signed_data, label + reader.size,
                                   list->account_public) != 0)
    {
      g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_SIGNATURE,
                           _("The device list is not signed by its account key"));
      return NULL;
    }

  for (guint i = 0; i < list->devices->len; i++)
    if (!sotto_public_identity_verify (&g_array_index (list->devices, SottoDevice, i).identity,
                                       error))
      return NULL;

  return g_steal_pointer (&list);

bad_format:
  g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT,
                       _("The device list is damaged or in an unknown format"));
  return NULL;
}

/**
 * sotto_device_list_open:
 * @bytes: a sealed device list
 * @account: the account it must be of
 * @account_public: (nullable) (array fixed-size=32): the account key it
 *   must be signed with, if known
 * @error: return location for a #GError
 *
 * Reads a sealed list strictly and checks it. Fails with
 * %SOTTO_E2E_ERROR_BAD_FORMAT for anything sotto_device_list_seal() does
 * not write (another version, a cut, bytes left over, a name that is empty,
 * too long or not UTF-8, no device or too many, a device twice),
 * %SOTTO_E2E_ERROR_WRONG_SENDER for another account's list,
 * %SOTTO_E2E_ERROR_KEY_MISMATCH if it names another key than
 * @account_public, %SOTTO_E2E_ERROR_BAD_SIGNATURE if the key it names did
 * not sign it, and %SOTTO_E2E_ERROR_BAD_BINDING if a device's identity
 * does not verify.
 *
 * Without @account_public the list is only known to be signed by the key
 * it names, which anyone can make: the caller must trust that key some
 * other way.
 *
 * Returns: (transfer full): the device list, or %NULL with @error set
 */
SottoDeviceList *
sotto_device_list_open (GBytes        *bytes,
                        const char    *account,
                        const guint8  *account_public,
                        GError       **error)
{
  g_return_val_if_fail (bytes != NULL, NULL);
  g_return_val_if_fail (account != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return device_list_open (bytes, account, account_public, error);
}

/* For the account key's holder, who knows the key but need not be told
 * the account's name: the list opens only under @account_public. */
SottoDeviceList *
_sotto_device_list_open_own (GBytes        *bytes,
                             const guint8  *account_public,
                             GError       **error)
{
  g_assert (bytes != NULL);
  g_assert (account_public != NULL);

  return device_list_open (bytes, NULL, account_public, error);
}
