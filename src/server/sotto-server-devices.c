/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <sodium.h>
#include <string.h>

#include "sotto-server-events.h"
#include "sotto-server-devices.h"
#include "sotto-server-rooms.h"

/*
 * Device lists seen from the server: every account publishes the list of
 * its devices that its account key signed, and anyone logged in fetches
 * it. The server never opens a list, and cannot check its signature; the
 * clients do. It reads only the account key and the counter sent beside
 * the list, to keep to two rules it can enforce: an account's lists all
 * come under the first account key it published with, and each one
 * stored has a higher counter than the one before. They keep an honest
 * server's lists in order; a dishonest one may still hand out an old
 * list, which a client catches only when it holds a newer one.
 *
 * Beside the list come the identities it holds, in the clear: they become
 * the account's devices, which may log in (sotto-server-accounts.c), have
 * prekeys and get keys of their own. The server cannot check them against
 * the list, and need not: a client that lies about its own list only
 * misroutes its own keys. Nothing of a list's content is logged.
 *
 * Both answers wait for the commit: a publish is acknowledged once it is
 * durable, and a fetch never tells of a list that a failed batch loses.
 */

/* Reads "devices": %NULL, with the answer sent, when two of them share a
 * key or the publishing device is not among them. */
static GArray *
read_devices (SottoServerState *self,
              SottoSession     *session,
              SottoMsg         *msg,
              SottoUser        *user)
{
  guint n = json_array_get_length (sotto_msg_get_array (msg, "devices"));
  g_autoptr(GArray) devices = g_array_sized_new (FALSE, TRUE, sizeof (SottoWireIdentity), n);
  SottoStoreDevice *own = NULL;
  gboolean has_own = FALSE;

  g_array_set_size (devices, n);
  for (guint i = 0; i < n; i++)
    {
      SottoWireIdentity *identity = &g_array_index (devices, SottoWireIdentity, i);

      sotto_msg_get_device (msg, i, identity);
      for (guint j = 0; j < i; j++)
        {
          SottoWireIdentity *other = &g_array_index (devices, SottoWireIdentity, j);

          if (memcmp (other->sign, identity->sign, sizeof identity->sign) == 0 ||
              memcmp (other->box, identity->box, sizeof identity->box) == 0)
            {
              _sotto_server_reply_error (self, session, msg, SOTTO_MSG_ERROR_CODE_BAD_REQUEST,
                                         _("Two devices of the list share a key"));
              return NULL;
            }
        }
    }

  for (guint i = 0; i < user->devices->len; i++)
    {
      SottoStoreDevice *device = g_ptr_array_index (user->devices, i);

      if (device->id == sotto_session_get_device (session))
        own = device;
    }
  for (guint i = 0; own != NULL && i < n; i++)
    if (sodium_memcmp (&own->identity, &g_array_index (devices, SottoWireIdentity, i),
                       sizeof own->identity) == 0)
      has_own = TRUE;

  if (!has_own)
    {
      _sotto_server_reply_error (self, session, msg, SOTTO_MSG_ERROR_CODE_FORBIDDEN,
                                 _("A device list has to hold the device that publishes it"));
      return NULL;
    }

  return g_steal_pointer (&devices);
}

static gboolean
listed (GArray                  *devices,
        const SottoWireIdentity *identity)
{
  for (guint i = 0; i < devices->len; i++)
    if (sodium_memcmp (&g_array_index (devices, SottoWireIdentity, i), identity,
                       sizeof *identity) == 0)
      return TRUE;
  return FALSE;
}

/* Makes @devices the account's devices: adds the new ones, removes the
 * others (their prekeys and queued keys go with them) and ends their
 * connections. The member entries show @account from then on if given,
 * else the first device when the one they showed is removed; a change of
 * what they show is told in the account's rooms, once. */
static gboolean
set_devices (SottoServerState         *self,
             SottoUser                *user,
             GArray                   *devices,
             const SottoWireIdentity  *account,
             GError                  **error)
{
  g_autoptr(GArray) removed = g_array_new (FALSE, FALSE, sizeof (gint64));
  gboolean shown_removed = FALSE;
  const SottoWireIdentity *shown = NULL;

  /* Removed first: a device listed again with other keys under the same
   * signing key is another device. */
  for (guint i = 0; i < user->devices->len; i++)
    {
      SottoStoreDevice *device = g_ptr_array_index (user->devices, i);

      if (listed (devices, &device->identity))
        continue;
      if (!sotto_store_remove_device (self->store, device->id, error))
        return FALSE;
      g_array_append_val (removed, device->id);
      if (sodium_memcmp (&device->identity, &user->identity, sizeof user->identity) == 0)
        shown_removed = TRUE;
    }

  for (guint i = 0; i < devices->len; i++)
    {
      const SottoWireIdentity *identity = &g_array_index (devices, SottoWireIdentity, i);

      if (_sotto_user_lookup_device (user, identity) == NULL &&
          sotto_store_add_device (self->store, user->id, identity, _sotto_server_now_ms (),
                                  error) < 0)
        return FALSE;
    }

  if (account != NULL)
    shown = account;
  else if (shown_removed)
    shown = &g_array_index (devices, SottoWireIdentity, 0);
  if (shown != NULL && sodium_memcmp (shown, &user->identity, sizeof *shown) == 0)
    shown = NULL;
  if (shown != NULL && !sotto_store_set_identity (self->store, user->id, shown, error))
    return FALSE;

  if (!_sotto_user_load_devices (user, self->store, error))
    return FALSE;

  if (removed->len > 0)
    {
      g_autoptr(GPtrArray) sessions = g_ptr_array_copy (user->sessions, NULL, NULL);

      g_message ("%s removed %u device(s)", user->name, removed->len);
      for (guint i = 0; i < sessions->len; i++)
        {
          SottoSession *session = g_ptr_array_index (sessions, i);

          for (guint j = 0; j < removed->len; j++)
            if (sotto_session_get_device (session) == g_array_index (removed, gint64, j))
              sotto_session_close (session, _("This computer was removed from the account"));
        }
    }

  if (shown != NULL)
    {
      user->identity = *shown;
      _sotto_server_announce_key_change (self, user);
    }

  return TRUE;
}

/* The list is durable: the publisher is answered, and everyone who shares
 * a room with the account, and its other connections, told of it. */
static void
devices_committed_cb (SottoStore   *store,
                      const GError *error,
                      gpointer      user_data)
{
  SottoPendingReply *reply = user_data;
  SottoUser *user;
  g_autoptr(GBytes) changed = NULL;

  if (error != NULL)
    {
      _sotto_server_reply_store_error (reply->server, reply->session, reply->msg, error);
      return;
    }

  sotto_session_send (reply->session, reply->reply);
  user = _sotto_server_lookup_user (reply->server, reply->name);
  if (user == NULL)
    return;
  changed = sotto_msg_build_devices_changed (user->name);
  _sotto_server_send_to_contacts (reply->server, user, changed);
  _sotto_server_send_to_user (reply->server, user, changed, reply->session);
}

/**
 * _sotto_server_handle_publish_devices:
 *
 * Stores the account's new device list, unless the account has one under
 * another account key ("account_key_changed") or one with the same or a
 * higher counter ("stale"): then nothing is stored. The devices it holds
 * become the account's.
 */
void
_sotto_server_handle_publish_devices (SottoServerState *self,
                                      SottoSession     *session,
                                      SottoMsg         *msg)
{
  SottoUser *user = sotto_session_get_user (session);
  gint64 counter = sotto_msg_get_int (msg, "counter");
  g_autoptr(GBytes) account_key = sotto_msg_dup_bytes (msg, "account_key");
  g_autoptr(GBytes) list = sotto_msg_dup_bytes (msg, "list");
  g_autoptr(GBytes) stored_key = NULL;
  g_autoptr(GBytes) stored_list = NULL;
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) devices = NULL;
  SottoWireIdentity account;
  gboolean has_account;
  gint64 stored_counter;

  devices = read_devices (self, session, msg, user);
  if (devices == NULL)
    return;

  /* The account's identity signs with the account key itself. */
  has_account = sotto_msg_get_identity_field (msg, "account", &account);
  if (has_account && memcmp (account.sign, g_bytes_get_data (account_key, NULL),
                             sizeof account.sign) != 0)
    {
      _sotto_server_reply_error (self, session, msg, SOTTO_MSG_ERROR_CODE_BAD_REQUEST,
                                 _("The account’s identity does not sign with its account key"));
      return;
    }

  /* What the batch holds counts: of two publishes in one turn of the
   * main loop, the second is checked against the first. */
  if (!sotto_store_get_device_list (self->store, user->id, &stored_key, &stored_counter,
                                    &stored_list, &error))
    {
      _sotto_server_reply_store_error (self, session, msg, error);
      return;
    }

  if (stored_key != NULL && !g_bytes_equal (stored_key, account_key))
    {
      g_message ("Device list of %s refused: another account key", user->name);
      _sotto_server_reply_error (self, session, msg, SOTTO_MSG_ERROR_CODE_ACCOUNT_KEY_CHANGED,
                                 _("The server holds this account’s device list under another "
                                   "account key"));
      return;
    }

  if (stored_key != NULL && counter <= stored_counter)
    {
      _sotto_server_reply_error (self, session, msg, SOTTO_MSG_ERROR_CODE_STALE,
                                 _("The server holds a device list of this account that is "
                                   "as new or newer"));
      return;
    }

  if (!sotto_store_set_device_list (self->store, user->id, account_key, counter, list,
                                    _sotto_server_now_ms (), &error) ||
      !set_devices (self, user, devices, has_account ? &account : NULL, &error))
    {
      _sotto_server_reply_store_error (self, session, msg, error);
      return;
    }

  g_message ("%s published device list %" G_GINT64_FORMAT, user->name, counter);
  reply = sotto_msg_build_devices_published (sotto_msg_get_id (msg), counter);
  _sotto_server_answer_after_commit (self, session, msg, user->name, reply,
                                     devices_committed_cb);
}

/* When each of @user's devices was last connected, and whether it is
 * now: told to @user alone, as nobody else needs to know when someone's
 * computers were on. */
static GArray *
devices_seen (SottoUser *user)
{
  GArray *seen = g_array_sized_new (FALSE, TRUE, sizeof (SottoWireDeviceSeen),
                                    user->devices->len);

  for (guint i = 0; i < user->devices->len; i++)
    {
      SottoStoreDevice *device = g_ptr_array_index (user->devices, i);
      SottoWireDeviceSeen item = { .last_seen = device->last_seen };

      memcpy (item.device, device->identity.sign, sizeof item.device);
      for (guint j = 0; j < user->sessions->len && !item.online; j++)
        item.online = sotto_session_get_device (g_ptr_array_index (user->sessions, j)) ==
                      device->id;
      g_array_append_val (seen, item);
    }

  return seen;
}

static void
devices_read_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(SottoHeldRequest) read = user_data;
  SottoServerState *self = read->server;
  g_autoptr(GBytes) account_key = NULL;
  g_autoptr(GBytes) list = NULL;
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) seen = NULL;
  SottoUser *target;
  gint64 counter = 0;

  if (!sotto_store_get_device_list_finish (SOTTO_STORE (object), result, &account_key, &counter,
                                           &list, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _sotto_server_reply_store_error (self, read->session, read->msg, error);
      return;
    }

  if (list == NULL)
    {
      _sotto_server_reply_error (self, read->session, read->msg, SOTTO_MSG_ERROR_CODE_NO_DEVICES,
                                 _("This user has published no device list yet"));
      return;
    }

  target = _sotto_server_lookup_user (self, read->name);
  if (target != NULL && target == sotto_session_get_user (read->session) &&
      target->devices->len > 0)
    seen = devices_seen (target);
  reply = sotto_msg_build_devices (sotto_msg_get_id (read->msg), read->name, account_key,
                                   counter, list,
                                   seen != NULL ? (SottoWireDeviceSeen *) seen->data : NULL,
                                   seen != NULL ? seen->len : 0);
  sotto_session_send (read->session, reply);
}

/**
 * _sotto_server_handle_get_devices:
 *
 * Answers with the user's device list, as it was published; the store
 * answers once what the open batch holds is committed. A user who asks
 * for their own is told too when each of their devices was last
 * connected. The client's next requests wait for the store's answer.
 */
void
_sotto_server_handle_get_devices (SottoServerState *self,
                                  SottoSession     *session,
                                  SottoMsg         *msg)
{
  SottoUser *target = _sotto_server_lookup_user (self, sotto_msg_get_string (msg, "user"));
  SottoHeldRequest *read;

  if (target == NULL)
    {
      _sotto_server_reply_error (self, session, msg, SOTTO_MSG_ERROR_CODE_NO_SUCH_USER,
                                 _("There is no user with that name"));
      return;
    }

  read = _sotto_held_request_new (self, session, msg, target->name, sizeof (SottoHeldRequest));
  sotto_store_get_device_list_async (self->store, target->id,
                                     sotto_session_get_cancellable (session), devices_read_cb,
                                     read);
}
