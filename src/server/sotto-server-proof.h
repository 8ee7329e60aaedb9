/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sotto-server-state.h"

G_BEGIN_DECLS

/**
 * SottoLoginProofResult:
 * @SOTTO_LOGIN_PROOF_ADDED: the proof verified, and the device is the
 *   account's now
 * @SOTTO_LOGIN_PROOF_REFUSED: the account key did not sign this login
 * @SOTTO_LOGIN_PROOF_KEY_TAKEN: another device of the account has one of
 *   its keys
 * @SOTTO_LOGIN_PROOF_FULL: the account has the most devices it can have
 * @SOTTO_LOGIN_PROOF_FAILED: the store failed
 *
 * What came of a login's proof; only the first changes anything.
 */
typedef enum
{
  SOTTO_LOGIN_PROOF_ADDED,
  SOTTO_LOGIN_PROOF_REFUSED,
  SOTTO_LOGIN_PROOF_KEY_TAKEN,
  SOTTO_LOGIN_PROOF_FULL,
  SOTTO_LOGIN_PROOF_FAILED,
} SottoLoginProofResult;

gboolean              _sotto_server_login_proof_verifies (GBytes                   *account_key,
                                                          const char               *username,
                                                          const SottoWireIdentity  *identity,
                                                          GBytes                   *proof);
SottoLoginProofResult _sotto_server_add_proven_device    (SottoServerState         *self,
                                                          SottoUser                *user,
                                                          GBytes                   *account_key,
                                                          const SottoWireIdentity  *identity,
                                                          GBytes                   *proof,
                                                          SottoStoreDevice        **device,
                                                          GError                  **error);

G_END_DECLS
