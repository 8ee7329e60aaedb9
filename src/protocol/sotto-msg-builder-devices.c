/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "sotto-msg-builder.h"
#include "sotto-msg-builder-private.h"

/* Device lists, both ways: an account publishes the list of its devices
 * that its account key signed, and others fetch it. The server keeps the
 * list as it came and reads only the account key and the counter that
 * travel beside it. */

/**
 * sotto_msg_build_publish_devices:
 * @account_key: the Ed25519 public key that signed @list,
 *   %SOTTO_PROTOCOL_ACCOUNT_KEY_SIZE bytes
 * @counter: the counter inside @list, at least 1
 * @list: the sealed device list, at most
 *   %SOTTO_PROTOCOL_DEVICE_LIST_MAX_BYTES bytes
 * @devices: (array length=n_devices): the identities @list holds, in the
 *   clear, for the server to know which devices may log in
 * @n_devices: 1 to %SOTTO_PROTOCOL_MAX_DEVICES
 * @account: (nullable): the account's identity, whose signing key is
 *   @account_key, for its member entries to show
 */
GBytes *
sotto_msg_build_publish_devices (const char              *id,
                                 GBytes                  *account_key,
                                 gint64                   counter,
                                 GBytes                  *list,
                                 const SottoWireIdentity *devices,
                                 guint                    n_devices,
                                 const SottoWireIdentity *account)
{
  JsonBuilder *builder;

  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (account_key != NULL, NULL);
  g_return_val_if_fail (list != NULL, NULL);
  g_return_val_if_fail (devices != NULL || n_devices == 0, NULL);

  builder = begin_request ("publish_devices", id);
  add_bytes (builder, "account_key", account_key);
  add_int (builder, "counter", counter);
  add_bytes (builder, "list", list);
  json_builder_set_member_name (builder, "devices");
  json_builder_begin_array (builder);
  for (guint i = 0; i < n_devices; i++)
    add_identity_object (builder, &devices[i]);
  json_builder_end_array (builder);
  add_account_identity (builder, account);

  return end_message (builder);
}

GBytes *
sotto_msg_build_get_devices (const char *id,
                             const char *user)
{
  JsonBuilder *builder;

  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (user != NULL, NULL);

  builder = begin_request ("get_devices", id);
  add_string (builder, "user", user);

  return end_message (builder);
}

/**
 * sotto_msg_build_devices_published:
 * @counter: the counter of the list the server now holds
 */
GBytes *
sotto_msg_build_devices_published (const char *id,
                                   gint64      counter)
{
  JsonBuilder *builder;

  g_return_val_if_fail (id != NULL, NULL);

  builder = begin_request ("devices_published", id);
  add_int (builder, "counter", counter);

  return end_message (builder);
}

/**
 * sotto_msg_build_devices:
 * @user: the account's name as the server spells it
 * @account_key: the account key the list was published with
 * @counter: the counter it was published with
 * @list: the device list, as it was published
 * @seen: (array length=n_seen) (nullable): when each of the account's
 *   devices was last connected, for the account itself only; %NULL for
 *   anyone else
 * @n_seen: 1 to %SOTTO_PROTOCOL_MAX_DEVICES, or 0 with @seen %NULL
 */
GBytes *
sotto_msg_build_devices (const char                *id,
                         const char                *user,
                         GBytes                    *account_key,
                         gint64                     counter,
                         GBytes                    *list,
                         const SottoWireDeviceSeen *seen,
                         gsize                      n_seen)
{
  JsonBuilder *builder;

  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (user != NULL, NULL);
  g_return_val_if_fail (account_key != NULL, NULL);
  g_return_val_if_fail (list != NULL, NULL);
  g_return_val_if_fail ((seen == NULL) == (n_seen == 0), NULL);

  builder = begin_request ("devices", id);
  add_string (builder, "user", user);
  add_bytes (builder, "account_key", account_key);
  add_int (builder, "counter", counter);
  add_bytes (builder, "list", list);
  if (seen != NULL)
    {
      json_builder_set_member_name (builder, "seen");
      json_builder_begin_array (builder);
      for (gsize i = 0; i < n_seen; i++)
        {
          json_builder_begin_object (builder);
          add_base64 (builder, "device", seen[i].device, sizeof seen[i].device);
          add_int (builder, "last_seen", seen[i].last_seen);
          add_bool (builder, "online", seen[i].online);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
    }

  return end_message (builder);
}

/**
 * sotto_msg_build_devices_changed:
 * @user: whose device list changed
 */
GBytes *
sotto_msg_build_devices_changed (const char *user)
{
  JsonBuilder *builder;

  g_return_val_if_fail (user != NULL, NULL);

  builder = begin_message ("devices_changed");
  add_string (builder, "user", user);

  return end_message (builder);
}

/**
 * sotto_msg_build_send_history:
 * @device: the signing key of another device of the sender's account,
 *   %SOTTO_PROTOCOL_KEY_SIZE bytes
 * @chunk: history sealed for that device, at most
 *   %SOTTO_PROTOCOL_HISTORY_CHUNK_MAX_BYTES bytes
 */
GBytes *
sotto_msg_build_send_history (const char *id,
                              GBytes     *device,
                              GBytes     *chunk)
{
  JsonBuilder *builder;

  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (device != NULL, NULL);
  g_return_val_if_fail (chunk != NULL, NULL);

  builder = begin_request ("send_history", id);
  add_bytes (builder, "device", device);
  add_bytes (builder, "chunk", chunk);

  return end_message (builder);
}

GBytes *
sotto_msg_build_ack_history (const char   *id,
                             const gint64 *hids,
                             gsize         n_hids)
{
  JsonBuilder *builder;

  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (hids != NULL || n_hids == 0, NULL);

  builder = begin_request ("ack_history", id);
  json_builder_set_member_name (builder, "hids");
  json_builder_begin_array (builder);
  for (gsize i = 0; i < n_hids; i++)
    json_builder_add_int_value (builder, hids[i]);
  json_builder_end_array (builder);

  return end_message (builder);
}

/**
 * sotto_msg_build_history:
 * @hid: its place in the recipient device's queue, to acknowledge it
 * @device: the signing key of the device of the account that sent it
 * @chunk: as it was sent
 */
GBytes *
sotto_msg_build_history (gint64  hid,
                         GBytes *device,
                         GBytes *chunk)
{
  JsonBuilder *builder;

  g_return_val_if_fail (device != NULL, NULL);
  g_return_val_if_fail (chunk != NULL, NULL);

  builder = begin_message ("history");
  add_int (builder, "hid", hid);
  add_bytes (builder, "device", device);
  add_bytes (builder, "chunk", chunk);

  return end_message (builder);
}
