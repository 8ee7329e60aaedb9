/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sodium.h>
#include <string.h>

#include "sotto-test-users.h"
#include "sotto-test-util.h"

/* Long enough for a loaded machine under sanitizers and for the client's
 * reconnection delays; a test that waits longer is stuck. */
#define USER_WAIT_SECONDS 60

typedef gboolean (*Predicate) (gconstpointer a,
                               gconstpointer b);

static gboolean
wake_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* Runs the main loop until @done says so, or fails the test. */
static void
wait_until (Predicate      done,
            gconstpointer  a,
            gconstpointer  b,
            const char    *what)
{
  gint64 deadline = g_get_monotonic_time () + USER_WAIT_SECONDS * G_USEC_PER_SEC;
  guint wake = g_timeout_add (100, wake_cb, NULL);

  while (!done (a, b))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("Waited %d s for %s", USER_WAIT_SECONDS, what);
      g_main_context_iteration (NULL, TRUE);
    }

  g_source_remove (wake);
}

typedef struct
{
  gboolean  done;
  gboolean  ok;
  gpointer  object;
  GError   *error;
} Outcome;

static gboolean
outcome_done (gconstpointer a,
              gconstpointer b)
{
  return ((const Outcome *) a)->done;
}

static void
wait_outcome (Outcome    *outcome,
              const char *what)
{
  wait_until (outcome_done, outcome, NULL, what);
}

static void
connected_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Outcome *outcome = user_data;

  outcome->ok = sotto_client_connect_finish (SOTTO_CLIENT (object), result, &outcome->error);
  outcome->done = TRUE;
}

static void
trusted_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Outcome *outcome = user_data;

  outcome->ok = sotto_client_trust_server_finish (SOTTO_CLIENT (object), result,
                                                  &outcome->error);
  outcome->done = TRUE;
}

static void
account_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Outcome *outcome = user_data;

  outcome->ok = sotto_client_account_finish (SOTTO_CLIENT (object), result, &outcome->error);
  outcome->done = TRUE;
}

static void
joined_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Outcome *outcome = user_data;

  outcome->object = sotto_client_join_finish (SOTTO_CLIENT (object), result, &outcome->error);
  outcome->done = TRUE;
}

static void
left_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Outcome *outcome = user_data;

  outcome->ok = sotto_client_leave_finish (SOTTO_CLIENT (object), result, &outcome->error);
  outcome->done = TRUE;
}

/**
 * sotto_test_user_open:
 *
 * A client on @computer, connected, trusting the server as a person would
 * after checking its fingerprint.
 */
SottoClient *
sotto_test_user_open (const char *base_dir,
                      const char *address,
                      const char *computer)
{
  g_autofree char *dir = g_build_filename (base_dir, computer, NULL);
  SottoClient *client = sotto_client_new (dir, address);
  Outcome outcome = { FALSE };

  sotto_client_set_pwhash_limits (client, crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN);
  sotto_client_connect_async (client, NULL, connected_cb, &outcome);
  wait_outcome (&outcome, "the connection");
  if (g_error_matches (outcome.error, SOTTO_WIRE_ERROR, SOTTO_WIRE_ERROR_SERVER_KEY_UNKNOWN))
    {
      g_clear_error (&outcome.error);
      outcome.done = FALSE;
      sotto_client_trust_server_async (client, NULL, trusted_cb, &outcome);
      wait_outcome (&outcome, "trusting the server");
    }
  g_assert_no_error (outcome.error);

  return client;
}

void
sotto_test_user_account (SottoClient  *client,
                         gboolean      create,
                         const char   *user,
                         const char   *password,
                         GError      **error)
{
  Outcome outcome = { FALSE };

  if (create)
    sotto_client_register_async (client, user, password, NULL, account_cb, &outcome);
  else
    sotto_client_login_async (client, user, password, NULL, account_cb, &outcome);
  wait_outcome (&outcome, "the account");
  if (outcome.error != NULL)
    g_propagate_error (error, outcome.error);
}

/* Resets @user's account from @client's computer, which becomes its only
 * device. */
void
sotto_test_user_reset (SottoClient  *client,
                       const char   *user,
                       const char   *password,
                       GError      **error)
{
  Outcome outcome = { FALSE };

  sotto_client_reset_async (client, user, password, NULL, account_cb, &outcome);
  wait_outcome (&outcome, "the reset");
  if (outcome.error != NULL)
    g_propagate_error (error, outcome.error);
}

static void
recovered_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Outcome *outcome = user_data;

  outcome->ok = sotto_client_recover_finish (SOTTO_CLIENT (object), result, &outcome->error);
  outcome->done = TRUE;
}

/* Signs in to @user's account on @client's computer with its recovery
 * key @recovery_text, which restores the account key there. */
void
sotto_test_user_recover (SottoClient  *client,
                         const char   *user,
                         const char   *password,
                         const char   *recovery_text,
                         GError      **error)
{
  Outcome outcome = { FALSE };

  sotto_client_recover_async (client, user, password, recovery_text, NULL, recovered_cb,
                              &outcome);
  wait_outcome (&outcome, "the recovery");
  if (outcome.error != NULL)
    g_propagate_error (error, outcome.error);
}

/* A new account, on a computer of its own name, online. */
SottoClient *
sotto_test_user_new (const char *base_dir,
                     const char *address,
                     const char *user,
                     const char *password)
{
  SottoClient *client = sotto_test_user_open (base_dir, address, user);
  g_autoptr(GError) error = NULL;

  sotto_test_user_account (client, TRUE, user, password, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sotto_client_get_state (client), ==, SOTTO_CLIENT_ONLINE);

  return client;
}

static void
new_computer_code_cb (SottoClient *client,
                      const char  *code,
                      gpointer     user_data)
{
  SottoTestNewComputer *computer = user_data;

  g_free (computer->code);
  computer->code = g_strdup (code);
  computer->codes++;
}

static void
new_computer_linked_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  SottoTestNewComputer *computer = user_data;

  computer->ok = sotto_client_link_finish (SOTTO_CLIENT (object), result, &computer->error);
  computer->done = TRUE;
}

/**
 * sotto_test_new_computer_link:
 *
 * A client on @computer, connected, that starts linking itself to @user;
 * each link code it shows is kept.
 */
SottoTestNewComputer *
sotto_test_new_computer_link (const char   *base_dir,
                              const char   *address,
                              const char   *computer_name,
                              const char   *user,
                              const char   *password,
                              GCancellable *cancellable)
{
  SottoTestNewComputer *computer = g_new0 (SottoTestNewComputer, 1);

  computer->client = sotto_test_user_open (base_dir, address, computer_name);
  g_signal_connect (computer->client, "link-code", G_CALLBACK (new_computer_code_cb), computer);
  sotto_client_link_async (computer->client, user, password, cancellable,
                           new_computer_linked_cb, computer);

  return computer;
}

static gboolean
shows_code_or_done (gconstpointer a,
                    gconstpointer b)
{
  const SottoTestNewComputer *computer = a;

  return computer->code != NULL || computer->done;
}

/* Waits until @computer shows its code, or its link ended before. */
void
sotto_test_new_computer_wait_code (SottoTestNewComputer *computer)
{
  wait_until (shows_code_or_done, computer, NULL, "the link code");
}

static gboolean
link_done (gconstpointer a,
           gconstpointer b)
{
  return ((const SottoTestNewComputer *) a)->done;
}

/* Waits until the link of @computer ended, one way or another. */
void
sotto_test_new_computer_wait_done (SottoTestNewComputer *computer)
{
  wait_until (link_done, computer, NULL, "the link to end");
}

void
sotto_test_new_computer_free (SottoTestNewComputer *computer)
{
  if (computer->client != NULL)
    {
      g_signal_handlers_disconnect_by_data (computer->client, computer);
      sotto_client_close (computer->client);
      /* A link still waiting ends with the connection, and tells. */
      sotto_test_new_computer_wait_done (computer);
      g_clear_object (&computer->client);
    }
  g_clear_error (&computer->error);
  g_free (computer->code);
  g_free (computer);
}

static void
link_opened_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Outcome *outcome = user_data;

  outcome->object = sotto_client_open_link_finish (SOTTO_CLIENT (object), result,
                                                   &outcome->error);
  outcome->done = TRUE;
}

/**
 * sotto_test_user_open_link:
 *
 * Opens the link of the new computer that shows @code, or says why not.
 *
 * Returns: (transfer full) (nullable): the link, to approve
 */
SottoLinkPending *
sotto_test_user_open_link (SottoClient  *client,
                           const char   *code,
                           GError      **error)
{
  Outcome outcome = { FALSE };

  sotto_client_open_link_async (client, code, NULL, link_opened_cb, &outcome);
  wait_outcome (&outcome, "opening the link");
  g_assert_true ((outcome.object == NULL) != (outcome.error == NULL));
  if (outcome.error != NULL)
    g_propagate_error (error, outcome.error);

  return outcome.object;
}

static void
link_approved_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Outcome *outcome = user_data;

  outcome->ok = sotto_client_approve_link_finish (SOTTO_CLIENT (object), result,
                                                  &outcome->error);
  outcome->done = TRUE;
}

/* Approves @pending, or says why not. */
gboolean
sotto_test_user_approve_link (SottoClient       *client,
                              SottoLinkPending  *pending,
                              GError           **error)
{
  Outcome outcome = { FALSE };

  sotto_client_approve_link_async (client, pending, NULL, link_approved_cb, &outcome);
  wait_outcome (&outcome, "approving the link");
  g_assert_true (outcome.ok == (outcome.error == NULL));
  if (outcome.error != NULL)
    g_propagate_error (error, outcome.error);

  return outcome.ok;
}

/* Links the computer @computer_name to @user's account from @approver,
 * which is signed in as @user: returns the new computer, logged in. */
SottoClient *
sotto_test_user_link (const char  *base_dir,
                      const char  *address,
                      SottoClient *approver,
                      const char  *computer_name,
                      const char  *user,
                      const char  *password)
{
  g_autoptr(SottoTestNewComputer) computer = NULL;
  g_autoptr(SottoLinkPending) pending = NULL;
  g_autoptr(GError) error = NULL;

  computer = sotto_test_new_computer_link (base_dir, address, computer_name, user, password,
                                           NULL);
  sotto_test_new_computer_wait_code (computer);
  g_assert_no_error (computer->error);
  pending = sotto_test_user_open_link (approver, computer->code, &error);
  g_assert_no_error (error);
  g_assert_true (sotto_test_user_approve_link (approver, pending, &error));
  g_assert_no_error (error);
  sotto_test_new_computer_wait_done (computer);
  g_assert_no_error (computer->error);
  g_assert_cmpint (sotto_client_get_state (computer->client), ==, SOTTO_CLIENT_ONLINE);

  /* The computer goes on, without the link's waiting. */
  g_signal_handlers_disconnect_by_data (computer->client, computer);
  return g_steal_pointer (&computer->client);
}

SottoRoom *
sotto_test_user_join (SottoClient *client,
                      const char  *name)
{
  g_autoptr(GError) error = NULL;
  SottoRoom *room = sotto_test_user_try_join (client, name, &error);

  g_assert_no_error (error);
  return room;
}

/**
 * sotto_test_user_try_join:
 *
 * Joins @name, or says why not.
 *
 * Returns: (transfer none) (nullable): the room
 */
SottoRoom *
sotto_test_user_try_join (SottoClient  *client,
                          const char   *name,
                          GError      **error)
{
  Outcome outcome = { FALSE };

  sotto_client_join_async (client, name, NULL, joined_cb, &outcome);
  wait_outcome (&outcome, "joining");
  if (outcome.error != NULL)
    {
      g_propagate_error (error, outcome.error);
      return NULL;
    }
  g_object_unref (outcome.object);

  return sotto_client_lookup_room (client, name);
}

static void
kicked_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Outcome *outcome = user_data;

  outcome->ok = sotto_client_kick_finish (SOTTO_CLIENT (object), result, &outcome->error);
  outcome->done = TRUE;
}

/**
 * sotto_test_user_kick:
 *
 * Removes @user from @room, which @client created.
 */
void
sotto_test_user_kick (SottoClient *client,
                      const char  *room,
                      const char  *user)
{
  Outcome outcome = { FALSE };

  sotto_client_kick_async (client, room, user, NULL, kicked_cb, &outcome);
  wait_outcome (&outcome, "removing a member");
  g_assert_no_error (outcome.error);
  g_assert_true (outcome.ok);
}

gboolean
sotto_test_user_leave (SottoClient  *client,
                       const char   *room,
                       GError      **error)
{
  Outcome outcome = { FALSE };

  sotto_client_leave_async (client, room, NULL, left_cb, &outcome);
  wait_outcome (&outcome, "leaving");
  if (outcome.error != NULL)
    g_propagate_error (error, outcome.error);

  return outcome.ok;
}

SottoMessage *
sotto_test_user_say (SottoClient *client,
                     SottoRoom   *room,
                     const char  *text)
{
  g_autoptr(GError) error = NULL;
  SottoMessage *message = sotto_client_send_message (client, room, text, &error);

  g_assert_no_error (error);
  g_assert_nonnull (message);
  g_assert_cmpstr (sotto_message_get_text (message), ==, text);
  return message;
}

static gboolean
is_not_sending (gconstpointer a,
                gconstpointer b)
{
  return sotto_message_get_state ((SottoMessage *) a) != SOTTO_MESSAGE_SENDING;
}

void
sotto_test_user_wait_sent (SottoMessage *message)
{
  wait_until (is_not_sending, message, NULL, sotto_message_get_text (message));
  g_assert_cmpint (sotto_message_get_state (message), ==, SOTTO_MESSAGE_SENT);
  g_assert_cmpint (sotto_message_get_seq (message), >, 0);
}

static SottoMessage *
find_text (SottoRoom  *room,
           const char *sender,
           const char *text)
{
  GListModel *messages = sotto_room_get_messages (room);
  guint n = g_list_model_get_n_items (messages);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SottoMessage) message = g_list_model_get_item (messages, i);

      if (g_strcmp0 (sotto_message_get_sender (message), sender) == 0 &&
          g_strcmp0 (sotto_message_get_text (message), text) == 0)
        return message;
    }

  return NULL;
}

typedef struct
{
  const char *sender;
  const char *text;
} Wanted;

static gboolean
has_text (gconstpointer a,
          gconstpointer b)
{
  const Wanted *wanted = b;

  return find_text ((SottoRoom *) a, wanted->sender, wanted->text) != NULL;
}

/* Waits until @room holds a message from @sender reading @text. */
SottoMessage *
sotto_test_user_wait_for_text (SottoRoom  *room,
                               const char *sender,
                               const char *text)
{
  Wanted wanted = { sender, text };
  g_autofree char *what = g_strdup_printf ("“%s” from %s in %s", text, sender,
                                           sotto_room_get_name (room));

  wait_until (has_text, room, &wanted, what);
  return find_text (room, sender, text);
}

static gboolean
has_members (gconstpointer a,
             gconstpointer b)
{
  return g_list_model_get_n_items (sotto_room_get_members ((SottoRoom *) a)) ==
         GPOINTER_TO_UINT (b);
}

void
sotto_test_user_wait_members (SottoRoom *room,
                              guint      n_members)
{
  wait_until (has_members, room, GUINT_TO_POINTER (n_members), "the members");
}

static gboolean
in_state (gconstpointer a,
          gconstpointer b)
{
  return sotto_client_get_state ((SottoClient *) a) == (SottoClientState) GPOINTER_TO_INT (b);
}

void
sotto_test_user_wait_state (SottoClient      *client,
                            SottoClientState  state)
{
  wait_until (in_state, client, GINT_TO_POINTER (state), "a state of the client");
}

/* How many messages from @sender reading @text @room holds. */
guint
sotto_test_room_count_text (SottoRoom  *room,
                            const char *sender,
                            const char *text)
{
  GListModel *messages = sotto_room_get_messages (room);
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (messages); i++)
    {
      g_autoptr(SottoMessage) message = g_list_model_get_item (messages, i);

      if (g_strcmp0 (sotto_message_get_sender (message), sender) == 0 &&
          g_strcmp0 (sotto_message_get_text (message), text) == 0)
        n++;
    }

  return n;
}

/**
 * sotto_test_room_find_text:
 *
 * Returns: (transfer none) (nullable): the first message from @sender
 *   reading @text that @room holds now, without waiting
 */
SottoMessage *
sotto_test_room_find_text (SottoRoom  *room,
                           const char *sender,
                           const char *text)
{
  return find_text (room, sender, text);
}

/* How many of @room's messages carry a warning about their arrival:
 * marked late or backdated, or told to follow messages that never came.
 * An honest server never causes one. */
guint
sotto_test_room_count_warnings (SottoRoom *room)
{
  GListModel *messages = sotto_room_get_messages (room);
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (messages); i++)
    {
      g_autoptr(SottoMessage) message = g_list_model_get_item (messages, i);

      if (sotto_message_get_marks (message) != SOTTO_MESSAGE_MARK_NONE ||
          sotto_message_get_missing_before (message) > 0)
        n++;
    }

  return n;
}

/* Where the client core keeps @user's store on @computer. */
char *
sotto_test_user_store_path (const char *base_dir,
                            const char *address,
                            const char *computer,
                            const char *user)
{
  g_autofree char *server_dir = g_uri_escape_string (address, NULL, FALSE);

  return g_build_filename (base_dir, computer, server_dir, user, "client.db", NULL);
}

static void
unlocked_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Outcome *outcome = user_data;

  outcome->ok = sotto_client_store_unlock_finish (SOTTO_CLIENT_STORE (object), result,
                                                  &outcome->error);
  outcome->done = TRUE;
}

/* The store at @path, unlocked, as a thief with the password would have it. */
SottoClientStore *
sotto_test_user_open_store (const char *path,
                            const char *password)
{
  g_autoptr(GError) error = NULL;
  SottoClientStore *store = sotto_client_store_open (path, &error);
  Outcome outcome = { FALSE };

  g_assert_no_error (error);
  sotto_client_store_unlock_async (store, password, crypto_pwhash_OPSLIMIT_MIN,
                                   crypto_pwhash_MEMLIMIT_MIN, NULL, unlocked_cb, &outcome);
  wait_outcome (&outcome, "unlocking the store");
  g_assert_no_error (outcome.error);

  return store;
}
