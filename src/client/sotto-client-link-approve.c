/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-client-private.h"
#include "sotto-link-pending-private.h"

/*
 * Approving a new computer, on one signed in to the account: in two
 * steps, so that a screen shows what it approves. Opening the link
 * fetches the new computer's offer and opens it with the code the user
 * typed; approving it adds that computer to our device list, publishes
 * the list, and then sends the account key and the list in an approval
 * sealed for that computer alone. The list goes first, so that the
 * server knows the new computer as one of the account's devices by the
 * time it logs in.
 */

/* Opening */

static GBytes *
build_link_fetch (const char *id,
                  gpointer    data)
{
  return sotto_msg_build_link_fetch (id, sotto_link_code_get_id (data));
}

static void
fetched_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SottoLinkCode *code = g_task_get_task_data (task);
  g_auto(SottoLinkOffer) offer = { 0 };
  g_autoptr(SottoMsg) reply = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;

  reply = sotto_connection_request_finish (SOTTO_CONNECTION (object), result, &error);
  if (reply == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (g_strcmp0 (sotto_msg_get_string (reply, "link"), sotto_link_code_get_id (code)) != 0)
    {
      g_task_return_new_error (task, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_FAILED,
                               _("The server answered with another link"));
      return;
    }

  bytes = sotto_msg_dup_bytes (reply, "offer");
  if (!sotto_link_offer_open (code, bytes, &offer, &error))
    {
      g_info ("Could not open the link offer: %s", error->message);
      if (g_error_matches (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_DECRYPT_FAILED))
        g_task_return_new_error (task, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_FAILED,
                                 _("The link code does not match what the new computer sent: "
                                   "check the code, or start again on the new computer"));
      else
        g_task_return_new_error (task, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_FAILED,
                                 _("What the new computer sent is damaged: start again on "
                                   "the new computer"));
      return;
    }

  g_task_return_pointer (task, _sotto_link_pending_new (code, &offer), g_object_unref);
}

/**
 * sotto_client_open_link_async:
 * @code: the link code the new computer shows, as the user typed it
 *   (either case, with or without dashes and spaces)
 *
 * Fetches the offer of the new computer waiting under @code and opens it
 * with @code, for the user to see which computer it is before approving
 * it with sotto_client_approve_link_async(). Nothing is sent but the
 * fetch; nothing is changed.
 */
void
sotto_client_open_link_async (SottoClient         *self,
                              const char          *code,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(SottoLinkCode) link_code = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (SOTTO_IS_CLIENT (self));
  g_return_if_fail (code != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sotto_client_open_link_async);

  link_code = sotto_link_code_new_from_string (code, &error);
  if (link_code == NULL)
    {
      g_task_return_new_error (task, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_FAILED,
                               _("That is not a link code: type the 16 letters and digits "
                                 "the new computer shows"));
      return;
    }

  g_task_set_task_data (task, g_object_ref (link_code), g_object_unref);
  _sotto_client_request_as_user (self, g_steal_pointer (&task), build_link_fetch, link_code,
                                 fetched_cb);
}

/**
 * sotto_client_open_link_finish:
 *
 * Returns: (transfer full): the new computer's link, to show and approve
 */
SottoLinkPending *
sotto_client_open_link_finish (SottoClient   *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == sotto_client_open_link_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Approving */

typedef struct
{
  SottoLinkPending *pending;
  SottoAccountKey  *key;
  /* The list with the new computer, opened and as signed */
  SottoDeviceList  *list;
  GBytes           *sealed;
  GBytes           *approval;
  /* Why the approval reached nobody, told once the new computer is off
   * the list again */
  GError           *error;
} Approve;

static void
approve_free (gpointer data)
{
  Approve *approve = data;

  g_clear_object (&approve->pending);
  g_clear_object (&approve->key);
  g_clear_pointer (&approve->list, sotto_device_list_free);
  g_clear_pointer (&approve->sealed, g_bytes_unref);
  g_clear_pointer (&approve->approval, g_bytes_unref);
  g_clear_error (&approve->error);
  g_free (approve);
}

static GBytes *
build_publish (const char *id,
               gpointer    data)
{
  Approve *approve = data;
  g_autoptr(GBytes) account_key = NULL;
  g_autoptr(GArray) devices = _sotto_client_wire_devices (approve->list);

  account_key = g_bytes_new (sotto_account_key_get_public (approve->key),
                             SOTTO_ACCOUNT_KEY_PUBLIC_BYTES);
  return sotto_msg_build_publish_devices (id, account_key,
                                          (gint64) sotto_device_list_get_counter (approve->list),
                                          approve->sealed, (SottoWireIdentity *) devices->data,
                                          devices->len, NULL);
}

static GBytes *
build_link_approve (const char *id,
                    gpointer    data)
{
  Approve *approve = data;
  SottoLinkCode *code = _sotto_link_pending_get_code (approve->pending);

  return sotto_msg_build_link_approve (id, sotto_link_code_get_id (code), approve->approval);
}

/* Makes our next device list after @list, with the new computer added
 * (@add) or taken off, and seals it: it becomes @approve's list. */
static gboolean
next_list (Approve          *approve,
           SottoDeviceList  *list,
           gboolean          add,
           GError          **error)
{
  const SottoLinkOffer *offer = _sotto_link_pending_get_offer (approve->pending);
  gint64 now = g_get_real_time () / 1000;
  g_autoptr(SottoDeviceList) next = sotto_device_list_next (list, now);
  g_autoptr(GBytes) sealed = NULL;

  if (add && !sotto_device_list_add (next, &offer->identity, now, offer->name, error))
    return FALSE;
  if (!add)
    sotto_device_list_remove (next, offer->identity.sign_pk);
  sealed = sotto_device_list_seal (next, approve->key, error);
  if (sealed == NULL)
    return FALSE;

  g_clear_pointer (&approve->list, sotto_device_list_free);
  approve->list = g_steal_pointer (&next);
  g_clear_pointer (&approve->sealed, g_bytes_unref);
  approve->sealed = g_steal_pointer (&sealed);
  return TRUE;
}

static void
withdrawn_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SottoClient *self = g_task_get_source_object (task);
  Approve *approve = g_task_get_task_data (task);
  g_autoptr(SottoMsg) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = sotto_connection_request_finish (SOTTO_CONNECTION (object), result, &error);
  if (reply == NULL)
    g_warning ("Could not take the new computer off the device list again: %s",
               error->message);
  else if (self->store != NULL &&
           !sotto_client_store_set_device_list (self->store, approve->sealed, TRUE, &error))
    g_warning ("Could not keep the device list: %s", error->message);

  g_task_return_error (task, g_steal_pointer (&approve->error));
}

/* The new computer stopped waiting before the approval reached it: it
 * has no account key, so it comes off the list it is on. */
static void
withdraw (GTask *task)
{
  SottoClient *self = g_task_get_source_object (task);
  Approve *approve = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!next_list (approve, approve->list, FALSE, &error))
    {
      g_warning ("Could not take the new computer off the device list again: %s",
                 error->message);
      g_task_return_error (task, g_steal_pointer (&approve->error));
      g_object_unref (task);
      return;
    }

  _sotto_client_request_as_user (self, task, build_publish, approve, withdrawn_cb);
}

static void
link_approved_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  Approve *approve = g_task_get_task_data (task);
  g_autoptr(SottoMsg) reply = NULL;
  GError *error = NULL;

  reply = sotto_connection_request_finish (SOTTO_CONNECTION (object), result, &error);
  if (reply != NULL)
    {
      g_info ("Approved the link of “%s”", sotto_link_pending_get_name (approve->pending));
      _sotto_client_hand_keys_to_device (
        g_task_get_source_object (task),
        _sotto_link_pending_get_offer (approve->pending)->identity.sign_pk);
      _sotto_client_emit_devices_changed (g_task_get_source_object (task));
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }

  /* Only "no_such_link" says that the approval reached nobody; after
   * anything else it may have. */
  if (sotto_client_error_is_server (error, SOTTO_MSG_ERROR_CODE_NO_SUCH_LINK))
    {
      approve->error = g_error_new_literal (SOTTO_CLIENT_ERROR, error->code,
                                            _("The new computer stopped waiting before the "
                                              "approval reached it: start again on it"));
      g_error_free (error);
      withdraw (task);
      return;
    }

  g_task_return_error (task, error);
  g_object_unref (task);
}

static void
devices_published_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  GTask *task = user_data;
  SottoClient *self = g_task_get_source_object (task);
  Approve *approve = g_task_get_task_data (task);
  g_autoptr(SottoMsg) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = sotto_connection_request_finish (SOTTO_CONNECTION (object), result, &error);
  if (reply == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }

  /* The server holds it: so do we, or the next list would not follow. */
  if (self->store != NULL &&
      !sotto_client_store_set_device_list (self->store, approve->sealed, TRUE, &error))
    g_warning ("Could not keep the device list: %s", error->message);

  _sotto_client_request_as_user (self, task, build_link_approve, approve, link_approved_cb);
}

/* Our account key and device list, as kept, the list opened under the
 * key. */
static gboolean
load_account (SottoClient       *self,
              Approve           *approve,
              SottoDeviceList  **list,
              GError           **error)
{
  g_autoptr(GBytes) kept = NULL;

  approve->key = sotto_client_store_get_account_key (self->store, error);
  if (approve->key != NULL)
    kept = sotto_client_store_get_device_list (self->store, NULL, error);
  if (kept == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error_literal (error, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_FAILED,
                             _("This computer has no device list of the account yet: log "
                               "in again, then approve"));
      return FALSE;
    }

  *list = sotto_device_list_open (kept, self->user, sotto_account_key_get_public (approve->key),
                                  error);
  return *list != NULL;
}

/* Our next device list with the new computer on it, and the approval
 * that brings it and the account key to that computer. Nothing is sent
 * unless all of it can be made. */
static gboolean
prepare_approval (SottoClient  *self,
                  Approve      *approve,
                  GError      **error)
{
  const SottoLinkOffer *offer = _sotto_link_pending_get_offer (approve->pending);
  g_autoptr(SottoDeviceList) current = NULL;
  g_autoptr(GError) local_error = NULL;

  if (!load_account (self, approve, &current, error))
    return FALSE;

  if (sotto_device_list_lookup (current, &offer->identity) != NULL)
    {
      g_set_error_literal (error, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_FAILED,
                           _("That computer is one of the account’s devices already"));
      return FALSE;
    }

  if (!next_list (approve, current, TRUE, &local_error))
    {
      g_info ("Could not add the new computer to the device list: %s", local_error->message);
      if (g_error_matches (local_error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_TOO_LARGE))
        g_set_error (error, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_FAILED,
                     _("The account has %d devices already, the most it can have"),
                     SOTTO_DEVICE_LIST_MAX_DEVICES);
      else
        /* One of its keys is one of ours, under another device. */
        g_set_error_literal (error, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_FAILED,
                             _("That computer cannot be added to the account’s devices"));
      return FALSE;
    }

  approve->approval = sotto_link_approval_seal (_sotto_link_pending_get_code (approve->pending),
                                                offer, approve->key, approve->sealed, error);
  return approve->approval != NULL;
}

/**
 * sotto_client_approve_link_async:
 * @pending: a link from sotto_client_open_link_finish(), which the user
 *   approves
 *
 * Makes the computer of @pending one of the account's devices: our next
 * device list holds it under the name it gave, is published, and then
 * the account key and that list go to it, sealed for it alone. A link is
 * approved once: a second call with @pending fails. If the new computer
 * stopped waiting meanwhile, it is taken off the list again.
 */
void
sotto_client_approve_link_async (SottoClient         *self,
                                 SottoLinkPending    *pending,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;
  Approve *approve;

  g_return_if_fail (SOTTO_IS_CLIENT (self));
  g_return_if_fail (SOTTO_IS_LINK_PENDING (pending));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sotto_client_approve_link_async);

  if (self->state != SOTTO_CLIENT_ONLINE)
    {
      g_task_return_new_error (task, SOTTO_CLIENT_ERROR,
                               sotto_client_error_from_server (SOTTO_MSG_ERROR_CODE_NOT_LOGGED_IN),
                               _("Log in first"));
      return;
    }

  if (!_sotto_link_pending_take (pending))
    {
      g_task_return_new_error (task, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_FAILED,
                               _("This new computer was approved already: a link is approved "
                                 "once"));
      return;
    }

  approve = g_new0 (Approve, 1);
  approve->pending = g_object_ref (pending);
  g_task_set_task_data (task, approve, approve_free);

  if (!prepare_approval (self, approve, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  _sotto_client_request_as_user (self, g_steal_pointer (&task), build_publish, approve,
                                 devices_published_cb);
}

gboolean
sotto_client_approve_link_finish (SottoClient   *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        sotto_client_approve_link_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
