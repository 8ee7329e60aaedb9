/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sodium.h>
#include <string.h>

#include "sotto-client.h"
#include "sotto-client-store.h"
#include "sotto-connection.h"
#include "sotto-e2e.h"

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
 */

#define CATCHUP_PAGE 500
#define LOGIN_SECRET_BYTES 32

struct _SottoClient
{
  GObject            parent_instance;

  char              *data_dir;
  char              *server;
  SottoConnection   *connection;
  SottoFilePinStore *pins;
  SottoClientStore  *store;
  SottoIdentity     *identity;
  char              *user;
  GListStore        *rooms;
  SottoClientState   state;
  GCancellable      *cancellable;
  guint64            opslimit;
  gsize              memlimit;
  /* Key messages that came before their room's members were known. */
  GPtrArray         *early_keys;
  /* room → the last seq held when the session began: where its catch-up
   * starts, whatever arrives before the members are listed */
  GHashTable        *catchup_from;

  /* For logging in again after the connection drops. */
  char              *login_secret;
  guint              reconnect_id;
  guint              outbox_retry_id;
  guint              reconnect_attempt;
  gint64             reconnect_at;
  gboolean           connected;
};

#define RECONNECT_FIRST_MS 500
#define RECONNECT_MAX_MS (60 * 1000)

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
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SottoClient, sotto_client, G_TYPE_OBJECT)

static void handle_event_cb (SottoConnection *connection,
                             SottoMsg        *msg,
                             gpointer         user_data);
static void load_members (SottoClient *self,
                          const char  *room);
static void connection_state_cb (SottoConnection *connection,
                                 GParamSpec      *pspec,
                                 gpointer         user_data);
static void connection_closed_cb (SottoConnection *connection,
                                  const GError    *error,
                                  gpointer         user_data);

static void
set_state (SottoClient      *self,
           SottoClientState  state)
{
  if (self->state == state)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

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
  g_clear_object (&self->rooms);
  g_clear_pointer (&self->early_keys, g_ptr_array_unref);
  g_clear_pointer (&self->catchup_from, g_hash_table_unref);
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
      g_value_set_int (value, self->state);
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
    g_param_spec_int ("state", NULL, NULL, SOTTO_CLIENT_DISCONNECTED, SOTTO_CLIENT_ONLINE,
                      SOTTO_CLIENT_DISCONNECTED,
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
}

static void
sotto_client_init (SottoClient *self)
{
  self->cancellable = g_cancellable_new ();
  self->rooms = g_list_store_new (SOTTO_TYPE_ROOM);
  self->early_keys = g_ptr_array_new_with_free_func ((GDestroyNotify) sotto_msg_unref);
  self->catchup_from = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->opslimit = SOTTO_PWHASH_OPSLIMIT_DEFAULT;
  self->memlimit = SOTTO_PWHASH_MEMLIMIT_DEFAULT;
}

/* The connection's progress shows through while connecting. */
static void
connection_state_cb (SottoConnection *connection,
                     GParamSpec      *pspec,
                     gpointer         user_data)
{
  SottoClient *self = user_data;
  SottoConnectionState state = sotto_connection_get_state (connection);
  gboolean connected = state == SOTTO_CONNECTION_CONNECTED;

  if (state == SOTTO_CONNECTION_HANDSHAKING && self->state == SOTTO_CLIENT_CONNECTING)
    set_state (self, SOTTO_CLIENT_HANDSHAKING);

  if (connected != self->connected)
    {
      self->connected = connected;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTED]);
    }
}

/**
 * sotto_client_new:
 * @data_dir: where this client keeps its state, one folder per server
 *   and account below it
 * @server: "HOST[:PORT]"
 */
SottoClient *
sotto_client_new (const char *data_dir,
                  const char *server)
{
  SottoClient *self;
  g_autofree char *pin_path = NULL;

  g_return_val_if_fail (data_dir != NULL, NULL);
  g_return_val_if_fail (server != NULL, NULL);

  self = g_object_new (SOTTO_TYPE_CLIENT, NULL);
  self->data_dir = g_strdup (data_dir);
  self->server = g_strdup (server);
  pin_path = g_build_filename (data_dir, "servers.ini", NULL);
  self->pins = sotto_file_pin_store_new (pin_path);
  self->connection = sotto_connection_new (server, SOTTO_PIN_STORE (self->pins));
  g_signal_connect (self->connection, "event", G_CALLBACK (handle_event_cb), self);
  g_signal_connect (self->connection, "closed", G_CALLBACK (connection_closed_cb), self);
  g_signal_connect (self->connection, "notify::state", G_CALLBACK (connection_state_cb), self);

  return self;
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

static SottoRoom *
ensure_room (SottoClient *self,
             const char  *name,
             gboolean     direct)
{
  SottoRoom *room = sotto_client_lookup_room (self, name);
  g_autoptr(GError) error = NULL;

  if (room != NULL)
    return room;

  room = sotto_room_new (name, direct, self->user);
  g_list_store_append (self->rooms, room);
  g_object_unref (room);
  if (!sotto_client_store_save_room (self->store, name, direct, &error))
    g_warning ("Could not remember the room %s: %s", name, error->message);

  return room;
}

/* Connecting */

static void
connect_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SottoClient *self = g_task_get_source_object (task);
  GError *error = NULL;
  gboolean ok;

  if (g_task_get_source_tag (task) == sotto_client_trust_server_async)
    ok = sotto_connection_trust_server_finish (SOTTO_CONNECTION (object), result, &error);
  else
    ok = sotto_connection_connect_finish (SOTTO_CONNECTION (object), result, &error);

  if (!ok)
    {
      set_state (self, g_error_matches (error, SOTTO_WIRE_ERROR,
                                        SOTTO_WIRE_ERROR_SERVER_KEY_UNKNOWN)
                       ? SOTTO_CLIENT_AWAITING_TRUST : SOTTO_CLIENT_DISCONNECTED);
      g_task_return_error (task, error);
      return;
    }

  set_state (self, SOTTO_CLIENT_AUTHENTICATING);
  g_task_return_boolean (task, TRUE);
}

/**
 * sotto_client_connect_async:
 *
 * Connects to the server. On first contact it fails with
 * %SOTTO_WIRE_ERROR_SERVER_KEY_UNKNOWN: show the fingerprint of
 * sotto_client_get_connection() and call sotto_client_trust_server_async()
 * if the user trusts it.
 */
void
sotto_client_connect_async (SottoClient         *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (SOTTO_IS_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sotto_client_connect_async);
  set_state (self, SOTTO_CLIENT_CONNECTING);
  sotto_connection_connect_async (self->connection, cancellable, connect_done_cb, task);
}

gboolean
sotto_client_connect_finish (SottoClient   *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
sotto_client_trust_server_async (SottoClient         *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (SOTTO_IS_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sotto_client_trust_server_async);
  set_state (self, SOTTO_CLIENT_CONNECTING);
  sotto_connection_trust_server_async (self->connection, cancellable, connect_done_cb, task);
}

gboolean
sotto_client_trust_server_finish (SottoClient   *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Requests whose answer only matters when it is an error. */

static void
logged_request_done_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(SottoMsg) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *what = user_data;

  reply = sotto_connection_request_finish (SOTTO_CONNECTION (object), result, &error);
  if (reply == NULL &&
      !g_error_matches (error, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_DISCONNECTED) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("Could not %s: %s", what, error->message);
}

typedef GBytes *(*BuildWithId) (const char *id,
                                gpointer    data);

static void
send_logged (SottoClient *self,
             BuildWithId  build,
             gpointer     data,
             const char  *what)
{
  g_autofree char *id = sotto_connection_next_id (self->connection);
  g_autoptr(GBytes) message = build (id, data);

  sotto_connection_request_async (self->connection, id, message, self->cancellable,
                                  logged_request_done_cb, g_strdup (what));
}

/* Identities */

static void
wire_from_public (const SottoPublicIdentity *identity,
                  SottoWireIdentity         *wire)
{
  memcpy (wire->box, identity->box_pk, sizeof wire->box);
  memcpy (wire->sign, identity->sign_pk, sizeof wire->sign);
  memcpy (wire->binding, identity->binding, sizeof wire->binding);
}

static void
public_from_wire (const SottoWireIdentity *wire,
                  SottoPublicIdentity     *identity)
{
  memcpy (identity->box_pk, wire->box, sizeof identity->box_pk);
  memcpy (identity->sign_pk, wire->sign, sizeof identity->sign_pk);
  memcpy (identity->binding, wire->binding, sizeof identity->binding);
}

/* Records a member's identity in the room and in the contacts; a changed
 * key clears "verified" in the store. */
static void
set_member (SottoClient             *self,
            SottoRoom               *room,
            const char              *user,
            const SottoWireIdentity *wire,
            gboolean                 online)
{
  g_autoptr(SottoMember) member = NULL;
  g_autoptr(GError) error = NULL;
  SottoPublicIdentity identity;
  SottoStoredContact before = { 0 };
  gboolean was_verified = FALSE;
  SottoIdentitySeen seen;

  public_from_wire (wire, &identity);
  member = sotto_member_new (user, &identity, online);
  sotto_room_set_member (room, member);

  if (g_strcmp0 (user, self->user) == 0)
    return;

  if (sotto_client_store_get_contact (self->store, user, &before, NULL))
    was_verified = before.verified;

  if (!sotto_client_store_see_identity (self->store, user, &identity,
                                        g_get_real_time () / 1000, &seen, &error))
    g_warning ("The identity of %s is not usable: %s", user, error->message);
  else if (seen == SOTTO_IDENTITY_SEEN_CHANGED)
    g_signal_emit (self, signals[IDENTITY_CHANGED], 0, user, was_verified);
  else
    sotto_member_set_verified (member, was_verified);
}

/* Sender keys */

typedef struct
{
  const char *to;
  const char *room;
  GBytes     *box;
} KeyBox;

static GBytes *
build_send_key (const char *id,
                gpointer    data)
{
  KeyBox *box = data;

  return sotto_msg_build_send_key (id, box->to, box->room, box->box);
}

/* Hands our current sender key for @room to @member in a box only they
 * can open. */
static void
give_key (SottoClient    *self,
          SottoRoom      *room,
          SottoSenderKey *key,
          SottoMember    *member)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) sealed = NULL;
  KeyBox box;

  if (g_strcmp0 (sotto_member_get_user (member), self->user) == 0)
    return;

  sealed = sotto_sender_key_seal_for (key, sotto_room_get_name (room), self->identity,
                                      self->user, sotto_member_get_identity (member), &error);
  if (sealed == NULL)
    {
      g_warning ("Could not seal the key of %s for %s: %s", sotto_room_get_name (room),
                 sotto_member_get_user (member), error->message);
      return;
    }

  box.to = sotto_member_get_user (member);
  box.room = sotto_room_get_name (room);
  box.box = sealed;
  send_logged (self, build_send_key, &box, "hand over a sender key");
}

static void
give_key_to_all (SottoClient    *self,
                 SottoRoom      *room,
                 SottoSenderKey *key)
{
  GListModel *members = sotto_room_get_members (room);
  guint n = g_list_model_get_n_items (members);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SottoMember) member = g_list_model_get_item (members, i);

      give_key (self, room, key, member);
    }
}

/* Our key for @room; a new one is made, stored and handed to every member
 * when there is none (first send, or after a rotation). */
static SottoSenderKey *
ensure_own_key (SottoClient  *self,
                SottoRoom    *room,
                GError      **error)
{
  const char *name = sotto_room_get_name (room);
  g_autoptr(SottoSenderKey) key = NULL;
  g_autoptr(GError) local_error = NULL;

  key = sotto_client_store_load_own_sender_key (self->store, name, self->user, &local_error);
  if (key != NULL)
    return g_steal_pointer (&key);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  key = sotto_sender_key_new ();
  if (!sotto_client_store_save_sender_key (self->store, name, self->user, key, error))
    return NULL;

  give_key_to_all (self, room, key);
  return g_steal_pointer (&key);
}

/* Someone left or changed keys: what we send next must be unreadable to
 * the old keys, so our key is dropped and a new one made at the next send. */
static void
rotate_own_key (SottoClient *self,
                SottoRoom   *room)
{
  g_autoptr(GError) error = NULL;

  if (!sotto_client_store_forget_sender_keys (self->store, sotto_room_get_name (room),
                                              self->user, &error))
    g_warning ("Could not rotate the key of %s: %s", sotto_room_get_name (room), error->message);
}

/* Receiving */

static void
remember_seq (SottoClient *self,
              const char  *room,
              gint64       seq)
{
  g_autoptr(GError) error = NULL;

  if (!sotto_client_store_set_last_seq (self->store, room, seq, &error))
    g_warning ("Could not remember how far %s was read: %s", room, error->message);
}

typedef struct
{
  const char *to;
  const char *room;
  guint32     key_id;
} KeyWanted;

static GBytes *
build_key_request (const char *id,
                   gpointer    data)
{
  KeyWanted *wanted = data;

  return sotto_msg_build_key_request (id, wanted->to, wanted->room, wanted->key_id);
}

/* Opens @envelope from @sender in @room with the key we hold, if any.
 * Returns the state the message is then in, and its text if readable. */
static SottoMessageState
open_envelope (SottoClient  *self,
               SottoRoom    *room,
               const char   *sender,
               GBytes       *envelope,
               char        **text)
{
  const char *name = sotto_room_get_name (room);
  SottoMember *member = sotto_room_lookup_member (room, sender);
  g_autoptr(SottoSenderKey) key = NULL;
  g_autoptr(GBytes) plain = NULL;
  g_autoptr(GError) error = NULL;
  guint32 key_id = 0, index = 0;

  *text = NULL;

  if (!sotto_envelope_peek (envelope, &key_id, &index, &error))
    return SOTTO_MESSAGE_UNVERIFIABLE;

  key = sotto_client_store_load_sender_key (self->store, name, sender, key_id, &error);
  if (key == NULL || member == NULL)
    return SOTTO_MESSAGE_WAITING_FOR_KEY;

  plain = sotto_envelope_open (envelope, name, sender, sotto_member_get_identity (member),
                               key, &error);
  if (plain == NULL)
    {
      g_info ("A message from %s in %s cannot be read: %s", sender, name, error->message);
      return SOTTO_MESSAGE_UNVERIFIABLE;
    }

  g_clear_error (&error);
  if (!sotto_client_store_save_sender_key (self->store, name, sender, key, &error))
    g_warning ("Could not keep the key of %s: %s", sender, error->message);

  if (!g_utf8_validate (g_bytes_get_data (plain, NULL), g_bytes_get_size (plain), NULL))
    return SOTTO_MESSAGE_UNVERIFIABLE;

  *text = g_strndup (g_bytes_get_data (plain, NULL), g_bytes_get_size (plain));
  return SOTTO_MESSAGE_RECEIVED;
}

static void
handle_message (SottoClient *self,
                SottoMsg    *msg)
{
  const char *name = sotto_msg_get_string (msg, "room");
  const char *sender = sotto_msg_get_string (msg, "sender");
  const char *msg_id = sotto_msg_get_string (msg, "msg_id");
  gint64 seq = sotto_msg_get_int (msg, "seq");
  gint64 ts = sotto_msg_get_int (msg, "ts");
  SottoRoom *room = sotto_client_lookup_room (self, name);
  g_autoptr(GBytes) envelope = sotto_msg_dup_bytes (msg, "envelope");
  g_autoptr(SottoMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GBytes) body = NULL;
  SottoMessage *known;
  SottoMessageState state;

  if (room == NULL)
    return;

  remember_seq (self, name, seq);
  sotto_room_set_typing (room, sender, FALSE);

  /* Ours, from another connection or a catch-up: we hold its text, or
   * cannot have it (a sender cannot open its own envelopes). */
  known = sotto_room_lookup_message (room, sender, msg_id);
  if (known != NULL)
    {
      if (g_strcmp0 (sender, self->user) == 0)
        sotto_room_update_message (room, known, SOTTO_MESSAGE_SENT, seq, ts, NULL);
      return;
    }
  if (g_strcmp0 (sender, self->user) == 0)
    return;

  state = open_envelope (self, room, sender, envelope, &text);
  if (state == SOTTO_MESSAGE_WAITING_FOR_KEY)
    {
      KeyWanted wanted = { sender, name, 0 };
      guint32 index;

      sotto_envelope_peek (envelope, &wanted.key_id, &index, NULL);
      send_logged (self, build_key_request, &wanted, "ask for a sender key");
    }

  /* What cannot be read yet is kept as it came, encrypted at rest. */
  body = text != NULL ? g_bytes_new (text, strlen (text)) : g_bytes_ref (envelope);
  if (!sotto_client_store_add_message (self->store, name, sender, msg_id, seq, ts,
                                       (SottoStoredMessageState) state, body, NULL, &error))
    g_warning ("Could not keep a message of %s: %s", name, error->message);

  message = sotto_message_new (name, sender, msg_id, seq, ts, state, text);
  sotto_room_add_message (room, message);
}

/* A key arrived: messages that waited for it are opened in place. */
static void
retry_waiting (SottoClient *self,
               SottoRoom   *room,
               const char  *sender)
{
  g_autoptr(GPtrArray) stored = NULL;
  g_autoptr(GError) error = NULL;

  stored = sotto_client_store_list_messages (self->store, sotto_room_get_name (room),
                                             SOTTO_STORED_MESSAGE_WAITING_FOR_KEY, &error);
  if (stored == NULL)
    return;

  for (guint i = 0; i < stored->len; i++)
    {
      SottoStoredMessage *waiting = g_ptr_array_index (stored, i);
      g_autofree char *text = NULL;
      SottoMessageState state;

      if (g_strcmp0 (waiting->sender, sender) != 0)
        continue;

      state = open_envelope (self, room, sender, waiting->body, &text);
      if (state == SOTTO_MESSAGE_WAITING_FOR_KEY)
        continue;

      {
        g_autoptr(GBytes) body = text != NULL ? g_bytes_new (text, strlen (text)) : NULL;
        g_autoptr(GError) update_error = NULL;

        if (!sotto_client_store_update_message (self->store, sotto_room_get_name (room), sender,
                                                waiting->msg_id,
                                                (SottoStoredMessageState) state, 0, body,
                                                &update_error))
          g_warning ("Could not update a message: %s", update_error->message);
      }

      {
        SottoMessage *message = sotto_room_lookup_message (room, sender, waiting->msg_id);

        if (message != NULL)
          sotto_room_update_message (room, message, state, 0, 0, text);
      }
    }
}

typedef struct
{
  gint64 kid;
} KeyAck;

static GBytes *
build_ack (const char *id,
           gpointer    data)
{
  KeyAck *ack = data;

  return sotto_msg_build_ack_keys (id, &ack->kid, 1);
}

static void
handle_key (SottoClient *self,
            SottoMsg    *msg)
{
  const char *name = sotto_msg_get_string (msg, "room");
  const char *from = sotto_msg_get_string (msg, "from");
  SottoRoom *room = sotto_client_lookup_room (self, name);
  SottoMember *member = room != NULL ? sotto_room_lookup_member (room, from) : NULL;
  g_autoptr(GBytes) box = sotto_msg_dup_bytes (msg, "box");
  g_autoptr(SottoSenderKey) key = NULL;
  g_autoptr(SottoSenderKey) known = NULL;
  g_autoptr(GError) error = NULL;
  KeyAck ack = { sotto_msg_get_int (msg, "kid") };

  /* At login the keys come before the members are listed: keep them until
   * they are. A key from someone who is not a member stays queued on the
   * server, unacknowledged. */
  if (member == NULL)
    {
      if (room != NULL && !sotto_room_get_loaded (room))
        g_ptr_array_add (self->early_keys, sotto_msg_ref (msg));
      return;
    }

  key = sotto_sender_key_open_from (box, name, self->identity, from,
                                    sotto_member_get_identity (member), &error);
  if (key == NULL)
    g_warning ("A key box from %s for %s cannot be opened: %s", from, name, error->message);
  else
    {
      known = sotto_client_store_load_sender_key (self->store, name, from,
                                                  sotto_sender_key_get_key_id (key), NULL);
      /* A key we already hold may have moved on: keep ours. */
      if (known == NULL &&
          !sotto_client_store_save_sender_key (self->store, name, from, key, &error))
        {
          g_warning ("Could not keep the key of %s: %s", from, error->message);
          return;
        }
    }

  send_logged (self, build_ack, &ack, "acknowledge a key");
  if (key != NULL)
    retry_waiting (self, room, from);
}

static void
handle_key_requested (SottoClient *self,
                      SottoMsg    *msg)
{
  const char *name = sotto_msg_get_string (msg, "room");
  const char *from = sotto_msg_get_string (msg, "from");
  SottoRoom *room = sotto_client_lookup_room (self, name);
  SottoMember *member = room != NULL ? sotto_room_lookup_member (room, from) : NULL;
  g_autoptr(SottoSenderKey) key = NULL;
  KeyAck ack = { sotto_msg_get_int (msg, "kid") };

  /* At login the requests come before the members are listed: keep them
   * until they are. Only a member ever gets our key. */
  if (member == NULL && room != NULL && !sotto_room_get_loaded (room))
    {
      g_ptr_array_add (self->early_keys, sotto_msg_ref (msg));
      return;
    }

  if (member != NULL)
    key = sotto_client_store_load_own_sender_key (self->store, name, self->user, NULL);
  if (key != NULL)
    give_key (self, room, key, member);

  send_logged (self, build_ack, &ack, "acknowledge a key request");
}

/* What the operator said to everyone shows in every room, where it was
 * when it came. It is not kept: it belongs to the server, not a room. */
static void
add_notice_rows (SottoClient *self,
                 const char  *text)
{
  GListModel *rooms = G_LIST_MODEL (self->rooms);
  g_autofree char *line = g_strdup_printf (_("Notice from the server: %s"), text);

  for (guint i = 0; i < g_list_model_get_n_items (rooms); i++)
    {
      g_autoptr(SottoRoom) room = g_list_model_get_item (rooms, i);
      g_autoptr(SottoMessage) row = sotto_message_new (sotto_room_get_name (room), NULL, NULL, 0,
                                                       g_get_real_time () / 1000,
                                                       SOTTO_MESSAGE_SYSTEM, line);

      sotto_room_add_message (room, row);
    }
}

/* Tells in the room what happened in it (a join, a departure, a key
 * change), once, at its place in the order of the room's events. */
static void
add_system_row (SottoRoom  *room,
                SottoMsg   *msg,
                const char *text)
{
  gint64 seq = sotto_msg_get_int (msg, "seq");
  g_autoptr(SottoMessage) row = NULL;

  if (sotto_room_has_seq (room, seq))
    return;

  row = sotto_message_new (sotto_room_get_name (room), sotto_msg_get_string (msg, "user"), NULL,
                           seq, sotto_msg_get_int (msg, "ts"), SOTTO_MESSAGE_SYSTEM, text);
  sotto_room_add_message (room, row);
}

static void
handle_event_cb (SottoConnection *connection,
                 SottoMsg        *msg,
                 gpointer         user_data)
{
  SottoClient *self = user_data;
  SottoMsgType type = sotto_msg_get_msg_type (msg);
  SottoRoom *room = NULL;
  SottoWireIdentity wire;

  if (self->store == NULL || self->user == NULL)
    return;

  if (type == SOTTO_MSG_TYPE_MEMBER_JOINED || type == SOTTO_MSG_TYPE_MEMBER_LEFT ||
      type == SOTTO_MSG_TYPE_KEY_CHANGED)
    room = sotto_client_lookup_room (self, sotto_msg_get_string (msg, "room"));

  switch (type)
    {
    case SOTTO_MSG_TYPE_MESSAGE:
      handle_message (self, msg);
      break;

    case SOTTO_MSG_TYPE_MEMBER_JOINED:
      /* Someone opened a direct chat with us, or we joined elsewhere:
       * the room is new here, and all of it is caught up. */
      if (room == NULL && g_strcmp0 (sotto_msg_get_string (msg, "user"), self->user) == 0)
        {
          const char *name = sotto_msg_get_string (msg, "room");

          room = ensure_room (self, name, sotto_protocol_room_is_direct (name));
          load_members (self, name);
          break;
        }
      if (room == NULL)
        {
          const char *name = sotto_msg_get_string (msg, "room");
          g_autofree char *peer = sotto_protocol_direct_room_peer (name, self->user);

          if (peer != NULL)
            g_signal_emit (self, signals[DIRECT_CHAT_STARTED], 0, name, peer);
          break;
        }
      remember_seq (self, sotto_room_get_name (room), sotto_msg_get_int (msg, "seq"));
      sotto_msg_get_identity (msg, &wire);
      set_member (self, room, sotto_msg_get_string (msg, "user"), &wire, TRUE);
      {
        g_autofree char *text = g_strdup_printf (_("%s joined"),
                                                 sotto_msg_get_string (msg, "user"));

        add_system_row (room, msg, text);
      }
      {
        g_autoptr(SottoSenderKey) key =
          sotto_client_store_load_own_sender_key (self->store, sotto_room_get_name (room),
                                                  self->user, NULL);
        SottoMember *member = sotto_room_lookup_member (room, sotto_msg_get_string (msg, "user"));

        /* The newcomer gets our key from where it is now: nothing before. */
        if (key != NULL && member != NULL)
          give_key (self, room, key, member);
      }
      break;

    case SOTTO_MSG_TYPE_MEMBER_LEFT:
      if (room == NULL)
        break;
      remember_seq (self, sotto_room_get_name (room), sotto_msg_get_int (msg, "seq"));
      if (g_strcmp0 (sotto_msg_get_string (msg, "user"), self->user) == 0)
        {
          guint position;

          if (g_list_store_find (self->rooms, room, &position))
            g_list_store_remove (self->rooms, position);
          break;
        }
      sotto_room_remove_member (room, sotto_msg_get_string (msg, "user"));
      {
        g_autofree char *text =
          g_strdup_printf (sotto_msg_get_leave_reason (msg) == SOTTO_MSG_LEAVE_REASON_KICKED
                           ? _("%s was removed") : _("%s left"),
                           sotto_msg_get_string (msg, "user"));

        add_system_row (room, msg, text);
      }
      rotate_own_key (self, room);
      break;

    case SOTTO_MSG_TYPE_KEY_CHANGED:
      if (room == NULL)
        break;
      remember_seq (self, sotto_room_get_name (room), sotto_msg_get_int (msg, "seq"));
      sotto_msg_get_identity (msg, &wire);
      set_member (self, room, sotto_msg_get_string (msg, "user"), &wire, TRUE);
      {
        g_autofree char *text =
          g_strdup_printf (_("The security keys of %s changed: compare safety numbers again"),
                           sotto_msg_get_string (msg, "user"));

        add_system_row (room, msg, text);
      }
      rotate_own_key (self, room);
      break;

    case SOTTO_MSG_TYPE_PRESENCE:
      {
        guint n = g_list_model_get_n_items (G_LIST_MODEL (self->rooms));

        for (guint i = 0; i < n; i++)
          {
            g_autoptr(SottoRoom) each = g_list_model_get_item (G_LIST_MODEL (self->rooms), i);
            SottoMember *member = sotto_room_lookup_member (each,
                                                            sotto_msg_get_string (msg, "user"));

            if (member != NULL)
              sotto_member_set_online (member, sotto_msg_get_bool (msg, "online"));
          }
      }
      break;

    case SOTTO_MSG_TYPE_KEY:
      handle_key (self, msg);
      break;

    case SOTTO_MSG_TYPE_KEY_REQUESTED:
      handle_key_requested (self, msg);
      break;

    case SOTTO_MSG_TYPE_TYPING:
      {
        SottoRoom *typing_room = sotto_client_lookup_room (self,
                                                           sotto_msg_get_string (msg, "room"));

        if (typing_room != NULL)
          sotto_room_set_typing (typing_room, sotto_msg_get_string (msg, "user"), TRUE);
      }
      break;

    case SOTTO_MSG_TYPE_NOTICE:
      add_notice_rows (self, sotto_msg_get_string (msg, "text"));
      g_signal_emit (self, signals[NOTICE], 0, sotto_msg_get_string (msg, "text"));
      break;

    default:
      break;
    }
}

/* Rooms */

typedef struct
{
  SottoClient *client;
  char        *room;
} CatchUp;

static void catch_up (SottoClient *self,
                      const char  *room,
                      gint64       after);

static void
catchup_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  CatchUp *page = user_data;
  g_autoptr(SottoMsg) done = NULL;
  g_autoptr(GError) error = NULL;

  done = sotto_connection_request_finish (SOTTO_CONNECTION (object), result, &error);
  if (done != NULL && page->client->store != NULL && sotto_msg_get_bool (done, "more"))
    catch_up (page->client, page->room, sotto_msg_get_int (done, "last_seq"));

  g_object_unref (page->client);
  g_free (page->room);
  g_free (page);
}

/* Asks for what was said in @room after @after; the events come through
 * the event handler like live ones, then the next page is asked for. */
static void
catch_up (SottoClient *self,
          const char  *room,
          gint64       after)
{
  g_autofree char *id = sotto_connection_next_id (self->connection);
  g_autoptr(GBytes) request = sotto_msg_build_catchup (id, room, after, CATCHUP_PAGE);
  CatchUp *page = g_new0 (CatchUp, 1);

  page->client = g_object_ref (self);
  page->room = g_strdup (room);
  sotto_connection_request_async (self->connection, id, request, self->cancellable,
                                  catchup_done_cb, page);
}

static void
members_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(SottoClient) self = user_data;
  g_autoptr(SottoMsg) reply = NULL;
  g_autoptr(GError) error = NULL;
  SottoRoom *room;
  SottoWireMember member;
  g_autoptr(GError) seq_error = NULL;

  reply = sotto_connection_request_finish (SOTTO_CONNECTION (object), result, &error);
  if (reply == NULL || self->store == NULL)
    return;

  room = sotto_client_lookup_room (self, sotto_msg_get_string (reply, "room"));
  if (room == NULL)
    return;

  for (guint i = 0; i < json_array_get_length (sotto_msg_get_array (reply, "members")); i++)
    if (sotto_msg_get_member (reply, i, &member))
      set_member (self, room, member.user, &member.identity, member.online);
  sotto_room_set_loaded (room, TRUE);

  /* With the members known, their keys can be opened, then what was missed. */
  {
    g_autoptr(GPtrArray) early = g_steal_pointer (&self->early_keys);

    self->early_keys = g_ptr_array_new_with_free_func ((GDestroyNotify) sotto_msg_unref);
    for (guint i = 0; i < early->len; i++)
      {
        SottoMsg *key = g_ptr_array_index (early, i);

        if (g_strcmp0 (sotto_msg_get_string (key, "room"), sotto_room_get_name (room)) != 0)
          g_ptr_array_add (self->early_keys, sotto_msg_ref (key));
        else if (sotto_msg_get_msg_type (key) == SOTTO_MSG_TYPE_KEY_REQUESTED)
          handle_key_requested (self, key);
        else
          handle_key (self, key);
      }
  }

  /* From where the session began: messages re-sent by others from their
   * outboxes, or acknowledgements of our own, may already have moved the
   * stored mark past what this client never received. */
  {
    gpointer key, from;
    gint64 after;

    if (g_hash_table_steal_extended (self->catchup_from, sotto_room_get_name (room), &key, &from))
      {
        after = *(gint64 *) from;
        g_free (key);
        g_free (from);
      }
    else
      after = sotto_client_store_get_last_seq (self->store, sotto_room_get_name (room),
                                               &seq_error);
    catch_up (self, sotto_room_get_name (room), MAX (0, after));
  }
}

static void
load_members (SottoClient *self,
              const char  *room)
{
  g_autofree char *id = sotto_connection_next_id (self->connection);
  g_autoptr(GBytes) request = sotto_msg_build_list_members (id, room);

  sotto_connection_request_async (self->connection, id, request, self->cancellable,
                                  members_done_cb, g_object_ref (self));
}

/* What a room shows at login: a screenful or two. A view asks for older
 * pages as the user scrolls up; a long first page only costs a UI rows
 * nobody looks at. */
#define HISTORY_PAGE 50

static SottoMessage *
message_from_stored (const SottoStoredMessage *row)
{
  gboolean readable = row->state != SOTTO_STORED_MESSAGE_WAITING_FOR_KEY &&
                      row->state != SOTTO_STORED_MESSAGE_UNVERIFIABLE;
  g_autofree char *text = readable && row->body != NULL
    ? g_strndup (g_bytes_get_data (row->body, NULL), g_bytes_get_size (row->body)) : NULL;

  return sotto_message_new (row->room, row->sender, row->msg_id, row->seq, row->ts,
                            (SottoMessageState) row->state, text);
}

static guint
count_numbered (GPtrArray *stored)
{
  guint numbered = 0;

  for (guint i = 0; i < stored->len; i++)
    if (((SottoStoredMessage *) g_ptr_array_index (stored, i))->seq > 0)
      numbered++;
  return numbered;
}

/* Shows what the store holds of the latest page of a room's history. */
static void
load_history (SottoClient *self,
              SottoRoom   *room)
{
  g_autoptr(GPtrArray) stored = NULL;
  g_autoptr(GError) error = NULL;

  stored = sotto_client_store_load_history (self->store, sotto_room_get_name (room), 0,
                                            HISTORY_PAGE, &error);
  if (stored == NULL)
    {
      g_warning ("Could not read the history of %s: %s", sotto_room_get_name (room),
                 error->message);
      return;
    }

  if (g_list_model_get_n_items (sotto_room_get_messages (room)) == 0 &&
      count_numbered (stored) < HISTORY_PAGE)
    sotto_room_set_history_complete (room, TRUE);

  for (guint i = 0; i < stored->len; i++)
    {
      SottoStoredMessage *row = g_ptr_array_index (stored, i);
      g_autoptr(SottoMessage) message = message_from_stored (row);

      if (sotto_room_lookup_message (room, row->sender, row->msg_id) == NULL)
        sotto_room_add_message (room, message);
    }
}

/**
 * sotto_client_load_older:
 * @limit: the most messages to load
 *
 * Puts up to @limit messages from the local history before the oldest the
 * room shows, for a view scrolled to the top. Reading a page is quick
 * (one indexed query), so it runs on the calling thread.
 *
 * Returns: how many messages were added; 0 with @error unset once the
 *   whole history is shown (#SottoRoom:history-complete)
 */
guint
sotto_client_load_older (SottoClient  *self,
                         SottoRoom    *room,
                         guint         limit,
                         GError      **error)
{
  GListModel *messages;
  gint64 before_seq = 0;
  guint n;
  g_autoptr(GPtrArray) stored = NULL;
  g_autoptr(GPtrArray) page = NULL;

  g_return_val_if_fail (SOTTO_IS_CLIENT (self), 0);
  g_return_val_if_fail (SOTTO_IS_ROOM (room), 0);
  g_return_val_if_fail (limit > 0, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  if (sotto_room_get_history_complete (room))
    return 0;
  if (self->store == NULL)
    {
      g_set_error_literal (error, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_FAILED,
                           _("Not logged in"));
      return 0;
    }

  messages = sotto_room_get_messages (room);
  n = g_list_model_get_n_items (messages);
  for (guint i = 0; i < n && before_seq == 0; i++)
    {
      g_autoptr(SottoMessage) message = g_list_model_get_item (messages, i);

      before_seq = sotto_message_get_seq (message);
    }
  if (before_seq == 1 || (n > 0 && before_seq == 0))
    {
      sotto_room_set_history_complete (room, TRUE);
      return 0;
    }

  stored = sotto_client_store_load_history (self->store, sotto_room_get_name (room),
                                            before_seq, limit, error);
  if (stored == NULL)
    return 0;

  page = g_ptr_array_new_full (stored->len, g_object_unref);
  for (guint i = 0; i < stored->len; i++)
    g_ptr_array_add (page, message_from_stored (g_ptr_array_index (stored, i)));
  sotto_room_prepend_messages (room, (SottoMessage **) page->pdata, page->len);

  if (stored->len < limit)
    sotto_room_set_history_complete (room, TRUE);

  return page->len;
}

/**
 * sotto_client_get_reconnect_time:
 *
 * Returns: the monotonic time (g_get_monotonic_time()) of the next attempt
 *   to reconnect, or 0 when none is planned
 */
gint64
sotto_client_get_reconnect_time (SottoClient *self)
{
  g_return_val_if_fail (SOTTO_IS_CLIENT (self), 0);

  return self->reconnect_id != 0 ? self->reconnect_at : 0;
}

/* Accounts */

typedef struct
{
  SottoClient *client;
  char        *username;
  char        *password;  /* sodium_malloc'ed */
  gsize        password_len;
  gboolean     create;
  guint64      opslimit;
  gsize        memlimit;
  char        *server;
  char        *login_secret;
  char        *store_path;
  gboolean     store_was_new;
} Account;

static void
account_free (gpointer data)
{
  Account *account = data;

  g_free (account->username);
  sodium_free (account->password);
  g_free (account->server);
  g_free (account->store_path);
  if (account->login_secret != NULL)
    sodium_memzero (account->login_secret, strlen (account->login_secret));
  g_free (account->login_secret);
  g_free (account);
}

/* The secret the server sees instead of the password: Argon2id of the
 * password, salted with the server and the name. A server that logs it
 * learns nothing it can unseal the local store with. */
static void
derive_login_secret_thread (GTask        *task,
                            gpointer      source_object,
                            gpointer      task_data,
                            GCancellable *cancellable)
{
  Account *account = task_data;
  guint8 salt[crypto_pwhash_SALTBYTES];
  guint8 secret[LOGIN_SECRET_BYTES];
  crypto_generichash_state state;
  static const char label[] = "sotto login secret v1";

  crypto_generichash_init (&state, NULL, 0, sizeof salt);
  crypto_generichash_update (&state, (const guint8 *) label, sizeof label);
  crypto_generichash_update (&state, (const guint8 *) account->server,
                             strlen (account->server) + 1);
  crypto_generichash_update (&state, (const guint8 *) account->username,
                             strlen (account->username) + 1);
  crypto_generichash_final (&state, salt, sizeof salt);

  if (crypto_pwhash (secret, sizeof secret, account->password, account->password_len, salt,
                     account->opslimit, account->memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                               _("Not enough memory to derive the login secret"));
      return;
    }

  account->login_secret = g_base64_encode (secret, sizeof secret);
  sodium_memzero (secret, sizeof secret);
  g_task_return_boolean (task, TRUE);
}

static void flush_outbox (SottoClient *self);

/* A store made for an account the server then refused holds nothing of
 * value, and would lock the name to that first password: remove it. */
static void
forget_new_store (SottoClient *self,
                  Account     *account)
{
  g_clear_object (&self->store);
  g_clear_object (&self->identity);
  if (!account->store_was_new)
    return;

  for (guint i = 0; i < 3; i++)
    {
      static const char *const suffixes[] = { "", "-wal", "-shm" };
      g_autofree char *file = g_strconcat (account->store_path, suffixes[i], NULL);

      g_unlink (file);
    }
}

/* Logged in (again): the rooms, their history, members and what was
 * missed, then whatever waited in the outbox. */
static void
start_session (SottoClient *self,
               SottoMsg    *session)
{
  SottoWireRoomSummary summary;

  self->reconnect_attempt = 0;
  set_state (self, SOTTO_CLIENT_ONLINE);

  for (guint i = 0; i < json_array_get_length (sotto_msg_get_array (session, "rooms")); i++)
    {
      SottoRoom *room;

      if (!sotto_msg_get_room_summary (session, i, &summary))
        continue;
      room = ensure_room (self, summary.room, summary.direct);
      load_history (self, room);
      {
        gint64 last = sotto_client_store_get_last_seq (self->store, summary.room, NULL);

        g_hash_table_insert (self->catchup_from, g_strdup (summary.room),
                             g_memdup2 (&last, sizeof last));
      }
      load_members (self, summary.room);
    }

  flush_outbox (self);
}

static void
session_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SottoClient *self = g_task_get_source_object (task);
  Account *account = g_task_get_task_data (task);
  g_autoptr(SottoMsg) session = NULL;
  GError *error = NULL;

  session = sotto_connection_request_finish (SOTTO_CONNECTION (object), result, &error);
  if (session == NULL || self->store == NULL)
    {
      if (error == NULL)
        error = g_error_new_literal (SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_DISCONNECTED,
                                     _("Logged out"));
      forget_new_store (self, account);
      set_state (self, SOTTO_CLIENT_AUTHENTICATING);
      g_task_return_error (task, error);
      return;
    }

  g_free (self->user);
  self->user = g_strdup (account->username);
  g_free (self->login_secret);
  self->login_secret = g_strdup (account->login_secret);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_USER]);
  start_session (self, session);

  g_task_return_boolean (task, TRUE);
}

static void
send_account_request (GTask *task)
{
  SottoClient *self = g_task_get_source_object (task);
  Account *account = g_task_get_task_data (task);
  g_autofree char *id = sotto_connection_next_id (self->connection);
  g_autoptr(GBytes) request = NULL;
  SottoWireIdentity wire;

  wire_from_public (sotto_identity_get_public (self->identity), &wire);
  request = account->create
    ? sotto_msg_build_register (id, account->username, account->login_secret, &wire)
    : sotto_msg_build_login (id, account->username, account->login_secret, &wire);
  sotto_connection_request_async (self->connection, id, request, g_task_get_cancellable (task),
                                  session_done_cb, task);
}

static void
secret_derived_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  send_account_request (task);
}

static void
store_unlocked_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GTask *task = user_data;
  SottoClient *self = g_task_get_source_object (task);
  Account *account = g_task_get_task_data (task);
  g_autoptr(GTask) derive = NULL;
  GError *error = NULL;

  if (!sotto_client_store_unlock_finish (SOTTO_CLIENT_STORE (object), result, &error))
    {
      if (g_error_matches (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_PASSWORD))
        {
          g_clear_error (&error);
          g_set_error (&error, SOTTO_CLIENT_ERROR,
                       sotto_client_error_from_server (SOTTO_MSG_ERROR_CODE_BAD_CREDENTIALS),
                       _("Wrong username or password"));
        }
      g_clear_object (&self->store);
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  self->identity = sotto_client_store_load_identity (self->store, &error);
  if (self->identity == NULL && error == NULL)
    {
      /* A new device for this account: its own identity keys. */
      self->identity = sotto_identity_new ();
      sotto_client_store_save_identity (self->store, self->identity, &error);
    }
  if (error != NULL)
    {
      g_clear_object (&self->identity);
      g_clear_object (&self->store);
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  derive = g_task_new (self, g_task_get_cancellable (task), secret_derived_cb, task);
  g_task_set_task_data (derive, account, NULL);
  g_task_run_in_thread (derive, derive_login_secret_thread);
}

static void
account_async (SottoClient         *self,
               gboolean             create,
               const char          *username,
               const char          *password,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *folded = NULL;
  g_autofree char *server_dir = NULL;
  g_autofree char *path = NULL;
  GError *error = NULL;
  Account *account;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sotto_client_account_finish);

  if (sotto_connection_get_state (self->connection) != SOTTO_CONNECTION_CONNECTED)
    {
      g_task_return_new_error (task, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_DISCONNECTED,
                               _("Not connected to %s"), self->server);
      return;
    }

  if (self->store != NULL)
    {
      g_task_return_new_error (task, SOTTO_CLIENT_ERROR,
                               sotto_client_error_from_server (SOTTO_MSG_ERROR_CODE_ALREADY_LOGGED_IN),
                               _("Already logged in"));
      return;
    }

  folded = g_ascii_strdown (username, -1);
  if (!sotto_protocol_username_is_valid (folded))
    {
      g_task_return_new_error (task, SOTTO_CLIENT_ERROR,
                               sotto_client_error_from_server (SOTTO_MSG_ERROR_CODE_BAD_USERNAME),
                               _("A name is 1 to 32 characters: letters a–z, digits, dot, "
                                 "dash or underscore"));
      return;
    }

  if (create && g_utf8_strlen (password, -1) < MAX (sotto_connection_get_min_password (self->connection), 8))
    {
      g_task_return_new_error (task, SOTTO_CLIENT_ERROR,
                               sotto_client_error_from_server (SOTTO_MSG_ERROR_CODE_WEAK_PASSWORD),
                               _("A password needs at least %u characters"),
                               MAX (sotto_connection_get_min_password (self->connection), 8));
      return;
    }

  server_dir = g_uri_escape_string (self->server, NULL, FALSE);
  path = g_build_filename (self->data_dir, server_dir, folded, "client.db", NULL);
  self->store = sotto_client_store_open (path, &error);
  if (self->store == NULL)
    {
      if (g_error_matches (error, SOTTO_CLIENT_STORE_ERROR, SOTTO_CLIENT_STORE_ERROR_BUSY))
        {
          g_clear_error (&error);
          g_set_error (&error, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_FAILED,
                       _("The account %s is already open in another window of Sotto"),
                       folded);
        }
      g_task_return_error (task, error);
      return;
    }

  if (create && !sotto_client_store_is_new (self->store))
    {
      g_clear_object (&self->store);
      g_task_return_new_error (task, SOTTO_CLIENT_ERROR,
                               sotto_client_error_from_server (SOTTO_MSG_ERROR_CODE_NAME_TAKEN),
                               _("This computer already has the account %s on %s: log in "
                                 "instead"), folded, self->server);
      return;
    }

  account = g_new0 (Account, 1);
  account->username = g_steal_pointer (&folded);
  account->password_len = strlen (password);
  account->password = sodium_malloc (account->password_len + 1);
  memcpy (account->password, password, account->password_len + 1);
  account->create = create;
  account->opslimit = self->opslimit;
  account->memlimit = self->memlimit;
  account->server = g_strdup (self->server);
  account->store_path = g_strdup (path);
  account->store_was_new = sotto_client_store_is_new (self->store);
  g_task_set_task_data (task, account, account_free);

  set_state (self, SOTTO_CLIENT_AUTHENTICATING);
  sotto_client_store_unlock_async (self->store, password, self->opslimit, self->memlimit,
                                   cancellable, store_unlocked_cb, g_steal_pointer (&task));
}

/**
 * sotto_client_register_async:
 *
 * Creates the account on the server and its local state on this computer,
 * with new identity keys; the user then is logged in.
 */
void
sotto_client_register_async (SottoClient         *self,
                             const char          *username,
                             const char          *password,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (SOTTO_IS_CLIENT (self));

  account_async (self, TRUE, username, password, cancellable, callback, user_data);
}

/**
 * sotto_client_login_async:
 *
 * Unlocks the local state with the password (or makes it, with new
 * identity keys, on a computer that never held this account) and logs in.
 */
void
sotto_client_login_async (SottoClient         *self,
                          const char          *username,
                          const char          *password,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_return_if_fail (SOTTO_IS_CLIENT (self));

  account_async (self, FALSE, username, password, cancellable, callback, user_data);
}

gboolean
sotto_client_account_finish (SottoClient   *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
joined_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SottoClient *self = g_task_get_source_object (task);
  g_autoptr(SottoMsg) reply = NULL;
  GError *error = NULL;
  SottoWireMember member;
  SottoRoom *room;

  reply = sotto_connection_request_finish (SOTTO_CONNECTION (object), result, &error);
  if (reply == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  if (self->store == NULL)
    {
      g_task_return_new_error (task, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_DISCONNECTED,
                               _("Logged out"));
      return;
    }

  room = ensure_room (self, sotto_msg_get_string (reply, "room"),
                      sotto_msg_get_bool (reply, "direct"));
  for (guint i = 0; i < json_array_get_length (sotto_msg_get_array (reply, "members")); i++)
    if (sotto_msg_get_member (reply, i, &member))
      set_member (self, room, member.user, &member.identity, member.online);
  sotto_room_set_loaded (room, TRUE);
  remember_seq (self, sotto_room_get_name (room), sotto_msg_get_int (reply, "last_seq"));

  g_task_return_pointer (task, g_object_ref (room), g_object_unref);
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
  g_list_store_remove_all (self->rooms);
  g_ptr_array_set_size (self->early_keys, 0);
  if (self->user != NULL)
    {
      g_clear_pointer (&self->user, g_free);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_USER]);
    }
  set_state (self, SOTTO_CLIENT_DISCONNECTED);
}

/* Sends a request of the logged-in user made by @build from an id and
 * @arg; @reply_cb gets the answer with @task, which it owns. */
static void
request_as_user (SottoClient          *self,
                 GTask                *task,
                 GBytes             *(*build) (const char *id,
                                               const char *arg),
                 const char           *arg,
                 GAsyncReadyCallback   reply_cb)
{
  g_autofree char *id = NULL;
  g_autoptr(GBytes) request = NULL;

  if (self->state != SOTTO_CLIENT_ONLINE)
    {
      g_task_return_new_error (task, SOTTO_CLIENT_ERROR,
                               sotto_client_error_from_server (SOTTO_MSG_ERROR_CODE_NOT_LOGGED_IN),
                               _("Log in first"));
      g_object_unref (task);
      return;
    }

  id = sotto_connection_next_id (self->connection);
  request = build (id, arg);
  sotto_connection_request_async (self->connection, id, request, g_task_get_cancellable (task),
                                  reply_cb, task);
}

/**
 * sotto_client_join_async:
 *
 * Joins (or creates) a room; nothing said there before is readable.
 */
void
sotto_client_join_async (SottoClient         *self,
                         const char          *room,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (SOTTO_IS_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sotto_client_join_async);
  request_as_user (self, task, sotto_msg_build_join, room, joined_cb);
}

/**
 * sotto_client_open_direct_async:
 * @user: the other person
 *
 * Opens the direct chat with @user, making it if needed; finish with
 * sotto_client_join_finish().
 */
void
sotto_client_open_direct_async (SottoClient         *self,
                                const char          *user,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (SOTTO_IS_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sotto_client_join_async);
  request_as_user (self, task, sotto_msg_build_open_direct, user, joined_cb);
}

void
sotto_room_info_free (SottoRoomInfo *info)
{
  g_free (info->name);
  g_free (info);
}

static void
listed_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SottoClient *self = g_task_get_source_object (task);
  g_autoptr(SottoMsg) reply = NULL;
  g_autoptr(GPtrArray) rooms = NULL;
  GError *error = NULL;
  guint n;

  reply = sotto_connection_request_finish (SOTTO_CONNECTION (object), result, &error);
  if (reply == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  n = json_array_get_length (sotto_msg_get_array (reply, "rooms"));
  rooms = g_ptr_array_new_full (n, (GDestroyNotify) sotto_room_info_free);
  for (guint i = 0; i < n; i++)
    {
      SottoWireRoomSummary summary;
      SottoRoomInfo *info;

      if (!sotto_msg_get_room_summary (reply, i, &summary))
        continue;
      info = g_new0 (SottoRoomInfo, 1);
      info->name = g_strdup (summary.room);
      info->members = summary.members;
      info->direct = summary.direct;
      info->joined = sotto_client_lookup_room (self, summary.room) != NULL;
      g_ptr_array_add (rooms, info);
    }

  g_task_return_pointer (task, g_steal_pointer (&rooms), (GDestroyNotify) g_ptr_array_unref);
}

static GBytes *
build_list_rooms (const char *id,
                  const char *unused)
{
  return sotto_msg_build_list_rooms (id);
}

/**
 * sotto_client_list_rooms_async:
 *
 * Asks the server for the rooms there are: the user's, and every other
 * normal room, with member counts.
 */
void
sotto_client_list_rooms_async (SottoClient         *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (SOTTO_IS_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sotto_client_list_rooms_async);
  request_as_user (self, task, build_list_rooms, NULL, listed_cb);
}

/**
 * sotto_client_list_rooms_finish:
 *
 * Returns: (transfer full) (element-type SottoRoomInfo): the rooms
 */
GPtrArray *
sotto_client_list_rooms_finish (SottoClient   *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
left_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SottoClient *self = g_task_get_source_object (task);
  const char *name = g_task_get_task_data (task);
  g_autoptr(SottoMsg) reply = NULL;
  GError *error = NULL;
  SottoRoom *room;

  reply = sotto_connection_request_finish (SOTTO_CONNECTION (object), result, &error);
  if (reply == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  room = sotto_client_lookup_room (self, name);
  if (room != NULL)
    {
      guint position;

      if (g_list_store_find (self->rooms, room, &position))
        g_list_store_remove (self->rooms, position);
    }
  if (self->store != NULL && !sotto_client_store_forget_room (self->store, name, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_return_boolean (task, TRUE);
}

/**
 * sotto_client_leave_async:
 *
 * Leaves @room; its history and keys are removed from this computer.
 */
void
sotto_client_leave_async (SottoClient         *self,
                          const char          *room,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (SOTTO_IS_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sotto_client_leave_async);
  g_task_set_task_data (task, g_strdup (room), g_free);
  request_as_user (self, task, sotto_msg_build_leave, room, left_cb);
}

gboolean
sotto_client_leave_finish (SottoClient   *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * sotto_client_safety_number:
 * @user: a contact who shares a room with us
 *
 * Returns: (transfer full) (nullable): the digits to compare with @user,
 *   or %NULL if @user's keys are not known
 */
char *
sotto_client_safety_number (SottoClient *self,
                            const char  *user)
{
  SottoStoredContact contact = { 0 };

  g_return_val_if_fail (SOTTO_IS_CLIENT (self), NULL);

  if (self->store == NULL || self->identity == NULL ||
      !sotto_client_store_get_contact (self->store, user, &contact, NULL))
    return NULL;

  return sotto_safety_number (self->user, sotto_identity_get_public (self->identity),
                              user, &contact.identity);
}

/**
 * sotto_client_set_verified:
 *
 * Records that the user compared the safety number with @user.
 */
gboolean
sotto_client_set_verified (SottoClient  *self,
                           const char   *user,
                           gboolean      verified,
                           GError      **error)
{
  g_return_val_if_fail (SOTTO_IS_CLIENT (self), FALSE);

  if (self->store == NULL)
    {
      g_set_error (error, SOTTO_CLIENT_ERROR,
                   sotto_client_error_from_server (SOTTO_MSG_ERROR_CODE_NOT_LOGGED_IN),
                   _("Log in first"));
      return FALSE;
    }

  if (!sotto_client_store_set_verified (self->store, user, verified, error))
    return FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->rooms)); i++)
    {
      g_autoptr(SottoRoom) room = g_list_model_get_item (G_LIST_MODEL (self->rooms), i);
      SottoMember *member = sotto_room_lookup_member (room, user);

      if (member != NULL)
        sotto_member_set_verified (member, verified);
    }

  return TRUE;
}

/**
 * sotto_client_is_verified:
 */
gboolean
sotto_client_is_verified (SottoClient *self,
                          const char  *user)
{
  SottoStoredContact contact = { 0 };

  g_return_val_if_fail (SOTTO_IS_CLIENT (self), FALSE);

  return self->store != NULL &&
         sotto_client_store_get_contact (self->store, user, &contact, NULL) &&
         contact.verified;
}

/**
 * sotto_client_join_finish:
 *
 * Returns: (transfer full): the room
 */
SottoRoom *
sotto_client_join_finish (SottoClient   *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Sending */

typedef struct
{
  SottoClient  *client;
  SottoMessage *message;
} Sending;

/* How long to wait before sending again what an overloaded server refused. */
#define OUTBOX_RETRY_SECONDS 5

static void flush_outbox (SottoClient *self);

static gboolean
retry_outbox_cb (gpointer user_data)
{
  SottoClient *self = user_data;

  self->outbox_retry_id = 0;
  if (self->state == SOTTO_CLIENT_ONLINE)
    flush_outbox (self);
  return G_SOURCE_REMOVE;
}

static void
sent_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Sending *sending = user_data;
  g_autoptr(SottoMsg) reply = NULL;
  g_autoptr(GError) error = NULL;
  SottoClient *self = sending->client;
  SottoMessage *message = sending->message;

  reply = sotto_connection_request_finish (SOTTO_CONNECTION (object), result, &error);
  if (reply != NULL && self->store != NULL)
    {
      gint64 seq = sotto_msg_get_int (reply, "seq");
      gint64 ts = sotto_msg_get_int (reply, "ts");
      g_autoptr(GError) store_error = NULL;

      SottoRoom *room = sotto_client_lookup_room (self, sotto_message_get_room (message));

      if (room != NULL)
        sotto_room_update_message (room, message, SOTTO_MESSAGE_SENT, seq, ts, NULL);
      else
        sotto_message_update (message, SOTTO_MESSAGE_SENT, seq, ts, NULL);
      if (!sotto_client_store_update_message (self->store, sotto_message_get_room (message),
                                              self->user, sotto_message_get_msg_id (message),
                                              SOTTO_STORED_MESSAGE_SENT, seq, NULL, &store_error))
        g_warning ("Could not record a sent message: %s", store_error->message);
      remember_seq (self, sotto_message_get_room (message), seq);
    }
  /* Otherwise it stays "sending" in the outbox; a server that could not
   * store it (its disk full, say) is asked again a little later. */
  else if (g_error_matches (error, SOTTO_CLIENT_ERROR,
                            sotto_client_error_from_server (SOTTO_MSG_ERROR_CODE_OVERLOADED)) &&
           self->store != NULL && self->outbox_retry_id == 0)
    self->outbox_retry_id = g_timeout_add_seconds (OUTBOX_RETRY_SECONDS, retry_outbox_cb, self);

  g_object_unref (sending->client);
  g_object_unref (sending->message);
  g_free (sending);
}

/* Seals @message's text with the room's key and sends it. The same
 * msg_id every time: a resend of something the server already stored is
 * answered with the first one's number, and stored once. */
static gboolean
send_now (SottoClient   *self,
          SottoRoom     *room,
          SottoMessage  *message,
          GError       **error)
{
  const char *name = sotto_room_get_name (room);
  const char *text = sotto_message_get_text (message);
  g_autoptr(SottoSenderKey) key = NULL;
  g_autoptr(GBytes) plain = NULL;
  g_autoptr(GBytes) envelope = NULL;
  g_autoptr(GBytes) request = NULL;
  g_autofree char *id = NULL;
  Sending *sending;

  key = ensure_own_key (self, room, error);
  if (key == NULL)
    return FALSE;

  plain = g_bytes_new (text, strlen (text));
  envelope = sotto_envelope_seal (key, self->identity, name, self->user, plain, error);
  if (envelope == NULL ||
      !sotto_client_store_save_sender_key (self->store, name, self->user, key, error))
    return FALSE;

  id = sotto_connection_next_id (self->connection);
  request = sotto_msg_build_send (id, name, sotto_message_get_msg_id (message), envelope);
  sending = g_new0 (Sending, 1);
  sending->client = g_object_ref (self);
  sending->message = g_object_ref (message);
  sotto_connection_request_async (self->connection, id, request, self->cancellable, sent_cb,
                                  sending);

  return TRUE;
}

/* Sends what waited while the connection was down, oldest first. */
static void
flush_outbox (SottoClient *self)
{
  g_autoptr(GPtrArray) outbox = NULL;
  g_autoptr(GError) error = NULL;

  outbox = sotto_client_store_list_outbox (self->store, &error);
  if (outbox == NULL)
    {
      g_warning ("Could not read the outbox: %s", error->message);
      return;
    }

  for (guint i = 0; i < outbox->len; i++)
    {
      SottoStoredMessage *row = g_ptr_array_index (outbox, i);
      SottoRoom *room = sotto_client_lookup_room (self, row->room);
      SottoMessage *message;
      g_autoptr(GError) send_error = NULL;

      if (room == NULL || row->body == NULL)
        continue;

      message = sotto_room_lookup_message (room, self->user, row->msg_id);
      if (message == NULL)
        {
          g_autofree char *text = g_strndup (g_bytes_get_data (row->body, NULL),
                                             g_bytes_get_size (row->body));
          g_autoptr(SottoMessage) restored = sotto_message_new (row->room, self->user,
                                                                row->msg_id, 0, row->ts,
                                                                SOTTO_MESSAGE_SENDING, text);

          sotto_room_add_message (room, restored);
          message = restored;
        }

      if (!send_now (self, room, message, &send_error))
        g_warning ("Could not send a message from the outbox: %s", send_error->message);
    }
}

/* Reconnecting */

static void schedule_reconnect (SottoClient *self);

static void
relogin_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(SottoClient) self = user_data;
  g_autoptr(SottoMsg) session = NULL;
  g_autoptr(GError) error = NULL;

  session = sotto_connection_request_finish (SOTTO_CONNECTION (object), result, &error);
  if (self->store == NULL)
    return;

  if (session == NULL)
    {
      /* The password changed elsewhere, or the account is gone: that needs
       * the user, not another try. A dropped connection is tried again. */
      if (sotto_client_error_to_server (error) != (SottoMsgErrorCode) -1)
        {
          g_info ("Could not log in again: %s", error->message);
          set_state (self, SOTTO_CLIENT_DISCONNECTED);
          g_signal_emit (self, signals[CONNECTION_LOST], 0, error);
        }
      else
        schedule_reconnect (self);
      return;
    }

  start_session (self, session);
}

static void
reconnected_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(SottoClient) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autoptr(GBytes) request = NULL;
  SottoWireIdentity wire;

  if (!sotto_connection_connect_finish (SOTTO_CONNECTION (object), result, &error))
    {
      if (self->store == NULL)
        return;
      /* A server whose key is not the pinned one is never talked to. */
      if (error->domain == SOTTO_WIRE_ERROR)
        {
          g_info ("Not reconnecting: %s", error->message);
          sotto_connection_close (self->connection);
          set_state (self, SOTTO_CLIENT_DISCONNECTED);
          g_signal_emit (self, signals[CONNECTION_LOST], 0, error);
          return;
        }
      schedule_reconnect (self);
      return;
    }

  if (self->store == NULL)
    return;

  wire_from_public (sotto_identity_get_public (self->identity), &wire);
  id = sotto_connection_next_id (self->connection);
  request = sotto_msg_build_login (id, self->user, self->login_secret, &wire);
  sotto_connection_request_async (self->connection, id, request, self->cancellable,
                                  relogin_done_cb, g_object_ref (self));
}

static gboolean
reconnect_cb (gpointer user_data)
{
  SottoClient *self = user_data;

  self->reconnect_id = 0;
  sotto_connection_connect_async (self->connection, self->cancellable, reconnected_cb,
                                  g_object_ref (self));

  return G_SOURCE_REMOVE;
}

/* Waits longer after each failure (0.5 s, 1 s, 2 s ... 60 s), with a
 * random part so that clients cut off together do not all come back in
 * the same instant. */
static void
schedule_reconnect (SottoClient *self)
{
  guint delay;

  if (self->reconnect_id != 0 || self->store == NULL)
    return;

  delay = MIN ((guint64) RECONNECT_FIRST_MS << MIN (self->reconnect_attempt, 16),
               (guint64) RECONNECT_MAX_MS);
  delay = delay * 3 / 4 + g_random_int_range (0, delay / 2 + 1);
  self->reconnect_attempt++;
  self->reconnect_at = g_get_monotonic_time () + (gint64) delay * 1000;
  self->reconnect_id = g_timeout_add (delay, reconnect_cb, self);
  set_state (self, SOTTO_CLIENT_RECONNECTING);
}

static void
connection_closed_cb (SottoConnection *connection,
                      const GError    *error,
                      gpointer         user_data)
{
  g_autoptr(SottoClient) self = g_object_ref (SOTTO_CLIENT (user_data));

  if (self->state == SOTTO_CLIENT_ONLINE && self->login_secret != NULL)
    schedule_reconnect (self);

  g_signal_emit (self, signals[DISCONNECTED], 0, error);
}

/**
 * sotto_client_send_typing:
 *
 * Tells the room's members the user is typing; call it on every key
 * press; notices go out only every few seconds.
 */
void
sotto_client_send_typing (SottoClient *self,
                          SottoRoom   *room)
{
  g_autoptr(GBytes) notice = NULL;

  g_return_if_fail (SOTTO_IS_CLIENT (self));
  g_return_if_fail (SOTTO_IS_ROOM (room));

  if (self->state != SOTTO_CLIENT_ONLINE || !sotto_room_should_send_typing (room))
    return;

  notice = sotto_msg_build_typing (sotto_room_get_name (room));
  sotto_connection_send (self->connection, notice);
}

/**
 * sotto_client_send_message:
 * @text: what the user typed
 *
 * Seals @text for the room's members and sends it. The message is in the
 * room's model at once as "sending", and becomes "sent" when the server
 * has stored it. While the connection is down it waits in the outbox, and
 * goes out when the client is back online.
 *
 * Returns: (transfer none): the message
 */
SottoMessage *
sotto_client_send_message (SottoClient  *self,
                           SottoRoom    *room,
                           const char   *text,
                           GError      **error)
{
  const char *name;
  g_autoptr(GBytes) plain = NULL;
  g_autoptr(SottoMessage) message = NULL;
  char msg_id[2 * 12 + 1];
  guint8 random[12];
  gint64 now = g_get_real_time () / 1000;

  g_return_val_if_fail (SOTTO_IS_CLIENT (self), NULL);
  g_return_val_if_fail (SOTTO_IS_ROOM (room), NULL);
  g_return_val_if_fail (text != NULL, NULL);

  if (self->store == NULL || self->user == NULL)
    {
      g_set_error (error, SOTTO_CLIENT_ERROR,
                   sotto_client_error_from_server (SOTTO_MSG_ERROR_CODE_NOT_LOGGED_IN),
                   _("Log in first"));
      return NULL;
    }

  name = sotto_room_get_name (room);
  plain = g_bytes_new (text, strlen (text));
  randombytes_buf (random, sizeof random);
  sodium_bin2hex (msg_id, sizeof msg_id, random, sizeof random);
  if (!sotto_client_store_add_message (self->store, name, self->user, msg_id, 0, now,
                                       SOTTO_STORED_MESSAGE_SENDING, plain, NULL, error))
    return NULL;

  message = sotto_message_new (name, self->user, msg_id, 0, now, SOTTO_MESSAGE_SENDING, text);
  sotto_room_add_message (room, message);

  if (self->state == SOTTO_CLIENT_ONLINE && !send_now (self, room, message, error))
    return NULL;

  return message;
}
