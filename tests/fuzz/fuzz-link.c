/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sodium.h>
#include <string.h>

#include "sotto-e2e.h"

/*
 * Linking a new computer. The first byte picks the mode:
 *
 *   0  the rest is typed as a link code: it reads or fails with
 *      SOTTO_E2E_ERROR_BAD_FORMAT; what reads is written back as the same
 *      symbols, once spaces and dashes are dropped and the look-alikes
 *      read as Crockford reads them, and reads again to the same id
 *   1  the rest is an offer, opened with the fixed code: it opens or fails
 *      with an error of SOTTO_E2E_ERROR and leaves the offer zeroed; what
 *      opens has an identity that verifies and a good name, and can be
 *      approved with a list of Alice's that holds it
 *   2  the rest is an approval, opened by the fixed request: it opens or
 *      fails with an error of SOTTO_E2E_ERROR, and a failure spends
 *      nothing; what opens gives an account key whose list is Alice's,
 *      signed by it and holding the new device, and spends the request
 *   3  the rest is a byte that picks a bit, then a name: a request with it
 *      is made or refused; its offer opens to the same fields and its
 *      approval to Alice's key and list, and each with the bit picked
 *      flipped fails
 */

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

#define ACCOUNT "alice"
#define CODE "7ZQX-R1NK-C0DE-5EED"
#define TIME G_GINT64_CONSTANT (1700000000000)

/* The seeds in corpus/link were made with these keys. */
static SottoAccountKey *alice;
static SottoIdentity *approver;
static SottoIdentity *newcomer;
static SottoLinkCode *code;
static guint8 request_seed[32];

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  guint8 seed[32], box_seed[32], sign_seed[32];

  g_assert_cmpint (sodium_init (), >=, 0);
  memset (seed, 0xa1, sizeof seed);
  alice = sotto_account_key_new_from_seed (seed);
  memset (box_seed, 0x20, sizeof box_seed);
  memset (sign_seed, 0x50, sizeof sign_seed);
  approver = sotto_identity_new_from_seeds (box_seed, sign_seed);
  memset (box_seed, 0x21, sizeof box_seed);
  memset (sign_seed, 0x51, sizeof sign_seed);
  newcomer = sotto_identity_new_from_seeds (box_seed, sign_seed);
  code = sotto_link_code_new_from_string (CODE, NULL);
  g_assert_nonnull (code);
  memset (request_seed, 0x5e, sizeof request_seed);

  return 0;
}

/* Alice's list: the approver and @added, if the list takes it. */
static GBytes *
make_list (const SottoPublicIdentity *added,
           const char                *name)
{
  g_autoptr(SottoDeviceList) list = NULL;
  g_autoptr(GError) error = NULL;
  GBytes *sealed;

  list = sotto_device_list_new (ACCOUNT, sotto_account_key_get_public (alice), 2, TIME);
  g_assert_true (sotto_device_list_add (list, sotto_identity_get_public (approver), TIME,
                                        "Desktop", NULL));
  if (!sotto_device_list_add (list, added, TIME, name, &error))
    {
      g_assert_true (error->domain == SOTTO_E2E_ERROR);
      return NULL;
    }
  sealed = sotto_device_list_seal (list, alice, &error);
  g_assert_no_error (error);
  return sealed;
}

static GBytes *
flip (GBytes *bytes,
      guint   which)
{
  gsize len = g_bytes_get_size (bytes);
  guint8 *copy = g_memdup2 (g_bytes_get_data (bytes, NULL), len);

  copy[(which / 8) % len] ^= (guint8) (1 << (which % 8));
  return g_bytes_new_take (copy, len);
}

static void
fuzz_code (const guint8 *data,
           gsize         size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autoptr(SottoLinkCode) read = NULL;
  g_autoptr(SottoLinkCode) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) typed = g_string_new (NULL);
  g_autoptr(GString) canonical = g_string_new (NULL);
  g_autofree char *written = NULL;
  const char *id;

  read = sotto_link_code_new_from_string (text, &error);
  if (read == NULL)
    {
      g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT);
      return;
    }

  g_assert_no_error (error);
  written = sotto_link_code_to_string (read);
  g_assert_cmpuint (strlen (written), ==, SOTTO_LINK_CODE_LENGTH);
  again = sotto_link_code_new_from_string (written, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sotto_link_code_get_id (again), ==, sotto_link_code_get_id (read));

  id = sotto_link_code_get_id (read);
  g_assert_cmpuint (strlen (id), ==, SOTTO_LINK_ID_LENGTH);
  for (const char *p = id; *p != '\0'; p++)
    g_assert_true (g_ascii_isdigit (*p) || (*p >= 'a' && *p <= 'f'));

  for (const char *p = text; *p != '\0'; p++)
    {
      char c = g_ascii_toupper (*p);

      if (c == '-' || g_ascii_isspace (c))
        continue;
      g_string_append_c (typed, c == 'O' ? '0' : c == 'I' || c == 'L' ? '1' : c);
    }
  for (const char *p = written; *p != '\0'; p++)
    if (*p != '-')
      g_string_append_c (canonical, *p);
  g_assert_cmpstr (typed->str, ==, canonical->str);
}

static void
fuzz_offer (GBytes *input)
{
  g_auto(SottoLinkOffer) offer = { 0 };
  g_autoptr(GBytes) list = NULL;
  g_autoptr(GBytes) approval = NULL;
  g_autoptr(GError) error = NULL;
  static const SottoLinkOffer zero = { 0 };

  memset (offer.ephemeral, 0xaa, sizeof offer.ephemeral);
  if (!sotto_link_offer_open (code, input, &offer, &error))
    {
      g_assert_true (error != NULL && error->domain == SOTTO_E2E_ERROR);
      g_assert_cmpmem (&offer, sizeof offer, &zero, sizeof zero);
      return;
    }

  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (input), <=, SOTTO_LINK_OFFER_MAX_BYTES);
  g_assert_true (sotto_public_identity_verify (&offer.identity, NULL));
  g_assert_cmpuint (strlen (offer.name), >=, 1);
  g_assert_cmpuint (strlen (offer.name), <=, SOTTO_DEVICE_NAME_MAX_BYTES);
  g_assert_true (g_utf8_validate (offer.name, -1, NULL));

  /* An offer of the approver's own keys is one the list cannot take. */
  list = make_list (&offer.identity, offer.name);
  if (list == NULL)
    return;
  approval = sotto_link_approval_seal (code, &offer, alice, list, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (approval), <=, SOTTO_LINK_APPROVAL_MAX_BYTES);
}

static void
fuzz_approval (GBytes *input)
{
  g_autoptr(SottoLinkRequest) request = NULL;
  g_autoptr(SottoAccountKey) key = NULL;
  g_autoptr(SottoDeviceList) list = NULL;
  g_autoptr(GError) error = NULL;

  request = sotto_link_request_new_from_seed (code, sotto_identity_get_public (newcomer), "Laptop",
                                              request_seed, &error);
  g_assert_no_error (error);

  if (!sotto_link_approval_open (request, input, ACCOUNT, &key, &list, &error))
    {
      g_assert_true (error != NULL && error->domain == SOTTO_E2E_ERROR);
      g_assert_null (key);
      g_assert_null (list);
      g_assert_false (sotto_link_request_is_spent (request));
      return;
    }

  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (input), <=, SOTTO_LINK_APPROVAL_MAX_BYTES);
  g_assert_true (sotto_link_request_is_spent (request));
  g_assert_cmpstr (sotto_device_list_get_account (list), ==, ACCOUNT);
  g_assert_cmpmem (sotto_device_list_get_account_public (list), 32,
                   sotto_account_key_get_public (key), 32);
  g_assert_nonnull (sotto_device_list_lookup (list, sotto_identity_get_public (newcomer)));
}

static void
fuzz_round_trip (const guint8 *data,
                 gsize         size)
{
  g_autoptr(SottoLinkRequest) request = NULL;
  g_autoptr(SottoAccountKey) key = NULL;
  g_autoptr(SottoDeviceList) list = NULL;
  g_autoptr(GBytes) offer_bytes = NULL;
  g_autoptr(GBytes) offer_flipped = NULL;
  g_autoptr(GBytes) list_bytes = NULL;
  g_autoptr(GBytes) approval = NULL;
  g_autoptr(GBytes) approval_flipped = NULL;
  g_autoptr(GBytes) resealed = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(SottoLinkOffer) offer = { 0 };
  g_auto(SottoLinkOffer) flipped_offer = { 0 };
  g_autofree char *name = NULL;
  guint which;

  if (size == 0)
    return;
  which = data[0] * 131u;
  name = g_strndup ((const char *) data + 1, size - 1);

  request = sotto_link_request_new (code, sotto_identity_get_public (newcomer), name, &error);
  if (request == NULL)
    {
      g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT);
      return;
    }

  offer_bytes = sotto_link_offer_seal (request, &error);
  g_assert_no_error (error);
  g_assert_true (sotto_link_offer_open (code, offer_bytes, &offer, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (&offer.identity, sizeof offer.identity, sotto_identity_get_public (newcomer),
                   sizeof offer.identity);
  g_assert_cmpmem (offer.ephemeral, 32, sotto_link_request_get_ephemeral (request), 32);
  g_assert_cmpstr (offer.name, ==, name);

  offer_flipped = flip (offer_bytes, which);
  g_assert_false (sotto_link_offer_open (code, offer_flipped, &flipped_offer, NULL));

  list_bytes = make_list (&offer.identity, offer.name);
  g_assert_nonnull (list_bytes);
  approval = sotto_link_approval_seal (code, &offer, alice, list_bytes, &error);
  g_assert_no_error (error);

  approval_flipped = flip (approval, which);
  g_assert_false (sotto_link_approval_open (request, approval_flipped, ACCOUNT, &key, &list,
                                            NULL));
  g_assert_false (sotto_link_request_is_spent (request));

  g_assert_true (sotto_link_approval_open (request, approval, ACCOUNT, &key, &list, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (sotto_account_key_get_public (key), 32, sotto_account_key_get_public (alice),
                   32);
  resealed = sotto_device_list_seal (list, key, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (resealed, list_bytes));
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GBytes) rest = NULL;

  if (size == 0 || size > 8192)
    return 0;

  switch (data[0] % 4)
    {
    case 0:
      fuzz_code (data + 1, size - 1);
      break;
    case 1:
      rest = g_bytes_new (data + 1, size - 1);
      fuzz_offer (rest);
      break;
    case 2:
      rest = g_bytes_new (data + 1, size - 1);
      fuzz_approval (rest);
      break;
    default:
      fuzz_round_trip (data + 1, size - 1);
      break;
    }

  return 0;
}
