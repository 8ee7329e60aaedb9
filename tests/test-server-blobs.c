/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <sodium.h>
#include <sqlite3.h>
#include <string.h>
#include <unistd.h>

#include "sotto-test-server-fixture.h"
#include "sotto-test-util.h"

/*
 * Files on the real server over loopback: blobs uploaded in pieces, in
 * order, resumed after a cut connection and a restart, kept exactly as
 * sent and read back only by members of their room; ids, the per-file
 * limit, the quota, the expiry of unfinished uploads and the retention.
 */

#define PIECE SOTTO_PROTOCOL_BLOB_DATA_MAX_BYTES
#define MIB (1024 * 1024)

static void
setup_with (SottoServerFixture *fixture,
            gconstpointer       data)
{
  fixture->server = sotto_test_server_start (NULL, data);
}

#define ADD(path, func) SOTTO_SERVER_FIXTURE_ADD (path, func)
#define ADD_WITH(path, args, func) \
  g_test_add ("/sotto/server/" path, SottoServerFixture, (args), setup_with, func, \
              sotto_server_fixture_teardown)

static GBytes *
random_bytes (gsize len)
{
  guint8 *data = g_malloc (len);

  randombytes_buf (data, len);
  return g_bytes_new_take (data, len);
}

static void
new_blob_id (guint8 *id)
{
  randombytes_buf (id, SOTTO_PROTOCOL_BLOB_ID_BYTES);
}

static char *
blob_path (SottoServerFixture *fixture,
           const guint8       *id,
           gboolean            complete)
{
  GString *name = g_string_new (NULL);
  g_autofree char *hex = NULL;

  for (guint i = 0; i < SOTTO_PROTOCOL_BLOB_ID_BYTES; i++)
    g_string_append_printf (name, "%02x", id[i]);
  hex = g_string_free (name, FALSE);

  return complete ? g_build_filename (sotto_test_server_get_data_dir (fixture->server), "blobs",
                                      hex, NULL)
                  : g_build_filename (sotto_test_server_get_data_dir (fixture->server), "blobs",
                                      "partial", hex, NULL);
}

/* Regular files directly in @sub of the data directory. */
static guint
count_files (SottoServerFixture *fixture,
             const char         *sub)
{
  g_autofree char *path = g_build_filename (sotto_test_server_get_data_dir (fixture->server),
                                            sub, NULL);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_REGULAR))
        n++;
    }

  return n;
}

static SottoMsg *
upload (SottoTestClient *client,
        const guint8    *id,
        const char      *room,
        gint64           size)
{
  g_autofree char *request = sotto_test_client_next_id (client);

  sotto_test_client_send_take (client, sotto_msg_build_upload (request, id, room, size));
  return sotto_test_client_expect_reply (client, request);
}

/* The offset "upload" answers with; the test fails on an error. */
static gint64
upload_at (SottoTestClient *client,
           const guint8    *id,
           const char      *room,
           gint64           size)
{
  g_autoptr(SottoMsg) reply = upload (client, id, room, size);
  guint8 echoed[SOTTO_PROTOCOL_BLOB_ID_BYTES];

  if (sotto_msg_get_msg_type (reply) == SOTTO_MSG_TYPE_ERROR)
    g_error ("upload refused: %s", sotto_msg_get_string (reply, "message"));
  g_assert_cmpint (sotto_msg_get_msg_type (reply), ==, SOTTO_MSG_TYPE_UPLOAD_AT);
  g_assert_true (sotto_msg_get_blob_id (reply, echoed));
  g_assert_cmpmem (echoed, sizeof echoed, id, SOTTO_PROTOCOL_BLOB_ID_BYTES);
  return sotto_msg_get_int (reply, "offset");
}

static SottoMsg *
send_piece (SottoTestClient *client,
            const guint8    *id,
            gint64           offset,
            GBytes          *blob,
            gsize            length)
{
  g_autofree char *request = sotto_test_client_next_id (client);
  g_autoptr(GBytes) piece = g_bytes_new_from_bytes (blob, offset, length);

  sotto_test_client_send_take (client, sotto_msg_build_upload_chunk (request, id, offset, piece));
  return sotto_test_client_expect_reply (client, request);
}

static void
assert_error (SottoMsg          *reply,
              SottoMsgErrorCode  code)
{
  g_assert_cmpint (sotto_msg_get_msg_type (reply), ==, SOTTO_MSG_TYPE_ERROR);
  g_assert_cmpstr (sotto_msg_error_code_to_string (sotto_msg_get_error_code (reply)), ==,
                   sotto_msg_error_code_to_string (code));
}

/* Sends @blob from @from to @to, a piece of @piece bytes at a time, each
 * answered with the offset after it. */
static void
send_range (SottoTestClient *client,
            const guint8    *id,
            GBytes          *blob,
            gint64           from,
            gint64           to,
            gsize            piece)
{
  gint64 offset = from;

  while (offset < to)
    {
      gsize length = MIN (piece, (gsize) (to - offset));
      g_autoptr(SottoMsg) reply = send_piece (client, id, offset, blob, length);

      if (sotto_msg_get_msg_type (reply) == SOTTO_MSG_TYPE_ERROR)
        g_error ("piece at %" G_GINT64_FORMAT " refused: %s", offset,
                 sotto_msg_get_string (reply, "message"));
      offset += length;
      g_assert_cmpint (sotto_msg_get_msg_type (reply), ==, SOTTO_MSG_TYPE_UPLOAD_AT);
      g_assert_cmpint (sotto_msg_get_int (reply, "offset"), ==, offset);
    }
}

static void
send_rest (SottoTestClient *client,
           const guint8    *id,
           GBytes          *blob,
           gint64           offset,
           gsize            piece)
{
  send_range (client, id, blob, offset, g_bytes_get_size (blob), piece);
}

static void
upload_whole (SottoTestClient *client,
              const guint8    *id,
              const char      *room,
              GBytes          *blob)
{
  g_assert_cmpint (upload_at (client, id, room, g_bytes_get_size (blob)), ==, 0);
  send_rest (client, id, blob, 0, PIECE);
  g_assert_cmpint (upload_at (client, id, room, g_bytes_get_size (blob)), ==,
                   g_bytes_get_size (blob));
}

static SottoMsg *
download (SottoTestClient *client,
          const guint8    *id,
          gint64           offset,
          gint64           length)
{
  g_autofree char *request = sotto_test_client_next_id (client);

  sotto_test_client_send_take (client, sotto_msg_build_download (request, id, offset, length));
  return sotto_test_client_expect_reply (client, request);
}

/* The whole blob, read @piece bytes at a time. */
static GBytes *
download_whole (SottoTestClient *client,
                const guint8    *id,
                gint64           piece)
{
  GByteArray *got = g_byte_array_new ();
  gint64 size = -1;

  while (size < 0 || (gint64) got->len < size)
    {
      g_autoptr(SottoMsg) reply = download (client, id, got->len, piece);
      g_autoptr(GBytes) data = NULL;

      if (sotto_msg_get_msg_type (reply) == SOTTO_MSG_TYPE_ERROR)
        g_error ("download refused: %s", sotto_msg_get_string (reply, "message"));
      g_assert_cmpint (sotto_msg_get_msg_type (reply), ==, SOTTO_MSG_TYPE_BLOB);
      g_assert_cmpint (sotto_msg_get_int (reply, "offset"), ==, got->len);
      size = sotto_msg_get_int (reply, "size");
      data = sotto_msg_dup_bytes (reply, "data");
      g_assert_cmpuint (g_bytes_get_size (data), ==, MIN (piece, size - (gint64) got->len));
      g_byte_array_append (got, g_bytes_get_data (data, NULL), g_bytes_get_size (data));
    }

  return g_byte_array_free_to_bytes (got);
}

static void
assert_download (SottoTestClient *client,
                 const guint8    *id,
                 GBytes          *blob,
                 gint64           piece)
{
  g_autoptr(GBytes) got = download_whole (client, id, piece);

  g_assert_true (g_bytes_equal (got, blob));
}

/* The complete blob's file holds exactly what was sent. */
static void
assert_file (SottoServerFixture *fixture,
             const guint8       *id,
             GBytes             *blob)
{
  g_autofree char *path = blob_path (fixture, id, TRUE);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gsize length = 0;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (contents, length, g_bytes_get_data (blob, NULL), g_bytes_get_size (blob));
}

/* Up in pieces of 256 KiB and down in pieces of other sizes: the smallest
 * blob, exactly one piece, one piece and a byte, and a few pieces; other
 * members of the room read them too. */
static void
test_round_trip (SottoServerFixture *fixture,
                 gconstpointer       data)
{
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "alice");
  g_autoptr(SottoTestClient) bob = sotto_server_fixture_new_user (fixture, "bob");
  const gsize sizes[] = { SOTTO_PROTOCOL_BLOB_MIN_SIZE, PIECE, PIECE + 1, 3 * PIECE + 12345 };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr(GBytes) blob = random_bytes (sizes[i]);
      guint8 id[SOTTO_PROTOCOL_BLOB_ID_BYTES];

      new_blob_id (id);
      upload_whole (alice, id, "general", blob);
      assert_file (fixture, id, blob);
      assert_download (alice, id, blob, PIECE);
      assert_download (bob, id, blob, 100000);
      if (sizes[i] < 100)
        assert_download (bob, id, blob, 1);
    }

  g_assert_cmpuint (count_files (fixture, "blobs"), ==, G_N_ELEMENTS (sizes));
  g_assert_cmpuint (count_files (fixture, "blobs/partial"), ==, 0);
}

/* Pieces sent without waiting are written in order, each answered in
 * turn; a download past the end and pieces that do not fit are refused. */
static void
test_pipelined (SottoServerFixture *fixture,
                gconstpointer       data)
{
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "alice");
  g_autoptr(GBytes) blob = random_bytes (8 * PIECE - 7);
  g_autoptr(SottoMsg) reply = NULL;
  gsize size = g_bytes_get_size (blob);
  char *requests[8];
  guint8 id[SOTTO_PROTOCOL_BLOB_ID_BYTES];

  new_blob_id (id);
  g_assert_cmpint (upload_at (alice, id, "general", size), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (requests); i++)
    {
      g_autoptr(GBytes) piece = g_bytes_new_from_bytes (blob, i * PIECE,
                                                        MIN (PIECE, size - i * PIECE));

      requests[i] = sotto_test_client_next_id (alice);
      sotto_test_client_send_take (alice, sotto_msg_build_upload_chunk (requests[i], id,
                                                                        i * PIECE, piece));
    }

  for (guint i = 0; i < G_N_ELEMENTS (requests); i++)
    {
      g_autoptr(SottoMsg) at = sotto_test_client_expect (alice, SOTTO_MSG_TYPE_UPLOAD_AT);

      g_assert_cmpstr (sotto_msg_get_id (at), ==, requests[i]);
      g_assert_cmpint (sotto_msg_get_int (at, "offset"), ==, MIN ((i + 1) * PIECE, size));
      g_free (requests[i]);
    }

  assert_download (alice, id, blob, PIECE);

  /* Complete: nothing more goes in, and nothing is read past its end. */
  reply = send_piece (alice, id, size - 1, blob, 1);
  assert_error (reply, SOTTO_MSG_ERROR_CODE_BAD_OFFSET);
  g_clear_pointer (&reply, sotto_msg_unref);
  reply = download (alice, id, size, 1);
  assert_error (reply, SOTTO_MSG_ERROR_CODE_BAD_OFFSET);
}

/* As many pieces as the client's own queue takes at once (8 MiB of
 * messages), more than the 4 MiB that may wait on the server. */
#define FLOOD 20

/* A client that sends more than may wait, and asks for more than may be
 * read at once: each request is answered, in order, with what
 * was done or why not, the upload stays consistent, and it goes on. */
static void
test_flood (SottoServerFixture *fixture,
            gconstpointer       data)
{
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "alice");
  g_autoptr(GBytes) blob = random_bytes (FLOOD * PIECE);
  gsize size = g_bytes_get_size (blob);
  guint8 id[SOTTO_PROTOCOL_BLOB_ID_BYTES];
  guint refused = 0;
  gint64 written = 0;

  new_blob_id (id);
  g_assert_cmpint (upload_at (alice, id, "general", size), ==, 0);
  for (guint i = 0; i < FLOOD; i++)
    {
      g_autoptr(GBytes) piece = g_bytes_new_from_bytes (blob, i * PIECE, PIECE);
      g_autofree char *request = g_strdup_printf ("f%u", i);

      sotto_test_client_send_take (alice, sotto_msg_build_upload_chunk (request, id, i * PIECE,
                                                                        piece));
    }

  for (guint i = 0; i < FLOOD; i++)
    {
      g_autofree char *request = g_strdup_printf ("f%u", i);
      g_autoptr(SottoMsg) reply = sotto_test_client_expect_reply (alice, request);

      if (sotto_msg_get_msg_type (reply) == SOTTO_MSG_TYPE_UPLOAD_AT)
        {
          /* Only ever the next piece, once those before it are in. */
          g_assert_cmpint (written, ==, i * PIECE);
          written = sotto_msg_get_int (reply, "offset");
          g_assert_cmpint (written, ==, (i + 1) * PIECE);
        }
      else
        {
          SottoMsgErrorCode code = sotto_msg_get_error_code (reply);

          g_assert_true (code == SOTTO_MSG_ERROR_CODE_RATE_LIMITED ||
                         code == SOTTO_MSG_ERROR_CODE_BAD_OFFSET);
          refused++;
        }
    }
  g_test_message ("%u of %u pieces refused", refused, FLOOD);

  g_assert_cmpint (upload_at (alice, id, "general", size), ==, written);
  send_rest (alice, id, blob, written, PIECE);
  refused = 0;

  for (guint i = 0; i < FLOOD; i++)
    {
      g_autofree char *request = g_strdup_printf ("d%u", i);

      sotto_test_client_send_take (alice, sotto_msg_build_download (request, id, i * PIECE, PIECE));
    }
  for (guint i = 0; i < FLOOD; i++)
    {
      g_autofree char *request = g_strdup_printf ("d%u", i);
      g_autoptr(SottoMsg) reply = sotto_test_client_expect_reply (alice, request);

      if (sotto_msg_get_msg_type (reply) == SOTTO_MSG_TYPE_BLOB)
        {
          g_autoptr(GBytes) got = sotto_msg_dup_bytes (reply, "data");
          g_autoptr(GBytes) sent = g_bytes_new_from_bytes (blob, i * PIECE, PIECE);

          g_assert_true (g_bytes_equal (got, sent));
        }
      else
        {
          g_assert_cmpint (sotto_msg_get_error_code (reply), ==,
                           SOTTO_MSG_ERROR_CODE_RATE_LIMITED);
          refused++;
        }
    }
  g_test_message ("%u of %u downloads refused", refused, FLOOD);

  assert_download (alice, id, blob, PIECE);
}

/* A piece at another offset than where the upload ends, or past its
 * size, is refused and changes nothing; so is a download of an
 * unfinished blob, and a piece for a blob nobody uploads. */
static void
test_wrong_offset (SottoServerFixture *fixture,
                   gconstpointer       data)
{
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "alice");
  g_autoptr(GBytes) blob = random_bytes (1000);
  g_autoptr(SottoMsg) reply = NULL;
  guint8 id[SOTTO_PROTOCOL_BLOB_ID_BYTES], unknown[SOTTO_PROTOCOL_BLOB_ID_BYTES];

  new_blob_id (id);
  new_blob_id (unknown);
  g_assert_cmpint (upload_at (alice, id, "general", 1000), ==, 0);

  reply = send_piece (alice, id, 5, blob, 10);
  assert_error (reply, SOTTO_MSG_ERROR_CODE_BAD_OFFSET);
  g_clear_pointer (&reply, sotto_msg_unref);
  g_assert_cmpint (upload_at (alice, id, "general", 1000), ==, 0);

  send_rest (alice, id, blob, 0, 300);
  g_assert_cmpint (upload_at (alice, id, "general", 1000), ==, 1000);
  assert_download (alice, id, blob, 999);

  /* Past the declared size. */
  {
    g_autoptr(GBytes) longer = random_bytes (200);
    guint8 other[SOTTO_PROTOCOL_BLOB_ID_BYTES];

    new_blob_id (other);
    g_assert_cmpint (upload_at (alice, other, "general", 100), ==, 0);
    reply = send_piece (alice, other, 0, longer, 101);
    assert_error (reply, SOTTO_MSG_ERROR_CODE_TOO_LARGE);
    g_clear_pointer (&reply, sotto_msg_unref);
    g_assert_cmpint (upload_at (alice, other, "general", 100), ==, 0);

    /* Unfinished: nobody downloads it, its uploader neither. */
    send_range (alice, other, longer, 0, 50, 50);
    reply = download (alice, other, 0, 10);
    assert_error (reply, SOTTO_MSG_ERROR_CODE_NO_SUCH_BLOB);
    g_clear_pointer (&reply, sotto_msg_unref);
  }

  reply = send_piece (alice, unknown, 0, blob, 10);
  assert_error (reply, SOTTO_MSG_ERROR_CODE_NO_SUCH_BLOB);
  g_clear_pointer (&reply, sotto_msg_unref);
  reply = download (alice, unknown, 0, 10);
  assert_error (reply, SOTTO_MSG_ERROR_CODE_NO_SUCH_BLOB);
}

/* The connection cut in the middle of an upload: a new one learns where
 * the server got to, goes on from there, and the blob is whole, in one
 * file. */
static void
test_resume (SottoServerFixture *fixture,
             gconstpointer       data)
{
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "alice");
  g_autoptr(GBytes) blob = random_bytes (5 * PIECE + 3);
  gsize size = g_bytes_get_size (blob);
  guint8 id[SOTTO_PROTOCOL_BLOB_ID_BYTES];
  gint64 offset;

  new_blob_id (id);
  g_assert_cmpint (upload_at (alice, id, "general", size), ==, 0);
  send_range (alice, id, blob, 0, 2 * PIECE, PIECE);

  /* A third piece on its way as the connection goes. */
  {
    g_autoptr(GBytes) piece = g_bytes_new_from_bytes (blob, 2 * PIECE, PIECE);

    sotto_test_client_send_take (alice, sotto_msg_build_upload_chunk ("cut", id, 2 * PIECE,
                                                                      piece));
    sotto_test_iterate (0);
    g_clear_pointer (&alice, sotto_test_client_free);
  }

  alice = sotto_server_fixture_log_in (fixture, "alice");
  offset = upload_at (alice, id, "general", size);
  g_assert_true (offset == 2 * PIECE || offset == 3 * PIECE);
  send_rest (alice, id, blob, offset, PIECE);
  g_assert_cmpint (upload_at (alice, id, "general", size), ==, size);

  assert_download (alice, id, blob, PIECE);
  assert_file (fixture, id, blob);
  g_assert_cmpuint (count_files (fixture, "blobs"), ==, 1);
  g_assert_cmpuint (count_files (fixture, "blobs/partial"), ==, 0);
}

/* Only a member of the blob's room, now, downloads it: someone else is
 * told there is no such blob, in the words an unknown id gets; a member
 * who joined after the upload may, one who left may not. */
static void
test_members (SottoServerFixture *fixture,
              gconstpointer       data)
{
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "alice");
  g_autoptr(SottoTestClient) bob = sotto_server_fixture_new_user (fixture, "bob");
  g_autoptr(GBytes) blob = random_bytes (PIECE + 1);
  g_autoptr(SottoMsg) reply = NULL;
  g_autoptr(SottoMsg) unknown_reply = NULL;
  guint8 id[SOTTO_PROTOCOL_BLOB_ID_BYTES], unknown[SOTTO_PROTOCOL_BLOB_ID_BYTES];

  new_blob_id (id);
  new_blob_id (unknown);
  sotto_msg_unref (sotto_test_client_join (alice, "garden"));
  upload_whole (alice, id, "garden", blob);

  reply = download (bob, id, 0, 10);
  assert_error (reply, SOTTO_MSG_ERROR_CODE_NO_SUCH_BLOB);
  unknown_reply = download (bob, unknown, 0, 10);
  assert_error (unknown_reply, SOTTO_MSG_ERROR_CODE_NO_SUCH_BLOB);
  g_assert_cmpstr (sotto_msg_get_string (reply, "message"), ==,
                   sotto_msg_get_string (unknown_reply, "message"));
  g_clear_pointer (&reply, sotto_msg_unref);

  /* Not a member, bob cannot upload there either; nor to no room. */
  reply = upload (bob, unknown, "garden", 100);
  assert_error (reply, SOTTO_MSG_ERROR_CODE_NOT_MEMBER);
  g_clear_pointer (&reply, sotto_msg_unref);
  reply = upload (bob, unknown, "nowhere", 100);
  assert_error (reply, SOTTO_MSG_ERROR_CODE_NO_SUCH_ROOM);
  g_clear_pointer (&reply, sotto_msg_unref);

  sotto_msg_unref (sotto_test_client_join (bob, "garden"));
  assert_download (bob, id, blob, PIECE);

  sotto_test_client_send_take (bob, sotto_msg_build_leave ("bye", "garden"));
  sotto_test_client_expect_ok (bob, "bye");
  reply = download (bob, id, 0, 10);
  assert_error (reply, SOTTO_MSG_ERROR_CODE_NO_SUCH_BLOB);

  /* Leaving deleted nothing: alice still reads it. */
  assert_download (alice, id, blob, PIECE);
}

/* A blob id is its uploader's: another user's upload or pieces under it
 * are refused, and so is its own uploader's with another room or size. */
static void
test_id_taken (SottoServerFixture *fixture,
               gconstpointer       data)
{
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "alice");
  g_autoptr(SottoTestClient) bob = sotto_server_fixture_new_user (fixture, "bob");
  g_autoptr(GBytes) blob = random_bytes (500);
  g_autoptr(SottoMsg) reply = NULL;
  guint8 id[SOTTO_PROTOCOL_BLOB_ID_BYTES];

  new_blob_id (id);
  sotto_msg_unref (sotto_test_client_join (alice, "garden"));
  g_assert_cmpint (upload_at (alice, id, "general", 500), ==, 0);
  send_range (alice, id, blob, 0, 100, 100);

  reply = upload (bob, id, "general", 500);
  assert_error (reply, SOTTO_MSG_ERROR_CODE_FORBIDDEN);
  g_clear_pointer (&reply, sotto_msg_unref);
  reply = send_piece (bob, id, 100, blob, 100);
  assert_error (reply, SOTTO_MSG_ERROR_CODE_NO_SUCH_BLOB);
  g_clear_pointer (&reply, sotto_msg_unref);

  reply = upload (alice, id, "general", 501);
  assert_error (reply, SOTTO_MSG_ERROR_CODE_FORBIDDEN);
  g_clear_pointer (&reply, sotto_msg_unref);
  reply = upload (alice, id, "garden", 500);
  assert_error (reply, SOTTO_MSG_ERROR_CODE_FORBIDDEN);
  g_clear_pointer (&reply, sotto_msg_unref);

  /* Nothing of it changed. */
  g_assert_cmpint (upload_at (alice, id, "general", 500), ==, 100);
  send_rest (alice, id, blob, 100, 100);
  assert_download (bob, id, blob, 500);

  /* Complete, it is still alice's alone. */
  reply = upload (bob, id, "general", 500);
  assert_error (reply, SOTTO_MSG_ERROR_CODE_FORBIDDEN);
}

static const char *const limit_args[] = { "--max-file-size", "1", "--quota", "2", NULL };

/* With files of 1 MiB at most and 2 MiB per account: the blob of a file
 * of 1 MiB is taken, a byte more is not; unfinished uploads count
 * against the quota as complete ones do, and other accounts have their
 * own. */
static void
test_limits (SottoServerFixture *fixture,
             gconstpointer       data)
{
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "alice");
  g_autoptr(SottoTestClient) bob = sotto_server_fixture_new_user (fixture, "bob");
  g_autoptr(GBytes) small = random_bytes (100);
  g_autoptr(SottoMsg) reply = NULL;
  gint64 largest = sotto_protocol_blob_size (MIB);
  guint8 ids[5][SOTTO_PROTOCOL_BLOB_ID_BYTES];

  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    new_blob_id (ids[i]);

  reply = upload (alice, ids[0], "general", largest + 1);
  assert_error (reply, SOTTO_MSG_ERROR_CODE_TOO_LARGE);
  g_clear_pointer (&reply, sotto_msg_unref);
  g_assert_cmpint (upload_at (alice, ids[0], "general", largest), ==, 0);

  /* 2 MiB less the unfinished 1 MiB and a bit. */
  reply = upload (alice, ids[1], "general", largest);
  assert_error (reply, SOTTO_MSG_ERROR_CODE_QUOTA);
  g_clear_pointer (&reply, sotto_msg_unref);
  g_assert_cmpint (upload_at (alice, ids[1], "general", 2 * MIB - largest - 100), ==, 0);
  upload_whole (alice, ids[2], "general", small);
  reply = upload (alice, ids[3], "general", 100);
  assert_error (reply, SOTTO_MSG_ERROR_CODE_QUOTA);
  g_clear_pointer (&reply, sotto_msg_unref);

  /* The refused ones took nothing: the ids are free, bob has his own. */
  g_assert_cmpint (upload_at (bob, ids[3], "general", largest), ==, 0);
}

static const char *const expiry_args[] = { "--upload-expiry-seconds", "2", NULL };

static void
wait_for_no_file (const char *path)
{
  gint64 deadline = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;

  while (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      sotto_test_iterate (100);
    }
}

/* An upload left unfinished past the expiry is deleted, file and record:
 * the same id starts again from nothing. A complete blob stays. */
static void
test_expiry (SottoServerFixture *fixture,
             gconstpointer       data)
{
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "alice");
  g_autoptr(GBytes) blob = random_bytes (1000);
  g_autoptr(GBytes) kept = random_bytes (300);
  g_autofree char *partial = NULL;
  guint8 id[SOTTO_PROTOCOL_BLOB_ID_BYTES], kept_id[SOTTO_PROTOCOL_BLOB_ID_BYTES];

  new_blob_id (id);
  new_blob_id (kept_id);
  upload_whole (alice, kept_id, "general", kept);
  g_assert_cmpint (upload_at (alice, id, "general", 1000), ==, 0);
  send_range (alice, id, blob, 0, 400, 400);

  partial = blob_path (fixture, id, FALSE);
  g_assert_true (g_file_test (partial, G_FILE_TEST_IS_REGULAR));
  wait_for_no_file (partial);

  g_assert_cmpint (upload_at (alice, id, "general", 1000), ==, 0);
  send_rest (alice, id, blob, 0, 1000);
  assert_download (alice, id, blob, 1000);
  assert_download (alice, kept_id, kept, 1000);
}

/* A restart, even a kill, keeps complete blobs and unfinished uploads,
 * which go on where they were, asked where or not. */
static void
test_restart (SottoServerFixture *fixture,
              gconstpointer       data)
{
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "alice");
  g_autoptr(GBytes) complete = random_bytes (PIECE + 77);
  g_autoptr(GBytes) unfinished = random_bytes (3 * PIECE);
  guint8 complete_id[SOTTO_PROTOCOL_BLOB_ID_BYTES], unfinished_id[SOTTO_PROTOCOL_BLOB_ID_BYTES];

  new_blob_id (complete_id);
  new_blob_id (unfinished_id);
  upload_whole (alice, complete_id, "general", complete);
  g_assert_cmpint (upload_at (alice, unfinished_id, "general", 3 * PIECE), ==, 0);
  send_range (alice, unfinished_id, unfinished, 0, PIECE, PIECE);

  g_clear_pointer (&alice, sotto_test_client_free);
  sotto_test_server_stop (fixture->server);
  sotto_test_server_restart (fixture->server);

  alice = sotto_server_fixture_log_in (fixture, "alice");
  assert_download (alice, complete_id, complete, PIECE);
  g_assert_cmpint (upload_at (alice, unfinished_id, "general", 3 * PIECE), ==, PIECE);
  send_range (alice, unfinished_id, unfinished, PIECE, 2 * PIECE, PIECE);

  g_clear_pointer (&alice, sotto_test_client_free);
  sotto_test_server_kill (fixture->server);
  sotto_test_server_restart (fixture->server);

  /* The pieces may go on without asking where: the server finds the
   * upload in its store. */
  alice = sotto_server_fixture_log_in (fixture, "alice");
  send_rest (alice, unfinished_id, unfinished, 2 * PIECE, PIECE);
  g_assert_cmpint (upload_at (alice, unfinished_id, "general", 3 * PIECE), ==, 3 * PIECE);
  assert_download (alice, unfinished_id, unfinished, PIECE);
  assert_download (alice, complete_id, complete, PIECE);
  g_assert_cmpuint (count_files (fixture, "blobs"), ==, 2);
  g_assert_cmpuint (count_files (fixture, "blobs/partial"), ==, 0);
}

/* Dates every blob back to the epoch, with the server stopped. */
static void
age_blobs (SottoServerFixture *fixture)
{
  g_autofree char *path = g_build_filename (sotto_test_server_get_data_dir (fixture->server),
                                            "sotto.db", NULL);
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "UPDATE blobs SET created = 1", NULL, NULL, NULL), ==,
                   SQLITE_OK);
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);
}

/* Without message retention, an old blob stays however old; an upload
 * left unfinished past the expiry goes when the server starts. */
static void
test_old_at_start (SottoServerFixture *fixture,
                   gconstpointer       data)
{
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "alice");
  g_autoptr(GBytes) blob = random_bytes (700);
  g_autofree char *unfinished_path = NULL;
  guint8 id[SOTTO_PROTOCOL_BLOB_ID_BYTES], unfinished_id[SOTTO_PROTOCOL_BLOB_ID_BYTES];

  new_blob_id (id);
  new_blob_id (unfinished_id);
  upload_whole (alice, id, "general", blob);
  g_assert_cmpint (upload_at (alice, unfinished_id, "general", 700), ==, 0);
  send_range (alice, unfinished_id, blob, 0, 100, 100);
  unfinished_path = blob_path (fixture, unfinished_id, FALSE);
  g_assert_true (g_file_test (unfinished_path, G_FILE_TEST_IS_REGULAR));

  g_clear_pointer (&alice, sotto_test_client_free);
  sotto_test_server_stop (fixture->server);
  age_blobs (fixture);
  sotto_test_server_restart (fixture->server);

  alice = sotto_server_fixture_log_in (fixture, "alice");
  assert_download (alice, id, blob, 700);
  g_assert_false (g_file_test (unfinished_path, G_FILE_TEST_EXISTS));
  g_assert_cmpint (upload_at (alice, unfinished_id, "general", 700), ==, 0);
}

static const char *const retention_args[] = { "--retention-days", "30", NULL };

/* With message retention, files older than it go too, complete or not,
 * when the retention runs (at start, then hourly): their records at
 * once, their files soon after. */
static void
test_retention (SottoServerFixture *fixture,
                gconstpointer       data)
{
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "alice");
  g_autoptr(GBytes) blob = random_bytes (700);
  g_autoptr(SottoMsg) reply = NULL;
  g_autofree char *complete_path = NULL;
  g_autofree char *unfinished_path = NULL;
  guint8 id[SOTTO_PROTOCOL_BLOB_ID_BYTES], unfinished_id[SOTTO_PROTOCOL_BLOB_ID_BYTES];

  new_blob_id (id);
  new_blob_id (unfinished_id);
  upload_whole (alice, id, "general", blob);
  g_assert_cmpint (upload_at (alice, unfinished_id, "general", 700), ==, 0);
  send_range (alice, unfinished_id, blob, 0, 100, 100);
  complete_path = blob_path (fixture, id, TRUE);
  unfinished_path = blob_path (fixture, unfinished_id, FALSE);

  /* Fresh, they survive a restart with retention. */
  g_clear_pointer (&alice, sotto_test_client_free);
  sotto_test_server_stop (fixture->server);
  sotto_test_server_restart (fixture->server);
  alice = sotto_server_fixture_log_in (fixture, "alice");
  assert_download (alice, id, blob, 700);

  g_clear_pointer (&alice, sotto_test_client_free);
  sotto_test_server_stop (fixture->server);
  age_blobs (fixture);
  sotto_test_server_restart (fixture->server);

  alice = sotto_server_fixture_log_in (fixture, "alice");
  reply = download (alice, id, 0, 10);
  assert_error (reply, SOTTO_MSG_ERROR_CODE_NO_SUCH_BLOB);
  wait_for_no_file (complete_path);
  wait_for_no_file (unfinished_path);
  g_assert_cmpint (upload_at (alice, id, "general", 700), ==, 0);
}

/* What the server keeps of a file is exactly the bytes the client sent,
 * in the blob's file and nowhere else: not in the database, nor in the
 * log, which says who uploaded how much where, and who was refused. */
static void
test_opaque (SottoServerFixture *fixture,
             gconstpointer       data)
{
  g_autofree char *log_path = g_build_filename (g_get_tmp_dir (), "sotto-blobs-log-XXXXXX", NULL);
  g_autoptr(SottoTestClient) alice = NULL;
  g_autoptr(SottoTestClient) bob = NULL;
  g_autoptr(SottoMsg) reply = NULL;
  g_autoptr(GBytes) blob = random_bytes (2 * PIECE + 99);
  g_autofree char *data_dir = NULL;
  g_autofree char *db = NULL;
  g_autofree char *wal = NULL;
  g_autofree char *key = NULL;
  g_autofree char *log = NULL;
  g_autofree char *marker_base64 = NULL;
  g_autoptr(GError) error = NULL;
  const guint8 *marker = (const guint8 *) g_bytes_get_data (blob, NULL) + PIECE + 5;
  guint8 id[SOTTO_PROTOCOL_BLOB_ID_BYTES];
  int fd;

  fd = g_mkstemp (log_path);
  g_assert_cmpint (fd, >=, 0);
  close (fd);
  sotto_test_server_free (g_steal_pointer (&fixture->server));
  fixture->server = sotto_test_server_start_full (NULL, NULL, log_path);
  alice = sotto_server_fixture_new_user (fixture, "alice");
  bob = sotto_server_fixture_new_user (fixture, "bob");

  new_blob_id (id);
  upload_whole (alice, id, "general", blob);
  assert_file (fixture, id, blob);
  reply = upload (bob, id, "general", g_bytes_get_size (blob));
  assert_error (reply, SOTTO_MSG_ERROR_CODE_FORBIDDEN);
  assert_download (bob, id, blob, PIECE);

  g_clear_pointer (&alice, sotto_test_client_free);
  g_clear_pointer (&bob, sotto_test_client_free);
  sotto_test_server_stop (fixture->server);

  data_dir = g_strdup (sotto_test_server_get_data_dir (fixture->server));
  db = g_build_filename (data_dir, "sotto.db", NULL);
  wal = g_build_filename (data_dir, "sotto.db-wal", NULL);
  key = g_build_filename (data_dir, "server.key", NULL);
  g_assert_false (sotto_test_file_contains (db, marker, 32));
  g_assert_false (sotto_test_file_contains (wal, marker, 32));
  g_assert_false (sotto_test_file_contains (key, marker, 32));
  g_assert_false (sotto_test_file_contains (log_path, marker, 32));
  marker_base64 = g_base64_encode (marker, 30);
  g_assert_false (sotto_test_file_contains (log_path, (const guint8 *) marker_base64, 40));

  g_file_get_contents (log_path, &log, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (log, "alice uploaded a blob of 524387 bytes to general"));
  g_assert_nonnull (strstr (log, "Upload by bob to general refused"));
  g_unlink (log_path);
}

/* The pieces travel only as binary messages: the JSON form of old is
 * refused with an error that names the request, and so is a binary
 * message that is cut short or comes from the wrong side; the
 * connection goes on, and the upload with it. */
static void
test_binary_form (SottoServerFixture *fixture,
                  gconstpointer       data)
{
  g_autoptr(SottoTestClient) alice = sotto_server_fixture_new_user (fixture, "alice");
  g_autoptr(GBytes) blob = random_bytes (300);
  g_autoptr(GBytes) first = g_bytes_new_from_bytes (blob, 0, 100);
  g_autoptr(GBytes) piece = NULL;
  g_autoptr(GBytes) cut = NULL;
  g_autoptr(GBytes) reply_piece = NULL;
  g_autoptr(SottoMsg) reply = NULL;
  g_autofree char *blob_base64 = NULL;
  g_autofree char *json = NULL;
  guint8 id[SOTTO_PROTOCOL_BLOB_ID_BYTES];

  new_blob_id (id);
  g_assert_cmpint (upload_at (alice, id, "general", 300), ==, 0);

  blob_base64 = g_base64_encode (id, sizeof id);
  json = g_strdup_printf ("{\"type\":\"upload_chunk\",\"id\":\"j1\",\"blob\":\"%s\","
                          "\"offset\":0,\"data\":\"AAEC\"}", blob_base64);
  sotto_test_client_send_take (alice, g_bytes_new (json, strlen (json)));
  reply = sotto_test_client_expect_reply (alice, "j1");
  assert_error (reply, SOTTO_MSG_ERROR_CODE_BAD_REQUEST);
  g_assert_nonnull (strstr (sotto_msg_get_string (reply, "message"), "binary"));
  g_clear_pointer (&reply, sotto_msg_unref);

  /* A piece one byte short of what it says it holds. */
  piece = sotto_msg_build_upload_chunk ("j2", id, 0, first);
  cut = g_bytes_new_from_bytes (piece, 0, g_bytes_get_size (piece) - 1);
  sotto_test_client_send (alice, cut);
  reply = sotto_test_client_expect_reply (alice, "j2");
  assert_error (reply, SOTTO_MSG_ERROR_CODE_BAD_REQUEST);
  g_clear_pointer (&reply, sotto_msg_unref);

  /* A "blob" is the server's to send. */
  reply_piece = sotto_msg_build_blob ("j3", id, 0, first, 300);
  sotto_test_client_send (alice, reply_piece);
  reply = sotto_test_client_expect_reply (alice, "j3");
  assert_error (reply, SOTTO_MSG_ERROR_CODE_UNKNOWN_TYPE);
  g_clear_pointer (&reply, sotto_msg_unref);

  /* Nothing of those was written. */
  g_assert_cmpint (upload_at (alice, id, "general", 300), ==, 0);
  send_rest (alice, id, blob, 0, 128);
  assert_download (alice, id, blob, 100);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (sodium_init (), >=, 0);

  ADD ("blobs/round-trip", test_round_trip);
  ADD ("blobs/pipelined", test_pipelined);
  ADD ("blobs/flood", test_flood);
  ADD ("blobs/wrong-offset", test_wrong_offset);
  ADD ("blobs/resume", test_resume);
  ADD ("blobs/members", test_members);
  ADD ("blobs/id-taken", test_id_taken);
  ADD_WITH ("blobs/limits", limit_args, test_limits);
  ADD_WITH ("blobs/expiry", expiry_args, test_expiry);
  ADD ("blobs/restart", test_restart);
  ADD ("blobs/old-at-start", test_old_at_start);
  ADD_WITH ("blobs/retention", retention_args, test_retention);
  ADD ("blobs/opaque", test_opaque);
  ADD ("blobs/binary-form", test_binary_form);

  return g_test_run ();
}
