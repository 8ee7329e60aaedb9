/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "sotto-test-proxy.h"
#include "sotto-wire.h"

/*
 * Each accepted connection (a link) first gets a connection of its own to
 * the real server, with a client handshake checked against the server's
 * key; only then does the proxy answer the client's handshake with that
 * same key. The two channels then start together, and every message one
 * of them emits goes through the hook and is sent on by the other, so the
 * order of each direction is kept. How a side ends is passed on to the
 * other: a goodbye as a goodbye, a cut as a cut.
 */

struct _SottoTestProxy
{
  GSocketService     *service;
  guint16             port;
  char               *address;
  SottoServerKey     *key;
  /* The real server, and its key pinned under its name. */
  GSocketAddress     *server_address;
  char               *server_name;
  SottoPinStore      *pins;
  SottoTestProxyHook  hook;
  gpointer            hook_data;
  GPtrArray          *links;
  /* Every message sent on, as a Crossing. */
  GPtrArray          *crossings;
};

struct _SottoTestProxyLink
{
  grefcount          ref_count;
  SottoTestProxy    *proxy;
  GCancellable      *cancellable;
  GSocketConnection *client_connection;
  GSocketConnection *server_connection;
  /* Towards the client, and towards the real server. */
  SottoChannel      *client_channel;
  SottoChannel      *server_channel;
  gboolean           client_ended;
  gboolean           server_ended;
  /* The proxy has let go of it: its callbacks do nothing more. */
  gboolean           detached;
  guint              settle_id;
  char              *user;
  char              *logout_id;
};

typedef struct
{
  char                    *user;
  SottoTestProxyDirection  direction;
  char                    *type;
} Crossing;

static void
crossing_free (Crossing *crossing)
{
  g_free (crossing->user);
  g_free (crossing->type);
  g_free (crossing);
}

/* JSON */

/* The message as a JSON object, or NULL when it is none. */
static JsonNode *
parse_object (GBytes *message)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  gsize size;
  const char *data = g_bytes_get_data (message, &size);
  g_autoptr(JsonNode) root = NULL;

  if (size == 0 || !json_parser_load_from_data (parser, data, size, NULL))
    return NULL;

  root = json_parser_steal_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;

  return g_steal_pointer (&root);
}

static const char *
object_get_string (JsonObject *object,
                   const char *field)
{
  JsonNode *node = json_object_get_member (object, field);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

/* A message a test rewrites must be an object: anything else is its bug. */
static JsonNode *
parse_for_test (GBytes *message)
{
  JsonNode *root = parse_object (message);

  g_assert_nonnull (root);
  return root;
}

/* Compact JSON, so the message fits in a batch without a line of its own. */
static GBytes *
generate (JsonNode *root)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  gsize length = 0;
  char *data;

  json_generator_set_root (generator, root);
  data = json_generator_to_data (generator, &length);
  g_assert_null (memchr (data, '\n', length));

  return g_bytes_new_take (data, length);
}

GBytes *
sotto_test_json_set_int (GBytes     *message,
                         const char *field,
                         gint64      value)
{
  g_autoptr(JsonNode) root = parse_for_test (message);

  json_object_set_int_member (json_node_get_object (root), field, value);
  return generate (root);
}

GBytes *
sotto_test_json_set_string (GBytes     *message,
                            const char *field,
                            const char *value)
{
  g_autoptr(JsonNode) root = parse_for_test (message);

  json_object_set_string_member (json_node_get_object (root), field, value);
  return generate (root);
}

GBytes *
sotto_test_json_remove (GBytes     *message,
                        const char *field)
{
  g_autoptr(JsonNode) root = parse_for_test (message);

  json_object_remove_member (json_node_get_object (root), field);
  return generate (root);
}

/* Returns: (nullable): the string @field, or NULL when it is missing or
 * not a string */
char *
sotto_test_json_get_string (GBytes     *message,
                            const char *field)
{
  g_autoptr(JsonNode) root = parse_for_test (message);

  return g_strdup (object_get_string (json_node_get_object (root), field));
}

/* The integer @field, which must be there. */
gint64
sotto_test_json_get_int (GBytes     *message,
                         const char *field)
{
  g_autoptr(JsonNode) root = parse_for_test (message);
  JsonNode *node = json_object_get_member (json_node_get_object (root), field);

  g_assert_nonnull (node);
  g_assert_true (json_node_get_value_type (node) == G_TYPE_INT64);
  return json_node_get_int (node);
}

/* Returns: (nullable): the message's type, or NULL when it is not a JSON
 * object with a string "type" */
char *
sotto_test_json_type (GBytes *message)
{
  g_autoptr(JsonNode) root = parse_object (message);

  if (root == NULL)
    return NULL;

  return g_strdup (object_get_string (json_node_get_object (root), "type"));
}

/* Links */

static SottoTestProxyLink *
link_ref (SottoTestProxyLink *link)
{
  g_ref_count_inc (&link->ref_count);
  return link;
}

static void
link_unref (SottoTestProxyLink *link)
{
  if (!g_ref_count_dec (&link->ref_count))
    return;

  g_assert_true (link->detached);
  g_clear_object (&link->cancellable);
  g_clear_object (&link->client_connection);
  g_clear_object (&link->server_connection);
  g_clear_object (&link->client_channel);
  g_clear_object (&link->server_channel);
  g_free (link->user);
  g_free (link->logout_id);
  g_free (link);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SottoTestProxyLink, link_unref)

static void
stream_closed_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_io_stream_close_finish (G_IO_STREAM (object), result, NULL);
}

static void
end_stream (SottoTestProxyLink *link,
            SottoChannel       *channel,
            GSocketConnection  *connection)
{
  g_autoptr(GError) error = g_error_new_literal (SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_CLOSED,
                                                 "The proxy let go of the connection");

  if (channel != NULL)
    {
      g_signal_handlers_disconnect_by_data (channel, link);
      sotto_channel_abort (channel, error);
    }
  else if (connection != NULL && !g_io_stream_is_closed (G_IO_STREAM (connection)))
    g_io_stream_close_async (G_IO_STREAM (connection), G_PRIORITY_DEFAULT, NULL,
                             stream_closed_cb, NULL);
}

/* Stops everything the link does; what is still under way finds it
 * detached and ends there. */
static void
link_detach (SottoTestProxyLink *link)
{
  if (link->detached)
    return;

  link->detached = TRUE;
  g_cancellable_cancel (link->cancellable);
  g_clear_handle_id (&link->settle_id, g_source_remove);
  end_stream (link, link->client_channel, link->client_connection);
  end_stream (link, link->server_channel, link->server_connection);
}

/* Lets go of @link: a link whose handshakes failed, or whose sides
 * have both ended. */
static void
link_discard (SottoTestProxyLink *link)
{
  SottoTestProxy *proxy = link->proxy;

  link_detach (link);
  g_ptr_array_remove (proxy->links, link);
}

static gboolean
link_is_live (SottoTestProxyLink *link)
{
  return !link->detached && link->client_channel != NULL && link->server_channel != NULL &&
         !link->client_ended && !link->server_ended;
}

/* What the link's end is on the other side: a side that was cut has its
 * peer cut too, from an idle, so that what was forwarded in this turn of
 * the main loop is written first. A link with both sides ended goes. */
static gboolean
link_settle_cb (gpointer user_data)
{
  SottoTestProxyLink *link = user_data;
  g_autoptr(GError) error = g_error_new_literal (SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_CLOSED,
                                                 "The other side of the proxy was cut");

  /* settle_id stays set while aborting: the closed handlers then schedule
   * no other pass. */
  if (link->client_ended && !link->server_ended)
    sotto_channel_abort (link->server_channel, error);
  if (link->server_ended && !link->client_ended)
    sotto_channel_abort (link->client_channel, error);
  link->settle_id = 0;

  if (link->client_ended && link->server_ended)
    link_discard (link);

  return G_SOURCE_REMOVE;
}

static void
link_closed_cb (SottoChannel *channel,
                const GError *error,
                gpointer      user_data)
{
  SottoTestProxyLink *link = user_data;
  gboolean from_client = channel == link->client_channel;

  if (from_client)
    link->client_ended = TRUE;
  else
    link->server_ended = TRUE;

  /* A goodbye goes on as a goodbye, after what was forwarded before it. */
  if (error == NULL)
    sotto_channel_close (from_client ? link->server_channel : link->client_channel);

  if ((error != NULL || (link->client_ended && link->server_ended)) && link->settle_id == 0)
    link->settle_id = g_idle_add (link_settle_cb, link);
}

static void
proxy_record (SottoTestProxy          *proxy,
              const char              *user,
              SottoTestProxyDirection  direction,
              GBytes                  *message)
{
  Crossing *crossing = g_new0 (Crossing, 1);

  crossing->user = g_strdup (user);
  crossing->direction = direction;
  crossing->type = sotto_test_json_type (message);
  g_ptr_array_add (proxy->crossings, crossing);
  g_debug ("%s %s %.*s", user != NULL ? user : "(no user)",
           direction == SOTTO_TEST_PROXY_TO_SERVER ? "->" : "<-",
           (int) MIN (g_bytes_get_size (message), 120),
           (const char *) g_bytes_get_data (message, NULL));
}

/* Who is logged in on the link, as the server has it: the user of its
 * `session` reply, until the `ok` to a `logout`. */
static void
link_follow_login (SottoTestProxyLink      *link,
                   SottoTestProxyDirection  direction,
                   GBytes                  *message)
{
  g_autoptr(JsonNode) root = parse_object (message);
  JsonObject *object;
  const char *type;

  if (root == NULL)
    return;

  object = json_node_get_object (root);
  type = object_get_string (object, "type");
  if (direction == SOTTO_TEST_PROXY_TO_SERVER && g_strcmp0 (type, "logout") == 0)
    {
      g_free (link->logout_id);
      link->logout_id = g_strdup (object_get_string (object, "id"));
    }
  else if (direction == SOTTO_TEST_PROXY_TO_CLIENT && g_strcmp0 (type, "session") == 0)
    {
      g_free (link->user);
      link->user = g_strdup (object_get_string (object, "user"));
    }
  else if (direction == SOTTO_TEST_PROXY_TO_CLIENT && g_strcmp0 (type, "ok") == 0 &&
           link->logout_id != NULL &&
           g_strcmp0 (object_get_string (object, "id"), link->logout_id) == 0)
    {
      g_clear_pointer (&link->user, g_free);
      g_clear_pointer (&link->logout_id, g_free);
    }
}

static void
link_message_cb (SottoChannel *channel,
                 GBytes       *message,
                 gpointer      user_data)
{
  SottoTestProxyLink *link = user_data;
  SottoTestProxy *proxy = link->proxy;
  SottoTestProxyDirection direction = channel == link->client_channel
                                      ? SOTTO_TEST_PROXY_TO_SERVER
                                      : SOTTO_TEST_PROXY_TO_CLIENT;
  g_autoptr(GBytes) verdict = NULL;

  link_follow_login (link, direction, message);

  if (proxy->hook != NULL)
    verdict = proxy->hook (proxy, link, direction, message, proxy->hook_data);
  else
    verdict = g_bytes_ref (message);

  if (verdict != NULL)
    sotto_test_proxy_link_inject (link, direction, verdict);
}

static void
client_handshake_done_cb (GObject      *object,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(SottoTestProxyLink) link = user_data;
  g_autoptr(GError) error = NULL;
  SottoChannel *channel;

  channel = sotto_server_handshake_run_finish (SOTTO_SERVER_HANDSHAKE (object), result, &error);
  if (link->detached)
    {
      g_clear_object (&channel);
      return;
    }
  if (channel == NULL)
    {
      g_debug ("The client’s handshake failed: %s", error->message);
      link_discard (link);
      return;
    }

  link->client_channel = channel;
  g_signal_connect (link->client_channel, "message", G_CALLBACK (link_message_cb), link);
  g_signal_connect (link->client_channel, "closed", G_CALLBACK (link_closed_cb), link);
  g_signal_connect (link->server_channel, "message", G_CALLBACK (link_message_cb), link);
  g_signal_connect (link->server_channel, "closed", G_CALLBACK (link_closed_cb), link);
  sotto_channel_start (link->server_channel);
  sotto_channel_start (link->client_channel);
}

static void
server_handshake_done_cb (GObject      *object,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(SottoTestProxyLink) link = user_data;
  g_autoptr(SottoServerHandshake) handshake = NULL;
  g_autoptr(GError) error = NULL;
  SottoChannel *channel;

  channel = sotto_client_handshake_run_finish (SOTTO_CLIENT_HANDSHAKE (object), result, &error);
  if (link->detached)
    {
      g_clear_object (&channel);
      return;
    }
  if (channel == NULL)
    {
      g_debug ("The real server’s handshake failed: %s", error->message);
      link_discard (link);
      return;
    }

  /* The client is answered only once the real server is there. */
  link->server_channel = channel;
  handshake = sotto_server_handshake_new (G_IO_STREAM (link->client_connection),
                                          link->proxy->key);
  sotto_server_handshake_run_async (handshake, link->cancellable, client_handshake_done_cb,
                                    link_ref (link));
}

static void
server_connected_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(SottoTestProxyLink) link = user_data;
  g_autoptr(SottoClientHandshake) handshake = NULL;
  g_autoptr(GError) error = NULL;
  GSocketConnection *connection;

  connection = g_socket_client_connect_finish (G_SOCKET_CLIENT (object), result, &error);
  if (link->detached)
    {
      g_clear_object (&connection);
      return;
    }
  if (connection == NULL)
    {
      g_debug ("Could not reach the real server: %s", error->message);
      link_discard (link);
      return;
    }

  link->server_connection = connection;
  handshake = sotto_client_handshake_new (G_IO_STREAM (connection), link->proxy->server_name,
                                          link->proxy->pins);
  sotto_client_handshake_run_async (handshake, link->cancellable, server_handshake_done_cb,
                                    link_ref (link));
}

static gboolean
proxy_incoming_cb (GSocketService    *service,
                   GSocketConnection *connection,
                   GObject           *source_object,
                   gpointer           user_data)
{
  SottoTestProxy *proxy = user_data;
  g_autoptr(GSocketClient) socket_client = g_socket_client_new ();
  SottoTestProxyLink *link = g_new0 (SottoTestProxyLink, 1);

  g_ref_count_init (&link->ref_count);
  link->proxy = proxy;
  link->cancellable = g_cancellable_new ();
  link->client_connection = g_object_ref (connection);
  g_ptr_array_add (proxy->links, link);

  g_socket_client_connect_async (socket_client, G_SOCKET_CONNECTABLE (proxy->server_address),
                                 link->cancellable, server_connected_cb, link_ref (link));

  return TRUE;
}

/* The proxy */

/**
 * sotto_test_proxy_start:
 *
 * Starts a proxy in front of @server, with @server's own key.
 */
SottoTestProxy *
sotto_test_proxy_start (SottoTestServer *server)
{
  SottoTestProxy *proxy = g_new0 (SottoTestProxy, 1);
  g_autofree char *key_path = g_build_filename (sotto_test_server_get_data_dir (server),
                                                "server.key", NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any_port = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;
  guint16 server_port = sotto_test_server_get_port (server);

  /* Loading must not make a key of its own: the proxy is the server. */
  g_assert_true (g_file_test (key_path, G_FILE_TEST_IS_REGULAR));
  proxy->key = sotto_server_key_load_or_create (key_path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sotto_server_key_get_fingerprint (proxy->key), ==,
                   sotto_test_server_get_fingerprint (server));

  proxy->server_address = g_inet_socket_address_new (loopback, server_port);
  proxy->server_name = g_strdup_printf ("127.0.0.1:%u", server_port);
  proxy->pins = SOTTO_PIN_STORE (sotto_memory_pin_store_new ());
  sotto_pin_store_pin (proxy->pins, proxy->server_name, sotto_server_key_get_public (proxy->key),
                       &error);
  g_assert_no_error (error);

  proxy->links = g_ptr_array_new_with_free_func ((GDestroyNotify) link_unref);
  proxy->crossings = g_ptr_array_new_with_free_func ((GDestroyNotify) crossing_free);

  proxy->service = g_socket_service_new ();
  g_socket_listener_add_address (G_SOCKET_LISTENER (proxy->service), any_port,
                                 G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL, &bound,
                                 &error);
  g_assert_no_error (error);
  proxy->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  proxy->address = g_strdup_printf ("127.0.0.1:%u", proxy->port);
  g_signal_connect (proxy->service, "incoming", G_CALLBACK (proxy_incoming_cb), proxy);
  g_socket_service_start (proxy->service);

  return proxy;
}

/* Stops listening and aborts every link, on both sides. */
void
sotto_test_proxy_free (SottoTestProxy *proxy)
{
  if (proxy == NULL)
    return;

  g_signal_handlers_disconnect_by_data (proxy->service, proxy);
  g_socket_service_stop (proxy->service);
  g_socket_listener_close (G_SOCKET_LISTENER (proxy->service));
  g_clear_object (&proxy->service);

  for (guint i = 0; i < proxy->links->len; i++)
    link_detach (g_ptr_array_index (proxy->links, i));
  g_ptr_array_unref (proxy->links);
  g_ptr_array_unref (proxy->crossings);

  g_clear_object (&proxy->key);
  g_clear_object (&proxy->pins);
  g_clear_object (&proxy->server_address);
  g_free (proxy->server_name);
  g_free (proxy->address);
  g_free (proxy);
}

guint16
sotto_test_proxy_get_port (SottoTestProxy *proxy)
{
  return proxy->port;
}

/* "127.0.0.1:PORT", the server address a client is given. */
const char *
sotto_test_proxy_get_address (SottoTestProxy *proxy)
{
  return proxy->address;
}

/**
 * sotto_test_proxy_set_hook:
 * @hook: (nullable): what decides on each message; %NULL passes all
 */
void
sotto_test_proxy_set_hook (SottoTestProxy     *proxy,
                           SottoTestProxyHook  hook,
                           gpointer            user_data)
{
  proxy->hook = hook;
  proxy->hook_data = user_data;
}

/* Returns: (nullable): @user's newest open link */
SottoTestProxyLink *
sotto_test_proxy_find_link (SottoTestProxy *proxy,
                            const char     *user)
{
  for (guint i = proxy->links->len; i > 0; i--)
    {
      SottoTestProxyLink *link = g_ptr_array_index (proxy->links, i - 1);

      if (link_is_live (link) && g_strcmp0 (link->user, user) == 0)
        return link;
    }

  return NULL;
}

/* How many links of @user are open; of anyone when @user is NULL. */
guint
sotto_test_proxy_count_links (SottoTestProxy *proxy,
                              const char     *user)
{
  guint n = 0;

  for (guint i = 0; i < proxy->links->len; i++)
    {
      SottoTestProxyLink *link = g_ptr_array_index (proxy->links, i);

      if (link_is_live (link) && (user == NULL || g_strcmp0 (link->user, user) == 0))
        n++;
    }

  return n;
}

/* Sends @message to every open link of @user, towards the client. */
void
sotto_test_proxy_inject_to_user (SottoTestProxy *proxy,
                                 const char     *user,
                                 GBytes         *message)
{
  for (guint i = 0; i < proxy->links->len; i++)
    {
      SottoTestProxyLink *link = g_ptr_array_index (proxy->links, i);

      if (link_is_live (link) && g_strcmp0 (link->user, user) == 0)
        sotto_test_proxy_link_inject (link, SOTTO_TEST_PROXY_TO_CLIENT, message);
    }
}

/* Aborts both sides of every link of @user, as a network failure would:
 * the client sees its connection cut and comes back by itself. */
void
sotto_test_proxy_cut_user (SottoTestProxy *proxy,
                           const char     *user)
{
  g_autoptr(GError) error = g_error_new_literal (SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_CLOSED,
                                                 "Cut by the test");

  for (guint i = 0; i < proxy->links->len; i++)
    {
      SottoTestProxyLink *link = g_ptr_array_index (proxy->links, i);

      if (link_is_live (link) && g_strcmp0 (link->user, user) == 0)
        {
          sotto_channel_abort (link->client_channel, error);
          sotto_channel_abort (link->server_channel, error);
        }
    }
}

/**
 * sotto_test_proxy_count:
 * @user: (nullable): whose links to count on; %NULL for all of them
 * @type: the "type" of the messages
 *
 * Returns: how many messages of @type the proxy sent on in @direction,
 *   after the hook's verdict, injected ones included
 */
guint
sotto_test_proxy_count (SottoTestProxy          *proxy,
                        const char              *user,
                        SottoTestProxyDirection  direction,
                        const char              *type)
{
  guint n = 0;

  for (guint i = 0; i < proxy->crossings->len; i++)
    {
      Crossing *crossing = g_ptr_array_index (proxy->crossings, i);

      if (crossing->direction == direction && g_strcmp0 (crossing->type, type) == 0 &&
          (user == NULL || g_strcmp0 (crossing->user, user) == 0))
        n++;
    }

  return n;
}

/* Returns: (nullable): who is logged in on @link, as the server has it */
const char *
sotto_test_proxy_link_get_user (SottoTestProxyLink *link)
{
  return link->user;
}

/* Sends @message on @link, after everything sent on in @direction so far. */
void
sotto_test_proxy_link_inject (SottoTestProxyLink      *link,
                              SottoTestProxyDirection  direction,
                              GBytes                  *message)
{
  SottoChannel *channel = direction == SOTTO_TEST_PROXY_TO_SERVER ? link->server_channel
                                                                   : link->client_channel;

  gboolean whole;

  if (link->detached || channel == NULL)
    return;

  /* A binary message (a piece of a blob) goes on in a frame of its own. */
  whole = g_bytes_get_size (message) > 0 &&
          *(const guint8 *) g_bytes_get_data (message, NULL) == SOTTO_CHANNEL_WHOLE_FRAME_MARKER;
  if (!(whole ? sotto_channel_send_bulk (channel, message) : sotto_channel_send (channel, message)))
    return;

  proxy_record (link->proxy, link->user, direction, message);
}
