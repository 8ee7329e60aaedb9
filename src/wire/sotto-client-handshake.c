/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-frame.h"
#include "sotto-handshake-private.h"
#include "sotto-wire-error.h"

/*
 * The client side of the handshake: send a fresh ephemeral key, check the
 * server's signed reply, and compare its long-term key with the pin.
 *
 * On first contact the run ends with %SOTTO_WIRE_ERROR_SERVER_KEY_UNKNOWN
 * and the handshake waits: the caller shows the fingerprint and, if the
 * user trusts it, calls sotto_client_handshake_trust_server() to pin the
 * key and get the channel. A key that differs from the pin ends the run
 * with %SOTTO_WIRE_ERROR_SERVER_KEY_CHANGED, and there is no way on.
 */

typedef enum
{
  CLIENT_HANDSHAKE_NEW,
  CLIENT_HANDSHAKE_RUNNING,
  CLIENT_HANDSHAKE_AWAITING_TRUST,
  CLIENT_HANDSHAKE_DONE,
} ClientHandshakeState;

struct _SottoClientHandshake
{
  GObject               parent_instance;

  GIOStream            *stream;
  char                 *server;
  SottoPinStore        *pins;
  ClientHandshakeState  state;

  guint8                ephemeral_public[HANDSHAKE_EPHEMERAL_LEN];
  guint8                ephemeral_secret[crypto_kx_SECRETKEYBYTES];
  guint8                server_ephemeral[HANDSHAKE_EPHEMERAL_LEN];
  guint8                server_key[crypto_sign_PUBLICKEYBYTES];
  char                 *server_fingerprint;
  char                 *pinned_fingerprint;
};

G_DEFINE_FINAL_TYPE (SottoClientHandshake, sotto_client_handshake, G_TYPE_OBJECT)

static void
sotto_client_handshake_dispose (GObject *object)
{
  SottoClientHandshake *self = SOTTO_CLIENT_HANDSHAKE (object);

  g_clear_object (&self->stream);
  g_clear_object (&self->pins);

  G_OBJECT_CLASS (sotto_client_handshake_parent_class)->dispose (object);
}

static void
sotto_client_handshake_finalize (GObject *object)
{
  SottoClientHandshake *self = SOTTO_CLIENT_HANDSHAKE (object);

  sodium_memzero (self->ephemeral_secret, sizeof self->ephemeral_secret);
  g_free (self->server);
  g_free (self->server_fingerprint);
  g_free (self->pinned_fingerprint);

  G_OBJECT_CLASS (sotto_client_handshake_parent_class)->finalize (object);
}

static void
sotto_client_handshake_class_init (SottoClientHandshakeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sotto_client_handshake_dispose;
  object_class->finalize = sotto_client_handshake_finalize;
}

static void
sotto_client_handshake_init (SottoClientHandshake *self)
{
}

/**
 * sotto_client_handshake_new:
 * @stream: a fresh connection to the server
 * @server: the name the key is pinned under, as "host:port"
 * @pins: where trusted server keys are kept
 */
SottoClientHandshake *
sotto_client_handshake_new (GIOStream     *stream,
                            const char    *server,
                            SottoPinStore *pins)
{
  SottoClientHandshake *self;

  g_return_val_if_fail (G_IS_IO_STREAM (stream), NULL);
  g_return_val_if_fail (server != NULL, NULL);
  g_return_val_if_fail (SOTTO_IS_PIN_STORE (pins), NULL);

  self = g_object_new (SOTTO_TYPE_CLIENT_HANDSHAKE, NULL);
  self->stream = g_object_ref (stream);
  self->server = g_strdup (server);
  self->pins = g_object_ref (pins);

  return self;
}

static SottoChannel *
client_handshake_make_channel (SottoClientHandshake  *self,
                               GError               **error)
{
  guint8 rx[crypto_kx_SESSIONKEYBYTES];
  guint8 tx[crypto_kx_SESSIONKEYBYTES];
  SottoChannel *channel;

  self->state = CLIENT_HANDSHAKE_DONE;

  if (crypto_kx_client_session_keys (rx, tx, self->ephemeral_public, self->ephemeral_secret,
                                     self->server_ephemeral) != 0)
    {
      sodium_memzero (self->ephemeral_secret, sizeof self->ephemeral_secret);
      g_set_error (error, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_BAD_HANDSHAKE,
                   _("The server sent an unusable key"));
      return NULL;
    }

  sodium_memzero (self->ephemeral_secret, sizeof self->ephemeral_secret);
  channel = sotto_channel_new (self->stream, tx, rx);
  sodium_memzero (rx, sizeof rx);
  sodium_memzero (tx, sizeof tx);

  return channel;
}

static void
reply_read_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SottoClientHandshake *self = g_task_get_source_object (task);
  g_autoptr(GBytes) reply = NULL;
  guint8 transcript[HANDSHAKE_TRANSCRIPT_LEN];
  guint8 pinned[crypto_sign_PUBLICKEYBYTES];
  const guint8 *data;
  const guint8 *signature;
  GError *error = NULL;
  guint16 version = 0;
  SottoChannel *channel;
  gsize size;

  reply = sotto_frame_read_finish (G_INPUT_STREAM (object), result, &error);
  if (reply == NULL)
    {
      self->state = CLIENT_HANDSHAKE_DONE;
      if (g_error_matches (error, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_FRAME_TOO_LARGE))
        {
          g_clear_error (&error);
          g_task_return_new_error (task, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_BAD_HANDSHAKE,
                                   _("The server did not answer with a Sotto handshake"));
          return;
        }
      g_task_return_error (task, error);
      return;
    }

  data = g_bytes_get_data (reply, &size);
  if (!_sotto_handshake_get_prefix (data, size, &version))
    {
      self->state = CLIENT_HANDSHAKE_DONE;
      g_task_return_new_error (task, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_BAD_HANDSHAKE,
                               _("The server did not answer with a Sotto handshake"));
      return;
    }

  if (version != SOTTO_WIRE_PROTOCOL_VERSION)
    {
      self->state = CLIENT_HANDSHAKE_DONE;
      g_task_return_new_error (task, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_PROTOCOL_VERSION,
                               _("The server speaks protocol version %u and this app %u: "
                                 "one of them needs an update"),
                               version, SOTTO_WIRE_PROTOCOL_VERSION);
      return;
    }

  if (size != HANDSHAKE_REPLY_LEN)
    {
      self->state = CLIENT_HANDSHAKE_DONE;
      g_task_return_new_error (task, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_BAD_HANDSHAKE,
                               _("The server sent a malformed handshake"));
      return;
    }

  data += HANDSHAKE_MAGIC_LEN + 2;
  memcpy (self->server_ephemeral, data, HANDSHAKE_EPHEMERAL_LEN);
  data += HANDSHAKE_EPHEMERAL_LEN;
  memcpy (self->server_key, data, crypto_sign_PUBLICKEYBYTES);
  data += crypto_sign_PUBLICKEYBYTES;
  signature = data;

  _sotto_handshake_transcript (transcript, version, self->ephemeral_public,
                               self->server_ephemeral, self->server_key);
  if (crypto_sign_verify_detached (signature, transcript, sizeof transcript,
                                   self->server_key) != 0)
    {
      self->state = CLIENT_HANDSHAKE_DONE;
      g_task_return_new_error (task, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_BAD_HANDSHAKE,
                               _("The server’s handshake signature is not valid"));
      return;
    }

  self->server_fingerprint = sotto_fingerprint_for_public_key (self->server_key);

  if (!sotto_pin_store_lookup (self->pins, self->server, pinned))
    {
      self->state = CLIENT_HANDSHAKE_AWAITING_TRUST;
      g_task_return_new_error (task, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_SERVER_KEY_UNKNOWN,
                               _("This is the first connection to %s. Its key fingerprint is %s."),
                               self->server, self->server_fingerprint);
      return;
    }

  if (sodium_memcmp (pinned, self->server_key, sizeof pinned) != 0)
    {
      self->state = CLIENT_HANDSHAKE_DONE;
      self->pinned_fingerprint = sotto_fingerprint_for_public_key (pinned);
      g_task_return_new_error (task, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_SERVER_KEY_CHANGED,
                               _("The key of %s has changed: it was %s and is now %s. "
                                 "Someone may be intercepting the connection, or the server "
                                 "was reinstalled. Ask its operator before trusting it."),
                               self->server, self->pinned_fingerprint, self->server_fingerprint);
      return;
    }

  channel = client_handshake_make_channel (self, &error);
  if (channel == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, channel, g_object_unref);
}

static void
hello_written_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SottoClientHandshake *self = g_task_get_source_object (task);
  GCancellable *cancellable;
  GError *error = NULL;

  if (!sotto_frame_write_finish (G_OUTPUT_STREAM (object), result, &error))
    {
      self->state = CLIENT_HANDSHAKE_DONE;
      g_task_return_error (task, error);
      return;
    }

  cancellable = g_task_get_cancellable (task);
  sotto_frame_read_async (g_io_stream_get_input_stream (self->stream), HANDSHAKE_MAX_FRAME,
                          cancellable, reply_read_cb, g_steal_pointer (&task));
}

void
sotto_client_handshake_run_async (SottoClientHandshake *self,
                                  GCancellable         *cancellable,
                                  GAsyncReadyCallback   callback,
                                  gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GBytes) hello_bytes = NULL;
  guint8 hello[HANDSHAKE_HELLO_LEN];

  g_return_if_fail (SOTTO_IS_CLIENT_HANDSHAKE (self));
  g_return_if_fail (self->state == CLIENT_HANDSHAKE_NEW);

  self->state = CLIENT_HANDSHAKE_RUNNING;
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sotto_client_handshake_run_async);

  crypto_kx_keypair (self->ephemeral_public, self->ephemeral_secret);
  _sotto_handshake_put_prefix (hello, SOTTO_WIRE_PROTOCOL_VERSION);
  memcpy (hello + HANDSHAKE_MAGIC_LEN + 2, self->ephemeral_public, HANDSHAKE_EPHEMERAL_LEN);
  hello_bytes = g_bytes_new (hello, sizeof hello);

  sotto_frame_write_async (g_io_stream_get_output_stream (self->stream), hello_bytes,
                           cancellable, hello_written_cb, g_steal_pointer (&task));
}

/**
 * sotto_client_handshake_run_finish:
 *
 * Returns: (transfer full): the channel, not yet started; or %NULL with
 *   %SOTTO_WIRE_ERROR_SERVER_KEY_UNKNOWN on first contact, which the caller
 *   answers with sotto_client_handshake_trust_server() or by giving up
 */
SottoChannel *
sotto_client_handshake_run_finish (SottoClientHandshake  *self,
                                   GAsyncResult          *result,
                                   GError               **error)
{
  g_return_val_if_fail (SOTTO_IS_CLIENT_HANDSHAKE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * sotto_client_handshake_trust_server:
 *
 * After a first contact, pins the server's key and finishes the
 * handshake. Only valid after %SOTTO_WIRE_ERROR_SERVER_KEY_UNKNOWN: a
 * changed key can never be accepted here.
 *
 * Returns: (transfer full): the channel, not yet started
 */
SottoChannel *
sotto_client_handshake_trust_server (SottoClientHandshake  *self,
                                     GError               **error)
{
  g_return_val_if_fail (SOTTO_IS_CLIENT_HANDSHAKE (self), NULL);
  g_return_val_if_fail (self->state == CLIENT_HANDSHAKE_AWAITING_TRUST, NULL);

  if (!sotto_pin_store_pin (self->pins, self->server, self->server_key, error))
    {
      self->state = CLIENT_HANDSHAKE_DONE;
      return NULL;
    }

  return client_handshake_make_channel (self, error);
}

/**
 * sotto_client_handshake_get_server_fingerprint:
 *
 * Returns: (nullable): the fingerprint of the key the server presented
 */
const char *
sotto_client_handshake_get_server_fingerprint (SottoClientHandshake *self)
{
  g_return_val_if_fail (SOTTO_IS_CLIENT_HANDSHAKE (self), NULL);

  return self->server_fingerprint;
}

/**
 * sotto_client_handshake_get_pinned_fingerprint:
 *
 * Returns: (nullable): after a key change, the fingerprint that was pinned
 */
const char *
sotto_client_handshake_get_pinned_fingerprint (SottoClientHandshake *self)
{
  g_return_val_if_fail (SOTTO_IS_CLIENT_HANDSHAKE (self), NULL);

  return self->pinned_fingerprint;
}

/**
 * sotto_client_handshake_get_server_key:
 *
 * Returns: (nullable): the server's long-term public key, once verified
 */
const guint8 *
sotto_client_handshake_get_server_key (SottoClientHandshake *self)
{
  g_return_val_if_fail (SOTTO_IS_CLIENT_HANDSHAKE (self), NULL);

  return self->server_fingerprint != NULL ? self->server_key : NULL;
}
