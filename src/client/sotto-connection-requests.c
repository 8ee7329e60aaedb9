/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-connection-private.h"

/*
 * The requests of a connection that wait for their answers, by id. The
 * table owns each one until its answer, its timeout or the end of the
 * connection takes it out, and its task returns exactly once.
 */

struct _SottoRequestTable
{
  /* id → Request */
  GHashTable *by_id;
};

typedef struct
{
  SottoRequestTable *table;
  char              *id;
  GTask             *task;
  guint              timeout_id;
} Request;

static void
request_free (Request *request)
{
  g_clear_handle_id (&request->timeout_id, g_source_remove);
  g_free (request->id);
  g_clear_object (&request->task);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Request, request_free)

static GHashTable *
new_index (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) request_free);
}

SottoRequestTable *
_sotto_request_table_new (void)
{
  SottoRequestTable *self = g_new0 (SottoRequestTable, 1);

  self->by_id = new_index ();
  return self;
}

void
_sotto_request_table_free (SottoRequestTable *self)
{
  g_hash_table_unref (self->by_id);
  g_free (self);
}

gboolean
_sotto_request_table_contains (SottoRequestTable *self,
                               const char        *id)
{
  return g_hash_table_contains (self->by_id, id);
}

static gboolean
request_timeout_cb (gpointer user_data)
{
  Request *request = user_data;
  g_autoptr(Request) owned = NULL;

  request->timeout_id = 0;
  g_hash_table_steal_extended (request->table->by_id, request->id, NULL, (gpointer *) &owned);
  g_task_return_new_error (owned->task, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_TIMED_OUT,
                           _("The server did not answer in time"));

  return G_SOURCE_REMOVE;
}

/* Waits for the answer to request @id, for @timeout seconds at most;
 * @task is taken over. */
void
_sotto_request_table_add (SottoRequestTable *self,
                          const char        *id,
                          GTask             *task,
                          guint              timeout)
{
  Request *request = g_new0 (Request, 1);

  request->table = self;
  request->id = g_strdup (id);
  request->task = task;
  request->timeout_id = g_timeout_add_seconds (timeout, request_timeout_cb, request);
  g_hash_table_insert (self->by_id, request->id, request);
}

/* A sentence in the user's language for what the server refused. Where
 * the server's own words carry facts (how long to wait, what the rule
 * is), they are kept. */
static GError *
error_from_reply (SottoMsg *reply)
{
  SottoMsgErrorCode code = sotto_msg_get_error_code (reply);
  const char *server_text = sotto_msg_get_string (reply, "message");
  const char *text;

  switch (code)
    {
    case SOTTO_MSG_ERROR_CODE_BAD_REQUEST:
      text = _("The server did not understand the request");
      break;
    case SOTTO_MSG_ERROR_CODE_UNKNOWN_TYPE:
      text = _("The server does not support this request");
      break;
    case SOTTO_MSG_ERROR_CODE_NOT_LOGGED_IN:
      text = _("Log in first");
      break;
    case SOTTO_MSG_ERROR_CODE_ALREADY_LOGGED_IN:
      text = _("Already logged in");
      break;
    case SOTTO_MSG_ERROR_CODE_NAME_TAKEN:
      text = _("That name is taken");
      break;
    case SOTTO_MSG_ERROR_CODE_BAD_USERNAME:
      text = _("A name is 1 to 32 characters: letters a–z, digits, dot, dash or underscore");
      break;
    case SOTTO_MSG_ERROR_CODE_WEAK_PASSWORD:
    case SOTTO_MSG_ERROR_CODE_RATE_LIMITED:
      text = server_text;
      break;
    case SOTTO_MSG_ERROR_CODE_BAD_CREDENTIALS:
      text = _("Wrong username or password");
      break;
    case SOTTO_MSG_ERROR_CODE_NO_SUCH_ROOM:
      text = _("There is no such room");
      break;
    case SOTTO_MSG_ERROR_CODE_NO_SUCH_USER:
      text = _("There is no user with that name");
      break;
    case SOTTO_MSG_ERROR_CODE_NOT_MEMBER:
      text = _("You are not a member of this room");
      break;
    case SOTTO_MSG_ERROR_CODE_FORBIDDEN:
      text = _("You are not allowed to do that");
      break;
    case SOTTO_MSG_ERROR_CODE_TOO_LARGE:
      text = _("That is too large for the server");
      break;
    case SOTTO_MSG_ERROR_CODE_OVERLOADED:
      text = _("The server is busy; try again later");
      break;
    case SOTTO_MSG_ERROR_CODE_BANNED:
      text = _("You were removed from this room and cannot join it again unless its owner "
               "lets you back");
      break;
    case SOTTO_MSG_ERROR_CODE_CONFLICT:
      text = _("Someone else changed the room first; try again once it is up to date");
      break;
    case SOTTO_MSG_ERROR_CODE_NO_PREKEYS:
      text = _("That user has not published the keys needed to reach them yet");
      break;
    case SOTTO_MSG_ERROR_CODE_ACCOUNT_KEY_CHANGED:
      text = _("The server holds another account key for this account");
      break;
    case SOTTO_MSG_ERROR_CODE_STALE:
      text = _("The server already holds a newer list of this account’s devices");
      break;
    case SOTTO_MSG_ERROR_CODE_NO_DEVICES:
      text = _("That user has not published a list of their devices yet");
      break;
    case SOTTO_MSG_ERROR_CODE_LINK_TAKEN:
      text = _("Another computer is already waiting with this link code; make a new one");
      break;
    case SOTTO_MSG_ERROR_CODE_NO_SUCH_LINK:
      text = _("No new computer is waiting with that link code: check the code, or start "
               "again on the new computer");
      break;
    case SOTTO_MSG_ERROR_CODE_NOT_LINKED:
      text = _("This computer is not linked to the account yet");
      break;
    case SOTTO_MSG_ERROR_CODE_NO_SUCH_DEVICE:
      text = _("That user has no such device");
      break;
    case SOTTO_MSG_ERROR_CODE_INTERNAL:
    default:
      text = _("The server could not complete the request");
      break;
    }

  return g_error_new_literal (SOTTO_CLIENT_ERROR, sotto_client_error_from_server (code), text);
}

/* Completes the request @reply answers, if any: with @reply, or with the
 * error it tells.
 *
 * Returns: whether @reply was the answer to a request */
gboolean
_sotto_request_table_answer (SottoRequestTable *self,
                             SottoMsg          *reply)
{
  const char *id = sotto_msg_get_id (reply);
  Request *request;
  g_autoptr(Request) owned = NULL;

  if (id == NULL || !g_hash_table_steal_extended (self->by_id, id, NULL, (gpointer *) &request))
    return FALSE;

  owned = request;
  if (sotto_msg_get_msg_type (reply) == SOTTO_MSG_TYPE_ERROR)
    g_task_return_error (owned->task, error_from_reply (reply));
  else
    g_task_return_pointer (owned->task, sotto_msg_ref (reply), (GDestroyNotify) sotto_msg_unref);

  return TRUE;
}

/* Ends every request with @error. Requests made meanwhile, from the
 * callbacks, go into a fresh table and wait on. */
void
_sotto_request_table_fail_all (SottoRequestTable *self,
                               const GError      *error)
{
  g_autoptr(GHashTable) requests = g_steal_pointer (&self->by_id);
  GHashTableIter iter;
  Request *request;

  self->by_id = new_index ();
  g_hash_table_iter_init (&iter, requests);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &request))
    g_task_return_error (request->task, g_error_copy (error));
}
