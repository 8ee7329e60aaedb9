/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * A real PostgreSQL server of the system's own version, made for a test
 * in a temporary folder (initdb) and started there (the postgres user's
 * when the test runs as root), reached only through a Unix socket in that
 * folder; fsync off, as nothing must outlive the test.
 */

typedef struct _SottoTestPostgres SottoTestPostgres;

SottoTestPostgres *sotto_test_postgres_start          (char             **why_not);
void               sotto_test_postgres_free           (SottoTestPostgres *pg);
const char        *sotto_test_postgres_get_conninfo   (SottoTestPostgres *pg);
char              *sotto_test_postgres_new_database   (SottoTestPostgres *pg);
void               sotto_test_postgres_stop           (SottoTestPostgres *pg);
void               sotto_test_postgres_restart        (SottoTestPostgres *pg);
gboolean           sotto_test_postgres_is_running     (SottoTestPostgres *pg);
void               sotto_test_postgres_exec           (const char        *conninfo,
                                                       const char        *sql);
gint64             sotto_test_postgres_value          (const char        *conninfo,
                                                       const char        *sql);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SottoTestPostgres, sotto_test_postgres_free)

G_END_DECLS
