/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-server-events.h"
#include "sotto-server-prekeys.h"

/*
 * Prekeys seen from the server: every user publishes a signed bundle and
 * one-time prekeys, and anyone logged in fetches a user's bundle with one
 * of the one-time prekeys, which nobody else then gets. The server never
 * opens a bundle; the clients check its signature. Of a one-time prekey it
 * reads only the id, its first 4 bytes, so that one published again under
 * the same id replaces the first.
 *
 * Both answers wait for the commit: a publish is acknowledged once it is
 * durable, and a one-time prekey goes out only once its deletion is, so
 * that not even a crash hands it out twice.
 */

static guint32
one_time_prekey_id (GBytes *prekey)
{
  const guint8 *data = g_bytes_get_data (prekey, NULL);

  g_assert (g_bytes_get_size (prekey) == SOTTO_PROTOCOL_ONE_TIME_PREKEY_BYTES);

  return (guint32) data[0] << 24 | (guint32) data[1] << 16 | (guint32) data[2] << 8 | data[3];
}

static void
prekeys_published_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(SottoHeldRequest) publish = user_data;
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GError) error = NULL;
  gint64 held;

  held = sotto_store_publish_prekeys_finish (SOTTO_STORE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (held == SOTTO_STORE_PREKEYS_OVER_LIMIT)
    {
      g_autofree char *text = g_strdup_printf (_("The server holds at most %d one-time prekeys "
                                                 "for a user"),
                                               SOTTO_PROTOCOL_MAX_ONE_TIME_PREKEYS);

      _sotto_server_reply_error (publish->server, publish->session, publish->msg,
                                 SOTTO_MSG_ERROR_CODE_TOO_LARGE, text);
      return;
    }
  if (held < 0)
    {
      _sotto_server_reply_store_error (publish->server, publish->session, publish->msg, error);
      return;
    }

  /* The store answers once what it wrote is committed. */
  reply = sotto_msg_build_prekeys_published (sotto_msg_get_id (publish->msg), held);
  sotto_session_send (publish->session, reply);
}

/**
 * _sotto_server_handle_publish_prekeys:
 *
 * Stores the user's new bundle, if the message has one, and adds its
 * one-time prekeys, unless the user would then hold more than
 * %SOTTO_PROTOCOL_MAX_ONE_TIME_PREKEYS: then nothing is stored, and the
 * answer is "too_large". The client's next requests wait for the store.
 */
void
_sotto_server_handle_publish_prekeys (SottoServerState *self,
                                      SottoSession     *session,
                                      SottoMsg         *msg)
{
  JsonArray *array = sotto_msg_get_array (msg, "one_time");
  guint n = json_array_get_length (array);
  g_autoptr(GPtrArray) prekeys = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autofree guint32 *ids = g_new (guint32, MAX (n, 1));
  g_autoptr(GBytes) bundle = NULL;
  SottoHeldRequest *publish;

  for (guint i = 0; i < n; i++)
    {
      g_ptr_array_add (prekeys, sotto_msg_dup_bytes_item (msg, "one_time", i));
      ids[i] = one_time_prekey_id (g_ptr_array_index (prekeys, i));
    }
  if (sotto_msg_has_field (msg, "bundle"))
    bundle = sotto_msg_dup_bytes (msg, "bundle");

  publish = _sotto_held_request_new (self, session, msg, NULL, sizeof (SottoHeldRequest));
  sotto_store_publish_prekeys_async (self->store, sotto_session_get_device (session), bundle,
                                     prekeys, ids, _sotto_server_now_ms (),
                                     SOTTO_PROTOCOL_MAX_ONE_TIME_PREKEYS,
                                     sotto_session_get_cancellable (session),
                                     prekeys_published_cb, publish);
}

static void
prekeys_taken_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(SottoHeldRequest) take = user_data;
  g_autoptr(GBytes) bundle = NULL;
  g_autoptr(GBytes) one_time = NULL;
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GError) error = NULL;

  if (!sotto_store_take_prekeys_finish (SOTTO_STORE (object), result, &bundle, &one_time,
                                        &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _sotto_server_reply_store_error (take->server, take->session, take->msg, error);
      return;
    }

  if (bundle == NULL)
    {
      _sotto_server_reply_error (take->server, take->session, take->msg,
                                 SOTTO_MSG_ERROR_CODE_NO_PREKEYS,
                                 _("This user has published no prekeys yet"));
      return;
    }

  /* The store answers only once the one-time prekey's deletion is
   * committed. */
  reply = sotto_msg_build_prekeys (sotto_msg_get_id (take->msg), take->name, bundle, one_time);
  sotto_session_send (take->session, reply);
}

/**
 * _sotto_server_handle_get_prekeys:
 *
 * Answers with the user's bundle and takes their oldest one-time prekey,
 * if any is left, for this answer alone, in one step of the store; the
 * client's next requests wait for it. Even without one, the answer waits
 * for the commit, so that it never tells of a bundle that a failed batch
 * then loses.
 */
void
_sotto_server_handle_get_prekeys (SottoServerState *self,
                                  SottoSession     *session,
                                  SottoMsg         *msg)
{
  SottoUser *target = _sotto_server_lookup_user (self, sotto_msg_get_string (msg, "user"));
  SottoStoreDevice *device;
  SottoHeldRequest *take;

  if (target == NULL)
    {
      _sotto_server_reply_error (self, session, msg, SOTTO_MSG_ERROR_CODE_NO_SUCH_USER,
                                 _("There is no user with that name"));
      return;
    }

  device = _sotto_server_request_device (self, session, msg, target);
  if (device == NULL)
    return;

  take = _sotto_held_request_new (self, session, msg, target->name, sizeof (SottoHeldRequest));
  sotto_store_take_prekeys_async (self->store, device->id, sotto_session_get_cancellable (session),
                                  prekeys_taken_cb, take);
}
