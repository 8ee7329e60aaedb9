/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sodium.h>
#include <string.h>

#include "sotto-e2e.h"
#include "sotto-protocol-types.h"

/*
 * An account's key, its recovery key, and the device list it signs: a
 * list opens only as it was sealed, only for its account and key, and a
 * list the server hands out again never takes the place of a newer one.
 */

/* The protocol carries account keys and device lists without linking this
 * library: its sizes must be these. */
G_STATIC_ASSERT (SOTTO_PROTOCOL_ACCOUNT_KEY_SIZE == SOTTO_ACCOUNT_KEY_PUBLIC_BYTES);
G_STATIC_ASSERT (SOTTO_PROTOCOL_DEVICE_LIST_MAX_BYTES == SOTTO_DEVICE_LIST_MAX_BYTES);
G_STATIC_ASSERT (SOTTO_PROTOCOL_LOGIN_PROOF_BYTES == SOTTO_LOGIN_PROOF_BYTES);

#define ACCOUNT "alice"
#define TIME G_GINT64_CONSTANT (1700000000000)
#define N_IDENTITIES (SOTTO_DEVICE_LIST_MAX_DEVICES + 1)

static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

typedef struct
{
  guint8           seed[32];
  SottoAccountKey *key;
  /* The account key's secret, to sign lists by hand. */
  guint8           secret[crypto_sign_SECRETKEYBYTES];
  SottoAccountKey *other_key;
  SottoIdentity   *devices[N_IDENTITIES];
  /* The box key of devices[0], bound to a signing key of its own. */
  SottoIdentity   *twin;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  guint8 public_key[crypto_sign_PUBLICKEYBYTES];
  guint8 box_seed[32], sign_seed[32];

  for (guint i = 0; i < sizeof fixture->seed; i++)
    fixture->seed[i] = (guint8) i;
  fixture->key = sotto_account_key_new_from_seed (fixture->seed);
  crypto_sign_seed_keypair (public_key, fixture->secret, fixture->seed);
  fixture->other_key = sotto_account_key_new ();

  for (guint i = 0; i < N_IDENTITIES; i++)
    {
      memset (box_seed, (int) i + 1, sizeof box_seed);
      memset (sign_seed, (int) i + 101, sizeof sign_seed);
      fixture->devices[i] = sotto_identity_new_from_seeds (box_seed, sign_seed);
    }
  memset (box_seed, 1, sizeof box_seed);
  memset (sign_seed, 200, sizeof sign_seed);
  fixture->twin = sotto_identity_new_from_seeds (box_seed, sign_seed);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_assert_finalize_object (fixture->key);
  g_assert_finalize_object (fixture->other_key);
  for (guint i = 0; i < N_IDENTITIES; i++)
    g_assert_finalize_object (fixture->devices[i]);
  g_assert_finalize_object (fixture->twin);
  sodium_memzero (fixture->secret, sizeof fixture->secret);
}

static const SottoPublicIdentity *
device (Fixture *fixture,
        guint    i)
{
  return sotto_identity_get_public (fixture->devices[i]);
}

/* Alice's list with her first @n devices, "device 0" added at TIME and each
 * next one a second later. */
static SottoDeviceList *
make_list (Fixture *fixture,
           guint    n)
{
  SottoDeviceList *list = sotto_device_list_new (ACCOUNT,
                                                 sotto_account_key_get_public (fixture->key),
                                                 7, TIME + 60000);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *name = g_strdup_printf ("device %u", i);

      g_assert_true (sotto_device_list_add (list, device (fixture, i), TIME + 1000 * i, name,
                                            &error));
      g_assert_no_error (error);
    }

  return list;
}

static GBytes *
seal (SottoDeviceList *list,
      SottoAccountKey *key)
{
  g_autoptr(GError) error = NULL;
  GBytes *sealed = sotto_device_list_seal (list, key, &error);

  g_assert_no_error (error);
  g_assert_nonnull (sealed);
  return sealed;
}

static void
assert_lists_equal (const SottoDeviceList *a,
                    const SottoDeviceList *b)
{
  g_assert_cmpstr (sotto_device_list_get_account (a), ==, sotto_device_list_get_account (b));
  g_assert_cmpmem (sotto_device_list_get_account_public (a), 32,
                   sotto_device_list_get_account_public (b), 32);
  g_assert_cmpuint (sotto_device_list_get_counter (a), ==, sotto_device_list_get_counter (b));
  g_assert_cmpint (sotto_device_list_get_time (a), ==, sotto_device_list_get_time (b));
  g_assert_cmpuint (sotto_device_list_get_n_devices (a), ==, sotto_device_list_get_n_devices (b));
  for (guint i = 0; i < sotto_device_list_get_n_devices (a); i++)
    {
      const SottoDevice *da = sotto_device_list_get_device (a, i);
      const SottoDevice *db = sotto_device_list_get_device (b, i);

      g_assert_cmpmem (&da->identity, sizeof da->identity, &db->identity, sizeof db->identity);
      g_assert_cmpint (da->added, ==, db->added);
      g_assert_cmpstr (da->name, ==, db->name);
    }
}

/* The recovery key as the format says, written here independently of the
 * library: 34 bytes in base32, padded with zero bits, in groups of 5. */
static char *
encode_recovery (const guint8 *raw)
{
  GString *text = g_string_new (NULL);
  guint n_symbols = 0;

  for (guint bit = 0; bit < 34 * 8; bit += 5)
    {
      guint value = 0;

      for (guint j = bit; j < bit + 5; j++)
        value = (value << 1) | (j < 34 * 8 ? (raw[j / 8] >> (7 - j % 8)) & 1 : 0);
      if (n_symbols > 0 && n_symbols % 5 == 0)
        g_string_append_c (text, '-');
      g_string_append_c (text, alphabet[value]);
      n_symbols++;
    }

  return g_string_free (text, FALSE);
}

static void
raw_recovery (const guint8 *seed,
              guint8       *raw)
{
  static const char label[] = "sotto recovery key v1";
  crypto_generichash_state state;
  guint8 hash[32];

  crypto_generichash_init (&state, NULL, 0, sizeof hash);
  crypto_generichash_update (&state, (const guint8 *) label, strlen (label));
  crypto_generichash_update (&state, seed, 32);
  crypto_generichash_final (&state, hash, sizeof hash);
  memcpy (raw, seed, 32);
  memcpy (raw + 32, hash, 2);
}

static void
assert_recovery_refused (const char *text)
{
  g_autoptr(SottoAccountKey) key = NULL;
  g_autoptr(GError) error = NULL;

  key = sotto_account_key_new_from_recovery (text, &error);
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT);
  g_assert_null (key);
}

static void
assert_recovery_gives (const char      *text,
                       SottoAccountKey *expected)
{
  g_autoptr(SottoAccountKey) key = NULL;
  g_autoptr(GError) error = NULL;

  key = sotto_account_key_new_from_recovery (text, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (sotto_account_key_get_public (key), 32,
                   sotto_account_key_get_public (expected), 32);
}

/* The seed, the recovery key and the key it gives back; a known answer
 * computed outside this library fixes the format. */
static void
test_recovery_round_trip (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(SottoAccountKey) fresh = sotto_account_key_new ();
  g_autoptr(SottoAccountKey) from_seed = NULL;
  g_autoptr(GBytes) seed = NULL;
  g_autoptr(GBytes) fresh_seed = NULL;
  g_autofree char *text = NULL;
  g_autofree char *fresh_text = NULL;
  guint8 expected_public[crypto_sign_PUBLICKEYBYTES];
  guint8 expected_secret[crypto_sign_SECRETKEYBYTES];

  crypto_sign_seed_keypair (expected_public, expected_secret, fixture->seed);
  g_assert_cmpmem (sotto_account_key_get_public (fixture->key), 32, expected_public, 32);

  seed = sotto_account_key_dup_seed (fixture->key);
  g_assert_cmpmem (g_bytes_get_data (seed, NULL), g_bytes_get_size (seed), fixture->seed, 32);

  text = sotto_account_key_dup_recovery (fixture->key);
  g_assert_cmpstr (text, ==, "000G4-0R40M-30E20-9185G-R38E1-W8124-GK2GA-HC5RR-34D1P-70X3R-FYBQ8");
  assert_recovery_gives (text, fixture->key);

  fresh_text = sotto_account_key_dup_recovery (fresh);
  g_assert_cmpuint (strlen (fresh_text), ==, SOTTO_RECOVERY_KEY_LENGTH);
  for (guint i = 0; i < SOTTO_RECOVERY_KEY_LENGTH; i++)
    {
      if (i % 6 == 5)
        g_assert_cmpint (fresh_text[i], ==, '-');
      else
        g_assert_nonnull (strchr (alphabet, fresh_text[i]));
    }
  assert_recovery_gives (fresh_text, fresh);

  fresh_seed = sotto_account_key_dup_seed (fresh);
  from_seed = sotto_account_key_new_from_seed (g_bytes_get_data (fresh_seed, NULL));
  g_assert_cmpmem (sotto_account_key_get_public (from_seed), 32,
                   sotto_account_key_get_public (fresh), 32);
  g_assert_true (memcmp (sotto_account_key_get_public (fresh),
                         sotto_account_key_get_public (fixture->key), 32) != 0);
}

/* A recovery key reads as a person types it back. */
static void
test_recovery_lenient (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree char *text = sotto_account_key_dup_recovery (fixture->key);
  g_autofree char *lower = g_ascii_strdown (text, -1);
  g_autoptr(GString) spaced = g_string_new (NULL);
  g_autoptr(GString) bare = g_string_new (NULL);
  g_autoptr(GString) lines = g_string_new ("  ");
  g_autoptr(GString) look_alikes = g_string_new (NULL);
  static const char ones[] = "IiLl";

  for (guint i = 0; text[i] != '\0'; i++)
    {
      g_string_append_c (spaced, text[i] == '-' ? ' ' : text[i]);
      if (text[i] != '-')
        g_string_append_c (bare, text[i]);
      g_string_append_c (lines, text[i] == '-' ? '\n' : text[i]);
      if (text[i] == '0')
        g_string_append_c (look_alikes, i % 2 == 0 ? 'O' : 'o');
      else if (text[i] == '1')
        g_string_append_c (look_alikes, ones[i % 4]);
      else
        g_string_append_c (look_alikes, text[i]);
    }
  g_string_append (lines, "\r\n");

  /* The known key has both 0 and 1 in it, so the look-alikes are read. */
  g_assert_nonnull (strchr (text, '0'));
  g_assert_nonnull (strchr (text, '1'));
  g_assert_cmpstr (look_alikes->str, !=, text);

  assert_recovery_gives (lower, fixture->key);
  assert_recovery_gives (spaced->str, fixture->key);
  assert_recovery_gives (bare->str, fixture->key);
  assert_recovery_gives (lines->str, fixture->key);
  assert_recovery_gives (look_alikes->str, fixture->key);
}

/* Any one character changed, dropped or added is caught, as are a wrong
 * check, other characters and padding bits that are not zero. */
static void
test_recovery_refused (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree char *text = sotto_account_key_dup_recovery (fixture->key);
  gsize len = strlen (text);
  guint8 raw[34];

  for (gsize i = 0; i < len; i++)
    {
      g_autofree char *dropped = NULL;
      g_autofree char *added = NULL;
      const char *current;

      if (text[i] == '-')
        continue;

      current = strchr (alphabet, text[i]);
      for (guint v = 0; v < 32; v++)
        {
          g_autofree char *changed = g_strdup (text);

          if (alphabet + v == current)
            continue;
          changed[i] = alphabet[v];
          assert_recovery_refused (changed);
        }

      dropped = g_strdup (text);
      memmove (dropped + i, dropped + i + 1, len - i);
      assert_recovery_refused (dropped);

      added = g_strdup_printf ("%.*s0%s", (int) i, text, text + i);
      assert_recovery_refused (added);
    }

  /* The right length and alphabet, but the check of another seed. */
  raw_recovery (fixture->seed, raw);
  raw[33] ^= 0x80;
  {
    g_autofree char *bad_check = encode_recovery (raw);

    assert_recovery_refused (bad_check);
    raw[33] ^= 0x80;
  }

  /* This encoder writes what the library writes. */
  {
    g_autofree char *good = encode_recovery (raw);

    g_assert_cmpstr (good, ==, text);
  }

  /* Characters outside the alphabet, even where a symbol would fit. */
  {
    const char *others[] = { "U", "*", "_", "\xc3\xa9", "\t-", "" };

    for (guint i = 0; i < G_N_ELEMENTS (others); i++)
      {
        g_autofree char *changed = g_strdup_printf ("%.*s%s%s", 3, text, others[i], text + 4);

        assert_recovery_refused (changed);
      }
  }

  assert_recovery_refused ("");
  assert_recovery_refused ("-----");
}

/* A list seals and opens to the same fields, with one device and with the
 * most; what opens seals again to the same bytes. The largest list is
 * exactly SOTTO_DEVICE_LIST_MAX_BYTES. */
static void
test_round_trip (Fixture       *fixture,
                 gconstpointer  data)
{
  guint sizes[] = { 1, SOTTO_DEVICE_LIST_MAX_DEVICES };

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      g_autoptr(SottoDeviceList) list = make_list (fixture, sizes[s]);
      g_autoptr(SottoDeviceList) opened = NULL;
      g_autoptr(SottoDeviceList) opened_unpinned = NULL;
      g_autoptr(GBytes) sealed = seal (list, fixture->key);
      g_autoptr(GBytes) sealed_again = NULL;
      g_autoptr(GError) error = NULL;

      opened = sotto_device_list_open (sealed, ACCOUNT, sotto_account_key_get_public (fixture->key),
                                       &error);
      g_assert_no_error (error);
      assert_lists_equal (opened, list);
      g_assert_cmpuint (sotto_device_list_get_n_devices (opened), ==, sizes[s]);
      g_assert_cmpstr (sotto_device_list_get_device (opened, sizes[s] - 1)->name, ==,
                       sizes[s] == 1 ? "device 0" : "device 15");
      g_assert_cmpint (sotto_device_list_get_device (opened, sizes[s] - 1)->added, ==,
                       TIME + 1000 * (sizes[s] - 1));
      g_assert_cmpuint (sotto_device_list_get_counter (opened), ==, 7);
      g_assert_cmpint (sotto_device_list_get_time (opened), ==, TIME + 60000);

      opened_unpinned = sotto_device_list_open (sealed, ACCOUNT, NULL, &error);
      g_assert_no_error (error);
      assert_lists_equal (opened_unpinned, list);

      sealed_again = seal (opened, fixture->key);
      g_assert_true (g_bytes_equal (sealed_again, sealed));
    }

  /* The longest account name, the most devices, the longest names. */
  {
    g_autofree char *account = g_strnfill (1024, 'a');
    g_autoptr(SottoDeviceList) list = NULL;
    g_autoptr(SottoDeviceList) opened = NULL;
    g_autoptr(GBytes) sealed = NULL;
    g_autoptr(GError) error = NULL;

    list = sotto_device_list_new (account, sotto_account_key_get_public (fixture->key),
                                  G_MAXUINT64 - 1, G_MININT64);
    for (guint i = 0; i < SOTTO_DEVICE_LIST_MAX_DEVICES; i++)
      {
        g_autofree char *name = g_strnfill (SOTTO_DEVICE_NAME_MAX_BYTES, (char) ('a' + i));

        g_assert_true (sotto_device_list_add (list, device (fixture, i), G_MAXINT64, name,
                                              &error));
        g_assert_no_error (error);
      }
    sealed = seal (list, fixture->key);
    g_assert_cmpuint (g_bytes_get_size (sealed), ==, SOTTO_DEVICE_LIST_MAX_BYTES);
    opened = sotto_device_list_open (sealed, account, NULL, &error);
    g_assert_no_error (error);
    assert_lists_equal (opened, list);
  }
}

/* What a list refuses to take leaves it as it was. */
static void
test_add_refused (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(SottoDeviceList) full = make_list (fixture, SOTTO_DEVICE_LIST_MAX_DEVICES);
  g_autoptr(SottoDeviceList) list = make_list (fixture, 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *longest = g_strnfill (SOTTO_DEVICE_NAME_MAX_BYTES, 'x');
  g_autofree char *too_long = g_strnfill (SOTTO_DEVICE_NAME_MAX_BYTES + 1, 'x');
  SottoPublicIdentity unbound = *device (fixture, 1);
  struct {
    const SottoPublicIdentity *identity;
    const char                *name;
    int                        code;
  } cases[] = {
    { NULL, "device 0 again", SOTTO_E2E_ERROR_BAD_FORMAT },
    { NULL, "same box key", SOTTO_E2E_ERROR_BAD_FORMAT },
    { NULL, "unbound", SOTTO_E2E_ERROR_BAD_BINDING },
    { NULL, "", SOTTO_E2E_ERROR_BAD_FORMAT },
    { NULL, NULL, SOTTO_E2E_ERROR_BAD_FORMAT },
    { NULL, "\xff", SOTTO_E2E_ERROR_BAD_FORMAT },
    { NULL, "caf\xc3", SOTTO_E2E_ERROR_BAD_FORMAT },
  };

  g_assert_false (sotto_device_list_add (full, device (fixture, SOTTO_DEVICE_LIST_MAX_DEVICES),
                                         TIME, "one too many", &error));
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_TOO_LARGE);
  g_assert_cmpuint (sotto_device_list_get_n_devices (full), ==, SOTTO_DEVICE_LIST_MAX_DEVICES);
  g_clear_error (&error);

  unbound.binding[10] ^= 1;
  cases[0].identity = device (fixture, 0);
  cases[1].identity = sotto_identity_get_public (fixture->twin);
  cases[2].identity = &unbound;
  for (guint i = 3; i < G_N_ELEMENTS (cases); i++)
    cases[i].identity = device (fixture, 1);
  cases[4].name = too_long;

  /* The twin shares device 0's box key, under another signing key. */
  g_assert_cmpmem (cases[1].identity->box_pk, 32, device (fixture, 0)->box_pk, 32);
  g_assert_true (memcmp (cases[1].identity->sign_pk, device (fixture, 0)->sign_pk, 32) != 0);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) add_error = NULL;

      g_assert_false (sotto_device_list_add (list, cases[i].identity, TIME, cases[i].name,
                                             &add_error));
      g_assert_error (add_error, SOTTO_E2E_ERROR, cases[i].code);
      g_assert_cmpuint (sotto_device_list_get_n_devices (list), ==, 1);
    }

  /* The longest name, and a multibyte one, are taken. */
  g_assert_true (sotto_device_list_add (list, device (fixture, 1), TIME, longest, &error));
  g_assert_true (sotto_device_list_add (list, device (fixture, 2), TIME, "Café", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (sotto_device_list_get_n_devices (list), ==, 3);
}

/* Lookup wants both keys; removal keeps the others in their order. */
static void
test_lookup_remove (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(SottoDeviceList) list = make_list (fixture, 4);
  SottoPublicIdentity other_box = *device (fixture, 2);
  SottoPublicIdentity rebound = *device (fixture, 2);
  const SottoDevice *found;

  found = sotto_device_list_lookup (list, device (fixture, 2));
  g_assert_nonnull (found);
  g_assert_cmpstr (found->name, ==, "device 2");
  g_assert_null (sotto_device_list_lookup (list, device (fixture, 4)));
  g_assert_null (sotto_device_list_lookup (list, sotto_identity_get_public (fixture->twin)));

  other_box.box_pk[0] ^= 1;
  g_assert_null (sotto_device_list_lookup (list, &other_box));
  /* Only the keys name a device, not the bytes of their binding. */
  rebound.binding[0] ^= 1;
  g_assert_true (sotto_device_list_lookup (list, &rebound) == found);

  g_assert_true (sotto_device_list_remove (list, device (fixture, 1)->sign_pk));
  g_assert_false (sotto_device_list_remove (list, device (fixture, 1)->sign_pk));
  g_assert_false (sotto_device_list_remove (list, device (fixture, 1)->box_pk));
  g_assert_null (sotto_device_list_lookup (list, device (fixture, 1)));
  g_assert_cmpuint (sotto_device_list_get_n_devices (list), ==, 3);
  g_assert_cmpstr (sotto_device_list_get_device (list, 0)->name, ==, "device 0");
  g_assert_cmpstr (sotto_device_list_get_device (list, 1)->name, ==, "device 2");
  g_assert_cmpstr (sotto_device_list_get_device (list, 2)->name, ==, "device 3");
}

/* A new name changes nothing else of the device, nor its place; a name
 * that adding would refuse, or a device the list lacks, leaves the list
 * as it was. The renamed list seals and opens with the new name. */
static void
test_set_name (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(SottoDeviceList) list = make_list (fixture, 3);
  g_autoptr(SottoDeviceList) opened = NULL;
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *longest = g_strnfill (SOTTO_DEVICE_NAME_MAX_BYTES, 'x');
  g_autofree char *too_long = g_strnfill (SOTTO_DEVICE_NAME_MAX_BYTES + 1, 'x');
  const char *bad[] = { "", too_long, "\xff", "caf\xc3", NULL };
  const SottoDevice *renamed;
  gint64 added = sotto_device_list_get_device (list, 1)->added;

  g_assert_true (sotto_device_list_set_name (list, device (fixture, 1)->sign_pk, "Laptop",
                                             &error));
  g_assert_no_error (error);
  renamed = sotto_device_list_get_device (list, 1);
  g_assert_cmpstr (renamed->name, ==, "Laptop");
  g_assert_cmpint (renamed->added, ==, added);
  g_assert_true (sotto_public_identity_equal (&renamed->identity, device (fixture, 1)));
  g_assert_cmpstr (sotto_device_list_get_device (list, 0)->name, ==, "device 0");
  g_assert_cmpstr (sotto_device_list_get_device (list, 2)->name, ==, "device 2");

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) name_error = NULL;

      g_assert_false (sotto_device_list_set_name (list, device (fixture, 2)->sign_pk, bad[i],
                                                  &name_error));
      g_assert_error (name_error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT);
      g_assert_cmpstr (sotto_device_list_get_device (list, 2)->name, ==, "device 2");
    }

  /* A box key is not a signing key. */
  g_assert_false (sotto_device_list_set_name (list, device (fixture, 3)->sign_pk, "Phone",
                                              &error));
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_UNKNOWN_KEY);
  g_clear_error (&error);
  g_assert_false (sotto_device_list_set_name (list, device (fixture, 0)->box_pk, "Phone",
                                              &error));
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_UNKNOWN_KEY);
  g_clear_error (&error);

  g_assert_true (sotto_device_list_set_name (list, device (fixture, 0)->sign_pk, longest,
                                             &error));
  g_assert_true (sotto_device_list_set_name (list, device (fixture, 2)->sign_pk, "Café",
                                             &error));
  g_assert_no_error (error);

  sealed = seal (list, fixture->key);
  opened = sotto_device_list_open (sealed, ACCOUNT, sotto_account_key_get_public (fixture->key),
                                   &error);
  g_assert_no_error (error);
  assert_lists_equal (opened, list);
  g_assert_cmpstr (sotto_device_list_get_device (opened, 0)->name, ==, longest);
  g_assert_cmpstr (sotto_device_list_get_device (opened, 1)->name, ==, "Laptop");
  g_assert_cmpstr (sotto_device_list_get_device (opened, 2)->name, ==, "Café");
}

/* Only the account key the list names seals it, and only a list with a
 * device. */
static void
test_seal_refused (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(SottoDeviceList) list = make_list (fixture, 2);
  g_autoptr(SottoDeviceList) empty = make_list (fixture, 0);
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(GError) error = NULL;

  sealed = sotto_device_list_seal (list, fixture->other_key, &error);
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_KEY_MISMATCH);
  g_assert_null (sealed);
  g_clear_error (&error);

  sealed = sotto_device_list_seal (empty, fixture->key, &error);
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT);
  g_assert_null (sealed);
}

static void
assert_open_refused (GBytes       *bytes,
                     const char   *account,
                     const guint8 *account_public,
                     int           code)
{
  g_autoptr(SottoDeviceList) opened = NULL;
  g_autoptr(GError) error = NULL;

  opened = sotto_device_list_open (bytes, account, account_public, &error);
  g_assert_null (opened);
  if (code >= 0)
    g_assert_error (error, SOTTO_E2E_ERROR, code);
  else
    g_assert_true (error != NULL && error->domain == SOTTO_E2E_ERROR);
}

/* Every cut, every flipped bit and a byte more are refused, whether or not
 * the caller knows the account key. */
static void
test_tampered (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(SottoDeviceList) list = make_list (fixture, 2);
  g_autoptr(GBytes) sealed = seal (list, fixture->key);
  const guint8 *key = sotto_account_key_get_public (fixture->key);
  const guint8 *bytes;
  gsize len;

  bytes = g_bytes_get_data (sealed, &len);
  for (gsize cut = 0; cut < len; cut++)
    {
      g_autoptr(GBytes) short_bytes = g_bytes_new (bytes, cut);

      assert_open_refused (short_bytes, ACCOUNT, key, SOTTO_E2E_ERROR_BAD_FORMAT);
      assert_open_refused (short_bytes, ACCOUNT, NULL, SOTTO_E2E_ERROR_BAD_FORMAT);
    }

  for (gsize bit = 0; bit < len * 8; bit++)
    {
      g_autofree guint8 *copy = g_memdup2 (bytes, len);
      g_autoptr(GBytes) flipped = NULL;

      copy[bit / 8] ^= (guint8) (1 << (bit % 8));
      flipped = g_bytes_new (copy, len);
      assert_open_refused (flipped, ACCOUNT, key, -1);
      assert_open_refused (flipped, ACCOUNT, NULL, -1);
    }

  {
    g_autofree guint8 *longer = g_malloc (len + 1);
    g_autoptr(GBytes) longer_bytes = NULL;

    memcpy (longer, bytes, len);
    longer[len] = 0;
    longer_bytes = g_bytes_new (longer, len + 1);
    assert_open_refused (longer_bytes, ACCOUNT, key, SOTTO_E2E_ERROR_BAD_FORMAT);
  }
}

/* A list is another account's, another key's, or signed by a key other
 * than the one it names. */
static void
test_wrong (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(SottoDeviceList) list = make_list (fixture, 2);
  g_autoptr(SottoDeviceList) mallorys = NULL;
  g_autoptr(SottoDeviceList) opened = NULL;
  g_autoptr(GBytes) sealed = seal (list, fixture->key);
  g_autoptr(GBytes) mallory_sealed = NULL;
  g_autoptr(GBytes) forged = NULL;
  g_autoptr(GError) error = NULL;
  const guint8 *key = sotto_account_key_get_public (fixture->key);
  const guint8 *other = sotto_account_key_get_public (fixture->other_key);
  const guint8 *data_;
  guint8 *copy;
  gsize len;

  assert_open_refused (sealed, "bob", key, SOTTO_E2E_ERROR_WRONG_SENDER);
  assert_open_refused (sealed, "alic", NULL, SOTTO_E2E_ERROR_WRONG_SENDER);
  assert_open_refused (sealed, ACCOUNT, other, SOTTO_E2E_ERROR_KEY_MISMATCH);

  /* Mallory lists her own key for Alice's account and signs it: only a
   * caller who knows Alice's key can tell. */
  mallorys = sotto_device_list_new (ACCOUNT, other, 8, TIME);
  g_assert_true (sotto_device_list_add (mallorys, device (fixture, 5), TIME, "mallory", &error));
  mallory_sealed = seal (mallorys, fixture->other_key);
  assert_open_refused (mallory_sealed, ACCOUNT, key, SOTTO_E2E_ERROR_KEY_MISMATCH);
  opened = sotto_device_list_open (mallory_sealed, ACCOUNT, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (sotto_device_list_get_account_public (opened), 32, other, 32);

  /* Her list again, naming Alice's key: her signature is not Alice's. */
  data_ = g_bytes_get_data (mallory_sealed, &len);
  copy = g_memdup2 (data_, len);
  memcpy (copy + 1 + 2 + strlen (ACCOUNT), key, 32);
  forged = g_bytes_new_take (copy, len);
  assert_open_refused (forged, ACCOUNT, key, SOTTO_E2E_ERROR_BAD_SIGNATURE);
  assert_open_refused (forged, ACCOUNT, NULL, SOTTO_E2E_ERROR_BAD_SIGNATURE);
}

typedef struct
{
  const SottoPublicIdentity *identity;
  const char                *name;
  gsize                      name_len;
} Entry;

/* What test_strict() changes of the second device. */
typedef enum
{
  KEEP,
  SAME_DEVICE,
  SAME_BOX_KEY,
  EMPTY_NAME,
  LONG_NAME,
  NOT_UTF8,
  NUL_BYTE,
  UNBOUND,
} Change;

static void
put_u16 (GByteArray *out,
         guint       value)
{
  guint8 buf[2] = { (guint8) (value >> 8), (guint8) value };

  g_byte_array_append (out, buf, sizeof buf);
}

static void
put_u64 (GByteArray *out,
         guint64     value)
{
  for (int shift = 56; shift >= 0; shift -= 8)
    {
      guint8 byte = (guint8) (value >> shift);

      g_byte_array_append (out, &byte, 1);
    }
}

/* A list written and signed here, by the format alone: counter 7, made at
 * TIME + 60000, device i added at TIME + 1000 i. */
static GBytes *
hand_sealed (Fixture     *fixture,
             guint8       version,
             const Entry *entries,
             guint        n)
{
  static const char label[] = "sotto device list v1";
  g_autoptr(GByteArray) out = g_byte_array_new ();
  guint8 signature[crypto_sign_BYTES];

  g_byte_array_append (out, (const guint8 *) label, strlen (label));
  g_byte_array_append (out, &version, 1);
  put_u16 (out, strlen (ACCOUNT));
  g_byte_array_append (out, (const guint8 *) ACCOUNT, strlen (ACCOUNT));
  g_byte_array_append (out, sotto_account_key_get_public (fixture->key), 32);
  put_u64 (out, 7);
  put_u64 (out, (guint64) (TIME + 60000));
  put_u16 (out, n);
  for (guint i = 0; i < n; i++)
    {
      g_byte_array_append (out, (const guint8 *) entries[i].identity, 128);
      put_u64 (out, (guint64) (TIME + 1000 * i));
      put_u16 (out, entries[i].name_len);
      g_byte_array_append (out, (const guint8 *) entries[i].name, entries[i].name_len);
    }
  crypto_sign_detached (signature, NULL, out->data, out->len, fixture->secret);
  g_byte_array_append (out, signature, sizeof signature);

  return g_bytes_new (out->data + strlen (label), out->len - strlen (label));
}

/* The library seals what the format says, and opens only what it would
 * seal, even when the account key signed it. */
static void
test_strict (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(SottoDeviceList) list = make_list (fixture, 2);
  g_autoptr(GBytes) sealed = seal (list, fixture->key);
  g_autoptr(GBytes) honest = NULL;
  g_autofree char *too_long = g_strnfill (SOTTO_DEVICE_NAME_MAX_BYTES + 1, 'x');
  const guint8 *key = sotto_account_key_get_public (fixture->key);
  SottoPublicIdentity unbound = *device (fixture, 1);
  Entry entries[N_IDENTITIES];
  struct {
    guint8 version;
    guint  n;
    Change change;
    int    code;
  } cases[] = {
    { 2, 2, KEEP, SOTTO_E2E_ERROR_BAD_FORMAT },
    { 1, 0, KEEP, SOTTO_E2E_ERROR_BAD_FORMAT },
    { 1, N_IDENTITIES, KEEP, SOTTO_E2E_ERROR_BAD_FORMAT },
    { 1, 2, SAME_DEVICE, SOTTO_E2E_ERROR_BAD_FORMAT },
    { 1, 2, SAME_BOX_KEY, SOTTO_E2E_ERROR_BAD_FORMAT },
    { 1, 2, EMPTY_NAME, SOTTO_E2E_ERROR_BAD_FORMAT },
    { 1, 2, LONG_NAME, SOTTO_E2E_ERROR_BAD_FORMAT },
    { 1, 2, NOT_UTF8, SOTTO_E2E_ERROR_BAD_FORMAT },
    { 1, 2, NUL_BYTE, SOTTO_E2E_ERROR_BAD_FORMAT },
    { 1, 2, UNBOUND, SOTTO_E2E_ERROR_BAD_BINDING },
  };

  for (guint i = 0; i < N_IDENTITIES; i++)
    {
      entries[i].identity = device (fixture, i);
      entries[i].name = g_strdup_printf ("device %u", i);
      entries[i].name_len = strlen (entries[i].name);
    }

  honest = hand_sealed (fixture, 1, entries, 2);
  g_assert_true (g_bytes_equal (honest, sealed));

  unbound.binding[0] ^= 1;
  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr(GBytes) bytes = NULL;
      Entry changed[N_IDENTITIES];

      memcpy (changed, entries, sizeof entries);
      switch (cases[c].change)
        {
        case SAME_DEVICE:
          changed[1].identity = entries[0].identity;
          break;
        case SAME_BOX_KEY:
          changed[1].identity = sotto_identity_get_public (fixture->twin);
          break;
        case EMPTY_NAME:
          changed[1].name_len = 0;
          break;
        case LONG_NAME:
          changed[1].name = too_long;
          changed[1].name_len = strlen (too_long);
          break;
        case NOT_UTF8:
          changed[1].name = "caf\xc3";
          changed[1].name_len = 4;
          break;
        case NUL_BYTE:
          changed[1].name = "dev\0ce";
          changed[1].name_len = 6;
          break;
        case UNBOUND:
          changed[1].identity = &unbound;
          break;
        case KEEP:
          break;
        }

      bytes = hand_sealed (fixture, cases[c].version, changed, cases[c].n);
      assert_open_refused (bytes, ACCOUNT, key, cases[c].code);
    }

  for (guint i = 0; i < N_IDENTITIES; i++)
    g_free ((char *) entries[i].name);
}

/* The next list follows the one before; the same list, an older one,
 * another key's or another account's does not. */
static void
test_follows (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(SottoDeviceList) current = make_list (fixture, 2);
  g_autoptr(SottoDeviceList) next = sotto_device_list_next (current, TIME + 120000);
  g_autoptr(SottoDeviceList) copy = sotto_device_list_copy (current);
  g_autoptr(SottoDeviceList) other_key = NULL;
  g_autoptr(SottoDeviceList) other_account = NULL;
  g_autoptr(SottoDeviceList) opened = NULL;
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (sotto_device_list_get_counter (next), ==, 8);
  g_assert_cmpint (sotto_device_list_get_time (next), ==, TIME + 120000);
  g_assert_cmpuint (sotto_device_list_get_n_devices (next), ==, 2);
  g_assert_true (sotto_device_list_remove (next, device (fixture, 0)->sign_pk));
  g_assert_true (sotto_device_list_add (next, device (fixture, 3), TIME, "new", &error));
  /* The next list is a copy: the current one did not change. */
  g_assert_cmpuint (sotto_device_list_get_n_devices (current), ==, 2);
  g_assert_nonnull (sotto_device_list_lookup (current, device (fixture, 0)));

  sealed = seal (next, fixture->key);
  opened = sotto_device_list_open (sealed, ACCOUNT, sotto_account_key_get_public (fixture->key),
                                   &error);
  g_assert_no_error (error);
  g_assert_true (sotto_device_list_follows (opened, current, &error));
  g_assert_no_error (error);

  g_assert_false (sotto_device_list_follows (current, opened, &error));
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_REPLAYED);
  g_clear_error (&error);
  g_assert_false (sotto_device_list_follows (copy, current, &error));
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_REPLAYED);
  g_clear_error (&error);

  other_key = sotto_device_list_new (ACCOUNT, sotto_account_key_get_public (fixture->other_key),
                                     100, TIME);
  g_assert_false (sotto_device_list_follows (other_key, current, &error));
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_KEY_MISMATCH);
  g_clear_error (&error);

  other_account = sotto_device_list_new ("bob", sotto_account_key_get_public (fixture->key),
                                         100, TIME);
  g_assert_false (sotto_device_list_follows (other_account, current, &error));
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_WRONG_SENDER);
}

/* The account's identity: signed by the account key itself, its box key
 * from the seed by a derivation written here again, the same wherever the
 * account key is (a second key from the seed, one from the recovery key),
 * and another for another seed. */
static void
test_account_identity (Fixture       *fixture,
                       gconstpointer  data)
{
  static const char label[] = "sotto account box v1";
  g_autoptr(SottoIdentity) identity = sotto_account_key_dup_identity (fixture->key);
  g_autoptr(SottoAccountKey) again = sotto_account_key_new_from_seed (fixture->seed);
  g_autoptr(SottoIdentity) again_identity = sotto_account_key_dup_identity (again);
  g_autofree char *recovery = sotto_account_key_dup_recovery (fixture->key);
  g_autoptr(SottoAccountKey) recovered = sotto_account_key_new_from_recovery (recovery, NULL);
  g_autoptr(SottoIdentity) recovered_identity = sotto_account_key_dup_identity (recovered);
  g_autoptr(SottoAccountKey) other = sotto_account_key_new ();
  g_autoptr(SottoIdentity) other_identity = sotto_account_key_dup_identity (other);
  const SottoPublicIdentity *public = sotto_identity_get_public (identity);
  crypto_generichash_state state;
  guint8 box_seed[crypto_box_SEEDBYTES];
  guint8 box_pk[crypto_box_PUBLICKEYBYTES];
  guint8 box_sk[crypto_box_SECRETKEYBYTES];
  g_autoptr(GError) error = NULL;

  g_assert_cmpmem (public->sign_pk, 32, sotto_account_key_get_public (fixture->key), 32);
  crypto_generichash_init (&state, NULL, 0, sizeof box_seed);
  crypto_generichash_update (&state, (const guint8 *) label, strlen (label));
  crypto_generichash_update (&state, fixture->seed, 32);
  crypto_generichash_final (&state, box_seed, sizeof box_seed);
  crypto_box_seed_keypair (box_pk, box_sk, box_seed);
  g_assert_cmpmem (public->box_pk, 32, box_pk, 32);
  g_assert_true (sotto_public_identity_verify (public, &error));
  g_assert_no_error (error);

  g_assert_true (sotto_public_identity_equal (public, sotto_identity_get_public (again_identity)));
  g_assert_true (sotto_public_identity_equal (public,
                                              sotto_identity_get_public (recovered_identity)));
  g_assert_false (sotto_public_identity_equal (public,
                                               sotto_identity_get_public (other_identity)));
  g_assert_cmpmem (sotto_identity_get_public (other_identity)->sign_pk, 32,
                   sotto_account_key_get_public (other), 32);
}

/* Whether @proof is the account key's signature over a login of
 * @username from @device, the message written here again as
 * docs/security.md gives it. */
static gboolean
proof_verifies (const guint8              *account_key,
                const char                *username,
                const SottoPublicIdentity *device,
                GBytes                    *proof)
{
  static const char label[] = "sotto login proof v1";
  g_autoptr(GByteArray) message = g_byte_array_new ();
  guint8 length = (guint8) strlen (username);

  g_assert_cmpuint (g_bytes_get_size (proof), ==, crypto_sign_BYTES);
  g_byte_array_append (message, (const guint8 *) label, strlen (label));
  g_byte_array_append (message, &length, 1);
  g_byte_array_append (message, (const guint8 *) username, length);
  g_byte_array_append (message, device->box_pk, 32);
  g_byte_array_append (message, device->sign_pk, 32);
  g_byte_array_append (message, device->binding, 64);
  return crypto_sign_verify_detached (g_bytes_get_data (proof, NULL), message->data,
                                      message->len, account_key) == 0;
}

/* A login's proof is the account key's signature over the label, the
 * name in lower case and the whole identity: for no other name, device,
 * or key; the same from the recovered key. */
static void
test_login_proof (Fixture       *fixture,
                  gconstpointer  data)
{
  const SottoPublicIdentity *device = sotto_identity_get_public (fixture->devices[0]);
  const SottoPublicIdentity *other_device = sotto_identity_get_public (fixture->devices[1]);
  const guint8 *key = sotto_account_key_get_public (fixture->key);
  g_autoptr(GBytes) proof = sotto_account_key_prove_login (fixture->key, "Alice", device);
  g_autoptr(GBytes) lower = sotto_account_key_prove_login (fixture->key, "alice", device);
  g_autofree char *recovery = sotto_account_key_dup_recovery (fixture->key);
  g_autoptr(SottoAccountKey) recovered = sotto_account_key_new_from_recovery (recovery, NULL);
  g_autoptr(GBytes) again = sotto_account_key_prove_login (recovered, "alice", device);
  g_autoptr(GBytes) other = sotto_account_key_prove_login (fixture->other_key, "alice", device);
  SottoPublicIdentity changed;

  g_assert_true (proof_verifies (key, "alice", device, proof));
  /* Ed25519 signs deterministically: one name, one device, one proof. */
  g_assert_true (g_bytes_equal (proof, lower));
  g_assert_true (g_bytes_equal (proof, again));

  g_assert_false (proof_verifies (key, "alice2", device, proof));
  g_assert_false (proof_verifies (key, "bob", device, proof));
  g_assert_false (proof_verifies (key, "alice", other_device, proof));
  g_assert_false (proof_verifies (sotto_account_key_get_public (fixture->other_key), "alice",
                                  device, proof));
  g_assert_false (proof_verifies (key, "alice", device, other));
  g_assert_true (proof_verifies (sotto_account_key_get_public (fixture->other_key), "alice",
                                 device, other));

  /* The known answer of docs/protocol.md, computed outside the library:
   * the key of the seed 0 to 31 (the fixture's), alice, and the
   * example's identity (whose binding is a pattern: a proof signs it as
   * it comes). */
  {
    static const char example_proof[] = "bx31RzfVTeZLbxtbQXcPOJvKRYODvANwOYUGtvGZD9hCq25zSvX47dI"
                                        "pyYDR82xewv0i7ek53q7Fu64zJaYqDg==";
    static const char *const example[] = {
      "AQQHCg0QExYZHB8iJSgrLjE0Nzo9QENGSUxPUlVYW14=",
      "gIWKj5SZnqOorbK3vMHGy9DV2t/k6e7z+P0CBwwRFhs=",
      ("//z59vPw7ern5OHe29jV0s/MycbDwL26t7SxrquopaKfnJmWk5CNioeEgX57eHVyb2xpZmNgXVpXVFFO"
       "S0hFQg=="),
    };
    SottoPublicIdentity example_device;
    g_autoptr(GBytes) made = NULL;
    g_autofree char *encoded = NULL;
    guint8 *parts[] = { example_device.box_pk, example_device.sign_pk, example_device.binding };
    gsize sizes[] = { 32, 32, 64 };

    for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
      {
        gsize len = 0;
        g_autofree guint8 *decoded = g_base64_decode (example[i], &len);

        g_assert_cmpuint (len, ==, sizes[i]);
        memcpy (parts[i], decoded, len);
      }
    made = sotto_account_key_prove_login (fixture->key, "alice", &example_device);
    encoded = g_base64_encode (g_bytes_get_data (made, NULL), g_bytes_get_size (made));
    g_assert_cmpstr (encoded, ==, example_proof);
  }

  /* Each part of the identity counts, the binding too. */
  for (guint part = 0; part < 3; part++)
    {
      changed = *device;
      if (part == 0)
        changed.box_pk[0] ^= 1;
      else if (part == 1)
        changed.sign_pk[31] ^= 0x80;
      else
        changed.binding[63] ^= 1;
      g_assert_false (proof_verifies (key, "alice", &changed, proof));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (sodium_init (), >=, 0);

#define ADD(path, func) \
  g_test_add ("/sotto/e2e/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("account-key/recovery-round-trip", test_recovery_round_trip);
  ADD ("account-key/recovery-lenient", test_recovery_lenient);
  ADD ("account-key/recovery-refused", test_recovery_refused);
  ADD ("account-key/identity", test_account_identity);
  ADD ("account-key/login-proof", test_login_proof);
  ADD ("device-list/round-trip", test_round_trip);
  ADD ("device-list/add-refused", test_add_refused);
  ADD ("device-list/lookup-remove", test_lookup_remove);
  ADD ("device-list/set-name", test_set_name);
  ADD ("device-list/seal-refused", test_seal_refused);
  ADD ("device-list/tampered", test_tampered);
  ADD ("device-list/wrong", test_wrong);
  ADD ("device-list/strict", test_strict);
  ADD ("device-list/follows", test_follows);
#undef ADD

  return g_test_run ();
}
