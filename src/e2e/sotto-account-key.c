/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-account-key-private.h"
#include "sotto-e2e-private.h"

/*
 * An account's Ed25519 key. It is made once, at registration, and signs
 * the account's device list (SottoDeviceList), so that a device the server
 * adds to an account is not one of its devices. It belongs to no device:
 * each of the account's devices keeps it sealed in its store, and the
 * person keeps it written down as a recovery key, the key's seed and a
 * check in Crockford's base32:
 *
 *   seed (32) | check (2)
 *
 * where the check is the first two bytes of BLAKE2b-256 over
 * RECOVERY_LABEL and the seed. The 272 bits make 55 characters (the last
 * one carries three zero bits), written in groups of five joined by '-'.
 * The check catches a mistyped recovery key, but for one in 65,536, before
 * a wrong key signs anything.
 */
#define RECOVERY_LABEL "sotto recovery key v1"
#define ACCOUNT_BOX_LABEL "sotto account box v1"
#define LOGIN_PROOF_LABEL "sotto login proof v1"
#define USERNAME_MAX_BYTES 255
#define CHECK_BYTES 2
#define RAW_BYTES (SOTTO_ACCOUNT_KEY_SEED_BYTES + CHECK_BYTES)
#define SYMBOLS ((RAW_BYTES * 8 + 4) / 5)
#define GROUP 5

G_STATIC_ASSERT (crypto_sign_SEEDBYTES == SOTTO_ACCOUNT_KEY_SEED_BYTES);
G_STATIC_ASSERT (crypto_sign_PUBLICKEYBYTES == SOTTO_ACCOUNT_KEY_PUBLIC_BYTES);
G_STATIC_ASSERT (SYMBOLS == 55 && SYMBOLS % GROUP == 0);
G_STATIC_ASSERT (SOTTO_RECOVERY_KEY_LENGTH == SYMBOLS + SYMBOLS / GROUP - 1);
G_STATIC_ASSERT (SOTTO_LOGIN_PROOF_BYTES == crypto_sign_BYTES);

typedef struct
{
  guint8 sign_sk[crypto_sign_SECRETKEYBYTES];
} Secrets;

struct _SottoAccountKey
{
  GObject  parent_instance;

  guint8   public_key[SOTTO_ACCOUNT_KEY_PUBLIC_BYTES];

  /* sodium_malloc()ed and read-only once filled in. */
  Secrets *secrets;
};

G_DEFINE_FINAL_TYPE (SottoAccountKey, sotto_account_key, G_TYPE_OBJECT)

static void
sotto_account_key_finalize (GObject *object)
{
  SottoAccountKey *self = SOTTO_ACCOUNT_KEY (object);

  g_clear_pointer (&self->secrets, sodium_free);

  G_OBJECT_CLASS (sotto_account_key_parent_class)->finalize (object);
}

static void
sotto_account_key_class_init (SottoAccountKeyClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sotto_account_key_finalize;
}

static void
sotto_account_key_init (SottoAccountKey *self)
{
  self->secrets = _sotto_e2e_secure_alloc (sizeof (Secrets));
}

/**
 * sotto_account_key_new:
 *
 * Makes a new account key, at registration. It never changes after
 * creation and may be used from any thread.
 *
 * Returns: (transfer full): a new #SottoAccountKey
 */
SottoAccountKey *
sotto_account_key_new (void)
{
  SottoAccountKey *self = g_object_new (SOTTO_TYPE_ACCOUNT_KEY, NULL);

  crypto_sign_keypair (self->public_key, self->secrets->sign_sk);
  sodium_mprotect_readonly (self->secrets);

  return self;
}

/**
 * sotto_account_key_new_from_seed:
 * @seed: (array fixed-size=32): the seed, from sotto_account_key_dup_seed()
 *
 * The account key @seed makes: the one a device kept in its store, or a
 * fixed one for tests.
 *
 * Returns: (transfer full): a new #SottoAccountKey
 */
SottoAccountKey *
sotto_account_key_new_from_seed (const guint8 *seed)
{
  SottoAccountKey *self;

  g_return_val_if_fail (seed != NULL, NULL);

  self = g_object_new (SOTTO_TYPE_ACCOUNT_KEY, NULL);
  crypto_sign_seed_keypair (self->public_key, self->secrets->sign_sk, seed);
  sodium_mprotect_readonly (self->secrets);

  return self;
}

/**
 * sotto_account_key_get_public:
 * @self: a #SottoAccountKey
 *
 * Returns: (transfer none) (array fixed-size=32): the Ed25519 public key,
 *   valid as long as @self
 */
const guint8 *
sotto_account_key_get_public (SottoAccountKey *self)
{
  g_return_val_if_fail (SOTTO_IS_ACCOUNT_KEY (self), NULL);

  return self->public_key;
}

/**
 * sotto_account_key_dup_seed:
 * @self: a #SottoAccountKey
 *
 * The secret the whole key is made from, for the client store to seal.
 *
 * Returns: (transfer full): the 32-byte seed, in secure memory
 */
GBytes *
sotto_account_key_dup_seed (SottoAccountKey *self)
{
  GBytes *seed;
  guint8 *data;

  g_return_val_if_fail (SOTTO_IS_ACCOUNT_KEY (self), NULL);

  seed = _sotto_e2e_secure_bytes_new (SOTTO_ACCOUNT_KEY_SEED_BYTES, &data);
  crypto_sign_ed25519_sk_to_seed (data, self->secrets->sign_sk);

  return seed;
}

/**
 * sotto_account_key_dup_identity:
 *
 * The account's identity: the one its contacts know it by, whichever of
 * its devices speaks. Its signing key pair is the account key's own; its
 * box key pair comes from the seed too (BLAKE2b-256 over
 * "sotto account box v1" and the seed), so that every device holding the
 * account key holds the same identity.
 *
 * Returns: (transfer full): a new #SottoIdentity
 */
SottoIdentity *
sotto_account_key_dup_identity (SottoAccountKey *self)
{
  g_autoptr(GBytes) seed = NULL;
  guint8 *box_seed;
  SottoIdentity *identity;
  crypto_generichash_state state;

  g_return_val_if_fail (SOTTO_IS_ACCOUNT_KEY (self), NULL);

  seed = sotto_account_key_dup_seed (self);
  box_seed = sodium_malloc (crypto_box_SEEDBYTES);
  g_assert (box_seed != NULL);
  crypto_generichash_init (&state, NULL, 0, crypto_box_SEEDBYTES);
  crypto_generichash_update (&state, (const guint8 *) ACCOUNT_BOX_LABEL,
                             strlen (ACCOUNT_BOX_LABEL));
  crypto_generichash_update (&state, g_bytes_get_data (seed, NULL), g_bytes_get_size (seed));
  crypto_generichash_final (&state, box_seed, crypto_box_SEEDBYTES);
  sodium_memzero (&state, sizeof state);

  identity = sotto_identity_new_from_seeds (box_seed, g_bytes_get_data (seed, NULL));
  sodium_free (box_seed);

  return identity;
}

/* Writes the check of the seed at the start of @raw after it. */
static void
put_check (guint8 *raw)
{
  crypto_generichash_state state;
  guint8 hash[crypto_generichash_BYTES];

  crypto_generichash_init (&state, NULL, 0, sizeof hash);
  crypto_generichash_update (&state, (const guint8 *) RECOVERY_LABEL, strlen (RECOVERY_LABEL));
  crypto_generichash_update (&state, raw, SOTTO_ACCOUNT_KEY_SEED_BYTES);
  crypto_generichash_final (&state, hash, sizeof hash);
  memcpy (raw + SOTTO_ACCOUNT_KEY_SEED_BYTES, hash, CHECK_BYTES);
  sodium_memzero (&state, sizeof state);
  sodium_memzero (hash, sizeof hash);
}

/**
 * sotto_account_key_dup_recovery:
 * @self: a #SottoAccountKey
 *
 * Writes the key as a recovery key, for the person to keep on paper:
 * 55 characters of Crockford's base32 in 11 groups of 5 joined by '-'
 * (%SOTTO_RECOVERY_KEY_LENGTH characters). Whoever has it has the
 * account key.
 *
 * The text is in ordinary memory, since it is made to be shown (and a
 * label showing it copies it anyway); drop it as soon as it has been.
 *
 * Returns: (transfer full): the recovery key
 */
char *
sotto_account_key_dup_recovery (SottoAccountKey *self)
{
  guint8 *raw;
  char *text;

  g_return_val_if_fail (SOTTO_IS_ACCOUNT_KEY (self), NULL);

  raw = _sotto_e2e_secure_alloc (RAW_BYTES);
  crypto_sign_ed25519_sk_to_seed (raw, self->secrets->sign_sk);
  put_check (raw);

  text = _sotto_e2e_base32_encode (raw, RAW_BYTES, GROUP);
  g_assert (strlen (text) == SOTTO_RECOVERY_KEY_LENGTH);

  sodium_free (raw);

  return text;
}

/**
 * sotto_account_key_new_from_recovery:
 * @text: a recovery key, as sotto_account_key_dup_recovery() wrote it
 * @error: return location for a #GError
 *
 * Reads a recovery key as a person types it: in either case, with or
 * without the dashes, with spaces or line breaks anywhere, and with O for
 * 0 and I or L for 1. Anything else, too few or too many characters, or a
 * check that does not match, fails with %SOTTO_E2E_ERROR_BAD_FORMAT.
 *
 * Returns: (transfer full): the account key, or %NULL with @error set
 */
SottoAccountKey *
sotto_account_key_new_from_recovery (const char  *text,
                                     GError     **error)
{
  SottoAccountKey *self;
  guint8 *raw;
  guint8 check[CHECK_BYTES];
  gboolean ok;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  raw = _sotto_e2e_secure_alloc (RAW_BYTES);
  if (!_sotto_e2e_base32_decode (text, raw, RAW_BYTES))
    {
      sodium_free (raw);
      g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT,
                           _("This is not a recovery key: one has 55 letters and digits"));
      return NULL;
    }

  memcpy (check, raw + SOTTO_ACCOUNT_KEY_SEED_BYTES, CHECK_BYTES);
  put_check (raw);
  ok = sodium_memcmp (check, raw + SOTTO_ACCOUNT_KEY_SEED_BYTES, CHECK_BYTES) == 0;
  sodium_memzero (check, sizeof check);
  if (!ok)
    {
      sodium_free (raw);
      g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT,
                           _("This recovery key has a mistake: check each character"));
      return NULL;
    }

  self = sotto_account_key_new_from_seed (raw);
  sodium_free (raw);

  return self;
}

/**
 * sotto_account_key_prove_login:
 * @username: the account's name, 1 to 255 bytes of ASCII; it is signed in
 *   lower case, as the server spells it
 * @device: the public identity of the computer logging in
 *
 * Signs that @device may log in to the account @username as one of its
 * devices: the proof a computer that holds the account key, but is not
 * on the account's device list yet, sends with its login (`proof` in
 * docs/protocol.md). It is the Ed25519 signature by the account key over
 *
 *   "sotto login proof v1" | length of @username (1) | @username |
 *   box_pk (32) | sign_pk (32) | binding (64)
 *
 * It names nothing else: it stays good for that name and that device
 * for as long as the account key is the account's.
 *
 * Returns: (transfer full): the proof, %SOTTO_LOGIN_PROOF_BYTES bytes
 */
GBytes *
sotto_account_key_prove_login (SottoAccountKey           *self,
                               const char                *username,
                               const SottoPublicIdentity *device)
{
  g_autoptr(GByteArray) message = NULL;
  g_autofree char *folded = NULL;
  guint8 *signature;
  guint8 length;

  g_return_val_if_fail (SOTTO_IS_ACCOUNT_KEY (self), NULL);
  g_return_val_if_fail (username != NULL, NULL);
  g_return_val_if_fail (username[0] != '\0' && strlen (username) <= USERNAME_MAX_BYTES, NULL);
  g_return_val_if_fail (device != NULL, NULL);

  folded = g_ascii_strdown (username, -1);
  length = (guint8) strlen (folded);
  message = g_byte_array_new ();
  g_byte_array_append (message, (const guint8 *) LOGIN_PROOF_LABEL, strlen (LOGIN_PROOF_LABEL));
  g_byte_array_append (message, &length, 1);
  g_byte_array_append (message, (const guint8 *) folded, length);
  g_byte_array_append (message, device->box_pk, sizeof device->box_pk);
  g_byte_array_append (message, device->sign_pk, sizeof device->sign_pk);
  g_byte_array_append (message, device->binding, sizeof device->binding);

  signature = g_malloc (SOTTO_LOGIN_PROOF_BYTES);
  _sotto_account_key_sign (self, message->data, message->len, signature);

  return g_bytes_new_take (signature, SOTTO_LOGIN_PROOF_BYTES);
}

void
_sotto_account_key_sign (SottoAccountKey *self,
                         const guint8    *message,
                         gsize            message_len,
                         guint8          *signature)
{
  g_assert (SOTTO_IS_ACCOUNT_KEY (self));

  crypto_sign_detached (signature, NULL, message, message_len, self->secrets->sign_sk);
}
