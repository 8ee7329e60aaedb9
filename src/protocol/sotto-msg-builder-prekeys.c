/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "sotto-msg-builder.h"
#include "sotto-msg-builder-private.h"

/* Prekeys, both ways: a user publishes a signed bundle and one-time
 * prekeys, and others fetch them to box to that user while they are away.
 * The server checks the sizes and nothing else. */

/**
 * sotto_msg_build_publish_prekeys:
 * @bundle: (nullable): the user's new signed bundle, or %NULL to keep the
 *   one the server holds
 * @one_time: (array length=n_one_time): one-time prekeys, each its id
 *   (4 bytes, big endian) then its public key
 * @n_one_time: how many, at most %SOTTO_PROTOCOL_MAX_PUBLISH_ONE_TIME
 */
GBytes *
sotto_msg_build_publish_prekeys (const char     *id,
                                 GBytes         *bundle,
                                 GBytes * const *one_time,
                                 gsize           n_one_time)
{
  JsonBuilder *builder;

  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (one_time != NULL || n_one_time == 0, NULL);

  builder = begin_request ("publish_prekeys", id);
  if (bundle != NULL)
    add_bytes (builder, "bundle", bundle);

  json_builder_set_member_name (builder, "one_time");
  json_builder_begin_array (builder);
  for (gsize i = 0; i < n_one_time; i++)
    {
      gsize len;
      const guint8 *data = g_bytes_get_data (one_time[i], &len);
      g_autofree char *encoded = g_base64_encode (data, len);

      json_builder_add_string_value (builder, encoded);
    }
  json_builder_end_array (builder);

  return end_message (builder);
}

/**
 * sotto_msg_build_get_prekeys:
 * @device: (nullable): the signing key of the device whose prekeys are
 *   wanted, %SOTTO_PROTOCOL_KEY_SIZE bytes; %NULL for the one the
 *   account's member entries show
 */
GBytes *
sotto_msg_build_get_prekeys (const char *id,
                             const char *user,
                             GBytes     *device)
{
  JsonBuilder *builder;

  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (user != NULL, NULL);

  builder = begin_request ("get_prekeys", id);
  add_string (builder, "user", user);
  if (device != NULL)
    add_bytes (builder, "device", device);

  return end_message (builder);
}

/**
 * sotto_msg_build_prekeys_published:
 * @one_time_left: how many one-time prekeys the server now holds for the user
 */
GBytes *
sotto_msg_build_prekeys_published (const char *id,
                                   gint64      one_time_left)
{
  JsonBuilder *builder;

  g_return_val_if_fail (id != NULL, NULL);

  builder = begin_request ("prekeys_published", id);
  add_int (builder, "one_time_left", one_time_left);

  return end_message (builder);
}

/**
 * sotto_msg_build_prekeys:
 * @user: the account's name as the server spells it
 * @bundle: the user's signed bundle, as they published it
 * @one_time: (nullable): one of their one-time prekeys, or %NULL when none
 *   is left
 */
GBytes *
sotto_msg_build_prekeys (const char *id,
                         const char *user,
                         GBytes     *bundle,
                         GBytes     *one_time)
{
  JsonBuilder *builder;

  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (user != NULL, NULL);
  g_return_val_if_fail (bundle != NULL, NULL);

  builder = begin_request ("prekeys", id);
  add_string (builder, "user", user);
  add_bytes (builder, "bundle", bundle);
  if (one_time != NULL)
    add_bytes (builder, "one_time", one_time);

  return end_message (builder);
}
