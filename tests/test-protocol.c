/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "sotto-protocol.h"
#include "sotto-protocol-private.h"

#define FROM_CLIENT SOTTO_MSG_FROM_CLIENT
#define FROM_SERVER SOTTO_MSG_FROM_SERVER
#define MUST_PARSE  (-1)

#define REQ_ID      "req-42_A"
#define MSG_ID      "m-7f3a_Z"
#define ALICE       "Alice.Smith_2"
#define BOB         "bob"
#define ROOM        "general.chat-1"
#define DIRECT_ROOM "@alice+bob"
#define PASSWORD    "correct horse ✓ battery"

/* Sample values */

static void
fill_pattern (guint8 *data,
              gsize   len,
              guint8  seed)
{
  for (gsize i = 0; i < len; i++)
    data[i] = (guint8) (seed + i * 7);
}

static const SottoWireIdentity *
identity_a (void)
{
  static SottoWireIdentity identity;

  fill_pattern (identity.box, sizeof identity.box, 1);
  fill_pattern (identity.sign, sizeof identity.sign, 2);
  fill_pattern (identity.binding, sizeof identity.binding, 3);

  return &identity;
}

static const SottoWireIdentity *
identity_b (void)
{
  static SottoWireIdentity identity;

  fill_pattern (identity.box, sizeof identity.box, 101);
  fill_pattern (identity.sign, sizeof identity.sign, 102);
  fill_pattern (identity.binding, sizeof identity.binding, 103);

  return &identity;
}

static GBytes *
pattern_bytes (gsize  len,
               guint8 seed)
{
  guint8 *data = g_malloc (len);

  fill_pattern (data, len, seed);

  return g_bytes_new_take (data, len);
}

static const SottoWireRoomSummary sample_rooms[] = {
  { ROOM, 12, FALSE, 9000 },
  { DIRECT_ROOM, 2, TRUE, 0 },
};

static void
sample_members (SottoWireMember out[2])
{
  out[0] = (SottoWireMember) { ALICE, *identity_a (), TRUE };
  out[1] = (SottoWireMember) { BOB, *identity_b (), FALSE };
}

/* Assertions */

static SottoMsg *
parse_ok (GBytes            *bytes,
          SottoMsgDirection  direction,
          SottoMsgType       type)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) again = NULL;
  const char *data;
  gsize len;
  SottoMsg *msg;

  g_assert_nonnull (bytes);
  data = g_bytes_get_data (bytes, &len);

  /* Compact, one line, no trailing newline: ready for batching. */
  g_assert_null (memchr (data, '\n', len));
  g_assert_null (memchr (data, '\r', len));
  g_assert_cmpint (data[0], ==, '{');
  g_assert_cmpint (data[len - 1], ==, '}');

  msg = sotto_msg_parse_bytes (bytes, direction, &error);
  g_assert_no_error (error);
  g_assert_nonnull (msg);
  g_assert_cmpint (sotto_msg_get_msg_type (msg), ==, type);
  g_assert_cmpint (sotto_msg_get_direction (msg), ==, direction);

  again = sotto_msg_serialize (msg);
  g_assert_true (g_bytes_equal (again, bytes));

  return msg;
}

static void
assert_string (SottoMsg   *msg,
               const char *field,
               const char *expected)
{
  g_assert_true (sotto_msg_has_field (msg, field));
  g_assert_cmpstr (sotto_msg_get_string (msg, field), ==, expected);
}

static void
assert_int (SottoMsg   *msg,
            const char *field,
            gint64      expected)
{
  g_assert_true (sotto_msg_has_field (msg, field));
  g_assert_cmpint (sotto_msg_get_int (msg, field), ==, expected);
}

static void
assert_bool (SottoMsg   *msg,
             const char *field,
             gboolean    expected)
{
  g_assert_true (sotto_msg_has_field (msg, field));
  g_assert_cmpint (sotto_msg_get_bool (msg, field), ==, expected);
}

static void
assert_bytes (SottoMsg   *msg,
              const char *field,
              GBytes     *expected)
{
  g_autoptr(GBytes) bytes = sotto_msg_dup_bytes (msg, field);

  g_assert_nonnull (bytes);
  g_assert_true (g_bytes_equal (bytes, expected));
}

static void
assert_identity_equal (const SottoWireIdentity *a,
                       const SottoWireIdentity *b)
{
  g_assert_cmpmem (a->box, sizeof a->box, b->box, sizeof b->box);
  g_assert_cmpmem (a->sign, sizeof a->sign, b->sign, sizeof b->sign);
  g_assert_cmpmem (a->binding, sizeof a->binding, b->binding, sizeof b->binding);
}

static void
assert_identity (SottoMsg                *msg,
                 const SottoWireIdentity *expected)
{
  SottoWireIdentity identity;

  memset (&identity, 0, sizeof identity);
  g_assert_true (sotto_msg_get_identity (msg, &identity));
  assert_identity_equal (&identity, expected);
}

static void
assert_sample_rooms (SottoMsg *msg)
{
  JsonArray *rooms = sotto_msg_get_array (msg, "rooms");

  g_assert_nonnull (rooms);
  g_assert_cmpuint (json_array_get_length (rooms), ==, G_N_ELEMENTS (sample_rooms));

  for (guint i = 0; i < G_N_ELEMENTS (sample_rooms); i++)
    {
      SottoWireRoomSummary summary;

      g_assert_true (sotto_msg_get_room_summary (msg, i, &summary));
      g_assert_cmpstr (summary.room, ==, sample_rooms[i].room);
      g_assert_cmpint (summary.members, ==, sample_rooms[i].members);
      g_assert_cmpint (summary.direct, ==, sample_rooms[i].direct);
      g_assert_cmpint (summary.last_seq, ==, sample_rooms[i].last_seq);
    }
}

static void
assert_sample_members (SottoMsg *msg)
{
  SottoWireMember expected[2];
  JsonArray *members = sotto_msg_get_array (msg, "members");

  sample_members (expected);
  g_assert_nonnull (members);
  g_assert_cmpuint (json_array_get_length (members), ==, 2);

  for (guint i = 0; i < 2; i++)
    {
      SottoWireMember member;

      g_assert_true (sotto_msg_get_member (msg, i, &member));
      g_assert_cmpstr (member.user, ==, expected[i].user);
      assert_identity_equal (&member.identity, &expected[i].identity);
      g_assert_cmpint (member.online, ==, expected[i].online);
    }
}

/* One sample and one checker per message. The samples feed the round
 * trips and are the valid starting point of every rejection case. */

static GBytes *
sample_register (void)
{
  return sotto_msg_build_register (REQ_ID, ALICE, PASSWORD, identity_a (), identity_b ());
}

static void
check_register (SottoMsg *msg)
{
  assert_string (msg, "id", REQ_ID);
  g_assert_cmpstr (sotto_msg_get_id (msg), ==, REQ_ID);
  assert_string (msg, "username", ALICE);
  assert_string (msg, "password", PASSWORD);
  assert_identity (msg, identity_a ());
}

static void
check_register_account (SottoMsg *msg)
{
  SottoWireIdentity account;

  check_register (msg);
  g_assert_true (sotto_msg_get_identity_field (msg, "account", &account));
  g_assert_cmpmem (&account, sizeof account, identity_b (), sizeof account);
}

/* Every field of a login, though the server refuses "reset" and "proof"
 * together. */
static GBytes *
sample_login (void)
{
  g_autoptr(GBytes) proof = pattern_bytes (SOTTO_PROTOCOL_LOGIN_PROOF_BYTES, 9);

  return sotto_msg_build_login_full (REQ_ID, ALICE, PASSWORD, identity_a (), identity_b (),
                                     proof);
}

static void
check_login (SottoMsg *msg)
{
  g_autoptr(GBytes) proof = pattern_bytes (SOTTO_PROTOCOL_LOGIN_PROOF_BYTES, 9);
  SottoWireIdentity reset;

  check_register (msg);
  g_assert_true (sotto_msg_get_identity_field (msg, "reset", &reset));
  g_assert_cmpmem (&reset, sizeof reset, identity_b (), sizeof reset);
  assert_bytes (msg, "proof", proof);
}

static GBytes *
sample_logout (void)
{
  return sotto_msg_build_logout (REQ_ID);
}

static void
check_id_only (SottoMsg *msg)
{
  assert_string (msg, "id", REQ_ID);
  g_assert_cmpstr (sotto_msg_get_id (msg), ==, REQ_ID);
}

static GBytes *
sample_join (void)
{
  return sotto_msg_build_join (REQ_ID, ROOM);
}

static void
check_id_room (SottoMsg *msg)
{
  check_id_only (msg);
  assert_string (msg, "room", ROOM);
}

static GBytes *
sample_leave (void)
{
  return sotto_msg_build_leave (REQ_ID, ROOM);
}

static GBytes *
sample_list_rooms (void)
{
  return sotto_msg_build_list_rooms (REQ_ID);
}

static GBytes *
sample_list_members (void)
{
  return sotto_msg_build_list_members (REQ_ID, ROOM);
}

static GBytes *
sample_open_direct (void)
{
  return sotto_msg_build_open_direct (REQ_ID, BOB);
}

static void
check_open_direct (SottoMsg *msg)
{
  check_id_only (msg);
  assert_string (msg, "user", BOB);
}

static GBytes *
sample_send (void)
{
  g_autoptr(GBytes) envelope = pattern_bytes (100, 9);

  return sotto_msg_build_send (REQ_ID, DIRECT_ROOM, MSG_ID, envelope);
}

static void
check_send (SottoMsg *msg)
{
  g_autoptr(GBytes) envelope = pattern_bytes (100, 9);

  check_id_only (msg);
  assert_string (msg, "room", DIRECT_ROOM);
  assert_string (msg, "msg_id", MSG_ID);
  assert_bytes (msg, "envelope", envelope);
}

static GBytes *
sample_send_key (void)
{
  g_autoptr(GBytes) box = pattern_bytes (48, 11);

  g_autoptr(GBytes) device = pattern_bytes (32, 12);

  return sotto_msg_build_send_key (REQ_ID, BOB, device, ROOM, box);
}

static void
check_send_key (SottoMsg *msg)
{
  g_autoptr(GBytes) box = pattern_bytes (48, 11);
  g_autoptr(GBytes) device = pattern_bytes (32, 12);

  check_id_room (msg);
  assert_string (msg, "to", BOB);
  assert_bytes (msg, "device", device);
  assert_bytes (msg, "box", box);
}

static GBytes *
sample_key_request (void)
{
  g_autoptr(GBytes) device = pattern_bytes (32, 14);

  return sotto_msg_build_key_request (REQ_ID, BOB, device, ROOM, G_MAXUINT32);
}

static void
check_key_request (SottoMsg *msg)
{
  g_autoptr(GBytes) device = pattern_bytes (32, 14);

  check_id_room (msg);
  assert_string (msg, "to", BOB);
  assert_bytes (msg, "device", device);
  assert_int (msg, "key_id", G_MAXUINT32);
}

static const gint64 sample_kids[] = { 1, 77, G_MAXINT64 };

static GBytes *
sample_ack_keys (void)
{
  return sotto_msg_build_ack_keys (REQ_ID, sample_kids, G_N_ELEMENTS (sample_kids));
}

static void
check_ack_keys (SottoMsg *msg)
{
  JsonArray *kids;

  check_id_only (msg);
  kids = sotto_msg_get_array (msg, "kids");
  g_assert_nonnull (kids);
  g_assert_cmpuint (json_array_get_length (kids), ==, G_N_ELEMENTS (sample_kids));
  for (guint i = 0; i < G_N_ELEMENTS (sample_kids); i++)
    g_assert_cmpint (json_array_get_int_element (kids, i), ==, sample_kids[i]);
}

static GBytes *
sample_catchup (void)
{
  return sotto_msg_build_catchup (REQ_ID, ROOM, 0, 1000);
}

static void
check_catchup (SottoMsg *msg)
{
  check_id_room (msg);
  assert_int (msg, "after", 0);
  assert_int (msg, "limit", 1000);
}

static GBytes *
sample_typing (void)
{
  return sotto_msg_build_typing (DIRECT_ROOM);
}

static void
check_typing (SottoMsg *msg)
{
  assert_string (msg, "room", DIRECT_ROOM);
  g_assert_null (sotto_msg_get_id (msg));
}

static GBytes *
sample_kick (void)
{
  return sotto_msg_build_kick (REQ_ID, ROOM, BOB);
}

static void
check_kick (SottoMsg *msg)
{
  check_id_room (msg);
  assert_string (msg, "user", BOB);
}

static GBytes *
sample_unban (void)
{
  return sotto_msg_build_unban (REQ_ID, ROOM, BOB);
}

static GBytes *
sample_list_bans (void)
{
  return sotto_msg_build_list_bans (REQ_ID, ROOM);
}

static GBytes *
sample_ping (void)
{
  return sotto_msg_build_ping (REQ_ID);
}

static GBytes *
sample_state (void)
{
  g_autoptr(GBytes) event = pattern_bytes (4096, 21);

  return sotto_msg_build_state (REQ_ID, ROOM, 12, event);
}

static void
check_state (SottoMsg *msg)
{
  g_autoptr(GBytes) event = pattern_bytes (4096, 21);

  check_id_room (msg);
  assert_int (msg, "index", 12);
  assert_bytes (msg, "event", event);
}

static GBytes *
sample_state_catchup (void)
{
  return sotto_msg_build_state_catchup (REQ_ID, DIRECT_ROOM, 0, 500);
}

static void
check_state_catchup (SottoMsg *msg)
{
  check_id_only (msg);
  assert_string (msg, "room", DIRECT_ROOM);
  assert_int (msg, "from", 0);
  assert_int (msg, "limit", 500);
}

#define BUNDLE_BYTES   SOTTO_PROTOCOL_PREKEY_BUNDLE_BYTES
#define ONE_TIME_BYTES SOTTO_PROTOCOL_ONE_TIME_PREKEY_BYTES

static GBytes *
sample_publish_prekeys (void)
{
  g_autoptr(GBytes) bundle = pattern_bytes (BUNDLE_BYTES, 41);
  g_autoptr(GBytes) first = pattern_bytes (ONE_TIME_BYTES, 51);
  g_autoptr(GBytes) second = pattern_bytes (ONE_TIME_BYTES, 52);
  GBytes *one_time[] = { first, second };

  return sotto_msg_build_publish_prekeys (REQ_ID, bundle, one_time, G_N_ELEMENTS (one_time));
}

static void
check_publish_prekeys (SottoMsg *msg)
{
  g_autoptr(GBytes) bundle = pattern_bytes (BUNDLE_BYTES, 41);
  g_autoptr(GBytes) first = pattern_bytes (ONE_TIME_BYTES, 51);
  g_autoptr(GBytes) second = pattern_bytes (ONE_TIME_BYTES, 52);
  g_autoptr(GBytes) first_read = NULL;
  g_autoptr(GBytes) second_read = NULL;

  check_id_only (msg);
  assert_bytes (msg, "bundle", bundle);
  g_assert_cmpuint (json_array_get_length (sotto_msg_get_array (msg, "one_time")), ==, 2);
  first_read = sotto_msg_dup_bytes_item (msg, "one_time", 0);
  second_read = sotto_msg_dup_bytes_item (msg, "one_time", 1);
  g_assert_true (g_bytes_equal (first_read, first));
  g_assert_true (g_bytes_equal (second_read, second));
}

static GBytes *
sample_get_prekeys (void)
{
  g_autoptr(GBytes) device = pattern_bytes (32, 13);

  return sotto_msg_build_get_prekeys (REQ_ID, ALICE, device);
}

static void
check_get_prekeys (SottoMsg *msg)
{
  g_autoptr(GBytes) device = pattern_bytes (32, 13);

  check_id_only (msg);
  assert_string (msg, "user", ALICE);
  assert_bytes (msg, "device", device);
}

#define ACCOUNT_KEY_BYTES SOTTO_PROTOCOL_ACCOUNT_KEY_SIZE
#define DEVICE_LIST_MAX   SOTTO_PROTOCOL_DEVICE_LIST_MAX_BYTES

static GBytes *
sample_publish_devices (void)
{
  g_autoptr(GBytes) account_key = pattern_bytes (ACCOUNT_KEY_BYTES, 71);
  g_autoptr(GBytes) list = pattern_bytes (DEVICE_LIST_MAX, 72);

  SottoWireIdentity devices[2];

  memset (&devices[0], 1, sizeof devices[0]);
  memset (&devices[1], 2, sizeof devices[1]);
  return sotto_msg_build_publish_devices (REQ_ID, account_key, G_MAXINT64, list, devices, 2,
                                          identity_b ());
}

static void
check_publish_devices (SottoMsg *msg)
{
  g_autoptr(GBytes) account_key = pattern_bytes (ACCOUNT_KEY_BYTES, 71);
  g_autoptr(GBytes) list = pattern_bytes (DEVICE_LIST_MAX, 72);

  SottoWireIdentity device;

  check_id_only (msg);
  assert_bytes (msg, "account_key", account_key);
  assert_int (msg, "counter", G_MAXINT64);
  assert_bytes (msg, "list", list);
  g_assert_cmpuint (json_array_get_length (sotto_msg_get_array (msg, "devices")), ==, 2);
  g_assert_true (sotto_msg_get_device (msg, 1, &device));
  for (gsize i = 0; i < sizeof device; i++)
    g_assert_cmpuint (((guint8 *) &device)[i], ==, 2);
  g_assert_true (sotto_msg_get_identity_field (msg, "account", &device));
  g_assert_cmpmem (&device, sizeof device, identity_b (), sizeof device);
}

static GBytes *
sample_get_devices (void)
{
  return sotto_msg_build_get_devices (REQ_ID, BOB);
}

static void
check_get_devices (SottoMsg *msg)
{
  check_id_only (msg);
  assert_string (msg, "user", BOB);
}

#define LINK_ID       "0123456789abcdef0123456789abcdef"
#define LINK_OFFER_MAX    SOTTO_PROTOCOL_LINK_OFFER_MAX_BYTES
#define LINK_APPROVAL_MAX SOTTO_PROTOCOL_LINK_APPROVAL_MAX_BYTES

static GBytes *
sample_link_offer (void)
{
  g_autoptr(GBytes) offer = pattern_bytes (LINK_OFFER_MAX, 91);

  return sotto_msg_build_link_offer (REQ_ID, LINK_ID, offer);
}

static void
check_link_offer (SottoMsg *msg)
{
  g_autoptr(GBytes) offer = pattern_bytes (LINK_OFFER_MAX, 91);

  check_id_only (msg);
  assert_string (msg, "link", LINK_ID);
  assert_bytes (msg, "offer", offer);
}

static GBytes *
sample_link_fetch (void)
{
  return sotto_msg_build_link_fetch (REQ_ID, LINK_ID);
}

static void
check_link_fetch (SottoMsg *msg)
{
  check_id_only (msg);
  assert_string (msg, "link", LINK_ID);
}

static GBytes *
sample_link_approve (void)
{
  g_autoptr(GBytes) approval = pattern_bytes (LINK_APPROVAL_MAX, 92);

  return sotto_msg_build_link_approve (REQ_ID, LINK_ID, approval);
}

static void
check_link_approve (SottoMsg *msg)
{
  g_autoptr(GBytes) approval = pattern_bytes (LINK_APPROVAL_MAX, 92);

  check_id_only (msg);
  assert_string (msg, "link", LINK_ID);
  assert_bytes (msg, "approval", approval);
}

static GBytes *
sample_welcome (void)
{
  return sotto_msg_build_welcome ("0.1.0 (Debian)", SOTTO_PROTOCOL_VERSION,
                                  SOTTO_PROTOCOL_MIN_PASSWORD_LEN, 1024 * 1024,
                                  100 * 1024 * 1024);
}

static void
check_welcome (SottoMsg *msg)
{
  assert_string (msg, "server_version", "0.1.0 (Debian)");
  assert_int (msg, "protocol", SOTTO_PROTOCOL_VERSION);
  assert_int (msg, "min_password", SOTTO_PROTOCOL_MIN_PASSWORD_LEN);
  assert_int (msg, "max_file", 100 * 1024 * 1024);
  assert_int (msg, "max_frame", 1024 * 1024);
  g_assert_null (sotto_msg_get_id (msg));
}

static GBytes *
sample_ok (void)
{
  return sotto_msg_build_ok (REQ_ID);
}

static GBytes *
sample_error (void)
{
  return sotto_msg_build_error (REQ_ID, SOTTO_MSG_ERROR_CODE_WEAK_PASSWORD,
                                "Passwords need at least 8 characters");
}

static void
check_error (SottoMsg *msg)
{
  check_id_only (msg);
  assert_string (msg, "code", "weak_password");
  g_assert_cmpint (sotto_msg_get_error_code (msg), ==, SOTTO_MSG_ERROR_CODE_WEAK_PASSWORD);
  assert_string (msg, "message", "Passwords need at least 8 characters");
}

static GBytes *
sample_session (void)
{
  return sotto_msg_build_session (REQ_ID, ALICE, identity_a (),
                                  sample_rooms, G_N_ELEMENTS (sample_rooms));
}

static void
check_session (SottoMsg *msg)
{
  check_id_only (msg);
  assert_string (msg, "user", ALICE);
  assert_identity (msg, identity_a ());
  assert_sample_rooms (msg);
}

static GBytes *
sample_room_list (void)
{
  return sotto_msg_build_room_list (REQ_ID, sample_rooms, G_N_ELEMENTS (sample_rooms));
}

static void
check_room_list (SottoMsg *msg)
{
  check_id_only (msg);
  assert_sample_rooms (msg);
}

static GBytes *
sample_members_msg (void)
{
  SottoWireMember members[2];

  sample_members (members);

  return sotto_msg_build_members (REQ_ID, ROOM, ALICE, 7, members, 2);
}

static void
check_members (SottoMsg *msg)
{
  check_id_room (msg);
  assert_string (msg, "owner", ALICE);
  assert_int (msg, "state_length", 7);
  assert_sample_members (msg);
}

static GBytes *
sample_joined (void)
{
  SottoWireMember members[2];

  sample_members (members);

  return sotto_msg_build_joined (REQ_ID, ROOM, ALICE, FALSE, 41, 3, members, 2);
}

static void
check_joined (SottoMsg *msg)
{
  check_id_room (msg);
  assert_string (msg, "owner", ALICE);
  assert_bool (msg, "direct", FALSE);
  assert_int (msg, "last_seq", 41);
  assert_int (msg, "state_length", 3);
  assert_sample_members (msg);
}

static const SottoWireBan sample_bans[] = {
  { BOB, ALICE, G_GINT64_CONSTANT (1700000000456) },
  { "mallory", NULL, 0 },
};

static GBytes *
sample_bans_msg (void)
{
  return sotto_msg_build_bans (REQ_ID, ROOM, sample_bans, G_N_ELEMENTS (sample_bans));
}

static void
check_bans (SottoMsg *msg)
{
  check_id_room (msg);
  g_assert_cmpuint (json_array_get_length (sotto_msg_get_array (msg, "bans")), ==,
                    G_N_ELEMENTS (sample_bans));

  for (guint i = 0; i < G_N_ELEMENTS (sample_bans); i++)
    {
      SottoWireBan ban;

      g_assert_true (sotto_msg_get_ban (msg, i, &ban));
      g_assert_cmpstr (ban.user, ==, sample_bans[i].user);
      g_assert_cmpstr (ban.banned_by, ==, sample_bans[i].banned_by);
      g_assert_cmpint (ban.ts, ==, sample_bans[i].ts);
    }
}

static GBytes *
sample_sent (void)
{
  return sotto_msg_build_sent (REQ_ID, ROOM, MSG_ID, 42, G_GINT64_CONSTANT (1700000000123));
}

static void
check_sent (SottoMsg *msg)
{
  check_id_room (msg);
  assert_string (msg, "msg_id", MSG_ID);
  assert_int (msg, "seq", 42);
  assert_int (msg, "ts", G_GINT64_CONSTANT (1700000000123));
}

static GBytes *
sample_message (void)
{
  g_autoptr(GBytes) envelope = pattern_bytes (SOTTO_PROTOCOL_ENVELOPE_MAX_SIZE, 5);

  return sotto_msg_build_message (ROOM, G_MAXINT64, 0, ALICE, MSG_ID, envelope);
}

static void
check_message (SottoMsg *msg)
{
  g_autoptr(GBytes) envelope = pattern_bytes (SOTTO_PROTOCOL_ENVELOPE_MAX_SIZE, 5);

  assert_string (msg, "room", ROOM);
  assert_int (msg, "seq", G_MAXINT64);
  assert_int (msg, "ts", 0);
  assert_string (msg, "sender", ALICE);
  assert_string (msg, "msg_id", MSG_ID);
  assert_bytes (msg, "envelope", envelope);
  g_assert_null (sotto_msg_get_id (msg));
}

static GBytes *
sample_member_joined (void)
{
  return sotto_msg_build_member_joined (ROOM, 43, 1700000000124, BOB, identity_b ());
}

static void
check_member_identity_event (SottoMsg *msg)
{
  assert_string (msg, "room", ROOM);
  assert_int (msg, "seq", 43);
  assert_int (msg, "ts", 1700000000124);
  assert_string (msg, "user", BOB);
  assert_identity (msg, identity_b ());
}

static GBytes *
sample_member_left (void)
{
  return sotto_msg_build_member_left (ROOM, 44, 1700000000125, BOB,
                                      SOTTO_MSG_LEAVE_REASON_KICKED);
}

static void
check_member_left (SottoMsg *msg)
{
  assert_string (msg, "room", ROOM);
  assert_int (msg, "seq", 44);
  assert_int (msg, "ts", 1700000000125);
  assert_string (msg, "user", BOB);
  assert_string (msg, "reason", "kicked");
  g_assert_cmpint (sotto_msg_get_leave_reason (msg), ==, SOTTO_MSG_LEAVE_REASON_KICKED);
}

static GBytes *
sample_key_changed (void)
{
  return sotto_msg_build_key_changed (ROOM, 43, 1700000000124, BOB, identity_b ());
}

static GBytes *
sample_presence (void)
{
  return sotto_msg_build_presence (BOB, TRUE);
}

static void
check_presence (SottoMsg *msg)
{
  assert_string (msg, "user", BOB);
  assert_bool (msg, "online", TRUE);
}

static GBytes *
sample_key (void)
{
  g_autoptr(GBytes) box = pattern_bytes (SOTTO_PROTOCOL_KEY_BOX_MAX_SIZE, 13);

  g_autoptr(GBytes) device = pattern_bytes (32, 15);

  return sotto_msg_build_key (7, ALICE, device, DIRECT_ROOM, box);
}

static void
check_key (SottoMsg *msg)
{
  g_autoptr(GBytes) box = pattern_bytes (SOTTO_PROTOCOL_KEY_BOX_MAX_SIZE, 13);

  assert_int (msg, "kid", 7);
  assert_string (msg, "from", ALICE);
  assert_string (msg, "room", DIRECT_ROOM);
  assert_bytes (msg, "box", box);
}

static GBytes *
sample_key_requested (void)
{
  g_autoptr(GBytes) device = pattern_bytes (32, 16);

  return sotto_msg_build_key_requested (8, ALICE, device, ROOM, 0);
}

static void
check_key_requested (SottoMsg *msg)
{
  assert_int (msg, "kid", 8);
  assert_string (msg, "from", ALICE);
  assert_string (msg, "room", ROOM);
  assert_int (msg, "key_id", 0);
}

static GBytes *
sample_typing_event (void)
{
  return sotto_msg_build_typing_event (ROOM, ALICE);
}

static void
check_typing_event (SottoMsg *msg)
{
  assert_string (msg, "room", ROOM);
  assert_string (msg, "user", ALICE);
}

static GBytes *
sample_catchup_done (void)
{
  return sotto_msg_build_catchup_done (REQ_ID, ROOM, 0, TRUE);
}

static void
check_catchup_done (SottoMsg *msg)
{
  check_id_room (msg);
  assert_int (msg, "last_seq", 0);
  assert_bool (msg, "more", TRUE);
}

#define NOTICE_TEXT "Maintenance at 02:00 — “back soon”\n\t\\ \x01\x1f\x7f 😀"

static GBytes *
sample_notice (void)
{
  return sotto_msg_build_notice (NOTICE_TEXT, 1700000000126);
}

static void
check_notice (SottoMsg *msg)
{
  assert_string (msg, "text", NOTICE_TEXT);
  assert_int (msg, "ts", 1700000000126);
}

static GBytes *
sample_pong (void)
{
  return sotto_msg_build_pong (REQ_ID);
}

static GBytes *
sample_state_event (void)
{
  g_autoptr(GBytes) event = pattern_bytes (1, 33);

  return sotto_msg_build_state_event (ROOM, 0, BOB, 1700000000321, event);
}

static void
check_state_event (SottoMsg *msg)
{
  g_autoptr(GBytes) event = pattern_bytes (1, 33);

  assert_string (msg, "room", ROOM);
  assert_int (msg, "index", 0);
  assert_string (msg, "sender", BOB);
  assert_int (msg, "ts", 1700000000321);
  assert_bytes (msg, "event", event);
}

static GBytes *
sample_state_done (void)
{
  return sotto_msg_build_state_done (REQ_ID, ROOM, 501, TRUE);
}

static void
check_state_done (SottoMsg *msg)
{
  check_id_room (msg);
  assert_int (msg, "length", 501);
  assert_bool (msg, "more", TRUE);
}

static GBytes *
sample_prekeys_published (void)
{
  return sotto_msg_build_prekeys_published (REQ_ID, 200);
}

static void
check_prekeys_published (SottoMsg *msg)
{
  check_id_only (msg);
  assert_int (msg, "one_time_left", 200);
}

static GBytes *
sample_prekeys (void)
{
  g_autoptr(GBytes) bundle = pattern_bytes (BUNDLE_BYTES, 61);
  g_autoptr(GBytes) one_time = pattern_bytes (ONE_TIME_BYTES, 62);

  return sotto_msg_build_prekeys (REQ_ID, BOB, bundle, one_time);
}

static void
check_prekeys (SottoMsg *msg)
{
  g_autoptr(GBytes) bundle = pattern_bytes (BUNDLE_BYTES, 61);
  g_autoptr(GBytes) one_time = pattern_bytes (ONE_TIME_BYTES, 62);

  check_id_only (msg);
  assert_string (msg, "user", BOB);
  assert_bytes (msg, "bundle", bundle);
  assert_bytes (msg, "one_time", one_time);
}

static GBytes *
sample_devices_published (void)
{
  return sotto_msg_build_devices_published (REQ_ID, 1);
}

static void
check_devices_published (SottoMsg *msg)
{
  check_id_only (msg);
  assert_int (msg, "counter", 1);
}

/* The answer to the account itself: when its two devices were seen. */
static GBytes *
sample_devices (void)
{
  g_autoptr(GBytes) account_key = pattern_bytes (ACCOUNT_KEY_BYTES, 81);
  g_autoptr(GBytes) list = pattern_bytes (1, 82);
  SottoWireDeviceSeen seen[2] = {
    { .last_seen = 0, .online = TRUE },
    { .last_seen = G_MAXINT64, .online = FALSE },
  };

  memset (seen[0].device, 3, sizeof seen[0].device);
  memset (seen[1].device, 4, sizeof seen[1].device);
  return sotto_msg_build_devices (REQ_ID, ALICE, account_key, 7, list, seen, 2);
}

static void
check_devices (SottoMsg *msg)
{
  g_autoptr(GBytes) account_key = pattern_bytes (ACCOUNT_KEY_BYTES, 81);
  g_autoptr(GBytes) list = pattern_bytes (1, 82);
  SottoWireDeviceSeen seen;
  guint8 device[32];

  check_id_only (msg);
  assert_string (msg, "user", ALICE);
  assert_bytes (msg, "account_key", account_key);
  assert_int (msg, "counter", 7);
  assert_bytes (msg, "list", list);
  g_assert_cmpuint (json_array_get_length (sotto_msg_get_array (msg, "seen")), ==, 2);
  g_assert_true (sotto_msg_get_device_seen (msg, 0, &seen));
  memset (device, 3, sizeof device);
  g_assert_cmpmem (seen.device, sizeof seen.device, device, sizeof device);
  g_assert_cmpint (seen.last_seen, ==, 0);
  g_assert_true (seen.online);
  g_assert_true (sotto_msg_get_device_seen (msg, 1, &seen));
  memset (device, 4, sizeof device);
  g_assert_cmpmem (seen.device, sizeof seen.device, device, sizeof device);
  g_assert_cmpint (seen.last_seen, ==, G_MAXINT64);
  g_assert_false (seen.online);
}

/* Anyone else's answer has no "seen". */
static void
test_devices_of_another (void)
{
  g_autoptr(GBytes) account_key = pattern_bytes (ACCOUNT_KEY_BYTES, 81);
  g_autoptr(GBytes) list = pattern_bytes (1, 82);
  g_autoptr(GBytes) bytes = sotto_msg_build_devices (REQ_ID, BOB, account_key, 7, list, NULL, 0);
  g_autoptr(SottoMsg) msg = sotto_msg_parse_bytes (bytes, SOTTO_MSG_FROM_SERVER, NULL);

  g_assert_nonnull (msg);
  g_assert_false (sotto_msg_has_field (msg, "seen"));
  g_assert_null (sotto_msg_get_array (msg, "seen"));
  assert_bytes (msg, "list", list);
}

static GBytes *
sample_link_offered (void)
{
  g_autoptr(GBytes) offer = pattern_bytes (1, 93);

  return sotto_msg_build_link_offered (REQ_ID, LINK_ID, offer);
}

static void
check_link_offered (SottoMsg *msg)
{
  g_autoptr(GBytes) offer = pattern_bytes (1, 93);

  check_id_only (msg);
  assert_string (msg, "link", LINK_ID);
  assert_bytes (msg, "offer", offer);
}

static GBytes *
sample_link_approved (void)
{
  g_autoptr(GBytes) approval = pattern_bytes (LINK_APPROVAL_MAX, 94);

  return sotto_msg_build_link_approved (LINK_ID, approval, ALICE);
}

static void
check_link_approved (SottoMsg *msg)
{
  g_autoptr(GBytes) approval = pattern_bytes (LINK_APPROVAL_MAX, 94);

  g_assert_null (sotto_msg_get_id (msg));
  assert_string (msg, "link", LINK_ID);
  assert_bytes (msg, "approval", approval);
  assert_string (msg, "user", ALICE);
}

static GBytes *
sample_link_expired (void)
{
  return sotto_msg_build_link_expired (LINK_ID);
}

static void
check_link_expired (SottoMsg *msg)
{
  g_assert_null (sotto_msg_get_id (msg));
  assert_string (msg, "link", LINK_ID);
}

static GBytes *
sample_devices_changed (void)
{
  return sotto_msg_build_devices_changed (ALICE);
}

static void
check_devices_changed (SottoMsg *msg)
{
  g_assert_null (sotto_msg_get_id (msg));
  assert_string (msg, "user", ALICE);
}

static GBytes *
sample_send_history (void)
{
  g_autoptr(GBytes) device = pattern_bytes (32, 17);
  g_autoptr(GBytes) chunk = pattern_bytes (61440, 18);

  return sotto_msg_build_send_history (REQ_ID, device, chunk);
}

static void
check_send_history (SottoMsg *msg)
{
  g_autoptr(GBytes) device = pattern_bytes (32, 17);
  g_autoptr(GBytes) chunk = pattern_bytes (61440, 18);

  check_id_only (msg);
  assert_bytes (msg, "device", device);
  assert_bytes (msg, "chunk", chunk);
}

static const gint64 sample_hids[] = { 3, 9, G_MAXINT64 };

static GBytes *
sample_ack_history (void)
{
  return sotto_msg_build_ack_history (REQ_ID, sample_hids, G_N_ELEMENTS (sample_hids));
}

static void
check_ack_history (SottoMsg *msg)
{
  JsonArray *hids = sotto_msg_get_array (msg, "hids");

  check_id_only (msg);
  g_assert_cmpuint (json_array_get_length (hids), ==, G_N_ELEMENTS (sample_hids));
  for (guint i = 0; i < G_N_ELEMENTS (sample_hids); i++)
    g_assert_cmpint (json_array_get_int_element (hids, i), ==, sample_hids[i]);
}

static GBytes *
sample_history (void)
{
  g_autoptr(GBytes) device = pattern_bytes (32, 19);
  g_autoptr(GBytes) chunk = pattern_bytes (100, 20);

  return sotto_msg_build_history (G_MAXINT64, device, chunk);
}

static void
check_history (SottoMsg *msg)
{
  g_autoptr(GBytes) device = pattern_bytes (32, 19);
  g_autoptr(GBytes) chunk = pattern_bytes (100, 20);

  g_assert_null (sotto_msg_get_id (msg));
  assert_int (msg, "hid", G_MAXINT64);
  assert_bytes (msg, "device", device);
  assert_bytes (msg, "chunk", chunk);
}

/* Files: blobs up and down, in pieces. */

#define BLOB_SIZE_MAX G_GINT64_CONSTANT (1099796840472)

static const guint8 *
sample_blob_id (void)
{
  static guint8 blob[SOTTO_PROTOCOL_BLOB_ID_BYTES];

  fill_pattern (blob, sizeof blob, 31);

  return blob;
}

static void
assert_blob_id (SottoMsg *msg)
{
  guint8 blob[SOTTO_PROTOCOL_BLOB_ID_BYTES];

  g_assert_true (sotto_msg_get_blob_id (msg, blob));
  g_assert_cmpmem (blob, sizeof blob, sample_blob_id (), SOTTO_PROTOCOL_BLOB_ID_BYTES);
}

static GBytes *
sample_upload (void)
{
  return sotto_msg_build_upload (REQ_ID, sample_blob_id (), DIRECT_ROOM, BLOB_SIZE_MAX);
}

static void
check_upload (SottoMsg *msg)
{
  check_id_only (msg);
  assert_blob_id (msg);
  assert_string (msg, "room", DIRECT_ROOM);
  assert_int (msg, "size", BLOB_SIZE_MAX);
}

static GBytes *
sample_download (void)
{
  return sotto_msg_build_download (REQ_ID, sample_blob_id (), 262144, 100000);
}

static void
check_download (SottoMsg *msg)
{
  check_id_only (msg);
  assert_blob_id (msg);
  assert_int (msg, "offset", 262144);
  assert_int (msg, "length", 100000);
}

static GBytes *
sample_upload_at (void)
{
  return sotto_msg_build_upload_at (REQ_ID, sample_blob_id (), BLOB_SIZE_MAX);
}

static void
check_upload_at (SottoMsg *msg)
{
  check_id_only (msg);
  assert_blob_id (msg);
  assert_int (msg, "offset", BLOB_SIZE_MAX);
}

/* What a file costs as a blob: the smallest, around a chunk's end, and
 * the largest the protocol allows. */
static void
test_blob_size (void)
{
  g_assert_cmpint (sotto_protocol_blob_size (0), ==, SOTTO_PROTOCOL_BLOB_MIN_SIZE);
  g_assert_cmpint (sotto_protocol_blob_size (1), ==, 24 + 1 + 17);
  g_assert_cmpint (sotto_protocol_blob_size (65535), ==, 24 + 65535 + 17);
  g_assert_cmpint (sotto_protocol_blob_size (65536), ==, 24 + 65536 + 17);
  g_assert_cmpint (sotto_protocol_blob_size (65537), ==, 24 + 65537 + 2 * 17);
  g_assert_cmpint (sotto_protocol_blob_size (100 * 1024 * 1024), ==,
                   24 + 100 * 1024 * 1024 + 1600 * 17);
  g_assert_cmpint (sotto_protocol_blob_size (G_GINT64_CONSTANT (1) << 40), ==,
                   SOTTO_PROTOCOL_BLOB_MAX_SIZE);

  g_test_expect_message ("sotto-protocol", G_LOG_LEVEL_CRITICAL, "*file_size*");
  g_assert_cmpint (sotto_protocol_blob_size ((G_GINT64_CONSTANT (1) << 40) + 1), ==, -1);
  g_test_assert_expected_messages ();
}

/* The protocol again, written out independently of the library's table:
 * what each field is, so that the rejection cases can be derived. */

typedef enum
{
  K_ID,
  K_USERNAME,
  K_ROOM,
  K_NORMAL_ROOM,
  K_PASSWORD,
  K_TEXT,
  K_INT,
  K_BOOL,
  K_ENUM,
  K_BASE64,
  K_KIDS,
  K_MEMBERS,
  K_ROOMS,
  K_BANS,
  K_IDENTITY,
  K_BASE64_LIST,
  K_LINK_ID,
  K_DEVICES,
  K_SEEN,
} Kind;

/* For K_BASE64_LIST, min and max count the items, and item_size is what
 * each must decode to. A K_BASE64 with min equal to max is of that size
 * exactly. */
typedef struct
{
  const char *name;
  Kind        kind;
  gint64      min;
  gint64      max;
  gboolean    optional;
  gsize       item_size;
} FieldSpec;

typedef struct
{
  const char        *test_name;
  const char        *type;
  SottoMsgDirection  direction;
  SottoMsgType       msg_type;
  GBytes          *(*sample) (void);
  void             (*check) (SottoMsg *msg);
  FieldSpec          fields[8];
} MsgSpec;

#define U G_MAXINT64
#define F_ID_       { "id", K_ID }
#define F_ROOM_     { "room", K_ROOM }
#define F_SEQ_      { "seq", K_INT, 1, U }
#define F_TS_       { "ts", K_INT, 0, U }
#define F_IDENTITY_ { "identity", K_IDENTITY }
#define F_OWNER_    { "owner", K_USERNAME, 0, 0, TRUE }
#define F_LINK_     { "link", K_LINK_ID }
#define F_DEVICE_   { "device", K_BASE64, 32, 32, TRUE }
#define F_BLOB_     { "blob", K_BASE64, 16, 16 }

static const MsgSpec specs[] = {
  { "register", "register", FROM_CLIENT, SOTTO_MSG_TYPE_REGISTER, sample_register,
    check_register_account,
    { F_ID_, { "username", K_USERNAME }, { "password", K_PASSWORD, 1, 1024 }, F_IDENTITY_,
      { "account", K_IDENTITY, 0, 0, TRUE } } },
  { "login", "login", FROM_CLIENT, SOTTO_MSG_TYPE_LOGIN, sample_login, check_login,
    { F_ID_, { "username", K_USERNAME }, { "password", K_PASSWORD, 1, 1024 }, F_IDENTITY_,
      { "reset", K_IDENTITY, 0, 0, TRUE }, { "proof", K_BASE64, 64, 64, TRUE } } },
  { "logout", "logout", FROM_CLIENT, SOTTO_MSG_TYPE_LOGOUT, sample_logout, check_id_only,
    { F_ID_ } },
  { "join", "join", FROM_CLIENT, SOTTO_MSG_TYPE_JOIN, sample_join, check_id_room,
    { F_ID_, { "room", K_NORMAL_ROOM } } },
  { "leave", "leave", FROM_CLIENT, SOTTO_MSG_TYPE_LEAVE, sample_leave, check_id_room,
    { F_ID_, F_ROOM_ } },
  { "list_rooms", "list_rooms", FROM_CLIENT, SOTTO_MSG_TYPE_LIST_ROOMS, sample_list_rooms,
    check_id_only, { F_ID_ } },
  { "list_members", "list_members", FROM_CLIENT, SOTTO_MSG_TYPE_LIST_MEMBERS,
    sample_list_members, check_id_room, { F_ID_, F_ROOM_ } },
  { "open_direct", "open_direct", FROM_CLIENT, SOTTO_MSG_TYPE_OPEN_DIRECT, sample_open_direct,
    check_open_direct, { F_ID_, { "user", K_USERNAME } } },
  { "send", "send", FROM_CLIENT, SOTTO_MSG_TYPE_SEND, sample_send, check_send,
    { F_ID_, F_ROOM_, { "msg_id", K_ID }, { "envelope", K_BASE64, 1, 65536 } } },
  { "send_key", "send_key", FROM_CLIENT, SOTTO_MSG_TYPE_SEND_KEY, sample_send_key,
    check_send_key,
    { F_ID_, { "to", K_USERNAME }, F_DEVICE_, F_ROOM_, { "box", K_BASE64, 1, 4096 } } },
  { "key_request", "key_request", FROM_CLIENT, SOTTO_MSG_TYPE_KEY_REQUEST, sample_key_request,
    check_key_request,
    { F_ID_, { "to", K_USERNAME }, F_DEVICE_, F_ROOM_, { "key_id", K_INT, 0, G_MAXUINT32 } } },
  { "ack_keys", "ack_keys", FROM_CLIENT, SOTTO_MSG_TYPE_ACK_KEYS, sample_ack_keys,
    check_ack_keys, { F_ID_, { "kids", K_KIDS, 1, 1000 } } },
  { "catchup", "catchup", FROM_CLIENT, SOTTO_MSG_TYPE_CATCHUP, sample_catchup, check_catchup,
    { F_ID_, F_ROOM_, { "after", K_INT, 0, U }, { "limit", K_INT, 1, 1000 } } },
  { "typing", "typing", FROM_CLIENT, SOTTO_MSG_TYPE_TYPING, sample_typing, check_typing,
    { F_ROOM_ } },
  { "kick", "kick", FROM_CLIENT, SOTTO_MSG_TYPE_KICK, sample_kick, check_kick,
    { F_ID_, F_ROOM_, { "user", K_USERNAME } } },
  { "unban", "unban", FROM_CLIENT, SOTTO_MSG_TYPE_UNBAN, sample_unban, check_kick,
    { F_ID_, F_ROOM_, { "user", K_USERNAME } } },
  { "list_bans", "list_bans", FROM_CLIENT, SOTTO_MSG_TYPE_LIST_BANS, sample_list_bans,
    check_id_room, { F_ID_, F_ROOM_ } },
  { "ping", "ping", FROM_CLIENT, SOTTO_MSG_TYPE_PING, sample_ping, check_id_only,
    { F_ID_ } },
  { "state", "state", FROM_CLIENT, SOTTO_MSG_TYPE_STATE, sample_state, check_state,
    { F_ID_, F_ROOM_, { "index", K_INT, 0, U }, { "event", K_BASE64, 1, 4096 } } },
  { "state_catchup", "state_catchup", FROM_CLIENT, SOTTO_MSG_TYPE_STATE_CATCHUP,
    sample_state_catchup, check_state_catchup,
    { F_ID_, F_ROOM_, { "from", K_INT, 0, U }, { "limit", K_INT, 1, 500 } } },
  { "publish_prekeys", "publish_prekeys", FROM_CLIENT, SOTTO_MSG_TYPE_PUBLISH_PREKEYS,
    sample_publish_prekeys, check_publish_prekeys,
    { F_ID_, { "bundle", K_BASE64, 238, 238, TRUE },
      { "one_time", K_BASE64_LIST, 0, 100, FALSE, 36 } } },
  { "get_prekeys", "get_prekeys", FROM_CLIENT, SOTTO_MSG_TYPE_GET_PREKEYS, sample_get_prekeys,
    check_get_prekeys, { F_ID_, { "user", K_USERNAME }, F_DEVICE_ } },
  { "publish_devices", "publish_devices", FROM_CLIENT, SOTTO_MSG_TYPE_PUBLISH_DEVICES,
    sample_publish_devices, check_publish_devices,
    { F_ID_, { "account_key", K_BASE64, 32, 32 }, { "counter", K_INT, 1, U },
      { "list", K_BASE64, 1, 4373 }, { "devices", K_DEVICES, 1, 16 },
      { "account", K_IDENTITY, 0, 0, TRUE } } },
  { "get_devices", "get_devices", FROM_CLIENT, SOTTO_MSG_TYPE_GET_DEVICES, sample_get_devices,
    check_get_devices, { F_ID_, { "user", K_USERNAME } } },
  { "link_offer", "link_offer", FROM_CLIENT, SOTTO_MSG_TYPE_LINK_OFFER, sample_link_offer,
    check_link_offer, { F_ID_, F_LINK_, { "offer", K_BASE64, 1, 267 } } },
  { "link_fetch", "link_fetch", FROM_CLIENT, SOTTO_MSG_TYPE_LINK_FETCH, sample_link_fetch,
    check_link_fetch, { F_ID_, F_LINK_ } },
  { "link_approve", "link_approve", FROM_CLIENT, SOTTO_MSG_TYPE_LINK_APPROVE, sample_link_approve,
    check_link_approve, { F_ID_, F_LINK_, { "approval", K_BASE64, 1, 4480 } } },

  { "welcome", "welcome", FROM_SERVER, SOTTO_MSG_TYPE_WELCOME, sample_welcome, check_welcome,
    { { "server_version", K_TEXT, 1, 64 }, { "protocol", K_INT, 1, 65535 },
      { "min_password", K_INT, 1, 1024 }, { "max_frame", K_INT, 1, G_MAXUINT32 },
      { "max_file", K_INT, 1, G_GINT64_CONSTANT (1) << 40, TRUE } } },
  { "ok", "ok", FROM_SERVER, SOTTO_MSG_TYPE_OK, sample_ok, check_id_only,
    { F_ID_ } },
  { "error", "error", FROM_SERVER, SOTTO_MSG_TYPE_ERROR, sample_error, check_error,
    { { "id", K_ID, 0, 0, TRUE }, { "code", K_ENUM }, { "message", K_TEXT, 1, 512 } } },
  { "session", "session", FROM_SERVER, SOTTO_MSG_TYPE_SESSION, sample_session, check_session,
    { F_ID_, { "user", K_USERNAME }, F_IDENTITY_, { "rooms", K_ROOMS } } },
  { "room_list", "room_list", FROM_SERVER, SOTTO_MSG_TYPE_ROOM_LIST, sample_room_list,
    check_room_list, { F_ID_, { "rooms", K_ROOMS } } },
  { "members", "members", FROM_SERVER, SOTTO_MSG_TYPE_MEMBERS, sample_members_msg,
    check_members,
    { F_ID_, F_ROOM_, F_OWNER_, { "state_length", K_INT, 0, U }, { "members", K_MEMBERS } } },
  { "joined", "joined", FROM_SERVER, SOTTO_MSG_TYPE_JOINED, sample_joined, check_joined,
    { F_ID_, F_ROOM_, F_OWNER_, { "direct", K_BOOL }, { "last_seq", K_INT, 0, U },
      { "state_length", K_INT, 0, U }, { "members", K_MEMBERS } } },
  { "bans", "bans", FROM_SERVER, SOTTO_MSG_TYPE_BANS, sample_bans_msg, check_bans,
    { F_ID_, F_ROOM_, { "bans", K_BANS } } },
  { "sent", "sent", FROM_SERVER, SOTTO_MSG_TYPE_SENT, sample_sent, check_sent,
    { F_ID_, F_ROOM_, { "msg_id", K_ID }, F_SEQ_, F_TS_ } },
  { "message", "message", FROM_SERVER, SOTTO_MSG_TYPE_MESSAGE, sample_message, check_message,
    { F_ROOM_, F_SEQ_, F_TS_, { "sender", K_USERNAME }, { "msg_id", K_ID },
      { "envelope", K_BASE64, 1, 65536 } } },
  { "member_joined", "member_joined", FROM_SERVER, SOTTO_MSG_TYPE_MEMBER_JOINED,
    sample_member_joined, check_member_identity_event,
    { F_ROOM_, F_SEQ_, F_TS_, { "user", K_USERNAME }, F_IDENTITY_ } },
  { "member_left", "member_left", FROM_SERVER, SOTTO_MSG_TYPE_MEMBER_LEFT, sample_member_left,
    check_member_left,
    { F_ROOM_, F_SEQ_, F_TS_, { "user", K_USERNAME }, { "reason", K_ENUM } } },
  { "key_changed", "key_changed", FROM_SERVER, SOTTO_MSG_TYPE_KEY_CHANGED, sample_key_changed,
    check_member_identity_event,
    { F_ROOM_, F_SEQ_, F_TS_, { "user", K_USERNAME }, F_IDENTITY_ } },
  { "presence", "presence", FROM_SERVER, SOTTO_MSG_TYPE_PRESENCE, sample_presence,
    check_presence, { { "user", K_USERNAME }, { "online", K_BOOL } } },
  { "key", "key", FROM_SERVER, SOTTO_MSG_TYPE_KEY, sample_key, check_key,
    { { "kid", K_INT, 1, U }, { "from", K_USERNAME }, F_DEVICE_, F_ROOM_,
      { "box", K_BASE64, 1, 4096 } } },
  { "key_requested", "key_requested", FROM_SERVER, SOTTO_MSG_TYPE_KEY_REQUESTED,
    sample_key_requested, check_key_requested,
    { { "kid", K_INT, 1, U }, { "from", K_USERNAME }, F_DEVICE_, F_ROOM_,
      { "key_id", K_INT, 0, G_MAXUINT32 } } },
  { "typing-event", "typing", FROM_SERVER, SOTTO_MSG_TYPE_TYPING, sample_typing_event,
    check_typing_event, { F_ROOM_, { "user", K_USERNAME } } },
  { "catchup_done", "catchup_done", FROM_SERVER, SOTTO_MSG_TYPE_CATCHUP_DONE,
    sample_catchup_done, check_catchup_done,
    { F_ID_, F_ROOM_, { "last_seq", K_INT, 0, U }, { "more", K_BOOL } } },
  { "notice", "notice", FROM_SERVER, SOTTO_MSG_TYPE_NOTICE, sample_notice, check_notice,
    { { "text", K_TEXT, 1, 2000 }, F_TS_ } },
  { "pong", "pong", FROM_SERVER, SOTTO_MSG_TYPE_PONG, sample_pong, check_id_only,
    { F_ID_ } },
  { "state_event", "state_event", FROM_SERVER, SOTTO_MSG_TYPE_STATE_EVENT, sample_state_event,
    check_state_event,
    { F_ROOM_, { "index", K_INT, 0, U }, { "sender", K_USERNAME }, F_TS_,
      { "event", K_BASE64, 1, 4096 } } },
  { "state_done", "state_done", FROM_SERVER, SOTTO_MSG_TYPE_STATE_DONE, sample_state_done,
    check_state_done, { F_ID_, F_ROOM_, { "length", K_INT, 0, U }, { "more", K_BOOL } } },
  { "prekeys_published", "prekeys_published", FROM_SERVER, SOTTO_MSG_TYPE_PREKEYS_PUBLISHED,
    sample_prekeys_published, check_prekeys_published,
    { F_ID_, { "one_time_left", K_INT, 0, 200 } } },
  { "prekeys", "prekeys", FROM_SERVER, SOTTO_MSG_TYPE_PREKEYS, sample_prekeys, check_prekeys,
    { F_ID_, { "user", K_USERNAME }, { "bundle", K_BASE64, 238, 238 },
      { "one_time", K_BASE64, 36, 36, TRUE } } },
  { "devices_published", "devices_published", FROM_SERVER, SOTTO_MSG_TYPE_DEVICES_PUBLISHED,
    sample_devices_published, check_devices_published,
    { F_ID_, { "counter", K_INT, 1, U } } },
  { "devices", "devices", FROM_SERVER, SOTTO_MSG_TYPE_DEVICES, sample_devices, check_devices,
    { F_ID_, { "user", K_USERNAME }, { "account_key", K_BASE64, 32, 32 },
      { "counter", K_INT, 1, U }, { "list", K_BASE64, 1, 4373 },
      { "seen", K_SEEN, 1, 16, TRUE } } },
  { "link_offered", "link_offered", FROM_SERVER, SOTTO_MSG_TYPE_LINK_OFFERED, sample_link_offered,
    check_link_offered, { F_ID_, F_LINK_, { "offer", K_BASE64, 1, 267 } } },
  { "link_approved", "link_approved", FROM_SERVER, SOTTO_MSG_TYPE_LINK_APPROVED,
    sample_link_approved, check_link_approved,
    { F_LINK_, { "approval", K_BASE64, 1, 4480 }, { "user", K_USERNAME } } },
  { "link_expired", "link_expired", FROM_SERVER, SOTTO_MSG_TYPE_LINK_EXPIRED, sample_link_expired,
    check_link_expired, { F_LINK_ } },
  { "devices_changed", "devices_changed", FROM_SERVER, SOTTO_MSG_TYPE_DEVICES_CHANGED,
    sample_devices_changed, check_devices_changed, { { "user", K_USERNAME } } },
  { "send_history", "send_history", FROM_CLIENT, SOTTO_MSG_TYPE_SEND_HISTORY,
    sample_send_history, check_send_history,
    { F_ID_, { "device", K_BASE64, 32, 32 }, { "chunk", K_BASE64, 1, 61440 } } },
  { "ack_history", "ack_history", FROM_CLIENT, SOTTO_MSG_TYPE_ACK_HISTORY, sample_ack_history,
    check_ack_history, { F_ID_, { "hids", K_KIDS, 1, 1000 } } },
  { "history", "history", FROM_SERVER, SOTTO_MSG_TYPE_HISTORY, sample_history, check_history,
    { { "hid", K_INT, 1, U }, { "device", K_BASE64, 32, 32 }, { "chunk", K_BASE64, 1, 61440 } } },
  { "upload", "upload", FROM_CLIENT, SOTTO_MSG_TYPE_UPLOAD, sample_upload, check_upload,
    { F_ID_, F_BLOB_, F_ROOM_, { "size", K_INT, 41, BLOB_SIZE_MAX } } },
  { "download", "download", FROM_CLIENT, SOTTO_MSG_TYPE_DOWNLOAD, sample_download,
    check_download,
    { F_ID_, F_BLOB_, { "offset", K_INT, 0, BLOB_SIZE_MAX - 1 },
      { "length", K_INT, 1, 262144 } } },
  { "upload_at", "upload_at", FROM_SERVER, SOTTO_MSG_TYPE_UPLOAD_AT, sample_upload_at,
    check_upload_at, { F_ID_, F_BLOB_, { "offset", K_INT, 0, BLOB_SIZE_MAX } } },
};

static const char * const error_code_names[] = {
  "bad_request", "unknown_type", "not_logged_in", "already_logged_in", "name_taken",
  "bad_username", "weak_password", "bad_credentials", "rate_limited", "no_such_room",
  "no_such_user", "not_member", "forbidden", "too_large", "overloaded", "internal", "banned",
  "conflict", "no_prekeys", "account_key_changed", "stale", "no_devices", "link_taken",
  "no_such_link", "not_linked", "no_such_device", "quota", "bad_offset", "no_such_blob", NULL
};

static const char * const leave_reason_names[] = { "left", "kicked", NULL };

/* Round trips */

static void
test_round_trip (gconstpointer data)
{
  const MsgSpec *spec = data;
  g_autoptr(GBytes) bytes = spec->sample ();
  g_autoptr(SottoMsg) msg = parse_ok (bytes, spec->direction, spec->msg_type);
  g_autoptr(GError) error = NULL;
  g_autoptr(SottoMsg) reversed = NULL;
  JsonObject *object = sotto_msg_get_object (msg);
  guint n_fields = 0;

  g_assert_cmpstr (sotto_msg_type_to_string (spec->msg_type), ==, spec->type);
  spec->check (msg);

  /* Exactly the fields of the table, plus "type". */
  while (n_fields < G_N_ELEMENTS (spec->fields) && spec->fields[n_fields].name != NULL)
    n_fields++;
  g_assert_cmpstr (json_object_get_string_member (object, "type"), ==, spec->type);
  g_assert_cmpuint (json_object_get_size (object), ==, n_fields + 1);

  /* The same bytes from the other side are refused. */
  reversed = sotto_msg_parse_bytes (bytes, !spec->direction, &error);
  g_assert_null (reversed);
  if (spec->msg_type == SOTTO_MSG_TYPE_TYPING)
    g_assert_true (error->domain == SOTTO_PROTOCOL_ERROR);
  else
    g_assert_error (error, SOTTO_PROTOCOL_ERROR, SOTTO_PROTOCOL_ERROR_WRONG_DIRECTION);
}

/* Rejection cases */

typedef struct
{
  char *value;    /* JSON text for the field, NULL to remove it */
  int   code;     /* a SottoProtocolError, or MUST_PARSE */
  char *name;     /* the field the message must name */
} Case;

static void
case_free (gpointer data)
{
  Case *c = data;

  g_free (c->value);
  g_free (c->name);
  g_free (c);
}

static void
add_case (GPtrArray  *cases,
          int         code,
          const char *name,
          char       *value)
{
  Case *c = g_new0 (Case, 1);

  c->value = value;
  c->code = code;
  c->name = g_strdup (name);
  g_ptr_array_add (cases, c);
}

static char *
json_quote (const char *str)
{
  g_autoptr(JsonNode) node = json_node_init_string (json_node_alloc (), str);

  return json_to_string (node, FALSE);
}

static char *
repeat (const char *unit,
        guint       times)
{
  GString *str = g_string_new (NULL);

  for (guint i = 0; i < times; i++)
    g_string_append (str, unit);

  return g_string_free (str, FALSE);
}

static char *
quoted_repeat (const char *prefix,
               const char *unit,
               guint       times,
               const char *suffix)
{
  g_autofree char *body = repeat (unit, times);
  g_autofree char *str = g_strconcat (prefix, body, suffix, NULL);

  return json_quote (str);
}

static char *
base64_of_size (gsize len)
{
  g_autoptr(GBytes) bytes = pattern_bytes (len, 17);
  g_autofree char *encoded = g_base64_encode (g_bytes_get_data (bytes, NULL), len);

  return json_quote (encoded);
}

static char *
identity_json (const char *box,
               const char *sign,
               const char *binding,
               const char *extra)
{
  g_autofree char *good_box = base64_of_size (32);
  g_autofree char *good_sign = base64_of_size (32);
  g_autofree char *good_binding = base64_of_size (64);
  GString *str = g_string_new ("{");
  gboolean first = TRUE;

#define APPEND_MEMBER(n, v) \
  if ((v) != NULL) \
    { \
      g_string_append_printf (str, "%s\"%s\":%s", first ? "" : ",", n, v); \
      first = FALSE; \
    }

  APPEND_MEMBER ("box", box == NULL ? good_box : (*box ? box : NULL));
  APPEND_MEMBER ("sign", sign == NULL ? good_sign : (*sign ? sign : NULL));
  APPEND_MEMBER ("binding", binding == NULL ? good_binding : (*binding ? binding : NULL));
  if (extra != NULL)
    g_string_append_printf (str, "%s%s", first ? "" : ",", extra);

#undef APPEND_MEMBER

  g_string_append_c (str, '}');

  return g_string_free (str, FALSE);
}

/* Bad encodings of a base64 field that must decode to @len bytes. */
static void
add_base64_cases (GPtrArray  *cases,
                  const char *name,
                  gsize       len,
                  gboolean    ok_length)
{
  g_autoptr(GBytes) zeros = g_bytes_new_take (g_malloc0 (len), len);
  g_autofree char *good = g_base64_encode (g_bytes_get_data (zeros, NULL), len);
  gsize good_len = strlen (good);
  char *bad;

  if (ok_length)
    add_case (cases, MUST_PARSE, name, json_quote (good));

  /* Not a multiple of four. */
  bad = g_strndup (good, good_len - 1);
  add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, name, json_quote (bad));
  g_free (bad);

  /* Outside the standard alphabet, including the URL-safe one. */
  for (const char *c = "!-_ *"; *c != '\0'; c++)
    {
      bad = g_strdup (good);
      bad[0] = *c;
      add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, name, json_quote (bad));
      g_free (bad);
    }

  /* A newline, which g_base64_decode() would skip. */
  bad = g_strdup (good);
  bad[1] = '\n';
  add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, name, json_quote (bad));
  g_free (bad);

  /* Padding in the wrong place. */
  bad = g_strdup (good);
  bad[0] = '=';
  add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, name, json_quote (bad));
  g_free (bad);

  bad = g_strconcat (good, "====", NULL);
  add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, name, json_quote (bad));
  g_free (bad);

  add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, name, json_quote ("A==="));
  add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, name, json_quote ("AA=A"));
  add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, name, json_quote ("===="));

  /* Missing padding. */
  if (len % 3 != 0)
    {
      bad = g_strdup (good);
      *strchr (bad, '=') = '\0';
      add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, name, json_quote (bad));
      g_free (bad);

      /* Leftover bits that are not zero: a second spelling of the same bytes. */
      bad = g_strdup (good);
      bad[strcspn (bad, "=") - 1] = 'B';
      add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, name, json_quote (bad));
      g_free (bad);
    }
}

static void
add_int_cases (GPtrArray       *cases,
               const FieldSpec *field)
{
  const char *name = field->name;

  add_case (cases, MUST_PARSE, name, g_strdup_printf ("%" G_GINT64_FORMAT, field->min));
  add_case (cases, MUST_PARSE, name, g_strdup_printf ("%" G_GINT64_FORMAT, field->max));
  if (field->min > G_MININT64)
    add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, name,
              g_strdup_printf ("%" G_GINT64_FORMAT, field->min - 1));
  if (field->max < G_MAXINT64)
    add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, name,
              g_strdup_printf ("%" G_GINT64_FORMAT, field->max + 1));
  add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, name,
            g_strdup_printf ("%" G_GINT64_FORMAT, G_MININT64 + 1));

  /* Numbers that are not integers, even when integral. */
  add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, name, g_strdup ("1.5"));
  add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, name, g_strdup ("1.0"));
  add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, name, g_strdup ("1e2"));
  add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, name, g_strdup ("-0.0"));

  for (const char * const *w = (const char * const[]) { "\"1\"", "true", "null", "[1]",
                                                        "{}", NULL }; *w; w++)
    add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, name, g_strdup (*w));
}

static void
add_string_type_cases (GPtrArray  *cases,
                       const char *name)
{
  for (const char * const *w = (const char * const[]) { "42", "true", "false", "null", "[]",
                                                        "[\"a\"]", "{}", "1.5", NULL };
       *w; w++)
    add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, name, g_strdup (*w));
}

static const char * const good_ids[] = { "a", "A-z_09", "-", "_", NULL };
static const char * const bad_ids[] = {
  "", "a b", "a.b", "a/b", "a+b", "é", "a\nb", "@x", NULL
};
static const char * const good_usernames[] = { "a", "Alice.Smith_2", "-", "...", "_-._", NULL };
static const char * const bad_usernames[] = {
  "", "a b", "a@b", "a+b", "é", "a/b", "@alice+bob", NULL
};
static const char * const good_normal_rooms[] = { "a", "0", "general", "a.b_c-d", "9-._", NULL };
static const char * const bad_normal_rooms[] = {
  "", "General", "-room", ".room", "_room", "ro om", "room!", "é", DIRECT_ROOM, "@a+b", NULL
};
static const char * const good_rooms[] = {
  "a", "general", "a.b_c-d", DIRECT_ROOM, "@a+b", "@a.b+c-d", "@-+_", "@alice+alice", NULL
};
static const char * const bad_rooms[] = {
  "", "General", "-room", "ro om", "@", "@+", "@alice", "@alice+", "@+bob", "@Alice+bob",
  "@alice+Bob", "@a+b+c", "@a b+c", "alice+bob", "@@a+b", "a@b", NULL
};

static void
add_name_cases (GPtrArray  *cases,
                const char *name,
                Kind        kind)
{
  const char * const *good = NULL;
  const char * const *bad = NULL;
  guint max = 0;
  const char *max_unit = "a";

  switch (kind)
    {
    case K_ID:
      max = 64;
      max_unit = "Z";
      good = good_ids;
      bad = bad_ids;
      break;

    case K_USERNAME:
      max = 32;
      max_unit = "Q";
      good = good_usernames;
      bad = bad_usernames;
      break;

    case K_NORMAL_ROOM:
      max = 64;
      good = good_normal_rooms;
      bad = bad_normal_rooms;
      break;

    case K_ROOM:
      max = 64;
      good = good_rooms;
      bad = bad_rooms;
      break;

    case K_PASSWORD:
    case K_TEXT:
    case K_INT:
    case K_BOOL:
    case K_ENUM:
    case K_BASE64:
    case K_KIDS:
    case K_MEMBERS:
    case K_ROOMS:
    case K_BANS:
    case K_IDENTITY:
    case K_BASE64_LIST:
    case K_LINK_ID:
    case K_DEVICES:
    case K_SEEN:
    default:
      g_assert_not_reached ();
    }

  for (guint i = 0; good[i] != NULL; i++)
    add_case (cases, MUST_PARSE, name, json_quote (good[i]));
  for (guint i = 0; bad[i] != NULL; i++)
    add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, name, json_quote (bad[i]));

  add_case (cases, MUST_PARSE, name, quoted_repeat ("", max_unit, max, ""));
  add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, name, quoted_repeat ("", max_unit, max + 1, ""));

  if (kind == K_ROOM)
    {
      /* Each side of a direct room is a folded user name, 1–32 characters. */
      add_case (cases, MUST_PARSE, name, quoted_repeat ("@", "a", 32, "+b"));
      add_case (cases, MUST_PARSE, name, quoted_repeat ("@b+", "a", 32, ""));
      add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, name, quoted_repeat ("@", "a", 33, "+b"));
      add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, name, quoted_repeat ("@b+", "a", 33, ""));
    }

  add_string_type_cases (cases, name);
}

static const char * const good_link_ids[] = {
  "0123456789abcdef0123456789abcdef", "00000000000000000000000000000000",
  "ffffffffffffffffffffffffffffffff", NULL
};
static const char * const bad_link_ids[] = {
  "",
  "0123456789abcdef0123456789abcde",    /* 31 */
  "0123456789abcdef0123456789abcdef0",  /* 33 */
  "0123456789ABCDEF0123456789ABCDEF",
  "0123456789abcdef0123456789abcdeF",
  "0123456789abcdef0123456789abcdeg",
  "0123456789abcdef 123456789abcdef",
  "0123456789abcdef-0123456789abcde",
  "0123-4567-89ab-cdef-0123-4567-89",
  "0x23456789abcdef0123456789abcdef",
  "é123456789abcdef0123456789abcde",
  NULL
};

/* Exactly 32 characters of lowercase hex: one spelling per link id. */
static void
add_link_id_cases (GPtrArray  *cases,
                   const char *name)
{
  for (guint i = 0; good_link_ids[i] != NULL; i++)
    add_case (cases, MUST_PARSE, name, json_quote (good_link_ids[i]));
  for (guint i = 0; bad_link_ids[i] != NULL; i++)
    add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, name, json_quote (bad_link_ids[i]));

  add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, name, quoted_repeat ("", "a", 31, ""));
  add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, name, quoted_repeat ("", "a", 33, ""));
  add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, name, quoted_repeat ("", "a", 64, ""));
  add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, name, quoted_repeat ("", "A", 32, ""));
  add_string_type_cases (cases, name);
}

static void
add_object_array_cases (GPtrArray       *cases,
                        const FieldSpec *field)
{
  const char *name = field->name;
  g_autofree char *identity = identity_json (NULL, NULL, NULL, NULL);
  g_autofree char *item0 = g_strdup_printf ("%s[0]", name);

  add_case (cases, MUST_PARSE, name, g_strdup ("[]"));
  for (const char * const *w = (const char * const[]) { "{}", "\"x\"", "1", "null", "true",
                                                        NULL }; *w; w++)
    add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, name, g_strdup (*w));

  add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, item0, g_strdup ("[1]"));
  add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, item0, g_strdup ("[[]]"));
  add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, item0, g_strdup ("[\"x\"]"));

  if (field->kind == K_MEMBERS)
    {
      g_autofree char *short_box = base64_of_size (31);
      g_autofree char *bad_box = identity_json (short_box, NULL, NULL, NULL);
      g_autofree char *missing_sign = identity_json (NULL, "", NULL, NULL);

      add_case (cases, MUST_PARSE, name,
                g_strdup_printf ("[{\"user\":\"a\",\"identity\":%s,\"online\":false},"
                                 "{\"online\":true,\"user\":\"b\",\"identity\":%s}]",
                                 identity, identity));
      add_case (cases, SOTTO_PROTOCOL_ERROR_MISSING_FIELD, "members[0].user", g_strdup ("[{}]"));
      add_case (cases, SOTTO_PROTOCOL_ERROR_MISSING_FIELD, "members[1].online",
                g_strdup_printf ("[{\"user\":\"a\",\"identity\":%s,\"online\":false},"
                                 "{\"user\":\"b\",\"identity\":%s}]", identity, identity));
      add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, "members[0].user",
                g_strdup_printf ("[{\"user\":\"a b\",\"identity\":%s,\"online\":false}]",
                                 identity));
      add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, "members[0].online",
                g_strdup_printf ("[{\"user\":\"a\",\"identity\":%s,\"online\":1}]", identity));
      add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, "members[0].identity",
                g_strdup ("[{\"user\":\"a\",\"identity\":[],\"online\":true}]"));
      add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, "members[0].identity.box",
                g_strdup_printf ("[{\"user\":\"a\",\"identity\":%s,\"online\":true}]", bad_box));
      add_case (cases, SOTTO_PROTOCOL_ERROR_MISSING_FIELD, "members[0].identity.sign",
                g_strdup_printf ("[{\"user\":\"a\",\"identity\":%s,\"online\":true}]",
                                 missing_sign));
      add_case (cases, SOTTO_PROTOCOL_ERROR_UNKNOWN_FIELD, "members[0].role",
                g_strdup_printf ("[{\"user\":\"a\",\"identity\":%s,\"online\":true,"
                                 "\"role\":\"admin\"}]", identity));
    }
  else if (field->kind == K_BANS)
    {
      /* Who banned is there unless the operator did. */
      add_case (cases, MUST_PARSE, name,
                g_strdup ("[{\"user\":\"a\",\"banned_by\":\"b\",\"ts\":0},"
                          "{\"ts\":9223372036854775807,\"user\":\"c\"}]"));
      add_case (cases, SOTTO_PROTOCOL_ERROR_MISSING_FIELD, "bans[0].user", g_strdup ("[{}]"));
      add_case (cases, SOTTO_PROTOCOL_ERROR_MISSING_FIELD, "bans[1].ts",
                g_strdup ("[{\"user\":\"a\",\"ts\":1},{\"user\":\"b\"}]"));
      add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, "bans[0].user",
                g_strdup ("[{\"user\":\"a b\",\"ts\":1}]"));
      add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, "bans[0].banned_by",
                g_strdup ("[{\"user\":\"a\",\"banned_by\":\"@a+b\",\"ts\":1}]"));
      add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, "bans[0].banned_by",
                g_strdup ("[{\"user\":\"a\",\"banned_by\":null,\"ts\":1}]"));
      add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, "bans[0].ts",
                g_strdup ("[{\"user\":\"a\",\"ts\":-1}]"));
      add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, "bans[0].ts",
                g_strdup ("[{\"user\":\"a\",\"ts\":1.5}]"));
      add_case (cases, SOTTO_PROTOCOL_ERROR_UNKNOWN_FIELD, "bans[0].reason",
                g_strdup ("[{\"user\":\"a\",\"ts\":1,\"reason\":\"spam\"}]"));
    }
  else
    {
      GString *many = g_string_new ("[");

      add_case (cases, MUST_PARSE, name,
                g_strdup ("[{\"room\":\"a\",\"members\":0,\"direct\":false,\"last_seq\":0},"
                          "{\"last_seq\":9223372036854775807,\"direct\":true,"
                          "\"members\":9223372036854775807,\"room\":\"@a+b\"}]"));
      add_case (cases, SOTTO_PROTOCOL_ERROR_MISSING_FIELD, "rooms[0].room", g_strdup ("[{}]"));
      add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, "rooms[1].members",
                g_strdup ("[{\"room\":\"a\",\"members\":0,\"direct\":false,\"last_seq\":0},"
                          "{\"room\":\"b\",\"members\":-1,\"direct\":false,\"last_seq\":0}]"));
      add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, "rooms[0].room",
                g_strdup ("[{\"room\":\"A\",\"members\":0,\"direct\":false,\"last_seq\":0}]"));
      add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, "rooms[0].direct",
                g_strdup ("[{\"room\":\"a\",\"members\":0,\"direct\":\"no\",\"last_seq\":0}]"));
      add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, "rooms[0].last_seq",
                g_strdup ("[{\"room\":\"a\",\"members\":0,\"direct\":false,\"last_seq\":0.5}]"));
      add_case (cases, SOTTO_PROTOCOL_ERROR_UNKNOWN_FIELD, "rooms[0].topic",
                g_strdup ("[{\"room\":\"a\",\"members\":0,\"direct\":false,\"last_seq\":0,"
                          "\"topic\":\"x\"}]"));

      /* The count limit; members lists that long do not fit in a message. */
      for (guint i = 0; i < SOTTO_PROTOCOL_MAX_LIST_ITEMS; i++)
        g_string_append_printf (many, "%s{\"room\":\"r\",\"members\":1,\"direct\":false,"
                                "\"last_seq\":1}", i == 0 ? "" : ",");
      g_string_append_c (many, ']');
      add_case (cases, MUST_PARSE, name, g_strdup (many->str));
      g_string_truncate (many, many->len - 1);
      g_string_append (many, ",{\"room\":\"r\",\"members\":1,\"direct\":false,\"last_seq\":1}]");
      add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, name, g_string_free (many, FALSE));
    }
}

/* An array of 1 to 16 identities: the devices a list holds. */
static void
add_devices_cases (GPtrArray       *cases,
                   const FieldSpec *field)
{
  const char *name = field->name;
  g_autofree char *identity = identity_json (NULL, NULL, NULL, NULL);
  g_autofree char *short_sign = base64_of_size (31);
  g_autofree char *bad_sign = identity_json (NULL, short_sign, NULL, NULL);
  g_autofree char *item0 = g_strdup_printf ("%s[0]", name);
  g_autofree char *item1 = g_strdup_printf ("%s[1]", name);
  g_autofree char *item0_sign = g_strdup_printf ("%s[0].sign", name);
  g_autofree char *item0_binding = g_strdup_printf ("%s[0].binding", name);
  g_autofree char *item0_extra = g_strdup_printf ("%s[0].name", name);
  g_autofree char *no_binding = identity_json (NULL, NULL, "", NULL);
  g_autofree char *with_name = identity_json (NULL, NULL, NULL, "\"name\":\"x\"");
  GString *many = g_string_new ("[");

  add_case (cases, MUST_PARSE, name, g_strdup_printf ("[%s]", identity));
  add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, name, g_strdup ("[]"));
  for (const char * const *w = (const char * const[]) { "{}", "\"x\"", "1", "null", "true",
                                                        NULL }; *w; w++)
    add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, name, g_strdup (*w));
  add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, item0, g_strdup ("[1]"));
  add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, item0, g_strdup ("[[]]"));
  add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, item1,
            g_strdup_printf ("[%s,\"x\"]", identity));
  add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, item0_sign,
            g_strdup_printf ("[%s]", bad_sign));
  add_case (cases, SOTTO_PROTOCOL_ERROR_MISSING_FIELD, item0_binding,
            g_strdup_printf ("[%s]", no_binding));
  add_case (cases, SOTTO_PROTOCOL_ERROR_UNKNOWN_FIELD, item0_extra,
            g_strdup_printf ("[%s]", with_name));

  for (gint64 i = 0; i < field->max; i++)
    g_string_append_printf (many, "%s%s", i == 0 ? "" : ",", identity);
  g_string_append_c (many, ']');
  add_case (cases, MUST_PARSE, name, g_strdup (many->str));
  g_string_truncate (many, many->len - 1);
  g_string_append_printf (many, ",%s]", identity);
  add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, name, g_string_free (many, FALSE));
}

static char *
seen_json (const char *device,
           const char *last_seen,
           const char *online,
           const char *extra)
{
  g_autofree char *key = base64_of_size (32);
  GString *str = g_string_new ("{");

  /* An empty string leaves the member out. */
  if (device == NULL || device[0] != '\0')
    g_string_append_printf (str, "\"device\":%s,", device != NULL ? device : key);
  if (last_seen == NULL || last_seen[0] != '\0')
    g_string_append_printf (str, "\"last_seen\":%s,", last_seen != NULL ? last_seen : "0");
  if (online == NULL || online[0] != '\0')
    g_string_append_printf (str, "\"online\":%s,", online != NULL ? online : "false");
  if (extra != NULL)
    g_string_append_printf (str, "%s,", extra);
  g_string_truncate (str, str->len - 1);
  g_string_append_c (str, '}');
  return g_string_free (str, FALSE);
}

/* An array of 1 to 16 devices, each with when it was last seen. */
static void
add_seen_cases (GPtrArray       *cases,
                const FieldSpec *field)
{
  const char *name = field->name;
  g_autofree char *item = seen_json (NULL, NULL, NULL, NULL);
  g_autofree char *key = base64_of_size (32);
  g_autofree char *item0 = g_strdup_printf ("%s[0]", name);
  g_autofree char *item1 = g_strdup_printf ("%s[1]", name);
  g_autoptr(GPtrArray) sub = g_ptr_array_new_with_free_func (case_free);
  GString *many = g_string_new ("[");
  struct {
    const char *member;
    int         code;
    char       *value;
  } parts[] = {
    { "device", SOTTO_PROTOCOL_ERROR_MISSING_FIELD, seen_json ("", NULL, NULL, NULL) },
    { "device", SOTTO_PROTOCOL_ERROR_BAD_FIELD, seen_json ("\"\"", NULL, NULL, NULL) },
    { "device", SOTTO_PROTOCOL_ERROR_BAD_FIELD, seen_json ("1", NULL, NULL, NULL) },
    { "last_seen", SOTTO_PROTOCOL_ERROR_MISSING_FIELD, seen_json (NULL, "", NULL, NULL) },
    { "last_seen", SOTTO_PROTOCOL_ERROR_BAD_FIELD, seen_json (NULL, "-1", NULL, NULL) },
    { "last_seen", SOTTO_PROTOCOL_ERROR_BAD_FIELD, seen_json (NULL, "1.5", NULL, NULL) },
    { "last_seen", SOTTO_PROTOCOL_ERROR_BAD_FIELD, seen_json (NULL, "\"1\"", NULL, NULL) },
    { "last_seen", SOTTO_PROTOCOL_ERROR_BAD_FIELD, seen_json (NULL, "null", NULL, NULL) },
    { "online", SOTTO_PROTOCOL_ERROR_MISSING_FIELD, seen_json (NULL, NULL, "", NULL) },
    { "online", SOTTO_PROTOCOL_ERROR_BAD_FIELD, seen_json (NULL, NULL, "1", NULL) },
    { "online", SOTTO_PROTOCOL_ERROR_BAD_FIELD, seen_json (NULL, NULL, "\"true\"", NULL) },
    { "name", SOTTO_PROTOCOL_ERROR_UNKNOWN_FIELD,
      seen_json (NULL, NULL, NULL, "\"name\":\"x\"") },
  };

  add_case (cases, MUST_PARSE, name, g_strdup_printf ("[%s]", item));
  add_case (cases, MUST_PARSE, name,
            g_strdup_printf ("[%s,{\"online\":true,\"last_seen\":9223372036854775807,"
                             "\"device\":%s}]", item, key));
  add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, name, g_strdup ("[]"));
  for (const char * const *w = (const char * const[]) { "{}", "\"x\"", "1", "null", "true",
                                                        NULL }; *w; w++)
    add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, name, g_strdup (*w));
  add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, item0, g_strdup ("[1]"));
  add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, item0, g_strdup ("[[]]"));
  add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, item1, g_strdup_printf ("[%s,\"x\"]", item));

  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    {
      g_autofree char *path = g_strdup_printf ("%s[0].%s", name, parts[i].member);

      add_case (cases, parts[i].code, path, g_strdup_printf ("[%s]", parts[i].value));
      g_free (parts[i].value);
    }

  /* The device is a signing key: exactly 32 bytes, in canonical base64. */
  {
    g_autofree char *path = g_strdup_printf ("%s[0].device", name);

    add_case (sub, SOTTO_PROTOCOL_ERROR_BAD_FIELD, path, base64_of_size (31));
    add_case (sub, SOTTO_PROTOCOL_ERROR_BAD_FIELD, path, base64_of_size (33));
    add_base64_cases (sub, path, 32, FALSE);
    for (guint i = 0; i < sub->len; i++)
      {
        Case *c = g_ptr_array_index (sub, i);
        g_autofree char *bad = seen_json (c->value, NULL, NULL, NULL);

        add_case (cases, c->code, c->name, g_strdup_printf ("[%s]", bad));
      }
  }

  for (gint64 i = 0; i < field->max; i++)
    g_string_append_printf (many, "%s%s", i == 0 ? "" : ",", item);
  g_string_append_c (many, ']');
  add_case (cases, MUST_PARSE, name, g_strdup (many->str));
  g_string_truncate (many, many->len - 1);
  g_string_append_printf (many, ",%s]", item);
  add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, name, g_string_free (many, FALSE));
}

/* A base64 field of exactly @len bytes: one short or over, and every bad
 * form. */
static void
add_exact_base64_cases (GPtrArray  *cases,
                        const char *name,
                        gsize       len)
{
  add_case (cases, MUST_PARSE, name, base64_of_size (len));
  add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, name, base64_of_size (len - 1));
  add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, name, base64_of_size (len + 1));
  add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, name, json_quote (""));
  add_base64_cases (cases, name, len, TRUE);
  add_string_type_cases (cases, name);
}

static char *
base64_list (gsize  item_size,
             guint  n_items,
             gssize odd_size)
{
  GString *str = g_string_new ("[");

  for (guint i = 0; i < n_items; i++)
    {
      g_autofree char *item = base64_of_size (i + 1 == n_items && odd_size >= 0 ? (gsize) odd_size
                                                                              : item_size);

      g_string_append_printf (str, "%s%s", i == 0 ? "" : ",", item);
    }
  g_string_append_c (str, ']');

  return g_string_free (str, FALSE);
}

/* An array of base64 items of one size: the count limits, items of the
 * wrong kind or size, and every bad form of an item. */
static void
add_base64_list_cases (GPtrArray       *cases,
                       const FieldSpec *field)
{
  const char *name = field->name;
  gsize size = field->item_size;
  g_autofree char *item0 = g_strdup_printf ("%s[0]", name);
  g_autofree char *item1 = g_strdup_printf ("%s[1]", name);
  g_autoptr(GPtrArray) sub = g_ptr_array_new_with_free_func (case_free);

  add_case (cases, MUST_PARSE, name, base64_list (size, (guint) field->min, -1));
  add_case (cases, MUST_PARSE, name, base64_list (size, 1, -1));
  add_case (cases, MUST_PARSE, name, base64_list (size, (guint) field->max, -1));
  add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, name,
            base64_list (size, (guint) field->max + 1, -1));
  if (field->min > 0)
    add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, name,
              base64_list (size, (guint) field->min - 1, -1));
  for (const char * const *w = (const char * const[]) { "{}", "\"x\"", "1", "null", "true",
                                                        NULL }; *w; w++)
    add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, name, g_strdup (*w));

  add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, item0, base64_list (size, 1, size - 1));
  add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, item0, base64_list (size, 1, size + 1));
  add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, item1, base64_list (size, 2, size + 1));
  add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, item1, base64_list (size, 2, 0));
  for (const char * const *w = (const char * const[]) { "[1]", "[null]", "[true]", "[[]]",
                                                        "[{}]", NULL }; *w; w++)
    add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, item0, g_strdup (*w));

  add_base64_cases (sub, item0, size, TRUE);
  for (guint i = 0; i < sub->len; i++)
    {
      Case *c = g_ptr_array_index (sub, i);

      add_case (cases, c->code, c->name, g_strdup_printf ("[%s]", c->value));
    }
}

static GPtrArray *
make_cases (const FieldSpec *field)
{
  GPtrArray *cases = g_ptr_array_new_with_free_func (case_free);
  const char *name = field->name;

  if (field->optional)
    add_case (cases, MUST_PARSE, name, NULL);
  else
    add_case (cases, SOTTO_PROTOCOL_ERROR_MISSING_FIELD, name, NULL);

  switch (field->kind)
    {
    case K_ID:
    case K_USERNAME:
    case K_ROOM:
    case K_NORMAL_ROOM:
      add_name_cases (cases, name, field->kind);
      break;

    case K_PASSWORD:
      add_case (cases, MUST_PARSE, name, json_quote ("x"));
      add_case (cases, MUST_PARSE, name, json_quote ("é"));
      add_case (cases, MUST_PARSE, name, json_quote ("  spaces and\ttabs  "));
      add_case (cases, MUST_PARSE, name, quoted_repeat ("", "p", 1024, ""));
      add_case (cases, MUST_PARSE, name, quoted_repeat ("", "é", 512, ""));
      add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, name, json_quote (""));
      add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, name, quoted_repeat ("", "p", 1025, ""));
      add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, name, quoted_repeat ("x", "é", 512, ""));
      add_string_type_cases (cases, name);
      break;

    case K_TEXT:
      /* Lengths count characters, not bytes. */
      add_case (cases, MUST_PARSE, name, json_quote ("x"));
      add_case (cases, MUST_PARSE, name, quoted_repeat ("", "é", (guint) field->max, ""));
      add_case (cases, MUST_PARSE, name, quoted_repeat ("", "😀", (guint) field->max, ""));
      add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, name, json_quote (""));
      add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, name,
                quoted_repeat ("", "a", (guint) field->max + 1, ""));
      add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, name,
                quoted_repeat ("", "é", (guint) field->max + 1, ""));
      add_string_type_cases (cases, name);
      break;

    case K_INT:
      add_int_cases (cases, field);
      break;

    case K_BOOL:
      add_case (cases, MUST_PARSE, name, g_strdup ("true"));
      add_case (cases, MUST_PARSE, name, g_strdup ("false"));
      for (const char * const *w = (const char * const[]) { "1", "0", "\"true\"", "null",
                                                            "[]", "{}", NULL }; *w; w++)
        add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, name, g_strdup (*w));
      break;

    case K_ENUM:
      {
        const char * const *values = strcmp (name, "code") == 0 ? error_code_names
                                                                : leave_reason_names;

        for (guint i = 0; values[i] != NULL; i++)
          add_case (cases, MUST_PARSE, name, json_quote (values[i]));
        add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, name, json_quote (""));
        add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, name, json_quote ("nope"));
        add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, name, json_quote ("LEFT"));
        add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, name, json_quote ("internal "));
        add_string_type_cases (cases, name);
      }
      break;

    case K_BASE64:
      if (field->min == field->max)
        {
          add_exact_base64_cases (cases, name, (gsize) field->min);
          break;
        }
      add_case (cases, MUST_PARSE, name, base64_of_size (1));
      add_case (cases, MUST_PARSE, name, base64_of_size (2));
      add_case (cases, MUST_PARSE, name, base64_of_size (3));
      add_case (cases, MUST_PARSE, name, base64_of_size ((gsize) field->max));
      add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, name, json_quote (""));
      add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, name,
                base64_of_size ((gsize) field->max + 1));
      add_base64_cases (cases, name, 1, TRUE);
      add_base64_cases (cases, name, 2, TRUE);
      add_string_type_cases (cases, name);
      break;

    case K_KIDS:
      {
        g_autofree char *many = NULL;
        g_autofree char *item0 = g_strdup_printf ("%s[0]", name);
        g_autofree char *item1 = g_strdup_printf ("%s[1]", name);
        g_autofree char *item2 = g_strdup_printf ("%s[2]", name);
        GString *str = g_string_new ("[");

        for (guint i = 1; i <= 1000; i++)
          g_string_append_printf (str, "%s%u", i == 1 ? "" : ",", i);
        g_string_append_c (str, ']');
        add_case (cases, MUST_PARSE, name, g_strdup (str->str));
        g_string_truncate (str, str->len - 1);
        g_string_append (str, ",1001]");
        many = g_string_free (str, FALSE);

        add_case (cases, MUST_PARSE, name, g_strdup ("[1]"));
        add_case (cases, MUST_PARSE, name, g_strdup ("[9223372036854775807,1,1]"));
        add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, name, g_strdup ("[]"));
        add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, name, g_steal_pointer (&many));
        add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, item0, g_strdup ("[0]"));
        add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, item2, g_strdup ("[1,2,-1]"));
        add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, item1, g_strdup ("[1,1.0]"));
        add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, item0, g_strdup ("[\"1\"]"));
        add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, item0, g_strdup ("[true]"));
        add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, item0, g_strdup ("[null]"));
        add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, item0, g_strdup ("[[1]]"));
        add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, item0, g_strdup ("[{}]"));
        for (const char * const *w = (const char * const[]) { "1", "\"1\"", "{}", "null",
                                                              NULL }; *w; w++)
          add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, name, g_strdup (*w));
      }
      break;

    case K_MEMBERS:
    case K_ROOMS:
    case K_BANS:
      add_object_array_cases (cases, field);
      break;

    case K_BASE64_LIST:
      add_base64_list_cases (cases, field);
      break;

    case K_LINK_ID:
      add_link_id_cases (cases, name);
      break;

    case K_DEVICES:
      add_devices_cases (cases, field);
      break;

    case K_SEEN:
      add_seen_cases (cases, field);
      break;

    case K_IDENTITY:
      {
        const struct { const char *member; gsize len; } parts[] = {
          { "box", 32 }, { "sign", 32 }, { "binding", 64 },
        };
        g_autofree char *extra = g_strconcat (name, ".extra", NULL);
        g_autofree char *box = g_strconcat (name, ".box", NULL);
        g_autofree char *sign = g_strconcat (name, ".sign", NULL);
        g_autofree char *binding = g_strconcat (name, ".binding", NULL);

        add_case (cases, MUST_PARSE, name, identity_json (NULL, NULL, NULL, NULL));
        for (const char * const *w = (const char * const[]) { "[]", "\"x\"", "1", "null",
                                                              "true", NULL }; *w; w++)
          add_case (cases, SOTTO_PROTOCOL_ERROR_BAD_FIELD, name, g_strdup (*w));
        add_case (cases, SOTTO_PROTOCOL_ERROR_UNKNOWN_FIELD, extra,
                  identity_json (NULL, NULL, NULL, "\"extra\":1"));
        add_case (cases, SOTTO_PROTOCOL_ERROR_MISSING_FIELD, box,
                  identity_json ("", NULL, NULL, NULL));
        add_case (cases, SOTTO_PROTOCOL_ERROR_MISSING_FIELD, sign,
                  identity_json (NULL, "", NULL, NULL));
        add_case (cases, SOTTO_PROTOCOL_ERROR_MISSING_FIELD, binding,
                  identity_json (NULL, NULL, "", NULL));

        for (guint p = 0; p < G_N_ELEMENTS (parts); p++)
          {
            g_autofree char *path = g_strdup_printf ("%s.%s", name, parts[p].member);
            g_autoptr(GPtrArray) sub = g_ptr_array_new_with_free_func (case_free);
            const char *values[3] = { NULL, NULL, NULL };

            /* Exact lengths: one byte short or over, and every bad form. */
            add_case (sub, SOTTO_PROTOCOL_ERROR_BAD_FIELD, path, base64_of_size (parts[p].len - 1));
            add_case (sub, SOTTO_PROTOCOL_ERROR_BAD_FIELD, path, base64_of_size (parts[p].len + 1));
            add_case (sub, SOTTO_PROTOCOL_ERROR_BAD_FIELD, path, json_quote (""));
            add_case (sub, SOTTO_PROTOCOL_ERROR_BAD_FIELD, path, g_strdup ("1"));
            add_case (sub, SOTTO_PROTOCOL_ERROR_BAD_FIELD, path, g_strdup ("null"));
            add_base64_cases (sub, path, parts[p].len, FALSE);

            for (guint i = 0; i < sub->len; i++)
              {
                Case *c = g_ptr_array_index (sub, i);

                values[0] = values[1] = values[2] = NULL;
                values[p] = c->value;
                add_case (cases, c->code, c->name,
                          identity_json (values[0], values[1], values[2], NULL));
              }
          }
      }
      break;

    default:
      g_assert_not_reached ();
    }

  return cases;
}

static void
assert_error_names (const GError *error,
                    const char   *name)
{
  g_autofree char *quoted = g_strdup_printf ("“%s”", name);

  if (strstr (error->message, quoted) == NULL)
    g_test_message ("error message “%s” does not name %s", error->message, quoted);
  g_assert_nonnull (strstr (error->message, quoted));
}

/* json-glib 1.6 writes U+001F unescaped (the library patches that up in
 * its builders); do the same for the messages the tests assemble. */
static char *
to_strict_json (JsonNode *node)
{
  g_autofree char *text = json_to_string (node, FALSE);
  GString *str = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == 0x1f)
        g_string_append (str, "\\u001f");
      else
        g_string_append_c (str, *p);
    }

  return g_string_free (str, FALSE);
}

typedef struct
{
  const MsgSpec   *spec;
  const FieldSpec *field;
} FieldTest;

static void
test_reject_field (gconstpointer data)
{
  const FieldTest *test = data;
  const MsgSpec *spec = test->spec;
  const FieldSpec *field = test->field;
  g_autoptr(GPtrArray) cases = NULL;
  g_autoptr(GBytes) sample = NULL;
  g_autofree char *sample_text = NULL;

  sample = spec->sample ();
  sample_text = g_strndup (g_bytes_get_data (sample, NULL), g_bytes_get_size (sample));

  cases = make_cases (field);
  for (guint i = 0; i < cases->len; i++)
    {
      Case *c = g_ptr_array_index (cases, i);
      g_autoptr(JsonNode) copy = json_from_string (sample_text, NULL);
      JsonObject *object = json_node_get_object (copy);
      g_autoptr(GError) error = NULL;
      g_autoptr(SottoMsg) msg = NULL;
      g_autofree char *text = NULL;

      if (c->value == NULL)
        {
          json_object_remove_member (object, field->name);
        }
      else
        {
          g_autoptr(GError) json_error = NULL;
          JsonNode *value = json_from_string (c->value, &json_error);

          g_assert_no_error (json_error);
          json_object_set_member (object, field->name, value);
        }

      text = to_strict_json (copy);
      msg = sotto_msg_parse ((const guint8 *) text, strlen (text), spec->direction, &error);

      if (c->code == MUST_PARSE)
        {
          if (error != NULL)
            g_test_message ("case %u (%.200s) failed: %s", i, c->value, error->message);
          g_assert_no_error (error);
          g_assert_nonnull (msg);
          continue;
        }

      if (msg != NULL)
        g_test_message ("case %u (%.200s) was accepted", i, c->value);
      g_assert_null (msg);
      g_assert_error (error, SOTTO_PROTOCOL_ERROR, c->code);
      assert_error_names (error, c->name);
    }
}

/* Whole-message rejections */

static void
assert_rejected_len (const char         *data,
                     gsize               len,
                     SottoMsgDirection   direction,
                     SottoProtocolError  code,
                     const char         *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SottoMsg) msg = NULL;

  msg = sotto_msg_parse ((const guint8 *) data, len, direction, &error);
  if (msg != NULL)
    g_test_message ("accepted: %.200s", data);
  g_assert_null (msg);
  if (error->code != (int) code)
    g_test_message ("“%.200s”: %s", data, error->message);
  g_assert_error (error, SOTTO_PROTOCOL_ERROR, (int) code);
  if (name != NULL)
    assert_error_names (error, name);
}

static void
assert_rejected (const char         *json,
                 SottoProtocolError  code,
                 const char         *name)
{
  assert_rejected_len (json, strlen (json), FROM_CLIENT, code, name);
}

static void
assert_rejected_from (const char         *json,
                      SottoMsgDirection   direction,
                      SottoProtocolError  code,
                      const char         *name)
{
  assert_rejected_len (json, strlen (json), direction, code, name);
}

static SottoMsg *
assert_parses (const char        *json,
               SottoMsgDirection  direction)
{
  g_autoptr(GError) error = NULL;
  SottoMsg *msg;

  msg = sotto_msg_parse ((const guint8 *) json, strlen (json), direction, &error);
  g_assert_no_error (error);
  g_assert_nonnull (msg);

  return msg;
}

static void
test_reject_unknown_type (void)
{
  g_autofree char *long_type = repeat ("x", 100);
  g_autofree char *long_json = g_strdup_printf ("{\"type\":\"%s\",\"id\":\"a\"}", long_type);
  g_autoptr(GError) error = NULL;
  g_autoptr(SottoMsg) msg = NULL;

  assert_rejected ("{\"type\":\"nope\",\"id\":\"a\"}", SOTTO_PROTOCOL_ERROR_UNKNOWN_TYPE, "nope");
  assert_rejected ("{\"type\":\"PING\",\"id\":\"a\"}", SOTTO_PROTOCOL_ERROR_UNKNOWN_TYPE, NULL);
  assert_rejected ("{\"type\":\"ping \",\"id\":\"a\"}", SOTTO_PROTOCOL_ERROR_UNKNOWN_TYPE, NULL);
  assert_rejected ("{\"type\":\"\",\"id\":\"a\"}", SOTTO_PROTOCOL_ERROR_UNKNOWN_TYPE, NULL);

  /* A peer's long garbage is not echoed into the error (and the logs). */
  msg = sotto_msg_parse ((const guint8 *) long_json, strlen (long_json), FROM_CLIENT, &error);
  g_assert_null (msg);
  g_assert_error (error, SOTTO_PROTOCOL_ERROR, SOTTO_PROTOCOL_ERROR_UNKNOWN_TYPE);
  g_assert_null (strstr (error->message, long_type));

  assert_rejected ("{\"id\":\"a\"}", SOTTO_PROTOCOL_ERROR_MISSING_FIELD, "type");
  assert_rejected ("{}", SOTTO_PROTOCOL_ERROR_MISSING_FIELD, "type");
  assert_rejected ("{\"type\":1,\"id\":\"a\"}", SOTTO_PROTOCOL_ERROR_BAD_FIELD, "type");
  assert_rejected ("{\"type\":null,\"id\":\"a\"}", SOTTO_PROTOCOL_ERROR_BAD_FIELD, "type");
  assert_rejected ("{\"type\":[\"ping\"],\"id\":\"a\"}", SOTTO_PROTOCOL_ERROR_BAD_FIELD, "type");
}

static void
test_reject_wrong_direction (void)
{
  g_autoptr(SottoMsg) msg = NULL;

  assert_rejected_from ("{\"type\":\"pong\",\"id\":\"a\"}", FROM_CLIENT,
                       SOTTO_PROTOCOL_ERROR_WRONG_DIRECTION, "pong");
  assert_rejected_from ("{\"type\":\"ping\",\"id\":\"a\"}", FROM_SERVER,
                       SOTTO_PROTOCOL_ERROR_WRONG_DIRECTION, "ping");

  /* "typing" goes both ways, with its own fields each way. */
  msg = assert_parses ("{\"type\":\"typing\",\"room\":\"a\"}", FROM_CLIENT);
  g_clear_pointer (&msg, sotto_msg_unref);
  assert_rejected_from ("{\"type\":\"typing\",\"room\":\"a\"}", FROM_SERVER,
                       SOTTO_PROTOCOL_ERROR_MISSING_FIELD, "user");
  assert_rejected_from ("{\"type\":\"typing\",\"room\":\"a\",\"user\":\"b\"}", FROM_CLIENT,
                       SOTTO_PROTOCOL_ERROR_UNKNOWN_FIELD, "user");
}

static void
test_reject_unknown_field (void)
{
  g_autofree char *long_name = repeat ("k", 200);
  g_autofree char *long_json = g_strdup_printf ("{\"type\":\"ping\",\"id\":\"a\",\"%s\":1}",
                                                long_name);
  g_autoptr(GError) error = NULL;
  g_autoptr(SottoMsg) msg = NULL;

  assert_rejected ("{\"type\":\"ping\",\"id\":\"a\",\"extra\":1}",
                   SOTTO_PROTOCOL_ERROR_UNKNOWN_FIELD, "extra");
  assert_rejected ("{\"extra\":null,\"type\":\"ping\",\"id\":\"a\"}",
                   SOTTO_PROTOCOL_ERROR_UNKNOWN_FIELD, "extra");
  /* Names are case-sensitive, and a misspelling is reported as itself. */
  assert_rejected ("{\"type\":\"ping\",\"ID\":\"a\"}", SOTTO_PROTOCOL_ERROR_UNKNOWN_FIELD, "ID");
  assert_rejected ("{\"type\":\"join\",\"id\":\"a\",\"rom\":\"b\"}",
                   SOTTO_PROTOCOL_ERROR_UNKNOWN_FIELD, "rom");
  assert_rejected ("{\"type\":\"ping\",\"id\":\"a\",\"\":1}",
                   SOTTO_PROTOCOL_ERROR_UNKNOWN_FIELD, NULL);

  msg = sotto_msg_parse ((const guint8 *) long_json, strlen (long_json), FROM_CLIENT, &error);
  g_assert_null (msg);
  g_assert_error (error, SOTTO_PROTOCOL_ERROR, SOTTO_PROTOCOL_ERROR_UNKNOWN_FIELD);
  g_assert_null (strstr (error->message, long_name));
}

static void
test_reject_not_object (void)
{
  const char *inputs[] = {
    "[]", "[{\"type\":\"ping\",\"id\":\"a\"}]", "1", "-1", "\"ping\"", "null", "true",
    "false", " ", "\n", "\xef\xbb\xbf{\"type\":\"ping\",\"id\":\"a\"}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    assert_rejected (inputs[i], SOTTO_PROTOCOL_ERROR_MALFORMED, NULL);

  assert_rejected_from ("", FROM_CLIENT, SOTTO_PROTOCOL_ERROR_MALFORMED, NULL);
  assert_rejected_len (NULL, 0, FROM_SERVER, SOTTO_PROTOCOL_ERROR_MALFORMED, NULL);
}

/* Flat objects are read in one pass, not by json-glib: the same object,
 * to the value, for strings with every escape, numbers of every form,
 * literals; objects with an object or array in them, and tokens out of
 * order, are left to json-glib. */
static void
test_flat_same_as_parser (void)
{
  const char *same[] = {
    "{}",
    " { \"type\" : \"send\" , \"id\":\"a1\"\t}\n",
    "{\"a\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"}",
    "{\"a\":\"caf\\u00e9 \\u20ac \\ud83e\\udd80 ü\"}",
    "{\"n\":0,\"m\":-0,\"big\":9223372036854775807,\"low\":-9223372036854775807}",
    "{\"x\":1.5,\"y\":-2e3,\"z\":6.02E+23,\"w\":1e-7,\"v\":-0.0}",
    "{\"t\":true,\"f\":false,\"n\":null}",
    "{\"dup\":1,\"dup\":2}",
  };
  const char *not_flat[] = {
    "{\"a\":[1]}", "{\"a\":{\"b\":1}}", "{\"type\":}", "{\"a\":1,}", "{\"a\" 1}",
    "{\"a\":1 \"b\":2}", "[1]", "{\"a\":1}{}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (same); i++)
    {
      g_autoptr(JsonNode) flat = NULL;
      g_autoptr(JsonParser) parser = json_parser_new_immutable ();
      guint n = 0;

      g_assert_true (_sotto_json_prescan ((const guint8 *) same[i], strlen (same[i]), &n, NULL));
      flat = _sotto_json_parse_flat ((const guint8 *) same[i], strlen (same[i]));
      g_assert_nonnull (flat);
      g_assert_true (json_parser_load_from_data (parser, same[i], -1, NULL));
      g_assert_true (json_node_equal (flat, json_parser_get_root (parser)));
    }
  for (guint i = 0; i < G_N_ELEMENTS (not_flat); i++)
    g_assert_null (_sotto_json_parse_flat ((const guint8 *) not_flat[i], strlen (not_flat[i])));
}

static void
test_reject_invalid_json (void)
{
  /* Each is something json-glib 1.6 would read one way or another. */
  const char *inputs[] = {
    "{",
    "}",
    "{\"type\":}",
    "{\"type\"}",
    "{\"type\" \"ping\"}",
    "{\"type\":\"ping\" \"id\":\"a\"}",
    "{\"type\":\"ping\",\"id\":\"a\",}",
    "{,\"type\":\"ping\",\"id\":\"a\"}",
    "{\"type\":\"ping\",,\"id\":\"a\"}",
    "{\"type\":\"ping\",\"id\":\"a\"]",
    "{\"type\":\"ping\",\"id\":[\"a\"}}",
    "{\"type\":\"ping\",\"id\":\"a\":1}",
    "{\"type\":\"ping\",\"x\":[1:2],\"id\":\"a\"}",
    "{'type':'ping','id':'a'}",
    "{type:\"ping\",id:\"a\"}",
    "{\"type\":\"ping\",\"id\":\"a\"}}",
    "{\"type\":\"ping\",\"id\":\"a\"}{}",
    "{\"type\":\"ping\",\"id\":\"a\"};",
    "{\"type\":\"ping\",\"id\":\"a\"} x",
    "var x = {\"type\":\"ping\",\"id\":\"a\"}",
    "/* c */{\"type\":\"ping\",\"id\":\"a\"}",
    "{\"type\":\"ping\",\"id\":\"a\"}// c",
    "{\"type\":\"ping\",/* \" */\"id\":\"a\"}",
    "{\"type\":\"ping\",# c\n\"id\":\"a\"}",
    "{\"type\":\"catchup\",\"id\":\"a\",\"room\":\"b\",\"after\":0x10,\"limit\":1}",
    "{\"type\":\"catchup\",\"id\":\"a\",\"room\":\"b\",\"after\":$10,\"limit\":1}",
    "{\"type\":\"catchup\",\"id\":\"a\",\"room\":\"b\",\"after\":010,\"limit\":1}",
    "{\"type\":\"catchup\",\"id\":\"a\",\"room\":\"b\",\"after\":0b1,\"limit\":1}",
    "{\"type\":\"catchup\",\"id\":\"a\",\"room\":\"b\",\"after\":+1,\"limit\":1}",
    "{\"type\":\"catchup\",\"id\":\"a\",\"room\":\"b\",\"after\":- 1,\"limit\":1}",
    "{\"type\":\"catchup\",\"id\":\"a\",\"room\":\"b\",\"after\":.5,\"limit\":1}",
    "{\"type\":\"catchup\",\"id\":\"a\",\"room\":\"b\",\"after\":1.,\"limit\":1}",
    "{\"type\":\"catchup\",\"id\":\"a\",\"room\":\"b\",\"after\":1e,\"limit\":1}",
    "{\"type\":\"catchup\",\"id\":\"a\",\"room\":\"b\",\"after\":1-2,\"limit\":1}",
    "{\"type\":\"catchup\",\"id\":\"a\",\"room\":\"b\",\"after\":NaN,\"limit\":1}",
    "{\"type\":\"catchup\",\"id\":\"a\",\"room\":\"b\",\"after\":Infinity,\"limit\":1}",
    "{\"type\":\"typing\",\"room\":True}",
    "{\"type\":\"typing\",\"room\":nul}",
    "{\"type\":\"typing\",\"room\":undefined}",
    "{\"type\":\"typing\",\"room\":\"a\\x\"}",
    "{\"type\":\"typing\",\"room\":\"a\\0\"}",
    "{\"type\":\"typing\",\"room\":\"a\\101\"}",
    "{\"type\":\"typing\",\"room\":\"a\\'\"}",
    "{\"type\":\"typing\",\"room\":\"a\\u12\"}",
    "{\"type\":\"typing\",\"room\":\"a\\u12g4\"}",
    "{\"type\":\"typing\",\"room\":\"a\\u0000\"}",
    "{\"type\":\"typing\",\"room\":\"a\\ud800\"}",
    "{\"type\":\"typing\",\"room\":\"a\\udc00\"}",
    "{\"type\":\"typing\",\"room\":\"a\\ud800\\u0041\"}",
    "{\"type\":\"typing\",\"room\":\"a\\ud800x\"}",
    "{\"type\":\"typing\",\"room\":\"a\\udc00\\ud800\"}",
    "{\"type\":\"typing\",\"room\":\"a\tb\"}",
    "{\"type\":\"typing\",\"room\":\"a\nb\"}",
    "{\"type\":\"typing\",\"room\":\"a\x01\"}",
    "{\"type\":\"typing\",\"room\":\"a\x1f\"}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    assert_rejected (inputs[i], SOTTO_PROTOCOL_ERROR_MALFORMED, NULL);
}

static void
test_reject_truncated (void)
{
  g_autoptr(GBytes) bytes = sample_joined ();
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  for (gsize i = 0; i < len; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SottoMsg) msg = NULL;

      msg = sotto_msg_parse ((const guint8 *) data, i, FROM_SERVER, &error);
      g_assert_null (msg);
      g_assert_error (error, SOTTO_PROTOCOL_ERROR, SOTTO_PROTOCOL_ERROR_MALFORMED);
    }
}

static void
test_reject_nul (void)
{
  static const char with_nul[] = "{\"type\":\"ping\",\"id\":\"a\0b\"}";
  static const char nul_after[] = "{\"type\":\"ping\",\"id\":\"a\"}\0";
  static const char nul_escape[] = "{\"type\":\"ping\",\"id\":\"a\\u0000b\"}";

  assert_rejected_len (with_nul, sizeof with_nul - 1, FROM_CLIENT,
                       SOTTO_PROTOCOL_ERROR_MALFORMED, NULL);
  assert_rejected_len (nul_after, sizeof nul_after - 1, FROM_CLIENT,
                       SOTTO_PROTOCOL_ERROR_MALFORMED, NULL);
  assert_rejected_len (nul_escape, sizeof nul_escape - 1, FROM_CLIENT,
                       SOTTO_PROTOCOL_ERROR_MALFORMED, NULL);
}

static void
test_reject_deep_nesting (void)
{
  g_autofree char *brackets = repeat ("[", 10000);
  g_autofree char *braces = repeat ("{\"a\":", 10000);
  g_autofree char *in_field = g_strdup_printf ("{\"type\":\"ping\",\"id\":\"a\",\"x\":%s",
                                               brackets);
  g_autofree char *opens = repeat ("[", SOTTO_PROTOCOL_MAX_DEPTH - 1);
  g_autofree char *closes = repeat ("]", SOTTO_PROTOCOL_MAX_DEPTH - 1);
  g_autofree char *at_limit = g_strdup_printf ("{\"type\":\"ping\",\"id\":\"a\",\"x\":%s%s}",
                                               opens, closes);
  g_autofree char *over_limit = g_strdup_printf ("{\"type\":\"ping\",\"id\":\"a\",\"x\":[%s%s]}",
                                                 opens, closes);

  assert_rejected (brackets, SOTTO_PROTOCOL_ERROR_MALFORMED, NULL);
  assert_rejected (braces, SOTTO_PROTOCOL_ERROR_TOO_LARGE, NULL);
  assert_rejected (in_field, SOTTO_PROTOCOL_ERROR_TOO_LARGE, NULL);

  /* Sixteen levels reach the schema, which refuses the field; seventeen
   * never get that far. */
  assert_rejected (at_limit, SOTTO_PROTOCOL_ERROR_UNKNOWN_FIELD, "x");
  assert_rejected (over_limit, SOTTO_PROTOCOL_ERROR_TOO_LARGE, NULL);
}

static void
test_reject_too_large (void)
{
  const char *ping = "{\"type\":\"ping\",\"id\":\"a\"}";
  gsize limit = SOTTO_PROTOCOL_MAX_MESSAGE_SIZE;
  g_autofree char *data = g_malloc (limit + 2);
  g_autoptr(SottoMsg) msg = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) big = NULL;
  g_autofree char *big_text = NULL;

  /* Exactly the limit parses; one byte more does not. */
  memset (data, ' ', limit + 1);
  memcpy (data, ping, strlen (ping));
  data[limit + 1] = '\0';
  msg = sotto_msg_parse ((const guint8 *) data, limit, FROM_CLIENT, &error);
  g_assert_no_error (error);
  g_assert_nonnull (msg);
  assert_rejected_len (data, limit + 1, FROM_CLIENT, SOTTO_PROTOCOL_ERROR_TOO_LARGE, NULL);

  /* A large, otherwise well-formed field. */
  big_text = repeat ("a", limit);
  big = sotto_msg_build_notice (big_text, 1);
  assert_rejected_len (g_bytes_get_data (big, NULL), g_bytes_get_size (big), FROM_SERVER,
                       SOTTO_PROTOCOL_ERROR_TOO_LARGE, NULL);
}

static void
test_reject_too_many (void)
{
  GString *members = g_string_new ("{\"type\":\"ping\",\"id\":\"a\",\"x\":{");
  GString *values = g_string_new ("{\"type\":\"ping\",\"id\":\"a\",\"x\":[");
  g_autofree char *members_text = NULL;
  g_autofree char *values_text = NULL;
  g_autofree char *few_values = NULL;

  for (guint i = 0; i <= SOTTO_PROTOCOL_MAX_OBJECT_MEMBERS; i++)
    g_string_append_printf (members, "%s\"k%u\":0", i == 0 ? "" : ",", i);
  g_string_append (members, "}}");
  members_text = g_string_free (members, FALSE);
  assert_rejected (members_text, SOTTO_PROTOCOL_ERROR_TOO_LARGE, NULL);

  for (guint i = 0; i < SOTTO_PROTOCOL_MAX_VALUES; i++)
    g_string_append (values, i == 0 ? "0" : ",0");
  g_string_append (values, "]}");
  values_text = g_string_free (values, FALSE);
  assert_rejected (values_text, SOTTO_PROTOCOL_ERROR_TOO_LARGE, NULL);

  /* A little under the limit gets past the scan, to the schema. */
  few_values = g_strdup (values_text);
  strcpy (few_values + strlen (few_values) - 2 - 2 * 10, "]}");
  assert_rejected (few_values, SOTTO_PROTOCOL_ERROR_UNKNOWN_FIELD, "x");
}

static void
test_reject_duplicate_member (void)
{
  g_autofree char *identity = identity_json (NULL, NULL, NULL, NULL);
  g_autofree char *nested = NULL;

  assert_rejected ("{\"type\":\"ping\",\"id\":\"a\",\"id\":\"b\"}",
                   SOTTO_PROTOCOL_ERROR_MALFORMED, NULL);
  assert_rejected ("{\"type\":\"ping\",\"type\":\"ping\",\"id\":\"a\"}",
                   SOTTO_PROTOCOL_ERROR_MALFORMED, NULL);
  assert_rejected ("{\"type\":\"join\",\"type\":\"leave\",\"id\":\"a\",\"room\":\"b\"}",
                   SOTTO_PROTOCOL_ERROR_MALFORMED, NULL);

  /* Escapes do not make a second name. */
  assert_rejected ("{\"type\":\"ping\",\"id\":\"a\",\"\\u0069d\":\"b\"}",
                   SOTTO_PROTOCOL_ERROR_MALFORMED, NULL);

  nested = g_strdup_printf ("{\"type\":\"presence\",\"user\":\"a\",\"online\":true,"
                            "\"x\":[{\"a\":1,\"a\":2}]}");
  assert_rejected_len (nested, strlen (nested), FROM_SERVER, SOTTO_PROTOCOL_ERROR_MALFORMED, NULL);
  g_free (nested);

  nested = g_strdup_printf ("{\"type\":\"member_joined\",\"room\":\"a\",\"seq\":1,\"ts\":1,"
                            "\"user\":\"u\",\"identity\":%.*s,\"sign\":\"AAAA\"}}",
                            (int) strlen (identity) - 1, identity);
  assert_rejected_len (nested, strlen (nested), FROM_SERVER, SOTTO_PROTOCOL_ERROR_MALFORMED, NULL);
}

static void
test_reject_double_for_int (void)
{
  const char *forms[] = { "1.0", "1.5", "1e0", "1E+2", "10e-1", "-0.0", "0.0" };

  for (guint i = 0; i < G_N_ELEMENTS (forms); i++)
    {
      g_autofree char *json = g_strdup_printf ("{\"type\":\"catchup\",\"id\":\"a\","
                                               "\"room\":\"b\",\"after\":%s,\"limit\":5}",
                                               forms[i]);

      assert_rejected (json, SOTTO_PROTOCOL_ERROR_BAD_FIELD, "after");
    }
}

static void
test_reject_huge_int (void)
{
  /* Out of gint64: json-glib 1.6 would wrap these around silently. */
  const char *huge[] = {
    "9223372036854775808", "18446744073709551615", "18446744073709551616",
    "99999999999999999999999", "-9223372036854775808", "-18446744073709551615",
    "1000000000000000000000000000000000000000000000000000",
  };
  g_autoptr(SottoMsg) msg = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (huge); i++)
    {
      g_autofree char *json = g_strdup_printf ("{\"type\":\"sent\",\"id\":\"a\",\"room\":\"b\","
                                               "\"msg_id\":\"m\",\"seq\":%s,\"ts\":1}", huge[i]);

      assert_rejected_len (json, strlen (json), FROM_SERVER, SOTTO_PROTOCOL_ERROR_MALFORMED, NULL);
    }

  msg = assert_parses ("{\"type\":\"sent\",\"id\":\"a\",\"room\":\"b\",\"msg_id\":\"m\","
                       "\"seq\":9223372036854775807,\"ts\":0}", FROM_SERVER);
  g_assert_cmpint (sotto_msg_get_int (msg, "seq"), ==, G_MAXINT64);

  assert_rejected_from ("{\"type\":\"sent\",\"id\":\"a\",\"room\":\"b\",\"msg_id\":\"m\","
                       "\"seq\":1,\"ts\":-9223372036854775807}", FROM_SERVER,
                       SOTTO_PROTOCOL_ERROR_BAD_FIELD, "ts");

  /* Huge numbers that are not integers are doubles: a field error. */
  assert_rejected_from ("{\"type\":\"sent\",\"id\":\"a\",\"room\":\"b\",\"msg_id\":\"m\","
                       "\"seq\":1e999,\"ts\":1}", FROM_SERVER,
                       SOTTO_PROTOCOL_ERROR_BAD_FIELD, "seq");
}

static void
test_reject_invalid_utf8 (void)
{
  const char *bad[] = {
    "\xff", "\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xc3", "\x80",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *in_string = g_strdup_printf ("{\"type\":\"notice\",\"text\":\"a%sb\","
                                                    "\"ts\":1}", bad[i]);
      g_autofree char *outside = g_strdup_printf ("{\"type\":\"notice\",\"text\":\"ab\","
                                                  "\"ts\":1}%s", bad[i]);

      assert_rejected_len (in_string, strlen (in_string), FROM_SERVER,
                           SOTTO_PROTOCOL_ERROR_MALFORMED, NULL);
      assert_rejected_len (outside, strlen (outside), FROM_SERVER,
                           SOTTO_PROTOCOL_ERROR_MALFORMED, NULL);
    }
}

/* Accepted forms */

static void
test_accept_whitespace_and_escapes (void)
{
  g_autoptr(SottoMsg) ping = NULL;
  g_autoptr(SottoMsg) notice = NULL;

  ping = assert_parses (" \t\r\n{ \"type\" :\t\"p\\u0069ng\" ,\r\n"
                        "\"\\u0069d\" : \"a-\\u0062\" } \n", FROM_CLIENT);
  g_assert_cmpint (sotto_msg_get_msg_type (ping), ==, SOTTO_MSG_TYPE_PING);
  g_assert_cmpstr (sotto_msg_get_id (ping), ==, "a-b");

  notice = assert_parses ("{\"type\":\"notice\",\"text\":\"\\ud83d\\ude00 \\u00e9\\\"\\\\\\/"
                          "\\b\\f\\n\\r\\t\\u001f\",\"ts\":-0}", FROM_SERVER);
  g_assert_cmpstr (sotto_msg_get_string (notice, "text"), ==, "😀 é\"\\/\b\f\n\r\t\x1f");
  g_assert_cmpint (sotto_msg_get_int (notice, "ts"), ==, 0);
}

/* Builders */

static void
assert_bytes_text (GBytes     *bytes,
                   const char *expected)
{
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                   expected, strlen (expected));
}

static void
test_builder_compact (void)
{
  g_autoptr(GBytes) ping = sotto_msg_build_ping ("p1");
  g_autoptr(GBytes) error_no_id = NULL;
  g_autoptr(GBytes) kids = NULL;
  g_autoptr(SottoMsg) msg = NULL;
  const gint64 one = 1;

  assert_bytes_text (ping, "{\"type\":\"ping\",\"id\":\"p1\"}");

  error_no_id = sotto_msg_build_error (NULL, SOTTO_MSG_ERROR_CODE_TOO_LARGE, "too big");
  assert_bytes_text (error_no_id,
                     "{\"type\":\"error\",\"code\":\"too_large\",\"message\":\"too big\"}");
  msg = parse_ok (error_no_id, FROM_SERVER, SOTTO_MSG_TYPE_ERROR);
  g_assert_false (sotto_msg_has_field (msg, "id"));
  g_assert_null (sotto_msg_get_id (msg));
  g_assert_null (sotto_msg_get_string (msg, "id"));
  g_assert_cmpint (sotto_msg_get_error_code (msg), ==, SOTTO_MSG_ERROR_CODE_TOO_LARGE);

  kids = sotto_msg_build_ack_keys ("k", &one, 1);
  assert_bytes_text (kids, "{\"type\":\"ack_keys\",\"id\":\"k\",\"kids\":[1]}");
}

static void
test_builder_escapes_controls (void)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(SottoMsg) msg = NULL;
  const char *data;
  gsize len;

  for (int c = 1; c < 0x80; c++)
    g_string_append_c (text, (char) c);
  g_string_append (text, "é—😀\u2028\u2029");

  bytes = sotto_msg_build_notice (text->str, 5);
  data = g_bytes_get_data (bytes, &len);
  for (gsize i = 0; i < len; i++)
    g_assert_cmpint ((guchar) data[i], >=, 0x20);

  msg = parse_ok (bytes, FROM_SERVER, SOTTO_MSG_TYPE_NOTICE);
  g_assert_cmpstr (sotto_msg_get_string (msg, "text"), ==, text->str);
}

static void
test_builder_null_inputs (void)
{
  g_autoptr(GBytes) bytes = NULL;

  g_test_expect_message ("sotto-protocol", G_LOG_LEVEL_CRITICAL, "*id != NULL*");
  bytes = sotto_msg_build_ping (NULL);
  g_test_assert_expected_messages ();
  g_assert_null (bytes);

  g_test_expect_message ("sotto-protocol", G_LOG_LEVEL_CRITICAL, "*identity != NULL*");
  bytes = sotto_msg_build_login ("a", "b", "c", NULL);
  g_test_assert_expected_messages ();
  g_assert_null (bytes);

  g_test_expect_message ("sotto-protocol", G_LOG_LEVEL_CRITICAL, "*rooms_are_valid*");
  bytes = sotto_msg_build_room_list ("a", NULL, 3);
  g_test_assert_expected_messages ();
  g_assert_null (bytes);

  bytes = sotto_msg_build_room_list ("a", NULL, 0);
  g_assert_nonnull (bytes);
}

/* API around the parser */

static void
test_parse_request_id (void)
{
  const char *bad_room = "{\"type\":\"join\",\"id\":\"r-9\",\"room\":\"Bad Room\"}";
  const char *bad_id = "{\"type\":\"join\",\"id\":\"r 9\",\"room\":\"Bad Room\"}";
  const char *unknown = "{\"type\":\"jump\",\"id\":\"r-10\"}";
  const char *good = "{\"type\":\"join\",\"id\":\"r-11\",\"room\":\"ok\"}";
  g_autoptr(SottoMsg) msg = NULL;
  g_autoptr(GError) error = NULL;
  char *id = (char *) "untouched";

  msg = sotto_msg_parse_full ((const guint8 *) bad_room, strlen (bad_room), FROM_CLIENT,
                              &id, &error);
  g_assert_null (msg);
  g_assert_error (error, SOTTO_PROTOCOL_ERROR, SOTTO_PROTOCOL_ERROR_BAD_FIELD);
  g_assert_cmpstr (id, ==, "r-9");
  g_clear_pointer (&id, g_free);
  g_clear_error (&error);

  msg = sotto_msg_parse_full ((const guint8 *) unknown, strlen (unknown), FROM_CLIENT,
                              &id, &error);
  g_assert_null (msg);
  g_assert_error (error, SOTTO_PROTOCOL_ERROR, SOTTO_PROTOCOL_ERROR_UNKNOWN_TYPE);
  g_assert_cmpstr (id, ==, "r-10");
  g_clear_pointer (&id, g_free);
  g_clear_error (&error);

  msg = sotto_msg_parse_full ((const guint8 *) bad_id, strlen (bad_id), FROM_CLIENT,
                              &id, &error);
  g_assert_null (msg);
  g_assert_null (id);
  g_clear_error (&error);

  msg = sotto_msg_parse_full ((const guint8 *) "{", 1, FROM_CLIENT, &id, &error);
  g_assert_null (msg);
  g_assert_null (id);
  g_clear_error (&error);

  msg = sotto_msg_parse_full ((const guint8 *) good, strlen (good), FROM_CLIENT, &id, &error);
  g_assert_no_error (error);
  g_assert_nonnull (msg);
  g_assert_null (id);
}

static void
test_error_codes (void)
{
  struct { SottoProtocolError parse; SottoMsgErrorCode reply; } map[] = {
    { SOTTO_PROTOCOL_ERROR_MALFORMED, SOTTO_MSG_ERROR_CODE_BAD_REQUEST },
    { SOTTO_PROTOCOL_ERROR_TOO_LARGE, SOTTO_MSG_ERROR_CODE_TOO_LARGE },
    { SOTTO_PROTOCOL_ERROR_UNKNOWN_TYPE, SOTTO_MSG_ERROR_CODE_UNKNOWN_TYPE },
    { SOTTO_PROTOCOL_ERROR_WRONG_DIRECTION, SOTTO_MSG_ERROR_CODE_UNKNOWN_TYPE },
    { SOTTO_PROTOCOL_ERROR_MISSING_FIELD, SOTTO_MSG_ERROR_CODE_BAD_REQUEST },
    { SOTTO_PROTOCOL_ERROR_BAD_FIELD, SOTTO_MSG_ERROR_CODE_BAD_REQUEST },
    { SOTTO_PROTOCOL_ERROR_UNKNOWN_FIELD, SOTTO_MSG_ERROR_CODE_BAD_REQUEST },
  };
  g_autoptr(GError) io_error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "x");
  SottoMsgErrorCode code;

  for (guint i = 0; i < G_N_ELEMENTS (map); i++)
    {
      g_autoptr(GError) error = g_error_new_literal (SOTTO_PROTOCOL_ERROR, map[i].parse, "x");

      g_assert_cmpint (sotto_msg_error_code_for_parse_error (error), ==, map[i].reply);
    }
  g_assert_cmpint (sotto_msg_error_code_for_parse_error (io_error), ==,
                   SOTTO_MSG_ERROR_CODE_INTERNAL);

  for (guint i = 0; error_code_names[i] != NULL; i++)
    {
      g_assert_cmpstr (sotto_msg_error_code_to_string (i), ==, error_code_names[i]);
      g_assert_true (sotto_msg_error_code_from_string (error_code_names[i], &code));
      g_assert_cmpint (code, ==, i);
    }
  g_assert_false (sotto_msg_error_code_from_string ("nope", &code));
  g_assert_false (sotto_msg_error_code_from_string ("", &code));

  g_assert_cmpstr (sotto_msg_leave_reason_to_string (SOTTO_MSG_LEAVE_REASON_LEFT), ==, "left");
  g_assert_cmpstr (sotto_msg_leave_reason_to_string (SOTTO_MSG_LEAVE_REASON_KICKED), ==, "kicked");
}

static void
test_type_names (void)
{
  g_assert_null (sotto_msg_type_to_string (SOTTO_MSG_TYPE_INVALID));
  g_assert_null (sotto_msg_type_to_string (SOTTO_MSG_N_TYPES));
  g_assert_null (sotto_msg_type_to_string ((SottoMsgType) -1));

  for (guint t = SOTTO_MSG_TYPE_INVALID + 1; t < SOTTO_MSG_N_TYPES; t++)
    {
      gboolean covered = FALSE;

      g_assert_nonnull (sotto_msg_type_to_string (t));
      for (guint i = 0; i < G_N_ELEMENTS (specs); i++)
        covered |= specs[i].msg_type == t;
      /* The pieces of a blob are binary: tests/test-pieces.c has them. */
      covered |= t == SOTTO_MSG_TYPE_UPLOAD_CHUNK || t == SOTTO_MSG_TYPE_BLOB;
      g_assert_true (covered);
    }
}

static void
test_validators (void)
{
  g_assert_true (sotto_protocol_id_is_valid ("A-z_0"));
  g_assert_false (sotto_protocol_id_is_valid (""));
  g_assert_false (sotto_protocol_id_is_valid ("a.b"));

  g_assert_true (sotto_protocol_link_id_is_valid ("0123456789abcdef0123456789abcdef"));
  g_assert_false (sotto_protocol_link_id_is_valid ("0123456789ABCDEF0123456789ABCDEF"));
  g_assert_false (sotto_protocol_link_id_is_valid ("0123456789abcdef0123456789abcde"));
  g_assert_false (sotto_protocol_link_id_is_valid ("0123456789abcdef0123456789abcdef0"));
  g_assert_false (sotto_protocol_link_id_is_valid ("0123456789abcdefg123456789abcdef"));

  g_assert_true (sotto_protocol_username_is_valid ("Alice.S_-"));
  g_assert_false (sotto_protocol_username_is_valid ("al ice"));
  g_assert_false (sotto_protocol_username_is_valid ("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));

  g_assert_true (sotto_protocol_room_is_valid ("general"));
  g_assert_true (sotto_protocol_room_is_valid ("@alice+bob"));
  g_assert_false (sotto_protocol_room_is_valid ("General"));
  g_assert_false (sotto_protocol_room_is_valid ("@alice"));

  g_assert_true (sotto_protocol_room_is_direct ("@alice+bob"));
  g_assert_false (sotto_protocol_room_is_direct ("alice+bob"));
  g_assert_false (sotto_protocol_room_is_direct ("general"));
}

static void
test_direct_room_names (void)
{
  g_autofree char *ab = sotto_protocol_direct_room_name ("alice", "bob");
  g_autofree char *ba = sotto_protocol_direct_room_name ("bob", "alice");
  g_autofree char *peer_of_alice = sotto_protocol_direct_room_peer ("@alice+bob", "alice");
  g_autofree char *peer_of_bob = sotto_protocol_direct_room_peer ("@alice+bob", "bob");
  g_autofree char *prefix_only = sotto_protocol_direct_room_peer ("@alice+bob", "ali");
  g_autofree char *stranger = sotto_protocol_direct_room_peer ("@alice+bob", "carol");
  g_autofree char *normal = sotto_protocol_direct_room_peer ("general", "alice");
  g_autofree char *nobody = sotto_protocol_direct_room_peer ("@alice+bob", NULL);

  /* Whoever opens it, both find the same room. */
  g_assert_cmpstr (ab, ==, "@alice+bob");
  g_assert_cmpstr (ba, ==, "@alice+bob");
  g_assert_true (sotto_protocol_room_is_direct (ab));

  g_assert_cmpstr (peer_of_alice, ==, "bob");
  g_assert_cmpstr (peer_of_bob, ==, "alice");
  g_assert_null (prefix_only);
  g_assert_null (stranger);
  g_assert_null (normal);
  g_assert_null (nobody);
}

static void
test_accessor_misuse (void)
{
  g_autoptr(GBytes) bytes = sample_sent ();
  g_autoptr(SottoMsg) msg = parse_ok (bytes, FROM_SERVER, SOTTO_MSG_TYPE_SENT);
  SottoWireIdentity identity;
  SottoWireMember member;

  g_test_expect_message ("sotto-protocol", G_LOG_LEVEL_CRITICAL, "*has no field “rom”*");
  g_assert_null (sotto_msg_get_string (msg, "rom"));
  g_test_assert_expected_messages ();

  g_test_expect_message ("sotto-protocol", G_LOG_LEVEL_CRITICAL, "*“seq”*another kind*");
  g_assert_null (sotto_msg_get_string (msg, "seq"));
  g_test_assert_expected_messages ();

  g_test_expect_message ("sotto-protocol", G_LOG_LEVEL_CRITICAL, "*“room”*another kind*");
  g_assert_cmpint (sotto_msg_get_int (msg, "room"), ==, 0);
  g_test_assert_expected_messages ();

  g_test_expect_message ("sotto-protocol", G_LOG_LEVEL_CRITICAL, "*“room”*another kind*");
  g_assert_false (sotto_msg_get_bool (msg, "room"));
  g_test_assert_expected_messages ();

  g_test_expect_message ("sotto-protocol", G_LOG_LEVEL_CRITICAL, "*“msg_id”*another kind*");
  g_assert_null (sotto_msg_dup_bytes (msg, "msg_id"));
  g_test_assert_expected_messages ();

  g_test_expect_message ("sotto-protocol", G_LOG_LEVEL_CRITICAL, "*has no field “identity”*");
  g_assert_false (sotto_msg_get_identity (msg, &identity));
  g_test_assert_expected_messages ();

  g_test_expect_message ("sotto-protocol", G_LOG_LEVEL_CRITICAL, "*has no field “members”*");
  g_assert_false (sotto_msg_get_member (msg, 0, &member));
  g_test_assert_expected_messages ();

  g_test_expect_message ("sotto-protocol", G_LOG_LEVEL_CRITICAL, "*type == SOTTO_MSG_TYPE_ERROR*");
  g_assert_cmpint (sotto_msg_get_error_code (msg), ==, SOTTO_MSG_ERROR_CODE_INTERNAL);
  g_test_assert_expected_messages ();
}

/* A refused join of a banned user reaches the client as its own code. */
static void
test_error_banned (void)
{
  static const char json[] =
    "{\"type\":\"error\",\"id\":\"7\",\"code\":\"banned\","
    "\"message\":\"You were removed from this room\"}";
  g_autoptr(GBytes) bytes = g_bytes_new_static (json, sizeof json - 1);
  g_autoptr(GBytes) built = NULL;
  SottoMsg *msg = parse_ok (bytes, FROM_SERVER, SOTTO_MSG_TYPE_ERROR);

  g_assert_cmpint (sotto_msg_get_error_code (msg), ==, SOTTO_MSG_ERROR_CODE_BANNED);
  g_assert_cmpstr (sotto_msg_get_id (msg), ==, "7");
  sotto_msg_unref (msg);

  built = sotto_msg_build_error ("7", SOTTO_MSG_ERROR_CODE_BANNED, "You were removed");
  msg = parse_ok (built, FROM_SERVER, SOTTO_MSG_TYPE_ERROR);
  g_assert_cmpint (sotto_msg_get_error_code (msg), ==, SOTTO_MSG_ERROR_CODE_BANNED);
  sotto_msg_unref (msg);
}

/* A direct chat and "general" have no creator: "owner" is left out. A
 * room nobody is banned from lists no bans. */
static void
test_owner_and_bans_absent (void)
{
  SottoWireMember members[2];
  g_autoptr(GBytes) members_msg = NULL;
  g_autoptr(GBytes) joined = NULL;
  g_autoptr(GBytes) bans = NULL;
  g_autoptr(GBytes) refused = NULL;
  SottoMsg *msg;

  sample_members (members);
  members_msg = sotto_msg_build_members (REQ_ID, DIRECT_ROOM, NULL, 0, members, 2);
  msg = parse_ok (members_msg, FROM_SERVER, SOTTO_MSG_TYPE_MEMBERS);
  g_assert_false (sotto_msg_has_field (msg, "owner"));
  g_assert_null (sotto_msg_get_string (msg, "owner"));
  g_assert_false (json_object_has_member (sotto_msg_get_object (msg), "owner"));
  sotto_msg_unref (msg);

  joined = sotto_msg_build_joined (REQ_ID, "general", NULL, FALSE, 0, 0, members, 2);
  msg = parse_ok (joined, FROM_SERVER, SOTTO_MSG_TYPE_JOINED);
  g_assert_null (sotto_msg_get_string (msg, "owner"));
  sotto_msg_unref (msg);

  bans = sotto_msg_build_bans (REQ_ID, ROOM, NULL, 0);
  msg = parse_ok (bans, FROM_SERVER, SOTTO_MSG_TYPE_BANS);
  g_assert_cmpuint (json_array_get_length (sotto_msg_get_array (msg, "bans")), ==, 0);
  sotto_msg_unref (msg);

  g_test_expect_message ("sotto-protocol", G_LOG_LEVEL_CRITICAL, "*bans_are_valid*");
  refused = sotto_msg_build_bans (REQ_ID, ROOM, NULL, 2);
  g_test_assert_expected_messages ();
  g_assert_null (refused);
}

/* A publish may leave out the bundle and send no one-time prekeys; an
 * answer leaves out "one_time" once none is left. */
static void
test_prekeys_optional (void)
{
  g_autoptr(GBytes) bundle = pattern_bytes (BUNDLE_BYTES, 7);
  g_autoptr(GBytes) publish = sotto_msg_build_publish_prekeys (REQ_ID, NULL, NULL, 0);
  g_autoptr(GBytes) prekeys = sotto_msg_build_prekeys (REQ_ID, ALICE, bundle, NULL);
  SottoMsg *msg;

  assert_bytes_text (publish, "{\"type\":\"publish_prekeys\",\"id\":\"" REQ_ID "\","
                              "\"one_time\":[]}");
  msg = parse_ok (publish, FROM_CLIENT, SOTTO_MSG_TYPE_PUBLISH_PREKEYS);
  g_assert_false (sotto_msg_has_field (msg, "bundle"));
  g_assert_null (sotto_msg_dup_bytes (msg, "bundle"));
  g_assert_cmpuint (json_array_get_length (sotto_msg_get_array (msg, "one_time")), ==, 0);
  sotto_msg_unref (msg);

  msg = parse_ok (prekeys, FROM_SERVER, SOTTO_MSG_TYPE_PREKEYS);
  assert_bytes (msg, "bundle", bundle);
  g_assert_false (sotto_msg_has_field (msg, "one_time"));
  g_assert_null (sotto_msg_dup_bytes (msg, "one_time"));
  sotto_msg_unref (msg);
}

static void
test_boxed_refcount (void)
{
  g_autoptr(GBytes) bytes = sample_session ();
  SottoMsg *msg = parse_ok (bytes, FROM_SERVER, SOTTO_MSG_TYPE_SESSION);
  SottoMsg *copy;
  SottoWireRoomSummary summary;
  GValue value = G_VALUE_INIT;

  g_assert_true (G_TYPE_IS_BOXED (SOTTO_TYPE_MSG));

  copy = g_boxed_copy (SOTTO_TYPE_MSG, msg);
  g_assert_true (copy == msg);

  g_value_init (&value, SOTTO_TYPE_MSG);
  g_value_set_boxed (&value, msg);

  sotto_msg_unref (msg);
  g_boxed_free (SOTTO_TYPE_MSG, copy);

  /* The value still holds a reference, and so do the borrowed strings. */
  msg = g_value_get_boxed (&value);
  g_assert_true (sotto_msg_get_room_summary (msg, 1, &summary));
  g_assert_cmpstr (summary.room, ==, DIRECT_ROOM);
  g_value_unset (&value);
}

/* docs/protocol.md is the spec: every example in it must parse, in the
 * direction its block is marked with, and be exactly what a builder writes. */
static void
test_docs_examples (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "..", "docs", "protocol.md", NULL);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) error = NULL;
  gboolean seen[SOTTO_MSG_N_TYPES][2] = { { FALSE } };
  guint n_examples = 0;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (contents, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(SottoMsg) msg = NULL;
      g_autoptr(GBytes) bytes = NULL;
      SottoMsgDirection direction;
      const char *json;

      if (g_str_equal (lines[i], "```json client"))
        direction = FROM_CLIENT;
      else if (g_str_equal (lines[i], "```json server"))
        direction = FROM_SERVER;
      else
        continue;

      json = lines[i + 1];
      g_assert_nonnull (json);
      g_assert_cmpstr (lines[i + 2], ==, "```");

      msg = assert_parses (json, direction);
      bytes = sotto_msg_serialize (msg);
      g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                       json, strlen (json));
      seen[sotto_msg_get_msg_type (msg)][direction] = TRUE;
      n_examples++;
    }

  for (guint i = 0; i < G_N_ELEMENTS (specs); i++)
    g_assert_true (seen[specs[i].msg_type][specs[i].direction]);
  g_assert_cmpuint (n_examples, >=, G_N_ELEMENTS (specs));
}

/* The fast path for relayed messages writes exactly what JsonGenerator
 * writes, and a string that needs escaping still comes out right. */
static void
test_fast_path_matches_generator (void)
{
  g_autoptr(GBytes) envelope = g_bytes_new_static ("\x00\xff envelope bytes?>", 20);
  g_autofree char *encoded = g_base64_encode (g_bytes_get_data (envelope, NULL), 20);
  g_autoptr(GBytes) fast = sotto_msg_build_message_encoded ("general", 42, 1700000000123,
                                                            "alice", "01HF8Z3K9Q", encoded);
  g_autoptr(GBytes) slow = sotto_msg_build_message ("general", 42, 1700000000123,
                                                    "alice", "01HF8Z3K9Q", envelope);
  g_autoptr(SottoMsg) parsed = sotto_msg_parse_bytes (fast, SOTTO_MSG_FROM_SERVER, NULL);
  g_autoptr(GBytes) regenerated = NULL;
  g_autoptr(GBytes) sent = sotto_msg_build_sent ("7", "@alice+bob", "m-1", 1, 1700000000999);
  g_autoptr(SottoMsg) sent_parsed = sotto_msg_parse_bytes (sent, SOTTO_MSG_FROM_SERVER, NULL);
  g_autoptr(GBytes) sent_regenerated = NULL;
  g_autoptr(GBytes) odd = sotto_msg_build_sent ("q\"\\\n", "general", "m", 1, 2);
  g_autoptr(SottoMsg) odd_parsed = sotto_msg_parse_bytes (odd, SOTTO_MSG_FROM_SERVER, NULL);

  g_assert_true (g_bytes_equal (fast, slow));
  g_assert_nonnull (parsed);
  g_assert_cmpstr (sotto_msg_get_base64 (parsed, "envelope"), ==, encoded);
  regenerated = sotto_msg_serialize (parsed);
  g_assert_true (g_bytes_equal (fast, regenerated));

  g_assert_nonnull (sent_parsed);
  sent_regenerated = sotto_msg_serialize (sent_parsed);
  g_assert_true (g_bytes_equal (sent, sent_regenerated));
  g_assert_cmpint (sotto_msg_get_int (sent_parsed, "ts"), ==, 1700000000999);

  /* An id the parser would refuse still builds valid, escaped JSON. */
  g_assert_null (odd_parsed);
  g_assert_nonnull (memchr (g_bytes_get_data (odd, NULL), '\\', g_bytes_get_size (odd)));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (specs); i++)
    {
      g_autofree char *path = g_strdup_printf ("/sotto/protocol/round-trip/%s", specs[i].test_name);

      g_test_add_data_func (path, &specs[i], test_round_trip);
    }

  for (guint i = 0; i < G_N_ELEMENTS (specs); i++)
    {
      for (guint f = 0; f < G_N_ELEMENTS (specs[i].fields) && specs[i].fields[f].name; f++)
        {
          g_autofree char *path = g_strdup_printf ("/sotto/protocol/reject/%s/%s",
                                                   specs[i].test_name, specs[i].fields[f].name);
          FieldTest *test = g_new0 (FieldTest, 1);

          test->spec = &specs[i];
          test->field = &specs[i].fields[f];
          g_test_add_data_func_full (path, test, test_reject_field, g_free);
        }
    }

  g_test_add_func ("/sotto/protocol/reject/unknown-type", test_reject_unknown_type);
  g_test_add_func ("/sotto/protocol/reject/wrong-direction", test_reject_wrong_direction);
  g_test_add_func ("/sotto/protocol/reject/unknown-field", test_reject_unknown_field);
  g_test_add_func ("/sotto/protocol/reject/not-object", test_reject_not_object);
  g_test_add_func ("/sotto/protocol/flat-same-as-parser", test_flat_same_as_parser);
  g_test_add_func ("/sotto/protocol/reject/invalid-json", test_reject_invalid_json);
  g_test_add_func ("/sotto/protocol/reject/truncated", test_reject_truncated);
  g_test_add_func ("/sotto/protocol/reject/nul", test_reject_nul);
  g_test_add_func ("/sotto/protocol/reject/deep-nesting", test_reject_deep_nesting);
  g_test_add_func ("/sotto/protocol/reject/too-large", test_reject_too_large);
  g_test_add_func ("/sotto/protocol/reject/too-many", test_reject_too_many);
  g_test_add_func ("/sotto/protocol/reject/duplicate-member", test_reject_duplicate_member);
  g_test_add_func ("/sotto/protocol/reject/double-for-int", test_reject_double_for_int);
  g_test_add_func ("/sotto/protocol/reject/huge-int", test_reject_huge_int);
  g_test_add_func ("/sotto/protocol/reject/invalid-utf8", test_reject_invalid_utf8);
  g_test_add_func ("/sotto/protocol/accept/whitespace-and-escapes",
                   test_accept_whitespace_and_escapes);
  g_test_add_func ("/sotto/protocol/builder/compact", test_builder_compact);
  g_test_add_func ("/sotto/protocol/builder/escapes-controls", test_builder_escapes_controls);
  g_test_add_func ("/sotto/protocol/builder/null-inputs", test_builder_null_inputs);
  g_test_add_func ("/sotto/protocol/parse/request-id", test_parse_request_id);
  g_test_add_func ("/sotto/protocol/error-codes", test_error_codes);
  g_test_add_func ("/sotto/protocol/error-codes/banned", test_error_banned);
  g_test_add_func ("/sotto/protocol/owner-and-bans-absent", test_owner_and_bans_absent);
  g_test_add_func ("/sotto/protocol/type-names", test_type_names);
  g_test_add_func ("/sotto/protocol/validators", test_validators);
  g_test_add_func ("/sotto/protocol/direct-room-names", test_direct_room_names);
  g_test_add_func ("/sotto/protocol/accessor-misuse", test_accessor_misuse);
  g_test_add_func ("/sotto/protocol/prekeys-optional", test_prekeys_optional);
  g_test_add_func ("/sotto/protocol/devices-of-another", test_devices_of_another);
  g_test_add_func ("/sotto/protocol/boxed-refcount", test_boxed_refcount);
  g_test_add_func ("/sotto/protocol/docs-examples", test_docs_examples);
  g_test_add_func ("/sotto/protocol/fast-path", test_fast_path_matches_generator);
  g_test_add_func ("/sotto/protocol/blob-size", test_blob_size);

  return g_test_run ();
}
