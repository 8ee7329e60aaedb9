/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "sotto-frame.h"
#include "sotto-handshake-private.h"
#include "sotto-memory-pin-store.h"
#include "sotto-test-util.h"
#include "sotto-wire-error.h"

#define SERVER_NAME "127.0.0.1:7777"

typedef struct
{
  char              *dir;
  SottoServerKey    *key;
  SottoFilePinStore *pins;
  GIOStream         *server_stream;
  GIOStream         *client_stream;
} Fixture;

typedef struct
{
  gboolean      done;
  SottoChannel *channel;
  GError       *error;
} Outcome;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autofree char *pin_path = NULL;
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("sotto-handshake-XXXXXX", &error);
  g_assert_no_error (error);
  pin_path = g_build_filename (fixture->dir, "pins.ini", NULL);
  fixture->pins = sotto_file_pin_store_new (pin_path);
  fixture->key = sotto_server_key_new_random ();
  sotto_test_tcp_pair (&fixture->server_stream, &fixture->client_stream);
}

static void
remove_dir (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      g_unlink (child);
    }
  g_rmdir (path);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_io_stream_close (fixture->server_stream, NULL, NULL);
  g_io_stream_close (fixture->client_stream, NULL, NULL);
  g_clear_object (&fixture->server_stream);
  g_clear_object (&fixture->client_stream);
  g_assert_finalize_object (fixture->pins);
  g_assert_finalize_object (fixture->key);
  remove_dir (fixture->dir);
  g_free (fixture->dir);
}

static void
outcome_clear (Outcome *outcome)
{
  if (outcome->channel != NULL)
    sotto_channel_abort (outcome->channel, NULL);
  g_clear_object (&outcome->channel);
  g_clear_error (&outcome->error);
}

static void
server_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Outcome *outcome = user_data;

  outcome->channel = sotto_server_handshake_run_finish (SOTTO_SERVER_HANDSHAKE (object), result,
                                                        &outcome->error);
  outcome->done = TRUE;
}

static void
client_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Outcome *outcome = user_data;

  outcome->channel = sotto_client_handshake_run_finish (SOTTO_CLIENT_HANDSHAKE (object), result,
                                                        &outcome->error);
  outcome->done = TRUE;
}

static SottoServerHandshake *
start_server (Fixture *fixture,
              Outcome *outcome)
{
  SottoServerHandshake *server = sotto_server_handshake_new (fixture->server_stream, fixture->key);

  sotto_server_handshake_run_async (server, NULL, server_done_cb, outcome);
  return server;
}

static SottoClientHandshake *
start_client (Fixture *fixture,
              Outcome *outcome)
{
  SottoClientHandshake *client = sotto_client_handshake_new (fixture->client_stream, SERVER_NAME,
                                                             SOTTO_PIN_STORE (fixture->pins));

  sotto_client_handshake_run_async (client, NULL, client_done_cb, outcome);
  return client;
}

typedef struct
{
  GPtrArray *messages;
  gboolean   got_one;
} Inbox;

static void
message_cb (SottoChannel *channel,
            GBytes       *message,
            gpointer      user_data)
{
  Inbox *inbox = user_data;

  g_ptr_array_add (inbox->messages, g_strndup (g_bytes_get_data (message, NULL),
                                               g_bytes_get_size (message)));
  inbox->got_one = TRUE;
}

/* Both channels must carry a message each way. */
static void
assert_channels_talk (SottoChannel *server,
                      SottoChannel *client)
{
  g_autoptr(GBytes) ping = g_bytes_new_static ("ping", 4);
  g_autoptr(GBytes) pong = g_bytes_new_static ("pong", 4);
  Inbox server_inbox = { g_ptr_array_new_with_free_func (g_free), FALSE };
  Inbox client_inbox = { g_ptr_array_new_with_free_func (g_free), FALSE };

  g_signal_connect (server, "message", G_CALLBACK (message_cb), &server_inbox);
  g_signal_connect (client, "message", G_CALLBACK (message_cb), &client_inbox);
  sotto_channel_start (server);
  sotto_channel_start (client);

  g_assert_true (sotto_channel_send (client, ping));
  g_assert_true (sotto_channel_send (server, pong));
  sotto_test_wait_for (&server_inbox.got_one);
  sotto_test_wait_for (&client_inbox.got_one);

  g_assert_cmpstr (g_ptr_array_index (server_inbox.messages, 0), ==, "ping");
  g_assert_cmpstr (g_ptr_array_index (client_inbox.messages, 0), ==, "pong");

  g_signal_handlers_disconnect_by_data (server, &server_inbox);
  g_signal_handlers_disconnect_by_data (client, &client_inbox);
  g_ptr_array_unref (server_inbox.messages);
  g_ptr_array_unref (client_inbox.messages);
}

static void
test_first_contact (Fixture       *fixture,
                    gconstpointer  data)
{
  Outcome server_outcome = { FALSE }, client_outcome = { FALSE };
  g_autoptr(SottoServerHandshake) server = start_server (fixture, &server_outcome);
  g_autoptr(SottoClientHandshake) client = start_client (fixture, &client_outcome);
  g_autoptr(GError) error = NULL;
  g_autoptr(SottoChannel) channel = NULL;
  guint8 pinned[SOTTO_SERVER_KEY_PUBLIC_SIZE];

  g_assert_true (SOTTO_IS_SERVER_HANDSHAKE (server));
  sotto_test_wait_for (&client_outcome.done);
  sotto_test_wait_for (&server_outcome.done);

  /* The client waits for a decision and says what it would trust. */
  g_assert_error (client_outcome.error, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_SERVER_KEY_UNKNOWN);
  g_assert_null (client_outcome.channel);
  g_assert_cmpstr (sotto_client_handshake_get_server_fingerprint (client), ==,
                   sotto_server_key_get_fingerprint (fixture->key));
  g_assert_nonnull (strstr (client_outcome.error->message,
                            sotto_server_key_get_fingerprint (fixture->key)));
  g_assert_false (sotto_pin_store_lookup (SOTTO_PIN_STORE (fixture->pins), SERVER_NAME, pinned));

  g_assert_no_error (server_outcome.error);
  g_assert_nonnull (server_outcome.channel);

  channel = sotto_client_handshake_trust_server (client, &error);
  g_assert_no_error (error);
  g_assert_nonnull (channel);

  g_assert_true (sotto_pin_store_lookup (SOTTO_PIN_STORE (fixture->pins), SERVER_NAME, pinned));
  g_assert_cmpmem (pinned, sizeof pinned,
                   sotto_server_key_get_public (fixture->key), SOTTO_SERVER_KEY_PUBLIC_SIZE);

  assert_channels_talk (server_outcome.channel, channel);
  sotto_channel_abort (channel, NULL);
  outcome_clear (&server_outcome);
  outcome_clear (&client_outcome);
}

static void
test_pinned (Fixture       *fixture,
             gconstpointer  data)
{
  Outcome server_outcome = { FALSE }, client_outcome = { FALSE };
  g_autoptr(SottoServerHandshake) server = NULL;
  g_autoptr(SottoClientHandshake) client = NULL;
  g_autoptr(GError) error = NULL;

  sotto_pin_store_pin (SOTTO_PIN_STORE (fixture->pins), SERVER_NAME,
                       sotto_server_key_get_public (fixture->key), &error);
  g_assert_no_error (error);

  server = start_server (fixture, &server_outcome);
  client = start_client (fixture, &client_outcome);
  sotto_test_wait_for (&client_outcome.done);
  sotto_test_wait_for (&server_outcome.done);

  g_assert_no_error (client_outcome.error);
  g_assert_no_error (server_outcome.error);
  assert_channels_talk (server_outcome.channel, client_outcome.channel);
  outcome_clear (&server_outcome);
  outcome_clear (&client_outcome);
}

static void
test_key_changed (Fixture       *fixture,
                  gconstpointer  data)
{
  Outcome server_outcome = { FALSE }, client_outcome = { FALSE };
  g_autoptr(SottoServerKey) old_key = sotto_server_key_new_random ();
  g_autoptr(SottoServerHandshake) server = NULL;
  g_autoptr(SottoClientHandshake) client = NULL;
  g_autoptr(GError) error = NULL;
  guint8 pinned[SOTTO_SERVER_KEY_PUBLIC_SIZE];

  sotto_pin_store_pin (SOTTO_PIN_STORE (fixture->pins), SERVER_NAME,
                       sotto_server_key_get_public (old_key), &error);
  g_assert_no_error (error);

  server = start_server (fixture, &server_outcome);
  client = start_client (fixture, &client_outcome);
  sotto_test_wait_for (&client_outcome.done);

  g_assert_error (client_outcome.error, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_SERVER_KEY_CHANGED);
  g_assert_null (client_outcome.channel);
  g_assert_cmpstr (sotto_client_handshake_get_pinned_fingerprint (client), ==,
                   sotto_server_key_get_fingerprint (old_key));
  g_assert_cmpstr (sotto_client_handshake_get_server_fingerprint (client), ==,
                   sotto_server_key_get_fingerprint (fixture->key));

  /* The pin is left as it was: the old key is still the trusted one. */
  g_assert_true (sotto_pin_store_lookup (SOTTO_PIN_STORE (fixture->pins), SERVER_NAME, pinned));
  g_assert_cmpmem (pinned, sizeof pinned,
                   sotto_server_key_get_public (old_key), SOTTO_SERVER_KEY_PUBLIC_SIZE);

  /* Trusting is not possible after a change. */
  if (g_test_undefined ())
    {
      g_test_expect_message ("sotto-wire", G_LOG_LEVEL_CRITICAL, "*AWAITING_TRUST*");
      g_assert_null (sotto_client_handshake_trust_server (client, NULL));
      g_test_assert_expected_messages ();
    }

  sotto_test_wait_for (&server_outcome.done);
  outcome_clear (&server_outcome);
  outcome_clear (&client_outcome);
}

/* A reply is taken apart and put back with one thing changed. */
typedef enum
{
  FORGE_SIGNATURE,
  FORGE_EPHEMERAL,
  FORGE_VERSION,
  FORGE_SHORT,
  FORGE_MAGIC,
} Forgery;

static void
fake_server_reply (Fixture *fixture,
                   Forgery  forgery)
{
  g_autoptr(GError) error = NULL;
  guint8 hello[HANDSHAKE_HELLO_LEN + SOTTO_FRAME_HEADER_SIZE];
  guint8 reply[HANDSHAKE_REPLY_LEN];
  guint8 transcript[HANDSHAKE_TRANSCRIPT_LEN];
  guint8 eph_pk[HANDSHAKE_EPHEMERAL_LEN], eph_sk[crypto_kx_SECRETKEYBYTES];
  g_autoptr(GBytes) bytes = NULL;
  gsize reply_len = sizeof reply;
  guint8 *p = reply;

  g_input_stream_read_all (g_io_stream_get_input_stream (fixture->server_stream),
                           hello, sizeof hello, NULL, NULL, &error);
  g_assert_no_error (error);

  crypto_kx_keypair (eph_pk, eph_sk);
  _sotto_handshake_transcript (transcript, SOTTO_WIRE_PROTOCOL_VERSION,
                               hello + SOTTO_FRAME_HEADER_SIZE + HANDSHAKE_MAGIC_LEN + 2,
                               eph_pk, sotto_server_key_get_public (fixture->key));
  _sotto_handshake_put_prefix (p, forgery == FORGE_VERSION ? 9 : SOTTO_WIRE_PROTOCOL_VERSION);
  p += HANDSHAKE_MAGIC_LEN + 2;
  memcpy (p, eph_pk, sizeof eph_pk);
  p += sizeof eph_pk;
  memcpy (p, sotto_server_key_get_public (fixture->key), SOTTO_SERVER_KEY_PUBLIC_SIZE);
  p += SOTTO_SERVER_KEY_PUBLIC_SIZE;
  sotto_server_key_sign (fixture->key, transcript, sizeof transcript, p);

  switch (forgery)
    {
    case FORGE_SIGNATURE:
      reply[sizeof reply - 1] ^= 0x01;
      break;
    case FORGE_EPHEMERAL:
      reply[HANDSHAKE_MAGIC_LEN + 2] ^= 0x80;
      break;
    case FORGE_VERSION:
      reply_len = HANDSHAKE_REJECT_LEN;
      break;
    case FORGE_SHORT:
      reply_len = sizeof reply - 1;
      break;
    case FORGE_MAGIC:
      reply[0] = 'X';
      break;
    }

  bytes = g_bytes_new (reply, reply_len);
  sotto_test_write_frame (fixture->server_stream, bytes);
}

static void
test_forged_reply (Fixture       *fixture,
                   gconstpointer  data)
{
  static const struct {
    Forgery forgery;
    int     code;
  } cases[] = {
    { FORGE_SIGNATURE, SOTTO_WIRE_ERROR_BAD_HANDSHAKE },
    { FORGE_EPHEMERAL, SOTTO_WIRE_ERROR_BAD_HANDSHAKE },
    { FORGE_VERSION, SOTTO_WIRE_ERROR_PROTOCOL_VERSION },
    { FORGE_SHORT, SOTTO_WIRE_ERROR_BAD_HANDSHAKE },
    { FORGE_MAGIC, SOTTO_WIRE_ERROR_BAD_HANDSHAKE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      Outcome client_outcome = { FALSE };
      g_autoptr(SottoClientHandshake) client = NULL;

      if (i > 0)
        {
          g_clear_object (&fixture->server_stream);
          g_clear_object (&fixture->client_stream);
          sotto_test_tcp_pair (&fixture->server_stream, &fixture->client_stream);
        }

      client = start_client (fixture, &client_outcome);
      fake_server_reply (fixture, cases[i].forgery);
      sotto_test_wait_for (&client_outcome.done);
      g_assert_error (client_outcome.error, SOTTO_WIRE_ERROR, cases[i].code);
      g_assert_null (client_outcome.channel);
      outcome_clear (&client_outcome);
    }
}

static void
test_client_wrong_version (Fixture       *fixture,
                           gconstpointer  data)
{
  Outcome server_outcome = { FALSE };
  g_autoptr(SottoServerHandshake) server = start_server (fixture, &server_outcome);
  g_autoptr(GError) error = NULL;
  guint8 hello[HANDSHAKE_HELLO_LEN] = { 0 };
  guint8 reply[SOTTO_FRAME_HEADER_SIZE + HANDSHAKE_REJECT_LEN];
  guint16 version = 0;
  g_autoptr(GBytes) bytes = NULL;

  g_assert_true (SOTTO_IS_SERVER_HANDSHAKE (server));
  _sotto_handshake_put_prefix (hello, 2);
  bytes = g_bytes_new (hello, sizeof hello);
  sotto_test_write_frame (fixture->client_stream, bytes);
  sotto_test_wait_for (&server_outcome.done);
  g_assert_error (server_outcome.error, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_PROTOCOL_VERSION);

  /* The client is told which version the server speaks. */
  g_input_stream_read_all (g_io_stream_get_input_stream (fixture->client_stream),
                           reply, sizeof reply, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sotto_frame_get_header (reply), ==, HANDSHAKE_REJECT_LEN);
  g_assert_true (_sotto_handshake_get_prefix (reply + SOTTO_FRAME_HEADER_SIZE,
                                              HANDSHAKE_REJECT_LEN, &version));
  g_assert_cmpuint (version, ==, SOTTO_WIRE_PROTOCOL_VERSION);
  outcome_clear (&server_outcome);
}

static void
test_server_rejects_garbage (Fixture       *fixture,
                             gconstpointer  data)
{
  static const struct {
    const char *bytes;
    gsize       length;
    int         code;
  } cases[] = {
    { "GET / HTTP/1.1\r\n\r\n", 18, SOTTO_WIRE_ERROR_BAD_HANDSHAKE },
    { "\0\0\0\5hello", 9, SOTTO_WIRE_ERROR_BAD_HANDSHAKE },
    { "\0\0\0\7SOTTO\0\1", 11, SOTTO_WIRE_ERROR_BAD_HANDSHAKE },
    { "\0\0\0\0", 4, SOTTO_WIRE_ERROR_BAD_HANDSHAKE },
    { "\0\0", 2, SOTTO_WIRE_ERROR_CLOSED },
    /* A well-formed hello with an all-zero (low-order) key. */
    { "\0\0\0\x27SOTTO\0\1" "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"
      "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 43, SOTTO_WIRE_ERROR_BAD_HANDSHAKE },
    { "", 0, SOTTO_WIRE_ERROR_CLOSED },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      Outcome server_outcome = { FALSE };
      g_autoptr(SottoServerHandshake) server = NULL;

      if (i > 0)
        {
          g_clear_object (&fixture->server_stream);
          g_clear_object (&fixture->client_stream);
          sotto_test_tcp_pair (&fixture->server_stream, &fixture->client_stream);
        }

      server = start_server (fixture, &server_outcome);
      if (cases[i].length > 0)
        sotto_test_write_all (fixture->client_stream, cases[i].bytes, cases[i].length);
      sotto_test_shutdown_write (fixture->client_stream);
      sotto_test_wait_for (&server_outcome.done);
      g_assert_error (server_outcome.error, SOTTO_WIRE_ERROR, cases[i].code);
      outcome_clear (&server_outcome);
    }
}

static void
test_server_key_file (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "server.key", NULL);
  g_autoptr(SottoServerKey) created = NULL;
  g_autoptr(SottoServerKey) loaded = NULL;
  g_autoptr(GError) error = NULL;
  GStatBuf st;

  created = sotto_server_key_load_or_create (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  loaded = sotto_server_key_load_or_create (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sotto_server_key_get_fingerprint (created), ==,
                   sotto_server_key_get_fingerprint (loaded));
  g_assert_cmpmem (sotto_server_key_get_public (created), SOTTO_SERVER_KEY_PUBLIC_SIZE,
                   sotto_server_key_get_public (loaded), SOTTO_SERVER_KEY_PUBLIC_SIZE);
}

static void
test_server_key_corrupt (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "server.key", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(SottoServerKey) key = NULL;
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, "not a key", -1, &error);
  g_assert_no_error (error);

  key = sotto_server_key_load_or_create (path, &error);
  g_assert_error (error, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_KEY_FILE);
  g_assert_null (key);

  /* It is left alone for the operator to look at, never replaced. */
  g_file_get_contents (path, &contents, NULL, NULL);
  g_assert_cmpstr (contents, ==, "not a key");
}

static void
test_fingerprint_format (void)
{
  g_autoptr(SottoServerKey) key = sotto_server_key_new_random ();
  g_autoptr(SottoServerKey) other = sotto_server_key_new_random ();
  const char *fingerprint = sotto_server_key_get_fingerprint (key);
  g_auto(GStrv) groups = g_strsplit (fingerprint, " ", -1);

  g_assert_cmpuint (g_strv_length (groups), ==, 8);
  for (guint i = 0; groups[i] != NULL; i++)
    {
      g_assert_cmpuint (strlen (groups[i]), ==, 4);
      for (guint j = 0; j < 4; j++)
        g_assert_true (g_ascii_isxdigit (groups[i][j]) && !g_ascii_islower (groups[i][j]));
    }

  g_assert_cmpstr (fingerprint, !=, sotto_server_key_get_fingerprint (other));
}

static void
test_pin_store_file (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "pins.ini", NULL);
  g_autoptr(SottoFilePinStore) reopened = NULL;
  g_autoptr(GError) error = NULL;
  guint8 key_a[32], key_b[32], out[32];

  randombytes_buf (key_a, sizeof key_a);
  randombytes_buf (key_b, sizeof key_b);

  g_assert_false (sotto_pin_store_lookup (SOTTO_PIN_STORE (fixture->pins), "[::1]:7777", out));
  sotto_pin_store_pin (SOTTO_PIN_STORE (fixture->pins), "[::1]:7777", key_a, &error);
  g_assert_no_error (error);
  sotto_pin_store_pin (SOTTO_PIN_STORE (fixture->pins), "chat.example.org:7777", key_b, &error);
  g_assert_no_error (error);

  reopened = sotto_file_pin_store_new (path);
  g_assert_true (sotto_pin_store_lookup (SOTTO_PIN_STORE (reopened), "[::1]:7777", out));
  g_assert_cmpmem (out, sizeof out, key_a, sizeof key_a);
  g_assert_true (sotto_pin_store_lookup (SOTTO_PIN_STORE (reopened), "chat.example.org:7777", out));
  g_assert_cmpmem (out, sizeof out, key_b, sizeof key_b);
  g_assert_false (sotto_pin_store_lookup (SOTTO_PIN_STORE (reopened), "chat.example.org:7778", out));
}

/* A damaged pin must not read as "never pinned", which would let a changed
 * key through as a first contact. */
static void
test_pin_store_damaged (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "pins.ini", NULL);
  g_autoptr(GError) error = NULL;
  guint8 out[32];

  g_file_set_contents (path, "[127.0.0.1%3A7777]\ned25519=not-base64!\n", -1, &error);
  g_assert_no_error (error);

  g_assert_true (sotto_pin_store_lookup (SOTTO_PIN_STORE (fixture->pins), SERVER_NAME, out));
  for (gsize i = 0; i < sizeof out; i++)
    g_assert_cmpuint (out[i], ==, 0);
}

/* Lookup, first pin and overwrite, as the handshake uses them; and each
 * store is a device of its own. */
static void
test_pin_store_memory (void)
{
  SottoMemoryPinStore *pins = sotto_memory_pin_store_new ();
  g_autoptr(SottoMemoryPinStore) other = sotto_memory_pin_store_new ();
  g_autoptr(GError) error = NULL;
  guint8 key_a[SOTTO_SERVER_KEY_PUBLIC_SIZE], key_b[SOTTO_SERVER_KEY_PUBLIC_SIZE];
  guint8 out[SOTTO_SERVER_KEY_PUBLIC_SIZE];

  randombytes_buf (key_a, sizeof key_a);
  randombytes_buf (key_b, sizeof key_b);

  g_assert_true (SOTTO_IS_PIN_STORE (pins));
  g_assert_false (sotto_pin_store_lookup (SOTTO_PIN_STORE (pins), SERVER_NAME, out));

  g_assert_true (sotto_pin_store_pin (SOTTO_PIN_STORE (pins), SERVER_NAME, key_a, &error));
  g_assert_no_error (error);
  g_assert_true (sotto_pin_store_lookup (SOTTO_PIN_STORE (pins), SERVER_NAME, out));
  g_assert_cmpmem (out, sizeof out, key_a, sizeof key_a);
  g_assert_false (sotto_pin_store_lookup (SOTTO_PIN_STORE (pins), "127.0.0.1:7778", out));

  /* A second pin for the same server replaces the first. */
  g_assert_true (sotto_pin_store_pin (SOTTO_PIN_STORE (pins), SERVER_NAME, key_b, &error));
  g_assert_no_error (error);
  g_assert_true (sotto_pin_store_lookup (SOTTO_PIN_STORE (pins), SERVER_NAME, out));
  g_assert_cmpmem (out, sizeof out, key_b, sizeof key_b);

  g_assert_false (sotto_pin_store_lookup (SOTTO_PIN_STORE (other), SERVER_NAME, out));

  g_assert_finalize_object (pins);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (sodium_init (), >=, 0);

  g_test_add_func ("/sotto/wire/handshake/fingerprint-format", test_fingerprint_format);
  g_test_add_func ("/sotto/wire/handshake/pin-store-memory", test_pin_store_memory);
#define ADD(path, func) \
  g_test_add ("/sotto/wire/handshake/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("first-contact", test_first_contact);
  ADD ("pinned", test_pinned);
  ADD ("key-changed", test_key_changed);
  ADD ("forged-reply", test_forged_reply);
  ADD ("client-wrong-version", test_client_wrong_version);
  ADD ("server-rejects-garbage", test_server_rejects_garbage);
  ADD ("server-key-file", test_server_key_file);
  ADD ("server-key-corrupt", test_server_key_corrupt);
  ADD ("pin-store-file", test_pin_store_file);
  ADD ("pin-store-damaged", test_pin_store_damaged);
#undef ADD

  return g_test_run ();
}
