/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-e2e-private.h"
#include "sotto-link-private.h"

/*
 * The offer, from the new computer to the approving one through the
 * server:
 *
 *   version (1) | nonce (24) | XChaCha20-Poly1305 under K of:
 *     identity: box_pk (32) | sign_pk (32) | binding (64) |
 *     ephemeral public key (32) | name length (2) | name
 *
 * with the version and the raw link id as associated data. Only whoever
 * knows the code seals or opens one: the server, which sees the id, can
 * neither read the new computer's keys nor put its own in their place.
 * Opening is strict.
 */
#define OFFER_VERSION 1
#define NONCE_BYTES crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define TAG_BYTES crypto_aead_xchacha20poly1305_ietf_ABYTES
#define PLAIN_FIXED_BYTES (SOTTO_PUBLIC_IDENTITY_BYTES + SOTTO_LINK_EPHEMERAL_BYTES + 2)
#define OFFER_OVERHEAD (1 + NONCE_BYTES + TAG_BYTES)

G_STATIC_ASSERT (SOTTO_LINK_OFFER_MAX_BYTES ==
                 OFFER_OVERHEAD + PLAIN_FIXED_BYTES + SOTTO_DEVICE_NAME_MAX_BYTES);
G_STATIC_ASSERT (sizeof (SottoPublicIdentity) == SOTTO_PUBLIC_IDENTITY_BYTES);

/**
 * sotto_link_offer_clear:
 * @offer: an offer from sotto_link_offer_open()
 *
 * Frees what @offer holds and zeroes it.
 */
void
sotto_link_offer_clear (SottoLinkOffer *offer)
{
  g_return_if_fail (offer != NULL);

  g_free (offer->name);
  memset (offer, 0, sizeof *offer);
}

/**
 * sotto_link_offer_seal:
 * @request: the new computer's request
 * @error: return location for a #GError
 *
 * Seals the request's identity, ephemeral key and name under the link
 * code, for the server to hand to whoever asks with the link id. Each
 * call gives other bytes (a new nonce) for the same contents. Fails with
 * %SOTTO_E2E_ERROR_REPLAYED once the request is spent.
 *
 * Returns: (transfer full): the offer, at most
 *   %SOTTO_LINK_OFFER_MAX_BYTES, or %NULL with @error set
 */
GBytes *
sotto_link_offer_seal (SottoLinkRequest  *request,
                       GError           **error)
{
  const SottoPublicIdentity *identity;
  const char *name;
  SottoLinkCode *code;
  SottoE2eWriter plain = { 0 };
  guint8 associated[SOTTO_LINK_ASSOCIATED_BYTES];
  guint8 *offer;
  gsize offer_len;

  g_return_val_if_fail (SOTTO_IS_LINK_REQUEST (request), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (sotto_link_request_is_spent (request))
    {
      g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_REPLAYED,
                           _("This link request was already used"));
      return NULL;
    }

  code = sotto_link_request_get_code (request);
  identity = sotto_link_request_get_identity (request);
  name = sotto_link_request_get_name (request);

  plain.size = PLAIN_FIXED_BYTES + strlen (name);
  plain.data = g_malloc (plain.size);
  _sotto_e2e_writer_put (&plain, identity->box_pk, sizeof identity->box_pk);
  _sotto_e2e_writer_put (&plain, identity->sign_pk, sizeof identity->sign_pk);
  _sotto_e2e_writer_put (&plain, identity->binding, sizeof identity->binding);
  _sotto_e2e_writer_put (&plain, sotto_link_request_get_ephemeral (request),
                         SOTTO_LINK_EPHEMERAL_BYTES);
  _sotto_e2e_writer_put_name (&plain, name);
  g_assert (plain.pos == plain.size);

  offer_len = OFFER_OVERHEAD + plain.size;
  g_assert (offer_len <= SOTTO_LINK_OFFER_MAX_BYTES);
  offer = g_malloc (offer_len);
  offer[0] = OFFER_VERSION;
  randombytes_buf (offer + 1, NONCE_BYTES);
  _sotto_link_code_associated (code, OFFER_VERSION, associated);
  crypto_aead_xchacha20poly1305_ietf_encrypt (offer + 1 + NONCE_BYTES, NULL,
                                              plain.data, plain.size,
                                              associated, sizeof associated, NULL,
                                              offer + 1, _sotto_link_code_get_key (code));
  g_free (plain.data);

  return g_bytes_new_take (offer, offer_len);
}

/* Whether X25519 turns @public_key to zero with any secret: one of the
 * few points of small order, which would make the exchange with it known
 * to everyone. Clamping makes every secret a multiple of 8, so one
 * exchange with a fixed secret tells. */
static gboolean
is_degenerate (const guint8 *public_key)
{
  static const guint8 probe[crypto_scalarmult_SCALARBYTES] = { 9 };
  guint8 shared[crypto_scalarmult_BYTES];
  gboolean degenerate = crypto_scalarmult (shared, probe, public_key) != 0;

  sodium_memzero (shared, sizeof shared);
  return degenerate;
}

/**
 * sotto_link_offer_open:
 * @code: the link code the person typed
 * @bytes: an offer the server handed out under the code's id
 * @offer: (out caller-allocates): the offer, zeroed on failure; clear it
 *   with sotto_link_offer_clear()
 * @error: return location for a #GError
 *
 * Opens the new computer's offer, on the approving one. Fails with
 * %SOTTO_E2E_ERROR_DECRYPT_FAILED for an offer sealed under another code
 * or for another link, or altered; %SOTTO_E2E_ERROR_BAD_FORMAT for
 * anything sotto_link_offer_seal() does not write (another version, a
 * cut, bytes left over, a name that is empty, too long or not UTF-8, an
 * ephemeral key of small order); and %SOTTO_E2E_ERROR_BAD_BINDING for an
 * identity whose binding fails.
 *
 * Returns: %TRUE if @offer was filled in
 */
gboolean
sotto_link_offer_open (SottoLinkCode   *code,
                       GBytes          *bytes,
                       SottoLinkOffer  *offer,
                       GError         **error)
{
  g_auto(SottoLinkOffer) read = { 0 };
  g_autofree guint8 *plain = NULL;
  SottoE2eReader reader = { 0 };
  guint8 associated[SOTTO_LINK_ASSOCIATED_BYTES];
  const guint8 *data, *p;
  gsize len;

  g_return_val_if_fail (SOTTO_IS_LINK_CODE (code), FALSE);
  g_return_val_if_fail (bytes != NULL, FALSE);
  g_return_val_if_fail (offer != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  memset (offer, 0, sizeof *offer);

  data = _sotto_e2e_bytes_get_data (bytes, &len);
  if (len < OFFER_OVERHEAD + PLAIN_FIXED_BYTES + 1 || len > SOTTO_LINK_OFFER_MAX_BYTES ||
      data[0] != OFFER_VERSION)
    goto bad_format;

  reader.size = len - OFFER_OVERHEAD;
  plain = g_malloc (reader.size);
  reader.data = plain;
  _sotto_link_code_associated (code, OFFER_VERSION, associated);
  if (crypto_aead_xchacha20poly1305_ietf_decrypt (plain, NULL, NULL,
                                                  data + 1 + NONCE_BYTES,
                                                  len - 1 - NONCE_BYTES,
                                                  associated, sizeof associated,
                                                  data + 1, _sotto_link_code_get_key (code)) != 0)
    {
      g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_DECRYPT_FAILED,
                           _("The link code does not match"));
      return FALSE;
    }

  if (!_sotto_e2e_reader_get (&reader, &p, SOTTO_PUBLIC_IDENTITY_BYTES))
    goto bad_format;
  memcpy (&read.identity, p, sizeof read.identity);
  if (!_sotto_e2e_reader_get (&reader, &p, SOTTO_LINK_EPHEMERAL_BYTES))
    goto bad_format;
  memcpy (read.ephemeral, p, sizeof read.ephemeral);
  if (!_sotto_e2e_reader_get_name (&reader, SOTTO_DEVICE_NAME_MAX_BYTES, FALSE, &read.name) ||
      !_sotto_e2e_reader_at_end (&reader) || is_degenerate (read.ephemeral))
    goto bad_format;

  if (!sotto_public_identity_verify (&read.identity, error))
    return FALSE;

  *offer = read;
  memset (&read, 0, sizeof read);
  return TRUE;

bad_format:
  g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT,
                       _("The link offer is damaged or in an unknown format"));
  return FALSE;
}
