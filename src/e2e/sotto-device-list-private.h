/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include "sotto-device-list.h"

G_BEGIN_DECLS

/*
 * SottoDeviceList in two files: the list and its rules in
 * sotto-device-list.c; sealing and opening in sotto-device-list-seal.c.
 */

struct _SottoDeviceList
{
  char    *account;
  guint8   account_public[SOTTO_ACCOUNT_KEY_PUBLIC_BYTES];
  guint64  counter;
  gint64   time;
  /* SottoDevice, in the order they were added: the order they are sealed
   * in, so that a list opened seals again to the same bytes. */
  GArray  *devices;
};

SottoDeviceList *_sotto_device_list_alloc    (void);
gint             _sotto_device_list_find_key (const SottoDeviceList *self,
                                              const guint8          *sign_pk,
                                              const guint8          *box_pk);
SottoDeviceList *_sotto_device_list_open_own (GBytes                *bytes,
                                              const guint8          *account_public,
                                              GError               **error);

G_END_DECLS
