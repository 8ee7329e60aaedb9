/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sodium.h>
#include <string.h>

#include "sotto-e2e.h"

/*
 * A chunk of history from another device of the account. The first byte
 * picks the mode:
 *
 *   0  the rest is a chunk as the server hands it: it opens or fails with
 *      an error of SOTTO_E2E_ERROR
 *   1  the rest is what a chunk holds, sealed here correctly for the
 *      laptop by the desktop: the parser takes it or refuses it
 *
 * What opens has 1 to 65,535 messages each of which a chunk carries, and
 * seals again to a chunk that opens to the same messages.
 */

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

#define ACCOUNT "alice"

static SottoIdentity *desktop;
static SottoIdentity *laptop;
static guint8 desktop_box_sk[32];
static guint8 laptop_box_pk[32];

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  guint8 box_seed[32], sign_seed[32], desktop_box_pk[32];

  g_assert_cmpint (sodium_init (), >=, 0);
  memset (box_seed, 0x21, sizeof box_seed);
  memset (sign_seed, 0x22, sizeof sign_seed);
  desktop = sotto_identity_new_from_seeds (box_seed, sign_seed);
  crypto_box_seed_keypair (desktop_box_pk, desktop_box_sk, box_seed);
  memset (box_seed, 0x31, sizeof box_seed);
  memset (sign_seed, 0x32, sizeof sign_seed);
  laptop = sotto_identity_new_from_seeds (box_seed, sign_seed);
  memcpy (laptop_box_pk, sotto_identity_get_public (laptop)->box_pk, 32);

  return 0;
}

static void
check_opened (GPtrArray *entries)
{
  g_autoptr(GBytes) again = NULL;
  g_autoptr(GPtrArray) reopened = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (entries->len, >=, 1);
  g_assert_cmpuint (entries->len, <=, G_MAXUINT16);
  for (guint i = 0; i < entries->len; i++)
    g_assert_true (sotto_history_entry_is_valid (g_ptr_array_index (entries, i)));

  again = sotto_history_chunk_seal (desktop, sotto_identity_get_public (laptop), ACCOUNT, 0, 0,
                                    (const SottoHistoryEntry **) entries->pdata, entries->len,
                                    &error);
  if (again == NULL)
    {
      /* Only a chunk that was full to the byte, now with a header the
       * same size, can fail; never for what it holds. */
      g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_TOO_LARGE);
      return;
    }
  reopened = sotto_history_chunk_open (again, laptop, sotto_identity_get_public (desktop),
                                       ACCOUNT, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (reopened->len, ==, entries->len);
  for (guint i = 0; i < entries->len; i++)
    {
      const SottoHistoryEntry *a = g_ptr_array_index (entries, i);
      const SottoHistoryEntry *b = g_ptr_array_index (reopened, i);

      g_assert_cmpstr (a->room, ==, b->room);
      g_assert_cmpstr (a->sender, ==, b->sender);
      g_assert_cmpstr (a->msg_id, ==, b->msg_id);
      g_assert_cmpstr (a->text, ==, b->text);
      g_assert_cmpint (a->seq, ==, b->seq);
      g_assert_true ((a->file == NULL) == (b->file == NULL));
      if (a->file != NULL)
        g_assert_true (g_bytes_equal (a->file, b->file));
    }
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GBytes) chunk = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;

  if (size < 1 || size > SOTTO_HISTORY_CHUNK_MAX_BYTES)
    return 0;

  if (data[0] == 0)
    {
      chunk = g_bytes_new (data + 1, size - 1);
    }
  else
    {
      gsize sealed_size = 1 + crypto_box_NONCEBYTES + (size - 1) + crypto_box_MACBYTES;
      guint8 *sealed = g_malloc (sealed_size);

      sealed[0] = SOTTO_HISTORY_CHUNK_VERSION;
      memset (sealed + 1, 0x5a, crypto_box_NONCEBYTES);
      g_assert_cmpint (crypto_box_easy (sealed + 1 + crypto_box_NONCEBYTES, data + 1, size - 1,
                                        sealed + 1, laptop_box_pk, desktop_box_sk), ==, 0);
      chunk = g_bytes_new_take (sealed, sealed_size);
    }

  entries = sotto_history_chunk_open (chunk, laptop, sotto_identity_get_public (desktop),
                                      ACCOUNT, NULL, NULL, &error);
  if (entries == NULL)
    {
      g_assert_nonnull (error);
      g_assert_true (error->domain == SOTTO_E2E_ERROR);
      return 0;
    }
  g_assert_no_error (error);
  check_opened (entries);
  return 0;
}
