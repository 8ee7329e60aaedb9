/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "sotto-ban.h"
#include "sotto-cli-format.h"
#include "sotto-cli-print.h"
#include "sotto-client.h"
#include "sotto-member.h"

/*
 * Where what sotto-cli tells goes, and the listings more than one part
 * prints.
 */

/**
 * sotto_cli_say:
 * @to_stdout: the chat tells the user on standard output; a scripted
 *   command on standard error, as its standard output is its result
 *
 * Tells the user something, as a line.
 */
void
sotto_cli_say (gboolean    to_stdout,
               const char *format,
               ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  if (to_stdout)
    g_print ("%s\n", text);
  else
    g_printerr ("%s\n", text);
}

void
sotto_cli_print_json (JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autofree char *line = NULL;

  json_generator_set_root (generator, root);
  line = json_generator_to_data (generator, NULL);
  g_print ("%s\n", line);
}

/**
 * sotto_cli_print_members:
 * @me: (nullable): the user logged in
 *
 * Lists the members of @room, one a line: name, online or offline,
 * whether the user verified their safety number, who created the room,
 * who owns or moderates it by its signed state, and whom that state does
 * not hold (they get no keys).
 */
void
sotto_cli_print_members (SottoRoom  *room,
                         const char *me,
                         gboolean    json)
{
  GListModel *members = sotto_room_get_members (room);
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
      gboolean owner = g_strcmp0 (user, sotto_room_get_owner (room)) == 0;
      SottoMemberStanding standing = sotto_member_get_standing (member);
      SottoMemberRole role = sotto_member_get_role (member);
      const char *standing_text;
      const char *role_text;

      switch (standing)
        {
        case SOTTO_MEMBER_STANDING_UNCONFIRMED:
          standing_text = you ? "" : _(", not confirmed by the room: gets nothing yet");
          break;
        case SOTTO_MEMBER_STANDING_REFUSED:
          standing_text = _(", kept out by the room: gets nothing");
          break;
        case SOTTO_MEMBER_STANDING_CONFIRMED:
        default:
          standing_text = "";
          break;
        }

      role_text = role >= SOTTO_MEMBER_ROLE_OWNER ? _(", owner")
                  : role >= SOTTO_MEMBER_ROLE_MODERATOR ? _(", moderator") : "";

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
          json_builder_set_member_name (builder, "owner");
          json_builder_add_boolean_value (builder, owner);
          json_builder_set_member_name (builder, "standing");
          json_builder_add_string_value (builder,
                                         standing == SOTTO_MEMBER_STANDING_CONFIRMED
                                         ? "confirmed"
                                         : standing == SOTTO_MEMBER_STANDING_REFUSED
                                         ? "refused" : "unconfirmed");
          json_builder_set_member_name (builder, "role");
          json_builder_add_string_value (builder,
                                         role >= SOTTO_MEMBER_ROLE_OWNER ? "owner"
                                         : role >= SOTTO_MEMBER_ROLE_MODERATOR ? "moderator"
                                         : "member");
          /* 0 while the client holds no device list of theirs. */
          json_builder_set_member_name (builder, "devices");
          json_builder_add_int_value (builder, sotto_member_get_devices (member));
          json_builder_end_object (builder);
          sotto_cli_print_json (builder);
          continue;
        }

      {
        guint n_devices = sotto_member_get_devices (member);
        g_autofree char *devices_text =
          n_devices > 1 ? g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, ", %u device",
                                                        ", %u devices", n_devices),
                                           n_devices)
                        : g_strdup ("");

        g_print ("%-*s  %-7s  %s%s%s%s%s\n", width, user, online ? _("online") : _("offline"),
                 you ? _("(you)") : verified ? _("verified") : _("not verified"),
                 owner ? _(", created the room") : "", role_text, devices_text, standing_text);
      }
    }
}

/**
 * sotto_cli_print_rooms:
 * @rooms: (element-type SottoRoom): the user's rooms
 *
 * Lists @rooms, one name a line.
 */
void
sotto_cli_print_rooms (GListModel *rooms,
                       gboolean    json)
{
  guint n = g_list_model_get_n_items (rooms);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SottoRoom) room = g_list_model_get_item (rooms, i);

      if (json)
        {
          g_autoptr(JsonBuilder) builder = json_builder_new ();

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "room");
          json_builder_add_string_value (builder, sotto_room_get_name (room));
          json_builder_set_member_name (builder, "direct");
          json_builder_add_boolean_value (builder, sotto_room_get_direct (room));
          json_builder_end_object (builder);
          sotto_cli_print_json (builder);
        }
      else
        g_print ("%s\n", sotto_room_get_name (room));
    }
}

/**
 * sotto_cli_print_bans:
 * @bans: (element-type SottoBan): who is kept out of a room
 *
 * Lists @bans, one a line: the name, when (local time) and by whom; as
 * JSON, "user", "banned_by" (null for the server's operator) and "ts".
 */
void
sotto_cli_print_bans (GPtrArray *bans,
                      gboolean   json)
{
  int width = 0;

  for (guint i = 0; i < bans->len; i++)
    width = MAX (width, (int) strlen (sotto_ban_get_user (g_ptr_array_index (bans, i))));

  for (guint i = 0; i < bans->len; i++)
    {
      SottoBan *ban = g_ptr_array_index (bans, i);
      const char *banned_by = sotto_ban_get_banned_by (ban);
      g_autoptr(GDateTime) when = NULL;
      g_autofree char *date = NULL;
      g_autofree char *by = NULL;

      if (json)
        {
          g_autoptr(JsonBuilder) builder = json_builder_new ();

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "user");
          json_builder_add_string_value (builder, sotto_ban_get_user (ban));
          json_builder_set_member_name (builder, "banned_by");
          if (banned_by != NULL)
            json_builder_add_string_value (builder, banned_by);
          else
            json_builder_add_null_value (builder);
          json_builder_set_member_name (builder, "ts");
          json_builder_add_int_value (builder, sotto_ban_get_banned_at (ban));
          json_builder_end_object (builder);
          sotto_cli_print_json (builder);
          continue;
        }

      when = g_date_time_new_from_unix_local (sotto_ban_get_banned_at (ban) / 1000);
      date = when != NULL ? g_date_time_format (when, "%Y-%m-%d %H:%M") : g_strdup ("?");
      by = banned_by != NULL ? g_strdup_printf (_("removed by %s"), banned_by)
                             : g_strdup (_("removed by the server’s operator"));
      g_print ("%-*s  %s  %s\n", width, sotto_ban_get_user (ban), date, by);
    }
}

/**
 * sotto_cli_print_search:
 * @results: (element-type SottoSearchResult): what a search found
 * @with_room: whether each line names its room
 *
 * Prints what a search found, one a line: "DATE TIME sender (SEQ): text"
 * (with "[room]" after the time for a search of every room), the text
 * made safe for a terminal; as JSON, "room", "seq", "sender", "ts" and
 * "text".
 */
void
sotto_cli_print_search (GPtrArray *results,
                        gboolean   with_room,
                        gboolean   json)
{
  for (guint i = 0; i < results->len; i++)
    {
      SottoSearchResult *result = g_ptr_array_index (results, i);
      g_autoptr(GDateTime) when = NULL;
      g_autofree char *date = NULL;
      g_autofree char *text = NULL;
      g_autofree char *room = NULL;

      if (json)
        {
          g_autoptr(JsonBuilder) builder = json_builder_new ();

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "room");
          json_builder_add_string_value (builder, result->room);
          json_builder_set_member_name (builder, "seq");
          json_builder_add_int_value (builder, result->seq);
          json_builder_set_member_name (builder, "sender");
          json_builder_add_string_value (builder, result->sender);
          json_builder_set_member_name (builder, "ts");
          json_builder_add_int_value (builder, result->ts);
          json_builder_set_member_name (builder, "text");
          json_builder_add_string_value (builder, result->text);
          json_builder_end_object (builder);
          sotto_cli_print_json (builder);
          continue;
        }

      when = g_date_time_new_from_unix_local (result->ts / 1000);
      date = when != NULL ? g_date_time_format (when, "%Y-%m-%d %H:%M") : g_strdup ("?");
      text = sotto_cli_sanitize (result->text, "    ");
      room = with_room ? sotto_cli_sanitize (result->room, "") : NULL;
      if (room != NULL)
        g_print ("%s [%s] %s (%" G_GINT64_FORMAT "): %s\n", date, room, result->sender,
                 result->seq, text);
      else
        g_print ("%s %s (%" G_GINT64_FORMAT "): %s\n", date, result->sender, result->seq, text);
    }
}
