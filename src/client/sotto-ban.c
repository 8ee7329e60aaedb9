/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sotto-ban.h"

/* Someone kept out of a room, as sotto_client_list_bans_async() lists
 * them: who, removed by whom, and when. It does not change. */

struct _SottoBan
{
  GObject  parent_instance;

  char    *user;
  char    *banned_by;
  gint64   banned_at;
};

enum {
  PROP_0,
  PROP_USER,
  PROP_BANNED_BY,
  PROP_BANNED_AT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (SottoBan, sotto_ban, G_TYPE_OBJECT)

static void
sotto_ban_finalize (GObject *object)
{
  SottoBan *self = SOTTO_BAN (object);

  g_free (self->user);
  g_free (self->banned_by);

  G_OBJECT_CLASS (sotto_ban_parent_class)->finalize (object);
}

static void
sotto_ban_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  SottoBan *self = SOTTO_BAN (object);

  switch (prop_id)
    {
    case PROP_USER:
      g_value_set_string (value, self->user);
      break;
    case PROP_BANNED_BY:
      g_value_set_string (value, self->banned_by);
      break;
    case PROP_BANNED_AT:
      g_value_set_int64 (value, self->banned_at);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sotto_ban_class_init (SottoBanClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = sotto_ban_finalize;
  object_class->get_property = sotto_ban_get_property;

  /**
   * SottoBan:user:
   *
   * Who may not join the room again.
   */
  properties[PROP_USER] =
    g_param_spec_string ("user", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * SottoBan:banned-by:
   *
   * The room's creator who removed them, or %NULL when the server's
   * operator did.
   */
  properties[PROP_BANNED_BY] =
    g_param_spec_string ("banned-by", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * SottoBan:banned-at:
   *
   * When, in milliseconds since the Unix epoch, by the server's clock.
   */
  properties[PROP_BANNED_AT] =
    g_param_spec_int64 ("banned-at", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sotto_ban_init (SottoBan *self)
{
}

/**
 * sotto_ban_new:
 * @banned_by: (nullable): who removed @user, %NULL for the server's operator
 * @banned_at: when, in ms since the epoch
 *
 * Returns: (transfer full): the ban
 */
SottoBan *
sotto_ban_new (const char *user,
               const char *banned_by,
               gint64      banned_at)
{
  SottoBan *self;

  g_return_val_if_fail (user != NULL, NULL);

  self = g_object_new (SOTTO_TYPE_BAN, NULL);
  self->user = g_strdup (user);
  self->banned_by = g_strdup (banned_by);
  self->banned_at = banned_at;

  return self;
}

const char *
sotto_ban_get_user (SottoBan *self)
{
  g_return_val_if_fail (SOTTO_IS_BAN (self), NULL);
  return self->user;
}

/**
 * sotto_ban_get_banned_by:
 *
 * Returns: (nullable): who removed the user, %NULL for the server's operator
 */
const char *
sotto_ban_get_banned_by (SottoBan *self)
{
  g_return_val_if_fail (SOTTO_IS_BAN (self), NULL);
  return self->banned_by;
}

gint64
sotto_ban_get_banned_at (SottoBan *self)
{
  g_return_val_if_fail (SOTTO_IS_BAN (self), 0);
  return self->banned_at;
}
