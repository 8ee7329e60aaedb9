/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-frame.h"
#include "sotto-handshake-private.h"
#include "sotto-wire-error.h"

/*
 * The server side of the handshake: read the client's hello, answer with a
 * fresh ephemeral key signed by the long-term key, derive the session keys.
 * The server has nothing to wait for after its reply, so the channel is
 * ready as soon as the reply is written.
 */

struct _SottoServerHandshake
{
  GObject          parent_instance;

  GIOStream       *stream;
  SottoServerKey  *key;
  gboolean         started;

  guint8           client_ephemeral[HANDSHAKE_EPHEMERAL_LEN];
  guint8           ephemeral_public[HANDSHAKE_EPHEMERAL_LEN];
  guint8           ephemeral_secret[crypto_kx_SECRETKEYBYTES];
  guint8           rx[crypto_kx_SESSIONKEYBYTES];
  guint8           tx[crypto_kx_SESSIONKEYBYTES];
};

G_DEFINE_FINAL_TYPE (SottoServerHandshake, sotto_server_handshake, G_TYPE_OBJECT)

static void
sotto_server_handshake_dispose (GObject *object)
{
  SottoServerHandshake *self = SOTTO_SERVER_HANDSHAKE (object);

  g_clear_object (&self->stream);
  g_clear_object (&self->key);

  G_OBJECT_CLASS (sotto_server_handshake_parent_class)->dispose (object);
}

static void
sotto_server_handshake_finalize (GObject *object)
{
  SottoServerHandshake *self = SOTTO_SERVER_HANDSHAKE (object);

  sodium_memzero (self->ephemeral_secret, sizeof self->ephemeral_secret);
  sodium_memzero (self->rx, sizeof self->rx);
  sodium_memzero (self->tx, sizeof self->tx);

  G_OBJECT_CLASS (sotto_server_handshake_parent_class)->finalize (object);
}

static void
sotto_server_handshake_class_init (SottoServerHandshakeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sotto_server_handshake_dispose;
  object_class->finalize = sotto_server_handshake_finalize;
}

static void
sotto_server_handshake_init (SottoServerHandshake *self)
{
}

SottoServerHandshake *
sotto_server_handshake_new (GIOStream      *stream,
                            SottoServerKey *key)
{
  SottoServerHandshake *self;

  g_return_val_if_fail (G_IS_IO_STREAM (stream), NULL);
  g_return_val_if_fail (SOTTO_IS_SERVER_KEY (key), NULL);

  self = g_object_new (SOTTO_TYPE_SERVER_HANDSHAKE, NULL);
  self->stream = g_object_ref (stream);
  self->key = g_object_ref (key);

  return self;
}

static void
reject_written_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  guint16 *client_version = g_task_get_task_data (task);

  sotto_frame_write_finish (G_OUTPUT_STREAM (object), result, NULL);
  g_task_return_new_error (task, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_PROTOCOL_VERSION,
                           _("The client speaks protocol version %u, this server %u"),
                           *client_version, SOTTO_WIRE_PROTOCOL_VERSION);
}

static void
reply_written_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SottoServerHandshake *self = g_task_get_source_object (task);
  GError *error = NULL;

  if (!sotto_frame_write_finish (G_OUTPUT_STREAM (object), result, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_return_pointer (task, sotto_channel_new (self->stream, self->tx, self->rx),
                         g_object_unref);
  sodium_memzero (self->rx, sizeof self->rx);
  sodium_memzero (self->tx, sizeof self->tx);
}

static void
hello_read_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SottoServerHandshake *self = g_task_get_source_object (task);
  GOutputStream *output = g_io_stream_get_output_stream (self->stream);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr(GBytes) hello = NULL;
  g_autoptr(GBytes) reply_bytes = NULL;
  guint8 transcript[HANDSHAKE_TRANSCRIPT_LEN];
  guint8 reply[HANDSHAKE_REPLY_LEN];
  GError *error = NULL;
  const guint8 *data;
  guint16 version = 0;
  gsize size;
  guint8 *p;

  hello = sotto_frame_read_finish (G_INPUT_STREAM (object), result, &error);
  if (hello == NULL)
    {
      if (g_error_matches (error, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_FRAME_TOO_LARGE))
        {
          g_clear_error (&error);
          g_task_return_new_error (task, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_BAD_HANDSHAKE,
                                   _("The client did not start with a handshake"));
          return;
        }
      g_task_return_error (task, error);
      return;
    }

  data = g_bytes_get_data (hello, &size);
  if (!_sotto_handshake_get_prefix (data, size, &version))
    {
      g_task_return_new_error (task, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_BAD_HANDSHAKE,
                               _("The client did not start with a handshake"));
      return;
    }

  if (version != SOTTO_WIRE_PROTOCOL_VERSION)
    {
      guint8 reject[HANDSHAKE_REJECT_LEN];
      g_autoptr(GBytes) reject_bytes = NULL;
      guint16 *client_version = g_new (guint16, 1);

      *client_version = version;
      g_task_set_task_data (task, client_version, g_free);
      _sotto_handshake_put_prefix (reject, SOTTO_WIRE_PROTOCOL_VERSION);
      reject_bytes = g_bytes_new (reject, sizeof reject);
      sotto_frame_write_async (output, reject_bytes, cancellable,
                               reject_written_cb, g_steal_pointer (&task));
      return;
    }

  if (size != HANDSHAKE_HELLO_LEN)
    {
      g_task_return_new_error (task, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_BAD_HANDSHAKE,
                               _("The client sent a malformed handshake"));
      return;
    }

  memcpy (self->client_ephemeral, data + HANDSHAKE_MAGIC_LEN + 2, HANDSHAKE_EPHEMERAL_LEN);
  crypto_kx_keypair (self->ephemeral_public, self->ephemeral_secret);

  /* A key that yields no shared secret (a low-order point) is refused
   * before anything is signed for it. */
  if (crypto_kx_server_session_keys (self->rx, self->tx, self->ephemeral_public,
                                     self->ephemeral_secret, self->client_ephemeral) != 0)
    {
      g_task_return_new_error (task, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_BAD_HANDSHAKE,
                               _("The client sent an unusable key"));
      return;
    }
  sodium_memzero (self->ephemeral_secret, sizeof self->ephemeral_secret);

  _sotto_handshake_transcript (transcript, SOTTO_WIRE_PROTOCOL_VERSION,
                               self->client_ephemeral, self->ephemeral_public,
                               sotto_server_key_get_public (self->key));

  p = reply;
  _sotto_handshake_put_prefix (p, SOTTO_WIRE_PROTOCOL_VERSION);
  p += HANDSHAKE_MAGIC_LEN + 2;
  memcpy (p, self->ephemeral_public, HANDSHAKE_EPHEMERAL_LEN);
  p += HANDSHAKE_EPHEMERAL_LEN;
  memcpy (p, sotto_server_key_get_public (self->key), crypto_sign_PUBLICKEYBYTES);
  p += crypto_sign_PUBLICKEYBYTES;
  sotto_server_key_sign (self->key, transcript, sizeof transcript, p);

  reply_bytes = g_bytes_new (reply, sizeof reply);
  sotto_frame_write_async (output, reply_bytes, cancellable,
                           reply_written_cb, g_steal_pointer (&task));
}

/**
 * sotto_server_handshake_run_async:
 *
 * Runs the server side once. The caller bounds its time with @cancellable.
 */
void
sotto_server_handshake_run_async (SottoServerHandshake *self,
                                  GCancellable         *cancellable,
                                  GAsyncReadyCallback   callback,
                                  gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (SOTTO_IS_SERVER_HANDSHAKE (self));
  g_return_if_fail (!self->started);

  self->started = TRUE;
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sotto_server_handshake_run_async);

  sotto_frame_read_async (g_io_stream_get_input_stream (self->stream), HANDSHAKE_MAX_FRAME,
                          cancellable, hello_read_cb, g_steal_pointer (&task));
}

/**
 * sotto_server_handshake_run_finish:
 *
 * Returns: (transfer full): the channel, not yet started
 */
SottoChannel *
sotto_server_handshake_run_finish (SottoServerHandshake  *self,
                                   GAsyncResult          *result,
                                   GError               **error)
{
  g_return_val_if_fail (SOTTO_IS_SERVER_HANDSHAKE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
