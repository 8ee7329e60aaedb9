/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sotto-bench-sotto-e2e.h"

/*
 * The end-to-end part of the Sotto client of sotto-bench: every publisher
 * seals a sender key for each member of its room, room messages are real
 * envelopes, key messages are acknowledged, and the checkers open and
 * verify what they receive.
 */

void
bench_sotto_check_envelope (BenchClient *client,
                            const char  *msg,
                            gsize        size,
                            guint        sender)
{
  Bench *bench = client->bench;
  SottoBenchData *shared = bench_sotto_data (bench);
  SottoData *data = client->data;
  g_autoptr(SottoMsg) parsed = NULL;
  g_autoptr(GBytes) envelope = NULL;
  g_autoptr(GBytes) plain = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *room = bench_sotto_room_name (client->room);
  BenchClient *from;
  SottoSenderKey *key;
  const char *msg_id;

  parsed = sotto_msg_parse ((const guint8 *) msg, size, SOTTO_MSG_FROM_SERVER, &error);
  if (parsed == NULL || sender >= bench->clients->len)
    {
      shared->verify_failures++;
      return;
    }

  from = g_ptr_array_index (bench->clients, sender);
  key = g_hash_table_lookup (data->keys, GUINT_TO_POINTER (sender));
  envelope = sotto_msg_dup_bytes (parsed, "envelope");
  msg_id = sotto_msg_get_string (parsed, "msg_id");
  if (key != NULL)
    plain = sotto_envelope_open (envelope, room, from->name,
                                 sotto_identity_get_public (((SottoData *) from->data)->identity),
                                 key, &error);

  if (plain != NULL && g_bytes_get_size (plain) == BENCH_PAYLOAD_SIZE &&
      strncmp (g_bytes_get_data (plain, NULL), msg_id, strlen (msg_id)) == 0 &&
      g_strcmp0 (sotto_msg_get_string (parsed, "sender"), from->name) == 0)
    shared->verified++;
  else
    {
      if (shared->verify_failures++ == 0)
        g_printerr ("sotto-bench: %s: an envelope from %s did not verify: %s\n", client->name,
                    from->name, error != NULL ? error->message : "wrong content");
    }
}

void
bench_sotto_handle_key (BenchClient *client,
                        const char  *msg,
                        gsize        size)
{
  Bench *bench = client->bench;
  SottoData *data = client->data;
  g_autoptr(SottoMsg) parsed = NULL;
  g_autoptr(GError) error = NULL;
  gint64 kid;

  parsed = sotto_msg_parse ((const guint8 *) msg, size, SOTTO_MSG_FROM_SERVER, &error);
  if (parsed == NULL)
    {
      bench_fail (bench, "%s: a key message that does not parse: %s", client->name,
                  error->message);
      return;
    }

  kid = sotto_msg_get_int (parsed, "kid");
  g_array_append_val (data->kids, kid);
  data->keys_received++;

  if (data->checker)
    {
      const char *from_name = sotto_msg_get_string (parsed, "from");
      g_autoptr(GBytes) box = sotto_msg_dup_bytes (parsed, "box");
      g_autofree char *room = bench_sotto_room_name (client->room);
      guint sender = g_ascii_strtoull (from_name + 1, NULL, 10);
      BenchClient *from;
      SottoSenderKey *key;

      if (sender >= bench->clients->len)
        return;
      from = g_ptr_array_index (bench->clients, sender);
      key = sotto_sender_key_open_from (box, room, data->identity, from->name,
                                        sotto_identity_get_public (((SottoData *) from->data)->identity),
                                        NULL,
                                        &error);
      if (key == NULL)
        bench_fail (bench, "%s: the key box from %s does not open: %s", client->name,
                    from->name, error->message);
      else
        g_hash_table_replace (data->keys, GUINT_TO_POINTER (sender), key);
    }
}

void
bench_sotto_ack_keys (BenchClient *client)
{
  SottoData *data = client->data;

  while (data->kids->len > 0)
    {
      guint n = MIN (data->kids->len, SOTTO_PROTOCOL_MAX_ACK_KIDS);
      g_autofree char *id = bench_sotto_next_request_id (client);

      bench_sotto_queue_message (client,
                                 sotto_msg_build_ack_keys (id, (gint64 *) data->kids->data, n));
      g_array_remove_range (data->kids, 0, n);
    }
}

void
bench_sotto_send (BenchClient *client,
                  const char  *payload,
                  gsize        size)
{
  SottoData *data = client->data;
  g_autoptr(GBytes) plaintext = g_bytes_new (payload, size);
  g_autoptr(GBytes) envelope = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *room = bench_sotto_room_name (client->room);
  g_autofree char *msg_id = g_strndup (payload, strcspn (payload, "x"));
  char id[24];

  envelope = sotto_envelope_seal (data->own_key, data->identity, room, client->name,
                                  plaintext, &error);
  if (envelope == NULL)
    {
      bench_fail (client->bench, "%s: could not seal: %s", client->name, error->message);
      return;
    }

  g_snprintf (id, sizeof id, "m%" G_GUINT64_FORMAT, client->sent);
  bench_sotto_queue_message (client, sotto_msg_build_send (id, room, msg_id, envelope));
}

/* Every publisher makes a sender key and hands it to every other member of
 * its room, in a box for that member's identity. */
void
bench_sotto_prepare_rooms (Bench *bench)
{
  SottoBenchData *shared = bench_sotto_data (bench);

  for (guint r = 0; r < bench->rooms->len; r++)
    {
      GPtrArray *room = g_ptr_array_index (bench->rooms, r);
      g_autofree char *name = bench_sotto_room_name (r);

      for (guint i = 0; i < room->len; i++)
        {
          BenchClient *client = g_ptr_array_index (room, i);
          SottoData *data = client->data;

          if (!client->publisher)
            continue;

          data->own_key = sotto_sender_key_new ();
          for (guint j = 0; j < room->len; j++)
            {
              BenchClient *member = g_ptr_array_index (room, j);
              SottoData *member_data = member->data;
              g_autoptr(GBytes) box = NULL;
              g_autoptr(GError) error = NULL;
              g_autofree char *id = NULL;

              if (member == client)
                continue;

              box = sotto_sender_key_seal_for (data->own_key, name, 1, data->identity, client->name,
                                               sotto_identity_get_public (member_data->identity),
                                               &error);
              if (box == NULL)
                {
                  bench_fail (bench, "%s: could not seal a key: %s", client->name, error->message);
                  return;
                }
              id = bench_sotto_next_request_id (client);
              bench_sotto_queue_message (client,
                                         sotto_msg_build_send_key (id, member->name, NULL, name, box));
              member_data->keys_expected++;
              shared->keys_sent++;
            }
        }
    }
}

gboolean
bench_sotto_rooms_ready (Bench *bench)
{
  for (guint i = 0; i < bench->clients->len; i++)
    {
      BenchClient *client = g_ptr_array_index (bench->clients, i);
      SottoData *data = client->data;

      if (client->room >= 0 && data->keys_received < data->keys_expected)
        return FALSE;
    }

  return TRUE;
}

void
bench_sotto_report (Bench *bench)
{
  SottoBenchData *shared = bench_sotto_data (bench);

  g_printerr ("sotto-bench: %" G_GUINT64_FORMAT " key boxes sent; %" G_GUINT64_FORMAT
              " envelopes opened and verified by checkers, %" G_GUINT64_FORMAT " failed\n",
              shared->keys_sent, shared->verified, shared->verify_failures);
  if (shared->verify_failures > 0)
    bench_fail (bench, "%" G_GUINT64_FORMAT " envelopes did not verify", shared->verify_failures);
}
