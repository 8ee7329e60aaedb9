/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sotto-bench-sotto-channel.h"
#include "sotto-frame.h"

/* What a Sotto client of sotto-bench sends: requests gathered into one
 * encrypted frame per write, as the real channel batches them. */

#define MAX_PLAIN (SOTTO_FRAME_MAX_DEFAULT - SOTTO_CHANNEL_FRAME_OVERHEAD)

SottoBenchData *
bench_sotto_data (Bench *bench)
{
  if (bench->data == NULL)
    {
      SottoBenchData *data = g_new0 (SottoBenchData, 1);

      data->scratch = g_byte_array_new ();
      bench->data = data;
    }
  return bench->data;
}

char *
bench_sotto_room_name (int room)
{
  return g_strdup_printf ("r%d", room);
}

void
bench_sotto_put_frame_header (BenchConn *conn,
                              gsize      length)
{
  guint8 header[SOTTO_FRAME_HEADER_SIZE];

  sotto_frame_put_header (header, length);
  bench_conn_write (conn, header, sizeof header);
}

/* Encrypts what is queued as one frame; the loop writes it. */
void
bench_sotto_seal_queued (BenchConn *conn)
{
  SottoData *data = conn->client->data;
  gsize cipher_len;
  gsize offset;

  if (data->stage != STAGE_OPEN || data->plain->len == 0)
    return;

  cipher_len = data->plain->len + SOTTO_CHANNEL_FRAME_OVERHEAD;
  bench_sotto_put_frame_header (conn, cipher_len);
  offset = conn->out->len;
  g_byte_array_set_size (conn->out, offset + cipher_len);
  crypto_secretstream_xchacha20poly1305_push (&data->push, conn->out->data + offset, NULL,
                                              data->plain->data, data->plain->len,
                                              NULL, 0,
                                              crypto_secretstream_xchacha20poly1305_TAG_MESSAGE);
  g_byte_array_set_size (data->plain, 0);
}

void
bench_sotto_queue_message (BenchClient *client,
                           GBytes      *message)
{
  SottoData *data = client->data;
  gsize size;
  const guint8 *bytes = g_bytes_get_data (message, &size);

  if (data->plain->len > 0 && data->plain->len + 1 + size > MAX_PLAIN)
    bench_sotto_seal_queued (&client->conn);
  if (data->plain->len > 0)
    g_byte_array_append (data->plain, (const guint8 *) "\n", 1);
  g_byte_array_append (data->plain, bytes, size);
  bench_conn_mark_dirty (&client->conn);
  g_bytes_unref (message);
}

char *
bench_sotto_next_request_id (BenchClient *client)
{
  SottoData *data = client->data;

  return g_strdup_printf ("q%u", data->next_request++);
}
