/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-e2e-private.h"
#include "sotto-identity-private.h"
#include "sotto-sender-key-private.h"

/* A key box carries a sender key from one member to another:
 *
 *   version (1) | nonce (24) | crypto_box_easy (payload)
 *
 * with the payload
 *
 *   version (1) | room length (2) | room | sender length (2) | sender |
 *   recipient box_pk (32) | next counter (8, big endian) |
 *   sotto_sender_key_export ()
 *
 * crypto_box authenticates with the key both ends share, so the recipient's
 * key inside keeps a box from being reflected back to its sender as if the
 * recipient had sent it. The next counter is the counter the sender's next
 * message in the room carries (SottoMessageBody): the recipient owes
 * itself every message from there on, and knows a box replayed from
 * before messages it has already seen.
 */
#define BOX_VERSION 2
#define BOX_HEADER_BYTES (1 + crypto_box_NONCEBYTES)

static gboolean
check_name (const char  *name,
            gsize       *len,
            GError     **error)
{
  *len = strlen (name);
  if (*len > SOTTO_E2E_NAME_MAX_BYTES)
    {
      g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_TOO_LARGE,
                           _("A room or user name is too long"));
      return FALSE;
    }

  return TRUE;
}

/* The payload of a key box: what both kinds of box carry. */
static GBytes *
build_payload (SottoSenderKey  *self,
               const char      *room,
               guint64          next_counter,
               const char      *from_name,
               const guint8    *to_box_pk,
               GError         **error)
{
  g_autoptr(GBytes) exported = NULL;
  SottoE2eWriter writer = { 0 };
  const guint8 *export_data;
  guint8 counter[8];
  gsize export_len;
  gsize room_len;
  gsize from_len;
  GBytes *payload;

  if (!check_name (room, &room_len, error) || !check_name (from_name, &from_len, error))
    return NULL;

  exported = sotto_sender_key_export (self);
  export_data = g_bytes_get_data (exported, &export_len);

  writer.size = 1 + 2 + room_len + 2 + from_len + 32 + 8 + export_len;
  payload = _sotto_e2e_secure_bytes_new (writer.size, &writer.data);
  _sotto_e2e_writer_put_u8 (&writer, BOX_VERSION);
  _sotto_e2e_writer_put_u16 (&writer, (guint16) room_len);
  _sotto_e2e_writer_put (&writer, room, room_len);
  _sotto_e2e_writer_put_u16 (&writer, (guint16) from_len);
  _sotto_e2e_writer_put (&writer, from_name, from_len);
  _sotto_e2e_writer_put (&writer, to_box_pk, 32);
  _sotto_e2e_put_u64 (counter, next_counter);
  _sotto_e2e_writer_put (&writer, counter, sizeof counter);
  _sotto_e2e_writer_put (&writer, export_data, export_len);
  g_assert (writer.pos == writer.size);

  return payload;
}

/**
 * sotto_sender_key_seal_for:
 * @self: the sender key to hand out, from sotto_sender_key_new()
 * @room: the room it is for
 * @next_counter: the counter the sender's next message in @room carries,
 *   at least 1
 * @from: the sender's identity
 * @from_name: the sender's user name
 * @to: the recipient's public identity
 * @error: return location for a #GError
 *
 * Boxes sotto_sender_key_export() of @self from @from's box key to @to's,
 * bound to @room, @from_name and @to. @to's binding is checked first.
 *
 * Returns: (transfer full): the key box, or %NULL on error
 */
GBytes *
sotto_sender_key_seal_for (SottoSenderKey             *self,
                           const char                 *room,
                           guint64                     next_counter,
                           SottoIdentity              *from,
                           const char                 *from_name,
                           const SottoPublicIdentity  *to,
                           GError                    **error)
{
  g_autoptr(GBytes) payload = NULL;
  g_autofree guint8 *box = NULL;
  const guint8 *payload_data;
  gsize payload_len;
  gsize box_len;

  g_return_val_if_fail (SOTTO_IS_SENDER_KEY (self), NULL);
  g_return_val_if_fail (room != NULL, NULL);
  g_return_val_if_fail (next_counter > 0, NULL);
  g_return_val_if_fail (SOTTO_IS_IDENTITY (from), NULL);
  g_return_val_if_fail (from_name != NULL, NULL);
  g_return_val_if_fail (to != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!sotto_public_identity_verify (to, error) ||
      (payload = build_payload (self, room, next_counter, from_name, to->box_pk, error)) == NULL)
    return NULL;
  payload_data = g_bytes_get_data (payload, &payload_len);

  box_len = BOX_HEADER_BYTES + crypto_box_MACBYTES + payload_len;
  box = g_malloc (box_len);
  box[0] = BOX_VERSION;
  randombytes_buf (box + 1, crypto_box_NONCEBYTES);

  if (!_sotto_identity_box (from, to->box_pk, box + 1, payload_data, payload_len,
                            box + BOX_HEADER_BYTES))
    {
      g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_FAILED,
                           _("The recipient's key cannot be used for encryption"));
      return NULL;
    }

  return g_bytes_new_take (g_steal_pointer (&box), box_len);
}

/**
 * sotto_sender_key_seal_to_bundle:
 * @to: the recipient's prekey bundle, from sotto_prekey_bundle_decode()
 *
 * As sotto_sender_key_seal_for(), sealed to @to's prekeys
 * (sotto_prekey_seal()): once the recipient has erased them, the box
 * stays shut even to their identity secret key.
 *
 * Returns: (transfer full): the key box, or %NULL on error
 */
GBytes *
sotto_sender_key_seal_to_bundle (SottoSenderKey           *self,
                                 const char               *room,
                                 guint64                   next_counter,
                                 SottoIdentity            *from,
                                 const char               *from_name,
                                 const SottoPrekeyBundle  *to,
                                 GError                  **error)
{
  g_autoptr(GBytes) payload = NULL;

  g_return_val_if_fail (SOTTO_IS_SENDER_KEY (self), NULL);
  g_return_val_if_fail (room != NULL, NULL);
  g_return_val_if_fail (next_counter > 0, NULL);
  g_return_val_if_fail (SOTTO_IS_IDENTITY (from), NULL);
  g_return_val_if_fail (from_name != NULL, NULL);
  g_return_val_if_fail (to != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  payload = build_payload (self, room, next_counter, from_name, to->identity.box_pk, error);
  if (payload == NULL)
    return NULL;

  return sotto_prekey_seal (from, to, NULL, payload, error);
}

/**
 * sotto_sender_key_box_is_prekeyed:
 *
 * Returns: whether @box was sealed with sotto_sender_key_seal_to_bundle()
 *   rather than sotto_sender_key_seal_for() (by its first byte; opening
 *   checks the rest)
 */
gboolean
sotto_sender_key_box_is_prekeyed (GBytes *box)
{
  gsize len;
  const guint8 *data;

  g_return_val_if_fail (box != NULL, FALSE);

  data = _sotto_e2e_bytes_get_data (box, &len);
  return len > 0 && data[0] != BOX_VERSION;
}

/* Whether the length-prefixed string at the reader is exactly @expected. */
static gboolean
read_name (SottoE2eReader *reader,
           const char     *expected,
           gboolean       *matches)
{
  const guint8 *name;
  guint16 len;

  if (!_sotto_e2e_reader_get_u16 (reader, &len) ||
      !_sotto_e2e_reader_get (reader, &name, len))
    return FALSE;

  *matches = strlen (expected) == len && memcmp (name, expected, len) == 0;

  return TRUE;
}

/* Reads a key box's payload: it must name @room, @from_name and @me. */
static SottoSenderKey *
read_payload (GBytes         *payload,
              const char     *room,
              SottoIdentity  *me,
              const char     *from_name,
              guint64        *next_counter,
              GError        **error)
{
  g_autoptr(GBytes) exported = NULL;
  const SottoPublicIdentity *my_public;
  SottoE2eReader reader = { 0 };
  const guint8 *recipient;
  const guint8 *counter;
  const guint8 *export_data;
  gboolean room_matches;
  gboolean sender_matches;
  guint8 version;

  reader.data = _sotto_e2e_bytes_get_data (payload, &reader.size);
  if (!_sotto_e2e_reader_get_u8 (&reader, &version) ||
      version != BOX_VERSION ||
      !read_name (&reader, room, &room_matches) ||
      !read_name (&reader, from_name, &sender_matches) ||
      !_sotto_e2e_reader_get (&reader, &recipient, 32) ||
      !_sotto_e2e_reader_get (&reader, &counter, 8) ||
      _sotto_e2e_get_u64 (counter) == 0 ||
      !_sotto_e2e_reader_get (&reader, &export_data, SOTTO_SENDER_KEY_EXPORT_BYTES) ||
      !_sotto_e2e_reader_at_end (&reader))
    {
      g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT,
                           _("The key box is damaged or in an unknown format"));
      return NULL;
    }

  if (!room_matches)
    {
      g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_WRONG_ROOM,
                           _("The key box is for another room"));
      return NULL;
    }

  if (!sender_matches)
    {
      g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_WRONG_SENDER,
                           _("The key box names another sender"));
      return NULL;
    }

  my_public = sotto_identity_get_public (me);
  if (memcmp (recipient, my_public->box_pk, sizeof my_public->box_pk) != 0)
    {
      g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_WRONG_RECIPIENT,
                           _("The key box was made for someone else"));
      return NULL;
    }

  exported = g_bytes_new_from_bytes (payload, (gsize) (export_data - reader.data),
                                     SOTTO_SENDER_KEY_EXPORT_BYTES);
  if (next_counter != NULL)
    *next_counter = _sotto_e2e_get_u64 (counter);

  return sotto_sender_key_import (exported, error);
}

/**
 * sotto_sender_key_open_from:
 * @box: a key box from sotto_sender_key_seal_for()
 * @room: the room the box arrived for
 * @me: the recipient's identity
 * @from_name: the user name of the claimed sender
 * @from: the claimed sender's public identity
 * @next_counter: (out) (optional): the counter the sender's next message
 *   in @room carries
 * @error: return location for a #GError
 *
 * Checks @from's binding, opens a key box with @from's box key, which
 * proves @from made it, then
 * checks that it names @room (%SOTTO_E2E_ERROR_WRONG_ROOM), @from_name
 * (%SOTTO_E2E_ERROR_WRONG_SENDER) and @me (%SOTTO_E2E_ERROR_WRONG_RECIPIENT).
 *
 * Returns: (transfer full): the sender's key, to receive with, or %NULL on
 *   error
 */
SottoSenderKey *
sotto_sender_key_open_from (GBytes                     *box,
                            const char                 *room,
                            SottoIdentity              *me,
                            const char                 *from_name,
                            const SottoPublicIdentity  *from,
                            guint64                    *next_counter,
                            GError                    **error)
{
  g_autoptr(GBytes) payload = NULL;
  const guint8 *box_data;
  guint8 *payload_data;
  gsize box_len;

  g_return_val_if_fail (box != NULL, NULL);
  g_return_val_if_fail (room != NULL, NULL);
  g_return_val_if_fail (SOTTO_IS_IDENTITY (me), NULL);
  g_return_val_if_fail (from_name != NULL, NULL);
  g_return_val_if_fail (from != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!sotto_public_identity_verify (from, error))
    return NULL;

  box_data = _sotto_e2e_bytes_get_data (box, &box_len);
  if (box_len < BOX_HEADER_BYTES + crypto_box_MACBYTES || box_data[0] != BOX_VERSION)
    {
      g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT,
                           _("The key box is damaged or in an unknown format"));
      return NULL;
    }

  payload = _sotto_e2e_secure_bytes_new (box_len - BOX_HEADER_BYTES - crypto_box_MACBYTES,
                                         &payload_data);
  if (!_sotto_identity_box_open (me, from->box_pk, box_data + 1,
                                 box_data + BOX_HEADER_BYTES, box_len - BOX_HEADER_BYTES,
                                 payload_data))
    {
      g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_DECRYPT_FAILED,
                           _("The key box was not made by its claimed sender, or was altered"));
      return NULL;
    }

  return read_payload (payload, room, me, from_name, next_counter, error);
}

/**
 * sotto_sender_key_open_prekeyed:
 * @box: a key box from sotto_sender_key_seal_to_bundle()
 * @lookup: finds the recipient's prekeys the box names
 *
 * As sotto_sender_key_open_from(), for a box sealed to the recipient's
 * prekeys (sotto_prekey_open()): a prekey no longer held fails with
 * %SOTTO_E2E_ERROR_UNKNOWN_KEY.
 *
 * Returns: (transfer full): the sender's key, or %NULL on error
 */
SottoSenderKey *
sotto_sender_key_open_prekeyed (GBytes                     *box,
                                const char                 *room,
                                SottoIdentity              *me,
                                const char                 *from_name,
                                const SottoPublicIdentity  *from,
                                SottoPrekeyLookup           lookup,
                                gpointer                    user_data,
                                guint64                    *next_counter,
                                GError                    **error)
{
  g_autoptr(GBytes) payload = NULL;

  g_return_val_if_fail (box != NULL, NULL);
  g_return_val_if_fail (room != NULL, NULL);
  g_return_val_if_fail (SOTTO_IS_IDENTITY (me), NULL);
  g_return_val_if_fail (from_name != NULL, NULL);
  g_return_val_if_fail (from != NULL, NULL);
  g_return_val_if_fail (lookup != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!sotto_public_identity_verify (from, error))
    return NULL;

  payload = sotto_prekey_open (me, from, lookup, user_data, NULL, box, error);
  if (payload == NULL)
    return NULL;

  return read_payload (payload, room, me, from_name, next_counter, error);
}
