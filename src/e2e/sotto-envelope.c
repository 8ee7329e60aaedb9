/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-e2e-private.h"
#include "sotto-envelope.h"
#include "sotto-identity-private.h"
#include "sotto-sender-key-private.h"

/* A room envelope, encrypted once for every member:
 *
 *   offset  size  field
 *        0     1  version (1)
 *        1     4  key id, big endian
 *        5     4  index, big endian
 *        9     8  room tag: BLAKE2b (ROOM_TAG_LABEL | length | room), truncated
 *       17     8  sender tag: the same over the sender's user name
 *       25    24  nonce
 *       49     *  XChaCha20-Poly1305 (IETF) ciphertext and tag
 *    end-64   64  Ed25519 signature by the sender's identity
 *
 * The associated data is AD_LABEL | length | room | length | sender | key id |
 * index, lengths as 4 bytes big endian. The signature covers the associated
 * data followed by every envelope byte before the signature. The tags only
 * let a receiver report a wrong room or sender distinctly; the associated
 * data and the signature are what protect them.
 */
#define ENVELOPE_VERSION 1
#define OFFSET_KEY_ID 1
#define OFFSET_INDEX 5
#define OFFSET_ROOM_TAG 9
#define OFFSET_SENDER_TAG 17
#define OFFSET_NONCE 25
#define OFFSET_CIPHERTEXT (OFFSET_NONCE + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES)
#define TAG_BYTES 8

#define AD_LABEL "sotto envelope v1"
#define ROOM_TAG_LABEL "sotto room tag v1"
#define SENDER_TAG_LABEL "sotto sender tag v1"

G_STATIC_ASSERT (crypto_aead_xchacha20poly1305_ietf_NPUBBYTES == 24);
G_STATIC_ASSERT (crypto_aead_xchacha20poly1305_ietf_KEYBYTES == SOTTO_MESSAGE_KEY_BYTES);
G_STATIC_ASSERT (SOTTO_ENVELOPE_OVERHEAD ==
                 OFFSET_CIPHERTEXT + crypto_aead_xchacha20poly1305_ietf_ABYTES + crypto_sign_BYTES);

static void
compute_tag (const char *label,
             const char *name,
             guint8     *tag)
{
  crypto_generichash_state state;
  guint8 digest[crypto_generichash_BYTES_MIN];
  guint8 len[4];

  _sotto_e2e_put_u32 (len, (guint32) strlen (name));
  crypto_generichash_init (&state, NULL, 0, sizeof digest);
  crypto_generichash_update (&state, (const guint8 *) label, strlen (label));
  crypto_generichash_update (&state, len, sizeof len);
  crypto_generichash_update (&state, (const guint8 *) name, strlen (name));
  crypto_generichash_final (&state, digest, sizeof digest);
  memcpy (tag, digest, TAG_BYTES);
}

/* Returns the associated data, with room left after it for @extra bytes so
 * the signed message can be built in place.
 */
static guint8 *
build_associated_data (const char *room,
                       const char *sender_name,
                       guint32     key_id,
                       guint32     index,
                       gsize       extra,
                       gsize      *ad_len)
{
  SottoE2eWriter writer = { 0 };
  gsize room_len = strlen (room);
  gsize sender_len = strlen (sender_name);

  g_assert (room_len <= G_MAXUINT32 && sender_len <= G_MAXUINT32);

  writer.size = strlen (AD_LABEL) + 4 + room_len + 4 + sender_len + 4 + 4;
  writer.data = g_malloc (writer.size + extra);
  _sotto_e2e_writer_put (&writer, AD_LABEL, strlen (AD_LABEL));
  _sotto_e2e_writer_put_u32 (&writer, (guint32) room_len);
  _sotto_e2e_writer_put (&writer, room, room_len);
  _sotto_e2e_writer_put_u32 (&writer, (guint32) sender_len);
  _sotto_e2e_writer_put (&writer, sender_name, sender_len);
  _sotto_e2e_writer_put_u32 (&writer, key_id);
  _sotto_e2e_writer_put_u32 (&writer, index);
  g_assert (writer.pos == writer.size);

  *ad_len = writer.size;

  return writer.data;
}

/**
 * sotto_envelope_seal:
 * @own: the sender's own sender key for @room
 * @sender: the sender's identity, which signs
 * @room: the room
 * @sender_name: the sender's user name
 * @plaintext: at most %SOTTO_ENVELOPE_MAX_PLAINTEXT bytes
 * @error: return location for a #GError
 *
 * Encrypts @plaintext with the next message key of @own, erases that key
 * (@own advances by one) and signs the result.
 *
 * @own cannot open what it sealed: a sender keeps its own plaintext.
 *
 * Returns: (transfer full): the envelope, or %NULL on error
 */
GBytes *
sotto_envelope_seal (SottoSenderKey  *own,
                     SottoIdentity   *sender,
                     const char      *room,
                     const char      *sender_name,
                     GBytes          *plaintext,
                     GError         **error)
{
  g_autofree guint8 *signed_data = NULL;
  g_autofree guint8 *envelope = NULL;
  guint8 message_key[SOTTO_MESSAGE_KEY_BYTES];
  const guint8 *message;
  gsize message_len;
  gsize envelope_len;
  gsize signed_len;
  gsize ad_len;
  guint32 key_id;
  guint32 index;

  g_return_val_if_fail (SOTTO_IS_SENDER_KEY (own), NULL);
  g_return_val_if_fail (SOTTO_IS_IDENTITY (sender), NULL);
  g_return_val_if_fail (room != NULL, NULL);
  g_return_val_if_fail (sender_name != NULL, NULL);
  g_return_val_if_fail (plaintext != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  message = _sotto_e2e_bytes_get_data (plaintext, &message_len);
  if (message_len > SOTTO_ENVELOPE_MAX_PLAINTEXT)
    {
      g_set_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_TOO_LARGE,
                   _("The message is too large (at most %u bytes)"),
                   (guint) SOTTO_ENVELOPE_MAX_PLAINTEXT);
      return NULL;
    }

  key_id = sotto_sender_key_get_key_id (own);
  index = sotto_sender_key_get_index (own);
  if (!_sotto_sender_key_get_message_key (own, index, message_key, error))
    return NULL;

  envelope_len = SOTTO_ENVELOPE_OVERHEAD + message_len;
  envelope = g_malloc (envelope_len);
  envelope[0] = ENVELOPE_VERSION;
  _sotto_e2e_put_u32 (envelope + OFFSET_KEY_ID, key_id);
  _sotto_e2e_put_u32 (envelope + OFFSET_INDEX, index);
  compute_tag (ROOM_TAG_LABEL, room, envelope + OFFSET_ROOM_TAG);
  compute_tag (SENDER_TAG_LABEL, sender_name, envelope + OFFSET_SENDER_TAG);
  randombytes_buf (envelope + OFFSET_NONCE, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);

  signed_len = envelope_len - crypto_sign_BYTES;
  signed_data = build_associated_data (room, sender_name, key_id, index, signed_len, &ad_len);

  crypto_aead_xchacha20poly1305_ietf_encrypt (envelope + OFFSET_CIPHERTEXT, NULL,
                                              message, message_len,
                                              signed_data, ad_len,
                                              NULL, envelope + OFFSET_NONCE, message_key);
  sodium_memzero (message_key, sizeof message_key);
  _sotto_sender_key_consume (own, index);

  memcpy (signed_data + ad_len, envelope, signed_len);
  _sotto_identity_sign (sender, signed_data, ad_len + signed_len, envelope + signed_len);

  return g_bytes_new_take (g_steal_pointer (&envelope), envelope_len);
}

static gboolean
check_format (const guint8  *data,
              gsize          len,
              GError       **error)
{
  if (len < SOTTO_ENVELOPE_OVERHEAD || len > SOTTO_ENVELOPE_MAX_BYTES ||
      data[0] != ENVELOPE_VERSION)
    {
      g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT,
                           _("The message is damaged or in an unknown format"));
      return FALSE;
    }

  return TRUE;
}

/**
 * sotto_envelope_peek:
 * @envelope: an envelope
 * @key_id: (out) (optional): the sender key id it was sealed with
 * @index: (out) (optional): its index in that sender key's chain
 * @error: return location for a #GError
 *
 * Reads the unauthenticated header, so a caller can find (or ask for) the
 * sender key the envelope needs. Trust nothing until sotto_envelope_open()
 * succeeds.
 *
 * Returns: %TRUE if @envelope is well formed
 */
gboolean
sotto_envelope_peek (GBytes   *envelope,
                     guint32  *key_id,
                     guint32  *index,
                     GError  **error)
{
  const guint8 *data;
  gsize len;

  g_return_val_if_fail (envelope != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  data = _sotto_e2e_bytes_get_data (envelope, &len);
  if (!check_format (data, len, error))
    return FALSE;

  if (key_id != NULL)
    *key_id = _sotto_e2e_get_u32 (data + OFFSET_KEY_ID);
  if (index != NULL)
    *index = _sotto_e2e_get_u32 (data + OFFSET_INDEX);

  return TRUE;
}

/**
 * sotto_envelope_open:
 * @envelope: an envelope from sotto_envelope_seal()
 * @room: the room it arrived in
 * @sender_name: the user name of its claimed sender
 * @sender: the claimed sender's public identity
 * @state: the receiving state of @sender's sender key
 * @error: return location for a #GError
 *
 * Checks the envelope in order: format, room and sender tags, key id,
 * signature; only then takes the message key from @state and decrypts. The
 * ratchet moves only when decryption succeeds, so a forgery burns no key.
 *
 * Returns: (transfer full): the plaintext, or %NULL on error
 */
GBytes *
sotto_envelope_open (GBytes                     *envelope,
                     const char                 *room,
                     const char                 *sender_name,
                     const SottoPublicIdentity  *sender,
                     SottoSenderKey             *state,
                     GError                    **error)
{
  g_autofree guint8 *signed_data = NULL;
  g_autofree guint8 *message = NULL;
  guint8 message_key[SOTTO_MESSAGE_KEY_BYTES];
  guint8 tag[TAG_BYTES];
  const guint8 *data;
  gsize message_len;
  gsize signed_len;
  gsize ad_len;
  gsize len;
  guint32 key_id;
  guint32 index;
  int rc;

  g_return_val_if_fail (envelope != NULL, NULL);
  g_return_val_if_fail (room != NULL, NULL);
  g_return_val_if_fail (sender_name != NULL, NULL);
  g_return_val_if_fail (sender != NULL, NULL);
  g_return_val_if_fail (SOTTO_IS_SENDER_KEY (state), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  data = _sotto_e2e_bytes_get_data (envelope, &len);
  if (!check_format (data, len, error))
    return NULL;

  compute_tag (ROOM_TAG_LABEL, room, tag);
  if (memcmp (tag, data + OFFSET_ROOM_TAG, TAG_BYTES) != 0)
    {
      g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_WRONG_ROOM,
                           _("The message belongs to another room"));
      return NULL;
    }

  compute_tag (SENDER_TAG_LABEL, sender_name, tag);
  if (memcmp (tag, data + OFFSET_SENDER_TAG, TAG_BYTES) != 0)
    {
      g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_WRONG_SENDER,
                           _("The message names another sender"));
      return NULL;
    }

  key_id = _sotto_e2e_get_u32 (data + OFFSET_KEY_ID);
  index = _sotto_e2e_get_u32 (data + OFFSET_INDEX);
  if (key_id != sotto_sender_key_get_key_id (state))
    {
      g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_UNKNOWN_KEY,
                           _("The message uses a key we do not have"));
      return NULL;
    }

  signed_len = len - crypto_sign_BYTES;
  signed_data = build_associated_data (room, sender_name, key_id, index, signed_len, &ad_len);
  memcpy (signed_data + ad_len, data, signed_len);
  if (crypto_sign_verify_detached (data + signed_len, signed_data, ad_len + signed_len,
                                   sender->sign_pk) != 0)
    {
      g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_SIGNATURE,
                           _("The message is not signed by its claimed sender"));
      return NULL;
    }

  if (!_sotto_sender_key_get_message_key (state, index, message_key, error))
    return NULL;

  message_len = len - SOTTO_ENVELOPE_OVERHEAD;
  message = g_malloc (message_len + 1);
  rc = crypto_aead_xchacha20poly1305_ietf_decrypt (message, NULL, NULL,
                                                   data + OFFSET_CIPHERTEXT,
                                                   signed_len - OFFSET_CIPHERTEXT,
                                                   signed_data, ad_len,
                                                   data + OFFSET_NONCE, message_key);
  sodium_memzero (message_key, sizeof message_key);

  if (rc != 0)
    {
      g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_DECRYPT_FAILED,
                           _("The message could not be decrypted"));
      return NULL;
    }

  _sotto_sender_key_consume (state, index);

  return g_bytes_new_take (g_steal_pointer (&message), message_len);
}
