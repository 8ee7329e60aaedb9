/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-e2e-private.h"
#include "sotto-identity-private.h"
#include "sotto-prekey-private.h"

/*
 * Prekeys, for boxing to someone who is not online without using their
 * long-term key alone: the recipient publishes a signed prekey, rotated,
 * and one-time prekeys, in a bundle; boxes sealed to them are
 * sotto-prekey-box.c's.
 *
 * A bundle:
 *
 *   version (1) | identity: box_pk (32), sign_pk (32), binding (64) |
 *   signed prekey id (4) | created at (8) | public key (32) |
 *   signature (64) | one-time flag (1) [| one-time id (4) | public key (32)]
 *
 * The signature is the identity's Ed25519 signature of a label, the id,
 * the time and the public key.
 */

#define PREKEY_VERSION 1
#define BUNDLE_VERSION 1
#define SIGNED_LABEL "sotto signed prekey v1"
#define SERIALIZED_BYTES (1 + 4 + 8 + 32 + 32)

G_STATIC_ASSERT (crypto_scalarmult_BYTES == 32);

typedef struct
{
  guint8 secret[32];
} PrekeySecret;

struct _SottoPrekey
{
  GObject       parent_instance;

  guint32       id;
  gint64        created_at;
  guint8        public_key[SOTTO_PREKEY_PUBLIC_BYTES];
  /* sodium_malloc()ed. */
  PrekeySecret *secret;
};

G_DEFINE_FINAL_TYPE (SottoPrekey, sotto_prekey, G_TYPE_OBJECT)

static void
sotto_prekey_finalize (GObject *object)
{
  SottoPrekey *self = SOTTO_PREKEY (object);

  g_clear_pointer (&self->secret, sodium_free);

  G_OBJECT_CLASS (sotto_prekey_parent_class)->finalize (object);
}

static void
sotto_prekey_class_init (SottoPrekeyClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sotto_prekey_finalize;
}

static void
sotto_prekey_init (SottoPrekey *self)
{
  self->secret = _sotto_e2e_secure_alloc (sizeof *self->secret);
}

/**
 * sotto_prekey_new:
 * @id: its id among the owner's prekeys, not 0
 * @created_at: when it is made, ms since the epoch
 *
 * Returns: (transfer full): a new prekey pair
 */
SottoPrekey *
sotto_prekey_new (guint32 id,
                  gint64  created_at)
{
  SottoPrekey *self;

  g_return_val_if_fail (id != 0, NULL);

  self = g_object_new (SOTTO_TYPE_PREKEY, NULL);
  self->id = id;
  self->created_at = created_at;
  crypto_box_keypair (self->public_key, self->secret->secret);

  return self;
}

/**
 * sotto_prekey_new_from_seed:
 * @seed: 32 bytes the key pair is made from
 *
 * As sotto_prekey_new(), the same pair every time for one @seed: for
 * tests and fuzzing, which need to be repeatable.
 *
 * Returns: (transfer full): a prekey pair
 */
SottoPrekey *
sotto_prekey_new_from_seed (guint32       id,
                            gint64        created_at,
                            const guint8 *seed)
{
  SottoPrekey *self;

  g_return_val_if_fail (id != 0, NULL);
  g_return_val_if_fail (seed != NULL, NULL);

  self = g_object_new (SOTTO_TYPE_PREKEY, NULL);
  self->id = id;
  self->created_at = created_at;
  crypto_box_seed_keypair (self->public_key, self->secret->secret, seed);

  return self;
}

guint32
sotto_prekey_get_id (SottoPrekey *self)
{
  g_return_val_if_fail (SOTTO_IS_PREKEY (self), 0);
  return self->id;
}

gint64
sotto_prekey_get_created_at (SottoPrekey *self)
{
  g_return_val_if_fail (SOTTO_IS_PREKEY (self), 0);
  return self->created_at;
}

const guint8 *
sotto_prekey_get_public (SottoPrekey *self)
{
  g_return_val_if_fail (SOTTO_IS_PREKEY (self), NULL);
  return self->public_key;
}

/**
 * sotto_prekey_serialize:
 *
 * Returns: (transfer full): the prekey with its secret, in secure memory,
 *   for the owner's encrypted store
 */
GBytes *
sotto_prekey_serialize (SottoPrekey *self)
{
  SottoE2eWriter writer = { 0 };
  GBytes *bytes;
  guint8 u64[8];

  g_return_val_if_fail (SOTTO_IS_PREKEY (self), NULL);

  writer.size = SERIALIZED_BYTES;
  bytes = _sotto_e2e_secure_bytes_new (writer.size, &writer.data);
  _sotto_e2e_writer_put_u8 (&writer, PREKEY_VERSION);
  _sotto_e2e_writer_put_u32 (&writer, self->id);
  _sotto_e2e_put_u64 (u64, (guint64) self->created_at);
  _sotto_e2e_writer_put (&writer, u64, sizeof u64);
  _sotto_e2e_writer_put (&writer, self->secret->secret, sizeof self->secret->secret);
  _sotto_e2e_writer_put (&writer, self->public_key, sizeof self->public_key);
  g_assert (writer.pos == writer.size);

  return bytes;
}

/**
 * sotto_prekey_deserialize:
 *
 * Reads what sotto_prekey_serialize() wrote; the public key must be the
 * secret key's.
 *
 * Returns: (transfer full): the prekey, or %NULL with @error set
 */
SottoPrekey *
sotto_prekey_deserialize (GBytes  *serialized,
                          GError **error)
{
  g_autoptr(SottoPrekey) self = NULL;
  SottoE2eReader reader = { 0 };
  const guint8 *p, *secret, *public_key;
  guint8 version = 0;
  guint32 id = 0;
  guint8 check[32];

  g_return_val_if_fail (serialized != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  reader.data = _sotto_e2e_bytes_get_data (serialized, &reader.size);
  if (reader.size != SERIALIZED_BYTES ||
      !_sotto_e2e_reader_get_u8 (&reader, &version) || version != PREKEY_VERSION ||
      !_sotto_e2e_reader_get_u32 (&reader, &id) || id == 0 ||
      !_sotto_e2e_reader_get (&reader, &p, 8) ||
      !_sotto_e2e_reader_get (&reader, &secret, 32) ||
      !_sotto_e2e_reader_get (&reader, &public_key, 32))
    {
      g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT,
                           _("The stored prekey is damaged or in an unknown format"));
      return NULL;
    }

  if (crypto_scalarmult_base (check, secret) != 0 ||
      sodium_memcmp (check, public_key, sizeof check) != 0)
    {
      g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_KEY_MISMATCH,
                           _("The stored prekey does not match its public key"));
      return NULL;
    }

  self = g_object_new (SOTTO_TYPE_PREKEY, NULL);
  self->id = id;
  self->created_at = (gint64) _sotto_e2e_get_u64 (p);
  memcpy (self->secret->secret, secret, sizeof self->secret->secret);
  memcpy (self->public_key, public_key, sizeof self->public_key);

  return g_steal_pointer (&self);
}

/* What the owner signs of a signed prekey, at most 96 bytes. */
#define SIGNED_INPUT_MAX 96
G_STATIC_ASSERT (sizeof SIGNED_LABEL - 1 + 12 + 32 <= SIGNED_INPUT_MAX);

static void
signed_input (guint32       id,
              gint64        created_at,
              const guint8 *public_key,
              guint8       *out,
              gsize        *len)
{
  gsize label = strlen (SIGNED_LABEL);

  memcpy (out, SIGNED_LABEL, label);
  _sotto_e2e_put_u32 (out + label, id);
  _sotto_e2e_put_u64 (out + label + 4, (guint64) created_at);
  memcpy (out + label + 12, public_key, 32);
  *len = label + 12 + 32;
}

/**
 * sotto_prekey_bundle_make:
 * @owner: whose bundle it is
 * @signed_prekey: the owner's current signed prekey
 * @one_time: (nullable): a one-time prekey to go with it
 *
 * Returns: (transfer full): the bundle, signed, as others decode it
 */
GBytes *
sotto_prekey_bundle_make (SottoIdentity *owner,
                          SottoPrekey   *signed_prekey,
                          SottoPrekey   *one_time)
{
  const SottoPublicIdentity *identity;
  SottoE2eWriter writer = { 0 };
  guint8 input[SIGNED_INPUT_MAX];
  guint8 signature[64];
  guint8 u64[8];
  gsize input_len;

  g_return_val_if_fail (SOTTO_IS_IDENTITY (owner), NULL);
  g_return_val_if_fail (SOTTO_IS_PREKEY (signed_prekey), NULL);
  g_return_val_if_fail (one_time == NULL || SOTTO_IS_PREKEY (one_time), NULL);

  identity = sotto_identity_get_public (owner);
  signed_input (signed_prekey->id, signed_prekey->created_at, signed_prekey->public_key, input,
                &input_len);
  _sotto_identity_sign (owner, input, input_len, signature);

  writer.size = one_time != NULL ? SOTTO_PREKEY_BUNDLE_ONE_TIME_BYTES : SOTTO_PREKEY_BUNDLE_BYTES;
  writer.data = g_malloc (writer.size);
  _sotto_e2e_writer_put_u8 (&writer, BUNDLE_VERSION);
  _sotto_e2e_writer_put (&writer, identity->box_pk, sizeof identity->box_pk);
  _sotto_e2e_writer_put (&writer, identity->sign_pk, sizeof identity->sign_pk);
  _sotto_e2e_writer_put (&writer, identity->binding, sizeof identity->binding);
  _sotto_e2e_writer_put_u32 (&writer, signed_prekey->id);
  _sotto_e2e_put_u64 (u64, (guint64) signed_prekey->created_at);
  _sotto_e2e_writer_put (&writer, u64, sizeof u64);
  _sotto_e2e_writer_put (&writer, signed_prekey->public_key, sizeof signed_prekey->public_key);
  _sotto_e2e_writer_put (&writer, signature, sizeof signature);
  _sotto_e2e_writer_put_u8 (&writer, one_time != NULL ? 1 : 0);
  if (one_time != NULL)
    {
      _sotto_e2e_writer_put_u32 (&writer, one_time->id);
      _sotto_e2e_writer_put (&writer, one_time->public_key, sizeof one_time->public_key);
    }
  g_assert (writer.pos == writer.size);

  return g_bytes_new_take (writer.data, writer.size);
}

/**
 * sotto_prekey_bundle_decode:
 * @bundle: (out caller-allocates): the bundle
 *
 * Reads a bundle strictly and checks it: the identity's binding, and the
 * signed prekey's signature by that identity.
 *
 * Returns: %TRUE if @bytes is a good bundle
 */
gboolean
sotto_prekey_bundle_decode (GBytes             *bytes,
                           SottoPrekeyBundle  *bundle,
                           GError            **error)
{
  SottoE2eReader reader = { 0 };
  const guint8 *p;
  guint8 version = 0, flag = 0;
  guint8 input[SIGNED_INPUT_MAX];
  gsize input_len;

  g_return_val_if_fail (bytes != NULL, FALSE);
  g_return_val_if_fail (bundle != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  memset (bundle, 0, sizeof *bundle);
  reader.data = _sotto_e2e_bytes_get_data (bytes, &reader.size);
  if (!_sotto_e2e_reader_get_u8 (&reader, &version) || version != BUNDLE_VERSION ||
      !_sotto_e2e_reader_get (&reader, &p, 32))
    goto bad_format;
  memcpy (bundle->identity.box_pk, p, 32);
  if (!_sotto_e2e_reader_get (&reader, &p, 32))
    goto bad_format;
  memcpy (bundle->identity.sign_pk, p, 32);
  if (!_sotto_e2e_reader_get (&reader, &p, 64))
    goto bad_format;
  memcpy (bundle->identity.binding, p, 64);
  if (!_sotto_e2e_reader_get_u32 (&reader, &bundle->signed_id) || bundle->signed_id == 0 ||
      !_sotto_e2e_reader_get (&reader, &p, 8))
    goto bad_format;
  bundle->signed_created_at = (gint64) _sotto_e2e_get_u64 (p);
  if (!_sotto_e2e_reader_get (&reader, &p, 32))
    goto bad_format;
  memcpy (bundle->signed_public, p, 32);
  if (!_sotto_e2e_reader_get (&reader, &p, 64))
    goto bad_format;
  memcpy (bundle->signature, p, 64);
  if (!_sotto_e2e_reader_get_u8 (&reader, &flag) || flag > 1)
    goto bad_format;
  bundle->has_one_time = flag == 1;
  if (bundle->has_one_time)
    {
      if (!_sotto_e2e_reader_get_u32 (&reader, &bundle->one_time_id) ||
          bundle->one_time_id == 0 || !_sotto_e2e_reader_get (&reader, &p, 32))
        goto bad_format;
      memcpy (bundle->one_time_public, p, 32);
    }
  if (reader.pos != reader.size)
    goto bad_format;

  if (!sotto_public_identity_verify (&bundle->identity, error))
    {
      memset (bundle, 0, sizeof *bundle);
      return FALSE;
    }

  signed_input (bundle->signed_id, bundle->signed_created_at, bundle->signed_public, input,
                &input_len);
  if (crypto_sign_verify_detached (bundle->signature, input, input_len,
                                   bundle->identity.sign_pk) != 0)
    {
      memset (bundle, 0, sizeof *bundle);
      g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_SIGNATURE,
                           _("The prekey is not signed by its owner"));
      return FALSE;
    }

  return TRUE;

bad_format:
  memset (bundle, 0, sizeof *bundle);
  g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT,
                       _("The prekey bundle is damaged or in an unknown format"));
  return FALSE;
}

/* X25519 of a prekey's secret and @peer_pk. */
gboolean
_sotto_prekey_dh (SottoPrekey  *prekey,
                  const guint8 *peer_pk,
                  guint8       *shared)
{
  return crypto_scalarmult (shared, prekey->secret->secret, peer_pk) == 0;
}

/**
 * sotto_prekey_one_time_encode:
 * @self: a one-time prekey of ours
 *
 * Returns: (transfer full): its id and public key, as published
 *   (%SOTTO_PREKEY_ONE_TIME_BYTES)
 */
GBytes *
sotto_prekey_one_time_encode (SottoPrekey *self)
{
  guint8 *data;

  g_return_val_if_fail (SOTTO_IS_PREKEY (self), NULL);

  data = g_malloc (SOTTO_PREKEY_ONE_TIME_BYTES);
  _sotto_e2e_put_u32 (data, self->id);
  memcpy (data + 4, self->public_key, sizeof self->public_key);

  return g_bytes_new_take (data, SOTTO_PREKEY_ONE_TIME_BYTES);
}

/**
 * sotto_prekey_bundle_add_one_time:
 * @bundle: a bundle without a one-time prekey, from
 *   sotto_prekey_bundle_decode()
 * @one_time: a one-time prekey as published (id and public key), which
 *   the server hands out beside the bundle
 *
 * Returns: %TRUE if @one_time is well formed and now part of @bundle
 */
gboolean
sotto_prekey_bundle_add_one_time (SottoPrekeyBundle  *bundle,
                                  GBytes             *one_time,
                                  GError            **error)
{
  const guint8 *data;
  gsize len;

  g_return_val_if_fail (bundle != NULL, FALSE);
  g_return_val_if_fail (one_time != NULL, FALSE);

  data = _sotto_e2e_bytes_get_data (one_time, &len);
  if (len != SOTTO_PREKEY_ONE_TIME_BYTES || _sotto_e2e_get_u32 (data) == 0)
    {
      g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT,
                           _("The one-time prekey is damaged or in an unknown format"));
      return FALSE;
    }

  bundle->has_one_time = TRUE;
  bundle->one_time_id = _sotto_e2e_get_u32 (data);
  memcpy (bundle->one_time_public, data + 4, sizeof bundle->one_time_public);
  return TRUE;
}
