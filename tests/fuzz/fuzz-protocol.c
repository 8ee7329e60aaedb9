/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <stdint.h>
#include <string.h>

#include "sotto-protocol.h"
#include "sotto-protocol-private.h"

/* Parses every input as a message from each side. A flat object read in
 * one pass must equal what json-glib reads. Whatever parses must
 * hold up to every accessor of every field, re-serialize to something that
 * parses to the same object, and be rebuilt identically by the typed
 * builders from what the accessors return.
 */

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  /* A critical from the library or json-glib is a bug the fuzzer found. */
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);

  return 0;
}

static const char *
str (SottoMsg   *msg,
     const char *field)
{
  const char *value = sotto_msg_get_string (msg, field);

  g_assert_nonnull (value);

  return value;
}

static SottoWireMember *
dup_members (SottoMsg *msg,
             gsize    *out_n)
{
  JsonArray *array = sotto_msg_get_array (msg, "members");
  gsize n = json_array_get_length (array);
  SottoWireMember *members = g_new0 (SottoWireMember, MAX (n, 1));

  for (guint i = 0; i < n; i++)
    g_assert_true (sotto_msg_get_member (msg, i, &members[i]));

  *out_n = n;

  return members;
}

static SottoWireRoomSummary *
dup_rooms (SottoMsg *msg,
           gsize    *out_n)
{
  JsonArray *array = sotto_msg_get_array (msg, "rooms");
  gsize n = json_array_get_length (array);
  SottoWireRoomSummary *rooms = g_new0 (SottoWireRoomSummary, MAX (n, 1));

  for (guint i = 0; i < n; i++)
    g_assert_true (sotto_msg_get_room_summary (msg, i, &rooms[i]));

  *out_n = n;

  return rooms;
}

static SottoWireBan *
dup_bans (SottoMsg *msg,
          gsize    *out_n)
{
  JsonArray *array = sotto_msg_get_array (msg, "bans");
  gsize n = json_array_get_length (array);
  SottoWireBan *bans = g_new0 (SottoWireBan, MAX (n, 1));

  for (guint i = 0; i < n; i++)
    g_assert_true (sotto_msg_get_ban (msg, i, &bans[i]));

  *out_n = n;

  return bans;
}

static GBytes *
rebuild (SottoMsg *msg)
{
  g_autofree SottoWireMember *members = NULL;
  g_autofree SottoWireBan *bans = NULL;
  g_autofree SottoWireRoomSummary *rooms = NULL;
  g_autofree gint64 *kids = NULL;
  g_autoptr(GBytes) bytes = NULL;
  SottoWireIdentity identity;
  guint8 blob[SOTTO_PROTOCOL_BLOB_ID_BYTES];
  JsonArray *array;
  gsize n = 0;

  switch (sotto_msg_get_msg_type (msg))
    {
    case SOTTO_MSG_TYPE_REGISTER:
      {
        SottoWireIdentity account;
        gboolean has_account = sotto_msg_get_identity_field (msg, "account", &account);

        g_assert_true (sotto_msg_get_identity (msg, &identity));
        return sotto_msg_build_register (str (msg, "id"), str (msg, "username"),
                                         str (msg, "password"), &identity,
                                         has_account ? &account : NULL);
      }

    case SOTTO_MSG_TYPE_LOGIN:
      g_assert_true (sotto_msg_get_identity (msg, &identity));
      {
        SottoWireIdentity reset;
        gboolean has_reset = sotto_msg_get_identity_field (msg, "reset", &reset);
        g_autoptr(GBytes) proof = sotto_msg_dup_bytes (msg, "proof");

        if (has_reset && proof == NULL)
          return sotto_msg_build_reset_login (str (msg, "id"), str (msg, "username"),
                                              str (msg, "password"), &identity, &reset);
        if (has_reset || proof != NULL)
          return sotto_msg_build_login_full (str (msg, "id"), str (msg, "username"),
                                             str (msg, "password"), &identity,
                                             has_reset ? &reset : NULL, proof);
      }
      return sotto_msg_build_login (str (msg, "id"), str (msg, "username"),
                                    str (msg, "password"), &identity);

    case SOTTO_MSG_TYPE_LOGOUT:
      return sotto_msg_build_logout (str (msg, "id"));

    case SOTTO_MSG_TYPE_JOIN:
      return sotto_msg_build_join (str (msg, "id"), str (msg, "room"));

    case SOTTO_MSG_TYPE_LEAVE:
      return sotto_msg_build_leave (str (msg, "id"), str (msg, "room"));

    case SOTTO_MSG_TYPE_LIST_ROOMS:
      return sotto_msg_build_list_rooms (str (msg, "id"));

    case SOTTO_MSG_TYPE_LIST_MEMBERS:
      return sotto_msg_build_list_members (str (msg, "id"), str (msg, "room"));

    case SOTTO_MSG_TYPE_OPEN_DIRECT:
      return sotto_msg_build_open_direct (str (msg, "id"), str (msg, "user"));

    case SOTTO_MSG_TYPE_SEND:
      bytes = sotto_msg_dup_bytes (msg, "envelope");
      return sotto_msg_build_send (str (msg, "id"), str (msg, "room"), str (msg, "msg_id"), bytes);

    case SOTTO_MSG_TYPE_SEND_KEY:
      {
        g_autoptr(GBytes) device = sotto_msg_dup_bytes (msg, "device");

        bytes = sotto_msg_dup_bytes (msg, "box");
        return sotto_msg_build_send_key (str (msg, "id"), str (msg, "to"), device,
                                         str (msg, "room"), bytes);
      }

    case SOTTO_MSG_TYPE_KEY_REQUEST:
      {
        g_autoptr(GBytes) device = sotto_msg_dup_bytes (msg, "device");

        return sotto_msg_build_key_request (str (msg, "id"), str (msg, "to"), device,
                                            str (msg, "room"),
                                            (guint32) sotto_msg_get_int (msg, "key_id"));
      }

    case SOTTO_MSG_TYPE_ACK_KEYS:
      array = sotto_msg_get_array (msg, "kids");
      n = json_array_get_length (array);
      kids = g_new0 (gint64, n);
      for (guint i = 0; i < n; i++)
        kids[i] = json_array_get_int_element (array, i);
      return sotto_msg_build_ack_keys (str (msg, "id"), kids, n);

    case SOTTO_MSG_TYPE_CATCHUP:
      return sotto_msg_build_catchup (str (msg, "id"), str (msg, "room"),
                                      sotto_msg_get_int (msg, "after"),
                                      sotto_msg_get_int (msg, "limit"));

    case SOTTO_MSG_TYPE_TYPING:
      if (sotto_msg_get_direction (msg) == SOTTO_MSG_FROM_CLIENT)
        return sotto_msg_build_typing (str (msg, "room"));
      return sotto_msg_build_typing_event (str (msg, "room"), str (msg, "user"));

    case SOTTO_MSG_TYPE_KICK:
      return sotto_msg_build_kick (str (msg, "id"), str (msg, "room"), str (msg, "user"));

    case SOTTO_MSG_TYPE_UNBAN:
      return sotto_msg_build_unban (str (msg, "id"), str (msg, "room"), str (msg, "user"));

    case SOTTO_MSG_TYPE_LIST_BANS:
      return sotto_msg_build_list_bans (str (msg, "id"), str (msg, "room"));

    case SOTTO_MSG_TYPE_PING:
      return sotto_msg_build_ping (str (msg, "id"));

    case SOTTO_MSG_TYPE_STATE:
      bytes = sotto_msg_dup_bytes (msg, "event");
      return sotto_msg_build_state (str (msg, "id"), str (msg, "room"),
                                    sotto_msg_get_int (msg, "index"), bytes);

    case SOTTO_MSG_TYPE_STATE_CATCHUP:
      return sotto_msg_build_state_catchup (str (msg, "id"), str (msg, "room"),
                                            sotto_msg_get_int (msg, "from"),
                                            sotto_msg_get_int (msg, "limit"));

    case SOTTO_MSG_TYPE_PUBLISH_PREKEYS:
      {
        g_autoptr(GPtrArray) one_time = NULL;

        one_time = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

        array = sotto_msg_get_array (msg, "one_time");
        for (guint i = 0; i < json_array_get_length (array); i++)
          g_ptr_array_add (one_time, sotto_msg_dup_bytes_item (msg, "one_time", i));
        bytes = sotto_msg_dup_bytes (msg, "bundle");
        return sotto_msg_build_publish_prekeys (str (msg, "id"), bytes,
                                                (GBytes * const *) one_time->pdata, one_time->len);
      }

    case SOTTO_MSG_TYPE_GET_PREKEYS:
      {
        g_autoptr(GBytes) device = sotto_msg_dup_bytes (msg, "device");

        return sotto_msg_build_get_prekeys (str (msg, "id"), str (msg, "user"), device);
      }

    case SOTTO_MSG_TYPE_PUBLISH_DEVICES:
      {
        g_autoptr(GBytes) account_key = sotto_msg_dup_bytes (msg, "account_key");
        g_autoptr(GArray) devices = g_array_new (FALSE, TRUE, sizeof (SottoWireIdentity));
        SottoWireIdentity account;
        gboolean has_account = sotto_msg_get_identity_field (msg, "account", &account);

        array = sotto_msg_get_array (msg, "devices");
        g_array_set_size (devices, json_array_get_length (array));
        for (guint i = 0; i < devices->len; i++)
          sotto_msg_get_device (msg, i, &g_array_index (devices, SottoWireIdentity, i));
        bytes = sotto_msg_dup_bytes (msg, "list");
        return sotto_msg_build_publish_devices (str (msg, "id"), account_key,
                                                sotto_msg_get_int (msg, "counter"), bytes,
                                                (SottoWireIdentity *) devices->data, devices->len,
                                                has_account ? &account : NULL);
      }

    case SOTTO_MSG_TYPE_GET_DEVICES:
      return sotto_msg_build_get_devices (str (msg, "id"), str (msg, "user"));

    case SOTTO_MSG_TYPE_LINK_OFFER:
      bytes = sotto_msg_dup_bytes (msg, "offer");
      return sotto_msg_build_link_offer (str (msg, "id"), str (msg, "link"), bytes);

    case SOTTO_MSG_TYPE_LINK_FETCH:
      return sotto_msg_build_link_fetch (str (msg, "id"), str (msg, "link"));

    case SOTTO_MSG_TYPE_LINK_APPROVE:
      bytes = sotto_msg_dup_bytes (msg, "approval");
      return sotto_msg_build_link_approve (str (msg, "id"), str (msg, "link"), bytes);

    case SOTTO_MSG_TYPE_WELCOME:
      return sotto_msg_build_welcome (str (msg, "server_version"),
                                      sotto_msg_get_int (msg, "protocol"),
                                      sotto_msg_get_int (msg, "min_password"),
                                      sotto_msg_get_int (msg, "max_frame"),
                                      sotto_msg_has_field (msg, "max_file")
                                        ? sotto_msg_get_int (msg, "max_file") : 0);

    case SOTTO_MSG_TYPE_OK:
      return sotto_msg_build_ok (str (msg, "id"));

    case SOTTO_MSG_TYPE_ERROR:
      return sotto_msg_build_error (sotto_msg_get_id (msg), sotto_msg_get_error_code (msg),
                                    str (msg, "message"));

    case SOTTO_MSG_TYPE_SESSION:
      g_assert_true (sotto_msg_get_identity (msg, &identity));
      rooms = dup_rooms (msg, &n);
      return sotto_msg_build_session (str (msg, "id"), str (msg, "user"), &identity, rooms, n);

    case SOTTO_MSG_TYPE_ROOM_LIST:
      rooms = dup_rooms (msg, &n);
      return sotto_msg_build_room_list (str (msg, "id"), rooms, n);

    case SOTTO_MSG_TYPE_MEMBERS:
      members = dup_members (msg, &n);
      return sotto_msg_build_members (str (msg, "id"), str (msg, "room"),
                                      sotto_msg_get_string (msg, "owner"),
                                      sotto_msg_get_int (msg, "state_length"), members, n);

    case SOTTO_MSG_TYPE_JOINED:
      members = dup_members (msg, &n);
      return sotto_msg_build_joined (str (msg, "id"), str (msg, "room"),
                                     sotto_msg_get_string (msg, "owner"),
                                     sotto_msg_get_bool (msg, "direct"),
                                     sotto_msg_get_int (msg, "last_seq"),
                                     sotto_msg_get_int (msg, "state_length"), members, n);

    case SOTTO_MSG_TYPE_BANS:
      bans = dup_bans (msg, &n);
      return sotto_msg_build_bans (str (msg, "id"), str (msg, "room"), bans, n);

    case SOTTO_MSG_TYPE_SENT:
      return sotto_msg_build_sent (str (msg, "id"), str (msg, "room"), str (msg, "msg_id"),
                                   sotto_msg_get_int (msg, "seq"), sotto_msg_get_int (msg, "ts"));

    case SOTTO_MSG_TYPE_MESSAGE:
      bytes = sotto_msg_dup_bytes (msg, "envelope");
      return sotto_msg_build_message (str (msg, "room"), sotto_msg_get_int (msg, "seq"),
                                      sotto_msg_get_int (msg, "ts"), str (msg, "sender"),
                                      str (msg, "msg_id"), bytes);

    case SOTTO_MSG_TYPE_MEMBER_JOINED:
      g_assert_true (sotto_msg_get_identity (msg, &identity));
      return sotto_msg_build_member_joined (str (msg, "room"), sotto_msg_get_int (msg, "seq"),
                                            sotto_msg_get_int (msg, "ts"), str (msg, "user"),
                                            &identity);

    case SOTTO_MSG_TYPE_MEMBER_LEFT:
      return sotto_msg_build_member_left (str (msg, "room"), sotto_msg_get_int (msg, "seq"),
                                          sotto_msg_get_int (msg, "ts"), str (msg, "user"),
                                          sotto_msg_get_leave_reason (msg));

    case SOTTO_MSG_TYPE_KEY_CHANGED:
      g_assert_true (sotto_msg_get_identity (msg, &identity));
      return sotto_msg_build_key_changed (str (msg, "room"), sotto_msg_get_int (msg, "seq"),
                                          sotto_msg_get_int (msg, "ts"), str (msg, "user"),
                                          &identity);

    case SOTTO_MSG_TYPE_PRESENCE:
      return sotto_msg_build_presence (str (msg, "user"), sotto_msg_get_bool (msg, "online"));

    case SOTTO_MSG_TYPE_KEY:
      {
        g_autoptr(GBytes) device = sotto_msg_dup_bytes (msg, "device");

        bytes = sotto_msg_dup_bytes (msg, "box");
        return sotto_msg_build_key (sotto_msg_get_int (msg, "kid"), str (msg, "from"), device,
                                    str (msg, "room"), bytes);
      }

    case SOTTO_MSG_TYPE_KEY_REQUESTED:
      {
        g_autoptr(GBytes) device = sotto_msg_dup_bytes (msg, "device");

        return sotto_msg_build_key_requested (sotto_msg_get_int (msg, "kid"), str (msg, "from"),
                                              device, str (msg, "room"),
                                              (guint32) sotto_msg_get_int (msg, "key_id"));
      }

    case SOTTO_MSG_TYPE_CATCHUP_DONE:
      return sotto_msg_build_catchup_done (str (msg, "id"), str (msg, "room"),
                                           sotto_msg_get_int (msg, "last_seq"),
                                           sotto_msg_get_bool (msg, "more"));

    case SOTTO_MSG_TYPE_NOTICE:
      return sotto_msg_build_notice (str (msg, "text"), sotto_msg_get_int (msg, "ts"));

    case SOTTO_MSG_TYPE_PONG:
      return sotto_msg_build_pong (str (msg, "id"));

    case SOTTO_MSG_TYPE_STATE_EVENT:
      bytes = sotto_msg_dup_bytes (msg, "event");
      return sotto_msg_build_state_event (str (msg, "room"), sotto_msg_get_int (msg, "index"),
                                          str (msg, "sender"), sotto_msg_get_int (msg, "ts"),
                                          bytes);

    case SOTTO_MSG_TYPE_STATE_DONE:
      return sotto_msg_build_state_done (str (msg, "id"), str (msg, "room"),
                                         sotto_msg_get_int (msg, "length"),
                                         sotto_msg_get_bool (msg, "more"));

    case SOTTO_MSG_TYPE_PREKEYS_PUBLISHED:
      return sotto_msg_build_prekeys_published (str (msg, "id"),
                                                sotto_msg_get_int (msg, "one_time_left"));

    case SOTTO_MSG_TYPE_PREKEYS:
      {
        g_autoptr(GBytes) one_time = sotto_msg_dup_bytes (msg, "one_time");

        bytes = sotto_msg_dup_bytes (msg, "bundle");
        return sotto_msg_build_prekeys (str (msg, "id"), str (msg, "user"), bytes, one_time);
      }

    case SOTTO_MSG_TYPE_DEVICES_PUBLISHED:
      return sotto_msg_build_devices_published (str (msg, "id"),
                                                sotto_msg_get_int (msg, "counter"));

    case SOTTO_MSG_TYPE_DEVICES:
      {
        g_autoptr(GBytes) account_key = sotto_msg_dup_bytes (msg, "account_key");
        g_autoptr(GArray) seen = g_array_new (FALSE, TRUE, sizeof (SottoWireDeviceSeen));
        JsonArray *array = sotto_msg_get_array (msg, "seen");

        if (array != NULL)
          g_array_set_size (seen, json_array_get_length (array));
        for (guint i = 0; i < seen->len; i++)
          g_assert_true (sotto_msg_get_device_seen (msg, i,
                                                    &g_array_index (seen, SottoWireDeviceSeen,
                                                                    i)));

        bytes = sotto_msg_dup_bytes (msg, "list");
        return sotto_msg_build_devices (str (msg, "id"), str (msg, "user"), account_key,
                                        sotto_msg_get_int (msg, "counter"), bytes,
                                        array != NULL ? (SottoWireDeviceSeen *) seen->data
                                                      : NULL,
                                        seen->len);
      }

    case SOTTO_MSG_TYPE_LINK_OFFERED:
      bytes = sotto_msg_dup_bytes (msg, "offer");
      return sotto_msg_build_link_offered (str (msg, "id"), str (msg, "link"), bytes);

    case SOTTO_MSG_TYPE_LINK_APPROVED:
      bytes = sotto_msg_dup_bytes (msg, "approval");
      return sotto_msg_build_link_approved (str (msg, "link"), bytes, str (msg, "user"));

    case SOTTO_MSG_TYPE_LINK_EXPIRED:
      return sotto_msg_build_link_expired (str (msg, "link"));

    case SOTTO_MSG_TYPE_DEVICES_CHANGED:
      return sotto_msg_build_devices_changed (str (msg, "user"));

    case SOTTO_MSG_TYPE_SEND_HISTORY:
      {
        g_autoptr(GBytes) device = sotto_msg_dup_bytes (msg, "device");

        bytes = sotto_msg_dup_bytes (msg, "chunk");
        return sotto_msg_build_send_history (str (msg, "id"), device, bytes);
      }

    case SOTTO_MSG_TYPE_ACK_HISTORY:
      array = sotto_msg_get_array (msg, "hids");
      n = json_array_get_length (array);
      kids = g_new0 (gint64, n);
      for (guint i = 0; i < n; i++)
        kids[i] = json_array_get_int_element (array, i);
      return sotto_msg_build_ack_history (str (msg, "id"), kids, n);

    case SOTTO_MSG_TYPE_HISTORY:
      {
        g_autoptr(GBytes) device = sotto_msg_dup_bytes (msg, "device");

        bytes = sotto_msg_dup_bytes (msg, "chunk");
        return sotto_msg_build_history (sotto_msg_get_int (msg, "hid"), device, bytes);
      }

    case SOTTO_MSG_TYPE_UPLOAD:
      g_assert_true (sotto_msg_get_blob_id (msg, blob));
      return sotto_msg_build_upload (str (msg, "id"), blob, str (msg, "room"),
                                     sotto_msg_get_int (msg, "size"));

    case SOTTO_MSG_TYPE_UPLOAD_CHUNK:
      g_assert_true (sotto_msg_get_blob_id (msg, blob));
      bytes = sotto_msg_dup_bytes (msg, "data");
      return sotto_msg_build_upload_chunk (sotto_msg_get_id (msg), blob,
                                           sotto_msg_get_int (msg, "offset"), bytes);

    case SOTTO_MSG_TYPE_DOWNLOAD:
      g_assert_true (sotto_msg_get_blob_id (msg, blob));
      return sotto_msg_build_download (str (msg, "id"), blob, sotto_msg_get_int (msg, "offset"),
                                       sotto_msg_get_int (msg, "length"));

    case SOTTO_MSG_TYPE_UPLOAD_AT:
      g_assert_true (sotto_msg_get_blob_id (msg, blob));
      return sotto_msg_build_upload_at (str (msg, "id"), blob, sotto_msg_get_int (msg, "offset"));

    case SOTTO_MSG_TYPE_BLOB:
      g_assert_true (sotto_msg_get_blob_id (msg, blob));
      bytes = sotto_msg_dup_bytes (msg, "data");
      return sotto_msg_build_blob (sotto_msg_get_id (msg), blob, sotto_msg_get_int (msg, "offset"),
                                   bytes,
                                   sotto_msg_get_int (msg, "size"));

    case SOTTO_MSG_TYPE_INVALID:
    case SOTTO_MSG_N_TYPES:
    default:
      g_assert_not_reached ();
    }

  return NULL;
}

/* Every field through the accessor its kind calls for, checked against
 * the limits the schema promises. */
static void
exercise_fields (SottoMsg *msg)
{
  const SottoMsgSchema *schema;

  schema = _sotto_msg_schema_get (sotto_msg_get_msg_type (msg), sotto_msg_get_direction (msg));
  g_assert_nonnull (schema);

  for (guint i = 0; i < schema->body.n_fields; i++)
    {
      const SottoFieldSchema *field = &schema->body.fields[i];
      g_autoptr(GBytes) bytes = NULL;
      SottoWireIdentity identity;
      const char *value;
      JsonArray *array;
      gint64 number;

      if (!sotto_msg_has_field (msg, field->name))
        {
          g_assert_true (field->optional);
          continue;
        }

      switch (field->kind)
        {
        case SOTTO_FIELD_ID:
        case SOTTO_FIELD_USERNAME:
        case SOTTO_FIELD_ROOM:
        case SOTTO_FIELD_NORMAL_ROOM:
        case SOTTO_FIELD_PASSWORD:
        case SOTTO_FIELD_TEXT:
        case SOTTO_FIELD_ENUM:
        case SOTTO_FIELD_LINK_ID:
          value = sotto_msg_get_string (msg, field->name);
          g_assert_nonnull (value);
          g_assert_true (g_utf8_validate (value, -1, NULL));
          if (field->kind == SOTTO_FIELD_ID)
            g_assert_true (sotto_protocol_id_is_valid (value));
          else if (field->kind == SOTTO_FIELD_USERNAME)
            g_assert_true (sotto_protocol_username_is_valid (value));
          else if (field->kind == SOTTO_FIELD_ROOM || field->kind == SOTTO_FIELD_NORMAL_ROOM)
            g_assert_true (sotto_protocol_room_is_valid (value));
          if (field->kind == SOTTO_FIELD_NORMAL_ROOM)
            g_assert_false (sotto_protocol_room_is_direct (value));
          if (field->kind == SOTTO_FIELD_LINK_ID)
            g_assert_true (sotto_protocol_link_id_is_valid (value));
          break;

        case SOTTO_FIELD_BASE64:
          bytes = sotto_msg_dup_bytes (msg, field->name);
          g_assert_cmpint ((gint64) g_bytes_get_size (bytes), >=, field->min);
          g_assert_cmpint ((gint64) g_bytes_get_size (bytes), <=, field->max);
          break;

        case SOTTO_FIELD_INT:
          number = sotto_msg_get_int (msg, field->name);
          g_assert_cmpint (number, >=, field->min);
          g_assert_cmpint (number, <=, field->max);
          break;

        case SOTTO_FIELD_BOOL:
          (void) sotto_msg_get_bool (msg, field->name);
          break;

        case SOTTO_FIELD_OBJECT:
          g_assert_true (sotto_msg_get_identity_field (msg, field->name, &identity));
          break;

        case SOTTO_FIELD_INT_ARRAY:
        case SOTTO_FIELD_OBJECT_ARRAY:
        case SOTTO_FIELD_BASE64_ARRAY:
          array = sotto_msg_get_array (msg, field->name);
          g_assert_nonnull (array);
          g_assert_cmpuint (json_array_get_length (array), >=, field->min_items);
          g_assert_cmpuint (json_array_get_length (array), <=, field->max_items);
          if (field->kind == SOTTO_FIELD_INT_ARRAY)
            {
              for (guint j = 0; j < json_array_get_length (array); j++)
                g_assert_cmpint (json_array_get_int_element (array, j), >=, field->min);
            }
          else if (field->kind == SOTTO_FIELD_BASE64_ARRAY)
            {
              for (guint j = 0; j < json_array_get_length (array); j++)
                {
                  g_autoptr(GBytes) item = sotto_msg_dup_bytes_item (msg, field->name, j);

                  g_assert_cmpint ((gint64) g_bytes_get_size (item), >=, field->min);
                  g_assert_cmpint ((gint64) g_bytes_get_size (item), <=, field->max);
                }
            }
          break;

        default:
          g_assert_not_reached ();
        }
    }

  if (sotto_msg_get_msg_type (msg) == SOTTO_MSG_TYPE_ERROR)
    (void) sotto_msg_get_error_code (msg);
  if (sotto_msg_get_msg_type (msg) == SOTTO_MSG_TYPE_MEMBER_LEFT)
    (void) sotto_msg_get_leave_reason (msg);
}

/* A binary message ("upload_chunk", "blob"): it has one encoding, so what
 * it was parsed from is what it serializes to, and what the builder makes
 * of its fields. */
static void
check_binary (SottoMsg     *msg,
              const guint8 *data,
              gsize         size)
{
  g_autoptr(GBytes) serialized = sotto_msg_serialize (msg);
  g_autoptr(GBytes) rebuilt = rebuild (msg);
  g_autoptr(SottoMsg) reparsed = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpmem (g_bytes_get_data (serialized, NULL), g_bytes_get_size (serialized), data, size);
  g_assert_true (g_bytes_equal (serialized, rebuilt));
  reparsed = sotto_msg_parse_bytes (serialized, sotto_msg_get_direction (msg), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sotto_msg_get_id (msg), ==, sotto_msg_get_id (reparsed));
}

static void
check_message (SottoMsg *msg)
{
  SottoMsgDirection direction = sotto_msg_get_direction (msg);
  g_autoptr(GBytes) serialized = NULL;
  g_autoptr(GBytes) serialized_again = NULL;
  g_autoptr(GBytes) rebuilt = NULL;
  g_autoptr(SottoMsg) reparsed = NULL;
  g_autoptr(SottoMsg) reparsed_rebuilt = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (sotto_msg_type_to_string (sotto_msg_get_msg_type (msg)));
  (void) sotto_msg_get_id (msg);
  exercise_fields (msg);

  serialized = sotto_msg_serialize (msg);
  g_assert_null (memchr (g_bytes_get_data (serialized, NULL), '\n', g_bytes_get_size (serialized)));
  reparsed = sotto_msg_parse_bytes (serialized, direction, &error);
  g_assert_no_error (error);
  g_assert_true (json_object_equal (sotto_msg_get_object (msg), sotto_msg_get_object (reparsed)));
  serialized_again = sotto_msg_serialize (reparsed);
  g_assert_true (g_bytes_equal (serialized, serialized_again));

  rebuilt = rebuild (msg);
  g_assert_nonnull (rebuilt);
  reparsed_rebuilt = sotto_msg_parse_bytes (rebuilt, direction, &error);
  g_assert_no_error (error);
  g_assert_true (json_object_equal (sotto_msg_get_object (msg),
                                    sotto_msg_get_object (reparsed_rebuilt)));
}

/* The one-pass reading of flat objects builds what json-glib builds. */
static void
check_flat (const uint8_t *data,
            size_t         size)
{
  g_autoptr(JsonNode) flat = NULL;
  g_autoptr(JsonParser) parser = NULL;
  guint n_members = 0;

  if (!_sotto_json_prescan (data, size, &n_members, NULL) ||
      (flat = _sotto_json_parse_flat (data, size)) == NULL)
    return;
  parser = json_parser_new_immutable ();
  g_assert_true (json_parser_load_from_data (parser, (const char *) data, (gssize) size, NULL));
  g_assert_true (json_node_equal (flat, json_parser_get_root (parser)));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  const SottoMsgDirection directions[] = { SOTTO_MSG_FROM_CLIENT, SOTTO_MSG_FROM_SERVER };

  check_flat (data, size);

  for (guint d = 0; d < G_N_ELEMENTS (directions); d++)
    {
      g_autoptr(SottoMsg) msg = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *request_id = NULL;

      msg = sotto_msg_parse_full (data, size, directions[d], &request_id, &error);

      if (msg == NULL)
        {
          g_assert_nonnull (error);
          g_assert_true (error->domain == SOTTO_PROTOCOL_ERROR);
          g_assert_true (g_utf8_validate (error->message, -1, NULL));
          (void) sotto_msg_error_code_for_parse_error (error);
          if (request_id != NULL)
            g_assert_true (sotto_protocol_id_is_valid (request_id));
          continue;
        }

      g_assert_no_error (error);
      g_assert_null (request_id);
      g_assert_cmpint (sotto_msg_get_direction (msg), ==, directions[d]);
      if (sotto_msg_get_object (msg) == NULL)
        check_binary (msg, data, size);
      else
        check_message (msg);
    }

  return 0;
}
