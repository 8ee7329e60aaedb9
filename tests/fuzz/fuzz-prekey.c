/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sodium.h>
#include <string.h>

#include "sotto-e2e.h"

/*
 * Prekey bundles and boxes. The first byte picks the mode:
 *
 *   0  the rest is a bundle: it decodes or fails with an error of
 *      SOTTO_E2E_ERROR; one that decodes is the size its flag says, with
 *      ids that are not 0
 *   1  the rest is a box for Bob from Alice: it opens with Bob's prekeys
 *      or fails with an error of SOTTO_E2E_ERROR, never anything else
 *   2  the rest is a plaintext: sealed to Bob's bundle it opens to the
 *      same bytes, and flipping the bit the second byte picks makes it
 *      fail
 */

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static SottoIdentity *alice;
static SottoIdentity *bob;
static SottoPrekey *bob_signed;
static SottoPrekey *bob_one_time;
static SottoPrekeyBundle bob_bundle;

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  guint8 seed_a[32], seed_b[32];
  g_autoptr(GBytes) bundle = NULL;

  g_assert_cmpint (sodium_init (), >=, 0);
  memset (seed_a, 0x11, sizeof seed_a);
  memset (seed_b, 0x22, sizeof seed_b);
  alice = sotto_identity_new_from_seeds (seed_a, seed_b);
  memset (seed_a, 0x33, sizeof seed_a);
  memset (seed_b, 0x44, sizeof seed_b);
  bob = sotto_identity_new_from_seeds (seed_a, seed_b);
  memset (seed_a, 0x55, sizeof seed_a);
  bob_signed = sotto_prekey_new_from_seed (7, 1700000000000, seed_a);
  memset (seed_a, 0x66, sizeof seed_a);
  bob_one_time = sotto_prekey_new_from_seed (1001, 1700000000000, seed_a);

  bundle = sotto_prekey_bundle_make (bob, bob_signed, bob_one_time);
  g_assert_true (sotto_prekey_bundle_decode (bundle, &bob_bundle, NULL));

  return 0;
}

static SottoPrekey *
lookup_cb (guint32  id,
           gboolean one_time,
           gpointer user_data)
{
  if (!one_time && id == sotto_prekey_get_id (bob_signed))
    return g_object_ref (bob_signed);
  if (one_time && id == sotto_prekey_get_id (bob_one_time))
    return g_object_ref (bob_one_time);
  return NULL;
}

static void
fuzz_bundle (GBytes *input)
{
  SottoPrekeyBundle bundle;
  g_autoptr(GError) error = NULL;

  if (!sotto_prekey_bundle_decode (input, &bundle, &error))
    {
      g_assert_true (error != NULL && error->domain == SOTTO_E2E_ERROR);
      return;
    }

  g_assert_no_error (error);
  g_assert_cmpuint (bundle.signed_id, !=, 0);
  g_assert_cmpuint (g_bytes_get_size (input), ==,
                    bundle.has_one_time ? SOTTO_PREKEY_BUNDLE_ONE_TIME_BYTES
                                        : SOTTO_PREKEY_BUNDLE_BYTES);
  g_assert_true (!bundle.has_one_time || bundle.one_time_id != 0);
}

static void
fuzz_open (GBytes *input)
{
  g_autoptr(GBytes) opened = NULL;
  g_autoptr(GError) error = NULL;

  opened = sotto_prekey_open (bob, sotto_identity_get_public (alice), lookup_cb, NULL, NULL,
                              input, &error);
  if (opened == NULL)
    g_assert_true (error != NULL && error->domain == SOTTO_E2E_ERROR);
  else
    g_assert_no_error (error);
}

static void
fuzz_round_trip (const guint8 *data,
                 gsize         size)
{
  g_autoptr(GBytes) plain = NULL;
  g_autoptr(GBytes) box = NULL;
  g_autoptr(GBytes) opened = NULL;
  g_autoptr(GBytes) flipped_box = NULL;
  g_autoptr(GBytes) refused = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *flipped = NULL;
  guint8 which = size > 0 ? data[0] : 0;
  gsize box_len;

  plain = g_bytes_new (size > 0 ? data + 1 : data, size > 0 ? size - 1 : 0);
  box = sotto_prekey_seal (alice, &bob_bundle, NULL, plain, &error);
  g_assert_no_error (error);
  opened = sotto_prekey_open (bob, sotto_identity_get_public (alice), lookup_cb, NULL, NULL, box,
                              &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (opened, plain));

  flipped = g_memdup2 (g_bytes_get_data (box, &box_len), box_len);
  flipped[which % box_len] ^= (guint8) (1 << (which % 8));
  flipped_box = g_bytes_new (flipped, box_len);
  refused = sotto_prekey_open (bob, sotto_identity_get_public (alice), lookup_cb, NULL, NULL,
                               flipped_box, &error);
  g_assert_null (refused);
  g_assert_true (error != NULL && error->domain == SOTTO_E2E_ERROR);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GBytes) rest = NULL;

  if (size == 0 || size > 8192)
    return 0;

  switch (data[0] % 3)
    {
    case 0:
      rest = g_bytes_new (data + 1, size - 1);
      fuzz_bundle (rest);
      break;
    case 1:
      rest = g_bytes_new (data + 1, size - 1);
      fuzz_open (rest);
      break;
    default:
      fuzz_round_trip (data + 1, size - 1);
      break;
    }

  return 0;
}
