/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sotto-bench-sotto-e2e.h"
#include "sotto-frame.h"
#include "sotto-handshake-private.h"

/*
 * The Sotto client of sotto-bench: the real handshake (the server's
 * signature checked, its key pinned by the first client and compared by
 * every other), one secretstream per direction, JSON requests from the
 * protocol library, and room messages sealed with a real sender key
 * (sotto_envelope_seal: encrypted and signed) handed to every member in
 * real key boxes.
 *
 * The send time and the sender travel in the message's msg_id, which the
 * server relays as it is, so that members measure latency without opening
 * envelopes: a real client spends an Ed25519 verification on every
 * message, and one process that reads for a thousand members cannot. One
 * client in --check-every (the last of each such group) does open and
 * verify every envelope it receives, with the sender keys it was handed,
 * and checks that the plaintext is the one that was sent. Sender keys and
 * envelopes are in sotto-bench-sotto-e2e.c, a client's state and framing
 * in sotto-bench-sotto-channel.c; this file holds the connection, the
 * setup and the reading of what the server sends.
 *
 * sotto-server puts every new account in the room "general". A client of
 * the benchmark leaves it at once, so that each registration does not
 * announce itself to every account made before (IRC and Redis clients
 * start in no channel either).
 */

#define PASSWORD "bench-password"
static void
sotto_client_init (BenchClient *client)
{
  SottoData *data = g_new0 (SottoData, 1);
  const SottoPublicIdentity *public;
  int every = client->bench->options.check_every;

  data->identity = sotto_identity_new ();
  public = sotto_identity_get_public (data->identity);
  memcpy (data->wire_identity.box, public->box_pk, sizeof public->box_pk);
  memcpy (data->wire_identity.sign, public->sign_pk, sizeof public->sign_pk);
  memcpy (data->wire_identity.binding, public->binding, sizeof public->binding);
  data->plain = g_byte_array_new ();
  data->kids = g_array_new (FALSE, FALSE, sizeof (gint64));
  data->checker = client->room >= 0 && every > 0 &&
                  client->index % every == (guint) every - 1;
  if (data->checker)
    data->keys = g_hash_table_new_full (NULL, NULL, NULL, g_object_unref);
  client->data = data;
}

static void
sotto_client_clear (BenchClient *client)
{
  SottoData *data = client->data;

  g_clear_object (&data->identity);
  g_clear_object (&data->own_key);
  g_clear_pointer (&data->keys, g_hash_table_unref);
  g_byte_array_unref (data->plain);
  g_array_unref (data->kids);
  sodium_memzero (data, sizeof *data);
  g_free (data);
}

static gboolean
sotto_start (BenchClient *client,
             SetupGoal    goal)
{
  SottoData *data = client->data;

  client->goal = goal;
  data->stage = STAGE_HELLO;
  g_byte_array_set_size (data->plain, 0);
  return bench_conn_open (&client->conn, client->bench);
}

static void
sotto_stop (BenchClient *client)
{
  bench_conn_close (&client->conn);
}

static void
sotto_connected (BenchConn *conn)
{
  SottoData *data = conn->client->data;
  guint8 hello[HANDSHAKE_HELLO_LEN];

  crypto_kx_keypair (data->kx_public, data->kx_secret);
  _sotto_handshake_put_prefix (hello, SOTTO_WIRE_PROTOCOL_VERSION);
  memcpy (hello + HANDSHAKE_MAGIC_LEN + 2, data->kx_public, sizeof data->kx_public);
  bench_sotto_put_frame_header (conn, sizeof hello);
  bench_conn_write (conn, hello, sizeof hello);
}

static gboolean
handle_reply (BenchClient  *client,
              const guint8 *frame,
              gsize         size)
{
  Bench *bench = client->bench;
  SottoBenchData *shared = bench_sotto_data (bench);
  SottoData *data = client->data;
  guint8 transcript[HANDSHAKE_TRANSCRIPT_LEN];
  guint8 header[crypto_secretstream_xchacha20poly1305_HEADERBYTES];
  guint8 tx[crypto_kx_SESSIONKEYBYTES];
  const guint8 *server_ephemeral = frame + HANDSHAKE_MAGIC_LEN + 2;
  const guint8 *server_key = server_ephemeral + HANDSHAKE_EPHEMERAL_LEN;
  const guint8 *signature = server_key + crypto_sign_PUBLICKEYBYTES;
  guint16 version;

  if (size != HANDSHAKE_REPLY_LEN || !_sotto_handshake_get_prefix (frame, size, &version) ||
      version != SOTTO_WIRE_PROTOCOL_VERSION)
    {
      bench_fail (bench, "%s: not a Sotto handshake reply", client->name);
      return FALSE;
    }

  _sotto_handshake_transcript (transcript, version, data->kx_public, server_ephemeral,
                               server_key);
  if (crypto_sign_verify_detached (signature, transcript, sizeof transcript, server_key) != 0)
    {
      bench_fail (bench, "%s: the server's handshake signature does not verify", client->name);
      return FALSE;
    }

  if (!shared->pinned)
    {
      memcpy (shared->server_key, server_key, sizeof shared->server_key);
      shared->pinned = TRUE;
    }
  else if (sodium_memcmp (shared->server_key, server_key, sizeof shared->server_key) != 0)
    {
      bench_fail (bench, "%s: the server key changed during the run", client->name);
      return FALSE;
    }

  if (crypto_kx_client_session_keys (data->rx_key, tx, data->kx_public, data->kx_secret,
                                     server_ephemeral) != 0)
    {
      bench_fail (bench, "%s: the server sent an unusable key", client->name);
      return FALSE;
    }
  sodium_memzero (data->kx_secret, sizeof data->kx_secret);

  crypto_secretstream_xchacha20poly1305_init_push (&data->push, header, tx);
  sodium_memzero (tx, sizeof tx);
  bench_sotto_put_frame_header (&client->conn, sizeof header);
  bench_conn_write (&client->conn, header, sizeof header);
  data->stage = STAGE_HEADER;
  return TRUE;
}

/* The value of "key":"…" in a compact JSON message, without unescaping:
 * the values read this way are names and ids, which need none. */
static gboolean
find_string (const char  *msg,
             gsize        size,
             const char  *key,
             const char **value,
             gsize       *value_len)
{
  g_autofree char *needle = g_strdup_printf ("\"%s\":\"", key);
  gsize needle_len = strlen (needle);
  const char *start = memmem (msg, size, needle, needle_len);
  const char *end;

  if (start == NULL)
    return FALSE;
  start += needle_len;
  end = memchr (start, '"', msg + size - start);
  if (end == NULL)
    return FALSE;

  *value = start;
  *value_len = end - start;
  return TRUE;
}

static void
handle_delivery (BenchClient *client,
                 const char  *msg,
                 gsize        size)
{
  SottoData *data = client->data;
  const char *msg_id;
  gsize msg_id_len;
  gint64 sent_us;
  guint sender;

  if (!find_string (msg, size, "msg_id", &msg_id, &msg_id_len) ||
      !bench_parse_payload (msg_id, msg_id_len, &sent_us, &sender))
    return;

  bench_record_delivery (client, sent_us, sender);
  if (data->checker && sender != client->index)
    bench_sotto_check_envelope (client, msg, size, sender);
}

static void
handle_error (BenchClient *client,
              const char  *msg,
              gsize        size)
{
  g_autofree char *text = g_strndup (msg, MIN (size, 400));

  bench_fail (client->bench, "%s: the server answered with an error: %s", client->name, text);
}

static void
handle_welcome (BenchClient *client)
{
  SottoData *data = client->data;
  g_autofree char *id = bench_sotto_next_request_id (client);

  if (client->goal == SETUP_LOGIN)
    bench_sotto_queue_message (client, sotto_msg_build_login (id, client->name, PASSWORD,
                                                              &data->wire_identity));
  else
    bench_sotto_queue_message (client,
                               sotto_msg_build_register (id, client->name, PASSWORD,
                                                         &data->wire_identity, NULL));
}

#define LEAVE_GENERAL_ID "leave-general"

static void
handle_session (BenchClient *client)
{
  if (client->goal != SETUP_LOGIN)
    {
      bench_sotto_queue_message (client, sotto_msg_build_leave (LEAVE_GENERAL_ID, "general"));
      return;
    }

  bench_client_set_state (client, CLIENT_IDLE);
}

/* Out of "general": on to the client's own room, or done. */
static void
handle_left_general (BenchClient *client)
{
  if (client->goal == SETUP_REGISTER_AND_JOIN)
    {
      g_autofree char *id = bench_sotto_next_request_id (client);
      g_autofree char *room = bench_sotto_room_name (client->room);

      bench_sotto_queue_message (client, sotto_msg_build_join (id, room));
      return;
    }

  bench_client_set_state (client, CLIENT_IDLE);
}

static gboolean
type_is (const char *type,
         gsize       type_len,
         const char *name)
{
  return type_len == strlen (name) && memcmp (type, name, type_len) == 0;
}

static void
handle_message (BenchClient *client,
                const char  *msg,
                gsize        size)
{
  static const char delivery_prefix[] = "{\"type\":\"message\",";
  const char *type;
  gsize type_len;

  if (size > sizeof delivery_prefix &&
      memcmp (msg, delivery_prefix, sizeof delivery_prefix - 1) == 0)
    {
      handle_delivery (client, msg, size);
      return;
    }

  if (!find_string (msg, MIN (size, 40), "type", &type, &type_len))
    {
      bench_fail (client->bench, "%s: a message without a type", client->name);
      return;
    }

  if (type_is (type, type_len, "sent"))
    bench_record_ack (client);
  else if (type_is (type, type_len, "key"))
    bench_sotto_handle_key (client, msg, size);
  else if (type_is (type, type_len, "welcome"))
    handle_welcome (client);
  else if (type_is (type, type_len, "session"))
    handle_session (client);
  else if (type_is (type, type_len, "joined"))
    bench_client_set_state (client, CLIENT_READY);
  else if (type_is (type, type_len, "ok") &&
           g_strstr_len (msg, size, "\"id\":\"" LEAVE_GENERAL_ID "\"") != NULL)
    handle_left_general (client);
  else if (type_is (type, type_len, "error"))
    handle_error (client, msg, size);
  /* member_joined, presence, ok, notices: nothing to do. */
}

static gboolean
handle_frame (BenchClient  *client,
              const guint8 *frame,
              gsize         size)
{
  Bench *bench = client->bench;
  SottoData *data = client->data;
  GByteArray *plain = bench_sotto_data (bench)->scratch;
  unsigned long long plain_len = 0;
  unsigned char tag = 0;
  gsize start = 0;

  switch (data->stage)
    {
    case STAGE_HELLO:
      return handle_reply (client, frame, size);

    case STAGE_HEADER:
      if (size != crypto_secretstream_xchacha20poly1305_HEADERBYTES ||
          crypto_secretstream_xchacha20poly1305_init_pull (&data->pull, frame, data->rx_key) != 0)
        {
          bench_fail (bench, "%s: the server did not start its stream", client->name);
          return FALSE;
        }
      sodium_memzero (data->rx_key, sizeof data->rx_key);
      data->stage = STAGE_OPEN;
      return TRUE;

    case STAGE_OPEN:
      break;
    }

  if (size < SOTTO_CHANNEL_FRAME_OVERHEAD)
    {
      bench_fail (bench, "%s: a frame too short to be encrypted", client->name);
      return FALSE;
    }

  g_byte_array_set_size (plain, size);
  if (crypto_secretstream_xchacha20poly1305_pull (&data->pull, plain->data, &plain_len, &tag,
                                                  frame, size, NULL, 0) != 0)
    {
      bench_fail (bench, "%s: a frame failed to decrypt", client->name);
      return FALSE;
    }

  if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL && bench->phase == PHASE_SETUP)
    {
      bench_fail (bench, "%s: the server said goodbye", client->name);
      return FALSE;
    }

  while (start < plain_len)
    {
      const char *text = (const char *) plain->data;
      const char *newline = memchr (text + start, '\n', plain_len - start);
      gsize end = newline != NULL ? (gsize) (newline - text) : plain_len;

      if (end > start)
        handle_message (client, text + start, end - start);
      start = end + 1;
    }

  if (data->kids->len > 0)
    bench_sotto_ack_keys (client);

  return TRUE;
}

static gsize
sotto_read (BenchConn    *conn,
            const guint8 *data,
            gsize         size)
{
  BenchClient *client = conn->client;
  gsize used = 0;

  while (size - used >= SOTTO_FRAME_HEADER_SIZE && conn->fd >= 0)
    {
      guint32 length = sotto_frame_get_header (data + used);

      if (length == 0 || length > SOTTO_FRAME_MAX_DEFAULT)
        {
          bench_fail (client->bench, "%s: a frame of %u bytes", client->name, length);
          return size;
        }
      if (size - used - SOTTO_FRAME_HEADER_SIZE < length)
        break;

      if (!handle_frame (client, data + used + SOTTO_FRAME_HEADER_SIZE, length))
        return size;
      used += SOTTO_FRAME_HEADER_SIZE + length;
    }

  return used;
}

static void
sotto_bench_clear (Bench *bench)
{
  SottoBenchData *shared = bench->data;

  if (shared == NULL)
    return;
  g_byte_array_unref (shared->scratch);
  g_free (shared);
  bench->data = NULL;
}

const BenchProtocol bench_protocol_sotto = {
  .name = "sotto",
  .client_init = sotto_client_init,
  .client_clear = sotto_client_clear,
  .start = sotto_start,
  .stop = sotto_stop,
  .connected = sotto_connected,
  .read = sotto_read,
  .before_write = bench_sotto_seal_queued,
  .send = bench_sotto_send,
  .prepare_rooms = bench_sotto_prepare_rooms,
  .rooms_ready = bench_sotto_rooms_ready,
  .report = bench_sotto_report,
  .bench_clear = sotto_bench_clear,
};
