/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sodium.h>
#include <string.h>

#include "sotto-server-proof.h"

/*
 * A login's proof (`proof` in docs/protocol.md, `login`): a computer that
 * holds the account key but is not one of the account's devices, such as
 * one restored from the recovery key, proves that it holds it with the
 * key's signature over the account's name and its own identity, and
 * becomes one of the account's devices without a reset, so without a key
 * change. The key checked against is the one the account's device list is
 * under, the one account key the server knows of it.
 *
 * The server does not link the e2e library: the message signed is
 * written here as docs/security.md gives it, and tests/test-device-list.c
 * checks the library's proofs against the same text written a third time.
 */

#define LOGIN_PROOF_LABEL "sotto login proof v1"

G_STATIC_ASSERT (SOTTO_PROTOCOL_LOGIN_PROOF_BYTES == crypto_sign_BYTES);
G_STATIC_ASSERT (SOTTO_PROTOCOL_ACCOUNT_KEY_SIZE == crypto_sign_PUBLICKEYBYTES);

/**
 * _sotto_server_login_proof_verifies:
 * @account_key: the account key the account's list is under
 * @username: the account's name as the server spells it (lower case)
 * @identity: the identity the login is from
 * @proof: the login's `proof`
 *
 * Returns: whether @proof is the signature by @account_key over
 *   "sotto login proof v1", the length of @username (one byte),
 *   @username, and @identity's box key, signing key and binding
 */
gboolean
_sotto_server_login_proof_verifies (GBytes                  *account_key,
                                    const char              *username,
                                    const SottoWireIdentity *identity,
                                    GBytes                  *proof)
{
  g_autoptr(GByteArray) message = NULL;
  gsize length = strlen (username);
  guint8 length_byte = (guint8) length;

  g_return_val_if_fail (account_key != NULL, FALSE);
  g_return_val_if_fail (identity != NULL, FALSE);
  g_return_val_if_fail (proof != NULL, FALSE);

  if (g_bytes_get_size (account_key) != crypto_sign_PUBLICKEYBYTES ||
      g_bytes_get_size (proof) != crypto_sign_BYTES || length == 0 || length > G_MAXUINT8)
    return FALSE;

  message = g_byte_array_sized_new (strlen (LOGIN_PROOF_LABEL) + 1 + length + sizeof *identity);
  g_byte_array_append (message, (const guint8 *) LOGIN_PROOF_LABEL, strlen (LOGIN_PROOF_LABEL));
  g_byte_array_append (message, &length_byte, 1);
  g_byte_array_append (message, (const guint8 *) username, length);
  g_byte_array_append (message, identity->box, sizeof identity->box);
  g_byte_array_append (message, identity->sign, sizeof identity->sign);
  g_byte_array_append (message, identity->binding, sizeof identity->binding);

  return crypto_sign_verify_detached (g_bytes_get_data (proof, NULL), message->data, message->len,
                                      g_bytes_get_data (account_key, NULL)) == 0;
}

/**
 * _sotto_server_add_proven_device:
 * @user: an account with a device list, which @identity is not a device of
 * @account_key: the account key that list is under
 * @device: (out): the device added, on %SOTTO_LOGIN_PROOF_ADDED
 *
 * Adds @identity to @user's devices if @proof verifies, and if none of
 * the account's devices has one of its keys (the store holds one device
 * per signing key; a box key twice would let either device pass for the
 * other, as a device list refuses) and the account has room for it.
 * Otherwise nothing changes. The account's list and the identity its
 * member entries show stay as they are: its contacts are told nothing
 * until the account publishes a list with the new device.
 *
 * Returns: what came of it; %SOTTO_LOGIN_PROOF_FAILED with @error set
 */
SottoLoginProofResult
_sotto_server_add_proven_device (SottoServerState         *self,
                                 SottoUser                *user,
                                 GBytes                   *account_key,
                                 const SottoWireIdentity  *identity,
                                 GBytes                   *proof,
                                 SottoStoreDevice        **device,
                                 GError                  **error)
{
  g_assert (_sotto_user_lookup_device (user, identity) == NULL);

  if (!_sotto_server_login_proof_verifies (account_key, user->name, identity, proof))
    return SOTTO_LOGIN_PROOF_REFUSED;

  for (guint i = 0; i < user->devices->len; i++)
    {
      SottoStoreDevice *other = g_ptr_array_index (user->devices, i);

      if (memcmp (other->identity.sign, identity->sign, sizeof identity->sign) == 0 ||
          memcmp (other->identity.box, identity->box, sizeof identity->box) == 0)
        return SOTTO_LOGIN_PROOF_KEY_TAKEN;
    }

  if (user->devices->len >= SOTTO_PROTOCOL_MAX_DEVICES)
    return SOTTO_LOGIN_PROOF_FULL;

  if (sotto_store_add_device (self->store, user->id, identity, _sotto_server_now_ms (),
                              error) < 0 ||
      !_sotto_user_load_devices (user, self->store, error))
    return SOTTO_LOGIN_PROOF_FAILED;

  *device = _sotto_user_lookup_device (user, identity);
  g_assert (*device != NULL);
  return SOTTO_LOGIN_PROOF_ADDED;
}
