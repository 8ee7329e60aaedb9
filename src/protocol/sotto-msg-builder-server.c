/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "sotto-msg-builder.h"
#include "sotto-msg-builder-private.h"

/* Server → client: the connection itself, and answers that carry no
 * more than whether a request worked. */

GBytes *
sotto_msg_build_welcome (const char *server_version,
                         gint64      protocol,
                         gint64      min_password,
                         gint64      max_frame,
                         gint64      max_file)
{
  JsonBuilder *builder;

  g_return_val_if_fail (server_version != NULL, NULL);

  builder = begin_message ("welcome");
  add_string (builder, "server_version", server_version);
  add_int (builder, "protocol", protocol);
  add_int (builder, "min_password", min_password);
  add_int (builder, "max_frame", max_frame);
  /* 0: the server does not say. */
  if (max_file > 0)
    add_int (builder, "max_file", max_file);

  return end_message (builder);
}

GBytes *
sotto_msg_build_ok (const char *id)
{
  g_return_val_if_fail (id != NULL, NULL);

  return build_id_only ("ok", id);
}

/**
 * sotto_msg_build_error:
 * @id: (nullable): the id of the request this answers, if any
 * @code: what went wrong
 * @message: a human-readable explanation, 1–512 characters
 *
 * Returns: (transfer full): the "error" message
 */
GBytes *
sotto_msg_build_error (const char        *id,
                       SottoMsgErrorCode  code,
                       const char        *message)
{
  const char *code_str = sotto_msg_error_code_to_string (code);
  JsonBuilder *builder;

  g_return_val_if_fail (code_str != NULL, NULL);
  g_return_val_if_fail (message != NULL, NULL);

  builder = begin_message ("error");
  if (id != NULL)
    add_string (builder, "id", id);
  add_string (builder, "code", code_str);
  add_string (builder, "message", message);

  return end_message (builder);
}

GBytes *
sotto_msg_build_notice (const char *text,
                        gint64      ts)
{
  JsonBuilder *builder;

  g_return_val_if_fail (text != NULL, NULL);

  builder = begin_message ("notice");
  add_string (builder, "text", text);
  add_int (builder, "ts", ts);

  return end_message (builder);
}

GBytes *
sotto_msg_build_pong (const char *id)
{
  g_return_val_if_fail (id != NULL, NULL);

  return build_id_only ("pong", id);
}
