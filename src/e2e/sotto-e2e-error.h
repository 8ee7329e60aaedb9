/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SOTTO_E2E_ERROR (sotto_e2e_error_quark ())

/**
 * SottoE2eError:
 * @SOTTO_E2E_ERROR_FAILED: an unexpected failure (out of memory in the
 *   password hash, a degenerate public key)
 * @SOTTO_E2E_ERROR_BAD_FORMAT: the input is not in a format we produce
 * @SOTTO_E2E_ERROR_BAD_PASSWORD: the password is wrong, or the sealed data
 *   was altered (the two cannot be told apart)
 * @SOTTO_E2E_ERROR_BAD_SIGNATURE: an envelope's signature does not verify
 *   with the claimed sender's identity
 * @SOTTO_E2E_ERROR_BAD_BINDING: a public identity's box key is not signed
 *   by its signing key
 * @SOTTO_E2E_ERROR_KEY_MISMATCH: stored secret keys do not match their
 *   public keys
 * @SOTTO_E2E_ERROR_WRONG_ROOM: the data belongs to another room
 * @SOTTO_E2E_ERROR_WRONG_SENDER: the data names another sender
 * @SOTTO_E2E_ERROR_WRONG_RECIPIENT: a key box was made for someone else
 * @SOTTO_E2E_ERROR_UNKNOWN_KEY: the envelope uses a sender key we do not hold,
 *   or a device list holds no device with the signing key named
 * @SOTTO_E2E_ERROR_REPLAYED: the message key was already used or dropped
 * @SOTTO_E2E_ERROR_TOO_FAR_AHEAD: the index is beyond the skip window
 * @SOTTO_E2E_ERROR_DECRYPT_FAILED: authenticated decryption failed
 * @SOTTO_E2E_ERROR_TOO_LARGE: the plaintext exceeds the allowed size
 * @SOTTO_E2E_ERROR_KEY_EXHAUSTED: the sender key has no message keys left
 * @SOTTO_E2E_ERROR_FORBIDDEN: a room event its actor may not make (the
 *   room's rules, as every member checks them)
 * @SOTTO_E2E_ERROR_FORK: a room event that does not follow the room's
 *   history as this member holds it
 *
 * Errors of the end-to-end encryption layer.
 */
typedef enum
{
  SOTTO_E2E_ERROR_FAILED,
  SOTTO_E2E_ERROR_BAD_FORMAT,
  SOTTO_E2E_ERROR_BAD_PASSWORD,
  SOTTO_E2E_ERROR_BAD_SIGNATURE,
  SOTTO_E2E_ERROR_BAD_BINDING,
  SOTTO_E2E_ERROR_KEY_MISMATCH,
  SOTTO_E2E_ERROR_WRONG_ROOM,
  SOTTO_E2E_ERROR_WRONG_SENDER,
  SOTTO_E2E_ERROR_WRONG_RECIPIENT,
  SOTTO_E2E_ERROR_UNKNOWN_KEY,
  SOTTO_E2E_ERROR_REPLAYED,
  SOTTO_E2E_ERROR_TOO_FAR_AHEAD,
  SOTTO_E2E_ERROR_DECRYPT_FAILED,
  SOTTO_E2E_ERROR_TOO_LARGE,
  SOTTO_E2E_ERROR_KEY_EXHAUSTED,
  SOTTO_E2E_ERROR_FORBIDDEN,
  SOTTO_E2E_ERROR_FORK,
} SottoE2eError;

GQuark sotto_e2e_error_quark (void);

G_END_DECLS
