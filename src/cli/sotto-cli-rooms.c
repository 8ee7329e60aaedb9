/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "sotto-cli-rooms.h"

/*
 * Rooms as the user names them: "lobby", or "@bob" for the direct chat
 * with bob, which the server calls "@alice+bob". A room is ready to send
 * to once its members are known, so that the first message's key reaches
 * all of them. A direct chat someone else opens with us is opened from
 * our side too, and told as #SottoCliRooms::direct-chat-opened.
 *
 * Once the run's cancellable is cancelled, nobody is called back.
 */

struct _SottoCliRooms
{
  GObject        parent_instance;

  SottoClient   *client;
  GCancellable  *cancellable;
  gulong         direct_id;
  /* Direct rooms being opened, by us or by someone with us */
  GHashTable    *adopting;
  /* Rooms waiting for their members before they can be used */
  GList         *openings;
};

enum {
  DIRECT_CHAT_OPENED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SottoCliRooms, sotto_cli_rooms, G_TYPE_OBJECT)

static void direct_chat_started_cb (SottoClient *client,
                                    const char  *room,
                                    const char  *peer,
                                    gpointer     user_data);

static void
sotto_cli_rooms_dispose (GObject *object)
{
  SottoCliRooms *self = SOTTO_CLI_ROOMS (object);

  sotto_cli_rooms_cancel_openings (self);
  if (self->client != NULL)
    g_clear_signal_handler (&self->direct_id, self->client);
  g_clear_object (&self->client);

  G_OBJECT_CLASS (sotto_cli_rooms_parent_class)->dispose (object);
}

static void
sotto_cli_rooms_finalize (GObject *object)
{
  SottoCliRooms *self = SOTTO_CLI_ROOMS (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->adopting, g_hash_table_unref);

  G_OBJECT_CLASS (sotto_cli_rooms_parent_class)->finalize (object);
}

static void
sotto_cli_rooms_class_init (SottoCliRoomsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sotto_cli_rooms_dispose;
  object_class->finalize = sotto_cli_rooms_finalize;

  /**
   * SottoCliRooms::direct-chat-opened:
   * @room: the direct chat someone else opened with us, now one of ours
   */
  signals[DIRECT_CHAT_OPENED] =
    g_signal_new ("direct-chat-opened", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, SOTTO_TYPE_ROOM);
}

static void
sotto_cli_rooms_init (SottoCliRooms *self)
{
  self->adopting = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

/**
 * sotto_cli_rooms_new:
 * @cancellable: the run's; cancelled when the run ends
 */
SottoCliRooms *
sotto_cli_rooms_new (SottoClient  *client,
                     GCancellable *cancellable)
{
  SottoCliRooms *self;

  g_return_val_if_fail (SOTTO_IS_CLIENT (client), NULL);
  g_return_val_if_fail (G_IS_CANCELLABLE (cancellable), NULL);

  self = g_object_new (SOTTO_TYPE_CLI_ROOMS, NULL);
  self->client = g_object_ref (client);
  self->cancellable = g_object_ref (cancellable);
  self->direct_id = g_signal_connect (client, "direct-chat-started",
                                      G_CALLBACK (direct_chat_started_cb), self);

  return self;
}

/**
 * sotto_cli_rooms_direct_peer:
 * @room: "@NAME", or a direct room's own name "@a+b"
 *
 * Returns: (nullable): the other person of the direct chat @room names,
 *   or %NULL if @room is not one of ours
 */
char *
sotto_cli_rooms_direct_peer (SottoCliRooms *self,
                             const char    *room)
{
  g_return_val_if_fail (SOTTO_IS_CLI_ROOMS (self), NULL);

  if (room == NULL || room[0] != '@' || room[1] == '\0')
    return NULL;

  /* "@bob", as the user types it. */
  if (strchr (room, '+') == NULL)
    return g_ascii_strdown (room + 1, -1);

  return sotto_protocol_direct_room_peer (room, sotto_client_get_user (self->client));
}

/**
 * sotto_cli_rooms_canonical:
 *
 * Returns: (nullable): the name the server gives the room @room names
 */
char *
sotto_cli_rooms_canonical (SottoCliRooms *self,
                           const char    *room)
{
  const char *me;
  g_autofree char *peer = NULL;

  g_return_val_if_fail (SOTTO_IS_CLI_ROOMS (self), NULL);

  me = sotto_client_get_user (self->client);
  if (room == NULL || room[0] != '@')
    return g_strdup (room);

  peer = sotto_cli_rooms_direct_peer (self, room);
  if (peer == NULL || me == NULL)
    return NULL;

  return sotto_protocol_direct_room_name (me, peer);
}

/**
 * sotto_cli_rooms_lookup:
 *
 * Returns: (transfer none) (nullable): the room @room names, if we are in it
 */
SottoRoom *
sotto_cli_rooms_lookup (SottoCliRooms *self,
                        const char    *room)
{
  g_autofree char *name = NULL;

  g_return_val_if_fail (SOTTO_IS_CLI_ROOMS (self), NULL);

  name = sotto_cli_rooms_canonical (self, room);
  return name != NULL ? sotto_client_lookup_room (self->client, name) : NULL;
}

/**
 * sotto_cli_rooms_label:
 *
 * Returns: how the room named @room is shown: "@bob" for the direct chat
 *   with bob
 */
char *
sotto_cli_rooms_label (SottoCliRooms *self,
                       const char    *room)
{
  g_autofree char *peer = NULL;

  g_return_val_if_fail (SOTTO_IS_CLI_ROOMS (self), NULL);

  if (sotto_protocol_room_is_direct (room))
    peer = sotto_cli_rooms_direct_peer (self, room);

  return peer != NULL ? g_strconcat ("@", peer, NULL) : g_strdup (room);
}

/* Opening a room */

typedef struct
{
  SottoCliRooms     *rooms;
  /* Held while a request is out. While waiting for a room's members, the
   * rooms hold the opening instead, in their list of openings. */
  SottoCliRooms     *hold;
  SottoRoom         *room;
  gulong             members_id;
  char              *name;
  SottoCliRoomReady  ready;
  gpointer           data;
  GDestroyNotify     destroy;
} Opening;

static void
opening_free (gpointer user_data)
{
  Opening *opening = user_data;

  if (opening->room != NULL)
    g_clear_signal_handler (&opening->members_id, opening->room);
  if (opening->destroy != NULL && opening->data != NULL)
    opening->destroy (opening->data);
  g_clear_object (&opening->room);
  g_clear_object (&opening->hold);
  g_free (opening->name);
  g_free (opening);
}

/* Calls back once, unless the run is ending. */
static void
opening_done (Opening      *opening,
              SottoRoom    *room,
              const GError *error)
{
  gpointer data = g_steal_pointer (&opening->data);

  if (!g_cancellable_is_cancelled (opening->rooms->cancellable))
    opening->ready (opening->rooms, room, error, data);
  if (opening->destroy != NULL && data != NULL)
    opening->destroy (data);
}

/**
 * sotto_cli_rooms_cancel_openings:
 *
 * Drops the rooms still waiting for their members, without calling back.
 */
void
sotto_cli_rooms_cancel_openings (SottoCliRooms *self)
{
  g_return_if_fail (SOTTO_IS_CLI_ROOMS (self));

  g_list_free_full (g_steal_pointer (&self->openings), opening_free);
}

static void
loaded_cb (SottoRoom  *room,
           GParamSpec *pspec,
           gpointer    user_data)
{
  Opening *opening = user_data;
  g_autoptr(SottoCliRooms) self = g_object_ref (opening->rooms);

  if (!sotto_room_get_loaded (room))
    return;

  g_clear_signal_handler (&opening->members_id, room);
  self->openings = g_list_remove (self->openings, opening);
  opening_done (opening, opening->room, NULL);
  opening_free (opening);
}

/* The members of a room we were in at login come a little later, and
 * with them what the room's signed state says of each. */
static void
when_members_known (Opening   *opening,
                    SottoRoom *room)
{
  if (sotto_room_get_loaded (room))
    {
      opening_done (opening, room, NULL);
      opening_free (opening);
      return;
    }

  opening->room = g_object_ref (room);
  opening->members_id = g_signal_connect (room, "notify::loaded", G_CALLBACK (loaded_cb),
                                          opening);
  opening->rooms->openings = g_list_prepend (opening->rooms->openings, opening);
}

static void
joined_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Opening *opening = user_data;
  g_autoptr(SottoRoom) room = NULL;
  g_autoptr(GError) error = NULL;

  room = sotto_client_join_finish (SOTTO_CLIENT (object), result, &error);
  if (opening->name != NULL)
    g_hash_table_remove (opening->rooms->adopting, opening->name);
  opening_done (opening, room, error);
  opening_free (opening);
}

static void
open_room (SottoCliRooms     *self,
           const char        *name,
           SottoCliRoomReady  ready,
           gpointer           data,
           GDestroyNotify     destroy)
{
  Opening *opening = g_new0 (Opening, 1);
  g_autofree char *canonical = sotto_cli_rooms_canonical (self, name);
  g_autofree char *peer = NULL;
  SottoRoom *room;

  opening->rooms = self;
  opening->ready = ready;
  opening->data = data;
  opening->destroy = destroy;

  if (canonical == NULL)
    {
      g_autoptr(GError) error = NULL;

      error = g_error_new (SOTTO_CLIENT_ERROR,
                           sotto_client_error_from_server (SOTTO_MSG_ERROR_CODE_NOT_MEMBER),
                           _("“%s” is not a direct chat of yours"), name);
      opening_done (opening, NULL, error);
      opening_free (opening);
      return;
    }

  room = sotto_client_lookup_room (self->client, canonical);
  if (room != NULL)
    {
      when_members_known (opening, room);
      return;
    }

  opening->hold = g_object_ref (self);
  peer = sotto_cli_rooms_direct_peer (self, name);
  if (peer != NULL)
    {
      /* The server's events about it may come before its answer. */
      opening->name = g_strdup (canonical);
      g_hash_table_add (self->adopting, g_strdup (canonical));
      sotto_client_open_direct_async (self->client, peer, self->cancellable, joined_cb, opening);
    }
  else
    sotto_client_join_async (self->client, name, self->cancellable, joined_cb, opening);
}

/**
 * sotto_cli_rooms_open:
 * @name: a room, or "@NAME" for a direct chat
 * @ready: called once the room's members are known, or with the error;
 *   not called if the run ends first
 * @destroy: (nullable): frees @user_data, whether @ready was called or not
 *
 * Makes @name ready to send to: joins it, or opens the direct chat, if
 * we are not in it yet. @ready may be called before this returns.
 */
void
sotto_cli_rooms_open (SottoCliRooms     *self,
                      const char        *name,
                      SottoCliRoomReady  ready,
                      gpointer           user_data,
                      GDestroyNotify     destroy)
{
  g_return_if_fail (SOTTO_IS_CLI_ROOMS (self));
  g_return_if_fail (name != NULL);
  g_return_if_fail (ready != NULL);

  open_room (self, name, ready, user_data, destroy);
}

/* Every room at once */

typedef struct
{
  guint              waiting;
  SottoCliRoomReady  ready;
  gpointer           data;
} AllRooms;

static void
all_rooms_one_ready_cb (SottoCliRooms *self,
                        SottoRoom     *room,
                        const GError  *error,
                        gpointer       user_data)
{
  AllRooms *all = user_data;

  /* A room that cannot be opened holds nobody up. */
  if (--all->waiting == 0)
    all->ready (self, NULL, NULL, all->data);
}

/**
 * sotto_cli_rooms_open_all:
 * @ready: called, with no room and no error, once the members of every
 *   room we are in are known; not called if the run ends first
 *
 * Waits for the members of every room we are in: after logging in they
 * come a little later, and with them what changed of their keys.
 */
void
sotto_cli_rooms_open_all (SottoCliRooms     *self,
                          SottoCliRoomReady  ready,
                          gpointer           user_data)
{
  GListModel *rooms;
  AllRooms *all;
  guint n;

  g_return_if_fail (SOTTO_IS_CLI_ROOMS (self));
  g_return_if_fail (ready != NULL);

  rooms = sotto_client_get_rooms (self->client);
  n = g_list_model_get_n_items (rooms);
  all = g_rc_box_new0 (AllRooms);
  all->waiting = n + 1;
  all->ready = ready;
  all->data = user_data;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SottoRoom) room = g_list_model_get_item (rooms, i);

      open_room (self, sotto_room_get_name (room), all_rooms_one_ready_cb, g_rc_box_acquire (all),
                 g_rc_box_release);
    }
  all_rooms_one_ready_cb (self, NULL, NULL, all);
  g_rc_box_release (all);
}

/* Direct chats others open with us */

static void
adopted_cb (SottoCliRooms *self,
            SottoRoom     *room,
            const GError  *error,
            gpointer       data)
{
  if (error != NULL)
    g_debug ("Could not open a direct chat someone opened: %s", error->message);
  else
    g_signal_emit (self, signals[DIRECT_CHAT_OPENED], 0, room);
}

/* The client core makes a direct chat someone opened with us one of its
 * rooms only at the next login. Opening it from our side too makes it
 * one of our rooms now. */
static void
direct_chat_started_cb (SottoClient *client,
                        const char  *room,
                        const char  *peer,
                        gpointer     user_data)
{
  SottoCliRooms *self = user_data;
  g_autofree char *at_peer = NULL;

  if (g_cancellable_is_cancelled (self->cancellable) ||
      sotto_client_get_state (client) != SOTTO_CLIENT_ONLINE ||
      sotto_client_lookup_room (client, room) != NULL ||
      g_hash_table_contains (self->adopting, room))
    return;

  at_peer = g_strconcat ("@", peer, NULL);
  open_room (self, at_peer, adopted_cb, NULL, NULL);
}
