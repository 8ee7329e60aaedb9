/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sodium.h>
#include <string.h>

#include "sotto-client-private.h"

/*
 * The account: registering and logging in, and the same for a link,
 * which goes between the two halves. The password unlocks (or
 * makes) the local store, and a login secret derived from it in a thread
 * is what the server sees. Once in, a session starts: the rooms, their
 * history, members and what was missed, then each room's outbox.
 */

#define LOGIN_SECRET_BYTES 32

typedef struct
{
  SottoClient *client;
  char        *username;
  char        *password;  /* sodium_malloc'ed */
  gsize        password_len;
  gboolean     create;
  gboolean     reset;
  /* The login carries the account key's proof (a recovery) */
  gboolean     prove;
  guint64      opslimit;
  gsize        memlimit;
  char        *server;
  char        *login_secret;
  char        *store_path;
  gboolean     store_was_new;
  /* What comes between unlocking the store and logging in, if anything
   * (a link's offer and approval) */
  SottoClientAccountStep before_login;
} Account;

static void
account_free (gpointer data)
{
  Account *account = data;

  g_free (account->username);
  sodium_free (account->password);
  g_free (account->server);
  g_free (account->store_path);
  if (account->login_secret != NULL)
    sodium_memzero (account->login_secret, strlen (account->login_secret));
  g_free (account->login_secret);
  g_free (account);
}

/* The secret the server sees instead of the password: Argon2id of the
 * password, salted with the server and the name. A server that logs it
 * learns nothing it can unseal the local store with. */
static void
derive_login_secret_thread (GTask        *task,
                            gpointer      source_object,
                            gpointer      task_data,
                            GCancellable *cancellable)
{
  Account *account = task_data;
  guint8 salt[crypto_pwhash_SALTBYTES];
  guint8 secret[LOGIN_SECRET_BYTES];
  crypto_generichash_state state;
  static const char label[] = "sotto login secret v1";

  crypto_generichash_init (&state, NULL, 0, sizeof salt);
  crypto_generichash_update (&state, (const guint8 *) label, sizeof label);
  crypto_generichash_update (&state, (const guint8 *) account->server,
                             strlen (account->server) + 1);
  crypto_generichash_update (&state, (const guint8 *) account->username,
                             strlen (account->username) + 1);
  crypto_generichash_final (&state, salt, sizeof salt);

  if (crypto_pwhash (secret, sizeof secret, account->password, account->password_len, salt,
                     account->opslimit, account->memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                               _("Not enough memory to derive the login secret"));
      return;
    }

  account->login_secret = g_base64_encode (secret, sizeof secret);
  sodium_memzero (secret, sizeof secret);
  g_task_return_boolean (task, TRUE);
}

/* A store made for an account the server then refused holds nothing of
 * value, and would lock the name to that first password: remove it. */
static void
forget_new_store (SottoClient *self,
                  Account     *account)
{
  g_clear_object (&self->store);
  g_clear_object (&self->identity);
  g_clear_object (&self->account_key);
  g_clear_object (&self->account_identity);
  if (!account->store_was_new)
    return;

  for (guint i = 0; i < 3; i++)
    {
      static const char *const suffixes[] = { "", "-wal", "-shm" };
      g_autofree char *file = g_strconcat (account->store_path, suffixes[i], NULL);

      g_unlink (file);
    }
}

/* Rooms this computer knew that the server no longer lists: the user was
 * removed from them while away (leaving from here forgets a room at
 * once). Forgotten as after leaving, and told. */
static void
forget_rooms_gone (SottoClient *self,
                   GHashTable  *listed)
{
  g_autoptr(GPtrArray) known = NULL;
  g_autoptr(GError) error = NULL;

  known = sotto_client_store_list_rooms (self->store, &error);
  if (known == NULL)
    {
      g_warning ("Could not read the rooms this computer knew: %s", error->message);
      return;
    }

  for (guint i = 0; i < known->len; i++)
    {
      SottoStoredRoom *stored = g_ptr_array_index (known, i);
      SottoRoom *shown;
      g_autoptr(SottoRoom) gone = NULL;

      if (g_hash_table_contains (listed, stored->name))
        continue;

      shown = sotto_client_lookup_room (self, stored->name);
      gone = shown != NULL ? g_object_ref (shown)
                           : sotto_room_new (stored->name, stored->direct, self->user);
      if (shown != NULL)
        _sotto_client_drop_room (self, shown);
      if (!sotto_client_store_forget_room (self->store, stored->name, &error))
        {
          g_warning ("Could not forget the room %s: %s", stored->name, error->message);
          g_clear_error (&error);
        }
      g_info ("No longer in %s", stored->name);
      _sotto_client_emit_removed_from_room (self, gone);
    }
}

/* Logged in (again): the rooms, their history, members and what was
 * missed. What waited in a room's outbox goes once the room is caught
 * up, so that it is sealed for its members of now: someone who left while
 * we were away must not get the key it goes out under. */
void
_sotto_client_start_session (SottoClient *self,
                             SottoMsg    *session)
{
  g_autoptr(GHashTable) listed = g_hash_table_new (g_str_hash, g_str_equal);
  SottoWireRoomSummary summary;

  self->reconnect_attempt = 0;
  g_hash_table_remove_all (self->rooms_catching_up);
  g_hash_table_remove_all (self->members_as_of);
  _sotto_client_set_state (self, SOTTO_CLIENT_ONLINE);
  _sotto_client_publish_prekeys (self);
  _sotto_client_publish_devices (self, session);

  for (guint i = 0; i < json_array_get_length (sotto_msg_get_array (session, "rooms")); i++)
    {
      SottoRoom *room;

      if (!sotto_msg_get_room_summary (session, i, &summary))
        continue;
      g_hash_table_add (listed, (gpointer) summary.room);
      room = _sotto_client_ensure_room (self, summary.room, summary.direct);
      g_hash_table_add (self->rooms_catching_up, g_strdup (summary.room));
      g_hash_table_insert (self->members_as_of, g_strdup (summary.room),
                           g_memdup2 (&summary.last_seq, sizeof summary.last_seq));
      _sotto_client_load_history (self, room);
      _sotto_client_mark_session_start (self, summary.room);
      _sotto_client_load_members (self, summary.room);
    }

  forget_rooms_gone (self, listed);
}

static void
session_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SottoClient *self = g_task_get_source_object (task);
  Account *account = g_task_get_task_data (task);
  g_autoptr(SottoMsg) session = NULL;
  GError *error = NULL;

  session = sotto_connection_request_finish (SOTTO_CONNECTION (object), result, &error);
  if (session == NULL || self->store == NULL)
    {
      if (error == NULL)
        error = g_error_new_literal (SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_DISCONNECTED,
                                     _("Logged out"));
      else if (g_error_matches (error, SOTTO_CLIENT_ERROR,
                                sotto_client_error_from_server (SOTTO_MSG_ERROR_CODE_NOT_LINKED)))
        {
          g_clear_error (&error);
          g_set_error (&error, SOTTO_CLIENT_ERROR,
                       sotto_client_error_from_server (SOTTO_MSG_ERROR_CODE_NOT_LINKED),
                       _("This computer is not linked to %s’s account yet. To link it, choose "
                         "“Link to an Existing Device” in Sotto here; then, on a computer where "
                         "%s is signed in, choose “Link a New Device” in Sotto’s menu and type "
                         "the code this one shows. With sotto-cli: “sotto-cli --user %s link” "
                         "here, then “sotto-cli --user %s approve” with the code there. With no "
                         "such computer left, use the account’s recovery key here (“sotto-cli "
                         "--user %s recover”): your contacts see no change. Without it, reset "
                         "the account from here: your contacts are told of your new keys, and "
                         "nothing said before is readable here."),
                       account->username, account->username, account->username,
                       account->username, account->username);
        }
      forget_new_store (self, account);
      _sotto_client_set_state (self, SOTTO_CLIENT_AUTHENTICATING);
      g_task_return_error (task, error);
      return;
    }

  g_free (self->login_secret);
  self->login_secret = g_strdup (account->login_secret);
  _sotto_client_set_user (self, account->username);
  _sotto_client_start_session (self, session);

  g_task_return_boolean (task, TRUE);
}

static void
send_account_request (GTask *task)
{
  SottoClient *self = g_task_get_source_object (task);
  Account *account = g_task_get_task_data (task);
  g_autofree char *id = sotto_connection_next_id (self->connection);
  g_autoptr(GBytes) request = NULL;
  g_autoptr(GError) error = NULL;
  SottoWireIdentity wire, account_wire;

  /* The account key of a linked computer came with the approval; any
   * other gets one now if it has none. */
  if (!_sotto_client_take_account (self, &error))
    {
      _sotto_client_account_fail (task, g_steal_pointer (&error));
      return;
    }

  _sotto_client_get_wire_identity (self, &wire);
  _sotto_client_identity_to_wire (sotto_identity_get_public (self->account_identity),
                                  &account_wire);
  if (account->create)
    request = sotto_msg_build_register (id, account->username, account->login_secret, &wire,
                                        &account_wire);
  else if (account->reset)
    request = sotto_msg_build_reset_login (id, account->username, account->login_secret, &wire,
                                           &account_wire);
  else if (account->prove)
    {
      g_autoptr(GBytes) proof = NULL;

      proof = sotto_account_key_prove_login (self->account_key, account->username,
                                             sotto_identity_get_public (self->identity));
      request = sotto_msg_build_login_full (id, account->username, account->login_secret, &wire,
                                            NULL, proof);
    }
  else
    request = sotto_msg_build_login (id, account->username, account->login_secret, &wire);
  sotto_connection_request_async (self->connection, id, request, g_task_get_cancellable (task),
                                  session_done_cb, task);
}

static void
secret_derived_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      _sotto_client_account_fail (task, error);
      return;
    }

  send_account_request (task);
}

/**
 * _sotto_client_account_log_in:
 * @task: (transfer full): the account task, its store unlocked
 *
 * The rest of a login once the store is open: the login secret, then
 * the login, then the session.
 */
void
_sotto_client_account_log_in (GTask *task)
{
  SottoClient *self = g_task_get_source_object (task);
  g_autoptr(GTask) derive = NULL;

  derive = g_task_new (self, g_task_get_cancellable (task), secret_derived_cb, task);
  g_task_set_task_data (derive, g_task_get_task_data (task), NULL);
  g_task_run_in_thread (derive, derive_login_secret_thread);
}

/**
 * _sotto_client_account_log_in_proving:
 * @task: (transfer full): the account task, its store unlocked and
 *   holding the account key
 *
 * As _sotto_client_account_log_in(), with the account key's proof in
 * the login, for a computer that holds the key but is not one of the
 * account's devices yet.
 */
void
_sotto_client_account_log_in_proving (GTask *task)
{
  Account *account = g_task_get_task_data (task);

  account->prove = TRUE;
  _sotto_client_account_log_in (task);
}

/**
 * _sotto_client_account_made_store:
 * @task: the account task
 *
 * Returns: whether the task made the account's store on this computer,
 *   rather than opening one this computer had
 */
gboolean
_sotto_client_account_made_store (GTask *task)
{
  Account *account = g_task_get_task_data (task);

  return account->store_was_new;
}

/**
 * _sotto_client_account_fail:
 * @task: (transfer full): the account task
 * @error: (transfer full): why it failed
 *
 * Ends the account task with @error, leaving no store made for it behind.
 */
void
_sotto_client_account_fail (GTask  *task,
                            GError *error)
{
  SottoClient *self = g_task_get_source_object (task);

  forget_new_store (self, g_task_get_task_data (task));
  _sotto_client_set_state (self, SOTTO_CLIENT_AUTHENTICATING);
  g_task_return_error (task, error);
  g_object_unref (task);
}

static void
store_unlocked_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GTask *task = user_data;
  SottoClient *self = g_task_get_source_object (task);
  Account *account = g_task_get_task_data (task);
  GError *error = NULL;

  if (!sotto_client_store_unlock_finish (SOTTO_CLIENT_STORE (object), result, &error))
    {
      if (g_error_matches (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_PASSWORD))
        {
          g_clear_error (&error);
          g_set_error (&error, SOTTO_CLIENT_ERROR,
                       sotto_client_error_from_server (SOTTO_MSG_ERROR_CODE_BAD_CREDENTIALS),
                       _("Wrong username or password"));
        }
      g_clear_object (&self->store);
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  self->identity = sotto_client_store_load_identity (self->store, &error);
  if (self->identity == NULL && error == NULL)
    {
      /* A new device for this account: its own identity keys. */
      self->identity = sotto_identity_new ();
      sotto_client_store_save_identity (self->store, self->identity, &error);
    }
  if (error != NULL)
    {
      g_clear_object (&self->identity);
      g_clear_object (&self->store);
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  if (account->before_login != NULL)
    {
      account->before_login (self, task, account->username);
      return;
    }

  _sotto_client_account_log_in (task);
}

/**
 * _sotto_client_account_async:
 * @create: register the account rather than log in
 * @reset: log in making this computer the account's only device
 * @before_login: (nullable): what to do once the store is unlocked;
 *   it goes on with _sotto_client_account_log_in() or ends with
 *   _sotto_client_account_fail()
 * @source_tag: the public call's
 *
 * Opens or makes the account's store, unlocks it with @password, then
 * logs in (or registers) with a login secret derived from it.
 */
void
_sotto_client_account_async (SottoClient            *self,
                             gboolean                create,
                             gboolean                reset,
                             const char             *username,
                             const char             *password,
                             SottoClientAccountStep  before_login,
                             gpointer                source_tag,
                             GCancellable           *cancellable,
                             GAsyncReadyCallback     callback,
                             gpointer                user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *folded = NULL;
  g_autofree char *server_dir = NULL;
  g_autofree char *path = NULL;
  GError *error = NULL;
  Account *account;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);

  if (sotto_connection_get_state (self->connection) != SOTTO_CONNECTION_CONNECTED)
    {
      g_task_return_new_error (task, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_DISCONNECTED,
                               _("Not connected to %s"), self->server);
      return;
    }

  if (self->store != NULL)
    {
      g_task_return_new_error (task, SOTTO_CLIENT_ERROR,
                               sotto_client_error_from_server (SOTTO_MSG_ERROR_CODE_ALREADY_LOGGED_IN),
                               _("Already logged in"));
      return;
    }

  folded = g_ascii_strdown (username, -1);
  if (!sotto_protocol_username_is_valid (folded))
    {
      g_task_return_new_error (task, SOTTO_CLIENT_ERROR,
                               sotto_client_error_from_server (SOTTO_MSG_ERROR_CODE_BAD_USERNAME),
                               _("A name is 1 to 32 characters: letters a–z, digits, dot, "
                                 "dash or underscore"));
      return;
    }

  if (create && g_utf8_strlen (password, -1) < MAX (sotto_connection_get_min_password (self->connection), 8))
    {
      g_task_return_new_error (task, SOTTO_CLIENT_ERROR,
                               sotto_client_error_from_server (SOTTO_MSG_ERROR_CODE_WEAK_PASSWORD),
                               _("A password needs at least %u characters"),
                               MAX (sotto_connection_get_min_password (self->connection), 8));
      return;
    }

  server_dir = g_uri_escape_string (self->server, NULL, FALSE);
  path = g_build_filename (self->data_dir, server_dir, folded, "client.db", NULL);
  self->store = sotto_client_store_open (path, &error);
  if (self->store == NULL)
    {
      if (g_error_matches (error, SOTTO_CLIENT_STORE_ERROR, SOTTO_CLIENT_STORE_ERROR_BUSY))
        {
          g_clear_error (&error);
          g_set_error (&error, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_FAILED,
                       _("The account %s is already open in another window of Sotto"),
                       folded);
        }
      g_task_return_error (task, error);
      return;
    }

  if (create && !sotto_client_store_is_new (self->store))
    {
      g_clear_object (&self->store);
      g_task_return_new_error (task, SOTTO_CLIENT_ERROR,
                               sotto_client_error_from_server (SOTTO_MSG_ERROR_CODE_NAME_TAKEN),
                               _("This computer already has the account %s on %s: log in "
                                 "instead"), folded, self->server);
      return;
    }

  /* A reset is for a computer that is not one of the account's devices:
   * one that is, logs in, and would otherwise throw its own keys away. */
  if (reset && !sotto_client_store_is_new (self->store))
    {
      g_clear_object (&self->store);
      g_task_return_new_error (task, SOTTO_CLIENT_ERROR, SOTTO_CLIENT_ERROR_FAILED,
                               _("This computer already has the account %s on %s: log in "
                                 "instead"), folded, self->server);
      return;
    }

  account = g_new0 (Account, 1);
  account->username = g_steal_pointer (&folded);
  account->password_len = strlen (password);
  account->password = sodium_malloc (account->password_len + 1);
  memcpy (account->password, password, account->password_len + 1);
  account->create = create;
  account->reset = reset;
  account->opslimit = self->opslimit;
  account->memlimit = self->memlimit;
  account->server = g_strdup (self->server);
  account->store_path = g_strdup (path);
  account->store_was_new = sotto_client_store_is_new (self->store);
  account->before_login = before_login;
  g_task_set_task_data (task, account, account_free);

  _sotto_client_set_state (self, SOTTO_CLIENT_AUTHENTICATING);
  sotto_client_store_unlock_async (self->store, password, self->opslimit, self->memlimit,
                                   cancellable, store_unlocked_cb, g_steal_pointer (&task));
}

/**
 * sotto_client_register_async:
 *
 * Creates the account on the server and its local state on this computer,
 * with new identity keys; the user then is logged in.
 */
void
sotto_client_register_async (SottoClient         *self,
                             const char          *username,
                             const char          *password,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (SOTTO_IS_CLIENT (self));

  _sotto_client_account_async (self, TRUE, FALSE, username, password, NULL,
                               sotto_client_account_finish, cancellable, callback, user_data);
}

/**
 * sotto_client_login_async:
 *
 * Unlocks the local state with the password (or makes it, with new
 * identity keys, on a computer that never held this account) and logs in.
 */
void
sotto_client_login_async (SottoClient         *self,
                          const char          *username,
                          const char          *password,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_return_if_fail (SOTTO_IS_CLIENT (self));

  _sotto_client_account_async (self, FALSE, FALSE, username, password, NULL,
                               sotto_client_account_finish, cancellable, callback, user_data);
}

/**
 * sotto_client_reset_async:
 *
 * Logs in from a computer that holds no account key of this account (one
 * that is not linked), making it the account's only device: the server
 * forgets the others, their connections end, and the account gets a new
 * account key and device list. Contacts are told of the new keys once.
 * Finish with sotto_client_account_finish().
 */
void
sotto_client_reset_async (SottoClient         *self,
                          const char          *username,
                          const char          *password,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_return_if_fail (SOTTO_IS_CLIENT (self));

  _sotto_client_account_async (self, FALSE, TRUE, username, password, NULL,
                               sotto_client_account_finish, cancellable, callback, user_data);
}

gboolean
sotto_client_account_finish (SottoClient   *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
