/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-client-private.h"

/*
 * The requests every other part sends: those of the logged-in user, whose
 * answer goes to a task, and those whose answer only matters when it is
 * an error.
 */

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
      (sotto_client_error_is_server (error, SOTTO_MSG_ERROR_CODE_NOT_MEMBER) ||
       sotto_client_error_is_server (error, SOTTO_MSG_ERROR_CODE_NO_SUCH_USER)))
    /* Whom it was for left meanwhile: nothing is lost. */
    g_info ("Could not %s: %s", what, error->message);
  else if (reply == NULL &&
           !g_error_matches (error, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_DISCONNECTED) &&
           !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("Could not %s: %s", what, error->message);
}

/* Sends the request @build makes from an id and @data; only a failure is
 * told, as a warning that says what could not be done. */
void
_sotto_client_send_logged (SottoClient             *self,
                           SottoClientBuildRequest  build,
                           gpointer                 data,
                           const char              *what)
{
  g_autofree char *id = sotto_connection_next_id (self->connection);
  g_autoptr(GBytes) message = build (id, data);

  sotto_connection_request_async (self->connection, id, message, self->cancellable,
                                  logged_request_done_cb, g_strdup (what));
}

/* Sends a request of the logged-in user made by @build from an id and
 * @data; @reply_cb gets the answer with @task, which it owns. */
void
_sotto_client_request_as_user (SottoClient             *self,
                               GTask                   *task,
                               SottoClientBuildRequest  build,
                               gpointer                 data,
                               GAsyncReadyCallback      reply_cb)
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
  request = build (id, data);
  sotto_connection_request_async (self->connection, id, request, g_task_get_cancellable (task),
                                  reply_cb, task);
}
