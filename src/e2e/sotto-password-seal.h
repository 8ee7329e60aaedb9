/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib.h>
#include <sodium.h>

#include "sotto-e2e-error.h"

G_BEGIN_DECLS

/* Interactive-level Argon2id cost: about 64 MiB and a fraction of a second. */
#define SOTTO_PWHASH_OPSLIMIT_DEFAULT ((guint64) crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE)
#define SOTTO_PWHASH_MEMLIMIT_DEFAULT ((gsize) crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE)

#define SOTTO_PWHASH_OPSLIMIT_MIN ((guint64) crypto_pwhash_argon2id_OPSLIMIT_MIN)
#define SOTTO_PWHASH_MEMLIMIT_MIN ((gsize) crypto_pwhash_argon2id_MEMLIMIT_MIN)

/* Upper bounds accepted from a sealed blob, so a corrupted or hostile file
 * cannot make us allocate or compute without limit.
 */
#define SOTTO_PWHASH_OPSLIMIT_MAX ((guint64) 16)
#define SOTTO_PWHASH_MEMLIMIT_MAX ((gsize) 1 << 30)

/* Bytes a sealed blob adds to its plaintext. */
#define SOTTO_PASSWORD_SEAL_OVERHEAD (62 + crypto_secretbox_MACBYTES)

GBytes *sotto_password_seal   (GBytes      *plaintext,
                               const char  *password,
                               guint64      opslimit,
                               gsize        memlimit,
                               GError     **error);
GBytes *sotto_password_unseal (GBytes      *sealed,
                               const char  *password,
                               GError     **error);

G_END_DECLS
