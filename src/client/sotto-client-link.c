/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-client-private.h"
#include "sotto-link-pending-private.h"

/*
 * Linking a second computer to an account, both halves.
 *
 * The new computer opens (or makes) its store with the password as a
 * login does, then, before logging in, offers its identity under a new
 * link code and waits on its connection. The user types the code on a
 * computer already signed in, which opens the offer with it, adds the
 * new computer to the account's device list, publishes that list, and
 * sends back the account key and the list in an approval only the new
 * computer opens. The new computer keeps both and logs in: the server
 * knows it as one of the account's devices by then.
 *
 * The code is the one thing that never crosses the server; the e2e
 * library (sotto-link.h) does the sealing and the checks.
 */

/* A link this computer waits on, from its offer to the approval. */
struct _SottoClientLinking
{
  /* The account task (sotto-client-account.c), owned while waiting */
  GTask            *task;
  char             *username;
  SottoLinkCode    *code;
  char             *code_text;
  SottoLinkRequest *request;
  /* Cancelled when the link ends: its offer's answer is not waited for */
  GCancellable     *cancellable;
  GCancellable     *caller_cancellable;
  gulong            cancelled_id;
  guint             cancelled_idle_id;
  gulong            event_id;
  gulong            closed_id;
};

static void
linking_free (SottoClientLinking *linking)
{
  g_assert (linking->task == NULL);

  g_cancellable_cancel (linking->cancellable);
  g_clear_object (&linking->cancellable);
  if (linking->caller_cancellable != NULL)
    g_cancellable_disconnect (linking->caller_cancellable, linking->cancelled_id);
  g_clear_object (&linking->caller_cancellable);
  g_clear_handle_id (&linking->cancelled_idle_id, g_source_remove);
  g_free (linking->username);
  g_clear_object (&linking->code);
  g_free (linking->code_text);
  g_clear_object (&linking->request);
  g_free (linking);
}

/* Ends the link this computer waits on, and hands back its account task. */
static GTask *
linking_end (SottoClient *self)
{
  SottoClientLinking *linking = g_steal_pointer (&self->linking);
  GTask *task = g_steal_pointer (&linking->task);

  g_clear_signal_handler (&linking->event_id, self->connection);
  g_clear_signal_handler (&linking->closed_id, self->connection);
  linking_free (linking);

  return task;
}

/* Fails the link with @error (taken over): nothing of it stays behind. */
static void
linking_fail (SottoClient *self,
              GError      *error)
{
  _sotto_client_account_fail (linking_end (self), error);
}

static void
linking_fail_literal (SottoClient *self,
                      int          code,
                      const char  *message)
{
  linking_fail (self, g_error_new_literal (SOTTO_CLIENT_ERROR, code, message));
}

/* The approval came: it opens for us alone, with the account key and a
 * list that holds us, which the approving computer published already.
 * Both are kept, then we log in as one of the account's devices. */
static void
approved (SottoClient *self,
          SottoMsg    *msg)
{
  SottoClientLinking *linking = self->linking;
  g_autofree char *user = g_ascii_strdown (sotto_msg_get_string (msg, "user"), -1);
  g_autoptr(GBytes) approval = sotto_msg_dup_bytes (msg, "approval");
  g_autoptr(SottoAccountKey) key = NULL;
  g_autoptr(SottoDeviceList) list = NULL;
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(GError) error = NULL;

  if (!g_str_equal (user, linking->username))
    {
      g_autofree char *text = NULL;

      text = g_strdup_printf (_("The account %s approved this link, not %s: nothing was "
                                "changed. Start again"), user, linking->username);
      linking_fail_literal (self, SOTTO_CLIENT_ERROR_FAILED, text);
      return;
    }

  if (!sotto_link_approval_open (linking->request, approval, linking->username, &key, &list,
                                 &error))
    {
      g_info ("Could not open the approval: %s", error->message);
      linking_fail_literal (self, SOTTO_CLIENT_ERROR_FAILED,
                            _("The approval that came was not made for this computer with "
                              "this link code, or was changed on the way: start again"));
      return;
    }

  sealed = sotto_device_list_seal (list, key, &error);
  if (sealed == NULL ||
      !sotto_client_store_add_account_key (self->store, key, &error) ||
      !sotto_client_store_set_device_list (self->store, sealed, TRUE, &error))
    {
      linking_fail (self, g_steal_pointer (&error));
      return;
    }

  g_info ("Linked to the account %s", linking->username);
  _sotto_client_account_log_in (linking_end (self));
}

static void
link_event_cb (SottoConnection *connection,
               SottoMsg        *msg,
               gpointer         user_data)
{
  SottoClient *self = user_data;
  SottoMsgType type = sotto_msg_get_msg_type (msg);

  if (type != SOTTO_MSG_TYPE_LINK_APPROVED && type != SOTTO_MSG_TYPE_LINK_EXPIRED)
    return;
  if (self->linking == NULL || self->linking->code_text == NULL ||
      g_strcmp0 (sotto_msg_get_string (msg, "link"),
                 sotto_link_code_get_id (self->linking->code)) != 0)
    return;

  if (type == SOTTO_MSG_TYPE_LINK_EXPIRED)
    {
      linking_fail_literal (self, SOTTO_CLIENT_ERROR_TIMED_OUT,
                            _("The link code expired before another computer approved it: "
                              "start again"));
      return;
    }

  approved (self, msg);
}

static void
link_closed_cb (SottoConnection *connection,
                const GError    *error,
                gpointer         user_data)
{
  SottoClient *self = user_data;
  g_autofree char *text = NULL;

  if (self->linking == NULL)
    return;

  text = g_strdup_printf (_("The connection to %s ended before the link was approved: start "
                            "again"), self->server);
  linking_fail_literal (self, SOTTO_CLIENT_ERROR_DISCONNECTED, text);
}

static gboolean
link_cancelled_idle_cb (gpointer user_data)
{
  SottoClient *self = user_data;

  self->linking->cancelled_idle_id = 0;
  linking_fail (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                           _("Linking was cancelled")));
  return G_SOURCE_REMOVE;
}

/* Runs where the caller cancels, maybe inside g_cancellable_cancel():
 * the link ends from an idle, where its handler can be disconnected. */
static void
link_cancelled_cb (GCancellable *cancellable,
                   gpointer      user_data)
{
  SottoClient *self = user_data;

  if (self->linking != NULL && self->linking->cancelled_idle_id == 0)
    self->linking->cancelled_idle_id = g_idle_add (link_cancelled_idle_cb, self);
}

static void
offered_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(SottoClient) self = user_data;
  g_autoptr(SottoMsg) reply = NULL;
  GError *error = NULL;

  reply = sotto_connection_request_finish (SOTTO_CONNECTION (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* The link ended meanwhile. */
      g_error_free (error);
      return;
    }
  if (reply == NULL)
    {
      linking_fail (self, error);
      return;
    }

  self->linking->code_text = sotto_link_code_to_string (self->linking->code);
  _sotto_client_emit_link_code (self, self->linking->code_text);
}

/* Once the store is unlocked: our offer, under a new code. */
static void
offer_link (SottoClient *self,
            GTask       *task,
            const char  *username)
{
  g_autoptr(SottoAccountKey) key = NULL;
  g_autofree char *name = NULL;
  g_autofree char *id = NULL;
  g_autoptr(GBytes) offer = NULL;
  g_autoptr(GBytes) request = NULL;
  GError *error = NULL;
  SottoClientLinking *linking;

  key = sotto_client_store_get_account_key (self->store, &error);
  if (key != NULL)
    error = g_error_new (SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_FAILED,
                         _("This computer already has the account %s on %s: log in instead"),
                         username, self->server);
  if (error != NULL)
    {
      _sotto_client_account_fail (task, error);
      return;
    }

  linking = g_new0 (SottoClientLinking, 1);
  linking->task = task;
  linking->username = g_strdup (username);
  linking->code = sotto_link_code_new ();
  linking->cancellable = g_cancellable_new ();
  self->linking = linking;

  name = _sotto_client_device_name ();
  linking->request = sotto_link_request_new (linking->code,
                                             sotto_identity_get_public (self->identity), name,
                                             &error);
  if (linking->request != NULL)
    offer = sotto_link_offer_seal (linking->request, &error);
  if (offer == NULL)
    {
      linking_fail (self, error);
      return;
    }

  linking->event_id = g_signal_connect (self->connection, "event",
                                        G_CALLBACK (link_event_cb), self);
  linking->closed_id = g_signal_connect (self->connection, "closed",
                                         G_CALLBACK (link_closed_cb), self);
  if (g_task_get_cancellable (task) != NULL)
    {
      linking->caller_cancellable = g_object_ref (g_task_get_cancellable (task));
      linking->cancelled_id = g_cancellable_connect (linking->caller_cancellable,
                                                     G_CALLBACK (link_cancelled_cb), self, NULL);
    }

  id = sotto_connection_next_id (self->connection);
  request = sotto_msg_build_link_offer (id, sotto_link_code_get_id (linking->code), offer);
  sotto_connection_request_async (self->connection, id, request, linking->cancellable,
                                  offered_cb, g_object_ref (self));
}

/**
 * sotto_client_link_async:
 *
 * Links this computer to the account @username, which another computer
 * of it approves, then logs in. The client is to be connected to a
 * server it trusts, and this computer not to hold the account yet.
 *
 * The store is opened (or made) with @password as a login does, then
 * this computer offers its identity under a new link code:
 * #SottoClient::link-code tells the code once the server holds the
 * offer. The user types it on a computer that is signed in to the
 * account (sotto_client_open_link_async(), then
 * sotto_client_approve_link_async()). This call ends once this computer
 * is logged in with the account key the approval brought, or when the
 * link expires, the connection ends or @cancellable is cancelled; then
 * nothing of it is left on this computer.
 */
void
sotto_client_link_async (SottoClient         *self,
                         const char          *username,
                         const char          *password,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_return_if_fail (SOTTO_IS_CLIENT (self));
  g_return_if_fail (username != NULL);
  g_return_if_fail (password != NULL);

  _sotto_client_account_async (self, FALSE, FALSE, username, password, offer_link,
                               sotto_client_link_async, cancellable, callback, user_data);
}

gboolean
sotto_client_link_finish (SottoClient   *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == sotto_client_link_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * sotto_client_get_link_code:
 *
 * Returns: (nullable): the code this computer waits under, as
 *   #SottoClient::link-code told it, while the link waits
 */
const char *
sotto_client_get_link_code (SottoClient *self)
{
  g_return_val_if_fail (SOTTO_IS_CLIENT (self), NULL);

  return self->linking != NULL ? self->linking->code_text : NULL;
}
