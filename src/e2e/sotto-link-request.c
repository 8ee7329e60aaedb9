/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-e2e-private.h"
#include "sotto-link-private.h"

/*
 * What the new computer keeps while it waits to be linked: the code it
 * shows, the identity and name it asks to be listed with, and an
 * ephemeral X25519 key pair made for this link alone. The approval is
 * sealed to the ephemeral key, so a request opens one approval: once one
 * has opened, the secret is wiped and the request is spent. An approval
 * that fails to open spends nothing, or whoever carries the messages could
 * end the link by sending rubbish.
 */

typedef struct
{
  guint8 ephemeral_sk[crypto_box_SECRETKEYBYTES];
} Secrets;

struct _SottoLinkRequest
{
  GObject              parent_instance;

  SottoLinkCode       *code;
  SottoPublicIdentity  identity;
  char                *name;
  guint8               ephemeral_pk[SOTTO_LINK_EPHEMERAL_BYTES];

  /* sodium_malloc()ed and read-only once filled in; NULL once spent. */
  Secrets             *secrets;
};

G_DEFINE_FINAL_TYPE (SottoLinkRequest, sotto_link_request, G_TYPE_OBJECT)

G_STATIC_ASSERT (crypto_box_PUBLICKEYBYTES == SOTTO_LINK_EPHEMERAL_BYTES);
G_STATIC_ASSERT (crypto_box_SEEDBYTES == 32);

static void
sotto_link_request_dispose (GObject *object)
{
  SottoLinkRequest *self = SOTTO_LINK_REQUEST (object);

  g_clear_object (&self->code);

  G_OBJECT_CLASS (sotto_link_request_parent_class)->dispose (object);
}

static void
sotto_link_request_finalize (GObject *object)
{
  SottoLinkRequest *self = SOTTO_LINK_REQUEST (object);

  g_clear_pointer (&self->secrets, sodium_free);
  g_free (self->name);

  G_OBJECT_CLASS (sotto_link_request_parent_class)->finalize (object);
}

static void
sotto_link_request_class_init (SottoLinkRequestClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sotto_link_request_dispose;
  object_class->finalize = sotto_link_request_finalize;
}

static void
sotto_link_request_init (SottoLinkRequest *self)
{
  self->secrets = _sotto_e2e_secure_alloc (sizeof (Secrets));
}

static SottoLinkRequest *
request_new (SottoLinkCode              *code,
             const SottoPublicIdentity  *identity,
             const char                 *name,
             const guint8               *seed,
             GError                    **error)
{
  SottoLinkRequest *self;

  if (!_sotto_e2e_valid_name (name, SOTTO_DEVICE_NAME_MAX_BYTES, FALSE))
    {
      g_set_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT,
                   _("A device’s name is 1 to %d bytes of text"), SOTTO_DEVICE_NAME_MAX_BYTES);
      return NULL;
    }

  if (!sotto_public_identity_verify (identity, error))
    return NULL;

  self = g_object_new (SOTTO_TYPE_LINK_REQUEST, NULL);
  self->code = g_object_ref (code);
  self->identity = *identity;
  self->name = g_strdup (name);
  if (seed != NULL)
    crypto_box_seed_keypair (self->ephemeral_pk, self->secrets->ephemeral_sk, seed);
  else
    crypto_box_keypair (self->ephemeral_pk, self->secrets->ephemeral_sk);
  sodium_mprotect_readonly (self->secrets);

  return self;
}

/**
 * sotto_link_request_new:
 * @code: the link code the new computer shows
 * @identity: the new computer's public identity
 * @name: what its owner calls it ("Laptop")
 * @error: return location for a #GError
 *
 * Starts a link on the new computer, with a new ephemeral key. Fails
 * with %SOTTO_E2E_ERROR_BAD_FORMAT for a name that is empty, longer than
 * %SOTTO_DEVICE_NAME_MAX_BYTES or not UTF-8, and with
 * %SOTTO_E2E_ERROR_BAD_BINDING for an identity whose binding fails.
 *
 * Returns: (transfer full): the request, or %NULL with @error set
 */
SottoLinkRequest *
sotto_link_request_new (SottoLinkCode              *code,
                        const SottoPublicIdentity  *identity,
                        const char                 *name,
                        GError                    **error)
{
  g_return_val_if_fail (SOTTO_IS_LINK_CODE (code), NULL);
  g_return_val_if_fail (identity != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return request_new (code, identity, name, NULL, error);
}

/**
 * sotto_link_request_new_from_seed:
 * @seed: (array fixed-size=32): what the ephemeral key pair is made from
 *
 * As sotto_link_request_new(), the same ephemeral key every time for one
 * @seed: for tests and fuzzing, which need to be repeatable. A link made
 * this way is no more secret than the seed.
 *
 * Returns: (transfer full): the request, or %NULL with @error set
 */
SottoLinkRequest *
sotto_link_request_new_from_seed (SottoLinkCode              *code,
                                  const SottoPublicIdentity  *identity,
                                  const char                 *name,
                                  const guint8               *seed,
                                  GError                    **error)
{
  g_return_val_if_fail (SOTTO_IS_LINK_CODE (code), NULL);
  g_return_val_if_fail (identity != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (seed != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return request_new (code, identity, name, seed, error);
}

/**
 * sotto_link_request_get_code:
 * @self: a #SottoLinkRequest
 *
 * Returns: (transfer none): the link code
 */
SottoLinkCode *
sotto_link_request_get_code (SottoLinkRequest *self)
{
  g_return_val_if_fail (SOTTO_IS_LINK_REQUEST (self), NULL);
  return self->code;
}

/**
 * sotto_link_request_get_identity:
 * @self: a #SottoLinkRequest
 *
 * Returns: (transfer none): the identity the new computer asks to be
 *   listed with
 */
const SottoPublicIdentity *
sotto_link_request_get_identity (SottoLinkRequest *self)
{
  g_return_val_if_fail (SOTTO_IS_LINK_REQUEST (self), NULL);
  return &self->identity;
}

const char *
sotto_link_request_get_name (SottoLinkRequest *self)
{
  g_return_val_if_fail (SOTTO_IS_LINK_REQUEST (self), NULL);
  return self->name;
}

/**
 * sotto_link_request_get_ephemeral:
 * @self: a #SottoLinkRequest
 *
 * Returns: (transfer none) (array fixed-size=32): the ephemeral public
 *   key its offer carries
 */
const guint8 *
sotto_link_request_get_ephemeral (SottoLinkRequest *self)
{
  g_return_val_if_fail (SOTTO_IS_LINK_REQUEST (self), NULL);
  return self->ephemeral_pk;
}

/**
 * sotto_link_request_is_spent:
 * @self: a #SottoLinkRequest
 *
 * Returns: %TRUE once an approval has opened with @self: its ephemeral
 *   secret is gone, and it neither seals offers nor opens approvals
 */
gboolean
sotto_link_request_is_spent (SottoLinkRequest *self)
{
  g_return_val_if_fail (SOTTO_IS_LINK_REQUEST (self), TRUE);
  return self->secrets == NULL;
}

/* X25519 of the ephemeral secret and @peer_pk; FALSE for a degenerate
 * @peer_pk. The request must not be spent. */
gboolean
_sotto_link_request_dh (SottoLinkRequest *self,
                        const guint8     *peer_pk,
                        guint8           *shared)
{
  g_assert (SOTTO_IS_LINK_REQUEST (self));
  g_assert (self->secrets != NULL);

  return crypto_scalarmult (shared, self->secrets->ephemeral_sk, peer_pk) == 0;
}

/* Wipes the ephemeral secret: no approval opens with @self again. */
void
_sotto_link_request_spend (SottoLinkRequest *self)
{
  g_assert (SOTTO_IS_LINK_REQUEST (self));

  g_clear_pointer (&self->secrets, sodium_free);
}
