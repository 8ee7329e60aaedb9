/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-e2e-private.h"
#include "sotto-identity-private.h"
#include "sotto-password-seal.h"

/* The binding signs this label followed by the box public key. */
#define BINDING_LABEL "sotto identity binding v1"
#define BINDING_LABEL_LEN (sizeof BINDING_LABEL - 1)

/* The plaintext inside a sealed identity:
 *
 *   version (1) | box_sk (32) | sign_sk (64) | box_pk (32) | sign_pk (32) | binding (64)
 */
#define SEALED_VERSION 1
#define SEALED_LEN (1 + crypto_box_SECRETKEYBYTES + crypto_sign_SECRETKEYBYTES + \
                    SOTTO_PUBLIC_IDENTITY_BYTES)

G_STATIC_ASSERT (crypto_box_PUBLICKEYBYTES == 32);
G_STATIC_ASSERT (crypto_box_SECRETKEYBYTES == 32);
G_STATIC_ASSERT (crypto_box_SEEDBYTES == SOTTO_IDENTITY_SEED_BYTES);
G_STATIC_ASSERT (crypto_sign_PUBLICKEYBYTES == 32);
G_STATIC_ASSERT (crypto_sign_SECRETKEYBYTES == 64);
G_STATIC_ASSERT (crypto_sign_SEEDBYTES == SOTTO_IDENTITY_SEED_BYTES);
G_STATIC_ASSERT (crypto_sign_BYTES == 64);
G_STATIC_ASSERT (sizeof (SottoPublicIdentity) == SOTTO_PUBLIC_IDENTITY_BYTES);

typedef struct
{
  guint8 box_sk[crypto_box_SECRETKEYBYTES];
  guint8 sign_sk[crypto_sign_SECRETKEYBYTES];
} Secrets;

struct _SottoIdentity
{
  GObject parent_instance;

  SottoPublicIdentity public;

  /* sodium_malloc()ed and read-only once filled in. */
  Secrets *secrets;
};

G_DEFINE_FINAL_TYPE (SottoIdentity, sotto_identity, G_TYPE_OBJECT)

static void
sotto_identity_finalize (GObject *object)
{
  SottoIdentity *self = SOTTO_IDENTITY (object);

  g_clear_pointer (&self->secrets, sodium_free);

  G_OBJECT_CLASS (sotto_identity_parent_class)->finalize (object);
}

static void
sotto_identity_class_init (SottoIdentityClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = sotto_identity_finalize;
}

static void
sotto_identity_init (SottoIdentity *self)
{
  self->secrets = _sotto_e2e_secure_alloc (sizeof (Secrets));
}

static void
binding_message (const guint8 *box_pk,
                 guint8       *message)
{
  memcpy (message, BINDING_LABEL, BINDING_LABEL_LEN);
  memcpy (message + BINDING_LABEL_LEN, box_pk, crypto_box_PUBLICKEYBYTES);
}

/* Signs the binding and locks the secrets; the key pairs are filled in. */
static void
sotto_identity_finish (SottoIdentity *self)
{
  guint8 message[BINDING_LABEL_LEN + crypto_box_PUBLICKEYBYTES];

  binding_message (self->public.box_pk, message);
  crypto_sign_detached (self->public.binding, NULL, message, sizeof message,
                        self->secrets->sign_sk);
  sodium_mprotect_readonly (self->secrets);
}

/**
 * sotto_identity_new:
 *
 * Generates a new device identity: an X25519 box key pair and an Ed25519
 * signing key pair, with the binding signature.
 *
 * A #SottoIdentity never changes after creation and may be used from any
 * thread.
 *
 * Returns: (transfer full): a new #SottoIdentity
 */
SottoIdentity *
sotto_identity_new (void)
{
  SottoIdentity *self = g_object_new (SOTTO_TYPE_IDENTITY, NULL);

  crypto_box_keypair (self->public.box_pk, self->secrets->box_sk);
  crypto_sign_keypair (self->public.sign_pk, self->secrets->sign_sk);
  sotto_identity_finish (self);

  return self;
}

/**
 * sotto_identity_new_from_seeds:
 * @box_seed: (array fixed-size=32): the seed of the box key pair
 * @sign_seed: (array fixed-size=32): the seed of the signing key pair
 *
 * Derives an identity deterministically from two seeds: an account's
 * (sotto_account_key_dup_identity()), and identities for tests and
 * known-answer vectors. A device's comes from sotto_identity_new().
 *
 * Returns: (transfer full): a new #SottoIdentity
 */
SottoIdentity *
sotto_identity_new_from_seeds (const guint8 *box_seed,
                               const guint8 *sign_seed)
{
  SottoIdentity *self;

  g_return_val_if_fail (box_seed != NULL, NULL);
  g_return_val_if_fail (sign_seed != NULL, NULL);

  self = g_object_new (SOTTO_TYPE_IDENTITY, NULL);
  crypto_box_seed_keypair (self->public.box_pk, self->secrets->box_sk, box_seed);
  crypto_sign_seed_keypair (self->public.sign_pk, self->secrets->sign_sk, sign_seed);
  sotto_identity_finish (self);

  return self;
}

/**
 * sotto_identity_get_public:
 * @self: a #SottoIdentity
 *
 * Returns: (transfer none): the public part, valid as long as @self
 */
const SottoPublicIdentity *
sotto_identity_get_public (SottoIdentity *self)
{
  g_return_val_if_fail (SOTTO_IS_IDENTITY (self), NULL);

  return &self->public;
}

/**
 * sotto_identity_seal:
 * @self: a #SottoIdentity
 * @password: the password that protects the identity on disk
 * @opslimit: Argon2id passes (%SOTTO_PWHASH_OPSLIMIT_DEFAULT)
 * @memlimit: Argon2id memory (%SOTTO_PWHASH_MEMLIMIT_DEFAULT)
 * @error: return location for a #GError
 *
 * Seals the secret and public keys with sotto_password_seal(). Slow by
 * design: run it in a thread.
 *
 * Returns: (transfer full): the sealed identity, or %NULL on error
 */
GBytes *
sotto_identity_seal (SottoIdentity  *self,
                     const char     *password,
                     guint64         opslimit,
                     gsize           memlimit,
                     GError        **error)
{
  g_autoptr(GBytes) plaintext = NULL;
  SottoE2eWriter writer = { 0 };

  g_return_val_if_fail (SOTTO_IS_IDENTITY (self), NULL);
  g_return_val_if_fail (password != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  plaintext = _sotto_e2e_secure_bytes_new (SEALED_LEN, &writer.data);
  writer.size = SEALED_LEN;
  _sotto_e2e_writer_put_u8 (&writer, SEALED_VERSION);
  _sotto_e2e_writer_put (&writer, self->secrets->box_sk, sizeof self->secrets->box_sk);
  _sotto_e2e_writer_put (&writer, self->secrets->sign_sk, sizeof self->secrets->sign_sk);
  _sotto_e2e_writer_put (&writer, &self->public, sizeof self->public);
  g_assert (writer.pos == writer.size);

  return sotto_password_seal (plaintext, password, opslimit, memlimit, error);
}

/* Recomputes both public keys from the secret keys. */
static gboolean
secrets_match_public (const Secrets             *secrets,
                      const SottoPublicIdentity *public)
{
  guint8 box_pk[crypto_box_PUBLICKEYBYTES];
  guint8 sign_pk[crypto_sign_PUBLICKEYBYTES];
  guint8 *seed;
  guint8 *sign_sk;
  gboolean ret;

  if (crypto_scalarmult_base (box_pk, secrets->box_sk) != 0)
    return FALSE;

  seed = _sotto_e2e_secure_alloc (crypto_sign_SEEDBYTES + crypto_sign_SECRETKEYBYTES);
  sign_sk = seed + crypto_sign_SEEDBYTES;
  crypto_sign_ed25519_sk_to_seed (seed, secrets->sign_sk);
  crypto_sign_seed_keypair (sign_pk, sign_sk, seed);

  ret = sodium_memcmp (box_pk, public->box_pk, sizeof box_pk) == 0 &&
        sodium_memcmp (sign_pk, public->sign_pk, sizeof sign_pk) == 0 &&
        sodium_memcmp (sign_sk, secrets->sign_sk, crypto_sign_SECRETKEYBYTES) == 0;
  sodium_free (seed);

  return ret;
}

/**
 * sotto_identity_unseal:
 * @sealed: a blob from sotto_identity_seal()
 * @password: the password
 * @error: return location for a #GError
 *
 * Opens a sealed identity and checks that the stored secret keys give the
 * stored public keys and that the binding verifies. Slow by design: run it
 * in a thread.
 *
 * Returns: (transfer full): the identity, or %NULL on error
 */
SottoIdentity *
sotto_identity_unseal (GBytes      *sealed,
                       const char  *password,
                       GError     **error)
{
  g_autoptr(SottoIdentity) self = NULL;
  g_autoptr(GBytes) plaintext = NULL;
  SottoE2eReader reader = { 0 };
  const guint8 *box_sk;
  const guint8 *sign_sk;
  const guint8 *public;
  guint8 version;

  g_return_val_if_fail (sealed != NULL, NULL);
  g_return_val_if_fail (password != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  plaintext = sotto_password_unseal (sealed, password, error);
  if (plaintext == NULL)
    return NULL;

  reader.data = _sotto_e2e_bytes_get_data (plaintext, &reader.size);
  if (!_sotto_e2e_reader_get_u8 (&reader, &version) ||
      version != SEALED_VERSION ||
      !_sotto_e2e_reader_get (&reader, &box_sk, crypto_box_SECRETKEYBYTES) ||
      !_sotto_e2e_reader_get (&reader, &sign_sk, crypto_sign_SECRETKEYBYTES) ||
      !_sotto_e2e_reader_get (&reader, &public, SOTTO_PUBLIC_IDENTITY_BYTES) ||
      !_sotto_e2e_reader_at_end (&reader))
    {
      g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT,
                           _("The sealed identity is in an unknown format"));
      return NULL;
    }

  self = g_object_new (SOTTO_TYPE_IDENTITY, NULL);
  memcpy (self->secrets->box_sk, box_sk, crypto_box_SECRETKEYBYTES);
  memcpy (self->secrets->sign_sk, sign_sk, crypto_sign_SECRETKEYBYTES);
  memcpy (&self->public, public, SOTTO_PUBLIC_IDENTITY_BYTES);
  sodium_mprotect_readonly (self->secrets);

  if (!secrets_match_public (self->secrets, &self->public))
    {
      g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_KEY_MISMATCH,
                           _("The sealed identity's secret keys do not match its public keys"));
      return NULL;
    }

  if (!sotto_public_identity_verify (&self->public, error))
    return NULL;

  return g_steal_pointer (&self);
}

void
_sotto_identity_sign (SottoIdentity *self,
                      const guint8  *message,
                      gsize          message_len,
                      guint8        *signature)
{
  g_assert (SOTTO_IS_IDENTITY (self));

  crypto_sign_detached (signature, NULL, message, message_len, self->secrets->sign_sk);
}

/* Fails only when @peer_box_pk is a degenerate (low order) point. */
gboolean
_sotto_identity_box (SottoIdentity *self,
                     const guint8  *peer_box_pk,
                     const guint8  *nonce,
                     const guint8  *message,
                     gsize          message_len,
                     guint8        *ciphertext)
{
  g_assert (SOTTO_IS_IDENTITY (self));

  return crypto_box_easy (ciphertext, message, message_len, nonce,
                          peer_box_pk, self->secrets->box_sk) == 0;
}

gboolean
_sotto_identity_box_open (SottoIdentity *self,
                          const guint8  *peer_box_pk,
                          const guint8  *nonce,
                          const guint8  *ciphertext,
                          gsize          ciphertext_len,
                          guint8        *message)
{
  g_assert (SOTTO_IS_IDENTITY (self));

  if (ciphertext_len < crypto_box_MACBYTES)
    return FALSE;

  return crypto_box_open_easy (message, ciphertext, ciphertext_len, nonce,
                               peer_box_pk, self->secrets->box_sk) == 0;
}

/* X25519 of the identity's box key and @peer_pk into @shared (32 bytes);
 * fails for a degenerate (low order) @peer_pk. */
gboolean
_sotto_identity_dh (SottoIdentity *self,
                    const guint8  *peer_pk,
                    guint8        *shared)
{
  g_assert (SOTTO_IS_IDENTITY (self));

  return crypto_scalarmult (shared, self->secrets->box_sk, peer_pk) == 0;
}

/**
 * sotto_public_identity_verify:
 * @self: a public identity
 * @error: return location for a #GError
 *
 * Checks that the box key is signed by the signing key. Run it on every
 * public identity received from the network before using it.
 *
 * Returns: %TRUE if the binding verifies
 */
gboolean
sotto_public_identity_verify (const SottoPublicIdentity  *self,
                              GError                    **error)
{
  guint8 message[BINDING_LABEL_LEN + crypto_box_PUBLICKEYBYTES];

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  binding_message (self->box_pk, message);
  if (crypto_sign_verify_detached (self->binding, message, sizeof message, self->sign_pk) != 0)
    {
      g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_BINDING,
                           _("The identity's keys are not signed by their owner"));
      return FALSE;
    }

  return TRUE;
}

/**
 * sotto_public_identity_equal:
 * @a: a public identity
 * @b: another public identity
 *
 * Compares the keys. The binding is not compared: two valid bindings of the
 * same keys name the same identity.
 *
 * Returns: %TRUE if both keys are the same
 */
gboolean
sotto_public_identity_equal (const SottoPublicIdentity *a,
                             const SottoPublicIdentity *b)
{
  g_return_val_if_fail (a != NULL, FALSE);
  g_return_val_if_fail (b != NULL, FALSE);

  return memcmp (a->box_pk, b->box_pk, sizeof a->box_pk) == 0 &&
         memcmp (a->sign_pk, b->sign_pk, sizeof a->sign_pk) == 0;
}

/**
 * sotto_public_identity_to_bytes:
 * @self: a public identity
 *
 * Returns: (transfer full): box_pk, sign_pk and binding, 128 bytes
 */
GBytes *
sotto_public_identity_to_bytes (const SottoPublicIdentity *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_bytes_new (self, sizeof *self);
}

/**
 * sotto_public_identity_from_bytes:
 * @bytes: 128 bytes from sotto_public_identity_to_bytes()
 * @out: (out caller-allocates): where to store the identity
 * @error: return location for a #GError
 *
 * Parses and verifies a public identity; @out is written only on success.
 *
 * Returns: %TRUE if @bytes is a public identity whose binding verifies
 */
gboolean
sotto_public_identity_from_bytes (GBytes               *bytes,
                                  SottoPublicIdentity  *out,
                                  GError              **error)
{
  SottoPublicIdentity parsed;
  const guint8 *data;
  gsize len;

  g_return_val_if_fail (bytes != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  data = _sotto_e2e_bytes_get_data (bytes, &len);
  if (len != sizeof parsed)
    {
      g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT,
                           _("A public identity has the wrong size"));
      return FALSE;
    }

  memcpy (&parsed, data, sizeof parsed);
  if (!sotto_public_identity_verify (&parsed, error))
    return FALSE;

  *out = parsed;

  return TRUE;
}
