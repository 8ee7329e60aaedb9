/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib-object.h>

#include "sotto-account-key.h"
#include "sotto-e2e-error.h"
#include "sotto-identity.h"

G_BEGIN_DECLS

/* The most devices one account has. */
#define SOTTO_DEVICE_LIST_MAX_DEVICES 16

/* The longest device name, in bytes of UTF-8. */
#define SOTTO_DEVICE_NAME_MAX_BYTES 64

/* The largest sealed device list: version, the longest account name
 * (SOTTO_E2E_NAME_MAX_BYTES) with its length, account key, counter, time,
 * the count, the most devices with the longest names, and the signature:
 * 1 + 2 + 1024 + 32 + 8 + 8 + 2 + 16 × (128 + 8 + 2 + 64) + 64. */
#define SOTTO_DEVICE_LIST_MAX_BYTES 4373

/**
 * SottoDevice:
 * @identity: the device's public identity
 * @added: when it was added to the account, ms since the epoch
 * @name: what its owner calls it ("Laptop"), 1 to
 *   %SOTTO_DEVICE_NAME_MAX_BYTES bytes of UTF-8
 *
 * One device of an account, as its device list names it.
 */
typedef struct
{
  SottoPublicIdentity  identity;
  gint64               added;
  char                *name;
} SottoDevice;

/**
 * SottoDeviceList:
 *
 * Which devices belong to an account, as its account key signs them.
 */
typedef struct _SottoDeviceList SottoDeviceList;

#define SOTTO_TYPE_DEVICE_LIST (sotto_device_list_get_type ())

GType              sotto_device_list_get_type           (void) G_GNUC_CONST;

SottoDeviceList   *sotto_device_list_new                (const char                *account,
                                                         const guint8              *account_public,
                                                         guint64                    counter,
                                                         gint64                     time);
SottoDeviceList   *sotto_device_list_copy               (SottoDeviceList           *self);
void               sotto_device_list_free               (SottoDeviceList           *self);
SottoDeviceList   *sotto_device_list_next               (const SottoDeviceList     *self,
                                                         gint64                     time);

const char        *sotto_device_list_get_account        (const SottoDeviceList     *self);
const guint8      *sotto_device_list_get_account_public (const SottoDeviceList     *self);
guint64            sotto_device_list_get_counter        (const SottoDeviceList     *self);
gint64             sotto_device_list_get_time           (const SottoDeviceList     *self);
guint              sotto_device_list_get_n_devices      (const SottoDeviceList     *self);
const SottoDevice *sotto_device_list_get_device         (const SottoDeviceList     *self,
                                                         guint                      i);
const SottoDevice *sotto_device_list_lookup             (const SottoDeviceList     *self,
                                                         const SottoPublicIdentity *identity);

gboolean           sotto_device_list_add                (SottoDeviceList           *self,
                                                         const SottoPublicIdentity *identity,
                                                         gint64                     added,
                                                         const char                *name,
                                                         GError                   **error);
gboolean           sotto_device_list_remove             (SottoDeviceList           *self,
                                                         const guint8              *sign_pk);
gboolean           sotto_device_list_set_name           (SottoDeviceList           *self,
                                                         const guint8              *sign_pk,
                                                         const char                *name,
                                                         GError                   **error);

GBytes            *sotto_device_list_seal               (const SottoDeviceList     *self,
                                                         SottoAccountKey           *key,
                                                         GError                   **error);
SottoDeviceList   *sotto_device_list_open               (GBytes                    *bytes,
                                                         const char                *account,
                                                         const guint8              *account_public,
                                                         GError                   **error);
gboolean           sotto_device_list_follows            (const SottoDeviceList     *next,
                                                         const SottoDeviceList     *current,
                                                         GError                   **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SottoDeviceList, sotto_device_list_free)

G_END_DECLS
