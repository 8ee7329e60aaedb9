/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "sotto-cli-private.h"

/*
 * Rooms as the user names them: "lobby", or "@bob" for the direct chat
 * with bob, which the server calls "@alice+bob". A room is ready to send
 * to once its members are known, so that the first message's key reaches
 * all of them.
 */

/**
 * _sotto_cli_direct_peer:
 * @room: "@NAME", or a direct room's own name "@a+b"
 *
 * Returns: (nullable): the other person of the direct chat @room names,
 *   or %NULL if @room is not one of ours
 */
char *
_sotto_cli_direct_peer (SottoCli   *self,
                        const char *room)
{
  if (room == NULL || room[0] != '@' || room[1] == '\0')
    return NULL;

  /* "@bob", as the user types it. */
  if (strchr (room, '+') == NULL)
    return g_ascii_strdown (room + 1, -1);

  return sotto_protocol_direct_room_peer (room, sotto_client_get_user (self->client));
}

/**
 * _sotto_cli_canonical_room:
 *
 * Returns: (nullable): the name the server gives the room @room names
 */
char *
_sotto_cli_canonical_room (SottoCli   *self,
                           const char *room)
{
  const char *me = sotto_client_get_user (self->client);
  g_autofree char *peer = NULL;

  if (room == NULL || room[0] != '@')
    return g_strdup (room);

  peer = _sotto_cli_direct_peer (self, room);
  if (peer == NULL || me == NULL)
    return NULL;

  return sotto_protocol_direct_room_name (me, peer);
}

SottoRoom *
_sotto_cli_lookup_room (SottoCli   *self,
                        const char *room)
{
  g_autofree char *name = _sotto_cli_canonical_room (self, room);

  return name != NULL ? sotto_client_lookup_room (self->client, name) : NULL;
}

/* How a room is shown: "@bob" for the direct chat with bob. */
char *
_sotto_cli_room_label (SottoCli   *self,
                       const char *room)
{
  g_autofree char *peer = NULL;

  if (sotto_protocol_room_is_direct (room))
    peer = _sotto_cli_direct_peer (self, room);

  return peer != NULL ? g_strconcat ("@", peer, NULL) : g_strdup (room);
}

/* Opening a room */

typedef struct
{
  SottoCli          *cli;
  /* Held while a request is out. While waiting for a room's members, the
   * SottoCli holds the opening instead, in its list of openings. */
  SottoCli          *hold;
  SottoRoom         *room;
  gulong             members_id;
  guint              settled_id;
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
    g_clear_signal_handler (&opening->members_id, sotto_room_get_members (opening->room));
  g_clear_handle_id (&opening->settled_id, g_source_remove);
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

  if (!opening->cli->finishing)
    opening->ready (opening->cli, room, error, data);
  if (opening->destroy != NULL && data != NULL)
    opening->destroy (data);
}

/**
 * _sotto_cli_cancel_openings:
 *
 * Drops the rooms still waiting for their members, without calling back.
 */
void
_sotto_cli_cancel_openings (SottoCli *self)
{
  g_list_free_full (g_steal_pointer (&self->openings), opening_free);
}

static gboolean
members_settled_cb (gpointer user_data)
{
  Opening *opening = user_data;
  g_autoptr(SottoCli) self = g_object_ref (opening->cli);

  opening->settled_id = 0;
  self->openings = g_list_remove (self->openings, opening);
  opening_done (opening, opening->room, NULL);
  opening_free (opening);

  return G_SOURCE_REMOVE;
}

static void
members_changed_cb (GListModel *members,
                    guint       position,
                    guint       removed,
                    guint       added,
                    gpointer    user_data)
{
  Opening *opening = user_data;

  if (g_list_model_get_n_items (members) == 0)
    return;

  /* The client adds a room's members one by one, all in one turn of the
   * main loop: the list is whole once that turn is over. */
  g_clear_signal_handler (&opening->members_id, members);
  opening->settled_id = g_idle_add (members_settled_cb, opening);
}

/* The members of a room we were in at login come a little later. */
static void
when_members_known (Opening   *opening,
                    SottoRoom *room)
{
  GListModel *members = sotto_room_get_members (room);

  if (g_list_model_get_n_items (members) > 0)
    {
      opening_done (opening, room, NULL);
      opening_free (opening);
      return;
    }

  opening->room = g_object_ref (room);
  opening->members_id = g_signal_connect (members, "items-changed",
                                          G_CALLBACK (members_changed_cb), opening);
  opening->cli->openings = g_list_prepend (opening->cli->openings, opening);
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
    g_hash_table_remove (opening->cli->adopting, opening->name);
  opening_done (opening, room, error);
  opening_free (opening);
}

static void
open_room (SottoCli          *self,
           const char        *name,
           SottoCliRoomReady  ready,
           gpointer           data,
           GDestroyNotify     destroy)
{
  Opening *opening = g_new0 (Opening, 1);
  g_autofree char *canonical = _sotto_cli_canonical_room (self, name);
  g_autofree char *peer = NULL;
  SottoRoom *room;

  opening->cli = self;
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
  peer = _sotto_cli_direct_peer (self, name);
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
 * _sotto_cli_open_room:
 * @name: a room, or "@NAME" for a direct chat
 * @ready: called once the room's members are known, or with the error;
 *   not called if the run ends first
 *
 * Makes @name ready to send to: joins it, or opens the direct chat, if
 * we are not in it yet. @ready may be called before this returns.
 */
void
_sotto_cli_open_room (SottoCli          *self,
                      const char        *name,
                      SottoCliRoomReady  ready,
                      gpointer           data,
                      GDestroyNotify     destroy)
{
  open_room (self, name, ready, data, destroy);
}

/* Direct chats others open with us */

static void
adopted_cb (SottoCli     *self,
            SottoRoom    *room,
            const GError *error,
            gpointer      data)
{
  if (error != NULL)
    g_debug ("Could not open a direct chat someone opened: %s", error->message);
  else if (self->command == SOTTO_CLI_COMMAND_CHAT)
    _sotto_cli_chat_direct_opened (self, room);
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
  SottoCli *self = user_data;
  g_autofree char *at_peer = NULL;

  if (self->finishing || sotto_client_get_state (client) != SOTTO_CLIENT_ONLINE ||
      sotto_client_lookup_room (client, room) != NULL ||
      g_hash_table_contains (self->adopting, room))
    return;

  at_peer = g_strconcat ("@", peer, NULL);
  open_room (self, at_peer, adopted_cb, NULL, NULL);
}

void
_sotto_cli_watch_direct (SottoCli *self)
{
  self->event_id = g_signal_connect (self->client, "direct-chat-started",
                                     G_CALLBACK (direct_chat_started_cb), self);
}

/* Printing */

void
_sotto_cli_print_json (JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autofree char *line = NULL;

  json_generator_set_root (generator, root);
  line = json_generator_to_data (generator, NULL);
  g_print ("%s\n", line);
}

/**
 * _sotto_cli_print_members:
 *
 * Lists the members of @room, one a line: name, online or offline, and
 * whether the user verified their safety number.
 */
void
_sotto_cli_print_members (SottoCli  *self,
                          SottoRoom *room,
                          gboolean   json)
{
  GListModel *members = sotto_room_get_members (room);
  const char *me = sotto_client_get_user (self->client);
  guint n = g_list_model_get_n_items (members);
  int width = 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SottoMember) member = g_list_model_get_item (members, i);

      width = MAX (width, (int) strlen (sotto_member_get_user (member)));
    }

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SottoMember) member = g_list_model_get_item (members, i);
      const char *user = sotto_member_get_user (member);
      gboolean online = sotto_member_get_online (member);
      gboolean you = g_strcmp0 (user, me) == 0;
      gboolean verified = !you && sotto_member_get_verified (member);

      if (json)
        {
          g_autoptr(JsonBuilder) builder = json_builder_new ();

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "user");
          json_builder_add_string_value (builder, user);
          json_builder_set_member_name (builder, "online");
          json_builder_add_boolean_value (builder, online);
          json_builder_set_member_name (builder, "verified");
          json_builder_add_boolean_value (builder, verified);
          json_builder_set_member_name (builder, "you");
          json_builder_add_boolean_value (builder, you);
          json_builder_end_object (builder);
          _sotto_cli_print_json (builder);
          continue;
        }

      g_print ("%-*s  %-7s  %s\n", width, user, online ? _("online") : _("offline"),
               you ? _("(you)") : verified ? _("verified") : _("not verified"));
    }
}
