/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sotto-app-config.h"

/*
 * What the application tells its windows: the settings, the folder that
 * holds accounts and history, and the Argon2id cost of opening an account.
 * The application owns it and hands it down; the windows and the login
 * form read it and never ask the application.
 */

struct _SottoAppConfig
{
  GObject    parent_instance;

  GSettings *settings;
  char      *data_dir;
  guint64    opslimit;
  gsize      memlimit;
};

enum {
  PROP_0,
  PROP_SETTINGS,
  PROP_DATA_DIR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (SottoAppConfig, sotto_app_config, G_TYPE_OBJECT)

static void
sotto_app_config_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  SottoAppConfig *self = SOTTO_APP_CONFIG (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;
    case PROP_DATA_DIR:
      g_value_set_string (value, self->data_dir);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sotto_app_config_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  SottoAppConfig *self = SOTTO_APP_CONFIG (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;
    case PROP_DATA_DIR:
      sotto_app_config_set_data_dir (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sotto_app_config_dispose (GObject *object)
{
  g_clear_object (&SOTTO_APP_CONFIG (object)->settings);

  G_OBJECT_CLASS (sotto_app_config_parent_class)->dispose (object);
}

static void
sotto_app_config_finalize (GObject *object)
{
  g_free (SOTTO_APP_CONFIG (object)->data_dir);

  G_OBJECT_CLASS (sotto_app_config_parent_class)->finalize (object);
}

static void
sotto_app_config_class_init (SottoAppConfigClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sotto_app_config_dispose;
  object_class->finalize = sotto_app_config_finalize;
  object_class->get_property = sotto_app_config_get_property;
  object_class->set_property = sotto_app_config_set_property;

  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, G_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DATA_DIR] =
    g_param_spec_string ("data-dir", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sotto_app_config_init (SottoAppConfig *self)
{
  self->data_dir = g_build_filename (g_get_user_data_dir (), "sotto", NULL);
}

SottoAppConfig *
sotto_app_config_new (GSettings *settings)
{
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  return g_object_new (SOTTO_TYPE_APP_CONFIG, "settings", settings, NULL);
}

GSettings *
sotto_app_config_get_settings (SottoAppConfig *self)
{
  g_return_val_if_fail (SOTTO_IS_APP_CONFIG (self), NULL);
  return self->settings;
}

const char *
sotto_app_config_get_data_dir (SottoAppConfig *self)
{
  g_return_val_if_fail (SOTTO_IS_APP_CONFIG (self), NULL);
  return self->data_dir;
}

void
sotto_app_config_set_data_dir (SottoAppConfig *self,
                               const char     *data_dir)
{
  g_return_if_fail (SOTTO_IS_APP_CONFIG (self));
  g_return_if_fail (data_dir != NULL);

  if (g_strcmp0 (self->data_dir, data_dir) == 0)
    return;

  g_free (self->data_dir);
  self->data_dir = g_strdup (data_dir);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DATA_DIR]);
}

/**
 * sotto_app_config_set_pwhash_limits:
 *
 * The Argon2id cost of new and opened accounts; 0 keeps the defaults.
 * Tests lower it to stay quick.
 */
void
sotto_app_config_set_pwhash_limits (SottoAppConfig *self,
                                    guint64         opslimit,
                                    gsize           memlimit)
{
  g_return_if_fail (SOTTO_IS_APP_CONFIG (self));

  self->opslimit = opslimit;
  self->memlimit = memlimit;
}

void
sotto_app_config_get_pwhash_limits (SottoAppConfig *self,
                                    guint64        *opslimit,
                                    gsize          *memlimit)
{
  g_return_if_fail (SOTTO_IS_APP_CONFIG (self));

  *opslimit = self->opslimit;
  *memlimit = self->memlimit;
}
