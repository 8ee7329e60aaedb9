/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "sotto-e2e-private.h"
#include "sotto-safety-number.h"

/* Each party's half: BLAKE2b-512 over LABEL | length | user name | box_pk |
 * sign_pk, then ROUNDS - 1 more rounds over the previous digest and both
 * keys. The iteration makes a search for a colliding key costlier; 30
 * digits come from the first 30 bytes, 5 bytes (40 bits) per 5 digits.
 */
#define LABEL "sotto safety number v1"
#define ROUNDS 1024
#define CHUNKS 6
#define CHUNK_BYTES 5
#define HALF_DIGITS (CHUNKS * 5)

G_STATIC_ASSERT (CHUNKS * CHUNK_BYTES <= crypto_generichash_BYTES_MAX);

static void
compute_half (const char                *user,
              const SottoPublicIdentity *identity,
              char                      *digits)
{
  crypto_generichash_state state;
  guint8 digest[crypto_generichash_BYTES_MAX];
  guint8 len[4];

  _sotto_e2e_put_u32 (len, (guint32) strlen (user));
  crypto_generichash_init (&state, NULL, 0, sizeof digest);
  crypto_generichash_update (&state, (const guint8 *) LABEL, strlen (LABEL));
  crypto_generichash_update (&state, len, sizeof len);
  crypto_generichash_update (&state, (const guint8 *) user, strlen (user));
  crypto_generichash_update (&state, identity->box_pk, sizeof identity->box_pk);
  crypto_generichash_update (&state, identity->sign_pk, sizeof identity->sign_pk);
  crypto_generichash_final (&state, digest, sizeof digest);

  for (guint round = 1; round < ROUNDS; round++)
    {
      crypto_generichash_init (&state, NULL, 0, sizeof digest);
      crypto_generichash_update (&state, digest, sizeof digest);
      crypto_generichash_update (&state, identity->box_pk, sizeof identity->box_pk);
      crypto_generichash_update (&state, identity->sign_pk, sizeof identity->sign_pk);
      crypto_generichash_final (&state, digest, sizeof digest);
    }

  for (guint chunk = 0; chunk < CHUNKS; chunk++)
    {
      const guint8 *p = digest + chunk * CHUNK_BYTES;
      guint64 value = 0;

      for (guint i = 0; i < CHUNK_BYTES; i++)
        value = (value << 8) | p[i];

      g_snprintf (digits + chunk * 5, 6, "%05u", (guint) (value % 100000));
    }
}

/**
 * sotto_safety_number:
 * @user_a: one party's user name
 * @a: that party's public identity
 * @user_b: the other party's user name
 * @b: the other party's public identity
 *
 * Computes the number two users compare, out of band, to check that each
 * sees the other's real keys. Both sides get the same string whichever
 * order they pass the parties in; it changes when either key changes.
 *
 * Returns: (transfer full): 60 digits in 12 groups of 5, separated by spaces
 */
char *
sotto_safety_number (const char                *user_a,
                     const SottoPublicIdentity *a,
                     const char                *user_b,
                     const SottoPublicIdentity *b)
{
  char half_a[HALF_DIGITS + 1];
  char half_b[HALF_DIGITS + 1];
  const char *first;
  const char *second;
  GString *number;

  g_return_val_if_fail (user_a != NULL, NULL);
  g_return_val_if_fail (a != NULL, NULL);
  g_return_val_if_fail (user_b != NULL, NULL);
  g_return_val_if_fail (b != NULL, NULL);

  compute_half (user_a, a, half_a);
  compute_half (user_b, b, half_b);

  /* Sorting the halves makes the result symmetric. */
  if (strcmp (half_a, half_b) <= 0)
    {
      first = half_a;
      second = half_b;
    }
  else
    {
      first = half_b;
      second = half_a;
    }

  number = g_string_sized_new (SOTTO_SAFETY_NUMBER_LENGTH + 1);
  for (guint group = 0; group < 12; group++)
    {
      const char *half = group < 6 ? first : second;

      if (group > 0)
        g_string_append_c (number, ' ');
      g_string_append_len (number, half + (group % 6) * 5, 5);
    }

  g_assert (number->len == SOTTO_SAFETY_NUMBER_LENGTH);

  return g_string_free (number, FALSE);
}
