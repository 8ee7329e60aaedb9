/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-e2e-private.h"
#include "sotto-identity-private.h"
#include "sotto-prekey-private.h"

/*
 * Boxes sealed to a recipient's prekeys (an X3DH-shaped exchange on
 * libsodium): the sender makes an ephemeral key and derives the box key
 * from
 *
 *   DH1 = X25519 (sender identity, signed prekey)
 *   DH2 = X25519 (ephemeral, recipient identity)
 *   DH3 = X25519 (ephemeral, signed prekey)
 *   DH4 = X25519 (ephemeral, one-time prekey), when one was given
 *
 *   key = BLAKE2b-256 (label | DH1 | DH2 | DH3 [| DH4])
 *
 * Once the recipient has erased the prekey secrets a box used, nobody can
 * open it again, not even with the recipient's identity secret key.
 *
 * A box:
 *
 *   version (1) | signed prekey id (4) | one-time prekey id (4, 0: none) |
 *   ephemeral public key (32) | nonce (24) | XChaCha20-Poly1305 (plaintext)
 *
 * whose associated data is a label, the header above, both identities'
 * signing keys and the caller's own associated data.
 */

#define BOX_VERSION 1
#define KEY_LABEL "sotto prekey box v1"
#define AD_LABEL "sotto prekey ad v1"
#define BOX_HEADER_BYTES (1 + 4 + 4 + 32)

G_STATIC_ASSERT (SOTTO_PREKEY_BOX_OVERHEAD ==
                 BOX_HEADER_BYTES + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES +
                 crypto_aead_xchacha20poly1305_ietf_ABYTES);

/* The associated data of a box: label, header, both signing keys, the
 * caller's. */
static guint8 *
box_associated (const guint8  *header,
                const guint8  *from_sign_pk,
                const guint8  *to_sign_pk,
                GBytes        *associated,
                gsize         *len)
{
  gsize label = strlen (AD_LABEL);
  gsize extra = 0;
  const guint8 *extra_data = associated != NULL ? _sotto_e2e_bytes_get_data (associated, &extra)
                                                : NULL;
  guint8 *ad;

  *len = label + BOX_HEADER_BYTES + 32 + 32 + extra;
  ad = g_malloc (*len);
  memcpy (ad, AD_LABEL, label);
  memcpy (ad + label, header, BOX_HEADER_BYTES);
  memcpy (ad + label + BOX_HEADER_BYTES, from_sign_pk, 32);
  memcpy (ad + label + BOX_HEADER_BYTES + 32, to_sign_pk, 32);
  if (extra > 0)
    memcpy (ad + label + BOX_HEADER_BYTES + 64, extra_data, extra);

  return ad;
}

/* BLAKE2b-256 of the label and @n shared secrets into @key. */
static void
derive_key (guint8  (*shared)[32],
            guint    n,
            guint8  *key)
{
  crypto_generichash_state state;

  crypto_generichash_init (&state, NULL, 0, crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
  crypto_generichash_update (&state, (const guint8 *) KEY_LABEL, strlen (KEY_LABEL));
  for (guint i = 0; i < n; i++)
    crypto_generichash_update (&state, shared[i], 32);
  crypto_generichash_final (&state, key, crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
  sodium_memzero (&state, sizeof state);
}

typedef struct
{
  guint8 ephemeral[32];
  guint8 shared[4][32];
  guint8 key[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
} SealSecrets;

/**
 * sotto_prekey_seal:
 * @from: the sender
 * @to: the recipient's bundle, from sotto_prekey_bundle_decode()
 * @associated: (nullable): what the box is bound to besides the two
 *   identities (a room and names, say)
 * @plaintext: what to box
 *
 * Boxes @plaintext to @to's prekeys (and one-time prekey, if the bundle
 * has one), so that only the holder of their secrets opens it.
 *
 * Returns: (transfer full): the box, or %NULL with @error set (a
 *   degenerate key in the bundle)
 */
GBytes *
sotto_prekey_seal (SottoIdentity            *from,
                   const SottoPrekeyBundle  *to,
                   GBytes                   *associated,
                   GBytes                   *plaintext,
                   GError                  **error)
{
  SealSecrets *secrets;
  g_autofree guint8 *ad = NULL;
  const guint8 *plain;
  guint8 *box;
  gsize plain_len, ad_len, box_len;
  guint n = 3;
  gboolean ok;

  g_return_val_if_fail (SOTTO_IS_IDENTITY (from), NULL);
  g_return_val_if_fail (to != NULL, NULL);
  g_return_val_if_fail (plaintext != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  plain = _sotto_e2e_bytes_get_data (plaintext, &plain_len);
  box_len = SOTTO_PREKEY_BOX_OVERHEAD + plain_len;
  box = g_malloc (box_len);
  box[0] = BOX_VERSION;
  _sotto_e2e_put_u32 (box + 1, to->signed_id);
  _sotto_e2e_put_u32 (box + 5, to->has_one_time ? to->one_time_id : 0);

  secrets = _sotto_e2e_secure_alloc (sizeof *secrets);
  crypto_box_keypair (box + 9, secrets->ephemeral);
  ok = _sotto_identity_dh (from, to->signed_public, secrets->shared[0]) &&
       crypto_scalarmult (secrets->shared[1], secrets->ephemeral, to->identity.box_pk) == 0 &&
       crypto_scalarmult (secrets->shared[2], secrets->ephemeral, to->signed_public) == 0;
  if (ok && to->has_one_time)
    ok = crypto_scalarmult (secrets->shared[n++], secrets->ephemeral, to->one_time_public) == 0;
  if (!ok)
    {
      sodium_free (secrets);
      g_free (box);
      g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_FAILED,
                           _("The recipient's keys cannot be used for encryption"));
      return NULL;
    }
  derive_key (secrets->shared, n, secrets->key);

  ad = box_associated (box, sotto_identity_get_public (from)->sign_pk, to->identity.sign_pk,
                       associated, &ad_len);
  randombytes_buf (box + BOX_HEADER_BYTES, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  crypto_aead_xchacha20poly1305_ietf_encrypt (
    box + BOX_HEADER_BYTES + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, NULL,
    plain, plain_len, ad, ad_len, NULL, box + BOX_HEADER_BYTES, secrets->key);
  sodium_free (secrets);

  return g_bytes_new_take (box, box_len);
}

/**
 * sotto_prekey_box_peek:
 * @signed_id: (out) (optional): the signed prekey it was sealed to
 * @one_time_id: (out) (optional): the one-time prekey, 0 if none
 *
 * Reads a box's header, unauthenticated.
 *
 * Returns: %TRUE if @box can be a box
 */
gboolean
sotto_prekey_box_peek (GBytes   *box,
                       guint32  *signed_id,
                       guint32  *one_time_id,
                       GError  **error)
{
  gsize len;
  const guint8 *data;

  g_return_val_if_fail (box != NULL, FALSE);

  data = _sotto_e2e_bytes_get_data (box, &len);
  if (len < SOTTO_PREKEY_BOX_OVERHEAD || data[0] != BOX_VERSION ||
      _sotto_e2e_get_u32 (data + 1) == 0)
    {
      g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT,
                           _("The key box is damaged or in an unknown format"));
      return FALSE;
    }

  if (signed_id != NULL)
    *signed_id = _sotto_e2e_get_u32 (data + 1);
  if (one_time_id != NULL)
    *one_time_id = _sotto_e2e_get_u32 (data + 5);
  return TRUE;
}

typedef struct
{
  guint8 shared[4][32];
  guint8 key[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
} OpenSecrets;


/**
 * sotto_prekey_open:
 * @self: the recipient
 * @from: the sender's public identity
 * @lookup: finds the recipient's prekeys the box names
 * @associated: (nullable): as given to sotto_prekey_seal()
 *
 * Opens a box sealed with sotto_prekey_seal(). A prekey the recipient no
 * longer holds fails with %SOTTO_E2E_ERROR_UNKNOWN_KEY; anything altered,
 * or sealed by another sender or for another recipient, with
 * %SOTTO_E2E_ERROR_DECRYPT_FAILED.
 *
 * Returns: (transfer full): the plaintext, in secure memory, or %NULL
 */
GBytes *
sotto_prekey_open (SottoIdentity             *self,
                   const SottoPublicIdentity *from,
                   SottoPrekeyLookup          lookup,
                   gpointer                   user_data,
                   GBytes                    *associated,
                   GBytes                    *box,
                   GError                   **error)
{
  g_autoptr(SottoPrekey) signed_prekey = NULL;
  g_autoptr(SottoPrekey) one_time = NULL;
  g_autofree guint8 *ad = NULL;
  OpenSecrets *secrets;
  const guint8 *data, *ephemeral;
  guint32 signed_id = 0, one_time_id = 0;
  GBytes *plaintext;
  guint8 *plain;
  gsize len, ad_len, plain_len;
  guint n = 3;
  gboolean ok;

  g_return_val_if_fail (SOTTO_IS_IDENTITY (self), NULL);
  g_return_val_if_fail (from != NULL, NULL);
  g_return_val_if_fail (lookup != NULL, NULL);
  g_return_val_if_fail (box != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!sotto_prekey_box_peek (box, &signed_id, &one_time_id, error))
    return NULL;
  data = _sotto_e2e_bytes_get_data (box, &len);
  ephemeral = data + 9;

  signed_prekey = lookup (signed_id, FALSE, user_data);
  if (one_time_id != 0)
    one_time = lookup (one_time_id, TRUE, user_data);
  if (signed_prekey == NULL || (one_time_id != 0 && one_time == NULL))
    {
      g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_UNKNOWN_KEY,
                           _("The key box was sealed to a prekey that is gone"));
      return NULL;
    }

  secrets = _sotto_e2e_secure_alloc (sizeof *secrets);
  ok = _sotto_prekey_dh (signed_prekey, from->box_pk, secrets->shared[0]) &&
       _sotto_identity_dh (self, ephemeral, secrets->shared[1]) &&
       _sotto_prekey_dh (signed_prekey, ephemeral, secrets->shared[2]);
  if (ok && one_time != NULL)
    ok = _sotto_prekey_dh (one_time, ephemeral, secrets->shared[n++]);
  if (!ok)
    {
      sodium_free (secrets);
      g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_DECRYPT_FAILED,
                           _("The key box cannot be opened"));
      return NULL;
    }
  derive_key (secrets->shared, n, secrets->key);

  ad = box_associated (data, from->sign_pk, sotto_identity_get_public (self)->sign_pk,
                       associated, &ad_len);
  plain_len = len - SOTTO_PREKEY_BOX_OVERHEAD;
  plaintext = _sotto_e2e_secure_bytes_new (plain_len, &plain);
  if (crypto_aead_xchacha20poly1305_ietf_decrypt (
        plain, NULL, NULL,
        data + BOX_HEADER_BYTES + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
        len - BOX_HEADER_BYTES - crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
        ad, ad_len, data + BOX_HEADER_BYTES, secrets->key) != 0)
    {
      sodium_free (secrets);
      g_bytes_unref (plaintext);
      g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_DECRYPT_FAILED,
                           _("The key box cannot be opened"));
      return NULL;
    }

  sodium_free (secrets);
  return plaintext;
}
