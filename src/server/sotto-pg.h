/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>
#include <libpq-fe.h>

G_BEGIN_DECLS

#define SOTTO_PG_ERROR (sotto_pg_error_quark ())

/**
 * SottoPgError:
 * @SOTTO_PG_ERROR_CONFIG: the connection string is not one to use: bad
 *   syntax, or a host name (resolving one would block the main loop)
 * @SOTTO_PG_ERROR_UNAVAILABLE: not connected now; try again later
 * @SOTTO_PG_ERROR_LOST: the connection ended before the answer came: the
 *   statement may or may not have been carried out
 * @SOTTO_PG_ERROR_QUERY: PostgreSQL refused the statement
 * @SOTTO_PG_ERROR_ABORTED: not carried out (or undone), because another
 *   statement sent in the same turn failed
 */
typedef enum
{
  SOTTO_PG_ERROR_CONFIG,
  SOTTO_PG_ERROR_UNAVAILABLE,
  SOTTO_PG_ERROR_LOST,
  SOTTO_PG_ERROR_QUERY,
  SOTTO_PG_ERROR_ABORTED,
} SottoPgError;

GQuark sotto_pg_error_quark (void);

#define SOTTO_TYPE_PG (sotto_pg_get_type ())

G_DECLARE_FINAL_TYPE (SottoPg, sotto_pg, SOTTO, PG, GObject)

/**
 * SottoPgDone:
 * @pg: the connection
 * @result: (nullable): the statement's result, %NULL with @error; owned
 *   by @pg and freed after the call
 * @error: (nullable): why there is no result
 * @user_data: what was given with the statement
 *
 * Called once for each statement, in the order they were sent, from the
 * main loop (never from inside the call that sent it).
 */
typedef void (*SottoPgDone) (SottoPg        *pg,
                             const PGresult *result,
                             const GError   *error,
                             gpointer        user_data);

SottoPg    *sotto_pg_new               (const char   *conninfo,
                                        const char   *name,
                                        GError      **error);
void        sotto_pg_add_statement     (SottoPg      *self,
                                        const char   *name,
                                        const char   *sql);
void        sotto_pg_start             (SottoPg      *self);
void        sotto_pg_stop              (SottoPg      *self);
gboolean    sotto_pg_is_ready          (SottoPg      *self);
guint       sotto_pg_get_n_pending     (SottoPg      *self);
void        sotto_pg_query             (SottoPg      *self,
                                        const char   *statement,
                                        guint         n_params,
                                        const char * const *values,
                                        const int    *lengths,
                                        const int    *binary,
                                        SottoPgDone   done,
                                        gpointer      user_data);

gboolean    sotto_pg_check_conninfo    (const char   *conninfo,
                                        GError      **error);

G_END_DECLS
