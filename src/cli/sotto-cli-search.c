/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-cli-format.h"
#include "sotto-cli-print.h"
#include "sotto-cli-search.h"

/*
 * search ROOM WORDS… and search-all WORDS…: what this computer holds,
 * once logged in, printed newest first.
 */

/**
 * sotto_cli_search:
 * @options: a command line naming search or search-all
 *
 * Returns: the #SottoCliExit the run ends with
 */
int
sotto_cli_search (SottoClient     *client,
                  SottoCliRooms   *rooms,
                  SottoCliOptions *options)
{
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;
  SottoRoom *room = NULL;

  if (options->command == SOTTO_CLI_COMMAND_SEARCH)
    {
      room = sotto_cli_rooms_lookup (rooms, options->room_arg);
      if (room == NULL)
        {
          g_printerr (_("sotto-cli: you are not in %s\n"), options->room_arg);
          return SOTTO_CLI_EXIT_REFUSED;
        }
    }
  results = sotto_client_search (client, room, options->text_arg,
                                 options->count > 0 ? (guint) options->count : 50, &error);
  if (results == NULL)
    {
      g_printerr ("sotto-cli: %s\n", error->message);
      return SOTTO_CLI_EXIT_REFUSED;
    }
  sotto_cli_print_search (results, room == NULL, options->json);
  return SOTTO_CLI_EXIT_OK;
}
