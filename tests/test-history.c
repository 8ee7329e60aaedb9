/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sodium.h>
#include <string.h>

#include "sotto-e2e.h"
#include "sotto-protocol-types.h"

/*
 * History one computer of an account hands another: only the device it
 * was sealed for opens it, only as sealed by the device it names, only
 * for the account it names; nothing changed in it opens. The format is
 * written here again by hand, independently of the library, to check it
 * and to seal chunks the library would never make.
 */

/* The protocol bounds send_history without linking this library. */
G_STATIC_ASSERT (SOTTO_PROTOCOL_HISTORY_CHUNK_MAX_BYTES == SOTTO_HISTORY_CHUNK_MAX_BYTES);

#define ACCOUNT "alice"
#define LABEL "sotto history v3"

typedef struct
{
  guint8         approver_box_seed[32];
  guint8         approver_sign_seed[32];
  guint8         newcomer_box_seed[32];
  guint8         newcomer_sign_seed[32];
  SottoIdentity *approver;
  SottoIdentity *newcomer;
  SottoIdentity *stranger;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  randombytes_buf (f->approver_box_seed, 32);
  randombytes_buf (f->approver_sign_seed, 32);
  randombytes_buf (f->newcomer_box_seed, 32);
  randombytes_buf (f->newcomer_sign_seed, 32);
  f->approver = sotto_identity_new_from_seeds (f->approver_box_seed, f->approver_sign_seed);
  f->newcomer = sotto_identity_new_from_seeds (f->newcomer_box_seed, f->newcomer_sign_seed);
  f->stranger = sotto_identity_new ();
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->approver);
  g_clear_object (&f->newcomer);
  g_clear_object (&f->stranger);
}

static SottoHistoryEntry *
entry_new (const char *room, const char *sender, const char *msg_id, gint64 seq,
           const char *text)
{
  SottoHistoryEntry *entry = g_new0 (SottoHistoryEntry, 1);

  entry->room = g_strdup (room);
  entry->sender = g_strdup (sender);
  entry->msg_id = g_strdup (msg_id);
  entry->seq = seq;
  entry->ts = G_GINT64_CONSTANT (1700000000000) + seq;
  entry->counter = (guint64) seq * 3;
  entry->sent_at = G_GINT64_CONSTANT (1699999999000) + seq;
  entry->text = g_strdup (text);
  return entry;
}

/* What a file message says of "report.pdf" */
static GBytes *
file_content (const char *name)
{
  SottoFileMessage file = { { 0 } };
  g_autoptr(GError) error = NULL;
  GBytes *content;

  memset (file.id, 1, sizeof file.id);
  memset (file.key, 2, sizeof file.key);
  memset (file.hash, 3, sizeof file.hash);
  file.size = 1288490;
  file.name = (char *) name;
  file.type = (char *) "application/pdf";
  content = sotto_file_message_encode (&file, &error);
  g_assert_no_error (error);
  return content;
}

static GPtrArray *
sample_entries (void)
{
  GPtrArray *entries = g_ptr_array_new_with_free_func ((GDestroyNotify) sotto_history_entry_free);
  SottoHistoryEntry *file;

  g_ptr_array_add (entries, entry_new ("team", "bob", "m-1", 1, "morning"));
  file = entry_new ("team", "bob", "m-3", 3, "report.pdf");
  file->file = file_content ("report.pdf");
  g_ptr_array_add (entries, file);
  g_ptr_array_add (entries, entry_new ("team", "alice", "m-2", 2, "Grüße aus Köln ☕"));
  g_ptr_array_add (entries, entry_new ("@alice:bob", "bob", "d-9", 0, ""));
  return entries;
}

static void
assert_entries_equal (GPtrArray *got, GPtrArray *want)
{
  g_assert_cmpuint (got->len, ==, want->len);
  for (guint i = 0; i < got->len; i++)
    {
      const SottoHistoryEntry *a = got->pdata[i];
      const SottoHistoryEntry *b = want->pdata[i];

      g_assert_cmpstr (a->room, ==, b->room);
      g_assert_cmpstr (a->sender, ==, b->sender);
      g_assert_cmpstr (a->msg_id, ==, b->msg_id);
      g_assert_cmpint (a->seq, ==, b->seq);
      g_assert_cmpint (a->ts, ==, b->ts);
      g_assert_cmpuint (a->counter, ==, b->counter);
      g_assert_cmpint (a->sent_at, ==, b->sent_at);
      g_assert_cmpstr (a->text, ==, b->text);
      g_assert_true ((a->file == NULL) == (b->file == NULL));
      if (a->file != NULL)
        g_assert_true (g_bytes_equal (a->file, b->file));
    }
}

static GBytes *
seal_sample (Fixture *f, guint32 index)
{
  g_autoptr(GPtrArray) entries = sample_entries ();
  g_autoptr(GError) error = NULL;
  GBytes *chunk;

  chunk = sotto_history_chunk_seal (f->approver, sotto_identity_get_public (f->newcomer), ACCOUNT,
                                    index, 1000, (const SottoHistoryEntry **) entries->pdata,
                                    entries->len, &error);
  g_assert_no_error (error);
  g_assert_nonnull (chunk);
  return chunk;
}

static void
test_round_trip (Fixture *f, gconstpointer data)
{
  g_autoptr(GBytes) chunk = seal_sample (f, 7);
  g_autoptr(GBytes) again = seal_sample (f, 7);
  g_autoptr(GPtrArray) want = sample_entries ();
  g_autoptr(GPtrArray) got = NULL;
  g_autoptr(GError) error = NULL;
  guint32 index = 0;
  guint32 total = 0;

  got = sotto_history_chunk_open (chunk, f->newcomer, sotto_identity_get_public (f->approver),
                                  ACCOUNT, &index, &total, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (index, ==, 7);
  g_assert_cmpuint (total, ==, 1000);
  assert_entries_equal (got, want);

  /* Each sealing has a nonce of its own. */
  g_assert_false (g_bytes_equal (chunk, again));
  /* The server sees nothing of what is said, nor the rooms. */
  g_assert_null (memmem (g_bytes_get_data (chunk, NULL), g_bytes_get_size (chunk), "morning", 7));
  g_assert_null (memmem (g_bytes_get_data (chunk, NULL), g_bytes_get_size (chunk), "team", 4));
}

/* Only the device it is for opens it, and only as sealed by the device it
 * was: a server, or any other device, gets nothing from it and cannot make
 * one pass for another's. */
static void
test_wrong_devices (Fixture *f, gconstpointer data)
{
  g_autoptr(GBytes) chunk = seal_sample (f, 0);
  g_autoptr(GPtrArray) got = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SottoIdentity) twin = NULL;
  guint8 sign_seed[32];

  got = sotto_history_chunk_open (chunk, f->stranger, sotto_identity_get_public (f->approver),
                                  ACCOUNT, NULL, NULL, &error);
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_DECRYPT_FAILED);
  g_assert_null (got);
  g_clear_error (&error);

  got = sotto_history_chunk_open (chunk, f->newcomer, sotto_identity_get_public (f->stranger),
                                  ACCOUNT, NULL, NULL, &error);
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_DECRYPT_FAILED);
  g_assert_null (got);
  g_clear_error (&error);

  /* The approver's box key bound to a signing key that is not the
   * approver's: the chunk opens, but is not taken as that device's. */
  randombytes_buf (sign_seed, sizeof sign_seed);
  twin = sotto_identity_new_from_seeds (f->approver_box_seed, sign_seed);
  got = sotto_history_chunk_open (chunk, f->newcomer, sotto_identity_get_public (twin), ACCOUNT,
                                  NULL, NULL, &error);
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT);
  g_assert_null (got);
  g_clear_error (&error);

  /* The same for the recipient. */
  g_clear_object (&twin);
  twin = sotto_identity_new_from_seeds (f->newcomer_box_seed, sign_seed);
  got = sotto_history_chunk_open (chunk, twin, sotto_identity_get_public (f->approver), ACCOUNT,
                                  NULL, NULL, &error);
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT);
  g_assert_null (got);
  g_clear_error (&error);

  got = sotto_history_chunk_open (chunk, f->newcomer, sotto_identity_get_public (f->approver),
                                  "mallory", NULL, NULL, &error);
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT);
  g_assert_null (got);
}

static void
test_tampered (Fixture *f, gconstpointer data)
{
  g_autoptr(GBytes) chunk = seal_sample (f, 0);
  gsize size = g_bytes_get_size (chunk);

  for (gsize i = 0; i < size; i++)
    {
      g_autofree guint8 *copy = g_memdup2 (g_bytes_get_data (chunk, NULL), size);
      g_autoptr(GBytes) changed = NULL;
      g_autoptr(GPtrArray) got = NULL;
      g_autoptr(GError) error = NULL;

      copy[i] ^= 0x20;
      changed = g_bytes_new (copy, size);
      got = sotto_history_chunk_open (changed, f->newcomer,
                                      sotto_identity_get_public (f->approver), ACCOUNT, NULL,
                                      NULL, &error);
      g_assert_null (got);
      g_assert_nonnull (error);
    }

  for (gsize cut = 0; cut < size; cut += 7)
    {
      g_autoptr(GBytes) shorter = g_bytes_new_from_bytes (chunk, 0, cut);
      g_autoptr(GPtrArray) got = NULL;
      g_autoptr(GError) error = NULL;

      got = sotto_history_chunk_open (shorter, f->newcomer,
                                      sotto_identity_get_public (f->approver), ACCOUNT, NULL,
                                      NULL, &error);
      g_assert_null (got);
      g_assert_nonnull (error);
    }
}

/* Chunks never grow past the protocol's bound: what does not fit is
 * refused as too large, and a single message too long for one as not one
 * a chunk carries. */
static void
test_sizes (Fixture *f, gconstpointer data)
{
  g_autoptr(GPtrArray) entries =
    g_ptr_array_new_with_free_func ((GDestroyNotify) sotto_history_entry_free);
  g_autoptr(GBytes) chunk = NULL;
  g_autoptr(GPtrArray) got = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = g_strnfill (1000, 'x');
  g_autofree char *longest = g_strnfill (SOTTO_HISTORY_TEXT_MAX_BYTES, 'y');
  g_autofree char *too_long = g_strnfill (SOTTO_HISTORY_TEXT_MAX_BYTES + 1, 'z');
  gsize total = 0;
  guint n = 0;

  /* As many messages as fit, chosen by their sizes. */
  while (TRUE)
    {
      g_autofree char *id = g_strdup_printf ("m-%u", n);
      SottoHistoryEntry *entry = entry_new ("team", "bob", id, n + 1, text);

      if (total + sotto_history_entry_size (entry) > sotto_history_chunk_capacity (ACCOUNT))
        {
          sotto_history_entry_free (entry);
          break;
        }
      total += sotto_history_entry_size (entry);
      g_ptr_array_add (entries, entry);
      n++;
    }
  chunk = sotto_history_chunk_seal (f->approver, sotto_identity_get_public (f->newcomer), ACCOUNT,
                                    0, 1, (const SottoHistoryEntry **) entries->pdata, entries->len,
                                    &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (chunk), <=, SOTTO_HISTORY_CHUNK_MAX_BYTES);
  /* The capacity is exact: the chunk is full to the last byte it may
   * hold, less what the next message would not have fitted in. */
  g_assert_cmpuint (g_bytes_get_size (chunk), >,
                    SOTTO_HISTORY_CHUNK_MAX_BYTES - sotto_history_entry_size (entries->pdata[0]));
  got = sotto_history_chunk_open (chunk, f->newcomer, sotto_identity_get_public (f->approver),
                                  ACCOUNT, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (got->len, ==, n);
  g_clear_pointer (&chunk, g_bytes_unref);
  g_clear_pointer (&got, g_ptr_array_unref);

  /* One more than fit. */
  g_ptr_array_add (entries, entry_new ("team", "bob", "extra", 1, text));
  chunk = sotto_history_chunk_seal (f->approver, sotto_identity_get_public (f->newcomer), ACCOUNT,
                                    0, 1, (const SottoHistoryEntry **) entries->pdata, entries->len,
                                    &error);
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_TOO_LARGE);
  g_assert_null (chunk);
  g_clear_error (&error);
  g_ptr_array_set_size (entries, 0);

  /* The longest message alone fits. */
  g_ptr_array_add (entries, entry_new ("team", "bob", "long", 1, longest));
  chunk = sotto_history_chunk_seal (f->approver, sotto_identity_get_public (f->newcomer), ACCOUNT,
                                    0, 1, (const SottoHistoryEntry **) entries->pdata, 1, &error);
  g_assert_no_error (error);
  g_clear_pointer (&chunk, g_bytes_unref);

  g_ptr_array_set_size (entries, 0);
  g_ptr_array_add (entries, entry_new ("team", "bob", "long", 1, too_long));
  chunk = sotto_history_chunk_seal (f->approver, sotto_identity_get_public (f->newcomer), ACCOUNT,
                                    0, 1, (const SottoHistoryEntry **) entries->pdata, 1, &error);
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT);
  g_assert_null (chunk);
  g_clear_error (&error);

  /* No messages, and names that are none. */
  chunk = sotto_history_chunk_seal (f->approver, sotto_identity_get_public (f->newcomer), ACCOUNT,
                                    0, 0, NULL, 0, &error);
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT);
  g_clear_error (&error);
  g_ptr_array_set_size (entries, 0);
  g_ptr_array_add (entries, entry_new ("", "bob", "m", 1, "hi"));
  chunk = sotto_history_chunk_seal (f->approver, sotto_identity_get_public (f->newcomer), ACCOUNT,
                                    0, 1, (const SottoHistoryEntry **) entries->pdata, 1, &error);
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT);
  g_assert_null (chunk);
}

/* The format, written by hand. */

static void
put (GByteArray *out, const void *data, gsize len)
{
  g_byte_array_append (out, data, len);
}

static void
put_be (GByteArray *out, guint64 value, guint bytes)
{
  for (guint i = 0; i < bytes; i++)
    {
      guint8 b = (guint8) (value >> (8 * (bytes - 1 - i)));
      g_byte_array_append (out, &b, 1);
    }
}

static void
put_name (GByteArray *out, const char *name)
{
  put_be (out, strlen (name), 2);
  put (out, name, strlen (name));
}

static GByteArray *
header (Fixture *f, const char *account, guint16 count)
{
  GByteArray *plain = g_byte_array_new ();

  put (plain, LABEL, strlen (LABEL));
  put_name (plain, account);
  put (plain, sotto_identity_get_public (f->approver)->sign_pk, 32);
  put (plain, sotto_identity_get_public (f->newcomer)->sign_pk, 32);
  put_be (plain, 3, 4);
  put_be (plain, 40, 4);
  put_be (plain, count, 2);
  return plain;
}

/* One message as a chunk carries it, its numbers from @first on; @kind
 * and @action only when @kind is not 0 (version 2 has neither). */
static void
put_any_entry (GByteArray   *plain,
               const char   *msg_id,
               guint64       first,
               const char   *text,
               gsize         text_len,
               const guint8 *file,
               gsize         file_len,
               guint8        kind,
               GBytes       *action)
{
  gsize action_len = action != NULL ? g_bytes_get_size (action) : 0;

  put_name (plain, "team");
  put_name (plain, "bob");
  put_name (plain, msg_id);
  for (guint i = 0; i < 4; i++)
    put_be (plain, first + i, 8);
  put_be (plain, text_len, 4);
  put (plain, text, text_len);
  put_be (plain, file_len, 4);
  if (file_len > 0)
    put (plain, file, file_len);
  if (kind == 0)
    return;
  put_be (plain, kind, 1);
  put_be (plain, action_len, 4);
  if (action_len > 0)
    put (plain, g_bytes_get_data (action, NULL), action_len);
}

static void
put_entry (GByteArray *plain, const char *text, gsize text_len)
{
  put_any_entry (plain, "m-1", 11, text, text_len, NULL, 0, SOTTO_MESSAGE_BODY_TEXT, NULL);
}

/* An entry of @kind with @action as its content, as version 3 has it. */
static void
put_action_entry (GByteArray *plain,
                  guint8      kind,
                  const char *text,
                  GBytes     *action)
{
  put_any_entry (plain, "m-3", 31, text, strlen (text), NULL, 0, kind, action);
}

static void
put_file_entry (GByteArray   *plain,
                const char   *name,
                const guint8 *file,
                gsize         file_len)
{
  put_any_entry (plain, "m-2", 21, name, strlen (name), file, file_len, SOTTO_MESSAGE_BODY_FILE,
                 NULL);
}

static GBytes *
seal_by_hand_version (Fixture *f, GByteArray *plain, guint8 version)
{
  guint8 approver_pk[32], approver_sk[32], newcomer_pk[32], newcomer_sk[32];
  gsize size = 1 + crypto_box_NONCEBYTES + plain->len + crypto_box_MACBYTES;
  guint8 *out = g_malloc (size);

  crypto_box_seed_keypair (approver_pk, approver_sk, f->approver_box_seed);
  crypto_box_seed_keypair (newcomer_pk, newcomer_sk, f->newcomer_box_seed);
  out[0] = version;
  randombytes_buf (out + 1, crypto_box_NONCEBYTES);
  g_assert_cmpint (crypto_box_easy (out + 1 + crypto_box_NONCEBYTES, plain->data, plain->len,
                                    out + 1, newcomer_pk, approver_sk), ==, 0);
  return g_bytes_new_take (out, size);
}

static GBytes *
seal_by_hand (Fixture *f, GByteArray *plain)
{
  return seal_by_hand_version (f, plain, SOTTO_HISTORY_CHUNK_VERSION);
}

static GPtrArray *
open_by_library (Fixture *f, GBytes *chunk, GError **error)
{
  return sotto_history_chunk_open (chunk, f->newcomer, sotto_identity_get_public (f->approver),
                                   ACCOUNT, NULL, NULL, error);
}

/* Version 3 carries replies, edits, deletions and reactions, each as its
 * kind's content; version 2 chunks, without kinds, still open. */
static void
test_actions_by_hand (Fixture *f, gconstpointer data)
{
  g_auto(SottoMessageAction) edit = { SOTTO_MESSAGE_BODY_EDIT };
  g_auto(SottoMessageAction) reply = { SOTTO_MESSAGE_BODY_REPLY };
  g_autoptr(GBytes) edit_content = NULL;
  g_autoptr(GBytes) reply_content = NULL;
  g_autoptr(GByteArray) plain = NULL;
  g_autoptr(GBytes) chunk = NULL;
  g_autoptr(GPtrArray) got = NULL;
  g_autoptr(GError) error = NULL;
  const SottoHistoryEntry *entry;

  edit.target.sender = g_strdup ("alice");
  edit.target.counter = 3;
  edit.text = g_strdup ("Lunch at 1?");
  edit_content = sotto_message_action_encode (&edit, &error);
  g_assert_no_error (error);
  reply.target.sender = g_strdup ("alice");
  reply.target.counter = 3;
  reply.excerpt = g_strdup ("Lunch?");
  reply.text = g_strdup ("Yes");
  reply_content = sotto_message_action_encode (&reply, &error);
  g_assert_no_error (error);

  /* An edit (no text of its own) and a reply (its own text). */
  plain = header (f, ACCOUNT, 2);
  put_action_entry (plain, SOTTO_MESSAGE_BODY_EDIT, "", edit_content);
  put_action_entry (plain, SOTTO_MESSAGE_BODY_REPLY, "Yes", reply_content);
  chunk = seal_by_hand (f, plain);
  got = open_by_library (f, chunk, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (got->len, ==, 2);
  entry = got->pdata[0];
  g_assert_cmpint (entry->kind, ==, SOTTO_MESSAGE_BODY_EDIT);
  g_assert_true (g_bytes_equal (entry->action, edit_content));
  g_assert_true (sotto_history_entry_is_valid (entry));
  entry = got->pdata[1];
  g_assert_cmpint (entry->kind, ==, SOTTO_MESSAGE_BODY_REPLY);
  g_assert_cmpstr (entry->text, ==, "Yes");
  g_clear_pointer (&got, g_ptr_array_unref);
  g_clear_pointer (&chunk, g_bytes_unref);
  g_clear_pointer (&plain, g_byte_array_unref);

  /* The content under another kind, a reply whose text is not its own,
   * an edit with text beside it, and a kind with no content. */
  {
    struct { guint8 kind; const char *text; GBytes *content; } bad[] = {
      { SOTTO_MESSAGE_BODY_DELETE, "", edit_content },
      { SOTTO_MESSAGE_BODY_REPLY, "No", reply_content },
      { SOTTO_MESSAGE_BODY_EDIT, "extra", edit_content },
      { SOTTO_MESSAGE_BODY_REACTION, "", NULL },
      { 9, "", edit_content },
    };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        plain = header (f, ACCOUNT, 1);
        put_action_entry (plain, bad[i].kind, bad[i].text, bad[i].content);
        chunk = seal_by_hand (f, plain);
        got = open_by_library (f, chunk, &error);
        g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT);
        g_assert_null (got);
        g_clear_error (&error);
        g_clear_pointer (&chunk, g_bytes_unref);
        g_clear_pointer (&plain, g_byte_array_unref);
      }
  }

  /* Version 2: its label, no kind. */
  plain = g_byte_array_new ();
  put (plain, "sotto history v2", strlen (LABEL));
  {
    g_autoptr(GByteArray) rest = header (f, ACCOUNT, 1);

    put (plain, rest->data + strlen (LABEL), rest->len - strlen (LABEL));
  }
  put_any_entry (plain, "m-1", 11, "hello", 5, NULL, 0, 0, NULL);
  chunk = seal_by_hand_version (f, plain, 2);
  got = open_by_library (f, chunk, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (got->len, ==, 1);
  entry = got->pdata[0];
  g_assert_cmpstr (entry->text, ==, "hello");
  g_assert_cmpint (entry->kind, ==, SOTTO_MESSAGE_BODY_TEXT);
  g_assert_null (entry->action);
}

static void
test_by_hand (Fixture *f, gconstpointer data)
{
  g_autoptr(GByteArray) plain = header (f, ACCOUNT, 1);
  g_autoptr(GBytes) chunk = NULL;
  g_autoptr(GPtrArray) got = NULL;
  g_autoptr(GError) error = NULL;
  const SottoHistoryEntry *entry;
  guint8 zero = 0;

  put_entry (plain, "hello", 5);
  chunk = seal_by_hand (f, plain);
  got = open_by_library (f, chunk, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (got->len, ==, 1);
  entry = got->pdata[0];
  g_assert_cmpstr (entry->room, ==, "team");
  g_assert_cmpstr (entry->sender, ==, "bob");
  g_assert_cmpstr (entry->msg_id, ==, "m-1");
  g_assert_cmpint (entry->seq, ==, 11);
  g_assert_cmpint (entry->ts, ==, 12);
  g_assert_cmpuint (entry->counter, ==, 13);
  g_assert_cmpint (entry->sent_at, ==, 14);
  g_assert_cmpstr (entry->text, ==, "hello");
  g_clear_pointer (&got, g_ptr_array_unref);
  g_clear_pointer (&chunk, g_bytes_unref);

  /* A byte after the last message. */
  put (plain, &zero, 1);
  chunk = seal_by_hand (f, plain);
  got = open_by_library (f, chunk, &error);
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT);
  g_assert_null (got);
  g_clear_error (&error);
  g_clear_pointer (&chunk, g_bytes_unref);
  g_clear_pointer (&plain, g_byte_array_unref);

  /* One message fewer than it says. */
  plain = header (f, ACCOUNT, 2);
  put_entry (plain, "hello", 5);
  chunk = seal_by_hand (f, plain);
  got = open_by_library (f, chunk, &error);
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT);
  g_clear_error (&error);
  g_clear_pointer (&chunk, g_bytes_unref);
  g_clear_pointer (&plain, g_byte_array_unref);

  /* No messages at all. */
  plain = header (f, ACCOUNT, 0);
  chunk = seal_by_hand (f, plain);
  got = open_by_library (f, chunk, &error);
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT);
  g_clear_error (&error);
  g_clear_pointer (&chunk, g_bytes_unref);
  g_clear_pointer (&plain, g_byte_array_unref);

  /* A text with a NUL in it, and one that is not UTF-8. */
  plain = header (f, ACCOUNT, 1);
  put_entry (plain, "he\0lo", 5);
  chunk = seal_by_hand (f, plain);
  got = open_by_library (f, chunk, &error);
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT);
  g_clear_error (&error);
  g_clear_pointer (&chunk, g_bytes_unref);
  g_clear_pointer (&plain, g_byte_array_unref);

  plain = header (f, ACCOUNT, 1);
  put_entry (plain, "\xff\xfe", 2);
  chunk = seal_by_hand (f, plain);
  got = open_by_library (f, chunk, &error);
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT);
  g_clear_error (&error);
  g_clear_pointer (&chunk, g_bytes_unref);
  g_clear_pointer (&plain, g_byte_array_unref);

  /* Another label: a box between these two devices made for something
   * else is not history. */
  plain = g_byte_array_new ();
  put (plain, "sotto histery v2", strlen (LABEL));
  {
    g_autoptr(GByteArray) rest = header (f, ACCOUNT, 1);
    put (plain, rest->data + strlen (LABEL), rest->len - strlen (LABEL));
  }
  put_entry (plain, "hello", 5);
  chunk = seal_by_hand (f, plain);
  got = open_by_library (f, chunk, &error);
  g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT);
  g_clear_error (&error);
  g_clear_pointer (&chunk, g_bytes_unref);
  g_clear_pointer (&plain, g_byte_array_unref);

  /* A file message: taken with its file, under the file's own name. */
  {
    g_autoptr(GBytes) report = file_content ("report.pdf");
    gsize report_len;
    const guint8 *report_data = g_bytes_get_data (report, &report_len);
    g_autofree guint8 *garbled = g_memdup2 (report_data, report_len);

    plain = header (f, ACCOUNT, 1);
    put_file_entry (plain, "report.pdf", report_data, report_len);
    chunk = seal_by_hand (f, plain);
    got = open_by_library (f, chunk, &error);
    g_assert_no_error (error);
    entry = got->pdata[0];
    g_assert_cmpstr (entry->text, ==, "report.pdf");
    g_assert_true (g_bytes_equal (entry->file, report));
    g_clear_pointer (&got, g_ptr_array_unref);
    g_clear_pointer (&chunk, g_bytes_unref);
    g_clear_pointer (&plain, g_byte_array_unref);

    /* Under another name than the file message gives; a file message
     * that does not decode; and a text entry followed by stray bytes of
     * a file that is not there. */
    plain = header (f, ACCOUNT, 1);
    put_file_entry (plain, "invoice.pdf", report_data, report_len);
    chunk = seal_by_hand (f, plain);
    got = open_by_library (f, chunk, &error);
    g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT);
    g_clear_error (&error);
    g_clear_pointer (&chunk, g_bytes_unref);
    g_clear_pointer (&plain, g_byte_array_unref);

    garbled[0] = 9;
    plain = header (f, ACCOUNT, 1);
    put_file_entry (plain, "report.pdf", garbled, report_len);
    chunk = seal_by_hand (f, plain);
    got = open_by_library (f, chunk, &error);
    g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT);
    g_clear_error (&error);
    g_clear_pointer (&chunk, g_bytes_unref);
    g_clear_pointer (&plain, g_byte_array_unref);

    plain = header (f, ACCOUNT, 1);
    put_file_entry (plain, "report.pdf", report_data, report_len - 1);
    chunk = seal_by_hand (f, plain);
    got = open_by_library (f, chunk, &error);
    g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT);
    g_clear_error (&error);
  }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (sodium_init (), >=, 0);

  g_test_add ("/sotto/e2e/history/round-trip", Fixture, NULL, fixture_set_up, test_round_trip,
              fixture_tear_down);
  g_test_add ("/sotto/e2e/history/wrong-devices", Fixture, NULL, fixture_set_up,
              test_wrong_devices, fixture_tear_down);
  g_test_add ("/sotto/e2e/history/tampered", Fixture, NULL, fixture_set_up, test_tampered,
              fixture_tear_down);
  g_test_add ("/sotto/e2e/history/sizes", Fixture, NULL, fixture_set_up, test_sizes,
              fixture_tear_down);
  g_test_add ("/sotto/e2e/history/actions-by-hand", Fixture, NULL, fixture_set_up,
              test_actions_by_hand, fixture_tear_down);
  g_test_add ("/sotto/e2e/history/by-hand", Fixture, NULL, fixture_set_up, test_by_hand,
              fixture_tear_down);

  return g_test_run ();
}
