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
 * The class is split by concern: the schema and queries
 * (-schema.c), SQLite calls (-sql.c), the encryption of values (-seal.c),
 * opening and migrating the file (-open.c), the password and the lock
 * (-unlock.c), then one file per kind of row: our identity and contacts
 * (-contacts.c), sender keys (-sender-keys.c), rooms (-rooms.c), and the
 * history, read (-history.c) and written (-messages.c).
 */

G_DEFINE_FINAL_TYPE (SottoClientStore, sotto_client_store, G_TYPE_OBJECT)

G_DEFINE_QUARK (sotto-client-store-error-quark, sotto_client_store_error)

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

  if (self->db != NULL)
    {
      for (guint i = 0; i < N_STMTS; i++)
        g_clear_pointer (&self->statements[i], sqlite3_finalize);

      /* Closing checkpoints the WAL into the file and removes it. */
      if (sqlite3_close (self->db) != SQLITE_OK)
        g_warning ("Could not close the client store: %s", sqlite3_errmsg (self->db));
      self->db = NULL;
    }

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
