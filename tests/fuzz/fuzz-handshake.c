/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gio/gio.h>
#include <sodium.h>
#include <string.h>

#include "sotto-channel.h"
#include "sotto-frame.h"
#include "sotto-handshake-private.h"
#include "sotto-wire-error.h"

/*
 * Plays a client that sends arbitrary bytes to the server side of the
 * handshake. Whatever the bytes, the handshake must end once, write either
 * nothing, a reject or a correctly signed reply, and a channel it yields
 * must run over the rest of the bytes (its stream header and first frames)
 * and close when they end.
 */

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

/* One long-term key for every input, as a server has. */
static SottoServerKey *server_key;

typedef struct
{
  gboolean      done;
  SottoChannel *channel;
  GError       *error;
} Outcome;

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  /* A critical from the library or GLib is a bug the fuzzer found. */
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);

  if (sodium_init () < 0)
    return -1;

  server_key = sotto_server_key_new_random ();

  return 0;
}

static void
handshake_done_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Outcome *outcome = user_data;

  outcome->channel = sotto_server_handshake_run_finish (SOTTO_SERVER_HANDSHAKE (object), result,
                                                        &outcome->error);
  outcome->done = TRUE;
}

static void
closed_cb (SottoChannel *channel,
           const GError *error,
           gpointer      user_data)
{
  /* The input always ends without a goodbye the fuzzer cannot encrypt. */
  g_assert_nonnull (error);
  g_assert_true (error->domain == SOTTO_WIRE_ERROR);

  *(gboolean *) user_data = TRUE;
}

/* What the server wrote before the channel started: one frame holding a
 * reply signed by the server key over the client's ephemeral key.
 */
static void
check_reply (const guint8 *written,
             gsize         written_len,
             const guint8 *hello)
{
  const guint8 *reply = written + SOTTO_FRAME_HEADER_SIZE;
  const guint8 *server_ephemeral = reply + HANDSHAKE_MAGIC_LEN + 2;
  const guint8 *long_term = server_ephemeral + HANDSHAKE_EPHEMERAL_LEN;
  const guint8 *signature = long_term + crypto_sign_PUBLICKEYBYTES;
  guint8 transcript[HANDSHAKE_TRANSCRIPT_LEN];
  guint16 version = 0;

  g_assert_cmpuint (written_len, ==, SOTTO_FRAME_HEADER_SIZE + HANDSHAKE_REPLY_LEN);
  g_assert_cmpuint (sotto_frame_get_header (written), ==, HANDSHAKE_REPLY_LEN);
  g_assert_true (_sotto_handshake_get_prefix (reply, HANDSHAKE_REPLY_LEN, &version));
  g_assert_cmpuint (version, ==, SOTTO_WIRE_PROTOCOL_VERSION);
  g_assert_cmpmem (long_term, crypto_sign_PUBLICKEYBYTES,
                   sotto_server_key_get_public (server_key), SOTTO_SERVER_KEY_PUBLIC_SIZE);

  _sotto_handshake_transcript (transcript, SOTTO_WIRE_PROTOCOL_VERSION,
                               hello + HANDSHAKE_MAGIC_LEN + 2, server_ephemeral, long_term);
  g_assert_cmpint (crypto_sign_verify_detached (signature, transcript, sizeof transcript,
                                                long_term), ==, 0);
}

/* A failed handshake wrote a reject to a client of another version, and
 * nothing to anyone else (an unusable client key is refused before the
 * reply is signed).
 */
static void
check_failure (const GError *error,
               const guint8 *written,
               gsize         written_len,
               const guint8 *data,
               gsize         size)
{
  guint16 version = 0;

  g_assert_nonnull (error);
  g_assert_true (error->domain == SOTTO_WIRE_ERROR);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));

  if (error->code != SOTTO_WIRE_ERROR_PROTOCOL_VERSION)
    {
      g_assert_cmpuint (written_len, ==, 0);
      return;
    }

  g_assert_cmpuint (written_len, ==, SOTTO_FRAME_HEADER_SIZE + HANDSHAKE_REJECT_LEN);
  g_assert_cmpuint (sotto_frame_get_header (written), ==, HANDSHAKE_REJECT_LEN);
  g_assert_true (_sotto_handshake_get_prefix (written + SOTTO_FRAME_HEADER_SIZE,
                                              HANDSHAKE_REJECT_LEN, &version));
  g_assert_cmpuint (version, ==, SOTTO_WIRE_PROTOCOL_VERSION);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GInputStream) input = g_memory_input_stream_new_from_data (data, size, NULL);
  g_autoptr(GOutputStream) output = g_memory_output_stream_new_resizable ();
  g_autoptr(GIOStream) stream = g_simple_io_stream_new (input, output);
  g_autoptr(SottoServerHandshake) handshake = sotto_server_handshake_new (stream, server_key);
  GMemoryOutputStream *memory = G_MEMORY_OUTPUT_STREAM (output);
  Outcome outcome = { FALSE, NULL, NULL };
  gboolean closed = FALSE;

  sotto_server_handshake_run_async (handshake, NULL, handshake_done_cb, &outcome);
  while (!outcome.done)
    g_main_context_iteration (NULL, TRUE);

  if (outcome.channel == NULL)
    {
      check_failure (outcome.error, g_memory_output_stream_get_data (memory),
                     g_memory_output_stream_get_data_size (memory), data, size);
      g_clear_error (&outcome.error);
      return 0;
    }

  g_assert_no_error (outcome.error);
  /* Only a whole hello of the right size gets this far: it is the input's
   * first frame.
   */
  g_assert_cmpuint (size, >=, SOTTO_FRAME_HEADER_SIZE + HANDSHAKE_HELLO_LEN);
  check_reply (g_memory_output_stream_get_data (memory),
               g_memory_output_stream_get_data_size (memory),
               data + SOTTO_FRAME_HEADER_SIZE);

  sotto_channel_set_max_frame (outcome.channel, 4096);
  g_signal_connect (outcome.channel, "closed", G_CALLBACK (closed_cb), &closed);
  sotto_channel_start (outcome.channel);
  while (!closed)
    g_main_context_iteration (NULL, TRUE);

  /* Let the stream close that the channel started. */
  while (g_main_context_iteration (NULL, FALSE))
    ;

  g_assert_false (sotto_channel_is_open (outcome.channel));
  g_clear_object (&outcome.channel);

  return 0;
}
