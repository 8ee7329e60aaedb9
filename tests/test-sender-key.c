/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <sodium.h>
#include <string.h>

#include "sotto-e2e.h"
#include "sotto-sender-key-private.h"

#define ROOM "#garden"

/* Offsets in a serialized state (sotto-sender-key.c). */
#define STATE_OFFSET_VERSION 0
#define STATE_OFFSET_INDEX 5
#define STATE_OFFSET_N_SKIPPED 41
#define STATE_OFFSET_ENTRIES 45
#define STATE_ENTRY_BYTES 36

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
  fixture->alice = sotto_identity_new ();
  fixture->bob = sotto_identity_new ();
  fixture->carol = sotto_identity_new ();
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  user_data)
{
  g_assert_finalize_object (g_steal_pointer (&fixture->alice));
  g_assert_finalize_object (g_steal_pointer (&fixture->bob));
  g_assert_finalize_object (g_steal_pointer (&fixture->carol));
}

/* Gets and consumes the key of message @index, as a successful open does. */
static gboolean
take_key (SottoSenderKey  *key,
          guint32          index,
          guint8          *message_key,
          GError         **error)
{
  if (!_sotto_sender_key_get_message_key (key, index, message_key, error))
    return FALSE;

  _sotto_sender_key_consume (key, index);

  return TRUE;
}

/* The sender's keys for messages 0 .. @count - 1. */
static guint8 *
sender_keys (SottoSenderKey *own,
             guint           count)
{
  guint8 *keys = g_malloc (count * SOTTO_MESSAGE_KEY_BYTES);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < count; i++)
    {
      g_assert_cmpuint (sotto_sender_key_get_index (own), ==, i);
      g_assert_true (take_key (own, i, keys + i * SOTTO_MESSAGE_KEY_BYTES, &error));
      g_assert_no_error (error);
    }

  return keys;
}

static SottoSenderKey *
copy_by_export (SottoSenderKey *key)
{
  g_autoptr(GBytes) exported = sotto_sender_key_export (key);
  g_autoptr(GError) error = NULL;
  SottoSenderKey *copy = sotto_sender_key_import (exported, &error);

  g_assert_no_error (error);
  g_assert_nonnull (copy);

  return copy;
}

static void
assert_key (SottoSenderKey *receiver,
            guint32         index,
            const guint8   *expected)
{
  guint8 key[SOTTO_MESSAGE_KEY_BYTES];
  g_autoptr(GError) error = NULL;

  g_assert_true (take_key (receiver, index, key, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (key, sizeof key, expected + (gsize) index * SOTTO_MESSAGE_KEY_BYTES,
                   SOTTO_MESSAGE_KEY_BYTES);
}

static void
assert_key_fails (SottoSenderKey *receiver,
                  guint32         index,
                  gint            code)
{
  guint8 key[SOTTO_MESSAGE_KEY_BYTES];
  g_autoptr(GError) error = NULL;
  guint32 index_before = sotto_sender_key_get_index (receiver);
  guint n_skipped_before = sotto_sender_key_get_n_skipped (receiver);

  g_assert_false (_sotto_sender_key_get_message_key (receiver, index, key, &error));
  g_assert_error (error, SOTTO_E2E_ERROR, code);

  /* A failure changes nothing. */
  g_assert_cmpuint (sotto_sender_key_get_index (receiver), ==, index_before);
  g_assert_cmpuint (sotto_sender_key_get_n_skipped (receiver), ==, n_skipped_before);
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
put_u32 (guint8  *p,
         guint32  value)
{
  p[0] = (guint8) (value >> 24);
  p[1] = (guint8) (value >> 16);
  p[2] = (guint8) (value >> 8);
  p[3] = (guint8) value;
}

static void
test_sender_key_new (void)
{
  g_autoptr(SottoSenderKey) a = sotto_sender_key_new ();
  g_autoptr(SottoSenderKey) b = sotto_sender_key_new ();
  g_autoptr(GBytes) export_a = sotto_sender_key_export (a);
  g_autoptr(GBytes) export_b = sotto_sender_key_export (b);

  g_assert_cmpuint (sotto_sender_key_get_index (a), ==, 0);
  g_assert_cmpuint (sotto_sender_key_get_n_skipped (a), ==, 0);
  g_assert_cmpuint (g_bytes_get_size (export_a), ==, SOTTO_SENDER_KEY_EXPORT_BYTES);
  /* Random chain keys (and, with overwhelming probability, key ids). */
  g_assert_false (g_bytes_equal (export_a, export_b));

  g_assert_finalize_object (g_steal_pointer (&a));
  g_assert_finalize_object (g_steal_pointer (&b));
}

static void
test_sender_key_advance (void)
{
  g_autoptr(SottoSenderKey) own = sotto_sender_key_new ();
  g_autoptr(SottoSenderKey) receiver = copy_by_export (own);
  g_autofree guint8 *keys = NULL;

  g_assert_cmpuint (sotto_sender_key_get_key_id (receiver), ==, sotto_sender_key_get_key_id (own));

  keys = sender_keys (own, 10);
  g_assert_cmpuint (sotto_sender_key_get_index (own), ==, 10);

  for (guint i = 0; i < 10; i++)
    {
      for (guint j = 0; j < i; j++)
        g_assert_true (memcmp (keys + i * SOTTO_MESSAGE_KEY_BYTES,
                               keys + j * SOTTO_MESSAGE_KEY_BYTES,
                               SOTTO_MESSAGE_KEY_BYTES) != 0);

      assert_key (receiver, i, keys);
      g_assert_cmpuint (sotto_sender_key_get_index (receiver), ==, i + 1);
      g_assert_cmpuint (sotto_sender_key_get_n_skipped (receiver), ==, 0);
    }
}

static void
test_sender_key_out_of_order (void)
{
  g_autoptr(SottoSenderKey) own = sotto_sender_key_new ();
  g_autoptr(SottoSenderKey) receiver = copy_by_export (own);
  g_autofree guint8 *keys = sender_keys (own, 10);
  const guint32 order[] = { 5, 2, 0, 9, 4, 1, 3, 7, 8, 6 };

  assert_key (receiver, 5, keys);
  g_assert_cmpuint (sotto_sender_key_get_index (receiver), ==, 6);
  g_assert_cmpuint (sotto_sender_key_get_n_skipped (receiver), ==, 5);

  for (guint i = 1; i < G_N_ELEMENTS (order); i++)
    assert_key (receiver, order[i], keys);

  g_assert_cmpuint (sotto_sender_key_get_index (receiver), ==, 10);
  g_assert_cmpuint (sotto_sender_key_get_n_skipped (receiver), ==, 0);
}

static void
test_sender_key_max_skip (void)
{
  g_autoptr(SottoSenderKey) own = sotto_sender_key_new ();
  g_autoptr(SottoSenderKey) receiver = copy_by_export (own);
  g_autofree guint8 *keys = sender_keys (own, 2 * SOTTO_SENDER_KEY_MAX_SKIP + 2);

  /* 2001 messages missing: refused, nothing changes. */
  assert_key_fails (receiver, SOTTO_SENDER_KEY_MAX_SKIP + 1, SOTTO_E2E_ERROR_TOO_FAR_AHEAD);
  g_assert_cmpuint (sotto_sender_key_get_index (receiver), ==, 0);
  g_assert_cmpuint (sotto_sender_key_get_n_skipped (receiver), ==, 0);

  /* Exactly 2000 missing: accepted, all 2000 stored. */
  assert_key (receiver, SOTTO_SENDER_KEY_MAX_SKIP, keys);
  g_assert_cmpuint (sotto_sender_key_get_index (receiver), ==, SOTTO_SENDER_KEY_MAX_SKIP + 1);
  g_assert_cmpuint (sotto_sender_key_get_n_skipped (receiver), ==, SOTTO_SENDER_KEY_MAX_SKIP);

  /* The window counts from the chain's new position. */
  assert_key_fails (receiver, 2 * SOTTO_SENDER_KEY_MAX_SKIP + 2, SOTTO_E2E_ERROR_TOO_FAR_AHEAD);
  assert_key_fails (receiver, G_MAXUINT32, SOTTO_E2E_ERROR_TOO_FAR_AHEAD);
  assert_key (receiver, 2 * SOTTO_SENDER_KEY_MAX_SKIP + 1, keys);

  /* The first skipped keys were dropped to stay within the bound. */
  g_assert_cmpuint (sotto_sender_key_get_n_skipped (receiver), ==, SOTTO_SENDER_KEY_MAX_STORED);
  assert_key (receiver, SOTTO_SENDER_KEY_MAX_SKIP + 1, keys);
  assert_key (receiver, 2 * SOTTO_SENDER_KEY_MAX_SKIP, keys);
}

static void
test_sender_key_stored_bound (void)
{
  g_autoptr(SottoSenderKey) own = sotto_sender_key_new ();
  g_autoptr(SottoSenderKey) receiver = copy_by_export (own);
  g_autofree guint8 *keys = sender_keys (own, SOTTO_SENDER_KEY_MAX_STORED + 20);

  assert_key (receiver, SOTTO_SENDER_KEY_MAX_STORED, keys);
  g_assert_cmpuint (sotto_sender_key_get_n_skipped (receiver), ==, SOTTO_SENDER_KEY_MAX_STORED);

  /* Ten more skipped: the ten oldest go. */
  assert_key (receiver, SOTTO_SENDER_KEY_MAX_STORED + 11, keys);
  g_assert_cmpuint (sotto_sender_key_get_n_skipped (receiver), ==, SOTTO_SENDER_KEY_MAX_STORED);

  for (guint32 i = 0; i < 10; i++)
    assert_key_fails (receiver, i, SOTTO_E2E_ERROR_REPLAYED);

  assert_key (receiver, 10, keys);
  assert_key (receiver, SOTTO_SENDER_KEY_MAX_STORED + 10, keys);
  assert_key (receiver, SOTTO_SENDER_KEY_MAX_STORED + 12, keys);
  g_assert_cmpuint (sotto_sender_key_get_n_skipped (receiver), ==,
                    SOTTO_SENDER_KEY_MAX_STORED - 2);
}

static void
test_sender_key_replay (void)
{
  g_autoptr(SottoSenderKey) own = sotto_sender_key_new ();
  g_autoptr(SottoSenderKey) receiver = copy_by_export (own);
  g_autofree guint8 *keys = sender_keys (own, 5);

  assert_key (receiver, 0, keys);
  assert_key_fails (receiver, 0, SOTTO_E2E_ERROR_REPLAYED);

  assert_key (receiver, 3, keys);
  assert_key_fails (receiver, 3, SOTTO_E2E_ERROR_REPLAYED);

  assert_key (receiver, 1, keys);
  assert_key_fails (receiver, 1, SOTTO_E2E_ERROR_REPLAYED);
  assert_key (receiver, 2, keys);
  assert_key_fails (receiver, 2, SOTTO_E2E_ERROR_REPLAYED);
  g_assert_cmpuint (sotto_sender_key_get_n_skipped (receiver), ==, 0);

  /* The sender cannot go back either. */
  assert_key_fails (own, 4, SOTTO_E2E_ERROR_REPLAYED);
}

static gboolean
contains (GBytes       *haystack,
          const guint8 *needle,
          gsize         needle_len)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (haystack, &len);

  for (gsize i = 0; i + needle_len <= len; i++)
    if (memcmp (data + i, needle, needle_len) == 0)
      return TRUE;

  return FALSE;
}

static void
test_sender_key_forward_secrecy (void)
{
  g_autoptr(SottoSenderKey) own = sotto_sender_key_new ();
  g_autoptr(SottoSenderKey) receiver = copy_by_export (own);
  g_autoptr(SottoSenderKey) at_five = NULL;
  g_autoptr(GBytes) exported = NULL;
  g_autoptr(GBytes) serialized = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *keys = g_malloc (7 * SOTTO_MESSAGE_KEY_BYTES);
  guint8 *key5 = keys + 5 * SOTTO_MESSAGE_KEY_BYTES;

  for (guint32 i = 0; i < 5; i++)
    {
      g_assert_true (take_key (own, i, keys + i * SOTTO_MESSAGE_KEY_BYTES, &error));
      g_assert_no_error (error);
    }

  /* A state exported at index 5 reaches no earlier key, and holds none. */
  exported = sotto_sender_key_export (own);
  at_five = copy_by_export (own);
  g_assert_cmpuint (sotto_sender_key_get_index (at_five), ==, 5);
  for (guint32 i = 0; i < 5; i++)
    {
      assert_key_fails (at_five, i, SOTTO_E2E_ERROR_REPLAYED);
      g_assert_false (contains (exported, keys + i * SOTTO_MESSAGE_KEY_BYTES,
                                SOTTO_MESSAGE_KEY_BYTES));
    }

  /* It still reads what comes next. */
  g_assert_true (take_key (own, 5, key5, &error));
  g_assert_no_error (error);
  assert_key (at_five, 5, keys);

  /* A receiver that used key 3 cannot get it again, and no longer holds it. */
  assert_key (receiver, 5, keys);
  assert_key (receiver, 3, keys);
  assert_key_fails (receiver, 3, SOTTO_E2E_ERROR_REPLAYED);

  serialized = sotto_sender_key_serialize (receiver);
  g_assert_false (contains (serialized, keys + 3 * SOTTO_MESSAGE_KEY_BYTES,
                            SOTTO_MESSAGE_KEY_BYTES));
  g_assert_false (contains (serialized, key5, SOTTO_MESSAGE_KEY_BYTES));
  g_assert_true (contains (serialized, keys + 4 * SOTTO_MESSAGE_KEY_BYTES,
                           SOTTO_MESSAGE_KEY_BYTES));

  g_clear_object (&receiver);
  receiver = sotto_sender_key_deserialize (serialized, &error);
  g_assert_no_error (error);
  assert_key_fails (receiver, 3, SOTTO_E2E_ERROR_REPLAYED);
  assert_key_fails (receiver, 5, SOTTO_E2E_ERROR_REPLAYED);
  assert_key (receiver, 4, keys);
}

static void
test_sender_key_export_import (void)
{
  g_autoptr(SottoSenderKey) own = sotto_sender_key_new ();
  g_autoptr(SottoSenderKey) imported = NULL;
  g_autoptr(GBytes) exported = NULL;
  g_autoptr(GBytes) serialized = NULL;
  g_autoptr(GBytes) extended = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *keys = NULL;
  g_autofree guint8 *longer = NULL;
  gsize len;

  /* Messages 0 .. 6 are gone. */
  g_free (sender_keys (own, 7));
  exported = sotto_sender_key_export (own);
  len = g_bytes_get_size (exported);
  g_assert_cmpuint (len, ==, SOTTO_SENDER_KEY_EXPORT_BYTES);

  imported = sotto_sender_key_import (exported, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sotto_sender_key_get_key_id (imported), ==, sotto_sender_key_get_key_id (own));
  g_assert_cmpuint (sotto_sender_key_get_index (imported), ==, 7);

  /* Keys 7 .. 9 agree. */
  keys = g_malloc (10 * SOTTO_MESSAGE_KEY_BYTES);
  for (guint32 i = 7; i < 10; i++)
    {
      g_assert_true (take_key (own, i, keys + i * SOTTO_MESSAGE_KEY_BYTES, &error));
      g_assert_no_error (error);
      assert_key (imported, i, keys);
    }

  for (gsize cut = 0; cut < len; cut++)
    {
      g_autoptr(GBytes) truncated = g_bytes_new_from_bytes (exported, 0, cut);
      g_autoptr(SottoSenderKey) bad = sotto_sender_key_import (truncated, &error);

      g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT);
      g_assert_null (bad);
      g_clear_error (&error);
    }

  longer = g_malloc0 (len + 1);
  memcpy (longer, g_bytes_get_data (exported, NULL), len);
  extended = g_bytes_new (longer, len + 1);
  g_assert_null (sotto_sender_key_import (extended, &error));
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT);
  g_clear_error (&error);

  for (guint bit = 0; bit < 8; bit++)
    {
      g_autoptr(GBytes) changed = bytes_with_change (exported, 0, (guint8) (1 << bit));

      g_assert_null (sotto_sender_key_import (changed, &error));
      g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT);
      g_clear_error (&error);
    }

  /* An export and a saved state are not interchangeable. */
  serialized = sotto_sender_key_serialize (own);
  g_assert_null (sotto_sender_key_import (serialized, &error));
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT);
  g_clear_error (&error);
  g_assert_null (sotto_sender_key_deserialize (exported, &error));
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT);
}

static void
test_sender_key_exhausted (void)
{
  g_autoptr(SottoSenderKey) own = sotto_sender_key_new ();
  g_autoptr(SottoSenderKey) last = NULL;
  g_autoptr(GBytes) exported = sotto_sender_key_export (own);
  g_autoptr(GBytes) changed = NULL;
  g_autoptr(GError) error = NULL;
  guint8 data[SOTTO_SENDER_KEY_EXPORT_BYTES];
  guint8 key[SOTTO_MESSAGE_KEY_BYTES];

  memcpy (data, g_bytes_get_data (exported, NULL), sizeof data);
  put_u32 (data + 5, G_MAXUINT32 - 1);
  changed = g_bytes_new (data, sizeof data);
  sodium_memzero (data, sizeof data);

  last = sotto_sender_key_import (changed, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sotto_sender_key_get_index (last), ==, G_MAXUINT32 - 1);

  g_assert_true (take_key (last, G_MAXUINT32 - 1, key, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (sotto_sender_key_get_index (last), ==, G_MAXUINT32);

  assert_key_fails (last, G_MAXUINT32, SOTTO_E2E_ERROR_KEY_EXHAUSTED);
  assert_key_fails (last, G_MAXUINT32 - 1, SOTTO_E2E_ERROR_REPLAYED);
}

static void
test_sender_key_serialize (void)
{
  g_autoptr(SottoSenderKey) own = sotto_sender_key_new ();
  g_autoptr(SottoSenderKey) receiver = copy_by_export (own);
  g_autoptr(SottoSenderKey) restored = NULL;
  g_autoptr(SottoSenderKey) fresh = NULL;
  g_autoptr(GBytes) serialized = NULL;
  g_autoptr(GBytes) serialized_again = NULL;
  g_autoptr(GBytes) fresh_serialized = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *keys = sender_keys (own, 15);

  assert_key (receiver, 10, keys);
  assert_key (receiver, 4, keys);
  g_assert_cmpuint (sotto_sender_key_get_n_skipped (receiver), ==, 9);

  serialized = sotto_sender_key_serialize (receiver);
  g_assert_cmpuint (g_bytes_get_size (serialized), ==,
                    STATE_OFFSET_ENTRIES + 9 * STATE_ENTRY_BYTES);

  restored = sotto_sender_key_deserialize (serialized, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sotto_sender_key_get_key_id (restored), ==, sotto_sender_key_get_key_id (own));
  g_assert_cmpuint (sotto_sender_key_get_index (restored), ==, 11);
  g_assert_cmpuint (sotto_sender_key_get_n_skipped (restored), ==, 9);

  serialized_again = sotto_sender_key_serialize (restored);
  g_assert_true (g_bytes_equal (serialized, serialized_again));

  for (guint32 i = 0; i < 15; i++)
    {
      if (i == 4 || i == 10)
        assert_key_fails (restored, i, SOTTO_E2E_ERROR_REPLAYED);
      else
        assert_key (restored, i, keys);
    }
  g_assert_cmpuint (sotto_sender_key_get_n_skipped (restored), ==, 0);

  /* A state without skipped keys. */
  fresh = sotto_sender_key_new ();
  fresh_serialized = sotto_sender_key_serialize (fresh);
  g_assert_cmpuint (g_bytes_get_size (fresh_serialized), ==, STATE_OFFSET_ENTRIES);
  g_clear_object (&restored);
  restored = sotto_sender_key_deserialize (fresh_serialized, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sotto_sender_key_get_n_skipped (restored), ==, 0);
}

static void
assert_deserialize_fails (const guint8 *data,
                          gsize         len)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, len);
  g_autoptr(SottoSenderKey) key = NULL;
  g_autoptr(GError) error = NULL;

  key = sotto_sender_key_deserialize (bytes, &error);
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT);
  g_assert_null (key);
}

static void
test_sender_key_deserialize_garbage (void)
{
  g_autoptr(SottoSenderKey) own = sotto_sender_key_new ();
  g_autoptr(SottoSenderKey) receiver = copy_by_export (own);
  g_autoptr(GBytes) serialized = NULL;
  g_autofree guint8 *keys = sender_keys (own, 4);
  g_autofree guint8 *data = NULL;
  g_autofree guint8 *big = NULL;
  guint8 *entry0;
  guint8 *entry1;
  gsize len;
  gsize big_len;

  /* Index 4, skipped keys 0 .. 2. */
  assert_key (receiver, 3, keys);
  serialized = sotto_sender_key_serialize (receiver);
  len = g_bytes_get_size (serialized);
  g_assert_cmpuint (len, ==, STATE_OFFSET_ENTRIES + 3 * STATE_ENTRY_BYTES);
  data = g_malloc (len + 1);

#define RESET() memcpy (data, g_bytes_get_data (serialized, NULL), len)
  entry0 = data + STATE_OFFSET_ENTRIES;
  entry1 = entry0 + STATE_ENTRY_BYTES;

  RESET ();
  for (gsize cut = 0; cut < len; cut++)
    assert_deserialize_fails (data, cut);

  data[len] = 0;
  assert_deserialize_fails (data, len + 1);

  for (guint8 version = 0; version < 255; version++)
    {
      RESET ();
      if (version == data[STATE_OFFSET_VERSION])
        continue;
      data[STATE_OFFSET_VERSION] = version;
      assert_deserialize_fails (data, len);
    }

  /* A count that disagrees with the length, either way. */
  RESET ();
  put_u32 (data + STATE_OFFSET_N_SKIPPED, 2);
  assert_deserialize_fails (data, len);
  put_u32 (data + STATE_OFFSET_N_SKIPPED, 4);
  assert_deserialize_fails (data, len);
  put_u32 (data + STATE_OFFSET_N_SKIPPED, G_MAXUINT32);
  assert_deserialize_fails (data, len);

  /* Entries out of order, or repeated. */
  RESET ();
  put_u32 (entry0, 1);
  put_u32 (entry1, 0);
  assert_deserialize_fails (data, len);
  RESET ();
  put_u32 (entry1, 0);
  assert_deserialize_fails (data, len);

  /* A skipped key at or after the chain's index. */
  RESET ();
  put_u32 (entry1 + STATE_ENTRY_BYTES, 4);
  assert_deserialize_fails (data, len);
  RESET ();
  put_u32 (data + STATE_OFFSET_INDEX, 2);
  assert_deserialize_fails (data, len);
#undef RESET

  /* More entries than a state may hold, even with a consistent length. */
  big_len = STATE_OFFSET_ENTRIES + (SOTTO_SENDER_KEY_MAX_STORED + 1) * STATE_ENTRY_BYTES;
  big = g_malloc0 (big_len);
  memcpy (big, g_bytes_get_data (serialized, NULL), STATE_OFFSET_ENTRIES);
  put_u32 (big + STATE_OFFSET_INDEX, G_MAXUINT32);
  put_u32 (big + STATE_OFFSET_N_SKIPPED, SOTTO_SENDER_KEY_MAX_STORED + 1);
  for (guint32 i = 0; i <= SOTTO_SENDER_KEY_MAX_STORED; i++)
    put_u32 (big + STATE_OFFSET_ENTRIES + i * STATE_ENTRY_BYTES, i);
  assert_deserialize_fails (big, big_len);

  /* ... while the bound itself is accepted. */
  {
    g_autoptr(GBytes) at_bound = NULL;
    g_autoptr(SottoSenderKey) key = NULL;
    g_autoptr(GError) error = NULL;

    put_u32 (big + STATE_OFFSET_N_SKIPPED, SOTTO_SENDER_KEY_MAX_STORED);
    at_bound = g_bytes_new (big, big_len - STATE_ENTRY_BYTES);
    key = sotto_sender_key_deserialize (at_bound, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (sotto_sender_key_get_n_skipped (key), ==, SOTTO_SENDER_KEY_MAX_STORED);
  }

  /* Random bytes. */
  for (guint i = 0; i < 2000; i++)
    {
      guint8 noise[STATE_OFFSET_ENTRIES + 4 * STATE_ENTRY_BYTES];
      gsize noise_len = randombytes_uniform (sizeof noise + 1);

      randombytes_buf (noise, noise_len);
      assert_deserialize_fails (noise, noise_len);
    }
}

/* Distribution */

static SottoSenderKey *
open_box (GBytes         *box,
          const char     *room,
          SottoIdentity  *me,
          const char     *from_name,
          SottoIdentity  *from,
          GError        **error)
{
  return sotto_sender_key_open_from (box, room, me, from_name, sotto_identity_get_public (from),
                                     NULL,
                                     error);
}

static void
test_distribution (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autoptr(SottoSenderKey) own = sotto_sender_key_new ();
  g_autoptr(SottoSenderKey) received = NULL;
  g_autoptr(GBytes) box = NULL;
  g_autoptr(GBytes) box_again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *keys = NULL;

  guint64 next_counter = 0;

  g_free (sender_keys (own, 3));
  box = sotto_sender_key_seal_for (own, ROOM, 1, fixture->alice, "alice",
                                   sotto_identity_get_public (fixture->bob), &error);
  g_assert_no_error (error);
  g_assert_nonnull (box);

  /* The box says which of the sender's counters comes next, signed. */
  {
    g_autoptr(GBytes) counted = NULL;
    g_autoptr(SottoSenderKey) opened = NULL;

    counted = sotto_sender_key_seal_for (own, ROOM, G_GUINT64_CONSTANT (1) << 40, fixture->alice,
                                         "alice", sotto_identity_get_public (fixture->bob),
                                         &error);
    g_assert_no_error (error);
    opened = sotto_sender_key_open_from (counted, ROOM, fixture->bob, "alice",
                                         sotto_identity_get_public (fixture->alice),
                                         &next_counter, &error);
    g_assert_no_error (error);
    g_assert_nonnull (opened);
    g_assert_cmpuint (next_counter, ==, G_GUINT64_CONSTANT (1) << 40);
  }

  /* Random nonces: the same key boxed twice looks different. */
  box_again = sotto_sender_key_seal_for (own, ROOM, 1, fixture->alice, "alice",
                                         sotto_identity_get_public (fixture->bob), &error);
  g_assert_no_error (error);
  g_assert_false (g_bytes_equal (box, box_again));

  received = open_box (box, ROOM, fixture->bob, "alice", fixture->alice, &error);
  g_assert_no_error (error);
  g_assert_nonnull (received);
  g_assert_cmpuint (sotto_sender_key_get_key_id (received), ==, sotto_sender_key_get_key_id (own));
  g_assert_cmpuint (sotto_sender_key_get_index (received), ==, 3);

  keys = g_malloc (6 * SOTTO_MESSAGE_KEY_BYTES);
  for (guint32 i = 3; i < 6; i++)
    {
      g_assert_true (take_key (own, i, keys + i * SOTTO_MESSAGE_KEY_BYTES, &error));
      g_assert_no_error (error);
      assert_key (received, i, keys);
    }

  g_assert_finalize_object (g_steal_pointer (&received));
}

static void
test_distribution_wrong_recipient (Fixture       *fixture,
                                   gconstpointer  user_data)
{
  g_autoptr(SottoSenderKey) own = sotto_sender_key_new ();
  g_autoptr(SottoSenderKey) received = NULL;
  g_autoptr(GBytes) box = NULL;
  g_autoptr(GError) error = NULL;

  box = sotto_sender_key_seal_for (own, ROOM, 1, fixture->alice, "alice",
                                   sotto_identity_get_public (fixture->bob), &error);
  g_assert_no_error (error);

  received = open_box (box, ROOM, fixture->carol, "alice", fixture->alice, &error);
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_DECRYPT_FAILED);
  g_assert_null (received);
}

static void
test_distribution_wrong_sender (Fixture       *fixture,
                                gconstpointer  user_data)
{
  g_autoptr(SottoSenderKey) own = sotto_sender_key_new ();
  g_autoptr(SottoSenderKey) received = NULL;
  g_autoptr(GBytes) box = NULL;
  g_autoptr(GError) error = NULL;

  box = sotto_sender_key_seal_for (own, ROOM, 1, fixture->alice, "alice",
                                   sotto_identity_get_public (fixture->bob), &error);
  g_assert_no_error (error);

  /* Claimed to come from carol's keys: it does not open. */
  received = open_box (box, ROOM, fixture->bob, "carol", fixture->carol, &error);
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_DECRYPT_FAILED);
  g_assert_null (received);
  g_clear_error (&error);

  /* Alice's keys under another name: it opens, but names alice. */
  received = open_box (box, ROOM, fixture->bob, "mallory", fixture->alice, &error);
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_WRONG_SENDER);
  g_assert_null (received);
  g_clear_error (&error);

  received = open_box (box, ROOM, fixture->bob, "alic", fixture->alice, &error);
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_WRONG_SENDER);
  g_assert_null (received);
}

static void
test_distribution_wrong_room (Fixture       *fixture,
                              gconstpointer  user_data)
{
  g_autoptr(SottoSenderKey) own = sotto_sender_key_new ();
  g_autoptr(SottoSenderKey) received = NULL;
  g_autoptr(GBytes) box = NULL;
  g_autoptr(GError) error = NULL;

  box = sotto_sender_key_seal_for (own, ROOM, 1, fixture->alice, "alice",
                                   sotto_identity_get_public (fixture->bob), &error);
  g_assert_no_error (error);

  received = open_box (box, "#other", fixture->bob, "alice", fixture->alice, &error);
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_WRONG_ROOM);
  g_assert_null (received);
  g_clear_error (&error);

  received = open_box (box, ROOM "x", fixture->bob, "alice", fixture->alice, &error);
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_WRONG_ROOM);
  g_assert_null (received);
}

/* crypto_box keys are shared by both ends, so a box alice made for bob also
 * opens for alice "from bob": the recipient key inside catches that.
 */
static void
test_distribution_reflected (Fixture       *fixture,
                             gconstpointer  user_data)
{
  g_autoptr(SottoSenderKey) own = sotto_sender_key_new ();
  g_autoptr(SottoSenderKey) received = NULL;
  g_autoptr(GBytes) box = NULL;
  g_autoptr(GError) error = NULL;

  box = sotto_sender_key_seal_for (own, ROOM, 1, fixture->alice, "alice",
                                   sotto_identity_get_public (fixture->bob), &error);
  g_assert_no_error (error);

  received = open_box (box, ROOM, fixture->alice, "alice", fixture->bob, &error);
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_WRONG_RECIPIENT);
  g_assert_null (received);
}

static void
test_distribution_tampered (Fixture       *fixture,
                            gconstpointer  user_data)
{
  g_autoptr(SottoSenderKey) own = sotto_sender_key_new ();
  g_autoptr(GBytes) box = NULL;
  g_autoptr(GError) error = NULL;
  gsize len;

  box = sotto_sender_key_seal_for (own, ROOM, 1, fixture->alice, "alice",
                                   sotto_identity_get_public (fixture->bob), &error);
  g_assert_no_error (error);
  len = g_bytes_get_size (box);

  for (gsize i = 0; i < len * 8; i++)
    {
      g_autoptr(GBytes) changed = bytes_with_change (box, i / 8, (guint8) (1 << (i % 8)));
      g_autoptr(SottoSenderKey) received = NULL;

      received = open_box (changed, ROOM, fixture->bob, "alice", fixture->alice, &error);
      g_assert_null (received);
      if (i < 8)
        g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT);
      else
        g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_DECRYPT_FAILED);
      g_clear_error (&error);
    }

  for (gsize cut = 0; cut < len; cut++)
    {
      g_autoptr(GBytes) truncated = g_bytes_new_from_bytes (box, 0, cut);
      g_autoptr(SottoSenderKey) received = NULL;

      received = open_box (truncated, ROOM, fixture->bob, "alice", fixture->alice, &error);
      g_assert_null (received);
      g_assert_true (g_error_matches (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT) ||
                     g_error_matches (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_DECRYPT_FAILED));
      g_clear_error (&error);
    }
}

static void
test_distribution_bad_input (Fixture       *fixture,
                             gconstpointer  user_data)
{
  g_autoptr(SottoSenderKey) own = sotto_sender_key_new ();
  g_autoptr(SottoSenderKey) received = NULL;
  g_autoptr(GBytes) box = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *long_name = g_strnfill (SOTTO_E2E_NAME_MAX_BYTES + 1, 'n');
  SottoPublicIdentity forged = *sotto_identity_get_public (fixture->bob);

  /* A recipient whose box key is not vouched for by its signing key. */
  memcpy (forged.box_pk, sotto_identity_get_public (fixture->carol)->box_pk,
          sizeof forged.box_pk);
  box = sotto_sender_key_seal_for (own, ROOM, 1, fixture->alice, "alice", &forged, &error);
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_BINDING);
  g_assert_null (box);
  g_clear_error (&error);

  /* Nor is a box opened with such a claimed sender. */
  box = sotto_sender_key_seal_for (own, ROOM, 1, fixture->carol, "carol",
                                   sotto_identity_get_public (fixture->alice), &error);
  g_assert_no_error (error);
  forged = *sotto_identity_get_public (fixture->carol);
  memcpy (forged.sign_pk, sotto_identity_get_public (fixture->bob)->sign_pk,
          sizeof forged.sign_pk);
  received = sotto_sender_key_open_from (box, ROOM, fixture->alice, "carol", &forged, NULL, &error);
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_BINDING);
  g_assert_null (received);
  g_clear_error (&error);
  g_clear_pointer (&box, g_bytes_unref);

  box = sotto_sender_key_seal_for (own, long_name, 1, fixture->alice, "alice",
                                   sotto_identity_get_public (fixture->bob), &error);
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_TOO_LARGE);
  g_assert_null (box);
  g_clear_error (&error);

  box = sotto_sender_key_seal_for (own, ROOM, 1, fixture->alice, long_name,
                                   sotto_identity_get_public (fixture->bob), &error);
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_TOO_LARGE);
  g_assert_null (box);
  g_clear_error (&error);

  /* The longest names allowed go through. */
  long_name[SOTTO_E2E_NAME_MAX_BYTES] = '\0';
  box = sotto_sender_key_seal_for (own, long_name, 1, fixture->alice, long_name,
                                   sotto_identity_get_public (fixture->bob), &error);
  g_assert_no_error (error);
  received = open_box (box, long_name, fixture->bob, long_name, fixture->alice, &error);
  g_assert_no_error (error);
  g_assert_nonnull (received);
}

static SottoPrekey *bob_signed;
static SottoPrekey *bob_one_time;

static SottoPrekey *
bob_lookup_cb (guint32  id,
               gboolean one_time,
               gpointer user_data)
{
  SottoPrekey *held = one_time ? bob_one_time : bob_signed;

  return held != NULL && sotto_prekey_get_id (held) == id ? g_object_ref (held) : NULL;
}

/* Through prekeys: the box opens for Bob as the other kind does, names
 * the same room, sender, recipient and counter, and is told apart by its
 * first byte; once Bob has erased the prekeys, his identity alone opens
 * nothing. */
static void
test_distribution_prekeyed (Fixture       *fixture,
                            gconstpointer  user_data)
{
  g_autoptr(SottoSenderKey) own = sotto_sender_key_new ();
  g_autoptr(SottoSenderKey) received = NULL;
  g_autoptr(SottoSenderKey) refused = NULL;
  g_autoptr(GBytes) bundle_bytes = NULL;
  g_autoptr(GBytes) box = NULL;
  g_autoptr(GBytes) classic = NULL;
  g_autoptr(GError) error = NULL;
  SottoPrekeyBundle bundle;
  guint64 next_counter = 0;

  bob_signed = sotto_prekey_new (3, 1700000000000);
  bob_one_time = sotto_prekey_new (77, 1700000000000);
  bundle_bytes = sotto_prekey_bundle_make (fixture->bob, bob_signed, bob_one_time);
  g_assert_true (sotto_prekey_bundle_decode (bundle_bytes, &bundle, &error));

  g_free (sender_keys (own, 2));
  box = sotto_sender_key_seal_to_bundle (own, ROOM, 9, fixture->alice, "alice", &bundle, &error);
  g_assert_no_error (error);
  classic = sotto_sender_key_seal_for (own, ROOM, 9, fixture->alice, "alice",
                                       sotto_identity_get_public (fixture->bob), &error);
  g_assert_true (sotto_sender_key_box_is_prekeyed (box));
  g_assert_false (sotto_sender_key_box_is_prekeyed (classic));

  received = sotto_sender_key_open_prekeyed (box, ROOM, fixture->bob, "alice",
                                             sotto_identity_get_public (fixture->alice),
                                             bob_lookup_cb, NULL, &next_counter, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sotto_sender_key_get_key_id (received), ==, sotto_sender_key_get_key_id (own));
  g_assert_cmpuint (sotto_sender_key_get_index (received), ==, 2);
  g_assert_cmpuint (next_counter, ==, 9);

  /* Another room, another claimed sender, another recipient. */
  refused = sotto_sender_key_open_prekeyed (box, "elsewhere", fixture->bob, "alice",
                                            sotto_identity_get_public (fixture->alice),
                                            bob_lookup_cb, NULL, NULL, &error);
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_WRONG_ROOM);
  g_clear_error (&error);
  refused = sotto_sender_key_open_prekeyed (box, ROOM, fixture->bob, "mallory",
                                            sotto_identity_get_public (fixture->alice),
                                            bob_lookup_cb, NULL, NULL, &error);
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_WRONG_SENDER);
  g_clear_error (&error);
  refused = sotto_sender_key_open_prekeyed (box, ROOM, fixture->carol, "alice",
                                            sotto_identity_get_public (fixture->alice),
                                            bob_lookup_cb, NULL, NULL, &error);
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_DECRYPT_FAILED);
  g_clear_error (&error);

  /* Erased prekeys: the box is shut for good. */
  g_clear_object (&bob_signed);
  g_clear_object (&bob_one_time);
  refused = sotto_sender_key_open_prekeyed (box, ROOM, fixture->bob, "alice",
                                            sotto_identity_get_public (fixture->alice),
                                            bob_lookup_cb, NULL, NULL, &error);
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_UNKNOWN_KEY);
  g_assert_null (refused);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  if (sodium_init () < 0)
    g_error ("sodium_init failed");

  g_test_add_func ("/sotto/e2e/sender-key/new", test_sender_key_new);
  g_test_add_func ("/sotto/e2e/sender-key/advance", test_sender_key_advance);
  g_test_add_func ("/sotto/e2e/sender-key/out-of-order", test_sender_key_out_of_order);
  g_test_add_func ("/sotto/e2e/sender-key/max-skip", test_sender_key_max_skip);
  g_test_add_func ("/sotto/e2e/sender-key/stored-bound", test_sender_key_stored_bound);
  g_test_add_func ("/sotto/e2e/sender-key/replay", test_sender_key_replay);
  g_test_add_func ("/sotto/e2e/sender-key/forward-secrecy", test_sender_key_forward_secrecy);
  g_test_add_func ("/sotto/e2e/sender-key/export-import", test_sender_key_export_import);
  g_test_add_func ("/sotto/e2e/sender-key/exhausted", test_sender_key_exhausted);
  g_test_add_func ("/sotto/e2e/sender-key/serialize", test_sender_key_serialize);
  g_test_add_func ("/sotto/e2e/sender-key/deserialize-garbage",
                   test_sender_key_deserialize_garbage);

#define ADD(path, func) \
  g_test_add ("/sotto/e2e/sender-key/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("distribution", test_distribution);
  ADD ("distribution-wrong-recipient", test_distribution_wrong_recipient);
  ADD ("distribution-wrong-sender", test_distribution_wrong_sender);
  ADD ("distribution-wrong-room", test_distribution_wrong_room);
  ADD ("distribution-reflected", test_distribution_reflected);
  ADD ("distribution-tampered", test_distribution_tampered);
  ADD ("distribution-bad-input", test_distribution_bad_input);
  ADD ("distribution-prekeyed", test_distribution_prekeyed);
#undef ADD

  return g_test_run ();
}
