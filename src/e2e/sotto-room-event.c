/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-e2e-private.h"
#include "sotto-identity-private.h"
#include "sotto-room-event.h"
#include "sotto-sender-key.h"

/* A room event, as every member and the server hold it:
 *
 *   version (1) | type (1) | index (8) | prev (32) | time (8) |
 *   room length (2) | room | actor length (2) | actor | actor key (32) |
 *   subject length (2) | subject | has identity (1) | [identity (128)] |
 *   value (8) | signature (64)
 *
 * Integers are big endian, time and value two's complement. The signature
 * is by the actor key, over SIGN_LABEL followed by every byte before it.
 * The hash that the next event names is BLAKE2b-256 over HASH_LABEL and
 * the whole event, signature included.
 */
#define EVENT_VERSION 1
#define SIGN_LABEL "sotto room event v1"
#define HASH_LABEL "sotto room event hash v1"

G_STATIC_ASSERT (SOTTO_ROOM_EVENT_HASH_BYTES == crypto_generichash_BYTES);

static gboolean
valid_type (guint type)
{
  return type >= SOTTO_ROOM_EVENT_CREATE && type <= SOTTO_ROOM_EVENT_SERVER_UNBAN;
}

/* The signed bytes: the label, then the event up to its signature, with
 * room for @extra more bytes. */
static guint8 *
encode_body (const SottoRoomEvent  *event,
             gsize                  extra,
             gsize                 *body_len,
             GError               **error)
{
  SottoE2eWriter writer = { 0 };
  const char *subject = event->subject != NULL ? event->subject : "";

  if (!valid_type (event->type) ||
      !_sotto_e2e_valid_name (event->room, SOTTO_E2E_NAME_MAX_BYTES, FALSE) ||
      !_sotto_e2e_valid_name (event->actor, SOTTO_E2E_NAME_MAX_BYTES, TRUE) ||
      !_sotto_e2e_valid_name (subject, SOTTO_E2E_NAME_MAX_BYTES, TRUE))
    {
      g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT,
                           _("The room event is not well formed"));
      return NULL;
    }

  writer.size = strlen (SIGN_LABEL) + 1 + 1 + 8 + SOTTO_ROOM_EVENT_HASH_BYTES + 8 +
                2 + strlen (event->room) + 2 + (event->actor != NULL ? strlen (event->actor) : 0) +
                32 + 2 + strlen (subject) + 1 +
                (event->has_identity ? SOTTO_PUBLIC_IDENTITY_BYTES : 0) + 8;
  writer.data = g_malloc (writer.size + extra);
  _sotto_e2e_writer_put (&writer, SIGN_LABEL, strlen (SIGN_LABEL));
  _sotto_e2e_writer_put_u8 (&writer, EVENT_VERSION);
  _sotto_e2e_writer_put_u8 (&writer, (guint8) event->type);
  _sotto_e2e_writer_put_u64 (&writer, event->index);
  _sotto_e2e_writer_put (&writer, event->prev, sizeof event->prev);
  _sotto_e2e_writer_put_u64 (&writer, (guint64) event->time);
  _sotto_e2e_writer_put_name (&writer, event->room);
  _sotto_e2e_writer_put_name (&writer, event->actor);
  _sotto_e2e_writer_put (&writer, event->actor_key, sizeof event->actor_key);
  _sotto_e2e_writer_put_name (&writer, subject);
  _sotto_e2e_writer_put_u8 (&writer, event->has_identity ? 1 : 0);
  if (event->has_identity)
    {
      _sotto_e2e_writer_put (&writer, event->identity.box_pk, sizeof event->identity.box_pk);
      _sotto_e2e_writer_put (&writer, event->identity.sign_pk, sizeof event->identity.sign_pk);
      _sotto_e2e_writer_put (&writer, event->identity.binding, sizeof event->identity.binding);
    }
  _sotto_e2e_writer_put_u64 (&writer, (guint64) event->value);
  g_assert (writer.pos == writer.size);

  if (writer.size - strlen (SIGN_LABEL) + crypto_sign_BYTES > SOTTO_ROOM_EVENT_MAX_BYTES)
    {
      g_free (writer.data);
      g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_TOO_LARGE,
                           _("The room event is too large"));
      return NULL;
    }

  *body_len = writer.size;
  return writer.data;
}

/**
 * sotto_room_event_signing_input:
 * @event: an event whose actor key is set
 * @error: return location for a #GError
 *
 * What the actor key signs, for a signer outside this library (the
 * server's key); sotto_room_event_attach_signature() makes the event.
 *
 * Returns: (transfer full): the bytes to sign, or %NULL if @event is not
 *   well formed
 */
GBytes *
sotto_room_event_signing_input (const SottoRoomEvent  *event,
                                GError               **error)
{
  gsize len;
  guint8 *body;

  g_return_val_if_fail (event != NULL, NULL);

  body = encode_body (event, 0, &len, error);
  return body != NULL ? g_bytes_new_take (body, len) : NULL;
}

/**
 * sotto_room_event_attach_signature:
 * @event: the event
 * @signature: the actor key's 64-byte signature of its signing input
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the encoded event, or %NULL
 */
GBytes *
sotto_room_event_attach_signature (const SottoRoomEvent  *event,
                                   const guint8          *signature,
                                   GError               **error)
{
  gsize label = strlen (SIGN_LABEL);
  gsize len;
  guint8 *body;
  guint8 *bytes;

  g_return_val_if_fail (event != NULL, NULL);
  g_return_val_if_fail (signature != NULL, NULL);

  body = encode_body (event, crypto_sign_BYTES, &len, error);
  if (body == NULL)
    return NULL;

  memcpy (body + len, signature, crypto_sign_BYTES);
  bytes = g_memdup2 (body + label, len - label + crypto_sign_BYTES);
  g_free (body);

  return g_bytes_new_take (bytes, len - label + crypto_sign_BYTES);
}

/**
 * sotto_room_event_seal:
 * @event: the event; its actor key is set to @actor's signing key
 * @actor: the member who makes it
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the signed event, or %NULL if it is not well
 *   formed
 */
GBytes *
sotto_room_event_seal (SottoRoomEvent  *event,
                       SottoIdentity   *actor,
                       GError         **error)
{
  g_autoptr(GBytes) input = NULL;
  guint8 signature[crypto_sign_BYTES];
  const guint8 *data;
  gsize len;

  g_return_val_if_fail (event != NULL, NULL);
  g_return_val_if_fail (SOTTO_IS_IDENTITY (actor), NULL);

  memcpy (event->actor_key, sotto_identity_get_public (actor)->sign_pk, sizeof event->actor_key);
  input = sotto_room_event_signing_input (event, error);
  if (input == NULL)
    return NULL;

  data = g_bytes_get_data (input, &len);
  _sotto_identity_sign (actor, data, len, signature);

  return sotto_room_event_attach_signature (event, signature, error);
}

/**
 * sotto_room_event_open:
 * @bytes: an encoded event
 * @event: (out caller-allocates): the event, to clear with
 *   sotto_room_event_clear()
 * @error: return location for a #GError
 *
 * Reads an event strictly and checks its signature by its actor key, and
 * the binding of the identity it carries. Whether its actor may make it
 * is for the room's state to say (SottoRoomState).
 *
 * Returns: %TRUE if @bytes is a well formed event, signed by its actor key
 */
gboolean
sotto_room_event_open (GBytes          *bytes,
                       SottoRoomEvent  *event,
                       GError         **error)
{
  g_auto(SottoRoomEvent) read = { 0 };
  g_autofree guint8 *signed_data = NULL;
  SottoE2eReader reader = { 0 };
  const guint8 *p;
  guint8 version = 0, type = 0, has_identity = 0;
  guint64 value = 0, time = 0;
  gsize label = strlen (SIGN_LABEL);

  g_return_val_if_fail (bytes != NULL, FALSE);
  g_return_val_if_fail (event != NULL, FALSE);

  memset (event, 0, sizeof *event);
  reader.data = _sotto_e2e_bytes_get_data (bytes, &reader.size);
  if (reader.size > SOTTO_ROOM_EVENT_MAX_BYTES || reader.size < crypto_sign_BYTES)
    goto bad_format;
  reader.size -= crypto_sign_BYTES;

  if (!_sotto_e2e_reader_get_u8 (&reader, &version) || version != EVENT_VERSION ||
      !_sotto_e2e_reader_get_u8 (&reader, &type) || !valid_type (type) ||
      !_sotto_e2e_reader_get_u64 (&reader, &read.index) ||
      !_sotto_e2e_reader_get (&reader, &p, SOTTO_ROOM_EVENT_HASH_BYTES))
    goto bad_format;
  read.type = type;
  memcpy (read.prev, p, sizeof read.prev);
  if (!_sotto_e2e_reader_get_u64 (&reader, &time) ||
      !_sotto_e2e_reader_get_name (&reader, SOTTO_E2E_NAME_MAX_BYTES, FALSE, &read.room) ||
      !_sotto_e2e_reader_get_name (&reader, SOTTO_E2E_NAME_MAX_BYTES, TRUE, &read.actor) ||
      !_sotto_e2e_reader_get (&reader, &p, sizeof read.actor_key))
    goto bad_format;
  read.time = (gint64) time;
  memcpy (read.actor_key, p, sizeof read.actor_key);
  if (!_sotto_e2e_reader_get_name (&reader, SOTTO_E2E_NAME_MAX_BYTES, TRUE, &read.subject) ||
      !_sotto_e2e_reader_get_u8 (&reader, &has_identity) || has_identity > 1)
    goto bad_format;
  if (has_identity)
    {
      g_autoptr(GBytes) identity = NULL;

      if (!_sotto_e2e_reader_get (&reader, &p, SOTTO_PUBLIC_IDENTITY_BYTES))
        goto bad_format;
      identity = g_bytes_new (p, SOTTO_PUBLIC_IDENTITY_BYTES);
      if (!sotto_public_identity_from_bytes (identity, &read.identity, NULL))
        goto bad_format;
      read.has_identity = TRUE;
    }
  if (!_sotto_e2e_reader_get_u64 (&reader, &value) || !_sotto_e2e_reader_at_end (&reader))
    goto bad_format;
  read.value = (gint64) value;
  if (read.subject[0] == '\0')
    g_clear_pointer (&read.subject, g_free);

  signed_data = g_malloc (label + reader.size);
  memcpy (signed_data, SIGN_LABEL, label);
  memcpy (signed_data + label, reader.data, reader.size);
  if (crypto_sign_verify_detached (reader.data + reader.size, signed_data, label + reader.size,
                                   read.actor_key) != 0)
    {
      g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_SIGNATURE,
                           _("The room event is not signed by its actor"));
      return FALSE;
    }
  if (read.has_identity && !sotto_public_identity_verify (&read.identity, error))
    return FALSE;

  *event = read;
  memset (&read, 0, sizeof read);
  return TRUE;

bad_format:
  g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT,
                       _("The room event is damaged or in an unknown format"));
  return FALSE;
}

/**
 * sotto_room_event_hash:
 * @bytes: an encoded event
 * @hash: (out caller-allocates): %SOTTO_ROOM_EVENT_HASH_BYTES bytes
 *
 * The hash the next event of the room names as its @prev.
 */
void
sotto_room_event_hash (GBytes *bytes,
                       guint8 *hash)
{
  crypto_generichash_state state;
  gsize len;
  const guint8 *data = _sotto_e2e_bytes_get_data (bytes, &len);

  crypto_generichash_init (&state, NULL, 0, SOTTO_ROOM_EVENT_HASH_BYTES);
  crypto_generichash_update (&state, (const guint8 *) HASH_LABEL, strlen (HASH_LABEL));
  crypto_generichash_update (&state, data, len);
  crypto_generichash_final (&state, hash, SOTTO_ROOM_EVENT_HASH_BYTES);
}

/**
 * sotto_room_event_clear:
 * @event: an event
 *
 * Frees what @event holds and empties it.
 */
void
sotto_room_event_clear (SottoRoomEvent *event)
{
  g_free (event->room);
  g_free (event->actor);
  g_free (event->subject);
  memset (event, 0, sizeof *event);
}
