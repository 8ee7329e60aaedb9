/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-e2e-private.h"
#include "sotto-sender-key-private.h"

/* The chain: message key i = KDF (chain_i, MESSAGE), chain_i+1 = KDF (chain_i,
 * CHAIN). Only the current chain key is kept, so an exported or stolen state
 * cannot go back to earlier message keys.
 */
#define KDF_CONTEXT "SottoSK1"
#define KDF_SUBKEY_MESSAGE 1
#define KDF_SUBKEY_CHAIN 2

/* The last index the chain can serve; at G_MAXUINT32 it is exhausted. */
#define INDEX_END G_MAXUINT32

G_STATIC_ASSERT (crypto_kdf_KEYBYTES == SOTTO_SENDER_KEY_CHAIN_BYTES);
G_STATIC_ASSERT (sizeof KDF_CONTEXT - 1 == crypto_kdf_CONTEXTBYTES);
/* The keys skipped by one accepted message always fit. */
G_STATIC_ASSERT (SOTTO_SENDER_KEY_MAX_SKIP <= SOTTO_SENDER_KEY_MAX_STORED);

G_DEFINE_FINAL_TYPE (SottoSenderKey, sotto_sender_key, G_TYPE_OBJECT)

static void
sotto_sender_key_finalize (GObject *object)
{
  SottoSenderKey *self = SOTTO_SENDER_KEY (object);

  g_clear_pointer (&self->chain_key, sodium_free);
  g_clear_pointer (&self->skipped, sodium_free);

  G_OBJECT_CLASS (sotto_sender_key_parent_class)->finalize (object);
}

static void
sotto_sender_key_class_init (SottoSenderKeyClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = sotto_sender_key_finalize;
}

static void
sotto_sender_key_init (SottoSenderKey *self)
{
  self->chain_key = _sotto_e2e_secure_alloc (SOTTO_SENDER_KEY_CHAIN_BYTES);
}

void
_sotto_sender_key_ensure_skipped (SottoSenderKey *self)
{
  if (self->skipped == NULL)
    self->skipped = _sotto_e2e_secure_alloc (SOTTO_SENDER_KEY_MAX_STORED *
                                             sizeof (SottoSkippedKey));
}

/* Derives the message key of @chain (if @message_key is not %NULL) and
 * replaces @chain by the next chain key.
 */
static void
chain_step (guint8 *chain,
            guint8 *message_key)
{
  guint8 next[SOTTO_SENDER_KEY_CHAIN_BYTES];

  if (message_key != NULL)
    crypto_kdf_derive_from_key (message_key, SOTTO_MESSAGE_KEY_BYTES,
                                KDF_SUBKEY_MESSAGE, KDF_CONTEXT, chain);
  crypto_kdf_derive_from_key (next, SOTTO_SENDER_KEY_CHAIN_BYTES,
                              KDF_SUBKEY_CHAIN, KDF_CONTEXT, chain);
  memcpy (chain, next, SOTTO_SENDER_KEY_CHAIN_BYTES);
  sodium_memzero (next, sizeof next);
}

/* Binary search; returns whether @index is stored and where it is or would go. */
static gboolean
find_skipped (SottoSenderKey *self,
              guint32         index,
              guint          *position)
{
  guint lo = 0;
  guint hi = self->n_skipped;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (self->skipped[mid].index < index)
        lo = mid + 1;
      else
        hi = mid;
    }

  *position = lo;

  return lo < self->n_skipped && self->skipped[lo].index == index;
}

/* Removes @count entries starting at @position, wiping the vacated tail. */
static void
remove_skipped (SottoSenderKey *self,
                guint           position,
                guint           count)
{
  g_assert (position + count <= self->n_skipped);

  memmove (&self->skipped[position], &self->skipped[position + count],
           (self->n_skipped - position - count) * sizeof (SottoSkippedKey));
  self->n_skipped -= count;
  sodium_memzero (&self->skipped[self->n_skipped], count * sizeof (SottoSkippedKey));
}

/**
 * sotto_sender_key_new:
 *
 * Makes a fresh sender key to send with: a random chain key, a random key
 * id, index 0. Give it to the other members with sotto_sender_key_seal_for().
 *
 * A sender key changes with every message: it is not thread safe.
 *
 * Returns: (transfer full): a new #SottoSenderKey
 */
SottoSenderKey *
sotto_sender_key_new (void)
{
  SottoSenderKey *self = g_object_new (SOTTO_TYPE_SENDER_KEY, NULL);

  self->key_id = randombytes_random ();
  self->index = 0;
  randombytes_buf (self->chain_key, SOTTO_SENDER_KEY_CHAIN_BYTES);

  return self;
}

/**
 * sotto_sender_key_get_key_id:
 * @self: a #SottoSenderKey
 *
 * Returns: the random identifier of this sender key
 */
guint32
sotto_sender_key_get_key_id (SottoSenderKey *self)
{
  g_return_val_if_fail (SOTTO_IS_SENDER_KEY (self), 0);

  return self->key_id;
}

/**
 * sotto_sender_key_get_index:
 * @self: a #SottoSenderKey
 *
 * Returns: the index of the next message key the chain gives
 */
guint32
sotto_sender_key_get_index (SottoSenderKey *self)
{
  g_return_val_if_fail (SOTTO_IS_SENDER_KEY (self), 0);

  return self->index;
}

/**
 * sotto_sender_key_get_n_skipped:
 * @self: a #SottoSenderKey
 *
 * Returns: how many keys of skipped messages are stored
 */
guint
sotto_sender_key_get_n_skipped (SottoSenderKey *self)
{
  g_return_val_if_fail (SOTTO_IS_SENDER_KEY (self), 0);

  return self->n_skipped;
}

/**
 * _sotto_sender_key_get_message_key:
 * @self: a #SottoSenderKey
 * @index: the index of the message
 * @message_key: (out caller-allocates): 32 bytes
 * @error: return location for a #GError
 *
 * Finds the key of message @index without changing @self. An index behind the
 * chain works only if its key was stored when it was skipped; an index ahead
 * works up to %SOTTO_SENDER_KEY_MAX_SKIP messages ahead.
 *
 * Returns: %TRUE if @message_key was filled in
 */
gboolean
_sotto_sender_key_get_message_key (SottoSenderKey  *self,
                                   guint32          index,
                                   guint8          *message_key,
                                   GError         **error)
{
  guint8 chain[SOTTO_SENDER_KEY_CHAIN_BYTES];
  guint position;

  g_assert (SOTTO_IS_SENDER_KEY (self));

  if (index < self->index)
    {
      if (self->skipped == NULL || !find_skipped (self, index, &position))
        {
          g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_REPLAYED,
                               _("The message was already received, or is too old to read"));
          return FALSE;
        }

      memcpy (message_key, self->skipped[position].key, SOTTO_MESSAGE_KEY_BYTES);
      return TRUE;
    }

  if (index - self->index > SOTTO_SENDER_KEY_MAX_SKIP)
    {
      g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_TOO_FAR_AHEAD,
                           _("Too many messages are missing before this one"));
      return FALSE;
    }

  if (index == INDEX_END)
    {
      g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_KEY_EXHAUSTED,
                           _("The sender key has no message keys left"));
      return FALSE;
    }

  /* Transient copies of keys live on the stack and are wiped at once. */
  memcpy (chain, self->chain_key, SOTTO_SENDER_KEY_CHAIN_BYTES);
  for (guint32 i = self->index; i < index; i++)
    chain_step (chain, NULL);
  crypto_kdf_derive_from_key (message_key, SOTTO_MESSAGE_KEY_BYTES,
                              KDF_SUBKEY_MESSAGE, KDF_CONTEXT, chain);
  sodium_memzero (chain, sizeof chain);

  return TRUE;
}

/**
 * _sotto_sender_key_consume:
 * @self: a #SottoSenderKey
 * @index: an index _sotto_sender_key_get_message_key() just succeeded with
 *
 * Erases the key of message @index for good: a stored skipped key is wiped;
 * otherwise the chain moves past @index, storing the keys of the messages it
 * skips (dropping the oldest stored ones beyond the bound).
 */
void
_sotto_sender_key_consume (SottoSenderKey *self,
                           guint32         index)
{
  guint position;
  guint32 n_new;

  g_assert (SOTTO_IS_SENDER_KEY (self));

  if (index < self->index)
    {
      gboolean found = self->skipped != NULL && find_skipped (self, index, &position);

      g_assert (found);
      remove_skipped (self, position, 1);
      return;
    }

  g_assert (index - self->index <= SOTTO_SENDER_KEY_MAX_SKIP);
  g_assert (index != INDEX_END);

  n_new = index - self->index;
  if (n_new > 0)
    {
      _sotto_sender_key_ensure_skipped (self);
      if (self->n_skipped + n_new > SOTTO_SENDER_KEY_MAX_STORED)
        remove_skipped (self, 0, self->n_skipped + n_new - SOTTO_SENDER_KEY_MAX_STORED);
    }

  for (; self->index < index; self->index++)
    {
      SottoSkippedKey *entry = &self->skipped[self->n_skipped++];

      entry->index = self->index;
      chain_step (self->chain_key, entry->key);
    }

  chain_step (self->chain_key, NULL);
  self->index = index + 1;
}
