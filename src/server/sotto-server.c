/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "sotto-server-accounts.h"
#include "sotto-server-blobs.h"
#include "sotto-server-devices.h"
#include "sotto-server-history.h"
#include "sotto-server-links.h"
#include "sotto-server-password-pool.h"
#include "sotto-server-prekeys.h"
#include "sotto-server-private.h"
#include "sotto-server-relay.h"
#include "sotto-server-bans.h"
#include "sotto-server-rooms.h"
#include "sotto-server-state-events.h"

/*
 * SottoServer accepts connections, owns the sessions and the state the
 * requests work on: the in-memory view of accounts and rooms, and the
 * store (sotto-server-state.c). Requests are handled in
 * sotto-server-accounts.c, -rooms.c, -relay.c, -state-events.c,
 * -prekeys.c, -devices.c, -links.c, -history.c, -uploads.c and
 * -downloads.c; this file holds the service
 * itself and the dispatch table, and sotto-server-operator.c the
 * operator's actions.
 */

#define RETENTION_INTERVAL_SECONDS 3600
#define SHUTDOWN_GRACE_MS 500

G_DEFINE_FINAL_TYPE (SottoServer, sotto_server, G_TYPE_SOCKET_SERVICE)

static void shutdown_complete (SottoServer *self);
static gboolean drop_closed_sessions_cb (gpointer user_data);
static void session_message_cb (SottoSession *session,
                                SottoMsg     *msg,
                                gpointer      user_data);
static void session_closed_cb (SottoSession *session,
                               gpointer      user_data);

/* A snapshot to walk while sessions may end and leave the original. */
GPtrArray *
_sotto_server_copy_sessions (GPtrArray *sessions)
{
  GPtrArray *copy = g_ptr_array_new_full (sessions->len, g_object_unref);

  for (guint i = 0; i < sessions->len; i++)
    g_ptr_array_add (copy, g_object_ref (g_ptr_array_index (sessions, i)));

  return copy;
}

static void
sotto_server_dispose (GObject *object)
{
  SottoServer *self = SOTTO_SERVER (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->retention_id, g_source_remove);
  g_clear_handle_id (&self->shutdown_grace_id, g_source_remove);

  if (self->sessions != NULL)
    {
      /* Sessions point back at the server: end them all first. */
      g_autoptr(GPtrArray) sessions = _sotto_server_copy_sessions (self->sessions);

      self->state->stopping = TRUE;
      for (guint i = 0; i < sessions->len; i++)
        sotto_session_abort (g_ptr_array_index (sessions, i), "server stopped");

      /* Forget the closed ones now: the idle would come too late. */
      g_clear_handle_id (&self->drop_id, g_source_remove);
      drop_closed_sessions_cb (self);
      g_clear_handle_id (&self->drop_id, g_source_remove);
    }

  /* Every session is gone, and with it every link; no expiry may fire.
   * No file job is left either: each holds the server. */
  if (self->state != NULL)
    {
      g_clear_pointer (&self->state->links, _sotto_server_links_free);
      g_clear_pointer (&self->state->blobs, _sotto_server_blobs_free);
    }

  g_clear_pointer (&self->closed_sessions, g_ptr_array_unref);
  g_clear_pointer (&self->sessions, g_ptr_array_unref);
  if (self->state != NULL)
    _sotto_server_state_close (self->state);
  g_clear_object (&self->key);

  G_OBJECT_CLASS (sotto_server_parent_class)->dispose (object);
}

static void
sotto_server_finalize (GObject *object)
{
  SottoServer *self = SOTTO_SERVER (object);

  g_clear_pointer (&self->state->password_pool, _sotto_password_pool_free);
  g_clear_pointer (&self->state, _sotto_server_state_free);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->listen_addresses, g_ptr_array_unref);
  g_clear_pointer (&self->config, sotto_server_config_free);

  G_OBJECT_CLASS (sotto_server_parent_class)->finalize (object);
}

static gboolean
sotto_server_incoming (GSocketService    *service,
                       GSocketConnection *connection,
                       GObject           *source_object)
{
  SottoServer *self = SOTTO_SERVER (service);
  SottoSession *session;

  if (self->state->stopping)
    return FALSE;

  /* The channel batches what it writes per turn of the loop; Nagle's
   * algorithm would only hold the batch back for a delayed ACK. */
  g_socket_set_option (g_socket_connection_get_socket (connection),
                       IPPROTO_TCP, TCP_NODELAY, TRUE, NULL);

  session = sotto_session_new (connection, ++self->next_session_id, self->key, self->config);
  g_signal_connect_object (session, "message", G_CALLBACK (session_message_cb), self, 0);
  g_signal_connect_object (session, "closed", G_CALLBACK (session_closed_cb), self, 0);
  g_ptr_array_add (self->sessions, session);
  sotto_session_start (session);

  return TRUE;
}

static void
sotto_server_class_init (SottoServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GSocketServiceClass *service_class = G_SOCKET_SERVICE_CLASS (klass);

  object_class->dispose = sotto_server_dispose;
  object_class->finalize = sotto_server_finalize;
  service_class->incoming = sotto_server_incoming;
}

static void
sotto_server_init (SottoServer *self)
{
  self->cancellable = g_cancellable_new ();
  self->state = _sotto_server_state_new (G_OBJECT (self));
  self->sessions = g_ptr_array_new_with_free_func (g_object_unref);
  self->closed_sessions = g_ptr_array_new_with_free_func (g_object_unref);
  self->listen_addresses = g_ptr_array_new_with_free_func (g_free);
  self->state->password_pool = _sotto_password_pool_new ();
  self->state->cancellable = self->cancellable;
  self->state->links = _sotto_server_links_new ();
}

static gboolean
retention_cb (gpointer user_data)
{
  SottoServer *self = user_data;
  g_autoptr(GError) error = NULL;
  gint64 removed;

  if (self->config->retention_days == 0 && self->config->retention_messages == 0)
    return G_SOURCE_CONTINUE;

  /* Files sent to a room go with the messages of their time. */
  if (self->config->retention_days > 0)
    {
      removed = _sotto_server_blobs_delete_older (self->state->blobs,
                                                  _sotto_server_now_ms () -
                                                  self->config->retention_days * 24 * 3600 * 1000,
                                                  FALSE, &error);
      if (removed < 0)
        g_warning ("Could not apply the retention to files: %s", error->message);
      else if (removed > 0)
        g_message ("Retention removed %" G_GINT64_FORMAT " files", removed);
      g_clear_error (&error);
    }

  removed = sotto_store_enforce_retention (self->state->store,
                                           self->config->retention_days * 24 * 3600 * 1000,
                                           _sotto_server_now_ms (),
                                           self->config->retention_messages, &error);
  if (removed < 0)
    g_warning ("Could not apply the retention limits: %s", error->message);
  else if (removed > 0)
    {
      g_message ("Retention removed %" G_GINT64_FORMAT " stored events", removed);
      sotto_store_commit_soon (self->state->store, NULL, NULL, NULL);
    }

  return G_SOURCE_CONTINUE;
}

/**
 * sotto_server_new:
 * @config: (transfer full): the settings
 *
 * Creates the data directory if needed (mode 0700), loads or creates the
 * server key and opens the store. Nothing listens yet.
 */
SottoServer *
sotto_server_new (SottoServerConfig  *config,
                  GError            **error)
{
  g_autoptr(SottoServer) self = g_object_new (SOTTO_TYPE_SERVER, NULL);
  g_autofree char *key_path = NULL;
  g_autofree char *db_path = NULL;

  self->config = config;
  self->state->config = config;

  if (g_mkdir_with_parents (config->data_dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Could not create the data directory %s: %s"),
                   config->data_dir, g_strerror (saved_errno));
      return NULL;
    }

  key_path = g_build_filename (config->data_dir, "server.key", NULL);
  self->key = sotto_server_key_load_or_create (key_path, error);
  if (self->key == NULL)
    return NULL;

  db_path = g_build_filename (config->data_dir, "sotto.db", NULL);
  self->state->store = sotto_store_open (db_path, error);
  if (self->state->store == NULL)
    return NULL;

  if (!_sotto_server_state_load (self->state, error))
    return NULL;

  self->state->blobs = _sotto_server_blobs_new (self->state, error);
  if (self->state->blobs == NULL)
    return NULL;

  retention_cb (self);
  self->retention_id = g_timeout_add_seconds (RETENTION_INTERVAL_SECONDS, retention_cb, self);

  return g_steal_pointer (&self);
}

static char *
format_address (GInetSocketAddress *address)
{
  g_autofree char *host = g_inet_address_to_string (g_inet_socket_address_get_address (address));

  if (g_socket_address_get_family (G_SOCKET_ADDRESS (address)) == G_SOCKET_FAMILY_IPV6)
    return g_strdup_printf ("[%s]:%u", host, g_inet_socket_address_get_port (address));
  return g_strdup_printf ("%s:%u", host, g_inet_socket_address_get_port (address));
}

/**
 * sotto_server_listen:
 *
 * Binds every configured address and starts accepting.
 * sotto_server_get_listen_addresses() then tells the real ports.
 */
gboolean
sotto_server_listen (SottoServer  *self,
                     GError      **error)
{
  g_return_val_if_fail (SOTTO_IS_SERVER (self), FALSE);

  /* GLib's default backlog of 10 makes a burst of connects wait for SYN
   * retransmits; the kernel caps this at net.core.somaxconn. */
  g_socket_listener_set_backlog (G_SOCKET_LISTENER (self), 1024);

  for (guint i = 0; self->config->listen[i] != NULL; i++)
    {
      g_autofree char *host = NULL;
      g_autoptr(GInetAddress) inet = NULL;
      g_autoptr(GSocketAddress) address = NULL;
      g_autoptr(GSocketAddress) bound = NULL;
      g_autoptr(GError) local_error = NULL;
      guint16 port = 0;

      if (!sotto_parse_listen_address (self->config->listen[i], &host, &port, error))
        return FALSE;

      inet = g_inet_address_new_from_string (host);
      address = g_inet_socket_address_new (inet, port);
      if (!g_socket_listener_add_address (G_SOCKET_LISTENER (self), address,
                                          G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                          NULL, &bound, &local_error))
        {
          g_set_error (error, local_error->domain, local_error->code,
                       _("Could not listen on %s: %s"), self->config->listen[i],
                       local_error->message);
          return FALSE;
        }

      g_ptr_array_add (self->listen_addresses, format_address (G_INET_SOCKET_ADDRESS (bound)));
    }

  g_socket_service_start (G_SOCKET_SERVICE (self));
  return TRUE;
}

/**
 * sotto_server_get_listen_addresses:
 *
 * Returns: (transfer none) (element-type utf8): "ADDR:PORT" of each bound socket
 */
GPtrArray *
sotto_server_get_listen_addresses (SottoServer *self)
{
  g_return_val_if_fail (SOTTO_IS_SERVER (self), NULL);

  return self->listen_addresses;
}

const char *
sotto_server_get_fingerprint (SottoServer *self)
{
  g_return_val_if_fail (SOTTO_IS_SERVER (self), NULL);

  return sotto_server_key_get_fingerprint (self->key);
}

/* Ends what a closed session left behind. This runs from an idle, never
 * inside the session's own signal emission, nor while a loop over a
 * user's sessions (a fan-out that overflowed one of them) is running. */
static void
server_forget_session (SottoServer  *self,
                       SottoSession *session)
{
  SottoUser *user = sotto_session_get_user (session);

  if (user != NULL)
    {
      _sotto_server_user_offline (self->state, user, session);
      sotto_session_set_user (session, NULL);
    }

  _sotto_server_links_forget_session (self->state->links, session);
  g_ptr_array_remove_fast (self->sessions, session);
}

static gboolean
drop_closed_sessions_cb (gpointer user_data)
{
  SottoServer *self = user_data;
  g_autoptr(GPtrArray) closed = g_steal_pointer (&self->closed_sessions);

  self->drop_id = 0;
  self->closed_sessions = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < closed->len; i++)
    server_forget_session (self, g_ptr_array_index (closed, i));

  /* Every goodbye is out: no need to wait for the grace period. */
  if (self->shutdown_task != NULL && self->sessions->len == 0)
    shutdown_complete (self);

  return G_SOURCE_REMOVE;
}

static void
session_closed_cb (SottoSession *session,
                   gpointer      user_data)
{
  SottoServer *self = user_data;

  if (self->closed_sessions == NULL)
    return;

  g_ptr_array_add (self->closed_sessions, g_object_ref (session));
  if (self->drop_id == 0)
    self->drop_id = g_idle_add_full (G_PRIORITY_DEFAULT, drop_closed_sessions_cb, self, NULL);
}

static void
handle_logout (SottoServerState *self,
               SottoSession *session,
               SottoMsg     *msg)
{
  g_autoptr(GBytes) reply = sotto_msg_build_ok (sotto_msg_get_id (msg));

  sotto_session_send (session, reply);
  sotto_session_close (session, "logged out");
}

static void
handle_ping (SottoServerState *self,
             SottoSession *session,
             SottoMsg     *msg)
{
  g_autoptr(GBytes) reply = sotto_msg_build_pong (sotto_msg_get_id (msg));

  sotto_session_send (session, reply);
}

typedef void (*Handler) (SottoServerState *state,
                         SottoSession     *session,
                         SottoMsg         *msg);

/* The requests a session hands on, each to its handler. */
static void
session_message_cb (SottoSession *session,
                    SottoMsg     *msg,
                    gpointer      user_data)
{
  SottoServer *self = user_data;
  static const struct {
    SottoMsgType type;
    gboolean     needs_login;
    Handler      handler;
  } handlers[] = {
    { SOTTO_MSG_TYPE_REGISTER, FALSE, _sotto_server_handle_register },
    { SOTTO_MSG_TYPE_LOGIN, FALSE, _sotto_server_handle_login },
    { SOTTO_MSG_TYPE_PING, FALSE, handle_ping },
    { SOTTO_MSG_TYPE_LOGOUT, TRUE, handle_logout },
    { SOTTO_MSG_TYPE_JOIN, TRUE, _sotto_server_handle_join },
    { SOTTO_MSG_TYPE_LEAVE, TRUE, _sotto_server_handle_leave },
    { SOTTO_MSG_TYPE_LIST_ROOMS, TRUE, _sotto_server_handle_list_rooms },
    { SOTTO_MSG_TYPE_LIST_MEMBERS, TRUE, _sotto_server_handle_list_members },
    { SOTTO_MSG_TYPE_OPEN_DIRECT, TRUE, _sotto_server_handle_open_direct },
    { SOTTO_MSG_TYPE_KICK, TRUE, _sotto_server_handle_kick },
    { SOTTO_MSG_TYPE_UNBAN, TRUE, _sotto_server_handle_unban },
    { SOTTO_MSG_TYPE_LIST_BANS, TRUE, _sotto_server_handle_list_bans },
    { SOTTO_MSG_TYPE_SEND, TRUE, _sotto_server_handle_send },
    { SOTTO_MSG_TYPE_SEND_KEY, TRUE, _sotto_server_handle_send_key },
    { SOTTO_MSG_TYPE_KEY_REQUEST, TRUE, _sotto_server_handle_send_key },
    { SOTTO_MSG_TYPE_ACK_KEYS, TRUE, _sotto_server_handle_ack_keys },
    { SOTTO_MSG_TYPE_CATCHUP, TRUE, _sotto_server_handle_catchup },
    { SOTTO_MSG_TYPE_TYPING, TRUE, _sotto_server_handle_typing },
    { SOTTO_MSG_TYPE_STATE, TRUE, _sotto_server_handle_state },
    { SOTTO_MSG_TYPE_STATE_CATCHUP, TRUE, _sotto_server_handle_state_catchup },
    { SOTTO_MSG_TYPE_PUBLISH_PREKEYS, TRUE, _sotto_server_handle_publish_prekeys },
    { SOTTO_MSG_TYPE_GET_PREKEYS, TRUE, _sotto_server_handle_get_prekeys },
    { SOTTO_MSG_TYPE_PUBLISH_DEVICES, TRUE, _sotto_server_handle_publish_devices },
    { SOTTO_MSG_TYPE_GET_DEVICES, TRUE, _sotto_server_handle_get_devices },
    /* The new computer offers before it can log in. */
    { SOTTO_MSG_TYPE_LINK_OFFER, FALSE, _sotto_server_handle_link_offer },
    { SOTTO_MSG_TYPE_LINK_FETCH, TRUE, _sotto_server_handle_link_fetch },
    { SOTTO_MSG_TYPE_LINK_APPROVE, TRUE, _sotto_server_handle_link_approve },
    { SOTTO_MSG_TYPE_SEND_HISTORY, TRUE, _sotto_server_handle_send_history },
    { SOTTO_MSG_TYPE_ACK_HISTORY, TRUE, _sotto_server_handle_ack_history },
    { SOTTO_MSG_TYPE_UPLOAD, TRUE, _sotto_server_handle_upload },
    { SOTTO_MSG_TYPE_UPLOAD_CHUNK, TRUE, _sotto_server_handle_upload_chunk },
    { SOTTO_MSG_TYPE_DOWNLOAD, TRUE, _sotto_server_handle_download },
  };
  SottoMsgType type = sotto_msg_get_msg_type (msg);

  for (gsize i = 0; i < G_N_ELEMENTS (handlers); i++)
    {
      if (handlers[i].type != type)
        continue;

      if (handlers[i].needs_login && sotto_session_get_user (session) == NULL)
        {
          _sotto_server_reply_error (self->state, session, msg,
                                     SOTTO_MSG_ERROR_CODE_NOT_LOGGED_IN, _("Log in first"));
          return;
        }

      handlers[i].handler (self->state, session, msg);
      return;
    }

  _sotto_server_reply_error (self->state, session, msg, SOTTO_MSG_ERROR_CODE_UNKNOWN_TYPE,
                             _("The server does not handle this message"));
}

static void
shutdown_complete (SottoServer *self)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->shutdown_task);
  g_autoptr(GError) error = NULL;

  g_clear_handle_id (&self->shutdown_grace_id, g_source_remove);

  if (!sotto_store_commit_now (self->state->store, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static gboolean
shutdown_grace_cb (gpointer user_data)
{
  SottoServer *self = user_data;
  g_autoptr(GPtrArray) sessions = _sotto_server_copy_sessions (self->sessions);

  self->shutdown_grace_id = 0;
  for (guint i = 0; i < sessions->len; i++)
    sotto_session_abort (g_ptr_array_index (sessions, i), "server stopped");

  shutdown_complete (self);
  return G_SOURCE_REMOVE;
}

/**
 * sotto_server_shutdown_async:
 *
 * Stops accepting, says goodbye to every client, waits until the goodbyes
 * are out (at most half a second), and commits the store.
 */
void
sotto_server_shutdown_async (SottoServer         *self,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GBytes) notice = NULL;
  g_autoptr(GPtrArray) sessions = NULL;

  g_return_if_fail (SOTTO_IS_SERVER (self));
  g_return_if_fail (self->shutdown_task == NULL);

  self->shutdown_task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (self->shutdown_task, sotto_server_shutdown_async);

  self->state->stopping = TRUE;
  g_socket_service_stop (G_SOCKET_SERVICE (self));
  g_socket_listener_close (G_SOCKET_LISTENER (self));

  notice = sotto_msg_build_notice (_("The server is shutting down"), _sotto_server_now_ms ());
  sessions = _sotto_server_copy_sessions (self->sessions);
  for (guint i = 0; i < sessions->len; i++)
    {
      SottoSession *session = g_ptr_array_index (sessions, i);

      if (sotto_session_get_user (session) != NULL)
        sotto_session_send (session, notice);
      sotto_session_close (session, "server shutting down");
    }

  self->shutdown_grace_id = g_timeout_add (SHUTDOWN_GRACE_MS, shutdown_grace_cb, self);
  if (self->sessions->len == 0)
    shutdown_complete (self);
}

gboolean
sotto_server_shutdown_finish (SottoServer   *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
