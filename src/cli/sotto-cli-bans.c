/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-cli-bans.h"
#include "sotto-cli-format.h"
#include "sotto-cli-print.h"

/*
 * Removing someone from a room, letting them back in, the list of who is
 * kept out, invitations, invite-only rooms and roles: `sotto-cli kick ROOM
 * USER`, `unban ROOM USER`, `bans ROOM`, `invite ROOM USER`, `invite-only
 * ROOM on|off`, `role ROOM USER ROLE`, and the chat's /kick, /unban,
 * /bans, /invite, /invite-only and /role in the room the user is in.
 * Listings go to standard output; what is for a person goes there in the
 * chat, and to standard error for the commands, whose standard output is
 * their result.
 */

struct _SottoCliBans
{
  GObject        parent_instance;

  SottoClient   *client;
  SottoCliRooms *rooms;
  GCancellable  *cancellable;
  gboolean       chat;
};

G_DEFINE_FINAL_TYPE (SottoCliBans, sotto_cli_bans, G_TYPE_OBJECT)

static void
sotto_cli_bans_dispose (GObject *object)
{
  SottoCliBans *self = SOTTO_CLI_BANS (object);

  g_clear_object (&self->rooms);
  g_clear_object (&self->client);

  G_OBJECT_CLASS (sotto_cli_bans_parent_class)->dispose (object);
}

static void
sotto_cli_bans_finalize (GObject *object)
{
  SottoCliBans *self = SOTTO_CLI_BANS (object);

  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (sotto_cli_bans_parent_class)->finalize (object);
}

static void
sotto_cli_bans_class_init (SottoCliBansClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sotto_cli_bans_dispose;
  object_class->finalize = sotto_cli_bans_finalize;
}

static void
sotto_cli_bans_init (SottoCliBans *self)
{
}

/**
 * sotto_cli_bans_new:
 * @chat: whether it serves the chat rather than a command
 * @cancellable: the run's; cancelled when the run ends
 */
SottoCliBans *
sotto_cli_bans_new (SottoClient   *client,
                    SottoCliRooms *rooms,
                    gboolean       chat,
                    GCancellable  *cancellable)
{
  SottoCliBans *self;

  g_return_val_if_fail (SOTTO_IS_CLIENT (client), NULL);
  g_return_val_if_fail (SOTTO_IS_CLI_ROOMS (rooms), NULL);
  g_return_val_if_fail (G_IS_CANCELLABLE (cancellable), NULL);

  self = g_object_new (SOTTO_TYPE_CLI_BANS, NULL);
  self->client = g_object_ref (client);
  self->rooms = g_object_ref (rooms);
  self->chat = chat;
  self->cancellable = g_object_ref (cancellable);

  return self;
}

/* One request, from the command line or the chat until it is told. */
typedef struct
{
  SottoCliBans     *bans;
  char             *room;
  char             *label;
  char             *user;
  gboolean          json;
  SottoCliBansDone  done;
  gpointer          user_data;
} Call;

static void
call_free (Call *call)
{
  g_object_unref (call->bans);
  g_free (call->room);
  g_free (call->label);
  g_free (call->user);
  g_free (call);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Call, call_free)

static void
finish (SottoCliBans     *self,
        SottoCliBansDone  done,
        gpointer          user_data,
        int               status)
{
  if (done != NULL)
    done (self, status, user_data);
}

static void
refuse (SottoCliBans     *self,
        const GError     *error,
        SottoCliBansDone  done,
        gpointer          user_data)
{
  if (self->chat)
    sotto_cli_say (TRUE, "%s", error->message);
  else
    g_printerr ("sotto-cli: %s\n", error->message);
  finish (self, done, user_data, sotto_cli_exit_for_error (error, SOTTO_CLI_PHASE_REQUEST));
}

/* A call about @room, which must be one of the user's; the chat's is the
 * room the user is in, %NULL when none. */
static Call *
start_call (SottoCliBans     *self,
            const char       *room,
            const char       *user,
            SottoCliBansDone  done,
            gpointer          user_data)
{
  SottoRoom *found;
  Call *call;

  if (room == NULL)
    {
      sotto_cli_say (TRUE, _("You are in no room."));
      finish (self, done, user_data, SOTTO_CLI_EXIT_REFUSED);
      return NULL;
    }

  found = sotto_cli_rooms_lookup (self->rooms, room);
  if (found == NULL)
    {
      g_autoptr(GError) error = NULL;

      error = g_error_new (SOTTO_CLIENT_ERROR,
                           sotto_client_error_from_server (SOTTO_MSG_ERROR_CODE_NOT_MEMBER),
                           _("You are not in %s"), room);
      refuse (self, error, done, user_data);
      return NULL;
    }

  call = g_new0 (Call, 1);
  call->bans = g_object_ref (self);
  call->room = g_strdup (sotto_room_get_name (found));
  call->label = sotto_cli_rooms_label (self->rooms, call->room);
  call->user = g_strdup (user);
  call->done = done;
  call->user_data = user_data;

  return call;
}

/* As start_call(), about @user, whom the chat's command may leave out:
 * then it says how to name one (@usage). */
static Call *
start_user_call (SottoCliBans     *self,
                 const char       *room,
                 const char       *user,
                 const char       *usage,
                 SottoCliBansDone  done,
                 gpointer          user_data)
{
  if (user == NULL)
    {
      sotto_cli_say (TRUE, "%s", usage);
      finish (self, done, user_data, SOTTO_CLI_EXIT_USAGE);
      return NULL;
    }

  return start_call (self, room, user, done, user_data);
}

/* What a person is told that is not the command's result. */
static void
tell (SottoCliBans *self,
      const char   *text)
{
  sotto_cli_say (self->chat, "%s", text);
}

/* @call went well: @text (nullable) is told, and it ends. */
static void
done_telling (Call       *call,
              const char *text)
{
  if (text != NULL)
    tell (call->bans, text);
  finish (call->bans, call->done, call->user_data, SOTTO_CLI_EXIT_OK);
}

static gboolean
refused (Call         *call,
         const GError *error)
{
  if (error == NULL)
    return FALSE;

  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
      !g_cancellable_is_cancelled (call->bans->cancellable))
    refuse (call->bans, error, call->done, call->user_data);
  return TRUE;
}

static void
kicked_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(Call) call = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  sotto_client_kick_finish (SOTTO_CLIENT (object), result, &error);
  if (refused (call, error))
    return;

  if (call->bans->chat)
    text = g_strdup_printf (_("Removed %s from %s. They cannot join again until you let them "
                              "back in with /unban %s."), call->user, call->label, call->user);
  else
    text = g_strdup_printf (_("Removed %s from %s. They cannot join again until you let them "
                              "back in with “sotto-cli unban %s %s”."), call->user, call->label,
                            call->label, call->user);
  done_telling (call, text);
}

/**
 * sotto_cli_bans_kick:
 * @room: (nullable): the room, as the user names it; in the chat %NULL
 *   when the user is in none
 * @user: (nullable): whom to remove; %NULL in the chat when not given
 *
 * Removes @user from @room, which the user created, and keeps them out.
 */
void
sotto_cli_bans_kick (SottoCliBans     *self,
                     const char       *room,
                     const char       *user,
                     SottoCliBansDone  done,
                     gpointer          user_data)
{
  Call *call;

  g_return_if_fail (SOTTO_IS_CLI_BANS (self));

  call = start_user_call (self, room, user, _("Usage: /kick USER"), done, user_data);
  if (call != NULL)
    sotto_client_kick_async (self->client, call->room, user, self->cancellable, kicked_cb, call);
}

static void
unbanned_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(Call) call = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  sotto_client_unban_finish (SOTTO_CLIENT (object), result, &error);
  if (refused (call, error))
    return;

  text = g_strdup_printf (_("%s may join %s again."), call->user, call->label);
  done_telling (call, text);
}

/**
 * sotto_cli_bans_unban:
 * @room: (nullable): as for sotto_cli_bans_kick()
 * @user: (nullable): whom to let back in
 *
 * Lets @user join @room again.
 */
void
sotto_cli_bans_unban (SottoCliBans     *self,
                      const char       *room,
                      const char       *user,
                      SottoCliBansDone  done,
                      gpointer          user_data)
{
  Call *call;

  g_return_if_fail (SOTTO_IS_CLI_BANS (self));

  call = start_user_call (self, room, user, _("Usage: /unban USER"), done, user_data);
  if (call != NULL)
    sotto_client_unban_async (self->client, call->room, user, self->cancellable, unbanned_cb,
                              call);
}

static void
listed_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(Call) call = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) bans = NULL;

  bans = sotto_client_list_bans_finish (SOTTO_CLIENT (object), result, &error);
  if (refused (call, error))
    return;

  if (bans->len == 0)
    {
      g_autofree char *text = g_strdup_printf (_("Nobody is kept out of %s."), call->label);

      tell (call->bans, text);
    }
  sotto_cli_print_bans (bans, call->json);
  finish (call->bans, call->done, call->user_data, SOTTO_CLI_EXIT_OK);
}

/**
 * sotto_cli_bans_list:
 * @room: (nullable): as for sotto_cli_bans_kick()
 *
 * Lists who is kept out of @room, which the user created.
 */
void
sotto_cli_bans_list (SottoCliBans     *self,
                     const char       *room,
                     gboolean          json,
                     SottoCliBansDone  done,
                     gpointer          user_data)
{
  Call *call;

  g_return_if_fail (SOTTO_IS_CLI_BANS (self));

  call = start_call (self, room, NULL, done, user_data);
  if (call == NULL)
    return;

  call->json = json;
  sotto_client_list_bans_async (self->client, call->room, self->cancellable, listed_cb, call);
}

static void
invited_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(Call) call = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  sotto_client_invite_finish (SOTTO_CLIENT (object), result, &error);
  if (refused (call, error))
    return;

  text = g_strdup_printf (_("Invited %s to %s: its members take them in when they join."),
                          call->user, call->label);
  done_telling (call, text);
}

/**
 * sotto_cli_bans_invite:
 * @room: (nullable): as for sotto_cli_bans_kick()
 * @user: (nullable): whom to invite
 *
 * Invites @user into @room, which the user moderates.
 */
void
sotto_cli_bans_invite (SottoCliBans     *self,
                       const char       *room,
                       const char       *user,
                       SottoCliBansDone  done,
                       gpointer          user_data)
{
  Call *call;

  g_return_if_fail (SOTTO_IS_CLI_BANS (self));

  call = start_user_call (self, room, user, _("Usage: /invite USER"), done, user_data);
  if (call != NULL)
    sotto_client_invite_async (self->client, call->room, user, self->cancellable, invited_cb,
                               call);
}

static void
invite_only_set_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(Call) call = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  sotto_client_set_invite_only_finish (SOTTO_CLIENT (object), result, &error);
  if (refused (call, error))
    return;

  if (sotto_client_get_invite_only (call->bans->client, call->room))
    text = g_strdup_printf (_("%s is invite-only: its members take in only whom a moderator "
                              "invited."), call->label);
  else
    text = g_strdup_printf (_("%s is open: anyone may join it."), call->label);
  done_telling (call, text);
}

/**
 * sotto_cli_bans_set_invite_only:
 * @room: (nullable): as for sotto_cli_bans_kick()
 * @value: (nullable): "on" or "off"
 *
 * Makes @room, which the user moderates, invite-only or open.
 */
void
sotto_cli_bans_set_invite_only (SottoCliBans     *self,
                                const char       *room,
                                const char       *value,
                                SottoCliBansDone  done,
                                gpointer          user_data)
{
  gboolean on;
  Call *call;

  g_return_if_fail (SOTTO_IS_CLI_BANS (self));

  if (g_strcmp0 (value, "on") == 0)
    on = TRUE;
  else if (g_strcmp0 (value, "off") == 0)
    on = FALSE;
  else
    {
      if (self->chat)
        sotto_cli_say (TRUE, _("Usage: /invite-only on|off"));
      else
        g_printerr (_("sotto-cli: say “on” or “off”\n"));
      finish (self, done, user_data, SOTTO_CLI_EXIT_USAGE);
      return;
    }

  call = start_call (self, room, NULL, done, user_data);
  if (call != NULL)
    sotto_client_set_invite_only_async (self->client, call->room, on, self->cancellable,
                                        invite_only_set_cb, call);
}

static void
role_set_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(Call) call = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  SottoRoom *room;
  SottoMember *member;

  sotto_client_set_role_finish (SOTTO_CLIENT (object), result, &error);
  if (refused (call, error))
    return;

  room = sotto_client_lookup_room (call->bans->client, call->room);
  member = room != NULL ? sotto_room_lookup_member (room, call->user) : NULL;
  switch (member != NULL ? sotto_member_get_role (member) : SOTTO_MEMBER_ROLE_MEMBER)
    {
    case SOTTO_MEMBER_ROLE_OWNER:
      /* Translators: the first %s is a person, the second a room */
      text = g_strdup_printf (_("%s is now an owner of %s: they give roles too, and nobody "
                                "else can take that back."), call->user, call->label);
      break;
    case SOTTO_MEMBER_ROLE_MODERATOR:
      text = g_strdup_printf (_("%s is now a moderator of %s: they invite, remove people "
                                "and open or close the room."), call->user, call->label);
      break;
    case SOTTO_MEMBER_ROLE_MEMBER:
    default:
      text = g_strdup_printf (_("%s is now a plain member of %s."), call->user, call->label);
      break;
    }
  done_telling (call, text);
}

/**
 * sotto_cli_bans_set_role:
 * @room: (nullable): as for sotto_cli_bans_kick()
 * @args: (nullable): "USER ROLE", the role one of member, moderator and
 *   owner
 *
 * Gives a member of @room, which the user owns, a role.
 */
void
sotto_cli_bans_set_role (SottoCliBans     *self,
                         const char       *room,
                         const char       *args,
                         SottoCliBansDone  done,
                         gpointer          user_data)
{
  g_autofree char *copy = g_strdup (args);
  g_auto(GStrv) words = copy != NULL ? g_strsplit_set (g_strstrip (copy), " \t", 0) : NULL;
  g_autoptr(GPtrArray) parts = g_ptr_array_new ();
  SottoMemberRole role;
  Call *call;

  g_return_if_fail (SOTTO_IS_CLI_BANS (self));

  for (guint i = 0; words != NULL && words[i] != NULL; i++)
    if (words[i][0] != '\0')
      g_ptr_array_add (parts, words[i]);

  if (parts->len == 2 && g_str_equal (g_ptr_array_index (parts, 1), "member"))
    role = SOTTO_MEMBER_ROLE_MEMBER;
  else if (parts->len == 2 && g_str_equal (g_ptr_array_index (parts, 1), "moderator"))
    role = SOTTO_MEMBER_ROLE_MODERATOR;
  else if (parts->len == 2 && g_str_equal (g_ptr_array_index (parts, 1), "owner"))
    role = SOTTO_MEMBER_ROLE_OWNER;
  else
    {
      if (self->chat)
        sotto_cli_say (TRUE, _("Usage: /role USER member|moderator|owner"));
      else
        g_printerr (_("sotto-cli: say “member”, “moderator” or “owner”\n"));
      finish (self, done, user_data, SOTTO_CLI_EXIT_USAGE);
      return;
    }

  call = start_call (self, room, g_ptr_array_index (parts, 0), done, user_data);
  if (call != NULL)
    sotto_client_set_role_async (self->client, call->room, call->user, role, self->cancellable,
                                 role_set_cb, call);
}
