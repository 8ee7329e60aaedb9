/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-server-events.h"
#include "sotto-server-history.h"

/*
 * History between two devices of one account: a device hands another of
 * its account's devices chunks of what it holds, sealed between the two,
 * which the server queues for the recipient device until it acknowledges
 * them, and never opens. Only to another device of the sender's own
 * account, and at most HISTORY_MAX_BYTES waiting for one device.
 */

/* What one device may have waiting: a few hundred thousand messages. */
#define HISTORY_MAX_BYTES (256 * 1024 * 1024)

/* The most chunks sent to a connection at its login; the rest come at the
 * next, or as these are acknowledged. */
#define MAX_PENDING_HISTORY 2000

/* held.name is the user */
typedef struct
{
  SottoHeldRequest  held;
  gint64            device_id;
  GBytes           *sender_device;
  GBytes           *chunk;
} HistoryQueueing;

static void
history_queueing_free (HistoryQueueing *queueing)
{
  g_bytes_unref (queueing->sender_device);
  g_bytes_unref (queueing->chunk);
  _sotto_held_request_free (queueing);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HistoryQueueing, history_queueing_free)

static void
history_queued_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(HistoryQueueing) queueing = user_data;
  SottoServerState *self = queueing->held.server;
  SottoSession *session = queueing->held.session;
  SottoMsg *msg = queueing->held.msg;
  g_autoptr(GBytes) delivery = NULL;
  g_autoptr(GBytes) ok = NULL;
  g_autoptr(GError) error = NULL;
  SottoUser *user;
  gint64 hid;

  /* Cancelled only when the server stops: a chunk that is queued goes out
   * to its device even if the sender's connection ended meanwhile. */
  hid = sotto_store_queue_history_finish (SOTTO_STORE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (hid < 0)
    {
      _sotto_server_reply_store_error (self, session, msg, error);
      return;
    }
  if (hid == 0)
    {
      _sotto_server_reply_error (self, session, msg,
                                 SOTTO_MSG_ERROR_CODE_TOO_LARGE,
                                 _("That device has as much history waiting as the server "
                                   "keeps; it takes more once it has taken that"));
      return;
    }

  /* The store answers once the chunk is committed. */
  delivery = sotto_msg_build_history (hid, queueing->sender_device, queueing->chunk);
  user = _sotto_server_lookup_user (self, queueing->held.name);
  if (user != NULL)
    _sotto_server_send_to_device (self, user, queueing->device_id, delivery);
  ok = sotto_msg_build_ok (sotto_msg_get_id (msg));
  sotto_session_send (session, ok);
}

/**
 * _sotto_server_handle_send_history:
 *
 * Queues a chunk of history for another device of the sender's account;
 * it goes out at once if that device is online, and waits otherwise.
 * The client's next requests wait for the store to take it.
 */
void
_sotto_server_handle_send_history (SottoServerState *self,
                                   SottoSession     *session,
                                   SottoMsg         *msg)
{
  SottoUser *user = sotto_session_get_user (session);
  g_autoptr(GBytes) named = sotto_msg_dup_bytes (msg, "device");
  SottoStoreDevice *device = _sotto_user_find_device (user, g_bytes_get_data (named, NULL));
  SottoStoreDevice *sender = _sotto_user_get_device (user, sotto_session_get_device (session));
  HistoryQueueing *queueing;

  if (device == NULL || sender == NULL || device == sender)
    {
      _sotto_server_reply_error (self, session, msg, SOTTO_MSG_ERROR_CODE_NO_SUCH_DEVICE,
                                 _("History goes only to another device of your account"));
      return;
    }

  queueing = _sotto_held_request_new (self, session, msg, user->name, sizeof (HistoryQueueing));
  queueing->device_id = device->id;
  queueing->sender_device = g_bytes_new (sender->identity.sign, sizeof sender->identity.sign);
  queueing->chunk = sotto_msg_dup_bytes (msg, "chunk");
  sotto_store_queue_history_async (self->store, device->id, queueing->sender_device,
                                   queueing->chunk, _sotto_server_now_ms (), HISTORY_MAX_BYTES,
                                   self->cancellable, history_queued_cb, queueing);
}

void
_sotto_server_handle_ack_history (SottoServerState *self,
                                  SottoSession     *session,
                                  SottoMsg         *msg)
{
  JsonArray *array = sotto_msg_get_array (msg, "hids");
  guint n = json_array_get_length (array);
  g_autofree gint64 *hids = g_new (gint64, n);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < n; i++)
    hids[i] = json_array_get_int_element (array, i);

  /* Only the device's own chunks can be acknowledged away. */
  sotto_store_ack_history (self->store, sotto_session_get_device (session), hids, n, &error);
  if (error != NULL)
    {
      _sotto_server_reply_store_error (self, session, msg, error);
      return;
    }

  _sotto_server_reply_after_commit (self, session, msg, NULL);
}

/* Sends what history waits for the session's device, at login. */
static void
pending_history_read_cb (GObject      *object,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(SottoHeldRequest) read = user_data;
  g_autoptr(GPtrArray) pending = NULL;
  g_autoptr(GError) error = NULL;

  pending = sotto_store_pending_history_finish (SOTTO_STORE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (pending == NULL)
    {
      g_warning ("Could not read the history waiting for %s: %s", read->name, error->message);
      return;
    }

  for (guint i = 0; i < pending->len; i++)
    {
      SottoStoreHistory *history = g_ptr_array_index (pending, i);
      g_autoptr(GBytes) message = sotto_msg_build_history (history->hid,
                                                           history->sender_device,
                                                           history->chunk);

      sotto_session_send (read->session, message);
    }
}

void
_sotto_server_deliver_pending_history (SottoServerState *self,
                                       SottoSession     *session)
{
  SottoUser *user = sotto_session_get_user (session);
  SottoHeldRequest *read = _sotto_held_request_new (self, session, NULL, user->name,
                                                     sizeof (SottoHeldRequest));

  sotto_store_pending_history_async (self->store, sotto_session_get_device (session),
                                     MAX_PENDING_HISTORY, sotto_session_get_cancellable (session),
                                     pending_history_read_cb, read);
}
