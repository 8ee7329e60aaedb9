/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "sotto-bench.h"

/*
 * The IRC client of sotto-bench (RFC 2812, the part a chat client uses):
 * NICK and USER, then JOIN of one channel per room, PRIVMSG to it, and
 * PONG to every PING. Registration (the 001 welcome) stands for a login;
 * the end of the channel's NAMES (366) for a completed join.
 */

static gboolean
irc_start (BenchClient *client,
           SetupGoal    goal)
{
  client->goal = goal;
  return bench_conn_open (&client->conn, client->bench);
}

static void
irc_stop (BenchClient *client)
{
  bench_conn_close (&client->conn);
}

static void
irc_connected (BenchConn *conn)
{
  g_autofree char *hello = g_strdup_printf ("NICK %s\r\nUSER %s 0 * :bench\r\n",
                                            conn->client->name, conn->client->name);

  bench_conn_write (conn, hello, strlen (hello));
}

/* The code of a numeric reply ":server CODE target …", or 0. */
static int
numeric (const char *line,
         gsize       len)
{
  const char *space = memchr (line, ' ', len);

  if (line[0] != ':' || space == NULL || line + len - space < 5 ||
      !g_ascii_isdigit (space[1]) || !g_ascii_isdigit (space[2]) ||
      !g_ascii_isdigit (space[3]) || space[4] != ' ')
    return 0;

  return (space[1] - '0') * 100 + (space[2] - '0') * 10 + (space[3] - '0');
}

static void
handle_privmsg (BenchClient *client,
                const char  *line,
                gsize        len)
{
  const char *end = line + len;
  const char *command = memchr (line, ' ', len);
  const char *text;
  gint64 sent_us;
  guint sender;

  if (command == NULL || end - command < 10 || memcmp (command, " PRIVMSG ", 9) != 0)
    return;

  text = memmem (command + 9, end - command - 9, " :", 2);
  if (text == NULL)
    return;
  text += 2;

  if (bench_parse_payload (text, end - text, &sent_us, &sender))
    bench_record_delivery (client, sent_us, sender);
}

static void
handle_line (BenchClient *client,
             const char  *line,
             gsize        len)
{
  int code;

  if (len > 5 && memcmp (line, "PING ", 5) == 0)
    {
      bench_conn_write (&client->conn, "PONG ", 5);
      bench_conn_write (&client->conn, line + 5, len - 5);
      bench_conn_write (&client->conn, "\r\n", 2);
      return;
    }

  if (len > 6 && memcmp (line, "ERROR ", 6) == 0)
    {
      g_autofree char *text = g_strndup (line, len);

      bench_fail (client->bench, "%s: the server said %s", client->name, text);
      return;
    }

  code = numeric (line, len);
  if (code == 0)
    {
      handle_privmsg (client, line, len);
      return;
    }

  if (code == 1 && client->state == CLIENT_SETTING_UP)
    {
      if (client->goal == SETUP_REGISTER_AND_JOIN)
        {
          g_autofree char *join = g_strdup_printf ("JOIN #r%d\r\n", client->room);

          bench_conn_write (&client->conn, join, strlen (join));
        }
      else
        bench_client_set_state (client, CLIENT_IDLE);
    }
  else if (code == 366 && client->state == CLIENT_SETTING_UP)
    bench_client_set_state (client, CLIENT_READY);
  else if (code >= 400 && code < 600)
    {
      g_autofree char *text = g_strndup (line, len);

      bench_fail (client->bench, "%s: the server refused: %s", client->name, text);
    }
}

static gsize
irc_read (BenchConn    *conn,
          const guint8 *data,
          gsize         size)
{
  const char *text = (const char *) data;
  gsize used = 0;

  while (used < size && conn->fd >= 0)
    {
      const char *newline = memchr (text + used, '\n', size - used);
      gsize len;

      if (newline == NULL)
        break;

      len = newline - (text + used);
      if (len > 0 && text[used + len - 1] == '\r')
        len--;
      if (len > 0)
        handle_line (conn->client, text + used, len);
      used = newline - text + 1;
    }

  return used;
}

static void
irc_send (BenchClient *client,
          const char  *payload,
          gsize        size)
{
  char prefix[32];
  int len = g_snprintf (prefix, sizeof prefix, "PRIVMSG #r%d :", client->room);

  bench_conn_write (&client->conn, prefix, len);
  bench_conn_write (&client->conn, payload, size);
  bench_conn_write (&client->conn, "\r\n", 2);
}

const BenchProtocol bench_protocol_irc = {
  .name = "irc",
  .start = irc_start,
  .stop = irc_stop,
  .connected = irc_connected,
  .read = irc_read,
  .send = irc_send,
};
