/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-e2e-private.h"
#include "sotto-file-message.h"
#include "sotto-history.h"
#include "sotto-message-action.h"
#include "sotto-identity-private.h"
#include "sotto-sender-key.h"

/*
 * History one device of an account hands another: a chunk of messages as
 * the first holds them, sealed with crypto_box from its identity's box
 * key to the other's, so that only the recipient device opens it and
 * knows which device sealed it:
 *
 *   version 3 ‖ nonce (24) ‖ crypto_box of:
 *     "sotto history v3" ‖ account name ‖ sender's signing key (32) ‖
 *     recipient's signing key (32) ‖ index (4) ‖ total (4) ‖ count (2) ‖
 *     per message: room, sender, msg_id (names with a 2-byte length) ‖
 *     seq (8) ‖ ts (8) ‖ counter (8) ‖ sent_at (8) ‖ text (4-byte length) ‖
 *     file (4-byte length, 0 for a text message) ‖ kind (1) ‖
 *     action (4-byte length, 0 but for kinds 3 to 6)
 *
 * A file message's file is what its body said of the file
 * (sotto-file-message.c: where the blob is, its key and hash), and its
 * text the file's name, which the file message must give too. A reply,
 * an edit, a deletion or a reaction (kinds 3 to 6, the body types)
 * carries its body's content (sotto-message-action.c), which must decode
 * as that kind; a reply's text is the reply's, the others' empty. Version
 * 2 chunks, without kind and action, are read too.
 *
 * The signing keys inside stop a chunk from being taken as sealed by or
 * for another pair of devices whose box keys it would open with; the
 * account name, for another account. Parsing is strict.
 */

#define VERSION SOTTO_HISTORY_CHUNK_VERSION
#define LABEL "sotto history v3"
#define LABEL_V2 "sotto history v2"
#define ID_MAX_BYTES 64

void
sotto_history_entry_free (SottoHistoryEntry *entry)
{
  if (entry == NULL)
    return;

  g_free (entry->room);
  g_free (entry->sender);
  g_free (entry->msg_id);
  g_free (entry->text);
  g_clear_pointer (&entry->file, g_bytes_unref);
  g_clear_pointer (&entry->action, g_bytes_unref);
  g_free (entry);
}

/**
 * sotto_history_entry_size:
 *
 * Returns: how many bytes @entry takes in a chunk, before sealing
 */
gsize
sotto_history_entry_size (const SottoHistoryEntry *entry)
{
  return 2 + strlen (entry->room) + 2 + strlen (entry->sender) + 2 + strlen (entry->msg_id) +
         4 * 8 + 4 + strlen (entry->text) + 4 +
         (entry->file != NULL ? g_bytes_get_size (entry->file) : 0) + 1 + 4 +
         (entry->action != NULL ? g_bytes_get_size (entry->action) : 0);
}

static gsize
header_size (const char *account)
{
  return strlen (LABEL) + 2 + strlen (account) + 32 + 32 + 4 + 4 + 2;
}

/**
 * sotto_history_chunk_capacity:
 * @account: the account the chunk is of
 *
 * Returns: how many bytes of messages (sotto_history_entry_size()) one
 *   chunk of @account's history holds
 */
gsize
sotto_history_chunk_capacity (const char *account)
{
  g_return_val_if_fail (account != NULL, 0);

  return SOTTO_HISTORY_CHUNK_MAX_BYTES - 1 - crypto_box_NONCEBYTES - crypto_box_MACBYTES -
         header_size (account);
}

/* An entry's kind: what it says, or text or a file for one made before
 * kinds were told. */
static guint8
entry_kind (const SottoHistoryEntry *entry)
{
  if (entry->kind != 0)
    return (guint8) entry->kind;
  return entry->file != NULL ? SOTTO_MESSAGE_BODY_FILE : SOTTO_MESSAGE_BODY_TEXT;
}

/* A file message's content a chunk carries: one that decodes, under the
 * name the entry's text gives. */
static gboolean
valid_file (const guint8 *data,
            gsize         size,
            const char   *name)
{
  g_autoptr(GBytes) content = NULL;
  g_auto(SottoFileMessage) file = { { 0 } };

  if (size == 0 || size > SOTTO_HISTORY_FILE_MAX_BYTES)
    return FALSE;
  content = g_bytes_new (data, size);
  return sotto_file_message_decode (content, &file, NULL) && g_strcmp0 (file.name, name) == 0;
}

/* What an entry of @kind carries: a file for a file, the content of a
 * reply, edit, deletion or reaction that decodes as one (a reply's text
 * its own, the others' empty), nothing more for text. */
static gboolean
valid_kind (guint8        kind,
            gboolean      has_file,
            const guint8 *action,
            gsize         action_size,
            const char   *text,
            gsize         text_size)
{
  g_autoptr(GBytes) content = NULL;
  g_auto(SottoMessageAction) parsed = { 0 };

  if (kind == SOTTO_MESSAGE_BODY_TEXT)
    return !has_file && action_size == 0;
  if (kind == SOTTO_MESSAGE_BODY_FILE)
    return has_file && action_size == 0;
  if (!sotto_message_body_type_is_action ((SottoMessageBodyType) kind) || has_file ||
      action_size == 0 || action_size > SOTTO_HISTORY_FILE_MAX_BYTES)
    return FALSE;
  content = g_bytes_new (action, action_size);
  if (!sotto_message_action_decode ((SottoMessageBodyType) kind, content, &parsed, NULL))
    return FALSE;
  if (kind == SOTTO_MESSAGE_BODY_REPLY)
    return text_size == strlen (parsed.text) && memcmp (text, parsed.text, text_size) == 0;
  return text_size == 0;
}

/**
 * sotto_history_entry_is_valid:
 *
 * Returns: whether a chunk carries @entry: names that are names, a text
 *   of UTF-8 short enough, no negative numbers, and for a file, a file
 *   message under that name
 */
gboolean
sotto_history_entry_is_valid (const SottoHistoryEntry *entry)
{
  g_return_val_if_fail (entry != NULL, FALSE);

  return entry->seq >= 0 && entry->ts >= 0 && entry->sent_at >= 0 &&
         _sotto_e2e_valid_name (entry->room, SOTTO_E2E_NAME_MAX_BYTES, FALSE) &&
         _sotto_e2e_valid_name (entry->sender, SOTTO_E2E_NAME_MAX_BYTES, FALSE) &&
         _sotto_e2e_valid_name (entry->msg_id, ID_MAX_BYTES, FALSE) &&
         entry->text != NULL && strlen (entry->text) <= SOTTO_HISTORY_TEXT_MAX_BYTES &&
         g_utf8_validate (entry->text, -1, NULL) &&
         (entry->file == NULL ||
          valid_file (g_bytes_get_data (entry->file, NULL), g_bytes_get_size (entry->file),
                      entry->text)) &&
         valid_kind (entry_kind (entry), entry->file != NULL,
                     entry->action != NULL ? g_bytes_get_data (entry->action, NULL) : NULL,
                     entry->action != NULL ? g_bytes_get_size (entry->action) : 0, entry->text,
                     strlen (entry->text));
}

/**
 * sotto_history_chunk_seal:
 * @from: the identity of the device that seals it
 * @to: the identity of the device it is for
 * @account: the account both belong to
 * @index: the chunk's place in the transfer, from 0
 * @total: how many messages the whole transfer holds, for its progress
 * @entries: (array length=n_entries): the messages
 * @n_entries: 1 to 65,535
 *
 * Returns: (transfer full): the sealed chunk, or %NULL with
 *   %SOTTO_E2E_ERROR_TOO_LARGE when the messages do not fit in
 *   %SOTTO_HISTORY_CHUNK_MAX_BYTES, %SOTTO_E2E_ERROR_BAD_FORMAT for a
 *   message that is not one (names, text)
 */
GBytes *
sotto_history_chunk_seal (SottoIdentity             *from,
                          const SottoPublicIdentity *to,
                          const char                *account,
                          guint32                    index,
                          guint32                    total,
                          const SottoHistoryEntry  **entries,
                          guint                      n_entries,
                          GError                   **error)
{
  const SottoPublicIdentity *own;
  SottoE2eWriter writer = { 0 };
  guint8 *plain;
  guint8 *sealed;
  gsize size;

  g_return_val_if_fail (SOTTO_IS_IDENTITY (from), NULL);
  g_return_val_if_fail (to != NULL && account != NULL, NULL);
  g_return_val_if_fail (entries != NULL || n_entries == 0, NULL);

  if (n_entries == 0 || n_entries > G_MAXUINT16 ||
      !_sotto_e2e_valid_name (account, SOTTO_E2E_NAME_MAX_BYTES, FALSE))
    {
      g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT,
                           _("A chunk of history holds 1 to 65,535 messages of an account"));
      return NULL;
    }

  size = header_size (account);
  for (guint i = 0; i < n_entries; i++)
    {
      if (!sotto_history_entry_is_valid (entries[i]))
        {
          g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT,
                               _("A message of the history is not one a chunk carries"));
          return NULL;
        }
      size += sotto_history_entry_size (entries[i]);
    }
  if (1 + crypto_box_NONCEBYTES + size + crypto_box_MACBYTES > SOTTO_HISTORY_CHUNK_MAX_BYTES)
    {
      g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_TOO_LARGE,
                           _("These messages do not fit in one chunk of history"));
      return NULL;
    }

  own = sotto_identity_get_public (from);
  plain = _sotto_e2e_secure_alloc (size);
  writer.data = plain;
  writer.size = size;
  _sotto_e2e_writer_put (&writer, LABEL, strlen (LABEL));
  _sotto_e2e_writer_put_name (&writer, account);
  _sotto_e2e_writer_put (&writer, own->sign_pk, 32);
  _sotto_e2e_writer_put (&writer, to->sign_pk, 32);
  _sotto_e2e_writer_put_u32 (&writer, index);
  _sotto_e2e_writer_put_u32 (&writer, total);
  _sotto_e2e_writer_put_u16 (&writer, (guint16) n_entries);
  for (guint i = 0; i < n_entries; i++)
    {
      const SottoHistoryEntry *entry = entries[i];
      gsize text_len = strlen (entry->text);

      _sotto_e2e_writer_put_name (&writer, entry->room);
      _sotto_e2e_writer_put_name (&writer, entry->sender);
      _sotto_e2e_writer_put_name (&writer, entry->msg_id);
      _sotto_e2e_writer_put_u64 (&writer, (guint64) entry->seq);
      _sotto_e2e_writer_put_u64 (&writer, (guint64) entry->ts);
      _sotto_e2e_writer_put_u64 (&writer, entry->counter);
      _sotto_e2e_writer_put_u64 (&writer, (guint64) entry->sent_at);
      gsize file_len = entry->file != NULL ? g_bytes_get_size (entry->file) : 0;

      _sotto_e2e_writer_put_u32 (&writer, (guint32) text_len);
      _sotto_e2e_writer_put (&writer, entry->text, text_len);
      _sotto_e2e_writer_put_u32 (&writer, (guint32) file_len);
      if (file_len > 0)
        _sotto_e2e_writer_put (&writer, g_bytes_get_data (entry->file, NULL), file_len);
      gsize action_len = entry->action != NULL ? g_bytes_get_size (entry->action) : 0;

      _sotto_e2e_writer_put_u8 (&writer, entry_kind (entry));
      _sotto_e2e_writer_put_u32 (&writer, (guint32) action_len);
      if (action_len > 0)
        _sotto_e2e_writer_put (&writer, g_bytes_get_data (entry->action, NULL), action_len);
    }
  g_assert (writer.pos == size);

  sealed = g_malloc (1 + crypto_box_NONCEBYTES + size + crypto_box_MACBYTES);
  sealed[0] = VERSION;
  randombytes_buf (sealed + 1, crypto_box_NONCEBYTES);
  if (!_sotto_identity_box (from, to->box_pk, sealed + 1, plain, size,
                            sealed + 1 + crypto_box_NONCEBYTES))
    {
      sodium_free (plain);
      g_free (sealed);
      g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT,
                           _("The history cannot be sealed for that device"));
      return NULL;
    }
  sodium_free (plain);

  return g_bytes_new_take (sealed, 1 + crypto_box_NONCEBYTES + size + crypto_box_MACBYTES);
}

/**
 * sotto_history_chunk_open:
 * @to: the identity of the device it is for (ours)
 * @from: the identity of the device of our account that sealed it
 * @account: our account
 * @index: (out) (optional): the chunk's place in the transfer
 * @total: (out) (optional): how many messages the whole transfer holds
 *
 * Returns: (transfer full) (element-type SottoHistoryEntry): the messages,
 *   or %NULL with %SOTTO_E2E_ERROR_DECRYPT_FAILED for a chunk not sealed
 *   by @from for @to, or changed, and %SOTTO_E2E_ERROR_BAD_FORMAT for one
 *   that is not a chunk of @account's history between these two devices
 */
GPtrArray *
sotto_history_chunk_open (GBytes                    *chunk,
                          SottoIdentity             *to,
                          const SottoPublicIdentity *from,
                          const char                *account,
                          guint32                   *index,
                          guint32                   *total,
                          GError                   **error)
{
  const guint8 *data;
  gsize size;
  gsize plain_size;
  guint8 *plain;
  SottoE2eReader reader = { 0 };
  g_autoptr(GPtrArray) entries = NULL;
  g_autofree char *named = NULL;
  const guint8 *label;
  const guint8 *sender_sign;
  const guint8 *recipient_sign;
  guint32 chunk_index = 0;
  guint32 chunk_total = 0;
  guint16 count = 0;
  const char *version_label;
  gboolean ok;

  g_return_val_if_fail (chunk != NULL && SOTTO_IS_IDENTITY (to), NULL);
  g_return_val_if_fail (from != NULL && account != NULL, NULL);

  data = _sotto_e2e_bytes_get_data (chunk, &size);
  if (size < 1 + crypto_box_NONCEBYTES + crypto_box_MACBYTES ||
      size > SOTTO_HISTORY_CHUNK_MAX_BYTES || (data[0] != VERSION && data[0] != 2))
    {
      g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT,
                           _("This is not a chunk of history"));
      return NULL;
    }

  plain_size = size - 1 - crypto_box_NONCEBYTES - crypto_box_MACBYTES;
  plain = _sotto_e2e_secure_alloc (MAX (plain_size, 1));
  if (!_sotto_identity_box_open (to, from->box_pk, data + 1, data + 1 + crypto_box_NONCEBYTES,
                                 size - 1 - crypto_box_NONCEBYTES, plain))
    {
      sodium_free (plain);
      g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_DECRYPT_FAILED,
                           _("The chunk of history was not sealed by that device for this one, "
                             "or was changed"));
      return NULL;
    }

  reader.data = plain;
  reader.size = plain_size;
  entries = g_ptr_array_new_with_free_func ((GDestroyNotify) sotto_history_entry_free);
  version_label = data[0] == VERSION ? LABEL : LABEL_V2;
  ok = _sotto_e2e_reader_get (&reader, &label, strlen (version_label)) &&
       memcmp (label, version_label, strlen (version_label)) == 0 &&
       _sotto_e2e_reader_get_name (&reader, SOTTO_E2E_NAME_MAX_BYTES, FALSE, &named) &&
       g_str_equal (named, account) &&
       _sotto_e2e_reader_get (&reader, &sender_sign, 32) &&
       memcmp (sender_sign, from->sign_pk, 32) == 0 &&
       _sotto_e2e_reader_get (&reader, &recipient_sign, 32) &&
       memcmp (recipient_sign, sotto_identity_get_public (to)->sign_pk, 32) == 0 &&
       _sotto_e2e_reader_get_u32 (&reader, &chunk_index) &&
       _sotto_e2e_reader_get_u32 (&reader, &chunk_total) &&
       _sotto_e2e_reader_get_u16 (&reader, &count) && count > 0;

  for (guint i = 0; ok && i < count; i++)
    {
      g_autoptr(SottoHistoryEntry) entry = g_new0 (SottoHistoryEntry, 1);
      guint64 seq, ts, sent_at;
      guint32 text_len;
      const guint8 *text;
      guint32 file_len = 0;
      const guint8 *file = NULL;
      guint8 kind = 0;
      guint32 action_len = 0;
      const guint8 *action = NULL;
      g_autofree char *name = NULL;

      ok = _sotto_e2e_reader_get_name (&reader, SOTTO_E2E_NAME_MAX_BYTES, FALSE, &entry->room) &&
           _sotto_e2e_reader_get_name (&reader, SOTTO_E2E_NAME_MAX_BYTES, FALSE,
                                       &entry->sender) &&
           _sotto_e2e_reader_get_name (&reader, ID_MAX_BYTES, FALSE, &entry->msg_id) &&
           _sotto_e2e_reader_get_u64 (&reader, &seq) &&
           _sotto_e2e_reader_get_u64 (&reader, &ts) &&
           _sotto_e2e_reader_get_u64 (&reader, &entry->counter) &&
           _sotto_e2e_reader_get_u64 (&reader, &sent_at) &&
           seq <= G_MAXINT64 && ts <= G_MAXINT64 && sent_at <= G_MAXINT64 &&
           _sotto_e2e_reader_get_u32 (&reader, &text_len) &&
           text_len <= SOTTO_HISTORY_TEXT_MAX_BYTES &&
           _sotto_e2e_reader_get (&reader, &text, text_len) &&
           memchr (text, '\0', text_len) == NULL &&
           g_utf8_validate ((const char *) text, text_len, NULL) &&
           _sotto_e2e_reader_get_u32 (&reader, &file_len) &&
           file_len <= SOTTO_HISTORY_FILE_MAX_BYTES &&
           _sotto_e2e_reader_get (&reader, &file, file_len);
      if (ok && data[0] == VERSION)
        ok = _sotto_e2e_reader_get_u8 (&reader, &kind) &&
             _sotto_e2e_reader_get_u32 (&reader, &action_len) &&
             action_len <= SOTTO_HISTORY_FILE_MAX_BYTES &&
             _sotto_e2e_reader_get (&reader, &action, action_len);
      else if (ok)
        kind = file_len > 0 ? SOTTO_MESSAGE_BODY_FILE : SOTTO_MESSAGE_BODY_TEXT;
      if (ok && file_len > 0)
        {
          name = g_strndup ((const char *) text, text_len);
          ok = valid_file (file, file_len, name);
        }
      ok = ok && valid_kind (kind, file_len > 0, action, action_len, (const char *) text,
                             text_len);
      if (!ok)
        break;
      entry->seq = (gint64) seq;
      entry->ts = (gint64) ts;
      entry->sent_at = (gint64) sent_at;
      entry->text = g_strndup ((const char *) text, text_len);
      if (file_len > 0)
        entry->file = g_bytes_new (file, file_len);
      entry->kind = (SottoMessageBodyType) kind;
      if (action_len > 0)
        entry->action = g_bytes_new (action, action_len);
      g_ptr_array_add (entries, g_steal_pointer (&entry));
    }
  ok = ok && _sotto_e2e_reader_at_end (&reader);
  sodium_free (plain);

  if (!ok)
    {
      g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT,
                           _("The chunk of history is not one of this account's, between these "
                             "two devices"));
      return NULL;
    }

  if (index != NULL)
    *index = chunk_index;
  if (total != NULL)
    *total = chunk_total;
  return g_steal_pointer (&entries);
}
