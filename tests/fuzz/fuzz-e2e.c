/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sodium.h>
#include <string.h>

#include "sotto-e2e.h"
#include "sotto-e2e-private.h"
#include "sotto-identity-private.h"
#include "sotto-sender-key-private.h"

/*
 * Feeds the rest of the input to one decoder of the end-to-end layer,
 * chosen by the first byte modulo the number of modes; the quotient says
 * how far a sender key that parses is then driven. Whatever parses must
 * hold up to being used and written out again; whatever fails must fail
 * with a SOTTO_E2E_ERROR and change nothing.
 *
 * Signatures, boxes and MACs cannot be forged by a fuzzer, so some modes
 * play the honest sender and sign, box or seal the fuzzed bytes first:
 * that reaches the parsers behind the cryptography. Those modes know the
 * private layouts of sotto-envelope.c and sotto-sender-key-distribution.c;
 * if a layout changes they only lose depth, and the seeds show it.
 *
 * Argon2id: a sealed blob states its own costs, and honest costs would
 * make every input take a fraction of a second and 64 MiB. Costs inside
 * the accepted range are rewritten to the minimum before unsealing (the
 * seeds are sealed at the minimum, so they still open); costs outside it
 * are passed as they are, and must be refused before any hashing.
 */

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

typedef enum
{
  MODE_ENVELOPE_PEEK,
  MODE_ENVELOPE_OPEN,
  MODE_ENVELOPE_OPEN_SIGNED,
  MODE_SENDER_KEY_IMPORT,
  MODE_SENDER_KEY_DESERIALIZE,
  MODE_KEY_BOX_OPEN,
  MODE_KEY_BOX_OPEN_PAYLOAD,
  MODE_PUBLIC_IDENTITY,
  MODE_PASSWORD_UNSEAL,
  MODE_IDENTITY_UNSEAL,
  MODE_IDENTITY_UNSEAL_PLAINTEXT,
  N_MODES
} Mode;

#define ROOM "#fuzz"
#define SENDER_NAME "alice"
#define PASSWORD "fuzz"

/* Alice's sender key as exported at index 0: version 1, key id 42, a chain
 * key of 0x05 bytes. The seed envelopes and key boxes were made with it and
 * with the identities of LLVMFuzzerInitialize(): remade seeds need the same.
 */
#define SENDER_KEY_ID 42
static const guint8 sender_key_export[SOTTO_SENDER_KEY_EXPORT_BYTES] = {
  1, 0, 0, 0, SENDER_KEY_ID, 0, 0, 0, 0,
  5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5,
  5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5,
};
/* The receiver has read message 3 first: 0, 1 and 2 are stored as skipped. */
#define RECEIVED_INDEX 3

/* The envelope layout (sotto-envelope.c), for MODE_ENVELOPE_OPEN_SIGNED. */
#define ENVELOPE_AD_LABEL "sotto envelope v1"
#define ENVELOPE_OFFSET_KEY_ID 1
#define ENVELOPE_OFFSET_INDEX 5

/* The sealed blob layout (sotto-password-seal.c). */
#define SEAL_OFFSET_OPSLIMIT 6
#define SEAL_OFFSET_MEMLIMIT 14

static SottoIdentity *alice;
static SottoIdentity *bob;

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  guint8 seeds[4][SOTTO_IDENTITY_SEED_BYTES];

  /* A critical from the library or GLib is a bug the fuzzer found. */
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);

  if (sodium_init () < 0)
    return -1;

  for (guint i = 0; i < G_N_ELEMENTS (seeds); i++)
    memset (seeds[i], i + 1, sizeof seeds[i]);
  alice = sotto_identity_new_from_seeds (seeds[0], seeds[1]);
  bob = sotto_identity_new_from_seeds (seeds[2], seeds[3]);

  return 0;
}

static void
check_error (const GError *error)
{
  g_assert_nonnull (error);
  g_assert_true (error->domain == SOTTO_E2E_ERROR);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
}

/* Gets and consumes the key of message @index, as a successful open does. */
static gboolean
take_key (SottoSenderKey *state,
          guint32         index,
          guint8         *message_key)
{
  g_autoptr(GError) error = NULL;

  if (!_sotto_sender_key_get_message_key (state, index, message_key, &error))
    {
      check_error (error);
      return FALSE;
    }

  g_assert_no_error (error);
  _sotto_sender_key_consume (state, index);

  return TRUE;
}

/* Alice's key as bob holds it, made afresh for every input. */
static SottoSenderKey *
new_receiving_state (void)
{
  g_autoptr(GBytes) exported = g_bytes_new_static (sender_key_export, sizeof sender_key_export);
  g_autoptr(GError) error = NULL;
  SottoSenderKey *state;
  guint8 key[SOTTO_MESSAGE_KEY_BYTES];

  state = sotto_sender_key_import (exported, &error);
  g_assert_no_error (error);
  g_assert_true (take_key (state, RECEIVED_INDEX, key));

  return state;
}

static void
fuzz_envelope_peek (GBytes *envelope)
{
  g_autoptr(GError) error = NULL;
  guint32 key_id = 0;
  guint32 index = 0;

  if (!sotto_envelope_peek (envelope, &key_id, &index, &error))
    {
      check_error (error);
      return;
    }

  g_assert_cmpuint (g_bytes_get_size (envelope), >=, SOTTO_ENVELOPE_OVERHEAD);
  g_assert_cmpuint (g_bytes_get_size (envelope), <=, SOTTO_ENVELOPE_MAX_BYTES);
  g_assert_true (sotto_envelope_peek (envelope, NULL, NULL, NULL));
}

static void
fuzz_envelope_open (GBytes *envelope)
{
  g_autoptr(SottoSenderKey) state = new_receiving_state ();
  g_autoptr(GBytes) before = sotto_sender_key_serialize (state);
  g_autoptr(GBytes) after = NULL;
  g_autoptr(GBytes) plaintext = NULL;
  g_autoptr(GBytes) replayed = NULL;
  g_autoptr(GError) error = NULL;
  guint32 key_id = 0;
  guint32 index = 0;

  plaintext = sotto_envelope_open (envelope, ROOM, SENDER_NAME,
                                   sotto_identity_get_public (alice), state, &error);
  if (plaintext == NULL)
    {
      check_error (error);
      /* A failed open burns no key. */
      after = sotto_sender_key_serialize (state);
      g_assert_true (g_bytes_equal (before, after));
      return;
    }

  g_assert_no_error (error);
  g_assert_true (sotto_envelope_peek (envelope, &key_id, &index, NULL));
  g_assert_cmpuint (key_id, ==, SENDER_KEY_ID);
  g_assert_cmpuint (g_bytes_get_size (plaintext), ==,
                    g_bytes_get_size (envelope) - SOTTO_ENVELOPE_OVERHEAD);

  /* The key is gone: the same envelope does not open twice. */
  replayed = sotto_envelope_open (envelope, ROOM, SENDER_NAME,
                                  sotto_identity_get_public (alice), state, &error);
  g_assert_null (replayed);
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_REPLAYED);
}

/* Signs the envelope as alice would, so that any header and ciphertext
 * reach the key lookup and the decryption.
 */
static GBytes *
sign_envelope (GBytes *envelope)
{
  gsize len = g_bytes_get_size (envelope);
  g_autofree guint8 *signed_data = NULL;
  guint8 *data;
  gsize ad_len;
  gsize signed_len;
  guint8 *p;

  if (len < SOTTO_ENVELOPE_OVERHEAD || len > SOTTO_ENVELOPE_MAX_BYTES)
    return g_bytes_ref (envelope);

  data = g_memdup2 (g_bytes_get_data (envelope, NULL), len);
  signed_len = len - crypto_sign_BYTES;
  ad_len = strlen (ENVELOPE_AD_LABEL) + 4 + strlen (ROOM) + 4 + strlen (SENDER_NAME) + 4 + 4;
  signed_data = g_malloc (ad_len + signed_len);

  p = signed_data;
  memcpy (p, ENVELOPE_AD_LABEL, strlen (ENVELOPE_AD_LABEL));
  p += strlen (ENVELOPE_AD_LABEL);
  _sotto_e2e_put_u32 (p, (guint32) strlen (ROOM));
  p += 4;
  memcpy (p, ROOM, strlen (ROOM));
  p += strlen (ROOM);
  _sotto_e2e_put_u32 (p, (guint32) strlen (SENDER_NAME));
  p += 4;
  memcpy (p, SENDER_NAME, strlen (SENDER_NAME));
  p += strlen (SENDER_NAME);
  memcpy (p, data + ENVELOPE_OFFSET_KEY_ID, 4);
  p += 4;
  memcpy (p, data + ENVELOPE_OFFSET_INDEX, 4);
  p += 4;
  memcpy (p, data, signed_len);

  _sotto_identity_sign (alice, signed_data, ad_len + signed_len, data + signed_len);

  return g_bytes_new_take (data, len);
}

static void
fuzz_sender_key_import (GBytes *exported)
{
  g_autoptr(SottoSenderKey) state = NULL;
  g_autoptr(GBytes) again = NULL;
  g_autoptr(GError) error = NULL;

  state = sotto_sender_key_import (exported, &error);
  if (state == NULL)
    {
      check_error (error);
      return;
    }

  g_assert_no_error (error);
  g_assert_cmpuint (sotto_sender_key_get_n_skipped (state), ==, 0);
  again = sotto_sender_key_export (state);
  g_assert_true (g_bytes_equal (exported, again));
}

static void
check_reserialize (SottoSenderKey *state,
                   GBytes         *expected)
{
  g_autoptr(GBytes) serialized = sotto_sender_key_serialize (state);
  g_autoptr(SottoSenderKey) parsed = NULL;
  g_autoptr(GBytes) again = NULL;
  g_autoptr(GError) error = NULL;

  if (expected != NULL)
    g_assert_true (g_bytes_equal (serialized, expected));

  parsed = sotto_sender_key_deserialize (serialized, &error);
  g_assert_no_error (error);
  g_assert_nonnull (parsed);
  g_assert_cmpuint (sotto_sender_key_get_key_id (parsed), ==, sotto_sender_key_get_key_id (state));
  g_assert_cmpuint (sotto_sender_key_get_index (parsed), ==, sotto_sender_key_get_index (state));
  g_assert_cmpuint (sotto_sender_key_get_n_skipped (parsed), ==,
                    sotto_sender_key_get_n_skipped (state));
  again = sotto_sender_key_serialize (parsed);
  g_assert_true (g_bytes_equal (serialized, again));
}

/* Uses a parsed state as an open does: reading keys changes nothing,
 * taking one moves the chain consistently, and the state stays valid.
 */
static void
use_sender_key (SottoSenderKey *state,
                guint8          step)
{
  g_autoptr(GBytes) before = sotto_sender_key_serialize (state);
  g_autoptr(GBytes) after = NULL;
  guint32 index = sotto_sender_key_get_index (state);
  guint32 ahead = index + 1 + step % 8;
  guint32 far;
  guint8 key_ahead[SOTTO_MESSAGE_KEY_BYTES];
  guint8 key[SOTTO_MESSAGE_KEY_BYTES];
  gboolean have_ahead;
  guint n_skipped;

  have_ahead = _sotto_sender_key_get_message_key (state, ahead, key_ahead, NULL);
  (void) _sotto_sender_key_get_message_key (state, index, key, NULL);
  (void) _sotto_sender_key_get_message_key (state, index + SOTTO_SENDER_KEY_MAX_SKIP + 1, key,
                                            NULL);
  if (index > 0)
    (void) _sotto_sender_key_get_message_key (state, index - 1, key, NULL);
  after = sotto_sender_key_serialize (state);
  g_assert_true (g_bytes_equal (before, after));

  /* Take the oldest stored key, then the chain's next one. */
  n_skipped = sotto_sender_key_get_n_skipped (state);
  if (n_skipped > 0)
    {
      g_autoptr(GBytes) serialized = sotto_sender_key_serialize (state);
      guint32 oldest = _sotto_e2e_get_u32 ((const guint8 *) g_bytes_get_data (serialized, NULL) +
                                           SOTTO_SENDER_KEY_EXPORT_BYTES + 4);

      g_assert_true (take_key (state, oldest, key));
      g_assert_cmpuint (sotto_sender_key_get_n_skipped (state), ==, n_skipped - 1);
      g_assert_false (_sotto_sender_key_get_message_key (state, oldest, key, NULL));
      n_skipped--;
    }

  if (take_key (state, index, key))
    {
      g_assert_cmpuint (sotto_sender_key_get_index (state), ==, index + 1);
      g_assert_cmpuint (sotto_sender_key_get_n_skipped (state), ==, n_skipped);
    }

  /* A key read ahead of the chain is the same once the chain gets there. */
  if (have_ahead && ahead > index && take_key (state, ahead, key))
    {
      g_assert_cmpmem (key, sizeof key, key_ahead, sizeof key_ahead);
      g_assert_cmpuint (sotto_sender_key_get_n_skipped (state), <=, SOTTO_SENDER_KEY_MAX_STORED);
    }

  /* The farthest jump the window allows: with keys already stored, the
   * store overflows and drops the oldest. It costs a few milliseconds, so
   * only some inputs ask for it.
   */
  index = sotto_sender_key_get_index (state);
  n_skipped = sotto_sender_key_get_n_skipped (state);
  far = index + SOTTO_SENDER_KEY_MAX_SKIP;
  if ((step & 8) != 0 && far > index && take_key (state, far, key))
    {
      g_assert_cmpuint (sotto_sender_key_get_index (state), ==, (guint64) far + 1);
      g_assert_cmpuint (sotto_sender_key_get_n_skipped (state), ==,
                        MIN (n_skipped + SOTTO_SENDER_KEY_MAX_SKIP, SOTTO_SENDER_KEY_MAX_STORED));
    }

  check_reserialize (state, NULL);
}

static void
fuzz_sender_key_deserialize (GBytes *serialized,
                             guint8  step)
{
  g_autoptr(SottoSenderKey) state = NULL;
  g_autoptr(GError) error = NULL;

  state = sotto_sender_key_deserialize (serialized, &error);
  if (state == NULL)
    {
      check_error (error);
      return;
    }

  g_assert_no_error (error);
  g_assert_cmpuint (sotto_sender_key_get_n_skipped (state), <=, SOTTO_SENDER_KEY_MAX_STORED);
  check_reserialize (state, serialized);
  use_sender_key (state, step);
}

static void
fuzz_key_box_open (GBytes *box,
                   guint8  step)
{
  g_autoptr(SottoSenderKey) state = NULL;
  g_autoptr(GBytes) exported = NULL;
  g_autoptr(GError) error = NULL;

  state = sotto_sender_key_open_from (box, ROOM, bob, SENDER_NAME,
                                      sotto_identity_get_public (alice), NULL, &error);
  if (state == NULL)
    {
      check_error (error);
      return;
    }

  g_assert_no_error (error);
  exported = sotto_sender_key_export (state);
  g_assert_cmpuint (g_bytes_get_size (exported), ==, SOTTO_SENDER_KEY_EXPORT_BYTES);
  use_sender_key (state, step);
}

/* Boxes @payload from alice to bob as sotto_sender_key_seal_for() does. */
static GBytes *
box_payload (GBytes *payload)
{
  gsize payload_len;
  const guint8 *payload_data = _sotto_e2e_bytes_get_data (payload, &payload_len);
  gsize box_len = 1 + crypto_box_NONCEBYTES + crypto_box_MACBYTES + payload_len;
  guint8 *box = g_malloc0 (box_len);

  box[0] = 2;
  g_assert_true (_sotto_identity_box (alice, sotto_identity_get_public (bob)->box_pk, box + 1,
                                      payload_data, payload_len,
                                      box + 1 + crypto_box_NONCEBYTES));

  return g_bytes_new_take (box, box_len);
}

static void
fuzz_public_identity (GBytes *bytes)
{
  g_autoptr(GBytes) again = NULL;
  g_autoptr(GError) error = NULL;
  SottoPublicIdentity identity;

  if (!sotto_public_identity_from_bytes (bytes, &identity, &error))
    {
      check_error (error);
      return;
    }

  g_assert_no_error (error);
  g_assert_true (sotto_public_identity_verify (&identity, NULL));
  g_assert_true (sotto_public_identity_equal (&identity, &identity));
  again = sotto_public_identity_to_bytes (&identity);
  g_assert_true (g_bytes_equal (bytes, again));
}

/* Rewrites accepted Argon2id costs to the cheapest ones. */
static GBytes *
cheapen_seal (GBytes *sealed)
{
  gsize len = g_bytes_get_size (sealed);
  guint64 opslimit;
  guint64 memlimit;
  guint8 *data;

  if (len < SEAL_OFFSET_MEMLIMIT + 8)
    return g_bytes_ref (sealed);

  data = g_memdup2 (g_bytes_get_data (sealed, NULL), len);
  opslimit = _sotto_e2e_get_u64 (data + SEAL_OFFSET_OPSLIMIT);
  memlimit = _sotto_e2e_get_u64 (data + SEAL_OFFSET_MEMLIMIT);
  if (opslimit >= SOTTO_PWHASH_OPSLIMIT_MIN && opslimit <= SOTTO_PWHASH_OPSLIMIT_MAX &&
      memlimit >= SOTTO_PWHASH_MEMLIMIT_MIN && memlimit <= SOTTO_PWHASH_MEMLIMIT_MAX)
    {
      _sotto_e2e_put_u64 (data + SEAL_OFFSET_OPSLIMIT, SOTTO_PWHASH_OPSLIMIT_MIN);
      _sotto_e2e_put_u64 (data + SEAL_OFFSET_MEMLIMIT, SOTTO_PWHASH_MEMLIMIT_MIN);
    }

  return g_bytes_new_take (data, len);
}

static void
fuzz_password_unseal (GBytes *sealed)
{
  g_autoptr(GBytes) cheap = cheapen_seal (sealed);
  g_autoptr(GBytes) plaintext = NULL;
  g_autoptr(GError) error = NULL;

  plaintext = sotto_password_unseal (cheap, PASSWORD, &error);
  if (plaintext == NULL)
    {
      check_error (error);
      return;
    }

  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (plaintext), ==,
                    g_bytes_get_size (cheap) - SOTTO_PASSWORD_SEAL_OVERHEAD);
}

static void
fuzz_identity_unseal (GBytes *sealed)
{
  g_autoptr(GBytes) cheap = cheapen_seal (sealed);
  g_autoptr(SottoIdentity) identity = NULL;
  g_autoptr(SottoIdentity) again = NULL;
  g_autoptr(GBytes) resealed = NULL;
  g_autoptr(GError) error = NULL;

  identity = sotto_identity_unseal (cheap, PASSWORD, &error);
  if (identity == NULL)
    {
      check_error (error);
      return;
    }

  g_assert_no_error (error);
  g_assert_true (sotto_public_identity_verify (sotto_identity_get_public (identity), NULL));

  resealed = sotto_identity_seal (identity, PASSWORD, SOTTO_PWHASH_OPSLIMIT_MIN,
                                  SOTTO_PWHASH_MEMLIMIT_MIN, &error);
  g_assert_no_error (error);
  again = sotto_identity_unseal (resealed, PASSWORD, &error);
  g_assert_no_error (error);
  g_assert_true (sotto_public_identity_equal (sotto_identity_get_public (identity),
                                              sotto_identity_get_public (again)));
}

static void
fuzz_identity_unseal_plaintext (GBytes *plaintext)
{
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(GError) error = NULL;

  sealed = sotto_password_seal (plaintext, PASSWORD, SOTTO_PWHASH_OPSLIMIT_MIN,
                                SOTTO_PWHASH_MEMLIMIT_MIN, &error);
  g_assert_no_error (error);
  fuzz_identity_unseal (sealed);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GBytes) input = NULL;
  g_autoptr(GBytes) made = NULL;
  guint8 step;

  if (size == 0)
    return 0;

  input = g_bytes_new (data + 1, size - 1);
  step = data[0] / N_MODES;

  switch ((Mode) (data[0] % N_MODES))
    {
    case MODE_ENVELOPE_PEEK:
      fuzz_envelope_peek (input);
      break;

    case MODE_ENVELOPE_OPEN:
      fuzz_envelope_open (input);
      break;

    case MODE_ENVELOPE_OPEN_SIGNED:
      made = sign_envelope (input);
      fuzz_envelope_open (made);
      break;

    case MODE_SENDER_KEY_IMPORT:
      fuzz_sender_key_import (input);
      break;

    case MODE_SENDER_KEY_DESERIALIZE:
      fuzz_sender_key_deserialize (input, step);
      break;

    case MODE_KEY_BOX_OPEN:
      fuzz_key_box_open (input, step);
      break;

    case MODE_KEY_BOX_OPEN_PAYLOAD:
      made = box_payload (input);
      fuzz_key_box_open (made, step);
      break;

    case MODE_PUBLIC_IDENTITY:
      fuzz_public_identity (input);
      break;

    case MODE_PASSWORD_UNSEAL:
      fuzz_password_unseal (input);
      break;

    case MODE_IDENTITY_UNSEAL:
      fuzz_identity_unseal (input);
      break;

    case MODE_IDENTITY_UNSEAL_PLAINTEXT:
      fuzz_identity_unseal_plaintext (input);
      break;

    case N_MODES:
    default:
      g_assert_not_reached ();
    }

  return 0;
}
