/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-e2e-private.h"
#include "sotto-sender-key-private.h"

/* export:    version (1) | key_id (4) | index (4) | chain key (32)
 * serialize: version (1) | key_id (4) | index (4) | chain key (32) |
 *            n_skipped (4) | n_skipped * (index (4) | message key (32))
 */
#define EXPORT_VERSION 1
#define STATE_VERSION 2
#define STATE_HEADER_BYTES (SOTTO_SENDER_KEY_EXPORT_BYTES + 4)
#define SKIPPED_ENTRY_BYTES (4 + SOTTO_MESSAGE_KEY_BYTES)

G_STATIC_ASSERT (SOTTO_SENDER_KEY_EXPORT_BYTES == 1 + 4 + 4 + SOTTO_SENDER_KEY_CHAIN_BYTES);

static void
write_export (SottoSenderKey *self,
              SottoE2eWriter *writer,
              guint8          version)
{
  _sotto_e2e_writer_put_u8 (writer, version);
  _sotto_e2e_writer_put_u32 (writer, self->key_id);
  _sotto_e2e_writer_put_u32 (writer, self->index);
  _sotto_e2e_writer_put (writer, self->chain_key, SOTTO_SENDER_KEY_CHAIN_BYTES);
}

static SottoSenderKey *
read_export (SottoE2eReader *reader,
             guint8          expected_version)
{
  g_autoptr(SottoSenderKey) self = g_object_new (SOTTO_TYPE_SENDER_KEY, NULL);
  const guint8 *chain;
  guint8 version;

  if (!_sotto_e2e_reader_get_u8 (reader, &version) ||
      version != expected_version ||
      !_sotto_e2e_reader_get_u32 (reader, &self->key_id) ||
      !_sotto_e2e_reader_get_u32 (reader, &self->index) ||
      !_sotto_e2e_reader_get (reader, &chain, SOTTO_SENDER_KEY_CHAIN_BYTES))
    return NULL;

  memcpy (self->chain_key, chain, SOTTO_SENDER_KEY_CHAIN_BYTES);

  return g_steal_pointer (&self);
}

/**
 * sotto_sender_key_export:
 * @self: a #SottoSenderKey
 *
 * Exports the key id, the index and the chain key, for another member: they
 * can read messages from the current index on, and none before. Stored
 * skipped keys are not included.
 *
 * Returns: (transfer full): %SOTTO_SENDER_KEY_EXPORT_BYTES secret bytes, in
 *   memory wiped when the last reference is dropped
 */
GBytes *
sotto_sender_key_export (SottoSenderKey *self)
{
  g_autoptr(GBytes) bytes = NULL;
  SottoE2eWriter writer = { 0 };

  g_return_val_if_fail (SOTTO_IS_SENDER_KEY (self), NULL);

  bytes = _sotto_e2e_secure_bytes_new (SOTTO_SENDER_KEY_EXPORT_BYTES, &writer.data);
  writer.size = SOTTO_SENDER_KEY_EXPORT_BYTES;
  write_export (self, &writer, EXPORT_VERSION);
  g_assert (writer.pos == writer.size);

  return g_steal_pointer (&bytes);
}

/**
 * sotto_sender_key_import:
 * @exported: bytes from sotto_sender_key_export()
 * @error: return location for a #GError
 *
 * Returns: (transfer full): a receiving state, or %NULL on error
 */
SottoSenderKey *
sotto_sender_key_import (GBytes  *exported,
                         GError **error)
{
  g_autoptr(SottoSenderKey) self = NULL;
  SottoE2eReader reader = { 0 };

  g_return_val_if_fail (exported != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  reader.data = _sotto_e2e_bytes_get_data (exported, &reader.size);
  self = read_export (&reader, EXPORT_VERSION);
  if (self == NULL || !_sotto_e2e_reader_at_end (&reader))
    {
      g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT,
                           _("The sender key is damaged or in an unknown format"));
      return NULL;
    }

  return g_steal_pointer (&self);
}

/**
 * sotto_sender_key_serialize:
 * @self: a #SottoSenderKey
 *
 * Saves the whole state, stored skipped keys included, for the local store.
 * Keep the result encrypted at rest.
 *
 * Returns: (transfer full): secret bytes, wiped when the last reference is
 *   dropped
 */
GBytes *
sotto_sender_key_serialize (SottoSenderKey *self)
{
  g_autoptr(GBytes) bytes = NULL;
  SottoE2eWriter writer = { 0 };

  g_return_val_if_fail (SOTTO_IS_SENDER_KEY (self), NULL);

  writer.size = STATE_HEADER_BYTES + (gsize) self->n_skipped * SKIPPED_ENTRY_BYTES;
  bytes = _sotto_e2e_secure_bytes_new (writer.size, &writer.data);
  write_export (self, &writer, STATE_VERSION);
  _sotto_e2e_writer_put_u32 (&writer, self->n_skipped);
  for (guint i = 0; i < self->n_skipped; i++)
    {
      _sotto_e2e_writer_put_u32 (&writer, self->skipped[i].index);
      _sotto_e2e_writer_put (&writer, self->skipped[i].key, SOTTO_MESSAGE_KEY_BYTES);
    }
  g_assert (writer.pos == writer.size);

  return g_steal_pointer (&bytes);
}

/**
 * sotto_sender_key_deserialize:
 * @serialized: bytes from sotto_sender_key_serialize()
 * @error: return location for a #GError
 *
 * Parses a saved state strictly: exact length, at most
 * %SOTTO_SENDER_KEY_MAX_STORED skipped keys, in strictly ascending order and
 * all behind the chain.
 *
 * Returns: (transfer full): the state, or %NULL on error
 */
SottoSenderKey *
sotto_sender_key_deserialize (GBytes  *serialized,
                              GError **error)
{
  g_autoptr(SottoSenderKey) self = NULL;
  SottoE2eReader reader = { 0 };
  guint32 n_skipped;

  g_return_val_if_fail (serialized != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  reader.data = _sotto_e2e_bytes_get_data (serialized, &reader.size);
  self = read_export (&reader, STATE_VERSION);
  if (self == NULL ||
      !_sotto_e2e_reader_get_u32 (&reader, &n_skipped) ||
      n_skipped > SOTTO_SENDER_KEY_MAX_STORED ||
      reader.size - reader.pos != (gsize) n_skipped * SKIPPED_ENTRY_BYTES)
    goto bad_format;

  if (n_skipped > 0)
    _sotto_sender_key_ensure_skipped (self);

  for (guint i = 0; i < n_skipped; i++)
    {
      SottoSkippedKey *entry = &self->skipped[i];
      const guint8 *key;

      if (!_sotto_e2e_reader_get_u32 (&reader, &entry->index) ||
          !_sotto_e2e_reader_get (&reader, &key, SOTTO_MESSAGE_KEY_BYTES) ||
          entry->index >= self->index ||
          (i > 0 && entry->index <= self->skipped[i - 1].index))
        goto bad_format;

      memcpy (entry->key, key, SOTTO_MESSAGE_KEY_BYTES);
      self->n_skipped = i + 1;
    }

  g_assert (_sotto_e2e_reader_at_end (&reader));

  return g_steal_pointer (&self);

bad_format:
  g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT,
                       _("The saved sender key is damaged or in an unknown format"));
  return NULL;
}
