/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <sodium.h>
#include <string.h>

#include "sotto-e2e.h"

static SottoIdentity *
identity_from_seed_byte (guint8 seed_byte)
{
  guint8 box_seed[SOTTO_IDENTITY_SEED_BYTES];
  guint8 sign_seed[SOTTO_IDENTITY_SEED_BYTES];

  for (guint i = 0; i < SOTTO_IDENTITY_SEED_BYTES; i++)
    {
      box_seed[i] = (guint8) (seed_byte + i);
      sign_seed[i] = (guint8) (seed_byte + 0x80 + i);
    }

  return sotto_identity_new_from_seeds (box_seed, sign_seed);
}

typedef struct
{
  SottoIdentity *alice;
  SottoIdentity *bob;
  SottoIdentity *carol;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  user_data)
{
  fixture->alice = identity_from_seed_byte (0x00);
  fixture->bob = identity_from_seed_byte (0x20);
  fixture->carol = identity_from_seed_byte (0x40);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  user_data)
{
  g_assert_finalize_object (g_steal_pointer (&fixture->alice));
  g_assert_finalize_object (g_steal_pointer (&fixture->bob));
  g_assert_finalize_object (g_steal_pointer (&fixture->carol));
}

static char *
number_for (const char    *user_a,
            SottoIdentity *a,
            const char    *user_b,
            SottoIdentity *b)
{
  return sotto_safety_number (user_a, sotto_identity_get_public (a),
                              user_b, sotto_identity_get_public (b));
}

static void
test_safety_number_symmetric (Fixture       *fixture,
                              gconstpointer  user_data)
{
  g_autofree char *ab = number_for ("alice", fixture->alice, "bob", fixture->bob);
  g_autofree char *ba = number_for ("bob", fixture->bob, "alice", fixture->alice);

  g_assert_cmpstr (ab, ==, ba);
}

static void
test_safety_number_format (Fixture       *fixture,
                           gconstpointer  user_data)
{
  g_autofree char *number = number_for ("alice", fixture->alice, "bob", fixture->bob);
  g_auto(GStrv) groups = g_strsplit (number, " ", -1);

  g_assert_cmpuint (strlen (number), ==, SOTTO_SAFETY_NUMBER_LENGTH);
  g_assert_cmpuint (g_strv_length (groups), ==, 12);

  for (guint i = 0; groups[i] != NULL; i++)
    {
      g_assert_cmpuint (strlen (groups[i]), ==, 5);
      for (guint j = 0; j < 5; j++)
        g_assert_true (g_ascii_isdigit (groups[i][j]));
    }
}

static void
test_safety_number_key_change (Fixture       *fixture,
                               gconstpointer  user_data)
{
  const SottoPublicIdentity *alice = sotto_identity_get_public (fixture->alice);
  const SottoPublicIdentity *bob = sotto_identity_get_public (fixture->bob);
  g_autofree char *reference = sotto_safety_number ("alice", alice, "bob", bob);
  g_autoptr(SottoIdentity) new_bob = sotto_identity_new ();
  g_autofree char *renamed = NULL;
  g_autofree char *new_device = NULL;

  /* Any bit of either key, on either side. */
  for (gsize i = 0; i < 2 * 32 * 8; i++)
    {
      for (guint side = 0; side < 2; side++)
        {
          SottoPublicIdentity changed = side == 0 ? *alice : *bob;
          guint8 *keys = changed.box_pk;
          g_autofree char *number = NULL;

          G_STATIC_ASSERT (G_STRUCT_OFFSET (SottoPublicIdentity, sign_pk) == 32);
          keys[i / 8] ^= (guint8) (1 << (i % 8));

          if (side == 0)
            number = sotto_safety_number ("alice", &changed, "bob", bob);
          else
            number = sotto_safety_number ("alice", alice, "bob", &changed);
          g_assert_cmpstr (number, !=, reference);
        }
    }

  /* The binding is not part of it: it is a signature over the keys. */
  {
    SottoPublicIdentity rebound = *bob;
    g_autofree char *number = NULL;

    rebound.binding[0] ^= 1;
    number = sotto_safety_number ("alice", alice, "bob", &rebound);
    g_assert_cmpstr (number, ==, reference);
  }

  renamed = sotto_safety_number ("alice", alice, "bobby", bob);
  g_assert_cmpstr (renamed, !=, reference);

  new_device = number_for ("alice", fixture->alice, "bob", new_bob);
  g_assert_cmpstr (new_device, !=, reference);
}

static void
test_safety_number_per_pair (Fixture       *fixture,
                             gconstpointer  user_data)
{
  g_autofree char *ab = number_for ("alice", fixture->alice, "bob", fixture->bob);
  g_autofree char *ac = number_for ("alice", fixture->alice, "carol", fixture->carol);
  g_autofree char *bc = number_for ("bob", fixture->bob, "carol", fixture->carol);

  g_assert_cmpstr (ab, !=, ac);
  g_assert_cmpstr (ab, !=, bc);
  g_assert_cmpstr (ac, !=, bc);

  /* Alice's half is the same in both of her numbers. */
  g_assert_true (strncmp (ab, ac, 35) == 0 || strncmp (ab, ac + 36, 35) == 0 ||
                 strncmp (ab + 36, ac, 35) == 0 || strncmp (ab + 36, ac + 36, 35) == 0);
}

/* Keys from fixed seeds, and a number computed independently from the
 * description in sotto-safety-number.c (BLAKE2b-512, 1024 rounds, 40-bit
 * chunks mod 100000, halves sorted).
 */
static void
test_safety_number_known_answer (Fixture       *fixture,
                                 gconstpointer  user_data)
{
  static const char alice_box_pk[] =
    "4701d08488451f545a409fb58ae3e58581ca40ac3f7f114698cd71deac73ca01";
  static const char alice_sign_pk[] =
    "cd14b37f956e953194ff7fb73b3d81dcc561d61a7538094b7c3e1a643ee5f3aa";
  static const char expected[] =
    "05688 53975 90571 36181 28486 55183 62423 07856 41597 08728 71468 35136";
  g_autofree char *box_hex = NULL;
  g_autofree char *sign_hex = NULL;
  g_autofree char *number = NULL;
  char hex[65];

  sodium_bin2hex (hex, sizeof hex, sotto_identity_get_public (fixture->alice)->box_pk, 32);
  box_hex = g_strdup (hex);
  sodium_bin2hex (hex, sizeof hex, sotto_identity_get_public (fixture->alice)->sign_pk, 32);
  sign_hex = g_strdup (hex);
  g_assert_cmpstr (box_hex, ==, alice_box_pk);
  g_assert_cmpstr (sign_hex, ==, alice_sign_pk);

  number = number_for ("alice", fixture->alice, "bob", fixture->bob);
  g_assert_cmpstr (number, ==, expected);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  if (sodium_init () < 0)
    g_error ("sodium_init failed");

#define ADD(path, func) \
  g_test_add ("/sotto/e2e/safety-number/" path, Fixture, NULL, fixture_setup, func, \
              fixture_teardown)
  ADD ("symmetric", test_safety_number_symmetric);
  ADD ("format", test_safety_number_format);
  ADD ("key-change", test_safety_number_key_change);
  ADD ("per-pair", test_safety_number_per_pair);
  ADD ("known-answer", test_safety_number_known_answer);
#undef ADD

  return g_test_run ();
}
