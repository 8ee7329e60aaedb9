/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sodium.h>
#include <string.h>

#include "sotto-e2e.h"

/*
 * Device lists and recovery keys. The first byte picks the mode:
 *
 *   0  the rest is a sealed list of "alice": it opens or fails with an
 *      error of SOTTO_E2E_ERROR; what opens holds 1 to 16 devices with
 *      good names, verified identities and no key twice, opens again only
 *      for the key it names, and, when that key is Alice's, seals again
 *      to the same bytes
 *   1  the rest is typed as a recovery key: it reads or fails with
 *      SOTTO_E2E_ERROR_BAD_FORMAT; what reads is the canonical recovery
 *      key of the key it gives, once spaces and dashes are dropped and
 *      the look-alikes read as Crockford reads them
 *   2  the rest is a byte that sets the counter and picks a bit, then a
 *      story of Alice's devices: a byte (the top bit: removed, not
 *      added; the rest: which device), a name length and the name; what
 *      a list refuses leaves it as it was; the list sealed opens to the
 *      same fields, and flipping the bit picked makes it fail
 */

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

#define ACCOUNT "alice"
#define N_CAST 20

static SottoAccountKey *alice;
static SottoIdentity *cast[N_CAST];
/* cast[0]'s box key, bound to a signing key of its own. */
static SottoIdentity *twin;

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  guint8 seed[32], box_seed[32], sign_seed[32];

  g_assert_cmpint (sodium_init (), >=, 0);
  memset (seed, 0xa1, sizeof seed);
  alice = sotto_account_key_new_from_seed (seed);
  for (guint i = 0; i < N_CAST; i++)
    {
      memset (box_seed, 0x10 + i, sizeof box_seed);
      memset (sign_seed, 0x40 + i, sizeof sign_seed);
      cast[i] = sotto_identity_new_from_seeds (box_seed, sign_seed);
    }
  memset (box_seed, 0x10, sizeof box_seed);
  memset (sign_seed, 0x70, sizeof sign_seed);
  twin = sotto_identity_new_from_seeds (box_seed, sign_seed);

  return 0;
}

static void
assert_sane (const SottoDeviceList *list)
{
  guint n = sotto_device_list_get_n_devices (list);

  g_assert_cmpstr (sotto_device_list_get_account (list), ==, ACCOUNT);
  g_assert_cmpuint (n, >=, 1);
  g_assert_cmpuint (n, <=, SOTTO_DEVICE_LIST_MAX_DEVICES);
  for (guint i = 0; i < n; i++)
    {
      const SottoDevice *device = sotto_device_list_get_device (list, i);
      gsize len = strlen (device->name);

      g_assert_cmpuint (len, >=, 1);
      g_assert_cmpuint (len, <=, SOTTO_DEVICE_NAME_MAX_BYTES);
      g_assert_true (g_utf8_validate (device->name, -1, NULL));
      g_assert_true (sotto_public_identity_verify (&device->identity, NULL));
      g_assert_true (sotto_device_list_lookup (list, &device->identity) == device);
      for (guint j = 0; j < i; j++)
        {
          const SottoDevice *other = sotto_device_list_get_device (list, j);

          g_assert_true (memcmp (other->identity.sign_pk, device->identity.sign_pk, 32) != 0);
          g_assert_true (memcmp (other->identity.box_pk, device->identity.box_pk, 32) != 0);
        }
    }
}

static void
assert_same (const SottoDeviceList *a,
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

static void
fuzz_open (GBytes *input)
{
  g_autoptr(SottoDeviceList) list = NULL;
  g_autoptr(SottoDeviceList) pinned = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) pinned_error = NULL;
  const guint8 *alice_public = sotto_account_key_get_public (alice);

  list = sotto_device_list_open (input, ACCOUNT, NULL, &error);
  pinned = sotto_device_list_open (input, ACCOUNT, alice_public, &pinned_error);
  if (list == NULL)
    {
      g_assert_true (error != NULL && error->domain == SOTTO_E2E_ERROR);
      g_assert_null (pinned);
      g_assert_true (pinned_error != NULL && pinned_error->domain == SOTTO_E2E_ERROR);
      return;
    }

  g_assert_no_error (error);
  assert_sane (list);
  g_assert_cmpuint (g_bytes_get_size (input), <=, SOTTO_DEVICE_LIST_MAX_BYTES);

  if (memcmp (sotto_device_list_get_account_public (list), alice_public, 32) == 0)
    {
      g_autoptr(GBytes) again = NULL;

      g_assert_no_error (pinned_error);
      assert_same (pinned, list);
      again = sotto_device_list_seal (list, alice, &error);
      g_assert_no_error (error);
      g_assert_true (g_bytes_equal (again, input));
    }
  else
    {
      g_assert_error (pinned_error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_KEY_MISMATCH);
      g_assert_null (pinned);
    }
}

static void
fuzz_recovery (const guint8 *data,
               gsize         size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autoptr(SottoAccountKey) key = NULL;
  g_autoptr(SottoAccountKey) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) typed = g_string_new (NULL);
  g_autoptr(GString) canonical = g_string_new (NULL);
  g_autofree char *recovery = NULL;

  key = sotto_account_key_new_from_recovery (text, &error);
  if (key == NULL)
    {
      g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT);
      return;
    }

  g_assert_no_error (error);
  recovery = sotto_account_key_dup_recovery (key);
  g_assert_cmpuint (strlen (recovery), ==, SOTTO_RECOVERY_KEY_LENGTH);
  again = sotto_account_key_new_from_recovery (recovery, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (sotto_account_key_get_public (again), 32,
                   sotto_account_key_get_public (key), 32);

  for (const char *p = text; *p != '\0'; p++)
    {
      char c = g_ascii_toupper (*p);

      if (c == '-' || g_ascii_isspace (c))
        continue;
      g_string_append_c (typed, c == 'O' ? '0' : c == 'I' || c == 'L' ? '1' : c);
    }
  for (const char *p = recovery; *p != '\0'; p++)
    if (*p != '-')
      g_string_append_c (canonical, *p);
  g_assert_cmpstr (typed->str, ==, canonical->str);
}

static void
fuzz_story (const guint8 *data,
            gsize         size)
{
  g_autoptr(SottoDeviceList) list = NULL;
  g_autoptr(SottoDeviceList) opened = NULL;
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(GBytes) flipped_bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *flipped = NULL;
  guint8 which = size > 0 ? data[0] : 0;
  gsize pos = 1, sealed_len;
  gint64 time = 0;

  list = sotto_device_list_new (ACCOUNT, sotto_account_key_get_public (alice), which, which);
  while (pos + 2 <= size)
    {
      gboolean remove = (data[pos] & 0x80) != 0;
      guint who = (data[pos] & 0x7f) % (N_CAST + 1);
      gsize name_len = MIN ((gsize) data[pos + 1], size - pos - 2);
      const SottoPublicIdentity *identity = who < N_CAST ? sotto_identity_get_public (cast[who])
                                                         : sotto_identity_get_public (twin);
      g_autofree char *name = g_strndup ((const char *) data + pos + 2, name_len);
      guint n = sotto_device_list_get_n_devices (list);
      g_autoptr(GError) add_error = NULL;

      pos += 2 + name_len;
      if (remove)
        {
          gboolean held = sotto_device_list_lookup (list, identity) != NULL;

          g_assert_cmpint (sotto_device_list_remove (list, identity->sign_pk), ==, held);
          g_assert_null (sotto_device_list_lookup (list, identity));
          continue;
        }

      if (sotto_device_list_add (list, identity, time++, name, &add_error))
        {
          g_assert_no_error (add_error);
          g_assert_cmpuint (sotto_device_list_get_n_devices (list), ==, n + 1);
          g_assert_cmpstr (sotto_device_list_lookup (list, identity)->name, ==, name);
        }
      else
        {
          g_assert_true (add_error != NULL && add_error->domain == SOTTO_E2E_ERROR);
          g_assert_cmpuint (sotto_device_list_get_n_devices (list), ==, n);
        }
    }

  if (sotto_device_list_get_n_devices (list) == 0)
    {
      sealed = sotto_device_list_seal (list, alice, &error);
      g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT);
      g_assert_null (sealed);
      return;
    }

  assert_sane (list);
  sealed = sotto_device_list_seal (list, alice, &error);
  g_assert_no_error (error);
  opened = sotto_device_list_open (sealed, ACCOUNT, sotto_account_key_get_public (alice), &error);
  g_assert_no_error (error);
  assert_same (opened, list);

  flipped = g_memdup2 (g_bytes_get_data (sealed, NULL), g_bytes_get_size (sealed));
  sealed_len = g_bytes_get_size (sealed);
  flipped[(which * 8 + size) % sealed_len] ^= (guint8) (1 << (which % 8));
  flipped_bytes = g_bytes_new (flipped, sealed_len);
  g_clear_pointer (&opened, sotto_device_list_free);
  opened = sotto_device_list_open (flipped_bytes, ACCOUNT, NULL, &error);
  g_assert_null (opened);
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
      fuzz_open (rest);
      break;
    case 1:
      fuzz_recovery (data + 1, size - 1);
      break;
    default:
      fuzz_story (data + 1, size - 1);
      break;
    }

  return 0;
}
