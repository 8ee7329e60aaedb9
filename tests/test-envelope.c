/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <sodium.h>
#include <string.h>

#include "sotto-e2e.h"
#include "sotto-sender-key-private.h"

#define ROOM "#garden"

/* Offsets in an envelope (sotto-envelope.c). */
#define OFFSET_KEY_ID 1
#define OFFSET_INDEX 5
#define OFFSET_ROOM_TAG 9
#define OFFSET_SENDER_TAG 17
#define OFFSET_NONCE 25

typedef struct
{
  SottoIdentity *alice;
  SottoIdentity *bob;
  SottoIdentity *carol;

  /* Alice's sender key, and bob's and carol's copies of it. */
  SottoSenderKey *alice_key;
  SottoSenderKey *bob_state;
  SottoSenderKey *carol_state;
} Fixture;

static SottoSenderKey *
distribute (SottoSenderKey *key,
            SottoIdentity  *from,
            const char     *from_name,
            SottoIdentity  *to)
{
  g_autoptr(GBytes) box = NULL;
  g_autoptr(GError) error = NULL;
  SottoSenderKey *received;

  box = sotto_sender_key_seal_for (key, ROOM, 1, from, from_name, sotto_identity_get_public (to),
                                   &error);
  g_assert_no_error (error);
  received = sotto_sender_key_open_from (box, ROOM, to, from_name,
                                         sotto_identity_get_public (from), NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (received);

  return received;
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  user_data)
{
  fixture->alice = sotto_identity_new ();
  fixture->bob = sotto_identity_new ();
  fixture->carol = sotto_identity_new ();
  fixture->alice_key = sotto_sender_key_new ();
  fixture->bob_state = distribute (fixture->alice_key, fixture->alice, "alice", fixture->bob);
  fixture->carol_state = distribute (fixture->alice_key, fixture->alice, "alice", fixture->carol);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  user_data)
{
  g_assert_finalize_object (g_steal_pointer (&fixture->alice_key));
  g_assert_finalize_object (g_steal_pointer (&fixture->bob_state));
  g_assert_finalize_object (g_steal_pointer (&fixture->carol_state));
  g_assert_finalize_object (g_steal_pointer (&fixture->alice));
  g_assert_finalize_object (g_steal_pointer (&fixture->bob));
  g_assert_finalize_object (g_steal_pointer (&fixture->carol));
}

static GBytes *
seal_text (Fixture    *fixture,
           const char *text)
{
  g_autoptr(GBytes) plaintext = g_bytes_new (text, strlen (text));
  g_autoptr(GError) error = NULL;
  GBytes *envelope;

  envelope = sotto_envelope_seal (fixture->alice_key, fixture->alice, ROOM, "alice",
                                  plaintext, &error);
  g_assert_no_error (error);
  g_assert_nonnull (envelope);
  g_assert_cmpuint (g_bytes_get_size (envelope), ==, strlen (text) + SOTTO_ENVELOPE_OVERHEAD);

  return envelope;
}

static void
assert_opens (GBytes         *envelope,
              SottoSenderKey *state,
              SottoIdentity  *sender,
              const char     *text)
{
  g_autoptr(GBytes) plaintext = NULL;
  g_autoptr(GError) error = NULL;

  plaintext = sotto_envelope_open (envelope, ROOM, "alice", sotto_identity_get_public (sender),
                                   state, &error);
  g_assert_no_error (error);
  g_assert_nonnull (plaintext);
  g_assert_cmpmem (g_bytes_get_data (plaintext, NULL), g_bytes_get_size (plaintext),
                   text, strlen (text));
}

/* Opening fails with @code and leaves @state exactly as it was. */
static void
assert_open_fails (GBytes                    *envelope,
                   const char                *room,
                   const char                *sender_name,
                   const SottoPublicIdentity *sender,
                   SottoSenderKey            *state,
                   gint                       code)
{
  g_autoptr(GBytes) before = sotto_sender_key_serialize (state);
  g_autoptr(GBytes) after = NULL;
  g_autoptr(GBytes) plaintext = NULL;
  g_autoptr(GError) error = NULL;

  plaintext = sotto_envelope_open (envelope, room, sender_name, sender, state, &error);
  g_assert_error (error, SOTTO_E2E_ERROR, code);
  g_assert_null (plaintext);

  after = sotto_sender_key_serialize (state);
  g_assert_true (g_bytes_equal (before, after));
}

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

static void
test_envelope_round_trip (Fixture       *fixture,
                          gconstpointer  user_data)
{
  const char *texts[] = { "hello", "", "how are you?", "🌱 fine, thanks" };
  g_autoptr(SottoSenderKey) bob_key = sotto_sender_key_new ();
  g_autoptr(SottoSenderKey) alice_state = NULL;
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GBytes) plaintext = NULL;
  g_autoptr(GBytes) opened = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr(GBytes) envelope = seal_text (fixture, texts[i]);

      g_assert_cmpuint (sotto_sender_key_get_index (fixture->alice_key), ==, i + 1);
      assert_opens (envelope, fixture->bob_state, fixture->alice, texts[i]);
      assert_opens (envelope, fixture->carol_state, fixture->alice, texts[i]);
    }

  /* The other way: bob's own key, alice receiving. */
  alice_state = distribute (bob_key, fixture->bob, "bob", fixture->alice);
  plaintext = g_bytes_new_static ("hi alice", 8);
  reply = sotto_envelope_seal (bob_key, fixture->bob, ROOM, "bob", plaintext, &error);
  g_assert_no_error (error);
  opened = sotto_envelope_open (reply, ROOM, "bob", sotto_identity_get_public (fixture->bob),
                                alice_state, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (opened, plaintext));
}

/* Every changed bit of an envelope is an error, the receiver's state is left
 * alone, and the error says which part was wrong.
 */
static void
test_envelope_bit_flip (Fixture       *fixture,
                        gconstpointer  user_data)
{
  g_autoptr(GBytes) envelope = seal_text (fixture, "attack at dawn");
  const SottoPublicIdentity *alice = sotto_identity_get_public (fixture->alice);
  gsize len = g_bytes_get_size (envelope);

  for (gsize i = 0; i < len; i++)
    {
      gint code;

      if (i < OFFSET_KEY_ID)
        code = SOTTO_E2E_ERROR_BAD_FORMAT;
      else if (i < OFFSET_INDEX)
        code = SOTTO_E2E_ERROR_UNKNOWN_KEY;
      else if (i < OFFSET_ROOM_TAG)
        code = SOTTO_E2E_ERROR_BAD_SIGNATURE;
      else if (i < OFFSET_SENDER_TAG)
        code = SOTTO_E2E_ERROR_WRONG_ROOM;
      else if (i < OFFSET_NONCE)
        code = SOTTO_E2E_ERROR_WRONG_SENDER;
      else
        code = SOTTO_E2E_ERROR_BAD_SIGNATURE;

      for (guint bit = 0; bit < 8; bit++)
        {
          g_autoptr(GBytes) changed = bytes_with_change (envelope, i, (guint8) (1 << bit));

          assert_open_fails (changed, ROOM, "alice", alice, fixture->bob_state, code);
        }

      {
        g_autoptr(GBytes) changed = bytes_with_change (envelope, i, 0xff);

        assert_open_fails (changed, ROOM, "alice", alice, fixture->bob_state, code);
      }
    }

  g_assert_cmpuint (sotto_sender_key_get_index (fixture->bob_state), ==, 0);
  assert_opens (envelope, fixture->bob_state, fixture->alice, "attack at dawn");
}

static void
test_envelope_wrong_room (Fixture       *fixture,
                          gconstpointer  user_data)
{
  g_autoptr(GBytes) envelope = seal_text (fixture, "hello");
  const SottoPublicIdentity *alice = sotto_identity_get_public (fixture->alice);

  assert_open_fails (envelope, "#other", "alice", alice, fixture->bob_state,
                     SOTTO_E2E_ERROR_WRONG_ROOM);
  assert_open_fails (envelope, "", "alice", alice, fixture->bob_state,
                     SOTTO_E2E_ERROR_WRONG_ROOM);
  assert_opens (envelope, fixture->bob_state, fixture->alice, "hello");
}

static void
test_envelope_wrong_sender (Fixture       *fixture,
                            gconstpointer  user_data)
{
  g_autoptr(GBytes) envelope = seal_text (fixture, "hello");
  const SottoPublicIdentity *alice = sotto_identity_get_public (fixture->alice);
  const SottoPublicIdentity *carol = sotto_identity_get_public (fixture->carol);

  /* Another name, with or without the right keys. */
  assert_open_fails (envelope, ROOM, "carol", alice, fixture->bob_state,
                     SOTTO_E2E_ERROR_WRONG_SENDER);
  assert_open_fails (envelope, ROOM, "carol", carol, fixture->bob_state,
                     SOTTO_E2E_ERROR_WRONG_SENDER);
  /* The right name with someone else's keys. */
  assert_open_fails (envelope, ROOM, "alice", carol, fixture->bob_state,
                     SOTTO_E2E_ERROR_BAD_SIGNATURE);
  assert_opens (envelope, fixture->bob_state, fixture->alice, "hello");
}

static void
test_envelope_unknown_key (Fixture       *fixture,
                           gconstpointer  user_data)
{
  g_autoptr(GBytes) envelope = seal_text (fixture, "hello");
  g_autoptr(SottoSenderKey) other = sotto_sender_key_new ();
  g_autoptr(GError) error = NULL;
  guint32 key_id;

  g_assert_true (sotto_envelope_peek (envelope, &key_id, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (key_id, ==, sotto_sender_key_get_key_id (fixture->alice_key));
  g_assert_cmpuint (key_id, !=, sotto_sender_key_get_key_id (other));

  assert_open_fails (envelope, ROOM, "alice", sotto_identity_get_public (fixture->alice), other,
                     SOTTO_E2E_ERROR_UNKNOWN_KEY);
}

static void
test_envelope_replay (Fixture       *fixture,
                      gconstpointer  user_data)
{
  g_autoptr(GBytes) first = seal_text (fixture, "one");
  g_autoptr(GBytes) second = seal_text (fixture, "two");
  g_autoptr(GBytes) third = seal_text (fixture, "three");
  const SottoPublicIdentity *alice = sotto_identity_get_public (fixture->alice);

  assert_opens (first, fixture->bob_state, fixture->alice, "one");
  assert_open_fails (first, ROOM, "alice", alice, fixture->bob_state, SOTTO_E2E_ERROR_REPLAYED);

  /* Skipped, then received, then replayed. */
  assert_opens (third, fixture->bob_state, fixture->alice, "three");
  assert_opens (second, fixture->bob_state, fixture->alice, "two");
  assert_open_fails (second, ROOM, "alice", alice, fixture->bob_state, SOTTO_E2E_ERROR_REPLAYED);
  assert_open_fails (third, ROOM, "alice", alice, fixture->bob_state, SOTTO_E2E_ERROR_REPLAYED);

  /* The sender cannot read its own envelopes: it keeps its plaintext. */
  assert_open_fails (first, ROOM, "alice", alice, fixture->alice_key, SOTTO_E2E_ERROR_REPLAYED);
}

static void
test_envelope_reorder (Fixture       *fixture,
                       gconstpointer  user_data)
{
  GBytes *envelopes[20];
  char *texts[G_N_ELEMENTS (envelopes)];
  guint order[G_N_ELEMENTS (envelopes)];

  for (guint i = 0; i < G_N_ELEMENTS (envelopes); i++)
    {
      texts[i] = g_strdup_printf ("message %u", i);
      envelopes[i] = seal_text (fixture, texts[i]);
      order[i] = i;
    }

  /* Fisher-Yates, from the test's reproducible random seed. */
  for (guint i = G_N_ELEMENTS (order) - 1; i > 0; i--)
    {
      guint j = (guint) g_test_rand_int_range (0, (gint32) i + 1);
      guint tmp = order[i];

      order[i] = order[j];
      order[j] = tmp;
    }

  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    assert_opens (envelopes[order[i]], fixture->bob_state, fixture->alice, texts[order[i]]);

  /* In order for carol, far out of order for bob: both read everything. */
  for (guint i = 0; i < G_N_ELEMENTS (envelopes); i++)
    assert_opens (envelopes[i], fixture->carol_state, fixture->alice, texts[i]);

  g_assert_cmpuint (sotto_sender_key_get_n_skipped (fixture->bob_state), ==, 0);
  g_assert_cmpuint (sotto_sender_key_get_index (fixture->bob_state), ==, G_N_ELEMENTS (order));

  for (guint i = 0; i < G_N_ELEMENTS (envelopes); i++)
    {
      assert_open_fails (envelopes[i], ROOM, "alice", sotto_identity_get_public (fixture->alice),
                         fixture->bob_state, SOTTO_E2E_ERROR_REPLAYED);
      g_bytes_unref (envelopes[i]);
      g_free (texts[i]);
    }
}

static void
test_envelope_too_far_ahead (Fixture       *fixture,
                             gconstpointer  user_data)
{
  g_autoptr(GBytes) at_limit = NULL;
  g_autoptr(GBytes) beyond = NULL;
  g_autoptr(GError) error = NULL;
  guint8 key[SOTTO_MESSAGE_KEY_BYTES];

  /* Alice's messages 0 .. 1999 are lost. */
  for (guint32 i = 0; i < SOTTO_SENDER_KEY_MAX_SKIP; i++)
    {
      g_assert_true (_sotto_sender_key_get_message_key (fixture->alice_key, i, key, &error));
      _sotto_sender_key_consume (fixture->alice_key, i);
    }
  sodium_memzero (key, sizeof key);

  at_limit = seal_text (fixture, "2000 skipped");
  beyond = seal_text (fixture, "2001 skipped");

  assert_open_fails (beyond, ROOM, "alice", sotto_identity_get_public (fixture->alice),
                     fixture->bob_state, SOTTO_E2E_ERROR_TOO_FAR_AHEAD);
  assert_opens (at_limit, fixture->bob_state, fixture->alice, "2000 skipped");
  assert_opens (beyond, fixture->bob_state, fixture->alice, "2001 skipped");
}

/* Bob holds alice's sender key, so he can encrypt as her, but cannot sign as
 * her: carol rejects the forgery before her ratchet moves.
 */
static void
test_envelope_forged_signature (Fixture       *fixture,
                                gconstpointer  user_data)
{
  g_autoptr(GBytes) plaintext = g_bytes_new_static ("send me your password", 21);
  g_autoptr(GBytes) forged = NULL;
  g_autoptr(GBytes) forged_ahead = NULL;
  g_autoptr(GBytes) genuine = NULL;
  g_autoptr(GError) error = NULL;
  const SottoPublicIdentity *alice = sotto_identity_get_public (fixture->alice);
  guint8 key[SOTTO_MESSAGE_KEY_BYTES];

  forged = sotto_envelope_seal (fixture->bob_state, fixture->bob, ROOM, "alice", plaintext,
                                &error);
  g_assert_no_error (error);
  assert_open_fails (forged, ROOM, "alice", alice, fixture->carol_state,
                     SOTTO_E2E_ERROR_BAD_SIGNATURE);
  g_assert_cmpuint (sotto_sender_key_get_index (fixture->carol_state), ==, 0);

  /* Far ahead: a forgery must not fill carol's store with skipped keys. */
  g_assert_true (_sotto_sender_key_get_message_key (fixture->bob_state, 1500, key, &error));
  _sotto_sender_key_consume (fixture->bob_state, 1500);
  sodium_memzero (key, sizeof key);
  forged_ahead = sotto_envelope_seal (fixture->bob_state, fixture->bob, ROOM, "alice", plaintext,
                                      &error);
  g_assert_no_error (error);
  assert_open_fails (forged_ahead, ROOM, "alice", alice, fixture->carol_state,
                     SOTTO_E2E_ERROR_BAD_SIGNATURE);
  g_assert_cmpuint (sotto_sender_key_get_index (fixture->carol_state), ==, 0);
  g_assert_cmpuint (sotto_sender_key_get_n_skipped (fixture->carol_state), ==, 0);

  genuine = seal_text (fixture, "hello from alice");
  assert_opens (genuine, fixture->carol_state, fixture->alice, "hello from alice");
}

/* A correctly signed envelope that does not decrypt (here: sealed with a
 * chain key that only shares the key id) burns no key either.
 */
static void
test_envelope_decrypt_failure (Fixture       *fixture,
                               gconstpointer  user_data)
{
  g_autoptr(GBytes) exported = sotto_sender_key_export (fixture->alice_key);
  g_autoptr(GBytes) changed = NULL;
  g_autoptr(SottoSenderKey) impostor_key = NULL;
  g_autoptr(GBytes) plaintext = g_bytes_new_static ("garbled", 7);
  g_autoptr(GBytes) garbled = NULL;
  g_autoptr(GBytes) genuine = NULL;
  g_autoptr(GError) error = NULL;

  changed = bytes_with_change (exported, SOTTO_SENDER_KEY_EXPORT_BYTES - 1, 0x01);
  impostor_key = sotto_sender_key_import (changed, &error);
  g_assert_no_error (error);
  garbled = sotto_envelope_seal (impostor_key, fixture->alice, ROOM, "alice", plaintext, &error);
  g_assert_no_error (error);

  assert_open_fails (garbled, ROOM, "alice", sotto_identity_get_public (fixture->alice),
                     fixture->bob_state, SOTTO_E2E_ERROR_DECRYPT_FAILED);

  genuine = seal_text (fixture, "the real one");
  assert_opens (genuine, fixture->bob_state, fixture->alice, "the real one");
}

static void
test_envelope_truncated (Fixture       *fixture,
                         gconstpointer  user_data)
{
  g_autoptr(GBytes) envelope = seal_text (fixture, "a message that will be cut short");
  const SottoPublicIdentity *alice = sotto_identity_get_public (fixture->alice);
  gsize len = g_bytes_get_size (envelope);
  g_autofree guint8 *longer = g_malloc0 (len + 1);
  g_autoptr(GBytes) extended = NULL;

  for (gsize cut = 0; cut < len; cut++)
    {
      g_autoptr(GBytes) truncated = g_bytes_new_from_bytes (envelope, 0, cut);
      g_autoptr(GBytes) plaintext = NULL;
      g_autoptr(GError) error = NULL;

      plaintext = sotto_envelope_open (truncated, ROOM, "alice", alice, fixture->bob_state,
                                       &error);
      g_assert_null (plaintext);
      if (cut < SOTTO_ENVELOPE_OVERHEAD)
        g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT);
      else
        g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_SIGNATURE);
    }

  memcpy (longer, g_bytes_get_data (envelope, NULL), len);
  extended = g_bytes_new (longer, len + 1);
  assert_open_fails (extended, ROOM, "alice", alice, fixture->bob_state,
                     SOTTO_E2E_ERROR_BAD_SIGNATURE);

  g_assert_cmpuint (sotto_sender_key_get_index (fixture->bob_state), ==, 0);
  assert_opens (envelope, fixture->bob_state, fixture->alice, "a message that will be cut short");
}

static void
test_envelope_max_size (Fixture       *fixture,
                        gconstpointer  user_data)
{
  g_autofree char *largest = g_strnfill (SOTTO_ENVELOPE_MAX_PLAINTEXT, 'z');
  g_autoptr(GBytes) too_large = g_bytes_new_take (g_strnfill (SOTTO_ENVELOPE_MAX_PLAINTEXT + 1,
                                                              'z'),
                                                  SOTTO_ENVELOPE_MAX_PLAINTEXT + 1);
  g_autoptr(GBytes) envelope = NULL;
  g_autoptr(GBytes) refused = NULL;
  g_autoptr(GBytes) oversized = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *padded = NULL;

  /* The largest envelope fits the protocol's 64 KiB limit on decoded fields. */
  G_STATIC_ASSERT (SOTTO_ENVELOPE_MAX_BYTES <= 64 * 1024);

  refused = sotto_envelope_seal (fixture->alice_key, fixture->alice, ROOM, "alice", too_large,
                                 &error);
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_TOO_LARGE);
  g_assert_null (refused);
  g_clear_error (&error);
  g_assert_cmpuint (sotto_sender_key_get_index (fixture->alice_key), ==, 0);

  envelope = seal_text (fixture, largest);
  g_assert_cmpuint (g_bytes_get_size (envelope), ==, SOTTO_ENVELOPE_MAX_BYTES);

  /* One byte more than any envelope can be is refused before anything else. */
  padded = g_malloc0 (SOTTO_ENVELOPE_MAX_BYTES + 1);
  memcpy (padded, g_bytes_get_data (envelope, NULL), SOTTO_ENVELOPE_MAX_BYTES);
  oversized = g_bytes_new (padded, SOTTO_ENVELOPE_MAX_BYTES + 1);
  g_assert_false (sotto_envelope_peek (oversized, NULL, NULL, &error));
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT);
  g_clear_error (&error);
  assert_open_fails (oversized, ROOM, "alice", sotto_identity_get_public (fixture->alice),
                     fixture->bob_state, SOTTO_E2E_ERROR_BAD_FORMAT);

  assert_opens (envelope, fixture->bob_state, fixture->alice, largest);
}

static void
test_envelope_peek (Fixture       *fixture,
                    gconstpointer  user_data)
{
  g_autoptr(GBytes) first = seal_text (fixture, "one");
  g_autoptr(GBytes) second = seal_text (fixture, "two");
  g_autoptr(GBytes) empty = g_bytes_new (NULL, 0);
  g_autoptr(GBytes) short_one = g_bytes_new_from_bytes (first, 0, SOTTO_ENVELOPE_OVERHEAD - 1);
  g_autoptr(GBytes) bad_version = bytes_with_change (first, 0, 0x80);
  g_autoptr(GError) error = NULL;
  guint32 key_id = 0;
  guint32 index = 0;

  g_assert_true (sotto_envelope_peek (second, &key_id, &index, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (key_id, ==, sotto_sender_key_get_key_id (fixture->alice_key));
  g_assert_cmpuint (index, ==, 1);

  g_assert_true (sotto_envelope_peek (first, NULL, &index, &error));
  g_assert_cmpuint (index, ==, 0);

  g_assert_false (sotto_envelope_peek (empty, &key_id, &index, &error));
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT);
  g_clear_error (&error);
  g_assert_false (sotto_envelope_peek (short_one, &key_id, &index, &error));
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT);
  g_clear_error (&error);
  g_assert_false (sotto_envelope_peek (bad_version, &key_id, &index, &error));
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT);
}

static void
test_envelope_exhausted_key (Fixture       *fixture,
                             gconstpointer  user_data)
{
  g_autoptr(GBytes) exported = sotto_sender_key_export (fixture->alice_key);
  g_autoptr(GBytes) changed = NULL;
  g_autoptr(SottoSenderKey) spent = NULL;
  g_autoptr(GBytes) plaintext = g_bytes_new_static ("one too many", 12);
  g_autoptr(GBytes) envelope = NULL;
  g_autoptr(GError) error = NULL;
  guint8 data[SOTTO_SENDER_KEY_EXPORT_BYTES];

  /* Set the index to G_MAXUINT32. */
  memcpy (data, g_bytes_get_data (exported, NULL), sizeof data);
  memset (data + OFFSET_INDEX, 0xff, 4);
  changed = g_bytes_new (data, sizeof data);
  sodium_memzero (data, sizeof data);
  spent = sotto_sender_key_import (changed, &error);
  g_assert_no_error (error);

  envelope = sotto_envelope_seal (spent, fixture->alice, ROOM, "alice", plaintext, &error);
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_KEY_EXHAUSTED);
  g_assert_null (envelope);
}

/* Bodies: what the envelope carries, padded to its size class. */

static GBytes *
encode_text (guint64     counter,
             gint64      sent_at,
             const char *text)
{
  g_autoptr(GBytes) content = g_bytes_new (text, strlen (text));
  SottoMessageBody body = { SOTTO_MESSAGE_BODY_TEXT, counter, sent_at, content };
  g_autoptr(GError) error = NULL;
  GBytes *encoded = sotto_message_body_encode (&body, &error);

  g_assert_no_error (error);
  return encoded;
}

static void
test_body_round_trip (void)
{
  g_autoptr(GBytes) encoded = encode_text (42, -1700000000123, "héllo");
  g_autoptr(GBytes) content = g_bytes_new_static ("x", 1);
  SottoMessageBody with_state = { SOTTO_MESSAGE_BODY_TEXT, 3, 5, content, 17, { 0 } };
  g_autoptr(GBytes) encoded_state = NULL;
  g_auto(SottoMessageBody) body = { 0 };
  g_auto(SottoMessageBody) state_body = { 0 };
  g_autoptr(GError) error = NULL;

  g_assert_true (sotto_message_body_decode (encoded, &body, &error));
  g_assert_no_error (error);
  g_assert_cmpint (body.type, ==, SOTTO_MESSAGE_BODY_TEXT);
  g_assert_cmpuint (body.counter, ==, 42);
  g_assert_cmpint (body.sent_at, ==, -1700000000123);
  g_assert_cmpuint (body.state_length, ==, 0);
  g_assert_cmpmem (g_bytes_get_data (body.content, NULL), g_bytes_get_size (body.content),
                   "héllo", strlen ("héllo"));

  /* The room state the sender saw comes through as it was. */
  for (guint i = 0; i < sizeof with_state.state_head; i++)
    with_state.state_head[i] = (guint8) (i * 7 + 1);
  encoded_state = sotto_message_body_encode (&with_state, &error);
  g_assert_no_error (error);
  g_assert_true (sotto_message_body_decode (encoded_state, &state_body, &error));
  g_assert_cmpuint (state_body.state_length, ==, 17);
  g_assert_cmpmem (state_body.state_head, sizeof state_body.state_head, with_state.state_head,
                   sizeof with_state.state_head);
}

/* Lengths say the size class only: every text of up to 66 bytes seals to
 * the same envelope length, the next byte doubles it, and the largest
 * content fills the largest envelope. */
static void
test_body_padding (void)
{
  g_autoptr(SottoSenderKey) key = sotto_sender_key_new ();
  g_autoptr(SottoIdentity) alice = sotto_identity_new ();
  gsize first_class = 0;

  for (gsize len = 0; len <= 66; len++)
    {
      g_autofree char *text = g_strnfill (len, 'a');
      g_autoptr(GBytes) encoded = encode_text (1, 0, text);
      g_autoptr(GBytes) envelope = sotto_envelope_seal (key, alice, ROOM, "alice", encoded, NULL);

      g_assert_cmpuint (g_bytes_get_size (encoded), ==, SOTTO_MESSAGE_BODY_MIN_PADDED);
      if (first_class == 0)
        first_class = g_bytes_get_size (envelope);
      g_assert_cmpuint (g_bytes_get_size (envelope), ==, first_class);
    }

  g_assert_cmpuint (sotto_message_body_padded_size (67), ==, 256);
  g_assert_cmpuint (sotto_message_body_padded_size (962), ==, 1024);
  g_assert_cmpuint (sotto_message_body_padded_size (963), ==, 2048);
  g_assert_cmpuint (sotto_message_body_padded_size (SOTTO_MESSAGE_BODY_MAX_CONTENT), ==,
                    SOTTO_ENVELOPE_MAX_PLAINTEXT);
  g_assert_cmpuint (sotto_message_body_padded_size (32768), ==, SOTTO_ENVELOPE_MAX_PLAINTEXT);

  {
    g_autofree char *largest = g_strnfill (SOTTO_MESSAGE_BODY_MAX_CONTENT, 'z');
    g_autofree char *over = g_strnfill (SOTTO_MESSAGE_BODY_MAX_CONTENT + 1, 'z');
    g_autoptr(GBytes) encoded = encode_text (1, 0, largest);
    g_autoptr(GBytes) over_content = g_bytes_new (over, strlen (over));
    SottoMessageBody too_large = { SOTTO_MESSAGE_BODY_TEXT, 1, 0, over_content };
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) refused = NULL;

    g_assert_cmpuint (g_bytes_get_size (encoded), ==, SOTTO_ENVELOPE_MAX_PLAINTEXT);
    refused = sotto_message_body_encode (&too_large, &error);
    g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_TOO_LARGE);
    g_assert_null (refused);
  }
}

static void
assert_refused (const guint8 *data,
                gsize         size)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  g_auto(SottoMessageBody) body = { 0 };
  g_autoptr(GError) error = NULL;

  g_assert_false (sotto_message_body_decode (bytes, &body, &error));
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT);
  g_assert_null (body.content);
}

/* Decoding is strict: the old plain-text plaintext, another version or
 * type, a zero counter, a length that runs past the end, padding that is
 * not zero, text with a NUL byte or invalid UTF-8, and every cut. */
static void
test_body_strict (void)
{
  g_autoptr(GBytes) good = encode_text (7, 1000, "hi");
  gsize size = g_bytes_get_size (good);
  g_autofree guint8 *copy = g_memdup2 (g_bytes_get_data (good, NULL), size);
  g_autoptr(GBytes) content = g_bytes_new ("a\0b", 3);
  g_autoptr(GBytes) bad_utf8 = g_bytes_new ("\xc3\x28", 2);
  SottoMessageBody nul = { SOTTO_MESSAGE_BODY_TEXT, 1, 0, content };
  SottoMessageBody invalid = { SOTTO_MESSAGE_BODY_TEXT, 1, 0, bad_utf8 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) refused = NULL;

  assert_refused ((const guint8 *) "hello, this is how messages used to look", 40);

  copy[0] = 1;
  assert_refused (copy, size);
  copy[0] = 3;
  assert_refused (copy, size);
  copy[0] = 2;
  copy[1] = 9;
  assert_refused (copy, size);
  copy[1] = SOTTO_MESSAGE_BODY_TEXT;
  memset (copy + 2, 0, 8);
  assert_refused (copy, size);
  memcpy (copy, g_bytes_get_data (good, NULL), size);
  copy[61] = 200;
  assert_refused (copy, size);
  memcpy (copy, g_bytes_get_data (good, NULL), size);
  copy[size - 1] = 1;
  assert_refused (copy, size);
  memcpy (copy, g_bytes_get_data (good, NULL), size);
  copy[62] = 0;
  assert_refused (copy, size);
  copy[62] = 0xff;
  assert_refused (copy, size);
  memcpy (copy, g_bytes_get_data (good, NULL), size);
  for (gsize cut = 0; cut < SOTTO_MESSAGE_BODY_HEADER_BYTES + 2; cut++)
    assert_refused (copy, cut);

  refused = sotto_message_body_encode (&nul, &error);
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT);
  g_assert_null (refused);
  g_clear_error (&error);
  refused = sotto_message_body_encode (&invalid, &error);
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT);
  g_assert_null (refused);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  if (sodium_init () < 0)
    g_error ("sodium_init failed");

#define ADD(path, func) \
  g_test_add ("/sotto/e2e/envelope/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("round-trip", test_envelope_round_trip);
  ADD ("bit-flip", test_envelope_bit_flip);
  ADD ("wrong-room", test_envelope_wrong_room);
  ADD ("wrong-sender", test_envelope_wrong_sender);
  ADD ("unknown-key", test_envelope_unknown_key);
  ADD ("replay", test_envelope_replay);
  ADD ("reorder", test_envelope_reorder);
  ADD ("too-far-ahead", test_envelope_too_far_ahead);
  ADD ("forged-signature", test_envelope_forged_signature);
  ADD ("decrypt-failure", test_envelope_decrypt_failure);
  ADD ("truncated", test_envelope_truncated);
  ADD ("max-size", test_envelope_max_size);
  ADD ("peek", test_envelope_peek);
  ADD ("exhausted-key", test_envelope_exhausted_key);
#undef ADD
  g_test_add_func ("/sotto/e2e/body/round-trip", test_body_round_trip);
  g_test_add_func ("/sotto/e2e/body/padding", test_body_padding);
  g_test_add_func ("/sotto/e2e/body/strict", test_body_strict);

  return g_test_run ();
}
