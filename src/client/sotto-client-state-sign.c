/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sotto-client-private.h"

/*
 * Our own events on a room's signed state, other than the creation and
 * join that sotto-client-state.c signs as it fetches: leaving, bans and
 * their end, invitations, roles and the invite-only flag, each signed at
 * the end of the chain as held here and signed again on top of whatever
 * came first.
 */

typedef struct
{
  char               *room;
  SottoRoomEventType  type;
  char               *subject;
  gint64              value;
  guint               attempts;
} SignData;

static void
sign_data_free (SignData *data)
{
  g_free (data->room);
  g_free (data->subject);
  g_free (data);
}

static void sign_try (GTask *task);

static void
sign_synced_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  _sotto_client_sync_state_finish (SOTTO_CLIENT (object), result, NULL);
  sign_try (user_data);
}

static void
signed_sent_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SottoClient *self = g_task_get_source_object (task);
  SignData *data = g_task_get_task_data (task);
  SottoRoom *room = sotto_client_lookup_room (self, data->room);
  g_autoptr(SottoMsg) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = sotto_connection_request_finish (SOTTO_CONNECTION (object), result, &error);
  if (reply == NULL && sotto_client_error_is_server (error, SOTTO_MSG_ERROR_CODE_CONFLICT) &&
      ++data->attempts < SOTTO_CLIENT_STATE_ATTEMPTS && room != NULL)
    {
      /* Another event came first: fetch it, then sign again on top. */
      _sotto_client_sync_state_async (self, room, -1, sign_synced_cb, g_steal_pointer (&task));
      return;
    }

  if (reply == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

/* Signs the task's event at the end of its room's chain, as it is now. */
static void
sign_try (GTask *task)
{
  SottoClient *self = g_task_get_source_object (task);
  SignData *data = g_task_get_task_data (task);
  SottoRoom *room = self->store != NULL ? sotto_client_lookup_room (self, data->room) : NULL;
  gboolean broken = FALSE;
  SottoRoomState *state = room != NULL ? _sotto_client_room_state (self, room, &broken) : NULL;
  g_auto(SottoRoomEvent) event = { 0 };
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autoptr(GBytes) request = NULL;

  if (state == NULL || broken || sotto_room_state_get_length (state) == 0)
    {
      /* Nothing to sign into: the server's own records do the rest. */
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }

  sotto_room_state_prepare (state, &event, data->type, self->user, data->subject,
                            data->value);
  sealed = sotto_room_event_seal (&event, self->account_identity, &error);
  if (sealed == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }

  id = sotto_connection_next_id (self->connection);
  request = sotto_msg_build_state (id, data->room, (gint64) event.index, sealed);
  sotto_connection_request_async (self->connection, id, request, self->cancellable,
                                  signed_sent_cb, task);
}

/**
 * _sotto_client_sign_state_async:
 * @type: what the event does: leaving, banning, unbanning, inviting, a
 *   role or the invite-only flag
 * @subject: (nullable): whom it is about
 *
 * Signs an event of ours onto @room's chain. A room without a chain here
 * (its history could not be read) finishes at once with nothing signed.
 */
void
_sotto_client_sign_state_async (SottoClient         *self,
                                const char          *room,
                                SottoRoomEventType   type,
                                const char          *subject,
                                gint64               value,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task = g_task_new (self, self->cancellable, callback, user_data);
  SignData *data = g_new0 (SignData, 1);

  g_task_set_source_tag (task, _sotto_client_sign_state_async);
  data->room = g_strdup (room);
  data->type = type;
  data->subject = g_strdup (subject);
  data->value = value;
  g_task_set_task_data (task, data, (GDestroyNotify) sign_data_free);
  sign_try (task);
}

gboolean
_sotto_client_sign_state_finish (SottoClient   *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
