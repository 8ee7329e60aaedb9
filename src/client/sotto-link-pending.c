/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sotto-link-pending-private.h"

/*
 * A new computer's offer as the approving computer opened it with the
 * link code the user typed: what a screen shows before the user approves
 * (the name the new computer gives itself), and what the approval is made
 * for (its identity and ephemeral key, and the code). It is approved
 * once: sotto_client_approve_link_async() takes it.
 */

struct _SottoLinkPending
{
  GObject         parent_instance;

  SottoLinkCode  *code;
  SottoLinkOffer  offer;
  gboolean        taken;
};

enum {
  PROP_0,
  PROP_NAME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (SottoLinkPending, sotto_link_pending, G_TYPE_OBJECT)

static void
sotto_link_pending_dispose (GObject *object)
{
  SottoLinkPending *self = SOTTO_LINK_PENDING (object);

  g_clear_object (&self->code);

  G_OBJECT_CLASS (sotto_link_pending_parent_class)->dispose (object);
}

static void
sotto_link_pending_finalize (GObject *object)
{
  SottoLinkPending *self = SOTTO_LINK_PENDING (object);

  sotto_link_offer_clear (&self->offer);

  G_OBJECT_CLASS (sotto_link_pending_parent_class)->finalize (object);
}

static void
sotto_link_pending_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  SottoLinkPending *self = SOTTO_LINK_PENDING (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->offer.name);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sotto_link_pending_class_init (SottoLinkPendingClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sotto_link_pending_dispose;
  object_class->finalize = sotto_link_pending_finalize;
  object_class->get_property = sotto_link_pending_get_property;

  /**
   * SottoLinkPending:name:
   *
   * What the new computer calls itself, as its offer says.
   */
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sotto_link_pending_init (SottoLinkPending *self)
{
}

/**
 * _sotto_link_pending_new:
 * @code: the code the offer opened with
 * @offer: the opened offer, taken over: it is left cleared
 */
SottoLinkPending *
_sotto_link_pending_new (SottoLinkCode  *code,
                         SottoLinkOffer *offer)
{
  SottoLinkPending *self;

  g_return_val_if_fail (SOTTO_IS_LINK_CODE (code), NULL);
  g_return_val_if_fail (offer != NULL && offer->name != NULL, NULL);

  self = g_object_new (SOTTO_TYPE_LINK_PENDING, NULL);
  self->code = g_object_ref (code);
  self->offer = *offer;
  offer->name = NULL;
  sotto_link_offer_clear (offer);

  return self;
}

/**
 * sotto_link_pending_get_device:
 *
 * Returns: (array fixed-size=32): the new computer's signing key, as the
 *   device list names it once approved
 */
const guint8 *
sotto_link_pending_get_device (SottoLinkPending *self)
{
  g_return_val_if_fail (SOTTO_IS_LINK_PENDING (self), NULL);

  return self->offer.identity.sign_pk;
}

SottoLinkCode *
_sotto_link_pending_get_code (SottoLinkPending *self)
{
  return self->code;
}

const SottoLinkOffer *
_sotto_link_pending_get_offer (SottoLinkPending *self)
{
  return &self->offer;
}

/* Takes the link for an approval: %FALSE if one took it already. */
gboolean
_sotto_link_pending_take (SottoLinkPending *self)
{
  if (self->taken)
    return FALSE;

  self->taken = TRUE;
  return TRUE;
}

/**
 * sotto_link_pending_get_name:
 *
 * Returns: what the new computer calls itself: show it before approving,
 *   so that the user sees which computer they let in
 */
const char *
sotto_link_pending_get_name (SottoLinkPending *self)
{
  g_return_val_if_fail (SOTTO_IS_LINK_PENDING (self), NULL);

  return self->offer.name;
}
