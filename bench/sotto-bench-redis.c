/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "sotto-bench.h"

/*
 * The Redis client of sotto-bench (RESP2): every client SUBSCRIBEs to one
 * channel per room. A subscribed connection may not publish, so each
 * publisher has a second connection for PUBLISH, whose integer reply is
 * its acknowledgement. A publisher's own subscription hears its message
 * too; those deliveries are not counted, as Sotto and IRC do not send a
 * message back to its sender. A PING answered stands for a login.
 */

#define MAX_ITEMS 4

typedef struct
{
  char        kind;            /* '+', '-', ':', '$' or '*' */
  const char *text;            /* simple value, bulk string */
  gsize       len;
  guint       n_items;
  const char *items[MAX_ITEMS];
  gsize       item_lens[MAX_ITEMS];
} RespValue;

/* Parses one line ending in CRLF at @p; returns its length without the
 * CRLF, or -1 when it is not complete. */
static gssize
line_length (const char *p,
             const char *end)
{
  const char *cr = memchr (p, '\r', end - p);

  if (cr == NULL || cr + 1 >= end)
    return -1;
  return cr - p;
}

static gint64
parse_int (const char *p,
           gsize       len)
{
  gboolean negative = len > 0 && *p == '-';
  gint64 value = 0;

  for (gsize i = negative ? 1 : 0; i < len; i++)
    value = value * 10 + (p[i] - '0');
  return negative ? -value : value;
}

/* One bulk string or simple value at @p: its text, and where it ends.
 * Returns NULL when incomplete. */
static const char *
parse_item (const char  *p,
            const char  *end,
            const char **text,
            gsize       *len)
{
  gssize line = line_length (p, end);
  gint64 bulk;

  if (line < 1)
    return NULL;

  if (p[0] != '$')
    {
      *text = p + 1;
      *len = line - 1;
      return p + line + 2;
    }

  bulk = parse_int (p + 1, line - 1);
  if (bulk < 0)
    {
      *text = NULL;
      *len = 0;
      return p + line + 2;
    }
  p += line + 2;
  if (end - p < bulk + 2)
    return NULL;
  *text = p;
  *len = bulk;
  return p + bulk + 2;
}

/* Parses one value; returns the bytes used, or 0 when incomplete. */
static gsize
parse_value (const char *data,
             gsize       size,
             RespValue  *value)
{
  const char *end = data + size;
  const char *p = data;
  gssize line;
  gint64 count;

  memset (value, 0, sizeof *value);
  if (size < 3)
    return 0;

  value->kind = data[0];
  if (value->kind != '*')
    {
      p = parse_item (p, end, &value->text, &value->len);
      return p != NULL ? (gsize) (p - data) : 0;
    }

  line = line_length (p, end);
  if (line < 1)
    return 0;
  count = parse_int (p + 1, line - 1);
  p += line + 2;

  for (gint64 i = 0; i < count; i++)
    {
      const char *text;
      gsize len;

      p = parse_item (p, end, &text, &len);
      if (p == NULL)
        return 0;
      if (value->n_items < MAX_ITEMS)
        {
          value->items[value->n_items] = text;
          value->item_lens[value->n_items] = len;
          value->n_items++;
        }
    }

  return p - data;
}

static gboolean
item_is (const RespValue *value,
         guint            index,
         const char      *text)
{
  return index < value->n_items && value->item_lens[index] == strlen (text) &&
         memcmp (value->items[index], text, value->item_lens[index]) == 0;
}

static gboolean
redis_start (BenchClient *client,
             SetupGoal    goal)
{
  client->goal = goal;
  if (!bench_conn_open (&client->conn, client->bench))
    return FALSE;
  if (goal == SETUP_REGISTER_AND_JOIN && client->publisher)
    return bench_conn_open (&client->pub, client->bench);
  return TRUE;
}

static void
redis_stop (BenchClient *client)
{
  bench_conn_close (&client->conn);
  bench_conn_close (&client->pub);
}

static void
write_command (BenchConn  *conn,
               guint       n_args,
               const char *args[],
               const gsize lens[])
{
  char header[32];
  int len = g_snprintf (header, sizeof header, "*%u\r\n", n_args);

  bench_conn_write (conn, header, len);
  for (guint i = 0; i < n_args; i++)
    {
      len = g_snprintf (header, sizeof header, "$%" G_GSIZE_FORMAT "\r\n", lens[i]);
      bench_conn_write (conn, header, len);
      bench_conn_write (conn, args[i], lens[i]);
      bench_conn_write (conn, "\r\n", 2);
    }
}

static void
redis_connected (BenchConn *conn)
{
  BenchClient *client = conn->client;

  if (conn != &client->conn)
    return;

  if (client->goal == SETUP_REGISTER_AND_JOIN)
    {
      char channel[16];
      const char *args[] = { "SUBSCRIBE", channel };
      gsize lens[] = { 9, g_snprintf (channel, sizeof channel, "r%d", client->room) };

      write_command (conn, 2, args, lens);
    }
  else
    {
      const char *args[] = { "PING" };
      gsize lens[] = { 4 };

      write_command (conn, 1, args, lens);
    }
}

static void
handle_value (BenchConn       *conn,
              const RespValue *value)
{
  BenchClient *client = conn->client;

  if (value->kind == '-')
    {
      g_autofree char *text = g_strndup (value->text, value->len);

      bench_fail (client->bench, "%s: the server answered %s", client->name, text);
      return;
    }

  if (conn == &client->pub)
    {
      if (value->kind == ':')
        bench_record_ack (client);
      return;
    }

  if (value->kind == '*' && item_is (value, 0, "message") && value->n_items == 3)
    {
      gint64 sent_us;
      guint sender;

      if (bench_parse_payload (value->items[2], value->item_lens[2], &sent_us, &sender))
        bench_record_delivery (client, sent_us, sender);
    }
  else if (value->kind == '*' && item_is (value, 0, "subscribe"))
    bench_client_set_state (client, CLIENT_READY);
  else if (value->kind == '+' && client->state == CLIENT_SETTING_UP)
    bench_client_set_state (client, CLIENT_IDLE);
}

static gsize
redis_read (BenchConn    *conn,
            const guint8 *data,
            gsize         size)
{
  gsize used = 0;

  while (used < size && conn->fd >= 0)
    {
      RespValue value;
      gsize len = parse_value ((const char *) data + used, size - used, &value);

      if (len == 0)
        break;
      handle_value (conn, &value);
      used += len;
    }

  return used;
}

static void
redis_send (BenchClient *client,
            const char  *payload,
            gsize        size)
{
  char channel[16];
  const char *args[] = { "PUBLISH", channel, payload };
  gsize lens[] = { 7, g_snprintf (channel, sizeof channel, "r%d", client->room), size };

  write_command (&client->pub, 3, args, lens);
}

const BenchProtocol bench_protocol_redis = {
  .name = "redis",
  .start = redis_start,
  .stop = redis_stop,
  .connected = redis_connected,
  .read = redis_read,
  .send = redis_send,
};
