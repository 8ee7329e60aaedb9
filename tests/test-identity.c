/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <sodium.h>
#include <string.h>

#include "sotto-e2e.h"
#include "sotto-identity-private.h"

/* Tests run Argon2id at its minimum cost to stay fast. */
#define TEST_OPSLIMIT SOTTO_PWHASH_OPSLIMIT_MIN
#define TEST_MEMLIMIT SOTTO_PWHASH_MEMLIMIT_MIN
#define PASSWORD "correct horse battery staple"

/* Offsets in the sealed blob header (sotto-password-seal.c). */
#define SEAL_OFFSET_OPSLIMIT 6
#define SEAL_OFFSET_MEMLIMIT 14

/* Offsets in the sealed identity payload (sotto-identity.c). */
#define PAYLOAD_LEN 225
#define PAYLOAD_BINDING (PAYLOAD_LEN - 64)

static GBytes *
bytes_with_change (GBytes *bytes,
                   gsize   position,
                   guint8  mask)
{
  gsize len = g_bytes_get_size (bytes);
  guint8 *copy = g_memdup2 (g_bytes_get_data (bytes, NULL), len);

  g_assert_cmpuint (position, <, len);
  copy[position] ^= mask;

  return g_bytes_new_take (copy, len);
}

static GBytes *
bytes_with_u64 (GBytes  *bytes,
                gsize    position,
                guint64  value)
{
  gsize len = g_bytes_get_size (bytes);
  guint8 *copy = g_memdup2 (g_bytes_get_data (bytes, NULL), len);

  g_assert_cmpuint (position + 8, <=, len);
  for (guint i = 0; i < 8; i++)
    copy[position + i] = (guint8) (value >> (56 - 8 * i));

  return g_bytes_new_take (copy, len);
}

/* Password seal */

static void
test_password_seal_round_trip (void)
{
  const char *texts[] = { "", "x", "a longer secret that spans a few blocks of the stream cipher" };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr(GBytes) plaintext = g_bytes_new_static (texts[i], strlen (texts[i]));
      g_autoptr(GBytes) sealed = NULL;
      g_autoptr(GBytes) sealed_again = NULL;
      g_autoptr(GBytes) opened = NULL;
      g_autoptr(GError) error = NULL;

      sealed = sotto_password_seal (plaintext, PASSWORD, TEST_OPSLIMIT, TEST_MEMLIMIT, &error);
      g_assert_no_error (error);
      g_assert_nonnull (sealed);
      g_assert_cmpuint (g_bytes_get_size (sealed), ==,
                        strlen (texts[i]) + SOTTO_PASSWORD_SEAL_OVERHEAD);

      /* A fresh salt and nonce every time. */
      sealed_again = sotto_password_seal (plaintext, PASSWORD, TEST_OPSLIMIT, TEST_MEMLIMIT,
                                          &error);
      g_assert_no_error (error);
      g_assert_false (g_bytes_equal (sealed, sealed_again));

      opened = sotto_password_unseal (sealed, PASSWORD, &error);
      g_assert_no_error (error);
      g_assert_true (g_bytes_equal (opened, plaintext));
    }
}

static void
test_password_seal_wrong_password (void)
{
  g_autoptr(GBytes) plaintext = g_bytes_new_static ("secret", 6);
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(GBytes) opened = NULL;
  g_autoptr(GError) error = NULL;
  const char *wrong[] = {
    "", "correct horse battery stapl", PASSWORD " ", "Correct horse battery staple",
  };

  sealed = sotto_password_seal (plaintext, PASSWORD, TEST_OPSLIMIT, TEST_MEMLIMIT, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (wrong); i++)
    {
      opened = sotto_password_unseal (sealed, wrong[i], &error);
      g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_PASSWORD);
      g_assert_null (opened);
      g_clear_error (&error);
    }
}

static void
test_password_seal_absurd_limits (void)
{
  g_autoptr(GBytes) plaintext = g_bytes_new_static ("secret", 6);
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(GError) error = NULL;
  const guint64 bad_opslimits[] = { 0, SOTTO_PWHASH_OPSLIMIT_MAX + 1, G_MAXUINT32, G_MAXUINT64 };
  const guint64 bad_memlimits[] = {
    0, SOTTO_PWHASH_MEMLIMIT_MIN - 1, (guint64) SOTTO_PWHASH_MEMLIMIT_MAX + 1,
    G_GUINT64_CONSTANT (100) << 30, G_MAXUINT64,
  };
  gint64 start;

  sealed = sotto_password_seal (plaintext, PASSWORD, TEST_OPSLIMIT, TEST_MEMLIMIT, &error);
  g_assert_no_error (error);

  /* Rejected from the header alone: nothing is allocated or computed. */
  start = g_get_monotonic_time ();

  for (guint i = 0; i < G_N_ELEMENTS (bad_opslimits); i++)
    {
      g_autoptr(GBytes) changed = bytes_with_u64 (sealed, SEAL_OFFSET_OPSLIMIT, bad_opslimits[i]);
      g_autoptr(GBytes) opened = sotto_password_unseal (changed, PASSWORD, &error);

      g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT);
      g_assert_null (opened);
      g_clear_error (&error);
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad_memlimits); i++)
    {
      g_autoptr(GBytes) changed = bytes_with_u64 (sealed, SEAL_OFFSET_MEMLIMIT, bad_memlimits[i]);
      g_autoptr(GBytes) opened = sotto_password_unseal (changed, PASSWORD, &error);

      g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT);
      g_assert_null (opened);
      g_clear_error (&error);
    }

  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
}

static void
test_password_seal_header_bound (void)
{
  g_autoptr(GBytes) plaintext = g_bytes_new_static ("secret", 6);
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(GBytes) changed = NULL;
  g_autoptr(GBytes) opened = NULL;
  g_autoptr(GError) error = NULL;

  sealed = sotto_password_seal (plaintext, PASSWORD, TEST_OPSLIMIT, TEST_MEMLIMIT, &error);
  g_assert_no_error (error);

  /* Argon2id counts memory in KiB, so one more byte derives the same hash:
   * only the binding of the header to the key catches the change.
   */
  changed = bytes_with_u64 (sealed, SEAL_OFFSET_MEMLIMIT, TEST_MEMLIMIT + 1);
  opened = sotto_password_unseal (changed, PASSWORD, &error);
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_PASSWORD);
  g_assert_null (opened);
}

static void
test_password_seal_bad_header (void)
{
  g_autoptr(GBytes) plaintext = g_bytes_new_static ("secret", 6);
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(GError) error = NULL;
  const gsize fixed_bytes[] = { 0, 1, 2, 3, 4, 5 };

  sealed = sotto_password_seal (plaintext, PASSWORD, TEST_OPSLIMIT, TEST_MEMLIMIT, &error);
  g_assert_no_error (error);

  /* Magic, version and algorithm. */
  for (guint i = 0; i < G_N_ELEMENTS (fixed_bytes); i++)
    {
      g_autoptr(GBytes) changed = bytes_with_change (sealed, fixed_bytes[i], 0x01);
      g_autoptr(GBytes) opened = sotto_password_unseal (changed, PASSWORD, &error);

      g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT);
      g_assert_null (opened);
      g_clear_error (&error);
    }
}

/* Identity */

static void
test_identity_generate (void)
{
  g_autoptr(SottoIdentity) a = sotto_identity_new ();
  g_autoptr(SottoIdentity) b = sotto_identity_new ();
  const SottoPublicIdentity *pa = sotto_identity_get_public (a);
  const SottoPublicIdentity *pb = sotto_identity_get_public (b);
  const guint8 zero[32] = { 0 };

  g_assert_true (memcmp (pa->box_pk, zero, 32) != 0);
  g_assert_true (memcmp (pa->sign_pk, zero, 32) != 0);
  g_assert_true (memcmp (pa->box_pk, pb->box_pk, 32) != 0);
  g_assert_true (memcmp (pa->sign_pk, pb->sign_pk, 32) != 0);
  g_assert_false (sotto_public_identity_equal (pa, pb));

  g_assert_finalize_object (g_steal_pointer (&a));
  g_assert_finalize_object (g_steal_pointer (&b));
}

static void
test_identity_binding (void)
{
  g_autoptr(SottoIdentity) identity = sotto_identity_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (sotto_public_identity_verify (sotto_identity_get_public (identity), &error));
  g_assert_no_error (error);
}

static void
test_identity_binding_tampered (void)
{
  g_autoptr(SottoIdentity) a = sotto_identity_new ();
  g_autoptr(SottoIdentity) b = sotto_identity_new ();
  SottoPublicIdentity mixed;
  g_autoptr(GError) error = NULL;

  /* Every bit of the public identity matters. */
  for (gsize i = 0; i < sizeof (SottoPublicIdentity) * 8; i++)
    {
      SottoPublicIdentity tampered = *sotto_identity_get_public (a);

      ((guint8 *) &tampered)[i / 8] ^= (guint8) (1 << (i % 8));
      g_assert_false (sotto_public_identity_verify (&tampered, &error));
      g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_BINDING);
      g_clear_error (&error);
    }

  /* Someone else's box key under our signing key. */
  mixed = *sotto_identity_get_public (a);
  memcpy (mixed.box_pk, sotto_identity_get_public (b)->box_pk, sizeof mixed.box_pk);
  g_assert_false (sotto_public_identity_verify (&mixed, &error));
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_BINDING);
  g_clear_error (&error);

  /* Someone else's binding. */
  mixed = *sotto_identity_get_public (a);
  memcpy (mixed.binding, sotto_identity_get_public (b)->binding, sizeof mixed.binding);
  g_assert_false (sotto_public_identity_verify (&mixed, &error));
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_BINDING);
}

static void
test_identity_equal (void)
{
  g_autoptr(SottoIdentity) a = sotto_identity_new ();
  g_autoptr(SottoIdentity) b = sotto_identity_new ();
  SottoPublicIdentity copy = *sotto_identity_get_public (a);
  SottoPublicIdentity changed;

  g_assert_true (sotto_public_identity_equal (sotto_identity_get_public (a), &copy));
  g_assert_true (sotto_public_identity_equal (&copy, &copy));
  g_assert_false (sotto_public_identity_equal (&copy, sotto_identity_get_public (b)));

  changed = copy;
  changed.box_pk[31] ^= 0x80;
  g_assert_false (sotto_public_identity_equal (&copy, &changed));

  changed = copy;
  changed.sign_pk[0] ^= 0x01;
  g_assert_false (sotto_public_identity_equal (&copy, &changed));

  /* The keys are the identity; the binding only vouches for them. */
  changed = copy;
  changed.binding[0] ^= 0x01;
  g_assert_true (sotto_public_identity_equal (&copy, &changed));
}

static void
test_identity_seeded (void)
{
  guint8 box_seed[SOTTO_IDENTITY_SEED_BYTES];
  guint8 sign_seed[SOTTO_IDENTITY_SEED_BYTES];
  guint8 box_pk[crypto_box_PUBLICKEYBYTES];
  guint8 box_sk[crypto_box_SECRETKEYBYTES];
  guint8 sign_pk[crypto_sign_PUBLICKEYBYTES];
  guint8 sign_sk[crypto_sign_SECRETKEYBYTES];
  g_autoptr(SottoIdentity) a = NULL;
  g_autoptr(SottoIdentity) b = NULL;
  g_autoptr(SottoIdentity) c = NULL;
  g_autoptr(GError) error = NULL;

  memset (box_seed, 0x11, sizeof box_seed);
  memset (sign_seed, 0x22, sizeof sign_seed);

  a = sotto_identity_new_from_seeds (box_seed, sign_seed);
  b = sotto_identity_new_from_seeds (box_seed, sign_seed);
  g_assert_true (sotto_public_identity_equal (sotto_identity_get_public (a),
                                              sotto_identity_get_public (b)));
  /* Ed25519 signatures are deterministic, so the binding is too. */
  g_assert_cmpmem (sotto_identity_get_public (a)->binding, 64,
                   sotto_identity_get_public (b)->binding, 64);
  g_assert_true (sotto_public_identity_verify (sotto_identity_get_public (a), &error));
  g_assert_no_error (error);

  crypto_box_seed_keypair (box_pk, box_sk, box_seed);
  crypto_sign_seed_keypair (sign_pk, sign_sk, sign_seed);
  g_assert_cmpmem (sotto_identity_get_public (a)->box_pk, 32, box_pk, sizeof box_pk);
  g_assert_cmpmem (sotto_identity_get_public (a)->sign_pk, 32, sign_pk, sizeof sign_pk);

  sign_seed[0] ^= 1;
  c = sotto_identity_new_from_seeds (box_seed, sign_seed);
  g_assert_cmpmem (sotto_identity_get_public (c)->box_pk, 32, box_pk, sizeof box_pk);
  g_assert_false (sotto_public_identity_equal (sotto_identity_get_public (a),
                                               sotto_identity_get_public (c)));

  sodium_memzero (box_sk, sizeof box_sk);
  sodium_memzero (sign_sk, sizeof sign_sk);
}

static void
test_identity_public_bytes (void)
{
  g_autoptr(SottoIdentity) identity = sotto_identity_new ();
  g_autoptr(GBytes) bytes = sotto_public_identity_to_bytes (sotto_identity_get_public (identity));
  g_autoptr(GBytes) tampered = NULL;
  g_autoptr(GBytes) shorter = NULL;
  g_autoptr(GBytes) longer = NULL;
  g_autoptr(GError) error = NULL;
  SottoPublicIdentity parsed;
  SottoPublicIdentity untouched;
  guint8 extra[SOTTO_PUBLIC_IDENTITY_BYTES + 1] = { 0 };

  g_assert_cmpuint (g_bytes_get_size (bytes), ==, SOTTO_PUBLIC_IDENTITY_BYTES);
  g_assert_true (sotto_public_identity_from_bytes (bytes, &parsed, &error));
  g_assert_no_error (error);
  g_assert_true (sotto_public_identity_equal (&parsed, sotto_identity_get_public (identity)));
  g_assert_cmpmem (parsed.binding, 64, sotto_identity_get_public (identity)->binding, 64);

  memset (&untouched, 0xaa, sizeof untouched);
  parsed = untouched;

  shorter = g_bytes_new_from_bytes (bytes, 0, SOTTO_PUBLIC_IDENTITY_BYTES - 1);
  g_assert_false (sotto_public_identity_from_bytes (shorter, &parsed, &error));
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT);
  g_clear_error (&error);

  memcpy (extra, g_bytes_get_data (bytes, NULL), SOTTO_PUBLIC_IDENTITY_BYTES);
  longer = g_bytes_new (extra, sizeof extra);
  g_assert_false (sotto_public_identity_from_bytes (longer, &parsed, &error));
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT);
  g_clear_error (&error);

  tampered = bytes_with_change (bytes, 5, 0x04);
  g_assert_false (sotto_public_identity_from_bytes (tampered, &parsed, &error));
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_BINDING);

  /* Failures leave the output alone. */
  g_assert_cmpmem (&parsed, sizeof parsed, &untouched, sizeof untouched);
}

typedef struct
{
  SottoIdentity *identity;
  GBytes *sealed;
} SealedFixture;

static void
sealed_fixture_setup (SealedFixture *fixture,
                      gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;

  fixture->identity = sotto_identity_new ();
  fixture->sealed = sotto_identity_seal (fixture->identity, PASSWORD,
                                         TEST_OPSLIMIT, TEST_MEMLIMIT, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fixture->sealed);
}

static void
sealed_fixture_teardown (SealedFixture *fixture,
                         gconstpointer  user_data)
{
  g_clear_pointer (&fixture->sealed, g_bytes_unref);
  g_assert_finalize_object (g_steal_pointer (&fixture->identity));
}

static void
test_identity_seal_round_trip (SealedFixture *fixture,
                               gconstpointer  user_data)
{
  const SottoPublicIdentity *original = sotto_identity_get_public (fixture->identity);
  g_autoptr(SottoIdentity) peer = sotto_identity_new ();
  g_autoptr(SottoIdentity) opened = NULL;
  g_autoptr(GError) error = NULL;
  const SottoPublicIdentity *restored;
  guint8 signature[crypto_sign_BYTES];
  guint8 nonce[crypto_box_NONCEBYTES];
  guint8 boxed[crypto_box_MACBYTES + 5];
  guint8 unboxed[5];

  g_assert_cmpuint (g_bytes_get_size (fixture->sealed), ==,
                    PAYLOAD_LEN + SOTTO_PASSWORD_SEAL_OVERHEAD);

  opened = sotto_identity_unseal (fixture->sealed, PASSWORD, &error);
  g_assert_no_error (error);
  g_assert_nonnull (opened);

  restored = sotto_identity_get_public (opened);
  g_assert_true (sotto_public_identity_equal (restored, original));
  g_assert_cmpmem (restored->binding, 64, original->binding, 64);

  /* The secret keys came back too: signatures verify, boxes open. */
  _sotto_identity_sign (opened, (const guint8 *) "hello", 5, signature);
  g_assert_cmpint (crypto_sign_verify_detached (signature, (const guint8 *) "hello", 5,
                                                original->sign_pk), ==, 0);

  randombytes_buf (nonce, sizeof nonce);
  g_assert_true (_sotto_identity_box (opened, sotto_identity_get_public (peer)->box_pk, nonce,
                                      (const guint8 *) "hello", 5, boxed));
  g_assert_true (_sotto_identity_box_open (peer, original->box_pk, nonce,
                                           boxed, sizeof boxed, unboxed));
  g_assert_cmpmem (unboxed, 5, "hello", 5);

  g_assert_finalize_object (g_steal_pointer (&opened));
}

static void
test_identity_wrong_password (SealedFixture *fixture,
                              gconstpointer  user_data)
{
  g_autoptr(SottoIdentity) opened = NULL;
  g_autoptr(GError) error = NULL;

  opened = sotto_identity_unseal (fixture->sealed, "not the password", &error);
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_PASSWORD);
  g_assert_null (opened);
}

static void
assert_sealed_rejected (GBytes *sealed)
{
  g_autoptr(SottoIdentity) opened = NULL;
  g_autoptr(GError) error = NULL;

  opened = sotto_identity_unseal (sealed, PASSWORD, &error);
  g_assert_null (opened);
  g_assert_nonnull (error);
  g_assert_true (g_error_matches (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT) ||
                 g_error_matches (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_PASSWORD));
}

static void
test_identity_sealed_truncated (SealedFixture *fixture,
                                gconstpointer  user_data)
{
  gsize len = g_bytes_get_size (fixture->sealed);
  g_autofree guint8 *longer = g_malloc0 (len + 1);
  g_autoptr(GBytes) extended = NULL;

  for (gsize i = 0; i < len; i++)
    {
      g_autoptr(GBytes) truncated = g_bytes_new_from_bytes (fixture->sealed, 0, i);

      assert_sealed_rejected (truncated);
    }

  memcpy (longer, g_bytes_get_data (fixture->sealed, NULL), len);
  extended = g_bytes_new (longer, len + 1);
  assert_sealed_rejected (extended);
}

static void
test_identity_sealed_bit_flip (SealedFixture *fixture,
                               gconstpointer  user_data)
{
  gsize len = g_bytes_get_size (fixture->sealed);

  for (gsize i = 0; i < len * 8; i++)
    {
      g_autoptr(GBytes) flipped = bytes_with_change (fixture->sealed, i / 8,
                                                     (guint8) (1 << (i % 8)));

      assert_sealed_rejected (flipped);
    }
}

/* A sealer that wrote inconsistent keys is caught after decryption. */
static void
test_identity_sealed_payload_checked (SealedFixture *fixture,
                                      gconstpointer  user_data)
{
  g_autoptr(GBytes) payload = NULL;
  g_autoptr(GError) error = NULL;
  gsize len;

  payload = sotto_password_unseal (fixture->sealed, PASSWORD, &error);
  g_assert_no_error (error);
  len = g_bytes_get_size (payload);
  g_assert_cmpuint (len, ==, PAYLOAD_LEN);

  for (gsize i = 0; i < len; i++)
    {
      /* Bit 4 is never one of the bits X25519 clamps away. */
      g_autoptr(GBytes) changed = bytes_with_change (payload, i, 0x10);
      g_autoptr(GBytes) resealed = NULL;
      g_autoptr(SottoIdentity) opened = NULL;

      resealed = sotto_password_seal (changed, PASSWORD, TEST_OPSLIMIT, TEST_MEMLIMIT, &error);
      g_assert_no_error (error);

      opened = sotto_identity_unseal (resealed, PASSWORD, &error);
      g_assert_null (opened);
      if (i == 0)
        g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT);
      else if (i >= PAYLOAD_BINDING)
        g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_BINDING);
      else
        g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_KEY_MISMATCH);
      g_clear_error (&error);
    }

  for (gsize cut = 0; cut <= len + 1; cut++)
    {
      g_autofree guint8 *data = g_malloc0 (len + 1);
      g_autoptr(GBytes) resized = NULL;
      g_autoptr(GBytes) resealed = NULL;
      g_autoptr(SottoIdentity) opened = NULL;

      if (cut == len)
        continue;

      memcpy (data, g_bytes_get_data (payload, NULL), MIN (cut, len));
      resized = g_bytes_new (data, cut);
      resealed = sotto_password_seal (resized, PASSWORD, TEST_OPSLIMIT, TEST_MEMLIMIT, &error);
      g_assert_no_error (error);

      opened = sotto_identity_unseal (resealed, PASSWORD, &error);
      g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT);
      g_assert_null (opened);
      g_clear_error (&error);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  if (sodium_init () < 0)
    g_error ("sodium_init failed");

  g_test_add_func ("/sotto/e2e/password-seal/round-trip", test_password_seal_round_trip);
  g_test_add_func ("/sotto/e2e/password-seal/wrong-password", test_password_seal_wrong_password);
  g_test_add_func ("/sotto/e2e/password-seal/absurd-limits", test_password_seal_absurd_limits);
  g_test_add_func ("/sotto/e2e/password-seal/header-bound", test_password_seal_header_bound);
  g_test_add_func ("/sotto/e2e/password-seal/bad-header", test_password_seal_bad_header);

  g_test_add_func ("/sotto/e2e/identity/generate", test_identity_generate);
  g_test_add_func ("/sotto/e2e/identity/binding", test_identity_binding);
  g_test_add_func ("/sotto/e2e/identity/binding-tampered", test_identity_binding_tampered);
  g_test_add_func ("/sotto/e2e/identity/equal", test_identity_equal);
  g_test_add_func ("/sotto/e2e/identity/seeded", test_identity_seeded);
  g_test_add_func ("/sotto/e2e/identity/public-bytes", test_identity_public_bytes);

  g_test_add ("/sotto/e2e/identity/seal-round-trip", SealedFixture, NULL,
              sealed_fixture_setup, test_identity_seal_round_trip, sealed_fixture_teardown);
  g_test_add ("/sotto/e2e/identity/wrong-password", SealedFixture, NULL,
              sealed_fixture_setup, test_identity_wrong_password, sealed_fixture_teardown);
  g_test_add ("/sotto/e2e/identity/sealed-truncated", SealedFixture, NULL,
              sealed_fixture_setup, test_identity_sealed_truncated, sealed_fixture_teardown);
  g_test_add ("/sotto/e2e/identity/sealed-bit-flip", SealedFixture, NULL,
              sealed_fixture_setup, test_identity_sealed_bit_flip, sealed_fixture_teardown);
  g_test_add ("/sotto/e2e/identity/sealed-payload-checked", SealedFixture, NULL,
              sealed_fixture_setup, test_identity_sealed_payload_checked, sealed_fixture_teardown);

  return g_test_run ();
}
