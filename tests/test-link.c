/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sodium.h>
#include <stdarg.h>
#include <string.h>

#include "sotto-e2e.h"
#include "sotto-protocol-types.h"

/*
 * Linking a new computer: the link code, the offer the new computer sends
 * and the approval it gets back. The server carries both and sees the
 * link id: it must read neither, put no keys of its own in the new
 * computer's place, and get no approval opened twice or for another link.
 * The formats and derivations are written here again, independently of
 * the library, to seal offers and approvals by hand.
 */

/* The protocol carries link ids, offers and approvals without linking
 * this library: its sizes must be these. */
G_STATIC_ASSERT (SOTTO_PROTOCOL_LINK_ID_LENGTH == SOTTO_LINK_ID_LENGTH);
G_STATIC_ASSERT (SOTTO_PROTOCOL_LINK_OFFER_MAX_BYTES == SOTTO_LINK_OFFER_MAX_BYTES);
G_STATIC_ASSERT (SOTTO_PROTOCOL_LINK_APPROVAL_MAX_BYTES == SOTTO_LINK_APPROVAL_MAX_BYTES);

#define ACCOUNT "alice"
#define NAME "Laptop"
#define TIME G_GINT64_CONSTANT (1700000000000)
#define N_OTHERS 14

/* The code whose secret is the bytes 1 to 10; its text and id were
 * computed outside the library. */
#define KNOWN_TEXT "0410-6105-0R3G-G28A"
#define KNOWN_ID "d2e4cb9d4d446b7ff8a661ce182052fc"
static const guint8 known_secret[10] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };

static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/* X25519 points of small order: the exchange with them is zero. */
static const guint8 small_order[][32] = {
  { 0 },
  { 1 },
  { 0xe0, 0xeb, 0x7a, 0x7c, 0x3b, 0x41, 0xb8, 0xae, 0x16, 0x56, 0xe3, 0xfa, 0xf1, 0x9f, 0xc4,
    0x6a, 0xda, 0x09, 0x8d, 0xeb, 0x9c, 0x32, 0xb1, 0xfd, 0x86, 0x62, 0x05, 0x16, 0x5f, 0x49,
    0xb8, 0x00 },
};

typedef struct
{
  SottoAccountKey *key;
  SottoAccountKey *other_key;
  /* Alice's computer that is signed in, and the one she links. */
  SottoIdentity   *approver;
  SottoIdentity   *newcomer;
  /* The server's own device, which it would like on Alice's list. */
  SottoIdentity   *stranger;
  /* The newcomer's box key, bound to a signing key of its own. */
  SottoIdentity   *twin;
  SottoIdentity   *others[N_OTHERS];
  /* KNOWN_TEXT. */
  SottoLinkCode   *code;
} Fixture;

static SottoIdentity *
identity_from (guint8 box,
               guint8 sign)
{
  guint8 box_seed[32], sign_seed[32];

  memset (box_seed, box, sizeof box_seed);
  memset (sign_seed, sign, sizeof sign_seed);
  return sotto_identity_new_from_seeds (box_seed, sign_seed);
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  guint8 seed[32];

  for (guint i = 0; i < sizeof seed; i++)
    seed[i] = (guint8) i;
  fixture->key = sotto_account_key_new_from_seed (seed);
  fixture->other_key = sotto_account_key_new ();
  fixture->approver = identity_from (1, 101);
  fixture->newcomer = identity_from (2, 102);
  fixture->stranger = identity_from (3, 103);
  fixture->twin = identity_from (2, 200);
  for (guint i = 0; i < N_OTHERS; i++)
    fixture->others[i] = identity_from ((guint8) (10 + i), (guint8) (110 + i));
  fixture->code = sotto_link_code_new_from_string (KNOWN_TEXT, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_assert_finalize_object (fixture->key);
  g_assert_finalize_object (fixture->other_key);
  g_assert_finalize_object (fixture->approver);
  g_assert_finalize_object (fixture->newcomer);
  g_assert_finalize_object (fixture->stranger);
  g_assert_finalize_object (fixture->twin);
  for (guint i = 0; i < N_OTHERS; i++)
    g_assert_finalize_object (fixture->others[i]);
  g_assert_finalize_object (fixture->code);
}

static const SottoPublicIdentity *
public_of (SottoIdentity *identity)
{
  return sotto_identity_get_public (identity);
}

/* @account's list, naming @key: the approver and, if not NULL, @added as
 * NAME; sealed with @key. */
static GBytes *
make_list (Fixture                   *fixture,
           const char                *account,
           SottoAccountKey           *key,
           const SottoPublicIdentity *added)
{
  g_autoptr(SottoDeviceList) list = NULL;
  g_autoptr(GError) error = NULL;
  GBytes *sealed;

  list = sotto_device_list_new (account, sotto_account_key_get_public (key), 2, TIME);
  g_assert_true (sotto_device_list_add (list, public_of (fixture->approver), TIME - 1000, "Desktop",
                                        &error));
  if (added != NULL)
    g_assert_true (sotto_device_list_add (list, added, TIME, NAME, &error));
  g_assert_no_error (error);
  sealed = sotto_device_list_seal (list, key, &error);
  g_assert_no_error (error);
  return sealed;
}

static SottoLinkRequest *
new_request (Fixture       *fixture,
             SottoLinkCode *code)
{
  g_autoptr(GError) error = NULL;
  SottoLinkRequest *request;

  request = sotto_link_request_new (code, public_of (fixture->newcomer), NAME, &error);
  g_assert_no_error (error);
  g_assert_nonnull (request);
  return request;
}

static SottoLinkRequest *
new_request_from_seed (Fixture       *fixture,
                       SottoLinkCode *code,
                       guint8         byte)
{
  g_autoptr(GError) error = NULL;
  SottoLinkRequest *request;
  guint8 seed[32];

  memset (seed, byte, sizeof seed);
  request = sotto_link_request_new_from_seed (code, public_of (fixture->newcomer), NAME, seed,
                                              &error);
  g_assert_no_error (error);
  g_assert_nonnull (request);
  return request;
}

static GBytes *
seal_offer (SottoLinkRequest *request)
{
  g_autoptr(GError) error = NULL;
  GBytes *offer = sotto_link_offer_seal (request, &error);

  g_assert_no_error (error);
  g_assert_nonnull (offer);
  return offer;
}

static void
open_offer (SottoLinkCode  *code,
            GBytes         *bytes,
            SottoLinkOffer *offer)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (sotto_link_offer_open (code, bytes, offer, &error));
  g_assert_no_error (error);
}

/* What an honest approver answers @request with, having typed @typed:
 * the account's list with the offer's identity added. */
static GBytes *
approve (Fixture          *fixture,
         SottoLinkCode    *typed,
         SottoLinkRequest *request)
{
  g_auto(SottoLinkOffer) offer = { 0 };
  g_autoptr(GBytes) offer_bytes = seal_offer (request);
  g_autoptr(GBytes) list = NULL;
  g_autoptr(GError) error = NULL;
  GBytes *approval;

  open_offer (typed, offer_bytes, &offer);
  list = make_list (fixture, ACCOUNT, fixture->key, &offer.identity);
  approval = sotto_link_approval_seal (typed, &offer, fixture->key, list, &error);
  g_assert_no_error (error);
  g_assert_nonnull (approval);
  return approval;
}

static void
assert_offer_refused (SottoLinkCode *code,
                      GBytes        *bytes,
                      int            error_code)
{
  g_auto(SottoLinkOffer) offer = { 0 };
  g_autoptr(GError) error = NULL;
  static const guint8 zero[sizeof offer] = { 0 };

  memset (&offer.identity, 0xaa, sizeof offer.identity);
  memset (offer.ephemeral, 0xaa, sizeof offer.ephemeral);
  g_assert_false (sotto_link_offer_open (code, bytes, &offer, &error));
  g_assert_error (error, SOTTO_E2E_ERROR, error_code);
  /* Nothing of what was refused is left in the offer. */
  g_assert_cmpmem (&offer, sizeof offer, zero, sizeof zero);
}

static void
assert_approval_refused (SottoLinkRequest *request,
                         GBytes           *bytes,
                         const char       *account,
                         int               error_code)
{
  SottoAccountKey *key = GSIZE_TO_POINTER (1);
  SottoDeviceList *list = GSIZE_TO_POINTER (1);
  g_autoptr(GError) error = NULL;
  gboolean spent = sotto_link_request_is_spent (request);

  g_assert_false (sotto_link_approval_open (request, bytes, account, &key, &list, &error));
  g_assert_error (error, SOTTO_E2E_ERROR, error_code);
  g_assert_null (key);
  g_assert_null (list);
  /* A refused approval spends nothing. */
  g_assert_cmpint (sotto_link_request_is_spent (request), ==, spent);
}

/* Opens @bytes for @request and checks that it gives Alice's key and
 * exactly @expected_list, which holds the newcomer. */
static void
assert_approval_opens (Fixture          *fixture,
                       SottoLinkRequest *request,
                       GBytes           *bytes,
                       GBytes           *expected_list)
{
  g_autoptr(SottoAccountKey) key = NULL;
  g_autoptr(SottoDeviceList) list = NULL;
  g_autoptr(GBytes) seed = NULL;
  g_autoptr(GBytes) expected_seed = sotto_account_key_dup_seed (fixture->key);
  g_autoptr(GBytes) resealed = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (sotto_link_approval_open (request, bytes, ACCOUNT, &key, &list, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (sotto_account_key_get_public (key), 32,
                   sotto_account_key_get_public (fixture->key), 32);
  seed = sotto_account_key_dup_seed (key);
  g_assert_true (g_bytes_equal (seed, expected_seed));
  /* The list the approver sealed, to the byte; the key the new computer
   * got signs it again to the same bytes. */
  resealed = sotto_device_list_seal (list, key, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (resealed, expected_list));
  g_assert_cmpstr (sotto_device_list_get_account (list), ==, ACCOUNT);
  g_assert_nonnull (sotto_device_list_lookup (list, public_of (fixture->newcomer)));
  g_assert_true (sotto_link_request_is_spent (request));
}

/* The format and the derivations, written again. */

/* BLAKE2b-256 of @label and the parts that follow, each a pointer and a
 * gsize length, ending with NULL. */
static void
hash_parts (guint8     *out,
            const char *label,
            ...)
{
  crypto_generichash_state state;
  const guint8 *part;
  va_list args;

  crypto_generichash_init (&state, NULL, 0, 32);
  crypto_generichash_update (&state, (const guint8 *) label, strlen (label));
  va_start (args, label);
  while ((part = va_arg (args, const guint8 *)) != NULL)
    crypto_generichash_update (&state, part, va_arg (args, gsize));
  va_end (args);
  crypto_generichash_final (&state, out, 32);
}

static void
derive_id (const guint8 *secret,
           guint8       *id)
{
  guint8 hash[32];

  hash_parts (hash, "sotto link id v1", secret, (gsize) 10, NULL);
  memcpy (id, hash, 16);
}

static void
derive_key (const guint8 *secret,
            guint8       *key)
{
  hash_parts (key, "sotto link key v1", secret, (gsize) 10, NULL);
}

static char *
to_hex (const guint8 *data,
        gsize         len)
{
  GString *hex = g_string_new (NULL);

  for (gsize i = 0; i < len; i++)
    g_string_append_printf (hex, "%02x", data[i]);
  return g_string_free (hex, FALSE);
}

/* A code's text as the format says: 80 bits, 5 to a symbol, in groups of
 * 4 joined by '-'. */
static char *
encode_code (const guint8 *secret)
{
  GString *text = g_string_new (NULL);

  for (guint bit = 0; bit < 80; bit += 5)
    {
      guint value = 0;

      for (guint j = bit; j < bit + 5; j++)
        value = (value << 1) | ((secret[j / 8] >> (7 - j % 8)) & 1);
      if (bit > 0 && bit % 20 == 0)
        g_string_append_c (text, '-');
      g_string_append_c (text, alphabet[value]);
    }

  return g_string_free (text, FALSE);
}

static void
put_u16 (GByteArray *out,
         guint       value)
{
  guint8 buf[2] = { (guint8) (value >> 8), (guint8) value };

  g_byte_array_append (out, buf, sizeof buf);
}

/* An offer's plaintext: identity, ephemeral key, name. */
static GByteArray *
offer_plain (const SottoPublicIdentity *identity,
             const guint8              *ephemeral,
             const char                *name,
             gsize                      name_len)
{
  GByteArray *plain = g_byte_array_new ();

  g_byte_array_append (plain, (const guint8 *) identity, 128);
  g_byte_array_append (plain, ephemeral, 32);
  put_u16 (plain, name_len);
  g_byte_array_append (plain, (const guint8 *) name, name_len);
  return plain;
}

/* XChaCha20-Poly1305 of @plain under @key, after @header and a nonce,
 * with @ad_version and @id as associated data. */
static GBytes *
hand_seal (const guint8 *header,
           gsize         header_len,
           guint8        ad_version,
           const guint8 *id,
           const guint8 *key,
           GByteArray   *plain)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  guint8 ad[17];
  guint8 nonce[24];
  gsize start;

  ad[0] = ad_version;
  memcpy (ad + 1, id, 16);
  randombytes_buf (nonce, sizeof nonce);
  g_byte_array_append (out, header, header_len);
  g_byte_array_append (out, nonce, sizeof nonce);
  start = out->len;
  g_byte_array_set_size (out, start + plain->len + 16);
  crypto_aead_xchacha20poly1305_ietf_encrypt (out->data + start, NULL, plain->data, plain->len,
                                              ad, sizeof ad, NULL, nonce, key);
  return g_bytes_new (out->data, out->len);
}

/* An offer for the known code, of @version, authenticated as @ad_version
 * of link @id. */
static GBytes *
hand_offer (guint8        version,
            guint8        ad_version,
            const guint8 *id,
            GByteArray   *plain)
{
  guint8 key[32];

  derive_key (known_secret, key);
  return hand_seal (&version, 1, ad_version, id, key, plain);
}

/* An approval's plaintext: the seed, the list with @declared as its
 * length, and @trailing bytes more. */
static GByteArray *
approval_plain (SottoAccountKey *key,
                GBytes          *list,
                guint            declared,
                guint            trailing)
{
  g_autoptr(GBytes) seed = sotto_account_key_dup_seed (key);
  GByteArray *plain = g_byte_array_new ();
  gsize len;
  const guint8 *data = g_bytes_get_data (list, &len);

  g_byte_array_append (plain, g_bytes_get_data (seed, NULL), 32);
  put_u16 (plain, declared);
  g_byte_array_append (plain, data, len);
  for (guint i = 0; i < trailing; i++)
    g_byte_array_append (plain, (const guint8 *) "x", 1);
  return plain;
}

typedef enum
{
  HONEST,
  KEYS_SWAPPED,
  SMALL_ORDER,
} HandKey;

/* An approval for the known code, of @version, to @new_pk; its key
 * derived as the format says or, with KEYS_SWAPPED, with the two
 * ephemeral keys the other way round; with SMALL_ORDER, naming an
 * approver's key of small order. */
static GBytes *
hand_approval (guint8        version,
               const guint8 *new_pk,
               HandKey       how,
               GByteArray   *plain)
{
  guint8 approver_pk[32], approver_sk[32], shared[32], k[32], k2[32], id[16];
  guint8 header[33];

  derive_key (known_secret, k);
  derive_id (known_secret, id);
  crypto_box_keypair (approver_pk, approver_sk);
  g_assert_cmpint (crypto_scalarmult (shared, approver_sk, new_pk), ==, 0);
  if (how == KEYS_SWAPPED)
    hash_parts (k2, "sotto link approval v1", k, (gsize) 32, shared, (gsize) 32,
                new_pk, (gsize) 32, approver_pk, (gsize) 32, NULL);
  else
    hash_parts (k2, "sotto link approval v1", k, (gsize) 32, shared, (gsize) 32,
                approver_pk, (gsize) 32, new_pk, (gsize) 32, NULL);

  header[0] = version;
  memcpy (header + 1, how == SMALL_ORDER ? small_order[2] : approver_pk, 32);
  return hand_seal (header, sizeof header, version, id, k2, plain);
}

/* The tests. */

static void
assert_code_refused (const char *text)
{
  g_autoptr(SottoLinkCode) code = NULL;
  g_autoptr(GError) error = NULL;

  code = sotto_link_code_new_from_string (text, &error);
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT);
  g_assert_null (code);
}

static SottoLinkCode *
code_from (const char *text)
{
  g_autoptr(GError) error = NULL;
  SottoLinkCode *code = sotto_link_code_new_from_string (text, &error);

  g_assert_no_error (error);
  g_assert_nonnull (code);
  return code;
}

/* A code reads back to itself; a known answer computed outside the
 * library fixes the text and the id. */
static void
test_code_round_trip (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autofree char *known = sotto_link_code_to_string (fixture->code);
  g_autofree char *encoded = encode_code (known_secret);
  g_autofree char *id_hex = NULL;
  guint8 id[16];

  g_assert_cmpstr (known, ==, KNOWN_TEXT);
  g_assert_cmpstr (encoded, ==, KNOWN_TEXT);
  g_assert_cmpstr (sotto_link_code_get_id (fixture->code), ==, KNOWN_ID);
  derive_id (known_secret, id);
  id_hex = to_hex (id, sizeof id);
  g_assert_cmpstr (id_hex, ==, KNOWN_ID);

  for (guint n = 0; n < 32; n++)
    {
      g_autoptr(SottoLinkCode) code = sotto_link_code_new ();
      g_autoptr(SottoLinkCode) again = NULL;
      g_autofree char *text = sotto_link_code_to_string (code);
      g_autofree char *text_again = NULL;

      g_assert_cmpuint (strlen (text), ==, SOTTO_LINK_CODE_LENGTH);
      for (guint i = 0; i < SOTTO_LINK_CODE_LENGTH; i++)
        {
          if (i % 5 == 4)
            g_assert_cmpint (text[i], ==, '-');
          else
            g_assert_nonnull (strchr (alphabet, text[i]));
        }

      again = code_from (text);
      text_again = sotto_link_code_to_string (again);
      g_assert_cmpstr (text_again, ==, text);
      g_assert_cmpstr (sotto_link_code_get_id (again), ==, sotto_link_code_get_id (code));
    }
}

/* A code reads as a person types it. */
static void
test_code_lenient (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *lower = g_ascii_strdown (KNOWN_TEXT, -1);
  g_autoptr(GString) spaced = g_string_new (NULL);
  g_autoptr(GString) bare = g_string_new (NULL);
  g_autoptr(GString) lines = g_string_new (" ");
  g_autoptr(GString) look_alikes = g_string_new (NULL);
  static const char ones[] = "IiLl";
  const char *texts[5];

  for (guint i = 0; KNOWN_TEXT[i] != '\0'; i++)
    {
      char c = KNOWN_TEXT[i];

      g_string_append_c (spaced, c == '-' ? ' ' : c);
      if (c != '-')
        g_string_append_c (bare, c);
      g_string_append_c (lines, c == '-' ? '\n' : c);
      if (c == '0')
        g_string_append_c (look_alikes, i % 2 == 0 ? 'O' : 'o');
      else if (c == '1')
        g_string_append_c (look_alikes, ones[i % 4]);
      else
        g_string_append_c (look_alikes, c);
    }
  g_string_append (lines, "\r\n");

  /* The known code has both 0 and 1 in it, so the look-alikes are read. */
  g_assert_nonnull (strchr (KNOWN_TEXT, '0'));
  g_assert_nonnull (strchr (KNOWN_TEXT, '1'));
  g_assert_cmpstr (look_alikes->str, !=, KNOWN_TEXT);

  texts[0] = lower;
  texts[1] = spaced->str;
  texts[2] = bare->str;
  texts[3] = lines->str;
  texts[4] = look_alikes->str;
  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr(SottoLinkCode) code = code_from (texts[i]);
      g_autofree char *text = sotto_link_code_to_string (code);

      g_assert_cmpstr (text, ==, KNOWN_TEXT);
      g_assert_cmpstr (sotto_link_code_get_id (code), ==, KNOWN_ID);
    }
}

/* Other characters, a character dropped or added, and other lengths are
 * refused; a symbol changed for another is another code. */
static void
test_code_refused (Fixture       *fixture,
                   gconstpointer  data)
{
  const char *others[] = { "U", "u", "*", "_", "\xc3\xa9", "\t-" };
  const char *known = KNOWN_TEXT;
  gsize len = strlen (known);
  g_autoptr(GHashTable) ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  g_hash_table_add (ids, g_strdup (KNOWN_ID));
  for (gsize i = 0; i < len; i++)
    {
      g_autofree char *dropped = NULL;
      g_autofree char *added = NULL;

      if (known[i] == '-')
        continue;

      dropped = g_strdup (known);
      memmove (dropped + i, dropped + i + 1, len - i);
      assert_code_refused (dropped);
      added = g_strdup_printf ("%.*s0%s", (int) i, known, known + i);
      assert_code_refused (added);

      for (guint o = 0; o < G_N_ELEMENTS (others); o++)
        {
          g_autofree char *changed = g_strdup_printf ("%.*s%s%s", (int) i, known, others[o],
                                                      known + i + 1);

          assert_code_refused (changed);
        }

      /* Every other symbol in its place is a code of its own. */
      for (guint v = 0; v < 32; v++)
        {
          g_autofree char *changed = g_strdup (known);
          g_autoptr(SottoLinkCode) code = NULL;
          g_autofree char *text = NULL;

          if (alphabet[v] == known[i])
            continue;
          changed[i] = alphabet[v];
          code = code_from (changed);
          text = sotto_link_code_to_string (code);
          g_assert_cmpstr (text, ==, changed);
          g_assert_true (g_hash_table_add (ids, g_strdup (sotto_link_code_get_id (code))));
        }
    }
  g_assert_cmpuint (g_hash_table_size (ids), ==, 1 + 16 * 31);

  assert_code_refused ("");
  assert_code_refused ("----");
  assert_code_refused (KNOWN_TEXT "0");
  assert_code_refused ("000G4-0R40M-30E20-9185G-R38E1-W8124-GK2GA-HC5RR-34D1P-70X3R-FYBQ8");
}

/* The id is the same for one code, another for another, lowercase hex,
 * and neither the secret nor the key. */
static void
test_code_id (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(SottoLinkCode) again = code_from (KNOWN_TEXT);
  g_autoptr(GHashTable) ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *secret_hex = to_hex (known_secret, sizeof known_secret);
  g_autofree char *key_hex = NULL;
  const char *id = sotto_link_code_get_id (fixture->code);
  guint8 key[32];

  g_assert_cmpstr (sotto_link_code_get_id (again), ==, id);
  g_assert_true (sotto_link_code_get_id (fixture->code) == id);

  g_assert_cmpuint (strlen (id), ==, SOTTO_LINK_ID_LENGTH);
  for (guint i = 0; id[i] != '\0'; i++)
    g_assert_true (g_ascii_isdigit (id[i]) || (id[i] >= 'a' && id[i] <= 'f'));

  derive_key (known_secret, key);
  key_hex = to_hex (key, sizeof key);
  g_assert_null (strstr (id, secret_hex));
  g_assert_null (strstr (key_hex, id));
  g_assert_true (strncmp (id, key_hex, 8) != 0);

  for (guint n = 0; n < 256; n++)
    {
      g_autoptr(SottoLinkCode) code = sotto_link_code_new ();
      g_autofree char *text = sotto_link_code_to_string (code);
      g_autofree char *lower = g_ascii_strdown (text, -1);

      g_assert_true (g_hash_table_add (ids, g_strdup (sotto_link_code_get_id (code))));
      g_assert_null (strstr (sotto_link_code_get_id (code), lower));
    }
  g_assert_false (g_hash_table_contains (ids, id));
}

/* A request takes only a good name and an identity that verifies; one
 * seed gives one ephemeral key. */
static void
test_request_refused (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autofree char *longest = g_strnfill (SOTTO_DEVICE_NAME_MAX_BYTES, 'x');
  g_autofree char *too_long = g_strnfill (SOTTO_DEVICE_NAME_MAX_BYTES + 1, 'x');
  g_autoptr(SottoLinkRequest) first = new_request_from_seed (fixture, fixture->code, 7);
  g_autoptr(SottoLinkRequest) second = new_request_from_seed (fixture, fixture->code, 7);
  g_autoptr(SottoLinkRequest) third = new_request_from_seed (fixture, fixture->code, 8);
  g_autoptr(SottoLinkRequest) random = new_request (fixture, fixture->code);
  SottoPublicIdentity unbound = *public_of (fixture->newcomer);
  struct {
    const SottoPublicIdentity *identity;
    const char                *name;
    int                        code;
  } cases[] = {
    { NULL, "", SOTTO_E2E_ERROR_BAD_FORMAT },
    { NULL, NULL, SOTTO_E2E_ERROR_BAD_FORMAT },
    { NULL, "caf\xc3", SOTTO_E2E_ERROR_BAD_FORMAT },
    { NULL, "\xff", SOTTO_E2E_ERROR_BAD_FORMAT },
    { NULL, NAME, SOTTO_E2E_ERROR_BAD_BINDING },
  };

  unbound.binding[3] ^= 1;
  cases[1].name = too_long;
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(SottoLinkRequest) request = NULL;
      g_autoptr(GError) error = NULL;

      cases[i].identity = i == G_N_ELEMENTS (cases) - 1 ? &unbound : public_of (fixture->newcomer);
      request = sotto_link_request_new (fixture->code, cases[i].identity, cases[i].name, &error);
      g_assert_error (error, SOTTO_E2E_ERROR, cases[i].code);
      g_assert_null (request);
    }

  g_assert_cmpmem (sotto_link_request_get_ephemeral (first), 32,
                   sotto_link_request_get_ephemeral (second), 32);
  g_assert_true (memcmp (sotto_link_request_get_ephemeral (first),
                         sotto_link_request_get_ephemeral (third), 32) != 0);
  g_assert_true (memcmp (sotto_link_request_get_ephemeral (first),
                         sotto_link_request_get_ephemeral (random), 32) != 0);
  g_assert_true (sotto_link_request_get_code (first) == fixture->code);
  g_assert_cmpmem (sotto_link_request_get_identity (first), 128, public_of (fixture->newcomer),
                   128);
  g_assert_cmpstr (sotto_link_request_get_name (first), ==, NAME);

  /* The longest name, and one of several bytes a character, are taken. */
  {
    g_autoptr(SottoLinkRequest) longest_request = NULL;
    g_autoptr(SottoLinkRequest) accented = NULL;
    g_autoptr(GError) error = NULL;

    longest_request = sotto_link_request_new (fixture->code, public_of (fixture->newcomer),
                                              longest, &error);
    g_assert_no_error (error);
    accented = sotto_link_request_new (fixture->code, public_of (fixture->newcomer), "Café",
                                       &error);
    g_assert_no_error (error);
    g_assert_nonnull (longest_request);
    g_assert_nonnull (accented);
  }
}

/* The whole exchange: a code shown and typed back, the offer, the
 * approval, and the account key and list on the new computer. Neither the
 * seed nor the list is in the clear in what the server carries. */
static void
test_round_trip (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(SottoLinkCode) shown = sotto_link_code_new ();
  g_autofree char *shown_text = sotto_link_code_to_string (shown);
  g_autofree char *typed_text = g_ascii_strdown (shown_text, -1);
  g_autoptr(SottoLinkCode) typed = code_from (typed_text);
  g_autoptr(SottoLinkRequest) request = new_request (fixture, shown);
  g_autoptr(GBytes) offer_bytes = seal_offer (request);
  g_autoptr(GBytes) offer_again = seal_offer (request);
  g_auto(SottoLinkOffer) offer = { 0 };
  g_auto(SottoLinkOffer) offer_reopened = { 0 };
  g_autoptr(GBytes) list = NULL;
  g_autoptr(GBytes) approval = NULL;
  g_autoptr(GBytes) seed = sotto_account_key_dup_seed (fixture->key);
  g_autoptr(GError) error = NULL;
  const guint8 *approval_data;
  gsize approval_len;

  g_assert_cmpstr (sotto_link_code_get_id (typed), ==, sotto_link_code_get_id (shown));

  g_assert_cmpuint (g_bytes_get_size (offer_bytes), ==,
                    1 + 24 + 128 + 32 + 2 + strlen (NAME) + 16);
  g_assert_false (g_bytes_equal (offer_bytes, offer_again));
  g_assert_null (memmem (g_bytes_get_data (offer_bytes, NULL), g_bytes_get_size (offer_bytes),
                         public_of (fixture->newcomer), 32));
  open_offer (typed, offer_bytes, &offer);
  g_assert_cmpmem (&offer.identity, sizeof offer.identity, public_of (fixture->newcomer), 128);
  g_assert_cmpmem (offer.ephemeral, 32, sotto_link_request_get_ephemeral (request), 32);
  g_assert_cmpstr (offer.name, ==, NAME);
  open_offer (typed, offer_again, &offer_reopened);
  g_assert_cmpmem (&offer_reopened.identity, 128, &offer.identity, 128);
  g_assert_cmpmem (offer_reopened.ephemeral, 32, offer.ephemeral, 32);
  g_assert_cmpstr (offer_reopened.name, ==, offer.name);

  list = make_list (fixture, ACCOUNT, fixture->key, &offer.identity);
  approval = sotto_link_approval_seal (typed, &offer, fixture->key, list, &error);
  g_assert_no_error (error);
  approval_data = g_bytes_get_data (approval, &approval_len);
  g_assert_cmpuint (approval_len, ==, 1 + 32 + 24 + 32 + 2 + g_bytes_get_size (list) + 16);
  g_assert_null (memmem (approval_data, approval_len, g_bytes_get_data (seed, NULL), 32));
  g_assert_null (memmem (approval_data, approval_len, g_bytes_get_data (list, NULL), 32));
  g_assert_null (memmem (approval_data, approval_len, public_of (fixture->newcomer), 32));

  g_assert_false (sotto_link_request_is_spent (request));
  assert_approval_opens (fixture, request, approval, list);
}

/* A request opens one approval: afterwards it neither opens that one
 * again nor another, nor seals an offer. Refused approvals spend nothing. */
static void
test_one_time (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(SottoLinkRequest) request = new_request (fixture, fixture->code);
  g_autoptr(GBytes) approval = approve (fixture, fixture->code, request);
  g_autoptr(GBytes) second = approve (fixture, fixture->code, request);
  g_autoptr(GBytes) list = NULL;
  g_autoptr(GBytes) offer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *flipped = g_memdup2 (g_bytes_get_data (approval, NULL),
                                          g_bytes_get_size (approval));
  g_autoptr(GBytes) flipped_bytes = NULL;

  flipped[40] ^= 4;
  flipped_bytes = g_bytes_new (flipped, g_bytes_get_size (approval));
  assert_approval_refused (request, flipped_bytes, ACCOUNT, SOTTO_E2E_ERROR_DECRYPT_FAILED);
  g_assert_false (sotto_link_request_is_spent (request));

  list = make_list (fixture, ACCOUNT, fixture->key, public_of (fixture->newcomer));
  assert_approval_opens (fixture, request, approval, list);

  assert_approval_refused (request, approval, ACCOUNT, SOTTO_E2E_ERROR_REPLAYED);
  assert_approval_refused (request, second, ACCOUNT, SOTTO_E2E_ERROR_REPLAYED);
  offer = sotto_link_offer_seal (request, &error);
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_REPLAYED);
  g_assert_null (offer);
}

/* A code other than the one shown opens neither the offer nor the
 * approval, not even one symbol off. */
static void
test_wrong_code (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(SottoLinkCode) other = sotto_link_code_new ();
  g_autoptr(SottoLinkCode) typo = code_from ("0410-6105-0R3G-G28B");
  g_autoptr(SottoLinkRequest) request = new_request_from_seed (fixture, fixture->code, 7);
  g_autoptr(SottoLinkRequest) same_key_other_code = new_request_from_seed (fixture, other, 7);
  g_autoptr(GBytes) offer_bytes = seal_offer (request);
  g_auto(SottoLinkOffer) offer = { 0 };
  g_autoptr(GBytes) list = NULL;
  g_autoptr(GBytes) approval = NULL;
  g_autoptr(GBytes) mixed = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (sotto_link_code_get_id (typo), !=, KNOWN_ID);
  assert_offer_refused (other, offer_bytes, SOTTO_E2E_ERROR_DECRYPT_FAILED);
  assert_offer_refused (typo, offer_bytes, SOTTO_E2E_ERROR_DECRYPT_FAILED);

  /* An approval under the right code does not open for a request with
   * the same ephemeral key and another code. */
  open_offer (fixture->code, offer_bytes, &offer);
  list = make_list (fixture, ACCOUNT, fixture->key, &offer.identity);
  approval = sotto_link_approval_seal (fixture->code, &offer, fixture->key, list, &error);
  g_assert_no_error (error);
  assert_approval_refused (same_key_other_code, approval, ACCOUNT,
                           SOTTO_E2E_ERROR_DECRYPT_FAILED);

  /* Nor one sealed under another code for the right request. */
  mixed = sotto_link_approval_seal (typo, &offer, fixture->key, list, &error);
  g_assert_no_error (error);
  assert_approval_refused (request, mixed, ACCOUNT, SOTTO_E2E_ERROR_DECRYPT_FAILED);

  assert_approval_opens (fixture, request, approval, list);
}

/* An approval made for one link opens for no other: not for another code,
 * not for a new request with the same code and a new ephemeral key, not
 * for a new request with the same key and another code. */
static void
test_replayed (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(SottoLinkCode) next_code = sotto_link_code_new ();
  g_autoptr(SottoLinkRequest) first = new_request_from_seed (fixture, fixture->code, 7);
  g_autoptr(SottoLinkRequest) same_code = new_request (fixture, fixture->code);
  g_autoptr(SottoLinkRequest) same_code_seed = new_request_from_seed (fixture, fixture->code, 9);
  g_autoptr(SottoLinkRequest) next_link = new_request (fixture, next_code);
  g_autoptr(SottoLinkRequest) next_link_same_key = new_request_from_seed (fixture, next_code, 7);
  g_autoptr(GBytes) approval = approve (fixture, fixture->code, first);
  g_autoptr(GBytes) next_approval = approve (fixture, next_code, next_link);
  g_autoptr(GBytes) offer = seal_offer (first);
  g_autoptr(GBytes) list = make_list (fixture, ACCOUNT, fixture->key,
                                      public_of (fixture->newcomer));

  assert_approval_refused (same_code, approval, ACCOUNT, SOTTO_E2E_ERROR_DECRYPT_FAILED);
  assert_approval_refused (same_code_seed, approval, ACCOUNT, SOTTO_E2E_ERROR_DECRYPT_FAILED);
  assert_approval_refused (next_link, approval, ACCOUNT, SOTTO_E2E_ERROR_DECRYPT_FAILED);
  assert_approval_refused (next_link_same_key, approval, ACCOUNT, SOTTO_E2E_ERROR_DECRYPT_FAILED);
  assert_approval_refused (first, next_approval, ACCOUNT, SOTTO_E2E_ERROR_DECRYPT_FAILED);
  assert_offer_refused (next_code, offer, SOTTO_E2E_ERROR_DECRYPT_FAILED);

  /* Both approvals are sound: each opens for its own request. */
  assert_approval_opens (fixture, first, approval, list);
  assert_approval_opens (fixture, next_link, next_approval, list);
}

/* A server that knows the link id but not the code cannot make an offer
 * that opens, nor pass off another link's offer, nor swap the keys inside
 * a real one. */
static void
test_server_offer (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(SottoLinkRequest) request = new_request (fixture, fixture->code);
  g_autoptr(GBytes) real = seal_offer (request);
  g_autoptr(SottoLinkCode) servers_code = sotto_link_code_new ();
  g_autoptr(SottoLinkRequest) servers_request = NULL;
  g_autoptr(GBytes) servers_offer = NULL;
  g_autoptr(GError) error = NULL;
  const char *id_hex = sotto_link_code_get_id (fixture->code);
  const SottoPublicIdentity *stranger = public_of (fixture->stranger);
  const SottoPublicIdentity *newcomer = public_of (fixture->newcomer);
  guint8 id[16], guessed_key[32], random_key[32], servers_pk[32], servers_sk[32];
  const guint8 *real_data;
  gsize real_len;

  for (guint i = 0; i < 16; i++)
    {
      char byte[3] = { id_hex[2 * i], id_hex[2 * i + 1], '\0' };

      id[i] = (guint8) g_ascii_strtoull (byte, NULL, 16);
    }
  crypto_box_keypair (servers_pk, servers_sk);

  /* Offers of its own, under keys it can make from what it knows. */
  hash_parts (guessed_key, "sotto link key v1", id, (gsize) 16, NULL);
  randombytes_buf (random_key, sizeof random_key);
  {
    const guint8 *keys[] = { guessed_key, random_key, id };

    for (guint k = 0; k < G_N_ELEMENTS (keys); k++)
      {
        g_autoptr(GByteArray) plain = offer_plain (stranger, servers_pk, NAME, strlen (NAME));
        g_autoptr(GBytes) forged = NULL;
        guint8 key[32] = { 0 };
        guint8 version = 1;

        memcpy (key, keys[k], k == 2 ? 16 : 32);
        forged = hand_seal (&version, 1, 1, id, key, plain);
        assert_offer_refused (fixture->code, forged, SOTTO_E2E_ERROR_DECRYPT_FAILED);
      }
  }

  /* The offer of a link it made itself, handed out under this id. */
  servers_request = sotto_link_request_new (servers_code, stranger, NAME, &error);
  g_assert_no_error (error);
  servers_offer = seal_offer (servers_request);
  assert_offer_refused (fixture->code, servers_offer, SOTTO_E2E_ERROR_DECRYPT_FAILED);

  /* The real offer with its identity, or its ephemeral key, turned into
   * the server's inside the ciphertext: the stream cipher would let it,
   * the tag does not. */
  real_data = g_bytes_get_data (real, &real_len);
  for (guint swap = 0; swap < 2; swap++)
    {
      g_autofree guint8 *copy = g_memdup2 (real_data, real_len);
      g_autoptr(GBytes) swapped = NULL;
      const guint8 *from = swap == 0 ? (const guint8 *) newcomer
                                     : sotto_link_request_get_ephemeral (request);
      const guint8 *to = swap == 0 ? (const guint8 *) stranger : servers_pk;
      gsize at = 1 + 24 + (swap == 0 ? 0 : 128);
      gsize n = swap == 0 ? 128 : 32;

      for (gsize i = 0; i < n; i++)
        copy[at + i] ^= from[i] ^ to[i];
      swapped = g_bytes_new (copy, real_len);
      assert_offer_refused (fixture->code, swapped, SOTTO_E2E_ERROR_DECRYPT_FAILED);
    }

  /* The real offer still opens, to the real keys. */
  {
    g_auto(SottoLinkOffer) offer = { 0 };

    open_offer (fixture->code, real, &offer);
    g_assert_cmpmem (&offer.identity, 128, newcomer, 128);
  }
}

/* A list that does not hold the offer's identity is refused by the
 * approver before it seals, and by the new computer if it comes anyway;
 * so is a list the account key does not sign. */
static void
test_swapped_identity (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(SottoLinkRequest) request = new_request (fixture, fixture->code);
  g_autoptr(GBytes) offer_bytes = seal_offer (request);
  g_auto(SottoLinkOffer) offer = { 0 };
  g_autoptr(GBytes) honest_list = NULL;
  g_autoptr(GBytes) damaged_list = NULL;
  g_autofree guint8 *damaged = NULL;
  gsize list_len;
  struct {
    GBytes *list;
    int     code;
  } cases[] = {
    { NULL, SOTTO_E2E_ERROR_WRONG_RECIPIENT },
    { NULL, SOTTO_E2E_ERROR_WRONG_RECIPIENT },
    { NULL, SOTTO_E2E_ERROR_WRONG_RECIPIENT },
    { NULL, SOTTO_E2E_ERROR_KEY_MISMATCH },
    { NULL, SOTTO_E2E_ERROR_BAD_SIGNATURE },
    { NULL, SOTTO_E2E_ERROR_BAD_FORMAT },
  };

  open_offer (fixture->code, offer_bytes, &offer);
  honest_list = make_list (fixture, ACCOUNT, fixture->key, public_of (fixture->newcomer));
  list_len = g_bytes_get_size (honest_list);
  damaged = g_memdup2 (g_bytes_get_data (honest_list, NULL), list_len);
  damaged[list_len - 1] ^= 1;
  damaged_list = g_bytes_new (damaged, list_len);

  cases[0].list = make_list (fixture, ACCOUNT, fixture->key, public_of (fixture->stranger));
  cases[1].list = make_list (fixture, ACCOUNT, fixture->key, public_of (fixture->twin));
  cases[2].list = make_list (fixture, ACCOUNT, fixture->key, NULL);
  cases[3].list = make_list (fixture, ACCOUNT, fixture->other_key, public_of (fixture->newcomer));
  cases[4].list = g_bytes_ref (damaged_list);
  cases[5].list = g_bytes_new_static ("not a list", 10);

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr(GBytes) approval = NULL;
      g_autoptr(GError) error = NULL;

      approval = sotto_link_approval_seal (fixture->code, &offer, fixture->key, cases[c].list,
                                           &error);
      g_assert_error (error, SOTTO_E2E_ERROR, cases[c].code);
      g_assert_null (approval);
    }

  /* An approver that knows the code but skips its own checks: the new
   * computer refuses a list without it, or not the account key's. */
  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr(GByteArray) plain = NULL;
      g_autoptr(GBytes) approval = NULL;

      plain = approval_plain (fixture->key, cases[c].list, g_bytes_get_size (cases[c].list), 0);
      approval = hand_approval (1, offer.ephemeral, HONEST, plain);
      assert_approval_refused (request, approval, ACCOUNT, cases[c].code);
    }

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    g_bytes_unref (cases[c].list);

  /* The honest list, sealed by hand, is what it opens. */
  {
    g_autoptr(GByteArray) plain = approval_plain (fixture->key, honest_list,
                                                  g_bytes_get_size (honest_list), 0);
    g_autoptr(GBytes) approval = hand_approval (1, offer.ephemeral, HONEST, plain);

    assert_approval_opens (fixture, request, approval, honest_list);
  }
}

/* Every cut, every flipped bit and a byte more of an offer are refused. */
static void
test_offer_tampered (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(SottoLinkRequest) request = new_request (fixture, fixture->code);
  g_autoptr(GBytes) offer = seal_offer (request);
  g_autofree guint8 *longer = NULL;
  g_autoptr(GBytes) longer_bytes = NULL;
  const guint8 *bytes;
  gsize len;

  bytes = g_bytes_get_data (offer, &len);
  for (gsize cut = 0; cut < len; cut++)
    {
      g_autoptr(GBytes) short_bytes = g_bytes_new (bytes, cut);

      assert_offer_refused (fixture->code, short_bytes,
                            cut < 1 + 24 + 128 + 32 + 2 + 1 + 16 ? SOTTO_E2E_ERROR_BAD_FORMAT
                                                                 : SOTTO_E2E_ERROR_DECRYPT_FAILED);
    }

  for (gsize bit = 0; bit < len * 8; bit++)
    {
      g_autofree guint8 *copy = g_memdup2 (bytes, len);
      g_autoptr(GBytes) flipped = NULL;

      copy[bit / 8] ^= (guint8) (1 << (bit % 8));
      flipped = g_bytes_new (copy, len);
      assert_offer_refused (fixture->code, flipped,
                            bit < 8 ? SOTTO_E2E_ERROR_BAD_FORMAT : SOTTO_E2E_ERROR_DECRYPT_FAILED);
    }

  longer = g_malloc0 (len + 1);
  memcpy (longer, bytes, len);
  longer_bytes = g_bytes_new (longer, len + 1);
  assert_offer_refused (fixture->code, longer_bytes, SOTTO_E2E_ERROR_DECRYPT_FAILED);
}

/* Every cut, every flipped bit and a byte more of an approval are
 * refused, and leave the request to open the real one. */
static void
test_approval_tampered (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(SottoLinkRequest) request = new_request (fixture, fixture->code);
  g_autoptr(GBytes) approval = approve (fixture, fixture->code, request);
  g_autoptr(GBytes) list = make_list (fixture, ACCOUNT, fixture->key,
                                      public_of (fixture->newcomer));
  g_autofree guint8 *longer = NULL;
  g_autoptr(GBytes) longer_bytes = NULL;
  const guint8 *bytes;
  gsize len;

  bytes = g_bytes_get_data (approval, &len);
  for (gsize cut = 0; cut < len; cut++)
    {
      g_autoptr(GBytes) short_bytes = g_bytes_new (bytes, cut);

      assert_approval_refused (request, short_bytes, ACCOUNT,
                               cut < 1 + 32 + 24 + 32 + 2 + 1 + 16
                               ? SOTTO_E2E_ERROR_BAD_FORMAT : SOTTO_E2E_ERROR_DECRYPT_FAILED);
    }

  for (gsize bit = 0; bit < len * 8; bit++)
    {
      g_autofree guint8 *copy = g_memdup2 (bytes, len);
      g_autoptr(GBytes) flipped = NULL;

      copy[bit / 8] ^= (guint8) (1 << (bit % 8));
      flipped = g_bytes_new (copy, len);
      assert_approval_refused (request, flipped, ACCOUNT,
                               bit < 8 ? SOTTO_E2E_ERROR_BAD_FORMAT
                                       : SOTTO_E2E_ERROR_DECRYPT_FAILED);
    }

  longer = g_malloc0 (len + 1);
  memcpy (longer, bytes, len);
  longer_bytes = g_bytes_new (longer, len + 1);
  assert_approval_refused (request, longer_bytes, ACCOUNT, SOTTO_E2E_ERROR_DECRYPT_FAILED);

  g_assert_false (sotto_link_request_is_spent (request));
  assert_approval_opens (fixture, request, approval, list);
}

/* The library opens offers sealed by the format alone, and only what it
 * would seal, even under the right key: another version, a plaintext with
 * a byte more, bad names, an ephemeral key of small order, an identity
 * whose binding fails. The largest offer is exactly the bound. */
static void
test_offer_strict (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(SottoLinkRequest) request = new_request (fixture, fixture->code);
  g_autofree char *longest = g_strnfill (SOTTO_DEVICE_NAME_MAX_BYTES, 'x');
  g_autofree char *too_long = g_strnfill (SOTTO_DEVICE_NAME_MAX_BYTES + 1, 'x');
  const SottoPublicIdentity *newcomer = public_of (fixture->newcomer);
  const guint8 *ephemeral = sotto_link_request_get_ephemeral (request);
  SottoPublicIdentity unbound = *newcomer;
  guint8 id[16], other_id[16];
  struct {
    const char *name;
    gsize       name_len;
    int         code;
  } names[] = {
    { "", 0, SOTTO_E2E_ERROR_BAD_FORMAT },
    { NULL, SOTTO_DEVICE_NAME_MAX_BYTES + 1, SOTTO_E2E_ERROR_BAD_FORMAT },
    { "caf\xc3", 4, SOTTO_E2E_ERROR_BAD_FORMAT },
    { "dev\0ce", 6, SOTTO_E2E_ERROR_BAD_FORMAT },
  };

  derive_id (known_secret, id);
  memcpy (other_id, id, sizeof id);
  other_id[15] ^= 1;
  names[1].name = too_long;

  /* By the format: it opens, to what was sealed. */
  {
    g_autoptr(GByteArray) plain = offer_plain (newcomer, ephemeral, NAME, strlen (NAME));
    g_autoptr(GBytes) honest = hand_offer (1, 1, id, plain);
    g_auto(SottoLinkOffer) offer = { 0 };

    open_offer (fixture->code, honest, &offer);
    g_assert_cmpmem (&offer.identity, 128, newcomer, 128);
    g_assert_cmpmem (offer.ephemeral, 32, ephemeral, 32);
    g_assert_cmpstr (offer.name, ==, NAME);
  }

  /* Another version, authenticated as such; a version the tag does not
   * cover; another link's id. */
  {
    g_autoptr(GByteArray) plain = offer_plain (newcomer, ephemeral, NAME, strlen (NAME));
    g_autoptr(GBytes) version_2 = hand_offer (2, 2, id, plain);
    g_autoptr(GBytes) ad_version_2 = hand_offer (1, 2, id, plain);
    g_autoptr(GBytes) other_link = hand_offer (1, 1, other_id, plain);

    assert_offer_refused (fixture->code, version_2, SOTTO_E2E_ERROR_BAD_FORMAT);
    assert_offer_refused (fixture->code, ad_version_2, SOTTO_E2E_ERROR_DECRYPT_FAILED);
    assert_offer_refused (fixture->code, other_link, SOTTO_E2E_ERROR_DECRYPT_FAILED);
  }

  /* A byte more, and a name longer than what is there. */
  {
    g_autoptr(GByteArray) plain = offer_plain (newcomer, ephemeral, NAME, strlen (NAME));
    g_autoptr(GBytes) trailing = NULL;
    g_autoptr(GBytes) past_end = NULL;

    g_byte_array_append (plain, (const guint8 *) "", 1);
    trailing = hand_offer (1, 1, id, plain);
    assert_offer_refused (fixture->code, trailing, SOTTO_E2E_ERROR_BAD_FORMAT);
    g_byte_array_set_size (plain, plain->len - 1);
    plain->data[128 + 32 + 1] += 2;
    past_end = hand_offer (1, 1, id, plain);
    assert_offer_refused (fixture->code, past_end, SOTTO_E2E_ERROR_BAD_FORMAT);
  }

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(GByteArray) plain = offer_plain (newcomer, ephemeral, names[i].name,
                                                 names[i].name_len);
      g_autoptr(GBytes) bytes = hand_offer (1, 1, id, plain);

      assert_offer_refused (fixture->code, bytes, names[i].code);
    }

  for (guint i = 0; i < G_N_ELEMENTS (small_order); i++)
    {
      g_autoptr(GByteArray) plain = offer_plain (newcomer, small_order[i], NAME, strlen (NAME));
      g_autoptr(GBytes) bytes = hand_offer (1, 1, id, plain);

      assert_offer_refused (fixture->code, bytes, SOTTO_E2E_ERROR_BAD_FORMAT);
    }

  unbound.binding[7] ^= 1;
  {
    g_autoptr(GByteArray) plain = offer_plain (&unbound, ephemeral, NAME, strlen (NAME));
    g_autoptr(GBytes) bytes = hand_offer (1, 1, id, plain);

    assert_offer_refused (fixture->code, bytes, SOTTO_E2E_ERROR_BAD_BINDING);
  }

  /* The longest name makes the largest offer. */
  {
    g_autoptr(SottoLinkRequest) longest_request = NULL;
    g_autoptr(GBytes) bytes = NULL;
    g_auto(SottoLinkOffer) offer = { 0 };
    g_autoptr(GError) error = NULL;

    longest_request = sotto_link_request_new (fixture->code, newcomer, longest, &error);
    g_assert_no_error (error);
    bytes = seal_offer (longest_request);
    g_assert_cmpuint (g_bytes_get_size (bytes), ==, SOTTO_LINK_OFFER_MAX_BYTES);
    open_offer (fixture->code, bytes, &offer);
    g_assert_cmpstr (offer.name, ==, longest);
  }
}

/* What test_approval_strict() changes of an approval's plaintext. */
typedef enum
{
  AS_IS,
  BYTE_MORE,
  SEED_ONLY,
  EMPTY_LIST,
  PAST_END,
} ApprovalChange;

/* The library opens approvals sealed by the format alone, and only what
 * it would seal: another version, the ephemeral keys the other way round
 * in the key, a key of small order, a plaintext cut or with a byte more,
 * a list of another account or key. The largest approval is exactly the
 * bound. */
static void
test_approval_strict (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(SottoLinkRequest) request = new_request (fixture, fixture->code);
  g_autoptr(GBytes) list = make_list (fixture, ACCOUNT, fixture->key,
                                      public_of (fixture->newcomer));
  g_autoptr(GBytes) bobs = make_list (fixture, "bob", fixture->key,
                                      public_of (fixture->newcomer));
  g_autoptr(GBytes) other_keys = make_list (fixture, ACCOUNT, fixture->other_key,
                                            public_of (fixture->newcomer));
  g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);
  const guint8 *ephemeral = sotto_link_request_get_ephemeral (request);
  guint list_len = g_bytes_get_size (list);
  struct {
    guint8           version;
    HandKey          how;
    SottoAccountKey *key;
    GBytes          *list;
    ApprovalChange   change;
    int              code;
  } cases[] = {
    { 2, HONEST, NULL, NULL, AS_IS, SOTTO_E2E_ERROR_BAD_FORMAT },
    { 1, KEYS_SWAPPED, NULL, NULL, AS_IS, SOTTO_E2E_ERROR_DECRYPT_FAILED },
    { 1, SMALL_ORDER, NULL, NULL, AS_IS, SOTTO_E2E_ERROR_DECRYPT_FAILED },
    { 1, HONEST, NULL, NULL, BYTE_MORE, SOTTO_E2E_ERROR_BAD_FORMAT },
    { 1, HONEST, NULL, NULL, SEED_ONLY, SOTTO_E2E_ERROR_BAD_FORMAT },
    { 1, HONEST, NULL, NULL, EMPTY_LIST, SOTTO_E2E_ERROR_BAD_FORMAT },
    { 1, HONEST, NULL, NULL, PAST_END, SOTTO_E2E_ERROR_BAD_FORMAT },
    { 1, HONEST, NULL, NULL, AS_IS, SOTTO_E2E_ERROR_WRONG_SENDER },
    { 1, HONEST, NULL, NULL, AS_IS, SOTTO_E2E_ERROR_KEY_MISMATCH },
    { 1, HONEST, NULL, NULL, AS_IS, SOTTO_E2E_ERROR_KEY_MISMATCH },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      cases[c].key = fixture->key;
      cases[c].list = list;
    }
  cases[5].list = empty;
  cases[7].list = bobs;
  cases[8].list = other_keys;
  cases[9].key = fixture->other_key;

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr(GByteArray) plain = NULL;
      g_autoptr(GBytes) bytes = NULL;
      guint declared = g_bytes_get_size (cases[c].list);
      guint trailing = 0;

      switch (cases[c].change)
        {
        case BYTE_MORE:
        case EMPTY_LIST:
          trailing = 1;
          break;
        case PAST_END:
          declared = list_len + 1;
          break;
        case SEED_ONLY:
        case AS_IS:
          break;
        }
      plain = approval_plain (cases[c].key, cases[c].list, declared, trailing);
      if (cases[c].change == SEED_ONLY)
        g_byte_array_set_size (plain, 32);
      bytes = hand_approval (cases[c].version, ephemeral, cases[c].how, plain);
      assert_approval_refused (request, bytes, ACCOUNT, cases[c].code);
    }

  /* By the format: it opens, to the seed and the list sealed. */
  {
    g_autoptr(GByteArray) plain = approval_plain (fixture->key, list, list_len, 0);
    g_autoptr(GBytes) honest = hand_approval (1, ephemeral, HONEST, plain);

    assert_approval_opens (fixture, request, honest, list);
  }

  /* The longest account name, the most devices with the longest names. */
  {
    g_autofree char *account = g_strnfill (SOTTO_E2E_NAME_MAX_BYTES, 'a');
    g_autoptr(SottoLinkRequest) largest_request = new_request (fixture, fixture->code);
    g_autoptr(GBytes) offer_bytes = seal_offer (largest_request);
    g_auto(SottoLinkOffer) offer = { 0 };
    g_autoptr(SottoDeviceList) largest = NULL;
    g_autoptr(SottoDeviceList) opened = NULL;
    g_autoptr(SottoAccountKey) key = NULL;
    g_autoptr(GBytes) largest_bytes = NULL;
    g_autoptr(GBytes) approval = NULL;
    g_autoptr(GError) error = NULL;
    SottoIdentity *devices[SOTTO_DEVICE_LIST_MAX_DEVICES];

    G_STATIC_ASSERT (N_OTHERS + 2 == SOTTO_DEVICE_LIST_MAX_DEVICES);
    devices[0] = fixture->approver;
    devices[1] = fixture->newcomer;
    for (guint i = 0; i < N_OTHERS; i++)
      devices[2 + i] = fixture->others[i];

    open_offer (fixture->code, offer_bytes, &offer);
    largest = sotto_device_list_new (account, sotto_account_key_get_public (fixture->key), 9,
                                     TIME);
    for (guint i = 0; i < SOTTO_DEVICE_LIST_MAX_DEVICES; i++)
      {
        g_autofree char *name = g_strnfill (SOTTO_DEVICE_NAME_MAX_BYTES, (char) ('a' + i));

        g_assert_true (sotto_device_list_add (largest, public_of (devices[i]), TIME, name,
                                              &error));
        g_assert_no_error (error);
      }
    largest_bytes = sotto_device_list_seal (largest, fixture->key, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (g_bytes_get_size (largest_bytes), ==, SOTTO_DEVICE_LIST_MAX_BYTES);
    approval = sotto_link_approval_seal (fixture->code, &offer, fixture->key, largest_bytes,
                                         &error);
    g_assert_no_error (error);
    g_assert_cmpuint (g_bytes_get_size (approval), ==, SOTTO_LINK_APPROVAL_MAX_BYTES);

    assert_approval_refused (largest_request, approval, ACCOUNT, SOTTO_E2E_ERROR_WRONG_SENDER);
    g_assert_true (sotto_link_approval_open (largest_request, approval, account, &key, &opened,
                                             &error));
    g_assert_no_error (error);
    g_assert_cmpuint (sotto_device_list_get_n_devices (opened), ==,
                      SOTTO_DEVICE_LIST_MAX_DEVICES);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (sodium_init (), >=, 0);

#define ADD(path, func) \
  g_test_add ("/sotto/e2e/link/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("code-round-trip", test_code_round_trip);
  ADD ("code-lenient", test_code_lenient);
  ADD ("code-refused", test_code_refused);
  ADD ("code-id", test_code_id);
  ADD ("request-refused", test_request_refused);
  ADD ("round-trip", test_round_trip);
  ADD ("one-time", test_one_time);
  ADD ("wrong-code", test_wrong_code);
  ADD ("replayed", test_replayed);
  ADD ("server-offer", test_server_offer);
  ADD ("swapped-identity", test_swapped_identity);
  ADD ("offer-tampered", test_offer_tampered);
  ADD ("approval-tampered", test_approval_tampered);
  ADD ("offer-strict", test_offer_strict);
  ADD ("approval-strict", test_approval_strict);
#undef ADD

  return g_test_run ();
}
