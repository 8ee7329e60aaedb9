/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "sotto-store-private.h"

/*
 * The server store's accounts: names, password hashes and the published
 * identity keys.
 */

static void
bind_identity (sqlite3_stmt            *stmt,
               int                      first,
               const SottoWireIdentity *identity)
{
  if (identity == NULL)
    {
      sqlite3_bind_null (stmt, first);
      sqlite3_bind_null (stmt, first + 1);
      sqlite3_bind_null (stmt, first + 2);
      return;
    }

  sqlite3_bind_blob (stmt, first, identity->box, sizeof identity->box, SQLITE_STATIC);
  sqlite3_bind_blob (stmt, first + 1, identity->sign, sizeof identity->sign, SQLITE_STATIC);
  sqlite3_bind_blob (stmt, first + 2, identity->binding, sizeof identity->binding,
                     SQLITE_STATIC);
}

/**
 * sotto_store_find_account:
 * @username: any case; names are compared in lower case
 * @out: (out caller-allocates) (optional): filled in when found; clear it
 *   with sotto_store_account_clear()
 *
 * Returns: %TRUE if the account exists; %FALSE with @error unset if it
 *   does not, with @error set if the lookup failed
 */
gboolean
sotto_store_find_account (SottoStore         *self,
                          const char         *username,
                          SottoStoreAccount  *out,
                          GError            **error)
{
  SottoDb *db;
  g_autofree char *lower = NULL;
  g_auto(SottoDbStatement) stmt = NULL;
  int rc;

  g_return_val_if_fail (SOTTO_IS_STORE (self), FALSE);
  g_return_val_if_fail (username != NULL, FALSE);

  db = _sotto_store_get_db (self);
  lower = g_ascii_strdown (username, -1);
  stmt = _sotto_store_statement (self, STMT_FIND_ACCOUNT, error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, lower, -1, SQLITE_STATIC);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return FALSE;

  if (rc != SQLITE_ROW)
    {
      sotto_db_set_error (db, error, rc, _("Could not look up the account"));
      return FALSE;
    }

  if (out != NULL)
    {
      memset (out, 0, sizeof *out);
      out->id = sqlite3_column_int64 (stmt, 0);
      out->username = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      out->password_hash = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      out->has_identity =
        sotto_db_column_copy_blob (stmt, 3, out->identity.box, sizeof out->identity.box) &&
        sotto_db_column_copy_blob (stmt, 4, out->identity.sign, sizeof out->identity.sign) &&
        sotto_db_column_copy_blob (stmt, 5, out->identity.binding, sizeof out->identity.binding);
      if (!out->has_identity)
        memset (&out->identity, 0, sizeof out->identity);
      out->created = sqlite3_column_int64 (stmt, 6);
    }

  return TRUE;
}

/**
 * sotto_store_add_account:
 * @username: stored in lower case
 * @password_hash: a crypto_pwhash_str() string
 * @identity: (nullable): the device's public identity keys
 *
 * Returns: the new account's id, or -1; a taken name fails with
 *   %SOTTO_STORE_ERROR_CONSTRAINT
 */
gint64
sotto_store_add_account (SottoStore               *self,
                         const char               *username,
                         const char               *password_hash,
                         const SottoWireIdentity  *identity,
                         GError                  **error)
{
  SottoDb *db;
  g_autofree char *lower = NULL;
  g_auto(SottoDbStatement) stmt = NULL;

  g_return_val_if_fail (SOTTO_IS_STORE (self), -1);
  g_return_val_if_fail (username != NULL, -1);
  g_return_val_if_fail (password_hash != NULL, -1);

  db = _sotto_store_get_db (self);
  lower = g_ascii_strdown (username, -1);
  stmt = _sotto_store_write_statement (self, STMT_ADD_ACCOUNT, error);
  if (stmt == NULL)
    return -1;

  sqlite3_bind_text (stmt, 1, lower, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, password_hash, -1, SQLITE_STATIC);
  bind_identity (stmt, 3, identity);
  sqlite3_bind_int64 (stmt, 6, _sotto_store_now_ms ());

  if (!sotto_db_step_done (db, stmt, _("Could not add the account"), error))
    return -1;

  return sotto_db_last_insert_rowid (db);
}

/**
 * sotto_store_set_identity:
 * @identity: (nullable): the new public identity keys, or %NULL to forget them
 *
 * Returns: %FALSE on failure; an unknown account is %SOTTO_STORE_ERROR_NOT_FOUND
 */
gboolean
sotto_store_set_identity (SottoStore               *self,
                          gint64                    account_id,
                          const SottoWireIdentity  *identity,
                          GError                  **error)
{
  SottoDb *db;
  g_auto(SottoDbStatement) stmt = NULL;

  g_return_val_if_fail (SOTTO_IS_STORE (self), FALSE);

  db = _sotto_store_get_db (self);
  stmt = _sotto_store_write_statement (self, STMT_SET_IDENTITY, error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, account_id);
  bind_identity (stmt, 2, identity);

  if (!sotto_db_step_done (db, stmt, _("Could not save the identity keys"), error))
    return FALSE;

  if (sotto_db_changes (db) == 0)
    {
      g_set_error_literal (error, SOTTO_STORE_ERROR, SOTTO_STORE_ERROR_NOT_FOUND,
                           _("Could not save the identity keys: there is no such account"));
      return FALSE;
    }

  return TRUE;
}

/**
 * sotto_store_list_usernames:
 *
 * Returns: (transfer full) (element-type utf8): every username, sorted, or %NULL
 */
GPtrArray *
sotto_store_list_usernames (SottoStore  *self,
                            GError     **error)
{
  SottoDb *db;
  g_auto(SottoDbStatement) stmt = NULL;

  g_return_val_if_fail (SOTTO_IS_STORE (self), NULL);

  db = _sotto_store_get_db (self);
  stmt = _sotto_store_statement (self, STMT_LIST_USERNAMES, error);
  if (stmt == NULL)
    return NULL;

  return sotto_db_collect_strings (db, stmt, _("Could not list the accounts"), error);
}
