/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sotto-device-info.h"

/* One of the account's devices, as sotto_client_list_devices_async()
 * lists them: what the signed device list says of it (its signing key,
 * its name, when it was added), what the server says (when it was last
 * connected, whether it is now), and whether it is this computer. It does
 * not change: a new listing makes new ones. */

struct _SottoDeviceInfo
{
  GObject   parent_instance;

  guint8    sign_pk[32];
  char     *id;
  char     *name;
  gint64    added;
  gint64    last_seen;
  gboolean  online;
  gboolean  this_device;
};

enum {
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_ADDED,
  PROP_LAST_SEEN,
  PROP_ONLINE,
  PROP_THIS_DEVICE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (SottoDeviceInfo, sotto_device_info, G_TYPE_OBJECT)

static void
sotto_device_info_finalize (GObject *object)
{
  SottoDeviceInfo *self = SOTTO_DEVICE_INFO (object);

  g_free (self->id);
  g_free (self->name);

  G_OBJECT_CLASS (sotto_device_info_parent_class)->finalize (object);
}

static void
sotto_device_info_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  SottoDeviceInfo *self = SOTTO_DEVICE_INFO (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_ADDED:
      g_value_set_int64 (value, self->added);
      break;
    case PROP_LAST_SEEN:
      g_value_set_int64 (value, self->last_seen);
      break;
    case PROP_ONLINE:
      g_value_set_boolean (value, self->online);
      break;
    case PROP_THIS_DEVICE:
      g_value_set_boolean (value, self->this_device);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sotto_device_info_class_init (SottoDeviceInfoClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = sotto_device_info_finalize;
  object_class->get_property = sotto_device_info_get_property;

  /**
   * SottoDeviceInfo:id:
   *
   * The device's signing key in lowercase hexadecimal: what names it for
   * good, whatever it is called.
   */
  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * SottoDeviceInfo:name:
   *
   * What the account calls it, as the signed device list says.
   */
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * SottoDeviceInfo:added:
   *
   * When it became one of the account's devices, in ms since the epoch.
   */
  properties[PROP_ADDED] =
    g_param_spec_int64 ("added", NULL, NULL, G_MININT64, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * SottoDeviceInfo:last-seen:
   *
   * When a connection of it last logged in or ended, in ms since the
   * epoch by the server's clock; 0 if it never logged in.
   */
  properties[PROP_LAST_SEEN] =
    g_param_spec_int64 ("last-seen", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * SottoDeviceInfo:online:
   *
   * Whether it was logged in when the server was asked.
   */
  properties[PROP_ONLINE] =
    g_param_spec_boolean ("online", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * SottoDeviceInfo:this-device:
   *
   * Whether it is the computer that listed it.
   */
  properties[PROP_THIS_DEVICE] =
    g_param_spec_boolean ("this-device", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sotto_device_info_init (SottoDeviceInfo *self)
{
}

/**
 * sotto_device_info_new:
 * @sign_pk: (array fixed-size=32): the device's signing key
 * @name: what the account calls it
 * @added: when it was added, ms since the epoch
 * @last_seen: when it was last connected, ms since the epoch, or 0
 * @online: whether it is connected now
 * @this_device: whether it is this computer
 *
 * Returns: (transfer full): the device
 */
SottoDeviceInfo *
sotto_device_info_new (const guint8 *sign_pk,
                       const char   *name,
                       gint64        added,
                       gint64        last_seen,
                       gboolean      online,
                       gboolean      this_device)
{
  SottoDeviceInfo *self;
  GString *id;

  g_return_val_if_fail (sign_pk != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  self = g_object_new (SOTTO_TYPE_DEVICE_INFO, NULL);
  memcpy (self->sign_pk, sign_pk, sizeof self->sign_pk);
  id = g_string_sized_new (2 * sizeof self->sign_pk);
  for (gsize i = 0; i < sizeof self->sign_pk; i++)
    g_string_append_printf (id, "%02x", self->sign_pk[i]);
  self->id = g_string_free (id, FALSE);
  self->name = g_strdup (name);
  self->added = added;
  self->last_seen = MAX (last_seen, 0);
  self->online = online;
  self->this_device = this_device;

  return self;
}

/**
 * sotto_device_info_get_sign_key:
 *
 * Returns: (transfer none) (array fixed-size=32): the device's signing
 *   key, as sotto_client_remove_device_async() and
 *   sotto_client_rename_device_async() take it
 */
const guint8 *
sotto_device_info_get_sign_key (SottoDeviceInfo *self)
{
  g_return_val_if_fail (SOTTO_IS_DEVICE_INFO (self), NULL);
  return self->sign_pk;
}

const char *
sotto_device_info_get_id (SottoDeviceInfo *self)
{
  g_return_val_if_fail (SOTTO_IS_DEVICE_INFO (self), NULL);
  return self->id;
}

/**
 * sotto_device_info_dup_short_id:
 *
 * Returns: (transfer full): the first %SOTTO_DEVICE_INFO_SHORT_ID_LENGTH
 *   digits of #SottoDeviceInfo:id, which name the device for a person
 */
char *
sotto_device_info_dup_short_id (SottoDeviceInfo *self)
{
  g_return_val_if_fail (SOTTO_IS_DEVICE_INFO (self), NULL);
  return g_strndup (self->id, SOTTO_DEVICE_INFO_SHORT_ID_LENGTH);
}

const char *
sotto_device_info_get_name (SottoDeviceInfo *self)
{
  g_return_val_if_fail (SOTTO_IS_DEVICE_INFO (self), NULL);
  return self->name;
}

gint64
sotto_device_info_get_added (SottoDeviceInfo *self)
{
  g_return_val_if_fail (SOTTO_IS_DEVICE_INFO (self), 0);
  return self->added;
}

gint64
sotto_device_info_get_last_seen (SottoDeviceInfo *self)
{
  g_return_val_if_fail (SOTTO_IS_DEVICE_INFO (self), 0);
  return self->last_seen;
}

gboolean
sotto_device_info_get_online (SottoDeviceInfo *self)
{
  g_return_val_if_fail (SOTTO_IS_DEVICE_INFO (self), FALSE);
  return self->online;
}

gboolean
sotto_device_info_get_this_device (SottoDeviceInfo *self)
{
  g_return_val_if_fail (SOTTO_IS_DEVICE_INFO (self), FALSE);
  return self->this_device;
}
