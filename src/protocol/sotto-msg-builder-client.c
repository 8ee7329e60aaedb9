/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "sotto-msg-builder.h"
#include "sotto-msg-builder-private.h"

/* Client → server */

static GBytes *
build_credentials (const char              *type,
                   const char              *id,
                   const char              *username,
                   const char              *password,
                   const SottoWireIdentity *identity,
                   const SottoWireIdentity *account)
{
  JsonBuilder *builder = begin_request (type, id);

  add_string (builder, "username", username);
  add_string (builder, "password", password);
  add_identity (builder, identity);
  add_account_identity (builder, account);

  return end_message (builder);
}

/**
 * sotto_msg_build_register:
 * @identity: the identity of the device registering
 * @account: (nullable): the account's identity, the one its member entries
 *   are to show; %NULL for the device's
 */
GBytes *
sotto_msg_build_register (const char              *id,
                          const char              *username,
                          const char              *password,
                          const SottoWireIdentity *identity,
                          const SottoWireIdentity *account)
{
  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (username != NULL, NULL);
  g_return_val_if_fail (password != NULL, NULL);
  g_return_val_if_fail (identity != NULL, NULL);

  return build_credentials ("register", id, username, password, identity, account);
}

GBytes *
sotto_msg_build_login (const char              *id,
                       const char              *username,
                       const char              *password,
                       const SottoWireIdentity *identity)
{
  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (username != NULL, NULL);
  g_return_val_if_fail (password != NULL, NULL);
  g_return_val_if_fail (identity != NULL, NULL);

  return build_credentials ("login", id, username, password, identity, NULL);
}

/**
 * sotto_msg_build_reset_login:
 * @account: the account's new identity, the one its member entries are to
 *   show (the device's own @identity where the account has no other)
 *
 * A login that resets the account: @identity becomes the account's one
 * device, the server forgets the account's other devices and its device
 * list, and tells the account's rooms of @account, its new keys.
 */
GBytes *
sotto_msg_build_reset_login (const char              *id,
                             const char              *username,
                             const char              *password,
                             const SottoWireIdentity *identity,
                             const SottoWireIdentity *account)
{
  g_return_val_if_fail (account != NULL, NULL);

  return sotto_msg_build_login_full (id, username, password, identity, account, NULL);
}

/**
 * sotto_msg_build_login_full:
 * @reset: (nullable): as in sotto_msg_build_reset_login(); %NULL for no
 *   reset
 * @proof: (nullable): the account key's signature over this login
 *   (SOTTO_PROTOCOL_LOGIN_PROOF_BYTES, docs/protocol.md, `login`), from a
 *   computer that holds the account key but is not one of the account's
 *   devices yet; %NULL for none
 *
 * A login with any of its optional fields. The server refuses `reset`
 * and `proof` together; they are both written here so that whatever
 * parses can be built again.
 */
GBytes *
sotto_msg_build_login_full (const char              *id,
                            const char              *username,
                            const char              *password,
                            const SottoWireIdentity *identity,
                            const SottoWireIdentity *reset,
                            GBytes                  *proof)
{
  JsonBuilder *builder;

  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (username != NULL, NULL);
  g_return_val_if_fail (password != NULL, NULL);
  g_return_val_if_fail (identity != NULL, NULL);

  builder = begin_request ("login", id);
  add_string (builder, "username", username);
  add_string (builder, "password", password);
  add_identity (builder, identity);
  if (reset != NULL)
    {
      json_builder_set_member_name (builder, "reset");
      add_identity_object (builder, reset);
    }
  if (proof != NULL)
    add_bytes (builder, "proof", proof);

  return end_message (builder);
}

GBytes *
sotto_msg_build_logout (const char *id)
{
  g_return_val_if_fail (id != NULL, NULL);

  return build_id_only ("logout", id);
}

GBytes *
sotto_msg_build_join (const char *id,
                      const char *room)
{
  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (room != NULL, NULL);

  return end_message (begin_room_request ("join", id, room));
}

GBytes *
sotto_msg_build_leave (const char *id,
                       const char *room)
{
  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (room != NULL, NULL);

  return end_message (begin_room_request ("leave", id, room));
}

GBytes *
sotto_msg_build_list_rooms (const char *id)
{
  g_return_val_if_fail (id != NULL, NULL);

  return build_id_only ("list_rooms", id);
}

GBytes *
sotto_msg_build_list_members (const char *id,
                              const char *room)
{
  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (room != NULL, NULL);

  return end_message (begin_room_request ("list_members", id, room));
}

GBytes *
sotto_msg_build_open_direct (const char *id,
                             const char *user)
{
  JsonBuilder *builder;

  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (user != NULL, NULL);

  builder = begin_request ("open_direct", id);
  add_string (builder, "user", user);

  return end_message (builder);
}

GBytes *
sotto_msg_build_send (const char *id,
                      const char *room,
                      const char *msg_id,
                      GBytes     *envelope)
{
  JsonBuilder *builder;

  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (room != NULL, NULL);
  g_return_val_if_fail (msg_id != NULL, NULL);
  g_return_val_if_fail (envelope != NULL, NULL);

  builder = begin_room_request ("send", id, room);
  add_string (builder, "msg_id", msg_id);
  add_bytes (builder, "envelope", envelope);

  return end_message (builder);
}

/**
 * sotto_msg_build_send_key:
 * @device: (nullable): the signing key of the recipient's device it is
 *   for, %SOTTO_PROTOCOL_KEY_SIZE bytes; %NULL for the one the account's
 *   member entries show
 */
GBytes *
sotto_msg_build_send_key (const char *id,
                          const char *to,
                          GBytes     *device,
                          const char *room,
                          GBytes     *box)
{
  JsonBuilder *builder;

  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (to != NULL, NULL);
  g_return_val_if_fail (room != NULL, NULL);
  g_return_val_if_fail (box != NULL, NULL);

  builder = begin_request ("send_key", id);
  add_string (builder, "to", to);
  if (device != NULL)
    add_bytes (builder, "device", device);
  add_string (builder, "room", room);
  add_bytes (builder, "box", box);

  return end_message (builder);
}

/**
 * sotto_msg_build_key_request:
 * @device: (nullable): the signing key of the recipient's device it is
 *   for, %SOTTO_PROTOCOL_KEY_SIZE bytes; %NULL for the one the account's
 *   member entries show
 */
GBytes *
sotto_msg_build_key_request (const char *id,
                             const char *to,
                             GBytes     *device,
                             const char *room,
                             guint32     key_id)
{
  JsonBuilder *builder;

  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (to != NULL, NULL);
  g_return_val_if_fail (room != NULL, NULL);

  builder = begin_request ("key_request", id);
  add_string (builder, "to", to);
  if (device != NULL)
    add_bytes (builder, "device", device);
  add_string (builder, "room", room);
  add_int (builder, "key_id", key_id);

  return end_message (builder);
}

GBytes *
sotto_msg_build_ack_keys (const char   *id,
                          const gint64 *kids,
                          gsize         n_kids)
{
  JsonBuilder *builder;

  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (kids != NULL || n_kids == 0, NULL);

  builder = begin_request ("ack_keys", id);
  json_builder_set_member_name (builder, "kids");
  json_builder_begin_array (builder);
  for (gsize i = 0; i < n_kids; i++)
    json_builder_add_int_value (builder, kids[i]);
  json_builder_end_array (builder);

  return end_message (builder);
}

GBytes *
sotto_msg_build_catchup (const char *id,
                         const char *room,
                         gint64      after,
                         gint64      limit)
{
  JsonBuilder *builder;

  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (room != NULL, NULL);

  builder = begin_room_request ("catchup", id, room);
  add_int (builder, "after", after);
  add_int (builder, "limit", limit);

  return end_message (builder);
}

GBytes *
sotto_msg_build_typing (const char *room)
{
  JsonBuilder *builder;

  g_return_val_if_fail (room != NULL, NULL);

  builder = begin_message ("typing");
  add_string (builder, "room", room);

  return end_message (builder);
}

GBytes *
sotto_msg_build_kick (const char *id,
                      const char *room,
                      const char *user)
{
  JsonBuilder *builder;

  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (room != NULL, NULL);
  g_return_val_if_fail (user != NULL, NULL);

  builder = begin_room_request ("kick", id, room);
  add_string (builder, "user", user);

  return end_message (builder);
}

GBytes *
sotto_msg_build_unban (const char *id,
                       const char *room,
                       const char *user)
{
  JsonBuilder *builder;

  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (room != NULL, NULL);
  g_return_val_if_fail (user != NULL, NULL);

  builder = begin_room_request ("unban", id, room);
  add_string (builder, "user", user);

  return end_message (builder);
}

GBytes *
sotto_msg_build_list_bans (const char *id,
                           const char *room)
{
  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (room != NULL, NULL);

  return end_message (begin_room_request ("list_bans", id, room));
}

GBytes *
sotto_msg_build_ping (const char *id)
{
  g_return_val_if_fail (id != NULL, NULL);

  return build_id_only ("ping", id);
}
