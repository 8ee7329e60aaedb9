/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include "sotto-db.h"

G_BEGIN_DECLS

struct _SottoDb
{
  sqlite3              *handle;
  const SottoDbSchema  *schema;
  /* By statement id, prepared on first use. */
  sqlite3_stmt        **statements;

  SottoDbErrorFunc      error_func;
  gpointer              error_data;

  /* Transactions open: the outermost a real one, the others savepoints. */
  guint                 depth;
};

G_END_DECLS
