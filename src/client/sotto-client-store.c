/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <sodium.h>

#include "sotto-client-store-private.h"

/*
 * The client's SQLite store, one per server and account: the identity,
 * contacts, sender keys, rooms and the message history.
 *
 * A random 32-byte local key, sealed with the password
 * (sotto_password_seal(), Argon2id, in a worker thread), protects
 * everything secret. Two keys are derived from it and kept in
 * sodium_malloc() memory while the store is unlocked:
 *
 *  - the value key: every secret column (message bodies, sender-key
 *    states) is XChaCha20-Poly1305 with a random nonce, and the associated
 *    data names the table, the column and every other column of the row,
 *    so a value copied to another row, or a row whose clear columns were
 *    edited, fails to decrypt. Contact rows carry the same kind of tag over
 *    an empty plaintext, so nobody can mark a key verified or swap a
 *    contact's key behind the user's back;
 *  - the identity password: the e2e layer gives an identity's secret keys
 *    out only through sotto_identity_seal(), so the identity is sealed with
 *    a password made of 32 random bytes derived from the local key, at the
 *    lowest Argon2id cost: the key already has full entropy, stretching it
 *    would add nothing, and so saving an identity is cheap enough for the
 *    main loop and follows a change of password for free.
 *
 * In the clear: room names, user names, message ids, sequence numbers,
 * times and states, and the contacts' public identities. The server knows
 * all of these already.
 *
 * A locked store answers only sotto_client_store_is_new() and
 * sotto_client_store_set_password_async(); every other call fails with
 * %SOTTO_CLIENT_STORE_ERROR_NOT_UNLOCKED.
 *
 * Used from the main thread only. The connection holds SQLite's lock in
 * exclusive mode from open to close: a second client on the same account
 * cannot run beside this one and step the same sender keys.
 *
 * libsotto-db opens, checks and migrates the file and caches the
 * statements. The class is split by concern: the schema and its queries
 * (-schema.c), the encryption of values (-seal.c), the password and the
 * lock (-unlock.c), then one file per kind of row: our identity and
 * contacts (-contacts.c), sender keys (-sender-keys.c), rooms (-rooms.c),
 * and the history, read (-history.c) and written (-messages.c).
 */

G_DEFINE_FINAL_TYPE (SottoClientStore, sotto_client_store, G_TYPE_OBJECT)

/* The store's errors are those of the SQLite layer, code for code. */
G_STATIC_ASSERT ((int) SOTTO_CLIENT_STORE_ERROR_FAILED == (int) SOTTO_DB_ERROR_FAILED);
G_STATIC_ASSERT ((int) SOTTO_CLIENT_STORE_ERROR_OPEN == (int) SOTTO_DB_ERROR_OPEN);
G_STATIC_ASSERT ((int) SOTTO_CLIENT_STORE_ERROR_CORRUPT == (int) SOTTO_DB_ERROR_CORRUPT);
G_STATIC_ASSERT ((int) SOTTO_CLIENT_STORE_ERROR_TOO_NEW == (int) SOTTO_DB_ERROR_TOO_NEW);
G_STATIC_ASSERT ((int) SOTTO_CLIENT_STORE_ERROR_IO == (int) SOTTO_DB_ERROR_IO);
G_STATIC_ASSERT ((int) SOTTO_CLIENT_STORE_ERROR_FULL == (int) SOTTO_DB_ERROR_FULL);
G_STATIC_ASSERT ((int) SOTTO_CLIENT_STORE_ERROR_READ_ONLY == (int) SOTTO_DB_ERROR_READ_ONLY);
G_STATIC_ASSERT ((int) SOTTO_CLIENT_STORE_ERROR_BUSY == (int) SOTTO_DB_ERROR_BUSY);
G_STATIC_ASSERT ((int) SOTTO_CLIENT_STORE_ERROR_CONSTRAINT == (int) SOTTO_DB_ERROR_CONSTRAINT);
G_STATIC_ASSERT ((int) SOTTO_CLIENT_STORE_ERROR_NOT_FOUND == (int) SOTTO_DB_ERROR_NOT_FOUND);
G_STATIC_ASSERT ((int) SOTTO_CLIENT_STORE_ERROR_NOT_UNLOCKED ==
                 (int) SOTTO_DB_ERROR_NOT_UNLOCKED);

GQuark
sotto_client_store_error_quark (void)
{
  return SOTTO_DB_ERROR;
}

enum {
  PROP_0,
  PROP_UNLOCKED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

gboolean
_sotto_client_store_require_unlocked (SottoClientStore  *self,
                                      GError           **error)
{
  if (self->db == NULL)
    {
      g_set_error_literal (error, SOTTO_CLIENT_STORE_ERROR, SOTTO_CLIENT_STORE_ERROR_FAILED,
                           _("The store is closed"));
      return FALSE;
    }

  if (self->keys == NULL)
    {
      g_set_error_literal (error, SOTTO_CLIENT_STORE_ERROR,
                           SOTTO_CLIENT_STORE_ERROR_NOT_UNLOCKED,
                           _("The store is locked; unlock it with the password first"));
      return FALSE;
    }

  return TRUE;
}

/* Replaces the keys in use, wiping the old ones; %NULL locks. */
void
_sotto_client_store_set_keys (SottoClientStore     *self,
                              SottoClientStoreKeys *keys)
{
  gboolean was_unlocked = self->keys != NULL;

  g_clear_pointer (&self->keys, sodium_free);
  self->keys = keys;

  if (was_unlocked != (keys != NULL))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNLOCKED]);
}

static void
sotto_client_store_dispose (GObject *object)
{
  SottoClientStore *self = SOTTO_CLIENT_STORE (object);

  g_clear_pointer (&self->keys, sodium_free);
  /* Closing checkpoints the WAL into the file and removes it. */
  g_clear_pointer (&self->db, sotto_db_close);

  G_OBJECT_CLASS (sotto_client_store_parent_class)->dispose (object);
}

static void
sotto_client_store_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  SottoClientStore *self = SOTTO_CLIENT_STORE (object);

  switch (prop_id)
    {
    case PROP_UNLOCKED:
      g_value_set_boolean (value, sotto_client_store_is_unlocked (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sotto_client_store_class_init (SottoClientStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sotto_client_store_dispose;
  object_class->get_property = sotto_client_store_get_property;

  /**
   * SottoClientStore:unlocked:
   *
   * Whether the local key is in memory, so the encrypted parts can be read
   * and written.
   */
  properties[PROP_UNLOCKED] =
    g_param_spec_boolean ("unlocked", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  if (sodium_init () < 0)
    g_error ("sodium_init failed");
}

static void
sotto_client_store_init (SottoClientStore *self)
{
}

/* Reads the sealed local key, or %NULL without error when there is none. */
GBytes *
_sotto_client_store_get_local_key (SottoClientStore  *self,
                                   GError           **error)
{
  g_auto(SottoDbStatement) stmt = sotto_db_statement (self->db, STMT_GET_LOCAL_KEY, error);
  const guint8 *data;
  gboolean found;
  gsize size;

  if (stmt == NULL ||
      !sotto_db_step_row (self->db, stmt, &found, _("Could not read the local key"), error))
    return NULL;

  if (!found)
    return NULL;

  data = sotto_db_column_blob (stmt, 0, &size);
  return g_bytes_new (data, size);
}

/**
 * sotto_client_store_open:
 * @path: the database file, created (mode 0600, its folders 0700) if missing
 * @error: return location for a #SOTTO_CLIENT_STORE_ERROR
 *
 * Opens the store, locked, and brings its schema up to date. A file written
 * by a newer Sotto is refused with %SOTTO_CLIENT_STORE_ERROR_TOO_NEW, and a
 * file that is not a database with %SOTTO_CLIENT_STORE_ERROR_CORRUPT; both
 * are left as they were. A store open in another process gives
 * %SOTTO_CLIENT_STORE_ERROR_BUSY.
 *
 * Returns: (transfer full): the store, or %NULL
 */
SottoClientStore *
sotto_client_store_open (const char  *path,
                         GError     **error)
{
  g_autoptr(SottoClientStore) self = NULL;
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (SOTTO_TYPE_CLIENT_STORE, NULL);

  /* The file is made private before SQLite opens it, and SQLite gives the
   * -wal file the same mode. The lock is exclusive from open to close, so
   * WAL mode uses no shared memory and a second client on the account
   * cannot open the store. */
  self->db = sotto_db_open (path, SOTTO_DB_OPEN_PRIVATE | SOTTO_DB_OPEN_EXCLUSIVE,
                            &_sotto_client_store_schema, &local_error);
  if (self->db != NULL)
    sealed = _sotto_client_store_get_local_key (self, &local_error);

  if (local_error != NULL)
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                  _("Could not open the database %s: "), path);
      return NULL;
    }

  self->has_local_key = sealed != NULL;

  return g_steal_pointer (&self);
}

/**
 * sotto_client_store_is_new:
 * @self: a #SottoClientStore
 *
 * Returns: %TRUE if the store has no password yet: the first unlock sets it
 */
gboolean
sotto_client_store_is_new (SottoClientStore *self)
{
  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), FALSE);

  return !self->has_local_key;
}

/**
 * sotto_client_store_is_unlocked:
 * @self: a #SottoClientStore
 *
 * Returns: the value of #SottoClientStore:unlocked
 */
gboolean
sotto_client_store_is_unlocked (SottoClientStore *self)
{
  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), FALSE);

  return self->keys != NULL;
}

/**
 * sotto_client_store_begin:
 * @self: an unlocked #SottoClientStore
 * @error: return location for a #GError
 *
 * Opens a transaction around the calls that follow, until
 * sotto_client_store_commit(): they are kept all together or not at all.
 * The calls keep their own transactions, as savepoints within it.
 *
 * Returns: %TRUE on success
 */
gboolean
sotto_client_store_begin (SottoClientStore  *self,
                          GError           **error)
{
  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), FALSE);

  return _sotto_client_store_require_unlocked (self, error) && sotto_db_begin (self->db, error);
}

/**
 * sotto_client_store_commit:
 * @self: a #SottoClientStore with a transaction from
 *   sotto_client_store_begin()
 * @error: return location for a #GError
 *
 * Returns: %TRUE if what was written since is kept
 */
gboolean
sotto_client_store_commit (SottoClientStore  *self,
                           GError           **error)
{
  g_return_val_if_fail (SOTTO_IS_CLIENT_STORE (self), FALSE);

  return self->db != NULL && sotto_db_commit (self->db, error);
}
