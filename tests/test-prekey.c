/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sodium.h>
#include <string.h>

#include "sotto-e2e.h"
#include "sotto-protocol-types.h"

/*
 * Prekeys: bundles that check themselves, and boxes that only the holder
 * of the prekey secrets they name opens; once those are erased, not even
 * the recipient's identity secret key opens them.
 */

/* The protocol carries bundles and one-time prekeys without linking this
 * library: its sizes must be these. */
G_STATIC_ASSERT (SOTTO_PROTOCOL_PREKEY_BUNDLE_BYTES == SOTTO_PREKEY_BUNDLE_BYTES);
G_STATIC_ASSERT (SOTTO_PROTOCOL_ONE_TIME_PREKEY_BYTES ==
                 SOTTO_PREKEY_BUNDLE_ONE_TIME_BYTES - SOTTO_PREKEY_BUNDLE_BYTES);

typedef struct
{
  SottoIdentity *alice;
  SottoIdentity *bob;
  SottoPrekey   *bob_signed;
  SottoPrekey   *bob_one_time;
  /* What Bob still holds; a lookup finds prekeys here. */
  GHashTable    *held;
} Fixture;

static guint
held_key (guint32  id,
          gboolean one_time)
{
  return id * 2 + (one_time ? 1 : 0);
}

static SottoPrekey *
lookup_cb (guint32  id,
           gboolean one_time,
           gpointer user_data)
{
  Fixture *fixture = user_data;
  SottoPrekey *found = g_hash_table_lookup (fixture->held,
                                            GUINT_TO_POINTER (held_key (id, one_time)));

  return found != NULL ? g_object_ref (found) : NULL;
}

static void
hold (Fixture     *fixture,
      SottoPrekey *prekey,
      gboolean     one_time)
{
  g_hash_table_insert (fixture->held,
                       GUINT_TO_POINTER (held_key (sotto_prekey_get_id (prekey), one_time)),
                       g_object_ref (prekey));
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  fixture->alice = sotto_identity_new ();
  fixture->bob = sotto_identity_new ();
  fixture->bob_signed = sotto_prekey_new (7, 1700000000000);
  fixture->bob_one_time = sotto_prekey_new (1001, 1700000000000);
  fixture->held = g_hash_table_new_full (NULL, NULL, NULL, g_object_unref);
  hold (fixture, fixture->bob_signed, FALSE);
  hold (fixture, fixture->bob_one_time, TRUE);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_clear_object (&fixture->alice);
  g_clear_object (&fixture->bob);
  g_clear_object (&fixture->bob_signed);
  g_clear_object (&fixture->bob_one_time);
  g_clear_pointer (&fixture->held, g_hash_table_unref);
}

static void
decode_bundle (GBytes            *bytes,
               SottoPrekeyBundle *bundle)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (sotto_prekey_bundle_decode (bytes, bundle, &error));
  g_assert_no_error (error);
}

static GBytes *
text (const char *s)
{
  return g_bytes_new (s, strlen (s));
}

/* A bundle says what it was made of, and a box sealed to it opens with
 * Bob's prekeys, with and without a one-time prekey. */
static void
test_round_trip (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GBytes) with_one_time = sotto_prekey_bundle_make (fixture->bob, fixture->bob_signed,
                                                              fixture->bob_one_time);
  g_autoptr(GBytes) signed_only = sotto_prekey_bundle_make (fixture->bob, fixture->bob_signed,
                                                            NULL);
  g_autoptr(GBytes) ad = text ("room garden, from alice");
  g_autoptr(GBytes) plain = text ("a sender key");
  SottoPrekeyBundle bundle;
  GBytes *bundles[] = { with_one_time, signed_only };

  g_assert_cmpuint (g_bytes_get_size (with_one_time), ==, SOTTO_PREKEY_BUNDLE_ONE_TIME_BYTES);
  g_assert_cmpuint (g_bytes_get_size (signed_only), ==, SOTTO_PREKEY_BUNDLE_BYTES);

  for (guint i = 0; i < G_N_ELEMENTS (bundles); i++)
    {
      g_autoptr(GBytes) box = NULL;
      g_autoptr(GBytes) opened = NULL;
      g_autoptr(GError) error = NULL;
      guint32 signed_id = 0, one_time_id = 0;

      decode_bundle (bundles[i], &bundle);
      g_assert_true (sotto_public_identity_equal (&bundle.identity,
                                                  sotto_identity_get_public (fixture->bob)));
      g_assert_cmpuint (bundle.signed_id, ==, 7);
      g_assert_cmpint (bundle.signed_created_at, ==, 1700000000000);
      g_assert_cmpmem (bundle.signed_public, 32, sotto_prekey_get_public (fixture->bob_signed),
                       32);
      g_assert_cmpint (bundle.has_one_time, ==, i == 0);

      box = sotto_prekey_seal (fixture->alice, &bundle, ad, plain, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (g_bytes_get_size (box), ==,
                        g_bytes_get_size (plain) + SOTTO_PREKEY_BOX_OVERHEAD);
      g_assert_true (sotto_prekey_box_peek (box, &signed_id, &one_time_id, &error));
      g_assert_cmpuint (signed_id, ==, 7);
      g_assert_cmpuint (one_time_id, ==, i == 0 ? 1001 : 0);

      opened = sotto_prekey_open (fixture->bob, sotto_identity_get_public (fixture->alice),
                                  lookup_cb, fixture, ad, box, &error);
      g_assert_no_error (error);
      g_assert_true (g_bytes_equal (opened, plain));
    }
}

/* Bob rotated his signed prekey and used up the one-time prekey, erasing
 * both: whoever steals his identity afterwards (here, Bob himself, with
 * every identity secret) cannot open the box, whether the prekeys are
 * gone or replaced by new ones under the same ids. */
static void
test_forward_secrecy (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GBytes) bundle_bytes = sotto_prekey_bundle_make (fixture->bob, fixture->bob_signed,
                                                             fixture->bob_one_time);
  g_autoptr(GBytes) plain = text ("a sender key");
  g_autoptr(GBytes) box = NULL;
  g_autoptr(GBytes) opened = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SottoPrekey) new_signed = sotto_prekey_new (7, 1700000100000);
  g_autoptr(SottoPrekey) new_one_time = sotto_prekey_new (1001, 1700000100000);
  SottoPrekeyBundle bundle;

  decode_bundle (bundle_bytes, &bundle);
  box = sotto_prekey_seal (fixture->alice, &bundle, NULL, plain, &error);
  g_assert_no_error (error);

  /* Only the one-time prekey is gone: still closed. */
  g_hash_table_remove_all (fixture->held);
  hold (fixture, fixture->bob_signed, FALSE);
  opened = sotto_prekey_open (fixture->bob, sotto_identity_get_public (fixture->alice),
                              lookup_cb, fixture, NULL, box, &error);
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_UNKNOWN_KEY);
  g_assert_null (opened);
  g_clear_error (&error);

  /* Both gone. */
  g_hash_table_remove_all (fixture->held);
  opened = sotto_prekey_open (fixture->bob, sotto_identity_get_public (fixture->alice),
                              lookup_cb, fixture, NULL, box, &error);
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_UNKNOWN_KEY);
  g_assert_null (opened);
  g_clear_error (&error);

  /* New keys under the old ids open nothing sealed to the old ones. */
  hold (fixture, new_signed, FALSE);
  hold (fixture, new_one_time, TRUE);
  opened = sotto_prekey_open (fixture->bob, sotto_identity_get_public (fixture->alice),
                              lookup_cb, fixture, NULL, box, &error);
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_DECRYPT_FAILED);
  g_assert_null (opened);
}

/* The box is bound to both identities and to its associated data: another
 * sender, another recipient or other data, and it does not open. */
static void
test_bound (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(GBytes) bundle_bytes = sotto_prekey_bundle_make (fixture->bob, fixture->bob_signed,
                                                             fixture->bob_one_time);
  g_autoptr(SottoIdentity) mallory = sotto_identity_new ();
  g_autoptr(GBytes) ad = text ("room garden");
  g_autoptr(GBytes) other_ad = text ("room other");
  g_autoptr(GBytes) plain = text ("a sender key");
  g_autoptr(GBytes) box = NULL;
  g_autoptr(GError) error = NULL;
  SottoPrekeyBundle bundle;
  struct {
    SottoIdentity *recipient;
    SottoIdentity *claimed_sender;
    GBytes        *ad;
  } cases[] = {
    { NULL, NULL, NULL },
    { NULL, NULL, NULL },
    { NULL, NULL, NULL },
  };

  decode_bundle (bundle_bytes, &bundle);
  box = sotto_prekey_seal (fixture->alice, &bundle, ad, plain, &error);
  g_assert_no_error (error);

  cases[0].recipient = fixture->bob;
  cases[0].claimed_sender = mallory;
  cases[0].ad = ad;
  cases[1].recipient = mallory;
  cases[1].claimed_sender = fixture->alice;
  cases[1].ad = ad;
  cases[2].recipient = fixture->bob;
  cases[2].claimed_sender = fixture->alice;
  cases[2].ad = other_ad;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) opened = NULL;
      g_autoptr(GError) open_error = NULL;

      opened = sotto_prekey_open (cases[i].recipient,
                                  sotto_identity_get_public (cases[i].claimed_sender), lookup_cb,
                                  fixture, cases[i].ad, box, &open_error);
      g_assert_error (open_error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_DECRYPT_FAILED);
      g_assert_null (opened);
    }
}

/* Every flipped bit of a box is refused, and the prekeys stay held. */
static void
test_box_tampered (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GBytes) bundle_bytes = sotto_prekey_bundle_make (fixture->bob, fixture->bob_signed,
                                                             NULL);
  g_autoptr(GBytes) plain = text ("key");
  g_autoptr(GBytes) box = NULL;
  g_autoptr(GError) error = NULL;
  SottoPrekeyBundle bundle;
  const guint8 *data_;
  gsize len;

  decode_bundle (bundle_bytes, &bundle);
  box = sotto_prekey_seal (fixture->alice, &bundle, NULL, plain, &error);
  g_assert_no_error (error);
  data_ = g_bytes_get_data (box, &len);

  for (gsize bit = 0; bit < len * 8; bit++)
    {
      g_autofree guint8 *copy = g_memdup2 (data_, len);
      g_autoptr(GBytes) flipped = NULL;
      g_autoptr(GBytes) opened = NULL;
      g_autoptr(GError) open_error = NULL;

      copy[bit / 8] ^= (guint8) (1 << (bit % 8));
      flipped = g_bytes_new (copy, len);
      opened = sotto_prekey_open (fixture->bob, sotto_identity_get_public (fixture->alice),
                                  lookup_cb, fixture, NULL, flipped, &open_error);
      g_assert_null (opened);
      g_assert_nonnull (open_error);
    }

  for (gsize cut = 0; cut < len; cut++)
    {
      g_autoptr(GBytes) short_box = g_bytes_new (data_, cut);
      g_autoptr(GBytes) opened = NULL;
      g_autoptr(GError) open_error = NULL;

      opened = sotto_prekey_open (fixture->bob, sotto_identity_get_public (fixture->alice),
                                  lookup_cb, fixture, NULL, short_box, &open_error);
      g_assert_null (opened);
      g_assert_nonnull (open_error);
    }
}

/* A bundle checks itself: every flipped bit of the identity and the
 * signed prekey, and every cut, is refused, and a signed prekey signed by
 * someone else is refused. The one-time prekey is not signed: one the
 * server swapped decodes, and a box sealed to it does not open for Bob,
 * but the server cannot open it either without his signed prekey. */
static void
test_bundle_strict (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GBytes) good = sotto_prekey_bundle_make (fixture->bob, fixture->bob_signed,
                                                     fixture->bob_one_time);
  g_autoptr(GBytes) mallory_made = NULL;
  g_autoptr(SottoIdentity) mallory = sotto_identity_new ();
  g_autoptr(GError) error = NULL;
  SottoPrekeyBundle bundle;
  const guint8 *bytes;
  gsize len;
  guint8 *copy;

  bytes = g_bytes_get_data (good, &len);
  for (gsize bit = 0; bit < SOTTO_PREKEY_BUNDLE_BYTES * 8; bit++)
    {
      g_autofree guint8 *flipped = g_memdup2 (bytes, len);
      g_autoptr(GBytes) flipped_bytes = NULL;
      g_autoptr(GError) decode_error = NULL;

      flipped[bit / 8] ^= (guint8) (1 << (bit % 8));
      flipped_bytes = g_bytes_new (flipped, len);
      g_assert_false (sotto_prekey_bundle_decode (flipped_bytes, &bundle, &decode_error));
      g_assert_nonnull (decode_error);
    }
  for (gsize cut = 0; cut < len; cut++)
    {
      g_autoptr(GBytes) short_bytes = g_bytes_new (bytes, cut);
      g_autoptr(GError) decode_error = NULL;

      g_assert_false (sotto_prekey_bundle_decode (short_bytes, &bundle, &decode_error));
      g_assert_error (decode_error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT);
    }

  /* The server swaps the one-time prekey for one of its own. */
  {
    g_autoptr(SottoPrekey) servers = sotto_prekey_new (1001, 0);
    g_autofree guint8 *swapped = g_memdup2 (bytes, len);
    g_autoptr(GBytes) swapped_bytes = NULL;
    g_autoptr(GBytes) plain = g_bytes_new_static ("key", 3);
    g_autoptr(GBytes) box = NULL;
    g_autoptr(GBytes) opened = NULL;

    memcpy (swapped + len - 32, sotto_prekey_get_public (servers), 32);
    swapped_bytes = g_bytes_new (swapped, len);
    g_assert_true (sotto_prekey_bundle_decode (swapped_bytes, &bundle, &error));
    box = sotto_prekey_seal (fixture->alice, &bundle, NULL, plain, &error);
    g_assert_no_error (error);
    opened = sotto_prekey_open (fixture->bob, sotto_identity_get_public (fixture->alice),
                                lookup_cb, fixture, NULL, box, &error);
    g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_DECRYPT_FAILED);
    g_assert_null (opened);
    g_clear_error (&error);
  }

  /* Mallory signs Bob's prekey and puts Bob's identity in front. */
  mallory_made = sotto_prekey_bundle_make (mallory, fixture->bob_signed, NULL);
  copy = g_memdup2 (g_bytes_get_data (mallory_made, NULL), g_bytes_get_size (mallory_made));
  memcpy (copy + 1, bytes + 1, 128);
  {
    g_autoptr(GBytes) forged = g_bytes_new_take (copy, g_bytes_get_size (mallory_made));

    g_assert_false (sotto_prekey_bundle_decode (forged, &bundle, &error));
    g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_SIGNATURE);
  }
}

/* A prekey is stored with its secret and read back strictly. */
static void
test_serialize (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GBytes) stored = sotto_prekey_serialize (fixture->bob_signed);
  g_autoptr(SottoPrekey) read = NULL;
  g_autoptr(GError) error = NULL;
  const guint8 *bytes;
  gsize len;

  read = sotto_prekey_deserialize (stored, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sotto_prekey_get_id (read), ==, 7);
  g_assert_cmpint (sotto_prekey_get_created_at (read), ==, 1700000000000);
  g_assert_cmpmem (sotto_prekey_get_public (read), 32,
                   sotto_prekey_get_public (fixture->bob_signed), 32);

  bytes = g_bytes_get_data (stored, &len);
  for (gsize cut = 0; cut < len; cut++)
    {
      g_autoptr(GBytes) short_bytes = g_bytes_new (bytes, cut);
      g_autoptr(SottoPrekey) none = NULL;
      g_autoptr(GError) read_error = NULL;

      none = sotto_prekey_deserialize (short_bytes, &read_error);
      g_assert_null (none);
      g_assert_error (read_error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT);
    }

  {
    g_autofree guint8 *copy = g_memdup2 (bytes, len);
    g_autoptr(GBytes) mismatched = NULL;
    g_autoptr(SottoPrekey) none = NULL;

    copy[len - 1] ^= 1;
    mismatched = g_bytes_new (copy, len);
    none = sotto_prekey_deserialize (mismatched, &error);
    g_assert_null (none);
    g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_KEY_MISMATCH);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (sodium_init (), >=, 0);

#define ADD(path, func) \
  g_test_add ("/sotto/e2e/prekey/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("round-trip", test_round_trip);
  ADD ("forward-secrecy", test_forward_secrecy);
  ADD ("bound", test_bound);
  ADD ("box-tampered", test_box_tampered);
  ADD ("bundle-strict", test_bundle_strict);
  ADD ("serialize", test_serialize);
#undef ADD

  return g_test_run ();
}
