/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The version of the SQLite store's schema that the PostgreSQL schema's
 * first version matches, table for table. */
#define SOTTO_PG_SCHEMA_FROM_SQLITE 9

/**
 * SottoPgTable:
 * @name: the table, the same in both stores
 * @columns: its columns in PostgreSQL, in the order compared
 * @sqlite_columns: (nullable): the same from SQLite, when they differ
 * @sqlite_order: the order of its rows in SQLite
 * @pg_order: the same order in PostgreSQL
 */
typedef struct
{
  const char *name;
  const char *columns;
  const char *sqlite_columns;
  const char *sqlite_order;
  const char *pg_order;
} SottoPgTable;

/**
 * SottoPgSerial:
 * @table: a table with a bigserial column
 * @column: that column
 * @sqlite_sequence: (nullable): the table's name in SQLite's
 *   sqlite_sequence, when it used AUTOINCREMENT
 */
typedef struct
{
  const char *table;
  const char *column;
  const char *sqlite_sequence;
} SottoPgSerial;

const char * const  *sotto_pg_schema_migrations (guint *n_migrations);
const SottoPgTable  *sotto_pg_schema_tables     (guint *n_tables);
const SottoPgSerial *sotto_pg_schema_serials    (guint *n_serials);

G_END_DECLS
