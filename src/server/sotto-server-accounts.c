/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <sodium.h>
#include <string.h>

#include "sotto-server-accounts.h"
#include "sotto-server-history.h"
#include "sotto-server-password-pool.h"
#include "sotto-server-proof.h"
#include "sotto-server-relay.h"
#include "sotto-server-rooms.h"

/*
 * Registration and login. Password hashes are Argon2id
 * (crypto_pwhash_str), computed and checked in the server's own pool of
 * worker threads (sotto-server-password-pool.c) so the main loop keeps
 * serving everyone else meanwhile.
 *
 * Failed logins are limited per account and per address: after
 * FREE_FAILURES failures, each further attempt must wait twice as long as
 * the last (1 s, 2 s, 4 s ... up to MAX_LOCK_SECONDS). A quiet period of
 * FORGET_AFTER_SECONDS forgets the failures.
 */

#define FREE_FAILURES 5
#define MAX_LOCK_SECONDS (15 * 60)
#define FORGET_AFTER_SECONDS (30 * 60)

static SottoLoginFailures *
failures_for (GHashTable *table,
              const char *key,
              gint64      now_us)
{
  SottoLoginFailures *failures = g_hash_table_lookup (table, key);

  if (failures != NULL &&
      now_us - failures->last_failure_us > FORGET_AFTER_SECONDS * G_USEC_PER_SEC &&
      now_us >= failures->locked_until_us)
    {
      g_hash_table_remove (table, key);
      failures = NULL;
    }

  return failures;
}

static gint64
locked_seconds (GHashTable *table,
                const char *key,
                gint64      now_us)
{
  SottoLoginFailures *failures = failures_for (table, key, now_us);

  if (failures == NULL || now_us >= failures->locked_until_us)
    return 0;

  return (failures->locked_until_us - now_us + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC;
}

static void
record_failure (GHashTable *table,
                const char *key,
                gint64      now_us)
{
  SottoLoginFailures *failures = failures_for (table, key, now_us);

  if (failures == NULL)
    {
      failures = g_new0 (SottoLoginFailures, 1);
      g_hash_table_insert (table, g_strdup (key), failures);
    }

  failures->failures++;
  failures->last_failure_us = now_us;
  if (failures->failures >= FREE_FAILURES)
    {
      guint shift = MIN (failures->failures - FREE_FAILURES, 10);
      gint64 lock = MIN ((gint64) 1 << shift, MAX_LOCK_SECONDS);

      failures->locked_until_us = now_us + lock * G_USEC_PER_SEC;
    }
}

/* The address part of "host:port" or "[host]:port". */
static char *
peer_host (SottoSession *session)
{
  const char *peer = sotto_session_get_peer (session);
  const char *colon = strrchr (peer, ':');

  return colon != NULL ? g_strndup (peer, colon - peer) : g_strdup (peer);
}

typedef struct
{
  SottoServerState  *server;
  SottoSession      *session;
  SottoMsg          *msg;
  char              *username;
  /* Ordinary memory, wiped when freed. Not sodium_malloc(): its guard
   * pages are made with mmap() and mprotect(), which wait for the
   * process's memory-map lock, and a hashing thread holds that lock for
   * tens of milliseconds while it maps and fills Argon2id's memory, so
   * every login would stall the main loop. The password came in the
   * request's text, in ordinary memory, anyway. */
  char              *password;
  gsize              password_len;
  SottoWireIdentity  identity;
  /* The account's identity, which its member entries show: the
   * "account" of a registration, the "reset" of a reset, else the
   * device's. */
  SottoWireIdentity  account;
  gboolean           reset;
  /* A login's proof that it holds the account key (sotto-server-proof.c) */
  GBytes            *proof;
  guint64            opslimit;
  gsize              memlimit;
  char              *stored_hash;
  char               hash[crypto_pwhash_STRBYTES];
} AccountJob;

static void
account_job_free (gpointer data)
{
  AccountJob *job = data;

  g_object_unref (job->session);
  sotto_msg_unref (job->msg);
  g_free (job->username);
  sodium_memzero (job->password, job->password_len);
  g_free (job->password);
  g_free (job->stored_hash);
  g_clear_pointer (&job->proof, g_bytes_unref);
  sodium_memzero (job->hash, sizeof job->hash);
  g_free (job);
}

static AccountJob *
account_job_new (SottoServerState *self,
                 SottoSession     *session,
                 SottoMsg         *msg)
{
  AccountJob *job = g_new0 (AccountJob, 1);
  const char *password = sotto_msg_get_string (msg, "password");

  job->server = self;
  job->session = g_object_ref (session);
  job->msg = sotto_msg_ref (msg);
  job->username = g_ascii_strdown (sotto_msg_get_string (msg, "username"), -1);
  job->password_len = strlen (password);
  job->password = g_malloc (job->password_len + 1);
  memcpy (job->password, password, job->password_len + 1);
  job->opslimit = self->config->pwhash_opslimit;
  job->memlimit = self->config->pwhash_memlimit;
  sotto_msg_get_identity (msg, &job->identity);
  job->account = job->identity;
  if (sotto_msg_get_msg_type (msg) == SOTTO_MSG_TYPE_REGISTER)
    sotto_msg_get_identity_field (msg, "account", &job->account);
  else
    {
      job->reset = sotto_msg_get_identity_field (msg, "reset", &job->account);
      job->proof = sotto_msg_dup_bytes (msg, "proof");
    }

  return job;
}

/* In a password thread: touches the job only. */
static SottoPasswordResult
hash_password_thread (gpointer data)
{
  AccountJob *job = data;

  if (crypto_pwhash_str (job->hash, job->password, job->password_len,
                         job->opslimit, job->memlimit) != 0)
    return SOTTO_PASSWORD_NO_MEMORY;

  return SOTTO_PASSWORD_TRUE;
}

/* A hash to check unknown users against, so that an unknown name takes as
 * long to refuse as a wrong password. Made once, in a worker. */
static const char *
dummy_hash (guint64 opslimit,
            gsize   memlimit)
{
  static char hash[crypto_pwhash_STRBYTES];
  static gsize made;

  if (g_once_init_enter (&made))
    {
      char password[32];

      randombytes_buf (password, sizeof password);
      if (crypto_pwhash_str (hash, password, sizeof password, opslimit, memlimit) != 0)
        hash[0] = '\0';
      g_once_init_leave (&made, 1);
    }

  return hash;
}

/* In a password thread: touches the job only. */
static SottoPasswordResult
verify_password_thread (gpointer data)
{
  AccountJob *job = data;
  const char *hash = job->stored_hash != NULL ? job->stored_hash
                                              : dummy_hash (job->opslimit, job->memlimit);
  gboolean matches = crypto_pwhash_str_verify (hash, job->password, job->password_len) == 0;

  return matches && job->stored_hash != NULL ? SOTTO_PASSWORD_TRUE : SOTTO_PASSWORD_FALSE;
}

/* Ends the connections of @user other than @keep, whose device is gone. */
static void
close_other_sessions (SottoUser    *user,
                      SottoSession *keep,
                      const char   *reason)
{
  g_autoptr(GPtrArray) sessions = g_ptr_array_copy (user->sessions, NULL, NULL);

  for (guint i = 0; i < sessions->len; i++)
    {
      SottoSession *session = g_ptr_array_index (sessions, i);

      if (session != keep)
        sotto_session_close (session, reason);
    }
}

/* Makes @identity the account's one device: its other devices go, with
 * their prekeys and queued keys, and their connections other than
 * @session; with @reset, its device list and account key too. @account
 * becomes the identity its member entries show; another than they showed
 * is a key change, told in every room of the account. */
static SottoStoreDevice *
make_only_device (SottoServerState         *self,
                  SottoUser                *user,
                  SottoSession             *session,
                  const SottoWireIdentity  *identity,
                  const SottoWireIdentity  *account,
                  gboolean                  reset,
                  GError                  **error)
{
  SottoStoreDevice *kept = _sotto_user_lookup_device (user, identity);
  gboolean changed = sodium_memcmp (&user->identity, account, sizeof *account) != 0;

  for (guint i = 0; i < user->devices->len; i++)
    {
      SottoStoreDevice *device = g_ptr_array_index (user->devices, i);

      if (device != kept && !sotto_store_remove_device (self->store, device->id, error))
        return NULL;
    }
  if (kept == NULL &&
      sotto_store_add_device (self->store, user->id, identity, _sotto_server_now_ms (),
                              error) < 0)
    return NULL;
  if (reset && !sotto_store_forget_device_list (self->store, user->id, error))
    return NULL;
  if (changed && !sotto_store_set_identity (self->store, user->id, account, error))
    return NULL;
  if (!_sotto_user_load_devices (user, self->store, error))
    return NULL;

  close_other_sessions (user, session, _("The account was reset on another computer"));
  if (changed)
    {
      user->identity = *account;
      _sotto_server_announce_key_change (self, user);
    }
  return _sotto_user_lookup_device (user, identity);
}

static void
send_session (SottoServerState *self,
              SottoSession     *session,
              SottoMsg         *msg,
              SottoUser        *user)
{
  g_autoptr(GArray) summaries = g_array_new (FALSE, FALSE, sizeof (SottoWireRoomSummary));
  g_autoptr(GBytes) reply = NULL;

  _sotto_server_summarize_rooms (self, user, FALSE, summaries);
  reply = sotto_msg_build_session (sotto_msg_get_id (msg), user->name, &user->identity,
                                   (SottoWireRoomSummary *) summaries->data, summaries->len);
  sotto_session_send (session, reply);
}

static void
register_committed_cb (SottoStore   *store,
                       const GError *error,
                       gpointer      user_data)
{
  SottoPendingReply *commit = user_data;
  SottoServerState *self = commit->server;
  SottoUser *user = _sotto_server_lookup_user (self, commit->name);

  if (error != NULL)
    {
      /* Nothing of the account was stored: forget it here too. */
      if (user != NULL)
        {
          while (user->rooms->len > 0)
            _sotto_room_remove_member (g_ptr_array_index (user->rooms, 0), user);
          g_hash_table_remove (self->users, commit->name);
        }
      sotto_session_set_busy (commit->session, FALSE);
      _sotto_server_reply_store_error (self, commit->session, commit->msg, error);
      return;
    }

  sotto_session_set_busy (commit->session, FALSE);
  if (user == NULL || !sotto_session_is_open (commit->session))
    return;

  g_message ("Account %s registered from %s", user->name, sotto_session_get_peer (commit->session));
  if (user->devices->len > 0)
    {
      SottoStoreDevice *device = g_ptr_array_index (user->devices, 0);

      sotto_session_set_device (commit->session, device->id);
      _sotto_server_note_device_seen (self, user, device->id);
    }
  _sotto_server_user_online (self, user, commit->session);
  send_session (self, commit->session, commit->msg, user);
}

static void
register_hashed_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  SottoServerState *self = user_data;
  AccountJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  SottoUser *user;
  SottoRoom *general;
  gint64 id;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      sotto_session_set_busy (job->session, FALSE);
      _sotto_server_reply_error (self, job->session, job->msg, SOTTO_MSG_ERROR_CODE_OVERLOADED,
                                 _("The server is too busy to create an account now"));
      return;
    }

  sotto_session_set_busy (job->session, FALSE);

  /* Someone may have taken the name while the hash was made. */
  if (_sotto_server_lookup_user (self, job->username) != NULL)
    {
      _sotto_server_reply_error (self, job->session, job->msg, SOTTO_MSG_ERROR_CODE_NAME_TAKEN,
                                 _("That name is taken"));
      return;
    }

  id = sotto_store_add_account (self->store, job->username, job->hash, &job->account, &error);
  if (id < 0)
    {
      if (g_error_matches (error, SOTTO_STORE_ERROR, SOTTO_STORE_ERROR_CONSTRAINT))
        _sotto_server_reply_error (self, job->session, job->msg, SOTTO_MSG_ERROR_CODE_NAME_TAKEN,
                                   _("That name is taken"));
      else
        _sotto_server_reply_store_error (self, job->session, job->msg, error);
      return;
    }

  user = _sotto_user_new (id, job->username, &job->account);
  g_hash_table_insert (self->users, user->name, user);
  if (sotto_store_add_device (self->store, id, &job->identity, _sotto_server_now_ms (),
                              &error) < 0 ||
      !_sotto_user_load_devices (user, self->store, &error))
    {
      /* The batch the account went into fails with it. */
      g_warning ("Could not add the first device of %s: %s", user->name, error->message);
      g_clear_error (&error);
    }
  sotto_session_set_busy (job->session, TRUE);

  general = _sotto_server_lookup_room (self, "general");
  if (general != NULL && !_sotto_server_join_room (self, user, general, &error))
    g_warning ("Could not add %s to general: %s", user->name, error->message);

  _sotto_server_answer_after_commit (self, job->session, job->msg, job->username, NULL,
                                     register_committed_cb);
}

static gboolean
check_account_request (SottoServerState *self,
                       SottoSession     *session,
                       SottoMsg         *msg)
{
  if (sotto_session_get_user (session) != NULL)
    {
      _sotto_server_reply_error (self, session, msg, SOTTO_MSG_ERROR_CODE_ALREADY_LOGGED_IN,
                                 _("This connection is already logged in"));
      return FALSE;
    }

  if (sotto_session_get_busy (session))
    {
      _sotto_server_reply_error (self, session, msg, SOTTO_MSG_ERROR_CODE_RATE_LIMITED,
                                 _("Wait for the previous request to finish"));
      return FALSE;
    }

  return TRUE;
}

void
_sotto_server_handle_register (SottoServerState *self,
                               SottoSession     *session,
                               SottoMsg         *msg)
{
  const char *username = sotto_msg_get_string (msg, "username");
  const char *password = sotto_msg_get_string (msg, "password");
  g_autoptr(GTask) task = NULL;

  if (!check_account_request (self, session, msg))
    return;

  if (!sotto_protocol_username_is_valid (username))
    {
      _sotto_server_reply_error (self, session, msg, SOTTO_MSG_ERROR_CODE_BAD_USERNAME,
                                 _("A name is 1 to 32 characters: letters a–z, digits, "
                                   "dot, dash or underscore"));
      return;
    }

  if (g_utf8_strlen (password, -1) < SOTTO_PROTOCOL_MIN_PASSWORD_LEN)
    {
      _sotto_server_reply_error (self, session, msg, SOTTO_MSG_ERROR_CODE_WEAK_PASSWORD,
                                 _("A password needs at least 8 characters"));
      return;
    }

  if (_sotto_server_lookup_user (self, username) != NULL)
    {
      _sotto_server_reply_error (self, session, msg, SOTTO_MSG_ERROR_CODE_NAME_TAKEN,
                                 _("That name is taken"));
      return;
    }

  sotto_session_set_busy (session, TRUE);
  task = g_task_new (self->owner, sotto_session_get_cancellable (session), register_hashed_cb,
                     self);
  g_task_set_source_tag (task, _sotto_server_handle_register);
  g_task_set_task_data (task, account_job_new (self, session, msg), account_job_free);
  _sotto_password_pool_run (self->password_pool, task, hash_password_thread);
}

/* A login from a computer that is not one of the account's devices,
 * with a proof that it holds the account key its list is under: it
 * becomes one of them, or the login is refused and nothing changes.
 *
 * Returns: whether the login goes on, as @device */
static gboolean
prove_device (SottoServerState  *self,
              AccountJob        *job,
              SottoUser         *user,
              GBytes            *account_key,
              SottoStoreDevice **device)
{
  g_autoptr(GError) error = NULL;

  switch (_sotto_server_add_proven_device (self, user, account_key, &job->identity, job->proof,
                                           device, &error))
    {
    case SOTTO_LOGIN_PROOF_ADDED:
      g_message ("%s added a device with the account key from %s", user->name,
                 sotto_session_get_peer (job->session));
      return TRUE;

    case SOTTO_LOGIN_PROOF_REFUSED:
      g_message ("Login for %s from %s refused: the account key did not sign it", user->name,
                 sotto_session_get_peer (job->session));
      _sotto_server_reply_error (self, job->session, job->msg, SOTTO_MSG_ERROR_CODE_NOT_LINKED,
                                 _("This computer is not one of the account’s devices, and the "
                                   "account key did not sign its login"));
      return FALSE;

    case SOTTO_LOGIN_PROOF_KEY_TAKEN:
      _sotto_server_reply_error (self, job->session, job->msg, SOTTO_MSG_ERROR_CODE_FORBIDDEN,
                                 _("Another device of the account has one of this computer’s "
                                   "keys"));
      return FALSE;

    case SOTTO_LOGIN_PROOF_FULL:
      _sotto_server_reply_error (self, job->session, job->msg, SOTTO_MSG_ERROR_CODE_FORBIDDEN,
                                 _("The account has the most devices it can have"));
      return FALSE;

    case SOTTO_LOGIN_PROOF_FAILED:
    default:
      _sotto_server_reply_store_error (self, job->session, job->msg, error);
      return FALSE;
    }
}

/* The last step of a login, with the device it is from known, or none
 * where these keys are to be the account's only device. */
static void
login_with_device (SottoServerState *self,
                   AccountJob       *job,
                   SottoUser        *user,
                   SottoStoreDevice *device)
{
  g_autoptr(GError) error = NULL;

  /* A reset, or new keys on an account that never published a device
   * list (which knows of one device only): these keys take the place of
   * all others. */
  if (job->reset || device == NULL)
    {
      device = make_only_device (self, user, job->session, &job->identity, &job->account,
                                 job->reset, &error);
      if (device == NULL)
        {
          _sotto_server_reply_store_error (self, job->session, job->msg, error);
          return;
        }
      if (job->reset)
        g_message ("%s reset the account from %s", user->name,
                   sotto_session_get_peer (job->session));
    }

  _sotto_server_note_device_seen (self, user, device->id);

  g_message ("%s logged in from %s", user->name, sotto_session_get_peer (job->session));
  sotto_session_set_device (job->session, device->id);
  _sotto_server_user_online (self, user, job->session);
  send_session (self, job->session, job->msg, user);
  _sotto_server_deliver_pending_keys (self, job->session);
  _sotto_server_deliver_pending_history (self, job->session);
}

/* A login from keys the account does not know, with its device list read:
 * without a list they become its only device; with one, only a proof
 * signed by the account key lets them in. */
static void
login_device_list_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  AccountJob *job = g_task_get_task_data (task);
  SottoServerState *self = job->server;
  g_autoptr(GBytes) account_key = NULL;
  g_autoptr(GBytes) list = NULL;
  g_autoptr(GError) error = NULL;
  SottoStoreDevice *device;
  SottoUser *user;
  gboolean read;

  sotto_session_release_requests (job->session);
  read = sotto_store_get_device_list_finish (SOTTO_STORE (object), result, &account_key, NULL,
                                             &list, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  sotto_session_set_busy (job->session, FALSE);
  if (!read)
    {
      _sotto_server_reply_store_error (self, job->session, job->msg, error);
      return;
    }

  /* An account whose registration was rolled back meanwhile is gone; the
   * device may have been added meanwhile, by the same keys logging in on
   * another connection. */
  user = _sotto_server_lookup_user (self, job->username);
  if (user == NULL)
    {
      _sotto_server_reply_error (self, job->session, job->msg,
                                 SOTTO_MSG_ERROR_CODE_BAD_CREDENTIALS,
                                 _("Wrong username or password"));
      return;
    }
  device = _sotto_user_lookup_device (user, &job->identity);
  if (device == NULL && list != NULL)
    {
      if (job->proof == NULL)
        {
          g_message ("Login for %s from %s refused: not one of the account's devices",
                     user->name, sotto_session_get_peer (job->session));
          _sotto_server_reply_error (self, job->session, job->msg,
                                     SOTTO_MSG_ERROR_CODE_NOT_LINKED,
                                     _("This computer is not one of the account’s devices: "
                                       "link it from one of them, or reset the account"));
          return;
        }
      if (!prove_device (self, job, user, account_key, &device))
        return;
    }

  login_with_device (self, job, user, device);
}

static void
login_verified_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  SottoServerState *self = user_data;
  AccountJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autofree char *host = NULL;
  gint64 now = g_get_monotonic_time ();
  SottoStoreDevice *device;
  SottoUser *user;
  gboolean matches;

  matches = g_task_propagate_boolean (G_TASK (result), &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  /* Not checked (no memory for the hash, too many waiting) is not a
   * wrong password: nothing is counted against the account. */
  if (error != NULL)
    {
      sotto_session_set_busy (job->session, FALSE);
      g_message ("Login for %s from %s not checked: %s", job->username,
                 sotto_session_get_peer (job->session), error->message);
      _sotto_server_reply_error (self, job->session, job->msg, SOTTO_MSG_ERROR_CODE_OVERLOADED,
                                 _("The server is too busy to check the password now"));
      return;
    }

  host = peer_host (job->session);
  user = _sotto_server_lookup_user (self, job->username);

  if (!matches || user == NULL)
    {
      sotto_session_set_busy (job->session, FALSE);
      record_failure (self->account_failures, job->username, now);
      record_failure (self->address_failures, host, now);
      g_message ("Failed login for %s from %s", job->username, sotto_session_get_peer (job->session));
      _sotto_server_reply_error (self, job->session, job->msg, SOTTO_MSG_ERROR_CODE_BAD_CREDENTIALS,
                                 _("Wrong username or password"));
      return;
    }

  g_hash_table_remove (self->account_failures, job->username);

  device = _sotto_user_lookup_device (user, &job->identity);
  if (!job->reset && device == NULL)
    {
      /* The session stays busy, its requests held, until the list is read;
       * the job goes on with this task. */
      sotto_session_hold_requests (job->session);
      sotto_store_get_device_list_async (self->store, user->id,
                                         sotto_session_get_cancellable (job->session),
                                         login_device_list_cb, g_object_ref (result));
      return;
    }

  sotto_session_set_busy (job->session, FALSE);
  login_with_device (self, job, user, device);
}

/* The account looked up: its password is checked in the pool, or, with
 * no such account, a hash of nothing is, so that a wrong name takes as
 * long as a wrong password. */
static void
login_account_found_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  AccountJob *job = user_data;
  SottoServerState *self = job->server;
  g_auto(SottoStoreAccount) account = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) task = NULL;

  sotto_session_release_requests (job->session);
  if (sotto_store_find_account_finish (SOTTO_STORE (object), result, &account, &error))
    job->stored_hash = g_strdup (account.password_hash);
  else if (error != NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          sotto_session_set_busy (job->session, FALSE);
          _sotto_server_reply_store_error (self, job->session, job->msg, error);
        }
      account_job_free (job);
      return;
    }

  task = g_task_new (self->owner, sotto_session_get_cancellable (job->session),
                     login_verified_cb, self);
  g_task_set_source_tag (task, _sotto_server_handle_login);
  g_task_set_task_data (task, job, account_job_free);
  _sotto_password_pool_run (self->password_pool, task, verify_password_thread);
}

void
_sotto_server_handle_login (SottoServerState *self,
                            SottoSession     *session,
                            SottoMsg         *msg)
{
  g_autofree char *username = NULL;
  g_autofree char *host = NULL;
  gint64 now = g_get_monotonic_time ();
  gint64 wait;

  if (!check_account_request (self, session, msg))
    return;

  if (sotto_msg_has_field (msg, "reset") && sotto_msg_has_field (msg, "proof"))
    {
      _sotto_server_reply_error (self, session, msg, SOTTO_MSG_ERROR_CODE_BAD_REQUEST,
                                 _("A login resets the account or proves its account key, not "
                                   "both"));
      return;
    }

  username = g_ascii_strdown (sotto_msg_get_string (msg, "username"), -1);
  host = peer_host (session);
  wait = MAX (locked_seconds (self->account_failures, username, now),
              locked_seconds (self->address_failures, host, now));
  if (wait > 0)
    {
      /* The number goes in as text: a G_GINT64_FORMAT would hide the rest
       * of the message from xgettext. */
      g_autofree char *seconds = g_strdup_printf ("%" G_GINT64_FORMAT, wait);
      g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                            "Too many failed attempts: try again "
                                                            "in %s second",
                                                            "Too many failed attempts: try again "
                                                            "in %s seconds",
                                                            (gulong) wait),
                                               seconds);

      g_message ("Login for %s from %s refused: rate limited", username,
                 sotto_session_get_peer (session));
      _sotto_server_reply_error (self, session, msg, SOTTO_MSG_ERROR_CODE_RATE_LIMITED, text);
      return;
    }

  /* The client waits for the answer in any case: its further requests
   * are held until the store has found the account. */
  sotto_session_set_busy (session, TRUE);
  sotto_session_hold_requests (session);
  sotto_store_find_account_async (self->store, username, sotto_session_get_cancellable (session),
                                  login_account_found_cb,
                                  account_job_new (self, session, msg));
}
