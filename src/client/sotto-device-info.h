/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* How many hexadecimal digits of a device's signing key name it for a
 * person: enough to tell an account's 16 devices apart. */
#define SOTTO_DEVICE_INFO_SHORT_ID_LENGTH 8

#define SOTTO_TYPE_DEVICE_INFO (sotto_device_info_get_type ())

G_DECLARE_FINAL_TYPE (SottoDeviceInfo, sotto_device_info, SOTTO, DEVICE_INFO, GObject)

SottoDeviceInfo *sotto_device_info_new              (const guint8    *sign_pk,
                                                     const char      *name,
                                                     gint64           added,
                                                     gint64           last_seen,
                                                     gboolean         online,
                                                     gboolean         this_device);
const guint8    *sotto_device_info_get_sign_key     (SottoDeviceInfo *self);
const char      *sotto_device_info_get_id           (SottoDeviceInfo *self);
char            *sotto_device_info_dup_short_id     (SottoDeviceInfo *self);
const char      *sotto_device_info_get_name         (SottoDeviceInfo *self);
gint64           sotto_device_info_get_added        (SottoDeviceInfo *self);
gint64           sotto_device_info_get_last_seen    (SottoDeviceInfo *self);
gboolean         sotto_device_info_get_online       (SottoDeviceInfo *self);
gboolean         sotto_device_info_get_this_device  (SottoDeviceInfo *self);

G_END_DECLS
