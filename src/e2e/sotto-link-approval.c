/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-device-list-private.h"
#include "sotto-e2e-private.h"
#include "sotto-link-private.h"

/*
 * The approval, from the approving computer back to the new one: the
 * account key's seed and the account's new device list, which holds the
 * new computer. The approving computer makes an ephemeral X25519 key pair
 * of its own and seals under
 *
 *   DH = X25519 (approver's ephemeral, new computer's ephemeral)
 *   K2 = BLAKE2b-256 (KEY_LABEL | K | DH | approver's ephemeral public
 *                     key | new computer's ephemeral public key)
 *
 *   version (1) | approver's ephemeral public key (32) | nonce (24) |
 *   XChaCha20-Poly1305 under K2 of:
 *     account key seed (32) | device list length (2) | device list
 *
 * with the version and the raw link id as associated data. K makes the
 * approval the code holder's alone; DH makes it the new computer's alone,
 * and keeps it shut to whoever learns the code later but holds neither
 * ephemeral secret. Both ephemeral secrets are wiped once used, so an
 * approval opens once, for the one request whose key the offer carried.
 */
#define APPROVAL_VERSION 1
#define KEY_LABEL "sotto link approval v1"
#define NONCE_BYTES crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define TAG_BYTES crypto_aead_xchacha20poly1305_ietf_ABYTES
#define HEADER_BYTES (1 + SOTTO_LINK_EPHEMERAL_BYTES + NONCE_BYTES)
#define PLAIN_FIXED_BYTES (SOTTO_ACCOUNT_KEY_SEED_BYTES + 2)

G_STATIC_ASSERT (SOTTO_LINK_APPROVAL_MAX_BYTES ==
                 HEADER_BYTES + PLAIN_FIXED_BYTES + SOTTO_DEVICE_LIST_MAX_BYTES + TAG_BYTES);
G_STATIC_ASSERT (SOTTO_DEVICE_LIST_MAX_BYTES <= G_MAXUINT16);

typedef struct
{
  guint8 ephemeral_sk[crypto_box_SECRETKEYBYTES];
  guint8 shared[crypto_scalarmult_BYTES];
  guint8 key[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
} Secrets;

/* K2, from K, the exchange and both ephemeral public keys. */
static void
derive_key (SottoLinkCode *code,
            const guint8  *shared,
            const guint8  *approver_pk,
            const guint8  *new_pk,
            guint8        *key)
{
  crypto_generichash_state state;

  crypto_generichash_init (&state, NULL, 0, crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
  crypto_generichash_update (&state, (const guint8 *) KEY_LABEL, strlen (KEY_LABEL));
  crypto_generichash_update (&state, _sotto_link_code_get_key (code),
                             crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
  crypto_generichash_update (&state, shared, crypto_scalarmult_BYTES);
  crypto_generichash_update (&state, approver_pk, SOTTO_LINK_EPHEMERAL_BYTES);
  crypto_generichash_update (&state, new_pk, SOTTO_LINK_EPHEMERAL_BYTES);
  crypto_generichash_final (&state, key, crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
  sodium_memzero (&state, sizeof state);
}

/**
 * sotto_link_approval_seal:
 * @code: the link code the person typed
 * @offer: the new computer's offer, from sotto_link_offer_open()
 * @account_key: the account key
 * @device_list: the account's new device list, sealed, holding the new
 *   computer
 * @error: return location for a #GError
 *
 * Hands the account key and @device_list to the new computer, which alone
 * opens what this returns. Before sealing anything it checks that
 * @device_list opens under @account_key, for the account it names (the
 * errors of sotto_device_list_open(): %SOTTO_E2E_ERROR_KEY_MISMATCH for a
 * list of another key, %SOTTO_E2E_ERROR_BAD_SIGNATURE,
 * %SOTTO_E2E_ERROR_BAD_FORMAT…), and that it holds the offer's identity,
 * both its keys (%SOTTO_E2E_ERROR_WRONG_RECIPIENT otherwise); the name
 * it lists the device under is the approver's choice. An ephemeral key of
 * small order fails with %SOTTO_E2E_ERROR_FAILED.
 *
 * Returns: (transfer full): the approval, at most
 *   %SOTTO_LINK_APPROVAL_MAX_BYTES, or %NULL with @error set
 */
GBytes *
sotto_link_approval_seal (SottoLinkCode         *code,
                          const SottoLinkOffer  *offer,
                          SottoAccountKey       *account_key,
                          GBytes                *device_list,
                          GError               **error)
{
  g_autoptr(SottoDeviceList) list = NULL;
  g_autoptr(GBytes) seed = NULL;
  SottoE2eWriter plain = { 0 };
  guint8 associated[SOTTO_LINK_ASSOCIATED_BYTES];
  Secrets *secrets;
  const guint8 *list_data;
  guint8 *approval;
  gsize list_len, approval_len;
  gboolean ok;

  g_return_val_if_fail (SOTTO_IS_LINK_CODE (code), NULL);
  g_return_val_if_fail (offer != NULL, NULL);
  g_return_val_if_fail (SOTTO_IS_ACCOUNT_KEY (account_key), NULL);
  g_return_val_if_fail (device_list != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  list = _sotto_device_list_open_own (device_list, sotto_account_key_get_public (account_key),
                                      error);
  if (list == NULL)
    return NULL;

  if (sotto_device_list_lookup (list, &offer->identity) == NULL)
    {
      g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_WRONG_RECIPIENT,
                           _("The device list does not hold the new device"));
      return NULL;
    }

  list_data = _sotto_e2e_bytes_get_data (device_list, &list_len);
  approval_len = HEADER_BYTES + PLAIN_FIXED_BYTES + list_len + TAG_BYTES;
  g_assert (approval_len <= SOTTO_LINK_APPROVAL_MAX_BYTES);
  approval = g_malloc (approval_len);
  approval[0] = APPROVAL_VERSION;

  secrets = _sotto_e2e_secure_alloc (sizeof *secrets);
  crypto_box_keypair (approval + 1, secrets->ephemeral_sk);
  ok = crypto_scalarmult (secrets->shared, secrets->ephemeral_sk, offer->ephemeral) == 0;
  /* The approver's ephemeral secret is used for this exchange alone. */
  sodium_memzero (secrets->ephemeral_sk, sizeof secrets->ephemeral_sk);
  if (!ok)
    {
      sodium_free (secrets);
      g_free (approval);
      g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_FAILED,
                           _("The new device’s key cannot be used for encryption"));
      return NULL;
    }
  derive_key (code, secrets->shared, approval + 1, offer->ephemeral, secrets->key);

  seed = sotto_account_key_dup_seed (account_key);
  plain.size = PLAIN_FIXED_BYTES + list_len;
  plain.data = _sotto_e2e_secure_alloc (plain.size);
  _sotto_e2e_writer_put (&plain, g_bytes_get_data (seed, NULL), SOTTO_ACCOUNT_KEY_SEED_BYTES);
  _sotto_e2e_writer_put_u16 (&plain, (guint16) list_len);
  _sotto_e2e_writer_put (&plain, list_data, list_len);
  g_assert (plain.pos == plain.size);

  _sotto_link_code_associated (code, APPROVAL_VERSION, associated);
  randombytes_buf (approval + 1 + SOTTO_LINK_EPHEMERAL_BYTES, NONCE_BYTES);
  crypto_aead_xchacha20poly1305_ietf_encrypt (approval + HEADER_BYTES, NULL,
                                              plain.data, plain.size,
                                              associated, sizeof associated, NULL,
                                              approval + 1 + SOTTO_LINK_EPHEMERAL_BYTES,
                                              secrets->key);
  sodium_free (plain.data);
  sodium_free (secrets);

  return g_bytes_new_take (approval, approval_len);
}

/**
 * sotto_link_approval_open:
 * @request: the new computer's request, whose offer was approved
 * @approval: the approval the server handed on
 * @account: the account the new computer is linked to
 * @account_key: (out) (transfer full): the account key
 * @device_list: (out) (transfer full): the account's device list
 * @error: return location for a #GError
 *
 * Opens the approval on the new computer, and spends @request: no other
 * approval opens with it. Fails with %SOTTO_E2E_ERROR_REPLAYED once
 * @request is spent; %SOTTO_E2E_ERROR_DECRYPT_FAILED for an approval made
 * for another link or another request, or altered;
 * %SOTTO_E2E_ERROR_BAD_FORMAT for anything sotto_link_approval_seal()
 * does not write; the errors of sotto_device_list_open() for a list that
 * is not @account's or not signed by the account key it came with; and
 * %SOTTO_E2E_ERROR_WRONG_RECIPIENT for a list that does not hold the
 * request's identity. A failure spends nothing.
 *
 * Returns: %TRUE if @account_key and @device_list were set; both are
 *   %NULL otherwise
 */
gboolean
sotto_link_approval_open (SottoLinkRequest  *request,
                          GBytes            *approval,
                          const char        *account,
                          SottoAccountKey  **account_key,
                          SottoDeviceList  **device_list,
                          GError           **error)
{
  g_autoptr(SottoAccountKey) key = NULL;
  g_autoptr(SottoDeviceList) list = NULL;
  g_autoptr(GBytes) list_bytes = NULL;
  SottoE2eReader reader = { 0 };
  guint8 associated[SOTTO_LINK_ASSOCIATED_BYTES];
  SottoLinkCode *code;
  Secrets *secrets;
  const guint8 *data, *seed, *list_data;
  guint8 *plain;
  guint16 list_len = 0;
  gsize len;
  gboolean ok;

  g_return_val_if_fail (SOTTO_IS_LINK_REQUEST (request), FALSE);
  g_return_val_if_fail (approval != NULL, FALSE);
  g_return_val_if_fail (account != NULL, FALSE);
  g_return_val_if_fail (account_key != NULL, FALSE);
  g_return_val_if_fail (device_list != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *account_key = NULL;
  *device_list = NULL;

  if (sotto_link_request_is_spent (request))
    {
      g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_REPLAYED,
                           _("This link request was already used"));
      return FALSE;
    }

  data = _sotto_e2e_bytes_get_data (approval, &len);
  if (len < HEADER_BYTES + PLAIN_FIXED_BYTES + 1 + TAG_BYTES ||
      len > SOTTO_LINK_APPROVAL_MAX_BYTES || data[0] != APPROVAL_VERSION)
    {
      g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT,
                           _("The link approval is damaged or in an unknown format"));
      return FALSE;
    }

  code = sotto_link_request_get_code (request);
  secrets = _sotto_e2e_secure_alloc (sizeof *secrets);
  reader.size = len - HEADER_BYTES - TAG_BYTES;
  plain = _sotto_e2e_secure_alloc (reader.size);
  reader.data = plain;
  ok = _sotto_link_request_dh (request, data + 1, secrets->shared);
  if (ok)
    {
      _sotto_link_code_associated (code, APPROVAL_VERSION, associated);
      derive_key (code, secrets->shared, data + 1, sotto_link_request_get_ephemeral (request),
                  secrets->key);
      ok = crypto_aead_xchacha20poly1305_ietf_decrypt (plain, NULL, NULL,
                                                       data + HEADER_BYTES, len - HEADER_BYTES,
                                                       associated, sizeof associated,
                                                       data + 1 + SOTTO_LINK_EPHEMERAL_BYTES,
                                                       secrets->key) == 0;
    }
  sodium_free (secrets);
  if (!ok)
    {
      sodium_free (plain);
      g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_DECRYPT_FAILED,
                           _("The approval is not for this link request"));
      return FALSE;
    }

  if (!_sotto_e2e_reader_get (&reader, &seed, SOTTO_ACCOUNT_KEY_SEED_BYTES) ||
      !_sotto_e2e_reader_get_u16 (&reader, &list_len) || list_len == 0 ||
      !_sotto_e2e_reader_get (&reader, &list_data, list_len) ||
      !_sotto_e2e_reader_at_end (&reader))
    {
      sodium_free (plain);
      g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT,
                           _("The link approval is damaged or in an unknown format"));
      return FALSE;
    }

  key = sotto_account_key_new_from_seed (seed);
  list_bytes = g_bytes_new (list_data, list_len);
  sodium_free (plain);

  list = sotto_device_list_open (list_bytes, account, sotto_account_key_get_public (key), error);
  if (list == NULL)
    return FALSE;

  if (sotto_device_list_lookup (list, sotto_link_request_get_identity (request)) == NULL)
    {
      g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_WRONG_RECIPIENT,
                           _("The device list does not hold this device"));
      return FALSE;
    }

  _sotto_link_request_spend (request);
  *account_key = g_steal_pointer (&key);
  *device_list = g_steal_pointer (&list);
  return TRUE;
}
