/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sodium.h>
#include <string.h>

#include "sotto-client-private.h"

/*
 * SottoClient is the headless client core: one account on one server.
 * It owns the connection and the local store, keeps the rooms with their
 * members and messages as list models, and does the end-to-end work:
 * sealing what the user sends with the room's sender key, handing that key
 * to every member in a box, and opening what others send.
 *
 * The password never reaches the server: the client sends a login secret
 * derived from it with Argon2id (salted with the server and the name), and
 * the same password unlocks the local store with another derivation.
 *
 * This file is the object itself: its state, properties and signals.
 * sotto-client-private.h lists the parts and the order in which they call
 * each other.
 */

enum {
  PROP_0,
  PROP_STATE,
  PROP_USER,
  PROP_CONNECTED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  NOTICE,
  IDENTITY_CHANGED,
  CONNECTION_LOST,
  DISCONNECTED,
  DIRECT_CHAT_STARTED,
  REMOVED_FROM_ROOM,
  LINK_CODE,
  HISTORY_PROGRESS,
  DEVICES_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SottoClient, sotto_client, G_TYPE_OBJECT)

static void
sotto_client_dispose (GObject *object)
{
  SottoClient *self = SOTTO_CLIENT (object);

  g_cancellable_cancel (self->cancellable);
  if (self->connection != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->connection, self);
      sotto_connection_close (self->connection);
    }
  g_clear_object (&self->connection);
  g_clear_object (&self->pins);
  g_clear_object (&self->store);
  g_clear_object (&self->identity);
  g_clear_object (&self->account_key);
  g_clear_object (&self->account_identity);
  g_clear_object (&self->recovering);
  g_clear_object (&self->rooms);
  g_clear_pointer (&self->early_keys, g_ptr_array_unref);
  g_clear_pointer (&self->catchup_from, g_hash_table_unref);
  g_clear_pointer (&self->rooms_catching_up, g_hash_table_unref);
  g_clear_pointer (&self->rooms_with_gaps, g_hash_table_unref);
  g_clear_pointer (&self->in_flight, g_hash_table_unref);
  g_clear_pointer (&self->members_as_of, g_hash_table_unref);
  g_clear_pointer (&self->held_keys, g_hash_table_unref);
  g_clear_pointer (&self->states, g_hash_table_unref);
  g_clear_pointer (&self->pending_views, g_hash_table_unref);
  g_clear_pointer (&self->handovers, g_hash_table_unref);
  g_clear_pointer (&self->device_lists, g_hash_table_unref);
  g_clear_pointer (&self->device_fetches, g_hash_table_unref);
  g_clear_pointer (&self->stale_device_lists, g_hash_table_unref);
  g_clear_pointer (&self->history_received, g_hash_table_unref);
  g_clear_pointer (&self->transfers, g_ptr_array_unref);
  g_clear_handle_id (&self->reconnect_id, g_source_remove);
  g_clear_handle_id (&self->outbox_retry_id, g_source_remove);

  G_OBJECT_CLASS (sotto_client_parent_class)->dispose (object);
}

static void
sotto_client_finalize (GObject *object)
{
  SottoClient *self = SOTTO_CLIENT (object);

  g_clear_object (&self->cancellable);
  g_free (self->data_dir);
  g_free (self->server);
  g_free (self->user);
  if (self->login_secret != NULL)
    sodium_memzero (self->login_secret, strlen (self->login_secret));
  g_free (self->login_secret);

  G_OBJECT_CLASS (sotto_client_parent_class)->finalize (object);
}

static void
sotto_client_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  SottoClient *self = SOTTO_CLIENT (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_USER:
      g_value_set_string (value, self->user);
      break;
    case PROP_CONNECTED:
      g_value_set_boolean (value, sotto_client_get_connected (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sotto_client_class_init (SottoClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sotto_client_dispose;
  object_class->finalize = sotto_client_finalize;
  object_class->get_property = sotto_client_get_property;

  /**
   * SottoClient:state:
   *
   * A #SottoClientState.
   */
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, SOTTO_TYPE_CLIENT_STATE, SOTTO_CLIENT_DISCONNECTED,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_USER] =
    g_param_spec_string ("user", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * SottoClient:connected:
   *
   * Whether the encrypted channel to the server is up, logged in or not.
   * After sotto_client_close() it turns %FALSE once the goodbye is out.
   */
  properties[PROP_CONNECTED] =
    g_param_spec_boolean ("connected", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * SottoClient::notice:
   * @text: what the server's operator said to everyone
   */
  signals[NOTICE] =
    g_signal_new ("notice", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * SottoClient::identity-changed:
   * @user: whose identity keys changed
   * @was_verified: whether the user had verified them; they no longer are
   *
   * A contact logged in with other keys: a new device, or someone posing
   * as them. A UI warns in every room shared with @user.
   */
  /**
   * SottoClient::connection-lost:
   * @error: why the client stopped trying to reconnect
   *
   * The client is offline for good until the user acts: the server's key
   * changed, or it refused the login.
   */
  signals[CONNECTION_LOST] =
    g_signal_new ("connection-lost", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);

  signals[IDENTITY_CHANGED] =
    g_signal_new ("identity-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_BOOLEAN);

  /**
   * SottoClient::disconnected:
   * @error: (nullable): why the connection ended; %NULL when the server
   *   said goodbye
   *
   * The connection to the server ended. Logged in, the client connects
   * again by itself (#SottoClient:state turns %SOTTO_CLIENT_RECONNECTING).
   */
  signals[DISCONNECTED] =
    g_signal_new ("disconnected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);

  /**
   * SottoClient::direct-chat-started:
   * @room: the direct chat's name
   * @peer: who opened it
   *
   * Someone opened a direct chat with the user. It becomes one of the
   * client's rooms at the next login, or at once when the user opens it
   * too (sotto_client_open_direct_async()).
   */
  signals[DIRECT_CHAT_STARTED] =
    g_signal_new ("direct-chat-started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);

  /**
   * SottoClient::removed-from-room:
   * @room: the room, no longer among the client's rooms
   *
   * The room's creator (or the server's operator) removed the user from
   * @room, and the server keeps them out until they are let back in.
   */
  signals[REMOVED_FROM_ROOM] =
    g_signal_new ("removed-from-room", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 1, SOTTO_TYPE_ROOM);

  /**
   * SottoClient::link-code:
   * @code: the link code, as the user is to type it on the other computer
   *
   * A link (sotto_client_link_async()) waits under @code: the server took
   * this computer's offer. Show @code until the link ends; it is also
   * sotto_client_get_link_code() meanwhile.
   */
  signals[LINK_CODE] =
    g_signal_new ("link-code", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * SottoClient::history-progress:
   * @device: the name of the other device of the account
   * @sending: %TRUE for history this computer sends @device
   *   (sotto_client_send_history_async()), %FALSE for history it gets
   *   from @device
   * @done: how many messages went so far
   * @total: how many the transfer holds; @done equals it at the end
   *
   * History handed between devices of the account moved on.
   */
  signals[HISTORY_PROGRESS] =
    g_signal_new ("history-progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 4, G_TYPE_STRING, G_TYPE_BOOLEAN, G_TYPE_UINT,
                  G_TYPE_UINT);

  /**
   * SottoClient::devices-changed:
   *
   * The account's device list as this computer holds it changed: this
   * computer removed, renamed or linked a device, or another of the
   * account's devices did. List them again with
   * sotto_client_list_devices_async().
   */
  signals[DEVICES_CHANGED] =
    g_signal_new ("devices-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 0);
}

static void
sotto_client_init (SottoClient *self)
{
  self->cancellable = g_cancellable_new ();
  self->state_taken = _sotto_client_state_taken;
  self->rooms = g_list_store_new (SOTTO_TYPE_ROOM);
  self->early_keys = g_ptr_array_new_with_free_func ((GDestroyNotify) sotto_msg_unref);
  self->catchup_from = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->rooms_catching_up = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->rooms_with_gaps = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->in_flight = g_hash_table_new (NULL, NULL);
  self->members_as_of = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->held_keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                           (GDestroyNotify) g_ptr_array_unref);
  self->states = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) _sotto_client_free_room_chain);
  self->pending_views = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                               (GDestroyNotify) g_ptr_array_unref);
  self->handovers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                           _sotto_client_free_handovers);
  self->device_lists = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                              (GDestroyNotify) sotto_device_list_free);
  self->device_fetches = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                (GDestroyNotify) g_ptr_array_unref);
  self->stale_device_lists = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->history_received = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->opslimit = SOTTO_PWHASH_OPSLIMIT_DEFAULT;
  self->memlimit = SOTTO_PWHASH_MEMLIMIT_DEFAULT;
}

void
_sotto_client_set_state (SottoClient      *self,
                         SottoClientState  state)
{
  if (self->state == state)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

void
_sotto_client_set_user (SottoClient *self,
                        const char  *user)
{
  if (g_strcmp0 (self->user, user) == 0)
    return;

  g_free (self->user);
  self->user = g_strdup (user);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_USER]);
}

void
_sotto_client_set_connected (SottoClient *self,
                             gboolean     connected)
{
  if (self->connected == connected)
    return;

  self->connected = connected;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTED]);
}

void
_sotto_client_emit_notice (SottoClient *self,
                           const char  *text)
{
  g_signal_emit (self, signals[NOTICE], 0, text);
}

void
_sotto_client_emit_identity_changed (SottoClient *self,
                                     const char  *user,
                                     gboolean     was_verified)
{
  g_signal_emit (self, signals[IDENTITY_CHANGED], 0, user, was_verified);
}

void
_sotto_client_emit_connection_lost (SottoClient  *self,
                                    const GError *error)
{
  g_signal_emit (self, signals[CONNECTION_LOST], 0, error);
}

void
_sotto_client_emit_disconnected (SottoClient  *self,
                                 const GError *error)
{
  g_signal_emit (self, signals[DISCONNECTED], 0, error);
}

void
_sotto_client_emit_direct_chat_started (SottoClient *self,
                                        const char  *room,
                                        const char  *peer)
{
  g_signal_emit (self, signals[DIRECT_CHAT_STARTED], 0, room, peer);
}

void
_sotto_client_emit_removed_from_room (SottoClient *self,
                                      SottoRoom   *room)
{
  g_signal_emit (self, signals[REMOVED_FROM_ROOM], 0, room);
}

void
_sotto_client_emit_devices_changed (SottoClient *self)
{
  g_signal_emit (self, signals[DEVICES_CHANGED], 0);
}

void
_sotto_client_emit_link_code (SottoClient *self,
                              const char  *code)
{
  g_signal_emit (self, signals[LINK_CODE], 0, code);
}

void
_sotto_client_emit_history_progress (SottoClient *self,
                                     const char  *device,
                                     gboolean     sending,
                                     guint        done,
                                     guint        total)
{
  g_signal_emit (self, signals[HISTORY_PROGRESS], 0, device, sending, done, total);
}

/**
 * sotto_client_set_pwhash_limits:
 *
 * Argon2id limits for the login secret and a new local store; tests make
 * them small, everything else keeps the interactive defaults.
 */
void
sotto_client_set_pwhash_limits (SottoClient *self,
                                guint64      opslimit,
                                gsize        memlimit)
{
  g_return_if_fail (SOTTO_IS_CLIENT (self));

  self->opslimit = opslimit;
  self->memlimit = memlimit;
}

SottoClientState
sotto_client_get_state (SottoClient *self)
{
  g_return_val_if_fail (SOTTO_IS_CLIENT (self), SOTTO_CLIENT_DISCONNECTED);
  return self->state;
}

/**
 * sotto_client_is_handing_over_keys:
 *
 * Whether keys of ours are still on their way to their recipients (device
 * lists or prekeys being fetched, boxes not sent yet). A program that
 * ends right after sending waits for this to be %FALSE, or the others
 * cannot read what it sent until it comes back.
 *
 * Returns: %TRUE while a handover is under way
 */
gboolean
sotto_client_is_handing_over_keys (SottoClient *self)
{
  g_return_val_if_fail (SOTTO_IS_CLIENT (self), FALSE);

  return g_hash_table_size (self->handovers) > 0 || g_hash_table_size (self->device_fetches) > 0;
}

/**
 * sotto_client_is_catching_up:
 *
 * Whether what was said in @room while this computer was away may still
 * be on its way: from login until the server has sent all of it. A
 * program that looks for a message it did not see come waits for this to
 * be %FALSE before it says there is none.
 *
 * Returns: %TRUE while @room catches up
 */
gboolean
sotto_client_is_catching_up (SottoClient *self,
                             SottoRoom   *room)
{
  g_return_val_if_fail (SOTTO_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (SOTTO_IS_ROOM (room), FALSE);

  return g_hash_table_contains (self->rooms_catching_up, sotto_room_get_name (room));
}

/**
 * sotto_client_get_device_identity:
 *
 * Returns: (nullable): this computer's own public identity, as the
 *   account's device list names it (not the account's, which contacts
 *   know), or %NULL while logged out
 */
const SottoPublicIdentity *
sotto_client_get_device_identity (SottoClient *self)
{
  g_return_val_if_fail (SOTTO_IS_CLIENT (self), NULL);

  return self->identity != NULL ? sotto_identity_get_public (self->identity) : NULL;
}

const char *
sotto_client_get_user (SottoClient *self)
{
  g_return_val_if_fail (SOTTO_IS_CLIENT (self), NULL);
  return self->user;
}

/**
 * sotto_client_get_rooms:
 *
 * Returns: (transfer none): the rooms and direct chats, #SottoRoom items
 */
GListModel *
sotto_client_get_rooms (SottoClient *self)
{
  g_return_val_if_fail (SOTTO_IS_CLIENT (self), NULL);
  return G_LIST_MODEL (self->rooms);
}

/**
 * sotto_client_get_server:
 *
 * Returns: the server address, "HOST[:PORT]", as given
 */
const char *
sotto_client_get_server (SottoClient *self)
{
  g_return_val_if_fail (SOTTO_IS_CLIENT (self), NULL);
  return self->server;
}

/**
 * sotto_client_get_server_fingerprint:
 *
 * Returns: (nullable): the fingerprint of the key the server showed in
 *   the last handshake, for the user to compare
 */
const char *
sotto_client_get_server_fingerprint (SottoClient *self)
{
  g_return_val_if_fail (SOTTO_IS_CLIENT (self), NULL);
  return sotto_connection_get_server_fingerprint (self->connection);
}

/**
 * sotto_client_get_pinned_fingerprint:
 *
 * Returns: (nullable): the fingerprint of the key trusted for this server
 *   earlier; when it differs from the server's, the key changed
 */
const char *
sotto_client_get_pinned_fingerprint (SottoClient *self)
{
  g_return_val_if_fail (SOTTO_IS_CLIENT (self), NULL);
  return sotto_connection_get_pinned_fingerprint (self->connection);
}

gboolean
sotto_client_get_connected (SottoClient *self)
{
  g_return_val_if_fail (SOTTO_IS_CLIENT (self), FALSE);
  return self->connected;
}

/**
 * sotto_client_lookup_room:
 *
 * Returns: (transfer none) (nullable): the room named @name
 */
SottoRoom *
sotto_client_lookup_room (SottoClient *self,
                          const char  *name)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->rooms));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SottoRoom) room = g_list_model_get_item (G_LIST_MODEL (self->rooms), i);

      if (g_strcmp0 (sotto_room_get_name (room), name) == 0)
        return room;
    }

  return NULL;
}

/**
 * sotto_client_close:
 *
 * Logs out: says goodbye to the server, and closes the local store at once
 * so another window or process may open the account. What was waiting
 * for an answer ends. The client is not used again afterwards.
 */
void
sotto_client_close (SottoClient *self)
{
  g_return_if_fail (SOTTO_IS_CLIENT (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->reconnect_id, g_source_remove);
  g_clear_handle_id (&self->outbox_retry_id, g_source_remove);
  sotto_connection_close (self->connection);
  g_clear_object (&self->store);
  g_clear_object (&self->identity);
  g_clear_object (&self->account_key);
  g_clear_object (&self->account_identity);
  g_list_store_remove_all (self->rooms);
  g_ptr_array_set_size (self->early_keys, 0);
  g_hash_table_remove_all (self->rooms_catching_up);
  g_hash_table_remove_all (self->rooms_with_gaps);
  g_hash_table_remove_all (self->members_as_of);
  g_hash_table_remove_all (self->held_keys);
  g_hash_table_remove_all (self->states);
  g_hash_table_remove_all (self->pending_views);
  g_hash_table_remove_all (self->handovers);
  g_hash_table_remove_all (self->device_lists);
  g_hash_table_remove_all (self->device_fetches);
  g_hash_table_remove_all (self->stale_device_lists);
  g_hash_table_remove_all (self->history_received);
  _sotto_client_set_user (self, NULL);
  _sotto_client_set_state (self, SOTTO_CLIENT_DISCONNECTED);
}
